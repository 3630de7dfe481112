//! Inputs end to end on built files: vmlinux ELF with and without symbols,
//! both byte orders, compressed sections, modules (plain, compressed, on a
//! distilled base), synthetic bzImages with every supported compression,
//! corrupt payloads, the modules walk, and release strings.

use super::btf_ids::{Confidence, SetSource};
use super::bytes::Bytes;
use super::decompress;
use super::testutil::{B, Elf, Section, set8};
use super::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(crate) const IDS_ADDR: u64 = 0xffff_ffff_8200_0000;
const KF_ACQUIRE_RCU_RET_NULL: u32 = 0x85;

pub(crate) struct Fixture {
    pub(crate) btf: B,
    /// kfunc ids: tagged `bpf_a`, untagged `__bpf_trap`, tagged fastcall `bpf_fc`.
    pub(crate) a: u32,
    pub(crate) trap: u32,
    pub(crate) fc: u32,
    pub(crate) other: u32,
}

pub(crate) fn vmlinux_btf(big: bool) -> Fixture {
    let mut b = B::new();
    b.big = big;
    let int = b.int("int", 4, 1);
    b.int("long", 8, 1);
    let a = b.kfunc("bpf_a", int, &[("buf", int), ("buf__sz", int)]);
    let p = b.proto(0, &[]);
    let trap = b.func("__bpf_trap", p);
    let fc = b.kfunc("bpf_fc", int, &[]);
    b.decl_tag("bpf_fastcall", fc, -1);
    let other = b.func("not_a_kfunc", p);
    Fixture {
        btf: b,
        a,
        trap,
        fc,
        other,
    }
}

