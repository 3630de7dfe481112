//! The report cache: what each input file said about kfuncs, kept between
//! runs so that a warm run over a bzImage and 4,230 `.ko.xz` modules costs
//! a `stat` per file instead of decompressing each (about 6 s).
//!
//! It owns the files directly under the directory it is given, by default
//! [`default_dir`] (`$XDG_CACHE_HOME/kfuncdoc/reports`, else
//! `$HOME/.cache/kfuncdoc/reports`), and nothing else. It must never
//! change a result (an entry is used only when everything its report was
//! computed from is unchanged), never keep an error (a file that fails to
//! read is read, and reported, again on every run), and never fail a run:
//! a cache file that is missing, truncated, corrupt or written by another
//! version is treated as empty and overwritten, and a directory that cannot
//! be created or written is silently not used: the run then simply reads
//! everything, as it would without a cache.
//!
//! **Layout.** One JSON file per command line, `<hash>.json`, the hash of
//! its scope: the canonical paths of `--btf`, `--btf-base` and each
//! `--modules` argument, which the file also records (a hash collision is
//! a foreign file). One file per command line means one read and at most
//! one write per run, no locking between files, and an entry per file seen
//! in the last run only: entries for files that are gone are dropped when
//! the file is rewritten, and a rebuilt kernel at the same paths replaces
//! its entries rather than adding a file. Runs with another command line
//! (a different base for the same modules, say) keep their own file.
//! Writes go to a temporary file in the same directory, renamed over the
//! old one; a crash leaves at worst that temporary file. A warm run with
//! nothing changed does not write at all.
//!
//! **Keys.** The file's header names its writer: the cache format
//! ([`FORMAT`]), kfuncdoc's version and the size and times of the running
//! executable, so a rebuilt kfuncdoc (whose reader may say something else)
//! starts afresh. An entry is valid for the canonical path it is filed
//! under while the file's [`Stamp`] (size, mtime and ctime with
//! nanoseconds, inode) is unchanged; ctime also moves on `chmod`, on
//! renames and on writes that restore the mtime. A file modified less
//! than [`SETTLE`] before it was looked at is not cached: a write in the
//! same timestamp tick as our read would otherwise go unnoticed (git's
//! "racily clean" problem). Modules, and a main input read on
//! `--btf-base`, are split BTF: their entries also need the base they were
//! read on to be unchanged, keyed by its stamp, or for raw BTF (where
//! sysfs times mean nothing) by its size and a hash of its bytes. Raw BTF
//! inputs themselves are never cached: they are read in milliseconds and
//! their stamps say nothing.

use super::fxhash::Fx;
use super::input::{FileReport, InputKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::hash::Hasher;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The cache format; bump it whenever what is stored, or how it is keyed,
/// changes.
pub const FORMAT: u32 = 2;

/// How long a file must have been left alone before its report is cached.
/// File times advance in ticks (a jiffy on Linux, 2 s on FAT): a write in
/// the tick of our read would leave the stamp as it was.
pub const SETTLE: Duration = Duration::from_secs(2);

/// Cache files larger than this are not read (they are not ours).
const MAX_FILE: u64 = 256 << 20;

/// The default cache directory: `$XDG_CACHE_HOME/kfuncdoc/reports`, else
/// `$HOME/.cache/kfuncdoc/reports`; `None` when neither is set to an
/// absolute path.
pub fn default_dir() -> Option<PathBuf> {
    dir_from(std::env::var_os("XDG_CACHE_HOME"), std::env::var_os("HOME"))
}

/// [`default_dir`] from the two variables. The XDG base directory
/// specification says to ignore a relative `XDG_CACHE_HOME`.
fn dir_from(xdg: Option<std::ffi::OsString>, home: Option<std::ffi::OsString>) -> Option<PathBuf> {
    let absolute = |v: Option<std::ffi::OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
    let root = absolute(xdg).or_else(|| absolute(home).map(|h| h.join(".cache")))?;
    Some(root.join("kfuncdoc").join("reports"))
}

/// What a file looked like: size, mtime and ctime (seconds, nanoseconds),
/// inode. Written as a six-number array to keep 4,000 entries small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp(u64, i64, u32, i64, u32, u64);

impl Stamp {
    /// The stamp of `path` (following symlinks), and whether the file has
    /// settled (last modified at least [`SETTLE`] ago); `None` when it
    /// cannot be stat'ed.
    fn of(path: &Path) -> Option<(Stamp, bool)> {
        let meta = std::fs::metadata(path).ok()?;
        let now = SystemTime::now();
        let settled = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age >= SETTLE);
        Some((Stamp::from_meta(&meta), settled))
    }

    #[cfg(unix)]
    fn from_meta(m: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp(
            m.size(),
            m.mtime(),
            m.mtime_nsec() as u32,
            m.ctime(),
            m.ctime_nsec() as u32,
            m.ino(),
        )
    }

    #[cfg(not(unix))]
    fn from_meta(m: &std::fs::Metadata) -> Stamp {
        let since = |t: std::io::Result<SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map_or((0, 0), |d| (d.as_secs() as i64, d.subsec_nanos()))
        };
        let (ms, mn) = since(m.modified());
        let (cs, cn) = since(m.created());
        Stamp(m.len(), ms, mn, cs, cn, 0)
    }
}

