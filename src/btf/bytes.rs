//! Shared, immutable input bytes: a memory map or an owned buffer.
//!
//! Every reader in `btf/` works on slices of one [`Bytes`]: a `.BTF`
//! section of a mapped vmlinux is a range of the mapping, not a copy.
//! Decompressed data (a `.ko.xz`, a bzImage payload, a compressed ELF
//! section) is an owned buffer behind the same type. This is the only place
//! in the crate that maps files, and the only `unsafe` in `btf/`.

use super::error::{BtfError, Result};
use std::ops::{Deref, Range};
use std::path::Path;
use std::sync::Arc;

/// The most bytes read from a file that cannot be mapped: a debug vmlinux
/// with DWARF is under 1 GiB.
pub const MAX_READ: u64 = 2 << 30;

enum Backing {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Backing {
    fn as_slice(&self) -> &[u8] {
        match self {
            Backing::Mapped(m) => m,
            Backing::Owned(v) => v,
        }
    }
}

/// A cheaply clonable window on shared bytes.
#[derive(Clone)]
pub struct Bytes {
    backing: Arc<Backing>,
    range: Range<usize>,
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.range.len())
    }
}

impl Bytes {
    /// Takes ownership of `v`.
    pub fn from_vec(v: Vec<u8>) -> Bytes {
        let range = 0..v.len();
        Bytes {
            backing: Arc::new(Backing::Owned(v)),
            range,
        }
    }

    /// Maps the regular file `path` read-only, or reads it when it cannot
    /// be mapped (empty files, file systems without mmap), at most
    /// [`MAX_READ`] bytes. FIFOs, devices and sockets (also through a link)
    /// are refused: they would block or never end.
    pub fn open(path: &Path) -> Result<Bytes> {
        let (mut file, meta) =
            crate::read::open_regular(path).map_err(|e| BtfError::io(path, e))?;
        if meta.len() > 0 {
            // A private read-only mapping: sysfs BTF (Linux 6.16+) refuses
            // shared ones.
            // SAFETY: the map is read-only and private to this process, and
            // nothing in kfuncdoc writes to its inputs. Another process
            // truncating the file while it is mapped would make later reads
            // fault (SIGBUS) rather than return short data; the inputs are
            // build products (vmlinux, modules, boot images) and sysfs BTF,
            // which are replaced (new inode) rather than truncated in place
            // by packaging tools, so we accept that risk for zero-copy
            // reads of 500 MB debug vmlinux files. Every read through the
            // map is still bounds-checked against the length seen at map
            // time.
            #[allow(unsafe_code)]
            let map = unsafe { memmap2::MmapOptions::new().map_copy_read_only(&file) };
            if let Ok(map) = map {
                let range = 0..map.len();
                return Ok(Bytes {
                    backing: Arc::new(Backing::Mapped(map)),
                    range,
                });
            }
        }
        let v = crate::read::read_all(&mut file, meta.len(), MAX_READ)
            .map_err(|e| BtfError::io(path, e))?;
        Ok(Bytes::from_vec(v))
    }

    /// The sub-range `r` (relative to this window), if it lies inside it.
    pub fn slice(&self, r: Range<usize>) -> Option<Bytes> {
        if r.start > r.end || r.end > self.range.len() {
            return None;
        }
        Some(Bytes {
            backing: self.backing.clone(),
            range: self.range.start + r.start..self.range.start + r.end,
        })
    }
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // The range was checked when this window was made.
        self.backing
            .as_slice()
            .get(self.range.clone())
            .unwrap_or(&[])
    }
}
