//! Implicit kfunc arguments (`KF_IMPLICIT_ARGS`, issue 9 item 1) on the
//! real trees: the prototype BPF programs call, from the 7.2 source against
//! a naive reading of the source text, from Debian's 7.2 image against the
//! source, on the rendered pages, and no change on 6.12.

use crate::real::{image_7_2, tree_6_12, tree_7_2};
use kfuncdoc::built;
use kfuncdoc::model::{Catalog, Kfunc};
use kfuncdoc::render::{self, Description, Flavour, Format, Options, Templates};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const FLAG: &str = "KF_IMPLICIT_ARGS";

/// The flagged kfuncs of a catalog.
fn flagged(c: &Catalog) -> Vec<&Kfunc> {
    c.kfuncs
        .iter()
        .filter(|k| k.flags.iter().any(|f| f == FLAG))
        .collect()
}

/// Every `.c` file under `dir`.
fn c_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let ft = e.file_type().unwrap();
        let p = e.path();
        if ft.is_dir() && !e.file_name().to_string_lossy().starts_with('.') {
            c_files(&p, out);
        } else if ft.is_file() && p.extension().is_some_and(|x| x == "c") {
            out.push(p);
        }
    }
}

/// The oracle, written for this test only: the names of every
/// `BTF_ID_FLAGS(func, NAME, ... KF_IMPLICIT_ARGS ...)` line of the tree
/// (not in a `#define`), with the file holding each.
fn naive_flagged(tree: &Path) -> BTreeMap<String, std::path::PathBuf> {
    let mut files = Vec::new();
    c_files(tree, &mut files);
    let mut out = BTreeMap::new();
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        if !text.contains(FLAG) {
            continue;
        }
        for line in text.lines() {
            let line = line.trim();
            let Some(args) = line.strip_prefix("BTF_ID_FLAGS(") else {
                continue;
            };
            let args: Vec<&str> = args
                .trim_end_matches(')')
                .split(',')
                .map(str::trim)
                .collect();
            if args.len() >= 3 && args[0] == "func" && args[2..].join(",").contains(FLAG) {
                out.insert(args[1].to_string(), f.clone());
            }
        }
    }
    out
}

/// The definition's parameters of `name`: in the file listing it, else in
/// a `.c` file beside it (`bpf_stream_vprintk` is listed in
/// `kernel/bpf/helpers.c` and defined in `stream.c`).
fn naive_kernel_params(listed_in: &Path, name: &str) -> Vec<String> {
    let mut files = vec![listed_in.to_path_buf()];
    let mut siblings: Vec<_> = std::fs::read_dir(listed_in.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "c") && p != listed_in)
        .collect();
    siblings.sort();
    files.extend(siblings);
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        if let Some(params) = naive_definition_params(&text, name) {
            return params;
        }
    }
    panic!("no definition of {name}");
}

/// Splits a parameter list at the commas outside parentheses.
fn split_params(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut cur) = (0, String::new());
    for c in list.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty() && p != "void")
        .collect()
}

/// The parameter list of `prototype` (`ret name(list)`).
fn params_of(prototype: &str, name: &str) -> Vec<String> {
    let open = prototype.find(&format!("{name}(")).unwrap() + name.len() + 1;
    split_params(&prototype[open..prototype.len() - 1])
}

/// The parameter declarations of the definition of `name` in `text` (the
/// `NAME(...)` followed by `{`), as written, whitespace collapsed.
fn naive_definition_params(text: &str, name: &str) -> Option<Vec<String>> {
    let needle = format!("{name}(");
    for (i, _) in text.match_indices(&needle) {
        let prev = text[..i].chars().next_back().unwrap_or(' ');
        if prev.is_alphanumeric() || prev == '_' {
            continue;
        }
        let rest = &text[i + needle.len()..];
        let mut depth = 1;
        let Some((end, _)) = rest.char_indices().find(|&(_, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth == 0
        }) else {
            continue;
        };
        if !rest[end + 1..].trim_start().starts_with('{') {
            continue;
        }
        return Some(split_params(&rest[..end]));
    }
    None
}

