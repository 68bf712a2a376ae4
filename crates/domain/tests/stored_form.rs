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

/// The strategy events were variants of `Event` until they moved into
/// `Event::Strategy(StrategyEvent)`; they are stored exactly as before, each under its
/// own type. Taken from the fixture database written before the move
/// (`crates/cli/tests/fixtures/main-2026-12-01`), the kinds it lacks written out by hand.
const STRATEGY_EVENTS_AS_STORED: [&str; 18] = [
    r#"{"type":"end_goal_saved","data":{"goal":{"id":1,"text":"Nummer 1 bakkerij van Utrecht","horizon":{"kind":"within_years","years":3},"supporters":[1,2]},"index":0}}"#,
    r#"{"type":"end_goal_removed","data":{"id":1}}"#,
    r#"{"type":"end_goal_moved","data":{"id":2,"to_index":0}}"#,
    r#"{"type":"end_goal_supported","data":{"id":1,"by":1,"support":true}}"#,
    concat!(
        r#"{"type":"smart_goal_saved","data":{"goal":{"id":4,"end_goal":2,"text":"From 400 to 1,000 subscribers","#,
        r#""fields":{"metric":"newsletter subscribers","baseline":400.0,"target":1000.0,"deadline":"2027-05-04","#,
        r#""owner":"Anna Baker","means":"","reason":""},"agreement":{"1":[true,false],"12":[true,true]}}}}"#
    ),
    r#"{"type":"smart_goal_removed","data":{"id":4}}"#,
    r#"{"type":"smart_goal_agreed","data":{"id":3,"by":1,"acceptable":true,"realistic":true}}"#,
    concat!(
        r#"{"type":"persona_saved","data":{"persona":{"id":6,"fields":{"name":"Henk","age":58,"#,
        r#""field_of_work":"Retired teacher","residence":"Houten","hobbies":"Long e-bike rides","#,
        r#""pain_points":"Afraid of a flat battery far from home","current_solutions":"Plans short routes only","#,
        r#""triggers":"A ride cut short","trigger_response":"Asks his neighbours which shop they trust","#,
        r#""desired_results":"Worry-free long rides","channels":"Newsletter, Facebook","#,
        r#""objections":"Can I afford a new e-bike?"}}}}"#
    ),
    r#"{"type":"persona_removed","data":{"id":6}}"#,
    r#"{"type":"primary_persona_set","data":{"id":5}}"#,
    concat!(
        r#"{"type":"core_message_saved","data":{"message":{"usp":"Same-day repairs","life_improvement":"","#,
        r#""answers":"","competitors":[{"name":"The chain store","has_it":false,"could_get_easily":true}],"#,
        r#""plan":[{"id":1,"channel":"Instagram","form":"video","count":2,"per":"week","owner":3}],"#,
        r#""calendar_from":"2026-11-04","calendar_to":"2027-02-02"}}}"#
    ),
    r#"{"type":"idea_added","data":{"idea":{"id":7,"text":"Bakvideo op zaterdag","from_sticky":4}}}"#,
    r#"{"type":"idea_removed","data":{"id":7}}"#,
    concat!(
        r#"{"type":"action_saved","data":{"action":{"id":10,"title":"Write a blog about same-day repairs","#,
        r#""owner":3,"deadline":"2026-11-24","part":6,"source":null,"status":"open"}}}"#
    ),
    r#"{"type":"action_removed","data":{"id":10}}"#,
    concat!(
        r#"{"type":"responsibilities_set","data":{"responsibilities":[{"id":14,"name":"Content","owner":2,"#,
        r#""actions":[9,10]},{"id":16,"name":"Other","owner":null,"actions":[]}]}}"#
    ),
    r#"{"type":"measurement_recorded","data":{"goal":3,"measurement":{"date":"2026-11-10","value":250.7}}}"#,
    r#"{"type":"measurement_removed","data":{"goal":3,"date":"2026-11-10"}}"#,
];

#[test]
fn every_strategy_event_is_stored_as_it_was_before_the_nesting() {
    let mut kinds = std::collections::HashSet::new();
    for stored in STRATEGY_EVENTS_AS_STORED {
        let event = round_trips(stored);
        let Event::Strategy(strategy_event) = &event else { panic!("{stored} reads as a strategy event") };
        assert!(event.is_strategy());
        // The nested event on its own writes the same JSON: its tags are the stored ones.
        assert_eq!(serde_json::to_string(strategy_event).expect("serializes"), stored);
        kinds.insert(std::mem::discriminant(strategy_event));
    }
    assert_eq!(kinds.len(), STRATEGY_EVENTS_AS_STORED.len(), "one of each kind");
}

#[test]
fn an_agreement_keyed_by_participant_reads_back_inside_a_strategy_event() {
    let event = round_trips(STRATEGY_EVENTS_AS_STORED[4]);
    let Event::Strategy(StrategyEvent::SmartGoalSaved { goal }) = event else { panic!("a SMART goal") };
    let voters: Vec<u64> = goal.agreement.keys().map(|id| id.0).collect();
    assert_eq!(voters, [1, 12]);
}

#[test]
fn an_event_of_an_unknown_type_or_with_bad_data_does_not_read_back() {
    for stored in [
        r#"{"type":"end_goal_exploded","data":{"id":1}}"#,
        r#"{"type":"end_goal_removed","data":{"id":"one"}}"#,
        r#"{"type":"part_removed","data":{"part":"one"}}"#,
        r#"{"data":{"id":1}}"#,
        // The store writes the type first, always; reading it first streams the data.
        r#"{"data":{"id":1},"type":"end_goal_removed"}"#,
        r#"{"type":"end_goal_removed"}"#,
    ] {
        assert!(serde_json::from_str::<Event>(stored).is_err(), "{stored}");
    }
}
