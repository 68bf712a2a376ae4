//! Events and snapshots are stored as the serde JSON of the domain's types, so a type
//! that changes inside them must read and write exactly the JSON it did before. These
//! are events as the store holds them, written out by hand from the stored form.

use heisessie_domain::session::{Event, StrategyEvent};

fn round_trips(stored: &str) -> Event {
    let event: Event = serde_json::from_str(stored).unwrap_or_else(|error| panic!("{stored} reads back: {error}"));
    let written = serde_json::to_string(&event).expect("an event serializes");
    assert_eq!(written, stored, "written as it was stored");
    event
}

#[test]
fn a_retimed_part_keeps_its_minutes_as_a_plain_number() {
    let event = round_trips(r#"{"type":"part_retimed","data":{"part":3,"minutes":25}}"#);
    assert!(matches!(event, Event::PartRetimed { minutes, .. } if minutes.minutes() == 25));
}

#[test]
fn an_added_part_keeps_its_shape() {
    round_trips(concat!(
        r#"{"type":"part_added","data":{"part":{"id":7,"key":"part_7","#,
        r#""title":{"nl":"Extra","en":"Extra"},"explanation":{"nl":"","en":""},"questions":[],"#,
        r#""minutes":45,"priority":"could","workspace":"board"},"index":2}}"#
    ));
}

#[test]
fn a_content_plan_keeps_its_periods_as_words() {
    let event = round_trips(concat!(
        r#"{"type":"core_message_saved","data":{"message":{"usp":"Vers brood","life_improvement":"","#,
        r#""answers":"","competitors":[],"plan":["#,
        r#"{"id":1,"channel":"instagram","form":"video","count":2,"per":"week","owner":1},"#,
        r#"{"id":2,"channel":"website","form":"blog","count":1,"per":"month","owner":null},"#,
        r#"{"id":3,"channel":"e-mail","form":"nieuwsbrief","count":40,"per":"day","owner":null}],"#,
        r#""calendar_from":"2026-03-02","calendar_to":"2026-03-29"}}}"#
    ));
    let Event::Strategy(StrategyEvent::CoreMessageSaved { message }) = event else { panic!("a core message") };
    // A count that is no frequency was never refused on saving, so it still reads back;
    // the calendar leaves that line out.
    let items = message.calendar().expect("a calendar");
    assert!(items.iter().all(|item| item.line != 3));
    assert_eq!(items.iter().filter(|item| item.line == 1).count(), 8, "twice a week for four weeks");
}

#[test]
fn a_timebox_out_of_its_bounds_does_not_read_back() {
    for minutes in [0, 4, 241, 1440] {
        let stored = format!(r#"{{"type":"part_retimed","data":{{"part":3,"minutes":{minutes}}}}}"#);
        assert!(serde_json::from_str::<Event>(&stored).is_err(), "{minutes}");
    }
}
