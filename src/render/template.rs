//! The one wrapper around tera: built-in templates, overrides, filters,
//! escaping, and errors that name the template file and line.
//!
//! Every `{{ value }}` in a `.rst` or `.md` template is escaped for its
//! format by default ([`super::text`]), so text from kernel comments and
//! the policy can never become markup; filters that produce markup
//! (`heading`, `code`, `paragraphs`, `kdoc`) return safe strings, and converted
//! policy Markdown is marked safe where the context builder made it. A
//! template must say `| safe` to print anything raw, which makes every such
//! place visible in review. Undefined variables are errors (tera's
//! default). Overrides come file by file from a directory mirroring
//! `templates/` (`rst/group.rst`, `md/kfunc.md`...); a file there that
//! is not a known template name is an error, so that a typo does not
//! silently leave the built-in in place.

use super::markdown::Target;
use super::{kdoc_text, text};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tera::{Kwargs, State, Tera, Value};

/// The built-in templates, by name (relative to `templates/`).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "rst/index.rst",
        include_str!("../../templates/rst/index.rst"),
    ),
    (
        "rst/group.rst",
        include_str!("../../templates/rst/group.rst"),
    ),
    (
        "rst/group_intro.rst",
        include_str!("../../templates/rst/group_intro.rst"),
    ),
    (
        "rst/kfunc.rst",
        include_str!("../../templates/rst/kfunc.rst"),
    ),
    (
        "rst/replacement.rst",
        include_str!("../../templates/rst/replacement.rst"),
    ),
    (
        "rst/factors.rst",
        include_str!("../../templates/rst/factors.rst"),
    ),
    ("rst/link.rst", include_str!("../../templates/rst/link.rst")),
    (
        "rst/upstream.rst",
        include_str!("../../templates/rst/upstream.rst"),
    ),
    (
        "rst/example.rst",
        include_str!("../../templates/rst/example.rst"),
    ),
    (
        "rst/deprecations.rst",
        include_str!("../../templates/rst/deprecations.rst"),
    ),
    (
        "rst/lifecycle.rst",
        include_str!("../../templates/rst/lifecycle.rst"),
    ),
    (
        "rst/single.rst",
        include_str!("../../templates/rst/single.rst"),
    ),
    ("md/index.md", include_str!("../../templates/md/index.md")),
    ("md/group.md", include_str!("../../templates/md/group.md")),
    ("md/kfunc.md", include_str!("../../templates/md/kfunc.md")),
    (
        "md/replacement.md",
        include_str!("../../templates/md/replacement.md"),
    ),
    (
        "md/factors.md",
        include_str!("../../templates/md/factors.md"),
    ),
    ("md/link.md", include_str!("../../templates/md/link.md")),
    (
        "md/upstream.md",
        include_str!("../../templates/md/upstream.md"),
    ),
    (
        "md/example.md",
        include_str!("../../templates/md/example.md"),
    ),
    (
        "md/deprecations.md",
        include_str!("../../templates/md/deprecations.md"),
    ),
    (
        "md/lifecycle.md",
        include_str!("../../templates/md/lifecycle.md"),
    ),
    (
        "md/SUMMARY.md",
        include_str!("../../templates/md/SUMMARY.md"),
    ),
    ("md/book.toml", include_str!("../../templates/md/book.toml")),
    (
        "md/kfuncdoc.css",
        include_str!("../../templates/md/kfuncdoc.css"),
    ),
    (
        "md/mkdocs.yml",
        include_str!("../../templates/md/mkdocs.yml"),
    ),
];

/// A template that failed to load or render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The file: the override's path, or `templates/NAME (built in)`.
    pub file: String,
    /// 1-based line, when tera knows it.
    pub line: Option<u32>,
    /// 1-based column.
    pub col: Option<u32>,
    /// What tera said.
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.col) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The templates of both formats, ready to render.
pub struct Templates {
    rst: Tera,
    md: Tera,
    /// Where each template came from, for error messages.
    origin: BTreeMap<String, String>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

fn rst_escape(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(text::rst_inline(s).as_bytes())
}

fn md_escape(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(text::md_inline(s).as_bytes())
}

/// A TOML/YAML-safe double-quoted string (JSON string syntax is valid in
/// both for the characters we emit).
fn quoted(s: &str, _: Kwargs, _: &State) -> Value {
    Value::safe_string(&serde_json::Value::String(s.to_string()).to_string())
}

/// A C identifier as is (it cannot hold markup); anything else escaped.
fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f == '_' || f.is_ascii_alphabetic())
        && c.all(|x| x == '_' || x.is_ascii_alphanumeric())
}

