//! Putting generated files on disk (edge), or saying what would change.
//!
//! All files are rendered in memory before anything is written, so a
//! template or policy error leaves the output directory as it was. Each
//! file is written to a temporary name in its directory and renamed over
//! the old one; a file whose contents are already right is not touched
//! (its mtime stays, which keeps Sphinx and mdBook rebuilds incremental).
//! The manifest, [`MANIFEST`] in the output directory, lists what the last
//! run generated: a file listed there and not generated any more is
//! removed, and nothing else ever is. Paths are checked to stay inside the
//! output directory.

use super::File;
use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Component, Path};

/// The manifest's file name, in the output directory.
pub const MANIFEST: &str = ".kfuncdoc-manifest";

const MANIFEST_HEADER: &str =
    "# Files kfuncdoc generated here. It removes those it no longer generates, and nothing else.";

/// What a run changes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// New files.
    pub create: Vec<String>,
    /// Files whose contents change.
    pub update: Vec<String>,
    /// Stale files the manifest lists.
    pub remove: Vec<String>,
    /// Files already right.
    pub unchanged: Vec<String>,
}

impl Plan {
    /// Whether anything would change.
    pub fn changes(&self) -> bool {
        !(self.create.is_empty() && self.update.is_empty() && self.remove.is_empty())
    }
}

fn check_path(p: &str) -> Result<()> {
    let path = Path::new(p);
    let ok = !p.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(())
    } else {
        Err(Error::Usage(
            "internal: a generated path leaves the output directory",
        ))
    }
}

/// The manifest for `files`.
fn manifest(files: &[File]) -> File {
    let mut text = String::from(MANIFEST_HEADER);
    text.push('\n');
    for f in files {
        text.push_str(&f.path);
        text.push('\n');
    }
    File {
        path: MANIFEST.into(),
        text,
    }
}

/// The paths the manifest in `out` lists (none when it is missing).
fn listed(out: &Path) -> Result<BTreeSet<String>> {
    let path = out.join(MANIFEST);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter(|l| check_path(l).is_ok())
            .map(str::to_string)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// What writing `files` (and their manifest) into `out` would change.
pub fn plan(out: &Path, files: &[File]) -> Result<Plan> {
    let mut plan = Plan::default();
    let manifest = manifest(files);
    let mut new: BTreeSet<&str> = BTreeSet::new();
    for f in files.iter().chain(std::iter::once(&manifest)) {
        check_path(&f.path)?;
        new.insert(&f.path);
        let path = out.join(&f.path);
        match std::fs::read(&path) {
            Ok(old) if old == f.text.as_bytes() => plan.unchanged.push(f.path.clone()),
            Ok(_) => plan.update.push(f.path.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => plan.create.push(f.path.clone()),
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    for old in listed(out)? {
        if !new.contains(old.as_str()) && out.join(&old).is_file() {
            plan.remove.push(old);
        }
    }
    Ok(plan)
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.kfuncdoc-{}.tmp", std::process::id()));
    // Renamed into place, not synced: a crash leaves the old file or the
    // new one, never a mix, and the next run rewrites it anyway.
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// Writes `files` into `out` as `plan` says, the manifest last, and removes
/// the stale files.
pub fn apply(out: &Path, files: &[File], plan: &Plan) -> Result<()> {
    let manifest = manifest(files);
    let changed: BTreeSet<&str> = plan
        .create
        .iter()
        .chain(&plan.update)
        .map(String::as_str)
        .collect();
    for f in files {
        if changed.contains(f.path.as_str()) {
            write_file(&out.join(&f.path), &f.text)?;
        }
    }
    for stale in &plan.remove {
        let p = out.join(stale);
        std::fs::remove_file(&p).map_err(|e| Error::io(p, e))?;
    }
    if changed.contains(MANIFEST) {
        write_file(&out.join(MANIFEST), &manifest.text)?;
    }
    Ok(())
}
