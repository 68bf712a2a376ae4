//! The server's clock, an input like any other.
//!
//! The rooms and the live endpoint read the time only here: the moment an op is
//! decided at (and so every timer event's timestamp), the moment the timer's warnings
//! and end fall due, an event's `at_ms`, the welcome's and the pong's `server_time_ms`,
//! the actual time spent on each part in a snapshot, and "today" in the session's time
//! zone for the strategy's checks. In production it is the system's clock; a test sets
//! and advances a [`ManualClock`] instead and so decides when a timer ends, without
//! waiting for it.
//!
//! Durations that only pace the server keep tokio's timers, which no clock drives: the
//! presence interval, the idle unload, the storage retry and the rate limits.

use std::future::pending;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use tokio::sync::watch;

/// Where the time comes from. Cheap to clone; clones read the same time.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    manual: Option<Arc<watch::Sender<i64>>>,
}

impl Clock {
    /// The system's clock (UTC).
    pub fn system() -> Self {
        Clock { manual: None }
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match &self.manual {
            Some(time) => *time.borrow(),
            None => Utc::now().timestamp_millis(),
        }
    }

    /// Today in `time_zone`.
    pub fn today_in(&self, time_zone: chrono_tz::Tz) -> NaiveDate {
        day_in(self.now_ms(), time_zone)
    }

    /// Follows this clock's changes: a manual clock's moves wake the waiter, so that a
    /// room sleeping until its timer is due looks again; the system clock never does.
    pub fn watch(&self) -> ClockWatch {
        ClockWatch { moves: self.manual.as_ref().map(|time| time.subscribe()) }
    }
}

/// The day `at_ms` falls on in `time_zone`.
pub fn day_in(at_ms: i64, time_zone: chrono_tz::Tz) -> NaiveDate {
    DateTime::from_timestamp_millis(at_ms).unwrap_or_default().with_timezone(&time_zone).date_naive()
}

/// A clock that moves only when told to, for tests that drive time. It is shared: the
/// [`Clock`] made from it reads what it was last set to.
#[derive(Debug, Clone)]
pub struct ManualClock {
    time: Arc<watch::Sender<i64>>,
}

impl ManualClock {
    /// A clock standing at `at_ms` milliseconds since the Unix epoch.
    pub fn at(at_ms: i64) -> Self {
        ManualClock { time: Arc::new(watch::Sender::new(at_ms)) }
    }

    /// A clock standing at the system's time now.
    pub fn starting_now() -> Self {
        Self::at(Utc::now().timestamp_millis())
    }

    /// The clock to put into a configuration.
    pub fn clock(&self) -> Clock {
        Clock { manual: Some(self.time.clone()) }
    }

    pub fn now_ms(&self) -> i64 {
        *self.time.borrow()
    }

    pub fn set_ms(&self, at_ms: i64) {
        self.time.send_replace(at_ms);
    }

    /// Moves the clock on by `by`.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.time.send_modify(|time| *time = time.saturating_add(by));
    }
}

/// The changes of one clock, as [`Clock::watch`] hands them out.
pub struct ClockWatch {
    moves: Option<watch::Receiver<i64>>,
}

impl ClockWatch {
    /// Resolves when the clock was set or advanced since the last call; never for the
    /// system's clock.
    pub async fn moved(&mut self) {
        let moved = match &mut self.moves {
            Some(moves) => moves.changed().await.is_ok(),
            None => false,
        };
        if !moved {
            pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_reads_what_it_was_set_to_in_every_clone() {
        let hand = ManualClock::at(1_000);
        let clock = hand.clock();
        let copy = clock.clone();
        hand.advance(Duration::from_millis(250));
        assert_eq!((clock.now_ms(), copy.now_ms()), (1_250, 1_250));
        hand.set_ms(86_400_000 * 3 - 1);
        assert_eq!(copy.today_in(chrono_tz::UTC).to_string(), "1970-01-03");
        assert_eq!(copy.today_in(chrono_tz::Europe::Amsterdam).to_string(), "1970-01-04");
    }

    #[test]
    fn the_system_clock_reads_the_systems_time() {
        let before = Utc::now().timestamp_millis();
        let now = Clock::system().now_ms();
        assert!(now >= before && now <= Utc::now().timestamp_millis());
    }

    #[tokio::test]
    async fn moving_a_manual_clock_wakes_its_watchers() {
        let hand = ManualClock::at(0);
        let mut watch = hand.clock().watch();
        hand.advance(Duration::from_secs(1));
        tokio::time::timeout(Duration::from_secs(5), watch.moved()).await.expect("the move is seen");
        assert_eq!(hand.now_ms(), 1_000);
    }
}
