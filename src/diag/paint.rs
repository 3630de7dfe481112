//! Colour for findings and errors on a terminal, like cargo and rustc:
//! the level and code in the level's colour, the position in bold.
//!
//! Colour is added to finished lines of human output, after every value
//! from the inputs went through [`super::terminal::escape`]: input text
//! holds no ESC by then, so every escape sequence on the terminal is one of
//! ours (issue 10). A line is painted when it has the shape of a finding
//! (`[POSITION: ]LEVEL[CODE]: message`) or an error (`[POSITION: ]error:
//! message`), optionally indented; anything else passes unchanged.
//! Whether to paint is [`enabled`]'s decision: `--color always|never`, or
//! for `auto`, a terminal and no `NO_COLOR`.

use anstyle::{AnsiColor, Style};
use std::borrow::Cow;
use std::io::{self, Write};

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set to anything but empty or
    /// `TERM` is `dumb`.
    Auto,
    /// Always, even into a pipe or a file (and despite `NO_COLOR`).
    Always,
    /// Never.
    Never,
}

/// Whether to colour a stream: `choice`, and for `auto` whether the
/// stream is a terminal and the environment (`NO_COLOR`, `TERM`) allows it.
/// A command-line choice wins over `NO_COLOR`, as no-color.org asks.
pub fn enabled(
    choice: ColorChoice,
    is_terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
    term: Option<&std::ffi::OsStr>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
        }
    }
}

const POSITION: Style = Style::new().bold();

fn level_style(level: &str) -> Option<Style> {
    let color = match level {
        "deny" | "error" => AnsiColor::Red,
        "warn" => AnsiColor::Yellow,
        "info" => AnsiColor::Cyan,
        _ => return None,
    };
    Some(Style::new().bold().fg_color(Some(color.into())))
}

/// Where a finding's or error's head sits in `line`: the end of the
/// indentation, where the level starts, the level, and the end of
/// `LEVEL[CODE]` (or of `error`).
fn head(line: &str) -> Option<(usize, usize, &str, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    // The level starts the line or follows a `POSITION: `.
    let mut at = indent;
    loop {
        let rest = &line[at..];
        for level in ["deny", "warn", "info", "error"] {
            let Some(after) = rest.strip_prefix(level) else {
                continue;
            };
            if level == "error" && after.starts_with(": ") {
                return Some((indent, at, level, at + level.len()));
            }
            if let Some(code) = after.strip_prefix('[')
                && let Some(close) = code.find("]: ")
                && close > 0
                && code[..close]
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Some((indent, at, level, at + level.len() + 1 + close + 1));
            }
        }
        at += rest.find(": ")? + 2;
    }
}

/// `line` (without its line break) with colour on the head of a finding
/// or an error; other lines are returned as they are.
pub fn paint_line(line: &str) -> Cow<'_, str> {
    let Some((indent, at, level, end)) = head(line) else {
        return Cow::Borrowed(line);
    };
    let Some(style) = level_style(level) else {
        return Cow::Borrowed(line);
    };
    let mut s = String::with_capacity(line.len() + 24);
    s.push_str(&line[..indent]);
    // `POSITION: `, bold (not the program's name before an error).
    let position = &line[indent..at];
    if let Some(p) = position.strip_suffix(": ")
        && !p.is_empty()
        && p != "kfuncdoc"
    {
        s.push_str(&format!("{POSITION}{p}{POSITION:#}: "));
    } else {
        s.push_str(position);
    }
    s.push_str(&format!("{style}{}{style:#}", &line[at..end]));
    s.push_str(&line[end..]);
    Cow::Owned(s)
}

/// A writer that paints each complete line it is given ([`paint_line`])
/// and passes everything on to `inner`. Call `flush` at the end: a last
/// line without a line break is written then.
pub struct Painter<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Painter<W> {
    /// Paints what is written to `inner`.
    pub fn new(inner: W) -> Painter<W> {
        Painter {
            inner,
            pending: Vec::new(),
        }
    }

    fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        match std::str::from_utf8(line) {
            Ok(text) => self.inner.write_all(paint_line(text).as_bytes()),
            Err(_) => self.inner.write_all(line),
        }
    }
}

