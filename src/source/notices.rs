//! Upstream deprecation notices: what the kernel says, in words, about a
//! kfunc's future.
//!
//! `KF_DEPRECATED` was never added, so the kernel states deprecations in
//! prose: sched_ext marks compat kfuncs with comments such as
//! `COMPAT: Will be removed in v6.23.` (`kernel/sched/ext/ext.c`, 7.x),
//! `scx_bpf_cpu_rq()` warns at run time that it "is deprecated; use
//! scx_bpf_locked_rq() ... or scx_bpf_cpu_curr()", and a newer version
//! is registered beside an older one under a naming convention
//! (`scx_bpf_dsq_insert___v2`; `bpf_obj_new` with `KF_IMPLICIT_ARGS` beside
//! the legacy `bpf_obj_new_impl`). [`attach`] reads these statements from
//! the parsed files (the comment above each kfunc's definition and the
//! string messages inside its body) and from the catalog's names, and
//! records each with its position. Pure: it reads nothing itself.
//!
//! Only what is written is taken: a release only when the text names one
//! (`v6.23`, kept as written even where the 6.x series never reached it:
//! 6.19 was followed by 7.0), a replacement only when the text names a
//! kfunc of this kernel (`foo()`, or the `___v2` suffix of a registered
//! `foo___v2`).

use super::lex::{Kind, Lexer};
use super::scan::FileFacts;
use crate::model::{Kfunc, UpstreamNotice};
use regex::Regex;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

/// Words that make a comment paragraph a deprecation statement.
static STATES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)\b(will be removed|to be removed|remove this|is deprecated|deprecated;)")
        .unwrap_or_else(|e| panic!("static regex: {e}"))
});

/// A removal release: `removed in v6.23`, `remove ... after v6.22`.
static REMOVAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)\bremov\w*\b[a-zA-Z0-9_ ,;:()-]*?\b(?:in|after|on|by)\s+v?(\d+\.\d+)\b")
        .unwrap_or_else(|e| panic!("static regex: {e}"))
});

/// Messages inside a body that name what to use: a run-time deprecation
/// warning, or a "X() must be used" refusal.
static ADVICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)(deprecated|must be used)").unwrap_or_else(|e| panic!("static regex: {e}"))
});

/// `name()` in a text.
static CALLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)\b([A-Za-z_][A-Za-z0-9_]*)\(\)")
        .unwrap_or_else(|e| panic!("static regex: {e}"))
});

/// The comment's paragraphs, each with its first line: `/*`, `*/` and the
/// leading ` * ` removed, lines joined with a space.
fn paragraphs(comment: &str, first_line: u32) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = Vec::new();
    let mut open = false;
    for (i, raw) in comment.lines().enumerate() {
        let l = raw
            .trim()
            .trim_start_matches("/**")
            .trim_start_matches("/*")
            .trim_end_matches("*/")
            .trim_start_matches('*')
            .trim();
        if l.is_empty() {
            open = false;
            continue;
        }
        match out.last_mut() {
            Some((_, text)) if open => {
                text.push(' ');
                text.push_str(l);
            }
            _ => out.push((first_line + i as u32, l.to_string())),
        }
        open = true;
    }
    out
}

/// kfuncs a text names as what to use: `foo()` of a kfunc other than
/// `name`, and `name___v2` when the text speaks of the `___v2` suffix.
fn named(text: &str, name: &str, kfuncs: &HashSet<&str>) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = CALLED
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .filter(|n| *n != name && kfuncs.contains(n))
        .map(str::to_string)
        .collect();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if let Some(suffix) = word.strip_prefix("___") {
            let v = format!("{name}___{suffix}");
            if kfuncs.contains(v.as_str()) {
                out.insert(v);
            }
        }
    }
    out
}

/// String messages in `body` (adjacent literals joined), with the line of
/// the first literal.
fn messages(src: &str, body: (usize, usize), line: u32) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = Vec::new();
    let mut last_was_str = false;
    for t in Lexer::range(src, body.0, body.1, line) {
        if t.is_comment() {
            continue;
        }
        if t.kind != Kind::Str {
            last_was_str = false;
            continue;
        }
        let lit = t.text(src);
        let inner = lit
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(lit)
            .replace("\\n", "");
        match out.last_mut() {
            Some((_, text)) if last_was_str => text.push_str(&inner),
            _ => out.push((t.line, inner)),
        }
        last_was_str = true;
    }
    out
}

