//! The binary as users run it.

use crate::util::{TempDir, kfuncdoc, kfuncdoc_in, tree};
use std::io::Read;
use std::process::{Command, Stdio};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn missing_tree_exits_2_naming_it() {
    let out = kfuncdoc(&["extract", "--source", "/nonexistent/linux"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("/nonexistent/linux"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn not_a_tree_exits_2() {
    let tmp = TempDir::new("notatree");
    let out = kfuncdoc(&["extract", "--source", tmp.0.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not a Linux kernel source tree (Makefile not found)"));
    let file = tmp.0.join("f");
    std::fs::write(&file, "x").unwrap();
    let out = kfuncdoc(&["extract", "--source", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        kfuncdoc(&["extract", "--btf-base", "/nonexistent"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(kfuncdoc(&["extract", "--source"]).status.code(), Some(2));
    assert_eq!(kfuncdoc(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        kfuncdoc(&["--format", "yaml", "explain"]).status.code(),
        Some(2)
    );
}

#[test]
fn help_mentions_exit_status() {
    let out = kfuncdoc(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    assert!(help.contains("Exit status"), "{help}");
    assert!(help.contains("extract"));
}

#[test]
fn extract_json_and_human() {
    let t = tree("linux-6.12-era");
    let out = kfuncdoc(&[
        "extract",
        "--source",
        t.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kernel"]["version"], "6.12.117");
    let names: Vec<&str> = v["kfuncs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "kfuncs are sorted by name");
    // The contract's field names.
    let k = &v["kfuncs"][0];
    for field in [
        "name",
        "sets",
        "file",
        "line",
        "flags",
        "flags_expr",
        "prog_types",
        "all_prog_types",
        "filtered",
        "test_only",
        "conditions",
        "definition",
        "params",
        "doc",
        "subsystem",
    ] {
        assert!(k.get(field).is_some(), "kfunc lacks `{field}`");
    }
    let d = &v["diagnostics"][0];
    for field in ["code", "level", "file", "line", "message"] {
        assert!(d.get(field).is_some(), "diagnostic lacks `{field}`");
    }
    // --format may come after the subcommand too; human output has a table
    // on stdout and findings on stderr.
    let out = kfuncdoc(&["extract", "--source", t.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let table = text(&out.stdout);
    assert!(table.starts_with("kernel 6.12.117: 26 kfuncs"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("bpf_task_acquire ")));
    let err = text(&out.stderr);
    assert!(
        err.contains("kernel/bpf/helpers.c:118:1: warn[unknown-flag]:"),
        "{err}"
    );
}

#[test]
fn output_file_is_written_whole() {
    let tmp = TempDir::new("out");
    let t = tree("linux-6.8-era");
    let out = kfuncdoc_in(
        &tmp.0,
        &[
            "--format",
            "json",
            "extract",
            "--source",
            t.to_str().unwrap(),
            "-o",
            "catalog.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let written = std::fs::read(tmp.0.join("catalog.json")).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&written).unwrap();
    assert_eq!(v["kfuncs"].as_array().unwrap().len(), 8);
    // Only the output file is left behind.
    let names: Vec<_> = std::fs::read_dir(&tmp.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // A failed run leaves the previous file untouched.
    let out = kfuncdoc_in(
        &tmp.0,
        &["extract", "--source", "/nonexistent", "-o", "catalog.json"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(tmp.0.join("catalog.json")).unwrap(), written);
}

#[test]
fn explain_codes() {
    let out = kfuncdoc(&["explain", "unknown-flag"]);
    assert_eq!(out.status.code(), Some(0));
    let t = text(&out.stdout);
    assert!(t.starts_with("unknown-flag (default level: warn)"), "{t}");
    let out = kfuncdoc(&["explain"]);
    let list = text(&out.stdout);
    for code in kfuncdoc::diag::Code::ALL {
        assert!(
            list.contains(code.name()),
            "{} missing from the list",
            code.name()
        );
    }
    let out = kfuncdoc(&["explain", "no-such-code"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no-such-code"));
    let out = kfuncdoc(&["--format", "json", "explain", "bad-symlink"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["code"], "bad-symlink");
}

/// A generated tree with `n` kfuncs: big enough that its JSON does not fit
/// in a pipe buffer.
fn big_tree(n: usize) -> TempDir {
    let tmp = TempDir::new("big");
    std::fs::write(
        tmp.0.join("Makefile"),
        "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n",
    )
    .unwrap();
    std::fs::create_dir_all(tmp.0.join("kernel")).unwrap();
    let mut src = String::new();
    for i in 0..n {
        src.push_str(&format!("/**\n * bpf_k{i}() - kfunc number {i}\n * @p: a pointer\n */\n__bpf_kfunc int bpf_k{i}(void *p)\n{{\n\treturn 0;\n}}\n"));
    }
    src.push_str("BTF_KFUNCS_START(big_ids)\n");
    for i in 0..n {
        src.push_str(&format!("BTF_ID_FLAGS(func, bpf_k{i}, KF_RET_NULL)\n"));
    }
    src.push_str("BTF_KFUNCS_END(big_ids)\nstatic const struct btf_kfunc_id_set big = { .set = &big_ids };\n");
    src.push_str(
        "static int init(void) { return register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &big); }\n",
    );
    std::fs::write(tmp.0.join("kernel/big.c"), src).unwrap();
    tmp
}

#[test]
fn closed_pipe_is_not_an_error() {
    let t = big_tree(2000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_kfuncdoc"))
        .args([
            "--format",
            "json",
            "extract",
            "--source",
            t.0.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // And the whole output really is larger than a pipe buffer.
    let out = kfuncdoc(&[
        "--format",
        "json",
        "extract",
        "--source",
        t.0.to_str().unwrap(),
    ]);
    assert!(out.stdout.len() > 1 << 20, "{}", out.stdout.len());
}
