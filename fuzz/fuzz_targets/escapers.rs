//! The renderer's plain-text escapers (`render::text`) on any text, with
//! the property that escaped text never parses as markup and shows exactly
//! the text: checked by `kfuncdoc_fuzz::markup`'s model of docutils for
//! RST, and by pulldown-cmark for Markdown.
#![no_main]

use kfuncdoc::render::text;
use kfuncdoc_fuzz::markup::{self, normalize};
use libfuzzer_sys::fuzz_target;

fn check(what: &str, s: &str, r: Result<(), String>) {
    if let Err(e) = r {
        panic!("{what}({s:?}): {e}");
    }
}

fuzz_target!(|s: &str| {
    let shown = normalize(s);
    check(
        "rst_inline",
        s,
        markup::rst_line(&text::rst_inline(s), &shown),
    );
    for (i, p) in text::rst_paragraphs(s).split("\n\n").enumerate() {
        if !p.is_empty() {
            let want = paragraphs(s);
            check("rst_paragraphs", s, markup::rst_line(p, &want[i]));
        }
    }
    let lit: String = s
        .chars()
        .map(|c| if markup::is_break(c) { ' ' } else { c })
        .collect();
    check(
        "rst_literal",
        s,
        markup::rst_literal(&text::rst_literal(s), &lit),
    );
    check(
        "rst_heading",
        s,
        markup::rst_heading(&text::rst_heading(s, '-', false), s),
    );

    let md = text::md_inline(s);
    let want = if shown.is_empty() {
        vec![]
    } else {
        vec![shown.clone()]
    };
    check("md_inline", s, markup::md_text(&md, &want));
    check(
        "md_paragraphs",
        s,
        markup::md_text(&text::md_paragraphs(s), &paragraphs(s)),
    );
    let code: String = s
        .chars()
        .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
        .collect();
    check("md_code", s, markup::md_code(&text::md_code(s), &code));

    let slug = text::slug(s);
    assert!(
        !slug.is_empty()
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "slug({s:?}) = {slug:?}"
    );
});

/// The paragraphs of `s` as the escapers split them: runs of non-blank
/// lines, normalised.
fn paragraphs(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for line in s.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            let p = normalize(&cur.join(" "));
            if !p.is_empty() {
                out.push(p);
            }
            cur.clear();
        } else {
            cur.push(line);
        }
    }
    out
}
