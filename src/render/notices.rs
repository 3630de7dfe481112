//! What the pages say about a kfunc's upstream notices and its example
//! call: the parts of the render context built from
//! `Kfunc::upstream_notices` and `Usage::example` (pure).

use super::context::Format;
use super::markdown::{self, Target};
use crate::kernel::KernelVersion;
use crate::model::Kfunc;
use serde::{Deserialize, Serialize};

/// A deprecation the kernel states, as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeInfo {
    /// `comment`, `runtime-warning` or `successor`.
    pub kind: String,
    /// The kernel's words (plain text).
    pub text: String,
    /// The removal release the kernel names.
    pub removal: Option<String>,
    /// That release is this kernel's or earlier: the removal is overdue.
    pub overdue: bool,
    /// kfuncs to use instead, sorted.
    pub replacements: Vec<String>,
    /// Where the kernel says it.
    pub file: String,
    /// Its line.
    pub line: u32,
}

/// A real call of the kfunc, as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExampleInfo {
    /// The program.
    pub file: String,
    /// Line of the call.
    pub line: u32,
    /// The header wrapper called, when the call goes through one.
    pub via: Option<String>,
    /// The excerpt as a complete code block for the format (RST
    /// `.. code-block:: c` with indented lines; a Markdown fence longer
    /// than any backtick run inside, or an HTML block where mdBook would
    /// read `{{#`): printed as it is.
    pub block: String,
}

/// The earliest removal release `k`'s notices name.
pub fn stated_removal(k: &Kfunc) -> Option<KernelVersion> {
    k.upstream_notices
        .iter()
        .filter_map(|n| n.removal.as_deref().and_then(KernelVersion::parse_lenient))
        .map(KernelVersion::release)
        .min()
}

/// `k`'s notices for its page.
pub fn notices(k: &Kfunc, kernel: Option<KernelVersion>) -> Vec<NoticeInfo> {
    k.upstream_notices
        .iter()
        .map(|n| {
            let stated = n.removal.as_deref().and_then(KernelVersion::parse_lenient);
            NoticeInfo {
                kind: n.kind.clone(),
                text: n.text.clone(),
                removal: stated.map(|v| v.release().to_string()),
                overdue: matches!((stated, kernel), (Some(s), Some(k)) if s.release() <= k.release()),
                replacements: n.replacements.clone(),
                file: n.file.clone(),
                line: n.line,
            }
        })
        .collect()
}

/// `k`'s example call for its page, as a code block of `format`.
pub fn example(k: &Kfunc, format: Format) -> Option<ExampleInfo> {
    let e = k.usage.as_ref()?.example.as_ref()?;
    let run = longest_backtick_run(&e.code);
    let fence = "`".repeat((run + 1).max(3));
    let target = match format {
        Format::Rst => Target::Rst,
        Format::Markdown => Target::Markdown,
    };
    let block = markdown::convert(&format!("{fence}c\n{}\n{fence}\n", e.code), target).ok()?;
    Some(ExampleInfo {
        file: e.file.clone(),
        line: e.line,
        via: e.via.clone(),
        block: block.trim_end().to_string(),
    })
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Example, Usage};

    fn with_code(code: &str) -> Kfunc {
        Kfunc {
            name: "k".into(),
            usage: Some(Usage {
                example: Some(Example {
                    file: "samples/x.c".into(),
                    line: 3,
                    via: None,
                    first_line: 1,
                    code: code.into(),
                }),
                ..Usage::default()
            }),
            ..Kfunc::default()
        }
    }

    /// Nothing in the code can end the block it is shown in.
    #[test]
    fn code_cannot_escape_its_block() {
        let code = "s = \"```\";\n\n.. note:: not a directive\n{{#include x}}\nk(1);";
        let md = example(&with_code(code), Format::Markdown).unwrap().block;
        assert!(!md.contains("{{#"), "{md}");
        let rst = example(&with_code(code), Format::Rst).unwrap().block;
        let mut lines = rst.lines();
        assert_eq!(lines.next(), Some(".. code-block:: c"));
        assert!(
            lines.all(|l| l.is_empty() || l.starts_with("    ")),
            "{rst}"
        );
        let plain = example(&with_code("a = `b`;\nx = \"````\";"), Format::Markdown)
            .unwrap()
            .block;
        assert!(plain.starts_with("`````c\n"), "{plain}");
        assert!(plain.ends_with("\n`````"), "{plain}");
    }
}
