//! Reading template overrides (edge): regular files inside one directory.
//!
//! An override directory may come from a pull request to a policy
//! repository, so reading it must stay inside it and end (issue 10, item
//! 8): directories are walked without following symbolic links (`a -> .`
//! made the old walk endless), a file that is a link is read only when its
//! target is a regular file inside the directory (a link to
//! `/proc/self/environ` wrote the environment, a CI token included, into a
//! page), and every read goes through [`crate::read`]: regular files only,
//! capped. The walk is bounded in depth and entries.

use super::template::{BUILTIN, TemplateError};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The largest template file read (the built-in ones are a few KiB).
const MAX_TEMPLATE: u64 = 1 << 20;

/// The most directory entries walked; the built-in layout has 27 files in
/// two directories.
const MAX_ENTRIES: usize = 1000;

/// The deepest directory level walked (`rst/` is level 1).
const MAX_DEPTH: usize = 8;

fn refused(path: &Path, message: impl Into<String>) -> Error {
    Error::Template(TemplateError {
        file: path.to_string_lossy().into_owned(),
        line: None,
        col: None,
        message: message.into(),
    })
}

/// Pseudo file systems whose "regular files" are the process's state or
/// the kernel's, never templates.
fn pseudo(real: &Path) -> bool {
    ["/proc", "/sys", "/dev"]
        .iter()
        .any(|p| real.starts_with(p))
}

/// Reads the overrides in `dir`: every file whose path relative to `dir`
/// is a built-in template name, as (name → (file shown in errors, text)).
/// Any other file is an error naming it and the names it could have
/// meant; so is anything that is not a regular file inside `dir`.
pub fn read_overrides(dir: &Path) -> Result<BTreeMap<String, (String, String)>> {
    let root = std::fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
    if !root.is_dir() {
        return Err(refused(dir, "is not a directory of templates"));
    }
    if pseudo(&root) {
        return Err(refused(
            dir,
            "is in /proc, /sys or /dev; template overrides are ordinary files",
        ));
    }
    let mut found = BTreeMap::new();
    let mut unknown: Vec<PathBuf> = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    let mut seen = 0usize;
    while let Some((d, depth)) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            seen += 1;
            if seen > MAX_ENTRIES {
                return Err(refused(
                    dir,
                    format!("holds more than {MAX_ENTRIES} files; it should mirror templates/"),
                ));
            }
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if kind.is_dir() {
                if depth + 1 >= MAX_DEPTH {
                    return Err(refused(
                        &path,
                        "is nested too deep; the overrides mirror templates/",
                    ));
                }
                stack.push((path, depth + 1));
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if !BUILTIN.iter().any(|(n, _)| *n == rel) {
                if kind.is_symlink() && path.is_dir() {
                    return Err(refused(
                        &path,
                        "is a symbolic link to a directory; template overrides are files in \
                         directories of their own, and links to directories are not followed",
                    ));
                }
                unknown.push(path);
                continue;
            }
            let target = if kind.is_symlink() {
                linked(&root, &path)?
            } else {
                path.clone()
            };
            let text = crate::read::read_text(&target, MAX_TEMPLATE).map_err(|e| {
                let message = if e.kind() == std::io::ErrorKind::FileTooLarge {
                    format!(
                        "is larger than {} KiB, the most a template may be",
                        MAX_TEMPLATE >> 10
                    )
                } else {
                    e.to_string()
                };
                refused(&path, message)
            })?;
            found.insert(rel, (path.to_string_lossy().into_owned(), text));
        }
    }
    if let Some(first) = unknown.iter().min() {
        return Err(refused(
            first,
            format!(
                "not a template kfuncdoc renders; the names are: {}",
                BUILTIN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(found)
}

/// The target of the symbolic link `path`, when it is a file inside
/// `root` (resolved); anything else is an error saying what it is.
fn linked(root: &Path, path: &Path) -> Result<PathBuf> {
    let target = std::fs::canonicalize(path).map_err(|e| {
        refused(
            path,
            format!("is a symbolic link that cannot be followed ({e})"),
        )
    })?;
    if !target.starts_with(root) || pseudo(&target) {
        return Err(refused(
            path,
            format!(
                "is a symbolic link to {}, outside the template directory; overrides are \
                 files inside it",
                target.display()
            ),
        ));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kfuncdoc-ovr-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("rst")).unwrap();
        d
    }

    fn error(dir: &Path) -> String {
        match read_overrides(dir) {
            Err(e) => e.to_string(),
            Ok(found) => panic!("read: {found:?}"),
        }
    }

    #[test]
    fn links_inside_are_read_and_nothing_else() {
        let d = tmp("links");
        std::fs::write(d.join("shared.txt"), "x").unwrap();
        // A link to a file inside is read (the other file is then unknown).
        std::fs::write(d.join("rst/link.rst"), "L\n").unwrap();
        symlink("link.rst", d.join("rst/index.rst")).unwrap();
        let e = error(&d);
        assert!(
            e.contains("shared.txt") && e.contains("not a template"),
            "{e}"
        );
        std::fs::remove_file(d.join("shared.txt")).unwrap();
        let found = read_overrides(&d).unwrap();
        assert_eq!(found["rst/index.rst"].1, "L\n");
        // Directory loops are not followed.
        symlink(".", d.join("rst/a")).unwrap();
        symlink("..", d.join("b")).unwrap();
        let e = error(&d);
        assert!(e.contains("links to directories are not followed"), "{e}");
        std::fs::remove_file(d.join("rst/a")).unwrap();
        std::fs::remove_file(d.join("b")).unwrap();
        // The process's environment, directly or through a chain.
        std::fs::remove_file(d.join("rst/index.rst")).unwrap();
        symlink("/proc/self/environ", d.join("rst/index.rst")).unwrap();
        let e = error(&d);
        assert!(e.contains("outside the template directory"), "{e}");
        std::fs::remove_file(d.join("rst/index.rst")).unwrap();
        symlink(
            "../../../../../../../../proc/self/environ",
            d.join("rst/index.rst"),
        )
        .unwrap();
        assert!(error(&d).contains("outside"));
        std::fs::remove_file(d.join("rst/index.rst")).unwrap();
        // Devices and FIFOs, also when named like a template.
        symlink("/dev/zero", d.join("rst/index.rst")).unwrap();
        assert!(error(&d).contains("outside"));
        std::fs::remove_file(d.join("rst/index.rst")).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(d.join("rst/index.rst"))
            .status()
            .unwrap();
        assert!(status.success());
        let e = error(&d);
        assert!(e.contains("FIFO"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
        assert!(error(Path::new("/proc/self")).contains("/proc"));
    }
}
