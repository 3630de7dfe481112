//! The stability policy: the decisions people make about kfuncs, which no
//! kernel file records.
//!
//! This is an edge module: [`load`] reads a YAML file or a directory of
//! them, [`raw`] mirrors the YAML, [`validate`] turns it into the typed
//! [`model::Policy`] with a position on every value. A policy that cannot be
//! read or does not validate is an error naming each problem's
//! `file:line:col`; everything that needs the facts (an entry for a kfunc
//! that does not exist, a replacement that is itself deprecated) is a
//! finding of `kfuncdoc check`, not an error here.

pub mod glob;
pub mod model;
pub mod raw;
pub mod sync;
pub mod validate;

pub use model::{Policy, Stability};
pub use validate::Problem;

use crate::error::{Error, Result};
use crate::loc::Loc;
use std::path::Path;

/// Largest policy file read (a policy is text a person writes).
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// The serde-saphyr options: strict booleans (no `yes`/`no`), duplicate
/// keys rejected, budgets against alias bombs, no snippets (we print our
/// own `file:line:col`).
fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_reader_input_bytes = Some(MAX_FILE_BYTES as usize);
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_nodes = 200_000;
    budget.max_depth = 32;
    serde_saphyr::options! { strict_booleans: true, with_snippet: false, budget: Some(budget) }
}

/// Deserialises YAML `text` of `file` with the policy's strict options; a
/// syntax or type error is one problem at its position. Also used for
/// `kfuncdoc.yaml`.
pub fn from_yaml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> std::result::Result<T, Vec<Problem>> {
    serde_saphyr::from_str_with_options(text, options()).map_err(|e| {
        let (line, col) = e
            .location()
            .map_or((1, 1), |l| (l.line() as u32, l.column() as u32));
        // The wording for users (not for the programmer calling the
        // library), without the position (we print it first) and without
        // advice about the library's options.
        use serde_saphyr::MessageFormatter;
        let msg = serde_saphyr::UserMessageFormatter
            .format_message(&e)
            .into_owned();
        let msg = msg
            .rsplit_once(" at line ")
            .map_or(msg.as_str(), |(m, _)| m);
        let msg = with_suggestion(without_library_advice(msg));
        vec![Problem {
            loc: Loc::new(file, line, col),
            message: msg,
        }]
    })
}

/// `msg` without a clause that tells the programmer which library option
/// to set ("…, set DuplicateKeyPolicy in Options if acceptable"): a user
/// of kfuncdoc cannot set it (issue 10).
fn without_library_advice(msg: &str) -> String {
    let cut = [", set ", ". If you ", ". Set "]
        .iter()
        .filter_map(|sep| msg.find(sep))
        .filter(|&at| msg[at..].contains(" in Options"))
        .min();
    match cut {
        Some(at) => msg[..at].to_string(),
        None => msg.to_string(),
    }
}

/// `msg` with "did you mean" when it is serde's "unknown field `x`,
/// expected one of a, b" (or "unknown variant") and one of the expected
/// names is close to `x`.
fn with_suggestion(msg: String) -> String {
    let Some(rest) = ["unknown field `", "unknown variant `"]
        .iter()
        .find_map(|p| msg.strip_prefix(p))
    else {
        return msg;
    };
    let Some((word, rest)) = rest.split_once('`') else {
        return msg;
    };
    let Some(list) = rest
        .strip_prefix(", expected one of ")
        .or_else(|| rest.strip_prefix(", expected "))
    else {
        return msg;
    };
    let names = list.split(", ").map(|n| n.trim_matches('`'));
    let hint = crate::suggest::did_you_mean(word, names);
    format!("{msg}{hint}")
}

/// Reads and validates one file's text.
pub fn parse(file: &str, text: &str) -> std::result::Result<Policy, Vec<Problem>> {
    let raw: raw::RawPolicy = from_yaml(file, text)?;
    validate::validate(file, raw)
}

