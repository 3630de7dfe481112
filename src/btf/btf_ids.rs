//! `.BTF_ids`: kfunc sets (`struct btf_id_set8`) and their per-kfunc flags.
//!
//! Layout (`include/linux/btf_ids.h`): a set8 is `u32 cnt; u32 flags;`
//! followed by `cnt` pairs `{ u32 id; u32 flags; }`, written at link time by
//! `resolve_btfids`, which also sorts the pairs by id. Header flag bit 0 is
//! `BTF_SET8_KFUNCS` (Linux 6.9+, commit 79b47344bbc5), set by
//! `BTF_KFUNCS_START`; from 6.9 `register_btf_kfunc_id_set()` rejects sets
//! without it, so where the bit exists it separates kfunc sets from other
//! set8 lists (fmod_ret allow-lists). The same section also holds
//! `BTF_SET` (`u32 cnt; u32 ids[]`) and `BTF_ID_LIST` (bare ids).
//!
//! Two ways to find sets:
//!
//! * [`from_symbols`]: each `__BTF_ID__set8__<name>` symbol spans
//!   `[st_value, st_value + st_size)`, exactly as pahole finds them.
//!   Function symbols `__BTF_ID__func__<name>__<uniq>` name the entries
//!   whose id stayed 0 (functions missing from BTF), since after sorting a
//!   symbol's address no longer matches its pair.
//! * [`structural`]: for stripped images (Debian's bzImage vmlinux), a scan
//!   for byte ranges that *look* like a set8, with a confidence per set.
//!
//! This module reads the section and resolves ids against BTF; it does not
//! print prototypes or merge kfuncs (that is `kfuncs.rs`).

use super::elf::IdSymbol;
use super::raw::{Endian, Kind};
use super::types::Btf;
use serde::{Deserialize, Serialize};

/// `BTF_SET8_KFUNCS`.
pub const SET8_KFUNCS: u32 = 1 << 0;
const SET8_PREFIX: &str = "__BTF_ID__set8__";
const FUNC_PREFIX: &str = "__BTF_ID__func__";
/// More entries than any one set could hold and still register
/// (`BTF_KFUNC_SET_MAX_CNT` is 256 per hook); bounds the structural scan.
pub const MAX_STRUCTURAL_CNT: u32 = 1024;

/// How sure the structural scan is that a byte range is a set8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Header flags 0 and one entry: a `BTF_ID_LIST` or `BTF_SET` could
    /// produce this by chance.
    Low,
    /// Header flags 0 and several sorted FUNC entries with plausible flags:
    /// a pre-6.9 kfunc set or a non-kfunc set8.
    Medium,
    /// Header flags exactly `BTF_SET8_KFUNCS` and every entry plausible.
    High,
}

/// Where a set's boundaries came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum SetSource {
    /// A `__BTF_ID__set8__` symbol.
    Symbols,
    /// The structural scan.
    Structural {
        /// How sure it is.
        confidence: Confidence,
    },
}

/// One `{ id, flags }` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetEntry {
    /// The BTF id (translated for split and distilled BTF; 0: unresolved).
    pub btf_id: u32,
    /// The `KF_*` bits.
    pub flags: u32,
}

/// One set8 found in `.BTF_ids`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Set8 {
    /// The set's name (`generic_btf_ids`), when symbols give it.
    pub name: Option<String>,
    /// Byte offset in `.BTF_ids`.
    pub offset: u64,
    /// The header flags (`BTF_SET8_KFUNCS`...).
    pub set_flags: u32,
    /// The pairs, in section order (sorted by id).
    pub entries: Vec<SetEntry>,
    /// Whether it is taken as a kfunc set (see [`mark_kfunc_sets`]).
    pub kfuncs: bool,
    /// How it was found.
    pub source: SetSource,
    /// Functions listed by symbols whose id is 0 (not in BTF).
    pub unresolved: Vec<String>,
}

/// Something odd about a set that does not stop the others being read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetFinding {
    /// The set, when named.
    pub set: Option<String>,
    /// Byte offset in `.BTF_ids`.
    pub offset: u64,
    /// What is odd.
    pub message: String,
}

