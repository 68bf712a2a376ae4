//! A full disk: the real binary runs under a file-size limit (`RLIMIT_FSIZE`, with
//! SIGXFSZ ignored, so a write past the limit fails with `EFBIG` as on a full disk),
//! a facilitator writes large notes until the disk refuses, and then:
//! - every op that was acknowledged is in the log after a restart, with its text;
//! - ops that could not be stored are answered `storage_unavailable`, never acked;
//! - a session created meanwhile either fails with `storage_unavailable` or exists;
//! - once space returns (the limit is lifted), writes resume without a restart.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ChildServer as Server, TestApp, external};

fn largest_file(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .expect("the data folder")
        .filter_map(|entry| entry.ok()?.metadata().ok())
        .map(|meta| meta.len())
        .max()
        .unwrap_or(0)
}

fn notes(n: usize) -> String {
    // 16,000 characters, different per op, so every op is told apart in the log.
    format!("op {n:03} ") + &"Notulen van de heidag. ".repeat(695)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_full_disk_no_acked_op_is_lost_and_writes_resume_when_space_returns() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let data = dir.path().join("data");
    let server = Server::start(&data);
    let app: TestApp = external(&server.base);
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let first = fay.call("warm", json!({"type": "set_notes", "part_id": 1, "text": notes(0)})).await;
    assert_eq!(first["type"], "ack", "{first}");

    // Room for a dozen ops or so beyond what the files hold now.
    let limit = largest_file(&data) + 400_000;
    server.limit_file_size(Some(limit));

    let mut acked: Vec<(u64, String)> = vec![(first["seq"].as_u64().expect("a seq"), notes(0))];
    let mut refused = 0;
    let mut n = 1;
    while refused < 5 {
        assert!(n < 400, "the disk never filled up (limit {limit} bytes)");
        let text = notes(n);
        let answer = fay.call(&format!("op-{n}"), json!({"type": "set_notes", "part_id": 1, "text": text})).await;
        match answer["type"].as_str() {
            Some("ack") => acked.push((answer["seq"].as_u64().expect("a seq"), text)),
            Some("reject") => {
                assert_eq!(answer["code"], "storage_unavailable", "{answer}");
                assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()), "{answer}");
                refused += 1;
            }
            _ => panic!("an ack or a reject, got {answer}"),
        }
        n += 1;
    }
    assert!(acked.len() > 1, "some ops fit before the disk was full: {acked:?}");

    // A PATCH with two changes commits both or neither.
    let before = app.session(&session, &session.facilitator).await;
    let (status, body) = app
        .send(
            Method::PATCH,
            &format!("/api/sessions/{}", session.id),
            Some(&session.facilitator),
            Some(json!({"title": "Nieuwe titel", "settings": {"start": "2026-12-10T10:00"}})),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "storage_unavailable", "{body}");

    // A session created while the disk is full is refused clearly, or really exists.
    let (status, body) = app
        .send(
            Method::POST,
            "/api/sessions",
            None,
            Some(json!({"title": "Tijdens volle schijf", "settings": {"start": "2026-12-03T09:00"}})),
        )
        .await;
    match status {
        StatusCode::SERVICE_UNAVAILABLE => assert_eq!(body["code"], "storage_unavailable", "{body}"),
        StatusCode::CREATED => {
            let id = body["session_id"].as_str().expect("an id");
            let credential = body["credential"].as_str().expect("a credential");
            let (status, body) = app.send(Method::GET, &format!("/api/sessions/{id}"), Some(credential), None).await;
            assert_eq!(status, StatusCode::OK, "a session acknowledged as created exists: {body}");
        }
        other => panic!("201 or 503 while the disk is full, got {other}: {body}"),
    }

    // Space returns: writes resume by themselves, without a restart.
    server.limit_file_size(None);
    let deadline = Instant::now() + Duration::from_secs(15);
    let resumed = loop {
        let text = notes(n);
        let answer = fay.call(&format!("op-{n}"), json!({"type": "set_notes", "part_id": 1, "text": text})).await;
        n += 1;
        if answer["type"] == "ack" {
            break (answer["seq"].as_u64().expect("a seq"), text);
        }
        assert_eq!(answer["code"], "storage_unavailable", "{answer}");
        assert!(Instant::now() < deadline, "writes did not resume within 15 s after space returned");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    acked.push(resumed);
    let (status, body) = app
        .send(
            Method::POST,
            "/api/sessions",
            None,
            Some(json!({"title": "Na volle schijf", "settings": {"start": "2026-12-03T09:00"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "sessions can be created again: {body}");
    fay.close().await;

    // After a hard restart every acknowledged op is in the log, with its own text.
    let log = server.kill();
    assert!(log.contains("commit failed"), "the failure is logged: {log}");
    let server = Server::start(&data);
    let app: TestApp = external(&server.base);
    let first_seq = acked[0].0;
    let mut replay = app.connect_live(&session, &session.facilitator, Some(first_seq - 1)).await;
    assert_eq!(replay.welcome["catch_up"], "events", "{}", replay.welcome);
    let last_seq = replay.welcome["seq"].as_u64().expect("a seq");
    while replay.seq < last_seq {
        replay.next_of("event").await;
    }
    let stored: std::collections::HashMap<u64, &Value> =
        replay.events.iter().map(|e| (e["seq"].as_u64().expect("a seq"), &e["event"])).collect();
    for (seq, text) in &acked {
        let event = stored.get(seq).unwrap_or_else(|| panic!("acked op at seq {seq} is missing after restart"));
        assert_eq!(event["type"], "notes_set", "{event}");
        assert_eq!(event["text"].as_str(), Some(text.as_str()), "the event at seq {seq} is the acked op's");
    }
    replay.close().await;
    let after = app.session(&session, &session.facilitator).await;
    assert_eq!(after["title"], before["title"], "the refused PATCH changed nothing");
    assert_eq!(after["settings"], before["settings"], "the refused PATCH changed nothing");
    server.kill();
}
