//! C declarations from BTF, byte for byte as libbpf's `btf_dump` writes them.
//!
//! bpftool's `btf dump ... format c` prints each kfunc as
//! `extern <decl> __weak __ksym;`, where `<decl>` comes from
//! `btf_dump__emit_type_decl(func_proto, name)` in libbpf's `btf_dump.c`.
//! [`Printer`] re-implements that function's observable behaviour (the
//! algorithm was studied in libbpf v1.5 as bundled with Linux 6.12; no code
//! was copied):
//!
//! * a declaration is built by pushing the chain of types from the outside
//!   in (pointers, modifiers, arrays, prototypes) until a "terminal" type
//!   (int, struct, typedef...), then emitting it from the inside out;
//! * `const`/`volatile`/`restrict` print before a terminal type but after a
//!   pointer's `*`; modifiers of arrays and function prototypes are dropped
//!   (GCC adds them spuriously);
//! * anonymous structs, unions and enums are printed inline, members
//!   indented with tabs, with libbpf's explicit padding and `packed` logic;
//! * type tags print as `__attribute__((btf_type_tag("...")))`;
//! * names that several types share get `___2`, `___3`... in the order
//!   libbpf first resolved them. Typedefs share a namespace with
//!   enumerators, which count every time an enum body is printed.
//!
//! The last point makes output depend on everything bpftool printed before
//! the kfunc block; `cdump.rs` replays that. This module must not print
//! anything itself or follow references without the depth guard.

use super::error::{BtfError, Result};
use super::raw::Kind;
use super::types::{Btf, MAX_CHAIN, Type};
use crate::btf::fxhash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::fmt::Write as _;

mod layout;

/// Nesting deeper than this (declarations inside anonymous types inside
/// declarations...) is treated as a reference cycle.
const MAX_NESTING: usize = 256;

/// Which name table a name is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Ns {
    /// struct/union/enum tags (and int names, which libbpf counts there).
    Type = 0,
    /// typedef names and enumerators.
    Ident = 1,
}

/// libbpf's per-dump name state.
#[derive(Default)]
pub(crate) struct Names<'a> {
    resolved: Vec<bool>,
    renamed: FxHashMap<u32, String>,
    type_names: FxHashMap<&'a str, usize>,
    ident_names: FxHashMap<&'a str, usize>,
    /// Every counted name, when recording for the ambiguity check.
    pub(crate) used: Option<Vec<(Ns, &'a str)>>,
    /// An enum body was printed (its enumerators were counted).
    pub(crate) enumerators: bool,
    /// Count only these names (all when `None`); others resolve to
    /// themselves. For replays whose only purpose is to fix these names.
    pub(crate) only: Option<FxHashSet<&'a str>>,
}

impl<'a> Names<'a> {
    fn count(&mut self, ns: Ns, name: &'a str) -> usize {
        if self.only.as_ref().is_some_and(|o| !o.contains(name)) {
            return 1;
        }
        if let Some(u) = &mut self.used {
            u.push((ns, name));
        }
        let map = match ns {
            Ns::Type => &mut self.type_names,
            Ns::Ident => &mut self.ident_names,
        };
        let c = map.entry(name).or_insert(0);
        *c += 1;
        *c
    }
}

/// Emits C declarations for one BTF (with its base).
pub struct Printer<'a> {
    pub(crate) btf: &'a Btf,
    out: String,
    /// Writing is off while replaying bpftool's dump for its side effects.
    pub(crate) on: bool,
    pub(crate) names: Names<'a>,
    ptr_sz: Option<u32>,
    depth: usize,
}

fn pfx(lvl: usize) -> &'static str {
    const TABS: &str = "\t\t\t\t\t\t\t\t\t\t\t\t\t";
    &TABS[..lvl.min(TABS.len())]
}

impl<'a> Printer<'a> {
    /// A printer with fresh name tables.
    pub fn new(btf: &'a Btf) -> Printer<'a> {
        Printer {
            btf,
            out: String::new(),
            on: true,
            names: Names {
                resolved: vec![false; btf.type_count() as usize],
                ..Names::default()
            },
            ptr_sz: None,
            depth: 0,
        }
    }

    /// `<decl>` for a function called `name` with prototype `proto`, as in
    /// bpftool's kfunc externs.
    pub fn function(&mut self, proto: u32, name: &str) -> Result<String> {
        self.out.clear();
        self.decl(proto, name, 0)?;
        Ok(std::mem::take(&mut self.out))
    }

    /// A declaration of `id` named `fname` (empty for an abstract one).
    pub fn declaration(&mut self, id: u32, fname: &str) -> Result<String> {
        self.out.clear();
        self.decl(id, fname, 0)?;
        Ok(std::mem::take(&mut self.out))
    }

    /// Whether libbpf has resolved (and so fixed) the name of `id`.
    pub(crate) fn is_resolved(&self, id: u32) -> bool {
        self.names
            .resolved
            .get(id as usize)
            .copied()
            .unwrap_or(false)
    }

    pub(crate) fn w(&mut self, s: &str) {
        if self.on {
            self.out.push_str(s);
        }
    }

    fn wf(&mut self, args: std::fmt::Arguments<'_>) {
        if self.on {
            let _ = self.out.write_fmt(args);
        }
    }

    fn get(&self, id: u32) -> Result<Type<'a>> {
        self.btf.get(id)
    }

