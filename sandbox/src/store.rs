//! The provider's state, as plain data with the clock passed in: integrations, accounts,
//! authorization codes, access and refresh tokens, and the rules the Kommo documentation
//! gives for them (codes single-use for 20 minutes, access tokens for 24 hours, refresh
//! tokens rotating and dying after 3 months unused).

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use subtle::ConstantTimeEq;

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
    /// The token family the code was exchanged for: a second exchange revokes it.
    used_by: Option<u64>,
}

struct Access {
    client_id: String,
    account_id: u64,
    expires_at: u64,
    /// The refresh token issued with it: using this access token uses that pair.
    refresh: String,
    family: u64,
}

struct Refresh {
    client_id: String,
    account_id: u64,
    last_used: u64,
    /// The refresh token this one replaced; it keeps working until a child pair is used.
    parent: Option<String>,
    /// Every pair descending from one authorization code shares a family.
    family: u64,
}

/// A refresh token that was replaced and whose replacement has been used: presenting it
/// again means it leaked (OAuth 2.0 Security BCP), so its whole family is revoked.
struct Retired {
    client_id: String,
    family: u64,
    at: u64,
}

/// A token pair issued and recorded, its access token not signed yet: signing (a few
/// milliseconds of RSA) happens after the store's lock is released, so concurrent sign-ins
/// sign in parallel.
#[must_use = "sign it to get the token pair"]
#[derive(Debug)]
pub struct Issued {
    claims: crate::jwt::Claims,
    refresh_token: String,
}

impl Issued {
    /// The pair as `/oauth2/access_token` returns it.
    pub fn sign(self) -> TokenPair {
        TokenPair {
            token_type: "Bearer".into(),
            expires_in: ACCESS_LIFETIME,
            access_token: crate::jwt::sign(&self.claims),
            refresh_token: self.refresh_token,
        }
    }
}

/// A token pair as `/oauth2/access_token` returns it.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct TokenPair {
    pub token_type: String,
    pub expires_in: u64,
    pub access_token: String,
    pub refresh_token: String,
}

