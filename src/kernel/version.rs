//! Kernel release numbers: `6.12`, `6.12.117`, `7.0-rc3`.
//!
//! Ordered semantically: `7.0-rc3 < 7.0 = 7.0.0 < 7.0.1`. Majors roll over at
//! irregular minors (3.19 → 4.0, 4.20 → 5.0, 5.19 → 6.0), which only matters
//! when counting releases; see [`KernelVersion::releases_until`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A kernel release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KernelVersion {
    /// `VERSION` in the Makefile.
    pub major: u32,
    /// `PATCHLEVEL`.
    pub minor: u32,
    /// `SUBLEVEL`, when given.
    pub patch: Option<u32>,
    /// `-rcN`, when given.
    pub rc: Option<u32>,
}

/// Why a version string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a kernel version (expected e.g. 6.12, 6.12.117 or 7.0-rc3)")]
pub struct BadVersion(pub String);

impl KernelVersion {
    /// `major.minor`.
    pub const fn new(major: u32, minor: u32) -> Self {
        KernelVersion {
            major,
            minor,
            patch: None,
            rc: None,
        }
    }

    /// The mainline release this version belongs to (`6.12.117` → `6.12`).
    pub fn release(self) -> KernelVersion {
        KernelVersion::new(self.major, self.minor)
    }

    /// The last minor of each major before the next major started. Mainline
    /// history: 2.6.39 → 3.0, 3.19 → 4.0, 4.20 → 5.0, 5.19 → 6.0; the 6.x series
    /// ended with 6.19 → 7.0 (Linus Torvalds' announcement of 7.0).
    fn last_minor(major: u32) -> Option<u32> {
        match major {
            3 => Some(19),
            4 => Some(20),
            5 => Some(19),
            6 => Some(19),
            _ => None,
        }
    }

    /// The mainline release after this one's release, if known.
    pub fn next_release(self) -> KernelVersion {
        match Self::last_minor(self.major) {
            Some(last) if self.minor >= last => KernelVersion::new(self.major + 1, 0),
            _ => KernelVersion::new(self.major, self.minor + 1),
        }
    }

    /// Mainline releases from this one's release to `later`'s release
    /// (`6.18` → `7.1` is 3). `None` when `later` is older, or the count
    /// crosses a major whose last minor is not known yet.
    pub fn releases_until(self, later: KernelVersion) -> Option<u32> {
        let (from, to) = (self.release(), later.release());
        if to < from {
            return None;
        }
        let mut n = 0;
        let mut v = from;
        while v < to {
            if v.major < to.major && Self::last_minor(v.major).is_none() {
                return None;
            }
            v = v.next_release();
            n += 1;
        }
        Some(n)
    }

    /// Reads the release from a longer version string (`6.12.117`,
    /// `6.12.0-debian`, `7.0.0-rc3`): the leading numbers and an `-rcN`.
    pub fn parse_lenient(s: &str) -> Option<KernelVersion> {
        let end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let nums: Vec<u32> = s[..end].split('.').filter_map(|n| n.parse().ok()).collect();
        let (&major, &minor) = (nums.first()?, nums.get(1)?);
        let rc = s[end..].strip_prefix("-rc").and_then(|r| {
            let d: String = r.chars().take_while(char::is_ascii_digit).collect();
            d.parse().ok()
        });
        Some(KernelVersion {
            major,
            minor,
            patch: nums.get(2).copied(),
            rc,
        })
    }

    /// Parses what a top-level Makefile says, ignoring an `EXTRAVERSION`
    /// that is not `-rcN` (`6.12.0-debian` → `6.12.0`).
    pub fn from_makefile(major: u32, minor: u32, patch: u32, extra: &str) -> Self {
        let rc = extra.strip_prefix("-rc").and_then(|n| n.parse().ok());
        KernelVersion {
            major,
            minor,
            patch: Some(patch),
            rc,
        }
    }
}

impl FromStr for KernelVersion {
    type Err = BadVersion;

