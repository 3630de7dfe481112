//! Glob patterns for policy rules: `*`, `?`, `[abc]`/`[a-z]`/`[!a]`, and for
//! paths `**`. A pattern matches the whole string. In path mode `*` and `?`
//! do not cross `/`, `**` does (`kernel/bpf/**` matches every file below).

use std::fmt;

/// A validated glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    text: String,
    path: bool,
}

/// Why a pattern was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{pattern}` is not a valid glob: {reason}")]
pub struct BadGlob {
    /// The pattern.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Glob {
    /// A glob over names (`*` matches anything).
    pub fn name(text: &str) -> Result<Glob, BadGlob> {
        Self::new(text, false)
    }

    /// A glob over `/`-separated paths.
    pub fn path(text: &str) -> Result<Glob, BadGlob> {
        Self::new(text, true)
    }

    fn new(text: &str, path: bool) -> Result<Glob, BadGlob> {
        let bad = |reason| {
            Err(BadGlob {
                pattern: text.to_string(),
                reason,
            })
        };
        if text.is_empty() {
            return bad("it is empty");
        }
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'[' => match b[i + 1..].iter().position(|&c| c == b']') {
                    Some(0) => return bad("`[]` is an empty class"),
                    Some(n) => i += n + 2,
                    None => return bad("`[` is never closed"),
                },
                b']' => return bad("`]` without `[`"),
                b'*' if !path && b.get(i + 1) == Some(&b'*') => {
                    return bad("`**` only has a meaning in file patterns");
                }
                _ => i += 1,
            }
        }
        Ok(Glob {
            text: text.to_string(),
            path,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// How specific the pattern is: its count of literal characters.
    pub fn literal_len(&self) -> usize {
        let mut n = 0;
        let mut in_class = false;
        for c in self.text.chars() {
            match c {
                '[' => in_class = true,
                ']' => {
                    in_class = false;
                    n += 1;
                }
                '*' | '?' if !in_class => {}
                _ if in_class => {}
                _ => n += 1,
            }
        }
        n
    }

    /// Whether `s` matches the whole pattern.
    pub fn matches(&self, s: &str) -> bool {
        matches(self.text.as_bytes(), s.as_bytes(), self.path)
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn matches(p: &[u8], s: &[u8], path: bool) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') if path && p.get(1) == Some(&b'*') => {
            // `**/` also matches no directory at all.
            let rest = &p[2..];
            let rest_no_slash = rest.strip_prefix(b"/").unwrap_or(rest);
            (0..=s.len()).any(|k| matches(rest, &s[k..], path))
                || (rest.len() != rest_no_slash.len() && matches(rest_no_slash, s, path))
        }
        Some(b'*') => {
            let limit = if path {
                s.iter().position(|&c| c == b'/').unwrap_or(s.len())
            } else {
                s.len()
            };
            (0..=limit).any(|k| matches(&p[1..], &s[k..], path))
        }
        Some(b'?') => match s.first() {
            Some(&c) if !(path && c == b'/') => matches(&p[1..], &s[1..], path),
            _ => false,
        },
        Some(b'[') => {
            let close = p[1..]
                .iter()
                .position(|&c| c == b']')
                .map_or(p.len(), |n| n + 1);
            let class = &p[1..close.min(p.len())];
            let Some(&c) = s.first() else { return false };
            let (neg, class) = match class.first() {
                Some(b'!') | Some(b'^') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            hit != neg && matches(&p[(close + 1).min(p.len())..], &s[1..], path)
        }
        Some(&c) => s.first() == Some(&c) && matches(&p[1..], &s[1..], path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let g = Glob::name("scx_bpf_*").unwrap();
        assert!(g.matches("scx_bpf_dispatch"));
        assert!(!g.matches("bpf_scx"));
        assert!(
            Glob::name("bpf_iter_*_new")
                .unwrap()
                .matches("bpf_iter_num_new")
        );
        assert!(Glob::name("bpf_?_x").unwrap().matches("bpf_a_x"));
        assert!(Glob::name("bpf_[ab]*").unwrap().matches("bpf_b1"));
        assert!(!Glob::name("bpf_[!ab]*").unwrap().matches("bpf_b1"));
        assert!(
            !Glob::name("BPF [*]").unwrap().matches("BPF [CORE]"),
            "[*] is a class"
        );
        assert!(Glob::name("BPF ?CORE?").unwrap().matches("BPF [CORE]"));
    }

    #[test]
    fn paths() {
        let g = Glob::path("kernel/bpf/*.c").unwrap();
        assert!(g.matches("kernel/bpf/helpers.c"));
        assert!(!g.matches("kernel/bpf/sub/x.c"));
        let g = Glob::path("net/**").unwrap();
        assert!(g.matches("net/core/filter.c"));
        let g = Glob::path("**/test_*.c").unwrap();
        assert!(g.matches("net/bpf/test_run.c"));
        assert!(g.matches("test_x.c"));
    }

    #[test]
    fn rejects_bad_patterns() {
        assert!(Glob::name("").is_err());
        assert!(Glob::name("a[b").is_err());
        assert!(Glob::name("a]").is_err());
        assert!(Glob::name("a[]").is_err());
        assert!(Glob::name("a**").is_err());
        assert!(Glob::path("a/**").is_ok());
    }

    #[test]
    fn specificity() {
        assert!(
            Glob::name("scx_bpf_*").unwrap().literal_len()
                > Glob::name("scx_*").unwrap().literal_len()
        );
        assert_eq!(Glob::name("a[bc]d").unwrap().literal_len(), 3);
    }
}
