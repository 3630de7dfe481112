//! Issue 13, the everyday command line: man pages, shell completions,
//! progress, colour, messages, parallel module reading, `--version`.

use crate::real::image_7_2;
use crate::util::{TempDir, kfuncdoc, root, tree};
use clap::CommandFactory;
use kfuncdoc::cli::Cli;
use kfuncdoc::diag::Code;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_kfuncdoc")
}

/// Runs the binary with `env` set (and CI, NO_COLOR, TERM cleared first).
fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(bin());
    c.args(args)
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .env_remove("TERM");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("kfuncdoc runs")
}

/// The names of every subcommand, nested ones joined by `-`, as the man
/// pages are named: read from the clap definition (not from the pages).
fn subcommand_paths(cmd: &clap::Command, prefix: &str, out: &mut Vec<String>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        let name = format!("{prefix}-{}", sub.get_name());
        out.push(name.clone());
        subcommand_paths(sub, &name, out);
    }
}

#[test]
fn every_subcommand_has_a_man_page() {
    let t = TempDir::new("man-pages");
    let dir = t.0.join("man1");
    let out = kfuncdoc(&["man", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut expect = vec!["kfuncdoc".to_string()];
    subcommand_paths(&Cli::command(), "kfuncdoc", &mut expect);
    assert!(
        expect.contains(&"kfuncdoc-policy-sync".to_string()),
        "{expect:?}"
    );
    assert!(expect.len() >= 11, "{expect:?}");
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut want: Vec<String> = expect.iter().map(|n| format!("{n}.1")).collect();
    want.sort();
    assert_eq!(written, want);
    // Each page describes its own command, with its options.
    for name in &expect {
        let page = std::fs::read_to_string(dir.join(format!("{name}.1"))).unwrap();
        assert!(
            page.contains(&format!(".TH {name} 1 ")),
            "{name}: {}",
            &page[..200.min(page.len())]
        );
        assert!(
            page.contains(".SH NAME") && page.contains(".SH SYNOPSIS"),
            "{name}"
        );
        assert!(page.contains("kfuncdoc 0.1.0") || page.contains(env!("CARGO_PKG_VERSION")));
        // No commit in the pages: every build of a release writes the same.
        if let Some(commit) = kfuncdoc::version::COMMIT {
            assert!(!page.contains(commit), "{name}");
        }
    }
    let sync = std::fs::read_to_string(dir.join("kfuncdoc-policy-sync.1")).unwrap();
    assert!(sync.contains("dry\\-run"), "{sync}");
    // The listing names each file; a second run rewrites the same bytes.
    assert_eq!(text(&out.stdout).lines().count(), expect.len());
    let again = TempDir::new("man-pages-again");
    kfuncdoc(&["man", "--out", again.0.to_str().unwrap()]);
    for name in &expect {
        let f = format!("{name}.1");
        assert_eq!(
            std::fs::read(dir.join(&f)).unwrap(),
            std::fs::read(again.0.join(&f)).unwrap()
        );
    }
}

#[test]
fn man_page_header_is_golden() {
    let t = TempDir::new("man-golden");
    let out = kfuncdoc(&["man", "--out", t.0.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(t.0.join("kfuncdoc.1")).unwrap();
    // Up to the options: the title line, NAME, SYNOPSIS, DESCRIPTION.
    let head: String = page
        .split_inclusive('\n')
        .take_while(|l| !l.starts_with(".SH OPTIONS"))
        .collect();
    crate::util::golden("man/kfuncdoc.1.head", &head);
    let sync = std::fs::read_to_string(t.0.join("kfuncdoc-policy-sync.1")).unwrap();
    let head: String = sync.split_inclusive('\n').take(6).collect();
    crate::util::golden("man/kfuncdoc-policy-sync.1.head", &head);
}

fn completions(shell: &str) -> String {
    let out = kfuncdoc(&["completions", shell]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// What bash completes for `line` (the words so far, the last one being
/// completed), with the script sourced: `complete -p` names the function,
/// which is called as bash's programmable completion calls it.
fn bash_complete(script: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let driver = format!(
        r#"source '{}'
spec=$(complete -p kfuncdoc) || exit 3
fn=$(printf '%s\n' "$spec" | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
[ -n "$fn" ] || exit 4
COMP_WORDS=({})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
COMPREPLY=()
"$fn" kfuncdoc "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}"
"#,
        script.display(),
        quoted.join(" ")
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &driver])
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{words:?}: {}", text(&out.stderr));
    let mut v: Vec<String> = text(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    v.sort();
    v
}

#[test]
fn bash_completion_parses_and_completes() {
    let t = TempDir::new("completion-bash");
    let script = t.0.join("kfuncdoc.bash");
    std::fs::write(&script, completions("bash")).unwrap();
    let n = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(n.status.success(), "{}", text(&n.stderr));
    // Finding codes for `explain`: every registry code with the prefix
    // (the oracle is the registry, not the script).
    let mut unk: Vec<String> = Code::ALL
        .iter()
        .map(|c| c.name().to_string())
        .filter(|n| n.starts_with("unk"))
        .collect();
    unk.sort();
    assert!(unk.len() >= 3, "{unk:?}");
    assert_eq!(bash_complete(&script, &["kfuncdoc", "explain", "unk"]), unk);
    // A diff code too.
    assert_eq!(
        bash_complete(&script, &["kfuncdoc", "explain", "stable-kfunc-r"]),
        ["stable-kfunc-removed"]
    );
    // Subcommands.
    assert_eq!(bash_complete(&script, &["kfuncdoc", "ren"]), ["render"]);
    assert_eq!(
        bash_complete(&script, &["kfuncdoc", "policy", "s"]),
        ["sync"]
    );
    // Value enums: every value the option's type has.
    fn names<T: clap::ValueEnum>() -> Vec<String> {
        let mut v: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|x| x.to_possible_value())
            .map(|p| p.get_name().to_string())
            .collect();
        v.sort();
        v
    }
    let to = names::<kfuncdoc::cli::RenderFormat>();
    assert_eq!(to, ["header", "markdown", "rst"]);
    assert_eq!(
        bash_complete(&script, &["kfuncdoc", "render", "--to", ""]),
        to
    );
    let flavours = names::<kfuncdoc::render::Flavour>();
    assert!(flavours.contains(&"mkdocs".to_string()), "{flavours:?}");
    assert_eq!(
        bash_complete(&script, &["kfuncdoc", "render", "--flavour", ""]),
        flavours
    );
    assert_eq!(
        bash_complete(&script, &["kfuncdoc", "render", "--description", ""]),
        names::<kfuncdoc::render::Description>()
    );
    assert_eq!(
        bash_complete(&script, &["kfuncdoc", "check", "--color", ""]),
        ["always", "auto", "never"]
    );
}

/// The shells' own syntax check when they are installed; otherwise the
/// scripts' structure (the build machines need not have zsh or fish).
#[test]
fn zsh_and_fish_completions() {
    let t = TempDir::new("completion-other");
    for (shell, marker, code_line) in [
        ("zsh", "#compdef kfuncdoc", "unknown-flag"),
        (
            "fish",
            "complete -c kfuncdoc",
            "__fish_kfuncdoc_using_subcommand explain\" -f -a 'unknown-flag'",
        ),
    ] {
        let script = completions(shell);
        assert!(
            script.starts_with(marker) || script.contains(marker),
            "{shell}"
        );
        assert!(script.contains(code_line), "{shell}: no finding codes");
        for value in ["mdbook", "kernel-doc", "markdown", "sync"] {
            assert!(script.contains(value), "{shell}: {value}");
        }
        let file = t.0.join(format!("kfuncdoc.{shell}"));
        std::fs::write(&file, &script).unwrap();
        if let Ok(out) = Command::new(shell).arg("-n").arg(&file).output() {
            assert!(out.status.success(), "{shell} -n: {}", text(&out.stderr));
        }
    }
}

/// A check with findings on a fixture tree (exit 1).
fn check_args() -> Vec<String> {
    let t = tree("linux-6.12-era");
    let p = root().join("tests/fixtures/policies/era-6.12.yaml");
    vec![
        "check".into(),
        "--policy".into(),
        p.to_string_lossy().into_owned(),
        "--source".into(),
        t.to_string_lossy().into_owned(),
    ]
}

#[test]
fn color_only_when_asked_or_on_a_terminal() {
    let args = check_args();
    let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
    let plain = run_env(&a, &[]);
    assert_eq!(plain.status.code(), Some(1));
    let plain_out = text(&plain.stdout);
    assert!(plain_out.contains("deny[unknown-flag]"), "{plain_out}");
    // Piped, auto: no escape at all.
    assert!(!plain.stdout.contains(&0x1b) && !plain.stderr.contains(&0x1b));
    a.extend(["--color", "always"]);
    let always = run_env(&a, &[]);
    let colored = text(&always.stdout);
    assert!(
        colored.contains("\x1b[1m\x1b[31mdeny[unknown-flag]\x1b[0m"),
        "{colored:?}"
    );
    // The same text once the escapes are removed.
    let stripped = colored
        .split('\x1b')
        .enumerate()
        .map(|(i, s)| {
            if i == 0 {
                s
            } else {
                &s[s.find('m').unwrap() + 1..]
            }
        })
        .collect::<String>();
    assert_eq!(stripped, plain_out);
    // `always` wins over NO_COLOR, as no-color.org says a flag should.
    assert!(run_env(&a, &[("NO_COLOR", "1")]).stdout.contains(&0x1b));
    let n = a.len();
    a[n - 1] = "never";
    let never = run_env(&a, &[]);
    assert_eq!(never.stdout, plain.stdout);
    // An error on stderr.
    let bad = run_env(&["--color", "always", "explain", "unknwn-flag"], &[]);
    assert!(text(&bad.stderr).starts_with("kfuncdoc: \x1b[1m\x1b[31merror\x1b[0m: unknown code"));
    // JSON is never painted.
    let json = run_env(&["--color", "always", "--format", "json", "explain"], &[]);
    assert!(!json.stdout.contains(&0x1b));
}

/// `script` gives the command a terminal: auto colour then applies, and
/// NO_COLOR, --color never and TERM=dumb turn it off.
#[test]
fn color_auto_on_a_terminal_and_no_color() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("note: no `script` (util-linux); terminal case skipped");
        return;
    }
    let args = check_args();
    let cmd = |extra: &str| format!("{} {} {extra}", bin(), args.join(" "));
    let tty = |line: String, env: &[(&str, &str)]| {
        let mut c = Command::new("script");
        c.args(["-qec", &line, "/dev/null"])
            .env_remove("CI")
            .env_remove("NO_COLOR")
            .env("TERM", "xterm");
        for (k, v) in env {
            c.env(k, v);
        }
        c.stdin(Stdio::null()).output().expect("script runs")
    };
    let auto = tty(cmd(""), &[]);
    assert!(
        text(&auto.stdout).contains("\x1b[1m\x1b[31mdeny[unknown-flag]"),
        "{:?}",
        text(&auto.stdout)
    );
    for (extra, env) in [
        ("", &[("NO_COLOR", "1")][..]),
        ("--color never", &[][..]),
        ("", &[("TERM", "dumb")][..]),
    ] {
        let out = tty(cmd(extra), env);
        let s = text(&out.stdout);
        assert!(s.contains("deny[unknown-flag]"), "{s}");
        assert!(!s.contains('\x1b'), "{extra} {env:?}: {s:?}");
    }
}

#[test]
fn errors_name_the_file_and_the_level_once() {
    let t = TempDir::new("messages");
    let p = t.0.join("a.yaml");
    std::fs::write(&p, "schema: 1\nkfuncs:\n  bpf_a:\n    stability: stabel\n").unwrap();
    let out = kfuncdoc(&[
        "check",
        "--policy",
        p.to_str().unwrap(),
        "--catalog",
        "/nonexistent",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    let line = err.lines().next().unwrap();
    assert_eq!(
        line,
        format!(
            "{}:4:16: error: unknown stability `stabel` (one of stable, unstable, experimental, deprecated, removed); did you mean `stable`?",
            p.display()
        )
    );
    assert_eq!(line.matches("error").count(), 1, "{line}");
    assert_eq!(line.matches("a.yaml").count(), 1, "{line}");
    // A misspelt field.
    std::fs::write(&p, "schema: 1\nkfuncs:\n  bpf_a:\n    stabilty: stable\n").unwrap();
    let err = text(&kfuncdoc(&["check", "--policy", p.to_str().unwrap()]).stderr);
    assert!(
        err.starts_with(&format!(
            "{}:4:5: error: unknown field `stabilty`",
            p.display()
        )),
        "{err}"
    );
    assert!(
        err.trim_end().ends_with("; did you mean `stability`?"),
        "{err}"
    );
    // An error without a position: the program's name, then the level.
    let out = kfuncdoc(&["explain", "unknwn-flag"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "kfuncdoc: error: unknown code `unknwn-flag` (kfuncdoc explain lists them); did you mean `unknown-flag`?\n"
    );
    let out = kfuncdoc(&["explain", "zzzz"]);
    assert!(!text(&out.stderr).contains("did you mean"));
    // A diff code is one of explain's too.
    let out = kfuncdoc(&["explain", "stable-kfunc-remvoed"]);
    assert!(text(&out.stderr).contains("did you mean `stable-kfunc-removed`?"));
    let out = kfuncdoc(&["check", "--policy", "/nonexistent/p.yaml"]);
    let err = text(&out.stderr);
    assert!(
        err.starts_with("kfuncdoc: error: /nonexistent/p.yaml: "),
        "{err}"
    );
    assert_eq!(err.matches("error:").count(), 1, "{err}");
}

/// An unknown policy entry on the real 6.12 tree names the kernel's
/// closest kfunc (a name read from the tree's source text).
#[test]
fn unknown_policy_kfunc_names_the_closest_on_6_12() {
    let Some((tree, catalog)) = crate::real::tree_6_12() else {
        return;
    };
    // The oracle: the kfunc is defined in the tree's source text.
    let helpers = std::fs::read_to_string(tree.join("kernel/bpf/helpers.c")).unwrap();
    assert!(helpers.contains("__bpf_kfunc struct task_struct *bpf_task_acquire("));
    assert!(catalog.kfuncs.iter().any(|k| k.name == "bpf_task_acquire"));
    let t = TempDir::new("unknown-kfunc");
    let p = t.0.join("p.yaml");
    std::fs::write(&p, "schema: 1\nkfuncs:\n  bpf_task_aquire: {}\n").unwrap();
    let cat = t.0.join("c.json");
    std::fs::write(&cat, serde_json::to_string(catalog).unwrap()).unwrap();
    let out = kfuncdoc(&[
        "check",
        "--policy",
        p.to_str().unwrap(),
        "--catalog",
        cat.to_str().unwrap(),
    ]);
    let s = text(&out.stdout);
    let line = s
        .lines()
        .find(|l| l.contains("deny[unknown-kfunc]"))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(
        line.ends_with("which 6.12.117 does not have; did you mean `bpf_task_acquire`?")
            || line.ends_with("does not have; did you mean `bpf_task_acquire`?"),
        "{line}"
    );
}

#[test]
fn version_names_the_commit() {
    let out = kfuncdoc(&["--version"]);
    assert!(out.status.success());
    let v = text(&out.stdout);
    let pkg = env!("CARGO_PKG_VERSION");
    let git = Command::new("git")
        .args([
            "-C",
            root().to_str().unwrap(),
            "rev-parse",
            "--short=12",
            "HEAD",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success() && root().join(".git").exists())
        .map(|o| text(&o.stdout).trim().to_string());
    match git {
        Some(commit) => assert_eq!(v, format!("kfuncdoc {pkg} (git {commit})\n")),
        None => assert_eq!(v, format!("kfuncdoc {pkg}\n")),
    }
    assert_eq!(text(&kfuncdoc(&["-V"]).stdout), v);
}

/// Modules read by one thread or several give the same bytes, and with
/// stderr piped (as in CI) no progress text and no escape reaches it.
#[test]
fn jobs_change_nothing_and_pipes_get_no_progress() {
    let Some((bz, mods)) = image_7_2() else {
        return;
    };
    // A part of the tree with kfunc modules (nf_conntrack's), cold.
    let dir = mods.join("net/netfilter");
    let run = |jobs: &str, json: bool| {
        let mut a = vec![
            "extract",
            "--btf",
            bz.to_str().unwrap(),
            "--modules",
            dir.to_str().unwrap(),
            "--no-cache",
            "-j",
            jobs,
        ];
        if json {
            a.extend(["--format", "json"]);
        }
        run_env(&a, &[("TERM", "xterm")])
    };
    let one = run("1", true);
    assert!(one.status.success(), "{}", text(&one.stderr));
    let s = text(&one.stdout);
    // nf_conntrack's kfuncs, as net/netfilter/nf_conntrack_bpf.c has them.
    assert!(
        s.contains("\"bpf_skb_ct_lookup\""),
        "{}",
        &s[..500.min(s.len())]
    );
    for jobs in ["2", "5"] {
        let many = run(jobs, true);
        assert_eq!(many.stdout, one.stdout, "-j{jobs}");
        assert_eq!(many.stderr, one.stderr, "-j{jobs}");
    }
    let human = run("3", false);
    let err = text(&human.stderr);
    assert!(!human.stderr.contains(&0x1b), "{err:?}");
    assert!(!err.contains("reading modules"), "{err}");
    assert!(!err.contains('\r'), "{err:?}");
}

/// With a terminal but CI set, --quiet or JSON, no bar either.
#[test]
fn no_progress_under_ci_quiet_or_json() {
    let Some((bz, mods)) = image_7_2() else {
        return;
    };
    if Command::new("script").arg("--version").output().is_err() {
        return;
    }
    let dir = mods.join("net/netfilter");
    let base = format!(
        "{} extract --btf {} --modules {} --no-cache",
        bin(),
        bz.display(),
        dir.display()
    );
    for (extra, ci) in [
        ("--quiet", None),
        ("--format json", None),
        ("", Some("true")),
    ] {
        let mut c = Command::new("script");
        c.args(["-qec", &format!("{base} {extra} >/dev/null"), "/dev/null"])
            .env_remove("NO_COLOR")
            .env("TERM", "xterm")
            .stdin(Stdio::null());
        match ci {
            Some(v) => c.env("CI", v),
            None => c.env_remove("CI"),
        };
        let out = c.output().unwrap();
        let s = text(&out.stdout);
        assert!(!s.contains("reading modules"), "{extra} {ci:?}: {s:?}");
    }
}

/// On a terminal the bar is drawn, and the run ends: the bar draws on
/// stderr from other threads while the results are written (a run that
/// held the stderr lock throughout hung here).
#[test]
fn progress_on_a_terminal_and_the_run_ends() {
    let Some((bz, mods)) = image_7_2() else {
        return;
    };
    if Command::new("script").arg("--version").output().is_err() {
        return;
    }
    let line = format!(
        "timeout 300 {} extract --btf {} --modules {} --no-cache >/dev/null",
        bin(),
        bz.display(),
        mods.join("net/netfilter").display()
    );
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let s = text(&out.stdout);
    assert!(out.status.success(), "{:?} {s:?}", out.status);
    assert!(s.contains("reading modules"), "{s:?}");
}
