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
//!
//! [`read_cached`] reads the same inputs through the report cache
//! ([`crate::btf::cache`]), with the same result: a warm run reads no
//! kernel file, only one stat per file and the cache's JSON.

use crate::btf::btf_ids::{Confidence, SetSource};
use crate::btf::cache::{Lookup, ReportCache};
use crate::btf::{self, BtfKfunc, FoundBy, ImplFunc, InputKind, KfuncReport};
use crate::diag::{Code, Diagnostic};
use crate::error::Result;
use crate::kernel::{KernelVersion, flags, implicit, progtypes, suffixes};
use crate::loc::Loc;
use crate::model::{BtfFacts, Catalog, InputInfo, KernelInfo, Kfunc, Param};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// One kfunc as a built kernel has it.
#[derive(Debug, Clone, Serialize)]
pub struct BuiltKfunc {
    /// What the reader found.
    pub kfunc: BtfKfunc,
    /// The input file that has it.
    pub file: String,
}

/// Everything read from the BTF inputs. Its JSON form is for tests (a
/// cached and an uncached read give the same bytes), not a contract.
#[derive(Debug, Default, Serialize)]
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

/// The release of the running kernel when `file` is its BTF (raw BTF
/// carries no version).
fn running_release(file: &str) -> Option<String> {
    let root = crate::running::sysroot();
    (Path::new(file) == crate::running::btf_path(&root))
        .then(|| crate::running::release(&root))
        .flatten()
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
            self.release = release.clone().or_else(|| running_release(&file));
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
}

/// Reads `btf` (on `base`, for a module) and the modules under each of
/// `modules` (directories are walked, files read), on `btf`'s BTF or
/// `base`. One module that cannot be read is a finding; the main input is
/// an error. Reads every file; [`read_cached`] keeps reports between runs.
pub fn read(btf: Option<&Path>, base: Option<&Path>, modules: &[PathBuf]) -> Result<Built> {
    read_cached(btf, base, modules, None)
}

/// [`read`], keeping each file's report in the directory `cache` between
/// runs (`None`: no cache, the same as [`read`]; [`default_cache_dir`] is
/// the user's). The result is the same with or without a cache, cold or
/// warm, to the byte: a report is reused only while its file (and, for a
/// module, the base) is unchanged; a file that fails to read is read and
/// reported again on every run; a cache that cannot be read or written is
/// not used, silently. See [`btf::cache`] for keys and files.
///
/// The base (`--btf-base`, else the main input) is read at most once, and
/// on a warm run not at all: only a module that is not in the cache needs
/// it. The modules of a directory are read on several threads.
pub fn read_cached(
    btf: Option<&Path>,
    base: Option<&Path>,
    modules: &[PathBuf],
    cache: Option<&Path>,
) -> Result<Built> {
    read_with(btf, base, modules, cache, default_jobs())
}

