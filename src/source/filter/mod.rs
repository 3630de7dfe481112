//! Program types through filter callbacks: narrows each kfunc's
//! `callable_from` by the `.filter` callbacks of its hooks.
//!
//! `register_btf_kfunc_id_set()` adds a set's `.filter` to the filters of
//! its *hook* (`btf_populate_kfunc_set()` in `kernel/bpf/btf.c`), and
//! `btf_kfunc_is_allowed()` runs every filter of the hook on every kfunc
//! looked up through it. So for each kfunc, each hook it is registered for
//! and each program type of that hook, every filter of the hook is
//! evaluated ([`eval`]); a filter that returns non-zero on every path
//! removes the program type, one that admits only under a condition (an
//! attach type, sleepable, a struct_ops) or that cannot be evaluated is
//! recorded in [`Kfunc::filters`] with its position.
//!
//! Two approximations, both documented in the book: a filter of a module
//! only sees that module's kfuncs, while this applies it to the whole hook
//! (every filter in the 6.12 and 7.2 trees first returns 0 for kfuncs
//! outside its own sets, so the difference never shows); and a set entry
//! under `#if` counts as a member. Pure: the files are already read.

pub mod dnf;
pub mod eval;
pub mod parse;

use crate::kernel::attach::AttachTable;
use crate::kernel::hooks::HookTable;
use crate::model::{FilterCondition, FilterUnevaluated, Kfunc, KfuncFilter, KfuncSet};
use crate::source::scan::FileFacts;
use dnf::{Atom, Dnf};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The attribute attach-type conditions test.
const ATTACH_ATTR: &str = "prog->expected_attach_type";

/// The tree as the evaluator sees it.
struct Facts<'a> {
    files: &'a [FileFacts],
    /// Set name → (file index, members).
    sets: HashMap<&'a str, Vec<(usize, BTreeSet<String>)>>,
    functions: HashMap<&'a str, Vec<(usize, usize)>>,
    /// Parsed bodies, by (file, function): each parsed once per `apply`.
    bodies: RefCell<HashMap<(usize, usize), eval::Body>>,
}

impl eval::Tree for Facts<'_> {
    fn contains(&self, file: usize, set: &str, kfunc: &str) -> Option<bool> {
        let all = self.sets.get(set)?;
        let found = all
            .iter()
            .find(|(f, _)| *f == file)
            .or_else(|| (all.len() == 1).then(|| &all[0]))?;
        Some(found.1.contains(kfunc))
    }

    fn function(&self, file: usize, name: &str) -> Option<(usize, usize)> {
        let all = self.functions.get(name)?;
        all.iter().copied().find(|&(f, _)| f == file).or_else(|| {
            let public: Vec<(usize, usize)> = all
                .iter()
                .copied()
                .filter(|&(f, d)| !self.files[f].functions[d].header.is_static)
                .collect();
            (public.len() == 1).then(|| public[0])
        })
    }

    fn files(&self) -> &[FileFacts] {
        self.files
    }

    fn body(&self, file: usize, func: usize) -> eval::Body {
        self.bodies
            .borrow_mut()
            .entry((file, func))
            .or_insert_with(|| eval::parse_body(self.files, file, func))
            .clone()
    }
}

/// `BTF_SET_START(name) ... BTF_ID(func, x) ... BTF_SET_END(name)` sets of
/// a file (plain sets, which the scanner does not keep): name → members.
pub fn plain_sets(text: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("BTF_SET_START(") {
        rest = &rest[i + "BTF_SET_START(".len()..];
        let Some(close) = rest.find(')') else { break };
        let name = rest[..close].trim().to_string();
        let end_mark = format!("BTF_SET_END({name})");
        let Some(end) = rest.find(&end_mark) else {
            continue;
        };
        let body = &rest[close..end];
        let mut members = BTreeSet::new();
        let mut b = body;
        while let Some(j) = b.find("BTF_ID(") {
            b = &b[j + "BTF_ID(".len()..];
            let Some(c) = b.find(')') else { break };
            if let Some((kind, func)) = b[..c].split_once(',')
                && kind.trim() == "func"
            {
                members.insert(func.trim().to_string());
            }
        }
        if name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
            out.push((name, members));
        }
        rest = &rest[end..];
    }
    out
}

/// One filter of a hook: the id sets carrying it and the file of the first.
#[derive(Default)]
struct HookFilter {
    id_sets: BTreeSet<String>,
    file: Option<usize>,
}

/// What one filter does to one kfunc.
#[derive(Default)]
struct Effect {
    excludes: BTreeSet<String>,
    conditions: BTreeSet<(String, String)>,
    unknown: BTreeSet<(String, String)>,
}

/// Drops the clauses that need an attach type belonging to another
/// program type than `prog_type`.
fn narrow_by_attach(d: &mut Dnf, prog_type: &str, attach: &AttachTable) {
    d.retain_clauses(|lits| {
        !lits.iter().any(|(a, pos)| match a {
            Atom::Eq(attr, v) if *pos && attr == ATTACH_ATTR => {
                attach.prog_type(v).is_some_and(|p| p != prog_type)
            }
            _ => false,
        })
    });
}