/// `__BTF_ID__func__bpf_task_acquire__1234` → `bpf_task_acquire` (names
/// may contain `__`, the unique suffix never does).
pub fn func_symbol_name(sym: &str) -> Option<&str> {
    let rest = sym.strip_prefix(FUNC_PREFIX)?;
    let cut = rest.rfind("__")?;
    Some(&rest[..cut]).filter(|n| !n.is_empty())
}

fn is_func(btf: &Btf, id: u32) -> bool {
    id != 0 && btf.get(id).is_ok_and(|t| t.kind() == Kind::Func)
}

/// Sets named by `__BTF_ID__set8__*` symbols.
pub fn from_symbols(
    data: &[u8],
    e: Endian,
    symbols: &[IdSymbol],
    btf: &Btf,
) -> (Vec<Set8>, Vec<SetFinding>) {
    let mut sets = Vec::new();
    let mut findings = Vec::new();
    for sym in symbols {
        let Some(name) = sym.name.strip_prefix(SET8_PREFIX) else {
            continue;
        };
        let mut note = |message: String| {
            findings.push(SetFinding {
                set: Some(name.to_string()),
                offset: sym.offset,
                message,
            })
        };
        let off = sym.offset as usize;
        if sym.offset > data.len() as u64 {
            note(format!(
                "set symbol at {off:#x} is outside .BTF_ids ({:#x} bytes)",
                data.len()
            ));
            continue;
        }
        let (Some(cnt), Some(set_flags)) = (e.u32(data, off), e.u32(data, off + 4)) else {
            note(format!(
                "set header at {:#x} is outside .BTF_ids ({:#x} bytes)",
                off,
                data.len()
            ));
            continue;
        };
        // The symbol size is what BTF_SET8_END recorded; `cnt` is what
        // resolve_btfids wrote. They agree unless the file was not
        // processed by resolve_btfids (cnt 0) or is corrupt.
        let room = (data.len() - off - 8) / 8;
        let by_size = (sym.size as usize).checked_sub(8).map(|s| s / 8);
        let mut n = cnt as usize;
        if let Some(s) = by_size
            && s != n
        {
            note(format!(
                "set header says {cnt} entries, its symbol spans {s}"
            ));
            n = n.min(s);
        }
        if n > room {
            note(format!("{n} entries run past the end of .BTF_ids"));
            n = room;
        }
        let mut entries = Vec::with_capacity(n);
        for i in 0..n {
            let p = off + 8 + 8 * i;
            let raw = e.u32(data, p).unwrap_or(0);
            let btf_id = if raw == 0 { 0 } else { btf.map_id(raw) };
            if btf_id != 0 && !is_func(btf, btf_id) {
                note(format!("entry {i} (type [{btf_id}]) is not a FUNC"));
            }
            entries.push(SetEntry {
                btf_id,
                flags: e.u32(data, p + 4).unwrap_or(0),
            });
        }
        let end = sym.offset + 8 + 8 * n as u64;
        let resolved: Vec<&str> = entries
            .iter()
            .filter_map(|x| btf.get(x.btf_id).ok().and_then(|t| t.name().ok()))
            .collect();
        let mut unresolved: Vec<String> = symbols
            .iter()
            .filter(|s| s.offset >= sym.offset + 8 && s.offset < end)
            .filter_map(|s| func_symbol_name(&s.name))
            .filter(|f| !resolved.contains(f))
            .map(str::to_string)
            .collect();
        unresolved.sort();
        unresolved.dedup();
        sets.push(Set8 {
            name: Some(name.to_string()),
            offset: sym.offset,
            set_flags,
            entries,
            kfuncs: false,
            source: SetSource::Symbols,
            unresolved,
        });
    }
    sets.sort_by_key(|s| s.offset);
    (sets, findings)
}

