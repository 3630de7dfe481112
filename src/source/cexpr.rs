//! C integer constant expressions, as the flags argument of
//! `BTF_ID_FLAGS()` is written: numbers with their suffixes, `KF_*` names,
//! macros of the file, `BIT(n)`, parentheses, unary `~ - + !`, and the
//! binary `* / % + - << >> & ^ |` with C's precedence.
//!
//! Real trees write `KF_ACQUIRE | KF_RET_NULL` and define flags as
//! `(1 << n)`; anything else is evaluated as the compiler would, or not at
//! all: before issue 10, `KF_ACQUIRE | (1 << 3)` was read as the OR of
//! every name and number in it (`1 | 3`, so `KF_ACQUIRE | KF_RELEASE`).
//! Pure: the caller says what a name means.

use super::lex::{Kind, Lexer, Token};

/// What a name in an expression stands for.
pub enum Name {
    /// A value (a `KF_*` flag of the table).
    Value(i64),
    /// An object-like macro's body, to be evaluated in its place.
    Body(String),
    /// Unknown.
    Unknown,
}

/// Why an expression could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fail {
    /// A name that is neither a value nor a macro.
    Unknown(String),
    /// Something this evaluator does not take, or an invalid operation.
    Bad(String),
}

/// How deep macro bodies may nest (also stops a macro that expands to
/// itself).
const MAX_DEPTH: usize = 16;

/// Evaluates `expr` to a 32-bit flags value. A top-level `|` chain is
/// evaluated operand by operand: operands naming unknown identifiers are
/// left out and their names returned in the second element (the rest is
/// still known to be set); any other failure fails the whole expression.
pub fn eval_flags(expr: &str, name: &dyn Fn(&str) -> Name) -> Result<(u32, Vec<String>), String> {
    let toks = tokens(expr)?;
    if toks.is_empty() {
        // `BTF_ID_FLAGS(func, name)`: no flags.
        return Ok((0, Vec::new()));
    }
    let mut value = 0u32;
    let mut unknown = Vec::new();
    for operand in split_or(&toks) {
        if operand.is_empty() {
            return Err("an empty operand of `|`".into());
        }
        match eval_tokens(operand, name, 0) {
            Ok(v) => value |= to_u32(v)?,
            Err(Fail::Unknown(n)) => unknown.push(n),
            Err(Fail::Bad(why)) => return Err(why),
        }
    }
    Ok((value, unknown))
}

fn to_u32(v: i64) -> Result<u32, String> {
    if let Ok(u) = u32::try_from(v) {
        Ok(u)
    } else if let Ok(i) = i32::try_from(v) {
        // A negative int converted to the u32 parameter, as C does.
        Ok(i as u32)
    } else {
        Err(format!("the value {v} does not fit in 32 bits"))
    }
}

/// An operator or operand token (two-byte operators joined).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Num(i64),
    Ident(String),
    Op(&'static str),
}

fn tokens(expr: &str) -> Result<Vec<Tok>, String> {
    let raw: Vec<Token> = Lexer::new(expr).filter(|t| !t.is_comment()).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let t = raw[i];
        let s = t.text(expr);
        let next = raw
            .get(i + 1)
            .filter(|n| n.start == t.end && n.kind == Kind::Punct)
            .map(|n| n.text(expr));
        match t.kind {
            Kind::Number => out.push(Tok::Num(number(s)?)),
            Kind::Ident => out.push(Tok::Ident(s.to_string())),
            Kind::Punct => {
                let two = match (s, next) {
                    ("<", Some("<")) => Some("<<"),
                    (">", Some(">")) => Some(">>"),
                    ("|", Some("|")) | ("&", Some("&")) => {
                        return Err(format!("`{s}{s}` is not a flags operator"));
                    }
                    _ => None,
                };
                if let Some(op) = two {
                    out.push(Tok::Op(op));
                    i += 1;
                } else {
                    let op = [
                        "(", ")", "~", "!", "*", "/", "%", "+", "-", "&", "^", "|", ",",
                    ]
                    .into_iter()
                    .find(|o| *o == s)
                    .ok_or_else(|| format!("`{s}` is not an integer operator"))?;
                    out.push(Tok::Op(op));
                }
            }
            _ => return Err(format!("`{s}` is not part of an integer expression")),
        }
        i += 1;
    }
    Ok(out)
}

