//! Pure-Rust decompression of whole inputs, and the x86 boot image wrapper.
//!
//! Inputs are recognised by content: a compression magic at byte 0 (a
//! `.ko.xz`, `.ko.zst`, `.ko.gz`), or an x86 boot sector with the `HdrS`
//! signature (a bzImage, whose protected-mode payload is a compressed
//! vmlinux ELF). File names are never consulted. Output is capped in
//! proportion to the input ([`limit_for`]) so that a hostile stream cannot
//! exhaust memory. This
//! module does not know what the decompressed bytes are; `input.rs` does.
//!
//! The bzImage layout is the boot protocol's (`Documentation/arch/x86/boot.rst`):
//! `setup_sects` at 0x1f1 (0 means 4), the boot flag 0xAA55 at 0x1fe,
//! `HdrS` at 0x202, the protocol version at 0x206, and from protocol 2.08
//! `payload_offset`/`payload_length` at 0x248/0x24c, relative to the
//! protected-mode code that starts after the `setup_sects + 1` sectors of
//! real-mode code. Except with gzip, the kernel's build appends the
//! uncompressed size as a little-endian `u32` after the compressed stream
//! (`size_append` in `scripts/Makefile.lib`); it is stripped before
//! decoding.

use super::error::{BtfError, Compression, Result};
use std::io::{Read, Write};

/// The most bytes one input may decompress to. What is decompressed is a
/// bzImage's vmlinux (stripped: 60–70 MB for Debian's 6.12 and 7.2), a
/// module (Debian 7.2's largest is 47 MB) or an ELF section; DWARF-laden
/// debug files are not shipped compressed whole.
pub const MAX_OUTPUT: u64 = 1 << 30;

/// How many times its own size a stream above [`MIN_LIMIT`]`/MAX_RATIO`
/// bytes may grow. Measured (`xz --robot -l` over every module): Debian
/// 6.12's and 7.2's bzImage payloads grow about 5×, their modules at most
/// 31× once larger than 1 MB; only tiny ones reach 109× (`test_bpf.ko.xz`:
/// 45 KB of xz, 4.9 MB of ELF), which [`MIN_LIMIT`] covers. 16× keeps a
/// 9.4 MB gzip bomb at 150 MB instead of 2 GiB (issue 10).
pub const MAX_RATIO: u64 = 16;

/// What any stream may decompress to, however small: the output of the
/// largest real module (47 MB), not of a bomb.
pub const MIN_LIMIT: u64 = 64 << 20;

/// The output cap for a stream of `len` bytes: [`MAX_RATIO`] times its
/// size, at least [`MIN_LIMIT`], at most [`MAX_OUTPUT`]. Memory stays
/// bounded by the input's size.
pub fn limit_for(len: usize) -> u64 {
    (len as u64)
        .saturating_mul(MAX_RATIO)
        .clamp(MIN_LIMIT, MAX_OUTPUT)
}

/// The most a compressed ELF section (`SHF_COMPRESSED`) may inflate to,
/// whatever its header claims: the BTF of the largest real vmlinux is 6 MB
/// (Debian 7.2), its `.BTF_ids` a few KB.
pub const MAX_SECTION: u64 = 256 << 20;

/// The compression of a stream starting at byte 0 of `data`, by magic.
pub fn detect(data: &[u8]) -> Option<Compression> {
    Some(match data {
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Compression::Xz,
        [0x1f, 0x8b, ..] | [0x1f, 0x9e, ..] => Compression::Gzip,
        [0x02, 0x21, 0x4c, 0x18, ..] => Compression::Lz4,
        [b'B', b'Z', b'h', ..] => Compression::Bzip2,
        [0x89, b'L', b'Z', b'O', ..] => Compression::Lzo,
        // "lzma alone": properties byte 0x5d, then a dictionary size; the
        // kernel writes `lzma -9` output.
        [0x5d, 0, 0, ..] => Compression::Lzma,
        _ => return None,
    })
}

