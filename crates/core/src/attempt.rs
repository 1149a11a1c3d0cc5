//! One sign-in attempt, for both products: every decision from the moment its window opens to
//! its one result (a message, a tick of the closed poll, the linger, the expiry, a newer
//! attempt taking the page) is made by [`Attempt::step`]. The web shell (`web::attempt`) owns
//! the window, the listeners and the timers, and carries each [`Step`] out.
//!
//! The Kommo button and the LeadExec dialog differ only by their [`Product`]: how a message
//! reads as a result, and what their window can still do once its handle reads `closed`.

use crate::prelude::*;

/// The error code the provider sends when the user declines (passed on as it came).
pub const ACCESS_DENIED: &str = "access_denied";

/// The longest string field read from a message, in UTF-16 units: longer ones are not copied
/// into the wasm at all and the message is ignored (a real code, state or Redirect URI is a
/// few hundred characters).
pub const MAX_FIELD_CHARS: u32 = 8192;

/// Read access to a message payload (a JS object in the browser, a map in tests).
pub trait Fields {
    /// The property as a string, when it is one.
    fn string(&self, key: &str) -> Option<String>;

    /// The property as a boolean, when it is one.
    fn boolean(&self, _key: &str) -> Option<bool> {
        None
    }
}

/// Why a sign-in failed, when this library detected it: its `code()` is what callbacks,
/// events and promises get as `error`, its `describe()` their `error_description`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// `window.open` returned null: a popup blocker stopped the window.
    PopupBlocked,
    /// The user closed the popup before finishing.
    PopupClosed,
    /// The browser offers no `crypto.getRandomValues`: no state can be made, so no sign-in
    /// is started (never a predictable state).
    CryptoUnavailable,
    /// The settings became unusable before the click (the console says why).
    InvalidConfig,
    /// npm only: the button was destroyed, or another button's sign-in took over the popup,
    /// while `signIn()` was pending.
    Cancelled,
}

impl Reason {
    /// The error code.
    pub const fn code(self) -> &'static str {
        match self {
            Reason::PopupBlocked => "popup_blocked",
            Reason::PopupClosed => "popup_closed",
            Reason::CryptoUnavailable => "crypto_unavailable",
            Reason::InvalidConfig => "invalid_config",
            Reason::Cancelled => "cancelled",
        }
    }

    /// The `error_description`.
    pub const fn describe(self) -> &'static str {
        match self {
            Reason::PopupBlocked => "the browser blocked the sign-in popup",
            Reason::PopupClosed => "the user closed the sign-in popup before finishing",
            Reason::CryptoUnavailable => {
                "no crypto.getRandomValues in this browser: sign-in not started"
            }
            Reason::InvalidConfig => "the button's settings are not usable; see the console",
            Reason::Cancelled => "the button was destroyed or another sign-in began",
        }
    }
}

/// Where a message reached the attempt from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source<'a> {
    /// The attempt's own window, by `postMessage`, from this origin (its source already
    /// checked by the shell; the origin is checked by [`Product::read`] before any data).
    Window(&'a str),
    /// The attempt's channel (same origin by construction, named after the attempt's id).
    Channel,
}

/// What one product makes of its attempt's window.
pub trait Product {
    /// What the attempt ends with, for the product's owner to report.
    type Result;
    /// The start of the window's name (`popup::window_name`: 128 random bits follow).
    const WINDOW_PREFIX: &'static str;
    /// Whether the window can still deliver its result once its handle reads `closed`: the
    /// Kommo Redirect URI helper relays over the attempt's channel (Cross-Origin-Opener-Policy
    /// cuts the handle while the visitor decides); the LeadExec dialog cannot. A relayed
    /// product's window also gets the attempt's record (`web::state`) and channel.
    const RELAYED: bool;
    /// The attempt's `state`, in its URL and every result.
    fn state(&self) -> &str;
    /// Reads a message: `None` when it is not this attempt's result (foreign, stale, forged),
    /// and the attempt keeps waiting.
    fn read(&self, from: Source<'_>, data: &impl Fields) -> Option<Self::Result>;
    /// The result when the visitor closed the window.
    fn closed(&self) -> Self::Result;
}

/// How long after opening a `closed` window is taken for a cut opener rather than the user:
/// under `Cross-Origin-Opener-Policy` the handle reads `closed` as soon as the popup
/// reaches the provider, while a person needs longer than this to close a window they
/// have just seen open.
pub const SEVERED_WITHIN_MS: f64 = 1500.0;

/// How often the window's `closed` flag is read.
pub const POLL_MS: u32 = 300;

/// How long a relayed attempt keeps listening once the handle reads `closed`: COOP cuts the
/// handle while the visitor is still deciding, so the result may come minutes later (or
/// never, if they closed it). At the end the attempt is over.
pub const LINGER_MS: u32 = 10 * 60 * 1000;

/// Something that happened to the attempt.
pub enum Event<'a, F> {
    /// A message from its window or its channel.
    Message(Source<'a>, &'a F),
    /// A tick of the closed poll: the handle's flag (unreadable counts as closed), and the
    /// milliseconds since the window opened.
    Tick { closed: bool, elapsed_ms: f64 },
    /// [`LINGER_MS`] passed since it began to linger.
    Expired,
    /// A newer attempt opened its window (and closed this one's): this one is over.
    Superseded,
}