/// The text of a YAML file of at most [`MAX_FILE_BYTES`], as UTF-8.
pub(crate) fn read(path: &Path) -> Result<String> {
    let display = path.to_string_lossy().into_owned();
    // A regular file only (not a FIFO or device, even through a link),
    // capped on the bytes read.
    let bytes = crate::read::read_capped(path, MAX_FILE_BYTES).map_err(|e| {
        if e.kind() == std::io::ErrorKind::FileTooLarge {
            Error::Policy {
                problems: vec![Problem {
                    loc: Loc::new(display.clone(), 1, 1),
                    message: format!("larger than a policy may be ({} MiB)", MAX_FILE_BYTES >> 20),
                }],
            }
        } else {
            Error::io(path, e)
        }
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let ok = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + ok.iter().filter(|&&b| b == b'\n').count() as u32;
        let col = 1 + ok.iter().rev().take_while(|&&b| b != b'\n').count() as u32;
        Error::Policy {
            problems: vec![Problem {
                loc: Loc::new(display.clone(), line, col),
                message: format!("byte {} is not UTF-8", e.utf8_error().valid_up_to()),
            }],
        }
    })
}

/// The policy files at `path`: the file itself, or the `*.yaml`/`*.yml`
/// files of a directory, sorted by name.
pub fn files(path: &Path) -> Result<Vec<std::path::PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out: Vec<_> = std::fs::read_dir(path)
        .map_err(|e| Error::io(path, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    out.sort();
    if out.is_empty() {
        return Err(Error::Policy {
            problems: vec![Problem {
                loc: Loc::new(path.to_string_lossy(), 1, 1),
                message: "the directory has no *.yaml policy file".into(),
            }],
        });
    }
    Ok(out)
}

/// Loads the policy at `path` (a file, or a directory whose `*.yaml` files
/// are merged).
pub fn load(path: &Path) -> Result<Policy> {
    let mut problems = Vec::new();
    let mut parts = Vec::new();
    for f in files(path)? {
        let text = read(&f)?;
        match parse(&f.to_string_lossy(), &text) {
            Ok(p) => parts.push(p),
            Err(mut e) => problems.append(&mut e),
        }
    }
    let merged = merge_files(parts, &mut problems);
    if problems.is_empty() {
        Ok(merged)
    } else {
        Err(Error::Policy { problems })
    }
}

/// Merges the files of a policy directory. A kfunc, a lint, the lifecycle
/// or the defaults given in two files is a problem naming both places.
pub fn merge_files(parts: Vec<Policy>, problems: &mut Vec<Problem>) -> Policy {
    let mut out = Policy::default();
    let twice = |problems: &mut Vec<Problem>, what: &str, first: &Loc, again: &Loc| {
        problems.push(Problem {
            loc: again.clone(),
            message: format!("{what} is also given at {first}"),
        });
    };
    for p in parts {
        out.files.extend(p.files);
        let lc = p.lifecycle;
        for (have, new, what) in [
            (
                &mut out.lifecycle.statement,
                lc.statement,
                "lifecycle.statement",
            ),
            (&mut out.defaults.owner, p.defaults.owner, "defaults.owner"),
            (&mut out.defaults.notes, p.defaults.notes, "defaults.notes"),
        ] {
            if let Some(n) = new {
                match have {
                    Some(h) => twice(problems, what, &h.loc, &n.loc),
                    None => *have = Some(n),
                }
            }
        }
        if let Some(n) = lc.min_deprecation_releases {
            match &out.lifecycle.min_deprecation_releases {
                Some(h) => twice(
                    problems,
                    "lifecycle.min_deprecation_releases",
                    &h.loc,
                    &n.loc,
                ),
                None => out.lifecycle.min_deprecation_releases = Some(n),
            }
        }
        if let Some(n) = p.defaults.stability {
            match &out.defaults.stability {
                Some(h) => twice(problems, "defaults.stability", &h.loc, &n.loc),
                None => out.defaults.stability = Some(n),
            }
        }
        for (level, text) in lc.levels {
            match out.lifecycle.levels.get(&level) {
                Some(h) => twice(
                    problems,
                    &format!("lifecycle.levels.{level}"),
                    &h.loc,
                    &text.loc,
                ),
                None => {
                    out.lifecycle.levels.insert(level, text);
                }
            }
        }
        out.rules.extend(p.rules);
        for (name, e) in p.kfuncs {
            match out.kfuncs.get(&name) {
                Some(h) => twice(problems, &format!("kfunc `{name}`"), &h.loc, &e.loc),
                None => {
                    out.kfuncs.insert(name, e);
                }
            }
        }
        for (code, level) in p.lints {
            match out.lints.get(&code) {
                Some(h) => twice(problems, &format!("lint `{code}`"), &h.loc, &level.loc),
                None => {
                    out.lints.insert(code, level);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
