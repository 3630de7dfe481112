//! `convert` construct by construct, and every rejection with its position.
//! `tests/render_text.rs` checks the RST against docutils and the Markdown
//! against pulldown-cmark on a larger corpus.

use super::*;

#[track_caller]
fn rst(md: &str) -> String {
    convert(md, Target::Rst).unwrap_or_else(|e| panic!("{md:?}: {e}"))
}

#[track_caller]
fn md(md: &str) -> String {
    convert(md, Target::Markdown).unwrap_or_else(|e| panic!("{md:?}: {e}"))
}

#[track_caller]
fn rejected(input: &str, line: u32, col: u32, what: &str) {
    for target in [Target::Rst, Target::Markdown] {
        let e = convert(input, target).expect_err(input);
        assert_eq!((e.line, e.col), (line, col), "{input:?}: {e}");
        assert!(e.message.contains(what), "{input:?}: {e}");
    }
}

#[test]
fn empty_input_gives_empty_output() {
    assert_eq!(rst(""), "");
    assert_eq!(md(""), "");
    assert_eq!(rst("\n\n  \n"), "");
}

#[test]
fn paragraphs_and_inline_markup() {
    let input = "*em* and **strong** and `code`\nsecond line\n\nNext.";
    assert_eq!(
        rst(input),
        "*em* and **strong** and ``code`` second line\n\nNext.\n"
    );
    assert_eq!(
        md(input),
        "*em* and **strong** and `code`\nsecond line\n\nNext.\n"
    );
}

#[test]
fn rst_sets_markup_off_from_adjacent_text() {
    assert_eq!(rst("foo*bar*baz"), "foo\\ *bar*\\ baz\n");
    assert_eq!(rst("x*a*. (*b*) *c*_d"), "x\\ *a*. (*b*) *c*\\ _d\n");
    assert_eq!(rst("`a``b`"), ":literal:`a\\`\\`b`\n");
    assert_eq!(rst("x`y`z"), "x\\ ``y``\\ z\n");
}

#[test]
fn rst_flattens_nested_inline_markup() {
    assert_eq!(rst("**a *b* `c`**"), "**a b c**\n");
    assert_eq!(rst("[**b** `c`](http://x)"), "`b c <http://x>`__\n");
    assert_eq!(md("**a *b* `c`**"), "**a *b* `c`**\n");
}

#[test]
fn rst_text_is_escaped() {
    assert_eq!(
        rst("\\*x\\* |s| name_ [1]\\_ `a_`"),
        "\\*x\\* \\|s\\| name\\_ [1]\\_ ``a_``\n"
    );
    assert_eq!(rst("ends with::"), "ends with:\\:\n");
    assert_eq!(rst("\\- not a list"), "\\- not a list\n");
    assert_eq!(rst("a\\\nb  \nc"), "a b c\n");
}

#[test]
fn links() {
    let input = "[a](http://x) [a](http://y \"T\") <http://z/a_>";
    assert_eq!(
        rst(input),
        "`a <http://x>`__ `a <http://y>`__ `http://z/a\\_ <http://z/a\\_>`__\n"
    );
    assert_eq!(
        md(input),
        "[a](http://x) [a](http://y \"T\") [http://z/a\\_](http://z/a_)\n"
    );
    // An e-mail autolink is no link either: its address stays as text.
    for out in [rst("<m@x.org>"), md("<m@x.org>")] {
        assert!(!out.contains("mailto") && out.contains("x.org"), "{out}");
    }
    let refs = "[ref][r] and [r]\n\n[r]: http://x/r";
    assert_eq!(rst(refs), "`ref <http://x/r>`__ and `r <http://x/r>`__\n");
    assert_eq!(md(refs), "[ref](http://x/r) and [r](http://x/r)\n");
}

#[test]
fn link_destinations_are_escaped() {
    let input =
        "[a](<http://x/a b>) [b](http://x/\\(p\\)) [c](http://x/{{#y}}) [d](http://x/`<q>`)";
    assert_eq!(
        rst(input),
        "`a <http://x/a%20b>`__ `b <http://x/(p)>`__ `c <http://x/{{#y}}>`__ \
         `d <http://x/\\`\\<q\\>\\`>`__\n"
    );
    assert_eq!(
        md(input),
        "[a](http://x/a%20b) [b](http://x/\\(p\\)) [c](http://x/%7B%7B#y%7D%7D) \
         [d](http://x/`%3Cq%3E`)\n"
    );
}

#[test]
fn lists() {
    let input = "- a\n- b\n  - c\n- d";
    assert_eq!(rst(input), "- a\n\n- b\n\n  - c\n\n- d\n");
    assert_eq!(md(input), "-   a\n-   b\n    -   c\n-   d\n");
    let ordered = "3. three\n4. four\n\n   more\n\n   ```c\n   int x;\n   ```\n5. five";
    assert_eq!(
        rst(ordered),
        "3. three\n\n4. four\n\n   more\n\n   .. code-block:: c\n\n       int x;\n\n5. five\n"
    );
    assert_eq!(
        md(ordered),
        "3.  three\n\n4.  four\n\n    more\n\n    ```c\n    int x;\n    ```\n\n5.  five\n"
    );
    assert_eq!(rst("1. a\n1. b"), "1. a\n\n2. b\n");
    assert_eq!(rst("-\n- b"), "-\n\n- b\n");
    assert_eq!(md("-\n- b"), "-\n-   b\n");
}

