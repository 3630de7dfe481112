//! The render context: everything a template may use, in one serde struct.
//!
//! [`build`] turns a merged catalog and its policy into a [`Context`] for
//! one output format. It decides what the pages say (grouping, the four
//! lifecycle factors, releases left before a removal, labels); templates
//! only lay it out. Text the policy writes in Markdown arrives converted
//! for the format (RST or Markdown), and marked as such; every other string
//! is plain text that templates escape. Pure: no I/O. `kfuncdoc render
//! --context` prints this struct as JSON and `--from-context` reads it
//! back, so it is the contract with template authors (documented field by
//! field in the book, `reference/templates.md`).

use super::markdown::{self, Target};
use super::text::slug;
use crate::kernel::{KernelVersion, flags, suffixes};
use crate::merge::{Decided, Merged, MergedKfunc, Source};
use crate::model::InputInfo;
use crate::policy::model::{Located, Replacement};
use crate::policy::{Policy, Problem, Stability};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The output format a context is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// reStructuredText for Sphinx (the kernel's `make htmldocs`).
    Rst,
    /// Markdown for a static site.
    Markdown,
}

/// The Markdown dialect and site layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    /// An mdBook project: `book.toml`, `src/SUMMARY.md` and the pages.
    Mdbook,
    /// A MkDocs (Material) project: `mkdocs.yml`, `docs/` and the pages,
    /// with `!!!` admonitions.
    Mkdocs,
    /// CommonMark pages and an `index.md`, for any other tool.
    Plain,
}

/// Where a kfunc's description comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Description {
    /// `.. kernel-doc::` directives, for pages built inside a kernel tree:
    /// the source stays the single source of truth (RST only; kfuncs
    /// without a kernel-doc comment get the text form).
    KernelDoc,
    /// The parsed kernel-doc comment as text.
    Text,
}

/// What to render, besides the facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    /// The output format.
    pub format: Format,
    /// The Markdown flavour (Markdown only).
    pub flavour: Option<Flavour>,
    /// Where descriptions come from.
    pub description: Description,
    /// The title of the whole set of pages.
    pub title: String,
    /// Include kfuncs that exist for the kernel's own tests.
    pub include_test_only: bool,
    /// RST section underline characters, outermost first (at least 3).
    pub rst_headings: String,
    /// The source browser's URL template (`--source-url`), checked by
    /// [`super::source_url::validate`]; absent: no source links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: Format::Rst,
            flavour: None,
            description: Description::Text,
            title: "BPF kfuncs".into(),
            include_test_only: false,
            rst_headings: DEFAULT_RST_HEADINGS.into(),
            source_url: None,
        }
    }
}

/// `=` for page titles, `-` for sections, `~` and `^` below: the kernel's
/// `Documentation/doc-guide/sphinx.rst` convention after the overlined
/// document title.
pub const DEFAULT_RST_HEADINGS: &str = "=-~^";

/// Everything the templates see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// kfuncdoc itself.
    pub kfuncdoc: Tool,
    /// The options the context was built with.
    pub options: Options,
    /// The kernel described.
    pub kernel: Kernel,
    /// The policy, as shown on the lifecycle page.
    pub policy: PolicyInfo,
    /// Counts for the index.
    pub summary: Summary,
    /// Every page, in reading order (for toctrees, `SUMMARY.md`, navs).
    pub pages: Vec<Page>,
    /// kfuncs grouped by subsystem, sorted by group name.
    pub groups: Vec<Group>,
    /// Deprecated kfuncs by planned removal, soonest first, unplanned last.
    pub deprecations: Vec<RemovalGroup>,
    /// kfuncs the policy records as removed (no longer in this kernel).
    pub removed: Vec<RemovedKfunc>,
    /// Changelogs from older kernels (`render --changes-from`), one page
    /// each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<super::changes::ChangeLog>,
    /// The history rendered with the pages (`render --history`): the
    /// "Removed kfuncs" and "Changes by release" pages; absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<super::history::HistoryInfo>,
}

/// The generating tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Its version.
    pub version: String,
}

/// The kernel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kernel {
    /// The release as the inputs state it (`6.12.117`,
    /// `6.18.44-fc-v595`), when known.
    pub version: Option<String>,
    /// `MAJOR.MINOR` of that release.
    pub release: Option<String>,
    /// What the facts were read from.
    pub inputs: Vec<InputInfo>,
    /// A source tree was read (subsystems, docs and program types known).
    pub has_source: bool,
    /// Without a source tree: the history releases whose source gave the
    /// kfuncs' source facts (`7.2`), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources_from: Vec<String>,
    /// The kernel image read (a vmlinux or bzImage, whose `.BTF_ids` gave
    /// the flags), when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// The lifecycle statement and levels of the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyInfo {
    /// The policy files read (the shipped policy is `policy/linux.yaml`).
    pub files: Vec<String>,
    /// The lifecycle statement, converted for the format.
    pub statement: Option<String>,
    /// Releases a deprecated kfunc stays before removal.
    pub min_deprecation_releases: Option<u32>,
    /// Every stability level with what it promises, most dependable first.
    pub levels: Vec<Level>,
}

/// A stability level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// `stable`, `unstable`...
    pub name: String,
    /// What it promises, from the policy (converted for the format), or
    /// kfuncdoc's one-line definition.
    pub promise: String,
    /// kfuncs at this level on these pages; for `removed`, also the
    /// kfuncs the schedule lists as removed before this kernel.
    pub count: usize,
}

/// Counts for the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// kfuncs on the pages.
    pub kfuncs: usize,
    /// Test-only kfuncs left out (`include_test_only` false).
    pub test_only_omitted: usize,
    /// Groups (pages of kfuncs).
    pub groups: usize,
    /// Deprecated kfuncs.
    pub deprecated: usize,
    /// kfuncs whose stability a policy entry states.
    pub decided: usize,
    /// kfuncs on the pages that the built kernel read does not have
    /// (`built: false`: not in its configuration).
    pub not_built: usize,
}

/// One output page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// `index`, `group`, `deprecations` or `lifecycle`.
    pub kind: String,
    /// File stem (`index`, `bpf-core`...), unique, without extension.
    pub stem: String,
    /// Its title (plain text).
    pub title: String,
}

