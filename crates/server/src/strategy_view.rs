//! The strategy content as clients see it: the stored items plus what follows from
//! them — the SMART check of each goal, each persona's completeness, whether the USP is
//! unique, the content calendar, goal tracking, the workload and the suggested bundling
//! of actions. Every one of those is the domain's function; this module only shapes the
//! results for the wire. Texts that the domain writes (check reasons, explanations) and
//! the calendar's problem are in the session's language, the language the goals are
//! written in.

use chrono::NaiveDate;
use heisessie_domain::responsibility::{self, LoadFlag};
use heisessie_domain::session::SessionState;
use heisessie_domain::smart::{LetterCheck, SmartCheck};
use heisessie_domain::strategy::{ActionSource, ActionStatus, Horizon};
use serde::Serialize;

use crate::i18n;

#[derive(Debug, Clone, Serialize)]
pub struct LetterView {
    pub verdict: &'static str,
    pub reason: String,
    pub suggestion: String,
}

impl From<&LetterCheck> for LetterView {
    fn from(check: &LetterCheck) -> Self {
        LetterView { verdict: check.verdict.code(), reason: check.reason.clone(), suggestion: check.suggestion.clone() }
    }
}

/// The five letters of a SMART check, `{S, M, A, R, T}`, as the room, the check-goal
/// endpoint and `heisessie check-goal` all show them.
#[derive(Debug, Clone, Serialize)]
#[allow(non_snake_case)]
pub struct SmartLettersView {
    pub S: LetterView,
    pub M: LetterView,
    pub A: LetterView,
    pub R: LetterView,
    pub T: LetterView,
}

impl From<&SmartCheck> for SmartLettersView {
    fn from(check: &SmartCheck) -> Self {
        SmartLettersView {
            S: (&check.specific).into(),
            M: (&check.measurable).into(),
            A: (&check.acceptable).into(),
            R: (&check.realistic).into(),
            T: (&check.time_bound).into(),
        }
    }
}

