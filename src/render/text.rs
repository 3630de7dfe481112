//! Plain text into reStructuredText and Markdown that renders as exactly
//! that text and never becomes markup.
//!
//! Kernel comments, BTF names and policy strings are data: a `*` in a
//! comment must not start emphasis in the kernel's `make htmldocs`, a `_`
//! after a name must not become a hyperlink reference, and a `{{#include}}`
//! in a string must not be expanded by mdBook. These functions are pure and
//! know nothing of where their output goes, so each one assumes the worst
//! place: the start of a line (where block constructs such as lists, field
//! lists or headings begin).
//!
//! Text is whitespace-normalised the way HTML shows it: runs of whitespace
//! and control characters become one space, and leading and trailing
//! whitespace is dropped.
//!
//! The RST rules follow the docutils "inline markup recognition rules" and
//! were checked against docutils 0.22 (`tests/render_text.rs` keeps checking
//! them). The Markdown rules target CommonMark with the GFM extensions
//! (mdBook's pulldown-cmark), and use character references instead of
//! backslashes for `<`, `&`, `~`, `$`, and for `=` and `:` at the start of a
//! line, because Python-Markdown (MkDocs) only honours backslash escapes of
//! ``\`*_{}[]()>#+-.!`` (and `|` with its tables extension). Typographic
//! quotes and dashes (Sphinx `smartquotes`, mdBook smart punctuation) are
//! left to the site's settings: they change how text looks, not what it is.

/// One line of RST inline text: `s` with every character that could start
/// inline markup escaped, safe at the start of a line.
///
/// - `\`, `*`, `` ` `` and `|` are always escaped;
/// - a run of `_` is escaped unless a word character follows it (so
///   `bpf_task_acquire` stays readable, while `foo_`, `foo__` and `[1]_`
///   cannot become references);
/// - the first character is escaped unless it is a letter or digit, and a
///   letter or digit too when the first word is an enumerator (`1.`, `A.`,
///   `iv)`), so that no list, field list, option list, comment, directive,
///   doctest block, table or transition can start;
/// - a trailing `::` is written `:\:`, so no literal block is expected;
/// - a line of only backslashes starts with an escaped space (`\ `), so it
///   is not read as a transition or a title adornment.
pub fn rst_inline(s: &str) -> String {
    let s = normalize(s);
    let mut out = String::with_capacity(s.len() + 8);
    rst_escape_into(&mut out, &s, true);
    rst_finish_line(&mut out);
    out
}

/// The parts of a one-line message whose `` `backticked` `` parts are code
/// (how `diff` and `check` write names): `(is_code, text)`. With an odd
/// number of backticks (a name from BTF may hold one) it is all text.
fn tick_parts(s: &str) -> Vec<(bool, String)> {
    let s = normalize(s);
    if s.matches('`').count() % 2 == 1 {
        return vec![(false, s)];
    }
    s.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| (i % 2 == 1, part.to_string()))
        .collect()
}

/// A message with backticked code (see `tick_parts`) as one line of RST
/// inline text: code as [`rst_literal`], the rest escaped like
/// [`rst_inline`]. docutils recognises a literal only between whitespace or
/// punctuation, so one next to a letter or digit is set off by an escaped
/// space (`\ `, which it removes).
///
/// With `start`, the message starts a line (and is escaped as one);
/// without, it follows other text and keeps one leading space.
pub fn rst_ticks(s: &str, start: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let lead = !start && s.starts_with(|c: char| c.is_whitespace());
    if lead {
        out.push(' ');
    }
    let mut code_last = false;
    for (code, part) in tick_parts(s) {
        if code {
            if out.chars().last().is_some_and(char::is_alphanumeric) {
                out.push_str("\\ ");
            }
            out.push_str(&rst_literal(&part));
        } else {
            if code_last && part.starts_with(char::is_alphanumeric) {
                out.push_str("\\ ");
            }
            let at_start = start && out.is_empty();
            rst_escape_into(&mut out, &part, at_start);
        }
        code_last = code;
    }
    rst_finish_line(&mut out);
    out
}

