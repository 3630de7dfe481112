//! The scratch tree: the part of a commit's tree that extraction reads,
//! written to a temporary directory so that the ordinary source extractor
//! ([`crate::source::extract`]) runs on it unchanged.
//!
//! A kernel tree has ~60,000 C files; a few hundred decide the catalog.
//! The scratch tree holds every directory (MAINTAINERS patterns and the
//! usage scan test directories for existence) and these files:
//! - the files the extractor reads by path ([`BY_PATH`]);
//! - every `.c`/`.h` file containing one of the extractor's needles
//!   ([`crate::source::NEEDLES`]), and the headers beside them (quoted
//!   includes);
//! - the headers `#include <...>` resolves to (`include/`,
//!   `arch/x86/include/`), which the search for set macros follows;
//! - every C file of the selftests and samples (the usage count);
//! - every `.c` file that mentions, as a whole word, a name the extractor
//!   searches the whole tree for (a kfunc with no definition among the
//!   files above: an existing kernel function registered as a kfunc).
//!
//! Blobs are looked at once each (cached by object id); moving from one
//! commit to another rewrites only the files whose blob changed. Nothing
//! here runs `git`: objects are read with `gix`.

use super::GitError;
use aho_corasick::AhoCorasick;
use gix::ObjectId;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Files the extractor reads by their path (`src/source/mod.rs`).
pub const BY_PATH: &[&str] = &[
    "Makefile",
    "MAINTAINERS",
    "include/linux/btf.h",
    "kernel/bpf/btf.c",
    "kernel/bpf/verifier.c",
    "kernel/bpf/syscall.c",
    "scripts/kernel-doc",
    "tools/bpf/resolve_btfids/main.c",
];

/// Where `#include <x>` is looked up (`src/source/includes.rs`).
const INCLUDE_DIRS: &[&str] = &["include/", "arch/x86/include/"];

/// What kind of tree entry a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A regular (or executable) file.
    File,
    /// A symbolic link (its blob is the target).
    Link,
}

/// Every file and directory of one commit's tree.
#[derive(Debug, Default, Clone)]
pub struct Index {
    /// Every blob entry, by path.
    pub files: BTreeMap<String, (ObjectId, Kind)>,
    /// Every directory, by path.
    pub dirs: BTreeSet<String>,
}

type Entries = Arc<Vec<(String, ObjectId, Option<Kind>)>>;

/// What is known about one blob.
#[derive(Debug, Clone, Copy, Default)]
struct BlobFacts {
    needle: bool,
    /// How many of [`Scratch::names`] were checked, and whether one was found.
    names_checked: usize,
    has_name: bool,
}

/// The scratch directory and what is in it.
pub struct Scratch {
    root: PathBuf,
    /// What is written: path → blob.
    written: BTreeMap<String, (ObjectId, Kind)>,
    dirs: BTreeSet<String>,
    trees: HashMap<ObjectId, Entries>,
    blobs: HashMap<ObjectId, BlobFacts>,
    needles: AhoCorasick,
    /// Names searched in every `.c` file, in the order they were added.
    names: Vec<String>,
    name_search: Option<AhoCorasick>,
    /// Blob reads, for the progress line.
    pub reads: usize,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn is_c(p: &str) -> bool {
    p.ends_with(".c") || p.ends_with(".h")
}

fn parent(p: &str) -> &str {
    p.rsplit_once('/').map_or("", |(d, _)| d)
}

/// `work` on every item of `items`, on all cores, each thread with its own
/// handle on the repository (a handle is not shared between threads); the
/// outputs in the order of `items`. Threads take runs of neighbouring items:
/// blobs of neighbouring paths are often deltas of each other in a pack,
/// and a handle's cache of delta bases only helps when it sees them in a row.
fn par_map<T: Sync, R: Send>(
    repo: &gix::Repository,
    items: &[T],
    work: impl Fn(&gix::Repository, &T) -> R + Sync,
) -> Vec<R> {
    const RUN: usize = 256;
    let threads = crate::source::walk::threads().min(items.len().div_ceil(RUN));
    if threads <= 1 {
        return items.iter().map(|i| work(repo, i)).collect();
    }
    let shared = repo.clone().into_sync();
    let next = AtomicUsize::new(0);
    let out = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let repo = shared.to_thread_local();
                let mut mine = Vec::new();
                loop {
                    let start = next.fetch_add(RUN, Ordering::Relaxed);
                    if start >= items.len() {
                        break;
                    }
                    for (i, item) in items.iter().enumerate().skip(start).take(RUN) {
                        mine.push((i, work(&repo, item)));
                    }
                }
                out.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
            });
        }
    });
    let mut out = out.into_inner().unwrap_or_else(|e| e.into_inner());
    out.sort_unstable_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// The content of blob `id`.
