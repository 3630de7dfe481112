//! The policy held to a history (`check --history`): the releases a history
//! has read are facts that the policy's `since` and `removed_in` must agree
//! with, and a removal the history sees belongs in the policy.

use crate::diag::{Code, Diagnostic};
use crate::history::model::{History, KfuncHistory, Release};
use crate::kernel::KernelVersion;
use crate::policy::Policy;
use crate::policy::model::{Entry, Stability};

/// The codes [`against_history`] reports.
pub const HISTORY_CODES: &[Code] = &[
    Code::PolicyContradictsHistory,
    Code::HistoryRemovalUnrecorded,
];

/// Every place where `policy` and `history` disagree. `history_file` is
/// named in findings about kfuncs the policy has no entry for.
pub fn against_history(policy: &Policy, history: &History, history_file: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for h in &history.kfuncs {
        let entry = policy.kfuncs.get(&h.name);
        if let Some(e) = entry {
            since(e, h, history, &mut out);
            removed_in(e, h, history, &mut out);
        }
        unrecorded(entry, h, history, history_file, &mut out);
    }
    out
}

fn release_version(r: &Release) -> Option<KernelVersion> {
    r.kernel_version()
}

/// The releases that have the kfunc, oldest first, with their versions.
fn present<'a>(h: &KfuncHistory, history: &'a History) -> Vec<(&'a Release, KernelVersion)> {
    h.releases
        .iter()
        .filter_map(|l| history.release(l))
        .filter_map(|r| release_version(r).map(|v| (r, v)))
        .collect()
}

/// A release of the history by label, when read from source (proof of
/// absence) and versioned.
fn source_release<'a>(history: &'a History, label: &str) -> Option<(&'a Release, KernelVersion)> {
    let r = history.release(label)?;
    if !r.catalog.kernel.has_source() {
        return None;
    }
    Some((r, release_version(r)?))
}

fn since(e: &Entry, h: &KfuncHistory, history: &History, out: &mut Vec<Diagnostic>) {
    let Some(s) = &e.since else { return };
    let since = s.value.release();
    if let Some((r, _)) = present(h, history).into_iter().find(|(_, v)| *v < since) {
        out.push(
            Diagnostic::at(
                Code::PolicyContradictsHistory,
                &s.loc,
                format!(
                    "`{}` is in {} ({}) but the policy says it appeared in {since}",
                    h.name,
                    r.label,
                    read_from(r)
                ),
            )
            .with_kfunc(&h.name),
        );
        return;
    }
    if let Some(after) = &h.first_seen.after
        && let Some((r, v)) = source_release(history, after)
        && since <= v
    {
        out.push(
            Diagnostic::at(
                Code::PolicyContradictsHistory,
                &s.loc,
                format!(
                    "`{}` is not in the {} source but the policy says it appeared in {since}",
                    h.name, r.label
                ),
            )
            .with_kfunc(&h.name),
        );
    }
}

fn removed_in(e: &Entry, h: &KfuncHistory, history: &History, out: &mut Vec<Diagnostic>) {
    let Some(rm) = &e.removed_in else { return };
    let removed = rm.value.release();
    if let Some((r, _)) = present(h, history)
        .into_iter()
        .rev()
        .find(|(_, v)| *v >= removed)
    {
        out.push(
            Diagnostic::at(
                Code::PolicyContradictsHistory,
                &rm.loc,
                format!(
                    "`{}` is still in {} ({}) but the policy says it was removed in {removed}",
                    h.name,
                    r.label,
                    read_from(r)
                ),
            )
            .with_kfunc(&h.name),
        );
        return;
    }
    if let Some(gone) = &h.removed_in
        && let Some((r, v)) = source_release(history, &gone.by)
        && removed > v
    {
        out.push(
            Diagnostic::at(
                Code::PolicyContradictsHistory,
                &rm.loc,
                format!(
                    "`{}` is already gone from the {} source but the policy says it was removed in {removed}",
                    h.name, r.label
                ),
            )
            .with_kfunc(&h.name),
        );
    }
}