/// What the shell does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step<R> {
    /// Nothing yet.
    Wait,
    /// Stop polling; keep listening for the relayed result for [`LINGER_MS`].
    Linger,
    /// Report `R` (the visitor closed the window) and linger: a relayed result may still come.
    ReportAndLinger(R),
    /// Over with `R`: close the window, release everything, report.
    Finish(R),
    /// Over without a result: release everything; whatever waits on it is told so.
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Polling,
    Lingering,
    Over,
}

/// One attempt's decisions. After [`Step::Finish`] or [`Step::End`] every event is
/// [`Step::Wait`]: an attempt ends exactly once.
pub struct Attempt<P> {
    pub product: P,
    phase: Phase,
    /// Whether the previous tick saw the window closed.
    closed_before: bool,
}

impl<P: Product> Attempt<P> {
    pub fn new(product: P) -> Attempt<P> {
        Attempt {
            product,
            phase: Phase::Polling,
            closed_before: false,
        }
    }

    /// Whether the attempt ended.
    pub fn is_over(&self) -> bool {
        self.phase == Phase::Over
    }

    /// Whether the window's `closed` flag is still read.
    pub fn is_polling(&self) -> bool {
        self.phase == Phase::Polling
    }

    pub fn step<F: Fields>(&mut self, event: Event<'_, F>) -> Step<P::Result> {
        if self.is_over() {
            return Step::Wait;
        }
        match event {
            Event::Message(from, data) => match self.product.read(from, data) {
                Some(result) => self.end_with(Step::Finish(result)),
                None => Step::Wait,
            },
            Event::Tick { closed, elapsed_ms } if self.is_polling() => {
                self.tick(closed, elapsed_ms)
            }
            Event::Tick { .. } => Step::Wait,
            Event::Expired | Event::Superseded => self.end_with(Step::End),
        }
    }

    fn end_with(&mut self, step: Step<P::Result>) -> Step<P::Result> {
        self.phase = Phase::Over;
        step
    }

