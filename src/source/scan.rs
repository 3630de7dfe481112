//! One source file → the kfunc facts it states, with positions.
//!
//! A single pass over the tokens finds: `BTF_KFUNCS`/`BTF_SET8` sets and
//! their `BTF_ID_FLAGS` entries, with the `#if` conditions around each;
//! function definitions at file scope (header, body range, the comment above,
//! whether they carry `__bpf_kfunc` or sit in a `__diag_push` region);
//! `struct btf_kfunc_id_set` initializers; `register_btf_kfunc_id_set()` and
//! `register_btf_fmodret_id_set()` calls with their enclosing function;
//! object-like macros and file-scope array initializers (for resolving
//! registrations later). It does no I/O and never fails: problems become
//! diagnostics and the scan goes on.

use super::cdecl::{self, Header};
use super::lex::{Kind, Lexer, Token};
use super::macros::{self, Defines};
use crate::diag::{Code, Diagnostic};
use crate::loc::Loc;
use std::collections::BTreeMap;

/// Which macro family declared a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    /// `BTF_KFUNCS_START` (6.9+): flagged as a kfunc set.
    Kfuncs,
    /// `BTF_SET8_START`.
    Set8,
}

impl SetKind {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            SetKind::Kfuncs => "BTF_KFUNCS",
            SetKind::Set8 => "BTF_SET8",
        }
    }
}

/// A set declaration.
#[derive(Debug, Clone)]
pub struct SetDecl {
    /// Its name.
    pub name: String,
    /// Which macros declared it.
    pub kind: SetKind,
    /// Line of `_START`.
    pub line: u32,
    /// Its `BTF_ID_FLAGS(func, ...)` entries, including those of macros
    /// the file itself defines.
    pub entries: Vec<EntryDecl>,
    /// Macro uses inside the set that need definitions from elsewhere
    /// (headers) to expand.
    pub uses: Vec<MacroUse>,
}

/// A macro used inside a set, to be expanded once its definition is known.
#[derive(Debug, Clone)]
pub struct MacroUse {
    /// The macro name and, for a call, its parenthesised arguments.
    pub tokens: Vec<String>,
    /// Line of the use.
    pub line: u32,
    /// Column of the use.
    pub col: u32,
    /// `#if` conditions around it.
    pub conditions: Vec<String>,
    /// The macros defined at that point of the file.
    pub env: Defines,
}

/// A `BTF_ID_FLAGS(func, name[, flags])` entry.
#[derive(Debug, Clone)]
pub struct EntryDecl {
    /// The function.
    pub name: String,
    /// The flags argument as written (`""` if absent).
    pub flags_expr: String,
    /// Line of the entry.
    pub line: u32,
    /// Column of the entry.
    pub col: u32,
    /// `#if` conditions around it, outermost first.
    pub conditions: Vec<String>,
}

/// How a definition was recognised as a kfunc definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// Carries `__bpf_kfunc`.
    BpfKfunc,
    /// Inside `__diag_push()` / `__bpf_kfunc_start_defs()`.
    DiagRegion,
    /// Nothing marks it.
    None,
}

impl Marker {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Marker::BpfKfunc => "__bpf_kfunc",
            Marker::DiagRegion => "diag_region",
            Marker::None => "none",
        }
    }
}

/// A function definition at file scope.
#[derive(Debug, Clone)]
pub struct FuncDef {
    /// Parsed header.
    pub header: Header,
    /// Line of the name.
    pub line: u32,
    /// Column of the name.
    pub col: u32,
    /// How it is marked.
    pub marker: Marker,
    /// The comment right above the definition: byte range and first line.
    pub comment: Option<(usize, usize, u32)>,
    /// Byte range of the body, braces included.
    pub body: (usize, usize),
    /// Line of the opening brace.
    pub body_line: u32,
}

/// A `struct btf_kfunc_id_set` initializer (one per element for arrays).
#[derive(Debug, Clone)]
pub struct IdSetDecl {
    /// Variable name.
    pub name: String,
    /// Element index for arrays.
    pub index: Option<usize>,
    /// Line of the variable name.
    pub line: u32,
    /// `.set` target (without `&`).
    pub set: Option<String>,
    /// `.filter` callback.
    pub filter: Option<String>,
    /// `.owner` as written.
    pub owner: Option<String>,
}

