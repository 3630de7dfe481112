//! The renderer's escapers and Markdown conversion against real parsers.
//!
//! RST goes through docutils (`tests/render_text.py`, run once with every
//! case batched as JSON) with the Python named by `KFUNCDOC_PYTHON`, which
//! must have docutils installed (`.ci/test` sets it up). Without it the
//! tests fail, or with `KFUNCDOC_OFFLINE=1` are skipped with a note. Every
//! nasty string must come back from docutils as exactly its text, with no
//! system message; every supported Markdown text must convert to RST that
//! docutils reads without a message, the same at column 0 and as the body
//! of a `.. note::`.
//!
//! Markdown goes back through pulldown-cmark: escaped text must parse to
//! exactly its text, converted Markdown to the same structure.

use kfuncdoc::render::markdown::{Target, convert};
use kfuncdoc::render::text::{
    md_code, md_inline, md_paragraphs, rst_heading, rst_inline, rst_literal, rst_paragraphs,
};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

/// Plain text that must never become markup.
#[rustfmt::skip]
const NASTY: &[&str] = &[
    "*bold*", "**strong**", "`x`", "``lit``", "|sub|", "name_", "name__", "[1]_", "[#]_", "[*]_",
    "[CIT2002]_", "`ref`_", "_`target`", ":role:`x`", ".. directive:: arg", ".. _label:", "..",
    ".. [1] note", "- item", "+ item", "* item", "\u{2022} bullet", "\u{2023} tri", "\u{2043} h",
    "1. x", "1) x", "(1) x", "a. x", "A) x", "iv. x", "IV) x", "#. x", "(#) x", "(a) x", "A.",
    "I.", "A. Einstein", "Hello.", "i.e. this", "e.g.", "2024. A year", "text::", "text ::", "::",
    "a::b", ": x", "----", "====", "~~~~", "#####", "+--+--+", "=== ===", ":field: x", ":x:",
    ">>> x", "| line", "-a  option", "--long  option", "/V  dos option", "   leading",
    "\tleading tab", "trailing   ", "back\\slash", "\\", "\\*", "ends with \\", "\\\\x",
    "{{#include x}}", "{{ #include x }}", "\\{{#include}}", "<b>html</b>", "&amp;", "&lt;",
    "&#42;", "<!-- c -->", "~~x~~", "~x~", "unicode: ünïcödé — \u{201c}q\u{201d} 日本語", "日本語のテキスト",
    "", "   ", "\n\n", "bpf_task_acquire", "__init__", "_private", "foo_bar_", "a_ b", "x _ y",
    "snake_case()", "foo_(bar)", "a__b__c", "x__", "|x|_", "__ anonymous", "__",
    "multi\nline\ttext", "http://example.com/foo_", "see https://lore.kernel.org/bpf/ now",
    "mail@example.com", "*", "**", "`", "|", "||", "a|b", "_", "a * b", "a ` b", "2 * 3 = 6",
    "100%", "$x$", "!important", "![img](x.png)", "[link](http://x)", "[ref]", "<http://x>",
    "# heading", "## h2", "> quote", "> > deep", "=== setext", "--- rule", "***", "___",
    "    code", "```rust", "~~~", "| a | b |", "|---|---|", "- [ ] task", "[^1]", "term\n: def",
    "a\\\nb", "line  \nbreak", "\"quoted\"", "'single'", "a -- b --- c ...",
    "KF_ACQUIRE | KF_RET_NULL", "struct task_struct *", "int (*fn)(void)", "NOTE: x", "Note:",
    "x:", "12:30", "\u{a0}nbsp lead", "zero\u{200b}width", "-", "+", "#", ">", "=", ":", "1.",
    "1)", "0x1f", "(a)", "(x", "[", "]", "{", "}", "}}", "{{", "{#}", "{{#", "<", "&",
    "*emph*_under_", "**a**b", "word*star", "paren(*)", "\"*\"", "'*'", "(*)", "<*>", "[*]", "{*}",
    ":literal:`x`", "`x <y>`__", ".. |sub| replace:: x", "..  comment", ". dot", "-- attribution",
    "\u{2014} em attribution", "a\u{0}b\u{7}c", "12) x", "10. ten", "1.5 GHz", "3.) x", "\\\\",
    "\\\\\\\\", "-\\", "::\\",
];

