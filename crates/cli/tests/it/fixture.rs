//! A database written by an earlier version still opens and replays. The fixture in
//! `tests/fixtures/` was written by main as it was on 2026-12-01 (before the work on
//! issues 9 and 10), with `scripts/make-fixture.py`: the two demo sessions, a session
//! edited over the HTTP API, and one put under live load (a stored snapshot). Stored
//! events and snapshots are the domain's serde form; this test fails when a change to a
//! domain type no longer reads what was stored.

use std::path::Path;

use heisessie_store::{SqliteStore, Store};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::spawn_app_in;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/main-2026-12-01");

fn expected() -> Value {
    let text = std::fs::read_to_string(Path::new(FIXTURE).join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("JSON")
}

/// A copy of the fixture, so that the test never changes the committed file.
fn copy_of_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp folder");
    std::fs::copy(Path::new(FIXTURE).join("heisessie.sqlite3"), dir.path().join("heisessie.sqlite3"))
        .expect("the fixture copies");
    dir
}

#[tokio::test]
async fn every_stored_session_replays_from_its_events_alone_and_from_its_snapshot() {
    let expected = expected();
    let dir = copy_of_fixture();
    let store = SqliteStore::open(dir.path()).await.expect("the old database opens and migrates");
    let sessions = expected["sessions"].as_array().expect("sessions");
    assert!(sessions.len() >= 4, "the fixture holds the demo, edited and loaded sessions");
    assert!(expected["snapshots"].as_u64() >= Some(1), "the fixture holds a stored snapshot");
    for session in sessions {
        let id: uuid::Uuid = session["id"].as_str().expect("an id").parse().expect("a uuid");
        let (seq, state) = store.load_session(id).await.unwrap_or_else(|e| panic!("session {id} loads: {e}"));
        assert_eq!(Some(seq), session["last_seq"].as_u64(), "session {id} replays to its last seq");
        // The same state from the events alone, ignoring any snapshot.
        let mut events = store.events_since(id, 0).await.expect("the events decode").into_iter();
        let mut replayed = match events.next().map(|e| e.event) {
            Some(heisessie_domain::session::Event::SessionCreated { state }) => *state,
            other => panic!("session {id} starts with its creation, not {other:?}"),
        };
        for stored in events {
            replayed.apply_event(&stored.event);
        }
        assert_eq!(replayed, state, "session {id}: snapshot + events = events alone");
    }
    store.close().await;
}

#[tokio::test]
async fn the_stored_sessions_open_in_the_app_with_their_content() {
    let expected = expected();
    let dir = copy_of_fixture();
    let app = spawn_app_in(dir.path()).await;
    let mut demos = 0;
    for session in expected["sessions"].as_array().expect("sessions") {
        let (Some(id), Some(token)) = (session["id"].as_str(), session["facilitator_token"].as_str()) else {
            continue;
        };
        let (status, joined) = app
            .send(
                Method::POST,
                &format!("/api/sessions/{id}/join"),
                None,
                Some(json!({"token": token, "display_name": "Controle"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{joined}");
        let credential = joined["credential"].as_str().expect("a credential");
        let (status, body) = app.send(Method::GET, &format!("/api/sessions/{id}"), Some(credential), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
        assert!(body["parts"].as_array().is_some_and(|p| !p.is_empty()), "{body}");
        let (status, strategy) =
            app.send(Method::GET, &format!("/api/sessions/{id}/strategy"), Some(credential), None).await;
        assert_eq!(status, StatusCode::OK, "{strategy}");
        if strategy["personas"].as_array().is_some_and(|p| !p.is_empty()) {
            demos += 1;
            let check = &strategy["smart_goals"][0]["check"];
            assert!(check["S"]["verdict"].is_string(), "the stored goal is checked: {check}");
        }
        let report =
            app.request(Method::GET, &format!("/api/sessions/{id}/exports/report.md"), Some(credential)).send().await;
        let report = report.expect("an answer");
        assert_eq!(report.status(), StatusCode::OK);
        assert!(report.text().await.expect("text").contains(body["title"].as_str().expect("a title")));
        // The room loads it and takes a new op after the stored ones.
        let mut live = app.connect_live_as(id, credential).await;
        let answer = live
            .call(
                "after-upgrade",
                json!({"type": "set_notes", "part_id": body["parts"][0]["id"], "text": "Na de upgrade"}),
            )
            .await;
        assert_eq!(answer["type"], "ack", "{answer}");
        live.close().await;
    }
    assert_eq!(demos, 2, "both demo sessions kept their strategy");
    app.stop().await;
}
