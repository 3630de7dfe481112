//! `kfuncdoc render --to header` (issue 14) against bpftool 7.5 and
//! Debian's clang, on the running kernel's BTF and on Debian's 6.12 and
//! 7.2 images (each with its source tree).
//!
//! For each kernel: bpftool makes `vmlinux.h` from the same BTF (for the
//! 6.12 image, whose pahole wrote no `bpf_kfunc` decl tags, from a copy of
//! its BTF with the tags added for the kfuncs kfuncdoc found, as
//! `btf::real_tests` does); every `extern` line of its kfunc block must be
//! in the header byte for byte, and no other. Then clang
//! (`-O2 -g -target bpf -c`) builds: one translation unit with `vmlinux.h`,
//! the header, and the address of every kfunc (no diagnostic at all); the
//! header alone with the address of every kfunc it declares without the
//! kernel's types; and small programs calling a stable, a deprecated, an
//! experimental and a removed kfunc of the shipped policy (plus a test
//! policy naming a stable kfunc and a removed one with a hostile reason).
//!
//! Without clang the compiler tests are skipped with a note, unless `CI`
//! is set: CI installs clang (`.ci/tools`), and there its absence fails.

use crate::util::{TempDir, files_under, kfuncdoc, real_input, root};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// clang, or `None` (with a note) when it is not installed locally.
fn clang() -> Option<PathBuf> {
    let ok = Command::new("clang")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(PathBuf::from("clang"));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "clang is not installed: CI installs it (.ci/tools, apt-get install clang)"
    );
    eprintln!(
        "note: clang is not installed (apt-get install clang); header compiler tests skipped"
    );
    None
}

/// A policy directory: the shipped policy and `extra.yaml`.
fn policy_dir(dir: &Path) -> PathBuf {
    let p = dir.join("policy");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::copy(root().join("policy/linux.yaml"), p.join("linux.yaml")).unwrap();
    std::fs::write(p.join("extra.yaml"), EXTRA_POLICY).unwrap();
    p
}

/// A stable kfunc (the shipped policy names none) and a removed one whose
/// reason tries to end the string, the comment and the line.
const EXTRA_POLICY: &str = r#"schema: 1
kfuncs:
  bpf_task_release:
    stability: stable
  bpf_cpumask_first:
    stability: experimental
  bpf_hostile_gone:
    stability: removed
    removed_in: 6.3
    replacement:
      none: "*/ \" \\ ??/ caf\u00e9\n#error not a directive"
"#;

/// The hostile reason as clang prints the string back.
const HOSTILE_SHOWN: &str = "*/ \" \\ ??/ caf\u{e9}";

