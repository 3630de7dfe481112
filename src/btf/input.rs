//! Opening inputs: raw BTF, vmlinux, modules (plain or compressed) and x86
//! bzImages, told apart by their content; and walking a modules directory.
//!
//! An [`Image`] keeps what later stages need and nothing more: the parsed
//! [`Btf`], the `.BTF_ids` section with its `__BTF_ID__` symbols, and the
//! kernel release when the input states it. A bzImage's 60 MB decompressed
//! vmlinux is dropped once those are copied out. [`scan_modules`] reads one
//! module at a time (so at most one decompressed module is in memory) and
//! turns a bad module into a [`ModuleProblem`], never into a failed scan.

use super::btf_ids::Set8;
use super::bytes::Bytes;
use super::decompress;
use super::elf::{self, IdSymbol};
use super::error::{BtfError, Compression, Result};
use super::kfuncs::{self, KfuncReport};
use super::raw::Endian;
use super::split;
use super::types::Btf;
use crate::kernel::KernelVersion;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What kind of file an input turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// Raw BTF (`/sys/kernel/btf/vmlinux`, `/sys/kernel/btf/<module>`).
    RawBtf,
    /// A vmlinux ELF file.
    Vmlinux,
    /// A kernel module ELF file.
    Module,
    /// An x86 boot image holding a compressed vmlinux.
    BzImage,
}

/// `.BTF_ids` and what locates sets in it.
#[derive(Debug, Clone)]
pub struct BtfIds {
    /// The section's bytes.
    pub data: Bytes,
    /// Its offset in the (decompressed) ELF file.
    pub file_offset: u64,
    /// The ELF file's byte order.
    pub endian: Endian,
    /// `__BTF_ID__*` symbols inside it (empty when stripped).
    pub symbols: Vec<IdSymbol>,
    /// The ELF file has a symbol table at all.
    pub has_symtab: bool,
}

/// One read input.
#[derive(Debug, Clone)]
pub struct Image {
    /// The file.
    pub path: PathBuf,
    /// What it turned out to be.
    pub kind: InputKind,
    /// The compression of the file (or of a bzImage's payload).
    pub compression: Option<Compression>,
    /// The module's name (`.modinfo` `name=`, else the file name).
    pub module: Option<String>,
    /// The kernel release the input states (`linux_banner` or `vermagic`),
    /// e.g. `6.12.117+deb12-amd64`.
    pub release: Option<String>,
    /// The module was built against a distilled `.BTF.base` (relocated onto
    /// the base given, or read on the distilled base alone).
    pub distilled_base: bool,
    btf: Arc<Btf>,
    btf_ids: Option<BtfIds>,
}

impl Image {
    /// The BTF (split on its base for a module).
    pub fn btf(&self) -> &Arc<Btf> {
        &self.btf
    }

    /// `.BTF_ids`, for ELF inputs that have one.
    pub fn btf_ids(&self) -> Option<&BtfIds> {
        self.btf_ids.as_ref()
    }

    /// The kernel version in [`Image::release`], if it parses.
    pub fn kernel_version(&self) -> Option<KernelVersion> {
        self.release.as_deref().and_then(parse_release)
    }

    /// The kfuncs of this input, with how each was found.
    pub fn kfuncs(&self) -> Result<KfuncReport> {
        // Errors name the file, like those of reading it.
        kfuncs::identify(self).map_err(|e| e.in_file(&self.path))
    }

    /// What this input says about kfuncs, without its BTF.
    pub fn report(&self) -> Result<FileReport> {
        Ok(FileReport {
            kind: self.kind,
            release: self.release.clone(),
            module: self.module.clone(),
            report: self.kfuncs()?,
        })
    }
}

/// All that is kept of one input file once it has been read: what it is,
/// and its kfuncs. Small enough to cache (`btf::cache`), where an
/// [`Image`] holds the whole BTF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReport {
    /// What kind of file it is.
    pub kind: InputKind,
    /// [`Image::release`].
    pub release: Option<String>,
    /// [`Image::module`].
    pub module: Option<String>,
    /// Its kfuncs and sets.
    pub report: KfuncReport,
}

