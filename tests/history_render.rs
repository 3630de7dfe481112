//! A history on the pages (`render --history`, issue 12): a real history
//! folded from the 6.1, 6.12 and 7.2 trees with the library, rendered with
//! the 7.2 tree, held to the kfuncs each tree registers as read by a naive
//! grep of its source (`BTF_ID_FLAGS(func, NAME`), to the shipped policy,
//! and built by Sphinx (`-n -W`) and mdBook.

use crate::real::{tree_6_1, tree_6_12, tree_7_2};
use crate::sites::{mdbook_build, sphinx, sphinx_project};
use crate::util::{TempDir, kfuncdoc, tool};
use kfuncdoc::history::model::History;
use kfuncdoc::history::{Input, fold, to_json};
use kfuncdoc::model::Catalog;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn shipped() -> kfuncdoc::policy::Policy {
    kfuncdoc::policy::parse(
        kfuncdoc::commands::SHIPPED_POLICY_NAME,
        kfuncdoc::commands::SHIPPED_POLICY,
    )
    .unwrap_or_else(|e| panic!("{e:?}"))
}

/// The history of 6.1 → 6.12 → 7.2, folded once per run.
fn history() -> Option<&'static History> {
    static H: OnceLock<Option<History>> = OnceLock::new();
    H.get_or_init(|| {
        let cats = [tree_6_1()?, tree_6_12()?, tree_7_2()?];
        let inputs = cats
            .iter()
            .map(|(_, c)| Input::snapshot(c.clone(), None).unwrap())
            .collect();
        Some(fold(inputs, &shipped()).unwrap())
    })
    .as_ref()
}

/// The names a tree registers, by a naive grep: `BTF_ID_FLAGS(func, NAME`
/// in the kernel's C files (not tools/, where the selftests' modules are).
fn grep_kfuncs(tree: &Path) -> BTreeSet<String> {
    let out = Command::new("grep")
        .args(["-rhoE", "--include=*.c", "--exclude-dir=tools"])
        .arg(r"BTF_ID_FLAGS\(func, *[A-Za-z_][A-Za-z_0-9]*")
        .arg(tree)
        .output()
        .unwrap();
    text(&out.stdout)
        .lines()
        .filter_map(|l| l.split(',').nth(1))
        .map(|n| n.trim().to_string())
        .collect()
}

/// The three trees' registered names, grepped once.
fn grepped() -> Option<&'static [BTreeSet<String>; 3]> {
    static G: OnceLock<Option<[BTreeSet<String>; 3]>> = OnceLock::new();
    G.get_or_init(|| {
        Some([
            grep_kfuncs(&tree_6_1()?.0),
            grep_kfuncs(&tree_6_12()?.0),
            grep_kfuncs(&tree_7_2()?.0),
        ])
    })
    .as_ref()
}

/// The history and the 7.2 catalog written into `dir`.
fn inputs(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let h = history()?;
    let (_, new) = tree_7_2()?;
    let hp = dir.join("history.json");
    std::fs::write(&hp, to_json(h)).unwrap();
    let cp = dir.join("7.2.json");
    std::fs::write(&cp, serde_json::to_string(new as &Catalog).unwrap()).unwrap();
    Some((hp, cp))
}

/// `render --to TO --catalog 7.2 --history H --out OUT`; the out dir.
fn render(dir: &Path, to: &str, extra: &[&str]) -> Option<PathBuf> {
    let (hp, cp) = inputs(dir)?;
    let out = dir.join(format!("out-{to}"));
    let mut args = vec![
        "render",
        "--to",
        to,
        "--catalog",
        cp.to_str().unwrap(),
        "--history",
        hp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let res = kfuncdoc(&args);
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    Some(out)
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The line of `page` that starts the entry of `name` (`- ``name``: ...`).
fn entry<'a>(page: &'a str, name: &str) -> Option<&'a str> {
    let head = format!("- `{name}`:");
    page.lines().find(|l| l.starts_with(&head))
}

