//! The subcommands: each reads its inputs through the edge modules, runs
//! the pure stages, and writes its result to the sink it is given.

mod build;
mod diff;
mod header;
mod history;
pub mod man;
mod render;

pub use build::build;
pub use diff::diff;
pub use history::history;
pub use render::render;

use crate::cli::{CheckArgs, ExplainArgs, ExtractArgs, FactsArgs, Format, SyncArgs};
use crate::diag::{self, Code, Diagnostic, Level};
use crate::error::{Error, Result};
use crate::model::Catalog;
use crate::policy::{self, Policy};
use crate::{Outcome, built, check, files, merge, report, running, source};
use std::io::Write;
use std::path::Path;

/// The policy shipped with kfuncdoc, embedded so that `check` works
/// anywhere.
pub const SHIPPED_POLICY: &str = include_str!("../../policy/linux.yaml");
/// The name the shipped policy is reported under: not a path the user
/// has (it is embedded in the binary), but one that says which file of
/// kfuncdoc's sources a position points into (`policy/linux.yaml` there).
pub const SHIPPED_POLICY_NAME: &str = "<shipped policy>/linux.yaml";

/// Human output made of lines holding input text (kfunc names, paths):
/// each line escaped for the terminal, the text's own line breaks kept.
fn terminal(text: &str) -> String {
    let mut s = crate::diag::terminal::escape_lines(text.lines());
    if text.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn emit(out: &mut dyn Write, text: &str) -> Result<()> {
    out.write_all(text.as_bytes()).map_err(Error::Output)
}

fn outcome(diags: &[Diagnostic]) -> Outcome {
    if diag::any_denied(diags) {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

pub use crate::built::RUNNING_KERNEL_BTF;

/// The facts a command works on: a catalog file, or a source tree and/or a
/// built kernel (read at the same time), by default the running kernel.
pub fn facts(args: &FactsArgs) -> Result<Catalog> {
    if let Some(file) = &args.catalog {
        return files::read_catalog(file);
    }
    if args.btf_base.is_some() && args.btf.is_none() && args.modules.is_empty() {
        return Err(Error::Usage(
            "--btf-base is the base of a module: give --btf MODULE or --modules PATH",
        ));
    }
    let cache = if args.no_cache {
        None
    } else {
        built::default_cache_dir()
    };
    let jobs = args.jobs.map_or_else(built::default_jobs, |n| n.get());
    if args.source.is_none() && args.btf.is_none() && args.modules.is_empty() {
        // No input: the running kernel, its own image when it has one.
        let found = running::find(&running::sysroot());
        let opts = running::ReadOptions {
            cache: cache.as_deref(),
            jobs,
        };
        return Ok(built::catalog(running::read(&found, opts)?));
    }
    let btf = args.btf.as_ref();
    let wants_built = btf.is_some() || !args.modules.is_empty();
    // A wrong tree fails before the (slower) built kernel is read.
    if let Some(tree) = &args.source {
        source::tree_version(tree)?;
    }
    let (source, built) = std::thread::scope(|s| {
        let built = wants_built.then(|| {
            s.spawn(|| {
                built::read_with(
                    btf.map(|p| p.as_path()),
                    args.btf_base.as_deref(),
                    &args.modules,
                    cache.as_deref(),
                    jobs,
                )
            })
        });
        let source = args.source.as_deref().map(source::extract);
        let built = built.map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        (source, built)
    });
    match (source.transpose()?, built.transpose()?) {
        (Some(s), Some(b)) => Ok(built::combine(s, b)),
        (Some(s), None) => Ok(s),
        (None, Some(b)) => Ok(built::catalog(b)),
        (None, None) => Err(Error::Usage("no input")),
    }
}

/// The policy at `path`, or the shipped one.
pub fn load_policy(path: Option<&Path>) -> Result<Policy> {
    match path {
        Some(p) => policy::load(p),
        None => policy::parse(SHIPPED_POLICY_NAME, SHIPPED_POLICY)
            .map_err(|problems| Error::Policy { problems }),
    }
}

/// `kfuncdoc extract`.
pub fn extract(
    args: &ExtractArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let catalog = facts(&args.facts)?;
    let text = match format {
        Format::Json => report::json(&catalog),
        Format::Human => report::catalog_table(&catalog),
    };
    match &args.output {
        Some(path) => files::write_atomic(path, text.as_bytes())?,
        None => emit(out, &text)?,
    }
    if format == Format::Human {
        emit(err, &report::diagnostics(&catalog.diagnostics))?;
    }
    Ok(outcome(&catalog.diagnostics))
}

/// `kfuncdoc check`.
pub fn check(args: &CheckArgs, format: Format, out: &mut dyn Write) -> Result<Outcome> {
    let policy = load_policy(args.policy.as_deref())?;
    if args.list {
        emit(out, &report::code_list(&|c| policy.level(c), format))?;
        return Ok(Outcome::Clean);
    }
    let catalog = facts(&args.facts)?;
    let (merged, mut earlier) = merge::merge(&catalog, &policy);
    earlier.extend(catalog.diagnostics.iter().cloned());
    if let Some(path) = &args.history {
        let history = files::read_history(path)?;
        earlier.extend(check::history::against_history(
            &policy,
            &history,
            &path.display().to_string(),
        ));
    }
    let found = check::check(&merged, &policy, earlier);
    let text = match format {
        Format::Json => report::json(&report::CheckReport::new(&merged, &policy, &found)),
        Format::Human => report::check_text(&merged, &policy, &found),
    };
    emit(out, &text)?;
    Ok(outcome(&found))
}

/// The name findings and inputs give the shipped history.
pub const SHIPPED_HISTORY_NAME: &str = "<shipped history>/linux.json";

/// The history `render` and `build` use: the one given (`--history`,
/// `history:`), else, for a kernel read without its source, the shipped
/// one. A kernel read without its source is documented from it (see
/// [`crate::history::nearest`]).
pub(super) fn history_for<'h>(
    catalog: &mut Catalog,
    given: Option<&'h (crate::history::model::History, String)>,
) -> Option<&'h crate::history::model::History> {
    let (h, name) = match given {
        Some((h, name)) => (h, name.as_str()),
        None if !catalog.kernel.has_source() => (crate::history::shipped(), SHIPPED_HISTORY_NAME),
        None => return None,
    };
    crate::history::nearest::document(catalog, h, name);
    Some(h)
}

/// Which file of the policy at `path` gets new entries.
fn sync_target(path: &Path, into: Option<&Path>, policy: &Policy) -> Result<std::path::PathBuf> {
    if let Some(f) = into {
        return Ok(f.to_path_buf());
    }
    let candidates = policy::files(path)?;
    // The file that already holds the most entries.
    let count = |f: &Path| {
        let name = f.to_string_lossy();
        policy
            .kfuncs
            .values()
            .filter(|e| e.loc.file == name)
            .count()
    };
    candidates
        .iter()
        .max_by_key(|f| (count(f), std::cmp::Reverse((*f).clone())))
        .cloned()
        .ok_or(Error::Usage("the policy has no file to add entries to"))
}

/// `kfuncdoc policy sync`.
pub fn sync(args: &SyncArgs, format: Format, out: &mut dyn Write) -> Result<Outcome> {
    let policy = policy::load(&args.policy)?;
    let catalog = facts(&args.facts)?;
    let target = sync_target(&args.policy, args.into.as_deref(), &policy)?;
    let kernel = catalog
        .kernel
        .version
        .clone()
        .unwrap_or_else(|| "the kernel".into());
    let unmentioned = || {
        catalog
            .kfuncs
            .iter()
            .filter(|k| !policy.kfuncs.contains_key(&k.name))
    };
    // Test-only kfuncs (bpf_testmod, the BPF_PROG_RUN test kfuncs) are not
    // for BPF programs: a policy has nothing to decide about them.
    let test_only_skipped = if args.include_test_only {
        0
    } else {
        unmentioned().filter(|k| k.test_only).count()
    };
    let skeletons: Vec<policy::sync::Skeleton> = unmentioned()
        .filter(|k| args.include_test_only || !k.test_only)
        .map(|k| {
            let at = match (&k.file, k.line, &k.btf) {
                (Some(f), Some(l), _) => format!("{f}:{l}"),
                (_, _, Some(b)) => match &b.module {
                    Some(m) => format!("module {m}"),
                    None => "vmlinux".into(),
                },
                _ => "the catalog".into(),
            };
            policy::sync::Skeleton {
                name: k.name.clone(),
                comment: format!("{at} in {kernel}; added by kfuncdoc policy sync"),
            }
        })
        .collect();
    let text = files::read_text(&target)?;
    let new = policy::sync::append(&text, &skeletons).map_err(|message| Error::Policy {
        problems: vec![policy::Problem {
            loc: crate::loc::Loc::new(target.to_string_lossy(), 1, 1),
            message,
        }],
    })?;
    // The result must still be a valid policy: never write one `check`
    // would refuse.
    if let Err(problems) = policy::parse(&target.to_string_lossy(), &new) {
        return Err(Error::Policy { problems });
    }
    if !args.dry_run && new != text {
        files::write_atomic(&target, new.as_bytes())?;
    }
    let names: Vec<&str> = skeletons.iter().map(|s| s.name.as_str()).collect();
    let report = match format {
        Format::Json => report::json(&serde_json::json!({
            "file": target.to_string_lossy(),
            "added": names,
            "dry_run": args.dry_run,
            "test_only_skipped": test_only_skipped,
        })),
        Format::Human => {
            let verb = if args.dry_run { "would add" } else { "added" };
            let mut s = format!(
                "{verb} {} to {}\n",
                crate::plural::count(names.len(), "entry", "entries"),
                crate::diag::terminal::escape(&target.display().to_string())
            );
            if test_only_skipped > 0 {
                s.push_str(&format!(
                    "left out {} (--include-test-only adds them)\n",
                    crate::plural::count(
                        test_only_skipped,
                        "test-only kfunc, which exists for the kernel's own tests",
                        "test-only kfuncs, which exist for the kernel's own tests"
                    ),
                ));
            }
            for n in &names {
                s.push_str(&format!("  {n}\n"));
            }
            s
        }
    };
    // Kfunc names from BTF and the policy's path may hold anything.
    let report = match format {
        Format::Json => report,
        Format::Human => terminal(&report),
    };
    emit(out, &report)?;
    Ok(if args.dry_run && !names.is_empty() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// `kfuncdoc explain`.
pub fn explain(args: &ExplainArgs, format: Format, out: &mut dyn Write) -> Result<Outcome> {
    let Some(name) = args.code.as_deref() else {
        emit(out, &report::code_list(&|c| c.default_level(), format))?;
        return Ok(Outcome::Clean);
    };
    let code = Code::from_name(name).ok_or_else(|| Error::UnknownCode {
        code: name.to_string(),
        closest: crate::suggest::closest(name, Code::ALL.iter().map(|c| c.name())),
    })?;
    emit(out, &report::explanation(code, format))?;
    Ok(Outcome::Clean)
}

/// A level for every code, for listings.
pub type Levels<'a> = &'a dyn Fn(Code) -> Level;
