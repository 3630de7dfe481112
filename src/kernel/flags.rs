//! `KF_*` kfunc flags: bits and meanings per kernel version.
//!
//! The source scanner decodes flags with the tree's own
//! `include/linux/btf.h` ([`parse_btf_h`]); [`builtin`] is the fallback for
//! inputs without source, and [`meaning`] gives the one-line text shown on
//! rendered pages. Facts checked in Linux 6.1.192 and 6.12.117
//! (`include/linux/btf.h`); later bits from the ≈6.16 tree and pahole's
//! `btf_encoder.c`, which hard-codes `KF_FASTCALL` (1<<12) and
//! `KF_ARENA_*` (1<<13..15).

use super::KernelVersion;

/// One flag of the built-in table.
#[derive(Debug, Clone, Copy)]
pub struct FlagInfo {
    /// `KF_ACQUIRE`...
    pub name: &'static str,
    /// Bit number.
    pub bit: u8,
    /// First release with the flag (6.1 for everything 6.1 already has: the
    /// oldest kernel kfuncdoc reads).
    pub since: KernelVersion,
    /// First release without it, if it was removed.
    pub until: Option<KernelVersion>,
    /// What it tells a BPF program author.
    pub meaning: &'static str,
}

const V6_1: KernelVersion = KernelVersion::new(6, 1);

/// Every `KF_*` flag any supported kernel defines.
pub const FLAGS: &[FlagInfo] = &[
    FlagInfo {
        name: "KF_ACQUIRE",
        bit: 0,
        since: V6_1,
        until: None,
        meaning: "returns a referenced pointer that must be released or stored in a map",
    },
    FlagInfo {
        name: "KF_RELEASE",
        bit: 1,
        since: V6_1,
        until: None,
        meaning: "releases the referenced pointer passed to it",
    },
    FlagInfo {
        name: "KF_RET_NULL",
        bit: 2,
        since: V6_1,
        until: None,
        meaning: "may return NULL; the result must be checked before use",
    },
    FlagInfo {
        name: "KF_KPTR_GET",
        bit: 3,
        since: V6_1,
        until: Some(KernelVersion::new(6, 4)),
        meaning: "takes a pointer to a map kptr and returns a new reference to it",
    },
    FlagInfo {
        name: "KF_TRUSTED_ARGS",
        bit: 4,
        since: V6_1,
        until: Some(KernelVersion::new(7, 0)),
        meaning: "pointer arguments must be trusted (unmodified, not obtained by walking)",
    },
    FlagInfo {
        name: "KF_SLEEPABLE",
        bit: 5,
        since: V6_1,
        until: None,
        meaning: "may sleep; callable only from sleepable programs",
    },
    FlagInfo {
        name: "KF_DESTRUCTIVE",
        bit: 6,
        since: V6_1,
        until: None,
        meaning: "destructive (reboot, panic); the loader needs CAP_SYS_BOOT",
    },
    FlagInfo {
        name: "KF_RCU",
        bit: 7,
        since: KernelVersion::new(6, 2),
        until: None,
        meaning: "pointer arguments may be RCU-protected as well as trusted",
    },
    FlagInfo {
        name: "KF_ITER_NEW",
        bit: 8,
        since: KernelVersion::new(6, 4),
        until: None,
        meaning: "constructor of an open-coded iterator",
    },
    FlagInfo {
        name: "KF_ITER_NEXT",
        bit: 9,
        since: KernelVersion::new(6, 4),
        until: None,
        meaning: "next method of an open-coded iterator",
    },
    FlagInfo {
        name: "KF_ITER_DESTROY",
        bit: 10,
        since: KernelVersion::new(6, 4),
        until: None,
        meaning: "destructor of an open-coded iterator",
    },
    FlagInfo {
        name: "KF_RCU_PROTECTED",
        bit: 11,
        since: KernelVersion::new(6, 7),
        until: None,
        meaning: "must be called inside an RCU read-side critical section",
    },
    FlagInfo {
        name: "KF_FASTCALL",
        bit: 12,
        since: KernelVersion::new(6, 13),
        until: None,
        meaning: "follows the bpf_fastcall convention (caller-saved registers are preserved)",
    },
    FlagInfo {
        name: "KF_ARENA_RET",
        bit: 13,
        since: KernelVersion::new(6, 15),
        until: None,
        meaning: "returns a pointer into a BPF arena",
    },
    FlagInfo {
        name: "KF_ARENA_ARG1",
        bit: 14,
        since: KernelVersion::new(6, 15),
        until: None,
        meaning: "first argument is a pointer into a BPF arena",
    },
    FlagInfo {
        name: "KF_ARENA_ARG2",
        bit: 15,
        since: KernelVersion::new(6, 15),
        until: None,
        meaning: "second argument is a pointer into a BPF arena",
    },
    FlagInfo {
        name: "KF_IMPLICIT_ARGS",
        bit: 16,
        since: KernelVersion::new(7, 0),
        until: None,
        meaning: "some arguments are supplied by the verifier, not by the program",
    },
];

