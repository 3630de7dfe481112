//! The lints, one function each. See `crate::diag::codes` for what each
//! code means; the messages here say what was found and where.

use super::Cx;
use crate::diag::{Code, Diagnostic};
use crate::kernel::KernelVersion;
use crate::loc::Loc;
use crate::merge::{MergedKfunc, Source, rule_matches};
use crate::policy::Stability;
use crate::policy::model::{Entry, Located, Replacement};

fn kernel_name(cx: &Cx<'_>) -> String {
    cx.merged
        .kernel
        .version
        .clone()
        .unwrap_or_else(|| "the checked kernel".into())
}

/// Where a kfunc is listed in the source; for a kfunc only a built
/// kernel has, the input file.
fn fact_loc(k: &MergedKfunc) -> Loc {
    match (&k.facts.file, k.facts.line, &k.facts.btf) {
        (Some(f), Some(l), _) => Loc::new(f.clone(), l, 1),
        (_, _, Some(b)) => Loc::new(b.file.clone(), 0, 0),
        _ => Loc::new(String::new(), 0, 0),
    }
}

/// A finding at a kfunc's fact position (a whole file when there is no
/// line).
fn at_fact(code: Code, k: &MergedKfunc, message: String) -> Diagnostic {
    let loc = fact_loc(k);
    let d = if loc.line == 0 {
        Diagnostic::in_file(code, loc.file, message)
    } else {
        Diagnostic::at(code, &loc, message)
    };
    d.with_kfunc(&k.facts.name)
}

/// Where the kfunc's effective stability was decided, or where it is listed.
fn stability_loc(k: &MergedKfunc) -> Loc {
    match &k.policy.stability.from {
        Source::Entry { loc } | Source::Rule { loc, .. } | Source::Defaults { loc } => loc.clone(),
        Source::Builtin => fact_loc(k),
    }
}

/// Whether a version is no later than the checked kernel's release.
fn reached(cx: &Cx<'_>, v: &Located<KernelVersion>) -> bool {
    cx.kernel.is_some_and(|k| v.value.release() <= k.release())
}

fn is_deprecated(e: &Entry) -> bool {
    e.stability
        .as_ref()
        .is_some_and(|s| s.value == Stability::Deprecated)
        || e.deprecated_in.is_some()
}

fn is_removed(e: &Entry) -> bool {
    e.stability
        .as_ref()
        .is_some_and(|s| s.value == Stability::Removed)
}

pub(super) fn unknown_kfunc(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    // A built kernel only has the kfuncs of its configuration (and of the
    // modules read); only a source tree says a kfunc does not exist.
    if !cx.merged.kernel.has_source() {
        return;
    }
    for e in &cx.merged.orphans {
        let removed = is_removed(e) || e.removed_in.as_ref().is_some_and(|r| reached(cx, r));
        // A policy may describe kfuncs of later kernels.
        let later = e
            .since
            .as_ref()
            .is_some_and(|s| cx.kernel.is_some_and(|k| s.value.release() > k.release()));
        if removed || later {
            continue;
        }
        out.push(
            Diagnostic::at(
                Code::UnknownKfunc,
                &e.loc,
                format!(
                    "the policy has an entry for `{}`, which {} does not have{}",
                    e.name,
                    kernel_name(cx),
                    // A misspelt name: the kernel's closest kfunc.
                    crate::suggest::did_you_mean(
                        &e.name,
                        cx.merged.kfuncs.iter().map(|k| k.facts.name.as_str())
                    )
                ),
            )
            .with_kfunc(&e.name),
        );
    }
}

pub(super) fn missing_decision(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for k in cx.merged.kfuncs.iter().filter(|k| !k.policy.explicit) {
        let how = match &k.policy.stability.from {
            Source::Rule { rule, .. } => format!("rule `{rule}`"),
            Source::Defaults { .. } => "the defaults".into(),
            _ => "the kernel's default".into(),
        };
        out.push(at_fact(
            Code::MissingDecision,
            k,
            format!(
                "`{}` has no policy entry stating its stability (it is `{}` by {how})",
                k.facts.name, k.policy.stability.value
            ),
        ));
    }
}

pub(super) fn deprecated_without_replacement(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for e in cx
        .policy
        .kfuncs
        .values()
        .filter(|e| is_deprecated(e) && e.replacement.is_none())
    {
        let loc = e.stability.as_ref().map_or(&e.loc, |s| &s.loc);
        out.push(
            Diagnostic::at(
                Code::DeprecatedWithoutReplacement,
                loc,
                format!(
                    "`{}` is deprecated without `replacement:` (a kfunc, or `none: <reason>`)",
                    e.name
                ),
            )
            .with_kfunc(&e.name),
        );
    }
}

