//! The changelog pages: what [`crate::diff`] found between an older kernel
//! and the one rendered ("Changes to kfuncs from 6.12 to 7.2"), one
//! section per subsystem, each entry linked to the kfunc's page.
//!
//! A changelog is for the people who call the kfuncs, so it carries the
//! changes (breaking, relaxing, added, removed, other) and leaves the
//! policy's verdicts (`stable-kfunc-removed`, `removal-unrecorded`...) to
//! `kfuncdoc diff`, where CI and the policy's maintainers read them.

use super::context::{Context, Page};
use crate::diff::{Change, Diff, Group, Pos, Summary};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One changelog page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeLog {
    /// The page's file stem.
    pub stem: String,
    /// Its title.
    pub title: String,
    /// The older kernel's version, as its inputs state it.
    pub old: Option<String>,
    /// The newer kernel's (the one the site describes).
    pub new: Option<String>,
    /// The source browser's link template for the older kernel's
    /// positions (`--source-url` with the older release filled in).
    pub old_source_url: Option<String>,
    /// Counts, as `kfuncdoc diff` prints them.
    pub summary: Summary,
    /// Changes that concern every kfunc (a requirement that became the
    /// default), first.
    pub kernel_wide: Vec<ChangeEntry>,
    /// The rest, one section per subsystem (sorted, "Other" last).
    pub sections: Vec<ChangeSection>,
}

/// The changes of one subsystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSection {
    /// The MAINTAINERS section (or "Other").
    pub name: String,
    /// Its changes: breaking first, then relaxing, added, removed, other.
    pub changes: Vec<ChangeEntry>,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEntry {
    /// The finding code (`param-added`...).
    pub code: String,
    /// Its level under the policy.
    pub level: String,
    /// `breaking`, `relaxing`, `added`, `removed` or `other`.
    pub group: String,
    /// The group as a reader says it: Breaking, Relaxing, New, Removed,
    /// Other.
    pub group_title: String,
    /// The kfunc (its newer name for a rename).
    pub kfunc: Option<String>,
    /// The page it is on, when this site shows it.
    pub page: Option<String>,
    /// Its RST label there.
    pub label: Option<String>,
    /// Its Markdown anchor there.
    pub anchor: Option<String>,
    /// The message without the kfunc's name in front, when it starts with
    /// it (templates put the linked name there); Markdown-style backticks
    /// mark code (the `ticks` filter).
    pub text: String,
    /// The whole message, as `diff` prints it.
    pub message: String,
    /// Where the older kernel has it.
    pub old: Option<Pos>,
    /// Where the newer kernel has it.
    pub new: Option<Pos>,
    /// The release it arrived in, on the history's pages (`6.12`, or
    /// `6.2–6.12` between releases that are not adjacent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// The commit that made it, when the history was read from git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<super::history::CommitInfo>,
}

/// A side's release (`MAJOR.MINOR`), when its version says.
fn release(version: &Option<String>) -> Option<String> {
    version
        .as_deref()
        .and_then(crate::kernel::KernelVersion::parse_lenient)
        .map(|v| v.release().to_string())
}

/// The file stem for a changelog from `old` to `new`: their releases when
/// known (`changes-6-12-to-7-2`), else a number.
fn stem_base(d: &Diff, n: usize) -> String {
    match (release(&d.old.version), release(&d.new.version)) {
        (Some(o), Some(n)) => format!("changes-{}-to-{}", o.replace('.', "-"), n.replace('.', "-")),
        _ => format!("changes-{}", n + 1),
    }
}

/// The page's title.
fn title(d: &Diff) -> String {
    format!(
        "Changes to kfuncs from {} to {}",
        release(&d.old.version).unwrap_or_else(|| "the older kernel".into()),
        release(&d.new.version).unwrap_or_else(|| "this kernel".into())
    )
}

/// kfunc → (page, RST label, Markdown anchor) of every kfunc `ctx` shows,
/// for the links of changelog entries.
pub(super) type Shown<'a> = BTreeMap<&'a str, (&'a str, &'a str, &'a str)>;

/// [`Shown`] for `ctx`.
pub(super) fn shown(ctx: &Context) -> Shown<'_> {
    ctx.groups
        .iter()
        .flat_map(|g| {
            g.kfuncs.iter().map(move |k| {
                (
                    k.name.as_str(),
                    (g.stem.as_str(), k.label.as_str(), k.anchor.as_str()),
                )
            })
        })
        .collect()
}

