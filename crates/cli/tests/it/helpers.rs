//! Starts the real app for a test and speaks to it in typed helpers.
//!
//! # Waiting
//!
//! A test waits for what it expects: a seq ([`LiveClient::wait_for_seq`]), a message
//! ([`LiveClient::next_of`], [`LiveClient::call`]), the close ([`LiveClient::until_close`])
//! or a state of the server ([`wait_until`]), each with a generous deadline ([`WAIT`])
//! that only a failing test reaches. It never waits for a quiet moment or sleeps a fixed
//! time: both are slow when the machine is idle and wrong when it is busy. Time itself is
//! an input: a test that needs a timer to run out gives the room a
//! [`heisessie_server::clock::ManualClock`] and advances it.
//!
//! To show that something does *not* arrive, a test sends a fence
//! ([`LiveClient::fence`]): an op the domain refuses. The room decides ops one after the
//! other and queues what it broadcasts for an op before it answers the next, so the
//! fence's answer comes after every frame caused by an op that was answered before the
//! fence was sent, whichever connection sent it. What came before the fence's answer is
//! all there is. (A ping is no fence: the connection's own task answers it, past the
//! room's queue.)

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use heisessie_server::AppState;
use heisessie_server::limits::Limits;
use heisessie_server::live::LiveConfig;
use heisessie_server::rooms::{RoomConfig, Rooms};
use heisessie_store::SqliteStore;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub struct TestApp {
    pub base: String,
    pub client: Client,
    _dir: Option<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// None when the server runs in another process (see [`TestApp::external`]).
    store: Option<SqliteStore>,
    /// The server's state, to look inside (None for a server in another process).
    state: Option<AppState>,
}

