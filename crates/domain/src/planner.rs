//! The planner: places parts and coffee breaks on one or two days, warns when the
//! program does not fit and says what to cut; re-plans from the live position.
//!
//! Pure: no clock, no IO. The same input always gives the same output.
//!
//! # Where the coffee breaks go
//!
//! Each day's breaks are placed by a three-step rule, the same everywhere (the plan, the
//! two-day split, the cuts and the re-plan):
//!
//! 1. **Boundary mode.** Breaks fall only between parts: a break comes before a part when the
//!    work since the last break plus that part would exceed the work stretch. A part longer
//!    than the stretch is split on its own (and gets a `PartSplit` warning). When the day,
//!    breaks included, fits in `max_day_minutes`, this is the plan.
//! 2. **Fewest-breaks mode.** Otherwise the day gets the fewest breaks the stretch allows:
//!    with `W` the day's work minutes and `S` the stretch, `k = ceil(W / S) - 1` breaks (none
//!    when `W <= S`). Walking the day from the last break at work minute `q` (0 at the start)
//!    with `m` breaks still to place, the next break goes at a work minute `b` with
//!    `q < b <= q + S` and `W - b <= m * S` (the rest still fits in the stretches left): at the
//!    latest part boundary in that window, or, when there is none, inside a part at `q + S`,
//!    which splits that part into segments. A break inside a part is normal here and not a
//!    warning; only a part longer than the stretch on its own gets a `PartSplit` warning.
//!    When this day fits in `max_day_minutes`, this is the plan.
//! 3. **Neither fits.** The day keeps its boundary-mode plan and gets a `DayOverLimit` (or
//!    `CannotFit`) warning with cuts; the cuts are found and checked with this same rule, so
//!    they are only as big as needed for step 1 or step 2 to fit.
//!
//! The seed's heidag (270 minutes of work, a 90-minute stretch, 15-minute breaks) takes four
//! breaks in boundary mode (330 minutes), so on a 5-hour day it gets the two breaks of
//! fewest-breaks mode instead: exactly 300 minutes.

use std::ops::{Range, RangeInclusive};

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeDelta, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::language::{Lang, Localized};
use crate::model::Priority;
use crate::timebox::Timebox;

/// Identifies a part within one session's program (or within one plan of a model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PartId(pub u32);

/// What the planner needs to know of a part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanPart {
    pub id: PartId,
    pub title: Localized,
    pub minutes: u32,
    pub priority: Priority,
}

/// The planner's settings, validated: a value of this type is always plannable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannerSettings {
    start: NaiveDateTime,
    time_zone: Tz,
    max_day_minutes: u32,
    max_work_stretch_minutes: u32,
    break_minutes: u32,
    days: u32,
    gap_days: u32,
}

/// A setting out of range; names the setting so the CLI, the API and the form can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("max_day_minutes must be between {min} and {max}, got {0}", min = PlannerSettings::MAX_DAY_MINUTES.start(), max = PlannerSettings::MAX_DAY_MINUTES.end())]
    MaxDayMinutes(u32),
    #[error("max_work_stretch_minutes must be between {min} and {max}, got {0}", min = PlannerSettings::MAX_WORK_STRETCH_MINUTES.start(), max = PlannerSettings::MAX_WORK_STRETCH_MINUTES.end())]
    MaxWorkStretch(u32),
    #[error("break_minutes must be between {min} and {max}, got {0}", min = PlannerSettings::BREAK_MINUTES.start(), max = PlannerSettings::BREAK_MINUTES.end())]
    BreakMinutes(u32),
    #[error("days must be {min} or {max}, got {0}", min = PlannerSettings::DAYS.start(), max = PlannerSettings::DAYS.end())]
    Days(u32),
    #[error("gap_days must be between {min} and {max} when the session has two days, got {0}", min = PlannerSettings::GAP_DAYS.start(), max = PlannerSettings::GAP_DAYS.end())]
    GapDays(u32),
}

impl SettingsError {
    /// The name of the setting at fault, as used in the API and the model file.
    pub fn field(&self) -> &'static str {
        match self {
            SettingsError::MaxDayMinutes(_) => "max_day_minutes",
            SettingsError::MaxWorkStretch(_) => "max_work_stretch_minutes",
            SettingsError::BreakMinutes(_) => "break_minutes",
            SettingsError::Days(_) => "days",
            SettingsError::GapDays(_) => "gap_days",
        }
    }

    /// The bounds the setting must lie within, both included.
    pub fn bounds(&self) -> RangeInclusive<u32> {
        match self {
            SettingsError::MaxDayMinutes(_) => PlannerSettings::MAX_DAY_MINUTES,
            SettingsError::MaxWorkStretch(_) => PlannerSettings::MAX_WORK_STRETCH_MINUTES,
            SettingsError::BreakMinutes(_) => PlannerSettings::BREAK_MINUTES,
            SettingsError::Days(_) => PlannerSettings::DAYS,
            SettingsError::GapDays(_) => PlannerSettings::GAP_DAYS,
        }
    }

    /// The value that was given.
    pub fn got(&self) -> u32 {
        match self {
            SettingsError::MaxDayMinutes(got)
            | SettingsError::MaxWorkStretch(got)
            | SettingsError::BreakMinutes(got)
            | SettingsError::Days(got)
            | SettingsError::GapDays(got) => *got,
        }
    }
}

impl PlannerSettings {
    pub const DEFAULT_MAX_DAY_MINUTES: u32 = 300;
    pub const DEFAULT_MAX_WORK_STRETCH_MINUTES: u32 = 90;
    pub const DEFAULT_BREAK_MINUTES: u32 = 15;
    pub const DEFAULT_GAP_DAYS: u32 = 7;
    /// The longest day, breaks included: an hour to twelve.
    pub const MAX_DAY_MINUTES: RangeInclusive<u32> = 60..=720;
    /// The most minutes of work between breaks.
    pub const MAX_WORK_STRETCH_MINUTES: RangeInclusive<u32> = 30..=240;
    pub const BREAK_MINUTES: RangeInclusive<u32> = 5..=60;
    pub const DAYS: RangeInclusive<u32> = 1..=2;
    /// Days between the two days of a two-day session.
    pub const GAP_DAYS: RangeInclusive<u32> = 1..=60;

    pub fn new(
        start: NaiveDateTime,
        time_zone: Tz,
        max_day_minutes: u32,
        max_work_stretch_minutes: u32,
        break_minutes: u32,
        days: u32,
        gap_days: u32,
    ) -> Result<Self, SettingsError> {
        if !Self::MAX_DAY_MINUTES.contains(&max_day_minutes) {
            return Err(SettingsError::MaxDayMinutes(max_day_minutes));
        }
        if !Self::MAX_WORK_STRETCH_MINUTES.contains(&max_work_stretch_minutes) {
            return Err(SettingsError::MaxWorkStretch(max_work_stretch_minutes));
        }
        if !Self::BREAK_MINUTES.contains(&break_minutes) {
            return Err(SettingsError::BreakMinutes(break_minutes));
        }
        if !Self::DAYS.contains(&days) {
            return Err(SettingsError::Days(days));
        }
        if days == 2 && !Self::GAP_DAYS.contains(&gap_days) {
            return Err(SettingsError::GapDays(gap_days));
        }
        Ok(PlannerSettings {
            start,
            time_zone,
            max_day_minutes,
            max_work_stretch_minutes,
            break_minutes,
            days,
            gap_days,
        })
    }

    /// The defaults of the seed: a 5-hour day, a break after at most 90 minutes, 15 minutes long.
    pub fn with_defaults(start: NaiveDateTime, time_zone: Tz, days: u32) -> Result<Self, SettingsError> {
        Self::new(
            start,
            time_zone,
            Self::DEFAULT_MAX_DAY_MINUTES,
            Self::DEFAULT_MAX_WORK_STRETCH_MINUTES,
            Self::DEFAULT_BREAK_MINUTES,
            days,
            Self::DEFAULT_GAP_DAYS,
        )
    }

    pub fn start(&self) -> NaiveDateTime {
        self.start
    }
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }
    pub fn max_day_minutes(&self) -> u32 {
        self.max_day_minutes
    }
    pub fn max_work_stretch_minutes(&self) -> u32 {
        self.max_work_stretch_minutes
    }
    pub fn break_minutes(&self) -> u32 {
        self.break_minutes
    }
    pub fn days(&self) -> u32 {
        self.days
    }
    pub fn gap_days(&self) -> u32 {
        self.gap_days
    }
}

/// What a block of the day holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    /// A part, or a piece of a part that is longer than the break rule allows in one go.
    Part {
        part_id: PartId,
        priority: Priority,
        /// `Some((n, of))` when the part is split by a break: piece n (1-based) of `of`.
        segment: Option<(u32, u32)>,
    },
    Break,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    pub title: Localized,
    pub start: DateTime<Tz>,
    pub end: DateTime<Tz>,
    pub minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPlan {
    pub date: NaiveDate,
    pub blocks: Vec<Block>,
    /// Minutes of parts on this day.
    pub work_minutes: u32,
    /// Minutes from the first block's start to the last block's end, breaks included.
    pub total_minutes: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CutAction {
    Shorten,
    Drop,
}

/// A suggested cut: shorten a should/could part, or drop a could part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub part_id: PartId,
    pub title: Localized,
    pub action: CutAction,
    pub from_minutes: u32,
    pub to_minutes: u32,
}