/// Why a token request or API call failed; the text is the `hint` shown to the integrator.
/// The token endpoint's variants are league/oauth2-server's (the 7.x line, whose answers the
/// provider gives: docs/protocol.md, "Where each answer comes from"), with its hints.
#[derive(Debug, PartialEq)]
pub enum Denied {
    /// `invalid_request` (400): a parameter is missing, repeated or malformed.
    InvalidRequest(&'static str),
    /// `invalid_client` (401): unknown client or wrong secret.
    InvalidClient(&'static str),
    /// The authorization code is refused: league's `invalidRequest('code', hint)`
    /// (`invalid_request`, 400).
    InvalidCode(&'static str),
    /// The refresh token is refused: league's `invalidRefreshToken(hint)` (`invalid_request`,
    /// 401, as the provider answers a revoked one).
    InvalidRefreshToken(&'static str),
    /// `unsupported_grant_type` (400).
    UnsupportedGrantType(&'static str),
    /// An API call without a valid access token.
    Unauthorized(&'static str),
}

impl Denied {
    /// The text shown to the integrator.
    pub fn hint(&self) -> &'static str {
        match *self {
            Denied::InvalidRequest(h)
            | Denied::InvalidClient(h)
            | Denied::InvalidCode(h)
            | Denied::InvalidRefreshToken(h)
            | Denied::UnsupportedGrantType(h)
            | Denied::Unauthorized(h) => h,
        }
    }
}

/// league/oauth2-server's hints, as the provider sends them.
pub mod hint {
    pub const CODE_UNKNOWN: &str = "Cannot decrypt the authorization code";
    pub const CODE_ANOTHER_CLIENT: &str = "Authorization code was not issued to this client";
    pub const CODE_REVOKED: &str = "Authorization code has been revoked";
    pub const CODE_EXPIRED: &str = "Authorization code has expired";
    pub const REDIRECT_URI: &str = "Invalid redirect URI";
    pub const TOKEN_UNKNOWN: &str = "Cannot decrypt the refresh token";
    pub const TOKEN_ANOTHER_CLIENT: &str = "Token is not linked to client";
    pub const TOKEN_REVOKED: &str = "Token has been revoked";
    pub const TOKEN_EXPIRED: &str = "Token has expired";
}

/// How many integrations metadata buttons may create before the oldest is forgotten (any web
/// page can start one, so the store stays bounded).
pub const MAX_CREATED: usize = 1_000;

#[derive(Default)]
pub struct Store {
    integrations: HashMap<String, Integration>,
    /// Client ids of integrations created by metadata buttons, oldest first.
    created: std::collections::VecDeque<String>,
    codes: HashMap<String, Code>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    retired: HashMap<String, Retired>,
    next_family: u64,
    /// (client_id, account_id) pairs that have been disabled by an account admin.
    installs: Vec<(String, u64)>,
    /// Where the accounts' API answers, for the tokens' `api_domain` (the sandbox's address).
    pub api_domain: String,
}

/// The domain the sandbox's accounts live under, for the tokens' `base_domain` (the
/// account API's links use it too).
pub const BASE_DOMAIN: &str = "kommo.com";

/// The user who consents in a sandbox account: one per account, its id derived from the
/// account's.
pub fn user_id(account_id: u64) -> u64 {
    account_id + 1_000_000
}

/// Random, URL-safe token text.
pub fn token(prefix: &str) -> String {
    let bytes: [u8; 24] = rand::random();
    [prefix, &hex(&bytes)].concat()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random (version 4) UUID.
fn uuid(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    [
        &h[..8],
        "-",
        &h[8..12],
        "-",
        &h[12..16],
        "-",
        &h[16..20],
        "-",
        &h[20..],
    ]
    .concat()
}

impl Store {
    pub fn register(&mut self, integration: Integration) {
        if integration.secrets_uri.is_some() {
            self.created.push_back(integration.client_id.clone());
            if self.created.len() > MAX_CREATED {
                if let Some(oldest) = self.created.pop_front() {
                    self.integrations.remove(&oldest);
                }
            }
        }
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
        self.prune(now);
        let integration = self.integrations.get(client_id)?;
        let code = token("def5");
        self.codes.insert(
            code.clone(),
            Code {
                client_id: client_id.to_owned(),
                account_id,
                redirect_uri: integration.redirect_uri.clone(),
                issued_at: now,
                used_by: None,
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

    /// Whether `secret` is `client_id`'s (compared in constant time).
    pub fn knows_client(&self, client_id: &str, secret: &str) -> bool {
        self.check_client(client_id, secret).is_ok()
    }

    /// The client, its secret compared in constant time.
    fn check_client(&self, client_id: &str, secret: &str) -> Result<&Integration, Denied> {
        match self.integrations.get(client_id) {
            Some(i) if bool::from(i.client_secret.as_bytes().ct_eq(secret.as_bytes())) => Ok(i),
            Some(_) => Err(Denied::InvalidClient(
                "client_secret does not match this client_id",
            )),
            None => Err(Denied::InvalidClient("no integration has this client_id")),
        }
    }

    fn pair(
        &mut self,
        client_id: &str,
        account_id: u64,
        parent: Option<String>,
        family: u64,
        now: u64,
    ) -> Issued {
        let scopes = self
            .integrations
            .get(client_id)
            .map(|i| i.scopes.clone())
            .unwrap_or_default();
        let claims = crate::jwt::Claims {
            aud: client_id.to_owned(),
            jti: hex(&rand::random::<[u8; 40]>()),
            iat: now,
            nbf: now,
            exp: now.saturating_add(ACCESS_LIFETIME),
            sub: user_id(account_id).to_string(),
            grant_type: String::new(),
            account_id,
            base_domain: BASE_DOMAIN.into(),
            version: 2,
            scopes,
            hash_uuid: uuid(rand::random()),
            user_flags: 0,
            api_domain: self.api_domain.clone(),
        };
        let refresh_token = token("rt_");
        self.refresh.insert(
            refresh_token.clone(),
            Refresh {
                client_id: client_id.to_owned(),
                account_id,
                last_used: now,
                parent,
                family,
            },
        );
        // Keyed by the token's id: the token itself is signed later (Issued::sign).
        self.access.insert(
            claims.jti.clone(),
            Access {
                client_id: client_id.to_owned(),
                account_id,
                expires_at: now.saturating_add(ACCESS_LIFETIME),
                refresh: refresh_token.clone(),
                family,
            },
        );
        Issued {
            claims,
            refresh_token,
        }
    }

    /// `grant_type=authorization_code`. The client, the code's owner, its age and the
    /// Redirect URI are checked before the code is consumed (so no client can burn another's
    /// codes); a code presented a second time revokes every token it produced.
    pub fn exchange_code(
        &mut self,
        client_id: &str,
        secret: &str,
        code: &str,
        redirect_uri: &str,
        now: u64,
    ) -> Result<Issued, Denied> {
        self.check_client(client_id, secret)?;
        let issued = self
            .codes
            .get(code)
            .ok_or(Denied::InvalidCode(hint::CODE_UNKNOWN))?;
        if issued.client_id != client_id {
            return Err(Denied::InvalidCode(hint::CODE_ANOTHER_CLIENT));
        }
        if let Some(family) = issued.used_by {
            // A second exchange: every token the code gave is revoked (RFC 6749 §4.1.2).
            self.revoke_family(family);
            return Err(Denied::InvalidCode(hint::CODE_REVOKED));
        }
        if now > issued.issued_at.saturating_add(CODE_LIFETIME) {
            return Err(Denied::InvalidCode(hint::CODE_EXPIRED));
        }
        if issued.redirect_uri != redirect_uri {
            return Err(Denied::InvalidRequest(hint::REDIRECT_URI));
        }
        let account_id = issued.account_id;
        let family = self.new_family();
        if let Some(issued) = self.codes.get_mut(code) {
            issued.used_by = Some(family);
        }
        Ok(self.pair(client_id, account_id, None, family, now))
    }

    fn new_family(&mut self) -> u64 {
        self.next_family += 1;
        self.next_family
    }

    /// `grant_type=refresh_token`: a new pair; the old refresh token keeps working until
    /// one of its children is used (Kommo's rule). A retired token presented again revokes
    /// its whole family.
    pub fn refresh(
        &mut self,
        client_id: &str,
        secret: &str,
        refresh_token: &str,
        now: u64,
    ) -> Result<Issued, Denied> {
        self.check_client(client_id, secret)?;
        // Only its own client can set off a family's revocation.
        if let Some(retired) = self
            .retired
            .get(refresh_token)
            .filter(|r| r.client_id == client_id)
        {
            // Superseded and used again: it leaked, and its whole family is revoked.
            let family = retired.family;
            self.revoke_family(family);
            return Err(Denied::InvalidRefreshToken(hint::TOKEN_REVOKED));
        }
        let old = self
            .refresh
            .get(refresh_token)
            .ok_or(Denied::InvalidRefreshToken(hint::TOKEN_UNKNOWN))?;
        if old.client_id != client_id {
            return Err(Denied::InvalidRefreshToken(hint::TOKEN_ANOTHER_CLIENT));
        }
        if now > old.last_used.saturating_add(REFRESH_LIFETIME) {
            // Three months unused.
            self.refresh.remove(refresh_token);
            return Err(Denied::InvalidRefreshToken(hint::TOKEN_EXPIRED));
        }
        let (account_id, family) = (old.account_id, old.family);
        self.use_pair(refresh_token, now);
        self.prune(now);
        Ok(self.pair(
            client_id,
            account_id,
            Some(refresh_token.to_owned()),
            family,
            now,
        ))
    }

    /// A pair was used (its access token on the API, or its refresh token): the token it
    /// replaced is retired, and the other children of that token (siblings from a repeated
    /// refresh) are revoked.
    fn use_pair(&mut self, refresh_token: &str, now: u64) {
        let Some(parent) = self
            .refresh
            .get_mut(refresh_token)
            .and_then(|r| r.parent.take())
        else {
            return;
        };
        // The parent and the siblings are retired, not forgotten: whoever presents one of
        // them later (a thief who refreshed first, or the client it raced) revokes the family.
        let mut gone: HashSet<String> = self
            .refresh
            .iter()
            .filter(|(t, r)| {
                (r.parent.as_deref() == Some(parent.as_str()) && t.as_str() != refresh_token)
                    || t.as_str() == parent
            })
            .map(|(t, _)| t.clone())
            .collect();
        gone.insert(parent);
        for token in &gone {
            if let Some(r) = self.refresh.remove(token) {
                let retired = Retired {
                    client_id: r.client_id,
                    family: r.family,
                    at: now,
                };
                self.retired.insert(token.clone(), retired);
            }
        }
        self.access.retain(|_, a| !gone.contains(&a.refresh));
    }

    fn revoke_family(&mut self, family: u64) {
        self.refresh.retain(|_, r| r.family != family);
        self.access.retain(|_, a| a.family != family);
    }

    /// Forgets what can no longer be used: expired codes, access tokens and refresh tokens,
    /// and retired tokens old enough to be dead anyway. Keeps the stores bounded.
    fn prune(&mut self, now: u64) {
        self.codes
            .retain(|_, c| now <= c.issued_at.saturating_add(CODE_LIFETIME));
        self.access.retain(|_, a| now <= a.expires_at);
        self.refresh
            .retain(|_, r| now <= r.last_used.saturating_add(REFRESH_LIFETIME));
        self.retired
            .retain(|_, r| now <= r.at.saturating_add(REFRESH_LIFETIME));
    }

    /// `Authorization: Bearer …` on the API: the account the token grants.
    pub fn authorize(&mut self, access_token: &str, now: u64) -> Result<&'static Account, Denied> {
        let unknown = Denied::Unauthorized("access token is unknown or revoked");
        let jti = crate::jwt::jti_of(access_token).ok_or(unknown)?;
        let access = self
            .access
            .get(&jti)
            .ok_or(Denied::Unauthorized("access token is unknown or revoked"))?;
        if now > access.expires_at {
            return Err(Denied::Unauthorized("access token has expired"));
        }
        let (account_id, refresh) = (access.account_id, access.refresh.clone());
        if let Some(r) = self.refresh.get_mut(&refresh) {
            r.last_used = now;
        }
        self.use_pair(&refresh, now);
        account(account_id).ok_or(Denied::Unauthorized("account no longer exists"))
    }

    /// The account a live refresh token belongs to (nothing is used up).
    pub fn account_of_refresh_token(
        &self,
        refresh_token: &str,
        now: u64,
    ) -> Option<&'static Account> {
        self.refresh
            .get(refresh_token)
            .filter(|r| now <= r.last_used.saturating_add(REFRESH_LIFETIME))
            .and_then(|r| account(r.account_id))
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

    /// A code issued at `issued` and exchanged at `at`: the signed pair.
    fn signed_in(s: &mut Store, issued: u64, at: u64) -> TokenPair {
        let code = s.issue_code("c", ACC, issued).unwrap();
        s.exchange_code("c", "s", &code, "https://i.example/cb", at)
            .unwrap()
            .sign()
    }

    /// `refresh_token` refreshed at `at`: the signed pair.
    fn refreshed(s: &mut Store, refresh_token: &str, at: u64) -> TokenPair {
        s.refresh("c", "s", refresh_token, at).unwrap().sign()
    }

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
        assert!(matches!(
            s.exchange_code("c", "s", &code, "https://i.example/cb", 10),
            Err(Denied::InvalidCode(hint::CODE_REVOKED))
        ));
    }

    #[test]
    fn codes_expire_after_twenty_minutes() {
        let mut s = store();
        let code = s.issue_code("c", ACC, 0).unwrap();
        assert!(matches!(
            s.exchange_code("c", "s", &code, "https://i.example/cb", CODE_LIFETIME + 1),
            Err(Denied::InvalidCode(hint::CODE_EXPIRED))
        ));
    }

    #[test]
    fn exchange_checks_secret_and_redirect_uri() {
        let mut s = store();
        let code = s.issue_code("c", ACC, 0).unwrap();
        assert!(s
            .exchange_code("c", "wrong", &code, "https://i.example/cb", 1)
            .is_err());
        let code = s.issue_code("c", ACC, 0).unwrap();
        assert!(matches!(
            s.exchange_code("c", "s", &code, "https://other/cb", 1),
            Err(Denied::InvalidRequest(hint::REDIRECT_URI))
        ));
    }

    #[test]
    fn access_tokens_work_for_a_day() {
        let mut s = store();
        let pair = signed_in(&mut s, 0, 0);
        assert_eq!(pair.expires_in, 86_400);
        assert_eq!(s.authorize(&pair.access_token, 100).unwrap().id, ACC);
        assert_eq!(
            s.authorize(&pair.access_token, ACCESS_LIFETIME + 1),
            Err(Denied::Unauthorized("access token has expired"))
        );
    }

    #[test]
    fn an_access_token_counts_only_with_this_sandboxs_signature() {
        let mut s = store();
        let pair = signed_in(&mut s, 0, 0);
        let (signed, signature) = pair.access_token.rsplit_once('.').unwrap();
        let flipped = if signature.starts_with('A') { "B" } else { "A" };
        let forged = [signed, ".", flipped, &signature[1..]].concat();
        assert!(
            s.authorize(&forged, 1).is_err(),
            "same claims, another signature"
        );
        assert!(s.authorize(signed, 1).is_err(), "no signature");
        assert!(s.authorize(&pair.access_token, 1).is_ok());
    }

    #[test]
    fn old_refresh_token_works_until_the_new_pair_is_used() {
        let mut s = store();
        let first = signed_in(&mut s, 0, 0);
        let second = refreshed(&mut s, &first.refresh_token, 10);
        // The response was lost: the old refresh token still works.
        let third = refreshed(&mut s, &first.refresh_token, 20);
        // Using the newest pair retires the one it replaced.
        s.authorize(&third.access_token, 30).unwrap();
        assert!(s.refresh("c", "s", &first.refresh_token, 40).is_err());
        let _ = second;
    }

    #[test]
    fn refreshing_with_the_new_token_retires_the_old_one() {
        let mut s = store();
        let first = signed_in(&mut s, 0, 0);
        let second = refreshed(&mut s, &first.refresh_token, 10);
        s.refresh("c", "s", &second.refresh_token, 20)
            .unwrap()
            .sign();
        assert!(s.refresh("c", "s", &first.refresh_token, 30).is_err());
    }

    #[test]
    fn refresh_tokens_die_after_three_months_unused() {
        let mut s = store();
        let pair = signed_in(&mut s, 0, 0);
        assert!(matches!(
            s.refresh("c", "s", &pair.refresh_token, REFRESH_LIFETIME + 1),
            Err(Denied::InvalidRefreshToken(hint::TOKEN_EXPIRED))
        ));
    }

    #[test]
    fn disabling_revokes_every_token_of_the_install() {
        let mut s = store();
        let code = s.issue_code("c", ACC, 0).unwrap();
        let pair = s
            .exchange_code("c", "s", &code, "https://i.example/cb", 0)
            .unwrap()
            .sign();
        assert!(s.disable("c", ACC));
        assert!(s.authorize(&pair.access_token, 1).is_err());
        assert!(s.refresh("c", "s", &pair.refresh_token, 1).is_err());
        assert!(!s.disable("c", ACC));
    }

    fn exchanged(s: &mut Store) -> TokenPair {
        let code = s.issue_code("c", ACC, 0).unwrap();
        s.exchange_code("c", "s", &code, "https://i.example/cb", 0)
            .unwrap()
            .sign()
    }

    #[test]
    fn using_one_child_revokes_the_parent_and_its_siblings() {
        let mut s = store();
        let first = exchanged(&mut s);
        let a = refreshed(&mut s, &first.refresh_token, 10);
        let b = refreshed(&mut s, &first.refresh_token, 11);
        s.authorize(&a.access_token, 12).unwrap();
        assert!(
            s.authorize(&b.access_token, 13).is_err(),
            "the sibling's access token"
        );
        assert!(s.authorize(&a.access_token, 14).is_ok());
        // Whoever holds the sibling (a thief who refreshed with a leaked token first, or the
        // client the thief beat) gives the theft away by presenting it: the family goes.
        assert!(
            s.refresh("c", "s", &b.refresh_token, 15).is_err(),
            "the sibling's refresh token"
        );
        assert!(
            s.authorize(&a.access_token, 16).is_err(),
            "the family is revoked"
        );
    }

    #[test]
    fn a_retired_refresh_token_presented_again_revokes_the_family() {
        let mut s = store();
        let first = exchanged(&mut s);
        let second = refreshed(&mut s, &first.refresh_token, 10);
        s.authorize(&second.access_token, 11).unwrap();
        assert!(matches!(
            s.refresh("c", "s", &first.refresh_token, 12),
            Err(Denied::InvalidRefreshToken(hint::TOKEN_REVOKED))
        ));
        assert!(s.authorize(&second.access_token, 13).is_err());
        assert!(s.refresh("c", "s", &second.refresh_token, 14).is_err());
    }

    #[test]
    fn a_reused_code_revokes_what_it_gave_and_a_foreign_client_cannot_burn_it() {
        let mut s = store();
        s.register(Integration {
            client_id: "other".into(),
            client_secret: "o".into(),
            redirect_uri: "https://o.example/cb".into(),
            name: "O".into(),
            description: String::new(),
            logo: None,
            scopes: vec![],
            disconnect_uri: None,
            secrets_uri: None,
        });
        let code = s.issue_code("c", ACC, 0).unwrap();
        assert!(s
            .exchange_code("other", "o", &code, "https://o.example/cb", 1)
            .is_err());
        assert!(s
            .exchange_code("c", "s", &code, "https://wrong.example/cb", 1)
            .is_err());
        let pair = s
            .exchange_code("c", "s", &code, "https://i.example/cb", 2)
            .expect("the code still works for its client")
            .sign();
        assert!(s
            .exchange_code("c", "s", &code, "https://i.example/cb", 3)
            .is_err());
        assert!(
            s.authorize(&pair.access_token, 4).is_err(),
            "revoked by the reuse"
        );
    }

    #[test]
    fn integrations_created_by_metadata_buttons_are_bounded() {
        let mut s = store();
        let created = |n: usize| Integration {
            client_id: format!("mc_{n}"),
            secrets_uri: Some("https://i.example/secrets".into()),
            ..s.integration("c").unwrap().clone()
        };
        let all: Vec<Integration> = (0..=MAX_CREATED).map(created).collect();
        all.into_iter().for_each(|i| s.register(i));
        assert!(s.integration("mc_0").is_none(), "the oldest is forgotten");
        assert!(s.integration(&format!("mc_{MAX_CREATED}")).is_some());
        assert!(s.integration("c").is_some(), "registered ones stay");
        assert_eq!(s.integrations.len(), MAX_CREATED + 1);
    }

    #[test]
    fn expired_codes_and_tokens_are_pruned_and_huge_clocks_do_not_overflow() {
        let mut s = store();
        let _pair = exchanged(&mut s);
        s.issue_code("c", ACC, 1).unwrap();
        s.prune(u64::MAX);
        assert!(s.codes.is_empty() && s.access.is_empty() && s.refresh.is_empty());
        let code = s.issue_code("c", ACC, u64::MAX).unwrap();
        let pair = s
            .exchange_code("c", "s", &code, "https://i.example/cb", u64::MAX)
            .unwrap()
            .sign();
        assert!(s.authorize(&pair.access_token, u64::MAX).is_ok());
    }
}
