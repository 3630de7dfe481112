//! Parsed files → the catalog: registrations resolved, sets matched to id
//! sets, flags decoded, definitions chosen, documentation and subsystems
//! attached. Pure: all input is already in memory.

use super::kdoc;
use super::macros::MacroDef;
use super::maintainers::Maintainers;
use super::resolve::{Ctx, Index, Value, Want};
use super::scan::{EntryDecl, FileFacts, Marker, RegKind};
use crate::diag::{Code, Diagnostic};
use crate::kernel::flags::FlagTable;
use crate::kernel::hooks::HookTable;
use crate::kernel::suffixes::SuffixTable;
use crate::kernel::testcode::is_test_code;
use crate::loc::Loc;
use crate::model::{Definition, IdSet, Kfunc, KfuncSet, Param, Registration, SetEntry};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The version-dependent tables the tree provided (or the built-in ones).
#[derive(Debug, Clone)]
pub struct Tables {
    /// `KF_*` bits.
    pub flags: FlagTable,
    /// Program type → hook.
    pub hooks: HookTable,
    /// Argument annotations.
    pub suffixes: SuffixTable,
    /// Program types that can be sleepable.
    pub sleepable: Vec<String>,
    /// The tree's `scripts/kernel-doc` is the Python one, which prints
    /// every warning of a file whatever a directive names
    /// ([`crate::kernel::kerneldoc`]).
    pub kernel_doc_python: bool,
}

/// What the assembly produces.
pub struct Assembled {
    /// Kfuncs sorted by name.
    pub kfuncs: Vec<Kfunc>,
    /// Every set.
    pub sets: Vec<KfuncSet>,
    /// Findings.
    pub diags: Vec<Diagnostic>,
    /// Non-static registration helpers with no caller among the files: a
    /// wider search may find one.
    pub uncalled_helpers: BTreeSet<String>,
    /// Macros used in sets whose definitions were not among the files.
    pub unexpanded_macros: BTreeSet<String>,
}

impl Assembled {
    /// Names worth searching the rest of the tree for: kfuncs without a
    /// definition and helpers without a caller.
    pub fn missing_names(&self) -> BTreeSet<String> {
        let mut names = self.uncalled_helpers.clone();
        names.extend(self.unexpanded_macros.iter().cloned());
        names.extend(
            self.kfuncs
                .iter()
                .filter(|k| k.definition.is_none())
                .map(|k| k.name.clone()),
        );
        names
    }
}

