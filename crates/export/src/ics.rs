//! Calendars as iCalendar files (RFC 5545), written by hand: the session's days, the
//! action points' deadlines and the content calendar.
//!
//! Times of the session are written in UTC (`DTSTART:20261203T080000Z`) rather than with
//! a `TZID` and a `VTIMEZONE`. A `VTIMEZONE` has to spell out the zone's rules, which
//! chrono-tz does not expose; one made up from the offset of the day would be wrong for
//! anyone whose client trusts it for other dates, while a UTC instant is exact and every
//! calendar shows it in its user's own zone. The description names the session's zone and
//! gives the block times in it, as the agenda does. Deadlines and content items are dates,
//! not moments, so they are all-day events (`VALUE=DATE`) with no zone at all.
//!
//! Output is deterministic: the stamp comes in as an argument, UIDs are derived from the
//! caller's prefix and the ids of the session (`{prefix}-day-1@heisessie`), and events are
//! in program, action and calendar order. Every text is escaped ([`ics_text`]) and every
//! line folded at 75 octets with CRLF ([`fold_ics_line`]).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use heisessie_domain::planner::BlockKind;
use heisessie_domain::session::{ParticipantId, SessionState};

use crate::derived::{self, words};
use crate::escape::{fold_ics_line, ics_text, isolate_bidi};

/// The lines of one calendar file, folded and CRLF-terminated as they are added.
struct Calendar {
    out: String,
}

impl Calendar {
    fn new(name: &str) -> Self {
        let mut calendar = Calendar { out: String::new() };
        calendar.raw("BEGIN:VCALENDAR");
        calendar.raw("VERSION:2.0");
        calendar.raw("PRODID:-//Heisessie//Heisessie//EN");
        calendar.raw("CALSCALE:GREGORIAN");
        calendar.raw("METHOD:PUBLISH");
        calendar.text("X-WR-CALNAME", name);
        calendar
    }

    /// A line we composed ourselves, with no user text in it unescaped.
    fn raw(&mut self, line: &str) {
        self.out.push_str(&fold_ics_line(line));
    }

    /// A TEXT property.
    fn text(&mut self, name: &str, value: &str) {
        self.raw(&format!("{name}:{}", ics_text(value)));
    }

    fn finish(mut self) -> String {
        self.raw("END:VCALENDAR");
        self.out
    }
}

fn utc_stamp(moment: DateTime<Utc>) -> String {
    moment.format("%Y%m%dT%H%M%SZ").to_string()
}

