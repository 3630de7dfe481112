//! The meaning of a BTF blob: type ids, names, and split BTF on a base.
//!
//! [`Btf::parse`] indexes the records once (one offset per type) and checks
//! everything that later reads rely on: every record lies inside the type
//! section, every type reference names an existing type, every name offset
//! lies inside a string section that ends with a NUL. After that, [`Type`]
//! accessors read the bytes in place, without allocating and without
//! failing. What this module must not do: follow references recursively
//! without a bound (see [`Btf::walk`]), or know anything about kfuncs, ELF
//! files or C syntax.
//!
//! Split BTF (a module's `.BTF`): ids continue after the base's last id and
//! string offsets continue after the base's string section, so a split
//! [`Btf`] delegates lookups below `first_id` and `str_first` to its base.
//! A module built against a distilled `.BTF.base` is relocated onto the real
//! base in `split.rs`: its records keep their raw ids and [`Btf::map_id`]
//! translates them on every read.

use super::bytes::Bytes;
use super::error::{BtfError, Result};
use super::raw::{self, Endian, Header, Kind};
use std::sync::Arc;

mod record;

pub use record::{Array, EnumValue, Member, Param, Type};

/// How far a chain of references may go before it counts as a cycle. Real
/// kernels need well under 20 (e.g. `const volatile` typedef chains).
pub const MAX_CHAIN: usize = 512;

/// Raw-id translation for a module built against a distilled base.
#[derive(Debug, Clone)]
pub(crate) struct Remap {
    /// Ids below this are distilled-base ids, looked up in `map`.
    pub(crate) distilled_count: u32,
    /// Distilled id → real base id.
    pub(crate) map: Vec<u32>,
}

/// One parsed BTF blob, possibly split on a base.
#[derive(Debug)]
pub struct Btf {
    data: Bytes,
    endian: Endian,
    types: std::ops::Range<usize>,
    strs: std::ops::Range<usize>,
    /// Offset of each own record, relative to `types.start`.
    offsets: Vec<u32>,
    /// The id of the first own type (1 without a base).
    first_id: u32,
    base: Option<Arc<Btf>>,
    /// String offsets below this are looked up in `str_base`.
    str_first: u32,
    str_base: Option<Arc<Btf>>,
    remap: Option<Remap>,
    /// Ids of the own DECL_TAG records, found while validating.
    decl_tags: Vec<u32>,
}

impl Btf {
    /// Parses a standalone blob (vmlinux BTF).
    pub fn parse(data: Bytes) -> Result<Btf> {
        Btf::parse_split(data, None)
    }

    /// Parses `data`, as split BTF on `base` when one is given.
    pub fn parse_split(data: Bytes, base: Option<Arc<Btf>>) -> Result<Btf> {
        let h = Header::parse(&data)?;
        let types = h.types();
        let strs = h.strings();
        let s = &data[strs.clone()];
        if base.is_none() && s.first() != Some(&0) {
            return Err(BtfError::BadHeader {
                offset: 16,
                reason: "string section must start with an empty string",
            });
        }
        if !s.is_empty() && s.last() != Some(&0) {
            return Err(BtfError::Malformed {
                offset: strs.end - 1,
                type_id: None,
                reason: "string section does not end with a NUL byte",
            });
        }
        let (first_id, str_first) = match &base {
            Some(b) => (b.type_count(), b.str_end()),
            None => (1, 0),
        };
        let offsets = index(&data, h.endian, types.clone(), first_id)?;
        let mut btf = Btf {
            decl_tags: Vec::new(),
            str_base: base.clone(),
            data,
            endian: h.endian,
            types,
            strs,
            offsets,
            first_id,
            base,
            str_first,
            remap: None,
        };
        btf.decl_tags = btf.validate()?;
        Ok(btf)
    }

