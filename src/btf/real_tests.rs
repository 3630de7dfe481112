//! Tests on real kernels: the running kernel's `/sys/kernel/btf/vmlinux`,
//! Debian's 6.12 bzImage and its ~4,230 modules.
//!
//! Inputs live in `$KFUNCDOC_CACHE` (default `~/.cache/kfuncdoc`), fetched
//! by `.ci/fetch-inputs`; the reference bpftool 7.5 is built by
//! `.ci/build-bpftool`. A missing input fails the test with the command to
//! run, unless `KFUNCDOC_OFFLINE=1`, which turns it into a note and a pass.
//! Nothing here compares against hard-coded counts: every expectation is
//! computed in the same run from an independent source (btf-rs, bpftool,
//! the kernel source tree), except a few facts checked by hand in the 6.12
//! source and cited where they are used.
//!
//! `timing` (ignored by default) prints how long the reader takes; run it
//! with `cargo test --release -- --ignored --nocapture timing`.

use super::*;
use crate::kernel::flags::{FlagTable, parse_btf_h};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn note(msg: &str) {
    let _ = writeln!(std::io::stderr(), "note: {msg}");
}

fn cache() -> PathBuf {
    match std::env::var_os("KFUNCDOC_CACHE") {
        Some(c) => PathBuf::from(c),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/kfuncdoc"),
    }
}

/// `Some(path)` when it exists; `None` (skip) when offline; panics otherwise.
fn input(path: PathBuf, how: &str) -> Option<PathBuf> {
    if path.exists() {
        return Some(path);
    }
    let msg = format!("{} is missing; run {how}", path.display());
    if std::env::var("KFUNCDOC_OFFLINE").as_deref() == Ok("1") {
        note(&format!("skipped (KFUNCDOC_OFFLINE=1): {msg}"));
        return None;
    }
    panic!("{msg} (or set KFUNCDOC_OFFLINE=1 to skip real-data tests)");
}

/// The reference bpftool 7.5, or `None` when offline.
pub(super) fn bpftool_path() -> Option<PathBuf> {
    bpftool()
}

fn bpftool() -> Option<PathBuf> {
    input(cache().join("bpftool-7.5/bpftool"), ".ci/build-bpftool")
}

const IMAGE_VER: &str = "6.12.117+deb12-amd64";

fn bzimage() -> Option<PathBuf> {
    input(
        cache().join(format!("linux-image-6.12/boot/vmlinuz-{IMAGE_VER}")),
        ".ci/fetch-inputs image-6.12",
    )
}

fn modules_dir() -> Option<PathBuf> {
    input(
        cache().join(format!("linux-image-6.12/lib/modules/{IMAGE_VER}/kernel")),
        ".ci/fetch-inputs image-6.12",
    )
}

fn source_612() -> Option<PathBuf> {
    input(
        cache().join("linux-source-6.12"),
        ".ci/fetch-inputs source-6.12",
    )
}

/// The `extern` lines of bpftool's kfunc block, decoration stripped.
pub(super) fn bpftool_kfunc_decls(bpftool: &Path, btf_file: &Path) -> Vec<String> {
    bpftool_kfunc_decls_on(bpftool, None, btf_file)
}

