//! The registry of finding codes: one enum, each code with its kebab-case
//! name, default level, one-line description and long explanation.
//!
//! `kfuncdoc explain CODE` and `kfuncdoc check --list` read this table, the
//! book's diagnostics page lists it, and a test fails when a code lacks an
//! explanation or a test case. Add a code here and nowhere else.

use super::Level;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! codes {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $name:literal, $level:ident, $desc:literal, $explain:literal;
    )*) => {
        /// A finding's code. Its kebab-case name is the stable identifier.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable kebab-case name.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The level used when no policy overrides it.
            pub fn default_level(self) -> Level {
                match self { $(Code::$variant => Level::$level,)* }
            }

            /// One line saying what the code reports.
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $desc,)* }
            }

            /// What the finding means, why it matters and what to do.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => $explain,)* }
            }
        }
    };
}

codes! {
    /// A `BTF_ID_FLAGS` flags expression names something that is not a `KF_*`
    /// flag of this kernel.
    UnknownFlag = "unknown-flag", Warn,
        "a flags expression uses a name that is not a KF_* flag of this kernel",
        "The third argument of BTF_ID_FLAGS() is decoded with the KF_* definitions of \
the tree's own include/linux/btf.h, because bit values and names change between \
kernel versions (KF_KPTR_GET disappeared after 6.3, KF_FASTCALL arrived in 6.13). \
A name that is neither a KF_* flag there nor a macro of the same file that expands \
to flags cannot be decoded: the kfunc is reported with the flags that could be \
decoded and this finding. Check the spelling, or whether the tree's btf.h is the \
one the code is built against.";

    /// One kfunc sits in several sets that give it different flags.
    SetFlagsDiffer = "set-flags-differ", Warn,
        "a kfunc is listed in several sets with different flags",
        "A kfunc may appear in more than one BTF_KFUNCS set (sched_ext and HID do \
this to register the same function for several program types). The verifier uses \
the flags of the set through which the program reached the kfunc, so different \
flags in different sets mean the kfunc behaves differently depending on the \
program type. Subsystems do this on purpose (HID's kfuncs are KF_SLEEPABLE in its \
struct_ops set and not in its syscall set), and a missing flag can also be an \
oversight: the finding names both entries so that a reader can tell. The catalog \
lists each set's flags under `entries` (the top-level `flags` are the union), and \
the pages show which flags hold for which set and program types.";

    /// A `register_btf_kfunc_id_set()` call whose arguments could not be
    /// resolved to program types and sets.
    UnresolvedRegistration = "unresolved-registration", Warn,
        "a kfunc set registration could not be resolved statically",
        "Program types come from the register_btf_kfunc_id_set(PROG_TYPE, &kset) \
calls of the tree. kfuncdoc follows literal BPF_PROG_TYPE_* arguments, `ret = ret ?: \
...` chains, object-like macros, arrays iterated in loops, local variables and \
helper functions whose parameters are passed through, across files. When an \
argument is computed in a way it cannot follow, it reports this finding instead \
of guessing, and the kfuncs of the affected set lack those program types. The \
message quotes the expression it could not resolve.";

    /// A kfunc set that no `register_btf_kfunc_id_set()` call registers.
    UnregisteredSet = "unregistered-set", Warn,
        "a BTF_KFUNCS/BTF_SET8 set with BTF_ID_FLAGS entries is never registered as a kfunc set",
        "Only sets that reach register_btf_kfunc_id_set() through a struct \
btf_kfunc_id_set are callable from BPF programs. A set declared with \
BTF_KFUNCS_START whose only use is register_btf_fmodret_id_set() is an fmod_ret \
allow-list and is silently left out; any other set that is declared but never \
registered is reported with this finding, because its entries look like kfuncs \
but are not callable.";

    /// An unregistered set that code tests ids against: a lookup table.
    LookupSet = "lookup-set", Allow,
        "a set that is never registered is used as a lookup table by code",
        "A set declared with BTF_KFUNCS_START or BTF_SET8_START that no \
register_btf_kfunc_id_set() call registers, but that code tests BTF ids \
against with btf_id_set8_contains(&set, id) (sched_ext's `.filter` callback \
does this in 7.x), is a lookup table: it groups kfuncs that are callable \
through other, registered sets, so that the code can tell them apart. \
kfuncdoc records those lines in the catalog (`sets[].lookups`) and reports \
the set with this finding instead of `unregistered-set`; the message says \
how many of its functions are kfuncs through registered sets. Allowed by \
default: nothing is wrong.";

    /// A registration for a program type the kernel's hook table rejects.
    UnsupportedProgType = "unsupported-prog-type", Warn,
        "a kfunc set is registered for a program type that has no kfunc hook in this kernel",
        "register_btf_kfunc_id_set() maps the program type to a hook with \
bpf_prog_type_to_kfunc_hook() in kernel/bpf/btf.c and fails with -EINVAL for \
program types without one (in 6.1 only XDP, SCHED_CLS, STRUCT_OPS, TRACING, LSM \
and SYSCALL had hooks). Such a registration has no effect; the program type is \
still listed so that the finding can be traced.";

    /// A kfunc whose C definition was not found in the tree.
    DefinitionNotFound = "definition-not-found", Warn,
        "no C definition was found for a kfunc",
        "kfuncdoc looks for each kfunc's definition everywhere in the tree: \
__bpf_kfunc functions, functions inside __diag_push / __bpf_kfunc_start_defs \
regions, static functions of the set's own file, and existing kernel functions \
with no marker at all. A function generated by a macro, or one whose name is \
spelled differently in the set, is not found; the kfunc is reported without a \
prototype, parameters and documentation.";

    /// Several non-static definitions share the kfunc's name.
    AmbiguousDefinition = "ambiguous-definition", Warn,
        "several definitions could be the kfunc's; the message says which was chosen",
        "A kfunc name resolves to one function at link time, but a source tree can \
hold several definitions of it under different configurations or architectures. \
kfuncdoc prefers, in order: a definition in the set's own file, one marked \
__bpf_kfunc, one outside tools/, one that is not __weak. When that still leaves \
several, it takes the first by path and reports the others here.";

    /// A kernel-doc comment above a kfunc documents another name.
    DocNameMismatch = "doc-name-mismatch", Warn,
        "the kernel-doc comment above a kfunc names a different function",
        "scripts/kernel-doc warns when the identifier in `name() - summary` is not \
the function that follows. The comment is still attached to the kfunc, but \
`make htmldocs` will not find it under the kfunc's name.";

    /// A comment `make htmldocs` warns about once a page includes it.
    KernelDocWarning = "kernel-doc-warning", Warn,
        "`make htmldocs` would warn about a comment that `--description kernel-doc` pages include",
        "A `.. kernel-doc::` directive makes scripts/kernel-doc parse the whole file, so \
every comment of a kfunc's file counts: a helper's comment whose name is not the \
function's (\"expecting prototype\"), a parameter without `@name:` or a description \
of one that does not exist, a `/**` comment that is not kernel-doc, or a nested \
`/**` that is not `@member:` prints a warning in the kernel's docs build, once per \
file (7.x) or once per directive (6.x). The kfunc's own comment counts as \
reStructuredText: code pasted into a paragraph (\"unexpected indentation\"), a list \
item continued less indented than its text, a `*` that opens emphasis and nothing \
closes, a `::` with no indented block, and a parameter declared as a function type \
(Sphinx's C parser refuses `bool (less)(...)`). kfuncdoc shows such kfuncs in text \
form, so its pages add no warning; fix the comment (or the declaration) at the \
source to let the directive include it. The kfunc's own name and parameter \
mismatches are reported as `doc-name-mismatch` and `doc-params-mismatch`.";

    /// `BTF_ID_FLAGS` outside any set.
    EntryOutsideSet = "entry-outside-set", Warn,
        "a BTF_ID_FLAGS() entry appears outside any BTF_KFUNCS/BTF_SET8 set",
        "BTF_ID_FLAGS() only has a meaning between BTF_KFUNCS_START() (or \
BTF_SET8_START()) and the matching _END(). An entry outside a set is ignored.";

    /// A set start without its end, or an end that names another set.
    UnterminatedSet = "unterminated-set", Warn,
        "a set is not closed, or is closed with another set's name",
        "Every BTF_KFUNCS_START(name) must be closed by BTF_KFUNCS_END(name) \
(BTF_SET8_START by BTF_SET8_END). The entries up to the point where the set \
ends, or up to the end of the file, are kept.";

    /// A source file could not be lexed to the end.
    UnterminatedComment = "unterminated-comment", Warn,
        "a comment or macro invocation runs to the end of the file",
        "A /* comment without */ or a macro call whose parentheses never close \
swallows the rest of the file. kfuncdoc keeps what it read before that point.";

    /// Preprocessor conditionals that do not balance.
    UnbalancedConditional = "unbalanced-conditional", Warn,
        "#if/#ifdef/#else/#endif do not balance in a file",
        "kfuncdoc records the #if conditions around each set entry and \
registration. An #endif or #else with no open #if, or an #if still open at the \
end of a file, makes those conditions unreliable for the rest of the file.";

    /// A file could not be read.
    UnreadableFile = "unreadable-file", Warn,
        "a file or directory in the tree could not be read",
        "A permission problem or an I/O error kept kfuncdoc from reading a file or \
directory. Its kfuncs, if it has any, are missing from the catalog.";

    /// A parsed file is not valid UTF-8.
    NonUtf8 = "non-utf8", Warn,
        "a source file that defines kfunc facts contains bytes that are not UTF-8",
        "Kernel sources are UTF-8. kfuncdoc reads the file anyway, replacing the \
offending bytes with U+FFFD in any text it reports (documentation, prototypes).";

    /// A relevant file too large to parse.
    FileTooLarge = "file-too-large", Warn,
        "a file that mentions kfunc macros is too large to parse",
        "Files above the parse limit (64 MiB) are searched for kfunc markers but not \
parsed, which bounds memory. No real kernel source file comes near the limit.";

    /// A symbolic link that loops, dangles or leaves the tree.
    BadSymlink = "bad-symlink", Warn,
        "a symbolic link in the tree loops, dangles or points outside the tree",
        "kfuncdoc does not follow symbolic links: a link inside the tree points at \
a file that is scanned at its real place. A link whose target cannot be resolved \
(a loop, a missing target) or lies outside the tree is reported, because \
whatever it should have shown is not scanned.";

    /// A macro inside a set that could not be expanded.
    UnexpandedMacro = "unexpanded-macro", Warn,
        "a macro used inside a kfunc set could not be expanded to entries",
        "Some sets are filled by X-macros (6.12's xdp_metadata_kfunc_ids uses \
XDP_METADATA_KFUNC_xxx from include/net/xdp.h). kfuncdoc expands a macro used \
inside a set with the definitions of the file at that point and of the tree's \
headers. When no definition is found, or several disagree, or the expansion \
yields no BTF_ID_FLAGS(func, ...) entry, the kfuncs it would have produced are \
missing and this finding names the macro.";

    /// A registration names a `btf_kfunc_id_set` that does not exist.
    UnknownKset = "unknown-kset", Warn,
        "a registration names a struct btf_kfunc_id_set that was not found, or one without .set",
        "register_btf_kfunc_id_set() takes a struct btf_kfunc_id_set whose .set \
points at a BTF_KFUNCS set. When the struct or its .set cannot be found, the \
registration contributes nothing.";

    /// A set lists the same kfunc twice.
    DuplicateEntry = "duplicate-entry", Warn,
        "a set lists the same kfunc more than once",
        "resolve_btfids sorts the set by BTF id; a second entry for the same \
function is redundant and, with different flags, ambiguous.";

    /// A `__bpf_kfunc` function that no registered set lists.
    UnlistedKfunc = "unlisted-kfunc", Allow,
        "a function marked __bpf_kfunc is in no registered kfunc set",
        "__bpf_kfunc only keeps a function from being inlined or dropped; it is \
callable from BPF only when a registered set lists it. A marked function in no \
set is either an fmod_ret target, a struct_ops stub, or a kfunc someone forgot \
to register. Allowed by default because the first two are common.";

    /// The tree has no usable `KF_*` definitions.
    FlagTableMissing = "flag-table-missing", Warn,
        "include/linux/btf.h has no KF_* definitions; a built-in table was used",
        "Flags are decoded with the tree's own KF_* bits. When the header cannot \
be read, kfuncdoc falls back to its built-in per-version table, which is right for \
released kernels but cannot know about flags added later.";

    /// The tree's program type to hook table could not be read.
    HookTableMissing = "hook-table-missing", Warn,
        "bpf_prog_type_to_kfunc_hook() was not found in kernel/bpf/btf.c; a built-in table was used",
        "Which program types a registration really covers comes from the tree's \
bpf_prog_type_to_kfunc_hook(). When it cannot be read, the built-in per-version \
table is used.";

    /// MAINTAINERS problems.
    MaintainersProblem = "maintainers-problem", Warn,
        "MAINTAINERS is missing or has an entry kfuncdoc cannot use",
        "Subsystems come from the tree's MAINTAINERS file, matched the way \
scripts/get_maintainer.pl does. A missing file leaves every kfunc without a \
subsystem; an N: regex that does not compile is skipped.";

    /// A module that could not be read among many.
    UnreadableModule = "unreadable-module", Warn,
        "a kernel module given with --modules could not be read",
        "kfuncdoc reads every module of a --modules directory on the vmlinux base. A \
module that is not a valid ELF, whose compression is corrupt, or whose split BTF \
does not fit the base (built for another kernel) is reported with the byte offset \
and type id where known, and the walk goes on; its kfuncs are missing.";

    /// What was read for the running kernel when no input was given.
    RunningImage = "running-image", Info,
        "which files of the running kernel were read, or that its image was not found",
        "With no input, kfuncdoc reads the running kernel: /sys/kernel/btf/vmlinux has \
every kfunc's prototype but no .BTF_ids, so no flags and no sets. It therefore looks \
for the kernel's own image where distributions install it for the release `uname -r` \
names: a vmlinux with symbols from a debug package (/usr/lib/debug/boot/vmlinux-R, \
/usr/lib/debug/lib/modules/R/vmlinux, /boot/vmlinux-R), then the boot image \
(/boot/vmlinuz-R, /lib/modules/R/vmlinuz, /usr/lib/modules/R/vmlinuz), and for its \
modules under /lib/modules/R (kernel/, updates/, extra/). This finding says which image \
was read, or where it was looked for. Without an image, flags come from a source \
release of kfuncdoc's history whose prototype matches (the pages say which), or are \
unknown. Install the kernel's debug package or give --btf IMAGE to read another file; \
KFUNCDOC_SYSROOT=DIR looks under DIR instead of /.";

    /// The running kernel's image was found but not used.
    RunningImageUnusable = "running-image-unusable", Warn,
        "an image of the running kernel was found but cannot be read or is another build",
        "The image found for the running kernel (see `running-image`) is used only when \
it can be read, states the running release, and gives every kfunc of \
/sys/kernel/btf/vmlinux the same prototype: flags of another build must not be shown \
as this kernel's. Boot images are often readable by root only (mode 0600 on Ubuntu): \
run as root, or copy the image and give --btf. An image of another build with the same \
release (a rebuilt kernel not reinstalled) is refused; install the matching one.";

    /// Oddities in `.BTF_ids`.
    BtfIdsAnomaly = "btf-ids-anomaly", Warn,
        "a .BTF_ids set is not laid out as resolve_btfids writes it",
        "A set8's symbol size, its entry count and the BTF ids in it should agree: \
resolve_btfids writes the count and sorts the entries by id. A disagreement means \
the image was built by another tool or damaged; the entries that could be read \
are kept.";

    /// A structurally recovered set that may not be a kfunc set.
    UncertainSet = "uncertain-set", Warn,
        "a kfunc set recovered from a stripped image is not certain to be one",
        "Stripped vmlinux images (Debian, Ubuntu, Fedora ship them) have no symbols \
naming the kfunc sets in .BTF_ids, so kfuncdoc recovers them from their layout: a \
count, header flags, then {id, flags} pairs sorted by id that name functions. On \
6.9 and later the BTF_SET8_KFUNCS header bit makes this certain; without it (older \
kernels), a set with a single entry or without the bit could be another kind of \
list. Cross-check with --source, or read a vmlinux with symbols.";

    /// The source tree and the built kernel are different releases.
    VersionMismatch = "version-mismatch", Warn,
        "the source tree and the built kernel are different releases",
        "Facts from a source tree and a built kernel are only comparable when they \
are the same release. With different releases, kfuncs that differ between them \
show up as not built or as missing from the source, and flags may disagree.";

    /// Flags in the source and in the built kernel disagree.
    BtfFlagsDiffer = "btf-flags-differ", Warn,
        "the flags of a kfunc in the source differ from those of the built kernel",
        "The built kernel's .BTF_ids holds the flags the verifier uses. When they \
differ from the source's BTF_ID_FLAGS entries, the image was built from another \
tree or configuration (flags chosen under #ifdef), or a distribution patched the \
kfunc. The built kernel is what programs run against.";

    /// A kfunc in the built kernel that the source does not have.
    BtfOnlyKfunc = "btf-only-kfunc", Warn,
        "the built kernel has a kfunc that the source tree does not",
        "Every kfunc of a built kernel comes from a BTF_ID_FLAGS entry of its source. \
One missing from the source tree given means the image was built from another \
tree (a newer release, out-of-tree modules, distribution patches), or that the \
source scan could not see the entry (a finding says why).";

    /// A policy entry for a kfunc that the catalog does not have.
    UnknownKfunc = "unknown-kfunc", Deny,
        "the policy has an entry for a kfunc the kernel does not have",
        "Every entry under `kfuncs:` must name a kfunc of the kernel being checked, \
unless the entry says the kfunc is `removed` (or gives a `removed_in` no later \
than that kernel): policies keep the history of removed kfuncs. Anything else is \
usually a typo, or a kfunc that disappeared without the policy noticing. Fix the \
name, or record the removal with `stability: removed` and `removed_in`.";

    /// A kfunc with no explicit stability decision.
    MissingDecision = "missing-decision", Allow,
        "a kfunc has no policy entry that states its stability",
        "Rules and defaults give every kfunc a stability, but only an entry under \
`kfuncs:` with `stability:` records that somebody decided. Allowed by default, \
because the kernel's own position is that kfuncs are unstable; a project that \
wants every kfunc reviewed sets this lint to `deny`, and `kfuncdoc policy sync` \
adds an empty entry for each undecided kfunc.";

    /// Deprecated without saying what to use instead.
    DeprecatedWithoutReplacement = "deprecated-without-replacement", Deny,
        "a deprecated kfunc has neither a replacement nor a reason for having none",
        "Documentation/bpf/kfuncs.rst asks that a deprecation document the \
recommended replacement, or why there is none. Set `replacement:` to the kfunc to \
use, or to `none: <reason>`.";

    /// Deprecated without a planned removal release.
    DeprecatedWithoutPlan = "deprecated-without-plan", Warn,
        "a deprecated kfunc has no planned removal release",
        "kfuncs.rst asks that a deprecation document the expected remaining lifespan. \
Without `removal_planned`, the rendered pages cannot say how many releases are \
left. Set it, even if the plan may change.";

    /// The deprecation window is shorter than the policy promises.
    RemovalTooSoon = "removal-too-soon", Deny,
        "a removal is planned (or happened) sooner after the deprecation than the policy allows",
        "`lifecycle.min_deprecation_releases` is the project's promise of how many \
releases a deprecated kfunc stays. A `removal_planned` or `removed_in` fewer \
releases after `deprecated_in` breaks it. Releases are counted along mainline \
(6.18, 6.19, 7.0, ...), so a window can cross a major version.";

    /// The replacement cannot be used.
    BadReplacement = "bad-replacement", Deny,
        "a replacement names an unknown, deprecated or removed kfunc, or the kfunc itself",
        "Users follow `replacement:` when they migrate. It must name a kfunc that the \
kernel has or that the policy describes, and that is not itself deprecated or \
removed (point at the final replacement instead of a chain).";

    /// Versions that contradict each other or the kernel.
    InconsistentVersions = "inconsistent-versions", Deny,
        "the versions of a policy entry contradict each other or the kernel being checked",
        "A kfunc cannot be deprecated before it appears (`since` after \
`deprecated_in`), be removed before it is deprecated, be planned for removal \
without a deprecation, be `removed` without `removed_in` (or the reverse), or \
appear after the kernel that has it (`since` later than the checked kernel).";

    /// Stable on a test-only kfunc.
    StableTestOnly = "stable-test-only", Deny,
        "a kfunc that exists only for the kernel's tests is declared stable",
        "kfuncs defined or registered only by the kernel's test code (bpf_testmod, \
net/bpf/test_run.c) exist for the BPF selftests; promising stability for them \
tells program authors to rely on test scaffolding.";

    /// Stable without kernel-doc.
    StableWithoutDoc = "stable-without-doc", Warn,
        "a stable kfunc has no kernel-doc comment",
        "A stability promise is only as good as the description of what is promised. \
kfuncs.rst expects kfuncs to be documented with kernel-doc (`/** name() - ... */` \
above the definition), which `make htmldocs` and kfuncdoc's pages show.";

    /// kernel-doc parameters that do not match the definition.
    DocParamsMismatch = "doc-params-mismatch", Warn,
        "a kfunc's kernel-doc @parameters do not match the parameters of its definition",
        "scripts/kernel-doc warns about described parameters that do not exist \
(\"excess function parameter\") and parameters with no description. The message \
names both lists; usually a parameter was renamed (for example to add a `__sz` \
or `__str` suffix) and the comment was not.";

    /// A sleepable kfunc that no sleepable program can call.
    SleepableUnreachable = "sleepable-unreachable", Warn,
        "a KF_SLEEPABLE kfunc is registered only for program types that can never sleep",
        "The verifier only lets sleepable programs call KF_SLEEPABLE kfuncs, and only \
some program types can be sleepable (6.12: tracing fentry/fexit/fmod_ret/iter, \
LSM, uprobes, struct_ops and syscall programs). A sleepable kfunc registered only \
for other types (XDP, TC, ...) cannot be called at all; docs.ebpf.io listed such \
kfuncs for program types that could never use them until it learnt this rule.";

    /// Removed according to the policy but still in the kernel.
    RemovedStillPresent = "removed-still-present", Deny,
        "a kfunc the policy calls removed is still in the kernel",
        "`stability: removed` (or a `removed_in` no later than the checked kernel) \
says the kfunc is gone, but the kernel being checked still registers it. Either \
the removal has not landed in this kernel yet, or the entry is wrong.";

    /// The planned removal release has come and gone.
    RemovalOverdue = "removal-overdue", Warn,
        "a kfunc is still present in or after the release its removal was planned for",
        "`removal_planned` is no later than the kernel being checked, yet the kfunc is \
still there. Update the plan so that the pages do not promise a removal that did \
not happen, or mark the kfunc removed in the release that removes it.";

    /// Two equally specific rules disagree.
    RuleConflict = "rule-conflict", Deny,
        "two equally specific rules give a kfunc different values",
        "When several rules match a kfunc, the most specific one wins: the one with \
more match criteria, then the one with more literal characters in its patterns. \
Two rules that tie and assign different values leave the result to file order, \
which nobody reading the policy can see; make one rule more specific or merge \
them. An entry under `kfuncs:` always wins over rules.";

    /// A rule that matches nothing.
    RuleMatchesNothing = "rule-matches-nothing", Warn,
        "a policy rule matches no kfunc of the kernel",
        "A rule whose patterns match no kfunc is dead: usually a typo, or kfuncs that \
moved or were renamed. Rules meant for other kernels can be allowed with this lint \
set to `allow`.";

    /// Deprecated without saying so in the kernel-doc.
    DeprecationUndocumented = "deprecation-undocumented", Warn,
        "a kfunc deprecated in this kernel does not say so in its kernel-doc",
        "kfuncs.rst: once a kfunc is deprecated, its kernel-doc is updated with the \
remaining lifespan and the replacement. This finding fires when the policy's \
`deprecated_in` is no later than the checked kernel and the kfunc's comment does \
not contain the word \"deprecated\".";

    /// No `since`.
    MissingSince = "missing-since", Allow,
        "a policy entry does not say in which release the kfunc appeared",
        "`since` gives the age the lifecycle text weighs (how long a kfunc has been \
in the kernel). Allowed by default; set to `warn` to fill the policy in.";

    /// The kernel states a deprecation the policy does not record.
    UpstreamNoticeUnrecorded = "upstream-notice-unrecorded", Warn,
        "the kernel states a deprecation or a newer version that the policy does not record",
        "kfuncdoc reads what the kernel says in words about a kfunc's future: a comment \
at its definition naming a removal release or what to use (`COMPAT: Will be removed \
in v6.23`), a run-time warning that it is deprecated, or a newer version registered \
beside it (`foo___v2`; `foo` with `KF_IMPLICIT_ARGS` beside a legacy `foo_impl`). \
The policy records such a notice when the kfunc's entry deprecates it (or removes \
it), or names the kernel's replacement; when the kernel names a removal release, \
the entry's `removal_planned` (or `removed_in`) should say the same. The finding is \
at the policy entry, or at the kernel's statement when there is no entry.";

    /// The removal release the kernel states has passed.
    UpstreamRemovalOverdue = "upstream-removal-overdue", Warn,
        "the kernel says a kfunc will be removed in a release that the checked kernel has reached",
        "A comment at the kfunc's definition names the release it will be removed in, \
and the checked kernel is that release or later, yet the kfunc is still there. \
Releases compare in version order, so a release the 6.x series never reached \
(`v6.23`: 6.19 was followed by 7.0) is past in every 7.x kernel. The finding is at \
the comment, for the kernel's maintainers: the comment promises something that did \
not happen. When the policy plans the removal for the same release, \
`removal-overdue` reports it once, at the policy entry, naming the comment.";

    /// A link in the policy's Markdown that the pages show as text only.
    UnsafeLink = "unsafe-link", Warn,
        "a link in the policy's Markdown is not http(s) and is shown as text only",
        "The pages are published, and their sites (Sphinx, mdBook, MkDocs) turn a \
link into an `href` that runs when clicked: `javascript:`, `data:` and `vbscript:` \
URLs run script in the reader's browser (issue 10). So the policy's Markdown \
(lifecycle statement, promises, rationales, notes) keeps only http(s) links \
(an e-mail address stays as text); any other destination (any scheme, in any case, with entity or whitespace \
tricks, in an inline link, an autolink or a reference definition, and relative \
links, which depend on where the pages are published) is written as its text \
alone. Use a full https:// URL, or drop the link.";

    /// A kfunc's file path that cannot be written into a directive.
    UnsafePath = "unsafe-path", Warn,
        "a kfunc's file path cannot be written into a kernel-doc directive",
        "With `--description kernel-doc`, the RST pages describe a kfunc with a \
`.. kernel-doc:: FILE` directive. A directive argument is raw text up to the end of \
the line, so a path holding a line break would end it and start markup of the \
path's choosing (a `.. raw:: html` block with script, issue 10); spaces, control, \
non-ASCII characters, backslashes and backquotes have no place in a kernel path \
either. Such a kfunc gets the text form of its description instead, and this \
finding names the file: rename it.";
    // `kfuncdoc diff`: what changed between two kernels. Each change has
    // both positions in its message; the finding is at the new kernel's
    // position (the old one's for a removal).

    /// A kfunc the new kernel has and the old did not.
    KfuncAdded = "kfunc-added", Info,
        "a kfunc is new in the newer kernel",
        "The newer kernel registers a kfunc the older one did not have (and it is not \
the new name of a renamed kfunc, which `kfunc-renamed` reports).";

    /// A kfunc the old kernel had and the new does not.
    KfuncRemoved = "kfunc-removed", Warn,
        "a kfunc of the older kernel is gone from the newer one",
        "Programs calling it no longer load. Whether that broke a promise depends on the \
policy: `stable-kfunc-removed`, `removed-before-planned`, `removed-too-soon` and \
`removed-without-deprecation` judge it. A kfunc absent from a built kernel only \
because its configuration is off there is `kfunc-not-built`, never a removal.";

    /// Removed under one name, added under another.
    KfuncRenamed = "kfunc-renamed", Info,
        "a kfunc was renamed",
        "The old name is gone and a new one does the same job. The evidence is named in \
the message: the policy's `replacement` for the old name, or the same BPF-visible \
prototype registered in the same set under a new name. Programs must use the new \
name (or a compat wrapper that picks whichever the kernel has).";

    /// Moved between vmlinux and a module, between files or sets.
    KfuncMoved = "kfunc-moved", Info,
        "a kfunc moved between files, sets, or vmlinux and a module",
        "Nothing changes for a program that calls it, except that a kfunc that moved \
into a module is only callable once the module is loaded (and is found in the \
module's BTF, not vmlinux's).";

    /// Only absent because it is not built.
    KfuncNotBuilt = "kfunc-not-built", Info,
        "a kfunc is in the source but not in the built kernel compared",
        "The source registers it, but the built kernel read with it does not have it: its \
configuration is off there (`built: false`). That is not a removal: another \
configuration of the same release has it.";

    /// The return type changed.
    ReturnTypeChanged = "return-type-changed", Warn,
        "a kfunc's return type changed",
        "The type a program receives is different: its use of the result may no longer \
verify. Compared on the prototype a BPF program sees.";

    /// A parameter was added.
    ParamAdded = "param-added", Warn,
        "a kfunc takes a parameter it did not take before",
        "Calls written for the old prototype pass too few arguments and fail to load. \
Parameters the verifier supplies (`KF_IMPLICIT_ARGS`) are not counted: a program \
does not pass them.";

    /// A parameter was removed.
    ParamRemoved = "param-removed", Warn,
        "a kfunc no longer takes a parameter",
        "Calls written for the old prototype pass too many arguments and fail to load; \
what the argument did is gone or now decided by the kernel.";

    /// A parameter's type changed.
    ParamTypeChanged = "param-type-changed", Warn,
        "a kfunc parameter's type changed",
        "What a program passes in that position must now have another type; the verifier \
compares BTF types of kernel objects exactly.";

    /// Parameters swapped places.
    ParamsReordered = "params-reordered", Warn,
        "a kfunc's parameters changed order",
        "The same parameters in another order: every call written for the older kernel \
passes them in the wrong places.";

    /// A parameter was renamed.
    ParamRenamed = "param-renamed", Info,
        "a kfunc parameter was renamed",
        "The name changed, its type and annotation did not. C callers do not see \
parameter names; only tools reading BTF names do.";

    /// A verifier annotation suffix came or went.
    ParamAnnotationChanged = "param-annotation-changed", Warn,
        "a kfunc parameter gained or lost a verifier annotation",
        "The verifier reads suffixes of parameter names (`__sz`, `__k`, `__nullable`, \
`__str`, `__map`, `__opt`, `__ign`, `__uninit`...; each kernel's own table). Gaining \
`__nullable`, `__opt` or `__ign` accepts more programs (relaxing); losing them, or \
gaining any other, can reject a program that loaded before (breaking).";

    /// A flag came or went.
    FlagChanged = "flag-changed", Warn,
        "a kfunc gained or lost a KF_* flag",
        "Each flag is judged by what it does to a program that already calls the kfunc: \
gaining `KF_ACQUIRE`, `KF_RET_NULL`, `KF_SLEEPABLE`, `KF_DESTRUCTIVE`, \
`KF_RCU_PROTECTED` or `KF_TRUSTED_ARGS` can reject it (breaking); losing `KF_RET_NULL` \
or `KF_TRUSTED_ARGS` cannot (relaxing); `KF_FASTCALL` changes nothing a program \
writes. The table is `kernel::flags::CHANGE_EFFECTS`. Flags that stop existing \
because their requirement became the default are `flag-became-default`.";

    /// A flag's requirement became the default for every kfunc.
    FlagBecameDefault = "flag-became-default", Info,
        "a flag was retired because its requirement applies to every kfunc",
        "Reported once for the whole kernel, not once per kfunc that loses the flag: in \
7.0 `KF_TRUSTED_ARGS` left `btf.h` because every kfunc now requires trusted \
arguments. The kfuncs that did not require them before (no `KF_TRUSTED_ARGS`, no \
`KF_RCU`) and take a pointer to a kernel object get a breaking `flag-changed` \
finding each; the others change nothing.";

    /// A program type gained or lost.
    ProgTypesChanged = "prog-types-changed", Warn,
        "the program types that may call a kfunc changed",
        "Compared after hook aliasing (registering for TRACING covers LSM...) and after \
the filters kfuncdoc could evaluate. A lost type rejects programs of that type \
(breaking); a gained one is relaxing.";

    /// A filter came or went.
    FilterChanged = "filter-changed", Info,
        "a filter callback narrowing a kfunc was added or removed",
        "A `.filter` callback decides at load time which programs may call the kfuncs of \
a set. A new filter can reject programs its program types accepted before.";

    /// Test-only status changed.
    TestOnlyChanged = "test-only-changed", Info,
        "a kfunc became test-only, or stopped being test-only",
        "Test-only kfuncs (bpf_testmod, the BPF_PROG_RUN test kfuncs) exist for the \
kernel's own tests; programs should not rely on them.";

    /// `#if` conditions changed.
    ConditionsChanged = "conditions-changed", Info,
        "the configuration a kfunc depends on changed",
        "The preprocessor conditions around its set entries differ: kernels built with \
some configurations may have it where they did not, or the reverse.";

    /// The kernel started saying the kfunc is going away.
    DeprecationNoticed = "deprecation-noticed", Info,
        "the newer kernel says a kfunc is deprecated or will be removed",
        "A comment or run-time warning at the kfunc's definition in the newer kernel \
announces its deprecation, removal release or replacement (see \
`upstream-notice-unrecorded` for how kfuncdoc reads them).";

    /// The kernel-doc summary changed.
    SummaryChanged = "summary-changed", Info,
        "a kfunc's kernel-doc summary line changed",
        "The one-line description in the kernel-doc comment changed; what the kfunc \
does may have changed with it, so read the new comment.";

    /// Policy: a stable kfunc was removed.
    StableKfuncRemoved = "stable-kfunc-removed", Deny,
        "a kfunc the policy calls stable was removed",
        "The policy promised that this kfunc stays. Either the removal is a mistake, or \
the policy must first deprecate it and let `min_deprecation_releases` pass.";

    /// Policy: removed before the release the policy plans.
    RemovedBeforePlanned = "removed-before-planned", Deny,
        "a kfunc was removed before the release the policy planned",
        "The policy's `removal_planned` is later than the newer kernel: programs were \
promised the kfunc until then.";

    /// Policy: removed sooner after deprecation than the policy allows.
    RemovedTooSoon = "removed-too-soon", Deny,
        "a kfunc was removed sooner after its deprecation than the policy allows",
        "The policy's `lifecycle.min_deprecation_releases` says how many releases a \
deprecated kfunc stays. The newer kernel is fewer releases after `deprecated_in`.";

    /// Policy: a breaking change to a stable kfunc.
    StableKfuncBroken = "stable-kfunc-broken", Deny,
        "a kfunc the policy calls stable changed in a way that breaks callers",
        "A breaking prototype, flag or program type change to a stable kfunc: programs \
that loaded on the older kernel may not load on the newer one.";

    /// Policy: removed or broken without a deprecation first.
    ChangedWithoutDeprecation = "changed-without-deprecation", Warn,
        "a kfunc was removed or broken without being deprecated first",
        "The kernel's lifecycle text (kfuncs.rst, \"kfunc lifecycle expectations\") says \
a kfunc is deprecated before it changes or goes away, so that its users can move. \
The policy records no `deprecated_in` (or `deprecated` stability) for it in the older \
kernel.";

    /// Policy and diff disagree about a removal or rename.
    RemovalUnrecorded = "removal-unrecorded", Warn,
        "the diff and the policy disagree about a removal or rename",
        "Either the diff sees a kfunc removed (or renamed) that the policy does not mark \
removed (`removed_in` or `stability: removed`), or the policy says the kfunc was \
removed in a release between the two kernels but the newer kernel still has it. \
Keep the policy's record of what happened true.";

    /// Policy `since` and diff disagree.
    SinceDisagrees = "since-disagrees", Warn,
        "the diff and the policy disagree about when a kfunc arrived",
        "Judged as of each kernel: a kfunc the newer kernel adds (or the new name \
of a rename) must have its `since` after the older kernel and no later than the \
newer one; a kfunc both kernels have must have arrived no later than the older \
one. When the older kernel is a built kernel, a kfunc it lacks may only be \
configured out, so only a source tree counts as proof that it was absent.";

    /// Policy `since`/`removed_in` against a history.
    PolicyContradictsHistory = "policy-contradicts-history", Deny,
        "the policy's `since` or `removed_in` contradicts the releases of a history",
        "`check --history FILE` (and `build` with `history:`) holds each policy entry to \
the releases the history has read: a kfunc present in a release cannot have a `since` \
after it nor a `removed_in` at or before it; a kfunc absent from a release read from \
source cannot have arrived by then, nor still be there when the policy says it was \
removed later. A built kernel that lacks a kfunc may only have it configured out, so \
only a source tree counts as proof of absence. Fix the policy's release (or, if the \
history is wrong, rebuild it from the right releases).";

    /// A removal a history sees and the policy does not record.
    HistoryRemovalUnrecorded = "history-removal-unrecorded", Warn,
        "a history sees a kfunc gone that the policy does not mark removed",
        "The history's last release, read from source, no longer has a kfunc an earlier \
release had (removed, or renamed). Record it in the policy with `removed_in` (the \
history gives the bounds: after the last release that has it, by the first that does \
not) and a `replacement`, so that the pages, the header and `diff` tell programs what \
happened.";
}

