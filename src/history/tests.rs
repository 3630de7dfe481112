//! Folding small series by hand: bounds, exact releases, removals and
//! returns, renames, program types, commits, extending.

use super::*;
use crate::model::Kfunc;
use crate::policy::parse;

fn kf(name: &str, flags: &[&str], callers: &[&str]) -> Kfunc {
    Kfunc {
        name: name.into(),
        file: Some("kernel/bpf/helpers.c".into()),
        line: Some(10),
        sets: vec!["generic_btf_ids".into()],
        flags: flags.iter().map(|f| f.to_string()).collect(),
        prog_types: callers.iter().map(|f| f.to_string()).collect(),
        callable_from: callers.iter().map(|f| f.to_string()).collect(),
        ..Kfunc::default()
    }
}

fn cat(version: &str, kfuncs: Vec<Kfunc>) -> Catalog {
    super::testutil::catalog(version, kfuncs, true)
}

fn input(c: Catalog) -> Input {
    Input::snapshot(c, None).unwrap()
}

fn policy() -> Policy {
    parse("p.yaml", "schema: 1\n").unwrap()
}

const T: &str = "BPF_PROG_TYPE_TRACING";
const S: &str = "BPF_PROG_TYPE_SCHED_CLS";

fn series() -> Vec<Input> {
    vec![
        input(cat(
            "6.1.158",
            vec![kf("a", &[], &[T]), kf("gone", &[], &[T])],
        )),
        input(cat(
            "6.2.1",
            vec![kf("a", &["KF_RCU"], &[T, S]), kf("b", &[], &[T])],
        )),
        input(cat(
            "6.12.117",
            vec![
                kf("a", &["KF_RCU"], &[T, S]),
                kf("b", &[], &[T]),
                kf("gone", &[], &[T]),
            ],
        )),
    ]
}

#[test]
fn first_seen_is_exact_only_after_the_release_right_before() {
    let h = fold(series(), &policy()).unwrap();
    let labels: Vec<_> = h.releases.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["6.1", "6.2", "6.12"]);
    let a = h.get("a").unwrap();
    assert_eq!(a.first_seen.display(), "≤ 6.1");
    assert!(!a.first_seen.exact);
    let b = h.get("b").unwrap();
    assert_eq!(b.first_seen.by, "6.2");
    assert!(b.first_seen.exact);
    assert_eq!(b.first_seen.display(), "6.2");
    assert_eq!(b.last_seen, "6.12");
    assert!(b.removed_in.is_none());
}

#[test]
fn a_kfunc_that_goes_and_returns_keeps_its_first_release() {
    let h = fold(series(), &policy()).unwrap();
    let g = h.get("gone").unwrap();
    assert_eq!(g.releases, ["6.1", "6.12"]);
    assert_eq!(g.first_seen.by, "6.1");
    assert!(g.removed_in.is_none(), "back in the last release");
    let codes: Vec<_> = g
        .changes
        .iter()
        .map(|s| (s.release.as_str(), s.change.code.name()))
        .collect();
    assert_eq!(codes, [("6.2", "kfunc-removed"), ("6.12", "kfunc-added")]);
    // Dropping the last release leaves it removed, in bounds: 6.2 is right
    // after 6.1.
    let mut two = series();
    two.pop();
    let h = fold(two, &policy()).unwrap();
    let g = h.get("gone").unwrap();
    let r = g.removed_in.as_ref().unwrap();
    assert_eq!((r.by.as_str(), r.exact), ("6.2", true));
    assert_eq!(g.last_seen, "6.1");
    assert_eq!(
        h.removed().map(|k| k.name.as_str()).collect::<Vec<_>>(),
        ["gone"]
    );
}

#[test]
fn bounds_between_releases_that_are_not_adjacent() {
    let h = fold(series(), &policy()).unwrap();
    let g = h.get("gone").unwrap();
    let back = &g.changes[1];
    assert_eq!(back.from, "6.2");
    let mut s = series();
    s.remove(1);
    let h = fold(s, &policy()).unwrap();
    let b = h.get("b").unwrap();
    assert_eq!(b.first_seen.after.as_deref(), Some("6.1"));
    assert!(!b.first_seen.exact);
    assert_eq!(b.first_seen.display(), "6.2–6.12");
}

