//! Unit tests of the byte layout and the type model on built blobs: every
//! kind in both byte orders, larger headers, split BTF, distilled-base
//! relocation, cycles, and each class of malformed input (which must give
//! an error naming the offset and type id, never a panic).

use super::bytes::Bytes;
use super::error::BtfError;
use super::raw::{Endian, Kind, Linkage};
use super::testutil::B;
use super::types::Btf;
use super::*;
use std::sync::Arc;

fn parse(b: &B) -> Result<Btf> {
    Btf::parse(Bytes::from_vec(b.build()))
}

/// One of each kind; returns the builder and the ids in kind order.
fn all_kinds(big: bool) -> (B, Vec<u32>) {
    let mut b = B::new();
    b.big = big;
    let int = b.int("int", 4, 1);
    let ptr = b.ptr(int);
    let arr = b.array(int, int, 7);
    let st = b.composite(
        Kind::Struct,
        "s",
        8,
        &[("a", int, 0, 0), ("bf", int, 32, 3)],
    );
    let un = b.strukt("u_unused", 4, &[]);
    let un = {
        let _ = un;
        b.composite(Kind::Union, "u", 4, &[("x", int, 0, 0)])
    };
    let en = b.enm("e", 4, true, &[("NEG", -2), ("POS", 3)]);
    let fwd = b.fwd("f", true);
    let td = b.typedef("td", int);
    let vol = b.volatile(int);
    let cst = b.konst(int);
    let rst = b.restrict(ptr);
    let proto = b.proto(int, &[("p", ptr), ("", 0)]);
    let func = b.func("fn", proto);
    let var = b.var("v", int);
    let sec = b.datasec(".data", 4, &[(var, 0, 4)]);
    let flt = b.float("double", 8);
    let tag = b.decl_tag("tag", func, -1);
    let tt = b.type_tag("address_space(1)", int);
    let e64 = b.enum64("e64", 8, false, &[("BIG", 1 << 40)]);
    let ids = vec![
        int, ptr, arr, st, un, en, fwd, td, vol, cst, rst, proto, func, var, sec, flt, tag, tt, e64,
    ];
    (b, ids)
}

#[test]
fn reads_every_kind_in_both_byte_orders() {
    for big in [false, true] {
        let (b, ids) = all_kinds(big);
        let btf = parse(&b).expect("parses");
        assert_eq!(btf.endian(), if big { Endian::Big } else { Endian::Little });
        let kinds: Vec<Kind> = ids.iter().map(|&i| btf.get(i).unwrap().kind()).collect();
        use Kind::*;
        assert_eq!(
            kinds,
            [
                Int, Ptr, Array, Struct, Union, Enum, Fwd, Typedef, Volatile, Const, Restrict,
                FuncProto, Func, Var, Datasec, Float, DeclTag, TypeTag, Enum64
            ]
        );
        let g = |i: usize| btf.get(ids[i]).unwrap();
        assert_eq!(g(0).int_info(), Some((1, 0, 32)));
        assert_eq!(g(2).array().unwrap().nelems, 7);
        let m: Vec<_> = g(3)
            .members()
            .map(|m| (m.name().unwrap(), m.bit_offset, m.bitfield_size))
            .collect();
        assert_eq!(m, [("a", 0, 0), ("bf", 32, 3)]);
        let v: Vec<_> = g(5)
            .enum_values()
            .map(|v| (v.name().unwrap(), v.bits as i64))
            .collect();
        assert_eq!(v, [("NEG", -2), ("POS", 3)]);
        assert!(g(6).kind_flag(), "union forward");
        let p: Vec<_> = g(11)
            .params()
            .map(|p| (p.name().unwrap(), p.type_id))
            .collect();
        assert_eq!(p, [("p", ids[1]), ("", 0)]);
        assert_eq!(g(12).linkage(), Some(Linkage::Global));
        assert_eq!(g(12).type_id(), ids[11]);
        assert_eq!(g(13).linkage(), Some(Linkage::Global));
        assert_eq!(g(14).datasec_vars().collect::<Vec<_>>(), [(ids[13], 0, 4)]);
        assert_eq!(g(16).component_idx(), Some(-1));
        assert!(g(17).kind_flag(), "type tag attribute");
        assert_eq!(g(18).enum_values().next().unwrap().bits, 1 << 40);
        assert_eq!(btf.resolve(ids[9]).unwrap().id(), ids[0], "const int → int");

        // btf-rs agrees on every name and kind.
        let oracle = btf_rs::Btf::from_bytes(&b.build()).expect("btf-rs parses");
        for t in btf.all_types() {
            let o = oracle
                .resolve_type_by_id(t.id())
                .expect("btf-rs has the id");
            assert_eq!(o.name(), t.kind().name().replace('_', "-"), "[{}]", t.id());
        }
    }
}

