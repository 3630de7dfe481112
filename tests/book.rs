//! The book stays true to the code.

use crate::util::{golden_file, root};

#[test]
fn diagnostics_page() {
    golden_file(
        &root().join("book/src/reference/diagnostics.md"),
        &kfuncdoc::diag::codes::reference_markdown(),
    );
}

#[test]
fn summary_lists_every_page() {
    let src = root().join("book/src");
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    let mut pages = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") && !p.ends_with("SUMMARY.md") {
                pages.push(p.strip_prefix(&src).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    for page in pages {
        assert!(
            summary.contains(&format!("({page})")),
            "{page} is not in SUMMARY.md"
        );
    }
}

#[test]
fn help_matches_the_extract_page() {
    let help = crate::util::kfuncdoc(&["extract", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    let page = std::fs::read_to_string(root().join("book/src/reference/extract.md")).unwrap();
    for flag in [
        "--source",
        "--btf",
        "--btf-base",
        "--modules",
        "--catalog",
        "--output",
        "--format",
    ] {
        assert!(help.contains(flag), "extract --help lacks {flag}");
        assert!(page.contains(flag), "the extract page lacks {flag}");
    }
}
