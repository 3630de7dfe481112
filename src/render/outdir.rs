//! The output directory itself (edge): which directories kfuncdoc refuses
//! to render into, and the lock that keeps two runs out of one directory.
//!
//! A render removes the files it generated there before and no longer
//! generates, and writes pages next to whatever else the directory holds;
//! pointed at `/`, a home directory or a whole kernel tree that is one
//! typo away from mixing generated pages into something precious, so
//! those are refused (issue 10, item 15). Paths are compared after
//! resolving symbolic links, also for a directory that does not exist yet
//! (its nearest existing ancestor is resolved).
//!
//! Two runs into one directory at the same time would each write a
//! manifest missing the other's pages (issue 10, item 14). A run that
//! writes holds an exclusive `flock` on [`LOCK`] in the directory from
//! before it reads the manifest until it has written everything; `--check`
//! holds a shared one when the file exists. The file stays (removing a lock
//! file races with a process about to lock it) and stays empty, so that it
//! never changes in a repository the pages are committed to; the holder of
//! a lock is found in `/proc/locks`, for the message of a run that waited
//! too long.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

/// The lock file's name, in the output directory.
pub const LOCK: &str = ".kfuncdoc-lock";

/// How long a run waits for another run's lock, by default.
const WAIT: Duration = Duration::from_secs(30);

/// The environment variable that changes `WAIT` (whole seconds).
pub const WAIT_VAR: &str = "KFUNCDOC_LOCK_WAIT";

/// `p` with `.` and `..` resolved as text, made absolute against the
/// working directory.
fn absolute(p: &Path) -> PathBuf {
    let p = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// `p` with every symbolic link resolved, also when its last components
/// do not exist yet: the nearest existing ancestor is canonicalised and
/// the rest appended.
pub fn resolved(p: &Path) -> PathBuf {
    let abs = absolute(p);
    let mut base = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = std::fs::canonicalize(base) {
            let mut out = c;
            for r in rest.iter().rev() {
                out.push(r);
            }
            return out;
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                base = parent;
            }
            _ => return abs,
        }
    }
}

/// The home directory of the user running kfuncdoc in `/etc/passwd`,
/// whatever `$HOME` says (the uid is the owner of `/proc/self`).
fn passwd_home() -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let text = crate::read::read_text(Path::new("/etc/passwd"), crate::read::MAX_TEXT).ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 6 && f[2] == uid && !f[5].is_empty()).then(|| PathBuf::from(f[5]))
    })
}

/// The home directories: `$HOME`, the one the C library reports and the
/// one in `/etc/passwd`, resolved.
fn homes() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = [
        std::env::var_os("HOME").map(PathBuf::from),
        std::env::home_dir(),
        passwd_home(),
    ]
    .into_iter()
    .flatten()
    .filter(|h| h.is_absolute() && h != Path::new("/"))
    .map(|h| resolved(&h))
    .collect();
    v.sort();
    v.dedup();
    v
}

/// Refuses an output directory that is `/`, a home directory, or the
/// kernel source tree `source` or one of its ancestors.
pub fn refuse_dangerous(out: &Path, source: Option<&Path>) -> Result<()> {
    let real = resolved(out);
    let refuse = |why: String| {
        Err(Error::Unsafe {
            path: out.to_path_buf(),
            message: format!(
                "{why}; kfuncdoc will not render into it (it writes pages there and removes the \
                 ones it stops generating). Give the pages a directory of their own"
            ),
        })
    };
    if real.parent().is_none() {
        return refuse("is the root directory".into());
    }
    if homes().contains(&real) {
        return refuse("is the home directory".into());
    }
    if let Some(src) = source {
        let src_real = resolved(src);
        if src_real == real {
            return refuse(format!(
                "is the kernel source tree given with --source (for the kernel's documentation, \
                 use e.g. {})",
                src.join("Documentation/bpf/kfuncs").display()
            ));
        }
        if src_real.starts_with(&real) {
            return refuse(format!(
                "contains the kernel source tree given with --source ({})",
                src.display()
            ));
        }
    }
    Ok(())
}

/// A lock on an output directory, released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Who holds the lock on `file`: the process `/proc/locks` names for its
/// inode, when it says.
fn holder(file: &File) -> String {
    use std::os::unix::fs::MetadataExt;
    let inode = file.metadata().map(|m| m.ino()).ok();
    let locks = crate::read::read_text(Path::new("/proc/locks"), crate::read::MAX_TEXT);
    // `1: FLOCK  ADVISORY  WRITE 4242 08:01:1234 0 EOF`
    let pid = inode.zip(locks.ok()).and_then(|(ino, text)| {
        text.lines().find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let at = f.iter().position(|w| *w == "FLOCK")?;
            let pid = f.get(at + 3)?;
            let id = f.get(at + 4)?.rsplit(':').next()?;
            (id.parse::<u64>().ok()? == ino).then(|| pid.to_string())
        })
    });
    match pid {
        Some(p) => format!("another kfuncdoc run (process {p})"),
        None => "another kfuncdoc run".into(),
    }
}

