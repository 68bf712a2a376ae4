//! `heisessie load`: a load generator for the live room, and the benchmark figures.
//!
//! It creates sessions over the JSON API, joins participants, opens one WebSocket per
//! participant (a bearer credential, no `Origin`), and lets every participant move its
//! own sticky at a steady rate. Every connection checks that the event seqs it sees are
//! contiguous, and measures how long each move of another participant took from being
//! sent to being seen: the sender keeps the send `Instant` in a map keyed by
//! (session, sticky, x, y), so sender and receiver read one clock.
//!
//! Only the timed window after the warm-up counts: ops sent in it, their acks and their
//! deliveries. After the window it waits (at most a few seconds) for the answers and
//! deliveries still under way, then stops by itself.
//!
//! `lost` is the larger of two independent counts: deliveries that never came (acked
//! moves × (participants − 1) − moves of others seen) and events skipped in a
//! connection's seq order (over the whole run). Both are in the summary too.
//!
//! With `--server-pid` it reads the server's CPU time (utime + stime of
//! `/proc/PID/stat`, in clock ticks: `getconf CLK_TCK`, 100 when that fails) over the
//! window and its resident memory (`VmRSS` of `/proc/PID/status`).
//!
//! `--idle N` opens N connections that only say hello, sits still, and reports the
//! server's memory per connection.

#[path = "load_amplification.rs"]
mod amplification;

use std::collections::{BTreeMap, HashMap};
use std::net::ToSocketAddrs;
use std::process::ExitCode;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use futures_util::stream::{self, SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Positions stay within the board (±20 000).
const X_SPAN: u64 = 40_001;
/// How long to wait for answers and deliveries after the window.
const DRAIN: Duration = Duration::from_secs(3);
/// Requests and WebSocket handshakes in flight at once during the set-up.
const SETUP_CONCURRENCY: usize = 32;
/// Idle connections per session, unless `--participants` says otherwise.
const IDLE_PER_SESSION: u32 = 100;

#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// The server, e.g. http://127.0.0.1:8080. Only loopback addresses are accepted.
    #[arg(long, default_value = "http://127.0.0.1:8080", value_parser = parse_target)]
    url: Target,
    /// Sessions to create.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    sessions: Option<u32>,
    /// Participants per session, each with one connection (the creator counts as one).
    /// With --idle: connections per session (default 100).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=200))]
    participants: Option<u32>,
    /// Sticky moves per second per participant.
    #[arg(long, default_value = "1", value_parser = parse_rate, allow_negative_numbers = true)]
    rate: f64,
    /// The measured window, in seconds (with --idle: how long to sit idle).
    #[arg(long, default_value = "20", value_parser = parse_duration, allow_negative_numbers = true)]
    duration: f64,
    /// Seconds of load before the window starts.
    #[arg(long, default_value = "5", value_parser = parse_warmup, allow_negative_numbers = true)]
    warmup: f64,
    /// The server's process id, to read its CPU time and memory from /proc.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Open this many idle connections instead (spread over sessions) and report the
    /// server's memory per connection.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=50_000))]
    idle: Option<u32>,
    /// Instead of moving stickies: fill every session's strategy to its limit, open two
    /// connections per session that never read, and send strategy ops at --rate per
    /// session; reports the server's memory (needs --server-pid).
    #[arg(long)]
    amplification: bool,
}

/// Where the server is: its http base and its ws base.
#[derive(Debug, Clone)]
pub struct Target {
    http: String,
    ws: String,
}

