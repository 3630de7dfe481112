//! What text from the inputs may become in a published page: a link, a
//! directive argument, a title that a site generator puts into HTML.
//!
//! The pages are built by Sphinx, mdBook and MkDocs into sites that others
//! read, and their inputs (kernel comments, `MAINTAINERS`, module names,
//! paths, a policy that takes pull requests) are written by many hands
//! (issue 10). Escaping text is [`super::text`]'s job; this module decides
//! the few places where input-derived text is *not* plain text: link
//! targets (only `http(s)` may become a link), the file argument of a
//! `.. kernel-doc::` directive, and titles that MkDocs' Material theme
//! prints into its navigation without escaping them. Pure functions.

/// Whether `url` may be the target of a link in a page: an `http://` or
/// `https://` URL (any case), as issue 10 asks. Everything else, including
/// `mailto:` (an e-mail autolink keeps its address as text),
/// `javascript:`, `data:`, `vbscript:`, relative and protocol-relative
/// links, stays text. The test is on the destination as the Markdown
/// parser decoded it (entities and backslash escapes resolved), so
/// `java&#x09;script:` is seen as the tab-holding text it is and refused:
/// it does not start with an allowed scheme.
pub fn link_allowed(url: &str) -> bool {
    ["http://", "https://"].iter().any(|p| {
        url.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    })
}

/// Characters a link target written by kfuncdoc may not hold: they end or
/// change the link syntax of RST (`` `text <url>`__ ``), Markdown
/// (`[text](url)`) or YAML, or are read differently by docutils (which
/// drops whitespace from URLs) and browsers.
const URL_FORBIDDEN: &str = "<>`\"()[]{}|*\\";

/// Why `url` cannot be a link target in a page, or `None` when it can: an
/// `http(s)` URL of printable characters without whitespace or
/// `URL_FORBIDDEN` characters, not ending in `_` (`<name_>` is a
/// reference to a target in RST). Percent-encoding writes any of them.
/// The policy's `url:` values are checked with this at their YAML line, and
/// the templates' `url` filter applies it again to what a render context
/// holds.
pub fn url_problem(url: &str) -> Option<String> {
    let shown = crate::diag::terminal::escape(url);
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Some(format!("`{shown}` is not an http(s) URL"));
    }
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || URL_FORBIDDEN.contains(*c))
    {
        let what = if c.is_whitespace() || c.is_control() {
            format!("U+{:04X}", c as u32)
        } else {
            format!("`{c}`")
        };
        return Some(format!(
            "`{shown}` holds {what}, which cannot be written in a link: percent-encode it"
        ));
    }
    if url.ends_with('_') {
        return Some(format!(
            "`{shown}` ends with `_`, which RST reads as a reference: percent-encode it (%5F)"
        ));
    }
    None
}

/// Whether `path` can be the argument of a `.. kernel-doc::` directive as
/// it is written: a relative path of printable ASCII other than spaces and
/// backslashes. A directive argument is raw text to the end of the line,
/// so a line break would end it and start markup of the input's choosing,
/// and control or non-ASCII characters have no business in a kernel path.
/// A path that fails gets the text form of its kfunc instead.
pub fn directive_path_ok(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'\\' && b != b'`')
}

/// Whether `s` is a label or file stem as kfuncdoc makes them
/// ([`super::text::slug`], [`super::context::kfunc_label`]): ASCII letters,
/// digits, `_` and `-`, starting with a letter or digit.
pub fn is_label(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `s` for a title that MkDocs' Material theme prints into its HTML: the
/// navigation prints it raw, while the page's `<title>` prints it through
/// Jinja's `striptags`, which *decodes* character references again. So
/// `&` and quotes become references (shown as themselves in the raw
/// places, and decoded back to harmless text in `<title>`), and `<` and
/// `>` become the fullwidth `＜` and `＞`, which no decoding turns into a
/// tag: an escaped `&lt;/title&gt;&lt;script&gt;` would be a live script
/// after `striptags` (issue 10). Controls become spaces.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push('\u{FF1C}'),
            '>' => out.push('\u{FF1E}'),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `code` as a fenced Markdown code block of language `lang`: the fence is
/// longer than any run of backticks in `code`, so no line of it can close
/// the block early and let the rest be read as Markdown or HTML (a BTF
/// input names its types as it likes), and `{{#` is kept from mdBook's
/// preprocessor (see [`super::markdown`]).
pub fn md_code_block(code: &str, lang: &str) -> String {
    let run = super::text::longest_run(code, '`');
    let fence = "`".repeat((run + 1).max(3));
    let lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+-_.#".contains(*c))
        .collect();
    super::markdown::convert(
        &format!("{fence}{lang}\n{code}\n{fence}\n"),
        super::markdown::Target::Markdown,
    )
    .map(|s| s.trim_end().to_string())
    .unwrap_or_default()
}

#[cfg(test)]
#[path = "safe_tests.rs"]
mod tests;
