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
/// keeps them; the same name twice is an error).
pub fn read_catalog(path: &Path) -> Result<Catalog> {
    catalog_from_str(path, &read_text(path)?)
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