/// A URL for a link target: refused when it could break out of the link
/// syntax of either format.
fn url(s: &str, _: Kwargs, _: &State) -> tera::TeraResult<Value> {
    if s.is_empty()
        || s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>`\"()[]{}|".contains(c))
    {
        return Err(tera::Error::message(format!(
            "`{s}` cannot be used as a link target"
        )));
    }
    Ok(Value::safe_string(s))
}

/// One line of C for a directive argument or a code span: the
/// declaration with its line breaks and indentation folded to single
/// spaces (bpftool breaks anonymous types over several lines). Control
/// characters count as whitespace: docutils breaks lines at `\x1c`-`\x1e`
/// too, which are not Unicode whitespace.
pub fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A declaration Sphinx's C domain parses: on one line, and with
/// function-typed parameters written as the function pointers C makes of
/// them (`bool (less)(...)`, as 6.12's `bpf_rbtree_add_impl` is written,
/// becomes `bool (*less)(...)`; the C standard adjusts the one to the
/// other, and Sphinx only parses the second).
pub fn sphinx_declaration(s: &str) -> String {
    let s = one_line(s);
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len() + 4);
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'(' {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && (b[j] == b'_' || b[j].is_ascii_alphanumeric()) {
                j += 1;
            }
            let ident = &s[start..j];
            if j > start
                && is_ident(ident)
                && b.get(j) == Some(&b')')
                && b.get(j + 1) == Some(&b'(')
                && out
                    .trim_end()
                    .ends_with(|c: char| c == '_' || c.is_ascii_alphanumeric() || c == '*')
            {
                out.push_str("(*");
                out.push_str(ident);
                i = j;
                continue;
            }
        }
        let ch = s[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn register_common(t: &mut Tera, escape: fn(&str) -> String) {
    t.register_filter("quoted", quoted);
    t.register_filter("url", url);
    t.register_filter("ident", move |s: &str, _: Kwargs, _: &State| {
        if is_ident(s) {
            Value::safe_string(s)
        } else {
            Value::safe_string(&escape(s))
        }
    });
    t.register_filter("one_line", |s: &str, _: Kwargs, _: &State| {
        Value::from(one_line(s))
    });
    // `{{ n | plural(one="kfunc", many="kfuncs") }}` → `1 kfunc`, `2 kfuncs`.
    t.register_filter(
        "plural",
        |n: i64, kw: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let one: String = kw.must_get("one")?;
            let many: String = kw.must_get("many")?;
            let n = usize::try_from(n).unwrap_or(0);
            Ok(Value::from(crate::plural::count(n, &one, &many)))
        },
    );
}

/// `kdoc(inline=false)`: kernel-doc text as blocks
/// ([`kdoc_text::filter`]).
fn kdoc_filter(s: &str, kw: &Kwargs, target: Target) -> tera::TeraResult<Value> {
    let inline: bool = kw.get("inline")?.unwrap_or(false);
    Ok(Value::safe_string(&kdoc_text::filter(s, inline, target)))
}

/// `path:line`, and the source browser's link for it when the render
/// context has one (`source_url`, see [`super::source_url`]).
fn source_position(
    s: &str,
    kw: &Kwargs,
    state: &State,
) -> tera::TeraResult<(String, Option<String>)> {
    let line: Option<u32> = kw.get("line")?;
    let text = match line {
        Some(l) => format!("{s}:{l}"),
        None => s.to_string(),
    };
    let link = state
        .get::<String>("source_url")?
        .filter(|t| !t.is_empty())
        .and_then(|t| super::source_url::link(&t, s, line));
    Ok((text, link))
}

fn rst_tera() -> Tera {
    let mut t = Tera::new();
    t.autoescape_on([".rst"]);
    t.set_escape_fn(rst_escape);
    register_common(&mut t, text::rst_inline);
    // A declaration as a `.. c:function::` argument: raw text to Sphinx's C
    // parser, so not escaped, but kept on one line.
    t.register_filter("prototype", |s: &str, _: Kwargs, _: &State| {
        Value::safe_string(&sphinx_declaration(s))
    });
    t.register_filter(
        "heading",
        |s: &str, kw: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let ch: String = kw.get("char")?.unwrap_or_else(|| "=".to_string());
            let overline: bool = kw.get("overline")?.unwrap_or(false);
            let c = ch
                .chars()
                .next()
                .filter(|c| ch.chars().count() == 1 && c.is_ascii_punctuation())
                .ok_or_else(|| {
                    tera::Error::message(format!(
                        "heading: `{ch}` is not one punctuation character"
                    ))
                })?;
            Ok(Value::safe_string(&text::rst_heading(s, c, overline)))
        },
    );
    t.register_filter("code", |s: &str, _: Kwargs, _: &State| {
        Value::safe_string(&text::rst_literal(s))
    });
    // A source position, as an anonymous hyperlink when linked. Text that
    // could end the reference early stays unlinked (no kernel path has it).
    t.register_filter(
        "source",
        |s: &str, kw: Kwargs, state: &State| -> tera::TeraResult<Value> {
            let (pos, link) = source_position(s, &kw, state)?;
            Ok(Value::safe_string(&match link {
                Some(url) if !pos.contains(['`', '<', '>', '\\']) => {
                    format!("`{pos} <{url}>`__")
                }
                _ => text::rst_inline(&pos),
            }))
        },
    );
    t.register_filter("paragraphs", |s: &str, _: Kwargs, _: &State| {
        Value::safe_string(&text::rst_paragraphs(s))
    });
    t.register_filter("kdoc", |s: &str, kw: Kwargs, _: &State| {
        kdoc_filter(s, &kw, Target::Rst)
    });
    t
}

