//! kfuncdoc's integration tests: one binary, one module per area.
//!
//! - `book`: the book's pages that are generated from the code.
//! - `browser`: one 7.2 subsystem page per flavour (Sphinx in the kernel's
//!   theme, mdBook, MkDocs) in headless Chromium: DOM checks after layout;
//!   long signatures in the 6.12 tree's theme.
//! - `built`: `extract` on built kernels: the running kernel's BTF against
//!   bpftool 7.5, Debian's 6.12 bzImage and modules against the 6.12 source
//!   and the image's config, and bad BTF inputs.
//! - `changelog`: changelog pages (`render --changes-from`) of the real
//!   6.12 → 7.2 pair against the diff, their links, Sphinx and mdBook.
//! - `check`: `kfuncdoc check` and `policy sync` on fixture trees and
//!   policies (`tests/fixtures/policies`), and the shipped policy on the
//!   real 6.12 tree.
//! - `facts`: issue 9's per-set flags, lookup sets, sched_ext rule, owners
//!   and counts on the real 6.12 and 7.2 trees.
//! - `cli`: the binary as users run it: exit codes, formats, messages.
//! - `cli_ux`: issue 13: man pages, shell completions, progress, colour,
//!   "did you mean", `--jobs`, `--version`.
//! - `diff`: `kfuncdoc diff` on the real 6.1 → 6.12 → 7.2 pairs against a
//!   naive scan and facts read by hand, and its command line.
//! - `header`: `render --to header` against bpftool 7.5's `vmlinux.h` and
//!   clang on the running kernel and the 6.12 and 7.2 images.
//! - `history`: `kfuncdoc history` and `check --history` on the real 6.1,
//!   6.12 and 7.2 trees, and the shipped history's freshness.
//! - `history_render`: a real 6.1 → 6.12 → 7.2 history on the 7.2 pages
//!   (`render --history`): since, age, removed kfuncs and changes by
//!   release against a grep of each tree and the shipped policy; Sphinx, mdBook.
//! - `history_git`: `history --git` on a repository built from the real
//!   trees (`.ci/git-history-repo`) and on toy repositories: catalogs equal
//!   a checkout's, the commit that introduced each change.
//! - `implicit`: `KF_IMPLICIT_ARGS` kfuncs on the real 7.2 tree and image:
//!   the BPF-visible prototype against the source text and BTF, on the pages.
//! - `filters`: program types through `.filter` callbacks on the real 7.2
//!   and 6.12 trees, against a grep of the kernel source, and the pages.
//! - `fixtures`: small hand-written kernel trees under `tests/fixtures/trees`,
//!   one per kernel era and one of broken inputs; each extraction is compared
//!   with its golden files in `tests/golden/`.
//! - `notices`: upstream deprecation notices, usage through compat
//!   wrappers and example calls on the real 6.12, 6.1 and 7.2 trees.
//! - `pages_more`: every source position on the 7.2 and 6.12 pages is a
//!   link when `source_url` is set (none when unset); kernel-doc parameter
//!   descriptions and named sections on the pages.
//! - `fuzz_regressions`: what fuzzing found (`fuzz/`, inputs under
//!   `tests/fuzz/`), and ELF files claiming GBs (issue 10, item 7).
//! - `hostile`: hostile inputs (issue 10): FIFOs, devices, links out of the
//!   tree, bombs, BTF that means nothing, odd flag expressions, huge sets.
//! - `hostile_out`: issue 10 on the output side: concurrent renders, leftovers
//!   of killed runs, refused `--out`, edited manifests, override bombs.
//! - `hostile_markup`: hostile inputs (issue 10, items 1-5) rendered and
//!   built by Sphinx, mdBook and MkDocs: nothing live in the HTML; URLs
//!   refused at their line; terminal lines escaped.
//! - `render`: `render` and `build` on the `render` fixture tree: golden
//!   pages in every format (`tests/golden/render/`), the writer's manifest
//!   and `--check`, the context seam, template overrides, errors.
//! - `running`: with no input, the running kernel's own image and modules
//!   (a fixture root of the real 7.2 image, `KFUNCDOC_SYSROOT`), and the
//!   images refused: another release, another build, a corrupt file.
//! - `sites`: the pages built by the tools that publish them: Sphinx with
//!   warnings as errors, the kernel's own `make htmldocs`, the Sphinx
//!   directive, mdbook and MkDocs (tools from `.ci/tools`).
//! - `real`: the real Debian 6.12 and 6.1 source trees, cross-checked against
//!   independent oracles (a naive scan, the tree's own `scripts/kernel-doc`
//!   and `scripts/get_maintainer.pl`).
//! - `kdoc_pages`: kernel-doc comments on the pages: the text form of real
//!   comments through docutils and pulldown-cmark, and kernel-doc's and
//!   Sphinx's warnings against the 6.12 and 7.2 trees' own kernel-doc.
//! - `render_text`: the renderer's escapers and Markdown conversion against
//!   docutils (RST, through `KFUNCDOC_PYTHON`) and pulldown-cmark (Markdown).
//!
//! Adding a case: add a tree (or a file to one) under `tests/fixtures/trees`,
//! add its name to `fixtures::TREES` if it is new, run
//! `KFUNCDOC_UPDATE_GOLDEN=1 cargo test`, and read the diff of
//! `tests/golden/` before committing it: the golden files are the
//! expectation, not a recording.
//!
//! Real inputs are fetched by `.ci/fetch-inputs` into `$KFUNCDOC_CACHE`
//! (default `~/.cache/kfuncdoc`). Tests that need them fail with the command
//! to run when they are missing; `KFUNCDOC_OFFLINE=1` turns that failure into
//! a skip, for working without network.

// Test helpers panic on setup failures, like the tests, and may print notes.
#![allow(clippy::unwrap_used, clippy::disallowed_macros)]

mod book;
mod browser;
mod built;
mod changelog;
mod check;
mod cli;
mod cli_ux;
mod diff;
mod facts;
mod filters;
mod fixtures;
mod fuzz_regressions;
mod header;
mod history;
mod history_git;
mod history_render;
mod hostile;
mod hostile_markup;
mod hostile_out;
mod implicit;
mod kdoc_pages;
mod notices;
mod pages_more;
mod real;
mod render;
mod render_text;
mod running;
mod sites;
mod util;
