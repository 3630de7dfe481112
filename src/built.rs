//! What a built kernel says, and how it joins what the source says.
//!
//! [`read`] (edge) reads the BTF inputs of a command line: a vmlinux (raw
//! BTF, ELF, stripped, bzImage) or a module, plus module files or
//! directories on a base, into [`Built`]: every kfunc with its exact
//! prototype and, where `.BTF_ids` has them, its flags and sets. [`catalog`]
//! turns that alone into a catalog; [`combine`] joins it with a source
//! catalog: a source kfunc found in BTF is `built: true`, one missing is
//! `built: false` (not built in this configuration, which is not an error),
//! a BTF kfunc the source does not have and flags that disagree are
//! findings.

use crate::btf::btf_ids::{Confidence, SetSource};
use crate::btf::{self, BtfKfunc, FoundBy, Image, InputKind, KfuncReport};
use crate::diag::{Code, Diagnostic};
use crate::error::Result;
use crate::kernel::{KernelVersion, flags, progtypes, suffixes};
use crate::loc::Loc;
use crate::model::{BtfFacts, Catalog, InputInfo, KernelInfo, Kfunc, Param};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One kfunc as a built kernel has it.
#[derive(Debug, Clone)]
pub struct BuiltKfunc {
    /// What the reader found.
    pub kfunc: BtfKfunc,
    /// The input file that has it.
    pub file: String,
}

/// Everything read from the BTF inputs.
#[derive(Debug, Default)]
pub struct Built {
    /// Kfuncs by name (vmlinux and modules).
    pub kfuncs: BTreeMap<String, BuiltKfunc>,
    /// The release the inputs state, when one does.
    pub release: Option<String>,
    /// The inputs read.
    pub inputs: Vec<InputInfo>,
    /// Findings (unreadable modules, uncertain sets).
    pub diags: Vec<Diagnostic>,
}

/// The running kernel's BTF, the input when none is given.
pub const RUNNING_KERNEL_BTF: &str = "/sys/kernel/btf/vmlinux";

/// The release of the running kernel, for `/sys/kernel/btf/vmlinux`
/// (raw BTF carries no version).
fn running_release() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_string())
}

fn kind_name(k: InputKind) -> &'static str {
    match k {
        InputKind::RawBtf => "raw-btf",
        InputKind::Vmlinux => "vmlinux",
        InputKind::Module => "module",
        InputKind::BzImage => "bzimage",
    }
}

fn found_by(f: &FoundBy) -> String {
    match f {
        FoundBy::DeclTag => "decl_tag".into(),
        FoundBy::BtfIdsSymbols => "btf_ids_symbols".into(),
        FoundBy::BtfIdsStructural { confidence } => {
            format!(
                "btf_ids_structural:{}",
                format!("{confidence:?}").to_ascii_lowercase()
            )
        }
    }
}

impl Built {
    /// Adds the kfunc report of the input `file` of `kind`.
    fn add(&mut self, file: &Path, kind: InputKind, release: Option<String>, report: KfuncReport) {
        let file = file.to_string_lossy().into_owned();
        if self.release.is_none() {
            self.release = release
                .clone()
                .or_else(|| (file == RUNNING_KERNEL_BTF).then(running_release).flatten());
        }
        for f in &report.findings {
            let what = f
                .set
                .as_deref()
                .map_or(String::new(), |s| format!("set `{s}`: "));
            self.diags.push(Diagnostic::in_file(
                Code::BtfIdsAnomaly,
                file.clone(),
                format!("{what}.BTF_ids offset {:#x}: {}", f.offset, f.message),
            ));
        }
        for s in report.sets.iter().filter(|s| s.kfuncs) {
            if let SetSource::Structural { confidence } = s.source
                && confidence != Confidence::High
            {
                self.diags.push(Diagnostic::in_file(
                    Code::UncertainSet,
                    file.clone(),
                    format!(
                        ".BTF_ids offset {:#x}: a set of {} entries recovered with {} confidence from a stripped image",
                        s.offset,
                        s.entries.len(),
                        format!("{confidence:?}").to_ascii_lowercase()
                    ),
                ));
            }
        }
        for k in report.kfuncs {
            self.kfuncs.insert(
                k.name.clone(),
                BuiltKfunc {
                    kfunc: k,
                    file: file.clone(),
                },
            );
        }
        self.inputs.push(InputInfo {
            kind: kind_name(kind).into(),
            path: Some(file),
            release,
        });
    }

