//! `kfuncdoc build`: extract, check and render from one config file.
//!
//! The config (`kfuncdoc.yaml`) names the inputs as `extract` takes them,
//! the policy, and any number of outputs, each a `render` run. Paths are
//! relative to the config file. Read with the policy's strict YAML options:
//! unknown keys and wrong types are errors at their `file:line:col`.
//! Without a config file the defaults apply: the running kernel's BTF,
//! the shipped policy, and an mdBook site in `./kfuncdoc-site`.

use super::diff::{add_changelogs, facts_and_olds};
use super::render::{
    commit, context, context_with_history, describe, options, plan_json, stage, templates,
    valid_headings,
};
use super::{emit, load_policy, terminal};
use crate::cli::{BuildArgs, FactsArgs, Format, PageArgs, RenderFormat};
use crate::error::{Error, Result};
use crate::loc::Loc;
use crate::policy::Problem;
use crate::render::{Description, Flavour};
use crate::{Outcome, check, diag, merge, report};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The config file looked for in the working directory.
pub(crate) const CONFIG: &str = "kfuncdoc.yaml";

/// The output directory without a config file.
pub(crate) const DEFAULT_OUT: &str = "kfuncdoc-site";

/// `kfuncdoc.yaml` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    /// A kernel source tree.
    source: Option<PathBuf>,
    /// A built kernel (raw BTF, vmlinux, bzImage, module).
    btf: Option<PathBuf>,
    /// The vmlinux modules are based on.
    btf_base: Option<PathBuf>,
    /// Module files or directories.
    #[serde(default)]
    modules: Vec<PathBuf>,
    /// Do not use the report cache.
    #[serde(default)]
    no_cache: bool,
    /// The policy file or directory (default: the shipped one).
    policy: Option<PathBuf>,
    /// Template overrides for every output.
    templates: Option<PathBuf>,
    /// The index title.
    title: Option<String>,
    /// List test-only kfuncs too.
    #[serde(default)]
    include_test_only: bool,
    /// The source browser's URL template for every output.
    source_url: Option<Spanned<String>>,
    /// Older kernels to add a changelog page from (sides as `diff` reads
    /// them), for every output.
    #[serde(default)]
    changes_from: Vec<PathBuf>,
    /// A history file (`kfuncdoc history`) for every output.
    history: Option<PathBuf>,
    /// Where the history's commits link to (`{id}`).
    commit_url: Option<Spanned<String>>,
    /// The outputs.
    outputs: Vec<RawOutput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    /// `rst`, `markdown` or `header`.
    format: Spanned<String>,
    /// The output directory.
    out: PathBuf,
    /// Markdown flavour.
    flavour: Option<Spanned<String>>,
    /// `kernel-doc` or `text`.
    description: Option<Spanned<String>>,
    /// RST heading characters.
    rst_headings: Option<Spanned<String>>,
    /// Template overrides for this output.
    templates: Option<PathBuf>,
    /// mdBook only: run `mdbook build` afterwards (`auto`: when installed).
    html: Option<Spanned<String>>,
    /// The source browser's URL template for this output.
    source_url: Option<Spanned<String>>,
}

/// When to run `mdbook build` after writing an mdBook project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Html {
    /// Never.
    No,
    /// Always; a missing mdbook is an error.
    Yes,
    /// When `mdbook` is on PATH.
    Auto,
}

struct Output {
    to: RenderFormat,
    out: PathBuf,
    pages: PageArgs,
    html: Html,
}

struct Config {
    facts: FactsArgs,
    policy: Option<PathBuf>,
    changes_from: Vec<PathBuf>,
    history: Option<PathBuf>,
    commit_url: Option<String>,
    outputs: Vec<Output>,
}

fn default_config() -> Config {
    Config {
        facts: FactsArgs::default(),
        policy: None,
        changes_from: Vec::new(),
        history: None,
        commit_url: None,
        outputs: vec![Output {
            to: RenderFormat::Markdown,
            out: PathBuf::from(DEFAULT_OUT),
            pages: page_args(None, None, None, None, None, false, None),
            html: Html::Auto,
        }],
    }
}

fn page_args(
    flavour: Option<Flavour>,
    description: Option<Description>,
    title: Option<String>,
    rst_headings: Option<String>,
    templates: Option<PathBuf>,
    include_test_only: bool,
    source_url: Option<String>,
) -> PageArgs {
    PageArgs {
        flavour: flavour.unwrap_or(Flavour::Mdbook),
        description: description.unwrap_or(Description::Text),
        title: title.unwrap_or_else(|| "BPF kfuncs".into()),
        include_test_only,
        rst_headings: rst_headings
            .unwrap_or_else(|| crate::render::context::DEFAULT_RST_HEADINGS.into()),
        templates,
        source_url,
    }
}