#[test]
fn program_types_have_their_own_since() {
    let h = fold(series(), &policy()).unwrap();
    let a = h.get("a").unwrap();
    let p: Vec<_> = a
        .prog_types
        .iter()
        .map(|p| (p.prog_type.as_str(), p.since.display()))
        .collect();
    assert_eq!(p, [(S, "6.2".to_string()), (T, "≤ 6.1".to_string())]);
    let flags: Vec<_> = a.changes.iter().map(|s| s.change.code.name()).collect();
    assert!(flags.contains(&"flag-changed"), "{flags:?}");
    assert!(flags.contains(&"prog-types-changed"), "{flags:?}");
}

#[test]
fn commits_attach_to_their_change_and_survive_extending() {
    let mut s = series();
    let c = CommitRef {
        id: "0123456789abcdef0123456789abcdef01234567".into(),
        subject: "bpf: add b".into(),
    };
    s[1].commits
        .insert(("b".into(), "kfunc-added".into()), c.clone());
    let last = s.pop().unwrap();
    let h = fold(s.clone(), &policy()).unwrap();
    assert_eq!(h.get("b").unwrap().introduced_by.as_ref(), Some(&c));
    let extended = extend(&h, vec![last.clone()], &policy()).unwrap();
    s.push(last);
    let whole = fold(s, &policy()).unwrap();
    assert_eq!(extended, whole);
    assert_eq!(extended.get("b").unwrap().introduced_by.as_ref(), Some(&c));
}

#[test]
fn json_round_trips_and_refuses_another_schema() {
    let h = fold(series(), &policy()).unwrap();
    let text = to_json(&h);
    assert_eq!(from_json(&text).unwrap(), h);
    assert_eq!(to_json(&from_json(&text).unwrap()), text);
    let other = text.replacen("\"schema\": 1", "\"schema\": 9", 1);
    let e = from_json(&other).unwrap_err().to_string();
    assert!(e.contains("schema 9"), "{e}");
}

#[test]
fn releases_must_be_oldest_first_and_once() {
    let mut s = series();
    s.swap(0, 2);
    assert!(matches!(fold(s, &policy()), Err(Error::OutOfOrder { .. })));
    let mut s = series();
    s[1].label = "6.1".into();
    assert_eq!(fold(s, &policy()), Err(Error::Duplicate("6.1".into())));
}

#[test]
fn renames_link_both_names() {
    let p = parse(
        "p.yaml",
        "schema: 1\nkfuncs:\n  old_name:\n    replacement: new_name\n",
    )
    .unwrap();
    let s = vec![
        input(cat("6.1", vec![kf("old_name", &[], &[T])])),
        input(cat("6.2", vec![kf("new_name", &[], &[T])])),
    ];
    let h = fold(s, &p).unwrap();
    assert_eq!(
        h.get("new_name").unwrap().renamed_from.as_deref(),
        Some("old_name")
    );
    let old = h.get("old_name").unwrap();
    assert_eq!(old.renamed_to.as_deref(), Some("new_name"));
    assert_eq!(old.removed_in.as_ref().unwrap().by, "6.2");
}

/// A kfunc that moves from vmlinux into a module stays one kfunc: one
/// first release, present in both, and a `kfunc-moved` step saying where
/// it went (a program must then load the module).
#[test]
fn a_kfunc_moved_into_a_module_is_a_move_not_a_removal() {
    let built = |version: &str, module: Option<&str>| {
        let mut k = kf("bpf_m", &["KF_RCU"], &[T]);
        k.built = Some(true);
        k.btf = Some(crate::model::BtfFacts {
            prototype: "int bpf_m(struct sk_buff *skb)".into(),
            module: module.map(str::to_string),
            flags: Some(vec!["KF_RCU".into()]),
            file: module.map_or("vmlinux".into(), |m| format!("{m}.ko")),
            ..Default::default()
        });
        cat(version, vec![k])
    };
    let h = fold(
        vec![
            input(built("6.11.2", None)),
            input(built("6.12.117", Some("nf_m"))),
        ],
        &policy(),
    )
    .unwrap();
    let k = h.get("bpf_m").unwrap();
    assert_eq!(k.releases, ["6.11", "6.12"]);
    assert!(k.removed_in.is_none());
    let codes: Vec<&str> = k.changes.iter().map(|s| s.change.code.name()).collect();
    assert_eq!(codes, ["kfunc-moved"], "{:?}", k.changes);
    assert!(
        k.changes[0].change.message.contains("nf_m"),
        "{:?}",
        k.changes[0].change.message
    );
}
