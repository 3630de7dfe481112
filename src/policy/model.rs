//! The validated policy: typed values, each with the place it was written.

use super::glob::Glob;
use crate::diag::{Code, Level};
use crate::kernel::KernelVersion;
use crate::loc::Loc;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Its position in the policy.
    pub loc: Loc,
}

/// What a kfunc's users may expect. Ordered from most to least dependable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stability {
    /// Kept; changed or removed only after a documented deprecation.
    Stable,
    /// The kernel's default position: may change when there is a reason.
    Unstable,
    /// New or under active design; expect changes between releases.
    Experimental,
    /// Scheduled for removal; use the replacement.
    Deprecated,
    /// Gone from the kernel.
    Removed,
}

impl Stability {
    /// Every level, in order.
    pub const ALL: [Stability; 5] = [
        Stability::Stable,
        Stability::Unstable,
        Stability::Experimental,
        Stability::Deprecated,
        Stability::Removed,
    ];

    /// The name written in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            Stability::Stable => "stable",
            Stability::Unstable => "unstable",
            Stability::Experimental => "experimental",
            Stability::Deprecated => "deprecated",
            Stability::Removed => "removed",
        }
    }
}

impl fmt::Display for Stability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stability {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Stability::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or(())
    }
}

/// A replacement for a deprecated kfunc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Replacement {
    /// Use this kfunc instead.
    Kfunc(String),
    /// There is none, for this reason.
    None(String),
}

/// A known out-of-tree user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Project name.
    pub name: String,
    /// Where it lives.
    pub url: Option<String>,
    /// Where the policy names it.
    pub loc: Loc,
}

/// A link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// Text to show, if given.
    pub title: Option<String>,
    /// The URL.
    pub url: String,
    /// Where the policy gives it.
    pub loc: Loc,
}

/// The decisions recorded for one kfunc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The kfunc.
    pub name: String,
    /// Where its key is.
    pub loc: Loc,
    /// Stability level.
    pub stability: Option<Located<Stability>>,
    /// First release with the kfunc.
    pub since: Option<Located<KernelVersion>>,
    /// Release that deprecated it.
    pub deprecated_in: Option<Located<KernelVersion>>,
    /// Planned removal release.
    pub removal_planned: Option<Located<KernelVersion>>,
    /// Release that removed it.
    pub removed_in: Option<Located<KernelVersion>>,
    /// What to use instead.
    pub replacement: Option<Located<Replacement>>,
    /// Why (Markdown).
    pub rationale: Option<Located<String>>,
    /// Known users.
    pub users: Vec<User>,
    /// Links.
    pub links: Vec<Link>,
    /// Who decides.
    pub owner: Option<Located<String>>,
    /// Markdown notes.
    pub notes: Option<Located<String>>,
}

/// What a rule matches. Every given criterion must match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Matcher {
    /// Kfunc name.
    pub name: Option<Glob>,
    /// MAINTAINERS section title.
    pub subsystem: Option<Glob>,
    /// File of the first set entry.
    pub file: Option<Glob>,
    /// Any of the kfunc's sets.
    pub set: Option<Glob>,
}

impl Matcher {
    /// How specific the matcher is: more criteria first, then more literal
    /// characters. A more specific rule wins over a less specific one.
    pub fn specificity(&self) -> (usize, usize) {
        let globs = [&self.name, &self.subsystem, &self.file, &self.set];
        let present = globs.iter().filter(|g| g.is_some()).count();
        let literal = globs
            .iter()
            .filter_map(|g| g.as_ref())
            .map(|g| g.literal_len())
            .sum();
        (present, literal)
    }
}

/// A rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Label for messages (`rules[3]` when unnamed).
    pub label: String,
    /// Where the rule starts.
    pub loc: Loc,
    /// What it matches.
    pub matcher: Matcher,
    /// Stability it assigns.
    pub stability: Option<Located<Stability>>,
    /// Owner it assigns.
    pub owner: Option<Located<String>>,
    /// Notes it assigns.
    pub notes: Option<Located<String>>,
}

/// The project's lifecycle statement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lifecycle {
    /// Markdown.
    pub statement: Option<Located<String>>,
    /// Releases a deprecated kfunc stays before removal.
    pub min_deprecation_releases: Option<Located<u32>>,
    /// Promise of each level (Markdown).
    pub levels: BTreeMap<Stability, Located<String>>,
}

/// Values for kfuncs nothing else decides.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Defaults {
    /// Stability.
    pub stability: Option<Located<Stability>>,
    /// Owner.
    pub owner: Option<Located<String>>,
    /// Notes.
    pub notes: Option<Located<String>>,
}

/// A whole validated policy (one file, or a directory merged).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policy {
    /// The files it was read from.
    pub files: Vec<String>,
    /// The lifecycle statement.
    pub lifecycle: Lifecycle,
    /// Defaults.
    pub defaults: Defaults,
    /// Rules in file order.
    pub rules: Vec<Rule>,
    /// Entries by kfunc name.
    pub kfuncs: BTreeMap<String, Entry>,
    /// Level overrides.
    pub lints: BTreeMap<Code, Located<Level>>,
}

impl Policy {
    /// The level `code` has under this policy.
    pub fn level(&self, code: Code) -> Level {
        self.lints
            .get(&code)
            .map_or(code.default_level(), |l| l.value)
    }
}