/// A flag table: name → bit, in bit order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagTable {
    /// `(name, bit)` pairs sorted by bit then name.
    pub flags: Vec<(String, u8)>,
}

impl FlagTable {
    /// The bit of `name`, if this table defines it.
    pub fn bit(&self, name: &str) -> Option<u8> {
        self.flags.iter().find(|(n, _)| n == name).map(|&(_, b)| b)
    }

    /// Flag names set in `value`, sorted by name. Bits no flag defines are
    /// returned as `0x...` so that nothing is lost.
    pub fn decode(&self, value: u32) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = value;
        for (name, bit) in &self.flags {
            if *bit < 32 && value & (1 << bit) != 0 {
                out.push(name.clone());
                rest &= !(1 << bit);
            }
        }
        if rest != 0 {
            out.push(format!("{rest:#x}"));
        }
        out.sort();
        out
    }
}

/// The built-in table for `version`: every flag introduced by then and not
/// yet removed.
pub fn builtin(version: KernelVersion) -> FlagTable {
    let release = version.release();
    let mut flags: Vec<(String, u8)> = FLAGS
        .iter()
        .filter(|f| f.since <= release && f.until.is_none_or(|u| release < u))
        .map(|f| (f.name.to_string(), f.bit))
        .collect();
    flags.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    FlagTable { flags }
}

/// The one-line meaning of a flag, if known.
pub fn meaning(name: &str) -> Option<&'static str> {
    FLAGS.iter().find(|f| f.name == name).map(|f| f.meaning)
}

/// The one-line meaning of a flag in the kernel `version`: `None` when the
/// flag is unknown or that kernel does not have it (a bit reused later must
/// not be explained with another release's meaning).
pub fn meaning_for(name: &str, version: KernelVersion) -> Option<&'static str> {
    let release = version.release();
    FLAGS
        .iter()
        .find(|f| f.name == name && f.since <= release && f.until.is_none_or(|u| release < u))
        .map(|f| f.meaning)
}

/// What a change does to a BPF program that already calls the kfunc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effect {
    /// A program the old kernel accepted may be rejected (or behave wrongly).
    Breaking,
    /// Every program the old kernel accepted is still accepted; some it
    /// rejected are accepted now.
    Relaxing,
    /// Neither: nothing a program writes depends on it.
    Neutral,
}