/// The notices a definition's comment and body state.
fn from_definition(
    f: &FileFacts,
    name: &str,
    def_line: u32,
    kfuncs: &HashSet<&str>,
) -> Vec<UpstreamNotice> {
    let Some(def) = f
        .functions_named(name)
        .map(|(_, d)| d)
        .find(|d| d.line == def_line)
    else {
        return Vec::new();
    };
    let body_msgs = messages(&f.text, def.body, def.body_line);
    let advice: BTreeSet<String> = body_msgs
        .iter()
        .filter(|(_, m)| ADVICE.is_match(m))
        .flat_map(|(_, m)| named(m, name, kfuncs))
        .collect();
    let mut out = Vec::new();
    if let Some((start, end, line)) = def.comment {
        let text = f.text.get(start..end).unwrap_or_default();
        for (at, para) in paragraphs(text, line) {
            if !STATES.is_match(&para) {
                continue;
            }
            let mut replacements = named(&para, name, kfuncs);
            replacements.extend(advice.iter().cloned());
            out.push(UpstreamNotice {
                kind: "comment".into(),
                removal: REMOVAL
                    .captures(&para)
                    .and_then(|c| c.get(1))
                    .map(|m| m.as_str().to_string()),
                replacements: replacements.into_iter().collect(),
                text: para,
                file: f.path.clone(),
                line: at,
            });
        }
    }
    for (at, msg) in body_msgs {
        if !msg.to_ascii_lowercase().contains("deprecated") {
            continue;
        }
        out.push(UpstreamNotice {
            kind: "runtime-warning".into(),
            removal: REMOVAL
                .captures(&msg)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str().to_string()),
            replacements: named(&msg, name, kfuncs).into_iter().collect(),
            text: msg.trim().to_string(),
            file: f.path.clone(),
            line: at,
        });
    }
    out
}

/// The newer version registered beside `k`, by the kernel's naming
/// conventions: `foo___vN` (highest N) for `foo`; for a legacy `foo_impl`
/// without `KF_IMPLICIT_ARGS`, `foo` with it (7.x registers both, the
/// `_impl` one for programs built against the old headers).
fn successor<'a>(
    k: &Kfunc,
    by_name: &HashMap<&str, &'a Kfunc>,
) -> Option<(&'a Kfunc, &'static str, String)> {
    let prefix = format!("{}___v", k.name);
    let versioned = by_name
        .iter()
        .filter_map(|(n, s)| {
            let v: u32 = n.strip_prefix(prefix.as_str())?.parse().ok()?;
            Some((v, *s))
        })
        .max_by_key(|(v, _)| *v);
    if let Some((v, s)) = versioned {
        return Some((
            s,
            "successor",
            format!(
                "`{}` is registered beside it: the `___v{v}` suffix marks its newer version.",
                s.name
            ),
        ));
    }
    let implicit = |k: &Kfunc| k.flags.iter().any(|f| f == "KF_IMPLICIT_ARGS");
    let base = k.name.strip_suffix("_impl")?;
    let s = by_name.get(base)?;
    (implicit(s) && !implicit(k)).then(|| {
        (
            *s,
            "legacy",
            format!(
                "`{}` is registered beside it with `KF_IMPLICIT_ARGS`: this `_impl` form, which takes the verifier-supplied argument explicitly, is its legacy version.",
                s.name
            ),
        )
    })
}