impl Cut {
    pub fn saved_minutes(&self) -> u32 {
        // Saturating: a hand-built cut that lengthens a part saves nothing rather than panicking.
        self.from_minutes.saturating_sub(self.to_minutes)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarningKind {
    /// The day (0-based index) runs `over_minutes` past the day limit.
    DayOverLimit { day: usize, over_minutes: u32 },
    /// Even with every possible cut the day stays `over_minutes` too long:
    /// only a second day or a longer limit helps.
    CannotFit { day: usize, over_minutes: u32 },
    /// A part is longer than the break rule allows and is split by a break.
    PartSplit { part_id: PartId, minutes: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanWarning {
    pub kind: WarningKind,
    pub cuts: Vec<Cut>,
    /// The day limit the warning was measured against, so that the message can name it.
    pub day_limit_minutes: u32,
    /// The title of the part a `PartSplit` is about (`None` for the day warnings),
    /// so that the message can name it without the program at hand.
    pub part_title: Option<Localized>,
    /// For a `PartSplit`: the minutes of each piece, in order (empty for the day warnings),
    /// so that the message can say where the coffee breaks fall.
    pub segments: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub days: Vec<DayPlan>,
    pub warnings: Vec<PlanWarning>,
}

/// Where the live session stands, for the re-plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LivePosition {
    pub current_part: PartId,
    /// Minutes spent in the current part so far.
    pub minutes_used: u32,
    /// Minutes behind the plan from the parts already done (negative when ahead).
    pub overrun_so_far: i32,
}

/// The outcome of a re-plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replan {
    /// The day (0-based) the current part is on.
    pub day: usize,
    pub planned_end: DateTime<Tz>,
    pub projected_end: DateTime<Tz>,
    /// Minutes the day will run late (negative when early).
    pub delay_minutes: i64,
    /// Cuts among the parts still to come that would still end on time.
    pub cuts: Vec<Cut>,
    /// Whether the cuts close the whole delay.
    pub fits: bool,
}

/// The localized title of a coffee break.
pub fn break_title() -> Localized {
    Localized::new("Koffiepauze", "Coffee break")
}

/// The longest a part is planned as: the longest [`Timebox`]. The parts of a session are
/// timeboxes already; the planner caps what else it is given (the command line's parts,
/// its tests) at the same bound, which also keeps its work and memory bounded.
const MAX_PART_MINUTES: u32 = Timebox::MAX_MINUTES;

/// The shortest a part may be shortened to: half its timebox, rounded up to a multiple of
/// 5 minutes, and never less than 5 minutes. Below that a part loses its point.
pub fn min_shortened_minutes(minutes: u32) -> u32 {
    minutes.div_ceil(10).saturating_mul(5).max(5)
}

impl DayPlan {
    /// When the first block starts; `None` for a day without parts.
    pub fn start(&self) -> Option<DateTime<Tz>> {
        self.blocks.first().map(|block| block.start)
    }

    /// When the last block ends; `None` for a day without parts.
    pub fn end(&self) -> Option<DateTime<Tz>> {
        self.blocks.last().map(|block| block.end)
    }
}

/// Plans the parts, in their order, on the days of the settings.
///
/// The rules, in short:
/// - Two days: the parts are split at the index that makes the longer day (breaks included)
///   as short as possible; on a tie the earlier split wins, and day 1 always gets at least
///   one part when there is one.
/// - Breaks follow the three-step rule of the module documentation: between parts when that
///   day then fits, else the fewest breaks the stretch allows (a break may then fall inside a
///   part), else between parts with a warning. Never at the start or end of a day, never two
///   in a row, never more work in one go than the stretch.
/// - Between parts, a break comes before a part when the work since the last break plus that
///   part would exceed the work stretch.
/// - Between parts, a part longer than the stretch starts right away with what the stretch
///   still allows and continues in full stretches after each break, unless taking the break
///   first gives fewer pieces (which then costs no extra break): after 30 minutes of work a
///   120-minute part with a 90-minute stretch becomes 60 | break | 60.
/// - Only a part longer than the stretch gets a `PartSplit` warning; a shorter part split by a
///   break of the fewest-breaks mode does not.
/// - A day over its limit gets cuts: shorten `Could` parts, then `Should` parts, later parts
///   first, each to no less than half its timebox and in steps of 5 minutes; only when that is
///   not enough, drop `Could` parts (later first). `Must` parts are never touched. The cuts
///   are checked by planning the day again, and minutes that turn out not to be needed (a
///   vanished break) are given back, the last cut first.
pub fn plan(parts: &[PlanPart], settings: &PlannerSettings) -> Schedule {
    plan_with_days(parts, settings).schedule
}

/// Re-plans from the live position: how late the day of the current part will end, and
/// which of the parts still to come on that day to shorten to end on time (breaks stay).
/// The day is the one `plan` gives, with its breaks placed by the same three-step rule.
/// `None` when the current part is not in the program.
pub fn replan(parts: &[PlanPart], settings: &PlannerSettings, position: &LivePosition) -> Option<Replan> {
    let planned = plan_with_days(parts, settings);
    let index = parts.iter().position(|part| part.id == position.current_part)?;
    let day = planned.ranges.iter().position(|range| range.contains(&index))?;
    let range = planned.ranges.get(day)?.clone();
    let planned_end = planned.schedule.days.get(day)?.end()?;
    let planned_minutes = *planned.minutes.get(index)?;

    // Running over the current part's timebox adds to the delay; finishing it early does
    // not, because the part is still running and may yet use its time.
    let current_overrun = (i64::from(position.minutes_used) - i64::from(planned_minutes)).max(0);
    let delay = i64::from(position.overrun_so_far) + current_overrun;
    let projected_end = add_minutes(planned_end, delay).unwrap_or(planned_end);

    let day_parts = parts.get(range.clone())?;
    let day_minutes = planned.minutes.get(range.clone())?;
    let (cuts, fits) = if delay <= 0 {
        (Vec::new(), true)
    } else {
        let priorities: Vec<Priority> = day_parts.iter().map(|part| part.priority).collect();
        let eligible_from = index - range.start + 1;
        // The breaks stay where they are, so every minute cut is a minute won back.
        let remaining_delay = |values: &[u32]| delay - saved_minutes(day_minutes, values);
        let search = search_cuts(day_minutes, &priorities, eligible_from, remaining_delay);
        (search.cuts(day_parts, day_minutes), search.remaining_over <= 0)
    };
    Some(Replan { day, planned_end, projected_end, delay_minutes: delay, cuts, fits })
}

impl Cut {
    /// One line for the facilitator: "Kort Kernboodschap in van 60 naar 40 minuten".
    pub fn describe(&self, lang: Lang) -> String {
        let title = self.title.get(lang);
        match (self.action, lang) {
            (CutAction::Shorten, Lang::Nl) => {
                format!("Kort {title} in van {} naar {} minuten", self.from_minutes, self.to_minutes)
            }
            (CutAction::Shorten, Lang::En) => {
                format!("Shorten {title} from {} to {} minutes", self.from_minutes, self.to_minutes)
            }
            (CutAction::Drop, Lang::Nl) => format!("Laat {title} vallen ({})", minutes_text(self.from_minutes, lang)),
            (CutAction::Drop, Lang::En) => {
                format!("Drop {title} ({})", minutes_text(self.from_minutes, lang))
            }
        }
    }
}

impl PlanWarning {
    /// The warning in words a facilitator reads out loud, with the advice in it.
    pub fn message(&self, lang: Lang) -> String {
        let limit = hours_text(self.day_limit_minutes, lang);
        match self.kind {
            WarningKind::DayOverLimit { day, over_minutes } => {
                let over = minutes_text(over_minutes, lang);
                let mut text = match lang {
                    Lang::Nl => format!("Dag {} duurt {over} langer dan de {limit} die je hebt.", day + 1),
                    Lang::En => format!("Day {} runs {over} over its {limit}.", day + 1),
                };
                for advice in cut_advice(&self.cuts, lang) {
                    text.push(' ');
                    text.push_str(&advice);
                }
                text
            }
            WarningKind::CannotFit { day, over_minutes } => {
                let over = minutes_text(over_minutes, lang);
                // The second day itself can only grow longer; for the first day, moving parts
                // to a second day is the other way out.
                match (lang, day) {
                    (Lang::Nl, 0) => format!(
                        "Dag 1 past niet in de {limit} die je hebt: ook als je alles inkort wat kan, duurt de dag \
                         nog {over} te lang. Alleen een tweede dag of een langere dag helpt."
                    ),
                    (Lang::Nl, _) => format!(
                        "Dag {} past niet in de {limit} die je hebt: ook als je alles inkort wat kan, duurt de dag \
                         nog {over} te lang. Alleen een langere dag helpt.",
                        day + 1
                    ),
                    (Lang::En, 0) => format!(
                        "Day 1 does not fit in its {limit}: even with every possible cut it still runs {over} over. \
                         Only a second day or a longer day helps."
                    ),
                    (Lang::En, _) => format!(
                        "Day {} does not fit in its {limit}: even with every possible cut it still runs {over} over. \
                         Only a longer day helps.",
                        day + 1
                    ),
                }
            }
            WarningKind::PartSplit { part_id, minutes } => {
                let title = match (&self.part_title, lang) {
                    (Some(title), _) => title.get(lang).to_owned(),
                    (None, Lang::Nl) => format!("Onderdeel {}", part_id.0),
                    (None, Lang::En) => format!("Part {}", part_id.0),
                };
                let length = minutes_text(minutes, lang);
                let breaks = break_moments(&self.segments, lang);
                match lang {
                    Lang::Nl => format!("{title} duurt {length}, langer dan je zonder pauze doorwerkt: {breaks}."),
                    Lang::En => format!("{title} takes {length}, longer than you work without a break: {breaks}."),
                }
            }
        }
    }
}

/// A schedule together with what the re-plan needs to find its way back into it.
struct Planned {
    schedule: Schedule,
    /// The indices of `parts` on each day.
    ranges: Vec<Range<usize>>,
    /// Each part's minutes as planned (capped at [`MAX_PART_MINUTES`]).
    minutes: Vec<u32>,
}

fn plan_with_days(parts: &[PlanPart], settings: &PlannerSettings) -> Planned {
    let minutes: Vec<u32> = parts.iter().map(|part| part.minutes.min(MAX_PART_MINUTES)).collect();
    let rule = DayRule::of(settings);
    let mut ranges = Vec::with_capacity(2);
    if settings.days() >= 2 {
        let split = best_split(&minutes, rule);
        ranges.push(0..split);
        ranges.push(split..parts.len());
    } else {
        ranges.push(0..parts.len());
    }

    let mut days = Vec::with_capacity(ranges.len());
    let mut warnings = Vec::new();
    for (day, range) in ranges.iter().enumerate() {
        // The ranges cover `0..parts.len()` by construction; the empty fallback only keeps the
        // planner total should that ever change.
        let day_parts = parts.get(range.clone()).unwrap_or_default();
        let day_minutes = minutes.get(range.clone()).unwrap_or_default();
        let pieces = layout_day(day_minutes, rule);
        days.push(day_plan(day_parts, &pieces, day_start(settings, day), rule.pause));
        warnings.extend(day_warnings(day, day_parts, day_minutes, &pieces, settings));
    }
    Planned { schedule: Schedule { days, warnings }, ranges, minutes }
}

/// The index at which the second day begins.
fn best_split(minutes: &[u32], rule: DayRule) -> usize {
    // Day 1 gets at least one part when there is one: a lone part belongs on the first day.
    let first = usize::from(!minutes.is_empty());
    let mut best = (u64::MAX, minutes.len());
    for split in first..=minutes.len() {
        let (before, after) = minutes.split_at(split);
        let longer = day_total(before, rule).max(day_total(after, rule));
        // Strictly shorter only, so that a tie keeps the earlier split.
        if longer < best.0 {
            best = (longer, split);
        }
    }
    best.1
}

/// One piece of a day before it gets times: a part (or a piece of one) or a break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Part { index: usize, minutes: u32, segment: Option<(u32, u32)> },
    Break,
}

/// What places the breaks of one day: the settings that matter for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DayRule {
    stretch: u32,
    pause: u32,
    limit: u32,
}

impl DayRule {
    fn of(settings: &PlannerSettings) -> Self {
        DayRule {
            stretch: settings.max_work_stretch_minutes(),
            pause: settings.break_minutes(),
            limit: settings.max_day_minutes(),
        }
    }
}

/// Places the breaks of one day (indices into `minutes`) by the three-step rule of the
/// module documentation.
fn layout_day(minutes: &[u32], rule: DayRule) -> Vec<Piece> {
    // Step 1: breaks between parts only, when the day then fits. Step 2: else the fewest
    // breaks, mid-part where needed, when the day then fits. Step 3: else between parts again,
    // and the day gets its warning and cuts (see `day_warnings`).
    let between_parts = layout(minutes, rule.stretch);
    if pieces_total(&between_parts, rule.pause) <= u64::from(rule.limit) {
        return between_parts;
    }
    if fewest_breaks_total(minutes, rule) <= u64::from(rule.limit) {
        return fewest_breaks_layout(minutes, rule.stretch);
    }
    between_parts
}

