//! `kfuncdoc render`: facts + policy → pages on disk (or on stdout).

use super::diff::{add_changelogs, facts_and_olds};
use super::{emit, load_policy, terminal};
use crate::cli::{Format, PageArgs, RenderArgs, RenderFormat};
use crate::error::{Error, Result};
use crate::merge::Merged;
use crate::model::Catalog;
use crate::policy::Policy;
use crate::render::outdir::{Lock, refuse_dangerous};
use crate::render::{self, Context, Options, Templates, write};
use crate::{Outcome, merge};
use std::io::Write;
use std::path::Path;

/// The render options for `to` and the page arguments.
/// Whether `s` can be the RST heading characters (`--rst-headings`,
/// `rst_headings:`): at least three, all punctuation.
pub(super) fn valid_headings(s: &str) -> bool {
    s.chars().count() >= 3 && s.chars().all(|c| c.is_ascii_punctuation())
}

pub(super) fn options(to: RenderFormat, pages: &PageArgs) -> Result<Options> {
    if !valid_headings(&pages.rst_headings) {
        return Err(Error::Usage(
            "--rst-headings takes at least three punctuation characters, e.g. \"=-~^\"",
        ));
    }
    let format = match to {
        RenderFormat::Rst => render::Format::Rst,
        RenderFormat::Markdown => render::Format::Markdown,
        // The header is made from the pages' context; no Markdown of it
        // reaches the header.
        RenderFormat::Header => render::Format::Markdown,
    };
    Ok(Options {
        format,
        flavour: (format == render::Format::Markdown).then_some(pages.flavour),
        description: pages.description,
        title: pages.title.clone(),
        // The header declares what the kernel has, as vmlinux.h does.
        include_test_only: pages.include_test_only || to == RenderFormat::Header,
        rst_headings: pages.rst_headings.clone(),
        source_url: pages.source_url.clone(),
    })
}

/// The templates, with the overrides in `dir`.
pub(super) fn templates(dir: Option<&Path>) -> Result<Templates> {
    let overrides = match dir {
        Some(d) => render::template::read_overrides(d)?,
        None => Default::default(),
    };
    Templates::new(&overrides).map_err(Error::Template)
}

/// The context for `merged` under `policy`; Markdown the policy cannot
/// have converted is a policy error with its position.
pub(super) fn context(merged: &Merged, policy: &Policy, options: &Options) -> Result<Context> {
    render::context::build(merged, policy, options).map_err(|problems| Error::Policy { problems })
}

/// [`context`], with what `history` says filled in (`--history`,
/// `history:`): `commit_url` links its commits (default:
/// [`render::history::DEFAULT_COMMIT_URL`]).
pub(super) fn context_with_history(
    merged: &Merged,
    policy: &Policy,
    options: &Options,
    history: Option<&crate::history::model::History>,
    commit_url: Option<&str>,
) -> Result<Context> {
    let mut ctx = context(merged, policy, options)?;
    if let Some(h) = history {
        let names = merged.kfuncs.iter().map(|k| k.facts.name.clone()).collect();
        let url = commit_url.unwrap_or(render::history::DEFAULT_COMMIT_URL);
        render::history::add(&mut ctx, h, policy, &names, url);
    }
    Ok(ctx)
}

/// Renders `ctx` in memory and plans writing it into `out`: nothing is
/// written yet, and a file in the way is an error now.
pub(super) fn stage(
    ctx: &Context,
    templates: &Templates,
    out: &Path,
) -> Result<(Vec<render::File>, write::Plan)> {
    let files = render::pages(ctx, templates).map_err(Error::Template)?;
    let plan = write::plan(out, &files)?;
    Ok((files, plan))
}

/// Writes `files` into `out` (or only plans it, with `check`) under the
/// directory's lock, planned again once the lock is held: another run may
/// have written there since [`stage`].
pub(super) fn commit(out: &Path, files: &[render::File], check: bool) -> Result<write::Plan> {
    let _lock = Lock::for_run(out, check)?;
    let plan = write::plan(out, files)?;
    if !check {
        write::apply(out, files, &plan)?;
    }
    Ok(plan)
}

