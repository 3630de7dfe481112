//! `kfuncdoc history`: since, changes and removals of every kfunc across
//! releases.
//!
//! A history is folded from an ordered series of releases, each a catalog
//! (read from a source tree, a built kernel, a catalog file, or a git tag
//! by the git reader). The step between two adjacent releases is
//! [`crate::diff::diff`]; the history keeps each release's catalog, so
//! [`extend`] compares a new release with the last one and never reads the
//! earlier ones again. [`model`] is the JSON the `history` command writes.

pub mod git;
pub mod model;
pub mod nearest;
#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod testutil;

use crate::diff::{self, Group, Options};
use crate::kernel::KernelVersion;
use crate::model::Catalog;
use crate::policy::Policy;
use model::{CommitRef, History, KfuncHistory, ProgTypeSince, Release, SCHEMA, Seen, Step};
use std::collections::BTreeMap;

/// The shipped history of upstream Linux: Debian's 6.1, 6.12 and 7.2
/// source trees, 6.12 and 7.2 with their images and modules
/// (`history/linux.json`, made by `.ci/shipped-history`, rewritten by
/// `.ci/regen-history`; a test checks that it is what the script gives).
pub const SHIPPED_JSON: &str = include_str!("../../history/linux.json");

/// [`SHIPPED_JSON`], read once.
pub fn shipped() -> &'static History {
    static H: std::sync::OnceLock<History> = std::sync::OnceLock::new();
    H.get_or_init(|| from_json(SHIPPED_JSON).expect("the shipped history reads"))
}

/// The name `prog_types` gives a kfunc registered for every program type.
pub const EVERY_PROG_TYPE: &str = "every program type";

/// A commit per change: keyed by (kfunc, or `""` for a kernel-wide change;
/// the code's name).
pub type Commits = BTreeMap<(String, String), CommitRef>;

/// One release to fold in.
#[derive(Debug, Clone)]
pub struct Input {
    /// Its label (default: the mainline release the catalog states).
    pub label: String,
    /// The git tag it was read at.
    pub tag: Option<String>,
    /// The commit of that tag.
    pub commit: Option<CommitRef>,
    /// The facts.
    pub catalog: Catalog,
    /// The commit that made each change from the release before (git).
    pub commits: Commits,
}

impl Input {
    /// Its release: the label when it is a version, else the one the
    /// catalog states.
    fn version(&self) -> Option<KernelVersion> {
        KernelVersion::parse_lenient(&self.label).or_else(|| {
            self.catalog
                .kernel
                .version
                .as_deref()
                .and_then(KernelVersion::parse_lenient)
        })
    }

    /// A release read from a snapshot, labelled `label` or by its version.
    pub fn snapshot(mut catalog: Catalog, label: Option<String>) -> Result<Input, String> {
        catalog.diagnostics.clear();
        let label = match label {
            Some(l) => l,
            None => catalog
                .kernel
                .version
                .as_deref()
                .and_then(KernelVersion::parse_lenient)
                .map(|v| v.release().to_string())
                .ok_or("states no kernel version: give it a label (`--label`)")?,
        };
        Ok(Input {
            label,
            tag: None,
            commit: None,
            catalog,
            commits: Commits::new(),
        })
    }
}

/// Why a series cannot be folded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Two releases have the same label.
    #[error("release `{0}` is in the series twice")]
    Duplicate(String),
    /// A release is older than the one before it.
    #[error(
        "release `{new}` is older than `{old}`, which comes before it: give releases oldest first"
    )]
    OutOfOrder {
        /// The release before.
        old: String,
        /// The older one after it.
        new: String,
    },
    /// The file is of another schema version.
    #[error("history schema {0} is not the one this kfuncdoc reads ({SCHEMA})")]
    Schema(u32),
}

