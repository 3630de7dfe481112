//! Program types through `.filter` callbacks (issue 9 item 2), on the real
//! 7.2 and 6.12 trees: each filter's verdict against the kernel source, read
//! here with a grep-like oracle that shares no code with kfuncdoc, and the
//! pages that state them.

use crate::real::{k, tree_6_12, tree_7_2};
use crate::util::{TempDir, files_under, kfuncdoc};
use kfuncdoc::model::{Catalog, Kfunc, KfuncFilter};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const TRACING_HOOK_7_2: &[&str] = &[
    "LSM",
    "PERF_EVENT",
    "RAW_TRACEPOINT",
    "TRACEPOINT",
    "TRACING",
];
const TRACING_HOOK_6_12: &[&str] = &["LSM", "PERF_EVENT", "TRACEPOINT", "TRACING"];

fn read(tree: &Path, rel: &str) -> String {
    String::from_utf8_lossy(&std::fs::read(tree.join(rel)).unwrap()).into_owned()
}

/// The functions of `BTF_KFUNCS_START(set)` ... `BTF_KFUNCS_END(set)`.
fn set_members(text: &str, set: &str) -> Vec<String> {
    let start = text
        .find(&format!("BTF_KFUNCS_START({set})"))
        .unwrap_or_else(|| panic!("no set {set}"));
    let end = start
        + text[start..]
            .find(&format!("BTF_KFUNCS_END({set})"))
            .unwrap();
    text[start..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("BTF_ID_FLAGS(func, "))
        .map(|r| r.split([',', ')']).next().unwrap().trim().to_string())
        .collect()
}

/// The line of the definition `int name(const struct bpf_prog *`.
fn def_line(text: &str, name: &str) -> u32 {
    let needle = format!("int {name}(const struct bpf_prog *");
    let i = text
        .lines()
        .position(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no definition of {name}"));
    i as u32 + 1
}

fn short(v: &[String]) -> Vec<&str> {
    v.iter()
        .map(|s| s.strip_prefix("BPF_PROG_TYPE_").unwrap_or(s))
        .collect()
}

fn filter<'k>(kf: &'k Kfunc, name: &str) -> &'k KfuncFilter {
    kf.filters
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{}: no filter {name}: {:?}", kf.name, kf.filters))
}

/// Every member of `set` in `file` is callable from LSM only, because of
/// `name`, which is evaluated and refuses the rest of the TRACING hook.
fn lsm_only(tree: &Path, c: &Catalog, file: &str, set: &str, name: &str, hook: &[&str]) {
    let text = read(tree, file);
    let members = set_members(&text, set);
    assert!(!members.is_empty());
    for m in &members {
        let kf = k(c, m);
        assert_eq!(short(&kf.callable_from), ["LSM"], "{m}");
        let f = filter(kf, name);
        assert!(f.evaluated, "{m}: {f:?}");
        assert_eq!(f.file.as_deref(), Some(file));
        assert_eq!(f.line, Some(def_line(&text, name)));
        let others: Vec<&str> = hook.iter().copied().filter(|t| *t != "LSM").collect();
        assert_eq!(short(&f.excludes), others, "{m}");
        assert!(f.conditions.is_empty() && f.not_evaluated.is_empty());
    }
}

#[test]
fn fs_kfuncs_only_lsm() {
    for (tree, hook) in [
        (tree_7_2(), TRACING_HOOK_7_2),
        (tree_6_12(), TRACING_HOOK_6_12),
    ] {
        let Some((t, c)) = tree else { return };
        lsm_only(
            t,
            c,
            "fs/bpf_fs_kfuncs.c",
            "bpf_fs_kfunc_set_ids",
            "bpf_fs_kfuncs_filter",
            hook,
        );
        assert!(
            set_members(&read(t, "fs/bpf_fs_kfuncs.c"), "bpf_fs_kfunc_set_ids")
                .contains(&"bpf_get_file_xattr".to_string())
        );
    }
}

#[test]
fn fsverity_digest_only_lsm() {
    for (tree, hook) in [
        (tree_7_2(), TRACING_HOOK_7_2),
        (tree_6_12(), TRACING_HOOK_6_12),
    ] {
        let Some((t, c)) = tree else { return };
        lsm_only(
            t,
            c,
            "fs/verity/measure.c",
            "fsverity_set_ids",
            "bpf_get_fsverity_digest_filter",
            hook,
        );
    }
}

