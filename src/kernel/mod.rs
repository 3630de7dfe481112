//! Kernel knowledge that varies by version, kept as data.
//!
//! The source scanner reads the tree's own definitions wherever it can (the
//! `KF_*` bits of `include/linux/btf.h`, the program-type → hook switch of
//! `kernel/bpf/btf.c`, the argument suffixes the verifier matches). The
//! tables here are the fallback for inputs that carry no source, and the
//! meanings shown on rendered pages. Each table cites where its facts were
//! checked. Nothing outside this module hard-codes a version-dependent fact.

pub mod attach;
pub mod ctypes;
pub mod flags;
pub mod hooks;
pub mod implicit;
pub mod kerneldoc;
pub mod progtypes;
pub mod suffixes;
pub mod testcode;
pub mod version;

pub use version::KernelVersion;
