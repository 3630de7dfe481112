//! Test-only builders for small BTF blobs and ELF files.
//!
//! [`B`] emits a BTF header, type records and a string table in either
//! byte order, with an optional larger `hdr_len`, standalone or split on
//! another builder's output. [`Elf`] writes a minimal ELF64 file with named
//! sections (optionally `SHF_COMPRESSED` with zlib) and a symbol table, so
//! that `.BTF`, `.BTF.base`, `.BTF_ids`, `.modinfo` and `.rodata` can be
//! tested without a compiler. Neither validates anything: tests use them to
//! make bad inputs too.

use super::raw::Kind;
use std::collections::HashMap;

/// A BTF blob under construction.
pub(crate) struct B {
    words: Vec<u32>,
    strings: Vec<u8>,
    str_index: HashMap<String, u32>,
    next_id: u32,
    str_base: u32,
    pub(crate) big: bool,
    pub(crate) hdr_extra: usize,
}

impl B {
    pub(crate) fn new() -> B {
        B {
            words: Vec::new(),
            strings: vec![0],
            str_index: HashMap::from([(String::new(), 0)]),
            next_id: 1,
            str_base: 0,
            big: false,
            hdr_extra: 0,
        }
    }

    /// Split BTF continuing `base`'s ids and strings.
    pub(crate) fn split(base: &B) -> B {
        B {
            words: Vec::new(),
            strings: Vec::new(),
            str_index: HashMap::new(),
            next_id: base.next_id,
            str_base: base.str_base + base.strings.len() as u32,
            big: base.big,
            hdr_extra: 0,
        }
    }

    /// The offset of `s`, adding it if needed ("" is 0 in standalone BTF).
    pub(crate) fn s(&mut self, s: &str) -> u32 {
        if let Some(&o) = self.str_index.get(s) {
            return o;
        }
        let o = self.str_base + self.strings.len() as u32;
        self.strings.extend_from_slice(s.as_bytes());
        self.strings.push(0);
        self.str_index.insert(s.to_string(), o);
        o
    }

    /// Appends a record; returns its id.
    pub(crate) fn raw(
        &mut self,
        name_off: u32,
        kind: u8,
        vlen: u16,
        kflag: bool,
        word: u32,
        extra: &[u32],
    ) -> u32 {
        let info = (u32::from(kflag) << 31) | ((kind as u32) << 24) | vlen as u32;
        self.words.extend([name_off, info, word]);
        self.words.extend_from_slice(extra);
        self.next_id += 1;
        self.next_id - 1
    }

    fn t(
        &mut self,
        name: &str,
        kind: Kind,
        vlen: u16,
        kflag: bool,
        word: u32,
        extra: &[u32],
    ) -> u32 {
        let n = self.s(name);
        self.raw(n, kind as u8, vlen, kflag, word, extra)
    }

