//! The content calendar: which form goes out on which channel how often, laid out over dates.
//!
//! The core-message part of the day ends with a plan such as "1 blog per maand op de website,
//! 2 posts per week op Instagram". [`calendar`] turns those plan lines into dated items the
//! team can export and follow. The rules are fixed and few, so a team can predict its calendar:
//!
//! - **Periods.** A frequency counts per calendar day, per ISO week (Monday to Sunday) or per
//!   calendar month.
//! - **Allowed days.** Items go on weekdays, Monday to Friday. A period's weekend is used only
//!   when the count does not fit on its weekdays: 6 or more per week, or more per month than
//!   the month has weekdays. A daily line uses every day, weekends included, because "per
//!   day" is what it says; a team that means working days writes "5 per week".
//! - **Spreading.** Item `i` of `n` in a period goes to allowed day `⌊(2i + 1) · d / 2n⌋` of its
//!   `d` allowed days: the middle of its equal share. So 1 per week falls on Wednesday, 2 on
//!   Tuesday and Thursday, 3 on Monday, Wednesday and Friday, 4 on Monday, Tuesday, Thursday
//!   and Friday; 1 per month on the middle weekday of the month, 2 per month around the 8th
//!   and the 23rd.
//! - **Staggering.** Lines are placed densest first (most items per day, a month counting as
//!   30 days), equally dense ones by lower id. Each item then goes to the least busy allowed
//!   day of its own period, the nearest to its spread day, a later day before an earlier one
//!   at equal distance. A dense line thus keeps its rhythm and a sparse line steps aside (the
//!   monthly blog moves off Thursday's post to Friday); two items share a day only when their
//!   period has no free allowed day left. A daily line puts the same number on every day, so
//!   it never makes one day less free than another and is left out of this count.
//! - **Edges.** A period that only partly overlaps `from..=to` is planned whole, together with
//!   the other lines' weeks and months around it, and then cut: a calendar starting on a
//!   Wednesday keeps that week's Thursday post and drops its Tuesday one.
//! - **Output.** Sorted by date, then line id, then the line's position in the input. The same
//!   input always gives the same calendar.
//! - **Limits.** `to` before `from`, a range longer than 366 days, more than 200 lines and more
//!   than 2,000 items are errors: a typo ("31 per dag") should give a message, not a calendar
//!   nobody can read, and no request can make the server do unbounded work.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::language::Lang;

/// A frequency is at least once per period.
pub const MIN_COUNT: u32 = 1;
/// A frequency is at most this many times per period: one a day for a month is the most a
/// team plans per line.
pub const MAX_COUNT: u32 = 31;
/// A calendar covers at most a year, leap day included.
pub const MAX_RANGE_DAYS: i64 = 366;
/// A content plan has tens of lines; this leaves headroom and bounds the work.
pub const MAX_LINES: usize = 200;
/// A calendar longer than this is not read by anyone; it is almost always a typo.
pub const MAX_ITEMS: usize = 2_000;

/// The standard forms of content (the seed's "video's, blogs, magazines, tv"): code, Dutch
/// name, English name. A team may type any other form; these are the suggestions.
pub const FORMS: [(&str, &str, &str); 16] = [
    ("video", "Video", "Video"),
    ("blog", "Blog", "Blog"),
    ("magazine", "Magazine", "Magazine"),
    ("tv", "Tv", "TV"),
    ("radio", "Radio", "Radio"),
    ("podcast", "Podcast", "Podcast"),
    ("newsletter", "Nieuwsbrief", "Newsletter"),
    ("social_post", "Socialmediapost", "Social media post"),
    ("story", "Story", "Story"),
    ("photo", "Foto", "Photo"),
    ("webinar", "Webinar", "Webinar"),
    ("case_study", "Klantcase", "Case study"),
    ("infographic", "Infographic", "Infographic"),
    ("whitepaper", "Whitepaper", "White paper"),
    ("advertisement", "Advertentie", "Advertisement"),
    ("event", "Evenement", "Event"),
];

/// The standard channels (the seed's "Instagram of Pinterest"): code, Dutch name, English name.
pub const CHANNELS: [(&str, &str, &str); 14] = [
    ("instagram", "Instagram", "Instagram"),
    ("facebook", "Facebook", "Facebook"),
    ("linkedin", "LinkedIn", "LinkedIn"),
    ("tiktok", "TikTok", "TikTok"),
    ("pinterest", "Pinterest", "Pinterest"),
    ("youtube", "YouTube", "YouTube"),
    ("x", "X (Twitter)", "X (Twitter)"),
    ("whatsapp", "WhatsApp", "WhatsApp"),
    ("website", "Website", "Website"),
    ("email", "E-mail", "Email"),
    ("print", "Drukwerk", "Print"),
    ("outdoor", "Buitenreclame", "Outdoor"),
    ("in_store", "In de winkel", "In store"),
    ("media", "Pers en media", "Press and media"),
];

/// The name of a standard form in `lang`, or `None` for a code that is not in [`FORMS`].
pub fn form_name(code: &str, lang: Lang) -> Option<&'static str> {
    name_in(&FORMS, code, lang)
}

/// The name of a standard channel in `lang`, or `None` for a code that is not in [`CHANNELS`].
pub fn channel_name(code: &str, lang: Lang) -> Option<&'static str> {
    name_in(&CHANNELS, code, lang)
}

