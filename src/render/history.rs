//! A kfunc history on the pages (`render --history`, `history:`; issue 12):
//! since-releases where the policy records none, the age factor, each
//! kfunc's changes release by release, per-program-type since, and two
//! pages, "Removed kfuncs" and "Changes by release".
//!
//! [`add`] runs on a built [`Context`], so a context without a history is
//! byte for byte what it was before histories existed. The policy's own
//! `since`, `removed_in` and `replacement` win over the history: the
//! history fills what the policy leaves out, and each page says where a
//! since-release comes from (`since_from`). A release the history only
//! bounds ("after 6.1, by 6.12") is shown as the bounds, never as a guess.
//! Pure: no I/O.

use super::changes::{self, ChangeEntry, ChangeSection, Shown};
use super::context::{AgeInfo, Context, KfuncPage, NamedText, Page, ReplacementInfo, kfunc_label};
use crate::diff::Summary;
use crate::history::EVERY_PROG_TYPE;
use crate::history::model::{CommitRef, History, KfuncHistory, Seen, Step};
use crate::kernel::KernelVersion;
use crate::policy::Policy;
use crate::policy::model::Replacement;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Where a commit id is shown (`--commit-url`, `commit_url:`): the
/// mainline repository's web view.
pub const DEFAULT_COMMIT_URL: &str =
    "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id={id}";

/// Whether `s` can be a commit URL template: an http(s) URL with `{id}`.
pub fn valid_commit_url(s: &str) -> Result<(), &'static str> {
    if !(s.starts_with("https://") || s.starts_with("http://")) {
        return Err("a commit URL starts with https:// or http://");
    }
    if !s.contains("{id}") {
        return Err("a commit URL has `{id}` where the commit's id goes");
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a commit URL has no spaces or control characters");
    }
    Ok(())
}

/// A commit, as a page links it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    /// The full id.
    pub id: String,
    /// Its first 12 characters, as the kernel's `Fixes:` tags cite it.
    pub short: String,
    /// The first line of its message (plain text).
    pub subject: String,
    /// The commit URL template with the id filled in.
    pub url: String,
}

/// The history, as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryInfo {
    /// The releases of the history up to the kernel rendered, oldest first.
    pub releases: Vec<String>,
    /// The commit URL template (`{id}`).
    pub commit_url: String,
    /// The stem of the "Removed kfuncs" page.
    pub removed_stem: String,
    /// The stem of the "Changes by release" page.
    pub changes_stem: String,
    /// kfuncs of an earlier release absent from the kernel rendered, by
    /// name.
    pub removed: Vec<RemovedInfo>,
    /// For each release after the first, up to the kernel rendered, the
    /// changes that arrived in it, newest release first.
    pub by_release: Vec<ReleaseChanges>,
}

/// A kfunc of an earlier release that the kernel rendered does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedInfo {
    /// Its name.
    pub name: String,
    /// The first release of the history that has it (`≤ 6.1`, `6.2–6.12`).
    pub first_seen: String,
    /// The last release that has it.
    pub last_seen: String,
    /// When it went: `6.13–7.2`, or an exact release.
    pub removed_in: String,
    /// `policy` (its `removed_in`, which wins) or `history`.
    pub removed_in_from: String,
    /// The commit that removed it, when known.
    pub removed_by: Option<CommitInfo>,
    /// What to use instead: the policy's replacement, else the name the
    /// history saw it renamed to; absent when neither records one.
    pub replacement: Option<ReplacementInfo>,
    /// `policy` or `history`: where `replacement` comes from.
    pub replacement_from: Option<String>,
}