/// kfuncs of one subsystem (or, without a source tree, one module).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The MAINTAINERS section title, or `vmlinux`/a module name.
    pub name: String,
    /// File stem of its page.
    pub stem: String,
    /// RST label of its page (`kfuncdoc-group-bpf-core`).
    pub label: String,
    /// Maintainers (`M:`).
    pub maintainers: Vec<String>,
    /// Reviewers (`R:`).
    pub reviewers: Vec<String>,
    /// Mailing lists (`L:`).
    pub lists: Vec<String>,
    /// MAINTAINERS status (`S:`).
    pub status: Option<String>,
    /// The subsystem's norm: the stability its kfuncs get when no entry
    /// decides, and from where.
    pub norm: Norm,
    /// Its kfuncs, sorted by name.
    pub kfuncs: Vec<KfuncPage>,
}

/// A subsystem's default stability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Norm {
    /// The level most of its kfuncs get without an entry of their own.
    pub stability: String,
    /// Where that comes from, as a sentence fragment (`the policy rule
    /// "sched_ext"`, `the policy's defaults`, `the kernel's stated
    /// position`).
    pub source: String,
    /// kfuncs of the group with an explicit decision.
    pub decided: usize,
    /// kfuncs without an explicit decision whose level is not the norm's
    /// (a rule matching only some of them, say).
    pub exceptions: usize,
}

/// One kfunc, as its section shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KfuncPage {
    /// The name.
    pub name: String,
    /// Its RST label (`kfuncdoc-kfunc-bpf_task_acquire`), stable across
    /// runs and kernels.
    pub label: String,
    /// Its Markdown anchor (the name itself).
    pub anchor: String,
    /// File stem of the page it is on.
    pub page: String,
    /// The C declaration: bpftool's from BTF when a built kernel was read,
    /// else the source definition's.
    pub prototype: Option<String>,
    /// `btf` or `source`.
    pub prototype_from: Option<String>,
    /// How `kfuncdoc render --to header` declares it: its attribute
    /// macros, then the `extern` line (absent when the header does not
    /// declare it). See [`super::header::page_declaration`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_declaration: Option<String>,
    /// The prototype as a reader would write it: BTF type tags shown as
    /// the kernel macros that make them (`__arena`, `__user`, `__rcu`,
    /// `__percpu`).
    pub prototype_pretty: Option<String>,
    /// Effective stability in this kernel.
    pub stability: String,
    /// Where it comes from (`entry`, `rule`, `defaults`, `builtin`).
    pub stability_from: String,
    /// A policy entry decides it.
    pub decided: bool,
    /// The level's promise (converted for the format).
    pub promise: String,
    /// Lifecycle versions.
    pub since: Option<String>,
    /// Where `since` comes from, with a history: `policy` (which wins) or
    /// `history` (then it may be bounds: `6.2–6.12`, `≤ 6.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_from: Option<String>,
    /// The introducing commit's URL, when `since` comes from a history
    /// that knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_url: Option<String>,
    /// What the history says of it: first seen, the commit, its changes
    /// release by release; absent without a history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<super::history::KfuncHistoryInfo>,
    /// Program types (short names, `name`) that could call it only from a
    /// later release (`text`) than its own first one, per the history.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prog_types_since: Vec<NamedText>,
    /// Deprecated in.
    pub deprecated_in: Option<String>,
    /// Planned removal.
    pub removal_planned: Option<String>,
    /// Removed in (a kfunc still present, per the policy, is an anomaly
    /// `check` reports).
    pub removed_in: Option<String>,
    /// `removed_in` is after this kernel: the removal is a recorded fact.
    pub removal_recorded: bool,
    /// Releases from this kernel to the removal: the recorded one, else
    /// the planned one.
    pub releases_left: Option<u32>,
    /// A deprecation the policy states for a later release.
    pub upcoming_deprecation: Option<String>,
    /// What to use instead.
    pub replacement: Option<ReplacementInfo>,
    /// Flags with their meaning.
    pub flags: Vec<FlagInfo>,
    /// Flags unknown (a built kernel without `.BTF_ids`, raw BTF).
    pub flags_unknown: bool,
    /// The flags of each set listing it, when they differ between its sets
    /// (empty when they agree): the verifier applies the flags of the set
    /// through which a program reaches the kfunc, so `flags` (the union)
    /// does not hold for every program type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags_by_set: Vec<SetFlags>,
    /// Program types (short names: `TRACING`), sorted.
    pub prog_types: Vec<String>,
    /// Program types that may call it too because the kernel maps them to
    /// the hook of one it is registered for (`LSM` through `TRACING`),
    /// short names, sorted; empty with `all_prog_types`.
    pub also_callable_from: Vec<String>,
    /// Callable from every program type.
    pub all_prog_types: bool,
    /// Program types unknown (no source tree).
    pub prog_types_unknown: bool,
    /// The release of a history whose source gave the flags, program
    /// types and documentation shown (the kernel was read without its
    /// source): "from the Linux 7.2 source".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_from: Option<String>,
    /// With `source_from`: the flags shown are the built kernel's own
    /// (its `.BTF_ids` was read), not the release's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub flags_own: bool,
    /// A `.filter` callback narrows availability at load time in a way
    /// `prog_types` and `also_callable_from` do not show: a condition, or
    /// a filter that could not be evaluated (the program types a filter
    /// refuses are already left out of both).
    pub filtered: bool,
    /// The filter callbacks that narrow it, as the page states them.
    #[serde(default)]
    pub filters: Vec<FilterNote>,
    /// Parameters, as BPF programs pass them.
    pub params: Vec<ParamInfo>,
    /// The kernel definition's trailing parameters that the verifier
    /// supplies (`KF_IMPLICIT_ARGS`), not among `params` nor in the
    /// prototype.
    #[serde(default)]
    pub implicit_params: Vec<ParamInfo>,
    /// The description.
    pub doc: Option<DocInfo>,
    /// Emit a `.. kernel-doc::` directive for the description.
    pub kernel_doc: Option<KernelDocRef>,
    /// Why the policy decided so (converted).
    pub rationale: Option<String>,
    /// Notes (converted), from the entry, a rule or the defaults.
    pub notes: Option<String>,
    /// Who decides: the policy's owner, else the people of its MAINTAINERS
    /// section (`M:`, or `R:` when it has none) with the section's title;
    /// absent when neither is known.
    pub owner: Option<String>,
    /// The four lifecycle factors of `Documentation/bpf/kfuncs.rst`.
    pub factors: Factors,
    /// Links from the policy.
    pub links: Vec<LinkInfo>,
    /// Where it is listed and defined.
    pub source: Option<SourceInfo>,
    /// In the built kernel read (absent: none read).
    pub built: Option<bool>,
    /// The module defining it, from BTF.
    pub module: Option<String>,
    /// Exists for the kernel's own tests.
    pub test_only: bool,
    /// `#if` conditions it needs.
    pub conditions: Vec<String>,
    /// Its sets.
    pub sets: Vec<String>,
    /// What the kernel itself says about its future (deprecation
    /// comments, run-time warnings, newer versions registered beside it).
    #[serde(default)]
    pub upstream_notices: Vec<super::notices::NoticeInfo>,
    /// A notice other than a legacy `_impl` form: the kernel deprecates it.
    #[serde(default)]
    pub deprecated_upstream: bool,
    /// A real call from the tree's programs.
    #[serde(default)]
    pub example: Option<super::notices::ExampleInfo>,
    /// The `register_btf_kfunc_id_set()` calls of its sets.
    #[serde(default)]
    pub registrations: Vec<super::positions::RegistrationInfo>,
}

