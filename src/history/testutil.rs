//! Catalogs for the unit tests of histories (folding, checking against a
//! policy, rendering).

use crate::model::{Catalog, InputInfo, KernelInfo, Kfunc};

/// A catalog of `version` with `kfuncs` (sorted here), read from source or
/// from a built kernel (raw BTF).
pub(crate) fn catalog(version: &str, mut kfuncs: Vec<Kfunc>, source: bool) -> Catalog {
    kfuncs.sort_by(|a, b| a.name.cmp(&b.name));
    Catalog {
        kernel: KernelInfo {
            version: Some(version.into()),
            inputs: vec![InputInfo {
                kind: if source { "source" } else { "raw-btf" }.into(),
                path: None,
                release: None,
            }],
            ..KernelInfo::default()
        },
        kfuncs,
        ..Catalog::default()
    }
}
