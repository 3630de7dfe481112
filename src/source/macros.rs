//! Just enough of the C preprocessor to read sets built from X-macros.
//!
//! 6.12's `net/core/xdp.c` fills `xdp_metadata_kfunc_ids` with
//!
//! ```c
//! #define XDP_METADATA_KFUNC(_, __, name, ___) BTF_ID_FLAGS(func, name, KF_TRUSTED_ARGS)
//! XDP_METADATA_KFUNC_xxx
//! #undef XDP_METADATA_KFUNC
//! ```
//!
//! where `XDP_METADATA_KFUNC_xxx` lives in `include/net/xdp.h`. The scanner
//! records such uses with the macros defined at that point of the file; once
//! the headers defining the rest are parsed, [`expand`] turns the use into
//! `BTF_ID_FLAGS(func, ...)` entries. Object-like and function-like macros,
//! argument pre-expansion, `##` pasting and a hide set against recursion are
//! supported; stringizing is not needed by any set and is left as is.

use super::cdecl::call_args;
use std::collections::BTreeMap;

/// A `#define`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroDef {
    /// Parameter names for a function-like macro (`__VA_ARGS__` for `...`).
    pub params: Option<Vec<String>>,
    /// Replacement tokens.
    pub body: Vec<String>,
}

/// Upper bound on the tokens one expansion may produce.
const BUDGET: usize = 200_000;
/// Upper bound on nested expansions.
const MAX_DEPTH: usize = 64;

fn is_ident(t: &str) -> bool {
    t.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
}

/// Parses the text after `#define` (comments and continuations removed):
/// `NAME body` or `NAME(params) body`.
pub fn parse_define(
    rest: &str,
    tokens: &dyn Fn(&str) -> Vec<String>,
) -> Option<(String, MacroDef)> {
    let rest = rest.trim_start();
    let n = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if n == 0 {
        return None;
    }
    let (name, after) = rest.split_at(n);
    if let Some(params) = after.strip_prefix('(') {
        let close = params.find(')')?;
        let list: Vec<String> = params[..close]
            .split(',')
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| {
                if p == "..." {
                    "__VA_ARGS__".to_string()
                } else {
                    p.to_string()
                }
            })
            .collect();
        Some((
            name.to_string(),
            MacroDef {
                params: Some(list),
                body: tokens(&params[close + 1..]),
            },
        ))
    } else {
        Some((
            name.to_string(),
            MacroDef {
                params: None,
                body: tokens(after),
            },
        ))
    }
}

/// Why an expansion stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpandError {
    /// Produced more than the token budget or nested too deep.
    TooLarge,
    /// A function-like macro's arguments never close.
    Unclosed(String),
}

/// Expands `tokens` with the macros `lookup` knows.
pub fn expand(
    tokens: &[String],
    lookup: &dyn Fn(&str) -> Option<MacroDef>,
) -> Result<Vec<String>, ExpandError> {
    let mut hide = Vec::new();
    expand_inner(tokens, lookup, &mut hide, 0)
}

fn expand_inner(
    tokens: &[String],
    lookup: &dyn Fn(&str) -> Option<MacroDef>,
    hide: &mut Vec<String>,
    depth: usize,
) -> Result<Vec<String>, ExpandError> {
    if depth > MAX_DEPTH {
        return Err(ExpandError::TooLarge);
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        // BTF_* and KF_* names stay as written: BTF_ID_FLAGS() is what the
        // expansion is looking for (btf_ids.h would turn it into assembler),
        // and flags are decoded later with the kernel's own table.
        let opaque = t.starts_with("BTF_") || t.starts_with("KF_");
        let def = if is_ident(t) && !opaque && !hide.contains(t) {
            lookup(t)
        } else {
            None
        };
        let Some(def) = def else {
            out.push(t.clone());
            i += 1;
            continue;
        };
        let (replacement, next) = match &def.params {
            None => (def.body.clone(), i + 1),
            Some(params) => {
                if tokens.get(i + 1).map(String::as_str) != Some("(") {
                    out.push(t.clone());
                    i += 1;
                    continue;
                }
                let (args, next) =
                    call_args(tokens, i + 1).ok_or_else(|| ExpandError::Unclosed(t.clone()))?;
                let mut expanded_args = Vec::with_capacity(args.len());
                for a in &args {
                    expanded_args.push(expand_inner(a, lookup, hide, depth + 1)?);
                }
                (substitute(&def.body, params, &args, &expanded_args), next)
            }
        };
        hide.push(t.clone());
        let r = expand_inner(&replacement, lookup, hide, depth + 1);
        hide.pop();
        out.extend(r?);
        if out.len() > BUDGET {
            return Err(ExpandError::TooLarge);
        }
        i = next;
    }
    Ok(out)
}

