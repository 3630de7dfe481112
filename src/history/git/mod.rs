//! Reading a kernel's history straight from a git repository (issue 12,
//! `kfuncdoc history --git`).
//!
//! Objects are read with `gix` (pure Rust): no checkout, no `git` process.
//! For each release tag the part of the tree that extraction reads is kept
//! in a scratch directory ([`scratch`]) and the ordinary source extractor
//! runs on it, so a catalog read from git is the catalog `extract --source`
//! gives on a checkout of the tag (the tests compare them on real trees).
//! Between two tags only the blobs that changed are looked at, and the
//! extractor, given one [`crate::source::Memo`] for the run and the blob id
//! of every scratch file, opens and parses only the files whose blob
//! changed: a later tag costs what its changed files cost.
//!
//! Between adjacent tags, the commit that introduced each change of
//! [`crate::diff::diff`] is found by bisection over the first-parent path
//! (`bisect`): a few extractions per tag, each on the small scratch tree.
//!
//! What this module must not do: write anywhere but its scratch directory,
//! or trust paths in the repository's trees (entries named `..` are
//! dropped).

mod bisect;
pub mod scratch;

pub use bisect::key as change_key;

use crate::diff::{self, Options};
use crate::kernel::KernelVersion;
use crate::model::Catalog;
use crate::policy::Policy;
use gix::ObjectId;
use scratch::Scratch;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub use super::model::CommitRef;

/// One release read from git.
#[derive(Debug, Clone)]
pub struct GitRelease {
    /// The tag, as named in the repository (`v6.12`).
    pub tag: String,
    /// The commit the tag peels to.
    pub commit: CommitRef,
    /// What `kfuncdoc extract --source` gives on that commit's tree.
    pub catalog: Catalog,
    /// For each change of `diff(previous release, this one)` (all kfuncs,
    /// test-only ones included), keyed by (kfunc name or `""`, code name):
    /// the first commit on the first-parent path from the previous tag
    /// after which the change holds. Empty for the first release; without
    /// the findings that hold between the previous release and itself
    /// (policy findings no commit introduced).
    pub commits: BTreeMap<(String, String), CommitRef>,
}

/// Which tags to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagSpec {
    /// `A..B`: every mainline release tag `vX.Y` from `A` to `B` inclusive,
    /// in version order (no `-rc`, no stable `vX.Y.Z`).
    Range(String, String),
    /// These tags, in this order.
    List(Vec<String>),
}

