//! The hand-written trees: one per kernel era, one of broken inputs.

use crate::util::{TempDir, copy_tree, golden, tree};
use kfuncdoc::diag::Code;
use kfuncdoc::model::Catalog;
use kfuncdoc::report;
use kfuncdoc::source::extract;

const TREES: &[&str] = &[
    "linux-6.1-era",
    "linux-6.8-era",
    "linux-6.12-era",
    "pitfalls",
];

fn catalog(name: &str) -> Catalog {
    extract(&tree(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn codes(c: &Catalog) -> Vec<(Code, Option<&str>)> {
    c.diagnostics
        .iter()
        .map(|d| (d.code, d.kfunc.as_deref()))
        .collect()
}

#[test]
fn golden_outputs() {
    for name in TREES {
        let c = catalog(name);
        golden(&format!("{name}.json"), &report::json(&c));
        let human = format!(
            "{}{}",
            report::catalog_table(&c),
            report::diagnostics(&c.diagnostics)
        );
        golden(&format!("{name}.txt"), &human);
    }
}

#[test]
fn output_is_deterministic() {
    for name in TREES {
        assert_eq!(
            report::json(&catalog(name)),
            report::json(&catalog(name)),
            "{name}"
        );
    }
}

#[test]
fn era_6_1_diag_regions_and_unmarked_functions() {
    let c = catalog("linux-6.1-era");
    assert_eq!(c.kernel.version.as_deref(), Some("6.1.55"));
    let crash = c.get("crash_kexec").unwrap();
    let def = crash.definition.as_ref().unwrap();
    // Found by the second pass: kexec_core.c mentions no kfunc macro.
    assert_eq!(
        (def.file.as_str(), def.marker.as_str()),
        ("kernel/kexec_core.c", "none")
    );
    assert_eq!(crash.conditions, ["CONFIG_KEXEC_CORE"]);
    let kptr = c.get("bpf_kptr_get_example").unwrap();
    assert_eq!(kptr.flags, ["KF_ACQUIRE", "KF_KPTR_GET", "KF_RET_NULL"]);
    assert_eq!(kptr.flags_value, 0b1101);
    assert_eq!(kptr.definition.as_ref().unwrap().marker, "diag_region");
    // 6.1's verifier only knows __sz.
    assert_eq!(kptr.params[1].annotation, None);
    let obj = c.get("bpf_obj_example").unwrap();
    assert_eq!(obj.params[1].annotation.as_deref(), Some("__sz"));
    assert_eq!(
        obj.doc.as_ref().unwrap().returns.as_deref(),
        Some("0 on success.")
    );
    let cubic = c.get("cubictcp_init").unwrap();
    assert!(cubic.definition.as_ref().unwrap().is_static);
    assert_eq!(cubic.conditions, ["CONFIG_X86", "CONFIG_DYNAMIC_FTRACE"]);
    // No COMMON hook in 6.1: UNSPEC is listed, but not "all program types".
    assert!(
        cubic
            .prog_types
            .contains(&"BPF_PROG_TYPE_UNSPEC".to_string())
    );
    assert!(!cubic.all_prog_types);
    assert!(codes(&c).contains(&(Code::UnsupportedProgType, None)));
    let ct = c.get("bpf_xdp_ct_lookup").unwrap();
    let doc = ct.doc.as_ref().unwrap();
    assert!(!doc.kernel_doc);
    assert!(
        doc.body
            .as_deref()
            .unwrap()
            .starts_with("bpf_xdp_ct_lookup - Lookup CT entry")
    );
    assert_eq!(
        ct.definition.as_ref().unwrap().return_type,
        "struct nf_conn *"
    );
    assert_eq!(ct.subsystem.as_ref().unwrap().name, "NETFILTER");
    assert_eq!(
        c.get("cubictcp_init")
            .unwrap()
            .subsystem
            .as_ref()
            .unwrap()
            .name,
        "NETWORKING [TCP]"
    );
    // The example inside a comment of btf.h is not a kfunc.
    assert!(c.get("not_a_kfunc").is_none());
}

#[test]
fn era_6_8_helpers_loops_and_struct_arrays() {
    let c = catalog("linux-6.8-era");
    assert_eq!(c.kernel.version.as_deref(), Some("6.8.0-rc3"));
    let task = c.get("bpf_task_acquire").unwrap();
    assert_eq!(
        task.prog_types,
        [
            "BPF_PROG_TYPE_SCHED_CLS",
            "BPF_PROG_TYPE_TRACING",
            "BPF_PROG_TYPE_XDP"
        ]
    );
    assert!(
        task.callable_from
            .contains(&"BPF_PROG_TYPE_LSM".to_string())
    );
    // The struct array pairs each type with its own set, not crosswise.
    let skb = c.get("bpf_dynptr_from_skb").unwrap();
    assert_eq!(
        skb.prog_types,
        ["BPF_PROG_TYPE_CGROUP_SKB", "BPF_PROG_TYPE_SCHED_CLS"]
    );
    assert!(!skb.filtered);
    assert_eq!(skb.params[2].annotation.as_deref(), Some("__uninit"));
    let destroy = c.get("bpf_sock_destroy").unwrap();
    assert_eq!(destroy.prog_types, ["BPF_PROG_TYPE_TRACING"]);
    assert!(destroy.filtered);
    // Registered through a helper whose callers are in a file with no
    // kfunc macro: found by the second pass, with the call sites as `via`.
    let hid = c.get("hid_bpf_get_data").unwrap();
    assert_eq!(
        hid.prog_types,
        ["BPF_PROG_TYPE_SYSCALL", "BPF_PROG_TYPE_TRACING"]
    );
    let set = c
        .sets
        .iter()
        .find(|s| s.name == "hid_bpf_kfunc_ids")
        .unwrap();
    assert!(
        set.registrations
            .iter()
            .all(|r| r.via.iter().any(|v| v.starts_with("lib/hid_init.c:")))
    );
    assert_eq!(hid.definition.as_ref().unwrap().return_type, "__u8 *");
    assert!(c.get("bpf_cast_to_kern_ctx").unwrap().all_prog_types);
    let slice = c.get("bpf_dynptr_slice").unwrap();
    assert_eq!(slice.params[3].annotation.as_deref(), Some("__szk"));
    assert_eq!(
        slice.params[2].annotation, None,
        "__opt is not in this tree's verifier"
    );
    assert!(
        slice
            .doc
            .as_ref()
            .unwrap()
            .returns
            .as_deref()
            .unwrap()
            .starts_with("NULL if the call failed")
    );
    assert_eq!(
        c.get("hid_bpf_get_data")
            .unwrap()
            .subsystem
            .as_ref()
            .unwrap()
            .name,
        "HID CORE LAYER"
    );
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn era_6_12_sets_filters_tests_and_findings() {
    let c = catalog("linux-6.12-era");
    let task = c.get("bpf_task_acquire").unwrap();
    assert_eq!(task.sets, ["common_btf_ids", "generic_btf_ids"]);
    assert_eq!(task.entries.len(), 2);
    assert_eq!(task.flags, ["KF_ACQUIRE", "KF_RCU", "KF_RET_NULL"]);
    assert_eq!(
        task.flags_expr.as_deref(),
        Some("KF_ACQUIRE | KF_RCU | KF_RET_NULL")
    );
    assert!(task.all_prog_types);
    let doc = task.doc.as_ref().unwrap();
    assert_eq!(
        doc.context.as_deref(),
        Some("any program type that has a trusted task_struct.")
    );
    assert!(
        doc.returns
            .as_deref()
            .unwrap()
            .starts_with("the task with a new reference")
    );
    // #ifdef/#else alternatives: both entries kept, no duplicate finding.
    let pid = c.get("bpf_task_from_pid").unwrap();
    assert_eq!(pid.entries.len(), 2);
    assert!(pid.conditions.is_empty());
    assert!(!codes(&c).contains(&(Code::DuplicateEntry, Some("bpf_task_from_pid"))));
    // Trailing `;` and an entry spread over two lines.
    assert!(c.get("bpf_rcu_read_lock").is_some());
    assert_eq!(c.get("bpf_dynptr_from_mem_slice").unwrap().line, Some(131));
    // An existing function with no marker.
    assert_eq!(
        c.get("bpf_rcu_read_lock")
            .unwrap()
            .definition
            .as_ref()
            .unwrap()
            .marker,
        "diag_region"
    );
    // Annotations of this tree's verifier.
    let ann = |k: &str, i: usize| c.get(k).unwrap().params[i].annotation.clone();
    assert_eq!(ann("bpf_obj_new_impl", 0).as_deref(), Some("__k"));
    assert_eq!(ann("bpf_obj_new_impl", 1).as_deref(), Some("__ign"));
    assert_eq!(
        ann("bpf_refcount_acquire_impl", 0).as_deref(),
        Some("__refcounted_kptr")
    );
    assert_eq!(ann("bpf_wq_init", 1).as_deref(), Some("__map"));
    assert_eq!(
        ann("bpf_dynptr_from_mem_slice", 3).as_deref(),
        Some("__uninit")
    );
    assert_eq!(ann("scx_bpf_dsq_move", 0).as_deref(), Some("__iter"));
    assert_eq!(ann("bpf_get_file_xattr", 1).as_deref(), Some("__str"));
    // In two sets with their own registrations: the union of program types.
    assert_eq!(
        c.get("scx_bpf_dsq_move").unwrap().prog_types,
        ["BPF_PROG_TYPE_STRUCT_OPS", "BPF_PROG_TYPE_SYSCALL"]
    );
    let xattr = c.get("bpf_get_file_xattr").unwrap();
    assert!(xattr.filtered);
    assert_eq!(
        xattr.subsystem.as_ref().unwrap().name,
        "BPF [SECURITY & LSM] (Security Audit and Enforcement using BPF)"
    );
    assert_eq!(
        c.get("scx_bpf_dispatch")
            .unwrap()
            .subsystem
            .as_ref()
            .unwrap()
            .name,
        "SCHEDULER - SCHED_EXT"
    );
    assert_eq!(
        c.get("crash_kexec")
            .unwrap()
            .definition
            .as_ref()
            .unwrap()
            .file,
        "kernel/crash_core.c"
    );
    // Entries from an X-macro defined in an included header.
    let md = c.get("bpf_xdp_metadata_rx_hash").unwrap();
    assert_eq!(md.flags, ["KF_TRUSTED_ARGS"]);
    assert_eq!(md.sets, ["xdp_metadata_kfunc_ids"]);
    assert_eq!(md.line, Some(35));
    assert!(c.get("bpf_xdp_metadata_rx_timestamp").is_some());
    // Test code.
    assert!(c.get("bpf_kfunc_call_test_release").unwrap().test_only);
    assert!(c.get("bpf_testmod_test_mod_kfunc").unwrap().test_only);
    assert!(!c.get("bpf_task_acquire").unwrap().test_only);
    // fmod_ret lists are not kfunc sets, and are not reported either.
    assert!(c.get("bpf_modify_return_test").is_none());
    assert!(c.get("update_socket_protocol").is_none());
    let mptcp = c
        .sets
        .iter()
        .find(|s| s.name == "bpf_mptcp_fmodret_ids")
        .unwrap();
    assert!(mptcp.fmodret && !mptcp.registered);
    // The findings this tree is built to produce, and no others.
    let mut found: Vec<(Code, Option<&str>)> = codes(&c);
    found.sort();
    let mut want = vec![
        (Code::AmbiguousDefinition, Some("bpf_defined_twice")),
        (Code::DefinitionNotFound, Some("bpf_defined_nowhere")),
        (Code::DuplicateEntry, Some("bpf_listed_twice")),
        (Code::UnexpandedMacro, None),
        (Code::UnknownKset, None),
        (Code::SetFlagsDiffer, Some("bpf_task_acquire")),
        (Code::SetFlagsDiffer, Some("bpf_task_from_pid")),
        (Code::UnknownFlag, Some("bpf_typo_flags")),
        (Code::UnregisteredSet, None),
        (Code::UnsupportedProgType, None),
        (Code::DocNameMismatch, Some("scx_bpf_dump_bstr")),
        (Code::UnresolvedRegistration, None),
    ];
    want.sort();
    assert_eq!(found, want);
    // The unknown flag does not hide the known one.
    assert_eq!(c.get("bpf_typo_flags").unwrap().flags, ["KF_SLEEPABLE"]);
}

/// Every code the scanner can report is produced by some fixture, except
/// the `allow`-level ones, which extract does not report (their unit tests
/// are named here).
#[test]
fn every_code_has_a_case() {
    let mut seen: std::collections::BTreeSet<Code> = std::collections::BTreeSet::new();
    for t in TREES {
        seen.extend(catalog(t).diagnostics.iter().map(|d| d.code));
    }
    seen.extend(symlinks_and_huge_files().diagnostics.iter().map(|d| d.code));
    // UnlistedKfunc: src/source/assemble/tests.rs `findings`; the findings
    // of reading a built kernel and joining it with source: src/built_tests.rs.
    let unit_tested = [
        Code::UnlistedKfunc,
        // LookupSet: src/source/lookups.rs and tests/facts.rs (7.2's sched_ext).
        Code::LookupSet,
        Code::UnreadableModule,
        Code::BtfIdsAnomaly,
        Code::UncertainSet,
        Code::VersionMismatch,
        Code::BtfFlagsDiffer,
        Code::BtfOnlyKfunc,
        // The running kernel's image: tests/running.rs, on a fixture root.
        Code::RunningImage,
        Code::RunningImageUnusable,
    ];
    let root_reads_everything = seen.contains(&Code::UnreadableFile) || running_as_root();
    // The codes of `check` have their scenarios in src/check/tests.rs.
    let check_codes: Vec<Code> = kfuncdoc::check::LINTS
        .iter()
        .map(|l| l.code)
        .chain(kfuncdoc::check::MERGE_CODES.iter().copied())
        .chain(kfuncdoc::check::history::HISTORY_CODES.iter().copied())
        .collect();
    for &code in Code::ALL {
        // The codes of `diff` have their cases in src/diff/tests.rs.
        if check_codes.contains(&code)
            || kfuncdoc::diff::CODES.contains(&code)
            || unit_tested.contains(&code)
            || (code == Code::UnreadableFile && root_reads_everything)
        {
            continue;
        }
        assert!(seen.contains(&code), "no fixture produces `{code}`");
    }
}

fn running_as_root() -> bool {
    let tmp = TempDir::new("root");
    let f = tmp.0.join("f");
    std::fs::write(&f, "x").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    std::fs::read(&f).is_ok()
}

#[test]
fn broken_inputs_are_reported_and_the_scan_goes_on() {
    let c = catalog("pitfalls");
    let names: Vec<&str> = c.kfuncs.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names,
        ["bpf_before_comment", "bpf_latin1", "bpf_still_found"]
    );
    let found = codes(&c);
    for code in [
        Code::NonUtf8,
        Code::EntryOutsideSet,
        Code::UnbalancedConditional,
        Code::UnterminatedSet,
        Code::UnterminatedComment,
        Code::FlagTableMissing,
        Code::HookTableMissing,
        Code::MaintainersProblem,
    ] {
        assert!(
            found.iter().any(|(c, _)| *c == code),
            "no {code} in {found:?}"
        );
    }
    for d in &c.diagnostics {
        assert!(d.file.is_some(), "finding without a file: {d}");
    }
    let latin = c
        .diagnostics
        .iter()
        .find(|d| d.code == Code::NonUtf8)
        .unwrap();
    assert_eq!(
        (latin.file.as_deref(), latin.line),
        (Some("drivers/bad/latin1.c"), Some(2))
    );
    // Built-in tables stand in for the missing ones.
    assert_eq!(c.get("bpf_still_found").unwrap().flags, ["KF_RET_NULL"]);
}

/// The pitfalls tree plus what cannot be committed: looping, dangling and
/// inner symbolic links, a file above the parse limit, an unreadable file.
fn symlinks_and_huge_files() -> Catalog {
    let tmp = TempDir::new("pitfalls");
    copy_tree(&tree("pitfalls"), &tmp.0);
    let bad = tmp.0.join("drivers/bad");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("loop_b", bad.join("loop_a")).unwrap();
        std::os::unix::fs::symlink("loop_a", bad.join("loop_b")).unwrap();
        std::os::unix::fs::symlink("/nonexistent/kfuncdoc", bad.join("dangling.c")).unwrap();
        std::os::unix::fs::symlink("../../kernel/good.c", bad.join("alias.c")).unwrap();
    }
    // Larger than the parse limit and mentioning a kfunc macro.
    let mut huge = vec![b' '; (64 << 20) + 10];
    huge[..12].copy_from_slice(b"BTF_ID_FLAGS");
    std::fs::write(bad.join("huge.h"), &huge).unwrap();
    drop(huge);
    let unreadable = bad.join("unreadable.c");
    std::fs::write(&unreadable, "BTF_ID_FLAGS(func, x)\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    extract(&tmp.0).unwrap()
}

#[test]
fn symlink_loops_huge_files_and_unreadable_files() {
    let c = symlinks_and_huge_files();
    let has = |code: Code, file: &str| {
        c.diagnostics
            .iter()
            .any(|d| d.code == code && d.file.as_deref() == Some(file))
    };
    #[cfg(unix)]
    {
        assert!(
            has(Code::BadSymlink, "drivers/bad/loop_a"),
            "{:?}",
            c.diagnostics
        );
        assert!(has(Code::BadSymlink, "drivers/bad/loop_b"));
        assert!(has(Code::BadSymlink, "drivers/bad/dangling.c"));
        assert!(
            !has(Code::BadSymlink, "drivers/bad/alias.c"),
            "a link inside the tree is fine"
        );
    }
    assert!(has(Code::FileTooLarge, "drivers/bad/huge.h"));
    if !running_as_root() {
        assert!(has(Code::UnreadableFile, "drivers/bad/unreadable.c"));
    }
    // The rest of the tree is still there, once.
    assert_eq!(c.kfuncs.len(), 3);
}
