//! Upstream deprecation notices, usage through compat wrappers and example
//! calls, on the real 7.2, 6.12 and 6.1 trees, against oracles written
//! here from the kernel text (a line grep, not kfuncdoc's lexer).

use crate::real::{k, tree_6_1, tree_6_12, tree_7_2};
use kfuncdoc::diag::Code;
use kfuncdoc::model::Catalog;
use std::path::Path;

fn lines(tree: &Path, rel: &str) -> Vec<String> {
    let bytes = std::fs::read(tree.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    String::from_utf8_lossy(&bytes)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Every "will be removed" / "Remove this" comment line in
/// `kernel/sched/ext/*.c` whose comment is directly followed by a
/// `__bpf_kfunc` definition: (kfunc, line, release named).
fn compat_comments(tree: &Path) -> Vec<(String, u32, Option<String>)> {
    let dir = tree.join("kernel/sched/ext");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".c"))
                .map(|n| format!("kernel/sched/ext/{n}"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let l = lines(tree, &f);
        for (i, line) in l.iter().enumerate() {
            let low = line.to_ascii_lowercase();
            if !(low.contains("will be removed") || low.contains("remove this")) {
                continue;
            }
            // The comment's end, then the definition right after it.
            let Some(end) = (i..l.len()).find(|&j| l[j].contains("*/")) else {
                continue;
            };
            let Some(def) = l.get(end + 1).filter(|d| d.starts_with("__bpf_kfunc")) else {
                continue;
            };
            let name = def
                .split('(')
                .next()
                .and_then(|h| h.split_whitespace().last())
                .unwrap()
                .trim_start_matches('*')
                .to_string();
            let release = low
                .split_once(" v")
                .map(|(_, r)| r.trim_end_matches(|c: char| !c.is_ascii_digit()))
                .and_then(|r| r.split(|c: char| !(c.is_ascii_digit() || c == '.')).next())
                .filter(|r| !r.is_empty() && low.contains("removed in"))
                .map(str::to_string);
            out.push((name, i as u32 + 1, release));
        }
    }
    out
}

#[test]
fn every_compat_comment_of_7_2_is_a_notice_on_its_kfunc() {
    let Some((tree, c)) = tree_7_2() else { return };
    let expected = compat_comments(tree);
    assert!(expected.len() >= 4, "{expected:?}");
    for (name, line, release) in &expected {
        let n = k(c, name)
            .upstream_notices
            .iter()
            .find(|n| n.kind == "comment" && n.line == *line)
            .unwrap_or_else(|| panic!("{name}: no notice at line {line}: {:?}", k(c, name)));
        assert_eq!(&n.removal, release, "{name}");
    }
    // The releases as the tree writes them.
    let insert = &k(c, "scx_bpf_dsq_insert").upstream_notices;
    assert_eq!(insert[0].removal.as_deref(), Some("6.23"));
    assert_eq!(insert[0].replacements, ["scx_bpf_dsq_insert___v2"]);
    let select = &k(c, "scx_bpf_select_cpu_and").upstream_notices;
    assert_eq!(select[0].removal.as_deref(), Some("6.22"));
    assert_eq!(select[0].file, "kernel/sched/ext/idle.c");
    // The run-time warning and the ___v2 convention.
    let rq = &k(c, "scx_bpf_cpu_rq").upstream_notices;
    assert_eq!(rq[0].kind, "runtime-warning");
    assert_eq!(
        rq[0].replacements,
        ["scx_bpf_cpu_curr", "scx_bpf_locked_rq"]
    );
    let reenq = &k(c, "scx_bpf_reenqueue_local").upstream_notices;
    assert_eq!(reenq[0].kind, "successor");
    assert_eq!(reenq[0].replacements, ["scx_bpf_reenqueue_local___v2"]);
    assert_eq!(k(c, "bpf_obj_new_impl").upstream_notices[0].kind, "legacy");
    assert!(k(c, "bpf_obj_new").upstream_notices.is_empty());
}

/// Every notice points at a line that says it: the comment's words, the
/// message, or the successor's set entry.
fn notices_are_where_they_say(tree: &Path, c: &Catalog) {
    for kf in &c.kfuncs {
        for n in &kf.upstream_notices {
            let l = lines(tree, &n.file);
            let at = &l[n.line as usize - 1];
            let ok = match n.kind.as_str() {
                "successor" | "legacy" => at.contains(&n.replacements[0]),
                "runtime-warning" => at.contains("deprecated"),
                _ => n.text.split_whitespace().take(3).all(|w| at.contains(w)),
            };
            assert!(ok, "{}: {n:?} vs {at:?}", kf.name);
        }
    }
}

#[test]
fn notices_on_6_12_and_6_1_are_only_what_the_tree_says() {
    for t in [tree_6_12(), tree_6_1(), tree_7_2()] {
        let Some((tree, c)) = t else { continue };
        notices_are_where_they_say(tree, c);
    }
    // 6.12 has neither COMPAT comments on kfuncs nor ___v2 versions.
    if let Some((tree, c)) = tree_6_12() {
        let ext = lines(tree, "kernel/sched/ext.c");
        assert!(!ext.iter().any(|l| l.contains("Will be removed")));
        let with: Vec<&str> = c
            .kfuncs
            .iter()
            .filter(|k| !k.upstream_notices.is_empty())
            .map(|k| k.name.as_str())
            .collect();
        assert!(
            with.iter()
                .all(|n| n.starts_with("scx_bpf_") || n.ends_with("_impl")),
            "{with:?}"
        );
        assert!(
            with.iter().all(|n| !n.ends_with("_impl")),
            "6.12 has no KF_IMPLICIT_ARGS successor: {with:?}"
        );
    }
}

#[test]
fn checking_7_2_reports_the_overdue_removals_once_and_records_everything_else() {
    let Some((_, c)) = tree_7_2() else { return };
    let policy = kfuncdoc::policy::parse("linux.yaml", kfuncdoc::commands::SHIPPED_POLICY)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let (m, earlier) = kfuncdoc::merge::merge(c, &policy);
    let found = kfuncdoc::check::check(&m, &policy, earlier);
    // The shipped policy plans each removal for the release the kernel
    // states, so each overdue removal is one finding at the policy entry
    // that names the kernel's comment, and none at the comment itself.
    let mut overdue: Vec<(String, String)> = found
        .iter()
        .filter(|d| matches!(d.code, Code::RemovalOverdue | Code::UpstreamRemovalOverdue))
        .map(|d| {
            assert_eq!(d.code, Code::RemovalOverdue, "{d:#?}");
            assert_eq!(d.file.as_deref(), Some("linux.yaml"), "{d:#?}");
            let kfunc = d.kfunc.clone().unwrap_or_default();
            (kfunc, d.message.clone())
        })
        .collect();
    overdue.sort();
    let mut expected: Vec<(String, String)> = c
        .kfuncs
        .iter()
        .flat_map(|k| k.upstream_notices.iter().map(move |n| (k, n)))
        .filter(|(_, n)| n.removal.is_some())
        .map(|(k, n)| (k.name.clone(), format!("{}:{}", n.file, n.line)))
        .collect();
    expected.sort();
    // 6.22 and 6.23 are past in 7.2: every stated removal is overdue.
    assert_eq!(overdue.len(), 3, "{overdue:?}");
    assert_eq!(overdue.len(), expected.len(), "{overdue:?} vs {expected:?}");
    for ((name, message), (kfunc, at)) in overdue.iter().zip(&expected) {
        assert_eq!(name, kfunc);
        assert!(message.contains(at), "{message} should name {at}");
    }
    assert!(
        !found
            .iter()
            .any(|d| d.code == Code::UpstreamNoticeUnrecorded),
        "{found:#?}"
    );
}

/// Program files under the usage directories whose text calls `name(`
/// outside a comment line: a naive grep.
fn naive_callers(tree: &Path, name: &str) -> usize {
    let mut n = 0;
    for dir in ["tools/testing/selftests", "samples", "tools/sched_ext"] {
        for f in crate::util::files_under(&tree.join(dir)) {
            if !f.ends_with(".c") {
                continue;
            }
            let Ok(bytes) = std::fs::read(tree.join(dir).join(&f)) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let call = format!("{name}(");
            if text.lines().any(|l| {
                let t = l.trim_start();
                !t.starts_with('*')
                    && !t.starts_with("//")
                    && !t.starts_with("extern")
                    && l.match_indices(&call).any(|(i, _)| {
                        i == 0
                            || !l.as_bytes()[i - 1].is_ascii_alphanumeric()
                                && l.as_bytes()[i - 1] != b'_'
                    })
            }) {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn scx_bpf_dsq_insert_v2_is_used_through_the_compat_wrapper() {
    let Some((tree, c)) = tree_7_2() else { return };
    let total = |name: &str| {
        let u = k(c, name).usage.as_ref().unwrap();
        (u.selftests + u.samples) as usize
    };
    // Before: nothing calls the ___v2 name itself.
    assert_eq!(naive_callers(tree, "scx_bpf_dsq_insert___v2"), 0);
    // After: every program calling the wrapper uses both kfuncs.
    let wrapper_callers = naive_callers(tree, "scx_bpf_dsq_insert");
    assert!(wrapper_callers >= 20, "{wrapper_callers}");
    assert_eq!(total("scx_bpf_dsq_insert___v2"), wrapper_callers);
    assert_eq!(total("scx_bpf_dsq_insert"), wrapper_callers);
    let ex = k(c, "scx_bpf_dsq_insert___v2")
        .usage
        .as_ref()
        .unwrap()
        .example
        .as_ref()
        .unwrap();
    assert_eq!(ex.via.as_deref(), Some("scx_bpf_dsq_insert"));
}

#[test]
fn examples_show_a_real_call_at_their_line() {
    for t in [tree_6_12(), tree_7_2()] {
        let Some((tree, c)) = t else { continue };
        let mut n = 0;
        for kf in &c.kfuncs {
            let Some(u) = &kf.usage else { continue };
            let Some(e) = &u.example else {
                assert!(u.files.is_empty(), "{}: callers but no example", kf.name);
                continue;
            };
            n += 1;
            assert!(u.files.iter().any(|f| f.file == e.file), "{}", kf.name);
            let line = &lines(tree, &e.file)[e.line as usize - 1];
            let called = e.via.as_deref().unwrap_or(&kf.name);
            assert!(
                line.contains(called),
                "{}: {}:{} is {line:?}",
                kf.name,
                e.file,
                e.line
            );
            assert!(e.code.contains(line.trim()), "{}: {:?}", kf.name, e.code);
            assert!(
                e.first_line <= e.line && e.code.lines().count() <= 7,
                "{e:?}"
            );
        }
        assert!(n > 150, "{n}");
    }
}