/// The length of a day with these parts, breaks included, as `layout_day` places them.
fn day_total(minutes: &[u32], rule: DayRule) -> u64 {
    let between_parts = layout_total(minutes, rule.stretch, rule.pause);
    if between_parts <= u64::from(rule.limit) {
        return between_parts;
    }
    let fewest = fewest_breaks_total(minutes, rule);
    if fewest <= u64::from(rule.limit) {
        return fewest;
    }
    between_parts
}

/// The fewest breaks a day of `work` minutes needs: `ceil(work / stretch) - 1`, 0 for none.
fn fewest_breaks(work: u64, stretch: u32) -> u64 {
    work.div_ceil(u64::from(stretch.max(1))).saturating_sub(1)
}

/// The length of a day in fewest-breaks mode; `fewest_breaks_layout` gives exactly this.
fn fewest_breaks_total(minutes: &[u32], rule: DayRule) -> u64 {
    let work: u64 = minutes.iter().map(|&m| u64::from(m)).sum();
    work + fewest_breaks(work, rule.stretch) * u64::from(rule.pause)
}

/// Where a break of the fewest-breaks mode falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BreakAt {
    /// Right after the part with this index.
    After(usize),
    /// Inside the part with this index, at this work minute of the day.
    Inside(usize, u64),
}

/// Places the fewest breaks the stretch allows, at the latest part boundary that still lets
/// the rest of the day fit in the stretches left, or inside a part where there is none.
fn fewest_breaks_layout(minutes: &[u32], stretch_minutes: u32) -> Vec<Piece> {
    // The floor of 1 matches `fewest_breaks`; validated settings have a stretch of 30 or more.
    let stretch = u64::from(stretch_minutes.max(1));
    // The work minute at which each part ends.
    let ends: Vec<u64> = minutes
        .iter()
        .scan(0u64, |elapsed, &m| {
            *elapsed += u64::from(m);
            Some(*elapsed)
        })
        .collect();
    let work = ends.last().copied().unwrap_or(0);
    let needed = fewest_breaks(work, stretch_minutes);

    // Invariant: more than `left * stretch` minutes of work follow the last break (the break
    // count is the fewest), so the window below is never empty and ends before the day does.
    let mut breaks = Vec::new();
    let mut last = 0u64;
    // The first part that ends after the window's latest minute.
    let mut next = 0usize;
    for left in (1..=needed).rev() {
        let earliest = work.saturating_sub(left * stretch).max(last + 1);
        let latest = last + stretch;
        while ends.get(next).is_some_and(|&end| end <= latest) {
            next += 1;
        }
        // The latest boundary in the window; on a tie (parts of 0 minutes) the last of them,
        // as in boundary mode.
        match next.checked_sub(1) {
            Some(before) if ends[before] >= earliest => {
                breaks.push(BreakAt::After(before));
                last = ends[before];
            }
            _ => {
                breaks.push(BreakAt::Inside(next, latest));
                last = latest;
            }
        }
    }

    let mut pieces = Vec::with_capacity(minutes.len() * 2 + breaks.len());
    let mut breaks = breaks.into_iter().peekable();
    let mut start = 0u64;
    for (index, &end) in ends.iter().enumerate() {
        let mut cuts = Vec::new();
        while let Some(&BreakAt::Inside(part, at)) = breaks.peek() {
            if part != index {
                break;
            }
            cuts.push(at);
            breaks.next();
        }
        let of = u32::try_from(cuts.len() + 1).unwrap_or(u32::MAX);
        let mut from = start;
        for (n, at) in cuts.into_iter().chain([end]).enumerate() {
            if n > 0 {
                pieces.push(Piece::Break);
            }
            let n = u32::try_from(n + 1).unwrap_or(u32::MAX);
            pieces.push(Piece::Part { index, minutes: saturate(at - from), segment: (of > 1).then_some((n, of)) });
            from = at;
        }
        if breaks.peek() == Some(&BreakAt::After(index)) {
            pieces.push(Piece::Break);
            breaks.next();
        }
        start = end;
    }
    pieces
}

/// Places the breaks between the parts of one day (indices into `minutes`): boundary mode.
fn layout(minutes: &[u32], stretch: u32) -> Vec<Piece> {
    // Validated settings have a stretch of at least 30; the floor of 1 keeps the splitting
    // below finite should that ever change.
    let stretch = stretch.max(1);
    let mut pieces = Vec::with_capacity(minutes.len() * 2);
    // Minutes of work since the last break; never more than `stretch`.
    let mut worked: u32 = 0;
    for (index, &part_minutes) in minutes.iter().enumerate() {
        if part_minutes <= stretch {
            if worked > 0 && worked.saturating_add(part_minutes) > stretch {
                pieces.push(Piece::Break);
                worked = 0;
            }
            pieces.push(Piece::Part { index, minutes: part_minutes, segment: None });
            worked += part_minutes;
            continue;
        }

        // Too long for one stretch: either use the room left in this stretch first, or take
        // the break first and start with a full stretch. Starting now never costs more breaks;
        // starting after the break is chosen only when it gives fewer pieces, which then costs
        // the same number of breaks and interrupts the part less.
        let room = stretch - worked;
        let pieces_if_now = 1 + (part_minutes - room).div_ceil(stretch);
        let pieces_if_after_break = part_minutes.div_ceil(stretch);
        let mut chunks = Vec::new();
        let mut rest = part_minutes;
        if worked > 0 && room > 0 && pieces_if_now <= pieces_if_after_break {
            chunks.push(room);
            rest -= room;
        } else if worked > 0 {
            pieces.push(Piece::Break);
        }
        while rest > 0 {
            let chunk = rest.min(stretch);
            chunks.push(chunk);
            rest -= chunk;
        }
        let of = u32::try_from(chunks.len()).unwrap_or(u32::MAX);
        for (n, &chunk) in chunks.iter().enumerate() {
            if n > 0 {
                pieces.push(Piece::Break);
            }
            let n = u32::try_from(n + 1).unwrap_or(u32::MAX);
            pieces.push(Piece::Part { index, minutes: chunk, segment: Some((n, of)) });
        }
        worked = chunks.last().copied().unwrap_or(0);
    }
    pieces
}

fn piece_minutes(piece: &Piece, pause: u32) -> u32 {
    match piece {
        Piece::Part { minutes, .. } => *minutes,
        Piece::Break => pause,
    }
}

fn pieces_total(pieces: &[Piece], pause: u32) -> u64 {
    pieces.iter().map(|piece| u64::from(piece_minutes(piece, pause))).sum()
}

/// The length of a day with these parts, breaks included.
fn layout_total(minutes: &[u32], stretch: u32, pause: u32) -> u64 {
    pieces_total(&layout(minutes, stretch), pause)
}

fn day_start(settings: &PlannerSettings, day: usize) -> DateTime<Tz> {
    let gap = u64::try_from(day).unwrap_or(u64::MAX).saturating_mul(u64::from(settings.gap_days()));
    // Only a start at the very end of the calendar has no later day; keeping the first
    // day's start then keeps the planner total.
    let local = settings.start().checked_add_days(Days::new(gap)).unwrap_or(settings.start());
    resolve_local(settings.time_zone(), local)
}

/// The moment a wall-clock time stands for in a time zone.
fn resolve_local(time_zone: Tz, local: NaiveDateTime) -> DateTime<Tz> {
    // An ambiguous time (the clock turned back) is its first occurrence. A time in a gap
    // (the clock jumped forward) falls forward by an hour, as the clock on the wall does;
    // a few zones once skipped more (Samoa skipped a whole day), hence the loop.
    let mut candidate = local;
    for _ in 0..=48 {
        if let Some(resolved) = time_zone.from_local_datetime(&candidate).earliest() {
            return resolved;
        }
        match candidate.checked_add_signed(TimeDelta::hours(1)) {
            Some(next) => candidate = next,
            None => break,
        }
    }
    // No real zone gets here; reading the wall time as UTC keeps the planner total.
    time_zone.from_utc_datetime(&local)
}

fn add_minutes(moment: DateTime<Tz>, minutes: i64) -> Option<DateTime<Tz>> {
    moment.checked_add_signed(TimeDelta::try_minutes(minutes)?)
}

fn saturate(minutes: u64) -> u32 {
    u32::try_from(minutes).unwrap_or(u32::MAX)
}

fn day_plan(parts: &[PlanPart], pieces: &[Piece], start: DateTime<Tz>, pause: u32) -> DayPlan {
    let mut blocks = Vec::with_capacity(pieces.len());
    let mut cursor = start;
    let mut elapsed: u64 = 0;
    let mut work: u64 = 0;
    for piece in pieces {
        let (kind, title) = match *piece {
            Piece::Part { index, segment, .. } => {
                let Some(part) = parts.get(index) else {
                    continue;
                };
                (BlockKind::Part { part_id: part.id, priority: part.priority, segment }, part.title.clone())
            }
            Piece::Break => (BlockKind::Break, break_title()),
        };
        let minutes = piece_minutes(piece, pause);
        if matches!(kind, BlockKind::Part { .. }) {
            work += u64::from(minutes);
        }
        elapsed += u64::from(minutes);
        // Times are counted in real minutes from the day's start, so a day across a DST
        // change lasts exactly its minutes. Past the end of the calendar the clock stands
        // still rather than the planner failing.
        let end = i64::try_from(elapsed).ok().and_then(|offset| add_minutes(start, offset)).unwrap_or(cursor);
        blocks.push(Block { kind, title, start: cursor, end, minutes });
        cursor = end;
    }
    DayPlan { date: start.date_naive(), blocks, work_minutes: saturate(work), total_minutes: saturate(elapsed) }
}

fn day_warnings(
    day: usize,
    parts: &[PlanPart],
    minutes: &[u32],
    pieces: &[Piece],
    settings: &PlannerSettings,
) -> Vec<PlanWarning> {
    let rule = DayRule::of(settings);
    let limit = rule.limit;
    let mut warnings = Vec::new();

    let total = pieces_total(pieces, rule.pause);
    if total > u64::from(limit) {
        let priorities: Vec<Priority> = parts.iter().map(|part| part.priority).collect();
        // The cuts are checked with the same three-step placement as the plan, so a day that
        // fits with the fewest breaks after a smaller cut gets only that smaller cut.
        let over_limit = |values: &[u32]| {
            let total = i64::try_from(day_total(values, rule)).unwrap_or(i64::MAX);
            total - i64::from(limit)
        };
        let search = search_cuts(minutes, &priorities, 0, over_limit);
        let kind = if search.remaining_over <= 0 {
            WarningKind::DayOverLimit { day, over_minutes: saturate(total - u64::from(limit)) }
        } else {
            let remaining = u64::try_from(search.remaining_over).unwrap_or(0);
            WarningKind::CannotFit { day, over_minutes: saturate(remaining) }
        };
        warnings.push(PlanWarning {
            kind,
            cuts: search.cuts(parts, minutes),
            day_limit_minutes: limit,
            part_title: None,
            segments: Vec::new(),
        });
    }

    // One warning per split part that is longer than the stretch on its own, with its pieces
    // in order. A shorter part split by a fewest-breaks break is not worth a warning.
    let mut splits: Vec<(usize, Vec<u32>)> = Vec::new();
    for piece in pieces {
        if let Piece::Part { index, minutes: segment_minutes, segment: Some(_) } = *piece
            && minutes.get(index).is_some_and(|&part_minutes| part_minutes > rule.stretch)
        {
            match splits.last_mut() {
                Some((last, segments)) if *last == index => segments.push(segment_minutes),
                _ => splits.push((index, vec![segment_minutes])),
            }
        }
    }
    for (index, segments) in splits {
        let (Some(part), Some(&part_minutes)) = (parts.get(index), minutes.get(index)) else {
            continue;
        };
        warnings.push(PlanWarning {
            kind: WarningKind::PartSplit { part_id: part.id, minutes: part_minutes },
            cuts: Vec::new(),
            day_limit_minutes: limit,
            part_title: Some(part.title.clone()),
            segments,
        });
    }
    warnings
}

