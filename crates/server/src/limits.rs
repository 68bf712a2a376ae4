//! The limits that keep one user from taking the server down: rates per address, per
//! session and per participant, HTTP timeouts and a cap on open connections, and a gate
//! on PDF typesetting. The operator sets them on `serve`; docs/reliability.md lists them.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use heisessie_domain::session::ParticipantId;
use heisessie_store::SessionId;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// The operator's limits. Rates are "so many per minute": a bucket that holds that many
/// and refills evenly over the minute, so a burst up to the rate passes at once.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A client must send a request's headers within this time of connecting or of the
    /// previous response (slow-loris).
    pub header_read_timeout: Duration,
    /// A kept-alive HTTP connection with no request and no traffic for this long is
    /// closed; so is one whose request stops sending (or stops reading) for this long.
    pub idle_timeout: Duration,
    /// Open connections at once, HTTP and WebSocket; more wait in the listen backlog.
    pub max_open_connections: usize,
    /// A WebSocket that has not said `hello` within this time is closed.
    pub hello_timeout: Duration,
    /// Sessions one address may create per minute.
    pub sessions_per_minute_per_address: u32,
    /// Joins from one address per minute (a team behind one office router shares it).
    pub joins_per_minute_per_address: u32,
    /// Joins through a session's participant link per minute. The facilitator link is
    /// never held back by this one, so someone flooding the participant link cannot
    /// keep the facilitator out.
    pub joins_per_minute_per_session: u32,
    /// Ops one participant may send per second across all their connections.
    pub ops_per_second_per_participant: u32,
    /// Presence updates a connection forwards per second; the newest of those in between
    /// goes out when the interval has passed (coalesced, never lost).
    pub presence_per_second: u32,
    /// PDFs typeset at the same time (each takes a core and tens of megabytes).
    pub pdf_concurrency: usize,
    /// PDF requests that may wait for their turn; beyond that the answer is "busy, try again".
    pub pdf_queue: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_open_connections: 20_000,
            hello_timeout: Duration::from_secs(10),
            sessions_per_minute_per_address: 10,
            joins_per_minute_per_address: 60,
            joins_per_minute_per_session: 60,
            ops_per_second_per_participant: 40,
            presence_per_second: 5,
            pdf_concurrency: 2,
            pdf_queue: 8,
        }
    }
}

/// A token bucket: holds at most `burst` tokens and gains `rate` a second.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Token buckets by key (an address, a session, a participant), forgotten once full
/// again so that the map stays as small as the set of recent callers.
pub struct RateLimiter<K> {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
}

/// Buckets kept before the full ones are swept out.
const SWEEP_ABOVE: usize = 4096;

impl<K: Eq + Hash + Copy> RateLimiter<K> {
    /// `rate` tokens a second, at most `burst` at once. A rate of zero lets nothing through.
    pub fn new(rate: f64, burst: f64) -> Self {
        RateLimiter { rate: rate.max(0.0), burst: burst.max(1.0), buckets: Mutex::default() }
    }

    /// So many a minute, as a bucket of that size refilled over the minute.
    pub fn per_minute(count: u32) -> Self {
        Self::new(f64::from(count) / 60.0, f64::from(count))
    }

    /// Returns a token taken for something that did not happen after all (a refused
    /// request), so that fixing a typo does not use up the budget.
    pub fn give_back(&self, key: K) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(bucket) = buckets.get_mut(&key) {
            bucket.tokens = (bucket.tokens + 1.0).min(self.burst);
        }
    }

    /// Takes a token for `key`; when there is none, how long until there is.
    pub fn take(&self, key: K) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > SWEEP_ABOVE {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, b| b.tokens + now.duration_since(b.last).as_secs_f64() * rate < burst);
        }
        let bucket = buckets.entry(key).or_insert(Bucket { tokens: self.burst, last: now });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.last).as_secs_f64() * self.rate).min(self.burst);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        if self.rate <= 0.0 {
            return Err(Duration::from_secs(60));
        }
        Err(Duration::from_secs_f64(((1.0 - bucket.tokens) / self.rate).min(3600.0)))
    }
}

/// The gate in front of PDF typesetting: `running` at a time, `waiting` more in line.
pub struct PdfGate {
    admitted: Arc<Semaphore>,
    running: Arc<Semaphore>,
}

/// A PDF's turn; typesetting may go on while it is held.
pub struct PdfTurn {
    _admitted: OwnedSemaphorePermit,
    _running: OwnedSemaphorePermit,
}