/// Recovers set8 blocks from a `.BTF_ids` without symbols.
///
/// Heuristic: at every 4-byte offset, a candidate is `cnt` (1 to
/// [`MAX_STRUCTURAL_CNT`], fitting in the section), header flags with no
/// bit but `BTF_SET8_KFUNCS`, then `cnt` pairs whose non-zero ids are
/// non-decreasing (resolve_btfids sorts them; zeros, unresolved entries,
/// sort first) and name FUNC types, with at least one FUNC, and whose flags
/// use only bits in `kf_mask`. A `BTF_SET` of functions fails this because
/// its second word (a type id) is not a valid header flag and a type id as
/// `cnt` overruns the section; a `BTF_ID_LIST` would need an id of 0 or 1
/// followed by id/flag pairs to match. So a candidate whose header is
/// exactly `BTF_SET8_KFUNCS` is [`Confidence::High`]; flags 0 with several
/// entries is [`Confidence::Medium`]; flags 0 with one entry is
/// [`Confidence::Low`]. Overlapping candidates are resolved by keeping the
/// most confident, then the earliest.
pub fn structural(data: &[u8], e: Endian, btf: &Btf, kf_mask: u32) -> Vec<Set8> {
    let mut cands = Vec::new();
    let mut off = 0usize;
    while off + 16 <= data.len() {
        if let Some(set) = candidate(data, e, btf, kf_mask, off) {
            cands.push(set);
        }
        off += 4;
    }
    let confidence = |s: &Set8| match s.source {
        SetSource::Structural { confidence } => confidence,
        SetSource::Symbols => Confidence::High,
    };
    cands.sort_by(|a, b| {
        confidence(b)
            .cmp(&confidence(a))
            .then(a.offset.cmp(&b.offset))
    });
    let mut taken: Vec<Set8> = Vec::new();
    for c in cands {
        let (s, end) = (c.offset, c.offset + 8 + 8 * c.entries.len() as u64);
        if taken
            .iter()
            .all(|t| end <= t.offset || s >= t.offset + 8 + 8 * t.entries.len() as u64)
        {
            taken.push(c);
        }
    }
    taken.sort_by_key(|s| s.offset);
    taken
}

fn candidate(data: &[u8], e: Endian, btf: &Btf, kf_mask: u32, off: usize) -> Option<Set8> {
    let cnt = e.u32(data, off)?;
    let set_flags = e.u32(data, off + 4)?;
    if cnt == 0 || cnt > MAX_STRUCTURAL_CNT || set_flags & !SET8_KFUNCS != 0 {
        return None;
    }
    if 8 + 8 * cnt as usize > data.len() - off {
        return None;
    }
    let mut entries = Vec::with_capacity(cnt as usize);
    let mut prev = 0u32;
    let mut funcs = 0;
    for i in 0..cnt as usize {
        let p = off + 8 + 8 * i;
        let raw = e.u32(data, p)?;
        let flags = e.u32(data, p + 4)?;
        if flags & !kf_mask != 0 || raw < prev {
            return None;
        }
        let btf_id = if raw == 0 { 0 } else { btf.map_id(raw) };
        if raw != 0 {
            if !is_func(btf, btf_id) {
                return None;
            }
            funcs += 1;
        }
        prev = raw;
        entries.push(SetEntry { btf_id, flags });
    }
    if funcs == 0 {
        return None;
    }
    let confidence = if set_flags == SET8_KFUNCS {
        Confidence::High
    } else if cnt >= 2 {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    Some(Set8 {
        name: None,
        offset: off as u64,
        set_flags,
        entries,
        kfuncs: false,
        source: SetSource::Structural { confidence },
        unresolved: Vec::new(),
    })
}

/// Decides which sets are kfunc sets. Where the kernel has
/// `BTF_SET8_KFUNCS` (known from `has_kfuncs_bit`, or because any set in
/// the image carries it) only sets with the bit are; on older kernels every
/// set8 is (they were used only for kfuncs before 6.9, except test
/// fmod_ret lists that source-side registration data must filter).
pub fn mark_kfunc_sets(sets: &mut [Set8], has_kfuncs_bit: Option<bool>) {
    let bit = has_kfuncs_bit.unwrap_or_else(|| sets.iter().any(|s| s.set_flags & SET8_KFUNCS != 0));
    for s in sets {
        s.kfuncs = !bit || s.set_flags & SET8_KFUNCS != 0;
    }
}