/// A message with backticked code (see `tick_parts`) as Markdown inline
/// text: code as [`md_code`], the rest escaped like [`md_inline`];
/// `start` as for [`rst_ticks`].
pub fn md_ticks(s: &str, start: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    if !start && s.starts_with(|c: char| c.is_whitespace()) {
        out.push(' ');
    }
    for (code, part) in tick_parts(s) {
        if code {
            out.push_str(&md_code(&part));
        } else {
            let at_start = start && out.is_empty();
            md_escape_into(&mut out, &part, at_start);
        }
    }
    out
}

/// Several paragraphs of plain text as RST: paragraphs are separated by
/// blank lines in `s`, the lines of a paragraph are joined with spaces, and
/// each becomes one line escaped by [`rst_inline`]; the paragraphs are
/// joined by one blank line. Empty input gives an empty string.
pub fn rst_paragraphs(s: &str) -> String {
    paragraphs(s)
        .iter()
        .map(|p| rst_inline(p))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// An RST inline literal that shows `s` verbatim.
///
/// `` ``s`` `` where that is safe; when `s` is empty, contains a backquote,
/// or starts or ends with whitespace, the `:literal:` role instead, whose
/// content docutils unescapes: `\` and `` ` `` are escaped, and an escaped
/// space (`\ `, which docutils removes) is put before leading and after
/// trailing whitespace so the role's start and end strings stay recognised.
/// Line breaks and tabs become spaces: docutils would expand a tab relative
/// to its column in the source.
pub fn rst_literal(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if is_break(c) { ' ' } else { c })
        .collect();
    let plain = !s.is_empty()
        && !s.contains('`')
        && !s.starts_with(char::is_whitespace)
        && !s.ends_with(char::is_whitespace);
    if plain {
        return format!("``{s}``");
    }
    let mut out = String::from(":literal:`");
    if s.is_empty() || s.starts_with(char::is_whitespace) {
        out.push_str("\\ ");
    }
    for c in s.chars() {
        if c == '\\' || c == '`' {
            out.push('\\');
        }
        out.push(c);
    }
    if s.ends_with(char::is_whitespace) {
        out.push_str("\\ ");
    }
    out.push('`');
    out
}

/// An RST section title: the title line escaped by [`rst_inline`], an
/// underline of `ch` (and an overline of the same length when `overline`),
/// ending with `\n`.
///
/// docutils requires the adornment to be at least as wide as the title line
/// in its source, measured in columns (East Asian wide characters count
/// two), so every non-ASCII character is counted as two; a longer adornment
/// is fine, and it is at least four characters. `ch` must be printable ASCII punctuation, as docutils requires;
/// any other character is replaced by `=`. An empty title has no RST form
/// and is written `(untitled)`.
pub fn rst_heading(title: &str, ch: char, overline: bool) -> String {
    let mut line = rst_inline(title);
    if line.is_empty() {
        line = String::from("(untitled)");
    }
    let ch = if ch.is_ascii_punctuation() { ch } else { '=' };
    // docutils treats adornments shorter than four characters as text in
    // some positions ("so short"), so they are never shorter.
    let width: usize = line.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    let width = width.max(4);
    let rule: String = std::iter::repeat_n(ch, width).collect();
    if overline {
        format!("{rule}\n{line}\n{rule}\n")
    } else {
        format!("{line}\n{rule}\n")
    }
}

/// CommonMark inline text that renders as exactly `s`.
///
/// Backslash-escaped: `\`, `` ` ``, `*`, `[`, `]`, `{`, `}`, `>`, `|`, `!`
/// before `[`, and `_` unless it is inside a word (`bpf_task_acquire` stays
/// as it is: an underscore between letters can neither open nor close
/// emphasis). Written as character references: `<` (`&lt;`), `&` (`&amp;`),
/// `~` (`&#126;`, strikethrough), `$` (`&#36;`, math extensions) and `^`
/// (`&#94;`, superscript).
/// Because every brace is escaped, the output never contains `{{`, so
/// mdBook's `{{#include}}` preprocessor, which runs on the raw text, never
/// sees a link.
///
/// At the start of the line: `#`, `-` and `+` are backslash-escaped, `=` and
/// `:` become `&#61;` and `&#58;` (setext underline, definition list), and
/// the `.` or `)` after leading digits is escaped when a space or the end
/// follows (ordered list). Leading
/// whitespace, which could make an indented code block, is dropped.
pub fn md_inline(s: &str) -> String {
    let s = normalize(s);
    let mut out = String::with_capacity(s.len() + 8);
    md_escape_into(&mut out, &s, true);
    out
}

