//! The pages of the real 7.2 tree in a real browser: headless Chromium
//! (Debian's `chromium`, which `.ci/test` installs) loads one subsystem
//! page per flavour (Sphinx HTML in the kernel's own theme, mdBook,
//! MkDocs) with a probe script injected into a copy of the page, and
//! `--dump-dom` returns what the script measured after layout: the
//! sidebar's entries, the deprecation admonition, and any signature or
//! table wider than its box that cannot be scrolled. Each site is cut down
//! to the index and the one page, so that a test takes seconds.

use crate::real::{tree_6_12, tree_7_2};
use crate::util::{TempDir, kfuncdoc, tool};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The subsystem page the tests load: it has the 7.2 tree's one
/// deprecated kfunc and its longest signatures.
const PAGE: &str = "scheduler-sched-ext";
const DEPRECATED: &str = "scx_bpf_dsq_insert_vtime";

/// Headless Chromium, when installed (`.ci/test` installs it); absent it
/// fails like a missing tool, or skips with `KFUNCDOC_OFFLINE=1`.
fn chromium() -> Option<PathBuf> {
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        let p = dir.join("chromium");
        if p.is_file() {
            return Some(p);
        }
    }
    if std::env::var_os("KFUNCDOC_OFFLINE").is_some() {
        eprintln!("note: chromium is not installed; skipped (KFUNCDOC_OFFLINE)");
        return None;
    }
    panic!("chromium is not installed: run the tests with .ci/test (apt-get install chromium)");
}

/// Measures the page after layout and writes the result as JSON into
/// `<pre id="kfuncdoc-probe">`. An element is cut when it is wider than
/// its box and neither it nor an ancestor scrolls horizontally.
const PROBE: &str = r#"<script>
window.addEventListener('load', function () {
  function scrolls(e) {
    for (; e && e !== document.body; e = e.parentElement) {
      var o = getComputedStyle(e).overflowX;
      if ((o === 'auto' || o === 'scroll') && e.scrollWidth > e.clientWidth) return true;
    }
    return false;
  }
  var main = document.querySelector(MAIN);
  var right = main.getBoundingClientRect().right;
  var cut = [];
  document.querySelectorAll('dt.sig, table, pre').forEach(function (e) {
    var r = e.getBoundingClientRect();
    var wide = e.scrollWidth > e.clientWidth + 1 || r.right > right + 1;
    if (wide && !scrolls(e)) cut.push(e.tagName + ': ' + e.textContent.slice(0, 80));
  });
  var side = [];
  document.querySelectorAll(SIDEBAR).forEach(function (a) { side.push(a.textContent.trim()); });
  var warn = [];
  document.querySelectorAll(WARNING).forEach(function (w) {
    var c = getComputedStyle(w);
    warn.push({text: w.textContent.trim().slice(0, 200), background: c.backgroundColor, border: c.borderLeftColor});
  });
  var p = document.createElement('pre');
  p.id = 'kfuncdoc-probe';
  p.textContent = JSON.stringify({cut: cut, sidebar: side, warnings: warn});
  document.body.appendChild(p);
});
</script>"#;

#[derive(Debug)]
struct Probe {
    cut: Vec<String>,
    sidebar: Vec<String>,
    /// Text, background colour and left border colour of each warning.
    warnings: Vec<(String, String, String)>,
}

/// Loads a copy of `page` with the probe (selectors for the main column,
/// the sidebar's links and warning admonitions) in a 1280×1000 window.
fn probe(chromium: &Path, page: &Path, main: &str, sidebar: &str, warning: &str) -> Probe {
    probe_at(chromium, page, [main, sidebar, warning], 1280)
}

