//! After the day: the demo, goal tracking on the follow-up page, and the follow-up session.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// Posts a form and returns (status, cookie, body).
async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> (StatusCode, Option<String>, String) {
    let mut request = app.client.post(app.url(path)).form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status();
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    (status, cookie, response.text().await.expect("a body"))
}

fn session_id_in(html: &str) -> String {
    html.split("/s/").nth(1).and_then(|rest| rest.split(['?', '/', '"']).next()).expect("a session link").to_owned()
}

async fn get(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, String) {
    let response = app.client.get(app.url(path)).header("cookie", cookie).send().await.expect("an answer");
    (response.status(), response.text().await.expect("a body"))
}

#[tokio::test]
async fn the_demo_fills_every_part_in_both_languages() {
    let app = spawn_app().await;
    for (lang, title, persona) in [("nl", "Bakkerij Jansen", "Sanne"), ("en", "Jansen Bikes", "Sam")] {
        let (status, cookie, html) = post_form(&app, &format!("/demo?lang={lang}"), None, &[]).await;
        assert_eq!(status, StatusCode::CREATED);
        let cookie = cookie.expect("the creator's cookie");
        let id = session_id_in(&html);
        let session: Value = app
            .client
            .get(app.url(&format!("/api/sessions/{id}")))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("an answer")
            .json()
            .await
            .expect("JSON");
        assert!(session["title"].as_str().unwrap_or_default().contains(title), "{}", session["title"]);
        let response = app
            .client
            .get(app.url(&format!("/api/sessions/{id}/strategy")))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("an answer");
        let strategy: Value = response.json().await.expect("JSON");
        assert_eq!(strategy["end_goals"].as_array().map(Vec::len), Some(2));
        assert_eq!(strategy["smart_goals"].as_array().map(Vec::len), Some(2));
        assert_eq!(strategy["smart_goals"][0]["check"]["passes"], true, "{}", strategy["smart_goals"][0]);
        assert_eq!(strategy["smart_goals"][0]["measurements"].as_array().map(Vec::len), Some(4));
        assert_eq!(strategy["smart_goals"][0]["progress"], "on_track");
        assert_eq!(strategy["smart_goals"][1]["progress"], "behind");
        assert_eq!(strategy["personas"].as_array().map(Vec::len), Some(2));
        assert_eq!(strategy["personas"][0]["name"], persona);
        assert_eq!(strategy["personas"][0]["primary"], true);
        assert!(!strategy["core_message"]["calendar"].as_array().expect("a calendar").is_empty());
        assert_eq!(strategy["actions"].as_array().map(Vec::len), Some(5));
        assert!(!strategy["responsibilities"].as_array().expect("bundles").is_empty());
        let (_, session) = app.send(Method::GET, &format!("/api/sessions/{id}"), None, None).await;
        assert_eq!(session["code"], "not_authorized", "the demo is as private as any session");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_follow_up_page_tracks_goals_and_plans_the_next_session() {
    let app = spawn_app().await;
    let (_, cookie, html) = post_form(&app, "/demo?lang=nl", None, &[]).await;
    let cookie = cookie.expect("a cookie");
    let id = session_id_in(&html);
    let (status, page) = get(&app, &format!("/s/{id}/follow-up?lang=nl"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.matches("<svg").count(), 2, "a chart per SMART goal");
    assert!(
        page.contains("Op koers") && page.contains("Loopt achter"),
        "the verdicts in words: {}",
        page.matches("verdict").count()
    );
    assert!(page.contains("data-action=\"schedule-follow-up\""), "the facilitator can plan a follow-up");

    // A measurement from the page, and bad ones refused without change.
    let today = chrono::Utc::now().date_naive().to_string();
    let (status, _, _) = post_form(
        &app,
        &format!("/s/{id}/follow-up/measure?lang=nl"),
        Some(&cookie),
        &[("goal_id", "4"), ("date", &today), ("value", "900")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let strategy: Value = app
        .client
        .get(app.url(&format!("/api/sessions/{id}/strategy")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    // Today's value replaces the one measured earlier today (one value a day).
    assert_eq!(strategy["smart_goals"][1]["measurements"].as_array().map(Vec::len), Some(4));
    assert_eq!(strategy["smart_goals"][1]["progress"], "on_track", "900 subscribers catches up with the line");
    for (goal, date, value, code) in [
        ("4", today.as_str(), "veel", "Het veld"),
        ("99", today.as_str(), "5", "bestaat niet"),
        ("4", "gisteren", "5", "Het veld"),
    ] {
        let (status, _, body) = post_form(
            &app,
            &format!("/s/{id}/follow-up/measure?lang=nl"),
            Some(&cookie),
            &[("goal_id", goal), ("date", date), ("value", value)],
        )
        .await;
        assert!(status.is_client_error(), "{goal} {date} {value}: {status}");
        assert!(body.contains(code), "{body}");
    }
    let after: Value = app
        .client
        .get(app.url(&format!("/api/sessions/{id}/strategy")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(after["smart_goals"], strategy["smart_goals"], "bad measurements changed nothing");
    let (status, _, _) = post_form(
        &app,
        &format!("/s/{id}/follow-up/measure"),
        None,
        &[("goal_id", "4"), ("date", &today), ("value", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no link, no tracking");

    // The follow-up session starts with the goals and their measurements.
    let (status, new_cookie, html) =
        post_form(&app, &format!("/s/{id}/follow-up/session?lang=nl"), Some(&cookie), &[("start", "2030-01-07T09:00")])
            .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(html.contains("Je vervolgsessie staat klaar"));
    let new_id = session_id_in(&html);
    assert_ne!(new_id, id);
    let (_, session) = app.send(Method::GET, &format!("/api/sessions/{new_id}?lang=nl"), None, None).await;
    assert_eq!(session["code"], "not_authorized");
    let new_cookie = new_cookie.expect("the facilitator's cookie for the new session");
    let view: Value = app
        .client
        .get(app.url(&format!("/api/sessions/{new_id}?lang=nl")))
        .header("cookie", &new_cookie)
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(view["parts"][0]["title"], "Voortgang van de doelen", "{view}");
    assert!(view["title"].as_str().unwrap_or_default().starts_with("Vervolg: "));
    let strategy: Value = app
        .client
        .get(app.url(&format!("/api/sessions/{new_id}/strategy")))
        .header("cookie", &new_cookie)
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(strategy["smart_goals"][1]["measurements"].as_array().map(Vec::len), Some(4));
    assert_eq!(strategy["actions"], json!([]));
    app.stop().await;
}

#[test]
fn heisessie_demo_prints_the_links_of_a_new_sample_session() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_heisessie"))
        .args(["demo", "--lang", "en", "--public-url", "http://localhost:9999"])
        .env("HEISESSIE_DATA_DIR", dir.path())
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        stdout.contains("Strategy day Jansen Bikes") && stdout.contains("facilitator: http://localhost:9999/s/"),
        "{stdout}"
    );
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_heisessie"))
        .args(["demo", "--lang", "fr"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
}
