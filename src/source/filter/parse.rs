//! A function body → statements and expressions, for the C subset filter
//! callbacks are written in.
//!
//! Everything outside that subset still parses into
//! [`Stmt::Unsupported`] or [`Expr::Unsupported`] with what it was and
//! where, so that evaluation can say why it stopped, and only when the
//! construct is reached.

use crate::source::lex::{Kind, Lexer};

/// Multi-byte operators, longest first (the lexer yields one byte each).
const OPS: &[&str] = &[
    "<<=", ">>=", "...", "->", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "++", "--", "+=",
    "-=", "*=", "/=", "%=", "&=", "|=", "^=",
];

/// Words that start a statement the evaluator does not follow.
const UNSUPPORTED: &[&str] = &[
    "for", "while", "do", "switch", "goto", "break", "continue", "case", "default", "asm",
];

/// Words that make a parenthesised group a cast or a statement a declaration.
const TYPE_WORDS: &[&str] = &[
    "bool", "int", "long", "short", "char", "unsigned", "signed", "void", "const", "volatile",
    "struct", "union", "enum", "static", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
    "size_t",
];

/// A token: text and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tok {
    /// The text (an operator may be several bytes).
    pub text: String,
    /// Identifier, number, string or punctuation.
    pub kind: Kind,
    /// Line.
    pub line: u32,
}

/// An expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// An identifier.
    Ident(String),
    /// An integer literal.
    Num(i64),
    /// `op e` (`!`, `-`, `~`, `&`, `*`, `+`).
    Unary(String, Box<Expr>),
    /// `a op b`.
    Binary(String, Box<Expr>, Box<Expr>),
    /// `c ? a : b`.
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `f(args)` with `f` an identifier.
    Call(String, Vec<Expr>),
    /// `e->field` or `e.field`.
    Member(Box<Expr>, String),
    /// `name = e`.
    Assign(String, Box<Expr>),
    /// Anything else: what it is, and its line.
    Unsupported(String, u32),
}

/// A statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    /// `{ ... }`.
    Block(Vec<Stmt>),
    /// `if (c) a else b`.
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    /// `return e;` (line).
    Return(Option<Expr>, u32),
    /// `type a = e, b;`.
    Decl(Vec<(String, Option<Expr>)>),
    /// `e;`.
    Expr(Expr),
    /// Something not followed: what it is, and its line.
    Unsupported(String, u32),
}

/// The tokens of `src[start..end]` (from line `line`), operators joined;
/// `Err` with the line of a preprocessor directive inside.
pub fn tokens(src: &str, start: usize, end: usize, line: u32) -> Result<Vec<Tok>, u32> {
    let mut out: Vec<Tok> = Vec::new();
    let mut prev_end = usize::MAX;
    for t in Lexer::range(src, start, end, line) {
        if t.is_comment() {
            continue;
        }
        if t.kind == Kind::Directive {
            return Err(t.line);
        }
        let text = t.text(src);
        if t.kind == Kind::Punct
            && prev_end == t.start
            && let Some(last) = out.last_mut()
            && last.kind == Kind::Punct
        {
            let joined = format!("{}{text}", last.text);
            if OPS.iter().any(|op| op.starts_with(&joined)) {
                last.text = joined;
                prev_end = t.end;
                continue;
            }
        }
        prev_end = t.end;
        out.push(Tok {
            text: text.to_string(),
            kind: t.kind,
            line: t.line,
        });
    }
    Ok(out)
}

/// A parser over tokens.
pub struct Parser<'t> {
    toks: &'t [Tok],
    pos: usize,
}

type PResult<T> = Result<T, String>;

impl<'t> Parser<'t> {
    /// Parses `toks`.
    pub fn new(toks: &'t [Tok]) -> Self {
        Parser { toks, pos: 0 }
    }

    fn peek(&self, off: usize) -> &str {
        self.toks
            .get(self.pos + off)
            .map_or("", |t| t.text.as_str())
    }

