//! Page file stems that stay apart on every file system.
//!
//! A group's stem comes from its title (a `MAINTAINERS` section, a module
//! name). A section titled "SUMMARY" made `src/summary.md` next to mdBook's
//! `src/SUMMARY.md`, one file on a case-insensitive file system (issue 10,
//! item 16). Stems are compared without case, and never take the name of a
//! file a site has anyway in any format or flavour, nor one a site tool
//! treats specially, nor a name Windows reserves.

use std::collections::BTreeSet;

/// Stems no group page may have (compared in lower case): the fixed pages
/// (`index`, `deprecations`, `lifecycle`), the flavours' own files
/// (`SUMMARY.md`, `book.toml`, `kfuncdoc.css`, `mkdocs.yml`), files the
/// tools treat specially (mdBook and MkDocs turn `README.md` into the
/// index; Sphinx reads `conf.py`, `genindex`, `search`, `glossary`) and the
/// device names Windows reserves.
pub const RESERVED: &[&str] = &[
    "index",
    "deprecations",
    "lifecycle",
    "summary",
    "book",
    "kfuncdoc",
    "mkdocs",
    "readme",
    "conf",
    "genindex",
    "modindex",
    "search",
    "glossary",
    "con",
    "prn",
    "aux",
    "nul",
    "com1",
    "com2",
    "com3",
    "com4",
    "com5",
    "com6",
    "com7",
    "com8",
    "com9",
    "lpt1",
    "lpt2",
    "lpt3",
    "lpt4",
    "lpt5",
    "lpt6",
    "lpt7",
    "lpt8",
    "lpt9",
];

/// The stems given out so far.
#[derive(Debug, Clone)]
pub struct Stems {
    used: BTreeSet<String>,
}

impl Default for Stems {
    fn default() -> Self {
        Stems {
            used: RESERVED.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl Stems {
    /// A stem for `base` unique without regard to case: `base`, else
    /// `base-2`, `base-3`...
    pub fn claim(&mut self, base: &str) -> String {
        let mut stem = base.to_string();
        let mut n = 2;
        while !self.used.insert(stem.to_lowercase()) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_never_clash_without_case() {
        let mut s = Stems::default();
        assert_eq!(s.claim("summary"), "summary-2");
        assert_eq!(s.claim("SUMMARY"), "SUMMARY-3");
        assert_eq!(s.claim("readme"), "readme-2");
        assert_eq!(s.claim("bpf-core"), "bpf-core");
        assert_eq!(s.claim("BPF-core"), "BPF-core-2");
        assert_eq!(s.claim("con"), "con-2");
        assert_eq!(s.claim("index-2"), "index-2");
    }
}