#[test]
fn honours_larger_headers_and_rejects_short_ones() {
    let (mut b, ids) = all_kinds(false);
    b.hdr_extra = 16;
    let btf = parse(&b).expect("hdr_len 40 parses");
    assert_eq!(btf.get(ids[12]).unwrap().name().unwrap(), "fn");
    let mut data = B::new().build();
    data[4] = 20;
    let e = Btf::parse(Bytes::from_vec(data)).unwrap_err();
    assert!(matches!(e, BtfError::BadHeader { offset: 4, .. }), "{e}");
}

fn err(data: Vec<u8>) -> BtfError {
    Btf::parse(Bytes::from_vec(data)).expect_err("must be rejected")
}

#[test]
fn rejects_bad_headers() {
    assert!(matches!(err(vec![]), BtfError::Truncated { offset: 0, .. }));
    assert!(matches!(
        err(vec![0x9f, 0xeb, 1, 0]),
        BtfError::Truncated {
            need: 24,
            have: 4,
            ..
        }
    ));
    assert!(matches!(
        err(vec![0x7f, b'E', b'L', b'F']),
        BtfError::BadMagic { found: 0x457f }
    ));
    let good = B::new().build();
    let mut d = good.clone();
    d[2] = 2;
    assert!(matches!(err(d), BtfError::BadHeader { offset: 2, .. }));
    let mut d = good.clone();
    d[12] = 0xff; // type_len past the end
    assert!(matches!(err(d), BtfError::BadHeader { offset: 8, .. }));
    let mut d = good.clone();
    d[20] = 0x40; // str_len past the end
    assert!(matches!(err(d), BtfError::BadHeader { offset: 16, .. }));
    let mut d = good.clone();
    d[4] = 0xff; // hdr_len past the end
    assert!(matches!(err(d), BtfError::Truncated { .. }));
}

