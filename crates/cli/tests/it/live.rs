//! The live room over real WebSockets against the real server.

use std::collections::BTreeMap;
use std::time::Duration;

use heisessie_server::clock::ManualClock;
use heisessie_server::live::LiveConfig;
use heisessie_server::rooms::RoomConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    LiveClient, Session, TestApp, WsMessage, spawn_app, spawn_app_with, spawn_configured, wait_until,
};

/// A sticky board as a client builds it from events.
#[derive(Debug, Default, PartialEq)]
struct Board {
    stickies: BTreeMap<u64, Value>,
}

impl Board {
    fn from_snapshot(snapshot: &Value) -> Self {
        let mut board = Board::default();
        for sticky in snapshot["stickies"].as_array().expect("stickies") {
            board.stickies.insert(sticky["id"].as_u64().expect("an id"), sticky.clone());
        }
        board
    }

    fn apply(&mut self, frame: &Value) {
        if frame["type"] != "event" {
            return;
        }
        let event = &frame["event"];
        let id = event["sticky_id"].as_u64().unwrap_or_default();
        match event["type"].as_str().unwrap_or_default() {
            "sticky_created" => {
                self.stickies.insert(event["sticky"]["id"].as_u64().expect("an id"), event["sticky"].clone());
            }
            "sticky_moved" => {
                let sticky = self.stickies.get_mut(&id).expect("a known sticky");
                sticky["x"] = event["x"].clone();
                sticky["y"] = event["y"].clone();
            }
            "sticky_edited" => self.stickies.get_mut(&id).expect("a known sticky")["text"] = event["text"].clone(),
            "sticky_recoloured" => {
                self.stickies.get_mut(&id).expect("a known sticky")["colour"] = event["colour"].clone()
            }
            "sticky_deleted" => {
                self.stickies.remove(&id);
            }
            _ => {}
        }
    }
}

async fn snapshot(app: &TestApp, session: &Session, credential: &str) -> Value {
    let client = app.connect_live(session, credential, None).await;
    assert_eq!(client.welcome["catch_up"], "snapshot");
    let snapshot = client.welcome["snapshot"].clone();
    client.close().await;
    snapshot
}

fn sticky_op(x: i32) -> Value {
    json!({"type": "create_sticky", "part_id": 2, "text": "Klantloyaliteit", "x": x, "y": 40, "colour": "yellow"})
}

#[tokio::test]
async fn several_participants_converge_on_the_same_board() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let (_, piet) = app.join(&session, &session.participant_link, "Piet").await;
    let (_, anna) = app.join(&session, &session.participant_link, "Anna").await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let mut piet = app.connect_live(&session, &piet, None).await;
    let mut anna = app.connect_live(&session, &anna, None).await;
    let steps = [
        (0, "f1", sticky_op(10)),
        (1, "p1", sticky_op(200)),
        (2, "a1", json!({"type": "move_sticky", "sticky_id": 1, "x": 333, "y": 444})),
        (1, "p2", json!({"type": "edit_sticky", "sticky_id": 1, "text": "Klantloyaliteit ↑ 20%"})),
        (0, "f2", json!({"type": "colour_sticky", "sticky_id": 2, "colour": "pink"})),
        (2, "a2", json!({"type": "delete_sticky", "sticky_id": 2})),
    ];
    let mut last = 0;
    for (who, id, op) in steps {
        let client = match who {
            0 => &mut fay,
            1 => &mut piet,
            _ => &mut anna,
        };
        let answer = client.call(id, op).await;
        assert_eq!(answer["type"], "ack", "{answer}");
        last = answer["seq"].as_u64().expect("an ack has a seq");
    }
    for client in [&mut fay, &mut piet, &mut anna] {
        client.wait_for_seq(last).await;
    }
    assert_eq!((fay.seq, piet.seq), (anna.seq, anna.seq), "everyone saw every event");
    let truth = Board::from_snapshot(&snapshot(&app, &session, &session.facilitator).await);
    assert_eq!(truth.stickies.len(), 1);
    assert_eq!(truth.stickies[&1]["x"], 333);
    assert_eq!(truth.stickies[&1]["text"], "Klantloyaliteit ↑ 20%");

    // Build each client's board from nothing but the events it received.
    let (_, late) = app.join(&session, &session.participant_link, "Laat").await;
    let mut watcher = app.connect_live(&session, &late, Some(0)).await;
    assert_eq!(watcher.welcome["catch_up"], "events");
    let mut built = Board::default();
    for frame in watcher.wait_for_seq(watcher.welcome["seq"].as_u64().expect("a seq")).await {
        built.apply(&frame);
    }
    assert_eq!(built, truth, "the events tell the same story as the snapshot");
    for client in [fay, piet, anna, watcher] {
        client.close().await;
    }
    app.stop().await;
}