/// Two resolution paths can belong to one registration when neither names a
/// different call site or array element at the same depth.
fn compatible(a: &[String], b: &[String]) -> bool {
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// Expands the macro uses the scanner could not: with the macros defined
/// at the use, then those of the parsed headers (a definition under
/// `include/` first, otherwise one that all files agree on). Returns the
/// entries per (file, set) and the names still missing.
#[allow(clippy::type_complexity)]
fn expand_uses(
    files: &[FileFacts],
    diags: &mut Vec<Diagnostic>,
) -> (HashMap<(usize, usize), Vec<EntryDecl>>, BTreeSet<String>) {
    let mut global: HashMap<&str, Vec<(&str, &MacroDef)>> = HashMap::new();
    let mut out: HashMap<(usize, usize), Vec<EntryDecl>> = HashMap::new();
    let mut missing = BTreeSet::new();
    if !files
        .iter()
        .any(|f| f.sets.iter().any(|s| !s.uses.is_empty()))
    {
        return (out, missing);
    }
    for f in files {
        for (name, def) in &f.macros {
            global
                .entry(name.as_str())
                .or_default()
                .push((f.path.as_str(), def));
        }
    }
    let from_headers = |name: &str| -> Option<MacroDef> {
        let defs = global.get(name)?;
        let preferred: Vec<&MacroDef> = defs
            .iter()
            .filter(|(p, _)| p.starts_with("include/"))
            .map(|&(_, d)| d)
            .collect();
        match preferred.as_slice() {
            [d] => Some((*d).clone()),
            _ if defs.iter().all(|(_, d)| *d == defs[0].1) => Some(defs[0].1.clone()),
            _ => None,
        }
    };
    for (fi, f) in files.iter().enumerate() {
        for (si, set) in f.sets.iter().enumerate() {
            for u in &set.uses {
                let lookup = |n: &str| u.env.get(n).cloned().or_else(|| from_headers(n));
                let tokens = super::macros::expand(&u.tokens, &lookup).unwrap_or_default();
                let found = super::macros::entries(&tokens);
                if found.is_empty() {
                    missing.insert(u.tokens[0].clone());
                    let loc = Loc::new(f.path.clone(), u.line, u.col);
                    diags.push(Diagnostic::at(
                        Code::UnexpandedMacro,
                        &loc,
                        format!(
                            "`{}` in set `{}` does not expand to BTF_ID_FLAGS() entries with the definitions found",
                            u.tokens[0], set.name
                        ),
                    ));
                    continue;
                }
                out.entry((fi, si))
                    .or_default()
                    .extend(found.into_iter().map(|(name, flags_expr)| EntryDecl {
                        name,
                        flags_expr,
                        line: u.line,
                        col: u.col,
                        conditions: u.conditions.clone(),
                    }));
            }
        }
    }
    (out, missing)
}

/// Whether two condition lists can never hold together: one has `X` where
/// the other has its negation.
fn exclusive(a: &[String], b: &[String]) -> bool {
    // A set, not `b.contains`: 100k nested `#if`s stay linear (issue 10).
    let b: HashSet<&str> = b.iter().map(String::as_str).collect();
    a.iter()
        .any(|c| b.contains(super::scan::negate(c).as_str()))
}

fn shown_via(via: &[String]) -> Vec<String> {
    via.iter()
        .filter(|v| !v.starts_with('#'))
        .cloned()
        .collect()
}

/// Decodes a flags expression: a C integer expression over the `KF_*`
/// names of the table and the macros of the file (`cexpr`). Names that
/// are neither go to `unknown` (the other `|` operands still count); an
/// expression that cannot be evaluated is an `Err` with the reason.
fn decode_flags(
    expr: &str,
    table: &FlagTable,
    macros: &crate::source::macros::Defines,
    unknown: &mut Vec<String>,
) -> Result<u32, String> {
    use super::cexpr::Name;
    let name = |s: &str| {
        if let Some(bit) = table.bit(s) {
            Name::Value(1i64 << bit)
        } else if let Some(def) = macros.get(s).filter(|d| d.params.is_none()) {
            Name::Body(join_tokens(&def.body))
        } else {
            Name::Unknown
        }
    };
    let (value, names) = super::cexpr::eval_flags(expr, &name)?;
    unknown.extend(names);
    Ok(value)
}

/// Macro body tokens as text: a space only between two word tokens, so
/// that `<` `<` reads as a shift again.
fn join_tokens(toks: &[String]) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut out = String::new();
    for t in toks {
        if word(out.chars().last()) && word(t.chars().next()) {
            out.push(' ');
        }
        out.push_str(t);
    }
    out
}

struct SetState {
    file: usize,
    set: usize,
    model: KfuncSet,
}

