//! In-process PDF typesetting for Heisessie, built on [Typst](https://typst.app).
//!
//! The caller builds a [`Document`] (a title and a list of [`Block`]s) from a
//! session and gets PDF bytes back from [`render_pdf`]. Nothing is shelled out
//! to, nothing is downloaded, and no file is read: the fonts come embedded
//! from `typst-assets` and the one Typst template is compiled into this crate.
//!
//! # Why user text cannot inject Typst markup
//!
//! No user text is ever written into Typst *source*. The template
//! (`src/template.typ`) is a fixed string; the document is handed to Typst as
//! a dictionary of *values* through `sys.inputs` (typst-as-lib's input
//! injection), and the template only ever displays those strings as content
//! (`text(s)`). A Typst string displayed as content is shown verbatim; it is
//! never parsed, so `#panic()`, `#read("/etc/passwd")`, `$x$`, `*bold*` or
//! `= Heading` come out as exactly those characters. This is safe by
//! construction, unlike escaping, which has to get every markup character in
//! every context right (and there is therefore no `escape_typst` function).
//! As a second line of defence the engine has no file resolver besides the
//! template itself, so even template code could not read a file.

use std::sync::LazyLock;

use typst::diag::SourceDiagnostic;
use typst::foundations::{Array, Bytes, Dict, IntoValue, Value};
use typst_as_lib::{TypstAsLibError, TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;

/// The fixed template; see its header for the rules it keeps.
const TEMPLATE: &str = include_str!("template.typ");

/// The deepest heading level the template styles; deeper levels are clamped.
const MAX_HEADING_LEVEL: u8 = 4;

/// A document to typeset: a title and blocks, built by the caller from the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Shown large at the top of the first page, in the footer of every page
    /// and as the PDF's title metadata.
    pub title: String,
    /// Shown under the title; left out when empty.
    pub subtitle: String,
    /// The text language, `"nl"` or `"en"` (used for hyphenation, quotes and
    /// the PDF's language tag).
    pub lang: &'static str,
    /// A4 landscape instead of A4 portrait.
    pub landscape: bool,
    /// The content, in order.
    pub blocks: Vec<Block>,
}

/// One piece of content. All strings are plain text: they are shown verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section heading; `level` 1 is the largest (0 is treated as 1, levels
    /// deeper than 4 as 4).
    Heading { level: u8, text: String },
    /// A paragraph of running text; a `\n` in it is a line break.
    Paragraph(String),
    /// A bulleted list, one string per item.
    Bullets(Vec<String>),
    /// A table with a (bold, shaded) header row; short rows are padded with
    /// empty cells. A table without header and rows is left out.
    Table { header: Vec<String>, rows: Vec<Vec<String>> },
    /// Start a new page (no empty page is produced if one just started).
    PageBreak,
}

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// [`Document::lang`] is not a language this crate typesets.
    #[error("unsupported document language {0:?}: expected \"nl\" or \"en\"")]
    UnsupportedLanguage(String),
    /// Typst could not lay the document out (a bug in the template, not in the input).
    #[error("typesetting the PDF failed: {0}")]
    Typeset(String),
    /// Typst laid the document out but could not write it as PDF.
    #[error("writing the PDF failed: {0}")]
    Export(String),
}

/// The languages [`Document::lang`] may name.
const LANGUAGES: [&str; 2] = ["nl", "en"];

/// The engine is built once per process: parsing the embedded fonts is the
/// expensive part of setting it up.
static ENGINE: LazyLock<TypstEngine<TypstTemplateMainFile>> = LazyLock::new(|| {
    TypstEngine::builder()
        .main_file(TEMPLATE)
        // `Bytes::new` borrows the `'static` font data instead of copying it.
        .fonts(typst_assets::fonts().map(Bytes::new))
        .build()
});

