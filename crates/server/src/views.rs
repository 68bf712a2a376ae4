//! The views of a session that every channel sends: the JSON API's answers, the live
//! protocol's `welcome` and `session_changed`, and the room's snapshots. They live apart
//! from the handlers and the protocol so that both can use them without using each other.

use heisessie_domain::model::Model;
use heisessie_domain::planner::{PartId, PlannerSettings};
use heisessie_domain::session::{Participant, ParticipantId, ProgramPart, SessionState};
use heisessie_domain::{Lang, Localized};
use heisessie_export::agenda::{AgendaView, agenda_view};
use heisessie_store::SessionId;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    #[schema(value_type = String, format = Uuid)]
    pub id: SessionId,
    /// The seq of the newest event of the session's log.
    pub seq: u64,
    pub title: String,
    pub organisation: String,
    pub language: String,
    pub meeting_link: Option<String>,
    pub model: ModelInfoView,
    pub parts: Vec<PartView>,
    pub settings: SettingsView,
    pub participants: Vec<ParticipantView>,
    pub roles: RolesView,
    pub schedule: AgendaView,
    /// Participants may download the exports (the facilitator always may).
    pub exports_open: bool,
    /// The caller; absent where the view goes to everyone (live events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub you: Option<ParticipantView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelInfoView {
    pub id: String,
    pub name: String,
    pub credit: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartView {
    pub id: u32,
    pub key: String,
    pub title: String,
    pub explanation: String,
    pub questions: Vec<String>,
    pub minutes: u32,
    /// `must`, `should` or `could`.
    pub priority: String,
    /// `board`, `end_goals`, `smart_goals`, `personas`, `core_message`, `actions` or `notes`.
    pub workspace: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SettingsView {
    pub start: String,
    pub time_zone: String,
    pub max_day_minutes: u32,
    pub max_work_stretch_minutes: u32,
    pub break_minutes: u32,
    pub days: u32,
    pub gap_days: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantView {
    pub id: u64,
    pub display_name: String,
    pub is_facilitator: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RolesView {
    pub process_facilitator: Option<u64>,
    pub timekeeper: Option<u64>,
    pub note_taker: Option<u64>,
    pub presenters: Vec<PresenterView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PresenterView {
    pub part_id: u32,
    pub participant_id: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub credit: Option<String>,
    pub total_minutes: u32,
    pub parts: Vec<PartView>,
}

pub fn part_view(part: &ProgramPart, lang: Lang) -> PartView {
    PartView {
        id: part.id.0,
        key: part.key.clone(),
        title: part.title.get(lang).to_owned(),
        explanation: part.explanation.get(lang).to_owned(),
        questions: part.questions.iter().map(|q| q.get(lang).to_owned()).collect(),
        minutes: part.minutes.minutes(),
        priority: part.priority.code().to_owned(),
        workspace: part.workspace.code().to_owned(),
    }
}

fn optional_text(text: &Option<Localized>, lang: Lang) -> Option<String> {
    text.as_ref().map(|t| t.get(lang).to_owned())
}

pub fn settings_view(settings: &PlannerSettings) -> SettingsView {
    SettingsView {
        start: settings.start().format("%Y-%m-%dT%H:%M").to_string(),
        time_zone: settings.time_zone().name().to_owned(),
        max_day_minutes: settings.max_day_minutes(),
        max_work_stretch_minutes: settings.max_work_stretch_minutes(),
        break_minutes: settings.break_minutes(),
        days: settings.days(),
        gap_days: settings.gap_days(),
    }
}

pub fn participant_view(participant: &Participant) -> ParticipantView {
    ParticipantView {
        id: participant.id.0,
        display_name: participant.display_name.as_str().to_owned(),
        is_facilitator: participant.is_facilitator,
    }
}

pub fn session_view(
    id: SessionId,
    seq: u64,
    state: &SessionState,
    you: Option<ParticipantId>,
    lang: Lang,
) -> SessionView {
    let roles = &state.roles;
    SessionView {
        id,
        seq,
        title: state.details.title.as_str().to_owned(),
        organisation: state.details.organisation.as_str().to_owned(),
        language: state.details.language.code().to_owned(),
        meeting_link: state.details.meeting_link.as_ref().map(|l| l.as_str().to_owned()),
        model: ModelInfoView {
            id: state.model.id.clone(),
            name: state.model.name.get(lang).to_owned(),
            credit: optional_text(&state.model.credit, lang),
        },
        parts: state.parts.iter().map(|part| part_view(part, lang)).collect(),
        settings: settings_view(&state.settings),
        participants: state.participants.iter().map(participant_view).collect(),
        roles: RolesView {
            process_facilitator: roles.process_facilitator.map(|p| p.0),
            timekeeper: roles.timekeeper.map(|p| p.0),
            note_taker: roles.note_taker.map(|p| p.0),
            presenters: roles
                .presenters
                .iter()
                .map(|(part, who)| PresenterView { part_id: part.0, participant_id: who.0 })
                .collect(),
        },
        schedule: agenda_view(&state.schedule(), lang),
        exports_open: state.exports_open,
        you: you.and_then(|you| state.participant(you)).map(participant_view),
    }
}

pub fn model_view(model: &Model, lang: Lang) -> ModelView {
    ModelView {
        id: model.id.clone(),
        name: model.name.get(lang).to_owned(),
        description: model.description.get(lang).to_owned(),
        credit: optional_text(&model.credit, lang),
        total_minutes: model.total_minutes(),
        parts: model
            .parts
            .iter()
            .zip(1..)
            .map(|(part, id)| part_view(&ProgramPart::from_model(part, PartId(id)), lang))
            .collect(),
    }
}
