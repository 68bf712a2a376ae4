//! The first server-rendered pages: create a session from a model and see its planned
//! agenda with the breaks; open a link and join. The full web app replaces the session
//! page later; these stay as the no-JavaScript path.

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Duration, Utc};
use heisessie_domain::Lang;
use heisessie_domain::catalog;
use heisessie_domain::session::{Role, SessionState};
use heisessie_export::agenda::{AgendaView, BlockKindView, agenda_view};
// Every user text reaches a page through the exports' HTML escaper, bidi isolation included.
use heisessie_export::escape::escape_html as esc;
use heisessie_store::SessionId;
use serde::Deserialize;

use crate::AppState;
use crate::access::{Token, credential_cookie, parse_session_id};
use crate::api::{CreateSessionRequest, DEFAULT_TIME_ZONE, SettingsInput};
use crate::error::{ApiError, FieldProblem};
use crate::i18n::{self, RequestLang, text};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/sessions", post(create_from_form))
        .route("/s/{id}", get(session_page))
        .route("/s/{id}/join", post(join_from_form))
        .route("/s/{id}/prepare", get(prepare_page))
        .route("/s/{id}/follow-up", get(follow_up_page))
        .route("/s/{id}/follow-up/measure", post(record_measurement))
        .route("/s/{id}/follow-up/session", post(schedule_follow_up))
        .route("/demo", post(start_demo))
        .route("/locales/{file}", get(locale_file))
}

fn page(lang: Lang, title: &str, body: &str) -> Html<String> {
    let other = match lang {
        Lang::Nl => Lang::En,
        Lang::En => Lang::Nl,
    };
    Html(format!(
        "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Heisessie</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\
         <body><header class=\"top\"><a class=\"brand\" href=\"/?lang={code}\">Heisessie</a>\
         <a class=\"lang\" href=\"?lang={other_code}\" hreflang=\"{other_code}\">{switch}</a></header>\
         <main>{body}</main></body></html>",
        code = lang.code(),
        title = esc(title),
        other_code = other.code(),
        switch = esc(&text(lang, "lang.switch", &[])),
    ))
}

async fn locale_file(Path(file): Path<String>) -> Result<Response, ApiError> {
    let lang = file.strip_suffix(".json").and_then(Lang::parse).ok_or(ApiError::RouteNotFound)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], i18n::source(lang)).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct LinkQuery {
    /// The link's token, when the page was opened through a link.
    k: Option<String>,
}

/// The form as the browser sends it: every value a string, parsed here so each bad
/// value gets its own message next to the form.
#[derive(Debug, Default, Deserialize)]
struct CreateForm {
    #[serde(default)]
    model: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    meeting_link: String,
    #[serde(default)]
    facilitator_name: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    max_hours: String,
    #[serde(default)]
    break_every: String,
    #[serde(default)]
    break_minutes: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    gap_days: String,
}

fn number(field: &'static str, text: &str) -> Result<Option<u32>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u32>()
        .map(Some)
        .map_err(|_| ApiError::field(field, FieldProblem::OutOfRange { min: 0, max: i64::from(u32::MAX), got: -1 }))
}

impl CreateForm {
    fn with_defaults(lang: Lang) -> Self {
        let tomorrow = Utc::now().date_naive() + Duration::days(1);
        CreateForm {
            model: "heidag".into(),
            language: lang.code().into(),
            start: format!("{tomorrow}T09:00"),
            time_zone: DEFAULT_TIME_ZONE.into(),
            max_hours: "5".into(),
            break_every: "90".into(),
            break_minutes: "15".into(),
            days: "1".into(),
            gap_days: "7".into(),
            ..CreateForm::default()
        }
    }

    fn to_request(&self) -> Result<CreateSessionRequest, ApiError> {
        let hours = self.max_hours.trim().replace(',', ".");
        let max_day_minutes = if hours.is_empty() {
            None
        } else {
            let hours: f64 = hours
                .parse()
                .map_err(|_| ApiError::field("max_hours", FieldProblem::OutOfRange { min: 1, max: 12, got: -1 }))?;
            if !(1.0..=12.0).contains(&hours) {
                return Err(ApiError::field(
                    "max_hours",
                    FieldProblem::OutOfRange { min: 1, max: 12, got: hours.round() as i64 },
                ));
            }
            Some((hours * 60.0).round() as u32)
        };
        let optional = |text: &str| (!text.trim().is_empty()).then(|| text.trim().to_owned());
        Ok(CreateSessionRequest {
            title: self.title.clone(),
            organisation: optional(&self.organisation),
            language: optional(&self.language),
            meeting_link: optional(&self.meeting_link),
            model: optional(&self.model),
            model_file: None,
            facilitator_name: optional(&self.facilitator_name),
            settings: SettingsInput {
                start: self.start.clone(),
                time_zone: optional(&self.time_zone),
                max_day_minutes,
                max_work_stretch_minutes: number("break_every", &self.break_every)?,
                break_minutes: number("break_minutes", &self.break_minutes)?,
                days: number("days", &self.days)?,
                gap_days: number("gap_days", &self.gap_days)?,
            },
        })
    }
}

