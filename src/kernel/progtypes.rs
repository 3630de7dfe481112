//! Which program types can be sleepable, per kernel version.
//!
//! The verifier only lets sleepable programs call `KF_SLEEPABLE` kfuncs, and
//! only some program types may set `BPF_F_SLEEPABLE`: `can_be_sleepable()`
//! in 6.12's `kernel/bpf/verifier.c` allows tracing (fentry, fexit,
//! fmod_ret, iter), LSM (not cgroup LSM), kprobe (uprobes only) and
//! struct_ops; syscall programs are always sleepable ("Syscall programs can
//! only be sleepable", same file). 6.1 had no struct_ops in that list
//! (verified in 6.1.192); the patch adding it ("... iter, uprobe, and
//! struct_ops programs can be sleepable") went in around 6.4.

use super::KernelVersion;

/// Program types that can be sleepable in `version`, sorted.
pub fn builtin_sleepable(version: KernelVersion) -> Vec<String> {
    let mut v = vec!["KPROBE", "LSM", "SYSCALL", "TRACING"];
    if version.release() >= KernelVersion::new(6, 4) {
        v.push("STRUCT_OPS");
    }
    let mut out: Vec<String> = v
        .into_iter()
        .map(|p| format!("BPF_PROG_TYPE_{p}"))
        .collect();
    out.sort();
    out
}

/// The program types `can_be_sleepable()` accepts in the text of a tree's
/// `kernel/bpf/verifier.c`, plus `SYSCALL` (always sleepable). `None` when
/// the tree predates the function.
pub fn parse_verifier_c(text: &str) -> Option<Vec<String>> {
    let start = text.find("static bool can_be_sleepable(")?;
    let body_start = start + text[start..].find('{')?;
    let body_end = body_start + text[body_start..].find("\n}")?;
    let body = &text[body_start..body_end];
    let mut out: Vec<String> = body
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("BPF_PROG_TYPE_"))
        .map(str::to_string)
        .collect();
    out.push("BPF_PROG_TYPE_SYSCALL".into());
    out.sort();
    out.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(
            !builtin_sleepable("6.1".parse().unwrap())
                .contains(&"BPF_PROG_TYPE_STRUCT_OPS".to_string())
        );
        assert!(
            builtin_sleepable("6.12".parse().unwrap())
                .contains(&"BPF_PROG_TYPE_STRUCT_OPS".to_string())
        );
    }

    #[test]
    fn parses_the_function() {
        let t = "static bool can_be_sleepable(struct bpf_prog *prog)\n{\n\tif (prog->type == BPF_PROG_TYPE_TRACING) {\n\t\treturn true;\n\t}\n\treturn prog->type == BPF_PROG_TYPE_LSM ||\n\t       prog->type == BPF_PROG_TYPE_STRUCT_OPS;\n}\n";
        assert_eq!(
            parse_verifier_c(t).unwrap(),
            [
                "BPF_PROG_TYPE_LSM",
                "BPF_PROG_TYPE_STRUCT_OPS",
                "BPF_PROG_TYPE_SYSCALL",
                "BPF_PROG_TYPE_TRACING"
            ]
        );
        assert!(parse_verifier_c("int x;").is_none());
    }
}