/// The number of threads [`read_cached`] reads modules with: the cores
/// this process may use.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// [`read_cached`] with the modules of a directory read by `jobs` threads
/// (see `read_dir`); the result does not depend on `jobs`.
pub fn read_with(
    btf: Option<&Path>,
    base: Option<&Path>,
    modules: &[PathBuf],
    cache: Option<&Path>,
    jobs: usize,
) -> Result<Built> {
    let mut cache = match cache {
        Some(dir) => ReportCache::open(dir, btf, base, modules),
        None => ReportCache::disabled(),
    };
    let mut built = Built::default();
    // Modules are split BTF on the vmlinux base: the given base, else the
    // main input when it is a vmlinux.
    let on = OnBase::new(base.or(if modules.is_empty() { None } else { btf }));
    // A base the cache cannot vouch for is read first, as it always was:
    // if it is bad, that is the error, whatever else is wrong.
    if base.is_some() && !cache.base_trusted() {
        on.get(&mut cache)?;
    }
    let mut main_kind = None;
    if let Some(p) = btf {
        let split = base.is_some();
        let report = match cache.input(p, split) {
            Lookup::Hit(r) => r,
            Lookup::Miss(ticket) => {
                let on_base = if split {
                    Some(on.get(&mut cache)?)
                } else {
                    None
                };
                reading(p);
                let img = btf::read_with_base(p, on_base)?;
                let r = img.report()?;
                if base.is_none() && !modules.is_empty() && img.kind != InputKind::Module {
                    on.set(Arc::clone(img.btf()), &mut cache);
                }
                cache.put(ticket, Some(&r));
                r
            }
        };
        main_kind = Some(report.kind);
        built.add(p, report.kind, report.release, report.report);
    }
    if modules.is_empty() {
        cache.save();
        return Ok(built);
    }
    match (base, main_kind) {
        (Some(_), _) => {}
        (None, Some(kind)) if kind != InputKind::Module => {}
        _ => {
            return Err(crate::Error::Usage(
                "--modules needs a vmlinux: give --btf VMLINUX or --btf-base VMLINUX",
            ));
        }
    }
    for m in modules {
        // A path that is not there is a mistake on the command line, not a
        // module among many that is bad.
        let meta = std::fs::metadata(m).map_err(|e| btf::BtfError::io(m, e))?;
        if meta.is_dir() {
            read_dir(&mut built, m, &on, &mut cache, jobs)?;
            continue;
        }
        let report = match cache.input(m, true) {
            Lookup::Hit(r) => Some(r),
            Lookup::Miss(ticket) => {
                let on_base = on.get(&mut cache)?;
                reading(m);
                match btf::read_with_base(m, Some(on_base)) {
                    Ok(img) => {
                        let r = img.report()?;
                        cache.put(ticket, Some(&r));
                        Some(r)
                    }
                    Err(e) => {
                        built.diags.push(Diagnostic::in_file(
                            Code::UnreadableModule,
                            m.to_string_lossy(),
                            e.message_in_file(),
                        ));
                        None
                    }
                }
            }
        };
        if let Some(r) = report {
            built.add(m, r.kind, r.release, r.report);
        }
    }
    cache.save();
    Ok(built)
}

/// The modules under `dir`, as [`btf::scan_modules`] reads them: the
/// problems (sorted by path) first, then the modules with kfunc sets.
///
/// The files the cache does not vouch for are read by `jobs` threads
/// (decompressing thousands of `.ko.xz` is most of a cold run), each
/// taking the next file in path order and holding one module
/// decompressed at a time: besides the base and the small reports, at
/// most `jobs` decompressed modules are in memory at once. Results are
/// taken in path order, so the output is the same for any `jobs`.
fn read_dir(
    built: &mut Built,
    dir: &Path,
    on: &OnBase<'_>,
    cache: &mut ReportCache,
    jobs: usize,
) -> Result<()> {
    let (files, mut problems) = btf::module_files(dir)?;
    // Each file: its cached report, or its place among those to read.
    let mut tickets = Vec::new();
    let mut paths = Vec::new();
    let mut slots = Vec::with_capacity(files.len());
    for path in &files {
        match cache.module(dir, path) {
            Lookup::Hit(r) => slots.push(Ok(r)),
            Lookup::Miss(ticket) => {
                reading(path);
                slots.push(Err(tickets.len()));
                tickets.push(Some(ticket));
                paths.push(path.as_path());
            }
        }
    }
    let mut outcomes: Vec<Option<ModuleRead>> = read_modules(&paths, on, jobs)?
        .into_iter()
        .map(Some)
        .collect();
    drop(paths);
    // The base, when a worker read it: as if read here.
    if on.loaded_by_workers() {
        if let Some(p) = on.path {
            reading(p);
        }
        cache.base_read();
    }
    let mut found = Vec::new();
    for (path, slot) in files.into_iter().zip(slots) {
        let report = match slot {
            Ok(r) => r,
            Err(i) => {
                let ticket = tickets[i].take();
                match outcomes[i].take() {
                    Some(ModuleRead::Report(r)) => {
                        if let Some(t) = ticket {
                            cache.put(t, r.as_ref());
                        }
                        r
                    }
                    Some(ModuleRead::Problem(error)) => {
                        problems.push(btf::ModuleProblem { path, error });
                        continue;
                    }
                    None => None,
                }
            }
        };
        found.extend(report.map(|r| (path, r)));
    }
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    for p in problems {
        built.diags.push(Diagnostic::in_file(
            Code::UnreadableModule,
            p.path.to_string_lossy(),
            p.error.message_in_file(),
        ));
    }
    for (path, r) in found {
        built.add(&path, InputKind::Module, None, r.report);
    }
    Ok(())
}

