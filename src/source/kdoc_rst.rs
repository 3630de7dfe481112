//! What Sphinx reports about a kernel-doc comment once `scripts/kernel-doc`
//! has turned it into reStructuredText for `make htmldocs`.
//!
//! kernel-doc copies a comment's text into its output nearly as written,
//! with its highlights made markup (`@name` → `**name**`, `%CONST` and
//! ` ``x`` ` → literals, `&struct x` and `func()` → cross-references), and
//! docutils then reads it as RST. Text written for people rather than for
//! RST makes docutils complain: a line indented more than the line before
//! it in a paragraph ("Unexpected indentation", an error), a list or
//! definition followed by text without a blank line ("ends without a blank
//! line"), a `*` that opens emphasis and nothing closes it, a `::` with no
//! indented block after it. Sphinx's C domain also refuses a parameter
//! declared as a function type (`bool (less)(...)`, which C reads as a
//! pointer) in the `.. c:function::` line kernel-doc writes.
//!
//! [`problems`] applies these docutils rules to each piece of the comment
//! kernel-doc outputs (summary, parameter descriptions, description,
//! sections). They are the rules of the docutils "reStructuredText Markup
//! Specification" for the constructs kernel comments use; `tests/kdoc_pages.rs`
//! holds them against docutils itself on every kfunc comment of the real
//! trees.

use crate::model::{Doc, KernelDocWarning, Kfunc, Param};

/// The problems Sphinx would report for `doc`, the comment of a function
/// with parameters `params`.
pub fn problems(doc: &Doc, params: &[Param]) -> Vec<KernelDocWarning> {
    let mut out = Vec::new();
    let mut push = |what: &str, message: String| {
        out.push(KernelDocWarning {
            line: doc.line,
            message: format!("{what}: {message}"),
            only_if_named: None,
        });
    };
    for p in params {
        if p.ty.contains("()(") {
            push(
                "declaration",
                format!(
                    "parameter `{}` is declared as a function type, which Sphinx's C parser \
                     refuses (\"Invalid C declaration\"); declare it as a pointer",
                    p.name
                ),
            );
        }
    }
    if let Some(s) = &doc.summary {
        for m in text_problems(s) {
            push("summary", m);
        }
    }
    for p in &doc.params {
        for m in text_problems(&p.text) {
            push(&format!("@{}", p.name), m);
        }
    }
    if let Some(b) = &doc.body {
        for m in text_problems(b) {
            push("description", m);
        }
    }
    if let Some(r) = &doc.returns {
        for m in text_problems(r) {
            push("Return", m);
        }
    }
    if let Some(c) = &doc.context {
        for m in text_problems(c) {
            push("Context", m);
        }
    }
    for s in &doc.sections {
        for m in text_problems(&s.text) {
            push(&s.name, m);
        }
    }
    out.dedup();
    out
}

/// Whether a `.. kernel-doc::` directive for `k` adds nothing to `make
/// htmldocs` but its documentation, and shows what a BPF program calls: the
/// comment names the function, kernel-doc warns about no comment of its
/// file (the directive parses it all), Sphinx reads its output cleanly,
/// and the kfunc takes no implicit arguments (`KF_IMPLICIT_ARGS`: the
/// directive would show the kernel's declaration, with the arguments the
/// verifier supplies, instead of the one programs call).
pub fn directive_is_clean(k: &Kfunc) -> bool {
    let (Some(d), Some(def)) = (&k.doc, &k.definition) else {
        return false;
    };
    d.kernel_doc
        && d.name.as_deref() == Some(k.name.as_str())
        && d.sphinx_warnings.is_empty()
        && def
            .kernel_doc_warnings
            .iter()
            .all(|w| w.only_if_named.as_ref().is_some_and(|n| *n != k.name))
        && !k.flags.iter().any(|f| f == "KF_IMPLICIT_ARGS")
}

/// A line: indentation in columns (tabs to 8) and text.
struct Line<'a> {
    indent: usize,
    text: &'a str,
}

fn indent_of(l: &str) -> usize {
    let mut col = 0;
    for c in l.chars() {
        match c {
            ' ' => col += 1,
            '\t' => col += 8 - col % 8,
            _ => break,
        }
    }
    col
}

/// A bullet or enumerator at the start of `t` and its width with the
/// space after it, as docutils recognises them (`*`, `-`, `+`, `•`;
/// `1.`, `1)`, `(1)`, `#.`, one letter).
fn list_marker(t: &str) -> Option<(bool, usize)> {
    // The width counts every space after the marker (docutils' match end).
    let spaced = |rest: &str| t.len() - rest.trim_start_matches(' ').len();
    for b in ["* ", "- ", "+ ", "\u{2022} "] {
        if let Some(rest) = t.strip_prefix(b) {
            return Some((false, spaced(rest)));
        }
    }
    let (open, body) = match t.strip_prefix('(') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let n = body
        .bytes()
        .take_while(|b| b.is_ascii_digit())
        .count()
        .max(usize::from(
            body.starts_with('#') || body.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()),
        ));
    if n == 0 {
        return None;
    }
    let after = &body[n..];
    let close = if open { ")" } else { after.get(..1)? };
    if (open && !after.starts_with(')')) || (!open && close != "." && close != ")") {
        return None;
    }
    let rest = &after[1..];
    rest.starts_with(' ').then(|| (true, spaced(rest)))
}

