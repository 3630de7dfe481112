//! Which functions of an image are kfuncs, how we know, and their C
//! prototypes.
//!
//! Three sources, recorded per kfunc in [`BtfKfunc::found_by`]:
//!
//! 1. `DECL_TAG "bpf_kfunc"` with `component_idx == -1` on a FUNC, which
//!    pahole ≥ 1.27 emits for kernels ≥ 6.11 (and `"bpf_fastcall"` for
//!    `KF_FASTCALL` kfuncs, pahole ≥ 1.28); present in raw BTF too;
//! 2. `.BTF_ids` set8 blocks located by their symbols (`btf_ids.rs`): the
//!    only source of per-kfunc `KF_*` flags and set names;
//! 3. the same blocks recovered structurally when the image is stripped.
//!
//! Raw BTF has no `.BTF_ids`: flags are then unknown (`None`), not zero.
//! Prototypes are printed in bpftool's order (decl-tag order, then the
//! set-only kfuncs by id) so that libbpf's renaming of duplicate names
//! comes out the same; see `cdump.rs` for when that matters.

use super::btf_ids::{self, Confidence, Set8, SetFinding, SetSource};
use super::cdecl::{Ns, Printer};
use super::cdump;
use super::error::{BtfError, Result};
use super::fxhash::FxHashMap;
use super::input::Image;
use super::raw::Kind;
use super::types::{Btf, Type};
use crate::kernel::KernelVersion;
use crate::kernel::flags::{FLAGS, FlagTable};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// How a kfunc was identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum FoundBy {
    /// A `bpf_kfunc` decl tag in BTF.
    DeclTag,
    /// A set8 located by its `__BTF_ID__set8__` symbol.
    BtfIdsSymbols,
    /// A set8 recovered from a stripped `.BTF_ids`.
    BtfIdsStructural {
        /// The weakest confidence among the sets listing it.
        confidence: Confidence,
    },
}

/// A parameter of a kfunc's prototype.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BtfParam {
    /// Its name as in BTF (suffixes such as `__sz` included); empty when
    /// unnamed.
    pub name: String,
    /// Its type id (0 for a trailing `...`).
    pub type_id: u32,
    /// Its type as a C abstract declarator (`struct task_struct *`), `...`
    /// for a trailing ellipsis.
    pub ty: String,
}

/// The FUNC named `<kfunc>_impl` beside a kfunc. For a `KF_IMPLICIT_ARGS`
/// kfunc it is the kernel's declaration, implicit arguments included,
/// which the verifier checks calls against: added by `resolve_btfids`
/// (no `bpf_kfunc` tag: not a kfunc itself) or, in the "legacy" case, a
/// function of the source that is a kfunc of its own (`bpf_obj_new_impl`).
/// Whether the kfunc is flagged is for the reader of the flags to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImplFunc {
    /// Its FUNC type id.
    pub btf_id: u32,
    /// Its declaration, printed as a kfunc's `prototype` is.
    pub prototype: String,
    /// Its parameters, in order.
    pub params: Vec<BtfParam>,
}

/// One appearance of a kfunc in a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KfuncEntry {
    /// The set's name, when known.
    pub set: Option<String>,
    /// Offset of the set in `.BTF_ids`.
    pub set_offset: u64,
    /// The `KF_*` bits of this entry.
    pub flags: u32,
}

/// A kfunc as BTF and `.BTF_ids` describe it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BtfKfunc {
    /// The function's name.
    pub name: String,
    /// Its FUNC type id.
    pub btf_id: u32,
    /// The declaration bpftool 7.5 prints between `extern ` and
    /// ` __weak __ksym;` in `btf dump ... format c`.
    pub prototype: String,
    /// Parameters, in order.
    pub params: Vec<BtfParam>,
    /// The module defining it, `None` for vmlinux.
    pub module: Option<String>,
    /// Has a `bpf_fastcall` decl tag.
    pub fastcall: bool,
    /// Union of the `KF_*` bits of its entries; `None` when the input has
    /// no set information (raw BTF) or no set lists it.
    pub flags: Option<u32>,
    /// Names of the sets listing it, sorted (empty when unnamed).
    pub sets: Vec<String>,
    /// Every set entry for it.
    pub entries: Vec<KfuncEntry>,
    /// How it was found, sorted.
    pub found_by: Vec<FoundBy>,
    /// The FUNC `<name>_impl` of the same BTF, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impl_func: Option<ImplFunc>,
}

