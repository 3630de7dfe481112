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

use super::guard;
use super::markdown::Target;
use super::{kdoc_text, text};
use std::collections::BTreeMap;
use std::sync::Arc;
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
    (
        "rst/changes.rst",
        include_str!("../../templates/rst/changes.rst"),
    ),
    (
        "rst/change.rst",
        include_str!("../../templates/rst/change.rst"),
    ),
    (
        "rst/change_sections.rst",
        include_str!("../../templates/rst/change_sections.rst"),
    ),
    (
        "rst/commit.rst",
        include_str!("../../templates/rst/commit.rst"),
    ),
    (
        "rst/removed.rst",
        include_str!("../../templates/rst/removed.rst"),
    ),
    (
        "rst/releases.rst",
        include_str!("../../templates/rst/releases.rst"),
    ),
    ("md/index.md", include_str!("../../templates/md/index.md")),
    (
        "md/change_sections.md",
        include_str!("../../templates/md/change_sections.md"),
    ),
    ("md/commit.md", include_str!("../../templates/md/commit.md")),
    (
        "md/removed.md",
        include_str!("../../templates/md/removed.md"),
    ),
    (
        "md/releases.md",
        include_str!("../../templates/md/releases.md"),
    ),
    (
        "md/changes.md",
        include_str!("../../templates/md/changes.md"),
    ),
    ("md/change.md", include_str!("../../templates/md/change.md")),
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
    (
        "header/kfuncs.h",
        include_str!("../../templates/header/kfuncs.h"),
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
    rst: Arc<Tera>,
    md: Arc<Tera>,
    /// The C header's (`--to header`, [`super::header`]).
    header: Arc<Tera>,
    /// Where each template came from, for error messages.
    origin: BTreeMap<String, String>,
    /// Whether any template is an override (rendered watched, see
    /// [`guard`]).
    overridden: bool,
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
    if let Some(why) = super::safe::url_problem(s) {
        return Err(tera::Error::message(format!(
            "cannot be used as a link target: {why}"
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
    s.split(|c: char| c.is_whitespace() || text::is_break(c))
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
    // Tera's `range`, counted against a budget per page.
    t.register_function("range", guard::range);
    t.register_filter("quoted", quoted);
    t.register_filter("url", url);
    // A label or file stem kfuncdoc made (`.. _label:`, toctree entries,
    // link targets): printed as it is, and refused when it is not one of
    // kfuncdoc's (a `--from-context` file is an input too, issue 10).
    t.register_filter(
        "label",
        |s: &str, _: Kwargs, _: &State| -> tera::TeraResult<Value> {
            if super::safe::is_label(s) {
                Ok(Value::safe_string(s))
            } else {
                Err(tera::Error::message(format!(
                    "`{}` is not a label or file name kfuncdoc makes",
                    crate::diag::terminal::escape(s)
                )))
            }
        },
    );
    // Text a site generator puts into its HTML unescaped (MkDocs' nav).
    t.register_filter("html", |s: &str, _: Kwargs, _: &State| {
        Value::from(super::safe::html_escape(s))
    });
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
    // `side="old"`: a position in the older kernel of a changelog.
    let side: Option<String> = kw.get("side")?;
    let key = match side.as_deref() {
        None | Some("new") => "source_url",
        Some("old") => "source_url_old",
        Some(other) => {
            return Err(tera::Error::message(format!(
                "source: side is \"old\" or \"new\", not `{}`",
                crate::diag::terminal::escape(other)
            )));
        }
    };
    let text = match line {
        Some(l) => format!("{s}:{l}"),
        None => s.to_string(),
    };
    let link = state
        .get::<String>(key)?
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
    // The file argument of a `.. kernel-doc::` directive: raw to the end of
    // the line, so only a plain relative path (issue 10).
    t.register_filter(
        "directive_path",
        |s: &str, _: Kwargs, _: &State| -> tera::TeraResult<Value> {
            if super::safe::directive_path_ok(s) {
                Ok(Value::safe_string(s))
            } else {
                Err(tera::Error::message(format!(
                    "`{}` cannot be a directive argument",
                    crate::diag::terminal::escape(s)
                )))
            }
        },
    );
    // A source position, as an anonymous hyperlink when linked. Text that
    // could end the reference early stays unlinked (no kernel path has it).
    t.register_filter(
        "source",
        |s: &str, kw: Kwargs, state: &State| -> tera::TeraResult<Value> {
            let (pos, link) = source_position(s, &kw, state)?;
            Ok(Value::safe_string(&match link {
                Some(url)
                    if !pos.contains(['`', '<', '>', '\\']) && !pos.chars().any(text::is_break) =>
                {
                    format!("`{pos} <{url}>`__")
                }
                _ => text::rst_inline(&pos),
            }))
        },
    );
    t.register_filter("paragraphs", |s: &str, _: Kwargs, _: &State| {
        Value::safe_string(&text::rst_paragraphs(s))
    });
    // `ticks(after=true)`: the message follows other text on its line.
    t.register_filter(
        "ticks",
        |s: &str, kw: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let after: bool = kw.get("after")?.unwrap_or(false);
            Ok(Value::safe_string(&text::rst_ticks(s, !after)))
        },
    );
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
    t.register_filter(
        "code_block",
        |s: &str, kw: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let lang: String = kw.get("lang")?.unwrap_or_default();
            Ok(Value::safe_string(&super::safe::md_code_block(s, &lang)))
        },
    );
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
    // `ticks(after=true)`: the message follows other text on its line.
    t.register_filter(
        "ticks",
        |s: &str, kw: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let after: bool = kw.get("after")?.unwrap_or(false);
            Ok(Value::safe_string(&text::md_ticks(s, !after)))
        },
    );
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
        other => {
            let text = other.to_string();
            if let Some(e) = reported(&text, origin) {
                return e;
            }
            TemplateError {
                file: origin
                    .get(fallback)
                    .cloned()
                    .unwrap_or_else(|| fallback.to_string()),
                line: None,
                col: None,
                message: text,
            }
        }
    }
}