/// Which registration function a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegKind {
    /// `register_btf_kfunc_id_set(prog_type, kset)`.
    Kfunc,
    /// `register_btf_fmodret_id_set(kset)`.
    Fmodret,
}

/// A call of a registration function.
#[derive(Debug, Clone)]
pub struct RegCall {
    /// Which function.
    pub kind: RegKind,
    /// Arguments, each as token texts.
    pub args: Vec<Vec<String>>,
    /// Line of the call.
    pub line: u32,
    /// Column of the call.
    pub col: u32,
    /// Index into `functions` of the enclosing function.
    pub func: Option<usize>,
    /// `#if` conditions around the call.
    pub conditions: Vec<String>,
}

/// Everything one file states.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    /// Path relative to the tree.
    pub path: String,
    /// The text (lossily decoded if it was not UTF-8).
    pub text: String,
    /// Sets in order.
    pub sets: Vec<SetDecl>,
    /// Function definitions in order.
    pub functions: Vec<FuncDef>,
    /// `btf_kfunc_id_set` initializers.
    pub id_sets: Vec<IdSetDecl>,
    /// Registration calls.
    pub calls: Vec<RegCall>,
    /// Every `#define` of the file (the last one of a name wins).
    pub macros: Defines,
    /// File-scope array initializers: name → elements as token texts.
    pub arrays: BTreeMap<String, Vec<Vec<String>>>,
    /// `#include` targets as written (`<net/xdp.h>`, `"internal.h"`).
    pub includes: Vec<String>,
    /// Findings.
    pub diags: Vec<Diagnostic>,
}

impl FileFacts {
    /// The function whose body contains byte `offset`.
    pub fn function_at(&self, offset: usize) -> Option<usize> {
        let i = self.functions.partition_point(|f| f.body.0 <= offset);
        (i > 0 && offset < self.functions[i - 1].body.1).then(|| i - 1)
    }

    /// Functions named `name`.
    pub fn functions_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = (usize, &'a FuncDef)> {
        self.functions
            .iter()
            .enumerate()
            .filter(move |(_, f)| f.header.name == name)
    }

    fn loc(&self, line: u32, col: u32) -> Loc {
        Loc::new(self.path.clone(), line, col)
    }
}

/// One level of `#if` nesting.
struct Frame {
    /// Negations of the branches already passed (`#if A ... #elif B`).
    prior: Vec<String>,
    /// The current branch's condition (`None` in `#else`).
    current: Option<String>,
    /// An include guard: not reported as a condition.
    guard: bool,
}

/// Token texts joined as written: one space wherever the source had
/// whitespace (or a comment) between two tokens, nothing elsewhere.
pub fn as_written(src: &str, toks: &[Token]) -> String {
    let mut out = String::new();
    let mut prev_end: Option<usize> = None;
    for t in toks.iter().filter(|t| !t.is_comment()) {
        if let Some(e) = prev_end
            && t.start > e
        {
            out.push(' ');
        }
        out.push_str(t.text(src));
        prev_end = Some(t.end);
    }
    out
}

/// Normalises a directive's text: `#`, continuations, comments and runs of
/// whitespace removed.
fn directive_words(text: &str) -> String {
    let body = text.trim_start_matches(|c: char| c == '#' || c.is_whitespace());
    let toks: Vec<Token> = Lexer::new(body).collect();
    as_written(body, &toks)
}

fn tokens_of(text: &str) -> Vec<String> {
    Lexer::new(text)
        .filter(|t| !t.is_comment())
        .map(|t| t.text(text).to_string())
        .collect()
}

/// `!cond`, kept readable.
pub fn negate(cond: &str) -> String {
    let simple = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'(' || b == b')')
            && s.bytes().filter(|&b| b == b'(').count() <= 1
    };
    if let Some(inner) = cond.strip_prefix('!')
        && simple(inner)
    {
        return inner.to_string();
    }
    if simple(cond) {
        format!("!{cond}")
    } else {
        format!("!({cond})")
    }
}

