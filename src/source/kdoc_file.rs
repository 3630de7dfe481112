//! What `scripts/kernel-doc` warns about when it reads a whole file.
//!
//! A `.. kernel-doc:: FILE` directive makes kernel-doc parse all of `FILE`,
//! whatever `:identifiers:` it names, and `make htmldocs` prints every
//! warning of that parse (6.12's Perl script: once per directive; 7.x's
//! Python one: once per file). So a comment of a static helper can make a
//! page that documents a kfunc of the same file warn. This module finds
//! those warnings with kernel-doc's own rules (`scripts/kernel-doc` in
//! 6.12, `tools/lib/python/kdoc/kdoc_parser.py` in 7.x), for the kinds of
//! comments kfunc files have:
//!
//! - a comment opening with `/**` alone on a line at column 0 is a
//!   kernel-doc comment; its first line must name what it documents
//!   (`name() - summary`, `struct name - ...`, `DOC: ...`), or kernel-doc
//!   says it "isn't a kernel-doc comment";
//! - above a function definition, the name must be the function's
//!   ("expecting prototype for ..."), every parameter must have an
//!   `@name:` description ("not described") and every description a
//!   parameter ("Excess function parameter");
//! - inside the braces of a declaration whose comment is kernel-doc (a
//!   documented struct), a nested `/**` comment must start with
//!   `@member:` ("Incorrect use of kernel-doc format").
//!
//! Not covered: members of documented structs, unions and enums, and
//! comments above macros and prototypes; the kfunc files of 6.1, 6.12 and
//! 7.2 have no warnings of those kinds (`tests/kdoc_pages.rs` compares this
//! module with the tree's own kernel-doc on every kfunc file).

use super::kdoc;
use super::lex::{Kind, Lexer};
use super::scan::FileFacts;
use crate::model::KernelDocWarning;