/// A replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacementInfo {
    /// The kfunc to use instead.
    pub kfunc: Option<String>,
    /// Its label and page, when it is on these pages.
    pub label: Option<String>,
    /// Its page stem.
    pub page: Option<String>,
    /// There is none, for this reason (plain text).
    pub reason: Option<String>,
    /// The release the policy says it appears in, when that is after this
    /// kernel: a reader of these pages cannot use it yet.
    pub arrives_in: Option<String>,
}

/// A flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagInfo {
    /// `KF_ACQUIRE`.
    pub name: String,
    /// `ACQUIRE`.
    pub short: String,
    /// What it means for a program, valid for this kernel.
    pub meaning: Option<String>,
}

/// The flags one set gives a kfunc, and who reaches it through that set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetFlags {
    /// The set (`hid_bpf_kfunc_ids`).
    pub set: String,
    /// Its flags for the kfunc, as `flags` shows them (`KF_SLEEPABLE`).
    pub flags: Vec<String>,
    /// The program types it is registered for (short names, sorted).
    pub prog_types: Vec<String>,
    /// It is registered for every program type.
    pub all_prog_types: bool,
}

/// A parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamInfo {
    /// Its name.
    pub name: String,
    /// Its C type (a function type shown as the pointer it decays to).
    #[serde(rename = "type")]
    pub ty: String,
    /// The verifier suffix it carries (`__sz`).
    pub annotation: Option<String>,
    /// What the suffix means.
    pub annotation_meaning: Option<String>,
    /// The kernel-doc `@name:` text, as kernel-doc text with its lines
    /// (templates print it with the `kdoc` filter).
    pub doc: Option<String>,
}

/// The kernel-doc comment, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocInfo {
    /// The summary line.
    pub summary: Option<String>,
    /// The free text, as kernel-doc text with its lines (templates print
    /// it with the `kdoc` filter).
    pub body: Option<String>,
    /// `Return:`, as kernel-doc text.
    pub returns: Option<String>,
    /// `Context:`, as kernel-doc text.
    pub context: Option<String>,
    /// Other sections, as kernel-doc text.
    pub sections: Vec<NamedText>,
    /// The comment's file.
    #[serde(default)]
    pub file: String,
    /// The comment's first line.
    #[serde(default)]
    pub line: u32,
}

/// A filter callback narrowing a kfunc's program types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterNote {
    /// The callback as called: `tracing_iter_filter()`.
    pub call: String,
    /// `file:line` of its definition, when found.
    pub position: Option<String>,
    /// The file of its definition, when found (for the `source` filter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The line of its definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Program types (short names) it refuses, which the page no longer
    /// lists.
    pub excludes: Vec<String>,
    /// Program types (short names, `name`) it admits only under a
    /// condition (`text`, in C).
    pub conditions: Vec<NamedText>,
    /// Program types (short names) it could not be evaluated for.
    pub not_evaluated: Vec<String>,
}

/// A named section of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedText {
    /// Its name.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// What `.. kernel-doc::` needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelDocRef {
    /// The file, relative to the tree.
    pub file: String,
    /// The identifier.
    pub identifier: String,
}

/// The four factors the kernel's lifecycle text weighs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factors {
    /// How widely it is used.
    pub usage: UsageInfo,
    /// How long it has been in the kernel.
    pub age: AgeInfo,
    /// Whether an alternative exists (`replacement`), as one line of
    /// plain text.
    pub alternative: Option<String>,
    /// The subsystem's norm, as one line of plain text.
    pub norm: String,
    /// The MAINTAINERS section it belongs to (absent without a source tree).
    pub subsystem: Option<String>,
    /// The line of the section's title in MAINTAINERS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsystem_line: Option<u32>,
    /// Who decides there: the section's `M:` names, without addresses
    /// (`R:` names when it has no `M:`).
    pub maintainers: Vec<String>,
    /// The section has no `M:`: `maintainers` are its reviewers.
    pub reviewers_only: bool,
    /// The section's mailing lists (`L:`).
    pub lists: Vec<String>,
}

/// Usage: in-tree callers and known users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageInfo {
    /// In-tree callers were counted (a source tree was read).
    pub counted: bool,
    /// Selftest programs calling it (files under `tools/testing/selftests`).
    pub selftests: u32,
    /// Samples calling it (files under `samples` and `tools/sched_ext`).
    pub samples: u32,
    /// Known out-of-tree users from the policy.
    pub users: Vec<LinkInfo>,
}

/// Age.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeInfo {
    /// First release, from the policy.
    pub since: Option<String>,
    /// Releases from `since` to this kernel (with bounds, the fewest).
    pub releases: Option<u32>,
    /// `policy` or `history`, with a history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_from: Option<String>,
    /// With bounds from a history (`6.2–6.12`): the most releases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub releases_max: Option<u32>,
    /// The history's first release has it (`≤ 6.1`): `releases` or more.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub at_least: bool,
}

/// A link or a named user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkInfo {
    /// Text (plain).
    pub title: String,
    /// URL, if any.
    pub url: Option<String>,
}

