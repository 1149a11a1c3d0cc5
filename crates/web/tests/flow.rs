//! Browser tests for the click flow: the URL and popup the click opens, the messages it
//! accepts or ignores, and what reaches the integrator's callbacks. `window.open` is
//! replaced by a spy returning a fake popup; messages are dispatched with a chosen origin.
//! Two real windows and two origins are covered by the Playwright suite.
#![cfg(target_arch = "wasm32")]

mod support;

use kommo_oauth_core::kommo::protocol::{channel_name, CALLBACK_TYPE};
use kommo_oauth_web::kommo::api::{mount, Handle as ButtonHandle};
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const PROVIDER: &str = "https://www.kommo.com";

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    object(pairs).into()
}

fn own_origin() -> String {
    web_sys::window()
        .unwrap_throw()
        .location()
        .origin()
        .unwrap_throw()
}

/// Mounts a button into a fresh holder and clicks it with `window.open` spied.
fn click(pairs: &[(&str, JsValue)]) -> (web_sys::Element, ButtonHandle) {
    let (holder, _) = fixture(&[], "div", "host");
    let handle = mount(&holder, options(pairs)).unwrap_throw();
    spy_open(false);
    handle.element().unwrap_throw().click();
    (holder, handle)
}

fn opened_url(i: u32) -> String {
    get_str(&opened(i), "url").unwrap_throw()
}

fn query(url: &str) -> web_sys::UrlSearchParams {
    web_sys::Url::new(url).unwrap_throw().search_params()
}

fn state_of(i: u32) -> String {
    query(&opened_url(i)).get("state").unwrap_throw()
}

/// The attempt id the `i`th popup's sessionStorage started with (its copy of this tab's record).
fn attempt_id_of(i: u32) -> String {
    let key = ["kommo-oauth:state:", &state_of(i)].concat();
    get_str(&get(&opened(i), "records"), &key).expect_throw("the popup's copy has the record")
}

/// This tab's own record of `state`, now.
fn own_record(state: &str) -> Option<String> {
    web_sys::window()
        .unwrap_throw()
        .session_storage()
        .unwrap_throw()
        .unwrap_throw()
        .get_item(&["kommo-oauth:state:", state].concat())
        .unwrap_throw()
}

