//! Which kfunc hook each program type maps to, per kernel version.
//!
//! `register_btf_kfunc_id_set(prog_type, kset)` registers the set for a
//! *hook*, not a program type: `bpf_prog_type_to_kfunc_hook()` in
//! `kernel/bpf/btf.c` maps several program types to one hook, so registering
//! for TRACING also makes the set callable from LSM (and, in 6.12, from
//! TRACEPOINT and PERF_EVENT). Program types without a hook make the
//! registration fail. The source scanner parses the tree's own switch
//! ([`parse_btf_c`]); [`builtin`] holds the versions verified by hand.

use super::KernelVersion;
use std::collections::BTreeMap;

/// Program type (`BPF_PROG_TYPE_*`) → hook name (`TRACING`, without the
/// `BTF_KFUNC_HOOK_` prefix).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookTable {
    /// The mapping, sorted by program type.
    pub map: BTreeMap<String, String>,
}

impl HookTable {
    /// The hook of `prog_type`, `None` if the kernel rejects it.
    pub fn hook(&self, prog_type: &str) -> Option<&str> {
        self.map.get(prog_type).map(String::as_str)
    }

    /// Every program type mapped to `hook`, sorted.
    pub fn prog_types_of(&self, hook: &str) -> Vec<String> {
        self.map
            .iter()
            .filter(|(_, h)| *h == hook)
            .map(|(p, _)| p.clone())
            .collect()
    }
}

/// Verified in Linux 6.1.192 `kernel/bpf/btf.c`.
const V6_1: &[(&str, &str)] = &[
    ("XDP", "XDP"),
    ("SCHED_CLS", "TC"),
    ("STRUCT_OPS", "STRUCT_OPS"),
    ("TRACING", "TRACING"),
    ("LSM", "TRACING"),
    ("SYSCALL", "SYSCALL"),
];

/// Verified in Linux 6.12.117 `kernel/bpf/btf.c`.
const V6_12: &[(&str, &str)] = &[
    ("UNSPEC", "COMMON"),
    ("XDP", "XDP"),
    ("SCHED_CLS", "TC"),
    ("STRUCT_OPS", "STRUCT_OPS"),
    ("TRACING", "TRACING"),
    ("TRACEPOINT", "TRACING"),
    ("PERF_EVENT", "TRACING"),
    ("LSM", "TRACING"),
    ("SYSCALL", "SYSCALL"),
    ("CGROUP_SKB", "CGROUP"),
    ("CGROUP_SOCK", "CGROUP"),
    ("CGROUP_DEVICE", "CGROUP"),
    ("CGROUP_SOCK_ADDR", "CGROUP"),
    ("CGROUP_SOCKOPT", "CGROUP"),
    ("CGROUP_SYSCTL", "CGROUP"),
    ("SCHED_ACT", "SCHED_ACT"),
    ("SK_SKB", "SK_SKB"),
    ("SOCKET_FILTER", "SOCKET_FILTER"),
    ("LWT_OUT", "LWT"),
    ("LWT_IN", "LWT"),
    ("LWT_XMIT", "LWT"),
    ("LWT_SEG6LOCAL", "LWT"),
    ("NETFILTER", "NETFILTER"),
    ("KPROBE", "KPROBE"),
];

/// The ≈6.16 tree adds SOCK_OPS to the CGROUP hook.
const V6_16_EXTRA: &[(&str, &str)] = &[("SOCK_OPS", "CGROUP")];

/// The built-in table for `version`. Exact for 6.1 and 6.12; releases in
/// between get the older verified table (hooks were only ever added).
pub fn builtin(version: KernelVersion) -> HookTable {
    let release = version.release();
    let mut pairs: Vec<(&str, &str)> = if release < KernelVersion::new(6, 12) {
        V6_1.to_vec()
    } else {
        V6_12.to_vec()
    };
    if release >= KernelVersion::new(6, 16) {
        pairs.extend_from_slice(V6_16_EXTRA);
    }
    HookTable {
        map: pairs
            .into_iter()
            .map(|(p, h)| (format!("BPF_PROG_TYPE_{p}"), h.to_string()))
            .collect(),
    }
}

/// Reads the `switch` of `bpf_prog_type_to_kfunc_hook()` from the text of
/// `kernel/bpf/btf.c`: each run of `case BPF_PROG_TYPE_X:` labels maps to the
/// `BTF_KFUNC_HOOK_Y` of the `return` that follows. `None` when the function
/// is not there.
pub fn parse_btf_c(text: &str) -> Option<HookTable> {
    let start = text.find("bpf_prog_type_to_kfunc_hook(enum bpf_prog_type")?;
    let body_start = start + text[start..].find('{')?;
    let body_end = body_start + text[body_start..].find("\n}")?;
    let body = &text[body_start..body_end];
    let mut map = BTreeMap::new();
    let mut pending: Vec<String> = Vec::new();
    let words = body.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    let mut expect_hook = false;
    for w in words.filter(|w| !w.is_empty()) {
        if w.starts_with("BPF_PROG_TYPE_") {
            pending.push(w.to_string());
        } else if w == "return" {
            expect_hook = true;
        } else if expect_hook {
            expect_hook = false;
            if let Some(hook) = w.strip_prefix("BTF_KFUNC_HOOK_")
                && hook != "MAX"
            {
                for p in pending.drain(..) {
                    map.insert(p, hook.to_string());
                }
            }
            pending.clear();
        }
    }
    (!map.is_empty()).then_some(HookTable { map })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_switch() {
        let t = parse_btf_c(
            "static int bpf_prog_type_to_kfunc_hook(enum bpf_prog_type prog_type)\n{\n\
             \tswitch (prog_type) {\n\tcase BPF_PROG_TYPE_XDP:\n\t\treturn BTF_KFUNC_HOOK_XDP;\n\
             \tcase BPF_PROG_TYPE_TRACING:\n\tcase BPF_PROG_TYPE_LSM:\n\t\treturn BTF_KFUNC_HOOK_TRACING;\n\
             \tdefault:\n\t\treturn BTF_KFUNC_HOOK_MAX;\n\t}\n}\n",
        )
        .unwrap();
        assert_eq!(t.hook("BPF_PROG_TYPE_LSM"), Some("TRACING"));
        assert_eq!(t.hook("BPF_PROG_TYPE_XDP"), Some("XDP"));
        assert_eq!(t.hook("BPF_PROG_TYPE_KPROBE"), None);
        assert_eq!(t.prog_types_of("TRACING").len(), 2);
    }

    #[test]
    fn builtin_versions() {
        assert_eq!(
            builtin("6.1.192".parse().unwrap()).hook("BPF_PROG_TYPE_UNSPEC"),
            None
        );
        let t = builtin("6.12".parse().unwrap());
        assert_eq!(t.hook("BPF_PROG_TYPE_UNSPEC"), Some("COMMON"));
        assert_eq!(t.hook("BPF_PROG_TYPE_SOCK_OPS"), None);
        assert_eq!(
            builtin("6.18".parse().unwrap()).hook("BPF_PROG_TYPE_SOCK_OPS"),
            Some("CGROUP")
        );
    }
}
