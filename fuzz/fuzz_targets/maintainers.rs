//! Any text as `MAINTAINERS`: the parser, its `N:` regexes, and lookups of
//! paths (the lines of the input that look like paths, and a few fixed
//! ones).
#![no_main]

use kfuncdoc::source::maintainers::Maintainers;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let m = Maintainers::parse(text);
    let _ = (m.len(), m.is_empty());
    let _ = m.bad_regexes();
    let fixed = [
        "kernel/bpf/helpers.c",
        "net/core/filter.c",
        "fs/bpf_fs_kfuncs.c",
        "x",
    ];
    let from_input = text
        .lines()
        .filter_map(|l| l.get(3..))
        .filter(|p| !p.is_empty() && p.len() < 200)
        .take(16);
    for p in fixed.into_iter().chain(from_input) {
        let _ = m.lookup(p, &|d| d.ends_with('/'));
    }
});