/// The entry a changelog shows for `c`: a changelog of `--changes-from`
/// and the history's pages build their entries here alike.
pub(super) fn entry(shown: &Shown<'_>, c: &Change) -> ChangeEntry {
    let (page, label, anchor) =
        c.kfunc
            .as_deref()
            .and_then(|k| shown.get(k))
            .map_or((None, None, None), |(p, l, a)| {
                (
                    Some(p.to_string()),
                    Some(l.to_string()),
                    Some(a.to_string()),
                )
            });
    let text = match &c.kfunc {
        Some(k) => c
            .message
            .strip_prefix(&format!("`{k}`"))
            .map_or_else(|| format!(": {}", c.message), str::to_string),
        None => c.message.clone(),
    };
    ChangeEntry {
        code: c.code.name().to_string(),
        level: c.level.as_str().to_string(),
        group: c.group.name().to_string(),
        group_title: match c.group {
            Group::Breaking => "Breaking",
            Group::Relaxing => "Relaxing",
            Group::Added => "New",
            Group::Removed => "Removed",
            Group::Other | Group::Policy => "Other",
        }
        .to_string(),
        kfunc: c.kfunc.clone(),
        page,
        label,
        anchor,
        text,
        message: c.message.clone(),
        old: c.old.clone(),
        new: c.new.clone(),
        release: None,
        commit: None,
    }
}

/// `changes` as a changelog lays them out: the kernel-wide ones, then one
/// section per subsystem (sorted, "Other" last), each in group order
/// (breaking, relaxing, added, removed, other). Each change comes with
/// what its entry adds (a commit); policy verdicts are left out.
pub(super) fn sections(
    shown: &Shown<'_>,
    changes: &[(&Change, Option<super::history::CommitInfo>)],
) -> (Vec<ChangeEntry>, Vec<ChangeSection>) {
    let mut kernel_wide = Vec::new();
    let mut by_section: BTreeMap<(bool, &str), Vec<ChangeEntry>> = BTreeMap::new();
    for g in Group::ALL.into_iter().filter(|&g| g != Group::Policy) {
        for (c, commit) in changes.iter().filter(|(c, _)| c.group == g) {
            let mut e = entry(shown, c);
            e.commit = commit.clone();
            match (&c.kfunc, &c.subsystem) {
                (None, _) => kernel_wide.push(e),
                (Some(_), Some(s)) => by_section.entry((false, s.as_str())).or_default().push(e),
                (Some(_), None) => by_section.entry((true, "Other")).or_default().push(e),
            }
        }
    }
    let sections = by_section
        .into_iter()
        .map(|((_, name), changes)| ChangeSection {
            name: name.to_string(),
            changes,
        })
        .collect();
    (kernel_wide, sections)
}

/// Adds the changelog of `d` to `ctx` as one more page, after the others
/// of its kind. `d` compares an older kernel with the one `ctx` describes.
pub fn add(ctx: &mut Context, d: &Diff) {
    let changes: Vec<_> = d.changes.iter().map(|c| (c, None)).collect();
    let (kernel_wide, sections) = sections(&shown(ctx), &changes);

    // A stem no other page has.
    let mut stems = super::stems::Stems::default();
    for p in &ctx.pages {
        stems.claim(&p.stem);
    }
    let stem = stems.claim(&stem_base(d, ctx.changes.len()));
    let old_source_url = ctx
        .options
        .source_url
        .as_deref()
        .and_then(|u| super::source_url::for_release(u, d.old.version.as_deref()));
    let log = ChangeLog {
        stem: stem.clone(),
        title: title(d),
        old: d.old.version.clone(),
        new: d.new.version.clone(),
        old_source_url,
        summary: d.summary.clone(),
        kernel_wide,
        sections,
    };
    // After the group pages and the other changelogs, before the fixed
    // pages at the end.
    let at = ctx
        .pages
        .iter()
        .rposition(|p| p.kind == "group" || p.kind == "changes" || p.kind == "index")
        .map_or(ctx.pages.len(), |i| i + 1);
    ctx.pages.insert(
        at,
        Page {
            kind: "changes".into(),
            stem,
            title: log.title.clone(),
        },
    );
    ctx.changes.push(log);
}
