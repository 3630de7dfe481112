//! The policy's Markdown fields (lifecycle statement, rationales, notes)
//! rendered as reStructuredText or as Markdown.
//!
//! Policy authors write a small, well-defined subset of CommonMark; both
//! outputs must mean exactly what they wrote, in the kernel's Sphinx build
//! and in any Markdown site. [`convert`] parses the text with pulldown-cmark
//! into a tree of that subset, rejecting everything else with its position,
//! then one of two writers (`to_rst`, `to_md`) prints the tree; the text in
//! it goes through the escapers of [`super::text`].
//!
//! Supported: paragraphs, emphasis, strong emphasis, inline code, links
//! (inline, autolinks, resolved references), soft and hard line breaks,
//! bullet and ordered lists (nested, with their start number, items with
//! several blocks), fenced and indented code blocks, block quotes. Rejected,
//! with the line and column of the construct: headings, thematic breaks,
//! tables, HTML (blocks and inline), images, footnotes, strikethrough, task
//! lists, math, definition lists, metadata blocks and GitHub alerts. The GFM
//! extensions are enabled only so that they are recognised and rejected
//! instead of passing through as text the author did not mean.
//!
//! Both outputs have no trailing whitespace and end with exactly one newline
//! (nothing for empty input). Whitespace at the edges of paragraphs, and
//! blank lines and trailing whitespace at the edges and ends of code lines
//! are dropped: renderers do not show them. The per-target choices are
//! documented in each writer.

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, Event, LinkType, Options, Parser, Tag};
use std::fmt;
use std::ops::Range;

mod to_md;
mod to_rst;

/// What [`convert`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// reStructuredText for Sphinx (the kernel's `make htmldocs`).
    Rst,
    /// CommonMark (mdBook, MkDocs, plain).
    Markdown,
}

/// A construct of the input that [`convert`] does not support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdError {
    /// 1-based line in the Markdown text.
    pub line: u32,
    /// 1-based column in the Markdown text, in bytes (like [`crate::loc::Loc`]).
    pub col: u32,
    /// What is wrong, naming the construct.
    pub message: String,
}

impl fmt::Display for MdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.col, self.message
        )
    }
}

impl std::error::Error for MdError {}

/// Converts the policy Markdown `md` to `target`; see the module doc for the
/// subset. Deterministic: the same input gives the same bytes.
pub fn convert(md: &str, target: Target) -> Result<String, MdError> {
    Ok(write_blocks(&parse(md)?, target))
}

/// Writes a block tree as `target`: no trailing whitespace, one newline at
/// the end (nothing for no blocks). [`super::kdoc_text`] builds such trees
/// from kernel comments.
pub(crate) fn write_blocks(blocks: &[Block], target: Target) -> String {
    let lines = match target {
        Target::Rst => to_rst::blocks(blocks),
        Target::Markdown => to_md::blocks(blocks),
    };
    let mut out = String::new();
    for line in &lines {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A block of the supported subset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// A paragraph.
    Para(Vec<Inline>),
    /// The text of an item in a tight list: a paragraph without the break
    /// around it.
    Plain(Vec<Inline>),
    /// A list: the number of the first item if ordered, and the items.
    List(Option<u64>, Vec<Vec<Block>>),
    /// A code block: the language word of the fence, if any, and the text.
    Code(Option<String>, String),
    /// A block quote.
    Quote(Vec<Block>),
}

/// Inline content of the supported subset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inline {
    /// Text, adjacent pieces merged.
    Text(String),
    /// A code span.
    Code(String),
    /// Emphasis.
    Emph(Vec<Inline>),
    /// Strong emphasis.
    Strong(Vec<Inline>),
    /// A link: destination, title, text.
    Link(String, String, Vec<Inline>),
    /// A soft line break.
    Soft,
    /// A hard line break.
    Hard,
}

/// The deepest nesting of blocks or inlines accepted; the parser and the
/// writers recurse.
const MAX_DEPTH: usize = 32;

