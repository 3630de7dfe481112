//! Replays bpftool's `btf dump ... format c` for its effect on names.
//!
//! libbpf renames a struct, union, enum or typedef whose name another type
//! already used (`foo___2`), and counts enumerators in the typedef
//! namespace every time an enum body is printed. A kfunc prototype printed
//! after the whole dump therefore depends on the order in which bpftool
//! dumped all the types before it. bpftool 7.5 sorts them first
//! (`sort_btf_c` in `tools/bpf/bpftool/btf.c`: by a rank of the kind, a sort
//! name, the own name, a hash of member names, then the id), then for each
//! runs libbpf's topological ordering (`btf_dump_order_type`) and emission
//! (`btf_dump_emit_type`). This module re-implements those three steps with
//! output switched off, so that the [`Printer`]'s name tables end up as
//! bpftool's. It is only needed when a kfunc prototype uses a name that is
//! not unique (see `kfuncs.rs`); it costs a few tens of milliseconds on a
//! vmlinux.
//!
//! One quirk is kept on purpose: bpftool's loop starts at index 1 of the
//! *sorted* array, so the type that sorts first is not dumped at top level.

use super::cdecl::{Ns, Printer};
use super::error::{BtfError, Result};
use super::raw::Kind;
use super::types::{MAX_CHAIN, Type};

const NOT: u8 = 0;
const ING: u8 = 1;
const ED: u8 = 2;
/// A rank libbpf gives to kinds it does not sort specially.
const MAX_RANK: u8 = 10;

/// Replays the dump; afterwards `p` prints kfunc prototypes as bpftool
/// does after its dump. With `until`, the replay stops as soon as every
/// type in it has had its name resolved: their final names are then fixed,
/// and that is all a caller that knows the other names are unique needs.
/// A type cycle that makes bpftool abort its dump ends the replay early.
pub(crate) fn replay(p: &mut Printer<'_>, until: Option<&[u32]>) -> Result<()> {
    let btf = p.btf;
    let n = btf.type_count() as usize;
    let mut s = State {
        referenced: vec![false; n],
        order: vec![NOT; n],
        emit: vec![NOT; n],
        fwd_emitted: vec![false; n],
        queue: Vec::new(),
        depth: 0,
    };
    s.order[0] = ED;
    s.emit[0] = ED;
    let buckets = scan(p, &mut s.referenced)?;
    let was_on = p.on;
    p.on = false;
    let r = s.run(p, until, buckets);
    p.on = was_on;
    r
}