    pub(crate) fn int(&mut self, name: &str, size: u32, encoding: u32) -> u32 {
        self.t(
            name,
            Kind::Int,
            0,
            false,
            size,
            &[(encoding << 24) | (size * 8)],
        )
    }
    pub(crate) fn float(&mut self, name: &str, size: u32) -> u32 {
        self.t(name, Kind::Float, 0, false, size, &[])
    }
    pub(crate) fn ptr(&mut self, to: u32) -> u32 {
        self.t("", Kind::Ptr, 0, false, to, &[])
    }
    pub(crate) fn konst(&mut self, to: u32) -> u32 {
        self.t("", Kind::Const, 0, false, to, &[])
    }
    pub(crate) fn volatile(&mut self, to: u32) -> u32 {
        self.t("", Kind::Volatile, 0, false, to, &[])
    }
    pub(crate) fn restrict(&mut self, to: u32) -> u32 {
        self.t("", Kind::Restrict, 0, false, to, &[])
    }
    pub(crate) fn typedef(&mut self, name: &str, to: u32) -> u32 {
        self.t(name, Kind::Typedef, 0, false, to, &[])
    }
    pub(crate) fn type_tag(&mut self, name: &str, to: u32) -> u32 {
        self.t(name, Kind::TypeTag, 0, true, to, &[])
    }
    pub(crate) fn array(&mut self, elem: u32, index: u32, n: u32) -> u32 {
        self.t("", Kind::Array, 0, false, 0, &[elem, index, n])
    }
    pub(crate) fn fwd(&mut self, name: &str, union: bool) -> u32 {
        self.t(name, Kind::Fwd, 0, union, 0, &[])
    }
    /// Members `(name, type, bit offset, bitfield bits)`.
    pub(crate) fn composite(
        &mut self,
        kind: Kind,
        name: &str,
        size: u32,
        members: &[(&str, u32, u32, u32)],
    ) -> u32 {
        let kflag = members.iter().any(|m| m.3 != 0);
        let mut extra = Vec::new();
        for &(n, ty, off, bits) in members {
            let n = self.s(n);
            extra.extend([n, ty, if kflag { (bits << 24) | off } else { off }]);
        }
        self.t(name, kind, members.len() as u16, kflag, size, &extra)
    }
    pub(crate) fn strukt(&mut self, name: &str, size: u32, members: &[(&str, u32, u32)]) -> u32 {
        let m: Vec<_> = members.iter().map(|&(n, t, o)| (n, t, o, 0)).collect();
        self.composite(Kind::Struct, name, size, &m)
    }
    pub(crate) fn enm(
        &mut self,
        name: &str,
        size: u32,
        signed: bool,
        values: &[(&str, i64)],
    ) -> u32 {
        let mut extra = Vec::new();
        for &(n, v) in values {
            let n = self.s(n);
            extra.extend([n, v as u32]);
        }
        self.t(name, Kind::Enum, values.len() as u16, signed, size, &extra)
    }
    pub(crate) fn enum64(
        &mut self,
        name: &str,
        size: u32,
        signed: bool,
        values: &[(&str, i64)],
    ) -> u32 {
        let mut extra = Vec::new();
        for &(n, v) in values {
            let n = self.s(n);
            extra.extend([n, v as u32, ((v as u64) >> 32) as u32]);
        }
        self.t(
            name,
            Kind::Enum64,
            values.len() as u16,
            signed,
            size,
            &extra,
        )
    }
    pub(crate) fn proto(&mut self, ret: u32, params: &[(&str, u32)]) -> u32 {
        let mut extra = Vec::new();
        for &(n, ty) in params {
            let n = self.s(n);
            extra.extend([n, ty]);
        }
        self.t("", Kind::FuncProto, params.len() as u16, false, ret, &extra)
    }
    pub(crate) fn func(&mut self, name: &str, proto: u32) -> u32 {
        self.t(name, Kind::Func, 1, false, proto, &[])
    }
    pub(crate) fn var(&mut self, name: &str, ty: u32) -> u32 {
        self.t(name, Kind::Var, 0, false, ty, &[1])
    }
    pub(crate) fn datasec(&mut self, name: &str, size: u32, vars: &[(u32, u32, u32)]) -> u32 {
        let extra: Vec<u32> = vars.iter().flat_map(|&(v, o, s)| [v, o, s]).collect();
        self.t(name, Kind::Datasec, vars.len() as u16, false, size, &extra)
    }
    pub(crate) fn decl_tag(&mut self, name: &str, to: u32, idx: i32) -> u32 {
        self.t(name, Kind::DeclTag, 0, false, to, &[idx as u32])
    }
    /// `int name(int a, ...)`-style kfunc with a `bpf_kfunc` tag.
    pub(crate) fn kfunc(&mut self, name: &str, ret: u32, params: &[(&str, u32)]) -> u32 {
        let p = self.proto(ret, params);
        let f = self.func(name, p);
        self.decl_tag("bpf_kfunc", f, -1);
        f
    }

    /// The id the next record will get.
    pub(crate) fn next_id(&self) -> u32 {
        self.next_id
    }

    /// Header + types + strings.
    pub(crate) fn build(&self) -> Vec<u8> {
        let w32 = |v: u32| {
            if self.big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let type_len = self.words.len() as u32 * 4;
        let hdr_len = 24 + self.hdr_extra as u32;
        let mut out = Vec::new();
        out.extend_from_slice(&if self.big {
            0xeb9fu16.to_be_bytes()
        } else {
            0xeb9fu16.to_le_bytes()
        });
        out.extend([1, 0]);
        for v in [hdr_len, 0, type_len, type_len, self.strings.len() as u32] {
            out.extend(w32(v));
        }
        out.resize(hdr_len as usize, 0xaa);
        for &w in &self.words {
            out.extend(w32(w));
        }
        out.extend_from_slice(&self.strings);
        out
    }
}

/// A section of a test ELF file.
pub(crate) struct Section {
    pub(crate) name: &'static str,
    pub(crate) data: Vec<u8>,
    pub(crate) addr: u64,
    pub(crate) compress: bool,
}

/// A minimal ELF64 file.
pub(crate) struct Elf {
    pub(crate) big: bool,
    /// ET_REL (a module) rather than ET_EXEC.
    pub(crate) relocatable: bool,
    pub(crate) sections: Vec<Section>,
    /// `(name, section name, value, size)`; empty: no `.symtab`.
    pub(crate) symbols: Vec<(String, &'static str, u64, u64)>,
}

impl Elf {
    pub(crate) fn new(relocatable: bool) -> Elf {
        Elf {
            big: false,
            relocatable,
            sections: Vec::new(),
            symbols: Vec::new(),
        }
    }

    pub(crate) fn section(mut self, name: &'static str, data: Vec<u8>) -> Elf {
        self.sections.push(Section {
            name,
            data,
            addr: 0,
            compress: false,
        });
        self
    }

