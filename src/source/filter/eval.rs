//! Evaluates a filter callback for one kfunc and one program type.
//!
//! `int filter(const struct bpf_prog *prog, u32 kfunc_id)` returns 0 to
//! admit. The kfunc is known, so set membership tests
//! (`btf_id_set8_contains(&set, kfunc_id)`) are constants; the program type
//! is known, so `prog->type` and `resolve_prog_type(prog)` are too. What the
//! program type does not fix becomes an [`Atom`]: `prog->expected_attach_type`
//! compared with a constant, `prog->sleepable` / `prog->aux->sleepable`,
//! `prog->aux->st_ops` compared with `&object`. Every path through the body
//! is followed (`if`/`else`, `?:`, `&&`/`||`, locals, helper functions of
//! the tree with their parameters bound); the verdict is the formula under
//! which a path returns 0. Anything else (loops, unknown calls, globals,
//! array lookups, other fields) stops the evaluation with the reason, but
//! only when a path reaches it: a test that is already decided never looks
//! at its other operand.

use super::dnf::{Atom, Dnf};
use super::parse::{Expr, Parser, Stmt, tokens};
use crate::source::scan::FileFacts;
use std::collections::BTreeMap;
use std::rc::Rc;

/// How many helper levels are followed.
const MAX_DEPTH: usize = 4;
/// How many paths one evaluation may follow.
const MAX_PATHS: usize = 256;

/// What the evaluator needs from the tree.
pub trait Tree {
    /// Whether `kfunc` is in the set `set` as seen from file `file`;
    /// `None` when the set is not known.
    fn contains(&self, file: usize, set: &str, kfunc: &str) -> Option<bool>;
    /// The definition of function `name` called from file `file`: (file
    /// index, function index).
    fn function(&self, file: usize, name: &str) -> Option<(usize, usize)>;
    /// The parsed files.
    fn files(&self) -> &[FileFacts];
    /// The parsed body of function `func` of `file` (a tree may parse each
    /// function once: a filter is run for every kfunc and program type).
    fn body(&self, file: usize, func: usize) -> Body {
        parse_body(self.files(), file, func)
    }
}

/// A function's parsed body, or why it cannot be parsed.
pub type Body = Result<Rc<Vec<Stmt>>, String>;

/// Parses the body of function `func` of `file`.
pub fn parse_body(files: &[FileFacts], file: usize, func: usize) -> Body {
    let facts = &files[file];
    let f = &facts.functions[func];
    let name = &f.header.name;
    let toks = tokens(&facts.text, f.body.0, f.body.1, f.body_line).map_err(|line| {
        format!(
            "`{name}()` has a preprocessor conditional ({}:{line})",
            facts.path
        )
    })?;
    Parser::new(&toks)
        .body()
        .map(Rc::new)
        .map_err(|e| format!("`{name}()` ({}): {e}", facts.path))
}

/// A value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Val {
    /// A known integer.
    Int(i64),
    /// An integer known only by when it is non-zero.
    Truth(Dnf),
    /// A `BPF_PROG_TYPE_*`.
    ProgType(String),
    /// An attribute of the program (`prog->expected_attach_type`).
    Attr(String),
    /// A part of the program on the way to an attribute (`aux`).
    ProgPart(String),
    /// A named constant (`BPF_TRACE_ITER`, `EACCES`).
    Name(String),
    /// `&object`.
    Addr(String),
    /// The program.
    Prog,
    /// The kfunc's id.
    KfuncId,
    /// Not known: why.
    Unknown(String),
}

/// Attributes compared with constants.
const EQ_ATTRS: &[&str] = &["expected_attach_type", "aux->st_ops"];
/// Boolean attributes.
const FLAG_ATTRS: &[&str] = &["sleepable", "aux->sleepable"];

