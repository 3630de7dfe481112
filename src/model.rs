//! The kfunc model: what the tool knows about each kfunc, and from where.
//!
//! A [`Catalog`] is the output of extraction and the input of everything
//! after it (merge with the policy, checks, diffs, rendering). Its JSON form
//! (`kfuncdoc extract --format json`) is a public contract that other tools
//! read: field names only ever get added. Every collection is sorted so that
//! the same inputs give byte-identical output.
//!
//! Provenance: each fact keeps the place it came from. A kfunc's `file` and
//! `line` are its first `BTF_ID_FLAGS` entry; `entries` has every entry with
//! its set, flags and conditions; the catalog's `sets` has every set with the
//! registrations that make it callable; `definition` and `doc` have their
//! own positions.

use crate::diag::Diagnostic;
use serde::{Deserialize, Serialize};

/// Everything extracted from one kernel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// The kernel the facts describe.
    pub kernel: KernelInfo,
    /// Every kfunc, sorted by name, each once.
    pub kfuncs: Vec<Kfunc>,
    /// Every kfunc set found, registered or not, sorted by file then line.
    #[serde(default)]
    pub sets: Vec<KfuncSet>,
    /// Findings made while extracting, sorted by place.
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
}

impl Catalog {
    /// The kfunc called `name`.
    pub fn get(&self, name: &str) -> Option<&Kfunc> {
        self.kfuncs
            .binary_search_by(|k| k.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.kfuncs[i])
    }
}

/// Which kernel a catalog describes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelInfo {
    /// The release, `VERSION.PATCHLEVEL.SUBLEVEL` plus `EXTRAVERSION` from
    /// the top-level Makefile (e.g. `6.12.117`), when known.
    pub version: Option<String>,
    /// Program types that can be sleepable in this kernel (from the tree's
    /// `can_be_sleepable()`, or kfuncdoc's table for its version), sorted.
    #[serde(default)]
    pub sleepable_prog_types: Vec<String>,
    /// The inputs the facts come from, in the order they were read.
    #[serde(default)]
    pub inputs: Vec<InputInfo>,
}

impl KernelInfo {
    /// Whether a source tree was read: the catalog then has every kfunc
    /// of every configuration, not one build's.
    pub fn has_source(&self) -> bool {
        self.inputs.iter().any(|i| i.kind == "source")
    }
}

/// One input of a catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputInfo {
    /// `source`, `raw-btf`, `vmlinux`, `bzimage` or `module`.
    pub kind: String,
    /// The file as given (none for a source tree: positions in the catalog
    /// are relative to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The kernel release the input states.
    pub release: Option<String>,
}

/// One kfunc.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kfunc {
    /// The function's name.
    pub name: String,
    /// Names of the registered sets that list it, sorted.
    pub sets: Vec<String>,
    /// File of its first `BTF_ID_FLAGS` entry (by path, then line).
    pub file: Option<String>,
    /// Line of that entry.
    pub line: Option<u32>,
    /// Decoded `KF_*` flag names, sorted: the union over all entries.
    pub flags: Vec<String>,
    /// The flags argument of the first entry as written (`""` when the entry
    /// has no flags argument).
    pub flags_expr: Option<String>,
    /// The numeric value of `flags` with this kernel's bits.
    #[serde(default)]
    pub flags_value: u32,
    /// `BPF_PROG_TYPE_*` of every registration of every set, sorted.
    pub prog_types: Vec<String>,
    /// Registered for `BPF_PROG_TYPE_UNSPEC`: callable from every program type.
    pub all_prog_types: bool,
    /// A set's `.filter` callback narrows availability at load time.
    pub filtered: bool,
    /// Exists only for the kernel's own tests.
    pub test_only: bool,
    /// Preprocessor conditions every entry of this kfunc sits under.
    pub conditions: Vec<String>,
    /// The C definition, when found.
    pub definition: Option<Definition>,
    /// Parameters from the definition.
    pub params: Vec<Param>,
    /// The prototype BPF programs call, when it is not the kernel's
    /// definition: a `KF_IMPLICIT_ARGS` kfunc without the parameters the
    /// verifier supplies (those marked `implicit` in `params`). From source,
    /// `definition.prototype` cut before the first implicit parameter, as
    /// `resolve_btfids` cuts the BTF; from a built kernel alone, the BTF
    /// FUNC's prototype. Absent for every other kfunc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bpf_prototype: Option<String>,
    /// The comment above the definition.
    pub doc: Option<Doc>,
    /// The MAINTAINERS section of `file`.
    pub subsystem: Option<Subsystem>,
    /// Every set entry for this kfunc: the provenance of `sets`, `flags`,
    /// `conditions` and `prog_types`.
    #[serde(default)]
    pub entries: Vec<SetEntry>,
    /// Whether the built kernel read with `--btf`/`--modules` has it
    /// (`false`: not built in that configuration); absent when no built
    /// kernel was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub built: Option<bool>,
    /// What the built kernel's BTF says about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub btf: Option<BtfFacts>,
    /// Program types that can call it once hook aliasing is applied
    /// (registering for TRACING also covers LSM, ...), sorted. Empty when
    /// `all_prog_types`.
    #[serde(default)]
    pub callable_from: Vec<String>,
    /// In-tree callers: the selftest and sample programs that call it
    /// (absent when no source tree was read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// The `.filter` callbacks that narrow `callable_from` for it: each
    /// program type they refuse is already left out of `callable_from`;
    /// conditions and program types they could not be evaluated for are
    /// listed here. Sorted by name; absent when no filter narrows it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<KfuncFilter>,
    /// What the kernel itself says about its future: deprecation comments,
    /// run-time deprecation warnings, and newer versions registered beside
    /// it (`foo___v2`, `foo` for a legacy `foo_impl`), sorted by position.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream_notices: Vec<UpstreamNotice>,
    /// The release of a history whose source gave this kfunc's source
    /// facts (sets, flags, program types, kernel-doc, subsystem): the
    /// kernel was read without its source. Absent when its own source was
    /// read, or no release matched its prototype.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_from: Option<String>,
}

