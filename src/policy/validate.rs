//! Raw policy → validated [`Policy`]: versions parsed, globs checked, level
//! and lint names known. Every problem is collected with its position, so
//! that one run reports all of them.

use super::glob::Glob;
use super::model::*;
use super::raw::*;
use crate::diag::{Code, Level};
use crate::kernel::KernelVersion;
use crate::loc::Loc;
use serde_saphyr::Spanned;

/// A problem with a policy file: position and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub loc: Loc,
    /// What.
    pub message: String,
}

/// The schema version this release reads.
pub const SCHEMA: u32 = 1;

struct Cx<'a> {
    file: &'a str,
    problems: Vec<Problem>,
}

impl Cx<'_> {
    fn loc<T>(&self, s: &Spanned<T>) -> Loc {
        Loc::new(
            self.file,
            s.referenced.line() as u32,
            s.referenced.column() as u32,
        )
    }

    fn problem(&mut self, loc: Loc, message: impl Into<String>) {
        self.problems.push(Problem {
            loc,
            message: message.into(),
        });
    }

    fn text(&self, s: &Option<Spanned<String>>) -> Option<Located<String>> {
        s.as_ref().map(|s| Located {
            value: s.value.clone(),
            loc: self.loc(s),
        })
    }

    fn stability(&mut self, s: &Option<Spanned<String>>) -> Option<Located<Stability>> {
        let s = s.as_ref()?;
        let loc = self.loc(s);
        match s.value.parse::<Stability>() {
            Ok(v) => Some(Located { value: v, loc }),
            Err(()) => {
                let known: Vec<&str> = Stability::ALL.iter().map(|l| l.as_str()).collect();
                self.problem(
                    loc,
                    format!(
                        "unknown stability `{}` (one of {}){}",
                        s.value,
                        known.join(", "),
                        crate::suggest::did_you_mean(&s.value, known.iter().copied())
                    ),
                );
                None
            }
        }
    }

    fn version(&mut self, s: &Option<Spanned<String>>) -> Option<Located<KernelVersion>> {
        let s = s.as_ref()?;
        let loc = self.loc(s);
        match s.value.trim().parse::<KernelVersion>() {
            Ok(v) => Some(Located { value: v, loc }),
            Err(e) => {
                self.problem(loc, e.to_string());
                None
            }
        }
    }

    fn glob(&mut self, s: &Option<Spanned<String>>, path: bool) -> Option<Glob> {
        let s = s.as_ref()?;
        let r = if path {
            Glob::path(&s.value)
        } else {
            Glob::name(&s.value)
        };
        match r {
            Ok(g) => Some(g),
            Err(e) => {
                let loc = self.loc(s);
                self.problem(loc, e.to_string());
                None
            }
        }
    }

    /// A link target: checked here, at its line, by the same rule the
    /// templates apply, so that `check` refuses what `render` would
    /// (issue 10).
    fn url(&mut self, url: &str, loc: &Loc) {
        if let Some(message) = crate::render::safe::url_problem(url) {
            self.problem(loc.clone(), message);
        }
    }
}

