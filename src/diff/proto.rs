//! The prototype a BPF program sees, compared parameter by parameter.

use super::Effect;
use crate::diag::Code;
use crate::model::{Kfunc, Param};

/// One parameter as a program passes it: the name without its verifier
/// suffix, the type with spacing normalised, and the suffix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Arg {
    base: String,
    name: String,
    ty: String,
    annotation: Option<String>,
}

/// A type with spacing normalised and without the `___N` suffixes that a
/// C dump of split BTF gives a module's copy of a type whose name vmlinux
/// has too (`u32___2` is `u32`): the same type to a program.
fn norm(ty: &str) -> String {
    let spaced = strip_dedup_suffixes(ty).replace('*', " * ");
    let mut s = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    while s.contains("* *") {
        s = s.replace("* *", "**");
    }
    s
}

/// `ty` without the `___N` suffixes split BTF gives a module's copy of a
/// type vmlinux has too (`u32___2` is `u32`).
pub(crate) fn strip_dedup_suffixes(ty: &str) -> String {
    let mut out = String::with_capacity(ty.len());
    let b = ty.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"___") {
            let digits = b[i + 3..].iter().take_while(|c| c.is_ascii_digit()).count();
            let ends = b
                .get(i + 3 + digits)
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'));
            let after_ident = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
            if digits > 0 && ends && after_ident {
                i += 3 + digits;
                continue;
            }
        }
        // Byte-wise copy of a UTF-8 string: push whole characters.
        let c = ty[i..].chars().next().unwrap_or_default();
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn arg(p: &Param) -> Arg {
    let base = match &p.annotation {
        Some(a) => p.name.strip_suffix(a.as_str()).unwrap_or(&p.name),
        None => &p.name,
    };
    Arg {
        base: base.to_string(),
        name: p.name.clone(),
        ty: norm(&p.ty),
        annotation: p.annotation.clone(),
    }
}

/// The parameters a BPF program passes: the verifier supplies the
/// implicit ones.
fn args(k: &Kfunc) -> Vec<Arg> {
    k.params.iter().filter(|p| !p.implicit).map(arg).collect()
}

/// The return type: the definition's, else read off the BTF prototype
/// (everything before the name).
fn return_type(k: &Kfunc) -> Option<String> {
    if let Some(d) = &k.definition {
        return Some(norm(&d.return_type));
    }
    let proto = k
        .bpf_prototype
        .as_deref()
        .or(k.btf.as_ref().map(|b| b.prototype.as_str()))?;
    let at = proto.find(&format!("{}(", k.name))?;
    Some(norm(&proto[..at]))
}

/// Whether both sides know the prototype: a definition or BTF.
fn known(k: &Kfunc) -> bool {
    k.definition.is_some() || k.btf.is_some()
}

/// A prototype without names: the return type and the parameter types with
/// their annotations.
pub(super) type Signature = (String, Vec<(String, Option<String>)>);

/// The prototype without names, for matching renamed kfuncs.
pub(super) fn signature(k: &Kfunc) -> Option<Signature> {
    if !known(k) {
        return None;
    }
    Some((
        return_type(k)?,
        args(k).into_iter().map(|a| (a.ty, a.annotation)).collect(),
    ))
}

/// Whether a program passes it a pointer to a kernel object (a BTF struct
/// or union whose name starts with none of `exempt`): the arguments
/// trusted-argument rules are about.
pub(super) fn takes_kernel_object(k: &Kfunc, exempt: &[&str]) -> bool {
    args(k).iter().any(|a| {
        let ty = a.ty.strip_prefix("const ").unwrap_or(&a.ty);
        let Some(name) = ty
            .strip_prefix("struct ")
            .or_else(|| ty.strip_prefix("union "))
        else {
            return false;
        };
        ty.contains('*') && !exempt.iter().any(|e| name.starts_with(e))
    })
}

/// Suffixes whose gain accepts more programs: the argument may be NULL or
/// is ignored.
const RELAXING_WHEN_GAINED: &[&str] = &["__nullable", "__opt", "__ign"];

fn annotation_effect(old: Option<&str>, new: Option<&str>) -> Effect {
    let relaxing = |a: Option<&str>| a.is_some_and(|a| RELAXING_WHEN_GAINED.contains(&a));
    match (old, new) {
        (None, Some(n)) if relaxing(Some(n)) => Effect::Relaxing,
        (Some(o), None) if !relaxing(Some(o)) => Effect::Relaxing,
        _ => Effect::Breaking,
    }
}

