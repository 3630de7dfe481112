//! Bounds on rendering: output size, `range`, and for template overrides
//! time and memory.
//!
//! Tera 2 has no instruction or time limit; its `range` stops at 100,000
//! elements per call, which nested loops multiply (`range(1e5)` inside
//! `range(1e5)` ran forever), and a doubling `set_global` reached 7.7 GB
//! (issue 10, item 8). What can be bounded from outside, is:
//!
//! - the output: every page is rendered into a writer that fails past
//!   [`MAX_PAGE`] bytes, and a site past [`MAX_SITE`] (the largest page of
//!   a 7.2 tree is 233 KB, the whole site 0.6 MB);
//! - `range`: replaced by one that counts the elements of all its calls in
//!   one page, at most [`MAX_RANGE`];
//! - time and memory, for override templates only (the built-in ones are
//!   tested and bounded by the context): the page renders on a worker
//!   thread while the caller watches a deadline ([`TIMEOUT_VAR`], default
//!   [`TIMEOUT`]) and the process's resident memory (at most
//!   [`MAX_MEMORY`] more than when the page started). Past either, the
//!   render fails with the template's name. Threads cannot be stopped from
//!   outside, so the worker is abandoned: the command exits with 2 at
//!   once, which ends it. A library caller that goes on running keeps a
//!   busy thread until the process ends.

use std::cell::Cell;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tera::{Kwargs, State, Tera};

/// The most bytes one page may have.
pub const MAX_PAGE: u64 = 16 << 20;

/// The most bytes all the pages of a site may have together.
pub const MAX_SITE: u64 = 64 << 20;

/// The most elements `range` returns over all its calls in one page.
pub const MAX_RANGE: u64 = 1_000_000;

/// How long one page of override templates may take, by default.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The environment variable that changes [`TIMEOUT`] (whole seconds).
pub const TIMEOUT_VAR: &str = "KFUNCDOC_RENDER_TIMEOUT";

/// How much the process may grow while one page of override templates
/// renders.
pub const MAX_MEMORY: u64 = 512 << 20;

thread_local! {
    /// `range` elements left for the page rendering on this thread.
    static RANGE_LEFT: Cell<u64> = const { Cell::new(MAX_RANGE) };
}

/// Why a render stopped.
#[derive(Debug)]
pub enum Stop {
    /// Tera's error (a template error, or `range` past its budget).
    Tera(tera::Error),
    /// The page grew past `cap` bytes.
    Output(u64),
    /// The deadline passed.
    Time(Duration),
    /// The process grew past [`MAX_MEMORY`].
    Memory,
}

impl Stop {
    /// The message for a [`Stop`] other than [`Stop::Tera`].
    pub fn message(&self) -> String {
        match self {
            Stop::Tera(e) => e.to_string(),
            Stop::Output(cap) if *cap < MAX_PAGE => format!(
                "renders more than the {} MiB left of the {} MiB kfuncdoc writes for a site \
                 (a loop without end?)",
                cap >> 20,
                MAX_SITE >> 20
            ),
            Stop::Output(cap) => format!(
                "renders more than {} MiB, the most kfuncdoc writes for a page (a loop without \
                 end?)",
                cap >> 20
            ),
            Stop::Time(t) => format!(
                "did not finish rendering in {} s (a loop without end? {TIMEOUT_VAR} sets the limit)",
                t.as_secs()
            ),
            Stop::Memory => format!(
                "took more than {} MiB of memory to render (a value that keeps growing?)",
                MAX_MEMORY >> 20
            ),
        }
    }
}

/// A writer that takes at most `cap` bytes.
struct Capped {
    buf: Vec<u8>,
    cap: u64,
    over: bool,
}

impl Write for Capped {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        if self.buf.len() as u64 + b.len() as u64 > self.cap {
            self.over = true;
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                "page too large",
            ));
        }
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `range(end, start=0, step_by=1)` as tera's, counting its elements
/// against the page's budget.
pub fn range(kwargs: Kwargs, _: &State) -> tera::TeraResult<Vec<i64>> {
    let start = kwargs.get::<i64>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i64>("end")?;
    let step = kwargs.get::<i64>("step_by")?.unwrap_or(1);
    if step == 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `step_by` argument of 0",
        ));
    }
    if start > end && step > 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    let span = (i128::from(end) - i128::from(start)).abs();
    let len = if (end >= start) == (step > 0) {
        let s = i128::from(step).abs();
        ((span + s - 1) / s) as u64
    } else {
        0
    };
    let left = RANGE_LEFT.with(Cell::get);
    if len > left {
        return Err(tera::Error::message(format!(
            "`range` would produce more than {MAX_RANGE} elements in one page, the most \
             kfuncdoc allows (nested loops?)"
        )));
    }
    RANGE_LEFT.with(|c| c.set(left - len));
    Ok((0..len as i64).map(|i| start + i * step).collect())
}

