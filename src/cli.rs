//! The command line, as written (clap derive). Validation of what the
//! arguments mean happens in the command that uses them.

pub use crate::diag::paint::ColorChoice;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Extracts, checks and documents the stability of Linux BPF kfuncs.
///
/// Exit status: 0 when nothing is at deny level, 1 when a finding is at deny
/// level, 2 when the command could not run (bad input, usage).
#[derive(Debug, Parser)]
#[command(name = "kfuncdoc", version = crate::version::LINE, about, max_term_width = 100)]
pub struct Cli {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to colour findings and errors: auto (on a terminal, unless
    /// NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Show no progress bar (one is shown on long scans when stderr is a
    /// terminal, the format is human and CI is not set).
    #[arg(short, long, global = true)]
    pub quiet: bool,
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
// One value per run, parsed once: boxing the big arguments saves nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract every kfunc of a kernel source tree and/or a built kernel.
    ///
    /// From source: every BTF_KFUNCS/BTF_SET8 set registered with
    /// register_btf_kfunc_id_set(), and for each kfunc its flags, program
    /// types, definition, kernel-doc and MAINTAINERS subsystem. From a built
    /// kernel: the kfuncs it has, their exact prototypes and, where
    /// .BTF_ids has them, their flags. Both together: which source kfuncs
    /// are built, and where the two disagree. With no input at all, the
    /// running kernel: its /sys/kernel/btf/vmlinux, and its own image and
    /// modules (/boot/vmlinuz-RELEASE, /lib/modules/RELEASE/...) for the
    /// flags when they are there and are this kernel's build.
    Extract(ExtractArgs),
    /// Check a kernel's kfuncs against a stability policy.
    ///
    /// Merges the facts (a source tree, a built kernel, both, or a catalog
    /// file; by default the running kernel's BTF) with the policy and
    /// reports every finding as `file:line:col: level[code]: message`. Exits
    /// with 1 when a finding is at deny level.
    Check(CheckArgs),
    /// What a kernel release changed for BPF programs, judged against the
    /// policy.
    ///
    /// Compares two kernels, OLD and NEW, each a source tree (a directory),
    /// a catalog written by `extract --format json`, or a built kernel
    /// (raw BTF, vmlinux, bzImage, module; detected by content). --old-btf,
    /// --new-btf and --old-modules, --new-modules add a built kernel to a
    /// source tree. Reports every change (kfuncs added, removed, renamed,
    /// moved; prototypes as BPF programs see them; each flag; program
    /// types; notices) grouped as breaking, relaxing, added, removed and
    /// other, then what breaks the policy's promises. Exits with 1 when a
    /// finding is at deny level.
    Diff(DiffArgs),
    /// Build or extend a history: since, changes and removals of every
    /// kfunc across releases.
    ///
    /// Reads each RELEASE (a source tree, a catalog JSON or a built kernel,
    /// oldest first; `LABEL=PATH` names it, else its version does), and
    /// folds them with `diff` as the step between adjacent releases. The
    /// history keeps every release's facts: --extend adds releases to an
    /// existing history without reading its releases again. `render
    /// --history` and `check --history` read the file.
    History(HistoryArgs),
    /// Write the stability pages: RST for Sphinx, or Markdown for a site.
    ///
    /// Merges the facts with the policy and renders every kfunc through the
    /// templates into --out: an index, a page per subsystem, the
    /// deprecation schedule and the lifecycle policy. Files are written
    /// atomically, only when they change; files an earlier run generated
    /// and this one does not are removed (a manifest records them), and
    /// nothing else is.
    Render(RenderArgs),
    /// Extract, check and render in one run, from a config file.
    ///
    /// Reads kfuncdoc.yaml (or --config FILE): inputs, policy and one or
    /// more outputs. Without a config file: the running kernel's BTF, the
    /// shipped policy, and an mdBook site in ./kfuncdoc-site (built to HTML
    /// when mdbook is installed). Exits with 1 when the check finds
    /// deny-level problems (the pages are written all the same).
    Build(BuildArgs),
    /// Work on a policy file.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Explain a finding code, or list every code.
    Explain(ExplainArgs),
    /// Write the man pages: kfuncdoc.1 and one per subcommand.
    ///
    /// Generated from this command line's own definition, so they say what
    /// --help says. Install them with e.g. `kfuncdoc man --out
    /// /usr/local/share/man/man1`.
    Man(ManArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish,
    /// powershell) on standard output.
    ///
    /// It completes subcommands, options, the values of --to, --flavour,
    /// --description and --format, and the finding codes of `explain`.
    /// For bash: `kfuncdoc completions bash >
    /// ~/.local/share/bash-completion/completions/kfuncdoc`.
    Completions(CompletionsArgs),
}

/// `kfuncdoc man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The directory to write the pages into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `kfuncdoc completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Where the facts come from. With none of these, the running kernel:
/// `/sys/kernel/btf/vmlinux`, with its own image and modules when found.
#[derive(Debug, Args, Clone, Default)]
pub struct FactsArgs {
    /// A kernel source tree (the directory with the top-level Makefile).
    #[arg(long, value_name = "TREE")]
    pub source: Option<PathBuf>,
    /// A built kernel: raw BTF (/sys/kernel/btf/vmlinux), a vmlinux ELF
    /// (stripped or not), a bzImage (/boot/vmlinuz-*) or a module (.ko,
    /// .ko.xz, .ko.zst, .ko.gz). Detected by content.
    #[arg(long, value_name = "FILE")]
    pub btf: Option<PathBuf>,
    /// The vmlinux a module's split BTF is based on, when --btf is a module
    /// or --modules is given without a vmlinux.
    #[arg(long, value_name = "VMLINUX")]
    pub btf_base: Option<PathBuf>,
    /// Modules to read on the vmlinux's BTF: files, or directories walked
    /// for .ko* files (lib/modules/RELEASE/kernel). Repeatable.
    #[arg(long, value_name = "PATH")]
    pub modules: Vec<PathBuf>,
    /// Read built kernels afresh: neither use nor update the report cache
    /// (~/.cache/kfuncdoc/reports, which spares unchanged files from being
    /// decompressed and parsed again and never changes a result).
    #[arg(long)]
    pub no_cache: bool,
    /// A catalog written by `extract --format json`, instead of kernel inputs
    /// (or a history from `kfuncdoc history`: its last release, or
    /// `FILE@LABEL` for the release labelled LABEL).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["source", "btf", "btf_base", "modules"])]
    pub catalog: Option<PathBuf>,
    /// How many modules to decompress and read at once (default: the
    /// number of cores). Memory grows with it: at most N modules are
    /// held decompressed at a time.
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<std::num::NonZeroUsize>,
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
    /// A history (`kfuncdoc history`) to hold the policy's `since` and
    /// `removed_in` to, and whose removals the policy should record.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// List every finding code with its level under the policy, and exit.
    #[arg(long)]
    pub list: bool,
}

/// `kfuncdoc diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older kernel: a source tree, a catalog JSON, a history's release
    /// (`HISTORY@LABEL`; the history alone is its last release) or a built
    /// kernel.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The newer kernel: a source tree, a catalog JSON, a history's release
    /// (`HISTORY@LABEL`) or a built kernel.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// A built kernel to join with the OLD source tree.
    #[arg(long, value_name = "FILE")]
    pub old_btf: Option<PathBuf>,
    /// Modules of the OLD kernel (files or directories). Repeatable.
    #[arg(long, value_name = "PATH")]
    pub old_modules: Vec<PathBuf>,
    /// A built kernel to join with the NEW source tree.
    #[arg(long, value_name = "FILE")]
    pub new_btf: Option<PathBuf>,
    /// Modules of the NEW kernel (files or directories). Repeatable.
    #[arg(long, value_name = "PATH")]
    pub new_modules: Vec<PathBuf>,
    /// The policy: a YAML file or a directory (default: the shipped one).
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// Compare the kfuncs that exist only for the kernel's own tests too.
    #[arg(long)]
    pub include_test_only: bool,
    /// Read built kernels afresh (see `extract --no-cache`).
    #[arg(long)]
    pub no_cache: bool,
    /// How many modules to read at once (see `extract --jobs`).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<std::num::NonZeroUsize>,
}

/// `kfuncdoc history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The releases, oldest first: each a source tree, a catalog JSON or a
    /// built kernel, as `PATH` or `LABEL=PATH`.
    #[arg(value_name = "RELEASE")]
    pub releases: Vec<String>,
    /// An existing history to add the releases to (after its last one).
    #[arg(long, value_name = "FILE")]
    pub extend: Option<PathBuf>,
    /// Read the releases from a git repository instead (objects read
    /// directly, no checkout): the tags of --tags, with the first-parent
    /// commit that made each change between adjacent tags.
    #[arg(
        long,
        value_name = "REPO",
        requires = "tags",
        conflicts_with = "releases"
    )]
    pub git: Option<PathBuf>,
    /// With --git: `A..B` (every mainline release tag vX.Y from A to B) or
    /// a comma-separated list of tags, oldest first.
    #[arg(long, value_name = "SPEC", requires = "git")]
    pub tags: Option<String>,
    /// Where to write the history (default: the --extend file; without
    /// --extend, required).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The policy: its replacements tell renames (default: the shipped one).
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// Read built kernels afresh (see `extract --no-cache`).
    #[arg(long)]
    pub no_cache: bool,
    /// How many modules to read at once (see `extract --jobs`).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<std::num::NonZeroUsize>,
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
    /// Add entries for the kfuncs that exist for the kernel's own tests
    /// too (left out by default: BPF programs do not call them).
    #[arg(long)]
    pub include_test_only: bool,
}

