//! Webhooks the provider sends: the secrets webhook of a metadata button (before the user
//! is redirected) and the disconnect hook. Like the real provider: at most 3 seconds, the
//! response code is not checked and nothing is retried; failures are logged.

use crate::store::Integration;
use serde_json::json;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(3);

pub async fn send_secrets(
    http: &reqwest::Client,
    url: &str,
    integration: &Integration,
    state: Option<&str>,
) {
    let body = json!({ "client_id": integration.client_id, "client_secret": integration.client_secret, "state": state });
    if let Err(e) = http.post(url).json(&body).timeout(TIMEOUT).send().await {
        eprintln!("sandbox: secrets webhook to {url} failed: {e}");
    }
}

pub async fn send_disconnect(http: &reqwest::Client, url: &str, account_id: u64, client_id: &str) {
    let request = http.get(url).query(&[
        ("account_id", account_id.to_string()),
        ("client_id", client_id.to_owned()),
    ]);
    if let Err(e) = request.timeout(TIMEOUT).send().await {
        eprintln!("sandbox: disconnect hook to {url} failed: {e}");
    }
}