fn field(lang: Lang, name: &str, label_key: &str, input: &str) -> String {
    format!(
        "<label class=\"field\" for=\"{name}\"><span>{label}</span>{input}</label>",
        label = esc(&text(lang, label_key, &[]))
    )
}

fn text_input(name: &str, value: &str, extra: &str) -> String {
    format!("<input id=\"{name}\" name=\"{name}\" value=\"{}\" {extra}>", esc(value))
}

fn home_form(lang: Lang, form: &CreateForm, error: Option<&ApiError>) -> Html<String> {
    let models: String = catalog::builtin_models()
        .iter()
        .map(|model| {
            let selected = if model.id == form.model { " selected" } else { "" };
            let summary = text(
                lang,
                "home.parts",
                &[("count", &model.parts.len().to_string()), ("minutes", &model.total_minutes().to_string())],
            );
            format!(
                "<option value=\"{}\"{selected}>{} ({})</option>",
                esc(&model.id),
                esc(model.name.get(lang)),
                esc(&summary)
            )
        })
        .collect();
    let language_options: String = Lang::ALL
        .iter()
        .map(|l| {
            let selected = if l.code() == form.language { " selected" } else { "" };
            let name = match l {
                Lang::Nl => "Nederlands",
                Lang::En => "English",
            };
            format!("<option value=\"{}\"{selected}>{name}</option>", l.code())
        })
        .collect();
    let days_options: String = [("1", "home.one_day"), ("2", "home.two_days")]
        .iter()
        .map(|(value, key)| {
            let selected = if *value == form.days { " selected" } else { "" };
            format!("<option value=\"{value}\"{selected}>{}</option>", esc(&text(lang, key, &[])))
        })
        .collect();
    let error_box = error
        .map(|e| {
            format!(
                "<div class=\"error\" role=\"alert\"><strong>{}</strong> {}</div>",
                esc(&text(lang, "home.fix_errors", &[])),
                esc(&e.message(lang))
            )
        })
        .unwrap_or_default();
    let optional = esc(&text(lang, "home.optional", &[]));
    let body = format!(
        "<h1>{heading}</h1><p class=\"lead\">{intro}</p>{error_box}\
         <form method=\"post\" action=\"/sessions?lang={code}\" class=\"create\">\
         {model}{title}{organisation}{language}{meeting}{name}\
         <fieldset><legend>{agenda}</legend>{start}{tz}{hours}{every}{breaks}{days}{gap}</fieldset>\
         <button type=\"submit\">{submit}</button></form>\
         <form method=\"post\" action=\"/demo?lang={code}\" class=\"demo\"><p>{demo_intro}</p>\
         <button type=\"submit\" class=\"secondary\" data-action=\"demo\">{demo}</button></form>",
        demo_intro = esc(&text(lang, "demo.intro", &[])),
        demo = esc(&text(lang, "demo.button", &[])),
        heading = esc(&text(lang, "home.title", &[])),
        intro = esc(&text(lang, "home.intro", &[])),
        code = lang.code(),
        model = field(lang, "model", "home.model", &format!("<select id=\"model\" name=\"model\">{models}</select>")),
        title = field(
            lang,
            "title",
            "home.session_title",
            &text_input(
                "title",
                &form.title,
                &format!(
                    "required maxlength=\"120\" placeholder=\"{}\"",
                    esc(&text(lang, "home.session_title_placeholder", &[]))
                )
            )
        ),
        organisation = field(
            lang,
            "organisation",
            "home.organisation",
            &text_input("organisation", &form.organisation, &format!("maxlength=\"120\" placeholder=\"{optional}\""))
        ),
        language = field(
            lang,
            "language",
            "home.language",
            &format!("<select id=\"language\" name=\"language\">{language_options}</select>")
        ),
        meeting = field(
            lang,
            "meeting_link",
            "home.meeting_link",
            &text_input(
                "meeting_link",
                &form.meeting_link,
                &format!("type=\"url\" placeholder=\"https://meet.google.com/… ({optional})\"")
            )
        ),
        name = field(
            lang,
            "facilitator_name",
            "home.facilitator_name",
            &text_input("facilitator_name", &form.facilitator_name, "maxlength=\"60\"")
        ),
        agenda = esc(&text(lang, "session.agenda", &[])),
        start =
            field(lang, "start", "home.start", &text_input("start", &form.start, "type=\"datetime-local\" required")),
        tz = field(lang, "time_zone", "home.time_zone", &text_input("time_zone", &form.time_zone, "required")),
        hours = field(
            lang,
            "max_hours",
            "home.max_hours",
            &text_input("max_hours", &form.max_hours, "inputmode=\"decimal\"")
        ),
        every = field(
            lang,
            "break_every",
            "home.break_every",
            &text_input("break_every", &form.break_every, "type=\"number\" min=\"30\" max=\"240\"")
        ),
        breaks = field(
            lang,
            "break_minutes",
            "home.break_minutes",
            &text_input("break_minutes", &form.break_minutes, "type=\"number\" min=\"5\" max=\"60\"")
        ),
        days = field(lang, "days", "home.days", &format!("<select id=\"days\" name=\"days\">{days_options}</select>")),
        gap = field(
            lang,
            "gap_days",
            "home.gap_days",
            &text_input("gap_days", &form.gap_days, "type=\"number\" min=\"1\" max=\"60\"")
        ),
        submit = esc(&text(lang, "home.submit", &[])),
    );
    page(lang, &text(lang, "home.title", &[]), &body)
}

