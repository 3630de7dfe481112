//! kernel-doc text (a comment's description, `Return:` or `Context:`
//! section) as blocks, written as reStructuredText or Markdown.
//!
//! Kernel comments are written for `scripts/kernel-doc`, whose output is
//! read as reStructuredText: paragraphs, bulleted lists (`*` or `-` items,
//! their continuation lines indented), numbered lists (`1.`, `1)`,
//! `(1)`), literal blocks (a paragraph ending with `::`, then indented
//! text) and code pasted into the text (lines indented more than the
//! paragraph they continue). `parse` reads that structure into the block
//! tree of [`super::markdown`], and its writers print it, so every piece of
//! text goes through the escapers of [`super::text`]: nothing in a comment
//! becomes markup it did not mean, in either format (a `*` that is not a
//! list marker stays a `*`, a `{{#include}}` stays text).
//!
//! Inline, the highlights kernel-doc knows become code spans: `@param`,
//! `%CONST`, `&struct name` (and `&name`), `func()` and ``` ``literal`` ```.
//! Their prefixes are dropped, as kernel-doc drops them.
//!
//! The reading is lenient where the RST reading is strict, because a page
//! must show what the author meant: a list may start right after a
//! paragraph line, and an item's continuation lines may be indented less
//! than its text. (A section's hanging indentation, `Return: text` then
//! indented lines, is removed by extraction, as kernel-doc removes it.)

use super::markdown::{Block, Inline, Target, write_blocks};

/// Converts kernel-doc `text` to `target`. The output has no trailing
/// whitespace and ends with one newline (nothing for empty text).
pub fn convert(text: &str, target: Target) -> String {
    write_blocks(&parse(text), target)
}

/// What the `kdoc` template filter prints: [`convert`] without the final
/// newline. With `inline`, the text continues a line that has a label
/// (`:Returns:`, `- **Returns:**`): when it does not start with a
/// paragraph, it starts after a blank line instead, so that the list or
/// literal block that opens it is read as one; the template indents the
/// lines after the first to the label's content.
pub fn filter(text: &str, inline: bool, target: Target) -> String {
    let blocks = parse(text);
    let out = write_blocks(&blocks, target);
    let out = out.trim_end_matches('\n');
    if inline && !matches!(blocks.first(), Some(Block::Para(_)) | None) {
        format!("\n\n{out}")
    } else {
        out.to_string()
    }
}

/// One line: its indentation in columns (tabs to 8-column stops) and its
/// text without the indentation, tabs inside it expanded too.
#[derive(Debug, Clone)]
struct Line {
    indent: usize,
    text: String,
}

impl Line {
    fn new(raw: &str) -> Line {
        let mut s = String::with_capacity(raw.len());
        for c in raw.trim_end().chars() {
            if c == '\t' {
                let n = 8 - s.chars().count() % 8;
                s.extend(std::iter::repeat_n(' ', n));
            } else if c.is_control() {
                s.push(' ');
            } else {
                s.push(c);
            }
        }
        let text = s.trim_start_matches(' ');
        Line {
            indent: s.len() - text.len(),
            text: text.to_string(),
        }
    }

    fn blank(&self) -> bool {
        self.text.is_empty()
    }

    fn dedent(&self, n: usize) -> Line {
        Line {
            indent: self.indent.saturating_sub(n),
            text: self.text.clone(),
        }
    }
}

/// The blocks of kernel-doc `text`.
pub(crate) fn parse(text: &str) -> Vec<Block> {
    let lines: Vec<Line> = text.lines().map(Line::new).collect();
    blocks(&lines, 0)
}

/// The deepest list nesting read; deeper items stay text of their parent.
const MAX_DEPTH: usize = 8;

