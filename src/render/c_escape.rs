//! Text from kernel comments and the policy, made safe for a C header
//! (issue 14): inside a `/* */` comment, and inside a string literal.
//!
//! The header is ASCII only: a non-ASCII character in a comment is written
//! as `U+XXXX` (so no bidirectional control can reorder what a reader sees,
//! the "Trojan Source" problem), in a string literal as its UTF-8 bytes in
//! octal escapes (`\303\251`; octal, because a hex escape swallows every
//! hex digit after it). Neither form can end its comment or string, start
//! a nested comment (`-Wcomment`), or make a trigraph (`??/` is a line
//! splice under `-trigraphs`). Pure.

/// `s` as text inside a `/* ... */` comment, on one line: line breaks and
/// other whitespace become spaces, other control characters `\xNN`,
/// non-ASCII `U+XXXX`; `*/`, `/*` and `??` are broken up by a space; and a
/// `*`, `/` or `?` at either end is padded with a space, so that no
/// neighbouring text can complete one of them.
pub fn comment(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            ' '..='~' => {
                if let Some(prev) = out.chars().last()
                    && matches!((prev, c), ('*', '/') | ('/', '*') | ('?', '?'))
                {
                    out.push(' ');
                }
                out.push(c);
            }
            c if c.is_whitespace() => out.push(' '),
            c if c.is_ascii() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("U+{:04X}", c as u32)),
        }
    }
    if out.starts_with(['*', '/', '?']) {
        out.insert(0, ' ');
    }
    if out.ends_with(['*', '/', '?']) {
        out.push(' ');
    }
    out
}

/// `s` as a C string literal, quotes included: `"` and `\` escaped, `?`
/// as `\?` after another `?`, `\n` and `\t` by name, every other control
/// character and every byte of a non-ASCII character in octal.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut prev = '\0';
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '?' if prev == '?' => out.push_str("\\?"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:03o}"));
                }
            }
        }
        prev = c;
    }
    out.push('"');
    out
}

/// Whether `s` is a C identifier (ASCII letters, digits, `_`; not starting
/// with a digit).
pub fn is_ident(s: &str) -> bool {
    let mut c = s.bytes();
    c.next()
        .is_some_and(|f| f == b'_' || f.is_ascii_alphabetic())
        && c.all(|x| x == b'_' || x.is_ascii_alphanumeric())
}

