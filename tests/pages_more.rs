//! Issue 9's source links and kernel-doc texts on the real 7.2 and 6.12
//! trees: every `path:line` a page shows is a link to the source browser
//! when `source_url` is set, and none is when it is unset (a regex over the
//! pages); parameter descriptions and named sections from the comment text
//! (read here line by line, not with kfuncdoc's parser) are on the pages.

use crate::real::{tree_6_12, tree_7_2};
use kfuncdoc::model::{Catalog, Doc, DocParam, DocSection, Kfunc, Param};
use kfuncdoc::render::{self, Description, Flavour, Format, Options, Templates};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const ELIXIR: &str = "https://elixir.bootlin.com/linux/v{version}/source/{path}#L{line}";

fn trees() -> Vec<&'static (std::path::PathBuf, Catalog)> {
    [tree_7_2(), tree_6_12()].into_iter().flatten().collect()
}

/// Every way the pages are made: RST (text and kernel-doc), mdBook, MkDocs.
const KINDS: [(Format, Option<Flavour>, Description); 4] = [
    (Format::Rst, None, Description::Text),
    (Format::Rst, None, Description::KernelDoc),
    (Format::Markdown, Some(Flavour::Mdbook), Description::Text),
    (Format::Markdown, Some(Flavour::Mkdocs), Description::Text),
];

