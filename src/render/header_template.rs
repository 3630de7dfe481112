//! The tera instance for the C header's template (`templates/header/`):
//! every `{{ value }}` is escaped for a `/* */` comment by default
//! ([`c_escape::comment`]); `c_string` makes a string literal, `c_ident`
//! and `c_decl` print an identifier or a declaration raw after checking
//! that it is one (a `--from-context` file is input). Pure.

use super::c_escape;
use super::guard;
use tera::{Kwargs, State, Tera, Value};

fn comment_escape(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(c_escape::comment(s).as_bytes())
}

fn refuse(what: &str, s: &str) -> tera::Error {
    tera::Error::message(format!(
        "`{}` is not {what}",
        crate::diag::terminal::escape(s)
    ))
}

/// A tera for the header templates.
pub(super) fn tera() -> Tera {
    let mut t = Tera::new();
    t.autoescape_on([".h"]);
    t.set_escape_fn(comment_escape);
    t.register_function("range", guard::range);
    t.register_filter("c_string", |s: &str, _: Kwargs, _: &State| {
        Value::safe_string(&c_escape::string(s))
    });
    t.register_filter(
        "c_ident",
        |s: &str, _: Kwargs, _: &State| -> tera::TeraResult<Value> {
            if c_escape::is_ident(s) {
                Ok(Value::safe_string(s))
            } else {
                Err(refuse("a C identifier", s))
            }
        },
    );
    t.register_filter(
        "c_decl",
        |s: &str, _: Kwargs, _: &State| -> tera::TeraResult<Value> {
            if c_escape::is_declaration(s) {
                Ok(Value::safe_string(s))
            } else {
                Err(refuse("one C declaration kfuncdoc can print", s))
            }
        },
    );
    t
}
