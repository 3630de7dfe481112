//! The BTF byte layout, one to one with the kernel's uapi `include/uapi/linux/btf.h`.
//!
//! This module owns the on-disk format: the header (honouring `hdr_len`),
//! the byte order (the magic `0xeB9F` read either way round), the kind
//! numbers and the size of each kind's record. It reads bytes at offsets and
//! nothing else: it gives no meaning to type ids or names (that is
//! `types.rs`) and never allocates in proportion to a count it has not
//! checked against the bytes that remain. Every read is bounds-checked and
//! fails with the byte offset.

use super::error::{BtfError, Result};

/// `BTF_MAGIC`.
pub const MAGIC: u16 = 0xeb9f;
/// The size of `struct btf_header` as this reader knows it (version 1).
pub const HEADER_LEN: usize = 24;
/// `struct btf_type`: `name_off`, `info`, `size`/`type`.
pub const TYPE_LEN: usize = 12;

/// Byte order of a BTF blob (or an ELF file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    /// Least significant byte first.
    Little,
    /// Most significant byte first.
    Big,
}

impl Endian {
    /// Reads a `u32` at `off`, if the bytes are there.
    #[inline]
    pub fn u32(self, data: &[u8], off: usize) -> Option<u32> {
        let b: [u8; 4] = data.get(off..off.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        })
    }

    /// Reads a `u16` at `off`, if the bytes are there.
    #[inline]
    pub fn u16(self, data: &[u8], off: usize) -> Option<u16> {
        let b: [u8; 2] = data.get(off..off.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        })
    }
}

/// Reads a `u32` or reports what was cut short.
pub fn read_u32(e: Endian, data: &[u8], off: usize, what: &'static str) -> Result<u32> {
    e.u32(data, off).ok_or(BtfError::Truncated {
        what,
        offset: off,
        type_id: None,
        need: 4,
        have: data.len().saturating_sub(off),
    })
}

/// `struct btf_header`, as far as this reader knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Byte order the magic was found in.
    pub endian: Endian,
    /// `version` (1 for every kernel so far).
    pub version: u8,
    /// `flags` (unused so far).
    pub flags: u8,
    /// `hdr_len`: bytes before the sections start. Larger headers (newer
    /// fields such as a kind layout or CRCs) are accepted and the fields
    /// past the ones below are skipped.
    pub hdr_len: u32,
    /// `type_off`, relative to the end of the header.
    pub type_off: u32,
    /// `type_len`.
    pub type_len: u32,
    /// `str_off`, relative to the end of the header.
    pub str_off: u32,
    /// `str_len`.
    pub str_len: u32,
}

