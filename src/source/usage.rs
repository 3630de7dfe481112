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

/// Fills `usage` of every kfunc from the `.c` files among `files` (paths
/// relative to `tree`) under [`SELFTESTS`] and [`SAMPLES`]. Files that cannot be read are
/// findings, as in the main walk.
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
    let candidates: Vec<&str> = files
        .iter()
        .map(String::as_str)
        .filter(|f| f.ends_with(".c") && (under_any(&SELFTESTS, f) || under_any(&SAMPLES, f)))
        .collect();
    let names: Vec<&str> = kfuncs.iter().map(|k| k.name.as_str()).collect();
    let set: HashSet<&str> = names.iter().copied().collect();
    let per_file: Mutex<Vec<(String, BTreeMap<String, u32>)>> = Mutex::new(Vec::new());
    let problems = Mutex::new(Vec::new());
    if let (false, Ok(needles)) = (candidates.is_empty(), walk::Needles::new(&names)) {
        walk::search_list(tree, &candidates, &needles, &|rel, found| match found {
            Found::Match(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let c = calls(&text, &set);
                if !c.is_empty() {
                    per_file
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((rel.to_string(), c));
                }
            }
            Found::Problem(d) => problems.lock().unwrap_or_else(|e| e.into_inner()).push(d),
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
}
