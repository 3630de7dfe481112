//! Any `.BTF_ids` section, with any `__BTF_ID__*` symbols, against the
//! small base BTF: the set8 readers by symbol and by structure.
#![no_main]

use arbitrary::Arbitrary;
use kfuncdoc::btf::btf_ids;
use kfuncdoc::btf::elf::IdSymbol;
use kfuncdoc::btf::raw::Endian;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    big: bool,
    kf_mask: u32,
    has_kfuncs_bit: Option<bool>,
    symbols: Vec<(u8, String, u64, u64)>,
    data: Vec<u8>,
}

const PREFIXES: [&str; 4] = [
    "__BTF_ID__set8__",
    "__BTF_ID__func__",
    "__BTF_ID__set__",
    "__BTF_ID__",
];

fuzz_target!(|inp: Input| {
    let btf = kfuncdoc_fuzz::base();
    let e = if inp.big { Endian::Big } else { Endian::Little };
    let symbols: Vec<IdSymbol> = inp
        .symbols
        .iter()
        .map(|(p, name, offset, size)| IdSymbol {
            name: format!("{}{name}", PREFIXES[*p as usize % PREFIXES.len()]),
            offset: *offset,
            size: *size,
        })
        .collect();
    let (mut sets, _) = btf_ids::from_symbols(&inp.data, e, &symbols, &btf);
    btf_ids::mark_kfunc_sets(&mut sets, inp.has_kfuncs_bit);
    let mut found = btf_ids::structural(&inp.data, e, &btf, inp.kf_mask);
    btf_ids::mark_kfunc_sets(&mut found, inp.has_kfuncs_bit);
    for s in &symbols {
        let _ = btf_ids::func_symbol_name(&s.name);
    }
});
