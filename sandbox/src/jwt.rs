//! The provider's access tokens: JWTs signed RS256 (league/oauth2-server's layout, which the
//! provider's tokens show: the `jti` also in the header), with the claims amoCRM's client
//! libraries read. The key is made at start, once per process; its public half is published
//! as a JWKS at `GET /sandbox/api/jwks`. Refresh tokens stay opaque.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// What an access token says, in the provider's order.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Claims {
    /// The client id the token was issued to.
    pub aud: String,
    /// The token's id (80 hex digits, as the provider's).
    pub jti: String,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    /// The user who consented, as a string.
    pub sub: String,
    /// Empty in every token the provider issues.
    pub grant_type: String,
    pub account_id: u64,
    /// The domain the account's subdomain lives under.
    pub base_domain: String,
    pub version: u8,
    pub scopes: Vec<String>,
    pub hash_uuid: String,
    pub user_flags: u8,
    /// Where the account's API answers (here: the sandbox itself, as the client reached it).
    pub api_domain: String,
}

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
    jwks: Value,
}

static KEYS: OnceLock<Keys> = OnceLock::new();

fn keys() -> &'static Keys {
    KEYS.get_or_init(|| {
        let mut rng = rsa::rand_core::OsRng;
        let private =
            RsaPrivateKey::new(&mut rng, 2048).expect("an RSA key (the OS offers randomness)");
        let der = private
            .to_pkcs1_der()
            .expect("a PKCS#1 encoding of a fresh key");
        let encoding = EncodingKey::from_rsa_der(der.as_bytes());
        let (n, e) = (private.n().to_bytes_be(), private.e().to_bytes_be());
        let decoding = DecodingKey::from_rsa_raw_components(&n, &e);
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        let kid = crate::store::token("key-");
        let jwks = json!({ "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": kid,
            "n": b64(&n),
            "e": b64(&e),
        }]});
        Keys {
            encoding,
            decoding,
            kid,
            jwks,
        }
    })
}

/// Makes the key now (at start), rather than on the first token.
pub fn init() {
    keys();
}

/// The public key as a JSON Web Key Set.
pub fn jwks() -> Value {
    keys().jwks.clone()
}

/// The signed token for `claims`.
pub fn sign(claims: &Claims) -> String {
    let keys = keys();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(keys.kid.clone());
    header.extras.insert("jti", &claims.jti);
    jsonwebtoken::encode(&header, claims, &keys.encoding).expect("RS256 signs any claims")
}

/// The `jti` of a token this sandbox signed (the signature checked; its times are the store's
/// to judge, by the sandbox clock); `None` for anything else.
pub fn jti_of(token: &str) -> Option<String> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Claims>(token, &keys().decoding, &validation).ok()?;
    Some(data.claims.jti)
}