/// The first problem of a report tera writes when loading templates
/// (`error: Unknown filter `x``, then ` --> rst/kfunc.rst:2:8` and a source
/// excerpt), as one message at the template's file.
fn reported(text: &str, origin: &BTreeMap<String, String>) -> Option<TemplateError> {
    let message = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("error: "))?
        .to_string();
    let at = text.lines().find_map(|l| l.trim().strip_prefix("--> "))?;
    let mut parts = at.rsplitn(3, ':');
    let col = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    let name = parts.next()?;
    Some(TemplateError {
        file: origin
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string()),
        line: Some(line),
        col: Some(col),
        message,
    })
}

impl Templates {
    /// The built-in templates, with `overrides` (name → (file shown in
    /// errors, text)) replacing some of them.
    pub fn new(overrides: &BTreeMap<String, (String, String)>) -> Result<Templates, TemplateError> {
        let mut origin = BTreeMap::new();
        let mut rst = Vec::new();
        let mut md = Vec::new();
        let mut header = Vec::new();
        for (name, builtin) in BUILTIN {
            let (file, text) = match overrides.get(*name) {
                Some((file, text)) => (file.clone(), text.as_str()),
                None => (format!("templates/{name} (built in)"), *builtin),
            };
            origin.insert(name.to_string(), file);
            if name.starts_with("rst/") {
                rst.push((*name, text));
            } else if name.starts_with("header/") {
                header.push((*name, text));
            } else {
                md.push((*name, text));
            }
        }
        let (mut rst_t, mut md_t) = (rst_tera(), md_tera());
        // All at once: includes may name any template of the format.
        rst_t
            .add_raw_templates(rst)
            .map_err(|e| tera_error(&e, &origin, "rst"))?;
        md_t.add_raw_templates(md)
            .map_err(|e| tera_error(&e, &origin, "md"))?;
        let mut header_t = super::header_template::tera();
        header_t
            .add_raw_templates(header)
            .map_err(|e| tera_error(&e, &origin, "header"))?;
        Ok(Templates {
            rst: Arc::new(rst_t),
            md: Arc::new(md_t),
            header: Arc::new(header_t),
            origin,
            overridden: !overrides.is_empty(),
        })
    }

    /// The built-in templates only.
    pub fn builtin() -> Templates {
        match Templates::new(&BTreeMap::new()) {
            Ok(t) => t,
            // The built-ins are tested; failing here is a bug in this file.
            Err(e) => unreachable!("built-in templates do not load: {e}"),
        }
    }

    /// The file template `name` comes from, as error messages name it.
    pub fn file_of(&self, name: &str) -> String {
        self.origin
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }

    /// Renders the template `name` with `context`, at most
    /// [`guard::MAX_PAGE`] bytes.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, TemplateError> {
        self.render_capped(name, context, guard::MAX_PAGE)
    }

    /// Renders the template `name` with `context`, at most `cap` bytes;
    /// with overrides, also within [`guard`]'s time and memory.
    pub fn render_capped(
        &self,
        name: &str,
        context: &tera::Context,
        cap: u64,
    ) -> Result<String, TemplateError> {
        let t = if name.starts_with("rst/") {
            &self.rst
        } else if name.starts_with("header/") {
            &self.header
        } else {
            &self.md
        };
        let result = if self.overridden {
            guard::render_watched(Arc::clone(t), name, context, cap)
        } else {
            guard::render(t, name, context, cap)
        };
        result.map_err(|stop| match stop {
            guard::Stop::Tera(e) => tera_error(&e, &self.origin, name),
            other => {
                let builtin = |f: &str| f.ends_with("(built in)");
                let format = name.split_once('/').map_or("", |(f, _)| f);
                let overrides: Vec<&str> = self
                    .origin
                    .iter()
                    .filter(|(n, _)| n.split_once('/').is_some_and(|(g, _)| g == format))
                    .map(|(_, f)| f.as_str())
                    .filter(|f| !builtin(f))
                    .collect();
                let mut message = other.message();
                // A built-in page template stopped: the overrides it
                // includes are to blame.
                if builtin(&self.file_of(name)) && !overrides.is_empty() {
                    message.push_str(&format!(
                        "; it includes the overrides {}",
                        overrides.join(", ")
                    ));
                }
                TemplateError {
                    file: self.file_of(name),
                    line: None,
                    col: None,
                    message,
                }
            }
        })
    }
}

pub use super::overrides::read_overrides;

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