#[test]
fn the_removed_page_lists_every_6_1_and_6_12_kfunc_gone_by_7_2_with_its_bounds() {
    let tmp = TempDir::new("hist-removed");
    let (Some(out), Some(g)) = (render(&tmp.0, "markdown", &[]), grepped()) else {
        return;
    };
    let page = read(out.join("src/removed-kfuncs.md"));
    let policy = shipped();
    let (_, c72) = tree_7_2().unwrap();
    // Every kfunc the 6.1 or 6.12 source registers and the 7.2 source
    // does not (and kfuncdoc does not find in 7.2 either), test-only ones
    // aside, is on the page, with when it went as the trees say.
    let mut checked = 0;
    for name in g[0].union(&g[1]) {
        if g[2].contains(name) || c72.get(name).is_some() {
            continue;
        }
        let (_, c61) = tree_6_1().unwrap();
        let (_, c612) = tree_6_12().unwrap();
        let test_only = c612
            .get(name)
            .or_else(|| c61.get(name))
            .is_none_or(|k| k.test_only);
        if test_only {
            continue;
        }
        let line = entry(&page, name).unwrap_or_else(|| panic!("{name} not on the page"));
        let policy_removed = policy
            .kfuncs
            .get(name)
            .and_then(|e| e.removed_in.as_ref())
            .map(|r| r.value.to_string());
        let expected = match policy_removed {
            Some(r) => r,
            None if g[1].contains(name) => "6.13–7.2".to_string(),
            None => "6.2–6.12".to_string(),
        };
        let last = if g[1].contains(name) { "6.12" } else { "6.1" };
        assert!(
            line.contains(&format!("last seen {last}, removed in {expected}")),
            "{line}"
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} removed kfuncs checked");
    // Nothing on it that 7.2 has.
    for l in page.lines().filter(|l| l.starts_with("- `")) {
        let name = l[3..].split('`').next().unwrap();
        assert!(!g[2].contains(name), "{name} is in 7.2");
    }
    // The policy's replacement: cgroup rstat moved to css_rstat_* (6.16).
    let rstat = entry(&page, "cgroup_rstat_updated").expect("cgroup_rstat_updated");
    assert!(rstat.contains("removed in 6.16"), "{rstat}");
    let next = page
        .lines()
        .skip_while(|l| *l != rstat)
        .nth(1)
        .unwrap_or_default();
    assert!(
        next.contains("[`css_rstat_updated`](") && next.contains("(per the policy)"),
        "{next}"
    );
    // On the index and the mdBook summary.
    assert!(read(out.join("src/SUMMARY.md")).contains("[Removed kfuncs](removed-kfuncs.md)"));
    assert!(read(out.join("src/index.md")).contains("[Changes by release](changes-by-release.md)"));
}

#[test]
fn since_comes_from_the_policy_first_then_the_history_with_honest_bounds() {
    let tmp = TempDir::new("hist-since");
    let (Some(out), Some(g)) = (render(&tmp.0, "markdown", &[]), grepped()) else {
        return;
    };
    let index = read(out.join("src/index.md"));
    let row = |name: &str| {
        let head = format!("| [`{name}`](");
        index
            .lines()
            .find(|l| l.starts_with(&head))
            .unwrap_or_else(|| panic!("{name} not in the index"))
            .to_string()
    };
    let since = |name: &str| row(name).split(" | ").nth(2).unwrap().to_string();
    let policy = shipped();
    let policy_since = |n: &str| policy.kfuncs.get(n).and_then(|e| e.since.as_ref());
    // New in 7.2 (neither 6.1 nor 6.12 registers it): "6.13–7.2".
    let new: Vec<&String> = g[2]
        .iter()
        .filter(|n| !g[0].contains(*n) && !g[1].contains(*n))
        .filter(|n| policy_since(n).is_none() && !n.contains("test"))
        .filter(|n| index.contains(&format!("| [`{n}`](")))
        .collect();
    assert!(new.len() >= 10, "{new:?}");
    for n in &new {
        assert_eq!(since(n), "6.13–7.2", "{n}");
    }
    // In 6.1 already: "≤ 6.1".
    assert_eq!(since("bpf_ct_insert_entry"), "≤ 6.1");
    // Between 6.1 and 6.12: "6.2–6.12" (bpf_iter_css_new, 6.7).
    assert!(!g[0].contains("bpf_iter_css_new") && g[1].contains("bpf_iter_css_new"));
    assert_eq!(since("bpf_iter_css_new"), "6.2–6.12");
    // The policy wins: 5.18 for bpf_xdp_ct_lookup (the history says ≤ 6.1),
    // 6.16 for css_rstat_updated (the history says 6.13–7.2).
    assert_eq!(since("bpf_xdp_ct_lookup"), "5.18");
    assert_eq!(since("css_rstat_updated"), "6.16");

    // The kfunc pages: where the since comes from, and the age factor.
    let page_of = |name: &str| {
        let r = row(name);
        let file = r.split("](").nth(1).unwrap().split('#').next().unwrap();
        read(out.join("src").join(file))
    };
    let section = |name: &str| {
        let p = page_of(name);
        let start = p
            .find(&format!("\n## {name}\n"))
            .unwrap_or_else(|| panic!("{name}"));
        let rest = &p[start + 1..];
        let end = rest.find("\n## ").map_or(rest.len(), |e| e + 1);
        rest[..end].to_string()
    };
    let css = section("bpf_iter_css_new");
    // 6.2 → 7.2 is 21 releases (6.3 … 6.19, 7.0, 7.1, 7.2), 6.12 → 7.2 is 10.
    assert!(
        css.contains("- **Since:** 6.2–6.12 (from the release history)"),
        "{css}"
    );
    assert!(
        css.contains("in the kernel since 6.2–6.12: between 10 and 20 releases before 7.2"),
        "{css}"
    );
    let obj = section("bpf_ct_insert_entry");
    assert!(
        obj.contains("in the kernel since 6.1 or earlier, at least 21 releases before 7.2"),
        "{obj}"
    );
    let ct = section("bpf_xdp_ct_lookup");
    assert!(ct.contains("- **Since:** 5.18\n"), "{ct}");
    assert!(ct.contains("- Age: since 5.18, "), "{ct}");
    // The history list: css_rstat_updated arrived with the rename.
    let rstat = section("css_rstat_updated");
    assert!(rstat.contains("**History**"), "{rstat}");
    assert!(rstat.contains("- 6.13–7.2: "), "{rstat}");
}

#[test]
fn changes_by_release_shows_what_arrived_in_each_release_newest_first() {
    let tmp = TempDir::new("hist-releases");
    let (Some(out), Some(h)) = (render(&tmp.0, "markdown", &[]), history()) else {
        return;
    };
    let page = read(out.join("src/changes-by-release.md"));
    let a = page.find("## <a id=\"kfuncdoc-release-7-2\"></a>Linux 6.13–7.2");
    let b = page.find("## <a id=\"kfuncdoc-release-6-12\"></a>Linux 6.2–6.12");
    assert!(a.is_some() && b.is_some() && a < b, "{page}");
    // As many entries as the history's changes of each release.
    let (newer, older) = page.split_at(b.unwrap());
    for (part, label) in [(newer, "7.2"), (older, "6.12")] {
        let n = part.lines().filter(|l| l.starts_with("- **")).count();
        assert_eq!(n, h.changes_in(label).len(), "{label}");
    }
    assert!(newer.contains("css_rstat_updated"));
}

#[test]
fn the_rst_pages_with_a_history_build_in_sphinx_nitpicky() {
    let tmp = TempDir::new("hist-rst");
    let Some(out) = render(&tmp.0, "rst", &[]) else {
        return;
    };
    let index = read(out.join("index.rst"));
    assert!(index.contains("   removed-kfuncs\n") && index.contains("   changes-by-release\n"));
    let Some(python) = tool("KFUNCDOC_PYTHON") else {
        return;
    };
    let src = tmp.0.join("sphinx");
    sphinx_project(&src, "");
    std::fs::write(
        src.join("index.rst"),
        "Kfuncs\n======\n\n.. toctree::\n\n   kfuncs/index\n",
    )
    .unwrap();
    std::fs::rename(&out, src.join("kfuncs")).unwrap();
    let (ok, log) = sphinx(&python, &src, &tmp.0.join("html"));
    assert!(ok && log.trim().is_empty(), "{log}");
    let html = read(tmp.0.join("html/kfuncs/removed-kfuncs.html"));
    assert!(html.contains("cgroup_rstat_updated"));
}

#[test]
fn the_markdown_pages_with_a_history_build_in_mdbook() {
    let tmp = TempDir::new("hist-mdbook");
    let Some(out) = render(&tmp.0, "markdown", &[]) else {
        return;
    };
    let Some(mdbook) = tool("KFUNCDOC_MDBOOK") else {
        return;
    };
    mdbook_build(&mdbook, &out);
    assert!(read(out.join("book/changes-by-release.html")).contains("Changes by release"));
}

#[test]
fn a_bad_history_is_an_error_naming_its_position_and_writes_nothing() {
    let tmp = TempDir::new("hist-bad");
    let Some((hp, cp)) = inputs(&tmp.0) else {
        return;
    };
    let whole = std::fs::read_to_string(&hp).unwrap();
    let cut = tmp.0.join("cut.json");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let other = tmp.0.join("schema.json");
    std::fs::write(&other, whole.replacen("\"schema\": 1", "\"schema\": 99", 1)).unwrap();
    for (file, at) in [(&cut, ":"), (&other, ":1:1")] {
        let out = tmp.0.join("out");
        let res = kfuncdoc(&[
            "render",
            "--to",
            "markdown",
            "--catalog",
            cp.to_str().unwrap(),
            "--history",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(res.status.code(), Some(2));
        let err = text(&res.stderr);
        assert!(err.contains(&format!("{}{at}", file.display())), "{err}");
        assert!(!out.exists());
    }
}

#[test]
fn without_a_history_the_context_has_none_of_it() {
    let tmp = TempDir::new("hist-none");
    let Some((_, cp)) = inputs(&tmp.0) else {
        return;
    };
    let res = kfuncdoc(&[
        "render",
        "--to",
        "markdown",
        "--catalog",
        cp.to_str().unwrap(),
        "--context",
    ]);
    assert_eq!(res.status.code(), Some(0));
    let json = text(&res.stdout);
    for key in [
        "\"history\"",
        "\"since_from\"",
        "\"prog_types_since\"",
        "\"at_least\"",
    ] {
        assert!(!json.contains(key), "{key}");
    }
}

#[test]
fn build_reads_history_and_commit_url_relative_to_its_config() {
    let tmp = TempDir::new("hist-build");
    let cfg = tmp.0.join("kfuncdoc.yaml");
    let run = |yaml: &str| {
        std::fs::write(&cfg, yaml).unwrap();
        kfuncdoc(&["build", "--config", cfg.to_str().unwrap()])
    };
    // A commit URL without `{id}`: an error at its line.
    let res = run(
        "source: linux\ncommit_url: \"https://example.org/c/\"\noutputs:\n  - format: markdown\n    out: site\n",
    );
    assert_eq!(res.status.code(), Some(2));
    let err = text(&res.stderr);
    assert!(
        err.contains("kfuncdoc.yaml:2") && err.contains("{id}"),
        "{err}"
    );
    // The history is read relative to the file, before anything else.
    std::fs::write(tmp.0.join("h.json"), "{\"schema\": 1, \"releases\": [").unwrap();
    let res =
        run("source: linux\nhistory: h.json\noutputs:\n  - format: markdown\n    out: site\n");
    assert_eq!(res.status.code(), Some(2));
    let err = text(&res.stderr);
    assert!(
        err.contains(&format!("{}:1:", tmp.0.join("h.json").display())),
        "{err}"
    );
    assert!(!tmp.0.join("site").exists());
}
