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
    /// Check a kernel's kfuncs against a stability policy.
    ///
    /// Merges the facts (a source tree or a catalog file) with the policy and
    /// reports every finding as `file:line:col: level[code]: message`. Exits
    /// with 1 when a finding is at deny level.
    Check(CheckArgs),
    /// Work on a policy file.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Explain a finding code, or list every code.
    Explain(ExplainArgs),
}

/// Where the facts come from.
#[derive(Debug, Args, Clone)]
pub struct FactsArgs {
    /// Read the facts from a kernel source tree.
    #[arg(long, value_name = "TREE", conflicts_with = "catalog")]
    pub source: Option<PathBuf>,
    /// Read the facts from a catalog written by `extract --format json`.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}

/// `kfuncdoc check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The policy: a YAML file or a directory of them (default: the policy
    /// shipped with kfuncdoc, policy/linux.yaml).
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// Where the facts come from.
    #[command(flatten)]
    pub facts: FactsArgs,
    /// List every finding code with its level under the policy, and exit.
    #[arg(long)]
    pub list: bool,
}

/// `kfuncdoc policy ...`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Append an empty entry for every kfunc the policy does not mention.
    ///
    /// Existing text, comments and order are left byte for byte; each new
    /// entry carries a comment saying where the kfunc is listed.
    Sync(SyncArgs),
}

/// `kfuncdoc policy sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The policy to extend: a YAML file or a directory of them.
    #[arg(long, value_name = "PATH")]
    pub policy: PathBuf,
    /// Where the facts come from.
    #[command(flatten)]
    pub facts: FactsArgs,
    /// The file of a policy directory that gets the new entries (default:
    /// the one that already has the most entries).
    #[arg(long, value_name = "FILE")]
    pub into: Option<PathBuf>,
    /// Change nothing; exit with 1 when entries would be added.
    #[arg(long)]
    pub dry_run: bool,
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
