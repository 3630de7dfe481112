//! Findings: what the tool has to say about its inputs.
//!
//! Every finding carries a [`Code`] from the one registry in [`codes`], a
//! [`Level`] (the code's default, or what the policy makes of it) and the
//! place it is about. Extraction, checking and diffing all push
//! `Diagnostic`s into a `Vec` and keep going; only an [`crate::Error`] stops
//! a command. This module also prints them, one line each, as
//! `file:line:col: level[code]: message`.

pub mod codes;
pub mod paint;
pub mod terminal;

pub use codes::Code;

use crate::loc::Loc;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How much a finding matters. `Deny` findings make the command exit with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as information: a fact worth knowing, not a problem
    /// (`diff`'s added kfuncs, renamed parameters...). The exit code stays 0.
    Info,
    /// Reported; the exit code stays 0.
    Warn,
    /// Reported; the command exits with 1.
    Deny,
}

impl Level {
    /// The level's name as written in policies and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Which rule produced it.
    pub code: Code,
    /// How much it matters.
    pub level: Level,
    /// The file it is about, relative to the input root, if any.
    pub file: Option<String>,
    /// 1-based line in `file`, if known.
    pub line: Option<u32>,
    /// 1-based column in `file`, if known.
    pub col: Option<u32>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The kfunc it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kfunc: Option<String>,
}

impl Diagnostic {
    /// A finding at `loc`, at the code's default level.
    pub fn at(code: Code, loc: &Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            level: code.default_level(),
            file: Some(loc.file.clone()),
            line: Some(loc.line),
            col: Some(loc.col),
            message: message.into(),
            kfunc: None,
        }
    }

    /// A finding about a whole file (no line).
    pub fn in_file(code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            level: code.default_level(),
            file: Some(file.into()),
            line: None,
            col: None,
            message: message.into(),
            kfunc: None,
        }
    }

    /// A finding with no position.
    pub fn global(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            level: code.default_level(),
            file: None,
            line: None,
            col: None,
            message: message.into(),
            kfunc: None,
        }
    }

    /// Names the kfunc the finding is about.
    pub fn with_kfunc(mut self, name: impl Into<String>) -> Self {
        self.kfunc = Some(name.into());
        self
    }

    /// The `file:line:col` prefix, as much of it as is known.
    pub fn position(&self) -> Option<String> {
        let file = self.file.as_deref()?;
        Some(match (self.line, self.col) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            (Some(l), None) => format!("{file}:{l}"),
            _ => file.to_string(),
        })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Paths and messages quote the inputs: escaped, so that a finding
        // stays one line of text on a terminal or in a CI log.
        if let Some(pos) = self.position() {
            write!(f, "{}: ", terminal::escape(&pos))?;
        }
        write!(
            f,
            "{}[{}]: {}",
            self.level,
            self.code,
            terminal::escape(&self.message)
        )
    }
}

/// Sorts findings by place, then code, and drops exact duplicates and those
/// at `allow` level: the form in which they are reported.
pub fn finish(diags: &mut Vec<Diagnostic>) {
    diags.retain(|d| d.level != Level::Allow);
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.col, a.code, &a.message)
            .cmp(&(&b.file, b.line, b.col, b.code, &b.message))
    });
    diags.dedup();
}

/// True when any finding is at `deny` level.
pub fn any_denied(diags: &[Diagnostic]) -> bool {
    diags.iter().any(|d| d.level == Level::Deny)
}