/// What reading one module gave.
enum ModuleRead {
    /// Its report (`None`: no kfunc set).
    Report(Option<btf::FileReport>),
    /// Why it could not be read.
    Problem(btf::BtfError),
}

/// Reads the modules at `paths` on `jobs` threads; the results are in the
/// order of `paths`. An error is the base's: it stops the reading.
fn read_modules(paths: &[&Path], on: &OnBase<'_>, jobs: usize) -> Result<Vec<ModuleRead>> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let one = |path: &Path| -> Result<ModuleRead> {
        Ok(match btf::open_module(path) {
            Ok(None) => ModuleRead::Report(None),
            Ok(Some(file)) => match file.report(&on.load()?) {
                Ok(r) => ModuleRead::Report(r),
                Err(e) => ModuleRead::Problem(e),
            },
            Err(e) => ModuleRead::Problem(e),
        })
    };
    let bar = crate::progress::Bar::new(paths.len(), "modules");
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let failure = Mutex::new(None);
    let results: Vec<Mutex<Option<ModuleRead>>> = paths.iter().map(|_| Mutex::new(None)).collect();
    let work = || {
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(path) = paths.get(i) else { break };
            match one(path) {
                Ok(r) => {
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some(r);
                    }
                }
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    if let Ok(mut f) = failure.lock() {
                        f.get_or_insert(e);
                    }
                }
            }
            bar.inc();
        }
    };
    let threads = jobs.clamp(1, paths.len().max(1));
    std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        work();
        for h in helpers {
            if let Err(e) = h.join() {
                std::panic::resume_unwind(e);
            }
        }
    });
    drop(bar);
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(e);
    }
    Ok(results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .ok()
                .flatten()
                .unwrap_or(ModuleRead::Report(None))
        })
        .collect())
}

/// The user's report cache directory, for [`read_cached`]:
/// `$XDG_CACHE_HOME/kfuncdoc/reports`, else `~/.cache/kfuncdoc/reports`.
pub fn default_cache_dir() -> Option<PathBuf> {
    btf::cache::default_dir()
}

/// The vmlinux BTF that modules are read on, read when first needed (by
/// the caller's thread, or by one of the threads reading modules).
struct OnBase<'a> {
    path: Option<&'a Path>,
    btf: OnceLock<Arc<btf::Btf>>,
    /// Held while a module-reading thread reads the base; true once one did.
    by_workers: std::sync::Mutex<bool>,
}