/// The changes that arrived in one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseChanges {
    /// The release (`7.2`).
    pub release: String,
    /// The release before it in the history (`6.12`).
    pub from: String,
    /// The release, or its bounds when `from` is not the release before
    /// (`6.13–7.2`).
    pub display: String,
    /// The section's title (`Linux 7.2`, `Linux 6.13–7.2`).
    pub title: String,
    /// An RST label / Markdown anchor for it (`kfuncdoc-release-7-2`).
    pub label: String,
    /// Counts, as `kfuncdoc diff` prints them.
    pub summary: Option<Summary>,
    /// Changes that concern every kfunc.
    pub kernel_wide: Vec<ChangeEntry>,
    /// The rest, one section per subsystem (sorted, "Other" last).
    pub sections: Vec<ChangeSection>,
}

/// What the history says of one kfunc on its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KfuncHistoryInfo {
    /// The first release of the history that has it (`6.12`, `6.2–6.12`,
    /// `≤ 6.1`).
    pub first_seen: String,
    /// The commit that added it, when known.
    pub introduced_by: Option<CommitInfo>,
    /// The name it had before a rename the history saw.
    pub renamed_from: Option<String>,
    /// No change of `changes` already says it arrived (it was in the
    /// history's first release, or came without a change the diff saw):
    /// the page says "first seen" itself.
    pub show_first_seen: bool,
    /// Its changes between releases, oldest first, each with `release`.
    pub changes: Vec<ChangeEntry>,
}

/// How the pages show `c`.
fn commit_info(c: &CommitRef, url: &str) -> CommitInfo {
    CommitInfo {
        id: c.id.clone(),
        short: c.id.chars().take(12).collect(),
        subject: c.subject.clone(),
        url: url.replace("{id}", &c.id),
    }
}

/// The version a history label stands for.
fn version(history: &History, label: &str) -> Option<KernelVersion> {
    history
        .release(label)
        .and_then(|r| r.kernel_version())
        .or_else(|| KernelVersion::parse_lenient(label).map(KernelVersion::release))
}

/// When `step` arrived: its release, or the bounds when the release before
/// it in the history is not the mainline release before.
fn step_display(history: &History, step: &Step) -> String {
    between(history, &step.from, &step.release)
}

/// `release`, or the bounds after `from` when `from` is not the mainline
/// release before it.
fn between(history: &History, from: &str, release: &str) -> String {
    let exact = matches!(
        (version(history, from), version(history, release)),
        (Some(a), Some(b)) if a.next_release() == b
    );
    Seen {
        by: release.to_string(),
        after: Some(from.to_string()),
        exact,
    }
    .display()
}

/// The age factor for a since-release the history gives: releases from
/// `seen` to `kernel`, a range when `seen` is bounded, a minimum when only
/// the first release read is known to have it (then `since` is that
/// release, and `at_least` says "or earlier").
fn age(history: &History, seen: &Seen, kernel: Option<KernelVersion>) -> AgeInfo {
    let by = version(history, &seen.by);
    let until = |v: Option<KernelVersion>| v.zip(kernel).and_then(|(v, k)| v.releases_until(k));
    let mut a = AgeInfo {
        since: Some(seen.display()),
        releases: until(by),
        since_from: Some("history".into()),
        releases_max: None,
        at_least: false,
    };
    if !seen.exact {
        match seen.after.as_deref() {
            Some(after) => {
                a.releases_max = until(version(history, after).map(KernelVersion::next_release));
            }
            None => {
                // "since 6.1 or earlier".
                a.at_least = true;
                a.since = Some(seen.by.clone());
            }
        }
    }
    a
}

/// The labels of the history's releases that are not after `kernel`.
fn releases_up_to(history: &History, kernel: Option<KernelVersion>) -> Vec<String> {
    history
        .releases
        .iter()
        .filter(|r| match (r.kernel_version(), kernel) {
            (Some(v), Some(k)) => v <= k.release(),
            _ => true,
        })
        .map(|r| r.label.clone())
        .collect()
}

