//! In-tree callers: which BPF programs of the tree call each kfunc.
//!
//! The kernel's lifecycle text weighs how widely a kfunc is used. Out of
//! tree that is unknowable; in tree, the selftests (every suite under
//! `tools/testing/selftests`: `bpf`, `sched_ext`, `hid`...) and the
//! examples (`samples/`, the schedulers of `tools/sched_ext`) are the
//! programs every change to a kfunc must keep working. [`calls`] counts,
//! in one C file, the calls of known kfunc names: an identifier followed by
//! `(`, outside comments, strings and preprocessor lines, in a statement
//! that is not a declaration (`extern ... __ksym;` prototypes are not
//! calls). [`count`] runs it over the `.c` files of those directories that
//! mention a name (the walk's prefilter finds them).
//!
//! Programs rarely call every kfunc by its name: BPF-side headers wrap them
//! in macros (`bpf_experimental.h`) and in `static inline` functions
//! (sched_ext's `compat.bpf.h`, whose `scx_bpf_dsq_insert()` calls
//! `scx_bpf_dsq_insert___v2` when the kernel has it and the older kfunc
//! otherwise). A call of a wrapper counts as one call of **each** kfunc the
//! wrapper calls, directly or through other wrappers: real programs call
//! whichever the running kernel has, so both are in use. A called name
//! with a libbpf flavour suffix (`scx_bpf_dsq_insert___v2___compat`,
//! `scx_bpf_dsq_insert___v1`) is the kfunc libbpf resolves it to: the name
//! before its last `___`.
//!
//! [`count`] also keeps one example per kfunc (see `pick_example`).

use super::lex::{Kind, Lexer};
use super::memo::Memo;
use super::walk::{self, Found};
use crate::diag::Diagnostic;
use crate::model::{Example, Kfunc, Usage, UsageFile};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::Mutex;

/// Where the kernel's own tests live: every selftest suite, not only
/// `bpf/` (sched_ext and HID have their own).
pub const SELFTESTS: [&str; 1] = ["tools/testing/selftests/"];
/// Where its example programs live: `samples/` and the example BPF
/// schedulers of `tools/sched_ext/`.
pub const SAMPLES: [&str; 2] = ["samples/", "tools/sched_ext/"];

fn under_any(dirs: &[&str], f: &str) -> bool {
    dirs.iter().any(|d| f.starts_with(d))
}

/// The kfunc libbpf binds `ident` to: itself, or the name before its last
/// `___` flavour separator (`foo___v2___compat` → `foo___v2`).
pub fn resolve<'a>(ident: &'a str, names: &HashSet<&str>) -> Option<&'a str> {
    if names.contains(ident) {
        return Some(ident);
    }
    let at = ident.rfind("___").filter(|&i| i > 0)?;
    let base = &ident[..at];
    names.contains(base).then_some(base)
}

/// Call sites in the C text `src` of the identifiers `callee` accepts:
/// an identifier followed by `(`, outside comments, strings, preprocessor
/// lines and declarations, with its line.
pub fn call_sites<'a>(src: &'a str, callee: &dyn Fn(&str) -> bool) -> Vec<(&'a str, u32)> {
    let toks: Vec<_> = Lexer::new(src)
        .filter(|t| !t.is_comment() && t.kind != Kind::Directive)
        .collect();
    let mut out = Vec::new();
    let mut stmt_start = 0;
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        let ends = t.kind == Kind::Punct
            && matches!(src.as_bytes().get(t.start), Some(b';' | b'{' | b'}'));
        if ends || i + 1 == toks.len() {
            let end = if ends { i } else { i + 1 };
            let stmt = &toks[stmt_start..end];
            let declaration = stmt.iter().any(|s| {
                s.kind == Kind::Ident
                    && matches!(s.text(src), "extern" | "__ksym" | "__weak" | "typedef")
            });
            if !declaration {
                for (j, s) in stmt.iter().enumerate() {
                    if s.kind == Kind::Ident
                        && callee(s.text(src))
                        && stmt.get(j + 1).is_some_and(|n| n.is_punct(src, b'('))
                    {
                        out.push((s.text(src), s.line));
                    }
                }
            }
            stmt_start = i + 1;
        }
        i += 1;
    }
    out
}

