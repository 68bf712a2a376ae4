//! The live rooms: one task per active session owns its state and is its only writer.
//!
//! Ops arrive as commands (from the JSON API and from WebSocket connections). The room
//! decides each through the domain, commits the events of every op that arrived while
//! the previous commit ran in one transaction, and only then acknowledges and
//! broadcasts them, each serialized once per language to every connection. A
//! connection that cannot keep up is dropped (it resumes from its last seq) rather than
//! slowing the room. An idle room stores a snapshot and unloads.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use heisessie_domain::Lang;
use heisessie_domain::planner::PartId;
use heisessie_domain::session::{self, Actor, Event, Op, ParticipantId, Rejection, SessionState};
use heisessie_export::agenda::replan_view;
use heisessie_store::{NewCredential, NewEvent, Origin, SessionId, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

use crate::clock::Clock;
use crate::protocol::{self, Audience, PresenceView, ServerMessage, live_snapshot, wire_event};
use crate::strategy_diff::{self, StrategyChanges};
use crate::views::session_view;

/// A frame for a connection: shared text, cloned per recipient without copying. Two
/// words wide, so that the queue of every connection stays small. The room knows no
/// WebSocket library: the connection turns the text into its message (`live.rs`).
#[derive(Debug, Clone)]
pub struct Frame(Arc<str>);

impl From<String> for Frame {
    fn from(text: String) -> Self {
        Frame(Arc::from(text))
    }
}

impl Frame {
    /// The text to send, shared.
    pub fn shared(&self) -> Arc<str> {
        Arc::clone(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A connection's outgoing queue, bounded in frames and in bytes: a reader that falls
/// behind costs the server at most `max_bytes` (plus the one frame that found the queue
/// empty) before it is dropped with "resync".
pub fn connection_queue(frames: usize, max_bytes: usize) -> (QueueSender, QueueReceiver) {
    let (tx, rx) = mpsc::channel(frames.max(1));
    let bytes = Arc::new(AtomicUsize::new(0));
    (QueueSender { tx, bytes: bytes.clone(), max_bytes }, QueueReceiver { rx, bytes })
}

pub struct QueueSender {
    tx: mpsc::Sender<Frame>,
    bytes: Arc<AtomicUsize>,
    max_bytes: usize,
}

/// The queue was full (in frames or in bytes) or its reader has gone.
#[derive(Debug)]
pub struct QueueFull;

impl QueueSender {
    pub fn try_send(&self, frame: Frame) -> Result<(), QueueFull> {
        let len = frame.len();
        let queued = self.bytes.load(Ordering::Acquire);
        // An empty queue takes any one frame, so a large welcome still goes out.
        if queued > 0 && queued.saturating_add(len) > self.max_bytes {
            return Err(QueueFull);
        }
        self.bytes.fetch_add(len, Ordering::AcqRel);
        self.tx.try_send(frame).map_err(|_| {
            self.bytes.fetch_sub(len, Ordering::AcqRel);
            QueueFull
        })
    }

    /// Frames that can still be queued.
    pub fn capacity(&self) -> usize {
        self.tx.capacity()
    }

    /// Bytes waiting to be written.
    pub fn queued_bytes(&self) -> usize {
        self.bytes.load(Ordering::Acquire)
    }
}

pub struct QueueReceiver {
    rx: mpsc::Receiver<Frame>,
    bytes: Arc<AtomicUsize>,
}

impl QueueReceiver {
    pub async fn recv(&mut self) -> Option<Frame> {
        let frame = self.rx.recv().await?;
        self.bytes.fetch_sub(frame.len(), Ordering::AcqRel);
        Some(frame)
    }
}

pub type ConnId = u64;

#[derive(Debug, Clone)]
pub struct RoomConfig {
    /// Timer warnings, in seconds left (default 5 minutes and 1 minute).
    pub timer_warnings_seconds: Vec<u32>,
    /// A room with no connections and no commands for this long unloads.
    pub idle_unload: Duration,
    /// Frames queued per connection before it counts as too slow and is dropped.
    pub connection_queue: usize,
    /// Bytes queued per connection before it counts as too slow and is dropped.
    pub connection_queue_bytes: usize,
    /// The most a session's strategy content may take, stored (JSON bytes).
    pub max_strategy_bytes: usize,
    pub max_connections_per_session: usize,
    /// A client this many events behind or less gets the events; further behind, a snapshot.
    pub catch_up_limit: u64,
    /// A snapshot is stored every this many events.
    pub snapshot_every: u64,
    /// Presence is broadcast at most this often.
    pub presence_interval: Duration,
    /// Where the room reads the time (see `clock.rs` for what it drives).
    pub clock: Clock,
}

impl Default for RoomConfig {
    fn default() -> Self {
        RoomConfig {
            timer_warnings_seconds: heisessie_domain::timer::DEFAULT_WARNINGS_SECONDS.to_vec(),
            idle_unload: Duration::from_secs(300),
            connection_queue: 1024,
            connection_queue_bytes: 4 << 20,
            max_strategy_bytes: 1 << 20,
            max_connections_per_session: 250,
            catch_up_limit: 500,
            snapshot_every: 100,
            presence_interval: Duration::from_millis(100),
            clock: Clock::system(),
        }
    }
}

/// Why the room did not do what it was asked. The room speaks no HTTP: the API turns
/// this into its error (`ApiError`), the live protocol into a `reject` (`protocol.rs`).
#[derive(Debug, Clone, PartialEq)]
pub enum RoomError {
    SessionNotFound,
    /// The participant is no longer in the session.
    NotAuthorized,
    /// The session has as many live connections as it takes.
    SessionFull,
    /// The same `client_op_id` was sent before with a different op.
    OpIdReused,
    /// The session's strategy content is at its size limit (in KiB).
    StrategyFull {
        max_kb: usize,
    },
    /// The domain refused the op.
    Rejected(Rejection),
    /// Another writer stored events first.
    Conflict,
    /// The disk refused to store the change; the same op can be tried again in a moment.
    StorageUnavailable,
    /// Logged with its cause; the client only hears that something went wrong.
    Internal(String),
}

impl From<Rejection> for RoomError {
    fn from(rejection: Rejection) -> Self {
        RoomError::Rejected(rejection)
    }
}

impl From<StoreError> for RoomError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => RoomError::SessionNotFound,
            StoreError::Conflict(_) => RoomError::Conflict,
            // The cause was logged where it happened; the person hears what to do.
            StoreError::Unavailable(_) => RoomError::StorageUnavailable,
            StoreError::Broken(cause) => RoomError::Internal(cause),
        }
    }
}

/// The state after an op that came over HTTP.
pub struct Applied {
    pub seq: u64,
    pub state: SessionState,
    pub events: Vec<Event>,
}

/// Where the outcome of an op goes.
pub enum OpReply {
    Http(oneshot::Sender<Result<Applied, RoomError>>),
    Live { conn: ConnId, client_op_id: String },
}

pub struct OpRequest {
    pub actor: Actor,
    pub op: Op,
    pub origin: Option<Origin>,
    pub credential: Option<NewCredential>,
    pub reply: OpReply,
}

/// A WebSocket connection as the room knows it.
pub struct Connection {
    pub id: ConnId,
    pub participant: ParticipantId,
    pub lang: Lang,
    pub queue: QueueSender,
}

/// Ops that commit together or not at all (an HTTP request that changes two things).
pub struct AtomicOps {
    actor: Actor,
    ops: Vec<Op>,
    reply: oneshot::Sender<Result<Applied, RoomError>>,
}

enum Command {
    Op(Box<OpRequest>),
    Atomic(Box<AtomicOps>),
    Read(oneshot::Sender<Result<(u64, SessionState), RoomError>>),
    Connect { conn: Connection, last_seq: Option<u64>, reply: oneshot::Sender<Result<(), RoomError>> },
    Disconnect(ConnId),
    Presence(ConnId, Option<PartId>),
}

struct Inner {
    store: Arc<dyn Store>,
    config: RoomConfig,
    rooms: Mutex<HashMap<SessionId, mpsc::Sender<Command>>>,
    next_conn: AtomicU64,
    /// One write to the store at a time, across all rooms. SQLite takes one writer;
    /// another that finds the lock taken sleeps in steps of milliseconds (its busy
    /// handler). Waiting here is a queue without the sleeps, and a room's ops pile up
    /// meanwhile into its next, larger batch.
    writing: tokio::sync::Mutex<()>,
}

/// The registry of running rooms.
#[derive(Clone)]
pub struct Rooms {
    inner: Arc<Inner>,
}

const COMMAND_QUEUE: usize = 4096;
/// At most this many commands are decided and committed together.
const MAX_BATCH: usize = 512;
/// Resent op ids remembered per room.
const DEDUP_CAPACITY: usize = 20_000;
/// After the disk refused a write, the next write is tried this much later; ops that
/// arrive meanwhile are answered `storage_unavailable` at once.
const STORAGE_RETRY: Duration = Duration::from_millis(500);
/// Connections a full session still takes from facilitators.
const FACILITATOR_CONNECTIONS: usize = 10;

impl Rooms {
    pub fn new(store: Arc<dyn Store>, config: RoomConfig) -> Self {
        let writing = tokio::sync::Mutex::new(());
        Rooms {
            inner: Arc::new(Inner { store, config, rooms: Mutex::default(), next_conn: AtomicU64::new(1), writing }),
        }
    }

    pub fn config(&self) -> &RoomConfig {
        &self.inner.config
    }

    pub fn next_conn_id(&self) -> ConnId {
        self.inner.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// The number of rooms in memory.
    pub fn loaded(&self) -> usize {
        self.inner.rooms.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    fn sender(&self, id: SessionId) -> mpsc::Sender<Command> {
        let mut rooms = self.inner.rooms.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = rooms.get(&id)
            && !tx.is_closed()
        {
            return tx.clone();
        }
        let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
        rooms.insert(id, tx.clone());
        let inner = self.inner.clone();
        let weak = tx.downgrade();
        tokio::spawn(async move { run_room(inner, id, rx, weak).await });
        tx
    }

    async fn send(&self, id: SessionId, mut command: Command) -> Result<(), RoomError> {
        // A room that is unloading closes its queue; the next send starts a fresh one.
        for _ in 0..3 {
            match self.sender(id).send(command).await {
                Ok(()) => return Ok(()),
                Err(mpsc::error::SendError(back)) => command = back,
            }
        }
        Err(RoomError::Internal(format!("the room of session {id} does not start")))
    }

    /// Applies an op and waits until its events are committed.
    pub async fn apply(
        &self,
        id: SessionId,
        actor: Actor,
        op: Op,
        credential: Option<NewCredential>,
    ) -> Result<Applied, RoomError> {
        let (tx, rx) = oneshot::channel();
        let request = OpRequest { actor, op, origin: None, credential, reply: OpReply::Http(tx) };
        self.send(id, Command::Op(Box::new(request))).await?;
        rx.await.map_err(|_| RoomError::Internal("the room stopped before answering".into()))?
    }

    /// Applies `ops` in order as one: all their events are committed in one
    /// transaction, or, when any op is rejected or the commit fails, nothing changes.
    pub async fn apply_all(&self, id: SessionId, actor: Actor, ops: Vec<Op>) -> Result<Applied, RoomError> {
        let (tx, rx) = oneshot::channel();
        self.send(id, Command::Atomic(Box::new(AtomicOps { actor, ops, reply: tx }))).await?;
        rx.await.map_err(|_| RoomError::Internal("the room stopped before answering".into()))?
    }

    /// Hands an op from a connection to its room; the outcome goes to the connection.
    pub async fn submit(&self, id: SessionId, request: OpRequest) -> Result<(), RoomError> {
        self.send(id, Command::Op(Box::new(request))).await
    }

    pub async fn read(&self, id: SessionId) -> Result<(u64, SessionState), RoomError> {
        let (tx, rx) = oneshot::channel();
        self.send(id, Command::Read(tx)).await?;
        rx.await.map_err(|_| RoomError::Internal("the room stopped before answering".into()))?
    }

    /// Registers a connection; the welcome and the catch-up are queued to it first.
    pub async fn connect(&self, id: SessionId, conn: Connection, last_seq: Option<u64>) -> Result<(), RoomError> {
        let (tx, rx) = oneshot::channel();
        self.send(id, Command::Connect { conn, last_seq, reply: tx }).await?;
        rx.await.map_err(|_| RoomError::Internal("the room stopped before answering".into()))?
    }

    pub async fn disconnect(&self, id: SessionId, conn: ConnId) {
        let _ = self.send(id, Command::Disconnect(conn)).await;
    }

    pub async fn presence(&self, id: SessionId, conn: ConnId, part: Option<PartId>) {
        let _ = self.send(id, Command::Presence(conn, part)).await;
    }
}

struct Conn {
    participant: ParticipantId,
    lang: Lang,
    queue: QueueSender,
    part: Option<PartId>,
}

struct Room {
    id: SessionId,
    inner: Arc<Inner>,
    seq: u64,
    snapshot_seq: u64,
    state: SessionState,
    conns: HashMap<ConnId, Conn>,
    /// The newest events, for reconnecting clients: (seq, at_ms, event).
    recent: VecDeque<(u64, i64, Event)>,
    dedup: HashMap<(ParticipantId, String), (i64, u64)>,
    dedup_order: VecDeque<(ParticipantId, String)>,
    presence_dirty: bool,
    /// Set when the store reported the disk unavailable: until then, writes (the
    /// timer's among them) wait instead of trying again at once.
    storage_down_until: Option<tokio::time::Instant>,
    /// The strategy view (JSON) as the connections last heard it, to send only changes.
    strategy_json: serde_json::Value,
}

/// The strategy view of `state` at `now_ms` as JSON, the form its changes are computed in.
fn strategy_json(state: &SessionState, now_ms: i64) -> serde_json::Value {
    let view = crate::strategy_view::strategy_view(state, protocol::session_today(state, now_ms));
    serde_json::to_value(view).unwrap_or_default()
}

/// What became of one op in a batch.
enum Outcome {
    /// Applied; the seq of its last event once the batch is committed, and the range
    /// of its events in the batch.
    Applied(u64, std::ops::Range<usize>),
    /// Answered before: the original seq.
    Duplicate(u64),
    Rejected(RoomError),
}

async fn load(inner: &Inner, id: SessionId) -> Result<(u64, u64, SessionState), RoomError> {
    let snapshot_seq = match inner.store.load_snapshot(id).await {
        Ok(snapshot) => snapshot.map_or(0, |s| s.seq),
        Err(StoreError::NotFound) => 0,
        Err(other) => return Err(other.into()),
    };
    match inner.store.load_session(id).await {
        Ok((seq, state)) => Ok((seq, snapshot_seq, state)),
        Err(StoreError::NotFound) => Err(RoomError::SessionNotFound),
        Err(other) => Err(other.into()),
    }
}

async fn run_room(inner: Arc<Inner>, id: SessionId, mut rx: mpsc::Receiver<Command>, weak: mpsc::WeakSender<Command>) {
    let (seq, snapshot_seq, state) = match load(&inner, id).await {
        Ok(loaded) => loaded,
        Err(error) => {
            // Answer whoever is waiting, then make way for a later attempt.
            remove_from_registry(&inner, id, &weak);
            rx.close();
            while let Some(command) = rx.recv().await {
                fail(command, &error);
            }
            return;
        }
    };
    let mut room = Room {
        id,
        inner: inner.clone(),
        seq,
        snapshot_seq,
        state,
        conns: HashMap::new(),
        recent: VecDeque::new(),
        dedup: HashMap::new(),
        dedup_order: VecDeque::new(),
        presence_dirty: false,
        storage_down_until: None,
        strategy_json: serde_json::Value::Null,
    };
    room.strategy_json = strategy_json(&room.state, inner.config.clock.now_ms());
    if let Ok(origins) = inner.store.recent_origins(id, DEDUP_CAPACITY as u32).await {
        for (seq, origin) in origins {
            room.remember(origin.participant, origin.client_op_id, origin.op_hash, seq);
        }
    }
    tracing::debug!(session = %id, seq, "room loaded");
    let mut presence = tokio::time::interval(inner.config.presence_interval);
    presence.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut clock_moves = inner.config.clock.watch();
    loop {
        let now = inner.config.clock.now_ms();
        let timer_due = room
            .state
            .timer
            .as_ref()
            .and_then(|t| t.next_due_ms(now, &inner.config.timer_warnings_seconds))
            .map(|due| Duration::from_millis(due.saturating_sub(now).max(0) as u64))
            // While the disk is failing, the timer's events wait for the next try.
            .map(|due| match room.storage_down_until {
                Some(until) => due.max(until.saturating_duration_since(tokio::time::Instant::now())),
                None => due,
            });
        tokio::select! {
            command = rx.recv() => {
                let Some(command) = command else { break };
                let mut batch = vec![command];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(command) => batch.push(command),
                        Err(_) => break,
                    }
                }
                room.handle(batch).await;
            }
            () = tokio::time::sleep(timer_due.unwrap_or(Duration::MAX)), if timer_due.is_some() => {
                room.commit(Vec::new(), None).await;
            }
            // A test moved the clock: look again at what is due.
            () = clock_moves.moved() => {}
            _ = presence.tick(), if room.presence_dirty => room.flush_presence(),
            () = tokio::time::sleep(inner.config.idle_unload), if room.conns.is_empty() => {
                if room.try_unload(&mut rx, &weak) {
                    while let Some(command) = rx.recv().await {
                        room.handle(vec![command]).await;
                    }
                    break;
                }
            }
        }
    }
    tracing::debug!(session = %id, "room unloaded");
}

fn remove_from_registry(inner: &Inner, id: SessionId, weak: &mpsc::WeakSender<Command>) {
    let mut rooms = inner.rooms.lock().unwrap_or_else(|p| p.into_inner());
    let ours = match (rooms.get(&id), weak.upgrade()) {
        (Some(registered), Some(own)) => registered.same_channel(&own),
        _ => false,
    };
    if ours {
        rooms.remove(&id);
    }
}

fn fail(command: Command, error: &RoomError) {
    match command {
        Command::Op(request) => {
            if let OpReply::Http(reply) = request.reply {
                let _ = reply.send(Err(error.clone()));
            }
        }
        Command::Read(reply) => {
            let _ = reply.send(Err(error.clone()));
        }
        Command::Atomic(request) => {
            let _ = request.reply.send(Err(error.clone()));
        }
        Command::Connect { reply, .. } => {
            let _ = reply.send(Err(error.clone()));
        }
        Command::Disconnect(_) | Command::Presence(..) => {}
    }
}

impl Room {
    fn now_ms(&self) -> i64 {
        self.inner.config.clock.now_ms()
    }

    fn remember(&mut self, participant: ParticipantId, op_id: String, hash: i64, seq: u64) {
        let key = (participant, op_id);
        if self.dedup.insert(key.clone(), (hash, seq)).is_none() {
            self.dedup_order.push_back(key);
            if self.dedup_order.len() > DEDUP_CAPACITY
                && let Some(old) = self.dedup_order.pop_front()
            {
                self.dedup.remove(&old);
            }
        }
    }

    async fn handle(&mut self, batch: Vec<Command>) {
        let mut ops: Vec<OpRequest> = Vec::new();
        for command in batch {
            match command {
                Command::Op(request) if request.credential.is_none() => ops.push(*request),
                Command::Op(request) => {
                    // A join carries its credential into the same transaction: alone.
                    self.commit(std::mem::take(&mut ops), None).await;
                    let mut request = *request;
                    let credential = request.credential.take();
                    self.commit(vec![request], credential).await;
                }
                other => {
                    self.commit(std::mem::take(&mut ops), None).await;
                    self.other(other).await;
                }
            }
        }
        self.commit(ops, None).await;
    }

    async fn other(&mut self, command: Command) {
        match command {
            Command::Op(_) => {}
            Command::Atomic(request) => {
                let AtomicOps { actor, ops, reply } = *request;
                let _ = reply.send(self.commit_atomic(actor, ops).await);
            }
            Command::Read(reply) => {
                let _ = reply.send(Ok((self.seq, self.state.clone())));
            }
            Command::Connect { conn, last_seq, reply } => {
                let _ = reply.send(self.connect(conn, last_seq).await);
            }
            Command::Disconnect(conn) => {
                if self.conns.remove(&conn).is_some() {
                    self.presence_dirty = true;
                }
            }
            Command::Presence(conn, part) => {
                if let Some(conn) = self.conns.get_mut(&conn) {
                    conn.part = part;
                    self.presence_dirty = true;
                }
            }
        }
    }

    /// Decides `ops` in order, adds the timer's due events, commits everything in one
    /// transaction, then broadcasts and answers. Nothing is acknowledged before the commit.
    async fn commit(&mut self, ops: Vec<OpRequest>, credential: Option<NewCredential>) {
        let now = self.now_ms();
        let mut events: Vec<NewEvent> = Vec::new();
        let mut outcomes: Vec<Outcome> = Vec::with_capacity(ops.len());
        let mut state = None::<SessionState>;
        // Op ids seen earlier in this same batch, with the seq their op will get.
        let mut in_batch: HashMap<(ParticipantId, &str), (i64, u64)> = HashMap::new();
        for request in &ops {
            if let Some(origin) = &request.origin {
                let key = (origin.participant, origin.client_op_id.clone());
                let earlier = self
                    .dedup
                    .get(&key)
                    .or_else(|| in_batch.get(&(origin.participant, origin.client_op_id.as_str())))
                    .copied();
                if let Some((hash, seq)) = earlier {
                    outcomes.push(if hash == origin.op_hash {
                        Outcome::Duplicate(seq)
                    } else {
                        Outcome::Rejected(RoomError::OpIdReused)
                    });
                    continue;
                }
            }
            // The first op that changes anything works on a copy, so that a failed
            // commit leaves the room's state exactly as stored.
            let current = state.get_or_insert_with(|| self.state.clone());
            match session::apply(current, request.actor, request.op.clone(), now) {
                Ok(new) if new.iter().any(Event::is_strategy) && !self.strategy_fits(current, &new) => {
                    outcomes.push(Outcome::Rejected(RoomError::StrategyFull {
                        max_kb: self.inner.config.max_strategy_bytes / 1024,
                    }));
                }
                Ok(new) => {
                    let start = events.len();
                    for (index, event) in new.into_iter().enumerate() {
                        current.apply_event(&event);
                        let origin = if index == 0 { request.origin.clone() } else { None };
                        events.push(NewEvent { event, origin });
                    }
                    let seq = self.seq + events.len() as u64;
                    if let Some(origin) = &request.origin {
                        in_batch.insert((origin.participant, origin.client_op_id.as_str()), (origin.op_hash, seq));
                    }
                    outcomes.push(Outcome::Applied(seq, start..events.len()));
                }
                Err(rejection) => outcomes.push(Outcome::Rejected(rejection.into())),
            }
        }
        let warnings = self.inner.config.timer_warnings_seconds.clone();
        let due = session::due_timer_events(state.as_ref().unwrap_or(&self.state), now, &warnings);
        if !due.is_empty() {
            let current = state.get_or_insert_with(|| self.state.clone());
            for event in due {
                current.apply_event(&event);
                events.push(NewEvent::system(event));
            }
        }

        // A joining participant's credential gets the id the join handed out.
        let credential = credential.map(|mut credential| {
            if let Some(joined) = events.iter().find_map(|new| match &new.event {
                Event::ParticipantJoined { participant } => Some(participant.id),
                _ => None,
            }) {
                credential.participant = joined;
            }
            credential
        });
        let first_seq = self.seq + 1;
        if let Err(error) = self.persist(&events, state, credential).await {
            for request in ops {
                self.answer(request, Err(error.clone()));
            }
            return;
        }
        for (offset, new) in events.iter().enumerate() {
            self.broadcast(first_seq + offset as u64, now, &new.event);
        }
        for (request, outcome) in ops.into_iter().zip(outcomes) {
            let result = match outcome {
                Outcome::Applied(seq, range) => {
                    if let Some(origin) = &request.origin {
                        self.remember(origin.participant, origin.client_op_id.clone(), origin.op_hash, seq);
                    }
                    Ok((seq, events[range].iter().map(|new| new.event.clone()).collect()))
                }
                Outcome::Duplicate(seq) => Ok((seq, Vec::new())),
                Outcome::Rejected(error) => Err(error),
            };
            self.answer(request, result);
        }
        if self.seq >= self.snapshot_seq + self.inner.config.snapshot_every {
            self.store_snapshot();
        }
    }

    /// Commits `events` (with a joining participant's credential) and moves the room's
    /// state on to `state`, the state after them. On a failure nothing moves on, every
    /// caller is told, and the room reconciles with what the store really holds.
    async fn persist(
        &mut self,
        events: &[NewEvent],
        state: Option<SessionState>,
        credential: Option<NewCredential>,
    ) -> Result<(), RoomError> {
        if events.is_empty() {
            return Ok(());
        }
        if let Some(until) = self.storage_down_until
            && tokio::time::Instant::now() < until
        {
            // The disk failed a moment ago: answer at once rather than queue behind it.
            return Err(RoomError::StorageUnavailable);
        }
        let writing = self.inner.writing.lock().await;
        let appended = self.inner.store.append_events(self.id, self.seq, events, credential).await;
        drop(writing);
        match appended {
            Ok(last) => {
                self.storage_down_until = None;
                self.seq = last;
                if let Some(state) = state {
                    self.state = state;
                }
                Ok(())
            }
            Err(error) => {
                tracing::error!(session = %self.id, %error, "commit failed");
                if matches!(error, StoreError::Unavailable(_)) {
                    self.storage_down_until = Some(tokio::time::Instant::now() + STORAGE_RETRY);
                }
                self.reconcile().await;
                Err(RoomError::from(error))
            }
        }
    }

    /// After a failed commit: reload what the store holds. Should events have been
    /// stored after all (a commit that reported failure after it took effect, or
    /// another writer), everyone hears them like any others, and their ops' ids are
    /// remembered so that a resend is answered, not applied twice.
    async fn reconcile(&mut self) {
        let before = self.seq;
        let Ok((seq, snapshot_seq, state)) = load(&self.inner, self.id).await else { return };
        let missed = if seq > before { self.inner.store.events_since(self.id, before).await.ok() } else { None };
        (self.seq, self.snapshot_seq, self.state) = (seq, snapshot_seq, state);
        if seq <= before {
            return;
        }
        tracing::warn!(session = %self.id, before, after = seq, "events were stored despite a failed commit");
        for stored in missed.unwrap_or_default() {
            self.broadcast(stored.seq, stored.recorded_at_ms, &stored.event);
        }
        if let Ok(origins) = self.inner.store.recent_origins(self.id, DEDUP_CAPACITY as u32).await {
            for (seq, origin) in origins.into_iter().filter(|(seq, _)| *seq > before) {
                self.remember(origin.participant, origin.client_op_id, origin.op_hash, seq);
            }
        }
    }

    /// Whether the strategy stays within its size limit after `events`, or at least
    /// does not grow (so that trimming a strategy over the limit is always possible).
    /// The size is that of the stored form, which bounds every frame and snapshot the
    /// strategy travels in.
    fn strategy_fits(&self, state: &SessionState, events: &[Event]) -> bool {
        let max = self.inner.config.max_strategy_bytes;
        let size =
            |strategy: &heisessie_domain::strategy::Strategy| serde_json::to_vec(strategy).map_or(0, |v| v.len());
        let mut trial = state.clone();
        for event in events {
            trial.apply_event(event);
        }
        let after = size(&trial.strategy);
        after <= max || after <= size(&state.strategy)
    }

    /// Decides `ops` in order on a copy of the state; commits all their events in one
    /// transaction, or nothing when any op is rejected.
    async fn commit_atomic(&mut self, actor: Actor, ops: Vec<Op>) -> Result<Applied, RoomError> {
        let now = self.now_ms();
        let mut state = self.state.clone();
        let mut events = Vec::new();
        for op in ops {
            let new = session::apply(&state, actor, op, now).map_err(RoomError::from)?;
            if new.iter().any(Event::is_strategy) && !self.strategy_fits(&state, &new) {
                return Err(RoomError::StrategyFull { max_kb: self.inner.config.max_strategy_bytes / 1024 });
            }
            for event in new {
                state.apply_event(&event);
                events.push(NewEvent::system(event));
            }
        }
        let first_seq = self.seq + 1;
        self.persist(&events, Some(state), None).await?;
        for (offset, new) in events.iter().enumerate() {
            self.broadcast(first_seq + offset as u64, now, &new.event);
        }
        let events = events.into_iter().map(|new| new.event).collect();
        Ok(Applied { seq: self.seq, state: self.state.clone(), events })
    }

    /// Stores a snapshot in the background: encoding and writing it takes a
    /// millisecond or more, which the ops arriving meanwhile need not wait for. The
    /// store keeps the newest snapshot whatever order the writes finish in.
    fn store_snapshot(&mut self) {
        let (inner, id, seq, state) = (self.inner.clone(), self.id, self.seq, self.state.clone());
        self.snapshot_seq = seq;
        tokio::spawn(async move {
            let writing = inner.writing.lock().await;
            let saved = inner.store.save_snapshot(id, seq, &state).await;
            drop(writing);
            // The events are committed; a missing snapshot only makes the next load slower.
            if let Err(error) = saved {
                tracing::warn!(session = %id, %error, "could not store a snapshot");
            }
        });
    }

    fn answer(&mut self, request: OpRequest, result: Result<(u64, Vec<Event>), RoomError>) {
        match request.reply {
            OpReply::Http(reply) => {
                let applied = result.map(|(seq, events)| Applied { seq, state: self.state.clone(), events });
                let _ = reply.send(applied);
            }
            OpReply::Live { conn, client_op_id } => {
                let Some(target) = self.conns.get(&conn) else { return };
                let frame = match &result {
                    Ok((seq, _)) => ServerMessage::Ack { client_op_id: &client_op_id, seq: *seq }.to_json(),
                    Err(error) => protocol::reject_json(&client_op_id, &error.clone().into(), target.lang),
                };
                if target.queue.try_send(Frame::from(frame)).is_err() {
                    self.drop_conn(conn);
                }
            }
        }
    }

    fn drop_conn(&mut self, conn: ConnId) {
        // Dropping the queue's sender ends the connection with the "resync" close code.
        if self.conns.remove(&conn).is_some() {
            tracing::info!(session = %self.id, conn, "connection too slow: dropped for resync");
            self.presence_dirty = true;
        }
    }

    /// The event as `lang` reads it, in full or (for others' votes) redacted.
    /// `changes` is what a strategy event tells (ignored for other events).
    fn render(&self, seq: u64, at_ms: i64, event: &Event, lang: Lang, full: bool, changes: &StrategyChanges) -> Frame {
        let (wire, _) =
            wire_event(event, || session_view(self.id, self.seq, &self.state, None, lang), || changes.clone());
        let wire = if full { wire } else { protocol::WireEvent::VoteRecorded };
        let replan = match event {
            Event::TimerStarted { .. }
            | Event::TimerPaused { .. }
            | Event::TimerReset { .. }
            | Event::TimerExtended { .. }
            | Event::TimerEnded { .. } => self.state.replan(at_ms).map(|r| replan_view(&r, lang)),
            _ => None,
        };
        Frame::from(ServerMessage::Event { seq, at_ms, event: wire, replan }.to_json())
    }

    fn broadcast(&mut self, seq: u64, at_ms: i64, event: &Event) {
        self.recent.push_back((seq, at_ms, event.clone()));
        while self.recent.len() as u64 > self.inner.config.catch_up_limit {
            self.recent.pop_front();
        }
        let audience = crate::protocol::audience(event);
        // A strategy event carries what changed since the last one the connections heard.
        let changes = if event.is_strategy() {
            let now = strategy_json(&self.state, self.now_ms());
            let changes = strategy_diff::diff(&self.strategy_json, &now);
            self.strategy_json = now;
            changes
        } else {
            StrategyChanges::new()
        };
        // One serialization per language and per form (full or redacted), not per connection.
        let mut frames: [Option<Frame>; 4] = Default::default();
        let mut slow = Vec::new();
        for (id, conn) in &self.conns {
            let full = match audience {
                Audience::Everyone => true,
                Audience::Private(owner) => conn.participant == owner,
            };
            let slot = usize::from(conn.lang == Lang::En) * 2 + usize::from(full);
            let frame = frames[slot].get_or_insert_with(|| self.render(seq, at_ms, event, conn.lang, full, &changes));
            if conn.queue.try_send(frame.clone()).is_err() {
                slow.push(*id);
            }
        }
        for id in slow {
            self.drop_conn(id);
        }
    }

    async fn connect(&mut self, conn: Connection, last_seq: Option<u64>) -> Result<(), RoomError> {
        // A facilitator gets in even when the session is full: a few places are theirs.
        let facilitator = self.state.participant(conn.participant).is_some_and(|p| p.is_facilitator);
        let places =
            self.inner.config.max_connections_per_session + if facilitator { FACILITATOR_CONNECTIONS } else { 0 };
        if self.conns.len() >= places {
            return Err(RoomError::SessionFull);
        }
        let now = self.now_ms();
        let you = self
            .state
            .participant(conn.participant)
            .map(crate::views::participant_view)
            .ok_or(RoomError::NotAuthorized)?;
        // Resume with the missed events when they are few and at hand, else a snapshot.
        let missed: Option<Vec<(u64, i64, Event)>> = match last_seq {
            Some(last) if last == self.seq => Some(Vec::new()),
            Some(last) if last < self.seq && self.seq - last <= self.inner.config.catch_up_limit => {
                if self.recent.front().is_some_and(|(first, _, _)| *first <= last + 1) {
                    Some(self.recent.iter().filter(|(seq, _, _)| *seq > last).cloned().collect())
                } else {
                    match self.inner.store.events_since(self.id, last).await {
                        Ok(stored) => Some(stored.into_iter().map(|e| (e.seq, e.recorded_at_ms, e.event)).collect()),
                        Err(_) => None,
                    }
                }
            }
            _ => None,
        };
        // The welcome and the missed events must fit in the connection's queue; else a snapshot.
        let missed = missed.filter(|events| events.len() < conn.queue.capacity());
        let (catch_up, snapshot) = match &missed {
            Some(events) if events.is_empty() => ("none", None),
            Some(_) => ("events", None),
            None => {
                let view = session_view(self.id, self.seq, &self.state, Some(conn.participant), conn.lang);
                ("snapshot", Some(Box::new(live_snapshot(&self.state, view, conn.participant, now))))
            }
        };
        let welcome = ServerMessage::Welcome {
            protocol: protocol::PROTOCOL_VERSION,
            server_time_ms: now,
            you,
            seq: self.seq,
            catch_up,
            snapshot,
        };
        let mut frames = vec![Frame::from(welcome.to_json())];
        // The client's strategy is as old as its last seq: the first missed strategy
        // event brings all of it as it is now, the later ones nothing more.
        let mut strategy_sent = false;
        for (seq, at_ms, event) in missed.unwrap_or_default() {
            let audience = crate::protocol::audience(&event);
            let full = match audience {
                Audience::Everyone => true,
                Audience::Private(owner) => owner == conn.participant,
            };
            let changes = if event.is_strategy() && !strategy_sent {
                strategy_sent = true;
                strategy_diff::everything(&strategy_json(&self.state, now))
            } else {
                StrategyChanges::new()
            };
            frames.push(self.render(seq, at_ms, &event, conn.lang, full, &changes));
        }
        for frame in frames {
            conn.queue.try_send(frame).map_err(|_| RoomError::SessionFull)?;
        }
        self.conns
            .insert(conn.id, Conn { participant: conn.participant, lang: conn.lang, queue: conn.queue, part: None });
        self.presence_dirty = true;
        Ok(())
    }

    fn flush_presence(&mut self) {
        self.presence_dirty = false;
        let mut people: Vec<PresenceView> = Vec::new();
        for conn in self.conns.values() {
            match people.iter_mut().find(|p| p.participant_id == conn.participant.0) {
                Some(person) => {
                    person.connections += 1;
                    if conn.part.is_some() {
                        person.part_id = conn.part.map(|p| p.0);
                    }
                }
                None => people.push(PresenceView {
                    participant_id: conn.participant.0,
                    part_id: conn.part.map(|p| p.0),
                    connections: 1,
                }),
            }
        }
        people.sort_by_key(|p| p.participant_id);
        let frame = Frame::from(ServerMessage::Presence { people }.to_json());
        let slow: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, conn)| conn.queue.try_send(frame.clone()).is_err())
            .map(|(id, _)| *id)
            .collect();
        for id in slow {
            self.drop_conn(id);
        }
    }

    /// Unloads when nothing is waiting: stores a snapshot, leaves the registry and
    /// closes the queue. Returns whether it did.
    fn try_unload(&mut self, rx: &mut mpsc::Receiver<Command>, weak: &mpsc::WeakSender<Command>) -> bool {
        if !rx.is_empty() || !self.conns.is_empty() {
            return false;
        }
        remove_from_registry(&self.inner, self.id, weak);
        rx.close();
        let (inner, id, seq, state) = (self.inner.clone(), self.id, self.seq, self.state.clone());
        if seq > self.snapshot_seq {
            tokio::spawn(async move {
                let writing = inner.writing.lock().await;
                let saved = inner.store.save_snapshot(id, seq, &state).await;
                drop(writing);
                if let Err(error) = saved {
                    tracing::warn!(session = %id, %error, "could not store a snapshot on unload");
                }
            });
        }
        true
    }
}
