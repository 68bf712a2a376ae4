//! The web server: the JSON API, the HTML pages and (next) the live rooms.
//!
//! It holds no business rules: it parses requests into domain values, checks who is
//! calling, lets the domain decide and the store commit, and renders the outcome.

pub mod access;
pub mod api;
mod assets;
pub mod clock;
pub mod demo;
pub mod error;
pub mod exports;
pub mod i18n;
pub mod live;
mod pages;
mod pdf_export;
pub mod protocol;
mod qr;
pub mod rooms;
pub mod strategy_diff;
pub mod strategy_view;

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use heisessie_store::Store;
use tokio::net::TcpListener;

use crate::error::ApiError;
use crate::live::{AddressCounts, LiveConfig};
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
        }
    }
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
        .layer(middleware::from_fn(error::localize_errors))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(log_requests))
        .with_state(state)
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
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let signal = state.shutdown.clone();
    let shutdown = async move {
        shutdown.await;
        // Live connections close with "going away"; then the requests in flight finish.
        let _ = signal.send(true);
    };
    // Without TCP_NODELAY a small frame written right after another waits for the
    // client's delayed ACK: up to 40 ms on Linux, for every ack that follows an event.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