/// The constructs supported in a code block's language word.
fn valid_lang(lang: &str) -> bool {
    lang.chars()
        .all(|c| c.is_ascii_alphanumeric() || "+-_.#".contains(c))
}

type Events<'a> =
    std::iter::Peekable<pulldown_cmark::OffsetIter<'a, pulldown_cmark::DefaultBrokenLinkCallback>>;

/// Parses `md` into blocks of the subset.
fn parse(md: &str) -> Result<Vec<Block>, MdError> {
    parse_reporting(md).map(|(blocks, _)| blocks)
}

/// The links of `md` that [`convert`] writes as text only, because their
/// destination is not http(s) or e-mail (issue 10), each with its position
/// and the destination in the message; nothing when `md` does not convert
/// (that is reported on its own).
pub fn dropped_links(md: &str) -> Vec<MdError> {
    parse_reporting(md).map_or_else(|_| Vec::new(), |(_, dropped)| dropped)
}

/// [`parse`], with the links it dropped.
fn parse_reporting(md: &str) -> Result<(Vec<Block>, Vec<MdError>), MdError> {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_MATH
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_GFM;
    let mut p = ParseState {
        md,
        events: Parser::new_ext(md, opts).into_offset_iter().peekable(),
        dropped: Vec::new(),
    };
    let blocks = p.blocks(0)?;
    Ok((blocks, p.dropped))
}

struct ParseState<'a> {
    md: &'a str,
    events: Events<'a>,
    /// Links written as text only, with their positions.
    dropped: Vec<MdError>,
}