fn parse_target(text: &str) -> Result<Target, String> {
    let rest = text
        .trim_end_matches('/')
        .strip_prefix("http://")
        .ok_or_else(|| format!("expected http://HOST:PORT such as http://127.0.0.1:8080, got {text:?}"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
        return Err(format!("expected http://HOST:PORT without a path, got {text:?}"));
    }
    let host_port = if rest.rsplit_once(':').is_some_and(|(_, port)| !port.contains(']')) {
        rest.to_owned()
    } else {
        format!("{rest}:80")
    };
    let addresses: Vec<_> =
        host_port.to_socket_addrs().map_err(|error| format!("cannot resolve {rest:?}: {error}"))?.collect();
    if addresses.is_empty() || !addresses.iter().all(|a| a.ip().is_loopback()) {
        return Err(format!("{rest:?} is not a loopback address: the load generator only targets this machine"));
    }
    Ok(Target { http: format!("http://{rest}"), ws: format!("ws://{rest}") })
}

fn parse_seconds(text: &str, min: f64, max: f64) -> Result<f64, String> {
    let value: f64 = text.trim().parse().map_err(|_| format!("expected a number of seconds, got {text:?}"))?;
    if !(min..=max).contains(&value) {
        return Err(format!("expected {min} to {max} seconds, got {text}"));
    }
    Ok(value)
}

fn parse_duration(text: &str) -> Result<f64, String> {
    parse_seconds(text, 0.1, 3600.0)
}

fn parse_warmup(text: &str) -> Result<f64, String> {
    parse_seconds(text, 0.0, 600.0)
}

fn parse_rate(text: &str) -> Result<f64, String> {
    let value: f64 = text.trim().parse().map_err(|_| format!("expected ops per second such as 10, got {text:?}"))?;
    if !(0.01..=1000.0).contains(&value) {
        return Err(format!("expected 0.01 to 1000 ops per second, got {text}"));
    }
    Ok(value)
}

/// Runs the load and prints the report; the last line is a JSON summary.
pub fn run(args: LoadArgs) -> ExitCode {
    let plan = match Plan::from_args(args) {
        Ok(plan) => plan,
        Err(message) => crate::usage_error(message),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match plan.idle {
            Some(connections) => run_idle(&plan, connections).await,
            None if plan.amplification => amplification::run(&plan).await,
            None => run_load(&plan).await,
        }
    });
    // Tasks still finishing a close handshake must not hold the exit up.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The checked command line.
struct Plan {
    target: Target,
    sessions: u32,
    participants: u32,
    rate: f64,
    duration: Duration,
    warmup: Duration,
    server: Option<Server>,
    idle: Option<u32>,
    amplification: bool,
}

impl Plan {
    fn from_args(args: LoadArgs) -> Result<Plan, String> {
        let server = args.server_pid.map(Server::new).transpose()?;
        if args.amplification && (args.idle.is_some() || server.is_none()) {
            return Err("--amplification: needs --server-pid and --sessions, and is not used with --idle".into());
        }
        let (sessions, participants) = match args.idle {
            Some(idle) => {
                if args.sessions.is_some() {
                    return Err("--sessions: not used with --idle (--participants sets connections per session)".into());
                }
                let per_session = args.participants.unwrap_or(IDLE_PER_SESSION).min(idle);
                (idle.div_ceil(per_session), per_session)
            }
            None if args.amplification => {
                (args.sessions.ok_or("--sessions: required with --amplification")?, args.participants.unwrap_or(1))
            }
            None => {
                let sessions = args.sessions.ok_or("--sessions: required (or use --idle N)")?;
                let participants = args.participants.ok_or("--participants: required (or use --idle N)")?;
                if participants < 2 {
                    return Err("--participants: at least 2, so that someone sees the moves".into());
                }
                (sessions, participants)
            }
        };
        Ok(Plan {
            target: args.url,
            sessions,
            participants,
            rate: args.rate,
            duration: Duration::from_secs_f64(args.duration),
            warmup: Duration::from_secs_f64(args.warmup),
            server,
            idle: args.idle,
            amplification: args.amplification,
        })
    }

    fn connections(&self) -> u64 {
        match self.idle {
            Some(idle) => u64::from(idle),
            None => u64::from(self.sessions) * u64::from(self.participants),
        }
    }

    /// The set-up may take this long before the run gives up.
    fn setup_limit(&self) -> Duration {
        Duration::from_secs(30) + Duration::from_millis(20) * self.connections() as u32
    }
}

// ---- The server's process -----------------------------------------------------------

struct Server {
    pid: u32,
    ticks_per_second: f64,
}

impl Server {
    fn new(pid: u32) -> Result<Server, String> {
        let server = Server { pid, ticks_per_second: clock_ticks_per_second() };
        if server.cpu().is_none() || server.rss_kb().is_none() {
            return Err(format!("--server-pid: cannot read /proc/{pid}/stat and /proc/{pid}/status"));
        }
        Ok(server)
    }

    /// utime and stime of all its threads, living and ended.
    fn cpu(&self) -> Option<Cpu> {
        Cpu::of(&format!("/proc/{}/stat", self.pid), self.ticks_per_second)
    }

    fn rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        status.lines().find_map(|line| line.strip_prefix("VmRSS:")?.trim().strip_suffix("kB")?.trim().parse().ok())
    }
}

/// `sysconf(_SC_CLK_TCK)` needs unsafe code; `getconf` answers the same. Linux has
/// used 100 everywhere for a long time, so that is the fallback.
fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok()?.trim().parse::<f64>().ok())
        .filter(|ticks| *ticks > 0.0)
        .unwrap_or(100.0)
}

/// CPU time in seconds: in user space, in the kernel.
#[derive(Debug, Clone, Copy, Default)]
struct Cpu {
    user: f64,
    system: f64,
}

impl Cpu {
    /// utime and stime from a `/proc/…/stat` file.
    fn of(path: &str, ticks_per_second: f64) -> Option<Cpu> {
        let stat = std::fs::read_to_string(path).ok()?;
        // The command name may hold spaces and parentheses: the fields start after the last ')'.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        // Fields 14 (utime) and 15 (stime), counted from 1 at the pid; index 0 here is field 3.
        let utime: f64 = fields.get(11)?.parse().ok()?;
        let stime: f64 = fields.get(12)?.parse().ok()?;
        Some(Cpu { user: utime / ticks_per_second, system: stime / ticks_per_second })
    }

    /// The busy time of the whole machine, every CPU, from `/proc/stat`.
    fn machine(ticks_per_second: f64) -> Option<Cpu> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<f64> =
            stat.lines().next()?.strip_prefix("cpu ")?.split_whitespace().filter_map(|f| f.parse().ok()).collect();
        // user nice system idle iowait irq softirq steal
        let user = fields.first()? + fields.get(1)?;
        let system = fields.get(2)? + fields.get(5).unwrap_or(&0.0) + fields.get(6).unwrap_or(&0.0);
        Some(Cpu { user: user / ticks_per_second, system: system / ticks_per_second })
    }

    fn total(self) -> f64 {
        self.user + self.system
    }

    fn since(self, earlier: Cpu) -> Cpu {
        Cpu { user: self.user - earlier.user, system: self.system - earlier.system }
    }
}

// ---- Set-up over the JSON API -------------------------------------------------------

