//! Which `scripts/kernel-doc` a tree has, for what `make htmldocs` prints.
//!
//! Up to 6.x the script is Perl (`scripts/kernel-doc`), run once per
//! `.. kernel-doc::` directive; it prints a parameter "not described"
//! warning only for the functions the directive names (`show_warnings()`),
//! but its other warnings for every comment of the file, once per
//! directive. 7.x's is Python (`tools/docs/kernel-doc`, with
//! `scripts/kernel-doc` a link to it, `tools/lib/python/kdoc/`), which
//! Sphinx runs in-process: it parses each file once and prints every
//! warning of every comment, whatever the directive names.

/// Whether the tree's `scripts/kernel-doc`, whose text is `script`, is the
/// Python one: its `#!` line names Python.
pub fn is_python(script: &str) -> bool {
    script
        .lines()
        .next()
        .is_some_and(|l| l.starts_with("#!") && l.contains("python"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shebang_tells() {
        assert!(super::is_python("#!/usr/bin/env python3\n# SPDX"));
        assert!(!super::is_python("#!/usr/bin/env perl\n"));
        assert!(!super::is_python(""));
    }
}
