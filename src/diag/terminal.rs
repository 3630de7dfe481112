//! Input-derived text made safe to print on a terminal or in a CI log.
//!
//! Paths, kfunc and module names, `MAINTAINERS` titles and messages that
//! quote them come from inputs anyone may write (issue 10). Printed as they
//! are, an ESC starts a terminal control sequence, a CR overwrites the
//! line, a bidi override reorders what the reader sees, and a line break
//! inside a value starts a new line, which CI systems read as a command
//! (`::error title=…::` on GitHub Actions). [`escape`] writes every such
//! character as a visible escape; the human output (findings, errors,
//! tables) passes every value through it. JSON output is left alone: its
//! strings are escaped by JSON itself.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal as it is: C0 controls (line
/// breaks and tabs included), DEL, C1 controls, and the bidirectional
/// embedding, override and isolate characters (U+202A-U+202E,
/// U+2066-U+2069), with the marks U+200E, U+200F and U+061C.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `s` with every [`is_unsafe`] character written as an escape: `\n`,
/// `\r`, `\t`, `\x1b` for other ASCII controls, `\u{202e}` above ASCII.
/// Borrowed when there is nothing to escape (the usual case).
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Several lines of text, each escaped by [`escape`] and joined by line
/// breaks: for messages made of lines (a policy's list of problems) whose
/// line breaks are the message's own.
pub fn escape_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    lines
        .into_iter()
        .map(|l| escape(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of a command's error for the terminal: every value escaped,
/// the line breaks between a policy's problems kept. An error at a
/// position reads `file:line:col: error: message`, like a finding; any
/// other `kfuncdoc: error: message` (the level and the file said once).
pub fn error_text(e: &crate::Error) -> String {
    match e {
        crate::Error::Policy { problems } => escape_lines(
            problems
                .iter()
                .map(|p| format!("{}: error: {}", p.loc, p.message))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        ),
        crate::Error::Catalog { .. } => escape(&e.to_string()).into_owned(),
        e => format!("kfuncdoc: error: {}", escape(&e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_is_borrowed_unchanged() {
        for s in [
            "",
            "kernel/bpf/helpers.c",
            "bpf_task_acquire",
            "Ünïcödé ✓ 漢字",
        ] {
            assert!(matches!(escape(s), Cow::Borrowed(x) if x == s));
        }
    }

    #[test]
    fn no_escaped_text_holds_an_unsafe_character() {
        // Every character class the escaper must catch, in many positions.
        let bad: Vec<char> = (0u32..0x20)
            .chain(0x7f..0xa0)
            .chain(0x202a..0x202f)
            .chain(0x2066..0x206a)
            .filter_map(char::from_u32)
            .collect();
        for &c in &bad {
            for s in [
                format!("{c}"),
                format!("a{c}b"),
                format!("x\n::error title=x::{c}y"),
                format!("{c}{c}\u{1b}[31mred"),
            ] {
                let e = escape(&s);
                assert!(!e.chars().any(is_unsafe), "{s:?} -> {e:?}");
                assert!(!e.contains('\n') && !e.contains('\r'), "{e:?}");
            }
        }
        assert_eq!(escape("a\n::error title=x::b"), "a\\n::error title=x::b");
        assert_eq!(escape("\u{1b}[2J\u{7f}"), "\\x1b[2J\\x7f");
        assert_eq!(escape("\u{202e}cod.exe"), "\\u{202e}cod.exe");
        assert_eq!(escape("\u{85}"), "\\u{85}");
    }

    #[test]
    fn lines_keep_their_own_breaks_only() {
        assert_eq!(escape_lines(["a\rb", "c\nd"]), "a\\rb\nc\\nd");
    }
}