/// A session as the generator uses it.
struct Created {
    id: String,
    token: String,
    creator: String,
    part_id: u64,
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> anyhow::Result<Value> {
    let response = client.post(&url).json(&body).send().await.with_context(|| format!("POST {url}"))?;
    let status = response.status();
    let text = response.text().await.with_context(|| format!("POST {url}: reading the answer"))?;
    if !status.is_success() {
        bail!("POST {url}: {status}: {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("POST {url}: the answer is not JSON"))
}

async fn create_session(client: &reqwest::Client, target: &Target, index: u32) -> anyhow::Result<Created> {
    let body = json!({"title": format!("Load {index}"), "settings": {"start": "2026-12-03T09:00"}});
    let created = post(client, format!("{}/api/sessions", target.http), body).await?;
    let text = |value: &Value, what: &str| {
        value.as_str().map(str::to_owned).ok_or_else(|| anyhow!("the created session has no {what}: {created}"))
    };
    let link = text(&created["participant_link"], "participant_link")?;
    let token = link.split("k=").nth(1).map(|t| t.split('&').next().unwrap_or(t).to_owned());
    Ok(Created {
        id: text(&created["session_id"], "session_id")?,
        token: token.ok_or_else(|| anyhow!("the participant link has no k= token: {link}"))?,
        creator: text(&created["credential"], "credential")?,
        part_id: created["session"]["parts"][0]["id"]
            .as_u64()
            .ok_or_else(|| anyhow!("the created session has no parts: {created}"))?,
    })
}

async fn join(client: &reqwest::Client, target: &Target, session: &Created, name: String) -> anyhow::Result<String> {
    let url = format!("{}/api/sessions/{}/join", target.http, session.id);
    let joined = post(client, url, json!({"token": session.token, "display_name": name})).await?;
    joined["credential"].as_str().map(str::to_owned).ok_or_else(|| anyhow!("the join gave no credential: {joined}"))
}

/// Creates the sessions and joins their participants; per session, its credentials
/// (the creator's first).
async fn set_up(plan: &Plan) -> anyhow::Result<Vec<(Created, Vec<String>)>> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let created: Vec<Created> = stream::iter(0..plan.sessions)
        .map(|index| create_session(&client, &plan.target, index))
        .buffered(SETUP_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let wanted = |session: u32| match plan.idle {
        Some(idle) => (idle - session * plan.participants).min(plan.participants),
        None => plan.participants,
    };
    let joins: Vec<(usize, u32)> =
        (0..plan.sessions).flat_map(|s| (1..wanted(s)).map(move |p| (s as usize, p))).collect();
    let joined: Vec<(usize, String)> = stream::iter(joins)
        .map(|(session, index)| {
            let (client, created) = (&client, &created);
            async move {
                let credential = join(client, &plan.target, &created[session], format!("P{index}")).await?;
                anyhow::Ok((session, credential))
            }
        })
        .buffer_unordered(SETUP_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let mut credentials: Vec<Vec<String>> = created.iter().map(|c| vec![c.creator.clone()]).collect();
    for (session, credential) in joined {
        credentials[session].push(credential);
    }
    Ok(created.into_iter().zip(credentials).collect())
}

// ---- WebSocket ----------------------------------------------------------------------

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The frames the generator reads; everything else in them is skipped.
#[derive(Deserialize)]
struct Incoming<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default)]
    client_op_id: Option<&'a str>,
    #[serde(default)]
    code: Option<&'a str>,
    #[serde(default)]
    event: Option<IncomingEvent<'a>>,
    #[serde(default)]
    you: Option<IncomingYou>,
}

#[derive(Deserialize)]
struct IncomingEvent<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(default)]
    sticky_id: Option<u64>,
    #[serde(default)]
    x: Option<i32>,
    #[serde(default)]
    y: Option<i32>,
    #[serde(default)]
    sticky: Option<IncomingSticky>,
}

#[derive(Deserialize)]
struct IncomingSticky {
    id: u64,
    author_id: u64,
}

#[derive(Deserialize)]
struct IncomingYou {
    id: u64,
}

