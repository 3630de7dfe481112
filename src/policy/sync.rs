//! `kfuncdoc policy sync`: skeleton entries for the kfuncs a policy does
//! not mention, appended to its `kfuncs:` mapping as text.
//!
//! The file is edited by inserting lines only: every byte already there,
//! comments and order included, stays as it was. The skeleton is an empty
//! entry (`name: {}`) under a comment saying where the kfunc is listed, so
//! `check` keeps reporting it as undecided until someone decides.

/// One entry to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skeleton {
    /// The kfunc.
    pub name: String,
    /// The comment above the entry (without `#`).
    pub comment: String,
}

fn is_top_level_content(line: &str) -> bool {
    !line.is_empty() && !line.starts_with([' ', '\t', '#']) && !line.trim().is_empty()
}

/// `text` with `entries` inserted at the end of its top-level `kfuncs:`
/// block mapping (a new block at the end when there is none). Errors when
/// the mapping is written in flow style, which cannot grow by insertion.
pub fn append(text: &str, entries: &[Skeleton]) -> Result<String, String> {
    if entries.is_empty() {
        return Ok(text.to_string());
    }
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut off = 0;
    for l in text.split_inclusive('\n') {
        lines.push((off, l.trim_end_matches(['\n', '\r'])));
        off += l.len();
    }
    let key = lines.iter().position(|(_, l)| l.starts_with("kfuncs:"));
    let render = |indent: usize| -> String {
        let pad = " ".repeat(indent);
        entries
            .iter()
            .map(|e| format!("{pad}# {}\n{pad}{}: {{}}\n", e.comment, e.name))
            .collect()
    };
    let Some(k) = key else {
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("\nkfuncs:\n");
        out.push_str(&render(2));
        return Ok(out);
    };
    let rest = lines[k].1["kfuncs:".len()..].trim();
    if !rest.is_empty() && !rest.starts_with('#') {
        return Err(format!(
            "line {}: `kfuncs:` is written inline (`{rest}`); make it a block mapping so that entries can be appended",
            k + 1
        ));
    }
    // The block runs until the next line that starts a top-level key.
    let end = lines[k + 1..]
        .iter()
        .position(|(_, l)| is_top_level_content(l) || *l == "---" || *l == "...");
    let block = &lines[k + 1..end.map_or(lines.len(), |e| k + 1 + e)];
    let last = block.iter().rposition(|(_, l)| {
        l.starts_with([' ', '\t']) && !l.trim().is_empty() && !l.trim_start().starts_with('#')
    });
    let indent = block
        .iter()
        .find(|(_, l)| {
            l.starts_with(' ') && !l.trim().is_empty() && !l.trim_start().starts_with('#')
        })
        .map_or(2, |(_, l)| l.len() - l.trim_start().len());
    // Insert after the last entry line; comments and blank lines that lead
    // into the next top-level key stay with it.
    let at = match last {
        Some(i) => {
            let (o, l) = block[i];
            text[o + l.len()..]
                .find('\n')
                .map_or(text.len(), |n| o + l.len() + n + 1)
        }
        None => {
            let (o, l) = lines[k];
            text[o + l.len()..]
                .find('\n')
                .map_or(text.len(), |n| o + l.len() + n + 1)
        }
    };
    let mut out = String::with_capacity(text.len() + 64 * entries.len());
    out.push_str(&text[..at]);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&render(indent));
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sk(n: &str) -> Skeleton {
        Skeleton {
            name: n.into(),
            comment: format!("{n} at x.c:1"),
        }
    }

    #[test]
    fn appends_to_the_block_leaving_everything_else() {
        let text = "schema: 1\n# decisions\nkfuncs:\n    bpf_a:   # odd spacing kept\n        stability: stable\n\n# lints follow\nlints:\n  missing-decision: warn\n";
        let out = append(text, &[sk("bpf_b")]).unwrap();
        assert_eq!(
            out,
            "schema: 1\n# decisions\nkfuncs:\n    bpf_a:   # odd spacing kept\n        stability: stable\n    # bpf_b at x.c:1\n    bpf_b: {}\n\n# lints follow\nlints:\n  missing-decision: warn\n"
        );
        // Only insertions: removing the added lines gives the input back.
        let back: String = out
            .lines()
            .filter(|l| !l.contains("bpf_b"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(back, text);
    }

    #[test]
    fn new_block_when_missing_and_errors_on_flow_style() {
        let out = append("schema: 1", &[sk("bpf_b")]).unwrap();
        assert_eq!(
            out,
            "schema: 1\n\nkfuncs:\n  # bpf_b at x.c:1\n  bpf_b: {}\n"
        );
        assert!(append("schema: 1\nkfuncs: {}\n", &[sk("bpf_b")]).is_err());
        let out = append("schema: 1\nkfuncs:\n", &[sk("bpf_b")]).unwrap();
        assert_eq!(out, "schema: 1\nkfuncs:\n  # bpf_b at x.c:1\n  bpf_b: {}\n");
        let out = append("kfuncs:\n  bpf_a: {}", &[sk("bpf_b")]).unwrap();
        assert_eq!(
            out,
            "kfuncs:\n  bpf_a: {}\n  # bpf_b at x.c:1\n  bpf_b: {}\n"
        );
    }
}
