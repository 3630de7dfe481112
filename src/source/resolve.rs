//! From `register_btf_kfunc_id_set()` calls to (program type, id set) pairs.
//!
//! Arguments are followed, never guessed: literal `BPF_PROG_TYPE_*`,
//! `&kset`, object-like macros, arrays indexed in loops (every element),
//! `array[i].field` over arrays of initializers, local variables (every
//! value assigned to them), and parameters of helper functions (every call
//! site, across files for non-static helpers, up to [`MAX_DEPTH`] levels).
//! Anything else is an error string that becomes an
//! `unresolved-registration` finding quoting the expression.

use super::cdecl::{self, call_args, split_commas};
use super::lex::{Kind, Lexer, Token};
use super::scan::FileFacts;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

/// How many helper-function levels are followed.
pub const MAX_DEPTH: usize = 4;

/// What an argument should resolve to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// A `BPF_PROG_TYPE_*` name.
    ProgType,
    /// A `struct btf_kfunc_id_set`: (file index, index in `id_sets`).
    IdSet,
}

/// A resolved value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    /// A program type name.
    ProgType(String),
    /// An id set: file index and index into that file's `id_sets`.
    IdSet(usize, usize),
}

/// A value and the call sites it was found through (innermost first).
pub type Resolved = Vec<(Value, Vec<String>)>;

/// Where an expression is evaluated.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// File index.
    pub file: usize,
    /// Enclosing function index in that file.
    pub func: Option<usize>,
}

/// A call of a helper function: the calling function, the line, the
/// arguments as token texts.
struct CallSite<'a> {
    caller: Option<usize>,
    line: u32,
    args: Vec<Vec<&'a str>>,
}

/// Cross-file lookups over the parsed files.
pub struct Index<'a> {
    files: &'a [FileFacts],
    functions: HashMap<&'a str, Vec<(usize, usize)>>,
    id_sets: HashMap<&'a str, Vec<(usize, usize)>>,
    /// Non-static helpers found with no call site in the parsed files.
    uncalled: RefCell<BTreeSet<String>>,
}

fn significant(src: &str, start: usize, end: usize, line: u32) -> Vec<Token> {
    Lexer::range(src, start, end, line)
        .filter(|t| !t.is_comment() && t.kind != Kind::Directive)
        .collect()
}

impl<'a> Index<'a> {
    /// Indexes the files.
    pub fn new(files: &'a [FileFacts]) -> Self {
        let mut functions: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
        let mut id_sets: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
        for (fi, f) in files.iter().enumerate() {
            for (i, d) in f.functions.iter().enumerate() {
                functions
                    .entry(d.header.name.as_str())
                    .or_default()
                    .push((fi, i));
            }
            for (i, s) in f.id_sets.iter().enumerate() {
                id_sets.entry(s.name.as_str()).or_default().push((fi, i));
            }
        }
        Index {
            files,
            functions,
            id_sets,
            uncalled: RefCell::new(BTreeSet::new()),
        }
    }

    /// Resolves `expr` in `ctx`.
    pub fn resolve(
        &self,
        ctx: Ctx,
        expr: &[String],
        want: Want,
        depth: usize,
    ) -> Result<Resolved, String> {
        let toks: Vec<&str> = expr.iter().map(String::as_str).collect();
        self.resolve_toks(ctx, &toks, want, depth)
    }

    fn resolve_toks(
        &self,
        ctx: Ctx,
        toks: &[&str],
        want: Want,
        depth: usize,
    ) -> Result<Resolved, String> {
        let shown = || cdecl::join(toks.iter().copied());
        if depth > MAX_DEPTH {
            return Err(format!("`{}` (helper functions nested too deep)", shown()));
        }
        let toks = strip_wrapping(toks);
        match toks {
            [] => Err("an empty argument".into()),
            [name] => self.resolve_name(ctx, name, want, depth),
            [name, "[", idx @ .., "]"] if !idx.contains(&"]") => {
                self.resolve_index(ctx, name, idx, None, want, depth)
            }
            [name, "[", rest @ ..] => {
                // `name[i].field`
                let close = rest.iter().position(|t| *t == "]");
                match close {
                    Some(c) if rest.len() == c + 3 && rest[c + 1] == "." => {
                        self.resolve_index(ctx, name, &rest[..c], Some(rest[c + 2]), want, depth)
                    }
                    _ => Err(format!("`{}`", shown())),
                }
            }
            _ => Err(format!("`{}`", shown())),
        }
    }

