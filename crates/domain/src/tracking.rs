//! Goal tracking after the day: measurements of a SMART goal's metric against the target
//! line from the baseline (on the day of the session) to the target (at the deadline).

use chrono::NaiveDate;

use crate::session::SessionState;
use crate::strategy::{Measurement, SmartGoal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The newest measurement is on or beyond the target line.
    OnTrack,
    /// The newest measurement lags the target line.
    Behind,
    /// There is a target line but nothing measured yet.
    NoData,
    /// Without baseline, target and deadline there is no line to compare with.
    NoTarget,
}

impl Progress {
    pub fn code(self) -> &'static str {
        match self {
            Progress::OnTrack => "on_track",
            Progress::Behind => "behind",
            Progress::NoData => "no_data",
            Progress::NoTarget => "no_target",
        }
    }
}

/// The target line: from `baseline` at `start` to `target` at `deadline`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetLine {
    pub start: NaiveDate,
    pub baseline: f64,
    pub deadline: NaiveDate,
    pub target: f64,
}

impl TargetLine {
    /// The value the line expects on `date` (held at the ends outside the period).
    pub fn expected(&self, date: NaiveDate) -> f64 {
        let total = (self.deadline - self.start).num_days().max(1) as f64;
        let done = ((date - self.start).num_days() as f64).clamp(0.0, total);
        self.baseline + (self.target - self.baseline) * done / total
    }

    fn rising(&self) -> bool {
        self.target >= self.baseline
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tracking {
    pub line: Option<TargetLine>,
    pub latest: Option<Measurement>,
    /// What the line expects on the date of the newest measurement.
    pub expected_at_latest: Option<f64>,
    pub progress: Progress,
}

impl SessionState {
    /// The day goals are tracked from: the first day of the schedule that has a part on
    /// it, which is the start date unless the planner had to move everything to day two;
    /// the start date when the program is empty.
    pub fn first_day(&self) -> NaiveDate {
        self.schedule()
            .days
            .iter()
            .find(|day| !day.blocks.is_empty())
            .map_or_else(|| self.settings.start().date(), |day| day.date)
    }

    /// Where one of this session's SMART goals stands, from [`SessionState::first_day`],
    /// as the room, the follow-up page and the report show it.
    pub fn tracking(&self, goal: &SmartGoal) -> Tracking {
        self.tracking_from(goal, self.first_day())
    }

    /// Every SMART goal of this session, in order, with where it stands: the first day
    /// is planned once for all of them.
    pub fn tracked_goals(&self) -> Vec<(&SmartGoal, Tracking)> {
        let day = self.first_day();
        self.strategy.smart_goals.iter().map(|goal| (goal, self.tracking_from(goal, day))).collect()
    }

    fn tracking_from(&self, goal: &SmartGoal, day: NaiveDate) -> Tracking {
        let measurements = self.strategy.measurements.get(&goal.id).map(Vec::as_slice).unwrap_or_default();
        track(goal, measurements, day)
    }
}

/// Where `goal` stands, given its measurements (oldest first) and the day of the session.
pub fn track(goal: &SmartGoal, measurements: &[Measurement], session_day: NaiveDate) -> Tracking {
    let line = match (goal.fields.baseline, goal.fields.target, goal.fields.deadline) {
        (Some(baseline), Some(target), Some(deadline)) if deadline > session_day => {
            Some(TargetLine { start: session_day, baseline, deadline, target })
        }
        _ => None,
    };
    let latest = measurements.iter().max_by_key(|m| m.date).copied();
    let expected_at_latest = match (line, latest) {
        (Some(line), Some(latest)) => Some(line.expected(latest.date)),
        _ => None,
    };
    let progress = match (line, latest, expected_at_latest) {
        (None, _, _) => Progress::NoTarget,
        (Some(_), None, _) => Progress::NoData,
        (Some(line), Some(latest), Some(expected)) => {
            let ahead = if line.rising() { latest.value >= expected } else { latest.value <= expected };
            if ahead { Progress::OnTrack } else { Progress::Behind }
        }
        (Some(_), Some(_), None) => Progress::NoData,
    };
    Tracking { line, latest, expected_at_latest, progress }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::strategy::{FieldText, ItemId, SmartFields};

    fn goal(baseline: Option<f64>, target: Option<f64>, deadline: Option<NaiveDate>) -> SmartGoal {
        SmartGoal {
            id: ItemId(1),
            end_goal: None,
            text: FieldText::parse("text", "10% meer omzet").unwrap(),
            fields: SmartFields { baseline, target, deadline, ..SmartFields::default() },
            agreement: BTreeMap::new(),
        }
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    /// A goal, its measurements as (date, value), and the verdict they must give.
    type Case<'a> = (&'a SmartGoal, Vec<(NaiveDate, f64)>, Progress);

    #[test]
    fn measurements_are_compared_with_the_target_line() {
        let rising = goal(Some(100.0), Some(200.0), Some(day(11, 1)));
        let cases: Vec<Case> = vec![
            (&rising, vec![], Progress::NoData),
            (&rising, vec![(day(3, 1), 130.0)], Progress::OnTrack),
            (&rising, vec![(day(3, 1), 130.0), (day(6, 1), 120.0)], Progress::Behind),
            (&rising, vec![(day(6, 1), 150.0)], Progress::OnTrack),
        ];
        for (goal, points, expected) in cases {
            let measurements: Vec<Measurement> =
                points.iter().map(|(date, value)| Measurement { date: *date, value: *value }).collect();
            assert_eq!(track(goal, &measurements, day(1, 1)).progress, expected, "{points:?}");
        }
        let falling = goal(Some(8.0), Some(4.0), Some(day(12, 31)));
        let measured = [Measurement { date: day(7, 1), value: 5.5 }];
        assert_eq!(track(&falling, &measured, day(1, 1)).progress, Progress::OnTrack, "a goal that goes down");
        assert_eq!(track(&goal(None, Some(5.0), None), &measured, day(1, 1)).progress, Progress::NoTarget);
        let line = track(&rising, &[], day(1, 1)).line.unwrap();
        assert_eq!(line.expected(day(1, 1)), 100.0);
        assert_eq!(line.expected(day(11, 1)), 200.0);
        assert_eq!(line.expected(day(12, 31)), 200.0, "held after the deadline");
    }
}
