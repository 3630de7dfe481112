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

use super::lex::{Kind, Lexer};
use super::walk::{self, Found};
use crate::diag::Diagnostic;
use crate::model::{Kfunc, Usage, UsageFile};
use std::collections::{BTreeMap, HashSet};
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

/// Calls of `names` in the C text `src`, by name.
pub fn calls(src: &str, names: &HashSet<&str>) -> BTreeMap<String, u32> {
    let toks: Vec<_> = Lexer::new(src)
        .filter(|t| !t.is_comment() && t.kind != Kind::Directive)
        .collect();
    let mut out = BTreeMap::new();
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
                        && names.contains(s.text(src))
                        && stmt.get(j + 1).is_some_and(|n| n.is_punct(src, b'('))
                    {
                        *out.entry(s.text(src).to_string()).or_insert(0) += 1;
                    }
                }
            }
            stmt_start = i + 1;
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

/// Fills `usage` of every kfunc from the `.c` files among `files` (paths
/// relative to `tree`) under [`SELFTESTS`] and [`SAMPLES`], counting a
/// call of a wrapper macro defined in a header there as a call of the
/// kfunc it wraps. Files that cannot be read are findings, as
/// in the main walk.
pub fn count(tree: &Path, files: &[String], kfuncs: &mut [Kfunc], diags: &mut Vec<Diagnostic>) {
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

    // Pass 1: wrapper macros, in the headers (`bpf_experimental.h`,
    // sched_ext's `common.bpf.h`). A name two headers define around
    // different kfuncs is ambiguous and dropped.
    let headers: Vec<&str> = sources
        .iter()
        .copied()
        .filter(|f| f.ends_with(".h"))
        .collect();
    let found: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    if let (false, Ok(needles)) = (headers.is_empty(), walk::Needles::new(&names)) {
        walk::search_list(tree, &headers, &needles, &|_, f| match f {
            Found::Match(bytes) => {
                let w = wrappers(&String::from_utf8_lossy(&bytes), &set);
                found.lock().unwrap_or_else(|e| e.into_inner()).extend(w);
            }
            Found::Problem(d) => problem(d),
        });
    }
    let mut wraps: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (alias, kfunc) in found.into_inner().unwrap_or_else(|e| e.into_inner()) {
        wraps
            .entry(alias)
            .and_modify(|k| {
                if k.as_deref() != Some(kfunc.as_str()) {
                    *k = None;
                }
            })
            .or_insert(Some(kfunc));
    }
    let wraps: BTreeMap<String, String> = wraps
        .into_iter()
        .filter_map(|(a, k)| k.map(|k| (a, k)))
        .collect();

    // Pass 2: calls, of a kfunc or of its wrapper, in the .c files.
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
    let callees: HashSet<&str> = searched.iter().copied().collect();
    let per_file: Mutex<Vec<(String, BTreeMap<String, u32>)>> = Mutex::new(Vec::new());
    if let (false, Ok(needles)) = (programs.is_empty(), walk::Needles::new(&searched)) {
        walk::search_list(tree, &programs, &needles, &|rel, f| match f {
            Found::Match(bytes) => {
                let mut by_kfunc: BTreeMap<String, u32> = BTreeMap::new();
                for (name, n) in calls(&String::from_utf8_lossy(&bytes), &callees) {
                    let kfunc = wraps.get(&name).cloned().unwrap_or(name);
                    *by_kfunc.entry(kfunc).or_insert(0) += n;
                }
                if !by_kfunc.is_empty() {
                    per_file
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((rel.to_string(), by_kfunc));
                }
            }
            Found::Problem(d) => problem(d),
        });
    }
    diags.extend(problems.into_inner().unwrap_or_else(|e| e.into_inner()));
    let mut by_kfunc: BTreeMap<String, Vec<UsageFile>> = BTreeMap::new();
    for (file, counts) in per_file.into_inner().unwrap_or_else(|e| e.into_inner()) {
        for (name, n) in counts {
            by_kfunc.entry(name).or_default().push(UsageFile {
                file: file.clone(),
                calls: n,
            });
        }
    }
    for k in kfuncs {
        let mut files = by_kfunc.remove(&k.name).unwrap_or_default();
        files.sort_by(|a, b| a.file.cmp(&b.file));
        let under = |d: &[&str]| files.iter().filter(|f| under_any(d, &f.file)).count() as u32;
        k.usage = Some(Usage {
            selftests: under(&SELFTESTS),
            samples: under(&SAMPLES),
            files,
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
}