async fn home(RequestLang(lang): RequestLang) -> Html<String> {
    home_form(lang, &CreateForm::with_defaults(lang), None)
}

async fn create_from_form(
    State(app): State<AppState>,
    RequestLang(lang): RequestLang,
    Form(form): Form<CreateForm>,
) -> Response {
    let created = match form.to_request() {
        Ok(request) => app.create_session(&request, lang).await,
        Err(error) => Err(error),
    };
    let created = match created {
        Ok(created) => created,
        Err(error) => {
            return (error.status(), home_form(lang, &form, Some(&error))).into_response();
        }
    };
    let view_lang = created.state.details.language;
    let qr = crate::qr::data_url(&created.participant_link).unwrap_or_default();
    let body = format!(
        "<h1>{heading}</h1><p class=\"notice\">{save}</p>\
         <div class=\"created\"><dl class=\"links\"><dt>{f_label}</dt><dd><input readonly value=\"{f_link}\" aria-label=\"{f_label}\"></dd>\
         <dt>{p_label}</dt><dd><input readonly value=\"{p_link}\" aria-label=\"{p_label}\"></dd></dl>\
         <img class=\"qr\" src=\"{qr}\" alt=\"{qr_alt}\" width=\"180\" height=\"180\"></div>\
         <p class=\"actions\"><a class=\"button\" href=\"/s/{id}/prepare?lang={code}#p={p_fragment}\">{prepare}</a> \
         <a class=\"button secondary\" href=\"/s/{id}?lang={code}\">{open}</a></p>{agenda}",
        qr = esc(&qr),
        qr_alt = esc(&text(lang, "created.qr", &[])),
        p_fragment = esc(&percent_encode(&created.participant_link)),
        prepare = esc(&text(lang, "created.prepare", &[])),
        heading = esc(&text(lang, "created.title", &[])),
        save = esc(&text(lang, "created.save_links", &[])),
        f_label = esc(&text(lang, "created.facilitator_link", &[])),
        f_link = esc(&created.facilitator_link),
        p_label = esc(&text(lang, "created.participant_link", &[])),
        p_link = esc(&created.participant_link),
        id = created.id,
        code = lang.code(),
        open = esc(&text(lang, "created.open", &[])),
        agenda = session_body(lang, &created.state, &agenda_view(&created.state.schedule(), view_lang)),
    );
    let cookie = credential_cookie(created.id, &created.credential, app.secure_cookies);
    (StatusCode::CREATED, [(header::SET_COOKIE, cookie)], page(lang, &text(lang, "created.title", &[]), &body))
        .into_response()
}

