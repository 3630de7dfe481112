//! Implicit kfunc arguments (`KF_IMPLICIT_ARGS`): which parameter types the
//! verifier supplies, per kernel version.
//!
//! A kfunc flagged `KF_IMPLICIT_ARGS` is defined in C with trailing
//! arguments that BPF programs do not pass (7.2 `Documentation/bpf/kfuncs.rst`
//! §2.5.9). At build time `resolve_btfids` rewrites its BTF
//! (`process_kfunc_with_implicit_args()`, 7.2 `tools/bpf/resolve_btfids/main.c`):
//! the FUNC keeps the kfunc's name and gets a prototype that stops before the
//! first parameter that is a pointer to one of the struct types of
//! `kf_implicit_arg_types[]` (qualifiers skipped, `is_kf_implicit_arg()`),
//! and a `<name>_impl` FUNC keeps the kernel's prototype, unless a function
//! of that name already exists (the "legacy" `bpf_obj_new_impl` kind, which
//! is a kfunc of its own). The verifier takes every argument at or past the
//! BPF prototype's length as implicit (`is_kfunc_arg_implicit()`, 7.2
//! `kernel/bpf/verifier.c`), so everything from the first implicit
//! parameter on is supplied by it.
//!
//! The source scanner reads the table from the tree's `resolve_btfids`
//! ([`parse_resolve_btfids`]); [`builtin`] stands in for trees without it
//! and for built kernels.

use super::KernelVersion;

/// The flag that marks such kfuncs.
pub const FLAG: &str = "KF_IMPLICIT_ARGS";

/// One implicit argument type of the built-in table.
#[derive(Debug, Clone, Copy)]
pub struct ImplicitType {
    /// The struct's name (`bpf_prog_aux` for `struct bpf_prog_aux *`).
    pub name: &'static str,
    /// First release whose `resolve_btfids` treats it as implicit.
    pub since: KernelVersion,
}

/// Every implicit argument type. Checked in 7.2.13
/// (`kf_implicit_arg_types[]`, `tools/bpf/resolve_btfids/main.c`): both.
/// `KF_IMPLICIT_ARGS` came in 7.0 with `bpf_prog_aux` alone (the 7.2
/// `kfuncs.rst` still says "only `struct bpf_prog_aux *`");
/// `btf_struct_meta` came when `bpf_obj_new` and the list and rbtree kfuncs
/// took the flag; the release between 7.0 and 7.2 is not verified, so it is
/// listed from 7.0, which only matters to a kfunc flagged in a release where
/// it did not exist.
pub const TYPES: &[ImplicitType] = &[
    ImplicitType {
        name: "bpf_prog_aux",
        since: KernelVersion::new(7, 0),
    },
    ImplicitType {
        name: "btf_struct_meta",
        since: KernelVersion::new(7, 0),
    },
];

/// The struct types whose pointers a kernel's verifier supplies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImplicitTable {
    /// Struct names, sorted.
    pub types: Vec<String>,
}

/// Words that qualify a type without changing it: C qualifiers, and the
/// kernel macros that become BTF type tags, which `btf_type_skip_qualifiers()`
/// skips too.
const QUALIFIERS: &[&str] = &[
    "const",
    "volatile",
    "restrict",
    "__restrict",
    "__restrict__",
    "__user",
    "__kernel",
    "__rcu",
    "__percpu",
    "__iomem",
    "__force",
    "__arena",
];

impl ImplicitTable {
    /// From a list of struct names (any order).
    pub fn new(mut types: Vec<String>) -> Self {
        types.sort();
        types.dedup();
        ImplicitTable { types }
    }

    /// Whether a parameter of type `ty` (C, as written: `const struct
    /// bpf_prog_aux *`) is implicit: one pointer to one of the structs,
    /// qualifiers anywhere skipped, no typedef.
    pub fn is_implicit(&self, ty: &str) -> bool {
        let spaced = ty.replace('*', " * ");
        let words: Vec<&str> = spaced
            .split_whitespace()
            .filter(|w| !QUALIFIERS.contains(w))
            .collect();
        matches!(words.as_slice(), ["struct", name, "*"] if self.types.iter().any(|t| t == name))
    }

