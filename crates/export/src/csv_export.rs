//! The action points and the content calendar as CSV (RFC 4180), for a spreadsheet.
//!
//! Records end in CRLF; a field is quoted when it holds a quote, comma, semicolon or line
//! break; a cell that a spreadsheet could run as a formula (`=`, `+`, `-`, `@`, a leading
//! tab or line break) starts with `'` so that it stays text ([`csv_field`]). The file
//! starts with a UTF-8 byte order mark: without it Excel reads UTF-8 as the local code page
//! and turns every "é" into "Ã©"; CSV readers (the `csv` crate, Python, LibreOffice) skip it.
//! Dates are ISO 8601 (`2027-01-15`), which every spreadsheet reads as a date.

use heisessie_domain::Lang;
use heisessie_domain::session::{ParticipantId, SessionState};

use crate::derived::{self, words};
use crate::escape::csv_field;

const BYTE_ORDER_MARK: char = '\u{FEFF}';

fn record(out: &mut String, fields: &[String]) {
    let fields: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

/// One row per action point: title, owner, deadline, status, part, responsibility, source.
pub fn actions_csv(state: &SessionState, lang: Lang) -> String {
    let w = words(lang);
    let mut out = String::from(BYTE_ORDER_MARK);
    let head = [w.action, w.owner, w.deadline, w.status, w.part, w.responsibility, w.source];
    record(&mut out, &head.map(str::to_owned));
    for action in &state.strategy.actions {
        record(
            &mut out,
            &[
                action.title.as_str().to_owned(),
                action.owner.map(|o| derived::name_of(state, o, lang)).unwrap_or_default(),
                action.deadline.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                derived::status_word(action.status, lang).to_owned(),
                action.part.map(|p| derived::part_title(state, p, lang)).unwrap_or_default(),
                derived::responsibility_of(state, action.id).map(|r| r.name.as_str().to_owned()).unwrap_or_default(),
                action.source.map(|s| derived::source_text(state, s, lang)).unwrap_or_default(),
            ],
        );
    }
    out
}

/// One row per item of the content calendar: date, channel, form, owner.
pub fn content_calendar_csv(state: &SessionState, lang: Lang) -> String {
    let w = words(lang);
    let mut out = String::from(BYTE_ORDER_MARK);
    record(&mut out, &[w.date, w.channel, w.form, w.owner].map(str::to_owned));
    for item in state.strategy.core_message.calendar().unwrap_or_default() {
        record(
            &mut out,
            &[
                item.date.format("%Y-%m-%d").to_string(),
                derived::channel_label(&item.channel, lang),
                derived::form_label(&item.form, lang),
                item.owner.map(|o| derived::name_of(state, ParticipantId(o), lang)).unwrap_or_default(),
            ],
        );
    }
    out
}
