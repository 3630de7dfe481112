//! `built` on small built files written to a temporary directory: what a
//! built kernel alone gives, how it joins a source catalog, and each
//! finding the join or the reading can report.

use super::*;
use crate::btf::tests_inputs::{
    IDS_ADDR, module_elf, vmlinux_btf, vmlinux_elf_of, vmlinux_elf_with, xz,
};
use crate::btf::testutil::set8;
use crate::model::{KfuncSet, Registration};

struct Tmp(PathBuf);

impl Tmp {
    fn new(name: &str) -> Tmp {
        let d = std::env::temp_dir().join(format!("kfuncdoc-built-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Tmp(d)
    }

    fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, data).unwrap();
        p
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn codes(c: &Catalog) -> Vec<Code> {
    c.diagnostics.iter().map(|d| d.code).collect()
}

fn get<'a>(c: &'a Catalog, name: &str) -> &'a Kfunc {
    c.kfuncs
        .iter()
        .find(|k| k.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn a_built_kernel_alone() {
    let t = Tmp::new("alone");
    let vmlinux = t.write(
        "vmlinux",
        &vmlinux_elf_of(false, false, false, "6.12.3-test"),
    );
    let c = catalog(read(Some(&vmlinux), None, &[]).unwrap());
    assert_eq!(c.kernel.version.as_deref(), Some("6.12.3-test"));
    assert_eq!(c.kernel.inputs.len(), 1);
    assert_eq!(c.kernel.inputs[0].kind, "vmlinux");
    assert!(!c.kernel.has_source());
    let names: Vec<_> = c.kfuncs.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["__bpf_trap", "bpf_a", "bpf_fc"]);
    let a = get(&c, "bpf_a");
    assert_eq!(a.built, Some(true));
    assert_eq!(a.flags, ["KF_ACQUIRE", "KF_RCU", "KF_RET_NULL"]);
    assert_eq!(a.sets, ["generic_btf_ids"]);
    let params: Vec<_> = a
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.ty.as_str(), p.annotation.as_deref()))
        .collect();
    assert_eq!(
        params,
        [("buf", "int", None), ("buf__sz", "int", Some("__sz"))]
    );
    let btf = a.btf.as_ref().unwrap();
    assert_eq!(btf.prototype, "int bpf_a(int buf, int buf__sz)");
    assert_eq!(btf.found_by, ["decl_tag", "btf_ids_symbols"]);
    assert_eq!(btf.flags_value, Some(0x85));
    assert!(get(&c, "bpf_fc").btf.as_ref().unwrap().fastcall);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn modules_on_the_vmlinux() {
    let t = Tmp::new("modules");
    let vmlinux = t.write(
        "vmlinux",
        &vmlinux_elf_of(false, false, false, "6.12.3-test"),
    );
    let base = vmlinux_btf(false).btf;
    let (ko, _) = module_elf(&base, "good", None);
    t.write("mods/net/good.ko.xz", &xz(&ko));
    t.write("mods/net/bad.ko", b"\x7fELF garbage");
    let single = t.write("single.ko", &ko);
    let mods = t.0.join("mods");
    let c = catalog(read(Some(&vmlinux), None, std::slice::from_ref(&mods)).unwrap());
    let m = get(&c, "mod_kfunc");
    assert_eq!(m.btf.as_ref().unwrap().module.as_deref(), Some("good"));
    assert_eq!(m.flags_value, 0x11);
    // One bad module among many is a finding that names it, not an error.
    assert_eq!(codes(&c), [Code::UnreadableModule]);
    let d = &c.diagnostics[0];
    assert!(d.file.as_deref().unwrap().ends_with("net/bad.ko"));
    assert!(d.message.starts_with("bad ELF file"), "{}", d.message);
    // Modules on --btf-base, and a module file named on its own.
    let c = catalog(read(None, Some(&vmlinux), std::slice::from_ref(&single)).unwrap());
    assert_eq!(c.kfuncs.len(), 1);
    let c = catalog(read(Some(&single), Some(&vmlinux), &[]).unwrap());
    assert_eq!(c.kernel.inputs[0].kind, "module");
    // Modules need a vmlinux; a path that is not there is an error.
    assert!(matches!(
        read(None, None, std::slice::from_ref(&mods)),
        Err(crate::Error::Usage(_))
    ));
    let e = read(Some(&single), None, &[mods]).unwrap_err();
    assert!(e.to_string().contains("needs a base"), "{e}");
    let e = read(Some(&vmlinux), None, &[t.0.join("nope")]).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
}

#[test]
fn stripped_sets_without_the_kfuncs_bit_are_uncertain() {
    let t = Tmp::new("stripped");
    // Before 6.9 no set says it holds kfuncs: every set8 is taken, and the
    // fmod_ret list (header flags 0) only with medium confidence.
    let old = t.write("vmlinux", &vmlinux_elf_of(false, true, false, "6.8.0-test"));
    let c = catalog(read(Some(&old), None, &[]).unwrap());
    assert_eq!(codes(&c), [Code::UncertainSet]);
    assert!(
        c.diagnostics[0].message.contains("medium confidence"),
        "{}",
        c.diagnostics[0].message
    );
    assert!(c.kfuncs.iter().any(|k| k.name == "not_a_kfunc"));
    // From 6.9 the bit tells: the fmod_ret list is not a kfunc set.
    let new = t.write(
        "vmlinux-6.12",
        &vmlinux_elf_of(false, true, false, "6.12.3-test"),
    );
    let c = catalog(read(Some(&new), None, &[]).unwrap());
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert!(get(&c, "bpf_a").sets.is_empty(), "no names without symbols");
}

