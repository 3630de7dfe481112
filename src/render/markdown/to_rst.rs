//! The tree as reStructuredText, valid at column 0 of a document and as the
//! indented body of a directive (`.. note::`): nothing it writes depends on
//! its absolute position.
//!
//! - Every block is followed by a blank line, and every paragraph is one
//!   line: soft and hard breaks become spaces (RST has no hard break inside
//!   a paragraph; a line block would change the paragraph into another kind
//!   of node, and most hard breaks in YAML are trailing spaces by accident).
//! - Inline markup cannot nest in RST: inside emphasis, strong emphasis and
//!   link text, nested markup is dropped and its text kept. Markup that
//!   touches other text is set off with an escaped space (`\ `), which
//!   docutils removes, so `foo*bar*` keeps its meaning.
//! - Links are anonymous (`` `text <url>`__ ``), so the same text twice
//!   never collides; link titles have no RST form and are dropped.
//! - A code block with a language becomes `.. code-block:: LANG` (Sphinx),
//!   one without a literal block after `::`. Tabs are expanded to 8-column
//!   stops first, because docutils expands them relative to the column in
//!   the source, which depends on the indentation. Indentation shared by
//!   every line is removed by docutils; an empty code block is dropped.
//! - A block quote is an indented block after an empty comment (`..`): the
//!   comment ends whatever precedes it, so the indentation is always read as
//!   a quote, even first in a list item or a directive. The same comment
//!   separates two adjacent lists, which RST would otherwise merge.

use super::{Block, Inline, code_lines, plain_text, prefix_lines};
use crate::render::text::{rst_escape_into, rst_finish_line, rst_literal};

/// The lines of `blocks`, separated by blank lines.
pub(super) fn blocks(blocks: &[Block]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev_list = false;
    for b in blocks {
        let lines = block(b);
        if lines.is_empty() {
            continue;
        }
        let is_list = matches!(b, Block::List(..));
        if !out.is_empty() {
            out.push(String::new());
        }
        if prev_list && is_list {
            out.push("..".to_string());
            out.push(String::new());
        }
        prev_list = is_list;
        out.extend(lines);
    }
    out
}

fn block(b: &Block) -> Vec<String> {
    match b {
        Block::Para(inl) | Block::Plain(inl) => {
            let line = paragraph(inl);
            if line.is_empty() { vec![] } else { vec![line] }
        }
        Block::List(start, items) => {
            let mut out = Vec::new();
            for (n, item) in items.iter().enumerate() {
                let marker = match start {
                    Some(s) => format!("{}.", s.saturating_add(n as u64)),
                    None => "-".to_string(),
                };
                if !out.is_empty() {
                    out.push(String::new());
                }
                let body = blocks(item);
                if body.is_empty() {
                    out.push(marker);
                } else {
                    let rest = " ".repeat(marker.len() + 1);
                    out.extend(prefix_lines(body, &format!("{marker} "), &rest));
                }
            }
            out
        }
        Block::Code(lang, code) => {
            let lines = code_lines(code, true);
            if lines.is_empty() {
                return vec![];
            }
            let head = match lang {
                Some(l) => format!(".. code-block:: {l}"),
                None => "::".to_string(),
            };
            let mut out = vec![head, String::new()];
            out.extend(prefix_lines(lines, "    ", "    "));
            out
        }
        Block::Quote(children) => {
            let body = blocks(children);
            if body.is_empty() {
                return vec![];
            }
            let mut out = vec!["..".to_string(), String::new()];
            out.extend(prefix_lines(body, "    ", "    "));
            out
        }
    }
}

/// One paragraph as one line.
fn paragraph(inlines: &[Inline]) -> String {
    let mut line = Line::default();
    line.inlines(inlines);
    let mut out = line.out.trim_end().to_string();
    rst_finish_line(&mut out);
    out
}

/// A paragraph line being written.
#[derive(Default)]
struct Line {
    out: String,
    /// The last thing written was inline markup: text after it must start
    /// with whitespace or punctuation that may follow an end-string.
    after_markup: bool,
}

