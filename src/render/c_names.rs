//! The type names a C declaration uses, for the header's forward
//! declarations (issue 14): `struct`, `union` and `enum` tags, and typedef
//! names.
//!
//! The declarations are bpftool's (`btf_dump__emit_type_decl`) or a kernel
//! definition's header, so a small reading suffices: in each declaration
//! (the whole one, then each parameter), the declaration specifiers come
//! first, and the first identifier that is not a keyword and follows no
//! type specifier is a typedef name; later identifiers are declarator
//! names. A `(` after an identifier or a `)` opens a parameter list, whose
//! parameters are declarations of their own; any other `(` groups a
//! declarator (`(*cb)`). `__attribute__((...))` is skipped whole. Pure.

use std::collections::BTreeSet;

/// The names a declaration needs declared before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// `struct` tags.
    pub structs: BTreeSet<String>,
    /// `union` tags.
    pub unions: BTreeSet<String>,
    /// `enum` tags.
    pub enums: BTreeSet<String>,
    /// Typedef names.
    pub typedefs: BTreeSet<String>,
}

/// Keywords that are type specifiers (after one, an identifier is a name).
const TYPE_KEYWORDS: &[&str] = &[
    "void",
    "char",
    "short",
    "int",
    "long",
    "float",
    "double",
    "signed",
    "unsigned",
    "_Bool",
    "__signed__",
    "_Complex",
    "__int128",
];

/// The other keywords and specifiers bpftool or a kernel header may print
/// that are not type names (`__attribute__` is handled apart).
const OTHER_KEYWORDS: &[&str] = &[
    "const",
    "volatile",
    "restrict",
    "extern",
    "static",
    "inline",
    "register",
    "__restrict",
    "__volatile__",
    "__const",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok<'a> {
    Ident(&'a str),
    Punct(u8),
}

fn tokens(s: &str) -> Vec<Tok<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'_' || c.is_ascii_alphabetic() {
            let start = i;
            while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            out.push(Tok::Ident(&s[start..i]));
        } else if c == b'"' {
            // A string (an attribute's argument): skipped.
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += 1;
            }
            i += 1;
        } else if c.is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
        } else {
            if !c.is_ascii_whitespace() {
                out.push(Tok::Punct(c));
            }
            i += 1;
        }
    }
    out
}

/// The names `decl` uses.
pub fn names(decl: &str) -> Names {
    let toks = tokens(decl);
    let mut names = Names::default();
    let mut i = 0;
    declaration(&toks, &mut i, &mut names, false);
    names
}

/// Reads one declaration from `*i` to its end: the end of the tokens, or
/// (in a parameter list, `in_list`) the `,` or `)` ending the parameter,
/// which is left for the caller.
fn declaration(t: &[Tok<'_>], i: &mut usize, names: &mut Names, in_list: bool) {
    let mut specified = false;
    let mut depth = 0usize;
    // The previous token was a declarator's name, or a `)` closing a
    // group or a list: a `(` after it opens a parameter list.
    let mut after_name = false;
    while *i < t.len() {
        let tok = &t[*i];
        match tok {
            Tok::Punct(b',') | Tok::Punct(b')') if depth == 0 && in_list => return,
            Tok::Ident("__attribute__") => {
                *i += 1;
                skip_group(t, i);
                continue;
            }
            Tok::Ident(kw @ ("struct" | "union" | "enum")) => {
                if let Some(Tok::Ident(tag)) = t.get(*i + 1) {
                    let set = match *kw {
                        "struct" => &mut names.structs,
                        "union" => &mut names.unions,
                        _ => &mut names.enums,
                    };
                    set.insert(tag.to_string());
                    *i += 1;
                }
                specified = true;
            }
            Tok::Ident(w) if TYPE_KEYWORDS.contains(w) => specified = true,
            Tok::Ident(w) if OTHER_KEYWORDS.contains(w) => {}
            Tok::Ident(w) => {
                if specified {
                    *i += 1;
                    after_name = true;
                    continue;
                }
                names.typedefs.insert(w.to_string());
                specified = true;
            }
            Tok::Punct(b'(') => {
                if after_name {
                    // A parameter list: each parameter is a declaration.
                    *i += 1;
                    loop {
                        declaration(t, i, names, true);
                        match t.get(*i) {
                            Some(Tok::Punct(b',')) => *i += 1,
                            _ => break,
                        }
                    }
                    // The list's `)`.
                    *i += 1;
                    after_name = true;
                    continue;
                }
                depth += 1;
            }
            Tok::Punct(b')') => {
                depth = depth.saturating_sub(1);
                *i += 1;
                after_name = true;
                continue;
            }
            Tok::Punct(_) => {}
        }
        after_name = false;
        *i += 1;
    }
}

/// Skips a parenthesised group starting at `*i` (an attribute's `((...))`).
fn skip_group(t: &[Tok<'_>], i: &mut usize) {
    let mut depth = 0usize;
    while *i < t.len() {
        match t[*i] {
            Tok::Punct(b'(') => depth += 1,
            Tok::Punct(b')') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    *i += 1;
                    return;
                }
            }
            _ if depth == 0 => return,
            _ => {}
        }
        *i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[&str]) -> BTreeSet<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn bpftool_declarations() {
        let n = names("struct task_struct *bpf_task_acquire(struct task_struct *p)");
        assert_eq!(n.structs, set(&["task_struct"]));
        assert!(n.typedefs.is_empty());

        let n = names(
            "void __attribute__((btf_type_tag(\"address_space(1)\"))) *bpf_arena_alloc_pages(void *p__map, void __attribute__((btf_type_tag(\"address_space(1)\"))) *addr__ign, u32 page_cnt, int node_id, u64 flags)",
        );
        assert_eq!(n.typedefs, set(&["u32", "u64"]));

        let n = names(
            "int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node, bool (*less)(struct bpf_rb_node *, const struct bpf_rb_node *), void *meta__ign, u64 off)",
        );
        assert_eq!(n.structs, set(&["bpf_rb_node", "bpf_rb_root"]));
        assert_eq!(n.typedefs, set(&["bool", "u64"]));

        let n = names("void bbr_cwnd_event(struct sock *sk, enum tcp_ca_event event)");
        assert_eq!(n.enums, set(&["tcp_ca_event"]));

        // Unnamed parameters of a function pointer are typedef names.
        let n = names("int f(int (*cb)(u32, const __u64 *, size_t), bpf_task_work_callback_t g)");
        assert_eq!(
            n.typedefs,
            set(&["__u64", "bpf_task_work_callback_t", "size_t", "u32"])
        );

        let n = names("unsigned long long f(const unsigned char *buf, union bpf_attr *a)");
        assert!(n.typedefs.is_empty());
        assert_eq!(n.unions, set(&["bpf_attr"]));

        // A kernel definition's header: a function-typed parameter.
        let n = names(
            "int bpf_rbtree_add_impl(struct bpf_rb_root *root, bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b))",
        );
        assert_eq!(n.typedefs, set(&["bool"]));
        let n = names("s32 scx_bpf_pick_idle_cpu(const struct cpumask *cpus_allowed, u64 flags)");
        assert_eq!(n.typedefs, set(&["s32", "u64"]));
        assert_eq!(names("void f(void)"), Names::default());
    }
}
