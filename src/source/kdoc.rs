//! Comments above kfunc definitions, read the way `scripts/kernel-doc` reads
//! them.
//!
//! A `/**` comment is kernel-doc: an identifier line `name() - summary`
//! (the summary may wrap), `@param:` descriptions, then free description
//! text and sections (`Return:`, `Context:`, `Note:`...). A blank line ends
//! a parameter or `Context:` description, as in kernel-doc. Any other comment
//! is kept whole as `body` with `kernel_doc: false`.

use crate::model::{Doc, DocParam, DocSection};

/// Section headings kernel-doc recognises besides `@param:`: its
/// `doc_sect` rule (`kdoc_parser.py` in 7.x, `scripts/kernel-doc` in 6.x),
/// `\s*(description|context|returns?|notes?|examples?)\s*:([^:].*)?$`
/// after the comment's star, any case. Only these names: `Warning:` is
/// text, and `Example::` (a literal block) is not a heading.
fn section_name(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start();
    let n = t.bytes().take_while(u8::is_ascii_alphabetic).count();
    let key = &t[..n];
    let known = matches!(
        key.to_ascii_lowercase().as_str(),
        "return"
            | "returns"
            | "context"
            | "note"
            | "notes"
            | "example"
            | "examples"
            | "description"
    );
    let rest = t[n..].trim_start().strip_prefix(':')?;
    (known && !rest.starts_with(':')).then_some((key, rest.trim_start()))
}

/// `name() - summary`, `name - summary`, `name: summary` → (name, summary).
fn identifier_line(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    let line = line.strip_prefix("function ").unwrap_or(line);
    let n = line
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if n == 0 {
        return None;
    }
    let (name, rest) = line.split_at(n);
    let rest = rest.strip_prefix("()").unwrap_or(rest).trim_start();
    let summary = rest.strip_prefix('-').or_else(|| rest.strip_prefix(':'))?;
    Some((name, summary.trim()))
}

