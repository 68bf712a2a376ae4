//! `heisessie load --amplification`: can a few users balloon the server's memory?
//!
//! Per session: the creator fills the strategy with long personas until the server
//! refuses with `strategy_full` (the session's strategy limit), adds an end goal, and
//! opens two more connections that say hello and then never read again. For the window,
//! each creator toggles its support for the end goal at `--rate` ops a second (a
//! 130-byte op that used to broadcast the whole strategy to everyone) and reads its
//! answers. The server's resident memory is sampled every 100 ms; the report gives it
//! before, after the filling, its peak in the window and at the end, the bytes the
//! creators received per op, and how many of the non-reading connections the server
//! closed.

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::Message;

use super::{Created, Plan, Ws, create_session, open_live};

/// Non-reading connections per session.
const SLEEPERS: usize = 2;

/// A persona with three long fields (about 6 kB stored).
fn persona(n: usize) -> Value {
    let long = format!("Persona {n}: ") + &"Heeft weinig tijd en wil snel weten wat werkt. ".repeat(40);
    json!({"type": "save_persona", "name": format!("Persona {n}"), "age": 30 + n % 40,
           "pain_points": long, "desired_results": long, "triggers": long})
}

/// Sends an op and reads until its answer; returns the answer and the bytes read.
async fn call(ws: &mut Ws, id: &str, op: &Value) -> anyhow::Result<(Value, usize)> {
    let text = json!({"type": "op", "client_op_id": id, "op": op}).to_string();
    ws.send(Message::Text(text.into())).await.context("sending an op")?;
    let mut bytes = 0;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let message = timeout(deadline - Instant::now(), ws.next())
            .await
            .map_err(|_| anyhow!("no answer to {id} within 10 s"))?;
        match message {
            Some(Ok(Message::Text(text))) => {
                bytes += text.len();
                let frame: Value = serde_json::from_str(&text).context("a frame")?;
                if frame["client_op_id"] == id && (frame["type"] == "ack" || frame["type"] == "reject") {
                    return Ok((frame, bytes));
                }
            }
            Some(Ok(Message::Close(frame))) => bail!("closed while waiting for {id}: {frame:?}"),
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(error).context("reading"),
            None => bail!("closed while waiting for {id}"),
        }
    }
}

/// Fills the strategy to its limit and adds an end goal; returns the personas stored.
async fn fill(ws: &mut Ws, session: usize) -> anyhow::Result<usize> {
    let mut personas = 0;
    let mut n = 0;
    loop {
        n += 1;
        let (answer, _) = call(ws, &format!("fill-{session}-{n}"), &persona(n)).await?;
        match (answer["type"].as_str(), answer["code"].as_str()) {
            (Some("ack"), _) => personas += 1,
            (_, Some("strategy_full")) => break,
            (_, Some("rate_limited")) => tokio::time::sleep(Duration::from_millis(200)).await,
            _ => bail!("filling the strategy: {answer}"),
        }
        if n > 2_000 {
            bail!("the strategy never filled up: is --max-strategy-kb very large?");
        }
    }
    // Make room for the end goal, then add it.
    let (answer, _) = call(ws, &format!("end-{session}"), &json!({"type": "save_end_goal", "text": "Groei"})).await?;
    if answer["type"] != "ack" {
        let (first, _) = call(ws, &format!("trim-{session}"), &json!({"type": "remove_persona", "id": 1})).await?;
        if first["type"] != "ack" {
            bail!("could not make room for the end goal: {first}");
        }
        let (again, _) =
            call(ws, &format!("end2-{session}"), &json!({"type": "save_end_goal", "text": "Groei"})).await?;
        if again["type"] != "ack" {
            bail!("adding the end goal: {again}");
        }
    }
    Ok(personas)
}

/// The id of the session's end goal, as the API shows the strategy.
async fn end_goal_id(plan: &Plan, created: &Created) -> anyhow::Result<u64> {
    let client = reqwest::Client::new();
    let url = format!("{}/api/sessions/{}/strategy", plan.target.http, created.id);
    let strategy: Value =
        client.get(&url).bearer_auth(&created.creator).send().await?.error_for_status()?.json().await?;
    strategy["end_goals"][0]["id"].as_u64().ok_or_else(|| anyhow!("no end goal in {url}"))
}