/// A parameter the verifier supplies: one pointer to `struct bpf_prog_aux`
/// or `struct btf_struct_meta`, `const` or not.
fn naive_implicit(decl: &str) -> bool {
    let d = decl.trim_start_matches("const ");
    d.starts_with("struct bpf_prog_aux *") || d.starts_with("struct btf_struct_meta *")
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn source_7_2_bpf_prototypes_against_the_source_text() {
    let Some((tree, c)) = tree_7_2() else { return };
    let naive = naive_flagged(tree);
    let ours: BTreeSet<&str> = flagged(c).iter().map(|k| k.name.as_str()).collect();
    assert_eq!(ours, naive.keys().map(String::as_str).collect());
    let tests = flagged(c).iter().filter(|k| k.test_only).count();
    assert_eq!((ours.len() - tests, tests), (64, 3));
    for k in flagged(c) {
        let kernel = naive_kernel_params(&naive[&k.name], &k.name);
        let first = kernel
            .iter()
            .position(|p| naive_implicit(p))
            .unwrap_or_else(|| panic!("{}: no implicit parameter in {kernel:?}", k.name));
        let bpf = k
            .bpf_prototype
            .as_deref()
            .unwrap_or_else(|| panic!("{}", k.name));
        assert!(
            !bpf.contains("bpf_prog_aux") && !bpf.contains("btf_struct_meta"),
            "{bpf}"
        );
        // The BPF prototype is the kernel's minus the trailing implicit
        // parameters; the kernel's is kept whole.
        let ours: Vec<String> = params_of(bpf, &k.name).iter().map(|p| squeeze(p)).collect();
        let expected: Vec<String> = kernel[..first].iter().map(|p| squeeze(p)).collect();
        assert_eq!(ours, expected, "{}", k.name);
        let def = &k.definition.as_ref().unwrap().prototype;
        let all: Vec<String> = params_of(def, &k.name).iter().map(|p| squeeze(p)).collect();
        assert_eq!(
            all,
            kernel.iter().map(|p| squeeze(p)).collect::<Vec<_>>(),
            "{}",
            k.name
        );
        assert_eq!(
            squeeze(&def.replacen(&k.name, "", 1)).split('(').next(),
            squeeze(&bpf.replacen(&k.name, "", 1)).split('(').next()
        );
        let marks: Vec<bool> = k.params.iter().map(|p| p.implicit).collect();
        let expected: Vec<bool> = (0..kernel.len()).map(|i| i >= first).collect();
        assert_eq!(marks, expected, "{}", k.name);
    }
    // The cases the issue names, and one where a parameter follows the
    // implicit one.
    let bpf = |n: &str| crate::real::k(c, n).bpf_prototype.clone().unwrap();
    assert_eq!(
        bpf("scx_bpf_dsq_insert___v2"),
        "bool scx_bpf_dsq_insert___v2(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags)"
    );
    assert_eq!(
        bpf("bpf_wq_set_callback"),
        "int bpf_wq_set_callback(struct bpf_wq *wq, int (callback_fn)(void *map, int *key, void *value), unsigned int flags)"
    );
    assert_eq!(
        bpf("bpf_list_push_back"),
        "int bpf_list_push_back(struct bpf_list_head *head, struct bpf_list_node *node)"
    );
    assert_eq!(
        bpf("scx_bpf_dispatch_cancel"),
        "void scx_bpf_dispatch_cancel(void)"
    );
    // Nothing else has a BPF prototype of its own or an implicit parameter:
    // not the legacy `_impl` kfuncs, whose `void *meta__ign` the program
    // passes.
    for k in c
        .kfuncs
        .iter()
        .filter(|k| !k.flags.iter().any(|f| f == FLAG))
    {
        assert_eq!(k.bpf_prototype, None, "{}", k.name);
        assert!(k.params.iter().all(|p| !p.implicit), "{}", k.name);
    }
    assert!(c.get("bpf_obj_new_impl").is_some());
}

#[test]
fn no_change_on_6_12() {
    let Some((_, c)) = tree_6_12() else { return };
    assert!(flagged(c).is_empty());
    for k in &c.kfuncs {
        assert_eq!(k.bpf_prototype, None, "{}", k.name);
        assert!(k.params.iter().all(|p| !p.implicit), "{}", k.name);
    }
    // 6.12's `struct bpf_prog_aux *` parameters are ordinary ones.
    let wq = crate::real::k(c, "bpf_wq_set_callback_impl");
    assert!(wq.params.iter().any(|p| p.name == "aux__ign"));
}

/// Debian's 7.2 image read through the report cache, as `extract` does.
fn built_7_2() -> Option<built::Built> {
    let (bz, modules) = image_7_2()?;
    let cache = built::default_cache_dir();
    Some(built::read_cached(Some(&bz), None, &[modules], cache.as_deref()).unwrap())
}

#[test]
fn image_7_2_agrees_with_its_source() {
    let (Some((_, source)), Some(image)) = (tree_7_2(), built_7_2()) else {
        return;
    };
    let names: BTreeSet<&str> = image.kfuncs.keys().map(String::as_str).collect();
    let mut checked = 0;
    for k in flagged(source) {
        let Some(b) = image.kfuncs.get(&k.name) else {
            assert!(k.test_only, "{} is not in the image", k.name);
            continue;
        };
        checked += 1;
        let b = &b.kfunc;
        // BTF's FUNC is what the source says BPF programs call: the same
        // parameters, by name, in order.
        let visible: Vec<&str> = k
            .params
            .iter()
            .filter(|p| !p.implicit)
            .map(|p| p.name.as_str())
            .collect();
        let in_btf: Vec<&str> = b.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(in_btf, visible, "{}", k.name);
        assert!(!b.prototype.contains("bpf_prog_aux") && !b.prototype.contains("btf_struct_meta"));
        // `<name>_impl` has the kernel's: resolve_btfids' copy (no kfunc),
        // or the legacy kfunc of that name the source registers.
        let decl = b.impl_func.as_ref().unwrap_or_else(|| panic!("{}", k.name));
        let impl_name = format!("{}_impl", k.name);
        if let Some(legacy) = source.get(&impl_name) {
            assert_eq!(decl.btf_id, image.kfuncs[&impl_name].kfunc.btf_id);
            assert!(legacy.flags.iter().all(|f| f != FLAG));
        } else {
            assert!(
                !names.contains(impl_name.as_str()),
                "{impl_name} is no kfunc"
            );
            let all: Vec<&str> = k.params.iter().map(|p| p.name.as_str()).collect();
            let in_impl: Vec<&str> = decl.params.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(in_impl, all, "{}", k.name);
        }
    }
    assert!(checked >= 64, "{checked}");
    // The legacy `_impl` kfuncs stay kfuncs of their own.
    for legacy in [
        "bpf_obj_new_impl",
        "bpf_list_push_back_impl",
        "bpf_rbtree_add_impl",
    ] {
        assert!(names.contains(legacy), "{legacy}");
    }

    // Joined: the source's BPF prototype is BTF's, the kernel's is `_impl`'s.
    let joined = built::combine(source.clone(), built_7_2().unwrap());
    let names: Vec<&str> = joined.kfuncs.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names,
        source
            .kfuncs
            .iter()
            .map(|k| k.name.as_str())
            .collect::<Vec<_>>(),
        "no `_impl` of resolve_btfids' joins the catalog"
    );
    for k in flagged(&joined)
        .into_iter()
        .filter(|k| k.built == Some(true))
    {
        let btf = k.btf.as_ref().unwrap();
        assert!(btf.impl_prototype.is_some(), "{}", k.name);
        assert_eq!(
            params_of(&btf.prototype, &k.name).len(),
            params_of(k.bpf_prototype.as_deref().unwrap(), &k.name).len(),
            "{}: {} vs {:?}",
            k.name,
            btf.prototype,
            k.bpf_prototype
        );
    }
    assert_eq!(
        joined
            .get("bpf_task_work_schedule_signal")
            .unwrap()
            .btf
            .as_ref()
            .unwrap()
            .impl_prototype
            .as_deref(),
        Some(
            "int bpf_task_work_schedule_signal_impl(struct task_struct *task, struct bpf_task_work *tw, void *map__map, bpf_task_work_callback_t callback, struct bpf_prog_aux *aux)"
        )
    );

    // Alone: the parameters are `_impl`'s with the verifier's marked, the
    // BPF prototype BTF's.
    let alone = built::catalog(built_7_2().unwrap());
    let wq = alone.get("bpf_wq_set_callback").unwrap();
    assert_eq!(
        wq.bpf_prototype.as_deref(),
        Some(wq.btf.as_ref().unwrap().prototype.as_str())
    );
    let marks: Vec<(&str, bool)> = wq
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.implicit))
        .collect();
    assert_eq!(
        marks,
        [
            ("wq", false),
            ("callback_fn", false),
            ("flags", false),
            ("aux", true)
        ]
    );
    let src_marks = |c: &Catalog, n: &str| -> Vec<bool> {
        c.get(n)
            .unwrap()
            .params
            .iter()
            .map(|p| p.implicit)
            .collect()
    };
    for k in flagged(source)
        .into_iter()
        .filter(|k| alone.get(&k.name).is_some())
    {
        if source.get(&format!("{}_impl", k.name)).is_none() {
            assert_eq!(
                src_marks(&alone, &k.name),
                src_marks(source, &k.name),
                "{}",
                k.name
            );
        }
    }
    assert!(alone.get("bpf_wq_set_callback_impl").is_none());
    let legacy = alone.get("bpf_obj_new_impl").unwrap();
    assert_eq!(legacy.bpf_prototype, None);
}