    fn enter(&mut self, id: u32) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(BtfError::Cycle {
                type_id: id,
                depth: MAX_NESTING,
            });
        }
        Ok(())
    }

    /// libbpf's `btf_dump_resolve_name`.
    pub(crate) fn resolve_name(&mut self, t: &Type<'a>, ns: Ns) -> Result<Cow<'a, str>> {
        if t.name_off() == 0 {
            return Ok(Cow::Borrowed(""));
        }
        let orig = t.name()?;
        let id = t.id() as usize;
        if self.names.resolved.get(id).copied().unwrap_or(false) {
            return Ok(match self.names.renamed.get(&t.id()) {
                Some(n) => Cow::Owned(n.clone()),
                None => Cow::Borrowed(orig),
            });
        }
        if let Some(r) = self.names.resolved.get_mut(id) {
            *r = true;
        }
        if t.kind() == Kind::Fwd || (t.kind() == Kind::Enum && t.vlen() == 0) {
            return Ok(Cow::Borrowed(orig));
        }
        let dups = self.names.count(ns, orig);
        if dups > 1 {
            let n = format!("{orig}___{dups}");
            self.names.renamed.insert(t.id(), n.clone());
            return Ok(Cow::Owned(n));
        }
        Ok(Cow::Borrowed(orig))
    }

    /// libbpf's `btf_dump_emit_type_decl`.
    pub(crate) fn decl(&mut self, mut id: u32, fname: &str, lvl: usize) -> Result<()> {
        let mut stack: Vec<u32> = Vec::with_capacity(8);
        loop {
            stack.push(id);
            if stack.len() > MAX_CHAIN {
                return Err(BtfError::Cycle {
                    type_id: id,
                    depth: MAX_CHAIN,
                });
            }
            if id == 0 {
                break;
            }
            let t = self.get(id)?;
            match t.kind() {
                Kind::Ptr
                | Kind::Volatile
                | Kind::Const
                | Kind::Restrict
                | Kind::FuncProto
                | Kind::TypeTag => id = t.type_id(),
                Kind::Array => id = t.array().map(|a| a.elem).unwrap_or(0),
                // Terminal types, and kinds that cannot appear in a
                // declaration (libbpf warns and stops there).
                _ => break,
            }
        }
        let mut cnt = stack.len();
        self.enter(id)?;
        let r = self.chain(&stack, &mut cnt, fname, lvl);
        self.depth -= 1;
        r
    }

    /// Prints the prefix qualifiers at the top of the stack.
    fn emit_mods(&mut self, stack: &[u32], cnt: &mut usize) -> Result<()> {
        while *cnt > 0 {
            let t = self.get(stack[*cnt - 1])?;
            let s = match t.kind() {
                Kind::Volatile => "volatile ",
                Kind::Const => "const ",
                Kind::Restrict => "restrict ",
                _ => return Ok(()),
            };
            self.w(s);
            *cnt -= 1;
        }
        Ok(())
    }

    fn drop_mods(&mut self, stack: &[u32], cnt: &mut usize) -> Result<()> {
        while *cnt > 0 && self.get(stack[*cnt - 1])?.kind().is_modifier() {
            *cnt -= 1;
        }
        Ok(())
    }

    fn emit_name(&mut self, name: &str, last_was_ptr: bool) {
        if !name.is_empty() && !last_was_ptr {
            self.w(" ");
        }
        self.w(name);
    }

    /// libbpf's `btf_dump_emit_type_chain`.
    fn chain(&mut self, stack: &[u32], cnt: &mut usize, fname: &str, lvl: usize) -> Result<()> {
        let mut last_was_ptr = true;
        while *cnt > 0 {
            *cnt -= 1;
            let id = stack[*cnt];
            if id == 0 {
                self.emit_mods(stack, cnt)?;
                self.w("void");
                last_was_ptr = false;
                continue;
            }
            let t = self.get(id)?;
            match t.kind() {
                Kind::Int | Kind::Float => {
                    self.emit_mods(stack, cnt)?;
                    let name = t.name()?;
                    self.w(name);
                }
                Kind::Struct | Kind::Union => {
                    self.emit_mods(stack, cnt)?;
                    if t.name_off() == 0 {
                        self.struct_def(&t, lvl)?;
                    } else {
                        self.struct_fwd(&t)?;
                    }
                }
                Kind::Enum | Kind::Enum64 => {
                    self.emit_mods(stack, cnt)?;
                    if t.name_off() == 0 {
                        self.enum_def(&t, lvl)?;
                    } else {
                        self.enum_fwd(&t)?;
                    }
                }
                Kind::Fwd => {
                    self.emit_mods(stack, cnt)?;
                    self.fwd_def(&t)?;
                }
                Kind::Typedef => {
                    self.emit_mods(stack, cnt)?;
                    let name = self.resolve_name(&t, Ns::Ident)?;
                    self.w(&name);
                }
                Kind::Ptr => self.w(if last_was_ptr { "*" } else { " *" }),
                Kind::Volatile => self.w(" volatile"),
                Kind::Const => self.w(" const"),
                Kind::Restrict => self.w(" restrict"),
                Kind::TypeTag => {
                    self.emit_mods(stack, cnt)?;
                    let name = t.name()?;
                    self.wf(format_args!(" __attribute__((btf_type_tag(\"{name}\")))"));
                }
                Kind::Array => {
                    let nelems = t.array().map(|a| a.nelems).unwrap_or(0);
                    self.drop_mods(stack, cnt)?;
                    if *cnt == 0 {
                        self.emit_name(fname, last_was_ptr);
                        self.wf(format_args!("[{nelems}]"));
                        return Ok(());
                    }
                    let multidim = self.get(stack[*cnt - 1])?.kind() == Kind::Array;
                    if !fname.is_empty() && !last_was_ptr {
                        self.w(" ");
                    }
                    if !multidim {
                        self.w("(");
                    }
                    self.chain(stack, cnt, fname, lvl)?;
                    if !multidim {
                        self.w(")");
                    }
                    self.wf(format_args!("[{nelems}]"));
                    return Ok(());
                }
                Kind::FuncProto => {
                    self.drop_mods(stack, cnt)?;
                    if *cnt > 0 {
                        self.w(" (");
                        self.chain(stack, cnt, fname, lvl)?;
                        self.w(")");
                    } else {
                        self.emit_name(fname, last_was_ptr);
                    }
                    self.w("(");
                    let params: Vec<_> = t.params().collect();
                    if params.is_empty() || (params.len() == 1 && params[0].type_id == 0) {
                        self.w("void)");
                        return Ok(());
                    }
                    for (i, p) in params.iter().enumerate() {
                        if i > 0 {
                            self.w(", ");
                        }
                        if i == params.len() - 1 && p.type_id == 0 {
                            self.w("...");
                            break;
                        }
                        let name = p.name()?;
                        self.enter(p.type_id)?;
                        let r = self.decl(p.type_id, name, lvl);
                        self.depth -= 1;
                        r?;
                    }
                    self.w(")");
                    return Ok(());
                }
                // FUNC, VAR, DATASEC, DECL_TAG: not part of a declaration.
                _ => return Ok(()),
            }
            last_was_ptr = t.kind() == Kind::Ptr;
        }
        self.emit_name(fname, last_was_ptr);
        Ok(())
    }

    pub(crate) fn struct_fwd(&mut self, t: &Type<'a>) -> Result<()> {
        let name = self.resolve_name(t, Ns::Type)?;
        let kw = if t.kind() == Kind::Struct {
            "struct"
        } else {
            "union"
        };
        let sep = if t.name_off() != 0 { " " } else { "" };
        self.wf(format_args!("{kw}{sep}{name}"));
        Ok(())
    }

    pub(crate) fn enum_fwd(&mut self, t: &Type<'a>) -> Result<()> {
        let name = self.resolve_name(t, Ns::Type)?;
        self.wf(format_args!("enum {name}"));
        Ok(())
    }

    pub(crate) fn fwd_def(&mut self, t: &Type<'a>) -> Result<()> {
        let name = self.resolve_name(t, Ns::Type)?;
        let kw = if t.kind_flag() { "union" } else { "struct" };
        self.wf(format_args!("{kw} {name}"));
        Ok(())
    }

    /// `typedef <decl>` (libbpf's `btf_dump_emit_typedef_def`).
    pub(crate) fn typedef_def(&mut self, t: &Type<'a>, lvl: usize) -> Result<()> {
        let name = self.resolve_name(t, Ns::Ident)?;
        if t.type_id() == 0 && name == "__gnuc_va_list" {
            self.w("typedef __builtin_va_list __gnuc_va_list");
            return Ok(());
        }
        self.w("typedef ");
        self.decl(t.type_id(), &name, lvl)
    }

    /// An enum with its body (libbpf's `btf_dump_emit_enum_def`).
    pub(crate) fn enum_def(&mut self, t: &Type<'a>, lvl: usize) -> Result<()> {
        let name = self.resolve_name(t, Ns::Type)?;
        let sep = if t.name_off() != 0 { " " } else { "" };
        self.wf(format_args!("enum{sep}{name}"));
        if t.vlen() == 0 {
            return Ok(());
        }
        self.names.enumerators = true;
        self.w(" {");
        let signed = t.kind_flag();
        let mut any_hi = false;
        for v in t.enum_values() {
            let vname = v.name()?;
            let dups = self.names.count(Ns::Ident, vname);
            let p = pfx(lvl + 1);
            let suffix = if dups > 1 {
                format!("___{dups}")
            } else {
                String::new()
            };
            if t.kind() == Kind::Enum {
                let lo = v.bits as u32;
                if signed {
                    self.wf(format_args!("\n{p}{vname}{suffix} = {},", lo as i32));
                } else {
                    self.wf(format_args!("\n{p}{vname}{suffix} = {lo},"));
                }
            } else {
                any_hi |= v.bits >> 32 != 0;
                if signed {
                    self.wf(format_args!("\n{p}{vname}{suffix} = {}LL,", v.bits as i64));
                } else {
                    self.wf(format_args!("\n{p}{vname}{suffix} = {}ULL,", v.bits));
                }
            }
        }
        self.wf(format_args!("\n{}}}", pfx(lvl)));
        if t.size() == 1 {
            self.w(" __attribute__((mode(byte)))");
        } else if t.size() == 8 && self.ptr_size()? == 8 {
            // A 32-bit enum can only be 8 bytes by mode(word); an ENUM64
            // needs it when no value makes the compiler widen it anyway.
            if t.kind() == Kind::Enum || !any_hi {
                self.w(" __attribute__((mode(word)))");
            }
        }
        Ok(())
    }

    /// A struct or union with its body (libbpf's `btf_dump_emit_struct_def`).
    pub(crate) fn struct_def(&mut self, t: &Type<'a>, lvl: usize) -> Result<()> {
        let is_struct = t.kind() == Kind::Struct;
        let name = self.resolve_name(t, Ns::Type)?;
        let sep = if t.name_off() != 0 { " " } else { "" };
        let kw = if is_struct { "struct" } else { "union" };
        self.wf(format_args!("{kw}{sep}{name} {{"));
        // Layout only matters for the text; skip it while replaying.
        let (packed, align) = if self.on {
            let packed = is_struct && self.is_packed(t)?;
            (packed, self.align_of(t.id(), 0)?)
        } else {
            (false, 1)
        };
        let mut off: i64 = 0;
        let mut prev_bitfield = false;
        for m in t.members() {
            let fname = m.name()?;
            let m_sz = m.bitfield_size as i64;
            let m_off = m.bit_offset as i64;
            if self.on {
                let m_align = if packed {
                    1
                } else {
                    self.align_of(m.type_id, 0)? as i64
                };
                let in_bitfield = prev_bitfield && m_sz != 0;
                self.bit_padding(off, m_off, m_align, in_bitfield, lvl + 1)?;
            }
            self.wf(format_args!("\n{}", pfx(lvl + 1)));
            self.enter(m.type_id)?;
            let r = self.decl(m.type_id, fname, lvl + 1);
            self.depth -= 1;
            r?;
            if m_sz != 0 {
                self.wf(format_args!(": {m_sz}"));
                off = m_off + m_sz;
                prev_bitfield = true;
            } else {
                let sz = if self.on {
                    self.resolve_size(m.type_id).max(0)
                } else {
                    0
                };
                off = m_off + sz * 8;
                prev_bitfield = false;
            }
            self.w(";");
        }
        if is_struct && self.on {
            self.bit_padding(off, t.size() as i64 * 8, align as i64, false, lvl + 1)?;
        }
        if t.vlen() > 0 || t.size() > 0 {
            self.wf(format_args!("\n{}}}", pfx(lvl)));
        } else {
            self.w("}");
        }
        if packed {
            self.w(" __attribute__((packed))");
        }
        Ok(())
    }
}