fn read_blob(repo: &gix::Repository, id: ObjectId) -> Result<Vec<u8>, GitError> {
    let mut blob = repo
        .find_blob(id)
        .map_err(|e| GitError::object(repo, id, e))?;
    Ok(blob.take_data())
}

/// Whether `hay` contains one of `ac`'s patterns as a whole identifier.
fn has_word(ac: &AhoCorasick, hay: &[u8]) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    ac.find_overlapping_iter(hay).any(|m| {
        (m.start() == 0 || !ident(hay[m.start() - 1]))
            && hay.get(m.end()).is_none_or(|&b| !ident(b))
    })
}

impl Scratch {
    /// A new, empty scratch directory under the system's temporary directory.
    pub fn new() -> Result<Scratch, GitError> {
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!("kfuncdoc-git-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).map_err(|e| GitError::scratch(&root, e))?;
        let needles = AhoCorasick::new(crate::source::NEEDLES)
            .map_err(|e| GitError::scratch(&root, std::io::Error::other(e)))?;
        Ok(Scratch {
            root,
            written: BTreeMap::new(),
            dirs: BTreeSet::new(),
            trees: HashMap::new(),
            blobs: HashMap::new(),
            needles,
            names: Vec::new(),
            name_search: None,
            reads: 0,
        })
    }

    /// The directory the extractor is run on.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The entries of tree `id`, decoded once.
    fn tree(&mut self, repo: &gix::Repository, id: ObjectId) -> Result<Entries, GitError> {
        if let Some(e) = self.trees.get(&id) {
            return Ok(e.clone());
        }
        let tree = repo
            .find_tree(id)
            .map_err(|e| GitError::object(repo, id, e))?;
        let decoded = tree.decode().map_err(|e| GitError::object(repo, id, e))?;
        let mut out = Vec::with_capacity(decoded.entries.len());
        for e in &decoded.entries {
            let name = String::from_utf8_lossy(e.filename).into_owned();
            // A hostile tree may name entries `..` or `a/b`: never written.
            if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
                continue;
            }
            let kind = if e.mode.is_tree() {
                None
            } else if e.mode.is_link() {
                Some(Kind::Link)
            } else if e.mode.is_blob() {
                Some(Kind::File)
            } else {
                continue; // submodules
            };
            out.push((name, e.oid.to_owned(), kind));
        }
        let out = Arc::new(out);
        self.trees.insert(id, out.clone());
        Ok(out)
    }