/// Where a kfunc is listed and defined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// `BTF_ID_FLAGS` entry.
    pub file: String,
    /// Its line.
    pub line: u32,
    /// The definition's file, when found.
    pub definition_file: Option<String>,
    /// Its line.
    pub definition_line: Option<u32>,
}

/// Deprecated kfuncs sharing a planned removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalGroup {
    /// The release (`None`: no removal planned yet).
    pub removal: Option<String>,
    /// Releases from this kernel to it.
    pub releases_left: Option<u32>,
    /// The kfuncs, sorted by name.
    pub kfuncs: Vec<Deprecated>,
}

/// A deprecated kfunc, for the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deprecated {
    /// Name.
    pub name: String,
    /// Label of its section.
    pub label: String,
    /// Its page.
    pub page: String,
    /// Deprecated in (for an upcoming deprecation, the future release).
    pub deprecated_in: Option<String>,
    /// Only announced: deprecated from a later release.
    pub upcoming: bool,
    /// The release the policy records it as actually removed in, when
    /// that is after this kernel (it may differ from the planned one).
    pub removed_in: Option<String>,
    /// What to use instead.
    pub replacement: Option<ReplacementInfo>,
    /// What the kernel says itself (shown as "deprecated upstream").
    #[serde(default)]
    pub upstream_notices: Vec<super::notices::NoticeInfo>,
}

/// A kfunc the policy records as removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedKfunc {
    /// Name.
    pub name: String,
    /// Deprecated in.
    pub deprecated_in: Option<String>,
    /// Removed in.
    pub removed_in: Option<String>,
    /// What to use instead.
    pub replacement: Option<ReplacementInfo>,
    /// Why (converted).
    pub rationale: Option<String>,
    /// Links.
    pub links: Vec<LinkInfo>,
}

/// The kernel macros behind BTF type tags, as the source writes them.
const TYPE_TAG_MACROS: &[(&str, &str)] = &[
    ("address_space(1)", "__arena"),
    ("user", "__user"),
    ("rcu", "__rcu"),
    ("percpu", "__percpu"),
];

/// `prototype` with `__attribute__((btf_type_tag("user")))` written as
/// `__user` (and the like); other tags stay as bpftool prints them.
pub fn pretty_prototype(prototype: &str) -> String {
    let mut s = prototype.to_string();
    for (tag, mac) in TYPE_TAG_MACROS {
        s = s.replace(&format!("__attribute__((btf_type_tag(\"{tag}\")))"), mac);
    }
    s
}

/// kfuncdoc's own wording of each level, for a policy that states none.
fn default_promise(s: Stability) -> &'static str {
    match s {
        Stability::Stable => {
            "Kept compatible; changed or removed only after a documented deprecation period."
        }
        Stability::Unstable => {
            "May change or go away when there is a reason to; the kernel's default position for kfuncs."
        }
        Stability::Experimental => {
            "New or being designed; expect changes from one release to the next."
        }
        Stability::Deprecated => "Scheduled for removal: move to the replacement.",
        Stability::Removed => "No longer in the kernel.",
    }
}

/// Converts the policy Markdown `text` at `loc` for `format`; a problem
/// points at the offending line inside the YAML value.
fn convert(text: &Located<String>, format: Format, problems: &mut Vec<Problem>) -> Option<String> {
    let target = match format {
        Format::Rst => Target::Rst,
        Format::Markdown => Target::Markdown,
    };
    match markdown::convert(&text.value, target) {
        Ok(s) => Some(s),
        Err(e) => {
            // Block scalars start on the line after the key with the
            // content's indentation; other scalars on the key's line.
            let mut loc = text.loc.clone();
            loc.line += e.line.saturating_sub(1);
            if e.line <= 1 {
                loc.col += e.col.saturating_sub(1);
            }
            problems.push(Problem {
                loc,
                message: format!("in Markdown: {}", e.message),
            });
            None
        }
    }
}

fn convert_decided(
    d: &Option<Decided<String>>,
    format: Format,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let d = d.as_ref()?;
    let loc = match &d.from {
        Source::Entry { loc } | Source::Rule { loc, .. } | Source::Defaults { loc } => loc.clone(),
        Source::Builtin => crate::loc::Loc::new("", 0, 0),
    };
    convert(
        &Located {
            value: d.value.clone(),
            loc,
        },
        format,
        problems,
    )
}

fn source_name(s: &Source) -> &'static str {
    match s {
        Source::Entry { .. } => "entry",
        Source::Rule { .. } => "rule",
        Source::Defaults { .. } => "defaults",
        Source::Builtin => "builtin",
    }
}

/// Where a decision comes from, for a reader of the pages (positions in
/// the policy file are for `check`, not for the published pages).
fn source_phrase(s: &Source) -> String {
    match s {
        Source::Entry { .. } => "its own policy entry".into(),
        Source::Rule { rule, .. } => format!("the policy rule \"{rule}\""),
        Source::Defaults { .. } => "the policy's defaults".into(),
        Source::Builtin => "the kernel's stated position".into(),
    }
}

/// `BPF_PROG_TYPE_TRACING` → `TRACING`.
fn short_prog_type(p: &str) -> String {
    p.strip_prefix("BPF_PROG_TYPE_").unwrap_or(p).to_string()
}

/// What a page says about one filter callback of a kfunc.
fn filter_note(x: &crate::model::KfuncFilter) -> FilterNote {
    FilterNote {
        call: format!("{}()", x.name),
        position: x
            .file
            .as_ref()
            .map(|f| format!("{f}:{}", x.line.unwrap_or(0))),
        file: x.file.clone(),
        line: x.file.as_ref().and(x.line),
        excludes: x.excludes.iter().map(|t| short_prog_type(t)).collect(),
        conditions: x
            .conditions
            .iter()
            .map(|c| NamedText {
                name: short_prog_type(&c.prog_type),
                text: c.condition.clone(),
            })
            .collect(),
        not_evaluated: x
            .not_evaluated
            .iter()
            .map(|u| match u.prog_type.as_str() {
                "*" => "every program type".to_string(),
                t => short_prog_type(t),
            })
            .collect(),
    }
}

/// The group a kfunc's page belongs to.
fn group_name(k: &MergedKfunc) -> String {
    match (&k.facts.subsystem, &k.facts.btf) {
        (Some(s), _) => s.name.clone(),
        (None, Some(b)) => b.module.clone().unwrap_or_else(|| "vmlinux".into()),
        (None, None) => "Other".into(),
    }
}

