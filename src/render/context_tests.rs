//! What the pages say, decided in `context::build`: grouping and stems,
//! deprecation arithmetic, kernel-doc use, test-only kfuncs, and Markdown
//! errors at their YAML position.

use super::*;
use crate::merge::merge;
use crate::merge::tests::kfunc;
use crate::model::{Catalog, Definition, Doc, InputInfo, KernelInfo};
use crate::policy::parse;

fn catalog(mut kfuncs: Vec<crate::model::Kfunc>) -> Catalog {
    kfuncs.sort_by(|a, b| a.name.cmp(&b.name));
    Catalog {
        kernel: KernelInfo {
            version: Some("6.12.117".into()),
            inputs: vec![InputInfo {
                kind: "source".into(),
                path: None,
                release: Some("6.12.117".into()),
            }],
            ..KernelInfo::default()
        },
        kfuncs,
        ..Catalog::default()
    }
}

fn ctx(c: &Catalog, policy: &str, options: &Options) -> Result<Context, Vec<Problem>> {
    let p = parse("p.yaml", policy).unwrap_or_else(|e| panic!("{e:?}"));
    let (m, _) = merge(c, &p);
    build(&m, &p, options)
}

fn find<'c>(c: &'c Context, name: &str) -> &'c KfuncPage {
    c.groups
        .iter()
        .flat_map(|g| &g.kfuncs)
        .find(|k| k.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn groups_get_unique_stems_and_fixed_pages_keep_theirs() {
    let c = catalog(vec![
        kfunc("bpf_a", "kernel/bpf/a.c", &["s"], "BPF [CORE]"),
        kfunc("bpf_b", "kernel/bpf/b.c", &["s"], "BPF: core"),
        kfunc("bpf_c", "kernel/bpf/c.c", &["s"], "Index"),
    ]);
    let x = ctx(&c, "schema: 1\n", &Options::default()).unwrap();
    let stems: Vec<_> = x.groups.iter().map(|g| g.stem.as_str()).collect();
    assert_eq!(stems, ["bpf-core", "bpf-core-2", "index-2"]);
    let kinds: Vec<_> = x
        .pages
        .iter()
        .map(|p| (p.kind.as_str(), p.stem.as_str()))
        .collect();
    assert_eq!(kinds[0], ("index", "index"));
    assert_eq!(
        kinds[kinds.len() - 2..],
        [("deprecations", "deprecations"), ("lifecycle", "lifecycle")]
    );
    assert_eq!(find(&x, "bpf_b").page, "bpf-core-2");
}

#[test]
fn deprecations_count_releases_and_link_their_replacement() {
    let c = catalog(vec![
        kfunc("bpf_old", "kernel/bpf/a.c", &["s"], "BPF"),
        kfunc("bpf_new", "kernel/bpf/a.c", &["s"], "BPF"),
        kfunc("bpf_later", "kernel/bpf/a.c", &["s"], "BPF"),
    ]);
    let policy = "schema: 1\nkfuncs:\n  bpf_old:\n    stability: deprecated\n    deprecated_in: 6.11\n    removal_planned: 7.1\n    replacement: bpf_new\n  bpf_new:\n    since: 6.10\n  bpf_later:\n    deprecated_in: 6.14\n    removed_in: 6.17\n    replacement: {none: gone}\n  bpf_gone:\n    stability: removed\n    removed_in: 6.5\n";
    let x = ctx(&c, policy, &Options::default()).unwrap();
    let old = find(&x, "bpf_old");
    // 6.12 → 6.13 ... 6.19 → 7.0 → 7.1: nine releases.
    assert_eq!(old.releases_left, Some(9));
    let r = old.replacement.as_ref().unwrap();
    assert_eq!(
        (r.label.as_deref(), r.page.as_deref()),
        (Some("kfuncdoc-kfunc-bpf_new"), Some("bpf"))
    );
    assert_eq!(find(&x, "bpf_new").factors.age.releases, Some(2));
    let later = find(&x, "bpf_later");
    assert_eq!(
        (
            later.stability.as_str(),
            later.upcoming_deprecation.as_deref()
        ),
        ("unstable", Some("6.14"))
    );
    let groups: Vec<_> = x
        .deprecations
        .iter()
        .map(|d| {
            (
                d.removal.as_deref(),
                d.kfuncs
                    .iter()
                    .map(|k| (k.name.as_str(), k.upcoming))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            // The recorded removal places it, not the missing plan.
            (Some("6.17"), vec![("bpf_later", true)]),
            (Some("7.1"), vec![("bpf_old", false)])
        ]
    );
    // The actual removal, recorded after the fact, is shown with the plan.
    let removed_in = |d: &RemovalGroup| d.kfuncs[0].removed_in.clone();
    assert_eq!(removed_in(&x.deprecations[0]).as_deref(), Some("6.17"));
    assert_eq!(removed_in(&x.deprecations[1]), None);
    let later = find(&x, "bpf_later");
    assert!(later.removal_recorded);
    assert_eq!(later.releases_left, Some(5));
    assert_eq!(x.removed.len(), 1);
    assert_eq!(x.removed[0].removed_in.as_deref(), Some("6.5"));
}

#[test]
fn kernel_doc_only_where_scripts_kernel_doc_finds_the_function() {
    let with_doc = |name: &str, doc_name: Option<&str>, kernel_doc: bool| {
        let mut k = kfunc(name, "kernel/bpf/a.c", &["s"], "BPF");
        k.definition = Some(Definition {
            file: "kernel/bpf/a.c".into(),
            line: 5,
            prototype: format!("int {name}(void)"),
            ..Definition::default()
        });
        k.doc = Some(Doc {
            name: doc_name.map(str::to_string),
            summary: Some("does it".into()),
            kernel_doc,
            file: "kernel/bpf/a.c".into(),
            line: 1,
            ..Doc::default()
        });
        k
    };
    let c = catalog(vec![
        with_doc("bpf_good", Some("bpf_good"), true),
        with_doc("bpf_stale", Some("bpf_old_name"), true),
        with_doc("bpf_plain", None, false),
    ]);
    let opts = Options {
        description: Description::KernelDoc,
        ..Options::default()
    };
    let x = ctx(&c, "schema: 1\n", &opts).unwrap();
    assert!(find(&x, "bpf_good").kernel_doc.is_some());
    assert!(find(&x, "bpf_stale").kernel_doc.is_none());
    assert!(find(&x, "bpf_plain").kernel_doc.is_none());
    // Markdown pages never use the directive.
    let md = Options {
        format: Format::Markdown,
        flavour: Some(Flavour::Plain),
        ..opts
    };
    assert!(
        find(&ctx(&c, "schema: 1\n", &md).unwrap(), "bpf_good")
            .kernel_doc
            .is_none()
    );
}

#[test]
fn test_only_kfuncs_are_counted_not_shown() {
    let mut t = kfunc("bpf_kfunc_call_test", "net/bpf/test_run.c", &["s"], "BPF");
    t.test_only = true;
    let c = catalog(vec![kfunc("bpf_a", "kernel/bpf/a.c", &["s"], "BPF"), t]);
    let x = ctx(&c, "schema: 1\n", &Options::default()).unwrap();
    assert_eq!((x.summary.kfuncs, x.summary.test_only_omitted), (1, 1));
    let all = Options {
        include_test_only: true,
        ..Options::default()
    };
    assert_eq!(ctx(&c, "schema: 1\n", &all).unwrap().summary.kfuncs, 2);
}

#[test]
fn markdown_errors_point_into_the_yaml() {
    let c = catalog(vec![kfunc("bpf_a", "kernel/bpf/a.c", &["s"], "BPF")]);
    let policy =
        "schema: 1\nkfuncs:\n  bpf_a:\n    rationale: |\n      Fine.\n\n      <b>raw</b>\n";
    let problems = ctx(&c, policy, &Options::default()).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        (problems[0].loc.file.as_str(), problems[0].loc.line),
        ("p.yaml", 7)
    );
    assert!(
        problems[0].message.contains("HTML"),
        "{}",
        problems[0].message
    );
}

#[test]
fn type_tags_read_as_the_macros_that_make_them() {
    assert_eq!(
        pretty_prototype(
            "void *bpf_arena_alloc_pages(void *p__map, void __attribute__((btf_type_tag(\"address_space(1)\"))) *addr__ign)"
        ),
        "void *bpf_arena_alloc_pages(void *p__map, void __arena *addr__ign)"
    );
    assert_eq!(
        pretty_prototype(
            "int f(char __attribute__((btf_type_tag(\"user\"))) *p, int __attribute__((btf_type_tag(\"other\"))) x)"
        ),
        "int f(char __user *p, int __attribute__((btf_type_tag(\"other\"))) x)"
    );
}

#[test]
fn a_norm_says_how_many_kfuncs_it_does_not_cover_and_who_decides() {
    let mut a = kfunc("scx_bpf_a", "kernel/sched/ext.c", &["s"], "SCHED_EXT");
    a.subsystem = Some(crate::model::Subsystem {
        name: "SCHED_EXT".into(),
        reviewers: vec!["Tejun Heo <tj@kernel.org>".into()],
        lists: vec!["linux-kernel@vger.kernel.org".into()],
        ..Default::default()
    });
    let mut b = a.clone();
    b.name = "scx_bpf_b".into();
    let mut iter = a.clone();
    iter.name = "bpf_iter_scx_dsq_new".into();
    let mut decided = a.clone();
    decided.name = "scx_bpf_c".into();
    let c = catalog(vec![a, b, iter, decided]);
    let policy = "schema: 1\nrules:\n  - name: sched_ext\n    match:\n      name: \"scx_bpf_*\"\n    stability: experimental\nkfuncs:\n  scx_bpf_c:\n    stability: stable\n";
    let x = ctx(&c, policy, &Options::default()).unwrap();
    let norm = &x.groups[0].norm;
    assert_eq!(norm.stability, "experimental");
    assert_eq!((norm.decided, norm.exceptions), (1, 1));
    let f = &find(&x, "bpf_iter_scx_dsq_new").factors;
    assert_eq!(f.subsystem.as_deref(), Some("SCHED_EXT"));
    // No M: entries: the reviewers decide; names without addresses.
    assert_eq!(f.maintainers, ["Tejun Heo"]);
    assert!(f.reviewers_only);
    assert_eq!(
        person_name("\"David S. Miller\" <davem@davemloft.net>"),
        "David S. Miller"
    );
    assert_eq!(f.lists, ["linux-kernel@vger.kernel.org"]);
}

#[test]
fn a_function_parameter_reads_as_the_pointer_it_is() {
    let mut k = kfunc("bpf_rbtree_add_impl", "kernel/bpf/helpers.c", &["s"], "BPF");
    k.params = vec![crate::model::Param {
        name: "less".into(),
        ty: "bool ()(struct bpf_rb_node *a, const struct bpf_rb_node *b)".into(),
        annotation: None,
        implicit: false,
    }];
    let x = ctx(&catalog(vec![k]), "schema: 1\n", &Options::default()).unwrap();
    assert_eq!(
        find(&x, "bpf_rbtree_add_impl").params[0].ty,
        "bool (*)(struct bpf_rb_node *a, const struct bpf_rb_node *b)"
    );
}

#[test]
fn kernel_doc_highlights_read_as_plain_text() {
    assert_eq!(
        kdoc_text("Dispatch @p with %SCX_ENQ_WAKEUP into &struct scx_dsq, see &ops."),
        "Dispatch p with SCX_ENQ_WAKEUP into struct scx_dsq, see ops."
    );
    assert_eq!(
        kdoc_text("mail a@b.org, a && b, a & b, 100%, @ 5, %d"),
        "mail a@b.org, a && b, a & b, 100%, @ 5, d"
    );
}

#[test]
fn kfuncs_the_built_kernel_lacks_are_counted() {
    let mut off = kfunc("scx_bpf_a", "kernel/sched/ext.c", &["s"], "SCHED_EXT");
    off.built = Some(false);
    let mut on = kfunc("bpf_b", "kernel/bpf/b.c", &["s"], "BPF");
    on.built = Some(true);
    let unknown = kfunc("bpf_c", "kernel/bpf/c.c", &["s"], "BPF");
    let x = ctx(
        &catalog(vec![off, on, unknown]),
        "schema: 1\n",
        &Options::default(),
    )
    .unwrap();
    assert_eq!(x.summary.not_built, 1);
    assert_eq!(find(&x, "scx_bpf_a").built, Some(false));
}
