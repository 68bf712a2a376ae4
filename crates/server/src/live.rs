//! The WebSocket endpoint of the live room: checks access before the upgrade, then
//! turns frames into commands for the room and the room's frames into messages.
//!
//! One task per connection reads and writes. It speaks tokio-tungstenite directly
//! (not axum's wrapper) so that it can write large messages itself: tungstenite's write
//! buffer stays as large as the largest frame it ever wrote, and a welcome with a
//! snapshot is ten kilobytes or more — which every idle connection would keep for good.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use heisessie_domain::Lang;
use heisessie_domain::planner::PartId;
use heisessie_domain::session::Actor;
use heisessie_store::{Origin, SessionId};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::oneshot;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};

use crate::AppState;
use crate::access::{Caller, parse_session_id};
use crate::error::{ApiError, request_lang};
use crate::protocol::{self, ClientMessage, ServerMessage, WireOp, close};
use crate::rooms::{Connection, Frame, OpReply, OpRequest, QueueSender, RoomError, connection_queue};

/// Limits of the live connections, set by the operator.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// The largest message a client may send.
    pub max_message_bytes: usize,
    /// WebSocket read buffer per connection. Small on purpose: tungstenite's 128 KiB
    /// default costs gigabytes at ten thousand participants. Clients send small
    /// messages; a larger one takes a few more reads.
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
            read_buffer_bytes: 1024,
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

/// The open WebSockets of each session, with the link each came through, so that
/// rotating a link (or removing a person) can close them at once instead of leaving
/// them to send ops on an access that has ended.
#[derive(Default)]
pub struct LiveRegistry {
    next: std::sync::atomic::AtomicU64,
    sessions: Mutex<HashMap<SessionId, HashMap<u64, Registered>>>,
}

struct Registered {
    caller: Caller,
    end: oneshot::Sender<&'static str>,
}

/// A connection's place in the registry; leaving it when dropped.
pub struct Registration {
    registry: Arc<LiveRegistry>,
    session: SessionId,
    key: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut sessions = self.registry.sessions.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(connections) = sessions.get_mut(&self.session) {
            connections.remove(&self.key);
            if connections.is_empty() {
                sessions.remove(&self.session);
            }
        }
    }
}

impl LiveRegistry {
    fn register(
        self: &Arc<Self>,
        session: SessionId,
        caller: Caller,
    ) -> (Registration, oneshot::Receiver<&'static str>) {
        let (end, ended) = oneshot::channel();
        let key = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.entry(session).or_default().insert(key, Registered { caller, end });
        (Registration { registry: self.clone(), session, key }, ended)
    }

    /// Closes the session's connections of the callers `ends` picks, with close code
    /// 4003 and `reason` (an error code the client shows); returns how many.
    pub fn end_access(&self, session: SessionId, ends: impl Fn(&Caller) -> bool, reason: &'static str) -> usize {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let Some(connections) = sessions.get_mut(&session) else { return 0 };
        let keys: Vec<u64> = connections.iter().filter(|(_, c)| ends(&c.caller)).map(|(key, _)| *key).collect();
        for key in &keys {
            if let Some(connection) = connections.remove(key) {
                let _ = connection.end.send(reason);
            }
        }
        keys.len()
    }

    /// Open connections of a session, for the tests and the logs.
    pub fn open(&self, session: SessionId) -> usize {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner()).get(&session).map_or(0, HashMap::len)
    }
}

/// Text messages larger than this bypass tungstenite's write buffer (see the module's
/// documentation); the buffer then never grows beyond this.
const LARGE_MESSAGE_BYTES: usize = 512;
/// How long a closing connection may take to send its last frame.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

fn header_is(headers: &HeaderMap, name: HeaderName, value: &str) -> bool {
    headers.get(name).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(value.as_bytes()))
}