/// How gaining and losing each flag affects an existing caller, and why.
/// Flags not listed here (a bit only a later kernel defines) count as
/// breaking both ways: a change nobody has classified is assumed to matter.
#[rustfmt::skip]
pub const CHANGE_EFFECTS: &[(&str, Effect, Effect, &str)] = &[
    // (flag, when gained, when lost, why)
    ("KF_ACQUIRE", Effect::Breaking, Effect::Breaking,
        "the result becomes (or stops being) a reference the program must release"),
    ("KF_RELEASE", Effect::Breaking, Effect::Breaking,
        "the argument becomes (or stops being) a reference the call consumes"),
    ("KF_RET_NULL", Effect::Breaking, Effect::Relaxing,
        "a result that may be NULL must be checked before use"),
    ("KF_KPTR_GET", Effect::Breaking, Effect::Breaking,
        "changes what the first argument must be"),
    ("KF_TRUSTED_ARGS", Effect::Breaking, Effect::Relaxing,
        "pointer arguments must be trusted"),
    ("KF_SLEEPABLE", Effect::Breaking, Effect::Relaxing,
        "only sleepable programs may call a sleepable kfunc"),
    ("KF_DESTRUCTIVE", Effect::Breaking, Effect::Relaxing,
        "the loader needs CAP_SYS_BOOT"),
    ("KF_RCU", Effect::Relaxing, Effect::Breaking,
        "RCU-protected pointers are accepted besides trusted ones"),
    ("KF_ITER_NEW", Effect::Breaking, Effect::Breaking,
        "changes the iterator protocol the verifier enforces"),
    ("KF_ITER_NEXT", Effect::Breaking, Effect::Breaking,
        "changes the iterator protocol the verifier enforces"),
    ("KF_ITER_DESTROY", Effect::Breaking, Effect::Breaking,
        "changes the iterator protocol the verifier enforces"),
    ("KF_RCU_PROTECTED", Effect::Breaking, Effect::Relaxing,
        "the call must be inside an RCU read-side section"),
    ("KF_FASTCALL", Effect::Neutral, Effect::Neutral,
        "only how registers are saved around the call"),
    ("KF_ARENA_RET", Effect::Breaking, Effect::Breaking,
        "changes whether the result is an arena pointer"),
    ("KF_ARENA_ARG1", Effect::Breaking, Effect::Breaking,
        "changes whether the first argument is an arena pointer"),
    ("KF_ARENA_ARG2", Effect::Breaking, Effect::Breaking,
        "changes whether the second argument is an arena pointer"),
    ("KF_IMPLICIT_ARGS", Effect::Neutral, Effect::Neutral,
        "the verifier supplies trailing arguments; what a program passes is the \
BPF-visible prototype, compared on its own"),
];

/// The effect of gaining (`gained`) or losing a flag, and why.
pub fn change_effect(name: &str, gained: bool) -> (Effect, &'static str) {
    CHANGE_EFFECTS.iter().find(|(n, ..)| *n == name).map_or(
        (
            Effect::Breaking,
            "a flag kfuncdoc has no classification for",
        ),
        |&(_, g, l, why)| (if gained { g } else { l }, why),
    )
}

/// A flag whose requirement became the default for every kfunc: kernels
/// from `from` on have no flag, and every kfunc behaves as if it had it,
/// except those with one of `unless`.
#[derive(Debug, Clone, Copy)]
pub struct BecameDefault {
    /// The retired flag.
    pub flag: &'static str,
    /// The first release where it is the default.
    pub from: KernelVersion,
    /// Flags under which the requirement already held or a weaker one
    /// holds.
    pub unless: &'static [&'static str],
    /// Struct types (prefixes of their names) the requirement does not
    /// concern: arguments the verifier classifies otherwise.
    pub exempt_types: &'static [&'static str],
    /// What the kernel's documentation says, for messages.
    pub says: &'static str,
}

/// Requirements that became the default. `KF_TRUSTED_ARGS`: 7.0 removed
/// the flag from `btf.h`; the 7.2 `kfuncs.rst` §2.2 says "All kfuncs now
/// require trusted arguments by default", `KF_RCU` still relaxes it to RCU
/// pointers, and it concerns pointers to BTF objects only. In 6.12's
/// `check_kfunc_args()` a `KF_RELEASE` argument must already be referenced,
/// and dynptrs, iterators, graph roots and nodes, work queues and program
/// contexts (`struct __sk_buff`...) are argument kinds of their own, not
/// `KF_ARG_PTR_TO_BTF_ID`.
pub const BECAME_DEFAULT: &[BecameDefault] = &[BecameDefault {
    flag: "KF_TRUSTED_ARGS",
    from: KernelVersion::new(7, 0),
    unless: &["KF_RCU", "KF_RELEASE"],
    exempt_types: &[
        "__",
        "bpf_dynptr",
        "bpf_iter_",
        "bpf_list_head",
        "bpf_list_node",
        "bpf_rb_root",
        "bpf_rb_node",
        "bpf_wq",
        "bpf_timer",
        "bpf_task_work",
        "bpf_res_spin_lock",
        "bpf_refcount",
        "xdp_md",
        "bpf_sock_ops",
        "bpf_sock_addr",
        "bpf_sockopt",
    ],
    says: "trusted pointer arguments are the default for every kfunc (kfuncs.rst §2.2)",
}];

