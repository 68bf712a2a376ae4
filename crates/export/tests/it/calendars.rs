//! The calendars of a realistic session, read back with an iCalendar parser.

use std::collections::BTreeSet;

use heisessie_domain::planner::BlockKind;
use heisessie_domain::session::ParticipantId;
use heisessie_export::ics::{action_calendar, content_calendar, session_calendar};
use icalendar::parser::{Component, read_calendar, unfold};

use crate::helpers::{BOARD_LINK, realistic, stamp};

fn property(event: &Component<'_>, name: &str) -> String {
    event.find_prop(name).map(|p| p.val.as_str().to_owned()).unwrap_or_default()
}

fn parameter(event: &Component<'_>, name: &str, parameter: &str) -> Option<String> {
    let property = event.find_prop(name)?;
    property
        .params
        .iter()
        .find(|p| p.key.as_str() == parameter)
        .and_then(|p| p.val.as_ref())
        .map(|v| v.as_str().to_owned())
}

/// Parses a calendar and checks what every file must have: CRLF lines of at most 75
/// octets, the calendar's own properties, a DTSTAMP and a unique UID per event.
fn events(ics: &str) -> Vec<Component<'static>> {
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    for line in ics.split_terminator("\r\n") {
        assert!(line.len() <= 75, "a line of {} octets: {line}", line.len());
        assert!(!line.contains(['\r', '\n']));
    }
    let unfolded = unfold(ics);
    let calendar = read_calendar(&unfolded).unwrap_or_else(|error| panic!("{error}"));
    let events: Vec<Component<'static>> = calendar
        .components
        .iter()
        .map(|event| {
            assert_eq!(event.name, "VEVENT");
            Component {
                name: event.name.clone().into_owned(),
                properties: event
                    .properties
                    .iter()
                    .map(|p| icalendar::parser::Property {
                        name: p.name.clone().into_owned(),
                        val: p.val.clone().into_owned(),
                        params: p
                            .params
                            .iter()
                            .map(|q| icalendar::parser::Parameter {
                                key: q.key.clone().into_owned(),
                                val: q.val.clone().map(|v| v.into_owned()),
                            })
                            .collect(),
                    })
                    .collect(),
                components: Vec::new(),
            }
        })
        .collect();
    let uids: BTreeSet<String> = events.iter().map(|e| property(e, "UID")).collect();
    assert_eq!(uids.len(), events.len(), "UIDs are unique");
    for event in &events {
        assert_eq!(property(event, "DTSTAMP"), "20270315T103000Z");
    }
    events
}

#[test]
fn the_session_calendar_has_one_event_per_day_with_its_blocks() {
    let state = realistic();
    let schedule = state.schedule();
    let events = events(&session_calendar(&state, BOARD_LINK, "3f9a2c", stamp()));
    assert_eq!(events.len(), 2);
    for (index, (event, day)) in events.iter().zip(&schedule.days).enumerate() {
        assert_eq!(property(event, "UID"), format!("3f9a2c-day-{}@heisessie", index + 1));
        assert_eq!(property(event, "SUMMARY"), format!("Heidag online marketing 2027 (deel {}/2)", index + 1));
        let start = day.start().expect("a start").with_timezone(&chrono::Utc);
        let end = day.end().expect("an end").with_timezone(&chrono::Utc);
        assert_eq!(property(event, "DTSTART"), start.format("%Y%m%dT%H%M%SZ").to_string());
        assert_eq!(property(event, "DTEND"), end.format("%Y%m%dT%H%M%SZ").to_string());
        let description = property(event, "DESCRIPTION");
        let lines: Vec<&str> = description.lines().collect();
        assert_eq!(lines[0], "Bakkerij Jansen");
        assert_eq!(lines[1], "Tijden in Europe/Amsterdam:");
        for (line, block) in lines[2..].iter().zip(&day.blocks) {
            let title = match block.kind {
                BlockKind::Break => "Koffiepauze".to_owned(),
                _ => block.title.nl.clone(),
            };
            assert!(line.ends_with(&title) || line.contains(&format!("{title} (")), "{line} for {title}");
            assert!(line.starts_with(&block.start.format("%H:%M–").to_string()), "{line}");
        }
        assert!(
            description.ends_with(&format!(
                "\n\nVideogesprek: https://meet.jit.si/bakkerij-jansen-heidag\nBord: {BOARD_LINK}"
            ))
        );
        assert_eq!(property(event, "URL"), "https://meet.jit.si/bakkerij-jansen-heidag");
        assert_eq!(property(event, "LOCATION"), "https://meet.jit.si/bakkerij-jansen-heidag");
    }
    // 3 December 2026, 09:00 in Amsterdam is 08:00 UTC (winter time).
    assert_eq!(property(&events[0], "DTSTART"), "20261203T080000Z");
    let first = property(&events[0], "DESCRIPTION");
    assert!(first.contains("\n09:00–09:15 Modellen\n"), "{first}");
    assert!(first.contains(" Koffiepauze\n"), "the breaks are listed too: {first}");
}

