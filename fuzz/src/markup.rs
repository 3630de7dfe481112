//! What escaped text must look like: the properties the `escapers` and
//! `policy_markdown` targets check. Each function returns `Err` with a
//! description when the property does not hold.
//!
//! RST is checked by a small model of the docutils inline-markup and
//! block-start rules (no Python in the loop); Markdown by parsing with
//! pulldown-cmark, with the extensions `tests/render_text.rs` uses.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Characters that break a line for docutils (Python's `str.splitlines`)
/// or are no text: every control character, U+2028 and U+2029.
pub fn is_break(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Whitespace-normalised text, as the escapers show it: runs of ASCII
/// whitespace and [`is_break`] characters become one space, and whitespace
/// is trimmed at both ends.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_ascii_whitespace() || is_break(c) {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// The characters of RST text `o` with whether each was escaped; `\ `
/// (an escaped space, which docutils removes) is dropped.
fn rst_chars(o: &str) -> Result<Vec<(char, bool)>, String> {
    let mut out = Vec::new();
    let mut it = o.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some(' ') => {}
                Some(n) => out.push((n, true)),
                None => return Err(format!("{o:?} ends with a lone backslash")),
            }
        } else {
            out.push((c, false));
        }
    }
    Ok(out)
}

/// Whether `word` is a docutils enumerator without parentheses (`1.`,
/// `a)`, `iv.`).
fn is_enumerator(word: &str) -> bool {
    let Some(body) = word.strip_suffix(['.', ')']) else {
        return false;
    };
    let all = |set: &str| !body.is_empty() && body.chars().all(|c| set.contains(c));
    (body.chars().count() == 1 && body.chars().all(|c| c.is_ascii_alphabetic()))
        || all("0123456789")
        || all("ivxlcdm")
        || all("IVXLCDM")
}

/// One line of RST inline text `o` that should show `shown`: it shows
/// exactly that, and nothing in it can start markup, even at the start of
/// a line.
pub fn rst_line(o: &str, shown: &str) -> Result<(), String> {
    if o.chars().any(is_break) {
        return Err(format!("{o:?}: a control character or line break"));
    }
    let cs = rst_chars(o)?;
    let text: String = cs.iter().map(|&(c, _)| c).collect();
    if text != shown {
        return Err(format!("{o:?} shows {text:?}, not {shown:?}"));
    }
    for (i, &(c, esc)) in cs.iter().enumerate() {
        if esc {
            continue;
        }
        match c {
            '*' | '`' | '|' => return Err(format!("{o:?}: unescaped {c:?} at {i}")),
            // A reference ends with `_` or `__` not followed by a word
            // character; the end of the text counts as not one.
            '_' => {
                let next = cs[i + 1..].iter().find(|&&(c, _)| c != '_');
                if !next.is_some_and(|&(c, _)| c.is_alphanumeric()) {
                    return Err(format!("{o:?}: a reference `_` at {i}"));
                }
            }
            _ => {}
        }
    }
    if let Some(&(first, esc)) = cs.first()
        && !esc
    {
        if !first.is_alphanumeric() {
            return Err(format!("{o:?} starts with an unescaped {first:?}"));
        }
        let word: String = cs
            .iter()
            .take_while(|&&(c, _)| c != ' ')
            .map(|&(c, _)| c)
            .collect();
        if is_enumerator(&word) && !cs.iter().take(word.chars().count()).any(|&(_, e)| e) {
            return Err(format!("{o:?} starts with an enumerator"));
        }
    }
    if o.ends_with("::") {
        return Err(format!("{o:?} ends with `::`: a literal block follows"));
    }
    let mut raw = o.chars();
    if let Some(c) = raw.next()
        && !c.is_alphanumeric()
        && o.chars().count() >= 4
        && raw.all(|x| x == c)
    {
        return Err(format!("{o:?} is a transition or a title adornment"));
    }
    Ok(())
}

