//! `kfuncdoc diff` on real kernel pairs (Debian 6.1 → 6.12 → 7.2), held to
//! facts read in the trees by a naive scan and by hand, and the command
//! line: exit codes, sides given as catalogs, bad input.

use crate::real::{naive_kfuncs, naive_kfuncs_with_xdp_metadata, tree_6_1, tree_6_12, tree_7_2};
use kfuncdoc::diag::{Code, Level};
use kfuncdoc::diff::{Diff, Group, Options, diff};
use kfuncdoc::model::Catalog;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn shipped() -> kfuncdoc::policy::Policy {
    kfuncdoc::policy::parse(
        kfuncdoc::commands::SHIPPED_POLICY_NAME,
        kfuncdoc::commands::SHIPPED_POLICY,
    )
    .unwrap_or_else(|e| panic!("{e:?}"))
}

fn all(old: &Catalog, new: &Catalog) -> Diff {
    diff(
        old,
        new,
        &shipped(),
        Options {
            include_test_only: true,
        },
    )
}

fn names(d: &Diff, code: Code) -> BTreeSet<String> {
    d.changes
        .iter()
        .filter(|c| c.code == code)
        .filter_map(|c| c.kfunc.clone())
        .collect()
}

/// Old names of renames, from the messages' "`old` is now `new`".
fn renamed_old(d: &Diff) -> BTreeSet<String> {
    d.changes
        .iter()
        .filter(|c| c.code == Code::KfuncRenamed)
        .filter_map(|c| c.message.split('`').nth(1).map(str::to_string))
        .collect()
}

/// Added and removed kfuncs (renames counted on both sides) are exactly
/// the difference of two naive scans of BTF_ID_FLAGS.
fn added_and_removed_match_the_naive_scan(
    old: &(std::path::PathBuf, Catalog),
    new: &(std::path::PathBuf, Catalog),
) -> Diff {
    let d = all(&old.1, &new.1);
    // The xdp_metadata kfuncs (an X-macro the naive scan cannot read)
    // arrived in 6.3.
    let naive = |t: &Path| {
        if t.ends_with("linux-source-6.1") {
            naive_kfuncs(t)
        } else {
            naive_kfuncs_with_xdp_metadata(t)
        }
    };
    let (a, b) = (naive(&old.0), naive(&new.0));
    let mut added = names(&d, Code::KfuncAdded);
    added.extend(names(&d, Code::KfuncRenamed));
    let mut removed = names(&d, Code::KfuncRemoved);
    removed.extend(renamed_old(&d));
    assert_eq!(added, b.difference(&a).cloned().collect(), "added");
    assert_eq!(removed, a.difference(&b).cloned().collect(), "removed");
    d
}

/// The line of `needle` in `file` of `tree`, 1-based.
fn line_of(tree: &Path, file: &str, needle: &str) -> u32 {
    let text = std::fs::read_to_string(tree.join(file)).unwrap();
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u32 + 1)
        .unwrap_or_else(|| panic!("{needle} not in {file}"))
}

