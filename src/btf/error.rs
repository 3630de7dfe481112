//! Why a BTF input could not be read.
//!
//! Every variant carries the context a user needs to find the problem: the
//! file, the byte offset inside the BTF blob (or ELF section) and the type id
//! when one is known. Offsets are relative to the start of the BTF blob; an
//! error inside an ELF section is wrapped in [`BtfError::Section`], and one in
//! a file in [`BtfError::File`], so the message reads outside-in
//! (`vmlinux: section .BTF: byte 0x1c (type [3]): ...`). This module only
//! describes failures; it never decides whether one is fatal (a bad module
//! among thousands is a per-module problem, see `input::ModuleProblem`).

use std::path::PathBuf;

/// Result with [`BtfError`].
pub type Result<T> = std::result::Result<T, BtfError>;

/// A decompression format the reader knows about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// zstd (Debian's bzImage, `.ko.zst`).
    Zstd,
    /// xz (`.ko.xz`).
    Xz,
    /// gzip (`.ko.gz`, older bzImages).
    Gzip,
    /// zlib (`SHF_COMPRESSED` ELF sections).
    Zlib,
    /// The kernel's legacy lz4 framing (`lz4 -l`).
    Lz4,
    /// Raw LZMA ("lzma alone"), a bzImage option.
    Lzma,
    /// bzip2: recognised, not supported.
    Bzip2,
    /// LZO: recognised, not supported.
    Lzo,
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Compression::Zstd => "zstd",
            Compression::Xz => "xz",
            Compression::Gzip => "gzip",
            Compression::Zlib => "zlib",
            Compression::Lz4 => "lz4",
            Compression::Lzma => "lzma",
            Compression::Bzip2 => "bzip2",
            Compression::Lzo => "lzo",
        })
    }
}

/// `(type [N])` when a type id is known.
fn ty(id: &Option<u32>) -> String {
    id.map(|id| format!(" (type [{id}])")).unwrap_or_default()
}

