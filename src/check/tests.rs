//! One scenario per code: a small catalog and policy that must produce it,
//! and a registry test that fails when a lint has no scenario.

use super::*;
use crate::diag::Level;
use crate::merge::merge;
use crate::model::{Catalog, Doc, DocParam, KernelInfo, Kfunc, Param, Subsystem};
use crate::policy::parse;

fn kf(name: &str) -> Kfunc {
    Kfunc {
        name: name.into(),
        file: Some("kernel/bpf/helpers.c".into()),
        line: Some(100),
        sets: vec!["generic_btf_ids".into()],
        prog_types: vec!["BPF_PROG_TYPE_TRACING".into()],
        callable_from: vec!["BPF_PROG_TYPE_LSM".into(), "BPF_PROG_TYPE_TRACING".into()],
        subsystem: Some(Subsystem {
            name: "BPF".into(),
            ..Subsystem::default()
        }),
        definition: Some(crate::model::Definition {
            file: "kernel/bpf/helpers.c".into(),
            line: 50,
            ..Default::default()
        }),
        params: vec![Param {
            name: "p".into(),
            ty: "void *".into(),
            annotation: None,
            implicit: false,
        }],
        doc: Some(Doc {
            kernel_doc: true,
            summary: Some("does things".into()),
            params: vec![DocParam {
                name: "p".into(),
                text: "a pointer".into(),
            }],
            file: "kernel/bpf/helpers.c".into(),
            line: 45,
            ..Doc::default()
        }),
        ..Kfunc::default()
    }
}

/// `COMPAT: Will be removed in v<removal>.` above `bpf_a`, naming `bpf_b`.
fn notice(removal: &str) -> crate::model::UpstreamNotice {
    crate::model::UpstreamNotice {
        kind: "comment".into(),
        text: format!("COMPAT: Will be removed in v{removal}; use bpf_b()."),
        removal: Some(removal.into()),
        replacements: vec!["bpf_b".into()],
        file: "kernel/bpf/helpers.c".into(),
        line: 44,
    }
}

fn catalog(kfuncs: Vec<Kfunc>) -> Catalog {
    let mut kfuncs = kfuncs;
    kfuncs.sort_by(|a, b| a.name.cmp(&b.name));
    Catalog {
        kernel: KernelInfo {
            version: Some("6.12.117".into()),
            sleepable_prog_types: ["KPROBE", "LSM", "STRUCT_OPS", "SYSCALL", "TRACING"]
                .map(|p| format!("BPF_PROG_TYPE_{p}"))
                .to_vec(),
            inputs: vec![crate::model::InputInfo {
                kind: "source".into(),
                path: None,
                release: None,
            }],
        },
        kfuncs,
        ..Catalog::default()
    }
}

fn run(c: &Catalog, policy: &str) -> Vec<Diagnostic> {
    let policy = parse("p.yaml", policy).unwrap_or_else(|e| panic!("{e:?}"));
    let (m, diags) = merge(c, &policy);
    check(&m, &policy, diags)
}

fn codes(d: &[Diagnostic]) -> Vec<Code> {
    d.iter().map(|d| d.code).collect()
}

const HEAD: &str = "schema: 1\nlints:\n  missing-decision: warn\n  missing-since: warn\n";