/// A filter callback (`btf_kfunc_filter_t`) as it applies to one kfunc.
///
/// The kernel runs every filter registered for a hook on every kfunc
/// called through that hook; a filter returning non-zero hides the kfunc.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KfuncFilter {
    /// The callback's name.
    pub name: String,
    /// File of its definition (absent when not found).
    pub file: Option<String>,
    /// Line of its name in the definition.
    pub line: Option<u32>,
    /// The `struct btf_kfunc_id_set` objects carrying it, sorted.
    pub id_sets: Vec<String>,
    /// Evaluated for every program type concerned (`not_evaluated` empty).
    pub evaluated: bool,
    /// Program types it refuses the kfunc to, sorted.
    #[serde(default)]
    pub excludes: Vec<String>,
    /// Program types it admits only under a condition, sorted.
    #[serde(default)]
    pub conditions: Vec<FilterCondition>,
    /// Program types it could not be evaluated for, with the reason.
    #[serde(default)]
    pub not_evaluated: Vec<FilterUnevaluated>,
}

/// A program type a filter admits only under a condition.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FilterCondition {
    /// `BPF_PROG_TYPE_*`.
    pub prog_type: String,
    /// The condition in C, as the filter tests it
    /// (`prog->expected_attach_type == BPF_TRACE_ITER`).
    pub condition: String,
}

/// A program type for which a filter's verdict is not known.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FilterUnevaluated {
    /// `BPF_PROG_TYPE_*`, or `*` for a set registered for every program
    /// type.
    pub prog_type: String,
    /// What stopped the evaluation.
    pub reason: String,
}

/// A deprecation the kernel states for a kfunc, with where it says so.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UpstreamNotice {
    /// `comment` (a comment at the definition), `runtime-warning` (the
    /// function warns when called), `successor` (a newer version is
    /// registered beside it: `foo___v2` for `foo`) or `legacy` (it is the
    /// `_impl` form kept beside `foo` with `KF_IMPLICIT_ARGS`; the kernel
    /// states no deprecation of it).
    pub kind: String,
    /// The kernel's words (a comment paragraph or a message), or for a
    /// successor what the convention says.
    pub text: String,
    /// The removal release the text names (`6.23`), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal: Option<String>,
    /// kfuncs the text (or the convention) names as what to use, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replacements: Vec<String>,
    /// File of the statement.
    pub file: String,
    /// Its line.
    pub line: u32,
}

/// Who calls a kfunc inside the kernel tree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Files under `tools/testing/selftests` with a call.
    pub selftests: u32,
    /// Files under `samples` and `tools/sched_ext` with a call.
    pub samples: u32,
    /// Every calling file with its number of calls, sorted by path.
    pub files: Vec<UsageFile>,
    /// One real call, chosen by a fixed rule (see `source::usage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Example>,
}

