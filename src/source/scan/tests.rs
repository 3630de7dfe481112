use super::*;

fn facts(src: &str) -> FileFacts {
    scan("t.c", src.as_bytes().to_vec())
}

#[test]
fn sets_entries_and_conditions() {
    let f = facts(
        "BTF_KFUNCS_START(generic_btf_ids)\n\
         #ifdef CONFIG_CRASH_DUMP\n\
         BTF_ID_FLAGS(func, crash_kexec, KF_DESTRUCTIVE)\n\
         #endif\n\
         BTF_ID_FLAGS(func, bpf_obj_new_impl, KF_ACQUIRE | KF_RET_NULL)\n\
         /* a comment */ BTF_ID_FLAGS(func,\n    bpf_multi,\n    KF_RCU);\n\
         #if IS_ENABLED(CONFIG_A) && defined(B)\n\
         BTF_ID_FLAGS(func, in_if)\n\
         #elif defined(C)\n\
         BTF_ID_FLAGS(func, in_elif)\n\
         #else\n\
         BTF_ID_FLAGS(func, in_else)\n\
         #endif\n\
         BTF_ID(func, not_an_entry)\n\
         BTF_KFUNCS_END(generic_btf_ids)\n\
         BTF_SET8_START(old)\n\
         BTF_ID_FLAGS(func, old_one)\n\
         BTF_SET8_END(old)\n",
    );
    assert!(f.diags.is_empty(), "{:?}", f.diags);
    assert_eq!(f.sets.len(), 2);
    let s = &f.sets[0];
    assert_eq!(s.name, "generic_btf_ids");
    assert_eq!(s.kind, SetKind::Kfuncs);
    let names: Vec<_> = s.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "crash_kexec",
            "bpf_obj_new_impl",
            "bpf_multi",
            "in_if",
            "in_elif",
            "in_else"
        ]
    );
    assert_eq!(s.entries[0].conditions, ["CONFIG_CRASH_DUMP"]);
    assert_eq!(s.entries[0].flags_expr, "KF_DESTRUCTIVE");
    assert_eq!(s.entries[1].flags_expr, "KF_ACQUIRE | KF_RET_NULL");
    assert_eq!(s.entries[1].conditions, Vec::<String>::new());
    assert_eq!(s.entries[2].line, 6);
    assert_eq!(s.entries[2].flags_expr, "KF_RCU");
    assert_eq!(
        s.entries[3].conditions,
        ["IS_ENABLED(CONFIG_A) && defined(B)"]
    );
    assert_eq!(
        s.entries[4].conditions,
        ["!(IS_ENABLED(CONFIG_A) && defined(B))", "defined(C)"]
    );
    assert_eq!(
        s.entries[5].conditions,
        ["!(IS_ENABLED(CONFIG_A) && defined(B))", "!defined(C)"]
    );
    assert_eq!(f.sets[1].kind, SetKind::Set8);
    assert_eq!(f.sets[1].entries[0].flags_expr, "");
}

#[test]
fn include_guard_is_not_a_condition() {
    let f = facts(
        "/* SPDX */\n#ifndef _FOO_H\n#define _FOO_H\n#ifndef CONFIG_X\nBTF_SET8_START(s)\nBTF_ID_FLAGS(func, a)\nBTF_SET8_END(s)\n#endif\n#endif\n",
    );
    assert_eq!(f.sets[0].entries[0].conditions, ["!CONFIG_X"]);
}

#[test]
fn definitions_markers_and_comments() {
    let f = facts(
        "__diag_push();\n\
         __diag_ignore_all(\"-Wmissing-prototypes\", \"x\");\n\
         /**\n * old_style() - in a diag region\n */\n\
         noinline int old_style(int a)\n{\n\treturn a;\n}\n\
         __diag_pop();\n\
         /* plain */\n\
         __bpf_kfunc static void cubictcp_init(struct sock *sk)\n{\n}\n\
         __bpf_kfunc struct nf_conn___init *\n\
         bpf_xdp_ct_alloc(struct xdp_md *xdp_ctx, u32 tuple__sz)\n{\n\treturn NULL;\n}\n\
         void crash_kexec(struct pt_regs *regs)\n{\n\tif (x) { y(); }\n}\n",
    );
    let names: Vec<_> = f.functions.iter().map(|d| d.header.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "old_style",
            "cubictcp_init",
            "bpf_xdp_ct_alloc",
            "crash_kexec"
        ]
    );
    assert_eq!(f.functions[0].marker, Marker::DiagRegion);
    assert!(f.functions[0].comment.is_some());
    assert_eq!(f.functions[1].marker, Marker::BpfKfunc);
    assert!(f.functions[1].header.is_static);
    let (s, e, line) = f.functions[1].comment.unwrap();
    assert_eq!(&f.text[s..e], "/* plain */");
    assert_eq!(line, 11);
    assert_eq!(f.functions[2].line, 16);
    assert_eq!(f.functions[2].header.return_type, "struct nf_conn___init *");
    assert_eq!(f.functions[3].marker, Marker::None);
    assert!(f.functions[3].comment.is_none());
    let body = f.functions[3].body;
    assert!(f.text[body.0..body.1].starts_with('{') && f.text[body.0..body.1].ends_with('}'));
}

