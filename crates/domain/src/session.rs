//! The session as a state machine: `apply(state, actor, op)` gives the events an op
//! causes, or a rejection; `SessionState::apply_event` folds an event into the state.
//!
//! Every change to a session goes through here, whether it arrives over the JSON API
//! or (later) the live room, so the rules live in exactly one place.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::language::{Lang, Localized};
use crate::model::{Model, Priority, WorkspaceKind};
use crate::planner::{self, PartId, PlanPart, PlannerSettings, Schedule};
use crate::text::{DisplayName, MeetingLink, Organisation, Title};

/// A session holds at most this many parts: more cannot be run in a day or two.
pub const MAX_PARTS: usize = 30;
/// A session admits at most this many participants (3–30 is the target; the rest is headroom).
pub const MAX_PARTICIPANTS: usize = 200;
/// A timebox is between 5 minutes and 4 hours.
pub const MIN_PART_MINUTES: u32 = 5;
pub const MAX_PART_MINUTES: u32 = 240;

/// Identifies a participant within one session; handed out in join order, starting at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ParticipantId(pub u64);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: ParticipantId,
    pub display_name: DisplayName,
    /// Joined through the facilitator link: may change the program, roles and links.
    pub is_facilitator: bool,
}

/// A part of this session's program: a copy of a model part, or one the facilitator added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramPart {
    pub id: PartId,
    pub key: String,
    pub title: Localized,
    pub explanation: Localized,
    pub questions: Vec<Localized>,
    pub minutes: u32,
    pub priority: Priority,
    pub workspace: WorkspaceKind,
}

impl ProgramPart {
    /// The session's copy of a model part, under the id it gets in the program.
    pub fn from_model(part: &crate::model::ModelPart, id: PartId) -> Self {
        ProgramPart {
            id,
            key: part.key.clone(),
            title: part.title.clone(),
            explanation: part.explanation.clone(),
            questions: part.questions.clone(),
            minutes: part.minutes,
            priority: part.priority,
            workspace: part.workspace,
        }
    }
}

/// Which model the session was built from, kept for the slides and the credit line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub id: String,
    pub name: Localized,
    pub credit: Option<Localized>,
}

/// The roles of the day (spelregels). The facilitator right itself comes from the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "role", content = "part_id", rename_all = "snake_case")]
pub enum Role {
    /// Procesbegeleider: leads the process.
    ProcessFacilitator,
    /// Tijdbewaker: runs the timer.
    Timekeeper,
    /// Notulist: writes the notes of each part.
    NoteTaker,
    /// Presenter of one part: may advance it.
    Presenter(PartId),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    pub process_facilitator: Option<ParticipantId>,
    pub timekeeper: Option<ParticipantId>,
    pub note_taker: Option<ParticipantId>,
    pub presenters: BTreeMap<PartId, ParticipantId>,
}

impl Roles {
    pub fn holder(&self, role: Role) -> Option<ParticipantId> {
        match role {
            Role::ProcessFacilitator => self.process_facilitator,
            Role::Timekeeper => self.timekeeper,
            Role::NoteTaker => self.note_taker,
            Role::Presenter(part) => self.presenters.get(&part).copied(),
        }
    }

    fn set(&mut self, role: Role, holder: Option<ParticipantId>) {
        match role {
            Role::ProcessFacilitator => self.process_facilitator = holder,
            Role::Timekeeper => self.timekeeper = holder,
            Role::NoteTaker => self.note_taker = holder,
            Role::Presenter(part) => match holder {
                Some(id) => {
                    self.presenters.insert(part, id);
                }
                None => {
                    self.presenters.remove(&part);
                }
            },
        }
    }
}

/// The session's details as the facilitator edits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDetails {
    pub title: Title,
    pub organisation: Organisation,
    pub language: Lang,
    pub meeting_link: Option<MeetingLink>,
}

/// Everything that is true of a session at one point in its event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionState {
    pub details: SessionDetails,
    pub model: ModelInfo,
    pub parts: Vec<ProgramPart>,
    pub settings: PlannerSettings,
    pub participants: Vec<Participant>,
    pub roles: Roles,
    next_part_id: u32,
    next_participant_id: u64,
}