/// Every difference between the BPF-visible prototypes of `k` (older) and
/// `n` (newer), as (code, effect, message).
pub(super) fn compare(k: &Kfunc, n: &Kfunc) -> Vec<(Code, Effect, String)> {
    let mut out = Vec::new();
    if !known(k) || !known(n) {
        return out;
    }
    let name = &n.name;
    if let (Some(r1), Some(r2)) = (return_type(k), return_type(n))
        && r1 != r2
    {
        out.push((
            Code::ReturnTypeChanged,
            Effect::Breaking,
            format!("`{name}` returns `{r2}` (was `{r1}`)"),
        ));
    }
    let (old, new) = (args(k), args(n));
    if old == new {
        return out;
    }
    // The same parameters in another order.
    if old.len() == new.len() && old.len() > 1 {
        let (mut s1, mut s2) = (old.clone(), new.clone());
        s1.sort();
        s2.sort();
        if s1 == s2 {
            out.push((
                Code::ParamsReordered,
                Effect::Breaking,
                format!("`{name}` takes ({}) (was ({}))", list(&new), list(&old)),
            ));
            return out;
        }
    }
    // Same count: position by position. Otherwise pair by name where the
    // names carry over (an argument inserted in the middle), else by position.
    let by_name = old
        .iter()
        .filter(|o| new.iter().any(|n| n.base == o.base))
        .count();
    let pairs: Vec<(Option<usize>, Option<usize>)> =
        if old.len() != new.len() && by_name * 2 >= old.len().max(new.len()) {
            let mut p: Vec<(Option<usize>, Option<usize>)> = Vec::new();
            for (i, o) in old.iter().enumerate() {
                p.push((Some(i), new.iter().position(|n| n.base == o.base)));
            }
            for (j, nw) in new.iter().enumerate() {
                if !old.iter().any(|o| o.base == nw.base) {
                    p.push((None, Some(j)));
                }
            }
            p
        } else {
            (0..old.len().max(new.len()))
                .map(|i| ((i < old.len()).then_some(i), (i < new.len()).then_some(i)))
                .collect()
        };
    for (i, j) in pairs {
        match (i.map(|i| &old[i]), j.map(|j| &new[j])) {
            (Some(o), None) => out.push((
                Code::ParamRemoved,
                Effect::Breaking,
                format!("`{name}` no longer takes `{} {}`", o.ty, o.name),
            )),
            (None, Some(nw)) => out.push((
                Code::ParamAdded,
                Effect::Breaking,
                format!(
                    "`{name}` takes `{} {}` as argument {} too",
                    nw.ty,
                    nw.name,
                    j.unwrap_or(0) + 1
                ),
            )),
            (Some(o), Some(nw)) => {
                if o.ty != nw.ty {
                    out.push((
                        Code::ParamTypeChanged,
                        Effect::Breaking,
                        format!(
                            "`{name}`: argument `{}` is `{}` (was `{}`)",
                            nw.name, nw.ty, o.ty
                        ),
                    ));
                }
                if o.annotation != nw.annotation {
                    let what = match (&o.annotation, &nw.annotation) {
                        (None, Some(a)) => format!("gained `{a}`"),
                        (Some(a), None) => format!("lost `{a}`"),
                        (Some(a), Some(b)) => format!("is `{b}` (was `{a}`)"),
                        (None, None) => unreachable!("annotations differ"),
                    };
                    out.push((
                        Code::ParamAnnotationChanged,
                        annotation_effect(o.annotation.as_deref(), nw.annotation.as_deref()),
                        format!("`{name}`: argument `{}` {what}", o.name),
                    ));
                }
                if o.base != nw.base && o.ty == nw.ty {
                    out.push((
                        Code::ParamRenamed,
                        Effect::Neutral,
                        format!(
                            "`{name}`: argument `{}` is now called `{}`",
                            o.name, nw.name
                        ),
                    ));
                }
            }
            (None, None) => {}
        }
    }
    out
}

fn list(args: &[Arg]) -> String {
    args.iter()
        .map(|a| format!("{} {}", a.ty, a.name))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod norm_tests {
    use super::norm;

    #[test]
    fn dedup_suffixes_of_split_btf_are_not_changes() {
        assert_eq!(norm("u32___2"), "u32");
        assert_eq!(norm("const struct sock___12 *"), "const struct sock *");
        assert_eq!(norm("struct a___b *"), "struct a___b *");
        assert_eq!(norm("struct x___2y"), "struct x___2y");
        assert_eq!(norm("___2"), "___2");
    }
}
