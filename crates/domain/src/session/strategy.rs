//! The strategy content's ops and events (end goals, SMART goals, personas, the core
//! message, ideas, actions, responsibilities, measurements), nested in `Op::Strategy`
//! and `Event::Strategy` so the session's own lists stay short.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::board::StickyId;
use crate::planner::PartId;
use crate::strategy::{
    Action, ActionSource, ActionStatus, ContentIdea, CoreMessage, EndGoal, FieldText, Horizon, ItemId, MAX_ITEMS,
    Measurement, Persona, PersonaFields, Responsibility, SmartFields, SmartGoal, Strategy,
};

use super::decide::{require_part, require_sticky};
use super::ops::Right;
use super::rejection::Rejection;
use super::state::{ParticipantId, SessionState};

/// A change to the strategy content. Texts arrive already validated.
#[derive(Debug, Clone, PartialEq)]
pub enum StrategyOp {
    SaveEndGoal {
        id: Option<ItemId>,
        text: FieldText,
        horizon: Option<Horizon>,
    },
    RemoveEndGoal {
        id: ItemId,
    },
    MoveEndGoal {
        id: ItemId,
        to_index: usize,
    },
    SupportEndGoal {
        id: ItemId,
        support: bool,
    },
    SaveSmartGoal {
        id: Option<ItemId>,
        end_goal: Option<ItemId>,
        text: FieldText,
        fields: SmartFields,
    },
    RemoveSmartGoal {
        id: ItemId,
    },
    AgreeSmartGoal {
        id: ItemId,
        acceptable: bool,
        realistic: bool,
    },
    SavePersona {
        id: Option<ItemId>,
        fields: PersonaFields,
    },
    RemovePersona {
        id: ItemId,
    },
    SetPrimaryPersona {
        id: Option<ItemId>,
    },
    SaveCoreMessage {
        message: CoreMessage,
    },
    AddIdea {
        text: FieldText,
        from_sticky: Option<StickyId>,
    },
    RemoveIdea {
        id: ItemId,
    },
    SaveAction {
        id: Option<ItemId>,
        title: FieldText,
        owner: Option<ParticipantId>,
        deadline: Option<chrono::NaiveDate>,
        part: Option<PartId>,
        source: Option<ActionSource>,
        status: ActionStatus,
    },
    RemoveAction {
        id: ItemId,
    },
    SetResponsibilities {
        responsibilities: Vec<(FieldText, Option<ParticipantId>, Vec<ItemId>)>,
    },
    RecordMeasurement {
        goal: ItemId,
        date: chrono::NaiveDate,
        value: f64,
    },
    RemoveMeasurement {
        goal: ItemId,
        date: chrono::NaiveDate,
    },
}

/// What happened to the strategy content. Stored inside `Event` under the same
/// `{"type": …, "data": …}` as the session's other events, each under its own type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum StrategyEvent {
    EndGoalSaved { goal: EndGoal, index: usize },
    EndGoalRemoved { id: ItemId },
    EndGoalMoved { id: ItemId, to_index: usize },
    EndGoalSupported { id: ItemId, by: ParticipantId, support: bool },
    SmartGoalSaved { goal: SmartGoal },
    SmartGoalRemoved { id: ItemId },
    SmartGoalAgreed { id: ItemId, by: ParticipantId, acceptable: bool, realistic: bool },
    PersonaSaved { persona: Persona },
    PersonaRemoved { id: ItemId },
    PrimaryPersonaSet { id: Option<ItemId> },
    CoreMessageSaved { message: CoreMessage },
    IdeaAdded { idea: ContentIdea },
    IdeaRemoved { id: ItemId },
    ActionSaved { action: Action },
    ActionRemoved { id: ItemId },
    ResponsibilitiesSet { responsibilities: Vec<Responsibility> },
    MeasurementRecorded { goal: ItemId, measurement: Measurement },
    MeasurementRemoved { goal: ItemId, date: chrono::NaiveDate },
}

