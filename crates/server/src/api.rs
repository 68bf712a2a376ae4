//! The JSON API: sessions, their program and schedule, joining, roles and links.
//! Handlers parse and authorise; every rule about the session lives in the domain.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use chrono_tz::Tz;
use heisessie_domain::Lang;
use heisessie_domain::catalog;
use heisessie_domain::model::{Model, Priority, WorkspaceKind};
use heisessie_domain::model_file;
use heisessie_domain::planner::{self, LivePosition, PartId, PlannerSettings};
use heisessie_domain::session::{self, Actor, Event, Op, Participant, ParticipantId, SessionDetails, SessionState};
use heisessie_domain::text::{DisplayName, MeetingLink, Organisation, Title};
use heisessie_domain::timebox::Timebox;
use heisessie_export::agenda::{AgendaView, ReplanView, agenda_view, replan_view};
use heisessie_store::{LinkKind, NewCredential, NewEvent, NewSession, SessionId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::access::{Caller, FacilitatorCaller, SessionCaller, Token, credential_cookie, parse_session_id};
use crate::error::{ApiError, ErrorBody, FieldProblem};
use crate::i18n::RequestLang;
use crate::rooms::RoomError;
use crate::views::{ModelView, SessionView, model_view, session_view};

/// A JSON body whose every failure (not JSON, a missing field, a wrong type) becomes an
/// `invalid_body` error naming the field, instead of axum's plain-text rejection.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(ApiError::InvalidBody { detail: "Content-Type must be application/json".into(), field: None });
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::InvalidBody { detail: rejection.body_text(), field: None }
            }
        })?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            ApiError::InvalidBody { detail: error.inner().to_string(), field: (path != ".").then_some(path) }
        })?;
        Ok(ApiJson(value))
    }
}

