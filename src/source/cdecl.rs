//! C declarations: function headers, parameters, and their text.
//!
//! The scanner hands over the tokens of a top-level construct that ends in
//! `{`; this module decides whether it is a function definition and takes it
//! apart into return type, name and parameters. Text is rebuilt from tokens
//! with normalised spacing (`struct task_struct *p`), attributes and storage
//! classes removed from the prototype but recorded separately.

use super::lex::{Kind, Token};

/// Words that qualify a function but are not part of its type.
const FN_ATTRIBUTES: &[&str] = &[
    "static",
    "extern",
    "inline",
    "__inline",
    "__inline__",
    "__always_inline",
    "noinline",
    "__noinline",
    "__bpf_kfunc",
    "__used",
    "__weak",
    "notrace",
    "__noclone",
    "__retain",
    "__visible",
    "__init",
    "__exit",
    "__cold",
    "__hot",
    "__must_check",
    "__noreturn",
    "__maybe_unused",
    "__always_unused",
    "__flatten",
    "__sched",
    "__kprobes",
    "nokprobe_inline",
    "__nocfi",
    "__no_stack_protector",
    "__noinstr",
    "noinstr",
    "__init_or_module",
    "__ref",
    "__latent_entropy",
    "__naked",
    "asmlinkage",
];

/// Attribute macros that take arguments: `__attribute__((x))`, `__printf(1, 2)`.
const ATTRIBUTE_CALLS: &[&str] = &[
    "__attribute__",
    "__attribute",
    "__printf",
    "__scanf",
    "__section",
    "__aligned",
    "__acquires",
    "__releases",
    "__must_hold",
    "__cond_acquires",
    "__cond_releases",
    "__diag_ignore",
    "__no_sanitize_address",
    "__alloc_size",
    "__malloc",
    "__nonstring",
    "__counted_by",
    "__free",
    "__cleanup",
    "__assume_aligned",
    "__designated_init",
];

/// Words in a parameter declaration that are not part of its type or name.
const PARAM_ATTRIBUTES: &[&str] = &[
    "__maybe_unused",
    "__always_unused",
    "__unused",
    "__attribute_const__",
];

/// A function definition's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The function's name.
    pub name: String,
    /// Index of the name token in the header tokens.
    pub name_index: usize,
    /// Return type, normalised (`struct task_struct *`).
    pub return_type: String,
    /// Parameters in order (none for `(void)`).
    pub params: Vec<RawParam>,
    /// `static` among the specifiers.
    pub is_static: bool,
    /// `__weak` among the specifiers.
    pub is_weak: bool,
    /// `__bpf_kfunc` among the specifiers.
    pub has_marker: bool,
}

impl Header {
    /// `ret name(params)` with normalised spacing.
    pub fn prototype(&self) -> String {
        let params = if self.params.is_empty() {
            "void".to_string()
        } else {
            self.params
                .iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!("{}{}({})", with_gap(&self.return_type), self.name, params)
    }
}

/// One parameter as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawParam {
    /// The name (`""` when unnamed, `...` for varargs).
    pub name: String,
    /// The type without the name (`const char *`, `void (*)(void *)`).
    pub ty: String,
    /// The whole declaration (`const char *name__str`).
    pub text: String,
}

/// `ty` followed by what comes after it: a space unless it ends in `*`.
pub fn with_gap(ty: &str) -> String {
    if ty.is_empty() || ty.ends_with('*') {
        ty.to_string()
    } else {
        format!("{ty} ")
    }
}

fn is_word(t: &str) -> bool {
    t.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80)
}

/// Joins token texts with C-ish spacing: a space between words, before a
/// `*` or `(` that follows a word, after commas; none inside brackets.
pub fn join<'a>(toks: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut prev: Option<&str> = None;
    for t in toks {
        if let Some(p) = prev {
            let space = match (p, t) {
                (_, "," | ")" | "]" | "[" | ";") => false,
                ("(" | "[" | "." | "->" | "&" | "!" | "~", _) => false,
                (",", _) => true,
                ("*", _) => !(is_word(t) || t == "*" || t == ")"),
                (_, "*") => is_word(p) || p == ")" || p == "]",
                (_, "(") => is_word(p) && !is_word_call(p),
                (_, ".") | (_, "->") => false,
                _ => is_word(p) || is_word(t) || p == ")" || p == "]",
            };
            if space {
                out.push(' ');
            }
        }
        out.push_str(t);
        prev = Some(t);
    }
    out
}