fn md_tera() -> Tera {
    let mut t = Tera::new();
    t.autoescape_on([".md"]);
    t.set_escape_fn(md_escape);
    register_common(&mut t, text::md_inline);
    t.register_filter("code", |s: &str, _: Kwargs, _: &State| {
        Value::safe_string(&text::md_code(s))
    });
    // A source position in a code span, linked when the context has a
    // source browser.
    t.register_filter(
        "source",
        |s: &str, kw: Kwargs, state: &State| -> tera::TeraResult<Value> {
            let (pos, link) = source_position(s, &kw, state)?;
            let code = text::md_code(&pos);
            Ok(Value::safe_string(&match link {
                Some(url) => format!("[{code}]({url})"),
                None => code,
            }))
        },
    );
    t.register_filter("paragraphs", |s: &str, _: Kwargs, _: &State| {
        Value::safe_string(&text::md_paragraphs(s))
    });
    t.register_filter("kdoc", |s: &str, kw: Kwargs, _: &State| {
        kdoc_filter(s, &kw, Target::Markdown)
    });
    t
}

fn tera_error(e: &tera::Error, origin: &BTreeMap<String, String>, fallback: &str) -> TemplateError {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let name = if r.filename().is_empty() {
                fallback
            } else {
                r.filename()
            };
            TemplateError {
                file: origin
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| name.to_string()),
                line: Some(r.span().start_line as u32),
                col: Some(r.span().start_col as u32 + 1),
                message: r.message().to_string(),
            }
        }
        other => TemplateError {
            file: origin
                .get(fallback)
                .cloned()
                .unwrap_or_else(|| fallback.to_string()),
            line: None,
            col: None,
            message: other.to_string(),
        },
    }
}

impl Templates {
    /// The built-in templates, with `overrides` (name → (file shown in
    /// errors, text)) replacing some of them.
    pub fn new(overrides: &BTreeMap<String, (String, String)>) -> Result<Templates, TemplateError> {
        let mut origin = BTreeMap::new();
        let mut rst = Vec::new();
        let mut md = Vec::new();
        for (name, builtin) in BUILTIN {
            let (file, text) = match overrides.get(*name) {
                Some((file, text)) => (file.clone(), text.as_str()),
                None => (format!("templates/{name} (built in)"), *builtin),
            };
            origin.insert(name.to_string(), file);
            if name.starts_with("rst/") {
                rst.push((*name, text));
            } else {
                md.push((*name, text));
            }
        }
        let mut t = Templates {
            rst: rst_tera(),
            md: md_tera(),
            origin,
        };
        // All at once: includes may name any template of the format.
        t.rst
            .add_raw_templates(rst)
            .map_err(|e| tera_error(&e, &t.origin, "rst"))?;
        t.md.add_raw_templates(md)
            .map_err(|e| tera_error(&e, &t.origin, "md"))?;
        Ok(t)
    }

    /// The built-in templates only.
    pub fn builtin() -> Templates {
        match Templates::new(&BTreeMap::new()) {
            Ok(t) => t,
            // The built-ins are tested; failing here is a bug in this file.
            Err(e) => unreachable!("built-in templates do not load: {e}"),
        }
    }

    /// Renders the template `name` with `context`.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, TemplateError> {
        let t = if name.starts_with("rst/") {
            &self.rst
        } else {
            &self.md
        };
        t.render(name, context)
            .map_err(|e| tera_error(&e, &self.origin, name))
    }
}

/// Reads the overrides in `dir` (edge): every file whose path relative to
/// `dir` is a built-in template name. Any other file is an error naming
/// it, and the names it could have meant.
pub fn read_overrides(dir: &Path) -> crate::error::Result<BTreeMap<String, (String, String)>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    let mut unknown: Vec<PathBuf> = Vec::new();
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| crate::Error::io(&d, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| crate::Error::io(&d, e))?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if BUILTIN.iter().any(|(n, _)| *n == rel) {
                let text =
                    std::fs::read_to_string(&path).map_err(|e| crate::Error::io(&path, e))?;
                found.insert(rel, (path.to_string_lossy().into_owned(), text));
            } else {
                unknown.push(path);
            }
        }
    }
    if let Some(first) = unknown.iter().min() {
        return Err(crate::Error::Template(TemplateError {
            file: first.to_string_lossy().into_owned(),
            line: None,
            col: None,
            message: format!(
                "not a template kfuncdoc renders; the names are: {}",
                BUILTIN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_sphinx_parses() {
        assert_eq!(
            sphinx_declaration(
                "int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,\n\t\tbool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b), void *meta__ign, u64 off)"
            ),
            "int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node, bool (*less)(struct bpf_rb_node *a, const struct bpf_rb_node *b), void *meta__ign, u64 off)"
        );
        // Already pointers, calls in attributes, and casts stay.
        for s in [
            "int f(int (*cb)(void *p), void *x)",
            "void f(struct s __attribute__((btf_type_tag(\"user\"))) *p)",
            "int f(void)",
        ] {
            assert_eq!(sphinx_declaration(s), s);
        }
    }
}