    fn from_str(s: &str) -> Result<Self, BadVersion> {
        let bad = || BadVersion(s.to_string());
        let (nums, rc) = match s.split_once("-rc") {
            Some((n, rc)) => (n, Some(parse_num(rc).ok_or_else(bad)?)),
            None => (s, None),
        };
        let mut it = nums.split('.');
        let major = it.next().and_then(parse_num).ok_or_else(bad)?;
        let minor = it.next().and_then(parse_num).ok_or_else(bad)?;
        let patch = match it.next() {
            Some(p) => Some(parse_num(p).ok_or_else(bad)?),
            None => None,
        };
        if it.next().is_some() || major == 0 || major > 99 {
            return Err(bad());
        }
        Ok(KernelVersion {
            major,
            minor,
            patch,
            rc,
        })
    }
}

fn parse_num(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.len() > 1 && s.starts_with('0') {
        return None;
    }
    s.parse().ok()
}

impl Ord for KernelVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch.unwrap_or(0))
            .cmp(&(other.major, other.minor, other.patch.unwrap_or(0)))
            // A release candidate comes before the release: None sorts last.
            .then_with(|| match (self.rc, other.rc) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(&b),
            })
    }
}

impl PartialOrd for KernelVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if let Some(p) = self.patch {
            write!(f, ".{p}")?;
        }
        if let Some(rc) = self.rc {
            write!(f, "-rc{rc}")?;
        }
        Ok(())
    }
}

impl Serialize for KernelVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KernelVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> KernelVersion {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_prints() {
        for s in ["6.12", "6.12.117", "7.0-rc3", "6.1.0", "6.12.1-rc1"] {
            assert_eq!(v(s).to_string(), s);
        }
        for s in [
            "", "6", "6.", "6.x", "6.12.1.2", "v6.12", "6.12-rc", "06.1", "0.1", "6.12 ",
        ] {
            assert!(s.parse::<KernelVersion>().is_err(), "{s:?} accepted");
        }
    }

    #[test]
    fn orders_semantically() {
        assert!(v("7.0-rc3") < v("7.0"));
        assert!(v("7.0-rc3") < v("7.0-rc4"));
        assert_eq!(v("7.0").cmp(&v("7.0.0")), Ordering::Equal);
        assert!(v("7.0") < v("7.0.1"));
        assert!(v("6.9") < v("6.12"));
        assert!(v("6.19") < v("7.0-rc1"));
    }

    #[test]
    fn counts_releases_across_majors() {
        assert_eq!(v("6.12").releases_until(v("6.14")), Some(2));
        assert_eq!(v("6.18").releases_until(v("7.1")), Some(3));
        assert_eq!(v("4.19").releases_until(v("5.1")), Some(3));
        assert_eq!(v("3.19").releases_until(v("4.0")), Some(1));
        assert_eq!(v("5.19").releases_until(v("6.0")), Some(1));
        assert_eq!(v("6.12.117").releases_until(v("6.12")), Some(0));
        assert_eq!(v("6.14").releases_until(v("6.12")), None);
        assert_eq!(v("7.3").releases_until(v("8.1")), None);
    }

    #[test]
    fn lenient() {
        assert_eq!(
            KernelVersion::parse_lenient("6.12.0-debian")
                .unwrap()
                .to_string(),
            "6.12.0"
        );
        assert_eq!(
            KernelVersion::parse_lenient("7.0.0-rc3")
                .unwrap()
                .to_string(),
            "7.0.0-rc3"
        );
        assert_eq!(
            KernelVersion::parse_lenient("6.18.44-fc-v595")
                .unwrap()
                .to_string(),
            "6.18.44"
        );
        assert!(KernelVersion::parse_lenient("linux").is_none());
    }

    #[test]
    fn makefile_extraversion() {
        assert_eq!(
            KernelVersion::from_makefile(7, 0, 0, "-rc3").to_string(),
            "7.0.0-rc3"
        );
        assert_eq!(
            KernelVersion::from_makefile(6, 12, 117, "").to_string(),
            "6.12.117"
        );
    }
}