/// Calls of `names` in the C text `src`, by name.
pub fn calls(src: &str, names: &HashSet<&str>) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for (name, _) in call_sites(src, &|t| names.contains(t)) {
        *out.entry(name.to_string()).or_insert(0) += 1;
    }
    out
}

/// `static inline` (or `static __always_inline`) functions defined in
/// `src`, each with the identifiers its body calls, sorted. A function
/// named like a kfunc is included: its definition shadows the kfunc in the
/// programs that include the header.
pub fn inline_functions(src: &str) -> Vec<(String, BTreeSet<String>)> {
    let toks: Vec<_> = Lexer::new(src)
        .filter(|t| !t.is_comment() && t.kind != Kind::Directive)
        .collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        if t.is_punct(src, b';') || t.is_punct(src, b'}') {
            start = i + 1;
        } else if t.is_punct(src, b'{') {
            let head = &toks[start..i];
            let word = |w: &str| {
                head.iter()
                    .any(|h| h.kind == Kind::Ident && h.text(src) == w)
            };
            let inline =
                word("static") && (word("inline") || word("__always_inline") || word("__inline"));
            let name = head
                .windows(2)
                .find(|w| w[0].kind == Kind::Ident && w[1].is_punct(src, b'('))
                .map(|w| w[0].text(src));
            // Skip to the matching brace.
            let mut depth = 0usize;
            let mut j = i;
            while j < toks.len() {
                if toks[j].is_punct(src, b'{') {
                    depth += 1;
                } else if toks[j].is_punct(src, b'}') {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                j += 1;
            }
            if let (true, Some(name), Some(close)) = (inline, name, toks.get(j)) {
                let body = &src[t.start..close.end];
                let called: BTreeSet<String> = call_sites(body, &|_| true)
                    .into_iter()
                    .map(|(c, _)| c.to_string())
                    .filter(|c| c != name)
                    .collect();
                out.push((name.to_string(), called));
            }
            start = j + 1;
            i = j;
        }
        i += 1;
    }
    out
}

/// Function-like macros in `src` that wrap exactly one of `names`:
/// `#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(...))` gives
/// `("bpf_obj_new", "bpf_obj_new_impl")`. A macro named like a kfunc, or
/// calling several, is no wrapper.
pub fn wrappers(src: &str, names: &HashSet<&str>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for t in Lexer::new(src).filter(|t| t.kind == Kind::Directive) {
        let text = t.text(src);
        let Some(rest) = text
            .trim_start_matches('#')
            .trim_start()
            .strip_prefix("define")
        else {
            continue;
        };
        let rest = rest.trim_start();
        let len = rest
            .bytes()
            .take_while(|&b| b.is_ascii_alphanumeric() || b == b'_')
            .count();
        let (name, after) = rest.split_at(len);
        let Some(params) = after.strip_prefix('(') else {
            continue;
        };
        let Some((_, body)) = params.split_once(')') else {
            continue;
        };
        if name.is_empty() || names.contains(name) {
            continue;
        }
        let toks: Vec<_> = Lexer::new(body).filter(|t| !t.is_comment()).collect();
        let called: HashSet<&str> = toks
            .windows(2)
            .filter(|w| {
                w[0].kind == Kind::Ident
                    && names.contains(w[0].text(body))
                    && w[1].is_punct(body, b'(')
            })
            .map(|w| w[0].text(body))
            .collect();
        if let [only] = called.into_iter().collect::<Vec<_>>()[..] {
            out.push((name.to_string(), only.to_string()));
        }
    }
    out
}

/// How a header defines a wrapper: a macro around one kfunc, or an inline
/// function with the identifiers it calls.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wrapper {
    Macro(String),
    Inline(BTreeSet<String>),
}

