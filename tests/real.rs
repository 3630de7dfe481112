//! The real Debian 6.12.117 and 6.1 source trees, against independent
//! oracles: a naive scan written for these tests, and the tree's own
//! `scripts/kernel-doc` and `scripts/get_maintainer.pl`.

use crate::util::real_input;
use kfuncdoc::kernel::{flags, hooks, suffixes};
use kfuncdoc::model::{Catalog, Kfunc};
use kfuncdoc::source::extract;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// A real tree from the cache and its catalog, extracted once per run.
type Extracted = Option<(std::path::PathBuf, Catalog)>;

fn extracted(
    cell: &'static OnceLock<Extracted>,
    rel: &str,
) -> Option<&'static (std::path::PathBuf, Catalog)> {
    cell.get_or_init(|| {
        let t = real_input(rel)?;
        let c = extract(&t).unwrap_or_else(|e| panic!("{rel}: {e}"));
        Some((t, c))
    })
    .as_ref()
}

pub(crate) fn tree_6_12() -> Option<&'static (std::path::PathBuf, Catalog)> {
    static C: OnceLock<Extracted> = OnceLock::new();
    extracted(&C, "linux-source-6.12")
}

pub(crate) fn tree_6_1() -> Option<&'static (std::path::PathBuf, Catalog)> {
    static C: OnceLock<Extracted> = OnceLock::new();
    extracted(&C, "linux-source-6.1")
}

/// Debian unstable's 7.2.13 tree (`.ci/fetch-inputs source-7.2`).
pub(crate) fn tree_7_2() -> Option<&'static (std::path::PathBuf, Catalog)> {
    static C: OnceLock<Extracted> = OnceLock::new();
    extracted(&C, "linux-source-7.2")
}

/// Debian unstable's 7.2.13 image: the signed bzImage and the module
/// directory (`.ci/fetch-inputs image-7.2`).
pub(crate) fn image_7_2() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let root = real_input("linux-image-7.2/usr/lib/modules/7.2.13+deb14-amd64")?;
    Some((root.join("vmlinuz"), root.join("kernel")))
}

pub(crate) fn k<'c>(c: &'c Catalog, name: &str) -> &'c Kfunc {
    c.get(name)
        .unwrap_or_else(|| panic!("{name} not extracted"))
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The oracle: every `BTF_ID_FLAGS(func, NAME` inside a `*_START(set)` ...
/// `*_END` block whose set is the `.set` of a struct passed to
/// `register_btf_kfunc_id_set()` in the same file. Deliberately simple and
/// written independently of `src/source`: plain string scanning, sequential.
pub(crate) fn naive_kfuncs(tree: &Path) -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let ft = e.file_type().unwrap();
            let p = e.path();
            if ft.is_dir() && !e.file_name().to_string_lossy().starts_with('.') {
                walk(&p, out);
            } else if ft.is_file() && p.extension().is_some_and(|x| x == "c") {
                out.push(p);
            }
        }
    }
    fn strip_comments(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("/*") {
            out.push_str(&rest[..i]);
            rest = match rest[i + 2..].find("*/") {
                Some(j) => &rest[i + 2 + j + 2..],
                None => "",
            };
        }
        out.push_str(rest);
        out
    }
    let mut files = Vec::new();
    walk(tree, &mut files);
    let mut names = BTreeSet::new();
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        if !text.contains("register_btf_kfunc_id_set(") {
            continue;
        }
        let text = strip_comments(&text);
        // kset name -> set name
        let mut registered_sets = BTreeSet::new();
        for (i, _) in text.match_indices("struct btf_kfunc_id_set ") {
            let decl = &text[i..];
            let Some(eq) = decl.find('=') else { continue };
            let name = decl["struct btf_kfunc_id_set ".len()..eq]
                .trim()
                .to_string();
            let Some(end) = decl.find("};") else { continue };
            let body: String = decl[eq..end]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let Some(s) = body.find(".set=&") else {
                continue;
            };
            let set: String = body[s + 6..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let called = text
                .match_indices("register_btf_kfunc_id_set(")
                .any(|(j, _)| {
                    let call: String = text[j..]
                        .chars()
                        .take_while(|c| *c != ';')
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    call.contains(&format!("&{name})"))
                });
            if called {
                registered_sets.insert(set);
            }
        }
        for line_start in ["BTF_KFUNCS_START(", "BTF_SET8_START("] {
            for (i, _) in text.match_indices(line_start) {
                let after = &text[i + line_start.len()..];
                let set: String = after.chars().take_while(|c| *c != ')').collect();
                if !registered_sets.contains(set.trim()) {
                    continue;
                }
                let end = after.find("_END(").unwrap_or(after.len());
                for (j, _) in after[..end].match_indices("BTF_ID_FLAGS(") {
                    let line_start = after[..j].rfind('\n').map_or(0, |n| n + 1);
                    if after[line_start..j].trim_start().starts_with('#') {
                        continue; // inside a #define
                    }
                    let args: String = after[j + 13..]
                        .chars()
                        .take_while(|c| *c != ')')
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    let mut parts = args.split(',');
                    if parts.next() == Some("func") {
                        names.insert(parts.next().unwrap_or("").to_string());
                    }
                }
            }
        }
    }
    names
}

