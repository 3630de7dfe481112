use super::*;
use crate::diag::{Code, Level};

const GOOD: &str = r#"
schema: 1
lifecycle:
  statement: |
    kfuncs are a kernel-internal interface.
  min_deprecation_releases: 2
  levels:
    stable: Kept; removed only after a deprecation period.
    unstable: May change when there is a reason.
defaults:
  stability: unstable
  owner: the subsystem maintainers
rules:
  - name: sched_ext
    match:
      name: "scx_bpf_*"
      file: "kernel/sched/**"
    stability: experimental
kfuncs:
  bpf_task_acquire:
    stability: stable
    since: 6.2
    users:
      - name: scx
        url: https://github.com/sched-ext/scx
    links:
      - https://docs.kernel.org/bpf/kfuncs.html
      - title: kfuncs.rst
        url: https://docs.kernel.org/bpf/kfuncs.html
  scx_bpf_dispatch:
    stability: deprecated
    since: 6.12
    deprecated_in: 6.13
    removal_planned: 6.17
    replacement: scx_bpf_dsq_insert
    rationale: Renamed to say what it does.
  bpf_old:
    stability: removed
    removed_in: "6.4"
    replacement:
      none: KF_KPTR_GET went away.
lints:
  missing-decision: deny
"#;

fn problems(text: &str) -> Vec<(u32, u32, String)> {
    match parse("p.yaml", text) {
        Ok(_) => vec![],
        Err(ps) => ps
            .into_iter()
            .map(|p| (p.loc.line, p.loc.col, p.message))
            .collect(),
    }
}

fn one_problem(text: &str) -> (u32, u32, String) {
    let mut p = problems(text);
    assert_eq!(p.len(), 1, "{p:?}");
    p.remove(0)
}

#[test]
fn reads_a_complete_policy() {
    let p = parse("p.yaml", GOOD).unwrap();
    assert_eq!(
        p.lifecycle.min_deprecation_releases.as_ref().unwrap().value,
        2
    );
    assert_eq!(p.lifecycle.levels.len(), 2);
    assert_eq!(
        p.defaults.stability.as_ref().unwrap().value,
        Stability::Unstable
    );
    assert_eq!(p.rules[0].label, "sched_ext");
    assert_eq!(p.rules[0].matcher.specificity().0, 2);
    let t = &p.kfuncs["bpf_task_acquire"];
    assert_eq!(t.stability.as_ref().unwrap().value, Stability::Stable);
    assert_eq!(t.since.as_ref().unwrap().value.to_string(), "6.2");
    assert_eq!((t.loc.line, t.loc.col), (20, 3));
    assert_eq!(t.links.len(), 2);
    assert_eq!(t.links[1].title.as_deref(), Some("kfuncs.rst"));
    let s = &p.kfuncs["scx_bpf_dispatch"];
    assert_eq!(
        s.replacement.as_ref().unwrap().value,
        model::Replacement::Kfunc("scx_bpf_dsq_insert".into())
    );
    assert_eq!(
        s.removal_planned.as_ref().unwrap().value.to_string(),
        "6.17"
    );
    let o = &p.kfuncs["bpf_old"];
    assert!(matches!(
        o.replacement.as_ref().unwrap().value,
        model::Replacement::None(_)
    ));
    assert_eq!(p.level(Code::MissingDecision), Level::Deny);
    assert_eq!(p.level(Code::UnknownFlag), Level::Warn);
}

#[test]
fn versions_keep_their_trailing_zero() {
    let p = parse("p.yaml", "schema: 1\nkfuncs:\n  bpf_a:\n    since: 6.10\n").unwrap();
    assert_eq!(
        p.kfuncs["bpf_a"].since.as_ref().unwrap().value.to_string(),
        "6.10"
    );
}

#[test]
fn syntax_and_type_errors_have_positions() {
    assert_eq!(one_problem("schema: 1\nkfuncs: [\n").0, 2);
    let (l, c, m) = one_problem("schema: 1\nkfuncs:\n  bpf_a:\n    bogus: 1\n");
    assert_eq!((l, c), (4, 5));
    assert!(m.contains("unknown field `bogus`"), "{m}");
    let (l, _, m) = one_problem("schema: 1\nkfuncs:\n  bpf_a: {}\n  bpf_a: {}\n");
    assert_eq!(l, 4);
    assert!(m.contains("duplicate"), "{m}");
    let (l, _, _) = one_problem("schema: 1\nlifecycle:\n  min_deprecation_releases: two\n");
    assert_eq!(l, 3);
    let (_, _, m) = one_problem("schema: 1\nkfuncs:\n  bpf_a:\n    users: yes\n");
    assert!(!m.is_empty());
    assert!(one_problem("kfuncs: {}\n").2.contains("schema"));
}