/// Renders `name` on this thread, output capped at `cap` bytes.
pub fn render(tera: &Tera, name: &str, ctx: &tera::Context, cap: u64) -> Result<String, Stop> {
    RANGE_LEFT.with(|c| c.set(MAX_RANGE));
    let mut out = Capped {
        buf: Vec::new(),
        cap,
        over: false,
    };
    match tera.render_to(name, ctx, &mut out) {
        Ok(()) => {}
        Err(_) if out.over => return Err(Stop::Output(cap)),
        Err(e) => return Err(Stop::Tera(e)),
    }
    // Tera writes only strings; the check keeps the type honest.
    String::from_utf8(out.buf).map_err(|e| Stop::Tera(tera::Error::message(e.to_string())))
}

/// The deadline for one page of overrides: [`TIMEOUT_VAR`] or [`TIMEOUT`].
fn timeout() -> Duration {
    std::env::var(TIMEOUT_VAR)
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map_or(TIMEOUT, Duration::from_secs)
}

/// The process's resident memory in bytes (`VmRSS`), when `/proc` says.
fn resident() -> Option<u64> {
    let status = crate::read::read_text(std::path::Path::new("/proc/self/status"), 1 << 16).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb << 10)
}

/// Renders `name` on a worker thread, watched: output capped at `cap`,
/// stopped (abandoned) past the deadline or [`MAX_MEMORY`].
pub fn render_watched(
    tera: Arc<Tera>,
    name: &str,
    ctx: &tera::Context,
    cap: u64,
) -> Result<String, Stop> {
    let (tx, rx) = mpsc::channel();
    let (job_name, job_ctx) = (name.to_string(), ctx.clone());
    let spawned = std::thread::Builder::new()
        .name("kfuncdoc-render".into())
        .spawn(move || {
            let _ = tx.send(render(&tera, &job_name, &job_ctx, cap));
        });
    if let Err(e) = spawned {
        return Err(Stop::Tera(tera::Error::message(format!(
            "cannot start a thread to render it: {e}"
        ))));
    }
    let limit = timeout();
    let start = Instant::now();
    let base = resident();
    loop {
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(result) => return result,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Stop::Tera(tera::Error::message(
                    "the rendering thread stopped without a result",
                )));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if start.elapsed() > limit {
            return Err(Stop::Time(limit));
        }
        if let (Some(b), Some(now)) = (base, resident())
            && now.saturating_sub(b) > MAX_MEMORY
        {
            return Err(Stop::Memory);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera(src: &str) -> Tera {
        let mut t = Tera::new();
        t.register_function("range", range);
        t.add_raw_template("t", src).unwrap();
        t
    }

    #[test]
    fn range_is_tera_s_within_the_budget() {
        let t = tera(
            "{% for i in range(end=3) %}{{ i }}{% endfor %}|{% for i in range(start=5, end=0, step_by=-2) %}{{ i }}{% endfor %}|{{ range(end=0) | length }}",
        );
        let out = render(&t, "t", &tera::Context::new(), 100).unwrap();
        assert_eq!(out, "012|531|0");
        let t = tera(
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
        );
        match render(&t, "t", &tera::Context::new(), 100) {
            Err(Stop::Tera(e)) => assert!(format!("{e:?}").contains("1000000"), "{e:?}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn output_is_capped() {
        let t = tera("{% for i in range(end=1000) %}0123456789{% endfor %}");
        assert_eq!(
            render(&t, "t", &tera::Context::new(), 10_000)
                .unwrap()
                .len(),
            10_000
        );
        assert!(matches!(
            render(&t, "t", &tera::Context::new(), 9_999),
            Err(Stop::Output(9_999))
        ));
    }

    #[test]
    fn a_watched_render_returns_its_result() {
        let t = Arc::new(tera("{{ 1 + 1 }}"));
        assert_eq!(
            render_watched(t, "t", &tera::Context::new(), 10).unwrap(),
            "2"
        );
    }
}
