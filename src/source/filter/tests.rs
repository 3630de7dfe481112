//! Each filter pattern on small C snippets, and the ones that must not be
//! evaluated.

use super::*;
use crate::kernel::{flags, hooks as hook_tables, progtypes, suffixes};
use crate::model::Kfunc;
use crate::source::assemble::{Tables, assemble};
use crate::source::scan::scan;

const TRACING: &str = "BPF_PROG_TYPE_TRACING";
const LSM: &str = "BPF_PROG_TYPE_LSM";
const KPROBE: &str = "BPF_PROG_TYPE_KPROBE";

fn tables() -> Tables {
    let v = "6.12".parse().unwrap();
    Tables {
        flags: flags::builtin(v),
        hooks: hook_tables::builtin(v),
        suffixes: suffixes::builtin(v),
        sleepable: progtypes::builtin_sleepable(v),
        kernel_doc_python: false,
    }
}

fn attach() -> AttachTable {
    AttachTable {
        map: [
            ("BPF_TRACE_ITER", TRACING),
            ("BPF_TRACE_FENTRY", TRACING),
            ("BPF_LSM_MAC", LSM),
        ]
        .into_iter()
        .map(|(a, p)| (a.to_string(), p.to_string()))
        .collect(),
    }
}

/// A file with the kfuncs `k1` (in `my_ids`) and `k2` (in `other_ids`),
/// both registered for `prog_type`, `my_ids` with `filter` as its filter.
fn file(prog_type: &str, filter: &str) -> String {
    format!(
        "BTF_KFUNCS_START(my_ids)\nBTF_ID_FLAGS(func, k1)\nBTF_KFUNCS_END(my_ids)\n\
         BTF_KFUNCS_START(other_ids)\nBTF_ID_FLAGS(func, k2)\nBTF_KFUNCS_END(other_ids)\n\
         BTF_SET_START(plain_set)\nBTF_ID(func, k1)\nBTF_SET_END(plain_set)\n\
         static bool is_iter(const struct bpf_prog *p)\n{{\n\treturn p->expected_attach_type == BPF_TRACE_ITER;\n}}\n\
         {filter}\n\
         static const struct btf_kfunc_id_set my_set = {{ .owner = THIS_MODULE, .set = &my_ids, .filter = my_filter, }};\n\
         static const struct btf_kfunc_id_set other_set = {{ .owner = THIS_MODULE, .set = &other_ids, }};\n\
         static int __init init(void)\n{{\n\
         \tregister_btf_kfunc_id_set({prog_type}, &my_set);\n\
         \treturn register_btf_kfunc_id_set({prog_type}, &other_set);\n}}\n"
    )
}

fn run(prog_type: &str, filter: &str) -> Vec<Kfunc> {
    let text = file(prog_type, filter);
    let facts = vec![scan("net/x.c", text.into_bytes())];
    let t = tables();
    let mut a = assemble(&facts, &t, None, &|_| false);
    apply(&mut a.kfuncs, &a.sets, &facts, &t.hooks, &attach());
    a.kfuncs
}

fn k1(prog_type: &str, filter: &str) -> Kfunc {
    let ks = run(prog_type, filter);
    // The filter of my_set runs for other_ids' k2 too, which it must admit.
    let k2 = ks.iter().find(|k| k.name == "k2").unwrap();
    assert!(
        k2.filters.iter().all(|f| f.excludes.is_empty()),
        "{:?}",
        k2.filters
    );
    ks.into_iter().find(|k| k.name == "k1").unwrap()
}

fn short(v: &[String]) -> Vec<&str> {
    v.iter()
        .map(|s| s.strip_prefix("BPF_PROG_TYPE_").unwrap_or(s))
        .collect()
}

#[test]
fn prog_type_equality_with_or() {
    let k = k1(
        "BPF_PROG_TYPE_LSM",
        "static int my_filter(const struct bpf_prog *prog, u32 kfunc_id)\n{\n\
         \tif (!btf_id_set8_contains(&my_ids, kfunc_id) ||\n\t    prog->type == BPF_PROG_TYPE_LSM)\n\
         \t\treturn 0;\n\treturn -EACCES;\n}",
    );
    assert_eq!(short(&k.callable_from), ["LSM"]);
    let f = &k.filters[0];
    assert_eq!(f.name, "my_filter");
    assert_eq!((f.file.as_deref(), f.line), (Some("net/x.c"), Some(14)));
    assert!(f.evaluated);
    assert_eq!(
        short(&f.excludes),
        ["PERF_EVENT", "TRACEPOINT", "TRACING"],
        "{f:?}"
    );
    assert_eq!(f.id_sets, ["my_set"]);
}