/// `6.12.117+deb12-amd64` → 6.12.117; `7.0.0-rc3` → 7.0.0-rc3.
pub fn parse_release(release: &str) -> Option<KernelVersion> {
    let num_end = release
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(release.len());
    let (num, rest) = release.split_at(num_end);
    let num = num.trim_end_matches('.');
    let rc = rest
        .strip_prefix("-rc")
        .map(|r| {
            r.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .filter(|r| !r.is_empty());
    let text = match rc {
        Some(rc) => format!("{num}-rc{rc}"),
        None => num.to_string(),
    };
    text.parse().ok()
}

/// Reads `path`, with the BTF at `base` (a vmlinux, raw or ELF) as base
/// when it is a module.
pub fn read(path: &Path, base: Option<&Path>) -> Result<Image> {
    let base = match base {
        Some(b) => Some(read(b, None)?.btf),
        None => None,
    };
    read_with_base(path, base)
}

/// Reads `path` with an already parsed base.
pub fn read_with_base(path: &Path, base: Option<Arc<Btf>>) -> Result<Image> {
    let data = Bytes::open(path)?;
    from_bytes(path, data, base).map_err(|e| e.in_file(path))
}

/// Reads an input held in memory; `path` is only recorded.
pub fn from_bytes(path: &Path, data: Bytes, base: Option<Arc<Btf>>) -> Result<Image> {
    let file_stem = || {
        path.file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split(".ko").next())
            .map(str::to_string)
    };
    if data.len() >= 2 && matches!(&data[..2], [0x9f, 0xeb] | [0xeb, 0x9f]) {
        let is_split = base.is_some();
        let btf = Arc::new(Btf::parse_split(data, base)?);
        return Ok(Image {
            path: path.to_path_buf(),
            kind: InputKind::RawBtf,
            compression: None,
            module: if is_split { file_stem() } else { None },
            release: None,
            distilled_base: false,
            btf,
            btf_ids: None,
        });
    }
    if data.starts_with(b"\x7fELF") {
        return from_elf(path, &data, base, None);
    }
    if let Some(format) = decompress::detect(&data) {
        let inner = Bytes::from_vec(decompress::decompress(&data, format, 0, data.len() * 4)?);
        if !inner.starts_with(b"\x7fELF") {
            return Err(BtfError::UnknownInput {
                reason: "compressed data that is not an ELF file",
            });
        }
        return from_elf(path, &inner, base, Some(format));
    }
    if decompress::is_bzimage(&data) {
        let p = decompress::bzimage_payload(&data)?;
        let stream = &data[p.offset..p.offset + p.len];
        let vmlinux = decompress::decompress(stream, p.format, p.offset, p.size_hint)?;
        let vmlinux = Bytes::from_vec(vmlinux);
        if !vmlinux.starts_with(b"\x7fELF") {
            return Err(BtfError::BadBzImage {
                offset: p.offset,
                reason: "payload does not decompress to an ELF file",
            });
        }
        let mut img = from_elf(path, &vmlinux, base, Some(p.format))?;
        img.kind = InputKind::BzImage;
        return Ok(img);
    }
    Err(BtfError::UnknownInput {
        reason: "no BTF, ELF, compression or boot-sector signature",
    })
}

/// Copies `b` out of a large decompressed buffer so that the buffer can
/// be freed; windows on a mapped file stay windows.
fn detach(b: Bytes, owned: bool) -> Bytes {
    if owned {
        Bytes::from_vec(b.to_vec())
    } else {
        b
    }
}

fn from_elf(
    path: &Path,
    data: &Bytes,
    base: Option<Arc<Btf>>,
    compression: Option<Compression>,
) -> Result<Image> {
    let parts = elf::parse(data, true)?;
    let owned = compression.is_some();
    let (btf_bytes, btf_off) = parts.btf.ok_or(BtfError::NoBtfSection)?;
    let btf_bytes = detach(btf_bytes, owned);
    let in_btf = |e: BtfError| e.in_section(".BTF", btf_off);
    let mut distilled_base = false;
    let btf = if let Some((base_bytes, base_off)) = parts.btf_base {
        distilled_base = true;
        let distilled = Arc::new(
            Btf::parse(detach(base_bytes, owned))
                .map_err(|e| e.in_section(".BTF.base", base_off))?,
        );
        let split_btf = Btf::parse_split(btf_bytes, Some(distilled.clone())).map_err(in_btf)?;
        match base {
            Some(real) => split::relocate(&split_btf, &distilled, real).map_err(in_btf)?,
            None => split_btf,
        }
    } else if parts.is_module {
        let base = base.ok_or(BtfError::NeedsBase)?;
        Btf::parse_split(btf_bytes, Some(base)).map_err(in_btf)?
    } else {
        Btf::parse_split(btf_bytes, base).map_err(in_btf)?
    };
    let btf_ids = parts.btf_ids.map(|(d, file_offset)| BtfIds {
        data: detach(d, owned),
        file_offset,
        endian: parts.endian,
        symbols: parts.id_symbols,
        has_symtab: parts.has_symtab,
    });
    let module = if parts.is_module {
        parts.module_name.or_else(|| {
            path.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.split(".ko").next())
                .map(str::to_string)
        })
    } else {
        None
    };
    Ok(Image {
        path: path.to_path_buf(),
        kind: if parts.is_module {
            InputKind::Module
        } else {
            InputKind::Vmlinux
        },
        compression,
        module,
        release: parts.banner_release.or(parts.vermagic),
        distilled_base,
        btf: Arc::new(btf),
        btf_ids,
    })
}

/// A module with at least one kfunc set.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleKfuncs {
    /// The module file.
    pub path: PathBuf,
    /// The module's name.
    pub module: String,
    /// Its kfuncs and sets.
    pub report: KfuncReport,
}

