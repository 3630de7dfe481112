//! Finding the files that matter in a kernel tree, fast.
//!
//! A tree has ~60,000 C files and only a few dozen state kfunc facts. The
//! walker visits directories on all cores (a shared stack of directories,
//! like ripgrep's parallel walker), reads each `.c`/`.h` file into a
//! per-thread buffer, and runs one multi-pattern search over it
//! ([`aho_corasick`], Teddy on x86). Only files that contain a needle are
//! handed to the caller; everything else costs one read. Large files are
//! searched in chunks, so memory stays at one buffer per thread.
//!
//! Symbolic links are not followed: a link inside the tree points at a file
//! that is scanned where it really is. Links that loop, dangle or leave the
//! tree are reported.

use super::memo::Memo;
use crate::diag::{Code, Diagnostic};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, BuildError, MatchKind, packed};
use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// Read buffer per thread; files up to this size are read in one go.
const CHUNK: usize = 1 << 20;

/// Files larger than this are searched but not parsed.
pub const MAX_PARSE: u64 = 64 << 20;

/// What a walk saw besides the matches.
#[derive(Debug, Default)]
pub struct Walked {
    /// Every `.c`/`.h` file, relative to the root, sorted.
    pub files: Vec<String>,
    /// Problems with files, directories and links.
    pub diags: Vec<Diagnostic>,
}

/// Whether a file name is C source or header.
pub fn is_c_file(name: &str) -> bool {
    name.ends_with(".c") || name.ends_with(".h")
}

fn rel(root: &Path, path: &Path) -> String {
    let r = path.strip_prefix(root).unwrap_or(path);
    let s = r.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace('\\', "/")
    }
}

/// Number of worker threads.
pub fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(32)
}

/// Searches one file for `needles`; on a match returns its whole content.
/// `buf` is the caller's reusable buffer.
pub fn search_file(
    path: &Path,
    needles: &Needles,
    whole_word: bool,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Vec<u8>>> {
    let (mut f, _) = crate::read::open_regular(path)?;
    buf.resize(CHUNK, 0);
    // Bytes kept from the previous chunk so that a needle spanning two
    // chunks is still found.
    let keep = needles.max_len().saturating_sub(1) + 1;
    let mut filled = 0usize;
    let mut first = true;
    loop {
        let n = f.read(&mut buf[filled..])?;
        if n == 0 && filled == 0 {
            return Ok(None);
        }
        let end = filled + n;
        let hay = &buf[..end];
        let hit = needles
            .matches(hay)
            .any(|(s, e)| !whole_word || is_word_match(hay, s, e));
        if hit {
            let mut probe = [0u8; 1];
            if first && n < CHUNK && f.read(&mut probe)? == 0 {
                // The whole file is in the buffer already.
                return Ok(Some(buf[..end].to_vec()));
            }
            // The whole file, from the same handle, capped on the bytes
            // read (the length the metadata claims is not trusted).
            let meta = f.metadata()?;
            if meta.len() > MAX_PARSE {
                return Err(crate::read::too_large(MAX_PARSE));
            }
            f.seek(SeekFrom::Start(0))?;
            return crate::read::read_all(&mut f, meta.len(), MAX_PARSE).map(Some);
        }
        if n == 0 {
            return Ok(None);
        }
        first = false;
        // Slide the tail to the front and read on.
        let tail = end.saturating_sub(keep);
        buf.copy_within(tail..end, 0);
        filled = end - tail;
    }
}

/// Whether the match at `start..end` is a whole identifier.
fn is_word_match(hay: &[u8], start: usize, end: usize) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    (start == 0 || !ident(hay[start - 1])) && hay.get(end).is_none_or(|&b| !ident(b))
}

/// A multi-pattern searcher. aho-corasick's automatic choice picks a
/// rare-byte prefilter for our needles, which is several times slower on C
/// sources than its SIMD "Teddy" searcher; so Teddy is asked for directly
/// and the automaton kept as the fallback (many names, no SIMD).
/// Leftmost-longest semantics make the whole-identifier check of
/// [`search_list`] see the longest name at a spot.
pub struct Needles {
    teddy: Option<packed::Searcher>,
    ac: AhoCorasick,
    /// A hash of the patterns: what a [`Memo`] keys search outcomes by.
    key: u64,
}

impl Needles {
    /// Builds the searcher.
    pub fn new<I, P>(patterns: I) -> Result<Needles, BuildError>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let patterns: Vec<Vec<u8>> = patterns.into_iter().map(|p| p.as_ref().to_vec()).collect();
        let key = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            patterns.hash(&mut h);
            h.finish()
        };
        let teddy = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostLongest)
            .builder()
            .extend(&patterns)
            .build();
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)?;
        Ok(Needles { teddy, ac, key })
    }

    /// The memo key of a search with these needles.
    fn memo_key(&self, whole_word: bool) -> u64 {
        self.key ^ u64::from(whole_word)
    }

    fn max_len(&self) -> usize {
        self.ac.max_pattern_len()
    }

    fn matches<'h>(&'h self, hay: &'h [u8]) -> Box<dyn Iterator<Item = (usize, usize)> + 'h> {
        match &self.teddy {
            Some(t) => Box::new(t.find_iter(hay).map(|m| (m.start(), m.end()))),
            None => Box::new(self.ac.find_iter(hay).map(|m| (m.start(), m.end()))),
        }
    }
}

