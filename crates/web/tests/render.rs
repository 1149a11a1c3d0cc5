//! Browser tests for rendering and auto-mount (headless Chromium via wasm-pack test).
#![cfg(target_arch = "wasm32")]

mod support;

use kommo_oauth_web::kommo::api::mount;
use kommo_oauth_web::kommo::automount::mounted_count;
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    object(pairs).into()
}

fn computed(el: &web_sys::Element, prop: &str) -> String {
    let win = web_sys::window().unwrap_throw();
    win.get_computed_style(el)
        .unwrap_throw()
        .unwrap_throw()
        .get_property_value(prop)
        .unwrap_throw()
}

#[wasm_bindgen_test]
fn renders_a_real_button_with_the_default_title_and_class() {
    let (holder, _) = fixture(&[], "div", "host");
    let handle = mount(&holder, options(&[("clientId", s("abc"))])).unwrap_throw();
    let button = handle.element().unwrap_throw();
    assert_eq!(button.tag_name(), "BUTTON");
    assert_eq!(button.type_(), "button");
    assert!(button.class_list().contains("kommo-oauth"));
    assert_eq!(
        button.text_content().unwrap_throw().trim(),
        "Continue with Kommo"
    );
    assert_eq!(
        button.get_attribute("data-client_id").as_deref(),
        Some("abc")
    );
    assert_eq!(computed(&button, "height"), "45px");
    holder.remove();
}

#[wasm_bindgen_test]
fn each_attribute_changes_what_is_rendered() {
    let (holder, _) = fixture(&[], "div", "host");
    let handle = mount(
        &holder,
        options(&[
            ("clientId", s("abc")),
            ("title", s("Sign in")),
            ("className", s("mine other")),
            ("theme", s("dark")),
            ("locale", s("es")),
        ]),
    )
    .unwrap_throw();
    let button = handle.element().unwrap_throw();
    assert_eq!(button.text_content().unwrap_throw(), "Sign in");
    assert!(button.class_list().contains("mine") && button.class_list().contains("other"));
    assert!(
        !button.class_list().contains("kommo-oauth"),
        "a custom class replaces the default one"
    );
    assert_eq!(computed(&button, "background-color"), "rgb(255, 255, 255)");
    let spanish = mount(
        &holder,
        options(&[("clientId", s("abc")), ("locale", s("es"))]),
    )
    .unwrap_throw();
    assert_eq!(
        spanish
            .element()
            .unwrap_throw()
            .text_content()
            .unwrap_throw(),
        "Continuar con Kommo"
    );
    let light = mount(&holder, options(&[("clientId", s("abc"))])).unwrap_throw();
    assert_eq!(
        computed(&light.element().unwrap_throw(), "background-color"),
        "rgb(14, 1, 66)"
    );
    holder.remove();
}

#[wasm_bindgen_test]
fn compact_shows_only_the_logo_and_keeps_an_accessible_name() {
    let (holder, _) = fixture(&[], "div", "host");
    let handle = mount(
        &holder,
        options(&[("clientId", s("abc")), ("compact", JsValue::TRUE)]),
    )
    .unwrap_throw();
    let button = handle.element().unwrap_throw();
    assert_eq!(
        button.get_attribute("aria-label").as_deref(),
        Some("Continue with Kommo")
    );
    assert_eq!(button.query_selector(".kbtn-text").unwrap_throw(), None);
    assert!(button.query_selector("svg").unwrap_throw().is_some());
    assert_eq!(computed(&button, "width"), "45px");
    holder.remove();
}

#[wasm_bindgen_test]
fn amocrm_colours_use_the_palette_and_unknown_colours_fall_back_with_a_warning() {
    let (holder, _) = fixture(&[], "div", "host");
    let expected = [
        ("default", "rgb(51, 157, 199)"),
        ("blue", "rgb(25, 118, 210)"),
        ("violet", "rgb(106, 27, 154)"),
        ("green", "rgb(52, 131, 58)"), // #34833A: a shade darker than the original, for AA contrast
        ("orange", "rgb(245, 127, 23)"),
        ("red", "rgb(204, 65, 21)"), // #CC4115: likewise
    ];
    for (color, rgb) in expected {
        let h = mount(
            &holder,
            options(&[
                ("provider", s("amocrm")),
                ("clientId", s("a")),
                ("color", s(color)),
            ]),
        )
        .unwrap_throw();
        let button = h.element().unwrap_throw();
        assert_eq!(computed(&button, "background-color"), rgb, "{color}");
        assert!(button.class_list().contains("amocrm-oauth"));
        assert_eq!(
            button.text_content().unwrap_throw(),
            "Авторизоваться через amoCRM"
        );
        std::mem::forget(h);
    }
    capture_console();
    let h = mount(
        &holder,
        options(&[
            ("provider", s("amocrm")),
            ("clientId", s("a")),
            ("color", s("white")),
        ]),
    )
    .unwrap_throw();
    let log = strings(&release_console());
    assert_eq!(
        computed(&h.element().unwrap_throw(), "background-color"),
        "rgb(51, 157, 199)"
    );
    assert_eq!(log.len(), 1);
    assert!(
        log[0].starts_with("warn: ")
            && log[0].contains("color=\"white\"")
            && log[0].contains("default, blue")
    );
    holder.remove();
}

