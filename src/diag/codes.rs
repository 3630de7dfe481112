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
program type. That is rarely intended. The catalog lists each set's flags under \
`entries`; the top-level `flags` are the union.";

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
         later release lets a policy change it per code. `allow` findings are not\n\
         reported. `kfuncdoc explain CODE` prints the same text.\n\n\
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
