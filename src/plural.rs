//! Counted nouns in messages and pages: "1 kfunc", "2 kfuncs", "1 of them
//! is". One helper for every place that prints a count next to a word, so
//! that none of them says "1 of them are" (issue 9). The templates reach it
//! through the `plural` filter (`render::template`).

/// `one` when `n` is 1, else `many`.
pub fn pick<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// `n` followed by `one` or `many`: `count(1, "entry", "entries")` is
/// `1 entry`, `count(0, ...)` is `0 entries`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", pick(n as u64, one, many))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "entry", "entries"), "1 entry");
        assert_eq!(count(0, "entry", "entries"), "0 entries");
        assert_eq!(count(2, "of them is", "of them are"), "2 of them are");
        assert_eq!(count(1, "of them is", "of them are"), "1 of them is");
        assert_eq!(pick(11, "release", "releases"), "releases");
    }
}