impl BtfKfunc {
    /// Flag names for `flags` with `table`, `None` when flags are unknown.
    pub fn flag_names(&self, table: &FlagTable) -> Option<Vec<String>> {
        self.flags.map(|f| table.decode(f))
    }
}

/// Where flags came from for a whole image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagsSource {
    /// No `.BTF_ids` (raw BTF, or an ELF without the section).
    Unavailable,
    /// Sets located by symbols.
    Symbols,
    /// Sets recovered structurally (stripped image).
    Structural,
}

/// The kfuncs of one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KfuncReport {
    /// Kfuncs sorted by name.
    pub kfuncs: Vec<BtfKfunc>,
    /// Every set8 found (kfunc sets and others), by offset.
    pub sets: Vec<Set8>,
    /// Where flags came from.
    pub flags_source: FlagsSource,
    /// Oddities that did not stop the reading.
    pub findings: Vec<SetFinding>,
}

/// Identifies the kfuncs of `img`.
pub fn identify(img: &Image) -> Result<KfuncReport> {
    let btf: &Btf = img.btf();
    let version = img.kernel_version();
    let mut findings = Vec::new();
    let (mut sets, flags_source) = match img.btf_ids() {
        None => (Vec::new(), FlagsSource::Unavailable),
        Some(ids) if !ids.symbols.is_empty() => {
            let (s, f) = btf_ids::from_symbols(&ids.data, ids.endian, &ids.symbols, btf);
            findings = f;
            (s, FlagsSource::Symbols)
        }
        Some(ids) => (
            btf_ids::structural(&ids.data, ids.endian, btf, kf_mask()),
            FlagsSource::Structural,
        ),
    };
    // BTF_SET8_KFUNCS exists from 6.9; without a version, infer it.
    let has_bit = version.map(|v| v >= KernelVersion::new(6, 9));
    btf_ids::mark_kfunc_sets(&mut sets, has_bit);

    // Tagged kfuncs in decl-tag order (bpftool's), plus fastcall tags.
    let tags = btf.decl_tags().iter().map(|&id| btf.get(id));
    let (mut order, fastcall) = decl_tagged(tags.collect::<Result<Vec<_>>>()?)?;
    let tagged: HashSet<u32> = order.iter().copied().collect();

    let mut from_sets: BTreeMap<u32, (Vec<KfuncEntry>, Option<Confidence>)> = BTreeMap::new();
    for s in sets.iter().filter(|s| s.kfuncs) {
        let confidence = match s.source {
            SetSource::Structural { confidence } => Some(confidence),
            SetSource::Symbols => None,
        };
        for e in &s.entries {
            if e.btf_id == 0 || btf.get(e.btf_id).map(|t| t.kind()).ok() != Some(Kind::Func) {
                continue;
            }
            let slot = from_sets.entry(e.btf_id).or_default();
            slot.0.push(KfuncEntry {
                set: s.name.clone(),
                set_offset: s.offset,
                flags: e.flags,
            });
            slot.1 = match (slot.1, confidence) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
    for &id in from_sets.keys() {
        if !tagged.contains(&id) {
            order.push(id);
        }
    }

    let prototypes = prototypes(btf, &order)?;
    let mut printer = Printer::new(btf);
    let mut kfuncs = Vec::with_capacity(order.len());
    for (&id, prototype) in order.iter().zip(prototypes) {
        let func = btf.get(id)?;
        let proto = btf.get(func.type_id())?;
        let params = btf_params(&mut printer, &proto)?;
        let mut found_by = Vec::new();
        if tagged.contains(&id) {
            found_by.push(FoundBy::DeclTag);
        }
        let (entries, confidence) = from_sets.remove(&id).unwrap_or_default();
        if !entries.is_empty() {
            found_by.push(match confidence {
                Some(confidence) => FoundBy::BtfIdsStructural { confidence },
                None => FoundBy::BtfIdsSymbols,
            });
        }
        let mut names: Vec<String> = entries.iter().filter_map(|e| e.set.clone()).collect();
        names.sort();
        names.dedup();
        kfuncs.push(BtfKfunc {
            name: func.name()?.to_string(),
            btf_id: id,
            prototype,
            params,
            module: img.module.clone(),
            fastcall: fastcall.contains(&id),
            flags: (!entries.is_empty()).then(|| entries.iter().fold(0, |a, e| a | e.flags)),
            sets: names,
            entries,
            found_by,
            impl_func: None,
        });
    }
    impl_funcs(btf, &mut printer, &mut kfuncs)?;
    kfuncs.sort_by(|a, b| (&a.name, a.btf_id).cmp(&(&b.name, b.btf_id)));
    Ok(KfuncReport {
        kfuncs,
        sets,
        flags_source,
        findings,
    })
}

fn btf_params(printer: &mut Printer<'_>, proto: &Type<'_>) -> Result<Vec<BtfParam>> {
    proto
        .params()
        .map(|p| {
            Ok(BtfParam {
                name: p.name()?.to_string(),
                type_id: p.type_id,
                ty: match p.type_id {
                    0 => "...".to_string(),
                    t => printer.declaration(t, "")?,
                },
            })
        })
        .collect()
}

/// Fills [`BtfKfunc::impl_func`]: the FUNCs of this BTF (not its base's:
/// `resolve_btfids` rewrites each object's own) named `<kfunc>_impl`.
fn impl_funcs(btf: &Btf, printer: &mut Printer<'_>, kfuncs: &mut [BtfKfunc]) -> Result<()> {
    let by_name: FxHashMap<Vec<u8>, usize> = kfuncs
        .iter()
        .enumerate()
        .map(|(i, k)| (k.name.as_bytes().to_vec(), i))
        .collect();
    for t in btf.own_types() {
        if t.kind() != Kind::Func {
            continue;
        }
        let Some(base) = btf
            .str_bytes(t.name_off())
            .and_then(|n| n.strip_suffix(b"_impl"))
        else {
            continue;
        };
        let Some(&i) = by_name.get(base) else {
            continue;
        };
        if kfuncs[i].impl_func.is_some() {
            continue;
        }
        let name = t.name()?;
        let proto = btf.get(t.type_id())?;
        kfuncs[i].impl_func = Some(ImplFunc {
            btf_id: t.id(),
            prototype: printer.function(t.type_id(), name)?,
            params: btf_params(printer, &proto)?,
        });
    }
    Ok(())
}

/// FUNCs with a `bpf_kfunc` decl tag (`component_idx == -1`) in tag
/// order, and those with a `bpf_fastcall` tag.
fn decl_tagged<'a>(types: impl IntoIterator<Item = Type<'a>>) -> Result<(Vec<u32>, HashSet<u32>)> {
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    let mut fastcall = HashSet::new();
    for t in types {
        if t.kind() != Kind::DeclTag || t.component_idx() != Some(-1) {
            continue;
        }
        let name = t.name()?;
        if name != "bpf_kfunc" && name != "bpf_fastcall" {
            continue;
        }
        let target = t.type_id();
        if t.btf().get(target)?.kind() != Kind::Func {
            continue;
        }
        if name == "bpf_fastcall" {
            fastcall.insert(target);
        } else if seen.insert(target) {
            order.push(target);
        }
    }
    Ok((order, fastcall))
}

/// Every `KF_*` bit any kernel defines, for the structural scan's
/// plausibility check. Deliberately not the bits of the image's own
/// version: stable and distribution kernels backport flags.
fn kf_mask() -> u32 {
    FLAGS
        .iter()
        .fold(0, |m, f| m | 1u32.checked_shl(f.bit as u32).unwrap_or(0))
}

/// The prototypes of the FUNCs `ids`, printed in that order.
///
/// First with fresh name tables, recording every name libbpf would count.
/// If all of them are unique in their namespace across the whole BTF, no
/// amount of dumping beforehand could have renamed them and the result is
/// final. Otherwise (or if an enum body was printed, whose enumerators
/// libbpf counts each time) bpftool's dump is replayed first.
pub fn prototypes(btf: &Btf, ids: &[u32]) -> Result<Vec<String>> {
    let mut p = Printer::new(btf);
    p.names.used = Some(Vec::new());
    let first = print_all(&mut p, ids)?;
    let until = match ambiguous(btf, &p)? {
        Ambiguity::None => return Ok(first),
        Ambiguity::Types(ids) => Some(ids),
        Ambiguity::Enumerators => None,
    };
    let mut p = Printer::new(btf);
    if let Some(until) = &until {
        // Only these names can come out renamed; counting no others makes
        // the replay cheaper and changes nothing that is printed.
        let names = until
            .iter()
            .map(|&id| btf.get(id)?.name())
            .collect::<Result<_>>()?;
        p.names.only = Some(names);
    }
    cdump::replay(&mut p, until.as_deref())?;
    p.names.only = None;
    if until.is_none() {
        // For split BTF bpftool prints the base's kfuncs first, and their
        // enum bodies count too.
        if let Some(base) = btf.base() {
            let (before, _) = decl_tagged(base.all_types().filter(|t| t.kind() == Kind::DeclTag))?;
            p.on = false;
            print_all(&mut p, &before)?;
            p.on = true;
        }
    }
    print_all(&mut p, ids)
}

fn print_all(p: &mut Printer<'_>, ids: &[u32]) -> Result<Vec<String>> {
    ids.iter()
        .map(|&id| {
            let func = p.btf.get(id)?;
            if func.kind() != Kind::Func {
                return Err(BtfError::WrongKind {
                    type_id: id,
                    expected: "func",
                    found: func.kind().name(),
                });
            }
            p.function(func.type_id(), func.name()?)
        })
        .collect()
}

enum Ambiguity {
    /// Every name used is unique: the first printing is final.
    None,
    /// These types share names with others: replay until they are named.
    Types(Vec<u32>),
    /// An enum body was printed: replay everything.
    Enumerators,
}

/// Which types whose names the prototypes used share that name with other
/// types. Over-counts on purpose (every int, every enumerator), which only
/// costs a replay that was not needed.
fn ambiguous(btf: &Btf, p: &Printer<'_>) -> Result<Ambiguity> {
    if p.names.enumerators {
        return Ok(Ambiguity::Enumerators);
    }
    let used = p.names.used.as_deref().unwrap_or(&[]);
    if used.is_empty() {
        return Ok(Ambiguity::None);
    }
    // name → (used in namespace?, types libbpf would count there, and
    // whether enumerators share the typedef namespace's name).
    #[derive(Default)]
    struct Seen {
        used: [bool; 2],
        ids: [Vec<u32>; 2],
        enumerator: bool,
    }
    let mut seen: FxHashMap<&[u8], Seen> = FxHashMap::default();
    for &(ns, name) in used {
        seen.entry(name.as_bytes()).or_default().used[ns as usize] = true;
    }
    fn name<'a>(t: &Type<'a>, off: u32) -> Result<&'a [u8]> {
        t.btf().str_bytes(off).ok_or(BtfError::BadString {
            offset: t.offset(),
            type_id: Some(t.id()),
            name_off: off,
            reason: "is past the end of the string section",
        })
    }
    for t in btf.all_types() {
        let ns = match t.kind() {
            Kind::Struct | Kind::Union | Kind::Enum | Kind::Enum64 | Kind::Int => Some(Ns::Type),
            Kind::Typedef => Some(Ns::Ident),
            _ => None,
        };
        if let Some(ns) = ns.filter(|_| t.name_off() != 0)
            && let Some(e) = seen.get_mut(name(&t, t.name_off())?)
        {
            e.ids[ns as usize].push(t.id());
        }
        for v in t.enum_values() {
            if let Some(e) = seen.get_mut(name(&t, v.name_off)?) {
                e.enumerator = true;
            }
        }
    }
    let mut ids = Vec::new();
    for e in seen.into_values() {
        let [types, idents] = e.ids;
        if e.used[Ns::Type as usize] && types.len() > 1 {
            ids.extend(types);
        }
        if e.used[Ns::Ident as usize] && (idents.len() > 1 || e.enumerator) {
            ids.extend(idents);
        }
    }
    ids.sort_unstable();
    Ok(if ids.is_empty() {
        Ambiguity::None
    } else {
        Ambiguity::Types(ids)
    })
}
