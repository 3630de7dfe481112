//! Extraction from a kernel source tree: every kfunc of every registered
//! kfunc set, with flags, program types, definition, documentation and
//! subsystem.
//!
//! This is an edge module: it reads the tree. The work is split so that
//! only I/O lives here:
//! - [`walk`] finds the files that mention kfunc macros (parallel, with a
//!   byte-level prefilter) and [`scan`] parses each of them on the worker
//!   thread that read it;
//! - a second, targeted pass looks for what the first could not see:
//!   definitions of "existing" kernel functions registered as kfuncs with no
//!   marker at all, and callers of registration helper functions;
//! - [`assemble`] turns the parsed files into the catalog (pure).
//!
//! Version-dependent tables (`KF_*` bits, program-type hooks, argument
//! suffixes) come from the tree itself; the built-in tables of
//! [`crate::kernel`] stand in when a tree lacks them.

pub mod assemble;
pub mod cdecl;
pub mod cexpr;
pub mod filter;
pub mod implicit;
pub mod includes;
pub mod kdoc;
pub mod kdoc_file;
pub mod kdoc_rst;
pub mod lex;
pub mod lookups;
pub mod macros;
pub mod maintainers;
pub mod memo;
pub mod notices;
pub mod resolve;
pub mod scan;
pub mod treefile;
pub mod usage;
pub mod walk;

use crate::diag::{self, Code, Diagnostic};
use crate::error::{Error, Result};
use crate::kernel::{
    KernelVersion, attach, flags, hooks, implicit as implicit_args, kerneldoc, progtypes, suffixes,
};
use crate::model::{Catalog, InputInfo, KernelInfo};
use assemble::Tables;
use maintainers::Maintainers;
pub use memo::Memo;
use scan::FileFacts;
use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::Mutex;
use treefile::TreeFile;
use walk::Found;

/// Byte strings that every file stating a kfunc fact contains: set entries,
/// marked definitions, id sets and their registration.
pub const NEEDLES: &[&str] = &["BTF_ID_FLAGS", "__bpf_kfunc", "btf_kfunc_id_set"];

/// How many targeted passes may follow the first walk.
const MAX_ROUNDS: usize = 3;

/// Reads `VERSION`, `PATCHLEVEL`, `SUBLEVEL` and `EXTRAVERSION` from the
/// top-level Makefile.
pub fn makefile_version(text: &str) -> Option<(String, KernelVersion)> {
    let var = |name: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == name).then(|| v.trim().to_string())
        })
    };
    let major: u32 = var("VERSION")?.parse().ok()?;
    let minor: u32 = var("PATCHLEVEL")?.parse().ok()?;
    let patch: u32 = var("SUBLEVEL").and_then(|s| s.parse().ok()).unwrap_or(0);
    let extra = var("EXTRAVERSION").unwrap_or_default();
    let text = format!("{major}.{minor}.{patch}{extra}");
    Some((
        text,
        KernelVersion::from_makefile(major, minor, patch, &extra),
    ))
}