    fn resolve_name(
        &self,
        ctx: Ctx,
        name: &str,
        want: Want,
        depth: usize,
    ) -> Result<Resolved, String> {
        let file = &self.files[ctx.file];
        if want == Want::ProgType && name.starts_with("BPF_PROG_TYPE_") {
            return Ok(vec![(Value::ProgType(name.to_string()), vec![])]);
        }
        if want == Want::IdSet
            && let Some(v) = self.id_set_named(ctx.file, name, None)
        {
            return Ok(v.into_iter().map(|v| (v, vec![])).collect());
        }
        if let Some(func) = ctx.func.map(|i| &file.functions[i]) {
            if let Some(k) = func.header.params.iter().position(|p| p.name == name) {
                return self.resolve_param(ctx, k, want, depth);
            }
            let assigned = self.local_values(ctx, name);
            if !assigned.is_empty() {
                let mut out = Vec::new();
                for rhs in assigned {
                    let rhs: Vec<&str> = rhs.iter().map(String::as_str).collect();
                    out.extend(self.resolve_toks(ctx, &rhs, want, depth)?);
                }
                return Ok(out);
            }
        }
        if let Some(def) = file.macros.get(name).filter(|d| d.params.is_none()) {
            let body: Vec<&str> = def.body.iter().map(String::as_str).collect();
            if body.as_slice() != [name] {
                return self.resolve_toks(Ctx { func: None, ..ctx }, &body, want, depth + 1);
            }
        }
        if want == Want::IdSet {
            if let Some(v) = self.global_id_set(name) {
                return Ok(vec![(v, vec![])]);
            }
            return Err(format!(
                "`{name}`, which is no struct btf_kfunc_id_set found"
            ));
        }
        Err(format!("`{name}`"))
    }