/// Identifiers that are followed directly by `(` in written C: everything but
/// type keywords (`int (*cb)(...)` keeps its space).
fn is_word_call(p: &str) -> bool {
    !matches!(
        p,
        "void"
            | "int"
            | "char"
            | "long"
            | "short"
            | "unsigned"
            | "signed"
            | "bool"
            | "float"
            | "double"
            | "const"
            | "volatile"
            | "struct"
            | "union"
            | "enum"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "s8"
            | "s16"
            | "s32"
            | "s64"
            | "__u8"
            | "__u16"
            | "__u32"
            | "__u64"
            | "__s32"
            | "__s64"
            | "size_t"
            | "ssize_t"
    )
}

/// Index of the `(` matching the `)` at `close` (searching backwards).
fn open_of(toks: &[&str], close: usize) -> Option<usize> {
    let mut depth = 0usize;
    for i in (0..=close).rev() {
        match toks[i] {
            ")" => depth += 1,
            "(" => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits `toks` at commas of paren/bracket/brace depth 0.
pub fn split_commas<'a, 'b>(toks: &'b [&'a str]) -> Vec<&'b [&'a str]> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        match *t {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth -= 1,
            "," if depth == 0 => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < toks.len() || !out.is_empty() {
        out.push(&toks[start..]);
    }
    out
}

/// The arguments of a call or macro invocation whose `(` is at `open`,
/// split at commas outside nested parentheses (the preprocessor's rule),
/// and the index after the closing `)`. `None` when it never closes.
pub fn call_args<T: AsRef<str> + Clone>(tokens: &[T], open: usize) -> Option<(Vec<Vec<T>>, usize)> {
    let mut args: Vec<Vec<T>> = vec![Vec::new()];
    let mut depth = 0;
    for (j, t) in tokens.iter().enumerate().skip(open) {
        match t.as_ref() {
            "(" => {
                depth += 1;
                if depth > 1 {
                    args.last_mut()?.push(t.clone());
                }
            }
            ")" => {
                depth -= 1;
                if depth == 0 {
                    if args.len() == 1 && args[0].is_empty() {
                        args.clear();
                    }
                    return Some((args, j + 1));
                }
                args.last_mut()?.push(t.clone());
            }
            "," if depth == 1 => args.push(Vec::new()),
            _ => args.last_mut()?.push(t.clone()),
        }
    }
    None
}

/// Interprets the significant tokens of a top-level construct that is
/// followed by `{` as a function definition header, or returns `None` when
/// it is not one (a struct, an initializer, a macro block).
pub fn parse_header(src: &str, toks: &[Token]) -> Option<Header> {
    let text: Vec<&str> = toks.iter().map(|t| t.text(src)).collect();
    if text.contains(&"=") {
        return None;
    }
    // Drop trailing attribute groups and words: `) __acquires(x) {`.
    let mut end = text.len();
    loop {
        if end == 0 {
            return None;
        }
        let last = text[end - 1];
        if last == ")" {
            let open = open_of(&text[..end], end - 1)?;
            if open > 0 && ATTRIBUTE_CALLS.contains(&text[open - 1]) {
                end = open - 1;
                continue;
            }
            break;
        } else if FN_ATTRIBUTES.contains(&last) || PARAM_ATTRIBUTES.contains(&last) {
            end -= 1;
        } else {
            return None;
        }
    }
    let close = end - 1;
    let open = open_of(&text[..end], close)?;
    if open == 0 {
        return None;
    }
    let name_index = open - 1;
    if toks[name_index].kind != Kind::Ident {
        return None;
    }
    let name = text[name_index];
    if matches!(
        name,
        "if" | "while" | "for" | "switch" | "return" | "sizeof"
    ) {
        return None;
    }
    // Specifiers: walk back from the name over words, `*` and attribute
    // groups; stop at anything else (a macro invocation without `;` before
    // the function, for instance).
    let mut spec_start = name_index;
    while spec_start > 0 {
        let t = text[spec_start - 1];
        if t == "*" || (toks[spec_start - 1].kind == Kind::Ident) {
            spec_start -= 1;
        } else if t == ")" {
            let o = open_of(&text[..spec_start], spec_start - 1)?;
            if o > 0 && ATTRIBUTE_CALLS.contains(&text[o - 1]) {
                spec_start = o - 1;
            } else {
                break;
            }
        } else {
            break;
        }
    }
    let spec = &text[spec_start..name_index];
    // The specifiers must hold a return type: at least one word that is not
    // an attribute (rules out `foo(x) {` macro blocks and K&R oddities).
    let mut ret: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < spec.len() {
        let t = spec[i];
        if ATTRIBUTE_CALLS.contains(&t) && spec.get(i + 1) == Some(&"(") {
            let mut depth = 0;
            let mut j = i + 1;
            while j < spec.len() {
                match spec[j] {
                    "(" => depth += 1,
                    ")" => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            i = j + 1;
            continue;
        }
        if !FN_ATTRIBUTES.contains(&t) {
            ret.push(t);
        }
        i += 1;
    }
    if !ret.iter().any(|t| is_word(t)) {
        return None;
    }
    let params = parse_params(&text[open + 1..close]);
    Some(Header {
        name: name.to_string(),
        name_index,
        return_type: join(ret.iter().copied()),
        params,
        is_static: spec.contains(&"static"),
        is_weak: spec.contains(&"__weak"),
        has_marker: spec.contains(&"__bpf_kfunc"),
    })
}

/// Parameters from the tokens between the parentheses.
pub fn parse_params(toks: &[&str]) -> Vec<RawParam> {
    if toks.is_empty() || toks == ["void"] {
        return Vec::new();
    }
    split_commas(toks).into_iter().map(parse_param).collect()
}

fn parse_param(toks: &[&str]) -> RawParam {
    let toks: Vec<&str> = toks
        .iter()
        .copied()
        .filter(|t| !PARAM_ATTRIBUTES.contains(t))
        .collect();
    let text = join(toks.iter().copied());
    if toks == ["..."] || toks == [".", ".", "."] {
        return RawParam {
            name: "...".into(),
            ty: "...".into(),
            text: "...".into(),
        };
    }
    // Function pointer `ret (*name)(args)` or function type `ret (name)(args)`.
    let fn_name = toks.windows(4).position(|w| {
        w[0] == "("
            && ((w[1] == "*" && is_word(w[2]) && w[3] == ")")
                || (is_word(w[1]) && w[2] == ")" && w[3] == "("))
    });
    if let Some(p) = fn_name {
        let at = if toks[p + 1] == "*" { p + 2 } else { p + 1 };
        let ty: Vec<&str> = toks
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != at)
            .map(|(_, t)| *t)
            .collect();
        return RawParam {
            name: toks[at].to_string(),
            ty: join(ty),
            text,
        };
    }
    // Array: `type name[N]`.
    let (core, suffix) = match toks.iter().position(|t| *t == "[") {
        Some(b) => (&toks[..b], &toks[b..]),
        None => (&toks[..], &[][..]),
    };
    match core.last() {
        Some(last) if core.len() > 1 && is_word(last) && !is_type_word(last, core) => {
            let mut ty: Vec<&str> = core[..core.len() - 1].to_vec();
            ty.extend_from_slice(suffix);
            RawParam {
                name: last.to_string(),
                ty: join(ty),
                text,
            }
        }
        _ => RawParam {
            name: String::new(),
            ty: text.clone(),
            text,
        },
    }
}

/// Whether `last`, the final word of a parameter, is part of its type
/// (an unnamed `unsigned int`, `struct foo`).
fn is_type_word(last: &str, core: &[&str]) -> bool {
    let prev = core[core.len() - 2];
    matches!(prev, "struct" | "union" | "enum")
        || (matches!(last, "int" | "long" | "char" | "short")
            && matches!(prev, "unsigned" | "signed" | "long" | "short"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::lex::Lexer;

    fn header(src: &str) -> Option<Header> {
        let toks: Vec<Token> = Lexer::new(src).filter(|t| !t.is_comment()).collect();
        parse_header(src, &toks)
    }

    #[test]
    fn kfunc_headers() {
        let h = header("__bpf_kfunc struct task_struct *bpf_task_acquire(struct task_struct *p)")
            .unwrap();
        assert_eq!(h.name, "bpf_task_acquire");
        assert!(h.has_marker);
        assert_eq!(
            h.prototype(),
            "struct task_struct *bpf_task_acquire(struct task_struct *p)"
        );
        assert_eq!(h.params[0].ty, "struct task_struct *");

        let h = header("__bpf_kfunc static void cubictcp_init(struct sock *sk)").unwrap();
        assert!(h.is_static);
        assert_eq!(h.prototype(), "void cubictcp_init(struct sock *sk)");

        let h = header(
            "__bpf_kfunc int bpf_get_file_xattr(struct file *file, const char *name__str,\n\
             \t\t\t\t   struct bpf_dynptr *value_p)",
        )
        .unwrap();
        assert_eq!(h.params.len(), 3);
        assert_eq!(h.params[1].name, "name__str");
        assert_eq!(h.params[1].ty, "const char *");
    }

    #[test]
    fn return_type_on_previous_line_and_attributes() {
        let h = header(
            "__bpf_kfunc struct nf_conn___init *\nbpf_xdp_ct_alloc(struct xdp_md *xdp_ctx, \
             struct bpf_sock_tuple *bpf_tuple, u32 tuple__sz)",
        )
        .unwrap();
        assert_eq!(h.return_type, "struct nf_conn___init *");
        assert_eq!(h.params[2].name, "tuple__sz");
        let h = header("static __always_inline int __printf(2, 3) foo(int a, ...) __acquires(x)")
            .unwrap();
        assert_eq!(h.prototype(), "int foo(int a, ...)");
        assert_eq!(h.params[1].name, "...");
    }

    #[test]
    fn function_pointer_and_array_params() {
        let h = header("int bpf_wq_set_callback_impl(struct bpf_wq *wq, int (callback_fn)(void *map, int *key, void *value), unsigned int flags, void *aux__ign)").unwrap();
        assert_eq!(h.params.len(), 4);
        assert_eq!(h.params[1].name, "callback_fn");
        assert_eq!(h.params[1].ty, "int ()(void *map, int *key, void *value)");
        assert_eq!(h.params[2].name, "flags");
        assert_eq!(h.params[2].ty, "unsigned int");
        let h = header("void f(void (*cb)(void *data), u8 buf[16], unsigned long)").unwrap();
        assert_eq!(h.params[0].name, "cb");
        assert_eq!(h.params[0].ty, "void (*)(void *data)");
        assert_eq!(h.params[1].name, "buf");
        assert_eq!(h.params[1].ty, "u8[16]");
        assert_eq!(h.params[2].name, "");
    }

    #[test]
    fn not_functions() {
        assert!(header("static const struct btf_kfunc_id_set x =").is_none());
        assert!(header("struct foo").is_none());
        assert!(header("BPF_CALL_2(x)").is_none());
        assert!(header("if (x)").is_none());
    }

    #[test]
    fn stray_macro_before_definition() {
        let h = header("BTF_ID(func, x) __bpf_kfunc int foo(void)").unwrap();
        assert_eq!(h.name, "foo");
        assert_eq!(h.return_type, "int");
        assert!(h.params.is_empty());
    }

    #[test]
    fn joins_like_written_c() {
        assert_eq!(
            join(["KF_ACQUIRE", "|", "KF_RET_NULL"]),
            "KF_ACQUIRE | KF_RET_NULL"
        );
        assert_eq!(
            join(["const", "char", "*", "const", "*", "argv"]),
            "const char *const *argv"
        );
        assert_eq!(join(["(", "KF_A", "|", "KF_B", ")"]), "(KF_A | KF_B)");
        assert_eq!(join(["&", "foo", "[", "i", "]"]), "&foo[i]");
    }
}
