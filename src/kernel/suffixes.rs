//! Argument-name suffixes the verifier gives a meaning to (`size__sz`,
//! `name__str`...), per kernel version.
//!
//! The verifier reads kfunc parameter names from BTF and matches their
//! suffixes (`btf_param_match_suffix()` in 6.12 `kernel/bpf/verifier.c`;
//! 6.1 had a hand-coded check for `__sz` only, in `kernel/bpf/btf.c`). The
//! source scanner reads the suffixes a tree's verifier matches; this table is
//! the fallback and the source of the explanations on rendered pages.

use super::KernelVersion;

/// One annotation.
#[derive(Debug, Clone, Copy)]
pub struct SuffixInfo {
    /// The suffix including its two underscores.
    pub suffix: &'static str,
    /// First release whose verifier matches it.
    pub since: KernelVersion,
    /// What it means for the argument.
    pub meaning: &'static str,
}

/// Every suffix, longest first within a shared ending so that matching picks
/// the most specific one. Versions: 6.1 and 6.12 verified; the rest from the
/// kernel-doc history of `Documentation/bpf/kfuncs.rst` (approximate).
pub const SUFFIXES: &[SuffixInfo] = &[
    SuffixInfo {
        suffix: "__refcounted_kptr",
        since: KernelVersion::new(6, 4),
        meaning: "a refcounted local kptr",
    },
    SuffixInfo {
        suffix: "__irq_flag",
        since: KernelVersion::new(6, 14),
        meaning: "stack slot holding saved IRQ flags",
    },
    SuffixInfo {
        suffix: "__nullable",
        since: KernelVersion::new(6, 8),
        meaning: "the pointer may be NULL",
    },
    SuffixInfo {
        suffix: "__uninit",
        since: KernelVersion::new(6, 3),
        meaning: "pointer to memory the kfunc initialises",
    },
    SuffixInfo {
        suffix: "__alloc",
        since: KernelVersion::new(6, 4),
        meaning: "pointer to an object the program allocated",
    },
    SuffixInfo {
        suffix: "__iter",
        since: KernelVersion::new(6, 7),
        meaning: "iterator state passed to a kfunc that is not the iterator's own",
    },
    SuffixInfo {
        suffix: "__prog",
        since: KernelVersion::new(6, 16),
        meaning: "filled in by the verifier with the calling program",
    },
    SuffixInfo {
        suffix: "__szk",
        since: KernelVersion::new(6, 4),
        meaning: "constant size, known at verification time, of the preceding buffer",
    },
    SuffixInfo {
        suffix: "__map",
        since: KernelVersion::new(6, 8),
        meaning: "a struct bpf_map pointer",
    },
    SuffixInfo {
        suffix: "__str",
        since: KernelVersion::new(6, 8),
        meaning: "a constant, read-only string",
    },
    SuffixInfo {
        suffix: "__opt",
        since: KernelVersion::new(6, 4),
        meaning: "the buffer paired with a size may be NULL",
    },
    SuffixInfo {
        suffix: "__ign",
        since: KernelVersion::new(6, 2),
        meaning: "ignored by the verifier",
    },
    SuffixInfo {
        suffix: "__sz",
        since: KernelVersion::new(6, 1),
        meaning: "size in bytes of the preceding pointer argument",
    },
    SuffixInfo {
        suffix: "__k",
        since: KernelVersion::new(6, 2),
        meaning: "must be a constant known at verification time",
    },
];

/// The suffixes a kernel's verifier matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuffixTable {
    /// Suffixes, longest first.
    pub suffixes: Vec<String>,
}

impl SuffixTable {
    /// From a list of suffixes (any order).
    pub fn new(mut suffixes: Vec<String>) -> Self {
        suffixes.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        suffixes.dedup();
        SuffixTable { suffixes }
    }

    /// The annotation `name` carries: the longest suffix it ends with, where
    /// something precedes the suffix (the verifier compares the tail of the
    /// name, and a bare `__k` is not an annotated name).
    pub fn annotation(&self, name: &str) -> Option<&str> {
        self.suffixes
            .iter()
            .find(|s| name.len() > s.len() && name.ends_with(s.as_str()))
            .map(String::as_str)
    }
}

/// The built-in table for `version`.
pub fn builtin(version: KernelVersion) -> SuffixTable {
    let release = version.release();
    SuffixTable::new(
        SUFFIXES
            .iter()
            .filter(|s| s.since <= release)
            .map(|s| s.suffix.to_string())
            .collect(),
    )
}

/// The meaning of an annotation, if known.
pub fn meaning(suffix: &str) -> Option<&'static str> {
    SUFFIXES
        .iter()
        .find(|s| s.suffix == suffix)
        .map(|s| s.meaning)
}

/// The suffixes a tree's verifier matches: the string literal of every
/// `btf_param_match_suffix(..., "__x")` call in `kernel/bpf/verifier.c`
/// (`__kfunc_param_match_suffix` in earlier releases). Empty for trees that
/// check suffixes by hand (6.1), which use [`builtin`].
pub fn parse_verifier_c(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("param_match_suffix(") {
        let call = &text[i..];
        let Some(end) = call.find(')') else { continue };
        let call = &call[..end];
        if let Some(q) = call.find('"')
            && let Some(len) = call[q + 1..].find('"')
        {
            let s = &call[q + 1..q + 1 + len];
            if s.starts_with("__") && s.len() > 2 {
                out.push(s.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_longest_suffix() {
        let t = builtin("6.12".parse().unwrap());
        assert_eq!(t.annotation("mem__szk"), Some("__szk"));
        assert_eq!(t.annotation("mem__sz"), Some("__sz"));
        assert_eq!(t.annotation("local_type_id__k"), Some("__k"));
        assert_eq!(t.annotation("name__str"), Some("__str"));
        assert_eq!(t.annotation("flags__irq_flag"), None, "6.14 feature");
        assert_eq!(t.annotation("p"), None);
        assert_eq!(t.annotation("__k"), None);
        assert_eq!(builtin("6.1".parse().unwrap()).annotation("x__k"), None);
    }

    #[test]
    fn parses_verifier_calls() {
        let s = parse_verifier_c(
            "return btf_param_match_suffix(btf, arg, \"__sz\");\n\
             return btf_param_match_suffix(meta->btf, arg, \"__iter\");\n\
             return __kfunc_param_match_suffix(btf, arg, \"__k\");\n\
             static bool btf_param_match_suffix(const struct btf *btf,\n",
        );
        assert_eq!(s, vec!["__iter", "__k", "__sz"]);
    }
}