/// The outcome of a search for cuts over the parts of one day.
struct CutSearch {
    /// Each part's minutes after the cuts; 0 for a dropped part.
    values: Vec<u32>,
    /// The parts cut, in the order they were first cut.
    order: Vec<usize>,
    /// Minutes still too many after the cuts (0 or less when they fit).
    remaining_over: i64,
}

impl CutSearch {
    fn cuts(&self, parts: &[PlanPart], original: &[u32]) -> Vec<Cut> {
        self.order
            .iter()
            .filter_map(|&index| {
                let part = parts.get(index)?;
                let from_minutes = *original.get(index)?;
                let to_minutes = *self.values.get(index)?;
                if to_minutes == from_minutes {
                    return None;
                }
                // A shortened part keeps at least 5 minutes, so 0 always means dropped.
                let action = if to_minutes == 0 { CutAction::Drop } else { CutAction::Shorten };
                Some(Cut { part_id: part.id, title: part.title.clone(), action, from_minutes, to_minutes })
            })
            .collect()
    }
}

fn note_cut(order: &mut Vec<usize>, index: usize) {
    if !order.contains(&index) {
        order.push(index);
    }
}

fn saved_minutes(original: &[u32], values: &[u32]) -> i64 {
    original.iter().zip(values).map(|(&from, &to)| i64::from(from) - i64::from(to)).sum()
}

fn round_up_to_five(minutes: i64) -> u32 {
    let rounded = minutes.max(0).saturating_add(4) / 5 * 5;
    u32::try_from(rounded).unwrap_or(u32::MAX)
}

/// Finds cuts among the parts from `eligible_from` on until `over` (minutes too many for the
/// given minutes per part) is 0 or less, or until nothing is left to cut.
fn search_cuts(
    original: &[u32],
    priorities: &[Priority],
    eligible_from: usize,
    over: impl Fn(&[u32]) -> i64,
) -> CutSearch {
    let mut values = original.to_vec();
    let mut order: Vec<usize> = Vec::new();
    let mut remaining = over(&values);
    let later_first = |priority: Priority| {
        (eligible_from..original.len()).rev().filter(move |&index| priorities.get(index) == Some(&priority))
    };

    // Shorten: could-haves before should-haves, later parts first, because the parts early in
    // the day lay the ground the later ones build on.
    for priority in [Priority::Could, Priority::Should] {
        for index in later_first(priority) {
            let floor = min_shortened_minutes(original[index]);
            // Re-plan after every step: cutting work can take a break away, so the next step
            // may need less than the arithmetic says (or, rarely, more).
            while remaining > 0 {
                let room = values[index].saturating_sub(floor) / 5 * 5;
                if room == 0 {
                    break;
                }
                values[index] -= round_up_to_five(remaining).min(room);
                note_cut(&mut order, index);
                remaining = over(&values);
            }
        }
    }

    // Drop could-haves only when shortening everything that may be shortened is not enough.
    for index in later_first(Priority::Could) {
        if remaining <= 0 {
            break;
        }
        // Dropping a part of 0 minutes wins nothing.
        if values[index] == 0 {
            continue;
        }
        values[index] = 0;
        note_cut(&mut order, index);
        remaining = over(&values);
    }

    if remaining <= 0 {
        give_back(&mut values, &order, original, &over);
        remaining = over(&values);
    }
    CutSearch { values, order, remaining_over: remaining }
}

/// Gives back the minutes the cuts took that were not needed after all, the last cut first
/// (a drop before a shortening, a should-have before a could-have). Every value kept has
/// been checked to fit.
fn give_back(values: &mut [u32], order: &[usize], original: &[u32], over: &impl Fn(&[u32]) -> i64) {
    for &index in order.iter().rev() {
        let from = original[index];
        let steps = from.saturating_sub(min_shortened_minutes(from)) / 5;
        // The allowed lengths are `lowest + 5 * j` for j in 0..=steps; j == steps is uncut.
        let lowest = from - 5 * steps;
        let mut fitting = if values[index] == 0 && from > 0 {
            values[index] = lowest;
            if over(values) > 0 {
                values[index] = 0;
                continue;
            }
            0
        } else {
            values[index].saturating_sub(lowest) / 5
        };
        let mut too_long = steps + 1;
        // Binary search for the longest length that still fits; `fitting` always fits.
        while fitting + 1 < too_long {
            let middle = fitting + (too_long - fitting) / 2;
            values[index] = lowest + 5 * middle;
            if over(values) <= 0 {
                fitting = middle;
            } else {
                too_long = middle;
            }
        }
        values[index] = lowest + 5 * fitting;
    }
}

fn minutes_text(minutes: u32, lang: Lang) -> String {
    match (lang, minutes) {
        (Lang::Nl, 1) => "1 minuut".to_owned(),
        (Lang::Nl, _) => format!("{minutes} minuten"),
        (Lang::En, 1) => "1 minute".to_owned(),
        (Lang::En, _) => format!("{minutes} minutes"),
    }
}

/// "5 uur", "4,5 uur", "4 uur en 50 minuten" / "5 hours", "4.5 hours", "4 hours and 50 minutes".
fn hours_text(minutes: u32, lang: Lang) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    match (lang, rest) {
        (Lang::Nl, 0) => format!("{hours} uur"),
        (Lang::Nl, 30) => format!("{hours},5 uur"),
        (Lang::En, 0) if hours == 1 => "1 hour".to_owned(),
        (Lang::En, 0) => format!("{hours} hours"),
        (Lang::En, 30) => format!("{hours}.5 hours"),
        _ if hours == 0 => minutes_text(rest, lang),
        (Lang::Nl, _) => format!("{hours} uur en {}", minutes_text(rest, lang)),
        (Lang::En, _) if hours == 1 => format!("1 hour and {}", minutes_text(rest, lang)),
        (Lang::En, _) => format!("{hours} hours and {}", minutes_text(rest, lang)),
    }
}

/// "A", "A en B", "A, B en C" / "A", "A and B", "A, B and C".
fn join_list(items: &[String], lang: Lang) -> String {
    let and = match lang {
        Lang::Nl => " en ",
        Lang::En => " and ",
    };
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{}{and}{last}", rest.join(", ")),
    }
}

/// The advice sentences of a day warning: first what to shorten, then what to drop.
fn cut_advice(cuts: &[Cut], lang: Lang) -> Vec<String> {
    let mut sentences = Vec::new();
    let shortened: Vec<String> = cuts
        .iter()
        .filter(|cut| cut.action == CutAction::Shorten)
        .enumerate()
        .map(|(n, cut)| {
            let title = cut.title.get(lang);
            let by = minutes_text(cut.saved_minutes(), lang);
            match (lang, n) {
                (Lang::Nl, 0) => format!("Kort {title} in met {by}"),
                (Lang::Nl, _) => format!("{title} met {by}"),
                (Lang::En, 0) => format!("Shorten {title} by {by}"),
                (Lang::En, _) => format!("{title} by {by}"),
            }
        })
        .collect();
    if !shortened.is_empty() {
        sentences.push(format!("{}.", join_list(&shortened, lang)));
    }
    let dropped: Vec<String> =
        cuts.iter().filter(|cut| cut.action == CutAction::Drop).map(|cut| cut.title.get(lang).to_owned()).collect();
    if !dropped.is_empty() {
        let list = join_list(&dropped, lang);
        sentences.push(match lang {
            Lang::Nl => format!("Laat {list} vallen."),
            Lang::En => format!("Drop {list}."),
        });
    }
    sentences
}

