//! The web server: the JSON API, the HTML pages and (next) the live rooms.
//!
//! It holds no business rules: it parses requests into domain values, checks who is
//! calling, lets the domain decide and the store commit, and renders the outcome.

pub mod access;
pub mod api;
mod assets;
pub mod clock;
mod connection;
pub mod demo;
pub mod error;
pub mod exports;
pub mod i18n;
pub mod limits;
pub mod live;
mod pages;
mod pdf_export;
pub mod protocol;
mod qr;
pub mod rooms;
pub mod strategy_diff;
pub mod strategy_view;
pub mod views;

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use heisessie_store::Store;
use tokio::net::TcpListener;

use crate::error::ApiError;
use crate::limits::{LimitState, Limits};
use crate::live::{AddressCounts, LiveConfig, LiveRegistry};
use crate::rooms::{RoomConfig, Rooms};

/// Requests larger than this are refused: a model file is the largest thing we take.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub rooms: Rooms,
    pub live: LiveConfig,
    pub address_counts: Arc<AddressCounts>,
    /// Flips to `true` when the server shuts down, so live connections close cleanly.
    pub shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    /// The address links are built on, e.g. `http://127.0.0.1:8080` (no trailing slash).
    pub public_url: String,
    /// Mark cookies `Secure` (when served over https).
    pub secure_cookies: bool,
    /// The limits and their counters (rates, the PDF gate, the HTTP timeouts).
    pub limits: Arc<LimitState>,
    /// The open WebSockets by session, so that rotating a link can close them.
    pub connections: Arc<LiveRegistry>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, public_url: &str) -> Self {
        Self::with_config(store, public_url, RoomConfig::default(), LiveConfig::default())
    }

    pub fn with_config(store: Arc<dyn Store>, public_url: &str, rooms: RoomConfig, live: LiveConfig) -> Self {
        let public_url = public_url.trim_end_matches('/').to_owned();
        AppState {
            rooms: Rooms::new(store.clone(), rooms),
            live,
            address_counts: Arc::default(),
            shutdown: Arc::new(tokio::sync::watch::channel(false).0),
            store,
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            limits: Arc::new(LimitState::new(Limits::default())),
            connections: Arc::default(),
        }
    }

    /// The same state with the operator's limits instead of the defaults.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = Arc::new(LimitState::new(limits));
        self
    }
}

/// The client's address, when the app runs behind a socket (not in a test's oneshot).
pub fn client_address(request_extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    request_extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|ConnectInfo(address)| address.ip())
}

/// The whole application as a router, so tests can also drive it without a socket.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/models", get(api::list_models))
        .route("/qr", post(qr::qr))
        .route("/check-goal", post(api::check_goal))
        .route("/openapi.json", get(openapi))
        .route("/sessions", post(api::create_session))
        .route("/sessions/{id}", get(api::get_session).patch(api::edit_session))
        .route("/sessions/{id}/schedule", get(api::get_schedule))
        .route("/sessions/{id}/replan", post(api::replan))
        .route("/sessions/{id}/parts", post(api::add_part))
        .route("/sessions/{id}/parts/{part_id}", axum::routing::patch(api::retime_part).delete(api::remove_part))
        .route("/sessions/{id}/parts/{part_id}/move", post(api::move_part))
        .route("/sessions/{id}/join", post(api::join))
        .route("/sessions/{id}/roles", post(api::assign_role))
        .route("/sessions/{id}/participants/{participant_id}", axum::routing::delete(api::remove_participant))
        .route("/sessions/{id}/links/{kind}/rotate", post(api::rotate_link))
        .route("/sessions/{id}/live", get(live::live))
        .route("/sessions/{id}/strategy", get(api::get_strategy))
        .route("/sessions/{id}/exports/{file}", get(api::export));
    Router::new()
        .nest("/api", api)
        .merge(pages::routes())
        .route("/assets/{file}", get(assets::asset))
        .route("/healthz", get(api::healthz))
        .fallback(|| async { ApiError::RouteNotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(plain_errors_as_api_errors))
        .layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .layer(middleware::from_fn_with_state(state.clone(), limit_session_creation))
        .layer(middleware::from_fn(error::localize_errors))
        .layer(middleware::from_fn(no_store))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(log_requests))
        .with_state(state)
}