    /// The same records, re-based: own ids start after `base`, raw ids go
    /// through `remap`, strings below `str_first` come from `str_base`.
    pub(crate) fn rebased(&self, base: Arc<Btf>, remap: Remap) -> Btf {
        Btf {
            data: self.data.clone(),
            endian: self.endian,
            types: self.types.clone(),
            strs: self.strs.clone(),
            offsets: self.offsets.clone(),
            first_id: base.type_count(),
            str_first: self.str_first,
            str_base: self.str_base.clone(),
            base: Some(base),
            remap: Some(remap),
            decl_tags: self.decl_tags.clone(),
        }
    }

    /// Ids of the DECL_TAG types this blob defines, in id order.
    pub fn decl_tags(&self) -> &[u32] {
        &self.decl_tags
    }

    /// Byte order of the blob.
    pub fn endian(&self) -> Endian {
        self.endian
    }

    /// The base this BTF is split on, if any.
    pub fn base(&self) -> Option<&Arc<Btf>> {
        self.base.as_ref()
    }

    /// Id of the first type this blob defines (1 for standalone BTF).
    pub fn first_id(&self) -> u32 {
        self.first_id
    }

    /// Number of type ids including `void` and the base's: one more than
    /// the last valid id (libbpf's `btf__type_cnt`).
    pub fn type_count(&self) -> u32 {
        self.first_id + self.offsets.len() as u32
    }

    /// One past the last string offset (base strings included).
    pub fn str_end(&self) -> u32 {
        self.str_first + self.strs.len() as u32
    }

    /// Translates a type id read from this blob's records.
    #[inline]
    pub fn map_id(&self, raw: u32) -> u32 {
        match &self.remap {
            None => raw,
            Some(r) if raw < r.distilled_count => r.map.get(raw as usize).copied().unwrap_or(0),
            Some(r) => raw - r.distilled_count + self.first_id,
        }
    }