/// A short excerpt of a program calling a kfunc.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// The program, relative to the tree.
    pub file: String,
    /// Line of the call.
    pub line: u32,
    /// The header wrapper the program calls, when the call goes through
    /// one (`scx_bpf_dsq_insert` of `compat.bpf.h` for
    /// `scx_bpf_dsq_insert___v2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Line of the excerpt's first line.
    pub first_line: u32,
    /// The lines around the call inside its function, common indentation
    /// removed, joined with `\n`.
    pub code: String,
}

/// One file calling a kfunc.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageFile {
    /// Path relative to the tree.
    pub file: String,
    /// Calls in it.
    pub calls: u32,
}

/// A kfunc as a built kernel's BTF has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BtfFacts {
    /// Its FUNC type id.
    pub id: u32,
    /// The C declaration, exactly as bpftool 7.5 prints the kfunc's
    /// extern (without `extern` and `__weak __ksym`).
    pub prototype: String,
    /// For a `KF_IMPLICIT_ARGS` kfunc, the prototype of the `<name>_impl`
    /// FUNC the verifier checks arguments against: the kernel's
    /// declaration, implicit parameters included (`prototype` is the
    /// BPF-visible one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impl_prototype: Option<String>,
    /// The module defining it; `None` for vmlinux.
    pub module: Option<String>,
    /// Has a `bpf_fastcall` decl tag.
    pub fastcall: bool,
    /// `KF_*` names from `.BTF_ids`; `None` when the input has no flags
    /// (raw BTF).
    pub flags: Option<Vec<String>>,
    /// Their numeric value.
    pub flags_value: Option<u32>,
    /// Set names from `.BTF_ids` symbols (empty for stripped images).
    pub sets: Vec<String>,
    /// How it was found: `decl_tag`, `btf_ids_symbols`,
    /// `btf_ids_structural:<confidence>`.
    pub found_by: Vec<String>,
    /// The input file that has it.
    pub file: String,
}

/// One `BTF_ID_FLAGS(func, name, flags)` line inside a registered set.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SetEntry {
    /// The set's name.
    pub set: String,
    /// File of the entry (and of the set).
    pub file: String,
    /// Line of the entry.
    pub line: u32,
    /// Decoded flags of this entry, sorted.
    pub flags: Vec<String>,
    /// The flags argument as written, `""` if absent.
    pub flags_expr: String,
    /// Numeric value of `flags`.
    pub flags_value: u32,
    /// Preprocessor conditions around the entry, outermost first.
    pub conditions: Vec<String>,
    /// The set is test code.
    pub test_only: bool,
}

/// A `BTF_KFUNCS_START`/`BTF_SET8_START` set and how it is registered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KfuncSet {
    /// The set's name.
    pub name: String,
    /// Which macro declared it: `BTF_KFUNCS` or `BTF_SET8`.
    pub kind: String,
    /// File declaring it.
    pub file: String,
    /// Line of the `_START` macro.
    pub line: u32,
    /// Number of `BTF_ID_FLAGS(func, ...)` entries.
    pub entries: u32,
    /// The functions its entries name, sorted.
    #[serde(default)]
    pub functions: Vec<String>,
    /// Registered with `register_btf_kfunc_id_set()` at least once.
    pub registered: bool,
    /// Passed to `register_btf_fmodret_id_set()` (an fmod_ret allow-list).
    pub fmodret: bool,
    /// The set lives in test code.
    pub test_only: bool,
    /// `struct btf_kfunc_id_set` objects pointing at it.
    pub id_sets: Vec<IdSet>,
    /// Each registration, sorted by file and line.
    pub registrations: Vec<Registration>,
    /// Lines of its file where code tests ids against it
    /// (`btf_id_set8_contains(&set, id)`), for a set that is not
    /// registered: a lookup table (a filter's), not a kfunc set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lookups: Vec<u32>,
}

/// A `struct btf_kfunc_id_set` initializer.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IdSet {
    /// Variable name.
    pub name: String,
    /// File and line of the initializer.
    pub file: String,
    /// Line of the initializer.
    pub line: u32,
    /// `.owner` as written (`THIS_MODULE`), if present.
    pub owner: Option<String>,
    /// `.filter` callback, if present.
    pub filter: Option<String>,
}