/// The same for split BTF on `base` (`bpftool -B BASE`).
fn bpftool_kfunc_decls_on(bpftool: &Path, base: Option<&Path>, btf_file: &Path) -> Vec<String> {
    let mut cmd = Command::new(bpftool);
    if let Some(b) = base {
        cmd.arg("-B").arg(b);
    }
    let out = cmd
        .args(["btf", "dump", "file"])
        .arg(btf_file)
        .args(["format", "c"])
        .output()
        .expect("running bpftool");
    assert!(
        out.status.success(),
        "bpftool failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("bpftool output is UTF-8");
    let Some(block) = text.split("/* BPF kfuncs */\n").nth(1) else {
        return Vec::new();
    };
    // `#ifndef BPF_NO_KFUNC_PROTOTYPES`, then externs (anonymous types make
    // some span several lines), then `#endif`.
    let block = block.split_once('\n').map_or("", |b| b.1);
    let block = block.split("\n#endif").next().unwrap_or("");
    block
        .split(" __weak __ksym;")
        .map(|d| d.trim_start_matches('\n'))
        .filter(|d| !d.is_empty())
        .map(|d| d.strip_prefix("extern ").unwrap_or(d).to_string())
        .collect()
}

/// Kfunc names (with FUNC ids) from `bpf_kfunc` decl tags, per btf-rs.
fn oracle_tagged(path: &Path) -> BTreeMap<String, u32> {
    use btf_rs::Type as T;
    let btf = btf_rs::Btf::from_file(path).expect("btf-rs reads the file");
    let mut out = BTreeMap::new();
    // btf-rs's type iterator is a FallibleIterator (not our dependency):
    // walk ids until the first one it does not know.
    let mut id = 1;
    while let Ok(t) = btf.resolve_type_by_id(id) {
        id += 1;
        let T::DeclTag(tag) = t else { continue };
        if tag.component_index().is_some()
            || btf.resolve_name(&tag).ok().as_deref() != Some("bpf_kfunc")
        {
            continue;
        }
        let target = btf_rs::BtfType::get_type_id(&tag).expect("decl tag has a target");
        if let Ok(T::Func(f)) = btf.resolve_type_by_id(target) {
            out.insert(btf.resolve_name(&f).expect("func name"), target);
        }
    }
    out
}

#[test]
fn sysfs_vmlinux_matches_btf_rs_and_bpftool() {
    let Some(path) = input(
        PathBuf::from("/sys/kernel/btf/vmlinux"),
        "this on a kernel with BTF",
    ) else {
        return;
    };
    let img = read(&path, None).expect("reads sysfs vmlinux");
    assert_eq!(img.kind, InputKind::RawBtf);
    let report = img.kfuncs().expect("identifies kfuncs");
    assert_eq!(report.flags_source, FlagsSource::Unavailable);

    let ours: BTreeMap<String, u32> = report
        .kfuncs
        .iter()
        .map(|k| (k.name.clone(), k.btf_id))
        .collect();
    let oracle = oracle_tagged(&path);
    assert!(
        !oracle.is_empty(),
        "the running kernel has no bpf_kfunc decl tags"
    );
    assert_eq!(ours, oracle, "kfunc names and ids differ from btf-rs");
    for k in &report.kfuncs {
        assert_eq!(k.found_by, vec![FoundBy::DeclTag], "{}", k.name);
        assert_eq!(k.flags, None, "{}: raw BTF has no flags", k.name);
        assert!(k.sets.is_empty());
    }

    let Some(bpftool) = bpftool() else { return };
    let theirs = bpftool_kfunc_decls(&bpftool, &path);
    let mine: Vec<String> = report.kfuncs.iter().map(|k| k.prototype.clone()).collect();
    let (a, b): (BTreeSet<_>, BTreeSet<_>) = (mine.iter().collect(), theirs.iter().collect());
    let only_mine: Vec<_> = a.difference(&b).collect();
    let only_theirs: Vec<_> = b.difference(&a).collect();
    assert!(
        only_mine.is_empty() && only_theirs.is_empty() && mine.len() == theirs.len(),
        "prototypes differ from bpftool 7.5\nonly ours:\n{only_mine:#?}\nonly bpftool's:\n{only_theirs:#?}"
    );
}

/// What the 6.12 source says about kfunc sets: `BTF_ID_FLAGS(func, ...)`
/// entries with every flag value they are written with, and set names.
struct SourceFacts {
    flags: BTreeMap<String, BTreeSet<u32>>,
    unknown_flags: BTreeSet<String>,
    sets: BTreeSet<String>,
}

fn source_facts(tree: &Path) -> SourceFacts {
    let table = parse_btf_h(
        &std::fs::read_to_string(tree.join("include/linux/btf.h")).expect("reading btf.h"),
    );
    let mut facts = SourceFacts {
        flags: BTreeMap::new(),
        unknown_flags: BTreeSet::new(),
        sets: BTreeSet::new(),
    };
    let mut stack = vec![tree.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir)
            .expect("reading the source tree")
            .flatten()
        {
            let p = e.path();
            let name = e.file_name();
            let name = name.to_string_lossy();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                if !(dir == tree && (name == "tools" || name == "Documentation")) {
                    stack.push(p);
                }
            } else if name.ends_with(".c") || name.ends_with(".h") {
                let Ok(text) = std::fs::read(&p) else {
                    continue;
                };
                if memchr::memmem::find(&text, b"BTF_ID_FLAGS(func").is_some() {
                    scan_source(&String::from_utf8_lossy(&text), &table, &mut facts);
                }
            }
        }
    }
    // net/core/xdp.c declares the XDP metadata kfuncs through an X-macro
    // (the name is the third argument of each XDP_METADATA_KFUNC entry):
    // `#define XDP_METADATA_KFUNC(_, __, name, ___) BTF_ID_FLAGS(func,
    // name, KF_TRUSTED_ARGS)` over the list in include/net/xdp.h. Expand it.
    let xdp_c = std::fs::read_to_string(tree.join("net/core/xdp.c")).unwrap_or_default();
    let xdp_h = std::fs::read_to_string(tree.join("include/net/xdp.h")).unwrap_or_default();
    if let Some(vals) = facts.flags.remove("name") {
        assert!(
            xdp_c.contains("BTF_ID_FLAGS(func, name,"),
            "unexpected macro-generated entry"
        );
        for (i, _) in xdp_h.match_indices("XDP_METADATA_KFUNC(XDP_METADATA_KFUNC_") {
            let args: Vec<&str> = xdp_h[i..].split(',').take(3).collect();
            if let Some(name) = args.get(2) {
                let name = name.trim_matches(|c: char| c.is_whitespace() || c == '\\');
                facts.flags.insert(name.to_string(), vals.clone());
            }
        }
    }
    facts
}