#[tokio::test]
async fn every_participant_sees_each_change_live_and_in_order() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let (_, piet) = app.join(&session, &session.participant_link, "Piet").await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let mut piet = app.connect_live(&session, &piet, None).await;
    let mut fay_board = Board::from_snapshot(&fay.welcome["snapshot"]);
    let mut piet_board = Board::from_snapshot(&piet.welcome["snapshot"]);
    let before = fay.seq;
    for i in 0..20 {
        let (client, x) = if i % 2 == 0 { (&mut fay, i) } else { (&mut piet, -i) };
        client.op(&format!("c{i}"), sticky_op(x)).await;
    }
    for frame in fay.wait_for_seq(before + 20).await {
        fay_board.apply(&frame);
    }
    for frame in piet.wait_for_seq(before + 20).await {
        piet_board.apply(&frame);
    }
    assert_eq!(fay_board.stickies.len(), 20);
    assert_eq!(fay_board, piet_board);
    assert_eq!(fay.seq, piet.seq);
    fay.close().await;
    piet.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_reconnect_gets_exactly_the_missed_events_or_a_snapshot_when_far_behind() {
    let rooms = RoomConfig { catch_up_limit: 5, ..RoomConfig::default() };
    let app = spawn_app_with(rooms, LiveConfig::default()).await;
    let session = app.create_heidag().await;
    let (_, piet) = app.join(&session, &session.participant_link, "Piet").await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let piet_client = app.connect_live(&session, &piet, None).await;
    let left_at = piet_client.seq;
    piet_client.close().await;
    for i in 0..3 {
        assert_eq!(fay.call(&format!("m{i}"), sticky_op(i)).await["type"], "ack");
    }
    let mut back = app.connect_live(&session, &piet, Some(left_at)).await;
    assert_eq!(back.welcome["catch_up"], "events");
    assert_eq!(back.welcome["seq"].as_u64(), Some(left_at + 3), "no more happened than the three");
    back.seq = left_at;
    let frames = back.wait_for_seq(left_at + 3).await;
    let seqs: Vec<u64> = frames.iter().filter(|f| f["type"] == "event").filter_map(|f| f["seq"].as_u64()).collect();
    assert_eq!(seqs, (left_at + 1..=left_at + 3).collect::<Vec<_>>());
    let now = back.seq;
    back.close().await;

    for i in 0..6 {
        assert_eq!(fay.call(&format!("n{i}"), sticky_op(i)).await["type"], "ack");
    }
    let far = app.connect_live(&session, &piet, Some(now)).await;
    assert_eq!(far.welcome["catch_up"], "snapshot", "six behind with a limit of five");
    assert_eq!(far.welcome["snapshot"]["stickies"].as_array().map(Vec::len), Some(9));
    let current = app.connect_live(&session, &piet, Some(far.welcome["seq"].as_u64().unwrap_or_default())).await;
    assert_eq!(current.welcome["catch_up"], "none");
    for client in [far, current, fay] {
        client.close().await;
    }
    app.stop().await;
}

