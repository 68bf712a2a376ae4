//! The session as a state machine: `apply(state, actor, op)` gives the events an op
//! causes, or a rejection; `SessionState::apply_event` folds an event into the state.
//!
//! Every change to a session goes through here, whether it arrives over the JSON API
//! or (later) the live room, so the rules live in exactly one place.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::board::{
    self, Colour, DEFAULT_STICKY_SIZE, Group, GroupId, MAX_STICKIES_PER_PART, MAX_VOTES_PER_PERSON, NoteText, Sticky,
    StickyId, StickyText, VoteRound,
};
use crate::language::{Lang, Localized};
use crate::model::{Model, Priority, WorkspaceKind};
use crate::planner::{self, BlockKind, LivePosition, PartId, PlanPart, PlannerSettings, Replan, Schedule};
use crate::strategy::{
    Action, ActionSource, ActionStatus, ContentIdea, CoreMessage, EndGoal, FieldText, Horizon, ItemId, MAX_ITEMS,
    Persona, PersonaFields, Responsibility, SmartFields, SmartGoal, Strategy,
};
use crate::text::{DisplayName, MeetingLink, Organisation, Title};
use crate::timebox::{MAX_PARTS, Timebox};
use crate::timer::{MAX_TIMER_SECONDS, MIN_TIMER_SECONDS, Timer};

/// A session admits at most this many participants (3–30 is the target; the rest is headroom).
pub const MAX_PARTICIPANTS: usize = 200;
/// Places kept beyond `MAX_PARTICIPANTS` for the facilitator link, so that someone
/// filling the session through the participant link cannot keep the facilitator out.
pub const FACILITATOR_PLACES: usize = 20;

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

/// The name the facilitator gets when they give none, in the session's language.
pub fn default_facilitator_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "Begeleider",
        Lang::En => "Facilitator",
    }
}

/// A part of this session's program: a copy of a model part, or one the facilitator added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramPart {
    pub id: PartId,
    pub key: String,
    pub title: Localized,
    pub explanation: Localized,
    pub questions: Vec<Localized>,
    pub minutes: Timebox,
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionState {
    pub details: SessionDetails,
    pub model: ModelInfo,
    pub parts: Vec<ProgramPart>,
    pub settings: PlannerSettings,
    pub participants: Vec<Participant>,
    pub roles: Roles,
    /// The part everyone follows; `None` before the day starts (the first part is shown).
    #[serde(default)]
    pub current_part: Option<PartId>,
    /// The models slide is open for everyone (a participant can also open it alone,
    /// which is the client's business).
    #[serde(default)]
    pub models_open: bool,
    #[serde(default)]
    pub timer: Option<Timer>,
    /// Milliseconds timers ran per part, not counting the run in progress.
    #[serde(default)]
    pub actual_ms: BTreeMap<PartId, u64>,
    #[serde(default)]
    pub stickies: BTreeMap<StickyId, Sticky>,
    #[serde(default)]
    pub groups: BTreeMap<GroupId, Group>,
    #[serde(default)]
    pub vote: Option<VoteRound>,
    #[serde(default)]
    pub notes: BTreeMap<PartId, NoteText>,
    #[serde(default)]
    pub strategy: Strategy,
    /// Participants may download the exports (the facilitator always may).
    #[serde(default)]
    pub exports_open: bool,
    next_part_id: u32,
    next_participant_id: u64,
    #[serde(default)]
    next_board_id: u64,
}

