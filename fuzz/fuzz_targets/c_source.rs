//! Any C text as kernel source files: the lexer, the file scanner, the
//! tree's table parsers (`btf.h`'s `KF_*`, `btf.c`'s hooks, `verifier.c`,
//! `syscall.c`, `resolve_btfids`, the Makefile version) and the pure
//! extraction stages after them (assembly, implicit arguments, `.filter`
//! callbacks, notices, kernel-doc warnings).
//!
//! Several files are separated by a line `//==FILE==` (seeds from real
//! trees join a set's file with the files its macros live in).
#![no_main]

use kfuncdoc::kernel::version::KernelVersion;
use kfuncdoc::kernel::{attach, flags, hooks, implicit as implicit_args, progtypes, suffixes};
use kfuncdoc::source::assemble::{self, Tables};
use kfuncdoc::source::lex::Lexer;
use kfuncdoc::source::{filter, implicit, kdoc_file, notices, scan};
use libfuzzer_sys::fuzz_target;

const SEP: &[u8] = b"\n//==FILE==\n";

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(at) = rest.windows(SEP.len()).position(|w| w == SEP) {
        out.push(&rest[..at]);
        rest = &rest[at + SEP.len()..];
    }
    out.push(rest);
    out
}

fuzz_target!(|data: &[u8]| {
    let parts = split(data);
    let first = String::from_utf8_lossy(parts[0]);

    // The lexer alone: tokens in order, inside the text, on sane lines.
    let mut lexer = Lexer::new(&first);
    let mut last = 0;
    for t in lexer.by_ref() {
        assert!(t.start >= last, "token at {} after {}", t.start, last);
        assert!(t.start <= t.end && t.end <= first.len(), "{t:?}");
        last = t.end;
        let _ = t.text(&first);
        let _ = t.end_line(&first);
    }
    let _ = lexer.unterminated_comment();

    // The first file is also each of the tree's fixed files.
    let version: KernelVersion = kfuncdoc::source::makefile_version(&first)
        .map(|(_, v)| v)
        .unwrap_or_else(|| "6.12".parse().unwrap());
    let flag_table = flags::parse_btf_h(&first);
    let flags = if flag_table.flags.is_empty() {
        flags::builtin(version)
    } else {
        flag_table
    };
    let hooks = hooks::parse_btf_c(&first).unwrap_or_else(|| hooks::builtin(version));
    let found = suffixes::parse_verifier_c(&first);
    let suffixes = if found.is_empty() {
        suffixes::builtin(version)
    } else {
        suffixes::SuffixTable::new(found)
    };
    let sleepable = progtypes::parse_verifier_c(&first)
        .unwrap_or_else(|| progtypes::builtin_sleepable(version));
    let attach = attach::parse_syscall_c(&first).unwrap_or_default();
    let implicit_types = implicit_args::parse_resolve_btfids(&first)
        .map(implicit_args::ImplicitTable::new)
        .unwrap_or_else(|| implicit_args::builtin(version));
    let tables = Tables {
        flags,
        hooks,
        suffixes,
        sleepable,
        kernel_doc_python: data.first().is_some_and(|b| b & 1 == 1),
    };

    let files: Vec<scan::FileFacts> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| scan::scan(&format!("kernel/bpf/f{i}.c"), p.to_vec()))
        .collect();
    let mut out = assemble::assemble(&files, &tables, None, &|_| false);
    implicit::apply(&mut out.kfuncs, &implicit_types);
    filter::apply(&mut out.kfuncs, &out.sets, &files, &tables.hooks, &attach);
    notices::attach(&files, &mut out.kfuncs);
    let _ = out.missing_names();
    for f in &files {
        let _ = kdoc_file::warnings(f, tables.kernel_doc_python);
    }
});