/// An RST inline literal `o` that should show `shown` verbatim.
pub fn rst_literal(o: &str, shown: &str) -> Result<(), String> {
    if o.chars().any(is_break) {
        return Err(format!("{o:?}: a line break"));
    }
    if let Some(inner) = o.strip_prefix("``").and_then(|r| r.strip_suffix("``")) {
        if inner.contains('`') || inner.is_empty() {
            return Err(format!("{o:?}: a backquote inside ``...``"));
        }
        if inner.starts_with(char::is_whitespace) || inner.ends_with(char::is_whitespace) {
            return Err(format!("{o:?}: whitespace inside the delimiters"));
        }
        return if inner == shown {
            Ok(())
        } else {
            Err(format!("{o:?} shows {inner:?}, not {shown:?}"))
        };
    }
    let inner = o
        .strip_prefix(":literal:`")
        .and_then(|r| r.strip_suffix('`'))
        .ok_or_else(|| format!("{o:?} is neither ``x`` nor :literal:`x`"))?;
    let cs = rst_chars(inner)?;
    if let Some(i) = cs.iter().position(|&(c, e)| c == '`' && !e) {
        return Err(format!("{o:?}: unescaped backquote at {i} of the role"));
    }
    // The start string must be followed, and the end string preceded, by
    // something other than whitespace.
    if inner.starts_with(char::is_whitespace)
        || inner.ends_with(|c: char| c.is_whitespace()) && !inner.ends_with("\\ ")
    {
        return Err(format!("{o:?}: whitespace next to the role's quotes"));
    }
    let text: String = cs.iter().map(|&(c, _)| c).collect();
    if text != shown {
        return Err(format!("{o:?} shows {text:?}, not {shown:?}"));
    }
    Ok(())
}

/// An RST section title `o` (title line, adornment) for `title`.
pub fn rst_heading(o: &str, title: &str) -> Result<(), String> {
    let lines: Vec<&str> = o.strip_suffix('\n').unwrap_or(o).split('\n').collect();
    let (line, rule) = match lines.as_slice() {
        [line, rule] => (*line, *rule),
        [over, line, rule] if over == rule => (*line, *rule),
        _ => return Err(format!("{o:?}: not a title")),
    };
    let shown = normalize(title);
    if shown.is_empty() {
        if line != "(untitled)" {
            return Err(format!("{o:?}: an empty title is not (untitled)"));
        }
    } else {
        rst_line(line, &shown)?;
    }
    let width: usize = line.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    let c = rule.chars().next().unwrap_or(' ');
    if !c.is_ascii_punctuation() || rule.chars().any(|x| x != c) || rule.len() < width.max(4) {
        return Err(format!("{o:?}: the adornment does not fit the title"));
    }
    Ok(())
}

/// The pulldown-cmark options of `tests/render_text.rs`: mdBook's and
/// every other extension that could turn text into markup.
pub fn md_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_MATH
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_WIKILINKS
}

/// Markdown `o` that should show the paragraphs `shown`: it parses to
/// those paragraphs of text and nothing else, and holds nothing mdBook's
/// `{{#...}}` preprocessor would expand.
pub fn md_text(o: &str, shown: &[String]) -> Result<(), String> {
    if o.contains("{{") {
        return Err(format!("{o:?}: `{{{{` reaches mdBook"));
    }
    let mut paras: Vec<String> = Vec::new();
    let mut open = false;
    for e in Parser::new_ext(o, md_options()) {
        match e {
            Event::Start(Tag::Paragraph) if !open => {
                open = true;
                paras.push(String::new());
            }
            Event::End(TagEnd::Paragraph) if open => open = false,
            Event::Text(t) if open => paras.last_mut().unwrap().push_str(&t),
            other => return Err(format!("{o:?}: {other:?}")),
        }
    }
    if paras != shown {
        return Err(format!("{o:?} shows {paras:?}, not {shown:?}"));
    }
    Ok(())
}

/// A Markdown code span `o` (after other text on a line) that should show
/// `shown`: code or text only, the `<code>` element of the fallback
/// allowed, nothing else. A code span keeps tabs and control characters,
/// the fallback writes them as spaces (like inline text): both count as
/// showing the text.
pub fn md_code(o: &str, shown: &str) -> Result<(), String> {
    if o.contains("{{") && o.contains('#') {
        let hit = o
            .match_indices("{{")
            .any(|(i, _)| o[i + 2..].trim_start().starts_with('#'));
        if hit {
            return Err(format!("{o:?}: an mdBook link"));
        }
    }
    let line = format!("x {o} y");
    let mut got = String::new();
    for e in Parser::new_ext(&line, md_options()) {
        match e {
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
            Event::Code(c) | Event::Text(c) => got.push_str(&c),
            Event::InlineHtml(h) if h.as_ref() == "<code>" || h.as_ref() == "</code>" => {}
            other => return Err(format!("{line:?}: {other:?}")),
        }
    }
    let spaced = |t: &str| -> String {
        t.chars()
            .map(|c| if is_break(c) { ' ' } else { c })
            .collect()
    };
    let want = format!("x {shown} y");
    if spaced(&got) != spaced(&want) && !(o.is_empty() && got == "x  y") {
        return Err(format!("{line:?} shows {got:?}, not {want:?}"));
    }
    Ok(())
}

