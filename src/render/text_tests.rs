//! The escaping rules one by one. `tests/render_text.rs` checks the same
//! functions against docutils and pulldown-cmark on a larger corpus.

use super::*;

#[track_caller]
fn cases(f: fn(&str) -> String, cases: &[(&str, &str)]) {
    for (input, expected) in cases {
        assert_eq!(f(input), *expected, "input {input:?}");
    }
}

#[test]
fn rst_inline_escapes_inline_markup_starts() {
    cases(
        rst_inline,
        &[
            ("a *bold* b", "a \\*bold\\* b"),
            ("a `x` b", "a \\`x\\` b"),
            ("a |sub| b", "a \\|sub\\| b"),
            ("back\\slash", "back\\\\slash"),
            ("a :role:`x`", "a :role:\\`x\\`"),
            ("x &amp; <b> ~~y~~ [z]", "x &amp; <b> ~~y~~ [z]"),
        ],
    );
}

#[test]
fn rst_inline_escapes_underscores_that_could_end_a_reference() {
    cases(
        rst_inline,
        &[
            ("bpf_task_acquire", "bpf_task_acquire"),
            ("a__b__c", "a__b__c"),
            ("name_", "name\\_"),
            ("foo_ bar", "foo\\_ bar"),
            ("foo__", "foo\\_\\_"),
            ("x [1]_ y", "x [1]\\_ y"),
            ("foo_(bar)", "foo\\_(bar)"),
            ("x _ y", "x \\_ y"),
            ("__init__", "\\__init\\_\\_"),
            ("a_é", "a_é"),
        ],
    );
}

#[test]
fn rst_inline_neutralises_the_start_of_a_line() {
    cases(
        rst_inline,
        &[
            (".. directive::", "\\.. directive:\\:"),
            ("- item", "\\- item"),
            ("+ item", "\\+ item"),
            ("* item", "\\* item"),
            ("\u{2022} item", "\\\u{2022} item"),
            ("1. x", "\\1. x"),
            ("12) x", "\\12) x"),
            ("(1) x", "\\(1) x"),
            ("#. x", "\\#. x"),
            ("a. x", "\\a. x"),
            ("A) x", "\\A) x"),
            ("iv. x", "\\iv. x"),
            ("A.", "\\A."),
            (":field: x", "\\:field: x"),
            (">>> x", "\\>>> x"),
            ("----", "\\----"),
            ("| line", "\\| line"),
            ("/V  option", "\\/V option"),
            ("__ anonymous", "\\_\\_ anonymous"),
            // Letters and digits that cannot start a construct stay as they are.
            ("Hello.", "Hello."),
            ("i.e. this", "i.e. this"),
            ("Ab. x", "Ab. x"),
            ("12:30", "12:30"),
            ("1.5 GHz", "1.5 GHz"),
        ],
    );
}

#[test]
fn rst_inline_never_ends_with_a_literal_block_marker() {
    cases(
        rst_inline,
        &[
            ("text::", "text:\\:"),
            ("text ::", "text :\\:"),
            ("::", "\\:\\:"),
            ("a::b", "a::b"),
            ("a:", "a:"),
        ],
    );
}

#[test]
fn rst_inline_normalises_whitespace() {
    cases(
        rst_inline,
        &[
            ("", ""),
            ("   ", ""),
            ("  leading", "leading"),
            ("\u{a0}nbsp", "nbsp"),
            ("trailing  \t", "trailing"),
            ("multi\nline\ttext", "multi line text"),
            ("a  \r\n  b", "a b"),
            ("a\u{0}b", "a b"),
            ("non\u{a0}breaking", "non\u{a0}breaking"),
        ],
    );
}

#[test]
fn rst_inline_breaks_lines_of_backslashes() {
    // `\\\\` alone would be a line repeating one punctuation character.
    cases(
        rst_inline,
        &[("\\", "\\ \\\\"), ("\\\\", "\\ \\\\\\\\"), ("\\x", "\\\\x")],
    );
}

#[test]
fn rst_paragraphs_split_on_blank_lines() {
    cases(
        rst_paragraphs,
        &[
            ("", ""),
            (" \n\t\n", ""),
            ("one\ntwo", "one two"),
            ("one\n\ntwo", "one\n\ntwo"),
            ("\n\none\n  \n\n- two\n  three\n\n", "one\n\n\\- two three"),
        ],
    );
}