impl SessionState {
    /// A new session with a copy of the model's parts.
    pub fn new(details: SessionDetails, model: &Model, settings: PlannerSettings) -> Self {
        let parts: Vec<ProgramPart> = model
            .parts
            .iter()
            .zip(1..)
            .map(|(part, id)| ProgramPart::from_model(part, PartId(id)))
            .collect();
        SessionState {
            details,
            model: ModelInfo {
                id: model.id.clone(),
                name: model.name.clone(),
                credit: model.credit.clone(),
            },
            next_part_id: parts.len() as u32 + 1,
            parts,
            settings,
            participants: Vec::new(),
            roles: Roles::default(),
            next_participant_id: 1,
        }
    }

    pub fn part(&self, id: PartId) -> Option<&ProgramPart> {
        self.parts.iter().find(|part| part.id == id)
    }

    pub fn participant(&self, id: ParticipantId) -> Option<&Participant> {
        self.participants.iter().find(|p| p.id == id)
    }

    /// The id the next participant to join will get.
    pub fn next_participant_id(&self) -> ParticipantId {
        ParticipantId(self.next_participant_id)
    }

    /// The parts as the planner sees them.
    pub fn plan_parts(&self) -> Vec<PlanPart> {
        self.parts
            .iter()
            .map(|part| PlanPart {
                id: part.id,
                title: part.title.clone(),
                minutes: part.minutes,
                priority: part.priority,
            })
            .collect()
    }

    /// The schedule follows from the program and the settings; it is never stored.
    pub fn schedule(&self) -> Schedule {
        planner::plan(&self.plan_parts(), &self.settings)
    }

    /// Folds one event into the state. Events were validated when they were made, so
    /// this never fails; an event that no longer fits (which a correct log never holds)
    /// changes nothing.
    pub fn apply_event(&mut self, event: &Event) {
        match event {
            Event::SessionCreated { state } => *self = (**state).clone(),
            Event::DetailsChanged { details } => self.details = details.clone(),
            Event::SettingsChanged { settings } => self.settings = settings.clone(),
            Event::PartAdded { part, index } => {
                let index = (*index).min(self.parts.len());
                self.next_part_id = self.next_part_id.max(part.id.0 + 1);
                self.parts.insert(index, part.clone());
            }
            Event::PartRemoved { part } => {
                self.parts.retain(|p| p.id != *part);
                self.roles.presenters.remove(part);
            }
            Event::PartMoved { part, to_index } => {
                if let Some(from) = self.parts.iter().position(|p| p.id == *part) {
                    let moved = self.parts.remove(from);
                    let to = (*to_index).min(self.parts.len());
                    self.parts.insert(to, moved);
                }
            }
            Event::PartRetimed { part, minutes } => {
                if let Some(p) = self.parts.iter_mut().find(|p| p.id == *part) {
                    p.minutes = *minutes;
                }
            }
            Event::ParticipantJoined { participant } => {
                self.next_participant_id = self.next_participant_id.max(participant.id.0 + 1);
                self.participants.push(participant.clone());
            }
            Event::RoleAssigned { role, participant } => self.roles.set(*role, *participant),
        }
    }
}

/// Who asks for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// Someone who has joined the session.
    Participant(ParticipantId),
    /// Someone holding a link who has not joined yet; `facilitator` says which link.
    Newcomer { facilitator: bool },
}

/// A change someone asks for. Texts and settings arrive already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Join {
        display_name: DisplayName,
    },
    EditDetails {
        details: SessionDetails,
    },
    ChangeSettings {
        settings: PlannerSettings,
    },
    AddPart {
        title: Title,
        minutes: u32,
        priority: Priority,
        workspace: WorkspaceKind,
        index: Option<usize>,
    },
    RemovePart {
        part: PartId,
    },
    MovePart {
        part: PartId,
        to_index: usize,
    },
    RetimePart {
        part: PartId,
        minutes: u32,
    },
    AssignRole {
        role: Role,
        participant: Option<ParticipantId>,
    },
}

/// What happened: the only thing stored, and the only way the state changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    SessionCreated {
        state: Box<SessionState>,
    },
    DetailsChanged {
        details: SessionDetails,
    },
    SettingsChanged {
        settings: PlannerSettings,
    },
    PartAdded {
        part: ProgramPart,
        index: usize,
    },
    PartRemoved {
        part: PartId,
    },
    PartMoved {
        part: PartId,
        to_index: usize,
    },
    PartRetimed {
        part: PartId,
        minutes: u32,
    },
    ParticipantJoined {
        participant: Participant,
    },
    RoleAssigned {
        role: Role,
        participant: Option<ParticipantId>,
    },
}

