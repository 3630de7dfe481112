//! `kfuncdoc render` and `kfuncdoc build` as users run them: the pages of
//! the `render` fixture tree against golden files in every format, the
//! guarantees of the writer (atomic, manifest, `--check`), the context
//! seam, template overrides, and errors with positions.

use crate::util::{TempDir, files_under, golden_file, kfuncdoc, kfuncdoc_in, root, tree};
use std::path::Path;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Relative, as users write it: the pages name the policy file, and the
/// golden files must not depend on where the repository is.
fn policy() -> String {
    "tests/fixtures/policies/render.yaml".into()
}

/// `kfuncdoc render` on the render fixture into `out`, with `extra` args.
pub(crate) fn render(out: &Path, extra: &[&str]) -> std::process::Output {
    let t = tree("render");
    let p = policy();
    let mut args = vec![
        "render",
        "--source",
        t.to_str().unwrap(),
        "--policy",
        p.as_str(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    kfuncdoc(&args)
}

/// Compares every file under `dir` with `tests/golden/render/<name>/`,
/// both ways (a missing or an extra file fails too).
fn golden_tree(name: &str, dir: &Path) {
    let golden = root().join("tests/golden/render").join(name);
    let got = files_under(dir);
    if std::env::var_os("KFUNCDOC_UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&golden);
    }
    for f in &got {
        golden_file(
            &golden.join(f),
            &std::fs::read_to_string(dir.join(f)).unwrap(),
        );
    }
    assert_eq!(
        got,
        files_under(&golden),
        "{name}: files differ from the golden set"
    );
}

#[test]
fn pages_in_every_format_match_golden_files() {
    for (name, args) in [
        ("rst", &["--to", "rst"][..]),
        (
            "rst-kernel-doc",
            &["--to", "rst", "--description", "kernel-doc"][..],
        ),
        ("mdbook", &["--to", "markdown"][..]),
        ("mkdocs", &["--to", "markdown", "--flavour", "mkdocs"][..]),
        ("plain", &["--to", "markdown", "--flavour", "plain"][..]),
    ] {
        let tmp = TempDir::new("golden");
        let out = render(&tmp.0, args);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        golden_tree(name, &tmp.0);
    }
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let a = TempDir::new("det-a");
    let b = TempDir::new("det-b");
    for (d, extra) in [(&a, &["--to", "rst"]), (&b, &["--to", "rst"])] {
        assert_eq!(render(&d.0, extra).status.code(), Some(0));
    }
    for f in files_under(&a.0) {
        assert_eq!(
            std::fs::read(a.0.join(&f)).unwrap(),
            std::fs::read(b.0.join(&f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn markdown_never_feeds_mdbook_a_directive() {
    let tmp = TempDir::new("mdbook-safe");
    assert_eq!(render(&tmp.0, &["--to", "markdown"]).status.code(), Some(0));
    for f in files_under(&tmp.0) {
        let s = std::fs::read_to_string(tmp.0.join(&f)).unwrap();
        assert!(!s.contains("{{#"), "{f} contains an mdBook directive");
    }
}

#[test]
fn stale_pages_go_and_nothing_else_does() {
    let tmp = TempDir::new("stale");
    let out = &tmp.0;
    assert_eq!(render(out, &["--to", "rst"]).status.code(), Some(0));
    // A file of our own beside the generated ones, and one in a subdir.
    std::fs::write(out.join("mine.rst"), "keep me\n").unwrap();
    std::fs::create_dir_all(out.join("sub")).unwrap();
    std::fs::write(out.join("sub/notes.txt"), "keep\n").unwrap();
    let manifest = std::fs::read_to_string(out.join(".kfuncdoc-manifest")).unwrap();
    assert!(
        manifest.lines().any(|l| l == "networking-filters-1.rst"),
        "{manifest}"
    );
    // A policy that drops the networking group: its page must go.
    let t = tree("render");
    let narrow = TempDir::new("narrow-tree");
    crate::util::copy_tree(&t, &narrow.0);
    std::fs::remove_dir_all(narrow.0.join("net")).unwrap();
    let res = kfuncdoc(&[
        "render",
        "--to",
        "rst",
        "--source",
        narrow.0.to_str().unwrap(),
        "--policy",
        &policy(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    assert!(
        text(&res.stderr).contains("1 removed"),
        "{}",
        text(&res.stderr)
    );
    assert!(!out.join("networking-filters-1.rst").exists());
    assert!(out.join("mine.rst").exists() && out.join("sub/notes.txt").exists());
}

/// The output directory is the only place written, on disk too: not
/// through a symbolic link inside it, not over a file kfuncdoc did not
/// generate, and a manifest's claims are checked before anything goes.
#[cfg(unix)]
#[test]
fn nothing_outside_out_and_nobody_elses_files() {
    let tmp = TempDir::new("outside");
    let victim = tmp.0.join("victim");
    std::fs::create_dir_all(&victim).unwrap();
    std::fs::write(victim.join("data.txt"), "precious\n").unwrap();

    // A manifest listing a file behind a linked directory: kept.
    let a = tmp.0.join("a");
    std::fs::create_dir_all(&a).unwrap();
    std::os::unix::fs::symlink("../victim", a.join("assets")).unwrap();
    std::fs::write(a.join(".kfuncdoc-manifest"), "# x\nassets/data.txt\n").unwrap();
    assert_eq!(render(&a, &["--to", "rst"]).status.code(), Some(0));
    assert!(victim.join("data.txt").exists());

    // Pages that would be written through a linked directory: refused,
    // nothing written.
    let b = tmp.0.join("b");
    std::fs::create_dir_all(&b).unwrap();
    std::os::unix::fs::symlink("../victim", b.join("src")).unwrap();
    let res = render(&b, &["--to", "markdown"]);
    assert_eq!(res.status.code(), Some(2));
    assert!(
        text(&res.stderr).contains("symbolic link"),
        "{}",
        text(&res.stderr)
    );
    assert_eq!(std::fs::read_dir(&victim).unwrap().count(), 1);
    assert!(!b.join("book.toml").exists());

    // Somebody's own index.rst where a page goes: refused, untouched.
    let c = tmp.0.join("c");
    std::fs::create_dir_all(&c).unwrap();
    std::fs::write(c.join("index.rst"), "My own index\n").unwrap();
    let res = render(&c, &["--to", "rst"]);
    assert_eq!(res.status.code(), Some(2));
    assert!(
        text(&res.stderr).contains("c/index.rst"),
        "{}",
        text(&res.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(c.join("index.rst")).unwrap(),
        "My own index\n"
    );
    assert_eq!(std::fs::read_dir(&c).unwrap().count(), 1);
    // A page kfuncdoc generated, even with its manifest lost, is its own.
    std::fs::remove_file(c.join("index.rst")).unwrap();
    assert_eq!(render(&c, &["--to", "rst"]).status.code(), Some(0));
    std::fs::remove_file(c.join(".kfuncdoc-manifest")).unwrap();
    assert_eq!(render(&c, &["--to", "rst"]).status.code(), Some(0));
}

#[test]
fn check_writes_nothing_and_lists_what_would_change() {
    let tmp = TempDir::new("check");
    let out = &tmp.0;
    // Nothing there yet: everything would be created, nothing is.
    let res = render(out, &["--to", "rst", "--check"]);
    assert_eq!(res.status.code(), Some(1));
    assert!(
        text(&res.stdout).contains("index.rst: would create"),
        "{}",
        text(&res.stdout)
    );
    assert!(files_under(out).is_empty());
    assert_eq!(render(out, &["--to", "rst"]).status.code(), Some(0));
    let before: Vec<_> = files_under(out)
        .iter()
        .map(|f| std::fs::metadata(out.join(f)).unwrap().modified().unwrap())
        .collect();
    let res = render(out, &["--to", "rst", "--check"]);
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stdout));
    assert!(text(&res.stdout).contains("up to date"));
    // A rewrite of unchanged pages does not touch them.
    assert_eq!(render(out, &["--to", "rst"]).status.code(), Some(0));
    let after: Vec<_> = files_under(out)
        .iter()
        .map(|f| std::fs::metadata(out.join(f)).unwrap().modified().unwrap())
        .collect();
    assert_eq!(before, after);
    std::fs::write(out.join("index.rst"), "edited by hand\n").unwrap();
    let res = render(out, &["--to", "rst", "--check", "--format", "json"]);
    assert_eq!(res.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(v["update"], serde_json::json!(["index.rst"]));
    assert_eq!(
        std::fs::read_to_string(out.join("index.rst")).unwrap(),
        "edited by hand\n"
    );
}

#[test]
fn the_context_is_a_seam() {
    let tmp = TempDir::new("ctx");
    let ctx_file = tmp.0.join("ctx.json");
    let t = tree("render");
    let res = kfuncdoc(&[
        "render",
        "--to",
        "markdown",
        "--context",
        "--source",
        t.to_str().unwrap(),
        "--policy",
        &policy(),
    ]);
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    std::fs::write(&ctx_file, &res.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(v["kernel"]["version"], "6.12.3");
    let direct = tmp.0.join("direct");
    let via = tmp.0.join("via");
    assert_eq!(
        render(&direct, &["--to", "markdown"]).status.code(),
        Some(0)
    );
    let res = kfuncdoc(&[
        "render",
        "--to",
        "markdown",
        "--from-context",
        ctx_file.to_str().unwrap(),
        "--out",
        via.to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    for f in files_under(&direct) {
        assert_eq!(
            std::fs::read(direct.join(&f)).unwrap(),
            std::fs::read(via.join(&f)).unwrap(),
            "{f}"
        );
    }
    // A context for the other format is refused.
    let res = kfuncdoc(&[
        "render",
        "--to",
        "rst",
        "--from-context",
        ctx_file.to_str().unwrap(),
        "--out",
        via.to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(2));
}

#[test]
fn templates_are_overridden_file_by_file() {
    let tmp = TempDir::new("tpl");
    let dir = tmp.0.join("templates");
    std::fs::create_dir_all(dir.join("rst")).unwrap();
    std::fs::write(
        dir.join("rst/lifecycle.rst"),
        ".. Generated by kfuncdoc\nOur own lifecycle page for {{ kernel.version }}: {{ \"*not* markup\" }}\n",
    )
    .unwrap();
    let out = tmp.0.join("out");
    let res = render(&out, &["--to", "rst", "--templates", dir.to_str().unwrap()]);
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    assert_eq!(
        std::fs::read_to_string(out.join("lifecycle.rst")).unwrap(),
        ".. Generated by kfuncdoc\nOur own lifecycle page for 6.12.3: \\*not\\* markup\n"
    );
    // The other pages are the built-in ones.
    assert!(
        std::fs::read_to_string(out.join("index.rst"))
            .unwrap()
            .contains("toctree")
    );

    // A syntax error: the override's path and line.
    std::fs::write(
        dir.join("rst/lifecycle.rst"),
        "line one\n{{ kernel.version \n",
    )
    .unwrap();
    let res = render(&out, &["--to", "rst", "--templates", dir.to_str().unwrap()]);
    assert_eq!(res.status.code(), Some(2));
    let err = text(&res.stderr);
    assert!(err.contains("rst/lifecycle.rst:2:"), "{err}");
    // An undefined variable, at render time.
    std::fs::write(dir.join("rst/lifecycle.rst"), "ok\n{{ kernel.nope }}\n").unwrap();
    let res = render(&out, &["--to", "rst", "--templates", dir.to_str().unwrap()]);
    assert_eq!(res.status.code(), Some(2));
    assert!(
        text(&res.stderr).contains("rst/lifecycle.rst:2:"),
        "{}",
        text(&res.stderr)
    );
    // A file that is no template: named, with the names it could mean.
    std::fs::remove_file(dir.join("rst/lifecycle.rst")).unwrap();
    std::fs::write(dir.join("rst/lifecyle.rst"), "typo\n").unwrap();
    let res = render(&out, &["--to", "rst", "--templates", dir.to_str().unwrap()]);
    assert_eq!(res.status.code(), Some(2));
    let err = text(&res.stderr);
    assert!(
        err.contains("lifecyle.rst") && err.contains("rst/lifecycle.rst"),
        "{err}"
    );
    // Nothing was written by the failed runs.
    assert!(!out.join(".kfuncdoc-manifest").exists() || files_under(&out).len() > 1);
}

#[test]
fn markdown_the_renderer_cannot_convert_is_an_error_at_its_yaml_line() {
    let tmp = TempDir::new("md-err");
    let pol = tmp.0.join("p.yaml");
    std::fs::write(
        &pol,
        "schema: 1\nkfuncs:\n  bpf_new:\n    rationale: |\n      Fine text.\n\n      | a | table |\n      |---|---|\n      | 1 | 2 |\n",
    )
    .unwrap();
    let out = tmp.0.join("out");
    let t = tree("render");
    let res = kfuncdoc(&[
        "render",
        "--to",
        "rst",
        "--source",
        t.to_str().unwrap(),
        "--policy",
        pol.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(2));
    let err = text(&res.stderr);
    assert!(err.contains("p.yaml:7:"), "{err}");
    assert!(err.to_lowercase().contains("table"), "{err}");
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn build_runs_from_a_config_file() {
    let tmp = TempDir::new("build");
    let t = tree("render");
    std::fs::write(
        tmp.0.join("kfuncdoc.yaml"),
        format!(
            "source: {}\npolicy: {}\noutputs:\n  - format: rst\n    out: rst\n    description: kernel-doc\n  - format: markdown\n    flavour: plain\n    out: md\n",
            t.display(),
            root().join(policy()).display()
        ),
    )
    .unwrap();
    let res = kfuncdoc_in(&tmp.0, &["build"]);
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    let err = text(&res.stderr);
    assert!(err.contains("check: 7 kfuncs"), "{err}");
    assert!(tmp.0.join("rst/index.rst").is_file() && tmp.0.join("md/index.md").is_file());
    let res = kfuncdoc_in(&tmp.0, &["build", "--check"]);
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stdout));
    // A config `build` refuses: exit 2, and what its stderr says.
    let refused = |yaml: &str| {
        std::fs::write(tmp.0.join("bad.yaml"), yaml).unwrap();
        let res = kfuncdoc_in(&tmp.0, &["build", "--config", "bad.yaml"]);
        assert_eq!(res.status.code(), Some(2), "{yaml}");
        text(&res.stderr)
    };
    // Bad values, at their positions.
    let err = refused("outputs:\n  - format: rst\n    out: x\n  - format: html\n    out: y\n");
    assert!(
        err.contains("bad.yaml:4:13") && err.contains("format `html` is not one of rst, markdown"),
        "{err}"
    );
    let err = refused("outputs:\n  - format: markdown\n    flavour: hugo\n    out: x\n");
    assert!(
        err.contains("bad.yaml:3:14") && err.contains("`hugo`"),
        "{err}"
    );
    let err = refused("outputs:\n  - format: rst\n    out: x\n    rst_headings: ab\n");
    assert!(
        err.contains("bad.yaml:4:19") && err.contains("rst_headings"),
        "{err}"
    );
    // Two outputs in one directory would remove each other's pages.
    let err = refused(
        "outputs:\n  - format: rst\n    out: site\n  - format: markdown\n    out: ./site/md\n",
    );
    assert!(err.contains("overlap"), "{err}");
    // Every output is rendered before any is written: a template error in
    // the second leaves the first unwritten.
    let tpl = tmp.0.join("tpl/md");
    std::fs::create_dir_all(&tpl).unwrap();
    std::fs::write(tpl.join("index.md"), "{{ nope }}\n").unwrap();
    let err = refused(&format!(
        "source: {}\npolicy: {}\noutputs:\n  - format: rst\n    out: first\n  - format: markdown\n    out: second\n    templates: tpl\n",
        t.display(),
        root().join(policy()).display()
    ));
    assert!(err.contains("index.md:1:"), "{err}");
    assert!(!tmp.0.join("first").exists() && !tmp.0.join("second").exists());
    let err = refused("outputs: []\nsurprise: 1\n");
    assert!(err.contains("bad.yaml:2:"), "{err}");
}

#[test]
fn rst_needs_an_out_directory_or_stdout() {
    assert_eq!(kfuncdoc(&["render", "--to", "rst"]).status.code(), Some(2));
    let res = kfuncdoc(&["render", "--to", "markdown", "--stdout"]);
    assert_eq!(res.status.code(), Some(2));
}