impl SessionState {
    /// A new session with a copy of the model's parts.
    pub fn new(details: SessionDetails, model: &Model, settings: PlannerSettings) -> Self {
        let parts: Vec<ProgramPart> =
            model.parts.iter().zip(1..).map(|(part, id)| ProgramPart::from_model(part, PartId(id))).collect();
        SessionState {
            details,
            model: ModelInfo { id: model.id.clone(), name: model.name.clone(), credit: model.credit.clone() },
            next_part_id: parts.len() as u32 + 1,
            parts,
            settings,
            participants: Vec::new(),
            roles: Roles::default(),
            current_part: None,
            models_open: false,
            timer: None,
            actual_ms: BTreeMap::new(),
            stickies: BTreeMap::new(),
            groups: BTreeMap::new(),
            vote: None,
            notes: BTreeMap::new(),
            strategy: Strategy::default(),
            exports_open: false,
            next_participant_id: 1,
            next_board_id: 1,
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
                minutes: part.minutes.minutes(),
                priority: part.priority,
            })
            .collect()
    }

    /// The schedule follows from the program and the settings; it is never stored.
    pub fn schedule(&self) -> Schedule {
        planner::plan(&self.plan_parts(), &self.settings)
    }

    /// The part everyone is on: the chosen one, or else the first.
    pub fn current(&self) -> Option<PartId> {
        self.current_part.or_else(|| self.parts.first().map(|p| p.id))
    }

    fn part_index(&self, part: PartId) -> Option<usize> {
        self.parts.iter().position(|p| p.id == part)
    }

    /// How long timers have run for `part`, the run in progress included.
    pub fn actual_ms(&self, part: PartId, now_ms: i64) -> u64 {
        let finished = self.actual_ms.get(&part).copied().unwrap_or(0);
        let running = match &self.timer {
            Some(timer) if timer.part == part => {
                timer.running_since_ms.map_or(0, |since| now_ms.saturating_sub(since).max(0) as u64)
            }
            _ => 0,
        };
        finished + running
    }

    /// Where the day stands for the re-plan: the current part, the minutes used in it,
    /// and the minutes the timed parts before it on the same day ran over (or under).
    pub fn live_position(&self, now_ms: i64) -> Option<LivePosition> {
        let current = self.timer.as_ref().map(|t| t.part).or_else(|| self.current())?;
        let schedule = self.schedule();
        let day = schedule.days.iter().find(|day| {
            day.blocks.iter().any(|b| matches!(b.kind, BlockKind::Part { part_id, .. } if part_id == current))
        })?;
        let mut overrun_minutes = 0i64;
        for part in &self.parts {
            if part.id == current {
                break;
            }
            let on_this_day =
                day.blocks.iter().any(|b| matches!(b.kind, BlockKind::Part { part_id, .. } if part_id == part.id));
            let actual = self.actual_ms(part.id, now_ms);
            if on_this_day && actual > 0 {
                overrun_minutes += (actual / 60_000) as i64 - i64::from(part.minutes.minutes());
            }
        }
        Some(LivePosition {
            current_part: current,
            minutes_used: (self.actual_ms(current, now_ms) / 60_000) as u32,
            overrun_so_far: overrun_minutes.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
        })
    }

    /// The re-plan from the live position: the projected end and the cuts that still end on time.
    pub fn replan(&self, now_ms: i64) -> Option<Replan> {
        planner::replan(&self.plan_parts(), &self.settings, &self.live_position(now_ms)?)
    }

    fn close_timer_run(&mut self, now_ms: i64) {
        if let Some(timer) = &mut self.timer
            && let Some(since) = timer.running_since_ms.take()
        {
            let run = now_ms.saturating_sub(since).max(0) as u64;
            timer.elapsed_before_ms += run;
            *self.actual_ms.entry(timer.part).or_default() += run;
        }
    }

    fn apply_strategy_event(&mut self, event: &Event) {
        let strategy = &mut self.strategy;
        match event {
            Event::EndGoalSaved { goal, index } => {
                strategy.take_id(goal.id);
                match strategy.end_goals.iter_mut().find(|g| g.id == goal.id) {
                    Some(existing) => *existing = goal.clone(),
                    None => strategy.end_goals.insert((*index).min(strategy.end_goals.len()), goal.clone()),
                }
            }
            Event::EndGoalRemoved { id } => {
                strategy.end_goals.retain(|g| g.id != *id);
                for goal in strategy.smart_goals.iter_mut().filter(|g| g.end_goal == Some(*id)) {
                    goal.end_goal = None;
                }
            }
            Event::EndGoalMoved { id, to_index } => {
                if let Some(from) = strategy.end_goals.iter().position(|g| g.id == *id) {
                    let goal = strategy.end_goals.remove(from);
                    strategy.end_goals.insert((*to_index).min(strategy.end_goals.len()), goal);
                }
            }
            Event::EndGoalSupported { id, by, support } => {
                if let Some(goal) = strategy.end_goals.iter_mut().find(|g| g.id == *id) {
                    if *support {
                        goal.supporters.insert(*by);
                    } else {
                        goal.supporters.remove(by);
                    }
                }
            }
            Event::SmartGoalSaved { goal } => {
                strategy.take_id(goal.id);
                match strategy.smart_goals.iter_mut().find(|g| g.id == goal.id) {
                    Some(existing) => *existing = goal.clone(),
                    None => strategy.smart_goals.push(goal.clone()),
                }
            }
            Event::SmartGoalRemoved { id } => {
                strategy.smart_goals.retain(|g| g.id != *id);
                strategy.measurements.remove(id);
            }
            Event::SmartGoalAgreed { id, by, acceptable, realistic } => {
                if let Some(goal) = strategy.smart_goals.iter_mut().find(|g| g.id == *id) {
                    goal.agreement.insert(*by, (*acceptable, *realistic));
                }
            }
            Event::PersonaSaved { persona } => {
                strategy.take_id(persona.id);
                match strategy.personas.iter_mut().find(|p| p.id == persona.id) {
                    Some(existing) => *existing = persona.clone(),
                    None => strategy.personas.push(persona.clone()),
                }
            }
            Event::PersonaRemoved { id } => {
                strategy.personas.retain(|p| p.id != *id);
                if strategy.primary_persona == Some(*id) {
                    strategy.primary_persona = None;
                }
            }
            Event::PrimaryPersonaSet { id } => strategy.primary_persona = *id,
            Event::CoreMessageSaved { message } => strategy.core_message = message.clone(),
            Event::IdeaAdded { idea } => {
                strategy.take_id(idea.id);
                strategy.ideas.push(idea.clone());
            }
            Event::IdeaRemoved { id } => strategy.ideas.retain(|i| i.id != *id),
            Event::ActionSaved { action } => {
                strategy.take_id(action.id);
                match strategy.actions.iter_mut().find(|a| a.id == action.id) {
                    Some(existing) => *existing = action.clone(),
                    None => strategy.actions.push(action.clone()),
                }
            }
            Event::ActionRemoved { id } => {
                strategy.actions.retain(|a| a.id != *id);
                for bundle in &mut strategy.responsibilities {
                    bundle.actions.retain(|a| a != id);
                }
            }
            Event::ResponsibilitiesSet { responsibilities } => {
                for bundle in responsibilities {
                    strategy.take_id(bundle.id);
                }
                strategy.responsibilities = responsibilities.clone();
            }
            Event::MeasurementRecorded { goal, measurement } => {
                // One value per day: a new one on the same date replaces the old.
                let series = strategy.measurements.entry(*goal).or_default();
                series.retain(|m| m.date != measurement.date);
                let at = series.partition_point(|m| m.date < measurement.date);
                series.insert(at, *measurement);
            }
            Event::MeasurementRemoved { goal, date } => {
                if let Some(series) = strategy.measurements.get_mut(goal) {
                    series.retain(|m| m.date != *date);
                }
            }
            _ => {}
        }
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
            Event::ParticipantRemoved { participant } => {
                self.participants.retain(|p| p.id != *participant);
                let roles = &mut self.roles;
                for held in [&mut roles.process_facilitator, &mut roles.timekeeper, &mut roles.note_taker] {
                    if *held == Some(*participant) {
                        *held = None;
                    }
                }
                roles.presenters.retain(|_, who| who != participant);
            }
            Event::PartChanged { part } => self.current_part = Some(*part),
            Event::ModelsOverlay { open } => self.models_open = *open,
            Event::TimerStarted { part, duration_ms, at_ms } => {
                self.close_timer_run(*at_ms);
                self.timer = Some(Timer::new(*part, *duration_ms, *at_ms));
            }
            Event::TimerPaused { at_ms } => self.close_timer_run(*at_ms),
            Event::TimerResumed { at_ms } => {
                if let Some(timer) = &mut self.timer {
                    timer.running_since_ms = Some(*at_ms);
                }
            }
            Event::TimerExtended { by_ms } => {
                if let Some(timer) = &mut self.timer {
                    timer.duration_ms = timer.extended_duration_ms(*by_ms);
                }
            }
            Event::TimerReset { at_ms } => {
                self.close_timer_run(*at_ms);
                self.timer = None;
            }
            Event::TimerWarning { seconds_left, .. } => {
                if let Some(timer) = &mut self.timer {
                    timer.warned.push(*seconds_left);
                }
            }
            Event::TimerEnded { .. } => {
                if let Some(timer) = &mut self.timer {
                    timer.ended = true;
                }
            }
            Event::StickyCreated { sticky } => {
                self.next_board_id = self.next_board_id.max(sticky.id.0 + 1);
                self.stickies.insert(sticky.id, sticky.clone());
            }
            Event::StickyEdited { sticky, text } => {
                if let Some(s) = self.stickies.get_mut(sticky) {
                    s.text = text.clone();
                }
            }
            Event::StickyMoved { sticky, x, y } => {
                if let Some(s) = self.stickies.get_mut(sticky) {
                    (s.x, s.y) = (*x, *y);
                }
            }
            Event::StickyRecoloured { sticky, colour } => {
                if let Some(s) = self.stickies.get_mut(sticky) {
                    s.colour = *colour;
                }
            }
            Event::StickyResized { sticky, width, height } => {
                if let Some(s) = self.stickies.get_mut(sticky) {
                    (s.width, s.height) = (*width, *height);
                }
            }
            Event::StickiesGrouped { group, stickies } => {
                self.next_board_id = self.next_board_id.max(group.id.0 + 1);
                self.groups.insert(group.id, group.clone());
                for id in stickies {
                    if let Some(s) = self.stickies.get_mut(id) {
                        s.group = Some(group.id);
                    }
                }
            }
            Event::Ungrouped { group } => {
                self.groups.remove(group);
                for sticky in self.stickies.values_mut().filter(|s| s.group == Some(*group)) {
                    sticky.group = None;
                }
            }
            Event::StickyDeleted { sticky } => {
                self.stickies.remove(sticky);
                if let Some(round) = &mut self.vote {
                    for dots in round.votes.values_mut() {
                        dots.retain(|d| d != sticky);
                    }
                }
            }
            Event::VoteOpened { part, votes_per_person } => {
                self.vote = Some(VoteRound {
                    part: *part,
                    votes_per_person: *votes_per_person,
                    open: true,
                    votes: BTreeMap::new(),
                });
            }
            Event::VoteCast { voter, sticky } => {
                if let Some(round) = &mut self.vote {
                    round.votes.entry(*voter).or_default().push(*sticky);
                }
            }
            Event::VoteRemoved { voter, sticky } => {
                if let Some(round) = &mut self.vote
                    && let Some(dots) = round.votes.get_mut(voter)
                    && let Some(at) = dots.iter().position(|d| d == sticky)
                {
                    dots.remove(at);
                }
            }
            Event::VoteClosed { .. } => {
                if let Some(round) = &mut self.vote {
                    round.open = false;
                }
            }
            Event::NotesSet { part, text } => {
                self.notes.insert(*part, text.clone());
            }
            Event::ExportsOpened { open } => self.exports_open = *open,
            event => self.apply_strategy_event(event),
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
#[derive(Debug, Clone, PartialEq)]
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
        minutes: Timebox,
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
        minutes: Timebox,
    },
    AssignRole {
        role: Role,
        participant: Option<ParticipantId>,
    },
    /// Takes a participant out of the session: their roles go, their work stays, and
    /// their credentials no longer open it. Facilitators cannot be removed.
    RemoveParticipant {
        participant: ParticipantId,
    },
    GoToPart {
        part: PartId,
    },
    NextPart,
    PreviousPart,
    SetModelsOverlay {
        open: bool,
    },
    StartTimer {
        part: Option<PartId>,
        seconds: Option<u32>,
    },
    PauseTimer,
    ResumeTimer,
    ExtendTimer {
        seconds: i32,
    },
    ResetTimer,
    CreateSticky {
        part: PartId,
        text: StickyText,
        x: i32,
        y: i32,
        colour: Colour,
    },
    EditSticky {
        sticky: StickyId,
        text: StickyText,
    },
    MoveSticky {
        sticky: StickyId,
        x: i32,
        y: i32,
    },
    ColourSticky {
        sticky: StickyId,
        colour: Colour,
    },
    ResizeSticky {
        sticky: StickyId,
        width: u32,
        height: u32,
    },
    GroupStickies {
        stickies: Vec<StickyId>,
        label: StickyText,
    },
    Ungroup {
        group: GroupId,
    },
    DeleteSticky {
        sticky: StickyId,
    },
    OpenVote {
        part: PartId,
        votes_per_person: u32,
    },
    CastVote {
        sticky: StickyId,
    },
    RemoveVote {
        sticky: StickyId,
    },
    CloseVote,
    SetNotes {
        part: PartId,
        text: NoteText,
    },
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
    SetExportsOpen {
        open: bool,
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

/// The right an op needs. The room checks it; clients only hide buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Anyone holding a link (joining).
    Link,
    /// Anyone who joined: stickies, votes.
    Participant,
    /// Came in through the facilitator link: program, roles, links, voting rounds.
    Facilitator,
    /// The timekeeper, or a facilitator: the timer.
    Timekeeper,
    /// The presenter of the current part, or a facilitator: advancing.
    Presenter,
    /// The note taker, or a facilitator: the notes.
    NoteTaker,
}

