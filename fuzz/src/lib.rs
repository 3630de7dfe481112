//! Helpers shared by kfuncdoc's fuzz targets (`fuzz_targets/`): a small
//! base BTF for inputs that need one, and the properties the escapers'
//! output must have (text that never becomes RST or Markdown markup).
//!
//! The properties are checked here in pure Rust so that a fuzzer can run
//! them millions of times; `tests/render_text.rs` in the main crate checks
//! the same escapers against docutils itself on fixed cases.

#![allow(clippy::unwrap_used)]

pub mod markup;

use kfuncdoc::btf::Btf;
use kfuncdoc::btf::bytes::Bytes;
use std::sync::{Arc, OnceLock};

/// Names of the FUNC types in [`base`], ids 3 to 10.
pub const BASE_FUNCS: [&str; 8] = [
    "bpf_a", "bpf_b", "bpf_c", "bpf_d", "bpf_e", "bpf_f", "bpf_g", "bpf_h",
];

/// Raw BTF: `[1] INT int`, `[2] FUNC_PROTO int (int x)`, `[3..=10]` FUNCs
/// named [`BASE_FUNCS`] of that prototype, `[11]` a `bpf_kfunc` DECL_TAG on
/// `[3]`: the smallest base with something for a module or a `.BTF_ids`
/// set to point at.
pub fn base_btf_bytes() -> Vec<u8> {
    let mut strs: Vec<u8> = vec![0];
    let mut s = |t: &str| {
        let off = strs.len() as u32;
        strs.extend(t.as_bytes());
        strs.push(0);
        off
    };
    let int = s("int");
    let x = s("x");
    let names: Vec<u32> = BASE_FUNCS.iter().map(|n| s(n)).collect();
    let tag = s("bpf_kfunc");
    let mut types: Vec<u32> = Vec::new();
    // [1] INT, size 4, signed, 32 bits.
    types.extend([int, 1 << 24, 4, (1 << 24) | 32]);
    // [2] FUNC_PROTO returning [1], one parameter x of type [1].
    types.extend([0, (13 << 24) | 1, 1, x, 1]);
    // [3..=10] FUNC, global linkage, of [2].
    for n in names {
        types.extend([n, (12 << 24) | 1, 2]);
    }
    // [11] DECL_TAG bpf_kfunc on [3], component -1.
    types.extend([tag, 17 << 24, 3, u32::MAX]);
    let tlen = (types.len() * 4) as u32;
    let mut v = vec![0x9f, 0xeb, 1, 0];
    for w in [24, 0, tlen, tlen, strs.len() as u32] {
        v.extend(w.to_le_bytes());
    }
    for w in types {
        v.extend(w.to_le_bytes());
    }
    v.extend(&strs);
    v
}

/// [`base_btf_bytes`], parsed once.
pub fn base() -> Arc<Btf> {
    static BASE: OnceLock<Arc<Btf>> = OnceLock::new();
    BASE.get_or_init(|| Arc::new(Btf::parse(Bytes::from_vec(base_btf_bytes())).unwrap()))
        .clone()
}