/// Replaces parameters in `body`: operands of `##` by the raw argument and
/// pasted, everything else by the expanded argument.
fn substitute(
    body: &[String],
    params: &[String],
    raw: &[Vec<String>],
    expanded: &[Vec<String>],
) -> Vec<String> {
    let arg = |name: &str, pre: bool| -> Option<Vec<String>> {
        let k = params.iter().position(|p| p == name)?;
        let src = if pre { expanded } else { raw };
        if name == "__VA_ARGS__" {
            let mut v = Vec::new();
            for (n, a) in src.iter().enumerate().skip(k) {
                if n > k {
                    v.push(",".to_string());
                }
                v.extend(a.iter().cloned());
            }
            return Some(v);
        }
        Some(src.get(k).cloned().unwrap_or_default())
    };
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let t = &body[i];
        if t == "#" && body.get(i + 1).map(String::as_str) == Some("#") {
            // `a ## b`: paste the last token out with the next operand.
            let rhs = body.get(i + 2).cloned().unwrap_or_default();
            let rhs = arg(&rhs, false).unwrap_or_else(|| vec![rhs]);
            let mut rhs = rhs.into_iter();
            if let (Some(last), Some(first)) = (out.last_mut(), rhs.next()) {
                last.push_str(&first);
            }
            out.extend(rhs);
            i += 3;
            continue;
        }
        let pasted_next = body.get(i + 1).map(String::as_str) == Some("#")
            && body.get(i + 2).map(String::as_str) == Some("#");
        match arg(t, !pasted_next) {
            Some(v) => out.extend(v),
            None => out.push(t.clone()),
        }
        i += 1;
    }
    out
}

/// `BTF_ID_FLAGS(func, NAME[, flags...])` occurrences in expanded tokens:
/// (name, flags text).
pub fn entries(tokens: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == "BTF_ID_FLAGS"
            && tokens.get(i + 1).map(String::as_str) == Some("(")
            && let Some((args, next)) = call_args(tokens, i + 1)
        {
            if args.first().is_some_and(|a| a == &["func"]) && args.len() >= 2 {
                let flags: Vec<String> = args[2..]
                    .iter()
                    .map(|a| super::cdecl::join(a.iter().map(String::as_str)))
                    .collect();
                out.push((
                    super::cdecl::join(args[1].iter().map(String::as_str)),
                    flags.join(", "),
                ));
            }
            i = next;
            continue;
        }
        i += 1;
    }
    out
}

