//! The library's error type: what makes a command unable to run at all.
//!
//! Findings about the inputs (an unknown flag, a registration we cannot
//! resolve, an unreadable file inside a tree) are not errors: they are
//! [`crate::diag::Diagnostic`]s and the scan goes on. An `Error` means the
//! command could not produce its result, and maps to exit code 2.

use std::path::PathBuf;

/// Result with the library's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Why a command could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing `path` failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// `path` is not a Linux kernel source tree.
    #[error("{}: not a Linux kernel source tree ({what} not found)", path.display())]
    NotATree {
        /// The directory given with `--source`.
        path: PathBuf,
        /// The landmark file that is missing.
        what: &'static str,
    },
    /// A policy that cannot be read or does not validate.
    #[error("{}", problems.iter().map(|p| format!("{}: error: {}", p.loc, p.message)).collect::<Vec<_>>().join("\n"))]
    Policy {
        /// Every problem, with its position.
        problems: Vec<crate::policy::Problem>,
    },
    /// A BTF input (raw BTF, vmlinux, module, bzImage) that cannot be read;
    /// the message names the file, the byte offset and the type id.
    #[error(transparent)]
    Btf(#[from] crate::btf::BtfError),
    /// A JSON input (a catalog, a render context) that does not parse.
    #[error("{}:{line}:{col}: error: {message}", path.display())]
    Catalog {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        col: u32,
        /// What is wrong (what serde_json said, with what was expected).
        message: String,
    },
    /// A template that does not load or render, with its file and line.
    #[error("template {0}")]
    Template(crate::render::template::TemplateError),
    /// `explain` was given a code that does not exist.
    #[error("unknown code `{code}` (kfuncdoc explain lists them){}", closest.map(|c| format!("; did you mean `{c}`?")).unwrap_or_default())]
    UnknownCode {
        /// The code as given.
        code: String,
        /// The closest code, if one is close.
        closest: Option<&'static str>,
    },
    /// An output directory kfuncdoc will not write into as asked: a path
    /// through a symbolic link, a file it did not generate in the way.
    #[error("{}: {message}", path.display())]
    Unsafe {
        /// The file or directory involved.
        path: PathBuf,
        /// Why, and what to do.
        message: String,
    },
    /// A history that cannot be built or extended as asked: releases out
    /// of order or given twice, a release that states no version.
    #[error("{}: {message}", path.display())]
    History {
        /// The input (or history file) involved.
        path: PathBuf,
        /// What is wrong, and what to do.
        message: String,
    },
    /// A command line that parses but cannot be carried out.
    #[error("{0}")]
    Usage(&'static str),
    /// A git repository (`history --git`) that cannot be read as asked.
    #[error(transparent)]
    Git(#[from] crate::history::git::GitError),
    /// Writing the report to the output stream failed.
    #[error("writing output: {0}")]
    Output(#[source] std::io::Error),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
