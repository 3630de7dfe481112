//! Text forms of command results: the human table and the JSON document.
//! Pure functions returning strings; the caller decides where they go.

use crate::cli::Format;
use crate::diag::terminal::escape;
use crate::diag::{Code, Diagnostic, Level};
use crate::merge::Merged;
use crate::model::{Catalog, Kfunc};
use crate::policy::Policy;
use serde::Serialize;
use std::fmt::Write;

/// `KF_ACQUIRE|KF_RET_NULL` → `ACQUIRE|RET_NULL`, `-` for none.
pub fn short_flags(k: &Kfunc) -> String {
    // Only a built kernel's raw BTF: flags are unknown, not none.
    if k.file.is_none() && k.btf.as_ref().is_some_and(|b| b.flags.is_none()) {
        return "?".into();
    }
    if k.flags.is_empty() {
        return "-".into();
    }
    k.flags
        .iter()
        .map(|f| f.strip_prefix("KF_").unwrap_or(f))
        .collect::<Vec<_>>()
        .join("|")
}

/// `BPF_PROG_TYPE_XDP,...` → `XDP,...`; `all` for UNSPEC.
pub fn short_prog_types(k: &Kfunc) -> String {
    if k.all_prog_types {
        return "all".into();
    }
    // Program types come only from source registrations.
    if k.file.is_none() {
        return "?".into();
    }
    if k.prog_types.is_empty() {
        return "-".into();
    }
    k.prog_types
        .iter()
        .map(|p| p.strip_prefix("BPF_PROG_TYPE_").unwrap_or(p))
        .collect::<Vec<_>>()
        .join(",")
}

fn notes(k: &Kfunc) -> String {
    let mut n = Vec::new();
    if k.test_only {
        n.push("test-only".to_string());
    }
    if k.filtered {
        n.push("filtered".to_string());
    }
    if k.definition.is_none() && k.file.is_some() {
        n.push("no definition".to_string());
    }
    if k.built == Some(false) {
        n.push("not built".to_string());
    }
    if let Some(m) = k.btf.as_ref().and_then(|b| b.module.as_ref()) {
        n.push(format!("module {m}"));
    }
    if !k.conditions.is_empty() {
        n.push(format!("if {}", k.conditions.join(" && ")));
    }
    n.join(", ")
}

/// The catalog as a table, one kfunc per line.
pub fn catalog_table(c: &Catalog) -> String {
    let rows: Vec<[String; 5]> = c
        .kfuncs
        .iter()
        .map(|k| {
            let at = match (&k.file, k.line, &k.btf) {
                (Some(f), Some(l), _) => format!("{f}:{l}"),
                (_, _, Some(b)) => format!("BTF id {}", b.id),
                _ => "-".into(),
            };
            [
                k.name.clone(),
                short_flags(k),
                short_prog_types(k),
                at,
                notes(k),
            ]
            .map(|cell| escape(&cell).into_owned())
        })
        .collect();
    let head = ["NAME", "FLAGS", "PROGRAM TYPES", "LISTED AT", "NOTES"];
    let mut width = head.map(str::len);
    for r in &rows {
        for (w, cell) in width.iter_mut().zip(r) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = String::new();
    let registered = c.sets.iter().filter(|s| s.registered).count();
    let tests = c.kfuncs.iter().filter(|k| k.test_only).count();
    let built = c.kfuncs.iter().filter(|k| k.built == Some(true)).count();
    let inputs: Vec<&str> = c.kernel.inputs.iter().map(|i| i.kind.as_str()).collect();
    let _ = write!(
        out,
        "kernel {}: {}",
        escape(c.kernel.version.as_deref().unwrap_or("(unknown)")),
        crate::plural::count(c.kfuncs.len(), "kfunc", "kfuncs"),
    );
    if c.kernel.has_source() {
        let sets = crate::plural::count(registered, "registered set", "registered sets");
        let _ = write!(out, " ({tests} test-only) in {sets}");
    }
    if inputs.iter().any(|k| *k != "source") {
        let _ = write!(out, "; {built} in the built kernel");
    }
    let _ = writeln!(out, " [{}]", inputs_phrase(&inputs));
    let line = |out: &mut String, cells: [&str; 5]| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                let _ = write!(s, "{cell:<w$}  ", w = width[i]);
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(&mut out, head);
    for r in &rows {
        line(&mut out, [&r[0], &r[1], &r[2], &r[3], &r[4]]);
    }
    out
}

/// The inputs of a catalog as a person reads them: `source, bzImage + 7
/// modules`, not one word per module.
fn inputs_phrase(kinds: &[&str]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for k in kinds {
        match counts.iter_mut().find(|(n, _)| n == k) {
            Some((_, c)) => *c += 1,
            None => counts.push((k, 1)),
        }
    }
    let name = |k: &str| {
        match k {
            "bzimage" => "bzImage",
            "raw-btf" => "raw BTF",
            other => other,
        }
        .to_string()
    };
    let mut base: Vec<String> = Vec::new();
    let mut modules = 0;
    for (k, c) in counts {
        if k == "module" {
            modules = c;
        } else if c == 1 {
            base.push(name(k));
        } else {
            base.push(format!("{c} × {}", name(k)));
        }
    }
    let mut s = base.join(", ");
    if modules > 0 {
        let m = crate::plural::count(modules, "module", "modules");
        s = if s.is_empty() {
            m
        } else {
            format!("{s} + {m}")
        };
    }
    s
}

/// Findings, one per line.
pub fn diagnostics(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let _ = writeln!(out, "{d}");
    }
    out
}

