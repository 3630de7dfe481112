//! `history --git` (issue 12): catalogs read from git objects against the
//! real extractor on a checkout made by the git CLI (the oracle), and the
//! commits found as introducing each change.
//!
//! Real: the repository `.ci/git-history-repo` builds from the Debian
//! 6.1, 6.12 and 7.2 trees (cached; rebuilt when its stamp changes), with
//! hand-made commits between v6.12 and v7.2. Corner cases: small
//! repositories built here with the git CLI from a fixture tree.

use crate::util::real_input;
use kfuncdoc::history::git::{GitRelease, TagSpec, read_git};
use kfuncdoc::model::Catalog;
use kfuncdoc::source::extract;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shipped() -> kfuncdoc::policy::Policy {
    kfuncdoc::policy::parse(
        kfuncdoc::commands::SHIPPED_POLICY_NAME,
        kfuncdoc::commands::SHIPPED_POLICY,
    )
    .unwrap_or_else(|e| panic!("{e:?}"))
}

/// An empty git configuration: the user's own never reaches the tests.
fn empty_config() -> PathBuf {
    let p = std::env::temp_dir().join(format!("kfuncdoc-hg-gitconfig-{}", std::process::id()));
    if !p.exists() {
        std::fs::write(&p, "").unwrap();
    }
    p
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", empty_config())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kfuncdoc-hg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The oracle: `extract --source` on a checkout of `rev` made by `git archive`.
fn checkout_catalog(repo: &Path, rev: &str, scratch: &Path) -> Catalog {
    let dir = scratch.join(rev.replace('/', "_"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "git --git-dir='{}' archive '{rev}' | tar -x -C '{}'",
            repo.join(if repo.join(".git").exists() {
                ".git"
            } else {
                ""
            })
            .display(),
            dir.display()
        ))
        .status()
        .unwrap();
    assert!(status.success(), "git archive {rev}");
    let c = extract(&dir).unwrap_or_else(|e| panic!("{rev}: {e}"));
    std::fs::remove_dir_all(&dir).unwrap();
    c
}

fn assert_same(tag: &str, got: &Catalog, want: &Catalog) {
    let (g, w) = (
        serde_json::to_value(got).unwrap(),
        serde_json::to_value(want).unwrap(),
    );
    if g != w {
        let gn: Vec<&str> = got.kfuncs.iter().map(|k| k.name.as_str()).collect();
        let wn: Vec<&str> = want.kfuncs.iter().map(|k| k.name.as_str()).collect();
        for (a, b) in got.kfuncs.iter().zip(&want.kfuncs) {
            if a != b {
                panic!(
                    "{tag}: kfunc differs:\n git: {}\n checkout: {}",
                    serde_json::to_string(a).unwrap(),
                    serde_json::to_string(b).unwrap()
                );
            }
        }
        assert_eq!(gn, wn, "{tag}: kfunc names");
        assert_eq!(got.sets, want.sets, "{tag}: sets");
        assert_eq!(got.diagnostics, want.diagnostics, "{tag}: diagnostics");
        panic!("{tag}: catalogs differ");
    }
}

fn subject<'a>(r: &'a GitRelease, kfunc: &str, code: &str) -> &'a str {
    &r.commits
        .get(&(kfunc.to_string(), code.to_string()))
        .unwrap_or_else(|| panic!("{}: no ({kfunc}, {code}) in {:?}", r.tag, r.commits.keys()))
        .subject
}

/// A kfunc file of the toy tree: `names` defined and registered.
fn toy(names: &[&str]) -> String {
    let mut s = String::from("#include <linux/btf.h>\n\n__bpf_kfunc_start_defs();\n\n");
    for n in names {
        s += &format!(
            "/**\n * {n}() - Toy kfunc.\n * @x: a number\n */\n__bpf_kfunc int {n}(int x)\n{{\n\treturn x;\n}}\n\n"
        );
    }
    s += "__bpf_kfunc_end_defs();\n\nBTF_KFUNCS_START(toy_ids)\n";
    for n in names {
        s += &format!("BTF_ID_FLAGS(func, {n})\n");
    }
    s += "BTF_KFUNCS_END(toy_ids)\n\nstatic const struct btf_kfunc_id_set toy_set = {\n\t.owner = THIS_MODULE,\n\t.set = &toy_ids,\n};\n\nstatic int __init toy_init(void)\n{\n\treturn register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &toy_set);\n}\n";
    s
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&t).unwrap();
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

fn commit_file(dir: &Path, rel: &str, text: &str, msg: &str) {
    std::fs::write(dir.join(rel), text).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", msg]);
}

