//! The running kernel's files: what the commands read when no input is
//! given.
//!
//! `/sys/kernel/btf/vmlinux` has every kfunc's prototype but no
//! `.BTF_ids`, so no flags and no sets. The kernel's own image has both:
//! [`find`] looks for it where distributions install it for the release
//! `/proc/sys/kernel/osrelease` names (a vmlinux with symbols from a debug
//! package first, then the compressed image), and for its module tree.
//! [`read`] reads the image and modules and keeps them only when they are
//! this kernel's build: the image states the running release and gives
//! every kfunc the running BTF has the same prototype. Otherwise it reads
//! the BTF alone (with the modules on it) and says why, so that a page
//! never shows flags of another build.
//!
//! Every path is taken under a root, `/` unless `KFUNCDOC_SYSROOT` names
//! another (a container's view of the host, or a test's fixture).

use crate::built::{self, Built};
use crate::diag::{Code, Diagnostic};
use crate::error::Result;
use std::path::{Path, PathBuf};

/// The environment variable naming the root the running kernel's files
/// are read under.
pub const SYSROOT_VAR: &str = "KFUNCDOC_SYSROOT";

/// The root the running kernel's files are read under: `$KFUNCDOC_SYSROOT`
/// when set and not empty, else `/`.
pub fn sysroot() -> PathBuf {
    match std::env::var_os(SYSROOT_VAR) {
        Some(r) if !r.is_empty() => PathBuf::from(r),
        _ => PathBuf::from("/"),
    }
}

/// The running kernel's BTF under `root`.
pub fn btf_path(root: &Path) -> PathBuf {
    root.join("sys/kernel/btf/vmlinux")
}