/// Where the coffee breaks fall in a split part, from the minutes of its pieces.
fn break_moments(segments: &[u32], lang: Lang) -> String {
    let mut elapsed = 0u32;
    let mut moments = Vec::new();
    for segment in segments.iter().take(segments.len().saturating_sub(1)) {
        elapsed = elapsed.saturating_add(*segment);
        moments.push(elapsed.to_string());
    }
    match (lang, segments) {
        (Lang::Nl, [first, second]) if first == second => "halverwege komt er een koffiepauze".to_owned(),
        (Lang::En, [first, second]) if first == second => "it gets a coffee break halfway".to_owned(),
        (Lang::Nl, [first, _]) => {
            format!("na {} komt er een koffiepauze", minutes_text(*first, lang))
        }
        (Lang::En, [first, _]) => format!("it gets a coffee break after {}", minutes_text(*first, lang)),
        (Lang::Nl, _) if moments.len() > 1 => format!("er komen koffiepauzes na {} minuten", join_list(&moments, lang)),
        (Lang::En, _) if moments.len() > 1 => {
            format!("it gets coffee breaks after {} minutes", join_list(&moments, lang))
        }
        (Lang::Nl, _) => "er komt een koffiepauze tussen".to_owned(),
        (Lang::En, _) => "it gets a coffee break in between".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::Europe::Amsterdam;
    use proptest::prelude::*;

    fn at(date: (i32, u32, u32), hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap().and_hms_opt(hour, minute, 0).unwrap()
    }

    /// The seed's program: (id, Dutch title, English title, minutes, priority).
    const HEIDAG: [(u32, &str, &str, u32, Priority); 6] = [
        (1, "Modellen", "Models", 15, Priority::Must),
        (2, "Einddoelen", "End goals", 40, Priority::Must),
        (3, "SMART-doelen", "SMART goals", 50, Priority::Must),
        (4, "Doelgroep: persona's", "Target audience: personas", 60, Priority::Should),
        (5, "Kernboodschap", "Core message", 60, Priority::Should),
        (6, "Actiepunten", "Action points", 45, Priority::Must),
    ];

    fn heidag() -> Vec<PlanPart> {
        HEIDAG
            .iter()
            .map(|&(id, nl, en, minutes, priority)| PlanPart {
                id: PartId(id),
                title: Localized::new(nl, en),
                minutes,
                priority,
            })
            .collect()
    }

    /// Parts from "minutes+priority" words: "30m 120s 45c"; ids count from 1.
    fn parts(spec: &str) -> Vec<PlanPart> {
        spec.split_whitespace()
            .enumerate()
            .map(|(n, word)| {
                let (minutes, priority) = word.split_at(word.len() - 1);
                let priority = match priority {
                    "m" => Priority::Must,
                    "s" => Priority::Should,
                    _ => Priority::Could,
                };
                let id = u32::try_from(n + 1).unwrap();
                PlanPart {
                    id: PartId(id),
                    title: Localized::same(format!("P{id}")),
                    minutes: minutes.parse().unwrap(),
                    priority,
                }
            })
            .collect()
    }

    /// A compact rendering of a schedule: per day its date, local start and end, total and
    /// blocks (`id:minutes`, `id:minutes(n/of)` for a piece, `|` for a break), then the warnings.
    fn render(schedule: &Schedule) -> String {
        let mut lines = Vec::new();
        for (n, day) in schedule.days.iter().enumerate() {
            let blocks: Vec<String> = day
                .blocks
                .iter()
                .map(|block| match block.kind {
                    BlockKind::Break => "|".to_owned(),
                    BlockKind::Part { part_id, segment: None, .. } => format!("{}:{}", part_id.0, block.minutes),
                    BlockKind::Part { part_id, segment: Some((piece, of)), .. } => {
                        format!("{}:{}({piece}/{of})", part_id.0, block.minutes)
                    }
                })
                .collect();
            let times = match (day.start(), day.end()) {
                (Some(start), Some(end)) => {
                    format!(" {}-{}", start.format("%H:%M%:z"), end.format("%H:%M%:z"))
                }
                _ => String::new(),
            };
            lines.push(format!(
                "day {} {}{times} ({}): {}",
                n + 1,
                day.date,
                day.total_minutes,
                if blocks.is_empty() { "-".to_owned() } else { blocks.join(" ") }
            ));
        }
        for warning in &schedule.warnings {
            lines.push(render_warning(warning));
        }
        lines.join("\n")
    }

    fn render_cuts(cuts: &[Cut]) -> String {
        let cuts: Vec<String> = cuts
            .iter()
            .map(|cut| match cut.action {
                CutAction::Shorten => {
                    format!("{} {}->{}", cut.part_id.0, cut.from_minutes, cut.to_minutes)
                }
                CutAction::Drop => format!("{} drop", cut.part_id.0),
            })
            .collect();
        if cuts.is_empty() { "-".to_owned() } else { cuts.join(", ") }
    }

    fn render_warning(warning: &PlanWarning) -> String {
        match warning.kind {
            WarningKind::DayOverLimit { day, over_minutes } => {
                format!("over: day {} by {over_minutes}: {}", day + 1, render_cuts(&warning.cuts))
            }
            WarningKind::CannotFit { day, over_minutes } => {
                format!("cannot fit: day {} by {over_minutes}: {}", day + 1, render_cuts(&warning.cuts))
            }
            WarningKind::PartSplit { part_id, minutes } => {
                format!("split: {} ({minutes})", part_id.0)
            }
        }
    }

    struct Case {
        name: &'static str,
        parts: Vec<PlanPart>,
        settings: PlannerSettings,
        expect: &'static str,
    }

    fn settings(start: NaiveDateTime, limit: u32, days: u32) -> PlannerSettings {
        PlannerSettings::new(start, Amsterdam, limit, 90, 15, days, 7).unwrap()
    }

    fn check(case: &Case) {
        let schedule = plan(&case.parts, &case.settings);
        assert_eq!(render(&schedule), case.expect.trim(), "case: {}", case.name);
        assert_eq!(schedule, plan(&case.parts, &case.settings), "case: {} is not deterministic", case.name);
    }

    #[test]
    fn planner_places_breaks_splits_and_cuts_as_the_table_says() {
        let thursday = at((2026, 3, 5), 9, 0);
        let cases = [
            Case {
                name: "the seed's heidag on one day: four breaks between parts would not fit, two breaks do",
                parts: heidag(),
                settings: settings(thursday, 300, 1),
                expect: "
day 1 2026-03-05 09:00+01:00-14:00+01:00 (300): 1:15 2:40 3:35(1/2) | 3:15(2/2) 4:60 5:15(1/2) | 5:45(2/2) 6:45",
            },
            Case {
                name: "the seed's heidag on two days a week apart: both days well under four hours",
                parts: heidag(),
                settings: settings(thursday, 300, 2),
                expect: "
day 1 2026-03-05 09:00+01:00-11:00+01:00 (120): 1:15 2:40 | 3:50
day 2 2026-03-12 09:00+01:00-12:15+01:00 (195): 4:60 | 5:60 | 6:45",
            },
            Case {
                name: "the heidag with six hours fits without a warning",
                parts: heidag(),
                settings: settings(thursday, 360, 1),
                expect: "day 1 2026-03-05 09:00+01:00-14:30+01:00 (330): 1:15 2:40 | 3:50 | 4:60 | 5:60 | 6:45",
            },
            Case {
                name: "a too-long program: the could-have is shortened first, then the later should-have",
                parts: {
                    let mut program = heidag();
                    program.push(PlanPart {
                        id: PartId(7),
                        title: Localized::new("Inspiratie", "Inspiration"),
                        minutes: 30,
                        priority: Priority::Could,
                    });
                    program
                },
                settings: settings(thursday, 300, 1),
                expect: "
day 1 2026-03-05 09:00+01:00-15:00+01:00 (360): 1:15 2:40 | 3:50 | 4:60 | 5:60 | 6:45 7:30
over: day 1 by 60: 7 30->15, 5 60->45",
            },
            Case {
                name: "a program that fits with breaks between parts is not split",
                parts: parts("45m 45m 45m 45m"),
                settings: settings(thursday, 300, 1),
                expect: "day 1 2026-03-05 09:00+01:00-12:15+01:00 (195): 1:45 2:45 | 3:45 4:45",
            },
            Case {
                name: "breaks between parts win when they fit, though fewer breaks would split a part",
                parts: parts("60m 60m 60m"),
                settings: settings(thursday, 300, 1),
                expect: "day 1 2026-03-05 09:00+01:00-12:30+01:00 (210): 1:60 | 2:60 | 3:60",
            },
            Case {
                name: "the same three parts on a day too short for two breaks: one break, mid-part",
                parts: parts("60m 60m 60m"),
                settings: settings(thursday, 200, 1),
                expect: "day 1 2026-03-05 09:00+01:00-12:15+01:00 (195): 1:60 2:30(1/2) | 2:30(2/2) 3:60",
            },
            Case {
                name: "fewest breaks: at the latest part boundary in the window, else mid-part",
                parts: parts("50m 50m 50m 50m"),
                settings: settings(thursday, 240, 1),
                expect: "day 1 2026-03-05 09:00+01:00-12:50+01:00 (230): 1:50 | 2:50 3:40(1/2) | 3:10(2/2) 4:50",
            },
            Case {
                name: "a part of 0 minutes stays before a fewest-breaks break at its boundary",
                parts: parts("70m 0m 30m 70m 30m"),
                settings: settings(thursday, 240, 1),
                expect: "day 1 2026-03-05 09:00+01:00-12:50+01:00 (230): 1:70 2:0 | 3:30 4:60(1/2) | 4:10(2/2) 5:30",
            },
            Case {
                name: "fewest breaks with a part longer than the stretch: only that part is a warning",
                parts: parts("50m 50m 50m 50m 100m"),
                settings: settings(thursday, 345, 1),
                expect: "
day 1 2026-03-05 09:00+01:00-14:45+01:00 (345): 1:50 | 2:50 3:40(1/2) | 3:10(2/2) 4:50 5:30(1/2) | 5:70(2/2)
split: 5 (100)",
            },
            Case {
                name: "neither way fits: breaks between parts, and the cut needed for the fewest breaks",
                parts: parts("60m 60m 60s"),
                settings: settings(thursday, 180, 1),
                expect: "
day 1 2026-03-05 09:00+01:00-12:30+01:00 (210): 1:60 | 2:60 | 3:60
over: day 1 by 30: 3 60->45",
            },
            Case {
                name: "a could-have is dropped only when shortening is not enough",
                parts: parts("50m 30c"),
                settings: settings(thursday, 60, 1),
                expect: "
day 1 2026-03-05 09:00+01:00-10:20+01:00 (80): 1:50 2:30
over: day 1 by 20: 2 drop",
            },
            Case {
                name: "a could-have is shortened in steps of five, not below half",
                parts: parts("30m 47c"),
                settings: settings(thursday, 60, 1),
                expect: "
day 1 2026-03-05 09:00+01:00-10:17+01:00 (77): 1:30 2:47
over: day 1 by 17: 2 47->27",
            },
            Case {
                name: "only must-haves: it cannot fit and no cut is offered",
                parts: parts("60m 60m"),
                settings: settings(thursday, 60, 1),
                expect: "
day 1 2026-03-05 09:00+01:00-11:15+01:00 (135): 1:60 | 2:60
cannot fit: day 1 by 75: -",
            },
            Case {
                name: "it cannot fit even with every cut: all cuts are listed",
                parts: parts("50m 40s 10c"),
                settings: settings(thursday, 60, 1),
                expect: "
day 1 2026-03-05 09:00+01:00-10:55+01:00 (115): 1:50 2:40 | 3:10
cannot fit: day 1 by 10: 3 drop, 2 40->20",
            },
            Case {
                name: "a 120-minute part after 30 minutes of work is split 60 | 60",
                parts: parts("30m 120s 30m"),
                settings: settings(thursday, 300, 1),
                expect: "
day 1 2026-03-05 09:00+01:00-12:15+01:00 (195): 1:30 2:60(1/2) | 2:60(2/2) 3:30
split: 2 (120)",
            },
            Case {
                name: "a long part right after 85 minutes of work takes the break first: fewer pieces",
                parts: parts("85m 100m"),
                settings: settings(thursday, 300, 1),
                expect: "
day 1 2026-03-05 09:00+01:00-12:35+01:00 (215): 1:85 | 2:90(1/2) | 2:10(2/2)
split: 2 (100)",
            },
            Case {
                name: "a 200-minute part on its own is cut into full stretches",
                parts: parts("200m"),
                settings: settings(thursday, 300, 1),
                expect: "
day 1 2026-03-05 09:00+01:00-12:50+01:00 (230): 1:90(1/3) | 1:90(2/3) | 1:20(3/3)
split: 1 (200)",
            },
            Case {
                name: "two days: the split counts a day in fewest-breaks mode at its real length",
                parts: parts("50m 50m 50m 50m 60m"),
                settings: settings(thursday, 180, 2),
                expect: "
day 1 2026-03-05 09:00+01:00-10:55+01:00 (115): 1:50 | 2:50
day 2 2026-03-12 09:00+01:00-11:55+01:00 (175): 3:50 4:40(1/2) | 4:10(2/2) 5:60",
            },
            Case {
                name: "no parts: one empty day",
                parts: Vec::new(),
                settings: settings(thursday, 300, 1),
                expect: "day 1 2026-03-05 (0): -",
            },
            Case {
                name: "one part on two days: it goes on the first day, the second stays empty",
                parts: parts("60m"),
                settings: settings(thursday, 300, 2),
                expect: "
day 1 2026-03-05 09:00+01:00-10:00+01:00 (60): 1:60
day 2 2026-03-12 (0): -",
            },
            Case {
                name: "a zero-minute part gets a zero-length block and no break",
                parts: parts("90m 0m 30m"),
                settings: settings(thursday, 300, 1),
                expect: "day 1 2026-03-05 09:00+01:00-11:15+01:00 (135): 1:90 2:0 | 3:30",
            },
            Case {
                name: "a start in the DST gap of 29 March 2026 falls forward an hour",
                parts: parts("60m 60m"),
                settings: settings(at((2026, 3, 29), 2, 30), 300, 1),
                expect: "day 1 2026-03-29 03:30+02:00-05:45+02:00 (135): 1:60 | 2:60",
            },
            Case {
                name: "a day across the DST change lasts its real minutes",
                parts: parts("60m 60m"),
                settings: settings(at((2026, 3, 29), 1, 0), 300, 1),
                expect: "day 1 2026-03-29 01:00+01:00-04:15+02:00 (135): 1:60 | 2:60",
            },
            Case {
                name: "an ambiguous start when the clocks go back is its first occurrence",
                parts: parts("60m"),
                settings: settings(at((2026, 10, 25), 2, 30), 300, 1),
                expect: "day 1 2026-10-25 02:30+02:00-02:30+01:00 (60): 1:60",
            },
            Case {
                name: "two days across the DST change keep the same wall-clock start",
                parts: parts("60m 60m"),
                settings: settings(at((2026, 3, 26), 9, 0), 300, 2),
                expect: "
day 1 2026-03-26 09:00+01:00-10:00+01:00 (60): 1:60
day 2 2026-04-02 09:00+02:00-10:00+02:00 (60): 2:60",
            },
        ];
        for case in &cases {
            check(case);
        }
    }

    #[test]
    fn planner_fits_the_seeds_heidag_in_five_hours_with_two_coffee_breaks() {
        let thursday = at((2026, 3, 5), 9, 0);
        let one_day = PlannerSettings::with_defaults(thursday, Amsterdam, 1).unwrap();
        let schedule = plan(&heidag(), &one_day);
        assert_eq!(schedule.warnings, Vec::new());
        let [day] = schedule.days.as_slice() else {
            panic!("one day expected");
        };
        assert_eq!((day.work_minutes, day.total_minutes), (270, 300));
        assert_eq!(day.start(), Amsterdam.with_ymd_and_hms(2026, 3, 5, 9, 0, 0).single());
        // Title (English), piece if split, start and end.
        let blocks: Vec<String> = day
            .blocks
            .iter()
            .map(|block| {
                let piece = match block.kind {
                    BlockKind::Part { segment: Some((n, of)), .. } => format!(" ({n}/{of})"),
                    _ => String::new(),
                };
                format!(
                    "{}{piece} {}-{}",
                    block.title.get(Lang::En),
                    block.start.format("%H:%M"),
                    block.end.format("%H:%M")
                )
            })
            .collect();
        assert_eq!(
            blocks,
            [
                "Models 09:00-09:15",
                "End goals 09:15-09:55",
                "SMART goals (1/2) 09:55-10:30",
                "Coffee break 10:30-10:45",
                "SMART goals (2/2) 10:45-11:00",
                "Target audience: personas 11:00-12:00",
                "Core message (1/2) 12:00-12:15",
                "Coffee break 12:15-12:30",
                "Core message (2/2) 12:30-13:15",
                "Action points 13:15-14:00",
            ]
        );
        assert_eq!(day.blocks[2].title.get(Lang::Nl), "SMART-doelen");
        assert_eq!(day.blocks[3].title.get(Lang::Nl), "Koffiepauze");

        // No more than 90 minutes of work in one go.
        let mut worked = 0;
        for block in &day.blocks {
            match block.kind {
                BlockKind::Break => worked = 0,
                BlockKind::Part { .. } => worked += block.minutes,
            }
            assert!(worked <= 90, "{worked} minutes of work without a break");
        }

        // On two days a week apart: no warnings, both days under four hours.
        let two_days = PlannerSettings::with_defaults(thursday, Amsterdam, 2).unwrap();
        let schedule = plan(&heidag(), &two_days);
        assert_eq!(schedule.warnings, Vec::new());
        let totals: Vec<u32> = schedule.days.iter().map(|day| day.total_minutes).collect();
        assert_eq!(totals, [120, 195]);
        assert!(totals.iter().all(|&total| total < 240));
        assert_eq!(schedule.days[1].date, NaiveDate::from_ymd_opt(2026, 3, 12).unwrap());
    }

    #[test]
    fn planner_warnings_read_naturally_in_dutch_and_english() {
        let thursday = at((2026, 3, 5), 9, 0);
        let over = PlanWarning {
            kind: WarningKind::DayOverLimit { day: 0, over_minutes: 35 },
            cuts: vec![
                Cut {
                    part_id: PartId(5),
                    title: Localized::new("Kernboodschap", "Core message"),
                    action: CutAction::Shorten,
                    from_minutes: 60,
                    to_minutes: 40,
                },
                Cut {
                    part_id: PartId(4),
                    title: Localized::new("Doelgroep: persona's", "Target audience: personas"),
                    action: CutAction::Shorten,
                    from_minutes: 60,
                    to_minutes: 45,
                },
            ],
            day_limit_minutes: 300,
            part_title: None,
            segments: Vec::new(),
        };
        let mut with_drop = over.clone();
        with_drop.day_limit_minutes = 270;
        with_drop.cuts.push(Cut {
            part_id: PartId(7),
            title: Localized::new("Inspiratie", "Inspiration"),
            action: CutAction::Drop,
            from_minutes: 30,
            to_minutes: 0,
        });
        let cannot_fit = PlanWarning {
            kind: WarningKind::CannotFit { day: 0, over_minutes: 40 },
            cuts: Vec::new(),
            day_limit_minutes: 290,
            part_title: None,
            segments: Vec::new(),
        };
        let split = plan(&parts("30m 120s"), &settings(thursday, 300, 1)).warnings;
        let uneven = plan(&parts("85m 100m"), &settings(thursday, 300, 1)).warnings;
        let cases: [(&PlanWarning, Lang, &str); 10] = [
            (
                &over,
                Lang::Nl,
                "Dag 1 duurt 35 minuten langer dan de 5 uur die je hebt. \
                 Kort Kernboodschap in met 20 minuten en Doelgroep: persona's met 15 minuten.",
            ),
            (
                &over,
                Lang::En,
                "Day 1 runs 35 minutes over its 5 hours. \
                 Shorten Core message by 20 minutes and Target audience: personas by 15 minutes.",
            ),
            (
                &with_drop,
                Lang::Nl,
                "Dag 1 duurt 35 minuten langer dan de 4,5 uur die je hebt. \
                 Kort Kernboodschap in met 20 minuten en Doelgroep: persona's met 15 minuten. Laat Inspiratie vallen.",
            ),
            (
                &with_drop,
                Lang::En,
                "Day 1 runs 35 minutes over its 4.5 hours. \
                 Shorten Core message by 20 minutes and Target audience: personas by 15 minutes. Drop Inspiration.",
            ),
            (
                &cannot_fit,
                Lang::Nl,
                "Dag 1 past niet in de 4 uur en 50 minuten die je hebt: ook als je alles inkort wat kan, \
                 duurt de dag nog 40 minuten te lang. Alleen een tweede dag of een langere dag helpt.",
            ),
            (
                &cannot_fit,
                Lang::En,
                "Day 1 does not fit in its 4 hours and 50 minutes: even with every possible cut it still runs \
                 40 minutes over. Only a second day or a longer day helps.",
            ),
            (
                &split[0],
                Lang::Nl,
                "P2 duurt 120 minuten, langer dan je zonder pauze doorwerkt: halverwege komt er een koffiepauze.",
            ),
            (
                &split[0],
                Lang::En,
                "P2 takes 120 minutes, longer than you work without a break: it gets a coffee break halfway.",
            ),
            (
                &uneven[0],
                Lang::Nl,
                "P2 duurt 100 minuten, langer dan je zonder pauze doorwerkt: na 90 minuten komt er een koffiepauze.",
            ),
            (
                &uneven[0],
                Lang::En,
                "P2 takes 100 minutes, longer than you work without a break: it gets a coffee break after 90 minutes.",
            ),
        ];
        for (warning, lang, expected) in cases {
            assert_eq!(warning.message(lang), expected);
        }

        let three_pieces = plan(&parts("200m"), &settings(thursday, 300, 1)).warnings;
        assert_eq!(
            three_pieces[0].message(Lang::Nl),
            "P1 duurt 200 minuten, langer dan je zonder pauze doorwerkt: er komen koffiepauzes na 90 en 180 minuten."
        );
        assert_eq!(
            three_pieces[0].message(Lang::En),
            "P1 takes 200 minutes, longer than you work without a break: it gets coffee breaks after 90 and 180 minutes."
        );
        let second_day = PlanWarning { kind: WarningKind::CannotFit { day: 1, over_minutes: 1 }, ..cannot_fit.clone() };
        assert!(second_day.message(Lang::Nl).starts_with("Dag 2 past niet"));
        assert!(second_day.message(Lang::Nl).ends_with("nog 1 minuut te lang. Alleen een langere dag helpt."));
        assert!(second_day.message(Lang::En).ends_with("runs 1 minute over. Only a longer day helps."));
    }

    #[test]
    fn planner_cuts_describe_themselves() {
        let shorten = Cut {
            part_id: PartId(5),
            title: Localized::new("Kernboodschap", "Core message"),
            action: CutAction::Shorten,
            from_minutes: 60,
            to_minutes: 40,
        };
        let drop = Cut {
            part_id: PartId(7),
            title: Localized::new("Inspiratie", "Inspiration"),
            action: CutAction::Drop,
            from_minutes: 45,
            to_minutes: 0,
        };
        assert_eq!(shorten.describe(Lang::Nl), "Kort Kernboodschap in van 60 naar 40 minuten");
        assert_eq!(shorten.describe(Lang::En), "Shorten Core message from 60 to 40 minutes");
        assert_eq!(drop.describe(Lang::Nl), "Laat Inspiratie vallen (45 minuten)");
        assert_eq!(drop.describe(Lang::En), "Drop Inspiration (45 minutes)");
        assert_eq!(shorten.saved_minutes(), 20);
        assert_eq!(drop.saved_minutes(), 45);
    }

    #[test]
    fn planner_hours_are_written_the_way_people_say_them() {
        let cases = [
            (300, "5 uur", "5 hours"),
            (270, "4,5 uur", "4.5 hours"),
            (60, "1 uur", "1 hour"),
            (90, "1,5 uur", "1.5 hours"),
            (290, "4 uur en 50 minuten", "4 hours and 50 minutes"),
            (61, "1 uur en 1 minuut", "1 hour and 1 minute"),
        ];
        for (minutes, nl, en) in cases {
            assert_eq!(hours_text(minutes, Lang::Nl), nl);
            assert_eq!(hours_text(minutes, Lang::En), en);
        }
    }

    #[test]
    fn planner_shortens_no_part_below_half_its_timebox() {
        let cases = [(60, 30), (45, 25), (40, 20), (47, 25), (5, 5), (3, 5), (0, 5), (1440, 720)];
        for (minutes, floor) in cases {
            assert_eq!(min_shortened_minutes(minutes), floor, "{minutes}");
        }
    }

    fn render_replan(replan: Option<Replan>) -> String {
        let Some(replan) = replan else {
            return "none".to_owned();
        };
        format!(
            "day {} end {} -> {} delay {} {}: {}",
            replan.day + 1,
            replan.planned_end.format("%H:%M"),
            replan.projected_end.format("%H:%M"),
            replan.delay_minutes,
            if replan.fits { "fits" } else { "late" },
            render_cuts(&replan.cuts)
        )
    }

    #[test]
    fn planner_replans_from_the_live_position() {
        let thursday = at((2026, 3, 5), 9, 0);
        let one_day = settings(thursday, 300, 1);
        let two_days = settings(thursday, 300, 2);
        let position = |part: u32, minutes_used: u32, overrun_so_far: i32| LivePosition {
            current_part: PartId(part),
            minutes_used,
            overrun_so_far,
        };
        let cases = [
            ("on time", &one_day, position(3, 30, 0), "day 1 end 14:00 -> 14:00 delay 0 fits: -"),
            ("ahead of time", &one_day, position(4, 10, -10), "day 1 end 14:00 -> 13:50 delay -10 fits: -"),
            (
                "finishing early in the current part does not count as ahead",
                &one_day,
                position(3, 10, 0),
                "day 1 end 14:00 -> 14:00 delay 0 fits: -",
            ),
            (
                "20 minutes over in end goals: core message gives 20 minutes",
                &one_day,
                position(2, 60, 0),
                "day 1 end 14:00 -> 14:20 delay 20 fits: 5 60->40",
            ),
            (
                "50 minutes behind: core message to half, then personas",
                &one_day,
                position(3, 50, 50),
                "day 1 end 14:00 -> 14:50 delay 50 fits: 5 60->30, 4 60->40",
            ),
            (
                "45 minutes behind in personas: core message gives only 30",
                &one_day,
                position(4, 60, 45),
                "day 1 end 14:00 -> 14:45 delay 45 late: 5 60->30",
            ),
            (
                "over in core message: only a must-have is left",
                &one_day,
                position(5, 80, 0),
                "day 1 end 14:00 -> 14:20 delay 20 late: -",
            ),
            (
                "over on the first of two days: only must-haves follow that day",
                &two_days,
                position(2, 60, 0),
                "day 1 end 11:00 -> 11:20 delay 20 late: -",
            ),
            (
                "over on the second day: core message gives 20 minutes",
                &two_days,
                position(4, 80, 0),
                "day 2 end 12:15 -> 12:35 delay 20 fits: 5 60->40",
            ),
            ("a part that is not in the program", &one_day, position(99, 0, 0), "none"),
        ];
        for (name, settings, position, expected) in cases {
            assert_eq!(render_replan(replan(&heidag(), settings, &position)), expected, "case: {name}");
        }
    }

    #[test]
    fn planner_does_not_panic_on_absurd_input() {
        let huge = vec![
            PlanPart { id: PartId(1), title: Localized::same("x"), minutes: u32::MAX, priority: Priority::Could },
            PlanPart { id: PartId(1), title: Localized::same("y"), minutes: u32::MAX, priority: Priority::Should },
        ];
        let late = PlannerSettings::new(NaiveDateTime::MAX, Amsterdam, 720, 30, 60, 2, 60).unwrap();
        let early = PlannerSettings::new(NaiveDateTime::MIN, chrono_tz::Pacific::Apia, 60, 240, 5, 1, 1).unwrap();
        for settings in [&late, &early] {
            let schedule = plan(&huge, settings);
            assert!(!schedule.warnings.is_empty());
            let position = LivePosition { current_part: PartId(1), minutes_used: u32::MAX, overrun_so_far: i32::MAX };
            assert!(replan(&huge, settings, &position).is_some());
        }
    }

    // Property tests: the invariants hold for any program and any valid settings.

    const ZONES: [Tz; 6] = [
        chrono_tz::Europe::Amsterdam,
        chrono_tz::UTC,
        chrono_tz::America::New_York,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::Pacific::Apia,
        chrono_tz::Asia::Kolkata,
    ];

    fn arb_priority() -> impl Strategy<Value = Priority> {
        prop_oneof![Just(Priority::Must), Just(Priority::Should), Just(Priority::Could)]
    }

    fn arb_parts() -> impl Strategy<Value = Vec<PlanPart>> {
        let minutes = prop_oneof![4 => (1u32..=48).prop_map(|n| n * 5), 1 => 0u32..=MAX_PART_MINUTES];
        prop::collection::vec((minutes, arb_priority()), 0..10).prop_map(|specs| {
            specs
                .into_iter()
                .enumerate()
                .map(|(n, (minutes, priority))| {
                    let id = u32::try_from(n + 1).unwrap();
                    PlanPart { id: PartId(id), title: Localized::same(format!("P{id}")), minutes, priority }
                })
                .collect()
        })
    }

    fn arb_settings() -> impl Strategy<Value = PlannerSettings> {
        // The DST days of Europe and the US turn up often, next to any day of the year.
        let ordinal = prop_oneof![1 => prop::sample::select(vec![67u32, 88, 298, 305]), 2 => 1u32..=365];
        (
            ordinal,
            0u32..24,
            prop::sample::select(vec![0u32, 15, 30, 45]),
            prop::sample::select(ZONES.to_vec()),
            (60u32..=720, 30u32..=240, 5u32..=60),
            (1u32..=2, 1u32..=60),
        )
            .prop_map(|(ordinal, hour, minute, zone, (limit, stretch, pause), (days, gap))| {
                let start = NaiveDate::from_yo_opt(2026, ordinal).unwrap().and_hms_opt(hour, minute, 0).unwrap();
                PlannerSettings::new(start, zone, limit, stretch, pause, days, gap).unwrap()
            })
    }

    /// One day of parts sized against the stretch (mostly shorter than it, now and then
    /// longer or empty), with a limit right at or just above the fewest-breaks length: such a
    /// day is planned in fewest-breaks mode whenever breaks between parts would need more.
    fn arb_tight_day() -> impl Strategy<Value = (Vec<PlanPart>, PlannerSettings)> {
        let size = prop_oneof![8 => 1u32..=100, 1 => Just(0u32), 1 => 101u32..=250];
        (
            arb_settings(),
            prop::collection::vec((size, arb_priority()), 1..10),
            prop::sample::select(vec![0u32, 0, 0, 1, 5, 20]),
        )
            .prop_map(|(settings, specs, slack)| {
                let stretch = settings.max_work_stretch_minutes();
                let parts: Vec<PlanPart> = specs
                    .into_iter()
                    .enumerate()
                    .map(|(n, (percent, priority))| {
                        let id = u32::try_from(n + 1).unwrap();
                        PlanPart {
                            id: PartId(id),
                            title: Localized::same(format!("P{id}")),
                            minutes: (stretch * percent / 100 / 5 * 5).min(MAX_PART_MINUTES),
                            priority,
                        }
                    })
                    .collect();
                let work: u32 = parts.iter().map(|part| part.minutes).sum();
                let fewest = work + work.div_ceil(stretch).saturating_sub(1) * settings.break_minutes();
                let settings = PlannerSettings::new(
                    settings.start(),
                    settings.time_zone(),
                    (fewest + slack).clamp(60, 720),
                    stretch,
                    settings.break_minutes(),
                    1,
                    1,
                )
                .unwrap();
                (parts, settings)
            })
    }

    fn one_day_like(settings: &PlannerSettings) -> PlannerSettings {
        PlannerSettings::new(
            settings.start(),
            settings.time_zone(),
            settings.max_day_minutes(),
            settings.max_work_stretch_minutes(),
            settings.break_minutes(),
            1,
            1,
        )
        .unwrap()
    }

    /// The parts on one day of a schedule, in order.
    fn parts_on_day(parts: &[PlanPart], day: &DayPlan) -> Vec<PlanPart> {
        let ids: Vec<PartId> = day
            .blocks
            .iter()
            .filter_map(|block| match block.kind {
                BlockKind::Part { part_id, .. } => Some(part_id),
                BlockKind::Break => None,
            })
            .collect();
        parts.iter().filter(|part| ids.contains(&part.id)).cloned().collect()
    }

    fn apply_cuts(parts: &[PlanPart], cuts: &[Cut]) -> Vec<PlanPart> {
        parts
            .iter()
            .filter_map(|part| match cuts.iter().find(|cut| cut.part_id == part.id) {
                Some(cut) if cut.action == CutAction::Drop => None,
                Some(cut) => Some(PlanPart { minutes: cut.to_minutes, ..part.clone() }),
                None => Some(part.clone()),
            })
            .collect()
    }

    fn check_cut_rules(day_parts: &[PlanPart], cuts: &[Cut]) -> Result<(), TestCaseError> {
        for cut in cuts {
            let part = day_parts.iter().find(|part| part.id == cut.part_id);
            prop_assert!(part.is_some(), "cut on a part of another day");
            let part = part.unwrap();
            prop_assert_ne!(part.priority, Priority::Must);
            prop_assert_eq!(cut.from_minutes, part.minutes);
            match cut.action {
                CutAction::Shorten => {
                    prop_assert!(cut.to_minutes < cut.from_minutes);
                    prop_assert!(cut.to_minutes >= min_shortened_minutes(cut.from_minutes));
                    prop_assert_eq!(cut.saved_minutes() % 5, 0);
                }
                CutAction::Drop => {
                    prop_assert_eq!(part.priority, Priority::Could);
                    prop_assert_eq!(cut.to_minutes, 0);
                }
            }
        }
        let mut ids: Vec<PartId> = cuts.iter().map(|cut| cut.part_id).collect();
        ids.sort();
        ids.dedup();
        prop_assert_eq!(ids.len(), cuts.len(), "a part is cut twice");
        Ok(())
    }

    fn check_day_blocks(day: &DayPlan, settings: &PlannerSettings) -> Result<(), TestCaseError> {
        let stretch = settings.max_work_stretch_minutes();
        prop_assert!(!matches!(day.blocks.first().map(|b| &b.kind), Some(BlockKind::Break)), "break at the start");
        prop_assert!(!matches!(day.blocks.last().map(|b| &b.kind), Some(BlockKind::Break)), "break at the end");
        let mut worked = 0;
        for (n, block) in day.blocks.iter().enumerate() {
            prop_assert_eq!((block.end - block.start).num_minutes(), i64::from(block.minutes));
            if n > 0 {
                prop_assert_eq!(block.start, day.blocks[n - 1].end, "blocks not contiguous");
            }
            match block.kind {
                BlockKind::Break => {
                    prop_assert_eq!(block.minutes, settings.break_minutes());
                    prop_assert!(!matches!(day.blocks[n - 1].kind, BlockKind::Break), "two breaks in a row");
                    worked = 0;
                }
                BlockKind::Part { .. } => {
                    worked += block.minutes;
                    prop_assert!(worked <= stretch, "worked {} minutes without a break", worked);
                }
            }
        }
        let total: u32 = day.blocks.iter().map(|block| block.minutes).sum();
        let work: u32 = day
            .blocks
            .iter()
            .filter(|block| matches!(block.kind, BlockKind::Part { .. }))
            .map(|block| block.minutes)
            .sum();
        prop_assert_eq!(day.total_minutes, total);
        prop_assert_eq!(day.work_minutes, work);
        if let Some(first) = day.blocks.first() {
            prop_assert_eq!(first.start.date_naive(), day.date);
        }
        Ok(())
    }

    /// A part as found in a schedule: its id, its minutes summed over its pieces, its pieces.
    type SeenPart = (PartId, u32, Vec<Option<(u32, u32)>>);

    /// Every part exactly once, in order; a split part's pieces numbered 1..=of, separated by
    /// exactly one break each, summing to its minutes; a `PartSplit` for exactly the parts
    /// longer than the stretch (a shorter part split by a fewest-breaks break gets none).
    fn check_every_part_once(
        parts: &[PlanPart],
        schedule: &Schedule,
        settings: &PlannerSettings,
    ) -> Result<(), TestCaseError> {
        let mut seen: Vec<SeenPart> = Vec::new();
        for day in &schedule.days {
            let mut previous_piece_of: Option<PartId> = None;
            let mut since_piece = 0;
            for block in &day.blocks {
                match block.kind {
                    BlockKind::Break => since_piece += 1,
                    BlockKind::Part { part_id, segment, .. } => {
                        let continues = matches!(segment, Some((n, _)) if n > 1);
                        if continues {
                            prop_assert_eq!(previous_piece_of, Some(part_id), "piece away from its part");
                            prop_assert_eq!(since_piece, 1, "pieces not separated by one break");
                            let last = seen.last_mut().unwrap();
                            last.1 += block.minutes;
                            last.2.push(segment);
                        } else {
                            seen.push((part_id, block.minutes, vec![segment]));
                        }
                        previous_piece_of = segment.map(|_| part_id);
                        since_piece = 0;
                    }
                }
            }
        }
        prop_assert_eq!(seen.len(), parts.len());
        for ((id, minutes, segments), part) in seen.iter().zip(parts) {
            prop_assert_eq!(*id, part.id);
            prop_assert_eq!(*minutes, part.minutes);
            if segments.len() == 1 {
                prop_assert_eq!(segments[0], None);
            } else {
                let of = u32::try_from(segments.len()).unwrap();
                let expected: Vec<Option<(u32, u32)>> = (1..=of).map(|n| Some((n, of))).collect();
                prop_assert_eq!(segments, &expected);
            }
            let warned = schedule
                .warnings
                .iter()
                .any(|warning| warning.kind == WarningKind::PartSplit { part_id: part.id, minutes: part.minutes });
            let too_long = part.minutes > settings.max_work_stretch_minutes();
            prop_assert_eq!(warned, too_long);
            prop_assert!(!too_long || segments.len() > 1, "a too-long part in one go");
        }
        Ok(())
    }

    /// The work minute of the day at which each break of the day falls.
    fn break_positions(blocks: impl IntoIterator<Item = (bool, u32)>) -> Vec<u32> {
        let mut worked = 0;
        let mut positions = Vec::new();
        for (is_break, minutes) in blocks {
            if is_break {
                positions.push(worked);
            } else {
                worked += minutes;
            }
        }
        positions
    }

    /// The fewest-breaks positions, found by trying every minute of each window.
    fn expected_fewest_breaks(minutes: &[u32], stretch: u32) -> Vec<u32> {
        let ends: Vec<u32> = minutes
            .iter()
            .scan(0, |sum, &m| {
                *sum += m;
                Some(*sum)
            })
            .collect();
        let work: u32 = minutes.iter().sum();
        let fewest = work.div_ceil(stretch).saturating_sub(1);
        let mut last = 0;
        let mut positions = Vec::new();
        for left in (1..=fewest).rev() {
            let earliest = (last + 1).max(work.saturating_sub(left * stretch));
            let latest = last + stretch;
            let at = (earliest..=latest).rev().find(|minute| ends.contains(minute)).unwrap_or(latest);
            positions.push(at);
            last = at;
        }
        positions
    }

    /// The three-step placement: breaks between parts when the day then fits, else the fewest
    /// breaks when the day then fits, else between parts again.
    fn check_placement(parts: &[PlanPart], day: &DayPlan, settings: &PlannerSettings) -> Result<(), TestCaseError> {
        let (stretch, pause, limit) =
            (settings.max_work_stretch_minutes(), settings.break_minutes(), settings.max_day_minutes());
        let minutes: Vec<u32> = parts_on_day(parts, day).iter().map(|part| part.minutes).collect();
        let work: u32 = minutes.iter().sum();
        let fewest = work.div_ceil(stretch).saturating_sub(1);
        let fewest_total = work + fewest * pause;
        let between_parts = layout(&minutes, stretch);
        let between_total = saturate(pieces_total(&between_parts, pause));
        let actual = break_positions(day.blocks.iter().map(|block| (block.kind == BlockKind::Break, block.minutes)));
        prop_assert!(day.total_minutes >= fewest_total, "fewer breaks than possible");
        if between_total <= limit || fewest_total > limit {
            prop_assert_eq!(day.total_minutes, between_total);
            let expected = break_positions(between_parts.iter().map(|piece| match piece {
                Piece::Break => (true, pause),
                Piece::Part { minutes, .. } => (false, *minutes),
            }));
            prop_assert_eq!(actual, expected, "not the breaks between parts");
            for block in &day.blocks {
                if let BlockKind::Part { part_id, segment: Some(_), .. } = block.kind {
                    let part = parts.iter().find(|part| part.id == part_id).unwrap();
                    prop_assert!(part.minutes > stretch, "a short part split between parts");
                }
            }
        } else {
            prop_assert_eq!(day.total_minutes, fewest_total);
            prop_assert!(day.total_minutes <= limit);
            prop_assert_eq!(actual, expected_fewest_breaks(&minutes, stretch));
        }
        Ok(())
    }

    fn check_day_warnings(
        parts: &[PlanPart],
        schedule: &Schedule,
        settings: &PlannerSettings,
    ) -> Result<(), TestCaseError> {
        let limit = settings.max_day_minutes();
        let single = one_day_like(settings);
        for (index, day) in schedule.days.iter().enumerate() {
            let warnings: Vec<&PlanWarning> = schedule
                .warnings
                .iter()
                .filter(|warning| {
                    matches!(warning.kind,
                        WarningKind::DayOverLimit { day, .. } | WarningKind::CannotFit { day, .. } if day == index)
                })
                .collect();
            if day.total_minutes <= limit {
                prop_assert!(warnings.is_empty(), "a warning for a day that fits");
                continue;
            }
            prop_assert_eq!(
                warnings.len(),
                1,
                "day {} is {} minutes long without one warning",
                index,
                day.total_minutes
            );
            let warning = warnings[0];
            prop_assert!(!warning.message(Lang::Nl).is_empty() && !warning.message(Lang::En).is_empty());
            let day_parts = parts_on_day(parts, day);
            check_cut_rules(&day_parts, &warning.cuts)?;
            let after_cuts = plan(&apply_cuts(&day_parts, &warning.cuts), &single);
            let total_after = after_cuts.days[0].total_minutes;
            match warning.kind {
                WarningKind::DayOverLimit { over_minutes, .. } => {
                    prop_assert_eq!(over_minutes, day.total_minutes - limit);
                    prop_assert!(!warning.cuts.is_empty());
                    prop_assert!(total_after <= limit, "the cuts leave the day {} minutes long", total_after);
                    // Only as big as needed: any cut one step smaller no longer fits.
                    for n in 0..warning.cuts.len() {
                        let mut smaller = warning.cuts.clone();
                        let cut = &mut smaller[n];
                        let floor = min_shortened_minutes(cut.from_minutes);
                        cut.to_minutes = match cut.action {
                            CutAction::Shorten => cut.to_minutes + 5,
                            CutAction::Drop => cut.from_minutes - cut.from_minutes.saturating_sub(floor) / 5 * 5,
                        };
                        cut.action = CutAction::Shorten;
                        let total = plan(&apply_cuts(&day_parts, &smaller), &single).days[0].total_minutes;
                        prop_assert!(total > limit, "cut {} is bigger than needed", n);
                    }
                }
                WarningKind::CannotFit { over_minutes, .. } => {
                    prop_assert_eq!(total_after, limit + over_minutes, "cannot-fit over is not what is left");
                    prop_assert!(over_minutes > 0);
                }
                WarningKind::PartSplit { .. } => {}
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn planner_schedules_keep_every_rule(parts in arb_parts(), settings in arb_settings()) {
            let schedule = plan(&parts, &settings);
            prop_assert_eq!(&schedule, &plan(&parts, &settings), "not deterministic");
            prop_assert_eq!(schedule.days.len(), usize::try_from(settings.days()).unwrap());
            for day in &schedule.days {
                check_day_blocks(day, &settings)?;
                check_placement(&parts, day, &settings)?;
            }
            check_every_part_once(&parts, &schedule, &settings)?;
            check_day_warnings(&parts, &schedule, &settings)?;
            if let [first, second] = schedule.days.as_slice() {
                prop_assert_eq!(first.date + Days::new(u64::from(settings.gap_days())), second.date);
            }
        }

        #[test]
        fn planner_keeps_every_rule_on_a_day_just_long_enough_for_the_fewest_breaks(
            (parts, settings) in arb_tight_day(),
        ) {
            let schedule = plan(&parts, &settings);
            prop_assert_eq!(&schedule, &plan(&parts, &settings), "not deterministic");
            check_day_blocks(&schedule.days[0], &settings)?;
            check_placement(&parts, &schedule.days[0], &settings)?;
            check_every_part_once(&parts, &schedule, &settings)?;
            check_day_warnings(&parts, &schedule, &settings)?;
        }

        #[test]
        fn planner_splits_two_days_where_the_longer_day_is_shortest(
            parts in arb_parts(),
            settings in arb_settings(),
        ) {
            let single = one_day_like(&settings);
            let two_days = PlannerSettings::new(
                settings.start(), settings.time_zone(), settings.max_day_minutes(),
                settings.max_work_stretch_minutes(), settings.break_minutes(), 2, 7,
            ).unwrap();
            let schedule = plan(&parts, &two_days);
            let longer = schedule.days.iter().map(|day| day.total_minutes).max().unwrap();
            prop_assert!(parts.is_empty() || !schedule.days[0].blocks.is_empty(), "day 1 empty");
            for split in 1..=parts.len() {
                let first = plan(&parts[..split], &single).days[0].total_minutes;
                let second = plan(&parts[split..], &single).days[0].total_minutes;
                prop_assert!(longer <= first.max(second), "split at {} is better", split);
            }
        }

        #[test]
        fn planner_replans_consistently(
            parts in arb_parts(),
            settings in arb_settings(),
            pick in any::<prop::sample::Index>(),
            minutes_used in 0u32..400,
            overrun_so_far in -120i32..240,
        ) {
            let unknown = LivePosition { current_part: PartId(0), minutes_used, overrun_so_far };
            prop_assert_eq!(replan(&parts, &settings, &unknown), None);
            if parts.is_empty() {
                return Ok(());
            }
            let index = pick.index(parts.len());
            let current = &parts[index];
            let position = LivePosition { current_part: current.id, minutes_used, overrun_so_far };
            let outcome = replan(&parts, &settings, &position).unwrap();
            let schedule = plan(&parts, &settings);
            let day = &schedule.days[outcome.day];
            let on_that_day = day
                .blocks
                .iter()
                .any(|block| matches!(block.kind, BlockKind::Part { part_id, .. } if part_id == current.id));
            prop_assert!(on_that_day, "the current part is on another day");
            prop_assert_eq!(Some(outcome.planned_end), day.end());
            let expected_delay = i64::from(overrun_so_far) + (i64::from(minutes_used) - i64::from(current.minutes)).max(0);
            prop_assert_eq!(outcome.delay_minutes, expected_delay);
            prop_assert_eq!((outcome.projected_end - outcome.planned_end).num_minutes(), expected_delay);

            let later: Vec<PlanPart> = parts_on_day(&parts, day).into_iter().skip_while(|part| part.id != current.id).skip(1).collect();
            check_cut_rules(&later, &outcome.cuts)?;
            let saved: i64 = outcome.cuts.iter().map(|cut| i64::from(cut.saved_minutes())).sum();
            if expected_delay <= 0 {
                prop_assert!(outcome.fits && outcome.cuts.is_empty());
            } else {
                prop_assert_eq!(outcome.fits, saved >= expected_delay);
                let dropped = outcome.cuts.iter().any(|cut| cut.action == CutAction::Drop);
                prop_assert!(!outcome.fits || dropped || saved - expected_delay < 5, "cuts {} for a delay of {}", saved, expected_delay);
            }
        }
    }
}