/// Each code with a scenario that produces it. `check_clean` below shows
/// the neighbouring correct cases stay quiet.
fn scenarios() -> Vec<(Code, Catalog, String)> {
    let one = || catalog(vec![kf("bpf_a")]);
    let mut sleepy = kf("bpf_sleepy");
    sleepy.flags = vec!["KF_SLEEPABLE".into()];
    sleepy.prog_types = vec!["BPF_PROG_TYPE_XDP".into()];
    sleepy.callable_from = vec!["BPF_PROG_TYPE_XDP".into()];
    let mut test = kf("bpf_test");
    test.test_only = true;
    let mut nodoc = kf("bpf_nodoc");
    nodoc.doc = None;
    let mut noticed = kf("bpf_a");
    noticed.upstream_notices = vec![notice("6.10")];
    let mut baddoc = kf("bpf_baddoc");
    baddoc.doc.as_mut().unwrap().params = vec![DocParam {
        name: "q".into(),
        text: "old name".into(),
    }];
    // A comment Sphinx would complain about, and a helper's comment in the
    // same file that kernel-doc warns about.
    let mut noisy = kf("bpf_noisy");
    let d = noisy.doc.as_mut().unwrap();
    d.name = Some("bpf_noisy".into());
    d.sphinx_warnings = vec![crate::model::KernelDocWarning {
        line: 45,
        message: "description: `*` starts emphasis that nothing ends".into(),
        only_if_named: None,
    }];
    noisy.definition.as_mut().unwrap().kernel_doc_warnings = vec![crate::model::KernelDocWarning {
        line: 10,
        message: "function parameter 'x' not described in 'helper'".into(),
        only_if_named: None,
    }];
    // Issue 10: a path that would end a directive's argument line.
    let mut hostile_path = kf("bpf_a");
    hostile_path.definition.as_mut().unwrap().file =
        "kernel/bpf/x\n\n.. raw:: html\n\n   <img src=x onerror=alert(1)>\n\n.c".into();
    vec![
        (
            Code::UnknownKfunc,
            one(),
            format!("{HEAD}kfuncs:\n  bpf_typo: {{}}\n"),
        ),
        (Code::MissingDecision, one(), HEAD.to_string()),
        (
            Code::DeprecatedWithoutReplacement,
            one(),
            format!(
                "{HEAD}kfuncs:\n  bpf_a:\n    stability: deprecated\n    deprecated_in: 6.13\n    removal_planned: 6.16\n"
            ),
        ),
        (
            Code::DeprecatedWithoutPlan,
            one(),
            format!(
                "{HEAD}kfuncs:\n  bpf_a:\n    stability: deprecated\n    replacement: {{none: obsolete}}\n"
            ),
        ),
        (
            Code::RemovalTooSoon,
            one(),
            "schema: 1\nlifecycle:\n  min_deprecation_releases: 2\nkfuncs:\n  bpf_a:\n    stability: deprecated\n    deprecated_in: 6.19\n    removal_planned: 7.0\n    replacement: {none: x}\n".to_string(),
        ),
        (
            Code::BadReplacement,
            catalog(vec![kf("bpf_a"), kf("bpf_b")]),
            format!(
                "{HEAD}kfuncs:\n  bpf_a:\n    stability: deprecated\n    deprecated_in: 6.13\n    removal_planned: 6.16\n    replacement: bpf_b\n  bpf_b:\n    stability: deprecated\n    deprecated_in: 6.13\n    removal_planned: 6.16\n    replacement: bpf_c\n"
            ),
        ),
        (
            Code::InconsistentVersions,
            one(),
            format!("{HEAD}kfuncs:\n  bpf_a:\n    since: 6.14\n"),
        ),
        (
            Code::StableTestOnly,
            catalog(vec![test]),
            format!("{HEAD}kfuncs:\n  bpf_test: {{stability: stable}}\n"),
        ),
        (
            Code::StableWithoutDoc,
            catalog(vec![nodoc]),
            format!("{HEAD}kfuncs:\n  bpf_nodoc: {{stability: stable}}\n"),
        ),
        (
            Code::DocParamsMismatch,
            catalog(vec![baddoc]),
            HEAD.to_string(),
        ),
        (
            Code::KernelDocWarning,
            catalog(vec![noisy]),
            HEAD.to_string(),
        ),
        (
            Code::SleepableUnreachable,
            catalog(vec![sleepy]),
            HEAD.to_string(),
        ),
        (
            Code::RemovedStillPresent,
            one(),
            format!("{HEAD}kfuncs:\n  bpf_a:\n    stability: removed\n    removed_in: 6.12\n"),
        ),
        (
            Code::RemovalOverdue,
            one(),
            format!(
                "{HEAD}kfuncs:\n  bpf_a:\n    stability: deprecated\n    deprecated_in: 6.8\n    removal_planned: 6.11\n    replacement: {{none: x}}\n"
            ),
        ),
        (
            Code::RuleMatchesNothing,
            one(),
            format!("{HEAD}rules:\n  - match: {{name: \"nope_*\"}}\n    stability: stable\n"),
        ),
        (
            Code::DeprecationUndocumented,
            one(),
            format!(
                "{HEAD}kfuncs:\n  bpf_a:\n    stability: deprecated\n    deprecated_in: 6.10\n    removal_planned: 6.14\n    replacement: {{none: x}}\n"
            ),
        ),
        (Code::MissingSince, one(), HEAD.to_string()),
        (
            Code::UpstreamNoticeUnrecorded,
            catalog(vec![noticed.clone()]),
            HEAD.to_string(),
        ),
        (
            Code::UpstreamRemovalOverdue,
            catalog(vec![noticed]),
            HEAD.to_string(),
        ),
        (
            Code::UnsafeLink,
            one(),
            format!(
                "{HEAD}kfuncs:\n  bpf_a:\n    notes: |\n      See [this](javascript:alert(1)) and <data:text/html,x>.\n"
            ),
        ),
        (Code::UnsafePath, catalog(vec![hostile_path]), HEAD.to_string()),
        (
            Code::RuleConflict,
            one(),
            format!(
                "{HEAD}rules:\n  - name: x\n    match: {{name: \"bpf*\"}}\n    stability: stable\n  - name: y\n    match: {{name: \"*f_a\"}}\n    stability: unstable\n"
            ),
        ),
    ]
}

