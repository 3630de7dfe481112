//! [`Type`]: one type record read in place, and the views of its
//! trailing entries (members, parameters, enumerators, array info).
//!
//! Records were bounds-checked when the [`Btf`] was parsed, so accessors
//! here neither allocate nor fail; type ids they return are already
//! translated by [`Btf::map_id`]. Names can still fail (not UTF-8) and say
//! where.

use super::Btf;
use crate::btf::error::{BtfError, Result};
use crate::btf::raw::{self, Kind, Linkage};

/// A view of one type record, read in place.
#[derive(Clone, Copy)]
pub struct Type<'a> {
    pub(super) btf: &'a Btf,
    pub(super) id: u32,
    pub(super) off: usize,
    pub(super) kind: Kind,
    pub(super) name_off: u32,
    pub(super) vlen: u16,
    pub(super) kflag: bool,
    pub(super) word: u32,
}

impl std::fmt::Debug for Type<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] {} '{}'",
            self.id,
            self.kind.name(),
            self.name().unwrap_or("?")
        )
    }
}

impl<'a> Type<'a> {
    pub(super) fn void(btf: &'a Btf) -> Type<'a> {
        Type {
            btf,
            id: 0,
            off: usize::MAX,
            kind: Kind::Void,
            name_off: 0,
            vlen: 0,
            kflag: false,
            word: 0,
        }
    }

    /// The type id.
    pub fn id(&self) -> u32 {
        self.id
    }
    /// The kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }
    /// `vlen`: members, parameters, values, variables; the linkage of a FUNC.
    pub fn vlen(&self) -> u16 {
        self.vlen
    }
    /// `kind_flag`.
    pub fn kind_flag(&self) -> bool {
        self.kflag
    }
    /// The blob the record lives in.
    pub fn btf(&self) -> &'a Btf {
        self.btf
    }
    /// Byte offset of the record in its blob (`usize::MAX` for void).
    pub fn offset(&self) -> usize {
        self.off
    }
    /// `name_off` (0: anonymous).
    pub fn name_off(&self) -> u32 {
        self.name_off
    }