#[wasm_bindgen_test]
fn click_opens_the_consent_page_with_the_original_parameters() {
    let (holder, _h) = click(&[
        ("clientId", s("cid-1")),
        ("state", s("st")),
        ("mode", s("post_message")),
    ]);
    assert_eq!(opened_count(), 1);
    let url = opened_url(0);
    // The page's origin only (the runner's page address has a fragment, which stays here).
    let origin = web_sys::window()
        .unwrap_throw()
        .location()
        .origin()
        .unwrap_throw();
    let expected = [
        "https://www.kommo.com/oauth/?state=st&mode=post_message&origin=",
        &js_sys::encode_uri_component(&origin)
            .as_string()
            .unwrap_throw(),
        "&client_id=cid-1",
    ]
    .concat();
    assert_eq!(url, expected);
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
fn escape_worthy_values_are_encoded_once_and_settings_are_read_at_click_time() {
    let (holder, _) = fixture(
        &[("data-client-id", "a&b"), ("data-locale", "pt")],
        "script", // data-state is taken from <script> config tags only
        "kommo_oauth",
    );
    auto_mount();
    let button: web_sys::HtmlElement = holder
        .query_selector("button")
        .unwrap_throw()
        .unwrap_throw()
        .unchecked_into();
    let tag = holder
        .query_selector(".kommo_oauth")
        .unwrap_throw()
        .unwrap_throw();
    tag.set_attribute("data-state", "a b&c=d/é{{X}}")
        .unwrap_throw();
    spy_open(false);
    button.click();
    let url = opened_url(0);
    assert!(url.starts_with("https://www.kommo.com/br/oauth/?state=a%20b%26c%3Dd%2F%C3%A9%7B%7BX%7D%7D&mode=popup&origin="), "{url}");
    assert!(url.ends_with("&client_id=a%26b"));
    assert_eq!(query(&url).get("state").as_deref(), Some("a b&c=d/é{{X}}"));
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
fn metadata_button_sends_metadata_and_scopes() {
    let (holder, _h) = click(&[
        ("provider", s("amocrm")),
        ("name", s("My & app")),
        ("description", s("d")),
        ("redirectUri", s("https://e.com/cb")),
        ("secretsUri", s("https://e.com/s")),
        ("logo", s("https://e.com/l.png")),
        (
            "scopes",
            js_sys::Array::of2(&s("crm"), &s("notifications")).into(),
        ),
    ]);
    let url = opened_url(0);
    assert!(url.starts_with("https://www.amocrm.ru/oauth/?state="));
    let q = query(&url);
    assert_eq!(q.get("name").as_deref(), Some("My & app"));
    assert_eq!(q.get("secrets_uri").as_deref(), Some("https://e.com/s"));
    assert_eq!(
        strings(&q.get_all("scopes[]")),
        vec!["crm", "notifications"]
    );
    assert_eq!(q.get("client_id"), None);
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
fn popup_is_named_sized_centred_and_resizable() {
    let (holder, _h) = click(&[("clientId", s("a"))]);
    let call = opened(0);
    let name = get_str(&call, "name").unwrap_throw();
    assert!(
        kommo_oauth_core::popup::is_window_name(&name, "kommo-oauth-"),
        "an unguessable name per attempt: {name}"
    );
    let features = get_str(&call, "features").unwrap_throw();
    let win = web_sys::window().unwrap_throw();
    let x = win.screen_x().unwrap_throw().as_f64().unwrap_throw();
    let w = win.outer_width().unwrap_throw().as_f64().unwrap_throw();
    let left = (x + (w - 750.0) / 2.0).round() as i64;
    assert!(features.contains("width=750,height=580"), "{features}");
    assert!(
        features.contains(&["left=", &left.to_string(), ","].concat()),
        "{features}"
    );
    assert!(features.contains("resizable=yes"));
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
fn a_second_click_focuses_the_open_popup_instead_of_opening_another() {
    let (holder, h) = click(&[("clientId", s("a"))]);
    h.element().unwrap_throw().click();
    assert_eq!(opened_count(), 1);
    assert_eq!(
        get(&get(&opened(0), "popup"), "focused").as_f64(),
        Some(2.0)
    );
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
fn without_a_state_a_random_one_is_generated() {
    let (holder, h) = click(&[("clientId", s("a"))]);
    let state = state_of(0);
    assert_eq!(state.len(), 32);
    drop(h);
    spy_open(false);
    let (holder2, _h2) = click(&[("clientId", s("a"))]);
    assert_ne!(state_of(0), state);
    restore_open();
    holder.remove();
    holder2.remove();
}

#[wasm_bindgen_test]
fn the_record_of_the_attempt_goes_with_its_popup_alone() {
    let (holder, _h) = click(&[("clientId", s("a")), ("state", s("shared"))]);
    // The popup's sessionStorage starts as a copy of this tab's: it holds the attempt's id...
    let id = attempt_id_of(0);
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    // ...and this tab's own record is gone, so a window opened from the tab later (by any
    // frame) starts with none.
    assert_eq!(own_record("shared"), None);
    spy_open(false);
    let (holder2, _h2) = click(&[("clientId", s("a")), ("state", s("shared"))]);
    assert_ne!(attempt_id_of(0), id, "each attempt has its own id");
    restore_open();
    holder.remove();
    holder2.remove();
}

#[wasm_bindgen_test]
async fn decline_calls_the_error_callback_once_with_the_exact_object() {
    let calls = record_calls("onKommoDecline");
    let (holder, _h) = click(&[
        ("clientId", s("cid")),
        ("errorCallback", s("onKommoDecline")),
    ]);
    let data = object(&[("client_id", s("cid")), ("error", s("access_denied"))]);
    post_from(PROVIDER, &data);
    post_from(PROVIDER, &data);
    tick(10).await;
    assert_eq!(calls.length(), 1);
    assert_eq!(
        json(&calls.get(0)),
        r#"{"client_id":"cid","error":"access_denied"}"#
    );
    assert!(
        get(&get(&opened(0), "popup"), "closedByScript").is_truthy(),
        "the popup is closed"
    );
    let storage = web_sys::window()
        .unwrap_throw()
        .session_storage()
        .unwrap_throw()
        .unwrap_throw();
    let key = ["kommo-oauth:state:", &state_of(0)].concat();
    assert_eq!(
        storage.get_item(&key).unwrap_throw(),
        None,
        "no record of the ended attempt's state"
    );
    forget_global("onKommoDecline");
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn messages_from_a_wrong_origin_or_of_a_wrong_shape_change_nothing() {
    let calls = record_calls("onKommoIgnored");
    let (holder, h) = click(&[
        ("clientId", s("cid")),
        ("errorCallback", s("onKommoIgnored")),
    ]);
    let decline = object(&[("client_id", s("cid")), ("error", s("access_denied"))]);
    post_from("https://evil.example", &decline);
    post_from(&own_origin(), &decline);
    post_from(PROVIDER, &object(&[("url", s("javascript:alert(1)"))]));
    post_from(
        PROVIDER,
        &object(&[("client_id", s("another")), ("error", s("access_denied"))]),
    );
    for junk in [
        JsValue::NULL,
        JsValue::UNDEFINED,
        s("a string"),
        JsValue::from_f64(3.0),
        object(&[("type", s("x")), ("success", JsValue::TRUE)]).into(),
    ] {
        post_from(PROVIDER, &junk);
        post_from(&own_origin(), &junk);
    }
    tick(10).await;
    assert_eq!(calls.length(), 0);
    assert!(!get(&get(&opened(0), "popup"), "closedByScript").is_truthy());
    h.element().unwrap_throw().click();
    assert_eq!(opened_count(), 1, "the attempt is still open");
    forget_global("onKommoIgnored");
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn dotted_callback_paths_resolve_by_property_lookup() {
    let calls = record_calls("kommoApp.auth.onError");
    let (holder, _h) = click(&[
        ("clientId", s("cid")),
        ("errorCallback", s("kommoApp.auth.onError")),
    ]);
    post_from(
        PROVIDER,
        &object(&[("client_id", s("cid")), ("error", s("access_denied"))]),
    );
    tick(10).await;
    assert_eq!(calls.length(), 1);
    forget_global("kommoApp");
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn a_callback_name_that_does_not_resolve_gives_a_console_error() {
    let (holder, _h) = click(&[("clientId", s("cid")), ("errorCallback", s("functionName"))]);
    capture_console();
    post_from(
        PROVIDER,
        &object(&[("client_id", s("cid")), ("error", s("access_denied"))]),
    );
    tick(10).await;
    let log = strings(&release_console());
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].starts_with("error: ") && log[0].contains("data-error-callback=\"functionName\"")
    );
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn decline_reaches_the_metadata_button_whose_popup_is_open() {
    let (holder, h) = click(&[
        ("provider", s("amocrm")),
        ("name", s("n")),
        ("description", s("d")),
        ("redirectUri", s("https://e.com/cb")),
        ("secretsUri", s("https://e.com/s")),
        ("scopes", s("crm")),
    ]);
    let promise = h.sign_in();
    post_from(
        "https://www.amocrm.ru",
        &object(&[("error", s("access_denied"))]),
    );
    let rejected = JsFuture::from(js_sys::Promise::from(JsValue::from(promise)))
        .await
        .err()
        .expect_throw("rejects");
    assert_eq!(
        get_str(&rejected, "error").as_deref(),
        Some("access_denied")
    );
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn closing_the_popup_reports_popup_closed() {
    let (holder, h) = click(&[("clientId", s("cid"))]);
    let events = js_sys::Array::new();
    let recorder = {
        let events = events.clone();
        gloo_events::EventListener::new(
            &h.element().unwrap_throw(),
            "kommo-oauth:error",
            move |e| {
                events.push(&get(e, "detail"));
            },
        )
    };
    tick(1600).await; // past the window in which `closed` means a cut opener
    js_sys::Reflect::set(&get(&opened(0), "popup"), &s("closed"), &JsValue::TRUE).unwrap_throw();
    tick(700).await;
    assert_eq!(events.length(), 1);
    assert_eq!(
        get_str(&events.get(0), "error").as_deref(),
        Some("popup_closed")
    );
    assert_eq!(get_str(&events.get(0), "client_id").as_deref(), Some("cid"));
    drop(recorder);
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn a_popup_handle_cut_late_still_lets_the_real_result_through_the_channel() {
    let (holder, h) = click(&[("clientId", s("cid")), ("mode", s("post_message"))]);
    let seen = js_sys::Array::new();
    let recorders = ["kommo-oauth:error", "kommo-oauth:success"].map(|kind| {
        let seen = seen.clone();
        gloo_events::EventListener::new(&h.element().unwrap_throw(), kind, move |e| {
            seen.push(&get(
                &get(e, "detail"),
                if e.type_() == "kommo-oauth:error" {
                    "error"
                } else {
                    "code"
                },
            ));
        })
    });
    tick(1600).await; // COOP cut the handle after the 1.5 s window: read as a close...
    js_sys::Reflect::set(&get(&opened(0), "popup"), &s("closed"), &JsValue::TRUE).unwrap_throw();
    tick(700).await;
    let state = state_of(0);
    // ...but the helper's broadcast, when the visitor allows, is still heard.
    broadcast(
        &channel_name(&attempt_id_of(0)),
        &helper_message(&state, "late-code"),
    );
    tick(50).await;
    assert_eq!(strings(&seen), ["popup_closed", "late-code"]);
    drop(recorders);
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn a_blocked_popup_reports_popup_blocked() {
    let (holder, _) = fixture(&[], "div", "host");
    let calls = record_calls("onKommoBlocked");
    let h = mount(
        &holder,
        options(&[
            ("clientId", s("cid")),
            ("errorCallback", s("onKommoBlocked")),
        ]),
    )
    .unwrap_throw();
    spy_open(true);
    capture_console();
    h.element().unwrap_throw().click();
    let log = strings(&release_console());
    assert_eq!(calls.length(), 1);
    assert_eq!(
        get_str(&calls.get(0), "error").as_deref(),
        Some("popup_blocked")
    );
    // Mounted with options: the hint names the option, not the tag's attribute.
    assert!(log[0].contains("blocked") && log[0].contains("set fallback=\"same-tab\""));
    forget_global("onKommoBlocked");
    restore_open();
    holder.remove();
}

fn helper_message(state: &str, code: &str) -> js_sys::Object {
    object(&[
        ("type", s(CALLBACK_TYPE)),
        ("code", s(code)),
        ("state", s(state)),
        ("client_id", s("cid")),
        ("referer", s("acc.kommo.com")),
        ("url", s("https://site.example/cb")),
    ])
}

#[wasm_bindgen_test]
async fn post_message_mode_success_reaches_the_callback_event_and_promise() {
    let calls = record_calls("onKommoSuccess");
    let (holder, h) = click(&[
        ("clientId", s("cid")),
        ("mode", s("post_message")),
        ("successCallback", s("onKommoSuccess")),
    ]);
    let promise = h.sign_in();
    post_from(&own_origin(), &helper_message(&state_of(0), "the-code"));
    let result = JsFuture::from(js_sys::Promise::from(JsValue::from(promise)))
        .await
        .unwrap_throw();
    assert_eq!(get_str(&result, "code").as_deref(), Some("the-code"));
    assert_eq!(calls.length(), 1);
    assert_eq!(
        get_str(&calls.get(0), "referer").as_deref(),
        Some("acc.kommo.com")
    );
    assert!(get(&get(&opened(0), "popup"), "closedByScript").is_truthy());
    forget_global("onKommoSuccess");
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn a_result_with_a_foreign_state_is_ignored_and_the_real_one_still_lands() {
    let (holder, h) = click(&[("clientId", s("cid")), ("mode", s("post_message"))]);
    let promise = h.sign_in();
    post_from(&own_origin(), &helper_message("forged-state", "stolen"));
    let url = "https://site.example/cb?code=x&state=forged-state";
    post_from(PROVIDER, &object(&[("url", s(url))]));
    post_from(
        PROVIDER,
        &object(&[("url", s("https://site.example/cb?code=x"))]),
    );
    tick(10).await;
    assert!(
        !get(&get(&opened(0), "popup"), "closedByScript").is_truthy(),
        "the attempt keeps waiting"
    );
    post_from(&own_origin(), &helper_message(&state_of(0), "real"));
    let result = JsFuture::from(js_sys::Promise::from(JsValue::from(promise)))
        .await
        .unwrap_throw();
    assert_eq!(get_str(&result, "code").as_deref(), Some("real"));
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn messages_from_any_window_but_the_popup_are_ignored() {
    let calls = record_calls("onKommoForeign");
    let (holder, h) = click(&[
        ("clientId", s("cid")),
        ("mode", s("post_message")),
        ("errorCallback", s("onKommoForeign")),
    ]);
    let promise = h.sign_in();
    let frame = other_window();
    let state = state_of(0);
    let decline = object(&[("client_id", s("cid")), ("error", s("access_denied"))]);
    for source in [
        frame.clone(),
        JsValue::NULL,
        web_sys::window().unwrap_throw().into(),
    ] {
        post_from_window(&source, PROVIDER, &decline);
        post_from_window(
            &source,
            &own_origin(),
            &helper_message(&state, "from-elsewhere"),
        );
        let url = ["https://site.example/cb?code=c&state=", &state].concat();
        post_from_window(&source, PROVIDER, &object(&[("url", s(&url))]));
    }
    tick(10).await;
    assert_eq!(calls.length(), 0);
    assert!(!get(&get(&opened(0), "popup"), "closedByScript").is_truthy());
    post_from(PROVIDER, &decline);
    let rejected = JsFuture::from(js_sys::Promise::from(JsValue::from(promise)))
        .await
        .err()
        .expect_throw("rejects");
    assert!(
        rejected.is_instance_of::<js_sys::Error>(),
        "signIn() rejects with an Error"
    );
    assert_eq!(get_str(&rejected, "name").as_deref(), Some("SignInFailure"));
    assert_eq!(
        get_str(&get(&rejected, "constructor"), "name").as_deref(),
        Some("SignInFailure"),
        "an Error subclass of its own, not an Error with a name"
    );
    assert_eq!(get_str(&rejected, "code").as_deref(), Some("access_denied"));
    assert_eq!(get_str(&rejected, "client_id").as_deref(), Some("cid"));
    assert_eq!(calls.length(), 1);
    forget_global("onKommoForeign");
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn callbacks_get_a_fresh_object_of_strings_never_the_message() {
    let calls = record_calls("onKommoFresh");
    let (holder, _h) = click(&[("clientId", s("cid")), ("errorCallback", s("onKommoFresh"))]);
    let data = js_sys::Array::of1(&s("<img src=x onerror=alert(1)>"));
    js_sys::Reflect::set(&data, &s("error"), &s("access_denied")).unwrap_throw();
    js_sys::Reflect::set(&data, &s("client_id"), &s("cid")).unwrap_throw();
    js_sys::Reflect::set(&data, &s("extra"), &object(&[("x", s("y"))])).unwrap_throw();
    post_from(PROVIDER, &data);
    tick(10).await;
    assert_eq!(calls.length(), 1);
    let got = calls.get(0);
    assert!(!js_sys::Array::is_array(&got) && !js_sys::Object::is(&got, &data));
    assert_eq!(json(&got), r#"{"client_id":"cid","error":"access_denied"}"#);
    forget_global("onKommoFresh");
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn callback_names_never_reach_built_ins_prototypes_or_getters() {
    for name in [
        "document.write",
        "setTimeout",
        "location.assign",
        "alert",
        "eval",
        "Function",
        "onKommoProto.__proto__.x",
        "document.body.append",
        "history.pushState",
        "constructor",
    ] {
        capture_console(); // refused paths are reported on mount, built-ins when the result arrives
        let (holder, _h) = click(&[("clientId", s("cid")), ("errorCallback", s(name))]);
        post_from(
            PROVIDER,
            &object(&[("client_id", s("cid")), ("error", s("access_denied"))]),
        );
        tick(5).await;
        let log = strings(&release_console());
        assert_eq!(log.len(), 1, "{name}: {log:?}");
        assert!(log[0].contains(name), "{name}: {log:?}");
        restore_open();
        holder.remove();
    }
}

#[wasm_bindgen_test]
async fn the_broadcast_channel_fallback_delivers_when_the_opener_is_cut() {
    let (holder, h) = click(&[("clientId", s("cid")), ("mode", s("post_message"))]);
    let promise = h.sign_in();
    let state = state_of(0);
    let replies = JsFuture::from(broadcast_collect(
        &channel_name(&attempt_id_of(0)),
        &helper_message(&state, "via-channel"),
        50,
    ))
    .await
    .unwrap_throw();
    let result = JsFuture::from(js_sys::Promise::from(JsValue::from(promise)))
        .await
        .unwrap_throw();
    assert_eq!(get_str(&result, "code").as_deref(), Some("via-channel"));
    assert_eq!(
        json(&replies),
        r#"[{"type":"kommo-oauth:ack"}]"#,
        "the opener tells the cut popup it may close"
    );
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn a_result_on_another_attempts_channel_is_not_this_attempts() {
    // Integrators reuse one state across tabs and buttons: another tab's helper, or one
    // that guessed the state, broadcasts on a channel named after it. Only the channel named
    // after this attempt's id reaches it.
    let (holder, h) = click(&[
        ("clientId", s("cid")),
        ("mode", s("post_message")),
        ("state", s("shared")),
    ]);
    let promise = h.sign_in();
    for name in ["shared", "another-attempts-id"] {
        let replies = JsFuture::from(broadcast_collect(
            &channel_name(name),
            &helper_message("shared", "another-tabs-code"),
            50,
        ))
        .await
        .unwrap_throw();
        assert_eq!(json(&replies), "[]", "no acknowledgement on {name}");
    }
    broadcast(
        &channel_name(&attempt_id_of(0)),
        &helper_message("shared", "own-code"),
    );
    let result = JsFuture::from(js_sys::Promise::from(JsValue::from(promise)))
        .await
        .unwrap_throw();
    assert_eq!(get_str(&result, "code").as_deref(), Some("own-code"));
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn popup_mode_redirect_event_can_be_cancelled_and_never_navigates_to_javascript() {
    let (holder, h) = click(&[("clientId", s("cid"))]);
    let state = state_of(0);
    let seen = js_sys::Array::new();
    let recorder = {
        let seen = seen.clone();
        let options = gloo_events::EventListenerOptions::enable_prevent_default();
        gloo_events::EventListener::new_with_options(
            &h.element().unwrap_throw(),
            "kommo-oauth:success",
            options,
            move |e| {
                seen.push(&get(e, "detail"));
                e.prevent_default();
            },
        )
    };
    post_from(PROVIDER, &object(&[("url", s("javascript:alert(1)"))]));
    let url = [
        "https://site.example/cb?code=c1&state=",
        &state,
        "&referer=a.kommo.com&client_id=cid",
    ]
    .concat();
    post_from(PROVIDER, &object(&[("url", s(&url))]));
    tick(10).await;
    assert_eq!(seen.length(), 1);
    assert_eq!(get_str(&seen.get(0), "code").as_deref(), Some("c1"));
    assert_eq!(get_str(&seen.get(0), "url").as_deref(), Some(url.as_str()));
    drop(recorder);
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn without_secure_random_numbers_no_sign_in_starts() {
    let (holder, _) = fixture(&[], "div", "host");
    let h = mount(&holder, options(&[("clientId", s("cid"))])).unwrap_throw();
    spy_open(false);
    break_crypto();
    capture_console();
    let promise = h.sign_in();
    let log = strings(&release_console());
    restore_crypto();
    let rejected = JsFuture::from(js_sys::Promise::from(JsValue::from(promise)))
        .await
        .err()
        .expect_throw("rejects");
    assert_eq!(
        get_str(&rejected, "error").as_deref(),
        Some("crypto_unavailable")
    );
    assert_eq!(opened_count(), 0, "no popup with a predictable state");
    assert!(
        log.iter().any(|l| l.contains("crypto.getRandomValues")),
        "{log:?}"
    );
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn an_on_error_that_signs_in_again_gets_a_new_promise_not_the_old_error() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let (holder, _) = fixture(&[], "div", "host");
    let handle: Rc<RefCell<Option<ButtonHandle>>> = Rc::default();
    let retried: Rc<RefCell<Option<js_sys::Promise>>> = Rc::default();
    let on_error = {
        let (handle, retried) = (handle.clone(), retried.clone());
        Closure::<dyn FnMut(JsValue)>::new(move |_error: JsValue| {
            if retried.borrow().is_none() {
                let again = handle
                    .borrow()
                    .as_ref()
                    .map(|h| js_sys::Promise::from(JsValue::from(h.sign_in())));
                *retried.borrow_mut() = again;
            }
        })
    };
    let opts = options(&[
        ("clientId", s("cid")),
        ("onError", on_error.as_ref().clone()),
    ]);
    *handle.borrow_mut() = Some(mount(&holder, opts).unwrap_throw());
    spy_open(false);
    let first = js_sys::Promise::from(JsValue::from(
        handle.borrow().as_ref().unwrap_throw().sign_in(),
    ));
    post_from(
        PROVIDER,
        &object(&[("client_id", s("cid")), ("error", s("access_denied"))]),
    );
    assert!(
        JsFuture::from(first).await.is_err(),
        "the first attempt is declined"
    );
    let second = retried
        .borrow_mut()
        .take()
        .expect_throw("onError signed in again");
    let pending = js_sys::Promise::race(&js_sys::Array::of2(
        &second,
        &js_sys::Promise::resolve(&s("still pending")),
    ));
    assert_eq!(
        JsFuture::from(pending)
            .await
            .unwrap_throw()
            .as_string()
            .as_deref(),
        Some("still pending")
    );
    assert_eq!(opened_count(), 2, "the retry opened its own popup");
    drop(on_error);
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn another_buttons_click_ends_the_earlier_attempt_and_its_promise_says_cancelled() {
    let (holder, _) = fixture(&[], "div", "host");
    let first = mount(&holder, options(&[("clientId", s("cid"))])).unwrap_throw();
    let second = mount(&holder, options(&[("clientId", s("cid"))])).unwrap_throw();
    spy_open(false);
    let earlier = js_sys::Promise::from(JsValue::from(first.sign_in()));
    let later = js_sys::Promise::from(JsValue::from(second.sign_in()));
    // The second click closed the first popup (one sign-in window per page) and opened its own.
    let rejected = JsFuture::from(earlier).await.err().expect_throw("rejects");
    assert_eq!(get_str(&rejected, "code").as_deref(), Some("cancelled"));
    post_from(
        PROVIDER,
        &object(&[("client_id", s("cid")), ("error", s("access_denied"))]),
    );
    let declined = JsFuture::from(later).await.err().expect_throw("rejects");
    assert_eq!(get_str(&declined, "code").as_deref(), Some("access_denied"));
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn a_superseded_attempts_channel_neither_acknowledges_nor_delivers() {
    let (holder, _) = fixture(&[], "div", "host");
    let post_message = || options(&[("clientId", s("cid")), ("mode", s("post_message"))]);
    let first = mount(&holder, post_message()).unwrap_throw();
    let second = mount(&holder, post_message()).unwrap_throw();
    spy_open(false);
    let earlier = js_sys::Promise::from(JsValue::from(first.sign_in()));
    let later = js_sys::Promise::from(JsValue::from(second.sign_in()));
    // The first window's helper answers late, on its own attempt's channel: that attempt is
    // over, so its helper is not told it may close, and nothing is delivered.
    let replies = JsFuture::from(broadcast_collect(
        &channel_name(&attempt_id_of(0)),
        &helper_message(&state_of(0), "stale-code"),
        50,
    ))
    .await
    .unwrap_throw();
    assert_eq!(
        json(&replies),
        "[]",
        "no acknowledgement for an ended attempt"
    );
    let rejected = JsFuture::from(earlier).await.err().expect_throw("rejects");
    assert_eq!(get_str(&rejected, "code").as_deref(), Some("cancelled"));
    broadcast(
        &channel_name(&attempt_id_of(1)),
        &helper_message(&state_of(1), "own-code"),
    );
    let result = JsFuture::from(later).await.unwrap_throw();
    assert_eq!(get_str(&result, "code").as_deref(), Some("own-code"));
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
fn mount_errors_name_the_options_not_the_attributes() {
    let (holder, _) = fixture(&[], "div", "host");
    let Err(error) = mount(&holder, options(&[])) else {
        panic!("no clientId: no button")
    };
    let message = get_str(&JsValue::from(error), "message").unwrap_throw();
    assert!(
        message.contains("missing clientId (or, for a metadata button, name, description, redirectUri, secretsUri, scopes)"),
        "{message}"
    );
    assert!(!message.contains("data-"), "{message}");
    holder.remove();
}

#[wasm_bindgen_test]
async fn a_window_that_is_not_a_fresh_top_level_popup_is_never_used_for_consent() {
    // `window.open` handing back a frame (a name collision with a frame some embed holds):
    // it is not used, and nothing it says counts.
    let calls = record_calls("onKommoFrame");
    let (holder, _) = fixture(&[], "div", "host");
    let h = mount(
        &holder,
        options(&[("clientId", s("cid")), ("errorCallback", s("onKommoFrame"))]),
    )
    .unwrap_throw();
    let frame = other_window();
    open_returns(&frame);
    capture_console();
    h.element().unwrap_throw().click();
    release_console();
    post_from_window(
        &frame,
        PROVIDER,
        &object(&[("client_id", s("cid")), ("error", s("access_denied"))]),
    );
    tick(10).await;
    assert_eq!(calls.length(), 1);
    assert_eq!(
        get_str(&calls.get(0), "error").as_deref(),
        Some("popup_blocked"),
        "reported as a window that did not open, and the frame's decline is not heard"
    );
    forget_global("onKommoFrame");
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn a_popup_another_window_took_over_is_not_heard() {
    let calls = record_calls("onKommoTaken");
    let (holder, _h) = click(&[("clientId", s("cid")), ("errorCallback", s("onKommoTaken"))]);
    take_over_latest();
    post_from(
        PROVIDER,
        &object(&[("client_id", s("cid")), ("error", s("access_denied"))]),
    );
    tick(10).await;
    assert_eq!(calls.length(), 0, "its opener is another window now");
    forget_global("onKommoTaken");
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
async fn polluted_prototypes_neither_drop_a_real_decline_nor_add_fields() {
    let calls = record_calls("onKommoPolluted");
    let (holder, _h) = click(&[
        ("clientId", s("cid")),
        ("errorCallback", s("onKommoPolluted")),
    ]);
    // After the click: the test's fake popup is built with `Object.defineProperty`, which a
    // polluted `get` or `value` would break (the real `window.open` needs neither).
    let polluted = [
        ("type", "kommo-oauth:callback"),
        ("error_description", "polluted"),
        ("url", "javascript:alert(1)"),
        ("value", "polluted"),
        ("get", "polluted"),
    ];
    for (key, value) in polluted {
        pollute(key, &s(value));
    }
    post_from(
        PROVIDER,
        &object(&[("client_id", s("cid")), ("error", s("access_denied"))]),
    );
    tick(10).await;
    for (key, _) in polluted {
        unpollute(key);
    }
    assert_eq!(calls.length(), 1, "the genuine decline arrives");
    let payload = calls.get(0);
    assert_eq!(
        json(&payload),
        r#"{"client_id":"cid","error":"access_denied"}"#,
        "only the documented own fields"
    );
    let keys = js_sys::Object::keys(payload.unchecked_ref::<js_sys::Object>());
    assert_eq!(strings(&keys), ["client_id", "error"]);
    forget_global("onKommoPolluted");
    restore_open();
    holder.remove();
}

/// A click event on `target`, bubbling and composed, as a pointer's would be.
fn click_on(target: &web_sys::Element) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap_throw();
    target.dispatch_event(&event).unwrap_throw();
}

#[wasm_bindgen_test]
fn a_page_listener_that_stops_the_click_does_not_keep_it_from_the_button() {
    let (holder, _) = fixture(&[], "div", "host");
    let handle = mount(&holder, options(&[("clientId", s("stopped"))])).unwrap_throw();
    // The page's own listeners, on the way down and on the button itself.
    let stop =
        Closure::<dyn Fn(web_sys::Event)>::new(|e: web_sys::Event| e.stop_immediate_propagation());
    let capture = web_sys::AddEventListenerOptions::new();
    capture.set_capture(true);
    holder
        .add_event_listener_with_callback_and_add_event_listener_options(
            "click",
            stop.as_ref().unchecked_ref(),
            &capture,
        )
        .unwrap_throw();
    let button = handle.element().unwrap_throw();
    button
        .add_event_listener_with_callback("click", stop.as_ref().unchecked_ref())
        .unwrap_throw();
    spy_open(false);
    button.click();
    assert_eq!(opened_count(), 1, "the click reached the button");
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
fn a_click_on_the_logo_or_the_title_is_a_click_on_the_button() {
    let (holder, _) = fixture(&[], "div", "host");
    let handle = mount(&holder, options(&[("clientId", s("parts"))])).unwrap_throw();
    let button = handle.element().unwrap_throw();
    spy_open(false);
    click_on(&button.query_selector("path").unwrap_throw().unwrap_throw());
    assert_eq!(opened_count(), 1);
    let popup = get(&opened(0), "popup");
    let focused = get(&popup, "focused").as_f64();
    // The title: the popup is open, so the click brings it to the front.
    click_on(
        &button
            .query_selector(".kbtn-text")
            .unwrap_throw()
            .unwrap_throw(),
    );
    assert_eq!(opened_count(), 1);
    assert_eq!(get(&popup, "focused").as_f64(), focused.map(|n| n + 1.0));
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
fn a_button_in_a_shadow_root_signs_in_and_a_lookalike_of_the_page_does_not() {
    let (holder, _) = fixture(&[], "div", "host");
    let root = holder
        .attach_shadow(&web_sys::ShadowRootInit::new(
            web_sys::ShadowRootMode::Closed,
        ))
        .unwrap_throw();
    let inner = document().create_element("div").unwrap_throw();
    root.append_child(&inner).unwrap_throw();
    let handle = mount(&inner, options(&[("clientId", s("shadow"))])).unwrap_throw();
    spy_open(false);
    click_on(&handle.element().unwrap_throw());
    assert_eq!(opened_count(), 1, "the shadow root's own listener heard it");

    // A copy of a button's markup is not a button of ours.
    let (fake_holder, _) = fixture(&[], "div", "host");
    fake_holder.set_inner_html(&handle.element().unwrap_throw().outer_html());
    spy_open(false);
    click_on(
        &fake_holder
            .query_selector("button")
            .unwrap_throw()
            .unwrap_throw(),
    );
    assert_eq!(opened_count(), 0);
    restore_open();
    holder.remove();
    fake_holder.remove();
}

#[wasm_bindgen_test]
fn a_destroyed_button_takes_no_click_and_the_next_one_on_the_page_does() {
    let (holder, _) = fixture(&[], "div", "host");
    let mut first = mount(&holder, options(&[("clientId", s("first"))])).unwrap_throw();
    let element = first.element().unwrap_throw();
    first.destroy();
    holder.append_child(&element).unwrap_throw();
    spy_open(false);
    click_on(&element);
    assert_eq!(opened_count(), 0, "a destroyed button is gone");
    element.remove();
    let second = mount(&holder, options(&[("clientId", s("second"))])).unwrap_throw();
    click_on(&second.element().unwrap_throw());
    assert_eq!(opened_count(), 1);
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
fn a_button_moved_into_an_open_shadow_root_after_mounting_still_signs_in() {
    let (holder, _) = fixture(&[], "div", "host");
    let handle = mount(&holder, options(&[("clientId", s("moved"))])).unwrap_throw();
    let (host, _) = fixture(&[], "div", "host");
    let root = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap_throw();
    let button = handle.element().unwrap_throw();
    root.append_child(&button).unwrap_throw();
    spy_open(false);
    click_on(&button);
    assert_eq!(opened_count(), 1);
    restore_open();
    holder.remove();
    host.remove();
}

#[wasm_bindgen_test]
fn a_button_mounted_out_of_the_page_and_put_in_it_later_hears_each_click_once() {
    // Another button already listening in the page.
    let (first_holder, _) = fixture(&[], "div", "host");
    let _first = mount(&first_holder, options(&[("clientId", s("first"))])).unwrap_throw();
    let detached = document().create_element("div").unwrap_throw();
    let handle = mount(&detached, options(&[("clientId", s("later"))])).unwrap_throw();
    let (holder, _) = fixture(&[], "div", "host");
    holder.append_child(&detached).unwrap_throw();
    let button = handle.element().unwrap_throw();
    let events = js_sys::Array::new();
    let recorder = {
        let events = events.clone();
        gloo_events::EventListener::new(&button, "kommo-oauth:error", move |e| {
            events.push(&get(e, "detail"));
        })
    };
    spy_open(true); // blocked: each click the button hears is one error
    click_on(&button);
    assert_eq!(events.length(), 1, "one click, one attempt");
    drop(recorder);
    restore_open();
    holder.remove();
    first_holder.remove();
}