#[test]
fn set_symbols_that_disagree_are_anomalies() {
    let t = Tmp::new("anomaly");
    let f = vmlinux_btf(false);
    // The symbol spans three entries; the header says two.
    let symbols = vec![(
        "__BTF_ID__set8__odd_set".to_string(),
        ".BTF_ids",
        IDS_ADDR,
        8 + 3 * 8,
    )];
    let ids = set8(false, 1, &[(f.a, 0x85), (f.fc, 0)]);
    let elf = vmlinux_elf_with(&f.btf, "6.12.3-test", ids, symbols, false);
    let vmlinux = t.write("vmlinux", &elf);
    let c = catalog(read(Some(&vmlinux), None, &[]).unwrap());
    assert_eq!(codes(&c), [Code::BtfIdsAnomaly]);
    let d = &c.diagnostics[0];
    assert!(
        d.message.starts_with("set `odd_set`: .BTF_ids offset 0x0:"),
        "{}",
        d.message
    );
    assert_eq!(get(&c, "bpf_a").flags_value, 0x85, "the set is still read");
}

/// A source catalog of the fixture vmlinux's kernel: `bpf_a` with other
/// flags, `bpf_src_only` that this build lacks, `__bpf_trap` and no
/// `bpf_fc`, and the fmod_ret list as an unregistered set.
fn source(version: &str) -> Catalog {
    let k = |name: &str, flags: &[&str], value: u32| Kfunc {
        name: name.into(),
        file: Some("kernel/bpf/helpers.c".into()),
        line: Some(3),
        flags: flags.iter().map(|f| f.to_string()).collect(),
        flags_value: value,
        sets: vec!["generic_btf_ids".into()],
        ..Kfunc::default()
    };
    Catalog {
        kernel: KernelInfo {
            version: Some(version.into()),
            inputs: vec![InputInfo {
                kind: "source".into(),
                path: None,
                release: Some(version.into()),
            }],
            ..KernelInfo::default()
        },
        kfuncs: vec![
            k("__bpf_trap", &["KF_SLEEPABLE"], 0x20),
            k("bpf_a", &["KF_ACQUIRE"], 0x1),
            k("bpf_src_only", &[], 0),
        ],
        sets: vec![
            KfuncSet {
                name: "generic_btf_ids".into(),
                registered: true,
                functions: vec!["__bpf_trap".into(), "bpf_a".into(), "bpf_src_only".into()],
                registrations: vec![Registration::default()],
                ..KfuncSet::default()
            },
            KfuncSet {
                name: "fmodret_ids".into(),
                fmodret: true,
                functions: vec!["bpf_a".into(), "not_a_kfunc".into()],
                ..KfuncSet::default()
            },
        ],
        diagnostics: Vec::new(),
    }
}

#[test]
fn source_and_built_kernel_joined() {
    let t = Tmp::new("join");
    let vmlinux = t.write(
        "vmlinux",
        &vmlinux_elf_of(false, false, false, "6.12.3-test"),
    );
    let c = combine(source("6.12.3"), read(Some(&vmlinux), None, &[]).unwrap());
    assert!(c.kernel.has_source());
    assert_eq!(
        c.kernel
            .inputs
            .iter()
            .map(|i| i.kind.as_str())
            .collect::<Vec<_>>(),
        ["source", "vmlinux"]
    );
    assert_eq!(
        get(&c, "bpf_src_only").built,
        Some(false),
        "not built is not an error"
    );
    assert_eq!(get(&c, "__bpf_trap").built, Some(true));
    let a = get(&c, "bpf_a");
    assert_eq!(a.flags, ["KF_ACQUIRE"], "the source's flags stay");
    assert_eq!(
        a.btf.as_ref().unwrap().flags.as_deref(),
        Some(
            &[
                "KF_ACQUIRE".to_string(),
                "KF_RCU".into(),
                "KF_RET_NULL".into()
            ][..]
        )
    );
    let mut found: Vec<(Code, Option<&str>)> = c
        .diagnostics
        .iter()
        .map(|d| (d.code, d.kfunc.as_deref()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (Code::BtfFlagsDiffer, Some("bpf_a")),
            (Code::BtfOnlyKfunc, Some("bpf_fc"))
        ]
    );
    let differ = c
        .diagnostics
        .iter()
        .find(|d| d.code == Code::BtfFlagsDiffer)
        .unwrap();
    assert_eq!(
        (differ.file.as_deref(), differ.line),
        (Some("kernel/bpf/helpers.c"), Some(3))
    );
    assert!(
        differ.message.contains("the source says KF_ACQUIRE,"),
        "{}",
        differ.message
    );
    // The BTF-only kfunc joins the catalog, in name order, marked built.
    let fc = get(&c, "bpf_fc");
    assert_eq!((fc.built, fc.file.as_deref()), (Some(true), None));
    assert!(c.kfuncs.windows(2).all(|w| w[0].name < w[1].name));
}