impl State {
    fn run(
        &mut self,
        p: &mut Printer<'_>,
        until: Option<&[u32]>,
        buckets: Vec<Vec<u32>>,
    ) -> Result<()> {
        let mut pending: Vec<u32> = until.map(<[u32]>::to_vec).unwrap_or_default();
        // bpftool skips index 0 of its sorted array.
        let mut skip_first = true;
        for bucket in buckets {
            for id in sort_bucket(p, bucket)? {
                if std::mem::take(&mut skip_first) {
                    continue;
                }
                self.queue.clear();
                match self.order_type(p, id, false) {
                    Ok(_) => {}
                    Err(BtfError::Cycle { .. }) => return Ok(()),
                    Err(e) => return Err(e),
                }
                let queue = std::mem::take(&mut self.queue);
                for &q in &queue {
                    self.emit_type(p, q, 0)?;
                }
                self.queue = queue;
                if until.is_some() {
                    pending.retain(|&id| !p.is_resolved(id));
                    if pending.is_empty() {
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    }
}

/// One pass over all types: marks every type another one refers to
/// (libbpf's `btf_dump_mark_referenced`, which decides whether an
/// anonymous enum is a top-level declaration) and buckets all ids, 0
/// included, by bpftool's rank (0 to [`MAX_RANK`]).
fn scan(p: &Printer<'_>, r: &mut [bool]) -> Result<Vec<Vec<u32>>> {
    let mut buckets = vec![Vec::new(); MAX_RANK as usize + 1];
    buckets[MAX_RANK as usize].push(0);
    for t in p.btf.all_types() {
        let mut mark = |id: u32| {
            if let Some(x) = r.get_mut(id as usize) {
                *x = true;
            }
        };
        match t.kind() {
            Kind::Volatile
            | Kind::Const
            | Kind::Restrict
            | Kind::Ptr
            | Kind::Typedef
            | Kind::Func
            | Kind::Var
            | Kind::DeclTag
            | Kind::TypeTag => mark(t.type_id()),
            Kind::Array => {
                if let Some(a) = t.array() {
                    mark(a.index);
                    mark(a.elem);
                }
            }
            Kind::Struct | Kind::Union => t.members().for_each(|m| mark(m.type_id)),
            Kind::FuncProto => t.params().for_each(|m| mark(m.type_id)),
            Kind::Datasec => t.datasec_vars().for_each(|v| mark(v.0)),
            _ => {}
        }
        let rank = rank(&t, false, 0)?;
        buckets[rank.min(MAX_RANK) as usize].push(t.id());
    }
    Ok(buckets)
}

/// One rank's ids in bpftool's `sort_btf_c` order: by sort name, own
/// name, then (only among ties, where it matters) the member-name hash,
/// then id.
fn sort_bucket(p: &Printer<'_>, ids: Vec<u32>) -> Result<Vec<u32>> {
    let btf = p.btf;
    let mut keys = Vec::with_capacity(ids.len());
    for id in ids {
        let t = btf.get(id)?;
        keys.push((sort_name(&t, false, 0)?, t.name()?, 0u64, id));
    }
    keys.sort_unstable_by(|a, b| (a.0, a.1, a.3).cmp(&(b.0, b.1, b.3)));
    let mut i = 0;
    while i < keys.len() {
        let mut j = i + 1;
        while j < keys.len() && keys[j].0 == keys[i].0 && keys[j].1 == keys[i].1 {
            j += 1;
        }
        if j - i > 1 {
            for k in &mut keys[i..j] {
                k.2 = disambig_hash(&btf.get(k.3)?, true, 0)?;
            }
            keys[i..j].sort_unstable_by_key(|k| (k.2, k.3));
        }
        i = j;
    }
    Ok(keys.into_iter().map(|k| k.3).collect())
}

fn too_deep(t: &Type<'_>, depth: usize) -> Result<()> {
    if depth > MAX_CHAIN {
        return Err(BtfError::Cycle {
            type_id: t.id(),
            depth,
        });
    }
    Ok(())
}

fn next<'a>(t: &Type<'a>, id: u32) -> Result<Type<'a>> {
    t.btf().get(id).or_else(|_| t.btf().get(0))
}

fn rank(t: &Type<'_>, mut has_name: bool, depth: usize) -> Result<u8> {
    too_deep(t, depth)?;
    has_name |= t.name_off() != 0;
    Ok(match t.kind() {
        Kind::Enum | Kind::Enum64 => u8::from(has_name),
        Kind::Int | Kind::Float => 2,
        Kind::Struct | Kind::Union => {
            if has_name {
                3
            } else {
                MAX_RANK
            }
        }
        Kind::FuncProto => {
            if has_name {
                4
            } else {
                MAX_RANK
            }
        }
        Kind::Array if has_name => {
            let elem = t.array().map(|a| a.elem).unwrap_or(0);
            rank(&next(t, elem)?, has_name, depth + 1)?
        }
        Kind::TypeTag
        | Kind::Const
        | Kind::Ptr
        | Kind::Volatile
        | Kind::Restrict
        | Kind::Typedef
        | Kind::DeclTag
            if has_name =>
        {
            rank(&next(t, t.type_id())?, has_name, depth + 1)?
        }
        _ => MAX_RANK,
    })
}

fn sort_name<'a>(t: &Type<'a>, from_ref: bool, depth: usize) -> Result<&'a str> {
    too_deep(t, depth)?;
    match t.kind() {
        Kind::Enum | Kind::Enum64 => {
            if !from_ref
                && t.name_off() == 0
                && let Some(v) = t.enum_values().next()
            {
                return v.name();
            }
            t.name()
        }
        Kind::Array => {
            let elem = t.array().map(|a| a.elem).unwrap_or(0);
            sort_name(&next(t, elem)?, true, depth + 1)
        }
        Kind::TypeTag
        | Kind::Const
        | Kind::Ptr
        | Kind::Volatile
        | Kind::Restrict
        | Kind::Typedef
        | Kind::DeclTag => sort_name(&next(t, t.type_id())?, true, depth + 1),
        _ => t.name(),
    }
}