/// How long to wait for another run's lock: [`WAIT_VAR`] or [`WAIT`].
fn wait() -> Duration {
    std::env::var(WAIT_VAR)
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map_or(WAIT, Duration::from_secs)
}

fn open(path: &Path, create: bool) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true);
    if create {
        o.write(true).create(true).truncate(false);
    }
    {
        // Never through a link, never a FIFO that blocks the open.
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = o.open(path)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "is not a regular file",
        ));
    }
    Ok(f)
}

/// Waits (bounded) for `try_lock` to succeed on `file`.
fn acquire(
    out: &Path,
    path: &Path,
    file: &File,
    try_lock: fn(&File) -> std::result::Result<(), TryLockError>,
) -> Result<()> {
    let limit = wait();
    let start = Instant::now();
    let mut pause = Duration::from_millis(20);
    loop {
        match try_lock(file) {
            Ok(()) => return Ok(()),
            Err(TryLockError::Error(e)) => return Err(Error::io(path, e)),
            Err(TryLockError::WouldBlock) if start.elapsed() >= limit => {
                return Err(Error::Unsafe {
                    path: out.to_path_buf(),
                    message: format!(
                        "{} is writing here (it holds {LOCK}); gave up after waiting {} s. \
                         Run again when it has finished ({WAIT_VAR} sets how long to wait)",
                        holder(file),
                        limit.as_secs()
                    ),
                });
            }
            Err(TryLockError::WouldBlock) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(250));
            }
        }
    }
}

impl Lock {
    /// The exclusive lock of a run that writes into `out` (created if
    /// missing), waiting a bounded time for another run to finish.
    pub fn exclusive(out: &Path) -> Result<Lock> {
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        let path = out.join(LOCK);
        let file = open(&path, true).map_err(|e| Error::io(&path, e))?;
        acquire(out, &path, &file, File::try_lock)?;
        Ok(Lock { _file: file })
    }

    /// The shared lock of `--check` in `out`, when a run ever wrote there
    /// (the check creates nothing).
    pub fn shared(out: &Path) -> Result<Option<Lock>> {
        let path = out.join(LOCK);
        let file = match open(&path, false) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        acquire(out, &path, &file, File::try_lock_shared)?;
        Ok(Some(Lock { _file: file }))
    }

    /// The lock for a run on `out`: shared for `check`, else exclusive.
    pub fn for_run(out: &Path, check: bool) -> Result<Option<Lock>> {
        if check {
            Lock::shared(out)
        } else {
            Lock::exclusive(out).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kfuncdoc-outdir-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn dangerous_directories_are_refused() {
        let d = tmp("danger");
        let src = d.join("linux");
        std::fs::create_dir_all(src.join("Documentation")).unwrap();
        let refused = |out: &Path| refuse_dangerous(out, Some(&src)).is_err();
        assert!(refused(Path::new("/")));
        assert!(refused(&d.join("linux/../../../../../../../..")));
        assert!(refused(&src));
        assert!(refused(&d));
        assert!(refused(&src.join("Documentation/..")));
        assert!(!refused(&src.join("Documentation/bpf/kfuncs")));
        assert!(!refused(&d.join("site")));
        // Through a link to the tree.
        std::os::unix::fs::symlink(&src, d.join("l")).unwrap();
        assert!(refused(&d.join("l")));
        assert!(!refused(&d.join("l/Documentation/new")));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn resolved_handles_missing_components() {
        let d = tmp("resolved");
        std::os::unix::fs::symlink(&d, d.join("self")).unwrap();
        let real = std::fs::canonicalize(&d).unwrap();
        assert_eq!(resolved(&d.join("self/a/b/../c")), real.join("a/c"));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_second_writer_waits_and_a_check_shares() {
        let d = tmp("lock");
        let first = Lock::exclusive(&d).unwrap();
        assert_eq!(std::fs::read(d.join(LOCK)).unwrap(), b"");
        // flock is per open file: a second open in this process conflicts.
        let path = d.join(LOCK);
        let f = open(&path, false).unwrap();
        assert!(matches!(f.try_lock(), Err(TryLockError::WouldBlock)));
        let who = holder(&f);
        assert!(
            who.contains(&format!("process {}", std::process::id())),
            "{who}"
        );
        drop(first);
        assert!(Lock::shared(&d).unwrap().is_some());
        std::fs::remove_dir_all(&d).unwrap();
        assert!(Lock::shared(&d).unwrap().is_none());
    }
}
