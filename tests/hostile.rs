//! Hostile inputs (issue 10): every case exits 2 naming the file, or gives
//! a finding with the file and position; none panics, blocks or reads
//! without bound. Trees are generated in temporary directories; nothing
//! here asserts a time.

use crate::util::{TempDir, kfuncdoc};
use std::path::Path;
use std::process::Output;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A small tree: a Makefile, the 6.12 fixture's btf.h and one file with
/// `body` as its set entries.
fn tree(dir: &Path, entries: &str, before: &str) {
    let fixture = crate::util::tree("linux-6.12-era");
    std::fs::create_dir_all(dir.join("kernel/bpf")).unwrap();
    std::fs::create_dir_all(dir.join("include/linux")).unwrap();
    std::fs::copy(fixture.join("Makefile"), dir.join("Makefile")).unwrap();
    std::fs::copy(
        fixture.join("include/linux/btf.h"),
        dir.join("include/linux/btf.h"),
    )
    .unwrap();
    std::fs::write(
        dir.join("kernel/bpf/x.c"),
        format!(
            "{before}BTF_KFUNCS_START(s)\n{entries}BTF_KFUNCS_END(s)\n\
             static const struct btf_kfunc_id_set ss = {{ .owner = THIS_MODULE, .set = &s }};\n\
             static int __init i(void) {{ return register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &ss); }}\n"
        ),
    )
    .unwrap();
}