/// The `source_url` at `at`, checked: an http(s) URL with known
/// placeholders only.
fn source_url(file: &str, at: &Spanned<String>) -> Result<String> {
    crate::render::source_url::validate(&at.value)
        .map(|()| at.value.clone())
        .map_err(|e| {
            let message = format!("source_url `{}`, column {}: {}", at.value, e.col, e.message);
            problem(file, Some(at), message)
        })
}

/// `p` with `.` and `..` resolved as text (`a/./b/../c` → `a/c`).
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// A config error at `at` (or the file's start) of `file`.
fn problem(file: &str, at: Option<&Spanned<String>>, message: String) -> Error {
    let (line, col) = at.map_or((1, 1), |s| {
        (s.referenced.line() as u32, s.referenced.column() as u32)
    });
    Error::Policy {
        problems: vec![Problem {
            loc: Loc::new(file, line, col),
            message,
        }],
    }
}

/// The value of the config key `what` at `at`, one of `options`.
fn one_of<T: Copy>(
    file: &str,
    at: &Spanned<String>,
    what: &str,
    options: &[(&str, T)],
) -> Result<T> {
    if let Some((_, v)) = options.iter().find(|(name, _)| *name == at.value) {
        return Ok(*v);
    }
    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
    let message = format!("{what} `{}` is not one of {}", at.value, names.join(", "));
    Err(problem(file, Some(at), message))
}

fn parse_config(file: &Path) -> Result<Config> {
    let name = file.to_string_lossy().into_owned();
    let text = crate::policy::read(file)?;
    let raw: RawConfig =
        crate::policy::from_yaml(&name, &text).map_err(|problems| Error::Policy { problems })?;
    let dir = file.parent().unwrap_or(Path::new(""));
    let rel = |p: &PathBuf| {
        if p.is_absolute() {
            p.clone()
        } else {
            dir.join(p)
        }
    };
    if raw.outputs.is_empty() {
        return Err(problem(
            &name,
            None,
            "`outputs` is empty: nothing to build".into(),
        ));
    }
    if let Some(u) = &raw.source_url {
        source_url(&name, u)?;
    }
    if let Some(u) = &raw.commit_url
        && let Err(message) = crate::render::history::valid_commit_url(&u.value)
    {
        return Err(problem(&name, Some(u), format!("commit_url: {message}")));
    }
    let mut outputs = Vec::new();
    for o in &raw.outputs {
        let to = one_of(
            &name,
            &o.format,
            "format",
            &[
                ("rst", RenderFormat::Rst),
                ("markdown", RenderFormat::Markdown),
                ("header", RenderFormat::Header),
            ],
        )?;
        let flavour = o
            .flavour
            .as_ref()
            .map(|f| {
                let flavours = [
                    ("mdbook", Flavour::Mdbook),
                    ("mkdocs", Flavour::Mkdocs),
                    ("plain", Flavour::Plain),
                ];
                one_of(&name, f, "flavour", &flavours)
            })
            .transpose()?;
        let description = o
            .description
            .as_ref()
            .map(|d| {
                let kinds = [
                    ("kernel-doc", Description::KernelDoc),
                    ("text", Description::Text),
                ];
                one_of(&name, d, "description", &kinds)
            })
            .transpose()?;
        if let Some(h) = o
            .rst_headings
            .as_ref()
            .filter(|h| !valid_headings(&h.value))
        {
            let message = format!(
                "rst_headings `{}` needs at least three punctuation characters, e.g. \"=-~^\"",
                h.value
            );
            return Err(problem(&name, Some(h), message));
        }
        let source_url = o
            .source_url
            .as_ref()
            .or(raw.source_url.as_ref())
            .map(|u| source_url(&name, u))
            .transpose()?;
        let html = o.html.as_ref().map_or(Ok(Html::No), |h| {
            one_of(
                &name,
                h,
                "html",
                &[("yes", Html::Yes), ("no", Html::No), ("auto", Html::Auto)],
            )
        })?;
        outputs.push(Output {
            to,
            out: rel(&o.out),
            pages: page_args(
                flavour,
                description,
                raw.title.clone(),
                o.rst_headings.as_ref().map(|h| h.value.clone()),
                o.templates.as_ref().or(raw.templates.as_ref()).map(rel),
                raw.include_test_only,
                source_url,
            ),
            html,
        });
    }
    // Each output owns its directory (its manifest removes what it no
    // longer generates): two in one directory, or one inside another,
    // would delete each other's pages.
    let dirs: Vec<PathBuf> = outputs.iter().map(|o| lexical(&o.out)).collect();
    for (i, a) in dirs.iter().enumerate() {
        for b in &dirs[i + 1..] {
            if a.starts_with(b) || b.starts_with(a) {
                let message = format!(
                    "outputs `{}` and `{}` overlap; give each its own directory",
                    a.display(),
                    b.display()
                );
                return Err(problem(&name, None, message));
            }
        }
    }
    Ok(Config {
        facts: FactsArgs {
            source: raw.source.as_ref().map(rel),
            btf: raw.btf.as_ref().map(rel),
            btf_base: raw.btf_base.as_ref().map(rel),
            modules: raw.modules.iter().map(rel).collect(),
            no_cache: raw.no_cache,
            catalog: None,
            jobs: None,
        },
        policy: raw.policy.as_ref().map(rel),
        changes_from: raw.changes_from.iter().map(rel).collect(),
        history: raw.history.as_ref().map(rel),
        commit_url: raw.commit_url.as_ref().map(|u| u.value.clone()),
        outputs,
    })
}

