//! `kfuncdoc history` on the real 6.1, 6.12 and 7.2 trees: the shipped
//! history is what these trees give, its presence and removals match a
//! naive scan of each tree, extending equals folding at once, and `check
//! --history` holds a policy to it.

use crate::real::image_7_2;
use crate::real::{naive_kfuncs, naive_kfuncs_with_xdp_metadata, tree_6_1, tree_6_12, tree_7_2};
use crate::util::{TempDir, cache, golden_file, kfuncdoc, real_input, root};
use kfuncdoc::history::{self, Input, model::History};
use kfuncdoc::model::Catalog;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

type Tree = (PathBuf, Catalog);

fn trees() -> Option<[&'static Tree; 3]> {
    Some([tree_6_1()?, tree_6_12()?, tree_7_2()?])
}

fn fold(trees: &[&Tree]) -> History {
    let policy = kfuncdoc::commands::load_policy(None).unwrap();
    let inputs = trees
        .iter()
        .map(|(_, c)| Input::snapshot(c.clone(), None).unwrap())
        .collect();
    history::fold(inputs, &policy).unwrap()
}

/// The naive scan of a tree: every `BTF_ID_FLAGS` name (the xdp_metadata
/// X-macro arrived in 6.3).
fn naive(t: &Path) -> BTreeSet<String> {
    if t.ends_with("linux-source-6.1") {
        naive_kfuncs(t)
    } else {
        naive_kfuncs_with_xdp_metadata(t)
    }
}

/// `history/linux.json`, embedded in the binary, is what
/// `.ci/shipped-history` gives with this binary (the three trees, 6.12 and
/// 7.2 with their images; `.ci/regen-history` rewrites it).
#[test]
fn the_shipped_history_is_fresh() {
    let (Some(_), Some(_), Some(_)) = (trees(), image_7_2(), real_input("linux-image-6.12")) else {
        return;
    };
    let d = TempDir::new("shipped-history");
    let out = d.0.join("linux.json");
    let status = std::process::Command::new(root().join(".ci/shipped-history"))
        .arg(&out)
        .env("KFUNCDOC", env!("CARGO_BIN_EXE_kfuncdoc"))
        .env("KFUNCDOC_CACHE", cache())
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    golden_file(&root().join("history/linux.json"), &text);
    let h = history::from_json(&text).unwrap();
    assert_eq!(history::shipped(), &h, "the embedded copy is the file");
    // The images are in: 6.12's and 7.2's catalogs say what the build has.
    for label in ["6.12", "7.2"] {
        let r = h.release(label).unwrap();
        assert!(
            r.catalog.kernel.inputs.iter().any(|i| i.kind == "bzimage"),
            "{label}"
        );
        assert!(r.catalog.kfuncs.iter().any(|k| k.btf.is_some()), "{label}");
    }
    // A build's configuration is not a change of the kernel.
    assert!(
        h.kfuncs
            .iter()
            .flat_map(|k| &k.changes)
            .all(|s| s.change.code != kfuncdoc::diag::Code::KfuncNotBuilt)
    );
}

/// Every kfunc's releases are the trees whose naive scan lists it.
#[test]
fn presence_and_removals_match_a_naive_scan() {
    let Some(t) = trees() else { return };
    let h = fold(&t);
    let scans: Vec<BTreeSet<String>> = t.iter().map(|(p, _)| naive(p)).collect();
    let labels = ["6.1", "6.12", "7.2"];
    let all: BTreeSet<&String> = scans.iter().flatten().collect();
    let names: BTreeSet<&String> = h.kfuncs.iter().map(|k| &k.name).collect();
    assert_eq!(names, all);
    for k in &h.kfuncs {
        let want: Vec<&str> = (0..3)
            .filter(|&i| scans[i].contains(&k.name))
            .map(|i| labels[i])
            .collect();
        assert_eq!(k.releases, want, "{}", k.name);
        assert_eq!(k.first_seen.by, want[0], "{}", k.name);
        assert_eq!(
            k.removed_in.is_some(),
            !scans[2].contains(&k.name),
            "{}",
            k.name
        );
    }
    // Read by hand in the trees: the cwnd_event kfuncs of bbr and cubic are
    // in net/ipv4/tcp_{bbr,cubic}.c of 6.1 and 6.12, gone in 7.2;
    // cgroup_rstat_* became css_rstat_* (kernel/cgroup/rstat.c).
    for gone in ["bbr_cwnd_event", "cubictcp_cwnd_event"] {
        let k = h.get(gone).unwrap();
        assert_eq!(k.last_seen, "6.12");
        assert_eq!(k.removed_in.as_ref().unwrap().display(), "6.13–7.2");
        assert_eq!(k.renamed_to, None);
    }
    let k = h.get("cgroup_rstat_updated").unwrap();
    assert_eq!(k.renamed_to.as_deref(), Some("css_rstat_updated"));
    assert_eq!(
        h.get("css_rstat_updated").unwrap().renamed_from.as_deref(),
        Some("cgroup_rstat_updated")
    );
    // A kfunc of every tree: "≤ 6.1", never exact.
    let k = h.get("bpf_xdp_ct_lookup").unwrap();
    assert_eq!(k.first_seen.display(), "≤ 6.1");
    // Added between 6.12 and 7.2: bounded, not exact.
    let k = h.get("bpf_wq_set_callback").unwrap();
    assert_eq!(k.first_seen.display(), "6.13–7.2");
}

