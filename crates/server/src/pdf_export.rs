//! PDF exports: typeset in-process by the `heisessie-pdf` crate when the `pdf` feature is
//! on (it is by default in the binary); without it, a clear error instead of a file.
//!
//! The report's PDF is made from the report's Markdown, so the two never say different
//! things; the deck's PDF has a page per part with what the part produced.

use chrono::NaiveDate;
use heisessie_domain::Lang;
use heisessie_domain::session::SessionState;

use crate::error::ApiError;
use crate::exports::ExportKind;

#[cfg(not(feature = "pdf"))]
pub fn render(_: ExportKind, _: &SessionState, _: Lang, _: NaiveDate, _: i64) -> Result<Vec<u8>, ApiError> {
    Err(ApiError::Internal("this binary was built without the pdf feature".into()))
}

#[cfg(feature = "pdf")]
pub fn render(
    kind: ExportKind,
    state: &SessionState,
    lang: Lang,
    today: NaiveDate,
    now_ms: i64,
) -> Result<Vec<u8>, ApiError> {
    let document = match kind {
        ExportKind::DeckPdf => deck_document(state, lang),
        _ => report_document(state, lang, today, now_ms),
    };
    heisessie_pdf::render_pdf(&document).map_err(|error| ApiError::Internal(format!("cannot typeset the PDF: {error}")))
}

/// Undoes the Markdown escaping of the report: the PDF crate escapes for Typst itself.
#[cfg(feature = "pdf")]
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|next| next.is_ascii_punctuation()) {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    let out = out.replace("**", "");
    // A line in italics (`_…_`) is a remark: the PDF shows it as plain text.
    match out.strip_prefix('_').and_then(|rest| rest.strip_suffix('_')) {
        Some(inner) => inner.to_owned(),
        None => out,
    }
}

#[cfg(feature = "pdf")]
fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "nl",
        Lang::En => "en",
    }
}

/// The report as blocks, read from its Markdown: headings, paragraphs, lists and tables.
#[cfg(feature = "pdf")]
fn report_document(state: &SessionState, lang: Lang, today: NaiveDate, now_ms: i64) -> heisessie_pdf::Document {
    use heisessie_pdf::Block;
    let markdown = heisessie_export::report::report_markdown(state, lang, today, now_ms);
    let mut blocks = Vec::new();
    let mut bullets: Vec<String> = Vec::new();
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut paragraph: Vec<String> = Vec::new();
    let flush = |blocks: &mut Vec<Block>,
                 bullets: &mut Vec<String>,
                 table: &mut Vec<Vec<String>>,
                 paragraph: &mut Vec<String>| {
        if !bullets.is_empty() {
            blocks.push(Block::Bullets(std::mem::take(bullets)));
        }
        if !table.is_empty() {
            let mut rows = std::mem::take(table);
            let header = rows.remove(0);
            blocks.push(Block::Table { header, rows });
        }
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(std::mem::take(paragraph).join(" ")));
        }
    };
    for line in markdown.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix('#') {
            flush(&mut blocks, &mut bullets, &mut table, &mut paragraph);
            let level = 1 + rest.chars().take_while(|c| *c == '#').count() as u8;
            let text = rest.trim_start_matches('#').trim();
            if level > 1 {
                blocks.push(Block::Heading { level: level - 1, text: plain(text) });
            }
        } else if let Some(item) = trimmed.strip_prefix("- ").or_else(|| trimmed.strip_prefix("* ")) {
            if !table.is_empty() || !paragraph.is_empty() {
                let pending = std::mem::take(&mut bullets);
                flush(&mut blocks, &mut Vec::new(), &mut table, &mut paragraph);
                bullets = pending;
            }
            bullets.push(plain(item));
        } else if trimmed.starts_with('|') {
            let cells: Vec<String> = trimmed.trim_matches('|').split('|').map(|cell| plain(cell.trim())).collect();
            if cells.iter().all(|cell| cell.chars().all(|c| matches!(c, '-' | ':' | ' '))) {
                continue;
            }
            table.push(cells);
        } else if trimmed.is_empty() {
            flush(&mut blocks, &mut bullets, &mut table, &mut paragraph);
        } else {
            paragraph.push(plain(trimmed));
        }
    }
    flush(&mut blocks, &mut bullets, &mut table, &mut paragraph);
    heisessie_pdf::Document {
        title: state.details.title.as_str().to_owned(),
        subtitle: state.details.organisation.as_str().to_owned(),
        lang: lang_code(lang),
        landscape: false,
        blocks,
    }
}

/// The deck: a page per part, with its explanation and what it produced.
#[cfg(feature = "pdf")]
fn deck_document(state: &SessionState, lang: Lang) -> heisessie_pdf::Document {
    use heisessie_domain::model::WorkspaceKind;
    use heisessie_pdf::Block;
    let strategy = &state.strategy;
    let mut blocks = Vec::new();
    for (index, part) in state.parts.iter().enumerate() {
        if index > 0 {
            blocks.push(Block::PageBreak);
        }
        blocks.push(Block::Heading { level: 1, text: format!("{}. {}", index + 1, part.title.get(lang)) });
        if !part.explanation.get(lang).is_empty() {
            blocks.push(Block::Paragraph(part.explanation.get(lang).to_owned()));
        }
        let mut outcome: Vec<String> = match part.workspace {
            WorkspaceKind::EndGoals => strategy.end_goals.iter().map(|g| g.text.as_str().to_owned()).collect(),
            WorkspaceKind::SmartGoals => strategy.smart_goals.iter().map(|g| g.text.as_str().to_owned()).collect(),
            WorkspaceKind::Personas => strategy.personas.iter().map(|p| p.fields.name.as_str().to_owned()).collect(),
            WorkspaceKind::CoreMessage => std::iter::once(strategy.core_message.usp.as_str().to_owned())
                .chain(strategy.ideas.iter().map(|i| i.text.as_str().to_owned()))
                .filter(|text| !text.is_empty())
                .collect(),
            WorkspaceKind::Actions => strategy.actions.iter().map(|a| a.title.as_str().to_owned()).collect(),
            WorkspaceKind::Board | WorkspaceKind::Notes => Vec::new(),
        };
        outcome.extend(
            state
                .stickies
                .values()
                .filter(|s| s.part == part.id && !s.text.as_str().is_empty())
                .map(|s| s.text.as_str().to_owned()),
        );
        if let Some(notes) = state.notes.get(&part.id).filter(|n| !n.as_str().is_empty()) {
            outcome.push(notes.as_str().to_owned());
        }
        if !outcome.is_empty() {
            blocks.push(Block::Bullets(outcome));
        }
    }
    heisessie_pdf::Document {
        title: state.details.title.as_str().to_owned(),
        subtitle: state.model.name.get(lang).to_owned(),
        lang: lang_code(lang),
        landscape: true,
        blocks,
    }
}