/// The naive scan, plus what it cannot expand: the X-macro that fills
/// xdp_metadata_kfunc_ids (XDP_METADATA_KFUNC_xxx, include/net/xdp.h),
/// the same on 6.12 and 7.2.
pub(crate) fn naive_kfuncs_with_xdp_metadata(tree: &Path) -> BTreeSet<String> {
    let mut naive = naive_kfuncs(tree);
    naive.extend(
        [
            "bpf_xdp_metadata_rx_hash",
            "bpf_xdp_metadata_rx_timestamp",
            "bpf_xdp_metadata_rx_vlan_tag",
        ]
        .map(String::from),
    );
    naive
}

#[test]
fn complete_on_6_12_against_a_naive_scan() {
    let Some((t, c)) = tree_6_12() else { return };
    let ours: BTreeSet<String> = c.kfuncs.iter().map(|k| k.name.clone()).collect();
    let naive = naive_kfuncs_with_xdp_metadata(t);
    assert_eq!(ours, naive, "kfuncdoc and the naive scan disagree");
    assert!(ours.len() > 200);
    // Every kfunc has its definition, and the walk left nothing unexplained.
    for kf in &c.kfuncs {
        assert!(kf.definition.is_some(), "{} has no definition", kf.name);
        assert!(!kf.prog_types.is_empty(), "{} has no program type", kf.name);
    }
    let codes: BTreeSet<&str> = c.diagnostics.iter().map(|d| d.code.name()).collect();
    assert_eq!(
        codes,
        BTreeSet::from(["doc-name-mismatch", "set-flags-differ"]),
        "{:#?}",
        c.diagnostics
    );
}

#[test]
fn complete_on_7_2_against_a_naive_scan() {
    let Some((t, c)) = tree_7_2() else { return };
    assert_eq!(c.kernel.version.as_deref(), Some("7.2.13"));
    let ours: BTreeSet<String> = c.kfuncs.iter().map(|k| k.name.clone()).collect();
    let naive = naive_kfuncs_with_xdp_metadata(t);
    let missing: Vec<_> = naive.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&naive).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "kfuncdoc and the naive scan disagree: missing {missing:?}, extra {extra:?}"
    );
    assert_eq!(ours.len(), 416);
    for kf in &c.kfuncs {
        assert!(kf.definition.is_some(), "{} has no definition", kf.name);
        assert!(!kf.prog_types.is_empty(), "{} has no program type", kf.name);
    }
}

#[test]
fn complete_on_6_1_against_a_naive_scan() {
    let Some((t, c)) = tree_6_1() else { return };
    let ours: BTreeSet<String> = c.kfuncs.iter().map(|k| k.name.clone()).collect();
    assert_eq!(ours, naive_kfuncs(t));
    for kf in &c.kfuncs {
        assert!(kf.definition.is_some(), "{} has no definition", kf.name);
    }
    // 6.1-era definitions: no __bpf_kfunc anywhere.
    let crash = k(c, "crash_kexec");
    assert_eq!(
        crash.definition.as_ref().unwrap().file,
        "kernel/kexec_core.c"
    );
    assert_eq!(crash.definition.as_ref().unwrap().marker, "none");
    let ct = k(c, "bpf_xdp_ct_lookup");
    assert_eq!(ct.definition.as_ref().unwrap().marker, "diag_region");
    assert_eq!(
        k(c, "tcp_reno_ssthresh").definition.as_ref().unwrap().file,
        "net/ipv4/tcp_cong.c"
    );
    assert_eq!(
        k(c, "bpf_kfunc_call_test_kptr_get").flags,
        strs(&["KF_ACQUIRE", "KF_KPTR_GET", "KF_RET_NULL"])
    );
    assert!(k(c, "bpf_kfunc_call_test1").test_only);
    assert!(c.diagnostics.is_empty(), "{:#?}", c.diagnostics);
}

