use super::*;

fn rst(s: &str) -> String {
    convert(s, Target::Rst)
}

fn md(s: &str) -> String {
    convert(s, Target::Markdown)
}

#[test]
fn paragraphs_join_their_lines() {
    assert_eq!(rst("one\ntwo\n\nthree"), "one two\n\nthree\n");
    assert_eq!(md("one\ntwo\n\nthree"), "one\ntwo\n\nthree\n");
    assert_eq!(rst(""), "");
}

#[test]
fn bullet_lists_with_continuations() {
    // bpf_cpumask_any_distribute's Return: (kernel/bpf/cpumask.c)
    let text = "* A random set bit within [0, num_cpus) if at least one bit is set.\n\
                * >= num_cpus if no bit is set.\n\nA struct bpf_cpumask pointer may be \
                safely passed to @src.";
    assert_eq!(
        rst(text),
        "- A random set bit within [0, num_cpus) if at least one bit is set.\n\n\
         - \\>= num_cpus if no bit is set.\n\n\
         A struct bpf_cpumask pointer may be safely passed to ``src``.\n"
    );
    let text = "* true  - @dst has at least one bit\n  set following the operation\n\
                * false - @dst is empty";
    let out = md(text);
    assert!(out.starts_with("-   true  - `dst` has at least one bit\n    set following"));
    assert!(out.contains("\n-   false - `dst` is empty"));
}

#[test]
fn a_list_may_follow_a_paragraph_line() {
    let out = rst("The following DSQs are\nsupported:\n\n- Local DSQs\n- User DSQs\n\nMore.");
    assert_eq!(
        out,
        "The following DSQs are supported:\n\n- Local DSQs\n\n- User DSQs\n\nMore.\n"
    );
    let out = rst("Values:\n- one\n- two");
    assert_eq!(out, "Values:\n\n- one\n\n- two\n");
}

#[test]
fn numbered_items_with_hanging_continuations() {
    // scx_bpf_now (7.2 kernel/sched/ext/ext.c): continuation indented less
    // than the item's text.
    let text = "It provides:\n\n1) High performance: Many\n to account for it.\n\n\
                2) High enough resolution: In\n most cases.";
    assert_eq!(
        rst(text),
        "It provides:\n\n1. High performance: Many to account for it.\n\n\
         2. High enough resolution: In most cases.\n"
    );
}

#[test]
fn literal_blocks_after_double_colon_and_pasted_code() {
    assert_eq!(
        rst("Like this::\n\n    x = 1;\n      y;\n\nDone."),
        "Like this:\n\n::\n\n    x = 1;\n      y;\n\nDone.\n"
    );
    assert_eq!(rst("Code ::\n\n  a"), "Code\n\n::\n\n    a\n");
    // bpf_dynptr_slice_rdwr: code pasted as a paragraph, one line indented.
    let out =
        md("pattern:\n\nstruct eth_hdr *eth = f();\nif (!eth)\n\treturn TC_ACT_SHOT;\n\nAfter.");
    assert_eq!(
        out,
        "pattern:\n\n```\nstruct eth_hdr *eth = f();\nif (!eth)\n        return TC_ACT_SHOT;\n```\n\nAfter.\n"
    );
    // No indented block after `::`: the colons are text.
    assert_eq!(rst("text::"), "text:\\:\n");
}

#[test]
fn a_slightly_indented_paragraph_is_text() {
    assert_eq!(
        rst("a\n\n If b is NULL, fail."),
        "a\n\nIf b is NULL, fail.\n"
    );
}

#[test]
fn highlights_become_code() {
    assert_eq!(
        md("Insert @node into &struct bpf_rb_root @root; %-EINVAL or %NULL, see foo()."),
        "Insert `node` into `struct bpf_rb_root` `root`; `-EINVAL` or `NULL`, see `foo()`.\n"
    );
    // Not highlights: an address, a percentage, `a & b`, a method.
    assert_eq!(
        md("mail a@b.c, 100% and a & b, ops.dispatch()"),
        "mail a@b.c, 100% and a &amp; b, ops.dispatch()\n"
    );
    assert_eq!(rst("@p->field and ``lit``"), "``p->field`` and ``lit``\n");
}

#[test]
fn nothing_becomes_markup() {
    assert_eq!(
        rst("*name__str* and `x` {{#include y}}"),
        "\\*name__str\\* and \\`x\\` {{#include y}}\n"
    );
    assert_eq!(
        md("*name__str* and `x` {{#include y}}"),
        "\\*name\\_\\_str\\* and \\`x\\` \\{\\{#include y\\}\\}\n"
    );
}