/// How long a test waits for what it expects before it fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// Waits until `condition` holds, looking every few milliseconds; panics after [`WAIT`].
pub async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !condition() {
        assert!(tokio::time::Instant::now() < deadline, "waited {WAIT:?} in vain for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Starts the app on a random port with a fresh data folder.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("a temp folder");
    let path = dir.path().to_path_buf();
    let mut app = spawn_app_in(&path).await;
    app._dir = Some(dir);
    app
}

/// Starts the app on a random port on an existing data folder.
pub async fn spawn_app_in(data_dir: &Path) -> TestApp {
    spawn_configured(data_dir, RoomConfig::default(), LiveConfig::default()).await
}

/// Starts the app with its own room and connection settings, in a fresh data folder.
pub async fn spawn_app_with(rooms: RoomConfig, live: LiveConfig) -> TestApp {
    let dir = tempfile::tempdir().expect("a temp folder");
    let path = dir.path().to_path_buf();
    let mut app = spawn_configured(&path, rooms, live).await;
    app._dir = Some(dir);
    app
}

pub async fn spawn_configured(data_dir: &Path, rooms: RoomConfig, live: LiveConfig) -> TestApp {
    spawn_limited(data_dir, rooms, live, Limits::default()).await
}

/// Starts the app with its own limits (docs/reliability.md), in a fresh data folder.
pub async fn spawn_app_with_limits(limits: Limits) -> TestApp {
    spawn_app_with_all(RoomConfig::default(), LiveConfig::default(), limits).await
}

/// Starts the app with its own room, connection and limit settings, in a fresh data folder.
pub async fn spawn_app_with_all(rooms: RoomConfig, live: LiveConfig, limits: Limits) -> TestApp {
    let dir = tempfile::tempdir().expect("a temp folder");
    let path = dir.path().to_path_buf();
    let mut app = spawn_limited(&path, rooms, live, limits).await;
    app._dir = Some(dir);
    app
}

pub async fn spawn_limited(data_dir: &Path, rooms: RoomConfig, live: LiveConfig, limits: Limits) -> TestApp {
    let store = SqliteStore::open(data_dir).await.expect("the store opens");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let state = AppState::with_config(Arc::new(store.clone()), &base, rooms, live).with_limits(limits);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(heisessie_server::serve(listener, state.clone(), async {
        let _ = stopped.await;
    }));
    TestApp {
        base,
        client: Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client"),
        _dir: None,
        stop: Some(stop),
        server: Some(server),
        store: Some(store),
        state: Some(state),
    }
}

/// Speaks to a server that runs elsewhere (the real binary in a child process).
pub fn external(base: &str) -> TestApp {
    TestApp {
        base: base.trim_end_matches('/').to_owned(),
        client: Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client"),
        _dir: None,
        stop: None,
        server: None,
        store: None,
        state: None,
    }
}

/// A session as the tests know it.
pub struct Session {
    pub id: String,
    pub facilitator_link: String,
    pub participant_link: String,
    /// The creator's (a facilitator's) credential.
    pub facilitator: String,
    pub body: Value,
}

/// The `k=` token of a link.
pub fn token_of(link: &str) -> String {
    link.split("k=").nth(1).expect("a link has a token").to_owned()
}

impl TestApp {
    /// The server's rooms (only for a server in this process).
    pub fn rooms(&self) -> &Rooms {
        &self.state.as_ref().expect("the server runs in this process").rooms
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn request(&self, method: Method, path: &str, credential: Option<&str>) -> RequestBuilder {
        let request = self.client.request(method, self.url(path)).header("accept-language", "en");
        match credential {
            Some(credential) => request.bearer_auth(credential),
            None => request,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        credential: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method, path, credential);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        decode(response).await
    }

    pub async fn create_session(&self, body: Value) -> Session {
        let (status, body) = self.send(Method::POST, "/api/sessions", None, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        Session {
            id: body["session_id"].as_str().expect("an id").to_owned(),
            facilitator_link: body["facilitator_link"].as_str().expect("a link").to_owned(),
            participant_link: body["participant_link"].as_str().expect("a link").to_owned(),
            facilitator: body["credential"].as_str().expect("a credential").to_owned(),
            body,
        }
    }

    pub async fn create_heidag(&self) -> Session {
        self.create_session(json!({
            "title": "Strategiedag Bakkerij Jansen",
            "organisation": "Bakkerij Jansen",
            "language": "nl",
            "meeting_link": "https://meet.jit.si/bakkerij-jansen",
            "model": "heidag",
            "facilitator_name": "Fay",
            "settings": {"start": "2026-12-03T09:00", "time_zone": "Europe/Amsterdam"}
        }))
        .await
    }

    /// Joins through `link` and returns the participant's id and credential.
    pub async fn join(&self, session: &Session, link: &str, name: &str) -> (u64, String) {
        let (status, body) = self
            .send(
                Method::POST,
                &format!("/api/sessions/{}/join", session.id),
                None,
                Some(json!({"token": token_of(link), "display_name": name})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (body["participant_id"].as_u64().expect("an id"), body["credential"].as_str().expect("a credential").to_owned())
    }

    /// Rotates the session's `kind` link ("facilitator" or "participant") as its creator.
    pub async fn rotate(&self, session: &Session, kind: &str) -> StatusCode {
        let path = format!("/api/sessions/{}/links/{kind}/rotate", session.id);
        self.send(Method::POST, &path, Some(&session.facilitator), None).await.0
    }

    pub async fn session(&self, session: &Session, credential: &str) -> Value {
        let (status, body) =
            self.send(Method::GET, &format!("/api/sessions/{}", session.id), Some(credential), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Stops the server and closes the database, as a shutdown would.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("the server task ends").expect("the server stops cleanly");
        }
        if let Some(store) = self.store.take() {
            store.close().await;
        }
    }
}

pub async fn decode(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("a body");
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// The part titles of a session body, in order.
pub fn part_titles(session: &Value) -> Vec<String> {
    session["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|p| p["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A live-room client over a real WebSocket.
pub struct LiveClient {
    ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    /// The newest seq this client has seen.
    pub seq: u64,
    pub welcome: Value,
    /// Every event frame received, in order.
    pub events: Vec<Value>,
    /// Fences sent so far, to give each its own op id.
    fences: u32,
}

pub type WsMessage = tokio_tungstenite::tungstenite::Message;

impl TestApp {
    pub fn live_url(&self, session: &Session) -> String {
        format!("{}/api/sessions/{}/live", self.base.replace("http://", "ws://"), session.id)
    }

    /// Opens the WebSocket with `credential` (and any extra headers) without saying hello.
    pub async fn open_live(
        &self,
        session: &Session,
        credential: &str,
        headers: &[(&str, &str)],
    ) -> Result<LiveClient, tokio_tungstenite::tungstenite::Error> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = self.live_url(session).into_client_request()?;
        request.headers_mut().insert("authorization", format!("Bearer {credential}").parse().expect("a header"));
        for (name, value) in headers {
            request.headers_mut().insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).expect("a name"),
                value.parse().expect("a value"),
            );
        }
        let (ws, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(LiveClient { ws, seq: 0, welcome: Value::Null, events: Vec::new(), fences: 0 })
    }

    /// Connects, says hello (resuming after `last_seq`) and reads the welcome.
    pub async fn connect_live(&self, session: &Session, credential: &str, last_seq: Option<u64>) -> LiveClient {
        let client = self.open_live(session, credential, &[]).await.expect("the upgrade succeeds");
        Self::hello(client, last_seq).await
    }

    /// Connects to the session with this id, as [`TestApp::connect_live`] does.
    pub async fn connect_live_as(&self, id: &str, credential: &str) -> LiveClient {
        let session = Session {
            id: id.to_owned(),
            facilitator_link: String::new(),
            participant_link: String::new(),
            facilitator: credential.to_owned(),
            body: Value::Null,
        };
        self.connect_live(&session, credential, None).await
    }

    async fn hello(mut client: LiveClient, last_seq: Option<u64>) -> LiveClient {
        client.send_json(json!({"type": "hello", "protocol": 1, "last_seq": last_seq})).await;
        let welcome = client.next_of("welcome").await;
        // Missed events follow the welcome; they start right after `last_seq`.
        client.seq = match (welcome["catch_up"].as_str(), last_seq) {
            (Some("events"), Some(last)) => last,
            _ => welcome["seq"].as_u64().expect("a seq"),
        };
        client.welcome = welcome;
        client
    }
}

impl LiveClient {
    pub async fn send_json(&mut self, value: Value) {
        use futures_util::SinkExt;
        self.ws.send(WsMessage::Text(value.to_string().into())).await.expect("the frame is sent");
    }

    pub async fn send_raw(&mut self, message: WsMessage) {
        use futures_util::SinkExt;
        self.ws.send(message).await.expect("the frame is sent");
    }

    pub async fn op(&mut self, client_op_id: &str, op: Value) {
        self.send_json(json!({"type": "op", "client_op_id": client_op_id, "op": op})).await;
    }

    /// The next frame within `wait`, or None. Close frames come back as `{"type": "close", …}`.
    pub async fn next_within(&mut self, wait: std::time::Duration) -> Option<Value> {
        use futures_util::StreamExt;
        loop {
            let message = tokio::time::timeout(wait, self.ws.next()).await.ok()??;
            match message {
                Ok(WsMessage::Text(text)) => {
                    let value: Value = serde_json::from_str(&text).expect("the server sends JSON");
                    if value["type"] == "event" {
                        let seq = value["seq"].as_u64().expect("an event has a seq");
                        assert_eq!(seq, self.seq + 1, "events arrive in order without gaps: {value}");
                        self.seq = seq;
                        self.events.push(value.clone());
                    }
                    return Some(value);
                }
                Ok(WsMessage::Close(frame)) => {
                    let (code, reason) = frame.map(|f| (u16::from(f.code), f.reason.to_string())).unwrap_or_default();
                    return Some(json!({"type": "close", "code": code, "reason": reason}));
                }
                Ok(_) => continue,
                Err(_) => return Some(json!({"type": "close", "code": 0, "reason": "error"})),
            }
        }
    }

    /// The next frame of `kind`, skipping presence; panics after five seconds.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let value = self
                .next_within(std::time::Duration::from_secs(5))
                .await
                .unwrap_or_else(|| panic!("no {kind} within 5 s"));
            if value["type"] == kind {
                return value;
            }
            assert!(value["type"] == "presence" || value["type"] == "event", "expected {kind}, got {value}");
        }
    }

    /// Sends an op and returns its ack or reject, skipping events and presence.
    pub async fn call(&mut self, client_op_id: &str, op: Value) -> Value {
        self.op(client_op_id, op).await;
        loop {
            let value = self.next_within(std::time::Duration::from_secs(5)).await.expect("an answer within 5 s");
            if (value["type"] == "ack" || value["type"] == "reject") && value["client_op_id"] == client_op_id {
                return value;
            }
            if value["type"] == "error" || value["type"] == "close" {
                return value;
            }
        }
    }

    /// Every frame up to the one that brings event `seq` (none when it was seen
    /// already); panics after [`WAIT`].
    pub async fn wait_for_seq(&mut self, seq: u64) -> Vec<Value> {
        let mut frames = Vec::new();
        while self.seq < seq {
            let have = self.seq;
            let frame = self
                .next_within(WAIT)
                .await
                .unwrap_or_else(|| panic!("waited {WAIT:?} in vain for seq {seq}; the last was {have}"));
            assert!(frame["type"] != "close", "closed while waiting for seq {seq}: {frame}");
            frames.push(frame);
        }
        frames
    }

    /// Every frame that arrives before the answer to a fence: an op the domain always
    /// refuses (moving a sticky that does not exist), answered by the room after
    /// everything it queued for this connection before (see the module's notes).
    pub async fn fence(&mut self) -> Vec<Value> {
        self.fences += 1;
        let id = format!("fence-{}", self.fences);
        self.op(&id, json!({"type": "move_sticky", "sticky_id": 999_999, "x": 0, "y": 0})).await;
        let mut frames = Vec::new();
        loop {
            let frame = self.next_within(WAIT).await.unwrap_or_else(|| panic!("no answer to {id} within {WAIT:?}"));
            if frame["client_op_id"] == id.as_str() {
                assert_eq!(frame["code"], "unknown_sticky", "the room refuses a fence: {frame}");
                return frames;
            }
            assert!(frame["type"] != "close", "closed while waiting for {id}: {frame}");
            frames.push(frame);
        }
    }

    /// Every frame up to and including the close; panics after [`WAIT`] without one.
    pub async fn until_close(&mut self) -> Vec<Value> {
        let mut frames = Vec::new();
        loop {
            let frame = self.next_within(WAIT).await.unwrap_or_else(|| panic!("no close within {WAIT:?}"));
            let closed = frame["type"] == "close";
            frames.push(frame);
            if closed {
                return frames;
            }
        }
    }

    /// Every frame until `count` ops have been answered (acked or refused); panics
    /// after [`WAIT`] without a frame.
    pub async fn until_answers(&mut self, count: usize) -> Vec<Value> {
        let mut frames = Vec::new();
        let mut answered = 0;
        while answered < count {
            let frame = self
                .next_within(WAIT)
                .await
                .unwrap_or_else(|| panic!("{answered} of {count} ops answered within {WAIT:?}"));
            assert!(frame["type"] != "close", "closed after {answered} of {count} answers: {frame}");
            if frame["type"] == "ack" || frame["type"] == "reject" {
                answered += 1;
            }
            frames.push(frame);
        }
        frames
    }

    /// Every frame until `quiet` passes without one, or up to a close. Tests wait for
    /// what they expect instead (above); this one reads out a socket until it closes.
    pub async fn drain(&mut self, quiet: std::time::Duration) -> Vec<Value> {
        let mut frames = Vec::new();
        while let Some(value) = self.next_within(quiet).await {
            let closed = value["type"] == "close";
            frames.push(value);
            if closed {
                break;
            }
        }
        frames
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }

    /// The strategy as this client holds it: the welcome's, with every
    /// `strategy_changed` event received since applied, as the browser does.
    pub fn strategy(&self) -> Value {
        let mut strategy = self.welcome["snapshot"]["strategy"].clone();
        for frame in self.events.iter().filter(|f| f["event"]["type"] == "strategy_changed") {
            let changes = serde_json::from_value(frame["event"]["changes"].clone()).expect("changes");
            heisessie_server::strategy_diff::apply(&mut strategy, &changes);
        }
        strategy
    }
}

/// The real server in a child process, with its log collected.
pub struct ChildServer {
    child: Child,
    pub base: String,
    log: Arc<Mutex<String>>,
}

impl ChildServer {
    /// Starts `heisessie serve` on a free port; SIGXFSZ is ignored (a shell trap,
    /// inherited across exec) so that a write past a file-size limit fails instead of
    /// killing the process.
    pub fn start(data_dir: &Path) -> ChildServer {
        let mut child = Command::new("bash")
            .args(["-c", "trap '' XFSZ; exec \"$0\" serve --addr 127.0.0.1:0 --data-dir \"$1\""])
            .arg(env!("CARGO_BIN_EXE_heisessie"))
            .arg(data_dir)
            .env("RUST_LOG", "info,sqlx=warn")
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let log = Arc::new(Mutex::new(String::new()));
        let address = loop {
            let mut line = String::new();
            let read = stderr.read_line(&mut line).expect("a log line");
            assert!(
                read > 0,
                "the server exited early: {}",
                log.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
            );
            log.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push_str(&line);
            if let Some(rest) = line.split("addr=").nth(1) {
                break rest.split_whitespace().next().expect("an address").to_owned();
            }
        };
        // Keep reading the log, or the server would block on a full pipe.
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                log.push_str(&line);
                log.push('\n');
            }
        });
        ChildServer { child, base: format!("http://{address}"), log }
    }

    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Sets the server's file-size limit (soft; the hard limit stays unlimited).
    pub fn limit_file_size(&self, bytes: Option<u64>) {
        let value = match bytes {
            Some(bytes) => format!("--fsize={bytes}:unlimited"),
            None => "--fsize=unlimited:unlimited".to_owned(),
        };
        let status = Command::new("prlimit")
            .args(["--pid", &self.pid(), &value])
            .status()
            .expect("prlimit (util-linux) runs; the disk-full test needs it");
        assert!(status.success(), "prlimit {value} failed");
    }

    pub fn kill(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}