fn name_in(list: &[(&'static str, &'static str, &'static str)], code: &str, lang: Lang) -> Option<&'static str> {
    list.iter().find(|(c, _, _)| *c == code).map(|&(_, nl, en)| match lang {
        Lang::Nl => nl,
        Lang::En => en,
    })
}

/// Why a frequency or a calendar was refused. Each variant says what to type instead, because
/// these messages reach the person filling in the plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentPlanError {
    #[error("a frequency needs a number and a period, such as \"2 per week\"")]
    EmptyFrequency,
    #[error("\"{0}\" is not a whole number of times; write a number such as \"2 per week\"")]
    NotACount(String),
    #[error("a frequency has one number, not several; write for example \"2 per week\"")]
    SeveralCounts,
    #[error("say per day, week or month, such as \"2 per week\"")]
    MissingPeriod,
    #[error("\"{0}\" cannot be planned: use a number per day, week or month")]
    UnsupportedPeriod(String),
    #[error("a frequency is 1 to 31 times per day, week or month, got {0}")]
    CountOutOfRange(u64),
    #[error("line {line}: a frequency is 1 to 31 times per day, week or month, got {count}")]
    InvalidLine { line: u32, count: u32 },
    #[error("the calendar ends ({to}) before it starts ({from})")]
    EndsBeforeStart { from: NaiveDate, to: NaiveDate },
    #[error("a calendar covers at most 366 days, got {0}")]
    RangeTooLong(i64),
    #[error("a content plan has at most {max} lines, got {got}")]
    TooManyLines { max: usize, got: usize },
    #[error("the calendar would have more than {max} items; shorten the period or lower a frequency")]
    TooManyItems { max: usize },
}

impl ContentPlanError {
    /// A stable code, the key of the message in the locale files (`content_plan.{code}`).
    pub fn code(&self) -> &'static str {
        match self {
            ContentPlanError::EmptyFrequency => "empty_frequency",
            ContentPlanError::NotACount(_) => "not_a_count",
            ContentPlanError::SeveralCounts => "several_counts",
            ContentPlanError::MissingPeriod => "missing_period",
            ContentPlanError::UnsupportedPeriod(_) => "unsupported_period",
            ContentPlanError::CountOutOfRange(_) => "count_out_of_range",
            ContentPlanError::InvalidLine { .. } => "invalid_line",
            ContentPlanError::EndsBeforeStart { .. } => "ends_before_start",
            ContentPlanError::RangeTooLong(_) => "range_too_long",
            ContentPlanError::TooManyLines { .. } => "too_many_lines",
            ContentPlanError::TooManyItems { .. } => "too_many_items",
        }
    }

    /// The values the message names, by placeholder: bounds as `min`/`max`, what was
    /// given as `got`, a typed word as `text`, dates as ISO dates.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        let bounds = |got: String| vec![("min", MIN_COUNT.to_string()), ("max", MAX_COUNT.to_string()), ("got", got)];
        match self {
            ContentPlanError::EmptyFrequency | ContentPlanError::SeveralCounts | ContentPlanError::MissingPeriod => {
                Vec::new()
            }
            ContentPlanError::NotACount(text) | ContentPlanError::UnsupportedPeriod(text) => {
                vec![("text", text.clone())]
            }
            ContentPlanError::CountOutOfRange(got) => bounds(got.to_string()),
            ContentPlanError::InvalidLine { line, count } => {
                let mut args = bounds(count.to_string());
                args.push(("line", line.to_string()));
                args
            }
            ContentPlanError::EndsBeforeStart { from, to } => vec![("from", from.to_string()), ("to", to.to_string())],
            ContentPlanError::RangeTooLong(got) => vec![("max", MAX_RANGE_DAYS.to_string()), ("got", got.to_string())],
            ContentPlanError::TooManyLines { max, got } => vec![("max", max.to_string()), ("got", got.to_string())],
            ContentPlanError::TooManyItems { max } => vec![("max", max.to_string())],
        }
    }
}

/// What a frequency counts per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Day, Period::Week, Period::Month];

    pub fn code(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// The length used to compare how dense lines are; a month counts as 30 days.
    fn nominal_days(self) -> u64 {
        match self {
            Period::Day => 1,
            Period::Week => 7,
            Period::Month => 30,
        }
    }

    fn same(self, a: NaiveDate, b: NaiveDate) -> bool {
        match self {
            Period::Day => a == b,
            Period::Week => a.iso_week() == b.iso_week(),
            Period::Month => a.year() == b.year() && a.month() == b.month(),
        }
    }

    /// The days of the period that holds `date`, in order. Walks day by day so that it stays
    /// correct (and panic-free) at the very ends of the calendar.
    fn days_around(self, date: NaiveDate) -> Vec<NaiveDate> {
        let mut first = date;
        while let Some(previous) = first.pred_opt()
            && self.same(previous, date)
        {
            first = previous;
        }
        let mut days = vec![first];
        let mut last = first;
        while let Some(next) = last.succ_opt()
            && self.same(next, date)
        {
            days.push(next);
            last = next;
        }
        days
    }

    /// Every period that overlaps `from..=to`, whole, in order.
    fn spans(self, from: NaiveDate, to: NaiveDate) -> Vec<Vec<NaiveDate>> {
        let mut spans = Vec::new();
        let mut day = from;
        loop {
            let days = self.days_around(day);
            let Some(&last) = days.last() else { break };
            spans.push(days);
            match last.succ_opt() {
                Some(next) if last < to => day = next,
                _ => break,
            }
        }
        spans
    }
}

/// How often a line publishes: `count` times per `per`, with `count` in 1..=31.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "FrequencyFields")]
pub struct Frequency {
    pub count: u32,
    pub per: Period,
}

/// The unchecked shape of a frequency on the wire; checked into a [`Frequency`] on the way in.
#[derive(Deserialize)]
struct FrequencyFields {
    count: u32,
    per: Period,
}

impl TryFrom<FrequencyFields> for Frequency {
    type Error = ContentPlanError;

    fn try_from(fields: FrequencyFields) -> Result<Self, Self::Error> {
        Frequency::new(fields.count, fields.per)
    }
}

