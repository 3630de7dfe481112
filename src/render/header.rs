//! The header for BPF programs (issue 14): every kfunc of the kernel
//! declared as bpftool's `vmlinux.h` declares it, with its lifecycle as
//! compiler attributes, so that a program author learns of a deprecation
//! from the compiler rather than from a verifier that refuses the program.
//!
//! [`build`] turns the pages' [`Context`] into a [`HeaderContext`], the
//! contract with `templates/header/kfuncs.h` (`--context` prints it,
//! `--from-context` reads it back); [`file()`] renders it. Pure.
//!
//! What it decides:
//! - the declaration is the one the pages show: bpftool 7.5's from BTF
//!   when a built kernel was read (byte for byte, the `extern ... __weak
//!   __ksym;` line of `vmlinux.h`), else the BPF-visible prototype from
//!   source. A kfunc of the source that the built kernel read lacks is not
//!   declared (it is not in that build), and listed;
//! - attributes: `deprecated` for a kfunc the policy deprecates (or will),
//!   or whose deprecation the kernel states (an upstream notice), with the
//!   replacement and the removal in the message; `unavailable` for the
//!   kfuncs the policy records as removed before this kernel; an opt-in
//!   warning on experimental ones;
//! - what a header without `vmlinux.h` needs: forward declarations of the
//!   `struct`, `union` and `enum` types named, and the integer typedefs of
//!   [`crate::kernel::ctypes`]. A typedef cannot be forward-declared, so a
//!   kfunc naming another one (`bpf_task_work_callback_t`) is declared only
//!   when the kernel's types are there (`vmlinux.h` included first, or
//!   `KFUNCDOC_KERNEL_TYPES` defined by the program).

use super::c_escape;
use super::c_names;
use super::context::{Context, Kernel, KfuncPage, ReplacementInfo, Tool};
use super::template::TemplateError;
use super::{File, Templates};
use crate::kernel::{KernelVersion, ctypes};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The header's file name in `--out`.
pub const FILE_NAME: &str = "kfuncs.h";

/// The template rendering it.
pub const TEMPLATE: &str = "header/kfuncs.h";

/// Everything the header template sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderContext {
    /// kfuncdoc itself.
    pub kfuncdoc: Tool,
    /// The kernel described.
    pub kernel: Kernel,
    /// `MAJOR`, `MINOR` of the kernel's release, for
    /// `KFUNCDOC_KERNEL_VERSION`.
    pub release: Option<Release>,
    /// The policy files read.
    pub policy_files: Vec<String>,
    /// `struct` tags the declarations name, sorted.
    pub structs: Vec<String>,
    /// `union` tags, sorted.
    pub unions: Vec<String>,
    /// `enum` tags, sorted.
    pub enums: Vec<String>,
    /// The integer typedefs the declarations need, with their definitions,
    /// dependencies first.
    pub typedefs: Vec<Typedef>,
    /// Declared kfuncs by subsystem (or module), as the pages group them.
    pub groups: Vec<HeaderGroup>,
    /// kfuncs the policy records as removed before this kernel.
    pub removed: Vec<HeaderRemoved>,
    /// kfuncs on the pages that the header does not declare, and why.
    pub not_declared: Vec<NotDeclared>,
}

/// A kernel release as two numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// `6` of 6.12.
    pub major: u32,
    /// `12` of 6.12.
    pub minor: u32,
}

/// A typedef a header without `vmlinux.h` defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typedef {
    /// Its name.
    pub name: String,
    /// The type it names (`__u32` for `typedef __u32 u32;`).
    pub base: String,
}

/// The kfuncs of one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderGroup {
    /// The group's name (a MAINTAINERS section, `vmlinux` or a module).
    pub name: String,
    /// Its kfuncs, sorted by name.
    pub kfuncs: Vec<HeaderKfunc>,
}

/// One declared kfunc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderKfunc {
    /// Its name.
    pub name: String,
    /// The declaration between `extern ` and ` __weak __ksym;`.
    pub declaration: String,
    /// `btf` or `source`.
    pub declaration_from: String,
    /// The module defining it (none: vmlinux).
    pub module: Option<String>,
    /// The kernel-doc summary (plain text).
    pub summary: Option<String>,
    /// What its flags mean, one phrase per flag.
    pub flags: Vec<String>,
    /// The program types that may call it, in words (`TRACING, LSM`, `all
    /// program types`); absent when unknown.
    pub prog_types: Option<String>,
    /// Its stability in this kernel.
    pub stability: String,
    /// The release it appeared in, as the policy says.
    pub since: Option<String>,
    /// The same as two numbers, for `KFUNCDOC_SINCE_<name>`.
    pub since_release: Option<Release>,
    /// `deprecated` message, when it is deprecated (by the policy, now or
    /// from a later release, or by the kernel's own notice).
    pub deprecated: Option<String>,
    /// The opt-in warning's message, when it is experimental.
    pub experimental: Option<String>,
    /// Exists for the kernel's own tests.
    pub test_only: bool,
    /// Typedefs it names that the header cannot define: declared only
    /// with the kernel's types.
    pub needs_kernel_types: Vec<String>,
}

