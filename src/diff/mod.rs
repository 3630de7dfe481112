//! `kfuncdoc diff`: what a kernel release changed for BPF programs, judged
//! against the policy.
//!
//! [`diff`] compares two catalogs (pure): every change is a [`Change`] with a
//! code of the registry, the positions on both sides and the group a reader
//! looks for first (breaking, relaxing, added, removed, other). Prototypes
//! are compared as a BPF program sees them (`KF_IMPLICIT_ARGS` parameters
//! left out); flags one by one, classified by `kernel::flags::CHANGE_EFFECTS`;
//! a requirement that became the default for every kfunc
//! (`kernel::flags::BECAME_DEFAULT`) is one finding, not one per kfunc.
//! `judge.rs` then holds the changes to the policy as of the older kernel.

mod judge;
mod proto;
pub(crate) use proto::strip_dedup_suffixes;
#[cfg(test)]
mod tests;

use crate::diag::{Code, Level};
use crate::kernel::KernelVersion;
use crate::kernel::flags::{self, Effect};
use crate::model::{Catalog, InputInfo, Kfunc};
use crate::policy::Policy;
use crate::policy::model::Replacement;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Every code `diff` reports; `tests.rs` has a case producing each.
pub const CODES: &[Code] = &[
    Code::KfuncAdded,
    Code::KfuncRemoved,
    Code::KfuncRenamed,
    Code::KfuncMoved,
    Code::KfuncNotBuilt,
    Code::ReturnTypeChanged,
    Code::ParamAdded,
    Code::ParamRemoved,
    Code::ParamTypeChanged,
    Code::ParamsReordered,
    Code::ParamRenamed,
    Code::ParamAnnotationChanged,
    Code::FlagChanged,
    Code::FlagBecameDefault,
    Code::ProgTypesChanged,
    Code::FilterChanged,
    Code::TestOnlyChanged,
    Code::ConditionsChanged,
    Code::DeprecationNoticed,
    Code::SummaryChanged,
    Code::StableKfuncRemoved,
    Code::RemovedBeforePlanned,
    Code::RemovedTooSoon,
    Code::StableKfuncBroken,
    Code::ChangedWithoutDeprecation,
    Code::RemovalUnrecorded,
    Code::SinceDisagrees,
];

/// Which part of the report a change belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// The policy's verdict on a change (`stable-kfunc-removed`...).
    Policy,
    /// A program that loaded on the older kernel may not on the newer.
    Breaking,
    /// Programs the older kernel rejected may load on the newer.
    Relaxing,
    /// New kfuncs.
    Added,
    /// Kfuncs that are gone.
    Removed,
    /// Everything else: renames, moves, documentation, configuration.
    Other,
}

impl Group {
    /// Every group, in report order.
    pub const ALL: [Group; 6] = [
        Group::Policy,
        Group::Breaking,
        Group::Relaxing,
        Group::Added,
        Group::Removed,
        Group::Other,
    ];

    /// The name in JSON (`breaking`...).
    pub fn name(self) -> &'static str {
        match self {
            Group::Policy => "policy",
            Group::Breaking => "breaking",
            Group::Relaxing => "relaxing",
            Group::Added => "added",
            Group::Removed => "removed",
            Group::Other => "other",
        }
    }

    /// The heading in the human report.
    pub fn title(self) -> &'static str {
        match self {
            Group::Policy => "Against the policy",
            Group::Breaking => "Breaking",
            Group::Relaxing => "Relaxing",
            Group::Added => "Added",
            Group::Removed => "Removed",
            Group::Other => "Other changes",
        }
    }

    fn of(effect: Effect) -> Group {
        match effect {
            Effect::Breaking => Group::Breaking,
            Effect::Relaxing => Group::Relaxing,
            Effect::Neutral => Group::Other,
        }
    }
}