/// Resolves and assembles. `is_dir` answers MAINTAINERS' directory test.
pub fn assemble(
    files: &[FileFacts],
    tables: &Tables,
    maintainers: Option<&Maintainers>,
    is_dir: &dyn Fn(&str) -> bool,
) -> Assembled {
    let index = Index::new(files);
    let mut diags = Vec::new();

    // Entries of each set, with the macro uses expanded now that every
    // parsed file's definitions are known.
    let (expanded, unexpanded_macros) = expand_uses(files, &mut diags);

    // Every set, keyed by (file, index in file).
    let mut sets: Vec<SetState> = Vec::new();
    let mut set_pos: HashMap<(usize, usize), usize> = HashMap::new();
    let mut set_by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (fi, f) in files.iter().enumerate() {
        for (si, s) in f.sets.iter().enumerate() {
            set_pos.insert((fi, si), sets.len());
            set_by_name
                .entry(s.name.as_str())
                .or_default()
                .push(sets.len());
            sets.push(SetState {
                file: fi,
                set: si,
                model: KfuncSet {
                    name: s.name.clone(),
                    kind: s.kind.as_str().to_string(),
                    file: f.path.clone(),
                    line: s.line,
                    entries: (s.entries.len() + expanded.get(&(fi, si)).map_or(0, Vec::len)) as u32,
                    functions: {
                        let mut f: Vec<String> = s
                            .entries
                            .iter()
                            .chain(expanded.get(&(fi, si)).into_iter().flatten())
                            .map(|e| e.name.clone())
                            .collect();
                        f.sort();
                        f.dedup();
                        f
                    },
                    test_only: is_test_code(&f.path),
                    ..KfuncSet::default()
                },
            });
        }
    }
    // The set an id set's `.set` names: same file first, then unique by name.
    let set_file: Vec<usize> = sets.iter().map(|s| s.file).collect();
    let set_for = |fi: usize, name: &str| -> Option<usize> {
        let all = set_by_name.get(name)?;
        all.iter()
            .copied()
            .find(|&s| set_file[s] == fi)
            .or_else(|| (all.len() == 1).then(|| all[0]))
    };

    let mut reported_id_sets = BTreeSet::new();
    let mut target_of =
        |fi: usize, ii: usize, at: &Loc, diags: &mut Vec<Diagnostic>| -> Option<usize> {
            let ids = &files[fi].id_sets[ii];
            let target = ids.set.as_deref().and_then(|n| set_for(fi, n));
            if target.is_none() && reported_id_sets.insert((fi, ii)) {
                let msg = match &ids.set {
                    Some(n) => format!(
                        "`{}` has `.set = &{n}`, but no set `{n}` was found",
                        ids.name
                    ),
                    None => format!("`{}` has no `.set`", ids.name),
                };
                diags.push(Diagnostic::at(Code::UnknownKset, at, msg));
            }
            target
        };

    for (fi, f) in files.iter().enumerate() {
        for call in &f.calls {
            let at = Loc::new(f.path.clone(), call.line, call.col);
            let ctx = Ctx {
                file: fi,
                func: call.func,
            };
            match call.kind {
                RegKind::Fmodret => {
                    let Some(arg) = call.args.first() else {
                        continue;
                    };
                    if let Ok(v) = index.resolve(ctx, arg, Want::IdSet, 0) {
                        for (val, _) in v {
                            if let Value::IdSet(f2, i2) = val
                                && let Some(s) = target_of(f2, i2, &at, &mut diags)
                            {
                                sets[s].model.fmodret = true;
                            }
                        }
                    }
                }
                RegKind::Kfunc => {
                    if call.args.len() != 2 {
                        diags.push(Diagnostic::at(
                            Code::UnresolvedRegistration,
                            &at,
                            format!(
                                "register_btf_kfunc_id_set() with {} arguments",
                                call.args.len()
                            ),
                        ));
                        continue;
                    }
                    let pts = index.resolve(ctx, &call.args[0], Want::ProgType, 0);
                    let kss = index.resolve(ctx, &call.args[1], Want::IdSet, 0);
                    let (pts, kss) = match (pts, kss) {
                        (Ok(p), Ok(k)) => (p, k),
                        (Err(e), _) => {
                            diags.push(Diagnostic::at(
                                Code::UnresolvedRegistration,
                                &at,
                                format!("cannot resolve the program type {e}"),
                            ));
                            continue;
                        }
                        (_, Err(e)) => {
                            diags.push(Diagnostic::at(
                                Code::UnresolvedRegistration,
                                &at,
                                format!("cannot resolve the kfunc set {e}"),
                            ));
                            continue;
                        }
                    };
                    for (pt, pvia) in &pts {
                        let Value::ProgType(pt) = pt else { continue };
                        for (ks, kvia) in &kss {
                            let Value::IdSet(f2, i2) = *ks else { continue };
                            if !compatible(pvia, kvia) {
                                continue;
                            }
                            let Some(s) = target_of(f2, i2, &at, &mut diags) else {
                                continue;
                            };
                            let via = if pvia.len() >= kvia.len() { pvia } else { kvia };
                            let hook = tables.hooks.hook(pt).map(str::to_string);
                            if hook.is_none() {
                                diags.push(Diagnostic::at(
                                    Code::UnsupportedProgType,
                                    &at,
                                    format!(
                                        "{pt} has no kfunc hook in this kernel; registering `{}` for it fails",
                                        sets[s].model.name
                                    ),
                                ));
                            }
                            let ids = &files[f2].id_sets[i2];
                            let id_set = IdSet {
                                name: ids.name.clone(),
                                file: files[f2].path.clone(),
                                line: ids.line,
                                owner: ids.owner.clone(),
                                filter: ids.filter.clone(),
                            };
                            let m = &mut sets[s].model;
                            m.registered = true;
                            if !m.id_sets.contains(&id_set) {
                                m.id_sets.push(id_set);
                            }
                            m.registrations.push(Registration {
                                prog_type: pt.clone(),
                                id_set: ids.name.clone(),
                                file: f.path.clone(),
                                line: call.line,
                                conditions: call.conditions.clone(),
                                hook,
                                via: shown_via(via),
                            });
                        }
                    }
                }
            }
        }
    }

    // Functions listed in some registered set: kfuncs.
    let registered_functions: std::collections::BTreeSet<String> = sets
        .iter()
        .filter(|s| s.model.registered)
        .flat_map(|s| s.model.functions.iter().cloned())
        .collect();
    for s in &mut sets {
        s.model.id_sets.sort();
        s.model.registrations.sort();
        s.model.registrations.dedup();
        if !s.model.registered && !s.model.fmodret && s.model.entries > 0 {
            let loc = Loc::new(s.model.file.clone(), s.model.line, 1);
            s.model.lookups = super::lookups::membership_tests(&files[s.file].text, &s.model.name);
            if let Some(&first) = s.model.lookups.first() {
                let listed = &s.model.functions;
                let kfuncs = listed
                    .iter()
                    .filter(|f| registered_functions.contains(*f))
                    .count();
                let share = if kfuncs == listed.len() {
                    format!("all {} of its functions are", listed.len())
                } else {
                    format!(
                        "{} of its {} are",
                        crate::plural::count(kfuncs, "one", "ones"),
                        crate::plural::count(listed.len(), "function", "functions")
                    )
                };
                diags.push(Diagnostic::at(
                    Code::LookupSet,
                    &loc,
                    format!(
                        "set `{}` is not a kfunc set but a lookup table: code tests ids against it (btf_id_set8_contains() at {}:{first}); {share} kfuncs through registered sets",
                        s.model.name, s.model.file
                    ),
                ));
                continue;
            }
            diags.push(Diagnostic::at(
                Code::UnregisteredSet,
                &loc,
                format!(
                    "set `{}` is never registered with register_btf_kfunc_id_set(); its entries are not kfuncs",
                    s.model.name
                ),
            ));
        }
    }

    // Kfunc name → its entries in registered sets.
    let mut by_name: BTreeMap<&str, Vec<(usize, &EntryDecl)>> = BTreeMap::new();
    for (pos, s) in sets.iter().enumerate() {
        if !s.model.registered {
            continue;
        }
        let decl = &files[s.file].sets[s.set];
        // Earlier entries by name: a set of 100k entries stays linear.
        let mut seen: HashMap<&str, Vec<&EntryDecl>> = HashMap::new();
        let more = expanded
            .get(&(s.file, s.set))
            .map_or(&[][..], Vec::as_slice);
        for e in decl.entries.iter().chain(more) {
            // The same name twice is only a duplicate when both entries can
            // be compiled in together (`#ifdef X ... #else ...` alternatives
            // are not).
            if seen
                .get(e.name.as_str())
                .is_some_and(|os| os.iter().any(|o| !exclusive(&o.conditions, &e.conditions)))
            {
                let loc = Loc::new(files[s.file].path.clone(), e.line, e.col);
                diags.push(
                    Diagnostic::at(
                        Code::DuplicateEntry,
                        &loc,
                        format!("`{}` is listed twice in set `{}`", e.name, decl.name),
                    )
                    .with_kfunc(&e.name),
                );
                continue;
            }
            seen.entry(e.name.as_str()).or_default().push(e);
            by_name.entry(e.name.as_str()).or_default().push((pos, e));
        }
    }

    let mut kfuncs = Vec::with_capacity(by_name.len());
    for (name, entries) in &by_name {
        kfuncs.push(build_kfunc(
            name, entries, &sets, files, &index, tables, &mut diags,
        ));
    }
    // kernel-doc's warnings are a property of the definition's file: read
    // each file once, not once per kfunc defined in it.
    let by_path: HashMap<&str, &FileFacts> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut kdoc_cache: HashMap<String, Vec<crate::model::KernelDocWarning>> = HashMap::new();
    for k in &mut kfuncs {
        if let Some(d) = &mut k.definition
            && let Some(f) = by_path.get(d.file.as_str())
        {
            d.kernel_doc_warnings = kdoc_cache
                .entry(d.file.clone())
                .or_insert_with(|| super::kdoc_file::warnings(f, tables.kernel_doc_python))
                .clone();
        }
    }
    // Subsystems per file: a few dozen files, each matched once against
    // MAINTAINERS' thousands of sections.
    if let Some(m) = maintainers {
        let mut cache: HashMap<String, Option<crate::model::Subsystem>> = HashMap::new();
        for k in &mut kfuncs {
            if let Some(file) = &k.file {
                k.subsystem = cache
                    .entry(file.clone())
                    .or_insert_with(|| m.lookup(file, is_dir).cloned())
                    .clone();
            }
        }
    }

    for f in files {
        for d in f.functions.iter().filter(|d| d.marker == Marker::BpfKfunc) {
            if !by_name.contains_key(d.header.name.as_str()) {
                let loc = Loc::new(f.path.clone(), d.line, d.col);
                diags.push(
                    Diagnostic::at(
                        Code::UnlistedKfunc,
                        &loc,
                        format!(
                            "`{}` is marked __bpf_kfunc but no registered kfunc set lists it",
                            d.header.name
                        ),
                    )
                    .with_kfunc(&d.header.name),
                );
            }
        }
    }

    let mut out_sets: Vec<KfuncSet> = sets.into_iter().map(|s| s.model).collect();
    out_sets.sort_by(|a, b| (&a.file, a.line, &a.name).cmp(&(&b.file, b.line, &b.name)));
    Assembled {
        kfuncs,
        sets: out_sets,
        diags,
        uncalled_helpers: index.uncalled_helpers(),
        unexpanded_macros,
    }
}