impl<'a> OnBase<'a> {
    fn new(path: Option<&'a Path>) -> OnBase<'a> {
        OnBase {
            path,
            btf: OnceLock::new(),
            by_workers: std::sync::Mutex::new(false),
        }
    }

    /// The base, read now if it was not yet, from any thread; the caller
    /// then learns it from [`OnBase::loaded_by_workers`].
    fn load(&self) -> Result<Arc<btf::Btf>> {
        if let Some(b) = self.btf.get() {
            return Ok(Arc::clone(b));
        }
        let mut by_workers = self
            .by_workers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(b) = self.btf.get() {
            return Ok(Arc::clone(b));
        }
        let path = self.path.ok_or(crate::Error::Usage(
            "--modules needs a vmlinux: give --btf VMLINUX or --btf-base VMLINUX",
        ))?;
        let img = btf::read(path, None)?;
        let b = Arc::clone(self.btf.get_or_init(|| Arc::clone(img.btf())));
        *by_workers = true;
        Ok(b)
    }

    /// Whether [`OnBase::load`] read the base (once: the answer is then
    /// reset).
    fn loaded_by_workers(&self) -> bool {
        let mut by_workers = self
            .by_workers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::mem::take(&mut *by_workers)
    }

    /// The base, read now if it was not yet.
    fn get(&self, cache: &mut ReportCache) -> Result<Arc<btf::Btf>> {
        if let Some(b) = self.btf.get() {
            return Ok(Arc::clone(b));
        }
        let path = self.path.ok_or(crate::Error::Usage(
            "--modules needs a vmlinux: give --btf VMLINUX or --btf-base VMLINUX",
        ))?;
        reading(path);
        let img = btf::read(path, None)?;
        self.set(Arc::clone(img.btf()), cache);
        Ok(Arc::clone(img.btf()))
    }

    /// The base, read by the caller.
    fn set(&self, btf: Arc<btf::Btf>, cache: &mut ReportCache) {
        if self.btf.set(btf).is_ok() {
            cache.base_read();
        }
    }
}

#[cfg(test)]
thread_local! {
    /// The files read on this thread, in order, for tests to see what the
    /// cache spared.
    pub(crate) static READ: std::cell::RefCell<Vec<PathBuf>> = const {
        std::cell::RefCell::new(Vec::new())
    };
}

/// Notes that `path` is about to be read (tests only).
fn reading(path: &Path) {
    #[cfg(test)]
    READ.with(|r| r.borrow_mut().push(path.to_path_buf()));
    let _ = path;
}

/// The kernel's declaration of a `KF_IMPLICIT_ARGS` kfunc: its `_impl`
/// FUNC, when the kfunc has the flag (or its flags are unknown: raw BTF)
/// and the `_impl` parameters continue the kfunc's own, as both
/// `resolve_btfids`' rewrite and the legacy `_impl` kfuncs do. The verifier
/// supplies the parameters past the kfunc's (`is_kfunc_arg_implicit()`).
fn kernel_declaration<'b>(b: &'b BuiltKfunc, table: &flags::FlagTable) -> Option<&'b ImplFunc> {
    let k = &b.kfunc;
    let decl = k.impl_func.as_ref()?;
    let flagged = match (k.flags, table.bit(implicit::FLAG)) {
        (None, _) => true,
        (Some(v), Some(bit)) => v & 1u32.checked_shl(bit.into()).unwrap_or(0) != 0,
        (Some(_), None) => false,
    };
    let continues = decl.params.len() > k.params.len()
        && k.params
            .iter()
            .zip(&decl.params)
            .all(|(a, b)| a.name == b.name && a.type_id == b.type_id);
    (flagged && continues).then_some(decl)
}

fn facts(b: &BuiltKfunc, table: &flags::FlagTable) -> BtfFacts {
    let k = &b.kfunc;
    BtfFacts {
        id: k.btf_id,
        prototype: k.prototype.clone(),
        impl_prototype: kernel_declaration(b, table).map(|d| d.prototype.clone()),
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
            // A kfunc with implicit arguments: the parameters are the
            // kernel declaration's, those past the BPF-visible ones marked.
            let decl = kernel_declaration(b, &table);
            let visible = b.kfunc.params.len();
            Kfunc {
                name: b.kfunc.name.clone(),
                sets: b.kfunc.sets.clone(),
                flags: btf.flags.clone().unwrap_or_default(),
                flags_value: btf.flags_value.unwrap_or(0),
                params: decl
                    .map_or(&b.kfunc.params, |d| &d.params)
                    .iter()
                    .enumerate()
                    .map(|(i, p)| Param {
                        name: p.name.clone(),
                        ty: p.ty.clone(),
                        annotation: suffixes
                            .as_ref()
                            .and_then(|t| t.annotation(&p.name))
                            .map(str::to_string),
                        implicit: i >= visible,
                    })
                    .collect(),
                bpf_prototype: decl.map(|_| btf.prototype.clone()),
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

#[cfg(test)]
#[path = "built_cache_tests.rs"]
mod cache_tests;