    /// The index of the first implicit parameter among `types` (parameter
    /// types in order): the BPF-visible prototype keeps the ones before it.
    pub fn first_implicit<'a>(&self, types: impl IntoIterator<Item = &'a str>) -> Option<usize> {
        types.into_iter().position(|t| self.is_implicit(t))
    }
}

/// The built-in table for `version`: empty before 7.0.
pub fn builtin(version: KernelVersion) -> ImplicitTable {
    let release = version.release();
    ImplicitTable::new(
        TYPES
            .iter()
            .filter(|t| t.since <= release)
            .map(|t| t.name.to_string())
            .collect(),
    )
}

/// The string literals of `kf_implicit_arg_types[] = { ... }` in a tree's
/// `tools/bpf/resolve_btfids/main.c`; `None` when the file has no such
/// array (kernels before 7.0).
pub fn parse_resolve_btfids(text: &str) -> Option<Vec<String>> {
    let at = text.find("kf_implicit_arg_types[]")?;
    let rest = &text[at..];
    let open = rest.find('{')?;
    // The initializer is the `{` right after `=`, not a function body.
    if !rest[..open].contains('=') || rest[..open].contains(';') {
        return None;
    }
    let close = rest[open..].find('}')? + open;
    let body = &rest[open + 1..close];
    let mut out = Vec::new();
    let mut parts = body.split('"');
    parts.next();
    while let (Some(lit), Some(_)) = (parts.next(), parts.next()) {
        out.push(lit.to_string());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_pointers_to_the_structs_only() {
        let t = builtin("7.2".parse().unwrap());
        assert!(t.is_implicit("struct bpf_prog_aux *"));
        assert!(t.is_implicit("const struct bpf_prog_aux *"));
        assert!(t.is_implicit("struct bpf_prog_aux *const"));
        assert!(t.is_implicit("struct btf_struct_meta*"));
        assert!(!t.is_implicit("struct bpf_prog_aux"));
        assert!(!t.is_implicit("struct bpf_prog_aux **"));
        assert!(!t.is_implicit("struct bpf_prog *"));
        assert!(!t.is_implicit("void *"), "legacy `void *meta__ign`");
        assert!(!t.is_implicit("union bpf_prog_aux *"));
        assert!(
            !t.is_implicit("bpf_prog_aux_t *"),
            "typedefs are not skipped"
        );
        assert!(builtin("6.12".parse().unwrap()).types.is_empty());
        assert!(!builtin("6.12".parse().unwrap()).is_implicit("struct bpf_prog_aux *"));
    }

    #[test]
    fn first_implicit_parameter() {
        let t = ImplicitTable::new(vec!["bpf_prog_aux".into(), "btf_struct_meta".into()]);
        // bpf_list_push_back: `u64 off` after `meta` is dropped too.
        let push = [
            "struct bpf_list_head *",
            "struct bpf_list_node *",
            "struct btf_struct_meta *",
            "u64",
        ];
        assert_eq!(t.first_implicit(push), Some(2));
        assert_eq!(t.first_implicit(["const struct bpf_prog_aux *"]), Some(0));
        assert_eq!(t.first_implicit(["int", "void *"]), None);
        assert_eq!(t.first_implicit([]), None);
    }

    #[test]
    fn parses_the_tree_table() {
        let main_c = "static bool is_kf_implicit_arg(const struct btf *btf, const struct btf_param *p)\n\
            {\n\tstatic const char *const kf_implicit_arg_types[] = {\n\
            \t\t\"bpf_prog_aux\",\n\t\t\"btf_struct_meta\",\n\t};\n\
            \tconst struct btf_type *t;\n\
            \tfor (int i = 0; i < ARRAY_SIZE(kf_implicit_arg_types); i++)\n";
        assert_eq!(
            parse_resolve_btfids(main_c),
            Some(vec![
                "bpf_prog_aux".to_string(),
                "btf_struct_meta".to_string()
            ])
        );
        assert_eq!(parse_resolve_btfids("int main(void) { return 0; }"), None);
        // A mention without an initializer is not the table.
        assert_eq!(
            parse_resolve_btfids("extern const char *kf_implicit_arg_types[];\nint f(void) { }"),
            None
        );
        let t = ImplicitTable::new(parse_resolve_btfids(main_c).unwrap());
        assert_eq!(t, builtin("7.2".parse().unwrap()));
    }
}
