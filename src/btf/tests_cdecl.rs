//! The C printer against hand-written expectations and, on the same blobs,
//! against the reference bpftool 7.5 (`.ci/build-bpftool`; a missing binary
//! fails the test unless `KFUNCDOC_OFFLINE=1`).
//!
//! The blob covers what kfunc prototypes can contain: `void` and varargs
//! prototypes, function pointers as parameters and results, arrays and
//! pointers to arrays, `const`/`volatile`/`restrict` on pointers and
//! pointees, anonymous structs/unions/enums printed inline (bitfields,
//! padding, `packed`, `mode(byte)`), ENUM64, type tags, forward
//! declarations, and names libbpf must rename (two `struct foo`, two
//! `typedef u8`, a typedef named like an enumerator, an anonymous enum
//! printed twice).

use super::bytes::Bytes;
use super::raw::Kind;
use super::testutil::B;
use super::types::Btf;
use super::*;

/// The blob and its kfunc ids in decl-tag order.
fn rich() -> (B, Vec<u32>) {
    let mut b = B::new();
    let int = b.int("int", 4, 1);
    let chr = b.int("char", 1, 2);
    let long = b.int("long", 8, 1);
    let uchar = b.int("unsigned char", 1, 0);
    let dbl = b.float("double", 8);
    let void_p = b.ptr(0);
    let cchar = b.konst(chr);
    let cchar_p = b.ptr(cchar);
    let foo1 = b.strukt("foo", 8, &[("a", int, 0), ("b", int, 32)]);
    let foo2 = b.strukt("foo", 16, &[("x", long, 0), ("y", long, 64)]);
    let u8a = b.typedef("u8", uchar);
    let u8b = b.typedef("u8", uchar);
    let my_td = b.typedef("my_td", int);
    b.enm("holder", 4, false, &[("my_td", 0), ("OTHER", 1)]);
    let opaque = b.fwd("opaque", false);
    let opaque_u = b.fwd("opaque_u", true);
    let named_enum = b.enm("color", 4, false, &[("RED", 0), ("GREEN", 1)]);
    let e64 = b.enum64("big", 8, false, &[("HUGE", 1 << 40), ("SMALL", 1)]);
    let anon_enum = b.enm("", 4, true, &[("AA", -1), ("BB", 2)]);
    let tiny_enum = b.enm("", 1, false, &[("T0", 0)]);
    let word_enum = b.enm("", 8, false, &[("W0", 0)]);
    let anon64 = b.enum64("", 8, true, &[("N64", -5)]);
    let anon_struct = b.composite(
        Kind::Struct,
        "",
        24,
        &[
            ("a", int, 0, 0),
            ("bits", chr, 32, 3),
            ("more", chr, 35, 2),
            ("c", long, 128, 0),
        ],
    );
    let packed = b.strukt("", 5, &[("c", chr, 0), ("i", int, 8)]);
    let arr4 = b.array(chr, int, 4);
    let anon_union = b.composite(Kind::Union, "", 4, &[("x", int, 0, 0), ("y", arr4, 0, 0)]);
    let anon_union_p = b.ptr(anon_union);
    let cb_proto = b.proto(int, &[("", void_p), ("", int)]);
    let cb = b.ptr(cb_proto);
    let ret_proto = b.proto(0, &[("", int)]);
    let ret_fp = b.ptr(ret_proto);
    let arr3 = b.array(chr, int, 3);
    let arr23 = b.array(arr3, int, 2);
    let arr5 = b.array(int, int, 5);
    let p_arr5 = b.ptr(arr5);
    let void_proto = b.proto(int, &[]);
    let fp_void = b.ptr(void_proto);
    let arr_fp = b.array(fp_void, int, 3);
    let cint = b.konst(int);
    let vcint = b.volatile(cint);
    let vcint_p = b.ptr(vcint);
    let int_p = b.ptr(int);
    let int_p_r = b.restrict(int_p);
    let int_p_rc = b.konst(int_p_r);
    let cfoo = b.konst(foo1);
    let cfoo_p = b.ptr(cfoo);
    let foo1_p = b.ptr(foo1);
    let foo2_p = b.ptr(foo2);
    let tagged = b.type_tag("address_space(1)", 0);
    let tagged_p = b.ptr(tagged);
    let opaque_p = b.ptr(opaque);
    let opaque_u_p = b.ptr(opaque_u);

    let k = vec![
        b.kfunc("k_void", 0, &[]),
        b.kfunc("k_varargs", int, &[("fmt", cchar_p), ("", 0)]),
        b.kfunc("k_fnptr", int, &[("cb", cb), ("ctx", void_p)]),
        b.kfunc("k_ret_fnptr", ret_fp, &[("x", int)]),
        b.kfunc(
            "k_arrays",
            0,
            &[("b", arr23), ("p", p_arr5), ("fps", arr_fp)],
        ),
        b.kfunc("k_cv", vcint_p, &[("p", int_p_rc), ("f", cfoo_p)]),
        b.kfunc("k_anon_struct", int, &[("s", anon_struct), ("pk", packed)]),
        b.kfunc("k_anon_union", int, &[("u", anon_union_p)]),
        b.kfunc(
            "k_anon_enum",
            anon_enum,
            &[("e", anon_enum), ("t", tiny_enum)],
        ),
        b.kfunc(
            "k_anon_enum2",
            int,
            &[("e", anon_enum), ("w", word_enum), ("n", anon64)],
        ),
        b.kfunc("k_dup", int, &[("a", foo1_p), ("b", foo2_p)]),
        b.kfunc("k_u8", u8a, &[("a", u8a), ("b", u8b), ("m", my_td)]),
        b.kfunc("k_arena", tagged_p, &[("p", tagged_p)]),
        b.kfunc(
            "k_misc",
            dbl,
            &[
                ("c", named_enum),
                ("b", e64),
                ("o", opaque_p),
                ("ou", opaque_u_p),
            ],
        ),
    ];
    (b, k)
}

