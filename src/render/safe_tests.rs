use super::*;

/// Hostile link destinations as a Markdown parser hands them over (its
/// entities and escapes already decoded).
const HOSTILE: &[&str] = &[
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\u{0}javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "/relative",
    "relative.html",
    "#anchor",
    "http:",
    "https:/x",
    "httpx://x",
    "",
];

#[test]
fn only_http_and_https_links_are_allowed() {
    for url in HOSTILE {
        assert!(!link_allowed(url), "{url:?}");
        assert!(url_problem(url).is_some(), "{url:?}");
    }
    for url in ["http://x.org/a", "HTTPS://x.org", "https://x.org/a?b=c#d"] {
        assert!(link_allowed(url), "{url}");
    }
    assert!(!link_allowed("mailto:bpf@vger.kernel.org"));
    assert!(url_problem("mailto:bpf@vger.kernel.org").is_some());
}

#[test]
fn urls_that_break_link_syntax_are_refused_with_the_character() {
    for c in "<>`\"()[]{}|*\\ \t\n\r\u{1b}\u{7f}\u{85}\u{a0}".chars() {
        for url in [
            format!("https://x.org/{c}"),
            format!("https://x.org/a{c}b"),
            format!("http://{c}x"),
        ] {
            let p = url_problem(&url).unwrap_or_else(|| panic!("{url:?} passed"));
            assert!(!p.contains('\n') && !p.contains('\u{1b}'), "{p:?}");
        }
    }
    assert!(url_problem("https://x.org/a_").is_some());
    assert_eq!(
        url_problem("https://git.kernel.org/torvalds/c/d02c48fa1139"),
        None
    );
    assert_eq!(url_problem("https://x.org/a_b?c=%28d%29&e=f#g"), None);
}

#[test]
fn directive_paths_are_plain_relative_paths() {
    assert!(directive_path_ok("kernel/bpf/helpers.c"));
    assert!(directive_path_ok("net/core/filter.c"));
    for bad in [
        "",
        "/etc/passwd",
        "kernel/bpf/x\n\n.. raw:: html\n\n   <img src=x onerror=alert(1)>\n\n.c",
        "a\rb.c",
        "a b.c",
        "a\tb.c",
        "a\u{1b}b.c",
        "a\u{202e}c.c",
        "a`b.c",
        "a\\b.c",
        "\u{e9}.c",
    ] {
        assert!(!directive_path_ok(bad), "{bad:?}");
    }
    // Every single byte that is not printable ASCII, anywhere.
    for b in (0u8..0x21).chain([0x7f]) {
        let c = char::from(b);
        for p in [format!("{c}a.c"), format!("a{c}.c"), format!("a.c{c}")] {
            assert!(!directive_path_ok(&p), "{p:?}");
        }
    }
}

/// HTML character references decoded once, as Jinja's `striptags` does.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[test]
fn html_escape_leaves_no_tag_open_raw_or_decoded() {
    let hostile = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "'><svg onload=alert(1)>",
        "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
        "</title><script>alert(1)</script>",
        "&amp;lt;script&amp;gt;",
        "a\nb\u{1b}c",
    ];
    for s in hostile {
        let e = html_escape(s);
        assert!(!e.contains(['<', '>', '"', '\'', '\n', '\u{1b}']), "{e}");
        // Every `&` starts one of the references written here.
        for (i, _) in e.match_indices('&') {
            let rest = &e[i..];
            assert!(
                ["&amp;", "&quot;", "&#39;"]
                    .iter()
                    .any(|r| rest.starts_with(r)),
                "{e}"
            );
        }
        // Decoded once (Material's `<title>`), it is the text again, with
        // no `<` in it.
        let d = unescape(&e);
        assert!(!d.contains(['<', '>']), "{s:?} -> {d:?}");
    }
    assert_eq!(
        html_escape("BPF [SECURITY & LSM]"),
        "BPF [SECURITY &amp; LSM]"
    );
    assert_eq!(html_escape("<b>"), "\u{FF1C}b\u{FF1E}");
}