/// Percent-encodes a link for a URL fragment.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn clock(stamp: &str) -> &str {
    stamp.get(11..16).unwrap_or(stamp)
}

fn role_name(lang: Lang, role: Role) -> String {
    let key = match role {
        Role::ProcessFacilitator => "session.role.process_facilitator",
        Role::Timekeeper => "session.role.timekeeper",
        Role::NoteTaker => "session.role.note_taker",
        Role::Presenter(_) => "session.role.presenter",
    };
    text(lang, key, &[])
}

/// The session's details, agenda, warnings, participants and roles.
fn session_body(lang: Lang, state: &SessionState, agenda: &AgendaView) -> String {
    let mut out = String::new();
    let details = &state.details;
    out.push_str(&format!("<section class=\"session-head\"><h2>{}</h2>", esc(details.title.as_str())));
    if !details.organisation.as_str().is_empty() {
        out.push_str(&format!("<p class=\"organisation\">{}</p>", esc(details.organisation.as_str())));
    }
    out.push_str(&format!(
        "<p class=\"model\">{}: {}",
        esc(&text(lang, "session.model", &[])),
        esc(state.model.name.get(lang))
    ));
    if let Some(credit) = &state.model.credit {
        out.push_str(&format!(" <small>{}</small>", esc(credit.get(lang))));
    }
    out.push_str("</p>");
    if let Some(link) = &details.meeting_link {
        out.push_str(&format!(
            "<p><a class=\"button secondary\" href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">{}</a></p>",
            esc(link.as_str()),
            esc(&text(lang, "session.meeting", &[]))
        ));
    }
    out.push_str("</section>");

    out.push_str(&format!("<section class=\"agenda\"><h2>{}</h2>", esc(&text(lang, "session.agenda", &[]))));
    if !agenda.warnings.is_empty() {
        out.push_str(&format!(
            "<div class=\"warnings\" role=\"status\"><h3>{}</h3><ul>",
            esc(&text(lang, "session.warnings", &[]))
        ));
        for warning in &agenda.warnings {
            out.push_str(&format!("<li>{}", esc(&warning.message)));
            if !warning.cuts.is_empty() {
                out.push_str("<ul>");
                for cut in &warning.cuts {
                    out.push_str(&format!("<li>{}</li>", esc(&cut.description)));
                }
                out.push_str("</ul>");
            }
            out.push_str("</li>");
        }
        out.push_str("</ul></div>");
    }
    for (index, day) in agenda.days.iter().enumerate() {
        let total = format!("{}:{:02}", day.total_minutes / 60, day.total_minutes % 60);
        let work = format!("{}:{:02}", day.work_minutes / 60, day.work_minutes % 60);
        out.push_str(&format!(
            "<table class=\"day\"><caption>{} · {} <small>{}</small></caption>\
             <thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>",
            esc(&text(lang, "session.day", &[("n", &(index + 1).to_string())])),
            esc(&day.date),
            esc(&text(lang, "session.total", &[("total", &total), ("work", &work)])),
            esc(&text(lang, "session.time", &[])),
            esc(&text(lang, "session.part", &[])),
            esc(&text(lang, "session.minutes", &[])),
        ));
        for block in &day.blocks {
            let class = match block.kind {
                BlockKindView::Break => "break",
                BlockKindView::Part => "part",
            };
            let title = match block.segment {
                Some([n, of]) => format!("{} ({n}/{of})", block.title),
                None => block.title.clone(),
            };
            out.push_str(&format!(
                "<tr class=\"{class}\"><td>{}–{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(clock(&block.start)),
                esc(clock(&block.end)),
                esc(&title),
                block.minutes
            ));
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");

    out.push_str(&format!("<section class=\"people\"><h2>{}</h2><ul>", esc(&text(lang, "session.participants", &[]))));
    for participant in &state.participants {
        let badge = if participant.is_facilitator {
            format!(" <span class=\"badge\">{}</span>", esc(&text(lang, "session.facilitator", &[])))
        } else {
            String::new()
        };
        out.push_str(&format!("<li>{}{badge}</li>", esc(participant.display_name.as_str())));
    }
    out.push_str(&format!("</ul><h2>{}</h2><dl class=\"roles\">", esc(&text(lang, "session.roles", &[]))));
    let name_of = |holder: Option<heisessie_domain::session::ParticipantId>| {
        holder
            .and_then(|id| state.participant(id))
            .map(|p| p.display_name.as_str().to_owned())
            .unwrap_or_else(|| text(lang, "session.unassigned", &[]))
    };
    for role in [Role::ProcessFacilitator, Role::Timekeeper, Role::NoteTaker] {
        out.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>",
            esc(&role_name(lang, role)),
            esc(&name_of(state.roles.holder(role)))
        ));
    }
    for (part, who) in &state.roles.presenters {
        let part_title = state.part(*part).map(|p| p.title.get(lang).to_owned()).unwrap_or_default();
        out.push_str(&format!(
            "<dt>{} · {}</dt><dd>{}</dd>",
            esc(&role_name(lang, Role::Presenter(*part))),
            esc(&part_title),
            esc(&name_of(Some(*who)))
        ));
    }
    out.push_str("</dl></section>");
    out
}