/// Checks the request is a WebSocket upgrade (as axum's extractor did): the key to
/// answer with and the upgrade to wait for, or the refusal.
fn upgrade_request(parts: &mut Parts) -> Result<(HeaderValue, hyper::upgrade::OnUpgrade), (StatusCode, &'static str)> {
    let refuse = |status: StatusCode, text: &'static str| Err((status, text));
    let connection = parts.headers.get(header::CONNECTION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !connection.to_ascii_lowercase().contains("upgrade") {
        return refuse(StatusCode::BAD_REQUEST, "Connection header did not include 'upgrade'");
    }
    if !header_is(&parts.headers, header::UPGRADE, "websocket") {
        return refuse(StatusCode::BAD_REQUEST, "`Upgrade` header did not include 'websocket'");
    }
    let Some(key) = parts.headers.get(header::SEC_WEBSOCKET_KEY).cloned() else {
        return refuse(StatusCode::BAD_REQUEST, "`Sec-WebSocket-Key` header missing");
    };
    if !header_is(&parts.headers, header::SEC_WEBSOCKET_VERSION, "13") {
        return refuse(StatusCode::BAD_REQUEST, "`Sec-WebSocket-Version` header did not include '13'");
    }
    let Some(on_upgrade) = parts.extensions.remove::<hyper::upgrade::OnUpgrade>() else {
        return refuse(
            StatusCode::UPGRADE_REQUIRED,
            "WebSocket request couldn't be upgraded since no upgrade state was present",
        );
    };
    Ok((key, on_upgrade))
}

pub async fn live(
    State(app): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    request: Request,
) -> Result<Response, ApiError> {
    let (mut parts, _) = request.into_parts();
    let (key, on_upgrade) = match upgrade_request(&mut parts) {
        Ok(upgrade) => upgrade,
        Err(refusal) => return Ok(refusal.into_response()),
    };
    let headers = &parts.headers;
    let id = parse_session_id(&id)?;
    if !crate::origin_allowed(headers, &app.public_url) {
        return Err(ApiError::ForeignOrigin);
    }
    let caller = app.authenticate(id, headers).await?;
    let slot = admit(&app.address_counts, address.ip(), app.live.max_connections_per_address)?;
    let lang = request_lang(headers, parts.uri.query());
    let config = WebSocketConfig::default()
        .read_buffer_size(app.live.read_buffer_bytes)
        .write_buffer_size(0)
        .max_message_size(Some(app.live.max_message_bytes))
        .max_frame_size(Some(app.live.max_message_bytes));
    let bucket = TokenBucket::new(app.live.ops_per_second, app.live.ops_burst);
    let (registration, ended) = app.connections.register(id, caller);
    let presence = PresenceGate { interval: app.limits.presence_interval(), next: Instant::now(), pending: None };
    let live = Box::new(Live { app, id, caller, lang, bucket, presence, conn: None });
    tokio::spawn(connection(live, on_upgrade, config, slot, registration, ended));
    let accept =
        HeaderValue::from_str(&derive_accept_key(key.as_bytes())).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((
        StatusCode::SWITCHING_PROTOCOLS,
        [
            (header::CONNECTION, HeaderValue::from_static("upgrade")),
            (header::UPGRADE, HeaderValue::from_static("websocket")),
            (header::SEC_WEBSOCKET_ACCEPT, accept),
        ],
    )
        .into_response())
}

/// The task of one connection. Its state is what an idle connection costs, so the
/// large parts are boxed or borrowed (the arguments of an async fn take room twice).
async fn connection(
    mut live: Box<Live>,
    on_upgrade: hyper::upgrade::OnUpgrade,
    config: WebSocketConfig,
    slot: AddressSlot,
    registration: Registration,
    ended: oneshot::Receiver<&'static str>,
) {
    let upgraded = match on_upgrade.await {
        Ok(upgraded) => upgraded,
        Err(error) => {
            tracing::debug!(%error, "the WebSocket upgrade failed");
            return;
        }
    };
    let mut socket = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await;
    live.run(&mut socket, ended).await;
    drop(registration);
    drop(slot);
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

/// What to send back directly, besides the room's frames.
enum Control {
    Frame(String),
    Close(u16, &'static str),
}

/// Presence updates, at most one per interval; the newest of those in between waits
/// for the interval to pass (coalesced: the room only ever needs the latest).
struct PresenceGate {
    interval: Duration,
    next: Instant,
    pending: Option<Option<PartId>>,
}

impl PresenceGate {
    /// The update to forward now, if its time has come; else it is kept for later.
    fn offer(&mut self, part: Option<PartId>) -> Option<Option<PartId>> {
        let now = Instant::now();
        if now >= self.next && self.pending.is_none() {
            self.next = now + self.interval;
            return Some(part);
        }
        self.pending = Some(part);
        None
    }

    /// The kept update, once its time has come.
    fn due(&mut self) -> Option<Option<PartId>> {
        let now = Instant::now();
        if now < self.next {
            return None;
        }
        let part = self.pending.take()?;
        self.next = now + self.interval;
        Some(part)
    }
}

struct Live {
    app: AppState,
    id: SessionId,
    caller: Caller,
    lang: Lang,
    bucket: TokenBucket,
    presence: PresenceGate,
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
    async fn run(&mut self, socket: &mut Socket, ended: oneshot::Receiver<&'static str>) {
        let config = self.app.rooms.config();
        let (queue_tx, mut queue_rx) = connection_queue(config.connection_queue, config.connection_queue_bytes);
        let mut queue_tx = Some(queue_tx);
        let mut shutdown = self.app.shutdown.subscribe();
        // One future for the whole connection: a fresh one per message would register
        // with the shutdown signal, shared by every connection, each time.
        let shutting_down = std::pin::pin!(shutdown.changed());
        let mut shutting_down = shutting_down;
        let mut ended = std::pin::pin!(ended);
        // A connection must say hello within the limit, or it is closed: an open socket
        // that never joins the room costs memory and a place among the open connections.
        let hello_by = Instant::now() + self.app.limits.limits.hello_timeout;
        let last: Option<Message> = loop {
            let deadline = match (self.conn, self.presence.pending) {
                (None, _) => Some(hello_by),
                (Some(_), Some(_)) => Some(self.presence.next),
                (Some(_), None) => None,
            };
            // What happens is handled after the select, so that its futures are gone by then:
            // the task of an idle connection stays small.
            let next = tokio::select! {
                message = socket.next() => Next::Incoming(message),
                frame = queue_rx.recv(), if self.conn.is_some() => Next::Outgoing(frame),
                _ = shutting_down.as_mut() => Next::ShuttingDown,
                reason = ended.as_mut() => Next::Ended(reason.unwrap_or("access_ended")),
                () = tokio::time::sleep_until(deadline.unwrap_or(hello_by).into()), if deadline.is_some() => Next::Deadline,
            };
            let sent = match next {
                Next::Incoming(Some(Ok(Message::Text(text)))) => {
                    // Boxed for the same reason: deciding an op takes a large future. (Boxed
                    // in its own statement, or the unboxed temporary counts in our size.)
                    let deciding = Box::pin(self.on_text(text.as_str(), &mut queue_tx));
                    match deciding.await {
                        None => Sent::Done,
                        Some(Control::Frame(text)) => send(socket, Frame::from(text), shutting_down.as_mut()).await,
                        Some(Control::Close(code, reason)) => break Some(close_message(code, reason)),
                    }
                }
                Next::Incoming(Some(Ok(Message::Binary(_)))) => {
                    let text = self.error_text("binary_not_supported");
                    send(socket, Frame::from(text), shutting_down.as_mut()).await
                }
                Next::Incoming(Some(Ok(Message::Close(_))) | None) => {
                    // tungstenite has queued the answer to the client's close.
                    let flushing = Box::pin(tokio::time::timeout(CLOSE_WAIT, socket.flush()));
                    let _ = flushing.await;
                    break None;
                }
                Next::Incoming(Some(Ok(_))) => Sent::Done,
                // Too large or not a WebSocket frame: the stream cannot go on.
                Next::Incoming(Some(Err(_))) => {
                    break Some(close_message(close::POLICY, "message_too_large_or_malformed"));
                }
                Next::Outgoing(Some(frame)) => send(socket, frame, shutting_down.as_mut()).await,
                // The room let go of us: too slow. The client resumes from its last seq.
                Next::Outgoing(None) => break Some(close_message(close::RESYNC, "resync")),
                Next::ShuttingDown => Sent::ShuttingDown,
                Next::Ended(reason) => break Some(close_message(close::ACCESS_ENDED, reason)),
                Next::Deadline if self.conn.is_none() => break Some(close_message(close::POLICY, "hello_timeout")),
                Next::Deadline => {
                    if let (Some(conn), Some(part)) = (self.conn, self.presence.due()) {
                        let forwarding = Box::pin(self.app.rooms.presence(self.id, conn, part));
                        forwarding.await;
                    }
                    Sent::Done
                }
            };
            match sent {
                Sent::Done => {}
                Sent::Gone => break None,
                Sent::ShuttingDown => break Some(close_message(close::GOING_AWAY, "server_shutting_down")),
            }
        };
        if let Some(conn) = self.conn {
            let leaving = Box::pin(self.app.rooms.disconnect(self.id, conn));
            leaving.await;
        }
        if let Some(last) = last {
            // A close frame, but not forever: a client that reads nothing must not hold us.
            let closing = Box::pin(tokio::time::timeout(CLOSE_WAIT, socket.send(last)));
            let _ = closing.await;
        }
    }

    fn error(&self, code: &'static str) -> Control {
        Control::Frame(self.error_text(code))
    }

    fn error_text(&self, code: &'static str) -> String {
        let message = protocol::message_for(code, self.lang);
        ServerMessage::Error { code, message }.to_json()
    }

    fn reject(&self, client_op_id: &str, error: &ApiError) -> Control {
        Control::Frame(protocol::reject_json(client_op_id, error, self.lang))
    }

    /// Handles one text frame; returns what to send back directly, if anything.
    async fn on_text(&mut self, text: &str, queue: &mut Option<QueueSender>) -> Option<Control> {
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
                let pong = ServerMessage::Pong { t, server_time_ms: self.app.rooms.config().clock.now_ms() };
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
                    Err(RoomError::SessionFull) => Some(Control::Close(close::SESSION_FULL, "session_full")),
                    Err(_) => Some(Control::Close(close::ACCESS_ENDED, "access_ended")),
                }
            }
            (ClientMessage::Hello { .. }, Some(_)) => Some(self.error("already_welcomed")),
            (_, None) => Some(self.error("hello_first")),
            (ClientMessage::Presence { part_id }, Some(conn)) => {
                if let Some(part) = self.presence.offer(part_id.map(PartId)) {
                    self.app.rooms.presence(self.id, conn, part).await;
                }
                None
            }
            (ClientMessage::Op { client_op_id, op }, Some(conn)) => {
                let id_ok = (1..=64).contains(&client_op_id.chars().count())
                    && client_op_id.chars().all(|c| c.is_ascii_graphic());
                if !id_ok {
                    return Some(self.error("invalid_op_id"));
                }
                // Per connection, and per person across all their connections (tabs, devices).
                let participant = (self.id, self.caller.participant);
                if !self.bucket.take() || self.app.limits.ops_by_participant.take(participant).is_err() {
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
                    Err(error) => Some(self.reject(&client_op_id, &error.into())),
                }
            }
        }
    }
}