fn is_errno(n: &str) -> bool {
    n.len() > 1
        && n.starts_with('E')
        && n.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn is_constant(n: &str) -> bool {
    n.bytes().any(|b| b.is_ascii_uppercase())
        && n.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn truth(v: &Val) -> Result<Dnf, String> {
    match v {
        Val::Int(n) => Ok(Dnf::constant(*n != 0)),
        Val::Truth(d) => Ok(d.clone()),
        Val::Attr(a) if FLAG_ATTRS.contains(&&a["prog->".len()..]) => {
            Ok(Dnf::atom(Atom::Flag(a.clone())))
        }
        Val::Attr(a) => Err(format!("`{a}` tested as a truth value")),
        Val::Unknown(why) => Err(why.clone()),
        other => Err(format!("{} tested as a truth value", shown(other))),
    }
}

fn shown(v: &Val) -> String {
    match v {
        Val::Int(n) => n.to_string(),
        Val::Truth(d) => d.to_string(),
        Val::ProgType(p) | Val::Name(p) => p.clone(),
        Val::Attr(a) => a.clone(),
        Val::ProgPart(p) => format!("prog->{p}"),
        Val::Addr(a) => format!("&{a}"),
        Val::Prog => "prog".into(),
        Val::KfuncId => "kfunc_id".into(),
        Val::Unknown(w) => w.clone(),
    }
}

/// A path: its condition and the locals.
#[derive(Debug, Clone)]
struct Path {
    cond: Dnf,
    env: BTreeMap<String, Val>,
}

/// Where a path goes after a statement.
enum Next {
    /// On to the next statement.
    Go(Path),
    /// Returned this value under this condition.
    Ret(Dnf, Val),
}

/// One evaluation: a kfunc, a program type (`None`: any).
pub struct Eval<'a> {
    tree: &'a dyn Tree,
    kfunc: &'a str,
    prog_type: Option<&'a str>,
    paths: std::cell::Cell<usize>,
}

impl<'a> Eval<'a> {
    /// An evaluation of filters for `kfunc` called from `prog_type`.
    pub fn new(tree: &'a dyn Tree, kfunc: &'a str, prog_type: Option<&'a str>) -> Self {
        Eval {
            tree,
            kfunc,
            prog_type,
            paths: std::cell::Cell::new(0),
        }
    }

    /// The condition under which filter `func` of file `file` returns 0,
    /// or why it cannot be told.
    pub fn filter(&self, file: usize, func: usize) -> Result<Dnf, String> {
        let f = &self.tree.files()[file].functions[func];
        let params = &f.header.params;
        if params.len() != 2 {
            return Err(format!(
                "`{}()` does not take (prog, kfunc_id)",
                f.header.name
            ));
        }
        let args = vec![Val::Prog, Val::KfuncId];
        let rets = self.run(file, func, args, 0)?;
        let mut admit = Dnf::constant(false);
        for (cond, v) in rets {
            let zero = match v {
                Val::Int(n) => Dnf::constant(n == 0),
                other => truth(&other)?.not(),
            };
            admit = admit.or(&cond.and(&zero));
        }
        Ok(admit)
    }

    /// Runs function `func` of `file` with `args`: every returning path.
    fn run(
        &self,
        file: usize,
        func: usize,
        args: Vec<Val>,
        depth: usize,
    ) -> Result<Vec<(Dnf, Val)>, String> {
        let facts = &self.tree.files()[file];
        let f = &facts.functions[func];
        let name = &f.header.name;
        let body = self.tree.body(file, func)?;
        let mut env = BTreeMap::new();
        for (p, a) in f.header.params.iter().zip(args) {
            env.insert(p.name.clone(), a);
        }
        let start = Path {
            cond: Dnf::constant(true),
            env,
        };
        let ctx = Frame {
            file,
            depth,
            func: name,
            path: &facts.path,
        };
        let mut rets = Vec::new();
        for n in self.block(&ctx, &body, start)? {
            match n {
                Next::Ret(c, v) => rets.push((c, v)),
                Next::Go(_) => {
                    return Err(format!("`{name}()` can end without `return`"));
                }
            }
        }
        Ok(rets)
    }

    fn block(&self, ctx: &Frame<'_>, stmts: &[Stmt], start: Path) -> Result<Vec<Next>, String> {
        let mut live = vec![start];
        let mut done = Vec::new();
        for s in stmts {
            let mut next_live = Vec::new();
            for p in live {
                for n in self.stmt(ctx, s, p)? {
                    match n {
                        Next::Go(p) => next_live.push(p),
                        r @ Next::Ret(..) => done.push(r),
                    }
                }
            }
            live = next_live;
            if live.is_empty() {
                break;
            }
        }
        done.extend(live.into_iter().map(Next::Go));
        Ok(done)
    }

    fn stmt(&self, ctx: &Frame<'_>, s: &Stmt, mut p: Path) -> Result<Vec<Next>, String> {
        let n = self.paths.get() + 1;
        if n > MAX_PATHS {
            return Err(format!("`{}()` has too many paths", ctx.func));
        }
        self.paths.set(n);
        match s {
            Stmt::Block(v) => self.block(ctx, v, p),
            Stmt::Return(None, line) => Err(format!(
                "`return;` in `{}()` ({}:{line})",
                ctx.func, ctx.path
            )),
            Stmt::Return(Some(e), _) => {
                let v = self.expr(ctx, e, &p.env);
                if let Val::Unknown(why) = v {
                    return Err(why);
                }
                Ok(vec![Next::Ret(p.cond, v)])
            }
            Stmt::Decl(vars) => {
                for (name, init) in vars {
                    let v = match init {
                        Some(e) => self.expr(ctx, e, &p.env),
                        None => Val::Unknown(format!(
                            "`{name}` is read before it is assigned in `{}()`",
                            ctx.func
                        )),
                    };
                    p.env.insert(name.clone(), v);
                }
                Ok(vec![Next::Go(p)])
            }
            Stmt::Expr(Expr::Assign(name, e)) => {
                if !p.env.contains_key(name) {
                    return Err(format!(
                        "`{}()` assigns to `{name}`, which is not a local",
                        ctx.func
                    ));
                }
                let v = self.expr(ctx, e, &p.env);
                p.env.insert(name.clone(), v);
                Ok(vec![Next::Go(p)])
            }
            Stmt::Expr(e) => Err(match e {
                Expr::Unsupported(what, line) => {
                    format!("{what} in `{}()` ({}:{line})", ctx.func, ctx.path)
                }
                Expr::Call(f, _) => format!("`{}()` calls `{f}()` for its effect", ctx.func),
                _ => format!("`{}()` has an expression statement", ctx.func),
            }),
            Stmt::Unsupported(what, line) => {
                Err(format!("{what} in `{}()` ({}:{line})", ctx.func, ctx.path))
            }
            Stmt::If(c, then, other) => {
                let c = truth(&self.expr(ctx, c, &p.env))?;
                let mut out = Vec::new();
                let yes = p.cond.and(&c);
                if yes.as_const() != Some(false) {
                    let mut q = p.clone();
                    q.cond = yes;
                    out.extend(self.stmt(ctx, then, q)?);
                }
                let no = p.cond.and(&c.not());
                if no.as_const() != Some(false) {
                    p.cond = no;
                    match other {
                        Some(o) => out.extend(self.stmt(ctx, o, p)?),
                        None => out.push(Next::Go(p)),
                    }
                }
                Ok(out)
            }
        }
    }

    fn expr(&self, ctx: &Frame<'_>, e: &Expr, env: &BTreeMap<String, Val>) -> Val {
        match e {
            Expr::Num(n) => Val::Int(*n),
            Expr::Ident(n) => match env.get(n) {
                Some(v) => v.clone(),
                None if n == "true" => Val::Int(1),
                None if n == "false" || n == "NULL" => Val::Int(0),
                None if n.starts_with("BPF_PROG_TYPE_") => Val::ProgType(n.clone()),
                None if is_constant(n) => Val::Name(n.clone()),
                None => Val::Unknown(format!(
                    "`{}()` reads `{n}`, which is not a local or a constant",
                    ctx.func
                )),
            },
            Expr::Unsupported(what, line) => {
                Val::Unknown(format!("{what} in `{}()` ({}:{line})", ctx.func, ctx.path))
            }
            Expr::Assign(..) => Val::Unknown(format!("an assignment inside `{}()`", ctx.func)),
            Expr::Member(base, field) => match self.expr(ctx, base, env) {
                Val::Prog => self.prog_field(field),
                Val::ProgPart(p) => self.prog_field(&format!("{p}->{field}")),
                Val::Unknown(w) => Val::Unknown(w),
                other => Val::Unknown(format!("`{}->{field}`", shown(&other))),
            },
            Expr::Unary(op, inner) => {
                if op == "&" {
                    return match &**inner {
                        Expr::Ident(n) if !env.contains_key(n) => Val::Addr(n.clone()),
                        _ => Val::Unknown(format!("an address in `{}()`", ctx.func)),
                    };
                }
                let v = self.expr(ctx, inner, env);
                match (op.as_str(), v) {
                    ("!", v) => match truth(&v) {
                        Ok(d) => Val::Truth(d.not()),
                        Err(w) => Val::Unknown(w),
                    },
                    ("-", Val::Int(n)) => Val::Int(-n),
                    ("-", Val::Name(n)) if is_errno(&n) => Val::Truth(Dnf::constant(true)),
                    ("+", v) => v,
                    (_, Val::Unknown(w)) => Val::Unknown(w),
                    (op, v) => Val::Unknown(format!("`{op}{}`", shown(&v))),
                }
            }
            Expr::Binary(op, a, b) => self.binary(ctx, op, a, b, env),
            Expr::Ternary(c, a, b) => {
                let c = match truth(&self.expr(ctx, c, env)) {
                    Ok(c) => c,
                    Err(w) => return Val::Unknown(w),
                };
                match c.as_const() {
                    Some(true) => self.expr(ctx, a, env),
                    Some(false) => self.expr(ctx, b, env),
                    None => {
                        let ta = truth(&self.expr(ctx, a, env));
                        let tb = truth(&self.expr(ctx, b, env));
                        match (ta, tb) {
                            (Ok(ta), Ok(tb)) => Val::Truth(c.and(&ta).or(&c.not().and(&tb))),
                            (Err(w), _) | (_, Err(w)) => Val::Unknown(w),
                        }
                    }
                }
            }
            Expr::Call(f, args) => self.call(ctx, f, args, env),
        }
    }

    fn prog_field(&self, path: &str) -> Val {
        match path {
            "type" => match self.prog_type {
                Some(p) => Val::ProgType(p.to_string()),
                None => Val::Unknown("`prog->type` for every program type".into()),
            },
            "aux" => Val::ProgPart("aux".into()),
            p if EQ_ATTRS.contains(&p) || FLAG_ATTRS.contains(&p) => {
                Val::Attr(format!("prog->{p}"))
            }
            p => Val::Unknown(format!("`prog->{p}` is not evaluated")),
        }
    }

    fn binary(
        &self,
        ctx: &Frame<'_>,
        op: &str,
        a: &Expr,
        b: &Expr,
        env: &BTreeMap<String, Val>,
    ) -> Val {
        if op == "&&" || op == "||" {
            // A decided operand decides, whatever the other one is.
            let short = op == "||";
            let ta = truth(&self.expr(ctx, a, env));
            if let Ok(d) = &ta
                && d.as_const() == Some(short)
            {
                return Val::Truth(d.clone());
            }
            let tb = truth(&self.expr(ctx, b, env));
            return match (ta, tb) {
                (Ok(x), Ok(y)) => Val::Truth(if short { x.or(&y) } else { x.and(&y) }),
                (Err(_), Ok(y)) if y.as_const() == Some(short) => Val::Truth(y),
                (Err(w), _) | (_, Err(w)) => Val::Unknown(w),
            };
        }
        let va = self.expr(ctx, a, env);
        let vb = self.expr(ctx, b, env);
        match (op, va, vb) {
            (_, Val::Unknown(w), _) | (_, _, Val::Unknown(w)) => Val::Unknown(w),
            ("==" | "!=", x, y) => {
                let eq = match (&x, &y) {
                    (Val::ProgType(p), Val::ProgType(q)) => Some(Dnf::constant(p == q)),
                    (Val::Int(p), Val::Int(q)) => Some(Dnf::constant(p == q)),
                    (Val::Truth(d), Val::Int(0)) | (Val::Int(0), Val::Truth(d)) => Some(d.not()),
                    (Val::Attr(at), Val::Name(c) | Val::Addr(c))
                    | (Val::Name(c) | Val::Addr(c), Val::Attr(at))
                        if EQ_ATTRS.contains(&&at["prog->".len()..]) =>
                    {
                        let c = if matches!(x, Val::Addr(_)) || matches!(y, Val::Addr(_)) {
                            format!("&{c}")
                        } else {
                            c.clone()
                        };
                        Some(Dnf::atom(Atom::Eq(at.clone(), c)))
                    }
                    _ => None,
                };
                match eq {
                    Some(d) if op == "==" => Val::Truth(d),
                    Some(d) => Val::Truth(d.not()),
                    None => Val::Unknown(format!(
                        "`{} {op} {}` in `{}()`",
                        shown(&x),
                        shown(&y),
                        ctx.func
                    )),
                }
            }
            (_, Val::Int(x), Val::Int(y)) => match op {
                "&" => Val::Int(x & y),
                "|" => Val::Int(x | y),
                "^" => Val::Int(x ^ y),
                "+" => Val::Int(x.wrapping_add(y)),
                "-" => Val::Int(x.wrapping_sub(y)),
                "<" => Val::Int((x < y) as i64),
                ">" => Val::Int((x > y) as i64),
                "<=" => Val::Int((x <= y) as i64),
                ">=" => Val::Int((x >= y) as i64),
                _ => Val::Unknown(format!("`{x} {op} {y}` in `{}()`", ctx.func)),
            },
            (op, x, y) => Val::Unknown(format!(
                "`{} {op} {}` in `{}()`",
                shown(&x),
                shown(&y),
                ctx.func
            )),
        }
    }

    fn call(&self, ctx: &Frame<'_>, f: &str, args: &[Expr], env: &BTreeMap<String, Val>) -> Val {
        let vals: Vec<Val> = args.iter().map(|a| self.expr(ctx, a, env)).collect();
        match (f, vals.as_slice()) {
            ("btf_id_set8_contains" | "btf_id_set_contains", [Val::Addr(set), Val::KfuncId]) => {
                match self.tree.contains(ctx.file, set, self.kfunc) {
                    Some(b) => Val::Truth(Dnf::constant(b)),
                    None => Val::Unknown(format!(
                        "`{}()` tests the set `{set}`, whose entries are not known",
                        ctx.func
                    )),
                }
            }
            ("resolve_prog_type", [Val::Prog]) => self.prog_field("type"),
            ("likely" | "unlikely", [v]) => v.clone(),
            _ => {
                if let Some(Val::Unknown(w)) = vals.iter().find(|v| matches!(v, Val::Unknown(_))) {
                    return Val::Unknown(w.clone());
                }
                let Some((fi, di)) = self.tree.function(ctx.file, f) else {
                    return Val::Unknown(format!(
                        "`{}()` calls `{f}()`, whose definition was not found",
                        ctx.func
                    ));
                };
                if ctx.depth >= MAX_DEPTH {
                    return Val::Unknown(format!("`{f}()`: helpers nested too deep"));
                }
                let rets = match self.run(fi, di, vals, ctx.depth + 1) {
                    Ok(r) => r,
                    Err(w) => return Val::Unknown(w),
                };
                // One path: its value as is; several: whether it is non-zero.
                if let [(c, v)] = rets.as_slice()
                    && c.as_const() == Some(true)
                {
                    return v.clone();
                }
                let mut any = Dnf::constant(false);
                for (c, v) in &rets {
                    match truth(v) {
                        Ok(t) => any = any.or(&c.and(&t)),
                        Err(w) => return Val::Unknown(w),
                    }
                }
                Val::Truth(any)
            }
        }
    }
}

/// The function being evaluated.
struct Frame<'f> {
    file: usize,
    depth: usize,
    func: &'f str,
    path: &'f str,
}
