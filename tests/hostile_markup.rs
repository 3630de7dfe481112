//! Issue 10, items 1-5: nothing from the inputs is live in the sites built
//! from the pages, and nothing from them controls the terminal.
//!
//! One hostile tree (a kfunc in a file whose name holds a line break and a
//! `.. raw:: html` block, kernel-doc text with bare `javascript:` and
//! `data:` URIs, a `MAINTAINERS` section titled `<script>`, an
//! `EXTRAVERSION` that is a `javascript:` URI) and one hostile policy
//! (`javascript:`, `data:`, `vbscript:` links inline, as autolinks, as
//! reference definitions, with entity and whitespace tricks) are rendered
//! and built by the real Sphinx, mdBook and MkDocs; the HTML must have no
//! script-scheme `href`/`src`, no event handler and no `<script>` from the
//! inputs. Every payload calls `alert(`, so "from the inputs" is "holds
//! `alert(`". The escapers are also held against docutils for every scheme
//! it links.

use crate::sites::{sphinx, sphinx_project};
use crate::util::{TempDir, files_under, kfuncdoc, tool, tree};
use std::path::Path;
use std::process::{Command, Output};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The file name of the kfunc: a line break, then a live directive.
const EVIL_FILE: &str = "x\n\n.. raw:: html\n\n   <img src=x onerror=alert(1)>\n\n.c";

