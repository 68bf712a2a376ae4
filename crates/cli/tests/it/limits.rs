//! The limits of docs/reliability.md, each tried against the real server: what a client
//! from another site, a flood, a slow or silent connection, or a look-alike name gets.

use std::time::{Duration, Instant};

use heisessie_server::limits::Limits;
use heisessie_server::live::LiveConfig;
use heisessie_server::rooms::RoomConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Session, TestApp, spawn_app, spawn_app_with_all, spawn_app_with_limits, token_of};

const EVIL: &str = "https://evil.example";

/// A request with a credential and an `Origin` header.
async fn send_from(
    app: &TestApp,
    method: Method,
    path: &str,
    credential: &str,
    origin: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.request(method, path, Some(credential)).header("origin", origin);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("the server answers")
}

async fn join_status(app: &TestApp, session: &Session, link: &str, name: &str) -> (StatusCode, Value) {
    app.send(
        Method::POST,
        &format!("/api/sessions/{}/join", session.id),
        None,
        Some(json!({"token": token_of(link), "display_name": name})),
    )
    .await
}

#[tokio::test]
async fn a_request_that_changes_something_from_another_site_is_refused_even_without_a_body() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let fay = &session.facilitator;
    let parts_before = app.session(&session, fay).await["parts"].as_array().expect("parts").len();

    let rotate = format!("/api/sessions/{}/links/participant/rotate", session.id);
    let delete = format!("/api/sessions/{}/parts/1", session.id);
    let retime = format!("/api/sessions/{}/parts/1", session.id);
    for (method, path, body) in [
        (Method::POST, &rotate, None),
        (Method::DELETE, &delete, None),
        (Method::PATCH, &retime, Some(json!({"minutes": 45}))),
    ] {
        let response = send_from(&app, method.clone(), path, fay, EVIL, body).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
        let (_, body) = crate::helpers::decode(response).await;
        assert_eq!(body["code"], "foreign_origin", "{method} {path}: {body}");
    }
    // Nothing changed: the old participant link still works, the part is still there.
    assert_eq!(app.session(&session, fay).await["parts"].as_array().expect("parts").len(), parts_before);
    let (status, _) = join_status(&app, &session, &session.participant_link, "Pim").await;
    assert_eq!(status, StatusCode::CREATED, "the participant link was not rotated");

    // Our own pages' Origin, and programs that send none, are let through.
    let own = send_from(&app, Method::DELETE, &delete, fay, &app.base, None).await;
    assert_eq!(own.status(), StatusCode::OK);
    let (status, _) = app.send(Method::POST, &rotate, Some(fay), None).await;
    assert_eq!(status, StatusCode::OK);
    // A form posted from another site gets a page in its language, not a session.
    let forged = app.client.post(app.url("/demo?lang=en")).header("origin", EVIL).send().await.expect("an answer");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.text().await.expect("a body").contains("another website"));
    app.stop().await;
}

