//! A model is the backbone (kapstok) of a session: an ordered list of parts.

use serde::{Deserialize, Serialize};

use crate::language::Localized;
use crate::timebox::Timebox;

/// How much a part matters when the day runs out of time. The planner only ever
/// proposes to shorten or drop `Should` and `Could` parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Must,
    Should,
    Could,
}

impl Priority {
    pub fn code(self) -> &'static str {
        match self {
            Priority::Must => "must",
            Priority::Should => "should",
            Priority::Could => "could",
        }
    }

    pub fn parse(code: &str) -> Option<Priority> {
        match code {
            "must" => Some(Priority::Must),
            "should" => Some(Priority::Should),
            "could" => Some(Priority::Could),
            _ => None,
        }
    }
}

/// The kind of workspace a part opens in the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkspaceKind {
    Board,
    EndGoals,
    SmartGoals,
    Personas,
    CoreMessage,
    Actions,
    Notes,
}

impl WorkspaceKind {
    pub const ALL: [WorkspaceKind; 7] = [
        WorkspaceKind::Board,
        WorkspaceKind::EndGoals,
        WorkspaceKind::SmartGoals,
        WorkspaceKind::Personas,
        WorkspaceKind::CoreMessage,
        WorkspaceKind::Actions,
        WorkspaceKind::Notes,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WorkspaceKind::Board => "board",
            WorkspaceKind::EndGoals => "end_goals",
            WorkspaceKind::SmartGoals => "smart_goals",
            WorkspaceKind::Personas => "personas",
            WorkspaceKind::CoreMessage => "core_message",
            WorkspaceKind::Actions => "actions",
            WorkspaceKind::Notes => "notes",
        }
    }

    pub fn parse(code: &str) -> Option<WorkspaceKind> {
        WorkspaceKind::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

/// One part of a model, as the facilitator finds it in the catalog or a model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelPart {
    /// A stable, lowercase key unique within the model ("smart_goals").
    pub key: String,
    pub title: Localized,
    pub explanation: Localized,
    pub questions: Vec<Localized>,
    /// The default timebox.
    pub minutes: Timebox,
    pub priority: Priority,
    pub workspace: WorkspaceKind,
}

/// A model: a named, ordered list of parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    /// "heidag", "sostac", "blank", or the id a model file gives itself.
    pub id: String,
    pub name: Localized,
    pub description: Localized,
    /// Who made the model, shown wherever the model is shown (SOSTAC® is PR Smith's).
    pub credit: Option<Localized>,
    pub parts: Vec<ModelPart>,
}

impl Model {
    pub fn total_minutes(&self) -> u32 {
        self.parts.iter().map(|part| part.minutes.minutes()).sum()
    }
}
