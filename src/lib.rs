//! kfuncdoc: a machine-readable record of the stability of Linux BPF kfuncs.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`source`] reads a kernel tree: sets, registrations, definitions,
//!    kernel-doc, MAINTAINERS → a [`model::Catalog`];
//! 2. [`btf`] reads built kernels (raw BTF, vmlinux, modules, bzImage) →
//!    kfuncs with their exact prototypes and, where the ELF has them, flags;
//! 3. [`policy`] loads the curated stability decisions (YAML);
//! 4. [`merge`] joins facts and decisions, [`check`] lints them;
//! 5. [`render`] writes reStructuredText and Markdown pages through templates.
//!
//! Findings travel as [`diag::Diagnostic`]s; an [`Error`] means a command
//! could not run. Only the edge modules ([`source`], [`btf`], [`policy`],
//! [`files`]) and `src/main.rs` do I/O; [`commands`] wires the stages
//! together for each subcommand.

pub mod btf;
pub mod built;
pub mod check;
pub mod cli;
pub mod commands;
pub mod diag;
pub mod diff;
pub mod error;
pub mod files;
pub mod history;
pub mod kernel;
pub mod loc;
pub mod merge;
pub mod model;
/// Counted nouns ("1 kfunc", "2 kfuncs") for messages and pages.
pub mod plural;
pub mod policy;
pub mod progress;
/// Opening input files: regular files only, reads capped.
pub mod read;
pub mod render;
pub mod report;
pub mod running;
pub mod source;
pub mod suggest;
/// The version and the git commit of the build.
pub mod version;

pub use error::{Error, Result};

use cli::{Cli, Command, PolicyCommand};
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

/// Runs a parsed command line. Results go to `out`, findings that are not
/// part of the result (human format) to `err`.
pub fn run(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    match &cli.command {
        Command::Extract(args) => commands::extract(args, cli.format, out, err),
        Command::Check(args) => commands::check(args, cli.format, out),
        Command::Diff(args) => commands::diff(args, cli.format, out),
        Command::History(args) => commands::history(args, cli.format, out),
        Command::Render(args) => commands::render(args, cli.format, out, err),
        Command::Build(args) => commands::build(args, cli.format, out, err),
        Command::Policy(PolicyCommand::Sync(args)) => commands::sync(args, cli.format, out),
        Command::Explain(args) => commands::explain(args, cli.format, out),
        Command::Man(args) => commands::man::man(args, out),
        Command::Completions(args) => commands::man::completions(args, out),
    }
}