    pub(crate) fn build(&self) -> Vec<u8> {
        use std::io::Write;
        let big = self.big;
        let w16 = |o: &mut Vec<u8>, v: u16| {
            o.extend(if big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            })
        };
        let w32 = |o: &mut Vec<u8>, v: u32| {
            o.extend(if big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            })
        };
        let w64 = |o: &mut Vec<u8>, v: u64| {
            o.extend(if big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            })
        };
        // Section list: null, user sections, [.symtab, .strtab], .shstrtab.
        let mut shstr = vec![0u8];
        let name_off = |n: &str, shstr: &mut Vec<u8>| {
            let o = shstr.len() as u32;
            shstr.extend_from_slice(n.as_bytes());
            shstr.push(0);
            o
        };
        struct Out {
            name: u32,
            kind: u32,
            flags: u64,
            addr: u64,
            data: Vec<u8>,
            link: u32,
            info: u32,
            entsize: u64,
        }
        let mut outs = Vec::new();
        for s in &self.sections {
            let mut data = s.data.clone();
            let mut flags = 2; // SHF_ALLOC
            if s.compress {
                let mut z =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                z.write_all(&s.data).expect("zlib");
                let body = z.finish().expect("zlib");
                let mut c = Vec::new();
                w32(&mut c, 1); // ELFCOMPRESS_ZLIB
                w32(&mut c, 0);
                w64(&mut c, s.data.len() as u64);
                w64(&mut c, 1);
                c.extend(body);
                data = c;
                flags |= 0x800; // SHF_COMPRESSED
            }
            outs.push(Out {
                name: name_off(s.name, &mut shstr),
                kind: 1,
                flags,
                addr: s.addr,
                data,
                link: 0,
                info: 0,
                entsize: 0,
            });
        }
        if !self.symbols.is_empty() {
            let mut strtab = vec![0u8];
            let mut symtab = vec![0u8; 24];
            for (name, sec, value, size) in &self.symbols {
                let idx = self
                    .sections
                    .iter()
                    .position(|s| s.name == *sec)
                    .map_or(0, |i| i + 1);
                let n = strtab.len() as u32;
                strtab.extend_from_slice(name.as_bytes());
                strtab.push(0);
                w32(&mut symtab, n);
                symtab.push(1); // STB_LOCAL, STT_OBJECT
                symtab.push(0);
                w16(&mut symtab, idx as u16);
                w64(&mut symtab, *value);
                w64(&mut symtab, *size);
            }
            let strtab_index = outs.len() as u32 + 2;
            outs.push(Out {
                name: name_off(".symtab", &mut shstr),
                kind: 2,
                flags: 0,
                addr: 0,
                data: symtab,
                link: strtab_index,
                info: self.symbols.len() as u32 + 1,
                entsize: 24,
            });
            outs.push(Out {
                name: name_off(".strtab", &mut shstr),
                kind: 3,
                flags: 0,
                addr: 0,
                data: strtab,
                link: 0,
                info: 0,
                entsize: 0,
            });
        }
        let shstr_name = name_off(".shstrtab", &mut shstr);
        outs.push(Out {
            name: shstr_name,
            kind: 3,
            flags: 0,
            addr: 0,
            data: shstr,
            link: 0,
            info: 0,
            entsize: 0,
        });
        let mut out = Vec::new();
        out.extend_from_slice(b"\x7fELF");
        out.extend([2, if big { 2 } else { 1 }, 1, 0]);
        out.resize(16, 0);
        w16(&mut out, if self.relocatable { 1 } else { 2 });
        w16(&mut out, 62); // x86-64
        w32(&mut out, 1);
        w64(&mut out, 0); // entry
        w64(&mut out, 0); // phoff
        let shoff_pos = out.len();
        w64(&mut out, 0); // shoff, patched below
        w32(&mut out, 0);
        w16(&mut out, 64);
        w16(&mut out, 0);
        w16(&mut out, 0);
        w16(&mut out, 64);
        w16(&mut out, outs.len() as u16 + 1);
        w16(&mut out, outs.len() as u16); // shstrndx: the last one
        let mut offsets = Vec::new();
        for o in &outs {
            while out.len() % 8 != 0 {
                out.push(0);
            }
            offsets.push(out.len() as u64);
            out.extend_from_slice(&o.data);
        }
        while out.len() % 8 != 0 {
            out.push(0);
        }
        let shoff = out.len() as u64;
        let patch = if big {
            shoff.to_be_bytes()
        } else {
            shoff.to_le_bytes()
        };
        out[shoff_pos..shoff_pos + 8].copy_from_slice(&patch);
        out.extend([0u8; 64]);
        for (o, off) in outs.iter().zip(offsets) {
            w32(&mut out, o.name);
            w32(&mut out, o.kind);
            w64(&mut out, o.flags);
            w64(&mut out, o.addr);
            w64(&mut out, off);
            w64(&mut out, o.data.len() as u64);
            w32(&mut out, o.link);
            w32(&mut out, o.info);
            w64(&mut out, if o.flags & 0x800 != 0 { 8 } else { 1 });
            w64(&mut out, o.entsize);
        }
        out
    }
}

/// A `.BTF_ids` set8: `cnt`, header flags, pairs.
pub(crate) fn set8(e_big: bool, flags: u32, pairs: &[(u32, u32)]) -> Vec<u8> {
    let w = |v: u32| {
        if e_big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut out = Vec::new();
    out.extend(w(pairs.len() as u32));
    out.extend(w(flags));
    for &(id, f) in pairs {
        out.extend(w(id));
        out.extend(w(f));
    }
    out
}