/// The warnings kernel-doc gives for `f`'s comments, sorted by line.
/// `python`: the tree's kernel-doc is the Python one; otherwise a "not
/// described" warning carries the function a directive must name for it
/// to be printed.
pub fn warnings(f: &FileFacts, python: bool) -> Vec<KernelDocWarning> {
    let text = f.text.as_str();
    let mut out = Vec::new();
    let in_function = |pos: usize| {
        f.functions
            .iter()
            .any(|d| d.body.0 <= pos && pos < d.body.1)
    };
    // Top-level comments, and nested ones inside documented declarations.
    let mut depth = 0usize;
    let mut doc_pending = false;
    let mut documented_block = false;
    for t in Lexer::new(text) {
        match t.kind {
            Kind::BlockComment => {
                let body = t.text(text);
                if depth == 0 && is_doc_start(text, t.start) {
                    doc_pending = true;
                    if let Some(w) = not_kernel_doc(body, t.line) {
                        out.push(w);
                        doc_pending = false;
                    }
                } else if depth > 0
                    && documented_block
                    && body.starts_with("/**")
                    && !in_function(t.start)
                    && let Some(w) = bad_inline(body, t.line)
                {
                    out.push(w);
                }
            }
            Kind::Punct if t.is_punct(text, b'{') => {
                if depth == 0 {
                    documented_block = doc_pending;
                }
                depth += 1;
            }
            Kind::Punct if t.is_punct(text, b'}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    documented_block = false;
                    doc_pending = false;
                }
            }
            Kind::Punct if depth == 0 && t.is_punct(text, b';') => doc_pending = false,
            _ => {}
        }
    }
    for d in &f.functions {
        let Some((s, e, line)) = d.comment else {
            continue;
        };
        if !is_doc_start(text, s) {
            continue;
        }
        let (doc, ident) = kdoc::parse(&text[s..e], &f.path, line);
        let Some(ident) = ident else {
            continue;
        };
        if !is_function_comment(&text[s..e]) {
            continue;
        }
        let name = &d.header.name;
        if &ident != name {
            out.push(KernelDocWarning {
                line,
                message: format!(
                    "expecting prototype for {ident}(). Prototype was for {name}() instead"
                ),
                only_if_named: None,
            });
            // kernel-doc checks the parameters against the comment anyway.
        }
        let params: Vec<&str> = d
            .header
            .params
            .iter()
            .map(|p| p.name.as_str())
            .filter(|n| !n.is_empty() && *n != "...")
            .collect();
        let described: Vec<&str> = doc.params.iter().map(|p| p.name.as_str()).collect();
        for p in &params {
            if !described.contains(p) {
                out.push(KernelDocWarning {
                    line,
                    message: format!("function parameter '{p}' not described in '{name}'"),
                    only_if_named: (!python).then(|| name.clone()),
                });
            }
        }
        for p in &described {
            if !params.contains(p) && *p != "..." {
                out.push(KernelDocWarning {
                    line,
                    message: format!("Excess function parameter '{p}' description in '{name}'"),
                    only_if_named: None,
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `/**` alone on its line at column 0: where kernel-doc starts reading a
/// comment (`^/\*\*\s*$`).
fn is_doc_start(text: &str, start: usize) -> bool {
    let at_col0 = start == 0 || text.as_bytes().get(start - 1) == Some(&b'\n');
    let rest = &text[start..];
    let first = rest.lines().next().unwrap_or("");
    at_col0 && first.starts_with("/**") && first[3..].trim().is_empty()
}

/// The first text line of a comment (its delimiters and stars removed).
fn first_line(body: &str) -> &str {
    body.trim_start_matches('/')
        .trim_start_matches('*')
        .lines()
        .map(|l| l.trim().trim_start_matches('*').trim())
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .trim_end_matches("*/")
        .trim()
}

/// The comment documents a function (or a macro), not a type or a `DOC:`.
fn is_function_comment(body: &str) -> bool {
    let first = first_line(body);
    let word = first.split_whitespace().next().unwrap_or("");
    !matches!(word, "struct" | "union" | "enum" | "typedef" | "DOC:") && !first.starts_with("DOC:")
}

/// kernel-doc's "isn't a kernel-doc comment": the first line names nothing
/// it can document.
fn not_kernel_doc(body: &str, line: u32) -> Option<KernelDocWarning> {
    let first = first_line(body);
    let word = first.split_whitespace().next().unwrap_or("");
    if matches!(word, "struct" | "union" | "enum" | "typedef") || first.starts_with("DOC:") {
        return None;
    }
    let rest = first.strip_prefix("function ").unwrap_or(first);
    let rest = rest.strip_prefix("define ").unwrap_or(rest);
    let n = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let after = rest[n..].trim_start();
    let after = after.strip_prefix("()").unwrap_or(after).trim_start();
    // `name`, `name()`, or a name and anything with a `-` or `:` after it.
    let ok = n > 0 && (after.is_empty() || rest[n..].contains(['-', ':']));
    (!ok).then(|| KernelDocWarning {
        line,
        message: "This comment starts with '/**', but isn't a kernel-doc comment".to_string(),
        only_if_named: None,
    })
}

/// kernel-doc's "Incorrect use of kernel-doc format": a nested `/**`
/// comment whose first line is not `@member:`.
fn bad_inline(body: &str, line: u32) -> Option<KernelDocWarning> {
    let first = first_line(body);
    let ok = first.strip_prefix('@').is_some_and(|r| {
        let n = r
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.')
            .count();
        n > 0 && r[n..].trim_start().starts_with(':')
    });
    (!ok).then(|| KernelDocWarning {
        line,
        message: format!("Incorrect use of kernel-doc format: {first}"),
        only_if_named: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::scan::scan;

    fn warn(src: &str) -> Vec<String> {
        let f = scan("x.c", src.as_bytes().to_vec());
        warnings(&f, true).into_iter().map(|w| w.message).collect()
    }

    #[test]
    fn function_comments() {
        let src = "/**\n * f() - x\n * @a: one\n * @b: gone\n */\nint f(int a, int c)\n{\n}\n\
                   /**\n * g() - old name\n */\nvoid h(void)\n{\n}\n\
                   /**\n * k() - fine\n * @a: one\n */\nvoid k(int a)\n{\n}\n";
        assert_eq!(
            warn(src),
            [
                "Excess function parameter 'b' description in 'f'",
                "function parameter 'c' not described in 'f'",
                "expecting prototype for g(). Prototype was for h() instead",
            ]
        );
    }

    #[test]
    fn perl_prints_undescribed_parameters_only_for_named_functions() {
        let f = scan(
            "x.c",
            b"/**\n * f() - x\n */\nint f(int a)\n{\n}\n".to_vec(),
        );
        let w = warnings(&f, false);
        assert_eq!(w[0].only_if_named.as_deref(), Some("f"));
        assert_eq!(warnings(&f, true)[0].only_if_named, None);
    }

    #[test]
    fn nested_comments_in_documented_structs() {
        let src = "/**\n * struct ops - callbacks\n */\nstruct ops {\n\t/**\n\t * run - runs\n\t */\n\
                   \tvoid (*run)(void);\n\t/** @stop: stops */\n\tvoid (*stop)(void);\n};\n\
                   struct plain {\n\t/**\n\t * x - not documented struct\n\t */\n\tint x;\n};\n";
        assert_eq!(
            warn(src),
            ["Incorrect use of kernel-doc format: run - runs"]
        );
    }

    #[test]
    fn comments_that_are_not_kernel_doc() {
        let src = "/**\n * Just some text.\n */\nstatic int x;\n/** not at a line of its own */\n\
                   /*\n * f() - plain comment\n */\nint f(int a)\n{\n}\n";
        assert_eq!(
            warn(src),
            ["This comment starts with '/**', but isn't a kernel-doc comment"]
        );
    }
}
