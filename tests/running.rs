//! Issue 12: with no input, the running kernel is read with its own image
//! and modules when they are this kernel's build. The running kernel here is
//! a fixture root (`KFUNCDOC_SYSROOT`) made of Debian's real 7.2 image: its
//! raw BTF as `/sys/kernel/btf/vmlinux`, its release in `/proc`, its
//! bzImage and modules where Debian installs them; and wrong images beside
//! it (another release, another build, a corrupt file).

use crate::real::image_7_2;
use crate::util::{TempDir, real_input};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const R72: &str = "7.2.13+deb14-amd64";
const R612: &str = "6.12.117+deb12-amd64";

/// The raw BTF of an image, as the kernel exposes it in sysfs.
fn raw_btf(image: &Path) -> Vec<u8> {
    let img = kfuncdoc::btf::read(image, None).expect("the image reads");
    img.btf().raw_with_decl_tags("bpf_kfunc", &[])
}

fn raw_btf_7_2() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| raw_btf(&image_7_2().expect("7.2 image").0))
}

fn image_6_12() -> Option<PathBuf> {
    real_input("linux-image-6.12").map(|d| d.join(format!("boot/vmlinuz-{R612}")))
}

/// A root whose running kernel is `release` with `btf` in sysfs.
fn root(tag: &str, release: &str, btf: &[u8]) -> TempDir {
    let d = TempDir::new(tag);
    let w = |rel: &str, bytes: &[u8]| {
        let p = d.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    w(
        "proc/sys/kernel/osrelease",
        format!("{release}\n").as_bytes(),
    );
    w("sys/kernel/btf/vmlinux", btf);
    std::fs::create_dir_all(d.0.join("cache")).unwrap();
    d
}

fn link(root: &TempDir, rel: &str, to: &Path) {
    let p = root.0.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(to, p).unwrap();
}

/// `kfuncdoc ARGS` with `root` as the machine, in `root/work`.
fn run_in(root: &TempDir, args: &[&str]) -> Output {
    let work = root.0.join("work");
    std::fs::create_dir_all(&work).unwrap();
    Command::new(env!("CARGO_BIN_EXE_kfuncdoc"))
        .current_dir(&work)
        .env("KFUNCDOC_SYSROOT", &root.0)
        .env("XDG_CACHE_HOME", root.0.join("cache"))
        .args(args)
        .output()
        .expect("kfuncdoc runs")
}

fn extract_json(root: &TempDir, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json", "extract"];
    all.extend(args);
    let out = run_in(root, &all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn kfunc<'a>(c: &'a Value, name: &str) -> &'a Value {
    c["kfuncs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

/// The findings of `code`, as `file: message`.
fn findings(c: &Value, code: &str) -> Vec<String> {
    c["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            format!(
                "{}: {}",
                d["file"].as_str().unwrap_or(""),
                d["message"].as_str().unwrap()
            )
        })
        .collect()
}

fn input_kinds(c: &Value) -> Vec<String> {
    let mut k: Vec<String> = c["kernel"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap().to_string())
        .collect();
    k.dedup();
    k
}

#[test]
fn the_running_kernels_image_and_modules_give_its_flags() {
    let Some((image, modules)) = image_7_2() else {
        return;
    };
    let r = root("running-image", R72, raw_btf_7_2());
    link(&r, &format!("boot/vmlinuz-{R72}"), &image);
    link(&r, &format!("lib/modules/{R72}/kernel"), &modules);
    // A link to a source tree, as distributions install it: never walked.
    link(
        &r,
        &format!("lib/modules/{R72}/build"),
        Path::new("/nonexistent"),
    );

    let got = extract_json(&r, &[]);
    assert_eq!(input_kinds(&got), ["bzimage", "module"]);
    assert_eq!(got["kernel"]["version"], R72);
    let said = findings(&got, "running-image");
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].ends_with(&format!(
            "the running kernel {R72}'s image: flags and sets read from its .BTF_ids, modules from {}",
            r.0.join(format!("lib/modules/{R72}/kernel")).display()
        )),
        "{said:?}"
    );
    assert!(findings(&got, "running-image-unusable").is_empty());
    // The image's own flags, which raw BTF does not have.
    assert_eq!(
        kfunc(&got, "bpf_task_acquire")["flags"],
        serde_json::json!(["KF_ACQUIRE", "KF_RCU", "KF_RET_NULL"])
    );
    // A module's kfunc, with the module's flags.
    assert_eq!(kfunc(&got, "bbr_main")["btf"]["module"], "tcp_bbr");

    // The same kfuncs as naming the files by hand (a warm cache now).
    let by_hand = extract_json(
        &r,
        &[
            "--btf",
            image.to_str().unwrap(),
            "--modules",
            modules.to_str().unwrap(),
        ],
    );
    let strip = |c: &Value| {
        let mut ks = c["kfuncs"].clone();
        for k in ks.as_array_mut().unwrap() {
            k["btf"]["file"] = Value::Null;
        }
        ks
    };
    assert_eq!(strip(&got), strip(&by_hand));

    // The main job on that machine: the pages say the flags are the
    // kernel's own, from its image, and show them.
    let out = run_in(&r, &["build"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let site = r.0.join("work/kfuncdoc-site/src");
    let index = std::fs::read_to_string(site.join("index.md")).unwrap();
    let image_shown = r.0.join(format!("boot/vmlinuz-{R72}"));
    assert!(
        index.contains(&format!(
            "The flags are this kernel's own, read from its image `{}`.",
            image_shown.display()
        )),
        "{index}"
    );
    let page = kfunc_page(&site, "bpf_task_acquire");
    assert!(
        page.contains("the flags are its own, from its image"),
        "{page}"
    );
    assert!(page.contains("`KF_RET_NULL`"), "{page}");
}

/// The page (a subsystem page) that documents `name`.
fn kfunc_page(site: &Path, name: &str) -> String {
    let mut hits = Vec::new();
    for e in std::fs::read_dir(site).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            let text = std::fs::read_to_string(&p).unwrap();
            if let Some(at) = text
                .find(&format!("## {name}\n"))
                .or_else(|| text.find(&format!("## `{name}`")))
            {
                hits.push(text[at..].chars().take(3000).collect::<String>());
            }
        }
    }
    assert_eq!(hits.len(), 1, "{name} on {} pages", hits.len());
    hits.remove(0)
}

