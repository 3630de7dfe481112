//! Reading one file of a kernel tree by its path relative to the root,
//! under the tree's rule for symbolic links.
//!
//! The rule (issue 10), the same as the walk's: a symbolic link is followed
//! when it resolves to a file inside the tree (the tree's root itself may
//! be reached through links); one that resolves outside the tree is not
//! followed, and the file counts as absent, with a finding that says so.
//! What is reported is what is done: the `KF_*` table of a `btf.h` that
//! leads out of the tree is not used, and a `MAINTAINERS` that does is not
//! read. Only regular files are read, at most [`crate::read::MAX_TEXT`]
//! bytes.

use std::io;
use std::path::{Path, PathBuf};

/// What reading a tree file gave.
#[derive(Debug)]
pub enum TreeFile {
    /// Its bytes.
    Read(Vec<u8>),
    /// There is no such file (or a link to nothing).
    Missing,
    /// A symbolic link on the way resolves outside the tree: not followed.
    Outside(PathBuf),
    /// It exists but cannot be read: permissions, not a regular file, too
    /// large.
    Failed(io::Error),
}

impl TreeFile {
    /// The text, lossily decoded, if the file was read.
    pub fn text(self) -> Option<String> {
        match self {
            TreeFile::Read(b) => Some(String::from_utf8_lossy(&b).into_owned()),
            _ => None,
        }
    }
}

/// The message for a link that leaves the tree.
pub fn outside_message(target: &Path) -> String {
    format!(
        "symbolic link points outside the tree ({}); not followed",
        target.display()
    )
}

/// Reads `rel` of the tree at `tree`.
pub fn read(tree: &Path, rel: &str) -> TreeFile {
    let root = match std::fs::canonicalize(tree) {
        Ok(r) => r,
        Err(e) => return TreeFile::Failed(e),
    };
    let target = match std::fs::canonicalize(tree.join(rel)) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return TreeFile::Missing,
        Err(e) => return TreeFile::Failed(e),
    };
    if !target.starts_with(&root) {
        return TreeFile::Outside(target);
    }
    match crate::read::read_capped(&target, crate::read::MAX_TEXT) {
        Ok(b) => TreeFile::Read(b),
        Err(e) if e.kind() == io::ErrorKind::NotFound => TreeFile::Missing,
        Err(e) => TreeFile::Failed(e),
    }
}
