//! The version `kfuncdoc --version` prints: the package's, and the git
//! commit the binary was built from when it was built from a clone
//! (`build.rs` asks git; a build from a release tarball has no commit and
//! says so by leaving it out).

/// The package version, e.g. `0.1.0`: what the man pages carry, so that
/// they are the same whatever commit built them.
pub const PACKAGE: &str = env!("CARGO_PKG_VERSION");

/// The commit, abbreviated to 12 hex digits, or `None` outside a git
/// clone (or when git is missing).
pub const COMMIT: Option<&str> = option_env!("KFUNCDOC_GIT_COMMIT");

/// `0.1.0 (git 0123456789ab)`, or `0.1.0` without a commit.
pub const LINE: &str = match option_env!("KFUNCDOC_VERSION_LINE") {
    Some(line) => line,
    None => PACKAGE,
};
