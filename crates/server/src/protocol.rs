//! The live room's wire protocol, version 1: every message a client and the server
//! exchange over the WebSocket, in one place. Mirrored by `web/protocol.js` and
//! documented with examples in `docs/protocol.md`.
//!
//! These types are the wire format only; they convert to and from the domain's ops and
//! events at this boundary, so the stored history never depends on the wire.

use chrono::NaiveDate;
use heisessie_domain::Lang;
use heisessie_domain::board::{Colour, GroupId, NoteText, Sticky, StickyId, StickyText};
use heisessie_domain::content_plan;
use heisessie_domain::planner::PartId;
use heisessie_domain::session::{Event, Op, ParticipantId, Role, SessionState, StrategyOp};
use heisessie_domain::strategy::{
    ActionSource, ActionStatus, Competitor, CoreMessage, FieldText, Horizon, ItemId, PersonaFields, PlanLine,
    PlanPeriod, SmartFields,
};
use heisessie_export::agenda::ReplanView;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, FieldProblem};
use crate::strategy_diff::StrategyChanges;
use crate::strategy_view::{StrategyView, strategy_view};
use crate::views::{ParticipantView, SessionView};

pub const PROTOCOL_VERSION: u32 = 1;

/// WebSocket close codes the server uses (4000–4999 are the application's).
pub mod close {
    /// The client could not keep up; reconnect and resume from the last seq.
    pub const RESYNC: u16 = 4000;
    /// The client speaks another protocol version.
    pub const PROTOCOL_VERSION: u16 = 4001;
    /// The session has as many connections as it takes.
    pub const SESSION_FULL: u16 = 4002;
    /// The server is shutting down; reconnect shortly.
    pub const GOING_AWAY: u16 = 1001;
    /// The participant's access ended (link rotated).
    pub const ACCESS_ENDED: u16 = 4003;
    /// A message broke the rules badly enough to end the connection (too large).
    pub const POLICY: u16 = 1008;
}

// ---- The protocol's vocabulary ----------------------------------------------------
//
// `web/protocol.js` spells these names too; a test in `crates/cli/tests/it/freshness.rs`
// fails when the two differ.

/// The `type` of every message a client may send, as serde reads `ClientMessage`.
pub fn client_message_types() -> &'static [&'static str] {
    tags_of::<ClientMessage>()
}

/// The `type` of every op a client may send, as serde reads `WireOp`.
pub fn op_types() -> &'static [&'static str] {
    tags_of::<WireOp>()
}

/// The `type` of every event a client may receive, in `WireEvent`'s order. Serde keeps no
/// list of what it serializes, so this one is written out; the unit test
/// `event_types_name_every_wire_event` serializes one event of every variant (an
/// exhaustive match makes a new variant a compile error there) and compares.
pub const EVENT_TYPES: &[&str] = &[
    "session_changed",
    "part_changed",
    "models_overlay",
    "timer_started",
    "timer_paused",
    "timer_resumed",
    "timer_extended",
    "timer_reset",
    "timer_warning",
    "timer_ended",
    "sticky_created",
    "sticky_edited",
    "sticky_moved",
    "sticky_recoloured",
    "sticky_resized",
    "stickies_grouped",
    "ungrouped",
    "sticky_deleted",
    "vote_opened",
    "vote_cast",
    "vote_removed",
    "vote_recorded",
    "vote_closed",
    "notes_set",
    "role_assigned",
    "strategy_changed",
];

/// The tags of an internally tagged enum, as its derived `Deserialize` knows them. Given
/// a tag no variant has, serde reports every tag it expected (`Error::unknown_variant`);
/// `TagProbe` keeps that list instead of turning it into a message.
fn tags_of<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    let probe = serde::de::value::MapDeserializer::<_, TagProbe>::new(std::iter::once(("type", "\u{0}")));
    match T::deserialize(probe) {
        Err(TagProbe::Expected(tags)) => tags,
        _ => &[],
    }
}

/// The error type of the probe in `tags_of`.
#[derive(Debug)]
enum TagProbe {
    Expected(&'static [&'static str]),
    Other,
}

impl std::fmt::Display for TagProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TagProbe::Expected(tags) => write!(f, "expected one of {tags:?}"),
            TagProbe::Other => f.write_str("not a tag probe's answer"),
        }
    }
}

impl std::error::Error for TagProbe {}

impl serde::de::Error for TagProbe {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        TagProbe::Other
    }

    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        TagProbe::Expected(expected)
    }
}

// ---- Client to server -------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// The first message: which protocol, and the last seq the client saw (to resume).
    Hello {
        protocol: u32,
        #[serde(default)]
        last_seq: Option<u64>,
    },
    /// An intent. `client_op_id` (1–64 characters) makes resending safe.
    Op { client_op_id: String, op: serde_json::Value },
    /// Which part I am looking at (ephemeral).
    Presence {
        #[serde(default)]
        part_id: Option<u32>,
    },
    /// Measures the round trip and the server clock.
    Ping {
        #[serde(default)]
        t: Option<f64>,
    },
}