impl TagSpec {
    /// Parses `A..B` as a range and `A,B,C` (or one tag) as a list.
    pub fn parse(s: &str) -> TagSpec {
        match s.split_once("..") {
            Some((a, b)) => TagSpec::Range(a.to_string(), b.to_string()),
            None => TagSpec::List(
                s.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
        }
    }
}

/// Why a repository could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GitError {
    /// `repo` is not a git repository.
    #[error("{}: not a git repository: {message}", repo.display())]
    NotARepo {
        /// The path given.
        repo: PathBuf,
        /// What gix said.
        message: String,
    },
    /// A tag that the repository does not have.
    #[error("{}: no tag `{tag}`{suggestion}", repo.display())]
    NoTag {
        /// The repository.
        repo: PathBuf,
        /// The tag as given.
        tag: String,
        /// "; did you mean `v6.12`?", or nothing.
        suggestion: String,
    },
    /// A tag range that does not name two mainline releases in order.
    #[error("{}: tag range `{spec}`: {why}", repo.display())]
    BadRange {
        /// The repository.
        repo: PathBuf,
        /// The range as given.
        spec: String,
        /// What is wrong.
        why: &'static str,
    },
    /// An object that cannot be read or is not what a tag or tree says.
    #[error("{}: object {id}: {message}", repo.display())]
    Object {
        /// The repository.
        repo: PathBuf,
        /// The object.
        id: String,
        /// What gix said.
        message: String,
    },
    /// The scratch directory could not be written.
    #[error("{}: {source}", path.display())]
    Scratch {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

impl GitError {
    fn object(repo: &gix::Repository, id: ObjectId, e: impl std::fmt::Display) -> GitError {
        GitError::Object {
            repo: repo.git_dir().to_path_buf(),
            id: id.to_string(),
            message: e.to_string(),
        }
    }

    fn scratch(path: &Path, source: std::io::Error) -> GitError {
        GitError::Scratch {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A mainline release tag `vX.Y`, as a version.
fn release_tag(tag: &str) -> Option<KernelVersion> {
    let (major, minor) = tag.strip_prefix('v')?.split_once('.')?;
    let ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !ok(major) || !ok(minor) {
        return None;
    }
    Some(KernelVersion::new(major.parse().ok()?, minor.parse().ok()?))
}

/// Every tag name of the repository, sorted.
fn tag_names(repo: &gix::Repository, path: &Path) -> Result<Vec<String>, GitError> {
    let bad = |e: &dyn std::fmt::Display| GitError::NotARepo {
        repo: path.to_path_buf(),
        message: e.to_string(),
    };
    let refs = repo.references().map_err(|e| bad(&e))?;
    let mut out = Vec::new();
    for r in refs.tags().map_err(|e| bad(&e))? {
        let r = r.map_err(|e| bad(&e))?;
        out.push(r.name().shorten().to_string());
    }
    out.sort();
    Ok(out)
}

/// The tags `spec` names, checked to exist, in order.
fn select_tags(path: &Path, all: &[String], spec: &TagSpec) -> Result<Vec<String>, GitError> {
    let missing = |tag: &str| GitError::NoTag {
        repo: path.to_path_buf(),
        tag: tag.to_string(),
        suggestion: crate::suggest::did_you_mean(tag, all.iter().map(String::as_str)),
    };
    let has = |t: &str| all.iter().any(|a| a == t);
    match spec {
        TagSpec::List(tags) => {
            if tags.is_empty() {
                return Err(GitError::BadRange {
                    repo: path.to_path_buf(),
                    spec: String::new(),
                    why: "no tag given",
                });
            }
            for t in tags {
                if !has(t) {
                    return Err(missing(t));
                }
            }
            Ok(tags.clone())
        }
        TagSpec::Range(a, b) => {
            let bad = |why| GitError::BadRange {
                repo: path.to_path_buf(),
                spec: format!("{a}..{b}"),
                why,
            };
            for t in [a, b] {
                if !has(t) {
                    return Err(missing(t));
                }
            }
            let (Some(va), Some(vb)) = (release_tag(a), release_tag(b)) else {
                return Err(bad("both ends must be mainline release tags like v6.12"));
            };
            if va > vb {
                return Err(bad("the first tag is a later release than the last"));
            }
            let mut tags: Vec<(KernelVersion, &String)> = all
                .iter()
                .filter_map(|t| Some((release_tag(t)?, t)))
                .filter(|(v, _)| *v >= va && *v <= vb)
                .collect();
            tags.sort();
            Ok(tags.into_iter().map(|(_, t)| t.clone()).collect())
        }
    }
}

/// The commit `tag` peels to.
fn tag_commit(repo: &gix::Repository, path: &Path, tag: &str) -> Result<ObjectId, GitError> {
    let mut r = repo
        .find_reference(&format!("refs/tags/{tag}"))
        .map_err(|e| GitError::NotARepo {
            repo: path.to_path_buf(),
            message: e.to_string(),
        })?;
    let c = r.peel_to_commit().map_err(|e| GitError::Object {
        repo: path.to_path_buf(),
        id: tag.to_string(),
        message: e.to_string(),
    })?;
    Ok(c.id)
}

/// A commit's id, subject, tree and first parent.
fn commit_info(
    repo: &gix::Repository,
    id: ObjectId,
) -> Result<(CommitRef, ObjectId, Option<ObjectId>), GitError> {
    let c = repo
        .find_commit(id)
        .map_err(|e| GitError::object(repo, id, e))?;
    let subject = c
        .message()
        .map(|m| m.summary().to_string())
        .unwrap_or_default();
    let tree = c.tree_id().map_err(|e| GitError::object(repo, id, e))?;
    let parent = c.parent_ids().next().map(|p| p.detach());
    Ok((
        CommitRef {
            id: id.to_string(),
            subject,
        },
        tree.detach(),
        parent,
    ))
}

/// Catalogs of commits, through the scratch tree; extraction runs only when
/// the scratch tree's content is new, and then reuses, through `memo`, what
/// earlier extractions learned about the files whose blob is unchanged.
pub(crate) struct Reader<'r> {
    repo: &'r gix::Repository,
    scratch: Scratch,
    memo: crate::source::Memo,
    by_digest: HashMap<u64, Catalog>,
    /// Extractions run, for the progress line.
    pub extractions: usize,
}

impl Reader<'_> {
    /// The catalog of the tree of commit `id`.
    pub(crate) fn catalog(&mut self, tree: ObjectId) -> crate::Result<Catalog> {
        let index = self.scratch.index(self.repo, tree)?;
        loop {
            self.scratch.sync(self.repo, &index)?;
            let digest = self.scratch.digest();
            let catalog = match self.by_digest.get(&digest) {
                Some(c) => c.clone(),
                None => {
                    self.extractions += 1;
                    self.memo.set_ids(self.scratch.ids());
                    let (links, dirs) = self.scratch.listing();
                    self.memo.set_listing(links, dirs);
                    let c = crate::source::extract_with(self.scratch.root(), &mut self.memo)?;
                    self.by_digest.insert(digest, c.clone());
                    c
                }
            };
            // Kfuncs with no definition among the files: the extractor
            // searched every `.c` file of the tree for them; so must we.
            let undefined = catalog
                .kfuncs
                .iter()
                .filter(|k| k.definition.is_none())
                .map(|k| k.name.clone());
            if !self.scratch.add_names(undefined) {
                return Ok(catalog);
            }
        }
    }
}

/// Reads the releases `spec` names from the repository at `repo`, with the
/// commit that introduced each change between adjacent releases.
/// `progress` receives one line per step.
pub fn read_git(
    repo: &Path,
    spec: &TagSpec,
    policy: &Policy,
    progress: &dyn Fn(&str),
) -> crate::Result<Vec<GitRelease>> {
    let r = gix::open(repo).map_err(|e| GitError::NotARepo {
        repo: repo.to_path_buf(),
        message: e.to_string(),
    })?;
    let all = tag_names(&r, repo)?;
    let tags = select_tags(repo, &all, spec)?;
    let mut reader = Reader {
        repo: &r,
        scratch: Scratch::new()?,
        memo: crate::source::Memo::new(),
        by_digest: HashMap::new(),
        extractions: 0,
    };
    let mut out: Vec<GitRelease> = Vec::new();
    let mut prev_commit: Option<ObjectId> = None;
    for tag in &tags {
        let started = std::time::Instant::now();
        // Catalogs of earlier tag pairs are not probed again: memory stays
        // at one pair's probes (a 7.x catalog is megabytes).
        reader.by_digest.clear();
        let id = tag_commit(&r, repo, tag)?;
        let (commit, tree, _) = commit_info(&r, id)?;
        let reads = reader.scratch.reads;
        let extractions = reader.extractions;
        let catalog = reader.catalog(tree)?;
        let commits = match (out.last(), prev_commit) {
            (Some(prev), Some(old)) => {
                let changes = diff::diff(
                    &prev.catalog,
                    &catalog,
                    policy,
                    Options {
                        include_test_only: true,
                    },
                );
                bisect::introducing(&mut reader, &prev.catalog, &changes, old, id, policy)?
            }
            _ => BTreeMap::new(),
        };
        progress(&format!(
            "{tag}: {} kfuncs, {} files in the scratch tree, {} blobs read, {} extractions, {:.2}s",
            catalog.kfuncs.len(),
            reader.scratch.len(),
            reader.scratch.reads - reads,
            reader.extractions - extractions,
            started.elapsed().as_secs_f64()
        ));
        prev_commit = Some(id);
        out.push(GitRelease {
            tag: tag.clone(),
            commit,
            catalog,
            commits,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_tags_are_mainline_only() {
        assert_eq!(release_tag("v6.12"), Some(KernelVersion::new(6, 12)));
        for t in ["v6.12-rc1", "v6.12.3", "6.12", "v6", "v6.x", "v.1"] {
            assert_eq!(release_tag(t), None, "{t}");
        }
    }

    #[test]
    fn ranges_select_releases_in_version_order() {
        let all: Vec<String> = ["v6.1", "v6.10", "v6.2", "v6.2-rc1", "v6.2.1", "v7.0", "x"]
            .map(String::from)
            .to_vec();
        let p = Path::new("repo");
        let r = |a: &str, b: &str| select_tags(p, &all, &TagSpec::Range(a.into(), b.into()));
        assert_eq!(
            r("v6.1", "v7.0").unwrap(),
            ["v6.1", "v6.2", "v6.10", "v7.0"]
        );
        let e = r("v6.11", "v7.0").unwrap_err().to_string();
        assert_eq!(e, "repo: no tag `v6.11`; did you mean `v6.1`?");
        assert!(r("v7.0", "v6.1").is_err());
        assert!(r("v6.2-rc1", "v7.0").is_err());
        assert_eq!(
            TagSpec::parse("a..b"),
            TagSpec::Range("a".into(), "b".into())
        );
        assert_eq!(
            TagSpec::parse("a, b"),
            TagSpec::List(vec!["a".into(), "b".into()])
        );
    }
}
