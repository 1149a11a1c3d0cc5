//! The LeadExec profile's state: applications, the grant remembered per application and user,
//! and the tokens of the documented token API (the routes are `routes::leadexec`).

use std::collections::HashMap;
use std::path::PathBuf;

/// Access tokens live one hour, as on LeadExec.
pub const ACCESS_TOKEN_SECONDS: u64 = 3600;

/// An application registered with LeadExec, and its sign-in button.
#[derive(Clone, Debug)]
pub struct LeApp {
    pub app_id: String,
    pub button_id: String,
    pub name: String,
    /// What the application may access, as the dialog lists it.
    pub access: Vec<String>,
    /// The origins its button may be on: the dialog answers no other opener. Empty: any
    /// loopback origin (the local demo, on whatever port).
    pub origins: Vec<String>,
}

impl LeApp {
    /// An application with the sandbox's usual access list.
    pub fn with_ids(app_id: &str, button_id: &str) -> LeApp {
        LeApp {
            app_id: app_id.into(),
            button_id: button_id.into(),
            name: "Sandbox application".into(),
            access: vec![
                "Read your leads and their status".into(),
                "Read your account's name and time zone".into(),
            ],
            origins: Vec::new(),
        }
    }

    /// Whether the dialog may answer an opener on `origin`.
    pub fn allows(&self, origin: &str) -> bool {
        if self.origins.is_empty() {
            return kommo_oauth_core::origin::is_loopback_origin(origin);
        }
        self.origins.iter().any(|o| o == origin)
    }

    /// The demo site's application.
    pub fn demo() -> LeApp {
        LeApp {
            name: "Acme CRM Sync".into(),
            ..LeApp::with_ids("demo-app", "demo-button")
        }
    }
}

struct Refresh {
    app_id: String,
    user: String,
}

/// Applications, grants and tokens.
#[derive(Default)]
pub struct LeStore {
    apps: Vec<LeApp>,
    /// (user, app id) → the grant's refresh token.
    grants: HashMap<(String, String), String>,
    refresh: HashMap<String, Refresh>,
    /// access token → (refresh token, expiry).
    access: HashMap<String, (String, u64)>,
    /// Where `le-app-button.js` and its wasm are served from.
    pub dist: PathBuf,
}

impl LeStore {
    pub fn new(apps: Vec<LeApp>, dist: PathBuf) -> LeStore {
        LeStore {
            apps,
            dist,
            ..LeStore::default()
        }
    }

    pub(crate) fn app_by_button(&self, button_id: &str) -> Option<&LeApp> {
        self.apps.iter().find(|a| a.button_id == button_id)
    }

    /// A new access token for a live refresh token of `app_id`: (token, expiry).
    pub(crate) fn issue_access(
        &mut self,
        refresh: &str,
        app_id: &str,
        now: u64,
    ) -> Option<(String, u64)> {
        let record = self.refresh.get(refresh)?;
        if record.app_id != app_id {
            return None;
        }
        let token = crate::store::token("le_at_");
        let expires = now.saturating_add(ACCESS_TOKEN_SECONDS);
        self.access.insert(token.clone(), (refresh.into(), expires));
        self.access.retain(|_, (_, exp)| *exp > now);
        Some((token, expires))
    }

    /// The refresh token of the user's grant for `app_id`, if they gave one.
    pub(crate) fn remembered(&self, user: &str, app_id: &str) -> Option<String> {
        self.grants
            .get(&(user.to_string(), app_id.to_string()))
            .cloned()
    }

    /// The user's grant for `app_id`, made on Allow; a returning user keeps theirs.
    pub(crate) fn grant(&mut self, user: &str, app_id: &str) -> String {
        let key = (user.to_string(), app_id.to_string());
        if let Some(refresh) = self.grants.get(&key) {
            return refresh.clone();
        }
        let refresh = crate::store::token("le_rt_");
        self.refresh.insert(
            refresh.clone(),
            Refresh {
                app_id: app_id.into(),
                user: user.into(),
            },
        );
        self.grants.insert(key, refresh.clone());
        refresh
    }

    /// Disconnects: the grant is forgotten and its refresh and access tokens stop working.
    pub(crate) fn disconnect(&mut self, refresh: &str) -> bool {
        // Forgotten, not kept as revoked: the store holds live grants only.
        let Some(record) = self.refresh.remove(refresh) else {
            return false;
        };
        self.grants.remove(&(record.user, record.app_id));
        self.access.retain(|_, (r, _)| r != refresh);
        true
    }
}

/// `2026-11-26T15:04:05Z`.
pub(crate) fn utc(seconds: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp(i64::try_from(seconds).unwrap_or(i64::MAX))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_survives_until_disconnected_and_access_tokens_live_an_hour() {
        let mut le = LeStore::new(vec![LeApp::demo()], PathBuf::new());
        let refresh = le.grant("u1", "demo-app");
        assert_eq!(
            le.grant("u1", "demo-app"),
            refresh,
            "a returning user keeps the grant"
        );
        let (_, expires) = le.issue_access(&refresh, "demo-app", 1000).unwrap();
        assert_eq!(expires, 1000 + ACCESS_TOKEN_SECONDS);
        assert!(
            le.issue_access(&refresh, "other-app", 1000).is_none(),
            "the app id must match"
        );
        assert!(le.disconnect(&refresh));
        assert!(!le.disconnect(&refresh));
        assert!(le.issue_access(&refresh, "demo-app", 1000).is_none());
        assert_ne!(
            le.grant("u1", "demo-app"),
            refresh,
            "after a disconnect, a new grant"
        );
    }

    #[test]
    fn the_dialog_answers_only_the_origins_an_application_registered() {
        let demo = LeApp::demo();
        assert!(demo.allows("http://localhost:8080"));
        assert!(!demo.allows("https://evil.example"));
        let registered = LeApp {
            origins: vec!["https://app.example".into()],
            ..LeApp::demo()
        };
        assert!(registered.allows("https://app.example"));
        assert!(!registered.allows("http://localhost:8080"));
    }

    #[test]
    fn dates_are_rfc3339_utc() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
    }
}
