//! Browser tests for the LeadExec drop-in's enhancement of the integrator's own buttons
//! (`web::leadexec`): what it keeps and adds, buttons added later, the dialog it opens and
//! the messages it accepts. The dialog and token API end to end are in
//! tests/browser/leadexec.test.mjs.
#![cfg(target_arch = "wasm32")]

mod support;

use kommo_oauth_core::leadexec::{DEFAULT_ORIGIN, DIALOG_TYPE, WINDOW_NAME_PREFIX};
use kommo_oauth_core::popup::is_window_name;
use kommo_oauth_web::leadexec::enhance_all;
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn le_button(id: &str, button_id: Option<&str>) -> (web_sys::Element, web_sys::HtmlElement) {
    let mut attrs = vec![("id", id)];
    if let Some(b) = button_id {
        attrs.push(("data-btnId", b));
    }
    let (holder, el) = fixture(&attrs, "button", "le-app-button theirs");
    el.set_text_content(Some("Sign in with LeadExec"));
    (holder, el.unchecked_into())
}

#[wasm_bindgen_test]
async fn existing_and_later_buttons_are_enhanced_and_keep_their_text_classes_and_id() {
    let (holder, button) = le_button("le-one", Some("b1"));
    enhance_all(JsValue::UNDEFINED, discovery());
    assert_eq!(
        button.get_attribute("type").as_deref(),
        Some("button"),
        "never submits a form"
    );
    assert_eq!(
        button.text_content().as_deref(),
        Some("Sign in with LeadExec")
    );
    assert_eq!(button.class_name(), "le-app-button theirs");
    assert_eq!(button.id(), "le-one");
    let (later_holder, later) = le_button("le-later", Some("b2"));
    tick(20).await;
    assert_eq!(
        later.get_attribute("type").as_deref(),
        Some("button"),
        "added later: enhanced too"
    );
    holder.remove();
    later_holder.remove();
}

#[wasm_bindgen_test]
async fn a_button_without_data_btnid_is_left_alone_with_one_console_error() {
    capture_console();
    let (holder, button) = le_button("le-none", None);
    enhance_all(JsValue::UNDEFINED, discovery());
    tick(20).await;
    let log = release_console();
    assert_eq!(button.get_attribute("type"), None);
    let errors: Vec<String> = log
        .iter()
        .filter_map(|l| l.as_string())
        .filter(|l| l.contains("data-btnId"))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    holder.remove();
}

#[wasm_bindgen_test]
async fn a_click_opens_the_dialog_and_only_its_own_message_with_this_state_counts() {
    spy_open(false);
    let calls = record_calls("AuthorizeResult");
    let (holder, button) = le_button("le-click", Some("b3"));
    enhance_all(JsValue::UNDEFINED, discovery());
    button.click();
    assert_eq!(opened_count(), 1);
    let open = opened(0);
    assert!(is_window_name(
        &get_str(&open, "name").unwrap_throw(),
        WINDOW_NAME_PREFIX
    ));
    let url = web_sys::Url::new(&get_str(&open, "url").unwrap_throw()).unwrap_throw();
    assert_eq!(
        url.origin(),
        DEFAULT_ORIGIN,
        "without a loader tag: LeadExec's host"
    );
    assert_eq!(url.pathname(), "/authorize/dialog");
    let params = url.search_params();
    assert_eq!(params.get("btnid").as_deref(), Some("b3"));
    let state = params.get("state").unwrap_throw();
    assert_eq!(button.get_attribute("aria-busy").as_deref(), Some("true"));
    let granted = |state: &str| {
        object(&[
            ("type", s(DIALOG_TYPE)),
            ("state", s(state)),
            ("valid", JsValue::TRUE),
            ("refreshToken", s("le_rt_1")),
            ("authToken", s("le_at_1")),
            ("expireDate", s("2030-01-01T00:00:00Z")),
            ("appId", s("app")),
        ])
    };
    // Another window on LeadExec's origin, the popup from another origin, another state: ignored.
    post_from_window(&other_window(), DEFAULT_ORIGIN, &granted(&state));
    post_from("https://attacker.example", &granted(&state));
    post_from(DEFAULT_ORIGIN, &granted("not-this-attempt"));
    tick(10).await;
    assert_eq!(calls.length(), 0);
    post_from(DEFAULT_ORIGIN, &granted(&state));
    tick(10).await;
    assert_eq!(calls.length(), 1);
    let result = calls.get(0);
    assert_eq!(get(&result, "valid"), JsValue::TRUE);
    assert_eq!(get_str(&result, "authToken").as_deref(), Some("le_at_1"));
    assert_eq!(button.get_attribute("aria-busy"), None);
    assert_eq!(
        get(&get(&open, "popup"), "closedByScript"),
        JsValue::TRUE,
        "the dialog closes"
    );
    clean_up();
    holder.remove();
}