/// A place on one side: a source position, or the built kernel input that
/// has the kfunc (`vmlinux`, `module nf_conntrack`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct Pos {
    /// File relative to the tree, or what the built kernel input is.
    pub file: String,
    /// 1-based line, for source positions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// One change between the two kernels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// What changed (a code of the registry).
    pub code: Code,
    /// How much it matters: the code's level under the policy.
    pub level: Level,
    /// Where it is reported.
    pub group: Group,
    /// The kfunc (its newer name for a rename).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kfunc: Option<String>,
    /// Its older name, for a rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_name: Option<String>,
    /// Its MAINTAINERS section, newer side first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsystem: Option<String>,
    /// Where the older kernel has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Pos>,
    /// Where the newer kernel has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Pos>,
    /// What changed, in one sentence.
    pub message: String,
}

impl Change {
    fn new(code: Code, group: Group, message: impl Into<String>) -> Self {
        Change {
            code,
            level: code.default_level(),
            group,
            kfunc: None,
            old_name: None,
            subsystem: None,
            old: None,
            new: None,
            message: message.into(),
        }
    }

    fn about(mut self, old: Option<&Kfunc>, new: Option<&Kfunc>) -> Self {
        self.kfunc = new.or(old).map(|k| k.name.clone());
        self.subsystem = new.and_then(subsystem).or_else(|| old.and_then(subsystem));
        self.old = old.and_then(pos);
        self.new = new.and_then(pos);
        self
    }

    fn renamed_from(mut self, old: &str) -> Self {
        self.old_name = Some(old.to_string());
        self
    }

    fn at(mut self, old: Option<Pos>, new: Option<Pos>) -> Self {
        self.old = old.or(self.old);
        self.new = new.or(self.new);
        self
    }

    /// The position the change is reported at: the newer kernel's, or the
    /// older one's when the newer has none.
    pub fn position(&self) -> Option<&Pos> {
        self.new.as_ref().or(self.old.as_ref())
    }
}

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// The kernel version its inputs state.
    pub version: Option<String>,
    /// What was read.
    pub inputs: Vec<InputInfo>,
    /// How many kfuncs it has (test-only ones included).
    pub kfuncs: usize,
}

impl Side {
    fn of(c: &Catalog) -> Side {
        Side {
            version: c.kernel.version.clone(),
            inputs: c.kernel.inputs.clone(),
            kfuncs: c.kfuncs.len(),
        }
    }

    /// The version, or what to call the kernel without one.
    pub fn name(&self, fallback: &'static str) -> String {
        self.version.clone().unwrap_or_else(|| fallback.into())
    }
}

/// Counts per group and level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Summary {
    /// Changes in the breaking group.
    pub breaking: usize,
    /// In the relaxing group.
    pub relaxing: usize,
    /// Added kfuncs.
    pub added: usize,
    /// Removed kfuncs.
    pub removed: usize,
    /// Other changes.
    pub other: usize,
    /// Findings at deny level.
    pub deny: usize,
    /// At warn level.
    pub warn: usize,
}

/// The result of a diff: `diff --format json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// The JSON schema version of this document.
    pub schema: u32,
    /// The older kernel.
    pub old: Side,
    /// The newer kernel.
    pub new: Side,
    /// Counts.
    pub summary: Summary,
    /// Every change, in report order (group, subsystem, kfunc, code).
    pub changes: Vec<Change>,
}

/// Options of a diff.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Compare kfuncs that exist only for the kernel's own tests too.
    pub include_test_only: bool,
}

/// Where a kfunc is: its first set entry, its definition, or the built
/// input that has it.
fn pos(k: &Kfunc) -> Option<Pos> {
    if let (Some(file), Some(line)) = (&k.file, k.line) {
        return Some(Pos {
            file: file.clone(),
            line: Some(line),
        });
    }
    if let Some(d) = &k.definition {
        return Some(Pos {
            file: d.file.clone(),
            line: Some(d.line),
        });
    }
    k.btf.as_ref().map(|b| Pos {
        file: match &b.module {
            Some(m) => format!("module {m}"),
            None => "vmlinux".into(),
        },
        line: None,
    })
}

/// Where its prototype is: the definition, else as [`pos`].
fn def_pos(k: &Kfunc) -> Option<Pos> {
    match &k.definition {
        Some(d) => Some(Pos {
            file: d.file.clone(),
            line: Some(d.line),
        }),
        None => pos(k),
    }
}

fn subsystem(k: &Kfunc) -> Option<String> {
    k.subsystem.as_ref().map(|s| s.name.clone())
}

