//! `extract` on built kernels, as users run it: the running kernel's BTF
//! against bpftool 7.5, and Debian's 6.12 bzImage and modules against the
//! 6.12 source tree and the image's own kernel config.

use crate::util::{TempDir, kfuncdoc, real_input};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

const SYSFS: &str = "/sys/kernel/btf/vmlinux";
const IMAGE: &str = "6.12.117+deb12-amd64";

fn json(args: &[&str]) -> Value {
    let out = kfuncdoc(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("extract prints JSON")
}

fn str_of<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string `{key}` in {v}"))
}

/// bpftool's kfunc externs, `extern` and `__weak __ksym;` stripped. Written
/// for this test from bpftool's output format alone.
fn bpftool_externs(bpftool: &Path, file: &str) -> BTreeSet<String> {
    let out = Command::new(bpftool)
        .args(["btf", "dump", "file", file, "format", "c"])
        .output()
        .expect("bpftool runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut externs = BTreeSet::new();
    let mut cur = String::new();
    for line in text.lines() {
        if line.starts_with("extern ") || !cur.is_empty() {
            if !cur.is_empty() {
                cur.push('\n');
            }
            cur.push_str(line);
            if let Some(decl) = cur.strip_suffix(" __weak __ksym;") {
                externs.insert(decl.strip_prefix("extern ").unwrap().to_string());
                cur.clear();
            }
        }
    }
    externs
}

#[test]
fn running_kernel_prototypes_are_bpftools() {
    if !Path::new(SYSFS).exists() {
        eprintln!("note: {SYSFS} missing (kernel without CONFIG_DEBUG_INFO_BTF); skipped");
        return;
    }
    let Some(bpftool) = real_input("bpftool-7.5/bpftool") else {
        return;
    };
    // No input at all means the running kernel's BTF.
    let c = json(&["extract", "--format", "json"]);
    let ours: BTreeSet<String> = c["kfuncs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| str_of(&k["btf"], "prototype").to_string())
        .collect();
    let theirs = bpftool_externs(&bpftool, SYSFS);
    let missing: Vec<_> = theirs.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&theirs).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "bpftool only: {missing:#?}\nkfuncdoc only: {extra:#?}"
    );
    let inputs = c["kernel"]["inputs"].as_array().unwrap();
    assert_eq!(str_of(&inputs[0], "kind"), "raw-btf");
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    assert_eq!(str_of(&c["kernel"], "version"), release.trim());
    for k in c["kfuncs"].as_array().unwrap() {
        // Raw BTF has no .BTF_ids: flags are unknown, not empty.
        assert_eq!(k["btf"]["flags"], Value::Null, "{}", k["name"]);
        assert_eq!(k["built"], Value::Bool(true));
    }
}

