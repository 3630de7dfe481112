//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture tree by name.
pub(crate) fn tree(name: &str) -> PathBuf {
    root().join("tests/fixtures/trees").join(name)
}

/// Compares `actual` with `tests/golden/<name>`; with
/// `KFUNCDOC_UPDATE_GOLDEN=1` rewrites the file instead.
pub(crate) fn golden(name: &str, actual: &str) {
    golden_file(&root().join("tests/golden").join(name), actual);
}

/// Compares `actual` with the file at `path`, or rewrites it, as [`golden`].
pub(crate) fn golden_file(path: &Path, actual: &str) {
    if std::env::var_os("KFUNCDOC_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "{} is missing; run with KFUNCDOC_UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output, first at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             (KFUNCDOC_UPDATE_GOLDEN=1 rewrites it; review the diff)",
            path.display(),
            first + 1,
            expected.lines().nth(first).unwrap_or("<end>"),
            actual.lines().nth(first).unwrap_or("<end>"),
        );
    }
}

/// The cache directory of `.ci/fetch-inputs`.
pub(crate) fn cache() -> PathBuf {
    match std::env::var_os("KFUNCDOC_CACHE") {
        Some(c) => PathBuf::from(c),
        None => {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/kfuncdoc")
        }
    }
}

/// A real input from the cache. Missing inputs fail the test, unless
/// `KFUNCDOC_OFFLINE=1`, where the test is skipped with a note.
pub(crate) fn real_input(rel: &str) -> Option<PathBuf> {
    let p = cache().join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var_os("KFUNCDOC_OFFLINE").is_some() {
        eprintln!("note: {} missing; skipped (KFUNCDOC_OFFLINE)", p.display());
        return None;
    }
    panic!(
        "{} is missing: run .ci/fetch-inputs (or set KFUNCDOC_OFFLINE=1 to skip)",
        p.display()
    );
}

/// Runs the kfuncdoc binary.
pub(crate) fn kfuncdoc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kfuncdoc"))
        .args(args)
        .output()
        .expect("kfuncdoc runs")
}

/// Runs the kfuncdoc binary in `dir`.
pub(crate) fn kfuncdoc_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kfuncdoc"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("kfuncdoc runs")
}

/// A fresh temporary directory, removed when dropped.
pub(crate) struct TempDir(pub PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "kfuncdoc-test-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies a directory tree (regular files and directories only).
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

/// A tool the render tests build sites with, from the environment
/// variable `var` that `.ci/tools` prints (`KFUNCDOC_PYTHON`,
/// `KFUNCDOC_MDBOOK`). Unset fails the test, unless `KFUNCDOC_OFFLINE=1`,
/// where the test is skipped with a note.
pub(crate) fn tool(var: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        return Some(PathBuf::from(p));
    }
    if std::env::var_os("KFUNCDOC_OFFLINE").is_some() {
        eprintln!("note: {var} is not set; skipped (KFUNCDOC_OFFLINE)");
        return None;
    }
    panic!("{var} is not set: run the tests with .ci/test (or eval \"$(.ci/tools)\")");
}

/// Every regular file under `dir`, as sorted paths relative to it.
pub(crate) fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}