/// How long a refused PDF request is told to wait.
pub const PDF_RETRY_AFTER: Duration = Duration::from_secs(5);

impl PdfGate {
    pub fn new(running: usize, waiting: usize) -> Self {
        let running = running.max(1);
        PdfGate {
            admitted: Arc::new(Semaphore::new(running.saturating_add(waiting))),
            running: Arc::new(Semaphore::new(running)),
        }
    }

    /// Waits for a turn, or answers "busy" at once when the line is full.
    pub async fn turn(&self) -> Result<PdfTurn, ApiError> {
        let admitted = self.admitted.clone().try_acquire_owned().map_err(|_| ApiError::Busy(PDF_RETRY_AFTER))?;
        let running =
            self.running.clone().acquire_owned().await.map_err(|_| ApiError::Internal("the PDF gate closed".into()))?;
        Ok(PdfTurn { _admitted: admitted, _running: running })
    }
}

/// The limits as the running server holds them: the settings and their counters.
pub struct LimitState {
    pub limits: Limits,
    pub sessions_by_address: RateLimiter<IpAddr>,
    pub joins_by_address: RateLimiter<IpAddr>,
    pub joins_by_session: RateLimiter<SessionId>,
    pub ops_by_participant: RateLimiter<(SessionId, ParticipantId)>,
    pub pdf: PdfGate,
}

impl LimitState {
    pub fn new(limits: Limits) -> Self {
        let ops = f64::from(limits.ops_per_second_per_participant);
        LimitState {
            sessions_by_address: RateLimiter::per_minute(limits.sessions_per_minute_per_address),
            joins_by_address: RateLimiter::per_minute(limits.joins_per_minute_per_address),
            joins_by_session: RateLimiter::per_minute(limits.joins_per_minute_per_session),
            // A second's worth at once, twice over: a burst of typing passes.
            ops_by_participant: RateLimiter::new(ops, ops * 2.0),
            pdf: PdfGate::new(limits.pdf_concurrency, limits.pdf_queue),
            limits,
        }
    }

    /// The interval between two presence updates a connection forwards.
    pub fn presence_interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / f64::from(self.limits.presence_per_second.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_lets_a_burst_through_then_refuses_with_the_wait() {
        let limiter = RateLimiter::per_minute(3);
        for _ in 0..3 {
            assert_eq!(limiter.take(1u8), Ok(()));
        }
        let wait = limiter.take(1u8).unwrap_err();
        assert!(wait > Duration::from_secs(15) && wait <= Duration::from_secs(20), "{wait:?}");
        assert_eq!(limiter.take(2u8), Ok(()), "another key has its own bucket");
    }

    #[test]
    fn full_buckets_are_swept_out() {
        // Refilled at once: every bucket is full again by the next call.
        let limiter = RateLimiter::new(1e12, 1.0);
        for key in 0..(SWEEP_ABOVE as u32 + 2) {
            let _ = limiter.take(key);
        }
        assert!(limiter.buckets.lock().unwrap().len() < SWEEP_ABOVE / 2);
        // Empty ones stay: forgetting them would hand out a fresh budget.
        let limiter = RateLimiter::new(0.0, 1.0);
        for key in 0..(SWEEP_ABOVE as u32 + 2) {
            let _ = limiter.take(key);
        }
        assert_eq!(limiter.buckets.lock().unwrap().len(), SWEEP_ABOVE + 2);
        assert!(limiter.take(0).is_err());
    }

    #[test]
    fn a_token_given_back_can_be_taken_again() {
        let limiter = RateLimiter::per_minute(1);
        assert!(limiter.take(7u8).is_ok());
        assert!(limiter.take(7u8).is_err());
        limiter.give_back(7u8);
        assert!(limiter.take(7u8).is_ok());
    }

    #[tokio::test]
    async fn the_pdf_gate_queues_then_says_busy() {
        let gate = PdfGate::new(1, 1);
        let first = gate.turn().await.unwrap();
        let waiting = tokio::spawn({
            let admitted = gate.admitted.clone();
            let running = gate.running.clone();
            async move {
                let gate = PdfGate { admitted, running };
                gate.turn().await.map(|_| ())
            }
        });
        tokio::task::yield_now().await;
        while gate.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(gate.turn().await, Err(ApiError::Busy(_))));
        drop(first);
        assert!(waiting.await.unwrap().is_ok());
    }
}
