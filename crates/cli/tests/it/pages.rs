//! The server-rendered pages: the home page creates a session and shows its agenda;
//! a link leads to a name form, the cookie, and the session page.

use reqwest::{Method, StatusCode};

use crate::helpers::spawn_app;

async fn page(app: &crate::helpers::TestApp, path: &str, lang: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut request = app.client.get(app.url(path)).header("accept-language", lang);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("an answer");
    (response.status(), response.text().await.expect("a body"))
}

fn set_cookie(response: &reqwest::Response) -> String {
    let header = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("a cookie").to_owned();
    assert!(header.contains("HttpOnly") && header.contains("SameSite=Lax"), "{header}");
    header.split(';').next().expect("name=value").to_owned()
}

#[tokio::test]
async fn the_home_page_speaks_dutch_first_and_english_on_request() {
    let app = spawn_app().await;
    let (status, dutch) = page(&app, "/", "nl", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        dutch.contains("<html lang=\"nl\">")
            && dutch.contains("Nieuwe heisessie")
            && dutch.contains("Heidag online marketing")
    );
    let (_, english) = page(&app, "/", "en-US", None).await;
    assert!(
        english.contains("<html lang=\"en\">") && english.contains("New strategy day") && english.contains("SOSTAC®")
    );
    let (_, switched) = page(&app, "/?lang=en", "nl", None).await;
    assert!(switched.contains("New strategy day"));
    app.stop().await;
}

#[tokio::test]
async fn the_form_creates_a_session_shows_the_agenda_with_breaks_and_a_participant_joins_by_link() {
    let app = spawn_app().await;
    let form = [
        ("model", "heidag"),
        ("title", "Strategiedag <b>Bakkerij</b> Jansen"),
        ("organisation", "Bakkerij Jansen"),
        ("language", "nl"),
        ("meeting_link", "https://meet.jit.si/jansen"),
        ("facilitator_name", "Fay"),
        ("start", "2026-12-03T09:00"),
        ("time_zone", "Europe/Amsterdam"),
        ("max_hours", "5"),
        ("break_every", "90"),
        ("break_minutes", "15"),
        ("days", "2"),
        ("gap_days", "7"),
    ];
    let response = app.client.post(app.url("/sessions?lang=nl")).form(&form).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::CREATED);
    let facilitator_cookie = set_cookie(&response);
    let html = response.text().await.expect("a body");
    assert!(html.contains("Je sessie staat klaar"), "{html}");
    assert!(html.contains("Koffiepauze") && html.contains("Dag 2") && html.contains("2026-12-10"), "{html}");
    assert!(html.contains("Strategiedag &lt;b&gt;Bakkerij&lt;/b&gt; Jansen"), "user text is escaped");
    assert!(!html.contains("<b>Bakkerij</b>"));
    let link = html
        .split("value=\"")
        .filter_map(|rest| rest.split('"').next())
        .filter(|value| value.contains("/s/"))
        .nth(1)
        .expect("the participant link is shown")
        .replace("&amp;", "&");
    let path = link.strip_prefix(&app.base).expect("a link to this server").to_owned();
    let session_path = path.split('?').next().expect("a path").to_owned();

    // The facilitator's cookie opens the session page.
    let (status, html) = page(&app, &session_path, "nl", Some(&facilitator_cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Planning") && html.contains("Fay"));

    // Without the link: no way in. With it: a name form, then the cookie, then the page.
    let (status, html) = page(&app, &session_path, "nl", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("link van de sessie nodig"));
    let (status, html) = page(&app, &format!("{session_path}?k={}", "ab".repeat(20)), "nl", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("werkt niet"));
    let (status, html) = page(&app, &path, "en", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Join Strategiedag &lt;b&gt;") && html.contains("name=\"display_name\""), "{html}");

    let token = path.split("k=").nth(1).expect("a token");
    let empty = app
        .client
        .post(app.url(&format!("{session_path}/join?lang=en")))
        .form(&[("token", token), ("display_name", "  ")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.expect("a body").contains("must not be empty"));

    let joined = app
        .client
        .post(app.url(&format!("{session_path}/join?lang=en")))
        .form(&[("token", token), ("display_name", "Piet")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&joined);
    let (status, html) = page(&app, &session_path, "en", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Schedule") && html.contains("Piet") && html.contains("Coffee break"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn a_bad_form_shows_the_error_next_to_the_form_and_creates_nothing() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/sessions?lang=en"))
        .form(&[("model", "heidag"), ("title", "Heidag"), ("start", "2026-12-03T09:00"), ("max_hours", "30")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.headers().get("set-cookie").is_none());
    let html = response.text().await.expect("a body");
    assert!(html.contains("max_hours") && html.contains("between 1 and 12"), "{html}");
    assert!(html.contains("value=\"Heidag\""), "the form keeps what was typed");

    let forged = app
        .client
        .post(app.url("/sessions"))
        .header("origin", "https://evil.example")
        .form(&[("model", "heidag"), ("title", "Heidag"), ("start", "2026-12-03T09:00")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let (status, _) = app.send(Method::GET, "/locales/nl.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn a_right_to_left_override_in_a_title_ends_where_the_title_ends_on_the_page() {
    let app = spawn_app().await;
    let form = [
        ("model", "heidag"),
        ("title", "Heidag \u{202E}nesnaJ"),
        ("language", "nl"),
        ("start", "2026-12-03T09:00"),
        ("time_zone", "Europe/Amsterdam"),
    ];
    let response = app.client.post(app.url("/sessions?lang=nl")).form(&form).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::CREATED);
    let html = response.text().await.expect("a body");
    // The pages escape with the exports' escaper: the override is isolated, so it cannot
    // turn the page's own words after the title around.
    assert!(html.contains("\u{2068}Heidag \u{202E}nesnaJ\u{2069}"), "{html}");
    assert!(!html.contains("Heidag \u{202E}nesnaJ<"), "the override is never left open");
    app.stop().await;
}
