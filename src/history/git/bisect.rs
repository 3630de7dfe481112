//! The commit that introduced each change between two tags.
//!
//! The candidates are the commits of the first-parent path from the older
//! tag (excluded) to the newer (included): what mainline history looks
//! like, a chain of Linus' merges and direct commits. A change "holds" at
//! a commit when `diff(older release, catalog at the commit)` has an entry
//! with the same (kfunc, code). Assuming a change, once made, stays until
//! the newer tag (monotone), the first commit where it holds is found by
//! bisection, all pending changes at once: the middle commit is extracted
//! once and splits them. Catalogs are cached by scratch-tree content, so
//! commits that change no file extraction reads cost no extraction.

use super::{CommitRef, GitError, Reader, commit_info};
use crate::diff::{self, Diff, Options};
use crate::model::Catalog;
use crate::policy::Policy;
use gix::ObjectId;
use std::collections::{BTreeMap, BTreeSet};

/// The key of a change in [`super::GitRelease::commits`]: its kfunc (or
/// `""`) and its code's name.
pub fn key(c: &diff::Change) -> (String, String) {
    (
        c.kfunc.clone().unwrap_or_default(),
        c.code.name().to_string(),
    )
}

type Key = (String, String);

/// The first-parent path from `new` back to `old` (excluded), oldest
/// first; `None` when `old` is not on it.
fn first_parent_path(
    repo: &gix::Repository,
    old: ObjectId,
    new: ObjectId,
) -> Result<Option<Vec<(CommitRef, ObjectId)>>, GitError> {
    let mut out = Vec::new();
    let mut at = Some(new);
    while let Some(id) = at {
        if id == old {
            out.reverse();
            return Ok(Some(out));
        }
        let (c, tree, parent) = commit_info(repo, id)?;
        out.push((c, tree));
        at = parent;
    }
    Ok(None)
}

struct Search<'a, 'r> {
    reader: &'a mut Reader<'r>,
    prev: &'a Catalog,
    policy: &'a Policy,
    path: Vec<(CommitRef, ObjectId)>,
    found: BTreeMap<Key, CommitRef>,
}

impl Search<'_, '_> {
    fn holding(&mut self, i: usize) -> crate::Result<BTreeSet<Key>> {
        let cat = self.reader.catalog(self.path[i].1)?;
        let d = diff::diff(
            self.prev,
            &cat,
            self.policy,
            Options {
                include_test_only: true,
            },
        );
        Ok(d.changes.iter().map(key).collect())
    }

    /// Every change of `pending` holds at `hi` and none before `lo`.
    fn run(&mut self, lo: usize, hi: usize, pending: Vec<Key>) -> crate::Result<()> {
        if pending.is_empty() {
            return Ok(());
        }
        if lo >= hi {
            for k in pending {
                self.found.insert(k, self.path[hi].0.clone());
            }
            return Ok(());
        }
        let mid = lo + (hi - lo) / 2;
        let holds = self.holding(mid)?;
        let (early, late): (Vec<Key>, Vec<Key>) =
            pending.into_iter().partition(|k| holds.contains(k));
        self.run(lo, mid, early)?;
        self.run(mid + 1, hi, late)
    }
}

/// The introducing commit of each change of `changes` (from `prev`, the
/// catalog of commit `old`, to the catalog of commit `new`).
pub(crate) fn introducing(
    reader: &mut Reader<'_>,
    prev: &Catalog,
    changes: &Diff,
    old: ObjectId,
    new: ObjectId,
    policy: &Policy,
) -> crate::Result<BTreeMap<Key, CommitRef>> {
    // A finding that holds between the older release and itself (the
    // policy's `since` disagreeing with a release, say) was introduced by
    // no commit: it gets none.
    let always: BTreeSet<Key> = diff::diff(
        prev,
        prev,
        policy,
        Options {
            include_test_only: true,
        },
    )
    .changes
    .iter()
    .map(key)
    .collect();
    let keys: BTreeSet<Key> = changes
        .changes
        .iter()
        .map(key)
        .filter(|k| !always.contains(k))
        .collect();
    if keys.is_empty() {
        return Ok(BTreeMap::new());
    }
    let repo = reader.repo;
    let path = match first_parent_path(repo, old, new)? {
        Some(p) if !p.is_empty() => p,
        // The older tag is not on the newer one's first-parent path: no
        // commit can be told apart; every change gets the tag's commit.
        _ => {
            let (c, _, _) = commit_info(repo, new)?;
            return Ok(keys.into_iter().map(|k| (k, c.clone())).collect());
        }
    };
    let hi = path.len() - 1;
    let mut s = Search {
        reader,
        prev,
        policy,
        path,
        found: BTreeMap::new(),
    };
    s.run(0, hi, keys.into_iter().collect())?;
    Ok(s.found)
}