/// Label-safe form of a kfunc name. Names from a source tree are C
/// identifiers and stay as they are; a BTF input may name a function
/// anything, so every other character is written `-` and its code in hex
/// (a label is printed raw into `.. _label:` lines, issue 10).
pub fn kfunc_label(name: &str) -> String {
    let mut out = String::from("kfuncdoc-kfunc-");
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else {
            out.push_str(&format!("-{:x}", c as u32));
        }
    }
    out
}

/// Everything the templates see, for `merged` under `policy`. Markdown the
/// policy cannot have converted is reported with its position.
pub fn build(merged: &Merged, policy: &Policy, options: &Options) -> Result<Context, Vec<Problem>> {
    let format = options.format;
    let mut problems = Vec::new();
    let kernel_version = merged
        .kernel
        .version
        .as_deref()
        .and_then(KernelVersion::parse_lenient);
    let has_source = merged.kernel.has_source();

    // Stable, unique file stems per group; reserved stems are the fixed pages.
    let shown: Vec<&MergedKfunc> = merged
        .kfuncs
        .iter()
        .filter(|k| options.include_test_only || !k.facts.test_only)
        .collect();
    let mut by_group: BTreeMap<String, Vec<&MergedKfunc>> = BTreeMap::new();
    for k in &shown {
        by_group.entry(group_name(k)).or_default().push(k);
    }
    let mut stems: BTreeMap<String, String> = BTreeMap::new();
    // Unique without regard to case, and never a fixed file's name.
    let mut used = super::stems::Stems::default();
    for name in by_group.keys() {
        stems.insert(name.clone(), used.claim(&slug(name)));
    }
    let page_of: BTreeMap<&str, &str> = shown
        .iter()
        .map(|k| (k.facts.name.as_str(), stems[&group_name(k)].as_str()))
        .collect();

    let flag_version = kernel_version.unwrap_or(KernelVersion::new(7, 0));
    let replacement_info = |r: &Replacement| match r {
        Replacement::Kfunc(name) => ReplacementInfo {
            kfunc: Some(name.clone()),
            label: page_of.get(name.as_str()).map(|_| kfunc_label(name)),
            page: page_of.get(name.as_str()).map(|p| p.to_string()),
            reason: None,
            arrives_in: policy
                .kfuncs
                .get(name)
                .and_then(|e| e.since.as_ref())
                .map(|v| v.value)
                .filter(|v| kernel_version.is_some_and(|k| k.release() < v.release()))
                .map(|v| v.to_string()),
        },
        Replacement::None(reason) => ReplacementInfo {
            kfunc: None,
            label: None,
            page: None,
            reason: Some(reason.clone()),
            arrives_in: None,
        },
    };

    let promise = |s: Stability, problems: &mut Vec<Problem>| -> String {
        policy
            .lifecycle
            .levels
            .get(&s)
            .and_then(|t| convert(t, format, problems))
            .unwrap_or_else(|| default_promise(s).to_string())
    };
    let mut level_counts: BTreeMap<Stability, usize> = BTreeMap::new();
    let mut groups = Vec::new();
    let mut deprecated: BTreeMap<Option<KernelVersion>, Vec<Deprecated>> = BTreeMap::new();
    for (name, kfuncs) in &by_group {
        let stem = stems[name].clone();
        let first_sub = kfuncs.iter().find_map(|k| k.facts.subsystem.clone());
        let norm = group_norm(kfuncs);
        let mut pages = Vec::new();
        for k in kfuncs {
            let p = &k.policy;
            let stability = p.stability.value;
            *level_counts.entry(stability).or_default() += 1;
            let since = p.since.as_ref().map(|d| d.value);
            let planned = p.removal_planned.as_ref().map(|d| d.value);
            // A removal the policy records after this kernel is a fact
            // that beats the plan (sched_ext's renames, planned for 6.15,
            // went in 6.17).
            let recorded = p
                .removed_in
                .as_ref()
                .map(|d| d.value)
                .filter(|r| kernel_version.is_some_and(|k| k.release() < r.release()));
            let removal = recorded.or(planned);
            let replacement = p.replacement.as_ref().map(|d| replacement_info(&d.value));
            // A deprecation the policy dates after this kernel: announced,
            // not in force.
            let upcoming = p
                .deprecated_in
                .as_ref()
                .map(|d| d.value)
                .filter(|d| {
                    stability != Stability::Deprecated
                        && kernel_version.is_some_and(|k| k.release() < d.release())
                })
                .map(|d| d.to_string());
            // The kernel's own notices put a kfunc on the schedule too, at
            // the removal they state when the policy plans none.
            let upstream: Vec<_> = super::notices::notices(&k.facts, kernel_version)
                .into_iter()
                .filter(|n| n.kind != "legacy")
                .collect();
            let stated = super::notices::stated_removal(&k.facts);
            if stability == Stability::Deprecated
                || upcoming.is_some()
                || recorded.is_some()
                || !upstream.is_empty()
            {
                deprecated
                    .entry(removal.or(stated))
                    .or_default()
                    .push(Deprecated {
                        upstream_notices: upstream,
                        name: k.facts.name.clone(),
                        label: kfunc_label(&k.facts.name),
                        page: stem.clone(),
                        deprecated_in: p.deprecated_in.as_ref().map(|d| d.value.to_string()),
                        upcoming: upcoming.is_some(),
                        removed_in: recorded.map(|r| r.to_string()),
                        replacement: replacement.clone(),
                    });
            }
            let page = kfunc_page(
                k,
                &stem,
                &norm,
                KfuncExtras {
                    sets: &merged.sets,
                    kernel: kernel_version,
                    flag_version,
                    has_source,
                    options,
                    promise: promise(stability, &mut problems),
                    replacement,
                    upcoming,
                    since,
                    removal,
                    planned,
                    recorded: recorded.is_some(),
                },
                &mut problems,
            );
            pages.push(page);
        }
        let sub = first_sub.unwrap_or_default();
        groups.push(Group {
            name: name.clone(),
            label: format!("kfuncdoc-group-{stem}"),
            stem,
            maintainers: sub.maintainers,
            reviewers: sub.reviewers,
            lists: sub.lists,
            status: sub.status,
            norm,
            kfuncs: pages,
        });
    }

    let deprecations = deprecated
        .into_iter()
        .map(|(removal, mut kfuncs)| {
            kfuncs.sort_by(|a, b| a.name.cmp(&b.name));
            RemovalGroup {
                removal: removal.map(|v| v.to_string()),
                releases_left: removal
                    .and_then(|r| kernel_version.and_then(|k| k.releases_until(r))),
                kfuncs,
            }
        })
        // Planned removals in version order, then the unplanned ones.
        .fold(Vec::new(), |mut v: Vec<RemovalGroup>, g| {
            if g.removal.is_none() {
                v.push(g);
            } else {
                let at = v
                    .iter()
                    .position(|x| x.removal.is_none())
                    .unwrap_or(v.len());
                v.insert(at, g);
            }
            v
        });

    let removed: Vec<RemovedKfunc> = merged
        .orphans
        .iter()
        .filter(|e| {
            e.stability
                .as_ref()
                .is_some_and(|s| s.value == Stability::Removed)
                || e.removed_in.is_some()
        })
        .map(|e| RemovedKfunc {
            name: e.name.clone(),
            deprecated_in: e.deprecated_in.as_ref().map(|d| d.value.to_string()),
            removed_in: e.removed_in.as_ref().map(|d| d.value.to_string()),
            replacement: e.replacement.as_ref().map(|d| replacement_info(&d.value)),
            rationale: e
                .rationale
                .as_ref()
                .and_then(|r| convert(r, format, &mut problems)),
            links: e.links.iter().map(link_info).collect(),
        })
        .collect();

    // The kfuncs recorded as removed are no longer in the kernel, so not on
    // the pages, but the schedule lists them: count the same list here.
    *level_counts.entry(Stability::Removed).or_default() += removed.len();
    let levels = Stability::ALL
        .iter()
        .map(|&s| Level {
            name: s.to_string(),
            promise: promise(s, &mut problems),
            count: level_counts.get(&s).copied().unwrap_or(0),
        })
        .collect();
    let statement = policy
        .lifecycle
        .statement
        .as_ref()
        .and_then(|t| convert(t, format, &mut problems));

    let mut pages = vec![Page {
        kind: "index".into(),
        stem: "index".into(),
        title: options.title.clone(),
    }];
    pages.extend(groups.iter().map(|g| Page {
        kind: "group".into(),
        stem: g.stem.clone(),
        title: g.name.clone(),
    }));
    pages.push(Page {
        kind: "deprecations".into(),
        stem: "deprecations".into(),
        title: "Deprecation schedule".into(),
    });
    pages.push(Page {
        kind: "lifecycle".into(),
        stem: "lifecycle".into(),
        title: "Lifecycle policy".into(),
    });

    if !problems.is_empty() {
        problems.sort_by(|a, b| a.loc.cmp(&b.loc));
        problems.dedup();
        return Err(problems);
    }
    let summary = Summary {
        kfuncs: shown.len(),
        test_only_omitted: merged.kfuncs.len() - shown.len(),
        groups: groups.len(),
        deprecated: level_counts
            .get(&Stability::Deprecated)
            .copied()
            .unwrap_or(0),
        decided: shown.iter().filter(|k| k.policy.explicit).count(),
        not_built: shown
            .iter()
            .filter(|k| k.facts.built == Some(false))
            .count(),
    };
    Ok(Context {
        kfuncdoc: Tool {
            version: env!("CARGO_PKG_VERSION").into(),
        },
        options: options.clone(),
        kernel: Kernel {
            version: merged.kernel.version.clone(),
            release: kernel_version.map(|v| v.release().to_string()),
            inputs: merged.kernel.inputs.clone(),
            has_source,
            image: merged
                .kernel
                .inputs
                .iter()
                .find(|i| i.kind == "vmlinux" || i.kind == "bzimage")
                .and_then(|i| i.path.clone()),
            sources_from: merged
                .kernel
                .inputs
                .iter()
                .filter(|i| i.kind == "history")
                .filter_map(|i| i.release.as_deref())
                .flat_map(|r| r.split(", "))
                .map(str::to_string)
                .collect(),
        },
        policy: PolicyInfo {
            files: policy.files.clone(),
            statement,
            min_deprecation_releases: policy
                .lifecycle
                .min_deprecation_releases
                .as_ref()
                .map(|m| m.value),
            levels,
        },
        summary,
        pages,
        groups,
        deprecations,
        removed,
        changes: Vec::new(),
        history: None,
    })
}