fn extract_json(dir: &Path) -> (serde_json::Value, Output) {
    let o = kfuncdoc(&[
        "extract",
        "--source",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (serde_json::from_str(&stdout(&o)).unwrap(), o)
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[cfg(unix)]
#[test]
fn a_fifo_makefile_is_an_error_not_a_hang() {
    let t = TempDir::new("fifo");
    tree(&t.0, "", "");
    std::fs::remove_file(t.0.join("Makefile")).unwrap();
    mkfifo(&t.0.join("Makefile"));
    let o = kfuncdoc(&["extract", "--source", t.0.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("Makefile: is a FIFO, not a regular file"),
        "{}",
        stderr(&o)
    );
    // The same for a policy and a BTF input.
    let fifo = t.0.join("p.yaml");
    mkfifo(&fifo);
    let o = kfuncdoc(&["extract", "--btf", fifo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a FIFO"), "{}", stderr(&o));
}

#[cfg(target_os = "linux")]
#[test]
fn links_out_of_the_tree_are_not_followed_and_said_so() {
    let t = TempDir::new("links");
    let src = t.0.join("tree");
    tree(&src, "BTF_ID_FLAGS(func, k, KF_ACQUIRE)\n", "");
    // MAINTAINERS to a device: not read, and a finding.
    std::os::unix::fs::symlink("/dev/zero", src.join("MAINTAINERS")).unwrap();
    // btf.h elsewhere, with KF_ACQUIRE on another bit: not used.
    let other = t.0.join("btf.h");
    std::fs::write(&other, "#define KF_ACQUIRE (1 << 9)\n").unwrap();
    std::fs::remove_file(src.join("include/linux/btf.h")).unwrap();
    std::os::unix::fs::symlink(&other, src.join("include/linux/btf.h")).unwrap();
    let (c, _) = extract_json(&src);
    let k = &c["kfuncs"][0];
    assert_eq!(k["flags_value"], 1, "{k}");
    let diags = c["diagnostics"].to_string();
    assert!(
        diags.contains("maintainers-problem") && diags.contains("(/dev/zero); not followed"),
        "{diags}"
    );
    assert!(diags.contains("flag-table-missing"), "{diags}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_maintainers_is_not_reported_as_missing() {
    use std::os::unix::fs::PermissionsExt;
    let t = TempDir::new("perm");
    tree(&t.0, "", "");
    let m = t.0.join("MAINTAINERS");
    std::fs::write(&m, "X\n").unwrap();
    std::fs::set_permissions(&m, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&m).is_ok() {
        eprintln!("note: running as root; permissions are not enforced, skipped");
        return;
    }
    let (c, _) = extract_json(&t.0);
    let diags = c["diagnostics"].to_string();
    assert!(diags.contains("Permission denied"), "{diags}");
    assert!(!diags.contains("not found"), "{diags}");
}

#[test]
fn flag_expressions_are_evaluated_as_c_or_left_out() {
    let t = TempDir::new("flags");
    tree(
        &t.0,
        "BTF_ID_FLAGS(func, a, KF_ACQUIRE | (1 << 3))\n\
         BTF_ID_FLAGS(func, b, KF_RCU + 1)\n\
         BTF_ID_FLAGS(func, c, MINE)\n\
         BTF_ID_FLAGS(func, d, KF_ACQUIRE || KF_RELEASE)\n",
        "#define MINE (KF_RELEASE | KF_RET_NULL)\n",
    );
    let (c, _) = extract_json(&t.0);
    let value = |n: &str| {
        c["kfuncs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == n)
            .unwrap()["flags_value"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(value("a"), 0b1001);
    assert_eq!(value("b"), 0x81);
    assert_eq!(value("c"), 0b110);
    assert_eq!(value("d"), 0);
    let diags = c["diagnostics"].to_string();
    assert!(
        diags.contains("the flags of `d`") && diags.contains("cannot be decoded"),
        "{diags}"
    );
}

/// Raw BTF: a header, `types`, and the strings "\0f\0".
fn raw_btf(types: &[u32]) -> Vec<u8> {
    let strs = b"\0f\0";
    let tlen = (types.len() * 4) as u32;
    let mut v = vec![0x9f, 0xeb, 1, 0];
    for w in [24, 0, tlen, tlen, strs.len() as u32] {
        v.extend(w.to_le_bytes());
    }
    for w in types {
        v.extend(w.to_le_bytes());
    }
    v.extend(strs);
    v
}

#[test]
fn btf_that_means_nothing_is_an_error_naming_file_and_type() {
    let t = TempDir::new("btf");
    // [1] FUNC f, type [1]: itself.
    let f = t.0.join("self-func.btf");
    std::fs::write(&f, raw_btf(&[1, 12 << 24 | 1, 1])).unwrap();
    let o = kfuncdoc(&["extract", "--btf", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let e = stderr(&o);
    assert!(
        e.contains("self-func.btf") && e.contains("type [1]") && e.contains("FUNC_PROTO"),
        "{e}"
    );
    // [1] DECL_TAG f on [1]: itself.
    let d = t.0.join("self-tag.btf");
    std::fs::write(&d, raw_btf(&[1, 17 << 24, 1, u32::MAX])).unwrap();
    let o = kfuncdoc(&["extract", "--btf", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let e = stderr(&o);
    assert!(e.contains("self-tag.btf") && e.contains("type [1]"), "{e}");
    // [1] PTR to [2], [2] CONST of [1].
    let c = t.0.join("cycle.btf");
    std::fs::write(&c, raw_btf(&[0, 2 << 24, 2, 0, 10 << 24, 1])).unwrap();
    let o = kfuncdoc(&["extract", "--btf", c.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("cycle.btf") && e.contains("reference cycle"),
        "{e}"
    );
}

#[cfg(unix)]
#[test]
fn a_gzip_bomb_stops_at_the_cap() {
    let t = TempDir::new("bomb");
    let zeros = t.0.join("zeros");
    std::fs::write(&zeros, vec![0u8; 80 << 20]).unwrap();
    let ok = std::process::Command::new("gzip")
        .arg("-9")
        .arg(&zeros)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let gz = t.0.join("zeros.gz");
    let o = kfuncdoc(&["extract", "--btf", gz.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("zeros.gz") && e.contains("decompresses to more than"),
        "{e}"
    );
}

#[test]
fn a_set_of_100k_entries_and_100k_nested_ifs() {
    let n = 100_000;
    let t = TempDir::new("big");
    let mut defs = String::new();
    let mut entries = String::new();
    for i in 0..n {
        defs.push_str(&format!("__bpf_kfunc int k{i}(void) {{ return 0; }}\n"));
        entries.push_str(&format!("BTF_ID_FLAGS(func, k{i}, KF_ACQUIRE)\n"));
    }
    tree(&t.0, &entries, &defs);
    let (c, _) = extract_json(&t.0);
    assert_eq!(c["kfuncs"].as_array().unwrap().len(), n);

    let t = TempDir::new("nest");
    let mut body = String::new();
    for i in 0..n {
        body.push_str(&format!("#if C{i}\n"));
    }
    body.push_str("BTF_ID_FLAGS(func, k, KF_ACQUIRE)\n");
    for _ in 0..n {
        body.push_str("#endif\n");
    }
    tree(&t.0, &body, "__bpf_kfunc int k(void) { return 0; }\n");
    let (c, _) = extract_json(&t.0);
    let conds = c["kfuncs"][0]["conditions"].as_array().unwrap();
    assert_eq!(conds.len(), n);
    assert_eq!(conds[n - 1], format!("C{}", n - 1));
}
