//! "Did you mean …?": the closest of a few known words to a misspelt one.
//!
//! Used where a user wrote a name kfuncdoc knows the spelling of: a
//! stability level or a field of the policy, a finding code for `explain`,
//! a kfunc name in the policy. The measure is the optimal string
//! alignment distance (Levenshtein plus the swap of two neighbours, the
//! most common typing slip); a candidate is offered only when it is close
//! enough to be the likely intent, as rustc and cargo do.

/// The edit distance between `a` and `b`: insertions, deletions,
/// substitutions and transpositions of adjacent characters, each 1.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the dynamic-programming table: two back for swaps.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if one is within a third of the
/// word's length (at least 1 edit); on a tie, the first in `candidates`'
/// order, so that the answer is deterministic. `word` itself is never
/// offered.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = word.chars().count().max(3) / 3;
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let d = distance(word, c);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `"; did you mean `x`?"` for the closest candidate, or nothing.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_each_kind_of_edit_once() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("stable", "stable"), 0);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("stabel", "stable"), 1); // swap
        assert_eq!(distance("stabe", "stable"), 1); // insertion
        assert_eq!(distance("stablee", "stable"), 1); // deletion
        assert_eq!(distance("stabla", "stable"), 1); // substitution
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("ca", "abc"), 3); // OSA, not full Damerau
        assert_eq!(distance("ünï", "uni"), 2); // characters, not bytes
    }

    #[test]
    fn distance_is_symmetric() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "stable",
            "unstable",
            "stabel",
            "deprecated",
        ];
        for a in words {
            for b in words {
                assert_eq!(distance(a, b), distance(b, a), "{a} {b}");
            }
        }
    }

    #[test]
    fn closest_offers_only_likely_intents() {
        let levels = [
            "stable",
            "unstable",
            "experimental",
            "deprecated",
            "removed",
        ];
        assert_eq!(closest("stabel", levels), Some("stable"));
        assert_eq!(closest("unstabel", levels), Some("unstable"));
        assert_eq!(closest("depracated", levels), Some("deprecated"));
        assert_eq!(closest("frozen", levels), None);
        assert_eq!(closest("x", levels), None);
        assert_eq!(closest("stable", ["stable"]), None, "never the word itself");
        // A tie goes to the first candidate.
        assert_eq!(closest("ab", ["ac", "ad"]), Some("ac"));
        assert_eq!(did_you_mean("stabel", levels), "; did you mean `stable`?");
        assert_eq!(did_you_mean("frozen", levels), "");
    }
}