impl Op {
    pub fn right(&self) -> Right {
        match self {
            Op::Join { .. } => Right::Link,
            Op::EditDetails { .. }
            | Op::ChangeSettings { .. }
            | Op::AddPart { .. }
            | Op::RemovePart { .. }
            | Op::MovePart { .. }
            | Op::RetimePart { .. }
            | Op::AssignRole { .. }
            | Op::RemoveParticipant { .. }
            | Op::GoToPart { .. }
            | Op::SetModelsOverlay { .. }
            | Op::OpenVote { .. }
            | Op::CloseVote => Right::Facilitator,
            Op::NextPart | Op::PreviousPart => Right::Presenter,
            Op::StartTimer { .. } | Op::PauseTimer | Op::ResumeTimer | Op::ExtendTimer { .. } | Op::ResetTimer => {
                Right::Timekeeper
            }
            Op::SetNotes { .. } => Right::NoteTaker,
            Op::SetPrimaryPersona { .. } | Op::SetResponsibilities { .. } | Op::SetExportsOpen { .. } => {
                Right::Facilitator
            }
            Op::SaveEndGoal { .. }
            | Op::RemoveEndGoal { .. }
            | Op::MoveEndGoal { .. }
            | Op::SupportEndGoal { .. }
            | Op::SaveSmartGoal { .. }
            | Op::RemoveSmartGoal { .. }
            | Op::AgreeSmartGoal { .. }
            | Op::SavePersona { .. }
            | Op::RemovePersona { .. }
            | Op::SaveCoreMessage { .. }
            | Op::AddIdea { .. }
            | Op::RemoveIdea { .. }
            | Op::SaveAction { .. }
            | Op::RemoveAction { .. }
            | Op::RecordMeasurement { .. }
            | Op::RemoveMeasurement { .. } => Right::Participant,
            Op::CreateSticky { .. }
            | Op::EditSticky { .. }
            | Op::MoveSticky { .. }
            | Op::ColourSticky { .. }
            | Op::ResizeSticky { .. }
            | Op::GroupStickies { .. }
            | Op::Ungroup { .. }
            | Op::DeleteSticky { .. }
            | Op::CastVote { .. }
            | Op::RemoveVote { .. } => Right::Participant,
        }
    }
}

/// What happened: the only thing stored, and the only way the state changes.
///
/// Adjacently tagged (`{"type": …, "data": …}`): an internally tagged enum makes serde
/// buffer the fields, and buffered maps with numeric keys (votes per participant,
/// measurements per goal) then no longer read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum Event {
    SessionCreated { state: Box<SessionState> },
    DetailsChanged { details: SessionDetails },
    SettingsChanged { settings: PlannerSettings },
    PartAdded { part: ProgramPart, index: usize },
    PartRemoved { part: PartId },
    PartMoved { part: PartId, to_index: usize },
    PartRetimed { part: PartId, minutes: Timebox },
    ParticipantJoined { participant: Participant },
    RoleAssigned { role: Role, participant: Option<ParticipantId> },
    ParticipantRemoved { participant: ParticipantId },
    PartChanged { part: PartId },
    ModelsOverlay { open: bool },
    TimerStarted { part: PartId, duration_ms: u64, at_ms: i64 },
    TimerPaused { at_ms: i64 },
    TimerResumed { at_ms: i64 },
    TimerExtended { by_ms: i64 },
    TimerReset { at_ms: i64 },
    TimerWarning { part: PartId, seconds_left: u32 },
    TimerEnded { part: PartId, at_ms: i64 },
    StickyCreated { sticky: Sticky },
    StickyEdited { sticky: StickyId, text: StickyText },
    StickyMoved { sticky: StickyId, x: i32, y: i32 },
    StickyRecoloured { sticky: StickyId, colour: Colour },
    StickyResized { sticky: StickyId, width: u32, height: u32 },
    StickiesGrouped { group: Group, stickies: Vec<StickyId> },
    Ungrouped { group: GroupId },
    StickyDeleted { sticky: StickyId },
    VoteOpened { part: PartId, votes_per_person: u32 },
    VoteCast { voter: ParticipantId, sticky: StickyId },
    VoteRemoved { voter: ParticipantId, sticky: StickyId },
    VoteClosed { part: PartId, tally: Vec<(StickyId, u32)> },
    NotesSet { part: PartId, text: NoteText },
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
    ExportsOpened { open: bool },
    MeasurementRecorded { goal: ItemId, measurement: crate::strategy::Measurement },
    MeasurementRemoved { goal: ItemId, date: chrono::NaiveDate },
}

impl Event {
    /// Whether the event changes the strategy content (end goals … responsibilities).
    pub fn is_strategy(&self) -> bool {
        matches!(
            self,
            Event::EndGoalSaved { .. }
                | Event::EndGoalRemoved { .. }
                | Event::EndGoalMoved { .. }
                | Event::EndGoalSupported { .. }
                | Event::SmartGoalSaved { .. }
                | Event::SmartGoalRemoved { .. }
                | Event::SmartGoalAgreed { .. }
                | Event::PersonaSaved { .. }
                | Event::PersonaRemoved { .. }
                | Event::PrimaryPersonaSet { .. }
                | Event::CoreMessageSaved { .. }
                | Event::IdeaAdded { .. }
                | Event::IdeaRemoved { .. }
                | Event::ActionSaved { .. }
                | Event::ActionRemoved { .. }
                | Event::ResponsibilitiesSet { .. }
                | Event::MeasurementRecorded { .. }
                | Event::MeasurementRemoved { .. }
        )
    }
}

/// Why an op was refused. The code is stable; the edges turn it into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("only the facilitator may do this")]
    FacilitatorOnly,
    #[error("only the timekeeper or the facilitator may run the timer")]
    TimekeeperOnly,
    #[error("only the presenter of this part or the facilitator may move on")]
    PresenterOnly,
    #[error("only the note taker or the facilitator may write the notes")]
    NoteTakerOnly,
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
    #[error("a session has at most {MAX_PARTS} parts")]
    TooManyParts,
    #[error("a session has at most {MAX_PARTICIPANTS} participants")]
    TooManyParticipants,
    #[error("someone in this session already has this name, or one that looks just like it")]
    NameTaken,
    #[error("a facilitator cannot be removed from the session")]
    CannotRemoveFacilitator,
    #[error("there is no part after (or before) this one")]
    NoSuchStep,
    #[error("a timer runs between {MIN_TIMER_SECONDS} second and {MAX_TIMER_SECONDS} seconds, got {0}")]
    TimerOutOfRange(i64),
    #[error("no timer is set")]
    NoTimer,
    #[error("the timer is already running")]
    TimerRunning,
    #[error("the timer is paused")]
    TimerPaused,
    #[error("this session has no sticky {0:?}")]
    UnknownSticky(StickyId),
    #[error("this session has no group {0:?}")]
    UnknownGroup(GroupId),
    #[error("a board holds at most {MAX_STICKIES_PER_PART} stickies")]
    TooManyStickies,
    #[error("that place is off the board")]
    OffBoard,
    #[error("a sticky is between 40 and 1000 points wide and high")]
    BadSize,
    #[error("a group needs stickies of one part")]
    BadGroup,
    #[error("no vote is open")]
    NoOpenVote,
    #[error("a vote is already open")]
    VoteAlreadyOpen,
    #[error("you have used all your votes")]
    NoVotesLeft,
    #[error("you have no vote on this sticky")]
    NoVoteToRemove,
    #[error("this sticky is not part of the vote")]
    NotInVote,
    #[error("a round gives between 1 and {MAX_VOTES_PER_PERSON} votes per person, got {0}")]
    VotesOutOfRange(u32),
    #[error("this session has no item {0:?}")]
    UnknownItem(ItemId),
    #[error("at most {MAX_ITEMS} of these")]
    TooManyItems,
    #[error("a responsibility bundles actions of this session, each in one bundle")]
    BadBundle,
    #[error("a measurement is a finite number")]
    BadMeasurement,
}

impl Rejection {
    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::FacilitatorOnly => "facilitator_only",
            Rejection::TimekeeperOnly => "timekeeper_only",
            Rejection::PresenterOnly => "presenter_only",
            Rejection::NoteTakerOnly => "note_taker_only",
            Rejection::NotJoined => "not_joined",
            Rejection::AlreadyJoined => "already_joined",
            Rejection::UnknownPart(_) => "unknown_part",
            Rejection::UnknownParticipant(_) => "unknown_participant",
            Rejection::IndexOutOfRange { .. } => "index_out_of_range",
            Rejection::TooManyParts => "too_many_parts",
            Rejection::TooManyParticipants => "too_many_participants",
            Rejection::NameTaken => "name_taken",
            Rejection::CannotRemoveFacilitator => "cannot_remove_facilitator",
            Rejection::NoSuchStep => "no_such_step",
            Rejection::TimerOutOfRange(_) => "timer_out_of_range",
            Rejection::NoTimer => "no_timer",
            Rejection::TimerRunning => "timer_running",
            Rejection::TimerPaused => "timer_paused",
            Rejection::UnknownSticky(_) => "unknown_sticky",
            Rejection::UnknownGroup(_) => "unknown_group",
            Rejection::TooManyStickies => "too_many_stickies",
            Rejection::OffBoard => "off_board",
            Rejection::BadSize => "bad_size",
            Rejection::BadGroup => "bad_group",
            Rejection::NoOpenVote => "no_open_vote",
            Rejection::VoteAlreadyOpen => "vote_already_open",
            Rejection::NoVotesLeft => "no_votes_left",
            Rejection::NoVoteToRemove => "no_vote_to_remove",
            Rejection::NotInVote => "not_in_vote",
            Rejection::VotesOutOfRange(_) => "votes_out_of_range",
            Rejection::UnknownItem(_) => "unknown_item",
            Rejection::TooManyItems => "too_many_items",
            Rejection::BadBundle => "bad_bundle",
            Rejection::BadMeasurement => "bad_measurement",
        }
    }
}

