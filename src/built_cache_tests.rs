//! `read_cached` on small built files: a cold, a warm and an uncached run
//! give the same bytes, and the cache reads again exactly what changed.
//! Fixture files are dated an hour back: files younger than
//! `btf::cache::SETTLE` are never cached.

use super::*;
use crate::btf::Compression;
use crate::btf::tests_inputs::{bzimage, module_elf, vmlinux_btf, vmlinux_elf_of, xz};
use crate::btf::testutil::Elf;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, SystemTime};

struct Tmp(PathBuf);

impl Tmp {
    fn new(name: &str) -> Tmp {
        let d = std::env::temp_dir().join(format!("kfuncdoc-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Tmp(d)
    }

    /// Writes `name`, last modified `ago` seconds back.
    fn write_aged(&self, name: &str, data: &[u8], ago: u64) -> PathBuf {
        let p = self.0.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, data).unwrap();
        age(&p, ago);
        p
    }

    fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        self.write_aged(name, data, 3600)
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn age(p: &Path, ago: u64) {
    let t = SystemTime::now() - Duration::from_secs(ago);
    std::fs::File::options()
        .write(true)
        .open(p)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

/// A vmlinux, and a modules tree with a module with kfuncs, one without
/// `.BTF_ids`, one that cannot be read, and a file that is not a module.
struct Kernel {
    t: Tmp,
    vmlinux: PathBuf,
    mods: PathBuf,
    cache: PathBuf,
}

fn plain_module(name: &str) -> Vec<u8> {
    Elf::new(true)
        .section(".modinfo", format!("name={name}\0").into_bytes())
        .build()
}

fn kernel(name: &str) -> Kernel {
    let t = Tmp::new(name);
    let vmlinux = t.write(
        "vmlinux",
        &vmlinux_elf_of(false, false, false, "6.12.3-test"),
    );
    let base = vmlinux_btf(false).btf;
    let (ko, _) = module_elf(&base, "good", None);
    t.write("mods/net/good.ko.xz", &xz(&ko));
    t.write("mods/net/bad.ko", b"\x7fELF garbage");
    t.write("mods/plain.ko", &plain_module("plain"));
    t.write("mods/modules.dep", b"net/good.ko.xz:\n");
    let mods = t.0.join("mods");
    let cache = t.0.join("cache");
    Kernel {
        t,
        vmlinux,
        mods,
        cache,
    }
}

/// What one run gives, serialised, and the files it read.
#[derive(Debug, PartialEq)]
struct Run {
    built: String,
    catalog: String,
    read: Vec<PathBuf>,
}

fn run(
    btf: Option<&Path>,
    base: Option<&Path>,
    modules: &[PathBuf],
    cache: Option<&Path>,
) -> Result<Run> {
    READ.with(|r| r.borrow_mut().clear());
    let built = read_cached(btf, base, modules, cache)?;
    let json = serde_json::to_string_pretty(&built).unwrap();
    let catalog = serde_json::to_string_pretty(&catalog(built)).unwrap();
    Ok(Run {
        built: json,
        catalog,
        read: READ.with(|r| r.take()),
    })
}

impl Kernel {
    fn run(&self, cache: Option<&Path>) -> Run {
        run(
            Some(&self.vmlinux),
            None,
            std::slice::from_ref(&self.mods),
            cache,
        )
        .unwrap()
    }

    fn cached(&self) -> Run {
        self.run(Some(&self.cache))
    }

    fn uncached(&self) -> Run {
        self.run(None)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.mods.join(rel)
    }

    /// The one cache file.
    fn cache_file(&self) -> PathBuf {
        let files: Vec<PathBuf> = std::fs::read_dir(&self.cache)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        files.into_iter().next().unwrap()
    }
}

/// The results of two runs are the same; what they read may differ.
fn same(a: &Run, b: &Run) {
    assert_eq!(a.built, b.built);
    assert_eq!(a.catalog, b.catalog);
}

#[test]
fn cold_warm_and_uncached_runs_agree() {
    let k = kernel("agree");
    let uncached = k.uncached();
    assert!(uncached.catalog.contains("mod_kfunc"));
    assert!(uncached.catalog.contains("unreadable-module"));
    let cold = k.cached();
    same(&cold, &uncached);
    assert_eq!(cold.read, uncached.read);
    assert_eq!(
        cold.read,
        [
            k.vmlinux.clone(),
            k.path("net/bad.ko"),
            k.path("net/good.ko.xz"),
            k.path("plain.ko")
        ]
    );
    let file = k.cache_file();
    let ino = std::fs::metadata(&file).unwrap().ino();
    let warm = k.cached();
    same(&warm, &uncached);
    // Neither the vmlinux nor a cached module is read; the bad module is,
    // and is reported again.
    assert_eq!(warm.read, [k.path("net/bad.ko")]);
    // Nothing changed: the cache file is not rewritten.
    assert_eq!(std::fs::metadata(&file).unwrap().ino(), ino);
    same(&k.cached(), &uncached);
}

#[test]
fn a_changed_file_is_read_again() {
    let k = kernel("changed");
    k.cached();
    // Another module at the same path.
    let base = vmlinux_btf(false).btf;
    let (other, _) = module_elf(&base, "other", None);
    k.t.write_aged("mods/net/good.ko.xz", &xz(&other), 1800);
    let warm = k.cached();
    same(&warm, &k.uncached());
    assert!(warm.catalog.contains("\"other\""), "{}", warm.catalog);
    assert_eq!(
        warm.read,
        [
            k.path("net/bad.ko"),
            k.path("net/good.ko.xz"),
            k.vmlinux.clone()
        ]
    );
    // Only the time changed.
    age(&k.path("plain.ko"), 900);
    assert_eq!(
        k.cached().read,
        [k.path("net/bad.ko"), k.path("plain.ko")],
        "no base needed for a module without .BTF_ids"
    );
    // A new vmlinux: every module is read on it again.
    age(&k.vmlinux, 600);
    let rebased = k.cached();
    same(&rebased, &k.uncached());
    assert_eq!(rebased.read.len(), 4);
    assert_eq!(k.cached().read, [k.path("net/bad.ko")]);
}

#[test]
fn a_deleted_module_leaves_the_cache() {
    let k = kernel("deleted");
    k.cached();
    let text = || std::fs::read_to_string(k.cache_file()).unwrap();
    assert!(text().contains("plain.ko"));
    std::fs::remove_file(k.path("plain.ko")).unwrap();
    same(&k.cached(), &k.uncached());
    assert!(!text().contains("plain.ko"));
    assert!(text().contains("good.ko.xz"));
    // A module that fails to read is never in the cache.
    assert!(!text().contains("bad.ko"));
}

#[test]
fn corrupt_or_foreign_cache_files_are_ignored_and_replaced() {
    let k = kernel("corrupt");
    let uncached = k.uncached();
    k.cached();
    let file = k.cache_file();
    let good = std::fs::read(&file).unwrap();
    let foreign = String::from_utf8(good.clone()).unwrap().replacen(
        &format!("\"version\":\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\":\"0.0.0-other\"",
        1,
    );
    assert_ne!(foreign.as_bytes(), good);
    let stale_exe = String::from_utf8(good.clone())
        .unwrap()
        .replacen("\"exe\":[", "\"exe\":[1", 1);
    for bad in [
        good[..good.len() / 2].to_vec(),
        b"\0\0\0garbage".to_vec(),
        b"{\"writer\": 1}".to_vec(),
        b"[]".to_vec(),
        foreign.into_bytes(),
        stale_exe.into_bytes(),
    ] {
        std::fs::write(&file, &bad).unwrap();
        let r = k.cached();
        same(&r, &uncached);
        assert_eq!(r.read.len(), 4, "everything is read again");
        assert_eq!(
            std::fs::read(&file).unwrap(),
            good,
            "and the file rewritten"
        );
    }
}

#[test]
fn an_unusable_cache_directory_changes_nothing() {
    let k = kernel("unusable");
    let uncached = k.uncached();
    let blocker = k.t.write("cache-file", b"not a directory");
    for dir in [blocker.clone(), blocker.join("reports")] {
        for _ in 0..2 {
            let r = k.run(Some(&dir));
            same(&r, &uncached);
            assert_eq!(r.read.len(), 4);
        }
    }
    assert_eq!(std::fs::read(&blocker).unwrap(), b"not a directory");
}

#[test]
fn files_modified_just_now_are_not_cached() {
    let k = kernel("fresh");
    k.t.write_aged("mods/new.ko", &plain_module("new"), 0);
    k.cached();
    let warm = k.cached();
    same(&warm, &k.uncached());
    assert_eq!(warm.read, [k.path("net/bad.ko"), k.path("new.ko")]);
}

#[test]
fn errors_are_not_cached() {
    let k = kernel("errors");
    let broken = k.t.write("broken", b"\x7fELF broken vmlinux");
    for _ in 0..2 {
        let e = run(Some(&broken), None, &[], Some(&k.cache)).unwrap_err();
        assert!(e.to_string().contains("broken"), "{e}");
        let e = run(Some(&k.vmlinux), Some(&broken), &[], Some(&k.cache)).unwrap_err();
        assert!(e.to_string().contains("broken"), "{e}");
    }
    // A module cannot be read without its base, cold or warm.
    let base = vmlinux_btf(false).btf;
    let (ko, _) = module_elf(&base, "single", None);
    let single = k.t.write("single.ko", &ko);
    for _ in 0..2 {
        let e = run(Some(&single), None, &[], Some(&k.cache)).unwrap_err();
        assert!(e.to_string().contains("needs a base"), "{e}");
    }
}

#[test]
fn a_bzimage_and_a_base_are_read_only_when_needed() {
    let k = kernel("lazy");
    let elf = vmlinux_elf_of(false, false, false, "6.12.3-test");
    let bz =
        k.t.write("vmlinuz", &bzimage(&elf, Compression::Zstd, 0x20f));
    let base = vmlinux_btf(false).btf;
    let (ko, _) = module_elf(&base, "single", None);
    let single = k.t.write("single.ko", &ko);
    let raw = k.t.write("vmlinux.btf", &base.build());
    let cases: Vec<(Option<&Path>, Option<&Path>, Vec<PathBuf>)> = vec![
        (Some(&bz), None, vec![k.mods.clone()]),
        (None, Some(&bz), vec![k.mods.clone(), single.clone()]),
        (Some(&single), Some(&k.vmlinux), vec![]),
        (Some(&single), Some(&raw), vec![]),
        (None, Some(&raw), vec![k.mods.clone()]),
        // Raw BTF is read every time, and is then the base.
        (Some(&raw), None, vec![k.mods.clone()]),
    ];
    for (btf, base, modules) in cases {
        let what = format!("{btf:?} {base:?} {modules:?}");
        let uncached = run(btf, base, &modules, None).unwrap();
        let cold = run(btf, base, &modules, Some(&k.cache)).unwrap();
        same(&cold, &uncached);
        assert_eq!(cold.read, uncached.read, "{what}");
        let warm = run(btf, base, &modules, Some(&k.cache)).unwrap();
        same(&warm, &uncached);
        let expect: Vec<PathBuf> = [
            btf.filter(|p| *p == raw).map(Path::to_path_buf),
            modules.contains(&k.mods).then(|| k.path("net/bad.ko")),
        ]
        .into_iter()
        .flatten()
        .collect();
        assert_eq!(warm.read, expect, "{what}");
    }
    // One new module: the base is read once, for it alone.
    let (ko2, _) = module_elf(&base, "two", None);
    k.t.write("mods/two.ko", &ko2);
    let two = run(
        Some(&bz),
        None,
        std::slice::from_ref(&k.mods),
        Some(&k.cache),
    )
    .unwrap();
    assert_eq!(
        two.read,
        [k.path("net/bad.ko"), k.path("two.ko"), bz.clone()]
    );
}