/// Runs `mdbook build DIR` when asked to (or when installed, for `auto`).
fn mdbook(dir: &Path, html: Html, err: &mut dyn Write) -> Result<()> {
    if html == Html::No {
        return Ok(());
    }
    match std::process::Command::new("mdbook")
        .arg("build")
        .arg(dir)
        .output()
    {
        Ok(o) if o.status.success() => emit(
            err,
            &format!(
                "{}: HTML in {}\n",
                dir.display(),
                dir.join("book").display()
            ),
        ),
        Ok(o) => {
            let _ = err.write_all(&o.stderr);
            Err(Error::Usage("mdbook build failed on the generated book"))
        }
        Err(_) if html == Html::Auto => emit(
            err,
            &format!(
                "{}: an mdBook project (mdbook is not installed: `cargo install mdbook`, then `mdbook build {}`)\n",
                dir.display(),
                dir.display()
            ),
        ),
        Err(e) => Err(Error::io("mdbook", e)),
    }
}

/// `kfuncdoc build`.
pub fn build(
    args: &BuildArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let config = match &args.config {
        Some(f) => parse_config(f)?,
        None if Path::new(CONFIG).is_file() => parse_config(Path::new(CONFIG))?,
        None => default_config(),
    };
    let policy = load_policy(config.policy.as_deref())?;
    let given = config
        .history
        .as_deref()
        .map(|p| crate::files::read_history(p).map(|h| (h, p.display().to_string())))
        .transpose()?;
    let (mut catalog, olds) = facts_and_olds(&config.facts, &config.changes_from)?;
    let history = super::history_for(&mut catalog, given.as_ref());
    let (merged, mut earlier) = merge::merge(&catalog, &policy);
    earlier.extend(catalog.diagnostics.iter().cloned());
    if let Some((h, name)) = &given {
        earlier.extend(check::history::against_history(&policy, h, name));
    }
    let found = check::check(&merged, &policy, earlier);
    if format == Format::Human {
        emit(err, &report::check_text(&merged, &policy, &found))?;
    }
    // Every output is rendered and planned before any is written: a
    // template, policy or output directory problem in the last leaves the
    // first untouched.
    let mut staged = Vec::new();
    for o in &config.outputs {
        crate::render::outdir::refuse_dangerous(&o.out, config.facts.source.as_deref())?;
        let options = options(o.to, &o.pages)?;
        let templates = templates(o.pages.templates.as_deref())?;
        let mut ctx = if o.to == RenderFormat::Header {
            context(&merged, &policy, &options)?
        } else {
            context_with_history(
                &merged,
                &policy,
                &options,
                history,
                config.commit_url.as_deref(),
            )?
        };
        if o.to == RenderFormat::Header {
            // One file, kfuncs.h (render --to header); no changelog there.
            let h = crate::render::header::build(&ctx);
            let file = crate::render::header::file(&h, &templates).map_err(Error::Template)?;
            let files = vec![file];
            crate::render::write::plan(&o.out, &files)?;
            staged.push((o, files));
            continue;
        }
        add_changelogs(&mut ctx, &olds, &catalog, &policy);
        let (files, _) = stage(&ctx, &templates, &o.out)?;
        staged.push((o, files));
    }
    let mut changes = false;
    let mut plans = Vec::new();
    for (o, files) in &staged {
        let plan = &commit(&o.out, files, args.check)?;
        changes |= plan.changes();
        match format {
            Format::Human if args.check => emit(out, &terminal(&describe(plan, &o.out, true)))?,
            Format::Human => emit(err, &terminal(&describe(plan, &o.out, false)))?,
            Format::Json => plans.push(plan_json(plan, &o.out, args.check)),
        }
        if !args.check && o.to == RenderFormat::Markdown && o.pages.flavour == Flavour::Mdbook {
            mdbook(&o.out, o.html, err)?;
        }
    }
    if format == Format::Json {
        emit(
            out,
            &format!(
                "[{}]\n",
                plans
                    .iter()
                    .map(|p| p.trim_end())
                    .collect::<Vec<_>>()
                    .join(",\n")
            ),
        )?;
    }
    Ok(if diag::any_denied(&found) || (args.check && changes) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