/// Any serialisable value as pretty JSON with a final newline.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut s =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Every code with its level, as `explain` and `check --list` print them.
pub fn code_list(level: &dyn Fn(Code) -> Level, format: Format) -> String {
    #[derive(Serialize)]
    struct Row {
        code: &'static str,
        level: Level,
        description: &'static str,
    }
    let rows: Vec<Row> = Code::ALL
        .iter()
        .map(|&c| Row {
            code: c.name(),
            level: level(c),
            description: c.description(),
        })
        .collect();
    match format {
        Format::Json => json(&rows),
        Format::Human => {
            let w = rows.iter().map(|r| r.code.len()).max().unwrap_or(0);
            rows.iter()
                .map(|r| {
                    format!(
                        "{:<w$}  {:<5}  {}\n",
                        r.code,
                        r.level.as_str(),
                        r.description
                    )
                })
                .collect()
        }
    }
}

/// One code explained.
pub fn explanation(code: Code, format: Format) -> String {
    match format {
        Format::Json => json(&serde_json::json!({
            "code": code.name(),
            "level": code.default_level(),
            "description": code.description(),
            "explanation": code.explanation(),
        })),
        Format::Human => format!(
            "{} (default level: {})\n\n{}\n\n{}\n",
            code.name(),
            code.default_level(),
            code.description(),
            wrap(code.explanation(), 78)
        ),
    }
}

/// Wraps prose at `width` columns.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut col = 0;
    for word in text.split_whitespace() {
        if col > 0 && col + 1 + word.len() > width {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += word.len();
    }
    out
}

/// The JSON document of `kfuncdoc check`.
#[derive(Debug, Serialize)]
pub struct CheckReport<'a> {
    /// The kernel checked.
    pub kernel: &'a crate::model::KernelInfo,
    /// The policy files.
    pub policy: &'a [String],
    /// Counts.
    pub summary: CheckSummary,
    /// Every finding reported.
    pub diagnostics: &'a [Diagnostic],
}

/// Counts of a check.
#[derive(Debug, Serialize)]
pub struct CheckSummary {
    /// kfuncs checked.
    pub kfuncs: usize,
    /// Policy entries.
    pub entries: usize,
    /// Findings at deny level.
    pub deny: usize,
    /// Findings at warn level.
    pub warn: usize,
}

impl<'a> CheckReport<'a> {
    /// The report of a check.
    pub fn new(merged: &'a Merged, policy: &'a Policy, diags: &'a [Diagnostic]) -> Self {
        CheckReport {
            kernel: &merged.kernel,
            policy: &policy.files,
            summary: CheckSummary {
                kfuncs: merged.kfuncs.len(),
                entries: policy.kfuncs.len(),
                deny: diags.iter().filter(|d| d.level == Level::Deny).count(),
                warn: diags.iter().filter(|d| d.level == Level::Warn).count(),
            },
            diagnostics: diags,
        }
    }
}

/// `kfuncdoc check` for people: one finding per line, then a summary.
pub fn check_text(merged: &Merged, policy: &Policy, diags: &[Diagnostic]) -> String {
    let r = CheckReport::new(merged, policy, diags);
    let mut out = diagnostics(diags);
    let _ = writeln!(
        out,
        "check: {} of {} against {} ({}): {} denied, {}",
        crate::plural::count(r.summary.kfuncs, "kfunc", "kfuncs"),
        escape(
            merged
                .kernel
                .version
                .as_deref()
                .unwrap_or("an unknown kernel")
        ),
        escape(&policy.files.join(", ")),
        crate::plural::count(r.summary.entries, "entry", "entries"),
        r.summary.deny,
        crate::plural::count(r.summary.warn, "warning", "warnings"),
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn inputs_read_as_a_phrase() {
        let p = super::inputs_phrase;
        assert_eq!(
            p(&["source", "bzimage", "module", "module", "module"]),
            "source, bzImage + 3 modules"
        );
        assert_eq!(p(&["module"]), "1 module");
        assert_eq!(p(&["raw-btf"]), "raw BTF");
        assert_eq!(p(&["source"]), "source");
        assert_eq!(p(&[]), "");
    }
}