#[test]
fn without_an_image_the_btf_is_read_and_the_finding_says_where_it_looked() {
    if image_7_2().is_none() {
        return;
    }
    let r = root("running-none", R72, raw_btf_7_2());
    let got = extract_json(&r, &[]);
    assert_eq!(input_kinds(&got), ["raw-btf"]);
    assert_eq!(got["kernel"]["version"], R72);
    let said = findings(&got, "running-image");
    assert_eq!(said.len(), 1, "{said:?}");
    for rel in [
        format!("usr/lib/debug/boot/vmlinux-{R72}"),
        format!("boot/vmlinuz-{R72}"),
        format!("lib/modules/{R72}/vmlinuz"),
    ] {
        assert!(
            said[0].contains(&r.0.join(&rel).display().to_string()),
            "{rel}: {said:?}"
        );
    }
    assert!(kfunc(&got, "bpf_task_acquire")["btf"]["flags"].is_null());
}

#[test]
fn an_image_of_another_release_or_build_is_refused() {
    let (Some((image72, _)), Some(image612)) = (image_7_2(), image_6_12()) else {
        return;
    };
    // Another release at the running release's path.
    let r = root("running-other-release", R72, raw_btf_7_2());
    link(&r, &format!("boot/vmlinuz-{R72}"), &image612);
    let got = extract_json(&r, &[]);
    assert_eq!(input_kinds(&got), ["raw-btf"]);
    assert_eq!(
        findings(&got, "running-image-unusable"),
        [format!(
            "{}: not read for the running kernel: it is the image of {R612}, not of the running {R72}; flags and sets are not known from this kernel",
            r.0.join(format!("boot/vmlinuz-{R72}")).display()
        )]
    );
    assert!(kfunc(&got, "bpf_task_acquire")["btf"]["flags"].is_null());

    // The right release, another build: 6.12's image and release with
    // 7.2's BTF running.
    let r = root("running-other-build", R612, raw_btf_7_2());
    link(&r, &format!("boot/vmlinuz-{R612}"), &image612);
    let got = extract_json(&r, &[]);
    assert_eq!(input_kinds(&got), ["raw-btf"]);
    let said = findings(&got, "running-image-unusable");
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].contains("its BTF is not the running kernel's"),
        "{said:?}"
    );

    // A corrupt image: refused with the reader's reason, the BTF still read.
    let r = root("running-corrupt", R72, raw_btf_7_2());
    let bad = r.0.join(format!("boot/vmlinuz-{R72}"));
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(&bad, b"MZ this is not a kernel image").unwrap();
    let got = extract_json(&r, &[]);
    assert_eq!(input_kinds(&got), ["raw-btf"]);
    let said = findings(&got, "running-image-unusable");
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].starts_with(&bad.display().to_string()), "{said:?}");
    assert!(!said[0].contains("it is the image of"), "{said:?}");
    // Read by hand, the same file is an error at exit 2.
    let out = run_in(&r, &["extract", "--btf", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    drop(image72);
}