struct Scanner<'s> {
    src: &'s str,
    toks: Vec<Token>,
    facts: FileFacts,
    frames: Vec<Frame>,
    diag_depth: u32,
    open_set: Option<SetDecl>,
    reported_unbalanced: bool,
    /// Macros defined at the current point (`#undef` removes them).
    live: Defines,
}

impl<'s> Scanner<'s> {
    fn conditions(&self) -> Vec<String> {
        let mut out = Vec::new();
        for f in self.frames.iter().filter(|f| !f.guard) {
            out.extend(f.prior.iter().cloned());
            out.extend(f.current.iter().cloned());
        }
        out
    }

    fn text(&self, i: usize) -> &'s str {
        self.toks[i].text(self.src)
    }

    fn unbalanced(&mut self, tok: Token, what: &str) {
        if !self.reported_unbalanced {
            self.reported_unbalanced = true;
            let loc = self.facts.loc(tok.line, tok.col);
            self.facts
                .diags
                .push(Diagnostic::at(Code::UnbalancedConditional, &loc, what));
        }
    }

    fn directive(&mut self, tok: Token, next_is_define_of: Option<&str>) {
        let words = directive_words(tok.text(self.src));
        let (kw, rest) = words.split_once(' ').unwrap_or((words.as_str(), ""));
        let rest = rest.trim();
        match kw {
            "if" => self.frames.push(Frame {
                prior: vec![],
                current: Some(rest.to_string()),
                guard: false,
            }),
            "ifdef" => self.frames.push(Frame {
                prior: vec![],
                current: Some(rest.to_string()),
                guard: false,
            }),
            "ifndef" => {
                let guard = next_is_define_of == Some(rest) && self.frames.is_empty();
                self.frames.push(Frame {
                    prior: vec![],
                    current: Some(negate(rest)),
                    guard,
                });
            }
            "elif" | "elifdef" | "elifndef" => match self.frames.last_mut() {
                Some(f) => {
                    if let Some(c) = f.current.take() {
                        f.prior.push(negate(&c));
                    }
                    f.current = Some(if kw == "elifndef" {
                        negate(rest)
                    } else {
                        rest.to_string()
                    });
                }
                None => self.unbalanced(tok, "#elif without #if"),
            },
            "else" => match self.frames.last_mut() {
                Some(f) => {
                    if let Some(c) = f.current.take() {
                        f.prior.push(negate(&c));
                    }
                }
                None => self.unbalanced(tok, "#else without #if"),
            },
            "endif" if self.frames.pop().is_none() => {
                self.unbalanced(tok, "#endif without #if");
            }
            "define" => {
                if let Some((name, def)) = macros::parse_define(rest, &tokens_of) {
                    self.live.insert(name.clone(), def.clone());
                    self.facts.macros.insert(name, def);
                }
            }
            "undef" => {
                self.live.remove(rest);
            }
            "include" => self.facts.includes.push(rest.to_string()),
            _ => {}
        }
    }

    /// Index of the next token at or after `i` that is not a comment. A
    /// directive stops the look-ahead: it is processed by whoever reaches
    /// it in order.
    fn peek(&self, mut i: usize) -> usize {
        while i < self.toks.len() && self.toks[i].is_comment() {
            i += 1;
        }
        i
    }

    /// Reads a parenthesised argument list starting at the `(` at `i`.
    /// Returns the arguments (token indices) and the index after `)`.
    fn macro_args(&mut self, i: usize) -> Option<(Vec<Vec<usize>>, usize)> {
        let mut args: Vec<Vec<usize>> = vec![Vec::new()];
        let mut depth = 0usize;
        let mut j = i;
        while j < self.toks.len() {
            let t = self.toks[j];
            match t.kind {
                Kind::BlockComment | Kind::LineComment => {}
                Kind::Directive => self.directive(t, None),
                _ => {
                    let s = t.text(self.src);
                    match s {
                        "(" => {
                            depth += 1;
                            if depth > 1 {
                                args.last_mut()?.push(j);
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
                            args.last_mut()?.push(j);
                        }
                        "," if depth == 1 => args.push(Vec::new()),
                        _ => args.last_mut()?.push(j),
                    }
                }
            }
            j += 1;
        }
        None
    }

    fn arg_text(&self, arg: &[usize]) -> String {
        let toks: Vec<Token> = arg.iter().map(|&k| self.toks[k]).collect();
        as_written(self.src, &toks)
    }

    fn arg_tokens(&self, arg: &[usize]) -> Vec<String> {
        arg.iter().map(|&k| self.text(k).to_string()).collect()
    }

    /// Handles `BTF_*(...)` at file scope. Returns the index after it.
    fn btf_macro(&mut self, i: usize, name: &str) -> usize {
        let tok = self.toks[i];
        let open = self.peek(i + 1);
        let Some((args, after)) = self.macro_args(open) else {
            let loc = self.facts.loc(tok.line, tok.col);
            self.facts.diags.push(Diagnostic::at(
                Code::UnterminatedComment,
                &loc,
                format!("{name}( is never closed"),
            ));
            return self.toks.len();
        };
        let first = args.first().map(|a| self.arg_text(a)).unwrap_or_default();
        match name {
            "BTF_KFUNCS_START" | "BTF_SET8_START" => {
                if let Some(open) = self.open_set.take() {
                    let loc = self.facts.loc(tok.line, tok.col);
                    self.facts.diags.push(Diagnostic::at(
                        Code::UnterminatedSet,
                        &loc,
                        format!("set `{}` is still open when `{first}` starts", open.name),
                    ));
                    self.facts.sets.push(open);
                }
                let kind = if name == "BTF_KFUNCS_START" {
                    SetKind::Kfuncs
                } else {
                    SetKind::Set8
                };
                self.open_set = Some(SetDecl {
                    name: first,
                    kind,
                    line: tok.line,
                    entries: vec![],
                    uses: vec![],
                });
            }
            "BTF_KFUNCS_END" | "BTF_SET8_END" => match self.open_set.take() {
                Some(set) => {
                    if set.name != first {
                        let loc = self.facts.loc(tok.line, tok.col);
                        self.facts.diags.push(Diagnostic::at(
                            Code::UnterminatedSet,
                            &loc,
                            format!("set `{}` is closed by {name}({first})", set.name),
                        ));
                    }
                    self.facts.sets.push(set);
                }
                None => {
                    let loc = self.facts.loc(tok.line, tok.col);
                    self.facts.diags.push(Diagnostic::at(
                        Code::UnterminatedSet,
                        &loc,
                        format!("{name}({first}) closes no open set"),
                    ));
                }
            },
            "BTF_ID_FLAGS" if first == "func" => {
                let Some(fname) = args.get(1).map(|a| self.arg_text(a)) else {
                    return after;
                };
                let flags: Vec<String> = args[2..].iter().map(|a| self.arg_text(a)).collect();
                let entry = EntryDecl {
                    name: fname,
                    flags_expr: flags.join(", "),
                    line: tok.line,
                    col: tok.col,
                    conditions: self.conditions(),
                };
                match self.open_set.as_mut() {
                    Some(set) => set.entries.push(entry),
                    None => {
                        let loc = self.facts.loc(tok.line, tok.col);
                        self.facts.diags.push(Diagnostic::at(
                            Code::EntryOutsideSet,
                            &loc,
                            format!("BTF_ID_FLAGS(func, {}) is outside any set", entry.name),
                        ));
                    }
                }
            }
            _ => {}
        }
        // A trailing `;` belongs to the macro line.
        let j = self.peek(after);
        if j < self.toks.len() && self.toks[j].is_punct(self.src, b';') {
            j + 1
        } else {
            after
        }
    }

    /// A macro used inside a set: expanded now when the file defines all it
    /// needs, recorded for later otherwise. Returns the index after it.
    fn macro_use(&mut self, i: usize) -> usize {
        let t = self.toks[i];
        let mut tokens = vec![t.text(self.src).to_string()];
        let mut after = i + 1;
        let open = self.peek(i + 1);
        if open < self.toks.len()
            && self.toks[open].is_punct(self.src, b'(')
            && let Some((args, next)) = self.macro_args(open)
        {
            tokens.push("(".into());
            for (n, a) in args.iter().enumerate() {
                if n > 0 {
                    tokens.push(",".into());
                }
                tokens.extend(self.arg_tokens(a));
            }
            tokens.push(")".into());
            after = next;
        }
        let conditions = self.conditions();
        let expanded = macros::expand(&tokens, &|n| self.live.get(n).cloned()).unwrap_or_default();
        let found = macros::entries(&expanded);
        let Some(set) = self.open_set.as_mut() else {
            return after;
        };
        if found.is_empty() {
            set.uses.push(MacroUse {
                tokens,
                line: t.line,
                col: t.col,
                conditions,
                env: self.live.clone(),
            });
        } else {
            for (name, flags_expr) in found {
                set.entries.push(EntryDecl {
                    name,
                    flags_expr,
                    line: t.line,
                    col: t.col,
                    conditions: conditions.clone(),
                });
            }
        }
        let j = self.peek(after);
        if j < self.toks.len() && self.toks[j].is_punct(self.src, b';') {
            j + 1
        } else {
            after
        }
    }

    /// Index after the `}` matching the `{` at `i`, recording registration
    /// calls when `func` is the enclosing function. Recovers at a `}` in
    /// column 1, which in kernel style always closes a file-scope block.
    fn body(&mut self, i: usize, func: Option<usize>) -> usize {
        let mut depth = 0usize;
        let mut j = i;
        while j < self.toks.len() {
            let t = self.toks[j];
            match t.kind {
                Kind::Directive => self.directive(t, None),
                Kind::Punct => match t.text(self.src) {
                    "{" => depth += 1,
                    "}" => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 || t.col == 1 {
                            return j + 1;
                        }
                    }
                    _ => {}
                },
                Kind::Ident if func.is_some() => {
                    let kind = match t.text(self.src) {
                        "register_btf_kfunc_id_set" => Some(RegKind::Kfunc),
                        "register_btf_fmodret_id_set" => Some(RegKind::Fmodret),
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        let open = self.peek(j + 1);
                        if open < self.toks.len()
                            && self.toks[open].is_punct(self.src, b'(')
                            && let Some((args, after)) = self.macro_args(open)
                        {
                            let args = args.iter().map(|a| self.arg_tokens(a)).collect();
                            let conditions = self.conditions();
                            self.facts.calls.push(RegCall {
                                kind,
                                args,
                                line: t.line,
                                col: t.col,
                                func,
                                conditions,
                            });
                            j = after;
                            continue;
                        }
                    }
                }
                _ => {}
            }
            j += 1;
        }
        self.toks.len()
    }

    /// Records what a file-scope declaration ending in `;` declares:
    /// `btf_kfunc_id_set` initializers and array initializers.
    fn declaration(&mut self, decl: &[usize]) {
        let texts: Vec<&str> = decl.iter().map(|&k| self.text(k)).collect();
        let Some(eq) = texts.iter().position(|t| *t == "=") else {
            return;
        };
        if eq == 0 || texts.get(eq + 1) != Some(&"{") {
            return;
        }
        let is_array = texts[eq - 1] == "]";
        let name_at = if is_array {
            match texts[..eq].iter().rposition(|t| *t == "[") {
                Some(b) if b > 0 => b - 1,
                _ => return,
            }
        } else {
            eq - 1
        };
        let name = texts[name_at].to_string();
        let init = match texts.last() {
            Some(&"}") if texts.len() > eq + 2 => &texts[eq + 2..texts.len() - 1],
            _ => &texts[eq + 2..],
        };
        let tok = self.toks[decl[name_at]];
        let is_id_set = name_at >= 2
            && texts[name_at - 1] == "btf_kfunc_id_set"
            && texts[name_at - 2] == "struct";
        let elements = cdecl::split_commas(init);
        if is_id_set {
            if is_array {
                for (idx, el) in elements.iter().enumerate() {
                    let el = strip_braces(el);
                    self.facts
                        .id_sets
                        .push(id_set(&name, Some(idx), tok.line, el));
                }
            } else {
                self.facts.id_sets.push(id_set(&name, None, tok.line, init));
            }
        } else if is_array {
            let els: Vec<Vec<String>> = elements
                .iter()
                .filter(|e| !e.is_empty())
                .map(|e| e.iter().map(|s| s.to_string()).collect())
                .collect();
            self.facts.arrays.insert(name, els);
        }
    }

    fn run(mut self) -> FileFacts {
        let mut decl: Vec<usize> = Vec::new();
        let mut comment_before: Option<Token> = None;
        let mut decl_comment: Option<Token> = None;
        let mut i = 0;
        let mut first_directive = true;
        while i < self.toks.len() {
            let t = self.toks[i];
            match t.kind {
                Kind::BlockComment | Kind::LineComment => {
                    if decl.is_empty() {
                        comment_before = Some(t);
                    }
                    i += 1;
                    continue;
                }
                Kind::Directive => {
                    // An include guard is `#ifndef X` directly followed by `#define X`.
                    let guard_name = if first_directive {
                        self.toks[i + 1..]
                            .iter()
                            .find(|n| !n.is_comment())
                            .filter(|n| n.kind == Kind::Directive)
                            .map(|n| directive_words(n.text(self.src)))
                            .and_then(|w| {
                                w.strip_prefix("define ")
                                    .map(|s| s.split(' ').next().unwrap_or("").to_string())
                            })
                    } else {
                        None
                    };
                    first_directive = false;
                    self.directive(t, guard_name.as_deref());
                    comment_before = None;
                    i += 1;
                    continue;
                }
                _ => {}
            }
            let text = t.text(self.src);
            // BTF_* macros are statements of their own, with or without `;`.
            if t.kind == Kind::Ident && text.starts_with("BTF_") {
                let next = self.peek(i + 1);
                if next < self.toks.len() && self.toks[next].is_punct(self.src, b'(') {
                    decl.clear();
                    comment_before = None;
                    i = self.btf_macro(i, text);
                    continue;
                }
            }
            // Anything else inside a set is a macro that expands to entries.
            if t.kind == Kind::Ident && self.open_set.is_some() {
                decl.clear();
                comment_before = None;
                i = self.macro_use(i);
                continue;
            }
            if decl.is_empty() {
                decl_comment = comment_before.take();
            }
            match text {
                ";" if t.kind == Kind::Punct => {
                    self.statement(&decl);
                    self.declaration(&decl);
                    decl.clear();
                    i += 1;
                }
                "{" if t.kind == Kind::Punct => {
                    let decl_toks: Vec<Token> = decl.iter().map(|&k| self.toks[k]).collect();
                    let prev_is_eq = decl.last().is_some_and(|&k| self.text(k) == "=");
                    let header = if prev_is_eq {
                        None
                    } else {
                        cdecl::parse_header(self.src, &decl_toks)
                    };
                    match header {
                        Some(header) => {
                            let name_tok = decl_toks[header.name_index];
                            let idx = self.facts.functions.len();
                            let marker = if header.has_marker {
                                Marker::BpfKfunc
                            } else if self.diag_depth > 0 {
                                Marker::DiagRegion
                            } else {
                                Marker::None
                            };
                            let comment = decl_comment.map(|c| (c.start, c.end, c.line));
                            self.facts.functions.push(FuncDef {
                                header,
                                line: name_tok.line,
                                col: name_tok.col,
                                marker,
                                comment,
                                body: (t.start, t.start),
                                body_line: t.line,
                            });
                            let after = self.body(i, Some(idx));
                            let end = self.toks.get(after - 1).map_or(self.src.len(), |e| e.end);
                            self.facts.functions[idx].body.1 = end;
                            decl.clear();
                            i = after;
                        }
                        None => {
                            // struct/union/enum body or initializer: keep its
                            // tokens in the declaration, up to the `;`.
                            let after = self.body(i, None);
                            decl.extend(i..after);
                            i = after;
                        }
                    }
                }
                "}" if t.kind == Kind::Punct => {
                    // A stray closing brace at file scope (unbalanced #ifdef
                    // branches upstream): drop what was accumulated.
                    decl.clear();
                    i += 1;
                }
                _ => {
                    decl.push(i);
                    i += 1;
                }
            }
        }
        if let Some(set) = self.open_set.take() {
            let loc = self.facts.loc(set.line, 1);
            self.facts.diags.push(Diagnostic::at(
                Code::UnterminatedSet,
                &loc,
                format!(
                    "set `{}` is not closed before the end of the file",
                    set.name
                ),
            ));
            self.facts.sets.push(set);
        }
        if self.frames.iter().any(|f| !f.guard) {
            let line = self.toks.last().map_or(1, |t| t.line);
            let loc = self.facts.loc(line, 1);
            if !self.reported_unbalanced {
                self.facts.diags.push(Diagnostic::at(
                    Code::UnbalancedConditional,
                    &loc,
                    "#if still open at the end of the file",
                ));
            }
        }
        self.facts
    }

    /// Tracks `__diag_push();` / `__bpf_kfunc_start_defs();` regions.
    fn statement(&mut self, decl: &[usize]) {
        let Some(&first) = decl.first() else { return };
        match self.text(first) {
            "__diag_push" | "__bpf_kfunc_start_defs" | "__bpf_hook_start" => self.diag_depth += 1,
            "__diag_pop" | "__bpf_kfunc_end_defs" | "__bpf_hook_end" => {
                self.diag_depth = self.diag_depth.saturating_sub(1)
            }
            _ => {}
        }
    }
}