/// Whether a request's `Origin`, when it has one, is this server's own: the public
/// address, or the address the request was sent to. Browsers send `Origin` with every
/// cross-site request that changes something (and with every WebSocket); programs that
/// send none carry their credential explicitly.
pub fn origin_allowed(headers: &HeaderMap, public_url: &str) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin.eq_ignore_ascii_case(public_url) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    origin.split_once("://").is_some_and(|(scheme, rest)| matches!(scheme, "http" | "https") && rest == host)
}

/// Middleware: every request that may change something (any method but GET, HEAD and
/// OPTIONS) from another site's page is refused, body or not. In one place, so that no
/// endpoint can forget it.
async fn check_origin(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || origin_allowed(request.headers(), &app.public_url) {
        return next.run(request).await;
    }
    tracing::info!(path = request.uri().path(), "refused: a request from another site");
    if request.uri().path().starts_with("/api/") {
        return ApiError::ForeignOrigin.into_response();
    }
    // A form of ours posted from another site's page: a page, in the person's language.
    let lang = error::request_lang(request.headers(), request.uri().query());
    pages::message_page(lang, StatusCode::FORBIDDEN, "error.foreign_origin")
}

/// Middleware: session creation (the API, the home page's form, the demo, a follow-up
/// session) is rate-limited per client address. Only sessions made count: a request
/// refused for a bad field gives its token back.
async fn limit_session_creation(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let creates = request.method() == Method::POST
        && (matches!(path, "/api/sessions" | "/sessions" | "/demo") || path.ends_with("/follow-up/session"));
    let Some(address) = client_address(request.extensions()).filter(|_| creates) else {
        return next.run(request).await;
    };
    if let Err(wait) = app.limits.sessions_by_address.take(address) {
        tracing::info!(%address, "refused: too many sessions created from one address");
        return ApiError::Throttled(wait).into_response();
    }
    let response = next.run(request).await;
    if response.status().is_client_error() {
        app.limits.sessions_by_address.give_back(address);
    }
    response
}

/// Middleware: the errors axum answers itself (a query string or form that does not
/// parse, a refused upgrade) are plain text; they become our JSON error like any other.
async fn plain_errors_as_api_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let detail = match axum::body::to_bytes(response.into_body(), 4096).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::NOT_FOUND => ApiError::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        _ if status.is_server_error() => ApiError::Internal(detail),
        _ if detail.starts_with("Failed to deserialize query string") => ApiError::InvalidQuery { detail },
        _ => ApiError::InvalidBody { detail, field: None },
    };
    error.into_response()
}

/// Middleware: nothing we answer is for a shared cache, and answers that carry a
/// credential or a link token (a new session, a join, the join page, a rotated link)
/// must not be kept by any cache at all. Only the static files set their own rule.
async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], api::openapi_json()).into_response()
}

use axum::response::IntoResponse;

/// Headers for every response. The Content-Security-Policy allows only our own
/// scripts and styles; `same-origin` keeps link tokens (in query strings) out of other
/// sites' logs while our own forms still carry their Origin.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// One log line per request. Only the path is logged: query strings carry link tokens.
async fn log_requests(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// Serves the app on `listener` until `shutdown` resolves, then finishes the requests
/// in flight. Taking the listener lets tests bind port 0 and the CLI bind its address.
///
/// Each connection is served by hyper under the limits of `state.limits`: at most
/// `max_open_connections` at once (HTTP and WebSocket alike; the rest wait in the
/// listen backlog), a request's headers within `header_read_timeout`, and a kept-alive
/// connection with nothing to do closed after `idle_timeout`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.limits.limits.clone();
    let signal = state.shutdown.clone();
    let router = app(state);
    let open = Arc::new(tokio::sync::Semaphore::new(limits.max_open_connections.max(1)));
    // Connections hold a receiver; when the last is gone, every connection has ended.
    let (stopping_tx, stopping_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = open.clone().acquire_owned() => permit,
            () = &mut shutdown => break,
        };
        let Ok(permit) = permit else { break };
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Without TCP_NODELAY a small frame written right after another waits for the
        // client's delayed ACK: up to 40 ms on Linux, for every ack that follows an event.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let connection = connection::Served::new(tcp, remote, permit, &limits);
        tokio::spawn(connection.run(router.clone(), stopping_rx.clone()));
    }
    // Live connections close with "going away"; then the requests in flight finish.
    let _ = signal.send(true);
    let _ = stopping_tx.send(true);
    drop(stopping_rx);
    drop(listener);
    stopping_tx.closed().await;
    Ok(())
}