#[tokio::test]
async fn a_resent_op_applies_once_and_a_reused_id_with_another_op_is_refused() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let app = spawn_configured(dir.path(), RoomConfig::default(), LiveConfig::default()).await;
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let first = fay.call("same-id", sticky_op(1)).await;
    assert_eq!(first["type"], "ack");
    let again = fay.call("same-id", sticky_op(1)).await;
    assert_eq!(again, first, "the original answer, nothing applied twice");
    let other = fay.call("same-id", sticky_op(2)).await;
    assert_eq!((other["type"].as_str(), other["code"].as_str()), (Some("reject"), Some("op_id_reused")));
    fay.close().await;

    // Also on a new connection, and after a restart.
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    assert_eq!(fay.call("same-id", sticky_op(1)).await, first);
    fay.close().await;
    app.stop().await;
    let app = spawn_configured(dir.path(), RoomConfig::default(), LiveConfig::default()).await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    assert_eq!(fay.call("same-id", sticky_op(1)).await, first);
    assert_eq!(fay.welcome["snapshot"]["stickies"].as_array().map(Vec::len), Some(1));
    fay.close().await;
    app.stop().await;
}

#[tokio::test]
async fn every_right_is_refused_to_those_who_lack_it_and_only_they_hear_why() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let (tim_id, tim) = app.join(&session, &session.participant_link, "Tim").await;
    let (nora_id, nora) = app.join(&session, &session.participant_link, "Nora").await;
    let (pam_id, pam) = app.join(&session, &session.participant_link, "Pam").await;
    let (_, piet) = app.join(&session, &session.participant_link, "Piet").await;
    let base = format!("/api/sessions/{}/roles", session.id);
    for (role, part, who) in
        [("timekeeper", None, tim_id), ("note_taker", None, nora_id), ("presenter", Some(1), pam_id)]
    {
        let (status, _) = app
            .send(
                Method::POST,
                &base,
                Some(&session.facilitator),
                Some(json!({"role": role, "part_id": part, "participant_id": who})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let mut watcher = app.connect_live(&session, &session.facilitator, None).await;
    let ops = [
        (json!({"type": "next_part"}), "presenter_only", vec![&pam]),
        (json!({"type": "start_timer", "seconds": 60}), "timekeeper_only", vec![&tim]),
        (json!({"type": "set_notes", "part_id": 1, "text": "Notulen"}), "note_taker_only", vec![&nora]),
        (json!({"type": "go_to_part", "part_id": 3}), "facilitator_only", vec![]),
        (json!({"type": "set_models_overlay", "open": true}), "facilitator_only", vec![]),
        (json!({"type": "open_vote", "part_id": 1, "votes_per_person": 3}), "facilitator_only", vec![]),
        (json!({"type": "assign_role", "role": "timekeeper", "participant_id": 5}), "facilitator_only", vec![]),
    ];
    let everyone = [&tim, &nora, &pam, &piet];
    for (n, (op, code, allowed)) in ops.iter().enumerate() {
        for credential in everyone {
            if allowed.contains(&credential) {
                continue;
            }
            let mut client = app.connect_live(&session, credential, None).await;
            let answer = client.call(&format!("r{n}"), op.clone()).await;
            assert_eq!(
                (answer["type"].as_str(), answer["code"].as_str()),
                (Some("reject"), Some(*code)),
                "{op}: {answer}"
            );
            assert!(!answer["message"].as_str().unwrap_or_default().is_empty());
            client.close().await;
        }
        for credential in allowed {
            let mut client = app.connect_live(&session, credential, None).await;
            let answer = client.call(&format!("a{n}"), op.clone()).await;
            assert_eq!(answer["type"], "ack", "{op} by its holder: {answer}");
            client.close().await;
        }
    }
    // The watcher heard the three allowed changes and nothing of the refusals: every op
    // was answered before the fence, so whatever it caused came before the fence's answer.
    let frames = watcher.fence().await;
    let kinds: Vec<&str> =
        frames.iter().filter(|f| f["type"] == "event").filter_map(|f| f["event"]["type"].as_str()).collect();
    assert_eq!(kinds, ["part_changed", "timer_started", "notes_set"]);
    assert!(frames.iter().all(|f| f["type"] != "reject"), "{frames:?}");
    watcher.close().await;
    app.stop().await;
}

/// Sends a raw frame and returns the next answer, skipping presence.
async fn answer(client: &mut LiveClient, message: WsMessage) -> Value {
    client.send_raw(message).await;
    loop {
        let frame = client.next_within(Duration::from_secs(5)).await.expect("an answer");
        if frame["type"] != "presence" {
            return frame;
        }
    }
}

#[tokio::test]
async fn bad_messages_get_their_error_code_and_change_nothing() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let other = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let mut other_fay = app.connect_live(&other, &other.facilitator, None).await;
    // Session one has stickies 1 and 2 (2 is deleted); the other session has 1..=3.
    for i in 0..3 {
        assert_eq!(other_fay.call(&format!("o{i}"), sticky_op(i)).await["type"], "ack");
    }
    assert_eq!(fay.call("s1", sticky_op(1)).await["type"], "ack");
    assert_eq!(fay.call("s2", sticky_op(2)).await["type"], "ack");
    assert_eq!(fay.call("s3", json!({"type": "delete_sticky", "sticky_id": 2})).await["type"], "ack");
    assert_eq!(fay.call("s4", json!({"type": "open_vote", "part_id": 2, "votes_per_person": 1})).await["type"], "ack");
    assert_eq!(fay.call("s5", json!({"type": "cast_vote", "sticky_id": 1})).await["type"], "ack");
    let before = snapshot(&app, &session, &session.facilitator).await;

    let frames: Vec<(WsMessage, &str)> = vec![
        (WsMessage::Text("dit is geen json".into()), "not_json"),
        (WsMessage::Binary(vec![1u8, 2, 3].into()), "binary_not_supported"),
        (WsMessage::Text(json!({"type": "shout"}).to_string().into()), "unknown_type"),
        (WsMessage::Text(json!({"op": {}}).to_string().into()), "invalid_message"),
        (WsMessage::Text(json!({"type": "op", "op": sticky_op(1)}).to_string().into()), "invalid_message"),
        (
            WsMessage::Text(json!({"type": "op", "client_op_id": "", "op": sticky_op(1)}).to_string().into()),
            "invalid_op_id",
        ),
        (WsMessage::Text(json!({"type": "hello", "protocol": 1}).to_string().into()), "already_welcomed"),
    ];
    for (frame, code) in frames {
        let got = answer(&mut fay, frame).await;
        assert_eq!((got["type"].as_str(), got["code"].as_str()), (Some("error"), Some(code)), "{got}");
    }
    let long = "x".repeat(501);
    let ops: Vec<(Value, &str, Option<&str>)> = vec![
        (json!({"type": "create_sticky", "part_id": 2, "y": 1}), "invalid_body", Some("x")),
        // Ops are tagged by their type, which hides the path of a wrong value from serde;
        // the message still names the value and the type it should have.
        (json!({"type": "create_sticky", "part_id": 2, "x": "tien", "y": 1}), "invalid_body", None),
        (json!({"type": "create_sticky", "part_id": 2, "x": 1e12, "y": 1}), "invalid_body", None),
        (json!({"type": "create_sticky", "part_id": 2, "x": 30000, "y": 1}), "off_board", None),
        (json!({"type": "create_sticky", "part_id": 2, "x": 1, "y": 1, "text": long}), "invalid_field", Some("text")),
        (
            json!({"type": "create_sticky", "part_id": 2, "x": 1, "y": 1, "colour": "black"}),
            "invalid_field",
            Some("colour"),
        ),
        (json!({"type": "create_sticky", "part_id": 99, "x": 1, "y": 1}), "unknown_part", None),
        (json!({"type": "fly_to_moon"}), "invalid_body", Some("type")),
        (json!({"type": "move_sticky", "sticky_id": 3, "x": 1, "y": 1}), "unknown_sticky", None),
        (json!({"type": "move_sticky", "sticky_id": 2, "x": 1, "y": 1}), "unknown_sticky", None),
        (json!({"type": "cast_vote", "sticky_id": 1}), "no_votes_left", None),
        (json!({"type": "start_timer", "seconds": -5}), "invalid_body", None),
        (json!({"type": "start_timer", "seconds": 48 * 3600}), "timer_out_of_range", None),
        (json!({"type": "pause_timer"}), "no_timer", None),
    ];
    for (n, (op, code, field)) in ops.into_iter().enumerate() {
        let got = fay.call(&format!("bad{n}"), op.clone()).await;
        assert_eq!((got["type"].as_str(), got["code"].as_str()), (Some("reject"), Some(code)), "{op} → {got}");
        assert_eq!(got["field"].as_str(), field, "{op} → {got}");
    }
    // A vote after the round closed.
    assert_eq!(fay.call("close", json!({"type": "close_vote"})).await["type"], "ack");
    let late = fay.call("late-vote", json!({"type": "remove_vote", "sticky_id": 1})).await;
    assert_eq!(late["code"], "no_open_vote");
    let mut after = snapshot(&app, &session, &session.facilitator).await;
    // Closing the vote is the one change made on purpose.
    assert_eq!(after["vote"]["open"], false);
    after["vote"] = before["vote"].clone();
    after["session"]["seq"] = before["session"]["seq"].clone();
    assert_eq!(after, before, "no bad message changed anything");
    fay.close().await;
    other_fay.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_flood_of_ops_is_limited_per_connection() {
    let live = LiveConfig { ops_per_second: 5.0, ops_burst: 10.0, ..LiveConfig::default() };
    let app = spawn_app_with(RoomConfig::default(), live).await;
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    for i in 0..100 {
        fay.op(&format!("flood{i}"), sticky_op(i)).await;
    }
    let frames = fay.until_answers(100).await;
    let acks = frames.iter().filter(|f| f["type"] == "ack").count();
    let limited = frames.iter().filter(|f| f["type"] == "reject" && f["code"] == "rate_limited").count();
    assert!((10..20).contains(&acks), "the burst and a little refill get through: {acks}");
    assert_eq!(acks + limited, 100, "every op is answered");
    let snapshot = snapshot(&app, &session, &session.facilitator).await;
    assert_eq!(snapshot["stickies"].as_array().map(Vec::len), Some(acks));
    fay.close().await;
    app.stop().await;
}

#[tokio::test]
async fn oversized_messages_wrong_protocols_and_silence_before_hello_are_handled() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let mut client = app.open_live(&session, &session.facilitator, &[]).await.expect("upgraded");
    let got = answer(
        &mut client,
        WsMessage::Text(json!({"type": "op", "client_op_id": "x", "op": sticky_op(1)}).to_string().into()),
    )
    .await;
    assert_eq!(got["code"], "hello_first");
    let got = answer(&mut client, WsMessage::Text(json!({"type": "ping", "t": 12.5}).to_string().into())).await;
    assert_eq!((got["type"].as_str(), got["t"].as_f64()), (Some("pong"), Some(12.5)));
    assert!(got["server_time_ms"].as_i64().unwrap_or_default() > 1_700_000_000_000);
    let got = answer(&mut client, WsMessage::Text(json!({"type": "hello", "protocol": 99}).to_string().into())).await;
    assert_eq!((got["type"].as_str(), got["code"].as_u64()), (Some("close"), Some(4001)));

    let mut client = app.connect_live(&session, &session.facilitator, None).await;
    let huge = json!({"type": "op", "client_op_id": "big", "op": {"type": "set_notes", "part_id": 1, "text": "x".repeat(70_000)}});
    client.send_raw(WsMessage::Text(huge.to_string().into())).await;
    let frames = client.until_close().await;
    assert!(frames.iter().all(|f| f["type"] != "ack"), "a message over 64 KiB ends the connection: {frames:?}");
    let snapshot = snapshot(&app, &session, &session.facilitator).await;
    assert_eq!(snapshot["notes"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn the_upgrade_needs_the_sessions_credential_and_our_own_origin() {
    let live = LiveConfig { max_connections_per_address: 3, ..LiveConfig::default() };
    let app = spawn_app_with(RoomConfig::default(), live).await;
    let session = app.create_heidag().await;
    let other = app.create_heidag().await;
    let status_of = |result: Result<LiveClient, tokio_tungstenite::tungstenite::Error>| match result {
        Ok(_) => 101,
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("unexpected {other}"),
    };
    assert_eq!(status_of(app.open_live(&session, &"ab".repeat(20), &[]).await), 401);
    assert_eq!(status_of(app.open_live(&session, &other.facilitator, &[]).await), 401);
    assert_eq!(
        status_of(app.open_live(&session, &session.facilitator, &[("origin", "https://evil.example")]).await),
        403
    );
    let own = app.base.clone();
    let first = app.open_live(&session, &session.facilitator, &[("origin", &own)]).await.expect("our own origin");
    // The cookie from the link works as well as the bearer header.
    let cookie = format!("hs_{}={}", session.id.replace('-', ""), session.facilitator);
    let second = app.open_live(&session, "none", &[("cookie", &cookie)]).await.expect("the cookie is accepted");
    let third = app.open_live(&session, &session.facilitator, &[]).await.expect("a third connection");
    assert_eq!(status_of(app.open_live(&session, &session.facilitator, &[]).await), 429, "three per address");
    for client in [first, second, third] {
        client.close().await;
    }
    app.stop().await;
}

#[tokio::test]
async fn no_acknowledged_op_is_lost_across_a_restart() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let app = spawn_configured(dir.path(), RoomConfig::default(), LiveConfig::default()).await;
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    for i in 0..30 {
        fay.op(&format!("keep{i}"), sticky_op(i)).await;
    }
    let mut acked = 0;
    while acked < 30 {
        let frame = fay.next_within(Duration::from_secs(5)).await.expect("answers");
        if frame["type"] == "ack" {
            acked += 1;
        }
    }
    let seq = fay.seq;
    // Stop at once, without a goodbye: the acks promised durability.
    app.stop().await;
    let app = spawn_configured(dir.path(), RoomConfig::default(), LiveConfig::default()).await;
    let fay = app.connect_live(&session, &session.facilitator, None).await;
    assert_eq!(fay.welcome["seq"].as_u64(), Some(seq));
    assert_eq!(fay.welcome["snapshot"]["stickies"].as_array().map(Vec::len), Some(30));
    fay.close().await;
    app.stop().await;
}

fn timer_events(frames: &[Value]) -> Vec<String> {
    frames
        .iter()
        .filter(|f| f["type"] == "event")
        .filter_map(|f| {
            let event = &f["event"];
            match event["type"].as_str()? {
                "timer_warning" => Some(format!("warning {}", event["seconds_left"])),
                "timer_ended" => Some("ended".to_owned()),
                _ => None,
            }
        })
        .collect()
}

#[tokio::test]
async fn the_timers_warnings_and_end_arrive_exactly_once() {
    let clock = ManualClock::starting_now();
    let rooms = RoomConfig { timer_warnings_seconds: vec![2, 1], clock: clock.clock(), ..RoomConfig::default() };
    let app = spawn_app_with(rooms, LiveConfig::default()).await;
    let session = app.create_heidag().await;
    let (tim_id, tim) = app.join(&session, &session.participant_link, "Tim").await;
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/sessions/{}/roles", session.id),
            Some(&session.facilitator),
            Some(json!({"role": "timekeeper", "participant_id": tim_id})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let mut tim = app.connect_live(&session, &tim, None).await;
    let started_at = clock.now_ms();
    let started = tim.call("t1", json!({"type": "start_timer", "seconds": 3})).await;
    assert_eq!(started["type"], "ack");
    let start_seq = started["seq"].as_u64().expect("a seq");
    let frames = fay.wait_for_seq(start_seq).await;
    let start = frames.iter().find(|f| f["event"]["type"] == "timer_started").expect("the start");
    assert_eq!(start["event"]["duration_ms"], 3000);
    assert_eq!(start["event"]["at_ms"].as_i64(), Some(started_at), "the room reads its own clock");

    // Every second the clock moves brings what fell due in it, and nothing comes before.
    let mut heard = Vec::new();
    for (n, expected) in ["warning 2", "warning 1", "ended"].into_iter().enumerate() {
        assert!(timer_events(&fay.fence().await).is_empty(), "nothing is due before the clock moves");
        clock.advance(Duration::from_secs(1));
        let frames = fay.wait_for_seq(start_seq + n as u64 + 1).await;
        assert_eq!(timer_events(&frames), [expected]);
        heard.extend(frames);
    }
    let ended = heard.iter().find(|f| f["event"]["type"] == "timer_ended").expect("the end");
    assert_eq!(ended["event"]["at_ms"].as_i64(), Some(started_at + 3_000));
    assert!(ended["replan"]["projected_end"].is_string(), "the re-plan comes with the end: {ended}");
    assert_eq!(timer_events(&tim.wait_for_seq(start_seq + 3).await), ["warning 2", "warning 1", "ended"]);
    // Nothing more follows, however late it gets, and a reconnect replays them once.
    clock.advance(Duration::from_secs(60));
    assert!(timer_events(&fay.fence().await).is_empty());
    let mut again = app.connect_live(&session, &session.facilitator, Some(0)).await;
    assert_eq!(again.welcome["seq"].as_u64(), Some(start_seq + 3));
    assert_eq!(timer_events(&again.wait_for_seq(start_seq + 3).await), ["warning 2", "warning 1", "ended"]);
    for client in [fay, tim, again] {
        client.close().await;
    }
    app.stop().await;
}

#[tokio::test]
async fn a_timer_that_ends_while_the_server_is_down_ends_once_after_the_restart() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let clock = ManualClock::starting_now();
    let rooms = RoomConfig { timer_warnings_seconds: vec![60], clock: clock.clock(), ..RoomConfig::default() };
    let app = spawn_configured(dir.path(), rooms.clone(), LiveConfig::default()).await;
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let started_at = clock.now_ms();
    assert_eq!(fay.call("t", json!({"type": "start_timer", "seconds": 1})).await["type"], "ack");
    let seq = fay.seq;
    app.stop().await;
    clock.advance(Duration::from_millis(1_500));
    let app = spawn_configured(dir.path(), rooms.clone(), LiveConfig::default()).await;
    let mut fay = app.connect_live(&session, &session.facilitator, Some(seq)).await;
    let mut frames = fay.wait_for_seq(seq + 1).await;
    frames.extend(fay.fence().await);
    assert_eq!(timer_events(&frames), ["ended"], "no 60-second warning on a 1-second timer; one end");
    let ended = frames.iter().find(|f| f["event"]["type"] == "timer_ended").expect("the end");
    assert_eq!(ended["event"]["at_ms"].as_i64(), Some(started_at + 1_000), "it ended when it reached zero");
    fay.close().await;
    app.stop().await;
    let app = spawn_configured(dir.path(), rooms, LiveConfig::default()).await;
    let mut fay = app.connect_live(&session, &session.facilitator, Some(seq + 1)).await;
    assert_eq!(fay.welcome["catch_up"], "none");
    assert!(timer_events(&fay.fence().await).is_empty(), "the end is not announced twice");
    fay.close().await;
    app.stop().await;
}

#[tokio::test]
async fn presence_navigation_the_models_overlay_and_api_edits_reach_everyone() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let (piet_id, piet) = app.join(&session, &session.participant_link, "Piet").await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let mut piet = app.connect_live(&session, &piet, None).await;
    piet.send_json(json!({"type": "presence", "part_id": 3})).await;
    loop {
        let presence = fay.next_of("presence").await;
        let people = presence["people"].as_array().cloned().unwrap_or_default();
        if people.iter().any(|p| p["participant_id"] == piet_id && p["part_id"] == 3) {
            break;
        }
    }
    assert_eq!(fay.call("n", json!({"type": "next_part"})).await["type"], "ack");
    assert_eq!(piet.next_of("event").await["event"], json!({"type": "part_changed", "part_id": 2}));
    assert_eq!(fay.call("m", json!({"type": "set_models_overlay", "open": true})).await["type"], "ack");
    assert_eq!(piet.next_of("event").await["event"], json!({"type": "models_overlay", "open": true}));
    let (status, _) = app
        .send(
            Method::PATCH,
            &format!("/api/sessions/{}/parts/2", session.id),
            Some(&session.facilitator),
            Some(json!({"minutes": 55})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let changed = piet.next_of("event").await;
    assert_eq!(changed["event"]["type"], "session_changed");
    assert_eq!(changed["event"]["session"]["parts"][1]["minutes"], 55);
    piet.close().await;
    let left = fay.next_of("presence").await;
    assert!(left["people"].as_array().is_some_and(|people| people.iter().all(|p| p["participant_id"] != piet_id)));
    fay.close().await;
    app.stop().await;
}

#[tokio::test]
async fn votes_stay_private_until_the_round_closes() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let (_, piet) = app.join(&session, &session.participant_link, "Piet").await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let mut piet = app.connect_live(&session, &piet, None).await;
    for (id, op) in [
        ("a", sticky_op(1)),
        ("b", sticky_op(2)),
        ("v", json!({"type": "open_vote", "part_id": 2, "votes_per_person": 2})),
    ] {
        assert_eq!(fay.call(id, op).await["type"], "ack");
    }
    let cast = piet.call("p1", json!({"type": "cast_vote", "sticky_id": 2})).await;
    assert_eq!(cast["type"], "ack");
    fay.wait_for_seq(cast["seq"].as_u64().expect("a seq")).await;
    assert_eq!(fay.events.last().map(|f| f["event"].clone()), Some(json!({"type": "vote_recorded"})));
    assert_eq!(piet.events.last().map(|f| f["event"].clone()), Some(json!({"type": "vote_cast", "sticky_id": 2})));
    assert_eq!(fay.seq, piet.seq, "the redacted event keeps the seqs contiguous");
    assert_eq!(fay.call("c", json!({"type": "close_vote"})).await["type"], "ack");
    let closed = piet.next_of("event").await;
    assert_eq!(closed["event"], json!({"type": "vote_closed", "part_id": 2, "tally": [{"sticky_id": 2, "votes": 1}]}));
    fay.close().await;
    piet.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_client_that_cannot_keep_up_is_dropped_with_resync_and_can_resume() {
    let rooms = RoomConfig { connection_queue: 4, ..RoomConfig::default() };
    let live = LiveConfig { ops_per_second: 100_000.0, ops_burst: 100_000.0, ..LiveConfig::default() };
    let limits = heisessie_server::limits::Limits { ops_per_second_per_participant: 100_000, ..Default::default() };
    let app = crate::helpers::spawn_app_with_all(rooms, live, limits).await;
    let session = app.create_heidag().await;
    let (_, piet) = app.join(&session, &session.participant_link, "Piet").await;
    // Piet's socket reads nothing while Fay writes long notes; once the socket buffers
    // are full, his queue of four overflows.
    let mut slow = app.connect_live(&session, &piet, None).await;
    let last_seen = slow.seq;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    for i in 0..300 {
        let text = format!("{i} {}", "x".repeat(19_000));
        let answer = fay.call(&format!("f{i}"), json!({"type": "set_notes", "part_id": 1, "text": text})).await;
        assert_eq!(answer["type"], "ack", "the fast client is not held back");
    }
    // The slow client finds a close with "resync" after whatever was buffered.
    let mut closed = None;
    while let Some(frame) = slow.next_within(Duration::from_secs(5)).await {
        if frame["type"] == "close" {
            closed = Some(frame);
            break;
        }
    }
    let closed = closed.expect("the slow client is let go");
    assert_eq!((closed["code"].as_u64(), closed["reason"].as_str()), (Some(4000), Some("resync")), "{closed}");
    assert!(slow.seq >= last_seen);
    let resumed = app.connect_live(&session, &piet, Some(slow.seq)).await;
    assert!(resumed.welcome["seq"].as_u64() >= Some(slow.seq));
    resumed.close().await;
    fay.close().await;
    app.stop().await;
}

#[tokio::test]
async fn an_idle_room_unloads_and_comes_back_from_the_store() {
    let rooms = RoomConfig { idle_unload: Duration::from_millis(200), snapshot_every: 1000, ..RoomConfig::default() };
    let app = spawn_app_with(rooms, LiveConfig::default()).await;
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    assert_eq!(fay.call("a", sticky_op(5)).await["type"], "ack");
    assert_eq!(app.rooms().loaded(), 1);
    fay.close().await;
    wait_until("the idle room to unload", || app.rooms().loaded() == 0).await;
    let fay = app.connect_live(&session, &session.facilitator, None).await;
    assert_eq!(app.rooms().loaded(), 1, "connecting loads the room again");
    assert_eq!(fay.welcome["snapshot"]["stickies"].as_array().map(Vec::len), Some(1));
    fay.close().await;
    app.stop().await;
}