/// Why an op was refused. The code is stable; the edges turn it into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("only the facilitator may do this")]
    FacilitatorOnly,
    #[error("join the session first")]
    NotJoined,
    #[error("you have joined this session already")]
    AlreadyJoined,
    #[error("this session has no part {0:?}")]
    UnknownPart(PartId),
    #[error("this session has no participant {0:?}")]
    UnknownParticipant(ParticipantId),
    #[error("position {index} is outside the program of {len} parts")]
    IndexOutOfRange { index: usize, len: usize },
    #[error("a timebox must be between {MIN_PART_MINUTES} and {MAX_PART_MINUTES} minutes, got {0}")]
    MinutesOutOfRange(u32),
    #[error("a session has at most {MAX_PARTS} parts")]
    TooManyParts,
    #[error("a session has at most {MAX_PARTICIPANTS} participants")]
    TooManyParticipants,
}

impl Rejection {
    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::FacilitatorOnly => "facilitator_only",
            Rejection::NotJoined => "not_joined",
            Rejection::AlreadyJoined => "already_joined",
            Rejection::UnknownPart(_) => "unknown_part",
            Rejection::UnknownParticipant(_) => "unknown_participant",
            Rejection::IndexOutOfRange { .. } => "index_out_of_range",
            Rejection::MinutesOutOfRange(_) => "minutes_out_of_range",
            Rejection::TooManyParts => "too_many_parts",
            Rejection::TooManyParticipants => "too_many_participants",
        }
    }
}

fn check_minutes(minutes: u32) -> Result<u32, Rejection> {
    if (MIN_PART_MINUTES..=MAX_PART_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(Rejection::MinutesOutOfRange(minutes))
    }
}

fn require_facilitator(state: &SessionState, actor: Actor) -> Result<(), Rejection> {
    match actor {
        Actor::Participant(id) => match state.participant(id) {
            Some(p) if p.is_facilitator => Ok(()),
            Some(_) => Err(Rejection::FacilitatorOnly),
            None => Err(Rejection::NotJoined),
        },
        Actor::Newcomer { .. } => Err(Rejection::NotJoined),
    }
}

fn require_part(state: &SessionState, part: PartId) -> Result<&ProgramPart, Rejection> {
    state.part(part).ok_or(Rejection::UnknownPart(part))
}

/// Decides what an op does to the state. Pure: the state is not changed here.
pub fn apply(state: &SessionState, actor: Actor, op: Op) -> Result<Vec<Event>, Rejection> {
    match op {
        Op::Join { display_name } => join(state, actor, display_name).map(|event| vec![event]),
        op => {
            require_facilitator(state, actor)?;
            facilitator_op(state, op).map(|event| vec![event])
        }
    }
}

fn join(state: &SessionState, actor: Actor, display_name: DisplayName) -> Result<Event, Rejection> {
    let Actor::Newcomer { facilitator } = actor else {
        // Someone who has joined already needs no second identity.
        return Err(Rejection::AlreadyJoined);
    };
    if state.participants.len() >= MAX_PARTICIPANTS {
        return Err(Rejection::TooManyParticipants);
    }
    let participant = Participant {
        id: state.next_participant_id(),
        display_name,
        is_facilitator: facilitator,
    };
    Ok(Event::ParticipantJoined { participant })
}

