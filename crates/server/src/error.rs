//! One error type at the HTTP boundary. Handlers return `Result<_, ApiError>` and use
//! `?`; the client always gets `{"code", "message", "field"?}` with a stable code and a
//! message in the caller's language, and internal causes are logged, never shown.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use heisessie_domain::Lang;
use heisessie_domain::model_file::ModelFileError;
use heisessie_domain::planner::SettingsError;
use heisessie_domain::session::Rejection;
use heisessie_domain::text::{TextError, TextProblem};
use heisessie_domain::timebox::{MAX_PARTS, Timebox, TimeboxError};
use heisessie_store::StoreError;
use serde::Serialize;

use crate::i18n;

/// What exactly is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    Text(TextProblem),
    OutOfRange { min: i64, max: i64, got: i64 },
    UnknownTimeZone,
    BadStart,
    BadChoice(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    SessionNotFound,
    NotAuthorized,
    LinkRotated,
    RouteNotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    Rejected(Rejection),
    /// The body is not the JSON (or form) the endpoint takes; `detail` is the parser's
    /// words and `field` the path of the value at fault, when there is one.
    InvalidBody {
        detail: String,
        field: Option<String>,
    },
    InvalidField {
        field: String,
        problem: FieldProblem,
    },
    /// A model file that cannot be loaded: where in the file, and what is wrong there.
    InvalidModelFile(ModelFileError),
    /// A part's minutes outside the timebox's bounds.
    MinutesOutOfRange(TimeboxError),
    UnknownModel,
    Conflict,
    /// The same `client_op_id` was sent before with a different op.
    OpIdReused,
    /// The session has as many live connections as it takes.
    SessionFull,
    /// This address has as many live connections as it may.
    TooManyConnections,
    /// Ops come faster than a connection may send them.
    RateLimited,
    /// A WebSocket from another site's page.
    ForeignOrigin,
    /// The disk refused to store the change (full, failing): nothing was changed, and
    /// the same request can be tried again in a moment.
    StorageUnavailable,
    /// The session's strategy content is at its size limit (in KiB).
    StrategyFull {
        max_kb: usize,
    },
    /// Logged with its cause; the client only hears that something went wrong.
    Internal(String),
    // ---- Limits (docs/reliability.md): each says when to try again where it can. ----
    /// A query string that does not fit the endpoint; `detail` is the parser's words.
    InvalidQuery {
        detail: String,
    },
    /// Too many requests of this kind from this address or for this session: try again
    /// after the duration (sent as `Retry-After`).
    Throttled(std::time::Duration),
    /// The server is doing as much of this as it takes at once (PDFs): try again after
    /// the duration (sent as `Retry-After`).
    Busy(std::time::Duration),
}