/// The corner cases on a toy repository: removed and re-added, renamed
/// twice, a file renamed, a merge, tags that do not exist.
#[test]
fn corner_cases_on_a_toy_repository() {
    let d = tempdir("toy");
    let repo = d.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    copy_dir(Path::new("tests/fixtures/trees/linux-6.12-era"), &repo);
    git(&repo, &["init", "-q"]);
    let f = "kernel/bpf/toy.c";
    commit_file(&repo, f, &toy(&["bpf_toy_a", "bpf_toy_b"]), "Linux 6.1");
    git(&repo, &["tag", "v6.1"]);
    commit_file(&repo, f, &toy(&["bpf_toy_b"]), "toy: remove bpf_toy_a");
    git(&repo, &["tag", "v6.2"]);
    commit_file(&repo, "README", "unrelated\n", "docs: unrelated");
    commit_file(
        &repo,
        f,
        &toy(&["bpf_toy_a", "bpf_toy_b"]),
        "toy: re-add bpf_toy_a",
    );
    commit_file(&repo, "README", "unrelated too\n", "docs: unrelated too");
    git(&repo, &["tag", "v6.3"]);
    commit_file(
        &repo,
        f,
        &toy(&["bpf_toy_a", "bpf_toy_b2"]),
        "toy: rename b to b2",
    );
    git(&repo, &["tag", "v6.4"]);
    commit_file(
        &repo,
        f,
        &toy(&["bpf_toy_a", "bpf_toy_b3"]),
        "toy: rename b2 to b3",
    );
    git(&repo, &["tag", "v6.5"]);
    commit_file(
        &repo,
        "README",
        "before the move\n",
        "docs: before the move",
    );
    git(&repo, &["mv", f, "kernel/bpf/toy2.c"]);
    git(&repo, &["commit", "-q", "-m", "toy: move the file"]);
    commit_file(&repo, "README", "after the move\n", "docs: after the move");
    git(&repo, &["tag", "v6.6"]);
    git(&repo, &["checkout", "-q", "-b", "side"]);
    commit_file(
        &repo,
        "kernel/bpf/toy2.c",
        &toy(&["bpf_toy_a", "bpf_toy_b3", "bpf_toy_c"]),
        "toy: add bpf_toy_c",
    );
    git(&repo, &["checkout", "-q", "main"]);
    commit_file(&repo, "README", "on main\n", "docs: on main");
    git(
        &repo,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge branch 'side'",
            "side",
        ],
    );
    commit_file(
        &repo,
        "README",
        "after the merge\n",
        "docs: after the merge",
    );
    git(&repo, &["tag", "v6.7"]);
    git(&repo, &["tag", "v6.7-rc1"]);
    git(&repo, &["tag", "v6.7.1"]);

    let policy = shipped();
    let spec = TagSpec::Range("v6.1".into(), "v6.7".into());
    let releases = read_git(&repo, &spec, &policy, &|_| {}).unwrap();
    let tags: Vec<&str> = releases.iter().map(|r| r.tag.as_str()).collect();
    assert_eq!(
        tags,
        ["v6.1", "v6.2", "v6.3", "v6.4", "v6.5", "v6.6", "v6.7"]
    );
    for r in &releases {
        assert_same(&r.tag, &r.catalog, &checkout_catalog(&repo, &r.tag, &d));
        let full = git(&repo, &["rev-parse", &format!("{}^{{commit}}", r.tag)]);
        assert_eq!(r.commit.id, full, "{}", r.tag);
    }
    assert!(releases[0].commits.is_empty());
    let [_, v62, v63, v64, v65, v66, v67] = &releases[..] else {
        unreachable!()
    };
    assert_eq!(
        subject(v62, "bpf_toy_a", "kfunc-removed"),
        "toy: remove bpf_toy_a"
    );
    assert_eq!(
        subject(v63, "bpf_toy_a", "kfunc-added"),
        "toy: re-add bpf_toy_a"
    );
    for (r, msg) in [(v64, "toy: rename b to b2"), (v65, "toy: rename b2 to b3")] {
        assert!(!r.commits.is_empty(), "{}", r.tag);
        for (k, c) in &r.commits {
            assert_eq!(c.subject, msg, "{}: {k:?}", r.tag);
        }
    }
    assert_eq!(
        subject(v66, "bpf_toy_a", "kfunc-moved"),
        "toy: move the file"
    );
    for c in v66.commits.values() {
        assert_eq!(c.subject, "toy: move the file");
    }
    assert_eq!(
        subject(v67, "bpf_toy_c", "kfunc-added"),
        "Merge branch 'side'"
    );
    let merge = git(&repo, &["rev-parse", "HEAD~1"]);
    assert_eq!(
        v67.commits[&("bpf_toy_c".to_string(), "kfunc-added".to_string())].id,
        merge
    );

    // A list is taken as given; a missing tag is named, with a close one.
    let list = TagSpec::List(vec!["v6.7".into(), "v6.1".into()]);
    let r = read_git(&repo, &list, &policy, &|_| {}).unwrap();
    assert_eq!(r[1].tag, "v6.1");
    let e = read_git(
        &repo,
        &TagSpec::Range("v6.0".into(), "v6.7".into()),
        &policy,
        &|_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("no tag `v6.0`"), "{e}");
    let e = read_git(
        &repo,
        &TagSpec::List(vec!["v6.77".into()]),
        &policy,
        &|_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("no tag `v6.77`; did you mean `v6.7`?"), "{e}");
    let e = read_git(&d.join("nothing"), &spec, &policy, &|_| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a git repository"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}

/// The test repository from the real trees, built once (cached).
fn real_repo() -> Option<PathBuf> {
    for v in ["6.1", "6.12", "7.2"] {
        real_input(&format!("linux-source-{v}"))?;
    }
    let out = Command::new(".ci/git-history-repo").output().unwrap();
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), ".ci/git-history-repo failed");
    Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Real trees: each tag's catalog from git equals `extract --source` on