/// Typesets `document` as a PDF (A4, portrait or landscape) and returns its bytes.
pub fn render_pdf(document: &Document) -> Result<Vec<u8>, PdfError> {
    let paged = typeset(document)?;
    typst_pdf::pdf(&paged, &typst_pdf::PdfOptions::default())
        .map_err(|diagnostics| PdfError::Export(describe_diagnostics(&diagnostics)))
}

/// Lays `document` out with Typst, before the PDF export.
pub(crate) fn typeset(document: &Document) -> Result<PagedDocument, PdfError> {
    if !LANGUAGES.contains(&document.lang) {
        return Err(PdfError::UnsupportedLanguage(document.lang.to_owned()));
    }
    ENGINE.compile_with_input(inputs(document)).output.map_err(|error| PdfError::Typeset(describe_error(error)))
}

/// The document as the dictionary the template reads from `sys.inputs`.
fn inputs(document: &Document) -> Dict {
    let mut dict = Dict::new();
    dict.insert("title".into(), document.title.as_str().into_value());
    dict.insert("subtitle".into(), document.subtitle.as_str().into_value());
    dict.insert("lang".into(), document.lang.into_value());
    dict.insert("landscape".into(), document.landscape.into_value());
    let blocks: Array = document.blocks.iter().filter_map(block_value).collect();
    dict.insert("blocks".into(), blocks.into_value());
    dict
}

/// One block as a dictionary with a `kind`; `None` for blocks that show nothing.
fn block_value(block: &Block) -> Option<Value> {
    let mut dict = Dict::new();
    match block {
        Block::Heading { level, text } => {
            dict.insert("kind".into(), "heading".into_value());
            let level = (*level).clamp(1, MAX_HEADING_LEVEL);
            dict.insert("level".into(), i64::from(level).into_value());
            dict.insert("text".into(), text.as_str().into_value());
        }
        Block::Paragraph(text) => {
            dict.insert("kind".into(), "paragraph".into_value());
            dict.insert("text".into(), text.as_str().into_value());
        }
        Block::Bullets(items) => {
            if items.is_empty() {
                return None;
            }
            dict.insert("kind".into(), "bullets".into_value());
            dict.insert("items".into(), strings(items).into_value());
        }
        Block::Table { header, rows } => {
            let columns = rows.iter().map(Vec::len).chain([header.len()]).max().unwrap_or(0);
            if columns == 0 {
                return None;
            }
            let mut header_cells: Vec<&str> = header.iter().map(String::as_str).collect();
            if !header_cells.is_empty() {
                header_cells.resize(columns, "");
            }
            let mut cells: Vec<&str> = Vec::with_capacity(columns * rows.len());
            for row in rows {
                cells.extend(row.iter().map(String::as_str));
                cells.extend(std::iter::repeat_n("", columns - row.len()));
            }
            dict.insert("kind".into(), "table".into_value());
            dict.insert("columns".into(), i64::try_from(columns).unwrap_or(i64::MAX).into_value());
            dict.insert("header".into(), strings(&header_cells).into_value());
            dict.insert("cells".into(), strings(&cells).into_value());
        }
        Block::PageBreak => {
            dict.insert("kind".into(), "pagebreak".into_value());
        }
    }
    Some(dict.into_value())
}

fn strings<S: AsRef<str>>(items: &[S]) -> Array {
    items.iter().map(|item| item.as_ref().into_value()).collect()
}

fn describe_error(error: TypstAsLibError) -> String {
    match error {
        TypstAsLibError::TypstSource(diagnostics) => describe_diagnostics(&diagnostics),
        other => other.to_string(),
    }
}

fn describe_diagnostics(diagnostics: &[SourceDiagnostic]) -> String {
    let messages: Vec<String> = diagnostics
        .iter()
        .map(|diagnostic| {
            let mut message = diagnostic.message.to_string();
            for hint in &diagnostic.hints {
                message.push_str(" (hint: ");
                message.push_str(&hint.v);
                message.push(')');
            }
            message
        })
        .collect();
    if messages.is_empty() { "Typst reported an error without a message".to_owned() } else { messages.join("; ") }
}

#[cfg(test)]
mod tests;
