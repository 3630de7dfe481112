//! The tree as CommonMark that parses back to the same tree, with its text
//! re-escaped by [`crate::render::text`] and never a literal `{{#`.
//!
//! - Tight lists stay tight (no blank lines between items) and loose lists
//!   loose. List content is indented by four columns (the list marker padded
//!   to that width: `-   item`, `1.  item`), which CommonMark and
//!   Python-Markdown (MkDocs) both read as nested content. Two adjacent
//!   lists alternate their marker (`-`/`*`, `.`/`)`) so they stay two lists.
//! - Ordered items are numbered from the start number on.
//! - Soft breaks stay line breaks; hard breaks are written `\` at the end of
//!   the line (never trailing spaces).
//! - Emphasis is written with `*` and strong emphasis with `**`, or `_` and
//!   `__` right after a `*`, so that two delimiter runs never merge.
//! - Code blocks are fenced, with a fence longer than any backtick run in
//!   them. A code block that would contain an mdBook link (`{{#...`) is
//!   written as an HTML `<pre><code>` block with the text as character
//!   references, because mdBook expands links inside fenced code too.
//! - Link destinations keep their characters, except that `(`, `)` and `\`
//!   are backslash-escaped and whitespace, controls, `<`, `>`, `{`, `}` and
//!   `|`, none of which may appear in a URL as is, are percent-encoded.

use super::{Block, Inline, code_lines, prefix_lines};
use crate::render::text::{has_mdbook_link, longest_run, md_code, md_escape_into};

/// The lines of `blocks`, separated by blank lines.
pub(super) fn blocks(blocks: &[Block]) -> Vec<String> {
    join(blocks, false)
}

/// The lines of `blocks`, separated by blank lines unless `tight`.
fn join(blocks: &[Block], tight: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // The marker variant of the previous block, if it was a list.
    let mut prev_list: Option<(bool, bool)> = None;
    for b in blocks {
        let lines = match b {
            Block::List(start, items) => {
                let ordered = start.is_some();
                let alt = matches!(prev_list, Some((o, a)) if o == ordered && !a);
                prev_list = Some((ordered, alt));
                list(*start, items, alt)
            }
            _ => {
                prev_list = None;
                block(b)
            }
        };
        if !out.is_empty() && !tight {
            out.push(String::new());
        }
        out.extend(lines);
    }
    out
}

fn list(start: Option<u64>, items: &[Vec<Block>], alt: bool) -> Vec<String> {
    let loose = items.iter().flatten().any(|b| matches!(b, Block::Para(_)));
    let mut out = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let marker = match (start, alt) {
            (Some(s), false) => format!("{}.", s.saturating_add(n as u64)),
            (Some(s), true) => format!("{})", s.saturating_add(n as u64)),
            (None, false) => "-".to_string(),
            (None, true) => "*".to_string(),
        };
        if loose && !out.is_empty() {
            out.push(String::new());
        }
        let body = join(item, !loose);
        if body.is_empty() {
            out.push(marker);
        } else {
            let width = (marker.len() + 1).max(4);
            let first = format!("{marker:width$}");
            out.extend(prefix_lines(body, &first, &" ".repeat(width)));
        }
    }
    out
}

fn block(b: &Block) -> Vec<String> {
    match b {
        Block::Para(inl) | Block::Plain(inl) => {
            let mut line = Line {
                out: String::new(),
                line_start: true,
            };
            line.inlines(inl);
            line.out.lines().map(str::to_string).collect()
        }
        Block::List(start, items) => list(*start, items, false),
        Block::Code(lang, code) => {
            let lines = code_lines(code, false);
            if has_mdbook_link(code) {
                return html_code(lang.as_deref(), &lines);
            }
            let fence = "`".repeat((longest_run(code, '`') + 1).max(3));
            let mut out = vec![format!("{fence}{}", lang.as_deref().unwrap_or(""))];
            out.extend(lines);
            out.push(fence);
            out
        }
        Block::Quote(children) => {
            let body = join(children, false);
            if body.is_empty() {
                return vec![">".to_string()];
            }
            prefix_lines(body, "> ", "> ")
        }
    }
}

/// A code block as an HTML `<pre><code>` block, its text as character
/// references where HTML or mdBook would read it.
fn html_code(lang: Option<&str>, lines: &[String]) -> Vec<String> {
    let class = lang
        .map(|l| format!(" class=\"language-{l}\""))
        .unwrap_or_default();
    let mut text = format!("<pre><code{class}>");
    for (n, l) in lines.iter().enumerate() {
        if n > 0 {
            text.push('\n');
        }
        for c in l.chars() {
            match c {
                '&' => text.push_str("&amp;"),
                '<' => text.push_str("&lt;"),
                '>' => text.push_str("&gt;"),
                '{' => text.push_str("&#123;"),
                c => text.push(c),
            }
        }
    }
    text.push_str("</code></pre>");
    text.lines().map(str::to_string).collect()
}

/// A paragraph being written.
struct Line {
    out: String,
    /// The next character written starts a line.
    line_start: bool,
}

impl Line {
    fn inlines(&mut self, inlines: &[Inline]) {
        for i in inlines {
            match i {
                Inline::Text(t) => {
                    md_escape_into(&mut self.out, t, self.line_start);
                    self.line_start &= t.is_empty();
                }
                Inline::Soft => self.newline("\n"),
                Inline::Hard => self.newline("\\\n"),
                Inline::Code(c) => self.push(&md_code(c)),
                Inline::Emph(k) => {
                    let d = if self.out.ends_with('*') { "_" } else { "*" };
                    self.push(d);
                    self.inlines(k);
                    self.push(d);
                }
                Inline::Strong(k) => {
                    let d = if self.out.ends_with('*') { "__" } else { "**" };
                    self.push(d);
                    self.inlines(k);
                    self.push(d);
                }
                Inline::Link(url, title, k) => {
                    self.push("[");
                    self.inlines(k);
                    self.push("](");
                    url_into(&mut self.out, url);
                    if !title.is_empty() {
                        self.out.push_str(" \"");
                        for c in title.chars() {
                            match c {
                                '\\' | '"' | '{' | '}' | '&' => {
                                    self.out.push('\\');
                                    self.out.push(c);
                                }
                                c if c.is_control() => self.out.push(' '),
                                c => self.out.push(c),
                            }
                        }
                        self.out.push('"');
                    }
                    self.push(")");
                }
            }
        }
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
        self.line_start &= s.is_empty();
    }

    fn newline(&mut self, s: &str) {
        // Spaces before a line break are not text (CommonMark strips them).
        let keep = self.out.trim_end_matches(' ').len();
        self.out.truncate(keep);
        self.out.push_str(s);
        self.line_start = true;
    }
}

/// A link destination: see the module doc.
fn url_into(out: &mut String, url: &str) {
    for c in url.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_whitespace() || c.is_control() || "<>{}|".contains(c) => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
}