impl StrategyEvent {
    /// Folds the event into the strategy content; like every event, it never fails.
    pub(super) fn apply(&self, strategy: &mut Strategy) {
        match self {
            StrategyEvent::EndGoalSaved { goal, index } => {
                strategy.take_id(goal.id);
                match strategy.end_goals.iter_mut().find(|g| g.id == goal.id) {
                    Some(existing) => *existing = goal.clone(),
                    None => strategy.end_goals.insert((*index).min(strategy.end_goals.len()), goal.clone()),
                }
            }
            StrategyEvent::EndGoalRemoved { id } => {
                strategy.end_goals.retain(|g| g.id != *id);
                for goal in strategy.smart_goals.iter_mut().filter(|g| g.end_goal == Some(*id)) {
                    goal.end_goal = None;
                }
            }
            StrategyEvent::EndGoalMoved { id, to_index } => {
                if let Some(from) = strategy.end_goals.iter().position(|g| g.id == *id) {
                    let goal = strategy.end_goals.remove(from);
                    strategy.end_goals.insert((*to_index).min(strategy.end_goals.len()), goal);
                }
            }
            StrategyEvent::EndGoalSupported { id, by, support } => {
                if let Some(goal) = strategy.end_goals.iter_mut().find(|g| g.id == *id) {
                    if *support {
                        goal.supporters.insert(*by);
                    } else {
                        goal.supporters.remove(by);
                    }
                }
            }
            StrategyEvent::SmartGoalSaved { goal } => {
                strategy.take_id(goal.id);
                match strategy.smart_goals.iter_mut().find(|g| g.id == goal.id) {
                    Some(existing) => *existing = goal.clone(),
                    None => strategy.smart_goals.push(goal.clone()),
                }
            }
            StrategyEvent::SmartGoalRemoved { id } => {
                strategy.smart_goals.retain(|g| g.id != *id);
                strategy.measurements.remove(id);
            }
            StrategyEvent::SmartGoalAgreed { id, by, acceptable, realistic } => {
                if let Some(goal) = strategy.smart_goals.iter_mut().find(|g| g.id == *id) {
                    goal.agreement.insert(*by, (*acceptable, *realistic));
                }
            }
            StrategyEvent::PersonaSaved { persona } => {
                strategy.take_id(persona.id);
                match strategy.personas.iter_mut().find(|p| p.id == persona.id) {
                    Some(existing) => *existing = persona.clone(),
                    None => strategy.personas.push(persona.clone()),
                }
            }
            StrategyEvent::PersonaRemoved { id } => {
                strategy.personas.retain(|p| p.id != *id);
                if strategy.primary_persona == Some(*id) {
                    strategy.primary_persona = None;
                }
            }
            StrategyEvent::PrimaryPersonaSet { id } => strategy.primary_persona = *id,
            StrategyEvent::CoreMessageSaved { message } => strategy.core_message = message.clone(),
            StrategyEvent::IdeaAdded { idea } => {
                strategy.take_id(idea.id);
                strategy.ideas.push(idea.clone());
            }
            StrategyEvent::IdeaRemoved { id } => strategy.ideas.retain(|i| i.id != *id),
            StrategyEvent::ActionSaved { action } => {
                strategy.take_id(action.id);
                match strategy.actions.iter_mut().find(|a| a.id == action.id) {
                    Some(existing) => *existing = action.clone(),
                    None => strategy.actions.push(action.clone()),
                }
            }
            StrategyEvent::ActionRemoved { id } => {
                strategy.actions.retain(|a| a.id != *id);
                for bundle in &mut strategy.responsibilities {
                    bundle.actions.retain(|a| a != id);
                }
            }
            StrategyEvent::ResponsibilitiesSet { responsibilities } => {
                for bundle in responsibilities {
                    strategy.take_id(bundle.id);
                }
                strategy.responsibilities = responsibilities.clone();
            }
            StrategyEvent::MeasurementRecorded { goal, measurement } => {
                // One value per day: a new one on the same date replaces the old.
                let series = strategy.measurements.entry(*goal).or_default();
                series.retain(|m| m.date != measurement.date);
                let at = series.partition_point(|m| m.date < measurement.date);
                series.insert(at, *measurement);
            }
            StrategyEvent::MeasurementRemoved { goal, date } => {
                if let Some(series) = strategy.measurements.get_mut(goal) {
                    series.retain(|m| m.date != *date);
                }
            }
        }
    }
}

/// Saves an item under its id, or under a new id when it is new; `None` when the id is unknown.
fn save_id(strategy: &Strategy, id: Option<ItemId>, exists: bool, count: usize) -> Result<ItemId, Rejection> {
    match id {
        Some(id) if exists => Ok(id),
        Some(id) => Err(Rejection::UnknownItem(id)),
        None if count >= MAX_ITEMS => Err(Rejection::TooManyItems),
        None => Ok(strategy.next_item_id()),
    }
}