/// A list marker at the start of a line: ordered (with its number) or not,
/// and the column of the item's text relative to the marker.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Marker {
    /// `Some(n)` for `n.`, `n)` and `(n)`.
    number: Option<u64>,
    /// The marker's character or style (`*`, `-`, `.`, `)`, `(`).
    style: char,
    /// Width of the marker and the spaces after it.
    width: usize,
}

fn marker(text: &str) -> Option<Marker> {
    let spaces = |rest: &str| rest.len() - rest.trim_start_matches(' ').len();
    for b in ['*', '-'] {
        if let Some(rest) = text.strip_prefix(b)
            && rest.starts_with(' ')
            && !rest.trim().is_empty()
        {
            return Some(Marker {
                number: None,
                style: b,
                width: 1 + spaces(rest),
            });
        }
    }
    let (open, body) = match text.strip_prefix('(') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let number: u64 = body[..digits].parse().ok()?;
    let after = &body[digits..];
    let (style, rest) = match (open, after.chars().next()) {
        (true, Some(')')) => ('(', &after[1..]),
        (false, Some(c @ ('.' | ')'))) => (c, &after[1..]),
        _ => return None,
    };
    if !rest.starts_with(' ') || rest.trim().is_empty() {
        return None;
    }
    Some(Marker {
        number: Some(number),
        style,
        width: text.len() - rest.len() + spaces(rest),
    })
}

/// The blocks of `lines`, read at nesting `depth`.
fn blocks(lines: &[Line], depth: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    let base = lines
        .iter()
        .filter(|l| !l.blank())
        .map(|l| l.indent)
        .min()
        .unwrap_or(0);
    // The previous paragraph ended with `::`: an indented block follows.
    let mut literal_next = false;
    while i < lines.len() {
        if lines[i].blank() {
            i += 1;
            continue;
        }
        let l = &lines[i];
        let rel = l.indent - base;
        if (literal_next && rel > 0) || rel >= 4 {
            let end = indented_end(lines, i, base);
            if let Some(code) = literal(&lines[i..end]) {
                out.push(Block::Code(None, code));
            }
            literal_next = false;
            i = end;
            continue;
        }
        literal_next = false;
        if depth < MAX_DEPTH
            && let Some(m) = marker(&l.text)
        {
            let (list, end) = list(lines, i, m, depth);
            out.push(list);
            i = end;
            continue;
        }
        // A paragraph: up to a blank line or a list item.
        let mut end = i + 1;
        while end < lines.len()
            && !lines[end].blank()
            && (depth >= MAX_DEPTH || marker(&lines[end].text).is_none())
        {
            end += 1;
        }
        let para = &lines[i..end];
        // Lines indented more than the paragraph's first: code pasted into
        // the text (RST would report "unexpected indentation").
        if para.iter().skip(1).any(|p| p.indent > l.indent) {
            if let Some(code) = literal(para) {
                out.push(Block::Code(None, code));
            }
            i = end;
            continue;
        }
        let (inlines, announces) = paragraph(para);
        literal_next = announces
            && lines[end..]
                .iter()
                .find(|n| !n.blank())
                .is_some_and(|n| n.indent > base);
        let inlines = if literal_next {
            inlines
        } else {
            // No literal block follows: the `::` is text.
            paragraph_text(para)
        };
        if !inlines.is_empty() {
            out.push(Block::Para(inlines));
        }
        i = end;
    }
    out
}

/// The end of the block indented more than `base` that starts at `i`:
/// blank lines inside it belong to it, trailing ones do not.
fn indented_end(lines: &[Line], i: usize, base: usize) -> usize {
    let mut end = i;
    let mut j = i;
    while j < lines.len() {
        if lines[j].blank() {
            j += 1;
            continue;
        }
        if lines[j].indent <= base {
            break;
        }
        j += 1;
        end = j;
    }
    end
}