/// docutils' complaints about one piece of text.
fn text_problems(text: &str) -> Vec<String> {
    let lines: Vec<Line<'_>> = text
        .lines()
        .map(|l| Line {
            indent: indent_of(l),
            text: l.trim(),
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    // After a paragraph ending with `::`: the indentation of the paragraph.
    let mut literal_after: Option<usize> = None;
    while i < lines.len() {
        if lines[i].text.is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && !lines[i].text.is_empty() {
            i += 1;
        }
        let chunk = &lines[start..i];
        if let Some(base) = literal_after {
            if chunk[0].indent > base {
                // The literal block: everything indented more, blank lines
                // included.
                while i < lines.len() && (lines[i].text.is_empty() || lines[i].indent > base) {
                    i += 1;
                }
                literal_after = None;
                continue;
            }
            out.push("a paragraph ends with `::` but no indented literal block follows".into());
            literal_after = None;
        }
        chunk_problems(chunk, &mut out);
        let last = chunk[chunk.len() - 1].text;
        if last.ends_with("::") {
            literal_after = Some(chunk[0].indent);
        }
    }
    if literal_after.is_some() {
        out.push("a paragraph ends with `::` but no indented literal block follows".into());
    }
    out
}

/// Problems of one run of non-blank lines.
fn chunk_problems(chunk: &[Line<'_>], out: &mut Vec<String>) {
    let first = &chunk[0];
    // An enumerator starts a list only when the next line is blank or
    // indented ("1. a" then "b" is a paragraph).
    let marker = list_marker(first.text).filter(|&(enumerated, _)| {
        !enumerated
            || chunk
                .get(1)
                .is_none_or(|n| n.indent > first.indent || list_marker(n.text).is_some())
    });
    if let Some((_, width)) = marker {
        // Items of one list, each with its continuation lines. docutils
        // takes an item's body as the block indented more than its marker.
        // Continuation lines must reach the item's text column.
        let at = first.indent;
        let mut col = at + width;
        let mut para: Vec<&str> = vec![&first.text[width.min(first.text.len())..]];
        for l in &chunk[1..] {
            if let Some((_, w)) = list_marker(l.text).filter(|_| l.indent == at) {
                inline_problems(&para.join(" "), out);
                para = vec![&l.text[w.min(l.text.len())..]];
                col = at + w;
            } else if l.indent >= col {
                para.push(l.text);
            } else {
                out.push(format!(
                    "a list ends without a blank line before \"{}\" (docutils: unexpected unindent)",
                    l.text
                ));
                inline_problems(&para.join(" "), out);
                return;
            }
        }
        inline_problems(&para.join(" "), out);
        return;
    }
    let mut para: Vec<&str> = vec![first.text];
    for (n, l) in chunk.iter().enumerate().skip(1) {
        if l.indent > first.indent {
            if n == 1 {
                // A term and its definition: the definition must end with
                // a blank line.
                if let Some(u) = chunk[2..].iter().find(|x| x.indent <= first.indent) {
                    out.push(format!(
                        "a definition ends without a blank line before \"{}\" (docutils: \
                         unexpected unindent)",
                        u.text
                    ));
                }
                return;
            }
            out.push(format!(
                "\"{}\" is indented more than the line before it in a paragraph (docutils: \
                 unexpected indentation)",
                l.text
            ));
            inline_problems(&para.join(" "), out);
            return;
        }
        if l.indent < first.indent {
            out.push(format!(
                "an indented paragraph (a block quote) ends without a blank line before \
                 \"{}\" (docutils: unexpected unindent)",
                l.text
            ));
            inline_problems(&para.join(" "), out);
            return;
        }
        para.push(l.text);
    }
    inline_problems(&para.join(" "), out);
}

/// The text as kernel-doc writes it: its highlights made markup, as
/// `scripts/kernel-doc` does wherever they occur (`@name` → `**name**`,
/// `%CONST` → ` ``CONST`` `, `&struct name` → a `:c:type:` role, `func()`
/// after a word boundary → a `:c:func:` role).
fn with_highlights(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let take_word = |mut j: usize| {
        while j < b.len() && word(b[j]) {
            j += 1;
        }
        j
    };
    while i < b.len() {
        let c = b[i];
        if c == '`' && b.get(i + 1) == Some(&'`') {
            // ``literal`` as written: copied whole.
            if let Some(end) =
                (i + 2..b.len().saturating_sub(1)).find(|&j| b[j] == '`' && b[j + 1] == '`')
            {
                out.extend(&b[i..end + 2]);
                i = end + 2;
                continue;
            }
        }
        match c {
            '@' => {
                // @param, @param.member, @param->member, @...
                let mut j = take_word(i + 1);
                while j > i + 1 {
                    let sep = match (b.get(j), b.get(j + 1), b.get(j + 2)) {
                        (Some('.'), Some(n), _) if word(*n) => 1,
                        (Some('-'), Some('>'), Some(n)) if word(*n) => 2,
                        _ => 0,
                    };
                    if sep == 0 {
                        break;
                    }
                    j = take_word(j + sep);
                }
                if j > i + 1 {
                    out.push_str("**");
                    out.extend(&b[i + 1..j]);
                    out.push_str("**");
                    i = j;
                    continue;
                }
            }
            '%' => {
                let mut j = i + 1;
                while j < b.len() && (word(b[j]) || b[j] == '-' || b[j] == '*') {
                    j += 1;
                }
                if j > i + 1 {
                    out.push_str("``");
                    out.extend(&b[i + 1..j]);
                    out.push_str("``");
                    i = j;
                    continue;
                }
            }
            '&' => {
                let rest: String = b[i + 1..].iter().take(9).collect();
                let kw = ["struct ", "union ", "enum ", "typedef "]
                    .iter()
                    .find(|k| rest.starts_with(**k))
                    .map_or(0, |k| k.len());
                let j = take_word(i + 1 + kw);
                if j > i + 1 + kw {
                    out.push_str(":c:type:`");
                    out.extend(&b[i + 1..j]);
                    out.push('`');
                    i = j;
                    continue;
                }
            }
            c if word(c) && (i == 0 || !word(b[i - 1])) => {
                let j = take_word(i);
                if b.get(j) == Some(&'(') && b.get(j + 1) == Some(&')') {
                    out.push_str(":c:func:`");
                    out.extend(&b[i..j + 2]);
                    out.push('`');
                    i = j + 2;
                    continue;
                }
                out.extend(&b[i..j]);
                i = j;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Inline markup docutils would start and never end, and references to
/// targets that do not exist (`name_`, `|sub|`).
fn inline_problems(text: &str, out: &mut Vec<String>) {
    let s = with_highlights(text);
    let c: Vec<char> = s.chars().collect();
    let before_ok =
        |i: usize| i == 0 || c[i - 1].is_whitespace() || "-:/'\"<([{".contains(c[i - 1]);
    let after_ok =
        |i: usize| i >= c.len() || c[i].is_whitespace() || "-.,:;!?\\/'\")]}>".contains(c[i]);
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '\\' {
            i += 2;
            continue;
        }
        if (ch == '*' || ch == '`' || ch == '|') && before_ok(i) {
            let run = c[i..].iter().take_while(|&&x| x == ch).count();
            let len = run.min(2);
            let next = c.get(i + len);
            let quoted = i > 0
                && next.is_some_and(|n| {
                    matches!(
                        (c[i - 1], *n),
                        ('\'', '\'')
                            | ('"', '"')
                            | ('(', ')')
                            | ('[', ']')
                            | ('{', '}')
                            | ('<', '>')
                    )
                });
            if next.is_some_and(|n| !n.is_whitespace()) && !quoted && !(ch == '|' && len == 2) {
                // Find the end-string: the same characters after
                // non-whitespace, followed by whitespace, punctuation or the end.
                let mut j = i + len + 1;
                let mut found = None;
                while j + len <= c.len() {
                    if c[j..j + len].iter().all(|&x| x == ch)
                        && !c[j - 1].is_whitespace()
                        && (ch != '*' || len == 2 || c.get(j + 1) != Some(&'*'))
                        && after_ok(j + len)
                    {
                        found = Some(j);
                        break;
                    }
                    j += 1;
                }
                match found {
                    Some(j) => {
                        if ch == '|' {
                            let name: String = c[i + 1..j].iter().collect();
                            out.push(format!(
                                "`|{name}|` refers to a substitution that is not defined"
                            ));
                        }
                        i = j + len;
                        continue;
                    }
                    None => {
                        let what = match (ch, len) {
                            ('*', 1) => "emphasis",
                            ('*', _) => "strong emphasis",
                            ('`', 1) => "interpreted text",
                            ('`', _) => "inline literal",
                            _ => "substitution reference",
                        };
                        out.push(format!(
                            "`{}` starts {what} that nothing ends (docutils: start-string \
                             without end-string)",
                            c[i..i + len].iter().collect::<String>()
                        ));
                        i += len;
                        continue;
                    }
                }
            }
            i += run;
            continue;
        }
        if ch == '_' && i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '`' || c[i - 1] == ']')
        {
            let run = c[i..].iter().take_while(|&&x| x == '_').count();
            if run <= 2 && after_ok(i + run) {
                let word: String = c[..i]
                    .iter()
                    .rev()
                    .take_while(|x| x.is_alphanumeric() || **x == '_' || **x == '-')
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                out.push(format!(
                    "`{word}{}` is a reference to a hyperlink target that does not exist",
                    "_".repeat(run)
                ));
            }
            i += run;
            continue;
        }
        i += 1;
    }
}

#[cfg(test)]
#[path = "kdoc_rst_tests.rs"]
mod tests;
