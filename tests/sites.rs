//! The rendered pages built by the tools that publish them: Sphinx with
//! `-W --keep-going -n` (warnings are errors, every reference must
//! resolve), the kernel's own `make SPHINXDIRS=bpf htmldocs` on the real
//! 6.12 and 7.2 trees (no warning added, not even from the kernel comments
//! the pages include), the `kfuncdoc` directive, `mdbook build` and `mkdocs build
//! --strict`. The tools come from `.ci/tools` (`KFUNCDOC_PYTHON`,
//! `KFUNCDOC_MDBOOK`).

use crate::render::render;
use crate::util::{TempDir, kfuncdoc, real_input, root, tool, tree};
use std::path::Path;
use std::process::Command;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A Sphinx project whose index has one toctree entry, `kfuncs/index`:
/// the pages rendered into `kfuncs/`.
fn sphinx_project_around_kfuncs(dir: &Path) {
    sphinx_project(dir, "");
    std::fs::write(
        dir.join("index.rst"),
        "Test\n====\n\n.. toctree::\n\n   kfuncs/index\n",
    )
    .unwrap();
}

/// A Sphinx project in `dir` whose root page includes `kfuncs/index`, with
/// the kernel's settings that matter here (`Documentation/conf.py`):
/// autosectionlabel with document prefixes and depth 2, the C attributes
/// it declares, no default highlighting. `-n` checks every reference; C
/// type names inside prototypes (`struct task_struct`) name types these
/// pages do not document, so only those are exempt.
pub(crate) fn sphinx_project(dir: &Path, extra_conf: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("conf.py"),
        format!(
            "project = 'kfuncdoc test'\n\
             extensions = ['sphinx.ext.autosectionlabel']\n\
             autosectionlabel_prefix_document = True\n\
             autosectionlabel_maxdepth = 2\n\
             c_id_attributes = ['__user', '__rcu', '__percpu', '__iomem', '__force', '__bpf_kfunc']\n\
             nitpick_ignore_regex = [('c:identifier', '.*')]\n\
             highlight_language = 'none'\n\
             {extra_conf}\n"
        ),
    )
    .unwrap();
}

/// Runs sphinx-build -W --keep-going -n; returns its combined output.
pub(crate) fn sphinx(python: &Path, src: &Path, out: &Path) -> (bool, String) {
    let res = Command::new(python)
        .args([
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-n",
            "-q",
            "-b",
            "html",
        ])
        .arg(src)
        .arg(out)
        .output()
        .expect("sphinx runs");
    (
        res.status.success(),
        format!("{}{}", text(&res.stdout), text(&res.stderr)),
    )
}