fn printed(b: &B, ids: &[u32]) -> Vec<String> {
    let btf = Btf::parse(Bytes::from_vec(b.build())).expect("parses");
    kfuncs::prototypes(&btf, ids).expect("prints")
}

#[test]
fn prints_declarations_like_libbpf() {
    let (b, ids) = rich();
    let got = printed(&b, &ids);
    let want = [
        "void k_void(void)",
        "int k_varargs(const char *fmt, ...)",
        "int k_fnptr(int (*cb)(void *, int), void *ctx)",
        "void (*k_ret_fnptr(int x))(int)",
        "void k_arrays(char b[2][3], int (*p)[5], int (*fps[3])(void))",
        "const volatile int *k_cv(int * restrict const p, const struct foo *f)",
    ];
    assert_eq!(got[..want.len()], want);
    assert!(
        got[6].starts_with(
            "int k_anon_struct(struct {\n\tint a;\n\tchar bits: 3;\n\tchar more: 2;\n"
        ),
        "{}",
        got[6]
    );
    assert!(
        got[6].contains("} __attribute__((packed)) pk)"),
        "{}",
        got[6]
    );
    assert_eq!(
        got[7],
        "int k_anon_union(union {\n\tint x;\n\tchar y[4];\n} *u)"
    );
    // Enumerators count each time an enum body is printed: the return
    // type's, the parameter's, then the next kfunc's.
    assert!(
        got[8].starts_with("enum {\n\tAA = -1,\n\tBB = 2,\n} k_anon_enum(enum {\n\tAA___2 = -1,"),
        "{}",
        got[8]
    );
    assert!(
        got[8].ends_with("} e, enum {\n\tT0 = 0,\n} __attribute__((mode(byte))) t)"),
        "{}",
        got[8]
    );
    assert!(got[9].contains("AA___3 = -1"), "{}", got[9]);
    assert!(
        got[9].contains("} __attribute__((mode(word))) w"),
        "{}",
        got[9]
    );
    assert!(got[9].contains("N64 = -5LL"), "{}", got[9]);
    assert_eq!(
        got[12],
        "void __attribute__((btf_type_tag(\"address_space(1)\"))) *k_arena(void __attribute__((btf_type_tag(\"address_space(1)\"))) *p)"
    );
    assert_eq!(
        got[13],
        "double k_misc(enum color c, enum big b, struct opaque *o, union opaque_u *ou)"
    );
    // Exactly one of the two `struct foo` and one of the two `u8` is renamed.
    assert!(
        got[10].contains("___2") && got[11].contains("u8___2"),
        "{}\n{}",
        got[10],
        got[11]
    );
}

#[test]
fn matches_bpftool_on_built_blobs() {
    let Some(bpftool) = super::real_tests::bpftool_path() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("kfuncdoc-cdecl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (mut b, ids) = rich();
    for big in [false, true] {
        b.big = big;
        let file = dir.join(format!("rich-{big}.btf"));
        std::fs::write(&file, b.build()).expect("writes the blob");
        let theirs = super::real_tests::bpftool_kfunc_decls(&bpftool, &file);
        let ours = printed(&b, &ids);
        assert_eq!(ours, theirs, "big-endian: {big}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Duplicate names without enum bodies in prototypes: the replay stops
/// early. `struct aaa` sorts first and embeds the *second* `struct foo`,
/// so bpftool names that one `foo` and the first `foo___2`; the enumerator
/// `my_td` (enums dump before typedefs) pushes the typedef to `my_td___2`.
fn dup_names() -> (B, Vec<u32>) {
    let mut b = B::new();
    let int = b.int("int", 4, 1);
    let foo_a = b.strukt("foo", 4, &[("a", int, 0)]);
    let foo_b = b.strukt("foo", 8, &[("b", int, 0), ("c", int, 32)]);
    b.strukt("aaa", 8, &[("x", foo_b, 0)]);
    let my_td = b.typedef("my_td", int);
    b.enm("holder", 4, false, &[("my_td", 0)]);
    // bpftool never dumps the type that sorts first (index 0 of its
    // sorted array); without this enum that would be `holder`.
    b.enm("aaa_first", 4, false, &[("Z", 0)]);
    let pa = b.ptr(foo_a);
    let pb = b.ptr(foo_b);
    let k = b.kfunc("k", my_td, &[("a", pa), ("b", pb)]);
    (b, vec![k])
}

#[test]
fn renames_in_bpftool_dump_order() {
    let (b, ids) = dup_names();
    assert_eq!(
        printed(&b, &ids),
        ["my_td___2 k(struct foo___2 *a, struct foo *b)"]
    );
    let Some(bpftool) = super::real_tests::bpftool_path() else {
        return;
    };
    let file = std::env::temp_dir().join(format!("kfuncdoc-dup-{}.btf", std::process::id()));
    std::fs::write(&file, b.build()).expect("writes the blob");
    let theirs = super::real_tests::bpftool_kfunc_decls(&bpftool, &file);
    let _ = std::fs::remove_file(&file);
    assert_eq!(printed(&b, &ids), theirs);
}