impl ApiError {
    pub fn field(field: impl Into<String>, problem: FieldProblem) -> Self {
        ApiError::InvalidField { field: field.into(), problem }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::SessionNotFound | ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::NotAuthorized | ApiError::LinkRotated => StatusCode::UNAUTHORIZED,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Rejected(rejection) => match rejection {
                Rejection::FacilitatorOnly
                | Rejection::TimekeeperOnly
                | Rejection::PresenterOnly
                | Rejection::NoteTakerOnly
                | Rejection::NotJoined => StatusCode::FORBIDDEN,
                Rejection::UnknownPart(_)
                | Rejection::UnknownParticipant(_)
                | Rejection::UnknownSticky(_)
                | Rejection::UnknownGroup(_) => StatusCode::NOT_FOUND,
                Rejection::AlreadyJoined
                | Rejection::TooManyParts
                | Rejection::TooManyParticipants
                | Rejection::NameTaken
                | Rejection::CannotRemoveFacilitator
                | Rejection::TooManyStickies
                | Rejection::VoteAlreadyOpen
                | Rejection::TimerRunning
                | Rejection::TimerPaused
                | Rejection::NoTimer
                | Rejection::NoOpenVote => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            },
            ApiError::InvalidBody { .. } => StatusCode::BAD_REQUEST,
            ApiError::InvalidField { .. }
            | ApiError::InvalidModelFile(_)
            | ApiError::MinutesOutOfRange(_)
            | ApiError::UnknownModel => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict | ApiError::OpIdReused => StatusCode::CONFLICT,
            ApiError::SessionFull => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyConnections | ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiError::ForeignOrigin => StatusCode::FORBIDDEN,
            ApiError::StorageUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::StrategyFull { .. } => StatusCode::CONFLICT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::InvalidQuery { .. } => StatusCode::BAD_REQUEST,
            ApiError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::SessionNotFound => "session_not_found",
            ApiError::NotAuthorized => "not_authorized",
            ApiError::LinkRotated => "link_rotated",
            ApiError::RouteNotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::Rejected(rejection) => rejection.code(),
            ApiError::InvalidBody { .. } => "invalid_body",
            ApiError::InvalidField { .. } => "invalid_field",
            ApiError::InvalidModelFile(_) => "invalid_model_file",
            ApiError::MinutesOutOfRange(_) => "minutes_out_of_range",
            ApiError::UnknownModel => "unknown_model",
            ApiError::Conflict => "conflict",
            ApiError::OpIdReused => "op_id_reused",
            ApiError::SessionFull => "session_full",
            ApiError::TooManyConnections => "too_many_connections",
            ApiError::RateLimited => "rate_limited",
            ApiError::ForeignOrigin => "foreign_origin",
            ApiError::StorageUnavailable => "storage_unavailable",
            ApiError::StrategyFull { .. } => "strategy_full",
            ApiError::Internal(_) => "internal",
            ApiError::InvalidQuery { .. } => "invalid_query",
            ApiError::Throttled(_) => "rate_limited",
            ApiError::Busy(_) => "busy",
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let key = format!("error.{}", self.code());
        match self {
            ApiError::Rejected(Rejection::IndexOutOfRange { len, .. }) => {
                i18n::text(lang, &key, &[("max", &len.to_string())])
            }
            ApiError::StrategyFull { max_kb } => i18n::text(lang, &key, &[("max", &max_kb.to_string())]),
            ApiError::Rejected(Rejection::TooManyParts) => i18n::text(lang, &key, &[("max", &MAX_PARTS.to_string())]),
            ApiError::MinutesOutOfRange(error) => i18n::text(
                lang,
                &key,
                &[
                    ("min", &Timebox::MIN_MINUTES.to_string()),
                    ("max", &Timebox::MAX_MINUTES.to_string()),
                    ("got", &error.got.to_string()),
                ],
            ),
            ApiError::InvalidModelFile(error) => i18n::model_file_error(lang, error),
            ApiError::InvalidBody { detail, .. } | ApiError::InvalidQuery { detail } => {
                i18n::text(lang, &key, &[("detail", detail)])
            }
            ApiError::InvalidField { field, problem } => {
                let detail = problem_text(problem, lang);
                i18n::text(lang, &key, &[("field", field), ("detail", &detail)])
            }
            _ => i18n::text(lang, &key, &[]),
        }
    }

    /// Whole seconds to wait before trying again, for `Retry-After`.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Throttled(wait) | ApiError::Busy(wait) => Some(wait.as_secs_f64().ceil().max(1.0) as u64),
            _ => None,
        }
    }

    pub fn field_name(&self) -> Option<&str> {
        match self {
            ApiError::InvalidField { field, .. } => Some(field),
            ApiError::InvalidBody { field, .. } => field.as_deref(),
            ApiError::InvalidModelFile(_) => Some("model_file"),
            ApiError::MinutesOutOfRange(_) => Some("minutes"),
            _ => None,
        }
    }
}