/// What split BTF was read on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseKey {
    /// A vmlinux or bzImage, by its stamp.
    File(Stamp),
    /// Raw BTF (`/sys/kernel/btf/vmlinux`), by size and a hash of its bytes.
    Content {
        /// Its size.
        size: u64,
        /// A 64-bit hash of its bytes (Fx steps, then a splitmix64 finaliser).
        hash: u64,
    },
}

impl BaseKey {
    /// The key of the base at `path`; `None` when it cannot be read or
    /// has not settled (then nothing read on it is cached).
    fn of(path: &Path) -> Option<BaseKey> {
        // Regular files only: a FIFO or device would block or never end.
        let (mut file, meta) = crate::read::open_regular(path).ok()?;
        let mut magic = [0u8; 2];
        file.read_exact(&mut magic).ok()?;
        if matches!(magic, [0x9f, 0xeb] | [0xeb, 0x9f]) {
            let mut data = magic.to_vec();
            (&mut file)
                .take(meta.len().min(super::bytes::MAX_READ))
                .read_to_end(&mut data)
                .ok()?;
            return Some(BaseKey::Content {
                size: data.len() as u64,
                hash: hash(&data),
            });
        }
        match Stamp::of(path)? {
            (stamp, true) => Some(BaseKey::File(stamp)),
            (_, false) => None,
        }
    }
}

/// A 64-bit hash of `data`, the same on every run and machine: the Fx
/// multiply-rotate steps are bijective for a fixed length, so a change
/// confined to one word always changes the result, then a final mix.
fn hash(data: &[u8]) -> u64 {
    let mut h = Fx::default();
    h.write_u64(data.len() as u64);
    h.write(data);
    // The splitmix64 finaliser, so that every output bit depends on every
    // input bit (the hash also names files).
    let mut z = h.finish();
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Who wrote a cache file; a file from anyone else is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Writer {
    format: u32,
    version: String,
    /// The running executable's stamp, when it can be found.
    exe: Option<Stamp>,
}

impl Writer {
    fn current() -> Writer {
        Writer {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            exe: std::env::current_exe()
                .ok()
                .and_then(|p| Stamp::of(&p))
                .map(|(s, _)| s),
        }
    }
}

/// The inputs of one command line, as canonical paths.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Scope {
    btf: Option<String>,
    base: Option<String>,
    modules: Vec<String>,
}

/// A main input or a module named on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct InputEntry {
    stamp: Stamp,
    /// Read on the base (`Store::base`).
    split: bool,
    report: FileReport,
}

/// A module found in a directory, always read on the base; `None`: no
/// kfunc set, the common case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ModuleEntry {
    stamp: Stamp,
    report: Option<FileReport>,
}

