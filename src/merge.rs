//! Facts + decisions: every kfunc of a catalog with its effective policy,
//! and where each policy value came from.
//!
//! Pure: a [`Catalog`] and a [`Policy`] in, a [`Merged`] and findings out.
//! Precedence, per field: the kfunc's own entry under `kfuncs:`, then the
//! most specific matching rule (more match criteria, then more literal
//! characters), then `defaults`, then the kernel's stated position
//! (`unstable`). An entry that deprecates or removes a kfunc in a release
//! after the merged kernel's does not apply yet: the kfunc keeps the
//! stability its rules give it until then. Two equally specific rules that disagree are reported
//! (`rule-conflict`) and the first in file order is used.

use crate::diag::{Code, Diagnostic};
use crate::kernel::KernelVersion;
use crate::loc::Loc;
use crate::model::{Catalog, KernelInfo, Kfunc};
use crate::policy::model::{Entry, Link, Located, Replacement, Rule, User};
use crate::policy::{Policy, Stability};
use serde::Serialize;

/// Where a policy value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    /// The kfunc's entry under `kfuncs:`.
    Entry {
        /// Where the value is written.
        loc: Loc,
    },
    /// A rule.
    Rule {
        /// The rule's label.
        rule: String,
        /// Where the value is written.
        loc: Loc,
    },
    /// `defaults:`.
    Defaults {
        /// Where the value is written.
        loc: Loc,
    },
    /// Nothing in the policy: the kernel's own position.
    Builtin,
}

/// A value and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decided<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub from: Source,
}

fn defaults<T: Clone>(v: &Option<Located<T>>) -> Option<Decided<T>> {
    v.as_ref().map(|l| Decided {
        value: l.value.clone(),
        from: Source::Defaults { loc: l.loc.clone() },
    })
}

fn from_entry<T: Clone>(v: &Option<Located<T>>) -> Option<Decided<T>> {
    v.as_ref().map(|l| Decided {
        value: l.value.clone(),
        from: Source::Entry { loc: l.loc.clone() },
    })
}

/// The policy as it applies to one kfunc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effective {
    /// Stability level in the merged kernel.
    pub stability: Decided<Stability>,
    /// The stability the kfunc's entry states, when it has one; it differs
    /// from `stability` when it describes a later release (a deprecation
    /// planned after this kernel).
    pub declared: Option<Decided<Stability>>,
    /// An entry states the stability (not a rule or a default).
    pub explicit: bool,
    /// Who decides.
    pub owner: Option<Decided<String>>,
    /// Markdown notes.
    pub notes: Option<Decided<String>>,
    /// First release.
    pub since: Option<Decided<KernelVersion>>,
    /// Deprecated in.
    pub deprecated_in: Option<Decided<KernelVersion>>,
    /// Planned removal.
    pub removal_planned: Option<Decided<KernelVersion>>,
    /// Removed in.
    pub removed_in: Option<Decided<KernelVersion>>,
    /// What to use instead.
    pub replacement: Option<Decided<Replacement>>,
    /// Why (Markdown).
    pub rationale: Option<Decided<String>>,
    /// Known users.
    pub users: Vec<User>,
    /// Links.
    pub links: Vec<Link>,
}

/// A kfunc with its facts and its policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergedKfunc {
    /// The facts.
    #[serde(flatten)]
    pub facts: Kfunc,
    /// The decisions.
    pub policy: Effective,
}

/// A catalog merged with a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merged {
    /// The kernel.
    pub kernel: KernelInfo,
    /// Every kfunc of the catalog, sorted by name.
    pub kfuncs: Vec<MergedKfunc>,
    /// Policy entries for kfuncs the catalog does not have (removed ones,
    /// or mistakes), sorted by name.
    pub orphans: Vec<Entry>,
    /// The catalog's sets (their registrations say which program types
    /// each set's flags hold for); not part of the merged output.
    #[serde(skip)]
    pub sets: Vec<crate::model::KfuncSet>,
}

/// Whether `rule` matches the kfunc.
pub fn rule_matches(rule: &Rule, k: &Kfunc) -> bool {
    let m = &rule.matcher;
    m.name.as_ref().is_none_or(|g| g.matches(&k.name))
        && m.subsystem
            .as_ref()
            .is_none_or(|g| k.subsystem.as_ref().is_some_and(|s| g.matches(&s.name)))
        && m.file
            .as_ref()
            .is_none_or(|g| k.file.as_deref().is_some_and(|f| g.matches(f)))
        && m.set
            .as_ref()
            .is_none_or(|g| k.sets.iter().any(|s| g.matches(s)))
}