/// A kfunc the policy records as removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderRemoved {
    /// Its name.
    pub name: String,
    /// The `unavailable` message.
    pub message: String,
}

/// A kfunc left out of the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotDeclared {
    /// Its name.
    pub name: String,
    /// Why (plain text).
    pub reason: String,
}

fn release_of(v: &str) -> Option<Release> {
    let v = KernelVersion::parse_lenient(v)?.release();
    Some(Release {
        major: v.major,
        minor: v.minor,
    })
}

/// "use bpf_foo()" or "no replacement: why".
fn way_forward(r: &ReplacementInfo) -> Option<String> {
    match (&r.kfunc, &r.reason) {
        (Some(k), _) => Some(match &r.arrives_in {
            Some(v) => format!("use {k}() (from {v})"),
            None => format!("use {k}()"),
        }),
        (None, Some(why)) => Some(format!("no replacement: {why}")),
        (None, None) => None,
    }
}

/// The `deprecated` message for `k`, when it is deprecated: "deprecated in
/// 6.18, removal planned for 7.3: use scx_bpf_cpu_curr()".
pub fn deprecation(k: &KfuncPage) -> Option<String> {
    let upstream: Vec<_> = k
        .upstream_notices
        .iter()
        .filter(|n| n.kind != "legacy")
        .collect();
    let by_policy = k.stability == "deprecated" || k.upcoming_deprecation.is_some();
    if !by_policy && upstream.is_empty() && !k.removal_recorded {
        return None;
    }
    let mut s = match (&k.upcoming_deprecation, &k.deprecated_in) {
        (Some(v), _) => format!("deprecated from {v}"),
        (None, Some(v)) if by_policy => format!("deprecated in {v}"),
        _ if by_policy => "deprecated".to_string(),
        _ => match (upstream.first(), &k.removed_in) {
            // The kernel's words and position are on the kfunc's page.
            (Some(_), _) => "deprecated by the kernel".to_string(),
            // Neither deprecated nor announced: the removal is all there is.
            (None, Some(r)) => {
                let mut s = format!("removed in {r}, after this kernel");
                if let Some(f) = k.replacement.as_ref().and_then(way_forward) {
                    s.push_str(": ");
                    s.push_str(&f);
                }
                return Some(s);
            }
            (None, None) => "deprecated".to_string(),
        },
    };
    let stated = upstream
        .iter()
        .filter_map(|n| n.removal.as_deref())
        .min_by_key(|r| KernelVersion::parse_lenient(r).map(|v| (v.major, v.minor)));
    match (&k.removed_in, &k.removal_planned, stated) {
        (Some(r), _, _) if k.removal_recorded => s.push_str(&format!(", removed in {r}")),
        (_, Some(p), _) => s.push_str(&format!(", removal planned for {p}")),
        (_, None, Some(r)) => s.push_str(&format!(", removal stated for {r}")),
        _ => {}
    }
    let forward = k.replacement.as_ref().and_then(way_forward).or_else(|| {
        let names: BTreeSet<&str> = upstream
            .iter()
            .flat_map(|n| n.replacements.iter().map(String::as_str))
            .collect();
        (!names.is_empty()).then(|| {
            let calls: Vec<String> = names.iter().map(|n| format!("{n}()")).collect();
            format!("use {}", calls.join(" or "))
        })
    });
    if let Some(f) = forward {
        s.push_str(": ");
        s.push_str(&f);
    }
    Some(s)
}

/// The opt-in warning for an experimental kfunc.
fn experimental(k: &KfuncPage) -> Option<String> {
    (k.stability == "experimental").then(|| {
        format!(
            "{} is experimental: it may change or go away in any release",
            k.name
        )
    })
}

/// The lines the header declares `k` with (its attribute macros, then the
/// declaration), for the kfunc's page; `None` when the header does not
/// declare it.
pub fn page_declaration(k: &KfuncPage) -> Option<String> {
    let decl = k
        .prototype
        .as_deref()
        .filter(|p| c_escape::is_declaration(p))?;
    if k.built == Some(false) {
        return None;
    }
    let mut s = String::new();
    if let Some(m) = deprecation(k) {
        s.push_str(&format!("KFUNCDOC_DEPRECATED({})\n", c_escape::string(&m)));
    }
    if let Some(m) = experimental(k) {
        s.push_str(&format!(
            "KFUNCDOC_EXPERIMENTAL({})\n",
            c_escape::string(&m)
        ));
    }
    s.push_str(&format!("extern {decl} __weak __ksym;"));
    Some(s)
}