/// The level most kfuncs of a group get without an entry, and from where.
fn group_norm(kfuncs: &[&MergedKfunc]) -> Norm {
    let mut counts: BTreeMap<(Stability, String), usize> = BTreeMap::new();
    let mut decided = 0;
    for k in kfuncs {
        if k.policy.explicit {
            decided += 1;
            continue;
        }
        let s = &k.policy.stability;
        *counts.entry((s.value, source_phrase(&s.from))).or_default() += 1;
    }
    let undecided: usize = counts.values().sum();
    // The most frequent; ties to the most dependable level, then by text.
    let best = counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
    match best {
        Some(((stability, source), n)) => Norm {
            stability: stability.to_string(),
            source,
            decided,
            exceptions: undecided - n,
        },
        None => Norm {
            stability: Stability::Unstable.to_string(),
            source: "the kernel's stated position".into(),
            decided,
            exceptions: 0,
        },
    }
}

/// kernel-doc comment text as plain text: its highlight prefixes dropped
/// (`@param` → `param`, `%CONST` → `CONST`, `&struct foo` → `struct foo`)
/// where they start a word, so that a page does not show them literally;
/// an address (`a@b`), `a & b` and `100%` stay.
fn kdoc_text(s: &str) -> String {
    let b = s.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = String::with_capacity(s.len());
    for (i, ch) in s.char_indices() {
        let prefix = matches!(ch, '@' | '%' | '&');
        let starts_word = i == 0 || !word(b[i - 1]) && b[i - 1] != b'&';
        let names = b
            .get(i + 1)
            .is_some_and(|&n| n.is_ascii_alphabetic() || n == b'_');
        if !(prefix && starts_word && names) {
            out.push(ch);
        }
    }
    out
}

/// `Jane Doe <jane@example.org>` → `Jane Doe`; an address alone stays.
fn person_name(entry: &str) -> String {
    match entry.split_once('<') {
        Some((name, _)) if !name.trim().is_empty() => name.trim().trim_matches('"').to_string(),
        _ => entry.trim().to_string(),
    }
}

