//! Rendering: the catalog and the policy as reStructuredText (for the
//! kernel's Sphinx `make htmldocs`) and Markdown (mdBook, MkDocs, plain
//! CommonMark). This part holds the pure building blocks the templates
//! rely on: [`text`] turns plain text into text that can never become
//! markup. It does no I/O.

pub mod text;