/// A since for a kfunc the history does not know because it arrived after
/// the history's last release: between that release and `kernel`.
fn after_history(history: &History, kernel: Option<KernelVersion>) -> Option<Seen> {
    let last = history.latest()?;
    let (l, k) = (last.kernel_version()?, kernel?.release());
    (l < k).then(|| Seen {
        by: k.to_string(),
        after: Some(last.label.clone()),
        exact: l.next_release() == k,
    })
}

/// A since for a kfunc `kernel` has that the history first sees in a
/// later release (`seen`): the kernel itself bounds it, after the
/// history's last release without it (a 6.18 kernel with a kfunc the
/// history first sees "6.13–7.2" has it "6.13–6.18"). `None` when the
/// history's release without it is not before the kernel (removed and
/// added again): the history cannot say.
fn seen_by_kernel(history: &History, seen: &Seen, kernel: Option<KernelVersion>) -> Option<Seen> {
    let k = kernel?.release();
    let after = match seen.after.as_deref() {
        None => None,
        Some(label) => {
            let a = version(history, label)?;
            if a >= k {
                return None;
            }
            Some((label, a))
        }
    };
    Some(Seen {
        by: k.to_string(),
        after: after.map(|(label, _)| label.to_string()),
        exact: after.is_some_and(|(_, a)| a.next_release() == k),
    })
}

/// Fills what `history` says into `ctx` (built for the kernel `names`
/// lists, test-only kfuncs included): since-releases, age, each kfunc's
/// history, and the two history pages. `commit_url` has `{id}`.
pub fn add(
    ctx: &mut Context,
    history: &History,
    policy: &Policy,
    names: &BTreeSet<String>,
    commit_url: &str,
) {
    let kernel = ctx
        .kernel
        .version
        .as_deref()
        .and_then(KernelVersion::parse_lenient);
    let releases = releases_up_to(history, kernel);
    let known: BTreeSet<&str> = releases.iter().map(String::as_str).collect();
    let in_range = |label: &str| known.contains(label);
    let newer = after_history(history, kernel);

    // The kfunc pages first, so that the pages' links below see them.
    let shown_names: Vec<(usize, usize)> = ctx
        .groups
        .iter()
        .enumerate()
        .flat_map(|(g, grp)| (0..grp.kfuncs.len()).map(move |k| (g, k)))
        .collect();
    for (g, i) in shown_names {
        let shown = changes::shown(ctx);
        let name = ctx.groups[g].kfuncs[i].name.clone();
        let info = history
            .get(&name)
            .filter(|h| in_range(&h.first_seen.by))
            .map(|h| kfunc_info(history, h, &shown, commit_url, &in_range));
        let k = &mut ctx.groups[g].kfuncs[i];
        let seen = match history.get(&name) {
            Some(h) if in_range(&h.first_seen.by) => Some(h.first_seen.clone()),
            Some(h) => seen_by_kernel(history, &h.first_seen, kernel),
            None => newer.clone(),
        };
        fill_kfunc(k, history, seen, info, kernel);
    }

    let shown = changes::shown(ctx);
    let removed = removed(history, policy, names, &shown, commit_url, kernel, ctx);
    let by_release = by_release(history, &releases, &shown, commit_url);

    // Stems no other page has, after the group and changelog pages.
    let mut stems = super::stems::Stems::default();
    for p in &ctx.pages {
        stems.claim(&p.stem);
    }
    let removed_stem = stems.claim("removed-kfuncs");
    let changes_stem = stems.claim("changes-by-release");
    let at = ctx
        .pages
        .iter()
        .rposition(|p| p.kind == "group" || p.kind == "changes" || p.kind == "index")
        .map_or(ctx.pages.len(), |i| i + 1);
    ctx.pages.insert(
        at,
        Page {
            kind: "releases".into(),
            stem: changes_stem.clone(),
            title: "Changes by release".into(),
        },
    );
    ctx.pages.insert(
        at,
        Page {
            kind: "removed".into(),
            stem: removed_stem.clone(),
            title: "Removed kfuncs".into(),
        },
    );
    ctx.history = Some(HistoryInfo {
        releases,
        commit_url: commit_url.to_string(),
        removed_stem,
        changes_stem,
        removed,
        by_release,
    });
}