#[test]
fn rejects_bad_records_with_offset_and_type_id() {
    // A name offset past the strings.
    let mut b = B::new();
    b.int("int", 4, 0);
    b.raw(0x1000, Kind::Ptr as u8, 0, false, 1, &[]);
    let e = parse(&b).unwrap_err();
    assert!(
        matches!(
            e,
            BtfError::BadString {
                offset: 40,
                type_id: Some(2),
                name_off: 0x1000,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("byte 0x28 (type [2])"), "{e}");

    // A reference to a type that does not exist.
    let mut b = B::new();
    b.ptr(9);
    let e = parse(&b).unwrap_err();
    assert!(
        matches!(
            e,
            BtfError::BadTypeRef {
                type_id: 1,
                target: 9,
                last: 1,
                split_hint: true,
                ..
            }
        ),
        "{e}"
    );

    // vlen running past the end, and an absurd vlen with almost no data:
    // rejected before anything is sized by it.
    for vlen in [3u16, 0xffff] {
        let mut b = B::new();
        let int = b.int("int", 4, 0);
        b.raw(0, Kind::Struct as u8, vlen, false, 4, &[0, int, 0]);
        let e = parse(&b).unwrap_err();
        assert!(
            matches!(
                e,
                BtfError::Truncated {
                    offset: 40,
                    type_id: Some(2),
                    ..
                }
            ),
            "{e}"
        );
    }

    // An unknown kind.
    let mut b = B::new();
    b.raw(0, 25, 0, false, 0, &[]);
    assert!(matches!(
        parse(&b).unwrap_err(),
        BtfError::UnknownKind {
            kind: 25,
            type_id: 1,
            offset: 24
        }
    ));
    // Kind 0 is not a record.
    let mut b = B::new();
    b.raw(0, 0, 0, false, 0, &[]);
    assert!(matches!(
        parse(&b).unwrap_err(),
        BtfError::UnknownKind { kind: 0, .. }
    ));

    // A record cut in the middle.
    let mut d = {
        let mut b = B::new();
        b.int("int", 4, 0);
        b.build()
    };
    d[12] = 8; // type_len 8 < 16
    assert!(matches!(
        err(d),
        BtfError::Truncated {
            what: "type record",
            offset: 24,
            type_id: Some(1),
            ..
        }
    ));

    // Strings not NUL-terminated, or (standalone) not starting with "".
    let mut b = B::new();
    b.int("int", 4, 0);
    let mut d = b.build();
    *d.last_mut().unwrap() = b'x';
    assert!(matches!(err(d), BtfError::Malformed { .. }));
    let mut d = b.build();
    let s = d.len() - 5;
    d[s] = b'x';
    assert!(matches!(err(d), BtfError::BadHeader { .. }));

    // A decl tag with component_idx below -1.
    let mut b = B::new();
    let i = b.int("int", 4, 0);
    b.decl_tag("t", i, -5);
    assert!(matches!(
        parse(&b).unwrap_err(),
        BtfError::Malformed {
            type_id: Some(2),
            ..
        }
    ));
}

#[test]
fn cycles_are_errors_not_hangs() {
    // ptr → const → ptr → const ... back to the first pointer.
    let mut b = B::new();
    let p = b.next_id();
    b.ptr(p + 1);
    b.konst(p);
    let td = b.typedef("loop", p + 3);
    b.typedef("loop2", td);
    let _ = td;
    b.kfunc("f", p, &[]);
    // Rejected when read, since issue 10: a pointer chain that never ends
    // means nothing.
    let e = parse(&b).unwrap_err();
    assert!(
        matches!(e, BtfError::BadMeaning { .. }) && e.to_string().contains("reference cycle"),
        "{e}"
    );

    // A function prototype whose parameter is a pointer to itself.
    let mut b = B::new();
    let p = b.next_id();
    b.ptr(p + 1);
    b.proto(0, &[("x", p)]);
    let f = b.func("g", p + 1);
    let btf = parse(&b).unwrap();
    let e = cdecl::Printer::new(&btf).function(p + 1, "g").unwrap_err();
    assert!(matches!(e, BtfError::Cycle { .. }), "{e}");
    assert!(kfuncs::prototypes(&btf, &[f]).is_err());
}

/// A small "vmlinux": int, long, struct foo (8 bytes), enum e.
fn base() -> B {
    let mut b = B::new();
    let int = b.int("int", 4, 1);
    b.int("long", 8, 1);
    b.strukt("foo", 8, &[("a", int, 0), ("b", int, 32)]);
    b.enm("e", 4, false, &[("A", 0)]);
    b
}

#[test]
fn split_btf_continues_ids_and_strings() {
    for big in [false, true] {
        let mut bb = base();
        bb.big = big;
        let base_btf = Arc::new(parse(&bb).unwrap());
        let mut m = B::split(&bb);
        let foo = 3;
        let p = m.ptr(foo);
        let f = m.kfunc("mod_fn", p, &[("x", 1), ("e", 4)]);
        let blob = m.build();
        let btf = Btf::parse_split(Bytes::from_vec(blob.clone()), Some(base_btf.clone())).unwrap();
        assert_eq!(btf.first_id(), 5);
        assert_eq!(p, 5);
        assert_eq!(
            btf.get(1).unwrap().name().unwrap(),
            "int",
            "base ids resolve through the base"
        );
        assert_eq!(btf.get(f).unwrap().name().unwrap(), "mod_fn");
        let str_len = u32::from_le_bytes(blob[20..24].try_into().unwrap());
        let str_len = if big { str_len.swap_bytes() } else { str_len };
        assert_eq!(btf.str_end(), base_btf.str_end() + str_len);
        let protos = kfuncs::prototypes(&btf, &[f]).unwrap();
        assert_eq!(protos, ["struct foo *mod_fn(int x, enum e e)"]);

        // btf-rs reads the same split blob the same way.
        let ob = btf_rs::Btf::from_bytes(&bb.build()).unwrap();
        let os = btf_rs::Btf::from_split_bytes(&blob, &ob).unwrap();
        assert_eq!(os.resolve_ids_by_name("mod_fn").unwrap(), [f]);

        // Without its base, a split blob fails and says why.
        let e = Btf::parse(Bytes::from_vec(blob)).unwrap_err();
        assert!(e.to_string().contains("split BTF? pass its base"), "{e}");
    }
}

#[test]
fn distilled_base_is_relocated_by_name_and_kind() {
    // The real base has two `struct foo`s: only the size tells them apart.
    let mut real = base();
    real.strukt("foo", 16, &[("x", 2, 0), ("y", 2, 64)]); // [5]
    real.fwd("opaque", false); // [6]
    let real_btf = Arc::new(parse(&real).unwrap());

    // The distilled base a module was built against: its own numbering.
    let mut dist = B::new();
    dist.strukt("foo", 16, &[]); // [1]: embedded by the module, so sized
    dist.int("int", 4, 1); // [2]
    dist.fwd("opaque", false); // [3]
    dist.enm("e", 4, false, &[]); // [4]
    let dist_btf = Arc::new(parse(&dist).unwrap());
    let mut m = B::split(&dist);
    let holder = m.strukt("holder", 16, &[("f", 1, 0)]); // [5] embeds foo
    let p = m.ptr(holder);
    let po = m.ptr(3);
    let f = m.kfunc("mod_fn", p, &[("n", 2), ("o", po), ("e", 4)]);
    let split = Btf::parse_split(Bytes::from_vec(m.build()), Some(dist_btf.clone())).unwrap();

    let btf = split::relocate(&split, &dist_btf, real_btf.clone()).unwrap();
    let f = f - dist_btf.type_count() + real_btf.type_count();
    let holder = btf
        .get(holder - dist_btf.type_count() + real_btf.type_count())
        .unwrap();
    assert_eq!(holder.name().unwrap(), "holder");
    assert_eq!(
        holder.members().next().unwrap().type_id,
        5,
        "the 16-byte foo"
    );
    assert_eq!(
        kfuncs::prototypes(&btf, &[f]).unwrap(),
        ["struct holder *mod_fn(int n, struct opaque *o, enum e e)"]
    );

    // Against a base without a 16-byte foo the relocation fails by name.
    let e = split::relocate(&split, &dist_btf, Arc::new(parse(&base()).unwrap())).unwrap_err();
    assert!(
        matches!(&e, BtfError::BaseMismatch { name, .. } if name == "foo"),
        "{e}"
    );
}

/// Every prefix and many single-byte corruptions of a valid blob are read
/// without panicking (errors are fine).
#[test]
fn corrupted_blobs_never_panic() {
    let (mut b, _) = all_kinds(false);
    b.kfunc("k", 1, &[("a", 2), ("b", 3)]);
    let good = b.build();
    let try_all = |d: Vec<u8>| {
        if let Ok(btf) = Btf::parse(Bytes::from_vec(d)) {
            let ids: Vec<u32> = btf
                .own_types()
                .filter(|t| t.kind() == Kind::Func)
                .map(|t| t.id())
                .collect();
            let _ = kfuncs::prototypes(&btf, &ids);
            for t in btf.own_types() {
                let _ = cdecl::Printer::new(&btf).declaration(t.id(), "x");
            }
        }
    };
    for n in 0..good.len() {
        try_all(good[..n].to_vec());
    }
    for i in 0..good.len() {
        for v in [0x00, 0xff, 0x7f, 0x80, 0x13] {
            let mut d = good.clone();
            d[i] = v;
            try_all(d);
        }
    }
}

/// Thousands of nested anonymous structs: printing and replaying bpftool's
/// dump stop at a depth bound with an error instead of overflowing the
/// stack.
#[test]
fn deep_nesting_is_bounded() {
    let mut b = B::new();
    let int = b.int("int", 4, 1);
    let first = b.next_id();
    let n = 5000;
    for i in 0..n {
        let ty = if i == n - 1 { int } else { first + i + 1 };
        b.strukt("", 4, &[("m", ty, 0)]);
    }
    let f = b.kfunc("deep", int, &[("s", first)]);
    let btf = parse(&b).unwrap();
    let e = kfuncs::prototypes(&btf, &[f]).unwrap_err();
    assert!(matches!(e, BtfError::Cycle { .. }), "{e}");
    let mut p = cdecl::Printer::new(&btf);
    let _ = cdump::replay(&mut p, None);
}

/// A module's split BTF read on a different vmlinux than it was built on:
/// its string offsets no longer start strings, and reading says so rather
/// than returning wrong names.
#[test]
fn split_btf_on_the_wrong_base_is_detected() {
    let bb = base();
    let mut m = B::split(&bb);
    let p = m.ptr(3);
    m.kfunc("mod_fn", p, &[("x", 1)]);
    let mut other = base();
    other.int("unsigned int", 4, 0); // shifts the base's string length
    let other = Arc::new(parse(&other).unwrap());
    let e = Btf::parse_split(Bytes::from_vec(m.build()), Some(other)).unwrap_err();
    assert!(e.to_string().contains("different base"), "{e}");
}