/// [`probe`] in a window `width` pixels wide.
fn probe_at(
    chromium: &Path,
    page: &Path,
    [main, sidebar, warning]: [&str; 3],
    width: u32,
) -> Probe {
    let html = std::fs::read_to_string(page).unwrap();
    let script = PROBE
        .replace("MAIN", &format!("{main:?}"))
        .replace("SIDEBAR", &format!("{sidebar:?}"))
        .replace("WARNING", &format!("{warning:?}"));
    let at = html.rfind("</body>").expect("a </body>");
    let copy = page.with_extension("probe.html");
    std::fs::write(&copy, format!("{}{script}{}", &html[..at], &html[at..])).unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            &format!("--window-size={width},1000"),
            "--dump-dom",
        ])
        .arg(format!("file://{}", copy.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    const OPEN: &str = "<pre id=\"kfuncdoc-probe\">";
    let start = dom
        .find(OPEN)
        .unwrap_or_else(|| panic!("no probe result in the DOM of {}", page.display()));
    let json = &dom[start + OPEN.len()..];
    let json = html_unescape(&json[..json.find("</pre>").unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let strs = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    Probe {
        cut: strs("cut"),
        sidebar: strs("sidebar"),
        warnings: v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                let s = |k: &str| w[k].as_str().unwrap().to_string();
                (s("text"), s("background"), s("border"))
            })
            .collect(),
    }
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The 7.2 catalog as a file `render --catalog` reads.
fn catalog(dir: &Path) -> Option<PathBuf> {
    let (_, c) = tree_7_2()?;
    let p = dir.join("catalog.json");
    std::fs::write(&p, serde_json::to_string(c).unwrap()).unwrap();
    Some(p)
}

fn render(catalog: &Path, out: &Path, args: &[&str]) {
    let mut all = vec![
        "render",
        "--catalog",
        catalog.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let res = kfuncdoc(&all);
    assert_eq!(
        res.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
}

/// Every group page but `PAGE` cut down to its title (and label), so the
/// site builds fast and the index's toctree still resolves.
fn keep_one_page(dir: &Path, ext: &str) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        if p.extension().is_some_and(|x| x == ext)
            && !["index", PAGE, "SUMMARY", "deprecations", "lifecycle"].contains(&stem.as_str())
        {
            let text = std::fs::read_to_string(&p).unwrap();
            let title_end = match ext {
                "rst" => 7,
                _ => 3,
            };
            let head: Vec<&str> = text.lines().take(title_end).collect();
            std::fs::write(&p, head.join("\n") + "\n").unwrap();
        }
    }
}

#[test]
fn sphinx_page_in_the_kernels_theme() {
    let (Some(python), Some(chromium)) = (tool("KFUNCDOC_PYTHON"), chromium()) else {
        return;
    };
    let Some((linux, _)) = tree_7_2() else { return };
    let tmp = TempDir::new("browser-sphinx");
    let Some(cat) = catalog(&tmp.0) else { return };
    let html = sphinx_site(&python, linux, &cat, &tmp.0);

    let p = probe(
        &chromium,
        &html.join(format!("kfuncs/{PAGE}.html")),
        "div.body",
        "div.kerneltoc li.toctree-l2 > a",
        "div.admonition.warning",
    );
    // Each subsystem once in the sidebar (the index's toctree; its
    // tables sit under rubrics, not same-named sections).
    let groups = p
        .sidebar
        .iter()
        .filter(|s| s.as_str() == "SCHEDULER - SCHED_EXT")
        .count();
    assert_eq!(groups, 1, "{:?}", p.sidebar);
    let mut sorted = p.sidebar.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), p.sidebar.len(), "{:?}", p.sidebar);
    // The deprecation is a coloured warning admonition, not italics.
    let w = p
        .warnings
        .iter()
        .find(|w| w.0.starts_with("Deprecated in"))
        .unwrap_or_else(|| panic!("no deprecation admonition: {:?}", p.warnings));
    assert_ne!(w.1, "rgba(0, 0, 0, 0)", "the admonition has no background");
    assert!(p.cut.is_empty(), "cut off: {:#?}", p.cut);
}

/// Long C signatures in the 6.12 tree's own theme, whose custom.css has
/// no rule for them (7.x's keeps them on one line in a scrolling box): in
/// a narrow window (alabaster's one-column layout) a long name such as
/// `scx_bpf_dispatch_from_dsq_set_slice` or a return type such as
/// `const struct cpumask *` went past the box's edge; the pages' style
/// breaks it or scrolls it.
#[test]
fn long_signatures_wrap_in_the_6_12_theme() {
    let (Some(python), Some(chromium)) = (tool("KFUNCDOC_PYTHON"), chromium()) else {
        return;
    };
    let Some((linux, c)) = tree_6_12() else {
        return;
    };
    let tmp = TempDir::new("browser-sphinx-6-12");
    let cat = tmp.0.join("catalog.json");
    std::fs::write(&cat, serde_json::to_string(c).unwrap()).unwrap();
    let html = sphinx_site(&python, linux, &cat, &tmp.0);
    let page = html.join(format!("kfuncs/{PAGE}.html"));
    let signatures = std::fs::read_to_string(&page)
        .unwrap()
        .matches("<dt class=\"sig sig-object c\"")
        .count();
    assert!(signatures > 20, "{signatures} signatures");
    for width in [700, 1280] {
        let p = probe_at(
            &chromium,
            &page,
            [
                "div.body",
                "div.kerneltoc li.toctree-l2 > a",
                "div.admonition.warning",
            ],
            width,
        );
        assert!(p.cut.is_empty(), "{width} px: cut off: {:#?}", p.cut);
    }
}