#[test]
fn socket_iterator_kfuncs_only_trace_iter() {
    for (tree, hook) in [
        (tree_7_2(), TRACING_HOOK_7_2),
        (tree_6_12(), TRACING_HOOK_6_12),
    ] {
        let Some((t, c)) = tree else { return };
        let text = read(t, "net/core/filter.c");
        let members = set_members(&text, "bpf_sk_iter_kfunc_ids");
        assert!(members.contains(&"bpf_sock_destroy".to_string()));
        for m in &members {
            let kf = k(c, m);
            assert_eq!(short(&kf.callable_from), ["TRACING"], "{m}");
            let f = filter(kf, "tracing_iter_filter");
            assert!(f.evaluated);
            assert_eq!(f.line, Some(def_line(&text, "tracing_iter_filter")));
            assert_eq!(f.conditions.len(), 1);
            assert_eq!(f.conditions[0].prog_type, "BPF_PROG_TYPE_TRACING");
            assert_eq!(
                f.conditions[0].condition,
                "prog->expected_attach_type == BPF_TRACE_ITER"
            );
            let others: Vec<&str> = hook.iter().copied().filter(|t| *t != "TRACING").collect();
            assert_eq!(short(&f.excludes), others);
        }
    }
}

#[test]
fn session_kfuncs_their_attach_types() {
    if let Some((t, c)) = tree_7_2() {
        let text = read(t, "kernel/trace/bpf_trace.c");
        let members = set_members(&text, "session_kfunc_set_ids");
        assert!(members.contains(&"bpf_session_cookie".to_string()));
        for m in &members {
            let kf = k(c, m);
            assert_eq!(short(&kf.callable_from), ["KPROBE", "TRACING"], "{m}");
            let f = filter(kf, "bpf_session_filter");
            assert!(f.evaluated);
            assert_eq!(f.line, Some(def_line(&text, "bpf_session_filter")));
            let conds: Vec<(&str, &str)> = f
                .conditions
                .iter()
                .map(|c| (c.prog_type.as_str(), c.condition.as_str()))
                .collect();
            assert_eq!(
                conds,
                [
                    (
                        "BPF_PROG_TYPE_KPROBE",
                        "prog->expected_attach_type == BPF_TRACE_KPROBE_SESSION || \
                         prog->expected_attach_type == BPF_TRACE_UPROBE_SESSION"
                    ),
                    (
                        "BPF_PROG_TYPE_TRACING",
                        "prog->expected_attach_type == BPF_TRACE_FSESSION || \
                         prog->expected_attach_type == BPF_TRACE_FSESSION_MULTI"
                    )
                ]
            );
        }
    }
    if let Some((t, c)) = tree_6_12() {
        let text = read(t, "kernel/trace/bpf_trace.c");
        for m in set_members(&text, "kprobe_multi_kfunc_set_ids") {
            let kf = k(c, &m);
            assert_eq!(short(&kf.callable_from), ["KPROBE"], "{m}");
            let f = filter(kf, "bpf_kprobe_multi_filter");
            assert_eq!(
                f.conditions[0].condition,
                "prog->expected_attach_type == BPF_TRACE_KPROBE_SESSION"
            );
        }
    }
}

#[test]
fn sched_ext_filter_named_not_evaluated() {
    let Some((t, c)) = tree_7_2() else { return };
    let text = read(t, "kernel/sched/ext/ext.c");
    let line = def_line(&text, "scx_kfunc_context_filter");
    for name in [
        "scx_bpf_dsq_insert",
        "scx_bpf_dsq_insert___v2",
        "scx_bpf_now",
        "scx_bpf_create_dsq",
    ] {
        let kf = k(c, name);
        let f = filter(kf, "scx_kfunc_context_filter");
        assert!(!f.evaluated, "{name}");
        assert_eq!(f.file.as_deref(), Some("kernel/sched/ext/ext.c"));
        assert_eq!(f.line, Some(line));
        // Never evaluated for struct_ops callbacks, which depend on the
        // callback (`scx_kf_allow_flags[]`); never a type it refuses.
        assert!(
            f.not_evaluated
                .iter()
                .any(|u| u.prog_type == "BPF_PROG_TYPE_STRUCT_OPS")
        );
        assert!(
            kf.callable_from
                .contains(&"BPF_PROG_TYPE_STRUCT_OPS".to_string())
        );
        assert!(f.excludes.is_empty(), "{name}: {f:?}");
    }
    // In scx_kfunc_ids_any: SYSCALL and the TRACING hook admit it outright.
    let now = k(c, "scx_bpf_now");
    for ty in ["SYSCALL", "TRACING", "LSM"] {
        assert!(short(&now.callable_from).contains(&ty), "{ty}");
    }
    assert_eq!(
        filter(now, "scx_kfunc_context_filter").not_evaluated.len(),
        1
    );
}

