use super::*;
use crate::model::DocParam;

fn body(text: &str) -> Vec<String> {
    text_problems(text)
}

#[test]
fn clean_text_has_no_problems() {
    for t in [
        "Get xattr *name__str* of *file* into *value_ptr*.",
        "* true  - @dst has at least one bit set\n* false - @dst is empty\n\nMore.",
        "* A random set bit within [0, num_cpus) from the AND of two cpumasks, if at\n  least one bit is set.\n* >= num_cpus if no bit is set.",
        "%SCX_OPS_* flags and ``a*b`` and @p->field_ and &struct task_struct.",
        "Like this::\n\n    x = *p;\n\nDone.",
        "1. a\nb",
        "term\n    definition\n\nnext",
        "KF_* flags, 2 * 3, a_b_c, 100%, mail@example.org",
    ] {
        assert_eq!(body(t), Vec::<String>::new(), "{t}");
    }
}

#[test]
fn what_docutils_reports() {
    // bpf_dynptr_slice_rdwr: code pasted into a paragraph.
    let t = "pattern:\n\nstruct eth_hdr *eth = f(&dynptr);\nif (!eth)\n\treturn TC_ACT_SHOT;";
    let p = body(t);
    assert!(
        p.iter().any(|m| m.contains("unexpected indentation")),
        "{p:?}"
    );
    assert!(p.iter().any(|m| m.contains("`*` starts emphasis")), "{p:?}");
    // scx_bpf_now (7.2): continuation lines short of the item's text.
    let p = body("It provides:\n\n1) High: Many\n to account\n\n2) Next: In\n most cases.");
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].contains("a list ends without a blank line"));
    assert!(body("* a\nb")[0].contains("a list ends"));
    assert!(body("term\n  def\nnext")[0].contains("a definition ends"));
    assert!(body("See |this| and foo_ here.").len() == 2);
    assert!(body("Ends::")[0].contains("no indented literal block"));
    assert!(body("a `b")[0].contains("interpreted text"));
}

#[test]
fn function_typed_parameters_and_where_problems_are() {
    let doc = Doc {
        kernel_doc: true,
        line: 7,
        params: vec![DocParam {
            name: "less".into(),
            text: "the *order".into(),
        }],
        ..Doc::default()
    };
    let params = [Param {
        name: "less".into(),
        ty: "bool ()(struct bpf_rb_node *a, const struct bpf_rb_node *b)".into(),
        annotation: None,
        implicit: false,
    }];
    let p = problems(&doc, &params);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].message.starts_with("declaration: parameter `less`"));
    assert!(p[1].message.starts_with("@less: `*` starts emphasis"));
    assert!(p.iter().all(|w| w.line == 7));
}