/// A C integer literal with its suffixes: decimal, hex, octal, binary.
fn number(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}` is not an integer");
    let digits = s.trim_end_matches(['u', 'U', 'l', 'L']);
    let digits = digits.replace('\'', "");
    let (radix, body) = if let Some(h) = digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
        (16, h)
    } else if let Some(b) = digits.strip_prefix("0b").or(digits.strip_prefix("0B")) {
        (2, b)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits.as_str())
    };
    let v = u64::from_str_radix(body, radix).map_err(|_| bad())?;
    i64::try_from(v).map_err(|_| bad())
}

/// The operands of the top-level `|` operators.
fn split_or(toks: &[Tok]) -> Vec<&[Tok]> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Op("(") => depth += 1,
            Tok::Op(")") => depth -= 1,
            Tok::Op("|") if depth == 0 => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&toks[start..]);
    out
}

fn eval_tokens(toks: &[Tok], name: &dyn Fn(&str) -> Name, depth: usize) -> Result<i64, Fail> {
    let mut p = Parser {
        toks,
        pos: 0,
        name,
        depth,
    };
    let v = p.binary(0)?;
    match p.toks.get(p.pos) {
        None => Ok(v),
        Some(t) => Err(Fail::Bad(format!(
            "unexpected {} in the expression",
            show(t)
        ))),
    }
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("`{n}`"),
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Op(o) => format!("`{o}`"),
    }
}

/// Binary operators by precedence, loosest first.
const LEVELS: &[&[&str]] = &[
    &["|"],
    &["^"],
    &["&"],
    &["<<", ">>"],
    &["+", "-"],
    &["*", "/", "%"],
];

struct Parser<'a> {
    toks: &'a [Tok],
    pos: usize,
    name: &'a dyn Fn(&str) -> Name,
    depth: usize,
}

impl Parser<'_> {
    fn binary(&mut self, level: usize) -> Result<i64, Fail> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        while let Some(Tok::Op(op)) = self.toks.get(self.pos) {
            if !LEVELS[level].contains(op) {
                break;
            }
            let op = *op;
            self.pos += 1;
            let right = self.binary(level + 1)?;
            left = apply(op, left, right)?;
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<i64, Fail> {
        let t = self
            .toks
            .get(self.pos)
            .ok_or_else(|| Fail::Bad("the expression ends early".into()))?
            .clone();
        self.pos += 1;
        match t {
            Tok::Num(n) => Ok(n),
            Tok::Op("(") => {
                let v = self.binary(0)?;
                self.expect(")")?;
                Ok(v)
            }
            Tok::Op("~") => Ok(!self.unary()?),
            Tok::Op("!") => Ok(i64::from(self.unary()? == 0)),
            Tok::Op("-") => self
                .unary()?
                .checked_neg()
                .ok_or_else(|| Fail::Bad("overflow".into())),
            Tok::Op("+") => self.unary(),
            Tok::Ident(id) if id == "BIT" || id == "BIT_ULL" => {
                self.expect("(")?;
                let n = self.binary(0)?;
                self.expect(")")?;
                apply("<<", 1, n)
            }
            Tok::Ident(id) => match (self.name)(&id) {
                Name::Value(v) => Ok(v),
                Name::Body(_) if self.depth >= MAX_DEPTH => Err(Fail::Bad(format!(
                    "`{id}` expands more than {MAX_DEPTH} macros deep"
                ))),
                Name::Body(body) => {
                    let toks = tokens(&body).map_err(Fail::Bad)?;
                    eval_tokens(&toks, self.name, self.depth + 1)
                }
                Name::Unknown => Err(Fail::Unknown(id)),
            },
            t => Err(Fail::Bad(format!(
                "unexpected {} in the expression",
                show(&t)
            ))),
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), Fail> {
        match self.toks.get(self.pos) {
            Some(Tok::Op(o)) if *o == op => {
                self.pos += 1;
                Ok(())
            }
            _ => Err(Fail::Bad(format!("`{op}` expected"))),
        }
    }
}

fn apply(op: &str, a: i64, b: i64) -> Result<i64, Fail> {
    let overflow = || Fail::Bad(format!("`{a} {op} {b}` overflows"));
    match op {
        "|" => Ok(a | b),
        "^" => Ok(a ^ b),
        "&" => Ok(a & b),
        "<<" | ">>" if !(0..63).contains(&b) => Err(Fail::Bad(format!(
            "shift by {b} is out of range for a flags value"
        ))),
        "<<" => a
            .checked_shl(b as u32)
            .filter(|r| r >> b == a)
            .ok_or_else(overflow),
        ">>" => Ok(a >> b),
        "+" => a.checked_add(b).ok_or_else(overflow),
        "-" => a.checked_sub(b).ok_or_else(overflow),
        "*" => a.checked_mul(b).ok_or_else(overflow),
        "/" | "%" if b == 0 => Err(Fail::Bad("division by zero".into())),
        "/" => a.checked_div(b).ok_or_else(overflow),
        "%" => a.checked_rem(b).ok_or_else(overflow),
        _ => Err(Fail::Bad(format!("`{op}` is not a binary operator"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kf(n: &str) -> Name {
        match n {
            "KF_ACQUIRE" => Name::Value(1),
            "KF_RELEASE" => Name::Value(2),
            "KF_RCU" => Name::Value(1 << 7),
            "BOTH" => Name::Body("KF_ACQUIRE | KF_RELEASE".into()),
            "SELF" => Name::Body("SELF".into()),
            _ => Name::Unknown,
        }
    }

    fn ev(e: &str) -> Result<(u32, Vec<String>), String> {
        eval_flags(e, &kf)
    }

    #[test]
    fn evaluates_like_c() {
        assert_eq!(ev("KF_ACQUIRE | (1 << 3)"), Ok((0b1001, vec![])));
        assert_eq!(ev("KF_RCU + 1"), Ok((0x81, vec![])));
        assert_eq!(ev("KF_ACQUIRE|KF_RELEASE"), Ok((3, vec![])));
        assert_eq!(ev("BOTH & ~KF_ACQUIRE"), Ok((2, vec![])));
        assert_eq!(ev("(1U << 4) | 0x20UL | 010 | BIT(9)"), Ok((0x238, vec![])));
        assert_eq!(ev("1 + 2 * 3 << 1"), Ok((14, vec![])));
        assert_eq!(ev("~0"), Ok((u32::MAX, vec![])));
        assert_eq!(ev(""), Ok((0, vec![])));
        assert_eq!(ev("1 |"), Err("an empty operand of `|`".into()));
    }

    #[test]
    fn unknown_names_and_bad_forms() {
        assert_eq!(ev("KF_ACQUIRE | KF_NOPE"), Ok((1, vec!["KF_NOPE".into()])));
        assert!(ev("KF_NOPE + 1").unwrap().1 == ["KF_NOPE"]);
        assert!(ev("1 << 64").is_err());
        assert!(ev("1 / 0").is_err());
        assert!(ev("KF_ACQUIRE || KF_RELEASE").is_err());
        assert!(ev("SELF").is_err());
        assert!(ev("(1").is_err());
        assert!(ev("1 2").is_err());
        assert!(ev("\"s\"").is_err());
        assert!(ev("0x100000000").is_err());
    }
}
