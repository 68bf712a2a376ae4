//! The outcomes the day exists for: end goals, SMART goals, personas, the core message
//! with its content plan and ideas, and the action points bundled into responsibilities.
//! Plain data with validated texts; the checks (SMART, uniqueness, completeness) are
//! derived from it, never stored.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::board::StickyId;
use crate::content_plan::{self, CalendarItem, ContentPlanError, Frequency};
use crate::language::Lang;
use crate::planner::PartId;
use crate::session::ParticipantId;
use crate::smart::{self, Agreement, GoalFields, SmartCheck};
use crate::text::{TextError, TextProblem};

/// Ids of everything in the strategy share one counter per session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemId(pub u64);

/// At most this many of each kind of item: a strategy day, not a database.
pub const MAX_ITEMS: usize = 200;

/// A text of a form field: up to 2,000 characters, line breaks allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct FieldText(String);

impl FieldText {
    pub const MAX_CHARS: usize = 2_000;

    pub fn parse(field: &'static str, text: &str) -> Result<Self, TextError> {
        let text = text.replace("\r\n", "\n");
        let length = text.chars().count();
        if length > Self::MAX_CHARS {
            return Err(TextError { field, problem: TextProblem::TooLong { max: Self::MAX_CHARS, got: length } });
        }
        if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(TextError { field, problem: TextProblem::ControlCharacters });
        }
        Ok(FieldText(text.trim().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// When an end goal should be reached: by a date, or within some months or years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Horizon {
    By { date: NaiveDate },
    WithinMonths { months: u32 },
    WithinYears { years: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndGoal {
    pub id: ItemId,
    pub text: FieldText,
    pub horizon: Option<Horizon>,
    /// Who backs this goal (the team's vote on end goals).
    pub supporters: BTreeSet<ParticipantId>,
}

/// The structured side of a SMART goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SmartFields {
    pub metric: FieldText,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub deadline: Option<NaiveDate>,
    pub owner: FieldText,
    pub means: FieldText,
    pub reason: FieldText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmartGoal {
    pub id: ItemId,
    pub end_goal: Option<ItemId>,
    pub text: FieldText,
    pub fields: SmartFields,
    /// The quick agreement vote (draagvlak): per person, acceptable and realistic.
    pub agreement: BTreeMap<ParticipantId, (bool, bool)>,
}

impl SmartGoal {
    /// The team's verdict on acceptable and realistic: a majority of the votes, or
    /// `None` while nobody voted or the votes tie.
    pub fn team_verdict(&self) -> (Option<bool>, Option<bool>) {
        let majority = |pick: fn(&(bool, bool)) -> bool| {
            let yes = self.agreement.values().filter(|v| pick(v)).count();
            let no = self.agreement.len() - yes;
            (yes != no).then_some(yes > no)
        };
        (majority(|v| v.0), majority(|v| v.1))
    }

    /// The SMART check of this goal as stored: its text, its fields (an empty text counts
    /// as not filled in) and the team's verdict, with deadlines judged against `today`.
    /// The room, the report and the deck all show this one check.
    pub fn check(&self, lang: Lang, today: NaiveDate) -> SmartCheck {
        let filled = |text: &FieldText| (!text.as_str().trim().is_empty()).then(|| text.as_str().to_owned());
        let fields = GoalFields {
            metric: filled(&self.fields.metric),
            baseline: self.fields.baseline,
            target: self.fields.target,
            deadline: self.fields.deadline,
            owner: filled(&self.fields.owner),
            means: filled(&self.fields.means),
            reason: filled(&self.fields.reason),
        };
        let (acceptable, realistic) = self.team_verdict();
        smart::check_goal(self.text.as_str(), lang, &fields, &Agreement { acceptable, realistic }, today)
    }
}

/// A persona with every field of the seed, and channels and objections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PersonaFields {
    pub name: FieldText,
    pub age: Option<u32>,
    pub field_of_work: FieldText,
    pub residence: FieldText,
    pub hobbies: FieldText,
    pub pain_points: FieldText,
    pub current_solutions: FieldText,
    pub triggers: FieldText,
    pub trigger_response: FieldText,
    pub desired_results: FieldText,
    pub channels: FieldText,
    pub objections: FieldText,
}

impl PersonaFields {
    /// How many of the twelve fields are filled in.
    pub fn completeness(&self) -> (usize, usize) {
        let texts = [
            &self.name,
            &self.field_of_work,
            &self.residence,
            &self.hobbies,
            &self.pain_points,
            &self.current_solutions,
            &self.triggers,
            &self.trigger_response,
            &self.desired_results,
            &self.channels,
            &self.objections,
        ];
        let filled = texts.iter().filter(|t| !t.is_empty()).count() + usize::from(self.age.is_some());
        (filled, texts.len() + 1)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Persona {
    pub id: ItemId,
    pub fields: PersonaFields,
}

/// For each USP candidate: does a competitor have it, or could one easily get it?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Competitor {
    pub name: FieldText,
    pub has_it: bool,
    pub could_get_easily: bool,
}

/// What a plan line counts per: the content calendar's own [`content_plan::Period`], so
/// that a stored line and the calendar never need translating into each other (both are
/// stored as `"day"`, `"week"` or `"month"`).
pub type PlanPeriod = content_plan::Period;

/// One line of the content plan: a form on a channel, so many times per period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLine {
    pub id: u32,
    pub channel: FieldText,
    pub form: FieldText,
    pub count: u32,
    pub per: PlanPeriod,
    pub owner: Option<ParticipantId>,
}

impl PlanLine {
    /// How often the line publishes; an error for a count outside 1 to 31, which the
    /// stored form does not rule out.
    pub fn frequency(&self) -> Result<Frequency, ContentPlanError> {
        Frequency::new(self.count, self.per)
    }

    /// How often, in words: "2 keer per week", "twice a week". A count that is no
    /// frequency is shown as it is, "40 / week", rather than hidden.
    pub fn frequency_text(&self, lang: Lang) -> String {
        match self.frequency() {
            Ok(frequency) => frequency.describe(lang),
            Err(_) => format!("{} / {}", self.count, self.per.code()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CoreMessage {
    pub usp: FieldText,
    /// How the USP makes the persona's life better, in their words.
    pub life_improvement: FieldText,
    /// The persona's pain points and desired results it answers (free text, linked by the team).
    pub answers: FieldText,
    pub competitors: Vec<Competitor>,
    pub plan: Vec<PlanLine>,
    pub calendar_from: Option<NaiveDate>,
    pub calendar_to: Option<NaiveDate>,
}

impl CoreMessage {
    /// The competitors that make the USP not unique: they have it, or could easily get it.
    pub fn not_unique_because(&self) -> Vec<&Competitor> {
        self.competitors.iter().filter(|c| c.has_it || c.could_get_easily).collect()
    }

    /// The content calendar of the plan over `calendar_from..=calendar_to`, as the room,
    /// the report and the calendar files show it: empty until both dates and a line with
    /// a valid frequency are given (a line whose count is no frequency is left out), and
    /// an error that says why when the dates or the plan cannot make one.
    pub fn calendar(&self) -> Result<Vec<CalendarItem>, ContentPlanError> {
        let lines: Vec<content_plan::PlanLine> = self
            .plan
            .iter()
            .filter_map(|line| {
                Some(content_plan::PlanLine {
                    id: line.id,
                    channel: line.channel.as_str().to_owned(),
                    form: line.form.as_str().to_owned(),
                    frequency: line.frequency().ok()?,
                    owner: line.owner.map(|owner| owner.0),
                })
            })
            .collect();
        match (self.calendar_from, self.calendar_to) {
            (Some(from), Some(to)) if !lines.is_empty() => content_plan::calendar(&lines, from, to),
            _ => Ok(Vec::new()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentIdea {
    pub id: ItemId,
    pub text: FieldText,
    pub from_sticky: Option<StickyId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    Doing,
    Done,
}

/// Where an action came from ("make this an action").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ActionSource {
    Sticky(StickyId),
    Notes(PartId),
    EndGoal(ItemId),
    SmartGoal(ItemId),
    Persona(ItemId),
    Idea(ItemId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: ItemId,
    pub title: FieldText,
    pub owner: Option<ParticipantId>,
    pub deadline: Option<NaiveDate>,
    /// The part it came from.
    pub part: Option<PartId>,
    pub source: Option<ActionSource>,
    pub status: ActionStatus,
}

/// A bundle of related actions that one person answers for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Responsibility {
    pub id: ItemId,
    /// "content", "relationships", "administration", or a name the team chose.
    pub name: FieldText,
    pub owner: Option<ParticipantId>,
    pub actions: Vec<ItemId>,
}

/// One measurement of a SMART goal's metric after the day (goal tracking).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub date: NaiveDate,
    pub value: f64,
}

/// Everything above, as kept in the session state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Strategy {
    pub end_goals: Vec<EndGoal>,
    pub smart_goals: Vec<SmartGoal>,
    pub personas: Vec<Persona>,
    pub primary_persona: Option<ItemId>,
    pub core_message: CoreMessage,
    pub ideas: Vec<ContentIdea>,
    pub actions: Vec<Action>,
    pub responsibilities: Vec<Responsibility>,
    /// Measurements per SMART goal, oldest first.
    #[serde(default)]
    pub measurements: BTreeMap<ItemId, Vec<Measurement>>,
    pub next_id: u64,
}

impl Strategy {
    pub fn next_item_id(&self) -> ItemId {
        ItemId(self.next_id.max(1))
    }

    pub fn end_goal(&self, id: ItemId) -> Option<&EndGoal> {
        self.end_goals.iter().find(|g| g.id == id)
    }

    pub fn smart_goal(&self, id: ItemId) -> Option<&SmartGoal> {
        self.smart_goals.iter().find(|g| g.id == id)
    }

    pub fn persona(&self, id: ItemId) -> Option<&Persona> {
        self.personas.iter().find(|p| p.id == id)
    }

    pub fn action(&self, id: ItemId) -> Option<&Action> {
        self.actions.iter().find(|a| a.id == id)
    }

    pub fn idea(&self, id: ItemId) -> Option<&ContentIdea> {
        self.ideas.iter().find(|i| i.id == id)
    }

    pub(crate) fn take_id(&mut self, id: ItemId) {
        self.next_id = self.next_id.max(id.0 + 1);
    }
}