/// `kfuncdoc extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Where the facts come from.
    #[command(flatten)]
    pub facts: FactsArgs,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The output format of `render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RenderFormat {
    /// reStructuredText for Sphinx and the kernel's `make htmldocs`.
    Rst,
    /// Markdown for a static site (see --flavour).
    Markdown,
    /// One C header for BPF programs, `kfuncs.h`: every kfunc declared as
    /// bpftool's vmlinux.h declares it, deprecated and removed ones with
    /// compiler attributes naming the replacement.
    Header,
}

/// How the pages look, besides the format.
#[derive(Debug, Args, Clone)]
pub struct PageArgs {
    /// The Markdown flavour: an mdBook project, a MkDocs (Material)
    /// project, or plain CommonMark pages.
    #[arg(long, value_enum, default_value = "mdbook")]
    pub flavour: crate::render::Flavour,
    /// Where descriptions come from: `kernel-doc` directives (RST built
    /// inside a kernel tree, which stays the single source of truth; a
    /// comment `make htmldocs` would warn about gets the text) or the
    /// parsed comment as text.
    #[arg(long, value_enum, default_value = "text")]
    pub description: crate::render::Description,
    /// The title of the index page.
    #[arg(long, default_value = "BPF kfuncs")]
    pub title: String,
    /// Also list kfuncs that exist only for the kernel's own tests.
    #[arg(long)]
    pub include_test_only: bool,
    /// RST heading characters, page title first (e.g. "=-~^"; for the
    /// Sphinx directive, those of the levels below it).
    #[arg(long, value_name = "CHARS", default_value = crate::render::context::DEFAULT_RST_HEADINGS)]
    pub rst_headings: String,
    /// Template overrides: a directory mirroring templates/ (rst/group.rst,
    /// md/kfunc.md...), read file by file over the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Link every source position on the pages to a source browser: a URL
    /// template with {path}, {line}, {version} (the release described, as
    /// upstream tags it) and {release} (MAJOR.MINOR), e.g.
    /// `https://elixir.bootlin.com/linux/v{version}/source/{path}#L{line}`
    #[arg(long, value_name = "TEMPLATE", value_parser = source_url)]
    pub source_url: Option<String>,
}