#[test]
fn from_6_12_to_7_2() {
    let (Some(old), Some(new)) = (tree_6_12(), tree_7_2()) else {
        return;
    };
    let d = added_and_removed_match_the_naive_scan(old, new);
    // cgroup_rstat_* became css_rstat_* (7.2 kernel/cgroup/rstat.c), a
    // rename the shipped policy records.
    let r = d
        .changes
        .iter()
        .find(|c| c.code == Code::KfuncRenamed && c.kfunc.as_deref() == Some("css_rstat_flush"))
        .unwrap_or_else(|| panic!("{:#?}", d.changes));
    assert!(
        r.message
            .starts_with("`cgroup_rstat_flush` is now `css_rstat_flush`")
    );
    assert_eq!(
        r.new.as_ref().unwrap().line,
        Some(line_of(
            &new.0,
            "kernel/cgroup/rstat.c",
            "BTF_ID_FLAGS(func, css_rstat_flush"
        ))
    );
    let old_pos = r.old.as_ref().unwrap();
    assert_eq!(old_pos.file, "kernel/cgroup/rstat.c");
    assert_eq!(
        old_pos.line,
        Some(line_of(
            &old.0,
            "kernel/cgroup/rstat.c",
            "BTF_ID_FLAGS(func, cgroup_rstat_flush"
        ))
    );
    assert!(!names(&d, Code::KfuncAdded).contains("css_rstat_flush"));
    // A rename with another parameter type is compared like one kfunc.
    assert!(d.changes.iter().any(|c| {
        c.code == Code::ParamTypeChanged
            && c.kfunc.as_deref() == Some("css_rstat_flush")
            && c.message
                .contains("`struct cgroup_subsys_state *` (was `struct cgroup *`)")
    }));
    // bbr and cubic moved to cwnd_event_tx_start: removals the shipped
    // policy does not date yet.
    let removed = names(&d, Code::KfuncRemoved);
    assert!(removed.contains("bbr_cwnd_event") && removed.contains("cubictcp_cwnd_event"));
    // bpf_dynptr_size: `__u32` in 6.12, `u64` in 7.2.
    assert!(
        line_of(
            &old.0,
            "kernel/bpf/helpers.c",
            "__bpf_kfunc __u32 bpf_dynptr_size("
        ) > 0
    );
    assert!(
        line_of(
            &new.0,
            "kernel/bpf/helpers.c",
            "__bpf_kfunc u64 bpf_dynptr_size("
        ) > 0
    );
    let rt = d
        .changes
        .iter()
        .find(|c| {
            c.code == Code::ReturnTypeChanged && c.kfunc.as_deref() == Some("bpf_dynptr_size")
        })
        .unwrap();
    assert_eq!(rt.group, Group::Breaking);
    assert_eq!(
        rt.new.as_ref().and_then(|p| p.line),
        Some(line_of(
            &new.0,
            "kernel/bpf/helpers.c",
            "__bpf_kfunc u64 bpf_dynptr_size("
        ))
    );
    // KF_TRUSTED_ARGS left btf.h: one finding, and no kfunc "lost" it.
    assert_eq!(names(&d, Code::FlagBecameDefault).len(), 0);
    assert_eq!(
        d.changes
            .iter()
            .filter(|c| c.code == Code::FlagBecameDefault)
            .count(),
        1
    );
    assert!(
        !d.changes
            .iter()
            .any(|c| c.code == Code::FlagChanged && c.message.contains("lost KF_TRUSTED_ARGS")),
    );
    // The kfuncs that now need trusted arguments had neither the flag nor
    // KF_RCU nor KF_RELEASE in 6.12.
    // (A rename's flags are its old name's.)
    let old_name: std::collections::BTreeMap<String, String> = d
        .changes
        .iter()
        .filter(|c| c.code == Code::KfuncRenamed)
        .map(|c| {
            let from = c.message.split('`').nth(1).unwrap().to_string();
            (c.kfunc.clone().unwrap(), from)
        })
        .collect();
    for c in d
        .changes
        .iter()
        .filter(|c| c.code == Code::FlagChanged && c.message.contains("KF_TRUSTED_ARGS"))
    {
        let name = c.kfunc.clone().unwrap();
        let name = old_name.get(&name).unwrap_or(&name);
        let k = old.1.kfuncs.iter().find(|k| &k.name == name).unwrap();
        for f in ["KF_TRUSTED_ARGS", "KF_RCU", "KF_RELEASE"] {
            assert!(!k.flags.iter().any(|x| x == f), "{} had {f}", k.name);
        }
    }
    // KF_IMPLICIT_ARGS: bpf_wq_set_callback_impl became bpf_wq_set_callback,
    // and the verifier-supplied `aux` is no parameter a program passes.
    assert!(renamed_old(&d).contains("bpf_wq_set_callback_impl"));
    assert!(
        !d.changes.iter().any(
            |c| c.code == Code::ParamAdded && c.kfunc.as_deref() == Some("bpf_wq_set_callback")
        )
    );
    // The sched_ext names 6.17 dropped are renames the policy records.
    for n in ["scx_bpf_dispatch", "scx_bpf_consume"] {
        assert!(renamed_old(&d).contains(n), "{n}");
    }
    assert!(
        !d.changes.iter().any(|c| c.code == Code::RemovalUnrecorded
            && c.kfunc.as_deref().is_some_and(|k| k.starts_with("scx_"))),
        "{:#?}",
        d.changes
            .iter()
            .filter(|c| c.group == Group::Policy)
            .collect::<Vec<_>>()
    );
    // Relaxing changes are information, not warnings.
    assert!(
        d.changes
            .iter()
            .filter(|c| c.group == Group::Relaxing)
            .all(|c| c.level == Level::Info)
    );
}