#[test]
fn ternary_and_resolve_prog_type() {
    let k = k1(
        "BPF_PROG_TYPE_TRACING",
        "static int my_filter(const struct bpf_prog *prog, u32 kfunc_id)\n{\n\
         \tif (!btf_id_set_contains(&plain_set, kfunc_id))\n\t\treturn 0;\n\
         \t/* only LSM */\n\treturn resolve_prog_type(prog) != BPF_PROG_TYPE_LSM ? -EACCES : 0;\n}",
    );
    assert_eq!(short(&k.callable_from), ["LSM"]);
}

#[test]
fn attach_type_condition_keeps_its_program_type() {
    let k = k1(
        "BPF_PROG_TYPE_TRACING",
        "static int my_filter(const struct bpf_prog *prog, u32 kfunc_id)\n{\n\
         \tif (btf_id_set8_contains(&my_ids, kfunc_id) &&\n\
         \t    prog->expected_attach_type != BPF_TRACE_ITER)\n\t\treturn -EACCES;\n\treturn 0;\n}",
    );
    assert_eq!(short(&k.callable_from), ["TRACING"]);
    let f = &k.filters[0];
    assert_eq!(f.conditions.len(), 1);
    assert_eq!(f.conditions[0].prog_type, TRACING);
    assert_eq!(
        f.conditions[0].condition,
        "prog->expected_attach_type == BPF_TRACE_ITER"
    );
}

#[test]
fn helpers_are_followed() {
    let k = k1(
        "BPF_PROG_TYPE_TRACING",
        "static int my_filter(const struct bpf_prog *prog, u32 kfunc_id)\n{\n\
         \tif (!btf_id_set8_contains(&my_ids, kfunc_id))\n\t\treturn 0;\n\
         \tif (!is_iter(prog))\n\t\treturn -EACCES;\n\treturn 0;\n}",
    );
    assert_eq!(short(&k.callable_from), ["TRACING"]);
    assert_eq!(
        k.filters[0].conditions[0].condition,
        "prog->expected_attach_type == BPF_TRACE_ITER"
    );
}

#[test]
fn unmapped_attach_types_stay_conditions_on_every_type() {
    let k = k1(
        "BPF_PROG_TYPE_KPROBE",
        "static int my_filter(const struct bpf_prog *prog, u32 kfunc_id)\n{\n\
         \tbool mine = btf_id_set8_contains(&my_ids, kfunc_id);\n\
         \tif (mine && prog->type == BPF_PROG_TYPE_KPROBE &&\n\
         \t    prog->expected_attach_type != BPF_TRACE_KPROBE_SESSION &&\n\
         \t    prog->expected_attach_type != BPF_TRACE_UPROBE_SESSION)\n\t\treturn -EACCES;\n\
         \treturn 0;\n}",
    );
    assert_eq!(short(&k.callable_from), ["KPROBE"]);
    assert_eq!(k.filters[0].conditions[0].prog_type, KPROBE);
    assert_eq!(
        k.filters[0].conditions[0].condition,
        "prog->expected_attach_type == BPF_TRACE_KPROBE_SESSION || \
         prog->expected_attach_type == BPF_TRACE_UPROBE_SESSION"
    );
}

#[test]
fn sleepable_and_struct_ops_are_conditions() {
    let k = k1(
        "BPF_PROG_TYPE_STRUCT_OPS",
        "static int my_filter(const struct bpf_prog *prog, u32 kfunc_id)\n{\n\
         \tif (!btf_id_set8_contains(&my_ids, kfunc_id))\n\t\treturn 0;\n\
         \tif (prog->aux->st_ops != &my_ops)\n\t\treturn -EACCES;\n\
         \treturn prog->aux->sleepable ? 0 : -EPERM;\n}",
    );
    assert_eq!(short(&k.callable_from), ["STRUCT_OPS"]);
    assert_eq!(
        k.filters[0].conditions[0].condition,
        "prog->aux->st_ops == &my_ops && prog->aux->sleepable"
    );
}

#[test]
fn locals_assignments_and_else() {
    let k = k1(
        "BPF_PROG_TYPE_LSM",
        "static int my_filter(const struct bpf_prog *prog, u32 kfunc_id)\n{\n\
         \tint ret;\n\tif (btf_id_set8_contains(&other_ids, kfunc_id))\n\t\tret = 0;\n\
         \telse if (prog->type == BPF_PROG_TYPE_TRACING)\n\t\tret = -EACCES;\n\telse {\n\t\tret = 0;\n\t}\n\
         \treturn ret;\n}",
    );
    assert_eq!(short(&k.callable_from), ["LSM", "PERF_EVENT", "TRACEPOINT"]);
}