/// The text lines of a comment: delimiters and the leading ` * ` removed.
fn comment_lines(text: &str) -> Vec<String> {
    let inner = text
        .strip_prefix("/**")
        .or_else(|| text.strip_prefix("/*"))
        .or_else(|| text.strip_prefix("//"))
        .unwrap_or(text);
    let inner = inner.strip_suffix("*/").unwrap_or(inner);
    let mut lines: Vec<String> = inner
        .lines()
        .map(|l| {
            let t = l.trim_start();
            // As kernel-doc: the star and one space go (`\s*\* ?`); a tab
            // after the star is indentation and stays.
            let t = match t.strip_prefix('*') {
                Some(r) => r.strip_prefix(' ').unwrap_or(r),
                None => t,
            };
            t.trim_end().to_string()
        })
        .collect();
    while lines.first().is_some_and(|l| l.is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

fn finish(text: &[String]) -> Option<String> {
    let mut lines: Vec<&str> = text.iter().map(String::as_str).collect();
    while lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// kernel-doc's rule for a section whose text starts on its heading line
/// (`Return: text`): the spaces that indent the second line are removed
/// from it and the lines after it, up to a blank line, so that a hanging
/// indentation is not read as structure (`kdoc_parser.py`, `leading_space`;
/// 6.x applied it to `Context:` only, 7.x to `Return:` too).
fn hanging_indent(text: &mut [String]) {
    if text.first().is_none_or(|l| l.trim().is_empty()) {
        return;
    }
    strip_lead(text);
}

/// Removes from the lines after the first, up to a blank line, the spaces
/// (not tabs) that indent the second: kernel-doc's `leading_space`, which
/// it applies to a parameter's description whatever its first line.
fn strip_lead(text: &mut [String]) {
    let lead = text
        .get(1)
        .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
    for l in text.iter_mut().skip(1) {
        if l.trim().is_empty() {
            break;
        }
        let n = (l.len() - l.trim_start_matches(' ').len()).min(lead);
        l.drain(..n);
    }
}

enum Section {
    Body,
    Param(usize),
    Named(String),
}

/// Parses a comment's text. `kernel_doc` comments start with `/**` (but not
/// `/***`). Returns the doc and the name the identifier line gives, if any.
pub fn parse(text: &str, file: &str, line: u32) -> (Doc, Option<String>) {
    let kernel_doc =
        text.starts_with("/**") && !text.starts_with("/***") && !text.starts_with("/**/");
    let lines = comment_lines(text);
    let mut doc = Doc {
        kernel_doc,
        file: file.to_string(),
        line,
        ..Doc::default()
    };
    if !kernel_doc {
        doc.body = finish(&lines);
        return (doc, None);
    }
    let mut ident = None;
    let mut rest = &lines[..];
    if let Some(first) = lines.first()
        && let Some((name, summary)) = identifier_line(first)
    {
        ident = Some(name.to_string());
        let mut summary = summary.to_string();
        rest = &lines[1..];
        // The summary continues until a blank line, a parameter or a section.
        while let Some(l) = rest.first() {
            if l.trim().is_empty() || l.trim_start().starts_with('@') || section_name(l).is_some() {
                break;
            }
            if !summary.is_empty() {
                summary.push(' ');
            }
            summary.push_str(l.trim());
            rest = &rest[1..];
        }
        doc.summary = (!summary.is_empty()).then_some(summary);
    }
    let mut body: Vec<String> = Vec::new();
    let mut params: Vec<(String, Vec<String>)> = Vec::new();
    let mut named: Vec<(String, Vec<String>)> = Vec::new();
    let mut cur = Section::Body;
    for l in rest {
        let trimmed = l.trim_start();
        if let Some(p) = trimmed.strip_prefix('@')
            && let Some((name, text)) = p.split_once(':')
        {
            let name = name.trim();
            if !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
            {
                params.push((name.to_string(), vec![text.trim().to_string()]));
                cur = Section::Param(params.len() - 1);
                continue;
            }
        }
        if let Some((key, text)) = section_name(l) {
            if key.eq_ignore_ascii_case("description") {
                cur = Section::Body;
                body.push(text.to_string());
            } else {
                named.push((key.to_string(), vec![text.to_string()]));
                cur = Section::Named(key.to_string());
            }
            continue;
        }
        match &cur {
            Section::Param(i) => {
                if trimmed.is_empty() {
                    cur = Section::Body;
                } else {
                    params[*i].1.push(l.clone());
                }
            }
            Section::Named(key) if key.eq_ignore_ascii_case("context") && trimmed.is_empty() => {
                cur = Section::Body;
            }
            Section::Named(_) => {
                if let Some(last) = named.last_mut() {
                    last.1.push(l.clone());
                }
            }
            Section::Body => body.push(l.clone()),
        }
    }
    doc.params = params
        .into_iter()
        .map(|(name, mut text)| {
            strip_lead(&mut text);
            DocParam {
                name,
                text: finish(&text).unwrap_or_default(),
            }
        })
        .collect();
    for (key, mut text) in named {
        if matches!(
            key.to_ascii_lowercase().as_str(),
            "return" | "returns" | "context"
        ) {
            hanging_indent(&mut text);
        }
        let text = finish(&text).unwrap_or_default();
        match key.to_ascii_lowercase().as_str() {
            "return" | "returns" if doc.returns.is_none() => doc.returns = Some(text),
            "context" if doc.context.is_none() => doc.context = Some(text),
            _ => doc.sections.push(DocSection { name: key, text }),
        }
    }
    doc.body = finish(&body);
    (doc, ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_doc_with_params_and_return() {
        let (d, id) = parse(
            "/**\n * bpf_task_acquire - Acquire a reference to a task. A task acquired by this\n \
             * kfunc which is not stored in a map as a kptr, must be released by calling\n \
             * bpf_task_release().\n * @p: The task on which a reference is being acquired.\n \
             */",
            "kernel/bpf/helpers.c",
            2383,
        );
        assert_eq!(id.as_deref(), Some("bpf_task_acquire"));
        assert!(d.kernel_doc);
        assert_eq!(
            d.summary.as_deref(),
            Some(
                "Acquire a reference to a task. A task acquired by this kfunc which is not stored in a map as a kptr, must be released by calling bpf_task_release()."
            )
        );
        assert_eq!(d.params.len(), 1);
        assert_eq!(d.params[0].name, "p");
        assert_eq!(d.line, 2383);
    }

    #[test]
    fn sections_and_body() {
        let (d, id) = parse(
            "/**\n * bpf_get_file_xattr() - get xattr of a file\n * @file: file to get xattr from\n \
             * @name__str: name of the xattr\n *              continued\n *\n \
             * Get xattr *name__str* of *file* and store the output in *value_ptr*.\n *\n \
             * For security reasons, only *name__str* with prefix \"user.\" is allowed.\n *\n \
             * Return: 0 on success, a negative value on error.\n * Context: sleepable.\n */",
            "f.c",
            1,
        );
        assert_eq!(id.as_deref(), Some("bpf_get_file_xattr"));
        assert_eq!(d.summary.as_deref(), Some("get xattr of a file"));
        assert_eq!(d.params[1].text, "name of the xattr\ncontinued");
        assert!(
            d.body
                .as_deref()
                .unwrap()
                .starts_with("Get xattr *name__str*")
        );
        assert!(
            d.body
                .as_deref()
                .unwrap()
                .contains("\n\nFor security reasons")
        );
        assert_eq!(
            d.returns.as_deref(),
            Some("0 on success, a negative value on error.")
        );
        assert_eq!(d.context.as_deref(), Some("sleepable."));
    }

    #[test]
    fn plain_comment_is_body() {
        let (d, id) = parse(
            "/* bpf_xdp_ct_alloc - Allocate a new CT entry\n *\n * Parameters:\n * @xdp_ctx\t- Pointer\n */",
            "f.c",
            3,
        );
        assert!(!d.kernel_doc);
        assert!(id.is_none());
        assert!(d.summary.is_none());
        assert!(d.body.unwrap().starts_with("bpf_xdp_ct_alloc - Allocate"));
    }

    #[test]
    fn hanging_indentation_of_a_section_is_removed_and_tabs_stay() {
        // bpf_lookup_system_key (kernel/trace/bpf_trace.c, 6.12)
        let (d, _) = parse(
            "/**\n * f() - x\n *\n * Return: a bpf_key pointer set from the\n \
             *         pre-determined ID\n *\n * if (!eth)\n *\treturn X;\n *\n \
             * Note:\n * * one\n *   continued\n */",
            "f.c",
            1,
        );
        assert_eq!(
            d.returns.as_deref(),
            Some("a bpf_key pointer set from the\npre-determined ID\n\nif (!eth)\n\treturn X;")
        );
        assert_eq!(d.sections[0].text, "* one\n  continued");
    }

    #[test]
    fn returns_section_keeps_paragraphs() {
        let (d, _) = parse(
            "/**\n * f() - x\n *\n * Returns: one\n *\n * two\n */",
            "f.c",
            1,
        );
        assert_eq!(d.returns.as_deref(), Some("one\n\ntwo"));
        assert!(d.body.is_none());
    }

    /// kernel-doc's `doc_sect`: any case, spaces before the name and the
    /// colon, not `Example::`, only the known names.
    #[test]
    fn section_headings_follow_kernel_docs_rule() {
        assert_eq!(section_name("Note: x"), Some(("Note", "x")));
        assert_eq!(section_name("  NOTES : x"), Some(("NOTES", "x")));
        assert_eq!(section_name("Example:"), Some(("Example", "")));
        assert_eq!(section_name("Example::"), None);
        assert_eq!(section_name("Warning: x"), None);
        assert_eq!(section_name("Return value: x"), None);
        assert_eq!(section_name("Notes_x: y"), None);
        assert_eq!(section_name("a Note: x"), None);
    }

    /// A parameter's continuation lines lose the second line's
    /// indentation and keep what is deeper (a list inside it).
    #[test]
    fn parameter_text_keeps_its_structure() {
        let (d, _) = parse(
            "/**\n * f() - x\n * @flags: one of:\n *        - A: a\n *          more\n \
             *        - B: b\n *\n * Body.\n */",
            "f.c",
            1,
        );
        assert_eq!(d.params[0].text, "one of:\n- A: a\n  more\n- B: b");
        assert_eq!(d.body.as_deref(), Some("Body."));
    }
}