#[test]
fn specific_kfuncs_end_to_end() {
    let Some((_, c)) = tree_6_12() else { return };
    assert_eq!(c.kernel.version.as_deref(), Some("6.12.117"));
    let general = "BPF [GENERAL] (Safe Dynamic Programs and Tools)";

    let t = k(c, "bpf_task_acquire");
    assert_eq!(t.sets, strs(&["generic_btf_ids"]));
    assert_eq!(
        (t.file.as_deref(), t.line),
        (Some("kernel/bpf/helpers.c"), Some(3100))
    );
    assert_eq!(t.flags, strs(&["KF_ACQUIRE", "KF_RCU", "KF_RET_NULL"]));
    assert_eq!(t.flags_value, 0x85);
    assert_eq!(
        t.prog_types,
        strs(&[
            "BPF_PROG_TYPE_CGROUP_SKB",
            "BPF_PROG_TYPE_SCHED_CLS",
            "BPF_PROG_TYPE_STRUCT_OPS",
            "BPF_PROG_TYPE_SYSCALL",
            "BPF_PROG_TYPE_TRACING",
            "BPF_PROG_TYPE_XDP"
        ])
    );
    assert!(t.callable_from.contains(&"BPF_PROG_TYPE_LSM".to_string()));
    assert_eq!(
        t.definition.as_ref().unwrap().prototype,
        "struct task_struct *bpf_task_acquire(struct task_struct *p)"
    );
    assert!(
        t.doc
            .as_ref()
            .unwrap()
            .summary
            .as_deref()
            .unwrap()
            .starts_with("Acquire a reference to a task.")
    );
    assert_eq!(t.doc.as_ref().unwrap().params[0].name, "p");
    assert_eq!(t.subsystem.as_ref().unwrap().name, general);
    assert!(
        t.subsystem
            .as_ref()
            .unwrap()
            .lists
            .contains(&"bpf@vger.kernel.org".to_string())
    );

    let m = k(c, "bpf_cpumask_create");
    assert_eq!(m.sets, strs(&["cpumask_kfunc_btf_ids"]));
    assert_eq!(m.flags, strs(&["KF_ACQUIRE", "KF_RET_NULL"]));
    assert_eq!(
        m.prog_types,
        strs(&[
            "BPF_PROG_TYPE_STRUCT_OPS",
            "BPF_PROG_TYPE_SYSCALL",
            "BPF_PROG_TYPE_TRACING"
        ])
    );
    assert_eq!(
        m.doc.as_ref().unwrap().summary.as_deref(),
        Some("Create a mutable BPF cpumask.")
    );
    assert!(m.params.is_empty());

    let s = k(c, "bpf_dynptr_from_skb");
    assert_eq!(s.sets, strs(&["bpf_kfunc_check_set_skb"]));
    assert_eq!(s.file.as_deref(), Some("net/core/filter.c"));
    assert_eq!(s.params[2].name, "ptr__uninit");
    assert_eq!(s.params[2].annotation.as_deref(), Some("__uninit"));
    assert_eq!(s.prog_types.len(), 11);
    assert!(
        s.prog_types
            .contains(&"BPF_PROG_TYPE_NETFILTER".to_string())
    );

    let ct = k(c, "bpf_xdp_ct_lookup");
    assert_eq!(ct.sets, strs(&["nf_ct_kfunc_set"]));
    assert_eq!(ct.flags, strs(&["KF_ACQUIRE", "KF_RET_NULL"]));
    assert_eq!(
        ct.prog_types,
        strs(&["BPF_PROG_TYPE_SCHED_CLS", "BPF_PROG_TYPE_XDP"])
    );
    assert_eq!(ct.params[2].annotation.as_deref(), Some("__sz"));
    assert_eq!(ct.params[4].annotation.as_deref(), Some("__sz"));
    assert!(
        !ct.doc.as_ref().unwrap().kernel_doc,
        "nf_conntrack uses plain comments"
    );
    assert_eq!(ct.subsystem.as_ref().unwrap().name, "NETFILTER");

    let md = k(c, "bpf_xdp_metadata_rx_hash");
    assert_eq!(md.sets, strs(&["xdp_metadata_kfunc_ids"]));
    assert_eq!(md.flags, strs(&["KF_TRUSTED_ARGS"]));
    assert_eq!(md.prog_types, strs(&["BPF_PROG_TYPE_XDP"]));
    assert_eq!(
        (md.file.as_deref(), md.line),
        (Some("net/core/xdp.c"), Some(829))
    );
    assert_eq!(
        md.doc.as_ref().unwrap().summary.as_deref(),
        Some("Read XDP frame RX hash.")
    );

    let x = k(c, "bpf_get_file_xattr");
    assert_eq!(x.flags, strs(&["KF_SLEEPABLE", "KF_TRUSTED_ARGS"]));
    assert_eq!(x.prog_types, strs(&["BPF_PROG_TYPE_LSM"]));
    assert!(x.filtered);
    assert_eq!(x.params[1].annotation.as_deref(), Some("__str"));
    assert_eq!(
        x.doc.as_ref().unwrap().summary.as_deref(),
        Some("get xattr of a file")
    );
    assert_eq!(
        x.doc.as_ref().unwrap().returns.as_deref(),
        Some("0 on success, a negative value on error.")
    );
    assert_eq!(
        x.subsystem.as_ref().unwrap().name,
        "FILESYSTEMS (VFS and infrastructure)"
    );

    let d = k(c, "scx_bpf_dispatch");
    assert_eq!(d.sets, strs(&["scx_kfunc_ids_enqueue_dispatch"]));
    assert_eq!(d.flags, strs(&["KF_RCU"]));
    assert_eq!(d.prog_types, strs(&["BPF_PROG_TYPE_STRUCT_OPS"]));
    assert_eq!(
        d.doc.as_ref().unwrap().summary.as_deref(),
        Some("Dispatch a task into the FIFO queue of a DSQ")
    );
    assert_eq!(d.params.len(), 4);
    assert_eq!(d.subsystem.as_ref().unwrap().name, "SCHEDULER - SCHED_EXT");

    let i = k(c, "bpf_iter_num_new");
    assert_eq!(i.sets, strs(&["common_btf_ids"]));
    assert_eq!(i.flags, strs(&["KF_ITER_NEW"]));
    assert!(i.all_prog_types);
    assert_eq!(i.prog_types, strs(&["BPF_PROG_TYPE_UNSPEC"]));
    assert_eq!(i.definition.as_ref().unwrap().file, "kernel/bpf/bpf_iter.c");

    let ck = k(c, "crash_kexec");
    assert_eq!(ck.flags, strs(&["KF_DESTRUCTIVE"]));
    assert_eq!(ck.conditions, strs(&["CONFIG_CRASH_DUMP"]));
    assert_eq!(ck.definition.as_ref().unwrap().file, "kernel/crash_core.c");

    // Module code and test code.
    assert_eq!(
        k(c, "cubictcp_init").subsystem.as_ref().unwrap().name,
        "NETWORKING [TCP]"
    );
    assert!(k(c, "cubictcp_init").definition.as_ref().unwrap().is_static);
    assert_eq!(
        k(c, "hid_bpf_get_data").subsystem.as_ref().unwrap().name,
        "HID CORE LAYER"
    );
    assert!(k(c, "bpf_kfunc_call_test_release").test_only);
    assert!(k(c, "bpf_testmod_test_mod_kfunc").test_only);
    assert!(!k(c, "bpf_crypto_ctx_create").test_only);
    assert!(k(c, "bpf_sock_destroy").filtered);
    // fmod_ret lists are not kfuncs.
    assert!(c.get("bpf_fentry_test1").is_none());
    assert!(c.get("update_socket_protocol").is_none());
}

