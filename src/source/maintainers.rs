//! The `MAINTAINERS` file: which subsystem owns a path.
//!
//! Matching follows `scripts/get_maintainer.pl` (6.12): `F:` patterns are
//! anchored at the start of the path but not at its end, `*` and `?` match
//! any characters, `[ch]` is a class, a pattern ending in `/` (or naming a
//! directory) matches everything below it, any other pattern only matches
//! paths with as many `/` as itself; `X:` patterns exclude a section; `N:`
//! patterns are Perl regexes (`m//x`). Each matching section gets a depth
//! (the pattern's `/` count, plus one unless it ends in `/`; -1 for patterns
//! starting with `*`; 0 for `N:`) and the deepest wins. Where
//! get_maintainer.pl lets the last matching pattern of a section set its
//! depth, we take the deepest one; ties go to the section that comes first
//! in the file (get_maintainer.pl leaves their order to Perl's hash order).

use crate::model::Subsystem;
use regex::Regex;
use std::sync::OnceLock;

/// One section.
#[derive(Debug, Clone)]
struct Section {
    sub: Subsystem,
    files: Vec<String>,
    excludes: Vec<String>,
    regexes: Vec<String>,
}

/// A parsed MAINTAINERS file.
#[derive(Debug, Default)]
pub struct Maintainers {
    sections: Vec<Section>,
    compiled: OnceLock<Vec<Vec<Option<Regex>>>>,
}

/// Problems met while matching (uncompilable `N:` regexes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRegex {
    /// Section title.
    pub section: String,
    /// The pattern.
    pub pattern: String,
    /// Line of the section in MAINTAINERS.
    pub line: u32,
}

impl Maintainers {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Maintainers {
        let mut sections = Vec::new();
        let mut title: Option<(String, u32)> = None;
        let mut cur: Option<Section> = None;
        for (i, line) in text.lines().enumerate() {
            let lineno = i as u32 + 1;
            let b = line.as_bytes();
            let is_tv = b.len() >= 2 && b[0].is_ascii_uppercase() && b[1] == b':';
            if is_tv {
                let value = line[2..].trim_start().to_string();
                let sec = cur.get_or_insert_with(|| {
                    let (name, line) = title.take().unwrap_or_default();
                    Section {
                        sub: Subsystem {
                            name,
                            line,
                            ..Subsystem::default()
                        },
                        files: vec![],
                        excludes: vec![],
                        regexes: vec![],
                    }
                });
                match b[0] {
                    b'M' => sec.sub.maintainers.push(value),
                    b'R' => sec.sub.reviewers.push(value),
                    b'L' => sec.sub.lists.push(value),
                    b'S' => sec.sub.status = Some(value),
                    b'F' => sec.files.push(value),
                    b'X' => sec.excludes.push(value),
                    b'N' => sec.regexes.push(value),
                    _ => {}
                }
            } else {
                if let Some(sec) = cur.take() {
                    sections.push(sec);
                }
                let t = line.trim();
                if !t.is_empty() && !t.starts_with('#') {
                    title = Some((line.trim_end().to_string(), lineno));
                }
            }
        }
        if let Some(sec) = cur.take() {
            sections.push(sec);
        }
        // The preamble describes the fields with indented examples; only
        // sections whose title is not indented are real.
        sections.retain(|s| !s.sub.name.is_empty() && !s.sub.name.starts_with(char::is_whitespace));
        Maintainers {
            sections,
            compiled: OnceLock::new(),
        }
    }

    /// Number of sections.
    pub fn len(&self) -> usize {
        self.sections.len()
    }