/// The text of every page made from `c` in `kind`.
fn texts(c: &Catalog, kind: (Format, Option<Flavour>, Description), url: Option<&str>) -> String {
    let policy = kfuncdoc::commands::load_policy(None).unwrap();
    let (merged, _) = kfuncdoc::merge::merge(c, &policy);
    let (format, flavour, description) = kind;
    let options = Options {
        format,
        flavour,
        description,
        source_url: url.map(str::to_string),
        ..Options::default()
    };
    let ctx = render::context::build(&merged, &policy, &options).unwrap();
    render::pages(&ctx, &Templates::new(&BTreeMap::new()).unwrap())
        .unwrap()
        .into_iter()
        .map(|f| f.text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The release as the browser's tags name it, by a rule written here:
/// the leading `MAJOR.MINOR[.SUB]`, `.0` dropped.
fn tag(version: &str) -> String {
    let v: String = version
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    v.strip_suffix(".0").unwrap_or(&v).to_string()
}

/// (linked `path:line` with its URL, `path:line` shown outside a link).
fn positions(text: &str) -> (Vec<(String, u32, String)>, Vec<String>) {
    let link = Regex::new(r"`([^`<]*) <([^>]*)>`__|\[`([^`]*)`\]\(([^)\s]*)\)").unwrap();
    let pos = Regex::new(r"^([\w/.-]+\.[ch]|MAINTAINERS):(\d+)$").unwrap();
    let bare = Regex::new(r"(?:^|[^\w/.-])([\w/.-]+\.[ch]:\d+|MAINTAINERS:\d+)").unwrap();
    let mut linked = Vec::new();
    for m in link.captures_iter(text) {
        let (shown, url) = match (m.get(1), m.get(3)) {
            (Some(t), _) => (t.as_str(), &m[2]),
            (_, Some(t)) => (t.as_str(), &m[4]),
            _ => unreachable!(),
        };
        if let Some(p) = pos.captures(shown) {
            linked.push((p[1].to_string(), p[2].parse().unwrap(), url.to_string()));
        }
    }
    let rest = link.replace_all(text, "LINK");
    let unlinked = bare
        .captures_iter(&rest)
        .map(|m| m[1].to_string())
        .collect();
    (linked, unlinked)
}

/// The positions of `k` the catalog has that its section shows: entry,
/// definition, comment, filters, notices, example, registrations, its
/// MAINTAINERS section.
fn expected_positions(c: &Catalog, k: &Kfunc) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    if let (Some(f), Some(l)) = (&k.file, k.line) {
        out.push((f.clone(), l));
    }
    if let Some(d) = &k.definition {
        out.push((d.file.clone(), d.line));
        if let Some(doc) = &k.doc {
            out.push((doc.file.clone(), doc.line));
        }
    }
    for x in &k.filters {
        if let (Some(f), Some(l)) = (&x.file, x.line) {
            out.push((f.clone(), l));
        }
    }
    for n in &k.upstream_notices {
        out.push((n.file.clone(), n.line));
    }
    if let Some(s) = &k.subsystem {
        out.push(("MAINTAINERS".to_string(), s.line));
    }
    if let Some(e) = k.usage.as_ref().and_then(|u| u.example.as_ref()) {
        out.push((e.file.clone(), e.line));
    }
    let sets: BTreeSet<(&str, &str)> = k
        .entries
        .iter()
        .map(|e| (e.set.as_str(), e.file.as_str()))
        .collect();
    for s in c
        .sets
        .iter()
        .filter(|s| sets.contains(&(s.name.as_str(), s.file.as_str())))
    {
        out.extend(s.registrations.iter().map(|r| (r.file.clone(), r.line)));
    }
    out
}

fn line_count(tree: &Path, rel: &str) -> usize {
    let bytes = std::fs::read(tree.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    bytes.split(|b| *b == b'\n').count()
}

#[test]
fn every_source_position_on_the_pages_is_a_link_when_source_url_is_set() {
    for (tree, c) in trees() {
        let version = c.kernel.version.as_deref().unwrap();
        let tag = tag(version);
        for kind in KINDS {
            let text = texts(c, kind, Some(ELIXIR));
            let (linked, unlinked) = positions(&text);
            let plain = text.replace("\\_", "_");
            assert!(
                unlinked.is_empty(),
                "{version} {kind:?}: {} positions not linked, e.g. {:?}",
                unlinked.len(),
                &unlinked[..unlinked.len().min(5)]
            );
            let mut lines: BTreeMap<String, usize> = BTreeMap::new();
            for (path, line, url) in &linked {
                assert_eq!(
                    url,
                    &format!("https://elixir.bootlin.com/linux/v{tag}/source/{path}#L{line}"),
                    "{kind:?}"
                );
                let n = *lines
                    .entry(path.clone())
                    .or_insert_with(|| line_count(tree, path));
                assert!((1..=n as u32).contains(line), "{path}:{line} past {n}");
            }
            // Every position the catalog has for a kfunc on the pages is
            // among the links.
            let shown: BTreeSet<(&str, u32)> =
                linked.iter().map(|(p, l, _)| (p.as_str(), *l)).collect();
            let mut checked = 0;
            for k in c.kfuncs.iter().filter(|k| !k.test_only) {
                if section(&plain, kind.0, &k.name).is_none() {
                    continue;
                }
                for (f, l) in expected_positions(c, k) {
                    checked += 1;
                    assert!(
                        shown.contains(&(f.as_str(), l)),
                        "{version} {kind:?} {}: {f}:{l} is not linked",
                        k.name
                    );
                }
            }
            assert!(checked > 1000, "{version} {kind:?}: {checked}");
        }
    }
}

#[test]
fn no_source_position_is_a_link_when_source_url_is_unset() {
    for (_, c) in trees() {
        for kind in KINDS {
            let text = texts(c, kind, None);
            let (linked, unlinked) = positions(&text);
            assert!(linked.is_empty(), "{kind:?}: {:?}", &linked[..1]);
            assert!(unlinked.len() > 1000, "{kind:?}: {}", unlinked.len());
            assert!(!text.contains("elixir"), "{kind:?}");
        }
    }
}

/// A kfunc's section: from its heading to the next kfunc's.
/// Markdown headings escape some underscores of a name (`\_\_scx`): look
/// for it in text where `\_` is `_`.
fn section<'t>(text: &'t str, format: Format, name: &str) -> Option<&'t str> {
    let (start, next) = match format {
        Format::Rst => (
            format!(".. _kfuncdoc-kfunc-{name}:\n"),
            ".. _kfuncdoc-kfunc-",
        ),
        Format::Markdown => (format!("\n## {name}\n"), "\n## "),
    };
    let at = text.find(&start)? + start.len();
    let rest = &text[at..];
    Some(&rest[..rest.find(next).unwrap_or(rest.len())])
}

