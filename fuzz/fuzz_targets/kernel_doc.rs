//! Any comment as kernel-doc: the parser, Sphinx's view of its output
//! (`kdoc_rst`), and the text converted for the pages (RST and Markdown).
//! The converted Markdown carries no raw HTML and no mdBook link.
#![no_main]

use kfuncdoc::model::Param;
use kfuncdoc::render::kdoc_text;
use kfuncdoc::render::markdown::Target;
use kfuncdoc::source::{kdoc, kdoc_rst};
use kfuncdoc_fuzz::markup;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (doc, _name) = kdoc::parse(text, "kernel/bpf/f.c", 1);
    let params: Vec<Param> = doc
        .params
        .iter()
        .map(|p| Param {
            name: p.name.clone(),
            ty: "int".into(),
            ..Param::default()
        })
        .collect();
    let _ = kdoc_rst::problems(&doc, &params);
    let texts = [&doc.summary, &doc.body, &doc.returns, &doc.context];
    let sections = doc.sections.iter().map(|s| &s.text);
    let params = doc.params.iter().map(|p| &p.text);
    for t in texts
        .into_iter()
        .flatten()
        .chain(sections)
        .chain(params)
        .chain([&text.to_string()])
    {
        let rst = kdoc_text::convert(t, Target::Rst);
        if let Err(e) = markup::rst_blocks(&rst) {
            panic!("kernel-doc {t:?} as RST: {e}");
        }
        let md = kdoc_text::convert(t, Target::Markdown);
        if let Err(e) = markup::md_blocks(&md) {
            panic!("kernel-doc {t:?} as Markdown: {e}");
        }
        let _ = kdoc_text::filter(t, true, Target::Rst);
        let _ = kdoc_text::filter(t, true, Target::Markdown);
    }
});