impl Header {
    /// Parses and checks the header of the blob `data`: the sections must
    /// lie inside `data`, be 4-byte aligned (types) and not overlap.
    pub fn parse(data: &[u8]) -> Result<Header> {
        let magic = data.get(0..2).ok_or(BtfError::Truncated {
            what: "BTF header",
            offset: 0,
            type_id: None,
            need: HEADER_LEN,
            have: data.len(),
        })?;
        let endian = match [magic[0], magic[1]] {
            [0x9f, 0xeb] => Endian::Little,
            [0xeb, 0x9f] => Endian::Big,
            m => {
                return Err(BtfError::BadMagic {
                    found: u16::from_le_bytes(m),
                });
            }
        };
        if data.len() < HEADER_LEN {
            return Err(BtfError::Truncated {
                what: "BTF header",
                offset: 0,
                type_id: None,
                need: HEADER_LEN,
                have: data.len(),
            });
        }
        let u = |off| read_u32(endian, data, off, "BTF header");
        let h = Header {
            endian,
            version: data[2],
            flags: data[3],
            hdr_len: u(4)?,
            type_off: u(8)?,
            type_len: u(12)?,
            str_off: u(16)?,
            str_len: u(20)?,
        };
        if h.version != 1 {
            return Err(BtfError::BadHeader {
                offset: 2,
                reason: "unsupported BTF version (only 1 exists)",
            });
        }
        let hdr_len = h.hdr_len as usize;
        if hdr_len < HEADER_LEN {
            return Err(BtfError::BadHeader {
                offset: 4,
                reason: "hdr_len is smaller than the 24-byte version 1 header",
            });
        }
        if hdr_len > data.len() {
            return Err(BtfError::Truncated {
                what: "BTF header (hdr_len)",
                offset: 0,
                type_id: None,
                need: hdr_len,
                have: data.len(),
            });
        }
        let body = data.len() - hdr_len;
        let end = |off: u32, len: u32| (off as usize).checked_add(len as usize);
        match end(h.type_off, h.type_len) {
            Some(e) if e <= body => {}
            _ => {
                return Err(BtfError::BadHeader {
                    offset: 8,
                    reason: "type section runs past the end of the data",
                });
            }
        }
        match end(h.str_off, h.str_len) {
            Some(e) if e <= body => {}
            _ => {
                return Err(BtfError::BadHeader {
                    offset: 16,
                    reason: "string section runs past the end of the data",
                });
            }
        }
        if !h.type_off.is_multiple_of(4) {
            return Err(BtfError::BadHeader {
                offset: 8,
                reason: "type section is not 4-byte aligned",
            });
        }
        let (t0, t1) = (h.type_off as u64, h.type_off as u64 + h.type_len as u64);
        let (s0, s1) = (h.str_off as u64, h.str_off as u64 + h.str_len as u64);
        if h.type_len > 0 && h.str_len > 0 && t0 < s1 && s0 < t1 {
            return Err(BtfError::BadHeader {
                offset: 16,
                reason: "type and string sections overlap",
            });
        }
        Ok(h)
    }

    /// Absolute byte range of the type section.
    pub fn types(&self) -> std::ops::Range<usize> {
        let start = self.hdr_len as usize + self.type_off as usize;
        start..start + self.type_len as usize
    }

    /// Absolute byte range of the string section.
    pub fn strings(&self) -> std::ops::Range<usize> {
        let start = self.hdr_len as usize + self.str_off as usize;
        start..start + self.str_len as usize
    }
}

/// `BTF_KIND_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Kind {
    /// `void`: only type id 0, never a record.
    Void = 0,
    /// `BTF_KIND_INT`.
    Int = 1,
    /// `BTF_KIND_PTR`.
    Ptr = 2,
    /// `BTF_KIND_ARRAY`.
    Array = 3,
    /// `BTF_KIND_STRUCT`.
    Struct = 4,
    /// `BTF_KIND_UNION`.
    Union = 5,
    /// `BTF_KIND_ENUM` (32-bit values).
    Enum = 6,
    /// `BTF_KIND_FWD` (kind_flag: union).
    Fwd = 7,
    /// `BTF_KIND_TYPEDEF`.
    Typedef = 8,
    /// `BTF_KIND_VOLATILE`.
    Volatile = 9,
    /// `BTF_KIND_CONST`.
    Const = 10,
    /// `BTF_KIND_RESTRICT`.
    Restrict = 11,
    /// `BTF_KIND_FUNC` (vlen: linkage).
    Func = 12,
    /// `BTF_KIND_FUNC_PROTO`.
    FuncProto = 13,
    /// `BTF_KIND_VAR`.
    Var = 14,
    /// `BTF_KIND_DATASEC`.
    Datasec = 15,
    /// `BTF_KIND_FLOAT`.
    Float = 16,
    /// `BTF_KIND_DECL_TAG`.
    DeclTag = 17,
    /// `BTF_KIND_TYPE_TAG` (kind_flag: attribute).
    TypeTag = 18,
    /// `BTF_KIND_ENUM64`.
    Enum64 = 19,
}

