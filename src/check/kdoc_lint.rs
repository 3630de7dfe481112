//! `kernel-doc-warning`: comments that `make htmldocs` would warn about
//! once a `--description kernel-doc` page includes them.
//!
//! The facts come from extraction (`Definition::kernel_doc_warnings` for
//! the file, `Doc::sphinx_warnings` for the kfunc's comment); this lint
//! only reports them, once per comment, for the files and kfuncs a
//! directive would be written for: a kfunc whose kernel-doc comment names
//! it. Mismatches of a kfunc's own name and parameters are left to
//! `doc-name-mismatch` and `doc-params-mismatch`.

use super::Cx;
use crate::diag::{Code, Diagnostic};
use crate::loc::Loc;
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn kernel_doc_warning(cx: &Cx<'_>, out: &mut Vec<Diagnostic>) {
    // The kfuncs a directive would be written for, by file, and the lines
    // of every kfunc's comment there.
    let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut own_lines: BTreeSet<(&str, u32)> = BTreeSet::new();
    for k in &cx.merged.kfuncs {
        let f = &k.facts;
        let (Some(d), Some(def)) = (&f.doc, &f.definition) else {
            continue;
        };
        own_lines.insert((def.file.as_str(), d.line));
        if d.kernel_doc && d.name.as_deref() == Some(f.name.as_str()) {
            users.entry(def.file.as_str()).or_default().push(&f.name);
            for w in &d.sphinx_warnings {
                out.push(
                    Diagnostic::at(
                        Code::KernelDocWarning,
                        &Loc::new(d.file.clone(), w.line, 1),
                        format!(
                            "Sphinx would warn about the kernel-doc of `{}` ({}); kernel-doc \
                             pages show it as text",
                            f.name, w.message
                        ),
                    )
                    .with_kfunc(&f.name),
                );
            }
        }
    }
    let mut seen: BTreeSet<(&str, u32, &str)> = BTreeSet::new();
    for k in &cx.merged.kfuncs {
        let Some(def) = &k.facts.definition else {
            continue;
        };
        let Some(names) = users.get(def.file.as_str()) else {
            continue;
        };
        for w in &def.kernel_doc_warnings {
            // Printed only for a directive naming the function: a kfunc's
            // own comment, which `doc-params-mismatch` reports.
            if w.only_if_named.is_some()
                || own_lines.contains(&(def.file.as_str(), w.line))
                || !seen.insert((def.file.as_str(), w.line, w.message.as_str()))
            {
                continue;
            }
            let n = names.len();
            out.push(Diagnostic::at(
                Code::KernelDocWarning,
                &Loc::new(def.file.clone(), w.line, 1),
                format!(
                    "scripts/kernel-doc warns: {}; every `.. kernel-doc::` of this file \
                     repeats it, so the kernel-doc pages show {n} kfunc{} of the file as text",
                    w.message,
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
    }
}