impl StrategyOp {
    /// The right the op needs: choosing the primary persona and sharing out the
    /// responsibilities is the facilitator's; the rest is everyone's.
    pub fn right(&self) -> Right {
        match self {
            StrategyOp::SetPrimaryPersona { .. } | StrategyOp::SetResponsibilities { .. } => Right::Facilitator,
            StrategyOp::SaveEndGoal { .. }
            | StrategyOp::RemoveEndGoal { .. }
            | StrategyOp::MoveEndGoal { .. }
            | StrategyOp::SupportEndGoal { .. }
            | StrategyOp::SaveSmartGoal { .. }
            | StrategyOp::RemoveSmartGoal { .. }
            | StrategyOp::AgreeSmartGoal { .. }
            | StrategyOp::SavePersona { .. }
            | StrategyOp::RemovePersona { .. }
            | StrategyOp::SaveCoreMessage { .. }
            | StrategyOp::AddIdea { .. }
            | StrategyOp::RemoveIdea { .. }
            | StrategyOp::SaveAction { .. }
            | StrategyOp::RemoveAction { .. }
            | StrategyOp::RecordMeasurement { .. }
            | StrategyOp::RemoveMeasurement { .. } => Right::Participant,
        }
    }

    /// Decides what the op does, for participant `who` (whose right is checked already).
    pub(super) fn decide(self, state: &SessionState, who: ParticipantId) -> Result<StrategyEvent, Rejection> {
        let strategy = &state.strategy;
        let known_person = |id: Option<ParticipantId>| match id {
            Some(id) if state.participant(id).is_none() => Err(Rejection::UnknownParticipant(id)),
            _ => Ok(()),
        };
        Ok(match self {
            StrategyOp::SaveEndGoal { id, text, horizon } => {
                let existing = id.and_then(|id| strategy.end_goal(id));
                let id = save_id(strategy, id, existing.is_some(), strategy.end_goals.len())?;
                let index = strategy.end_goals.iter().position(|g| g.id == id).unwrap_or(strategy.end_goals.len());
                let supporters = existing.map(|g| g.supporters.clone()).unwrap_or_default();
                StrategyEvent::EndGoalSaved { goal: EndGoal { id, text, horizon, supporters }, index }
            }
            StrategyOp::RemoveEndGoal { id } => {
                strategy.end_goal(id).ok_or(Rejection::UnknownItem(id))?;
                StrategyEvent::EndGoalRemoved { id }
            }
            StrategyOp::MoveEndGoal { id, to_index } => {
                strategy.end_goal(id).ok_or(Rejection::UnknownItem(id))?;
                let len = strategy.end_goals.len();
                if to_index >= len {
                    return Err(Rejection::IndexOutOfRange { index: to_index, len });
                }
                StrategyEvent::EndGoalMoved { id, to_index }
            }
            StrategyOp::SupportEndGoal { id, support } => {
                strategy.end_goal(id).ok_or(Rejection::UnknownItem(id))?;
                StrategyEvent::EndGoalSupported { id, by: who, support }
            }
            StrategyOp::SaveSmartGoal { id, end_goal, text, fields } => {
                if let Some(end_goal) = end_goal {
                    strategy.end_goal(end_goal).ok_or(Rejection::UnknownItem(end_goal))?;
                }
                let existing = id.and_then(|id| strategy.smart_goal(id));
                let id = save_id(strategy, id, existing.is_some(), strategy.smart_goals.len())?;
                let agreement = existing.map(|g| g.agreement.clone()).unwrap_or_default();
                StrategyEvent::SmartGoalSaved { goal: SmartGoal { id, end_goal, text, fields, agreement } }
            }
            StrategyOp::RemoveSmartGoal { id } => {
                strategy.smart_goal(id).ok_or(Rejection::UnknownItem(id))?;
                StrategyEvent::SmartGoalRemoved { id }
            }
            StrategyOp::AgreeSmartGoal { id, acceptable, realistic } => {
                strategy.smart_goal(id).ok_or(Rejection::UnknownItem(id))?;
                StrategyEvent::SmartGoalAgreed { id, by: who, acceptable, realistic }
            }
            StrategyOp::SavePersona { id, fields } => {
                let exists = id.is_some_and(|id| strategy.persona(id).is_some());
                let id = save_id(strategy, id, exists, strategy.personas.len())?;
                StrategyEvent::PersonaSaved { persona: Persona { id, fields } }
            }
            StrategyOp::RemovePersona { id } => {
                strategy.persona(id).ok_or(Rejection::UnknownItem(id))?;
                StrategyEvent::PersonaRemoved { id }
            }
            StrategyOp::SetPrimaryPersona { id } => {
                if let Some(id) = id {
                    strategy.persona(id).ok_or(Rejection::UnknownItem(id))?;
                }
                StrategyEvent::PrimaryPersonaSet { id }
            }
            StrategyOp::SaveCoreMessage { message } => {
                if message.competitors.len() > 30 || message.plan.len() > 50 {
                    return Err(Rejection::TooManyItems);
                }
                for line in &message.plan {
                    known_person(line.owner)?;
                }
                StrategyEvent::CoreMessageSaved { message }
            }
            StrategyOp::AddIdea { text, from_sticky } => {
                if let Some(sticky) = from_sticky {
                    require_sticky(state, sticky)?;
                }
                let id = save_id(strategy, None, false, strategy.ideas.len())?;
                StrategyEvent::IdeaAdded { idea: ContentIdea { id, text, from_sticky } }
            }
            StrategyOp::RemoveIdea { id } => {
                strategy.idea(id).ok_or(Rejection::UnknownItem(id))?;
                StrategyEvent::IdeaRemoved { id }
            }
            StrategyOp::SaveAction { id, title, owner, deadline, part, source, status } => {
                known_person(owner)?;
                if let Some(part) = part {
                    require_part(state, part)?;
                }
                match source {
                    Some(ActionSource::Sticky(sticky)) => {
                        require_sticky(state, sticky)?;
                    }
                    Some(ActionSource::Notes(part)) => {
                        require_part(state, part)?;
                    }
                    Some(ActionSource::EndGoal(item)) => {
                        strategy.end_goal(item).ok_or(Rejection::UnknownItem(item))?;
                    }
                    Some(ActionSource::SmartGoal(item)) => {
                        strategy.smart_goal(item).ok_or(Rejection::UnknownItem(item))?;
                    }
                    Some(ActionSource::Persona(item)) => {
                        strategy.persona(item).ok_or(Rejection::UnknownItem(item))?;
                    }
                    Some(ActionSource::Idea(item)) => {
                        strategy.idea(item).ok_or(Rejection::UnknownItem(item))?;
                    }
                    None => {}
                }
                let exists = id.is_some_and(|id| strategy.action(id).is_some());
                let id = save_id(strategy, id, exists, strategy.actions.len())?;
                StrategyEvent::ActionSaved { action: Action { id, title, owner, deadline, part, source, status } }
            }
            StrategyOp::RemoveAction { id } => {
                strategy.action(id).ok_or(Rejection::UnknownItem(id))?;
                StrategyEvent::ActionRemoved { id }
            }
            StrategyOp::SetResponsibilities { responsibilities } => {
                let mut seen = BTreeSet::new();
                let mut bundles = Vec::new();
                if responsibilities.len() > 30 {
                    return Err(Rejection::TooManyItems);
                }
                for ((name, owner, actions), next) in responsibilities.into_iter().zip(strategy.next_item_id().0..) {
                    known_person(owner)?;
                    for action in &actions {
                        if strategy.action(*action).is_none() || !seen.insert(*action) {
                            return Err(Rejection::BadBundle);
                        }
                    }
                    bundles.push(Responsibility { id: ItemId(next), name, owner, actions });
                }
                StrategyEvent::ResponsibilitiesSet { responsibilities: bundles }
            }
            StrategyOp::RecordMeasurement { goal, date, value } => {
                strategy.smart_goal(goal).ok_or(Rejection::UnknownItem(goal))?;
                if !value.is_finite() {
                    return Err(Rejection::BadMeasurement);
                }
                if strategy.measurements.get(&goal).is_some_and(|m| m.len() >= 1_000) {
                    return Err(Rejection::TooManyItems);
                }
                StrategyEvent::MeasurementRecorded { goal, measurement: Measurement { date, value } }
            }
            StrategyOp::RemoveMeasurement { goal, date } => {
                let exists = strategy.measurements.get(&goal).is_some_and(|m| m.iter().any(|m| m.date == date));
                if !exists {
                    return Err(Rejection::UnknownItem(goal));
                }
                StrategyEvent::MeasurementRemoved { goal, date }
            }
        })
    }
}