#[test]
fn action_deadlines_are_all_day_events_for_everyone_or_one_person() {
    let state = realistic();
    let all = events(&action_calendar(&state, None, "3f9a2c", stamp()));
    let with_deadline: Vec<_> = state.strategy.actions.iter().filter(|a| a.deadline.is_some()).collect();
    assert_eq!(all.len(), with_deadline.len());
    for (event, action) in all.iter().zip(&with_deadline) {
        assert_eq!(property(event, "SUMMARY"), action.title.as_str());
        assert_eq!(property(event, "UID"), format!("3f9a2c-action-{}@heisessie", action.id.0));
        let deadline = action.deadline.expect("a deadline");
        assert_eq!(property(event, "DTSTART"), deadline.format("%Y%m%d").to_string());
        assert_eq!(parameter(event, "DTSTART", "VALUE").as_deref(), Some("DATE"));
        let next = deadline.succ_opt().expect("a next day");
        assert_eq!(property(event, "DTEND"), next.format("%Y%m%d").to_string());
    }
    let film = property(&all[0], "DESCRIPTION");
    assert_eq!(
        film,
        "Eigenaar: Joris\nStatus: klaar\nVerantwoordelijkheid: Content\nOnderdeel: Brainstorm contentideeën\n\
         Bron: Idee: Bakvideo op zaterdag\nHeidag online marketing 2027"
    );
    let joris = events(&action_calendar(&state, Some(ParticipantId(4)), "3f9a2c", stamp()));
    let summaries: Vec<String> = joris.iter().map(|e| property(e, "SUMMARY")).collect();
    assert_eq!(summaries, ["Eerste bakvideo opnemen", "Contentkalender januari inplannen"]);
    let nobody = events(&action_calendar(&state, Some(ParticipantId(99)), "3f9a2c", stamp()));
    assert!(nobody.is_empty());
}

#[test]
fn the_content_calendar_has_an_all_day_event_per_item() {
    let state = realistic();
    let events = events(&content_calendar(&state, "3f9a2c", stamp()));
    let summaries: Vec<(String, String)> =
        events.iter().map(|e| (property(e, "DTSTART"), property(e, "SUMMARY"))).collect();
    // Two Instagram posts a week (Tuesday and Thursday); the blog and the newsletter once
    // in the month, on free days near its middle.
    assert_eq!(summaries.len(), 10, "{summaries:#?}");
    assert_eq!(summaries[0], ("20270105".to_owned(), "Socialmediapost · Instagram".to_owned()));
    assert!(summaries.contains(&("20270114".to_owned(), "Socialmediapost · Instagram".to_owned())));
    assert!(summaries.iter().any(|(_, s)| s == "Blog · Website"));
    assert!(summaries.iter().any(|(_, s)| s == "Nieuwsbrief · E-mail"));
    let description = property(&events[0], "DESCRIPTION");
    assert!(
        description.starts_with("Wie: Joris\nHoe vaak: 2 keer per week\nKernboodschap: Elke ochtend"),
        "{description}"
    );
}

#[test]
fn session_times_follow_the_zone_in_summer_and_link_the_board_without_a_meeting() {
    let mut session = crate::helpers::Session::new("Zomersessie", "", None, 1);
    session.join("Fay", true);
    let start = crate::helpers::date(2027, 6, 10).and_hms_opt(9, 0, 0).expect("a real time");
    let settings = heisessie_domain::planner::PlannerSettings::with_defaults(start, chrono_tz::Europe::Amsterdam, 1)
        .expect("valid settings");
    session.run(1, heisessie_domain::session::Op::ChangeSettings { settings });
    let events = events(&session_calendar(&session.state, BOARD_LINK, "z", stamp()));
    assert_eq!(events.len(), 1);
    // 09:00 in Amsterdam in June is 07:00 UTC (summer time).
    assert_eq!(property(&events[0], "DTSTART"), "20270610T070000Z");
    assert_eq!(property(&events[0], "SUMMARY"), "Zomersessie", "one day: no part number");
    assert_eq!(property(&events[0], "URL"), BOARD_LINK, "without a meeting the board is the place");
    assert!(events[0].find_prop("LOCATION").is_none());
    let description = property(&events[0], "DESCRIPTION");
    assert!(description.starts_with("Tijden in Europe/Amsterdam:\n09:00–09:15 Modellen\n"), "{description}");
    assert!(description.ends_with(&format!("\n\nBord: {BOARD_LINK}")), "{description}");
}