fn require_part(state: &SessionState, part: PartId) -> Result<&ProgramPart, Rejection> {
    state.part(part).ok_or(Rejection::UnknownPart(part))
}

fn require_sticky(state: &SessionState, sticky: StickyId) -> Result<&Sticky, Rejection> {
    state.stickies.get(&sticky).ok_or(Rejection::UnknownSticky(sticky))
}

/// Checks that `actor` holds `right`; returns the participant when one is needed.
fn check_right(state: &SessionState, actor: Actor, right: Right) -> Result<Option<ParticipantId>, Rejection> {
    let id = match (actor, right) {
        (Actor::Newcomer { .. }, Right::Link) => return Ok(None),
        (Actor::Participant(_), Right::Link) => return Err(Rejection::AlreadyJoined),
        (Actor::Newcomer { .. }, _) => return Err(Rejection::NotJoined),
        (Actor::Participant(id), _) => id,
    };
    let participant = state.participant(id).ok_or(Rejection::NotJoined)?;
    let holds = |role: Role| state.roles.holder(role) == Some(id);
    let allowed = participant.is_facilitator
        || match right {
            Right::Link | Right::Participant => true,
            Right::Facilitator => false,
            Right::Timekeeper => holds(Role::Timekeeper),
            Right::NoteTaker => holds(Role::NoteTaker),
            Right::Presenter => state.current().is_some_and(|part| holds(Role::Presenter(part))),
        };
    if allowed {
        Ok(Some(id))
    } else {
        Err(match right {
            Right::Timekeeper => Rejection::TimekeeperOnly,
            Right::NoteTaker => Rejection::NoteTakerOnly,
            Right::Presenter => Rejection::PresenterOnly,
            _ => Rejection::FacilitatorOnly,
        })
    }
}

/// Decides what an op does to the state at server time `now_ms`. Pure: the state is
/// not changed here; a rejection means nothing happens.
pub fn apply(state: &SessionState, actor: Actor, op: Op, now_ms: i64) -> Result<Vec<Event>, Rejection> {
    let who = check_right(state, actor, op.right())?;
    let event = match (op, who) {
        (Op::Join { display_name }, _) => {
            let Actor::Newcomer { facilitator } = actor else {
                return Err(Rejection::AlreadyJoined);
            };
            let places = if facilitator { MAX_PARTICIPANTS + FACILITATOR_PLACES } else { MAX_PARTICIPANTS };
            if state.participants.len() >= places {
                return Err(Rejection::TooManyParticipants);
            }
            // A name that only looks like someone's (another case, a zero-width or
            // direction character, a look-alike width) would let one pass for another.
            if state.participants.iter().any(|p| p.display_name.looks_like(&display_name)) {
                return Err(Rejection::NameTaken);
            }
            let participant =
                Participant { id: state.next_participant_id(), display_name, is_facilitator: facilitator };
            Event::ParticipantJoined { participant }
        }
        (op, Some(who)) => decide(state, who, op, now_ms)?,
        (_, None) => return Err(Rejection::NotJoined),
    };
    Ok(vec![event])
}