fn rst_pages(out: &Path, source: &Path, extra: &[&str]) {
    let mut args = vec![
        "render",
        "--to",
        "rst",
        "--source",
        source.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let res = kfuncdoc(&args);
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
}

#[test]
fn sphinx_builds_the_fixture_pages_without_a_warning() {
    let Some(python) = tool("KFUNCDOC_PYTHON") else {
        return;
    };
    let tmp = TempDir::new("sphinx-fixture");
    let src = tmp.0.join("src");
    sphinx_project_around_kfuncs(&src);
    let out = render(&src.join("kfuncs"), &["--to", "rst"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let (ok, log) = sphinx(&python, &src, &tmp.0.join("html"));
    assert!(ok && log.trim().is_empty(), "{log}");
    // The nasty comment came out as text: the summary, literally.
    let html =
        std::fs::read_to_string(tmp.0.join("html/kfuncs/bpf-core-kfuncs-things.html")).unwrap();
    assert!(
        html.contains("Returns *emphasis*, `code`, |sub| and name_ and [1]_ as text"),
        "summary not literal"
    );
    // docutils turns the label into an id with `-` for `_`.
    assert!(html.contains("id=\"kfuncdoc-kfunc-bpf-new\""));
}

#[test]
fn sphinx_builds_the_real_6_12_pages_without_a_warning() {
    let (Some(python), Some(linux)) = (tool("KFUNCDOC_PYTHON"), real_input("linux-source-6.12"))
    else {
        return;
    };
    let tmp = TempDir::new("sphinx-612");
    let src = tmp.0.join("src");
    sphinx_project_around_kfuncs(&src);
    rst_pages(&src.join("kfuncs"), &linux, &["--include-test-only"]);
    let (ok, log) = sphinx(&python, &src, &tmp.0.join("html"));
    assert!(ok && log.trim().is_empty(), "{log}");
}

#[test]
fn the_directive_renders_in_place() {
    let Some(python) = tool("KFUNCDOC_PYTHON") else {
        return;
    };
    let tmp = TempDir::new("directive");
    let src = tmp.0.join("src");
    let t = tree("render");
    let ext = root().join("templates/sphinx");
    sphinx_project(
        &src,
        &format!(
            "import sys\nsys.path.insert(0, {ext:?})\nextensions.append('kfuncdoc')\n\
             kfuncdoc_bin = {bin:?}\nkfuncdoc_srctree = {tree:?}\n",
            ext = ext.to_string_lossy(),
            bin = env!("CARGO_BIN_EXE_kfuncdoc"),
            tree = t.to_string_lossy(),
        ),
    );
    std::fs::write(
        src.join("index.rst"),
        format!(
            "======\nkfuncs\n======\n\nThe kfuncs of the fixture.\n\n.. kfuncdoc::\n   :policy: {}\n\nAfterwards\n----------\n\nMore text.\n",
            root().join("tests/fixtures/policies/render.yaml").display()
        ),
    )
    .unwrap();
    let (ok, log) = sphinx(&python, &src, &tmp.0.join("html"));
    assert!(ok && log.trim().is_empty(), "{log}");
    let html = std::fs::read_to_string(tmp.0.join("html/index.html")).unwrap();
    assert!(html.contains("bpf_net_thing") && html.contains("Afterwards"));
    // The extension the binary prints is this file.
    let res = kfuncdoc(&["render", "--to", "rst", "--sphinx-extension"]);
    assert_eq!(
        text(&res.stdout),
        std::fs::read_to_string(ext.join("kfuncdoc.py")).unwrap()
    );
}

/// The warning and error lines of a `make htmldocs` log, with the tree's
/// path taken out so that two trees' logs compare.
fn doc_warnings(log: &str, tree: &Path) -> std::collections::BTreeSet<String> {
    let prefix = format!("{}/", tree.display());
    log.lines()
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("warning") || l.contains("error")
        })
        .map(|l| l.replace(&prefix, ""))
        .collect()
}

/// `make SPHINXDIRS=bpf htmldocs` in `tree` with the Python of `python`;
/// its log. The build must succeed.
fn make_htmldocs(python: &Path, tree: &Path) -> String {
    let bin = python.parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let started = std::time::Instant::now();
    let res = Command::new("make")
        .current_dir(tree)
        .env("PATH", path)
        .args(["SPHINXDIRS=bpf", "htmldocs"])
        .output()
        .unwrap();
    let log = format!("{}{}", text(&res.stdout), text(&res.stderr));
    assert!(res.status.success(), "make htmldocs failed:\n{log}");
    eprintln!(
        "note: make SPHINXDIRS=bpf htmldocs in {}: {:.0?}",
        tree.display(),
        started.elapsed()
    );
    log
}

/// The kernel's own `make SPHINXDIRS=bpf htmldocs` on a copy of the real
/// tree (hard links; only new or replaced files differ from the cache),
/// built without the pages, then (incrementally: Sphinx reads only the new
/// and changed pages) with `--description kernel-doc` pages in
/// `Documentation/bpf/kfuncdoc/`: the pages add no warning at all, neither
/// in themselves nor from the comments their `.. kernel-doc::` directives
/// pull in. (Sphinx does not repeat the warnings of pages it does not read
/// again; the kernel's own ones are in the first build.)
fn htmldocs_adds_no_warning(rel: &str) {
    let (Some(python), Some(linux)) = (tool("KFUNCDOC_PYTHON"), real_input(rel)) else {
        return;
    };
    let tmp = TempDir::new("htmldocs");
    let work = tmp.0.join("linux");
    let cp = Command::new("cp")
        .arg("-al")
        .arg(&linux)
        .arg(&work)
        .status()
        .unwrap();
    assert!(cp.success());
    let before = doc_warnings(&make_htmldocs(&python, &work), &work);
    let pages = work.join("Documentation/bpf/kfuncdoc");
    rst_pages(&pages, &work, &["--description", "kernel-doc"]);
    let directives = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .map(|t| t.matches(".. kernel-doc::").count())
        .sum::<usize>();
    let index = work.join("Documentation/bpf/index.rst");
    let text_in = std::fs::read_to_string(&index).unwrap();
    let with = text_in.replacen("   kfuncs\n", "   kfuncs\n   kfuncdoc/index\n", 1);
    assert_ne!(text_in, with);
    // Replace, not write through the hard link into the cache.
    std::fs::remove_file(&index).unwrap();
    std::fs::write(&index, with).unwrap();
    let after = doc_warnings(&make_htmldocs(&python, &work), &work);
    let added: Vec<&String> = after.difference(&before).collect();
    assert!(
        added.is_empty(),
        "{rel}: the pages add {} warning lines:\n{}",
        added.len(),
        added
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The pages do use the directive, and were built.
    assert!(
        directives >= 50,
        "{rel}: only {directives} kernel-doc directives"
    );
    assert!(
        work.join("Documentation/output/bpf/kfuncdoc/index.html")
            .is_file()
    );
}

#[test]
fn the_kernels_own_htmldocs_builds_the_6_12_pages_without_a_new_warning() {
    htmldocs_adds_no_warning("linux-source-6.12");
}

#[test]
fn the_kernels_own_htmldocs_builds_the_7_2_pages_without_a_new_warning() {
    htmldocs_adds_no_warning("linux-source-7.2");
}

/// `mdbook build DIR`: it succeeds and says nothing of warnings or errors.
pub(crate) fn mdbook_build(mdbook: &Path, dir: &Path) {
    let res = Command::new(mdbook).arg("build").arg(dir).output().unwrap();
    assert!(res.status.success(), "{}", text(&res.stderr));
    let log = text(&res.stderr).to_ascii_lowercase();
    assert!(!log.contains("warn") && !log.contains("error"), "{log}");
}

#[test]
fn mdbook_builds_the_site() {
    let Some(mdbook) = tool("KFUNCDOC_MDBOOK") else {
        return;
    };
    let tmp = TempDir::new("mdbook");
    let out = render(&tmp.0, &["--to", "markdown"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    mdbook_build(&mdbook, &tmp.0);
    let html = std::fs::read_to_string(tmp.0.join("book/bpf-core-kfuncs-things.html")).unwrap();
    assert!(html.contains("id=\"bpf_new\""));
    assert!(html.contains("Returns *emphasis*, `code`, |sub| and name_ and [1]_ as text"));
}

#[test]
fn mdbook_builds_the_real_6_12_site() {
    let (Some(mdbook), Some(linux)) = (tool("KFUNCDOC_MDBOOK"), real_input("linux-source-6.12"))
    else {
        return;
    };
    let tmp = TempDir::new("mdbook-612");
    let res = kfuncdoc(&[
        "render",
        "--to",
        "markdown",
        "--source",
        linux.to_str().unwrap(),
        "--out",
        tmp.0.to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    mdbook_build(&mdbook, &tmp.0);
    assert!(tmp.0.join("book/index.html").is_file());
}

#[test]
fn mkdocs_builds_the_site_strictly() {
    let Some(python) = tool("KFUNCDOC_PYTHON") else {
        return;
    };
    let tmp = TempDir::new("mkdocs");
    let out = render(&tmp.0, &["--to", "markdown", "--flavour", "mkdocs"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let res = Command::new(&python)
        .args(["-m", "mkdocs", "build", "--strict", "-q", "-f"])
        .arg(tmp.0.join("mkdocs.yml"))
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}{}",
        text(&res.stdout),
        text(&res.stderr)
    );
    let html =
        std::fs::read_to_string(tmp.0.join("site/bpf-core-kfuncs-things/index.html")).unwrap();
    assert!(
        html.contains("admonition warning"),
        "the deprecation is a Material admonition"
    );
}
