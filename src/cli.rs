//! The command line, as written (clap derive). Validation of what the
//! arguments mean happens in the command that uses them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Extracts, checks and documents the stability of Linux BPF kfuncs.
///
/// Exit status: 0 when nothing is at deny level, 1 when a finding is at deny
/// level, 2 when the command could not run (bad input, usage).
#[derive(Debug, Parser)]
#[command(name = "kfuncdoc", version, about, max_term_width = 100)]
pub struct Cli {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text: a table, findings as `file:line:col: level[code]: message`.
    Human,
    /// One JSON document (see the book for the schema).
    Json,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract every kfunc of a kernel source tree.
    ///
    /// Finds every BTF_KFUNCS/BTF_SET8 set that is registered with
    /// register_btf_kfunc_id_set(), and for each kfunc its flags, program
    /// types, definition, kernel-doc and MAINTAINERS subsystem.
    Extract(ExtractArgs),
    /// Explain a finding code, or list every code.
    Explain(ExplainArgs),
}

/// `kfuncdoc extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Kernel source tree to read (a directory with the top-level Makefile).
    #[arg(long, value_name = "TREE")]
    pub source: PathBuf,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `kfuncdoc explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code, e.g. `unknown-flag`. Without it, every code is listed.
    pub code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