/// Several paragraphs of plain text as Markdown, split and joined like
/// [`rst_paragraphs`], each paragraph escaped by [`md_inline`].
pub fn md_paragraphs(s: &str) -> String {
    paragraphs(s)
        .iter()
        .map(|p| md_inline(p))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A CommonMark code span that shows `s` verbatim.
///
/// The backtick fence is one longer than the longest run of backticks in
/// `s`, padded with a space on each side when `s` starts or ends with a
/// backtick or both starts and ends with a space (CommonMark strips one
/// such space). Line breaks become spaces, as CommonMark does. An empty `s`
/// gives an empty string: CommonMark has no empty code span.
///
/// Two cases fall back to an HTML `<code>` element whose content is escaped
/// like [`md_inline`] text (Markdown is still parsed between inline HTML
/// tags, and entities are decoded), so the text still shows verbatim in
/// monospace:
///
/// - `s` contains `{{` followed by optional whitespace and `#`: mdBook
///   expands such links before parsing, even inside code spans, and nothing
///   can be escaped inside a code span;
/// - the fence would be three or more backticks: at the start of a line that
///   opens a fenced code block.
pub fn md_code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
        .collect();
    if s.is_empty() {
        return String::new();
    }
    let longest = longest_run(&s, '`');
    if longest >= 2 || has_mdbook_link(&s) {
        let mut out = String::from("<code>");
        md_escape_into(&mut out, &s, false);
        out.push_str("</code>");
        return out;
    }
    let fence = "`".repeat(longest + 1);
    let pad = s.starts_with('`')
        || s.ends_with('`')
        || (s.starts_with(' ') && s.ends_with(' ') && !s.chars().all(|c| c == ' '));
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A stable slug for file names and labels: lowercase ASCII letters and
/// digits, every other run of characters (including non-ASCII letters)
/// becoming one `-`, none at either end; `misc` when nothing is left.
///
/// `BPF [CORE]` → `bpf-core`, `NETFILTER` → `netfilter`. Different inputs
/// can give the same slug (`a b` and `a-b`); telling them apart is the
/// caller's problem.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("misc");
    }
    out
}

/// Escapes `s` as RST inline text into `out`, without normalising
/// whitespace (line breaks and tabs still become spaces). With
/// `line_start`, the first character gets the line-start treatment of
/// [`rst_inline`]; `s` must then not start with whitespace.
pub(crate) fn rst_escape_into(out: &mut String, s: &str, line_start: bool) {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    // A break first on a line would become indentation, or follow the
    // line-start escape as `\` + break: dropped, as normalising drops it.
    while line_start && chars.get(i).is_some_and(|&c| is_break(c)) {
        i += 1;
    }
    if line_start
        && let Some(&first) = chars.get(i)
        && (!first.is_alphanumeric()
            || starts_with_enumerator(&chars[i..].iter().collect::<String>()))
    {
        out.push('\\');
        out.push(first);
        i += 1;
    }
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' | '*' | '`' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                let end = chars[i..]
                    .iter()
                    .position(|&c| c != '_')
                    .map_or(chars.len(), |n| i + n);
                // A run of underscores ends a reference (`name_`, `name__`)
                // unless a word character follows it. The end of `s` counts
                // as "not a word character": the caller may append markup.
                let escape = chars.get(end).is_none_or(|c| !c.is_alphanumeric());
                for _ in i..end {
                    out.push_str(if escape { "\\_" } else { "_" });
                }
                i = end;
                continue;
            }
            // docutils links a standalone URI of any scheme it knows
            // (`javascript:`, `data:`, `file:`...): only http(s) may become
            // a link, so the colon after any other scheme is escaped, which
            // docutils drops from the text it shows (issue 10).
            ':' if chars[i..]
                .iter()
                .find(|&&c| c != ':')
                .is_some_and(|c| !c.is_whitespace() && *c != '`')
                && links_as_scheme(&chars[..i]) =>
            {
                out.push_str("\\:");
            }
            c if is_break(c) => out.push(' '),
            c => out.push(c),
        }
        i += 1;
    }
}