    fn id_set_named(&self, file: usize, name: &str, index: Option<usize>) -> Option<Vec<Value>> {
        let f = &self.files[file];
        let v: Vec<Value> = f
            .id_sets
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name == name && (index.is_none() || s.index == index))
            .map(|(i, _)| Value::IdSet(file, i))
            .collect();
        (!v.is_empty()).then_some(v)
    }

    /// A non-array id set defined in exactly one file.
    fn global_id_set(&self, name: &str) -> Option<Value> {
        match self.id_sets.get(name).map(Vec::as_slice) {
            Some([(f, i)]) => Some(Value::IdSet(*f, *i)),
            _ => None,
        }
    }

    fn resolve_index(
        &self,
        ctx: Ctx,
        name: &str,
        idx: &[&str],
        field: Option<&str>,
        want: Want,
        depth: usize,
    ) -> Result<Resolved, String> {
        let shown = || {
            let mut s = format!("{name}[{}]", cdecl::join(idx.iter().copied()));
            if let Some(f) = field {
                s.push('.');
                s.push_str(f);
            }
            s
        };
        let literal: Option<usize> = match idx {
            [n] => n.parse().ok(),
            _ => None,
        };
        if want == Want::IdSet
            && field.is_none()
            && let Some(v) = self.id_set_named(ctx.file, name, literal)
        {
            return Ok(v.into_iter().map(|v| (v, vec![])).collect());
        }
        let elements = self
            .local_array(ctx, name)
            .or_else(|| self.files[ctx.file].arrays.get(name).cloned())
            .ok_or_else(|| format!("`{}`: no array `{name}` found", shown()))?;
        let chosen: Vec<(usize, &Vec<String>)> = match literal {
            Some(n) => elements.get(n).map(|e| (n, e)).into_iter().collect(),
            None => elements.iter().enumerate().collect(),
        };
        if chosen.is_empty() {
            return Err(format!("`{}`: index out of range", shown()));
        }
        let mut out = Vec::new();
        for (k, el) in chosen {
            let el: Vec<&str> = el.iter().map(String::as_str).collect();
            let el = match field {
                None => el,
                Some(f) => designated(&el, f)
                    .ok_or_else(|| format!("`{}`: no .{f} in an element", shown()))?,
            };
            // The element marker lets `a[i].type` and `a[i].set` pair up by
            // element rather than crosswise (see assemble::compatible).
            let marker = format!("#{name}[{k}]");
            out.extend(self.resolve_toks(ctx, &el, want, depth)?.into_iter().map(
                |(v, mut via)| {
                    via.insert(0, marker.clone());
                    (v, via)
                },
            ));
        }
        Ok(out)
    }

    /// Every value the calls of the enclosing function pass as parameter `k`.
    fn resolve_param(
        &self,
        ctx: Ctx,
        k: usize,
        want: Want,
        depth: usize,
    ) -> Result<Resolved, String> {
        let file = &self.files[ctx.file];
        let func = &file.functions[ctx.func.unwrap_or(0)];
        let fname = func.header.name.as_str();
        let pname = func.header.params[k].name.as_str();
        let candidates: Vec<usize> = if func.header.is_static {
            vec![ctx.file]
        } else {
            (0..self.files.len()).collect()
        };
        let mut out = Vec::new();
        let mut calls = 0;
        for fi in candidates {
            for CallSite { caller, line, args } in self.calls_to(fi, fname) {
                calls += 1;
                let arg = args.get(k).ok_or_else(|| {
                    format!("parameter `{pname}` of `{fname}`: the call at {}:{line} has too few arguments", self.files[fi].path)
                })?;
                let arg: Vec<&str> = arg.to_vec();
                let resolved = self.resolve_toks(
                    Ctx {
                        file: fi,
                        func: caller,
                    },
                    &arg,
                    want,
                    depth + 1,
                )?;
                let site = format!("{}:{line}", self.files[fi].path);
                out.extend(resolved.into_iter().map(|(v, mut via)| {
                    via.insert(0, site.clone());
                    (v, via)
                }));
            }
        }
        if calls == 0 {
            if !func.header.is_static {
                self.uncalled.borrow_mut().insert(fname.to_string());
            }
            return Err(format!(
                "parameter `{pname}` of `{fname}`, which is never called directly"
            ));
        }
        Ok(out)
    }

    /// Calls of `fname` inside function bodies of file `fi`: enclosing
    /// function, line, arguments.
    fn calls_to(&self, fi: usize, fname: &str) -> Vec<CallSite<'a>> {
        let f: &'a FileFacts = &self.files[fi];
        if !f.text.contains(fname) {
            return Vec::new();
        }
        let src: &'a str = &f.text;
        let toks = significant(src, 0, src.len(), 1);
        let texts: Vec<&'a str> = toks.iter().map(|t| t.text(src)).collect();
        let mut out = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            if t.kind != Kind::Ident || t.text(src) != fname {
                continue;
            }
            let Some(caller) = f.function_at(t.start) else {
                continue;
            };
            if toks.get(i + 1).is_none_or(|n| n.text(src) != "(") {
                continue;
            }
            if let Some((args, _)) = call_args(&texts, i + 1) {
                out.push(CallSite {
                    caller: Some(caller),
                    line: t.line,
                    args,
                });
            }
        }
        out
    }

    /// Right-hand sides assigned to local `name` in the enclosing function.
    fn local_values(&self, ctx: Ctx, name: &str) -> Vec<Vec<String>> {
        let Some(fi) = ctx.func else { return vec![] };
        let f = &self.files[ctx.file];
        let func = &f.functions[fi];
        let src = f.text.as_str();
        let toks = significant(src, func.body.0, func.body.1, func.body_line);
        let texts: Vec<&str> = toks.iter().map(|t| t.text(src)).collect();
        let mut out = Vec::new();
        for i in 0..texts.len().saturating_sub(2) {
            if texts[i] != name || texts[i + 1] != "=" || texts[i + 2] == "=" {
                continue;
            }
            if i > 0 && matches!(texts[i - 1], "." | "->") {
                continue;
            }
            if texts[i + 2] == "{" {
                continue;
            }
            let mut depth = 0i32;
            let mut rhs = Vec::new();
            for t in &texts[i + 2..] {
                match *t {
                    "(" | "[" => depth += 1,
                    ")" | "]" if depth == 0 => break,
                    ")" | "]" => depth -= 1,
                    ";" | "," if depth == 0 => break,
                    _ => {}
                }
                rhs.push(t.to_string());
            }
            out.push(rhs);
        }
        out
    }

    /// Elements of a local array initializer `name[] = { ... }`.
    fn local_array(&self, ctx: Ctx, name: &str) -> Option<Vec<Vec<String>>> {
        let fi = ctx.func?;
        let f = &self.files[ctx.file];
        let func = &f.functions[fi];
        let src = f.text.as_str();
        let toks = significant(src, func.body.0, func.body.1, func.body_line);
        let texts: Vec<&str> = toks.iter().map(|t| t.text(src)).collect();
        let start = texts.windows(2).position(|w| w[0] == name && w[1] == "[")?;
        let eq = start + texts[start..].iter().position(|t| *t == "=")?;
        if texts.get(eq + 1) != Some(&"{") {
            return None;
        }
        let mut depth = 0;
        let mut end = eq + 1;
        for (j, t) in texts.iter().enumerate().skip(eq + 1) {
            match *t {
                "{" => depth += 1,
                "}" => {
                    depth -= 1;
                    if depth == 0 {
                        end = j;
                        break;
                    }
                }
                _ => {}
            }
        }
        Some(
            split_commas(&texts[eq + 2..end])
                .into_iter()
                .filter(|e| !e.is_empty())
                .map(|e| e.iter().map(|s| s.to_string()).collect())
                .collect(),
        )
    }

    /// Non-static helper functions whose callers were not among the parsed
    /// files (they may be elsewhere in the tree).
    pub fn uncalled_helpers(&self) -> BTreeSet<String> {
        self.uncalled.borrow().clone()
    }

    /// Functions named `name`: (file index, function index).
    pub fn functions_named(&self, name: &str) -> &[(usize, usize)] {
        self.functions.get(name).map_or(&[], Vec::as_slice)
    }
}