/// What one word of a typed frequency means.
enum Word {
    Count(u64),
    Period { per: Period, plural: bool },
    Other,
}

fn classify(token: &str) -> Result<Word, ContentPlanError> {
    let digits = token.strip_suffix(['x', '×']).unwrap_or(token);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return Ok(Word::Count(digits.parse::<u64>().unwrap_or(u64::MAX)));
    }
    if token.chars().any(|c| c.is_ascii_digit()) {
        return Err(ContentPlanError::NotACount(token.to_owned()));
    }
    let word = match token {
        "één" | "eén" | "eens" | "eenmaal" | "one" | "once" => Word::Count(1),
        "twee" | "tweemaal" | "two" | "twice" => Word::Count(2),
        "drie" | "driemaal" | "three" | "thrice" => Word::Count(3),
        "vier" | "four" => Word::Count(4),
        "vijf" | "five" => Word::Count(5),
        "zes" | "six" => Word::Count(6),
        "zeven" | "seven" => Word::Count(7),
        "acht" | "eight" => Word::Count(8),
        "negen" | "nine" => Word::Count(9),
        "tien" | "ten" => Word::Count(10),
        "elf" | "eleven" => Word::Count(11),
        "twaalf" | "twelve" => Word::Count(12),
        "dag" | "day" | "dagelijks" | "dagelijkse" | "daily" => Word::Period { per: Period::Day, plural: false },
        "week" | "wekelijks" | "wekelijkse" | "weekly" => Word::Period { per: Period::Week, plural: false },
        "maand" | "month" | "maandelijks" | "maandelijkse" | "monthly" => {
            Word::Period { per: Period::Month, plural: false }
        }
        "dagen" | "days" => Word::Period { per: Period::Day, plural: true },
        "weken" | "weeks" => Word::Period { per: Period::Week, plural: true },
        "maanden" | "months" => Word::Period { per: Period::Month, plural: true },
        "veel" | "vaak" | "paar" | "enkele" | "meerdere" | "many" | "several" | "few" | "some" | "multiple"
        | "often" => return Err(ContentPlanError::NotACount(token.to_owned())),
        "tweewekelijks" | "tweewekelijkse" | "biweekly" | "fortnight" | "fortnightly" | "tweemaandelijks"
        | "bimonthly" | "driemaandelijks" | "kwartaal" | "quarter" | "quarterly" | "jaar" | "jaren" | "jaarlijks"
        | "jaarlijkse" | "year" | "years" | "yearly" | "annually" | "annual" | "uur" | "uren" | "hour" | "hours"
        | "hourly" | "werkdag" | "werkdagen" | "weekday" | "weekdays" | "workday" | "workdays" | "weekend"
        | "weekends" => return Err(ContentPlanError::UnsupportedPeriod(token.to_owned())),
        _ => Word::Other,
    };
    Ok(word)
}

impl Frequency {
    pub fn new(count: u32, per: Period) -> Result<Frequency, ContentPlanError> {
        if (MIN_COUNT..=MAX_COUNT).contains(&count) {
            Ok(Frequency { count, per })
        } else {
            Err(ContentPlanError::CountOutOfRange(u64::from(count)))
        }
    }

    /// Reads a frequency as a team types it: "2 per week", "2x per week", "twee keer per week",
    /// "wekelijks", "1 blog per maand", "2 posts a week", "twice a week", "3 dagen per week".
    ///
    /// Both languages are understood whatever `_lang` says, because Dutch teams write English
    /// marketing words ("2 posts per week", "weekly") and the other way round; the parameter
    /// keeps the signature in step with [`Frequency::describe`] and leaves room for a language
    /// whose words clash with these. Other words (the form, the channel) are skipped; a missing
    /// number means once. Intervals ("om de week", "every 2 weeks", "tweewekelijks"),
    /// quarters, years, ranges ("1-2") and vague amounts ("vaak") are refused, because the
    /// calendar cannot place them faithfully.
    pub fn parse(text: &str, _lang: Lang) -> Result<Frequency, ContentPlanError> {
        let lower = text.to_lowercase().replace('’', "'");
        let tokens: Vec<&str> = lower
            .split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '\'' | '×')))
            .map(|token| token.trim_matches('\''))
            .filter(|token| !token.is_empty())
            .collect();
        if tokens.is_empty() {
            return Err(ContentPlanError::EmptyFrequency);
        }
        let words = tokens.iter().map(|token| classify(token)).collect::<Result<Vec<Word>, _>>()?;
        for pair in tokens.windows(2) {
            if let [first, second] = pair
                && ((*first == "om" && matches!(*second, "de" | "het"))
                    || (matches!(*first, "every" | "each" | "elke" | "iedere")
                        && matches!(*second, "other" | "andere")))
            {
                return Err(ContentPlanError::UnsupportedPeriod(format!("{first} {second}")));
            }
        }
        // "3 dagen per week" counts per week: the largest period named is what the count is per.
        let per = words
            .iter()
            .filter_map(|word| match word {
                Word::Period { per, .. } => Some(*per),
                _ => None,
            })
            .max()
            .ok_or(ContentPlanError::MissingPeriod)?;
        // A number right before that period in the plural ("per 2 weken", "every 3 days") is an
        // interval, not a count.
        for (index, pair) in words.windows(2).enumerate() {
            if let [Word::Count(_), Word::Period { per: named, plural: true }] = pair
                && *named == per
            {
                let shown = tokens.get(index..index + 2).map(|t| t.join(" ")).unwrap_or_default();
                return Err(ContentPlanError::UnsupportedPeriod(shown));
            }
        }
        let mut count: Option<u64> = None;
        for word in &words {
            if let Word::Count(n) = word {
                match count {
                    Some(seen) if seen != *n => return Err(ContentPlanError::SeveralCounts),
                    _ => count = Some(*n),
                }
            }
        }
        let count = count.unwrap_or(1);
        let count = u32::try_from(count).map_err(|_| ContentPlanError::CountOutOfRange(count))?;
        Frequency::new(count, per)
    }

    /// The frequency in words, in a form [`Frequency::parse`] reads back: "wekelijks",
    /// "2 keer per week"; "weekly", "twice a week", "3 times a month".
    pub fn describe(&self, lang: Lang) -> String {
        match (lang, self.count) {
            (Lang::Nl, 1) => match self.per {
                Period::Day => "dagelijks".to_owned(),
                Period::Week => "wekelijks".to_owned(),
                Period::Month => "maandelijks".to_owned(),
            },
            (Lang::Nl, count) => {
                let per = match self.per {
                    Period::Day => "dag",
                    Period::Week => "week",
                    Period::Month => "maand",
                };
                format!("{count} keer per {per}")
            }
            (Lang::En, 1) => match self.per {
                Period::Day => "daily".to_owned(),
                Period::Week => "weekly".to_owned(),
                Period::Month => "monthly".to_owned(),
            },
            (Lang::En, count) => {
                let per = self.per.code();
                if count == 2 { format!("twice a {per}") } else { format!("{count} times a {per}") }
            }
        }
    }
}