/// What a kfunc's page says from its history `h`.
fn kfunc_info(
    history: &History,
    h: &KfuncHistory,
    shown: &Shown<'_>,
    commit_url: &str,
    in_range: &dyn Fn(&str) -> bool,
) -> KfuncHistoryInfo {
    let arrival = |s: &Step| matches!(s.change.code.name(), "kfunc-added" | "kfunc-renamed");
    let mut steps: Vec<&Step> = h.changes.iter().filter(|s| in_range(&s.release)).collect();
    // Release by release, its arrival (added, renamed) first.
    let at = |s: &Step| history.releases.iter().position(|r| r.label == s.release);
    steps.sort_by_key(|s| (at(s), !arrival(s)));
    let arrives = |s: &&Step| s.release == h.first_seen.by && arrival(s);
    KfuncHistoryInfo {
        first_seen: h.first_seen.display(),
        introduced_by: h.introduced_by.as_ref().map(|c| commit_info(c, commit_url)),
        renamed_from: h.renamed_from.clone(),
        show_first_seen: !steps.iter().any(arrives),
        changes: steps
            .iter()
            .map(|s| {
                let mut e = changes::entry(shown, &s.change);
                e.release = Some(step_display(history, s));
                e.commit = s.commit.as_ref().map(|c| commit_info(c, commit_url));
                e
            })
            .collect(),
    }
}

/// The since, age and per-program-type since of one kfunc page. `seen` is
/// the history's first release of it (absent: the history cannot say).
fn fill_kfunc(
    k: &mut KfuncPage,
    history: &History,
    seen: Option<Seen>,
    info: Option<KfuncHistoryInfo>,
    kernel: Option<KernelVersion>,
) {
    if k.since.is_some() {
        // The policy's since wins.
        k.since_from = Some("policy".into());
        k.factors.age.since_from = Some("policy".into());
    } else if let Some(seen) = &seen {
        k.since = Some(seen.display());
        k.since_from = Some("history".into());
        k.since_url = info
            .as_ref()
            .and_then(|i| i.introduced_by.as_ref())
            .map(|c| c.url.clone());
        k.factors.age = age(history, seen, kernel);
    }
    // Per program type: only the types that came later than the kfunc.
    if let (Some(h), Some(seen)) = (history.get(&k.name), &seen) {
        let first = history.releases.iter().position(|r| r.label == seen.by);
        let at = |label: &str| history.releases.iter().position(|r| r.label == label);
        k.prog_types_since = h
            .prog_types
            .iter()
            .filter(|p| matches!((at(&p.since.by), first), (Some(a), Some(f)) if a > f))
            .filter(|p| {
                version(history, &p.since.by)
                    .zip(kernel)
                    .is_none_or(|(v, k)| v <= k.release())
            })
            .map(|p| NamedText {
                name: if p.prog_type == EVERY_PROG_TYPE {
                    "all program types".into()
                } else {
                    p.prog_type
                        .strip_prefix("BPF_PROG_TYPE_")
                        .unwrap_or(&p.prog_type)
                        .to_string()
                },
                text: p.since.display(),
            })
            .collect();
    }
    k.history = info;
}

