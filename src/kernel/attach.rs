//! Which program type each attach type belongs to, per kernel version.
//!
//! `attach_type_to_prog_type()` in `kernel/bpf/syscall.c` maps an attach
//! type (`BPF_TRACE_ITER`) to the program type that attaches with it
//! (`BPF_PROG_TYPE_TRACING`). Filter callbacks test
//! `prog->expected_attach_type`; with this table a condition such as
//! `expected_attach_type == BPF_TRACE_ITER` keeps only the program type the
//! attach type belongs to. Attach types the switch does not name (the
//! kprobe and uprobe session types go to `UNSPEC`) stay conditions.
//! Only the tree's own switch is used: there is no built-in table.

use std::collections::BTreeMap;

/// Attach type (`BPF_TRACE_ITER`) → program type (`BPF_PROG_TYPE_TRACING`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttachTable {
    /// The mapping, sorted by attach type.
    pub map: BTreeMap<String, String>,
}

impl AttachTable {
    /// The program type `attach_type` belongs to, if the kernel says.
    pub fn prog_type(&self, attach_type: &str) -> Option<&str> {
        self.map.get(attach_type).map(String::as_str)
    }
}

/// Reads the `switch` of `attach_type_to_prog_type()` from the text of
/// `kernel/bpf/syscall.c`: each run of `case BPF_X:` labels maps to the
/// `BPF_PROG_TYPE_Y` of the `return` that follows (`UNSPEC` is no type).
/// `None` when the function is not there.
pub fn parse_syscall_c(text: &str) -> Option<AttachTable> {
    let start = text.find("\nattach_type_to_prog_type(enum bpf_attach_type")?;
    let body_start = start + text[start..].find('{')?;
    let body_end = body_start + text[body_start..].find("\n}")?;
    let body = &text[body_start..body_end];
    let mut map = BTreeMap::new();
    let mut pending: Vec<&str> = Vec::new();
    let mut after_case = false;
    let mut expect_type = false;
    let words = body.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    for w in words.filter(|w| !w.is_empty()) {
        if w == "case" {
            after_case = true;
        } else if after_case {
            after_case = false;
            pending.push(w);
        } else if w == "return" {
            expect_type = true;
        } else if expect_type {
            expect_type = false;
            if w.starts_with("BPF_PROG_TYPE_") && w != "BPF_PROG_TYPE_UNSPEC" {
                for p in pending.drain(..) {
                    map.insert(p.to_string(), w.to_string());
                }
            }
            pending.clear();
        }
    }
    (!map.is_empty()).then_some(AttachTable { map })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_switch() {
        let t = parse_syscall_c(
            "static enum bpf_prog_type\nattach_type_to_prog_type(enum bpf_attach_type attach_type)\n{\n\
             \tswitch (attach_type) {\n\tcase BPF_TRACE_ITER:\n\tcase BPF_TRACE_FENTRY:\n\
             \t\treturn BPF_PROG_TYPE_TRACING;\n\tcase BPF_LSM_MAC:\n\t\treturn BPF_PROG_TYPE_LSM;\n\
             \tdefault:\n\t\treturn BPF_PROG_TYPE_UNSPEC;\n\t}\n}\n",
        )
        .unwrap();
        assert_eq!(t.prog_type("BPF_TRACE_ITER"), Some("BPF_PROG_TYPE_TRACING"));
        assert_eq!(t.prog_type("BPF_LSM_MAC"), Some("BPF_PROG_TYPE_LSM"));
        assert_eq!(t.prog_type("BPF_TRACE_KPROBE_SESSION"), None);
        assert!(parse_syscall_c("int x;").is_none());
    }
}
