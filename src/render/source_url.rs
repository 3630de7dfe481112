//! Links from source positions to a source browser (`--source-url`, the
//! config's `source_url`): a URL template with placeholders, checked once
//! when the options are read and expanded for every `file:line` a page
//! shows.
//!
//! The placeholders are `{path}` (relative to the tree), `{line}`,
//! `{version}` and `{release}`. `{version}` is the release the pages
//! describe as upstream tags it (`7.2.13`, `6.12` for 6.12.0, `6.13-rc3`),
//! without a distribution's or builder's suffix (`+deb14`, `-fc-v595`):
//! the source browsers (git.kernel.org, Elixir) index upstream tags only.
//! `{release}` is `MAJOR.MINOR`. A link is made only when every
//! placeholder the template uses is known; pages without a template have
//! no links. Pure: no I/O.

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &["path", "line", "version", "release"];

/// A template that is not usable, with the 1-based column (in characters)
/// where the problem starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadTemplate {
    /// 1-based column in the template.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

/// Characters that may not appear in a URL template outside placeholders:
/// whitespace and controls, and those that would end a link in RST or
/// Markdown (the `url` template filter refuses the same).
fn forbidden(c: char) -> bool {
    c.is_whitespace() || c.is_control() || "<>`\"()[]|*\\".contains(c)
}