#[test]
fn id_sets_registrations_macros_arrays() {
    let f = facts(
        "#define MY_TYPE BPF_PROG_TYPE_XDP\n\
         static const enum bpf_prog_type types[] = { BPF_PROG_TYPE_XDP, MY_TYPE, };\n\
         static const struct btf_kfunc_id_set generic_kfunc_set = {\n\
         \t.owner = THIS_MODULE,\n\t.set   = &generic_btf_ids,\n\t.filter = my_filter,\n};\n\
         static const struct btf_kfunc_id_set positional = { THIS_MODULE, &pos_ids };\n\
         static struct btf_kfunc_id_set arr[] = { { .set = &a_ids }, { .set = &b_ids } };\n\
         static int __init kfunc_init(void)\n{\n\tint ret;\n\
         \tret = register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &generic_kfunc_set);\n\
         #ifdef CONFIG_NET\n\
         \tret = ret ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP,\n\t\t\t&generic_kfunc_set);\n\
         #endif\n\
         \treturn ret ?: register_btf_fmodret_id_set(&positional);\n}\n",
    );
    assert_eq!(f.macros["MY_TYPE"].body, ["BPF_PROG_TYPE_XDP"]);
    assert_eq!(
        f.arrays["types"],
        [vec!["BPF_PROG_TYPE_XDP"], vec!["MY_TYPE"]]
    );
    assert_eq!(f.id_sets.len(), 4);
    let g = &f.id_sets[0];
    assert_eq!(g.name, "generic_kfunc_set");
    assert_eq!(g.set.as_deref(), Some("generic_btf_ids"));
    assert_eq!(g.filter.as_deref(), Some("my_filter"));
    assert_eq!(g.owner.as_deref(), Some("THIS_MODULE"));
    assert_eq!(f.id_sets[1].set.as_deref(), Some("pos_ids"));
    assert_eq!(f.id_sets[2].index, Some(0));
    assert_eq!(f.id_sets[3].set.as_deref(), Some("b_ids"));
    assert_eq!(f.calls.len(), 3);
    assert_eq!(f.calls[0].kind, RegKind::Kfunc);
    assert_eq!(
        f.calls[0].args,
        [
            vec!["BPF_PROG_TYPE_TRACING"],
            vec!["&", "generic_kfunc_set"]
        ]
    );
    assert_eq!(f.calls[1].line, 15);
    assert_eq!(f.calls[1].conditions, ["CONFIG_NET"]);
    assert_eq!(f.calls[2].kind, RegKind::Fmodret);
    assert_eq!(f.calls[0].func, Some(0));
}

#[test]
fn bad_input_is_reported_not_fatal() {
    let f = facts(
        "BTF_ID_FLAGS(func, lost)\nBTF_KFUNCS_START(a)\nBTF_ID_FLAGS(func, x)\n#endif\n/* open",
    );
    let codes: Vec<_> = f.diags.iter().map(|d| d.code).collect();
    assert!(codes.contains(&Code::EntryOutsideSet));
    assert!(codes.contains(&Code::UnterminatedSet));
    assert!(codes.contains(&Code::UnbalancedConditional));
    assert!(codes.contains(&Code::UnterminatedComment));
    assert_eq!(f.sets[0].entries.len(), 1);

    let f = scan(
        "b.c",
        b"int a;\n\xff\xfe\nBTF_SET8_START(s)\nBTF_ID_FLAGS(func, y)\nBTF_SET8_END(s)\n".to_vec(),
    );
    assert_eq!(f.diags[0].code, Code::NonUtf8);
    assert_eq!(f.diags[0].line, Some(2));
    assert_eq!(f.sets[0].entries[0].name, "y");

    let f = facts("BTF_KFUNCS_START(a)\nBTF_ID_FLAGS(func, x\n");
    assert!(f.diags.iter().any(|d| d.code == Code::UnterminatedComment));
}

#[test]
fn unbalanced_braces_in_ifdef_branches_recover() {
    let f = facts(
        "#ifdef X\nstatic int f(void) {\n#else\nstatic int f(void) {\n#endif\n\treturn 0;\n}\n\
         BTF_KFUNCS_START(s)\nBTF_ID_FLAGS(func, f)\nBTF_KFUNCS_END(s)\n",
    );
    assert_eq!(f.sets.len(), 1);
    assert_eq!(f.sets[0].entries[0].name, "f");
}