    /// The type `id` (0 is `void`).
    pub fn get(&self, id: u32) -> Result<Type<'_>> {
        if id == 0 {
            return Ok(Type::void(self));
        }
        if id < self.first_id {
            return match &self.base {
                Some(b) => b.get(id),
                None => Err(self.no_such(id)),
            };
        }
        let off = self
            .offsets
            .get((id - self.first_id) as usize)
            .ok_or_else(|| self.no_such(id))?;
        Ok(self.record(id, self.types.start + *off as usize))
    }

    fn no_such(&self, id: u32) -> BtfError {
        BtfError::NoSuchType {
            type_id: id,
            last: self.type_count() - 1,
        }
    }

    fn record(&self, id: u32, off: usize) -> Type<'_> {
        let d = &self.data[..];
        let name_off = self.endian.u32(d, off).unwrap_or(0);
        let info = self.endian.u32(d, off + 4).unwrap_or(0);
        let word = self.endian.u32(d, off + 8).unwrap_or(0);
        let (k, vlen, kflag) = raw::split_info(info);
        Type {
            btf: self,
            id,
            off,
            kind: Kind::from_u8(k).unwrap_or(Kind::Void),
            name_off,
            vlen,
            kflag,
            word,
        }
    }

    /// The types this blob defines (not the base's), in id order.
    pub fn own_types(&self) -> impl Iterator<Item = Type<'_>> + '_ {
        self.offsets
            .iter()
            .enumerate()
            .map(|(i, off)| self.record(self.first_id + i as u32, self.types.start + *off as usize))
    }

    /// Every type from id 1, the base's first.
    pub fn all_types(&self) -> Box<dyn Iterator<Item = Type<'_>> + '_> {
        match &self.base {
            Some(b) => Box::new(b.all_types().chain(self.own_types())),
            None => Box::new(self.own_types()),
        }
    }

    /// Whether `off` is the start of a string (0, or right after a NUL).
    fn starts_string(&self, off: u32) -> bool {
        if off < self.str_first {
            return self.str_base.as_ref().is_some_and(|b| b.starts_string(off));
        }
        let rel = (off - self.str_first) as usize;
        rel == 0 || self.data[self.strs.clone()].get(rel - 1) == Some(&0)
    }

    /// The bytes of the string at `off`, without the UTF-8 check (for
    /// comparing names in bulk).
    pub fn str_bytes(&self, off: u32) -> Option<&[u8]> {
        if off < self.str_first {
            return self.str_base.as_ref()?.str_bytes(off);
        }
        let tail = self.data[self.strs.clone()].get((off - self.str_first) as usize..)?;
        Some(&tail[..memchr::memchr(0, tail)?])
    }

    /// The NUL-terminated string at `off` (base strings included).
    pub fn str_at(&self, off: u32) -> std::result::Result<&str, &'static str> {
        if off < self.str_first {
            return match &self.str_base {
                Some(b) => b.str_at(off),
                None => Err("is below this split BTF's strings, and there is no base"),
            };
        }
        let s = &self.data[self.strs.clone()];
        let rel = (off - self.str_first) as usize;
        let tail = s
            .get(rel..)
            .filter(|t| !t.is_empty())
            .ok_or("is past the end of the string section")?;
        let end = memchr::memchr(0, tail).ok_or("is not NUL-terminated")?;
        std::str::from_utf8(&tail[..end]).map_err(|_| "names a string that is not UTF-8")
    }

    #[inline]
    pub(crate) fn u32_at(&self, off: usize) -> u32 {
        // Offsets come from records checked by `index`; 0 is never reached.
        self.endian.u32(&self.data, off).unwrap_or(0)
    }

    /// Follows single references (pointers, modifiers, typedefs, arrays...)
    /// from `id` while `follow` says so, and returns where it stops. Fails
    /// on a cycle instead of looping.
    pub fn walk(&self, id: u32, follow: impl Fn(&Type<'_>) -> Option<u32>) -> Result<Type<'_>> {
        let mut t = self.get(id)?;
        for _ in 0..MAX_CHAIN {
            match follow(&t) {
                Some(next) => t = self.get(next)?,
                None => return Ok(t),
            }
        }
        Err(BtfError::Cycle {
            type_id: id,
            depth: MAX_CHAIN,
        })
    }

    /// Skips `const`/`volatile`/`restrict`/type tags and typedefs.
    pub fn resolve(&self, id: u32) -> Result<Type<'_>> {
        self.walk(id, |t| {
            (t.kind().is_modifier() || t.kind() == Kind::Typedef).then(|| t.type_id())
        })
    }

    /// Checks every reference and name of the own records (the index pass
    /// has checked their extent); returns the ids of the decl tags.
    fn validate(&self) -> Result<Vec<u32>> {
        let mut decl_tags = Vec::new();
        let count = self.type_count();
        let str_end = self.str_end();
        let split = self.base.is_some();
        for t in self.own_types() {
            let bad_ref = |field_off: usize, target: u32| BtfError::BadTypeRef {
                offset: field_off,
                type_id: t.id,
                target,
                last: count - 1,
                split_hint: self.base.is_none(),
            };
            let check_ref = |field_off: usize, raw: u32| {
                if self.map_id(raw) < count {
                    Ok(())
                } else {
                    Err(bad_ref(field_off, raw))
                }
            };
            let check_name = |field_off: usize, name_off: u32| {
                // A split blob read on another base than the one it was
                // built on has its own string offsets shifted: they land
                // inside strings. pahole (through libbpf) only ever
                // deduplicates whole strings, so a name always starts
                // right after a NUL.
                if split && name_off != 0 && !self.starts_string(name_off) {
                    return Err(BtfError::BadString {
                        offset: field_off,
                        type_id: Some(t.id),
                        name_off,
                        reason: "points into the middle of a string (split BTF read on a \
                                 different base than it was built on?)",
                    });
                }
                if name_off < str_end {
                    Ok(())
                } else {
                    Err(BtfError::BadString {
                        offset: field_off,
                        type_id: Some(t.id),
                        name_off,
                        reason: if self.base.is_none() {
                            "is past the end of the string section (split BTF? pass its base)"
                        } else {
                            "is past the end of the string section"
                        },
                    })
                }
            };
            check_name(t.off, t.name_off)?;
            if t.kind.has_type_ref() {
                check_ref(t.off + 8, t.word)?;
            }
            let x = t.off + raw::TYPE_LEN;
            match t.kind {
                Kind::Array => {
                    check_ref(x, self.u32_at(x))?;
                    check_ref(x + 4, self.u32_at(x + 4))?;
                }
                Kind::Struct | Kind::Union | Kind::Datasec => {
                    for i in 0..t.vlen as usize {
                        let m = x + 12 * i;
                        if t.kind != Kind::Datasec {
                            check_name(m, self.u32_at(m))?;
                            check_ref(m + 4, self.u32_at(m + 4))?;
                        } else {
                            check_ref(m, self.u32_at(m))?;
                        }
                    }
                }
                Kind::FuncProto => {
                    for i in 0..t.vlen as usize {
                        let p = x + 8 * i;
                        check_name(p, self.u32_at(p))?;
                        check_ref(p + 4, self.u32_at(p + 4))?;
                    }
                }
                Kind::Enum | Kind::Enum64 => {
                    let step = if t.kind == Kind::Enum { 8 } else { 12 };
                    for i in 0..t.vlen as usize {
                        check_name(x + step * i, self.u32_at(x + step * i))?;
                    }
                }
                Kind::DeclTag => {
                    decl_tags.push(t.id);
                    let idx = self.u32_at(x) as i32;
                    if idx < -1 {
                        return Err(BtfError::Malformed {
                            offset: x,
                            type_id: Some(t.id),
                            reason: "decl tag component_idx is below -1",
                        });
                    }
                }
                _ => {}
            }
        }
        self.check_meaning()?;
        Ok(decl_tags)
    }

    /// Checks what references mean, once every id is known to exist (issue
    /// 10: a FUNC whose type is itself, decl tags on decl tags, a pointer
    /// to itself): a FUNC refers to a FUNC_PROTO; a DECL_TAG to a struct,
    /// union, variable, function or typedef, with a component index inside
    /// it; chains of pointers, modifiers, typedefs and array elements end.
    /// One pass over the own types, each chain walked once (linear).
    fn check_meaning(&self) -> Result<()> {
        let bad =
            |t: &Type<'_>, field: usize, target: u32, reason: &'static str| BtfError::BadMeaning {
                offset: field,
                type_id: t.id,
                target,
                reason,
            };
        for t in self.own_types() {
            let x = t.off + raw::TYPE_LEN;
            match t.kind {
                Kind::Func => {
                    let target = self.map_id(t.word);
                    if self.get(target)?.kind() != Kind::FuncProto {
                        return Err(bad(
                            &t,
                            t.off + 8,
                            target,
                            "FUNC refers to a type that is not a FUNC_PROTO",
                        ));
                    }
                }
                Kind::DeclTag => {
                    let target = self.map_id(t.word);
                    let tt = self.get(target)?;
                    let idx = self.u32_at(x) as i32;
                    let members = match tt.kind() {
                        Kind::Struct | Kind::Union => Some(u32::from(tt.vlen())),
                        Kind::Func => {
                            let proto = self.get(self.map_id(tt.type_id()))?;
                            Some(u32::from(proto.vlen()))
                        }
                        Kind::Var | Kind::Typedef => Some(0),
                        _ => None,
                    };
                    match members {
                        None => {
                            return Err(bad(
                                &t,
                                t.off + 8,
                                target,
                                "DECL_TAG refers to a type that cannot be tagged",
                            ));
                        }
                        Some(n) if idx >= 0 && idx as u32 >= n => {
                            return Err(bad(
                                &t,
                                x,
                                target,
                                "DECL_TAG component_idx is past the members or parameters of its type",
                            ));
                        }
                        Some(_) => {}
                    }
                }
                _ => {}
            }
        }
        // Chains: 0 not seen, 1 on the chain being walked, 2 known to end.
        let count = self.offsets.len();
        let mut state = vec![0u8; count];
        let own = |id: u32| {
            id.checked_sub(self.first_id)
                .map(|i| i as usize)
                .filter(|&i| i < count)
        };
        let mut path = Vec::new();
        for start in self.first_id..self.type_count() {
            let mut id = start;
            path.clear();
            while let Some(i) = own(id) {
                match state[i] {
                    2 => break,
                    1 => {
                        let t = self.get(id)?;
                        return Err(bad(
                            &t,
                            t.off,
                            id,
                            "reference cycle through pointers, modifiers, typedefs or arrays",
                        ));
                    }
                    _ => {}
                }
                let t = self.get(id)?;
                let next = match t.kind {
                    Kind::Ptr
                    | Kind::Typedef
                    | Kind::Const
                    | Kind::Volatile
                    | Kind::Restrict
                    | Kind::TypeTag => t.word,
                    Kind::Array => self.u32_at(t.off + raw::TYPE_LEN),
                    _ => break,
                };
                state[i] = 1;
                path.push(i);
                id = self.map_id(next);
            }
            for &i in &path {
                state[i] = 2;
            }
        }
        Ok(())
    }

    /// This blob's own types and strings as raw BTF, with a `DECL_TAG
    /// tag` (`component_idx` -1) appended for each of `targets`: makes
    /// bpftool print kfunc externs for an image whose pahole wrote no
    /// `bpf_kfunc` tags. Split BTF stays split (its string offsets continue
    /// the base's). For tests: `tests/header.rs` makes bpftool's
    /// `vmlinux.h` of a bzImage with it.
    #[doc(hidden)]
    pub fn raw_with_decl_tags(&self, tag: &str, targets: &[u32]) -> Vec<u8> {
        let w = |out: &mut Vec<u8>, v: u32| {
            out.extend(match self.endian {
                Endian::Little => v.to_le_bytes(),
                Endian::Big => v.to_be_bytes(),
            })
        };
        let mut types = self.data[self.types.clone()].to_vec();
        let mut strs = self.data[self.strs.clone()].to_vec();
        let name_off = self.str_first + strs.len() as u32;
        if !targets.is_empty() {
            // Only then: a split blob on this one counts on its length.
            strs.extend(tag.as_bytes());
            strs.push(0);
        }
        for &t in targets {
            w(&mut types, name_off);
            w(&mut types, (Kind::DeclTag as u32) << 24);
            w(&mut types, t);
            w(&mut types, u32::MAX); // component_idx -1
        }
        let mut out = Vec::new();
        out.extend(match self.endian {
            Endian::Little => 0xeb9fu16.to_le_bytes(),
            Endian::Big => 0xeb9fu16.to_be_bytes(),
        });
        out.extend([1, 0]);
        for v in [raw::HEADER_LEN, 0, types.len(), types.len(), strs.len()] {
            w(&mut out, v as u32);
        }
        out.extend(types);
        out.extend(strs);
        out
    }
}