/// A definition that could be a kfunc's, ordered by preference (`false`
/// first), then by place.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct DefCandidate<'a> {
    /// (not in a set's file, not `__bpf_kfunc`, under tools/, `__weak`)
    preference: (bool, bool, bool, bool),
    path: &'a str,
    line: u32,
    file: usize,
    func: usize,
}

#[allow(clippy::too_many_arguments)]
fn build_kfunc(
    name: &str,
    entries: &[(usize, &EntryDecl)],
    sets: &[SetState],
    files: &[FileFacts],
    index: &Index<'_>,
    tables: &Tables,
    diags: &mut Vec<Diagnostic>,
) -> Kfunc {
    let mut k = Kfunc {
        name: name.to_string(),
        ..Kfunc::default()
    };
    let mut set_entries = Vec::new();
    for &(pos, e) in entries {
        let s = &sets[pos];
        let f = &files[s.file];
        let mut unknown = Vec::new();
        let unknown_flag = |message: String| {
            let loc = Loc::new(f.path.clone(), e.line, e.col);
            Diagnostic::at(Code::UnknownFlag, &loc, message).with_kfunc(name)
        };
        let value = match decode_flags(&e.flags_expr, &tables.flags, &f.macros, &mut unknown) {
            Ok(v) => v,
            Err(why) => {
                // Not guessed: the entry's flags are left out, and said so.
                diags.push(unknown_flag(format!(
                    "the flags of `{name}` (`{}`) cannot be decoded: {why}; they are left out",
                    e.flags_expr
                )));
                0
            }
        };
        if !unknown.is_empty() {
            diags.push(unknown_flag(format!(
                "`{}` in the flags of `{name}` is not a KF_* flag of this kernel",
                unknown.join("`, `")
            )));
        }
        set_entries.push(SetEntry {
            set: s.model.name.clone(),
            file: f.path.clone(),
            line: e.line,
            flags: tables.flags.decode(value),
            flags_expr: e.flags_expr.clone(),
            flags_value: value,
            conditions: e.conditions.clone(),
            test_only: s.model.test_only,
        });
    }
    set_entries.sort_by(|a, b| (&a.file, a.line, &a.set).cmp(&(&b.file, b.line, &b.set)));
    let first = &set_entries[0];
    k.file = Some(first.file.clone());
    k.line = Some(first.line);
    k.flags_expr = Some(first.flags_expr.clone());
    k.flags_value = set_entries.iter().fold(0, |v, e| v | e.flags_value);
    k.flags = tables.flags.decode(k.flags_value);
    if set_entries
        .iter()
        .any(|e| e.flags_value != first.flags_value)
    {
        let loc = Loc::new(first.file.clone(), first.line, 1);
        let each: Vec<String> = set_entries
            .iter()
            .map(|e| {
                let flags = if e.flags.is_empty() {
                    "none".to_string()
                } else {
                    e.flags.join("|")
                };
                if e.conditions.is_empty() {
                    format!("{} line {}: {flags}", e.set, e.line)
                } else {
                    let c = e.conditions.join(" && ");
                    format!("{} line {} (if {c}): {flags}", e.set, e.line)
                }
            })
            .collect();
        diags.push(
            Diagnostic::at(
                Code::SetFlagsDiffer,
                &loc,
                format!(
                    "`{name}` has different flags in different entries: {}",
                    each.join("; ")
                ),
            )
            .with_kfunc(name),
        );
    }
    // Sets, not `contains` on lists: linear in the number of `#if`s.
    let others: Vec<HashSet<&String>> = set_entries[1..]
        .iter()
        .map(|e| e.conditions.iter().collect())
        .collect();
    k.conditions = first
        .conditions
        .iter()
        .filter(|c| others.iter().all(|o| o.contains(c)))
        .cloned()
        .collect();
    let mut sets_named = BTreeSet::new();
    let mut prog_types = BTreeSet::new();
    let mut callable = BTreeSet::new();
    for &(pos, _) in entries {
        let m = &sets[pos].model;
        sets_named.insert(m.name.clone());
        for r in &m.registrations {
            prog_types.insert(r.prog_type.clone());
            if let Some(h) = &r.hook {
                callable.extend(tables.hooks.prog_types_of(h));
            }
        }
        k.filtered |= m.id_sets.iter().any(|i| i.filter.is_some());
    }
    k.sets = sets_named.into_iter().collect();
    // UNSPEC means every program type only where the kernel has the COMMON
    // hook (6.2+); on older kernels that registration fails at boot.
    k.all_prog_types = entries.iter().any(|&(pos, _)| {
        sets[pos]
            .model
            .registrations
            .iter()
            .any(|r| r.prog_type == "BPF_PROG_TYPE_UNSPEC" && r.hook.is_some())
    });
    k.prog_types = prog_types.into_iter().collect();
    k.callable_from = if k.all_prog_types {
        Vec::new()
    } else {
        callable.into_iter().collect()
    };

    // The definition: the set's own file first, then __bpf_kfunc, then
    // outside tools/, then not __weak; a static function only counts in the
    // file of one of its sets.
    let entry_files: BTreeSet<usize> = entries.iter().map(|&(pos, _)| sets[pos].file).collect();
    let mut cands: Vec<DefCandidate<'_>> = index
        .functions_named(name)
        .iter()
        .filter(|&&(fi, di)| !files[fi].functions[di].header.is_static || entry_files.contains(&fi))
        .map(|&(fi, di)| {
            let d = &files[fi].functions[di];
            let path = files[fi].path.as_str();
            DefCandidate {
                preference: (
                    !entry_files.contains(&fi),
                    d.marker != Marker::BpfKfunc,
                    path.starts_with("tools/"),
                    d.header.is_weak,
                ),
                path,
                line: d.line,
                file: fi,
                func: di,
            }
        })
        .collect();
    cands.sort();
    match cands.first() {
        None => {
            let loc = Loc::new(first.file.clone(), first.line, 1);
            diags.push(
                Diagnostic::at(
                    Code::DefinitionNotFound,
                    &loc,
                    format!("no definition of `{name}` found in the tree"),
                )
                .with_kfunc(name),
            );
        }
        Some(best) => {
            let (fi, di) = (best.file, best.func);
            let others: Vec<String> = cands[1..]
                .iter()
                .filter(|c| c.preference == best.preference && c.file != fi)
                .map(|c| format!("{}:{}", c.path, c.line))
                .collect();
            let f = &files[fi];
            let d = &f.functions[di];
            if !others.is_empty() {
                let loc = Loc::new(f.path.clone(), d.line, d.col);
                diags.push(
                    Diagnostic::at(
                        Code::AmbiguousDefinition,
                        &loc,
                        format!(
                            "`{name}` is also defined at {}; this definition was chosen",
                            others.join(", ")
                        ),
                    )
                    .with_kfunc(name),
                );
            }
            k.definition = Some(Definition {
                file: f.path.clone(),
                line: d.line,
                prototype: d.header.prototype(),
                return_type: d.header.return_type.clone(),
                is_static: d.header.is_static,
                marker: d.marker.as_str().to_string(),
                // Filled per file after every kfunc is built (below).
                kernel_doc_warnings: Vec::new(),
            });
            k.params = d
                .header
                .params
                .iter()
                .map(|p| Param {
                    name: p.name.clone(),
                    ty: p.ty.clone(),
                    annotation: tables.suffixes.annotation(&p.name).map(str::to_string),
                    implicit: false,
                })
                .collect();
            if let Some((s, e, line)) = d.comment {
                let (mut doc, ident) = kdoc::parse(&f.text[s..e], &f.path, line);
                doc.name = ident.clone().filter(|_| doc.kernel_doc);
                if let Some(ident) = ident.filter(|i| doc.kernel_doc && i != name) {
                    let loc = Loc::new(f.path.clone(), line, 1);
                    diags.push(
                        Diagnostic::at(
                            Code::DocNameMismatch,
                            &loc,
                            format!(
                                "kernel-doc comment names `{ident}()` but documents `{name}()`"
                            ),
                        )
                        .with_kfunc(name),
                    );
                }
                doc.sphinx_warnings = super::kdoc_rst::problems(&doc, &k.params);
                k.doc = Some(doc);
            }
            k.test_only = is_test_code(&f.path);
        }
    }
    k.test_only |= set_entries.iter().all(|e| e.test_only);
    k.entries = set_entries;
    k
}

#[cfg(test)]
mod tests;
