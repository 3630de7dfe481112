//! The lints about what the published pages may not hold (issue 10): links
//! the policy's Markdown loses (`unsafe-link`) and file paths a kernel-doc
//! directive cannot carry (`unsafe-path`). The renderer makes both safe on
//! its own; these lints say where, so that the author can fix the input.

use super::Cx;
use crate::diag::{Code, Diagnostic};
use crate::loc::Loc;
use crate::policy::model::Located;
use crate::render::markdown::dropped_links;
use crate::render::safe::directive_path_ok;

/// Every Markdown text of the policy, in file order of its parts.
fn markdown_texts<'a>(cx: &Cx<'a>) -> Vec<&'a Located<String>> {
    let p = cx.policy;
    let mut texts: Vec<&Located<String>> = Vec::new();
    texts.extend(&p.lifecycle.statement);
    texts.extend(p.lifecycle.levels.values());
    texts.extend(&p.defaults.notes);
    for r in &p.rules {
        texts.extend(&r.notes);
    }
    for e in p.kfuncs.values() {
        texts.extend(&e.rationale);
        texts.extend(&e.notes);
    }
    texts
}

pub(super) fn unsafe_link(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for text in markdown_texts(cx) {
        for e in dropped_links(&text.value) {
            // Positions inside the value, as the renderer's own Markdown
            // errors are placed: block scalars start on the next line.
            let mut loc = text.loc.clone();
            loc.line += e.line.saturating_sub(1);
            if e.line <= 1 {
                loc.col += e.col.saturating_sub(1);
            }
            out.push(Diagnostic::at(Code::UnsafeLink, &loc, e.message));
        }
    }
}

pub(super) fn unsafe_path(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    for k in &cx.merged.kfuncs {
        let Some(def) = &k.facts.definition else {
            continue;
        };
        if directive_path_ok(&def.file) {
            continue;
        }
        out.push(
            Diagnostic::at(
                Code::UnsafePath,
                &Loc::new(def.file.clone(), def.line, 1),
                format!(
                    "`{}` is defined in a file whose path cannot be written into a \
                     `.. kernel-doc::` directive: its pages describe it in text form",
                    k.facts.name
                ),
            )
            .with_kfunc(&k.facts.name),
        );
    }
}