/// The sections of the pages rendered from `c` in `format`, by kfunc.
fn sections(c: &Catalog, format: Format, description: Description) -> BTreeMap<String, String> {
    let policy = kfuncdoc::commands::load_policy(None).unwrap();
    let (merged, _) = kfuncdoc::merge::merge(c, &policy);
    let options = Options {
        format,
        flavour: (format == Format::Markdown).then_some(Flavour::Mdbook),
        description,
        ..Options::default()
    };
    let ctx = render::context::build(&merged, &policy, &options).unwrap();
    let pages = render::pages(&ctx, &Templates::new(&BTreeMap::new()).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for p in pages {
        let marker = match format {
            Format::Rst => ".. _kfuncdoc-kfunc-",
            Format::Markdown => "\n## ",
        };
        for part in p.text.split(marker).skip(1) {
            // Markdown escapes the underscores of `__scx_...`.
            let name: String = part
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '\\')
                .filter(|c| *c != '\\')
                .collect();
            out.insert(name, part.to_string());
        }
    }
    out
}

fn assert_bpf_view(sections: &BTreeMap<String, String>, c: &Catalog, what: &str) {
    let mut seen = 0;
    for k in flagged(c).into_iter().filter(|k| !k.test_only) {
        let s = sections
            .get(&k.name)
            .unwrap_or_else(|| panic!("{what}: no section for {}", k.name));
        seen += 1;
        let (before, after) = s
            .split_once("mplicit arguments:")
            .unwrap_or_else(|| panic!("{what}: {} has no implicit sentence:\n{s}", k.name));
        // Signature, C declaration and parameters: no hidden argument.
        for hidden in [
            "bpf_prog_aux",
            "btf_struct_meta",
            "``aux``",
            "`aux`",
            "kernel-doc::",
        ] {
            assert!(
                !before.contains(hidden),
                "{what}: {hidden} in {}:\n{s}",
                k.name
            );
        }
        let sentence = after.lines().next().unwrap();
        let names: Vec<&str> = k
            .params
            .iter()
            .filter(|p| p.implicit)
            .map(|p| p.name.as_str())
            .collect();
        for n in names {
            assert!(sentence.contains(&format!("`{n}`")), "{what}: {sentence}");
        }
        assert!(sentence.contains("the verifier supplies"), "{sentence}");
        assert!(!after.contains("Parameters:"), "{what}: {}", k.name);
    }
    assert_eq!(seen, 64, "{what}");
}

