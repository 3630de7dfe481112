//! Kfuncs across releases (issue 12): this branch holds only the git reader.

pub mod git;