/// Folds releases, oldest first, into a history. `policy` only tells
/// renames (a replacement it records); its verdicts are not kept.
pub fn fold(inputs: Vec<Input>, policy: &Policy) -> Result<History, Error> {
    check_order(&inputs)?;
    let labels: Vec<String> = inputs.iter().map(|i| i.label.clone()).collect();
    let versions: Vec<Option<KernelVersion>> = inputs
        .iter()
        .map(|i| i.version().map(KernelVersion::release))
        .collect();
    let seen = |i: usize| -> Seen {
        let after = i.checked_sub(1);
        Seen {
            by: labels[i].clone(),
            after: after.map(|a| labels[a].clone()),
            exact: after.is_some_and(|a| {
                matches!((versions[a], versions[i]), (Some(x), Some(y)) if x.next_release() == y)
            }),
        }
    };

    let mut releases = Vec::new();
    let mut per: BTreeMap<String, Vec<Step>> = BTreeMap::new();
    let mut renamed: Vec<(String, String)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let mut wide = Vec::new();
        let mut summary = None;
        if i > 0 {
            let d = diff::diff(
                &inputs[i - 1].catalog,
                &input.catalog,
                policy,
                Options {
                    include_test_only: true,
                },
            );
            let mut s = d.summary.clone();
            (s.deny, s.warn) = (0, 0);
            // A kfunc a release's built kernel leaves out is a fact of
            // that build's configuration, not a change of the kernel.
            let unbuilt = |c: &diff::Change| c.code == crate::diag::Code::KfuncNotBuilt;
            s.other -= d.changes.iter().filter(|c| unbuilt(c)).count();
            summary = Some(s);
            for change in d.changes {
                if change.group == Group::Policy || unbuilt(&change) {
                    continue;
                }
                let key = (
                    change.kfunc.clone().unwrap_or_default(),
                    change.code.name().to_string(),
                );
                if let (Some(new), Some(old)) = (&change.kfunc, &change.old_name) {
                    renamed.push((old.clone(), new.clone()));
                }
                let step = Step {
                    release: labels[i].clone(),
                    from: labels[i - 1].clone(),
                    commit: input.commits.get(&key).cloned(),
                    change,
                };
                match &step.change.kfunc {
                    Some(k) => per.entry(k.clone()).or_default().push(step),
                    None => wide.push(step),
                }
            }
        }
        releases.push(Release {
            label: input.label.clone(),
            version: input.catalog.kernel.version.clone(),
            tag: input.tag.clone(),
            commit: input.commit.clone(),
            kfuncs: input.catalog.kfuncs.len(),
            changes: wide,
            summary,
            catalog: input.catalog.clone(),
        });
    }

    // Where each kfunc is, release by release.
    let mut present: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, input) in inputs.iter().enumerate() {
        for k in &input.catalog.kfuncs {
            present.entry(k.name.as_str()).or_default().push(i);
        }
    }
    let commit_of = |i: usize, name: &str, code: &str| {
        inputs[i]
            .commits
            .get(&(name.to_string(), code.to_string()))
            .cloned()
    };
    let last = inputs.len().saturating_sub(1);
    let mut kfuncs = Vec::new();
    for (name, at) in present {
        let (first, end) = (at[0], at[at.len() - 1]);
        let introduced_by = (first > 0)
            .then(|| {
                commit_of(first, name, "kfunc-added")
                    .or_else(|| commit_of(first, name, "kfunc-renamed"))
            })
            .flatten();
        let renamed_to = renamed
            .iter()
            .rfind(|(old, _)| old == name)
            .map(|(_, new)| new.clone());
        let removed_by = (end < last)
            .then(|| {
                commit_of(end + 1, name, "kfunc-removed").or_else(|| {
                    renamed_to
                        .as_deref()
                        .and_then(|n| commit_of(end + 1, n, "kfunc-renamed"))
                })
            })
            .flatten();
        kfuncs.push(KfuncHistory {
            name: name.to_string(),
            first_seen: seen(first),
            introduced_by,
            last_seen: labels[end].clone(),
            removed_in: (end < last).then(|| seen(end + 1)),
            removed_by,
            renamed_from: renamed
                .iter()
                .rfind(|(_, new)| new == name)
                .map(|(old, _)| old.clone()),
            renamed_to,
            releases: at.iter().map(|&i| labels[i].clone()).collect(),
            prog_types: prog_types(&inputs, name, &at, &seen),
            changes: per.remove(name).unwrap_or_default(),
        });
    }
    Ok(History {
        schema: SCHEMA,
        releases,
        kfuncs,
    })
}