/// The Parameters list item of `param` in a section, up to the next item
/// or field.
fn param_item<'s>(section: &'s str, format: Format, param: &str) -> Option<&'s str> {
    let (open, item, end) = match format {
        Format::Rst => (":Parameters:", "\n   - ", "\n:"),
        Format::Markdown => ("- **Parameters:**", "\n    - ", "\n- **"),
    };
    let list = &section[section.find(open)?..];
    let list = &list[..list[1..].find(end).map_or(list.len(), |e| e + 1)];
    let named = match format {
        Format::Rst => format!("``{param}``:"),
        Format::Markdown => format!("`{param}`:"),
    };
    list.split(item).find(|i| i.contains(&named))
}

/// The words of a comment's text a page keeps as they are: plain words
/// outside kernel-doc's highlights (`@p`, `%C`, `&s`, `f()`).
fn plain_words(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .filter(|w| w.len() > 2 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .collect()
}

/// The `@name: text` descriptions of a comment, read from the file's lines
/// (`doc_line`..`def_line`): a description runs to a blank comment line,
/// the next `@name:` or the end of the comment.
fn comment_params(tree: &Path, doc: &Doc, def_line: u32) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(tree.join(&doc.file)).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .skip(doc.line as usize - 1)
        .take((def_line - doc.line) as usize)
        .collect();
    let at = Regex::new(r"^\s*\*\s*@([\w.]+)\s*:(.*)$").unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut open = false;
    for l in lines {
        if let Some(m) = at.captures(l) {
            out.push((m[1].to_string(), m[2].to_string()));
            open = true;
        } else if l.contains("*/") || l.trim().trim_start_matches('*').trim().is_empty() {
            open = false;
        } else if open {
            let t = l.trim().trim_start_matches('*');
            out.last_mut().unwrap().1.push_str(&format!(" {t}"));
        }
    }
    out
}

#[test]
fn parameter_descriptions_are_next_to_the_parameters() {
    for (tree, c) in trees() {
        for kind in [KINDS[0], KINDS[2]] {
            let text = texts(c, kind, None).replace("\\_", "_");
            let mut described = 0;
            for k in c.kfuncs.iter().filter(|k| !k.test_only) {
                let (Some(doc), Some(def)) = (&k.doc, &k.definition) else {
                    continue;
                };
                let Some(s) = section(&text, kind.0, &k.name) else {
                    continue;
                };
                if !doc.kernel_doc || def.file != doc.file {
                    continue;
                }
                for (name, desc) in comment_params(tree, doc, def.line) {
                    let Some(p) = k.params.iter().find(|p| p.name == name) else {
                        continue;
                    };
                    let item = param_item(s, kind.0, &name);
                    if p.implicit {
                        assert!(item.is_none(), "{}: implicit {name} listed", k.name);
                        continue;
                    }
                    let item =
                        item.unwrap_or_else(|| panic!("{} {kind:?}: no {name} in\n{s}", k.name));
                    let flat = item.split_whitespace().collect::<Vec<_>>().join(" ");
                    for w in plain_words(&desc) {
                        assert!(
                            flat.contains(w),
                            "{} {kind:?}: `{w}` of @{name} missing from\n{item}",
                            k.name
                        );
                    }
                    described += 1;
                }
            }
            assert!(described > 150, "{kind:?}: {described}");
        }
    }
}

/// kernel-doc's section headings (`doc_sect` of the tree's kernel-doc,
/// names other than `Return` and `Description`) in the comments of the
/// kfuncs on the pages, each shown under its own heading in text mode.
#[test]
fn named_sections_of_real_comments_are_shown() {
    // kernel-doc matches any case: the line is lowered first.
    let heading = Regex::new(r"^\s*\*\s*(context|notes?|examples?)\s*:([^:].*)?$").unwrap();
    for (tree, c) in trees() {
        let text = texts(c, KINDS[0], None);
        let md = texts(c, KINDS[2], None).replace("\\_", "_");
        for k in c.kfuncs.iter().filter(|k| !k.test_only) {
            let (Some(doc), Some(def)) = (&k.doc, &k.definition) else {
                continue;
            };
            if !doc.kernel_doc || def.file != doc.file {
                continue;
            }
            let Some(s) = section(&text, Format::Rst, &k.name) else {
                continue;
            };
            let file = std::fs::read_to_string(tree.join(&doc.file)).unwrap();
            for l in file
                .lines()
                .skip(doc.line as usize - 1)
                .take((def.line - doc.line) as usize)
            {
                let low = l.to_ascii_lowercase();
                let Some(m) = heading.captures(&low) else {
                    continue;
                };
                // The name as written.
                let at = m.get(1).unwrap();
                let name = &l[at.start()..at.end()];
                let (rst, mdh) = if name.eq_ignore_ascii_case("context") {
                    (":Context:".to_string(), "**Context:**".to_string())
                } else {
                    (format!(".. rubric:: {name}"), format!("**{name}.**"))
                };
                assert!(s.contains(&rst), "{}: {rst}", k.name);
                let m = section(&md, Format::Markdown, &k.name).unwrap();
                assert!(m.contains(&mdh), "{}: {mdh}", k.name);
            }
        }
    }
}