/// A writer that fails once more than `limit` bytes were written.
struct Capped {
    out: Vec<u8>,
    limit: u64,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len() as u64 + buf.len() as u64 > self.limit {
            return Err(std::io::Error::other("output limit reached"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Decompresses the whole stream `data` (found at byte `offset` of the
/// input, for messages), expecting about `size_hint` bytes.
pub fn decompress(
    data: &[u8],
    format: Compression,
    offset: usize,
    size_hint: usize,
) -> Result<Vec<u8>> {
    decompress_capped(data, format, offset, size_hint, limit_for(data.len()))
}

/// [`decompress`] with an explicit output cap.
pub fn decompress_capped(
    data: &[u8],
    format: Compression,
    offset: usize,
    size_hint: usize,
    limit: u64,
) -> Result<Vec<u8>> {
    let corrupt = |e: Box<dyn std::error::Error + Send + Sync>| BtfError::Decompress {
        format,
        offset,
        source: e,
    };
    let too_large = BtfError::TooLarge {
        format,
        offset,
        limit,
    };
    let hint = size_hint
        .min(limit as usize)
        .min(data.len().saturating_mul(32));
    let mut w = Capped {
        out: Vec::with_capacity(hint),
        limit,
    };
    let hit_limit = |w: &Capped| w.out.len() as u64 >= limit.saturating_sub(1 << 20);
    match format {
        Compression::Zstd => {
            let mut input = data;
            let dec = ruzstd::decoding::StreamingDecoder::new(&mut input)
                .map_err(|e| corrupt(Box::new(e)))?;
            let mut take = dec.take(limit + 1);
            take.read_to_end(&mut w.out)
                .map_err(|e| corrupt(Box::new(e)))?;
            if w.out.len() as u64 > limit {
                return Err(too_large);
            }
        }
        Compression::Xz => {
            let r = lzma_rust2::XzReader::new(data, true);
            r.take(limit + 1)
                .read_to_end(&mut w.out)
                .map_err(|e| corrupt(Box::new(e)))?;
            if w.out.len() as u64 > limit {
                return Err(too_large);
            }
        }
        Compression::Lzma => {
            let r = lzma_rust2::LzmaReader::new_mem_limit(data, u32::MAX, None)
                .map_err(|e| corrupt(Box::new(e)))?;
            r.take(limit + 1)
                .read_to_end(&mut w.out)
                .map_err(|e| corrupt(Box::new(e)))?;
            if w.out.len() as u64 > limit {
                return Err(too_large);
            }
        }
        Compression::Gzip => {
            let mut dec = flate2::read::GzDecoder::new(data).take(limit + 1);
            dec.read_to_end(&mut w.out)
                .map_err(|e| corrupt(Box::new(e)))?;
            if w.out.len() as u64 > limit {
                return Err(too_large);
            }
        }
        Compression::Zlib => {
            let mut dec = flate2::read::ZlibDecoder::new(data).take(limit + 1);
            dec.read_to_end(&mut w.out)
                .map_err(|e| corrupt(Box::new(e)))?;
            if w.out.len() as u64 > limit {
                return Err(too_large);
            }
        }
        Compression::Lz4 => lz4_legacy(data, &mut w).map_err(|e| {
            if hit_limit(&w) {
                too_large
            } else {
                corrupt(e.into())
            }
        })?,
        Compression::Bzip2 | Compression::Lzo => {
            return Err(BtfError::UnsupportedCompression(format));
        }
    }
    Ok(w.out)
}

/// The lz4 "legacy" framing the kernel uses (`lz4 -l`): the magic
/// 0x184C2102, then blocks each preceded by its compressed size (LE u32),
/// each decompressing to at most 8 MiB. A repeated magic starts a new
/// stream; fewer than four trailing bytes end it.
fn lz4_legacy(data: &[u8], w: &mut Capped) -> std::result::Result<(), String> {
    const MAGIC: u32 = 0x184c_2102;
    const BLOCK: usize = 8 << 20;
    let mut pos = 4;
    let mut block = vec![0u8; BLOCK];
    while let Some(b) = data.get(pos..pos + 4) {
        let len = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        pos += 4;
        if len == MAGIC {
            continue;
        }
        let chunk = data
            .get(pos..pos + len as usize)
            .ok_or_else(|| format!("block at byte {:#x} runs past the end", pos - 4))?;
        let n = lz4_flex::block::decompress_into(chunk, &mut block)
            .map_err(|e| format!("block at byte {:#x}: {e}", pos - 4))?;
        w.write_all(&block[..n]).map_err(|e| e.to_string())?;
        pos += len as usize;
    }
    Ok(())
}

/// Where a bzImage keeps its compressed kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BzPayload {
    /// Byte offset of the compressed stream in the image.
    pub offset: usize,
    /// Its length, without the appended size word.
    pub len: usize,
    /// The uncompressed size the build appended (0 for gzip).
    pub size_hint: usize,
    /// Its compression.
    pub format: Compression,
}

/// Whether `data` starts like an x86 boot image (boot flag and `HdrS`).
pub fn is_bzimage(data: &[u8]) -> bool {
    data.get(0x1fe..0x200) == Some(&[0x55, 0xaa]) && data.get(0x202..0x206) == Some(b"HdrS")
}

/// Locates and identifies the payload of the bzImage `data`.
pub fn bzimage_payload(data: &[u8]) -> Result<BzPayload> {
    let le16 = |o: usize| data.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let le32 = |o: usize| {
        data.get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let bad = |offset, reason| BtfError::BadBzImage { offset, reason };
    let version = le16(0x206).ok_or(bad(0x206, "header is truncated"))?;
    if version < 0x208 {
        return Err(bad(
            0x206,
            "boot protocol older than 2.08 has no payload fields",
        ));
    }
    let setup_sects = match data.get(0x1f1) {
        Some(0) => 4,
        Some(&n) => n as usize,
        None => return Err(bad(0x1f1, "header is truncated")),
    };
    let payload_offset = le32(0x248).ok_or(bad(0x248, "header is truncated"))? as usize;
    let payload_length = le32(0x24c).ok_or(bad(0x24c, "header is truncated"))? as usize;
    let offset = (setup_sects + 1) * 512 + payload_offset;
    let end = offset
        .checked_add(payload_length)
        .filter(|&e| e <= data.len())
        .ok_or(bad(0x24c, "payload runs past the end of the file"))?;
    let stream = &data[offset..end];
    let format = detect(stream).ok_or(bad(0x248, "payload has no known compression magic"))?;
    let (len, size_hint) = if format == Compression::Gzip || stream.len() < 4 {
        (stream.len(), 0)
    } else {
        let t = &stream[stream.len() - 4..];
        (
            stream.len() - 4,
            u32::from_le_bytes([t[0], t[1], t[2], t[3]]) as usize,
        )
    };
    Ok(BzPayload {
        offset,
        len,
        size_hint,
        format,
    })
}