/// The URI schemes docutils links as standalone URIs, `http` and `https`
/// left out: `docutils/utils/urischemes.py` of docutils 0.22.4 (sorted;
/// `tests/hostile_markup.rs` checks the list against the docutils it runs).
const DOCUTILS_SCHEMES: &[&str] = &[
    "about",
    "acap",
    "addbook",
    "afp",
    "afs",
    "aim",
    "callto",
    "castanet",
    "chttp",
    "cid",
    "crid",
    "data",
    "dav",
    "dict",
    "dns",
    "eid",
    "fax",
    "feed",
    "file",
    "finger",
    "freenet",
    "ftp",
    "go",
    "gopher",
    "gsm-sms",
    "h323",
    "h324",
    "hdl",
    "hnews",
    "hydra",
    "iioploc",
    "ilu",
    "im",
    "imap",
    "info",
    "ior",
    "ipp",
    "irc",
    "iris.beep",
    "iseek",
    "jar",
    "javascript",
    "jdbc",
    "ldap",
    "lifn",
    "livescript",
    "lrq",
    "mailbox",
    "mailserver",
    "mailto",
    "md5",
    "mid",
    "mocha",
    "modem",
    "mtqp",
    "mupdate",
    "news",
    "nfs",
    "nntp",
    "opaquelocktoken",
    "phone",
    "pop",
    "pop3",
    "pres",
    "printer",
    "prospero",
    "rdar",
    "res",
    "rtsp",
    "rvp",
    "rwhois",
    "rx",
    "sdp",
    "service",
    "shttp",
    "sip",
    "sips",
    "smb",
    "snews",
    "snmp",
    "soap.beep",
    "soap.beeps",
    "ssh",
    "t120",
    "tag",
    "tcp",
    "tel",
    "telephone",
    "telnet",
    "tftp",
    "tip",
    "tn3270",
    "tv",
    "urn",
    "uuid",
    "vemmi",
    "videotex",
    "view-source",
    "wais",
    "whodp",
    "whois++",
    "x-man-page",
    "xmlrpc.beep",
    "xmlrpc.beeps",
    "z39.50r",
    "z39.50s",
];