fn write(dir: &TempDir, name: &str, c: &Catalog) -> String {
    let p = dir.0.join(name);
    std::fs::write(&p, serde_json::to_string(c).unwrap()).unwrap();
    p.display().to_string()
}

/// The catalogs of the three trees as `a.json`, `b.json`, `c.json`.
fn write_catalogs(dir: &TempDir, t: [&Tree; 3]) -> [String; 3] {
    [
        write(dir, "a.json", &t[0].1),
        write(dir, "b.json", &t[1].1),
        write(dir, "c.json", &t[2].1),
    ]
}

/// Extending a history by one release gives the same bytes as folding
/// the three at once; bad input exits 2, names the file, writes nothing.
#[test]
fn the_command_extends_and_refuses_bad_input() {
    let Some(t) = trees() else { return };
    let dir = TempDir::new("history");
    let [a, b, c] = write_catalogs(&dir, t);
    let out = |n: &str| dir.0.join(n).display().to_string();
    let o = kfuncdoc(&["history", &a, &b, &c, "-o", &out("all.json")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("3 releases"), "{text}");
    let o = kfuncdoc(&["history", &a, &b, "-o", &out("two.json")]);
    assert!(o.status.success());
    let o = kfuncdoc(&["history", "--extend", &out("two.json"), &c]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (all, two) = (
        std::fs::read(out("all.json")).unwrap(),
        std::fs::read(out("two.json")).unwrap(),
    );
    assert!(all == two, "extended in place differs from folded at once");

    // A label names a release.
    let labelled = format!("6.12-debian={b}");
    let o = kfuncdoc(&["history", &a, &labelled, "-o", &out("l.json")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let h = kfuncdoc::files::read_history(Path::new(&out("l.json"))).unwrap();
    assert_eq!(h.releases[1].label, "6.12-debian");

    // Out of order: exit 2, the output named, nothing written.
    let o = kfuncdoc(&["history", &c, &a, "-o", &out("bad.json")]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.json") && err.contains("older than"),
        "{err}"
    );
    assert!(!dir.0.join("bad.json").exists());
    // The same release again.
    let o = kfuncdoc(&["history", "--extend", &out("all.json"), &c]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("twice"));
    assert_eq!(
        std::fs::read(out("all.json")).unwrap(),
        all,
        "left as it was"
    );
    // A broken history: file, line and column.
    let broken = out("broken.json");
    std::fs::write(&broken, &all[..all.len() / 2]).unwrap();
    let o = kfuncdoc(&["history", "--extend", &broken, &c]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{broken}:")) && err.contains("not a kfuncdoc history"),
        "{err}"
    );
}

/// `diff` and `extract --catalog` read a history as its last release, or
/// the release `FILE@LABEL` names: the same changes as the catalogs the
/// history was folded from.
#[test]
fn diff_reads_the_releases_of_a_history() {
    let Some(t) = trees() else { return };
    let dir = TempDir::new("history-diff");
    let [a, b, c] = write_catalogs(&dir, t);
    let h = dir.0.join("h.json").display().to_string();
    let o = kfuncdoc(&["history", &a, &b, &c, "-o", &h]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let changes = |old: &str, new: &str| {
        let o = kfuncdoc(&["--format", "json", "diff", old, new]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["changes"].clone()
    };
    let from_catalogs = changes(&a, &b);
    assert!(from_catalogs.as_array().is_some_and(|c| !c.is_empty()));
    assert_eq!(
        changes(&format!("{h}@6.1"), &format!("{h}@6.12")),
        from_catalogs
    );
    // The file alone is its last release.
    assert_eq!(changes(&format!("{h}@6.12"), &h), changes(&b, &c));

    let table = |arg: &str| {
        let o = kfuncdoc(&["extract", "--catalog", arg]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o.stdout
    };
    assert_eq!(table(&format!("{h}@6.12")), table(&b));

    // A release the history does not have: exit 2, the file and its releases named.
    let o = kfuncdoc(&["diff", &format!("{h}@6.13"), &h]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{h}:1:1")) && err.contains("it has 6.1, 6.12, 7.2"),
        "{err}"
    );
}

/// `check --history` with the shipped history: the 7.2 tree and the
/// shipped policy have the two unrecorded removals; a policy that dates a
/// 6.1 kfunc to 6.3 is an error at its line.
#[test]
fn check_holds_the_policy_to_the_history() {
    let Some(t) = trees() else { return };
    let dir = TempDir::new("history-check");
    let h = dir.0.join("h.json");
    std::fs::write(&h, history::to_json(history::shipped())).unwrap();
    let cat = write(&dir, "c.json", &t[2].1);
    let h = h.display().to_string();
    let o = kfuncdoc(&["check", "--catalog", &cat, "--history", &h]);
    let text = String::from_utf8_lossy(&o.stdout);
    let unrecorded: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("[history-removal-unrecorded]"))
        .collect();
    assert_eq!(unrecorded.len(), 2, "{text}");
    assert!(unrecorded.iter().any(|l| l.contains("`bbr_cwnd_event`")));
    assert!(!text.contains("policy-contradicts-history"), "{text}");

    let policy = dir.0.join("p.yaml");
    std::fs::write(
        &policy,
        "schema: 1\nkfuncs:\n  bpf_xdp_ct_lookup:\n    since: 6.3\n",
    )
    .unwrap();
    let p = policy.display().to_string();
    let o = kfuncdoc(&["check", "--catalog", &cat, "--history", &h, "--policy", &p]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.lines().any(|l| l.starts_with(&format!("{p}:4:"))
            && l.contains("deny[policy-contradicts-history]")
            && l.contains("is in 6.1")),
        "{text}"
    );
}

/// A built kernel read without its source, documented from the shipped
/// history: the 7.2 image and its modules get the 7.2 source's facts for
/// every kfunc whose prototype matches, and those facts are the tree's.
#[test]
fn a_built_kernel_is_documented_from_the_nearest_release() {
    let (Some(t72), Some((img, modules))) = (tree_7_2(), crate::real::image_7_2()) else {
        return;
    };
    let args = kfuncdoc::cli::FactsArgs {
        btf: Some(img),
        modules: vec![modules],
        ..Default::default()
    };
    let mut c = kfuncdoc::commands::facts(&args).unwrap();
    let before = c.kfuncs.len();
    let done = kfuncdoc::history::nearest::document(&mut c, history::shipped(), "shipped");
    assert_eq!(c.kfuncs.len(), before);
    let lent: Vec<_> = c
        .kfuncs
        .iter()
        .filter(|k| k.source_from.is_some())
        .collect();
    assert_eq!(done.per_release, [("7.2".to_string(), lent.len())]);
    // Every kfunc of the image is in the 7.2 source with the same
    // prototype, except those the source does not list.
    assert!(
        lent.len() + done.unmatched == before && lent.len() * 10 >= before * 9,
        "{done:?} of {before}"
    );
    for k in &lent {
        let s = t72.1.get(&k.name).unwrap();
        assert_eq!(
            (&k.sets, &k.callable_from, &k.subsystem),
            (&s.sets, &s.callable_from, &s.subsystem),
            "{}",
            k.name
        );
        assert_eq!(&k.doc, &s.doc, "{}", k.name);
        // The image's own flags (its .BTF_ids) are kept.
        if let Some(own) = k.btf.as_ref().and_then(|b| b.flags.as_ref()) {
            assert_eq!(&k.flags, own, "{}", k.name);
        }
    }
    eprintln!(
        "note: 7.2 image: {} of {before} kfuncs documented from the 7.2 source, {} unmatched",
        lent.len(),
        done.unmatched
    );
    assert!(c.kernel.inputs.iter().any(|i| i.kind == "history"));
    // A catalog read from source is left alone.
    let mut src = t72.1.clone();
    let done = kfuncdoc::history::nearest::document(&mut src, history::shipped(), "shipped");
    assert_eq!((done.per_release.len(), &src), (0, &t72.1));
}

/// The main job on a kernel read without its source (here the 7.2 image):
/// the pages group kfuncs by subsystem and show the flags and program
/// types of the 7.2 source, and say so.
#[test]
fn pages_of_a_built_kernel_say_which_source_they_come_from() {
    let (Some(t72), Some((img, modules))) = (tree_7_2(), crate::real::image_7_2()) else {
        return;
    };
    let dir = TempDir::new("history-pages");
    let out = dir.0.join("site");
    let o = kfuncdoc(&[
        "render",
        "--btf",
        img.to_str().unwrap(),
        "--modules",
        modules.to_str().unwrap(),
        "--to",
        "markdown",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = out.join("src");
    let index = std::fs::read_to_string(out.join("index.md")).unwrap();
    assert!(index.contains("come from the Linux 7.2 source"), "{index}");
    // bpf_task_acquire: the 7.2 tree's flags and program types, in its
    // MAINTAINERS section's group.
    let k = t72.1.get("bpf_task_acquire").unwrap();
    let row = index
        .lines()
        .find(|l| l.starts_with("| [`bpf_task_acquire`]"))
        .unwrap();
    for f in &k.flags {
        assert!(row.contains(f.strip_prefix("KF_").unwrap()), "{f}: {row}");
    }
    assert!(!row.contains("unknown"), "{row}");
    let page = row.split("](").nth(1).unwrap().split('#').next().unwrap();
    let text = std::fs::read_to_string(out.join(page)).unwrap();
    assert!(text.contains("**From the Linux 7.2 source:**"), "{page}");
    assert_ne!(page, "vmlinux.md", "grouped by subsystem");
}