pub(super) fn deprecated_without_plan(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for e in cx
        .policy
        .kfuncs
        .values()
        .filter(|e| is_deprecated(e) && !is_removed(e))
    {
        let loc = e.stability.as_ref().map_or(&e.loc, |s| &s.loc);
        let missing: Vec<&str> = [
            (e.deprecated_in.is_none(), "`deprecated_in`"),
            (
                e.removal_planned.is_none() && e.removed_in.is_none(),
                "`removal_planned`",
            ),
        ]
        .into_iter()
        .filter_map(|(m, n)| m.then_some(n))
        .collect();
        if !missing.is_empty() {
            out.push(
                Diagnostic::at(
                    Code::DeprecatedWithoutPlan,
                    loc,
                    format!(
                        "`{}` is deprecated without {}",
                        e.name,
                        missing.join(" or ")
                    ),
                )
                .with_kfunc(&e.name),
            );
        }
    }
}

pub(super) fn removal_too_soon(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(min) = &cx.policy.lifecycle.min_deprecation_releases else {
        return;
    };
    for e in cx.policy.kfuncs.values() {
        let Some(dep) = &e.deprecated_in else {
            continue;
        };
        for (end, what) in [(&e.removal_planned, "planned"), (&e.removed_in, "done")] {
            let Some(end) = end else { continue };
            let Some(n) = dep.value.releases_until(end.value) else {
                continue;
            };
            if n < min.value {
                out.push(
                    Diagnostic::at(
                        Code::RemovalTooSoon,
                        &end.loc,
                        format!(
                            "removal of `{}` {what} in {} is {} after its deprecation in {}; the policy promises at least {} ({})",
                            e.name,
                            end.value,
                            crate::plural::count(n as usize, "release", "releases"),
                            dep.value,
                            min.value,
                            min.loc
                        ),
                    )
                    .with_kfunc(&e.name),
                );
            }
        }
    }
}

pub(super) fn bad_replacement(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for e in cx.policy.kfuncs.values() {
        let Some(Located {
            value: Replacement::Kfunc(r),
            loc,
        }) = &e.replacement
        else {
            continue;
        };
        let problem = if r == &e.name {
            Some("the kfunc itself".to_string())
        } else {
            let in_catalog = cx.merged.kfuncs.iter().find(|k| &k.facts.name == r);
            let in_policy = cx.policy.kfuncs.get(r);
            let stability = in_catalog
                .map(|k| k.policy.stability.value)
                .or_else(|| in_policy.and_then(|p| p.stability.as_ref().map(|s| s.value)));
            match (in_catalog, in_policy, stability) {
                (None, None, _) => Some(format!(
                    "`{r}`, which neither {} nor the policy has",
                    kernel_name(cx)
                )),
                (_, _, Some(s @ (Stability::Deprecated | Stability::Removed))) => {
                    Some(format!("`{r}`, which is {s} itself"))
                }
                _ => None,
            }
        };
        if let Some(p) = problem {
            out.push(
                Diagnostic::at(
                    Code::BadReplacement,
                    loc,
                    format!("the replacement of `{}` is {p}", e.name),
                )
                .with_kfunc(&e.name),
            );
        }
    }
}

pub(super) fn inconsistent_versions(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for e in cx.policy.kfuncs.values() {
        let mut push = |loc: &Loc, msg: String| {
            out.push(Diagnostic::at(Code::InconsistentVersions, loc, msg).with_kfunc(&e.name));
        };
        let pairs = [
            (&e.since, "since", &e.deprecated_in, "deprecated_in"),
            (&e.since, "since", &e.removal_planned, "removal_planned"),
            (&e.since, "since", &e.removed_in, "removed_in"),
            (
                &e.deprecated_in,
                "deprecated_in",
                &e.removal_planned,
                "removal_planned",
            ),
            (
                &e.deprecated_in,
                "deprecated_in",
                &e.removed_in,
                "removed_in",
            ),
        ];
        for (a, an, b, bn) in pairs {
            if let (Some(a), Some(b)) = (a, b)
                && a.value > b.value
            {
                push(
                    &b.loc,
                    format!(
                        "`{}`: {bn} {} is before {an} {} ({})",
                        e.name, b.value, a.value, a.loc
                    ),
                );
            }
        }
        if let (Some(p), None) = (&e.removal_planned, &e.deprecated_in) {
            push(
                &p.loc,
                format!("`{}` has a planned removal but no `deprecated_in`", e.name),
            );
        }
        match (&e.stability, &e.removed_in) {
            (Some(s), None) if s.value == Stability::Removed => {
                push(
                    &s.loc,
                    format!("`{}` is `removed` without `removed_in`", e.name),
                );
            }
            (Some(s), Some(r)) if s.value != Stability::Removed => {
                push(
                    &r.loc,
                    format!(
                        "`{}` has `removed_in` {} but is `{}` ({})",
                        e.name, r.value, s.value, s.loc
                    ),
                );
            }
            _ => {}
        }
        if let (Some(s), Some(d)) = (&e.stability, &e.deprecated_in)
            && matches!(
                s.value,
                Stability::Stable | Stability::Unstable | Stability::Experimental
            )
            && reached(cx, d)
        {
            push(
                &s.loc,
                format!(
                    "`{}` is `{}` but was deprecated in {} ({})",
                    e.name, s.value, d.value, d.loc
                ),
            );
        }
    }
    // A kfunc of this kernel cannot appear in a later one.
    for k in &cx.merged.kfuncs {
        let (Some(since), Some(kernel)) = (&k.policy.since, cx.kernel) else {
            continue;
        };
        if since.value.release() > kernel.release() {
            let Source::Entry { loc } = &since.from else {
                continue;
            };
            out.push(
                Diagnostic::at(
                    Code::InconsistentVersions,
                    loc,
                    format!(
                        "`{}` is in {} but the policy says it appeared in {}",
                        k.facts.name,
                        kernel_name(cx),
                        since.value
                    ),
                )
                .with_kfunc(&k.facts.name),
            );
        }
    }
}