/// Narrows `callable_from` of every kfunc by the filters of its hooks and
/// records the filters that narrow it.
pub fn apply(
    kfuncs: &mut [Kfunc],
    sets: &[KfuncSet],
    files: &[FileFacts],
    hooks: &HookTable,
    attach: &AttachTable,
) {
    let file_index: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    // Hook → filter name → carriers.
    let mut by_hook: BTreeMap<&str, BTreeMap<&str, HookFilter>> = BTreeMap::new();
    for s in sets {
        for r in &s.registrations {
            let Some(hook) = r.hook.as_deref() else {
                continue;
            };
            for ids in s.id_sets.iter().filter(|i| i.name == r.id_set) {
                if let Some(f) = ids.filter.as_deref() {
                    let e = by_hook.entry(hook).or_default().entry(f).or_default();
                    e.id_sets.insert(ids.name.clone());
                    if e.file.is_none() {
                        e.file = file_index.get(ids.file.as_str()).copied();
                    }
                }
            }
        }
    }
    if by_hook.is_empty() {
        return;
    }
    let mut facts = Facts {
        files,
        sets: HashMap::new(),
        functions: HashMap::new(),
        bodies: RefCell::new(HashMap::new()),
    };
    for s in sets {
        if let Some(&fi) = file_index.get(s.file.as_str()) {
            facts
                .sets
                .entry(s.name.as_str())
                .or_default()
                .push((fi, s.functions.iter().cloned().collect()));
        }
    }
    for (fi, f) in files.iter().enumerate() {
        for (name, members) in plain_sets(&f.text) {
            if let Some(set) = f.text.find(&format!("BTF_SET_START({name})")) {
                // The name as a slice of the file, which outlives `facts`.
                let at = set + "BTF_SET_START(".len();
                let name = &f.text[at..at + name.len()];
                facts.sets.entry(name).or_default().push((fi, members));
            }
        }
    }
    for (fi, f) in files.iter().enumerate() {
        for (di, d) in f.functions.iter().enumerate() {
            facts
                .functions
                .entry(d.header.name.as_str())
                .or_default()
                .push((fi, di));
        }
    }
    let facts = facts;

    for k in kfuncs.iter_mut() {
        // (hook, program type or None for every type) pairs to evaluate.
        let mut targets: BTreeSet<(&str, Option<String>)> = BTreeSet::new();
        for s in sets
            .iter()
            .filter(|s| s.registered && s.functions.binary_search(&k.name).is_ok())
        {
            for r in &s.registrations {
                let Some(h) = r.hook.as_deref() else { continue };
                if h == "COMMON" {
                    targets.insert((h, None));
                } else {
                    for p in hooks.prog_types_of(h) {
                        targets.insert((h, Some(p)));
                    }
                }
            }
        }
        let mut effects: BTreeMap<&str, (Effect, &HookFilter)> = BTreeMap::new();
        for (hook, prog_type) in &targets {
            let Some(filters) = by_hook.get(hook) else {
                continue;
            };
            for (&name, carrier) in filters {
                let def = carrier
                    .file
                    .and_then(|fi| eval::Tree::function(&facts, fi, name));
                let verdict = match def {
                    None => Err(format!("the definition of `{name}()` was not found")),
                    Some((fi, di)) => {
                        eval::Eval::new(&facts, &k.name, prog_type.as_deref()).filter(fi, di)
                    }
                };
                let shown = prog_type.clone().unwrap_or_else(|| "*".into());
                let e = &mut effects
                    .entry(name)
                    .or_insert_with(|| (Effect::default(), carrier))
                    .0;
                match verdict {
                    Ok(mut d) => {
                        if let Some(p) = prog_type {
                            narrow_by_attach(&mut d, p, attach);
                        }
                        match d.as_const() {
                            Some(true) => {}
                            Some(false) if prog_type.is_some() => {
                                e.excludes.insert(shown);
                            }
                            _ => {
                                e.conditions.insert((shown, d.to_string()));
                            }
                        }
                    }
                    Err(why) => {
                        e.unknown.insert((shown, why));
                    }
                }
            }
        }
        let mut records = Vec::new();
        for (name, (e, carrier)) in effects {
            if e.excludes.is_empty() && e.conditions.is_empty() && e.unknown.is_empty() {
                continue;
            }
            let def = carrier
                .file
                .and_then(|fi| eval::Tree::function(&facts, fi, name))
                .map(|(fi, di)| (files[fi].path.clone(), files[fi].functions[di].line));
            k.callable_from.retain(|p| !e.excludes.contains(p));
            records.push(KfuncFilter {
                name: name.to_string(),
                file: def.as_ref().map(|d| d.0.clone()),
                line: def.map(|d| d.1),
                id_sets: carrier.id_sets.iter().cloned().collect(),
                evaluated: e.unknown.is_empty(),
                excludes: e.excludes.into_iter().collect(),
                conditions: e
                    .conditions
                    .into_iter()
                    .map(|(prog_type, condition)| FilterCondition {
                        prog_type,
                        condition,
                    })
                    .collect(),
                not_evaluated: e
                    .unknown
                    .into_iter()
                    .map(|(prog_type, reason)| FilterUnevaluated { prog_type, reason })
                    .collect(),
            });
        }
        k.filters = records;
    }
}

#[cfg(test)]
mod tests;
