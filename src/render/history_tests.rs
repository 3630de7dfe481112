//! A small series by hand, with commits as the git reader records them:
//! since and its link, age bounds, per-program-type since, removals and
//! the release pages; the policy's since winning.

use super::*;
use crate::history::model::CommitRef;
use crate::history::{Input, fold};
use crate::merge::merge;
use crate::model::{Catalog, Kfunc};
use crate::policy::parse;
use crate::render::context::{Options, build};

const T: &str = "BPF_PROG_TYPE_TRACING";
const S: &str = "BPF_PROG_TYPE_SCHED_CLS";

fn kf(name: &str, callers: &[&str]) -> Kfunc {
    Kfunc {
        name: name.into(),
        file: Some("kernel/bpf/helpers.c".into()),
        line: Some(10),
        sets: vec!["generic_btf_ids".into()],
        prog_types: callers.iter().map(|f| f.to_string()).collect(),
        callable_from: callers.iter().map(|f| f.to_string()).collect(),
        ..Kfunc::default()
    }
}

fn cat(version: &str, kfuncs: Vec<Kfunc>) -> Catalog {
    crate::history::testutil::catalog(version, kfuncs, true)
}

fn commit(id: char, subject: &str) -> CommitRef {
    CommitRef {
        id: std::iter::repeat_n(id, 40).collect(),
        subject: subject.into(),
    }
}

/// 6.1 (a, gone) → 6.2 (a also for SCHED_CLS, b; gone removed) → 6.12
/// (a, b, c), with the commits of b, gone and c; rendered as 6.12.
fn rendered(policy: &str) -> Context {
    let policy = parse("p.yaml", policy).unwrap();
    let mut i62 =
        Input::snapshot(cat("6.2.1", vec![kf("a", &[T, S]), kf("b", &[T])]), None).unwrap();
    i62.commits.insert(
        ("b".into(), "kfunc-added".into()),
        commit('b', "bpf: Add b"),
    );
    i62.commits.insert(
        ("gone".into(), "kfunc-removed".into()),
        commit('d', "bpf: Drop gone"),
    );
    let c612 = cat(
        "6.12.117",
        vec![kf("a", &[T, S]), kf("b", &[T]), kf("c", &[T])],
    );
    let mut i612 = Input::snapshot(c612.clone(), None).unwrap();
    i612.commits.insert(
        ("c".into(), "kfunc-added".into()),
        commit('c', "bpf: Add `c`"),
    );
    let inputs = vec![
        Input::snapshot(cat("6.1.158", vec![kf("a", &[T]), kf("gone", &[T])]), None).unwrap(),
        i62,
        i612,
    ];
    let h = fold(inputs, &policy).unwrap();
    let (m, _) = merge(&c612, &policy);
    let mut ctx = build(&m, &policy, &Options::default()).unwrap();
    let names = c612.kfuncs.iter().map(|k| k.name.clone()).collect();
    add(&mut ctx, &h, &policy, &names, "https://example.org/c/{id}");
    ctx
}

