//! What the team takes home: the report, the deck, calendars and CSV, rendered from the
//! session's state by the export crate (and the PDF crate, when built in). The file
//! names come from the session's id, never from user text.

use chrono::Utc;
use heisessie_domain::Lang;
use heisessie_domain::session::SessionState;
use heisessie_export::{csv_export, deck, ics, report};
use heisessie_store::SessionId;

use crate::error::{ApiError, FieldProblem};

/// Every file a session can be exported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    ReportHtml,
    ReportMarkdown,
    ReportPdf,
    DeckHtml,
    DeckPdf,
    SessionCalendar,
    ActionCalendar,
    ContentCalendar,
    ActionsCsv,
    ContentCsv,
}

impl ExportKind {
    pub const ALL: [ExportKind; 10] = [
        ExportKind::ReportHtml,
        ExportKind::ReportMarkdown,
        ExportKind::ReportPdf,
        ExportKind::DeckHtml,
        ExportKind::DeckPdf,
        ExportKind::SessionCalendar,
        ExportKind::ActionCalendar,
        ExportKind::ContentCalendar,
        ExportKind::ActionsCsv,
        ExportKind::ContentCsv,
    ];

    /// The file's name after the session id, e.g. `report.html`.
    pub fn file(self) -> &'static str {
        match self {
            ExportKind::ReportHtml => "report.html",
            ExportKind::ReportMarkdown => "report.md",
            ExportKind::ReportPdf => "report.pdf",
            ExportKind::DeckHtml => "deck.html",
            ExportKind::DeckPdf => "deck.pdf",
            ExportKind::SessionCalendar => "session.ics",
            ExportKind::ActionCalendar => "actions.ics",
            ExportKind::ContentCalendar => "content.ics",
            ExportKind::ActionsCsv => "actions.csv",
            ExportKind::ContentCsv => "content.csv",
        }
    }

    pub fn parse(file: &str) -> Option<ExportKind> {
        ExportKind::ALL.into_iter().find(|kind| kind.file() == file)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportKind::ReportHtml | ExportKind::DeckHtml => "text/html; charset=utf-8",
            ExportKind::ReportMarkdown => "text/markdown; charset=utf-8",
            ExportKind::ReportPdf | ExportKind::DeckPdf => "application/pdf",
            ExportKind::SessionCalendar | ExportKind::ActionCalendar | ExportKind::ContentCalendar => {
                "text/calendar; charset=utf-8"
            }
            ExportKind::ActionsCsv | ExportKind::ContentCsv => "text/csv; charset=utf-8",
        }
    }

    /// The kinds of a `--format` of the command line.
    pub fn of_format(format: &str) -> Option<Vec<ExportKind>> {
        Some(match format {
            "html" => vec![ExportKind::ReportHtml, ExportKind::DeckHtml],
            "md" => vec![ExportKind::ReportMarkdown],
            "pdf" => vec![ExportKind::ReportPdf, ExportKind::DeckPdf],
            "ics" => vec![ExportKind::SessionCalendar, ExportKind::ActionCalendar, ExportKind::ContentCalendar],
            "csv" => vec![ExportKind::ActionsCsv, ExportKind::ContentCsv],
            _ => return None,
        })
    }
}

/// The file name offered for download: the session's id and the kind, nothing a user typed.
pub fn file_name(id: SessionId, kind: ExportKind) -> String {
    format!("heisessie-{}-{}", id.simple(), kind.file())
}

/// Renders one export of the session in the session's language.
pub fn render(kind: ExportKind, id: SessionId, state: &SessionState, public_url: &str) -> Result<Vec<u8>, ApiError> {
    render_for(kind, id, state, public_url, None)
}

/// As `render`; the action calendar holds only `person`'s deadlines when one is given.
pub fn render_for(
    kind: ExportKind,
    id: SessionId,
    state: &SessionState,
    public_url: &str,
    person: Option<heisessie_domain::session::ParticipantId>,
) -> Result<Vec<u8>, ApiError> {
    let lang: Lang = state.details.language;
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    let today = crate::protocol::session_today(state, now_ms);
    let uid = format!("{}", id.simple());
    let board = format!("{public_url}/s/{id}");
    Ok(match kind {
        ExportKind::ReportHtml => report::report_html(state, lang, today, now_ms).into_bytes(),
        ExportKind::ReportMarkdown => report::report_markdown(state, lang, today, now_ms).into_bytes(),
        ExportKind::DeckHtml => deck::deck_html(state, lang, today).into_bytes(),
        ExportKind::SessionCalendar => ics::session_calendar(state, &board, &uid, now).into_bytes(),
        ExportKind::ActionCalendar => ics::action_calendar(state, person, &uid, now).into_bytes(),
        ExportKind::ContentCalendar => ics::content_calendar(state, &uid, now).into_bytes(),
        ExportKind::ActionsCsv => csv_export::actions_csv(state, lang).into_bytes(),
        ExportKind::ContentCsv => csv_export::content_calendar_csv(state, lang).into_bytes(),
        ExportKind::ReportPdf | ExportKind::DeckPdf => crate::pdf_export::render(kind, state, lang, today, now_ms)?,
    })
}

/// Refuses an unknown export name, naming the ones there are.
pub fn parse_kind(file: &str) -> Result<ExportKind, ApiError> {
    ExportKind::parse(file).ok_or_else(|| {
        ApiError::field(
            "file",
            FieldProblem::BadChoice(
                "report.html, report.md, report.pdf, deck.html, deck.pdf, session.ics, actions.ics, content.ics, actions.csv, content.csv",
            ),
        )
    })
}