#[wasm_bindgen_test]
fn invalid_values_warn_once_each_and_fall_back() {
    let (holder, _) = fixture(&[], "div", "host");
    capture_console();
    let h = mount(
        &holder,
        options(&[
            ("clientId", s("a")),
            ("theme", s("neon")),
            ("mode", s("tab")),
            ("compact", s("perhaps")),
        ]),
    )
    .unwrap_throw();
    let log = strings(&release_console());
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(log
        .iter()
        .any(|l| l.contains("theme=\"neon\"") && l.contains("light, dark")));
    assert!(log
        .iter()
        .any(|l| l.contains("mode=\"tab\"") && l.contains("popup, post_message")));
    let button = h.element().unwrap_throw();
    assert!(button.class_list().contains("kbtn-light"));
    assert!(button.query_selector(".kbtn-text").unwrap_throw().is_some());
    holder.remove();
}

#[wasm_bindgen_test]
fn unusable_options_throw_a_clear_error_and_render_nothing() {
    let (holder, _) = fixture(&[], "div", "host");
    capture_console();
    let err = mount(&holder, options(&[("title", s("x"))]))
        .err()
        .expect_throw("must fail");
    release_console();
    let message = get_str(&JsValue::from(err), "message").unwrap_throw();
    assert!(message.contains("missing clientId"), "{message}");
    assert!(buttons_in(&holder).is_empty());
    holder.remove();
}

#[wasm_bindgen_test]
fn html_and_script_payloads_stay_inert_text() {
    let (holder, _) = fixture(&[], "div", "host");
    let payload = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";
    let h = mount(
        &holder,
        options(&[
            ("clientId", s(payload)),
            ("title", s(payload)),
            ("className", s("a\"><img src=x onerror=window.__xss=3>")),
            ("state", s(payload)),
        ]),
    )
    .unwrap_throw();
    let button = h.element().unwrap_throw();
    assert_eq!(button.text_content().unwrap_throw(), payload);
    assert_eq!(button.query_selector("img").unwrap_throw(), None);
    assert_eq!(button.query_selector("script").unwrap_throw(), None);
    assert_eq!(
        button.get_attribute("data-client_id").as_deref(),
        Some(payload)
    );
    assert!(button.class_list().contains("a\"><img"));
    assert!(get(&js_sys::global(), "__xss").is_undefined());
    holder.remove();
}

#[wasm_bindgen_test]
fn destroy_removes_the_button_and_its_click_listener() {
    let (holder, _) = fixture(&[], "div", "host");
    let mut handle = mount(&holder, options(&[("clientId", s("a"))])).unwrap_throw();
    let button = handle.element().unwrap_throw();
    handle.destroy();
    handle.destroy();
    assert!(!button.is_connected());
    assert!(handle.element().is_none());
    spy_open(false);
    button.click();
    assert_eq!(
        opened_count(),
        0,
        "a destroyed button must not open the popup"
    );
    restore_open();
    holder.remove();
}

#[wasm_bindgen_test]
fn styles_are_installed_once_as_a_constructable_stylesheet() {
    let (holder, _) = fixture(&[], "div", "host");
    let _a = mount(&holder, options(&[("clientId", s("a"))])).unwrap_throw();
    let _b = mount(&holder, options(&[("clientId", s("b"))])).unwrap_throw();
    let sheets = get(&document(), "adoptedStyleSheets");
    let ours = js_sys::Array::from(&sheets)
        .iter()
        .filter(|sheet| {
            let rules = get(sheet, "cssRules");
            let first = get(&get(&rules, "0"), "cssText")
                .as_string()
                .unwrap_or_default();
            first.contains("kbtn")
        })
        .count();
    assert_eq!(ours, 1);
    assert_eq!(
        document().query_selector("style").unwrap_throw(),
        None,
        "no inline <style> needed"
    );
    holder.remove();
}

#[wasm_bindgen_test]
fn host_button_rules_do_not_break_the_button() {
    let doc = document();
    let style = doc.create_element("style").unwrap_throw();
    style.set_text_content(Some(
        "button{background:red;height:10px;text-transform:none;padding:30px;font-size:40px}",
    ));
    doc.body()
        .unwrap_throw()
        .append_child(&style)
        .unwrap_throw();
    let (holder, _) = fixture(&[], "div", "host");
    let h = mount(&holder, options(&[("clientId", s("a"))])).unwrap_throw();
    let button = h.element().unwrap_throw();
    assert_eq!(computed(&button, "height"), "45px");
    assert_eq!(computed(&button, "text-transform"), "uppercase");
    assert_eq!(computed(&button, "font-size"), "13px");
    style.remove();
    holder.remove();
}

