//! Which source files are the kernel's own test code.
//!
//! A kfunc defined in test code, or registered only by sets in test code,
//! is `test_only`: it exists for the BPF selftests (`bpf_testmod`,
//! `net/bpf/test_run.c`'s `bpf_kfunc_call_test_*`), not for BPF programs.

/// Path prefixes of test code.
const PREFIXES: &[&str] = &["tools/testing/", "samples/"];

/// Files that are in-kernel test code although they live beside real code.
const FILES: &[&str] = &["net/bpf/test_run.c", "lib/test_bpf.c"];

/// Whether `path` (relative to the tree, `/`-separated) is test code.
pub fn is_test_code(path: &str) -> bool {
    if PREFIXES.iter().any(|p| path.starts_with(p)) || FILES.contains(&path) {
        return true;
    }
    let file = path.rsplit('/').next().unwrap_or(path);
    (path.starts_with("lib/") && file.starts_with("test_"))
        || file.ends_with("_kunit.c")
        || path.split('/').any(|c| c == "kunit" || c == "tests")
}

#[cfg(test)]
mod tests {
    use super::is_test_code;

    #[test]
    fn classifies() {
        assert!(is_test_code(
            "tools/testing/selftests/bpf/bpf_testmod/bpf_testmod.c"
        ));
        assert!(is_test_code("net/bpf/test_run.c"));
        assert!(is_test_code("lib/test_bpf.c"));
        assert!(is_test_code("drivers/gpu/drm/tests/drm_foo_test.c"));
        assert!(!is_test_code("kernel/bpf/helpers.c"));
        assert!(!is_test_code("net/core/filter.c"));
    }
}