    /// The type's name (`""` when anonymous).
    pub fn name(&self) -> Result<&'a str> {
        self.string(self.off, self.name_off)
    }

    fn string(&self, field_off: usize, name_off: u32) -> Result<&'a str> {
        self.btf
            .str_at(name_off)
            .map_err(|reason| BtfError::BadString {
                offset: field_off,
                type_id: Some(self.id),
                name_off,
                reason,
            })
    }

    /// `size` of INT, STRUCT, UNION, ENUM, ENUM64, FLOAT, DATASEC.
    pub fn size(&self) -> u32 {
        self.word
    }

    /// The referenced type of PTR, TYPEDEF, modifiers, FUNC (its prototype),
    /// FUNC_PROTO (its return type), VAR, DECL_TAG; 0 for other kinds.
    pub fn type_id(&self) -> u32 {
        if self.kind.has_type_ref() {
            self.btf.map_id(self.word)
        } else {
            0
        }
    }

    fn extra(&self, i: usize) -> u32 {
        self.btf.u32_at(self.off + raw::TYPE_LEN + 4 * i)
    }

    /// INT encoding (`BTF_INT_SIGNED`...), bit offset and bit count.
    pub fn int_info(&self) -> Option<(u32, u32, u32)> {
        (self.kind == Kind::Int).then(|| {
            let v = self.extra(0);
            ((v >> 24) & 0x0f, (v >> 16) & 0xff, v & 0xff)
        })
    }

    /// ARRAY: element type, index type, element count.
    pub fn array(&self) -> Option<Array> {
        (self.kind == Kind::Array).then(|| Array {
            elem: self.btf.map_id(self.extra(0)),
            index: self.btf.map_id(self.extra(1)),
            nelems: self.extra(2),
        })
    }

    /// STRUCT/UNION members.
    pub fn members(&self) -> impl ExactSizeIterator<Item = Member<'a>> + 'a {
        let t = *self;
        let n = if matches!(t.kind, Kind::Struct | Kind::Union) {
            t.vlen as usize
        } else {
            0
        };
        (0..n).map(move |i| {
            let o = t.off + raw::TYPE_LEN + 12 * i;
            let word = t.btf.u32_at(o + 8);
            let (bit_offset, bitfield_size) = if t.kflag {
                (word & 0x00ff_ffff, word >> 24)
            } else {
                (word, 0)
            };
            Member {
                ty: t,
                field_off: o,
                name_off: t.btf.u32_at(o),
                type_id: t.btf.map_id(t.btf.u32_at(o + 4)),
                bit_offset,
                bitfield_size,
            }
        })
    }

    /// FUNC_PROTO parameters.
    pub fn params(&self) -> impl ExactSizeIterator<Item = Param<'a>> + 'a {
        let t = *self;
        let n = if t.kind == Kind::FuncProto {
            t.vlen as usize
        } else {
            0
        };
        (0..n).map(move |i| {
            let o = t.off + raw::TYPE_LEN + 8 * i;
            Param {
                ty: t,
                field_off: o,
                name_off: t.btf.u32_at(o),
                type_id: t.btf.map_id(t.btf.u32_at(o + 4)),
            }
        })
    }

    /// ENUM/ENUM64 values: name offset and value (sign-extended when the
    /// kind_flag says the enum is signed).
    pub fn enum_values(&self) -> impl ExactSizeIterator<Item = EnumValue<'a>> + 'a {
        let t = *self;
        let (n, step) = match t.kind {
            Kind::Enum => (t.vlen as usize, 8),
            Kind::Enum64 => (t.vlen as usize, 12),
            _ => (0, 8),
        };
        (0..n).map(move |i| {
            let o = t.off + raw::TYPE_LEN + step * i;
            let lo = t.btf.u32_at(o + 4);
            let bits = if t.kind == Kind::Enum {
                if t.kflag {
                    lo as i32 as i64 as u64
                } else {
                    lo as u64
                }
            } else {
                ((t.btf.u32_at(o + 8) as u64) << 32) | lo as u64
            };
            EnumValue {
                ty: t,
                field_off: o,
                name_off: t.btf.u32_at(o),
                bits,
            }
        })
    }

    /// DATASEC variables: VAR type, offset and size inside the section.
    pub fn datasec_vars(&self) -> impl ExactSizeIterator<Item = (u32, u32, u32)> + 'a {
        let t = *self;
        let n = if t.kind == Kind::Datasec {
            t.vlen as usize
        } else {
            0
        };
        (0..n).map(move |i| {
            let o = t.off + raw::TYPE_LEN + 12 * i;
            (
                t.btf.map_id(t.btf.u32_at(o)),
                t.btf.u32_at(o + 4),
                t.btf.u32_at(o + 8),
            )
        })
    }

    /// DECL_TAG `component_idx`: -1 for the tagged type itself, otherwise
    /// the member or parameter index.
    pub fn component_idx(&self) -> Option<i32> {
        (self.kind == Kind::DeclTag).then(|| self.extra(0) as i32)
    }

    /// FUNC linkage (its `vlen`) or VAR linkage.
    pub fn linkage(&self) -> Option<Linkage> {
        match self.kind {
            Kind::Func => Some(Linkage::from_u32(self.vlen as u32)),
            Kind::Var => Some(Linkage::from_u32(self.extra(0))),
            _ => None,
        }
    }
}

/// An ARRAY record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Array {
    /// Element type.
    pub elem: u32,
    /// Index type.
    pub index: u32,
    /// Number of elements.
    pub nelems: u32,
}

/// A STRUCT/UNION member.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    ty: Type<'a>,
    field_off: usize,
    /// Name offset (0: anonymous member).
    pub name_off: u32,
    /// Member type.
    pub type_id: u32,
    /// Offset in bits from the start of the struct.
    pub bit_offset: u32,
    /// Bitfield width, 0 when not a bitfield.
    pub bitfield_size: u32,
}

impl<'a> Member<'a> {
    /// The member's name (`""` when anonymous).
    pub fn name(&self) -> Result<&'a str> {
        self.ty.string(self.field_off, self.name_off)
    }
}

/// A FUNC_PROTO parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param<'a> {
    ty: Type<'a>,
    field_off: usize,
    /// Name offset (0: unnamed, as in function-pointer types).
    pub name_off: u32,
    /// Parameter type (0 in the last position: `...`).
    pub type_id: u32,
}

impl<'a> Param<'a> {
    /// The parameter's name (`""` when unnamed).
    pub fn name(&self) -> Result<&'a str> {
        self.ty.string(self.field_off, self.name_off)
    }
}

/// An ENUM/ENUM64 value.
#[derive(Debug, Clone, Copy)]
pub struct EnumValue<'a> {
    ty: Type<'a>,
    field_off: usize,
    /// Name offset.
    pub name_off: u32,
    /// The value's 64 bits (sign-extended for signed 32-bit enums).
    pub bits: u64,
}

impl<'a> EnumValue<'a> {
    /// The enumerator's name.
    pub fn name(&self) -> Result<&'a str> {
        self.ty.string(self.field_off, self.name_off)
    }
}