pub(super) fn stable_test_only(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for k in cx
        .merged
        .kfuncs
        .iter()
        .filter(|k| k.policy.stability.value == Stability::Stable && k.facts.test_only)
    {
        out.push(
            Diagnostic::at(
                Code::StableTestOnly,
                &stability_loc(k),
                format!(
                    "`{}` is declared stable but exists only for the kernel's tests ({})",
                    k.facts.name,
                    fact_loc(k)
                ),
            )
            .with_kfunc(&k.facts.name),
        );
    }
}

/// Whether the source was read for this kfunc (a built kernel alone has
/// no comments).
fn has_source(k: &MergedKfunc) -> bool {
    k.facts.file.is_some()
}

pub(super) fn stable_without_doc(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for k in cx
        .merged
        .kfuncs
        .iter()
        .filter(|k| k.policy.stability.value == Stability::Stable && has_source(k))
    {
        if k.facts.doc.as_ref().is_some_and(|d| d.kernel_doc) {
            continue;
        }
        let at = k.facts.definition.as_ref().map_or_else(
            || fact_loc(k).to_string(),
            |d| format!("{}:{}", d.file, d.line),
        );
        out.push(
            Diagnostic::at(
                Code::StableWithoutDoc,
                &stability_loc(k),
                format!(
                    "`{}` is declared stable but its definition ({at}) has no kernel-doc comment",
                    k.facts.name
                ),
            )
            .with_kfunc(&k.facts.name),
        );
    }
}

pub(super) fn doc_params_mismatch(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for k in &cx.merged.kfuncs {
        let Some(doc) = k.facts.doc.as_ref().filter(|d| d.kernel_doc) else {
            continue;
        };
        if k.facts.definition.is_none() {
            continue;
        }
        let params: Vec<&str> = k
            .facts
            .params
            .iter()
            .map(|p| p.name.as_str())
            .filter(|n| !n.is_empty())
            .collect();
        let documented: Vec<&str> = doc.params.iter().map(|p| p.name.as_str()).collect();
        let excess: Vec<&str> = documented
            .iter()
            .copied()
            .filter(|d| !params.contains(d) && *d != "...")
            .collect();
        let missing: Vec<&str> = params
            .iter()
            .copied()
            .filter(|p| !documented.contains(p) && *p != "...")
            .collect();
        if excess.is_empty() && missing.is_empty() {
            continue;
        }
        let mut parts = Vec::new();
        if !excess.is_empty() {
            parts.push(format!(
                "documents @{} that it does not take",
                excess.join(", @")
            ));
        }
        if !missing.is_empty() {
            parts.push(format!("does not document {}", missing.join(", ")));
        }
        out.push(
            Diagnostic::at(
                Code::DocParamsMismatch,
                &Loc::new(doc.file.clone(), doc.line, 1),
                format!(
                    "the kernel-doc of `{}` {}",
                    k.facts.name,
                    parts.join(" and ")
                ),
            )
            .with_kfunc(&k.facts.name),
        );
    }
}

pub(super) fn sleepable_unreachable(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    let sleepable = &cx.merged.kernel.sleepable_prog_types;
    if sleepable.is_empty() {
        return;
    }
    for k in &cx.merged.kfuncs {
        let f = &k.facts;
        if !f.flags.iter().any(|x| x == "KF_SLEEPABLE")
            || f.all_prog_types
            || f.prog_types.is_empty()
        {
            continue;
        }
        let reach = if f.callable_from.is_empty() {
            &f.prog_types
        } else {
            &f.callable_from
        };
        if reach.iter().any(|p| sleepable.contains(p)) {
            continue;
        }
        let short: Vec<&str> = f
            .prog_types
            .iter()
            .map(|p| p.trim_start_matches("BPF_PROG_TYPE_"))
            .collect();
        out.push(at_fact(
            Code::SleepableUnreachable,
            k,
            format!(
                "`{}` is KF_SLEEPABLE but registered only for {}, which cannot be sleepable",
                f.name,
                short.join(", ")
            ),
        ));
    }
}