/// A page that the browser client (`web/{script}.js`) draws into `#app`.
fn app_shell(lang: Lang, title: &str, script: &str, id: SessionId, fallback: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Heisessie</title><link rel=\"stylesheet\" href=\"/assets/app.css\">\
         <script type=\"module\" src=\"/assets/{script}.js\"></script></head>\
         <body class=\"{script}-body\"><div id=\"app\" data-session=\"{id}\" data-lang=\"{code}\"></div>\
         <noscript><main>{fallback}</main></noscript></body></html>",
        code = lang.code(),
        title = esc(title),
    ))
}

async fn prepare_page(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RequestLang(lang): RequestLang,
) -> Response {
    let Ok(id) = parse_session_id(&id) else {
        return message_page(lang, StatusCode::NOT_FOUND, "error.session_not_found");
    };
    let caller = match app.authenticate(id, &headers).await {
        Ok(caller) => caller,
        Err(ApiError::SessionNotFound) => return message_page(lang, StatusCode::NOT_FOUND, "error.session_not_found"),
        Err(_) => return message_page(lang, StatusCode::UNAUTHORIZED, "join.need_link"),
    };
    match app.rooms.read(id).await.map_err(ApiError::from) {
        Ok((_, state)) if state.participant(caller.participant).is_some_and(|p| p.is_facilitator) => {
            let body = session_body(lang, &state, &agenda_view(&state.schedule(), lang));
            app_shell(lang, state.details.title.as_str(), "prepare", id, &body).into_response()
        }
        Ok(_) => message_page(lang, StatusCode::FORBIDDEN, "error.facilitator_only"),
        Err(error) => message_page(lang, error.status(), &format!("error.{}", error.code())),
    }
}

pub(crate) fn message_page(lang: Lang, status: StatusCode, key: &str) -> Response {
    let message = text(lang, key, &[]);
    (status, page(lang, &message, &format!("<p class=\"error\" role=\"alert\">{}</p>", esc(&message)))).into_response()
}

async fn session_page(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RequestLang(lang): RequestLang,
    Query(query): Query<LinkQuery>,
) -> Response {
    let Ok(id) = parse_session_id(&id) else {
        return message_page(lang, StatusCode::NOT_FOUND, "error.session_not_found");
    };
    match app.authenticate(id, &headers).await {
        Ok(caller) => match app.read_as(id, caller).await {
            Ok((_, state)) => {
                // The room is the browser client; the agenda stays readable without scripts.
                let body = session_body(lang, &state, &agenda_view(&state.schedule(), lang));
                app_shell(lang, state.details.title.as_str(), "room", id, &body).into_response()
            }
            // Removed from the session: the link they hold is the way back in, if it still works.
            Err(ApiError::NotAuthorized) => join_page(&app, id, lang, query.k.as_deref()).await,
            Err(error) => message_page(lang, error.status(), &format!("error.{}", error.code())),
        },
        Err(ApiError::SessionNotFound) => message_page(lang, StatusCode::NOT_FOUND, "error.session_not_found"),
        Err(ApiError::Internal(_)) => message_page(lang, StatusCode::INTERNAL_SERVER_ERROR, "error.internal"),
        Err(_) => join_page(&app, id, lang, query.k.as_deref()).await,
    }
}

async fn join_page(app: &AppState, id: SessionId, lang: Lang, link_token: Option<&str>) -> Response {
    let Some(link_token) = link_token else {
        return message_page(lang, StatusCode::UNAUTHORIZED, "join.need_link");
    };
    let valid = match Token::parse(link_token) {
        Some(token) => app.link_kind(id, &token).await.is_ok(),
        None => false,
    };
    if !valid {
        return message_page(lang, StatusCode::UNAUTHORIZED, "join.bad_link");
    }
    let title = match app.rooms.read(id).await.map_err(ApiError::from) {
        Ok((_, state)) => state.details.title.as_str().to_owned(),
        Err(error) => {
            return message_page(lang, error.status(), &format!("error.{}", error.code()));
        }
    };
    join_form(lang, id, link_token, &title, "", None).into_response()
}