/// One resolved `register_btf_kfunc_id_set(prog_type, &kset)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Registration {
    /// `BPF_PROG_TYPE_*`.
    pub prog_type: String,
    /// The `struct btf_kfunc_id_set` registered.
    pub id_set: String,
    /// File of the call.
    pub file: String,
    /// Line of the call.
    pub line: u32,
    /// Preprocessor conditions around the call.
    pub conditions: Vec<String>,
    /// The kernel hook this program type maps to (`TRACING`, `COMMON`...),
    /// `None` when the kernel has no hook for it.
    pub hook: Option<String>,
    /// Call sites through which the arguments were resolved, innermost
    /// first, as `file:line` (empty for a direct call).
    pub via: Vec<String>,
}

/// Where and how a kfunc is defined.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    /// File of the definition.
    pub file: String,
    /// Line of the function's name.
    pub line: u32,
    /// `ret name(params)`, attributes and storage class removed.
    pub prototype: String,
    /// Return type as written.
    pub return_type: String,
    /// Declared `static`.
    pub is_static: bool,
    /// How it was recognised: `__bpf_kfunc`, `diag_region` (inside
    /// `__diag_push`/`__bpf_kfunc_start_defs`) or `none`.
    pub marker: String,
    /// What `scripts/kernel-doc` warns about in the file's comments (any
    /// of them, not only this kfunc's): a `.. kernel-doc::` directive on the
    /// file repeats every one in `make htmldocs`. Sorted by line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kernel_doc_warnings: Vec<KernelDocWarning>,
}

/// A warning `scripts/kernel-doc` gives for a comment of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KernelDocWarning {
    /// The comment's first line.
    pub line: u32,
    /// The warning, worded as kernel-doc words it.
    pub message: String,
    /// The function whose parameter is "not described", when the tree's
    /// kernel-doc (6.x's Perl script) prints that only for a directive
    /// naming the function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_if_named: Option<String>,
}

/// A parameter of a kfunc.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// The name as written, suffix included (`name__str`).
    pub name: String,
    /// The type as written, normalised spacing (`struct task_struct *`).
    #[serde(rename = "type")]
    pub ty: String,
    /// The verifier annotation the name's suffix carries (`__str`, `__sz`...),
    /// for this kernel version.
    pub annotation: Option<String>,
    /// Supplied by the verifier, not passed by BPF programs
    /// (`KF_IMPLICIT_ARGS`): the kernel's definition takes it, the
    /// BPF-visible prototype does not. Only trailing parameters are.
    #[serde(default, skip_serializing_if = "is_false")]
    pub implicit: bool,
}

fn is_false(b: &bool) -> bool {
    !b
}

/// The comment documenting a kfunc.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    /// The function a kernel-doc comment names (`name() - summary`); it
    /// differs from the kfunc's name when the comment is stale
    /// (`doc-name-mismatch`), and `scripts/kernel-doc` then cannot find it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The `name() - summary` line's summary.
    pub summary: Option<String>,
    /// `@param:` descriptions in order.
    pub params: Vec<DocParam>,
    /// `Return:`/`Returns:` section.
    pub returns: Option<String>,
    /// `Context:` section.
    pub context: Option<String>,
    /// Free description text, and for a plain comment the whole comment.
    pub body: Option<String>,
    /// Other named sections (`Note:`, `Example:`), in order.
    #[serde(default)]
    pub sections: Vec<DocSection>,
    /// A `/** */` kernel-doc comment (false: a plain `/* */` comment).
    pub kernel_doc: bool,
    /// File of the comment.
    pub file: String,
    /// First line of the comment.
    pub line: u32,
    /// What Sphinx reports when `scripts/kernel-doc`'s output for this
    /// comment is included in `make htmldocs` (reStructuredText errors in
    /// its text, a declaration Sphinx's C parser refuses), at the lines of
    /// the comment. Empty: it includes cleanly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sphinx_warnings: Vec<KernelDocWarning>,
}

/// One `@name: text` of a kernel-doc comment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocParam {
    /// Parameter name without `@`.
    pub name: String,
    /// Its description, lines joined.
    pub text: String,
}

/// A named section of a kernel-doc comment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocSection {
    /// The heading as written (`Note`).
    pub name: String,
    /// Its text.
    pub text: String,
}

/// A MAINTAINERS section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subsystem {
    /// The section title (`BPF [GENERAL] (Safe Dynamic Programs and Tools)`).
    pub name: String,
    /// `M:` entries.
    pub maintainers: Vec<String>,
    /// `R:` entries.
    #[serde(default)]
    pub reviewers: Vec<String>,
    /// `L:` entries.
    pub lists: Vec<String>,
    /// `S:` status.
    pub status: Option<String>,
    /// Line of the section title in MAINTAINERS.
    #[serde(default)]
    pub line: u32,
}
