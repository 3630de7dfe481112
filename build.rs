//! Records the git commit kfuncdoc is built from, for `kfuncdoc --version`.
//!
//! Only when the package directory is itself a git clone or worktree (it
//! has a `.git`): a tarball unpacked inside some other repository must not
//! take that repository's commit. Without git, or outside a clone, nothing
//! is set and the version is the package's alone. Cargo runs this again
//! only when HEAD or the branch it points to moves.

// A build script talks to cargo through its standard output.
#![allow(clippy::disallowed_macros)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=KFUNCDOC_GIT_COMMIT");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    // A packager may say which commit a tarball is (an empty value: none).
    let commit = match std::env::var("KFUNCDOC_GIT_COMMIT") {
        Ok(c) => Some(c).filter(|c| !c.is_empty()),
        Err(_) if dir.join(".git").exists() => {
            // Rebuild when HEAD moves: HEAD itself, the branch it names,
            // and packed refs (where a branch may live instead). Only files
            // that exist: cargo takes a missing one as changed, and would
            // run this script and rebuild the crate on every build (a
            // repository that never packed its refs has no packed-refs).
            // A loose branch file that `git pack-refs` later removes is
            // such a change, once, and the next run watches packed-refs.
            let mut watch: Vec<String> = ["HEAD", "packed-refs"]
                .iter()
                .filter_map(|path| git(&dir, &["rev-parse", "--git-path", path]))
                .collect();
            if let Some(branch) = git(&dir, &["symbolic-ref", "-q", "HEAD"])
                && let Some(p) = git(&dir, &["rev-parse", "--git-path", &branch])
            {
                watch.push(p);
            }
            for p in watch {
                let p = dir.join(p);
                if p.exists() {
                    println!("cargo:rerun-if-changed={}", p.display());
                }
            }
            git(&dir, &["rev-parse", "--short=12", "HEAD"])
        }
        Err(_) => None,
    };
    // Only hex digits reach the binary.
    let commit = commit.filter(|c| c.bytes().all(|b| b.is_ascii_hexdigit()));
    if let Some(c) = &commit {
        println!("cargo:rustc-env=KFUNCDOC_GIT_COMMIT={c}");
        println!("cargo:rustc-env=KFUNCDOC_VERSION_LINE={version} (git {c})");
    }
}