/// Opens the room as `credential`, says hello and reads the welcome: its seq and who we are.
async fn open_live(target: &Target, session: &str, credential: &str) -> anyhow::Result<(Ws, u64, u64)> {
    let mut request = format!("{}/api/sessions/{session}/live", target.ws).into_client_request()?;
    request.headers_mut().insert("authorization", HeaderValue::from_str(&format!("Bearer {credential}"))?);
    // Small buffers: ten thousand connections live in this process too.
    let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
    let (mut ws, _) =
        timeout(Duration::from_secs(10), tokio_tungstenite::connect_async_with_config(request, Some(config), true))
            .await
            .map_err(|_| anyhow!("no WebSocket upgrade within 10 s"))?
            .context("the WebSocket upgrade")?;
    ws.send(Message::Text(r#"{"type":"hello","protocol":1}"#.into())).await.context("sending hello")?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let message =
            timeout(deadline - Instant::now(), ws.next()).await.map_err(|_| anyhow!("no welcome within 10 s"))?;
        match message {
            Some(Ok(Message::Text(text))) => {
                let frame: Incoming = serde_json::from_str(&text).with_context(|| format!("not a frame: {text}"))?;
                match (frame.kind, frame.seq, frame.you) {
                    ("welcome", Some(seq), Some(you)) => return Ok((ws, seq, you.id)),
                    ("presence", ..) => {}
                    _ => bail!("expected a welcome, got {text}"),
                }
            }
            Some(Ok(Message::Close(frame))) => bail!("closed before the welcome: {frame:?}"),
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(error).context("reading the welcome"),
            None => bail!("closed before the welcome"),
        }
    }
}

// ---- The load run -------------------------------------------------------------------

/// When sending starts, when the measured window opens and closes.
#[derive(Clone, Copy)]
struct Timeline {
    start: Instant,
    window_start: Instant,
    window_end: Instant,
}

impl Timeline {
    fn in_window(&self, at: Instant) -> bool {
        at >= self.window_start && at < self.window_end
    }
}

/// A move on its way: when it was sent, whether it counts, and how many of the other
/// participants still have to see it.
struct Sent {
    at: Instant,
    in_window: bool,
    remaining: u32,
}

/// Moves under way in one session, keyed by (sticky, x, y).
type SentMoves = Mutex<HashMap<MoveKey, Sent>>;

/// Counts the coordinator watches to know when the stragglers are in.
#[derive(Default)]
struct Progress {
    /// Ops sent and not yet acked or rejected.
    pending: AtomicI64,
    acked_in_window: AtomicU64,
    delivered_in_window: AtomicU64,
}

#[derive(Default)]
struct Stats {
    sent_in_window: u64,
    acked_in_window: u64,
    rejects: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
    delivered_in_window: u64,
    latencies_us: Vec<u32>,
    ack_latencies_us: Vec<u32>,
    seq_gaps: u64,
    duplicated: u64,
    out_of_order: u64,
    unmatched: u64,
    closed: Option<String>,
}

/// One participant's connection during the run.
struct Participant {
    moves: Arc<SentMoves>,
    progress: Arc<Progress>,
    others: u32,
    index: u32,
    me: u64,
    sticky: Option<u64>,
    last_seq: u64,
    /// Ops sent and not yet answered, by op number.
    pending: HashMap<u64, Pending>,
    timeline: Option<Timeline>,
    stats: Stats,
}

/// An op sent and not yet answered: when, whether it counts, and the key of its move.
type Pending = (Instant, bool, Option<MoveKey>);
/// A move as every receiver sees it: (sticky, x, y).
type MoveKey = (u64, i32, i32);

const CREATE_OP: u64 = u64::MAX;

impl Participant {
    fn on_frame(&mut self, text: &str) {
        let now = Instant::now();
        let Ok(frame) = serde_json::from_str::<Incoming>(text) else {
            *self.stats.errors.entry("unreadable_frame".into()).or_default() += 1;
            return;
        };
        match frame.kind {
            "event" => self.on_event(frame, now),
            "ack" | "reject" => {
                let number = match frame.client_op_id {
                    Some("create") => CREATE_OP,
                    Some(id) => id.strip_prefix('m').and_then(|n| n.parse().ok()).unwrap_or(CREATE_OP - 1),
                    None => CREATE_OP - 1,
                };
                let Some((at, in_window, key)) = self.pending.remove(&number) else {
                    *self.stats.errors.entry("unknown_answer".into()).or_default() += 1;
                    return;
                };
                self.progress.pending.fetch_sub(1, Ordering::Relaxed);
                if frame.kind == "ack" {
                    if in_window {
                        self.stats.acked_in_window += 1;
                        self.stats.ack_latencies_us.push(micros(now - at));
                        self.progress.acked_in_window.fetch_add(1, Ordering::Relaxed);
                    }
                } else {
                    if let Some(key) = key {
                        self.moves.lock().unwrap_or_else(|p| p.into_inner()).remove(&key);
                    }
                    if in_window || number == CREATE_OP {
                        *self.stats.rejects.entry(frame.code.unwrap_or("?").to_owned()).or_default() += 1;
                    }
                }
            }
            "error" => *self.stats.errors.entry(frame.code.unwrap_or("?").to_owned()).or_default() += 1,
            _ => {}
        }
    }

    fn on_event(&mut self, frame: Incoming, now: Instant) {
        let Some(seq) = frame.seq else { return };
        if seq == self.last_seq {
            self.stats.duplicated += 1;
            return;
        }
        if seq < self.last_seq {
            self.stats.out_of_order += 1;
            return;
        }
        self.stats.seq_gaps += seq - self.last_seq - 1;
        self.last_seq = seq;
        let Some(event) = frame.event else { return };
        match (event.kind, event.sticky_id, event.x, event.y, event.sticky) {
            ("sticky_created", _, _, _, Some(sticky)) if sticky.author_id == self.me => self.sticky = Some(sticky.id),
            ("sticky_moved", Some(sticky), Some(x), Some(y), _) if Some(sticky) != self.sticky => {
                let mut moves = self.moves.lock().unwrap_or_else(|p| p.into_inner());
                let Some(sent) = moves.get_mut(&(sticky, x, y)) else {
                    self.stats.unmatched += 1;
                    return;
                };
                let (at, in_window) = (sent.at, sent.in_window);
                sent.remaining = sent.remaining.saturating_sub(1);
                if sent.remaining == 0 {
                    moves.remove(&(sticky, x, y));
                }
                drop(moves);
                if in_window {
                    self.stats.delivered_in_window += 1;
                    self.stats.latencies_us.push(micros(now - at));
                    self.progress.delivered_in_window.fetch_add(1, Ordering::Relaxed);
                }
            }
            _ => {}
        }
    }

    /// The text of move number `n`, remembered as sent now.
    fn next_move(&mut self, n: u64) -> String {
        let sticky = self.sticky.unwrap_or_default();
        let x = (n % X_SPAN) as i32 - 20_000;
        let y = self.index as i32;
        let now = Instant::now();
        let in_window = self.timeline.is_some_and(|t| t.in_window(now));
        let key = (sticky, x, y);
        self.moves
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, Sent { at: now, in_window, remaining: self.others });
        self.pending.insert(n, (now, in_window, Some(key)));
        self.progress.pending.fetch_add(1, Ordering::Relaxed);
        if in_window {
            self.stats.sent_in_window += 1;
        }
        format!(
            r#"{{"type":"op","client_op_id":"m{n}","op":{{"type":"move_sticky","sticky_id":{sticky},"x":{x},"y":{y}}}}}"#
        )
    }

    fn forget_pending(&mut self) {
        self.progress.pending.fetch_sub(self.pending.len() as i64, Ordering::Relaxed);
        self.pending.clear();
    }
}