/// Checks a template: `http://` or `https://` with a host, placeholders
/// from [`PLACEHOLDERS`] only, balanced braces, no character that would
/// break a link.
pub fn validate(template: &str) -> Result<(), BadTemplate> {
    let bad = |col: usize, message: String| Err(BadTemplate { col, message });
    let rest = if let Some(r) = template.strip_prefix("https://") {
        r
    } else if let Some(r) = template.strip_prefix("http://") {
        r
    } else {
        return bad(1, format!("`{template}` is not an http:// or https:// URL"));
    };
    if rest.is_empty() || rest.starts_with(['/', '{']) {
        return bad(
            template.len() - rest.len() + 1,
            "the URL has no host".into(),
        );
    }
    // `<name_>` is a reference to a target in RST, not a URL (issue 10).
    if template.ends_with('_') {
        return bad(
            template.chars().count(),
            "a link target cannot end with `_`: percent-encode it (%5F)".into(),
        );
    }
    let mut chars = template.char_indices().enumerate().peekable();
    while let Some((col, (_, c))) = chars.next() {
        match c {
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for (_, (_, c)) in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    name.push(c);
                }
                if !closed {
                    return bad(col + 1, "`{` without its `}`".into());
                }
                if !PLACEHOLDERS.contains(&name.as_str()) {
                    return bad(
                        col + 1,
                        format!(
                            "unknown placeholder `{{{name}}}` (known: {})",
                            PLACEHOLDERS
                                .iter()
                                .map(|p| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
            }
            '}' => return bad(col + 1, "`}` without its `{`".into()),
            c if forbidden(c) => {
                return bad(col + 1, format!("{c:?} cannot be part of a link target"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The release as upstream tags it: `7.2.13+deb14-amd64` → `7.2.13`,
/// `6.12.0` → `6.12`, `6.13.0-rc3` → `6.13-rc3`, `6.18.44-fc-v595` →
/// `6.18.44`. `None` when `version` does not start with `MAJOR.MINOR`.
pub fn upstream_tag(version: &str) -> Option<String> {
    let end = version
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(version.len());
    let numbers: Vec<&str> = version[..end].split('.').collect();
    if numbers.len() < 2 || numbers.len() > 3 || numbers.iter().any(|n| n.is_empty()) {
        return None;
    }
    let mut tag = format!("{}.{}", numbers[0], numbers[1]);
    if let Some(sub) = numbers.get(2).filter(|s| **s != "0") {
        tag.push('.');
        tag.push_str(sub);
    }
    // `-rcN` is part of upstream's tag; any other suffix is not.
    let rest = &version[end..];
    if let Some(rc) = rest.strip_prefix("-rc") {
        let n: String = rc.chars().take_while(char::is_ascii_digit).collect();
        if !n.is_empty() {
            tag.push_str("-rc");
            tag.push_str(&n);
        }
    }
    Some(tag)
}

/// The template with the release filled in, for [`link`]; `None` when it
/// needs a release that is not known.
pub fn for_release(template: &str, version: Option<&str>) -> Option<String> {
    let tag = version.and_then(upstream_tag);
    let release = tag.as_deref().map(|t| {
        let mut parts = t.split(['.', '-']);
        format!(
            "{}.{}",
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default()
        )
    });
    let mut out = template.to_string();
    for (name, value) in [("{version}", tag), ("{release}", release)] {
        if out.contains(name) {
            out = out.replace(name, &value?);
        }
    }
    Some(out)
}

/// `path` with every byte outside RFC 3986's unreserved set and `/`
/// percent-encoded.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The link for `path` (relative to the tree) at `line`, from a template
/// [`for_release`] filled in; `None` when the template uses `{line}` and
/// there is no line.
pub fn link(template: &str, path: &str, line: Option<u32>) -> Option<String> {
    let mut out = template.replace("{path}", &encode_path(path));
    if out.contains("{line}") {
        out = out.replace("{line}", &line?.to_string());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIT: &str = "https://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git/tree/{path}?h=v{version}#n{line}";
    const ELIXIR: &str = "https://elixir.bootlin.com/linux/v{version}/source/{path}#L{line}";

    #[test]
    fn the_documented_templates_are_valid() {
        assert_eq!(validate(GIT), Ok(()));
        assert_eq!(validate(ELIXIR), Ok(()));
        assert_eq!(validate("http://localhost:8080/{path}"), Ok(()));
    }

    #[test]
    fn bad_templates_name_the_column() {
        let col = |t: &str| validate(t).unwrap_err().col;
        assert_eq!(col("ftp://x/{path}"), 1);
        assert_eq!(col("file:///{path}"), 1);
        assert_eq!(col("https:///{path}"), 9);
        assert_eq!(col("https://x/{file}#L{line}"), 11);
        assert!(
            validate("https://x/{file}")
                .unwrap_err()
                .message
                .contains("unknown placeholder `{file}`")
        );
        assert_eq!(col("https://x/{path"), 11);
        assert_eq!(col("https://x/path}"), 15);
        assert_eq!(col("https://x/a b"), 12);
        assert_eq!(col("https://x/(a)"), 11);
    }

    #[test]
    fn versions_become_upstream_tags() {
        let t = |v: &str| upstream_tag(v);
        assert_eq!(t("7.2.13").as_deref(), Some("7.2.13"));
        assert_eq!(t("7.2.13+deb14-amd64").as_deref(), Some("7.2.13"));
        assert_eq!(t("6.12.0").as_deref(), Some("6.12"));
        assert_eq!(t("6.12").as_deref(), Some("6.12"));
        assert_eq!(t("6.13.0-rc3").as_deref(), Some("6.13-rc3"));
        assert_eq!(t("6.18.44-fc-v595").as_deref(), Some("6.18.44"));
        assert_eq!(t("linux"), None);
        assert_eq!(t("6"), None);
    }

    #[test]
    fn links_fill_every_placeholder() {
        let git = for_release(GIT, Some("7.2.13+deb14")).unwrap();
        assert_eq!(
            link(&git, "kernel/bpf/helpers.c", Some(42)).as_deref(),
            Some(
                "https://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git/tree/kernel/bpf/helpers.c?h=v7.2.13#n42"
            )
        );
        let elixir = for_release(ELIXIR, Some("6.12.0")).unwrap();
        assert_eq!(
            link(&elixir, "a b+c.c", Some(1)).as_deref(),
            Some("https://elixir.bootlin.com/linux/v6.12/source/a%20b%2Bc.c#L1")
        );
        let r = for_release("https://x/{release}/{path}", Some("6.13.0-rc3")).unwrap();
        assert_eq!(r, "https://x/6.13/{path}");
        // No release known: no links; no line: no link when it needs one.
        assert_eq!(for_release(ELIXIR, None), None);
        assert_eq!(
            for_release("https://x/{path}", None).as_deref(),
            Some("https://x/{path}")
        );
        assert_eq!(link(&elixir, "MAINTAINERS", None), None);
        assert_eq!(
            link("https://x/{path}", "MAINTAINERS", None).as_deref(),
            Some("https://x/MAINTAINERS")
        );
    }
}
