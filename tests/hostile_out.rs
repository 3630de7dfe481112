//! Issue 10 on the output side: what `render` does to `--out` and with
//! template overrides when the inputs, the directory or another run are
//! hostile. Every child runs under a timeout, so that a hang fails the
//! test instead of stalling the suite.

use crate::real::tree_7_2;
use crate::util::{TempDir, copy_tree, files_under, root, tree};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const POLICY: &str = "tests/fixtures/policies/render.yaml";

/// The kfuncdoc command for `render --to FORMAT` on `src` into `out`.
fn render_cmd(src: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kfuncdoc"));
    c.args(["render", "--source"])
        .arg(src)
        .arg("--policy")
        .arg(root().join(POLICY))
        .arg("--out")
        .arg(out)
        .args(extra);
    c
}

/// Runs `c` to the end, killing it (and failing) after `limit`.
fn run_within(mut c: Command, limit: Duration) -> Output {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kfuncdoc runs");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("kfuncdoc did not finish in {limit:?}: {c:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run(c: Command) -> Output {
    run_within(c, Duration::from_secs(120))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The manifest's entries in `out`.
fn manifest(out: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(out.join(".kfuncdoc-manifest")).unwrap();
    let mut v: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

/// The files under `out` other than the manifest and the lock.
fn pages(out: &Path) -> Vec<String> {
    files_under(out)
        .into_iter()
        .filter(|f| f != ".kfuncdoc-manifest" && f != ".kfuncdoc-lock")
        .collect()
}

/// A process id that is not running: a child's that has exited.
fn dead_pid() -> u32 {
    let mut c = Command::new("true").spawn().unwrap();
    let pid = c.id();
    c.wait().unwrap();
    pid
}

#[test]
fn concurrent_renders_leave_a_manifest_that_lists_every_page() {
    let tmp = TempDir::new("race");
    let out = tmp.0.join("out");
    let a = tree("render");
    let b = tree("linux-6.12-era");
    for round in 0..3 {
        let mut children: Vec<_> = [&a, &b]
            .iter()
            .map(|src| {
                render_cmd(src, &out, &["--to", "rst"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children.iter_mut() {
            let start = Instant::now();
            while c.try_wait().unwrap().is_none() {
                assert!(start.elapsed() < Duration::from_secs(120), "hung");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert_eq!(o.status.code(), Some(0), "round {round}: {}", stderr(&o));
        }
        // Whichever ran second: its manifest lists exactly what is there.
        assert_eq!(manifest(&out), pages(&out), "round {round}");
    }
}

#[test]
fn a_run_that_cannot_get_the_lock_names_the_directory_and_the_holder() {
    let tmp = TempDir::new("lock");
    let out = tmp.0.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let lock = std::fs::File::create(out.join(".kfuncdoc-lock")).unwrap();
    lock.lock().unwrap();
    for extra in [&["--to", "rst"][..], &["--to", "rst", "--check"]] {
        let mut c = render_cmd(&tree("render"), &out, extra);
        c.env("KFUNCDOC_LOCK_WAIT", "1");
        let o = run(c);
        assert_eq!(o.status.code(), Some(2), "{extra:?}");
        let err = stderr(&o);
        assert!(err.contains(&out.display().to_string()), "{err}");
        assert!(
            err.contains(&format!("process {}", std::process::id())),
            "{err}"
        );
    }
    assert_eq!(pages(&out), Vec::<String>::new(), "nothing written");
    lock.unlock().unwrap();
    let o = run(render_cmd(&tree("render"), &out, &["--to", "rst"]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn leftovers_of_a_killed_run_are_out_of_date_and_removed() {
    let tmp = TempDir::new("kill9");
    let out = tmp.0.join("out");
    let t = tree("render");
    assert_eq!(
        run(render_cmd(&t, &out, &["--to", "rst"])).status.code(),
        Some(0)
    );
    // What `kill -9` during a write leaves: a temporary file of a dead
    // process; and one of a live process that is not kfuncdoc.
    let dead = format!(".index.rst.kfuncdoc-{}.tmp", dead_pid());
    let alive = format!(".lifecycle.rst.kfuncdoc-{}.tmp", std::process::id());
    std::fs::write(out.join(&dead), "half a page").unwrap();
    std::fs::write(out.join(&alive), "half a page").unwrap();
    // Not ours: another name, and a directory with our name.
    std::fs::write(out.join(".index.rst.other-1.tmp"), "x").unwrap();
    std::fs::create_dir(out.join(".x.kfuncdoc-1.tmp")).unwrap();
    let o = run(render_cmd(&t, &out, &["--to", "rst", "--check"]));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(said.contains(&dead) && said.contains(&alive), "{said}");
    assert!(!said.contains("up to date"), "{said}");
    let o = run(render_cmd(&t, &out, &["--to", "rst"]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("removed 2 temporary files"),
        "{}",
        stderr(&o)
    );
    assert!(!out.join(&dead).exists() && !out.join(&alive).exists());
    assert!(out.join(".index.rst.other-1.tmp").exists() && out.join(".x.kfuncdoc-1.tmp").is_dir());
    let o = run(render_cmd(&t, &out, &["--to", "rst", "--check"]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn the_manifest_never_removes_a_hand_written_file() {
    let tmp = TempDir::new("manifest");
    let out = tmp.0.join("out");
    let t = tree("render");
    assert_eq!(
        run(render_cmd(&t, &out, &["--to", "rst"])).status.code(),
        Some(0)
    );
    let outside = tmp.0.join("outside.rst");
    std::fs::write(&outside, ".. Generated by kfuncdoc\n").unwrap();
    std::fs::write(out.join("notes.rst"), "Our notes, by hand.\n").unwrap();
    std::os::unix::fs::symlink(&outside, out.join("link.rst")).unwrap();
    let mut m = std::fs::read_to_string(out.join(".kfuncdoc-manifest")).unwrap();
    m.push_str("notes.rst\nlink.rst\n../outside.rst\n/etc/hostname\n");
    std::fs::write(out.join(".kfuncdoc-manifest"), m).unwrap();
    let o = run(render_cmd(&t, &out, &["--to", "rst"]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("notes.rst: left in place"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.rst")).unwrap(),
        "Our notes, by hand.\n"
    );
    assert!(outside.exists() && out.join("link.rst").is_symlink());
    assert!(Path::new("/etc/hostname").exists());
}

#[test]
fn out_is_never_the_root_a_home_or_the_tree() {
    let tmp = TempDir::new("refuse");
    let src = tmp.0.join("linux");
    copy_tree(&tree("render"), &src);
    let home = tmp.0.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let refused = |out: &Path, what: &str| {
        // `--check` writes nothing, should the refusal ever regress.
        let mut c = render_cmd(&src, out, &["--to", "rst", "--check"]);
        c.env("HOME", &home);
        let o = run(c);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}: {}",
            out.display(),
            stderr(&o)
        );
        assert!(stderr(&o).contains(what), "{}", stderr(&o));
    };
    refused(Path::new("/"), "is the root directory");
    refused(
        &src.join("../../../../../../../../.."),
        "is the root directory",
    );
    refused(&home, "is the home directory");
    refused(&src, "is the kernel source tree");
    refused(&tmp.0, "contains the kernel source tree");
    refused(&src.join("Documentation/.."), "is the kernel source tree");
    std::os::unix::fs::symlink(&src, tmp.0.join("l")).unwrap();
    refused(&tmp.0.join("l"), "is the kernel source tree");
    // The real home of the user, whatever $HOME says.
    if let Some(real) = std::env::home_dir().filter(|h| h != Path::new("/")) {
        refused(&real, "is the home directory");
    }
    // Inside the tree is where the kernel's pages go.
    let docs = src.join("Documentation/bpf/kfuncs");
    let o = run(render_cmd(&src, &docs, &["--to", "rst"]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A build config is held to the same rule.
    std::fs::write(
        tmp.0.join("kfuncdoc.yaml"),
        format!(
            "source: linux\npolicy: {}\noutputs:\n  - format: rst\n    out: linux\n",
            root().join(POLICY).display()
        ),
    )
    .unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_kfuncdoc"));
    c.current_dir(&tmp.0).args(["build", "--check"]);
    let o = run(c);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is the kernel source tree"),
        "{}",
        stderr(&o)
    );
}

/// Renders the render fixture with the overrides in `tpl` into a fresh
/// directory, within a timeout.
fn with_overrides(tmp: &TempDir, tpl: &Path, env: &[(&str, &str)]) -> (Output, PathBuf) {
    let out = tmp.0.join("out");
    let _ = std::fs::remove_dir_all(&out);
    let mut c = render_cmd(
        &tree("render"),
        &out,
        &["--to", "rst", "--templates", tpl.to_str().unwrap()],
    );
    for (k, v) in env {
        c.env(k, v);
    }
    (run_within(c, Duration::from_secs(90)), out)
}

#[test]
fn overrides_are_regular_files_inside_their_directory() {
    let tmp = TempDir::new("ovr");
    let tpl = tmp.0.join("tpl");
    std::fs::create_dir_all(tpl.join("rst")).unwrap();
    // `a -> .` and `b -> .`: loading used to never end.
    std::os::unix::fs::symlink(".", tpl.join("a")).unwrap();
    std::os::unix::fs::symlink(".", tpl.join("rst/b")).unwrap();
    let (o, out) = with_overrides(&tmp, &tpl, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("links to directories are not followed"));
    assert!(!out.exists());
    std::fs::remove_file(tpl.join("a")).unwrap();
    std::fs::remove_file(tpl.join("rst/b")).unwrap();
    // The environment (a CI token) never reaches a page or a message.
    let secret = "kfuncdoc-secret-5f2b9c";
    for target in ["/proc/self/environ", "/proc/thread-self/environ"] {
        let _ = std::fs::remove_file(tpl.join("rst/index.rst"));
        std::os::unix::fs::symlink(target, tpl.join("rst/index.rst")).unwrap();
        let (o, out) = with_overrides(&tmp, &tpl, &[("CI_TOKEN", secret)]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("rst/index.rst") && err.contains("outside"),
            "{err}"
        );
        assert!(!err.contains(secret) && !out.exists());
    }
    // Through the override directory itself.
    let mut c = render_cmd(
        &tree("render"),
        &tmp.0.join("out"),
        &["--to", "rst", "--templates", "/proc/self"],
    );
    c.env("CI_TOKEN", secret);
    let o = run(c);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains(secret));
    // A FIFO named like a template.
    std::fs::remove_file(tpl.join("rst/index.rst")).unwrap();
    let made = Command::new("mkfifo")
        .arg(tpl.join("rst/index.rst"))
        .status()
        .unwrap();
    assert!(made.success());
    let (o, _) = with_overrides(&tmp, &tpl, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("FIFO"), "{}", stderr(&o));
}

#[test]
fn template_bombs_stop_with_the_template_named() {
    let tmp = TempDir::new("bombs");
    let tpl = tmp.0.join("tpl");
    std::fs::create_dir_all(tpl.join("rst")).unwrap();
    let marker = ".. Generated by kfuncdoc\n";
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
    let cases: &[Case] = &[
        (
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
            "range",
            &[],
        ),
        (
            "{% set_global s = \"0123456789abcdef\" %}{% for i in range(end=64) %}{% set_global s = s ~ s %}{% endfor %}{{ s | length }}",
            "memory",
            &[],
        ),
        (
            "{% for i in range(end=1000000) %}0123456789abcdefg{% endfor %}",
            "MiB",
            &[],
        ),
        // Loops over the context: no `range` to count, only time.
        (
            "{% for a in pages %}{% for b in pages %}{% for c in pages %}{% for d in pages %}{% for e in pages %}{% for f in pages %}{% for g in pages %}{% for h in pages %}{% for i in pages %}{% for j in pages %}{% for k in pages %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
            "did not finish rendering in 2 s",
            &[("KFUNCDOC_RENDER_TIMEOUT", "2")],
        ),
    ];
    for (body, says, env) in cases {
        std::fs::write(tpl.join("rst/lifecycle.rst"), format!("{marker}{body}\n")).unwrap();
        let (o, out) = with_overrides(&tmp, &tpl, env);
        assert_eq!(o.status.code(), Some(2), "{body}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("rst/lifecycle.rst"), "{err}");
        assert!(err.contains(says), "{body}: {err}");
        assert!(!out.exists(), "nothing is written");
    }
    // tera's load-time report (several lines, its own names) becomes one
    // line at the override's file and position.
    std::fs::write(
        tpl.join("rst/lifecycle.rst"),
        format!("{marker}{{{{ 1 | nofilter }}}}\n"),
    )
    .unwrap();
    let (o, _) = with_overrides(&tmp, &tpl, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("tpl/rst/lifecycle.rst:2:8: Unknown filter `nofilter`")
            && err.lines().count() == 1,
        "{err}"
    );
    // An override that drops the generated line: refused before writing,
    // since kfuncdoc could never update or remove its pages.
    std::fs::write(tpl.join("rst/lifecycle.rst"), "Our page\n").unwrap();
    let (o, out) = with_overrides(&tmp, &tpl, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("rst/lifecycle.rst:1: the first line"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

/// Whether two of `files` name one file on a case-insensitive system.
fn clash(files: &[String]) -> Option<String> {
    let mut seen = std::collections::BTreeSet::new();
    files
        .iter()
        .find(|f| !seen.insert(f.to_lowercase()))
        .cloned()
}

#[test]
fn a_section_named_like_a_fixed_file_gets_its_own_stem() {
    let tmp = TempDir::new("stems");
    let src = tmp.0.join("linux");
    copy_tree(&tree("render"), &src);
    let m = std::fs::read_to_string(src.join("MAINTAINERS")).unwrap();
    let title = "BPF [CORE] *kfuncs* | `things`_";
    assert!(m.contains(title));
    for (name, flavour, fixed, page) in [
        ("SUMMARY", "mdbook", "src/SUMMARY.md", "src/summary-2.md"),
        ("README", "mdbook", "src/index.md", "src/readme-2.md"),
        ("Index", "mkdocs", "docs/index.md", "docs/index-2.md"),
        ("mkdocs", "mkdocs", "mkdocs.yml", "docs/mkdocs-2.md"),
    ] {
        std::fs::write(src.join("MAINTAINERS"), m.replace(title, name)).unwrap();
        let out = tmp.0.join(format!("out-{name}"));
        let o = run(render_cmd(
            &src,
            &out,
            &["--to", "markdown", "--flavour", flavour],
        ));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let files = files_under(&out);
        assert!(files.contains(&fixed.to_string()), "{files:?}");
        assert!(files.contains(&page.to_string()), "{name}: {files:?}");
        assert_eq!(clash(&files), None);
    }
}

#[test]
fn the_real_7_2_tree_renders_into_its_documentation_but_not_over_itself() {
    let Some((src, _)) = tree_7_2() else { return };
    for out in [src.clone(), src.join(".."), src.join("Documentation/..")] {
        let o = run(render_cmd(src, &out, &["--to", "rst", "--check"]));
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("kernel source tree"), "{}", stderr(&o));
    }
    // Every flavour of the real pages: file names apart without case, and
    // every file says it was generated (so a later run may remove it).
    let tmp = TempDir::new("real72");
    for flavour in ["mdbook", "mkdocs"] {
        let out = tmp.0.join(flavour);
        let o = run(render_cmd(
            src,
            &out,
            &["--to", "markdown", "--flavour", flavour],
        ));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let files = pages(&out);
        assert!(files.len() > 20, "{files:?}");
        assert_eq!(clash(&files), None);
        for f in &files {
            let text = std::fs::read_to_string(out.join(f)).unwrap();
            let first = text.lines().next().unwrap_or_default().to_lowercase();
            assert!(first.contains("generated by kfuncdoc"), "{f}: {first}");
        }
        assert_eq!(manifest(&out), files);
    }
}