/// Whether the text before a `:` ends with a scheme docutils would link
/// (`javascript` in `see javascript:x`). docutils may start the scheme
/// after a `.`, `+` or `-`, so every such suffix of the run of scheme
/// characters is tried; `core_kfuncs.c` in `core_kfuncs.c:83` is none.
fn links_as_scheme(before: &[char]) -> bool {
    let start = before
        .iter()
        .rposition(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-')))
        .map_or(0, |p| p + 1);
    let run: String = before[start..]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    run.char_indices()
        .filter(|&(i, _)| i == 0 || run[..i].ends_with(['.', '+', '-']))
        .any(|(i, _)| DOCUTILS_SCHEMES.binary_search(&&run[i..]).is_ok())
}

/// The last touches to a whole RST line of text: a trailing `::` is written
/// `:\:` (a paragraph ending in `::` announces a literal block, and
/// docutils warns when none follows), and a line of nothing but escaped
/// backslashes starts with an escaped space, which docutils removes (a line
/// repeating one punctuation character is a transition or a title
/// adornment).
pub(crate) fn rst_finish_line(out: &mut String) {
    if out.ends_with("::") {
        out.pop();
        out.push_str("\\:");
    }
    if !out.is_empty() && out.chars().all(|c| c == '\\') {
        out.insert_str(0, "\\ ");
    }
}

/// Escapes `s` as Markdown inline text into `out`, without normalising
/// whitespace. With `line_start`, the start of `s` gets the line-start
/// treatment of [`md_inline`], except that leading spaces and tabs are kept
/// as character references rather than dropped.
pub(crate) fn md_escape_into(out: &mut String, s: &str, line_start: bool) {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    if line_start {
        while let Some(&c) = chars.get(i).filter(|&&c| c == ' ' || is_break(c)) {
            out.push_str(if c == '\t' { "&#9;" } else { "&#32;" });
            i += 1;
        }
        match chars.get(i) {
            Some('#' | '-' | '+') => {
                out.push('\\');
                out.push(chars[i]);
                i += 1;
            }
            Some('=') => {
                out.push_str("&#61;");
                i += 1;
            }
            Some(':') => {
                out.push_str("&#58;");
                i += 1;
            }
            Some(c) if c.is_ascii_digit() => {
                let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                let after = chars.get(i + digits + 1);
                if let Some(&d @ ('.' | ')')) = chars.get(i + digits)
                    && after.is_none_or(|c| matches!(c, ' ' | '\t'))
                {
                    out.extend(&chars[i..i + digits]);
                    out.push('\\');
                    out.push(d);
                    i += digits + 1;
                }
            }
            _ => {}
        }
    }
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' | '`' | '*' | '[' | ']' | '{' | '}' | '>' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                let inside_word = i > 0
                    && chars[i - 1].is_alphanumeric()
                    && chars.get(i + 1).is_some_and(|c| c.is_alphanumeric());
                out.push_str(if inside_word { "_" } else { "\\_" });
            }
            '!' if chars.get(i + 1) == Some(&'[') => out.push_str("\\!"),
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '~' => out.push_str("&#126;"),
            '$' => out.push_str("&#36;"),
            // Superscript (`^x^`) in pulldown-cmark's extension (found by
            // fuzzing).
            '^' => out.push_str("&#94;"),
            c if is_break(c) => out.push(' '),
            c => out.push(c),
        }
        i += 1;
    }
}

/// Whether `s` holds something mdBook's link preprocessor would expand:
/// `{{`, optional whitespace, `#`.
pub(crate) fn has_mdbook_link(s: &str) -> bool {
    s.match_indices("{{")
        .any(|(i, _)| s[i + 2..].trim_start().starts_with('#'))
}

/// The longest run of `c` in `s`.
pub(crate) fn longest_run(s: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Characters that are not text: line breaks, tabs and other controls,
/// and the Unicode line and paragraph separators, which docutils (Python's
/// `str.splitlines`) reads as line breaks, as it does `\x1c`-`\x1e` and
/// U+0085 (issue 10: a path holding them could start a directive).
pub(crate) fn is_break(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Collapses runs of whitespace and control characters into one space and
/// trims whitespace (including non-ASCII spaces, which docutils counts as
/// indentation) at both ends.
fn normalize(s: &str) -> String {
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

/// The paragraphs of `s`: runs of non-blank lines, each joined with spaces.
fn paragraphs(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for line in s.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                let p = normalize(&cur.join(" "));
                if !p.is_empty() {
                    out.push(p);
                }
                cur.clear();
            }
        } else {
            cur.push(line);
        }
    }
    out
}

/// Whether the first word of `s` is a docutils enumerator without
/// parentheses: a number, one letter or a Roman numeral, then `.` or `)`,
/// then a space or the end.
fn starts_with_enumerator(s: &str) -> bool {
    let word = s.split(' ').next().unwrap_or("");
    let Some(body) = word.strip_suffix(['.', ')']) else {
        return false;
    };
    let all = |set: &str| !body.is_empty() && body.chars().all(|c| set.contains(c));
    (body.len() == 1 && body.chars().all(|c| c.is_ascii_alphabetic()))
        || all("0123456789")
        || all("ivxlcdm")
        || all("IVXLCDM")
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
