//! Files the commands read and write besides kernel inputs and policies:
//! catalog JSON files, and atomic writes so that a reader never sees half a
//! file and a failed run leaves the previous file in place.

use crate::error::{Error, Result};
use crate::model::Catalog;
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename.
///
/// A path that is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO)
/// is written in place: renaming over it would replace the device.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
        && !meta.is_dir()
    {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(|e| Error::io(path, e));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or(Error::Usage("output path has no file name"))?;
    let tmp = dir.join(format!(
        ".{}.kfuncdoc-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// Reads a catalog written by `kfuncdoc extract --format json` (or by
/// another tool: kfuncs in any order are sorted by name, as a catalog
/// keeps them; the same name twice is an error), or one release of a
/// history written by `kfuncdoc history`: `FILE` is its last release,
/// `FILE@LABEL` the release labelled `LABEL` (see [`release_path`]).
pub fn read_catalog(path: &Path) -> Result<Catalog> {
    let (file, label) = release_path(path);
    let text = read_text(&file)?;
    let catalog = catalog_from_str(&file, &text);
    if catalog.is_ok() && label.is_none() {
        return catalog;
    }
    if !looks_like_history(&text) {
        return match (catalog, label) {
            (Ok(_), Some(label)) => Err(Error::Catalog {
                path: file,
                line: 1,
                col: 1,
                message: format!(
                    "a catalog, which holds one kernel: `@{label}` names a release of a history \
                     (`kfuncdoc history`)"
                ),
            }),
            (c, _) => c,
        };
    }
    let history = history_from_str(&file, &text)?;
    release_of(&file, history, label.as_deref())
}

/// The file and the release a catalog argument names: `PATH` itself when
/// it exists; else `FILE@LABEL` when `FILE` is a file (a release of a
/// history). A label never contains `/`.
pub fn release_path(path: &Path) -> (std::path::PathBuf, Option<String>) {
    if std::fs::symlink_metadata(path).is_err()
        && let Some(s) = path.to_str()
        && let Some((file, label)) = s.rsplit_once('@')
        && !label.is_empty()
        && !label.contains('/')
        && std::fs::metadata(file).is_ok_and(|m| m.is_file())
    {
        return (file.into(), Some(label.to_string()));
    }
    (path.to_path_buf(), None)
}

/// Whether JSON text is a history rather than a catalog: an object with
/// `schema` and `releases` (a catalog has neither).
fn looks_like_history(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(rename = "schema")]
        _schema: serde::de::IgnoredAny,
        #[serde(rename = "releases")]
        _releases: serde::de::IgnoredAny,
    }
    serde_json::from_str::<Head>(text).is_ok()
}

/// The catalog of the release `label` of `history` (the last one when no
/// label is given).
fn release_of(
    file: &Path,
    history: crate::history::model::History,
    label: Option<&str>,
) -> Result<Catalog> {
    let labels = || history.releases.iter().map(|r| r.label.as_str());
    let at = match label {
        None => history.releases.len().checked_sub(1),
        Some(l) => history.releases.iter().position(|r| r.label == l),
    };
    let Some(at) = at else {
        let message = match label {
            None => "a history with no release".to_string(),
            Some(l) => format!(
                "the history has no release `{l}` (it has {}){}",
                labels().collect::<Vec<_>>().join(", "),
                crate::suggest::did_you_mean(l, labels())
            ),
        };
        return Err(Error::Catalog {
            path: file.to_path_buf(),
            line: 1,
            col: 1,
            message,
        });
    };
    let mut history = history;
    Ok(history.releases.swap_remove(at).catalog)
}

/// [`read_catalog`] on text already read; `path` is only named in errors.
/// The fuzz target `catalog` calls it (`fuzz/`).
pub fn catalog_from_str(path: &Path, text: &str) -> Result<Catalog> {
    let mut catalog: Catalog = serde_json::from_str(text).map_err(|e| Error::Catalog {
        path: path.to_path_buf(),
        line: e.line() as u32,
        col: e.column() as u32,
        message: format!("not a kfuncdoc catalog: {e}"),
    })?;
    catalog.kfuncs.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(w) = catalog.kfuncs.windows(2).find(|w| w[0].name == w[1].name) {
        return Err(Error::Catalog {
            path: path.to_path_buf(),
            line: 1,
            col: 1,
            message: format!(
                "not a kfuncdoc catalog: `kfuncs` lists `{}` twice",
                w[0].name
            ),
        });
    }
    Ok(catalog)
}

/// Reads a history written by `kfuncdoc history`: errors name the file
/// with the line and column, or the schema it has.
pub fn read_history(path: &Path) -> Result<crate::history::model::History> {
    history_from_str(path, &read_text(path)?)
}

/// [`read_history`] on text already read; `path` is only named in errors.
pub fn history_from_str(path: &Path, text: &str) -> Result<crate::history::model::History> {
    use crate::history::FromJsonError;
    crate::history::from_json(text).map_err(|e| match e {
        FromJsonError::Json(e) => Error::Catalog {
            path: path.to_path_buf(),
            line: e.line() as u32,
            col: e.column() as u32,
            message: format!("not a kfuncdoc history: {e}"),
        },
        FromJsonError::History(e) => Error::Catalog {
            path: path.to_path_buf(),
            line: 1,
            col: 1,
            message: e.to_string(),
        },
    })
}

/// Reads a text file: a regular file of at most [`crate::read::MAX_TEXT`]
/// bytes of UTF-8.
pub fn read_text(path: &Path) -> Result<String> {
    crate::read::read_text(path, crate::read::MAX_TEXT).map_err(|e| Error::io(path, e))
}

#[cfg(all(test, unix))]
mod device_tests {
    use super::write_atomic;
    use std::os::unix::fs::FileTypeExt;

    /// `-o /dev/null` (or a FIFO) is written to, never renamed over: as
    /// root, a rename would replace the device with a regular file.
    #[test]
    fn a_fifo_is_written_in_place() {
        let dir = std::env::temp_dir().join(format!("kfuncdoc-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("out");
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"catalog").unwrap();
        assert_eq!(reader.join().unwrap(), b"catalog");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[cfg(test)]
mod history_tests {
    use super::*;
    use crate::history::{self, Input, testutil::catalog};
    use crate::model::Kfunc;

    fn kfunc(name: &str) -> Kfunc {
        Kfunc {
            name: name.into(),
            ..Kfunc::default()
        }
    }

    /// A history of 6.1 (`a`) and 6.12 (`a`, `b`) and a catalog, written
    /// into a new directory.
    fn files(name: &str) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("kfuncdoc-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let old = catalog("6.1.1", vec![kfunc("a")], true);
        let new = catalog("6.12.3", vec![kfunc("a"), kfunc("b")], true);
        let inputs = [old.clone(), new]
            .into_iter()
            .map(|c| Input::snapshot(c, None).unwrap())
            .collect();
        let policy = crate::policy::Policy::default();
        let h = history::fold(inputs, &policy).unwrap();
        let (hist, cat) = (dir.join("h.json"), dir.join("c.json"));
        std::fs::write(&hist, history::to_json(&h)).unwrap();
        std::fs::write(&cat, serde_json::to_string(&old).unwrap()).unwrap();
        (dir, hist, cat)
    }

    fn names(c: &Catalog) -> Vec<&str> {
        c.kfuncs.iter().map(|k| k.name.as_str()).collect()
    }

    /// A history reads as its last release, `FILE@LABEL` as that release.
    #[test]
    fn a_history_reads_as_one_of_its_releases() {
        let (dir, hist, _) = files("hist-release");
        let last = read_catalog(&hist).unwrap();
        assert_eq!(names(&last), ["a", "b"]);
        assert_eq!(last.kernel.version.as_deref(), Some("6.12.3"));
        let at = |l: &str| std::path::PathBuf::from(format!("{}@{l}", hist.display()));
        assert_eq!(names(&read_catalog(&at("6.1")).unwrap()), ["a"]);
        assert_eq!(names(&read_catalog(&at("6.12")).unwrap()), ["a", "b"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A release the history lacks, or `@` on a catalog: the file named,
    /// with what it does have.
    #[test]
    fn a_missing_release_or_a_label_on_a_catalog_is_an_error() {
        let (dir, hist, cat) = files("hist-missing");
        let err = read_catalog(Path::new(&format!("{}@6.2", hist.display())))
            .unwrap_err()
            .to_string();
        assert!(err.contains("h.json"), "{err}");
        assert!(err.contains("no release `6.2` (it has 6.1, 6.12)"), "{err}");
        let err = read_catalog(Path::new(&format!("{}@6.1", cat.display())))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("c.json") && err.contains("holds one kernel"),
            "{err}"
        );
        // A path that exists is never split, `@` or not.
        let odd = dir.join("x@6.1");
        std::fs::copy(&cat, &odd).unwrap();
        assert_eq!(names(&read_catalog(&odd).unwrap()), ["a"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
