//! Kill -9 under live load, again and again: the real binary is killed with SIGKILL
//! while writers put stickies on the board, restarted on the same data folder, and the
//! writers reconnect with their last seq and resend what was not answered, with the
//! same ids (as the browser does). Afterwards every acknowledged op is on the board,
//! none twice, and every writer's resumed stream ends at the server's seq.
//!
//! Quick by default (20 kills, about half a minute); `HEISESSIE_CRASH_KILLS=200 cargo
//! nextest run -p heisessie crash` is the long run.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{ChildServer, LiveClient, Session, TestApp, external};

const WRITERS: usize = 3;

/// A writer's own record: what it sent, what was acknowledged, where its stream is.
struct Writer {
    id: usize,
    credential: String,
    next: usize,
    /// The op sent and not yet answered: resent with the same id after a reconnect.
    pending: Option<(String, Value)>,
    /// Op id → the seq its ack named.
    acked: HashMap<String, u64>,
    /// Ops resent after a reconnect because the kill came before their answer.
    resent: usize,
    seq: Option<u64>,
}

fn kills() -> usize {
    std::env::var("HEISESSIE_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(20)
}

/// A pause of 150–450 ms, different each cycle, without a random-number crate.
fn jitter(cycle: usize) -> Duration {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    Duration::from_millis(150 + u64::from((nanos / 1000 + cycle as u32 * 7919) % 300))
}

/// Writes stickies until the connection goes, then hands the writer back.
async fn write_until_closed(mut writer: Writer, mut client: LiveClient) -> Writer {
    loop {
        let (op_id, op) = writer
            .pending
            .get_or_insert_with(|| {
                writer.next += 1;
                let id = format!("w{}-{}", writer.id, writer.next);
                let part = 1 + (writer.next % 6);
                let op = json!({"type": "create_sticky", "part_id": part, "text": id, "x": writer.next % 900, "y": 40});
                (id, op)
            })
            .clone();
        let answer = client.call(&op_id, op).await;
        writer.seq = Some(client.seq);
        match answer["type"].as_str() {
            Some("ack") => {
                writer.acked.insert(op_id, answer["seq"].as_u64().expect("an ack names its seq"));
                writer.pending = None;
                // Within the default rate limit of 20 ops a second per connection.
                tokio::time::sleep(Duration::from_millis(55)).await;
            }
            Some("close") => return writer,
            _ => panic!("writer {}: {op_id} got {answer}", writer.id),
        }
    }
}

async fn connect(app: &TestApp, session: &Session, writer: &Writer) -> Option<LiveClient> {
    let mut client = app.open_live(session, &writer.credential, &[]).await.ok()?;
    client.send_json(json!({"type": "hello", "protocol": 1, "last_seq": writer.seq})).await;
    let welcome = loop {
        let frame = client.next_within(Duration::from_secs(5)).await?;
        if frame["type"] == "welcome" {
            break frame;
        }
    };
    client.seq = match (welcome["catch_up"].as_str(), writer.seq) {
        (Some("events"), Some(last)) => last,
        _ => welcome["seq"].as_u64().expect("a seq"),
    };
    client.welcome = welcome;
    Some(client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_live_load_loses_no_acked_op_and_applies_none_twice() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let data = dir.path().join("data");
    let mut server = ChildServer::start(&data);
    let app = external(&server.base);
    let session = app.create_heidag().await;
    let mut writers: Vec<Writer> = Vec::new();
    for id in 0..WRITERS {
        let credential = if id == 0 {
            session.facilitator.clone()
        } else {
            app.join(&session, &session.participant_link, &format!("Schrijver {id}")).await.1
        };
        writers.push(Writer { id, credential, next: 0, pending: None, acked: HashMap::new(), resent: 0, seq: None });
    }

    let total = kills();
    for cycle in 0..=total {
        let app = external(&server.base);
        let mut tasks = Vec::new();
        for mut writer in writers.drain(..) {
            writer.resent += usize::from(writer.pending.is_some());
            let client = connect(&app, &session, &writer).await.expect("the restarted server takes connections");
            tasks.push(tokio::spawn(write_until_closed(writer, client)));
        }
        tokio::time::sleep(jitter(cycle)).await;
        // SIGKILL: no shutdown, whatever was in flight is cut off.
        drop(server.kill());
        for task in tasks {
            writers.push(task.await.expect("a writer ends when its connection does"));
        }
        server = ChildServer::start(&data);
    }

    // Every writer resumes from its own last seq and catches up to the server's.
    let app = external(&server.base);
    let mut last = None;
    for writer in &mut writers {
        let mut client = connect(&app, &session, writer).await.expect("a connection");
        if let Some((op_id, op)) = writer.pending.take() {
            let answer = client.call(&op_id, op).await;
            assert_eq!(answer["type"], "ack", "the last unanswered op is applied or answered: {answer}");
            writer.acked.insert(op_id, answer["seq"].as_u64().expect("a seq"));
        }
        let target = client.welcome["seq"].as_u64().expect("a seq").max(client.seq);
        while client.seq < target {
            client.next_of("event").await;
        }
        last = Some(last.map_or(client.seq, |l: u64| l.max(client.seq)));
        client.close().await;
    }

    // The board: each acknowledged op's sticky exactly once, and nothing else.
    let board = app.connect_live(&session, &session.facilitator, None).await;
    let snapshot = &board.welcome["snapshot"];
    assert!(board.welcome["seq"].as_u64() >= last, "no writer saw a seq the server does not have");
    let mut count: HashMap<String, usize> = HashMap::new();
    for sticky in snapshot["stickies"].as_array().expect("stickies") {
        *count.entry(sticky["text"].as_str().expect("a text").to_owned()).or_default() += 1;
    }
    let acked: usize = writers.iter().map(|w| w.acked.len()).sum();
    assert!(acked >= total * WRITERS, "the writers got work done between kills: {acked} acks");
    for writer in &writers {
        for op_id in writer.acked.keys() {
            assert_eq!(count.get(op_id), Some(&1), "{op_id} was acked and must be on the board exactly once");
        }
    }
    assert_eq!(count.len(), acked, "no sticky that was not acked: {} on the board, {acked} acked", count.len());
    assert!(count.values().all(|&n| n == 1), "no op applied twice");
    let resent: usize = writers.iter().map(|w| w.resent).sum();
    println!("{total} kills survived; {acked} ops acked, {resent} resent after a kill; all on the board once");
    board.close().await;
    let log = server.kill();
    assert!(!log.contains("panicked"), "{log}");
}
