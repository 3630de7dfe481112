//! One fixture per change kind, and the policy's verdicts.

use super::*;
use crate::model::{Definition, Doc, KernelInfo, Param, Subsystem, UpstreamNotice};
use crate::policy::parse;

fn param(name: &str, ty: &str, annotation: Option<&str>) -> Param {
    Param {
        name: name.into(),
        ty: ty.into(),
        annotation: annotation.map(str::to_string),
        implicit: false,
    }
}

fn kf(name: &str) -> Kfunc {
    Kfunc {
        name: name.into(),
        file: Some("kernel/bpf/helpers.c".into()),
        line: Some(100),
        sets: vec!["generic_btf_ids".into()],
        flags: vec!["KF_ACQUIRE".into()],
        prog_types: vec!["BPF_PROG_TYPE_TRACING".into()],
        callable_from: vec!["BPF_PROG_TYPE_LSM".into(), "BPF_PROG_TYPE_TRACING".into()],
        subsystem: Some(Subsystem {
            name: "BPF".into(),
            ..Subsystem::default()
        }),
        definition: Some(Definition {
            file: "kernel/bpf/helpers.c".into(),
            line: 50,
            return_type: "struct task_struct *".into(),
            ..Default::default()
        }),
        params: vec![
            param("p", "struct task_struct *", None),
            param("len__sz", "u32", Some("__sz")),
        ],
        doc: Some(Doc {
            summary: Some("does things".into()),
            ..Doc::default()
        }),
        ..Kfunc::default()
    }
}

fn catalog(version: &str, kfuncs: Vec<Kfunc>) -> Catalog {
    let mut kfuncs = kfuncs;
    kfuncs.sort_by(|a, b| a.name.cmp(&b.name));
    Catalog {
        kernel: KernelInfo {
            version: Some(version.into()),
            inputs: vec![crate::model::InputInfo {
                kind: "source".into(),
                path: None,
                release: None,
            }],
            ..KernelInfo::default()
        },
        kfuncs,
        ..Catalog::default()
    }
}

const EMPTY: &str = "schema: 1\n";

thread_local! {
    /// Every code any test's diff produced, for `every_code_has_a_case`.
    static SEEN: std::cell::RefCell<std::collections::BTreeSet<Code>> =
        Default::default();
}

fn seen(d: Diff) -> Diff {
    SEEN.with(|s| s.borrow_mut().extend(d.changes.iter().map(|c| c.code)));
    d
}

fn run(old: Vec<Kfunc>, new: Vec<Kfunc>, policy: &str) -> Diff {
    let policy = parse("p.yaml", policy).unwrap_or_else(|e| panic!("{e:?}"));
    seen(diff(
        &catalog("6.12.1", old),
        &catalog("6.14.1", new),
        &policy,
        Options::default(),
    ))
}

fn codes(d: &Diff) -> Vec<(Code, Group)> {
    d.changes.iter().map(|c| (c.code, c.group)).collect()
}

fn only(d: &Diff, code: Code) -> &Change {
    let found: Vec<&Change> = d.changes.iter().filter(|c| c.code == code).collect();
    assert_eq!(found.len(), 1, "{code}: {:#?}", d.changes);
    found[0]
}

#[test]
fn the_same_kernel_has_no_changes() {
    let d = run(vec![kf("bpf_a")], vec![kf("bpf_a")], EMPTY);
    assert!(d.changes.is_empty(), "{:#?}", d.changes);
    assert_eq!(d.summary, Summary::default());
}

#[test]
fn added_removed_and_renamed_by_prototype() {
    // Same prototype in the same set: a rename, not a removal and an addition.
    let d = run(vec![kf("bpf_a")], vec![kf("bpf_b")], EMPTY);
    let r = only(&d, Code::KfuncRenamed);
    assert!(
        r.message.contains("same BPF-visible prototype"),
        "{}",
        r.message
    );
    assert_eq!(r.kfunc.as_deref(), Some("bpf_b"));
    assert!(!codes(&d).iter().any(|(c, _)| *c == Code::KfuncAdded));
    // A different prototype: removed and added.
    let mut b = kf("bpf_b");
    b.params.pop();
    let d = run(vec![kf("bpf_a")], vec![b], EMPTY);
    assert_eq!(only(&d, Code::KfuncAdded).group, Group::Added);
    let removed = only(&d, Code::KfuncRemoved);
    assert_eq!(removed.group, Group::Removed);
    assert_eq!(removed.kfunc.as_deref(), Some("bpf_a"));
    assert_eq!(
        removed.old,
        Some(Pos {
            file: "kernel/bpf/helpers.c".into(),
            line: Some(100)
        })
    );
    assert_eq!(removed.new, None);
    assert_eq!((d.summary.added, d.summary.removed), (1, 1));
}