/// RST written from the policy's Markdown: outside literal blocks, no
/// explicit markup starts but the empty comment (`..`) and
/// `.. code-block:: LANG` with a one-word language.
pub fn rst_blocks(o: &str) -> Result<(), String> {
    let mut literal: Option<usize> = None;
    // docutils' lines: Python's `splitlines`.
    let py_break = |c: char| {
        matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        )
    };
    for (n, line) in o.split(py_break).enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let t = line.trim_start_matches(' ');
        if t.is_empty() {
            continue;
        }
        if let Some(l) = literal {
            if indent > l {
                continue;
            }
            literal = None;
        }
        if t.chars().any(|c| c.is_control() && c != '\t') {
            return Err(format!("line {}: a control character: {line:?}", n + 1));
        }
        if t.starts_with("..") {
            if t == ".." {
                continue;
            }
            let lang = t
                .strip_prefix(".. code-block:: ")
                .ok_or_else(|| format!("line {}: explicit markup {line:?}", n + 1))?;
            if lang.is_empty() || !lang.chars().all(lang_char) {
                return Err(format!("line {}: code-block language {lang:?}", n + 1));
            }
            literal = Some(indent);
            continue;
        }
        if t.ends_with("::") && !t.ends_with("\\::") {
            literal = Some(indent);
        }
    }
    Ok(())
}

/// Markdown written from the policy's Markdown: no raw HTML reaches the
/// page, and nothing mdBook's preprocessor would expand.
pub fn md_blocks(o: &str) -> Result<(), String> {
    let hit = o
        .match_indices("{{")
        .any(|(i, _)| o[i + 2..].trim_start().starts_with('#'));
    if hit {
        return Err(format!("{o:?}: an mdBook link"));
    }
    for e in Parser::new_ext(o, md_options()) {
        match e {
            // The writers' own elements, around escaped text: `<code>`
            // (md_code's fallback) and `<pre><code>` blocks, with the
            // fence's language as a `language-` class (code that a fence
            // cannot hold: it would contain an mdBook link).
            Event::Html(h) | Event::InlineHtml(h) if !writers_html(&h) => {
                return Err(format!("{o:?}: raw HTML {h:?}"));
            }
            Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
            Event::Start(Tag::Image { .. }) => {
                return Err(format!("{o:?}: {e:?}"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// A character the writers allow in a code block's language word (the
/// parser of `render::markdown` refuses any other).
fn lang_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+-_.#".contains(c)
}

/// Whether the HTML `h` holds only the writers' own tags: `<code>`,
/// `</code>`, `</code></pre>`, and `<pre><code>` with at most a
/// `class="language-LANG"` of a one-word language, around text with no
/// `<`.
fn writers_html(h: &str) -> bool {
    const PRE: &str = "<pre><code";
    const CLASS: &str = " class=\"language-";
    let mut rest = h.to_string();
    while let Some(at) = rest.find(PRE) {
        let tail = &rest[at + PRE.len()..];
        let len = if tail.starts_with('>') {
            1
        } else if let Some(lang) = tail.strip_prefix(CLASS) {
            let word = lang.find(|c| !lang_char(c)).unwrap_or(lang.len());
            if word == 0 || !lang[word..].starts_with("\">") {
                return false;
            }
            CLASS.len() + word + 2
        } else {
            return false;
        };
        rest.replace_range(at..at + PRE.len() + len, "");
    }
    for tag in ["</code></pre>", "<code>", "</code>"] {
        rest = rest.replace(tag, "");
    }
    !rest.contains('<')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writers_own_html_only() {
        assert!(writers_html("<pre><code>a &lt; b"));
        assert!(writers_html(
            "<pre><code class=\"language-c\">x</code></pre>"
        ));
        assert!(writers_html("x <code>y</code>"));
        assert!(!writers_html("<pre><code class=\"language-\">x"));
        assert!(!writers_html(
            "<pre><code class=\"language-c\" onload=\"x\">"
        ));
        assert!(!writers_html("<pre><code class=\"x\">"));
        assert!(!writers_html("<pre>x"));
        assert!(!writers_html("<b>x</b>"));
    }
}
