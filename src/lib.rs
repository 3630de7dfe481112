//! kfuncdoc: a machine-readable record of the stability of Linux BPF kfuncs.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`source`] reads a kernel tree: sets, registrations, definitions,
//!    kernel-doc, MAINTAINERS → a [`model::Catalog`];
//! 2. `btf` reads built kernels (raw BTF, vmlinux, modules) → the same model;
//! 3. `policy` loads the curated stability decisions (YAML);
//! 4. `merge` joins facts and decisions, `check` lints them, `diff`
//!    compares two kernels;
//! 5. `render` writes reStructuredText, Markdown and JSON through templates.
//!
//! Stages after 1 arrive with their issues. Findings travel as
//! [`diag::Diagnostic`]s; an [`Error`] means a command could not run.
//! Only the edge modules ([`source`], [`output`]) and `src/main.rs` do I/O.

pub mod cli;
pub mod diag;
pub mod error;
pub mod kernel;
pub mod loc;
pub mod model;
pub mod output;
pub mod report;
pub mod source;

pub use error::{Error, Result};

use cli::{Cli, Command, Format};
use std::io::Write;

/// How a command that ran ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at deny level.
    Clean,
    /// At least one finding at deny level.
    Findings,
}

/// Exit status: nothing at deny level.
pub const EXIT_OK: u8 = 0;
/// Exit status: findings at deny level.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: the command could not run.
pub const EXIT_FAILURE: u8 = 2;

impl Outcome {
    /// The process exit status for this outcome.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Clean => EXIT_OK,
            Outcome::Findings => EXIT_FINDINGS,
        }
    }
}

fn emit(out: &mut dyn Write, text: &str) -> Result<()> {
    out.write_all(text.as_bytes()).map_err(Error::Output)
}

/// Runs a parsed command line. Results go to `out`, findings that are not
/// part of the result (human format) to `err`.
pub fn run(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    match &cli.command {
        Command::Extract(args) => {
            let catalog = source::extract(&args.source)?;
            let text = match cli.format {
                Format::Json => report::json(&catalog),
                Format::Human => report::catalog_table(&catalog),
            };
            match &args.output {
                Some(path) => output::write_atomic(path, text.as_bytes())?,
                None => emit(out, &text)?,
            }
            if cli.format == Format::Human {
                emit(err, &report::diagnostics(&catalog.diagnostics))?;
            }
            Ok(if diag::any_denied(&catalog.diagnostics) {
                Outcome::Findings
            } else {
                Outcome::Clean
            })
        }
        Command::Explain(args) => {
            explain(args.code.as_deref(), cli.format, out)?;
            Ok(Outcome::Clean)
        }
    }
}

fn explain(code: Option<&str>, format: Format, out: &mut dyn Write) -> Result<()> {
    use diag::Code;
    #[derive(serde::Serialize)]
    struct Entry {
        code: &'static str,
        level: diag::Level,
        description: &'static str,
        explanation: &'static str,
    }
    let entry = |c: Code| Entry {
        code: c.name(),
        level: c.default_level(),
        description: c.description(),
        explanation: c.explanation(),
    };
    let codes: Vec<Code> = match code {
        Some(name) => vec![Code::from_name(name).ok_or(Error::UnknownCode(name.to_string()))?],
        None => Code::ALL.to_vec(),
    };
    let text = match (format, code) {
        (Format::Json, Some(_)) => report::json(&entry(codes[0])),
        (Format::Json, None) => report::json(&codes.iter().map(|&c| entry(c)).collect::<Vec<_>>()),
        (Format::Human, Some(_)) => {
            let c = codes[0];
            format!(
                "{} (default level: {})\n\n{}\n\n{}\n",
                c.name(),
                c.default_level(),
                c.description(),
                textwrap(c.explanation(), 78)
            )
        }
        (Format::Human, None) => {
            let w = codes.iter().map(|c| c.name().len()).max().unwrap_or(0);
            codes
                .iter()
                .map(|c| {
                    format!(
                        "{:<w$}  {:<5}  {}\n",
                        c.name(),
                        c.default_level().as_str(),
                        c.description()
                    )
                })
                .collect()
        }
    };
    emit(out, &text)
}

/// Wraps prose at `width` columns.
fn textwrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut col = 0;
    for word in text.split_whitespace() {
        if col > 0 && col + 1 + word.len() > width {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += word.len();
    }
    out
}