/// its checkout, and each hand-made commit is found for its change.
#[test]
fn real_history_from_git() {
    let Some(repo) = real_repo() else { return };
    let d = tempdir("real");
    let policy = shipped();
    let t = std::time::Instant::now();
    let spec = TagSpec::Range("v6.1".into(), "v7.2".into());
    let releases = read_git(&repo, &spec, &policy, &|m| eprintln!("  {m}")).unwrap();
    eprintln!("read_git v6.1..v7.2: {:.1}s", t.elapsed().as_secs_f64());
    let tags: Vec<&str> = releases.iter().map(|r| r.tag.as_str()).collect();
    assert_eq!(tags, ["v6.1", "v6.12", "v7.2"]);
    for r in &releases {
        let t = std::time::Instant::now();
        let want = checkout_catalog(&repo, &r.tag, &d);
        eprintln!(
            "checkout + extract {}: {:.1}s",
            r.tag,
            t.elapsed().as_secs_f64()
        );
        assert_same(&r.tag, &r.catalog, &want);
    }
    // The moved file, at its own commit.
    let r = read_git(
        &repo,
        &TagSpec::List(vec!["test/rename".into()]),
        &policy,
        &|_| {},
    )
    .unwrap();
    assert_same(
        "test/rename",
        &r[0].catalog,
        &checkout_catalog(&repo, "test/rename", &d),
    );

    let [_, v612, v72] = &releases[..] else {
        unreachable!()
    };
    // One commit between v6.1 and v6.12: every change is the tag's.
    assert!(v612.commits.len() > 50, "{}", v612.commits.len());
    assert!(v612.commits.values().all(|c| c.subject == "Linux 6.12"));
    // The hand-made commits, each for its own change only.
    let own = [
        ("bpf_strlen", "kfunc-added", "bpf: Add bpf_strlen kfunc"),
        (
            "bpf_rdonly_cast",
            "flag-changed",
            "bpf: Mark bpf_rdonly_cast as fastcall",
        ),
        (
            "bbr_cwnd_event",
            "kfunc-removed",
            "tcp: bbr: Remove the bbr_cwnd_event kfunc",
        ),
        (
            "bpf_cpumask_populate",
            "kfunc-added",
            "Merge branch 'cpumask'",
        ),
    ];
    for (k, code, msg) in own {
        assert_eq!(subject(v72, k, code), msg);
    }
    for ((k, code), c) in &v72.commits {
        match c.subject.as_str() {
            "Linux 7.2" => {}
            "sched_ext: Move ext.c into kernel/sched/ext/" => {
                assert_eq!(code, "kfunc-moved", "{k}");
                assert!(k.starts_with("scx_") || k.contains("_scx_"), "{k}");
            }
            s => {
                let mine = own.iter().find(|(_, _, m)| *m == s);
                let (want, _, _) = mine.unwrap_or_else(|| panic!("{k} {code}: {s}"));
                assert_eq!(k, want, "{code} found at `{s}`");
            }
        }
    }
    assert!(
        v72.commits
            .values()
            .any(|c| c.subject.starts_with("sched_ext: Move")),
        "no change found at the rename"
    );
    std::fs::remove_dir_all(&d).unwrap();
}
