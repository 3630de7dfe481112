//! Issue 9, items 5-7 and the page defects "Owner" and messages, on the real
//! 6.12 and 7.2 trees: per-set flags, lookup-table sets, the sched_ext rule
//! by subsystem, owners named from MAINTAINERS, the removed count.

use crate::real::{tree_6_12, tree_7_2};
use kfuncdoc::commands::{SHIPPED_POLICY, SHIPPED_POLICY_NAME};
use kfuncdoc::model::Catalog;
use kfuncdoc::render::context::{self, Context, Options};

fn trees() -> Vec<&'static (std::path::PathBuf, Catalog)> {
    [tree_6_12(), tree_7_2()].into_iter().flatten().collect()
}

fn context(c: &Catalog) -> Context {
    let policy = kfuncdoc::policy::parse(SHIPPED_POLICY_NAME, SHIPPED_POLICY).unwrap();
    let (merged, _) = kfuncdoc::merge::merge(c, &policy);
    let opts = Options {
        include_test_only: true,
        ..Options::default()
    };
    context::build(&merged, &policy, &opts).unwrap()
}

/// HID's kfuncs: KF_SLEEPABLE in the struct_ops set, not in the syscall set
/// (drivers/hid/bpf/hid_bpf_dispatch.c); the page says which set has which.
#[test]
fn hid_flags_are_shown_per_set() {
    for (root, c) in trees() {
        let text =
            std::fs::read_to_string(root.join("drivers/hid/bpf/hid_bpf_dispatch.c")).unwrap();
        assert!(text.contains("BTF_ID_FLAGS(func, hid_bpf_hw_request, KF_SLEEPABLE)"));
        let cx = context(c);
        let k = cx
            .groups
            .iter()
            .flat_map(|g| &g.kfuncs)
            .find(|k| k.name == "hid_bpf_hw_request")
            .unwrap();
        let by: Vec<(&str, &[String], &[String])> = k
            .flags_by_set
            .iter()
            .map(|s| (s.set.as_str(), &s.flags[..], &s.prog_types[..]))
            .collect();
        assert_eq!(
            by,
            [
                (
                    "hid_bpf_kfunc_ids",
                    &["KF_SLEEPABLE".to_string()][..],
                    &["STRUCT_OPS".to_string()][..]
                ),
                (
                    "hid_bpf_syscall_kfunc_ids",
                    &[][..],
                    &["SYSCALL".to_string()][..]
                ),
            ],
            "{}",
            root.display()
        );
        // A kfunc whose sets agree has no per-set view.
        let same = cx
            .groups
            .iter()
            .flat_map(|g| &g.kfuncs)
            .find(|k| k.name == "bpf_task_acquire")
            .unwrap();
        assert!(same.flags_by_set.is_empty());
    }
}

/// 7.2's `scx_kfunc_ids_cpu_only` is tested by the sched_ext filter, not
/// registered: recorded as a lookup table, no `unregistered-set`.
#[test]
fn filter_lookup_table_is_not_an_unregistered_set() {
    let Some((root, c)) = tree_7_2() else { return };
    let text = std::fs::read_to_string(root.join("kernel/sched/ext/ext.c")).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("btf_id_set8_contains(&scx_kfunc_ids_cpu_only"))
        .unwrap() as u32
        + 1;
    let s = c
        .sets
        .iter()
        .find(|s| s.name == "scx_kfunc_ids_cpu_only")
        .unwrap();
    assert!(!s.registered);
    assert_eq!(s.lookups, [line]);
    assert!(
        !c.diagnostics
            .iter()
            .any(|d| d.message.contains("scx_kfunc_ids_cpu_only"))
    );
    // Every one of its entries is a kfunc through a registered set.
    for f in &s.functions {
        assert!(c.get(f).is_some(), "{f}");
    }
}

/// The kfuncs of the SCHEDULER - SCHED_EXT section, by an oracle reading
/// MAINTAINERS' F: lines, all get the shipped sched_ext rule.
#[test]
fn every_sched_ext_kfunc_gets_the_sched_ext_rule() {
    for (root, c) in trees() {
        let m = std::fs::read_to_string(root.join("MAINTAINERS")).unwrap();
        let sec = m
            .split("\n\n")
            .find(|s| s.starts_with("SCHEDULER - SCHED_EXT\n"))
            .unwrap();
        let files: Vec<&str> = sec
            .lines()
            .filter_map(|l| l.strip_prefix("F:\t"))
            .filter(|f| f.starts_with("kernel/"))
            .collect();
        let cx = context(c);
        let ks: Vec<_> = cx.groups.iter().flat_map(|g| &g.kfuncs).collect();
        let mut n = 0;
        for k in &ks {
            let file = &k.source.as_ref().unwrap().file;
            // An entry of its own (a deprecation) wins over rules.
            if files.iter().any(|f| file.starts_with(f)) && !k.decided {
                n += 1;
                assert_eq!(k.stability, "experimental", "{}", k.name);
                assert!(
                    k.notes.as_deref().unwrap().contains("ABI Instability"),
                    "{}",
                    k.name
                );
            }
        }
        assert!(n >= 25, "{n}");
        assert!(
            ks.iter()
                .any(|k| k.name.starts_with("bpf_iter_scx_dsq_") && k.stability == "experimental")
        );
    }
}

/// No placeholder owner: the people of the MAINTAINERS section, by name.
#[test]
fn owners_are_people() {
    for (_, c) in trees() {
        let cx = context(c);
        for k in cx.groups.iter().flat_map(|g| &g.kfuncs) {
            if let Some(o) = &k.owner {
                assert!(!o.contains("MAINTAINERS section"), "{}: {o}", k.name);
            }
        }
        let hid = cx
            .groups
            .iter()
            .flat_map(|g| &g.kfuncs)
            .find(|k| k.name == "hid_bpf_hw_request")
            .unwrap();
        assert_eq!(
            hid.owner.as_deref(),
            Some("Jiri Kosina and Benjamin Tissoires (maintainers, HID CORE LAYER)")
        );
    }
}

/// The lifecycle page's count of removed kfuncs is the schedule's list.
#[test]
fn removed_count_matches_schedule() {
    for (_, c) in trees() {
        let cx = context(c);
        let removed = cx
            .policy
            .levels
            .iter()
            .find(|l| l.name == "removed")
            .unwrap();
        assert_eq!(removed.count, cx.removed.len());
        assert!(removed.count > 0);
    }
}

/// `policy sync` leaves the test-only kfuncs out, and says so.
#[test]
fn policy_sync_skips_test_only() {
    let Some((root, c)) = tree_7_2() else { return };
    let tmp = crate::util::TempDir::new("sync");
    let p = tmp.0.join("p.yaml");
    std::fs::write(&p, "schema: 1\nkfuncs:\n  bpf_task_acquire: {}\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kfuncdoc"))
        .args(["policy", "sync", "--policy"])
        .arg(&p)
        .arg("--source")
        .arg(root)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tests = c.kfuncs.iter().filter(|k| k.test_only).count();
    assert!(tests > 0);
    assert!(
        stdout.contains(&format!("left out {tests} test-only kfuncs")),
        "{stdout}"
    );
    let text = std::fs::read_to_string(&p).unwrap();
    for k in &c.kfuncs {
        assert_eq!(
            text.contains(&format!("  {}: {{}}", k.name)),
            !k.test_only || k.name == "bpf_task_acquire",
            "{}",
            k.name
        );
    }
}
