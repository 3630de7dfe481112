//! Any text as a `--catalog` JSON file (`files::catalog_from_str`); a
//! catalog that reads is merged with the shipped policy, checked, and
//! rendered in every format and flavour: a catalog that reads renders.
#![no_main]

use kfuncdoc::policy::Policy;
use kfuncdoc::render::{self, Description, Flavour, Format, Options, Templates};
use kfuncdoc::{check, commands, files, merge};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

fn shipped() -> &'static (Policy, Templates) {
    static P: OnceLock<(Policy, Templates)> = OnceLock::new();
    P.get_or_init(|| {
        (
            commands::load_policy(None).expect("the shipped policy loads"),
            Templates::builtin(),
        )
    })
}

fuzz_target!(|text: &str| {
    let Ok(catalog) = files::catalog_from_str(Path::new("fuzz.json"), text) else {
        return;
    };
    let (policy, templates) = shipped();
    let (merged, earlier) = merge::merge(&catalog, policy);
    let _ = check::check(&merged, policy, earlier);
    let formats = [
        (Format::Rst, None, Description::Text),
        (Format::Rst, None, Description::KernelDoc),
        (Format::Markdown, Some(Flavour::Mdbook), Description::Text),
        (Format::Markdown, Some(Flavour::Mkdocs), Description::Text),
    ];
    for (format, flavour, description) in formats {
        let options = Options {
            format,
            flavour,
            description,
            ..Options::default()
        };
        let Ok(ctx) = render::context::build(&merged, policy, &options) else {
            continue;
        };
        if let Err(e) = render::pages(&ctx, templates) {
            panic!("{format:?} {flavour:?} {description:?}: {e}");
        }
    }
});
