use super::*;
use crate::model::{Kfunc, Subsystem};
use crate::policy::parse;

pub(crate) fn kfunc(name: &str, file: &str, sets: &[&str], subsystem: &str) -> Kfunc {
    Kfunc {
        name: name.into(),
        file: Some(file.into()),
        line: Some(10),
        sets: sets.iter().map(|s| s.to_string()).collect(),
        subsystem: Some(Subsystem {
            name: subsystem.into(),
            ..Subsystem::default()
        }),
        ..Kfunc::default()
    }
}

fn catalog() -> Catalog {
    Catalog {
        kernel: KernelInfo {
            version: Some("6.12.117".into()),
            ..KernelInfo::default()
        },
        kfuncs: vec![
            kfunc(
                "bpf_task_acquire",
                "kernel/bpf/helpers.c",
                &["generic_btf_ids"],
                "BPF [GENERAL]",
            ),
            kfunc(
                "scx_bpf_dispatch",
                "kernel/sched/ext.c",
                &["scx_kfunc_ids_enqueue_dispatch"],
                "SCHEDULER - SCHED_EXT",
            ),
            kfunc(
                "scx_bpf_kick_cpu",
                "kernel/sched/ext.c",
                &["scx_kfunc_ids_any"],
                "SCHEDULER - SCHED_EXT",
            ),
        ],
        ..Catalog::default()
    }
}

const POLICY: &str = r#"
schema: 1
defaults:
  stability: unstable
  owner: subsystem maintainers
rules:
  - name: sched_ext
    match: { name: "scx_*" }
    stability: experimental
    owner: sched_ext maintainers
  - name: sched_ext files
    match: { name: "scx_bpf_*", file: "kernel/sched/*" }
    owner: Tejun
kfuncs:
  scx_bpf_dispatch:
    stability: deprecated
    deprecated_in: 6.13
    replacement: scx_bpf_dsq_insert
  bpf_gone:
    stability: removed
    removed_in: 6.4
"#;

#[test]
fn precedence_entry_rule_defaults() {
    let policy = parse("p.yaml", POLICY).unwrap();
    let (m, diags) = merge(&catalog(), &policy);
    assert!(diags.is_empty(), "{diags:?}");
    let get = |n: &str| m.kfuncs.iter().find(|k| k.facts.name == n).unwrap();
    let t = get("bpf_task_acquire");
    assert_eq!(t.policy.stability.value, Stability::Unstable);
    assert!(matches!(t.policy.stability.from, Source::Defaults { .. }));
    assert!(!t.policy.explicit);
    let k = get("scx_bpf_kick_cpu");
    assert_eq!(k.policy.stability.value, Stability::Experimental);
    assert!(matches!(&k.policy.stability.from, Source::Rule { rule, .. } if rule == "sched_ext"));
    // The more specific rule wins for owner.
    assert_eq!(k.policy.owner.as_ref().unwrap().value, "Tejun");
    // Deprecated in 6.13: not yet in 6.12, where the rule still applies.
    let d = get("scx_bpf_dispatch");
    assert_eq!(d.policy.stability.value, Stability::Experimental);
    assert_eq!(
        d.policy.declared.as_ref().unwrap().value,
        Stability::Deprecated
    );
    assert!(d.policy.explicit);
    assert!(
        matches!(&d.policy.declared.as_ref().unwrap().from, Source::Entry { loc } if loc.line == 16)
    );
    assert_eq!(
        d.policy.deprecated_in.as_ref().unwrap().value.to_string(),
        "6.13"
    );
    assert_eq!(m.orphans.len(), 1);
    assert_eq!(m.orphans[0].name, "bpf_gone");
}

#[test]
fn deprecations_and_removals_apply_from_their_release() {
    let policy = parse(
        "p.yaml",
        "schema: 1\nkfuncs:\n  scx_bpf_dispatch:\n    stability: removed\n    deprecated_in: 6.13\n    removed_in: 6.17\n",
    )
    .unwrap();
    let at = |v: &str| {
        let mut c = catalog();
        c.kernel.version = Some(v.into());
        let (m, _) = merge(&c, &policy);
        m.kfuncs
            .iter()
            .find(|k| k.facts.name == "scx_bpf_dispatch")
            .unwrap()
            .policy
            .stability
            .value
    };
    assert_eq!(at("6.12.117"), Stability::Unstable);
    assert_eq!(at("6.13"), Stability::Deprecated);
    assert_eq!(at("6.16.3"), Stability::Deprecated);
    assert_eq!(at("6.17-rc2"), Stability::Removed);
}

#[test]
fn builtin_default_is_unstable() {
    let policy = parse("p.yaml", "schema: 1\n").unwrap();
    let (m, _) = merge(&catalog(), &policy);
    assert!(
        m.kfuncs
            .iter()
            .all(|k| k.policy.stability.value == Stability::Unstable
                && k.policy.stability.from == Source::Builtin)
    );
}

#[test]
fn equally_specific_rules_that_disagree_are_reported() {
    let policy = parse(
        "p.yaml",
        "schema: 1\nrules:\n  - name: a\n    match: { name: \"scx_bpf_*\" }\n    stability: stable\n\
         \x20 - name: b\n    match: { name: \"scx_*_cpu\" }\n    stability: experimental\n",
    )
    .unwrap();
    let (m, diags) = merge(&catalog(), &policy);
    // "scx_bpf_*" has 8 literal characters, "scx_*_cpu" 8 as well: a tie.
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, Code::RuleConflict);
    assert_eq!(diags[0].kfunc.as_deref(), Some("scx_bpf_kick_cpu"));
    let k = m
        .kfuncs
        .iter()
        .find(|k| k.facts.name == "scx_bpf_kick_cpu")
        .unwrap();
    assert_eq!(
        k.policy.stability.value,
        Stability::Stable,
        "first in file order"
    );
}

#[test]
fn rules_match_on_subsystem_and_set() {
    let policy = parse(
        "p.yaml",
        "schema: 1\nrules:\n  - match: { subsystem: \"BPF *\" }\n    stability: stable\n\
         \x20 - match: { set: \"*_any\" }\n    notes: anywhere\n",
    )
    .unwrap();
    let (m, _) = merge(&catalog(), &policy);
    let get = |n: &str| m.kfuncs.iter().find(|k| k.facts.name == n).unwrap();
    assert_eq!(
        get("bpf_task_acquire").policy.stability.value,
        Stability::Stable
    );
    assert_eq!(
        get("scx_bpf_kick_cpu").policy.notes.as_ref().unwrap().value,
        "anywhere"
    );
    assert!(get("scx_bpf_dispatch").policy.notes.is_none());
}
