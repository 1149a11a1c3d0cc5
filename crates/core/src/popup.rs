//! Popup geometry: 750×580, centred over the current browser window.

use crate::prelude::*;

/// The start of the consent popup's window name; each attempt adds 128 random bits
/// ([`window_name`]). The original's fixed "Grant access for integration" let any frame on
/// the page hold a window of that name (the consent page then loaded inside it) or look the
/// popup up with `window.open('', name)`; an unguessable name does neither.
pub const WINDOW_NAME_PREFIX: &str = "kommo-oauth-";

/// A window name for one attempt: `prefix` followed by `random` (32 hex digits).
pub fn window_name(prefix: &str, random: &str) -> String {
    super::strings::concat(&[prefix, random])
}

/// Whether `name` is a window name [`window_name`] made with `prefix` (the Redirect URI
/// helper recognises its popup by it).
pub fn is_window_name(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}
pub const WIDTH: i32 = 750;
pub const HEIGHT: i32 = 580;

/// The browser window's position and size, in screen pixels (`screenX`, `outerWidth`, …).
/// On multi-monitor set-ups `x` and `y` may be negative or beyond the primary screen: the
/// popup follows the window, so nothing is clamped to the primary screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WindowRect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// The popup's top-left corner, centred over `rect`.
pub fn centred(rect: WindowRect) -> (i32, i32) {
    let left = rect.x + (rect.width - f64::from(WIDTH)) / 2.0;
    let top = rect.y + (rect.height - f64::from(HEIGHT)) / 2.0;
    (round(left), round(top))
}

/// Rounds half away from zero, as `f64::round` does (which needs `std`); `as` saturates.
fn round(v: f64) -> i32 {
    if v < 0.0 {
        (v - 0.5) as i32
    } else {
        (v + 0.5) as i32
    }
}

/// The `window.open` features string.
pub fn features(rect: WindowRect) -> String {
    let (left, top) = centred(rect);
    let int = |n: i32| super::strings::int(i64::from(n));
    super::strings::concat(&[
        "popup=yes,scrollbars=yes,status=yes,resizable=yes,width=",
        &int(WIDTH),
        ",height=",
        &int(HEIGHT),
        ",left=",
        &int(left),
        ",top=",
        &int(top),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_names_are_the_prefix_and_32_hex_digits() {
        let name = window_name(WINDOW_NAME_PREFIX, "0123456789abcdef0123456789abcdef");
        assert!(is_window_name(&name, WINDOW_NAME_PREFIX));
        assert!(!is_window_name(&name, "leadexec-signin-"));
        for other in [
            "Grant access for integration",
            "kommo-oauth-",
            "kommo-oauth-0123",
            "kommo-oauth-0123456789abcdef0123456789abcdeg",
            "xkommo-oauth-0123456789abcdef0123456789abcdef",
        ] {
            assert!(!is_window_name(other, WINDOW_NAME_PREFIX), "{other}");
        }
    }

    #[test]
    fn centres_over_the_window() {
        let rect = WindowRect {
            x: 100.0,
            y: 50.0,
            width: 1350.0,
            height: 980.0,
        };
        assert_eq!(centred(rect), (400, 250));
    }

    #[test]
    fn follows_a_window_on_a_monitor_left_of_the_primary() {
        let rect = WindowRect {
            x: -1920.0,
            y: 0.0,
            width: 1920.0,
            height: 1080.0,
        };
        assert_eq!(centred(rect), (-1335, 250));
    }

    #[test]
    fn features_string_is_resizable_and_sized() {
        let f = features(WindowRect {
            x: 0.0,
            y: 0.0,
            width: 750.0,
            height: 580.0,
        });
        assert_eq!(
            f,
            "popup=yes,scrollbars=yes,status=yes,resizable=yes,width=750,height=580,left=0,top=0"
        );
    }
}