fn join_form(
    lang: Lang,
    id: SessionId,
    link_token: &str,
    title: &str,
    name: &str,
    error: Option<&ApiError>,
) -> Html<String> {
    let heading = text(lang, "join.title", &[("title", title)]);
    let error_box = error
        .map(|e| format!("<div class=\"error\" role=\"alert\">{}</div>", esc(&e.message(lang))))
        .unwrap_or_default();
    let body = format!(
        "<h1>{}</h1><p class=\"lead\">{}</p>{error_box}\
         <form method=\"post\" action=\"/s/{id}/join?lang={code}\" class=\"join\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">{name_field}\
         <button type=\"submit\">{submit}</button></form>",
        esc(&heading),
        esc(&text(lang, "join.intro", &[])),
        code = lang.code(),
        token = esc(link_token),
        name_field = field(
            lang,
            "display_name",
            "join.name",
            &text_input("display_name", name, "required maxlength=\"60\" autofocus")
        ),
        submit = esc(&text(lang, "join.submit", &[])),
    );
    page(lang, &heading, &body)
}

#[derive(Debug, Deserialize)]
struct JoinForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    display_name: String,
}

async fn join_from_form(
    State(app): State<AppState>,
    Path(id): Path<String>,
    extensions: axum::http::Extensions,
    RequestLang(lang): RequestLang,
    Form(form): Form<JoinForm>,
) -> Response {
    let Ok(id) = parse_session_id(&id) else {
        return message_page(lang, StatusCode::NOT_FOUND, "error.session_not_found");
    };
    match app.join(id, &form.token, &form.display_name, crate::client_address(&extensions)).await {
        Ok((_, credential)) => {
            let cookie = credential_cookie(id, &credential, app.secure_cookies);
            let mut response = Redirect::to(&format!("/s/{id}?lang={}", lang.code())).into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        // A bad name, or one that looks just like someone else's: the form again, with why.
        Err(error) if matches!(error, ApiError::InvalidField { .. }) || error.code() == "name_taken" => {
            let title = app.rooms.read(id).await.map(|(_, s)| s.details.title.as_str().to_owned()).unwrap_or_default();
            (error.status(), join_form(lang, id, &form.token, &title, &form.display_name, Some(&error))).into_response()
        }
        Err(ApiError::NotAuthorized) => message_page(lang, StatusCode::UNAUTHORIZED, "join.bad_link"),
        Err(error) => message_page(lang, error.status(), &format!("error.{}", error.code())),
    }
}

// ---- After the day: goal tracking and the follow-up ----------------------------------

#[derive(Debug, Deserialize)]
struct MeasureForm {
    #[serde(default)]
    goal_id: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    value: String,
}

#[derive(Debug, Deserialize)]
struct FollowUpForm {
    #[serde(default)]
    start: String,
}

/// Reads the caller and the session for the follow-up pages.
async fn follow_up_access(
    app: &AppState,
    id: &str,
    headers: &HeaderMap,
    lang: Lang,
) -> Result<(SessionId, crate::access::Caller, SessionState), Response> {
    let Ok(id) = parse_session_id(id) else {
        return Err(message_page(lang, StatusCode::NOT_FOUND, "error.session_not_found"));
    };
    let caller = match app.authenticate(id, headers).await {
        Ok(caller) => caller,
        Err(ApiError::SessionNotFound) => {
            return Err(message_page(lang, StatusCode::NOT_FOUND, "error.session_not_found"));
        }
        Err(_) => return Err(message_page(lang, StatusCode::UNAUTHORIZED, "join.need_link")),
    };
    match app.read_as(id, caller).await {
        Ok((_, state)) => Ok((id, caller, state)),
        Err(error) => Err(message_page(lang, error.status(), &format!("error.{}", error.code()))),
    }
}

fn follow_up_body(
    lang: Lang,
    id: SessionId,
    state: &SessionState,
    is_facilitator: bool,
    error: Option<&ApiError>,
) -> String {
    let mut out = format!(
        "<h1>{}</h1><p class=\"lead\">{}</p>",
        esc(&text(lang, "follow.title", &[("title", state.details.title.as_str())])),
        esc(&text(lang, "follow.intro", &[]))
    );
    if let Some(error) = error {
        out.push_str(&format!("<div class=\"error\" role=\"alert\">{}</div>", esc(&error.message(lang))));
    }
    if state.strategy.smart_goals.is_empty() {
        out.push_str(&format!("<p>{}</p>", esc(&text(lang, "follow.no_goals", &[]))));
    }
    let today = chrono::Utc::now().date_naive();
    for goal in &state.strategy.smart_goals {
        let tracking = state.tracking(goal);
        let measurements = state.strategy.measurements.get(&goal.id).cloned().unwrap_or_default();
        let chart = heisessie_export::chart::goal_chart_svg(goal.text.as_str(), &tracking, &measurements, lang);
        let latest = tracking
            .latest
            .map(|m| text(lang, "follow.latest", &[("date", &m.date.to_string()), ("value", &format!("{}", m.value))]))
            .unwrap_or_default();
        let expected = tracking
            .expected_at_latest
            .map(|e| text(lang, "follow.expected", &[("value", &format!("{e:.1}"))]))
            .unwrap_or_default();
        out.push_str(&format!(
            "<section class=\"goal-track\" data-goal=\"{gid}\" data-progress=\"{progress}\"><h2>{goal}</h2>\
             <p class=\"verdict {progress}\">{verdict}</p><p class=\"hint\">{latest} {expected}</p>\
             <div class=\"chart\">{chart}</div>\
             <form method=\"post\" action=\"/s/{id}/follow-up/measure?lang={code}\" class=\"measure\">\
             <input type=\"hidden\" name=\"goal_id\" value=\"{gid}\">\
             <label class=\"field\"><span>{date_label}</span><input type=\"date\" name=\"date\" value=\"{today}\" required></label>\
             <label class=\"field\"><span>{value_label}{metric}</span><input name=\"value\" inputmode=\"decimal\" required></label>\
             <button type=\"submit\">{add}</button></form></section>",
            gid = goal.id.0,
            progress = tracking.progress.code(),
            goal = esc(goal.text.as_str()),
            verdict = esc(heisessie_export::chart::progress_words(tracking.progress, lang)),
            latest = esc(&latest),
            expected = esc(&expected),
            code = lang.code(),
            date_label = esc(&text(lang, "follow.date", &[])),
            value_label = esc(&text(lang, "follow.value", &[])),
            metric = if goal.fields.metric.is_empty() { String::new() } else { format!(" ({})", esc(goal.fields.metric.as_str())) },
            add = esc(&text(lang, "follow.add", &[])),
        ));
    }
    if is_facilitator {
        let next = chrono::Utc::now().date_naive() + chrono::Duration::days(7);
        out.push_str(&format!(
            "<section class=\"follow-session\"><h2>{}</h2><p>{}</p>\
             <form method=\"post\" action=\"/s/{id}/follow-up/session?lang={code}\" class=\"create\">\
             <label class=\"field\"><span>{}</span><input type=\"datetime-local\" name=\"start\" value=\"{next}T09:00\" required></label>\
             <button type=\"submit\" data-action=\"schedule-follow-up\">{}</button></form></section>",
            esc(&text(lang, "follow.session_title", &[])),
            esc(&text(lang, "follow.session_intro", &[])),
            esc(&text(lang, "home.start", &[])),
            esc(&text(lang, "follow.schedule", &[])),
            code = lang.code(),
        ));
    }
    out.push_str(&format!(
        "<p><a class=\"button secondary\" href=\"/s/{id}?lang={}\">{}</a></p>",
        lang.code(),
        esc(&text(lang, "created.open", &[]))
    ));
    out
}

async fn follow_up_page(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RequestLang(lang): RequestLang,
) -> Response {
    match follow_up_access(&app, &id, &headers, lang).await {
        Ok((id, caller, state)) => {
            let is_facilitator = state.participant(caller.participant).is_some_and(|p| p.is_facilitator);
            let title = text(lang, "follow.title", &[("title", state.details.title.as_str())]);
            page(lang, &title, &follow_up_body(lang, id, &state, is_facilitator, None)).into_response()
        }
        Err(response) => response,
    }
}

async fn record_measurement(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RequestLang(lang): RequestLang,
    Form(form): Form<MeasureForm>,
) -> Response {
    let (id, caller, state) = match follow_up_access(&app, &id, &headers, lang).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let parsed = (|| {
        let goal =
            form.goal_id.trim().parse::<u64>().map_err(|_| ApiError::field("goal_id", FieldProblem::BadStart))?;
        let date = chrono::NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d")
            .map_err(|_| ApiError::field("date", FieldProblem::BadStart))?;
        let value =
            form.value.trim().replace(',', ".").parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                ApiError::field("value", FieldProblem::OutOfRange { min: i64::MIN, max: i64::MAX, got: 0 })
            })?;
        Ok::<_, ApiError>((heisessie_domain::strategy::ItemId(goal), date, value))
    })();
    let result = match parsed {
        Ok((goal, date, value)) => app
            .rooms
            .apply(
                id,
                heisessie_domain::session::Actor::Participant(caller.participant),
                heisessie_domain::session::Op::Strategy(heisessie_domain::session::StrategyOp::RecordMeasurement {
                    goal,
                    date,
                    value,
                }),
                None,
            )
            .await
            .map(|_| ())
            .map_err(ApiError::from),
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/s/{id}/follow-up?lang={}", lang.code())).into_response(),
        Err(error) => {
            let is_facilitator = state.participant(caller.participant).is_some_and(|p| p.is_facilitator);
            let title = text(lang, "follow.title", &[("title", state.details.title.as_str())]);
            (error.status(), page(lang, &title, &follow_up_body(lang, id, &state, is_facilitator, Some(&error))))
                .into_response()
        }
    }
}

