//! The BTF reader: built kernels in, kfuncs with prototypes and flags out.
//!
//! Layers, from bytes to meaning:
//!
//! * [`raw`]: the on-disk format of uapi `btf.h` (header, kinds, records);
//! * [`types`]: a parsed [`Btf`]: ids, names, split BTF on a base,
//!   cycle-safe walks; [`split`] relocates a distilled `.BTF.base`;
//! * [`input`]: files detected by content (raw BTF, vmlinux, module,
//!   `.ko.{xz,zst,gz}`, x86 bzImage) via [`elf`] and [`decompress`], and
//!   the modules-directory walk;
//! * [`btf_ids`]: kfunc sets in `.BTF_ids`, by symbol or by structure;
//! * [`kfuncs`]: the kfunc list with provenance, flags and prototypes,
//!   printed by [`cdecl`] exactly as bpftool 7.5 prints kfunc externs;
//! * [`cache`]: each file's [`FileReport`] kept between runs, keyed by the
//!   file's stamp, so that unchanged modules are not decompressed again.
//!
//! This module only reads kernels (the one file it writes is [`cache`]'s
//! own): no printing, no diagnostics (a bad module is a
//! [`ModuleProblem`] for the caller to report), no version-dependent facts
//! of its own (`KF_*` bits come from [`crate::kernel::flags`]). Its errors
//! are [`BtfError`]s naming the file, section, byte offset and type id.
//!
//! ```no_run
//! let img = kfuncdoc::btf::read(std::path::Path::new("/sys/kernel/btf/vmlinux"), None)?;
//! for k in img.kfuncs()?.kfuncs {
//!     let _ = (k.name, k.prototype, k.flags);
//! }
//! # Ok::<(), kfuncdoc::btf::BtfError>(())
//! ```

pub mod btf_ids;
pub mod bytes;
pub mod cache;
pub mod cdecl;
mod cdump;
pub mod decompress;
pub mod elf;
pub mod error;
mod fxhash;
pub mod input;
pub mod kfuncs;
pub mod raw;
pub mod split;
pub mod types;

pub use error::{BtfError, Compression, Result};
pub use input::{
    FileReport, Image, InputKind, ModuleFile, ModuleKfuncs, ModuleProblem, ModuleScan,
    module_files, open_module, parse_release, read, read_with_base, scan_modules,
};
pub use kfuncs::{BtfKfunc, BtfParam, FlagsSource, FoundBy, ImplFunc, KfuncReport};
pub use types::{Btf, Type};

#[cfg(test)]
mod real_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_cdecl;
#[cfg(test)]
pub(crate) mod tests_inputs;
#[cfg(test)]
pub(crate) mod testutil;
