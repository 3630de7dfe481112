//! `kfuncdoc check`: facts and decisions held against each other.
//!
//! Pure: a [`Merged`] catalog, its [`Policy`] and the merge's own findings
//! in, findings out, each at the place to fix: the policy line for a
//! decision, the source line for a fact. One function per lint, all
//! registered in [`LINTS`]; the codes, levels and explanations live in
//! [`crate::diag::codes`]. Levels are the policy's (`lints:`), applied to
//! every finding, extraction findings included.

pub mod history;
mod kdoc_lint;
mod lints;
mod markup;
mod notices;
#[cfg(test)]
mod tests;

use crate::diag::{self, Code, Diagnostic};
use crate::kernel::KernelVersion;
use crate::merge::Merged;
use crate::policy::Policy;

/// What a lint looks at.
pub struct Cx<'a> {
    /// The merged catalog.
    pub merged: &'a Merged,
    /// The policy.
    pub policy: &'a Policy,
    /// The kernel's release, when known.
    pub kernel: Option<KernelVersion>,
}

/// A lint: a code and the function that finds its cases.
pub struct Lint {
    /// Its code.
    pub code: Code,
    /// Finds the cases.
    pub run: fn(&Cx<'_>, &mut Vec<Diagnostic>),
}

/// Every lint `check` runs, in registry order.
pub const LINTS: &[Lint] = &[
    Lint {
        code: Code::UnknownKfunc,
        run: lints::unknown_kfunc,
    },
    Lint {
        code: Code::MissingDecision,
        run: lints::missing_decision,
    },
    Lint {
        code: Code::DeprecatedWithoutReplacement,
        run: lints::deprecated_without_replacement,
    },
    Lint {
        code: Code::DeprecatedWithoutPlan,
        run: lints::deprecated_without_plan,
    },
    Lint {
        code: Code::RemovalTooSoon,
        run: lints::removal_too_soon,
    },
    Lint {
        code: Code::BadReplacement,
        run: lints::bad_replacement,
    },
    Lint {
        code: Code::InconsistentVersions,
        run: lints::inconsistent_versions,
    },
    Lint {
        code: Code::StableTestOnly,
        run: lints::stable_test_only,
    },
    Lint {
        code: Code::StableWithoutDoc,
        run: lints::stable_without_doc,
    },
    Lint {
        code: Code::DocParamsMismatch,
        run: lints::doc_params_mismatch,
    },
    Lint {
        code: Code::KernelDocWarning,
        run: kdoc_lint::kernel_doc_warning,
    },
    Lint {
        code: Code::SleepableUnreachable,
        run: lints::sleepable_unreachable,
    },
    Lint {
        code: Code::RemovedStillPresent,
        run: lints::removed_still_present,
    },
    Lint {
        code: Code::RemovalOverdue,
        run: lints::removal_overdue,
    },
    Lint {
        code: Code::RuleMatchesNothing,
        run: lints::rule_matches_nothing,
    },
    Lint {
        code: Code::DeprecationUndocumented,
        run: lints::deprecation_undocumented,
    },
    Lint {
        code: Code::MissingSince,
        run: lints::missing_since,
    },
    Lint {
        code: Code::UpstreamNoticeUnrecorded,
        run: notices::upstream_notice_unrecorded,
    },
    Lint {
        code: Code::UpstreamRemovalOverdue,
        run: notices::upstream_removal_overdue,
    },
    Lint {
        code: Code::UnsafeLink,
        run: markup::unsafe_link,
    },
    Lint {
        code: Code::UnsafePath,
        run: markup::unsafe_path,
    },
];

/// Codes that `check` reports without a lint function of their own: the
/// merge's rule conflicts.
pub const MERGE_CODES: &[Code] = &[Code::RuleConflict];

/// Runs every lint. `earlier` are findings made before (extraction, merge);
/// they are re-levelled by the policy too. Returns the findings to report,
/// sorted, `allow` ones dropped.
pub fn check(merged: &Merged, policy: &Policy, earlier: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let kernel = merged
        .kernel
        .version
        .as_deref()
        .and_then(KernelVersion::parse_lenient);
    let cx = Cx {
        merged,
        policy,
        kernel,
    };
    let mut out = earlier;
    for lint in LINTS {
        (lint.run)(&cx, &mut out);
    }
    for d in &mut out {
        d.level = policy.level(d.code);
    }
    diag::finish(&mut out);
    out
}
