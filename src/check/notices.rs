//! Lints over the deprecations the kernel states itself
//! (`Kfunc::upstream_notices`, read by `source::notices`).

use super::Cx;
use crate::diag::{Code, Diagnostic};
use crate::kernel::KernelVersion;
use crate::loc::Loc;
use crate::model::UpstreamNotice;
use crate::policy::Stability;
use crate::policy::model::{Entry, Replacement};

fn notice_loc(n: &UpstreamNotice) -> Loc {
    Loc::new(n.file.clone(), n.line, 1)
}

/// What the kernel says, briefly, for a message.
fn what(n: &UpstreamNotice) -> String {
    let mut s = match n.kind.as_str() {
        "successor" | "legacy" => "has a newer version".to_string(),
        "runtime-warning" => "warns at run time that it is deprecated".to_string(),
        _ => "is marked for removal".to_string(),
    };
    if let Some(r) = &n.removal {
        s.push_str(&format!(" in {r}"));
    }
    if !n.replacements.is_empty() {
        s.push_str(&format!(" (use `{}`)", n.replacements.join("` or `")));
    }
    s
}

/// Why the entry does not record the notice, if it does not.
fn unrecorded(e: Option<&Entry>, n: &UpstreamNotice) -> Option<String> {
    let Some(e) = e else {
        return Some("the policy has no entry for it".into());
    };
    let deprecated = e.deprecated_in.is_some()
        || e.stability
            .as_ref()
            .is_some_and(|s| matches!(s.value, Stability::Deprecated | Stability::Removed));
    let names_replacement = matches!(
        &e.replacement,
        Some(r) if matches!(&r.value, Replacement::Kfunc(k) if n.replacements.contains(k))
    );
    if !deprecated && !names_replacement {
        return Some("its policy entry neither deprecates it nor names that replacement".into());
    }
    let stated = n
        .removal
        .as_deref()
        .and_then(KernelVersion::parse_lenient)?;
    let recorded = e.removal_planned.as_ref().or(e.removed_in.as_ref());
    match recorded {
        Some(r) if r.value.release() == stated.release() => None,
        Some(r) => Some(format!(
            "its policy entry plans the removal for {} ({})",
            r.value, r.loc
        )),
        None => Some("its policy entry has no `removal_planned`".into()),
    }
}

pub(super) fn upstream_notice_unrecorded(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for k in cx.merged.kfuncs.iter().filter(|k| !k.facts.test_only) {
        let entry = cx.policy.kfuncs.get(&k.facts.name);
        // A legacy `_impl` form is kept on purpose; nothing to record.
        for n in k
            .facts
            .upstream_notices
            .iter()
            .filter(|n| n.kind != "legacy")
        {
            let Some(why) = unrecorded(entry, n) else {
                continue;
            };
            let at = entry.map_or_else(|| notice_loc(n), |e| e.loc.clone());
            out.push(
                Diagnostic::at(
                    Code::UpstreamNoticeUnrecorded,
                    &at,
                    format!(
                        "the kernel says `{}` {} ({}:{}), but {why}",
                        k.facts.name,
                        what(n),
                        n.file,
                        n.line
                    ),
                )
                .with_kfunc(&k.facts.name),
            );
        }
    }
}

pub(super) fn upstream_removal_overdue(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kernel) = cx.kernel else { return };
    for k in &cx.merged.kfuncs {
        for n in &k.facts.upstream_notices {
            let Some(stated) = n.removal.as_deref().and_then(KernelVersion::parse_lenient) else {
                continue;
            };
            if stated.release() > kernel.release() {
                continue;
            }
            // The policy plans the same removal: `removal-overdue` reports it.
            if super::lints::overdue_plan(k, &kernel)
                .is_some_and(|(plan, _)| plan.release() == stated.release())
            {
                continue;
            }
            out.push(
                Diagnostic::at(
                    Code::UpstreamRemovalOverdue,
                    &notice_loc(n),
                    format!(
                        "the kernel says `{}` will be removed in {}, but {} still has it",
                        k.facts.name,
                        stated.release(),
                        cx.merged
                            .kernel
                            .version
                            .as_deref()
                            .unwrap_or("the checked kernel")
                    ),
                )
                .with_kfunc(&k.facts.name),
            );
        }
    }
}