/// Outcome of searching one file, for the caller's visitor.
#[derive(Debug, Clone)]
pub enum Found {
    /// The file contains a needle; here is its content.
    Match(Vec<u8>),
    /// The file could not be read or is too large: a finding.
    Problem(Diagnostic),
}

/// [`search_file`] as a finding, or the outcome `memo` remembers for the
/// file's content.
fn search_to_found(
    rel_path: &str,
    path: &Path,
    needles: &Needles,
    whole_word: bool,
    buf: &mut Vec<u8>,
    memo: &Memo,
) -> Option<Found> {
    memo.search(needles.memo_key(whole_word), rel_path, || {
        search_uncached(rel_path, path, needles, whole_word, buf)
    })
}

fn search_uncached(
    rel_path: &str,
    path: &Path,
    needles: &Needles,
    whole_word: bool,
    buf: &mut Vec<u8>,
) -> Option<Found> {
    match search_file(path, needles, whole_word, buf) {
        Ok(Some(bytes)) => Some(Found::Match(bytes)),
        Ok(None) => None,
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            Some(Found::Problem(Diagnostic::in_file(
                Code::FileTooLarge,
                rel_path,
                format!(
                    "mentions kfunc macros but is larger than {} MiB; not parsed",
                    MAX_PARSE >> 20
                ),
            )))
        }
        Err(e) => Some(Found::Problem(Diagnostic::in_file(
            Code::UnreadableFile,
            rel_path,
            format!("cannot read: {e}"),
        ))),
    }
}

struct Queue {
    dirs: Vec<PathBuf>,
    active: usize,
}

/// The shared state of one parallel walk.
struct Walker<'a> {
    root: &'a Path,
    canon_root: PathBuf,
    needles: &'a Needles,
    memo: &'a Memo,
    visit: &'a (dyn Fn(&str, Found) + Sync),
    queue: Mutex<Queue>,
    cv: Condvar,
}

impl Walker<'_> {
    /// Takes a directory off the queue, waiting while others may still add
    /// some; `None` when the walk is over.
    fn next_dir(&self) -> Option<PathBuf> {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(d) = q.dirs.pop() {
                q.active += 1;
                return Some(d);
            }
            if q.active == 0 {
                self.cv.notify_all();
                return None;
            }
            q = self.cv.wait(q).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn push_dirs(&self, dirs: Vec<PathBuf>) {
        if !dirs.is_empty() {
            self.queue
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .dirs
                .extend(dirs);
            self.cv.notify_all();
        }
    }

    fn done_dir(&self) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.active -= 1;
        drop(q);
        self.cv.notify_all();
    }

    /// One worker thread: directories are listed and their subdirectories
    /// queued before the files are searched, so that other threads have work.
    fn work(&self, files: &mut Vec<String>, diags: &mut Vec<Diagnostic>) {
        let mut buf = Vec::with_capacity(CHUNK);
        while let Some(dir) = self.next_dir() {
            let mut subdirs = Vec::new();
            let mut c_files = Vec::new();
            self.list(&dir, &mut subdirs, &mut c_files, diags);
            self.push_dirs(subdirs);
            for path in c_files {
                let r = rel(self.root, &path);
                if let Some(found) =
                    search_to_found(&r, &path, self.needles, false, &mut buf, self.memo)
                {
                    (self.visit)(&r, found);
                }
                files.push(r);
            }
            self.done_dir();
        }
    }

    fn list(
        &self,
        dir: &Path,
        subdirs: &mut Vec<PathBuf>,
        c_files: &mut Vec<PathBuf>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let unreadable = |what: &str, e: std::io::Error| {
            Diagnostic::in_file(
                Code::UnreadableFile,
                rel(self.root, dir),
                format!("cannot read {what}: {e}"),
            )
        };
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => return diags.push(unreadable("directory", e)),
        };
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    diags.push(unreadable("directory entry", e));
                    continue;
                }
            };
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let path = entry.path();
            let ft = match entry.file_type() {
                Ok(ft) => ft,
                Err(e) => {
                    diags.push(unreadable("file type", e));
                    continue;
                }
            };
            if ft.is_dir() {
                // Hidden directories (.git, .github) hold no kernel sources.
                if !name.starts_with('.') {
                    subdirs.push(path);
                }
            } else if ft.is_file() {
                if is_c_file(&name) {
                    c_files.push(path);
                }
            } else if ft.is_symlink() {
                check_symlink(self.root, &self.canon_root, &path, &name, diags);
            }
        }
    }
}