impl ParseState<'_> {
    fn error(&self, at: &Range<usize>, message: String) -> MdError {
        let before = &self.md[..at.start.min(self.md.len())];
        let line = 1 + before.matches('\n').count();
        let col = 1 + before.len() - before.rfind('\n').map_or(0, |i| i + 1);
        MdError {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
            message,
        }
    }

    fn unsupported(&self, at: &Range<usize>, what: &str) -> MdError {
        self.error(
            at,
            format!(
                "{what} not supported in policy Markdown (use paragraphs, emphasis, inline \
                 code, links, lists, code blocks and block quotes)"
            ),
        )
    }

    fn too_deep(&self, at: &Range<usize>, depth: usize) -> Result<(), MdError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(at, format!("nested more than {MAX_DEPTH} levels deep")));
        }
        Ok(())
    }

    /// Blocks until the end of the enclosing container (or of the input);
    /// consumes that end. In a tight list item, inline content comes
    /// without a paragraph and becomes [`Block::Plain`].
    fn blocks(&mut self, depth: usize) -> Result<Vec<Block>, MdError> {
        let mut out = Vec::new();
        let mut plain: Vec<Inline> = Vec::new();
        while let Some((ev, at)) = self.events.peek().cloned() {
            let block = match ev {
                Event::End(_) => {
                    self.events.next();
                    break;
                }
                Event::Start(
                    Tag::Paragraph
                    | Tag::List(_)
                    | Tag::CodeBlock(_)
                    | Tag::BlockQuote(_)
                    | Tag::Heading { .. }
                    | Tag::HtmlBlock
                    | Tag::Table(_)
                    | Tag::FootnoteDefinition(_)
                    | Tag::DefinitionList
                    | Tag::MetadataBlock(_),
                )
                | Event::Rule
                | Event::DisplayMath(_)
                | Event::Html(_) => {
                    self.events.next();
                    self.block(ev, &at, depth)?
                }
                _ => {
                    self.inline_into(&mut plain, depth)?;
                    continue;
                }
            };
            if !plain.is_empty() {
                out.push(Block::Plain(std::mem::take(&mut plain)));
            }
            out.push(block);
        }
        if !plain.is_empty() {
            out.push(Block::Plain(plain));
        }
        Ok(out)
    }

    /// The block that `ev` (already consumed) starts.
    fn block(&mut self, ev: Event<'_>, at: &Range<usize>, depth: usize) -> Result<Block, MdError> {
        self.too_deep(at, depth)?;
        let tag = match ev {
            Event::Start(tag) => tag,
            Event::Rule => return Err(self.unsupported(at, "a thematic break (`---`) is")),
            Event::DisplayMath(_) => return Err(self.unsupported(at, "math is")),
            _ => return Err(self.unsupported(at, "HTML is")),
        };
        Ok(match tag {
            Tag::Paragraph => Block::Para(self.inlines(depth + 1)?),
            Tag::BlockQuote(None) => Block::Quote(self.blocks(depth + 1)?),
            Tag::BlockQuote(Some(kind)) => {
                let kind = match kind {
                    BlockQuoteKind::Note => "NOTE",
                    BlockQuoteKind::Tip => "TIP",
                    BlockQuoteKind::Important => "IMPORTANT",
                    BlockQuoteKind::Warning => "WARNING",
                    BlockQuoteKind::Caution => "CAUTION",
                };
                return Err(self.unsupported(at, &format!("a GitHub alert (`[!{kind}]`) is")));
            }
            Tag::List(start) => {
                let mut items = Vec::new();
                while let Some((ev, at)) = self.events.next() {
                    match ev {
                        Event::Start(Tag::Item) => {
                            self.too_deep(&at, depth + 1)?;
                            items.push(self.blocks(depth + 2)?);
                        }
                        _ => break,
                    }
                }
                Block::List(start, items)
            }
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().map(str::to_string)
                    }
                    CodeBlockKind::Indented => None,
                };
                if let Some(l) = lang.as_deref().filter(|l| !valid_lang(l)) {
                    return Err(self.error(
                        at,
                        format!(
                            "code block language `{l}` is not a plain lexer name \
                             (letters, digits and `+-_.#`)"
                        ),
                    ));
                }
                let mut code = String::new();
                for (ev, _) in self.events.by_ref() {
                    match ev {
                        Event::Text(t) => code.push_str(&t),
                        _ => break,
                    }
                }
                Block::Code(lang, code)
            }
            Tag::Heading { .. } => return Err(self.unsupported(at, "a heading is")),
            Tag::Table(_) => return Err(self.unsupported(at, "a table is")),
            Tag::FootnoteDefinition(_) => {
                return Err(self.unsupported(at, "a footnote definition is"));
            }
            Tag::DefinitionList => return Err(self.unsupported(at, "a definition list is")),
            Tag::MetadataBlock(_) => return Err(self.unsupported(at, "a metadata block is")),
            _ => return Err(self.unsupported(at, "HTML is")),
        })
    }

    /// Inline content until the end of the enclosing element; consumes it.
    fn inlines(&mut self, depth: usize) -> Result<Vec<Inline>, MdError> {
        let mut out = Vec::new();
        while let Some((ev, _)) = self.events.peek() {
            if matches!(ev, Event::End(_)) {
                self.events.next();
                break;
            }
            self.inline_into(&mut out, depth)?;
        }
        Ok(out)
    }

    /// Consumes one inline element and appends it to `out`.
    fn inline_into(&mut self, out: &mut Vec<Inline>, depth: usize) -> Result<(), MdError> {
        let Some((ev, at)) = self.events.next() else {
            return Ok(());
        };
        self.too_deep(&at, depth)?;
        let inline = match ev {
            Event::Text(t) => {
                if let Some(Inline::Text(prev)) = out.last_mut() {
                    prev.push_str(&t);
                    return Ok(());
                }
                Inline::Text(t.to_string())
            }
            Event::Code(c) => Inline::Code(c.to_string()),
            Event::SoftBreak => Inline::Soft,
            Event::HardBreak => Inline::Hard,
            Event::Start(Tag::Emphasis) => Inline::Emph(self.inlines(depth + 1)?),
            Event::Start(Tag::Strong) => Inline::Strong(self.inlines(depth + 1)?),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                if dest_url.is_empty() {
                    return Err(self.error(&at, "a link without a destination".to_string()));
                }
                let url = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                let text = self.inlines(depth + 1)?;
                // Only http(s) may become a link in a published
                // page (issue 10): any other destination (`javascript:`,
                // `data:`, relative) keeps its text and loses the link;
                // `check` reports it (`unsafe-link`).
                if !super::safe::link_allowed(&url) {
                    let shown = crate::diag::terminal::escape(&url).into_owned();
                    let e = self.error(
                        &at,
                        format!(
                            "a link to `{shown}` is shown as text: only http(s) links are kept"
                        ),
                    );
                    self.dropped.push(e);
                    for i in text {
                        match (out.last_mut(), i) {
                            (Some(Inline::Text(prev)), Inline::Text(t)) => prev.push_str(&t),
                            (_, i) => out.push(i),
                        }
                    }
                    return Ok(());
                }
                Inline::Link(url, title.to_string(), text)
            }
            Event::Start(Tag::Image { .. }) => return Err(self.unsupported(&at, "an image is")),
            Event::Start(Tag::Strikethrough) => {
                return Err(self.unsupported(&at, "strikethrough is"));
            }
            Event::Start(Tag::Superscript | Tag::Subscript) => {
                return Err(self.unsupported(&at, "superscript and subscript are"));
            }
            Event::InlineHtml(_) | Event::Html(_) => {
                return Err(self.unsupported(&at, "HTML is"));
            }
            Event::FootnoteReference(_) => {
                return Err(self.unsupported(&at, "a footnote reference is"));
            }
            Event::InlineMath(_) | Event::DisplayMath(_) => {
                return Err(self.unsupported(&at, "math is"));
            }
            Event::TaskListMarker(_) => {
                return Err(self.unsupported(&at, "a task list item is"));
            }
            _ => return Err(self.unsupported(&at, "this construct is")),
        };
        out.push(inline);
        Ok(())
    }
}