#[test]
fn builtin_tables_match_the_trees() {
    for (tree, v) in [
        ("linux-source-6.12", "6.12.117"),
        ("linux-source-6.1", "6.1"),
    ] {
        let Some(t) = real_input(tree) else { return };
        let v = v.parse().unwrap();
        let btf_h = std::fs::read_to_string(t.join("include/linux/btf.h")).unwrap();
        assert_eq!(
            flags::parse_btf_h(&btf_h),
            flags::builtin(v),
            "{tree} KF_* bits"
        );
        let btf_c = std::fs::read_to_string(t.join("kernel/bpf/btf.c")).unwrap();
        assert_eq!(
            hooks::parse_btf_c(&btf_c).unwrap(),
            hooks::builtin(v),
            "{tree} hooks"
        );
        let verifier = std::fs::read_to_string(t.join("kernel/bpf/verifier.c")).unwrap();
        let parsed = suffixes::parse_verifier_c(&verifier);
        if !parsed.is_empty() {
            assert_eq!(
                suffixes::SuffixTable::new(parsed),
                suffixes::builtin(v),
                "{tree} suffixes"
            );
        } else {
            assert_eq!(
                suffixes::builtin(v).suffixes,
                ["__sz"],
                "6.1 checks __sz by hand"
            );
        }
    }
}