/// The Sphinx HTML of the pages of `catalog` (the index and [`PAGE`]) in
/// the theme of the tree `linux`: its Documentation/conf.py's alabaster
/// options, its sidebar template and its CSS. Returns the output
/// directory.
fn sphinx_site(python: &Path, linux: &Path, catalog: &Path, tmp: &Path) -> PathBuf {
    let src = tmp.join("src");
    render(catalog, &src.join("kfuncs"), &["--to", "rst"]);
    keep_one_page(&src.join("kfuncs"), "rst");
    let doc = linux.join("Documentation");
    std::fs::write(
        src.join("conf.py"),
        format!(
            "project = 'kfuncdoc'\n\
             c_id_attributes = ['__user', '__rcu', '__percpu', '__iomem', '__force', '__bpf_kfunc']\n\
             highlight_language = 'none'\n\
             html_theme = 'alabaster'\n\
             templates_path = ['{}']\n\
             html_static_path = ['{}']\n\
             html_theme_options = {{'page_width': '65em', 'sidebar_width': '15em', 'fixed_sidebar': 'true', 'font_size': 'inherit', 'font_family': 'serif'}}\n\
             html_sidebars = {{'**': ['about.html', 'searchbox.html', 'kernel-toc.html', 'sourcelink.html']}}\n",
            doc.join("sphinx/templates").display(),
            doc.join("sphinx-static").display()
        ),
    )
    .unwrap();
    std::fs::write(
        src.join("index.rst"),
        "Test\n====\n\n.. toctree::\n\n   kfuncs/index\n",
    )
    .unwrap();
    let html = tmp.join("html");
    let res = Command::new(python)
        .args(["-m", "sphinx", "-q", "-b", "html"])
        .arg(&src)
        .arg(&html)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    html
}

#[test]
fn mdbook_page_and_index() {
    let (Some(mdbook), Some(chromium)) = (tool("KFUNCDOC_MDBOOK"), chromium()) else {
        return;
    };
    let tmp = TempDir::new("browser-mdbook");
    let Some(cat) = catalog(&tmp.0) else { return };
    let site = tmp.0.join("site");
    render(&cat, &site, &["--to", "markdown"]);
    keep_one_page(&site.join("src"), "md");
    let res = Command::new(&mdbook)
        .arg("build")
        .arg(&site)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let book = site.join("book");
    // The index tables fit: no column is cut off at the content's edge.
    let p = probe(
        &chromium,
        &book.join("index.html"),
        "main",
        "#mdbook-sidebar a, nav#sidebar a",
        ".blockquote-tag-warning",
    );
    assert!(p.cut.is_empty(), "cut off: {:#?}", p.cut);
    let p = probe(
        &chromium,
        &book.join(format!("{PAGE}.html")),
        "main",
        "nav a",
        ".blockquote-tag-warning",
    );
    assert!(p.cut.is_empty(), "cut off: {:#?}", p.cut);
    assert!(
        p.warnings.iter().any(|w| w.0.contains("Deprecated in")),
        "no deprecation alert: {:?}",
        p.warnings
    );
    let page = std::fs::read_to_string(book.join(format!("{PAGE}.html"))).unwrap();
    assert!(page.contains(&format!("id=\"{DEPRECATED}\"")));
}