/// Each set's flags for `k` with the program types registered for that set,
/// sorted by set name; empty when every set gives the same flags.
fn flags_by_set(k: &crate::model::Kfunc, sets: &[crate::model::KfuncSet]) -> Vec<SetFlags> {
    // By set and file: two files may each have a static set of one name.
    let mut by_set: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for e in &k.entries {
        let flags = by_set.entry((e.set.as_str(), e.file.as_str())).or_default();
        flags.extend(e.flags.iter().cloned());
        flags.sort();
        flags.dedup();
    }
    let mut distinct: Vec<&Vec<String>> = by_set.values().collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() < 2 {
        return Vec::new();
    }
    by_set
        .into_iter()
        .map(|((name, file), flags)| {
            let regs = sets
                .iter()
                .filter(|s| s.name == name && s.file == file)
                .flat_map(|s| s.registrations.iter());
            let mut prog_types: Vec<String> = Vec::new();
            let mut all_prog_types = false;
            // Types a filter refuses the kfunc to are not reached through
            // this set either.
            let refused = |t: &str| k.filters.iter().any(|x| x.excludes.iter().any(|e| e == t));
            for r in regs {
                if r.prog_type == "BPF_PROG_TYPE_UNSPEC" && r.hook.is_some() {
                    all_prog_types = true;
                } else if !refused(&r.prog_type) {
                    prog_types.push(short_prog_type(&r.prog_type));
                }
            }
            prog_types.sort();
            prog_types.dedup();
            // The union's order (`flags`), not alphabetical.
            let flags = k
                .flags
                .iter()
                .filter(|f| flags.contains(f))
                .cloned()
                .collect();
            SetFlags {
                set: name.to_string(),
                flags,
                prog_types,
                all_prog_types,
            }
        })
        .collect()
}

/// `Jane Doe and John Roe (maintainers, SECTION)`: the `M:` people of a
/// MAINTAINERS section, or its `R:` people when it has no `M:`; `None` when
/// it names nobody.
fn section_people(s: &crate::model::Subsystem) -> Option<String> {
    let (who, one, many) = if s.maintainers.is_empty() {
        (&s.reviewers, "reviewer", "reviewers")
    } else {
        (&s.maintainers, "maintainer", "maintainers")
    };
    let names: Vec<String> = who.iter().map(|m| person_name(m)).collect();
    let list = match names.as_slice() {
        [] => return None,
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    let role = crate::plural::pick(names.len() as u64, one, many);
    Some(format!("{list} ({role}, {})", s.name))
}

fn link_info(l: &crate::policy::model::Link) -> LinkInfo {
    LinkInfo {
        title: l.title.clone().unwrap_or_else(|| l.url.clone()),
        url: Some(l.url.clone()),
    }
}

struct KfuncExtras<'a> {
    sets: &'a [crate::model::KfuncSet],
    kernel: Option<KernelVersion>,
    flag_version: KernelVersion,
    has_source: bool,
    options: &'a Options,
    promise: String,
    replacement: Option<ReplacementInfo>,
    upcoming: Option<String>,
    since: Option<KernelVersion>,
    /// The recorded removal if any, else the planned one.
    removal: Option<KernelVersion>,
    planned: Option<KernelVersion>,
    recorded: bool,
}

