//! Opening and reading input files: regular files only, with a cap on the
//! bytes actually read.
//!
//! Every input kfuncdoc reads (a tree's fixed files, scanned sources and
//! headers, policies, catalogs, `kfuncdoc.yaml`, BTF inputs and modules)
//! goes through `open_regular` or `read_capped`, so that a FIFO, a
//! device or a socket, named directly or through a symbolic link, is an
//! error naming the file and what it is instead of a read that blocks
//! forever (`mkfifo Makefile`) or never ends (`ln -s /dev/zero
//! MAINTAINERS`; issue 10). The type is decided twice: on the path before
//! opening (opening some devices has effects) and on the opened handle
//! (the path may have changed in between). The size cap is enforced on the
//! bytes read, not on the length the metadata claims (0 for `/proc` and
//! devices). This module only reads; it knows nothing of what the bytes
//! mean.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// The cap for text inputs: C sources and headers, `MAINTAINERS`, catalogs
/// and configuration. The largest file of a 7.2 tree is 18 MB (a generated
/// AMD register header); `MAINTAINERS` is under 1 MB.
pub const MAX_TEXT: u64 = 64 << 20;

/// Why `meta` is not a regular file, as a whole phrase.
fn what_it_is(meta: &Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        return "is a directory, not a regular file";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "is a FIFO, not a regular file";
        }
        if ft.is_char_device() {
            return "is a character device, not a regular file";
        }
        if ft.is_block_device() {
            return "is a block device, not a regular file";
        }
        if ft.is_socket() {
            return "is a socket, not a regular file";
        }
    }
    "is not a regular file"
}

fn not_regular(meta: &Metadata) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what_it_is(meta))
}

/// The error for a file larger than `cap` bytes.
pub fn too_large(cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("is larger than {} MiB, the most kfuncdoc reads", cap >> 20),
    )
}

/// Opens `path` (following symbolic links) for reading if it is a regular
/// file; returns the handle and its metadata. FIFOs are never opened in a
/// way that could block.
pub fn open_regular(path: &Path) -> io::Result<(File, Metadata)> {
    let before = std::fs::metadata(path)?;
    if !before.is_file() {
        return Err(not_regular(&before));
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Should the path become a FIFO after the check above, the open
        // still returns at once; on a regular file the flag changes nothing.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok((file, meta))
}

/// Reads at most `cap` bytes of the opened `file`; more is an error.
pub fn read_all(file: &mut File, len_hint: u64, cap: u64) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(len_hint.min(cap) as usize);
    file.take(cap.saturating_add(1)).read_to_end(&mut out)?;
    if out.len() as u64 > cap {
        return Err(too_large(cap));
    }
    Ok(out)
}

/// The bytes of the regular file `path`, at most `cap` of them.
pub fn read_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let (mut file, meta) = open_regular(path)?;
    if meta.len() > cap {
        return Err(too_large(cap));
    }
    read_all(&mut file, meta.len(), cap)
}

/// The text of the regular file `path` (at most `cap` bytes), as UTF-8.
pub fn read_text(path: &Path, cap: u64) -> io::Result<String> {
    String::from_utf8(read_capped(path, cap)?).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("byte {} is not UTF-8", e.utf8_error().valid_up_to()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_regular_file() {
        let dir = std::env::temp_dir().join(format!("kfuncdoc-read-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let e = read_capped(&dir, 10).unwrap_err();
        assert_eq!(e.to_string(), "is a directory, not a regular file");
        #[cfg(target_os = "linux")]
        {
            let e = read_capped(Path::new("/dev/zero"), 10).unwrap_err();
            assert_eq!(e.to_string(), "is a character device, not a regular file");
            std::os::unix::fs::symlink("/dev/zero", dir.join("z")).unwrap();
            let e = read_capped(&dir.join("z"), 10).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        }
        std::fs::write(dir.join("f"), b"0123456789a").unwrap();
        assert_eq!(read_capped(&dir.join("f"), 11).unwrap().len(), 11);
        let e = read_capped(&dir.join("f"), 10).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