fn close_message(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame { code: CloseCode::from(code), reason: reason.into() }))
}

/// What the connection's task woke up for.
enum Next {
    Incoming(Option<Result<Message, tokio_tungstenite::tungstenite::Error>>),
    Outgoing(Option<Frame>),
    ShuttingDown,
    /// The access this connection came through ended (a rotated link): the reason.
    Ended(&'static str),
    /// The hello is overdue, or a held presence update is due.
    Deadline,
}

/// How a send went.
enum Sent {
    Done,
    /// The connection is broken.
    Gone,
    ShuttingDown,
}

/// Sends a text message until it is written or the server shuts down (a client that
/// reads nothing blocks the write). A write that completes at once never looks at the
/// shutdown signal.
async fn send<F: Future>(socket: &mut Socket, text: Frame, shutting_down: Pin<&mut F>) -> Sent {
    let sending = async {
        if text.as_str().len() <= LARGE_MESSAGE_BYTES {
            socket.send(Message::Text(message_text(&text))).await
        } else {
            let large = Box::pin(send_large(socket, text));
            large.await
        }
    };
    tokio::select! {
        biased;
        result = sending => if result.is_ok() { Sent::Done } else { Sent::Gone },
        _ = shutting_down => Sent::ShuttingDown,
    }
}

/// A frame's shared text as a WebSocket text message, without copying it.
fn message_text(frame: &Frame) -> Utf8Bytes {
    struct SharedText(Arc<str>);
    impl AsRef<[u8]> for SharedText {
        fn as_ref(&self) -> &[u8] {
            self.0.as_bytes()
        }
    }
    // The text is a `str`, so the check always passes; the copy is never made.
    Utf8Bytes::try_from(Bytes::from_owner(SharedText(frame.shared())))
        .unwrap_or_else(|_| Utf8Bytes::from(frame.as_str()))
}

/// Writes a large text message as one frame straight to the connection, past
/// tungstenite's write buffer (see the module's documentation). Once tungstenite is
/// flushed it has nothing half written, so a whole frame cannot land inside one of its own.
async fn send_large(socket: &mut Socket, text: Frame) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    socket.flush().await?;
    let header = FrameHeader { opcode: OpCode::Data(Data::Text), ..FrameHeader::default() };
    let text = text.as_str().as_bytes();
    let mut frame = Vec::with_capacity(header.len(text.len() as u64) + text.len());
    header.format(text.len() as u64, &mut frame)?;
    frame.extend_from_slice(text);
    let connection = socket.get_mut();
    connection.write_all(&frame).await?;
    connection.flush().await?;
    Ok(())
}