fn date_value(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// A UID: the caller's prefix (escaped, since a UID is TEXT), the kind and the id.
fn uid(prefix: &str, kind: &str, id: &str) -> String {
    format!("{}-{kind}-{id}@heisessie", ics_text(prefix))
}

/// Whether a link can go into a URI property as it is: no white space, no controls.
fn usable_uri(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !link.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"')
}

/// One event per day of the session, from its first block to its last, with the blocks
/// (breaks included) in the description, and the video meeting and the board linked.
pub fn session_calendar(state: &SessionState, board_link: &str, uid_prefix: &str, dtstamp: DateTime<Utc>) -> String {
    let lang = state.details.language;
    let w = words(lang);
    let title = state.details.title.as_str();
    let mut calendar = Calendar::new(title);
    let schedule = state.schedule();
    let days: Vec<_> = schedule.days.iter().filter(|day| !day.blocks.is_empty()).collect();
    let meeting = state.details.meeting_link.as_ref().map(|link| link.as_str());
    for (index, day) in days.iter().enumerate() {
        let (Some(start), Some(end)) = (day.start(), day.end()) else { continue };
        let summary = if days.len() > 1 {
            format!("{} ({} {}/{})", isolate_bidi(title), w.session_part, index + 1, days.len())
        } else {
            title.to_owned()
        };
        let mut description = Vec::new();
        let organisation = state.details.organisation.as_str();
        if !organisation.is_empty() {
            description.push(organisation.to_owned());
        }
        description.push(format!("{} {}:", w.times_in, state.settings.time_zone().name()));
        for block in &day.blocks {
            let name = block.title.get(lang);
            let name = match block.kind {
                BlockKind::Part { segment: Some((n, of)), .. } => format!("{} ({n}/{of})", isolate_bidi(name)),
                _ => name.to_owned(),
            };
            description.push(format!("{}–{} {name}", block.start.format("%H:%M"), block.end.format("%H:%M")));
        }
        description.push(String::new());
        if let Some(link) = meeting {
            description.push(format!("{}: {link}", w.meeting));
        }
        if !board_link.is_empty() {
            description.push(format!("{}: {board_link}", w.board_link));
        }
        calendar.raw("BEGIN:VEVENT");
        calendar.raw(&format!("UID:{}", uid(uid_prefix, "day", &(index + 1).to_string())));
        calendar.raw(&format!("DTSTAMP:{}", utc_stamp(dtstamp)));
        calendar.raw(&format!("DTSTART:{}", utc_stamp(start.with_timezone(&Utc))));
        calendar.raw(&format!("DTEND:{}", utc_stamp(end.with_timezone(&Utc))));
        calendar.text("SUMMARY", &summary);
        calendar.text("DESCRIPTION", description.join("\n").trim_end());
        match meeting {
            Some(link) => {
                calendar.text("LOCATION", link);
                if usable_uri(link) {
                    calendar.raw(&format!("URL:{link}"));
                }
            }
            None if usable_uri(board_link) => calendar.raw(&format!("URL:{board_link}")),
            None => {}
        }
        calendar.raw("END:VEVENT");
    }
    calendar.finish()
}

/// An all-day event from `date` to the next day (DTEND is exclusive).
fn all_day(calendar: &mut Calendar, uid: &str, dtstamp: DateTime<Utc>, date: NaiveDate) {
    calendar.raw("BEGIN:VEVENT");
    calendar.raw(&format!("UID:{uid}"));
    calendar.raw(&format!("DTSTAMP:{}", utc_stamp(dtstamp)));
    calendar.raw(&format!("DTSTART;VALUE=DATE:{}", date_value(date)));
    if let Some(next) = date.succ_opt() {
        calendar.raw(&format!("DTEND;VALUE=DATE:{}", date_value(next)));
    }
    // A deadline or a post does not make anyone busy.
    calendar.raw("TRANSP:TRANSPARENT");
}

/// The action points with a deadline as all-day events on their deadline: everyone's, or
/// only those `participant` owns.
pub fn action_calendar(
    state: &SessionState,
    participant: Option<ParticipantId>,
    uid_prefix: &str,
    dtstamp: DateTime<Utc>,
) -> String {
    let lang = state.details.language;
    let w = words(lang);
    let title = state.details.title.as_str();
    let name = match participant {
        Some(id) => {
            format!("{} · {} · {}", w.calendar_of_actions, isolate_bidi(title), derived::name_of(state, id, lang))
        }
        None => format!("{} · {}", w.calendar_of_actions, isolate_bidi(title)),
    };
    let mut calendar = Calendar::new(&name);
    for action in &state.strategy.actions {
        let Some(deadline) = action.deadline else { continue };
        if participant.is_some() && action.owner != participant {
            continue;
        }
        let mut description = vec![
            format!("{}: {}", w.owner, derived::owner_name(state, action.owner, lang)),
            format!("{}: {}", w.status, derived::status_word(action.status, lang)),
        ];
        if let Some(bundle) = derived::responsibility_of(state, action.id) {
            description.push(format!("{}: {}", w.responsibility, bundle.name.as_str()));
        }
        if let Some(part) = action.part {
            description.push(format!("{}: {}", w.part, derived::part_title(state, part, lang)));
        }
        if let Some(source) = action.source {
            description.push(format!("{}: {}", w.source, derived::source_text(state, source, lang)));
        }
        description.push(title.to_owned());
        all_day(&mut calendar, &uid(uid_prefix, "action", &action.id.0.to_string()), dtstamp, deadline);
        calendar.text("SUMMARY", action.title.as_str());
        calendar.text("DESCRIPTION", &description.join("\n"));
        calendar.raw("END:VEVENT");
    }
    calendar.finish()
}

/// The content calendar of the core message as all-day events, one per item.
pub fn content_calendar(state: &SessionState, uid_prefix: &str, dtstamp: DateTime<Utc>) -> String {
    let lang = state.details.language;
    let w = words(lang);
    let title = state.details.title.as_str();
    let mut calendar = Calendar::new(&format!("{} · {title}", w.content_calendar));
    let items = state.strategy.core_message.calendar().unwrap_or_default();
    let plan = &state.strategy.core_message.plan;
    // Two items of one line can share a day when its period has no free day left; the
    // count keeps their UIDs apart.
    let mut seen: BTreeMap<(NaiveDate, u32), u32> = BTreeMap::new();
    for item in &items {
        let count = seen.entry((item.date, item.line)).or_default();
        *count += 1;
        let id = format!("{}-{}-{}", date_value(item.date), item.line, count);
        let form = derived::form_label(&item.form, lang);
        let channel = derived::channel_label(&item.channel, lang);
        let mut description = Vec::new();
        if let Some(owner) = item.owner {
            description.push(format!("{}: {}", w.who, derived::name_of(state, ParticipantId(owner), lang)));
        }
        if let Some(line) = plan.iter().find(|line| line.id == item.line) {
            description.push(format!("{}: {}", w.how_often, line.frequency_text(lang)));
        }
        let usp = state.strategy.core_message.usp.as_str();
        if !usp.is_empty() {
            description.push(format!("{}: {usp}", w.core_message));
        }
        description.push(title.to_owned());
        all_day(&mut calendar, &uid(uid_prefix, "content", &id), dtstamp, item.date);
        calendar.text("SUMMARY", &format!("{} · {channel}", isolate_bidi(&form)));
        calendar.text("DESCRIPTION", &description.join("\n"));
        calendar.raw("END:VEVENT");
    }
    calendar.finish()
}