    fn add_image(&mut self, img: &Image) -> Result<()> {
        self.add(&img.path, img.kind, img.release.clone(), img.kfuncs()?);
        Ok(())
    }
}

/// Reads `btf` (on `base`, for a module) and the modules under each of
/// `modules` (directories are walked, files read), on `btf`'s BTF or
/// `base`. One module that cannot be read is a finding; the main input is
/// an error.
pub fn read(btf: Option<&Path>, base: Option<&Path>, modules: &[PathBuf]) -> Result<Built> {
    let mut built = Built::default();
    let base_img = match base {
        Some(b) => Some(btf::read(b, None)?),
        None => None,
    };
    let main = match btf {
        Some(p) => {
            let img = btf::read_with_base(p, base_img.as_ref().map(|i| Arc::clone(i.btf())))?;
            built.add_image(&img)?;
            Some(img)
        }
        None => None,
    };
    if modules.is_empty() {
        return Ok(built);
    }
    // Modules are split BTF on the vmlinux base: the given base, else the
    // main input when it is a vmlinux.
    let on: Arc<btf::Btf> = match (&base_img, &main) {
        (Some(b), _) => Arc::clone(b.btf()),
        (None, Some(m)) if m.kind != InputKind::Module => Arc::clone(m.btf()),
        _ => {
            return Err(crate::Error::Usage(
                "--modules needs a vmlinux: give --btf VMLINUX or --btf-base VMLINUX",
            ));
        }
    };
    for m in modules {
        // A path that is not there is a mistake on the command line, not a
        // module among many that is bad.
        let meta = std::fs::metadata(m).map_err(|e| btf::BtfError::io(m, e))?;
        if meta.is_dir() {
            let scan = btf::scan_modules(m, &on)?;
            for p in scan.problems {
                built.diags.push(Diagnostic::in_file(
                    Code::UnreadableModule,
                    p.path.to_string_lossy(),
                    p.error.message_in_file(),
                ));
            }
            for mk in scan.modules {
                built.add(&mk.path, InputKind::Module, None, mk.report);
            }
        } else {
            match btf::read_with_base(m, Some(Arc::clone(&on))) {
                Ok(img) => built.add_image(&img)?,
                Err(e) => built.diags.push(Diagnostic::in_file(
                    Code::UnreadableModule,
                    m.to_string_lossy(),
                    e.message_in_file(),
                )),
            }
        }
    }
    Ok(built)
}

fn facts(b: &BuiltKfunc, table: &flags::FlagTable) -> BtfFacts {
    let k = &b.kfunc;
    BtfFacts {
        id: k.btf_id,
        prototype: k.prototype.clone(),
        module: k.module.clone(),
        fastcall: k.fastcall,
        flags: k.flag_names(table),
        flags_value: k.flags,
        sets: k.sets.clone(),
        found_by: k.found_by.iter().map(found_by).collect(),
        file: b.file.clone(),
    }
}

fn version_of(built: &Built) -> Option<KernelVersion> {
    built.release.as_deref().and_then(btf::parse_release)
}

/// A catalog from a built kernel alone. Raw BTF gives names and
/// prototypes; flags and sets need `.BTF_ids`; program types need source.
pub fn catalog(built: Built) -> Catalog {
    let version = version_of(&built);
    let table = version
        .map(flags::builtin)
        .unwrap_or_else(|| flags::builtin(KernelVersion::new(7, 0)));
    let suffixes = version.map(suffixes::builtin);
    let kfuncs = built
        .kfuncs
        .values()
        .map(|b| {
            let btf = facts(b, &table);
            Kfunc {
                name: b.kfunc.name.clone(),
                sets: b.kfunc.sets.clone(),
                flags: btf.flags.clone().unwrap_or_default(),
                flags_value: btf.flags_value.unwrap_or(0),
                params: b
                    .kfunc
                    .params
                    .iter()
                    .map(|p| Param {
                        name: p.name.clone(),
                        ty: p.ty.clone(),
                        annotation: suffixes
                            .as_ref()
                            .and_then(|t| t.annotation(&p.name))
                            .map(str::to_string),
                    })
                    .collect(),
                built: Some(true),
                btf: Some(btf),
                ..Kfunc::default()
            }
        })
        .collect();
    Catalog {
        kernel: KernelInfo {
            version: built.release.clone(),
            sleepable_prog_types: version
                .map(progtypes::builtin_sleepable)
                .unwrap_or_default(),
            inputs: built.inputs,
        },
        kfuncs,
        sets: Vec::new(),
        diagnostics: built.diags,
    }
}

