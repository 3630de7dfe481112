//! Sets used as lookup tables: code that tests a BTF id against a set
//! (`btf_id_set8_contains(&scx_kfunc_ids_cpu_only, kfunc_id)` in a set's
//! `.filter` callback, 7.x `kernel/sched/ext/ext.c`) declares it with the
//! same macros as a kfunc set, but never registers it. Such a set is not a
//! mistake: its entries are kfuncs through other, registered sets, and the
//! table says which of them a filter admits (issue 9). This module finds
//! those tests in a file's text; `assemble` reports the set for what it is.
//! Pure: it reads only the text it is given.

use super::lex::{Kind, Lexer};

/// The kernel's set-membership tests (`include/linux/btf.h`).
const MEMBERSHIP_TESTS: &[&str] = &["btf_id_set8_contains", "btf_id_set_contains"];

/// Lines of `src` where code tests an id against `set`:
/// `btf_id_set8_contains(&set, ...)` or `btf_id_set_contains(&set, ...)`.
/// Comments and preprocessor lines are not code and never count.
pub fn membership_tests(src: &str, set: &str) -> Vec<u32> {
    let toks: Vec<_> = Lexer::new(src)
        .filter(|t| !t.is_comment() && t.kind != Kind::Directive)
        .collect();
    let mut lines = Vec::new();
    for w in toks.windows(4) {
        if w[0].kind == Kind::Ident
            && MEMBERSHIP_TESTS.contains(&w[0].text(src))
            && w[1].is_punct(src, b'(')
            && w[2].is_punct(src, b'&')
            && w[3].kind == Kind::Ident
            && w[3].text(src) == set
        {
            lines.push(w[0].line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::membership_tests;

    #[test]
    fn finds_tests_in_code_only() {
        let src = "\
/* btf_id_set8_contains(&ids, id) in a comment */
static int f(u32 id)
{
\tif (!btf_id_set8_contains(&ids, id))
\t\treturn 0;
\treturn btf_id_set_contains( & ids , id) || btf_id_set8_contains(&other_ids, id);
}
// btf_id_set8_contains(&ids, id)
#define X btf_id_set8_contains(&ids, id)
";
        assert_eq!(membership_tests(src, "ids"), vec![4, 6]);
        assert_eq!(membership_tests(src, "other_ids"), vec![6]);
        assert!(membership_tests(src, "id").is_empty());
    }
}
