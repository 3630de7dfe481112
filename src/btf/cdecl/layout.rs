//! Struct layout as libbpf computes it for printing: pointer size, type
//! alignment and size, `packed` detection and explicit padding members.
//!
//! Only the text of inline anonymous structs depends on this (`long: 64;`
//! fillers, `__attribute__((packed))`); nothing here resolves names.
//! Mirrors `btf__pointer_size`, `btf__align_of`, `btf__resolve_size`,
//! `btf_is_struct_packed` and `btf_dump_emit_bit_padding` of libbpf v1.5.

use super::{Printer, pfx};
use crate::btf::error::{BtfError, Result};
use crate::btf::raw::Kind;
use crate::btf::types::{MAX_CHAIN, Type};

impl<'a> Printer<'a> {
    /// libbpf's `btf_dump_emit_bit_padding`: explicit `<type>: N;` fillers
    /// where natural alignment would not reproduce the layout.
    pub(super) fn bit_padding(
        &mut self,
        mut cur: i64,
        next: i64,
        next_align: i64,
        in_bitfield: bool,
        lvl: usize,
    ) -> Result<()> {
        if cur >= next {
            return Ok(());
        }
        let ptr_bits = self.ptr_size()? as i64 * 8;
        let pads: [(&str, i64); 4] = [("long", ptr_bits), ("int", 32), ("short", 16), ("char", 8)];
        let roundup = |x: i64, y: i64| if y > 0 { (x + y - 1) / y * y } else { x };
        let (mut pad_type, mut pad_bits, mut new_off) = ("char", 8, 0);
        for (name, bits) in pads {
            pad_type = name;
            pad_bits = bits;
            new_off = roundup(cur, bits);
            if new_off <= next {
                break;
            }
        }
        if new_off > cur && new_off <= next {
            if in_bitfield
                || (new_off == next && roundup(cur, next_align * 8) != new_off)
                || (new_off != next && next - new_off <= new_off - cur)
            {
                let n = if in_bitfield { new_off - cur } else { 0 };
                self.wf(format_args!("\n{}{pad_type}: {n};", pfx(lvl)));
            }
            cur = new_off;
        }
        while cur != next {
            let bits = (next - cur).min(pad_bits);
            if bits == pad_bits {
                self.wf(format_args!("\n{}{pad_type}: {pad_bits};", pfx(lvl)));
                cur += bits;
                continue;
            }
            // The remainder: the smallest type that holds it.
            let mut done = false;
            for (name, b) in pads.iter().rev() {
                if *b < bits {
                    continue;
                }
                pad_type = name;
                pad_bits = *b;
                self.wf(format_args!("\n{}{name}: {bits};", pfx(lvl)));
                cur += bits;
                done = true;
                break;
            }
            if !done {
                break;
            }
        }
        Ok(())
    }

    /// libbpf's `btf__pointer_size` guess: the size of an integer type
    /// called `long` (in any spelling), else the host's 8.
    pub(super) fn ptr_size(&mut self) -> Result<u32> {
        if let Some(p) = self.ptr_sz {
            return Ok(p);
        }
        const LONGS: [&str; 11] = [
            "long",
            "long int",
            "int long",
            "unsigned long",
            "long unsigned",
            "unsigned long int",
            "unsigned int long",
            "long unsigned int",
            "long int unsigned",
            "int unsigned long",
            "int long unsigned",
        ];
        let mut size = 8;
        for t in self.btf.all_types() {
            if t.kind() == Kind::Int
                && (t.size() == 4 || t.size() == 8)
                && LONGS.contains(&t.name()?)
            {
                size = t.size();
                break;
            }
        }
        self.ptr_sz = Some(size);
        Ok(size)
    }

    /// libbpf's `btf__align_of` (0 for types without an alignment).
    pub(super) fn align_of(&mut self, id: u32, depth: usize) -> Result<u32> {
        if depth > MAX_CHAIN {
            return Err(BtfError::Cycle { type_id: id, depth });
        }
        let t = self.get(id)?;
        Ok(match t.kind() {
            Kind::Int | Kind::Enum | Kind::Enum64 | Kind::Float => self.ptr_size()?.min(t.size()),
            Kind::Ptr => self.ptr_size()?,
            Kind::Typedef | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag => {
                self.align_of(t.type_id(), depth + 1)?
            }
            Kind::Array => self.align_of(t.array().map(|a| a.elem).unwrap_or(0), depth + 1)?,
            Kind::Struct | Kind::Union => {
                let mut max = 1;
                for m in t.members() {
                    let a = self.align_of(m.type_id, depth + 1)?;
                    if a == 0 {
                        return Ok(0);
                    }
                    max = max.max(a);
                    if m.bitfield_size == 0 && m.bit_offset % (8 * a) != 0 {
                        return Ok(1);
                    }
                }
                if t.size() % max != 0 { 1 } else { max }
            }
            _ => 0,
        })
    }

    /// libbpf's `btf_is_struct_packed`.
    pub(super) fn is_packed(&mut self, t: &Type<'a>) -> Result<bool> {
        let mut max = 1;
        for m in t.members() {
            let a = self.align_of(m.type_id, 0)?;
            if a != 0 && m.bitfield_size == 0 && m.bit_offset % (8 * a) != 0 {
                return Ok(true);
            }
            max = max.max(a);
        }
        Ok(!t.size().is_multiple_of(max))
    }

    /// libbpf's `btf__resolve_size`; negative when it has none.
    pub(super) fn resolve_size(&mut self, mut id: u32) -> i64 {
        let mut nelems: u64 = 1;
        for _ in 0..32 {
            let Ok(t) = self.get(id) else { return -1 };
            match t.kind() {
                Kind::Void | Kind::Fwd => return -1,
                Kind::Int
                | Kind::Struct
                | Kind::Union
                | Kind::Enum
                | Kind::Enum64
                | Kind::Datasec
                | Kind::Float => return (nelems * t.size() as u64).min(u32::MAX as u64) as i64,
                Kind::Ptr => {
                    let p = self.ptr_size().unwrap_or(8) as u64;
                    return (nelems * p).min(u32::MAX as u64) as i64;
                }
                Kind::Typedef
                | Kind::Volatile
                | Kind::Const
                | Kind::Restrict
                | Kind::Var
                | Kind::DeclTag
                | Kind::TypeTag => id = t.type_id(),
                Kind::Array => {
                    let a = t.array().map(|a| (a.nelems, a.elem)).unwrap_or((0, 0));
                    nelems = nelems.saturating_mul(a.0 as u64);
                    if nelems > u32::MAX as u64 {
                        return -1;
                    }
                    id = a.1;
                }
                _ => return -1,
            }
        }
        -1
    }
}