/// `.BTF_ids`: a BTF_ID_LIST, a BTF_SET, the kfunc set8 (sorted, with an
/// unresolved entry) and a set8 without the kfuncs bit (an fmod_ret list).
/// `(name, section, value, size)`, as `Elf::symbols` takes them.
pub(crate) type Symbols = Vec<(String, &'static str, u64, u64)>;

pub(crate) fn btf_ids(f: &Fixture, big: bool) -> (Vec<u8>, Symbols) {
    let w = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut d = Vec::new();
    d.extend(w(f.other)); // BTF_ID_LIST
    d.extend(w(2)); // BTF_SET: cnt 2, ids
    d.extend(w(f.a));
    d.extend(w(f.other));
    let set_off = d.len() as u64;
    let pairs = [
        (0, 0x4),
        (f.a, KF_ACQUIRE_RCU_RET_NULL),
        (f.trap, 0x20),
        (f.fc, 0x1000),
    ];
    d.extend(set8(big, 1, &pairs));
    let fmod_off = d.len() as u64;
    d.extend(set8(big, 0, &[(f.a, 0), (f.other, 0)]));
    let sym = |n: &str, off: u64, size: u64| (n.to_string(), ".BTF_ids", IDS_ADDR + off, size);
    let symbols = vec![
        sym("__BTF_ID__func__not_a_kfunc__1", 0, 4),
        sym("__BTF_ID__set8__generic_btf_ids", set_off, 8 + 8 * 4),
        // Symbols keep their original slots; resolve_btfids sorted the pairs.
        sym("__BTF_ID__func____bpf_trap__21", set_off + 8, 4),
        sym("__BTF_ID__func__missing_fn__22", set_off + 16, 4),
        sym("__BTF_ID__func__bpf_a__23", set_off + 24, 4),
        sym("__BTF_ID__func__bpf_fc__24", set_off + 32, 4),
        sym("__BTF_ID__set8__fmodret_ids", fmod_off, 8 + 16),
    ];
    (d, symbols)
}

fn vmlinux_elf(big: bool, stripped: bool, compress: bool) -> Vec<u8> {
    vmlinux_elf_of(big, stripped, compress, "6.12.3-test")
}

/// A vmlinux ELF of [`vmlinux_btf`] and [`btf_ids`] whose banner says
/// `release`; its kfuncs are `__bpf_trap`, `bpf_a` (flags
/// `KF_ACQUIRE | KF_RCU | KF_RET_NULL`) and `bpf_fc`, and its fmod_ret set
/// `fmodret_ids` lists `bpf_a` and `not_a_kfunc`.
pub(crate) fn vmlinux_elf_of(big: bool, stripped: bool, compress: bool, release: &str) -> Vec<u8> {
    let f = vmlinux_btf(big);
    let (ids, symbols) = btf_ids(&f, big);
    let symbols = if stripped { Vec::new() } else { symbols };
    vmlinux_elf_with(&f.btf, release, ids, symbols, compress)
}

/// A vmlinux ELF (byte order of `btf`) with this `.BTF`, a banner saying
/// `release`, `.BTF_ids` holding `ids` at [`IDS_ADDR`], and `symbols`
/// (none: stripped).
pub(crate) fn vmlinux_elf_with(
    btf: &B,
    release: &str,
    ids: Vec<u8>,
    symbols: Symbols,
    compress: bool,
) -> Vec<u8> {
    let mut elf = Elf::new(false);
    elf.big = btf.big;
    elf.sections.push(Section {
        name: ".rodata",
        data: format!("x\0Linux version %s\0Linux version {release} (gcc) #1\n\0").into_bytes(),
        addr: 0,
        compress: false,
    });
    elf.sections.push(Section {
        name: ".BTF",
        data: btf.build(),
        addr: 0,
        compress,
    });
    elf.sections.push(Section {
        name: ".BTF_ids",
        data: ids,
        addr: IDS_ADDR,
        compress: false,
    });
    elf.symbols = symbols;
    elf.build()
}

fn from(data: Vec<u8>, base: Option<Arc<Btf>>) -> Result<Image> {
    input::from_bytes(Path::new("test"), Bytes::from_vec(data), base)
}

fn names(r: &KfuncReport) -> Vec<&str> {
    r.kfuncs.iter().map(|k| k.name.as_str()).collect()
}

#[test]
fn vmlinux_with_symbols() {
    for (big, compress) in [(false, false), (true, false), (false, true)] {
        let f = vmlinux_btf(big);
        let img = from(vmlinux_elf(big, false, compress), None).expect("reads");
        assert_eq!(img.kind, InputKind::Vmlinux);
        assert_eq!(img.release.as_deref(), Some("6.12.3-test"));
        assert_eq!(
            img.kernel_version().map(|v| v.to_string()).as_deref(),
            Some("6.12.3")
        );
        let r = img.kfuncs().expect("kfuncs");
        assert_eq!(r.flags_source, FlagsSource::Symbols);
        assert_eq!(
            names(&r),
            ["__bpf_trap", "bpf_a", "bpf_fc"],
            "big-endian {big}"
        );
        let a = &r.kfuncs[1];
        assert_eq!((a.btf_id, a.flags), (f.a, Some(KF_ACQUIRE_RCU_RET_NULL)));
        assert_eq!(a.found_by, [FoundBy::DeclTag, FoundBy::BtfIdsSymbols]);
        assert_eq!(a.sets, ["generic_btf_ids"]);
        assert_eq!(a.prototype, "int bpf_a(int buf, int buf__sz)");
        assert_eq!(
            a.params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["buf", "buf__sz"]
        );
        let table = crate::kernel::flags::builtin(img.kernel_version().unwrap());
        assert_eq!(
            a.flag_names(&table).unwrap(),
            ["KF_ACQUIRE", "KF_RCU", "KF_RET_NULL"]
        );
        let trap = &r.kfuncs[0];
        assert_eq!(trap.found_by, [FoundBy::BtfIdsSymbols], "no decl tag");
        assert_eq!(trap.prototype, "void __bpf_trap(void)");
        assert!(r.kfuncs[2].fastcall && !a.fastcall);
        let set = r
            .sets
            .iter()
            .find(|s| s.name.as_deref() == Some("generic_btf_ids"))
            .unwrap();
        assert!(set.kfuncs);
        assert_eq!(set.unresolved, ["missing_fn"], "names cut at the last `__`");
        let fmod = r
            .sets
            .iter()
            .find(|s| s.name.as_deref() == Some("fmodret_ids"))
            .unwrap();
        assert!(!fmod.kfuncs, "no BTF_SET8_KFUNCS bit on a 6.12 kernel");
        assert!(!names(&r).contains(&"not_a_kfunc"));
    }
}

#[test]
fn stripped_vmlinux_recovers_sets_structurally() {
    for big in [false, true] {
        let f = vmlinux_btf(big);
        let img = from(vmlinux_elf(big, true, false), None).expect("reads");
        let r = img.kfuncs().expect("kfuncs");
        assert_eq!(r.flags_source, FlagsSource::Structural);
        assert_eq!(names(&r), ["__bpf_trap", "bpf_a", "bpf_fc"]);
        // Exactly the two set8 blocks; not the BTF_SET nor the BTF_ID_LIST.
        let found: Vec<_> = r
            .sets
            .iter()
            .map(|s| (s.offset, s.source, s.kfuncs))
            .collect();
        let high = SetSource::Structural {
            confidence: Confidence::High,
        };
        let medium = SetSource::Structural {
            confidence: Confidence::Medium,
        };
        assert_eq!(found, [(16, high, true), (56, medium, false)]);
        let a = r.kfuncs.iter().find(|k| k.btf_id == f.a).unwrap();
        assert_eq!(a.flags, Some(KF_ACQUIRE_RCU_RET_NULL));
        assert!(a.sets.is_empty(), "no names without symbols");
        assert!(a.found_by.contains(&FoundBy::BtfIdsStructural {
            confidence: Confidence::High
        }));
    }
}

#[test]
fn structural_scan_prefers_confident_sets() {
    let f = vmlinux_btf(false);
    let btf = Btf::parse(Bytes::from_vec(f.btf.build())).unwrap();
    // A lone "cnt 1, flags 0, {a, 0}" lookalike (Low) directly before a
    // real set: the real set must survive whole.
    let mut d = set8(false, 0, &[(f.a, 0)]);
    d.extend(set8(false, 1, &[(f.a, 1), (f.fc, 4)]));
    let sets = btf_ids::structural(&d, raw::Endian::Little, &btf, 0xffff);
    let got: Vec<_> = sets
        .iter()
        .map(|s| (s.offset, s.entries.len(), s.source))
        .collect();
    let c = |confidence| SetSource::Structural { confidence };
    assert_eq!(
        got,
        [(0, 1, c(Confidence::Low)), (16, 2, c(Confidence::High))]
    );
    // Unsorted ids, unknown flag bits, non-FUNC ids: not sets.
    for bad in [
        set8(false, 1, &[(f.fc, 0), (f.a, 0)]),
        set8(false, 1, &[(f.a, 1 << 30)]),
        set8(false, 1, &[(1, 0)]),
        set8(false, 2, &[(f.a, 0)]),
    ] {
        assert!(btf_ids::structural(&bad, raw::Endian::Little, &btf, 0xffff).is_empty());
    }
}

/// A module `name` with one kfunc, `mod_kfunc` (flags 0x11), split on
/// `base` (or on a distilled base).
pub(crate) fn module_elf(base: &B, name: &str, distilled: Option<&B>) -> (Vec<u8>, u32) {
    let on = distilled.unwrap_or(base);
    let mut m = B::split(on);
    let int = 1;
    let k = m.kfunc("mod_kfunc", int, &[("x", int)]);
    let mut elf = Elf::new(true);
    let modinfo = format!("license=GPL\0name={name}\0vermagic=6.12.3-test SMP mod_unload \0");
    elf = elf
        .section(".modinfo", modinfo.into_bytes())
        .section(".BTF", m.build());
    if let Some(d) = distilled {
        elf = elf.section(".BTF.base", d.build());
    }
    elf = elf.section(".BTF_ids", set8(false, 1, &[(k, 0x11)]));
    elf.symbols = vec![
        ("__BTF_ID__set8__mod_set".to_string(), ".BTF_ids", 0, 16),
        ("__BTF_ID__func__mod_kfunc__7".to_string(), ".BTF_ids", 8, 4),
    ];
    (elf.build(), k)
}

#[test]
fn modules_plain_compressed_and_distilled() {
    let base = vmlinux_btf(false).btf;
    let base_btf = Arc::new(Btf::parse(Bytes::from_vec(base.build())).unwrap());
    let (ko, k) = module_elf(&base, "mymod", None);
    let compressed = [
        ko.clone(),
        ruzstd::encoding::compress_to_vec(&ko[..], ruzstd::encoding::CompressionLevel::Fastest),
        { xz(&ko) },
        {
            use std::io::Write;
            let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(&ko).unwrap();
            z.finish().unwrap()
        },
    ];
    for (i, data) in compressed.iter().enumerate() {
        let img = from(data.clone(), Some(base_btf.clone())).expect("reads the module");
        assert_eq!(img.kind, InputKind::Module);
        assert_eq!(
            img.compression,
            [
                None,
                Some(Compression::Zstd),
                Some(Compression::Xz),
                Some(Compression::Gzip)
            ][i]
        );
        assert_eq!(img.module.as_deref(), Some("mymod"));
        assert_eq!(img.release.as_deref(), Some("6.12.3-test"));
        let r = img.kfuncs().unwrap();
        assert_eq!(names(&r), ["mod_kfunc"]);
        let kf = &r.kfuncs[0];
        assert_eq!(
            (kf.btf_id, kf.flags, kf.module.as_deref()),
            (k, Some(0x11), Some("mymod"))
        );
        assert_eq!(kf.sets, ["mod_set"]);
        assert!(kf.btf_id >= base_btf.type_count());

        // Corrupting the compressed stream is an error, never a panic.
        if i > 0 {
            let mut bad = data.clone();
            let n = bad.len();
            for b in &mut bad[n / 3..n / 3 + 16] {
                *b ^= 0x5a;
            }
            let _ = from(bad, Some(base_btf.clone()));
            let e = from(data[..n / 2].to_vec(), Some(base_btf.clone())).unwrap_err();
            assert!(matches!(e, BtfError::Decompress { .. }), "{e}");
        }
    }
    let e = from(ko, None).unwrap_err();
    assert!(matches!(e, BtfError::NeedsBase), "{e}");

    // Built against a distilled base: readable alone, relocatable onto the
    // real base (where `int` is id 1 as well, `long` is not in the
    // distilled base at all).
    let mut dist = B::new();
    dist.int("int", 4, 1);
    let (ko, k) = module_elf(&base, "ext", Some(&dist));
    let alone = from(ko.clone(), None).expect("reads on the distilled base");
    assert!(alone.distilled_base);
    assert_eq!(alone.kfuncs().unwrap().kfuncs[0].btf_id, k);
    let img = from(ko, Some(base_btf.clone())).expect("relocates");
    let r = img.kfuncs().unwrap();
    assert_eq!(
        r.kfuncs[0].btf_id,
        k - 2 + base_btf.type_count(),
        "ids follow the real base"
    );
    assert_eq!(r.kfuncs[0].prototype, "int mod_kfunc(int x)");
}

pub(crate) fn bzimage(payload: &[u8], format: Compression, version: u16) -> Vec<u8> {
    let stream = match format {
        Compression::Zstd => {
            ruzstd::encoding::compress_to_vec(payload, ruzstd::encoding::CompressionLevel::Fastest)
        }
        Compression::Xz => xz(payload),
        Compression::Lzma => lzma(payload),
        Compression::Gzip => {
            use std::io::Write;
            let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(payload).unwrap();
            z.finish().unwrap()
        }
        Compression::Lz4 => {
            let mut out = 0x184c_2102u32.to_le_bytes().to_vec();
            for chunk in payload.chunks(1 << 20) {
                let c = lz4_flex::block::compress(chunk);
                out.extend((c.len() as u32).to_le_bytes());
                out.extend(c);
            }
            out
        }
        _ => b"BZh91AY&SY".to_vec(),
    };
    let mut img = vec![0u8; 1024];
    img[0] = b'M';
    img[1] = b'Z';
    img[0x1f1] = 1; // setup_sects: payload area starts at (1 + 1) * 512
    img[0x1fe..0x200].copy_from_slice(&[0x55, 0xaa]);
    img[0x202..0x206].copy_from_slice(b"HdrS");
    img[0x206..0x208].copy_from_slice(&version.to_le_bytes());
    let append = format != Compression::Gzip;
    let len = stream.len() as u32 + if append { 4 } else { 0 };
    img[0x248..0x24c].copy_from_slice(&16u32.to_le_bytes());
    img[0x24c..0x250].copy_from_slice(&len.to_le_bytes());
    img.extend([0u8; 16]);
    img.extend(&stream);
    if append {
        img.extend((payload.len() as u32).to_le_bytes());
    }
    img.extend([0u8; 32]); // whatever follows the payload
    img
}

#[test]
fn bzimages_with_every_compression() {
    let vmlinux = vmlinux_elf(false, true, false);
    for format in [
        Compression::Zstd,
        Compression::Xz,
        Compression::Gzip,
        Compression::Lz4,
        Compression::Lzma,
    ] {
        let img = from(bzimage(&vmlinux, format, 0x20f), None)
            .unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(
            (img.kind, img.compression),
            (InputKind::BzImage, Some(format))
        );
        assert_eq!(img.release.as_deref(), Some("6.12.3-test"));
        assert_eq!(
            names(&img.kfuncs().unwrap()),
            ["__bpf_trap", "bpf_a", "bpf_fc"]
        );
    }
    let e = from(bzimage(&vmlinux, Compression::Bzip2, 0x20f), None).unwrap_err();
    assert!(
        matches!(e, BtfError::UnsupportedCompression(Compression::Bzip2)),
        "{e}"
    );
    let e = from(bzimage(&vmlinux, Compression::Zstd, 0x207), None).unwrap_err();
    assert!(
        matches!(e, BtfError::BadBzImage { offset: 0x206, .. }),
        "{e}"
    );
    let mut short = bzimage(&vmlinux, Compression::Zstd, 0x20f);
    short.truncate(1100);
    assert!(matches!(
        from(short, None).unwrap_err(),
        BtfError::BadBzImage { offset: 0x24c, .. }
    ));
    // A payload that decompresses to something else than ELF.
    let e = from(bzimage(b"not an elf", Compression::Gzip, 0x20f), None).unwrap_err();
    assert!(matches!(e, BtfError::BadBzImage { .. }), "{e}");
    // Corrupt compressed payloads.
    for format in [
        Compression::Zstd,
        Compression::Xz,
        Compression::Gzip,
        Compression::Lz4,
    ] {
        let mut img = bzimage(&vmlinux, format, 0x20f);
        let p = decompress::bzimage_payload(&img).unwrap();
        for b in &mut img[p.offset + 4..p.offset + 4 + 64.min(p.len - 8)] {
            *b = 0xff;
        }
        let e = from(img, None).unwrap_err();
        assert!(
            matches!(e, BtfError::Decompress { format: f, .. } if f == format)
                || matches!(e, BtfError::Elf(_) | BtfError::BadBzImage { .. }),
            "{format}: {e}"
        );
    }
    // Output is capped.
    let big = vec![0u8; 1 << 20];
    let z = bzimage(&big, Compression::Gzip, 0x20f);
    let p = decompress::bzimage_payload(&z).unwrap();
    let e =
        decompress::decompress_capped(&z[p.offset..p.offset + p.len], p.format, p.offset, 0, 1000)
            .unwrap_err();
    assert!(matches!(e, BtfError::TooLarge { limit: 1000, .. }), "{e}");
}

/// A small stream that inflates far beyond its size (a bomb) stops at a
/// cap proportional to the input, not at the absolute maximum.
#[test]
fn decompression_is_bounded_by_the_input_size() {
    use std::io::Write;
    assert_eq!(decompress::limit_for(10), decompress::MIN_LIMIT);
    assert_eq!(decompress::limit_for(16 << 20), 256 << 20);
    assert_eq!(decompress::limit_for(1 << 30), decompress::MAX_OUTPUT);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..80 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 200 << 10, "{} bytes", bomb.len());
    let e = decompress::decompress(&bomb, Compression::Gzip, 0, 0).unwrap_err();
    assert!(
        matches!(e, BtfError::TooLarge { limit, .. } if limit == decompress::MIN_LIMIT),
        "{e}"
    );
    assert!(e.to_string().contains("decompresses to more than"), "{e}");
}

