//! kernel-doc comments on the pages, against the tools that read them.
//!
//! - The text form of real comments (the 6.12 and 7.2 trees): the RST
//!   parses without a docutils message, the Markdown through pulldown-cmark
//!   to the same number of list items and code blocks, and no paragraph of
//!   either starts with a literal list marker (`tests/kdoc_pages.py` is the
//!   docutils side, through `KFUNCDOC_PYTHON`).
//! - What extraction says `scripts/kernel-doc` warns about in each kfunc
//!   file equals what the tree's own kernel-doc prints (6.12: the Perl
//!   script; 7.2: the Python one), and what it says Sphinx reports for each
//!   kfunc comment equals what docutils reports on the tree's kernel-doc
//!   output for that function.
//!
//! `make htmldocs` itself, with the pages in the tree, is in `sites`.

use crate::real::{tree_6_12, tree_7_2};
use kfuncdoc::model::{Catalog, Kfunc};
use kfuncdoc::render::kdoc_text::convert;
use kfuncdoc::render::markdown::Target;
use pulldown_cmark::{Event, Options, Parser, Tag};
use regex::Regex;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `tests/kdoc_pages.py` on each RST text; `None` without a Python
/// (with `KFUNCDOC_OFFLINE`).
fn docutils(rst: &[String]) -> Option<Vec<Value>> {
    let python = crate::util::tool("KFUNCDOC_PYTHON")?;
    let script = crate::util::root().join("tests/kdoc_pages.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input: Vec<Value> = rst.iter().map(|r| json!({ "rst": r })).collect();
    let mut stdin = child.stdin.take().unwrap();
    let input = serde_json::to_vec(&input).unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Every description, `Return:` and `Context:` text of the kfuncs' comments.
fn texts(c: &Catalog) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for k in &c.kfuncs {
        let Some(d) = &k.doc else { continue };
        for (what, t) in [
            ("body", &d.body),
            ("returns", &d.returns),
            ("context", &d.context),
        ] {
            if let Some(t) = t {
                out.push((format!("{} {what}", k.name), t.clone()));
            }
        }
    }
    out
}

/// List items and code blocks of Markdown, and its paragraphs' text.
fn md_shape(md: &str) -> (usize, usize, Vec<String>) {
    let (mut items, mut code) = (0, 0);
    let mut paras = Vec::new();
    let mut cur: Option<String> = None;
    for ev in Parser::new_ext(md, Options::empty()) {
        match ev {
            Event::Start(Tag::Item) => items += 1,
            Event::Start(Tag::CodeBlock(_)) => code += 1,
            Event::Start(Tag::Paragraph) => cur = Some(String::new()),
            Event::End(pulldown_cmark::TagEnd::Paragraph) => paras.extend(cur.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cur.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    (items, code, paras)
}

fn literal_bullet(p: &str) -> bool {
    let p = p.trim_start();
    p.starts_with("* ") || p.starts_with("- ")
}

fn text_form_of_real_comments(c: &Catalog, tree: &str) {
    let texts = texts(c);
    let rst: Vec<String> = texts.iter().map(|(_, t)| convert(t, Target::Rst)).collect();
    let Some(results) = docutils(&rst) else {
        return;
    };
    let (mut lists, mut blocks) = (0, 0);
    for (((what, text), r), out) in texts.iter().zip(&rst).zip(&results) {
        let messages = strings(out, "messages");
        assert!(
            messages.is_empty(),
            "{tree} {what}: docutils says {messages:?}\n--- text\n{text}\n--- rst\n{r}"
        );
        let md = convert(text, Target::Markdown);
        let (items, code, paras) = md_shape(&md);
        let rst_items = out["items"].as_u64().unwrap() as usize;
        let rst_code = out["literal_blocks"].as_u64().unwrap() as usize;
        assert_eq!(
            (items, code),
            (rst_items, rst_code),
            "{tree} {what}: Markdown and RST disagree\n--- md\n{md}\n--- rst\n{r}"
        );
        // No list marker left as text, in either output.
        for p in paras.iter().chain(&strings(out, "paragraphs")) {
            assert!(!literal_bullet(p), "{tree} {what}: literal bullet in {p:?}");
        }
        // The oracle: lines of the comment that start with a bullet and
        // are not inside an indented block are list items.
        let bullets = text
            .lines()
            .filter(|l| !l.starts_with([' ', '\t']) && literal_bullet(l))
            .count();
        assert!(
            rst_items >= bullets,
            "{tree} {what}: {bullets} bullet lines, {rst_items} items\n{r}"
        );
        lists += usize::from(rst_items > 0);
        blocks += rst_code;
    }
    // The trees do have lists and code in their comments.
    assert!(
        lists >= 10 && blocks >= 1,
        "{tree}: {lists} lists, {blocks} code blocks"
    );
}

#[test]
fn real_comments_keep_their_lists_and_code_in_both_formats() {
    for (name, t) in [("6.12", tree_6_12()), ("7.2", tree_7_2())] {
        let Some((_, c)) = t else { continue };
        text_form_of_real_comments(c, name);
    }
}

#[test]
fn the_comments_named_in_the_issue_render_as_lists_and_code() {
    let Some((_, c)) = tree_7_2() else { return };
    let k = |n: &str| crate::real::k(c, n).doc.clone().unwrap();
    // A paragraph of pasted code (bpf_dynptr_slice_rdwr), a numbered list
    // with short continuation lines (scx_bpf_now), a bulleted Return:.
    let rdwr = convert(
        k("bpf_dynptr_slice_rdwr").body.as_deref().unwrap(),
        Target::Markdown,
    );
    assert!(
        rdwr.contains("```\nstruct eth_hdr *eth = bpf_dynptr_slice_rdwr(&dynptr, 0, buffer, sizeof(buffer));\nif (!eth)\n        return TC_ACT_SHOT;"),
        "{rdwr}"
    );
    let now = convert(k("scx_bpf_now").body.as_deref().unwrap(), Target::Rst);
    assert!(
        now.contains("\n1. High performance: Many BPF schedulers"),
        "{now}"
    );
    assert!(
        now.contains("\n3. Monotonically non-decreasing clock"),
        "{now}"
    );
    let cpumask = convert(
        k("bpf_cpumask_any_and_distribute")
            .returns
            .as_deref()
            .unwrap(),
        Target::Markdown,
    );
    assert!(
        cpumask.starts_with("-   A random set bit within \\[0, num_cpus) from the AND of two cpumasks, if at\n    least one bit is set.\n-   \\>= num_cpus"),
        "{cpumask}"
    );
    let add = convert(k("bpf_rbtree_add").returns.as_deref().unwrap(), Target::Rst);
    assert_eq!(
        add,
        "0 on success, or ``-EINVAL`` if ``node`` is already linked in a tree.\n"
    );
}

/// A kernel-doc warning as a comparable key, from either kernel-doc's
/// wording or kfuncdoc's.
fn key(message: &str) -> String {
    let pats = [
        (
            r"(?:parameter|member) '([^']+)' not described in '([^']+)'",
            "undescribed",
        ),
        (
            r"Excess function parameter '([^']+)' description in '([^']+)'",
            "excess",
        ),
        (
            r"expecting prototype for ([^(]+)\(\)\. Prototype was for ([^(]+)\(\) instead",
            "prototype",
        ),
    ];
    for (p, what) in pats {
        if let Some(m) = Regex::new(p).unwrap().captures(message) {
            return format!("{what} {} {}", &m[1], &m[2]);
        }
    }
    if let Some((_, rest)) = message.split_once("Incorrect use of kernel-doc format:") {
        let line = rest.trim().trim_start_matches('*').trim();
        return format!("incorrect {line}");
    }
    if message.contains("isn't a kernel-doc comment") {
        return "not kernel-doc".into();
    }
    format!("other {message}")
}

/// The kfuncs a `.. kernel-doc::` directive could be written for, by file.
fn candidates(c: &Catalog) -> BTreeMap<&str, Vec<&Kfunc>> {
    let mut by_file: BTreeMap<&str, Vec<&Kfunc>> = BTreeMap::new();
    for k in &c.kfuncs {
        let (Some(d), Some(def)) = (&k.doc, &k.definition) else {
            continue;
        };
        if d.kernel_doc && d.name.as_deref() == Some(k.name.as_str()) {
            by_file.entry(def.file.as_str()).or_default().push(k);
        }
    }
    by_file
}

/// The tree's kernel-doc on `file`, naming `names`, in `mode` (`-none`,
/// `-rst`): (stdout, stderr).
fn kernel_doc(tree: &Path, mode: &str, names: &[&str], file: &str) -> (String, String) {
    let script = std::fs::read_to_string(tree.join("scripts/kernel-doc")).unwrap();
    let mut cmd = if script.starts_with("#!/usr/bin/env python") {
        let mut c = Command::new("python3");
        c.arg("scripts/kernel-doc");
        c
    } else {
        let mut c = Command::new("perl");
        c.arg("scripts/kernel-doc");
        c
    };
    cmd.current_dir(tree).arg(mode);
    for n in names {
        cmd.arg("-function").arg(n);
    }
    let out = cmd.arg(file).output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn file_warnings_match(tree: &Path, c: &Catalog, name: &str) {
    let mut compared = 0;
    let mut warned = 0;
    for (file, kfuncs) in candidates(c) {
        let names: Vec<&str> = kfuncs.iter().map(|k| k.name.as_str()).collect();
        let (_, err) = kernel_doc(tree, "-none", &names, file);
        let theirs: BTreeSet<String> = err
            .lines()
            .filter(|l| l.to_ascii_lowercase().contains("warning") && !l.contains("Sphinx version"))
            .map(key)
            .collect();
        let def = kfuncs[0].definition.as_ref().unwrap();
        let ours: BTreeSet<String> = def
            .kernel_doc_warnings
            .iter()
            .filter(|w| {
                w.only_if_named
                    .as_ref()
                    .is_none_or(|n| names.contains(&n.as_str()))
            })
            .map(|w| key(&w.message))
            .collect();
        assert_eq!(
            ours, theirs,
            "{name} {file}: kfuncdoc vs the tree's kernel-doc"
        );
        compared += 1;
        warned += usize::from(!theirs.is_empty());
    }
    assert!(compared >= 9, "{name}: {compared} files");
    assert!(
        warned >= 1,
        "{name}: no file warns; the comparison proves little"
    );
}

#[test]
fn kernel_doc_warnings_are_the_trees_own_kernel_docs() {
    for (name, t) in [("6.12", tree_6_12()), ("7.2", tree_7_2())] {
        let Some((tree, c)) = t else { continue };
        file_warnings_match(tree, c, name);
    }
}

fn sphinx_warnings_match(tree: &Path, c: &Catalog, name: &str) {
    let mut chunks: Vec<(&Kfunc, String)> = Vec::new();
    for (file, kfuncs) in candidates(c) {
        let names: Vec<&str> = kfuncs.iter().map(|k| k.name.as_str()).collect();
        let (rst, _) = kernel_doc(tree, "-rst", &names, file);
        // One block per `.. c:function:: PROTOTYPE`, keyed by the name.
        let mut blocks: BTreeMap<String, String> = BTreeMap::new();
        for chunk in rst.split(".. c:function:: ").skip(1) {
            let proto = chunk.lines().next().unwrap_or("");
            let before = proto.split('(').next().unwrap_or("").trim_end();
            let n = before.rsplit([' ', '*']).next().unwrap_or("").to_string();
            blocks.insert(n, format!(".. c:function:: {chunk}"));
        }
        for k in kfuncs {
            let block = blocks
                .remove(&k.name)
                .unwrap_or_else(|| panic!("{name}: {} not in kernel-doc's output", k.name));
            chunks.push((k, block));
        }
    }
    let rst: Vec<String> = chunks.iter().map(|(_, b)| b.clone()).collect();
    let Some(results) = docutils(&rst) else {
        return;
    };
    let mut warned = 0;
    for ((k, block), out) in chunks.iter().zip(&results) {
        let theirs = strings(out, "messages");
        let ours: Vec<&str> = k
            .doc
            .as_ref()
            .unwrap()
            .sphinx_warnings
            .iter()
            .map(|w| w.message.as_str())
            .filter(|m| !m.starts_with("declaration:"))
            .collect();
        assert_eq!(
            ours.is_empty(),
            theirs.is_empty(),
            "{name} {}: kfuncdoc says {ours:?}, docutils says {theirs:?}\n{block}",
            k.name
        );
        warned += usize::from(!theirs.is_empty());
    }
    assert!(
        warned >= 1,
        "{name}: no comment warns; the comparison proves little"
    );
}

#[test]
fn sphinx_warnings_are_what_docutils_reports_on_kernel_docs_output() {
    for (name, t) in [("6.12", tree_6_12()), ("7.2", tree_7_2())] {
        let Some((tree, c)) = t else { continue };
        sphinx_warnings_match(tree, c, name);
    }
}

#[test]
fn check_reports_the_comments_on_both_trees() {
    for (name, t, expect) in [
        (
            "6.12",
            tree_6_12(),
            &["kernel/sched/ext.c", "kernel/bpf/helpers.c"][..],
        ),
        (
            "7.2",
            tree_7_2(),
            &[
                "kernel/sched/ext/ext.c",
                "kernel/sched/ext/cid.c",
                "kernel/bpf/helpers.c",
            ][..],
        ),
    ] {
        let Some((tree, _)) = t else { continue };
        let out = crate::util::kfuncdoc(&["check", "--source", tree.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let files: BTreeSet<&str> = text
            .lines()
            .filter(|l| l.contains("[kernel-doc-warning]"))
            .filter_map(|l| l.split(':').next())
            .collect();
        for f in expect {
            assert!(
                files.contains(f),
                "{name}: no kernel-doc-warning in {f}:\n{text}"
            );
        }
    }
}
