//! Starts the real app for a test and speaks to it in typed helpers.

use std::path::Path;
use std::sync::Arc;

use heisessie_server::AppState;
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
    store: SqliteStore,
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
    let store = SqliteStore::open(data_dir).await.expect("the store opens");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let state = AppState::new(Arc::new(store.clone()), &base);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(heisessie_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    TestApp {
        base,
        client: Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client"),
        _dir: None,
        stop: Some(stop),
        server: Some(server),
        store,
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
        self.store.close().await;
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
