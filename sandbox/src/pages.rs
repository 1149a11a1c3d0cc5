//! The sandbox's HTML: the consent page, the pages that report a decision to the opener,
//! and the admin page. Every value is escaped; JSON embedded in scripts escapes `<`.

use crate::leadexec::LeApp;
use crate::store::{Integration, ACCOUNTS};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

/// The consent page's language, from its path prefix (`/es/oauth`, `/br/oauth`, `/id/oauth`).
#[derive(Clone, Copy)]
pub enum Lang {
    En,
    Es,
    Pt,
    Id,
}

impl Lang {
    pub fn from_prefix(prefix: Option<&str>) -> Option<Lang> {
        match prefix {
            None => Some(Lang::En),
            Some("es") => Some(Lang::Es),
            Some("br") => Some(Lang::Pt),
            Some("id") => Some(Lang::Id),
            Some(_) => None,
        }
    }

    fn words(self) -> [&'static str; 7] {
        // title, wants access, choose account, allow, decline, widget, scopes
        match self {
            Lang::En => [
                "Grant access",
                "wants access to your Kommo account",
                "Choose an account",
                "Allow",
                "Decline",
                "Simulate a widget install (adds from_widget)",
                "Requested access",
            ],
            Lang::Es => [
                "Conceder acceso",
                "quiere acceder a tu cuenta de Kommo",
                "Elige una cuenta",
                "Permitir",
                "Rechazar",
                "Simular la instalación de un widget (añade from_widget)",
                "Acceso solicitado",
            ],
            Lang::Pt => [
                "Conceder acesso",
                "quer acessar sua conta Kommo",
                "Escolha uma conta",
                "Permitir",
                "Recusar",
                "Simular a instalação de um widget (adiciona from_widget)",
                "Acesso solicitado",
            ],
            Lang::Id => [
                "Berikan akses",
                "ingin mengakses akun Kommo Anda",
                "Pilih akun",
                "Izinkan",
                "Tolak",
                "Simulasikan pemasangan widget (menambah from_widget)",
                "Akses yang diminta",
            ],
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Pt => "pt",
            Lang::Id => "id",
        }
    }
}

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f9;color:#1b1f24}\
main{max-width:560px;margin:32px auto;background:#fff;border-radius:10px;padding:28px;box-shadow:0 2px 12px #0001}\
h1{font-size:20px;margin:0 0 4px}.sandbox{background:#0e0142;color:#fff;font-size:12px;padding:6px 12px}\
img.logo{width:100px;height:68px;object-fit:contain;float:right}label.acc{display:block;padding:8px;border:1px solid #ddd;border-radius:6px;margin:6px 0}\
button{font:inherit;padding:10px 22px;border-radius:6px;border:1px solid #0e0142;margin-right:8px;cursor:pointer}\
button.allow{background:#0e0142;color:#fff}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:6px;text-align:left;font-size:14px}";

fn shell(lang: &str, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{}</title><style>{STYLE}</style></head><body><div class=\"sandbox\">Kommo sandbox — local, offline, not the real provider</div>{body}</body></html>",
        attr(lang), text(title)
    )
}

/// What the consent page shows about the integration.
pub struct Consent<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub logo: Option<&'a str>,
    pub scopes: &'a [String],
    /// The query the page was opened with, carried to the decision.
    pub query: &'a str,
}

pub fn consent(lang: Lang, c: &Consent) -> String {
    let [title, wants, choose, allow, decline, widget, requested] = lang.words();
    let logo = c
        .logo
        .map(|l| format!("<img class=\"logo\" alt=\"\" src=\"{}\">", attr(l)))
        .unwrap_or_default();
    let scopes: String = c
        .scopes
        .iter()
        .map(|s| format!("<li>{}</li>", text(s)))
        .collect();
    let accounts: String = ACCOUNTS
        .iter()
        .enumerate()
        .map(|(i, a)| format!(
            "<label class=\"acc\"><input type=\"radio\" name=\"account_id\" value=\"{}\"{}> {} <small>({}.kommo.com)</small></label>",
            a.id, if i == 0 { " checked" } else { "" }, text(a.name), text(a.subdomain)
        ))
        .collect();
    let body = format!(
        "<main>{logo}<h1>{}</h1><p><b>{}</b> {wants}.</p><p>{}</p><h2>{requested}</h2><ul>{scopes}</ul>\
         <form method=\"post\" action=\"/oauth/decide\"><input type=\"hidden\" name=\"q\" value=\"{}\">\
         <input type=\"hidden\" name=\"lang\" value=\"{}\"><h2>{choose}</h2>{accounts}\
         <p><label><input type=\"checkbox\" name=\"from_widget\" value=\"1\"> {widget}</label></p>\
         <button class=\"allow\" name=\"decision\" value=\"allow\">{allow}</button>\
         <button class=\"decline\" name=\"decision\" value=\"decline\">{decline}</button></form></main>",
        text(title), text(c.name), text(c.description), attr(c.query), lang.code()
    );
    shell(lang.code(), title, &body)
}

/// JSON for a `<script>`: `<` escaped, so no string can close the element.
fn script_json(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

/// A `<script>` posting the JSON `message_json` to the opener at `target_origin` (never `*`),
/// then running `then`; without an opener (cut by Cross-Origin-Opener-Policy, or opened as
/// a tab) running `otherwise`. Both are this file's own JavaScript.
fn post_to_opener(message_json: &str, target_origin: &str, then: &str, otherwise: &str) -> String {
    format!(
        "<script>(function(){{var m={},t={};if(window.opener){{window.opener.postMessage(m,t);{then}}}else{{{otherwise}}}}})();</script>",
        message_json.replace('<', "\\u003c"),
        script_json(target_origin),
    )
}

/// Posts `message` to the opener at `target_origin` and closes; without an opener (cut by
/// Cross-Origin-Opener-Policy, or opened as a tab) goes to `fallback` instead.
pub fn report_to_opener(
    message_json: &str,
    target_origin: &str,
    fallback: &str,
    close: bool,
) -> String {
    let go = format!("location.replace({});", script_json(fallback));
    let then = if close {
        "window.close();"
    } else {
        go.as_str()
    };
    let script = post_to_opener(message_json, target_origin, then, &go);
    shell(
        "en",
        "Kommo sandbox",
        &format!("<main><p>Returning to the site…</p></main>{script}"),
    )
}

/// A page of the LeadExec profile (its own look: it stands for another service).
fn le_shell(body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>LeadExec sandbox</title><style>body{{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24}}\
         main{{max-width:520px;margin:24px auto;padding:0 20px}}button{{font:inherit;padding:8px 18px;margin-right:8px}}\
         .allow{{background:#0b5cad;color:#fff;border:0;border-radius:4px}}</style></head><body>{body}</body></html>"
    )
}

/// LeadExec's authorization dialog for `app`, answering `origin` with `state`.
pub fn le_dialog(app: &LeApp, origin: &str, button_id: &str, state: &str) -> String {
    let access: String = app
        .access
        .iter()
        .map(|a| format!("<li>{}</li>", text(a)))
        .collect();
    let hidden = |name: &str, value: &str| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            attr(value)
        )
    };
    le_shell(&format!(
        "<main><h1>Sign in with LeadExec</h1><p><b>{}</b> would like to access your LeadExec account.</p>\
         <h2>It will be able to</h2><ul>{access}</ul><p><small>Returning to {}</small></p>\
         <form method=\"post\" action=\"/authorize/decide\">{}{}{}\
         <button class=\"allow\" name=\"decision\" value=\"allow\">Allow</button> \
         <button class=\"cancel\" name=\"decision\" value=\"cancel\">Cancel</button></form></main>",
        text(&app.name),
        text(origin),
        hidden("btnid", button_id),
        hidden("origin", origin),
        hidden("state", state),
    ))
}

/// The LeadExec dialog's answer: posted to the opener at `origin` (never `*`), then closed.
pub fn le_to_opener(message_json: &str, origin: &str) -> String {
    let script = post_to_opener(
        message_json,
        origin,
        "window.close();",
        "document.querySelector('p').textContent='You can close this window.';",
    );
    le_shell(&format!(
        "<main><p>Returning to the site…</p></main>{script}"
    ))
}

pub fn error(status_title: &str, detail: &str) -> String {
    shell(
        "en",
        status_title,
        &format!(
            "<main><h1>{}</h1><p>{}</p></main>",
            text(status_title),
            text(detail)
        ),
    )
}

pub fn admin(integrations: &[Integration], installs: &[(String, u64)]) -> String {
    let rows: String = integrations
        .iter()
        .map(|i| {
            format!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                text(&i.name),
                text(&i.client_id),
                text(&i.redirect_uri),
                text(i.disconnect_uri.as_deref().unwrap_or("—"))
            )
        })
        .collect();
    let installed: String = installs
        .iter()
        .map(|(client, account)| format!(
            "<tr><td><code>{}</code></td><td>{account}</td><td><form method=\"post\" action=\"/sandbox/admin/disable\">\
             <input type=\"hidden\" name=\"client_id\" value=\"{}\"><input type=\"hidden\" name=\"account_id\" value=\"{account}\">\
             <button>Disable</button></form></td></tr>",
            text(client), attr(client)
        ))
        .collect();
    let body = format!(
        "<main><h1>Sandbox admin</h1><h2>Integrations</h2><table><tr><th>Name</th><th>client_id</th><th>Redirect URI</th>\
         <th>Disconnect hook</th></tr>{rows}</table><h2>Installed in accounts</h2><table><tr><th>client_id</th><th>account_id</th>\
         <th></th></tr>{installed}</table><p>Disabling revokes the install's tokens and calls the disconnect hook with \
         <code>account_id</code> and <code>client_id</code>.</p></main>"
    );
    shell("en", "Sandbox admin", &body)
}