pub fn problem_text(problem: &FieldProblem, lang: Lang) -> String {
    match problem {
        FieldProblem::Text(TextProblem::Empty) => i18n::text(lang, "problem.empty", &[]),
        FieldProblem::Text(TextProblem::TooLong { max, got }) => {
            i18n::text(lang, "problem.too_long", &[("max", &max.to_string()), ("got", &got.to_string())])
        }
        FieldProblem::Text(TextProblem::ControlCharacters) => i18n::text(lang, "problem.control_characters", &[]),
        FieldProblem::Text(TextProblem::NotAWebAddress) => i18n::text(lang, "problem.not_a_web_address", &[]),
        FieldProblem::OutOfRange { min, max, got } => i18n::text(
            lang,
            "problem.out_of_range",
            &[("min", &min.to_string()), ("max", &max.to_string()), ("got", &got.to_string())],
        ),
        FieldProblem::UnknownTimeZone => i18n::text(lang, "problem.unknown_time_zone", &[]),
        FieldProblem::BadStart => i18n::text(lang, "problem.bad_start", &[]),
        FieldProblem::BadChoice(choices) => i18n::text(lang, "problem.bad_choice", &[("choices", choices)]),
    }
}

impl ApiError {
    /// A JSON body that does not fit its type, naming the field at fault: the path to a
    /// wrong value, or the name of a missing field.
    pub fn from_json(error: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let detail = error.inner().to_string();
        let path = error.path().to_string();
        let field = if path != "." {
            Some(path)
        } else {
            detail.strip_prefix("missing field `").and_then(|rest| rest.split('`').next()).map(str::to_owned)
        };
        ApiError::InvalidBody { detail, field }
    }
}

impl From<TextError> for ApiError {
    fn from(error: TextError) -> Self {
        ApiError::field(error.field, FieldProblem::Text(error.problem))
    }
}

impl From<SettingsError> for ApiError {
    fn from(error: SettingsError) -> Self {
        let bounds = error.bounds();
        let problem = FieldProblem::OutOfRange {
            min: i64::from(*bounds.start()),
            max: i64::from(*bounds.end()),
            got: i64::from(error.got()),
        };
        ApiError::field(error.field(), problem)
    }
}

impl From<TimeboxError> for ApiError {
    fn from(error: TimeboxError) -> Self {
        ApiError::MinutesOutOfRange(error)
    }
}

impl From<Rejection> for ApiError {
    fn from(rejection: Rejection) -> Self {
        ApiError::Rejected(rejection)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::SessionNotFound,
            StoreError::Conflict(_) => ApiError::Conflict,
            // The cause was logged where it happened; the person hears what to do.
            StoreError::Unavailable(_) => ApiError::StorageUnavailable,
            StoreError::Broken(cause) => ApiError::Internal(cause),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable, for programs: `session_not_found`, `not_authorized`, `facilitator_only`, …
    pub code: String,
    /// For people, in Dutch or English after `Accept-Language`.
    pub message: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        // The body is written in the caller's language by `localize_errors`, which
        // knows the request; here only the error is attached.
        let mut response = self.status().into_response();
        response.extensions_mut().insert(Arc::new(self));
        response
    }
}

/// The language of a request: `?lang=` first, then `Accept-Language`, then Dutch.
pub fn request_lang(headers: &HeaderMap, query: Option<&str>) -> Lang {
    let from_query = query.and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=").and_then(Lang::parse)));
    from_query
        .or_else(|| {
            headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// Middleware: turns an attached `ApiError` into its JSON body in the request's language.
pub async fn localize_errors(request: Request, next: Next) -> Response {
    let lang = request_lang(request.headers(), request.uri().query());
    let mut response = next.run(request).await;
    let Some(error) = response.extensions_mut().remove::<Arc<ApiError>>() else {
        return response;
    };
    let body = ErrorBody {
        code: error.code().to_owned(),
        message: error.message(lang),
        field: error.field_name().map(str::to_owned),
    };
    let mut localized = (error.status(), axum::Json(body)).into_response();
    localized.headers_mut().insert(header::CONTENT_LANGUAGE, axum::http::HeaderValue::from_static(lang.code()));
    if let Some(seconds) = error.retry_after() {
        localized.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
    }
    localized
}