fn unrecorded(
    entry: Option<&Entry>,
    h: &KfuncHistory,
    history: &History,
    history_file: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some(gone) = &h.removed_in else { return };
    // Only the last release's absence, read from source, is a removal.
    if history.latest().is_none_or(|l| l.label != gone.by)
        || source_release(history, &gone.by).is_none()
    {
        return;
    }
    if let Some(e) = entry
        && (e.removed_in.is_some()
            || e.stability
                .as_ref()
                .is_some_and(|s| s.value == Stability::Removed))
    {
        return;
    }
    let how = match &h.renamed_to {
        Some(new) => format!("renamed to `{new}`"),
        None => "removed".to_string(),
    };
    let message = format!(
        "`{}` was {how} after {} (the {} source no longer has it); the policy does not record \
         the removal: add `removed_in` ({})",
        h.name,
        h.last_seen,
        gone.by,
        gone.display()
    );
    let d = match entry {
        Some(e) => Diagnostic::at(Code::HistoryRemovalUnrecorded, &e.loc, message),
        None => Diagnostic::in_file(Code::HistoryRemovalUnrecorded, history_file, message),
    };
    out.push(d.with_kfunc(&h.name));
}

/// How a release was read, for messages.
fn read_from(r: &Release) -> &'static str {
    if r.catalog.kernel.has_source() {
        "its source"
    } else {
        "its built kernel"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Input, fold};
    use crate::model::{Catalog, Kfunc};

    fn cat(version: &str, names: &[&str], source: bool) -> Catalog {
        let kfuncs = names
            .iter()
            .map(|n| Kfunc {
                name: n.to_string(),
                ..Kfunc::default()
            })
            .collect();
        crate::history::testutil::catalog(version, kfuncs, source)
    }

    fn history(releases: &[(&str, &[&str], bool)]) -> History {
        let inputs = releases
            .iter()
            .map(|(v, names, source)| Input::snapshot(cat(v, names, *source), None).unwrap())
            .collect();
        fold(
            inputs,
            &crate::policy::parse("p.yaml", "schema: 1\n").unwrap(),
        )
        .unwrap()
    }

    fn found(policy: &str, h: &History) -> Vec<(Code, String, Option<u32>)> {
        let p = crate::policy::parse("p.yaml", policy).unwrap();
        against_history(&p, h, "h.json")
            .into_iter()
            .map(|d| (d.code, d.kfunc.unwrap_or_default(), d.line))
            .collect()
    }

    const P: Code = Code::PolicyContradictsHistory;
    const U: Code = Code::HistoryRemovalUnrecorded;

    #[test]
    fn a_since_after_a_release_that_has_it_is_an_error() {
        let h = history(&[("6.1", &["a"], true), ("6.12", &["a", "b"], true)]);
        let p = "schema: 1\nkfuncs:\n  a: {since: 6.3}\n  b: {since: 6.5}\n";
        assert_eq!(found(p, &h), [(P, "a".into(), Some(3))]);
        // `b` is not in the 6.1 source: it cannot have arrived by 6.1.
        let p = "schema: 1\nkfuncs:\n  b: {since: 6.1}\n";
        assert_eq!(found(p, &h), [(P, "b".into(), Some(3))]);
    }

    #[test]
    fn absence_from_a_built_kernel_proves_nothing() {
        let h = history(&[("6.1", &[], false), ("6.12", &["b"], true)]);
        assert_eq!(found("schema: 1\nkfuncs:\n  b: {since: 6.1}\n", &h), []);
    }

    #[test]
    fn removals_are_held_to_the_releases() {
        let h = history(&[("6.1", &["a", "gone"], true), ("6.12", &["a"], true)]);
        // Unrecorded: warned, at the history when the policy has no entry.
        assert_eq!(found("schema: 1\n", &h), [(U, "gone".into(), None)]);
        // Recorded within the bounds: clean.
        assert_eq!(
            found("schema: 1\nkfuncs:\n  gone: {removed_in: 6.5}\n", &h),
            []
        );
        assert_eq!(
            found("schema: 1\nkfuncs:\n  gone: {stability: removed}\n", &h),
            []
        );
        // Still there, or gone already.
        let p = "schema: 1\nkfuncs:\n  a: {removed_in: 6.12}\n  gone: {removed_in: 6.14}\n";
        assert_eq!(
            found(p, &h),
            [(P, "a".into(), Some(3)), (P, "gone".into(), Some(4))]
        );
    }
}
