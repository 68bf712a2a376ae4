//! Downloads: every export of a session over HTTP (with its rights) and from the command
//! line, named after the session's id.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_facilitator_downloads_every_export_and_participants_only_when_allowed() {
    let app = spawn_app().await;
    let demo = app.client.post(app.url("/demo?lang=nl")).send().await.expect("an answer");
    let cookie = demo
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a cookie")
        .to_owned();
    let html = demo.text().await.expect("a body");
    let id = html.split("/s/").nth(1).and_then(|rest| rest.split(['?', '"', '/']).next()).expect("an id").to_owned();
    let link = html
        .split("value=\"")
        .filter_map(|r| r.split('"').next())
        .filter(|v| v.contains("/s/"))
        .nth(1)
        .expect("the participant link")
        .replace("&amp;", "&");
    let token = link.split("k=").nth(1).expect("a token").to_owned();

    let files = [
        ("report.html", "text/html", "Strategiedag Bakkerij Jansen"),
        ("report.md", "text/markdown", "Strategiedag Bakkerij Jansen"),
        ("deck.html", "text/html", "Kernboodschap"),
        ("session.ics", "text/calendar", "BEGIN:VCALENDAR"),
        ("actions.ics", "text/calendar", "BEGIN:VEVENT"),
        ("content.ics", "text/calendar", "BEGIN:VEVENT"),
        ("actions.csv", "text/csv", "Instagram-video"),
        ("content.csv", "text/csv", "Instagram"),
    ];
    for (file, content_type, contains) in files {
        let response = app
            .client
            .get(app.url(&format!("/api/sessions/{id}/exports/{file}")))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        let headers = response.headers().clone();
        assert!(headers["content-type"].to_str().unwrap_or_default().starts_with(content_type), "{file}");
        let disposition = headers["content-disposition"].to_str().unwrap_or_default().to_owned();
        assert_eq!(disposition, format!("attachment; filename=\"heisessie-{}-{file}\"", id.replace('-', "")));
        let body = response.text().await.expect("a body");
        assert!(body.contains(contains), "{file} holds {contains}");
    }
    if cfg!(feature = "pdf") {
        for file in ["report.pdf", "deck.pdf"] {
            let response = app
                .client
                .get(app.url(&format!("/api/sessions/{id}/exports/{file}")))
                .header("cookie", &cookie)
                .send()
                .await
                .expect("an answer");
            assert_eq!(response.status(), StatusCode::OK, "{file}");
            let bytes = response.bytes().await.expect("a body");
            assert!(bytes.starts_with(b"%PDF-") && bytes.len() > 2_000, "{file} is a PDF of {} bytes", bytes.len());
        }
    }

    // One person's deadlines only; an unknown person is refused.
    let all = app
        .client
        .get(app.url(&format!("/api/sessions/{id}/exports/actions.ics")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("an answer")
        .text()
        .await
        .expect("a body");
    let mine = app
        .client
        .get(app.url(&format!("/api/sessions/{id}/exports/actions.ics?participant=2")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("an answer")
        .text()
        .await
        .expect("a body");
    assert!(
        mine.matches("BEGIN:VEVENT").count() < all.matches("BEGIN:VEVENT").count() && mine.contains("BEGIN:VEVENT")
    );
    let (status, body) = app
        .send(reqwest::Method::GET, &format!("/api/sessions/{id}/exports/actions.ics?participant=77"), None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // A participant needs the facilitator's permission.
    let (status, joined) = app
        .send(
            reqwest::Method::POST,
            &format!("/api/sessions/{id}/join"),
            None,
            Some(json!({"token": token, "display_name": "Gast"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    let guest = joined["credential"].as_str().expect("a credential").to_owned();
    let path = format!("/api/sessions/{id}/exports/report.md");
    let (status, body) = app.send(reqwest::Method::GET, &path, Some(&guest), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("facilitator_only")));
    let session = crate::helpers::Session {
        id: id.clone(),
        facilitator_link: String::new(),
        participant_link: link.clone(),
        facilitator: String::new(),
        body: json!({}),
    };
    let mut live = app.open_live(&session, "none", &[("cookie", &cookie)]).await.expect("the facilitator connects");
    live.send_json(json!({"type": "hello", "protocol": 1})).await;
    let welcome = live.next_of("welcome").await;
    live.seq = welcome["seq"].as_u64().expect("a seq");
    assert_eq!(live.call("open", json!({"type": "set_exports_open", "open": true})).await["type"], "ack");
    let response = app.request(reqwest::Method::GET, &path, Some(&guest)).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    live.close().await;

    for (path, credential, status, code) in [
        (
            format!("/api/sessions/{id}/exports/../../etc/passwd"),
            Some(guest.as_str()),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            format!("/api/sessions/{id}/exports/report.exe"),
            Some(guest.as_str()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (format!("/api/sessions/{id}/exports/report.md"), None, StatusCode::UNAUTHORIZED, "not_authorized"),
    ] {
        let (got, body) = app.send(reqwest::Method::GET, &path, credential, None).await;
        assert_eq!((got, body["code"].as_str()), (status, Some(code)), "{path}");
    }
    app.stop().await;
}

#[test]
fn heisessie_export_writes_the_files_with_progress_and_refuses_bad_input() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_heisessie"))
            .args(args)
            .env("HEISESSIE_DATA_DIR", &data)
            .output()
            .expect("the binary runs")
    };
    let demo = run(&["demo", "--lang", "en"]);
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let stdout = String::from_utf8_lossy(&demo.stdout).into_owned();
    let id = stdout.split("/s/").nth(1).and_then(|rest| rest.split('?').next()).expect("an id").to_owned();
    let out = dir.path().join("out");
    let out_text = out.to_string_lossy().into_owned();
    let mut formats = vec![("md", 1), ("html", 2), ("ics", 3), ("csv", 2)];
    if cfg!(feature = "pdf") {
        formats.push(("pdf", 2));
    }
    for (format, files) in formats {
        let output = run(&["export", &id, "--format", format, "--out", &out_text]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{format}: {stderr}");
        assert_eq!(stderr.matches(&format!("/{files}] ")).count(), files, "progress per file: {stderr}");
    }
    let report =
        std::fs::read_to_string(out.join(format!("heisessie-{}-report.md", id.replace('-', "")))).expect("the report");
    assert!(report.contains("Strategy day Jansen Bikes"));
    let bad_id = run(&["export", "not-a-session", "--format", "md", "--out", &out_text]);
    assert_eq!(bad_id.status.code(), Some(2));
    let unknown = run(&["export", "0190b2a4-0000-7000-8000-000000000000", "--format", "md", "--out", &out_text]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("there is no session"));
    let bad_format = run(&["export", &id, "--format", "docx", "--out", &out_text]);
    assert_eq!(bad_format.status.code(), Some(2));
}