#[tokio::test]
async fn a_bad_query_string_gets_the_json_error_and_credentials_are_never_cached() {
    let app = spawn_app().await;
    let created = app
        .request(Method::POST, "/api/sessions", None)
        .json(&json!({"title": "Heidag", "settings": {"start": "2026-12-03T09:00"}}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["cache-control"], "no-store", "the answer carries links and a credential");
    let body: Value = created.json().await.expect("JSON");
    let id = body["session_id"].as_str().expect("an id");
    let fay = body["credential"].as_str().expect("a credential");
    let link = body["participant_link"].as_str().expect("a link");

    let bad = app
        .request(Method::GET, &format!("/api/sessions/{id}/exports/actions.ics?participant=abc"), Some(fay))
        .send()
        .await
        .expect("an answer");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.headers()["content-type"].to_str().unwrap_or_default().starts_with("application/json"));
    let (_, error) = crate::helpers::decode(bad).await;
    assert_eq!(error["code"], "invalid_query", "{error}");
    assert!(error["message"].as_str().is_some_and(|m| m.contains("participant")), "{error}");

    let joined = app
        .request(Method::POST, &format!("/api/sessions/{id}/join"), None)
        .json(&json!({"token": token_of(link), "display_name": "Pim"}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(joined.status(), StatusCode::CREATED);
    assert_eq!(joined.headers()["cache-control"], "no-store");
    let join_page = app.client.get(format!("{link}&lang=en")).send().await.expect("the join page");
    assert_eq!(join_page.status(), StatusCode::OK);
    assert_eq!(join_page.headers()["cache-control"], "no-store", "the join page's address holds the token");
    let rotated =
        app.request(Method::POST, &format!("/api/sessions/{id}/links/participant/rotate"), Some(fay)).send().await;
    assert_eq!(rotated.expect("an answer").headers()["cache-control"], "no-store");
    app.stop().await;
}

#[tokio::test]
async fn extreme_timer_values_are_refused_and_the_room_lives_on() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    assert_eq!(fay.call("start", json!({"type": "start_timer", "seconds": 600})).await["type"], "ack");
    for (index, seconds) in
        [i64::from(i32::MIN), i64::from(i32::MIN) + 1, i64::from(i32::MAX), -7201, 7201, -600].into_iter().enumerate()
    {
        let answer = fay.call(&format!("x{index}"), json!({"type": "extend_timer", "seconds": seconds})).await;
        assert_eq!(answer["type"], "reject", "{seconds}: {answer}");
        assert_eq!(answer["code"], "timer_out_of_range", "{seconds}: {answer}");
    }
    let answer = fay.call("huge", json!({"type": "extend_timer", "seconds": 1_i64 << 40})).await;
    assert_eq!(answer["code"], "invalid_body", "{answer}");
    // The room still decides ops.
    assert_eq!(fay.call("more", json!({"type": "extend_timer", "seconds": 60})).await["type"], "ack");
    let (status, body) = app
        .send(
            Method::POST,
            &format!("/api/sessions/{}/replan", session.id),
            Some(&session.facilitator),
            Some(json!({"current_part": 1, "minutes_used": u32::MAX, "overrun_so_far": i32::MIN})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    fay.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_websocket_that_never_says_hello_is_closed() {
    let app = spawn_app_with_limits(Limits { hello_timeout: Duration::from_millis(500), ..Limits::default() }).await;
    let session = app.create_heidag().await;
    let mut silent = app.open_live(&session, &session.facilitator, &[]).await.expect("the upgrade");
    let started = Instant::now();
    let closed = silent.next_within(Duration::from_secs(5)).await.expect("a close within 5 s");
    assert_eq!(closed["type"], "close", "{closed}");
    assert_eq!(closed["code"], 1008, "{closed}");
    assert_eq!(closed["reason"], "hello_timeout", "{closed}");
    assert!(started.elapsed() >= Duration::from_millis(400), "not before the limit");
    // One that says hello in time stays.
    let mut talker = app.connect_live(&session, &session.facilitator, None).await;
    assert!(talker.next_within(Duration::from_millis(900)).await.is_none_or(|frame| frame["type"] != "close"));
    talker.close().await;
    app.stop().await;
}

/// Reads until the server closes the connection; how long that took, or None.
async fn closed_within(stream: &mut tokio::net::TcpStream, wait: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(wait.saturating_sub(started.elapsed()), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn slow_headers_and_idle_kept_alive_connections_are_closed() {
    let limits = Limits {
        header_read_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(2),
        ..Limits::default()
    };
    let app = spawn_app_with_limits(limits).await;
    let address = app.base.trim_start_matches("http://").to_owned();

    // Slow loris: half a request, never finished.
    let mut slow = tokio::net::TcpStream::connect(&address).await.expect("a connection");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.expect("written");
    let took = closed_within(&mut slow, Duration::from_secs(5)).await.expect("closed within 5 s");
    assert!(took >= Duration::from_millis(800), "{took:?}");

    // Connected, and not a byte: the same limit.
    let mut silent = tokio::net::TcpStream::connect(&address).await.expect("a connection");
    closed_within(&mut silent, Duration::from_secs(5)).await.expect("closed within 5 s");

    // A kept-alive connection after its answer: closed after the idle limit, not the header one.
    let mut idle = tokio::net::TcpStream::connect(&address).await.expect("a connection");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("written");
    let mut buffer = [0u8; 4096];
    let read = idle.read(&mut buffer).await.expect("an answer");
    assert!(String::from_utf8_lossy(&buffer[..read]).starts_with("HTTP/1.1 200"));
    let took = closed_within(&mut idle, Duration::from_secs(6)).await.expect("closed within 6 s");
    assert!(took >= Duration::from_millis(1600), "the idle limit (2 s), not the header one: {took:?}");

    // A body that stops coming: the request stalls, and after the idle limit it ends.
    let mut stalled = tokio::net::TcpStream::connect(&address).await.expect("a connection");
    stalled
        .write_all(b"POST /api/check-goal HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"te")
        .await
        .expect("written");
    let took = closed_within(&mut stalled, Duration::from_secs(6)).await.expect("closed within 6 s");
    assert!(took >= Duration::from_millis(1600), "{took:?}");
    app.stop().await;
}

#[tokio::test]
async fn open_connections_are_capped_and_a_freed_place_is_taken_again() {
    let app = spawn_app_with_limits(Limits { max_open_connections: 3, ..Limits::default() }).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(tokio::net::TcpStream::connect(&address).await.expect("a connection"));
    }
    let fresh = || reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("a client");
    let over = fresh().get(app.url("/healthz")).timeout(Duration::from_millis(800)).send().await;
    assert!(over.is_err(), "a fourth connection waits: {over:?}");
    held.pop();
    let answer = fresh().get(app.url("/healthz")).timeout(Duration::from_secs(5)).send().await.expect("served");
    assert_eq!(answer.status(), StatusCode::OK);
    drop(held);
    app.stop().await;
}

#[tokio::test]
async fn rotating_a_link_closes_the_sockets_of_everyone_who_came_through_it() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let (_, cofa) = app.join(&session, &session.facilitator_link, "Coco").await;
    let (_, pim) = app.join(&session, &session.participant_link, "Pim").await;
    let mut fay_ws = app.connect_live(&session, &session.facilitator, None).await;
    let mut cofa_ws = app.connect_live(&session, &cofa, None).await;
    let mut pim_ws = app.connect_live(&session, &pim, None).await;

    // Fay (who created the session through the facilitator link) rotates it: Coco is out.
    assert_eq!(app.rotate(&session, "facilitator").await, StatusCode::OK);
    let closed = cofa_ws.next_of("close").await;
    assert_eq!((closed["code"].as_u64(), closed["reason"].as_str()), (Some(4003), Some("link_rotated")), "{closed}");
    // Fay and Pim stay; Fay's next op goes through.
    let moved = fay_ws.call("go", json!({"type": "go_to_part", "part_id": 2})).await;
    assert_eq!(moved["type"], "ack", "{moved}");
    pim_ws.next_of("event").await;

    assert_eq!(app.rotate(&session, "participant").await, StatusCode::OK);
    let closed = pim_ws.next_of("close").await;
    assert_eq!((closed["code"].as_u64(), closed["reason"].as_str()), (Some(4003), Some("link_rotated")), "{closed}");
    // Coming back is refused too.
    let again = app.open_live(&session, &pim, &[]).await;
    assert!(again.is_err(), "the old credential no longer opens the room");
    assert_eq!(fay_ws.call("back", json!({"type": "go_to_part", "part_id": 1})).await["type"], "ack");
    fay_ws.close().await;
    app.stop().await;
}

#[tokio::test]
async fn creating_sessions_is_rate_limited_per_address() {
    let app = spawn_app_with_limits(Limits { sessions_per_minute_per_address: 3, ..Limits::default() }).await;
    for _ in 0..3 {
        app.create_heidag().await;
    }
    let refused = app
        .request(Method::POST, "/api/sessions", None)
        .json(&json!({"title": "Nog een", "settings": {"start": "2026-12-03T09:00"}}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()["retry-after"].to_str().expect("text").parse().expect("seconds");
    assert!((1..=20).contains(&wait), "{wait}");
    let (_, body) = crate::helpers::decode(refused).await;
    assert_eq!(body["code"], "rate_limited", "{body}");
    // The demo and the home page's form count too.
    let demo = app.client.post(app.url("/demo")).send().await.expect("an answer");
    assert_eq!(demo.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

#[tokio::test]
async fn joining_is_rate_limited_per_session_but_the_facilitator_link_always_gets_in() {
    let limits = Limits { joins_per_minute_per_session: 2, ..Limits::default() };
    let app = spawn_app_with_limits(limits).await;
    let session = app.create_heidag().await;
    for name in ["Pim", "Pam"] {
        assert_eq!(join_status(&app, &session, &session.participant_link, name).await.0, StatusCode::CREATED);
    }
    let (status, body) = join_status(&app, &session, &session.participant_link, "Pum").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")), "{body}");
    let (status, body) = join_status(&app, &session, &session.facilitator_link, "Coco").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Another session has its own budget.
    let other = app.create_heidag().await;
    assert_eq!(join_status(&app, &other, &other.participant_link, "Pum").await.0, StatusCode::CREATED);
    app.stop().await;
}

#[tokio::test]
async fn joining_is_rate_limited_per_address() {
    let app = spawn_app_with_limits(Limits { joins_per_minute_per_address: 3, ..Limits::default() }).await;
    let session = app.create_heidag().await;
    for name in ["Pim", "Pam", "Pum"] {
        assert_eq!(join_status(&app, &session, &session.participant_link, name).await.0, StatusCode::CREATED);
    }
    let (status, body) = join_status(&app, &session, &session.facilitator_link, "Coco").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")), "{body}");
    // Guessing tokens counts as well: a bad token is refused by the limit, unseen.
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/sessions/{}/join", session.id),
            None,
            Some(json!({"token": "0".repeat(40), "display_name": "Gok"})),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

#[tokio::test]
async fn the_facilitator_link_gets_in_when_the_session_is_full() {
    let limits =
        Limits { joins_per_minute_per_address: 10_000, joins_per_minute_per_session: 10_000, ..Limits::default() };
    let rooms = RoomConfig { max_connections_per_session: 1, ..RoomConfig::default() };
    let app = spawn_app_with_all(rooms, LiveConfig::default(), limits).await;
    let session = app.create_heidag().await;
    let mut pim = None;
    for index in 1..heisessie_domain::session::MAX_PARTICIPANTS {
        let (_, credential) = app.join(&session, &session.participant_link, &format!("P{index}")).await;
        pim.get_or_insert(credential);
    }
    let (status, body) = join_status(&app, &session, &session.participant_link, "Laatkomer").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("too_many_participants")), "{body}");
    let (_, cofa) = app.join(&session, &session.facilitator_link, "Coco").await;

    // One live connection fills this session; a facilitator still gets in, a participant not.
    let pim = pim.expect("a participant");
    let first = app.connect_live(&session, &pim, None).await;
    let coco = app.connect_live(&session, &cofa, None).await;
    assert_eq!(coco.welcome["you"]["display_name"], "Coco");
    let mut late = app.open_live(&session, &pim, &[]).await.expect("the upgrade");
    late.send_json(json!({"type": "hello", "protocol": 1})).await;
    let closed = late.next_of("close").await;
    assert_eq!(closed["code"], 4002, "{closed}");
    first.close().await;
    coco.close().await;
    app.stop().await;
}

#[tokio::test]
async fn ops_are_limited_per_participant_across_their_connections() {
    let live = LiveConfig { ops_per_second: 1000.0, ops_burst: 1000.0, ..LiveConfig::default() };
    let limits = Limits { ops_per_second_per_participant: 5, ..Limits::default() };
    let app = spawn_app_with_all(RoomConfig::default(), live, limits).await;
    let session = app.create_heidag().await;
    let (_, pim) = app.join(&session, &session.participant_link, "Pim").await;
    let mut tab = app.connect_live(&session, &pim, None).await;
    let mut phone = app.connect_live(&session, &pim, None).await;
    let sticky =
        |x: i32| json!({"type": "create_sticky", "part_id": 2, "text": "Idee", "x": x, "y": 40, "colour": "yellow"});
    let mut answers = Vec::new();
    for index in 0..8 {
        answers.push(tab.call(&format!("t{index}"), sticky(10 * index)).await);
        answers.push(phone.call(&format!("p{index}"), sticky(10 * index + 5)).await);
    }
    let limited = answers.iter().filter(|a| a["code"] == "rate_limited").count();
    let acked = answers.iter().filter(|a| a["type"] == "ack").count();
    // A burst of two seconds' worth (10), then nothing until the bucket refills.
    assert!((10..=13).contains(&acked), "acked {acked}: {answers:?}");
    assert_eq!(acked + limited, 16, "{answers:?}");
    // Someone else is not held back.
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    assert_eq!(fay.call("f", sticky(500)).await["type"], "ack");
    tab.close().await;
    phone.close().await;
    fay.close().await;
    app.stop().await;
}

#[tokio::test]
async fn presence_is_rate_limited_and_the_newest_arrives() {
    let app = spawn_app_with_limits(Limits { presence_per_second: 1, ..Limits::default() }).await;
    let session = app.create_heidag().await;
    let (pim_id, pim) = app.join(&session, &session.participant_link, "Pim").await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let mut pim_ws = app.connect_live(&session, &pim, None).await;
    // Let the presence of the connects go out.
    fay.drain(Duration::from_millis(300)).await;
    let part_of_pim = |frame: &Value| {
        frame["people"]
            .as_array()
            .and_then(|people| people.iter().find(|p| p["participant_id"] == pim_id).map(|p| p["part_id"].as_u64()))
    };
    let started = Instant::now();
    for part in [1, 2, 3, 4, 5, 3, 4, 5, 6] {
        pim_ws.send_json(json!({"type": "presence", "part_id": part})).await;
    }
    let mut seen = Vec::new();
    while started.elapsed() < Duration::from_secs(3) {
        let Some(frame) = fay.next_within(Duration::from_millis(200)).await else { continue };
        if frame["type"] == "presence"
            && let Some(part) = part_of_pim(&frame)
        {
            seen.push((started.elapsed(), part));
            if part == Some(6) {
                break;
            }
        }
    }
    let (at, last) = *seen.last().expect("presence frames");
    assert_eq!(last, Some(6), "the newest arrives: {seen:?}");
    assert!(at >= Duration::from_millis(800), "held for the interval, not passed on at once: {seen:?}");
    assert!(seen.len() <= 3, "coalesced: {seen:?}");
    fay.close().await;
    pim_ws.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_name_that_only_looks_like_someone_elses_is_refused() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    app.join(&session, &session.participant_link, "Sam de Vries").await;
    for lookalike in ["sam de vries", "Sam\u{200B} de Vries", "\u{202E}Sam de Vries", "Fay", "Ｓam de Vries"] {
        let (status, body) = join_status(&app, &session, &session.participant_link, lookalike).await;
        assert_eq!(status, StatusCode::CONFLICT, "{lookalike:?}: {body}");
        assert_eq!(body["code"], "name_taken", "{body}");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("looks just like")), "{body}");
    }
    assert_eq!(join_status(&app, &session, &session.participant_link, "Sam de Vries 2").await.0, StatusCode::CREATED);
    app.stop().await;
}

#[tokio::test]
async fn pdfs_are_typeset_a_few_at_a_time_and_the_rest_hear_busy() {
    if !cfg!(feature = "pdf") {
        return;
    }
    let app = spawn_app_with_limits(Limits { pdf_concurrency: 1, pdf_queue: 0, ..Limits::default() }).await;
    let session = app.create_heidag().await;
    let path = format!("/api/sessions/{}/exports/report.pdf", session.id);
    let requests = (0..8).map(|_| app.request(Method::GET, &path, Some(&session.facilitator)).send());
    let answers = futures_util::future::join_all(requests).await;
    let mut ok = 0;
    let mut busy = 0;
    for answer in answers {
        let answer = answer.expect("an answer");
        match answer.status() {
            StatusCode::OK => ok += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                busy += 1;
                assert!(answer.headers().contains_key("retry-after"));
                let (_, body) = crate::helpers::decode(answer).await;
                assert_eq!(body["code"], "busy", "{body}");
                assert!(body["message"].as_str().is_some_and(|m| m.contains("Try again")), "{body}");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(ok >= 1 && busy >= 1, "{ok} typeset, {busy} busy");
    // Once the others are done, the next one is typeset.
    let (status, _) = app.send(Method::GET, &path, Some(&session.facilitator), None).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn the_facilitator_can_remove_a_participant_who_is_then_disconnected_and_refused() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let fay = &session.facilitator;
    let (pim_id, pim) = app.join(&session, &session.participant_link, "Pim").await;
    let (_, tim) = app.join(&session, &session.participant_link, "Tim").await;
    let roles = format!("/api/sessions/{}/roles", session.id);
    let (status, _) =
        app.send(Method::POST, &roles, Some(fay), Some(json!({"role": "timekeeper", "participant_id": pim_id}))).await;
    assert_eq!(status, StatusCode::OK);
    let mut pim_ws = app.connect_live(&session, &pim, None).await;
    let mut fay_ws = app.connect_live(&session, fay, None).await;
    let remove = |who: u64| format!("/api/sessions/{}/participants/{who}", session.id);

    // Only a facilitator removes, and nobody removes a facilitator.
    let (status, body) = app.send(Method::DELETE, &remove(pim_id), Some(&tim), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("facilitator_only")), "{body}");
    let (status, body) = app.send(Method::DELETE, &remove(1), Some(fay), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("cannot_remove_facilitator")), "{body}");

    let (status, body) = app.send(Method::DELETE, &remove(pim_id), Some(fay), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["participants"].as_array().expect("participants").iter().all(|p| p["id"] != pim_id), "{body}");
    assert_eq!(body["roles"]["timekeeper"], Value::Null, "their roles go with them");

    // Disconnected at once, with the reason; the others see the session without them.
    let closed = pim_ws.next_of("close").await;
    assert_eq!((closed["code"].as_u64(), closed["reason"].as_str()), (Some(4003), Some("removed")), "{closed}");
    let changed = fay_ws.next_of("event").await;
    assert_eq!(changed["event"]["type"], "session_changed", "{changed}");
    // Refused from then on: the API, the room, and their ops.
    let (status, body) = app.send(Method::GET, &format!("/api/sessions/{}", session.id), Some(&pim), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("not_authorized")), "{body}");
    let mut again = app.open_live(&session, &pim, &[]).await.expect("the upgrade");
    again.send_json(json!({"type": "hello", "protocol": 1})).await;
    let closed = again.next_of("close").await;
    assert_eq!(closed["code"], 4003, "{closed}");
    let (status, body) = app
        .send(
            Method::POST,
            &format!("/api/sessions/{}/parts", session.id),
            Some(&pim),
            Some(json!({"title": "X", "minutes": 10})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app.send(Method::DELETE, &remove(pim_id), Some(fay), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_participant")), "{body}");
    fay_ws.close().await;
    app.stop().await;
}