/// The text of inline content without its markup, for RST, where inline
/// markup cannot nest.
fn plain_text(inlines: &[Inline], out: &mut String) {
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Emph(k) | Inline::Strong(k) | Inline::Link(_, _, k) => plain_text(k, out),
            Inline::Soft | Inline::Hard => out.push(' '),
        }
    }
}

/// Indents `lines` for a container: `first` before the first line, `rest`
/// before the others; empty lines stay empty.
fn prefix_lines(lines: Vec<String>, first: &str, rest: &str) -> Vec<String> {
    lines
        .into_iter()
        .enumerate()
        .map(|(n, l)| {
            let p = if n == 0 { first } else { rest };
            if l.is_empty() {
                p.trim_end().to_string()
            } else {
                format!("{p}{l}")
            }
        })
        .collect()
}

/// The lines of a code block's text: trailing whitespace of each line and
/// blank lines at both ends dropped; tabs expanded to 8-column stops when
/// `expand_tabs`.
fn code_lines(code: &str, expand_tabs: bool) -> Vec<String> {
    // For RST (`expand_tabs`), every character Python's `splitlines` breaks
    // at ends a line too: docutils would break there, and the rest of the
    // line would leave the indented block (a U+2028 then `.. raw:: html`
    // was a live directive; issue 10).
    let py_break = |c: char| {
        matches!(
            c,
            '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}'
        )
    };
    let mut lines: Vec<String> = code
        .lines()
        .flat_map(|l| {
            if expand_tabs {
                l.split(py_break).collect::<Vec<_>>()
            } else {
                vec![l]
            }
        })
        .map(|l| {
            let l = l.trim_end();
            if !expand_tabs {
                return l.to_string();
            }
            let mut s = String::with_capacity(l.len());
            for c in l.chars() {
                if c == '\t' {
                    let n = 8 - s.chars().count() % 8;
                    s.extend(std::iter::repeat_n(' ', n));
                } else {
                    s.push(c);
                }
            }
            s
        })
        .collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let lead = lines.iter().take_while(|l| l.is_empty()).count();
    lines.drain(..lead);
    lines
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
