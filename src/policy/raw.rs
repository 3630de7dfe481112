//! The policy file as written: serde structs mirroring the YAML, every
//! value that is validated later wrapped in `Spanned` so that a finding can
//! cite `file:line:col`. Unknown fields are rejected, and duplicate keys are
//! (serde-saphyr's default).

use serde::Deserialize;
use serde_saphyr::Spanned;
use std::fmt;
use std::marker::PhantomData;

/// A mapping kept in file order with the position of every key.
#[derive(Debug)]
pub struct KeyedMap<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for KeyedMap<V> {
    fn default() -> Self {
        KeyedMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for KeyedMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<V> {
            type Value = KeyedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    out.push((key, map.next_value()?));
                }
                Ok(KeyedMap(out))
            }
        }
        d.deserialize_map(Visitor(PhantomData))
    }
}

/// A whole policy file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// Schema version; must be 1.
    pub schema: Spanned<u32>,
    /// The project's lifecycle statement and promises.
    #[serde(default)]
    pub lifecycle: Option<Spanned<RawLifecycle>>,
    /// Values for kfuncs no rule or entry decides.
    #[serde(default)]
    pub defaults: Option<RawDefaults>,
    /// Values by match.
    #[serde(default)]
    pub rules: Vec<Spanned<RawRule>>,
    /// Decisions per kfunc.
    #[serde(default)]
    pub kfuncs: KeyedMap<RawEntry>,
    /// Level overrides per finding code.
    #[serde(default)]
    pub lints: KeyedMap<Spanned<String>>,
}

/// `lifecycle:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLifecycle {
    /// Markdown.
    #[serde(default)]
    pub statement: Option<Spanned<String>>,
    /// Releases a deprecated kfunc stays before removal.
    #[serde(default)]
    pub min_deprecation_releases: Option<Spanned<u32>>,
    /// What each stability level promises (Markdown), by level name.
    #[serde(default)]
    pub levels: KeyedMap<Spanned<String>>,
}

/// `defaults:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDefaults {
    /// Stability level name.
    #[serde(default)]
    pub stability: Option<Spanned<String>>,
    /// Who decides.
    #[serde(default)]
    pub owner: Option<Spanned<String>>,
    /// Markdown notes.
    #[serde(default)]
    pub notes: Option<Spanned<String>>,
}

/// One `rules:` item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// A label used in messages.
    #[serde(default)]
    pub name: Option<String>,
    /// What the rule applies to; every given criterion must match.
    #[serde(rename = "match")]
    pub matcher: Spanned<RawMatch>,
    /// Stability level name.
    #[serde(default)]
    pub stability: Option<Spanned<String>>,
    /// Who decides.
    #[serde(default)]
    pub owner: Option<Spanned<String>>,
    /// Markdown notes.
    #[serde(default)]
    pub notes: Option<Spanned<String>>,
}

/// `match:` of a rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMatch {
    /// Glob over the kfunc's name.
    #[serde(default)]
    pub name: Option<Spanned<String>>,
    /// Glob over the MAINTAINERS section title.
    #[serde(default)]
    pub subsystem: Option<Spanned<String>>,
    /// Path glob over the file of the kfunc's first set entry.
    #[serde(default)]
    pub file: Option<Spanned<String>>,
    /// Glob over the names of the kfunc's sets (any of them).
    #[serde(default)]
    pub set: Option<Spanned<String>>,
}

/// One `kfuncs:` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntry {
    /// Stability level name.
    #[serde(default)]
    pub stability: Option<Spanned<String>>,
    /// First release with the kfunc.
    #[serde(default)]
    pub since: Option<Spanned<String>>,
    /// Release that deprecated it.
    #[serde(default)]
    pub deprecated_in: Option<Spanned<String>>,
    /// Release it is planned to be removed in.
    #[serde(default)]
    pub removal_planned: Option<Spanned<String>>,
    /// Release that removed it.
    #[serde(default)]
    pub removed_in: Option<Spanned<String>>,
    /// A kfunc name, or `{none: reason}`.
    #[serde(default)]
    pub replacement: Option<Spanned<RawReplacement>>,
    /// Markdown.
    #[serde(default)]
    pub rationale: Option<Spanned<String>>,
    /// Known out-of-tree users.
    #[serde(default)]
    pub users: Vec<Spanned<RawUser>>,
    /// Further reading.
    #[serde(default)]
    pub links: Vec<Spanned<RawLink>>,
    /// Who decides.
    #[serde(default)]
    pub owner: Option<Spanned<String>>,
    /// Markdown notes.
    #[serde(default)]
    pub notes: Option<Spanned<String>>,
}

/// `replacement:`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawReplacement {
    /// Another kfunc.
    Kfunc(String),
    /// No replacement, and why.
    None(RawNoReplacement),
}

/// `replacement: {none: reason}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNoReplacement {
    /// Why there is none.
    pub none: String,
}

/// A known user.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUser {
    /// Project name.
    pub name: String,
    /// Where it lives.
    #[serde(default)]
    pub url: Option<Spanned<String>>,
}

/// A link: a bare URL or `{title, url}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawLink {
    /// A bare URL.
    Url(String),
    /// A titled URL.
    Titled(RawTitledLink),
}

/// `{title, url}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTitledLink {
    /// Text to show.
    pub title: String,
    /// The URL.
    pub url: String,
}