    /// Whether there are no sections.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    fn regexes(&self) -> &Vec<Vec<Option<Regex>>> {
        self.compiled.get_or_init(|| {
            self.sections
                .iter()
                .map(|s| {
                    s.regexes
                        .iter()
                        .map(|r| Regex::new(&format!("(?x){r}")).ok())
                        .collect()
                })
                .collect()
        })
    }

    /// `N:` patterns that do not compile.
    pub fn bad_regexes(&self) -> Vec<BadRegex> {
        let compiled = self.regexes();
        let mut out = Vec::new();
        for (s, rs) in self.sections.iter().zip(compiled) {
            for (p, r) in s.regexes.iter().zip(rs) {
                if r.is_none() {
                    out.push(BadRegex {
                        section: s.sub.name.clone(),
                        pattern: p.clone(),
                        line: s.sub.line,
                    });
                }
            }
        }
        out
    }

    /// The most specific section for `file` (relative to the tree).
    /// `is_dir(pattern)` tells whether a literal pattern names a directory.
    pub fn lookup(&self, file: &str, is_dir: &dyn Fn(&str) -> bool) -> Option<&Subsystem> {
        let compiled = self.regexes();
        let mut best: Option<(i32, usize)> = None;
        for (idx, s) in self.sections.iter().enumerate() {
            if s.excludes
                .iter()
                .any(|x| file_matches(file, &dir_pattern(x, file, is_dir)))
            {
                continue;
            }
            let mut depth: Option<i32> = None;
            for f in &s.files {
                let p = dir_pattern(f, file, is_dir);
                if file_matches(file, &p) {
                    let mut d = p.matches('/').count() as i32;
                    if !p.ends_with('/') {
                        d += 1;
                    }
                    if p.starts_with('*') {
                        d = -1;
                    }
                    depth = Some(depth.map_or(d, |old| old.max(d)));
                }
            }
            if compiled[idx].iter().flatten().any(|r| r.is_match(file)) {
                depth = Some(depth.map_or(0, |old| old.max(0)));
            }
            if let Some(d) = depth
                && best.is_none_or(|(bd, _)| d > bd)
            {
                best = Some((d, idx));
            }
        }
        best.map(|(_, i)| &self.sections[i].sub)
    }
}

/// A literal pattern that names a directory gets its trailing `/`, as
/// get_maintainer.pl does with `-d` (which its escaping limits to patterns
/// with no `.`, `*` or `?`). Only asked when it can change the answer for
/// `file`, i.e. when `file` lies below the pattern: MAINTAINERS has ~8,000
/// patterns and a stat for each would cost more than the whole scan.
fn dir_pattern(p: &str, file: &str, is_dir: &dyn Fn(&str) -> bool) -> String {
    let below = file.len() > p.len() && file.starts_with(p) && file.as_bytes()[p.len()] == b'/';
    if below && !p.ends_with('/') && !p.contains(['.', '*', '?', '[']) && is_dir(p) {
        format!("{p}/")
    } else {
        p.to_string()
    }
}

/// get_maintainer.pl's `file_match_pattern`.
fn file_matches(file: &str, pattern: &str) -> bool {
    if !glob_prefix(pattern.as_bytes(), file.as_bytes()) {
        return false;
    }
    pattern.ends_with('/') || file.matches('/').count() == pattern.matches('/').count()
}