/// The header's context for the pages' `ctx`.
pub fn build(ctx: &Context) -> HeaderContext {
    let mut names = c_names::Names::default();
    let mut groups = Vec::new();
    let mut not_declared = Vec::new();
    for g in &ctx.groups {
        let mut kfuncs = Vec::new();
        for k in &g.kfuncs {
            let Some(decl) = k.prototype.as_deref() else {
                not_declared.push(NotDeclared {
                    name: k.name.clone(),
                    reason: "no prototype: neither its definition nor its BTF was read".into(),
                });
                continue;
            };
            if k.built == Some(false) {
                not_declared.push(NotDeclared {
                    name: k.name.clone(),
                    reason: "not in the built kernel read (not in its configuration)".into(),
                });
                continue;
            }
            if !c_escape::is_declaration(decl) {
                not_declared.push(NotDeclared {
                    name: k.name.clone(),
                    reason: "its prototype is not one line of C kfuncdoc can print".into(),
                });
                continue;
            }
            let n = c_names::names(decl);
            let needs: Vec<String> = n
                .typedefs
                .iter()
                .filter(|t| ctypes::with_dependencies(t).is_none())
                .cloned()
                .collect();
            names.structs.extend(n.structs);
            names.unions.extend(n.unions);
            names.enums.extend(n.enums);
            names.typedefs.extend(n.typedefs);
            let prog_types = if k.prog_types_unknown {
                None
            } else if k.all_prog_types {
                Some("all program types".to_string())
            } else {
                let all: Vec<&str> = k
                    .prog_types
                    .iter()
                    .chain(&k.also_callable_from)
                    .map(String::as_str)
                    .collect();
                Some(if all.is_empty() {
                    "none".to_string()
                } else {
                    all.join(", ")
                })
            };
            kfuncs.push(HeaderKfunc {
                name: k.name.clone(),
                declaration: decl.to_string(),
                declaration_from: k.prototype_from.clone().unwrap_or_default(),
                module: k.module.clone(),
                summary: k.doc.as_ref().and_then(|d| d.summary.clone()),
                flags: k
                    .flags
                    .iter()
                    .map(|f| f.meaning.clone().unwrap_or_else(|| f.name.clone()))
                    .collect(),
                prog_types,
                stability: k.stability.clone(),
                since_release: k.since.as_deref().and_then(release_of),
                since: k.since.clone(),
                deprecated: deprecation(k),
                experimental: experimental(k),
                test_only: k.test_only,
                needs_kernel_types: needs,
            });
        }
        if !kfuncs.is_empty() {
            groups.push(HeaderGroup {
                name: g.name.clone(),
                kfuncs,
            });
        }
    }
    let mut typedefs: Vec<&str> = Vec::new();
    for t in &names.typedefs {
        for d in ctypes::with_dependencies(t).unwrap_or_default() {
            if !typedefs.contains(&d) {
                typedefs.push(d);
            }
        }
    }
    // In the table's order: dependencies first.
    let typedefs = ctypes::TYPEDEFS
        .iter()
        .filter(|(n, _)| typedefs.contains(n))
        .map(|(n, d)| Typedef {
            name: n.to_string(),
            base: d
                .strip_prefix("typedef ")
                .and_then(|d| d.strip_suffix(&format!(" {n};")))
                .unwrap_or_default()
                .to_string(),
        })
        .collect();
    let removed = ctx
        .removed
        .iter()
        .filter(|r| c_escape::is_ident(&r.name))
        .map(|r| {
            let mut m = match &r.removed_in {
                Some(v) => format!("removed in {v}"),
                None => "removed".to_string(),
            };
            if let Some(f) = r.replacement.as_ref().and_then(way_forward) {
                m.push_str(": ");
                m.push_str(&f);
            }
            HeaderRemoved {
                name: r.name.clone(),
                message: m,
            }
        })
        .collect();
    HeaderContext {
        kfuncdoc: ctx.kfuncdoc.clone(),
        kernel: ctx.kernel.clone(),
        release: ctx.kernel.release.as_deref().and_then(release_of),
        policy_files: ctx.policy.files.clone(),
        structs: names.structs.into_iter().collect(),
        unions: names.unions.into_iter().collect(),
        enums: names.enums.into_iter().collect(),
        typedefs,
        groups,
        removed,
        not_declared,
    }
}

/// The header for `h`, rendered with `templates`: its first line must say
/// kfuncdoc generated it (the writer replaces only such files).
pub fn file(h: &HeaderContext, templates: &Templates) -> Result<File, TemplateError> {
    let c = super::tera_context(h)?;
    let mut left = super::guard::MAX_SITE;
    Ok(File {
        path: FILE_NAME.into(),
        text: super::marked(templates, TEMPLATE, &c, &mut left)?,
    })
}

#[cfg(test)]
#[path = "header_tests.rs"]
mod tests;