/// The running kernel's release under `root` (`uname -r`).
pub fn release(root: &Path) -> Option<String> {
    std::fs::read_to_string(root.join("proc/sys/kernel/osrelease"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Where a distribution keeps the image of `release`, best first: a
/// vmlinux with symbols (debug packages: exact set names) before the
/// stripped, compressed boot image (sets recovered from their layout).
pub fn image_candidates(root: &Path, release: &str) -> Vec<PathBuf> {
    [
        format!("usr/lib/debug/boot/vmlinux-{release}"),
        format!("usr/lib/debug/lib/modules/{release}/vmlinux"),
        format!("boot/vmlinux-{release}"),
        format!("boot/vmlinuz-{release}"),
        format!("lib/modules/{release}/vmlinuz"),
        format!("usr/lib/modules/{release}/vmlinuz"),
    ]
    .iter()
    .map(|p| root.join(p))
    .collect()
}

/// Where the modules of `release` are: the distribution's tree and the
/// ones built beside it (DKMS), never `build`/`source` (links to trees).
fn module_candidates(root: &Path, release: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut seen = Vec::new();
    for base in ["lib/modules", "usr/lib/modules"] {
        for sub in ["kernel", "updates", "extra"] {
            let p = root.join(base).join(release).join(sub);
            // `/lib` is a link to `/usr/lib` on merged-/usr systems: one
            // directory, read once.
            if let Ok(real) = p.canonicalize()
                && real.is_dir()
                && !seen.contains(&real)
            {
                seen.push(real);
                out.push(p);
            }
        }
    }
    out
}

/// The running kernel's files found under a root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its release, when `/proc` says.
    pub release: Option<String>,
    /// `sys/kernel/btf/vmlinux` under the root.
    pub btf: PathBuf,
    /// The first image candidate that exists.
    pub image: Option<PathBuf>,
    /// The image candidates looked at, in order.
    pub looked_at: Vec<PathBuf>,
    /// Module directories that exist.
    pub modules: Vec<PathBuf>,
}

/// Looks for the running kernel's files under `root`.
pub fn find(root: &Path) -> Found {
    let release = release(root);
    let (looked_at, modules) = match &release {
        Some(r) => (image_candidates(root, r), module_candidates(root, r)),
        None => (Vec::new(), Vec::new()),
    };
    let image = looked_at.iter().find(|p| p.is_file()).cloned();
    Found {
        release,
        btf: btf_path(root),
        image,
        looked_at,
        modules,
    }
}

/// How to read built kernels: the report cache and the reader threads.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions<'a> {
    /// The report cache directory, `None` for none.
    pub cache: Option<&'a Path>,
    /// Threads reading modules.
    pub jobs: usize,
}

/// Why the image found cannot stand for the running kernel, `None` when
/// it can: it states the running release, and every vmlinux kfunc of the
/// running BTF is in it with the same prototype.
fn mismatch(image: &Built, running: &Built, release: Option<&str>) -> Option<String> {
    let stated = image.inputs.first().and_then(|i| i.release.as_deref());
    match (stated, release) {
        (Some(s), Some(r)) if s != r => {
            return Some(format!("it is the image of {s}, not of the running {r}"));
        }
        (None, Some(_)) => return Some("it does not state its release".into()),
        _ => {}
    }
    let differ = running
        .kfuncs
        .values()
        .filter(|k| k.kfunc.module.is_none())
        .filter(|k| {
            image
                .kfuncs
                .get(&k.kfunc.name)
                .is_none_or(|i| i.kfunc.prototype != k.kfunc.prototype)
        })
        .map(|k| k.kfunc.name.as_str())
        .collect::<Vec<_>>();
    match differ.as_slice() {
        [] => None,
        [one, ..] => Some(format!(
            "its BTF is not the running kernel's ({} of {} kfuncs missing or different, `{one}` first): another build of the same release",
            differ.len(),
            running.kfuncs.len()
        )),
    }
}

/// Reads the running kernel as `found` describes it: its image and
/// modules when they are this kernel's build, else its BTF (with the
/// modules on it). The result carries a finding saying what was read, or
/// why the image was not.
pub fn read(found: &Found, opts: ReadOptions<'_>) -> Result<Built> {
    let release = found.release.as_deref();
    let read_btf = |modules: &[PathBuf]| {
        built::read_with(Some(&found.btf), None, modules, opts.cache, opts.jobs)
    };
    let Some(image) = &found.image else {
        let mut b = read_btf(&found.modules)?;
        let looked = found
            .looked_at
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>();
        let message = if looked.is_empty() {
            "the running kernel's release is not known (no /proc/sys/kernel/osrelease): its image was not looked for; flags and sets are not known from this kernel".to_string()
        } else {
            format!(
                "no image of the running kernel found (looked for {}): flags and sets are not known from this kernel",
                looked.join(", ")
            )
        };
        b.diags.push(Diagnostic::in_file(
            Code::RunningImage,
            found.btf.to_string_lossy(),
            message,
        ));
        return Ok(b);
    };
    let image_name = image.to_string_lossy().into_owned();
    let unusable = |why: String| {
        Diagnostic::in_file(
            Code::RunningImageUnusable,
            image_name.clone(),
            format!(
                "not read for the running kernel: {why}; flags and sets are not known from this kernel"
            ),
        )
    };
    let from_image = built::read_with(Some(image), None, &found.modules, opts.cache, opts.jobs);
    let running = read_btf(&[])?;
    let mut b = match from_image {
        Err(e) => {
            let mut b = read_btf(&found.modules)?;
            b.diags.push(unusable(e.to_string()));
            return Ok(b);
        }
        Ok(b) => b,
    };
    if let Some(why) = mismatch(&b, &running, release) {
        let mut b = read_btf(&found.modules)?;
        b.diags.push(unusable(why));
        return Ok(b);
    }
    b.diags.push(Diagnostic::in_file(
        Code::RunningImage,
        image_name,
        format!(
            "the running kernel {}'s image: flags and sets read from its .BTF_ids{}",
            release.unwrap_or("(release unknown)"),
            if found.modules.is_empty() {
                String::new()
            } else {
                format!(
                    ", modules from {}",
                    found
                        .modules
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ),
    ));
    Ok(b)
}