#[test]
fn mkdocs_page_nests_lists() {
    let (Some(python), Some(chromium)) = (tool("KFUNCDOC_PYTHON"), chromium()) else {
        return;
    };
    let tmp = TempDir::new("browser-mkdocs");
    let Some(cat) = catalog(&tmp.0) else { return };
    let site = tmp.0.join("site");
    render(&cat, &site, &["--to", "markdown", "--flavour", "mkdocs"]);
    keep_one_page(&site.join("docs"), "md");
    let res = Command::new(&python)
        .args(["-m", "mkdocs", "build", "--strict", "-q", "-f"])
        .arg(site.join("mkdocs.yml"))
        .env("NO_MKDOCS_2_WARNING", "1")
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let page = site.join(format!("site/{PAGE}/index.html"));
    let p = probe(
        &chromium,
        &page,
        "article",
        "nav.md-nav--primary a.md-nav__link",
        ".admonition.warning",
    );
    assert!(
        p.warnings.iter().any(|w| w.0.contains("Deprecated in")),
        "no deprecation admonition: {:?}",
        p.warnings
    );
    // Flags and parameters are lists inside the item, as written.
    let html = std::fs::read_to_string(&page).unwrap();
    let nested = html.matches("<li><strong>Flags:</strong>\n<ul>").count()
        + html.matches("<li><strong>Flags:</strong><ul>").count();
    assert!(nested > 0, "flags are not a nested list");
    assert!(
        !html.contains("<li><strong>Flags:</strong></li>"),
        "a flat flags list"
    );
    let _ = p.sidebar;
}

/// Every `Source:` link of the 7.2 pages names the release the pages
/// describe (v7.2.13) and a line of the tree that says what the page says
/// is there: the `BTF_ID_FLAGS` entry, then the definition.
#[test]
fn source_links_point_at_the_release() {
    let Some((linux, _)) = tree_7_2() else { return };
    let tmp = TempDir::new("source-links");
    let Some(cat) = catalog(&tmp.0) else { return };
    let out = tmp.0.join("md");
    let template = "https://elixir.bootlin.com/linux/v{version}/source/{path}#L{line}";
    render(
        &cat,
        &out,
        &[
            "--to",
            "markdown",
            "--flavour",
            "plain",
            "--source-url",
            template,
        ],
    );
    let page = std::fs::read_to_string(out.join(format!("{PAGE}.md"))).unwrap();
    let prefix = "](https://elixir.bootlin.com/linux/v7.2.13/source/";
    let mut checked = 0;
    for line in page.lines().filter(|l| l.starts_with("- **Source:**")) {
        let links: Vec<&str> = line.split(prefix).skip(1).collect();
        // The comment's position too, when the kfunc has one.
        assert!((2..=3).contains(&links.len()), "{line}");
        for (i, l) in links.iter().enumerate() {
            let target = &l[..l.find(')').unwrap()];
            let (path, n) = target.split_once("#L").unwrap();
            let n: usize = n.parse().unwrap();
            let text = std::fs::read_to_string(linux.join(path)).unwrap();
            let at = text.lines().nth(n - 1).unwrap();
            if i == 0 {
                assert!(at.contains("BTF_ID_FLAGS(func, "), "{path}:{n}: {at}");
            } else if i == 2 {
                assert!(at.trim_start().starts_with("/*"), "{path}:{n}: {at}");
            } else {
                assert!(
                    at.contains('(') || at.contains("__bpf_kfunc"),
                    "{path}:{n}: {at}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} links checked");
    // Without a template, no links.
    let plain = tmp.0.join("plain");
    render(&cat, &plain, &["--to", "markdown", "--flavour", "plain"]);
    let page = std::fs::read_to_string(plain.join(format!("{PAGE}.md"))).unwrap();
    assert!(!page.contains("https://elixir"));
    // A bad template is refused: on the command line, and in the config
    // at its line.
    let res = kfuncdoc(&[
        "render",
        "--to",
        "rst",
        "--catalog",
        cat.to_str().unwrap(),
        "--out",
        tmp.0.join("x").to_str().unwrap(),
        "--source-url",
        "https://x/{file}",
    ]);
    assert_eq!(res.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&res.stderr).contains("unknown placeholder `{file}`"));
    let config = tmp.0.join("kfuncdoc.yaml");
    std::fs::write(
        &config,
        format!(
            "source: {}\noutputs:\n  - format: rst\n    out: x\n    source_url: \"ftp://x/{{path}}\"\n",
            linux.display()
        ),
    )
    .unwrap();
    let res = kfuncdoc(&["build", "--config", config.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{err}");
    assert!(err.contains("kfuncdoc.yaml:5:"), "{err}");
    assert!(err.contains("not an http:// or https:// URL"), "{err}");
}