/// A table file of the tree, or `None`: absent (silently: the built-in
/// table stands in and says so), or not read, with a finding saying why.
fn read_opt(tree: &Path, rel: &str, memo: &Memo, diags: &mut Vec<Diagnostic>) -> Option<String> {
    match memo.read(tree, rel) {
        TreeFile::Read(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        TreeFile::Missing => None,
        TreeFile::Outside(target) => {
            diags.push(Diagnostic::in_file(
                Code::BadSymlink,
                rel,
                treefile::outside_message(&target),
            ));
            None
        }
        TreeFile::Failed(e) => {
            diags.push(Diagnostic::in_file(
                Code::UnreadableFile,
                rel,
                format!("cannot read: {e}"),
            ));
            None
        }
    }
}

/// The version tables: from the tree where it has them.
fn tables(tree: &Path, version: KernelVersion, memo: &Memo, diags: &mut Vec<Diagnostic>) -> Tables {
    let flags =
        match read_opt(tree, "include/linux/btf.h", memo, diags).map(|t| flags::parse_btf_h(&t)) {
            Some(t) if !t.flags.is_empty() => t,
            _ => {
                diags.push(Diagnostic::in_file(
                    Code::FlagTableMissing,
                    "include/linux/btf.h",
                    format!(
                        "no KF_* definitions; using kfuncdoc's table for {}",
                        version.release()
                    ),
                ));
                flags::builtin(version)
            }
        };
    let hooks = match read_opt(tree, "kernel/bpf/btf.c", memo, diags)
        .and_then(|t| hooks::parse_btf_c(&t))
    {
        Some(t) => t,
        None => {
            diags.push(Diagnostic::in_file(
                Code::HookTableMissing,
                "kernel/bpf/btf.c",
                format!(
                    "no bpf_prog_type_to_kfunc_hook(); using kfuncdoc's table for {}",
                    version.release()
                ),
            ));
            hooks::builtin(version)
        }
    };
    let verifier = read_opt(tree, "kernel/bpf/verifier.c", memo, diags).unwrap_or_default();
    let found = suffixes::parse_verifier_c(&verifier);
    let suffixes = if found.is_empty() {
        suffixes::builtin(version)
    } else {
        suffixes::SuffixTable::new(found)
    };
    let sleepable = progtypes::parse_verifier_c(&verifier)
        .unwrap_or_else(|| progtypes::builtin_sleepable(version));
    let kernel_doc_python =
        read_opt(tree, "scripts/kernel-doc", memo, diags).is_some_and(|t| kerneldoc::is_python(&t));
    Tables {
        flags,
        hooks,
        suffixes,
        sleepable,
        kernel_doc_python,
    }
}

/// The types of implicit kfunc arguments: the tree's `resolve_btfids`
/// table, else kfuncdoc's for the version (empty before 7.0, where the
/// tool has none and no kfunc is flagged).
fn implicit_table(
    tree: &Path,
    version: KernelVersion,
    memo: &Memo,
    diags: &mut Vec<Diagnostic>,
) -> implicit_args::ImplicitTable {
    read_opt(tree, "tools/bpf/resolve_btfids/main.c", memo, diags)
        .and_then(|t| implicit_args::parse_resolve_btfids(&t))
        .map(implicit_args::ImplicitTable::new)
        .unwrap_or_else(|| implicit_args::builtin(version))
}

fn collect(
    found: Found,
    rel: &str,
    memo: &Memo,
    facts: &Mutex<Vec<FileFacts>>,
    diags: &Mutex<Vec<Diagnostic>>,
) {
    match found {
        Found::Match(bytes) => {
            let f = memo.scan(rel, bytes);
            facts.lock().unwrap_or_else(|e| e.into_inner()).push(f);
        }
        Found::Problem(d) => diags.lock().unwrap_or_else(|e| e.into_inner()).push(d),
    }
}

fn load_maintainers(tree: &Path, memo: &Memo, diags: &mut Vec<Diagnostic>) -> Option<Maintainers> {
    let problem = |why: String| {
        Diagnostic::in_file(
            Code::MaintainersProblem,
            "MAINTAINERS",
            format!("{why}; no subsystems"),
        )
    };
    let text = match memo.read(tree, "MAINTAINERS") {
        TreeFile::Read(b) => String::from_utf8_lossy(&b).into_owned(),
        TreeFile::Missing => {
            diags.push(problem("not found".into()));
            return None;
        }
        TreeFile::Outside(target) => {
            diags.push(problem(treefile::outside_message(&target)));
            return None;
        }
        TreeFile::Failed(e) => {
            diags.push(problem(format!("cannot read: {e}")));
            return None;
        }
    };
    let m = Maintainers::parse(&text);
    for bad in m.bad_regexes() {
        diags.push(Diagnostic::at(
            Code::MaintainersProblem,
            &crate::loc::Loc::new("MAINTAINERS", bad.line, 1),
            format!(
                "N: pattern `{}` of `{}` is not a valid regex; skipped",
                bad.pattern, bad.section
            ),
        ));
    }
    Some(m)
}

/// The kernel version of the source tree `tree`, from its top-level
/// Makefile; an error when `tree` is not a kernel source tree. Cheap, so
/// callers can check a tree before starting slower work beside it.
pub fn tree_version(tree: &Path) -> Result<(String, KernelVersion)> {
    let meta = std::fs::metadata(tree).map_err(|e| Error::io(tree, e))?;
    if !meta.is_dir() {
        return Err(Error::NotATree {
            path: tree.to_path_buf(),
            what: "a directory",
        });
    }
    let makefile = match treefile::read(tree, "Makefile") {
        TreeFile::Read(b) => b,
        TreeFile::Missing => {
            return Err(Error::NotATree {
                path: tree.to_path_buf(),
                what: "Makefile",
            });
        }
        TreeFile::Outside(target) => {
            return Err(Error::io(
                tree.join("Makefile"),
                std::io::Error::other(treefile::outside_message(&target)),
            ));
        }
        TreeFile::Failed(e) => return Err(Error::io(tree.join("Makefile"), e)),
    };
    makefile_version(&String::from_utf8_lossy(&makefile)).ok_or(Error::NotATree {
        path: tree.to_path_buf(),
        what: "VERSION in Makefile",
    })
}

/// Extracts the catalog of the kernel source tree at `tree`.
pub fn extract(tree: &Path) -> Result<Catalog> {
    extract_with(tree, &mut Memo::new())
}

/// Extracts the catalog of the kernel source tree at `tree`, reusing what
/// `memo` knows of files whose content has not changed since an earlier
/// extraction with it (and remembering what it learns). The catalog is the
/// one [`extract`] gives.
pub fn extract_with(tree: &Path, memo: &mut Memo) -> Result<Catalog> {
    let memo = &*memo;
    let (version_text, version) = tree_version(tree)?;

    // The tables and MAINTAINERS are read on a thread of their own while
    // the walk runs.
    let loader = |diags: &mut Vec<Diagnostic>| {
        let tables = tables(tree, version, memo, diags);
        let maintainers = load_maintainers(tree, memo, diags);
        let implicit = implicit_table(tree, version, memo, diags);
        (tables, maintainers, implicit)
    };
    let needles = walk::Needles::new(NEEDLES).map_err(|_| Error::Usage("internal: bad needles"))?;
    let facts = Mutex::new(Vec::new());
    let found_diags = Mutex::new(Vec::new());
    let mut diags = Vec::new();
    let ((tables, maintainers, implicit_types), walked) = std::thread::scope(|s| {
        let loaded = s.spawn(|| loader(&mut diags));
        let walked = walk::walk(tree, &needles, memo, &|rel, found| {
            collect(found, rel, memo, &facts, &found_diags)
        });
        (
            loaded
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            walked,
        )
    });
    diags.extend(walked.diags);
    let mut facts = facts.into_inner().unwrap_or_else(|e| e.into_inner());

    facts.sort_by(|a, b| a.path.cmp(&b.path));
    let is_dir = |p: &str| tree.join(p).is_dir();
    let mut out = assemble::assemble(&facts, &tables, maintainers.as_ref(), &is_dir);

    // Further passes, only while the previous one left names unexplained:
    // definitions of existing kernel functions registered with no marker
    // (6.1-era `crash_kexec`, the `tcp_reno_*` congestion helpers), callers
    // of registration helpers in files that mention no kfunc macro, and
    // headers defining the X-macros some sets are built from. Each name is
    // searched for once; a few rounds cover every chain seen in real trees.
    let mut searched = HashSet::new();
    for _round in 0..MAX_ROUNDS {
        let macros: BTreeSet<String> = out
            .unexpanded_macros
            .iter()
            .filter(|n| !searched.contains(*n))
            .cloned()
            .collect();
        let names: Vec<String> = out
            .missing_names()
            .into_iter()
            .filter(|n| !searched.contains(n) && !macros.contains(n))
            .collect();
        if macros.is_empty() && names.is_empty() {
            break;
        }
        searched.extend(macros.iter().cloned());
        searched.extend(names.iter().cloned());
        let parsed: HashSet<String> = facts.iter().map(|f| f.path.clone()).collect();
        let mut more = Vec::new();
        if !macros.is_empty() {
            let users: Vec<&FileFacts> = facts
                .iter()
                .filter(|f| f.sets.iter().any(|s| !s.uses.is_empty()))
                .collect();
            more.extend(includes::headers_defining(
                tree, &users, &macros, &parsed, memo,
            ));
        }
        if !names.is_empty() {
            // Definitions and calls of non-inline functions live in .c files.
            let rest: Vec<&str> = walked
                .files
                .iter()
                .map(String::as_str)
                .filter(|f| f.ends_with(".c") && !parsed.contains(*f))
                .collect();
            let needles =
                walk::Needles::new(&names).map_err(|_| Error::Usage("internal: bad names"))?;
            let found = Mutex::new(Vec::new());
            walk::search_list(tree, &rest, &needles, memo, &|rel, f| {
                collect(f, rel, memo, &found, &found_diags)
            });
            more.extend(found.into_inner().unwrap_or_else(|e| e.into_inner()));
        }
        if more.is_empty() {
            break;
        }
        facts.extend(more);
        facts.sort_by(|a, b| a.path.cmp(&b.path));
        out = assemble::assemble(&facts, &tables, maintainers.as_ref(), &is_dir);
    }
    implicit::apply(&mut out.kfuncs, &implicit_types);
    // Filter callbacks narrow the program types; attach-type conditions
    // are read against the tree's attach_type_to_prog_type().
    let attach = read_opt(tree, "kernel/bpf/syscall.c", memo, &mut diags)
        .and_then(|t| attach::parse_syscall_c(&t))
        .unwrap_or_default();
    filter::apply(&mut out.kfuncs, &out.sets, &facts, &tables.hooks, &attach);
    notices::attach(&facts, &mut out.kfuncs);
    usage::count(tree, &walked.files, &mut out.kfuncs, &mut diags, memo);
    diags.extend(found_diags.into_inner().unwrap_or_else(|e| e.into_inner()));
    for f in &mut facts {
        diags.append(&mut f.diags);
    }
    diags.extend(out.diags);
    diag::finish(&mut diags);
    Ok(Catalog {
        kernel: KernelInfo {
            version: Some(version_text.clone()),
            sleepable_prog_types: tables.sleepable.clone(),
            inputs: vec![InputInfo {
                kind: "source".into(),
                path: None,
                release: Some(version_text),
            }],
        },
        kfuncs: out.kfuncs,
        sets: out.sets,
        diagnostics: diags,
    })
}