/// Fills `upstream_notices` of every kfunc from the parsed `files` (sorted
/// by path) and the catalog's own names.
pub fn attach(files: &[FileFacts], kfuncs: &mut [Kfunc]) {
    let names: HashSet<&str> = kfuncs.iter().map(|k| k.name.as_str()).collect();
    let mut found: Vec<Vec<UpstreamNotice>> = kfuncs
        .iter()
        .map(|k| {
            let Some(def) = &k.definition else {
                return Vec::new();
            };
            let Ok(i) = files.binary_search_by(|f| f.path.as_str().cmp(&def.file)) else {
                return Vec::new();
            };
            from_definition(&files[i], &k.name, def.line, &names)
        })
        .collect();
    let by_name: HashMap<&str, &Kfunc> = kfuncs.iter().map(|k| (k.name.as_str(), k)).collect();
    for (k, notices) in kfuncs.iter().zip(&mut found) {
        let Some((s, kind, text)) = successor(k, &by_name) else {
            continue;
        };
        // A comment already naming the successor says more than the
        // convention does.
        if notices.iter().any(|n| n.replacements.contains(&s.name)) {
            continue;
        }
        let (Some(file), Some(line)) = (&s.file, s.line) else {
            continue;
        };
        notices.push(UpstreamNotice {
            kind: kind.into(),
            text,
            removal: None,
            replacements: vec![s.name.clone()],
            file: file.clone(),
            line,
        });
    }
    for (k, mut notices) in kfuncs.iter_mut().zip(found) {
        notices.sort();
        notices.dedup();
        k.upstream_notices = notices;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Definition;

    fn kfunc(name: &str, file: &str, def_line: u32, flags: &[&str]) -> Kfunc {
        Kfunc {
            name: name.into(),
            file: Some(file.into()),
            line: Some(900),
            flags: flags.iter().map(|f| f.to_string()).collect(),
            definition: Some(Definition {
                file: file.into(),
                line: def_line,
                ..Definition::default()
            }),
            ..Kfunc::default()
        }
    }

    const SRC: &str = "\
/*
 * COMPAT: Will be removed in v6.23 along with the ___v2 suffix.
 */
__bpf_kfunc void old(int a)
{
\told___v2(a);
}

__bpf_kfunc bool old___v2(int a)
{
\treturn true;
}

/**
 * rq - Fetch
 * @cpu: CPU
 */
__bpf_kfunc int rq(int cpu)
{
\tprintk_deferred(KERN_WARNING \"%s() is deprecated; \"
\t\t\"use curr() instead.\\n\", __func__);
\treturn 0;
}

/* Keeps working; nothing to remove here. */
__bpf_kfunc int curr(int cpu)
{
\treturn 0;
}
";

    #[test]
    fn comments_messages_and_successors() {
        let facts = super::super::scan::scan("k/x.c", SRC.as_bytes().to_vec());
        let mut ks = vec![
            kfunc("curr", "k/x.c", 28, &[]),
            kfunc("old___v2", "k/x.c", 9, &[]),
            kfunc("old", "k/x.c", 4, &[]),
            kfunc("rq", "k/x.c", 18, &[]),
        ];
        attach(std::slice::from_ref(&facts), &mut ks);
        assert!(ks[0].upstream_notices.is_empty(), "{:?}", ks[0]);
        assert!(ks[1].upstream_notices.is_empty());
        let old = &ks[2].upstream_notices;
        // The comment names the successor: no separate convention notice.
        assert_eq!(old.len(), 1, "{old:?}");
        assert_eq!(old[0].kind, "comment");
        assert_eq!(old[0].line, 2);
        assert_eq!(old[0].removal.as_deref(), Some("6.23"));
        assert_eq!(old[0].replacements, ["old___v2"]);
        let rq = &ks[3].upstream_notices;
        assert_eq!(rq.len(), 1, "{rq:?}");
        assert_eq!(rq[0].kind, "runtime-warning");
        assert_eq!(rq[0].text, "%s() is deprecated; use curr() instead.");
        assert_eq!(rq[0].line, 20);
        assert_eq!(rq[0].replacements, ["curr"]);
        assert_eq!(rq[0].removal, None);
    }

    #[test]
    fn impl_successor_needs_implicit_args_on_the_new_name() {
        let mut ks = vec![
            kfunc("bpf_obj_new", "h.c", 1, &["KF_IMPLICIT_ARGS"]),
            kfunc("bpf_obj_new_impl", "h.c", 2, &[]),
            kfunc("bpf_x", "h.c", 3, &[]),
            kfunc("bpf_x_impl", "h.c", 4, &[]),
        ];
        attach(&[], &mut ks);
        assert_eq!(ks[1].upstream_notices.len(), 1);
        assert_eq!(ks[1].upstream_notices[0].kind, "legacy");
        assert_eq!(ks[1].upstream_notices[0].replacements, ["bpf_obj_new"]);
        assert!(ks[0].upstream_notices.is_empty());
        assert!(ks[3].upstream_notices.is_empty());
    }
}
