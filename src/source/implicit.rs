//! `KF_IMPLICIT_ARGS` kfuncs from source: which parameters the verifier
//! supplies, and the prototype BPF programs call (pure).
//!
//! The kernel's definition keeps every parameter; `resolve_btfids` gives
//! the BPF-visible FUNC a prototype that stops before the first parameter
//! of an implicit type ([`crate::kernel::implicit`]), and the verifier
//! supplies that one and every one after it. We do the same cut on the
//! definition: the parameters from the first implicit one on are marked
//! `implicit`, and `bpf_prototype` is the definition without them.

use super::cdecl;
use super::lex::Lexer;
use crate::kernel::implicit::{FLAG, ImplicitTable};
use crate::model::Kfunc;

/// Marks the implicit parameters of every `KF_IMPLICIT_ARGS` kfunc in
/// `kfuncs` and sets its `bpf_prototype`. A flagged kfunc without an
/// implicit parameter (or without a definition) is left as it is: its BPF
/// prototype is its definition's.
pub fn apply(kfuncs: &mut [Kfunc], table: &ImplicitTable) {
    for k in kfuncs
        .iter_mut()
        .filter(|k| k.flags.iter().any(|f| f == FLAG))
    {
        let Some(def) = &k.definition else { continue };
        let Some(first) = table.first_implicit(k.params.iter().map(|p| p.ty.as_str())) else {
            continue;
        };
        let Some(bpf) = cut(&def.prototype, first) else {
            continue;
        };
        for p in &mut k.params[first..] {
            p.implicit = true;
        }
        k.bpf_prototype = Some(bpf);
    }
}

/// `prototype` (`ret name(params)`, as the scanner normalised it) with
/// only its first `keep` parameters: re-read with the scanner's own header
/// parser, so that parameters declared as functions (`bool (less)(...)`)
/// stay whole. `None` when it does not read back as a header with more
/// than `keep` parameters.
pub fn cut(prototype: &str, keep: usize) -> Option<String> {
    let toks: Vec<_> = Lexer::new(prototype).filter(|t| !t.is_comment()).collect();
    let mut header = cdecl::parse_header(prototype, &toks)?;
    if header.params.len() <= keep {
        return None;
    }
    header.params.truncate(keep);
    Some(header.prototype())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Definition, Param};

    fn kfunc(name: &str, flags: &[&str], prototype: &str, params: &[(&str, &str)]) -> Kfunc {
        Kfunc {
            name: name.into(),
            flags: flags.iter().map(|f| f.to_string()).collect(),
            definition: Some(Definition {
                prototype: prototype.into(),
                ..Definition::default()
            }),
            params: params
                .iter()
                .map(|(ty, name)| Param {
                    name: name.to_string(),
                    ty: ty.to_string(),
                    ..Param::default()
                })
                .collect(),
            ..Kfunc::default()
        }
    }

    fn table() -> ImplicitTable {
        ImplicitTable::new(vec!["bpf_prog_aux".into(), "btf_struct_meta".into()])
    }

    #[test]
    fn drops_parameters_from_the_first_implicit_one() {
        let mut ks = vec![
            kfunc(
                "bpf_rbtree_add",
                &["KF_IMPLICIT_ARGS"],
                "int bpf_rbtree_add(struct bpf_rb_root *root, struct bpf_rb_node *node, \
                 bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b), \
                 struct btf_struct_meta *meta, u64 off)",
                &[
                    ("struct bpf_rb_root *", "root"),
                    ("struct bpf_rb_node *", "node"),
                    (
                        "bool ()(struct bpf_rb_node *a, const struct bpf_rb_node *b)",
                        "less",
                    ),
                    ("struct btf_struct_meta *", "meta"),
                    ("u64", "off"),
                ],
            ),
            kfunc(
                "scx_bpf_dispatch_cancel",
                &["KF_IMPLICIT_ARGS"],
                "void scx_bpf_dispatch_cancel(const struct bpf_prog_aux *aux)",
                &[("const struct bpf_prog_aux *", "aux")],
            ),
            // Not flagged: the same parameter is an ordinary one.
            kfunc(
                "bpf_other",
                &["KF_RCU"],
                "int bpf_other(struct bpf_prog_aux *aux)",
                &[("struct bpf_prog_aux *", "aux")],
            ),
            // Flagged, nothing implicit: left alone.
            kfunc(
                "bpf_odd",
                &["KF_IMPLICIT_ARGS"],
                "int bpf_odd(void *meta__ign)",
                &[("void *", "meta__ign")],
            ),
        ];
        apply(&mut ks, &table());
        assert_eq!(
            ks[0].bpf_prototype.as_deref(),
            Some(
                "int bpf_rbtree_add(struct bpf_rb_root *root, struct bpf_rb_node *node, \
                 bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b))"
            )
        );
        let implicit: Vec<bool> = ks[0].params.iter().map(|p| p.implicit).collect();
        assert_eq!(implicit, [false, false, false, true, true]);
        assert_eq!(
            ks[1].bpf_prototype.as_deref(),
            Some("void scx_bpf_dispatch_cancel(void)")
        );
        assert!(ks[1].params[0].implicit);
        for k in &ks[2..] {
            assert_eq!(k.bpf_prototype, None, "{}", k.name);
            assert!(k.params.iter().all(|p| !p.implicit), "{}", k.name);
        }
        // An empty table (a kernel before 7.0) changes nothing.
        let mut again = ks[..1].to_vec();
        again[0].bpf_prototype = None;
        again[0].params.iter_mut().for_each(|p| p.implicit = false);
        let before = again.clone();
        apply(&mut again, &ImplicitTable::default());
        assert_eq!(again, before);
    }

    #[test]
    fn cuts_prototypes() {
        assert_eq!(
            cut("struct task_struct *f(int a, struct bpf_prog_aux *aux)", 1).as_deref(),
            Some("struct task_struct *f(int a)")
        );
        assert_eq!(cut("int f(int a)", 1), None, "nothing to cut");
        assert_eq!(cut("not a prototype", 0), None);
    }
}