/// Whether `s` can be printed raw as one C declaration of the header: one
/// line of printable ASCII, no comment, preprocessor directive, `;` or
/// brace, parentheses balanced, and string literals (attribute arguments
/// such as `btf_type_tag("user")`) closed without escapes. A declaration
/// from a `--from-context` file is input, and this is what keeps it from
/// ending the header's structure.
pub fn is_declaration(s: &str) -> bool {
    if s.is_empty()
        || !s.bytes().all(|b| (b' '..=b'~').contains(&b))
        || s.contains("/*")
        || s.contains("//")
        || s.contains("??")
        || s.contains(['#', ';', '{', '}', '\\'])
    {
        return false;
    }
    let mut depth = 0i32;
    let mut in_string = false;
    for b in s.bytes() {
        match b {
            b'"' => in_string = !in_string,
            b'(' if !in_string => depth += 1,
            b')' if !in_string => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0 && !in_string
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The string a C compiler reads from `lit` (an oracle for the tests:
    /// the escapes `string` writes, decoded by the C rules).
    pub(crate) fn decode(lit: &str) -> Vec<u8> {
        let b = lit.as_bytes();
        assert!(
            b.len() >= 2 && b[0] == b'"' && b[b.len() - 1] == b'"',
            "{lit}"
        );
        let b = &b[1..b.len() - 1];
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            assert_ne!(b[i], b'"', "unescaped quote in {lit}");
            if b[i] != b'\\' {
                out.push(b[i]);
                i += 1;
                continue;
            }
            i += 1;
            match b[i] {
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'?' | b'"' | b'\\' => out.push(b[i]),
                b'0'..=b'7' => {
                    let mut v = 0u32;
                    let mut n = 0;
                    while n < 3 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                        v = v * 8 + u32::from(b[i] - b'0');
                        i += 1;
                        n += 1;
                    }
                    out.push(u8::try_from(v).expect("octal escape fits a byte"));
                    continue;
                }
                x => panic!("unknown escape \\{} in {lit}", x as char),
            }
            i += 1;
        }
        out
    }

    const HOSTILE: &[&str] = &[
        "*/ int evil; /*",
        "end */",
        "/* nested",
        "a\"b",
        "back\\slash\\",
        "trigraph ??/\nnext",
        "??=define x",
        "line\nbreak\r\nand\ttab",
        "caf\u{e9} \u{202e}reversed\u{202c} \u{1f600}",
        "\u{0}nul\u{7f}del\u{1b}[31m",
        "*",
        "/",
        "?",
        "",
        "\\x41\\101",
    ];

    #[test]
    fn hostile_text_stays_inside_its_comment() {
        for s in HOSTILE {
            let c = comment(s);
            let wrapped = format!("/*{c}*/");
            assert!(c.bytes().all(|b| (b' '..=b'~').contains(&b)), "{c:?}");
            assert!(!c.contains("*/") && !c.contains("/*") && !c.contains("??"));
            // The only comment end is ours.
            assert_eq!(wrapped.find("*/"), Some(wrapped.len() - 2), "{wrapped}");
        }
        assert_eq!(comment("a */ b"), "a * / b");
        assert_eq!(comment("caf\u{e9}"), "cafU+00E9");
    }

    #[test]
    fn hostile_text_round_trips_through_a_string_literal() {
        for s in HOSTILE {
            let lit = string(s);
            assert!(lit.bytes().all(|b| (b' '..=b'~').contains(&b)), "{lit}");
            assert!(!lit.contains("??"), "{lit}");
            assert_eq!(decode(&lit), s.as_bytes(), "{lit}");
        }
        assert_eq!(string("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
        assert_eq!(string("\u{e9}1"), "\"\\303\\2511\"");
    }

    /// Fuzz-style: random strings over an alphabet rich in the characters
    /// that matter, from a fixed-seed generator (deterministic runs).
    #[test]
    fn property_random_strings() {
        const ALPHABET: &[char] = &[
            '*',
            '/',
            '?',
            '?',
            '"',
            '\\',
            '\n',
            '\r',
            '\t',
            'a',
            'Z',
            '0',
            '7',
            ' ',
            '=',
            '(',
            ')',
            '\u{0}',
            '\u{1f}',
            '\u{7f}',
            '\u{e9}',
            '\u{202e}',
            '\u{2028}',
            '\u{1f600}',
            '#',
            '\'',
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let s: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let c = comment(&s);
            let around = format!("/*{c}{c}*/");
            assert_eq!(around.find("*/"), Some(around.len() - 2), "{s:?} -> {c:?}");
            assert!(
                !around[2..].contains("/*") && !around.contains("??"),
                "{s:?}"
            );
            assert!(c.bytes().all(|b| (b' '..=b'~').contains(&b)), "{s:?}");
            let lit = string(&s);
            assert_eq!(decode(&lit), s.as_bytes(), "{s:?} -> {lit}");
            assert!(!lit.contains("??") && lit.is_ascii(), "{lit}");
        }
    }

    #[test]
    fn declarations_that_can_be_printed_raw() {
        for ok in [
            "struct task_struct *bpf_task_acquire(struct task_struct *p)",
            "void __attribute__((btf_type_tag(\"address_space(1)\"))) *f(void *p__map)",
            "int bpf_rbtree_add_impl(struct bpf_rb_root *root, bool (*less)(struct bpf_rb_node *, const struct bpf_rb_node *), u64 off)",
        ] {
            assert!(is_declaration(ok), "{ok}");
        }
        for bad in [
            "",
            "int f(void); int evil(void)",
            "int f(void) /* x */",
            "int f(void)\n#define x",
            "int f(void) { return 0",
            "int f((void)",
            "int f(void))(",
            "int f(char *s = \"x)",
            "int f(void) // x",
            "int f(caf\u{e9})",
            "int f(??/)",
        ] {
            assert!(!is_declaration(bad), "{bad:?}");
        }
    }
}