/// `scripts/kernel-doc -rst -function NAME FILE`: the summary and the
/// parameter names it prints for each kfunc documented with kernel-doc.
#[test]
fn kernel_doc_agrees_with_scripts_kernel_doc() {
    let Some((t, c)) = tree_6_12() else { return };
    let mut by_file: BTreeMap<&str, Vec<&Kfunc>> = BTreeMap::new();
    for kf in &c.kfuncs {
        if let Some(doc) = kf.doc.as_ref().filter(|d| d.kernel_doc) {
            by_file.entry(doc.file.as_str()).or_default().push(kf);
        }
    }
    let mut checked = 0;
    for (file, kfuncs) in by_file {
        let mut cmd = Command::new("perl");
        cmd.current_dir(t).arg("scripts/kernel-doc").arg("-rst");
        for kf in &kfuncs {
            cmd.arg("-function").arg(&kf.name);
        }
        let out = cmd
            .arg(file)
            .output()
            .expect("perl runs scripts/kernel-doc");
        let rst = String::from_utf8_lossy(&out.stdout);
        // One block per `.. c:function:: PROTOTYPE` line, keyed by the name
        // before the parameter list.
        let mut blocks: BTreeMap<String, String> = BTreeMap::new();
        for chunk in rst.split(".. c:function:: ").skip(1) {
            let proto = chunk.lines().next().unwrap_or("");
            let before = proto.split('(').next().unwrap_or("").trim_end();
            let name = before.rsplit([' ', '*']).next().unwrap_or("").to_string();
            blocks.insert(name, chunk.to_string());
        }
        for kf in kfuncs {
            let doc = kf.doc.as_ref().unwrap();
            let Some(block) = blocks.get(&kf.name) else {
                // kernel-doc finds a comment by the name its identifier line
                // gives; a mismatched name is reported by kfuncdoc instead.
                assert!(
                    c.diagnostics
                        .iter()
                        .any(|d| d.kfunc.as_deref() == Some(&kf.name)),
                    "{} not in kernel-doc output",
                    kf.name
                );
                continue;
            };
            let lines: Vec<&str> = block.lines().collect();
            // The summary is the first indented line after the directive.
            let summary = lines
                .iter()
                .skip(1)
                .map(|l| l.trim())
                .find(|l| !l.is_empty())
                .unwrap_or("");
            // Compare words: kernel-doc renders `@p` as **p**, `%NULL` as
            // ``NULL`` and cross-references as :c:type:`x <y>`.
            let norm = |s: &str| {
                let mut t = String::new();
                let mut in_ref = false;
                for c in s.replace(":c:func:", " ").replace(":c:type:", " ").chars() {
                    match c {
                        '<' => in_ref = true,
                        '>' => in_ref = false,
                        _ if in_ref => {}
                        c if c.is_alphanumeric() || c == '_' => t.push(c),
                        _ => t.push(' '),
                    }
                }
                t.split_whitespace().collect::<Vec<_>>().join(" ")
            };
            assert_eq!(
                norm(summary),
                norm(doc.summary.as_deref().unwrap_or("")),
                "{} summary",
                kf.name
            );
            // The **Parameters** section lists ``type name`` lines.
            // (indented by two; their descriptions by four).
            let params: Vec<String> = lines
                .iter()
                .skip_while(|l| l.trim() != "**Parameters**")
                .skip(1)
                .take_while(|l| !(l.trim().starts_with("**") && l.trim().ends_with("**")))
                .filter(|l| l.starts_with("  ``"))
                .filter_map(|l| {
                    l.trim()
                        .strip_prefix("``")?
                        .strip_suffix("``")
                        .map(str::to_string)
                })
                .filter(|p| !p.is_empty())
                .collect();
            // kernel-doc lists every parameter of the prototype it parsed:
            // the same names, in the same order, as ours.
            let theirs: Vec<&str> = params
                .iter()
                .filter(|decl| *decl != "void")
                .map(|decl| {
                    let decl = match decl.strip_suffix(']') {
                        Some(d) => d.rsplit_once('[').map_or(d, |(a, _)| a),
                        None => decl,
                    };
                    decl.rsplit([' ', '*', '(', ')'])
                        .find(|w| !w.is_empty())
                        .unwrap_or("")
                })
                .collect();
            let ours: Vec<&str> = kf.params.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(theirs, ours, "{}: parameters", kf.name);
            checked += 1;
        }
    }
    assert!(checked > 80, "only {checked} kfuncs checked");
}