fn strip_braces<'a, 'b>(el: &'b [&'a str]) -> &'b [&'a str] {
    match (el.first(), el.last()) {
        (Some(&"{"), Some(&"}")) => &el[1..el.len() - 1],
        _ => el,
    }
}

/// Reads `.owner = X, .set = &Y, .filter = Z` (or positional) initializers.
fn id_set(name: &str, index: Option<usize>, line: u32, init: &[&str]) -> IdSetDecl {
    let mut d = IdSetDecl {
        name: name.to_string(),
        index,
        line,
        set: None,
        filter: None,
        owner: None,
    };
    for (pos, field) in cdecl::split_commas(init).into_iter().enumerate() {
        let (key, value) = match field {
            [".", key, "=", value @ ..] => (*key, value),
            value => (
                ["owner", "set", "filter"].get(pos).copied().unwrap_or(""),
                value,
            ),
        };
        let value: Vec<&str> = value.iter().copied().filter(|t| *t != "&").collect();
        let text = cdecl::join(value.iter().copied());
        if text.is_empty() {
            continue;
        }
        match key {
            "owner" => d.owner = Some(text),
            "set" => d.set = Some(text),
            "filter" => d.filter = Some(text),
            _ => {}
        }
    }
    d
}

/// Scans one file. `bytes` may be any bytes; invalid UTF-8 is replaced and
/// reported.
pub fn scan(path: &str, bytes: Vec<u8>) -> FileFacts {
    let mut diags = Vec::new();
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = 1 + bytes[..bad].iter().filter(|&&b| b == b'\n').count() as u32;
            let loc = Loc::new(path, line, 1);
            diags.push(Diagnostic::at(
                Code::NonUtf8,
                &loc,
                format!(
                    "byte {bad} is not valid UTF-8; the file is read with replacement characters"
                ),
            ));
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    let mut lexer = Lexer::new(&text);
    let toks: Vec<Token> = lexer.by_ref().collect();
    if let Some(line) = lexer.unterminated_comment() {
        let loc = Loc::new(path, line, 1);
        diags.push(Diagnostic::at(
            Code::UnterminatedComment,
            &loc,
            "comment is not closed before the end of the file",
        ));
    }
    // The scanner borrows the text; move it into the facts afterwards.
    let facts = {
        let scanner = Scanner {
            src: &text,
            toks,
            facts: FileFacts {
                path: path.to_string(),
                diags,
                ..FileFacts::default()
            },
            frames: Vec::new(),
            diag_depth: 0,
            open_set: None,
            reported_unbalanced: false,
            live: Defines::new(),
        };
        scanner.run()
    };
    FileFacts { text, ..facts }
}

#[cfg(test)]
mod tests;