/// Macro definitions by name, for lookups that prefer one source over
/// another.
pub type Defines = BTreeMap<String, MacroDef>;

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        crate::source::lex::Lexer::new(s)
            .filter(|t| !t.is_comment())
            .map(|t| t.text(s).to_string())
            .collect()
    }

    fn defs(src: &[&str]) -> Defines {
        src.iter()
            .filter_map(|d| parse_define(d, &|s| toks(s)))
            .collect()
    }

    #[test]
    fn x_macro_expands_to_entries() {
        let d = defs(&[
            "XDP_METADATA_KFUNC(_, __, name, ___) BTF_ID_FLAGS(func, name, KF_TRUSTED_ARGS)",
            "XDP_METADATA_KFUNC_xxx XDP_METADATA_KFUNC(XDP_METADATA_KFUNC_RX_TIMESTAMP, \
             NETDEV_XDP_RX_METADATA_TIMESTAMP, bpf_xdp_metadata_rx_timestamp, xmo_rx_timestamp) \
             XDP_METADATA_KFUNC(XDP_METADATA_KFUNC_RX_HASH, NETDEV_XDP_RX_METADATA_HASH, \
             bpf_xdp_metadata_rx_hash, xmo_rx_hash)",
        ]);
        let out = expand(&toks("XDP_METADATA_KFUNC_xxx"), &|n| d.get(n).cloned()).unwrap();
        assert_eq!(
            entries(&out),
            [
                (
                    "bpf_xdp_metadata_rx_timestamp".to_string(),
                    "KF_TRUSTED_ARGS".to_string()
                ),
                (
                    "bpf_xdp_metadata_rx_hash".to_string(),
                    "KF_TRUSTED_ARGS".to_string()
                )
            ]
        );
    }

    #[test]
    fn btf_and_kf_names_are_not_expanded() {
        let d = defs(&[
            "BTF_ID_FLAGS(prefix, name, ...) BTF_ID(prefix, name) __BTF_ID_FLAGS(x)",
            "KF_TRUSTED_ARGS (1 << 4)",
            "M(n) BTF_ID_FLAGS(func, n, KF_TRUSTED_ARGS)",
        ]);
        let out = expand(&toks("M(bpf_x)"), &|n| d.get(n).cloned()).unwrap();
        assert_eq!(
            entries(&out),
            [("bpf_x".to_string(), "KF_TRUSTED_ARGS".to_string())]
        );
    }

    #[test]
    fn pasting_variadics_and_recursion() {
        let d = defs(&[
            "KF(x, ...) BTF_ID_FLAGS(func, bpf_ ## x, __VA_ARGS__)",
            "SELF SELF",
            "FLAGS KF_ACQUIRE | KF_RET_NULL",
        ]);
        let out = expand(&toks("KF(foo, FLAGS) SELF"), &|n| d.get(n).cloned()).unwrap();
        assert_eq!(
            entries(&out),
            [(
                "bpf_foo".to_string(),
                "KF_ACQUIRE | KF_RET_NULL".to_string()
            )]
        );
        assert_eq!(out.last().unwrap(), "SELF");
        let d = defs(&["A(x) A(x) A(x)"]);
        assert!(expand(&toks("A(1)"), &|n| d.get(n).cloned()).is_ok());
        let d = defs(&["A(x) B(x x)", "B(x) A(x x)"]);
        assert!(
            expand(&toks("A(1)"), &|n| d.get(n).cloned()).is_ok(),
            "hide set stops A-B-A"
        );
        assert_eq!(
            expand(&toks("F(1, 2"), &|n| defs(&["F(a, b) a"]).get(n).cloned()),
            Err(ExpandError::Unclosed("F".into()))
        );
    }

    #[test]
    fn exponential_growth_is_bounded() {
        let d = defs(&[
            "A0 x x", "A1 A0 A0", "A2 A1 A1", "A3 A2 A2", "A4 A3 A3", "A5 A4 A4", "A6 A5 A5",
            "A7 A6 A6", "A8 A7 A7", "A9 A8 A8", "B0 A9 A9", "B1 B0 B0", "B2 B1 B1", "B3 B2 B2",
            "B4 B3 B3", "B5 B4 B4", "B6 B5 B5", "B7 B6 B6", "B8 B7 B7",
        ]);
        assert_eq!(
            expand(&toks("B8"), &|n| d.get(n).cloned()),
            Err(ExpandError::TooLarge)
        );
    }
}