/// What one kernel tells about its kfuncs, and how far it can be trusted.
struct View<'a> {
    catalog: &'a Catalog,
    /// The kfuncs compared (test-only ones only when asked for).
    by_name: BTreeMap<&'a str, &'a Kfunc>,
    /// Every kfunc.
    all: BTreeMap<&'a str, &'a Kfunc>,
    version: Option<KernelVersion>,
    source: bool,
}

impl<'a> View<'a> {
    fn new(catalog: &'a Catalog, o: Options) -> Self {
        View {
            catalog,
            by_name: catalog
                .kfuncs
                .iter()
                .filter(|k| o.include_test_only || !k.test_only)
                .map(|k| (k.name.as_str(), k))
                .collect(),
            all: catalog
                .kfuncs
                .iter()
                .map(|k| (k.name.as_str(), k))
                .collect(),
            version: catalog
                .kernel
                .version
                .as_deref()
                .and_then(KernelVersion::parse_lenient),
            source: catalog.kernel.has_source(),
        }
    }

    /// The kfunc's flags, when this side knows them.
    fn flags(&self, k: &'a Kfunc) -> Option<BTreeSet<&'a str>> {
        let names = if self.source {
            &k.flags
        } else {
            k.btf.as_ref()?.flags.as_ref()?
        };
        // Bits no flag names (`0x...`) are not compared.
        Some(
            names
                .iter()
                .map(String::as_str)
                .filter(|n| n.starts_with("KF_"))
                .collect(),
        )
    }

    /// The program types that may call it, when this side knows them.
    fn callers(&self, k: &'a Kfunc) -> Option<BTreeSet<&'a str>> {
        // Registrations come from source only (every source kfunc has a set).
        if !self.source {
            return None;
        }
        if k.all_prog_types {
            return Some(BTreeSet::from(["every program type"]));
        }
        Some(k.callable_from.iter().map(String::as_str).collect())
    }
}

/// Whether BPF programs see the same prototype in `a` and `b`: return
/// and parameter types with their annotations (names may differ). False
/// when either prototype is unknown.
pub fn same_prototype(a: &Kfunc, b: &Kfunc) -> bool {
    matches!((proto::signature(a), proto::signature(b)), (Some(x), Some(y)) if x == y)
}

/// Compares `old` with `new` and judges the changes against `policy`.
pub fn diff(old: &Catalog, new: &Catalog, policy: &Policy, o: Options) -> Diff {
    let a = View::new(old, o);
    let b = View::new(new, o);
    let mut changes = Vec::new();
    let renames = renames(&a, &b, policy);
    let renamed_old: BTreeSet<&str> = renames.iter().map(|r| r.old.name.as_str()).collect();
    let renamed_new: BTreeSet<&str> = renames.iter().map(|r| r.new.name.as_str()).collect();

    // Kernel-wide changes of meaning, once.
    let defaults = became_default(&a, &b);
    for d in &defaults {
        changes.push(Change::new(
            Code::FlagBecameDefault,
            Group::Other,
            format!(
                "{} no longer exists in {}: {}",
                d.flag,
                b.catalog
                    .kernel
                    .version
                    .as_deref()
                    .unwrap_or("the newer kernel"),
                d.says
            ),
        ));
    }

    for (&name, &k) in &a.by_name {
        match b.by_name.get(name) {
            Some(&n) => compare(&a, &b, k, n, &defaults, &mut changes),
            // Renamed, or only its test-only status changed (below).
            None if renamed_old.contains(name) || b.all.contains_key(name) => {}
            None => changes.push(removed(&b, k)),
        }
    }
    for (&name, &n) in &b.by_name {
        if !a.all.contains_key(name) && !renamed_new.contains(name) {
            changes.push(
                Change::new(Code::KfuncAdded, Group::Added, format!("`{name}` is new"))
                    .about(None, Some(n)),
            );
        }
    }
    for r in &renames {
        changes.push(
            Change::new(
                Code::KfuncRenamed,
                Group::Other,
                format!("`{}` is now `{}` ({})", r.old.name, r.new.name, r.evidence),
            )
            .about(Some(r.old), Some(r.new))
            .renamed_from(&r.old.name),
        );
        compare(&a, &b, r.old, r.new, &defaults, &mut changes);
    }
    // Test-only status flips are facts even when test-only kfuncs are left out.
    // (`compare` sees them when test-only kfuncs are compared.)
    if !o.include_test_only {
        for (name, &k) in &a.all {
            if let Some(&n) = b.all.get(name)
                && k.test_only != n.test_only
            {
                changes.push(test_only_change(k, n));
            }
        }
    }

    judge::judge(&a, &b, policy, &renames, &mut changes);

    for c in &mut changes {
        c.level = level(policy, c);
    }
    changes.retain(|c| c.level != Level::Allow);
    changes.sort_by(|x, y| {
        (x.group, &x.subsystem, &x.kfunc, x.code, &x.message).cmp(&(
            y.group,
            &y.subsystem,
            &y.kfunc,
            y.code,
            &y.message,
        ))
    });
    changes.dedup();
    let mut summary = Summary::default();
    for c in &changes {
        match c.group {
            Group::Breaking => summary.breaking += 1,
            Group::Relaxing => summary.relaxing += 1,
            Group::Added => summary.added += 1,
            Group::Removed => summary.removed += 1,
            Group::Other => summary.other += 1,
            Group::Policy => {}
        }
        match c.level {
            Level::Deny => summary.deny += 1,
            Level::Warn => summary.warn += 1,
            _ => {}
        }
    }
    Diff {
        schema: 1,
        old: Side::of(old),
        new: Side::of(new),
        summary,
        changes,
    }
}

/// A change's level: what the policy's `lints:` says for its code, else
/// the code's default, which for a change that cannot break a program
/// (relaxing, added, other) is at most `info`.
fn level(policy: &Policy, c: &Change) -> Level {
    if let Some(l) = policy.lints.get(&c.code) {
        return l.value;
    }
    let default = c.code.default_level();
    match c.group {
        Group::Relaxing | Group::Added | Group::Other => default.min(Level::Info),
        _ => default,
    }
}

fn removed(b: &View<'_>, k: &Kfunc) -> Change {
    let message = if b.source {
        format!("`{}` is gone", k.name)
    } else {
        format!(
            "`{}` is not in the newer built kernel (without its source, kfuncdoc cannot \
tell a removal from a configuration that leaves it out)",
            k.name
        )
    };
    Change::new(Code::KfuncRemoved, Group::Removed, message).about(Some(k), None)
}

fn test_only_change(k: &Kfunc, n: &Kfunc) -> Change {
    let what = if n.test_only {
        "is now test-only"
    } else {
        "is no longer test-only"
    };
    Change::new(
        Code::TestOnlyChanged,
        Group::Other,
        format!("`{}` {what}", n.name),
    )
    .about(Some(k), Some(n))
}

/// A rename: the old kfunc, the new one, and why kfuncdoc thinks so.
pub(crate) struct Rename<'a> {
    old: &'a Kfunc,
    new: &'a Kfunc,
    evidence: String,
}

/// Pairs kfuncs only the older kernel has with kfuncs only the newer has:
/// by the policy's replacement, by the kernel's own notice naming the
/// successor, or by the same BPF-visible prototype in the same set.
fn renames<'a>(a: &View<'a>, b: &View<'a>, policy: &Policy) -> Vec<Rename<'a>> {
    let gone: Vec<&Kfunc> = a
        .by_name
        .iter()
        .filter(|(n, _)| !b.all.contains_key(*n))
        .map(|(_, k)| *k)
        .collect();
    let fresh: Vec<&Kfunc> = b
        .by_name
        .iter()
        .filter(|(n, _)| !a.all.contains_key(*n))
        .map(|(_, k)| *k)
        .collect();
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    for &k in &gone {
        let by_policy = policy.kfuncs.get(&k.name).and_then(|e| {
            let r = e.replacement.as_ref()?;
            match &r.value {
                Replacement::Kfunc(name) => {
                    Some((name.clone(), format!("the policy's replacement, {}", r.loc)))
                }
                _ => None,
            }
        });
        let by_notice = || {
            k.upstream_notices.iter().find_map(|n| {
                let to = n.replacements.first()?;
                Some((
                    to.clone(),
                    format!("the older kernel's comment, {}:{}", n.file, n.line),
                ))
            })
        };
        let candidate = by_policy.or_else(by_notice).and_then(|(to, why)| {
            fresh
                .iter()
                .find(|n| n.name == to && !taken.contains(n.name.as_str()))
                .map(|n| (*n, why))
        });
        let candidate = candidate.or_else(|| {
            // The same prototype in a set of the same name: only when exactly
            // one new kfunc fits.
            let sig = proto::signature(k)?;
            let mut fits = fresh.iter().filter(|n| {
                !taken.contains(n.name.as_str())
                    && n.sets.iter().any(|s| k.sets.contains(s))
                    && proto::signature(n).as_ref() == Some(&sig)
            });
            let one = fits.next()?;
            fits.next().is_none().then(|| {
                (
                    *one,
                    format!(
                        "the same BPF-visible prototype in the same set, {}",
                        one.sets
                            .iter()
                            .find(|s| k.sets.contains(s))
                            .map_or("", String::as_str)
                    ),
                )
            })
        });
        if let Some((n, evidence)) = candidate {
            taken.insert(n.name.as_str());
            out.push(Rename {
                old: k,
                new: n,
                evidence,
            });
        }
    }
    out
}

/// The kernel-wide requirements that became the default between the two
/// kernels.
fn became_default(a: &View<'_>, b: &View<'_>) -> Vec<flags::BecameDefault> {
    let (Some(va), Some(vb)) = (a.version, b.version) else {
        return Vec::new();
    };
    flags::BECAME_DEFAULT
        .iter()
        .filter(|d| va.release() < d.from && d.from <= vb.release())
        .copied()
        .collect()
}

/// Everything that changed about one kfunc present on both sides.
fn compare(
    a: &View<'_>,
    b: &View<'_>,
    k: &Kfunc,
    n: &Kfunc,
    defaults: &[flags::BecameDefault],
    out: &mut Vec<Change>,
) {
    let about = |c: Change| c.about(Some(k), Some(n));
    if n.built == Some(false) && k.built != Some(false) {
        out.push(about(Change::new(
            Code::KfuncNotBuilt,
            Group::Other,
            format!(
                "`{}` is in the newer source but not in its built kernel: its configuration is off there",
                n.name
            ),
        )));
    }
    // Moves.
    let mut moved = Vec::new();
    let module = |k: &Kfunc| {
        k.btf
            .as_ref()
            .map(|b| b.module.clone().unwrap_or_else(|| "vmlinux".into()))
    };
    if let (Some(m1), Some(m2)) = (module(k), module(n))
        && m1 != m2
    {
        moved.push(format!("from {} to {}", where_(&m1), where_(&m2)));
    }
    if let (Some(f1), Some(f2)) = (&k.file, &n.file)
        && f1 != f2
    {
        moved.push(format!("from {f1} to {f2}"));
    }
    if a.source && b.source && k.sets != n.sets {
        moved.push(format!(
            "from set {} to {}",
            k.sets.join(", "),
            n.sets.join(", ")
        ));
    }
    if !moved.is_empty() {
        out.push(about(Change::new(
            Code::KfuncMoved,
            Group::Other,
            format!("`{}` moved {}", n.name, moved.join("; ")),
        )));
    }
    // The prototype a program sees.
    for (code, effect, message) in proto::compare(k, n) {
        out.push(about(Change::new(code, Group::of(effect), message)).at(def_pos(k), def_pos(n)));
    }
    // Flags, one by one.
    if let (Some(f1), Some(f2)) = (a.flags(k), b.flags(n)) {
        for &flag in f2.difference(&f1) {
            let (effect, why) = flags::change_effect(flag, true);
            out.push(about(Change::new(
                Code::FlagChanged,
                Group::of(effect),
                format!("`{}` gained {flag}: {why}", n.name),
            )));
        }
        for &flag in f1.difference(&f2) {
            if defaults.iter().any(|d| d.flag == flag) {
                continue;
            }
            let (effect, why) = flags::change_effect(flag, false);
            out.push(about(Change::new(
                Code::FlagChanged,
                Group::of(effect),
                format!("`{}` lost {flag}: {why}", n.name),
            )));
        }
        for d in defaults {
            let had = f1.contains(d.flag) || d.unless.iter().any(|u| f1.contains(u));
            let keeps_weaker = d.unless.iter().any(|u| f2.contains(u));
            if !had && !keeps_weaker && proto::takes_kernel_object(n, d.exempt_types) {
                let (effect, why) = flags::change_effect(d.flag, true);
                out.push(about(Change::new(
                    Code::FlagChanged,
                    Group::of(effect),
                    format!(
                        "`{}` now behaves as with {}, without it before: {why} ({})",
                        n.name, d.flag, d.says
                    ),
                )));
            }
        }
    }
    // Program types.
    if let (Some(p1), Some(p2)) = (a.callers(k), b.callers(n)) {
        let lost: Vec<&str> = p1.difference(&p2).copied().collect();
        let gained: Vec<&str> = p2.difference(&p1).copied().collect();
        if !lost.is_empty() {
            out.push(about(Change::new(
                Code::ProgTypesChanged,
                Group::Breaking,
                format!(
                    "`{}` is no longer callable from {}",
                    n.name,
                    lost.join(", ")
                ),
            )));
        }
        if !gained.is_empty() {
            out.push(about(Change::new(
                Code::ProgTypesChanged,
                Group::Relaxing,
                format!("`{}` is now callable from {}", n.name, gained.join(", ")),
            )));
        }
        let names =
            |k: &Kfunc| -> BTreeSet<String> { k.filters.iter().map(|f| f.name.clone()).collect() };
        let (f1, f2) = (names(k), names(n));
        for f in f2.difference(&f1) {
            out.push(about(Change::new(
                Code::FilterChanged,
                Group::Other,
                format!("`{}` is now narrowed by the filter `{f}()`", n.name),
            )));
        }
        for f in f1.difference(&f2) {
            out.push(about(Change::new(
                Code::FilterChanged,
                Group::Other,
                format!("`{}` is no longer narrowed by the filter `{f}()`", n.name),
            )));
        }
    }
    if k.test_only != n.test_only {
        out.push(test_only_change(k, n));
    }
    if a.source && b.source && k.conditions != n.conditions {
        let show = |c: &[String]| {
            if c.is_empty() {
                "none".to_string()
            } else {
                c.join(" && ")
            }
        };
        out.push(about(Change::new(
            Code::ConditionsChanged,
            Group::Other,
            format!(
                "`{}` is built under {} (was {})",
                n.name,
                show(&n.conditions),
                show(&k.conditions)
            ),
        )));
    }
    // What the kernel says of its future: notices the older kernel lacked.
    let said = |k: &Kfunc| -> BTreeSet<(String, Option<String>)> {
        k.upstream_notices
            .iter()
            .filter(|x| x.kind != "legacy")
            .map(|x| (x.kind.clone(), x.removal.clone()))
            .collect()
    };
    let before = said(k);
    for x in n.upstream_notices.iter().filter(|x| x.kind != "legacy") {
        if before.contains(&(x.kind.clone(), x.removal.clone())) {
            continue;
        }
        let mut m = format!(
            "the newer kernel says of `{}`: \"{}\"",
            n.name,
            x.text.trim()
        );
        if let Some(r) = &x.removal {
            m.push_str(&format!(" (removal in {r})"));
        }
        out.push(
            about(Change::new(Code::DeprecationNoticed, Group::Other, m)).at(
                None,
                Some(Pos {
                    file: x.file.clone(),
                    line: Some(x.line),
                }),
            ),
        );
    }
    let summary = |k: &Kfunc| k.doc.as_ref().and_then(|d| d.summary.clone());
    if let (Some(s1), Some(s2)) = (summary(k), summary(n))
        && s1.split_whitespace().ne(s2.split_whitespace())
    {
        out.push(about(Change::new(
            Code::SummaryChanged,
            Group::Other,
            format!("`{}`: \"{s2}\" (was \"{s1}\")", n.name),
        )));
    }
}

fn where_(m: &str) -> String {
    if m == "vmlinux" {
        m.to_string()
    } else {
        format!("module {m}")
    }
}
