//! The product's words in Dutch and English, from the same locale files the browser
//! client loads (`web/locales/*.json`), so a message is written once for both. The
//! catalog itself lives in the export crate, which renders the same words into reports;
//! this module adds the server's own renderings of domain errors.

pub use heisessie_export::locale::{content_plan_error, source, text};
