//! The provider's state, as plain data with the clock passed in: integrations, accounts,
//! authorization codes, access and refresh tokens, and the rules the Kommo documentation
//! gives for them (codes single-use for 20 minutes, access tokens for 24 hours, refresh
//! tokens rotating and dying after 3 months unused).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub const CODE_LIFETIME: u64 = 20 * 60;
pub const ACCESS_LIFETIME: u64 = 86_400;
pub const REFRESH_LIFETIME: u64 = 90 * 86_400;

/// A registered integration.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Integration {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub logo: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub disconnect_uri: Option<String>,
    /// Where the secrets webhook went, for integrations created by a metadata button.
    #[serde(default)]
    pub secrets_uri: Option<String>,
}

/// A sandbox account the user can choose on the consent page.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Account {
    pub id: u64,
    pub name: &'static str,
    pub subdomain: &'static str,
}

pub const ACCOUNTS: [Account; 3] = [
    Account {
        id: 31_000_001,
        name: "Alpha Trading",
        subdomain: "sandbox-alpha",
    },
    Account {
        id: 31_000_002,
        name: "Beta Logistics",
        subdomain: "sandbox-beta",
    },
    Account {
        id: 31_000_003,
        name: "Gamma Studio",
        subdomain: "sandbox-gamma",
    },
];

pub fn account(id: u64) -> Option<&'static Account> {
    ACCOUNTS.iter().find(|a| a.id == id)
}

struct Code {
    client_id: String,
    account_id: u64,
    redirect_uri: String,
    issued_at: u64,
}

struct Access {
    client_id: String,
    account_id: u64,
    expires_at: u64,
    /// The refresh token issued with it: using this access token retires its predecessor.
    refresh: String,
}

struct Refresh {
    client_id: String,
    account_id: u64,
    last_used: u64,
    /// The refresh token this one replaced; it keeps working until this pair is used.
    parent: Option<String>,
}

/// A token pair as `/oauth2/access_token` returns it.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct TokenPair {
    pub token_type: String,
    pub expires_in: u64,
    pub access_token: String,
    pub refresh_token: String,
}

