//! Following `#include`s to the headers that define a set's macros.
//!
//! A macro used inside a kfunc set must be defined in the file or in a
//! header it includes, so the search for its definition follows the
//! includes of the files that use it (breadth first, a few levels deep)
//! instead of reading the whole tree again. `<x>` is looked up where Kbuild
//! looks first: `include/`, `include/uapi/`, then x86's `arch/x86/include/`
//! (kfuncdoc reads one architecture's view, like the x86 builds whose BTF it
//! is compared with); `"x"` next to the including file first.

use super::memo::Memo;
use super::scan::FileFacts;
use std::collections::{BTreeSet, HashSet, VecDeque};
use std::path::Path;

/// How deep includes are followed.
const MAX_DEPTH: usize = 6;
/// How many headers are read at most.
const MAX_HEADERS: usize = 4000;

/// Candidate paths, relative to the tree, for an `#include` argument
/// written in `from`.
fn resolve(spec: &str, from: &str) -> Vec<String> {
    let spec = spec.trim();
    let (inner, quoted) = match (spec.strip_prefix('<'), spec.strip_prefix('"')) {
        (Some(r), _) => (r.trim_end_matches('>'), false),
        (_, Some(r)) => (r.trim_end_matches('"'), true),
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    if quoted {
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        out.push(normalize(&format!("{dir}/{inner}")));
    }
    for base in [
        "include",
        "include/uapi",
        "arch/x86/include",
        "arch/x86/include/uapi",
    ] {
        out.push(format!("{base}/{inner}"));
    }
    out
}

/// Removes `.` and `..` components.
fn normalize(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

/// Parses the headers, reachable through `#include` from `users`, that
/// mention one of `names` as a whole word. `parsed` are the files already
/// parsed (not returned again).
pub fn headers_defining(
    tree: &Path,
    users: &[&FileFacts],
    names: &BTreeSet<String>,
    parsed: &HashSet<String>,
    memo: &Memo,
) -> Vec<FileFacts> {
    let mut seen: HashSet<String> = parsed.clone();
    let mut queue: VecDeque<(String, String, usize)> = VecDeque::new();
    for u in users {
        for inc in &u.includes {
            queue.push_back((inc.clone(), u.path.clone(), 1));
        }
    }
    let mut out = Vec::new();
    let mut read = 0;
    while let Some((spec, from, depth)) = queue.pop_front() {
        if read >= MAX_HEADERS {
            break;
        }
        for cand in resolve(&spec, &from) {
            if seen.contains(&cand) {
                // Already parsed or already read: its includes are queued.
                if parsed.contains(&cand) {
                    break;
                }
                continue;
            }
            // A header that is absent, unreadable or linked from outside the
            // tree is not followed (the walk reports such links).
            let super::treefile::TreeFile::Read(bytes) = memo.read(tree, &cand) else {
                continue;
            };
            seen.insert(cand.clone());
            read += 1;
            let text = String::from_utf8_lossy(&bytes);
            if depth < MAX_DEPTH {
                for inc in include_lines(&text) {
                    queue.push_back((inc.to_string(), cand.clone(), depth + 1));
                }
            }
            // Only headers that mention a wanted name are parsed.
            if names.iter().any(|n| has_word(&text, n)) {
                out.push(memo.scan(&cand, bytes));
            }
            break;
        }
    }
    out
}

/// The arguments of `#include` lines, found without a full scan (a
/// commented-out include is followed too, which costs a read at most).
fn include_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|l| {
        let l = l
            .trim_start()
            .strip_prefix('#')?
            .trim_start()
            .strip_prefix("include")?;
        let l = l.trim();
        let end = match l.as_bytes().first()? {
            b'<' => l.find('>')? + 1,
            b'"' => l[1..].find('"')? + 2,
            _ => return None,
        };
        Some(&l[..end])
    })
}

fn has_word(text: &str, word: &str) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    text.match_indices(word).any(|(i, _)| {
        let b = text.as_bytes();
        (i == 0 || !ident(b[i - 1])) && b.get(i + word.len()).is_none_or(|&c| !ident(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_kbuild() {
        assert_eq!(
            resolve("<net/xdp.h>", "net/core/xdp.c")[0],
            "include/net/xdp.h"
        );
        assert_eq!(resolve("\"../x.h\"", "net/core/xdp.c")[0], "net/x.h");
        assert_eq!(resolve("\"x.h\"", "net/core/xdp.c")[0], "net/core/x.h");
        assert!(resolve("FOO", "a.c").is_empty());
    }

    #[test]
    fn include_lines_are_found() {
        let v: Vec<&str> = include_lines(
            "#include <a/b.h>\n  # include \"c.h\" // x\n#define X\n#include MACRO\n",
        )
        .collect();
        assert_eq!(v, ["<a/b.h>", "\"c.h\""]);
    }

    #[test]
    fn whole_words() {
        assert!(has_word("#define A_xxx \\", "A_xxx"));
        assert!(!has_word("A_xxxy", "A_xxx"));
    }
}