#[test]
fn pages_show_the_bpf_prototype() {
    let Some((_, c)) = tree_7_2() else { return };
    let rst = sections(c, Format::Rst, Description::Text);
    assert_bpf_view(&rst, c, "rst");
    let wq = &rst["bpf_wq_set_callback"];
    assert!(
        wq.contains(".. c:function:: int bpf_wq_set_callback(struct bpf_wq *wq, int (*callback_fn)(void *map, int *key, void *value), unsigned int flags)"),
        "{wq}"
    );
    assert!(
        wq.contains(":Implicit arguments: the kernel's definition also takes ``struct bpf_prog_aux *`` ``aux``, which the verifier supplies (``KF_IMPLICIT_ARGS``); BPF programs do not pass it."),
        "{wq}"
    );
    let push = &rst["bpf_list_push_back"];
    assert!(
        push.contains("takes ``struct btf_struct_meta *`` ``meta`` and ``u64`` ``off``, which the verifier supplies (``KF_IMPLICIT_ARGS``); BPF programs do not pass them."),
        "{push}"
    );
    // kernel-doc mode would print the kernel's prototype: the text stands in.
    assert_bpf_view(
        &sections(c, Format::Rst, Description::KernelDoc),
        c,
        "rst kernel-doc",
    );
    let md = sections(c, Format::Markdown, Description::Text);
    assert_bpf_view(&md, c, "markdown");
    let v2 = &md["scx_bpf_dsq_insert___v2"];
    assert!(
        v2.contains("bool scx_bpf_dsq_insert___v2(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags)\n"),
        "{v2}"
    );

    // With the image the declaration is BTF's, and still without `aux`.
    if let Some(image) = built_7_2() {
        let joined = built::combine(c.clone(), image);
        assert_bpf_view(
            &sections(&joined, Format::Rst, Description::Text),
            c,
            "rst built",
        );
        let md = sections(&joined, Format::Markdown, Description::Text);
        assert_bpf_view(&md, c, "markdown built");
        assert!(
            md["bpf_wq_set_callback"]
                .contains("int bpf_wq_set_callback(struct bpf_wq *wq, int (*callback_fn)(void *, int *, void *), unsigned int flags)\n"),
            "{}",
            md["bpf_wq_set_callback"]
        );
    }
}

#[test]
fn builtin_table_matches_the_trees() {
    use kfuncdoc::kernel::implicit::{ImplicitTable, builtin, parse_resolve_btfids};
    let main_c = |tree: &Path| {
        std::fs::read_to_string(tree.join("tools/bpf/resolve_btfids/main.c")).unwrap()
    };
    if let Some((tree, _)) = tree_7_2() {
        let parsed = parse_resolve_btfids(&main_c(tree)).unwrap();
        assert_eq!(parsed, ["bpf_prog_aux", "btf_struct_meta"]);
        assert_eq!(ImplicitTable::new(parsed), builtin("7.2".parse().unwrap()));
    }
    if let Some((tree, _)) = tree_6_12() {
        assert_eq!(parse_resolve_btfids(&main_c(tree)), None);
        assert!(builtin("6.12".parse().unwrap()).types.is_empty());
    }
}