/// A MAINTAINERS field line (`M:\t...`), not a section title.
fn is_field_line(l: &str) -> bool {
    let b = l.as_bytes();
    b.len() > 2 && b[1] == b':' && b[0].is_ascii_uppercase()
}

/// `scripts/get_maintainer.pl --sections -f FILE` lists the sections of a
/// file; ours must be among them, and be it when it names a single one.
#[test]
fn subsystems_agree_with_get_maintainer() {
    let Some((t, c)) = tree_6_12() else { return };
    let files: BTreeMap<&str, &str> = c
        .kfuncs
        .iter()
        .filter_map(|k| Some((k.file.as_deref()?, k.subsystem.as_ref()?.name.as_str())))
        .collect();
    for (file, ours) in files {
        let out = Command::new("perl")
            .current_dir(t)
            .args([
                "scripts/get_maintainer.pl",
                "--no-git",
                "--no-git-fallback",
                "--sections",
                "-f",
                file,
            ])
            .output()
            .expect("perl runs get_maintainer.pl");
        let text = String::from_utf8_lossy(&out.stdout);
        let titles: Vec<&str> = text
            .lines()
            .filter(|l| !l.is_empty() && !is_field_line(l))
            .collect();
        assert!(titles.contains(&ours), "{file}: {ours} not in {titles:?}");
        let specific: Vec<&&str> = titles.iter().filter(|t| **t != "THE REST").collect();
        if specific.len() == 1 {
            assert_eq!(*specific[0], ours, "{file}");
        }
    }
}