/// Constructs that must stop the evaluation, with the reason, and keep
/// every program type of the hook.
#[test]
fn not_evaluated() {
    let cases = [
        (
            "a loop",
            "\tint i;\n\tfor (i = 0; i < 3; i++)\n\t\tif (prog->type == BPF_PROG_TYPE_LSM)\n\t\t\treturn 0;\n\treturn -EACCES;",
            "`for`",
        ),
        (
            "an unknown call",
            "\tif (!my_check(prog))\n\t\treturn -EACCES;\n\treturn 0;",
            "`my_check()`",
        ),
        (
            "a global",
            "\tif (my_global)\n\t\treturn -EACCES;\n\treturn 0;",
            "`my_global`",
        ),
        (
            "an array",
            "\tif (my_table[prog->type])\n\t\treturn -EACCES;\n\treturn 0;",
            "array element",
        ),
        (
            "another field",
            "\tif (prog->aux->attach_btf_id == 5)\n\t\treturn -EACCES;\n\treturn 0;",
            "prog->aux->attach_btf_id",
        ),
        (
            "a pointer tested",
            "\tif (!prog->aux->st_ops)\n\t\treturn 0;\n\treturn -EACCES;",
            "prog->aux->st_ops",
        ),
        (
            "a switch",
            "\tswitch (prog->type) {\n\tcase BPF_PROG_TYPE_LSM:\n\t\treturn 0;\n\t}\n\treturn -EACCES;",
            "`switch`",
        ),
        (
            "a directive",
            "#ifdef CONFIG_X\n\treturn 0;\n#endif\n\treturn -EACCES;",
            "preprocessor",
        ),
        (
            "an unknown set",
            "\tif (btf_id_set8_contains(&nowhere_ids, kfunc_id))\n\t\treturn -EACCES;\n\treturn 0;",
            "nowhere_ids",
        ),
    ];
    for (what, body, reason) in cases {
        let filter = format!(
            "static int my_filter(const struct bpf_prog *prog, u32 kfunc_id)\n{{\n{body}\n}}"
        );
        let k = k1("BPF_PROG_TYPE_LSM", &filter);
        assert_eq!(
            short(&k.callable_from),
            ["LSM", "PERF_EVENT", "TRACEPOINT", "TRACING"],
            "{what}"
        );
        let f = &k.filters[0];
        assert!(!f.evaluated, "{what}");
        assert_eq!(f.not_evaluated.len(), 4, "{what}");
        assert!(
            f.not_evaluated[0].reason.contains(reason),
            "{what}: {}",
            f.not_evaluated[0].reason
        );
    }
}

/// An unknown construct after a decided test is never reached.
#[test]
fn unreached_constructs_do_not_matter() {
    let k = k1(
        "BPF_PROG_TYPE_LSM",
        "static int my_filter(const struct bpf_prog *prog, u32 kfunc_id)\n{\n\
         \tif (!btf_id_set8_contains(&my_ids, kfunc_id))\n\t\treturn 0;\n\
         \tif (prog->type != BPF_PROG_TYPE_LSM)\n\t\treturn -EACCES;\n\
         \tif (my_global || my_check(prog))\n\t\treturn -EACCES;\n\treturn 0;\n}",
    );
    let f = &k.filters[0];
    // LSM reaches the unknown global: not evaluated for LSM only.
    assert_eq!(short(&f.excludes), ["PERF_EVENT", "TRACEPOINT", "TRACING"]);
    assert_eq!(f.not_evaluated.len(), 1);
    assert_eq!(f.not_evaluated[0].prog_type, LSM);
    assert_eq!(short(&k.callable_from), ["LSM"]);
}

#[test]
fn missing_definition_is_named() {
    let ks = run("BPF_PROG_TYPE_LSM", "/* my_filter is defined elsewhere */");
    let k = ks.iter().find(|k| k.name == "k1").unwrap();
    assert!(!k.filters[0].evaluated);
    assert!(k.filters[0].file.is_none());
    assert!(k.filters[0].not_evaluated[0].reason.contains("not found"));
}

#[test]
fn formulas() {
    let a = Dnf::atom(Atom::Eq("x".into(), "A".into()));
    let b = Dnf::atom(Atom::Eq("x".into(), "B".into()));
    assert_eq!(a.and(&b).as_const(), Some(false));
    assert_eq!(a.and(&b.not()), a);
    assert_eq!(
        a.or(&a.not()).as_const(),
        None,
        "no tautology detection needed"
    );
    assert_eq!(a.or(&a.and(&b.not())), a);
    assert_eq!(a.not().not(), a);
    assert_eq!(a.or(&b).to_string(), "x == A || x == B");
    let s = Dnf::atom(Atom::Flag("s".into()));
    assert_eq!(a.and(&s).or(&b).to_string(), "(x == A && s) || x == B");
}

#[test]
fn plain_sets_are_read() {
    let s = plain_sets(
        "BTF_SET_START(a)\nBTF_ID(func, f1)\n#ifdef X\nBTF_ID(func, f2)\n#endif\nBTF_ID(struct, t)\nBTF_SET_END(a)\n",
    );
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].0, "a");
    assert_eq!(s[0].1.iter().collect::<Vec<_>>(), ["f1", "f2"]);
}