/// The first release, of those read from source, from which each program
/// type could call `name`.
fn prog_types(
    inputs: &[Input],
    name: &str,
    at: &[usize],
    seen: &dyn Fn(usize) -> Seen,
) -> Vec<ProgTypeSince> {
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    for &i in at {
        let c = &inputs[i].catalog;
        // Registrations are known from source only.
        if !c.kernel.has_source() {
            continue;
        }
        let Some(k) = c.get(name) else { continue };
        let types: Vec<String> = if k.all_prog_types {
            vec![EVERY_PROG_TYPE.to_string()]
        } else {
            k.callable_from.clone()
        };
        for t in types {
            first.entry(t).or_insert(i);
        }
    }
    first
        .into_iter()
        .map(|(prog_type, i)| ProgTypeSince {
            prog_type,
            since: seen(i),
        })
        .collect()
}

fn check_order(inputs: &[Input]) -> Result<(), Error> {
    let mut labels = std::collections::BTreeSet::new();
    for i in inputs {
        if !labels.insert(i.label.as_str()) {
            return Err(Error::Duplicate(i.label.clone()));
        }
    }
    for w in inputs.windows(2) {
        if let (Some(a), Some(b)) = (w[0].version(), w[1].version())
            && b < a
        {
            return Err(Error::OutOfOrder {
                old: w[0].label.clone(),
                new: w[1].label.clone(),
            });
        }
    }
    Ok(())
}

/// The releases of `history` as inputs again, with the commits its steps
/// carry: folding them gives the same history.
pub fn inputs_of(history: &History) -> Vec<Input> {
    let mut commits: BTreeMap<&str, Commits> = BTreeMap::new();
    let steps = history
        .releases
        .iter()
        .flat_map(|r| r.changes.iter())
        .chain(history.kfuncs.iter().flat_map(|k| k.changes.iter()));
    for s in steps {
        if let Some(c) = &s.commit {
            commits.entry(s.release.as_str()).or_default().insert(
                (
                    s.change.kfunc.clone().unwrap_or_default(),
                    s.change.code.name().to_string(),
                ),
                c.clone(),
            );
        }
    }
    history
        .releases
        .iter()
        .map(|r| Input {
            label: r.label.clone(),
            tag: r.tag.clone(),
            commit: r.commit.clone(),
            catalog: r.catalog.clone(),
            commits: commits.remove(r.label.as_str()).unwrap_or_default(),
        })
        .collect()
}

/// `history` with `more` releases after its last one. Only the new
/// releases are compared: the earlier ones come from the file.
pub fn extend(history: &History, more: Vec<Input>, policy: &Policy) -> Result<History, Error> {
    let mut inputs = inputs_of(history);
    inputs.extend(more);
    fold(inputs, policy)
}

/// Reads a history from JSON text, checking its schema.
pub fn from_json(text: &str) -> Result<History, FromJsonError> {
    #[derive(serde::Deserialize)]
    struct Head {
        schema: u32,
    }
    let head: Head = serde_json::from_str(text).map_err(FromJsonError::Json)?;
    if head.schema != SCHEMA {
        return Err(FromJsonError::History(Error::Schema(head.schema)));
    }
    serde_json::from_str(text).map_err(FromJsonError::Json)
}

/// Why a history file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FromJsonError {
    /// Not JSON of the history's shape.
    #[error("{0}")]
    Json(serde_json::Error),
    /// Of another schema.
    #[error("{0}")]
    History(Error),
}

/// The history as JSON: pretty, with a final newline, byte-identical for
/// the same history.
pub fn to_json(history: &History) -> String {
    let mut s = serde_json::to_string_pretty(history).expect("a history serialises");
    s.push('\n');
    s
}
