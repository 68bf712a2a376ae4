//! No one user can make the server send or hold megabytes: a strategy event carries
//! only what changed, a session's strategy content has a size limit with a clear
//! rejection, and a connection that does not read is closed before its queue costs more
//! than its byte budget.

use heisessie_server::live::LiveConfig;
use heisessie_server::rooms::RoomConfig;
use serde_json::{Value, json};

use heisessie_server::limits::Limits;

use crate::helpers::{TestApp, spawn_app_with_all};

fn persona(n: usize) -> Value {
    let long = format!("Persona {n}: ") + &"Heeft weinig tijd en wil snel weten wat werkt. ".repeat(40);
    json!({"type": "save_persona", "name": format!("Persona {n}"), "age": 30 + n % 40,
           "pain_points": long, "desired_results": long, "triggers": long})
}

/// No rate limit in the way of filling a session quickly.
async fn spawn(rooms: RoomConfig) -> TestApp {
    let live = LiveConfig { ops_per_second: 10_000.0, ops_burst: 10_000.0, ..LiveConfig::default() };
    let limits = Limits { ops_per_second_per_participant: 100_000, ..Limits::default() };
    spawn_app_with_all(rooms, live, limits).await
}

#[tokio::test]
async fn a_one_click_strategy_op_sends_only_what_changed() {
    let app = spawn(RoomConfig::default()).await;
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    for n in 0..40 {
        let answer = fay.call(&format!("p{n}"), persona(n)).await;
        assert_eq!(answer["type"], "ack", "{answer}");
    }
    let answer = fay.call("e1", json!({"type": "save_end_goal", "text": "Nummer 1 bakkerij van Utrecht"})).await;
    assert_eq!(answer["type"], "ack", "{answer}");
    let strategy = fay.strategy();
    let end_goal = strategy["end_goals"][0]["id"].clone();
    let whole = strategy.to_string().len();
    assert!(whole > 150_000, "the strategy is large: {whole} bytes");

    let answer = fay.call("s1", json!({"type": "support_end_goal", "id": end_goal, "support": true})).await;
    assert_eq!(answer["type"], "ack", "{answer}");
    let last = fay.events.last().expect("the event").to_string();
    assert!(last.contains("strategy_changed"), "{last}");
    assert!(last.len() < 2_000, "a support op sends its change, not the strategy: {} bytes", last.len());
    assert_eq!(fay.strategy()["end_goals"][0]["supporters"], json!([1]));

    // Someone who connects now gets the same strategy whole.
    let piet = app.connect_live(&session, &session.facilitator, None).await;
    assert_eq!(piet.strategy(), fay.strategy());
    app.stop().await;
}

#[tokio::test]
async fn a_full_strategy_refuses_growth_clearly_and_changes_nothing_but_may_shrink() {
    let rooms = RoomConfig { max_strategy_bytes: 40 * 1024, ..RoomConfig::default() };
    let app = spawn(rooms).await;
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let mut refused = None;
    for n in 0..100 {
        let answer = fay.call(&format!("p{n}"), persona(n)).await;
        if answer["type"] == "reject" {
            refused = Some((n, answer));
            break;
        }
    }
    let (n, answer) = refused.expect("the strategy fills up");
    assert!(n > 3, "several personas fit: {n}");
    assert_eq!(answer["code"], "strategy_full", "{answer}");
    assert!(answer["message"].as_str().is_some_and(|m| m.contains("40 kB")), "names the limit: {answer}");
    let before = fay.strategy();
    assert_eq!(before["personas"].as_array().map(Vec::len), Some(n), "the refused persona is not there");
    // Removing always works, and then there is room again.
    let first = before["personas"][0]["id"].clone();
    let answer = fay.call("rm", json!({"type": "remove_persona", "id": first})).await;
    assert_eq!(answer["type"], "ack", "{answer}");
    let answer = fay.call("again", persona(n)).await;
    assert_eq!(answer["type"], "ack", "{answer}");
    app.stop().await;
}

#[tokio::test]
async fn a_connection_that_does_not_read_is_closed_at_its_byte_budget() {
    // 300 frames of 19 kB: the default queue of 1024 frames would hold them all (5.7 MB);
    // a budget of 64 KiB does not.
    let rooms = RoomConfig { connection_queue_bytes: 64 * 1024, ..RoomConfig::default() };
    let app = spawn(rooms).await;
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let mut sleeper = app.connect_live(&session, &session.facilitator, None).await;
    for n in 0..300 {
        let text = format!("{n} {}", "x".repeat(19_000));
        let answer = fay.call(&format!("n{n}"), json!({"type": "set_notes", "part_id": 1, "text": text})).await;
        assert_eq!(answer["type"], "ack", "the reader is not held back: {answer}");
    }
    // The sleeper reads what the socket buffers held, then the close.
    let frames = sleeper.until_close().await;
    let close = frames.last().expect("frames");
    assert_eq!(close["type"], "close", "the sleeper is closed: {} frames", frames.len());
    assert_eq!((close["code"].as_u64(), close["reason"].as_str()), (Some(4000), Some("resync")), "{close}");
    assert!(frames.len() < 300, "not every frame was kept for the sleeper: {}", frames.len());
    app.stop().await;
}