fn hasher(h: u64, v: u64) -> u64 {
    h.wrapping_mul(31).wrapping_add(v)
}

/// libbpf's `str_hash`: over C `char`, which is signed on x86.
fn str_hash(s: &str) -> u64 {
    s.bytes()
        .fold(0u64, |h, b| hasher(h, b as i8 as i64 as u64))
}

fn name_hash(h: u64, t: &Type<'_>, name_off: u32) -> Result<u64> {
    if name_off == 0 {
        return Ok(h);
    }
    let s = t.btf().str_at(name_off).unwrap_or("");
    Ok(hasher(h, str_hash(s)))
}

fn disambig_hash(t: &Type<'_>, members: bool, depth: usize) -> Result<u64> {
    too_deep(t, depth)?;
    let mut h = name_hash(0, t, t.name_off())?;
    match t.kind() {
        Kind::Enum | Kind::Enum64 => {
            for v in t.enum_values() {
                h = name_hash(h, t, v.name_off)?;
            }
        }
        Kind::Struct | Kind::Union if members => {
            for m in t.members() {
                h = name_hash(h, t, m.name_off)?;
                h = hasher(h, disambig_hash(&next(t, m.type_id)?, false, depth + 1)?);
            }
        }
        Kind::TypeTag
        | Kind::Const
        | Kind::Ptr
        | Kind::Volatile
        | Kind::Restrict
        | Kind::Typedef
        | Kind::DeclTag => {
            h = hasher(
                h,
                disambig_hash(&next(t, t.type_id())?, members, depth + 1)?,
            );
        }
        Kind::Array => {
            let a = t.array().map(|a| (a.nelems, a.elem)).unwrap_or((0, 0));
            h = hasher(h, a.0 as u64);
            h = hasher(h, disambig_hash(&next(t, a.1)?, members, depth + 1)?);
        }
        _ => {}
    }
    Ok(h)
}

struct State {
    referenced: Vec<bool>,
    order: Vec<u8>,
    emit: Vec<u8>,
    fwd_emitted: Vec<bool>,
    queue: Vec<u32>,
    depth: usize,
}

fn blacklisted(t: &Type<'_>) -> bool {
    t.name_off() != 0 && t.name().is_ok_and(|n| n == "__builtin_va_list")
}