/// Walks `root` on all cores. For every `.c`/`.h` file that contains one of
/// `needles`, calls `visit(relative_path, found)` on a worker thread. A
/// file whose outcome `memo` remembers is not read.
pub fn walk(
    root: &Path,
    needles: &Needles,
    memo: &Memo,
    visit: &(dyn Fn(&str, Found) + Sync),
) -> Walked {
    let walker = Walker {
        root,
        canon_root: fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
        needles,
        memo,
        visit,
        queue: Mutex::new(Queue {
            dirs: vec![root.to_path_buf()],
            active: 0,
        }),
        cv: Condvar::new(),
    };
    let files = Mutex::new(Vec::new());
    let diags = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads() {
            s.spawn(|| {
                let (mut my_files, mut my_diags) = (Vec::new(), Vec::new());
                walker.work(&mut my_files, &mut my_diags);
                files
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(my_files);
                diags
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(my_diags);
            });
        }
    });
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_unstable();
    Walked {
        files,
        diags: diags.into_inner().unwrap_or_else(|e| e.into_inner()),
    }
}

fn check_symlink(
    root: &Path,
    canon_root: &Path,
    path: &Path,
    name: &str,
    diags: &mut Vec<Diagnostic>,
) {
    match fs::canonicalize(path) {
        Err(e) => diags.push(Diagnostic::in_file(
            Code::BadSymlink,
            rel(root, path),
            format!("symbolic link cannot be resolved ({e}); not followed"),
        )),
        Ok(target) if !target.starts_with(canon_root) => {
            if target.is_dir() || is_c_file(name) {
                diags.push(Diagnostic::in_file(
                    Code::BadSymlink,
                    rel(root, path),
                    format!(
                        "symbolic link points outside the tree ({}); not followed",
                        target.display()
                    ),
                ));
            }
        }
        Ok(_) => {}
    }
}

/// Searches the listed files (relative to `root`) on all cores for whole
/// identifiers among `needles`; calls `visit` for each file that has one.
/// A file whose outcome `memo` remembers is not read.
pub fn search_list(
    root: &Path,
    files: &[&str],
    needles: &Needles,
    memo: &Memo,
    visit: &(dyn Fn(&str, Found) + Sync),
) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads().min(files.len().max(1)) {
            s.spawn(|| {
                let mut buf = Vec::with_capacity(CHUNK);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(r) = files.get(i) else { break };
                    let path = root.join(r);
                    if let Some(found) = search_to_found(r, &path, needles, true, &mut buf, memo) {
                        visit(r, found);
                    }
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_needles_across_chunk_boundaries() {
        let dir = std::env::temp_dir().join(format!("kfuncdoc-walk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("a/b")).unwrap();
        fs::create_dir_all(dir.join(".git")).unwrap();
        let mut big = vec![b'x'; CHUNK - 3];
        big.extend_from_slice(b"BTF_ID_FLAGS(func, a)\n");
        fs::write(dir.join("a/b/big.c"), &big).unwrap();
        fs::write(dir.join("a/small.h"), b"int __bpf_kfunc f(void);").unwrap();
        fs::write(dir.join("a/none.c"), b"int main(void) {}").unwrap();
        fs::write(dir.join("a/skip.txt"), b"BTF_ID_FLAGS").unwrap();
        fs::write(dir.join(".git/x.c"), b"BTF_ID_FLAGS").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("loop2", dir.join("a/loop1")).unwrap();
            std::os::unix::fs::symlink("loop1", dir.join("a/loop2")).unwrap();
            std::os::unix::fs::symlink("none.c", dir.join("a/inside.c")).unwrap();
        }
        let ac = Needles::new(["BTF_ID_FLAGS", "__bpf_kfunc"]).unwrap();
        let hits = Mutex::new(Vec::new());
        let w = walk(&dir, &ac, &Memo::new(), &|r, f| {
            if let Found::Match(bytes) = f {
                hits.lock().unwrap().push((r.to_string(), bytes.len()));
            }
        });
        let mut hits = hits.into_inner().unwrap();
        hits.sort();
        assert_eq!(
            hits,
            vec![
                ("a/b/big.c".to_string(), big.len()),
                ("a/small.h".to_string(), 24)
            ]
        );
        assert_eq!(w.files, ["a/b/big.c", "a/none.c", "a/small.h"]);
        #[cfg(unix)]
        {
            let bad: Vec<_> = w
                .diags
                .iter()
                .filter(|d| d.code == Code::BadSymlink)
                .collect();
            assert_eq!(bad.len(), 2, "{:?}", w.diags);
        }

        let ac = Needles::new(["f"]).unwrap();
        let hits = Mutex::new(Vec::new());
        search_list(
            &dir,
            &["a/small.h", "a/none.c"],
            &ac,
            &Memo::new(),
            &|r, _| hits.lock().unwrap().push(r.to_string()),
        );
        assert_eq!(hits.into_inner().unwrap(), vec!["a/small.h"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
