//! Rendering: the merged catalog as pages, reStructuredText for Sphinx
//! (the kernel's `make htmldocs`) or Markdown for a static site.
//!
//! Three steps, the first two pure: [`context::build`] decides what the
//! pages say; [`pages`] lays it out through the templates
//! ([`template::Templates`]) into file names and contents, all in memory;
//! [`write`](mod@write) (edge) puts them on disk atomically, with a manifest so that
//! stale pages are removed and nothing else ever is, or only reports what
//! would change (`--check`). Text escaping lives in [`text`], the policy's
//! Markdown in [`markdown`].

pub mod c_escape;
pub mod c_names;
pub mod changes;
pub mod context;
pub mod guard;
pub mod header;
mod header_template;
pub mod history;
pub mod kdoc_text;
pub mod markdown;
pub mod notices;
pub mod outdir;
mod overrides;
pub mod positions;
pub mod safe;
pub mod source_url;
pub mod stems;
pub mod template;
pub mod text;
pub mod write;

pub use context::{Context, Description, Flavour, Format, Options};
pub use template::{TemplateError, Templates};

use serde::Serialize;

/// One generated file: its path relative to the output directory, and
/// its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative path with `/` separators.
    pub path: String,
    /// Contents.
    pub text: String,
}

/// Heading characters by level, for RST templates.
#[derive(Debug, Clone, Serialize)]
struct Headings {
    page: String,
    section: String,
    subsection: String,
    minor: String,
}

fn headings(spec: &str) -> Headings {
    let mut c = spec.chars().map(String::from);
    let mut next = |d: &str| c.next().unwrap_or_else(|| d.to_string());
    Headings {
        page: next("="),
        section: next("-"),
        subsection: next("~"),
        minor: next("^"),
    }
}

/// `v` as a tera context; a value tera cannot take is an error of the
/// context.
fn tera_context<T: Serialize>(v: &T) -> Result<tera::Context, TemplateError> {
    tera::Context::from_serialize(v).map_err(|e| TemplateError {
        file: "context".into(),
        line: None,
        col: None,
        message: e.to_string(),
    })
}

fn base(ctx: &Context) -> Result<tera::Context, TemplateError> {
    let mut t = tera_context(ctx)?;
    t.insert("h", &headings(&ctx.options.rst_headings));
    // The source browser's template with the release filled in, for the
    // `source` filter: null when unset or when the release is unknown.
    let links = ctx
        .options
        .source_url
        .as_deref()
        .and_then(|u| source_url::for_release(u, ctx.kernel.version.as_deref()));
    t.insert("source_url", &links);
    Ok(t)
}

/// The directory pages go to, and the extension, for a format/flavour.
fn layout(ctx: &Context) -> (&'static str, &'static str) {
    match (ctx.options.format, ctx.options.flavour) {
        (Format::Rst, _) => ("", "rst"),
        (Format::Markdown, Some(Flavour::Mdbook)) => ("src/", "md"),
        (Format::Markdown, Some(Flavour::Mkdocs)) => ("docs/", "md"),
        (Format::Markdown, _) => ("", "md"),
    }
}

/// Every file of the site for `ctx`, in a stable order.
pub fn pages(ctx: &Context, templates: &Templates) -> Result<Vec<File>, TemplateError> {
    let t = base(ctx)?;
    let (dir, ext) = layout(ctx);
    let mut files = Vec::new();
    let mut left = guard::MAX_SITE;
    for page in &ctx.pages {
        let mut c = t.clone();
        c.insert("page", page);
        let template = format!("{ext}/{}.{ext}", page.kind);
        if page.kind == "group" {
            let Some(group) = ctx.groups.iter().find(|g| g.stem == page.stem) else {
                continue;
            };
            c.insert("group", group);
        }
        if page.kind == "changes" {
            let Some(log) = ctx.changes.iter().find(|l| l.stem == page.stem) else {
                continue;
            };
            c.insert("log", log);
            // The `source` filter's `side="old"` links into the older kernel.
            c.insert("source_url_old", &log.old_source_url);
        }
        if page.kind == "releases" {
            // Each release's positions are in that release's tree, not the
            // one `source_url` names: shown as text, not linked.
            c.insert("source_url", &None::<String>);
            c.insert("source_url_old", &None::<String>);
        }
        files.push(File {
            path: format!("{dir}{}.{ext}", page.stem),
            text: marked(templates, &template, &c, &mut left)?,
        });
    }
    match (ctx.options.format, ctx.options.flavour) {
        (Format::Markdown, Some(Flavour::Mdbook)) => {
            files.push(File {
                path: "src/SUMMARY.md".into(),
                text: marked(templates, "md/SUMMARY.md", &t, &mut left)?,
            });
            files.push(File {
                path: "book.toml".into(),
                text: marked(templates, "md/book.toml", &t, &mut left)?,
            });
            files.push(File {
                path: "kfuncdoc.css".into(),
                text: marked(templates, "md/kfuncdoc.css", &t, &mut left)?,
            });
        }
        (Format::Markdown, Some(Flavour::Mkdocs)) => files.push(File {
            path: "mkdocs.yml".into(),
            text: marked(templates, "md/mkdocs.yml", &t, &mut left)?,
        }),
        _ => {}
    }
    for f in &mut files {
        f.text = tidy(&f.text);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Renders `name` and checks that the file says, on its first line, that
/// kfuncdoc generated it: the writer overwrites and removes only files
/// that say so ([`write`](mod@write)), so an override without the line
/// would make a site that the next run refuses to update.
/// `left` is what the site may still grow by ([`guard::MAX_SITE`]).
fn marked(
    templates: &Templates,
    name: &str,
    c: &tera::Context,
    left: &mut u64,
) -> Result<String, TemplateError> {
    let raw = templates.render_capped(name, c, guard::MAX_PAGE.min(*left))?;
    *left = left.saturating_sub(raw.len() as u64);
    let text = tidy(&raw);
    if write::says_generated(text.as_bytes()) {
        return Ok(text);
    }
    Err(TemplateError {
        file: templates.file_of(name),
        line: Some(1),
        col: None,
        message: "the first line of what it renders must say `Generated by kfuncdoc` (as the \
                  built-in one does): kfuncdoc overwrites and removes only files that say so"
            .into(),
    })
}

/// Everything on one RST page, for the Sphinx directive.
pub fn single(ctx: &Context, templates: &Templates) -> Result<String, TemplateError> {
    Ok(tidy(&templates.render("rst/single.rst", &base(ctx)?)?))
}

/// Whitespace the templates cannot control exactly: no trailing spaces,
/// no leading blank lines, at most one blank line in a row (code blocks
/// included: a second blank line never carries meaning in the C, shell or
/// YAML snippets a policy quotes), one newline at the end.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    let mut started = false;
    for line in s.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if started && blank > 0 {
            out.push('\n');
        }
        blank = 0;
        started = true;
        out.push_str(line);
        out.push('\n');
    }
    out
}
