//! Conditions on a program's attributes, in disjunctive normal form.
//!
//! A filter's verdict for one kfunc and one program type is a formula over
//! the attributes the program type does not fix: its expected attach type,
//! whether it is sleepable, the struct_ops it implements. Formulas stay
//! small (a few literals), so they are kept as a sorted set of clauses and
//! simplified after every step; the printed form is C, as the filter
//! writes it.

use std::collections::BTreeSet;
use std::fmt;

/// One test on a program attribute.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Atom {
    /// `attr == value` (`prog->expected_attach_type == BPF_TRACE_ITER`).
    Eq(String, String),
    /// A boolean attribute (`prog->aux->sleepable`).
    Flag(String),
}

/// A literal: an atom or its negation (`false`).
type Lit = (Atom, bool);

/// A formula: an OR of ANDs of literals. No clause is `false`; one empty
/// clause is `true`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dnf(BTreeSet<BTreeSet<Lit>>);

impl Dnf {
    /// The constant `b`.
    pub fn constant(b: bool) -> Self {
        let mut s = BTreeSet::new();
        if b {
            s.insert(BTreeSet::new());
        }
        Dnf(s)
    }

    /// The atom `a`.
    pub fn atom(a: Atom) -> Self {
        Dnf([[(a, true)].into_iter().collect()].into_iter().collect())
    }

    /// `Some(b)` when the formula is the constant `b`.
    pub fn as_const(&self) -> Option<bool> {
        if self.0.is_empty() {
            Some(false)
        } else if self.0.iter().any(BTreeSet::is_empty) {
            Some(true)
        } else {
            None
        }
    }

    /// `self && other`.
    pub fn and(&self, other: &Dnf) -> Dnf {
        let mut out = BTreeSet::new();
        for a in &self.0 {
            for b in &other.0 {
                if let Some(c) = simplify(a.iter().chain(b).cloned().collect()) {
                    out.insert(c);
                }
            }
        }
        absorb(out)
    }

    /// `self || other`.
    pub fn or(&self, other: &Dnf) -> Dnf {
        absorb(self.0.iter().chain(&other.0).cloned().collect())
    }

    /// `!self`.
    pub fn not(&self) -> Dnf {
        let mut acc = Dnf::constant(true);
        for clause in &self.0 {
            let mut any = Dnf::constant(false);
            for (a, pos) in clause {
                let lit: BTreeSet<Lit> = [(a.clone(), !pos)].into_iter().collect();
                any = any.or(&Dnf([lit].into_iter().collect()));
            }
            acc = acc.and(&any);
        }
        acc
    }

    /// Drops the clauses for which `keep` says no (they cannot hold).
    pub fn retain_clauses(&mut self, keep: impl Fn(&[(Atom, bool)]) -> bool) {
        self.0
            .retain(|c| keep(&c.iter().cloned().collect::<Vec<_>>()));
    }
}

/// A clause without contradictions and without literals another implies;
/// `None` when it cannot hold.
fn simplify(c: BTreeSet<Lit>) -> Option<BTreeSet<Lit>> {
    for (a, pos) in &c {
        if c.contains(&(a.clone(), !pos)) {
            return None;
        }
    }
    // Distinct enum constants and objects: `x == A && x == B` cannot hold,
    // and `x == A` implies `x != B`.
    let eqs: Vec<(String, String)> = c
        .iter()
        .filter_map(|(a, pos)| match a {
            Atom::Eq(attr, v) if *pos => Some((attr.clone(), v.clone())),
            _ => None,
        })
        .collect();
    for (i, (attr, v)) in eqs.iter().enumerate() {
        if eqs[i + 1..].iter().any(|(a2, v2)| a2 == attr && v2 != v) {
            return None;
        }
    }
    Some(
        c.into_iter()
            .filter(|(a, pos)| match a {
                Atom::Eq(attr, v) if !pos => !eqs.iter().any(|(a2, v2)| a2 == attr && v2 != v),
                _ => true,
            })
            .collect(),
    )
}

/// Removes clauses that contain another clause (`A || A && B` is `A`).
fn absorb(set: BTreeSet<BTreeSet<Lit>>) -> Dnf {
    let all: Vec<&BTreeSet<Lit>> = set.iter().collect();
    let kept = all
        .iter()
        .filter(|c| !all.iter().any(|o| o != *c && o.is_subset(c)))
        .map(|c| (*c).clone())
        .collect();
    Dnf(kept)
}

fn lit_text((a, pos): &Lit) -> String {
    match a {
        Atom::Eq(attr, v) => format!("{attr} {} {v}", if *pos { "==" } else { "!=" }),
        Atom::Flag(attr) if *pos => attr.clone(),
        Atom::Flag(attr) => format!("!{attr}"),
    }
}

impl fmt::Display for Dnf {
    /// The C form: `a == X || b && !c`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_const() {
            Some(b) => write!(f, "{b}"),
            None => {
                let many = self.0.len() > 1;
                let clauses: Vec<String> = self
                    .0
                    .iter()
                    .map(|c| {
                        let lits: Vec<String> = c.iter().map(lit_text).collect();
                        if many && lits.len() > 1 {
                            format!("({})", lits.join(" && "))
                        } else {
                            lits.join(" && ")
                        }
                    })
                    .collect();
                write!(f, "{}", clauses.join(" || "))
            }
        }
    }
}