/// A `--source-url` template, checked.
fn source_url(s: &str) -> std::result::Result<String, String> {
    crate::render::source_url::validate(s)
        .map(|()| s.to_string())
        .map_err(|e| format!("column {}: {}", e.col, e.message))
}

/// A `--commit-url` template, checked.
fn commit_url(s: &str) -> std::result::Result<String, String> {
    crate::render::history::valid_commit_url(s)
        .map(|()| s.to_string())
        .map_err(str::to_string)
}

/// `kfuncdoc render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The output format.
    #[arg(long, value_enum)]
    pub to: RenderFormat,
    /// The output directory.
    #[arg(long, value_name = "DIR", required_unless_present_any = ["stdout", "context", "sphinx_extension"])]
    pub out: Option<PathBuf>,
    /// Write nothing; exit with 1 and list the files that would change.
    #[arg(long)]
    pub check: bool,
    /// Print everything as one RST document on standard output instead
    /// (what the Sphinx directive nests into a page); with `--to header`,
    /// the header.
    #[arg(long, conflicts_with_all = ["out", "check"])]
    pub stdout: bool,
    /// Also write the input files the pages depend on to FILE, one per
    /// line (for the Sphinx directive's rebuild tracking).
    #[arg(long, value_name = "FILE")]
    pub depfile: Option<PathBuf>,
    /// Print the Sphinx extension that provides the `kfuncdoc` directive
    /// (save it as kfuncdoc.py next to conf.py) and exit.
    #[arg(long, conflicts_with_all = ["out", "check", "stdout"])]
    pub sphinx_extension: bool,
    /// Print the render context as JSON and exit (what templates see).
    #[arg(long, conflicts_with_all = ["out", "check", "stdout"])]
    pub context: bool,
    /// Render from a context printed by --context instead of kernel inputs.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["policy", "source", "btf", "btf_base", "modules", "catalog"])]
    pub from_context: Option<PathBuf>,
    /// The policy: a YAML file or a directory (default: the shipped one).
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// Add a changelog page: what changed for BPF programs from the kernel
    /// at PATH (a source tree, a catalog JSON or a built kernel, as `diff`
    /// reads a side) to the one rendered. Repeatable, one page each.
    #[arg(long, value_name = "PATH", conflicts_with = "from_context")]
    pub changes_from: Vec<PathBuf>,
    /// A history (`kfuncdoc history`): since-releases the policy does not
    /// record, the age factor, each kfunc's changes and per-program-type
    /// since, and the "Removed kfuncs" and "Changes by release" pages.
    /// The policy's own since, removal and replacement win.
    #[arg(long, value_name = "FILE", conflicts_with = "from_context")]
    pub history: Option<PathBuf>,
    /// Where a commit of the history links to: a URL with `{id}` [default:
    /// the mainline repository at git.kernel.org].
    #[arg(long, value_name = "TEMPLATE", value_parser = commit_url)]
    pub commit_url: Option<String>,
    /// How the pages look.
    #[command(flatten)]
    pub pages: PageArgs,
    /// Where the facts come from.
    #[command(flatten)]
    pub facts: FactsArgs,
}