#[test]
fn renamed_by_the_policy_and_compared() {
    let mut b = kf("bpf_b");
    b.params[0].ty = "struct cgroup *".into();
    let d = run(
        vec![kf("bpf_a")],
        vec![b],
        "schema: 1\nkfuncs:\n  bpf_a:\n    replacement: bpf_b\n",
    );
    let r = only(&d, Code::KfuncRenamed);
    assert!(
        r.message.contains("policy's replacement, p.yaml:4"),
        "{}",
        r.message
    );
    let t = only(&d, Code::ParamTypeChanged);
    assert_eq!(t.group, Group::Breaking);
    assert!(
        t.message
            .contains("`struct cgroup *` (was `struct task_struct *`)"),
        "{}",
        t.message
    );
}

#[test]
fn prototype_changes_as_a_program_sees_them() {
    let mut n = kf("bpf_a");
    n.definition.as_mut().unwrap().return_type = "int".into();
    n.params.push(param("flags", "u64", None));
    let d = run(vec![kf("bpf_a")], vec![n], EMPTY);
    assert_eq!(only(&d, Code::ReturnTypeChanged).group, Group::Breaking);
    assert!(
        only(&d, Code::ParamAdded)
            .message
            .contains("`u64 flags` as argument 3")
    );
    // An implicit parameter is not one a program passes.
    let mut n = kf("bpf_a");
    n.params.push(Param {
        implicit: true,
        ..param("aux", "struct bpf_prog_aux *", None)
    });
    n.flags.push("KF_IMPLICIT_ARGS".into());
    let d = run(vec![kf("bpf_a")], vec![n], EMPTY);
    assert!(
        !codes(&d).iter().any(|(c, _)| *c == Code::ParamAdded),
        "{:#?}",
        d.changes
    );
    assert_eq!(only(&d, Code::FlagChanged).group, Group::Other);
    // Removed, reordered, renamed, annotation.
    let mut n = kf("bpf_a");
    n.params.pop();
    let d = run(vec![kf("bpf_a")], vec![n], EMPTY);
    assert!(
        only(&d, Code::ParamRemoved)
            .message
            .contains("`u32 len__sz`")
    );
    let mut n = kf("bpf_a");
    n.params.reverse();
    let d = run(vec![kf("bpf_a")], vec![n], EMPTY);
    assert_eq!(only(&d, Code::ParamsReordered).group, Group::Breaking);
    let mut n = kf("bpf_a");
    n.params[0].name = "task".into();
    let d = run(vec![kf("bpf_a")], vec![n], EMPTY);
    assert_eq!(only(&d, Code::ParamRenamed).group, Group::Other);
    assert_eq!(d.summary.breaking, 0);
    let mut o = kf("bpf_a");
    o.params[0] = param("p__nullable", "struct task_struct *", Some("__nullable"));
    let d = run(vec![o.clone()], vec![kf("bpf_a")], EMPTY);
    let a = only(&d, Code::ParamAnnotationChanged);
    assert_eq!(a.group, Group::Breaking, "losing __nullable");
    assert!(a.message.contains("lost `__nullable`"), "{}", a.message);
    let d = run(vec![kf("bpf_a")], vec![o], EMPTY);
    assert_eq!(
        only(&d, Code::ParamAnnotationChanged).group,
        Group::Relaxing
    );
}