impl Line {
    fn inlines(&mut self, inlines: &[Inline]) {
        for i in inlines {
            match i {
                Inline::Text(t) => self.text(t),
                Inline::Soft | Inline::Hard => self.text(" "),
                Inline::Code(c) => self.markup(&rst_literal(c), c.chars().next()),
                Inline::Emph(k) => self.wrapped(k, "*", "*"),
                Inline::Strong(k) => self.wrapped(k, "**", "**"),
                Inline::Link(url, _title, k) => {
                    let mut text = String::new();
                    plain_text(k, &mut text);
                    let (lead, body, trail) = split_space(&text);
                    self.text(lead);
                    let mut m = String::from("`");
                    rst_escape_into(&mut m, body, false);
                    if !body.is_empty() {
                        m.push(' ');
                    }
                    m.push('<');
                    url_into(&mut m, url);
                    m.push_str(">`__");
                    self.markup(&m, body.chars().next());
                    self.text(trail);
                }
            }
        }
    }

    fn text(&mut self, t: &str) {
        let t = if self.out.is_empty() {
            t.trim_start()
        } else {
            t
        };
        let Some(first) = t.chars().next() else {
            return;
        };
        if self.after_markup && !may_follow_markup(first) {
            self.out.push_str("\\ ");
        }
        self.after_markup = false;
        let line_start = self.out.is_empty();
        rst_escape_into(&mut self.out, t, line_start);
    }

    /// Emphasis or strong emphasis around the plain text of `k`, with its
    /// edge whitespace moved outside (an RST start-string must be followed,
    /// and an end-string preceded, by non-whitespace).
    fn wrapped(&mut self, k: &[Inline], open: &str, close: &str) {
        let mut text = String::new();
        plain_text(k, &mut text);
        let (lead, body, trail) = split_space(&text);
        self.text(lead);
        if !body.is_empty() {
            let mut m = String::from(open);
            rst_escape_into(&mut m, body, false);
            m.push_str(close);
            self.markup(&m, body.chars().next());
        }
        self.text(trail);
    }

    /// Writes inline markup `m` whose content starts with `first`, set off
    /// from the text before it when the start-string would not be
    /// recognised there.
    fn markup(&mut self, m: &str, first: Option<char>) {
        if let Some(prev) = self.out.chars().next_back() {
            let allowed = prev.is_whitespace() || "-:/'\"<([{".contains(prev);
            // An opening quote or bracket right before the start-string must
            // not be followed by its closing match.
            let quoted = "'\"<([{".contains(prev) && first.is_some_and(|c| "'\">)]}".contains(c));
            if !allowed || quoted {
                self.out.push_str("\\ ");
            }
        }
        self.out.push_str(m);
        self.after_markup = true;
    }
}

/// Whether `c` may follow an inline markup end-string without an escaped
/// space: whitespace or the ASCII punctuation the docutils rules allow.
/// Non-ASCII punctuation may be allowed too, but an escaped space is always
/// correct.
fn may_follow_markup(c: char) -> bool {
    c.is_whitespace() || "-.,:;!?\\/'\")]}>".contains(c)
}

/// Splits `s` into leading whitespace, body and trailing whitespace.
fn split_space(s: &str) -> (&str, &str, &str) {
    let body = s.trim_start();
    let lead = &s[..s.len() - body.len()];
    let trimmed = body.trim_end();
    (lead, trimmed, &body[trimmed.len()..])
}

/// A URL inside `<...>` of an embedded hyperlink: `\`, `` ` ``, `<` and `>`
/// backslash-escaped, a trailing `_` escaped (`<name_>` would be a
/// reference to a target), whitespace and control characters
/// percent-encoded (docutils removes whitespace from URLs).
fn url_into(out: &mut String, url: &str) {
    let body = url.trim_end_matches('_');
    for c in body.chars() {
        match c {
            '\\' | '`' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_whitespace() || c.is_control() => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    for _ in body.len()..url.len() {
        out.push_str("\\_");
    }
}
