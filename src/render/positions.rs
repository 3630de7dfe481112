//! The source positions a kfunc's section shows besides its `BTF_ID_FLAGS`
//! entry and its definition: where its comment is and where its sets are
//! registered (issue 9: every position on a page links to the source
//! browser). Templates print each with the `source` filter, the one place
//! that makes a link, so no template builds a URL itself. Pure.

use crate::model::{Kfunc, KfuncSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One `register_btf_kfunc_id_set()` call that makes a kfunc callable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationInfo {
    /// The kfunc set registered (`generic_btf_ids`).
    pub set: String,
    /// File of the call.
    pub file: String,
    /// Line of the call.
    pub line: u32,
    /// The program types the call registers the set for (short names,
    /// sorted; several when one call site serves several through a helper
    /// function).
    pub prog_types: Vec<String>,
    /// It registers the set for every program type (`BPF_PROG_TYPE_UNSPEC`).
    pub all_prog_types: bool,
}

/// The registrations of the sets listing `k`, sorted by file and line,
/// one per call site.
pub fn registrations(k: &Kfunc, sets: &[KfuncSet]) -> Vec<RegistrationInfo> {
    // A set is known by name and file: two files may each have a static
    // set of one name.
    let mut listed: Vec<(&str, &str)> = k
        .entries
        .iter()
        .map(|e| (e.set.as_str(), e.file.as_str()))
        .collect();
    listed.sort_unstable();
    listed.dedup();
    let mut by_call: BTreeMap<(&str, u32, &str), (Vec<String>, bool)> = BTreeMap::new();
    for s in sets
        .iter()
        .filter(|s| listed.contains(&(s.name.as_str(), s.file.as_str())))
    {
        for r in &s.registrations {
            let (types, all) = by_call
                .entry((r.file.as_str(), r.line, s.name.as_str()))
                .or_default();
            if r.prog_type == "BPF_PROG_TYPE_UNSPEC" && r.hook.is_some() {
                *all = true;
            } else {
                let t = &r.prog_type;
                types.push(t.strip_prefix("BPF_PROG_TYPE_").unwrap_or(t).to_string());
            }
        }
    }
    by_call
        .into_iter()
        .map(|((file, line, set), (mut prog_types, all_prog_types))| {
            prog_types.sort();
            prog_types.dedup();
            RegistrationInfo {
                set: set.to_string(),
                file: file.to_string(),
                line,
                prog_types,
                all_prog_types,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Registration, SetEntry};

    fn reg(prog_type: &str, file: &str, line: u32) -> Registration {
        Registration {
            prog_type: prog_type.into(),
            id_set: "x".into(),
            file: file.into(),
            line,
            hook: Some("H".into()),
            ..Registration::default()
        }
    }

    #[test]
    fn one_row_per_call_site_of_the_sets_listing_it() {
        let k = Kfunc {
            name: "k".into(),
            entries: vec![SetEntry {
                set: "a".into(),
                file: "a.c".into(),
                line: 3,
                ..SetEntry::default()
            }],
            ..Kfunc::default()
        };
        let sets = vec![
            KfuncSet {
                name: "a".into(),
                file: "a.c".into(),
                registrations: vec![
                    reg("BPF_PROG_TYPE_XDP", "b.c", 9),
                    reg("BPF_PROG_TYPE_TRACING", "b.c", 9),
                    reg("BPF_PROG_TYPE_UNSPEC", "a.c", 20),
                ],
                ..KfuncSet::default()
            },
            // Same name, other file: not this kfunc's set.
            KfuncSet {
                name: "a".into(),
                file: "z.c".into(),
                registrations: vec![reg("BPF_PROG_TYPE_LSM", "z.c", 1)],
                ..KfuncSet::default()
            },
        ];
        let r = registrations(&k, &sets);
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!((r[0].file.as_str(), r[0].line), ("a.c", 20));
        assert!(r[0].all_prog_types && r[0].prog_types.is_empty());
        assert_eq!((r[1].file.as_str(), r[1].line), ("b.c", 9));
        assert_eq!(r[1].prog_types, ["TRACING", "XDP"]);
    }
}
