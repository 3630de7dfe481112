//! `kfuncdoc render --to header`: facts + policy → one C header for BPF
//! programs (issue 14), written the way the pages are (atomically, with
//! the manifest, `--check`), or printed with `--stdout` or `--context`.

use super::render::{commit, context, options, report, templates, write_depfile};
use super::{emit, facts, load_policy};
use crate::cli::{Format, RenderArgs};
use crate::error::{Error, Result};
use crate::render::header::{self, HeaderContext};
use crate::render::outdir::refuse_dangerous;
use crate::{Outcome, merge};
use std::io::Write;

/// `kfuncdoc render --to header`.
pub(super) fn render(
    args: &RenderArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let templates = templates(args.pages.templates.as_deref())?;
    let h: HeaderContext = match &args.from_context {
        Some(file) => {
            let text = crate::files::read_text(file)?;
            serde_json::from_str(&text).map_err(|e| Error::Catalog {
                path: file.clone(),
                line: e.line() as u32,
                col: e.column() as u32,
                message: format!(
                    "not a kfuncdoc header context (render --to header --context): {e}"
                ),
            })?
        }
        None => {
            let options = options(args.to, &args.pages)?;
            let policy = load_policy(args.policy.as_deref())?;
            let catalog = facts(&args.facts)?;
            let (merged, _) = merge::merge(&catalog, &policy);
            let ctx = context(&merged, &policy, &options)?;
            write_depfile(args, &catalog, &policy)?;
            header::build(&ctx)
        }
    };
    if args.context {
        let mut json = serde_json::to_string_pretty(&h)
            .map_err(|e| Error::Output(std::io::Error::other(e)))?;
        json.push('\n');
        emit(out, &json)?;
        return Ok(Outcome::Clean);
    }
    let file = header::file(&h, &templates).map_err(Error::Template)?;
    if args.stdout {
        emit(out, &file.text)?;
        return Ok(Outcome::Clean);
    }
    let Some(dir) = args.out.as_deref() else {
        return Err(Error::Usage("--out DIR is required"));
    };
    refuse_dangerous(dir, args.facts.source.as_deref())?;
    // Planned before the lock is taken too, as the pages are: a file in
    // the way is an error before anything is written.
    crate::render::write::plan(dir, std::slice::from_ref(&file))?;
    let plan = commit(dir, std::slice::from_ref(&file), args.check)?;
    report(&plan, dir, args.check, format, out, err)
}