impl Code {
    /// Looks a code up by its kebab-case name.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Code::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown diagnostic code `{name}`")))
    }
}

/// The book's diagnostics page (`book/src/reference/diagnostics.md`),
/// generated from this registry so that the two cannot drift apart.
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# Diagnostics\n\n\
         Every finding kfuncdoc reports has a code. The level is the default; a\n\
         policy's `lints:` changes it per code. `allow` findings are not reported;\n\
         `info` ones are reported without being a problem.\n\
         `kfuncdoc explain CODE` prints the same text.\n\n\
         <!-- Generated from src/diag/codes.rs: KFUNCDOC_UPDATE_GOLDEN=1 cargo test diagnostics_page -->\n\n\
         | Code | Level | Reports |\n|---|---|---|\n",
    );
    for c in Code::ALL {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} |\n",
            c.name(),
            c.default_level(),
            c.description()
        ));
    }
    for c in Code::ALL {
        out.push_str(&format!(
            "\n## {}\n\nDefault level: `{}`. {}.\n\n{}\n",
            c.name(),
            c.default_level(),
            capitalize(c.description()),
            c.explanation()
        ));
    }
    out
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_explained() {
        let mut seen = std::collections::BTreeSet::new();
        for &c in Code::ALL {
            let n = c.name();
            assert!(seen.insert(n), "duplicate code name {n}");
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{n} is not kebab-case"
            );
            assert!(!c.description().is_empty(), "{n} has no description");
            assert!(c.explanation().len() > 80, "{n} has no real explanation");
            assert_eq!(Code::from_name(n), Some(c));
        }
    }
}