impl<W: Write> Write for Painter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(nl) = memchr::memchr(b'\n', rest) {
            let mut line = std::mem::take(&mut self.pending);
            line.extend_from_slice(&rest[..nl]);
            self.write_line(&line)?;
            self.inner.write_all(b"\n")?;
            rest = &rest[nl + 1..];
        }
        self.pending.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            self.write_line(&line)?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    const RED: &str = "\u{1b}[1m\u{1b}[31m";
    const RESET: &str = "\u{1b}[0m";

    /// `s` without our own SGR sequences.
    fn plain(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(at) = rest.find("\u{1b}[") {
            out.push_str(&rest[..at]);
            let tail = &rest[at + 2..];
            let end = tail.find('m').expect("an SGR sequence ends with m");
            assert!(tail[..end].bytes().all(|b| b.is_ascii_digit() || b == b';'));
            rest = &tail[end + 1..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn findings_get_level_code_and_position_coloured() {
        let l = "p.yaml:3:5: deny[unknown-kfunc]: the policy has an entry for `x`";
        let p = paint_line(l);
        assert!(p.starts_with("\u{1b}[1mp.yaml:3:5\u{1b}[0m: "), "{p:?}");
        assert!(p.contains(&format!("{RED}deny[unknown-kfunc]{RESET}: the policy")));
        assert_eq!(plain(&p), l);
        let w = paint_line("  kernel/bpf/helpers.c:12: warn[param-renamed]: a: b (was x:1)");
        assert!(w.starts_with(
            "  \u{1b}[1mkernel/bpf/helpers.c:12\u{1b}[0m: \u{1b}[1m\u{1b}[33mwarn[param-renamed]"
        ));
        let i = paint_line("info[kfunc-added]: no position");
        assert!(i.starts_with("\u{1b}[1m\u{1b}[36minfo[kfunc-added]\u{1b}[0m: no"));
        let e = paint_line("kfuncdoc: error: a.yaml: No such file");
        assert_eq!(
            e,
            format!("kfuncdoc: {RED}error{RESET}: a.yaml: No such file")
        );
        let e = paint_line("a.yaml:4:16: error: unknown stability");
        assert_eq!(plain(&e), "a.yaml:4:16: error: unknown stability");
        assert!(e.contains(&format!("{RED}error{RESET}")));
    }

    #[test]
    fn other_lines_pass_unchanged() {
        for l in [
            "",
            "check: 203 kfuncs of 6.18 against p.yaml (42 entries): 0 denied, 0 warnings",
            "bpf_task_acquire  KF_ACQUIRE  tracing",
            "breaking (3)",
            "deny[]: empty code",
            "a: denying[x]: not a level",
            "warn[Upper]: not a code",
        ] {
            assert!(matches!(paint_line(l), Cow::Borrowed(_)), "{l}");
        }
    }

    #[test]
    fn input_text_keeps_its_escapes_and_brings_none() {
        // A message that quoted an ESC is escaped before it is painted:
        // every escape sequence in the result is one of our SGR codes.
        let d = crate::diag::Diagnostic::in_file(
            crate::diag::Code::UnreadableModule,
            "m\u{1b}[2J.ko",
            "bad \u{1b}]0;title\u{7} module",
        );
        let p = paint_line(&d.to_string()).into_owned();
        let stripped = plain(&p);
        assert!(!stripped.contains('\u{1b}'), "{p:?}");
        assert!(stripped.contains("m\\x1b[2J.ko"));
    }

    #[test]
    fn the_writer_paints_whole_lines_across_writes() {
        let mut w = Painter::new(Vec::new());
        w.write_all(b"a.c:1:1: warn[unk").unwrap();
        w.write_all(b"nown-flag]: x\nplain\ntail: deny[x]: y")
            .unwrap();
        w.flush().unwrap();
        let s = String::from_utf8(w.inner).unwrap();
        assert_eq!(
            plain(&s),
            "a.c:1:1: warn[unknown-flag]: x\nplain\ntail: deny[x]: y"
        );
        assert_eq!(s.matches("\u{1b}[1m\u{1b}[").count(), 2, "{s:?}");
    }

    #[test]
    fn auto_means_a_terminal_without_no_color() {
        let (a, y, n) = (ColorChoice::Auto, ColorChoice::Always, ColorChoice::Never);
        assert!(enabled(a, true, None, None));
        assert!(enabled(
            a,
            true,
            Some(OsStr::new("")),
            Some(OsStr::new("xterm"))
        ));
        assert!(!enabled(a, false, None, None));
        assert!(!enabled(a, true, Some(OsStr::new("1")), None));
        assert!(!enabled(a, true, None, Some(OsStr::new("dumb"))));
        assert!(enabled(y, false, Some(OsStr::new("1")), None));
        assert!(!enabled(n, true, None, None));
    }
}