/// The 6.12 source, Debian's bzImage (stripped) and all its modules.
#[test]
fn debian_image_joined_with_its_source() {
    let (Some(tree), Some(image)) = (
        real_input("linux-source-6.12"),
        real_input("linux-image-6.12"),
    ) else {
        return;
    };
    let bz = image.join(format!("boot/vmlinuz-{IMAGE}"));
    let modules = image.join(format!("lib/modules/{IMAGE}"));
    let c = json(&[
        "extract",
        "--source",
        tree.to_str().unwrap(),
        "--btf",
        bz.to_str().unwrap(),
        "--modules",
        modules.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let only_source = json(&[
        "extract",
        "--source",
        tree.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let kfuncs = c["kfuncs"].as_array().unwrap();
    let names = |v: &Value| -> Vec<String> {
        v["kfuncs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| str_of(k, "name").to_string())
            .collect()
    };
    assert_eq!(
        names(&c),
        names(&only_source),
        "the image adds no kfunc to its source"
    );
    // Same release, flags agree with the source, every module read.
    let codes: BTreeSet<&str> = c["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| str_of(d, "code"))
        .collect();
    for bad in [
        "version-mismatch",
        "btf-flags-differ",
        "btf-only-kfunc",
        "unreadable-module",
        "btf-ids-anomaly",
    ] {
        assert!(!codes.contains(bad), "{bad}: {:#?}", c["diagnostics"]);
    }
    // What is not built is what the image's config leaves out: sched_ext
    // and HID-BPF are off in Debian's 6.12, and no distribution ships the
    // selftests' modules (net/bpf/test_run.c's test kfuncs are built).
    let config = std::fs::read_to_string(image.join(format!("boot/config-{IMAGE}"))).unwrap();
    for off in ["CONFIG_SCHED_CLASS_EXT", "CONFIG_HID_BPF"] {
        assert!(config.contains(&format!("# {off} is not set")), "{off}");
    }
    let mut not_built = BTreeMap::new();
    for k in kfuncs {
        let file = str_of(k, "file");
        let expect_built = !(file.starts_with("tools/testing/")
            || file == "kernel/sched/ext.c"
            || file.starts_with("drivers/hid/bpf/"));
        assert_eq!(
            k["built"],
            Value::Bool(expect_built),
            "{} in {file}",
            k["name"]
        );
        if !expect_built {
            *not_built
                .entry(file.rsplit_once('/').unwrap().0)
                .or_insert(0) += 1;
        }
        if expect_built {
            // Flags come from the stripped image's recovered sets.
            assert_eq!(k["btf"]["flags"], k["flags"], "{}", k["name"]);
        }
    }
    assert!(not_built.len() >= 3, "{not_built:?}");
    // A module kfunc, with flags from the module's .BTF_ids symbols.
    let ct = kfuncs
        .iter()
        .find(|k| k["name"] == "bpf_xdp_ct_lookup")
        .unwrap();
    assert_eq!(str_of(&ct["btf"], "module"), "nf_conntrack");
    assert_eq!(ct["btf"]["flags_value"], 5);
    assert!(str_of(&ct["btf"], "file").ends_with("nf_conntrack.ko.xz"));
    assert_eq!(
        str_of(&ct["btf"], "prototype"),
        "struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *bpf_tuple, u32 tuple__sz, struct bpf_ct_opts *opts, u32 opts__sz)"
    );
    // A vmlinux kfunc from the stripped bzImage: found by structure (the
    // pahole Debian 12 builds with predates the bpf_kfunc decl tags).
    let acq = kfuncs
        .iter()
        .find(|k| k["name"] == "bpf_task_acquire")
        .unwrap();
    assert_eq!(acq["btf"]["module"], Value::Null);
    assert!(str_of(&acq["btf"], "file").ends_with(&format!("vmlinuz-{IMAGE}")));
    let by: Vec<&str> = acq["btf"]["found_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(by, ["btf_ids_structural:high"]);
}

#[test]
fn bad_built_inputs_exit_2_naming_the_file() {
    let t = TempDir::new("badbtf");
    // A BTF header cut short.
    let cut = t.0.join("cut.btf");
    std::fs::write(&cut, [0x9f, 0xeb, 1, 0, 24, 0, 0, 0]).unwrap();
    // Types running past the end of the data.
    let mut past = vec![0x9f, 0xeb, 1, 0, 24, 0, 0, 0];
    for v in [0u32, 100, 100, 1] {
        past.extend(v.to_le_bytes());
    }
    past.push(0);
    let past_file = t.0.join("past.btf");
    std::fs::write(&past_file, past).unwrap();
    let garbage = t.0.join("garbage.ko.xz");
    std::fs::write(&garbage, b"\xfd7zXZ\0 this is not xz").unwrap();
    for (file, want) in [
        (&cut, "byte 0x"),
        (&past_file, "byte 0x"),
        (&garbage, "corrupt xz data at byte"),
    ] {
        let out = kfuncdoc(&["extract", "--btf", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{}", file.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(file.to_str().unwrap()) && err.contains(want),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
    // Modules need the vmlinux they were built on.
    let out = kfuncdoc(&["extract", "--modules", t.0.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--modules needs a vmlinux"));
    // -o writes nothing when the input is bad.
    let dest = t.0.join("out.json");
    let out = kfuncdoc(&[
        "extract",
        "--btf",
        cut.to_str().unwrap(),
        "-o",
        dest.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dest.exists());
}

/// The shipped policy holds for Debian's 6.12 build as for its source.
#[test]
fn check_on_source_and_image() {
    let (Some(tree), Some(image)) = (
        real_input("linux-source-6.12"),
        real_input("linux-image-6.12"),
    ) else {
        return;
    };
    let bz = image.join(format!("boot/vmlinuz-{IMAGE}"));
    let out = kfuncdoc(&[
        "check",
        "--source",
        tree.to_str().unwrap(),
        "--btf",
        bz.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["deny"], 0);
    assert_eq!(report["summary"]["kfuncs"], 260);
}

/// The 7.2 source with Debian unstable's signed bzImage (its BTF has
/// `bpf_kfunc` decl tags) and all its modules.
#[test]
fn debian_7_2_image_joined_with_its_source() {
    let (Some((tree, source)), Some((bz, modules))) =
        (crate::real::tree_7_2(), crate::real::image_7_2())
    else {
        return;
    };
    let c = json(&[
        "extract",
        "--source",
        tree.to_str().unwrap(),
        "--btf",
        bz.to_str().unwrap(),
        "--modules",
        modules.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let kfuncs = c["kfuncs"].as_array().unwrap();
    let joined: Vec<&str> = kfuncs.iter().map(|k| str_of(k, "name")).collect();
    let from_source: Vec<&str> = source.kfuncs.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(joined, from_source, "the image adds no kfunc to its source");
    let codes: BTreeSet<&str> = c["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| str_of(d, "code"))
        .collect();
    for bad in ["version-mismatch", "btf-flags-differ", "unreadable-module"] {
        assert!(!codes.contains(bad), "{bad}: {:#?}", c["diagnostics"]);
    }
    // Built kfuncs carry the image's prototype and flags; the flags agree
    // with the source's.
    let built: Vec<&Value> = kfuncs
        .iter()
        .filter(|k| k["built"] == Value::Bool(true))
        .collect();
    assert!(built.len() > 300, "{}", built.len());
    for k in built {
        assert!(!str_of(&k["btf"], "prototype").is_empty(), "{}", k["name"]);
        assert_eq!(k["btf"]["flags"], k["flags"], "{}", k["name"]);
    }
}