fn find<'c>(c: &'c Context, name: &str) -> &'c KfuncPage {
    c.groups
        .iter()
        .flat_map(|g| &g.kfuncs)
        .find(|k| k.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn commit_urls_are_checked() {
    assert!(valid_commit_url(DEFAULT_COMMIT_URL).is_ok());
    assert!(valid_commit_url("https://example.org/c/").is_err());
    assert!(valid_commit_url("ftp://x/{id}").is_err());
    assert!(valid_commit_url("https://x/{id} y").is_err());
}

#[test]
fn since_age_and_program_types_come_from_the_history() {
    let ctx = rendered("schema: 1\n");
    let b = find(&ctx, "b");
    assert_eq!(b.since.as_deref(), Some("6.2"));
    assert_eq!(b.since_from.as_deref(), Some("history"));
    assert_eq!(
        b.since_url.as_deref(),
        Some("https://example.org/c/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
    );
    assert_eq!(
        (b.factors.age.releases, b.factors.age.releases_max),
        (Some(10), None)
    );
    let h = b.history.as_ref().unwrap();
    assert!(!h.show_first_seen, "the added change says it");
    assert_eq!(h.changes[0].release.as_deref(), Some("6.2"));
    assert_eq!(h.changes[0].commit.as_ref().unwrap().short, "bbbbbbbbbbbb");

    let a = find(&ctx, "a");
    assert_eq!(a.since.as_deref(), Some("≤ 6.1"));
    assert!(a.factors.age.at_least);
    assert_eq!(a.factors.age.since.as_deref(), Some("6.1"));
    assert_eq!(a.factors.age.releases, Some(11));
    assert!(a.since_url.is_none());
    assert_eq!(a.prog_types_since.len(), 1);
    assert_eq!(
        (
            a.prog_types_since[0].name.as_str(),
            a.prog_types_since[0].text.as_str()
        ),
        ("SCHED_CLS", "6.2")
    );
    assert!(a.history.as_ref().unwrap().show_first_seen);

    // Between 6.2 and 6.12: bounds, and "at most 9 releases".
    let c = find(&ctx, "c");
    assert_eq!(c.since.as_deref(), Some("6.3–6.12"));
    assert_eq!(
        (c.factors.age.releases, c.factors.age.releases_max),
        (Some(0), Some(9))
    );
    assert!(c.since_url.as_deref().unwrap().ends_with("cccc"));
    assert!(c.prog_types_since.is_empty(), "TRACING came with it");
}

#[test]
fn removed_kfuncs_and_changes_by_release() {
    let ctx = rendered("schema: 1\n");
    let h = ctx.history.as_ref().unwrap();
    assert_eq!(h.releases, ["6.1", "6.2", "6.12"]);
    assert_eq!(h.removed.len(), 1);
    let gone = &h.removed[0];
    assert_eq!(
        (
            gone.name.as_str(),
            gone.last_seen.as_str(),
            gone.removed_in.as_str()
        ),
        ("gone", "6.1", "6.2")
    );
    assert_eq!(gone.removed_by.as_ref().unwrap().subject, "bpf: Drop gone");
    assert!(gone.replacement.is_none());
    let titles: Vec<&str> = h.by_release.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, ["Linux 6.3–6.12", "Linux 6.2"]);
    let kinds: Vec<&str> = ctx.pages.iter().map(|p| p.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "index",
            "group",
            "removed",
            "releases",
            "deprecations",
            "lifecycle"
        ]
    );
}

#[test]
fn the_policy_wins_over_the_history() {
    let ctx = rendered(
        "schema: 1\nkfuncs:\n  b:\n    since: 6.5\n  gone:\n    stability: removed\n    removed_in: 6.3\n    replacement: b\n",
    );
    let b = find(&ctx, "b");
    assert_eq!(b.since.as_deref(), Some("6.5"));
    assert_eq!(b.since_from.as_deref(), Some("policy"));
    assert!(b.since_url.is_none());
    assert_eq!(b.factors.age.since_from.as_deref(), Some("policy"));
    let gone = &ctx.history.as_ref().unwrap().removed[0];
    assert_eq!(
        (gone.removed_in.as_str(), gone.removed_in_from.as_str()),
        ("6.3", "policy")
    );
    let r = gone.replacement.as_ref().unwrap();
    assert_eq!(r.kfunc.as_deref(), Some("b"));
    assert_eq!(gone.replacement_from.as_deref(), Some("policy"));
}

/// A kernel between two releases of the history with a kfunc the history
/// first sees in the later one: the kernel bounds its since.
#[test]
fn a_kernel_older_than_the_first_release_seen_bounds_the_since() {
    let policy = parse("p.yaml", "schema: 1\n").unwrap();
    let inputs = vec![
        Input::snapshot(cat("6.1.158", vec![kf("a", &[T])]), None).unwrap(),
        Input::snapshot(cat("6.12.117", vec![kf("a", &[T]), kf("c", &[T])]), None).unwrap(),
    ];
    let h = fold(inputs, &policy).unwrap();
    let render = |version: &str| {
        let k68 = cat(version, vec![kf("a", &[T]), kf("c", &[T])]);
        let (m, _) = merge(&k68, &policy);
        let mut ctx = build(&m, &policy, &Options::default()).unwrap();
        let names = k68.kfuncs.iter().map(|k| k.name.clone()).collect();
        add(&mut ctx, &h, &policy, &names, DEFAULT_COMMIT_URL);
        ctx
    };
    let ctx = render("6.8.3");
    let c = find(&ctx, "c");
    assert_eq!(c.since.as_deref(), Some("6.2–6.8"));
    assert_eq!(
        (c.factors.age.releases, c.factors.age.releases_max),
        (Some(0), Some(6))
    );
    assert_eq!(find(&ctx, "a").since.as_deref(), Some("≤ 6.1"));
    // The release right after the last one without it: exact.
    assert_eq!(find(&render("6.2"), "c").since.as_deref(), Some("6.2"));
    // A kernel older than every release the history has without it (the
    // kfunc was removed and added again, or the history is wrong): unknown.
    assert_eq!(find(&render("6.1.5"), "c").since, None);
}