/// One line of the content plan: this form, on this channel, this often, by this person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLine {
    pub id: u32,
    pub channel: String,
    pub form: String,
    pub frequency: Frequency,
    /// The participant who makes it, if someone took it on.
    pub owner: Option<u64>,
}

/// One dated item of the calendar, made from plan line `line`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarItem {
    pub date: NaiveDate,
    pub line: u32,
    pub channel: String,
    pub form: String,
    pub owner: Option<u64>,
}

fn is_weekday(date: NaiveDate) -> bool {
    date.weekday().number_from_monday() <= 5
}

/// The days of a period a line with `count` items may use: weekdays, unless they are too few.
fn allowed_days(span: &[NaiveDate], count: u32) -> Vec<NaiveDate> {
    let weekdays: Vec<NaiveDate> = span.iter().copied().filter(|day| is_weekday(*day)).collect();
    if usize::try_from(count).is_ok_and(|count| count <= weekdays.len()) { weekdays } else { span.to_vec() }
}

/// The least busy allowed day nearest to `ideal`, later before earlier at equal distance.
fn pick(allowed: &[NaiveDate], ideal: NaiveDate, busy: &BTreeMap<NaiveDate, u32>) -> NaiveDate {
    allowed
        .iter()
        .copied()
        .min_by_key(|day| {
            let load = busy.get(day).copied().unwrap_or(0);
            let distance = (*day - ideal).num_days().abs();
            (load, distance, *day < ideal)
        })
        .unwrap_or(ideal)
}