fn micros(duration: Duration) -> u32 {
    u32::try_from(duration.as_micros()).unwrap_or(u32::MAX)
}

/// A small xorshift for the phases: no need for a random crate.
fn random_unit(seed: u64) -> f64 {
    let mut x = seed ^ 0x9E37_79B9_7F4A_7C15;
    for _ in 0..4 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    (x >> 11) as f64 / (1u64 << 53) as f64
}

struct Signals {
    timeline: watch::Receiver<Option<Timeline>>,
    stop: watch::Receiver<bool>,
    ready: mpsc::UnboundedSender<anyhow::Result<()>>,
}

#[allow(clippy::too_many_arguments)]
async fn participant(
    plan: Arc<PlanShared>,
    session: Arc<(String, u64, Arc<SentMoves>)>,
    credential: String,
    index: u32,
    seed: u64,
    connecting: Arc<Semaphore>,
    progress: Arc<Progress>,
    mut signals: Signals,
) -> Stats {
    let (id, part_id, moves) = (&session.0, session.1, session.2.clone());
    let opened = {
        let _permit = connecting.acquire().await;
        open_live(&plan.target, id, &credential).await
    };
    let (ws, seq, me) = match opened {
        Ok(opened) => opened,
        Err(error) => {
            let _ = signals.ready.send(Err(error.context(format!("connection {index} of session {id}"))));
            return Stats::default();
        }
    };
    let (mut sink, mut stream): (SplitSink<Ws, Message>, SplitStream<Ws>) = ws.split();
    let mut me = Participant {
        moves,
        progress,
        others: plan.participants - 1,
        index,
        me,
        sticky: None,
        last_seq: seq,
        pending: HashMap::new(),
        timeline: None,
        stats: Stats::default(),
    };
    let create = format!(
        r#"{{"type":"op","client_op_id":"create","op":{{"type":"create_sticky","part_id":{part_id},"text":"P{index}","x":0,"y":{index}}}}}"#
    );
    me.pending.insert(CREATE_OP, (Instant::now(), false, None));
    me.progress.pending.fetch_add(1, Ordering::Relaxed);
    if let Err(error) = sink.send(Message::Text(create.into())).await {
        let _ = signals.ready.send(Err(anyhow!("connection {index} of session {id}: {error}")));
        return me.stats;
    }
    let interval = Duration::from_secs_f64(1.0 / plan.rate);
    let phase = interval.mul_f64(random_unit(seed));
    let mut announced = false;
    let mut next: Option<(u64, Instant)> = None;
    let far = Instant::now() + Duration::from_secs(365 * 24 * 3600);
    loop {
        if !announced && me.sticky.is_some() {
            announced = true;
            let _ = signals.ready.send(Ok(()));
        }
        let send_at = next.map_or(far, |(_, at)| at);
        tokio::select! {
            message = stream.next() => match message {
                Some(Ok(Message::Text(text))) => me.on_frame(text.as_str()),
                Some(Ok(Message::Close(frame))) => {
                    me.stats.closed = Some(frame.map_or_else(|| "closed".to_owned(), |f| format!("{} {}", u16::from(f.code), f.reason)));
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    me.stats.closed = Some(error.to_string());
                    break;
                }
                None => {
                    me.stats.closed = Some("closed".to_owned());
                    break;
                }
            },
            () = sleep_until(send_at), if next.is_some() => {
                let Some((n, _)) = next else { continue };
                let text = me.next_move(n);
                if let Err(error) = sink.send(Message::Text(text.into())).await {
                    me.stats.closed = Some(error.to_string());
                    break;
                }
                let timeline = me.timeline.unwrap_or(Timeline { start: far, window_start: far, window_end: far });
                let at = timeline.start + phase + interval.mul_f64((n + 1) as f64);
                next = (at < timeline.window_end).then_some((n + 1, at));
            }
            changed = signals.timeline.changed(), if me.timeline.is_none() => {
                if changed.is_err() {
                    break;
                }
                let timeline = *signals.timeline.borrow_and_update();
                if let Some(timeline) = timeline {
                    me.timeline = Some(timeline);
                    next = Some((0, timeline.start + phase));
                }
            }
            _ = signals.stop.changed() => break,
        }
    }
    if !announced {
        let reason = me.stats.closed.clone().unwrap_or_else(|| "stopped".into());
        let _ = signals.ready.send(Err(anyhow!("connection {index} of session {id} did not get its sticky: {reason}")));
    }
    me.forget_pending();
    if me.stats.closed.is_none() {
        let _ = timeout(Duration::from_millis(500), sink.send(Message::Close(None))).await;
    }
    me.stats
}

/// What every participant task shares of the plan.
struct PlanShared {
    target: Target,
    participants: u32,
    rate: f64,
}

fn percentile_ms(sorted: &[u32], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(f64::from(sorted[rank - 1]) / 1000.0)
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.3} ms"))
}