/// `.filter = name` of every `struct btf_kfunc_id_set` initializer of the
/// tree's C files (grep, outside tools/ too: test modules count).
fn grep_filters(tree: &Path) -> BTreeSet<(String, String, String)> {
    let out = Command::new("grep")
        .args(["-rl", "--include=*.c", "struct btf_kfunc_id_set"])
        .arg(tree)
        .output()
        .unwrap();
    let mut found = BTreeSet::new();
    for file in String::from_utf8_lossy(&out.stdout).lines() {
        let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
        let rel = Path::new(file)
            .strip_prefix(tree)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for (i, _) in text.match_indices("struct btf_kfunc_id_set ") {
            let rest = &text[i + "struct btf_kfunc_id_set ".len()..];
            let Some(eq) = rest.find('=') else { continue };
            let Some(close) = rest.find("};") else {
                continue;
            };
            if eq > close || rest[..eq].contains(';') || rest[..eq].contains('(') {
                continue;
            }
            let var = rest[..eq].trim().trim_end_matches("[]").to_string();
            for line in rest[eq..close].lines() {
                if let Some(v) = line.trim().strip_prefix(".filter") {
                    let f = v
                        .trim_start()
                        .trim_start_matches('=')
                        .trim()
                        .trim_end_matches(',');
                    found.insert((rel.clone(), var.clone(), f.to_string()));
                }
            }
        }
    }
    found
}

/// Every id set with a `.filter` in the tree: every registered kfunc of its
/// set either names the filter (evaluated or not, with its position) or is
/// admitted by it outright, and at least one kfunc of the set names it.
#[test]
fn every_filter_is_evaluated_or_named() {
    for (tree, want) in [(tree_7_2(), 13), (tree_6_12(), 4)] {
        let Some((t, c)) = tree else { continue };
        let grep = grep_filters(t);
        assert_eq!(grep.len(), want, "{grep:?}");
        for (file, var, name) in &grep {
            let sets: Vec<_> = c
                .sets
                .iter()
                .filter(|s| s.id_sets.iter().any(|i| &i.name == var && &i.file == file))
                .collect();
            assert!(!sets.is_empty(), "{file}: {var} not registered");
            let mut named = 0;
            for s in &sets {
                for m in &s.functions {
                    let Some(kf) = c.get(m) else { continue };
                    if let Some(f) = kf.filters.iter().find(|f| &f.name == name) {
                        named += 1;
                        assert!(f.file.is_some() && f.line.is_some(), "{m}: {f:?}");
                        assert_eq!(f.evaluated, f.not_evaluated.is_empty());
                        assert!(f.not_evaluated.iter().all(|u| !u.reason.is_empty()), "{m}");
                        for x in &f.excludes {
                            assert!(!kf.callable_from.contains(x), "{m}: {x}");
                        }
                    }
                }
            }
            assert!(
                named > 0,
                "{file}: `{name}` of `{var}` is named by none of its kfuncs"
            );
        }
    }
}

/// The pages say what the filters say, and the index column claims no
/// program type a filter refuses.
#[test]
fn pages_state_filters() {
    let Some((_, c)) = tree_7_2() else { return };
    let tmp = TempDir::new("filters");
    let catalog = tmp.0.join("catalog.json");
    std::fs::write(&catalog, serde_json::to_string(c).unwrap()).unwrap();
    let out = tmp.0.join("site");
    let o = kfuncdoc(&[
        "render",
        "--catalog",
        catalog.to_str().unwrap(),
        "--to",
        "markdown",
        "--include-test-only",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut pages = String::new();
    for f in files_under(&out) {
        pages.push_str(&std::fs::read_to_string(out.join(f)).unwrap());
    }
    let prog_line = |name: &str| -> String {
        let head = pages.find(&format!("\n## {name}\n")).unwrap();
        let from = head + pages[head..].find("- **Program types:**").unwrap();
        pages[from..from + pages[from..].find('\n').unwrap()].to_string()
    };
    let xattr = prog_line("bpf_get_file_xattr");
    assert_eq!(
        xattr.split(';').next(),
        Some("- **Program types:** LSM"),
        "{xattr}"
    );
    assert!(
        xattr.contains("refuses PERF_EVENT, RAW_TRACEPOINT, TRACEPOINT, TRACING"),
        "{xattr}"
    );
    let sock = prog_line("bpf_sock_destroy");
    assert!(
        sock.contains("TRACING only if `prog->expected_attach_type == BPF_TRACE_ITER`"),
        "{sock}"
    );
    let insert = prog_line("scx_bpf_dsq_insert");
    let line = filter(k(c, "scx_bpf_dsq_insert"), "scx_kfunc_context_filter")
        .line
        .unwrap();
    assert!(
        insert.contains(&format!(
            "narrowed at load time by `scx_kfunc_context_filter()`, `kernel/sched/ext/ext.c:{line}`"
        )),
        "{insert}"
    );
    // The index row of bpf_get_file_xattr: LSM alone.
    let row = pages
        .lines()
        .find(|l| l.starts_with("| [`bpf_get_file_xattr`]"))
        .unwrap();
    let cols: Vec<&str> = row.split(" | ").collect();
    assert_eq!(cols[4].trim_end_matches(" |"), "LSM", "{row}");
}
