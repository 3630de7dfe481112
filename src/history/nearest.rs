//! Documenting a kernel read without its source (the running kernel's BTF,
//! a distribution's image) from the source facts a history carries.
//!
//! For each kfunc the built kernel has, the nearest release of the history
//! that was read from source, has the kfunc, and gives it the same
//! prototype as BPF programs see it (return and parameter types with
//! their annotations; names may differ) lends its source facts: sets,
//! flags, program types, kernel-doc, MAINTAINERS section. The nearest
//! release at or before the kernel is preferred (what it says held before
//! the kernel was released), then the nearest after it. The kfunc records
//! the release (`source_from`), and the pages say "from the Linux 7.2
//! source". What the built kernel itself says (its prototype, its flags
//! when `.BTF_ids` was read) stays.

use super::model::{History, Release};
use crate::kernel::KernelVersion;
use crate::model::{Catalog, InputInfo, Kfunc};
use std::collections::BTreeSet;

/// What [`document`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Documented {
    /// Kfuncs given source facts, per release label, in history order.
    pub per_release: Vec<(String, usize)>,
    /// Kfuncs no release of the history has with the same prototype.
    pub unmatched: usize,
}

/// Releases read from source, nearest to `kernel` first: those at or
/// before it (newest first), then those after it (oldest first).
fn order(history: &History, kernel: Option<KernelVersion>) -> Vec<&Release> {
    let mut with_source: Vec<(&Release, Option<KernelVersion>)> = history
        .releases
        .iter()
        .filter(|r| r.catalog.kernel.has_source())
        .map(|r| (r, r.kernel_version()))
        .collect();
    let Some(k) = kernel.map(KernelVersion::release) else {
        // No version: the newest release first.
        with_source.reverse();
        return with_source.into_iter().map(|(r, _)| r).collect();
    };
    let (mut before, after): (Vec<_>, Vec<_>) = with_source
        .into_iter()
        .partition(|(_, v)| v.is_none_or(|v| v <= k));
    before.reverse();
    before.into_iter().chain(after).map(|(r, _)| r).collect()
}