/// `.field = value` inside a `{ ... }` element.
fn designated<'t>(el: &[&'t str], field: &str) -> Option<Vec<&'t str>> {
    let inner = match (el.first(), el.last()) {
        (Some(&"{"), Some(&"}")) => &el[1..el.len() - 1],
        _ => el,
    };
    split_commas(inner).into_iter().find_map(|f| match f {
        [".", k, "=", v @ ..] if *k == field => Some(v.to_vec()),
        _ => None,
    })
}

/// Drops `&`, surrounding parentheses and simple casts.
fn strip_wrapping<'b, 't>(mut toks: &'b [&'t str]) -> &'b [&'t str] {
    loop {
        match toks {
            ["&", rest @ ..] => toks = rest,
            ["(", inner @ .., ")"] if balanced(inner) => toks = inner,
            ["(", rest @ ..] => {
                // `(enum bpf_prog_type)x`
                match rest.iter().position(|t| *t == ")") {
                    Some(c)
                        if c + 1 < rest.len()
                            && rest[..c].iter().all(|t| {
                                *t == "*"
                                    || t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                            }) =>
                    {
                        toks = &rest[c + 1..]
                    }
                    _ => return toks,
                }
            }
            _ => return toks,
        }
    }
}

fn balanced(toks: &[&str]) -> bool {
    let mut d = 0i32;
    for t in toks {
        match *t {
            "(" => d += 1,
            ")" => {
                d -= 1;
                if d < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    d == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::scan::scan;

    fn idx(files: &[(&str, &str)]) -> Vec<FileFacts> {
        files
            .iter()
            .map(|(p, s)| scan(p, s.as_bytes().to_vec()))
            .collect()
    }

    fn prog_types(files: &[FileFacts], file: usize, call: usize) -> Result<Vec<String>, String> {
        let ix = Index::new(files);
        let c = &files[file].calls[call];
        let r = ix.resolve(Ctx { file, func: c.func }, &c.args[0], Want::ProgType, 0)?;
        let mut v: Vec<String> = r
            .into_iter()
            .map(|(v, via)| match v {
                Value::ProgType(p) => format!(
                    "{p}{}",
                    via.iter()
                        .filter(|s| !s.starts_with('#'))
                        .map(|s| format!(" via {s}"))
                        .collect::<String>()
                ),
                Value::IdSet(..) => unreachable!(),
            })
            .collect();
        v.sort();
        Ok(v)
    }

    #[test]
    fn loops_arrays_macros_locals() {
        let files = idx(&[(
            "a.c",
            "#define T BPF_PROG_TYPE_LSM\n\
             static const enum bpf_prog_type types[] = { BPF_PROG_TYPE_XDP, T };\n\
             static int __init f(void)\n{\n\
             \tint i, ret = 0;\n\tenum bpf_prog_type t;\n\
             \tfor (i = 0; i < ARRAY_SIZE(types); i++)\n\t\tret = ret ?: register_btf_kfunc_id_set(types[i], &s);\n\
             \tt = (enum bpf_prog_type)BPF_PROG_TYPE_KPROBE;\n\tregister_btf_kfunc_id_set(t, &s);\n\
             \tregister_btf_kfunc_id_set(other(), &s);\n\
             \tconst enum bpf_prog_type local[] = { BPF_PROG_TYPE_SYSCALL };\n\
             \tregister_btf_kfunc_id_set(local[0], &s);\n\
             \treturn 0;\n}\n",
        )]);
        assert_eq!(
            prog_types(&files, 0, 0).unwrap(),
            ["BPF_PROG_TYPE_LSM", "BPF_PROG_TYPE_XDP"]
        );
        assert_eq!(prog_types(&files, 0, 1).unwrap(), ["BPF_PROG_TYPE_KPROBE"]);
        assert!(prog_types(&files, 0, 2).unwrap_err().contains("other()"));
        assert_eq!(prog_types(&files, 0, 3).unwrap(), ["BPF_PROG_TYPE_SYSCALL"]);
    }

    #[test]
    fn helper_functions_across_files() {
        let files = idx(&[
            (
                "a.c",
                "int reg_helper(enum bpf_prog_type type, const struct btf_kfunc_id_set *k)\n{\n\
                 \treturn register_btf_kfunc_id_set(type, k);\n}\n\
                 static int local(enum bpf_prog_type t) {\n\treturn register_btf_kfunc_id_set(t, &x);\n}\n\
                 static int init(void) {\n\treturn local(BPF_PROG_TYPE_TRACING);\n}\n",
            ),
            (
                "b.c",
                "static const struct btf_kfunc_id_set kset = { .set = &ids };\n\
                 static int __init b_init(void)\n{\n\treturn reg_helper(BPF_PROG_TYPE_XDP, &kset) ?:\n\
                 \t\treg_helper(BPF_PROG_TYPE_SCHED_CLS, &kset);\n}\n",
            ),
        ]);
        assert_eq!(
            prog_types(&files, 0, 0).unwrap(),
            [
                "BPF_PROG_TYPE_SCHED_CLS via b.c:5",
                "BPF_PROG_TYPE_XDP via b.c:4"
            ]
        );
        assert_eq!(
            prog_types(&files, 0, 1).unwrap(),
            ["BPF_PROG_TYPE_TRACING via a.c:9"]
        );
        let ix = Index::new(&files);
        let c = &files[0].calls[0];
        let sets = ix
            .resolve(
                Ctx {
                    file: 0,
                    func: c.func,
                },
                &c.args[1],
                Want::IdSet,
                0,
            )
            .unwrap();
        assert_eq!(sets[0].0, Value::IdSet(1, 0));
    }

    #[test]
    fn struct_array_fields() {
        let files = idx(&[(
            "a.c",
            "static const struct { enum bpf_prog_type type; const struct btf_kfunc_id_set *set; } regs[] = {\n\
             \t{ .type = BPF_PROG_TYPE_XDP, .set = &a },\n\t{ .type = BPF_PROG_TYPE_LSM, .set = &b },\n};\n\
             static int init(void) {\n\tint i;\n\tfor (i = 0; i < 2; i++)\n\
             \t\tregister_btf_kfunc_id_set(regs[i].type, regs[i].set);\n\treturn 0;\n}\n",
        )]);
        assert_eq!(
            prog_types(&files, 0, 0).unwrap(),
            ["BPF_PROG_TYPE_LSM", "BPF_PROG_TYPE_XDP"]
        );
    }

    #[test]
    fn never_called_helper_is_an_error() {
        let files = idx(&[(
            "a.c",
            "static int h(int t) {\n\treturn register_btf_kfunc_id_set(t, &x);\n}\n",
        )]);
        assert!(
            prog_types(&files, 0, 0)
                .unwrap_err()
                .contains("never called")
        );
    }
}
