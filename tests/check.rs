//! `kfuncdoc check` and `kfuncdoc policy sync` as users run them.

use crate::util::{TempDir, kfuncdoc, real_input, root, tree};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn policy(name: &str) -> String {
    root()
        .join("tests/fixtures/policies")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn findings_on_a_fixture_tree() {
    let t = tree("linux-6.12-era");
    let out = kfuncdoc(&[
        "check",
        "--policy",
        &policy("era-6.12.yaml"),
        "--source",
        t.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    // unknown-flag is raised to deny by the policy: exit 1.
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let p = policy("era-6.12.yaml");
    for line in [
        format!(
            "{p}:29:16: deny[stable-test-only]: `bpf_kfunc_call_test_release` is declared stable"
        ),
        format!("{p}:26:16: warn[stable-without-doc]: `bpf_wq_init` is declared stable"),
        format!(
            "{p}:35:22: deny[removal-too-soon]: removal of `scx_bpf_dispatch` planned in 6.13 is 1 release after its deprecation in 6.12"
        ),
        format!(
            "{p}:34:20: warn[deprecation-undocumented]: `scx_bpf_dispatch` is deprecated since 6.12"
        ),
        format!("{p}:40:3: deny[unknown-kfunc]: the policy has an entry for `bpf_not_there`"),
        format!(
            "{p}:16:5: warn[rule-matches-nothing]: rule `nothing` matches no kfunc of 6.12.117"
        ),
        "kernel/bpf/helpers.c:118:1: deny[unknown-flag]:".to_string(),
        "kernel/sched/ext.c:19:1: warn[doc-name-mismatch]:".to_string(),
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(&line)),
            "no line starting with\n  {line}\nin\n{stdout}"
        );
    }
    assert!(
        stdout
            .trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("check: 26 kfuncs of 6.12.117 against "),
        "{stdout}"
    );
    // The same as JSON.
    let out = kfuncdoc(&[
        "--format",
        "json",
        "check",
        "--policy",
        &p,
        "--source",
        t.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["summary"]["deny"].as_u64().unwrap() >= 3);
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown-kfunc")
        .unwrap();
    assert_eq!(
        (d["line"].as_u64(), d["col"].as_u64(), d["level"].as_str()),
        (Some(40), Some(3), Some("deny"))
    );
}

#[test]
fn catalog_files_are_facts_too() {
    let tmp = TempDir::new("catalog");
    let t = tree("linux-6.8-era");
    let cat = tmp.0.join("c.json");
    let out = kfuncdoc(&[
        "--format",
        "json",
        "extract",
        "--source",
        t.to_str().unwrap(),
        "-o",
        cat.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let p = tmp.0.join("p.yaml");
    std::fs::write(&p, "schema: 1\n").unwrap();
    let p = p.to_str().unwrap();
    let from_tree = kfuncdoc(&["check", "--policy", p, "--source", t.to_str().unwrap()]);
    let from_file = kfuncdoc(&["check", "--policy", p, "--catalog", cat.to_str().unwrap()]);
    assert_eq!(
        from_tree.status.code(),
        Some(0),
        "{}",
        text(&from_tree.stdout)
    );
    assert_eq!(from_tree.stdout, from_file.stdout);
    // Another tool may list kfuncs in any order: same facts, same result.
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cat).unwrap()).unwrap();
    let kfuncs = json["kfuncs"].as_array_mut().unwrap();
    assert!(kfuncs.len() > 2);
    kfuncs.reverse();
    let reversed = tmp.0.join("reversed.json");
    std::fs::write(&reversed, json.to_string()).unwrap();
    let from_reversed = kfuncdoc(&[
        "check",
        "--policy",
        p,
        "--catalog",
        reversed.to_str().unwrap(),
    ]);
    assert_eq!(from_tree.stdout, from_reversed.stdout);
    // ... but not list one twice.
    let first = json["kfuncs"][0].clone();
    json["kfuncs"].as_array_mut().unwrap().push(first);
    std::fs::write(&reversed, json.to_string()).unwrap();
    let out = kfuncdoc(&[
        "check",
        "--policy",
        p,
        "--catalog",
        reversed.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("twice"), "{}", text(&out.stderr));
    // A broken catalog file names its position.
    std::fs::write(
        &cat,
        "{\"kernel\": {\"version\": \"6.8\"},\n \"kfuncs\": 3}",
    )
    .unwrap();
    let out = kfuncdoc(&["check", "--policy", p, "--catalog", cat.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("c.json:2:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_policies_exit_2_with_positions() {
    let tmp = TempDir::new("badpolicy");
    let t = tree("linux-6.8-era");
    for (content, want) in [
        (
            "schema: 1\nkfuncs:\n  bpf_a: {stability: frozen}\n",
            "p.yaml:3:22: error: unknown stability `frozen`",
        ),
        (
            "schema: 1\nkfuncs:\n  bpf_a: {}\n  bpf_a: {}\n",
            "p.yaml:4:3: error: duplicate mapping key",
        ),
        (
            "schema: 1\nkfuncs:\n  bpf_a: {since: \"6.x\"}\n",
            "p.yaml:3:18: error: `6.x` is not a kernel version",
        ),
        (
            "schema: 1\nbogus: 1\n",
            "p.yaml:2:1: error: unknown field `bogus`",
        ),
        ("schema: 1\nkfuncs: [\n", "p.yaml:2:9: error:"),
    ] {
        let p = tmp.0.join("p.yaml");
        std::fs::write(&p, content).unwrap();
        let out = kfuncdoc(&[
            "check",
            "--policy",
            p.to_str().unwrap(),
            "--source",
            t.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{content}");
        let err = text(&out.stderr);
        assert!(err.contains(want), "{content}: {err}");
        assert!(out.stdout.is_empty());
    }
    let out = kfuncdoc(&[
        "check",
        "--policy",
        "/nonexistent.yaml",
        "--source",
        t.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent.yaml"));
    // --catalog and --source are two ways to say the same thing.
    let out = kfuncdoc(&["check", "--catalog", "x.json", "--source", "y"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn list_shows_levels_under_the_policy() {
    let out = kfuncdoc(&["check", "--list", "--policy", &policy("era-6.12.yaml")]);
    assert_eq!(out.status.code(), Some(0));
    let list = text(&out.stdout);
    assert!(
        list.lines()
            .any(|l| l.starts_with("unknown-flag ") && l.contains(" deny ")),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|l| l.starts_with("missing-decision ") && l.contains(" allow ")),
        "{list}"
    );
    for code in kfuncdoc::diag::Code::ALL {
        assert!(list.contains(code.name()));
    }
}

#[test]
fn sync_appends_skeletons_and_nothing_else() {
    let tmp = TempDir::new("sync");
    let p = tmp.0.join("policy.yaml");
    let original = "# my policy\nschema: 1\nkfuncs:\n  # decided\n  bpf_task_acquire:\n    stability: stable   # keep\n\nlints:\n  missing-decision: deny\n";
    std::fs::write(&p, original).unwrap();
    let t = tree("linux-6.8-era");
    // Before: every other kfunc is undecided, and denied.
    let out = kfuncdoc(&[
        "check",
        "--policy",
        p.to_str().unwrap(),
        "--source",
        t.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let dry = kfuncdoc(&[
        "policy",
        "sync",
        "--dry-run",
        "--policy",
        p.to_str().unwrap(),
        "--source",
        t.to_str().unwrap(),
    ]);
    assert_eq!(dry.status.code(), Some(1), "{}", text(&dry.stderr));
    assert!(
        text(&dry.stdout).starts_with("would add 7 entries"),
        "{}",
        text(&dry.stdout)
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), original);
    let out = kfuncdoc(&[
        "policy",
        "sync",
        "--policy",
        p.to_str().unwrap(),
        "--source",
        t.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let synced = std::fs::read_to_string(&p).unwrap();
    // Every original line is still there, in order; only lines were added.
    let mut it = synced.lines();
    for line in original.lines() {
        assert!(it.any(|l| l == line), "lost {line:?}\n{synced}");
    }
    assert!(synced.contains("  # kernel/bpf/helpers.c:64 in 6.8.0-rc3; added by kfuncdoc policy sync\n  bpf_task_release: {}\n"), "{synced}");
    // Idempotent.
    let again = kfuncdoc(&[
        "policy",
        "sync",
        "--policy",
        p.to_str().unwrap(),
        "--source",
        t.to_str().unwrap(),
    ]);
    assert!(text(&again.stdout).starts_with("added 0 entries"));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), synced);
    // Still undecided: the new entries state no stability.
    let out = kfuncdoc(&[
        "check",
        "--policy",
        p.to_str().unwrap(),
        "--source",
        t.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn sync_into_a_directory_picks_the_entries_file() {
    let tmp = TempDir::new("syncdir");
    std::fs::write(
        tmp.0.join("00-lifecycle.yaml"),
        "schema: 1\nlifecycle:\n  statement: x\n",
    )
    .unwrap();
    std::fs::write(
        tmp.0.join("kfuncs.yaml"),
        "schema: 1\nkfuncs:\n  bpf_task_acquire: {}\n",
    )
    .unwrap();
    let t = tree("linux-6.8-era");
    let out = kfuncdoc(&[
        "policy",
        "sync",
        "--policy",
        tmp.0.to_str().unwrap(),
        "--source",
        t.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(tmp.0.join("00-lifecycle.yaml")).unwrap(),
        "schema: 1\nlifecycle:\n  statement: x\n"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.0.join("kfuncs.yaml"))
            .unwrap()
            .matches(": {}")
            .count(),
        8
    );
}

#[test]
fn shipped_policy_passes_on_the_real_6_12_tree() {
    let Some(t) = real_input("linux-source-6.12") else {
        return;
    };
    let out = kfuncdoc(&["check", "--source", t.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains(": 0 denied,"), "{stdout}");
    // And the shipped file is the embedded one.
    let shipped = std::fs::read_to_string(root().join("policy/linux.yaml")).unwrap();
    assert_eq!(shipped, kfuncdoc::commands::SHIPPED_POLICY);
}

#[test]
fn policy_sync_on_the_real_6_12_tree_keeps_the_shipped_text() {
    let Some(t) = real_input("linux-source-6.12") else {
        return;
    };
    let tmp = TempDir::new("realsync");
    let p = tmp.0.join("linux.yaml");
    std::fs::copy(root().join("policy/linux.yaml"), &p).unwrap();
    let out = kfuncdoc(&[
        "policy",
        "sync",
        "--policy",
        p.to_str().unwrap(),
        "--source",
        t.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let before = std::fs::read_to_string(root().join("policy/linux.yaml")).unwrap();
    let after = std::fs::read_to_string(&p).unwrap();
    let added: Vec<&str> = after
        .lines()
        .filter(|l| !before.lines().any(|b| b == *l))
        .collect();
    assert!(after.len() > before.len());
    assert!(
        added
            .iter()
            .all(|l| l.starts_with("  # ") || l.ends_with(": {}")),
        "{added:?}"
    );
    let check = kfuncdoc(&[
        "check",
        "--policy",
        p.to_str().unwrap(),
        "--source",
        t.to_str().unwrap(),
    ]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
}