/// Walks the type section once, recording where each record starts. A
/// record whose `vlen` would run past the section is rejected before any
/// allocation depends on it; the offsets vector is bounded by the section
/// length over 12.
fn index(data: &[u8], e: Endian, types: std::ops::Range<usize>, first_id: u32) -> Result<Vec<u32>> {
    let mut offsets = Vec::with_capacity(types.len() / 24);
    let mut off = types.start;
    while off < types.end {
        let id = first_id.saturating_add(offsets.len() as u32);
        let have = types.end - off;
        if have < raw::TYPE_LEN {
            return Err(BtfError::Truncated {
                what: "type record",
                offset: off,
                type_id: Some(id),
                need: raw::TYPE_LEN,
                have,
            });
        }
        let info = e.u32(data, off + 4).unwrap_or(0);
        let (k, vlen, _) = raw::split_info(info);
        let kind = Kind::from_u8(k).ok_or(BtfError::UnknownKind {
            offset: off,
            type_id: id,
            kind: k,
        })?;
        let len = raw::TYPE_LEN as u64 + kind.extra_len(vlen);
        if len > have as u64 {
            return Err(BtfError::Truncated {
                what: if vlen > 0 {
                    "type record with its vlen entries"
                } else {
                    "type record"
                },
                offset: off,
                type_id: Some(id),
                need: len as usize,
                have,
            });
        }
        if id == u32::MAX {
            return Err(BtfError::Malformed {
                offset: off,
                type_id: None,
                reason: "too many types",
            });
        }
        offsets.push((off - types.start) as u32);
        off += len as usize;
    }
    Ok(offsets)
}