#[test]
fn another_release_is_a_mismatch() {
    let t = Tmp::new("mismatch");
    let vmlinux = t.write(
        "vmlinux",
        &vmlinux_elf_of(false, false, false, "6.12.3-test"),
    );
    for (src, mismatch) in [
        ("6.12.3", false),
        ("6.12", false),
        ("6.12.4", true),
        ("6.11.3", true),
    ] {
        let c = combine(source(src), read(Some(&vmlinux), None, &[]).unwrap());
        assert_eq!(
            codes(&c).contains(&Code::VersionMismatch),
            mismatch,
            "{src}"
        );
    }
}

#[test]
fn an_fmodret_list_on_a_stripped_image_is_not_a_kfunc() {
    // 6.8: the stripped scan takes the fmod_ret list for a kfunc set, as
    // pahole does; the source knows better.
    let t = Tmp::new("fmodret");
    let vmlinux = t.write("vmlinux", &vmlinux_elf_of(false, true, false, "6.8.0-test"));
    let c = combine(source("6.8.0"), read(Some(&vmlinux), None, &[]).unwrap());
    assert!(c.kfuncs.iter().all(|k| k.name != "not_a_kfunc"));
}

fn btf_kfunc(name: &str, params: &[(&str, u32)], flags: Option<u32>) -> BtfKfunc {
    BtfKfunc {
        name: name.into(),
        btf_id: 1,
        prototype: format!("int {name}(...)"),
        params: params
            .iter()
            .map(|&(n, t)| crate::btf::BtfParam {
                name: n.into(),
                type_id: t,
                ty: format!("t{t}"),
            })
            .collect(),
        module: None,
        fastcall: false,
        flags,
        sets: Vec::new(),
        entries: Vec::new(),
        found_by: vec![FoundBy::DeclTag],
        impl_func: None,
    }
}

fn with_impl(mut k: BtfKfunc, params: &[(&str, u32)]) -> BuiltKfunc {
    let decl = btf_kfunc(&format!("{}_impl", k.name), params, None);
    k.impl_func = Some(ImplFunc {
        btf_id: 2,
        prototype: decl.prototype,
        params: decl.params,
    });
    BuiltKfunc {
        kfunc: k,
        file: "vmlinux".into(),
    }
}

#[test]
fn the_impl_func_of_an_implicit_args_kfunc() {
    let table = flags::builtin(KernelVersion::new(7, 2));
    let bit = 1 << table.bit(implicit::FLAG).unwrap();
    let impl_params = [("wq", 5), ("flags", 6), ("aux", 7)];
    // Flagged, and `_impl` continues its parameters: the kernel's side.
    let wq = with_impl(
        btf_kfunc("w", &[("wq", 5), ("flags", 6)], Some(bit)),
        &impl_params,
    );
    assert!(kernel_declaration(&wq, &table).is_some());
    // Unknown flags (raw BTF): the shape decides.
    let raw = with_impl(
        btf_kfunc("w", &[("wq", 5), ("flags", 6)], None),
        &impl_params,
    );
    assert!(kernel_declaration(&raw, &table).is_some());
    // Not flagged, other parameters, or nothing more: not implicit.
    for b in [
        with_impl(
            btf_kfunc("w", &[("wq", 5), ("flags", 6)], Some(0)),
            &impl_params,
        ),
        with_impl(
            btf_kfunc("w", &[("wq", 5), ("mode", 6)], Some(bit)),
            &impl_params,
        ),
        with_impl(
            btf_kfunc("w", &[("wq", 5), ("flags", 8)], Some(bit)),
            &impl_params,
        ),
        with_impl(
            btf_kfunc("w", &[("wq", 5), ("flags", 6), ("aux", 7)], Some(bit)),
            &impl_params,
        ),
    ] {
        assert!(
            kernel_declaration(&b, &table).is_none(),
            "{:?}",
            b.kfunc.params
        );
    }
    // Before 7.0 the flag does not exist: nothing is implicit.
    let old = flags::builtin(KernelVersion::new(6, 12));
    assert!(kernel_declaration(&wq, &old).is_none());

    // A built kernel alone: `_impl`'s parameters, the verifier's marked.
    let mut built = Built {
        release: Some("7.2.0".into()),
        ..Built::default()
    };
    built.kfuncs.insert("w".into(), wq);
    let c = catalog(built);
    let w = get(&c, "w");
    let marks: Vec<(&str, bool)> = w
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.implicit))
        .collect();
    assert_eq!(marks, [("wq", false), ("flags", false), ("aux", true)]);
    assert_eq!(w.bpf_prototype.as_deref(), Some("int w(...)"));
    assert_eq!(
        w.btf.as_ref().unwrap().impl_prototype.as_deref(),
        Some("int w_impl(...)")
    );
}