fn created_page(app: &AppState, lang: Lang, created: &crate::api::Creation, heading_key: &str) -> Response {
    let qr = crate::qr::data_url(&created.participant_link).unwrap_or_default();
    let body = format!(
        "<h1>{heading}</h1><p class=\"notice\">{save}</p>\
         <div class=\"created\"><dl class=\"links\"><dt>{f_label}</dt><dd><input readonly value=\"{f_link}\" aria-label=\"{f_label}\"></dd>\
         <dt>{p_label}</dt><dd><input readonly value=\"{p_link}\" aria-label=\"{p_label}\"></dd></dl>\
         <img class=\"qr\" src=\"{qr}\" alt=\"{qr_alt}\" width=\"180\" height=\"180\"></div>\
         <p class=\"actions\"><a class=\"button\" href=\"/s/{id}?lang={code}\">{open}</a> \
         <a class=\"button secondary\" href=\"/s/{id}/follow-up?lang={code}\">{follow}</a></p>",
        heading = esc(&text(lang, heading_key, &[])),
        save = esc(&text(lang, "created.save_links", &[])),
        f_label = esc(&text(lang, "created.facilitator_link", &[])),
        f_link = esc(&created.facilitator_link),
        p_label = esc(&text(lang, "created.participant_link", &[])),
        p_link = esc(&created.participant_link),
        qr = esc(&qr),
        qr_alt = esc(&text(lang, "created.qr", &[])),
        id = created.id,
        code = lang.code(),
        open = esc(&text(lang, "created.open", &[])),
        follow = esc(&text(lang, "follow.open", &[])),
    );
    let cookie = credential_cookie(created.id, &created.credential, app.secure_cookies);
    (StatusCode::CREATED, [(header::SET_COOKIE, cookie)], page(lang, &text(lang, heading_key, &[]), &body))
        .into_response()
}

async fn schedule_follow_up(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RequestLang(lang): RequestLang,
    Form(form): Form<FollowUpForm>,
) -> Response {
    let (_, caller, state) = match follow_up_access(&app, &id, &headers, lang).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if !state.participant(caller.participant).is_some_and(|p| p.is_facilitator) {
        return message_page(lang, StatusCode::FORBIDDEN, "error.facilitator_only");
    }
    let created = match crate::api::parse_start("start", &form.start) {
        Ok(start) => crate::demo::create_follow_up(&app, &state, start, caller.participant).await,
        Err(error) => Err(error),
    };
    match created {
        Ok(created) => created_page(&app, lang, &created, "follow.created"),
        Err(error) => message_page(lang, error.status(), &format!("error.{}", error.code())),
    }
}

async fn start_demo(State(app): State<AppState>, RequestLang(lang): RequestLang) -> Response {
    match crate::demo::create_demo(&app, lang).await {
        Ok(created) => created_page(&app, lang, &created, "demo.created"),
        Err(error) => message_page(lang, error.status(), &format!("error.{}", error.code())),
    }
}
