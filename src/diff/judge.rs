//! The changes held to the policy: what it promised as of the older kernel,
//! and what it records (removals, renames, arrivals) as of each side.

use super::{Change, Group, Rename, View};
use crate::diag::Code;
use crate::kernel::KernelVersion;
use crate::merge::{self, Decided, Effective, Source};
use crate::model::Kfunc;
use crate::policy::{Policy, Stability};
use std::collections::{BTreeMap, BTreeSet};

/// Where a policy value was decided, for messages.
fn from<T>(d: &Decided<T>) -> String {
    match &d.from {
        Source::Entry { loc } => format!("policy entry, {loc}"),
        Source::Rule { rule, loc } => format!("policy rule `{rule}`, {loc}"),
        Source::Defaults { loc } => format!("policy defaults, {loc}"),
        Source::Builtin => "kfuncdoc's default".into(),
    }
}

fn deprecated_by(p: &Effective, new: Option<KernelVersion>) -> bool {
    matches!(
        p.stability.value,
        Stability::Deprecated | Stability::Removed
    ) || p
        .deprecated_in
        .as_ref()
        .is_some_and(|d| new.is_none_or(|n| d.value.release() <= n.release()))
}

pub(super) fn judge(
    a: &View<'_>,
    b: &View<'_>,
    policy: &Policy,
    renames: &[Rename<'_>],
    out: &mut Vec<Change>,
) {
    let (merged, _) = merge::merge(a.catalog, policy);
    let effective: BTreeMap<&str, &Effective> = merged
        .kfuncs
        .iter()
        .map(|k| (k.facts.name.as_str(), &k.policy))
        .collect();
    let old_name = a
        .version
        .map_or("the older kernel".to_string(), |v| v.to_string());
    let new_name = b
        .version
        .map_or("the newer kernel".to_string(), |v| v.to_string());

    // Removals, renames included: the old name no longer loads.
    let mut gone: Vec<(&Kfunc, Option<&Kfunc>)> = out
        .iter()
        .filter(|c| c.code == crate::diag::Code::KfuncRemoved)
        .filter_map(|c| c.kfunc.as_deref())
        .filter_map(|n| a.by_name.get(n).map(|k| (*k, None)))
        .collect();
    gone.extend(renames.iter().map(|r| (r.old, Some(r.new))));
    for (k, to) in gone {
        let Some(p) = effective.get(k.name.as_str()) else {
            continue;
        };
        let what = match to {
            Some(n) => format!("`{}` was renamed to `{}`", k.name, n.name),
            None => format!("`{}` was removed", k.name),
        };
        let change = |code: Code, message: String| {
            Change::new(code, Group::Policy, message).about(Some(k), to)
        };
        let stable = p.stability.value == Stability::Stable;
        if stable {
            out.push(change(
                Code::StableKfuncRemoved,
                format!("{what}, but it is stable ({})", from(&p.stability)),
            ));
        }
        if let (Some(plan), Some(v)) = (&p.removal_planned, b.version)
            && plan.value.release() > v.release()
        {
            out.push(change(
                Code::RemovedBeforePlanned,
                format!(
                    "{what} in {new_name}, before {} ({})",
                    plan.value,
                    from(plan)
                ),
            ));
        }
        if let (Some(dep), Some(min), Some(v)) = (
            &p.deprecated_in,
            &policy.lifecycle.min_deprecation_releases,
            b.version,
        ) && let Some(n) = dep.value.releases_until(v)
            && n < min.value
        {
            out.push(change(
                Code::RemovedTooSoon,
                format!(
                    "{what} {n} release(s) after its deprecation in {} ({}); the policy asks for {} ({})",
                    dep.value,
                    from(dep),
                    min.value,
                    min.loc
                ),
            ));
        }
        if !stable && !deprecated_by(p, b.version) {
            out.push(change(
                Code::ChangedWithoutDeprecation,
                format!("{what} without being deprecated first"),
            ));
        }
        // Does the policy record it?
        let e = policy.kfuncs.get(&k.name);
        let removed_in = e.and_then(|e| e.removed_in.as_ref());
        let says_removed = e.is_some_and(|e| {
            e.stability
                .as_ref()
                .is_some_and(|s| s.value == Stability::Removed)
        });
        match removed_in {
            Some(r) if !within(a.version, b.version, r.value) => {
                out.push(change(
                    Code::RemovalUnrecorded,
                    format!(
                        "{what} between {old_name} and {new_name}, but the policy says it was removed in {} ({})",
                        r.value,
                        r.loc
                    ),
                ));
            }
            Some(_) => {}
            None if says_removed => {}
            None => out.push(change(
                Code::RemovalUnrecorded,
                format!(
                    "{what}, but the policy does not record it (`removed_in`: the release after {} that dropped it, {} at the latest)",
                    a.version.map_or("the older kernel".into(), |v| v.release().to_string()),
                    b.version.map_or("the newer kernel".into(), |v| v.release().to_string())
                ),
            )),
        }
    }

    // What the policy says was removed, and the newer kernel still has.
    for e in policy.kfuncs.values() {
        let Some(r) = &e.removed_in else { continue };
        if !within(a.version, b.version, r.value) {
            continue;
        }
        if let Some(n) = b.all.get(e.name.as_str()) {
            out.push(
                Change::new(
                    Code::RemovalUnrecorded,
                    Group::Policy,
                    format!(
                        "the policy says `{}` was removed in {} ({}), but {new_name} still has it",
                        e.name, r.value, r.loc
                    ),
                )
                .about(a.all.get(e.name.as_str()).copied(), Some(n)),
            );
        }
    }

    // When the policy says each kfunc arrived, as of each side: a kfunc new
    // in the newer kernel (a rename's new name too) arrived after the older
    // one and no later than the newer; one both have arrived no later than
    // the older. Only a source tree proves absence (a built kernel may
    // leave a kfunc out by its configuration).
    for (name, n) in &b.by_name {
        let Some(since) = policy.kfuncs.get(*name).and_then(|e| e.since.as_ref()) else {
            continue;
        };
        let s = since.value;
        let in_old = a.all.contains_key(name);
        let wrong = match (in_old, a.version, b.version) {
            (true, Some(o), _) => (s.release() > o.release()).then(|| {
                format!(
                    "the policy says `{name}` arrived in {s} ({}), but {o} already has it",
                    since.loc,
                )
            }),
            (false, Some(o), _) if a.source && s.release() <= o.release() => Some(format!(
                "the policy says `{name}` arrived in {s} ({}), but {o} does not have it",
                since.loc,
            )),
            (false, _, Some(v)) if s.release() > v.release() => Some(format!(
                "the policy says `{name}` arrives in {s} ({}), but {new_name} already has it",
                since.loc,
            )),
            _ => None,
        };
        if let Some(message) = wrong {
            out.push(
                Change::new(Code::SinceDisagrees, Group::Policy, message)
                    .about(a.all.get(name).copied(), Some(n)),
            );
        }
    }

    // Breaking changes, once per kfunc.
    let mut broken: BTreeMap<String, BTreeSet<Code>> = BTreeMap::new();
    for c in out.iter().filter(|c| c.group == Group::Breaking) {
        if let Some(k) = &c.kfunc {
            broken.entry(k.clone()).or_default().insert(c.code);
        }
    }
    let old_name_of: BTreeMap<&str, &str> = renames
        .iter()
        .map(|r| (r.new.name.as_str(), r.old.name.as_str()))
        .collect();
    for (name, codes) in broken {
        let old = old_name_of.get(name.as_str()).copied().unwrap_or(&name);
        let (Some(p), Some(k)) = (effective.get(old), a.by_name.get(old)) else {
            continue;
        };
        let n = b.by_name.get(name.as_str()).copied();
        let list = codes
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(", ");
        let change = |code: Code, message: String| {
            Change::new(code, Group::Policy, message).about(Some(*k), n)
        };
        if p.stability.value == Stability::Stable {
            out.push(change(
                Code::StableKfuncBroken,
                format!(
                    "`{name}` changed in a way that breaks callers ({list}), but it is stable ({})",
                    from(&p.stability)
                ),
            ));
        } else if !deprecated_by(p, b.version) {
            out.push(change(
                Code::ChangedWithoutDeprecation,
                format!("`{name}` changed in a way that breaks callers ({list}) without being deprecated first"),
            ));
        }
    }
}

/// Whether release `r` is after `old` and no later than `new`.
fn within(old: Option<KernelVersion>, new: Option<KernelVersion>, r: KernelVersion) -> bool {
    old.is_none_or(|o| o.release() < r.release()) && new.is_none_or(|n| r.release() <= n.release())
}