/// A hand-made kfunc with every kind of kernel-doc text: each named section
/// under its heading, converted; a multi-line parameter description with
/// a list; in kernel-doc mode neither, as the directive shows them.
#[test]
fn sections_and_parameters_in_every_format() {
    let doc = Doc {
        name: Some("bpf_k".into()),
        summary: Some("do it".into()),
        params: vec![
            DocParam {
                name: "flags".into(),
                text: "one of:\n- %A: a\n- %B: b".into(),
            },
            DocParam {
                name: "aux".into(),
                text: "hidden".into(),
            },
        ],
        sections: vec![
            DocSection {
                name: "Note".into(),
                text: "Call it with @flags set:\n\n* first\n* second".into(),
            },
            DocSection {
                name: "Example".into(),
                text: "Like this::\n\n    k(1);".into(),
            },
        ],
        kernel_doc: true,
        file: "kernel/k.c".into(),
        line: 10,
        ..Doc::default()
    };
    let k = Kfunc {
        name: "bpf_k".into(),
        file: Some("kernel/k.c".into()),
        line: Some(40),
        params: vec![
            Param {
                name: "flags".into(),
                ty: "u64".into(),
                ..Param::default()
            },
            Param {
                name: "aux".into(),
                ty: "void *".into(),
                implicit: true,
                ..Param::default()
            },
        ],
        definition: Some(kfuncdoc::model::Definition {
            file: "kernel/k.c".into(),
            line: 20,
            prototype: "int bpf_k(u64 flags, void *aux)".into(),
            return_type: "int".into(),
            marker: "__bpf_kfunc".into(),
            ..Default::default()
        }),
        bpf_prototype: Some("int bpf_k(u64 flags)".into()),
        doc: Some(doc),
        ..Kfunc::default()
    };
    let c = Catalog {
        kfuncs: vec![k],
        ..Catalog::default()
    };
    let rst = texts(&c, KINDS[0], None);
    for want in [
        "   - ``u64`` ``flags``: one of:\n\n     - ``A``: a\n\n     - ``B``: b\n\n:Implicit",
        ".. rubric:: Note\n\nCall it with ``flags`` set:\n\n- first\n\n- second\n",
        ".. rubric:: Example\n\nLike this:\n\n::\n\n    k(1);\n",
    ] {
        assert!(rst.contains(want), "{want}\n---\n{rst}");
    }
    assert!(!rst.contains("hidden"), "{rst}");
    // The directive shows the comment: no second copy of its sections or
    // parameters.
    // (A kfunc without implicit arguments: kernel-doc would show the
    // kernel's prototype of one that has them, which gets the text form.)
    let mut plain = c.clone();
    plain.kfuncs[0].bpf_prototype = None;
    plain.kfuncs[0].params.truncate(1);
    let kd = texts(&plain, KINDS[1], None);
    assert!(kd.contains(".. kernel-doc:: kernel/k.c"), "{kd}");
    assert!(
        !kd.contains(".. rubric:: Note") && !kd.contains(":Parameters:"),
        "{kd}"
    );
    let md = texts(&c, KINDS[2], None);
    for want in [
        // Nested four columns deeper than the item's marker, for MkDocs.
        "    - `u64` `flags`: one of:\n\n        -   `A`: a\n        -   `B`: b\n- **Implicit",
        "**Note.**\n\nCall it with `flags` set:\n\n-   first\n-   second",
        "**Example.**\n\nLike this:\n\n```\nk(1);\n```",
    ] {
        assert!(md.contains(want), "{want}\n---\n{md}");
    }
}