    fn line(&self) -> u32 {
        self.toks
            .get(self.pos)
            .or(self.toks.last())
            .map_or(0, |t| t.line)
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.peek(0) == s {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str) -> PResult<()> {
        if self.eat(s) {
            Ok(())
        } else {
            Err(format!("expected `{s}` at line {}", self.line()))
        }
    }

    /// A whole body `{ ... }`.
    pub fn body(&mut self) -> PResult<Vec<Stmt>> {
        self.expect("{")?;
        let mut out = Vec::new();
        while !self.eat("}") {
            if self.pos >= self.toks.len() {
                return Err("unterminated body".into());
            }
            out.push(self.stmt()?);
        }
        Ok(out)
    }

    /// Skips a balanced group opening at the current token.
    fn skip_group(&mut self) -> PResult<()> {
        let (open, close) = match self.peek(0) {
            "(" => ("(", ")"),
            "{" => ("{", "}"),
            "[" => ("[", "]"),
            _ => return Ok(()),
        };
        let mut depth = 0usize;
        while self.pos < self.toks.len() {
            let t = self.peek(0);
            if t == open {
                depth += 1;
            } else if t == close {
                depth -= 1;
                if depth == 0 {
                    self.pos += 1;
                    return Ok(());
                }
            }
            self.pos += 1;
        }
        Err(format!("unbalanced `{open}`"))
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        let line = self.line();
        let first = self.peek(0).to_string();
        match first.as_str() {
            "{" => {
                self.pos += 1;
                let mut v = Vec::new();
                while !self.eat("}") {
                    if self.pos >= self.toks.len() {
                        return Err("unterminated block".into());
                    }
                    v.push(self.stmt()?);
                }
                return Ok(Stmt::Block(v));
            }
            ";" => {
                self.pos += 1;
                return Ok(Stmt::Block(Vec::new()));
            }
            "if" => {
                self.pos += 1;
                self.expect("(")?;
                let c = self.expr()?;
                self.expect(")")?;
                let then = Box::new(self.stmt()?);
                let other = if self.eat("else") {
                    Some(Box::new(self.stmt()?))
                } else {
                    None
                };
                return Ok(Stmt::If(c, then, other));
            }
            "return" => {
                self.pos += 1;
                if self.eat(";") {
                    return Ok(Stmt::Return(None, line));
                }
                let e = self.expr()?;
                self.expect(";")?;
                return Ok(Stmt::Return(Some(e), line));
            }
            w if UNSUPPORTED.contains(&w) => {
                self.pos += 1;
                match w {
                    "do" => {
                        self.stmt()?;
                        self.expect("while")?;
                        self.skip_group()?;
                        self.expect(";")?;
                    }
                    "for" | "while" | "switch" => {
                        self.skip_group()?;
                        self.stmt()?;
                    }
                    "case" | "default" => {
                        while !self.eat(":") && self.pos < self.toks.len() {
                            self.pos += 1;
                        }
                    }
                    _ => {
                        while !self.eat(";") && self.pos < self.toks.len() {
                            self.pos += 1;
                        }
                    }
                }
                return Ok(Stmt::Unsupported(format!("`{w}`"), line));
            }
            _ => {}
        }
        let is_ident = |t: Option<&Tok>| t.is_some_and(|t| t.kind == Kind::Ident);
        let t0 = self.toks.get(self.pos);
        let t1 = self.toks.get(self.pos + 1);
        if is_ident(t0) && self.peek(1) == ":" {
            self.pos += 2;
            return Ok(Stmt::Unsupported("a label".into(), line));
        }
        let declaration = is_ident(t0)
            && (TYPE_WORDS.contains(&first.as_str())
                || is_ident(t1)
                || (self.peek(1) == "*" && is_ident(self.toks.get(self.pos + 2))));
        if declaration {
            return self.declaration(line);
        }
        let e = self.expr()?;
        self.expect(";")?;
        Ok(Stmt::Expr(e))
    }

    fn declaration(&mut self, line: u32) -> PResult<Stmt> {
        let mut vars = Vec::new();
        loop {
            let mut name = None;
            loop {
                match self.peek(0) {
                    "=" | "," | ";" => break,
                    "[" | "(" => {
                        self.skip_group()?;
                        return self.rest_unsupported("an array or function declarator", line);
                    }
                    "" => return Err("unterminated declaration".into()),
                    _ => {
                        let t = &self.toks[self.pos];
                        if t.kind == Kind::Ident {
                            name = Some(t.text.clone());
                        }
                        self.pos += 1;
                    }
                }
            }
            let name = name.ok_or_else(|| format!("declaration without a name at line {line}"))?;
            let init = if self.eat("=") {
                if self.peek(0) == "{" {
                    self.skip_group()?;
                    Some(Expr::Unsupported("an initializer list".into(), line))
                } else {
                    Some(self.assignment()?)
                }
            } else {
                None
            };
            vars.push((name, init));
            if self.eat(";") {
                return Ok(Stmt::Decl(vars));
            }
            self.expect(",")?;
        }
    }

    fn rest_unsupported(&mut self, what: &str, line: u32) -> PResult<Stmt> {
        while !self.eat(";") {
            if self.pos >= self.toks.len() {
                return Err("unterminated statement".into());
            }
            self.skip_group()?;
            self.pos += 1;
        }
        Ok(Stmt::Unsupported(what.into(), line))
    }

    /// An expression, commas included (`a, b` is not followed).
    pub fn expr(&mut self) -> PResult<Expr> {
        let e = self.assignment()?;
        if self.peek(0) == "," {
            let line = self.line();
            while self.eat(",") {
                self.assignment()?;
            }
            return Ok(Expr::Unsupported("a comma expression".into(), line));
        }
        Ok(e)
    }

    fn assignment(&mut self) -> PResult<Expr> {
        let line = self.line();
        let lhs = self.ternary()?;
        let op = self.peek(0).to_string();
        if op == "=" {
            self.pos += 1;
            let rhs = self.assignment()?;
            return Ok(match lhs {
                Expr::Ident(n) => Expr::Assign(n, Box::new(rhs)),
                _ => Expr::Unsupported("an assignment through a pointer or field".into(), line),
            });
        }
        if op.len() >= 2 && op.ends_with('=') && !matches!(op.as_str(), "==" | "!=" | "<=" | ">=") {
            self.pos += 1;
            self.assignment()?;
            return Ok(Expr::Unsupported(format!("`{op}`"), line));
        }
        Ok(lhs)
    }

    fn ternary(&mut self) -> PResult<Expr> {
        let c = self.binary(0)?;
        if self.eat("?") {
            let a = self.expr()?;
            self.expect(":")?;
            let b = self.ternary()?;
            return Ok(Expr::Ternary(Box::new(c), Box::new(a), Box::new(b)));
        }
        Ok(c)
    }

    fn binary(&mut self, level: usize) -> PResult<Expr> {
        const LEVELS: &[&[&str]] = &[
            &["||"],
            &["&&"],
            &["|"],
            &["^"],
            &["&"],
            &["==", "!="],
            &["<", ">", "<=", ">="],
            &["<<", ">>"],
            &["+", "-"],
            &["*", "/", "%"],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut lhs = self.binary(level + 1)?;
        loop {
            let op = self.peek(0).to_string();
            if !LEVELS[level].contains(&op.as_str()) {
                return Ok(lhs);
            }
            self.pos += 1;
            let rhs = self.binary(level + 1)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn unary(&mut self) -> PResult<Expr> {
        let line = self.line();
        let op = self.peek(0).to_string();
        if matches!(op.as_str(), "!" | "-" | "~" | "&" | "*" | "+") {
            self.pos += 1;
            let e = self.unary()?;
            return Ok(Expr::Unary(op, Box::new(e)));
        }
        if matches!(op.as_str(), "++" | "--" | "sizeof") {
            self.pos += 1;
            self.unary()?;
            return Ok(Expr::Unsupported(format!("`{op}`"), line));
        }
        if op == "(" && TYPE_WORDS.contains(&self.peek(1)) {
            self.skip_group()?;
            self.unary()?;
            return Ok(Expr::Unsupported("a cast".into(), line));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let line = self.line();
        let mut e = self.primary()?;
        loop {
            match self.peek(0) {
                "(" => {
                    self.pos += 1;
                    let mut args = Vec::new();
                    if !self.eat(")") {
                        loop {
                            args.push(self.assignment()?);
                            if self.eat(")") {
                                break;
                            }
                            self.expect(",")?;
                        }
                    }
                    e = match e {
                        Expr::Ident(f) => Expr::Call(f, args),
                        _ => Expr::Unsupported("a call through a pointer".into(), line),
                    };
                }
                "->" | "." => {
                    self.pos += 1;
                    let t = self
                        .toks
                        .get(self.pos)
                        .filter(|t| t.kind == Kind::Ident)
                        .ok_or_else(|| format!("expected a field at line {line}"))?;
                    let field = t.text.clone();
                    self.pos += 1;
                    e = Expr::Member(Box::new(e), field);
                }
                "[" => {
                    self.skip_group()?;
                    e = Expr::Unsupported("an array element".into(), line);
                }
                "++" | "--" => {
                    self.pos += 1;
                    e = Expr::Unsupported("`++`/`--`".into(), line);
                }
                _ => return Ok(e),
            }
        }
    }

    fn primary(&mut self) -> PResult<Expr> {
        let line = self.line();
        let t = self
            .toks
            .get(self.pos)
            .ok_or_else(|| "unexpected end of the body".to_string())?
            .clone();
        self.pos += 1;
        match t.kind {
            Kind::Ident => Ok(Expr::Ident(t.text)),
            Kind::Number => {
                let n = t.text.trim_end_matches(['u', 'U', 'l', 'L']);
                let v = match n.strip_prefix("0x").or_else(|| n.strip_prefix("0X")) {
                    Some(h) => i64::from_str_radix(h, 16).ok(),
                    None => n.parse().ok(),
                };
                Ok(v.map_or_else(
                    || Expr::Unsupported(format!("the number `{}`", t.text), line),
                    Expr::Num,
                ))
            }
            Kind::Str | Kind::Char => Ok(Expr::Unsupported("a literal".into(), line)),
            _ if t.text == "(" => {
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            _ => Err(format!("unexpected `{}` at line {line}", t.text)),
        }
    }
}
