//! Positions in the inputs: every fact and every finding can say where it
//! came from.
//!
//! Paths are kept relative to the input root (the kernel tree, the policy
//! directory) so that output does not depend on where the tree was unpacked.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A position in a text input, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Loc {
    /// Path relative to the input root, with `/` separators.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in bytes).
    pub col: u32,
}

impl Loc {
    /// A location from its parts.
    pub fn new(file: impl Into<String>, line: u32, col: u32) -> Self {
        Loc {
            file: file.into(),
            line,
            col,
        }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}