impl State {
    fn guard(&mut self, id: u32) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_CHAIN {
            return Err(BtfError::Cycle {
                type_id: id,
                depth: self.depth,
            });
        }
        Ok(())
    }

    /// libbpf's `btf_dump_order_type`: 1 for a strong link, 0 for weak.
    fn order_type(&mut self, p: &mut Printer<'_>, id: u32, through_ptr: bool) -> Result<u8> {
        self.guard(id)?;
        let r = self.order_inner(p, id, through_ptr);
        self.depth -= 1;
        r
    }

    fn order_inner(&mut self, p: &mut Printer<'_>, id: u32, through_ptr: bool) -> Result<u8> {
        let i = id as usize;
        if self.order[i] == ED {
            return Ok(1);
        }
        let t = p.btf.get(id)?;
        let named = t.name_off() != 0;
        if self.order[i] == ING {
            if matches!(t.kind(), Kind::Struct | Kind::Union) && through_ptr && named {
                return Ok(0);
            }
            // bpftool aborts its dump here ("unsatisfiable type cycle").
            return Err(BtfError::Cycle {
                type_id: id,
                depth: self.depth,
            });
        }
        Ok(match t.kind() {
            Kind::Int | Kind::Float => {
                self.order[i] = ED;
                0
            }
            Kind::Ptr => {
                let r = self.order_type(p, t.type_id(), true)?;
                self.order[i] = ED;
                r
            }
            Kind::Array => {
                let elem = t.array().map(|a| a.elem).unwrap_or(0);
                self.order_type(p, elem, false)?
            }
            Kind::Struct | Kind::Union => {
                if through_ptr && named {
                    return Ok(0);
                }
                self.order[i] = ING;
                for m in t.members() {
                    self.order_type(p, m.type_id, false)?;
                }
                if named {
                    self.queue.push(id);
                }
                self.order[i] = ED;
                1
            }
            Kind::Enum | Kind::Enum64 | Kind::Fwd => {
                if named || !self.referenced[i] {
                    self.queue.push(id);
                }
                self.order[i] = ED;
                1
            }
            Kind::Typedef => {
                let strong = self.order_type(p, t.type_id(), through_ptr)?;
                if through_ptr && strong == 0 {
                    return Ok(0);
                }
                self.queue.push(id);
                self.order[i] = ED;
                1
            }
            Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag => {
                self.order_type(p, t.type_id(), through_ptr)?
            }
            Kind::FuncProto => {
                let mut strong = self.order_type(p, t.type_id(), through_ptr)?;
                for prm in t.params() {
                    strong |= self.order_type(p, prm.type_id, through_ptr)?;
                }
                strong
            }
            _ => {
                self.order[i] = ED;
                0
            }
        })
    }

    /// libbpf's `btf_dump_emit_type`, for its naming side effects.
    fn emit_type(&mut self, p: &mut Printer<'_>, id: u32, cont_id: u32) -> Result<()> {
        self.guard(id)?;
        let r = self.emit_inner(p, id, cont_id);
        self.depth -= 1;
        r
    }

    fn emit_inner(&mut self, p: &mut Printer<'_>, id: u32, cont_id: u32) -> Result<()> {
        let i = id as usize;
        let top = cont_id == 0;
        if self.emit[i] == ED {
            return Ok(());
        }
        let t = p.btf.get(id)?;
        if self.emit[i] == ING {
            if self.fwd_emitted[i] {
                return Ok(());
            }
            match t.kind() {
                Kind::Struct | Kind::Union => {
                    if id == cont_id || t.name_off() == 0 {
                        return Ok(());
                    }
                    p.struct_fwd(&t)?;
                    self.fwd_emitted[i] = true;
                }
                Kind::Typedef => {
                    if !blacklisted(&t) {
                        p.typedef_def(&t, 0)?;
                    }
                    self.fwd_emitted[i] = true;
                }
                _ => {}
            }
            return Ok(());
        }
        match t.kind() {
            Kind::Int => {
                // `btf_dump_emit_missing_aliases` resolves every int's name.
                p.resolve_name(&t, Ns::Type)?;
                self.emit[i] = ED;
            }
            Kind::Enum | Kind::Enum64 => {
                if top {
                    p.enum_def(&t, 0)?;
                }
                self.emit[i] = ED;
            }
            Kind::Ptr | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag => {
                self.emit_type(p, t.type_id(), cont_id)?;
            }
            Kind::Array => {
                let elem = t.array().map(|a| a.elem).unwrap_or(0);
                self.emit_type(p, elem, cont_id)?;
            }
            Kind::Fwd => {
                p.fwd_def(&t)?;
                self.emit[i] = ED;
            }
            Kind::Typedef => {
                self.emit[i] = ING;
                self.emit_type(p, t.type_id(), id)?;
                if !self.fwd_emitted[i] && !blacklisted(&t) {
                    p.typedef_def(&t, 0)?;
                }
                self.emit[i] = ED;
            }
            Kind::Struct | Kind::Union => {
                self.emit[i] = ING;
                let anon = t.name_off() == 0;
                if top || anon {
                    let new_cont = if anon { cont_id } else { id };
                    for m in t.members() {
                        self.emit_type(p, m.type_id, new_cont)?;
                    }
                } else if !self.fwd_emitted[i] && id != cont_id {
                    p.struct_fwd(&t)?;
                    self.fwd_emitted[i] = true;
                }
                if top {
                    p.struct_def(&t, 0)?;
                    self.emit[i] = ED;
                } else {
                    self.emit[i] = NOT;
                }
            }
            Kind::FuncProto => {
                self.emit_type(p, t.type_id(), cont_id)?;
                for prm in t.params() {
                    self.emit_type(p, prm.type_id, cont_id)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