/// Every caller file the usage scan reports does contain a call-shaped
/// `name(`, found here by a plain text search that shares no code with
/// the scan; and a few counts read off the 6.12.117 selftests by hand.
#[test]
fn usage_counts_files_that_call_each_kfunc() {
    let Some((tree, c)) = tree_6_12() else { return };
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for dir in ["tools/testing/selftests", "samples", "tools/sched_ext"] {
        for f in crate::util::files_under(&tree.join(dir)) {
            if f.ends_with(".c") {
                let bytes = std::fs::read(tree.join(dir).join(&f)).unwrap();
                let text = String::from_utf8_lossy(&bytes).into_owned();
                texts.insert(format!("{dir}/{f}"), text);
            }
        }
    }
    // Wrapper macros, found naively: `#define X(...) ... kfunc(`, with
    // continuation lines joined, in the headers of those directories.
    let mut wrappers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for dir in ["tools/testing/selftests", "samples", "tools/sched_ext"] {
        for f in crate::util::files_under(&tree.join(dir)) {
            if !f.ends_with(".h") {
                continue;
            }
            let bytes = std::fs::read(tree.join(dir).join(&f)).unwrap();
            let joined = String::from_utf8_lossy(&bytes).replace("\\\n", " ");
            // And `static inline` functions: the name on the header line,
            // the body up to the next line that is only `}`.
            let all: Vec<&str> = joined.lines().collect();
            for (i, line) in all.iter().enumerate() {
                if !(line.starts_with("static inline")
                    || line.starts_with("static __always_inline"))
                {
                    continue;
                }
                let head = format!("{line} {}", all.get(i + 1).unwrap_or(&""));
                let Some(name) = head
                    .split('(')
                    .next()
                    .and_then(|h| h.split_whitespace().last())
                    .map(|n| n.trim_start_matches('*'))
                else {
                    continue;
                };
                let end = (i..all.len()).find(|&j| all[j] == "}").unwrap_or(i);
                let body = all[i..=end].join("\n");
                for kf in &c.kfuncs {
                    if name != kf.name && body.contains(&kf.name) {
                        wrappers
                            .entry(kf.name.clone())
                            .or_default()
                            .push(name.to_string());
                    }
                }
            }
            for line in joined.lines() {
                let Some(def) = line.trim_start().strip_prefix("#define ") else {
                    continue;
                };
                let Some((alias, body)) = def.split_once('(') else {
                    continue;
                };
                for kf in &c.kfuncs {
                    if alias != kf.name && body.contains(&format!("{}(", kf.name)) {
                        wrappers
                            .entry(kf.name.clone())
                            .or_default()
                            .push(alias.trim().to_string());
                    }
                }
            }
        }
    }
    let mut used = 0;
    for kf in &c.kfuncs {
        let u = kf.usage.as_ref().expect("the 6.12 tree has selftests");
        let mut callees = vec![kf.name.clone()];
        callees.extend(wrappers.get(&kf.name).cloned().unwrap_or_default());
        for f in &u.files {
            assert!(f.calls > 0, "{}: {}", kf.name, f.file);
            let text = &texts[&f.file];
            // `name(` and libbpf's flavours `name___suffix(`, which bind
            // to the kfunc `name`.
            let textual: usize = callees
                .iter()
                .map(|n| {
                    let plain = text.matches(&format!("{n}(")).count();
                    let flavoured = text
                        .match_indices(&format!("{n}___"))
                        .filter(|(i, m)| {
                            let rest = &text[i + m.len()..];
                            let ident = rest
                                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                                .unwrap_or(rest.len());
                            ident > 0 && rest[ident..].starts_with('(')
                        })
                        .count();
                    plain + flavoured
                })
                .sum();
            assert!(
                textual >= f.calls as usize,
                "{}: {} counted {} calls",
                kf.name,
                f.file,
                f.calls
            );
        }
        assert_eq!(u.selftests + u.samples, u.files.len() as u32);
        used += usize::from(!u.files.is_empty());
    }
    // Most kfuncs have a selftest; a catalog where none has is a broken scan.
    assert!(used * 2 > c.kfuncs.len(), "{used} of {}", c.kfuncs.len());

    let t = k(c, "bpf_task_acquire").usage.as_ref().unwrap();
    assert_eq!((t.selftests, t.samples), (7, 0));
    let success = t
        .files
        .iter()
        .find(|f| f.file.ends_with("progs/task_kfunc_success.c"))
        .unwrap();
    // 5 direct calls, 3 through the flavours `bpf_task_acquire___one`,
    // `___two` and `___three`, 3 through task_kfunc_common.h's static
    // inline tasks_kfunc_map_insert().
    assert_eq!(success.calls, 11);
    // Calls through bpf_experimental.h's bpf_obj_new() count for the
    // kfunc it wraps.
    let o = k(c, "bpf_obj_new_impl").usage.as_ref().unwrap();
    assert!(o.selftests > 10, "{o:?}");
    // sched_ext's own selftests and example schedulers count too.
    let d = k(c, "scx_bpf_dispatch").usage.as_ref().unwrap();
    assert!(
        d.files
            .iter()
            .any(|f| f.file.starts_with("tools/testing/selftests/sched_ext/"))
    );
    assert!(
        d.files
            .iter()
            .any(|f| f.file.starts_with("tools/sched_ext/"))
    );
}