#[test]
fn from_6_1_to_6_12() {
    let (Some(old), Some(new)) = (tree_6_1(), tree_6_12()) else {
        return;
    };
    let d = added_and_removed_match_the_naive_scan(old, new);
    assert!(d.summary.added > 100, "{:?}", d.summary);
    // No flag retired between them: nothing kernel-wide.
    assert!(!d.changes.iter().any(|c| c.code == Code::FlagBecameDefault));
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kfuncdoc"))
}

#[test]
fn the_command_line() {
    let (Some(old), Some(new)) = (tree_6_12(), tree_7_2()) else {
        return;
    };
    let dir = crate::util::TempDir::new("diff-cli");
    // Catalogs as sides give the same diff as the trees.
    let (a, b) = (dir.0.join("a.json"), dir.0.join("b.json"));
    std::fs::write(&a, serde_json::to_string(&old.1).unwrap()).unwrap();
    std::fs::write(&b, serde_json::to_string(&new.1).unwrap()).unwrap();
    let out = bin()
        .args(["--format", "json", "diff"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let read = |p: &Path| kfuncdoc::files::read_catalog(p).unwrap();
    let d = diff(&read(&a), &read(&b), &shipped(), Options::default());
    assert_eq!(json, serde_json::to_value(&d).unwrap());
    assert_eq!(json["old"]["version"], "6.12.117");
    assert_eq!(json["new"]["version"], "7.2.13");
    // A policy that calls a removed kfunc stable fails the run.
    let p = dir.0.join("p.yaml");
    std::fs::write(
        &p,
        "schema: 1\nkfuncs:\n  cgroup_rstat_flush:\n    stability: stable\n",
    )
    .unwrap();
    let out = bin()
        .arg("diff")
        .arg(&a)
        .arg(&b)
        .arg("--policy")
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("kernel/cgroup/rstat.c:") && text.contains("deny[stable-kfunc-removed]: `cgroup_rstat_flush` was removed, but it is stable (policy entry,"),
        "{text}"
    );
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("diff: 6.12.117 -> 7.2.13: "),
        "{text}"
    );
    // Bad input: exit 2 naming the file and the position.
    let bad = dir.0.join("bad.json");
    std::fs::write(&bad, "{\n  \"kernel\": 3\n}\n").unwrap();
    let out = bin().arg("diff").arg(&bad).arg(&b).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.json:2:"), "{err}");
    let out = bin()
        .arg("diff")
        .arg(dir.0.join("missing"))
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing"));
    // `extract`'s table saved instead of its JSON: said so, not "not BTF".
    let table = dir.0.join("table.txt");
    std::fs::write(&table, "kernel 6.12.117: 260 kfuncs\nNAME   FLAGS\n").unwrap();
    let out = bin().arg("diff").arg(&table).arg(&b).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("table.txt:1:1: ") && err.contains("--format json"),
        "{err}"
    );
}

/// `kfuncdoc --format json ARGS`, parsed; the exit code must be 0 or 1.
fn json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = crate::util::kfuncdoc(&all);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The kfunc names of a built kernel, as `extract` reads them.
fn built_names(args: &[&str]) -> BTreeSet<String> {
    let mut all = vec!["extract"];
    all.extend_from_slice(args);
    json(&all)["kfuncs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_string())
        .collect()
}

fn changes_of<'v>(d: &'v serde_json::Value, code: &str) -> Vec<&'v serde_json::Value> {
    d["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["code"] == code)
        .collect()
}

/// Added and removed are the two kernels' name sets apart, renames aside;
/// without source, no position has a line and a removal says it cannot
/// tell a removal from a configuration.
fn built_only_diff_is_consistent(
    d: &serde_json::Value,
    old: &BTreeSet<String>,
    new: &BTreeSet<String>,
) {
    let kf = |code: &str| -> BTreeSet<String> {
        changes_of(d, code)
            .iter()
            .map(|c| c["kfunc"].as_str().unwrap().to_string())
            .collect()
    };
    let renamed_to = kf("kfunc-renamed");
    let renamed_from: BTreeSet<String> = changes_of(d, "kfunc-renamed")
        .iter()
        .map(|c| {
            let m = c["message"].as_str().unwrap();
            m.split('`').nth(1).unwrap().to_string()
        })
        .collect();
    let added: BTreeSet<String> = new.difference(old).cloned().collect();
    let removed: BTreeSet<String> = old.difference(new).cloned().collect();
    assert_eq!(
        kf("kfunc-added"),
        added.difference(&renamed_to).cloned().collect()
    );
    assert_eq!(
        kf("kfunc-removed"),
        removed.difference(&renamed_from).cloned().collect()
    );
    for c in changes_of(d, "kfunc-removed") {
        assert!(
            c["message"]
                .as_str()
                .unwrap()
                .contains("cannot tell a removal"),
            "{c}"
        );
    }
    for c in d["changes"].as_array().unwrap() {
        for side in ["old", "new"] {
            assert!(c[side].get("line").is_none(), "{c}");
        }
        // Split BTF's `___N` copies of a type are not type changes.
        let m = c["message"].as_str().unwrap();
        assert!(
            !m.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .any(|w| w.rsplit_once("___").is_some_and(|(a, n)| !a.is_empty()
                    && !n.is_empty()
                    && n.bytes().all(|b| b.is_ascii_digit()))),
            "{m}"
        );
    }
}