/// Joins a source catalog with a built kernel.
pub fn combine(mut source: Catalog, built: Built) -> Catalog {
    let version = version_of(&built);
    let table = version
        .or_else(|| {
            source
                .kernel
                .version
                .as_deref()
                .and_then(KernelVersion::parse_lenient)
        })
        .map(flags::builtin)
        .unwrap_or_else(|| flags::builtin(KernelVersion::new(7, 0)));
    let mut diags = built.diags.clone();
    let src_version = source
        .kernel
        .version
        .as_deref()
        .and_then(KernelVersion::parse_lenient);
    if let (Some(src), Some(bin)) = (src_version, version)
        && (src.release() != bin.release()
            || (src.patch.is_some() && bin.patch.is_some() && src.patch != bin.patch))
    {
        diags.push(Diagnostic::global(
            Code::VersionMismatch,
            format!(
                "the source tree is {} but the built kernel is {}",
                source.kernel.version.as_deref().unwrap_or("?"),
                built.release.as_deref().unwrap_or("?")
            ),
        ));
    }
    for k in &mut source.kfuncs {
        let Some(b) = built.kfuncs.get(&k.name) else {
            k.built = Some(false);
            continue;
        };
        let f = facts(b, &table);
        if let (Some(v), Some(names)) = (f.flags_value, &f.flags)
            && v != k.flags_value
        {
            let loc = Loc::new(k.file.clone().unwrap_or_default(), k.line.unwrap_or(0), 1);
            let show = |n: &[String]| {
                if n.is_empty() {
                    "none".to_string()
                } else {
                    n.join("|")
                }
            };
            diags.push(
                Diagnostic::at(
                    Code::BtfFlagsDiffer,
                    &loc,
                    format!(
                        "`{}`: the source says {}, {} says {}",
                        k.name,
                        show(&k.flags),
                        b.file,
                        show(names)
                    ),
                )
                .with_kfunc(&k.name),
            );
        }
        k.built = Some(true);
        k.btf = Some(f);
    }
    // A stripped image's structural scan, like pahole, takes every set
    // flagged BTF_SET8_KFUNCS for kfuncs; the source knows which of those
    // are fmod_ret allow-lists (6.12's bpf_test_modify_return_ids).
    let not_kfuncs: std::collections::BTreeSet<&str> = source
        .sets
        .iter()
        .filter(|s| !s.registered)
        .flat_map(|s| s.functions.iter().map(String::as_str))
        .collect();
    let in_source: std::collections::BTreeSet<&str> =
        source.kfuncs.iter().map(|k| k.name.as_str()).collect();
    let only: Vec<&BuiltKfunc> = built
        .kfuncs
        .values()
        .filter(|b| {
            !in_source.contains(b.kfunc.name.as_str())
                && !not_kfuncs.contains(b.kfunc.name.as_str())
        })
        .collect();
    if !only.is_empty() {
        let mut extra = catalog(Built {
            kfuncs: only
                .iter()
                .map(|b| (b.kfunc.name.clone(), (*b).clone()))
                .collect(),
            release: built.release.clone(),
            ..Built::default()
        });
        for k in &extra.kfuncs {
            let file = k.btf.as_ref().map_or(String::new(), |b| b.file.clone());
            diags.push(
                Diagnostic::in_file(
                    Code::BtfOnlyKfunc,
                    file,
                    format!(
                        "`{}` is a kfunc of the built kernel that the source tree does not have",
                        k.name
                    ),
                )
                .with_kfunc(&k.name),
            );
        }
        source.kfuncs.append(&mut extra.kfuncs);
        source.kfuncs.sort_by(|a, b| a.name.cmp(&b.name));
    }
    source.kernel.inputs.extend(built.inputs);
    source.diagnostics.extend(diags);
    crate::diag::finish(&mut source.diagnostics);
    source
}

#[cfg(test)]
#[path = "built_tests.rs"]
mod tests;