/// Strings for `rst_literal` and `md_code` beyond [`NASTY`].
#[rustfmt::skip]
const LITERALS: &[&str] = &[
    "x``y", "``", "`", "a`b", "a ``b`` c", " lead", "trail ", " both ", " ", "  ", "back\\", "\\`",
    "``x``", "a\tb", "multi\nline", "`a", "a`", "```", "x ```y``` z", "{{ #x}}",
];

/// Markdown in the supported subset.
const MARKDOWN: &[&str] = &[
    "plain paragraph",
    "*em* and **strong** and `code`",
    "foo*bar*baz and x**y**z",
    "a `` ` `` b and `` `x` ``",
    "[text](http://example.com) and [text](http://example.org)",
    "<http://example.com/a_b_> and <https://example.com/mail>",
    "[ref][r] again [r]\n\n[r]: http://example.com/ref \"Title\"",
    "[**bold link**](http://x) and *em `code` em*",
    "line one\nline two\\\nline three  \nline four",
    "- a\n- b\n  - c\n  - d\n- e",
    "3. three\n4. four\n\n   para in four\n\n   ```c\n   int x;\n   ```\n5. five",
    "1. a\n\n   - nested\n\n     > quote in nested\n2. b",
    "```c\nint main(void)\n{\n\treturn 0;\n}\n```",
    "```\nno lang\n  indented\n```",
    "    indented code\n    block",
    "> quote\n> more\n\n> another quote",
    "> - list in quote\n> - b\n>\n> ```\n> code\n> ```",
    "- ```\n  code first in item\n  ```\n- > quote first in item\n- - nested first",
    "- a\n- b\n\n+ c\n+ d",
    "1. a\n2. b\n\n1) c",
    "text with *bold*_under_ and \\*escaped\\* and `a_` and name_ and [1]_",
    "para ending with::",
    "- item ending with::",
    ":not: a field\n\n.. not a directive\n\n>>> not doctest\n\n| not a line block",
    "\\- not a list\n\n\\# not heading\n\n1\\. not ordered\n\nA\\. not ordered",
    "{{#include x}} and `{{#include y}}` and {{ #title t }}",
    "```\n{{#include z}}\n```",
    "&amp; &lt;b&gt; &#42; ~ \\~\\~x\\~\\~ \\$x\\$",
    "emoji 😀 and 日本語 and ünï",
    "*a* *b* **c** `d`",
    "``` code with ``double`` ticks ```",
    "a\n\n\n\nb",
    "-\n- b",
    "[](http://x)",
    "***strong em*** and **a *b* c** and *a **b** c*",
    "x *(paren)* y (*x*) \"*x*\" 'x'*y*",
    "[t](http://x/a_b_) [u](<http://x/a b>) [v](http://x/(p)) [w](http://x/{{#y}})",
    "a *b*\\\n*c* d",
    "- tight\n- list\n\n  with para",
    "\\\\\\\\\\\\\\\\\n\n- \\\\\\\\",
    "1. one\n1. one again\n1. and again",
    "> > nested quote\n>\n> back",
];

/// The oracle's normalisation of plain text: runs of whitespace and
/// control characters become one space; whitespace is trimmed.
/// What mdBook's link preprocessor expands: `{{`, optional whitespace, `#`.
fn has_mdbook_link(s: &str) -> bool {
    s.match_indices("{{")
        .any(|(i, _)| s[i + 2..].trim_start().starts_with('#'))
}