/// Renders `ctx` into `out` (or only plans it, with `check`).
pub(super) fn site(
    ctx: &Context,
    templates: &Templates,
    out: &Path,
    check: bool,
) -> Result<write::Plan> {
    let (files, _) = stage(ctx, templates, out)?;
    commit(out, &files, check)
}

/// The one-line summary of a plan, or the list of changes for `--check`.
pub(super) fn describe(plan: &write::Plan, out: &Path, check: bool) -> String {
    // Paths hold what the user typed: one line each, whatever they hold.
    let shown = |p: &Path| crate::diag::terminal::escape(&p.display().to_string()).into_owned();
    let mut s = String::new();
    if check {
        for (what, files) in [
            ("create", &plan.create),
            ("update", &plan.update),
            ("remove", &plan.remove),
            (
                "remove (left behind by a run that was killed)",
                &plan.leftovers,
            ),
        ] {
            for f in files {
                s.push_str(&format!("{}: would {what}\n", shown(&out.join(f))));
            }
        }
        if !plan.changes() {
            s.push_str(&format!(
                "{}: up to date ({} files)\n",
                shown(out),
                plan.unchanged.len()
            ));
        }
    } else {
        s.push_str(&format!(
            "{}: {} created, {} updated, {} removed, {} unchanged\n",
            shown(out),
            plan.create.len(),
            plan.update.len(),
            plan.remove.len(),
            plan.unchanged.len()
        ));
        if !plan.leftovers.is_empty() {
            s.push_str(&format!(
                "{}: removed {} left behind by a run that was killed\n",
                shown(out),
                crate::plural::count(plan.leftovers.len(), "temporary file", "temporary files")
            ));
        }
    }
    for f in &plan.kept {
        s.push_str(&format!(
            "{}: left in place: the manifest lists it, but it does not say kfuncdoc generated it\n",
            shown(&out.join(f))
        ));
    }
    s
}

/// The files the pages were made from, for `--depfile`: the inputs named
/// on the command line, the policy files, and the source files of every
/// kfunc (joined to the tree).
fn depends(catalog: &Catalog, policy: &Policy, tree: Option<&Path>) -> Vec<String> {
    let mut deps: std::collections::BTreeSet<String> = catalog
        .kernel
        .inputs
        .iter()
        .filter_map(|i| i.path.clone())
        .collect();
    deps.extend(
        policy
            .files
            .iter()
            .filter(|f| Path::new(f).exists())
            .cloned(),
    );
    if let Some(t) = tree {
        let rel = |f: &str| t.join(f).to_string_lossy().into_owned();
        for k in &catalog.kfuncs {
            deps.extend(k.file.as_deref().map(rel));
            deps.extend(k.definition.as_ref().map(|d| rel(&d.file)));
        }
        deps.insert(rel("MAINTAINERS"));
        deps.insert(rel("include/linux/btf.h"));
    }
    deps.into_iter().collect()
}

/// Writes `--depfile` when asked for: [`depends`] and the older kernels
/// of changelog pages, one per line, sorted.
pub(super) fn write_depfile(args: &RenderArgs, catalog: &Catalog, policy: &Policy) -> Result<()> {
    let Some(dep) = &args.depfile else {
        return Ok(());
    };
    let mut deps = depends(catalog, policy, args.facts.source.as_deref());
    deps.extend(
        args.changes_from
            .iter()
            .map(|p| p.to_string_lossy().into_owned()),
    );
    deps.extend(
        args.history
            .iter()
            .map(|p| p.to_string_lossy().into_owned()),
    );
    deps.sort();
    deps.dedup();
    let mut text = deps.join("\n");
    text.push('\n');
    crate::files::write_atomic(dep, text.as_bytes())
}

/// The Sphinx extension providing the `kfuncdoc` directive.
pub(crate) const SPHINX_EXTENSION: &str = include_str!("../../templates/sphinx/kfuncdoc.py");

