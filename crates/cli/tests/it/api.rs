//! The session API, end to end over HTTP.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{part_titles, spawn_app, spawn_app_in, token_of};

fn blocks(session: &Value) -> Vec<(String, String)> {
    session["schedule"]["days"]
        .as_array()
        .expect("days")
        .iter()
        .flat_map(|day| day["blocks"].as_array().expect("blocks").clone())
        .map(|b| {
            (b["kind"].as_str().unwrap_or_default().to_owned(), b["title"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn creating_a_session_returns_two_links_and_the_planned_agenda() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    assert!(session.facilitator_link.starts_with(&format!("{}/s/{}?k=", app.base, session.id)));
    assert_ne!(token_of(&session.facilitator_link), token_of(&session.participant_link));
    assert_eq!(token_of(&session.participant_link).len(), 40, "160 bits as hex");
    let body = &session.body["session"];
    assert_eq!(body["title"], "Strategiedag Bakkerij Jansen");
    assert_eq!(body["model"]["id"], "heidag");
    assert_eq!(body["parts"].as_array().map(Vec::len), Some(6));
    assert_eq!(body["participants"][0]["display_name"], "Fay");
    assert_eq!(body["participants"][0]["is_facilitator"], true);
    let kinds: Vec<_> = blocks(body).into_iter().map(|(kind, _)| kind).collect();
    assert!(kinds.contains(&"break".to_owned()), "{kinds:?}");
    assert_eq!(body["schedule"]["days"][0]["date"], "2026-12-03");
    assert!(
        body["schedule"]["days"][0]["blocks"][0]["start"]
            .as_str()
            .unwrap_or_default()
            .starts_with("2026-12-03T09:00:00+01:00")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_session_goes_from_create_to_join_roles_program_edit_replan_and_link_rotation() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let fay = session.facilitator.clone();
    let base = format!("/api/sessions/{}", session.id);

    // Join: one participant through each link.
    let (piet_id, piet) = app.join(&session, &session.participant_link, "Piet").await;
    let (guus_id, guus) = app.join(&session, &session.facilitator_link, "Guus").await;
    let view = app.session(&session, &piet).await;
    assert_eq!(view["you"]["display_name"], "Piet");
    assert_eq!(view["you"]["is_facilitator"], false);
    assert_eq!(app.session(&session, &guus).await["you"]["is_facilitator"], true);

    // Roles.
    for (role, part_id, who) in
        [("timekeeper", None, piet_id), ("note_taker", None, guus_id), ("presenter", Some(4), piet_id)]
    {
        let (status, body) = app
            .send(
                Method::POST,
                &format!("{base}/roles"),
                Some(&fay),
                Some(json!({"role": role, "part_id": part_id, "participant_id": who})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let view = app.session(&session, &piet).await;
    assert_eq!(view["roles"]["timekeeper"], piet_id);
    assert_eq!(view["roles"]["note_taker"], guus_id);
    assert_eq!(view["roles"]["presenters"][0], json!({"part_id": 4, "participant_id": piet_id}));

    // Program edits, each answered with the re-planned schedule.
    let (status, body) = app
        .send(
            Method::POST,
            &format!("{base}/parts"),
            Some(&fay),
            Some(json!({"title": "Terugblik vorig jaar", "minutes": 30, "priority": "could", "index": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(part_titles(&body)[1], "Terugblik vorig jaar");
    assert!(blocks(&body).iter().any(|(_, title)| title == "Terugblik vorig jaar"));
    let (status, body) =
        app.send(Method::POST, &format!("{base}/parts/7/move"), Some(&fay), Some(json!({"to_index": 6}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(part_titles(&body).last().map(String::as_str), Some("Terugblik vorig jaar"));
    let (status, body) =
        app.send(Method::PATCH, &format!("{base}/parts/5"), Some(&guus), Some(json!({"minutes": 90}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["parts"][4]["minutes"], 90);
    assert!(!body["schedule"]["warnings"].as_array().expect("warnings").is_empty(), "a longer day warns: {body}");
    let (status, body) = app.send(Method::DELETE, &format!("{base}/parts/7"), Some(&fay), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["parts"].as_array().map(Vec::len), Some(6));

    // Settings: two days, a week apart.
    let (status, body) = app
        .send(
            Method::PATCH,
            &base,
            Some(&fay),
            Some(json!({"settings": {"start": "2026-12-03T09:00", "days": 2, "gap_days": 7}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let days = body["schedule"]["days"].as_array().expect("days");
    assert_eq!(days.len(), 2);
    assert_eq!(days[1]["date"], "2026-12-10");

    // Re-plan: 20 minutes over in SMART goals.
    let (status, body) = app
        .send(
            Method::POST,
            &format!("{base}/replan"),
            Some(&piet),
            Some(json!({"current_part": 3, "minutes_used": 70, "overrun_so_far": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["delay_minutes"], 20);

    // Rotation: the old participant link stops working at once, and so does Piet's
    // credential obtained through it; the facilitators stay in.
    let (status, body) = app.send(Method::POST, &format!("{base}/links/participant/rotate"), Some(&fay), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new_link = body["link"].as_str().expect("a link").to_owned();
    let (status, body) = app
        .send(
            Method::POST,
            &format!("{base}/join"),
            None,
            Some(json!({"token": token_of(&session.participant_link), "display_name": "Laat"})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("not_authorized")));
    let (status, body) = app.send(Method::GET, &base, Some(&piet), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("link_rotated")));
    app.join(&session, &new_link, "Piet opnieuw").await;
    app.session(&session, &guus).await;

    // Rotating the facilitator link shuts out the other facilitator but not the rotator.
    let (status, _) = app.send(Method::POST, &format!("{base}/links/facilitator/rotate"), Some(&fay), None).await;
    assert_eq!(status, StatusCode::OK);
    app.session(&session, &fay).await;
    let (status, _) = app.send(Method::GET, &base, Some(&guus), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn what_was_acknowledged_is_still_there_after_a_restart() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let app = spawn_app_in(dir.path()).await;
    let session = app.create_heidag().await;
    let (_, piet) = app.join(&session, &session.participant_link, "Piet").await;
    let (status, _) = app
        .send(
            Method::PATCH,
            &format!("/api/sessions/{}/parts/2", session.id),
            Some(&session.facilitator),
            Some(json!({"minutes": 35})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;

    let again = spawn_app_in(dir.path()).await;
    let view = again.session(&session, &piet).await;
    assert_eq!(view["parts"][1]["minutes"], 35);
    assert_eq!(view["participants"].as_array().map(Vec::len), Some(2));
    again.stop().await;
}

#[tokio::test]
async fn bad_session_requests_get_a_clear_error_naming_the_problem() {
    let app = spawn_app().await;
    let good = json!({"title": "Heidag", "settings": {"start": "2026-12-03T09:00"}});
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        if ["days", "max_day_minutes", "time_zone", "start"].contains(&key) {
            body["settings"][key] = value;
        } else {
            body[key] = value;
        }
        body
    };
    let cases: Vec<(Value, StatusCode, &str, Option<&str>)> = vec![
        (json!({"settings": {"start": "2026-12-03T09:00"}}), StatusCode::BAD_REQUEST, "invalid_body", None),
        (json!({"title": "Heidag"}), StatusCode::BAD_REQUEST, "invalid_body", None),
        (with("title", json!(42)), StatusCode::BAD_REQUEST, "invalid_body", Some("title")),
        (with("title", json!("")), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("title")),
        (with("title", json!("x".repeat(121))), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("title")),
        (with("days", json!("two")), StatusCode::BAD_REQUEST, "invalid_body", Some("settings.days")),
        (with("days", json!(-1)), StatusCode::BAD_REQUEST, "invalid_body", Some("settings.days")),
        (with("days", json!(3)), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("days")),
        (
            with("max_day_minutes", json!(5000)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("max_day_minutes"),
        ),
        (
            with("time_zone", json!("Mars/Olympus")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("time_zone"),
        ),
        (with("start", json!("morgen om negen")), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("start")),
        (with("language", json!("de")), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("language")),
        (
            with("meeting_link", json!("javascript:alert(1)")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("meeting_link"),
        ),
        (with("model", json!("swot")), StatusCode::UNPROCESSABLE_ENTITY, "unknown_model", None),
        (
            with("model_file", json!("id = \"x\"\n[name]\nnl = 1")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_model_file",
            Some("model_file"),
        ),
        (with("colour", json!("red")), StatusCode::BAD_REQUEST, "invalid_body", Some("colour")),
    ];
    for (body, status, code, field) in cases {
        let (got_status, got) = app.send(Method::POST, "/api/sessions", None, Some(body.clone())).await;
        assert_eq!((got_status, got["code"].as_str()), (status, Some(code)), "{body} → {got}");
        assert_eq!(got["field"].as_str(), field, "{body} → {got}");
        assert!(!got["message"].as_str().unwrap_or_default().is_empty(), "{got}");
    }

    // Not JSON at all, and JSON without its content type.
    let response = app
        .request(Method::POST, "/api/sessions", None)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("an answer");
    let (status, body) = crate::helpers::decode(response).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_body")));
    let response =
        app.request(Method::POST, "/api/sessions", None).body(good.to_string()).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // Too large.
    let huge = with("model_file", json!("#".repeat(300 * 1024)));
    let (status, body) = app.send(Method::POST, "/api/sessions", None, Some(huge)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
    // A model file's error names the line and the field, all in the caller's language.
    let bad_file = with("model_file", json!("id = \"x\"\n[name]\nnl = 1"));
    let (_, body) = app.send(Method::POST, "/api/sessions?lang=nl", None, Some(bad_file.clone())).await;
    let dutch = body["message"].as_str().unwrap_or_default();
    assert!(dutch.contains("regel 3") && dutch.contains("name.nl"), "{body}");
    assert!(!dutch.contains("invalid type"), "no English words in a Dutch message: {body}");
    let (_, body) = app.send(Method::POST, "/api/sessions?lang=en", None, Some(bad_file)).await;
    assert!(body["message"].as_str().unwrap_or_default().contains("line 3"), "{body}");
    app.stop().await;
}

/// A request and the status and code it must get.
type EditCase<'a> = (Method, String, Option<&'a str>, Option<Value>, StatusCode, &'static str);

#[tokio::test]
async fn bad_edits_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let fay = session.facilitator.clone();
    let (_, piet) = app.join(&session, &session.participant_link, "Piet").await;
    let base = format!("/api/sessions/{}", session.id);
    let before = app.session(&session, &fay).await;
    let unknown = "0190b2a4-0000-7000-8000-000000000000";
    let forged = "ab".repeat(20);

    let cases: Vec<EditCase> = vec![
        (Method::GET, format!("/api/sessions/{unknown}"), Some(&fay), None, StatusCode::NOT_FOUND, "session_not_found"),
        (Method::GET, "/api/sessions/not-a-uuid".into(), Some(&fay), None, StatusCode::NOT_FOUND, "session_not_found"),
        (Method::GET, base.clone(), None, None, StatusCode::UNAUTHORIZED, "not_authorized"),
        (Method::GET, base.clone(), Some(&forged), None, StatusCode::UNAUTHORIZED, "not_authorized"),
        (Method::GET, base.clone(), Some("short"), None, StatusCode::UNAUTHORIZED, "not_authorized"),
        (
            Method::PATCH,
            format!("{base}/parts/1"),
            Some(&piet),
            Some(json!({"minutes": 20})),
            StatusCode::FORBIDDEN,
            "facilitator_only",
        ),
        (
            Method::POST,
            format!("{base}/parts"),
            Some(&piet),
            Some(json!({"title": "x", "minutes": 20})),
            StatusCode::FORBIDDEN,
            "facilitator_only",
        ),
        (Method::DELETE, format!("{base}/parts/1"), Some(&piet), None, StatusCode::FORBIDDEN, "facilitator_only"),
        (
            Method::POST,
            format!("{base}/roles"),
            Some(&piet),
            Some(json!({"role": "timekeeper", "participant_id": 2})),
            StatusCode::FORBIDDEN,
            "facilitator_only",
        ),
        (
            Method::POST,
            format!("{base}/links/participant/rotate"),
            Some(&piet),
            None,
            StatusCode::FORBIDDEN,
            "facilitator_only",
        ),
        (
            Method::PATCH,
            base.clone(),
            Some(&piet),
            Some(json!({"title": "Overgenomen"})),
            StatusCode::FORBIDDEN,
            "facilitator_only",
        ),
        (
            Method::PATCH,
            format!("{base}/parts/99"),
            Some(&fay),
            Some(json!({"minutes": 20})),
            StatusCode::NOT_FOUND,
            "unknown_part",
        ),
        (
            Method::PATCH,
            format!("{base}/parts/1"),
            Some(&fay),
            Some(json!({"minutes": 0})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "minutes_out_of_range",
        ),
        (
            Method::PATCH,
            format!("{base}/parts/1"),
            Some(&fay),
            Some(json!({"minutes": "lang"})),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            Method::PATCH,
            format!("{base}/parts/1"),
            Some(&fay),
            Some(json!({})),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            Method::POST,
            format!("{base}/parts/1/move"),
            Some(&fay),
            Some(json!({"to_index": 6})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "index_out_of_range",
        ),
        (
            Method::POST,
            format!("{base}/parts"),
            Some(&fay),
            Some(json!({"title": "", "minutes": 20})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            Method::POST,
            format!("{base}/parts"),
            Some(&fay),
            Some(json!({"title": "x", "minutes": 20, "priority": "urgent"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            Method::POST,
            format!("{base}/roles"),
            Some(&fay),
            Some(json!({"role": "boss", "participant_id": 2})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            Method::POST,
            format!("{base}/roles"),
            Some(&fay),
            Some(json!({"role": "timekeeper", "participant_id": 77})),
            StatusCode::NOT_FOUND,
            "unknown_participant",
        ),
        (
            Method::POST,
            format!("{base}/roles"),
            Some(&fay),
            Some(json!({"role": "presenter", "participant_id": 2})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            Method::POST,
            format!("{base}/links/everyone/rotate"),
            Some(&fay),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            Method::PATCH,
            base.clone(),
            Some(&fay),
            Some(json!({"title": "Nieuw", "settings": {"start": "2026-12-03T09:00", "days": 9}})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            Method::POST,
            format!("{base}/join"),
            None,
            Some(json!({"token": forged, "display_name": "Eve"})),
            StatusCode::UNAUTHORIZED,
            "not_authorized",
        ),
        (
            Method::POST,
            format!("{base}/join"),
            None,
            Some(json!({"token": token_of(&session.participant_link), "display_name": " "})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            Method::POST,
            format!("{base}/join"),
            None,
            Some(json!({"token": token_of(&session.participant_link), "display_name": "x".repeat(61)})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            Method::POST,
            format!("{base}/replan"),
            Some(&fay),
            Some(json!({"current_part": 42, "minutes_used": 3})),
            StatusCode::NOT_FOUND,
            "unknown_part",
        ),
        (Method::PUT, base.clone(), Some(&fay), None, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        (Method::GET, "/api/nothing-here".into(), None, None, StatusCode::NOT_FOUND, "not_found"),
    ];
    for (method, path, credential, body, status, code) in cases {
        let description = format!("{method} {path} {body:?}");
        let (got_status, got) = app.send(method, &path, credential, body).await;
        assert_eq!((got_status, got["code"].as_str()), (status, Some(code)), "{description} → {got}");
    }
    // A participant's credential does not open another session.
    let other = app.create_heidag().await;
    let (status, _) = app.send(Method::GET, &format!("/api/sessions/{}", other.id), Some(&piet), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let after = app.session(&session, &fay).await;
    assert_eq!(after, before, "nothing changed");
    app.stop().await;
}

#[tokio::test]
async fn errors_speak_the_callers_language() {
    let app = spawn_app().await;
    let path = "/api/sessions/0190b2a4-0000-7000-8000-000000000000";
    let ask = |lang: &'static str| {
        let request = app.client.get(app.url(path)).header("accept-language", lang);
        async move { crate::helpers::decode(request.send().await.expect("an answer")).await.1 }
    };
    let dutch = ask("nl-NL,nl;q=0.9").await;
    let english = ask("en-GB").await;
    assert_eq!(dutch["code"], english["code"]);
    assert!(dutch["message"].as_str().unwrap_or_default().contains("sessie"), "{dutch}");
    assert!(english["message"].as_str().unwrap_or_default().contains("session"), "{english}");
    app.stop().await;
}

#[tokio::test]
async fn models_health_and_security_headers_are_served() {
    let app = spawn_app().await;
    let (status, body) = app.send(Method::GET, "/healthz", None, None).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (status, models) = app.send(Method::GET, "/api/models?lang=nl", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<_> =
        models.as_array().expect("a list").iter().map(|m| m["id"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(ids, ["heidag", "sostac", "blank"]);
    assert_eq!(models[0]["total_minutes"], 270);
    assert!(models[1]["name"].as_str().unwrap_or_default().contains('®'));
    assert!(models[1]["credit"].as_str().unwrap_or_default().contains("PR Smith"));
    let response = app.request(Method::GET, "/", None).send().await.expect("an answer");
    let csp =
        response.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(response.headers().get("referrer-policy").and_then(|v| v.to_str().ok()), Some("same-origin"));
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_is_served_and_docs_openapi_json_is_fresh() {
    let app = spawn_app().await;
    let response = app.request(Method::GET, "/api/openapi.json", None).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    let served = response.text().await.expect("a body");
    let document: Value = serde_json::from_str(&served).expect("JSON");
    for path in ["/api/sessions", "/api/sessions/{id}/join", "/api/sessions/{id}/links/{kind}/rotate"] {
        assert!(document["paths"].get(path).is_some(), "{path} is documented");
    }
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&file, format!("{served}\n")).expect("docs/openapi.json is writable");
    }
    let stored = std::fs::read_to_string(&file).unwrap_or_default();
    assert_eq!(
        stored.trim_end(),
        served.trim_end(),
        "docs/openapi.json is stale: run UPDATE_OPENAPI=1 cargo nextest run openapi"
    );
    app.stop().await;
}
