//! Rendering: the catalog and the policy as reStructuredText (for the
//! kernel's Sphinx `make htmldocs`) and Markdown (mdBook, MkDocs, plain
//! CommonMark). This part holds the pure building blocks the templates
//! rely on: [`text`](crate::render::text) turns plain text into text that
//! can never become markup, and [`markdown`](crate::render::markdown)
//! converts the policy's Markdown fields to either format. Neither does
//! I/O.

pub mod markdown;
pub mod text;