/// A name that could be a C identifier (kfunc names are).
fn is_identifier(s: &str) -> bool {
    s.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Validates one parsed file.
pub fn validate(file: &str, raw: RawPolicy) -> Result<Policy, Vec<Problem>> {
    let mut cx = Cx {
        file,
        problems: Vec::new(),
    };
    if raw.schema.value != SCHEMA {
        let loc = cx.loc(&raw.schema);
        cx.problem(
            loc,
            format!(
                "schema {} is not supported; this kfuncdoc reads schema {SCHEMA}",
                raw.schema.value
            ),
        );
    }
    let mut p = Policy {
        files: vec![file.to_string()],
        ..Policy::default()
    };

    if let Some(lc) = &raw.lifecycle {
        let lc = &lc.value;
        p.lifecycle.statement = cx.text(&lc.statement);
        p.lifecycle.min_deprecation_releases =
            lc.min_deprecation_releases.as_ref().map(|n| Located {
                value: n.value,
                loc: cx.loc(n),
            });
        for (key, text) in &lc.levels.0 {
            let loc = cx.loc(key);
            match key.value.parse::<Stability>() {
                Ok(level) => {
                    p.lifecycle.levels.insert(
                        level,
                        Located {
                            value: text.value.clone(),
                            loc: cx.loc(text),
                        },
                    );
                }
                Err(()) => cx.problem(loc, format!("`{}` is not a stability level", key.value)),
            }
        }
    }
    if let Some(d) = &raw.defaults {
        p.defaults = Defaults {
            stability: cx.stability(&d.stability),
            owner: cx.text(&d.owner),
            notes: cx.text(&d.notes),
        };
    }
    for (i, r) in raw.rules.iter().enumerate() {
        let loc = cx.loc(r);
        let r = &r.value;
        let m = &r.matcher.value;
        let matcher = Matcher {
            name: cx.glob(&m.name, false),
            subsystem: cx.glob(&m.subsystem, false),
            file: cx.glob(&m.file, true),
            set: cx.glob(&m.set, false),
        };
        if m.name.is_none() && m.subsystem.is_none() && m.file.is_none() && m.set.is_none() {
            let mloc = cx.loc(&r.matcher);
            cx.problem(mloc, "a rule must match on at least one of name, subsystem, file, set (use `defaults` for all kfuncs)");
        }
        let rule = Rule {
            label: r.name.clone().unwrap_or_else(|| format!("rules[{i}]")),
            loc,
            matcher,
            stability: cx.stability(&r.stability),
            owner: cx.text(&r.owner),
            notes: cx.text(&r.notes),
        };
        if rule.stability.is_none() && rule.owner.is_none() && rule.notes.is_none() {
            let loc = rule.loc.clone();
            cx.problem(
                loc,
                format!(
                    "rule `{}` assigns nothing (stability, owner or notes)",
                    rule.label
                ),
            );
        }
        p.rules.push(rule);
    }
    for (key, e) in &raw.kfuncs.0 {
        let loc = cx.loc(key);
        if !is_identifier(&key.value) {
            cx.problem(
                loc.clone(),
                format!("`{}` is not a kfunc name (a C identifier)", key.value),
            );
        }
        let entry = entry(&mut cx, &key.value, loc, e);
        p.kfuncs.insert(key.value.clone(), entry);
    }
    for (key, level) in &raw.lints.0 {
        let loc = cx.loc(key);
        let Some(code) = Code::from_name(&key.value) else {
            cx.problem(
                loc,
                format!(
                    "unknown lint `{}` (kfuncdoc check --list lists them){}",
                    key.value,
                    crate::suggest::did_you_mean(&key.value, Code::ALL.iter().map(|c| c.name()))
                ),
            );
            continue;
        };
        let lloc = cx.loc(level);
        match level.value.as_str() {
            "allow" => p.lints.insert(
                code,
                Located {
                    value: Level::Allow,
                    loc: lloc,
                },
            ),
            "info" => p.lints.insert(
                code,
                Located {
                    value: Level::Info,
                    loc: lloc,
                },
            ),
            "warn" => p.lints.insert(
                code,
                Located {
                    value: Level::Warn,
                    loc: lloc,
                },
            ),
            "deny" => p.lints.insert(
                code,
                Located {
                    value: Level::Deny,
                    loc: lloc,
                },
            ),
            other => {
                cx.problem(
                    lloc,
                    format!(
                        "`{other}` is not a level (allow, info, warn or deny){}",
                        crate::suggest::did_you_mean(other, ["allow", "info", "warn", "deny"])
                    ),
                );
                None
            }
        };
    }
    if cx.problems.is_empty() {
        Ok(p)
    } else {
        Err(cx.problems)
    }
}

fn entry(cx: &mut Cx<'_>, name: &str, loc: Loc, e: &RawEntry) -> Entry {
    let replacement = e.replacement.as_ref().and_then(|r| {
        let rloc = cx.loc(r);
        let value = match &r.value {
            RawReplacement::Kfunc(k) => {
                if !is_identifier(k) {
                    cx.problem(rloc.clone(), format!("replacement `{k}` is not a kfunc name; write `none: reason` when there is none"));
                    return None;
                }
                Replacement::Kfunc(k.clone())
            }
            RawReplacement::None(n) => {
                if n.none.trim().is_empty() {
                    cx.problem(rloc.clone(), "`none:` needs the reason there is no replacement");
                }
                Replacement::None(n.none.clone())
            }
        };
        Some(Located { value, loc: rloc })
    });
    let users = e
        .users
        .iter()
        .map(|u| {
            let uloc = cx.loc(u);
            if let Some(url) = &u.value.url {
                let l = cx.loc(url);
                cx.url(&url.value, &l);
            }
            User {
                name: u.value.name.clone(),
                url: u.value.url.as_ref().map(|s| s.value.clone()),
                loc: uloc,
            }
        })
        .collect();
    let links = e
        .links
        .iter()
        .map(|l| {
            let lloc = cx.loc(l);
            let (title, url) = match &l.value {
                RawLink::Url(u) => (None, u.clone()),
                RawLink::Titled(t) => (Some(t.title.clone()), t.url.clone()),
            };
            cx.url(&url, &lloc);
            Link {
                title,
                url,
                loc: lloc,
            }
        })
        .collect();
    Entry {
        name: name.to_string(),
        loc,
        stability: cx.stability(&e.stability),
        since: cx.version(&e.since),
        deprecated_in: cx.version(&e.deprecated_in),
        removal_planned: cx.version(&e.removal_planned),
        removed_in: cx.version(&e.removed_in),
        replacement,
        rationale: cx.text(&e.rationale),
        users,
        links,
        owner: cx.text(&e.owner),
        notes: cx.text(&e.notes),
    }
}
