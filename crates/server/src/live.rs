//! The WebSocket endpoint of the live room: checks access before the upgrade, then
//! turns frames into commands for the room and the room's frames into messages.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use heisessie_domain::Lang;
use heisessie_domain::planner::PartId;
use heisessie_domain::session::Actor;
use heisessie_store::{Origin, SessionId};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::AppState;
use crate::access::Caller;
use crate::api::parse_session_id;
use crate::error::{ApiError, request_lang};
use crate::protocol::{self, ClientMessage, ServerMessage, WireOp, close};
use crate::rooms::{Connection, Frame, OpReply, OpRequest};

/// Limits of the live connections, set by the operator.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// The largest message a client may send.
    pub max_message_bytes: usize,
    /// WebSocket read buffer per connection. Small on purpose: tungstenite's 128 KiB
    /// default costs gigabytes at ten thousand participants.
    pub read_buffer_bytes: usize,
    /// Ops a connection may send per second, sustained, and in a burst.
    pub ops_per_second: f64,
    pub ops_burst: f64,
    /// Open connections per client address.
    pub max_connections_per_address: usize,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            max_message_bytes: 64 * 1024,
            read_buffer_bytes: 4 * 1024,
            ops_per_second: 20.0,
            ops_burst: 40.0,
            max_connections_per_address: 100,
        }
    }
}

/// Counts open connections per address.
#[derive(Default)]
pub struct AddressCounts {
    counts: Mutex<HashMap<IpAddr, usize>>,
}

pub struct AddressSlot {
    counts: Arc<AddressCounts>,
    address: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = counts.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.address);
            }
        }
    }
}

fn admit(counts: &Arc<AddressCounts>, address: IpAddr, limit: usize) -> Result<AddressSlot, ApiError> {
    let mut map = counts.counts.lock().unwrap_or_else(|p| p.into_inner());
    let count = map.entry(address).or_default();
    if *count >= limit {
        return Err(ApiError::TooManyConnections);
    }
    *count += 1;
    Ok(AddressSlot { counts: counts.clone(), address })
}

/// A browser always sends `Origin` with a WebSocket; it must be this server's own, so
/// that another site cannot open the room with a participant's cookie. Programs that
/// send no `Origin` (the load generator) carry their credential explicitly.
fn origin_allowed(headers: &HeaderMap, public_url: &str) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin.eq_ignore_ascii_case(public_url) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    origin.split_once("://").is_some_and(|(scheme, rest)| matches!(scheme, "http" | "https") && rest == host)
}

pub async fn live(
    State(app): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let id = parse_session_id(&id)?;
    if !origin_allowed(&headers, &app.public_url) {
        return Err(ApiError::ForeignOrigin);
    }
    let caller = app.authenticate(id, &headers).await?;
    let slot = admit(&app.address_counts, address.ip(), app.live.max_connections_per_address)?;
    let lang = request_lang(&headers, uri.query());
    let config = &app.live;
    Ok(upgrade
        .read_buffer_size(config.read_buffer_bytes)
        .write_buffer_size(0)
        .max_message_size(config.max_message_bytes)
        .max_frame_size(config.max_message_bytes)
        .on_upgrade(move |socket| async move {
            Live { app, id, caller, lang, bucket: TokenBucket::new(0.0, 0.0), conn: None }.run(socket).await;
            drop(slot);
        }))
}

/// Ops per second, refilled continuously.
struct TokenBucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    last: Instant,
}