#[test]
fn rst_literal_uses_the_role_when_backquotes_or_edges_need_it() {
    cases(
        rst_literal,
        &[
            ("bpf_obj_new", "``bpf_obj_new``"),
            ("*x* |y| _z_", "``*x* |y| _z_``"),
            ("back\\", "``back\\``"),
            ("a\tb\nc", "``a b c``"),
            ("a`b", ":literal:`a\\`b`"),
            ("``x``", ":literal:`\\`\\`x\\`\\``"),
            ("back\\`", ":literal:`back\\\\\\``"),
            (" lead", ":literal:`\\  lead`"),
            ("trail ", ":literal:`trail \\ `"),
            (" ", ":literal:`\\  \\ `"),
            ("", ":literal:`\\ `"),
        ],
    );
}

#[test]
fn rst_heading_adornment_covers_the_title() {
    assert_eq!(
        rst_heading("bpf_obj_new", '=', false),
        "bpf_obj_new\n===========\n"
    );
    assert_eq!(rst_heading("kfuncs", '-', true), "------\nkfuncs\n------\n");
    // Measured on the escaped line, never shorter than four.
    assert_eq!(rst_heading("*x*", '~', false), "\\*x\\*\n~~~~~\n");
    assert_eq!(rst_heading("A", '^', false), "A\n^^^^\n");
    // Wide characters count two columns.
    assert_eq!(rst_heading("日本語", '=', false), "日本語\n======\n");
    assert_eq!(rst_heading("a\nb", 'x', false), "a b\n====\n");
    assert_eq!(rst_heading("  ", '=', false), "(untitled)\n==========\n");
}

#[test]
fn md_inline_escapes_inline_markup() {
    cases(
        md_inline,
        &[
            ("a *b* `c` [d](e) \\", "a \\*b\\* \\`c\\` \\[d\\](e) \\\\"),
            ("<b>html</b> &amp;", "&lt;b\\>html&lt;/b\\> &amp;amp;"),
            ("~~x~~ $y$", "&#126;&#126;x&#126;&#126; &#36;y&#36;"),
            ("KF_ACQUIRE | KF_RET_NULL", "KF_ACQUIRE \\| KF_RET_NULL"),
            ("![img](x)", "\\!\\[img\\](x)"),
            ("wow!", "wow!"),
            ("a -- b ... 'c' \"d\" #e", "a -- b ... 'c' \"d\" #e"),
        ],
    );
}

#[test]
fn md_inline_keeps_underscores_inside_words() {
    cases(
        md_inline,
        &[
            ("bpf_task_acquire", "bpf_task_acquire"),
            ("__init__", "\\_\\_init\\_\\_"),
            ("_private", "\\_private"),
            ("trailing_", "trailing\\_"),
            ("a _b_ c", "a \\_b\\_ c"),
        ],
    );
}

#[test]
fn md_inline_never_leaves_an_mdbook_link() {
    cases(
        md_inline,
        &[
            ("{{#include x}}", "\\{\\{#include x\\}\\}"),
            ("{{ #title t }}", "\\{\\{ #title t \\}\\}"),
            ("\\{{#include x}}", "\\\\\\{\\{#include x\\}\\}"),
        ],
    );
}

#[test]
fn md_inline_neutralises_the_start_of_a_line() {
    cases(
        md_inline,
        &[
            ("# heading", "\\# heading"),
            ("> quote", "\\> quote"),
            ("- item", "\\- item"),
            ("+ item", "\\+ item"),
            ("* item", "\\* item"),
            ("1. x", "1\\. x"),
            ("12) x", "12\\) x"),
            ("===", "&#61;=="),
            ("---", "\\---"),
            (": definition", "&#58; definition"),
            ("```rust", "\\`\\`\\`rust"),
            ("~~~", "&#126;&#126;&#126;"),
            ("    code", "code"),
            ("<div>", "&lt;div\\>"),
            ("| a | b |", "\\| a \\| b \\|"),
            ("[x]: http://y", "\\[x\\]: http://y"),
            ("1.5 GHz", "1.5 GHz"),
            ("", ""),
        ],
    );
}

#[test]
fn md_escape_keeps_leading_space_as_references_mid_paragraph() {
    let mut out = String::new();
    md_escape_into(&mut out, "  - x", true);
    assert_eq!(out, "&#32;&#32;\\- x");
}

#[test]
fn md_paragraphs_split_on_blank_lines() {
    cases(
        md_paragraphs,
        &[
            ("", ""),
            ("one\ntwo", "one two"),
            ("one\n\n\n# two", "one\n\n\\# two"),
        ],
    );
}

#[test]
fn md_code_fences_and_pads() {
    cases(
        md_code,
        &[
            ("bpf_obj_new", "`bpf_obj_new`"),
            ("*x* <y> {z}", "`*x* <y> {z}`"),
            ("a`b", "``a`b``"),
            ("`a", "`` `a ``"),
            ("a`", "`` a` ``"),
            (" both ", "`  both  `"),
            (" lead", "` lead`"),
            ("  ", "`  `"),
            ("multi\nline", "`multi line`"),
            ("", ""),
        ],
    );
}