/// Lays the plan lines out over `from..=to` by the rules in the module documentation.
pub fn calendar(lines: &[PlanLine], from: NaiveDate, to: NaiveDate) -> Result<Vec<CalendarItem>, ContentPlanError> {
    if to < from {
        return Err(ContentPlanError::EndsBeforeStart { from, to });
    }
    let days = (to - from).num_days() + 1;
    if days > MAX_RANGE_DAYS {
        return Err(ContentPlanError::RangeTooLong(days));
    }
    if lines.len() > MAX_LINES {
        return Err(ContentPlanError::TooManyLines { max: MAX_LINES, got: lines.len() });
    }
    if let Some(line) = lines.iter().find(|line| Frequency::new(line.frequency.count, line.frequency.per).is_err()) {
        return Err(ContentPlanError::InvalidLine { line: line.id, count: line.frequency.count });
    }

    // Weekly and monthly lines are planned over every week and month that touches a period
    // touching the range, so that the busy days they step around near the edges are known.
    let edges: Vec<NaiveDate> = [Period::Week, Period::Month]
        .into_iter()
        .flat_map(|per| {
            let spans = per.spans(from, to);
            [spans.first().and_then(|span| span.first().copied()), spans.last().and_then(|span| span.last().copied())]
        })
        .flatten()
        .collect();
    let wide_from = edges.iter().copied().min().unwrap_or(from).min(from);
    let wide_to = edges.iter().copied().max().unwrap_or(to).max(to);
    let spans =
        [Period::Day.spans(from, to), Period::Week.spans(wide_from, wide_to), Period::Month.spans(wide_from, wide_to)];
    let spans_of = |per: Period| match per {
        Period::Day => &spans[0],
        Period::Week => &spans[1],
        Period::Month => &spans[2],
    };
    // Items in periods that lie wholly inside the range are certain to be in the calendar, so
    // their number alone can refuse a calendar before any work is done; what is left to place
    // afterwards is a few periods around the edges per line.
    let certain: u64 = lines
        .iter()
        .map(|line| {
            let whole = spans_of(line.frequency.per)
                .iter()
                .filter(|span| span.first().is_some_and(|d| *d >= from) && span.last().is_some_and(|d| *d <= to))
                .count();
            u64::from(line.frequency.count) * u64::try_from(whole).unwrap_or(u64::MAX)
        })
        .fold(0, u64::saturating_add);
    if certain > MAX_ITEMS as u64 {
        return Err(ContentPlanError::TooManyItems { max: MAX_ITEMS });
    }

    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (lines[a].frequency, lines[b].frequency);
        let density_a = u64::from(fa.count) * fb.per.nominal_days();
        let density_b = u64::from(fb.count) * fa.per.nominal_days();
        density_b.cmp(&density_a).then(lines[a].id.cmp(&lines[b].id)).then(a.cmp(&b))
    });

    let mut busy: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    let mut placed: Vec<(NaiveDate, u32, usize)> = Vec::new();
    for index in order {
        let Some(line) = lines.get(index) else { continue };
        let count = line.frequency.count;
        // Both at most 31 (a period has at most 31 days), so the arithmetic below cannot overflow.
        let items = usize::try_from(count).unwrap_or(0);
        for span in spans_of(line.frequency.per) {
            let allowed = allowed_days(span, count);
            for i in 0..items {
                let Some(&ideal) = allowed.get((2 * i + 1) * allowed.len() / (2 * items)) else { continue };
                // A daily line puts the same number on every day, so it never makes one day
                // busier than another: it stays out of the count (and needs no days outside the
                // range to be planned for the count to be right there).
                let day = if line.frequency.per == Period::Day {
                    ideal
                } else {
                    let day = pick(&allowed, ideal, &busy);
                    *busy.entry(day).or_default() += 1;
                    day
                };
                if (from..=to).contains(&day) {
                    placed.push((day, line.id, index));
                }
            }
        }
    }
    if placed.len() > MAX_ITEMS {
        return Err(ContentPlanError::TooManyItems { max: MAX_ITEMS });
    }
    placed.sort_unstable();
    Ok(placed
        .into_iter()
        .filter_map(|(date, id, index)| {
            let line = lines.get(index)?;
            Some(CalendarItem {
                date,
                line: id,
                channel: line.channel.clone(),
                form: line.form.clone(),
                owner: line.owner,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Days, Weekday};
    use proptest::prelude::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn line(id: u32, count: u32, per: Period) -> PlanLine {
        PlanLine {
            id,
            channel: format!("channel {id}"),
            form: format!("form {id}"),
            frequency: Frequency { count, per },
            owner: Some(u64::from(id) * 10),
        }
    }

    /// (date, line) pairs of a calendar, the shape most expectations are written in.
    fn dated(items: &[CalendarItem]) -> Vec<(NaiveDate, u32)> {
        items.iter().map(|item| (item.date, item.line)).collect()
    }

    #[test]
    fn frequencies_are_read_in_dutch_and_english() {
        use Period::{Day, Month, Week};
        let cases = [
            ("1 per maand", Lang::Nl, 1, Month),
            ("2 per week", Lang::Nl, 2, Week),
            ("2x per week", Lang::Nl, 2, Week),
            ("2 x per week", Lang::Nl, 2, Week),
            ("2×/week", Lang::Nl, 2, Week),
            ("wekelijks", Lang::Nl, 1, Week),
            ("Maandelijks", Lang::Nl, 1, Month),
            ("dagelijks", Lang::Nl, 1, Day),
            ("twee keer per week", Lang::Nl, 2, Week),
            ("één keer per maand", Lang::Nl, 1, Month),
            ("een blog per maand", Lang::Nl, 1, Month),
            ("4 posts per maand op Instagram", Lang::Nl, 4, Month),
            ("3 dagen per week", Lang::Nl, 3, Week),
            ("elke dag", Lang::Nl, 1, Day),
            ("wekelijkse nieuwsbrief", Lang::Nl, 1, Week),
            ("31 per maand", Lang::Nl, 31, Month),
            ("1 blog a month", Lang::En, 1, Month),
            ("2 posts a week", Lang::En, 2, Week),
            ("weekly", Lang::En, 1, Week),
            ("monthly", Lang::En, 1, Month),
            ("daily", Lang::En, 1, Day),
            ("twice a week", Lang::En, 2, Week),
            ("Twice weekly", Lang::En, 2, Week),
            ("once a month", Lang::En, 1, Month),
            ("three times a day", Lang::En, 3, Day),
            ("2 days a week", Lang::En, 2, Week),
            ("every week", Lang::En, 1, Week),
            // Teams mix the languages; both are understood whatever the session speaks.
            ("2 posts per week", Lang::Nl, 2, Week),
            ("wekelijks", Lang::En, 1, Week),
        ];
        for (text, lang, count, per) in cases {
            assert_eq!(Frequency::parse(text, lang), Ok(Frequency { count, per }), "{text}");
        }
    }

    #[test]
    fn unreadable_frequencies_say_why() {
        use ContentPlanError::*;
        let cases = [
            ("", EmptyFrequency),
            ("  ,. ", EmptyFrequency),
            ("blog", MissingPeriod),
            ("per", MissingPeriod),
            ("0 per week", CountOutOfRange(0)),
            ("32 per maand", CountOutOfRange(32)),
            ("99999999999999999999 per dag", CountOutOfRange(u64::MAX)),
            ("1-2 per week", NotACount("1-2".into())),
            ("-1 per week", NotACount("-1".into())),
            ("1,5 per week", SeveralCounts),
            ("vaak per week", NotACount("vaak".into())),
            ("several posts a week", NotACount("several".into())),
            ("2 per week en 3 per maand", SeveralCounts),
            ("1 blog per maand of 2 per maand", SeveralCounts),
            ("tweewekelijks", UnsupportedPeriod("tweewekelijks".into())),
            ("om de week", UnsupportedPeriod("om de".into())),
            ("every other day", UnsupportedPeriod("every other".into())),
            ("every 2 weeks", UnsupportedPeriod("2 weeks".into())),
            ("1 blog per 2 weken", UnsupportedPeriod("2 weken".into())),
            ("quarterly", UnsupportedPeriod("quarterly".into())),
            ("4 per jaar", UnsupportedPeriod("jaar".into())),
            ("elke werkdag", UnsupportedPeriod("werkdag".into())),
        ];
        for (text, expected) in cases {
            assert_eq!(Frequency::parse(text, Lang::Nl), Err(expected), "{text}");
        }
    }

    #[test]
    fn frequencies_are_described_in_words_that_read_back() {
        let cases = [
            (1, Period::Day, "dagelijks", "daily"),
            (1, Period::Week, "wekelijks", "weekly"),
            (1, Period::Month, "maandelijks", "monthly"),
            (2, Period::Week, "2 keer per week", "twice a week"),
            (3, Period::Month, "3 keer per maand", "3 times a month"),
            (5, Period::Day, "5 keer per dag", "5 times a day"),
        ];
        for (count, per, nl, en) in cases {
            let frequency = Frequency { count, per };
            assert_eq!(frequency.describe(Lang::Nl), nl);
            assert_eq!(frequency.describe(Lang::En), en);
        }
        for per in Period::ALL {
            for count in 1..=MAX_COUNT {
                let frequency = Frequency { count, per };
                for lang in Lang::ALL {
                    assert_eq!(Frequency::parse(&frequency.describe(lang), lang), Ok(frequency), "{frequency:?}");
                }
            }
        }
    }

    #[test]
    fn frequencies_are_checked_on_the_way_in() {
        assert_eq!(Frequency::new(0, Period::Week), Err(ContentPlanError::CountOutOfRange(0)));
        assert_eq!(Frequency::new(32, Period::Day), Err(ContentPlanError::CountOutOfRange(32)));
        // Deserializing checks too (TOML is the serde format this crate already depends on).
        #[derive(Debug, Deserialize)]
        struct Holder {
            frequency: Frequency,
        }
        let read = |text: &str| toml::from_str::<Holder>(text).map(|holder| holder.frequency);
        assert_eq!(
            read(r#"frequency = { count = 2, per = "week" }"#).ok(),
            Some(Frequency { count: 2, per: Period::Week })
        );
        assert!(read(r#"frequency = { count = 0, per = "week" }"#).is_err());
        assert!(read(r#"frequency = { count = 2, per = "year" }"#).is_err());
    }

    #[test]
    fn weekly_items_fall_on_evenly_spaced_weekdays() {
        use Weekday::*;
        let cases: [(u32, &[Weekday]); 8] = [
            (1, &[Wed]),
            (2, &[Tue, Thu]),
            (3, &[Mon, Wed, Fri]),
            (4, &[Mon, Tue, Thu, Fri]),
            (5, &[Mon, Tue, Wed, Thu, Fri]),
            // Only a count that does not fit on the weekdays uses the weekend.
            (6, &[Mon, Tue, Wed, Fri, Sat, Sun]),
            (7, &[Mon, Tue, Wed, Thu, Fri, Sat, Sun]),
            (10, &[Mon, Tue, Wed, Thu, Fri, Fri, Sat, Sat, Sun, Sun]),
        ];
        for (count, expected) in cases {
            let items = calendar(&[line(1, count, Period::Week)], date(2025, 1, 6), date(2025, 1, 12)).unwrap();
            let days: Vec<Weekday> = items.iter().map(|item| item.date.weekday()).collect();
            assert_eq!(days, expected, "{count} per week");
        }
    }

    #[test]
    fn monthly_items_are_spread_over_the_weekdays_of_the_month() {
        let cases: [(i32, u32, u32, &[u32]); 6] = [
            // January 2025 has 23 weekdays; the 12th of them is Thursday the 16th.
            (2025, 1, 1, &[16]),
            // February 2025 starts on a Saturday: the middle weekday is Monday the 17th.
            (2025, 2, 1, &[17]),
            (2025, 6, 1, &[16]),
            (2025, 1, 2, &[8, 24]),
            (2025, 1, 4, &[3, 13, 21, 29]),
            // More than the month has weekdays: every day, the last few twice.
            (
                2025,
                2,
                31,
                &[
                    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 26,
                    27, 27, 28, 28,
                ],
            ),
        ];
        for (year, month, count, expected) in cases {
            let first = date(year, month, 1);
            let last = first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap();
            let items = calendar(&[line(1, count, Period::Month)], first, last).unwrap();
            let days: Vec<u32> = items.iter().map(|item| item.date.day()).collect();
            assert_eq!(days, expected, "{count} per month in {year}-{month}");
            if count <= 23 {
                assert!(items.iter().all(|item| item.date.weekday().number_from_monday() <= 5));
            }
        }
    }

    #[test]
    fn a_quarter_of_one_blog_a_month_and_two_posts_a_week() {
        let blog = PlanLine {
            id: 1,
            channel: "website".into(),
            form: "blog".into(),
            frequency: Frequency::parse("1 blog per maand", Lang::Nl).unwrap(),
            owner: Some(7),
        };
        let posts = PlanLine {
            id: 2,
            channel: "instagram".into(),
            form: "social_post".into(),
            frequency: Frequency::parse("2 per week", Lang::Nl).unwrap(),
            owner: None,
        };
        let items = calendar(&[blog, posts], date(2025, 1, 1), date(2025, 3, 31)).unwrap();
        let blogs: Vec<NaiveDate> = items.iter().filter(|item| item.line == 1).map(|item| item.date).collect();
        // The middle weekday of January is Thursday the 16th, a post day: the blog steps aside
        // to the Friday. February's and March's middle weekdays are free Mondays.
        assert_eq!(blogs, [date(2025, 1, 17), date(2025, 2, 17), date(2025, 3, 17)]);
        let posts: Vec<&CalendarItem> = items.iter().filter(|item| item.line == 2).collect();
        // Thursdays from 2 January to 27 March, Tuesdays from 7 January to 25 March (the
        // Tuesdays of the partial first and last weeks fall outside the quarter).
        assert_eq!(posts.len(), 13 + 12);
        assert!(posts.iter().all(|item| matches!(item.date.weekday(), Weekday::Tue | Weekday::Thu)));
        assert_eq!(posts.first().map(|item| item.date), Some(date(2025, 1, 2)));
        assert_eq!(posts.last().map(|item| item.date), Some(date(2025, 3, 27)));
        assert!(blogs.iter().all(|day| posts.iter().all(|post| post.date != *day)));
        let first = &items[0];
        assert_eq!((first.channel.as_str(), first.form.as_str(), first.owner), ("instagram", "social_post", None));
        let blog = items.iter().find(|item| item.line == 1).unwrap();
        assert_eq!((blog.channel.as_str(), blog.form.as_str(), blog.owner), ("website", "blog", Some(7)));
    }

    #[test]
    fn lines_step_aside_for_each_other_when_they_can() {
        use Period::{Day, Month, Week};
        // The week of Monday 6 January 2025; expectations are (day of month, line).
        /// (what it shows, the lines, the expected (day of month, line) pairs)
        type Case = (&'static str, Vec<PlanLine>, &'static [(u32, u32)]);
        let cases: [Case; 6] = [
            ("two weekly lines", vec![line(1, 1, Week), line(2, 1, Week)], &[(8, 1), (9, 2)]),
            (
                "three weekly lines: later before earlier",
                vec![line(1, 1, Week), line(2, 1, Week), line(3, 1, Week)],
                &[(7, 3), (8, 1), (9, 2)],
            ),
            (
                "the denser line keeps its rhythm whatever its id",
                vec![line(1, 1, Week), line(2, 2, Week)],
                &[(7, 2), (8, 1), (9, 2)],
            ),
            (
                "a pile only where no weekday is left",
                vec![line(1, 3, Week), line(2, 3, Week)],
                &[(6, 1), (7, 2), (8, 1), (9, 2), (10, 1), (10, 2)],
            ),
            (
                "a daily line makes no day less free",
                vec![line(1, 1, Day), line(2, 1, Week)],
                &[(6, 1), (7, 1), (8, 1), (8, 2), (9, 1), (10, 1), (11, 1), (12, 1)],
            ),
            (
                "the blog steps off the Thursday post to the Friday",
                vec![line(1, 1, Month), line(2, 2, Week)],
                &[(7, 2), (9, 2)],
            ),
        ];
        for (name, lines, expected) in cases {
            let items = calendar(&lines, date(2025, 1, 6), date(2025, 1, 12)).unwrap();
            let got: Vec<(u32, u32)> = items.iter().map(|item| (item.date.day(), item.line)).collect();
            assert_eq!(got, expected, "{name}");
        }
        let month = calendar(&[line(1, 1, Month), line(2, 2, Week)], date(2025, 1, 1), date(2025, 1, 31)).unwrap();
        assert!(dated(&month).contains(&(date(2025, 1, 17), 1)));
        // With every weekday taken, the blog keeps its own day rather than wander.
        let full = calendar(&[line(1, 1, Month), line(2, 5, Week)], date(2025, 1, 1), date(2025, 1, 31)).unwrap();
        assert!(dated(&full).contains(&(date(2025, 1, 16), 1)));
    }

    #[test]
    fn partial_periods_are_planned_whole_and_cut() {
        // From Wednesday: that week's Tuesday post is gone, its Thursday post stays.
        let items = calendar(&[line(1, 2, Period::Week)], date(2025, 1, 8), date(2025, 1, 12)).unwrap();
        assert_eq!(dated(&items), [(date(2025, 1, 9), 1)]);
        // A blog planned for the 16th is not in a calendar that ends on the 15th.
        let items = calendar(&[line(1, 1, Period::Month)], date(2025, 1, 1), date(2025, 1, 15)).unwrap();
        assert!(items.is_empty());
        // A one-day calendar is a calendar.
        let items = calendar(&[line(1, 3, Period::Day)], date(2025, 1, 11), date(2025, 1, 11)).unwrap();
        assert_eq!(dated(&items), [(date(2025, 1, 11), 1); 3]);
    }

    #[test]
    fn items_are_sorted_by_date_then_line() {
        let items = calendar(&[line(2, 5, Period::Week), line(1, 5, Period::Week)], date(2025, 1, 6), date(2025, 1, 7))
            .unwrap();
        assert_eq!(
            dated(&items),
            [(date(2025, 1, 6), 1), (date(2025, 1, 6), 2), (date(2025, 1, 7), 1), (date(2025, 1, 7), 2)]
        );
    }

    #[test]
    fn calendars_out_of_bounds_are_refused() {
        use ContentPlanError::*;
        let many: Vec<PlanLine> = (1..=201).map(|id| line(id, 1, Period::Month)).collect();
        /// (what it shows, the lines, from, to, the number of items or the error)
        type Case = (&'static str, Vec<PlanLine>, NaiveDate, NaiveDate, Result<usize, ContentPlanError>);
        let cases: [Case; 9] = [
            (
                "ends before it starts",
                vec![line(1, 1, Period::Week)],
                date(2025, 2, 1),
                date(2025, 1, 31),
                Err(EndsBeforeStart { from: date(2025, 2, 1), to: date(2025, 1, 31) }),
            ),
            ("a leap year is fine", vec![line(1, 1, Period::Month)], date(2024, 1, 1), date(2024, 12, 31), Ok(12)),
            ("367 days", vec![line(1, 1, Period::Month)], date(2024, 1, 1), date(2025, 1, 1), Err(RangeTooLong(367))),
            (
                "a frequency out of range",
                vec![line(1, 1, Period::Week), line(9, 0, Period::Week)],
                date(2025, 1, 1),
                date(2025, 1, 31),
                Err(InvalidLine { line: 9, count: 0 }),
            ),
            ("too many lines", many, date(2025, 1, 1), date(2025, 1, 31), Err(TooManyLines { max: 200, got: 201 })),
            ("exactly 2,000 items", vec![line(1, 20, Period::Day)], date(2025, 1, 1), date(2025, 4, 10), Ok(2000)),
            (
                "2,100 items, known before placing",
                vec![line(1, 20, Period::Day), line(2, 1, Period::Day)],
                date(2025, 1, 1),
                date(2025, 4, 10),
                Err(TooManyItems { max: 2000 }),
            ),
            (
                "partial months tip it over",
                vec![line(1, 19, Period::Day), line(2, 31, Period::Month)],
                date(2025, 1, 15),
                date(2025, 4, 24),
                Err(TooManyItems { max: 2000 }),
            ),
            (
                "one day less fits",
                vec![line(1, 19, Period::Day), line(2, 31, Period::Month)],
                date(2025, 1, 15),
                date(2025, 4, 23),
                Ok(19 * 99 + 17 + 28 + 3 + 31 + 23),
            ),
        ];
        for (name, lines, from, to, expected) in cases {
            assert_eq!(calendar(&lines, from, to).map(|items| items.len()), expected, "{name}");
        }
    }

    #[test]
    fn the_ends_of_the_calendar_do_not_panic() {
        let lines = [line(1, 31, Period::Month), line(2, 31, Period::Week), line(3, 2, Period::Day)];
        let cases = [
            (NaiveDate::MIN, NaiveDate::MIN.checked_add_days(Days::new(40)).unwrap()),
            (NaiveDate::MAX.checked_sub_days(Days::new(40)).unwrap(), NaiveDate::MAX),
            (NaiveDate::MAX, NaiveDate::MAX),
        ];
        for (from, to) in cases {
            let items = calendar(&lines, from, to).unwrap();
            assert!(items.iter().all(|item| (from..=to).contains(&item.date)));
        }
    }

    #[test]
    fn the_standard_lists_are_complete_and_unique() {
        for (list, name) in [(&FORMS[..], "forms"), (&CHANNELS[..], "channels")] {
            let mut codes: Vec<&str> = list.iter().map(|(code, _, _)| *code).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), list.len(), "{name} codes are unique");
            for (code, nl, en) in list {
                assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
                assert!(!nl.is_empty() && !en.is_empty(), "{code}");
            }
        }
        for code in ["video", "blog", "magazine", "tv"] {
            assert!(form_name(code, Lang::Nl).is_some(), "the seed's form {code}");
        }
        for code in ["instagram", "pinterest"] {
            assert!(channel_name(code, Lang::En).is_some(), "the seed's channel {code}");
        }
        assert_eq!(form_name("newsletter", Lang::Nl), Some("Nieuwsbrief"));
        assert_eq!(channel_name("print", Lang::En), Some("Print"));
        assert_eq!(form_name("carrier pigeon", Lang::En), None);
    }

    fn arb_frequency() -> impl Strategy<Value = Frequency> {
        prop_oneof![
            (1u32..=3).prop_map(|count| Frequency { count, per: Period::Day }),
            (1u32..=12).prop_map(|count| Frequency { count, per: Period::Week }),
            (1u32..=31).prop_map(|count| Frequency { count, per: Period::Month }),
        ]
    }

    /// The first days of the whole periods of `per` inside `from..=to`, with their last days,
    /// worked out independently of the implementation.
    fn whole_periods(per: Period, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
        from.iter_days()
            .take_while(|day| *day <= to)
            .filter_map(|start| {
                let end = match per {
                    Period::Day => Some(start),
                    Period::Week if start.weekday() == Weekday::Mon => start.checked_add_days(Days::new(6)),
                    Period::Month if start.day() == 1 => {
                        start.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt())
                    }
                    _ => None,
                }?;
                (end <= to).then_some((start, end))
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn reading_a_frequency_never_panics(text in "\\PC{0,40}", lang in prop_oneof![Just(Lang::Nl), Just(Lang::En)]) {
            if let Ok(frequency) = Frequency::parse(&text, lang) {
                prop_assert!((1..=MAX_COUNT).contains(&frequency.count));
            }
        }

        #[test]
        fn calendars_keep_their_rules(
            frequencies in proptest::collection::vec(arb_frequency(), 0..5),
            start in 0u64..4000,
            length in 0u64..366,
        ) {
            let from = date(2020, 1, 1) + Days::new(start);
            let to = from + Days::new(length);
            // Ids run against the input order, so sorting by line is really tested.
            let lines: Vec<PlanLine> = frequencies
                .iter()
                .zip((1..=5).rev())
                .map(|(frequency, id)| line(id, frequency.count, frequency.per))
                .collect();
            let result = calendar(&lines, from, to);
            prop_assert_eq!(&result, &calendar(&lines, from, to), "not deterministic");
            let items = match result {
                Ok(items) => items,
                Err(ContentPlanError::TooManyItems { .. }) => return Ok(()),
                Err(error) => return Err(TestCaseError::fail(error.to_string())),
            };
            prop_assert!(items.len() <= MAX_ITEMS);
            prop_assert!(items.iter().all(|item| (from..=to).contains(&item.date)));
            prop_assert!(items.windows(2).all(|pair| (pair[0].date, pair[0].line) <= (pair[1].date, pair[1].line)));
            for line in &lines {
                let count = usize::try_from(line.frequency.count).unwrap();
                for (first, last) in whole_periods(line.frequency.per, from, to) {
                    let days: Vec<NaiveDate> = items
                        .iter()
                        .filter(|item| item.line == line.id && (first..=last).contains(&item.date))
                        .map(|item| item.date)
                        .collect();
                    prop_assert_eq!(days.len(), count, "line {} in {}..={}", line.id, first, last);
                    let weekdays = first.iter_days().take_while(|d| *d <= last).filter(|d| is_weekday(*d)).count();
                    if count <= weekdays {
                        prop_assert!(days.iter().all(|d| is_weekday(*d)), "weekend used by line {}", line.id);
                    }
                }
            }
        }
    }
}