pub(super) fn removed_still_present(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for k in &cx.merged.kfuncs {
        // `stability` is already as of this kernel: a removal recorded for
        // a later release does not count.
        if k.policy.stability.value != Stability::Removed {
            continue;
        }
        out.push(
            Diagnostic::at(
                Code::RemovedStillPresent,
                &stability_loc(k),
                format!(
                    "the policy says `{}` is removed, but {} still has it ({})",
                    k.facts.name,
                    kernel_name(cx),
                    fact_loc(k)
                ),
            )
            .with_kfunc(&k.facts.name),
        );
    }
}

/// The policy entry's planned removal of `k` when the checked kernel has
/// reached it and still has the kfunc: the release and where the entry says
/// so. `removal-overdue` reports it; `upstream-removal-overdue` stays quiet
/// about a kernel statement naming the same release, so one overdue removal
/// is one finding.
pub(super) fn overdue_plan<'a>(
    k: &'a MergedKfunc,
    kernel: &KernelVersion,
) -> Option<(&'a KernelVersion, &'a Loc)> {
    let p = &k.policy;
    if p.stability.value == Stability::Removed || p.removed_in.is_some() {
        return None;
    }
    let plan = p.removal_planned.as_ref()?;
    let Source::Entry { loc } = &plan.from else {
        return None;
    };
    (plan.value.release() <= kernel.release()).then_some((&plan.value, loc))
}

pub(super) fn removal_overdue(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kernel) = cx.kernel else { return };
    for k in &cx.merged.kfuncs {
        let Some((plan, loc)) = overdue_plan(k, &kernel) else {
            continue;
        };
        // The kernel's own comment naming the same release, if any.
        let stated = k.facts.upstream_notices.iter().find(|n| {
            n.removal
                .as_deref()
                .and_then(KernelVersion::parse_lenient)
                .is_some_and(|r| r.release() == plan.release())
        });
        let also = stated.map_or_else(String::new, |n| {
            format!(" (the kernel says so too, {}:{})", n.file, n.line)
        });
        out.push(
            Diagnostic::at(
                Code::RemovalOverdue,
                loc,
                format!(
                    "`{}` was to be removed in {plan}{also}, but {} still has it",
                    k.facts.name,
                    kernel_name(cx)
                ),
            )
            .with_kfunc(&k.facts.name),
        );
    }
}

pub(super) fn rule_matches_nothing(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    // Rules on files and subsystems cannot match what only BTF describes.
    if !cx.merged.kernel.has_source() {
        return;
    }
    for r in &cx.policy.rules {
        if !cx.merged.kfuncs.iter().any(|k| rule_matches(r, &k.facts)) {
            out.push(Diagnostic::at(
                Code::RuleMatchesNothing,
                &r.loc,
                format!("rule `{}` matches no kfunc of {}", r.label, kernel_name(cx)),
            ));
        }
    }
}

pub(super) fn deprecation_undocumented(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for k in cx.merged.kfuncs.iter().filter(|k| has_source(k)) {
        let Some(dep) = &k.policy.deprecated_in else {
            continue;
        };
        let Some(kernel) = cx.kernel else { continue };
        if dep.value.release() > kernel.release() {
            continue;
        }
        let says = k.facts.doc.as_ref().is_some_and(|d| {
            [&d.summary, &d.body, &d.returns, &d.context]
                .into_iter()
                .flatten()
                .chain(d.sections.iter().map(|s| &s.text))
                .any(|t| t.to_ascii_lowercase().contains("deprecat"))
        });
        if says {
            continue;
        }
        let Source::Entry { loc } = &dep.from else {
            continue;
        };
        out.push(
            Diagnostic::at(
                Code::DeprecationUndocumented,
                loc,
                format!(
                    "`{}` is deprecated since {} but its kernel-doc does not say so",
                    k.facts.name, dep.value
                ),
            )
            .with_kfunc(&k.facts.name),
        );
    }
}

pub(super) fn missing_since(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for k in cx.merged.kfuncs.iter().filter(|k| k.policy.since.is_none()) {
        let message = format!("`{}` has no `since` in the policy", k.facts.name);
        out.push(match cx.policy.kfuncs.get(&k.facts.name) {
            Some(e) => {
                Diagnostic::at(Code::MissingSince, &e.loc, message).with_kfunc(&k.facts.name)
            }
            None => at_fact(Code::MissingSince, k, message),
        });
    }
}