fn facilitator_op(state: &SessionState, op: Op) -> Result<Event, Rejection> {
    Ok(match op {
        Op::Join { .. } => return Err(Rejection::AlreadyJoined),
        Op::EditDetails { details } => Event::DetailsChanged { details },
        Op::ChangeSettings { settings } => Event::SettingsChanged { settings },
        Op::AddPart {
            title,
            minutes,
            priority,
            workspace,
            index,
        } => {
            if state.parts.len() >= MAX_PARTS {
                return Err(Rejection::TooManyParts);
            }
            let len = state.parts.len();
            let index = index.unwrap_or(len);
            if index > len {
                return Err(Rejection::IndexOutOfRange { index, len });
            }
            let part = ProgramPart {
                id: PartId(state.next_part_id),
                key: format!("part_{}", state.next_part_id),
                title: Localized::same(title.as_str()),
                explanation: Localized::same(""),
                questions: Vec::new(),
                minutes: check_minutes(minutes)?,
                priority,
                workspace,
            };
            Event::PartAdded { part, index }
        }
        Op::RemovePart { part } => {
            require_part(state, part)?;
            Event::PartRemoved { part }
        }
        Op::MovePart { part, to_index } => {
            require_part(state, part)?;
            let len = state.parts.len();
            if to_index >= len {
                return Err(Rejection::IndexOutOfRange {
                    index: to_index,
                    len,
                });
            }
            Event::PartMoved { part, to_index }
        }
        Op::RetimePart { part, minutes } => {
            require_part(state, part)?;
            Event::PartRetimed {
                part,
                minutes: check_minutes(minutes)?,
            }
        }
        Op::AssignRole { role, participant } => {
            if let Role::Presenter(part) = role {
                require_part(state, part)?;
            }
            if let Some(id) = participant
                && state.participant(id).is_none()
            {
                return Err(Rejection::UnknownParticipant(id));
            }
            Event::RoleAssigned { role, participant }
        }
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::model::ModelPart;

    fn model() -> Model {
        let part = |key: &str, minutes| ModelPart {
            key: key.to_owned(),
            title: Localized::same(key),
            explanation: Localized::same(""),
            questions: Vec::new(),
            minutes,
            priority: Priority::Must,
            workspace: WorkspaceKind::Board,
        };
        Model {
            id: "test".into(),
            name: Localized::same("Test"),
            description: Localized::same(""),
            credit: None,
            parts: vec![part("a", 30), part("b", 40), part("c", 50)],
        }
    }

    fn fresh() -> SessionState {
        let details = SessionDetails {
            title: Title::parse("title", "Heidag").unwrap(),
            organisation: Organisation::parse("organisation", "Bakkerij Jansen").unwrap(),
            language: Lang::Nl,
            meeting_link: None,
        };
        let start = NaiveDate::from_ymd_opt(2026, 12, 3)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let settings =
            PlannerSettings::with_defaults(start, chrono_tz::Europe::Amsterdam, 1).unwrap();
        let mut state = SessionState::new(details, &model(), settings);
        for (name, facilitator) in [("Fay", true), ("Piet", false)] {
            let op = Op::Join {
                display_name: DisplayName::parse("display_name", name).unwrap(),
            };
            for event in apply(&state, Actor::Newcomer { facilitator }, op).unwrap() {
                state.apply_event(&event);
            }
        }
        state
    }

    const FACILITATOR: Actor = Actor::Participant(ParticipantId(1));
    const PARTICIPANT: Actor = Actor::Participant(ParticipantId(2));
    const STRANGER: Actor = Actor::Participant(ParticipantId(99));

    /// Applies an op and returns the state after it, or the rejection.
    fn run(state: &SessionState, actor: Actor, op: Op) -> Result<SessionState, Rejection> {
        let mut next = state.clone();
        for event in apply(state, actor, op)? {
            next.apply_event(&event);
        }
        Ok(next)
    }

    fn keys(state: &SessionState) -> Vec<&str> {
        state.parts.iter().map(|p| p.key.as_str()).collect()
    }

    #[test]
    fn participants_get_ids_in_join_order() {
        let state = fresh();
        let names: Vec<_> = state
            .participants
            .iter()
            .map(|p| (p.id.0, p.display_name.as_str(), p.is_facilitator))
            .collect();
        assert_eq!(names, [(1, "Fay", true), (2, "Piet", false)]);
    }

    #[test]
    fn program_edits_change_the_program() {
        let state = fresh();
        let title = Title::parse("title", "Koffie & evaluatie").unwrap();
        let added = run(
            &state,
            FACILITATOR,
            Op::AddPart {
                title,
                minutes: 20,
                priority: Priority::Could,
                workspace: WorkspaceKind::Notes,
                index: Some(1),
            },
        )
        .unwrap();
        assert_eq!(keys(&added), ["a", "part_4", "b", "c"]);
        let moved = run(
            &added,
            FACILITATOR,
            Op::MovePart {
                part: PartId(1),
                to_index: 3,
            },
        )
        .unwrap();
        assert_eq!(keys(&moved), ["part_4", "b", "c", "a"]);
        let removed = run(&moved, FACILITATOR, Op::RemovePart { part: PartId(2) }).unwrap();
        assert_eq!(keys(&removed), ["part_4", "c", "a"]);
        let retimed = run(
            &removed,
            FACILITATOR,
            Op::RetimePart {
                part: PartId(3),
                minutes: 25,
            },
        )
        .unwrap();
        assert_eq!(retimed.part(PartId(3)).map(|p| p.minutes), Some(25));
        // A part added after a removal never reuses an id.
        let title = Title::parse("title", "Extra").unwrap();
        let again = run(
            &retimed,
            FACILITATOR,
            Op::AddPart {
                title,
                minutes: 10,
                priority: Priority::Could,
                workspace: WorkspaceKind::Board,
                index: None,
            },
        )
        .unwrap();
        assert_eq!(again.parts.last().map(|p| p.id), Some(PartId(5)));
    }

    #[test]
    fn removing_a_part_removes_its_presenter() {
        let state = fresh();
        let with_presenter = run(
            &state,
            FACILITATOR,
            Op::AssignRole {
                role: Role::Presenter(PartId(2)),
                participant: Some(ParticipantId(2)),
            },
        )
        .unwrap();
        assert_eq!(
            with_presenter.roles.holder(Role::Presenter(PartId(2))),
            Some(ParticipantId(2))
        );
        let removed = run(
            &with_presenter,
            FACILITATOR,
            Op::RemovePart { part: PartId(2) },
        )
        .unwrap();
        assert!(removed.roles.presenters.is_empty());
    }

    #[test]
    fn bad_ops_are_rejected_and_change_nothing() {
        let state = fresh();
        let title = || Title::parse("title", "x").unwrap();
        let name = || DisplayName::parse("display_name", "Anna").unwrap();
        let cases: Vec<(Actor, Op, Rejection)> = vec![
            (
                PARTICIPANT,
                Op::RetimePart {
                    part: PartId(1),
                    minutes: 20,
                },
                Rejection::FacilitatorOnly,
            ),
            (
                STRANGER,
                Op::RemovePart { part: PartId(1) },
                Rejection::NotJoined,
            ),
            (
                Actor::Newcomer { facilitator: true },
                Op::RemovePart { part: PartId(1) },
                Rejection::NotJoined,
            ),
            (
                FACILITATOR,
                Op::Join {
                    display_name: name(),
                },
                Rejection::AlreadyJoined,
            ),
            (
                FACILITATOR,
                Op::RemovePart { part: PartId(9) },
                Rejection::UnknownPart(PartId(9)),
            ),
            (
                FACILITATOR,
                Op::MovePart {
                    part: PartId(1),
                    to_index: 3,
                },
                Rejection::IndexOutOfRange { index: 3, len: 3 },
            ),
            (
                FACILITATOR,
                Op::AddPart {
                    title: title(),
                    minutes: 10,
                    priority: Priority::Must,
                    workspace: WorkspaceKind::Board,
                    index: Some(4),
                },
                Rejection::IndexOutOfRange { index: 4, len: 3 },
            ),
            (
                FACILITATOR,
                Op::RetimePart {
                    part: PartId(1),
                    minutes: 4,
                },
                Rejection::MinutesOutOfRange(4),
            ),
            (
                FACILITATOR,
                Op::RetimePart {
                    part: PartId(1),
                    minutes: 241,
                },
                Rejection::MinutesOutOfRange(241),
            ),
            (
                FACILITATOR,
                Op::AssignRole {
                    role: Role::Timekeeper,
                    participant: Some(ParticipantId(7)),
                },
                Rejection::UnknownParticipant(ParticipantId(7)),
            ),
            (
                FACILITATOR,
                Op::AssignRole {
                    role: Role::Presenter(PartId(8)),
                    participant: Some(ParticipantId(2)),
                },
                Rejection::UnknownPart(PartId(8)),
            ),
        ];
        for (actor, op, expected) in cases {
            let description = format!("{op:?} by {actor:?}");
            assert_eq!(apply(&state, actor, op), Err(expected), "{description}");
        }
    }

    #[test]
    fn replaying_the_events_gives_the_same_state() {
        let state = fresh();
        let mut log = vec![Event::SessionCreated {
            state: Box::new(state.clone()),
        }];
        let mut current = state;
        let ops = [
            Op::AssignRole {
                role: Role::Timekeeper,
                participant: Some(ParticipantId(2)),
            },
            Op::MovePart {
                part: PartId(3),
                to_index: 0,
            },
            Op::RetimePart {
                part: PartId(1),
                minutes: 45,
            },
        ];
        for op in ops {
            for event in apply(&current, FACILITATOR, op).unwrap() {
                current.apply_event(&event);
                log.push(event);
            }
        }
        let mut replayed = fresh();
        replayed.parts.clear();
        for event in &log {
            replayed.apply_event(event);
        }
        assert_eq!(replayed, current);
    }
}