    /// A closed window first seen may have posted its answer and closed itself, and that
    /// answer may still be queued behind this tick: the next tick decides. One closed
    /// within [`SEVERED_WITHIN_MS`] was cut by COOP, not closed by a person.
    fn tick(&mut self, closed: bool, elapsed_ms: f64) -> Step<P::Result> {
        let closed_before = core::mem::replace(&mut self.closed_before, closed);
        if !closed {
            return Step::Wait;
        }
        let severed = elapsed_ms < SEVERED_WITHIN_MS;
        match (severed, closed_before, P::RELAYED) {
            (true, _, true) => {
                self.phase = Phase::Lingering;
                Step::Linger
            }
            // Cut, with no way back: decided as a close once the grace has passed.
            (true, _, false) | (false, false, _) => Step::Wait,
            (false, true, true) => {
                self.phase = Phase::Lingering;
                Step::ReportAndLinger(self.product.closed())
            }
            (false, true, false) => self.end_with(Step::Finish(self.product.closed())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A product whose results are the message's `result` field.
    struct Echo<const RELAYED: bool>;
    impl<const R: bool> Product for Echo<R> {
        type Result = String;
        const WINDOW_PREFIX: &'static str = "echo-";
        const RELAYED: bool = R;
        fn state(&self) -> &str {
            "s"
        }
        fn read(&self, from: Source<'_>, data: &impl Fields) -> Option<String> {
            let tag = match from {
                Source::Window(origin) => origin,
                Source::Channel => "channel",
            };
            data.string("result").map(|r| [tag, ":", &r].concat())
        }
        fn closed(&self) -> String {
            "closed".into()
        }
    }

    struct Data(Option<&'static str>);
    impl Fields for Data {
        fn string(&self, key: &str) -> Option<String> {
            (key == "result").then_some(self.0?.into())
        }
    }

    fn tick<const R: bool>(a: &mut Attempt<Echo<R>>, closed: bool, at: f64) -> Step<String> {
        a.step::<Data>(Event::Tick {
            closed,
            elapsed_ms: at,
        })
    }

    #[test]
    fn a_message_that_reads_as_a_result_ends_the_attempt_once() {
        let mut a = Attempt::new(Echo::<true>);
        assert_eq!(
            a.step(Event::Message(Source::Window("https://p"), &Data(None))),
            Step::Wait,
            "not a result: keep waiting"
        );
        assert!(!a.is_over());
        assert_eq!(
            a.step(Event::Message(
                Source::Window("https://p"),
                &Data(Some("ok"))
            )),
            Step::Finish("https://p:ok".into())
        );
        assert!(a.is_over());
        assert_eq!(
            a.step(Event::Message(Source::Channel, &Data(Some("again")))),
            Step::Wait,
            "exactly one result"
        );
        assert_eq!(a.step::<Data>(Event::Expired), Step::Wait);
        assert_eq!(tick(&mut a, true, 9_000.0), Step::Wait);
    }

    #[test]
    fn a_window_closed_by_the_visitor_is_reported_on_the_second_closed_tick() {
        for relayed in [true, false] {
            let (first, second) = if relayed {
                let mut a = Attempt::new(Echo::<true>);
                assert_eq!(tick(&mut a, false, 300.0), Step::Wait);
                (tick(&mut a, true, 5_000.0), tick(&mut a, true, 5_300.0))
            } else {
                let mut a = Attempt::new(Echo::<false>);
                assert_eq!(tick(&mut a, false, 300.0), Step::Wait);
                (tick(&mut a, true, 5_000.0), tick(&mut a, true, 5_300.0))
            };
            assert_eq!(first, Step::Wait, "an answer may still be queued");
            let expected = if relayed {
                Step::ReportAndLinger("closed".into())
            } else {
                Step::Finish("closed".into())
            };
            assert_eq!(second, expected);
        }
    }

    #[test]
    fn a_window_seen_open_again_resets_the_closed_tick() {
        let mut a = Attempt::new(Echo::<false>);
        assert_eq!(tick(&mut a, true, 5_000.0), Step::Wait);
        assert_eq!(tick(&mut a, false, 5_300.0), Step::Wait);
        assert_eq!(tick(&mut a, true, 5_600.0), Step::Wait);
        assert!(!a.is_over());
    }

    #[test]
    fn a_relayed_attempt_lingers_then_a_relayed_result_still_finishes_it() {
        let mut a = Attempt::new(Echo::<true>);
        assert_eq!(tick(&mut a, true, 200.0), Step::Linger, "cut by COOP");
        assert!(!a.is_polling() && !a.is_over());
        assert_eq!(
            tick(&mut a, true, 5_000.0),
            Step::Wait,
            "no more ticks count"
        );
        assert_eq!(
            a.step(Event::Message(Source::Channel, &Data(Some("code")))),
            Step::Finish("channel:code".into())
        );
    }

    #[test]
    fn a_cut_handle_without_a_channel_waits_for_the_grace_then_reports_the_close() {
        let mut a = Attempt::new(Echo::<false>);
        assert_eq!(tick(&mut a, true, 200.0), Step::Wait);
        assert!(a.is_polling());
        assert_eq!(
            tick(&mut a, true, 1_600.0),
            Step::Finish("closed".into()),
            "the second closed tick past the grace"
        );
    }

    #[test]
    fn the_grace_is_exactly_severed_within_ms() {
        let mut a = Attempt::new(Echo::<true>);
        assert_eq!(tick(&mut a, true, SEVERED_WITHIN_MS - 1.0), Step::Linger);
        let mut b = Attempt::new(Echo::<true>);
        assert_eq!(tick(&mut b, true, SEVERED_WITHIN_MS), Step::Wait);
        assert_eq!(
            tick(&mut b, true, SEVERED_WITHIN_MS + 300.0),
            Step::ReportAndLinger("closed".into())
        );
    }

    #[test]
    fn after_the_close_is_reported_a_relayed_result_still_arrives_then_expiry_ends() {
        let mut a = Attempt::new(Echo::<true>);
        tick(&mut a, true, 5_000.0);
        assert_eq!(
            tick(&mut a, true, 5_300.0),
            Step::ReportAndLinger("closed".into())
        );
        assert_eq!(tick(&mut a, true, 5_600.0), Step::Wait, "reported once");
        let mut b = Attempt::new(Echo::<true>);
        tick(&mut b, true, 5_000.0);
        tick(&mut b, true, 5_300.0);
        assert_eq!(b.step::<Data>(Event::Expired), Step::End);
        assert!(b.is_over());
        assert_eq!(
            b.step(Event::Message(Source::Channel, &Data(Some("late")))),
            Step::Wait
        );
    }

    #[test]
    fn a_newer_attempt_ends_this_one_without_a_result() {
        let mut a = Attempt::new(Echo::<true>);
        assert_eq!(a.step::<Data>(Event::Superseded), Step::End);
        assert_eq!(
            a.step(Event::Message(
                Source::Window("https://p"),
                &Data(Some("ok"))
            )),
            Step::Wait
        );
    }

    #[test]
    fn reasons_have_their_codes_and_distinct_descriptions() {
        let all = [
            (Reason::PopupBlocked, "popup_blocked"),
            (Reason::PopupClosed, "popup_closed"),
            (Reason::CryptoUnavailable, "crypto_unavailable"),
            (Reason::InvalidConfig, "invalid_config"),
            (Reason::Cancelled, "cancelled"),
        ];
        let mut seen = Vec::new();
        for (reason, code) in all {
            assert_eq!(reason.code(), code);
            let text = reason.describe();
            assert!(text.len() > 20 && !seen.contains(&text), "{text}");
            seen.push(text);
        }
        assert!(Reason::PopupClosed.describe().contains("closed"));
    }

    #[test]
    fn fields_without_booleans_read_none_and_the_linger_is_ten_minutes() {
        assert_eq!(Data(Some("true")).boolean("result"), None);
        assert_eq!(LINGER_MS, 600_000, "docs/security.md says 10 minutes");
        assert_eq!(POLL_MS, 300);
    }
}