#[test]
fn every_scenario_produces_its_code() {
    for (code, c, policy) in scenarios() {
        let found = run(&c, &policy);
        assert!(
            codes(&found).contains(&code),
            "{code}: not produced; got {found:#?}"
        );
        assert!(
            found
                .iter()
                .filter(|d| d.code == code)
                .all(|d| d.file.is_some() && d.line.is_some()),
            "{code}: no position"
        );
    }
}

#[test]
fn every_check_code_has_a_scenario() {
    let covered: Vec<Code> = scenarios().into_iter().map(|(c, _, _)| c).collect();
    for code in LINTS
        .iter()
        .map(|l| l.code)
        .chain(MERGE_CODES.iter().copied())
    {
        assert!(
            covered.contains(&code),
            "{code} has no scenario in check/tests.rs"
        );
    }
}

#[test]
fn a_complete_sound_policy_is_clean() {
    let mut dep = kf("bpf_old");
    dep.doc.as_mut().unwrap().body =
        Some("Deprecated: use bpf_new() instead; removal in 6.16.".into());
    let c = catalog(vec![kf("bpf_new"), dep, kf("bpf_a")]);
    let policy = "schema: 1\nlifecycle:\n  min_deprecation_releases: 2\nlints:\n  missing-decision: deny\n  missing-since: deny\n\
        rules:\n  - match: {name: \"bpf_*\"}\n    owner: BPF maintainers\n\
        kfuncs:\n  bpf_a: {stability: stable, since: 6.2}\n  bpf_new: {stability: unstable, since: 6.11}\n\
        \x20 bpf_old:\n    stability: deprecated\n    since: 6.2\n    deprecated_in: 6.12\n    removal_planned: 6.14\n    replacement: bpf_new\n\
        \x20 bpf_gone:\n    stability: removed\n    since: 6.1\n    deprecated_in: 6.2\n    removed_in: 6.4\n    replacement: {none: no longer needed}\n\
        \x20 bpf_future: {stability: experimental, since: 6.14}\n";
    let found = run(&c, policy);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn levels_come_from_the_policy() {
    let c = catalog(vec![kf("bpf_a")]);
    let found = run(&c, "schema: 1\nlints:\n  missing-decision: deny\n");
    let d = found
        .iter()
        .find(|d| d.code == Code::MissingDecision)
        .unwrap();
    assert_eq!(d.level, Level::Deny);
    assert!(crate::diag::any_denied(&found));
    // Allowed by default: not reported.
    assert!(!codes(&run(&c, "schema: 1\n")).contains(&Code::MissingDecision));
    // Extraction findings are re-levelled too.
    let policy = parse("p.yaml", "schema: 1\nlints:\n  unknown-flag: deny\n").unwrap();
    let (m, _) = merge(&c, &policy);
    let earlier = vec![Diagnostic::global(Code::UnknownFlag, "x")];
    assert_eq!(check(&m, &policy, earlier)[0].level, Level::Deny);
}

#[test]
fn removal_windows_count_releases_across_majors() {
    let c = catalog(vec![kf("bpf_a")]);
    let p = |dep: &str, rem: &str| {
        format!(
            "schema: 1\nlifecycle:\n  min_deprecation_releases: 2\nkfuncs:\n  bpf_a:\n    stability: deprecated\n    deprecated_in: {dep}\n    removal_planned: {rem}\n    replacement: {{none: x}}\n"
        )
    };
    assert!(codes(&run(&c, &p("6.19", "7.0"))).contains(&Code::RemovalTooSoon));
    assert!(!codes(&run(&c, &p("6.19", "7.1"))).contains(&Code::RemovalTooSoon));
}

/// A built kernel alone is one configuration without documentation: no
/// kfunc is "unknown" because this build lacks it, no rule on files
/// "matches nothing", and kfuncs only BTF describes are not blamed for
/// missing kernel-doc.
#[test]
fn a_built_kernel_alone_is_not_held_to_the_source() {
    let mut btf_only = kf("bpf_a");
    btf_only.file = None;
    btf_only.line = None;
    btf_only.doc = None;
    btf_only.definition = None;
    btf_only.subsystem = None;
    btf_only.built = Some(true);
    let mut c = catalog(vec![btf_only]);
    c.kernel.inputs = vec![crate::model::InputInfo {
        kind: "raw-btf".into(),
        path: Some("/sys/kernel/btf/vmlinux".into()),
        release: None,
    }];
    let policy = format!(
        "{HEAD}rules:\n  - match: {{file: \"net/**\"}}\n    stability: unstable\nkfuncs:\n  bpf_gone: {{}}\n  bpf_a:\n    stability: stable\n    since: 6.1\n"
    );
    let found = codes(&run(&c, &policy));
    for code in [
        Code::UnknownKfunc,
        Code::RuleMatchesNothing,
        Code::StableWithoutDoc,
    ] {
        assert!(!found.contains(&code), "{code}: {found:?}");
    }
    // The same facts from a source tree are held to all three.
    c.kernel.inputs[0].kind = "source".into();
    c.kfuncs[0].file = Some("kernel/bpf/helpers.c".into());
    let found = codes(&run(&c, &policy));
    for code in [
        Code::UnknownKfunc,
        Code::RuleMatchesNothing,
        Code::StableWithoutDoc,
    ] {
        assert!(found.contains(&code), "{code}: {found:?}");
    }
}

/// A policy records a kernel's notice by deprecating the kfunc with the
/// stated removal release; naming the replacement without deprecating is
/// enough for a notice without a release. Overdue stays reported: it is a
/// fact about the kernel, not about the policy.
#[test]
fn upstream_notices_recorded_or_not() {
    let mut a = kf("bpf_a");
    a.upstream_notices = vec![notice("6.14")];
    let c = catalog(vec![a.clone(), kf("bpf_b")]);
    let entry = |rem: &str| {
        format!(
            "schema: 1\nkfuncs:\n  bpf_a:\n    stability: deprecated\n    deprecated_in: 6.10\n    removal_planned: {rem}\n    replacement: bpf_b\n"
        )
    };
    let found = codes(&run(&c, &entry("6.14")));
    assert!(
        !found.contains(&Code::UpstreamNoticeUnrecorded),
        "{found:?}"
    );
    assert!(!found.contains(&Code::UpstreamRemovalOverdue), "{found:?}");
    let found = run(&c, &entry("6.15"));
    let d = found
        .iter()
        .find(|d| d.code == Code::UpstreamNoticeUnrecorded)
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert!(d.message.contains("6.15"), "{}", d.message);
    assert_eq!(d.file.as_deref(), Some("p.yaml"));
    // No entry: the finding is at the kernel's words.
    let found = run(&c, "schema: 1\n");
    let d = found
        .iter()
        .find(|d| d.code == Code::UpstreamNoticeUnrecorded)
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(
        (d.file.as_deref(), d.line),
        (Some("kernel/bpf/helpers.c"), Some(44))
    );
    // A successor without a release: naming it is recording it.
    a.upstream_notices[0].removal = None;
    let c = catalog(vec![a, kf("bpf_b")]);
    let found = codes(&run(
        &c,
        "schema: 1\nkfuncs:\n  bpf_a:\n    replacement: bpf_b\n",
    ));
    assert!(
        !found.contains(&Code::UpstreamNoticeUnrecorded),
        "{found:?}"
    );
    // Overdue once the checked kernel reaches the stated release (6.12 here).
    let mut late = kf("bpf_a");
    late.upstream_notices = vec![notice("6.12")];
    let late = catalog(vec![late, kf("bpf_b")]);
    let found = codes(&run(&late, "schema: 1\n"));
    assert!(found.contains(&Code::UpstreamRemovalOverdue), "{found:?}");
    // The policy plans that same release: one finding, at the policy entry,
    // naming the kernel's comment.
    let found = run(&late, &entry("6.12"));
    let overdue: Vec<_> = found
        .iter()
        .filter(|d| matches!(d.code, Code::RemovalOverdue | Code::UpstreamRemovalOverdue))
        .collect();
    assert_eq!(overdue.len(), 1, "{overdue:#?}");
    assert_eq!(overdue[0].code, Code::RemovalOverdue);
    assert_eq!(overdue[0].file.as_deref(), Some("p.yaml"));
    assert!(
        overdue[0].message.contains("kernel/bpf/helpers.c:44"),
        "{}",
        overdue[0].message
    );
    // A plan for a later release does not hide the kernel's overdue words.
    let found = codes(&run(&late, &entry("6.13")));
    assert!(found.contains(&Code::UpstreamRemovalOverdue), "{found:?}");
    assert!(!found.contains(&Code::RemovalOverdue), "{found:?}");
}

/// Issue 10: every dropped link is reported once, at its line in the YAML
/// value, with the destination escaped for the terminal; http(s) links are
/// not.
#[test]
fn unsafe_links_are_reported_at_their_line() {
    let policy = format!(
        "{HEAD}kfuncs:\n  bpf_a:\n    notes: |\n      [ok](https://x.org) fine\n      [x](JaVaScRiPt:alert(1))\n      [r]\n\n      [r]: vbscript:msgbox\n"
    );
    let found: Vec<Diagnostic> = run(&catalog(vec![kf("bpf_a")]), &policy)
        .into_iter()
        .filter(|d| d.code == Code::UnsafeLink)
        .collect();
    let lines: Vec<Option<u32>> = found.iter().map(|d| d.line).collect();
    assert_eq!(lines.len(), 2, "{found:#?}");
    assert!(
        found[0].message.contains("JaVaScRiPt:alert(1)"),
        "{found:#?}"
    );
    assert!(found[1].message.contains("vbscript:msgbox"), "{found:#?}");
    assert!(lines[0] < lines[1], "{found:#?}");
}

/// Issue 13: an entry whose name is a slip of a kernel kfunc's names it;
/// one close to nothing gets no guess.
#[test]
fn unknown_kfunc_suggests_the_closest_kfunc() {
    let c = catalog(vec![kf("bpf_task_acquire"), kf("bpf_task_release")]);
    let found = run(
        &c,
        &format!("{HEAD}kfuncs:\n  bpf_task_aquire: {{}}\n  bpf_nothing_like_it: {{}}\n"),
    );
    let unknown: Vec<&Diagnostic> = found
        .iter()
        .filter(|d| d.code == Code::UnknownKfunc)
        .collect();
    assert_eq!(unknown.len(), 2, "{found:?}");
    let msg = |name: &str| {
        unknown
            .iter()
            .find(|d| d.kfunc.as_deref() == Some(name))
            .map(|d| d.message.clone())
            .unwrap_or_default()
    };
    assert!(
        msg("bpf_task_aquire").ends_with("; did you mean `bpf_task_acquire`?"),
        "{found:?}"
    );
    assert!(
        !msg("bpf_nothing_like_it").contains("did you mean"),
        "{found:?}"
    );
}
