//! Golden files of every rendering of the realistic session. The output must not depend
//! on anything but the session and the arguments: no clock, no randomness, no hash order.

use heisessie_domain::Lang;
use heisessie_domain::session::{ParticipantId, SessionState};
use heisessie_export::csv_export::{actions_csv, content_calendar_csv};
use heisessie_export::deck::deck_html;
use heisessie_export::ics::{action_calendar, content_calendar, session_calendar};
use heisessie_export::report::{report_html, report_markdown};

use crate::helpers::{BOARD_LINK, check_golden, now_ms, realistic, stamp, today};

const PREFIX: &str = "3f9a2c";

/// Every file this crate renders from a session, by golden file name.
fn renderings(state: &SessionState) -> Vec<(&'static str, String)> {
    vec![
        ("report.nl.md", report_markdown(state, Lang::Nl, today(), now_ms())),
        ("report.en.md", report_markdown(state, Lang::En, today(), now_ms())),
        ("report.nl.html", report_html(state, Lang::Nl, today(), now_ms())),
        ("report.en.html", report_html(state, Lang::En, today(), now_ms())),
        ("deck.nl.html", deck_html(state, Lang::Nl, today())),
        ("deck.en.html", deck_html(state, Lang::En, today())),
        ("session.ics", session_calendar(state, BOARD_LINK, PREFIX, stamp())),
        ("actions.ics", action_calendar(state, None, PREFIX, stamp())),
        ("actions-joris.ics", action_calendar(state, Some(ParticipantId(4)), PREFIX, stamp())),
        ("content.ics", content_calendar(state, PREFIX, stamp())),
        ("actions.nl.csv", actions_csv(state, Lang::Nl)),
        ("actions.en.csv", actions_csv(state, Lang::En)),
        ("content-calendar.nl.csv", content_calendar_csv(state, Lang::Nl)),
    ]
}

#[test]
fn every_rendering_of_a_realistic_session_matches_its_golden_file() {
    for (name, rendered) in renderings(&realistic()) {
        check_golden(name, &rendered);
    }
}

#[test]
fn renderings_depend_only_on_the_session_and_the_arguments() {
    let state = realistic();
    // The state as the store gives it back: through JSON and back again.
    let json = serde_json::to_string(&state).expect("the state serialises");
    let reloaded: SessionState = serde_json::from_str(&json).expect("the state deserialises");
    let first = renderings(&state);
    assert_eq!(first, renderings(&state), "the same state renders the same twice");
    assert_eq!(first, renderings(&reloaded), "a reloaded state renders the same");
}
