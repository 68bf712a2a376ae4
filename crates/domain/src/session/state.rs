//! What a session is at one point in its log: its details, program, people, roles, the
//! live state of the day and the strategy content, with what follows from them (the
//! schedule, the live position, the re-plan).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::board::{Group, GroupId, NoteText, Sticky, StickyId, VoteRound};
use crate::language::{Lang, Localized};
use crate::model::{Model, Priority, WorkspaceKind};
use crate::planner::{self, BlockKind, LivePosition, PartId, PlanPart, PlannerSettings, Replan, Schedule};
use crate::strategy::Strategy;
use crate::text::{DisplayName, MeetingLink, Organisation, Title};
use crate::timebox::Timebox;
use crate::timer::Timer;

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

    pub(super) fn set(&mut self, role: Role, holder: Option<ParticipantId>) {
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
    pub(super) next_part_id: u32,
    pub(super) next_participant_id: u64,
    #[serde(default)]
    pub(super) next_board_id: u64,
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

    pub(super) fn part_index(&self, part: PartId) -> Option<usize> {
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

    pub(super) fn close_timer_run(&mut self, now_ms: i64) {
        if let Some(timer) = &mut self.timer
            && let Some(since) = timer.running_since_ms.take()
        {
            let run = now_ms.saturating_sub(since).max(0) as u64;
            timer.elapsed_before_ms += run;
            *self.actual_ms.entry(timer.part).or_default() += run;
        }
    }
}