/// A stored goal's check: the letters and whether it passes.
#[derive(Debug, Clone, Serialize)]
pub struct SmartCheckView {
    #[serde(flatten)]
    pub letters: SmartLettersView,
    pub passes: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EndGoalView {
    pub id: u64,
    pub text: String,
    pub horizon: Option<Horizon>,
    pub supporters: Vec<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgreementView {
    pub participant_id: u64,
    pub acceptable: bool,
    pub realistic: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SmartGoalView {
    pub id: u64,
    pub end_goal_id: Option<u64>,
    pub text: String,
    pub metric: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub deadline: Option<NaiveDate>,
    pub owner: String,
    pub means: String,
    pub reason: String,
    pub agreement: Vec<AgreementView>,
    pub check: SmartCheckView,
    pub measurements: Vec<MeasurementView>,
    /// `on_track`, `behind`, `no_data` or `no_target`.
    pub progress: &'static str,
    /// What the target line expects on the date of the newest measurement.
    pub expected_at_latest: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeasurementView {
    pub date: NaiveDate,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonaView {
    pub id: u64,
    pub name: String,
    pub age: Option<u32>,
    pub field_of_work: String,
    pub residence: String,
    pub hobbies: String,
    pub pain_points: String,
    pub current_solutions: String,
    pub triggers: String,
    pub trigger_response: String,
    pub desired_results: String,
    pub channels: String,
    pub objections: String,
    pub filled: usize,
    pub total: usize,
    pub primary: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompetitorView {
    pub name: String,
    pub has_it: bool,
    pub could_get_easily: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanLineView {
    pub id: u32,
    pub channel: String,
    pub form: String,
    pub count: u32,
    pub per: &'static str,
    pub frequency: String,
    pub owner_id: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalendarItemView {
    pub date: NaiveDate,
    pub line_id: u32,
    pub channel: String,
    pub form: String,
    pub owner_id: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoreMessageView {
    pub usp: String,
    pub life_improvement: String,
    pub answers: String,
    pub competitors: Vec<CompetitorView>,
    /// False when a competitor has the USP or could easily get it.
    pub unique: bool,
    pub not_unique_because: Vec<String>,
    pub plan: Vec<PlanLineView>,
    pub calendar_from: Option<NaiveDate>,
    pub calendar_to: Option<NaiveDate>,
    pub calendar: Vec<CalendarItemView>,
    /// Why no calendar could be made, when one was asked for.
    pub calendar_problem: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IdeaView {
    pub id: u64,
    pub text: String,
    pub sticky_id: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    pub id: u64,
    pub title: String,
    pub owner_id: Option<u64>,
    pub deadline: Option<NaiveDate>,
    pub part_id: Option<u32>,
    pub source: Option<ActionSource>,
    pub status: ActionStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResponsibilityView {
    pub id: u64,
    pub name: String,
    pub owner_id: Option<u64>,
    pub action_ids: Vec<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SuggestionView {
    pub theme: &'static str,
    pub name: String,
    pub action_ids: Vec<u64>,
    pub owner_id: Option<u64>,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadView {
    pub participant_id: u64,
    pub responsibilities: usize,
    pub actions: usize,
    /// `no_responsibility`, `too_many`, or absent.
    pub flag: Option<LoadFlag>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StrategyView {
    pub end_goals: Vec<EndGoalView>,
    pub smart_goals: Vec<SmartGoalView>,
    pub personas: Vec<PersonaView>,
    pub primary_persona_id: Option<u64>,
    pub core_message: CoreMessageView,
    pub ideas: Vec<IdeaView>,
    pub actions: Vec<ActionView>,
    pub responsibilities: Vec<ResponsibilityView>,
    pub suggestions: Vec<SuggestionView>,
    pub workload: Vec<WorkloadView>,
}

impl From<&SmartCheck> for SmartCheckView {
    fn from(check: &SmartCheck) -> Self {
        SmartCheckView { letters: check.into(), passes: check.passes() }
    }
}

pub fn strategy_view(state: &SessionState, today: NaiveDate) -> StrategyView {
    let lang = state.details.language;
    let strategy = &state.strategy;
    let message = &strategy.core_message;
    let (calendar, calendar_problem) = match message.calendar() {
        Ok(items) => (items, None),
        Err(error) => (Vec::new(), Some(i18n::content_plan_error(lang, &error))),
    };
    let name_of = |id: u64| {
        state.participants.iter().find(|p| p.id.0 == id).map(|p| p.display_name.as_str().to_owned()).unwrap_or_default()
    };
    let suggestions = state
        .suggested_bundles()
        .into_iter()
        .map(|suggestion| SuggestionView {
            theme: suggestion.theme.code(),
            name: suggestion.theme.name(lang).to_owned(),
            action_ids: suggestion.actions.clone(),
            owner_id: suggestion.owner,
            explanation: responsibility::explain(&suggestion, lang, &name_of),
        })
        .collect();
    let workload = state
        .workload()
        .into_iter()
        .map(|(load, flag)| WorkloadView {
            participant_id: load.participant,
            responsibilities: load.responsibilities,
            actions: load.actions,
            flag,
        })
        .collect();
    StrategyView {
        end_goals: strategy
            .end_goals
            .iter()
            .map(|g| EndGoalView {
                id: g.id.0,
                text: g.text.as_str().to_owned(),
                horizon: g.horizon,
                supporters: g.supporters.iter().map(|p| p.0).collect(),
            })
            .collect(),
        smart_goals: state
            .tracked_goals()
            .into_iter()
            .map(|(g, tracking)| SmartGoalView {
                id: g.id.0,
                end_goal_id: g.end_goal.map(|e| e.0),
                text: g.text.as_str().to_owned(),
                metric: g.fields.metric.as_str().to_owned(),
                baseline: g.fields.baseline,
                target: g.fields.target,
                deadline: g.fields.deadline,
                owner: g.fields.owner.as_str().to_owned(),
                means: g.fields.means.as_str().to_owned(),
                reason: g.fields.reason.as_str().to_owned(),
                agreement: g
                    .agreement
                    .iter()
                    .map(|(p, (a, r))| AgreementView { participant_id: p.0, acceptable: *a, realistic: *r })
                    .collect(),
                check: (&g.check(lang, today)).into(),
                measurements: strategy
                    .measurements
                    .get(&g.id)
                    .map(|series| series.iter().map(|m| MeasurementView { date: m.date, value: m.value }).collect())
                    .unwrap_or_default(),
                progress: tracking.progress.code(),
                expected_at_latest: tracking.expected_at_latest,
            })
            .collect(),
        personas: strategy
            .personas
            .iter()
            .map(|p| {
                let f = &p.fields;
                let (filled, total) = f.completeness();
                PersonaView {
                    id: p.id.0,
                    name: f.name.as_str().to_owned(),
                    age: f.age,
                    field_of_work: f.field_of_work.as_str().to_owned(),
                    residence: f.residence.as_str().to_owned(),
                    hobbies: f.hobbies.as_str().to_owned(),
                    pain_points: f.pain_points.as_str().to_owned(),
                    current_solutions: f.current_solutions.as_str().to_owned(),
                    triggers: f.triggers.as_str().to_owned(),
                    trigger_response: f.trigger_response.as_str().to_owned(),
                    desired_results: f.desired_results.as_str().to_owned(),
                    channels: f.channels.as_str().to_owned(),
                    objections: f.objections.as_str().to_owned(),
                    filled,
                    total,
                    primary: strategy.primary_persona == Some(p.id),
                }
            })
            .collect(),
        primary_persona_id: strategy.primary_persona.map(|p| p.0),
        core_message: CoreMessageView {
            usp: message.usp.as_str().to_owned(),
            life_improvement: message.life_improvement.as_str().to_owned(),
            answers: message.answers.as_str().to_owned(),
            competitors: message
                .competitors
                .iter()
                .map(|c| CompetitorView {
                    name: c.name.as_str().to_owned(),
                    has_it: c.has_it,
                    could_get_easily: c.could_get_easily,
                })
                .collect(),
            unique: message.not_unique_because().is_empty(),
            not_unique_because: message.not_unique_because().iter().map(|c| c.name.as_str().to_owned()).collect(),
            plan: message
                .plan
                .iter()
                .map(|line| PlanLineView {
                    id: line.id,
                    channel: line.channel.as_str().to_owned(),
                    form: line.form.as_str().to_owned(),
                    count: line.count,
                    per: line.per.code(),
                    frequency: line.frequency_text(lang),
                    owner_id: line.owner.map(|o| o.0),
                })
                .collect(),
            calendar_from: message.calendar_from,
            calendar_to: message.calendar_to,
            calendar: calendar
                .into_iter()
                .map(|item| CalendarItemView {
                    date: item.date,
                    line_id: item.line,
                    channel: item.channel,
                    form: item.form,
                    owner_id: item.owner,
                })
                .collect(),
            calendar_problem,
        },
        ideas: strategy
            .ideas
            .iter()
            .map(|i| IdeaView { id: i.id.0, text: i.text.as_str().to_owned(), sticky_id: i.from_sticky.map(|s| s.0) })
            .collect(),
        actions: strategy
            .actions
            .iter()
            .map(|a| ActionView {
                id: a.id.0,
                title: a.title.as_str().to_owned(),
                owner_id: a.owner.map(|o| o.0),
                deadline: a.deadline,
                part_id: a.part.map(|p| p.0),
                source: a.source,
                status: a.status,
            })
            .collect(),
        responsibilities: strategy
            .responsibilities
            .iter()
            .map(|r| ResponsibilityView {
                id: r.id.0,
                name: r.name.as_str().to_owned(),
                owner_id: r.owner.map(|o| o.0),
                action_ids: r.actions.iter().map(|a| a.0).collect(),
            })
            .collect(),
        suggestions,
        workload,
    }
}
