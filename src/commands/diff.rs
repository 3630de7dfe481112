//! `kfuncdoc diff`: reads both kernels (at the same time) and compares them.

use super::{emit, facts, load_policy};
use crate::cli::{DiffArgs, FactsArgs, Format};
use crate::diag::terminal::escape;
use crate::diff::{self, Diff, Group};
use crate::error::{Error, Result};
use crate::model::Catalog;
use crate::{Outcome, report};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// What a side's path is, by what it holds: a directory is a source tree,
/// a file starting with `{` a catalog (or a history: its last release, or
/// the one `FILE@LABEL` names), any other file a built kernel.
pub(super) fn side(
    path: &Path,
    btf: Option<&PathBuf>,
    modules: &[PathBuf],
    no_cache: bool,
) -> Result<FactsArgs> {
    // `HISTORY@LABEL`: one release of a history file.
    let (file, _) = crate::files::release_path(path);
    let meta = std::fs::metadata(&file).map_err(|e| Error::io(path, e))?;
    let mut args = FactsArgs {
        no_cache,
        modules: modules.to_vec(),
        ..FactsArgs::default()
    };
    if meta.is_dir() {
        args.source = Some(path.to_path_buf());
        args.btf = btf.cloned();
        return Ok(args);
    }
    if btf.is_some() {
        return Err(Error::Usage(
            "--old-btf/--new-btf join a built kernel with a source tree: give the tree as OLD/NEW",
        ));
    }
    let (mut file, _) = crate::read::open_regular(&file).map_err(|e| Error::io(path, e))?;
    let mut head = [0u8; 64];
    let n = file.read(&mut head).map_err(|e| Error::io(path, e))?;
    if head[..n]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
    {
        if !modules.is_empty() {
            return Err(Error::Usage(
                "--old-modules/--new-modules need a built kernel or a source tree, not a catalog",
            ));
        }
        args.catalog = Some(path.to_path_buf());
    } else if n > 0
        && head[..n]
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        // Text that is not JSON: most likely `extract`'s table, saved
        // without `--format json`. No kernel image starts with text.
        return Err(Error::Catalog {
            path: path.to_path_buf(),
            line: 1,
            col: 1,
            message:
                "text, not a catalog (write one with `kfuncdoc --format json extract ... -o FILE`) \
                      nor a built kernel"
                    .into(),
        });
    } else {
        args.btf = Some(path.to_path_buf());
    }
    Ok(args)
}

/// The kernel `facts` names, and the older kernels at `changes_from`
/// (each a side as `diff` reads one: a source tree, a catalog or a built
/// kernel) for changelog pages (`render --changes-from`, `changes_from:`),
/// all read in parallel with the same cache and `--jobs` settings.
pub(super) fn facts_and_olds(
    args: &FactsArgs,
    changes_from: &[PathBuf],
) -> Result<(Catalog, Vec<Catalog>)> {
    let sides = changes_from
        .iter()
        .map(|p| {
            side(p, None, &[], args.no_cache).map(|mut a| {
                a.jobs = args.jobs;
                a
            })
        })
        .collect::<Result<Vec<_>>>()?;
    std::thread::scope(|s| {
        let olds: Vec<_> = sides.iter().map(|a| s.spawn(move || facts(a))).collect();
        let catalog = facts(args)?;
        let olds = olds
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect::<Result<Vec<_>>>()?;
        Ok((catalog, olds))
    })
}

/// Adds a changelog page to `ctx` for each of `olds`, compared with `new`
/// (the kernel `ctx` describes) under `policy`.
pub(super) fn add_changelogs(
    ctx: &mut crate::render::Context,
    olds: &[Catalog],
    new: &Catalog,
    policy: &crate::policy::Policy,
) {
    for old in olds {
        let d = diff::diff(
            old,
            new,
            policy,
            diff::Options {
                include_test_only: ctx.options.include_test_only,
            },
        );
        crate::render::changes::add(ctx, &d);
    }
}

/// `kfuncdoc diff`.
pub fn diff(args: &DiffArgs, format: Format, out: &mut dyn Write) -> Result<crate::Outcome> {
    let policy = load_policy(args.policy.as_deref())?;
    let old = side(
        &args.old,
        args.old_btf.as_ref(),
        &args.old_modules,
        args.no_cache,
    )?;
    let new = side(
        &args.new,
        args.new_btf.as_ref(),
        &args.new_modules,
        args.no_cache,
    )?;
    let (mut old, mut new) = (old, new);
    (old.jobs, new.jobs) = (args.jobs, args.jobs);
    let (old, new): (Result<Catalog>, Result<Catalog>) = std::thread::scope(|s| {
        let o = s.spawn(|| facts(&old));
        let n = facts(&new);
        (o.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), n)
    });
    let (old, new) = (old?, new?);
    let d = diff::diff(
        &old,
        &new,
        &policy,
        diff::Options {
            include_test_only: args.include_test_only,
        },
    );
    let text = match format {
        Format::Json => report::json(&d),
        Format::Human => text(&d),
    };
    emit(out, &text)?;
    Ok(if d.summary.deny > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// The human report: one section per group, one line per change as
/// `file:line: level[code]: message (was OLD-POSITION)`, then a summary.
fn text(d: &Diff) -> String {
    let mut s = String::new();
    for g in Group::ALL {
        let changes: Vec<_> = d.changes.iter().filter(|c| c.group == g).collect();
        if changes.is_empty() {
            continue;
        }
        s.push_str(&format!("{} ({})\n", g.title(), changes.len()));
        for c in changes {
            s.push_str("  ");
            // Positions and messages carry input text (paths, names,
            // comments): no control character reaches the terminal.
            let mut line = String::new();
            if let Some(p) = c.position() {
                line.push_str(&format!("{p}: "));
            }
            line.push_str(&format!("{}[{}]: {}", c.level, c.code, c.message));
            if let (Some(o), Some(n)) = (&c.old, &c.new)
                && o != n
            {
                line.push_str(&format!(" (was {o})"));
            }
            s.push_str(&escape(&line));
            s.push('\n');
        }
        s.push('\n');
    }
    let sm = &d.summary;
    s.push_str(&escape(&format!(
        "diff: {} -> {}: {} breaking, {} relaxing, {} added, {} removed, {} other; {} denied, {}",
        d.old.name("the older kernel"),
        d.new.name("the newer kernel"),
        sm.breaking,
        sm.relaxing,
        sm.added,
        sm.removed,
        sm.other,
        sm.deny,
        crate::plural::count(sm.warn, "warning", "warnings"),
    )));
    s.push('\n');
    s
}