/// Why a token request or API call failed; `hint` is shown to the integrator.
#[derive(Debug, PartialEq)]
pub enum Denied {
    BadRequest(&'static str),
    Unauthorized(&'static str),
}

#[derive(Default)]
pub struct Store {
    integrations: HashMap<String, Integration>,
    codes: HashMap<String, Code>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    /// (client_id, account_id) pairs that have been disabled by an account admin.
    installs: Vec<(String, u64)>,
}

/// Random, URL-safe token text.
pub fn token(prefix: &str) -> String {
    let bytes: [u8; 24] = rand::random();
    let mut out = String::from(prefix);
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

impl Store {
    pub fn register(&mut self, integration: Integration) {
        self.integrations
            .insert(integration.client_id.clone(), integration);
    }

    pub fn integration(&self, client_id: &str) -> Option<&Integration> {
        self.integrations.get(client_id)
    }

    pub fn integrations(&self) -> Vec<Integration> {
        let mut all: Vec<Integration> = self.integrations.values().cloned().collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    pub fn installs(&self) -> &[(String, u64)] {
        &self.installs
    }

    /// The user allowed `client_id` in `account_id`: a single-use code.
    pub fn issue_code(&mut self, client_id: &str, account_id: u64, now: u64) -> Option<String> {
        let integration = self.integrations.get(client_id)?;
        let code = token("def5");
        self.codes.insert(
            code.clone(),
            Code {
                client_id: client_id.to_owned(),
                account_id,
                redirect_uri: integration.redirect_uri.clone(),
                issued_at: now,
            },
        );
        if !self
            .installs
            .iter()
            .any(|(c, a)| c == client_id && *a == account_id)
        {
            self.installs.push((client_id.to_owned(), account_id));
        }
        Some(code)
    }

    fn check_client(&self, client_id: &str, secret: &str) -> Result<&Integration, Denied> {
        match self.integrations.get(client_id) {
            Some(i) if i.client_secret == secret => Ok(i),
            Some(_) => Err(Denied::BadRequest(
                "client_secret does not match this client_id",
            )),
            None => Err(Denied::BadRequest("unknown client_id")),
        }
    }

    fn pair(
        &mut self,
        client_id: &str,
        account_id: u64,
        parent: Option<String>,
        now: u64,
    ) -> TokenPair {
        let access_token = token("at_");
        let refresh_token = token("rt_");
        self.refresh.insert(
            refresh_token.clone(),
            Refresh {
                client_id: client_id.to_owned(),
                account_id,
                last_used: now,
                parent,
            },
        );
        self.access.insert(
            access_token.clone(),
            Access {
                client_id: client_id.to_owned(),
                account_id,
                expires_at: now + ACCESS_LIFETIME,
                refresh: refresh_token.clone(),
            },
        );
        TokenPair {
            token_type: "Bearer".into(),
            expires_in: ACCESS_LIFETIME,
            access_token,
            refresh_token,
        }
    }

    /// `grant_type=authorization_code`.
    pub fn exchange_code(
        &mut self,
        client_id: &str,
        secret: &str,
        code: &str,
        redirect_uri: &str,
        now: u64,
    ) -> Result<TokenPair, Denied> {
        self.check_client(client_id, secret)?;
        let issued = self.codes.remove(code).ok_or(Denied::BadRequest(
            "authorization code is unknown or was already used",
        ))?;
        if issued.client_id != client_id {
            return Err(Denied::BadRequest(
                "authorization code was issued to another client_id",
            ));
        }
        if now > issued.issued_at + CODE_LIFETIME {
            return Err(Denied::BadRequest(
                "authorization code has expired (20 minutes)",
            ));
        }
        if issued.redirect_uri != redirect_uri {
            return Err(Denied::BadRequest(
                "redirect_uri does not match the integration's Redirect URI",
            ));
        }
        Ok(self.pair(client_id, issued.account_id, None, now))
    }

    /// `grant_type=refresh_token`: a new pair; the old refresh token keeps working until
    /// the new pair is used.
    pub fn refresh(
        &mut self,
        client_id: &str,
        secret: &str,
        refresh_token: &str,
        now: u64,
    ) -> Result<TokenPair, Denied> {
        self.check_client(client_id, secret)?;
        let old = self.refresh.get(refresh_token).ok_or(Denied::BadRequest(
            "refresh token is unknown, revoked or superseded",
        ))?;
        if old.client_id != client_id {
            return Err(Denied::BadRequest(
                "refresh token was issued to another client_id",
            ));
        }
        if now > old.last_used + REFRESH_LIFETIME {
            self.refresh.remove(refresh_token);
            return Err(Denied::BadRequest(
                "refresh token has expired (3 months unused)",
            ));
        }
        let account_id = old.account_id;
        self.retire_parent_of(refresh_token);
        Ok(self.pair(client_id, account_id, Some(refresh_token.to_owned()), now))
    }

    /// Using a pair retires the refresh token it replaced.
    fn retire_parent_of(&mut self, refresh_token: &str) {
        if let Some(parent) = self
            .refresh
            .get_mut(refresh_token)
            .and_then(|r| r.parent.take())
        {
            self.refresh.remove(&parent);
            self.access.retain(|_, a| a.refresh != parent);
        }
    }

    /// `Authorization: Bearer …` on the API: the account the token grants.
    pub fn authorize(&mut self, access_token: &str, now: u64) -> Result<&'static Account, Denied> {
        let access = self
            .access
            .get(access_token)
            .ok_or(Denied::Unauthorized("access token is unknown or revoked"))?;
        if now > access.expires_at {
            return Err(Denied::Unauthorized("access token has expired"));
        }
        let (account_id, refresh) = (access.account_id, access.refresh.clone());
        if let Some(r) = self.refresh.get_mut(&refresh) {
            r.last_used = now;
        }
        self.retire_parent_of(&refresh);
        account(account_id).ok_or(Denied::Unauthorized("account no longer exists"))
    }

    /// An account admin disabled the integration: every token of it in that account dies.
    pub fn disable(&mut self, client_id: &str, account_id: u64) -> bool {
        let before = self.installs.len();
        self.installs
            .retain(|(c, a)| !(c == client_id && *a == account_id));
        self.access
            .retain(|_, t| !(t.client_id == client_id && t.account_id == account_id));
        self.refresh
            .retain(|_, t| !(t.client_id == client_id && t.account_id == account_id));
        self.codes
            .retain(|_, c| !(c.client_id == client_id && c.account_id == account_id));
        before != self.installs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACC: u64 = 31_000_001;

    fn store() -> Store {
        let mut s = Store::default();
        s.register(Integration {
            client_id: "c".into(),
            client_secret: "s".into(),
            redirect_uri: "https://i.example/cb".into(),
            name: "I".into(),
            description: String::new(),
            logo: None,
            scopes: vec![],
            disconnect_uri: None,
            secrets_uri: None,
        });
        s
    }

    #[test]
    fn codes_are_single_use() {
        let mut s = store();
        let code = s.issue_code("c", ACC, 0).unwrap();
        assert!(s
            .exchange_code("c", "s", &code, "https://i.example/cb", 10)
            .is_ok());
        assert_eq!(
            s.exchange_code("c", "s", &code, "https://i.example/cb", 10),
            Err(Denied::BadRequest(
                "authorization code is unknown or was already used"
            ))
        );
    }

    #[test]
    fn codes_expire_after_twenty_minutes() {
        let mut s = store();
        let code = s.issue_code("c", ACC, 0).unwrap();
        assert!(
            matches!(s.exchange_code("c", "s", &code, "https://i.example/cb", CODE_LIFETIME + 1), Err(Denied::BadRequest(m)) if m.contains("expired"))
        );
    }

    #[test]
    fn exchange_checks_secret_and_redirect_uri() {
        let mut s = store();
        let code = s.issue_code("c", ACC, 0).unwrap();
        assert!(s
            .exchange_code("c", "wrong", &code, "https://i.example/cb", 1)
            .is_err());
        let code = s.issue_code("c", ACC, 0).unwrap();
        assert!(
            matches!(s.exchange_code("c", "s", &code, "https://other/cb", 1), Err(Denied::BadRequest(m)) if m.contains("redirect_uri"))
        );
    }

    #[test]
    fn access_tokens_work_for_a_day() {
        let mut s = store();
        let code = s.issue_code("c", ACC, 0).unwrap();
        let pair = s
            .exchange_code("c", "s", &code, "https://i.example/cb", 0)
            .unwrap();
        assert_eq!(pair.expires_in, 86_400);
        assert_eq!(s.authorize(&pair.access_token, 100).unwrap().id, ACC);
        assert_eq!(
            s.authorize(&pair.access_token, ACCESS_LIFETIME + 1),
            Err(Denied::Unauthorized("access token has expired"))
        );
    }

    #[test]
    fn old_refresh_token_works_until_the_new_pair_is_used() {
        let mut s = store();
        let code = s.issue_code("c", ACC, 0).unwrap();
        let first = s
            .exchange_code("c", "s", &code, "https://i.example/cb", 0)
            .unwrap();
        let second = s.refresh("c", "s", &first.refresh_token, 10).unwrap();
        // The response was lost: the old refresh token still works.
        let third = s.refresh("c", "s", &first.refresh_token, 20).unwrap();
        // Using the newest pair retires the one it replaced.
        s.authorize(&third.access_token, 30).unwrap();
        assert!(s.refresh("c", "s", &first.refresh_token, 40).is_err());
        let _ = second;
    }

    #[test]
    fn refreshing_with_the_new_token_retires_the_old_one() {
        let mut s = store();
        let code = s.issue_code("c", ACC, 0).unwrap();
        let first = s
            .exchange_code("c", "s", &code, "https://i.example/cb", 0)
            .unwrap();
        let second = s.refresh("c", "s", &first.refresh_token, 10).unwrap();
        s.refresh("c", "s", &second.refresh_token, 20).unwrap();
        assert!(s.refresh("c", "s", &first.refresh_token, 30).is_err());
    }

    #[test]
    fn refresh_tokens_die_after_three_months_unused() {
        let mut s = store();
        let code = s.issue_code("c", ACC, 0).unwrap();
        let pair = s
            .exchange_code("c", "s", &code, "https://i.example/cb", 0)
            .unwrap();
        assert!(
            matches!(s.refresh("c", "s", &pair.refresh_token, REFRESH_LIFETIME + 1), Err(Denied::BadRequest(m)) if m.contains("3 months"))
        );
    }

    #[test]
    fn disabling_revokes_every_token_of_the_install() {
        let mut s = store();
        let code = s.issue_code("c", ACC, 0).unwrap();
        let pair = s
            .exchange_code("c", "s", &code, "https://i.example/cb", 0)
            .unwrap();
        assert!(s.disable("c", ACC));
        assert!(s.authorize(&pair.access_token, 1).is_err());
        assert!(s.refresh("c", "s", &pair.refresh_token, 1).is_err());
        assert!(!s.disable("c", ACC));
    }
}
