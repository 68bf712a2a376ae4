//! What someone asks for, and the right each op needs.

use crate::board::{Colour, GroupId, NoteText, StickyId, StickyText};
use crate::model::{Priority, WorkspaceKind};
use crate::planner::{PartId, PlannerSettings};
use crate::text::{DisplayName, Title};
use crate::timebox::Timebox;

use super::state::{ParticipantId, Role, SessionDetails};
use super::strategy::StrategyOp;

/// Who asks for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// Someone who has joined the session.
    Participant(ParticipantId),
    /// Someone holding a link who has not joined yet; `facilitator` says which link.
    Newcomer { facilitator: bool },
}

/// A change someone asks for. Texts and settings arrive already validated.
// The strategy ops (a persona, a core message) were this size before they were nested
// too; an op is made, decided and dropped, so a box would buy nothing.
#[allow(clippy::large_enum_variant)]
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
    SetExportsOpen {
        open: bool,
    },
    /// A change to the strategy content (end goals … measurements).
    Strategy(StrategyOp),
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
            Op::SetExportsOpen { .. } => Right::Facilitator,
            Op::Strategy(op) => op.right(),
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