impl Kind {
    /// The kind for a `BTF_KIND_*` number; `None` for 0 and unknown kinds.
    pub fn from_u8(k: u8) -> Option<Kind> {
        use Kind::*;
        Some(match k {
            1 => Int,
            2 => Ptr,
            3 => Array,
            4 => Struct,
            5 => Union,
            6 => Enum,
            7 => Fwd,
            8 => Typedef,
            9 => Volatile,
            10 => Const,
            11 => Restrict,
            12 => Func,
            13 => FuncProto,
            14 => Var,
            15 => Datasec,
            16 => Float,
            17 => DeclTag,
            18 => TypeTag,
            19 => Enum64,
            _ => return None,
        })
    }

    /// Lower-case name as bpftool prints it (`struct`, `func_proto`...).
    pub fn name(self) -> &'static str {
        use Kind::*;
        match self {
            Void => "void",
            Int => "int",
            Ptr => "ptr",
            Array => "array",
            Struct => "struct",
            Union => "union",
            Enum => "enum",
            Fwd => "fwd",
            Typedef => "typedef",
            Volatile => "volatile",
            Const => "const",
            Restrict => "restrict",
            Func => "func",
            FuncProto => "func_proto",
            Var => "var",
            Datasec => "datasec",
            Float => "float",
            DeclTag => "decl_tag",
            TypeTag => "type_tag",
            Enum64 => "enum64",
        }
    }

    /// Size of the data after the 12-byte `struct btf_type` for `vlen`
    /// entries. `u64` so that no `vlen` can overflow it.
    pub fn extra_len(self, vlen: u16) -> u64 {
        use Kind::*;
        let v = vlen as u64;
        match self {
            Int | Var | DeclTag => 4,
            Array => 12,
            Struct | Union | Datasec | Enum64 => 12 * v,
            Enum | FuncProto => 8 * v,
            _ => 0,
        }
    }

    /// Whether the third word is a type id (as opposed to a size).
    pub fn has_type_ref(self) -> bool {
        use Kind::*;
        matches!(
            self,
            Ptr | Typedef
                | Volatile
                | Const
                | Restrict
                | Func
                | FuncProto
                | Var
                | DeclTag
                | TypeTag
        )
    }

    /// `const`, `volatile`, `restrict` and type tags: qualifiers that C
    /// writes around another type.
    pub fn is_modifier(self) -> bool {
        matches!(
            self,
            Kind::Const | Kind::Volatile | Kind::Restrict | Kind::TypeTag
        )
    }
}

/// `info`: vlen in bits 0-15, kind in bits 24-28, kind_flag in bit 31.
pub fn split_info(info: u32) -> (u8, u16, bool) {
    (
        ((info >> 24) & 0x1f) as u8,
        (info & 0xffff) as u16,
        info >> 31 != 0,
    )
}

/// `BTF_INT_ENCODING`: bits 24-27 of the word after an INT record.
pub const INT_SIGNED: u32 = 1 << 0;
/// `BTF_INT_CHAR`.
pub const INT_CHAR: u32 = 1 << 1;
/// `BTF_INT_BOOL`.
pub const INT_BOOL: u32 = 1 << 2;

/// `enum btf_func_linkage` (the vlen of a FUNC, the linkage of a VAR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Linkage {
    /// `BTF_FUNC_STATIC` / `BTF_VAR_STATIC`.
    Static,
    /// `BTF_FUNC_GLOBAL` / `BTF_VAR_GLOBAL_ALLOCATED`.
    Global,
    /// `BTF_FUNC_EXTERN` / `BTF_VAR_GLOBAL_EXTERN`.
    Extern,
    /// A value this reader does not know.
    Other(u32),
}

impl Linkage {
    /// Decodes the linkage number.
    pub fn from_u32(v: u32) -> Linkage {
        match v {
            0 => Linkage::Static,
            1 => Linkage::Global,
            2 => Linkage::Extern,
            v => Linkage::Other(v),
        }
    }
}
