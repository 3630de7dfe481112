//! Relocating a module built against a distilled `.BTF.base` onto the real
//! vmlinux BTF.
//!
//! Out-of-tree modules (Linux 6.11+, pahole ≥ 1.28, `KBUILD_EXTMOD`) carry a
//! `.BTF.base` section: a minimal standalone BTF holding only the named base
//! types the module refers to, in its own numbering. The module's `.BTF` is
//! split on that distilled base. Before ids and names line up with the
//! running kernel, each distilled type must be matched to a type of the real
//! base by name and kind, which is what the kernel and libbpf do in
//! `btf_relocate.c` (Alan Maguire, 2024; `Documentation/bpf/btf.rst`,
//! "BTF relocation"). The rules below follow that file's semantics:
//!
//! * INT, FLOAT and ENUM match on name, kind and size (a distilled ENUM also
//!   matches a base ENUM64 of the same size); INT also on encoding;
//! * FWD matches a FWD of the same flavour or the struct/union it declares;
//! * STRUCT/UNION match on name and kind, and on size as well when the
//!   module embeds the type (layout matters) or when the base has several
//!   composites of that name;
//! * two base candidates for one distilled type, or none, is an error.
//!
//! This module must not copy or rewrite the module's records: the result is
//! the same bytes viewed through an id map ([`super::types::Btf::map_id`]).

use super::error::{BtfError, Result};
use super::raw::Kind;
use super::types::{Btf, MAX_CHAIN, Remap};
use std::collections::HashMap;
use std::sync::Arc;

/// Views `split` (parsed on `distilled`) as split BTF on `base`.
pub fn relocate(split: &Btf, distilled: &Btf, base: Arc<Btf>) -> Result<Btf> {
    let n = distilled.type_count();
    let embedded = embedded_ids(split, n)?;
    let mut by_name: HashMap<&str, Vec<u32>> = HashMap::new();
    for t in distilled.own_types() {
        by_name.entry(t.name()?).or_default().push(t.id());
    }
    // How many composites share each name in the base: with several, size
    // disambiguates.
    let mut composite_names: HashMap<&str, u32> = HashMap::new();
    for t in base.all_types() {
        if matches!(t.kind(), Kind::Struct | Kind::Union) && t.name_off() != 0 {
            let name = t.name()?;
            if by_name.contains_key(name) {
                *composite_names.entry(name).or_default() += 1;
            }
        }
    }
    let mut map = vec![0u32; n as usize];
    for b in base.all_types() {
        if b.name_off() == 0 {
            continue;
        }
        let name = b.name()?;
        let Some(cands) = by_name.get(name) else {
            continue;
        };
        for &d_id in cands {
            let d = distilled.get(d_id)?;
            let size_ok = b.size() == d.size();
            let ok = match (d.kind(), b.kind()) {
                (Kind::Fwd, Kind::Fwd) => d.kind_flag() == b.kind_flag(),
                // A FWD stands for a struct (kind_flag 0) or a union (1).
                (Kind::Fwd, Kind::Struct) => !d.kind_flag(),
                (Kind::Fwd, Kind::Union) => d.kind_flag(),
                (Kind::Int, Kind::Int) => {
                    size_ok && d.int_info().map(|i| i.0) == b.int_info().map(|i| i.0)
                }
                (Kind::Float, Kind::Float) => size_ok,
                (Kind::Enum, Kind::Enum | Kind::Enum64) | (Kind::Enum64, Kind::Enum64) => size_ok,
                (Kind::Struct, Kind::Struct) | (Kind::Union, Kind::Union) => {
                    let needs_size = embedded.binary_search(&d_id).is_ok()
                        || composite_names.get(name).copied().unwrap_or(0) > 1;
                    !needs_size || size_ok
                }
                _ => false,
            };
            if !ok {
                continue;
            }
            let slot = &mut map[d_id as usize];
            if *slot != 0 {
                return Err(BtfError::BaseMismatch {
                    type_id: d_id,
                    kind: d.kind().name(),
                    name: name.to_string(),
                    reason: "several types of the real base match it",
                });
            }
            *slot = b.id();
        }
    }
    for t in distilled.own_types() {
        if map[t.id() as usize] == 0 {
            return Err(BtfError::BaseMismatch {
                type_id: t.id(),
                kind: t.kind().name(),
                name: t.name()?.to_string(),
                reason: "no type of the real base matches it (wrong vmlinux?)",
            });
        }
    }
    Ok(split.rebased(
        base,
        Remap {
            distilled_count: n,
            map,
        },
    ))
}

/// Distilled ids of structs/unions that a split struct/union embeds (as a
/// member, through modifiers, typedefs and arrays but not pointers).
fn embedded_ids(split: &Btf, distilled_count: u32) -> Result<Vec<u32>> {
    let mut out = Vec::new();
    for t in split.own_types() {
        for m in t.members() {
            let mut id = m.type_id;
            for _ in 0..MAX_CHAIN {
                if id == 0 {
                    break;
                }
                let x = split.get(id)?;
                match x.kind() {
                    Kind::Const
                    | Kind::Volatile
                    | Kind::Restrict
                    | Kind::Typedef
                    | Kind::TypeTag => id = x.type_id(),
                    Kind::Array => id = x.array().map(|a| a.elem).unwrap_or(0),
                    Kind::Struct | Kind::Union => {
                        if id < distilled_count {
                            out.push(id);
                        }
                        break;
                    }
                    _ => break,
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}