/// One cache file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Store {
    writer: Writer,
    scope: Scope,
    /// The base that the split entries were read on.
    base: Option<BaseKey>,
    /// By canonical path.
    inputs: BTreeMap<String, InputEntry>,
    /// By canonical directory, then path inside it.
    modules: BTreeMap<String, BTreeMap<String, ModuleEntry>>,
}

impl Store {
    fn empty(writer: Writer, scope: Scope) -> Store {
        Store {
            writer,
            scope,
            base: None,
            inputs: BTreeMap::new(),
            modules: BTreeMap::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.inputs.is_empty() && self.modules.is_empty()
    }
}

/// Where an entry is filed.
#[derive(Debug, Clone)]
enum Slot {
    Input { path: String, split: bool },
    Module { dir: String, rel: String },
}

/// A file that was not in the cache, for [`ReportCache::put`] once read.
#[derive(Debug)]
pub struct Ticket {
    /// Where, and the stamp taken before reading; `None`: not cacheable.
    to: Option<(Slot, Stamp)>,
}

/// The answer of a lookup.
#[derive(Debug)]
pub enum Lookup<T> {
    /// The file is unchanged since its report was cached.
    Hit(T),
    /// Read the file, then [`ReportCache::put`] its report.
    Miss(Ticket),
}

/// The cache for one run: the file of its command line, loaded.
#[derive(Debug)]
pub struct ReportCache {
    /// `None`: no cache this run.
    file: Option<PathBuf>,
    /// Entries as loaded, not yet used this run.
    old: Store,
    /// Entries used or added this run: what is written back.
    next: Store,
    /// The key of the base modules are read on, as it is now.
    base_now: Option<BaseKey>,
    /// Something in `next` differs from the file on disk.
    changed: bool,
    canonical: BTreeMap<PathBuf, String>,
}

impl ReportCache {
    /// No cache: every lookup misses, nothing is written.
    pub fn disabled() -> ReportCache {
        let nobody = || Writer {
            format: FORMAT,
            version: String::new(),
            exe: None,
        };
        ReportCache {
            file: None,
            old: Store::empty(nobody(), Scope::default()),
            next: Store::empty(nobody(), Scope::default()),
            base_now: None,
            changed: false,
            canonical: BTreeMap::new(),
        }
    }

    /// The cache in `dir` for reading `btf` (on `base`) and `modules`, the
    /// arguments of `built::read`. Disabled when an argument cannot be
    /// canonicalised (the read will report it) or is not UTF-8.
    pub fn open(
        dir: &Path,
        btf: Option<&Path>,
        base: Option<&Path>,
        modules: &[PathBuf],
    ) -> ReportCache {
        Self::try_open(dir, btf, base, modules).unwrap_or_else(Self::disabled)
    }

    fn try_open(
        dir: &Path,
        btf: Option<&Path>,
        base: Option<&Path>,
        modules: &[PathBuf],
    ) -> Option<ReportCache> {
        let mut canonical = BTreeMap::new();
        let mut canon = |p: &Path| -> Option<String> {
            let c = std::fs::canonicalize(p)
                .ok()?
                .into_os_string()
                .into_string()
                .ok()?;
            canonical.insert(p.to_path_buf(), c.clone());
            Some(c)
        };
        let btf_key = match btf {
            Some(p) => Some(canon(p)?),
            None => None,
        };
        let base_key = match base {
            Some(p) => Some(canon(p)?),
            None => None,
        };
        let modules_key = modules
            .iter()
            .map(|m| canon(m))
            .collect::<Option<Vec<_>>>()?;
        let scope = Scope {
            btf: btf_key,
            base: base_key,
            modules: modules_key,
        };
        let writer = Writer::current();
        let name = format!("{:016x}.json", hash(&serde_json::to_vec(&scope).ok()?));
        let file = dir.join(name);
        let (mut old, mut changed) = match load(&file) {
            Some(s) if s.writer == writer && s.scope == scope => (s, false),
            // Absent: nothing to overwrite unless something is added.
            None if !file.exists() => (Store::empty(writer.clone(), scope.clone()), false),
            _ => (Store::empty(writer.clone(), scope.clone()), true),
        };
        // Modules are read on --btf-base, else on the main input.
        let on = base.or(if modules.is_empty() { None } else { btf });
        let base_now = on.and_then(BaseKey::of);
        if old.base.is_none() || old.base != base_now {
            // Read on another base (or one that was never read): of no use.
            changed |= !old.modules.is_empty() || old.inputs.values().any(|e| e.split);
            old.modules.clear();
            old.inputs.retain(|_, e| !e.split);
            old.base = None;
        }
        let next = Store {
            base: old.base.clone(),
            ..Store::empty(writer, scope)
        };
        Some(ReportCache {
            file: Some(file),
            old,
            next,
            base_now,
            changed,
            canonical,
        })
    }