/// The room's refusals as the API tells them (and the live protocol's `reject`s).
impl From<RoomError> for ApiError {
    fn from(error: RoomError) -> Self {
        match error {
            RoomError::SessionNotFound => ApiError::SessionNotFound,
            RoomError::NotAuthorized => ApiError::NotAuthorized,
            RoomError::SessionFull => ApiError::SessionFull,
            RoomError::OpIdReused => ApiError::OpIdReused,
            RoomError::StrategyFull { max_kb } => ApiError::StrategyFull { max_kb },
            RoomError::Rejected(rejection) => ApiError::Rejected(rejection),
            RoomError::Conflict => ApiError::Conflict,
            RoomError::StorageUnavailable => ApiError::StorageUnavailable,
            RoomError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

// ---- Wire types -------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSessionRequest {
    /// The session's title, 1–120 characters.
    pub title: String,
    #[serde(default)]
    pub organisation: Option<String>,
    /// `nl` (default) or `en`: the language of the session's texts and exports.
    #[serde(default)]
    pub language: Option<String>,
    /// The video meeting (Meet, Teams, Zoom, Jitsi, …), an http(s) address.
    #[serde(default)]
    pub meeting_link: Option<String>,
    /// A built-in model: `heidag` (default), `sostac` or `blank`.
    #[serde(default)]
    pub model: Option<String>,
    /// A model file (TOML, see docs/models.md); when given, `model` is ignored.
    #[serde(default)]
    pub model_file: Option<String>,
    /// The creator's display name; the creator joins as facilitator.
    #[serde(default)]
    pub facilitator_name: Option<String>,
    /// When and how long: the planner's settings.
    pub settings: SettingsInput,
}

/// Planner settings as sent by a client; every field but `start` has a default.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    /// Local start of the first day, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    /// IANA time zone, default `Europe/Amsterdam`.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Longest day in minutes, breaks included (60–720, default 300).
    #[serde(default)]
    pub max_day_minutes: Option<u32>,
    /// Most minutes of work without a break (30–240, default 90).
    #[serde(default)]
    pub max_work_stretch_minutes: Option<u32>,
    /// Length of a coffee break (5–60, default 15).
    #[serde(default)]
    pub break_minutes: Option<u32>,
    /// 1 or 2 (default 1).
    #[serde(default)]
    pub days: Option<u32>,
    /// Days between the two parts (1–60, default 7).
    #[serde(default)]
    pub gap_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedSession {
    #[schema(value_type = String, format = Uuid)]
    pub session_id: SessionId,
    /// Give only to those who may set up the session. Shown this once.
    pub facilitator_link: String,
    /// Share with the team. Shown this once.
    pub participant_link: String,
    /// The creator's personal credential (also set as a cookie); send as `Authorization: Bearer`.
    pub credential: String,
    pub session: SessionView,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditSessionRequest {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub organisation: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// An empty string removes the link.
    #[serde(default)]
    pub meeting_link: Option<String>,
    /// New planner settings; the whole set, as at creation.
    #[serde(default)]
    pub settings: Option<SettingsInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddPartRequest {
    pub title: String,
    pub minutes: u32,
    /// `must`, `should` (default) or `could`.
    #[serde(default)]
    pub priority: Option<String>,
    /// The workspace the part opens; default `board`.
    #[serde(default)]
    pub workspace: Option<String>,
    /// 0-based position; default at the end.
    #[serde(default)]
    pub index: Option<usize>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetimePartRequest {
    pub minutes: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovePartRequest {
    /// The 0-based position the part moves to.
    pub to_index: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// The token from the link (`k=` in the link's address).
    pub token: String,
    pub display_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Joined {
    pub participant_id: u64,
    pub is_facilitator: bool,
    /// The personal credential (also set as a cookie); send as `Authorization: Bearer`.
    pub credential: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRoleRequest {
    /// `process_facilitator`, `timekeeper`, `note_taker` or `presenter`.
    pub role: String,
    /// For `presenter`: the part presented.
    #[serde(default)]
    pub part_id: Option<u32>,
    /// Who gets the role; `null` takes it away.
    pub participant_id: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedLink {
    /// The new link; the old one stopped working.
    pub link: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplanRequest {
    pub current_part: u32,
    /// Minutes spent in the current part so far.
    pub minutes_used: u32,
    /// Minutes behind (or, negative, ahead of) the plan from the parts already done.
    #[serde(default)]
    pub overrun_so_far: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
}

// ---- Parsing input into domain values --------------------------------------------

pub const DEFAULT_TIME_ZONE: &str = "Europe/Amsterdam";

fn parse_lang(field: &str, code: Option<&str>) -> Result<Lang, ApiError> {
    match code {
        None => Ok(Lang::Nl),
        Some(code) => Lang::parse(code).ok_or_else(|| ApiError::field(field, FieldProblem::BadChoice("nl, en"))),
    }
}

pub fn parse_start(field: &str, text: &str) -> Result<NaiveDateTime, ApiError> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text.trim(), format).ok())
        .ok_or_else(|| ApiError::field(field, FieldProblem::BadStart))
}

pub fn parse_time_zone(field: &str, text: Option<&str>) -> Result<Tz, ApiError> {
    text.unwrap_or(DEFAULT_TIME_ZONE)
        .trim()
        .parse::<Tz>()
        .map_err(|_| ApiError::field(field, FieldProblem::UnknownTimeZone))
}

impl SettingsInput {
    pub fn parse(&self) -> Result<PlannerSettings, ApiError> {
        Ok(PlannerSettings::new(
            parse_start("start", &self.start)?,
            parse_time_zone("time_zone", self.time_zone.as_deref())?,
            self.max_day_minutes.unwrap_or(PlannerSettings::DEFAULT_MAX_DAY_MINUTES),
            self.max_work_stretch_minutes.unwrap_or(PlannerSettings::DEFAULT_MAX_WORK_STRETCH_MINUTES),
            self.break_minutes.unwrap_or(PlannerSettings::DEFAULT_BREAK_MINUTES),
            self.days.unwrap_or(1),
            self.gap_days.unwrap_or(PlannerSettings::DEFAULT_GAP_DAYS),
        )?)
    }
}

fn parse_meeting_link(text: Option<&str>) -> Result<Option<MeetingLink>, ApiError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(link) => Ok(Some(MeetingLink::parse("meeting_link", link)?)),
    }
}

pub fn resolve_model(model: Option<&str>, model_file: Option<&str>) -> Result<Model, ApiError> {
    match model_file {
        Some(text) => model_file::parse_model_file(text).map_err(ApiError::InvalidModelFile),
        None => catalog::builtin_model(model.unwrap_or("heidag")).ok_or(ApiError::UnknownModel),
    }
}

fn parse_priority(text: Option<&str>) -> Result<Priority, ApiError> {
    text.map_or(Ok(Priority::Should), |code| {
        Priority::parse(code).ok_or_else(|| ApiError::field("priority", FieldProblem::BadChoice("must, should, could")))
    })
}

fn parse_workspace(text: Option<&str>) -> Result<WorkspaceKind, ApiError> {
    text.map_or(Ok(WorkspaceKind::Board), |code| {
        WorkspaceKind::parse(code).ok_or_else(|| {
            ApiError::field(
                "workspace",
                FieldProblem::BadChoice("board, end_goals, smart_goals, personas, core_message, actions, notes"),
            )
        })
    })
}

fn parse_part_id(text: &str) -> Result<PartId, ApiError> {
    text.parse::<u32>()
        .map(PartId)
        .map_err(|_| ApiError::field("part_id", FieldProblem::OutOfRange { min: 1, max: i64::from(u32::MAX), got: 0 }))
}

// ---- Use cases shared by the API and the pages -------------------------------------

/// What creating a session hands back: the only moment the links are readable.
pub struct Creation {
    pub id: SessionId,
    pub seq: u64,
    pub state: SessionState,
    pub facilitator_link: String,
    pub participant_link: String,
    pub credential: Token,
}

impl AppState {
    pub fn link(&self, id: SessionId, token: &Token) -> String {
        format!("{}/s/{}?k={}", self.public_url, id, token.expose())
    }

    pub async fn create_session(&self, request: &CreateSessionRequest, ui_lang: Lang) -> Result<Creation, ApiError> {
        let language = match request.language.as_deref() {
            None => ui_lang,
            code => parse_lang("language", code)?,
        };
        let details = SessionDetails {
            title: Title::parse("title", &request.title)?,
            organisation: Organisation::parse("organisation", request.organisation.as_deref().unwrap_or(""))?,
            language,
            meeting_link: parse_meeting_link(request.meeting_link.as_deref())?,
        };
        let default_name = heisessie_domain::session::default_facilitator_name(language);
        let name = match request.facilitator_name.as_deref().map(str::trim) {
            None | Some("") => default_name,
            Some(name) => name,
        };
        let display_name = DisplayName::parse("facilitator_name", name)?;
        let model = resolve_model(request.model.as_deref(), request.model_file.as_deref())?;
        let settings = request.settings.parse()?;

        let state = SessionState::new(details, &model, settings);
        let now = chrono::Utc::now().timestamp_millis();
        self.store_new_session(state, vec![(now, Actor::Newcomer { facilitator: true }, Op::Join { display_name })])
            .await
    }

    /// Stores a new session: its initial state, then the events of `steps` (each an op
    /// by an actor at a time), decided by the domain like any other op. The first step is
    /// the facilitator's join; the creator gets that participant's credential.
    pub async fn store_new_session(
        &self,
        initial: SessionState,
        steps: Vec<(i64, Actor, Op)>,
    ) -> Result<Creation, ApiError> {
        let mut state = initial;
        let mut events = vec![NewEvent::system(Event::SessionCreated { state: Box::new(state.clone()) })];
        for (at, actor, op) in steps {
            for event in session::apply(&state, actor, op, at)? {
                state.apply_event(&event);
                events.push(NewEvent::system(event));
            }
        }
        let creator = state.participants.iter().find(|p| p.is_facilitator).map(|p| p.id).unwrap_or(ParticipantId(1));
        let facilitator_token = Token::generate()?;
        let participant_token = Token::generate()?;
        let credential = Token::generate()?;
        let id = SessionId::now_v7();
        let seq = events.len() as u64;
        self.store
            .create_session(NewSession {
                id,
                created_at_ms: chrono::Utc::now().timestamp_millis(),
                facilitator_link: facilitator_token.hash(),
                participant_link: participant_token.hash(),
                events,
                creator: Some(NewCredential {
                    token: credential.hash(),
                    participant: creator,
                    via: LinkKind::Facilitator,
                }),
            })
            .await?;
        tracing::info!(session = %id, model = %state.model.id, "session created");
        Ok(Creation {
            id,
            seq,
            state,
            facilitator_link: self.link(id, &facilitator_token),
            participant_link: self.link(id, &participant_token),
            credential,
        })
    }

    /// Joins with a link token; returns the new participant and their credential.
    ///
    /// Joins are rate-limited per client address (`from`, counted before the token is
    /// even looked at) and, through the participant link, per session; the facilitator
    /// link is never held back by the session's limit, nor by a full session.
    pub async fn join(
        &self,
        id: SessionId,
        link_token: &str,
        name: &str,
        from: Option<std::net::IpAddr>,
    ) -> Result<(Participant, Token), ApiError> {
        if let Some(address) = from {
            self.limits.joins_by_address.take(address).map_err(ApiError::Throttled)?;
        }
        let token = Token::parse(link_token).ok_or(ApiError::NotAuthorized)?;
        let kind = self.link_kind(id, &token).await?;
        if kind == LinkKind::Participant {
            self.limits.joins_by_session.take(id).map_err(ApiError::Throttled)?;
        }
        let display_name = DisplayName::parse("display_name", name)?;
        let credential = Token::generate()?;
        // The room puts the id the join hands out into the credential.
        let credential_record = NewCredential { token: credential.hash(), participant: ParticipantId(0), via: kind };
        let applied = self
            .rooms
            .apply(
                id,
                Actor::Newcomer { facilitator: kind == LinkKind::Facilitator },
                Op::Join { display_name },
                Some(credential_record),
            )
            .await?;
        let participant = applied
            .events
            .iter()
            .find_map(|event| match event {
                Event::ParticipantJoined { participant } => Some(participant.clone()),
                _ => None,
            })
            .ok_or_else(|| ApiError::Internal("a join made no participant".into()))?;
        tracing::info!(session = %id, participant = participant.id.0, via = kind.code(), "participant joined");
        Ok((participant, credential))
    }

    async fn apply_as(&self, id: SessionId, caller: Caller, op: Op) -> Result<(u64, SessionState), ApiError> {
        // The same budget as the person's live connections: one budget per person.
        self.limits.ops_by_participant.take((id, caller.participant)).map_err(ApiError::Throttled)?;
        let applied = self.rooms.apply(id, Actor::Participant(caller.participant), op, None).await?;
        Ok((applied.seq, applied.state))
    }

    /// The session as `caller` may read it: only while they are still in it (a removed
    /// participant's credential opens nothing).
    pub async fn read_as(&self, id: SessionId, caller: Caller) -> Result<(u64, SessionState), ApiError> {
        let (seq, state) = self.rooms.read(id).await?;
        if state.participant(caller.participant).is_none() {
            return Err(ApiError::NotAuthorized);
        }
        Ok((seq, state))
    }
}

// ---- Handlers -----------------------------------------------------------------------

type ApiResult<T> = Result<T, ApiError>;

#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

#[utoipa::path(get, path = "/api/models", tag = "models",
    params(("lang" = Option<String>, Query, description = "nl or en; default from Accept-Language")),
    responses((status = 200, body = Vec<ModelView>)))]
pub async fn list_models(RequestLang(lang): RequestLang) -> Json<Vec<ModelView>> {
    Json(catalog::builtin_models().iter().map(|model| model_view(model, lang)).collect())
}

#[utoipa::path(post, path = "/api/sessions", tag = "sessions", request_body = CreateSessionRequest,
    responses((status = 201, body = CreatedSession), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many sessions from this address; see Retry-After", body = ErrorBody)))]
pub async fn create_session(
    State(app): State<AppState>,
    RequestLang(lang): RequestLang,
    ApiJson(request): ApiJson<CreateSessionRequest>,
) -> ApiResult<Response> {
    let created = app.create_session(&request, lang).await?;
    let cookie = credential_cookie(created.id, &created.credential, app.secure_cookies);
    let creator = created.state.participants.last().map(|p| p.id).unwrap_or(ParticipantId(1));
    let body = CreatedSession {
        session_id: created.id,
        facilitator_link: created.facilitator_link,
        participant_link: created.participant_link,
        credential: created.credential.expose().to_owned(),
        session: session_view(created.id, created.seq, &created.state, Some(creator), lang),
    };
    Ok((StatusCode::CREATED, [(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

#[utoipa::path(get, path = "/api/sessions/{id}", tag = "sessions",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = SessionView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_session(
    State(app): State<AppState>,
    SessionCaller { id, caller }: SessionCaller,
    RequestLang(lang): RequestLang,
) -> ApiResult<Json<SessionView>> {
    let (seq, state) = app.read_as(id, caller).await?;
    Ok(Json(session_view(id, seq, &state, Some(caller.participant), lang)))
}

#[utoipa::path(patch, path = "/api/sessions/{id}", tag = "sessions", request_body = EditSessionRequest,
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = SessionView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit_session(
    State(app): State<AppState>,
    FacilitatorCaller { id, caller }: FacilitatorCaller,
    RequestLang(lang): RequestLang,
    ApiJson(request): ApiJson<EditSessionRequest>,
) -> ApiResult<Json<SessionView>> {
    let (_, current) = app.rooms.read(id).await?;
    // Everything is parsed before anything is applied, so a bad field changes nothing.
    let details = SessionDetails {
        title: match &request.title {
            Some(title) => Title::parse("title", title)?,
            None => current.details.title.clone(),
        },
        organisation: match &request.organisation {
            Some(organisation) => Organisation::parse("organisation", organisation)?,
            None => current.details.organisation.clone(),
        },
        language: match request.language.as_deref() {
            Some(code) => parse_lang("language", Some(code))?,
            None => current.details.language,
        },
        meeting_link: match &request.meeting_link {
            Some(link) => parse_meeting_link(Some(link))?,
            None => current.details.meeting_link.clone(),
        },
    };
    let settings = request.settings.as_ref().map(SettingsInput::parse).transpose()?;
    let mut ops = Vec::new();
    if details != current.details {
        ops.push(Op::EditDetails { details });
    }
    if let Some(settings) = settings {
        ops.push(Op::ChangeSettings { settings });
    }
    // Both changes commit together or not at all.
    let (seq, state) = if ops.is_empty() {
        app.rooms.read(id).await?
    } else {
        let applied = app.rooms.apply_all(id, Actor::Participant(caller.participant), ops).await?;
        (applied.seq, applied.state)
    };
    Ok(Json(session_view(id, seq, &state, Some(caller.participant), lang)))
}

#[utoipa::path(get, path = "/api/sessions/{id}/schedule", tag = "sessions",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = AgendaView), (status = 401, body = ErrorBody)))]
pub async fn get_schedule(
    State(app): State<AppState>,
    SessionCaller { id, caller }: SessionCaller,
    RequestLang(lang): RequestLang,
) -> ApiResult<Json<AgendaView>> {
    let (_, state) = app.read_as(id, caller).await?;
    Ok(Json(agenda_view(&state.schedule(), lang)))
}

#[utoipa::path(post, path = "/api/sessions/{id}/replan", tag = "sessions", request_body = ReplanRequest,
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = ReplanView), (status = 404, body = ErrorBody)))]
pub async fn replan(
    State(app): State<AppState>,
    SessionCaller { id, caller }: SessionCaller,
    RequestLang(lang): RequestLang,
    ApiJson(request): ApiJson<ReplanRequest>,
) -> ApiResult<Json<ReplanView>> {
    let (_, state) = app.read_as(id, caller).await?;
    let position = LivePosition {
        current_part: PartId(request.current_part),
        minutes_used: request.minutes_used,
        overrun_so_far: request.overrun_so_far,
    };
    let replan = planner::replan(&state.plan_parts(), &state.settings, &position)
        .ok_or(ApiError::Rejected(heisessie_domain::session::Rejection::UnknownPart(position.current_part)))?;
    Ok(Json(replan_view(&replan, lang)))
}

#[utoipa::path(post, path = "/api/sessions/{id}/parts", tag = "program", request_body = AddPartRequest,
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = SessionView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_part(
    State(app): State<AppState>,
    SessionCaller { id, caller }: SessionCaller,
    RequestLang(lang): RequestLang,
    ApiJson(request): ApiJson<AddPartRequest>,
) -> ApiResult<Json<SessionView>> {
    let op = Op::AddPart {
        title: Title::parse("title", &request.title)?,
        minutes: Timebox::new(request.minutes)?,
        priority: parse_priority(request.priority.as_deref())?,
        workspace: parse_workspace(request.workspace.as_deref())?,
        index: request.index,
    };
    let (seq, state) = app.apply_as(id, caller, op).await?;
    Ok(Json(session_view(id, seq, &state, Some(caller.participant), lang)))
}

#[utoipa::path(patch, path = "/api/sessions/{id}/parts/{part_id}", tag = "program", request_body = RetimePartRequest,
    params(("id" = String, Path, description = "The session's id"), ("part_id" = u32, Path, description = "The part's id")),
    responses((status = 200, body = SessionView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn retime_part(
    State(app): State<AppState>,
    SessionCaller { id, caller }: SessionCaller,
    Path((_, part)): Path<(String, String)>,
    RequestLang(lang): RequestLang,
    ApiJson(request): ApiJson<RetimePartRequest>,
) -> ApiResult<Json<SessionView>> {
    let part = parse_part_id(&part)?;
    let (seq, state) =
        app.apply_as(id, caller, Op::RetimePart { part, minutes: Timebox::new(request.minutes)? }).await?;
    Ok(Json(session_view(id, seq, &state, Some(caller.participant), lang)))
}

#[utoipa::path(delete, path = "/api/sessions/{id}/parts/{part_id}", tag = "program",
    params(("id" = String, Path, description = "The session's id"), ("part_id" = u32, Path, description = "The part's id")),
    responses((status = 200, body = SessionView), (status = 404, body = ErrorBody)))]
pub async fn remove_part(
    State(app): State<AppState>,
    SessionCaller { id, caller }: SessionCaller,
    Path((_, part)): Path<(String, String)>,
    RequestLang(lang): RequestLang,
) -> ApiResult<Json<SessionView>> {
    let part = parse_part_id(&part)?;
    let (seq, state) = app.apply_as(id, caller, Op::RemovePart { part }).await?;
    Ok(Json(session_view(id, seq, &state, Some(caller.participant), lang)))
}

#[utoipa::path(post, path = "/api/sessions/{id}/parts/{part_id}/move", tag = "program", request_body = MovePartRequest,
    params(("id" = String, Path, description = "The session's id"), ("part_id" = u32, Path, description = "The part's id")),
    responses((status = 200, body = SessionView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_part(
    State(app): State<AppState>,
    SessionCaller { id, caller }: SessionCaller,
    Path((_, part)): Path<(String, String)>,
    RequestLang(lang): RequestLang,
    ApiJson(request): ApiJson<MovePartRequest>,
) -> ApiResult<Json<SessionView>> {
    let part = parse_part_id(&part)?;
    let (seq, state) = app.apply_as(id, caller, Op::MovePart { part, to_index: request.to_index }).await?;
    Ok(Json(session_view(id, seq, &state, Some(caller.participant), lang)))
}

#[utoipa::path(post, path = "/api/sessions/{id}/join", tag = "participants", request_body = JoinRequest,
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 201, body = Joined), (status = 401, body = ErrorBody), (status = 409, description = "`name_taken`, `too_many_participants`", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many joins from this address or through this link; see Retry-After", body = ErrorBody)))]
pub async fn join(
    State(app): State<AppState>,
    Path(id): Path<String>,
    extensions: axum::http::Extensions,
    ApiJson(request): ApiJson<JoinRequest>,
) -> ApiResult<Response> {
    let id = parse_session_id(&id)?;
    let from = crate::client_address(&extensions);
    let (participant, credential) = app.join(id, &request.token, &request.display_name, from).await?;
    let cookie = credential_cookie(id, &credential, app.secure_cookies);
    let body = Joined {
        participant_id: participant.id.0,
        is_facilitator: participant.is_facilitator,
        credential: credential.expose().to_owned(),
    };
    Ok((StatusCode::CREATED, [(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

#[utoipa::path(post, path = "/api/sessions/{id}/roles", tag = "participants", request_body = AssignRoleRequest,
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = SessionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn assign_role(
    State(app): State<AppState>,
    SessionCaller { id, caller }: SessionCaller,
    RequestLang(lang): RequestLang,
    ApiJson(request): ApiJson<AssignRoleRequest>,
) -> ApiResult<Json<SessionView>> {
    let role = crate::protocol::role(&request.role, request.part_id)?;
    let op = Op::AssignRole { role, participant: request.participant_id.map(ParticipantId) };
    let (seq, state) = app.apply_as(id, caller, op).await?;
    Ok(Json(session_view(id, seq, &state, Some(caller.participant), lang)))
}

#[utoipa::path(delete, path = "/api/sessions/{id}/participants/{participant_id}", tag = "participants",
    params(("id" = String, Path, description = "The session's id"), ("participant_id" = u64, Path, description = "The participant to remove")),
    responses((status = 200, body = SessionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`cannot_remove_facilitator`", body = ErrorBody)))]
pub async fn remove_participant(
    State(app): State<AppState>,
    FacilitatorCaller { id, caller }: FacilitatorCaller,
    Path((_, participant)): Path<(String, String)>,
    RequestLang(lang): RequestLang,
) -> ApiResult<Json<SessionView>> {
    let participant = participant
        .parse::<u64>()
        .map(ParticipantId)
        .map_err(|_| ApiError::field("participant_id", FieldProblem::OutOfRange { min: 1, max: i64::MAX, got: 0 }))?;
    let (seq, state) = app.apply_as(id, caller, Op::RemoveParticipant { participant }).await?;
    // Their open connections end now; their credentials open nothing from here on (the
    // room and `read_as` look them up in the session). The link they came through still
    // works: rotate it to keep them out for good.
    let closed = app.connections.end_access(id, |other| other.participant == participant, "removed");
    tracing::info!(session = %id, participant = participant.0, closed, "participant removed");
    Ok(Json(session_view(id, seq, &state, Some(caller.participant), lang)))
}

#[utoipa::path(post, path = "/api/sessions/{id}/links/{kind}/rotate", tag = "participants",
    params(("id" = String, Path, description = "The session's id"), ("kind" = String, Path, description = "facilitator or participant")),
    responses((status = 200, body = RotatedLink), (status = 403, body = ErrorBody)))]
pub async fn rotate_link(
    State(app): State<AppState>,
    FacilitatorCaller { id, caller }: FacilitatorCaller,
    Path((_, kind)): Path<(String, String)>,
) -> ApiResult<Json<RotatedLink>> {
    let kind = match kind.as_str() {
        "facilitator" => LinkKind::Facilitator,
        "participant" => LinkKind::Participant,
        _ => {
            return Err(ApiError::field("kind", FieldProblem::BadChoice("facilitator, participant")));
        }
    };
    let token = Token::generate()?;
    // The facilitator who rotates stays in; everyone else who came through the old link is out.
    let keep = (caller.via == kind).then_some(caller.participant);
    app.store.rotate_link(id, kind, token.hash(), keep).await?;
    // Their open connections end now, not at their next reconnect.
    let closed =
        app.connections.end_access(id, |other| other.via == kind && Some(other.participant) != keep, "link_rotated");
    tracing::info!(session = %id, link = kind.code(), closed, "link rotated");
    Ok(Json(RotatedLink { link: app.link(id, &token) }))
}

#[utoipa::path(get, path = "/api/sessions/{id}/strategy", tag = "strategy",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, description = "End goals, SMART goals with their check, personas, core message with its calendar, ideas, actions, responsibilities, suggestions and workload (see docs/protocol.md, strategy_changed)", body = Object),
        (status = 401, body = ErrorBody)))]
pub async fn get_strategy(
    State(app): State<AppState>,
    SessionCaller { id, caller }: SessionCaller,
) -> ApiResult<Json<crate::strategy_view::StrategyView>> {
    let (_, state) = app.read_as(id, caller).await?;
    let today = crate::protocol::session_today(&state, app.rooms.config().clock.now_ms());
    Ok(Json(crate::strategy_view::strategy_view(&state, today)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckGoalRequest {
    pub text: String,
    /// `nl` (default) or `en`: the goal's language, and the answer's.
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub metric: Option<String>,
    #[serde(default)]
    pub baseline: Option<f64>,
    #[serde(default)]
    pub target: Option<f64>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub means: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/check-goal", tag = "strategy", request_body = CheckGoalRequest,
    responses((status = 200, description = "`{S, M, A, R, T}`, each `{verdict: holds|missing|unclear, reason, suggestion}`", body = Object),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check_goal(
    ApiJson(request): ApiJson<CheckGoalRequest>,
) -> ApiResult<Json<crate::strategy_view::SmartLettersView>> {
    let lang = parse_lang("language", request.language.as_deref())?;
    let text = heisessie_domain::strategy::FieldText::parse("text", &request.text)?;
    if text.is_empty() {
        return Err(ApiError::field("text", FieldProblem::Text(heisessie_domain::text::TextProblem::Empty)));
    }
    let fields = heisessie_domain::smart::GoalFields {
        metric: request.metric,
        baseline: request.baseline,
        target: request.target,
        deadline: request.deadline,
        owner: request.owner,
        means: request.means,
        reason: request.reason,
    };
    let today = chrono::Utc::now().date_naive();
    let check = heisessie_domain::smart::check_goal(text.as_str(), lang, &fields, &Default::default(), today);
    Ok(Json((&check).into()))
}

/// `?participant=ID` narrows `actions.ics` to one person's deadlines.
#[derive(Debug, Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    pub participant: Option<u64>,
}

#[utoipa::path(get, path = "/api/sessions/{id}/exports/{file}", tag = "exports",
    params(("id" = String, Path, description = "The session's id"),
        ("participant" = Option<u64>, Query, description = "For actions.ics: only this participant's deadlines"),
        ("file" = String, Path, description = "report.html, report.md, report.pdf, deck.html, deck.pdf, session.ics, actions.ics, content.ics, actions.csv or content.csv")),
    responses((status = 200, description = "The file, as an attachment named after the session's id"),
        (status = 400, description = "`invalid_query`: a query parameter that does not parse", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, description = "`busy`: as many PDFs are being typeset as the server takes; see Retry-After", body = ErrorBody)))]
pub async fn export(
    State(app): State<AppState>,
    // The query is read first: a malformed one is told before a missing credential.
    axum::extract::Query(query): axum::extract::Query<ExportQuery>,
    SessionCaller { id, caller }: SessionCaller,
    Path((_, file)): Path<(String, String)>,
) -> ApiResult<Response> {
    let kind = crate::exports::parse_kind(&file)?;
    let (_, state) = app.read_as(id, caller).await?;
    let facilitator = state.participant(caller.participant).is_some_and(|p| p.is_facilitator);
    if !facilitator && !state.exports_open {
        return Err(ApiError::Rejected(heisessie_domain::session::Rejection::FacilitatorOnly));
    }
    // Typesetting a PDF takes real CPU time: off the async workers, so the rooms stay quick.
    let public_url = app.public_url.clone();
    let person = match query.participant {
        Some(who) if state.participant(ParticipantId(who)).is_none() => {
            return Err(ApiError::Rejected(heisessie_domain::session::Rejection::UnknownParticipant(ParticipantId(
                who,
            ))));
        }
        who => who.map(ParticipantId),
    };
    // A PDF takes a core and tens of megabytes: only a few at a time, a few more in
    // line, and the rest hear "busy, try again" (503 with Retry-After).
    let turn = match kind {
        crate::exports::ExportKind::ReportPdf | crate::exports::ExportKind::DeckPdf => {
            Some(app.limits.pdf.turn().await?)
        }
        _ => None,
    };
    let body = tokio::task::spawn_blocking(move || {
        let rendered = crate::exports::render_for(kind, id, &state, &public_url, person);
        drop(turn);
        rendered
    })
    .await
    .map_err(|error| ApiError::Internal(format!("the export stopped: {error}")))??;
    let disposition = format!("attachment; filename=\"{}\"", crate::exports::file_name(id, kind));
    Ok((
        [
            (header::CONTENT_TYPE, kind.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Heisessie API",
        description = "Sessions, their program and schedule, participants, roles and links. Errors are `{code, message, field?}` with the message in Dutch or English after Accept-Language."
    ),
    paths(
        healthz,
        list_models,
        create_session,
        get_session,
        edit_session,
        get_schedule,
        replan,
        add_part,
        retime_part,
        remove_part,
        move_part,
        join,
        assign_role,
        remove_participant,
        rotate_link,
        get_strategy,
        check_goal,
        export
    ),
    components(schemas(ErrorBody))
)]
pub struct ApiDoc;

/// The OpenAPI document, as served and as stored in `docs/openapi.json`.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}