#[test]
fn semantic_errors_have_positions() {
    let (l, c, m) = one_problem("schema: 1\nkfuncs:\n  bpf_a:\n    since: 6.x\n");
    assert_eq!((l, c), (4, 12));
    assert!(m.contains("not a kernel version"), "{m}");
    let (l, _, m) = one_problem("schema: 2\n");
    assert_eq!(l, 1);
    assert!(m.contains("schema 2"), "{m}");
    let (l, _, m) = one_problem("schema: 1\nkfuncs:\n  bpf_a:\n    stability: frozen\n");
    assert_eq!(l, 4);
    assert!(m.contains("unknown stability `frozen`"), "{m}");
    let (l, _, m) = one_problem(
        "schema: 1\nrules:\n  - match:\n      name: \"bpf_[\"\n    stability: stable\n",
    );
    assert_eq!(l, 4);
    assert!(m.contains("never closed"), "{m}");
    let (_, _, m) = one_problem("schema: 1\nrules:\n  - match: {}\n    stability: stable\n");
    assert!(m.contains("at least one"), "{m}");
    let (l, _, m) = one_problem("schema: 1\nlints:\n  no-such-lint: deny\n");
    assert_eq!(l, 3);
    assert!(m.contains("unknown lint"), "{m}");
    let (_, _, m) = one_problem("schema: 1\nlints:\n  missing-decision: forbid\n");
    assert!(m.contains("not a level"), "{m}");
    let (_, _, m) = one_problem("schema: 1\nkfuncs:\n  bpf_a:\n    links: [\"ftp://x\"]\n");
    assert!(m.contains("not an http(s) URL"), "{m}");
    let (_, _, m) = one_problem("schema: 1\nkfuncs:\n  \"bpf a\": {}\n");
    assert!(m.contains("not a kfunc name"), "{m}");
    let (_, _, m) =
        one_problem("schema: 1\nkfuncs:\n  bpf_a:\n    replacement: \"use the other one\"\n");
    assert!(m.contains("none: reason"), "{m}");
    // Several problems are all reported.
    assert_eq!(
        problems("schema: 1\nkfuncs:\n  bpf_a:\n    since: x\n    deprecated_in: y\n").len(),
        2
    );
}

#[test]
fn alias_bombs_and_strict_booleans() {
    let mut bomb = String::from("schema: 1\nx0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
    for i in 1..12 {
        bomb.push_str(&format!(
            "x{i}: &a{i} [*a{}, *a{0}, *a{0}, *a{0}, *a{0}, *a{0}, *a{0}, *a{0}, *a{0}, *a{0}]\n",
            i - 1
        ));
    }
    assert!(!problems(&bomb).is_empty(), "an alias bomb must be refused");
}

#[test]
fn directories_merge_and_report_both_places() {
    let a = parse(
        "a.yaml",
        "schema: 1\nkfuncs:\n  bpf_a: {}\nlints:\n  missing-decision: deny\n",
    )
    .unwrap();
    let b = parse("b.yaml", "schema: 1\nkfuncs:\n  bpf_b: {}\n  bpf_a: {}\n").unwrap();
    let mut problems = Vec::new();
    let p = merge_files(vec![a, b], &mut problems);
    assert_eq!(p.kfuncs.len(), 2);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].loc.to_string(), "b.yaml:4:3");
    assert!(
        problems[0].message.contains("a.yaml:3:3"),
        "{}",
        problems[0].message
    );
}

#[test]
fn files_load_from_disk_with_errors_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("kfuncdoc-policy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    assert!(
        matches!(load(&dir), Err(crate::Error::Policy { .. })),
        "empty directory"
    );
    std::fs::write(dir.join("a.yaml"), "schema: 1\nkfuncs:\n  bpf_a: {}\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "not yaml").unwrap();
    assert_eq!(load(&dir).unwrap().kfuncs.len(), 1);
    std::fs::write(dir.join("b.yaml"), b"schema: 1\n# caf\xe9\n").unwrap();
    let e = load(&dir).unwrap_err().to_string();
    assert!(e.contains("b.yaml:2:6: error: byte 15 is not UTF-8"), "{e}");
    std::fs::write(
        dir.join("b.yaml"),
        vec![b'#'; (MAX_FILE_BYTES + 1) as usize],
    )
    .unwrap();
    let e = load(&dir).unwrap_err().to_string();
    assert!(
        e.contains("b.yaml:1:1: error:") && e.contains("larger"),
        "{e}"
    );
    assert!(matches!(
        load(&dir.join("missing.yaml")),
        Err(crate::Error::Io { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 13: a misspelt level, field, lint or lint level says what was
/// probably meant; a word close to nothing gets no guess.
#[test]
fn misspellings_get_a_did_you_mean() {
    let cases = [
        (
            "kfuncs:\n  bpf_a:\n    stability: stabel\n",
            "; did you mean `stable`?",
        ),
        (
            "kfuncs:\n  bpf_a:\n    stability: experimantal\n",
            "; did you mean `experimental`?",
        ),
        (
            "kfuncs:\n  bpf_a:\n    stabilty: stable\n",
            "; did you mean `stability`?",
        ),
        (
            "kfuncs:\n  bpf_a:\n    replacment: bpf_b\n",
            "; did you mean `replacement`?",
        ),
        ("lifecycle:\n  statment: x\n", "; did you mean `statement`?"),
        (
            "lints:\n  missing-decison: deny\n",
            "; did you mean `missing-decision`?",
        ),
        (
            "lints:\n  missing-decision: dny\n",
            "; did you mean `deny`?",
        ),
    ];
    for (text, hint) in cases {
        let (_, _, m) = one_problem(&format!("schema: 1\n{text}"));
        assert!(m.ends_with(hint), "{text:?}: {m}");
        assert_eq!(m.matches("did you mean").count(), 1, "{m}");
    }
    for text in [
        "kfuncs:\n  bpf_a:\n    stability: frozen\n",
        "kfuncs:\n  bpf_a:\n    bogus: 1\n",
        "lints:\n  no-such-lint: deny\n",
    ] {
        let (_, _, m) = one_problem(&format!("schema: 1\n{text}"));
        assert!(!m.contains("did you mean"), "{text:?}: {m}");
    }
}