#[test]
fn adjacent_lists_stay_apart() {
    assert_eq!(rst("- a\n\n+ b"), "- a\n\n..\n\n- b\n");
    assert_eq!(md("- a\n\n+ b\n\n- c"), "-   a\n\n*   b\n\n-   c\n");
    assert_eq!(md("1. a\n\n1) b"), "1.  a\n\n1)  b\n");
}

#[test]
fn code_blocks() {
    let input = "```c\nint main(void)\n{\n\treturn 0;  \n}\n```";
    assert_eq!(
        rst(input),
        ".. code-block:: c\n\n    int main(void)\n    {\n            return 0;\n    }\n"
    );
    assert_eq!(md(input), "```c\nint main(void)\n{\n\treturn 0;\n}\n```\n");
    assert_eq!(
        rst("    indented\n\n    code"),
        "::\n\n    indented\n\n    code\n"
    );
    assert_eq!(md("    indented"), "```\nindented\n```\n");
    assert_eq!(md("````\n```\n````"), "````\n```\n````\n");
    assert_eq!(rst("```\n```"), "");
    assert_eq!(md("```\n```"), "```\n```\n");
}

#[test]
fn mdbook_links_never_reach_markdown_output() {
    assert_eq!(
        md("{{#include a}} `{{#include b}}`"),
        "\\{\\{#include a\\}\\} <code>\\{\\{#include b\\}\\}</code>\n"
    );
    assert_eq!(
        md("```c\nx = {{#include c}};\n```"),
        "<pre><code class=\"language-c\">x = &#123;&#123;#include c}};</code></pre>\n"
    );
    assert_eq!(rst("`{{#include b}}`"), "``{{#include b}}``\n");
}

#[test]
fn block_quotes() {
    assert_eq!(rst("> q\n> r\n\n> s"), "..\n\n    q r\n\n..\n\n    s\n");
    assert_eq!(md("> q\n> r\n\n> s"), "> q\n> r\n\n> s\n");
    assert_eq!(rst("- > q"), "- ..\n\n      q\n");
    assert_eq!(md("> a\n>\n> - b"), "> a\n>\n> -   b\n");
}

#[test]
fn hard_breaks() {
    assert_eq!(md("a\\\nb  \nc"), "a\\\nb\\\nc\n");
    assert_eq!(rst("a\\\nb  \nc"), "a b c\n");
}

#[test]
fn markdown_emphasis_delimiters_never_merge() {
    assert_eq!(md("***x***"), "*__x__*\n");
    assert_eq!(md("*a*_b_"), "*a*_b_\n");
    assert_eq!(md("**a *b***"), "**a *b***\n");
}

#[test]
fn markdown_text_is_re_escaped() {
    assert_eq!(
        md("\\# not a heading\n\n1\\. not a list\n\na\n\\- not an item\n\n&lt;b&gt; &amp; \\~"),
        "\\# not a heading\n\n1\\. not a list\n\na\n\\- not an item\n\n&lt;b\\> &amp; &#126;\n"
    );
}

#[test]
fn output_is_deterministic_and_clean() {
    let input = "a  \n\n- b\n\n  ```\n  c   \n  ```\n\n> d";
    for target in [Target::Rst, Target::Markdown] {
        let one = convert(input, target).unwrap();
        assert_eq!(one, convert(input, target).unwrap());
        assert!(one.ends_with('\n') && !one.ends_with("\n\n"), "{one:?}");
        assert!(
            !one.lines().any(|l| l.ends_with(char::is_whitespace)),
            "{one:?}"
        );
    }
}

#[test]
fn unsupported_constructs_are_rejected_where_they_are() {
    rejected("# heading", 1, 1, "a heading");
    rejected("text\n\nSetext\n------", 3, 1, "a heading");
    rejected("a\n\n***", 3, 1, "thematic break");
    rejected("| a | b |\n|---|---|\n| 1 | 2 |", 1, 1, "a table");
    rejected("<div>\nx\n</div>", 1, 1, "HTML");
    rejected("a <b>x</b>", 1, 3, "HTML");
    rejected("é <br>", 1, 4, "HTML");
    rejected("- a\n\n  b <!-- c -->", 3, 5, "HTML");
    rejected("x ![img](a.png)", 1, 3, "an image");
    rejected("a[^1]\n\n[^1]: note", 1, 2, "a footnote reference");
    rejected("[^1]: note", 1, 1, "a footnote definition");
    rejected("a ~~x~~", 1, 3, "strikethrough");
    rejected("- [ ] task", 1, 3, "a task list");
    rejected("a $x$", 1, 3, "math");
    rejected("$$\nx\n$$", 1, 1, "math");
    rejected("term\n: definition", 1, 1, "a definition list");
    rejected("---\ntitle: x\n---\n\ntext", 1, 1, "a metadata block");
    rejected("> [!NOTE]\n> x", 1, 1, "GitHub alert");
    rejected("```rust,ignore\nx\n```", 1, 1, "`rust,ignore`");
    rejected("see [a]()", 1, 5, "without a destination");
    rejected(&format!("{} x", ">".repeat(40)), 1, 33, "nested");
}

#[test]
fn errors_display_their_position() {
    let e = convert("ok\n\n# no", Target::Rst).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("line 3, column 1: a heading is not supported"),
        "{e}"
    );
}
