//! `kfuncdoc history`: reads releases (at the same time) and folds them
//! into a history, or adds them to one.

use super::diff::side;
use super::{emit, facts, load_policy};
use crate::cli::{Format, HistoryArgs};
use crate::error::{Error, Result};
use crate::history::{self, Input, model::History};
use crate::{Outcome, files};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A release as given: `PATH`, or `LABEL=PATH` when `PATH` alone is not a
/// file or directory.
fn release_arg(arg: &str) -> (Option<String>, PathBuf) {
    if Path::new(arg).exists() {
        return (None, PathBuf::from(arg));
    }
    match arg.split_once('=') {
        Some((label, path)) if !label.is_empty() => (Some(label.to_string()), PathBuf::from(path)),
        _ => (None, PathBuf::from(arg)),
    }
}

/// `kfuncdoc history`.
pub fn history(args: &HistoryArgs, format: Format, out: &mut dyn Write) -> Result<Outcome> {
    let output = match (&args.output, &args.extend) {
        (Some(o), _) => o.clone(),
        (None, Some(e)) => e.clone(),
        (None, None) => {
            return Err(Error::Usage(
                "history needs --output FILE (or --extend FILE to add to a history in place)",
            ));
        }
    };
    if args.releases.is_empty() && args.extend.is_none() && args.git.is_none() {
        return Err(Error::Usage(
            "history needs at least one RELEASE (or --git REPO --tags SPEC)",
        ));
    }
    let policy = load_policy(args.policy.as_deref())?;
    let old = args
        .extend
        .as_deref()
        .map(files::read_history)
        .transpose()?;
    let inputs = match (&args.git, &args.tags) {
        (Some(repo), Some(spec)) => from_git(repo, spec, &policy)?,
        _ => snapshots(args)?,
    };
    let blame = old
        .as_ref()
        .and(args.extend.clone())
        .unwrap_or_else(|| output.clone());
    let h = match &old {
        Some(h) => history::extend(h, inputs, &policy),
        None => history::fold(inputs, &policy),
    }
    .map_err(|e| Error::History {
        path: blame,
        message: e.to_string(),
    })?;
    files::write_atomic(&output, history::to_json(&h).as_bytes())?;
    let text = match format {
        Format::Json => crate::report::json(&summary(&h, &output)),
        Format::Human => human(&h, &output),
    };
    emit(out, &text)?;
    Ok(Outcome::Clean)
}

/// The releases given as paths, read one after the other.
fn snapshots(args: &HistoryArgs) -> Result<Vec<Input>> {
    let given: Vec<(Option<String>, PathBuf)> =
        args.releases.iter().map(|a| release_arg(a)).collect();
    let sides = given
        .iter()
        .map(|(_, p)| {
            side(p, None, &[], args.no_cache).map(|mut a| {
                a.jobs = args.jobs;
                a
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // One after the other: each read of a source tree already uses every
    // core, and three at once only fight over them.
    let catalogs = sides.iter().map(facts).collect::<Result<Vec<_>>>()?;
    let mut inputs = Vec::new();
    for ((label, path), catalog) in given.into_iter().zip(catalogs) {
        let input = Input::snapshot(catalog, label).map_err(|m| Error::History {
            path: path.clone(),
            message: m.to_string(),
        })?;
        inputs.push(input);
    }
    Ok(inputs)
}

/// The tags of `spec` in the repository at `repo`, with their commits.
fn from_git(repo: &Path, spec: &str, policy: &crate::policy::Policy) -> Result<Vec<Input>> {
    let spec = history::git::TagSpec::parse(spec);
    let releases = history::git::read_git(repo, &spec, policy, &|_: &str| {})?;
    releases
        .into_iter()
        .map(|r| {
            let mut input = Input::snapshot(r.catalog, None).map_err(|m| Error::History {
                path: repo.join(&r.tag),
                message: m.to_string(),
            })?;
            input.tag = Some(r.tag);
            input.commit = Some(r.commit);
            input.commits = r.commits;
            Ok(input)
        })
        .collect()
}

/// What `--format json` prints: the releases and the counts, not the
/// whole history (that is in the file).
#[derive(serde::Serialize)]
struct Summary<'a> {
    output: String,
    releases: Vec<ReleaseSummary<'a>>,
    kfuncs: usize,
    removed: usize,
}

#[derive(serde::Serialize)]
struct ReleaseSummary<'a> {
    label: &'a str,
    version: Option<&'a str>,
    kfuncs: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'a crate::diff::Summary>,
}

fn summary<'a>(h: &'a History, output: &Path) -> Summary<'a> {
    Summary {
        output: output.display().to_string(),
        releases: h
            .releases
            .iter()
            .map(|r| ReleaseSummary {
                label: &r.label,
                version: r.version.as_deref(),
                kfuncs: r.kfuncs,
                changes: r.summary.as_ref(),
            })
            .collect(),
        kfuncs: h.kfuncs.len(),
        removed: h.removed().count(),
    }
}

/// One line per release, then where the history went.
fn human(h: &History, output: &Path) -> String {
    let mut s = String::new();
    for r in &h.releases {
        let mut line = format!("{:<8} {} kfuncs", r.label, r.kfuncs);
        if let Some(v) = &r.version {
            line = format!("{:<8} {:<14} {} kfuncs", r.label, v, r.kfuncs);
        }
        if let Some(m) = &r.summary {
            line.push_str(&format!(
                ": {} added, {} removed, {} breaking, {} relaxing, {} other",
                m.added, m.removed, m.breaking, m.relaxing, m.other
            ));
        }
        s.push_str(&crate::diag::terminal::escape(&line));
        s.push('\n');
    }
    s.push_str(&crate::diag::terminal::escape(&format!(
        "history: {} releases, {} kfuncs, {} of them gone by the last release; written to {}",
        h.releases.len(),
        h.kfuncs.len(),
        h.removed().count(),
        output.display()
    )));
    s.push('\n');
    s
}
