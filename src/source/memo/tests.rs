use super::*;
use crate::source::{extract, extract_with};
use std::path::PathBuf;

/// A copy of the 6.12-era fixture tree, to change files in.
fn fixture_copy(name: &str) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    let d = std::env::temp_dir().join(format!("kfuncdoc-memo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    copy(Path::new("tests/fixtures/trees/linux-6.12-era"), &d);
    d
}

/// `p` relative to `root`, `/`-separated.
fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// The regular files and the directories below `root`, relative.
fn entries(root: &Path) -> (Vec<String>, Vec<String>) {
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(rel(root, &p));
                stack.push(p);
            } else {
                files.push(rel(root, &p));
            }
        }
    }
    (files, dirs)
}

/// Content ids as a caller states them: here a hash of each file's bytes.
fn ids(root: &Path) -> Vec<(String, ContentId)> {
    use std::hash::{Hash, Hasher};
    let (files, _) = entries(root);
    files
        .into_iter()
        .map(|f| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(root.join(&f)).unwrap().hash(&mut h);
            (f, h.finish().to_le_bytes().to_vec())
        })
        .collect()
}

/// Every directory below `root`, relative, as a caller of
/// [`Memo::set_listing`] states them.
fn dirs(root: &Path) -> Vec<String> {
    entries(root).1
}

fn json(c: &crate::model::Catalog) -> serde_json::Value {
    serde_json::to_value(c).unwrap()
}

const FILE: &str = "fs/bpf_fs_kfuncs.c";

/// Adds the kfunc `bpf_memo_probe` to [`FILE`]: a definition and a set entry.
fn add_probe(tree: &Path) {
    let p = tree.join(FILE);
    let text = std::fs::read_to_string(&p).unwrap();
    let text = text
        .replacen(
            "__bpf_kfunc_end_defs();",
            "__bpf_kfunc int bpf_memo_probe(int x)\n{\n\treturn x;\n}\n\n__bpf_kfunc_end_defs();",
            1,
        )
        .replacen(
            "BTF_KFUNCS_START(bpf_fs_kfunc_set_ids)\n",
            "BTF_KFUNCS_START(bpf_fs_kfunc_set_ids)\nBTF_ID_FLAGS(func, bpf_memo_probe)\n",
            1,
        );
    assert!(text.contains("BTF_ID_FLAGS(func, bpf_memo_probe)"));
    std::fs::write(&p, text).unwrap();
}

/// The memo gives the catalog a fresh extraction gives, before and after a
/// file changes, and reuses what it knows of the files that did not.
#[test]
fn memo_gives_the_fresh_catalog_after_a_change() {
    let tree = fixture_copy("same");
    let mut memo = Memo::new();
    memo.set_ids(ids(&tree));
    let first = extract_with(&tree, &mut memo).unwrap();
    assert_eq!(json(&first), json(&extract(&tree).unwrap()));
    let before = memo.hits();

    // Unchanged: everything the walk and the parser saw is reused.
    memo.set_ids(ids(&tree));
    let again = extract_with(&tree, &mut memo).unwrap();
    assert_eq!(json(&again), json(&first));
    assert!(memo.hits() > before, "nothing reused");

    // One file changes content (its kfuncs keep their lines).
    let p = tree.join(FILE);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("{text}\n/* changed */\n")).unwrap();
    memo.set_ids(ids(&tree));
    let changed = extract_with(&tree, &mut memo).unwrap();
    assert_eq!(json(&changed), json(&extract(&tree).unwrap()));
    std::fs::remove_dir_all(&tree).unwrap();
}

/// A file whose content changed is read and parsed again: a kfunc added
/// to it appears; stale facts of its old content would not have it.
#[test]
fn memo_parses_a_changed_file_again() {
    let tree = fixture_copy("changed");
    let mut memo = Memo::new();
    memo.set_ids(ids(&tree));
    let first = extract_with(&tree, &mut memo).unwrap();
    assert!(!first.kfuncs.iter().any(|k| k.name == "bpf_memo_probe"));
    assert!(first.kfuncs.iter().any(|k| k.name == "bpf_get_file_xattr"));

    add_probe(&tree);
    memo.set_ids(ids(&tree));
    let hits = memo.hits();
    let second = extract_with(&tree, &mut memo).unwrap();
    assert!(memo.hits() > hits, "unchanged files were not reused");
    let probe = second.kfuncs.iter().find(|k| k.name == "bpf_memo_probe");
    assert_eq!(probe.and_then(|k| k.file.as_deref()), Some(FILE));
    assert_eq!(json(&second), json(&extract(&tree).unwrap()));

    // Ids not stated: nothing is trusted, the file is read as it is.
    let mut unstated = Memo::new();
    let plain = extract_with(&tree, &mut unstated).unwrap();
    assert_eq!(unstated.hits(), 0);
    assert_eq!(json(&plain), json(&second));
    std::fs::remove_dir_all(&tree).unwrap();
}

/// With the whole tree stated, files that are not there are not looked up,
/// and the catalog is still the fresh one, before and after a change.
#[test]
fn a_stated_listing_gives_the_fresh_catalog() {
    let tree = fixture_copy("listing");
    let mut memo = Memo::new();
    memo.set_ids(ids(&tree));
    memo.set_listing(Vec::new(), dirs(&tree));
    let first = extract_with(&tree, &mut memo).unwrap();
    assert_eq!(json(&first), json(&extract(&tree).unwrap()));

    add_probe(&tree);
    memo.set_ids(ids(&tree));
    memo.set_listing(Vec::new(), dirs(&tree));
    let second = extract_with(&tree, &mut memo).unwrap();
    assert!(second.kfuncs.iter().any(|k| k.name == "bpf_memo_probe"));
    assert_eq!(json(&second), json(&extract(&tree).unwrap()));
    std::fs::remove_dir_all(&tree).unwrap();
}

/// What the listing may call absent: only a plain path that is neither a
/// stated file, nor a directory, nor reached through a link.
#[test]
fn the_listing_calls_absent_only_what_cannot_be_there() {
    let tree = fixture_copy("absent");
    std::fs::write(tree.join("Makefile"), "VERSION = 6\n").unwrap();
    let mut memo = Memo::new();
    memo.set_ids([("Makefile".to_string(), b"m".to_vec())]);
    memo.set_listing(["include/asm".to_string()], ["include".to_string()]);
    let read = |rel: &str| memo.read(&tree, rel);
    assert!(matches!(read("include/linux/nothing.h"), TreeFile::Missing));
    assert!(matches!(read("nothing"), TreeFile::Missing));
    // Trusted, not looked up: a file the caller did not state is absent.
    std::fs::write(tree.join("unstated.h"), "z").unwrap();
    assert!(matches!(read("unstated.h"), TreeFile::Missing));
    // Not plain, through a link, or a directory: looked up in the tree.
    std::fs::create_dir_all(tree.join("include/asm")).unwrap();
    std::fs::write(tree.join("include/asm/x.h"), "x").unwrap();
    assert!(matches!(read("include/asm/x.h"), TreeFile::Read(_)));
    assert!(matches!(read("include/asm/../asm/x.h"), TreeFile::Read(_)));
    assert!(matches!(read("include"), TreeFile::Failed(_)));
    // A new set of ids forgets the listing.
    memo.set_ids(Vec::new());
    std::fs::write(tree.join("late.h"), "y").unwrap();
    assert!(matches!(memo.read(&tree, "late.h"), TreeFile::Read(_)));
    std::fs::remove_dir_all(&tree).unwrap();
}