/// Lines as the text of a literal block, their common indentation removed.
fn literal(lines: &[Line]) -> Option<String> {
    let min = lines
        .iter()
        .filter(|l| !l.blank())
        .map(|l| l.indent)
        .min()?;
    let text: Vec<String> = lines
        .iter()
        .map(|l| {
            if l.blank() {
                String::new()
            } else {
                format!("{}{}", " ".repeat(l.indent - min), l.text)
            }
        })
        .collect();
    Some(text.join("\n"))
}

/// A list starting at line `i` with marker `m`: the block and the line
/// after it. Items continue on lines indented more than the marker (or,
/// lazily, on unindented lines right after item text); the list ends at a
/// line of the marker's indentation or less after a blank line that is not
/// another item of the same kind.
fn list(lines: &[Line], i: usize, m: Marker, depth: usize) -> (Block, usize) {
    let at = lines[i].indent;
    let same = |l: &Line| {
        l.indent == at
            && marker(&l.text)
                .is_some_and(|n| n.style == m.style && n.number.is_some() == m.number.is_some())
    };
    let mut items: Vec<Vec<Block>> = Vec::new();
    let mut j = i;
    while j < lines.len() && same(&lines[j]) {
        let mk = marker(&lines[j].text).unwrap_or(m);
        let content_col = at + mk.width;
        let mut item = vec![Line {
            indent: 0,
            text: lines[j].text[mk.width..].to_string(),
        }];
        j += 1;
        while j < lines.len() {
            let l = &lines[j];
            if l.blank() {
                let next = lines[j..].iter().find(|n| !n.blank());
                if next.is_some_and(|n| n.indent > at && !same(n)) {
                    item.push(l.clone());
                    j += 1;
                    continue;
                }
                break;
            }
            if same(l) {
                break;
            }
            let lazy = l.indent <= at && item.last().is_some_and(|p| !p.blank());
            if l.indent <= at && !lazy {
                break;
            }
            if l.indent <= at && marker(&l.text).is_some() {
                break;
            }
            item.push(l.dedent(content_col.min(l.indent)));
            j += 1;
        }
        // Continuation lines indented as the text are at its column.
        let mut lines_in = item;
        let col = lines_in
            .iter()
            .skip(1)
            .filter(|l| !l.blank())
            .map(|l| l.indent)
            .min()
            .unwrap_or(0);
        let first_para_end = lines_in
            .iter()
            .position(Line::blank)
            .unwrap_or(lines_in.len());
        // A hanging indentation of the first paragraph is not structure.
        for l in lines_in.iter_mut().take(first_para_end).skip(1) {
            *l = l.dedent(col);
        }
        let mut body = blocks(&lines_in, depth + 1);
        if body.len() == 1
            && let Some(Block::Para(p)) = body.first()
        {
            body = vec![Block::Plain(p.clone())];
        }
        items.push(body);
        // Blank lines between items.
        while j < lines.len() && lines[j].blank() {
            if lines[j..].iter().find(|n| !n.blank()).is_some_and(&same) {
                j += 1;
            } else {
                break;
            }
        }
    }
    (Block::List(m.number, items), j)
}

/// A paragraph's inlines, and whether it announces a literal block (ends
/// with `::`, which is then shown as RST shows it: `text:` for `text::`,
/// nothing for `text ::` and a lone `::`).
fn paragraph(lines: &[Line]) -> (Vec<Inline>, bool) {
    let mut text: Vec<String> = lines.iter().map(|l| l.text.clone()).collect();
    let Some(last) = text.last_mut() else {
        return (Vec::new(), false);
    };
    let Some(stripped) = last.strip_suffix("::") else {
        return (inlines(&text), false);
    };
    *last = if stripped.ends_with(char::is_whitespace) || stripped.is_empty() {
        stripped.trim_end().to_string()
    } else {
        format!("{stripped}:")
    };
    (inlines(&text), true)
}

/// A paragraph's inlines with its text as written.
fn paragraph_text(lines: &[Line]) -> Vec<Inline> {
    let text: Vec<String> = lines.iter().map(|l| l.text.clone()).collect();
    inlines(&text)
}