/// A module that could not be read; the scan goes on.
#[derive(Debug)]
pub struct ModuleProblem {
    /// The module file.
    pub path: PathBuf,
    /// Why.
    pub error: BtfError,
}

/// The result of [`scan_modules`].
#[derive(Debug, Default)]
pub struct ModuleScan {
    /// Module files looked at.
    pub scanned: usize,
    /// Modules with kfunc sets, by path.
    pub modules: Vec<ModuleKfuncs>,
    /// Modules that could not be read, by path.
    pub problems: Vec<ModuleProblem>,
}

/// Walks `dir` recursively and reports every module with kfunc sets.
///
/// Candidates are files whose name contains `.ko` (a modules tree also
/// holds `modules.dep`, firmware and the like); each is then identified by
/// content like any input. Modules are read one at a time, in path order.
/// Only an unreadable `dir` itself is an error.
pub fn scan_modules(dir: &Path, base: &Arc<Btf>) -> Result<ModuleScan> {
    let mut scan = ModuleScan::default();
    let (files, problems) = module_files(dir)?;
    scan.problems = problems;
    for path in files {
        scan.scanned += 1;
        match module_kfuncs(&path, base) {
            Ok(Some(m)) => scan.modules.push(m),
            Ok(None) => {}
            Err(error) => scan.problems.push(ModuleProblem { path, error }),
        }
    }
    scan.problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(scan)
}

/// The candidate module files under `dir` (see [`scan_modules`]), sorted,
/// and the subdirectories that could not be listed. Only an unreadable
/// `dir` itself is an error.
pub fn module_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<ModuleProblem>)> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    if let Err(e) = std::fs::read_dir(dir) {
        return Err(BtfError::io(dir, e));
    }
    collect(dir, &mut files, &mut problems);
    files.sort();
    Ok((files, problems))
}

/// The `.ko*` files under `dir`; a directory that cannot be listed is a
/// problem (its modules would silently be missing otherwise).
fn collect(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<ModuleProblem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(ModuleProblem {
                path: dir.to_path_buf(),
                error: BtfError::io(dir, e),
            });
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                problems.push(ModuleProblem {
                    path: dir.to_path_buf(),
                    error: BtfError::io(dir, e),
                });
                continue;
            }
        };
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            collect(&path, out, problems);
        } else if ft.is_file()
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains(".ko"))
        {
            out.push(path);
        }
    }
}

/// One module's kfunc report, or `None` when it has no kfunc set.
pub fn module_kfuncs(path: &Path, base: &Arc<Btf>) -> Result<Option<ModuleKfuncs>> {
    let Some(file) = open_module(path)? else {
        return Ok(None);
    };
    Ok(file.report(base)?.map(|r| ModuleKfuncs {
        path: path.to_path_buf(),
        module: r.module.unwrap_or_default(),
        report: r.report,
    }))
}

/// A module file, decompressed, that has a `.BTF_ids` section: all that
/// is known of a module before its base is needed.
pub struct ModuleFile {
    path: PathBuf,
    data: Bytes,
    compression: Option<Compression>,
}

/// Opens the module at `path`: `None` when it has no `.BTF_ids`, so no
/// kfunc set. Such modules are dropped before their BTF is parsed, and
/// without a base: pahole only tags kfuncs it found in `.BTF_ids` sets,
/// so they cannot have any.
pub fn open_module(path: &Path) -> Result<Option<ModuleFile>> {
    let inner = || -> Result<Option<ModuleFile>> {
        let data = Bytes::open(path)?;
        let (data, compression) = match decompress::detect(&data) {
            Some(f) => (
                Bytes::from_vec(decompress::decompress(&data, f, 0, data.len() * 4)?),
                Some(f),
            ),
            None => (data, None),
        };
        if !data.starts_with(b"\x7fELF") {
            return Err(BtfError::UnknownInput {
                reason: "module file that is not an ELF file",
            });
        }
        if !has_section(&data, ".BTF_ids")? {
            return Ok(None);
        }
        Ok(Some(ModuleFile {
            path: path.to_path_buf(),
            data,
            compression,
        }))
    };
    inner().map_err(|e| e.in_file(path))
}

impl ModuleFile {
    /// The module's report on `base`, or `None` when it has no kfunc set.
    pub fn report(&self, base: &Arc<Btf>) -> Result<Option<FileReport>> {
        let inner = || -> Result<Option<FileReport>> {
            let img = from_elf(&self.path, &self.data, Some(base.clone()), self.compression)?;
            let report = img.report()?;
            if report.report.kfuncs.is_empty()
                && report.report.sets.iter().all(|s: &Set8| !s.kfuncs)
            {
                return Ok(None);
            }
            Ok(Some(report))
        };
        inner().map_err(|e| e.in_file(&self.path))
    }
}

fn has_section(data: &[u8], name: &str) -> Result<bool> {
    use object::read::Object;
    let file = object::File::parse(data).map_err(BtfError::Elf)?;
    Ok(file.section_by_name(name).is_some())
}