#[test]
fn from_the_6_12_image_to_the_7_2_image() {
    let (Some(old_root), Some((img72, mod72))) = (
        crate::util::real_input("linux-image-6.12"),
        crate::real::image_7_2(),
    ) else {
        return;
    };
    let img612 = old_root.join("boot/vmlinuz-6.12.117+deb12-amd64");
    let mod612 = old_root.join("lib/modules/6.12.117+deb12-amd64/kernel");
    let (i612, m612, i72, m72) = (
        img612.to_str().unwrap(),
        mod612.to_str().unwrap(),
        img72.to_str().unwrap(),
        mod72.to_str().unwrap(),
    );
    let d = json(&[
        "diff",
        i612,
        i72,
        "--old-modules",
        m612,
        "--new-modules",
        m72,
    ]);
    assert_eq!(d["old"]["version"], "6.12.117+deb12-amd64");
    assert_eq!(d["new"]["version"], "7.2.13+deb14-amd64");
    let old = built_names(&["--btf", i612, "--modules", m612]);
    let new = built_names(&["--btf", i72, "--modules", m72]);
    built_only_diff_is_consistent(&d, &old, &new);
    // Renames the shipped policy records, seen without source: 6.12's
    // kernel/cgroup/rstat.c registers cgroup_rstat_*, 7.2's css_rstat_*.
    let renames: BTreeSet<String> = changes_of(&d, "kfunc-renamed")
        .iter()
        .map(|c| c["message"].as_str().unwrap().to_string())
        .collect();
    for (from, to) in [
        ("cgroup_rstat_updated", "css_rstat_updated"),
        ("cgroup_rstat_flush", "css_rstat_flush"),
        ("bpf_wq_set_callback_impl", "bpf_wq_set_callback"),
    ] {
        assert!(
            renames
                .iter()
                .any(|m| m.starts_with(&format!("`{from}` is now `{to}`"))),
            "{from} -> {to} in {renames:#?}"
        );
    }
    // bbr and cubic moved to cwnd_event_tx_start (net/ipv4/tcp_bbr.c).
    let removed: BTreeSet<&str> = changes_of(&d, "kfunc-removed")
        .iter()
        .map(|c| c["kfunc"].as_str().unwrap())
        .collect();
    assert!(removed.contains("bbr_cwnd_event") && removed.contains("cubictcp_cwnd_event"));
    // kernel/bpf/helpers.c: `__u32 bpf_dynptr_size` (6.12), `u64` (7.2).
    assert!(changes_of(&d, "return-type-changed").iter().any(|c| {
        c["kfunc"] == "bpf_dynptr_size"
            && c["message"]
                .as_str()
                .unwrap()
                .contains("returns `u64` (was `__u32`)")
    }));
    // KF_TRUSTED_ARGS left btf.h in 7.0: one finding for the kernel.
    assert_eq!(changes_of(&d, "flag-became-default").len(), 1);
}

#[test]
fn from_the_running_kernel_to_the_7_2_image() {
    let running = Path::new("/sys/kernel/btf/vmlinux");
    let (true, Some((img72, _))) = (running.is_file(), crate::real::image_7_2()) else {
        return;
    };
    let i72 = img72.to_str().unwrap();
    let d = json(&["diff", "/sys/kernel/btf/vmlinux", i72]);
    // The running kernel's version is its release string.
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    assert_eq!(d["old"]["version"], release.trim());
    assert_eq!(d["new"]["version"], "7.2.13+deb14-amd64");
    let old = built_names(&["--btf", "/sys/kernel/btf/vmlinux"]);
    let new = built_names(&["--btf", i72]);
    built_only_diff_is_consistent(&d, &old, &new);
    let s = &d["summary"];
    assert!(s["added"].as_u64().unwrap() > 0, "{s}");
}