fn scan_source(text: &str, table: &FlagTable, facts: &mut SourceFacts) {
    for start in ["BTF_KFUNCS_START(", "BTF_SET8_START("] {
        for (i, _) in text.match_indices(start) {
            let rest = &text[i + start.len()..];
            if let Some(end) = rest.find(')') {
                facts.sets.insert(rest[..end].trim().to_string());
            }
        }
    }
    for (i, _) in text.match_indices("BTF_ID_FLAGS(func,") {
        let rest = &text[i + "BTF_ID_FLAGS(func,".len()..];
        let Some(end) = rest.find(')') else { continue };
        let mut args = rest[..end].splitn(2, ',');
        let name = args.next().unwrap_or("").trim().to_string();
        let expr = args.next().unwrap_or("0");
        let mut value = 0;
        let mut known = true;
        for tok in expr.split('|').map(str::trim) {
            match (tok, table.bit(tok)) {
                ("0" | "", _) => {}
                (_, Some(b)) => value |= 1 << b,
                _ => known = false,
            }
        }
        if known {
            facts.flags.entry(name).or_default().insert(value);
        } else {
            facts.unknown_flags.insert(name);
        }
    }
}

/// Every kfunc's name and flags must be what the source writes for it.
fn check_against_source(facts: &SourceFacts, kfuncs: &[BtfKfunc], what: &str) {
    let mut bad = Vec::new();
    for k in kfuncs {
        if facts.unknown_flags.contains(&k.name) {
            continue;
        }
        let Some(values) = facts.flags.get(&k.name) else {
            bad.push(format!(
                "{}: not a BTF_ID_FLAGS(func, ...) entry in the source",
                k.name
            ));
            continue;
        };
        for e in &k.entries {
            if !values.contains(&e.flags) {
                bad.push(format!(
                    "{}: flags {:#x}, source has {values:x?}",
                    k.name, e.flags
                ));
            }
        }
        for s in &k.sets {
            if !facts.sets.contains(s) {
                bad.push(format!("{}: set {s} is not declared in the source", k.name));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{what}: disagreements with linux-source-6.12:\n{}",
        bad.join("\n")
    );
}

#[test]
fn debian_bzimage_sets_recovered_structurally() {
    let (Some(path), Some(tree)) = (bzimage(), source_612()) else {
        return;
    };
    let img = read(&path, None).expect("reads the bzImage");
    assert_eq!(img.kind, InputKind::BzImage);
    assert_eq!(img.compression, Some(Compression::Zstd));
    assert_eq!(img.release.as_deref(), Some(IMAGE_VER));
    let ids = img.btf_ids().expect("vmlinux has .BTF_ids");
    assert!(
        ids.symbols.is_empty() && !ids.has_symtab,
        "Debian's vmlinux is stripped"
    );
    let report = img.kfuncs().expect("identifies kfuncs");
    assert_eq!(report.flags_source, FlagsSource::Structural);
    let kfunc_sets: Vec<_> = report.sets.iter().filter(|s| s.kfuncs).collect();
    assert!(!kfunc_sets.is_empty());
    for s in &kfunc_sets {
        // 6.12 marks every kfunc set with BTF_SET8_KFUNCS.
        assert_eq!(
            s.source,
            btf_ids::SetSource::Structural {
                confidence: btf_ids::Confidence::High
            }
        );
    }
    // pahole 1.24: no decl tags, so every kfunc comes from the sets.
    for k in &report.kfuncs {
        assert!(
            k.flags.is_some() && !k.found_by.contains(&FoundBy::DeclTag),
            "{}",
            k.name
        );
    }
    // kernel/bpf/helpers.c (6.12): BTF_ID_FLAGS(func, bpf_task_acquire,
    // KF_ACQUIRE | KF_RCU | KF_RET_NULL) in generic_btf_ids.
    let acquire = report.kfuncs.iter().find(|k| k.name == "bpf_task_acquire");
    assert_eq!(acquire.and_then(|k| k.flags), Some(0x85));
    let facts = source_facts(&tree);
    check_against_source(&facts, &report.kfuncs, "bzImage");
    if let Some(bpftool) = bpftool() {
        // bpftool prints externs only for tagged kfuncs: tag ours in a copy
        // of the image's BTF, and every prototype must come out the same.
        let mut by_id: Vec<&BtfKfunc> = report.kfuncs.iter().collect();
        by_id.sort_by_key(|k| k.btf_id);
        let ids: Vec<u32> = by_id.iter().map(|k| k.btf_id).collect();
        let tmp = temp_dir("bzimage-bpftool");
        let file = tmp.join("vmlinux.btf");
        std::fs::write(&file, img.btf().raw_with_decl_tags("bpf_kfunc", &ids)).expect("writes");
        let theirs = bpftool_kfunc_decls(&bpftool, &file);
        let ours: Vec<&str> = by_id.iter().map(|k| k.prototype.as_str()).collect();
        assert_eq!(ours, theirs, "bzImage prototypes differ from bpftool 7.5");
        let _ = std::fs::remove_dir_all(tmp);
    }
    note(&format!(
        "bzImage: {} kfuncs in {} kfunc sets ({} set8 blocks)",
        report.kfuncs.len(),
        kfunc_sets.len(),
        report.sets.len()
    ));
}

#[test]
fn debian_modules_sets_and_flags() {
    let (Some(image), Some(dir), Some(tree)) = (bzimage(), modules_dir(), source_612()) else {
        return;
    };
    let base = read(&image, None).expect("reads the bzImage").btf().clone();
    let scan = scan_modules(&dir, &base).expect("walks the modules");
    let problems: Vec<String> = scan.problems.iter().map(|p| p.error.to_string()).collect();
    assert!(
        problems.is_empty(),
        "unreadable modules:\n{}",
        problems.join("\n")
    );
    assert!(
        scan.scanned > 1000,
        "only {} modules found in {}",
        scan.scanned,
        dir.display()
    );
    assert!(!scan.modules.is_empty());

    // net/netfilter/nf_conntrack_bpf.c (6.12): nf_ct_kfunc_set lists
    // BTF_ID_FLAGS(func, bpf_xdp_ct_lookup, KF_ACQUIRE | KF_RET_NULL).
    let nfct = scan
        .modules
        .iter()
        .find(|m| m.module == "nf_conntrack")
        .expect("nf_conntrack");
    let lookup = nfct
        .report
        .kfuncs
        .iter()
        .find(|k| k.name == "bpf_xdp_ct_lookup");
    let lookup = lookup.expect("bpf_xdp_ct_lookup in nf_conntrack");
    assert_eq!(lookup.flags, Some(0x5));
    assert_eq!(lookup.sets, vec!["nf_ct_kfunc_set".to_string()]);
    assert_eq!(lookup.module.as_deref(), Some("nf_conntrack"));
    assert!(
        lookup.btf_id >= base.type_count(),
        "module ids continue after the base's"
    );
    assert_eq!(
        lookup
            .params
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["xdp_ctx", "bpf_tuple", "tuple__sz", "opts", "opts__sz"]
    );

    let facts = source_facts(&tree);
    let bpftool = bpftool();
    let tmp = temp_dir("modules-bpftool");
    let base_file = tmp.join("vmlinux.btf");
    std::fs::write(&base_file, base.raw_with_decl_tags("bpf_kfunc", &[])).expect("writes");
    let mut total = 0;
    for m in &scan.modules {
        assert_eq!(m.report.flags_source, FlagsSource::Symbols, "{}", m.module);
        assert!(
            m.report.findings.is_empty(),
            "{}: {:?}",
            m.module,
            m.report.findings
        );
        check_against_source(&facts, &m.report.kfuncs, &m.module);
        total += m.report.kfuncs.len();

        // The structural scan must find exactly what the symbols say.
        let img = read_with_base(&m.path, Some(base.clone())).expect("re-reads the module");
        let ids = img.btf_ids().expect(".BTF_ids");
        let structural = btf_ids::structural(&ids.data, ids.endian, img.btf(), u32::MAX);
        let by_symbols: Vec<_> = m
            .report
            .sets
            .iter()
            .map(|s| (s.offset, &s.entries))
            .collect();
        let by_structure: Vec<_> = structural.iter().map(|s| (s.offset, &s.entries)).collect();
        assert_eq!(
            by_structure, by_symbols,
            "{}: structural recovery differs",
            m.module
        );

        // Prototypes: bpftool -B vmlinux on the module's BTF, tagged.
        if let Some(bpftool) = &bpftool {
            let mut by_id: Vec<&BtfKfunc> = m.report.kfuncs.iter().collect();
            by_id.sort_by_key(|k| k.btf_id);
            let ids: Vec<u32> = by_id.iter().map(|k| k.btf_id).collect();
            let file = tmp.join(format!("{}.btf", m.module));
            std::fs::write(&file, img.btf().raw_with_decl_tags("bpf_kfunc", &ids)).expect("writes");
            let theirs = bpftool_kfunc_decls_on(bpftool, Some(&base_file), &file);
            let ours: Vec<&str> = by_id.iter().map(|k| k.prototype.as_str()).collect();
            assert_eq!(
                ours, theirs,
                "{}: prototypes differ from bpftool 7.5",
                m.module
            );
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    note(&format!(
        "modules: {} scanned, {} with kfunc sets, {total} kfuncs",
        scan.scanned,
        scan.modules.len()
    ));
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kfuncdoc-real-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("creates a temporary directory");
    d
}

/// The report cache gives the same `Built`, to the byte, cold and warm,
/// and a warm run reads no file at all (no module of this image fails).
#[test]
fn debian_reports_cold_and_warm_agree() {
    let (Some(image), Some(dir)) = (bzimage(), modules_dir()) else {
        return;
    };
    let cache = temp_dir("report-cache");
    let modules = std::slice::from_ref(&dir);
    let run = || {
        crate::built::READ.with(|r| r.borrow_mut().clear());
        let built = crate::built::read_cached(Some(&image), None, modules, Some(&cache))
            .expect("reads the image");
        let read = crate::built::READ.with(|r| r.take());
        (serde_json::to_string(&built).expect("serialises"), read)
    };
    let (cold, cold_read) = run();
    let (warm, warm_read) = run();
    assert!(cold_read.len() > 1000, "{} files read", cold_read.len());
    assert_eq!(cold, warm, "a warm run gives another result");
    assert!(warm_read.is_empty(), "a warm run read {warm_read:?}");
    let _ = std::fs::remove_dir_all(&cache);
}

/// Prints timings; no assertions. See the module doc for how to run it.
#[test]
#[ignore = "timing harness, run by hand with --release"]
fn timing() {
    let mut err = std::io::stderr();
    let path = Path::new("/sys/kernel/btf/vmlinux");
    if path.exists() {
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..20 {
            let t = Instant::now();
            let img = read(path, None).expect("reads sysfs vmlinux");
            let report = img.kfuncs().expect("kfuncs");
            let mut text = String::new();
            for k in &report.kfuncs {
                text.push_str(&k.prototype);
                text.push('\n');
            }
            n = report.kfuncs.len();
            best = best.min(t.elapsed().as_secs_f64());
        }
        let _ = writeln!(
            err,
            "sysfs vmlinux: read + {n} kfuncs + prototypes: best of 20 {:.1} ms",
            best * 1e3
        );
    }
    if let (Some(image), Some(dir)) = (bzimage(), modules_dir()) {
        let t = Instant::now();
        let img = read(&image, None).expect("reads the bzImage");
        let report = img.kfuncs().expect("kfuncs");
        let t1 = t.elapsed().as_secs_f64();
        let scan = scan_modules(&dir, img.btf()).expect("walks the modules");
        let t2 = t.elapsed().as_secs_f64();
        let _ = writeln!(
            err,
            "bzImage: {:.2} s ({} kfuncs); {} modules: {:.2} s ({} with kfuncs); total {:.2} s",
            t1,
            report.kfuncs.len(),
            scan.scanned,
            t2 - t1,
            scan.modules.len(),
            t2
        );
        timing_cache(&image, &dir);
    }
}

/// `built::read_cached` on the bzImage and its modules, cold and warm, and
/// what a warm run costs at least: listing and stat'ing every module.
fn timing_cache(image: &Path, dir: &Path) {
    let mut err = std::io::stderr();
    let cache = temp_dir("timing-cache");
    let modules = std::slice::from_ref(&dir.to_path_buf()).to_vec();
    let read = || {
        crate::built::read_cached(Some(image), None, &modules, Some(&cache))
            .expect("reads the image")
    };
    let t = Instant::now();
    let cold = read();
    let cold_s = t.elapsed().as_secs_f64();
    let mut warm_s = f64::MAX;
    for _ in 0..10 {
        let t = Instant::now();
        let warm = read();
        warm_s = warm_s.min(t.elapsed().as_secs_f64());
        assert_eq!(warm.kfuncs.len(), cold.kfuncs.len());
    }
    let (mut walk_s, mut stat_s) = (f64::MAX, f64::MAX);
    let mut n = 0;
    for _ in 0..10 {
        let t = Instant::now();
        let (files, _) = module_files(dir).expect("walks");
        walk_s = walk_s.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for f in &files {
            let _ = std::fs::metadata(f).expect("stats");
        }
        n = files.len();
        stat_s = stat_s.min(t.elapsed().as_secs_f64());
    }
    let size: u64 = std::fs::read_dir(&cache)
        .expect("lists the cache")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let _ = writeln!(
        err,
        "read_cached: cold {cold_s:.2} s, warm {:.1} ms (best of 10; cache {} KiB); \
         walk of {n} modules {:.1} ms, stat of each {:.1} ms",
        warm_s * 1e3,
        size >> 10,
        walk_s * 1e3,
        stat_s * 1e3
    );
    let _ = std::fs::remove_dir_all(&cache);
}

/// One read of the running kernel's BTF with all prototypes written out,
/// for timing the whole test process against `bpftool btf dump ... format
/// c`: `perf stat -r 30 <test binary> btf::real_tests::timing_single
/// --exact --ignored -q`.
#[test]
#[ignore = "timing harness, run by hand with --release"]
fn timing_single() {
    let img = read(Path::new("/sys/kernel/btf/vmlinux"), None).expect("reads sysfs vmlinux");
    let mut out = std::io::stdout().lock();
    for k in img.kfuncs().expect("kfuncs").kfuncs {
        let _ = writeln!(out, "extern {} __weak __ksym;", k.prototype);
    }
}
