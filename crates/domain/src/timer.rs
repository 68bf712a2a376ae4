//! The part timer. Time is the server's: every change carries the server's clock in
//! milliseconds, and the warnings and the end are events decided here from that clock,
//! recorded once, so a restart can never announce them twice.

use serde::{Deserialize, Serialize};

use crate::planner::PartId;

/// The shortest and longest timer that can be started: a second to eight hours.
pub const MIN_TIMER_SECONDS: u32 = 1;
pub const MAX_TIMER_SECONDS: u32 = 8 * 60 * 60;
/// The most an extension may add at once (two hours), or take off.
pub const MAX_EXTEND_SECONDS: i32 = 2 * 60 * 60;

/// The warnings a timer gives, in seconds left. The product default is 5 and 1 minute;
/// the server may configure others (tests use seconds).
pub const DEFAULT_WARNINGS_SECONDS: [u32; 2] = [5 * 60, 60];

/// A running or paused timer for one part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    pub part: PartId,
    pub duration_ms: u64,
    /// Server time the timer last started or resumed; `None` while paused.
    pub running_since_ms: Option<i64>,
    /// Time run before the last pause.
    pub elapsed_before_ms: u64,
    /// The warnings (seconds left) already given during this run.
    pub warned: Vec<u32>,
    pub ended: bool,
}

impl Timer {
    pub fn new(part: PartId, duration_ms: u64, now_ms: i64) -> Self {
        Timer {
            part,
            duration_ms,
            running_since_ms: Some(now_ms),
            elapsed_before_ms: 0,
            warned: Vec::new(),
            ended: false,
        }
    }

    pub fn is_running(&self) -> bool {
        self.running_since_ms.is_some()
    }

    /// Milliseconds run so far at `now_ms`.
    pub fn elapsed_ms(&self, now_ms: i64) -> u64 {
        let current = self.running_since_ms.map_or(0, |since| now_ms.saturating_sub(since).max(0) as u64);
        self.elapsed_before_ms + current
    }

    /// Milliseconds left at `now_ms`; negative once the timer runs over.
    pub fn remaining_ms(&self, now_ms: i64) -> i64 {
        self.duration_ms as i64 - self.elapsed_ms(now_ms) as i64
    }

    /// The warnings (seconds left) still to give in this run. A warning longer than the
    /// timer itself never applies: a 3-minute timer gets no "5 minutes left".
    pub fn pending_warnings<'a>(&'a self, warnings: &'a [u32]) -> impl Iterator<Item = u32> + 'a {
        warnings.iter().copied().filter(|w| !self.warned.contains(w) && self.duration_ms > u64::from(*w) * 1000)
    }

    /// Server time at which the next warning or the end falls due, if the timer runs.
    pub fn next_due_ms(&self, now_ms: i64, warnings: &[u32]) -> Option<i64> {
        let since = self.running_since_ms?;
        if self.ended {
            return None;
        }
        let run_start = since - self.elapsed_before_ms as i64;
        let end = run_start + self.duration_ms as i64;
        self.pending_warnings(warnings)
            .map(|w| end - i64::from(w) * 1000)
            .chain(std::iter::once(end))
            .map(|due| due.max(now_ms))
            .min()
    }
}