fn kfunc_page(
    k: &MergedKfunc,
    stem: &str,
    norm: &Norm,
    x: KfuncExtras<'_>,
    problems: &mut Vec<Problem>,
) -> KfuncPage {
    let f = &k.facts;
    let p = &k.policy;
    let format = x.options.format;
    let (prototype, prototype_from) = match (&f.btf, &f.definition) {
        (Some(b), _) => (Some(b.prototype.clone()), Some("btf".to_string())),
        (None, Some(d)) => (
            // The prototype BPF programs call (KF_IMPLICIT_ARGS).
            Some(
                f.bpf_prototype
                    .clone()
                    .unwrap_or_else(|| d.prototype.clone()),
            ),
            Some("source".to_string()),
        ),
        (None, None) => (None, None),
    };
    let btf_flags = f.btf.as_ref().and_then(|b| b.flags.clone());
    let btf_flags_known = btf_flags.is_some();
    // Source facts: this kernel's, or a history release's (`source_from`).
    let sourced = x.has_source || f.source_from.is_some();
    let (flag_names, flags_unknown) = if sourced {
        (f.flags.clone(), false)
    } else {
        match btf_flags {
            Some(names) => (names, false),
            None => (Vec::new(), true),
        }
    };
    let flags = flag_names
        .iter()
        .map(|n| FlagInfo {
            name: n.clone(),
            short: n.strip_prefix("KF_").unwrap_or(n).to_string(),
            meaning: flags::meaning_for(n, x.flag_version).map(str::to_string),
        })
        .collect();
    let doc_params: BTreeMap<&str, &str> = f
        .doc
        .iter()
        .flat_map(|d| d.params.iter().map(|p| (p.name.as_str(), p.text.as_str())))
        .collect();
    let params = f
        .params
        .iter()
        .filter(|q| !q.implicit)
        .map(|q| ParamInfo {
            name: q.name.clone(),
            // A parameter declared as a function (`bool (less)(...)`) is a
            // pointer to one: show the type a reader would write.
            ty: q.ty.replacen("()(", "(*)(", 1),
            annotation: q.annotation.clone(),
            annotation_meaning: q
                .annotation
                .as_deref()
                .and_then(suffixes::meaning)
                .map(str::to_string),
            // Kernel-doc text: templates print it with the `kdoc` filter.
            doc: doc_params.get(q.name.as_str()).map(|t| t.to_string()),
        })
        .collect();
    // The verifier's arguments are named, not described: the kernel-doc
    // `@aux:` text is about the kernel's side.
    let implicit_params = f
        .params
        .iter()
        .filter(|q| q.implicit)
        .map(|q| ParamInfo {
            name: q.name.clone(),
            ty: q.ty.clone(),
            annotation: None,
            annotation_meaning: None,
            doc: None,
        })
        .collect();
    let kernel_doc = match (x.options.description, format, &f.doc, &f.definition) {
        // kernel-doc would show the kernel's prototype, implicit arguments
        // included: the text form shows the BPF-visible one.
        _ if f.bpf_prototype.is_some() => None,
        // scripts/kernel-doc finds a function by the name its comment
        // gives; a stale name gets the text form instead of a warning, and
        // so does a comment `make htmldocs` would warn about.
        // A path a directive argument cannot carry (a line break would
        // start markup of its own, issue 10) gets the text form too;
        // `check` reports it (`unsafe-path`).
        (Description::KernelDoc, Format::Rst, Some(_), Some(def))
            if crate::source::kdoc_rst::directive_is_clean(f)
                && super::safe::directive_path_ok(&def.file) =>
        {
            Some(KernelDocRef {
                file: def.file.clone(),
                identifier: f.name.clone(),
            })
        }
        _ => None,
    };
    // The summary is one line of plain text; the other texts keep their
    // kernel-doc form and line structure for the `kdoc` filter.
    let doc = f.doc.as_ref().map(|d| DocInfo {
        summary: d.summary.as_deref().map(kdoc_text),
        body: d.body.clone(),
        returns: d.returns.clone(),
        context: d.context.clone(),
        sections: d
            .sections
            .iter()
            .map(|s| NamedText {
                name: s.name.clone(),
                text: s.text.clone(),
            })
            .collect(),
        file: d.file.clone(),
        line: d.line,
    });
    let users: Vec<LinkInfo> = p
        .users
        .iter()
        .map(|u| LinkInfo {
            title: u.name.clone(),
            url: u.url.clone(),
        })
        .collect();
    let usage = UsageInfo {
        counted: f.usage.is_some(),
        selftests: f.usage.as_ref().map_or(0, |u| u.selftests),
        samples: f.usage.as_ref().map_or(0, |u| u.samples),
        users,
    };
    let alternative = p.replacement.as_ref().map(|r| match &r.value {
        Replacement::Kfunc(n) => format!("use {n}() instead"),
        Replacement::None(reason) => format!("none: {reason}"),
    });
    let mut page = KfuncPage {
        header_declaration: None,
        name: f.name.clone(),
        label: kfunc_label(&f.name),
        anchor: f.name.clone(),
        page: stem.to_string(),
        prototype_pretty: prototype.as_deref().map(pretty_prototype),
        prototype,
        prototype_from,
        stability: p.stability.value.to_string(),
        stability_from: source_name(&p.stability.from).to_string(),
        decided: p.explicit,
        promise: x.promise,
        since: x.since.map(|v| v.to_string()),
        since_from: None,
        since_url: None,
        history: None,
        prog_types_since: Vec::new(),
        deprecated_in: p.deprecated_in.as_ref().map(|d| d.value.to_string()),
        removal_planned: x.planned.map(|v| v.to_string()),
        removal_recorded: x.recorded,
        removed_in: p.removed_in.as_ref().map(|d| d.value.to_string()),
        releases_left: x
            .removal
            .and_then(|r| x.kernel.and_then(|k| k.releases_until(r))),
        upcoming_deprecation: x.upcoming,
        replacement: x.replacement,
        flags,
        flags_unknown,
        flags_by_set: if sourced {
            flags_by_set(f, x.sets)
        } else {
            Vec::new()
        },
        prog_types: f
            .prog_types
            .iter()
            .filter(|t| !f.filters.iter().any(|x| x.excludes.contains(t)))
            .map(|t| short_prog_type(t))
            .collect(),
        also_callable_from: if f.all_prog_types {
            Vec::new()
        } else {
            f.callable_from
                .iter()
                .filter(|t| !f.prog_types.contains(t))
                .map(|t| short_prog_type(t))
                .collect()
        },
        all_prog_types: f.all_prog_types,
        prog_types_unknown: !sourced,
        source_from: f.source_from.clone(),
        flags_own: f.source_from.is_some() && btf_flags_known,
        filtered: f
            .filters
            .iter()
            .any(|x| !x.conditions.is_empty() || !x.not_evaluated.is_empty()),
        filters: f.filters.iter().map(filter_note).collect(),
        params,
        implicit_params,
        doc,
        kernel_doc,
        rationale: convert_decided(&p.rationale, format, problems),
        notes: convert_decided(&p.notes, format, problems),
        owner: p
            .owner
            .as_ref()
            .map(|o| o.value.clone())
            .or_else(|| f.subsystem.as_ref().and_then(section_people)),
        factors: Factors {
            usage,
            age: AgeInfo {
                since: x.since.map(|v| v.to_string()),
                releases: x
                    .since
                    .and_then(|s| x.kernel.and_then(|k| s.releases_until(k))),
                since_from: None,
                releases_max: None,
                at_least: false,
            },
            alternative,
            norm: format!("{} by {}", norm.stability, norm.source),
            subsystem: f.subsystem.as_ref().map(|s| s.name.clone()),
            subsystem_line: f.subsystem.as_ref().map(|s| s.line).filter(|l| *l > 0),
            maintainers: f.subsystem.as_ref().map_or_else(Vec::new, |s| {
                let who = if s.maintainers.is_empty() {
                    &s.reviewers
                } else {
                    &s.maintainers
                };
                who.iter().map(|m| person_name(m)).collect()
            }),
            reviewers_only: f
                .subsystem
                .as_ref()
                .is_some_and(|s| s.maintainers.is_empty() && !s.reviewers.is_empty()),
            lists: f
                .subsystem
                .as_ref()
                .map_or_else(Vec::new, |s| s.lists.clone()),
        },
        links: p.links.iter().map(link_info).collect(),
        source: f.file.as_ref().map(|file| SourceInfo {
            file: file.clone(),
            line: f.line.unwrap_or(0),
            definition_file: f.definition.as_ref().map(|d| d.file.clone()),
            definition_line: f.definition.as_ref().map(|d| d.line),
        }),
        built: f.built,
        module: f.btf.as_ref().and_then(|b| b.module.clone()),
        test_only: f.test_only,
        conditions: f.conditions.clone(),
        sets: f.sets.clone(),
        upstream_notices: super::notices::notices(f, x.kernel),
        deprecated_upstream: f.upstream_notices.iter().any(|n| n.kind != "legacy"),
        example: super::notices::example(f, format),
        registrations: super::positions::registrations(f, x.sets),
    };
    page.header_declaration = super::header::page_declaration(&page);
    page
}

#[cfg(test)]
#[path = "context_tests.rs"]
mod tests;