pub(super) async fn run(plan: &Plan) -> anyhow::Result<()> {
    let server = plan.server.as_ref().ok_or_else(|| anyhow!("--amplification needs --server-pid"))?;
    let rss = || server.rss_kb().unwrap_or(0);
    let rss_before = rss();
    eprintln!("load: amplification: {} sessions, filling each strategy to its limit…", plan.sessions);
    let http = reqwest::Client::new();
    let mut rooms = Vec::new();
    for index in 0..plan.sessions {
        let created = create_session(&http, &plan.target, index).await?;
        let (ws, _, _) = open_live(&plan.target, &created.id, &created.creator).await?;
        rooms.push((created, ws));
    }
    let mut personas = 0;
    let fills = rooms.iter_mut().enumerate().map(|(n, (_, ws))| fill(ws, n));
    for filled in futures_util::future::join_all(fills).await {
        personas += filled?;
    }
    let mut goals = Vec::new();
    for (created, _) in &rooms {
        goals.push(end_goal_id(plan, created).await?);
    }
    let mut sleepers = Vec::new();
    for (created, _) in &rooms {
        for _ in 0..SLEEPERS {
            sleepers.push(open_live(&plan.target, &created.id, &created.creator).await?.0);
        }
    }
    let rss_filled = rss();
    eprintln!(
        "load: {personas} personas stored, {} non-reading connections open; RSS {rss_filled} kB; {} s of ops at {}/s per session…",
        sleepers.len(),
        plan.duration.as_secs(),
        plan.rate
    );

    let end = Instant::now() + plan.duration;
    let interval = Duration::from_secs_f64(1.0 / plan.rate);
    let writers = rooms.into_iter().zip(goals).enumerate().map(|(n, ((_, mut ws), goal))| async move {
        let (mut ops, mut bytes, mut next) = (0u64, 0usize, Instant::now());
        while Instant::now() < end {
            let op = json!({"type": "support_end_goal", "id": goal, "support": ops % 2 == 0});
            let (answer, read) = call(&mut ws, &format!("s{n}-{ops}"), &op).await?;
            if answer["type"] != "ack" && answer["code"] != "rate_limited" {
                bail!("support_end_goal: {answer}");
            }
            ops += 1;
            bytes += read;
            next += interval;
            tokio::time::sleep_until(next).await;
        }
        anyhow::Ok((ops, bytes))
    });
    let sampling = async {
        let mut peak = 0;
        while Instant::now() < end {
            peak = peak.max(rss());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        peak
    };
    let (results, peak) = tokio::join!(futures_util::future::join_all(writers), sampling);
    let (mut ops, mut bytes) = (0u64, 0usize);
    for result in results {
        let (o, b) = result?;
        ops += o;
        bytes += b;
    }
    let rss_end = rss();
    // Did the server let the sleepers go? Read what they were sent, up to the close.
    let mut closed = 0;
    for mut ws in sleepers {
        let read = timeout(Duration::from_secs(5), async {
            loop {
                match ws.next().await {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return true,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await;
        closed += usize::from(read.unwrap_or(false));
    }
    let per_op = (bytes as u64).checked_div(ops).unwrap_or(0);
    println!(
        "amplification: {} sessions at the strategy limit ({personas} personas), {} non-reading connections\n\
         server RSS: {rss_before} kB before, {rss_filled} kB filled, peak {peak} kB in the window, {rss_end} kB at the end\n\
         ops: {ops} support_end_goal in {} s; bytes the sender received per op: {per_op} (answer and event)\n\
         non-reading connections closed by the server: {closed} of {}",
        plan.sessions,
        plan.sessions as usize * SLEEPERS,
        plan.duration.as_secs(),
        plan.sessions as usize * SLEEPERS
    );
    println!(
        "{}",
        json!({"workload": "amplification", "sessions": plan.sessions, "personas": personas,
               "sleepers": plan.sessions as usize * SLEEPERS, "rss_kb_before": rss_before,
               "rss_kb_filled": rss_filled, "rss_kb_peak": peak, "rss_kb_end": rss_end, "ops": ops,
               "bytes_per_op": per_op, "sleepers_closed": closed, "duration_s": plan.duration.as_secs()})
    );
    Ok(())
}