/// `kfuncdoc build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The config file (default: ./kfuncdoc.yaml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write nothing; exit with 1 listing the files that would change.
    #[arg(long)]
    pub check: bool,
}

/// `kfuncdoc explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code, e.g. `unknown-flag`. Without it, every code is listed.
    #[arg(value_parser = CodeName, hide_possible_values = true)]
    pub code: Option<String>,
}

/// A finding code as `explain` takes it: any text (an unknown code gets a
/// "did you mean" from `explain` itself), with the registry's codes as
/// the possible values that shell completions offer.
#[derive(Debug, Clone, Copy)]
struct CodeName;

impl clap::builder::TypedValueParser for CodeName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(crate::diag::Code::ALL.iter().map(|c| {
            clap::builder::PossibleValue::new(c.name()).help(c.description())
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    /// Completions offer every registry code for `explain`, `diff`'s too.
    #[test]
    fn explain_offers_every_code() {
        let cmd = Cli::command();
        let explain = cmd.find_subcommand("explain").expect("explain");
        let arg = explain
            .get_arguments()
            .find(|a| a.get_id() == "code")
            .expect("code");
        let offered: Vec<String> = arg
            .get_possible_values()
            .iter()
            .map(|p| p.get_name().to_string())
            .collect();
        let all: Vec<String> = crate::diag::Code::ALL
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        assert_eq!(offered, all);
        for c in crate::diff::CODES {
            assert!(offered.iter().any(|o| o == c.name()), "{c}");
        }
    }
}
