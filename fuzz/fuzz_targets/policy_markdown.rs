//! Any text as a Markdown field of the policy, converted to RST and to
//! Markdown: either refused with a position inside the text, or written
//! with no explicit RST markup but code blocks and empty comments, and no
//! raw HTML or mdBook link in the Markdown.
#![no_main]

use kfuncdoc::render::markdown::{Target, convert};
use kfuncdoc_fuzz::markup;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|md: &str| {
    let lines = md.split('\n').count() as u32;
    match convert(md, Target::Rst) {
        Ok(rst) => {
            if let Err(e) = markup::rst_blocks(&rst) {
                panic!("{md:?} as RST: {e}\n{rst}");
            }
        }
        Err(e) => assert!(
            e.line >= 1 && e.line <= lines && e.col >= 1,
            "{e} for {md:?}"
        ),
    }
    match convert(md, Target::Markdown) {
        Ok(out) => {
            if let Err(e) = markup::md_blocks(&out) {
                panic!("{md:?} as Markdown: {e}\n{out}");
            }
        }
        Err(e) => assert!(
            e.line >= 1 && e.line <= lines && e.col >= 1,
            "{e} for {md:?}"
        ),
    }
});