/// The kfuncs each wrapper ends up calling, following wrappers called by
/// wrappers. A name two headers define differently is ambiguous and
/// dropped, and so is a wrapper that reaches no kfunc.
fn resolve_wrappers(
    defs: Vec<(String, Wrapper)>,
    names: &HashSet<&str>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_name: BTreeMap<String, Option<Wrapper>> = BTreeMap::new();
    for (name, w) in defs {
        by_name
            .entry(name)
            .and_modify(|old| {
                if old.as_ref() != Some(&w) {
                    *old = None;
                }
            })
            .or_insert(Some(w));
    }
    let defs: BTreeMap<String, Wrapper> = by_name
        .into_iter()
        .filter_map(|(n, w)| w.map(|w| (n, w)))
        .collect();
    fn reach(
        name: &str,
        defs: &BTreeMap<String, Wrapper>,
        names: &HashSet<&str>,
        seen: &mut BTreeSet<String>,
        out: &mut BTreeSet<String>,
    ) {
        if !seen.insert(name.to_string()) {
            return;
        }
        match defs.get(name) {
            Some(Wrapper::Macro(k)) => {
                out.insert(k.clone());
            }
            Some(Wrapper::Inline(called)) => {
                for c in called {
                    if defs.contains_key(c) {
                        reach(c, defs, names, seen, out);
                    } else if let Some(k) = resolve(c, names) {
                        out.insert(k.to_string());
                    }
                }
            }
            None => {}
        }
    }
    defs.keys()
        .filter_map(|name| {
            let mut out = BTreeSet::new();
            reach(name, &defs, names, &mut BTreeSet::new(), &mut out);
            (!out.is_empty()).then(|| (name.clone(), out))
        })
        .collect()
}

/// What pass 2 learns about one program file.
struct ProgramCalls {
    file: String,
    lines: u32,
    /// A selftest that expects the verifier to refuse it (`__failure`, or
    /// `fail` in its name): not an example to copy.
    fails: bool,
    /// kfunc → calls.
    counts: BTreeMap<String, u32>,
    /// kfunc → its first call: line and the wrapper called, if any;
    /// a direct call is kept over one through a wrapper.
    first: BTreeMap<String, (u32, Option<String>)>,
}

/// The example of a kfunc among the files calling it, by a fixed rule:
/// a direct call before one through a wrapper; a sample (`samples/`,
/// `tools/sched_ext/`) before a selftest; a program the verifier is meant
/// to accept before one it is meant to refuse; the shortest file (in
/// lines), then the path; the first call in it.
fn pick_example<'a>(
    kfunc: &str,
    files: &[&'a ProgramCalls],
) -> Option<(&'a ProgramCalls, u32, Option<String>)> {
    files
        .iter()
        .filter_map(|p| p.first.get(kfunc).map(|(l, via)| (*p, *l, via.clone())))
        .min_by(|a, b| {
            let key = |(p, _, via): &(&ProgramCalls, u32, Option<String>)| {
                (
                    via.is_some(),
                    !under_any(&SAMPLES, &p.file),
                    p.fails,
                    p.lines,
                    p.file.clone(),
                )
            };
            key(a).cmp(&key(b))
        })
}

/// Lines around `line` (1-based) in `src`: up to `before` lines above and
/// `after` below, kept inside the top-level definition (function) that
/// contains the line; common indentation and surrounding blank lines
/// removed. Returns the first line's number and the text.
pub fn excerpt(src: &str, line: u32, before: u32, after: u32) -> (u32, String) {
    let mut lo = line.saturating_sub(before).max(1);
    let mut hi = line + after;
    let mut depth = 0usize;
    let mut head: Option<u32> = None;
    let mut block: Option<u32> = None;
    for t in Lexer::new(src).filter(|t| !t.is_comment() && t.kind != Kind::Directive) {
        if depth == 0 && head.is_none() {
            head = Some(t.line);
        }
        if t.is_punct(src, b'{') {
            if depth == 0 {
                block = head;
            }
            depth += 1;
        } else if t.is_punct(src, b'}') {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                if let Some(b) = block.take()
                    && b <= line
                    && line <= t.line
                {
                    lo = lo.max(b);
                    hi = hi.min(t.line);
                    break;
                }
                head = None;
            }
        } else if depth == 0 && t.is_punct(src, b';') {
            head = None;
        }
    }
    let lines: Vec<&str> = src
        .lines()
        .skip(lo as usize - 1)
        .take((hi + 1 - lo) as usize)
        .map(str::trim_end)
        .collect();
    // Blank lines and the tail of a comment that began above the window.
    let skip = lines
        .iter()
        .take_while(|l| {
            let t = l.trim_start();
            t.is_empty() || t.starts_with('*')
        })
        .count();
    let keep = lines.len() - lines.iter().rev().take_while(|l| l.is_empty()).count();
    let lines = &lines[skip..keep.max(skip)];
    let indent = lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .reduce(|a, b| {
            let n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
            &a[..n]
        })
        .unwrap_or("");
    let code: Vec<&str> = lines
        .iter()
        .map(|l| l.strip_prefix(indent).unwrap_or(l))
        .collect();
    (lo + skip as u32, code.join("\n"))
}