/// The inlines of a paragraph's lines, soft breaks between them.
fn inlines(lines: &[String]) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    for line in lines.iter().filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push(Inline::Soft);
        }
        highlights(line, &mut out);
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn push_text(out: &mut Vec<Inline>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Inline::Text(t)) = out.last_mut() {
        t.push_str(s);
    } else {
        out.push(Inline::Text(s.to_string()));
    }
}

/// The length of the identifier at the start of `s` (`[A-Za-z_]\w*`).
fn ident_len(s: &str) -> usize {
    let mut n = 0;
    for (i, c) in s.char_indices() {
        let ok = if i == 0 {
            c.is_ascii_alphabetic() || c == '_'
        } else {
            c.is_ascii_alphanumeric() || c == '_'
        };
        if !ok {
            break;
        }
        n = i + c.len_utf8();
    }
    n
}

/// One line's text with kernel-doc's highlights as code spans.
fn highlights(line: &str, out: &mut Vec<Inline>) {
    let mut i = 0;
    let mut plain = 0;
    while i < line.len() {
        let rest = &line[i..];
        let c = rest.chars().next().unwrap_or(' ');
        let prev = line[..i].chars().next_back();
        let word_start = prev.is_none_or(|p| !is_word(p) && !"@%&.>".contains(p));
        if let Some((skip, code)) = highlight(rest, c, word_start) {
            push_text(out, &line[plain..i]);
            out.push(Inline::Code(code));
            i += skip;
            plain = i;
            continue;
        }
        i += c.len_utf8();
    }
    push_text(out, &line[plain..]);
}

/// A highlight starting `rest` (whose first character is `c`): the bytes
/// it takes and the code it shows.
fn highlight(rest: &str, c: char, word_start: bool) -> Option<(usize, String)> {
    match c {
        '`' if rest.starts_with("``") => {
            let end = rest[2..].find("``")?;
            let body = &rest[2..2 + end];
            (!body.trim().is_empty()).then(|| (end + 4, body.to_string()))
        }
        '@' | '%' if word_start => {
            let body = &rest[1..];
            let n = if c == '%' {
                // %CONST, %-EINVAL, %SCX_OPS_* (kernel-doc: [-_*\w]+)
                let n: usize = body
                    .char_indices()
                    .take_while(|(_, ch)| ch.is_ascii_alphanumeric() || "_-*".contains(*ch))
                    .map(|(_, ch)| ch.len_utf8())
                    .sum();
                let name = &body[..n];
                if !name.chars().any(|ch| ch.is_ascii_alphanumeric()) {
                    return None;
                }
                n
            } else {
                // @param, @param->field, @param.field
                let mut n = ident_len(body);
                while n > 0 {
                    let tail = &body[n..];
                    let sep = if tail.starts_with("->") {
                        2
                    } else if tail.starts_with('.') {
                        1
                    } else {
                        0
                    };
                    let more = if sep > 0 { ident_len(&tail[sep..]) } else { 0 };
                    if more == 0 {
                        break;
                    }
                    n += sep + more;
                }
                n
            };
            (n > 0).then(|| (n + 1, body[..n].to_string()))
        }
        '&' if word_start => {
            let body = &rest[1..];
            let mut n = 0;
            for kw in ["struct ", "union ", "enum ", "typedef "] {
                if body.starts_with(kw) && ident_len(&body[kw.len()..]) > 0 {
                    n = kw.len();
                    break;
                }
            }
            let name = ident_len(&body[n..]);
            (name > 0).then(|| (n + name + 1, body[..n + name].to_string()))
        }
        c if word_start && (c.is_ascii_alphabetic() || c == '_') => {
            let n = ident_len(rest);
            rest[n..]
                .starts_with("()")
                .then(|| (n + 2, rest[..n + 2].to_string()))
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "kdoc_text_tests.rs"]
mod tests;
