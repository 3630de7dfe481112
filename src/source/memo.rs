//! What extractions learned about a tree's files, kept for the next
//! extraction of a tree that shares most of them (issue 12: `history --git`
//! reads tag after tag, and bisection a few commits between two tags, and
//! must cost what the files that changed cost, not a tree each).
//!
//! The memo is keyed by content: the caller states the content id of each
//! regular file of the tree ([`Memo::set_ids`]; a git blob id for the
//! scratch tree of [`crate::history::git`]), and a fact learned about a file
//! is reused only while its path has the same id. Remembered, per file:
//! - the outcome of each needle search (the walk's kfunc needles, the
//!   targeted passes' names, the usage scan's kfunc names), so an unchanged
//!   file is not opened again;
//! - its parsed facts ([`scan::scan`], kernel-doc comments included);
//! - its bytes when the extractor reads it by path (tables, `MAINTAINERS`,
//!   headers followed through `#include`).
//!
//! A file whose id is not stated is read and parsed every time and nothing
//! about it is kept: a fresh memo ([`Memo::new`], what
//! [`crate::source::extract`] uses) changes nothing. A caller that states
//! the whole tree ([`Memo::set_listing`]: the ids are every regular file,
//! plus the tree's links and directories) also spares the extractor the
//! look-ups of files that are not there (the include search tries several
//! directories for each header; each miss resolves a path, component by
//! component, in the kernel). What this module must
//! not do: trust anything but the id (no mtimes, no sizes), or keep facts
//! of needle sets the last extraction did not use (memory stays at about
//! one extraction's matches).

use super::scan::{self, FileFacts};
use super::treefile::{self, TreeFile};
use super::walk::Found;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A file's content id: equal ids, equal bytes (a git object id).
pub type ContentId = Vec<u8>;

/// A remembered search: the file's id, the extraction that last used it,
/// the outcome.
type Searched = (ContentId, u64, Option<Found>);

/// Facts of files across extractions; see the module documentation.
#[derive(Debug, Default)]
pub struct Memo {
    /// Content id of each regular file of the tree being read, by path.
    ids: HashMap<String, ContentId>,
    /// Which extraction this is (entries carry the last one that used them).
    generation: u64,
    /// (needle set, path) → (id, extraction that last used it, outcome).
    searches: Mutex<HashMap<(u64, String), Searched>>,
    /// path → (id, facts).
    scans: ByPath<FileFacts>,
    /// path → (id, bytes), for files read by path.
    reads: ByPath<Vec<u8>>,
    /// Facts reused instead of reading or parsing, for tests and progress.
    hits: AtomicUsize,
    /// The rest of the tree when the ids are all of its regular files.
    listing: Option<Listing>,
}

/// The entries of a tree that are not regular files (see [`Memo::set_listing`]).
#[derive(Debug, Default)]
struct Listing {
    links: HashSet<String>,
    dirs: HashSet<String>,
}

impl Listing {
    /// Whether `rel` is certainly not in the tree: not a stated file (the
    /// caller checked), not a directory, and reached through no link.
    fn absent(&self, rel: &str) -> bool {
        // Only a plain path is looked up in the listing (`a/../b` may well
        // be there).
        if self.dirs.contains(rel) || rel.split('/').any(|c| matches!(c, "" | "." | "..")) {
            return false;
        }
        let mut at = rel;
        loop {
            if self.links.contains(at) {
                return false;
            }
            match at.rsplit_once('/') {
                Some((parent, _)) => at = parent,
                None => return true,
            }
        }
    }
}

impl Memo {
    /// A memo that knows nothing: extraction with it is plain extraction.
    pub fn new() -> Memo {
        Memo::default()
    }

    /// States the content id of each regular file of the tree the next
    /// extraction reads (paths relative to the root, `/`-separated). A file
    /// not named is read afresh. Facts of needle sets that the extraction
    /// before did not use are dropped here.
    pub fn set_ids(&mut self, ids: impl IntoIterator<Item = (String, ContentId)>) {
        self.ids = ids.into_iter().collect();
        self.listing = None;
        let keep = self.generation;
        self.generation += 1;
        self.searches
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (_, used, _)| *used >= keep);
    }

    /// States that the ids of the last [`Memo::set_ids`] are every regular
    /// file of the tree, whose other entries are `links` (symbolic links)
    /// and `dirs` (directories): a path that is none of them, and is not
    /// reached through one of the links, is absent and not looked up. Holds
    /// until the next `set_ids`.
    pub fn set_listing(
        &mut self,
        links: impl IntoIterator<Item = String>,
        dirs: impl IntoIterator<Item = String>,
    ) {
        self.listing = Some(Listing {
            links: links.into_iter().collect(),
            dirs: dirs.into_iter().collect(),
        });
    }

    /// How many times a fact was reused instead of read or parsed.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    fn id(&self, rel: &str) -> Option<&ContentId> {
        self.ids.get(rel)
    }

    fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    /// The outcome of searching `rel` with the needle set `key`: remembered,
    /// or `search()`.
    pub(crate) fn search(
        &self,
        key: u64,
        rel: &str,
        search: impl FnOnce() -> Option<Found>,
    ) -> Option<Found> {
        let Some(id) = self.id(rel) else {
            return search();
        };
        let k = (key, rel.to_string());
        {
            let mut m = self.searches.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((known, used, found)) = m.get_mut(&k)
                && known == id
            {
                *used = self.generation;
                self.hit();
                return found.clone();
            }
        }
        let found = search();
        self.searches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(k, (id.clone(), self.generation, found.clone()));
        found
    }

    /// [`scan::scan`] of `rel`, whose content is `bytes`: remembered, or
    /// parsed.
    pub(crate) fn scan(&self, rel: &str, bytes: Vec<u8>) -> FileFacts {
        let Some(id) = self.id(rel) else {
            return scan::scan(rel, bytes);
        };
        if let Some(f) = self.recall(&self.scans, rel, id) {
            return f;
        }
        let f = scan::scan(rel, bytes);
        remember(&self.scans, rel, id, f.clone());
        f
    }

    /// [`treefile::read`] of `rel`: its bytes remembered while its id
    /// stays, else read (failures are never remembered).
    pub(crate) fn read(&self, tree: &Path, rel: &str) -> TreeFile {
        let Some(id) = self.id(rel) else {
            if self.listing.as_ref().is_some_and(|l| l.absent(rel)) {
                self.hit();
                return TreeFile::Missing;
            }
            return treefile::read(tree, rel);
        };
        if let Some(b) = self.recall(&self.reads, rel, id) {
            return TreeFile::Read(b);
        }
        let r = treefile::read(tree, rel);
        if let TreeFile::Read(b) = &r {
            remember(&self.reads, rel, id, b.clone());
        }
        r
    }

    /// What `map` holds for `rel` while its id is `id` (counted as a hit).
    fn recall<T: Clone>(&self, map: &ByPath<T>, rel: &str, id: &ContentId) -> Option<T> {
        let m = map.lock().unwrap_or_else(|e| e.into_inner());
        let (known, v) = m.get(rel)?;
        if known != id {
            return None;
        }
        self.hit();
        Some(v.clone())
    }
}

/// Facts of files by path, each with the content id it holds for.
type ByPath<T> = Mutex<HashMap<String, (ContentId, T)>>;

/// Keeps `v` for `rel` while its id is `id`.
fn remember<T>(map: &ByPath<T>, rel: &str, id: &ContentId, v: T) {
    map.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(rel.to_string(), (id.clone(), v));
}

#[cfg(test)]
mod tests;