/// Whether `pat` (with `*`, `?` and `[...]`) matches a prefix of `text`.
fn glob_prefix(pat: &[u8], text: &[u8]) -> bool {
    let Some(&c) = pat.first() else { return true };
    match c {
        b'*' => (0..=text.len()).any(|k| glob_prefix(&pat[1..], &text[k..])),
        b'?' => !text.is_empty() && glob_prefix(&pat[1..], &text[1..]),
        b'[' => {
            let Some(close) = pat.iter().position(|&b| b == b']') else {
                return text.first() == Some(&b'[') && glob_prefix(&pat[1..], &text[1..]);
            };
            let class = &pat[1..close];
            let (neg, class) = match class.first() {
                Some(b'^') => (true, &class[1..]),
                _ => (false, class),
            };
            let Some(&t) = text.first() else { return false };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    hit |= class[i] <= t && t <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == t;
                    i += 1;
                }
            }
            hit != neg && glob_prefix(&pat[close + 1..], &text[1..])
        }
        _ => text.first() == Some(&c) && glob_prefix(&pat[1..], &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
List of maintainers
===================

Descriptions of section entries and preferred order
\tM: *Mail* patches to: FullName <address@domain>

BPF [GENERAL] (Safe Dynamic Programs and Tools)
M:\tAlexei Starovoitov <ast@kernel.org>
R:\tSong Liu <song@kernel.org>
L:\tbpf@vger.kernel.org
S:\tSupported
F:\tkernel/bpf/
F:\tkernel/trace/bpf_trace.c
X:\tkernel/bpf/excluded.c

BPF [ITERATOR]
M:\tYonghong Song <yonghong.song@linux.dev>
S:\tMaintained
F:\tkernel/bpf/*iter.c

SOUND
S:\tMaintained
F:\tsound/soc/codecs/da[79]*.[ch]
N:\tsun[x4]i

THE REST
M:\tLinus Torvalds <torvalds@linux-foundation.org>
S:\tBuried alive in reporters
F:\t*
F:\t*/
F:\tdrivers
";

    fn look(m: &Maintainers, f: &str) -> Option<String> {
        m.lookup(f, &|p| p == "drivers").map(|s| s.name.clone())
    }

    #[test]
    fn most_specific_section_wins() {
        let m = Maintainers::parse(TEXT);
        assert_eq!(m.len(), 4);
        assert_eq!(
            look(&m, "kernel/bpf/helpers.c").as_deref(),
            Some("BPF [GENERAL] (Safe Dynamic Programs and Tools)")
        );
        assert_eq!(
            look(&m, "kernel/bpf/task_iter.c").as_deref(),
            Some("BPF [ITERATOR]")
        );
        assert_eq!(
            look(&m, "kernel/bpf/excluded.c").as_deref(),
            Some("THE REST")
        );
        assert_eq!(
            look(&m, "kernel/bpf/sub/deep.c").as_deref(),
            Some("BPF [GENERAL] (Safe Dynamic Programs and Tools)")
        );
        assert_eq!(
            look(&m, "sound/soc/codecs/da7213.c").as_deref(),
            Some("SOUND")
        );
        assert_eq!(
            look(&m, "arch/arm/mach-sun4i/x.c").as_deref(),
            Some("SOUND")
        );
        assert_eq!(look(&m, "drivers/net/foo.c").as_deref(), Some("THE REST"));
        let s = m.lookup("kernel/bpf/helpers.c", &|_| false).unwrap();
        assert_eq!(s.maintainers, ["Alexei Starovoitov <ast@kernel.org>"]);
        assert_eq!(s.reviewers, ["Song Liu <song@kernel.org>"]);
        assert_eq!(s.lists, ["bpf@vger.kernel.org"]);
        assert_eq!(s.status.as_deref(), Some("Supported"));
        assert_eq!(s.line, 7);
    }

    #[test]
    fn pattern_semantics() {
        assert!(file_matches("kernel/bpf/helpers.c", "kernel/bpf/"));
        assert!(file_matches("kernel/bpf/helpers.c", "kernel/bpf/helpers.c"));
        assert!(!file_matches("kernel/bpf/x/helpers.c", "kernel/bpf/*.c"));
        assert!(file_matches("kernel/bpf/helpers.c", "kernel/bpf/help*"));
        assert!(file_matches(
            "drivers/regulator/da9055-regulator.c",
            "drivers/regulator/da9???-regulator.[ch]"
        ));
        assert!(!file_matches(
            "drivers/regulator/da9055-regulator.o",
            "drivers/regulator/da9???-regulator.[ch]"
        ));
    }

    #[test]
    fn bad_regex_is_reported() {
        let m = Maintainers::parse("X\nS:\tMaintained\nN:\t(unclosed\n");
        assert_eq!(m.bad_regexes().len(), 1);
        assert!(m.lookup("a/b.c", &|_| false).is_none());
    }
}