#[wasm_bindgen_test]
async fn an_answer_still_queued_when_the_dialog_closes_itself_is_not_lost() {
    spy_open(false);
    let calls = record_calls("AuthorizeResult");
    let (holder, button) = le_button("le-race", Some("b4"));
    enhance_all(JsValue::UNDEFINED, discovery());
    button.click();
    let state = state_of(0);
    // The dialog closes itself; one closed poll passes before its message is handled.
    let popup: web_sys::Window = get(&opened(0), "popup").unchecked_into();
    popup.close().unwrap_throw();
    tick(350).await;
    post_from(DEFAULT_ORIGIN, &granted(&state));
    tick(700).await;
    assert_eq!(calls.length(), 1, "one result: {}", json(&calls));
    assert_eq!(get(&calls.get(0), "valid"), JsValue::TRUE);
    clean_up();
    holder.remove();
}

/// Puts back what a click test changed: `window.open`, the callback, remembered grants.
fn clean_up() {
    restore_open();
    forget_global("AuthorizeResult");
    let storage = web_sys::window()
        .unwrap_throw()
        .local_storage()
        .unwrap_throw();
    storage.unwrap_throw().clear().unwrap_throw();
}

/// The state of the `i`th dialog opened.
fn state_of(i: u32) -> String {
    let url = web_sys::Url::new(&get_str(&opened(i), "url").unwrap_throw()).unwrap_throw();
    url.search_params().get("state").unwrap_throw()
}

/// The dialog's answer on Allow, for `state`.
fn granted(state: &str) -> js_sys::Object {
    object(&[
        ("type", s(DIALOG_TYPE)),
        ("state", s(state)),
        ("valid", JsValue::TRUE),
        ("refreshToken", s("le_rt_3")),
        ("authToken", s("le_at_3")),
        ("appId", s("app")),
    ])
}

#[wasm_bindgen_test]
async fn one_dialog_per_page_each_under_a_name_of_its_own() {
    spy_open(false);
    let calls = record_calls("AuthorizeResult");
    let (holder_a, a) = le_button("le-a", Some("b5"));
    let (holder_b, b) = le_button("le-b", Some("b6"));
    enhance_all(JsValue::UNDEFINED, discovery());
    a.click();
    b.click();
    assert_eq!(opened_count(), 2);
    assert_ne!(
        get_str(&opened(0), "name"),
        get_str(&opened(1), "name"),
        "no name is reused, so no frame can hold one"
    );
    assert_eq!(
        get(&get(&opened(0), "popup"), "closedByScript"),
        JsValue::TRUE,
        "the second click closed the first dialog"
    );
    let (first, second) = (state_of(0), state_of(1));
    // The second click ended the first attempt: its answer no longer counts.
    post_from_window(&get(&opened(0), "popup"), DEFAULT_ORIGIN, &granted(&first));
    tick(10).await;
    assert_eq!(calls.length(), 0);
    post_from(DEFAULT_ORIGIN, &granted(&second));
    tick(700).await;
    assert_eq!(calls.length(), 1, "{}", json(&calls));
    assert_eq!(get(&calls.get(0), "valid"), JsValue::TRUE);
    assert_eq!(a.get_attribute("aria-busy"), None);
    clean_up();
    holder_a.remove();
    holder_b.remove();
}

#[wasm_bindgen_test]
async fn the_loader_allow_list_keeps_markup_from_enhancing_other_button_ids() {
    capture_console();
    let loader = document().create_element("script").unwrap_throw();
    loader
        .set_attribute("src", "https://apps.leadexec.net/js/le-app-button.js")
        .unwrap_throw();
    loader
        .set_attribute("data-allowed-btnids", "b-ours, b-also")
        .unwrap_throw();
    let (holder_ok, ours) = le_button("le-ours", Some("b-ours"));
    let (holder_no, theirs) = le_button("le-theirs", Some("b-theirs"));
    enhance_all(loader.into(), discovery());
    tick(20).await;
    let log = release_console();
    assert_eq!(ours.get_attribute("type").as_deref(), Some("button"));
    assert_eq!(theirs.get_attribute("type"), None, "not enhanced");
    let errors: Vec<String> = log
        .iter()
        .filter_map(|l| l.as_string())
        .filter(|l| l.contains("b-theirs"))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    // A loader without the list lifts it again (the tests share one page).
    let plain = document().create_element("script").unwrap_throw();
    plain
        .set_attribute("src", "https://apps.leadexec.net/js/le-app-button.js")
        .unwrap_throw();
    enhance_all(plain.into(), discovery());
    holder_ok.remove();
    holder_no.remove();
}