    /// The base is as it was when the cached split entries were read on
    /// it, which was then read without error.
    pub fn base_trusted(&self) -> bool {
        self.next.base.is_some()
    }

    /// The base has just been read without error: split reports read on
    /// it from now on may be cached.
    pub fn base_read(&mut self) {
        if self.next.base != self.base_now {
            self.next.base = self.base_now.clone();
            self.changed = true;
        }
    }

    /// Looks up the input `path` (an argument of [`ReportCache::open`]),
    /// read on the base when `split`.
    pub fn input(&mut self, path: &Path, split: bool) -> Lookup<FileReport> {
        let Some(key) = self.canonical.get(path).cloned() else {
            return Lookup::Miss(Ticket { to: None });
        };
        let Some((stamp, settled)) = self.stamp(path) else {
            return Lookup::Miss(Ticket { to: None });
        };
        if !split || self.base_trusted() {
            let fresh = |e: &InputEntry| e.stamp == stamp && e.split == split;
            if let Some(e) = self.next.inputs.get(&key).filter(|e| fresh(e)) {
                return Lookup::Hit(e.report.clone());
            }
            if let Some(e) = self.old.inputs.remove(&key) {
                if fresh(&e) {
                    let report = e.report.clone();
                    self.next.inputs.insert(key, e);
                    return Lookup::Hit(report);
                }
                // Stale: dropped.
                self.changed = true;
            }
        }
        let slot = Slot::Input { path: key, split };
        Lookup::Miss(Ticket {
            to: settled.then_some((slot, stamp)),
        })
    }

    /// Looks up the module `path` found in the directory `dir` (an
    /// argument of [`ReportCache::open`]): `Hit(None)` for a module
    /// without kfunc sets.
    pub fn module(&mut self, dir: &Path, path: &Path) -> Lookup<Option<FileReport>> {
        let dir_key = self.canonical.get(dir);
        let rel = path.strip_prefix(dir).ok().and_then(Path::to_str);
        let (Some(dir_key), Some(rel)) = (dir_key.cloned(), rel) else {
            return Lookup::Miss(Ticket { to: None });
        };
        let Some((stamp, settled)) = self.stamp(path) else {
            return Lookup::Miss(Ticket { to: None });
        };
        if self.base_trusted() {
            let next = self.next.modules.entry(dir_key.clone()).or_default();
            if let Some(e) = next.get(rel).filter(|e| e.stamp == stamp) {
                return Lookup::Hit(e.report.clone());
            }
            if let Some(e) = self
                .old
                .modules
                .get_mut(&dir_key)
                .and_then(|m| m.remove(rel))
            {
                if e.stamp == stamp {
                    let report = e.report.clone();
                    next.insert(rel.to_string(), e);
                    return Lookup::Hit(report);
                }
                self.changed = true;
            }
        }
        let slot = Slot::Module {
            dir: dir_key,
            rel: rel.to_string(),
        };
        Lookup::Miss(Ticket {
            to: settled.then_some((slot, stamp)),
        })
    }

    /// The stamp of `path`, when the cache is in use.
    fn stamp(&self, path: &Path) -> Option<(Stamp, bool)> {
        self.file.as_ref()?;
        Stamp::of(path)
    }

