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
        self.elapsed_before_ms.saturating_add(current)
    }

    /// Milliseconds left at `now_ms`; negative once the timer runs over.
    pub fn remaining_ms(&self, now_ms: i64) -> i64 {
        millis(self.duration_ms).saturating_sub(millis(self.elapsed_ms(now_ms)))
    }

    /// The change in milliseconds that extending by `seconds` makes (negative takes
    /// time off), or, when the extension is zero, larger than `MAX_EXTEND_SECONDS`
    /// either way, or would leave the timer outside its bounds, the length in seconds
    /// it would have had, for the rejection. No value of `seconds` can overflow.
    pub fn extension_ms(&self, seconds: i32) -> Result<i64, i64> {
        let by_ms = i64::from(seconds) * 1000;
        let new_duration_ms = millis(self.duration_ms).saturating_add(by_ms);
        let fits = seconds != 0
            && seconds.unsigned_abs() <= MAX_EXTEND_SECONDS.unsigned_abs()
            && (i64::from(MIN_TIMER_SECONDS) * 1000..=i64::from(MAX_TIMER_SECONDS) * 1000).contains(&new_duration_ms);
        if fits { Ok(by_ms) } else { Err(new_duration_ms / 1000) }
    }

    /// The length after an extension of `by_ms`, never below zero nor past `u64::MAX`.
    pub fn extended_duration_ms(&self, by_ms: i64) -> u64 {
        if by_ms >= 0 {
            self.duration_ms.saturating_add(by_ms.unsigned_abs())
        } else {
            self.duration_ms.saturating_sub(by_ms.unsigned_abs())
        }
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
        let run_start = since.saturating_sub(millis(self.elapsed_before_ms));
        let end = run_start.saturating_add(millis(self.duration_ms));
        self.pending_warnings(warnings)
            .map(|w| end.saturating_sub(i64::from(w) * 1000))
            .chain(std::iter::once(end))
            .map(|due| due.max(now_ms))
            .min()
    }
}

/// Milliseconds as a signed count, saturating: stored timers are far below `i64::MAX`,
/// but arithmetic on them must not panic whatever a log holds.
fn millis(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_at_the_extremes_are_refused_without_overflow() {
        let timer = Timer::new(PartId(1), 10 * 60_000, 0);
        assert_eq!(timer.extension_ms(60), Ok(60_000));
        assert_eq!(timer.extension_ms(-60), Ok(-60_000));
        for seconds in [0, i32::MIN, i32::MIN + 1, i32::MAX, MAX_EXTEND_SECONDS + 1, -MAX_EXTEND_SECONDS - 1, -600] {
            assert!(timer.extension_ms(seconds).is_err(), "{seconds}");
        }
        assert_eq!(timer.extended_duration_ms(i64::MIN), 0);
        assert_eq!(timer.extended_duration_ms(i64::MAX), 10 * 60_000 + i64::MAX as u64);
    }

    #[test]
    fn the_clock_arithmetic_saturates_on_extreme_values() {
        let timer = Timer {
            part: PartId(1),
            duration_ms: u64::MAX,
            running_since_ms: Some(i64::MIN),
            elapsed_before_ms: u64::MAX,
            warned: Vec::new(),
            ended: false,
        };
        assert_eq!(timer.elapsed_ms(i64::MAX), u64::MAX);
        assert_eq!(timer.remaining_ms(i64::MAX), 0);
        assert!(timer.next_due_ms(i64::MAX, &[u32::MAX, 60]).is_some());
    }
}
