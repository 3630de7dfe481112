//! Signs of life on long work: a progress bar on stderr while a cold scan
//! decompresses thousands of modules (issue 13).
//!
//! Shown only to a person watching: stderr is a terminal, the output is
//! not JSON, `--quiet` was not given, and no CI system is running us
//! (`CI` set, as GitHub Actions, GitLab CI and most others do). The binary
//! decides this once ([`should_show`]) and switches bars on with
//! [`enable`]; the library is silent by default, so that tests and other
//! callers never see a bar. A bar never reaches stdout, and it is cleared
//! before the results are printed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Whether progress is shown: only to a person at a terminal.
pub fn should_show(quiet: bool, json: bool, stderr_is_terminal: bool, ci: bool) -> bool {
    !quiet && !json && stderr_is_terminal && !ci
}

/// Whether a CI system runs us: `CI` set to anything but empty, `0` or
/// `false`.
pub fn in_ci(ci: Option<&std::ffi::OsStr>) -> bool {
    ci.is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Turns progress bars on (or off) for the rest of the process.
pub fn enable(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether bars are on.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// A progress bar over `len` items, drawn on stderr when bars are on;
/// otherwise it does nothing. Cheap to advance from several threads.
pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    /// A bar for `len` items of work described by `what` ("modules").
    pub fn new(len: usize, what: &'static str) -> Bar {
        if !enabled() || len == 0 {
            return Bar(None);
        }
        let style = indicatif::ProgressStyle::with_template(
            "{spinner} {msg} {wide_bar} {pos}/{len} ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(len as u64),
            indicatif::ProgressDrawTarget::stderr(),
        )
        .with_style(style)
        .with_message(format!("reading {what}"));
        bar.enable_steady_tick(Duration::from_millis(200));
        Bar(Some(bar))
    }

    /// One more item done.
    pub fn inc(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        // Gone before anything else is printed.
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_only_to_a_person_at_a_terminal() {
        assert!(should_show(false, false, true, false));
        for (quiet, json, tty, ci) in [
            (true, false, true, false),
            (false, true, true, false),
            (false, false, false, false),
            (false, false, true, true),
            (true, true, false, true),
        ] {
            assert!(
                !should_show(quiet, json, tty, ci),
                "{quiet} {json} {tty} {ci}"
            );
        }
    }

    #[test]
    fn ci_is_told_by_the_ci_variable() {
        use std::ffi::OsStr;
        assert!(in_ci(Some(OsStr::new("true"))));
        assert!(in_ci(Some(OsStr::new("1"))));
        assert!(!in_ci(Some(OsStr::new(""))));
        assert!(!in_ci(Some(OsStr::new("0"))));
        assert!(!in_ci(Some(OsStr::new("false"))));
        assert!(!in_ci(None));
    }

    #[test]
    fn a_bar_is_inert_unless_enabled() {
        // The library default: nothing drawn (tests never enable bars).
        assert!(!enabled());
        let b = Bar::new(10, "modules");
        assert!(b.0.is_none());
        b.inc();
    }
}