    /// Every file and directory below tree `id`.
    pub fn index(&mut self, repo: &gix::Repository, id: ObjectId) -> Result<Index, GitError> {
        let mut index = Index::default();
        let mut stack = vec![(String::new(), id)];
        while let Some((prefix, id)) = stack.pop() {
            for (name, oid, kind) in self.tree(repo, id)?.iter() {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}/{name}")
                };
                match kind {
                    None => {
                        // Hidden directories (.git, .github) are skipped by the walk.
                        if !name.starts_with('.') {
                            index.dirs.insert(path.clone());
                            stack.push((path, *oid));
                        }
                    }
                    Some(k) => {
                        index.files.insert(path, (*oid, *k));
                    }
                }
            }
        }
        Ok(index)
    }

    fn read(&mut self, repo: &gix::Repository, id: ObjectId) -> Result<Vec<u8>, GitError> {
        self.reads += 1;
        read_blob(repo, id)
    }

    /// Learns the facts [`Scratch::wanted`] needs of the blobs of `index`
    /// on all cores (a 7.x tree has ~60,000 C files to look at once).
    fn learn(&mut self, repo: &gix::Repository, index: &Index) -> Result<(), GitError> {
        // In path order (see `par_map`), each blob once.
        let mut todo: Vec<(ObjectId, bool)> = Vec::new();
        let mut at: HashMap<ObjectId, usize> = HashMap::new();
        for (path, &(id, kind)) in &index.files {
            if kind != Kind::File || !(is_c(path) || BY_PATH.contains(&path.as_str())) {
                continue;
            }
            let names = path.ends_with(".c");
            let known = self.blobs.get(&id);
            if known.is_none_or(|f| names && f.names_checked != self.names.len()) {
                match at.get(&id) {
                    Some(&i) => todo[i].1 |= names,
                    None => {
                        at.insert(id, todo.len());
                        todo.push((id, names));
                    }
                }
            }
        }
        let (blobs, needles) = (&self.blobs, &self.needles);
        let (name_search, names_len) = (self.name_search.as_ref(), self.names.len());
        let learned = par_map(repo, &todo, |repo, &(id, names)| {
            let data = read_blob(repo, id)?;
            let mut f = blobs.get(&id).copied().unwrap_or(BlobFacts {
                needle: needles.is_match(&data[..]),
                ..BlobFacts::default()
            });
            if names {
                if !f.has_name
                    && let Some(ac) = name_search
                {
                    f.has_name = has_word(ac, &data);
                }
                f.names_checked = names_len;
            }
            Ok::<_, GitError>((id, f))
        });
        self.reads += todo.len();
        for r in learned {
            let (id, f) = r?;
            self.blobs.insert(id, f);
        }
        Ok(())
    }

    /// The facts of blob `id`, reading it only when something is not known.
    /// Names are searched in `.c` files only (`names`), as the extractor does.
    fn facts(
        &mut self,
        repo: &gix::Repository,
        id: ObjectId,
        names: bool,
    ) -> Result<BlobFacts, GitError> {
        let known = self.blobs.get(&id).copied();
        if let Some(f) = known
            && (!names || f.names_checked == self.names.len())
        {
            return Ok(f);
        }
        let data = self.read(repo, id)?;
        let mut f = known.unwrap_or(BlobFacts {
            needle: self.needles.is_match(&data[..]),
            ..BlobFacts::default()
        });
        if !names {
            self.blobs.insert(id, f);
            return Ok(f);
        }
        if !f.has_name
            && let Some(ac) = &self.name_search
        {
            f.has_name = has_word(ac, &data);
        }
        f.names_checked = self.names.len();
        self.blobs.insert(id, f);
        Ok(f)
    }

    /// Adds names to search every `.c` file for; returns whether one is new.
    pub fn add_names(&mut self, names: impl IntoIterator<Item = String>) -> bool {
        let before = self.names.len();
        for n in names {
            if !self.names.contains(&n) {
                self.names.push(n);
            }
        }
        if self.names.len() == before {
            return false;
        }
        self.name_search = AhoCorasick::new(&self.names).ok();
        // Blobs that already have a name keep it; the others are looked at again.
        for f in self.blobs.values_mut() {
            if f.has_name {
                f.names_checked = self.names.len();
            }
        }
        true
    }

    /// The files of `index` that the extractor may read.
    fn wanted(
        &mut self,
        repo: &gix::Repository,
        index: &Index,
    ) -> Result<BTreeMap<String, (ObjectId, Kind)>, GitError> {
        self.learn(repo, index)?;
        let mut out = BTreeMap::new();
        let mut needle_dirs = BTreeSet::new();
        for (path, &(id, kind)) in &index.files {
            let by_path = BY_PATH.contains(&path.as_str());
            if kind == Kind::Link {
                // Links are reported by the walk; they cost nothing to keep.
                out.insert(path.clone(), (id, kind));
                continue;
            }
            if !is_c(path) && !by_path {
                continue;
            }
            let static_rule = by_path
                || crate::source::usage::SELFTESTS
                    .iter()
                    .chain(&crate::source::usage::SAMPLES)
                    .any(|d| path.starts_with(d))
                || (path.ends_with(".h") && INCLUDE_DIRS.iter().any(|d| path.starts_with(d)));
            let f = self.facts(repo, id, path.ends_with(".c"))?;
            if f.needle {
                needle_dirs.insert(parent(path).to_string());
            }
            if static_rule || f.needle || (f.has_name && path.ends_with(".c")) {
                out.insert(path.clone(), (id, kind));
            }
        }
        for (path, &(id, kind)) in &index.files {
            if path.ends_with(".h") && needle_dirs.contains(parent(path)) {
                out.insert(path.clone(), (id, kind));
            }
        }
        Ok(out)
    }

    /// Makes the scratch directory hold the wanted part of `index`; returns
    /// whether anything changed since the last call.
    pub fn sync(&mut self, repo: &gix::Repository, index: &Index) -> Result<bool, GitError> {
        let wanted = self.wanted(repo, index)?;
        let mut changed = false;
        // Directories first (new ones), so that files can be written.
        for d in index.dirs.difference(&self.dirs.clone()) {
            let p = self.root.join(d);
            std::fs::create_dir_all(&p).map_err(|e| GitError::scratch(&p, e))?;
            changed = true;
        }
        let gone: Vec<String> = self
            .written
            .keys()
            .filter(|p| !wanted.contains_key(*p))
            .cloned()
            .collect();
        for p in gone {
            let full = self.root.join(&p);
            std::fs::remove_file(&full).map_err(|e| GitError::scratch(&full, e))?;
            self.written.remove(&p);
            changed = true;
        }
        let mut todo = Vec::new();
        for (path, &(id, kind)) in &wanted {
            if self.written.get(path) == Some(&(id, kind)) {
                continue;
            }
            // A file that stays a file is rewritten in place: creating an
            // inode costs more than truncating one on a busy ext4.
            let old = self.written.remove(path);
            if old.is_some_and(|(_, k)| k == Kind::Link || kind == Kind::Link) {
                let full = self.root.join(path);
                std::fs::remove_file(&full).map_err(|e| GitError::scratch(&full, e))?;
            }
            todo.push((path, id, kind));
        }
        // Read and written on all cores: the first tag writes ~9,000 files.
        let root = &self.root;
        let done = par_map(repo, &todo, |repo, &(path, id, kind)| {
            let data = read_blob(repo, id)?;
            let full = root.join(path);
            match kind {
                Kind::File => std::fs::write(&full, &data),
                #[cfg(unix)]
                Kind::Link => std::os::unix::fs::symlink(
                    std::ffi::OsStr::new(&*String::from_utf8_lossy(&data)),
                    &full,
                ),
                #[cfg(not(unix))]
                Kind::Link => Ok(()),
            }
            .map_err(|e| GitError::scratch(&full, e))
        });
        self.reads += todo.len();
        changed |= !todo.is_empty();
        let mut failed = None;
        for (&(path, id, kind), r) in todo.iter().zip(done) {
            match r {
                Ok(()) => {
                    self.written.insert(path.clone(), (id, kind));
                }
                Err(e) => failed = failed.or(Some(e)),
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
        // Directories that went, deepest first (their files are gone).
        let old_dirs: Vec<String> = self.dirs.difference(&index.dirs).cloned().collect();
        for d in old_dirs.iter().rev() {
            let p = self.root.join(d);
            let _ = std::fs::remove_dir_all(&p);
            changed = true;
        }
        if !old_dirs.is_empty() {
            let root = self.root.clone();
            self.written.retain(|p, _| root.join(p).exists());
        }
        self.dirs = index.dirs.clone();
        Ok(changed)
    }

    /// A digest of what the scratch directory holds: equal digests, equal
    /// catalogs.
    pub fn digest(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.written.hash(&mut h);
        self.dirs.hash(&mut h);
        h.finish()
    }

    /// The blob id of each regular file written, by path: the content ids
    /// of [`crate::source::Memo::set_ids`].
    pub fn ids(&self) -> impl Iterator<Item = (String, Vec<u8>)> + '_ {
        self.written
            .iter()
            .filter(|(_, (_, kind))| *kind == Kind::File)
            .map(|(p, (id, _))| (p.clone(), id.as_bytes().to_vec()))
    }

    /// The symbolic links written, and every directory: with [`Scratch::ids`],
    /// the whole scratch tree ([`crate::source::Memo::set_listing`]).
    pub fn listing(&self) -> (Vec<String>, Vec<String>) {
        let links = self
            .written
            .iter()
            .filter(|(_, (_, kind))| *kind == Kind::Link)
            .map(|(p, _)| p.clone());
        (links.collect(), self.dirs.iter().cloned().collect())
    }

    /// How many files are written.
    pub fn len(&self) -> usize {
        self.written.len()
    }

    /// Whether nothing is written.
    pub fn is_empty(&self) -> bool {
        self.written.is_empty()
    }
}