/// A tree whose one kfunc is defined and listed in [`EVIL_FILE`], with a
/// kernel-doc comment full of bare URIs, under a `MAINTAINERS` section
/// titled with a script, in a kernel whose `EXTRAVERSION` is a URI.
fn hostile_tree(dir: &Path) {
    let fixture = tree("linux-6.12-era");
    std::fs::create_dir_all(dir.join("kernel/bpf")).unwrap();
    std::fs::create_dir_all(dir.join("include/linux")).unwrap();
    let makefile = std::fs::read_to_string(fixture.join("Makefile")).unwrap();
    let makefile: String = makefile
        .lines()
        .map(|l| {
            if l.starts_with("EXTRAVERSION") {
                "EXTRAVERSION = -javascript:alert(4)".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("Makefile"), makefile + "\n").unwrap();
    std::fs::copy(
        fixture.join("include/linux/btf.h"),
        dir.join("include/linux/btf.h"),
    )
    .unwrap();
    std::fs::write(
        dir.join("MAINTAINERS"),
        "List of maintainers\n===================\n\n\
         <script>alert(5)</script> javascript:alert(6)\n\
         M:\tEvil <a@example.org>\nS:\tMaintained\nF:\tkernel/bpf/\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("kernel/bpf").join(EVIL_FILE),
        "/**\n\
         * bpf_evil - see javascript:alert('sum') and data:text/html,<script>alert(7)</script>\n\
         * @p: a pointer; vbscript:alert(8) JavaScript:alert(9) <img src=x onerror=alert(10)>\n\
         *\n\
         * Body: javascript:alert(11) and `<script>alert(12)</script>` and\n\
         * .. raw:: html\n\
         *\n\
         *    <script>alert(13)</script>\n\
         *\n\
         * Return: data:,alert(14)\n\
         */\n\
         __bpf_kfunc int bpf_evil(void *p)\n{\n\treturn 0;\n}\n\n\
         BTF_KFUNCS_START(s)\nBTF_ID_FLAGS(func, bpf_evil)\nBTF_KFUNCS_END(s)\n\
         static const struct btf_kfunc_id_set ss = { .owner = THIS_MODULE, .set = &s };\n\
         static int __init i(void) { return register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &ss); }\n",
    )
    .unwrap();
}

/// A policy whose Markdown links to every script scheme, every way.
const HOSTILE_POLICY: &str = "schema: 1
lifecycle:
  statement: |
    Read [this](javascript:alert(20)) and [that](JaVaScRiPt:alert(21)),
    <javascript:alert(22)>, [tab](java&#x09;script:alert(23)),
    [ent](&#x6A;avascript:alert(24)), [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgyNSk8L3NjcmlwdD4=),
    [vb](vbscript:alert(26)), [ref][r], [sp]( javascript:alert(27) ) and bare javascript:alert(28).

    [r]: vbscript:alert(29)
kfuncs:
  bpf_evil:
    stability: unstable
    rationale: |
      [x](javascript:alert(30)) <data:text/html,alert(31)> [ok](https://example.org/)
    notes: See [rel](../x.html) and [proto](//evil.example/alert(32)).
";

/// `kfuncdoc render` of the hostile tree and policy into `out`.
fn render(src: &Path, policy: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "render",
        "--source",
        src.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = kfuncdoc(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    o
}

/// The tree and policy in `tmp`: (source, policy).
fn inputs(tmp: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let src = tmp.join("linux");
    hostile_tree(&src);
    let policy = tmp.join("policy.yaml");
    std::fs::write(&policy, HOSTILE_POLICY).unwrap();
    (src, policy)
}

/// `&#x6a;`, `&#106;`, `&colon;`... decoded, and whitespace and controls
/// dropped, the way browsers read a URL's scheme.
fn decoded(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(end) = after.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let ent = &after[..end];
        let c = if let Some(h) = ent.strip_prefix("#x").or_else(|| ent.strip_prefix("#X")) {
            u32::from_str_radix(h, 16).ok().and_then(char::from_u32)
        } else if let Some(d) = ent.strip_prefix('#') {
            d.parse().ok().and_then(char::from_u32)
        } else {
            match ent {
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                "amp" => Some('&'),
                _ => None,
            }
        };
        match c {
            Some(c) => out.push(c),
            None => {
                out.push('&');
                out.push_str(ent);
                out.push(';');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// What is live in one HTML file and came from the inputs: script-scheme
/// link targets, event handlers or tags holding a payload, `<script>`
/// elements holding one.
fn live(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while let Some(off) = lower[i..].find('<') {
        let start = i + off;
        let end = lower[start..]
            .find('>')
            .map_or(lower.len(), |e| start + e + 1);
        let tag = &lower[start..end];
        i = start + 1;
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if name.is_empty() {
            continue;
        }
        // Attribute values of link-like attributes.
        for attr in ["href=", "src=", "action=", "formaction=", "xlink:href="] {
            let mut j = 0;
            while let Some(p) = tag[j..].find(attr) {
                let vstart = j + p + attr.len();
                let v = &tag[vstart..];
                let v = match v.chars().next() {
                    Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
                    _ => v.split([' ', '>']).next().unwrap_or(""),
                };
                let d = decoded(v);
                if ["javascript:", "data:", "vbscript:", "livescript:"]
                    .iter()
                    .any(|s| d.starts_with(s))
                {
                    found.push(format!("link {}", &html[start..end]));
                }
                j = vstart;
            }
        }
        // Quoted attribute values are text unless the attribute is an
        // event handler; anything else holding a payload is live.
        let mut bare = String::new();
        let mut handlers = String::new();
        let mut q: Option<char> = None;
        let mut attr = String::new();
        for c in tag.chars() {
            match q {
                Some(x) if c == x => q = None,
                Some(_) => {
                    if attr.trim_end_matches('=').trim().starts_with("on") {
                        handlers.push(c);
                    }
                }
                None if c == '"' || c == '\'' => q = Some(c),
                None => {
                    bare.push(c);
                    if c.is_whitespace() {
                        attr.clear();
                    } else {
                        attr.push(c);
                    }
                }
            }
        }
        if bare.contains("alert(") || handlers.contains("alert(") {
            found.push(format!("tag {}", &html[start..end]));
        }
        if name == "script" {
            let body_end = lower[end..]
                .find("</script")
                .map_or(lower.len(), |e| end + e);
            if lower[end..body_end].contains("alert(") {
                found.push(format!("script {}", &html[start..body_end]));
            }
        }
    }
    found
}

/// Every `.html` file under `dir` with what is live in it.
fn live_in_site(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut n = 0;
    for f in files_under(dir) {
        if !f.ends_with(".html") {
            continue;
        }
        n += 1;
        let html = std::fs::read_to_string(dir.join(&f)).unwrap();
        found.extend(live(&html).into_iter().map(|x| format!("{f}: {x}")));
    }
    assert!(n > 0, "no HTML under {}", dir.display());
    found
}

#[test]
fn the_live_checker_finds_what_it_looks_for() {
    for bad in [
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href='JaVa&#x09;Script&colon;x'>x</a>",
        "<a href=data:text/html,x>x</a>",
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "<a class=\"reference external\" href=\"vbscript:x\">",
    ] {
        assert!(!live(bad).is_empty(), "{bad}");
    }
    for good in [
        "<p>javascript:alert(1) &lt;script&gt;alert(1)&lt;/script&gt;</p>",
        "<a href=\"https://x.org/\">javascript:alert(1)</a>",
        "<script src=\"_static/x.js\"></script>",
    ] {
        assert!(live(good).is_empty(), "{good}");
    }
}

#[test]
fn sphinx_html_of_the_hostile_pages_has_nothing_live() {
    let Some(python) = tool("KFUNCDOC_PYTHON") else {
        return;
    };
    let tmp = TempDir::new("hostile-sphinx");
    let (src, policy) = inputs(&tmp.0);
    let project = tmp.0.join("doc");
    sphinx_project(&project, "");
    std::fs::write(
        project.join("index.rst"),
        "Test\n====\n\n.. toctree::\n\n   kfuncs/index\n",
    )
    .unwrap();
    // kernel-doc mode is the one that printed the path into a directive.
    render(
        &src,
        &policy,
        &project.join("kfuncs"),
        &["--to", "rst", "--description", "kernel-doc"],
    );
    let rst = std::fs::read_to_string(project.join("kfuncs/bpf-kfuncs.rst"))
        .or_else(|_| {
            let f = files_under(&project.join("kfuncs"))
                .into_iter()
                .find(|f| f.ends_with(".rst") && f != "index.rst" && !f.contains("lifecycle"))
                .unwrap();
            std::fs::read_to_string(project.join("kfuncs").join(f))
        })
        .unwrap();
    assert!(!rst.contains(".. kernel-doc::"), "{rst}");
    assert!(!rst.contains("\n.. raw::"), "{rst}");
    let html = tmp.0.join("html");
    let (_, log) = sphinx(&python, &project, &html);
    let found = live_in_site(&html);
    assert!(found.is_empty(), "{found:#?}\n{log}");
    // The text is still there, shown as text.
    let all: String = files_under(&html)
        .iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| std::fs::read_to_string(html.join(f)).unwrap())
        .collect();
    for shown in [
        "javascript:alert(28)",
        "&lt;script&gt;alert(5)&lt;/script&gt;",
    ] {
        assert!(all.contains(shown), "{shown} not shown");
    }
}

#[test]
fn mdbook_html_of_the_hostile_pages_has_nothing_live() {
    let Some(mdbook) = tool("KFUNCDOC_MDBOOK") else {
        return;
    };
    let tmp = TempDir::new("hostile-mdbook");
    let (src, policy) = inputs(&tmp.0);
    let site = tmp.0.join("site");
    render(
        &src,
        &policy,
        &site,
        &[
            "--to",
            "markdown",
            "--title",
            "</title><script>alert(41)</script> & co",
        ],
    );
    let res = Command::new(mdbook)
        .arg("build")
        .arg(&site)
        .output()
        .unwrap();
    assert!(res.status.success(), "{}", text(&res.stderr));
    let found = live_in_site(&site.join("book"));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn mkdocs_html_of_the_hostile_pages_has_nothing_live() {
    let Some(python) = tool("KFUNCDOC_PYTHON") else {
        return;
    };
    let tmp = TempDir::new("hostile-mkdocs");
    let (src, policy) = inputs(&tmp.0);
    let site = tmp.0.join("site");
    render(
        &src,
        &policy,
        &site,
        &[
            "--to",
            "markdown",
            "--flavour",
            "mkdocs",
            "--title",
            "</title><script>alert(40)</script> & co",
        ],
    );
    let res = Command::new(&python)
        .args(["-m", "mkdocs", "build", "-q", "-f"])
        .arg(site.join("mkdocs.yml"))
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}{}",
        text(&res.stdout),
        text(&res.stderr)
    );
    let found = live_in_site(&site.join("site"));
    assert!(found.is_empty(), "{found:#?}");
    // The nav shows the titles as text (`<` as the fullwidth `＜`, which no
    // decoding makes a tag), `&` once.
    let index = std::fs::read_to_string(site.join("site/index.html")).unwrap();
    assert!(
        index.contains("\u{FF1C}script\u{FF1E}alert(5)"),
        "nav title"
    );
    assert!(index.contains("\u{FF1E} &amp; co"), "site name");
    // (Material escapes the site name once more in the logo's `title`
    // attribute, where `&` shows as `&amp;`: text, not markup.)
}

#[test]
fn check_reports_the_dropped_links_and_the_path() {
    let tmp = TempDir::new("hostile-check");
    let (src, policy) = inputs(&tmp.0);
    let o = kfuncdoc(&[
        "check",
        "--source",
        src.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
    ]);
    let err = format!("{}{}", text(&o.stdout), text(&o.stderr));
    let links = err.lines().filter(|l| l.contains("[unsafe-link]")).count();
    // 20-27 and 29 in the statement, 30 and 31 in the rationale, the
    // relative and protocol-relative links in the notes.
    assert_eq!(links, 13, "{err}");
    assert!(err.contains("[unsafe-path]"), "{err}");
    // Every finding is one line: the path's breaks and ESCs are escaped.
    for l in err.lines() {
        assert!(
            l.is_empty() || l.contains(": ") || l.starts_with("check:") || l.starts_with("   "),
            "a line that is not a finding: {l:?}\n{err}"
        );
    }
    assert!(!err.contains("\n.. raw::"), "{err}");
    assert!(err.contains("x\\n\\n.. raw:: html"), "{err}");
}

#[test]
fn urls_that_break_links_fail_check_and_render_at_their_line_once() {
    let tmp = TempDir::new("hostile-url");
    let src = tmp.0.join("linux");
    hostile_tree(&src);
    for bad in ["(", "|", "*", "\\\"", "<", ">", "`", " x", "\\t", "\\u001b"] {
        let policy = tmp.0.join("p.yaml");
        std::fs::write(
            &policy,
            format!(
                "schema: 1\nkfuncs:\n  bpf_evil:\n    links:\n      - title: t\n        url: \"https://x.org/a{bad}b\"\n"
            ),
        )
        .unwrap();
        let p = policy.to_str().unwrap();
        let s = src.to_str().unwrap();
        let out = tmp.0.join("out");
        let o = tmp.0.join("out");
        for args in [
            vec!["check", "--source", s, "--policy", p],
            vec![
                "render",
                "--to",
                "rst",
                "--source",
                s,
                "--policy",
                p,
                "--out",
                o.to_str().unwrap(),
            ],
        ] {
            let r = kfuncdoc(&args);
            let err = text(&r.stderr);
            assert_eq!(r.status.code(), Some(2), "{bad}: {args:?}\n{err}");
            assert_eq!(err.matches("p.yaml:5:").count(), 1, "{bad}: {err}");
            assert!(!err.contains("link.rst"), "{bad}: {err}");
            assert!(!err.contains('\u{1b}'), "{bad}: {err}");
        }
        assert!(!out.join("index.rst").exists());
    }
}

#[test]
fn terminal_lines_escape_what_the_inputs_hold() {
    let tmp = TempDir::new("hostile-term");
    let src = tmp.0.join("linux");
    hostile_tree(&src);
    // A second file whose name would inject a CI command and a colour.
    std::fs::write(
        src.join("kernel/bpf/y\n::error title=x::pwned\u{1b}[31m\u{202e}.c"),
        "BTF_KFUNCS_START(t)\nBTF_ID_FLAGS(func, bpf_missing, KF_NOPE)\nBTF_KFUNCS_END(t)\n",
    )
    .unwrap();
    let o = kfuncdoc(&["extract", "--source", src.to_str().unwrap()]);
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(all.contains("y\\n::error title=x::pwned"), "{all}");
    for l in all.lines() {
        assert!(!l.starts_with("::error"), "{l:?}");
    }
    assert!(
        !all.contains('\u{1b}') && !all.contains('\u{202e}'),
        "{all:?}"
    );
    // JSON is left alone: it escapes by itself and stays parseable.
    let j = kfuncdoc(&[
        "extract",
        "--source",
        src.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    assert!(v.to_string().contains("::error title=x::pwned"));
    // The render summary names --out; `diff` and `policy sync` print
    // kfunc names and paths too.
    let out = tmp.0.join("o\n::error title=x::pwned\u{1b}[31m");
    let r = kfuncdoc(&[
        "render",
        "--to",
        "markdown",
        "--source",
        src.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let d = kfuncdoc(&["diff", src.to_str().unwrap(), src.to_str().unwrap()]);
    let policy = tmp.0.join("p\n::error title=x::pwned\u{1b}[31m.yaml");
    std::fs::write(&policy, "schema: 1\n").unwrap();
    let p = kfuncdoc(&[
        "policy",
        "sync",
        "--dry-run",
        "--policy",
        policy.to_str().unwrap(),
        "--source",
        crate::util::tree("render").to_str().unwrap(),
    ]);
    for o in [&r, &d, &p] {
        let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert!(!all.contains('\u{1b}'), "{all:?}");
        for l in all.lines() {
            assert!(!l.starts_with("::error"), "{l:?}");
        }
    }
    assert!(
        text(&r.stderr).contains("pwned"),
        "{:?} {}",
        r.status,
        text(&r.stderr)
    );
    assert!(
        text(&p.stdout).contains("pwned"),
        "{:?} {} {}",
        p.status,
        text(&p.stdout),
        text(&p.stderr)
    );
}

/// For every scheme the venv's docutils links, escaped text stays text; an
/// http(s) URL stays a link. Fails when docutils learns a scheme that
/// `text.rs` does not know.
#[test]
fn docutils_links_no_scheme_in_escaped_text() {
    let Some(python) = tool("KFUNCDOC_PYTHON") else {
        return;
    };
    let tmp = TempDir::new("hostile-docutils");
    let script = tmp.0.join("check.py");
    std::fs::write(
        &script,
        r#"import sys, json, docutils.core, docutils.utils.urischemes as u
lines = json.load(open(sys.argv[1]))
bad = []
for l in lines:
    html = docutils.core.publish_parts(l, writer_name="html",
        settings_overrides={"report_level": 5})["body"]
    if "href=" in html and "https://ok.example" not in html:
        bad.append((l, html))
print(json.dumps({"bad": bad, "schemes": sorted(u.schemes)}))
"#,
    )
    .unwrap();
    let out = Command::new(&python)
        .arg("-c")
        .arg("import docutils.utils.urischemes as u, json; print(json.dumps(sorted(u.schemes)))")
        .output()
        .unwrap();
    let schemes: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(schemes.iter().any(|s| s == "javascript"));
    let mut lines = Vec::new();
    for s in &schemes {
        if s == "http" || s == "https" {
            continue;
        }
        for t in [
            format!("see {s}:alert(1)"),
            format!("{}:x", s.to_uppercase()),
            format!("({s}://x/y)"),
            format!("a-{s}:b"),
            format!("x {s}::y"),
        ] {
            lines.push(kfuncdoc::render::text::rst_inline(&t));
        }
    }
    lines.push(kfuncdoc::render::text::rst_inline(
        "see https://ok.example/a",
    ));
    let input = tmp.0.join("lines.json");
    std::fs::write(&input, serde_json::to_string(&lines).unwrap()).unwrap();
    let res = Command::new(&python)
        .arg(&script)
        .arg(&input)
        .output()
        .unwrap();
    assert!(res.status.success(), "{}", text(&res.stderr));
    let v: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(v["bad"], serde_json::json!([]), "linked: {:#}", v["bad"]);
}
