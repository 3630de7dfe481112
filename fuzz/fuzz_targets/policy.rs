//! Any text as a policy file: YAML through serde-saphyr's budgets, then
//! validation (`policy::parse`), and files merged.
#![no_main]

use kfuncdoc::policy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match policy::parse("policy/fuzz.yaml", text) {
        Ok(p) => {
            let mut problems = Vec::new();
            let _ = policy::merge_files(vec![p.clone(), p], &mut problems);
        }
        Err(problems) => assert!(!problems.is_empty(), "an error without a problem"),
    }
});