impl TokenBucket {
    fn new(rate: f64, burst: f64) -> Self {
        TokenBucket { tokens: burst, rate, burst, last: Instant::now() }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// What the reading side asks the writing side to send besides the room's frames.
enum Control {
    Frame(String),
    Close(u16, &'static str),
}

struct Live {
    app: AppState,
    id: SessionId,
    caller: Caller,
    lang: Lang,
    bucket: TokenBucket,
    conn: Option<u64>,
}

fn op_hash(op: &Value) -> i64 {
    // serde_json keeps object keys sorted, so equal ops give equal text.
    let digest = Sha256::digest(op.to_string().as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

impl Live {
    async fn run(mut self, socket: WebSocket) {
        self.bucket = TokenBucket::new(self.app.live.ops_per_second, self.app.live.ops_burst);
        let (mut sink, mut stream) = socket.split();
        let (control_tx, mut control_rx) = mpsc::unbounded_channel::<Control>();
        let (queue_tx, mut queue_rx) = mpsc::channel::<Frame>(self.app.rooms.config().connection_queue);
        let mut queue_tx = Some(queue_tx);
        let writer = tokio::spawn(async move {
            loop {
                let message = tokio::select! {
                    // Direct answers and closes first: a refused hello must close with its
                    // own reason, not the "resync" of the queue the room let go.
                    biased;
                    control = control_rx.recv() => match control {
                        Some(Control::Frame(text)) => Message::Text(text.into()),
                        Some(Control::Close(code, reason)) => close_message(code, reason),
                        None => break,
                    },
                    frame = queue_rx.recv() => match frame {
                        Some(frame) => Message::Text(frame),
                        // The room let go of us: too slow. The client resumes from its last seq.
                        None => close_message(close::RESYNC, "resync"),
                    },
                };
                let closing = matches!(message, Message::Close(_));
                if sink.send(message).await.is_err() || closing {
                    break;
                }
            }
        });
        let mut shutdown = self.app.shutdown.subscribe();
        let mut writer = writer;
        let mut writer_done = false;
        loop {
            tokio::select! {
                message = stream.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(reply) = self.on_text(text.as_str(), &mut queue_tx).await {
                            let stop = matches!(reply, Control::Close(..));
                            let _ = control_tx.send(reply);
                            if stop {
                                break;
                            }
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        let _ = control_tx.send(self.error("binary_not_supported"));
                    }
                    Some(Ok(Message::Close(_))) | None => break,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Err(_)) => {
                        // Too large or not a WebSocket frame: the stream cannot go on.
                        let _ = control_tx.send(Control::Close(close::POLICY, "message_too_large_or_malformed"));
                        break;
                    }
                },
                _ = shutdown.changed() => {
                    let _ = control_tx.send(Control::Close(close::GOING_AWAY, "server_shutting_down"));
                    break;
                }
                _ = &mut writer => {
                    writer_done = true;
                    break;
                }
            }
        }
        if let Some(conn) = self.conn {
            self.app.rooms.disconnect(self.id, conn).await;
        }
        drop(control_tx);
        if !writer_done {
            // Let the writer send what is queued (a close frame, say), but not forever.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), writer).await;
        }
    }

    fn error(&self, code: &'static str) -> Control {
        let message = protocol::message_for(code, self.lang);
        Control::Frame(ServerMessage::Error { code, message }.to_json())
    }

    fn reject(&self, client_op_id: &str, error: &ApiError) -> Control {
        Control::Frame(
            ServerMessage::Reject {
                client_op_id,
                code: error.code(),
                message: error.message(self.lang),
                field: error.field_name(),
            }
            .to_json(),
        )
    }

    /// Handles one text frame; returns what to send back directly, if anything.
    async fn on_text(&mut self, text: &str, queue: &mut Option<mpsc::Sender<Frame>>) -> Option<Control> {
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            return Some(self.error("not_json"));
        };
        match value.get("type").and_then(Value::as_str) {
            Some("hello" | "op" | "presence" | "ping") => {}
            Some(_) => return Some(self.error("unknown_type")),
            None => return Some(self.error("invalid_message")),
        }
        let message = match serde_json::from_value::<ClientMessage>(value) {
            Ok(message) => message,
            Err(_) => return Some(self.error("invalid_message")),
        };
        match (message, self.conn) {
            (ClientMessage::Ping { t }, _) => {
                let pong = ServerMessage::Pong { t, server_time_ms: chrono::Utc::now().timestamp_millis() };
                Some(Control::Frame(pong.to_json()))
            }
            (ClientMessage::Hello { protocol, last_seq }, None) => {
                if protocol != protocol::PROTOCOL_VERSION {
                    return Some(Control::Close(close::PROTOCOL_VERSION, "protocol_version"));
                }
                let queue = queue.take()?;
                let conn = self.app.rooms.next_conn_id();
                let connection = Connection { id: conn, participant: self.caller.participant, lang: self.lang, queue };
                match self.app.rooms.connect(self.id, connection, last_seq).await {
                    Ok(()) => {
                        self.conn = Some(conn);
                        None
                    }
                    Err(ApiError::SessionFull) => Some(Control::Close(close::SESSION_FULL, "session_full")),
                    Err(_) => Some(Control::Close(close::ACCESS_ENDED, "access_ended")),
                }
            }
            (ClientMessage::Hello { .. }, Some(_)) => Some(self.error("already_welcomed")),
            (_, None) => Some(self.error("hello_first")),
            (ClientMessage::Presence { part_id }, Some(conn)) => {
                self.app.rooms.presence(self.id, conn, part_id.map(PartId)).await;
                None
            }
            (ClientMessage::Op { client_op_id, op }, Some(conn)) => {
                let id_ok = (1..=64).contains(&client_op_id.chars().count())
                    && client_op_id.chars().all(|c| c.is_ascii_graphic());
                if !id_ok {
                    return Some(self.error("invalid_op_id"));
                }
                if !self.bucket.take() {
                    return Some(self.reject(&client_op_id, &ApiError::RateLimited));
                }
                let hash = op_hash(&op);
                let wire: WireOp = match serde_path_to_error::deserialize(op) {
                    Ok(wire) => wire,
                    Err(error) => return Some(self.reject(&client_op_id, &ApiError::from_json(error))),
                };
                let op = match wire.into_domain() {
                    Ok(op) => op,
                    Err(error) => return Some(self.reject(&client_op_id, &error)),
                };
                let origin =
                    Origin { participant: self.caller.participant, client_op_id: client_op_id.clone(), op_hash: hash };
                let request = OpRequest {
                    actor: Actor::Participant(self.caller.participant),
                    op,
                    origin: Some(origin),
                    credential: None,
                    reply: OpReply::Live { conn, client_op_id: client_op_id.clone() },
                };
                match self.app.rooms.submit(self.id, request).await {
                    Ok(()) => None,
                    Err(error) => Some(self.reject(&client_op_id, &error)),
                }
            }
        }
    }
}

fn close_message(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
}