/// The ops as a client sends them.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum WireOp {
    GoToPart {
        part_id: u32,
    },
    NextPart,
    PreviousPart,
    SetModelsOverlay {
        open: bool,
    },
    StartTimer {
        #[serde(default)]
        part_id: Option<u32>,
        #[serde(default)]
        seconds: Option<u32>,
    },
    PauseTimer,
    ResumeTimer,
    ExtendTimer {
        seconds: i32,
    },
    ResetTimer,
    CreateSticky {
        part_id: u32,
        #[serde(default)]
        text: String,
        x: i32,
        y: i32,
        #[serde(default)]
        colour: Option<String>,
    },
    EditSticky {
        sticky_id: u64,
        text: String,
    },
    MoveSticky {
        sticky_id: u64,
        x: i32,
        y: i32,
    },
    ColourSticky {
        sticky_id: u64,
        colour: String,
    },
    ResizeSticky {
        sticky_id: u64,
        width: u32,
        height: u32,
    },
    GroupStickies {
        sticky_ids: Vec<u64>,
        #[serde(default)]
        label: String,
    },
    Ungroup {
        group_id: u64,
    },
    DeleteSticky {
        sticky_id: u64,
    },
    OpenVote {
        part_id: u32,
        votes_per_person: u32,
    },
    CastVote {
        sticky_id: u64,
    },
    RemoveVote {
        sticky_id: u64,
    },
    CloseVote,
    SetNotes {
        part_id: u32,
        text: String,
    },
    AssignRole {
        role: String,
        #[serde(default)]
        part_id: Option<u32>,
        participant_id: Option<u64>,
    },
    SaveEndGoal {
        #[serde(default)]
        id: Option<u64>,
        text: String,
        #[serde(default)]
        horizon: Option<Horizon>,
    },
    RemoveEndGoal {
        id: u64,
    },
    MoveEndGoal {
        id: u64,
        to_index: usize,
    },
    SupportEndGoal {
        id: u64,
        support: bool,
    },
    SaveSmartGoal {
        #[serde(default)]
        id: Option<u64>,
        #[serde(default)]
        end_goal_id: Option<u64>,
        text: String,
        #[serde(default)]
        metric: String,
        #[serde(default)]
        baseline: Option<f64>,
        #[serde(default)]
        target: Option<f64>,
        #[serde(default)]
        deadline: Option<NaiveDate>,
        #[serde(default)]
        owner: String,
        #[serde(default)]
        means: String,
        #[serde(default)]
        reason: String,
    },
    RemoveSmartGoal {
        id: u64,
    },
    AgreeSmartGoal {
        id: u64,
        acceptable: bool,
        realistic: bool,
    },
    SavePersona {
        #[serde(default)]
        id: Option<u64>,
        #[serde(flatten)]
        fields: WirePersona,
    },
    RemovePersona {
        id: u64,
    },
    SetPrimaryPersona {
        id: Option<u64>,
    },
    SaveCoreMessage {
        #[serde(default)]
        usp: String,
        #[serde(default)]
        life_improvement: String,
        #[serde(default)]
        answers: String,
        #[serde(default)]
        competitors: Vec<WireCompetitor>,
        #[serde(default)]
        plan: Vec<WirePlanLine>,
        #[serde(default)]
        calendar_from: Option<NaiveDate>,
        #[serde(default)]
        calendar_to: Option<NaiveDate>,
    },
    AddIdea {
        text: String,
        #[serde(default)]
        sticky_id: Option<u64>,
    },
    RemoveIdea {
        id: u64,
    },
    SaveAction {
        #[serde(default)]
        id: Option<u64>,
        title: String,
        #[serde(default)]
        owner_id: Option<u64>,
        #[serde(default)]
        deadline: Option<NaiveDate>,
        #[serde(default)]
        part_id: Option<u32>,
        #[serde(default)]
        source: Option<ActionSource>,
        #[serde(default)]
        status: Option<ActionStatus>,
    },
    RemoveAction {
        id: u64,
    },
    SetResponsibilities {
        responsibilities: Vec<WireResponsibility>,
    },
    SetExportsOpen {
        open: bool,
    },
    RecordMeasurement {
        goal_id: u64,
        date: NaiveDate,
        value: f64,
    },
    RemoveMeasurement {
        goal_id: u64,
        date: NaiveDate,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WirePersona {
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireCompetitor {
    pub name: String,
    #[serde(default)]
    pub has_it: bool,
    #[serde(default)]
    pub could_get_easily: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WirePlanLine {
    pub channel: String,
    pub form: String,
    pub count: u32,
    pub per: PlanPeriod,
    #[serde(default)]
    pub owner_id: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireResponsibility {
    pub name: String,
    #[serde(default)]
    pub owner_id: Option<u64>,
    #[serde(default)]
    pub action_ids: Vec<u64>,
}

fn field(name: &'static str, text: &str) -> Result<FieldText, ApiError> {
    Ok(FieldText::parse(name, text)?)
}

/// A count of 1–31 per day, week or month: the content plan's bounds.
fn plan_count(count: u32) -> Result<u32, ApiError> {
    use heisessie_domain::content_plan::{MAX_COUNT, MIN_COUNT};
    if (MIN_COUNT..=MAX_COUNT).contains(&count) {
        Ok(count)
    } else {
        let (min, max) = (i64::from(MIN_COUNT), i64::from(MAX_COUNT));
        Err(ApiError::field("count", FieldProblem::OutOfRange { min, max, got: i64::from(count) }))
    }
}

fn colour(text: &str) -> Result<Colour, ApiError> {
    Colour::parse(text)
        .ok_or_else(|| ApiError::field("colour", FieldProblem::BadChoice("yellow, pink, blue, green, orange, purple")))
}

/// Reads a role as the API and the room both take it.
pub fn role(name: &str, part_id: Option<u32>) -> Result<Role, ApiError> {
    match (name, part_id) {
        ("process_facilitator", _) => Ok(Role::ProcessFacilitator),
        ("timekeeper", _) => Ok(Role::Timekeeper),
        ("note_taker", _) => Ok(Role::NoteTaker),
        ("presenter", Some(part)) => Ok(Role::Presenter(PartId(part))),
        ("presenter", None) => {
            Err(ApiError::field("part_id", FieldProblem::Text(heisessie_domain::text::TextProblem::Empty)))
        }
        _ => Err(ApiError::field(
            "role",
            FieldProblem::BadChoice("process_facilitator, timekeeper, note_taker, presenter"),
        )),
    }
}

impl WireOp {
    /// Turns the wire op into a domain op, validating every text on the way.
    pub fn into_domain(self) -> Result<Op, ApiError> {
        Ok(match self {
            WireOp::GoToPart { part_id } => Op::GoToPart { part: PartId(part_id) },
            WireOp::NextPart => Op::NextPart,
            WireOp::PreviousPart => Op::PreviousPart,
            WireOp::SetModelsOverlay { open } => Op::SetModelsOverlay { open },
            WireOp::StartTimer { part_id, seconds } => Op::StartTimer { part: part_id.map(PartId), seconds },
            WireOp::PauseTimer => Op::PauseTimer,
            WireOp::ResumeTimer => Op::ResumeTimer,
            WireOp::ExtendTimer { seconds } => Op::ExtendTimer { seconds },
            WireOp::ResetTimer => Op::ResetTimer,
            WireOp::CreateSticky { part_id, text, x, y, colour: c } => Op::CreateSticky {
                part: PartId(part_id),
                text: StickyText::parse("text", &text)?,
                x,
                y,
                colour: c.as_deref().map(colour).transpose()?.unwrap_or(Colour::Yellow),
            },
            WireOp::EditSticky { sticky_id, text } => {
                Op::EditSticky { sticky: StickyId(sticky_id), text: StickyText::parse("text", &text)? }
            }
            WireOp::MoveSticky { sticky_id, x, y } => Op::MoveSticky { sticky: StickyId(sticky_id), x, y },
            WireOp::ColourSticky { sticky_id, colour: c } => {
                Op::ColourSticky { sticky: StickyId(sticky_id), colour: colour(&c)? }
            }
            WireOp::ResizeSticky { sticky_id, width, height } => {
                Op::ResizeSticky { sticky: StickyId(sticky_id), width, height }
            }
            WireOp::GroupStickies { sticky_ids, label } => Op::GroupStickies {
                stickies: sticky_ids.into_iter().map(StickyId).collect(),
                label: StickyText::parse("label", &label)?,
            },
            WireOp::Ungroup { group_id } => Op::Ungroup { group: GroupId(group_id) },
            WireOp::DeleteSticky { sticky_id } => Op::DeleteSticky { sticky: StickyId(sticky_id) },
            WireOp::OpenVote { part_id, votes_per_person } => Op::OpenVote { part: PartId(part_id), votes_per_person },
            WireOp::CastVote { sticky_id } => Op::CastVote { sticky: StickyId(sticky_id) },
            WireOp::RemoveVote { sticky_id } => Op::RemoveVote { sticky: StickyId(sticky_id) },
            WireOp::CloseVote => Op::CloseVote,
            WireOp::SetNotes { part_id, text } => {
                Op::SetNotes { part: PartId(part_id), text: NoteText::parse("text", &text)? }
            }
            WireOp::AssignRole { role: name, part_id, participant_id } => {
                Op::AssignRole { role: role(&name, part_id)?, participant: participant_id.map(ParticipantId) }
            }
            WireOp::SaveEndGoal { id, text, horizon } => {
                Op::Strategy(StrategyOp::SaveEndGoal { id: id.map(ItemId), text: field("text", &text)?, horizon })
            }
            WireOp::RemoveEndGoal { id } => Op::Strategy(StrategyOp::RemoveEndGoal { id: ItemId(id) }),
            WireOp::MoveEndGoal { id, to_index } => Op::Strategy(StrategyOp::MoveEndGoal { id: ItemId(id), to_index }),
            WireOp::SupportEndGoal { id, support } => {
                Op::Strategy(StrategyOp::SupportEndGoal { id: ItemId(id), support })
            }
            WireOp::SaveSmartGoal {
                id,
                end_goal_id,
                text,
                metric,
                baseline,
                target,
                deadline,
                owner,
                means,
                reason,
            } => Op::Strategy(StrategyOp::SaveSmartGoal {
                id: id.map(ItemId),
                end_goal: end_goal_id.map(ItemId),
                text: field("text", &text)?,
                fields: SmartFields {
                    metric: field("metric", &metric)?,
                    baseline: baseline.filter(|v| v.is_finite()),
                    target: target.filter(|v| v.is_finite()),
                    deadline,
                    owner: field("owner", &owner)?,
                    means: field("means", &means)?,
                    reason: field("reason", &reason)?,
                },
            }),
            WireOp::RemoveSmartGoal { id } => Op::Strategy(StrategyOp::RemoveSmartGoal { id: ItemId(id) }),
            WireOp::AgreeSmartGoal { id, acceptable, realistic } => {
                Op::Strategy(StrategyOp::AgreeSmartGoal { id: ItemId(id), acceptable, realistic })
            }
            WireOp::SavePersona { id, fields: f } => Op::Strategy(StrategyOp::SavePersona {
                id: id.map(ItemId),
                fields: PersonaFields {
                    name: field("name", &f.name)?,
                    age: match f.age {
                        Some(age) if age > 120 => {
                            return Err(ApiError::field(
                                "age",
                                FieldProblem::OutOfRange { min: 0, max: 120, got: i64::from(age) },
                            ));
                        }
                        age => age,
                    },
                    field_of_work: field("field_of_work", &f.field_of_work)?,
                    residence: field("residence", &f.residence)?,
                    hobbies: field("hobbies", &f.hobbies)?,
                    pain_points: field("pain_points", &f.pain_points)?,
                    current_solutions: field("current_solutions", &f.current_solutions)?,
                    triggers: field("triggers", &f.triggers)?,
                    trigger_response: field("trigger_response", &f.trigger_response)?,
                    desired_results: field("desired_results", &f.desired_results)?,
                    channels: field("channels", &f.channels)?,
                    objections: field("objections", &f.objections)?,
                },
            }),
            WireOp::RemovePersona { id } => Op::Strategy(StrategyOp::RemovePersona { id: ItemId(id) }),
            WireOp::SetPrimaryPersona { id } => Op::Strategy(StrategyOp::SetPrimaryPersona { id: id.map(ItemId) }),
            WireOp::SaveCoreMessage {
                usp,
                life_improvement,
                answers,
                competitors,
                plan,
                calendar_from,
                calendar_to,
            } => {
                let competitors = competitors
                    .into_iter()
                    .map(|c| {
                        Ok(Competitor {
                            name: field("name", &c.name)?,
                            has_it: c.has_it,
                            could_get_easily: c.could_get_easily,
                        })
                    })
                    .collect::<Result<Vec<_>, ApiError>>()?;
                let plan = plan
                    .into_iter()
                    .zip(1..)
                    .map(|(line, id)| {
                        Ok(PlanLine {
                            id,
                            channel: field("channel", &line.channel)?,
                            form: field("form", &line.form)?,
                            count: plan_count(line.count)?,
                            per: line.per,
                            owner: line.owner_id.map(ParticipantId),
                        })
                    })
                    .collect::<Result<Vec<_>, ApiError>>()?;
                Op::Strategy(StrategyOp::SaveCoreMessage {
                    message: CoreMessage {
                        usp: field("usp", &usp)?,
                        life_improvement: field("life_improvement", &life_improvement)?,
                        answers: field("answers", &answers)?,
                        competitors,
                        plan,
                        calendar_from,
                        calendar_to,
                    },
                })
            }
            WireOp::AddIdea { text, sticky_id } => {
                Op::Strategy(StrategyOp::AddIdea { text: field("text", &text)?, from_sticky: sticky_id.map(StickyId) })
            }
            WireOp::RemoveIdea { id } => Op::Strategy(StrategyOp::RemoveIdea { id: ItemId(id) }),
            WireOp::SaveAction { id, title, owner_id, deadline, part_id, source, status } => {
                Op::Strategy(StrategyOp::SaveAction {
                    id: id.map(ItemId),
                    title: field("title", &title)?,
                    owner: owner_id.map(ParticipantId),
                    deadline,
                    part: part_id.map(PartId),
                    source,
                    status: status.unwrap_or(ActionStatus::Open),
                })
            }
            WireOp::RemoveAction { id } => Op::Strategy(StrategyOp::RemoveAction { id: ItemId(id) }),
            WireOp::SetResponsibilities { responsibilities } => Op::Strategy(StrategyOp::SetResponsibilities {
                responsibilities: responsibilities
                    .into_iter()
                    .map(|r| {
                        Ok((
                            field("name", &r.name)?,
                            r.owner_id.map(ParticipantId),
                            r.action_ids.into_iter().map(ItemId).collect(),
                        ))
                    })
                    .collect::<Result<Vec<_>, ApiError>>()?,
            }),
            WireOp::SetExportsOpen { open } => Op::SetExportsOpen { open },
            WireOp::RecordMeasurement { goal_id, date, value } => {
                Op::Strategy(StrategyOp::RecordMeasurement { goal: ItemId(goal_id), date, value })
            }
            WireOp::RemoveMeasurement { goal_id, date } => {
                Op::Strategy(StrategyOp::RemoveMeasurement { goal: ItemId(goal_id), date })
            }
        })
    }
}

// ---- Server to client -------------------------------------------------------------

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage<'a> {
    /// The answer to hello. `catch_up` says what follows: `none`, `events` (the missed
    /// events, as `event` messages) or `snapshot` (the whole state is in `snapshot`).
    Welcome {
        protocol: u32,
        server_time_ms: i64,
        you: ParticipantView,
        seq: u64,
        catch_up: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        snapshot: Option<Box<LiveSnapshot>>,
    },
    Ack {
        client_op_id: &'a str,
        seq: u64,
    },
    Reject {
        client_op_id: &'a str,
        code: &'a str,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        field: Option<&'a str>,
    },
    Event {
        seq: u64,
        at_ms: i64,
        event: WireEvent,
        #[serde(skip_serializing_if = "Option::is_none")]
        replan: Option<ReplanView>,
    },
    Presence {
        people: Vec<PresenceView>,
    },
    Pong {
        #[serde(skip_serializing_if = "Option::is_none")]
        t: Option<f64>,
        server_time_ms: i64,
    },
    Error {
        code: &'a str,
        message: String,
    },
}

impl ServerMessage<'_> {
    pub fn to_json(&self) -> String {
        // Our own types always serialize; an empty object would only hide a bug.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// The `reject` of a client's op, in the connection's language.
pub fn reject_json(client_op_id: &str, error: &ApiError, lang: Lang) -> String {
    ServerMessage::Reject { client_op_id, code: error.code(), message: error.message(lang), field: error.field_name() }
        .to_json()
}

#[derive(Debug, Clone, Serialize)]
pub struct PresenceView {
    pub participant_id: u64,
    pub part_id: Option<u32>,
    pub connections: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct StickyView {
    pub id: u64,
    pub part_id: u32,
    pub author_id: u64,
    pub text: String,
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub colour: &'static str,
    pub group_id: Option<u64>,
}

impl From<&Sticky> for StickyView {
    fn from(s: &Sticky) -> Self {
        StickyView {
            id: s.id.0,
            part_id: s.part.0,
            author_id: s.author.0,
            text: s.text.as_str().to_owned(),
            x: s.x,
            y: s.y,
            width: s.width,
            height: s.height,
            colour: s.colour.code(),
            group_id: s.group.map(|g| g.0),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TallyView {
    pub sticky_id: u64,
    pub votes: u32,
}

fn tally_view(tally: &[(StickyId, u32)]) -> Vec<TallyView> {
    tally.iter().map(|(sticky, votes)| TallyView { sticky_id: sticky.0, votes: *votes }).collect()
}

/// Events as clients see them. Votes of an open round are private: others get
/// `vote_recorded`, which keeps their seqs contiguous without saying who voted what.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WireEvent {
    /// The program, settings, details or participants changed: the session as it now is.
    SessionChanged {
        session: Box<SessionView>,
    },
    PartChanged {
        part_id: u32,
    },
    ModelsOverlay {
        open: bool,
    },
    TimerStarted {
        part_id: u32,
        duration_ms: u64,
        at_ms: i64,
    },
    TimerPaused {
        at_ms: i64,
    },
    TimerResumed {
        at_ms: i64,
    },
    TimerExtended {
        by_ms: i64,
    },
    TimerReset {
        at_ms: i64,
    },
    TimerWarning {
        part_id: u32,
        seconds_left: u32,
    },
    TimerEnded {
        part_id: u32,
        at_ms: i64,
    },
    StickyCreated {
        sticky: StickyView,
    },
    StickyEdited {
        sticky_id: u64,
        text: String,
    },
    StickyMoved {
        sticky_id: u64,
        x: i32,
        y: i32,
    },
    StickyRecoloured {
        sticky_id: u64,
        colour: &'static str,
    },
    StickyResized {
        sticky_id: u64,
        width: u32,
        height: u32,
    },
    StickiesGrouped {
        group_id: u64,
        part_id: u32,
        label: String,
        sticky_ids: Vec<u64>,
    },
    Ungrouped {
        group_id: u64,
    },
    StickyDeleted {
        sticky_id: u64,
    },
    VoteOpened {
        part_id: u32,
        votes_per_person: u32,
    },
    VoteCast {
        sticky_id: u64,
    },
    VoteRemoved {
        sticky_id: u64,
    },
    VoteRecorded,
    VoteClosed {
        part_id: u32,
        tally: Vec<TallyView>,
    },
    NotesSet {
        part_id: u32,
        text: String,
    },
    RoleAssigned {
        role: String,
        part_id: Option<u32>,
        participant_id: Option<u64>,
    },
    /// Something in the strategy changed: only the sections and items that differ from
    /// what the client has (see `strategy_diff`), with their checks.
    StrategyChanged {
        changes: StrategyChanges,
    },
}

/// Who may see an event in full.
pub enum Audience {
    Everyone,
    /// Only this participant sees it in full; the others see `VoteRecorded`.
    Private(ParticipantId),
}

/// Who sees `event` in full: the votes of an open round stay with their voter.
pub fn audience(event: &Event) -> Audience {
    match event {
        Event::VoteCast { voter, .. } | Event::VoteRemoved { voter, .. } => Audience::Private(*voter),
        _ => Audience::Everyone,
    }
}

/// The wire form of a domain event, and who sees it in full. `session_view` gives the
/// session after the event, for the events that change the session as a whole.
pub fn wire_event(
    event: &Event,
    session_view: impl FnOnce() -> SessionView,
    strategy_changes: impl FnOnce() -> StrategyChanges,
) -> (WireEvent, Audience) {
    let wire = match event {
        Event::SessionCreated { .. }
        | Event::DetailsChanged { .. }
        | Event::SettingsChanged { .. }
        | Event::PartAdded { .. }
        | Event::PartRemoved { .. }
        | Event::PartMoved { .. }
        | Event::PartRetimed { .. }
        | Event::ParticipantJoined { .. }
        | Event::ParticipantRemoved { .. }
        | Event::ExportsOpened { .. } => WireEvent::SessionChanged { session: Box::new(session_view()) },
        Event::RoleAssigned { role, participant } => {
            let (name, part) = match role {
                Role::ProcessFacilitator => ("process_facilitator", None),
                Role::Timekeeper => ("timekeeper", None),
                Role::NoteTaker => ("note_taker", None),
                Role::Presenter(part) => ("presenter", Some(part.0)),
            };
            WireEvent::RoleAssigned { role: name.to_owned(), part_id: part, participant_id: participant.map(|p| p.0) }
        }
        Event::PartChanged { part } => WireEvent::PartChanged { part_id: part.0 },
        Event::ModelsOverlay { open } => WireEvent::ModelsOverlay { open: *open },
        Event::TimerStarted { part, duration_ms, at_ms } => {
            WireEvent::TimerStarted { part_id: part.0, duration_ms: *duration_ms, at_ms: *at_ms }
        }
        Event::TimerPaused { at_ms } => WireEvent::TimerPaused { at_ms: *at_ms },
        Event::TimerResumed { at_ms } => WireEvent::TimerResumed { at_ms: *at_ms },
        Event::TimerExtended { by_ms } => WireEvent::TimerExtended { by_ms: *by_ms },
        Event::TimerReset { at_ms } => WireEvent::TimerReset { at_ms: *at_ms },
        Event::TimerWarning { part, seconds_left } => {
            WireEvent::TimerWarning { part_id: part.0, seconds_left: *seconds_left }
        }
        Event::TimerEnded { part, at_ms } => WireEvent::TimerEnded { part_id: part.0, at_ms: *at_ms },
        Event::StickyCreated { sticky } => WireEvent::StickyCreated { sticky: StickyView::from(sticky) },
        Event::StickyEdited { sticky, text } => {
            WireEvent::StickyEdited { sticky_id: sticky.0, text: text.as_str().to_owned() }
        }
        Event::StickyMoved { sticky, x, y } => WireEvent::StickyMoved { sticky_id: sticky.0, x: *x, y: *y },
        Event::StickyRecoloured { sticky, colour } => {
            WireEvent::StickyRecoloured { sticky_id: sticky.0, colour: colour.code() }
        }
        Event::StickyResized { sticky, width, height } => {
            WireEvent::StickyResized { sticky_id: sticky.0, width: *width, height: *height }
        }
        Event::StickiesGrouped { group, stickies } => WireEvent::StickiesGrouped {
            group_id: group.id.0,
            part_id: group.part.0,
            label: group.label.as_str().to_owned(),
            sticky_ids: stickies.iter().map(|s| s.0).collect(),
        },
        Event::Ungrouped { group } => WireEvent::Ungrouped { group_id: group.0 },
        Event::StickyDeleted { sticky } => WireEvent::StickyDeleted { sticky_id: sticky.0 },
        Event::VoteOpened { part, votes_per_person } => {
            WireEvent::VoteOpened { part_id: part.0, votes_per_person: *votes_per_person }
        }
        Event::VoteCast { voter, sticky } => {
            return (WireEvent::VoteCast { sticky_id: sticky.0 }, Audience::Private(*voter));
        }
        Event::VoteRemoved { voter, sticky } => {
            return (WireEvent::VoteRemoved { sticky_id: sticky.0 }, Audience::Private(*voter));
        }
        Event::VoteClosed { part, tally } => WireEvent::VoteClosed { part_id: part.0, tally: tally_view(tally) },
        Event::NotesSet { part, text } => WireEvent::NotesSet { part_id: part.0, text: text.as_str().to_owned() },
        Event::Strategy(_) => WireEvent::StrategyChanged { changes: strategy_changes() },
    };
    (wire, Audience::Everyone)
}

#[derive(Debug, Clone, Serialize)]
pub struct TimerView {
    pub part_id: u32,
    pub duration_ms: u64,
    /// Server time the timer last (re)started; absent while paused.
    pub running_since_ms: Option<i64>,
    pub elapsed_before_ms: u64,
    pub ended: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActualView {
    pub part_id: u32,
    pub planned_minutes: u32,
    /// How long timers ran for the part, the run in progress included.
    pub actual_ms: u64,
    /// Whole minutes over the timebox (0 when within it).
    pub overrun_minutes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VoteView {
    pub part_id: u32,
    pub votes_per_person: u32,
    pub open: bool,
    /// My own dots in this round.
    pub my_votes: Vec<u64>,
    /// Dots cast by everyone so far.
    pub votes_cast: u32,
    /// The result, once the round is closed.
    pub tally: Option<Vec<TallyView>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteView {
    pub part_id: u32,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub id: u64,
    pub part_id: u32,
    pub label: String,
}

/// The day `now_ms` falls on in the session's time zone: the SMART check's "today".
pub fn session_today(state: &SessionState, now_ms: i64) -> NaiveDate {
    crate::clock::day_in(now_ms, state.settings.time_zone())
}

/// Everything a client needs to draw the room, as of `seq`.
#[derive(Debug, Clone, Serialize)]
pub struct LiveSnapshot {
    pub session: SessionView,
    pub current_part: Option<u32>,
    pub models_open: bool,
    pub timer: Option<TimerView>,
    pub actuals: Vec<ActualView>,
    pub stickies: Vec<StickyView>,
    pub groups: Vec<GroupView>,
    pub vote: Option<VoteView>,
    pub notes: Vec<NoteView>,
    pub strategy: StrategyView,
    /// The lists the client offers to choose from, with their names.
    pub catalogues: CataloguesView,
}

/// One entry of a catalogue: the code the domain stores and its names in both languages,
/// so a client shows the name and stores the code whatever language it speaks.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogueEntry {
    pub code: &'static str,
    pub nl: String,
    pub en: String,
}

/// The domain's catalogues a client offers: the content plan's standard channels and
/// forms (a team may type another), and the sticky colours.
#[derive(Debug, Clone, Serialize)]
pub struct CataloguesView {
    pub channels: Vec<CatalogueEntry>,
    pub forms: Vec<CatalogueEntry>,
    pub colours: Vec<CatalogueEntry>,
}

pub fn catalogues() -> CataloguesView {
    let entries = |list: &[(&'static str, &'static str, &'static str)]| {
        list.iter().map(|&(code, nl, en)| CatalogueEntry { code, nl: nl.to_owned(), en: en.to_owned() }).collect()
    };
    CataloguesView {
        channels: entries(&content_plan::CHANNELS),
        forms: entries(&content_plan::FORMS),
        colours: Colour::ALL
            .into_iter()
            .map(|colour| {
                let key = format!("colour.{}", colour.code());
                CatalogueEntry {
                    code: colour.code(),
                    nl: crate::i18n::text(Lang::Nl, &key, &[]),
                    en: crate::i18n::text(Lang::En, &key, &[]),
                }
            })
            .collect(),
    }
}

pub fn live_snapshot(state: &SessionState, session: SessionView, you: ParticipantId, now_ms: i64) -> LiveSnapshot {
    LiveSnapshot {
        session,
        current_part: state.current().map(|p| p.0),
        models_open: state.models_open,
        timer: state.timer.as_ref().map(|t| TimerView {
            part_id: t.part.0,
            duration_ms: t.duration_ms,
            running_since_ms: t.running_since_ms,
            elapsed_before_ms: t.elapsed_before_ms,
            ended: t.ended,
        }),
        actuals: state
            .parts
            .iter()
            .map(|part| {
                let actual_ms = state.actual_ms(part.id, now_ms);
                ActualView {
                    part_id: part.id.0,
                    planned_minutes: part.minutes.minutes(),
                    actual_ms,
                    overrun_minutes: (actual_ms / 60_000).saturating_sub(u64::from(part.minutes.minutes())),
                }
            })
            .collect(),
        stickies: state.stickies.values().map(StickyView::from).collect(),
        groups: state
            .groups
            .values()
            .map(|g| GroupView { id: g.id.0, part_id: g.part.0, label: g.label.as_str().to_owned() })
            .collect(),
        vote: state.vote.as_ref().map(|round| VoteView {
            part_id: round.part.0,
            votes_per_person: round.votes_per_person,
            open: round.open,
            my_votes: round.votes.get(&you).map(|v| v.iter().map(|s| s.0).collect()).unwrap_or_default(),
            votes_cast: round.votes.values().map(|v| v.len() as u32).sum(),
            tally: (!round.open).then(|| tally_view(&round.tally())),
        }),
        notes: state
            .notes
            .iter()
            .map(|(part, text)| NoteView { part_id: part.0, text: text.as_str().to_owned() })
            .collect(),
        strategy: strategy_view(state, session_today(state, now_ms)),
        catalogues: catalogues(),
    }
}

/// Localized words for a reject or error sent to a client.
pub fn message_for(code: &str, lang: Lang) -> String {
    crate::i18n::text(lang, &format!("error.{code}"), &[])
}

#[cfg(test)]
mod tests {
    use heisessie_domain::catalog::builtin_model;
    use heisessie_domain::planner::PlannerSettings;
    use heisessie_domain::session::SessionDetails;
    use heisessie_domain::text::{Organisation, Title};
    use heisessie_store::SessionId;

    use super::*;

    /// Which variant an event is. A new variant of `WireEvent` does not compile here until
    /// it has a number, and the test below fails until it has a sample.
    fn variant_number(event: &WireEvent) -> usize {
        match event {
            WireEvent::SessionChanged { .. } => 0,
            WireEvent::PartChanged { .. } => 1,
            WireEvent::ModelsOverlay { .. } => 2,
            WireEvent::TimerStarted { .. } => 3,
            WireEvent::TimerPaused { .. } => 4,
            WireEvent::TimerResumed { .. } => 5,
            WireEvent::TimerExtended { .. } => 6,
            WireEvent::TimerReset { .. } => 7,
            WireEvent::TimerWarning { .. } => 8,
            WireEvent::TimerEnded { .. } => 9,
            WireEvent::StickyCreated { .. } => 10,
            WireEvent::StickyEdited { .. } => 11,
            WireEvent::StickyMoved { .. } => 12,
            WireEvent::StickyRecoloured { .. } => 13,
            WireEvent::StickyResized { .. } => 14,
            WireEvent::StickiesGrouped { .. } => 15,
            WireEvent::Ungrouped { .. } => 16,
            WireEvent::StickyDeleted { .. } => 17,
            WireEvent::VoteOpened { .. } => 18,
            WireEvent::VoteCast { .. } => 19,
            WireEvent::VoteRemoved { .. } => 20,
            WireEvent::VoteRecorded => 21,
            WireEvent::VoteClosed { .. } => 22,
            WireEvent::NotesSet { .. } => 23,
            WireEvent::RoleAssigned { .. } => 24,
            WireEvent::StrategyChanged { .. } => 25,
        }
    }

    fn sample_state() -> SessionState {
        let details = SessionDetails {
            title: Title::parse("title", "Proef").expect("a title"),
            organisation: Organisation::parse("organisation", "").expect("an organisation"),
            language: Lang::Nl,
            meeting_link: None,
        };
        let start = NaiveDate::from_ymd_opt(2027, 3, 4).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("a start");
        let settings = PlannerSettings::with_defaults(start, chrono_tz::UTC, 1).expect("settings");
        SessionState::new(details, &builtin_model("heidag").expect("the heidag model"), settings)
    }

    /// One event of every variant, in `WireEvent`'s order.
    fn one_of_each() -> Vec<WireEvent> {
        let state = sample_state();
        let sticky = StickyView {
            id: 1,
            part_id: 1,
            author_id: 1,
            text: String::new(),
            x: 0,
            y: 0,
            width: 160,
            height: 160,
            colour: "yellow",
            group_id: None,
        };
        vec![
            WireEvent::SessionChanged {
                session: Box::new(crate::views::session_view(SessionId::nil(), 0, &state, None, Lang::Nl)),
            },
            WireEvent::PartChanged { part_id: 1 },
            WireEvent::ModelsOverlay { open: true },
            WireEvent::TimerStarted { part_id: 1, duration_ms: 1, at_ms: 0 },
            WireEvent::TimerPaused { at_ms: 0 },
            WireEvent::TimerResumed { at_ms: 0 },
            WireEvent::TimerExtended { by_ms: 0 },
            WireEvent::TimerReset { at_ms: 0 },
            WireEvent::TimerWarning { part_id: 1, seconds_left: 60 },
            WireEvent::TimerEnded { part_id: 1, at_ms: 0 },
            WireEvent::StickyCreated { sticky },
            WireEvent::StickyEdited { sticky_id: 1, text: String::new() },
            WireEvent::StickyMoved { sticky_id: 1, x: 0, y: 0 },
            WireEvent::StickyRecoloured { sticky_id: 1, colour: "pink" },
            WireEvent::StickyResized { sticky_id: 1, width: 40, height: 40 },
            WireEvent::StickiesGrouped { group_id: 1, part_id: 1, label: String::new(), sticky_ids: vec![1] },
            WireEvent::Ungrouped { group_id: 1 },
            WireEvent::StickyDeleted { sticky_id: 1 },
            WireEvent::VoteOpened { part_id: 1, votes_per_person: 3 },
            WireEvent::VoteCast { sticky_id: 1 },
            WireEvent::VoteRemoved { sticky_id: 1 },
            WireEvent::VoteRecorded,
            WireEvent::VoteClosed { part_id: 1, tally: vec![] },
            WireEvent::NotesSet { part_id: 1, text: String::new() },
            WireEvent::RoleAssigned { role: "timekeeper".to_owned(), part_id: None, participant_id: None },
            WireEvent::StrategyChanged { changes: crate::strategy_diff::StrategyChanges::new() },
        ]
    }

    #[test]
    fn event_types_name_every_wire_event() {
        let events = one_of_each();
        let numbers: Vec<usize> = events.iter().map(variant_number).collect();
        assert_eq!(numbers, (0..events.len()).collect::<Vec<_>>(), "one sample of every variant, in order");
        let tags: Vec<String> = events
            .iter()
            .map(|event| {
                let json = serde_json::to_value(event).expect("an event serializes");
                json["type"].as_str().expect("a type").to_owned()
            })
            .collect();
        assert_eq!(tags, EVENT_TYPES);
    }

    #[test]
    fn op_types_are_the_tags_wire_op_reads() {
        let types = op_types();
        assert!(types.len() >= 40, "every op, not a fragment: {types:?}");
        for tag in types {
            // A known tag gets past the tag: serde then asks for fields or succeeds.
            let outcome = serde_json::from_value::<WireOp>(serde_json::json!({ "type": tag }));
            if let Err(error) = outcome {
                assert!(!error.to_string().contains("unknown variant"), "{tag}: {error}");
            }
        }
        let unknown = serde_json::from_value::<WireOp>(serde_json::json!({ "type": "no_such_op" }))
            .expect_err("an unknown op is refused")
            .to_string();
        for tag in types {
            assert!(unknown.contains(&format!("`{tag}`")), "serde's own list names {tag}: {unknown}");
        }
    }

    #[test]
    fn client_message_types_are_the_four_messages() {
        assert_eq!(client_message_types(), ["hello", "op", "presence", "ping"]);
    }

    #[test]
    fn the_catalogues_carry_the_domain_codes_with_both_names() {
        let catalogues = catalogues();
        let form = catalogues.forms.iter().find(|f| f.code == "social_post").expect("social_post");
        assert_eq!((form.nl.as_str(), form.en.as_str()), ("Socialmediapost", "Social media post"));
        assert!(catalogues.channels.iter().any(|c| c.code == "instagram"));
        let yellow = catalogues.colours.iter().find(|c| c.code == "yellow").expect("yellow");
        assert_eq!((yellow.nl.as_str(), yellow.en.as_str()), ("Geel", "Yellow"));
        assert_eq!(catalogues.colours.len(), Colour::ALL.len());
    }
}