/// `kfuncdoc render`.
pub fn render(
    args: &RenderArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    if args.sphinx_extension {
        emit(out, SPHINX_EXTENSION)?;
        return Ok(Outcome::Clean);
    }
    if args.to == RenderFormat::Header {
        if !args.changes_from.is_empty() {
            return Err(Error::Usage(
                "--changes-from adds a changelog page: use it with --to rst or --to markdown",
            ));
        }
        if args.history.is_some() {
            return Err(Error::Usage(
                "--history adds to the pages: use it with --to rst or --to markdown",
            ));
        }
        return super::header::render(args, format, out, err);
    }
    let options = options(args.to, &args.pages)?;
    let templates = templates(args.pages.templates.as_deref())?;
    let ctx = match &args.from_context {
        Some(file) => {
            let text = crate::files::read_text(file)?;
            let ctx: Context = serde_json::from_str(&text).map_err(|e| Error::Catalog {
                path: file.clone(),
                line: e.line() as u32,
                col: e.column() as u32,
                message: format!("not a kfuncdoc render context (--context): {e}"),
            })?;
            if ctx.options.format != options.format {
                return Err(Error::Usage(
                    "--from-context: the context was made for the other --to format",
                ));
            }
            ctx
        }
        None => {
            let policy = load_policy(args.policy.as_deref())?;
            let given = args
                .history
                .as_deref()
                .map(|p| crate::files::read_history(p).map(|h| (h, p.display().to_string())))
                .transpose()?;
            let (mut catalog, olds) = facts_and_olds(&args.facts, &args.changes_from)?;
            let history = super::history_for(&mut catalog, given.as_ref());
            let (merged, _) = merge::merge(&catalog, &policy);
            let mut ctx = context_with_history(
                &merged,
                &policy,
                &options,
                history,
                args.commit_url.as_deref(),
            )?;
            add_changelogs(&mut ctx, &olds, &catalog, &policy);
            write_depfile(args, &catalog, &policy)?;
            ctx
        }
    };
    if args.context {
        let mut json = serde_json::to_string_pretty(&ctx)
            .map_err(|e| Error::Output(std::io::Error::other(e)))?;
        json.push('\n');
        emit(out, &json)?;
        return Ok(Outcome::Clean);
    }
    if args.stdout {
        if options.format != render::Format::Rst {
            return Err(Error::Usage(
                "--stdout writes one RST document: use it with --to rst",
            ));
        }
        emit(
            out,
            &render::single(&ctx, &templates).map_err(Error::Template)?,
        )?;
        return Ok(Outcome::Clean);
    }
    let Some(dir) = args.out.as_deref() else {
        return Err(Error::Usage("--out DIR is required"));
    };
    refuse_dangerous(dir, args.facts.source.as_deref())?;
    let plan = site(&ctx, &templates, dir, args.check)?;
    report(&plan, dir, args.check, format, out, err)
}

/// Reports what writing into `dir` did (or, with `check`, would do), as
/// `render` does for pages and the header; exit 1 for `--check` with
/// changes.
pub(super) fn report(
    plan: &write::Plan,
    dir: &Path,
    check: bool,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let summary = describe(plan, dir, check);
    match format {
        // The summary names --out and page files: escape what a terminal
        // would act on.
        Format::Human if check => emit(out, &terminal(&summary))?,
        Format::Human => emit(err, &terminal(&summary))?,
        Format::Json => emit(out, &plan_json(plan, dir, check))?,
    }
    Ok(if check && plan.changes() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// A plan as JSON: `{"out", "check", "create", "update", "remove", "unchanged"}`.
pub(super) fn plan_json(plan: &write::Plan, out: &Path, check: bool) -> String {
    let v = serde_json::json!({
        "out": out.to_string_lossy(),
        "check": check,
        "create": plan.create,
        "update": plan.update,
        "remove": plan.remove,
        "unchanged": plan.unchanged,
        "leftovers": plan.leftovers,
        "kept": plan.kept,
    });
    format!("{v:#}\n")
}