/// Fills `usage` of every kfunc from the `.c` files among `files` (paths
/// relative to `tree`) under [`SELFTESTS`] and [`SAMPLES`], counting a
/// call of a wrapper (a macro or `static inline` function defined in a
/// header there) as a call of each kfunc it calls, and keeps an example
/// call of each. Files that cannot be read are findings, as in the main
/// walk.
pub fn count(
    tree: &Path,
    files: &[String],
    kfuncs: &mut [Kfunc],
    diags: &mut Vec<Diagnostic>,
    memo: &Memo,
) {
    // A tree without the programs (a trimmed copy, a fixture) says
    // nothing about usage: leave it unknown rather than zero.
    if !SELFTESTS
        .iter()
        .chain(&SAMPLES)
        .any(|d| tree.join(d).is_dir())
    {
        return;
    }
    let ours = |f: &&str| under_any(&SELFTESTS, f) || under_any(&SAMPLES, f);
    let sources: Vec<&str> = files
        .iter()
        .map(String::as_str)
        .filter(|f| (f.ends_with(".c") || f.ends_with(".h")) && ours(f))
        .collect();
    let names: Vec<&str> = kfuncs.iter().map(|k| k.name.as_str()).collect();
    let set: HashSet<&str> = names.iter().copied().collect();
    let problems = Mutex::new(Vec::new());
    let problem = |d| problems.lock().unwrap_or_else(|e| e.into_inner()).push(d);

    // Pass 1: wrappers, in the headers (`bpf_experimental.h`, sched_ext's
    // `common.bpf.h` and `compat.bpf.h`).
    let headers: Vec<&str> = sources
        .iter()
        .copied()
        .filter(|f| f.ends_with(".h"))
        .collect();
    let found: Mutex<Vec<(String, Wrapper)>> = Mutex::new(Vec::new());
    if let (false, Ok(needles)) = (headers.is_empty(), walk::Needles::new(&names)) {
        walk::search_list(tree, &headers, &needles, memo, &|_, f| match f {
            Found::Match(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let mut w: Vec<(String, Wrapper)> = wrappers(&text, &set)
                    .into_iter()
                    .map(|(a, k)| (a, Wrapper::Macro(k)))
                    .collect();
                w.extend(
                    inline_functions(&text)
                        .into_iter()
                        .map(|(n, c)| (n, Wrapper::Inline(c))),
                );
                found.lock().unwrap_or_else(|e| e.into_inner()).extend(w);
            }
            Found::Problem(d) => problem(d),
        });
    }
    let wraps = resolve_wrappers(found.into_inner().unwrap_or_else(|e| e.into_inner()), &set);

    // Pass 2: calls, of a kfunc or of a wrapper, in the .c files.
    let programs: Vec<&str> = sources
        .iter()
        .copied()
        .filter(|f| f.ends_with(".c"))
        .collect();
    let searched: Vec<&str> = names
        .iter()
        .copied()
        .chain(wraps.keys().map(String::as_str))
        .collect();
    let per_file: Mutex<Vec<ProgramCalls>> = Mutex::new(Vec::new());
    if let (false, Ok(needles)) = (programs.is_empty(), walk::Needles::new(&searched)) {
        walk::search_list(tree, &programs, &needles, memo, &|rel, f| match f {
            Found::Match(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let mut p = ProgramCalls {
                    file: rel.to_string(),
                    lines: text.lines().count() as u32,
                    fails: text.contains("__failure")
                        || rel.rsplit('/').next().is_some_and(|n| n.contains("fail")),
                    counts: BTreeMap::new(),
                    first: BTreeMap::new(),
                };
                let callee = |t: &str| wraps.contains_key(t) || resolve(t, &set).is_some();
                for (ident, line) in call_sites(&text, &callee) {
                    let (targets, via) = match wraps.get(ident) {
                        Some(ks) => (ks.iter().map(String::as_str).collect(), Some(ident)),
                        None => (resolve(ident, &set).into_iter().collect::<Vec<_>>(), None),
                    };
                    for k in targets {
                        *p.counts.entry(k.to_string()).or_insert(0) += 1;
                        let first = p
                            .first
                            .entry(k.to_string())
                            .or_insert((line, via.map(str::to_string)));
                        if first.1.is_some() && via.is_none() {
                            *first = (line, None);
                        }
                    }
                }
                if !p.counts.is_empty() {
                    per_file.lock().unwrap_or_else(|e| e.into_inner()).push(p);
                }
            }
            Found::Problem(d) => problem(d),
        });
    }
    let mut per_file = per_file.into_inner().unwrap_or_else(|e| e.into_inner());
    per_file.sort_by(|a, b| a.file.cmp(&b.file));
    let mut by_kfunc: BTreeMap<&str, Vec<&ProgramCalls>> = BTreeMap::new();
    for p in &per_file {
        for k in p.counts.keys() {
            by_kfunc.entry(k.as_str()).or_default().push(p);
        }
    }

    // Pass 3: the excerpts, from the chosen files only.
    let chosen: BTreeMap<&str, (&ProgramCalls, u32, Option<String>)> = by_kfunc
        .iter()
        .filter_map(|(k, ps)| Some((*k, pick_example(k, ps)?)))
        .collect();
    let wanted: BTreeSet<&str> = chosen.values().map(|(p, _, _)| p.file.as_str()).collect();
    let wanted: Vec<&str> = wanted.into_iter().collect();
    let texts: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());
    if let (false, Ok(needles)) = (wanted.is_empty(), walk::Needles::new(&searched)) {
        walk::search_list(tree, &wanted, &needles, memo, &|rel, f| match f {
            Found::Match(bytes) => {
                texts.lock().unwrap_or_else(|e| e.into_inner()).insert(
                    rel.to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                );
            }
            Found::Problem(d) => problem(d),
        });
    }
    let texts = texts.into_inner().unwrap_or_else(|e| e.into_inner());
    diags.extend(problems.into_inner().unwrap_or_else(|e| e.into_inner()));
    for k in kfuncs {
        let callers = by_kfunc.get(k.name.as_str()).cloned().unwrap_or_default();
        let files: Vec<UsageFile> = callers
            .iter()
            .map(|p| UsageFile {
                file: p.file.clone(),
                calls: p.counts[&k.name],
            })
            .collect();
        let example = chosen.get(k.name.as_str()).and_then(|(p, line, via)| {
            let text = texts.get(&p.file)?;
            let (first_line, code) = excerpt(text, *line, 3, 3);
            Some(Example {
                file: p.file.clone(),
                line: *line,
                via: via.clone(),
                first_line,
                code,
            })
        });
        let under = |d: &[&str]| files.iter().filter(|f| under_any(d, &f.file)).count() as u32;
        k.usage = Some(Usage {
            selftests: under(&SELFTESTS),
            samples: under(&SAMPLES),
            files,
            example,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_calls_not_declarations_comments_or_strings() {
        let src = r#"
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
void bpf_task_release(struct task_struct *p) __ksym __weak;
/* bpf_task_acquire() in a comment */
#define ACQ(p) bpf_task_acquire(p)
SEC("tp_btf/task_newtask")
int BPF_PROG(test, struct task_struct *task)
{
	struct task_struct *t = bpf_task_acquire(task);
	const char *s = "bpf_task_acquire(";
	if (!t)
		return 0;
	bpf_task_release(t);
	bpf_task_release(bpf_task_acquire(task));
	int (*fp)(void) = bpf_task_acquire;
	return bpf_other(t);
}
"#;
        let names: HashSet<&str> = ["bpf_task_acquire", "bpf_task_release"].into();
        let c = calls(src, &names);
        assert_eq!(c.get("bpf_task_acquire"), Some(&2));
        assert_eq!(c.get("bpf_task_release"), Some(&2));
        assert!(calls("int x;", &names).is_empty());
    }

    #[test]
    fn wrapper_macros_wrap_one_kfunc() {
        let h = "#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))\n\
                 #define bpf_list_push_back(head, node) \\\n\tbpf_list_push_back_impl(head, node, NULL, 0)\n\
                 #define TWO(a) bpf_obj_new_impl(a) + bpf_list_push_back_impl(a)\n\
                 #define NOT_A_CALL bpf_obj_new_impl\n\
                 #define bpf_obj_new_impl(x) bpf_obj_new_impl(x)\n";
        let names: HashSet<&str> = ["bpf_obj_new_impl", "bpf_list_push_back_impl"].into();
        assert_eq!(
            wrappers(h, &names),
            [
                ("bpf_obj_new".to_string(), "bpf_obj_new_impl".to_string()),
                (
                    "bpf_list_push_back".to_string(),
                    "bpf_list_push_back_impl".to_string()
                ),
            ]
        );
    }

    #[test]
    fn inline_wrappers_count_for_every_kfunc_they_call() {
        let h = "static inline bool\nscx_bpf_dsq_insert(struct task_struct *p, u64 d)\n{\n\
                 \tif (bpf_ksym_exists(scx_bpf_dsq_insert___v2___compat))\n\
                 \t\treturn scx_bpf_dsq_insert___v2___compat(p, d);\n\
                 \tscx_bpf_dsq_insert___v1(p, d);\n\treturn true;\n}\n\
                 static __always_inline void outer(void) { scx_bpf_dsq_insert(0, 0); }\n\
                 static int not_inline(void) { return scx_bpf_other(); }\n";
        let names: HashSet<&str> = ["scx_bpf_dsq_insert", "scx_bpf_dsq_insert___v2"].into();
        let defs: Vec<(String, Wrapper)> = inline_functions(h)
            .into_iter()
            .map(|(n, c)| (n, Wrapper::Inline(c)))
            .collect();
        assert_eq!(defs.len(), 2, "{defs:?}");
        let w = resolve_wrappers(defs, &names);
        let both: BTreeSet<String> = ["scx_bpf_dsq_insert", "scx_bpf_dsq_insert___v2"]
            .map(String::from)
            .into();
        assert_eq!(w.get("scx_bpf_dsq_insert"), Some(&both));
        assert_eq!(w.get("outer"), Some(&both));
        assert_eq!(
            resolve("scx_bpf_dsq_insert___v2", &names),
            Some("scx_bpf_dsq_insert___v2")
        );
        assert_eq!(
            resolve("scx_bpf_dsq_insert___v1", &names),
            Some("scx_bpf_dsq_insert")
        );
        assert_eq!(resolve("scx_bpf_nope___v1", &names), None);
    }

    #[test]
    fn excerpts_stay_inside_the_function() {
        let src = "int a;\n/*\n * x\n */\nint f(void)\n{\n\tint r;\n\n\tr = k(1);\n\treturn r;\n}\nint g;\n";
        let (first, code) = excerpt(src, 9, 5, 5);
        assert_eq!(first, 5);
        assert_eq!(
            code,
            "int f(void)\n{\n\tint r;\n\n\tr = k(1);\n\treturn r;\n}"
        );
        let (first, code) = excerpt(src, 9, 1, 0);
        assert_eq!((first, code.as_str()), (9, "r = k(1);"));
    }
}