#[test]
fn flags_one_by_one() {
    let mut n = kf("bpf_a");
    n.flags = vec!["KF_RET_NULL".into(), "KF_FASTCALL".into()];
    let d = run(vec![kf("bpf_a")], vec![n], EMPTY);
    let mut got: Vec<(Group, String)> = d
        .changes
        .iter()
        .filter(|c| c.code == Code::FlagChanged)
        .map(|c| {
            (
                c.group,
                c.message.split(':').next().unwrap_or("").to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (Group::Breaking, "`bpf_a` gained KF_RET_NULL".to_string()),
            (Group::Breaking, "`bpf_a` lost KF_ACQUIRE".to_string()),
            (Group::Other, "`bpf_a` gained KF_FASTCALL".to_string()),
        ]
    );
    let mut o = kf("bpf_a");
    o.flags = vec!["KF_RET_NULL".into(), "KF_SLEEPABLE".into()];
    let d = run(vec![o], vec![kf("bpf_a")], EMPTY);
    let relaxing = d
        .changes
        .iter()
        .filter(|c| c.code == Code::FlagChanged && c.group == Group::Relaxing)
        .count();
    assert_eq!(relaxing, 2, "{:#?}", d.changes);
}

#[test]
fn trusted_arguments_becoming_the_default_is_one_finding() {
    let policy = parse("p.yaml", EMPTY).unwrap();
    let mut had = kf("bpf_had");
    had.flags.push("KF_TRUSTED_ARGS".into());
    let mut rcu = kf("bpf_rcu");
    rcu.flags.push("KF_RCU".into());
    let mut scalar = kf("bpf_scalar");
    scalar.params = vec![param("n", "u64", None)];
    let mut iter = kf("bpf_iter_x_next");
    iter.params = vec![param("it", "struct bpf_iter_x *", None)];
    let plain = kf("bpf_plain");
    let old = catalog(
        "6.12.117",
        vec![
            had.clone(),
            rcu.clone(),
            scalar.clone(),
            iter.clone(),
            plain.clone(),
        ],
    );
    had.flags.retain(|f| f != "KF_TRUSTED_ARGS");
    let new = catalog("7.2.13", vec![had, rcu, scalar, iter, plain]);
    let d = seen(diff(&old, &new, &policy, Options::default()));
    assert_eq!(only(&d, Code::FlagBecameDefault).group, Group::Other);
    let per_kfunc: Vec<&str> = d
        .changes
        .iter()
        .filter(|c| c.code == Code::FlagChanged)
        .filter_map(|c| c.kfunc.as_deref())
        .collect();
    assert_eq!(per_kfunc, vec!["bpf_plain"], "{:#?}", d.changes);
}

#[test]
fn program_types_filters_and_other_facts() {
    let mut n = kf("bpf_a");
    n.callable_from = vec!["BPF_PROG_TYPE_LSM".into(), "BPF_PROG_TYPE_SYSCALL".into()];
    n.filters = vec![crate::model::KfuncFilter {
        name: "bpf_a_filter".into(),
        ..Default::default()
    }];
    n.conditions = vec!["CONFIG_X".into()];
    n.doc.as_mut().unwrap().summary = Some("does other things".into());
    n.upstream_notices = vec![UpstreamNotice {
        kind: "comment".into(),
        text: "COMPAT: Will be removed in v6.23".into(),
        removal: Some("6.23".into()),
        file: "kernel/bpf/helpers.c".into(),
        line: 44,
        ..Default::default()
    }];
    n.file = Some("kernel/bpf/other.c".into());
    let d = run(vec![kf("bpf_a")], vec![n], EMPTY);
    let groups: Vec<(Code, Group)> = codes(&d);
    for want in [
        (Code::ProgTypesChanged, Group::Breaking),
        (Code::ProgTypesChanged, Group::Relaxing),
        (Code::FilterChanged, Group::Other),
        (Code::ConditionsChanged, Group::Other),
        (Code::SummaryChanged, Group::Other),
        (Code::DeprecationNoticed, Group::Other),
        (Code::KfuncMoved, Group::Other),
    ] {
        assert!(groups.contains(&want), "{want:?} in {groups:?}");
    }
    let lost = d
        .changes
        .iter()
        .find(|c| c.code == Code::ProgTypesChanged && c.group == Group::Breaking)
        .unwrap();
    assert!(
        lost.message.ends_with("BPF_PROG_TYPE_TRACING"),
        "{}",
        lost.message
    );
    let notice = only(&d, Code::DeprecationNoticed);
    assert_eq!(notice.new.as_ref().map(|p| p.line), Some(Some(44)));
}

#[test]
fn not_built_is_not_removed_and_test_only_flips() {
    let mut n = kf("bpf_a");
    n.built = Some(false);
    let mut t = kf("bpf_t");
    t.test_only = true;
    let d = run(vec![kf("bpf_a"), kf("bpf_t")], vec![n, t], EMPTY);
    assert_eq!(only(&d, Code::KfuncNotBuilt).group, Group::Other);
    assert_eq!(
        only(&d, Code::TestOnlyChanged).kfunc.as_deref(),
        Some("bpf_t")
    );
    assert!(
        !codes(&d).iter().any(|(c, _)| *c == Code::KfuncRemoved),
        "{:#?}",
        d.changes
    );
}

#[test]
fn the_policy_judges_removals() {
    let mut b = kf("bpf_b");
    b.params.clear();
    let new = || vec![b.clone()];
    // Stable: deny.
    let d = run(
        vec![kf("bpf_a")],
        new(),
        "schema: 1\nkfuncs:\n  bpf_a:\n    stability: stable\n",
    );
    assert_eq!(only(&d, Code::StableKfuncRemoved).level, Level::Deny);
    assert_eq!(d.summary.deny, 1);
    // Removed before the plan, sooner than allowed, unrecorded.
    let d = run(
        vec![kf("bpf_a")],
        new(),
        "schema: 1\nlifecycle:\n  min_deprecation_releases: 3\nkfuncs:\n  bpf_a:\n    stability: deprecated\n    deprecated_in: 6.13\n    removal_planned: 6.16\n    replacement: {none: x}\n",
    );
    let found: Vec<Code> = d.changes.iter().map(|c| c.code).collect();
    for c in [
        Code::RemovedBeforePlanned,
        Code::RemovedTooSoon,
        Code::RemovalUnrecorded,
    ] {
        assert!(found.contains(&c), "{c} in {found:?}");
    }
    assert!(
        !found.contains(&Code::ChangedWithoutDeprecation),
        "{found:?}"
    );
    // Without a deprecation: warn.
    let d = run(vec![kf("bpf_a")], new(), EMPTY);
    assert_eq!(only(&d, Code::ChangedWithoutDeprecation).level, Level::Warn);
    // Recorded in the window: quiet.
    let d = run(
        vec![kf("bpf_a")],
        new(),
        "schema: 1\nkfuncs:\n  bpf_a:\n    stability: removed\n    deprecated_in: 6.10\n    removed_in: 6.14\n    replacement: {none: x}\n",
    );
    assert!(
        d.changes.iter().all(|c| c.group != Group::Policy),
        "{:#?}",
        d.changes
    );
    // The policy says removed, the kernel still has it.
    let d = run(
        vec![kf("bpf_a")],
        vec![kf("bpf_a")],
        "schema: 1\nkfuncs:\n  bpf_a:\n    stability: removed\n    removed_in: 6.13\n    replacement: {none: x}\n",
    );
    assert!(
        only(&d, Code::RemovalUnrecorded)
            .message
            .contains("still has it")
    );
}

#[test]
fn the_policy_since_is_judged_as_of_each_side() {
    // Added in the window (6.12.1 → 6.14.1): 6.13 and 6.14 fit.
    for ok in ["6.13", "6.14"] {
        let d = run(
            vec![kf("bpf_a")],
            vec![kf("bpf_a"), kf("bpf_b")],
            &format!("schema: 1\nkfuncs:\n  bpf_b:\n    since: {ok}\n"),
        );
        assert!(
            !d.changes.iter().any(|c| c.code == Code::SinceDisagrees),
            "{ok}"
        );
    }
    // Said to be older than the older kernel, which lacks it.
    let d = run(
        vec![kf("bpf_a")],
        vec![kf("bpf_a"), kf("bpf_b")],
        "schema: 1\nkfuncs:\n  bpf_b:\n    since: 6.10\n",
    );
    let c = only(&d, Code::SinceDisagrees);
    assert!(
        c.message.contains("6.12.1 does not have it"),
        "{}",
        c.message
    );
    assert_eq!(c.level, Level::Warn);
    // Said to arrive after the newer kernel, which has it.
    let d = run(
        vec![kf("bpf_a")],
        vec![kf("bpf_a"), kf("bpf_b")],
        "schema: 1\nkfuncs:\n  bpf_b:\n    since: 6.15\n",
    );
    assert!(
        only(&d, Code::SinceDisagrees)
            .message
            .contains("6.14.1 already has it")
    );
    // In both, said to arrive after the older one.
    let d = run(
        vec![kf("bpf_a")],
        vec![kf("bpf_a")],
        "schema: 1\nkfuncs:\n  bpf_a:\n    since: 6.13\n",
    );
    assert!(
        only(&d, Code::SinceDisagrees)
            .message
            .contains("6.12.1 already has it")
    );
    // A built older kernel proves no absence.
    let policy = parse("p.yaml", "schema: 1\nkfuncs:\n  bpf_b:\n    since: 6.10\n").unwrap();
    let mut old = catalog("6.12.1", vec![kf("bpf_a")]);
    old.kernel.inputs[0].kind = "raw-btf".into();
    let d = seen(diff(
        &old,
        &catalog("6.14.1", vec![kf("bpf_a"), kf("bpf_b")]),
        &policy,
        Options::default(),
    ));
    assert!(!d.changes.iter().any(|c| c.code == Code::SinceDisagrees));
}

#[test]
fn the_policy_judges_breaking_changes_and_levels_follow_lints() {
    let mut n = kf("bpf_a");
    n.flags.push("KF_SLEEPABLE".into());
    let d = run(
        vec![kf("bpf_a")],
        vec![n.clone()],
        "schema: 1\nkfuncs:\n  bpf_a:\n    stability: stable\n",
    );
    let s = only(&d, Code::StableKfuncBroken);
    assert!(s.message.contains("flag-changed"), "{}", s.message);
    let d = run(
        vec![kf("bpf_a")],
        vec![n],
        "schema: 1\nlints:\n  stable-kfunc-broken: warn\n  flag-changed: allow\nkfuncs:\n  bpf_a:\n    stability: stable\n",
    );
    assert_eq!(only(&d, Code::StableKfuncBroken).level, Level::Warn);
    assert!(!codes(&d).iter().any(|(c, _)| *c == Code::FlagChanged));
    assert_eq!(d.summary.deny, 0);
}

#[test]
fn output_is_deterministic_and_sorted_by_group() {
    let mut a = kf("bpf_a");
    a.flags.push("KF_SLEEPABLE".into());
    let old = vec![kf("bpf_a"), kf("bpf_gone")];
    let mut gone = kf("bpf_new");
    gone.params.clear();
    let d1 = run(old.clone(), vec![a.clone(), gone.clone()], EMPTY);
    let d2 = run(old, vec![a, gone], EMPTY);
    assert_eq!(d1, d2);
    let groups: Vec<Group> = d1.changes.iter().map(|c| c.group).collect();
    let mut sorted = groups.clone();
    sorted.sort();
    assert_eq!(groups, sorted);
}

/// Runs every case above on this thread, then checks that each code of
/// [`CODES`] came out of one (tests run on threads of their own, so the
/// cases are called here again rather than relied on).
#[test]
fn every_code_has_a_case() {
    the_same_kernel_has_no_changes();
    added_removed_and_renamed_by_prototype();
    renamed_by_the_policy_and_compared();
    prototype_changes_as_a_program_sees_them();
    flags_one_by_one();
    trusted_arguments_becoming_the_default_is_one_finding();
    program_types_filters_and_other_facts();
    not_built_is_not_removed_and_test_only_flips();
    the_policy_judges_removals();
    the_policy_since_is_judged_as_of_each_side();
    the_policy_judges_breaking_changes_and_levels_follow_lints();
    let seen = SEEN.with(|s| s.borrow().clone());
    for code in CODES {
        assert!(
            seen.contains(code),
            "no case in diff/tests.rs produces `{code}`"
        );
    }
    // And every code the registry has for diffs is in CODES.
    for c in seen {
        assert!(CODES.contains(&c), "`{c}` is missing from diff::CODES");
    }
}