/// Why reading BTF failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BtfError {
    /// Opening, mapping or reading a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// An error inside `path`.
    #[error("{}: {source}", path.display())]
    File {
        /// The file being read.
        path: PathBuf,
        /// What went wrong in it.
        #[source]
        source: Box<BtfError>,
    },
    /// An error inside an ELF section.
    #[error("section {name} (file offset {file_offset:#x}): {source}")]
    Section {
        /// `.BTF`, `.BTF.base`, `.BTF_ids`...
        name: &'static str,
        /// Where the section starts in the (decompressed) ELF file.
        file_offset: u64,
        /// What went wrong in it.
        #[source]
        source: Box<BtfError>,
    },
    /// The input ends before a structure it announces.
    #[error(
        "byte {offset:#x}{}: {what} needs {need} bytes, only {have} left",
        ty(type_id)
    )]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Where it starts.
        offset: usize,
        /// The type being read, if any.
        type_id: Option<u32>,
        /// Bytes needed.
        need: usize,
        /// Bytes available from `offset`.
        have: usize,
    },
    /// The first two bytes are not the BTF magic in either byte order.
    #[error("byte 0x0: bad BTF magic {found:#06x} (expected 0xeb9f)")]
    BadMagic {
        /// The two bytes read as little-endian.
        found: u16,
    },
    /// A header or section layout that cannot be valid.
    #[error("byte {offset:#x}: bad BTF header: {reason}")]
    BadHeader {
        /// Offset of the offending header field.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A type record that cannot be valid.
    #[error("byte {offset:#x}{}: {reason}", ty(type_id))]
    Malformed {
        /// Offset of the record or field.
        offset: usize,
        /// The type, when known.
        type_id: Option<u32>,
        /// What is wrong.
        reason: &'static str,
    },
    /// A type kind this reader does not know (newer than `ENUM64`).
    #[error("byte {offset:#x} (type [{type_id}]): unknown BTF kind {kind}")]
    UnknownKind {
        /// Offset of the record.
        offset: usize,
        /// Its id.
        type_id: u32,
        /// The kind number.
        kind: u8,
    },
    /// A type refers to a type id that does not exist.
    #[error(
        "byte {offset:#x} (type [{type_id}]): refers to type [{target}], but the last type is [{last}]{}",
        if *split_hint { " (split BTF? pass its base)" } else { "" }
    )]
    BadTypeRef {
        /// Offset of the referring record.
        offset: usize,
        /// The referring type.
        type_id: u32,
        /// The id referred to.
        target: u32,
        /// The last valid id.
        last: u32,
        /// The blob may be split BTF read without its base.
        split_hint: bool,
    },
    /// A name offset outside the string section, or a name that is not UTF-8.
    #[error(
        "byte {offset:#x}{}: string offset {name_off:#x} {reason}",
        ty(type_id)
    )]
    BadString {
        /// Offset of the field holding the string offset.
        offset: usize,
        /// The type, when known.
        type_id: Option<u32>,
        /// The string offset.
        name_off: u32,
        /// What is wrong.
        reason: &'static str,
    },
    /// A type id asked for that does not exist.
    #[error("no type [{type_id}] (the last type is [{last}])")]
    NoSuchType {
        /// The id asked for.
        type_id: u32,
        /// The last valid id.
        last: u32,
    },
    /// Following type references came back to where they started.
    #[error("type [{type_id}]: reference cycle or chain deeper than {depth}")]
    Cycle {
        /// A type on the cycle.
        type_id: u32,
        /// How deep the walk went.
        depth: usize,
    },
    /// A reference that exists but cannot mean anything: a FUNC whose type
    /// is not a FUNC_PROTO, a decl tag on a type that cannot be tagged, a
    /// chain of pointers or modifiers that comes back to itself.
    #[error("byte {offset:#x} (type [{type_id}]): {reason} (type [{target}])")]
    BadMeaning {
        /// Offset of the referring field.
        offset: usize,
        /// The referring type.
        type_id: u32,
        /// The type referred to.
        target: u32,
        /// What is wrong.
        reason: &'static str,
    },
    /// A type of an unexpected kind where a specific one is required.
    #[error("type [{type_id}]: expected {expected}, found {found}")]
    WrongKind {
        /// The type.
        type_id: u32,
        /// What was needed.
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
    /// The input is split BTF (a module) and needs a base.
    #[error("split BTF (a module) needs a base: pass the matching vmlinux")]
    NeedsBase,
    /// A distilled `.BTF.base` type has no match in the real base.
    #[error("distilled base type [{type_id}] {kind} `{name}`: {reason}")]
    BaseMismatch {
        /// The id in the distilled base.
        type_id: u32,
        /// Its kind.
        kind: &'static str,
        /// Its name.
        name: String,
        /// Why it could not be matched.
        reason: &'static str,
    },
    /// The file is none of the inputs this reader understands.
    #[error("not raw BTF, an ELF file, a compressed module or an x86 bzImage: {reason}")]
    UnknownInput {
        /// What the content looked like.
        reason: &'static str,
    },
    /// The ELF file could not be parsed.
    #[error("bad ELF file: {0}")]
    Elf(#[source] object::read::Error),
    /// The ELF file has no `.BTF` section.
    #[error("ELF file has no .BTF section (kernel built without CONFIG_DEBUG_INFO_BTF?)")]
    NoBtfSection,
    /// An x86 boot image whose header cannot be used.
    #[error("byte {offset:#x}: bad bzImage header: {reason}")]
    BadBzImage {
        /// Offset of the offending field.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A compression format that is recognised but not supported.
    #[error("{0}-compressed input is not supported (only zstd, xz, gzip, lz4, lzma)")]
    UnsupportedCompression(Compression),
    /// Decompressing failed.
    #[error("corrupt {format} data at byte {offset:#x}: {source}")]
    Decompress {
        /// The format.
        format: Compression,
        /// Where the compressed stream starts in the input.
        offset: usize,
        /// The decoder's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Decompressed data larger than the reader accepts.
    #[error("{format} data at byte {offset:#x} decompresses to more than {limit} bytes")]
    TooLarge {
        /// The format.
        format: Compression,
        /// Where the compressed stream starts in the input.
        offset: usize,
        /// The limit.
        limit: u64,
    },
}

impl BtfError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        BtfError::Io {
            path: path.into(),
            source,
        }
    }

    /// Wraps `self` as happening inside `path` (I/O errors already name it).
    pub fn in_file(self, path: impl Into<PathBuf>) -> Self {
        match self {
            e @ (BtfError::Io { .. } | BtfError::File { .. }) => e,
            e => BtfError::File {
                path: path.into(),
                source: Box::new(e),
            },
        }
    }

    /// Wraps `self` as happening inside the ELF section `name`.
    pub fn in_section(self, name: &'static str, file_offset: u64) -> Self {
        BtfError::Section {
            name,
            file_offset,
            source: Box::new(self),
        }
    }

    /// The message without the leading file name, for a report that names
    /// the file itself.
    pub fn message_in_file(&self) -> String {
        match self {
            BtfError::File { source, .. } => source.to_string(),
            BtfError::Io { source, .. } => source.to_string(),
            e => e.to_string(),
        }
    }

    /// The innermost error, past any file or section wrapper.
    pub fn root(&self) -> &BtfError {
        match self {
            BtfError::File { source, .. } | BtfError::Section { source, .. } => source.root(),
            e => e,
        }
    }
}