fn normalize(s: &str) -> String {
    let collapsed: Vec<&str> = s
        .split(|c: char| c.is_ascii_whitespace() || c.is_control())
        .collect();
    collapsed
        .iter()
        .filter(|w| !w.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_string()
}

/// Runs docutils on every RST text, or `None` when it cannot run offline.
fn docutils(rst: &[String]) -> Option<Vec<Value>> {
    let Some(python) = std::env::var_os("KFUNCDOC_PYTHON") else {
        if std::env::var_os("KFUNCDOC_OFFLINE").is_some() {
            eprintln!("note: KFUNCDOC_PYTHON unset; docutils checks skipped (KFUNCDOC_OFFLINE)");
            return None;
        }
        panic!(
            "KFUNCDOC_PYTHON is unset: run .ci/test, or set it to a python with docutils \
             (or set KFUNCDOC_OFFLINE=1 to skip)"
        );
    };
    let script = crate::util::root().join("tests/render_text.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.to_string_lossy()));
    let input: Vec<Value> = rst.iter().map(|r| json!({ "rst": r })).collect();
    let mut stdin = child.stdin.take().unwrap();
    let input = serde_json::to_vec(&input).unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "{} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.len(), rst.len());
    Some(results)
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The system messages of a result, except the INFO docutils gives for an
/// ordered list that does not start at 1 (the start is kept on purpose).
fn messages(v: &Value) -> Vec<String> {
    strings(v, "messages")
        .into_iter()
        .filter(|m| {
            !(m.starts_with("INFO") && m.contains("Enumerated list start value not ordinal-1"))
        })
        .collect()
}

/// Markup docutils found in paragraphs and titles, other than the links it
/// makes of URLs and e-mail addresses in plain text (their text is kept).
fn markup(v: &Value) -> Vec<Value> {
    v["markup"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            let text = m[1].as_str().unwrap();
            !(m[0] == "reference" && (text.contains("://") || text.contains('@')))
        })
        .cloned()
        .collect()
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn rst_escapers_round_trip_through_docutils() {
    // (what, input, rst, expected paragraphs, expected literals, expected titles)
    type Case = (
        &'static str,
        String,
        String,
        Vec<String>,
        Vec<String>,
        Vec<String>,
    );
    let mut cases: Vec<Case> = Vec::new();
    for &s in NASTY {
        let n = normalize(s);
        let paras = if n.is_empty() {
            vec![]
        } else {
            vec![n.clone()]
        };
        cases.push((
            "rst_inline",
            s.into(),
            rst_inline(s),
            paras.clone(),
            vec![],
            vec![],
        ));
        // Not at the start of the line, in a longer paragraph.
        let mid = format!("x {} y", rst_inline(s));
        let text = if n.is_empty() {
            "x  y".to_string()
        } else {
            format!("x {n} y")
        };
        cases.push((
            "rst_inline mid-line",
            s.into(),
            mid,
            vec![text],
            vec![],
            vec![],
        ));
        let title = if n.is_empty() {
            "(untitled)".to_string()
        } else {
            n.clone()
        };
        for (ch, over) in [
            ('=', false),
            ('-', true),
            ('~', false),
            ('#', true),
            ('*', false),
        ] {
            let rst = format!("Intro.\n\n{}\nBody.\n", rst_heading(s, ch, over));
            let paras = vec!["Intro.".to_string(), "Body.".to_string()];
            cases.push((
                "rst_heading",
                s.into(),
                rst,
                paras,
                vec![],
                vec![title.clone()],
            ));
        }
    }
    for &s in NASTY.iter().chain(LITERALS) {
        let lit: String = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let rst = format!("x {} y", rst_literal(s));
        let para = format!("x {lit} y");
        cases.push((
            "rst_literal",
            s.into(),
            rst,
            vec![para],
            vec![lit.clone()],
            vec![],
        ));
        if !lit.is_empty() {
            let rst = rst_literal(s);
            cases.push((
                "rst_literal alone",
                s.into(),
                rst,
                vec![lit.clone()],
                vec![lit],
                vec![],
            ));
        }
    }
    let multi = [
        "a\n\nb",
        "first para\nline two\n\n\n- second\n  para",
        "\n\nx\n\n",
        "",
        "  \n \t \n",
        ":field: a\n\n.. b::",
        "text::\n\n    code",
        "1. one\n2. two\n\n* three",
    ];
    for s in multi.iter().copied().chain([NASTY.join("\n\n").as_str()]) {
        let expected: Vec<String> = s
            .split("\n\n")
            .map(normalize)
            .filter(|p| !p.is_empty())
            .collect();
        cases.push((
            "rst_paragraphs",
            s.into(),
            rst_paragraphs(s),
            expected,
            vec![],
            vec![],
        ));
    }
    // Joined lines of one paragraph become one line.
    let lines: Vec<&str> = NASTY
        .iter()
        .copied()
        .filter(|s| !s.contains('\n') && !s.trim().is_empty())
        .collect();
    let one = lines.join("\n");
    let expected = vec![normalize(&lines.join(" "))];
    cases.push((
        "rst_paragraphs",
        one.clone(),
        rst_paragraphs(&one),
        expected,
        vec![],
        vec![],
    ));

    let rst: Vec<String> = cases.iter().map(|c| c.2.clone()).collect();
    let Some(results) = docutils(&rst) else {
        return;
    };
    let mut failures = Vec::new();
    for ((what, input, rst, paras, lits, titles), r) in cases.iter().zip(&results) {
        let got = (
            strings(r, "paragraphs"),
            strings(r, "literals"),
            strings(r, "titles"),
        );
        let msgs = messages(r);
        let mut extra = markup(r);
        if what.starts_with("rst_literal") {
            extra.retain(|m| m[0] != "literal");
        }
        let lits_ok = if what.starts_with("rst_literal") {
            got.1 == *lits
        } else {
            got.1.is_empty()
        };
        if !msgs.is_empty() || !extra.is_empty() || got.0 != *paras || !lits_ok || got.2 != *titles
        {
            failures.push(format!(
                "{what}({input:?}) = {rst:?}\n  messages: {msgs:?}\n  markup: {extra:?}\n  \
                 paragraphs: {:?} (expected {paras:?})\n  literals: {:?} (expected {lits:?})\n  \
                 titles: {:?} (expected {titles:?})",
                got.0, got.1, got.2
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Expected docutils trees for a few conversions.
const RST_TREES: &[(&str, &[&str])] = &[
    (
        "*em* and **strong** and `code`",
        &[r#"paragraph(emphasis("em")," and ",strong("strong")," and ",literal("code"))"#],
    ),
    (
        "foo*bar*baz",
        &[r#"paragraph("foo",emphasis("bar"),"baz")"#],
    ),
    (
        "x*a*. (*b*) *c*_d\n\n`e`_ `f`",
        &[
            r#"paragraph("x",emphasis("a"),". (",emphasis("b"),") ",emphasis("c"),"_d")"#,
            r#"paragraph(literal("e"),"_ ",literal("f"))"#,
        ],
    ),
    (
        "[a](http://x) [a](http://y)",
        &[r#"paragraph(reference[refuri=http://x]("a")," ",reference[refuri=http://y]("a"))"#],
    ),
    (
        "[t](http://x/a_b_) [u](<http://x/a b>)",
        &[
            r#"paragraph(reference[refuri=http://x/a_b_]("t")," ",reference[refuri=http://x/a%20b]("u"))"#,
        ],
    ),
    (
        "3. three\n4. four\n\n   ```c\n   int\tx;\n   ```",
        &[
            r#"enumerated_list[enumtype=arabic,start=3](list_item(paragraph("three")),list_item(paragraph("four"),literal_block[language=c]("int     x;")))"#,
        ],
    ),
    (
        "- a\n- > q",
        &[
            r#"bullet_list(list_item(paragraph("a")),list_item(comment(),block_quote(paragraph("q"))))"#,
        ],
    ),
    (
        "- a\n\n+ b",
        &[
            r#"bullet_list(list_item(paragraph("a")))"#,
            "comment()",
            r#"bullet_list(list_item(paragraph("b")))"#,
        ],
    ),
    // A destination that is a reference name would point at a target.
    (
        "[t](https://x.org/other_)",
        &[r#"paragraph(reference[refuri=https://x.org/other_]("t"))"#],
    ),
    // Issue 10: only http(s) and e-mail links; the text of others stays.
    ("[t](other_)", &[r#"paragraph("t")"#]),
    (
        "[t](javascript:alert(1)) <data:text/html,x>",
        &[r#"paragraph("t data:text/html,x")"#],
    ),
    ("> q", &["comment()", r#"block_quote(paragraph("q"))"#]),
    ("```\n::x\n```", &[r#"literal_block("::x")"#]),
    ("ends with::", &[r#"paragraph("ends with::")"#]),
    ("a\\\nb  \nc\nd", &[r#"paragraph("a b c d")"#]),
    (
        "[**b** `c`](http://x)",
        &[r#"paragraph(reference[refuri=http://x]("b c"))"#],
    ),
];

#[test]
fn converted_rst_is_valid_docutils() {
    let mut rst = Vec::new();
    let mut what = Vec::new();
    let inputs = MARKDOWN
        .iter()
        .copied()
        .chain(RST_TREES.iter().map(|t| t.0));
    for md in inputs {
        let out = convert(md, Target::Rst).unwrap_or_else(|e| panic!("{md:?}: {e}"));
        rst.push(out.clone());
        rst.push(format!(
            "Intro.\n\n.. note::\n\n{}\n\nAfter.\n",
            indent(&out, 3)
        ));
        rst.push(format!(".. note::\n\n{}\n", indent(&out, 3)));
        what.push((md, out));
    }
    let Some(results) = docutils(&rst) else {
        return;
    };
    let mut failures = Vec::new();
    for (n, (md, out)) in what.iter().enumerate() {
        let (top, nested, alone) = (&results[3 * n], &results[3 * n + 1], &results[3 * n + 2]);
        for (r, place) in [(top, "at column 0"), (nested, "in a note")] {
            let msgs = messages(r);
            if !msgs.is_empty() {
                failures.push(format!("{md:?} {place}:\n{out}\n  messages: {msgs:?}"));
            }
        }
        if top["tree"] != alone["tree"] {
            failures.push(format!(
                "{md:?}: a note's body differs from column 0:\n{out}\n  {}\n  {}",
                top["tree"], alone["tree"]
            ));
        }
        if let Some((_, tree)) = RST_TREES.iter().find(|t| t.0 == *md)
            && strings(top, "tree") != *tree
        {
            failures.push(format!(
                "{md:?}:\n{out}\n  tree: {}\n  expected: {tree:?}",
                top["tree"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The text of a Markdown document: one paragraph's text events joined, or
/// an error describing what else there was.
fn md_paragraph_text(md: &str) -> Result<String, String> {
    let events: Vec<Event> = Parser::new_ext(md, md_options()).collect();
    let mut text = String::new();
    match events.as_slice() {
        [] => return Ok(text),
        [
            Event::Start(Tag::Paragraph),
            inner @ ..,
            Event::End(TagEnd::Paragraph),
        ] => {
            for e in inner {
                match e {
                    Event::Text(t) => text.push_str(t),
                    other => return Err(format!("{other:?} in {events:?}")),
                }
            }
        }
        _ => return Err(format!("{events:?}")),
    }
    Ok(text)
}

/// pulldown-cmark with the extensions mdBook enables, and the others that
/// could turn text into markup.
fn md_options() -> Options {
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

#[test]
fn md_escapers_round_trip_through_pulldown_cmark() {
    let mut failures = Vec::new();
    for &s in NASTY {
        let out = md_inline(s);
        assert!(!out.contains("{{"), "{s:?} -> {out:?}");
        match md_paragraph_text(&out) {
            Ok(t) if t == normalize(s) => {}
            other => failures.push(format!("md_inline({s:?}) = {out:?}: {other:?}")),
        }
        // After other text on the line.
        let mid = format!("x {out} y");
        let expected = if out.is_empty() {
            "x  y".to_string()
        } else {
            format!("x {} y", normalize(s))
        };
        match md_paragraph_text(&mid) {
            Ok(t) if t == expected => {}
            other => failures.push(format!("mid-line {mid:?}: {other:?}")),
        }
        // On a continuation line of a paragraph.
        let cont = format!("x\n{out}");
        let events: Vec<Event> = Parser::new_ext(&cont, md_options()).collect();
        let ok = out.is_empty()
            || matches!(
                events.as_slice(),
                [
                    Event::Start(Tag::Paragraph),
                    ..,
                    Event::End(TagEnd::Paragraph)
                ]
            );
        if !ok {
            failures.push(format!("continuation {cont:?}: {events:?}"));
        }
    }
    for &s in NASTY.iter().chain(LITERALS) {
        let out = md_code(s);
        assert!(!has_mdbook_link(&out), "{s:?} -> {out:?}");
        let shown: String = s
            .chars()
            .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
            .collect();
        let line = format!("x {out} y");
        let events: Vec<Event> = Parser::new_ext(&line, md_options()).collect();
        let code: String = events
            .iter()
            .filter_map(|e| match e {
                Event::Code(c) | Event::Text(c) => Some(c.to_string()),
                Event::InlineHtml(h) if h.as_ref() == "<code>" || h.as_ref() == "</code>" => {
                    Some(String::new())
                }
                _ => None,
            })
            .collect();
        let others = events.iter().filter(|e| {
            !matches!(
                e,
                Event::Code(_)
                    | Event::Text(_)
                    | Event::InlineHtml(_)
                    | Event::Start(Tag::Paragraph)
                    | Event::End(TagEnd::Paragraph)
            )
        });
        if code != format!("x {shown} y") || others.count() > 0 {
            failures.push(format!("md_code({s:?}) = {out:?}: {events:?}"));
        }
        // At the start of a line a code span is still a code span.
        if !out.is_empty() {
            let events: Vec<Event> = Parser::new_ext(&out, md_options()).collect();
            if !matches!(events.first(), Some(Event::Start(Tag::Paragraph))) {
                failures.push(format!(
                    "md_code({s:?}) = {out:?} at line start: {events:?}"
                ));
            }
        }
    }
    let joined = NASTY.join("\n\n");
    let paras = md_paragraphs(&joined);
    assert!(!paras.contains("{{"));
    let expected: Vec<String> = NASTY
        .iter()
        .map(|s| normalize(s))
        .filter(|s| !s.is_empty())
        .collect();
    let got: Vec<String> = paras
        .split("\n\n")
        .map(|p| md_paragraph_text(p).unwrap_or_else(|e| e))
        .collect();
    if got != expected {
        failures.push(format!("md_paragraphs: {got:?}"));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A Markdown document's events, normalised to what a reader sees: text
/// merged, spaces before line breaks dropped, code blocks fenced with only
/// their language word and without edge blank lines or trailing spaces,
/// link types and e-mail `mailto:` forms unified, percent-encoding of the
/// characters `convert` encodes undone.
fn md_structure(md: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut in_code = false;
    let mut in_span = false;
    let flush = |text: &mut String, out: &mut Vec<String>, in_code: bool| {
        if text.is_empty() {
            return;
        }
        if in_code {
            let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
            let joined = lines.join("\n");
            out.push(format!("code {:?}", joined.trim_matches('\n')));
        } else {
            out.push(format!("text {:?}", text));
        }
        text.clear();
    };
    for e in Parser::new_ext(md, md_options()) {
        match e {
            Event::Text(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => {
                let keep = text.trim_end_matches(' ').len();
                text.truncate(keep);
                flush(&mut text, &mut out, in_code);
                out.push(format!("{e:?}"));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                flush(&mut text, &mut out, in_code);
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                out.push(format!("codeblock {lang}"));
                in_code = true;
            }
            Event::End(TagEnd::CodeBlock) => {
                flush(&mut text, &mut out, in_code);
                in_code = false;
                out.push("end codeblock".into());
            }
            Event::Start(Tag::Link {
                dest_url,
                title,
                link_type,
                ..
            }) => {
                flush(&mut text, &mut out, in_code);
                let mut url = dest_url.to_string();
                if link_type == pulldown_cmark::LinkType::Email {
                    url = format!("mailto:{url}");
                }
                for (enc, c) in [
                    ("%20", " "),
                    ("%3C", "<"),
                    ("%3E", ">"),
                    ("%7B", "{"),
                    ("%7D", "}"),
                    ("%7C", "|"),
                ] {
                    url = url.replace(enc, c);
                }
                out.push(format!("link {url:?} {:?}", title.as_ref()));
            }
            // A code span, or the `<code>` element `md_code` falls back to.
            Event::Code(c) => {
                flush(&mut text, &mut out, in_code);
                out.push(format!("code span {:?}", c.as_ref()));
            }
            Event::InlineHtml(h) if h.as_ref() == "<code>" => {
                flush(&mut text, &mut out, in_code);
                in_span = true;
            }
            Event::InlineHtml(h) if h.as_ref() == "</code>" => {
                out.push(format!("code span {text:?}"));
                text.clear();
                in_span = false;
            }
            _ if in_span => panic!("{e:?} in <code> in {md:?}"),
            other => {
                flush(&mut text, &mut out, in_code);
                out.push(format!("{other:?}"));
            }
        }
    }
    flush(&mut text, &mut out, in_code);
    out
}

#[test]
fn converted_markdown_means_the_same() {
    let mut failures = Vec::new();
    for &md in MARKDOWN {
        let out = convert(md, Target::Markdown).unwrap_or_else(|e| panic!("{md:?}: {e}"));
        assert!(!has_mdbook_link(&out), "{md:?} -> {out:?}");
        assert!(
            !out.lines().any(|l| l.ends_with(char::is_whitespace)),
            "{out:?}"
        );
        assert!(
            out.is_empty() || (out.ends_with('\n') && !out.ends_with("\n\n")),
            "{out:?}"
        );
        // A code block holding an mdBook link becomes HTML on purpose.
        if md.contains("```\n{{#") {
            continue;
        }
        let (a, b) = (md_structure(md), md_structure(&out));
        if a != b {
            failures.push(format!(
                "{md:?}\n->\n{out}\n  source: {a:?}\n  output: {b:?}"
            ));
        }
        // Converting the output again changes nothing (unless it holds
        // HTML, which the input may not).
        if out.contains("<code>") {
            continue;
        }
        let again = convert(&out, Target::Markdown).unwrap_or_else(|e| panic!("{out:?}: {e}"));
        if again != out {
            failures.push(format!("{md:?}: not stable:\n{out}\n->\n{again}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