#[wasm_bindgen_test]
async fn auto_mount_renders_each_tag_before_it_including_later_ones() {
    let (holder, first) = fixture(&[("data-client-id", "one")], "div", "kommo_oauth");
    let (_, dup) = fixture(&[("data-client-id", "one")], "div", "kommo_oauth");
    let (skip_holder, _) = fixture(&[], "div", "kommo_oauth");
    auto_mount();
    auto_mount();
    let before = first.previous_element_sibling().unwrap_throw();
    assert_eq!(before.tag_name(), "BUTTON");
    assert_eq!(
        dup.previous_element_sibling().unwrap_throw().tag_name(),
        "BUTTON"
    );
    assert!(
        buttons_in(&skip_holder).is_empty(),
        "a class-only element is skipped quietly"
    );
    let count = mounted_count();

    // Inserted later through innerHTML, with no script executing.
    let late = document().create_element("section").unwrap_throw();
    late.set_inner_html(
        "<p><span class=\"amocrm_oauth\" data-client-id=\"late\" data-color=\"green\"></span></p>",
    );
    holder.append_child(&late).unwrap_throw();
    tick(20).await;
    let late_button = late
        .query_selector("button")
        .unwrap_throw()
        .expect_throw("late tag mounted");
    assert!(late_button.class_list().contains("kbtn-c-green"));

    // Settings arriving after the element: mounted once they are set.
    let (_, pending) = fixture(&[], "div", "kommo_oauth");
    tick(20).await;
    pending
        .set_attribute("data-client-id", "later")
        .unwrap_throw();
    tick(20).await;
    assert_eq!(
        pending
            .previous_element_sibling()
            .map(|e| e.tag_name())
            .as_deref(),
        Some("BUTTON")
    );
    assert_eq!(mounted_count(), count + 2);
    holder.remove();
    skip_holder.remove();
    pending.parent_element().unwrap_throw().remove();
}

#[wasm_bindgen_test]
async fn a_removed_tag_takes_its_button_along_and_a_re_added_one_gets_a_new_button() {
    let (holder, tag) = fixture(&[("data-client-id", "re")], "div", "kommo_oauth");
    auto_mount();
    assert_eq!(buttons_in(&holder).len(), 1);
    tag.remove();
    tick(20).await;
    assert_eq!(buttons_in(&holder).len(), 0);
    holder.append_child(&tag).unwrap_throw();
    tick(20).await;
    assert_eq!(buttons_in(&holder).len(), 1);
    holder.remove();
}

#[wasm_bindgen_test]
async fn a_broken_tag_does_not_stop_the_others() {
    let (holder, _) = fixture(&[("data-name", "only a name")], "div", "amocrm_oauth");
    let (other, _) = fixture(&[("data-client-id", "fine")], "div", "amocrm_oauth");
    capture_console();
    auto_mount();
    let log = strings(&release_console());
    assert!(buttons_in(&holder).is_empty());
    assert_eq!(buttons_in(&other).len(), 1);
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].starts_with("error: ") && log[0].contains("data-description"));
    holder.remove();
    other.remove();
}

#[wasm_bindgen_test]
fn size_and_width_options_work_from_mount_too() {
    let (holder, _) = fixture(&[], "div", "host");
    holder
        .unchecked_ref::<web_sys::HtmlElement>()
        .style()
        .set_property("width", "400px")
        .unwrap_throw();
    let small = mount(
        &holder,
        options(&[
            ("clientId", s("a")),
            ("size", s("small")),
            ("width", JsValue::from_f64(240.0)),
        ]),
    )
    .unwrap_throw();
    let button = small.element().unwrap_throw();
    assert!(button.class_list().contains("kbtn-s-small"));
    assert_eq!(computed(&button, "height"), "32px");
    assert_eq!(computed(&button, "width"), "240px");
    let full = mount(
        &holder,
        options(&[("clientId", s("b")), ("width", s("100%"))]),
    )
    .unwrap_throw();
    assert_eq!(computed(&full.element().unwrap_throw(), "width"), "400px");
    holder.remove();
}

#[wasm_bindgen_test]
fn a_data_attribute_with_capitals_does_not_stop_the_page_s_tags_from_mounting() {
    // Markup parsed as XML keeps the case of its attribute names; `getAttribute` on an HTML
    // element looks names up in lower case, so such an attribute cannot be read.
    let xml = web_sys::DomParser::new()
        .unwrap_throw()
        .parse_from_string(
            "<div xmlns=\"http://www.w3.org/1999/xhtml\"><div class=\"kommo_oauth\" data-client-id=\"xml\" data-Title=\"t\"/></div>",
            web_sys::SupportedType::ApplicationXhtmlXml,
        )
        .unwrap_throw();
    let imported = document()
        .import_node_with_deep(&xml.document_element().unwrap_throw(), true)
        .unwrap_throw();
    let (holder, _) = fixture(&[("data-client-id", "html")], "div", "kommo_oauth");
    holder.append_child(&imported).unwrap_throw();
    capture_console();
    auto_mount();
    release_console();
    let buttons = buttons_in(&holder);
    assert_eq!(buttons.len(), 2, "both tags mounted");
    holder.remove();
}