fn decide(state: &SessionState, who: ParticipantId, op: Op, now_ms: i64) -> Result<Event, Rejection> {
    Ok(match op {
        Op::Join { .. } => return Err(Rejection::AlreadyJoined),
        Op::EditDetails { details } => Event::DetailsChanged { details },
        Op::ChangeSettings { settings } => Event::SettingsChanged { settings },
        Op::AddPart { title, minutes, priority, workspace, index } => {
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
                minutes,
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
                return Err(Rejection::IndexOutOfRange { index: to_index, len });
            }
            Event::PartMoved { part, to_index }
        }
        Op::RetimePart { part, minutes } => {
            require_part(state, part)?;
            Event::PartRetimed { part, minutes }
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
        Op::RemoveParticipant { participant } => match state.participant(participant) {
            None => return Err(Rejection::UnknownParticipant(participant)),
            Some(p) if p.is_facilitator => return Err(Rejection::CannotRemoveFacilitator),
            Some(_) => Event::ParticipantRemoved { participant },
        },
        Op::GoToPart { part } => {
            require_part(state, part)?;
            Event::PartChanged { part }
        }
        Op::NextPart | Op::PreviousPart => {
            let current = state.current().and_then(|part| state.part_index(part)).ok_or(Rejection::NoSuchStep)?;
            let target = if op == Op::NextPart { current.checked_add(1) } else { current.checked_sub(1) };
            let part = target.and_then(|i| state.parts.get(i)).ok_or(Rejection::NoSuchStep)?;
            Event::PartChanged { part: part.id }
        }
        Op::SetModelsOverlay { open } => Event::ModelsOverlay { open },
        Op::StartTimer { part, seconds } => {
            let part = match part.or_else(|| state.current()) {
                Some(part) => require_part(state, part)?,
                None => return Err(Rejection::NoSuchStep),
            };
            let seconds = seconds.unwrap_or(part.minutes.minutes() * 60);
            if !(MIN_TIMER_SECONDS..=MAX_TIMER_SECONDS).contains(&seconds) {
                return Err(Rejection::TimerOutOfRange(i64::from(seconds)));
            }
            Event::TimerStarted { part: part.id, duration_ms: u64::from(seconds) * 1000, at_ms: now_ms }
        }
        Op::PauseTimer => match &state.timer {
            None => return Err(Rejection::NoTimer),
            Some(timer) if !timer.is_running() => return Err(Rejection::TimerPaused),
            Some(_) => Event::TimerPaused { at_ms: now_ms },
        },
        Op::ResumeTimer => match &state.timer {
            None => return Err(Rejection::NoTimer),
            Some(timer) if timer.is_running() => return Err(Rejection::TimerRunning),
            Some(_) => Event::TimerResumed { at_ms: now_ms },
        },
        Op::ExtendTimer { seconds } => {
            let timer = state.timer.as_ref().ok_or(Rejection::NoTimer)?;
            let by_ms = timer.extension_ms(seconds).map_err(Rejection::TimerOutOfRange)?;
            Event::TimerExtended { by_ms }
        }
        Op::ResetTimer => {
            state.timer.as_ref().ok_or(Rejection::NoTimer)?;
            Event::TimerReset { at_ms: now_ms }
        }
        Op::CreateSticky { part, text, x, y, colour } => {
            require_part(state, part)?;
            if !board::on_board(x, y) {
                return Err(Rejection::OffBoard);
            }
            if state.stickies.values().filter(|s| s.part == part).count() >= MAX_STICKIES_PER_PART {
                return Err(Rejection::TooManyStickies);
            }
            let sticky = Sticky {
                id: StickyId(state.next_board_id.max(1)),
                part,
                author: who,
                text,
                x,
                y,
                width: DEFAULT_STICKY_SIZE,
                height: DEFAULT_STICKY_SIZE,
                colour,
                group: None,
            };
            Event::StickyCreated { sticky }
        }
        Op::EditSticky { sticky, text } => {
            require_sticky(state, sticky)?;
            Event::StickyEdited { sticky, text }
        }
        Op::MoveSticky { sticky, x, y } => {
            require_sticky(state, sticky)?;
            if !board::on_board(x, y) {
                return Err(Rejection::OffBoard);
            }
            Event::StickyMoved { sticky, x, y }
        }
        Op::ColourSticky { sticky, colour } => {
            require_sticky(state, sticky)?;
            Event::StickyRecoloured { sticky, colour }
        }
        Op::ResizeSticky { sticky, width, height } => {
            require_sticky(state, sticky)?;
            if !board::valid_size(width, height) {
                return Err(Rejection::BadSize);
            }
            Event::StickyResized { sticky, width, height }
        }
        Op::GroupStickies { mut stickies, label } => {
            stickies.sort();
            stickies.dedup();
            let first = stickies.first().ok_or(Rejection::BadGroup)?;
            let part = require_sticky(state, *first)?.part;
            for id in &stickies {
                if require_sticky(state, *id)?.part != part {
                    return Err(Rejection::BadGroup);
                }
            }
            let group = Group { id: GroupId(state.next_board_id.max(1)), part, label };
            Event::StickiesGrouped { group, stickies }
        }
        Op::Ungroup { group } => {
            if !state.groups.contains_key(&group) {
                return Err(Rejection::UnknownGroup(group));
            }
            Event::Ungrouped { group }
        }
        Op::DeleteSticky { sticky } => {
            require_sticky(state, sticky)?;
            Event::StickyDeleted { sticky }
        }
        Op::OpenVote { part, votes_per_person } => {
            require_part(state, part)?;
            if state.vote.as_ref().is_some_and(|round| round.open) {
                return Err(Rejection::VoteAlreadyOpen);
            }
            if !(1..=MAX_VOTES_PER_PERSON).contains(&votes_per_person) {
                return Err(Rejection::VotesOutOfRange(votes_per_person));
            }
            Event::VoteOpened { part, votes_per_person }
        }
        Op::CastVote { sticky } => {
            let round = state.vote.as_ref().filter(|round| round.open).ok_or(Rejection::NoOpenVote)?;
            if require_sticky(state, sticky)?.part != round.part {
                return Err(Rejection::NotInVote);
            }
            if round.used_by(who) >= round.votes_per_person {
                return Err(Rejection::NoVotesLeft);
            }
            Event::VoteCast { voter: who, sticky }
        }
        Op::RemoveVote { sticky } => {
            let round = state.vote.as_ref().filter(|round| round.open).ok_or(Rejection::NoOpenVote)?;
            if !round.votes.get(&who).is_some_and(|dots| dots.contains(&sticky)) {
                return Err(Rejection::NoVoteToRemove);
            }
            Event::VoteRemoved { voter: who, sticky }
        }
        Op::CloseVote => {
            let round = state.vote.as_ref().filter(|round| round.open).ok_or(Rejection::NoOpenVote)?;
            Event::VoteClosed { part: round.part, tally: round.tally() }
        }
        Op::SetNotes { part, text } => {
            require_part(state, part)?;
            Event::NotesSet { part, text }
        }
        op => decide_strategy(&state.strategy, state, who, op)?,
    })
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

fn decide_strategy(strategy: &Strategy, state: &SessionState, who: ParticipantId, op: Op) -> Result<Event, Rejection> {
    let known_person = |id: Option<ParticipantId>| match id {
        Some(id) if state.participant(id).is_none() => Err(Rejection::UnknownParticipant(id)),
        _ => Ok(()),
    };
    Ok(match op {
        Op::SaveEndGoal { id, text, horizon } => {
            let existing = id.and_then(|id| strategy.end_goal(id));
            let id = save_id(strategy, id, existing.is_some(), strategy.end_goals.len())?;
            let index = strategy.end_goals.iter().position(|g| g.id == id).unwrap_or(strategy.end_goals.len());
            let supporters = existing.map(|g| g.supporters.clone()).unwrap_or_default();
            Event::EndGoalSaved { goal: EndGoal { id, text, horizon, supporters }, index }
        }
        Op::RemoveEndGoal { id } => {
            strategy.end_goal(id).ok_or(Rejection::UnknownItem(id))?;
            Event::EndGoalRemoved { id }
        }
        Op::MoveEndGoal { id, to_index } => {
            strategy.end_goal(id).ok_or(Rejection::UnknownItem(id))?;
            let len = strategy.end_goals.len();
            if to_index >= len {
                return Err(Rejection::IndexOutOfRange { index: to_index, len });
            }
            Event::EndGoalMoved { id, to_index }
        }
        Op::SupportEndGoal { id, support } => {
            strategy.end_goal(id).ok_or(Rejection::UnknownItem(id))?;
            Event::EndGoalSupported { id, by: who, support }
        }
        Op::SaveSmartGoal { id, end_goal, text, fields } => {
            if let Some(end_goal) = end_goal {
                strategy.end_goal(end_goal).ok_or(Rejection::UnknownItem(end_goal))?;
            }
            let existing = id.and_then(|id| strategy.smart_goal(id));
            let id = save_id(strategy, id, existing.is_some(), strategy.smart_goals.len())?;
            let agreement = existing.map(|g| g.agreement.clone()).unwrap_or_default();
            Event::SmartGoalSaved { goal: SmartGoal { id, end_goal, text, fields, agreement } }
        }
        Op::RemoveSmartGoal { id } => {
            strategy.smart_goal(id).ok_or(Rejection::UnknownItem(id))?;
            Event::SmartGoalRemoved { id }
        }
        Op::AgreeSmartGoal { id, acceptable, realistic } => {
            strategy.smart_goal(id).ok_or(Rejection::UnknownItem(id))?;
            Event::SmartGoalAgreed { id, by: who, acceptable, realistic }
        }
        Op::SavePersona { id, fields } => {
            let exists = id.is_some_and(|id| strategy.persona(id).is_some());
            let id = save_id(strategy, id, exists, strategy.personas.len())?;
            Event::PersonaSaved { persona: Persona { id, fields } }
        }
        Op::RemovePersona { id } => {
            strategy.persona(id).ok_or(Rejection::UnknownItem(id))?;
            Event::PersonaRemoved { id }
        }
        Op::SetPrimaryPersona { id } => {
            if let Some(id) = id {
                strategy.persona(id).ok_or(Rejection::UnknownItem(id))?;
            }
            Event::PrimaryPersonaSet { id }
        }
        Op::SaveCoreMessage { message } => {
            if message.competitors.len() > 30 || message.plan.len() > 50 {
                return Err(Rejection::TooManyItems);
            }
            for line in &message.plan {
                known_person(line.owner)?;
            }
            Event::CoreMessageSaved { message }
        }
        Op::AddIdea { text, from_sticky } => {
            if let Some(sticky) = from_sticky {
                require_sticky(state, sticky)?;
            }
            let id = save_id(strategy, None, false, strategy.ideas.len())?;
            Event::IdeaAdded { idea: ContentIdea { id, text, from_sticky } }
        }
        Op::RemoveIdea { id } => {
            strategy.idea(id).ok_or(Rejection::UnknownItem(id))?;
            Event::IdeaRemoved { id }
        }
        Op::SaveAction { id, title, owner, deadline, part, source, status } => {
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
            Event::ActionSaved { action: Action { id, title, owner, deadline, part, source, status } }
        }
        Op::RemoveAction { id } => {
            strategy.action(id).ok_or(Rejection::UnknownItem(id))?;
            Event::ActionRemoved { id }
        }
        Op::SetResponsibilities { responsibilities } => {
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
            Event::ResponsibilitiesSet { responsibilities: bundles }
        }
        Op::SetExportsOpen { open } => Event::ExportsOpened { open },
        Op::RecordMeasurement { goal, date, value } => {
            strategy.smart_goal(goal).ok_or(Rejection::UnknownItem(goal))?;
            if !value.is_finite() {
                return Err(Rejection::BadMeasurement);
            }
            if strategy.measurements.get(&goal).is_some_and(|m| m.len() >= 1_000) {
                return Err(Rejection::TooManyItems);
            }
            Event::MeasurementRecorded { goal, measurement: crate::strategy::Measurement { date, value } }
        }
        Op::RemoveMeasurement { goal, date } => {
            let exists = strategy.measurements.get(&goal).is_some_and(|m| m.iter().any(|m| m.date == date));
            if !exists {
                return Err(Rejection::UnknownItem(goal));
            }
            Event::MeasurementRemoved { goal, date }
        }
        _ => return Err(Rejection::NotJoined),
    })
}

/// The timer's warnings and end that have fallen due at `now_ms`, each given once per
/// run: they are events, so once stored they are never due again, even after a restart.
pub fn due_timer_events(state: &SessionState, now_ms: i64, warnings_seconds: &[u32]) -> Vec<Event> {
    let Some(timer) = &state.timer else {
        return Vec::new();
    };
    if !timer.is_running() {
        return Vec::new();
    }
    let remaining = timer.remaining_ms(now_ms);
    let mut events: Vec<Event> = timer
        .pending_warnings(warnings_seconds)
        .filter(|w| remaining <= i64::from(*w) * 1000 && remaining > 0)
        .map(|w| Event::TimerWarning { part: timer.part, seconds_left: w })
        .collect();
    if !timer.ended && remaining <= 0 {
        // The moment it reached zero, also when the room notices later (after a restart).
        events.push(Event::TimerEnded { part: timer.part, at_ms: now_ms + remaining });
    }
    events
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::model::ModelPart;

    fn tb(minutes: u32) -> Timebox {
        Timebox::new(minutes).unwrap()
    }

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
            parts: vec![part("a", tb(30)), part("b", tb(40)), part("c", tb(50))],
        }
    }

    fn fresh() -> SessionState {
        let details = SessionDetails {
            title: Title::parse("title", "Heidag").unwrap(),
            organisation: Organisation::parse("organisation", "Bakkerij Jansen").unwrap(),
            language: Lang::Nl,
            meeting_link: None,
        };
        let start = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let settings = PlannerSettings::with_defaults(start, chrono_tz::Europe::Amsterdam, 1).unwrap();
        let mut state = SessionState::new(details, &model(), settings);
        for (name, facilitator) in [("Fay", true), ("Piet", false)] {
            let op = Op::Join { display_name: DisplayName::parse("display_name", name).unwrap() };
            for event in apply(&state, Actor::Newcomer { facilitator }, op, NOW).unwrap() {
                state.apply_event(&event);
            }
        }
        state
    }

    const NOW: i64 = 1_800_000_000_000;
    const FACILITATOR: Actor = Actor::Participant(ParticipantId(1));
    const PARTICIPANT: Actor = Actor::Participant(ParticipantId(2));
    const STRANGER: Actor = Actor::Participant(ParticipantId(99));

    /// Applies an op and returns the state after it, or the rejection.
    fn run(state: &SessionState, actor: Actor, op: Op) -> Result<SessionState, Rejection> {
        let mut next = state.clone();
        for event in apply(state, actor, op, NOW)? {
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
        let names: Vec<_> =
            state.participants.iter().map(|p| (p.id.0, p.display_name.as_str(), p.is_facilitator)).collect();
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
                minutes: tb(20),
                priority: Priority::Could,
                workspace: WorkspaceKind::Notes,
                index: Some(1),
            },
        )
        .unwrap();
        assert_eq!(keys(&added), ["a", "part_4", "b", "c"]);
        let moved = run(&added, FACILITATOR, Op::MovePart { part: PartId(1), to_index: 3 }).unwrap();
        assert_eq!(keys(&moved), ["part_4", "b", "c", "a"]);
        let removed = run(&moved, FACILITATOR, Op::RemovePart { part: PartId(2) }).unwrap();
        assert_eq!(keys(&removed), ["part_4", "c", "a"]);
        let retimed = run(&removed, FACILITATOR, Op::RetimePart { part: PartId(3), minutes: tb(25) }).unwrap();
        assert_eq!(retimed.part(PartId(3)).map(|p| p.minutes), Some(tb(25)));
        // A part added after a removal never reuses an id.
        let title = Title::parse("title", "Extra").unwrap();
        let again = run(
            &retimed,
            FACILITATOR,
            Op::AddPart {
                title,
                minutes: tb(10),
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
            Op::AssignRole { role: Role::Presenter(PartId(2)), participant: Some(ParticipantId(2)) },
        )
        .unwrap();
        assert_eq!(with_presenter.roles.holder(Role::Presenter(PartId(2))), Some(ParticipantId(2)));
        let removed = run(&with_presenter, FACILITATOR, Op::RemovePart { part: PartId(2) }).unwrap();
        assert!(removed.roles.presenters.is_empty());
    }

    #[test]
    fn bad_ops_are_rejected_and_change_nothing() {
        let state = fresh();
        let title = || Title::parse("title", "x").unwrap();
        let name = || DisplayName::parse("display_name", "Anna").unwrap();
        let cases: Vec<(Actor, Op, Rejection)> = vec![
            (PARTICIPANT, Op::RetimePart { part: PartId(1), minutes: tb(20) }, Rejection::FacilitatorOnly),
            (STRANGER, Op::RemovePart { part: PartId(1) }, Rejection::NotJoined),
            (Actor::Newcomer { facilitator: true }, Op::RemovePart { part: PartId(1) }, Rejection::NotJoined),
            (FACILITATOR, Op::Join { display_name: name() }, Rejection::AlreadyJoined),
            (FACILITATOR, Op::RemovePart { part: PartId(9) }, Rejection::UnknownPart(PartId(9))),
            (
                FACILITATOR,
                Op::MovePart { part: PartId(1), to_index: 3 },
                Rejection::IndexOutOfRange { index: 3, len: 3 },
            ),
            (
                FACILITATOR,
                Op::AddPart {
                    title: title(),
                    minutes: tb(10),
                    priority: Priority::Must,
                    workspace: WorkspaceKind::Board,
                    index: Some(4),
                },
                Rejection::IndexOutOfRange { index: 4, len: 3 },
            ),
            (
                FACILITATOR,
                Op::AssignRole { role: Role::Timekeeper, participant: Some(ParticipantId(7)) },
                Rejection::UnknownParticipant(ParticipantId(7)),
            ),
            (
                FACILITATOR,
                Op::AssignRole { role: Role::Presenter(PartId(8)), participant: Some(ParticipantId(2)) },
                Rejection::UnknownPart(PartId(8)),
            ),
        ];
        for (actor, op, expected) in cases {
            let description = format!("{op:?} by {actor:?}");
            assert_eq!(apply(&state, actor, op, NOW), Err(expected), "{description}");
        }
    }

    #[test]
    fn replaying_the_events_gives_the_same_state() {
        let state = fresh();
        let mut log = vec![Event::SessionCreated { state: Box::new(state.clone()) }];
        let mut current = state;
        let ops = [
            Op::AssignRole { role: Role::Timekeeper, participant: Some(ParticipantId(2)) },
            Op::MovePart { part: PartId(3), to_index: 0 },
            Op::RetimePart { part: PartId(1), minutes: tb(45) },
        ];
        for op in ops {
            for event in apply(&current, FACILITATOR, op, NOW).unwrap() {
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

    fn at(state: &SessionState, actor: Actor, op: Op, now: i64) -> Result<SessionState, Rejection> {
        let mut next = state.clone();
        for event in apply(state, actor, op, now)? {
            next.apply_event(&event);
        }
        Ok(next)
    }

    fn text(t: &str) -> StickyText {
        StickyText::parse("text", t).unwrap()
    }

    fn sticky(part: u32) -> Op {
        Op::CreateSticky { part: PartId(part), text: text("idee"), x: 10, y: 20, colour: Colour::Yellow }
    }

    /// A session with a timekeeper (2), a note taker (3), a presenter of part 1 (4) and a
    /// participant without a role (5).
    fn with_roles() -> SessionState {
        let mut state = fresh();
        for name in ["Tim", "Nora", "Pam"] {
            let op = Op::Join { display_name: DisplayName::parse("display_name", name).unwrap() };
            state = at(&state, Actor::Newcomer { facilitator: false }, op, NOW).unwrap();
        }
        let roles = [(Role::Timekeeper, 3), (Role::NoteTaker, 4), (Role::Presenter(PartId(1)), 5)];
        for (role, who) in roles {
            state =
                at(&state, FACILITATOR, Op::AssignRole { role, participant: Some(ParticipantId(who)) }, NOW).unwrap();
        }
        state
    }

    #[test]
    fn every_right_is_refused_to_every_role_that_lacks_it() {
        let state = with_roles();
        let facilitator = FACILITATOR;
        let plain = PARTICIPANT; // Piet, no role
        let timekeeper = Actor::Participant(ParticipantId(3));
        let note_taker = Actor::Participant(ParticipantId(4));
        let presenter = Actor::Participant(ParticipantId(5));
        let ops: Vec<(Op, Right)> = vec![
            (Op::GoToPart { part: PartId(2) }, Right::Facilitator),
            (Op::SetModelsOverlay { open: true }, Right::Facilitator),
            (Op::OpenVote { part: PartId(1), votes_per_person: 3 }, Right::Facilitator),
            (Op::RetimePart { part: PartId(1), minutes: tb(20) }, Right::Facilitator),
            (Op::NextPart, Right::Presenter),
            (Op::StartTimer { part: None, seconds: Some(60) }, Right::Timekeeper),
            (Op::SetNotes { part: PartId(1), text: NoteText::parse("text", "notulen").unwrap() }, Right::NoteTaker),
            (sticky(1), Right::Participant),
        ];
        for (op, right) in ops {
            assert_eq!(op.right(), right, "{op:?}");
            for (actor, role) in [
                (facilitator, "facilitator"),
                (plain, "participant"),
                (timekeeper, "timekeeper"),
                (note_taker, "note taker"),
                (presenter, "presenter"),
            ] {
                let may = match right {
                    Right::Facilitator => role == "facilitator",
                    Right::Presenter => role == "facilitator" || role == "presenter",
                    Right::Timekeeper => role == "facilitator" || role == "timekeeper",
                    Right::NoteTaker => role == "facilitator" || role == "note taker",
                    Right::Participant | Right::Link => true,
                };
                let result = apply(&state, actor, op.clone(), NOW);
                assert_eq!(result.is_ok(), may, "{op:?} by the {role}: {result:?}");
                if !may {
                    let expected = match right {
                        Right::Presenter => Rejection::PresenterOnly,
                        Right::Timekeeper => Rejection::TimekeeperOnly,
                        Right::NoteTaker => Rejection::NoteTakerOnly,
                        _ => Rejection::FacilitatorOnly,
                    };
                    assert_eq!(result, Err(expected));
                }
            }
        }
        // The presenter of part 1 may not advance once part 2 is current.
        let moved = at(&state, facilitator, Op::GoToPart { part: PartId(2) }, NOW).unwrap();
        assert_eq!(apply(&moved, presenter, Op::NextPart, NOW), Err(Rejection::PresenterOnly));
    }

    #[test]
    fn navigation_steps_through_the_program_and_stops_at_its_ends() {
        let state = fresh();
        assert_eq!(state.current(), Some(PartId(1)));
        assert_eq!(apply(&state, FACILITATOR, Op::PreviousPart, NOW), Err(Rejection::NoSuchStep));
        let second = at(&state, FACILITATOR, Op::NextPart, NOW).unwrap();
        assert_eq!(second.current(), Some(PartId(2)));
        let last = at(&second, FACILITATOR, Op::GoToPart { part: PartId(3) }, NOW).unwrap();
        assert_eq!(apply(&last, FACILITATOR, Op::NextPart, NOW), Err(Rejection::NoSuchStep));
        let open = at(&last, FACILITATOR, Op::SetModelsOverlay { open: true }, NOW).unwrap();
        assert!(open.models_open);
        assert_eq!(open.current(), Some(PartId(3)), "the models overlay keeps the place");
    }

    #[test]
    fn the_timer_runs_on_server_time_and_records_what_each_part_took() {
        let state = fresh();
        let started = at(&state, FACILITATOR, Op::StartTimer { part: None, seconds: None }, NOW).unwrap();
        let timer = started.timer.clone().unwrap();
        assert_eq!((timer.part, timer.duration_ms), (PartId(1), 30 * 60_000));
        assert_eq!(timer.remaining_ms(NOW + 60_000), 29 * 60_000);
        assert_eq!(apply(&started, FACILITATOR, Op::ResumeTimer, NOW), Err(Rejection::TimerRunning));
        let paused = at(&started, FACILITATOR, Op::PauseTimer, NOW + 10 * 60_000).unwrap();
        assert_eq!(paused.actual_ms(PartId(1), NOW + 20 * 60_000), 10 * 60_000, "paused time does not count");
        assert_eq!(apply(&paused, FACILITATOR, Op::PauseTimer, NOW), Err(Rejection::TimerPaused));
        let resumed = at(&paused, FACILITATOR, Op::ResumeTimer, NOW + 20 * 60_000).unwrap();
        let extended = at(&resumed, FACILITATOR, Op::ExtendTimer { seconds: 300 }, NOW + 20 * 60_000).unwrap();
        assert_eq!(extended.timer.as_ref().unwrap().remaining_ms(NOW + 20 * 60_000), 25 * 60_000);
        assert_eq!(extended.actual_ms(PartId(1), NOW + 50 * 60_000), 40 * 60_000);
        // Moving the timer to the next part closes the run of the first.
        let next =
            at(&extended, FACILITATOR, Op::StartTimer { part: Some(PartId(2)), seconds: None }, NOW + 50 * 60_000)
                .unwrap();
        assert_eq!(next.actual_ms(PartId(1), NOW + 90 * 60_000), 40 * 60_000);
        let reset = at(&next, FACILITATOR, Op::ResetTimer, NOW + 55 * 60_000).unwrap();
        assert!(reset.timer.is_none());
        assert_eq!(reset.actual_ms(PartId(2), NOW + 99 * 60_000), 5 * 60_000);
        for (seconds, ok) in [(0, false), (1, true), (8 * 3600, true), (48 * 3600, false)] {
            let result = apply(&state, FACILITATOR, Op::StartTimer { part: None, seconds: Some(seconds) }, NOW);
            assert_eq!(result.is_ok(), ok, "{seconds} s");
        }
        assert_eq!(apply(&state, FACILITATOR, Op::PauseTimer, NOW), Err(Rejection::NoTimer));
        assert!(apply(&started, FACILITATOR, Op::ExtendTimer { seconds: -3 * 3600 }, NOW).is_err());
    }

    #[test]
    fn timer_warnings_and_the_end_fall_due_once() {
        let warnings = [300, 60];
        let state = at(&fresh(), FACILITATOR, Op::StartTimer { part: None, seconds: Some(600) }, NOW).unwrap();
        let timer = state.timer.clone().unwrap();
        assert_eq!(timer.next_due_ms(NOW, &warnings), Some(NOW + 300_000));
        assert!(due_timer_events(&state, NOW + 299_000, &warnings).is_empty());
        let mut state = state;
        let mut seen = Vec::new();
        for now in [NOW + 300_000, NOW + 301_000, NOW + 540_000, NOW + 600_000, NOW + 700_000] {
            for event in due_timer_events(&state, now, &warnings) {
                state.apply_event(&event);
                seen.push(event);
            }
        }
        assert_eq!(
            seen,
            vec![
                Event::TimerWarning { part: PartId(1), seconds_left: 300 },
                Event::TimerWarning { part: PartId(1), seconds_left: 60 },
                Event::TimerEnded { part: PartId(1), at_ms: NOW + 600_000 },
            ]
        );
        assert_eq!(state.timer.as_ref().unwrap().next_due_ms(NOW + 700_000, &warnings), None);
        // A short timer gets no warning longer than itself.
        let short = at(&fresh(), FACILITATOR, Op::StartTimer { part: None, seconds: Some(120) }, NOW).unwrap();
        assert_eq!(due_timer_events(&short, NOW + 1_000, &warnings), vec![]);
        assert_eq!(
            due_timer_events(&short, NOW + 61_000, &warnings),
            vec![Event::TimerWarning { part: PartId(1), seconds_left: 60 }]
        );
    }

    #[test]
    fn stickies_are_created_moved_grouped_and_deleted() {
        let state = fresh();
        let one = at(&state, PARTICIPANT, sticky(1), NOW).unwrap();
        let two = at(&one, PARTICIPANT, sticky(1), NOW).unwrap();
        let ids: Vec<_> = two.stickies.keys().copied().collect();
        assert_eq!(ids, [StickyId(1), StickyId(2)]);
        assert_eq!(two.stickies[&StickyId(1)].author, ParticipantId(2));
        let moved = at(&two, FACILITATOR, Op::MoveSticky { sticky: StickyId(1), x: -50, y: 75 }, NOW).unwrap();
        assert_eq!((moved.stickies[&StickyId(1)].x, moved.stickies[&StickyId(1)].y), (-50, 75));
        let edited =
            at(&moved, PARTICIPANT, Op::EditSticky { sticky: StickyId(2), text: text("beter idee") }, NOW).unwrap();
        let coloured =
            at(&edited, PARTICIPANT, Op::ColourSticky { sticky: StickyId(2), colour: Colour::Pink }, NOW).unwrap();
        let resized =
            at(&coloured, PARTICIPANT, Op::ResizeSticky { sticky: StickyId(2), width: 200, height: 120 }, NOW).unwrap();
        let grouped = at(
            &resized,
            PARTICIPANT,
            Op::GroupStickies { stickies: vec![StickyId(2), StickyId(1)], label: text("Thema") },
            NOW,
        )
        .unwrap();
        assert_eq!(grouped.stickies[&StickyId(2)].group, Some(GroupId(3)));
        let ungrouped = at(&grouped, PARTICIPANT, Op::Ungroup { group: GroupId(3) }, NOW).unwrap();
        assert!(ungrouped.stickies.values().all(|s| s.group.is_none()));
        let deleted = at(&ungrouped, PARTICIPANT, Op::DeleteSticky { sticky: StickyId(1) }, NOW).unwrap();
        assert_eq!(deleted.stickies.len(), 1);
        let after = at(&deleted, PARTICIPANT, sticky(2), NOW).unwrap();
        assert!(after.stickies.contains_key(&StickyId(4)), "ids are never reused");

        let bad: Vec<(Op, Rejection)> = vec![
            (Op::MoveSticky { sticky: StickyId(1), x: 0, y: 0 }, Rejection::UnknownSticky(StickyId(1))),
            (Op::EditSticky { sticky: StickyId(99), text: text("x") }, Rejection::UnknownSticky(StickyId(99))),
            (Op::MoveSticky { sticky: StickyId(2), x: 20_001, y: 0 }, Rejection::OffBoard),
            (Op::ResizeSticky { sticky: StickyId(2), width: 5, height: 100 }, Rejection::BadSize),
            (
                Op::CreateSticky { part: PartId(9), text: text("x"), x: 0, y: 0, colour: Colour::Blue },
                Rejection::UnknownPart(PartId(9)),
            ),
            (Op::GroupStickies { stickies: vec![], label: text("x") }, Rejection::BadGroup),
            (Op::GroupStickies { stickies: vec![StickyId(2), StickyId(4)], label: text("x") }, Rejection::BadGroup),
            (Op::Ungroup { group: GroupId(3) }, Rejection::UnknownGroup(GroupId(3))),
        ];
        for (op, expected) in bad {
            assert_eq!(apply(&after, PARTICIPANT, op.clone(), NOW), Err(expected), "{op:?}");
        }
    }

    #[test]
    fn a_board_holds_a_bounded_number_of_stickies() {
        let mut state = fresh();
        for _ in 0..MAX_STICKIES_PER_PART {
            state = at(&state, PARTICIPANT, sticky(1), NOW).unwrap();
        }
        assert_eq!(apply(&state, PARTICIPANT, sticky(1), NOW), Err(Rejection::TooManyStickies));
        assert!(apply(&state, PARTICIPANT, sticky(2), NOW).is_ok(), "the limit is per part");
    }

    #[test]
    fn dot_voting_keeps_each_budget_and_reveals_the_tally_on_close() {
        let mut state = fresh();
        for part in [1, 1, 2] {
            state = at(&state, PARTICIPANT, sticky(part), NOW).unwrap();
        }
        assert_eq!(apply(&state, PARTICIPANT, Op::CastVote { sticky: StickyId(1) }, NOW), Err(Rejection::NoOpenVote));
        assert_eq!(
            apply(&state, FACILITATOR, Op::OpenVote { part: PartId(1), votes_per_person: 0 }, NOW),
            Err(Rejection::VotesOutOfRange(0))
        );
        let open = at(&state, FACILITATOR, Op::OpenVote { part: PartId(1), votes_per_person: 2 }, NOW).unwrap();
        assert_eq!(
            apply(&open, FACILITATOR, Op::OpenVote { part: PartId(1), votes_per_person: 2 }, NOW),
            Err(Rejection::VoteAlreadyOpen)
        );
        let one = at(&open, PARTICIPANT, Op::CastVote { sticky: StickyId(1) }, NOW).unwrap();
        let two = at(&one, PARTICIPANT, Op::CastVote { sticky: StickyId(1) }, NOW).unwrap();
        assert_eq!(apply(&two, PARTICIPANT, Op::CastVote { sticky: StickyId(2) }, NOW), Err(Rejection::NoVotesLeft));
        assert_eq!(apply(&two, FACILITATOR, Op::CastVote { sticky: StickyId(3) }, NOW), Err(Rejection::NotInVote));
        assert_eq!(
            apply(&two, FACILITATOR, Op::RemoveVote { sticky: StickyId(1) }, NOW),
            Err(Rejection::NoVoteToRemove)
        );
        let back = at(&two, PARTICIPANT, Op::RemoveVote { sticky: StickyId(1) }, NOW).unwrap();
        let moved = at(&back, PARTICIPANT, Op::CastVote { sticky: StickyId(2) }, NOW).unwrap();
        let theirs = at(&moved, FACILITATOR, Op::CastVote { sticky: StickyId(2) }, NOW).unwrap();
        let closing = apply(&theirs, FACILITATOR, Op::CloseVote, NOW).unwrap();
        assert_eq!(
            closing,
            vec![Event::VoteClosed { part: PartId(1), tally: vec![(StickyId(2), 2), (StickyId(1), 1)] }]
        );
        let closed = at(&theirs, FACILITATOR, Op::CloseVote, NOW).unwrap();
        assert_eq!(apply(&closed, PARTICIPANT, Op::CastVote { sticky: StickyId(1) }, NOW), Err(Rejection::NoOpenVote));
        assert_eq!(apply(&closed, FACILITATOR, Op::CloseVote, NOW), Err(Rejection::NoOpenVote));
    }

    #[test]
    fn the_live_position_counts_what_the_parts_before_took() {
        let state = fresh();
        // Part 1 (30 min planned) ran 40 minutes; part 2 has run 10 minutes so far.
        let first = at(&state, FACILITATOR, Op::StartTimer { part: None, seconds: None }, NOW).unwrap();
        let second =
            at(&first, FACILITATOR, Op::StartTimer { part: Some(PartId(2)), seconds: None }, NOW + 40 * 60_000)
                .unwrap();
        let position = second.live_position(NOW + 50 * 60_000).unwrap();
        assert_eq!(position, LivePosition { current_part: PartId(2), minutes_used: 10, overrun_so_far: 10 });
        let replan = second.replan(NOW + 50 * 60_000).unwrap();
        assert_eq!(replan.delay_minutes, 10);
    }

    fn field(text: &str) -> FieldText {
        FieldText::parse("text", text).unwrap()
    }

    #[test]
    fn the_strategy_is_built_with_ops_and_checked_like_everything_else() {
        let state = fresh();
        let goal = at(
            &state,
            PARTICIPANT,
            Op::SaveEndGoal {
                id: None,
                text: field("Nummer 1 in de regio"),
                horizon: Some(Horizon::WithinYears { years: 3 }),
            },
            NOW,
        )
        .unwrap();
        let end_goal = goal.strategy.end_goals[0].id;
        let supported = at(&goal, FACILITATOR, Op::SupportEndGoal { id: end_goal, support: true }, NOW).unwrap();
        assert_eq!(supported.strategy.end_goals[0].supporters.len(), 1);
        let edited = at(
            &supported,
            PARTICIPANT,
            Op::SaveEndGoal { id: Some(end_goal), text: field("Nummer 1 in Utrecht"), horizon: None },
            NOW,
        )
        .unwrap();
        assert_eq!(edited.strategy.end_goals.len(), 1);
        assert_eq!(edited.strategy.end_goals[0].supporters.len(), 1, "editing keeps the support");

        let fields = SmartFields { baseline: Some(100.0), target: Some(110.0), ..SmartFields::default() };
        let smart = at(
            &edited,
            PARTICIPANT,
            Op::SaveSmartGoal { id: None, end_goal: Some(end_goal), text: field("10% meer omzet"), fields },
            NOW,
        )
        .unwrap();
        let smart_id = smart.strategy.smart_goals[0].id;
        let agreed =
            at(&smart, PARTICIPANT, Op::AgreeSmartGoal { id: smart_id, acceptable: true, realistic: false }, NOW)
                .unwrap();
        let agreed =
            at(&agreed, FACILITATOR, Op::AgreeSmartGoal { id: smart_id, acceptable: true, realistic: true }, NOW)
                .unwrap();
        assert_eq!(
            agreed.strategy.smart_goals[0].team_verdict(),
            (Some(true), None),
            "a tie on realistic says nothing"
        );

        let persona = at(
            &agreed,
            PARTICIPANT,
            Op::SavePersona {
                id: None,
                fields: PersonaFields { name: field("Sanne"), age: Some(34), ..PersonaFields::default() },
            },
            NOW,
        )
        .unwrap();
        let persona_id = persona.strategy.personas[0].id;
        assert_eq!(persona.strategy.personas[0].fields.completeness(), (2, 12));
        assert_eq!(
            apply(&persona, PARTICIPANT, Op::SetPrimaryPersona { id: Some(persona_id) }, NOW),
            Err(Rejection::FacilitatorOnly)
        );
        let primary = at(&persona, FACILITATOR, Op::SetPrimaryPersona { id: Some(persona_id) }, NOW).unwrap();
        assert_eq!(primary.strategy.primary_persona, Some(persona_id));

        let with_sticky = at(&primary, PARTICIPANT, sticky(2), NOW).unwrap();
        let idea = at(
            &with_sticky,
            PARTICIPANT,
            Op::AddIdea { text: field("Bakvideo op zaterdag"), from_sticky: Some(StickyId(1)) },
            NOW,
        )
        .unwrap();
        let idea_id = idea.strategy.ideas[0].id;
        let action = Op::SaveAction {
            id: None,
            title: field("Bakvideo opnemen"),
            owner: Some(ParticipantId(2)),
            deadline: chrono::NaiveDate::from_ymd_opt(2027, 1, 15),
            part: Some(PartId(3)),
            source: Some(ActionSource::Idea(idea_id)),
            status: ActionStatus::Open,
        };
        let acted = at(&idea, PARTICIPANT, action, NOW).unwrap();
        let action_id = acted.strategy.actions[0].id;
        let bundled = at(
            &acted,
            FACILITATOR,
            Op::SetResponsibilities {
                responsibilities: vec![(field("Content"), Some(ParticipantId(2)), vec![action_id])],
            },
            NOW,
        )
        .unwrap();
        assert_eq!(bundled.strategy.responsibilities[0].actions, vec![action_id]);
        let ids: BTreeSet<u64> =
            [end_goal, smart_id, persona_id, idea_id, action_id, bundled.strategy.responsibilities[0].id]
                .iter()
                .map(|i| i.0)
                .collect();
        assert_eq!(ids.len(), 6, "ids are unique across kinds");
        let removed = at(&bundled, PARTICIPANT, Op::RemoveAction { id: action_id }, NOW).unwrap();
        assert!(removed.strategy.responsibilities[0].actions.is_empty(), "a removed action leaves its bundle");

        let bad: Vec<(Actor, Op, Rejection)> = vec![
            (PARTICIPANT, Op::RemoveEndGoal { id: ItemId(99) }, Rejection::UnknownItem(ItemId(99))),
            (
                PARTICIPANT,
                Op::SaveEndGoal { id: Some(ItemId(98)), text: field("x"), horizon: None },
                Rejection::UnknownItem(ItemId(98)),
            ),
            (
                PARTICIPANT,
                Op::SaveSmartGoal {
                    id: None,
                    end_goal: Some(ItemId(97)),
                    text: field("x"),
                    fields: SmartFields::default(),
                },
                Rejection::UnknownItem(ItemId(97)),
            ),
            (
                PARTICIPANT,
                Op::AddIdea { text: field("x"), from_sticky: Some(StickyId(42)) },
                Rejection::UnknownSticky(StickyId(42)),
            ),
            (
                PARTICIPANT,
                Op::SaveAction {
                    id: None,
                    title: field("x"),
                    owner: Some(ParticipantId(9)),
                    deadline: None,
                    part: None,
                    source: None,
                    status: ActionStatus::Open,
                },
                Rejection::UnknownParticipant(ParticipantId(9)),
            ),
            (
                FACILITATOR,
                Op::SetResponsibilities {
                    responsibilities: vec![(field("A"), None, vec![action_id]), (field("B"), None, vec![action_id])],
                },
                Rejection::BadBundle,
            ),
            (PARTICIPANT, Op::SetResponsibilities { responsibilities: vec![] }, Rejection::FacilitatorOnly),
            (STRANGER, Op::SaveEndGoal { id: None, text: field("x"), horizon: None }, Rejection::NotJoined),
        ];
        for (actor, op, expected) in bad {
            let description = format!("{op:?}");
            assert_eq!(apply(&acted, actor, op, NOW), Err(expected), "{description}");
        }
        assert!(FieldText::parse("text", &"x".repeat(2_001)).is_err());
    }
}