/// The value of one field from the matching rules: the most specific rule
/// that sets it; a conflict finding when equally specific rules disagree.
fn from_rules<T: Clone + PartialEq + std::fmt::Display>(
    name: &str,
    field: &str,
    rules: &[&Rule],
    get: impl Fn(&Rule) -> Option<&Located<T>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Decided<T>> {
    let mut setting: Vec<(&Rule, &Located<T>)> =
        rules.iter().filter_map(|r| Some((*r, get(r)?))).collect();
    // Stable sort: file order among equals.
    setting.sort_by_key(|(r, _)| std::cmp::Reverse(r.matcher.specificity()));
    let (best, v) = *setting.first()?;
    let best_spec = best.matcher.specificity();
    for (other, ov) in setting
        .iter()
        .skip(1)
        .take_while(|(r, _)| r.matcher.specificity() == best_spec)
    {
        if ov.value != v.value {
            diags.push(
                Diagnostic::at(
                    Code::RuleConflict,
                    &ov.loc,
                    format!(
                        "rules `{}` and `{}` are equally specific and give `{name}` {field} `{}` and `{}`; `{}` is used",
                        best.label, other.label, v.value, ov.value, best.label
                    ),
                )
                .with_kfunc(name),
            );
        }
    }
    Some(Decided {
        value: v.value.clone(),
        from: Source::Rule {
            rule: best.label.clone(),
            loc: v.loc.clone(),
        },
    })
}

/// The stability a kfunc has in `kernel`: a deprecation or removal the
/// entry records for a later release has not happened yet, and until then
/// the kfunc has the stability its rules or defaults give it.
fn as_of(
    declared: Option<Decided<Stability>>,
    base: Decided<Stability>,
    e: Option<&Entry>,
    kernel: Option<KernelVersion>,
) -> Decided<Stability> {
    let (Some(d), Some(e)) = (declared, e) else {
        return base;
    };
    let reached = |v: &Option<Located<KernelVersion>>| match (v, kernel) {
        (Some(v), Some(k)) => v.value.release() <= k.release(),
        _ => true,
    };
    match d.value {
        Stability::Removed if !reached(&e.removed_in) => {
            if e.deprecated_in.is_some() && reached(&e.deprecated_in) {
                Decided {
                    value: Stability::Deprecated,
                    from: d.from,
                }
            } else {
                base
            }
        }
        Stability::Deprecated if !reached(&e.deprecated_in) => base,
        _ => d,
    }
}

fn effective(
    policy: &Policy,
    k: &Kfunc,
    kernel: Option<KernelVersion>,
    diags: &mut Vec<Diagnostic>,
) -> Effective {
    let entry = policy.kfuncs.get(&k.name);
    let rules: Vec<&Rule> = policy.rules.iter().filter(|r| rule_matches(r, k)).collect();
    let base = from_rules(
        &k.name,
        "stability",
        &rules,
        |r| r.stability.as_ref(),
        diags,
    )
    .or_else(|| defaults(&policy.defaults.stability))
    .unwrap_or(Decided {
        value: Stability::Unstable,
        from: Source::Builtin,
    });
    let declared = entry.and_then(|e| from_entry(&e.stability));
    let stability = as_of(declared.clone(), base, entry, kernel);
    let owner = entry
        .and_then(|e| from_entry(&e.owner))
        .or_else(|| from_rules(&k.name, "owner", &rules, |r| r.owner.as_ref(), diags))
        .or_else(|| defaults(&policy.defaults.owner));
    let notes = entry
        .and_then(|e| from_entry(&e.notes))
        .or_else(|| from_rules(&k.name, "notes", &rules, |r| r.notes.as_ref(), diags))
        .or_else(|| defaults(&policy.defaults.notes));
    Effective {
        explicit: entry.is_some_and(|e| e.stability.is_some()),
        stability,
        declared,
        owner,
        notes,
        since: entry.and_then(|e| from_entry(&e.since)),
        deprecated_in: entry.and_then(|e| from_entry(&e.deprecated_in)),
        removal_planned: entry.and_then(|e| from_entry(&e.removal_planned)),
        removed_in: entry.and_then(|e| from_entry(&e.removed_in)),
        replacement: entry.and_then(|e| from_entry(&e.replacement)),
        rationale: entry.and_then(|e| from_entry(&e.rationale)),
        users: entry.map(|e| e.users.clone()).unwrap_or_default(),
        links: entry.map(|e| e.links.clone()).unwrap_or_default(),
    }
}

/// Merges a catalog with a policy.
pub fn merge(catalog: &Catalog, policy: &Policy) -> (Merged, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let kernel = catalog
        .kernel
        .version
        .as_deref()
        .and_then(KernelVersion::parse_lenient);
    let kfuncs = catalog
        .kfuncs
        .iter()
        .map(|k| MergedKfunc {
            facts: k.clone(),
            policy: effective(policy, k, kernel, &mut diags),
        })
        .collect();
    let orphans = policy
        .kfuncs
        .values()
        .filter(|e| catalog.get(&e.name).is_none())
        .cloned()
        .collect();
    (
        Merged {
            kernel: catalog.kernel.clone(),
            kfuncs,
            orphans,
            sets: catalog.sets.clone(),
        },
        diags,
    )
}

#[cfg(test)]
#[path = "merge_tests.rs"]
pub(crate) mod tests;
