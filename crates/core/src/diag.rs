//! Console diagnostics. Each names the setting, the value and what is accepted, and says
//! what the button does instead, so one line tells the integrator how to fix their tag.

use super::strings::{append, concat};
use crate::prelude::*;

/// How loud a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The button still works, with a default in place of the value.
    Warn,
    /// The button cannot work as configured.
    Error,
}

/// One problem found while reading a tag or an options object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub level: Level,
    pub message: String,
}

/// The prefix every console line of ours starts with.
pub const PREFIX: &str = "[kommo-oauth] ";

impl Diagnostic {
    /// `data-theme="blue" is not accepted (accepted: light, dark); using "light".`
    pub fn invalid(setting: &str, value: &str, accepted: &str, fallback: &str) -> Self {
        let message = concat(&[
            PREFIX,
            setting,
            "=\"",
            value,
            "\" is not accepted (accepted: ",
            accepted,
            "); ",
            fallback,
            ".",
        ]);
        Diagnostic {
            level: Level::Warn,
            message,
        }
    }

    /// A problem that stops the button from rendering or from signing in.
    pub fn fatal(parts: &[&str]) -> Self {
        Diagnostic {
            level: Level::Error,
            message: append(String::from(PREFIX), parts),
        }
    }
}

/// Collects diagnostics while parsing.
#[derive(Default, Debug)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
}