#[test]
fn other_inputs_are_rejected_clearly() {
    let e = from(Elf::new(false).section(".text", vec![0; 4]).build(), None).unwrap_err();
    assert!(matches!(e, BtfError::NoBtfSection), "{e}");
    let e = from(b"hello world, this is text".to_vec(), None).unwrap_err();
    assert!(matches!(e, BtfError::UnknownInput { .. }), "{e}");
    let e = read(Path::new("/nonexistent/vmlinux"), None).unwrap_err();
    assert!(
        matches!(e, BtfError::Io { .. }) && e.to_string().contains("/nonexistent/vmlinux"),
        "{e}"
    );
    // Errors inside a section name the file, the section and the offset.
    let mut btf = vmlinux_btf(false).btf.build();
    btf[24 + 4] = 0xff; // first record's info: unknown kind 0x1f... via vlen bytes
    btf[24 + 7] = 0x1f;
    let elf = Elf::new(false).section(".BTF", btf).build();
    let dir = temp("errctx");
    let path = dir.join("vmlinux");
    std::fs::write(&path, elf).unwrap();
    let e = read(&path, None).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("vmlinux: section .BTF (file offset 0x")
            && msg.contains("byte 0x18 (type [1]): unknown BTF kind 31"),
        "{msg}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kfuncdoc-btf-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn modules_walk_reports_problems_per_module() {
    let base = vmlinux_btf(false).btf;
    let base_btf = Arc::new(Btf::parse(Bytes::from_vec(base.build())).unwrap());
    let dir = temp("walk");
    std::fs::create_dir_all(dir.join("net/x")).unwrap();
    let (ko, _) = module_elf(&base, "good", None);
    std::fs::write(dir.join("net/x/good.ko.xz"), xz(&ko)).unwrap();
    std::fs::write(dir.join("net/bad.ko"), b"\x7fELF garbage").unwrap();
    let plain = Elf::new(true)
        .section(".modinfo", b"name=plain\0".to_vec())
        .build();
    std::fs::write(dir.join("plain.ko"), plain).unwrap();
    std::fs::write(dir.join("modules.dep"), b"net/x/good.ko.xz:\n").unwrap();
    let scan = scan_modules(&dir, &base_btf).expect("walks");
    assert_eq!(scan.scanned, 3);
    assert_eq!(scan.modules.len(), 1);
    assert_eq!(scan.modules[0].module, "good");
    assert_eq!(scan.modules[0].report.kfuncs[0].name, "mod_kfunc");
    assert_eq!(scan.problems.len(), 1);
    assert!(scan.problems[0].path.ends_with("net/bad.ko"));
    assert!(
        scan.problems[0]
            .error
            .to_string()
            .contains("bad.ko: bad ELF file"),
        "{}",
        scan.problems[0].error
    );
    assert!(scan_modules(&dir.join("missing"), &base_btf).is_err());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn releases_and_banners() {
    let v = |s: &str| parse_release(s).map(|v| v.to_string());
    assert_eq!(v("6.12.117+deb12-amd64").as_deref(), Some("6.12.117"));
    assert_eq!(v("6.18.44-fc-v595").as_deref(), Some("6.18.44"));
    assert_eq!(v("7.0.0-rc3").as_deref(), Some("7.0.0-rc3"));
    assert_eq!(v("6.1").as_deref(), Some("6.1"));
    assert_eq!(v("%s"), None);
    assert_eq!(
        elf::banner_release(b"\0Linux version %s (%s)\0Linux version 6.1.0-28-amd64 (x)"),
        Some("6.1.0-28-amd64".to_string())
    );
    assert_eq!(elf::banner_release(b"no banner"), None);
}

/// Every single-byte corruption of a small vmlinux and module ELF is read
/// without panicking (errors are fine).
#[test]
fn corrupted_elf_files_never_panic() {
    let base = vmlinux_btf(false).btf;
    let base_btf = Arc::new(Btf::parse(Bytes::from_vec(base.build())).unwrap());
    let (ko, _) = module_elf(&base, "m", None);
    for (good, b) in [
        (vmlinux_elf(false, false, false), None),
        (ko, Some(base_btf)),
    ] {
        for i in 0..good.len() {
            for v in [0xff, 0x00, 0x41] {
                let mut d = good.clone();
                d[i] = v;
                if let Ok(img) = from(d, b.clone()) {
                    let _ = img.kfuncs();
                }
            }
        }
    }
}

pub(crate) fn xz(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut w =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

/// The "lzma alone" format of `lzma -9` (with its size in the header).
fn lzma(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let opts = lzma_rust2::LzmaOptions::with_preset(6);
    let mut w =
        lzma_rust2::LzmaWriter::new_use_header(Vec::new(), &opts, Some(data.len() as u64)).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap()
}