    /// Caches the report of a file that missed, read after its lookup:
    /// `None` for a module without kfunc sets. Raw BTF is not cached, nor
    /// anything split unless the base was read or trusted.
    pub fn put(&mut self, ticket: Ticket, report: Option<&FileReport>) {
        let Some((slot, stamp)) = ticket.to else {
            return;
        };
        if report.is_some_and(|r| r.kind == InputKind::RawBtf) {
            return;
        }
        match slot {
            Slot::Input { path, split } => {
                let Some(report) = report else { return };
                if split && !self.base_trusted() {
                    return;
                }
                self.next.inputs.insert(
                    path,
                    InputEntry {
                        stamp,
                        split,
                        report: report.clone(),
                    },
                );
            }
            Slot::Module { dir, rel } => {
                if !self.base_trusted() {
                    return;
                }
                self.next.modules.entry(dir).or_default().insert(
                    rel,
                    ModuleEntry {
                        stamp,
                        report: report.cloned(),
                    },
                );
            }
        }
        self.changed = true;
    }

    /// Writes the entries used or added this run, when they differ from
    /// the file; entries not looked at (their files are gone) are dropped.
    /// Failing to write is not an error: the next run reads everything.
    pub fn save(mut self) {
        let Some(file) = self.file.take() else { return };
        let stale =
            self.old.inputs.len() + self.old.modules.values().map(BTreeMap::len).sum::<usize>();
        if !self.changed && stale == 0 {
            return;
        }
        self.next.modules.retain(|_, m| !m.is_empty());
        if self.next.is_empty() && !file.exists() {
            return;
        }
        let _ = write_atomic(&file, &self.next);
    }
}

/// The store in `file`, or `None` when it is absent, too large, corrupt or
/// not a store.
fn load(file: &Path) -> Option<Store> {
    let (f, meta) = crate::read::open_regular(file).ok()?;
    if meta.len() > MAX_FILE {
        return None;
    }
    let mut data = Vec::new();
    f.take(MAX_FILE).read_to_end(&mut data).ok()?;
    serde_json::from_slice(&data).ok()
}

/// Writes `store` to a temporary file beside `file` and renames it over.
fn write_atomic(file: &Path, store: &Store) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let data = serde_json::to_vec(store).map_err(std::io::Error::other)?;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("cache");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(&data))
        .and_then(|()| std::fs::rename(&tmp, file));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_directory_follows_xdg() {
        let d = |x: Option<&str>, h: Option<&str>| dir_from(x.map(Into::into), h.map(Into::into));
        assert_eq!(
            d(Some("/x"), Some("/home/u")),
            Some(PathBuf::from("/x/kfuncdoc/reports"))
        );
        assert_eq!(
            d(Some("rel"), Some("/home/u")),
            Some(PathBuf::from("/home/u/.cache/kfuncdoc/reports"))
        );
        assert_eq!(
            d(None, Some("/home/u")),
            Some(PathBuf::from("/home/u/.cache/kfuncdoc/reports"))
        );
        assert_eq!(d(Some(""), None), None);
        assert_eq!(d(None, Some("")), None);
    }

    #[test]
    fn hashes_are_stable_and_see_one_changed_byte() {
        // Fixed values: file names must not change between runs or builds.
        assert_eq!(hash(b""), hash(b""));
        let a = vec![7u8; 4099];
        for i in [0, 8, 4090, 4098] {
            let mut b = a.clone();
            b[i] ^= 1;
            assert_ne!(hash(&a), hash(&b), "{i}");
        }
        assert_ne!(hash(b"ab"), hash(b"ab\0"));
    }

    #[test]
    fn foreign_and_broken_files_load_as_nothing() {
        let d = std::env::temp_dir().join(format!("kfuncdoc-cache-load-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let f = d.join("x.json");
        for bad in [
            &b""[..],
            b"{",
            b"[]",
            b"{\"format\": 1}",
            b"\xff\xfe",
            b"null",
        ] {
            std::fs::write(&f, bad).unwrap();
            assert!(load(&f).is_none());
        }
        let s = Store::empty(Writer::current(), Scope::default());
        write_atomic(&f, &s).unwrap();
        assert_eq!(load(&f), Some(s));
        let _ = std::fs::remove_dir_all(&d);
    }
}