/// Reads `#define KF_NAME (1 << N)` (or `BIT(N)`, or a plain number) lines
/// of a `btf.h`. Other `KF_` macros are ignored.
pub fn parse_btf_h(text: &str) -> FlagTable {
    let mut flags = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix("define") else {
            continue;
        };
        let rest = rest.trim_start();
        if !rest.starts_with("KF_") {
            continue;
        }
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let (name, value) = rest.split_at(name_len);
        let value = value.split("/*").next().unwrap_or("");
        let value = value.split("//").next().unwrap_or("");
        if let Some(bit) = parse_bit(value) {
            flags.push((name.to_string(), bit));
        }
    }
    flags.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    FlagTable { flags }
}

/// `(1 << 5)`, `BIT(5)`, `0x20`, `32` → 5.
fn parse_bit(value: &str) -> Option<u8> {
    let v: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let v = v.trim_start_matches('(').trim_end_matches(')');
    if let Some(n) = v.strip_prefix("1<<").or_else(|| v.strip_prefix("1U<<")) {
        return n.parse().ok().filter(|b| *b < 32);
    }
    if let Some(n) = v.strip_prefix("BIT(") {
        return n.parse().ok().filter(|b| *b < 32);
    }
    let n = match v.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16).ok()?,
        None => v.parse::<u32>().ok()?,
    };
    (n.is_power_of_two()).then(|| n.trailing_zeros() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_forms() {
        let t = parse_btf_h(
            "#define KF_ACQUIRE\t(1 << 0) /* acquire */\n\
             # define KF_RELEASE BIT(1)\n\
             #define KF_RET_NULL 0x4 // x\n\
             #define KF_SOMETHING_ELSE(x) (x)\n\
             #define NOT_A_FLAG (1 << 9)\n",
        );
        assert_eq!(t.bit("KF_ACQUIRE"), Some(0));
        assert_eq!(t.bit("KF_RELEASE"), Some(1));
        assert_eq!(t.bit("KF_RET_NULL"), Some(2));
        assert_eq!(t.flags.len(), 3);
    }

    #[test]
    fn meanings_are_those_of_the_release() {
        let v = |s: &str| s.parse::<KernelVersion>().unwrap();
        assert!(meaning_for("KF_KPTR_GET", v("6.1")).is_some());
        assert_eq!(meaning_for("KF_KPTR_GET", v("6.12.117")), None);
        assert_eq!(meaning_for("KF_FASTCALL", v("6.12")), None);
        assert!(meaning_for("KF_FASTCALL", v("6.13")).is_some());
        assert_eq!(meaning_for("KF_TRUSTED_ARGS", v("7.0")), None);
        assert_eq!(meaning_for("KF_NOPE", v("6.12")), None);
    }

    #[test]
    fn builtin_tracks_versions() {
        let t61 = builtin("6.1.192".parse().unwrap());
        assert_eq!(t61.bit("KF_KPTR_GET"), Some(3));
        assert_eq!(t61.bit("KF_RCU"), None);
        let t612 = builtin("6.12".parse().unwrap());
        assert_eq!(t612.bit("KF_KPTR_GET"), None);
        assert_eq!(t612.bit("KF_RCU_PROTECTED"), Some(11));
        assert_eq!(t612.bit("KF_FASTCALL"), None);
        let t70 = builtin("7.0".parse().unwrap());
        assert_eq!(t70.bit("KF_TRUSTED_ARGS"), None);
        assert_eq!(t70.bit("KF_IMPLICIT_ARGS"), Some(16));
    }

    #[test]
    fn decodes_unknown_bits_visibly() {
        let t = builtin("6.12".parse().unwrap());
        assert_eq!(t.decode(0b101), vec!["KF_ACQUIRE", "KF_RET_NULL"]);
        assert_eq!(t.decode(1 << 20 | 1), vec!["0x100000", "KF_ACQUIRE"]);
    }
}