async fn run_load(plan: &Plan) -> anyhow::Result<()> {
    let ticks = clock_ticks_per_second();
    let rss_before = plan.server.as_ref().and_then(Server::rss_kb);
    let workload = format!("{}x{} @{}ops/s", plan.sessions, plan.participants, plan.rate);
    eprintln!("load: {workload}: creating {} sessions and joining participants…", plan.sessions);
    let setup_deadline = Instant::now() + plan.setup_limit();
    let sessions =
        timeout(plan.setup_limit(), set_up(plan)).await.map_err(|_| anyhow!("the set-up took too long"))??;

    let shared = Arc::new(PlanShared { target: plan.target.clone(), participants: plan.participants, rate: plan.rate });
    let progress = Arc::new(Progress::default());
    let connecting = Arc::new(Semaphore::new(SETUP_CONCURRENCY));
    let (timeline_tx, timeline_rx) = watch::channel(None::<Timeline>);
    let (stop_tx, stop_rx) = watch::channel(false);
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    for (number, (created, credentials)) in sessions.into_iter().enumerate() {
        let session = Arc::new((created.id, created.part_id, Arc::new(SentMoves::default())));
        for (index, credential) in credentials.into_iter().enumerate() {
            let signals = Signals { timeline: timeline_rx.clone(), stop: stop_rx.clone(), ready: ready_tx.clone() };
            let seed = (number as u64) << 32 | index as u64;
            tasks.push(tokio::spawn(participant(
                shared.clone(),
                session.clone(),
                credential,
                index as u32,
                seed,
                connecting.clone(),
                progress.clone(),
                signals,
            )));
        }
    }
    drop(ready_tx);
    eprintln!("load: opening {} connections…", tasks.len());
    let mut ready = 0;
    let mut failure = None;
    while ready < tasks.len() {
        match timeout(setup_deadline.saturating_duration_since(Instant::now()), ready_rx.recv()).await {
            Ok(Some(Ok(()))) => ready += 1,
            Ok(Some(Err(error))) => {
                failure = Some(error);
                break;
            }
            Ok(None) => break,
            Err(_) => {
                failure = Some(anyhow!("only {ready} of {} connections were ready in time", tasks.len()));
                break;
            }
        }
    }
    if failure.is_some() || ready < tasks.len() {
        let _ = stop_tx.send(true);
        for task in tasks {
            let _ = timeout(Duration::from_secs(2), task).await;
        }
        return Err(failure.unwrap_or_else(|| anyhow!("only {ready} connections were ready")));
    }

    let start = Instant::now() + Duration::from_millis(100);
    let timeline =
        Timeline { start, window_start: start + plan.warmup, window_end: start + plan.warmup + plan.duration };
    let _ = timeline_tx.send(Some(timeline));
    eprintln!(
        "load: {ready} connections ready; warming up {:.1} s, then measuring {:.1} s",
        plan.warmup.as_secs_f64(),
        plan.duration.as_secs_f64()
    );
    sleep_until(timeline.window_start).await;
    let cpu_start = plan.server.as_ref().and_then(Server::cpu);
    let own_start = Cpu::of("/proc/self/stat", ticks);
    let machine_start = Cpu::machine(ticks);
    let rss_window_start = plan.server.as_ref().and_then(Server::rss_kb);
    sleep_until(timeline.window_end).await;
    let cpu_end = plan.server.as_ref().and_then(Server::cpu);
    let own_end = Cpu::of("/proc/self/stat", ticks);
    let machine_end = Cpu::machine(ticks);
    let rss_after = plan.server.as_ref().and_then(Server::rss_kb);

    // The answers and deliveries of the last ops are still under way.
    let others = u64::from(plan.participants - 1);
    let drain_end = Instant::now() + DRAIN;
    while Instant::now() < drain_end {
        let settled = progress.pending.load(Ordering::Relaxed) <= 0
            && progress.delivered_in_window.load(Ordering::Relaxed)
                >= progress.acked_in_window.load(Ordering::Relaxed) * others;
        if settled {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _ = stop_tx.send(true);
    let mut all = Stats::default();
    let mut disconnects = Vec::new();
    for task in tasks {
        let Ok(Ok(stats)) = timeout(Duration::from_secs(3), task).await else {
            disconnects.push("did not stop".to_owned());
            continue;
        };
        all.sent_in_window += stats.sent_in_window;
        all.acked_in_window += stats.acked_in_window;
        all.delivered_in_window += stats.delivered_in_window;
        all.seq_gaps += stats.seq_gaps;
        all.duplicated += stats.duplicated;
        all.out_of_order += stats.out_of_order;
        all.unmatched += stats.unmatched;
        all.latencies_us.extend(stats.latencies_us);
        all.ack_latencies_us.extend(stats.ack_latencies_us);
        for (code, count) in stats.rejects {
            *all.rejects.entry(code).or_default() += count;
        }
        for (code, count) in stats.errors {
            *all.errors.entry(code).or_default() += count;
        }
        if let Some(closed) = stats.closed {
            disconnects.push(closed);
        }
    }
    all.latencies_us.sort_unstable();
    all.ack_latencies_us.sort_unstable();

    let seconds = plan.duration.as_secs_f64();
    let expected = all.acked_in_window * others;
    let missing = expected.saturating_sub(all.delivered_in_window);
    let lost = missing.max(all.seq_gaps);
    let ops_per_s = all.acked_in_window as f64 / seconds;
    let deliveries_per_s = all.delivered_in_window as f64 / seconds;
    let latency = |q| percentile_ms(&all.latencies_us, q);
    let ack = |q| percentile_ms(&all.ack_latencies_us, q);
    let max_ms = all.latencies_us.last().map(|v| f64::from(*v) / 1000.0);
    let server_split = cpu_start.zip(cpu_end).map(|(a, b)| b.since(a));
    let server_cpu = server_split.map(Cpu::total);
    let own_cpu = own_start.zip(own_end).map(|(a, b)| b.since(a).total());
    let machine_cpu = machine_start.zip(machine_end).map(|(a, b)| b.since(a).total());
    // What neither the server nor the generator used: other programs on the machine.
    let other_cpu = machine_cpu.zip(own_cpu).map(|(m, o)| m - o - server_cpu.unwrap_or(0.0));
    let cpu_per_delivery =
        server_cpu.filter(|_| all.delivered_in_window > 0).map(|cpu| cpu * 1e6 / all.delivered_in_window as f64);

    println!(
        "workload: {} session(s) × {} participants, {} ops/s each; {:.1} s warm-up, {:.1} s measured",
        plan.sessions,
        plan.participants,
        plan.rate,
        plan.warmup.as_secs_f64(),
        seconds
    );
    println!(
        "ops:        {} sent, {} acked in the window ({ops_per_s:.1}/s); rejects: {}",
        all.sent_in_window,
        all.acked_in_window,
        if all.rejects.is_empty() { "none".to_owned() } else { format!("{:?}", all.rejects) }
    );
    println!("deliveries: {} of {expected} expected ({deliveries_per_s:.1}/s)", all.delivered_in_window);
    println!(
        "latency (send → seen by another participant): p50 {}, p95 {}, p99 {}, max {}",
        ms(latency(0.50)),
        ms(latency(0.95)),
        ms(latency(0.99)),
        ms(max_ms)
    );
    println!(
        "ack latency (send → ack, durably committed): p50 {}, p99 {}, max {}",
        ms(ack(0.50)),
        ms(ack(0.99)),
        ms(all.ack_latencies_us.last().map(|v| f64::from(*v) / 1000.0))
    );
    println!(
        "lost: {lost} (missing deliveries {missing}, seq gaps {}); duplicated: {}; out of order: {}; unmatched moves: {}; disconnects: {}",
        all.seq_gaps,
        all.duplicated,
        all.out_of_order,
        all.unmatched,
        disconnects.len()
    );
    if !all.errors.is_empty() {
        println!("errors: {:?}", all.errors);
    }
    if let Some(first) = disconnects.first() {
        println!("first disconnect: {first}");
    }
    if let Some(server) = &plan.server {
        println!(
            "server (pid {}): CPU {} over the window ({}), {} per delivery; RSS {} before, {} at the window's start, {} after",
            server.pid,
            server_split.map_or_else(
                || "-".into(),
                |s| format!("{:.2} s ({:.2} user + {:.2} kernel)", s.total(), s.user, s.system)
            ),
            server_cpu.map_or_else(|| "-".into(), |s| format!("{:.1}% of one core", s * 100.0 / seconds)),
            cpu_per_delivery.map_or_else(|| "-".into(), |us| format!("{us:.2} µs")),
            kb(rss_before),
            kb(rss_window_start),
            kb(rss_after)
        );
    }
    println!(
        "load generator: CPU {} over the window (it shares the machine with the server); other programs: {}",
        own_cpu.map_or_else(|| "-".into(), |s| format!("{s:.2} s")),
        other_cpu.map_or_else(|| "-".into(), |s| format!("{s:.2} s"))
    );
    let summary = json!({
        "workload": workload,
        "sessions": plan.sessions,
        "participants": plan.participants,
        "rate": plan.rate,
        "duration_s": seconds,
        "ops_sent": all.sent_in_window,
        "ops_acked": all.acked_in_window,
        "ops_per_s": round3(ops_per_s),
        "deliveries": all.delivered_in_window,
        "deliveries_expected": expected,
        "deliveries_per_s": round3(deliveries_per_s),
        "p50_ms": latency(0.50),
        "p95_ms": latency(0.95),
        "p99_ms": latency(0.99),
        "max_ms": max_ms,
        "ack_p50_ms": ack(0.50),
        "ack_p99_ms": ack(0.99),
        "lost": lost,
        "missing_deliveries": missing,
        "seq_gaps": all.seq_gaps,
        "duplicated": all.duplicated,
        "out_of_order": all.out_of_order,
        "unmatched": all.unmatched,
        "disconnects": disconnects.len(),
        "rejects": all.rejects,
        "errors": all.errors,
        "server_cpu_s": server_cpu.map(round3),
        "server_user_s": server_split.map(|s| round3(s.user)),
        "server_kernel_s": server_split.map(|s| round3(s.system)),
        "cpu_us_per_delivery": cpu_per_delivery.map(round3),
        "client_cpu_s": own_cpu.map(round3),
        "other_cpu_s": other_cpu.map(round3),
        "rss_kb_before": rss_before,
        "rss_kb_window_start": rss_window_start,
        "rss_kb_after": rss_after,
    });
    println!("{summary}");
    Ok(())
}

fn kb(value: Option<u64>) -> String {
    value.map_or_else(|| "-".into(), |kb| format!("{:.1} MB", kb as f64 / 1024.0))
}

// ---- The idle run -------------------------------------------------------------------

async fn idle_connection(
    target: Target,
    session: String,
    credential: String,
    connecting: Arc<Semaphore>,
    ready: mpsc::UnboundedSender<anyhow::Result<()>>,
    mut stop: watch::Receiver<bool>,
) -> Option<String> {
    let opened = {
        let _permit = connecting.acquire().await;
        open_live(&target, &session, &credential).await
    };
    let mut ws = match opened {
        Ok((ws, _, _)) => ws,
        Err(error) => {
            let _ = ready.send(Err(error));
            return None;
        }
    };
    let _ = ready.send(Ok(()));
    drop(ready);
    let closed = loop {
        tokio::select! {
            message = ws.next() => match message {
                Some(Ok(Message::Close(frame))) => break Some(format!("{frame:?}")),
                Some(Ok(_)) => {}
                Some(Err(error)) => break Some(error.to_string()),
                None => break Some("closed".to_owned()),
            },
            _ = stop.changed() => break None,
        }
    };
    if closed.is_none() {
        let _ = timeout(Duration::from_millis(500), ws.close(None)).await;
    }
    closed
}

async fn run_idle(plan: &Plan, connections: u32) -> anyhow::Result<()> {
    let workload = format!("idle {connections}");
    eprintln!(
        "load: {workload}: {} sessions with up to {} connections each; joining participants…",
        plan.sessions, plan.participants
    );
    let setup_deadline = Instant::now() + plan.setup_limit();
    let sessions =
        timeout(plan.setup_limit(), set_up(plan)).await.map_err(|_| anyhow!("the set-up took too long"))??;
    // The set-up's HTTP connections are closed now; let the server settle.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = plan.server.as_ref().and_then(Server::rss_kb);
    let connecting = Arc::new(Semaphore::new(SETUP_CONCURRENCY));
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    for (created, credentials) in sessions {
        for credential in credentials {
            tasks.push(tokio::spawn(idle_connection(
                plan.target.clone(),
                created.id.clone(),
                credential,
                connecting.clone(),
                ready_tx.clone(),
                stop_rx.clone(),
            )));
        }
    }
    drop(ready_tx);
    eprintln!("load: opening {} connections…", tasks.len());
    let mut ready = 0usize;
    let mut failure = None;
    while ready < tasks.len() {
        match timeout(setup_deadline.saturating_duration_since(Instant::now()), ready_rx.recv()).await {
            Ok(Some(Ok(()))) => ready += 1,
            Ok(Some(Err(error))) => {
                failure = Some(error);
                break;
            }
            Ok(None) => break,
            Err(_) => break,
        }
    }
    if ready < tasks.len() {
        let _ = stop_tx.send(true);
        for task in tasks {
            let _ = timeout(Duration::from_secs(2), task).await;
        }
        let error = failure.unwrap_or_else(|| anyhow!("no reason given"));
        return Err(error.context(format!("only {ready} of {connections} connections opened")));
    }
    let rss_connected = plan.server.as_ref().and_then(Server::rss_kb);
    eprintln!("load: {ready} connections open; sitting idle for {:.1} s", plan.duration.as_secs_f64());
    tokio::time::sleep(plan.duration).await;
    let rss_after = plan.server.as_ref().and_then(Server::rss_kb);
    let _ = stop_tx.send(true);
    let mut disconnects = 0;
    for task in tasks {
        if !matches!(timeout(Duration::from_secs(3), task).await, Ok(Ok(None))) {
            disconnects += 1;
        }
    }
    let per_connection = rss_before.zip(rss_after).map(|(a, b)| (b as f64 - a as f64) / f64::from(connections));
    println!(
        "workload: {connections} idle connections over {} sessions ({} per session), idle {:.1} s",
        plan.sessions,
        plan.participants,
        plan.duration.as_secs_f64()
    );
    println!(
        "server RSS: {} before connecting, {} once connected, {} after idling; {} per connection; disconnects: {disconnects}",
        kb(rss_before),
        kb(rss_connected),
        kb(rss_after),
        per_connection.map_or_else(|| "-".into(), |kb| format!("{kb:.2} KB"))
    );
    let summary = json!({
        "workload": workload,
        "sessions": plan.sessions,
        "participants": plan.participants,
        "connections": connections,
        "ops_per_s": null,
        "deliveries_per_s": null,
        "p50_ms": null,
        "p95_ms": null,
        "p99_ms": null,
        "max_ms": null,
        "lost": null,
        "duplicated": null,
        "out_of_order": null,
        "disconnects": disconnects,
        "server_cpu_s": null,
        "cpu_us_per_delivery": null,
        "rss_kb_before": rss_before,
        "rss_kb_connected": rss_connected,
        "rss_kb_after": rss_after,
        "rss_kb_per_connection": per_connection.map(round3),
    });
    println!("{summary}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_are_accepted() {
        assert_eq!(parse_target("http://127.0.0.1:8080/").map(|t| t.ws).as_deref(), Ok("ws://127.0.0.1:8080"));
        assert!(parse_target("http://localhost:9").is_ok());
        assert!(parse_target("http://[::1]:9").is_ok());
        assert!(parse_target("http://192.0.2.1:80").is_err());
        assert!(parse_target("https://127.0.0.1:80").is_err());
        assert!(parse_target("http://127.0.0.1:80/api").is_err());
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<u32> = (1..=100).map(|v| v * 1000).collect();
        assert_eq!(percentile_ms(&values, 0.5), Some(50.0));
        assert_eq!(percentile_ms(&values, 0.99), Some(99.0));
        assert_eq!(percentile_ms(&values, 1.0), Some(100.0));
        assert_eq!(percentile_ms(&[], 0.5), None);
    }

    #[test]
    fn cpu_times_are_read_after_the_command_name() {
        assert!(Cpu::of("/proc/self/stat", 100.0).is_some_and(|cpu| cpu.total() >= 0.0));
        assert!(Cpu::machine(100.0).is_some_and(|cpu| cpu.total() > 0.0));
        let phases: Vec<f64> = (0..1000).map(random_unit).collect();
        assert!(phases.iter().all(|p| (0.0..1.0).contains(p)));
        assert!(phases.iter().sum::<f64>() / 1000.0 > 0.4);
    }
}