#[test]
fn md_code_falls_back_to_html_for_mdbook_links_and_long_fences() {
    cases(
        md_code,
        &[
            ("{{#include x}}", "<code>\\{\\{#include x\\}\\}</code>"),
            ("{{ #x}}", "<code>\\{\\{ #x\\}\\}</code>"),
            ("a``b", "<code>a\\`\\`b</code>"),
            ("<b> & *", "`<b> & *`"),
            ("{{x}}", "`{{x}}`"),
        ],
    );
    assert_eq!(
        md_code("<{{#x}} &"),
        "<code>&lt;\\{\\{#x\\}\\} &amp;</code>"
    );
}

#[test]
fn slug_is_lowercase_ascii_with_single_dashes() {
    cases(
        slug,
        &[
            ("BPF [CORE]", "bpf-core"),
            ("NETFILTER", "netfilter"),
            ("", "misc"),
            ("---", "misc"),
            ("  a  --  b  ", "a-b"),
            ("bpf_obj_new", "bpf-obj-new"),
            ("Ünïcode 2", "n-code-2"),
            ("日本", "misc"),
        ],
    );
}

#[test]
fn mdbook_links_are_found_with_inner_whitespace() {
    assert!(has_mdbook_link("x {{#include y}}"));
    assert!(has_mdbook_link("{{ \t#title}}"));
    assert!(!has_mdbook_link("{{x}} #y"));
    assert!(!has_mdbook_link("{ {#"));
}

/// Issue 10: docutils links a standalone URI of any scheme it knows, so
/// every colon after a scheme other than http(s) is escaped, wherever the
/// text puts it; http(s) stays a link.
#[test]
fn rst_inline_never_leaves_a_non_http_scheme_to_link() {
    assert!(super::DOCUTILS_SCHEMES.windows(2).all(|w| w[0] < w[1]));
    let schemes = [
        "javascript",
        "JavaScript",
        "data",
        "livescript",
        "file",
        "x-data",
        "a.b+data",
    ];
    let around = [
        ("", ""),
        ("see ", " now"),
        ("(", ")"),
        ("*", "*"),
        ("_", "_"),
    ];
    let rests = ["alert(1)", ":alert(1)", "//x", ",x", "text/html;base64,PHN"];
    for scheme in schemes {
        for (pre, post) in around {
            for rest in rests {
                let s = format!("{pre}{scheme}:{rest}{post}");
                let out = rst_inline(&s);
                assert!(
                    out.contains(&format!("{}\\:", &scheme[scheme.len() - 1..])),
                    "{s:?} -> {out:?}"
                );
            }
        }
    }
    assert_eq!(rst_inline("see https://x.org/a"), "see https://x.org/a");
    assert_eq!(rst_inline("Context: any"), "Context: any");
    assert_eq!(rst_inline("javascript:"), "javascript:");
    assert_eq!(rst_inline("core_kfuncs.c:83"), "core_kfuncs.c:83");
    assert_eq!(
        rst_inline("see x_y.c:12, ARG_PTR:x"),
        "see x_y.c:12, ARG_PTR:x"
    );
}

#[test]
fn ticks_make_backticked_parts_code_and_escape_the_rest() {
    assert_eq!(
        rst_ticks("`bpf_a`: argument `len` is `u64` (was `u32`)", true),
        "``bpf_a``: argument ``len`` is ``u64`` (was ``u32``)"
    );
    assert_eq!(
        md_ticks("`bpf_a`: argument `len` is `u64` (was `u32`)", true),
        "`bpf_a`: argument `len` is `u64` (was `u32`)"
    );
    // After other text: the leading space stays, nothing is escaped as a
    // line start.
    assert_eq!(rst_ticks(" is now `b`", false), " is now ``b``");
    assert_eq!(md_ticks(": `x` *y*", false), ": `x` \\*y\\*");
    assert_eq!(md_ticks(": `x`", true), "&#58; `x`");
    // A literal next to a word is set off for docutils.
    assert_eq!(rst_ticks("`a`s and x`b`", true), "``a``\\ s and x\\ ``b``");
    // An odd number of backticks: all text, escaped.
    assert_eq!(rst_ticks("a `b", true), "a \\`b");
    assert_eq!(md_ticks("a `b", true), "a \\`b");
    // Markup in the text parts stays text.
    assert_eq!(rst_ticks("*x* `_y_` z_", true), "\\*x\\* ``_y_`` z\\_");
}