/// Gives every kfunc of `catalog` (read without source) the source facts
/// of the nearest matching release of `history`. A catalog read from
/// source is left alone.
pub fn document(catalog: &mut Catalog, history: &History, history_name: &str) -> Documented {
    let mut done = Documented::default();
    if catalog.kernel.has_source() {
        return done;
    }
    let kernel = catalog
        .kernel
        .version
        .as_deref()
        .and_then(KernelVersion::parse_lenient);
    let releases = order(history, kernel);
    let mut counts: Vec<(String, usize)> = history
        .releases
        .iter()
        .map(|r| (r.label.clone(), 0))
        .collect();
    let mut sets: BTreeSet<(String, String)> = BTreeSet::new();
    for k in &mut catalog.kfuncs {
        let found = releases.iter().find_map(|r| {
            let s = r.catalog.get(&k.name)?;
            same_shape(s, k).then_some((*r, s))
        });
        let Some((r, s)) = found else {
            done.unmatched += 1;
            continue;
        };
        lend(k, s, &r.label);
        for set in &s.sets {
            sets.insert((r.label.clone(), set.clone()));
        }
        if let Some(c) = counts.iter_mut().find(|(l, _)| *l == r.label) {
            c.1 += 1;
        }
    }
    // The sets the lent facts name, from the release they came from.
    for (label, name) in &sets {
        let Some(r) = history.release(label) else {
            continue;
        };
        for set in r.catalog.sets.iter().filter(|s| &s.name == name) {
            if !catalog
                .sets
                .iter()
                .any(|c| c.name == set.name && c.file == set.file)
            {
                catalog.sets.push(set.clone());
            }
        }
    }
    catalog
        .sets
        .sort_by(|a, b| (&a.file, a.line, &a.name).cmp(&(&b.file, b.line, &b.name)));
    done.per_release = counts.into_iter().filter(|(_, n)| *n > 0).collect();
    if !done.per_release.is_empty() {
        catalog.kernel.inputs.push(InputInfo {
            kind: "history".into(),
            path: Some(history_name.into()),
            release: Some(
                done.per_release
                    .iter()
                    .map(|(l, _)| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        });
    }
    done
}

/// Whether a release's kfunc `s` and the built kernel's `k` take and
/// return the same thing as BPF programs see it, read loosely enough that
/// the source's spelling and BTF's meet: `unsigned long` is `long unsigned
/// int`, address-space and type-tag attributes (`__user`, `__arena`) are
/// not types, a function pointer is one whatever its parameter names, and
/// suffix annotations are left to the names.
fn same_shape(s: &Kfunc, k: &Kfunc) -> bool {
    // A release read with its image has the exact prototype to compare.
    if let (Some(a), Some(b)) = (&s.btf, &k.btf)
        && a.prototype == b.prototype
    {
        return true;
    }
    fn shape(k: &Kfunc) -> Option<(String, Vec<String>)> {
        let ret = match &k.definition {
            Some(d) => d.return_type.clone(),
            None => {
                let proto = k
                    .bpf_prototype
                    .as_deref()
                    .or(k.btf.as_ref().map(|b| b.prototype.as_str()))?;
                let at = proto.find(&format!("{}(", k.name))?;
                proto[..at].to_string()
            }
        };
        let params = k
            .params
            .iter()
            .filter(|p| !p.implicit)
            .map(|p| loose_type(&p.ty))
            .collect();
        Some((loose_type(&ret), params))
    }
    matches!((shape(s), shape(k)), (Some(a), Some(b)) if a == b)
}

/// A C type in a canonical loose spelling (see [`same_shape`]).
fn loose_type(ty: &str) -> String {
    // Attributes: `__attribute__((...))` with its nested parentheses.
    let mut t = String::with_capacity(ty.len());
    let mut rest = ty;
    while let Some(at) = rest.find("__attribute__") {
        t.push_str(&rest[..at]);
        let after = &rest[at + "__attribute__".len()..];
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    t.push_str(rest);
    let t = crate::diff::strip_dedup_suffixes(&t);
    if t.contains('(') {
        // A function pointer (or a function): one kind of argument.
        return "function pointer".into();
    }
    let spaced = t.replace('*', " * ");
    let mut words: Vec<&str> = spaced
        .split_whitespace()
        .filter(|w| !w.starts_with("__"))
        .collect();
    const INTEGER: &[&str] = &["unsigned", "signed", "long", "short", "int", "char"];
    let n = words
        .iter()
        .take_while(|w| INTEGER.contains(w) || **w == "const")
        .count();
    if n > 0 && words[..n].iter().any(|w| *w != "const") {
        let head = &words[..n];
        let count = |x: &str| head.iter().filter(|w| **w == x).count();
        let mut canon = Vec::new();
        if count("const") > 0 {
            canon.push("const");
        }
        if count("unsigned") > 0 {
            canon.push("unsigned");
        }
        match (count("char"), count("short"), count("long")) {
            (1.., _, _) => canon.push("char"),
            (_, 1.., _) => canon.push("short"),
            (_, _, 1) => canon.push("long"),
            (_, _, 2..) => canon.push("long long"),
            _ => canon.push("int"),
        }
        let tail = words.split_off(n);
        words = canon;
        words.extend(tail);
    }
    words.join(" ")
}

/// Copies the source facts of `s` (a release's kfunc) into `k` (the built
/// kernel's), keeping what the built kernel says.
fn lend(k: &mut Kfunc, s: &Kfunc, label: &str) {
    let btf = k.btf.take();
    // Flags `.BTF_ids` gave are this kernel's own: they beat the release's.
    let (flags, flags_value) = match btf
        .as_ref()
        .and_then(|b| Some((b.flags.clone()?, b.flags_value?)))
    {
        Some(own) => own,
        None => (s.flags.clone(), s.flags_value),
    };
    *k = Kfunc {
        flags,
        flags_value,
        built: k.built,
        bpf_prototype: k.bpf_prototype.take().or_else(|| s.bpf_prototype.clone()),
        btf,
        source_from: Some(label.to_string()),
        ..s.clone()
    };
}

#[cfg(test)]
mod tests {
    use super::loose_type;

    #[test]
    fn source_and_btf_spellings_meet() {
        for (a, b) in [
            ("unsigned long", "long unsigned int"),
            ("long", "long int"),
            ("u32", "u32___2"),
            ("unsigned long long *", "long long unsigned int *"),
            ("const void __user *", "const void *"),
            (
                "void *",
                "void __attribute__((btf_type_tag(\"address_space(1)\"))) *",
            ),
            (
                "bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b)",
                "bool (*)(struct bpf_rb_node *, const struct bpf_rb_node *)",
            ),
        ] {
            assert_eq!(loose_type(a), loose_type(b), "{a} / {b}");
        }
        for (a, b) in [
            ("u32", "u64"),
            ("int", "unsigned int"),
            ("long", "long long"),
            ("struct a *", "struct b *"),
        ] {
            assert_ne!(loose_type(a), loose_type(b), "{a} / {b}");
        }
    }
}