/// bpftool's kfunc externs for raw BTF at `btf`, whole lines.
fn bpftool_externs(bpftool: &Path, btf: &Path, vmlinux_h: &Path) -> BTreeSet<String> {
    let out = Command::new(bpftool)
        .args(["btf", "dump", "file"])
        .arg(btf)
        .args(["format", "c"])
        .output()
        .expect("bpftool runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(vmlinux_h, &out.stdout).unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let block = text
        .split_once("#ifndef BPF_NO_KFUNC_PROTOTYPES\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    block
        .lines()
        .take_while(|l| !l.starts_with("#endif"))
        .filter(|l| l.starts_with("extern "))
        .map(str::to_string)
        .collect()
}

/// One kernel's header: its `extern` lines, the kfuncs declared only with
/// the kernel's types, and the removed ones.
struct Header {
    text: String,
    externs: BTreeSet<String>,
    removed: BTreeSet<String>,
    needs_types: BTreeSet<String>,
}

/// The name an `extern` line declares.
fn declared_name(line: &str) -> String {
    let line = without_attributes(line);
    let head = &line[..line.find('(').unwrap()];
    // `extern void *(*f)(...)` never occurs in kfunc externs.
    head.rsplit([' ', '*']).next().unwrap().to_string()
}

/// `line` without its `__attribute__((...))` groups.
fn without_attributes(line: &str) -> String {
    let mut s = line.to_string();
    while let Some(at) = s.find("__attribute__((") {
        let mut depth = 0;
        let mut end = at;
        for (i, c) in s[at..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = at + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        s.replace_range(at..end, "");
    }
    s
}

fn read_header(path: &Path) -> Header {
    let text = std::fs::read_to_string(path).unwrap();
    let mut h = Header {
        text: text.clone(),
        externs: BTreeSet::new(),
        removed: BTreeSet::new(),
        needs_types: BTreeSet::new(),
    };
    let mut guarded = false;
    for l in text.lines() {
        if l.starts_with("#ifdef KFUNCDOC_KERNEL_TYPES") {
            guarded = true;
        } else if l == "#endif" {
            guarded = false;
        } else if l.starts_with("extern ") {
            if l.ends_with("() __weak __ksym;") {
                h.removed.insert(declared_name(l));
            } else {
                if guarded {
                    h.needs_types.insert(declared_name(l));
                }
                h.externs.insert(l.to_string());
            }
        }
    }
    h
}

/// The warnings and errors of clang's output, but those in `vmlinux.h`
/// itself (bpftool's dump of some BTF has declarations clang warns about,
/// `struct x;` inside a struct).
fn diagnostics(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| l.contains(": warning: ") || l.contains(": error: "))
        .filter(|l| !l.contains("vmlinux.h:"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Runs clang on `src` in `dir`: (success, its diagnostics but those of
/// `vmlinux.h`, all of its output).
fn compile(
    clang: &Path,
    dir: &Path,
    name: &str,
    src: &str,
    flags: &[&str],
) -> (bool, String, String) {
    let file = dir.join(format!("{name}.c"));
    std::fs::write(&file, src).unwrap();
    let out = Command::new(clang)
        .current_dir(dir)
        .args(["-O2", "-g", "-target", "bpf", "-c"])
        .args(flags)
        .arg(&file)
        .arg("-o")
        .arg(dir.join(format!("{name}.o")))
        .output()
        .expect("clang runs");
    let all = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.success(), diagnostics(&all), all)
}

/// A call of `name` as its declaration takes it: `0` for each parameter.
fn call(h: &Header, name: &str) -> String {
    let line = h
        .externs
        .iter()
        .find(|l| declared_name(l) == name)
        .unwrap_or_else(|| panic!("{name} is not declared"));
    let line = without_attributes(line);
    let params = &line[line.find('(').unwrap() + 1..line.rfind(')').unwrap()];
    let mut depth = 0;
    let mut commas = 0;
    for c in params.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => commas += 1,
            _ => {}
        }
    }
    let n = if params == "void" { 0 } else { commas + 1 };
    format!("{name}({})", vec!["0"; n].join(", "))
}

/// What one kernel's programs call: real kfuncs of the shipped policy.
struct Case {
    what: &'static str,
    deprecated: (&'static str, &'static str),
    /// The deprecated kfunc's whole message, as the shipped policy has it.
    message: &'static str,
    experimental: &'static str,
    removed: (&'static str, &'static str),
}

const PROGRAM: &str = "#include \"vmlinux.h\"\n#include \"kfuncs.h\"\n\
char LICENSE[] __attribute__((section(\"license\"), used)) = \"GPL\";\n\
__attribute__((section(\"tp_btf/task_newtask\"), used)) int prog(void *ctx)\n{\n\t";

/// Every check on one kernel: `btf` is raw BTF bpftool reads, `render`
/// the inputs kfuncdoc reads for the same kernel.
/// `source` is the kernel's source catalog, when it was read too.
fn check_kernel(
    case: &Case,
    btf: &Path,
    render: &[&str],
    source: Option<&kfuncdoc::model::Catalog>,
    tmp: &TempDir,
) {
    let Some(bpftool) = real_input("bpftool-7.5/bpftool") else {
        return;
    };
    let dir = &tmp.0;
    let vmlinux_h = dir.join("vmlinux.h");
    let theirs = bpftool_externs(&bpftool, btf, &vmlinux_h);
    assert!(
        !theirs.is_empty(),
        "{}: bpftool printed no kfunc",
        case.what
    );
    let policy = policy_dir(dir);
    let out = dir.join("out");
    let mut args = vec!["render", "--to", "header", "--out", out.to_str().unwrap()];
    args.extend(["--policy", policy.to_str().unwrap()]);
    args.extend(render);
    let o = kfuncdoc(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}: {}",
        case.what,
        String::from_utf8_lossy(&o.stderr)
    );
    // Written like the pages: a second run with --check finds nothing to do.
    let mut check = args.clone();
    check.push("--check");
    assert_eq!(kfuncdoc(&check).status.code(), Some(0), "{}", case.what);
    std::fs::copy(out.join("kfuncs.h"), dir.join("kfuncs.h")).unwrap();
    let h = read_header(&dir.join("kfuncs.h"));

    // Byte-equal declarations, the same set but for the functions of
    // fmod_ret allow-lists: pahole tags every function of a
    // BTF_KFUNCS_START set, so bpftool declares them, but programs cannot
    // call them (`register_btf_fmodret_id_set()` only).
    let fmodret: BTreeSet<&str> = source
        .iter()
        .flat_map(|c| &c.sets)
        .filter(|s| s.fmodret && !s.registered)
        .flat_map(|s| s.functions.iter().map(String::as_str))
        .filter(|f| source.is_some_and(|c| c.get(f).is_none()))
        .collect();
    let missing: Vec<_> = theirs
        .difference(&h.externs)
        .filter(|l| !fmodret.contains(declared_name(l).as_str()))
        .collect();
    let extra: Vec<_> = h.externs.difference(&theirs).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{}: bpftool only: {missing:#?}\nheader only: {extra:#?}",
        case.what
    );
    eprintln!(
        "note: {}: {} kfuncs declared as bpftool does, {} removed, {} need the kernel's types",
        case.what,
        h.externs.len(),
        h.removed.len(),
        h.needs_types.len()
    );
    let Some(clang) = clang() else { return };

    // With vmlinux.h: every kfunc, no conflict and no diagnostic.
    let names: Vec<String> = h.externs.iter().map(|l| declared_name(l)).collect();
    let table = |names: &[&String]| {
        names
            .iter()
            .map(|n| format!("\t(void *)&{n},\n"))
            .collect::<String>()
    };
    let all: Vec<&String> = names.iter().collect();
    let src = format!(
        "#include \"vmlinux.h\"\n#include \"kfuncs.h\"\nvoid *kfuncs[] = {{\n{}}};\n",
        table(&all)
    );
    // Taking a deprecated kfunc's address warns, as a call does.
    let quiet = ["-Wno-deprecated-declarations"];
    let (ok, diags, _) = compile(&clang, dir, "all", &src, &quiet);
    assert!(
        ok && diags.is_empty(),
        "{}: with vmlinux.h:\n{diags}",
        case.what
    );

    // Alone: every kfunc it declares without the kernel's types.
    let alone: Vec<&String> = names
        .iter()
        .filter(|n| !h.needs_types.contains(*n))
        .collect();
    let src = format!(
        "#include \"kfuncs.h\"\nvoid *kfuncs[] = {{\n{}}};\n",
        table(&alone)
    );
    let (ok, diags, _) = compile(&clang, dir, "alone", &src, &quiet);
    assert!(ok && diags.is_empty(), "{}: alone:\n{diags}", case.what);
    assert!(
        alone.len() * 10 > names.len() * 9,
        "{}: most kfuncs need no typedef",
        case.what
    );

    let program = |body: &str| format!("{PROGRAM}{body};\n\treturn 0;\n}}\n");
    // Stable: nothing.
    let (ok, diags, _) = compile(
        &clang,
        dir,
        "stable",
        &program("bpf_task_release((struct task_struct *)0)"),
        &[],
    );
    assert!(ok && diags.is_empty(), "{}: stable:\n{diags}", case.what);
    assert!(h.text.contains("Stability: stable"), "{}", case.what);

    // Deprecated: a warning naming the replacement.
    let (name, replacement) = case.deprecated;
    let (ok, diags, _) = compile(&clang, dir, "deprecated", &program(&call(&h, name)), &[]);
    assert!(ok, "{}: deprecated:\n{diags}", case.what);
    let warning = diags
        .lines()
        .find(|l| l.contains("warning:"))
        .unwrap_or_else(|| panic!("{}: no warning for {name}:\n{diags}", case.what));
    assert!(
        warning.contains(&format!("'{name}' is deprecated"))
            && warning.contains(&format!("{replacement}()"))
            && warning.ends_with("[-Wdeprecated-declarations]"),
        "{}: {warning}",
        case.what
    );
    assert_eq!(diags.matches("warning:").count(), 1, "{diags}");
    assert!(
        warning.contains(&format!("'{name}' is deprecated: {} [", case.message)),
        "{}: {warning}",
        case.what
    );

    // Experimental: a warning only when asked for.
    let body = program(&call(&h, case.experimental));
    let (ok, diags, _) = compile(&clang, dir, "experimental", &body, &[]);
    assert!(
        ok && diags.is_empty(),
        "{}: experimental:\n{diags}",
        case.what
    );
    let (ok, diags, _) = compile(
        &clang,
        dir,
        "experimental",
        &body,
        &["-DKFUNCDOC_WARN_EXPERIMENTAL"],
    );
    assert!(ok, "{}: {diags}", case.what);
    assert!(
        diags.contains(&format!(
            "warning: {} is experimental: it may change or go away in any release [-Wuser-defined-warnings]",
            case.experimental
        )) && diags.matches("warning:").count() == 1,
        "{}: experimental, warned:\n{diags}",
        case.what
    );

    // Removed: an error naming the replacement.
    let (name, replacement) = case.removed;
    let (ok, diags, _) = compile(&clang, dir, "removed", &program(&format!("{name}(0)")), &[]);
    assert!(!ok, "{}: {name} compiled", case.what);
    assert!(
        diags.contains(&format!("error: '{name}' is unavailable: removed in "))
            && diags.contains(&format!("use {replacement}()")),
        "{}: removed:\n{diags}",
        case.what
    );

    // The hostile reason: the header compiles, and clang prints the text.
    let (ok, diags, _) = compile(&clang, dir, "hostile", &program("bpf_hostile_gone()"), &[]);
    assert!(!ok);
    let e = diags.lines().find(|l| l.contains("error:")).unwrap();
    assert!(
        e.contains("'bpf_hostile_gone' is unavailable: removed in 6.3: no replacement: ")
            && e.contains(HOSTILE_SHOWN),
        "{e}"
    );
    assert_eq!(diags.matches("error:").count(), 1, "{diags}");
}

#[test]
fn running_kernel_header_compiles_with_bpftools_vmlinux_h() {
    const SYSFS: &str = "/sys/kernel/btf/vmlinux";
    if !Path::new(SYSFS).exists() {
        eprintln!("note: {SYSFS} missing; skipped");
        return;
    }
    let tmp = TempDir::new("header-running");
    // 6.18 (built without sched_ext): bpf_wq_set_callback_impl goes in 7.0
    // (renamed), the scx_bpf_dispatch family went in 6.17.
    let case = Case {
        what: "running kernel",
        deprecated: ("bpf_wq_set_callback_impl", "bpf_wq_set_callback"),
        message: "removed in 7.0, after this kernel: use bpf_wq_set_callback() (from 7.0)",
        experimental: "bpf_cpumask_first",
        removed: ("scx_bpf_dispatch", "scx_bpf_dsq_insert___v2"),
    };
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    if !release.starts_with("6.18") {
        eprintln!("note: the running kernel is {release}, not 6.18; its cases are 6.18's");
        return;
    }
    check_kernel(&case, Path::new(SYSFS), &["--btf", SYSFS], None, &tmp);
}

/// The raw BTF of a bzImage, with `bpf_kfunc` decl tags added for the
/// kfuncs kfuncdoc finds when the image has none.
fn raw_btf(bz: &Path, out: &Path) {
    let img = kfuncdoc::btf::read(bz, None).expect("reads the bzImage");
    let tagged = !img.btf().decl_tags().is_empty();
    let ids: Vec<u32> = if tagged {
        Vec::new()
    } else {
        let mut ids: Vec<u32> = img
            .kfuncs()
            .expect("finds kfuncs")
            .kfuncs
            .iter()
            .map(|k| k.btf_id)
            .collect();
        ids.sort();
        ids
    };
    std::fs::write(out, img.btf().raw_with_decl_tags("bpf_kfunc", &ids)).unwrap();
}

#[test]
fn debian_6_12_header_compiles_with_bpftools_vmlinux_h() {
    let (Some(tree), Some(image)) = (
        real_input("linux-source-6.12"),
        real_input("linux-image-6.12"),
    ) else {
        return;
    };
    let bz = image.join("boot/vmlinuz-6.12.117+deb12-amd64");
    let tmp = TempDir::new("header-6-12");
    let btf = tmp.0.join("vmlinux.btf");
    raw_btf(&bz, &btf);
    // 6.12 (Debian builds no sched_ext): bpf_wq_set_callback_impl goes in
    // 7.0; KF_KPTR_GET's kfuncs went in 6.4.
    let case = Case {
        what: "6.12 image",
        deprecated: ("bpf_wq_set_callback_impl", "bpf_wq_set_callback"),
        message: "removed in 7.0, after this kernel: use bpf_wq_set_callback() (from 7.0)",
        experimental: "bpf_cpumask_first",
        removed: ("bpf_task_kptr_get", "bpf_task_acquire"),
    };
    check_kernel(
        &case,
        &btf,
        &[
            "--source",
            tree.to_str().unwrap(),
            "--btf",
            bz.to_str().unwrap(),
        ],
        crate::real::tree_6_12().map(|(_, c)| c),
        &tmp,
    );
}

#[test]
fn debian_7_2_header_compiles_with_bpftools_vmlinux_h() {
    let (Some(tree), Some((bz, _modules))) =
        (real_input("linux-source-7.2"), crate::real::image_7_2())
    else {
        return;
    };
    let tmp = TempDir::new("header-7-2");
    let btf = tmp.0.join("vmlinux.btf");
    raw_btf(&bz, &btf);
    // 7.2: scx_bpf_cpu_rq's removal is planned for 7.3.
    let case = Case {
        what: "7.2 image",
        deprecated: ("scx_bpf_cpu_rq", "scx_bpf_cpu_curr"),
        message: "deprecated in 6.18, removal planned for 7.3: use scx_bpf_cpu_curr()",
        experimental: "scx_bpf_kick_cpu",
        removed: ("scx_bpf_dispatch", "scx_bpf_dsq_insert___v2"),
    };
    check_kernel(
        &case,
        &btf,
        &[
            "--source",
            tree.to_str().unwrap(),
            "--btf",
            bz.to_str().unwrap(),
        ],
        crate::real::tree_7_2().map(|(_, c)| c),
        &tmp,
    );
    // The kernel's own removal notices, read from the source: each such
    // kfunc the image has is deprecated in the header, with the release.
    let header = std::fs::read_to_string(tmp.0.join("kfuncs.h")).unwrap_or_default();
    let notices = compat_notices(&tree.join("kernel"));
    assert!(notices.len() >= 3, "{notices:?}");
    let lines: Vec<&str> = header.lines().collect();
    let mut seen = 0;
    for (name, release) in &notices {
        let Some(at) = lines
            .iter()
            .position(|l| l.starts_with("extern ") && declared_name(l) == *name)
        else {
            continue;
        };
        seen += 1;
        let attr = lines[at.saturating_sub(2)..at]
            .iter()
            .find(|l| l.starts_with("KFUNCDOC_DEPRECATED("));
        assert!(
            attr.is_some_and(|a| a.contains(&format!(" {release}"))),
            "{name}: {attr:?}"
        );
    }
    assert!(seen >= 3, "{seen} of {notices:?} declared");
}

/// `(kfunc, release)` for each "COMPAT: Will be removed in vX.Y" comment
/// under `dir` followed within 15 lines by a `__bpf_kfunc` definition: a
/// grep written for this test.
fn compat_notices(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for rel in files_under(dir).iter().filter(|f| f.ends_with(".c")) {
        let text = std::fs::read_to_string(dir.join(rel)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let Some(rest) = l.split("COMPAT: Will be removed in v").nth(1) else {
                continue;
            };
            let release: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let release = release.trim_end_matches('.').to_string();
            let def = lines[i + 1..lines.len().min(i + 16)]
                .iter()
                .find(|l| l.starts_with("__bpf_kfunc "));
            if let Some(def) = def {
                let name = def[..def.find('(').unwrap()]
                    .rsplit([' ', '*'])
                    .next()
                    .unwrap()
                    .to_string();
                out.push((name, release));
            }
        }
    }
    out.sort();
    out
}

/// The render fixture (comments full of markup and C-hostile text): the
/// header as a golden file, compiled alone; `--check`, `--context` and
/// `--from-context`, and an override that would make a file kfuncdoc could
/// not recognise.
#[test]
fn fixture_header_golden_check_context_and_overrides() {
    let tmp = TempDir::new("header-fixture");
    let out = tmp.0.join("out");
    let o = crate::render::render(&out, &["--to", "header"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let header = std::fs::read_to_string(out.join("kfuncs.h")).unwrap();
    crate::util::golden("header/kfuncs.h", &header);
    assert!(header.is_ascii() && !header.contains("??"));

    // Up to date; then a hand edit is a change --check reports.
    let o = crate::render::render(&out, &["--to", "header", "--check"]);
    assert_eq!(o.status.code(), Some(0));
    std::fs::write(out.join("kfuncs.h"), header.replace("Stability", "Stab")).unwrap();
    let o = crate::render::render(&out, &["--to", "header", "--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("kfuncs.h: would update"));

    // The context round-trips to the same header.
    let ctx = tmp.0.join("ctx.json");
    let fixture = crate::util::tree("render");
    let inputs = [
        "--source",
        fixture.to_str().unwrap(),
        "--policy",
        "tests/fixtures/policies/render.yaml",
    ];
    let context = |to: &str| {
        let mut args = vec!["render", "--to", to, "--context"];
        args.extend(inputs);
        let o = crate::util::kfuncdoc_in(&root(), &args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout
    };
    std::fs::write(&ctx, context("header")).unwrap();
    let o = kfuncdoc(&[
        "render",
        "--to",
        "header",
        "--stdout",
        "--from-context",
        ctx.to_str().unwrap(),
    ]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), header);
    // A page context is not a header context.
    std::fs::write(&ctx, context("rst")).unwrap();
    let o = kfuncdoc(&[
        "render",
        "--to",
        "header",
        "--stdout",
        "--from-context",
        ctx.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a kfuncdoc header context"));

    // An override is read like the pages'; it must keep the first line.
    let t = tmp.0.join("templates/header");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(t.join("kfuncs.h"), "/* mine */\n").unwrap();
    let o = crate::render::render(
        &out,
        &[
            "--to",
            "header",
            "--templates",
            tmp.0.join("templates").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("templates/header/kfuncs.h") && e.contains("Generated by kfuncdoc"),
        "{e}"
    );

    let Some(clang) = clang() else { return };
    std::fs::write(tmp.0.join("kfuncs.h"), &header).unwrap();
    let h = read_header(&tmp.0.join("kfuncs.h"));
    let src: String = h
        .externs
        .iter()
        .map(|l| declared_name(l))
        .filter(|n| !h.needs_types.contains(n))
        .map(|n| format!("\t(void *)&{n},\n"))
        .collect();
    let src = format!("#include \"kfuncs.h\"\nvoid *kfuncs[] = {{\n{src}}};\n");
    let (ok, diags, _) = compile(
        &clang,
        &tmp.0,
        "fixture",
        &src,
        &["-Wno-deprecated-declarations"],
    );
    assert!(ok && diags.is_empty(), "{diags}");
}