/// The "Removed kfuncs" page: every kfunc of the history's releases up to
/// the kernel rendered that `names` does not have.
fn removed(
    history: &History,
    policy: &Policy,
    names: &BTreeSet<String>,
    shown: &Shown<'_>,
    commit_url: &str,
    kernel: Option<KernelVersion>,
    ctx: &Context,
) -> Vec<RemovedInfo> {
    let kernel_label = kernel.map(|k| k.release().to_string());
    let mut out = Vec::new();
    for h in &history.kfuncs {
        if names.contains(&h.name) {
            continue;
        }
        let last = version(history, &h.last_seen);
        // Gone from the history itself, or last seen before this kernel.
        let older = matches!((last, kernel), (Some(l), Some(k)) if l < k.release());
        if h.removed_in.is_none() && !older {
            continue;
        }
        if matches!((last, kernel), (Some(l), Some(k)) if l >= k.release()) {
            continue;
        }
        // Test-only kfuncs stay off the pages, here too.
        let test_only = history
            .release(&h.last_seen)
            .and_then(|r| r.catalog.get(&h.name))
            .is_some_and(|k| k.test_only);
        if test_only && !ctx.options.include_test_only {
            continue;
        }
        // The history's removal when it falls before this kernel, else
        // between its last release and this kernel.
        let removed_in = match (&h.removed_in, &kernel_label) {
            (Some(r), _)
                if version(history, &r.by)
                    .zip(kernel)
                    .is_none_or(|(v, k)| v <= k.release()) =>
            {
                r.display()
            }
            (_, Some(k)) => Seen {
                by: k.clone(),
                after: Some(h.last_seen.clone()),
                exact: last
                    .zip(kernel)
                    .is_some_and(|(l, k)| l.next_release() == k.release()),
            }
            .display(),
            (Some(r), None) => r.display(),
            (None, None) => continue,
        };
        // The policy's removal wins.
        let entry = policy.kfuncs.get(&h.name);
        let (removed_in, removed_in_from) =
            match entry.and_then(|e| e.removed_in.as_ref()).map(|r| r.value) {
                Some(v) => (v.to_string(), "policy"),
                None => (removed_in, "history"),
            };
        let link = |name: &str| {
            let at = shown.get(name);
            ReplacementInfo {
                kfunc: Some(name.to_string()),
                label: at.map(|_| kfunc_label(name)),
                page: at.map(|(p, _, _)| p.to_string()),
                reason: None,
                arrives_in: None,
            }
        };
        let from_policy = entry
            .and_then(|e| e.replacement.as_ref())
            .map(|r| match &r.value {
                Replacement::Kfunc(n) => link(n),
                Replacement::None(reason) => ReplacementInfo {
                    kfunc: None,
                    label: None,
                    page: None,
                    reason: Some(reason.clone()),
                    arrives_in: None,
                },
            });
        let (replacement, replacement_from) = match from_policy {
            Some(r) => (Some(r), Some("policy".to_string())),
            None => match &h.renamed_to {
                Some(n) => (Some(link(n)), Some("history".to_string())),
                None => (None, None),
            },
        };
        out.push(RemovedInfo {
            name: h.name.clone(),
            first_seen: h.first_seen.display(),
            last_seen: h.last_seen.clone(),
            removed_in,
            removed_in_from: removed_in_from.to_string(),
            removed_by: h.removed_by.as_ref().map(|c| commit_info(c, commit_url)),
            replacement,
            replacement_from,
        });
    }
    out
}

/// The "Changes by release" page: each release after the first, newest
/// first.
fn by_release(
    history: &History,
    releases: &[String],
    shown: &Shown<'_>,
    commit_url: &str,
) -> Vec<ReleaseChanges> {
    let mut out = Vec::new();
    for w in releases.windows(2) {
        let (from, release) = (&w[0], &w[1]);
        let steps = history.changes_in(release);
        let with: Vec<_> = steps
            .iter()
            .map(|s| {
                (
                    &s.change,
                    s.commit.as_ref().map(|c| commit_info(c, commit_url)),
                )
            })
            .collect();
        let (kernel_wide, sections) = changes::sections(shown, &with);
        let display = between(history, from, release);
        out.push(ReleaseChanges {
            release: release.clone(),
            from: from.clone(),
            title: format!("Linux {display}"),
            display,
            label: format!("kfuncdoc-release-{}", super::text::slug(release)),
            summary: history.release(release).and_then(|r| r.summary.clone()),
            kernel_wide,
            sections,
        });
    }
    out.reverse();
    out
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
