//! The agenda (the planner's schedule) as JSON, as a text table and as Markdown.
//!
//! The JSON shape is shared by `heisessie plan --format json` and the API, so that a
//! script written against one works against the other.

use heisessie_domain::Lang;
use heisessie_domain::planner::{BlockKind, Cut, CutAction, Replan, Schedule, WarningKind};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaView {
    pub days: Vec<DayView>,
    pub warnings: Vec<WarningView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayView {
    /// The local date, `YYYY-MM-DD`.
    pub date: String,
    pub work_minutes: u32,
    pub total_minutes: u32,
    pub blocks: Vec<BlockView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum BlockKindView {
    Part,
    Break,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockView {
    pub kind: BlockKindView,
    pub title: String,
    /// RFC 3339 with the offset of the session's time zone.
    pub start: String,
    pub end: String,
    pub minutes: u32,
    /// The part's id within the program; absent for breaks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// `[n, of]` when a long part is split by a break.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<[u32; 2]>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningView {
    /// `day_over_limit`, `cannot_fit` or `part_split`.
    pub kind: String,
    /// The day (1-based) the warning is about, when it is about a day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<usize>,
    pub message: String,
    pub cuts: Vec<CutView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CutView {
    pub part_id: u32,
    pub title: String,
    /// `shorten` or `drop`.
    pub action: String,
    pub from_minutes: u32,
    pub to_minutes: u32,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplanView {
    /// The day (1-based) of the current part.
    pub day: usize,
    pub planned_end: String,
    pub projected_end: String,
    pub delay_minutes: i64,
    pub fits: bool,
    pub cuts: Vec<CutView>,
}

fn cut_view(cut: &Cut, lang: Lang) -> CutView {
    CutView {
        part_id: cut.part_id.0,
        title: cut.title.get(lang).to_owned(),
        action: match cut.action {
            CutAction::Shorten => "shorten",
            CutAction::Drop => "drop",
        }
        .to_owned(),
        from_minutes: cut.from_minutes,
        to_minutes: cut.to_minutes,
        description: cut.describe(lang),
    }
}

pub fn agenda_view(schedule: &Schedule, lang: Lang) -> AgendaView {
    let days = schedule
        .days
        .iter()
        .map(|day| DayView {
            date: day.date.format("%Y-%m-%d").to_string(),
            work_minutes: day.work_minutes,
            total_minutes: day.total_minutes,
            blocks: day
                .blocks
                .iter()
                .map(|block| {
                    let (kind, part_id, priority, segment) = match &block.kind {
                        BlockKind::Part { part_id, priority, segment } => (
                            BlockKindView::Part,
                            Some(part_id.0),
                            Some(priority.code().to_owned()),
                            segment.map(|(n, of)| [n, of]),
                        ),
                        BlockKind::Break => (BlockKindView::Break, None, None, None),
                    };
                    BlockView {
                        kind,
                        title: block.title.get(lang).to_owned(),
                        start: block.start.to_rfc3339(),
                        end: block.end.to_rfc3339(),
                        minutes: block.minutes,
                        part_id,
                        priority,
                        segment,
                    }
                })
                .collect(),
        })
        .collect();
    let warnings = schedule
        .warnings
        .iter()
        .map(|warning| {
            let (kind, day) = match warning.kind {
                WarningKind::DayOverLimit { day, .. } => ("day_over_limit", Some(day + 1)),
                WarningKind::CannotFit { day, .. } => ("cannot_fit", Some(day + 1)),
                WarningKind::PartSplit { .. } => ("part_split", None),
            };
            WarningView {
                kind: kind.to_owned(),
                day,
                message: warning.message(lang),
                cuts: warning.cuts.iter().map(|cut| cut_view(cut, lang)).collect(),
            }
        })
        .collect();
    AgendaView { days, warnings }
}

pub fn replan_view(replan: &Replan, lang: Lang) -> ReplanView {
    ReplanView {
        day: replan.day + 1,
        planned_end: replan.planned_end.to_rfc3339(),
        projected_end: replan.projected_end.to_rfc3339(),
        delay_minutes: replan.delay_minutes,
        fits: replan.fits,
        cuts: replan.cuts.iter().map(|cut| cut_view(cut, lang)).collect(),
    }
}

struct Words {
    day: &'static str,
    time: &'static str,
    minutes: &'static str,
    what: &'static str,
    warnings: &'static str,
    total: &'static str,
    no_parts: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Nl => Words {
            day: "Dag",
            time: "Tijd",
            minutes: "Min.",
            what: "Onderdeel",
            warnings: "Let op",
            total: "totaal",
            no_parts: "Geen onderdelen op deze dag.",
        },
        Lang::En => Words {
            day: "Day",
            time: "Time",
            minutes: "Min.",
            what: "Part",
            warnings: "Warnings",
            total: "total",
            no_parts: "No parts on this day.",
        },
    }
}

fn time_range(block: &BlockView) -> String {
    // RFC 3339 puts the local time at characters 11..16 ("2026-12-03T09:00:00+01:00").
    let clock = |stamp: &str| stamp.get(11..16).unwrap_or(stamp).to_owned();
    format!("{}–{}", clock(&block.start), clock(&block.end))
}

fn block_title(block: &BlockView) -> String {
    match (block.kind, block.segment) {
        (BlockKindView::Break, _) => format!("☕ {}", block.title),
        (BlockKindView::Part, Some([n, of])) => format!("{} ({n}/{of})", block.title),
        (BlockKindView::Part, None) => block.title.clone(),
    }
}

fn hours(minutes: u32, lang: Lang) -> String {
    let text = format!("{}:{:02}", minutes / 60, minutes % 60);
    match lang {
        Lang::Nl => format!("{text} uur"),
        Lang::En => format!("{text} h"),
    }
}

/// A plain-text table for the terminal.
pub fn agenda_table(view: &AgendaView, lang: Lang) -> String {
    let w = words(lang);
    let mut out = String::new();
    for (index, day) in view.days.iter().enumerate() {
        out.push_str(&format!(
            "{} {} · {} ({} {})\n",
            w.day,
            index + 1,
            day.date,
            hours(day.total_minutes, lang),
            w.total
        ));
        if day.blocks.is_empty() {
            out.push_str(&format!("  {}\n", w.no_parts));
        } else {
            out.push_str(&format!("  {:<11}  {:>4}  {}\n", w.time, w.minutes, w.what));
        }
        for block in &day.blocks {
            out.push_str(&format!("  {:<11}  {:>4}  {}\n", time_range(block), block.minutes, block_title(block)));
        }
        out.push('\n');
    }
    if !view.warnings.is_empty() {
        out.push_str(&format!("{}:\n", w.warnings));
        for warning in &view.warnings {
            out.push_str(&format!("  ! {}\n", warning.message));
            for cut in &warning.cuts {
                out.push_str(&format!("    - {}\n", cut.description));
            }
        }
    }
    out
}

/// Escapes the characters that Markdown would read as table syntax or markup.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#') {
            out.push('\\');
        }
        out.push(if c == '\n' || c == '\r' { ' ' } else { c });
    }
    out
}

/// The agenda as Markdown: a table per day, then the warnings.
pub fn agenda_markdown(view: &AgendaView, lang: Lang) -> String {
    let w = words(lang);
    let mut out = String::new();
    for (index, day) in view.days.iter().enumerate() {
        out.push_str(&format!(
            "## {} {} · {} ({} {})\n\n",
            w.day,
            index + 1,
            day.date,
            hours(day.total_minutes, lang),
            w.total
        ));
        if day.blocks.is_empty() {
            out.push_str(&format!("{}\n\n", w.no_parts));
            continue;
        }
        out.push_str(&format!("| {} | {} | {} |\n|---|---:|---|\n", w.time, w.minutes, w.what));
        for block in &day.blocks {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                time_range(block),
                block.minutes,
                markdown_text(&block_title(block))
            ));
        }
        out.push('\n');
    }
    if !view.warnings.is_empty() {
        out.push_str(&format!("### {}\n\n", w.warnings));
        for warning in &view.warnings {
            out.push_str(&format!("- {}\n", markdown_text(&warning.message)));
            for cut in &warning.cuts {
                out.push_str(&format!("  - {}\n", markdown_text(&cut.description)));
            }
        }
    }
    out
}
