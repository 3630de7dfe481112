//! The kernel's integer typedefs, for a header that must compile without
//! `vmlinux.h` (issue 14).
//!
//! A C header can forward-declare a `struct`, a `union` (and, as a GNU
//! extension clang and GCC accept, an `enum`), but not a typedef: it has to
//! define it, with the very type the kernel gives it, or a program that
//! later includes `vmlinux.h` or `<linux/types.h>` gets a conflicting
//! redefinition. These are the typedefs whose definition is the same in
//! every kernel kfuncdoc reads and on every architecture BPF programs are
//! built for (`-target bpf` is LP64): `include/uapi/asm-generic/int-ll64.h`
//! (`__u8`..`__s64`), `include/linux/types.h` (`u8`..`s64`, `bool`,
//! `size_t` through `__kernel_size_t`, `gfp_t`),
//! `include/uapi/linux/types.h` (`__le16`..`__be64`, `__wsum`). The same in
//! 6.1, 6.12 and 7.2; a kfunc naming any other typedef is declared only
//! after `vmlinux.h`.

/// `(name, definition)`: the definition is a complete C declaration, in
/// dependency order (a typedef comes after those it names).
pub const TYPEDEFS: &[(&str, &str)] = &[
    ("__s8", "typedef signed char __s8;"),
    ("__u8", "typedef unsigned char __u8;"),
    ("__s16", "typedef short __s16;"),
    ("__u16", "typedef unsigned short __u16;"),
    ("__s32", "typedef int __s32;"),
    ("__u32", "typedef unsigned int __u32;"),
    ("__s64", "typedef long long __s64;"),
    ("__u64", "typedef unsigned long long __u64;"),
    ("s8", "typedef __s8 s8;"),
    ("u8", "typedef __u8 u8;"),
    ("s16", "typedef __s16 s16;"),
    ("u16", "typedef __u16 u16;"),
    ("s32", "typedef __s32 s32;"),
    ("u32", "typedef __u32 u32;"),
    ("s64", "typedef __s64 s64;"),
    ("u64", "typedef __u64 u64;"),
    ("__le16", "typedef __u16 __le16;"),
    ("__be16", "typedef __u16 __be16;"),
    ("__le32", "typedef __u32 __le32;"),
    ("__be32", "typedef __u32 __be32;"),
    ("__le64", "typedef __u64 __le64;"),
    ("__be64", "typedef __u64 __be64;"),
    ("__wsum", "typedef __u32 __wsum;"),
    ("size_t", "typedef unsigned long size_t;"),
    ("gfp_t", "typedef unsigned int gfp_t;"),
    // `<stdbool.h>` makes `bool` a macro; the typedef would then read
    // `typedef _Bool _Bool;`.
    ("bool", "typedef _Bool bool;"),
];

/// The typedefs `name` needs, itself last (`u32` needs `__u32`), or
/// `None` when `name` is not in [`TYPEDEFS`].
pub fn with_dependencies(name: &str) -> Option<Vec<&'static str>> {
    let (_, def) = TYPEDEFS.iter().find(|(n, _)| *n == name)?;
    let mut out = Vec::new();
    // The definition's base type, when it is another typedef of the table.
    let base = def
        .strip_prefix("typedef ")
        .and_then(|d| d.split_whitespace().next())
        .filter(|b| *b != name);
    if let Some(deps) = base.and_then(with_dependencies) {
        out.extend(deps);
    }
    let own = TYPEDEFS.iter().find(|(n, _)| *n == name).map(|(n, _)| *n)?;
    out.push(own);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_come_first() {
        assert_eq!(with_dependencies("u32"), Some(vec!["__u32", "u32"]));
        assert_eq!(with_dependencies("__be16"), Some(vec!["__u16", "__be16"]));
        assert_eq!(with_dependencies("bool"), Some(vec!["bool"]));
        assert_eq!(with_dependencies("bpf_callback_t"), None);
        // Every base named is defined earlier in the table.
        for (i, (name, def)) in TYPEDEFS.iter().enumerate() {
            assert!(def.ends_with(&format!(" {name};")), "{def}");
            let deps = with_dependencies(name).unwrap();
            for d in &deps[..deps.len() - 1] {
                let at = TYPEDEFS.iter().position(|(n, _)| n == d).unwrap();
                assert!(at < i, "{d} after {name}");
            }
        }
    }

    /// The definitions agree with the 6.12 and 7.2 trees' headers, when
    /// they are at hand.
    #[test]
    fn definitions_match_the_kernel_headers() {
        let Some(home) = std::env::var_os("HOME") else {
            return;
        };
        for tree in ["linux-source-6.12", "linux-source-7.2", "linux-source-6.1"] {
            let root = std::path::Path::new(&home)
                .join(".cache/kfuncdoc")
                .join(tree);
            let Ok(uapi_ll64) =
                std::fs::read_to_string(root.join("include/uapi/asm-generic/int-ll64.h"))
            else {
                continue;
            };
            let read = |rel: &str| std::fs::read_to_string(root.join(rel)).unwrap();
            let all = [
                uapi_ll64,
                read("include/asm-generic/int-ll64.h"),
                read("include/linux/types.h"),
                read("include/uapi/linux/types.h"),
            ]
            .join("\n");
            // `__signed__ char` is `signed char` is `char`'s signed form;
            // `__bitwise` is for sparse only.
            let norm = |s: &str| {
                s.split_whitespace()
                    .filter(|w| !["__signed__", "signed", "__extension__", "__bitwise"].contains(w))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let text = norm(&all);
            for (name, def) in TYPEDEFS {
                let found = match *name {
                    // `__kernel_size_t` is `__kernel_ulong_t`, `unsigned
                    // long` on LP64.
                    "size_t" => text.contains("typedef __kernel_size_t size_t;"),
                    _ => text.contains(&norm(def)),
                };
                assert!(found, "{tree}: {def}");
            }
        }
    }
}
