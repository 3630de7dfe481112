//! The history file: what every kfunc did across a series of releases.
//!
//! The JSON form is a public contract (`schema` is its version; fields are
//! only ever added): `render`, `check` and other tools read it. Everything
//! is sorted, so the same releases give byte-identical files. The book's
//! "History file" page documents each field.

use crate::diff::{Change, Summary};
use crate::kernel::KernelVersion;
use crate::model::{Catalog, InputInfo};
use serde::{Deserialize, Serialize};

/// The version of the history JSON this build writes and reads.
pub const SCHEMA: u32 = 1;

/// A commit of a git repository.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CommitRef {
    /// The full object id, hex.
    pub id: String,
    /// The first line of its message.
    pub subject: String,
}

/// A history of kfuncs over releases, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// [`SCHEMA`].
    pub schema: u32,
    /// The releases, oldest first, each once.
    pub releases: Vec<Release>,
    /// Every kfunc any release has, sorted by name.
    pub kfuncs: Vec<KfuncHistory>,
}

/// One release of the series, with the facts read from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Release {
    /// Its name in the history: the mainline release (`6.12`), unless the
    /// reader chose another label.
    pub label: String,
    /// The version the input states (`6.12.117`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The git tag it was read at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The commit that tag names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitRef>,
    /// How many kfuncs it has (test-only ones included).
    pub kfuncs: usize,
    /// What changed from the release before, kernel-wide (changes of one
    /// kfunc are in that kfunc's `changes`). Empty for the first release.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Step>,
    /// Counts of the changes from the release before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// The facts read from it (a catalog, its findings left out): a later
    /// release is compared with these, so extending a history never reads
    /// the earlier releases again, and a kernel read without its source is
    /// documented from the nearest release's.
    pub catalog: Catalog,
}

impl Release {
    /// The inputs the facts were read from.
    pub fn inputs(&self) -> &[InputInfo] {
        &self.catalog.kernel.inputs
    }

    /// The release as a version (`label` when it is one, else `version`).
    pub fn kernel_version(&self) -> Option<KernelVersion> {
        KernelVersion::parse_lenient(&self.label)
            .or_else(|| {
                self.version
                    .as_deref()
                    .and_then(KernelVersion::parse_lenient)
            })
            .map(KernelVersion::release)
    }
}

/// One change between a release and the one before, with the commit that
/// made it when the history was read from git.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The release it arrived in (`label`).
    pub release: String,
    /// The release before (`label`).
    pub from: String,
    /// The change, in `kfuncdoc diff`'s terms.
    #[serde(flatten)]
    pub change: Change,
    /// The first commit after which the change holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitRef>,
}

/// When something first held: exactly in a release, or between two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// The first release of the series where it holds.
    pub by: String,
    /// The release of the series before `by`, where it did not hold; absent
    /// when `by` is the first release read (it may be older).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// `after` is the mainline release right before `by` (or the two are
    /// adjacent tags of a repository): `by` is exact.
    pub exact: bool,
}

impl Seen {
    /// How a reader sees it: `6.12`, `6.2–6.12` (some release after 6.1, by
    /// 6.12), `≤ 6.1` (the first release read has it).
    pub fn display(&self) -> String {
        if self.exact {
            return self.by.clone();
        }
        match self.after.as_deref().and_then(KernelVersion::parse_lenient) {
            Some(a) => format!("{}–{}", a.release().next_release(), self.by),
            None => format!("≤ {}", self.by),
        }
    }
}

/// What happened to one kfunc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KfuncHistory {
    /// Its name.
    pub name: String,
    /// The first release that has it.
    pub first_seen: Seen,
    /// The commit that added it, when read from git and the first release
    /// is not the first of the series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced_by: Option<CommitRef>,
    /// The last release that has it.
    pub last_seen: String,
    /// When it went: absent while the last release has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_in: Option<Seen>,
    /// The commit that removed it, when read from git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_by: Option<CommitRef>,
    /// The name it had before a rename the diff saw, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// The name it got in a rename the diff saw, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
    /// Releases that have it, by label, oldest first (gaps show a removal
    /// and a return).
    pub releases: Vec<String>,
    /// For each program type that could call it (`every program type` for
    /// a kfunc registered for all), the first release where it could.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prog_types: Vec<ProgTypeSince>,
    /// Every change of it between releases, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Step>,
}

/// A program type and the first release it could call a kfunc from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgTypeSince {
    /// `BPF_PROG_TYPE_*`, or `every program type`.
    pub prog_type: String,
    /// Since when.
    pub since: Seen,
}

impl History {
    /// The kfunc called `name`.
    pub fn get(&self, name: &str) -> Option<&KfuncHistory> {
        self.kfuncs
            .binary_search_by(|k| k.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.kfuncs[i])
    }

    /// The release labelled `label`.
    pub fn release(&self, label: &str) -> Option<&Release> {
        self.releases.iter().find(|r| r.label == label)
    }

    /// The last release.
    pub fn latest(&self) -> Option<&Release> {
        self.releases.last()
    }

    /// Every change that arrived in `label`: kernel-wide ones first, then
    /// each kfunc's, in the diff's report order.
    pub fn changes_in(&self, label: &str) -> Vec<&Step> {
        let mut out: Vec<&Step> = self
            .release(label)
            .map(|r| r.changes.iter().collect())
            .unwrap_or_default();
        let mut per: Vec<&Step> = self
            .kfuncs
            .iter()
            .flat_map(|k| k.changes.iter())
            .filter(|s| s.release == label)
            .collect();
        per.sort_by(|a, b| {
            let key = |s: &Step| {
                (
                    s.change.group,
                    s.change.subsystem.clone(),
                    s.change.kfunc.clone(),
                    s.change.code,
                    s.change.message.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        out.extend(per);
        out
    }

    /// Kfuncs that an earlier release has and the last one does not.
    pub fn removed(&self) -> impl Iterator<Item = &KfuncHistory> {
        self.kfuncs.iter().filter(|k| k.removed_in.is_some())
    }
}
