//! One accepted TCP connection, served by hyper under the HTTP limits: the time a client
//! may take to send a request's headers, the time a kept-alive connection may sit idle,
//! and a place among the open connections (held until the connection closes, also when
//! it became a WebSocket).
//!
//! hyper's own header timeout also runs while a kept-alive connection waits for its next
//! request, so it cannot tell "slow" from "idle". Instead the connection's bytes are
//! watched here: bytes of a request that has not started yet must complete its headers
//! within the header timeout; no bytes at all for the idle timeout ends the connection.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

use crate::limits::Limits;

/// Marks "no request is being received".
const NONE: u64 = u64::MAX;

/// What the watchdog of a connection reads: milliseconds since the connection opened.
struct Activity {
    opened: Instant,
    /// The last byte read or written, or the end of the last request.
    last_ms: AtomicU64,
    /// Requests being answered.
    in_flight: AtomicUsize,
    /// When the first byte of the next request arrived (`NONE`: none yet). A new
    /// connection counts as receiving a request from the start.
    head_since_ms: AtomicU64,
}

impl Activity {
    fn now_ms(&self) -> u64 {
        self.opened.elapsed().as_millis() as u64
    }

    fn bytes_read(&self) {
        let now = self.now_ms();
        self.last_ms.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Relaxed) == 0 {
            let _ = self.head_since_ms.compare_exchange(NONE, now, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    fn bytes_written(&self) {
        self.last_ms.store(self.now_ms(), Ordering::Relaxed);
    }
}

/// Counts a request as in flight while it lives.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        activity.head_since_ms.store(NONE, Ordering::Relaxed);
        InFlight(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.last_ms.store(self.0.now_ms(), Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The TCP stream, noting its traffic, and the connection's place among the open ones.
struct WatchedStream {
    tcp: TcpStream,
    activity: Arc<Activity>,
    _place: OwnedSemaphorePermit,
}

impl AsyncRead for WatchedStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.tcp).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.bytes_read();
        }
        polled
    }
}

impl AsyncWrite for WatchedStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.tcp).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.bytes_written();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.tcp).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.bytes_written();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}

/// An accepted connection, ready to be served.
pub(crate) struct Served {
    stream: WatchedStream,
    remote: SocketAddr,
    header_timeout: Duration,
    idle_timeout: Duration,
}

impl Served {
    pub(crate) fn new(tcp: TcpStream, remote: SocketAddr, place: OwnedSemaphorePermit, limits: &Limits) -> Self {
        let activity = Arc::new(Activity {
            opened: Instant::now(),
            last_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            head_since_ms: AtomicU64::new(0),
        });
        Served {
            stream: WatchedStream { tcp, activity, _place: place },
            remote,
            header_timeout: limits.header_read_timeout,
            idle_timeout: limits.idle_timeout,
        }
    }

    /// Serves requests until the client leaves, a limit ends the connection, or the
    /// server stops (then the request in flight finishes first).
    pub(crate) async fn run(self, router: Router, mut stopping: tokio::sync::watch::Receiver<bool>) {
        let activity = self.stream.activity.clone();
        let remote = self.remote;
        let service = TowerToHyperService::new(router);
        let for_requests = activity.clone();
        let hyper_service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            let in_flight = InFlight::start(&for_requests);
            let answering = hyper::service::Service::call(&service, request);
            async move {
                let response = answering.await;
                drop(in_flight);
                response
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(self.stream), hyper_service)
            .with_upgrades();
        let mut connection = std::pin::pin!(connection);
        let watchdog = watch(activity, self.header_timeout, self.idle_timeout);
        let mut watchdog = std::pin::pin!(watchdog);
        let mut stopping_seen = false;
        loop {
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(error) = served {
                        tracing::debug!(%error, "a connection ended with an error");
                    }
                    break;
                }
                reason = &mut watchdog => {
                    tracing::debug!(%remote, reason, "connection closed by a limit");
                    break;
                }
                changed = stopping.changed(), if !stopping_seen => {
                    stopping_seen = true;
                    if changed.is_err() || *stopping.borrow() {
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
        }
    }
}

/// Resolves when the connection has broken a limit: its request's headers took too
/// long, it sat idle too long between requests, or a request's traffic stalled.
async fn watch(activity: Arc<Activity>, header_timeout: Duration, idle_timeout: Duration) -> &'static str {
    let header_ms = header_timeout.as_millis() as u64;
    let idle_ms = idle_timeout.as_millis() as u64;
    loop {
        let now = activity.now_ms();
        let (deadline, reason) = if activity.in_flight.load(Ordering::Relaxed) > 0 {
            // A request is being answered: a body that stops coming (or an answer that
            // is not read) for the idle time ends it too. No handler thinks that long.
            (activity.last_ms.load(Ordering::Relaxed).saturating_add(idle_ms), "stalled_request")
        } else {
            match activity.head_since_ms.load(Ordering::Relaxed) {
                NONE => (activity.last_ms.load(Ordering::Relaxed).saturating_add(idle_ms), "idle"),
                since => (since.saturating_add(header_ms), "header_timeout"),
            }
        };
        if now >= deadline {
            return reason;
        }
        tokio::time::sleep_until(activity.opened + Duration::from_millis(deadline.max(now + 1))).await;
    }
}
