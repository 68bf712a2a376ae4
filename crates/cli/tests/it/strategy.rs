//! The strategy workspaces through the live room: every participant sees each change,
//! checked (SMART, uniqueness, completeness, calendar, bundling), and bad input is
//! refused with its code and changes nothing.

use serde_json::{Value, json};

use crate::helpers::{LiveClient, spawn_app};

const SEED_GOAL: &str = "Voor het eind van dit jaar haalt ons bedrijf minimaal 10% meer omzet dan vorig jaar, door het €1000,- marketing overschot van vorig jaar te investeren in maandelijkse social media marketing.";

/// Sends an op, expects an ack, and returns the strategy the next strategy event carries.
async fn change(client: &mut LiveClient, id: &str, op: Value) -> Value {
    let answer = client.call(id, op.clone()).await;
    assert_eq!(answer["type"], "ack", "{op} → {answer}");
    assert!(client.events.iter().any(|f| f["event"]["type"] == "strategy_changed"), "a strategy event");
    client.strategy()
}

fn verdicts(check: &Value) -> String {
    ["S", "M", "A", "R", "T"]
        .iter()
        .map(|letter| match check[letter]["verdict"].as_str() {
            Some("holds") => 'H',
            Some("missing") => 'M',
            Some("unclear") => 'U',
            _ => '?',
        })
        .collect()
}

#[tokio::test]
async fn the_team_builds_its_strategy_live_and_sees_it_checked() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let (piet_id, piet) = app.join(&session, &session.participant_link, "Piet").await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let mut piet = app.connect_live(&session, &piet, None).await;
    assert_eq!(fay.welcome["snapshot"]["strategy"]["end_goals"], json!([]));

    // End goals, with the team's support.
    let strategy = change(&mut piet, "e1", json!({"type": "save_end_goal", "text": "Nummer 1 bakkerij van Utrecht", "horizon": {"kind": "within_years", "years": 3}})).await;
    let end_goal = strategy["end_goals"][0]["id"].as_u64().expect("an id");
    let strategy = change(&mut fay, "e2", json!({"type": "support_end_goal", "id": end_goal, "support": true})).await;
    assert_eq!(strategy["end_goals"][0]["supporters"], json!([1]));

    // A SMART goal: the seed's example passes all five letters; a vague one does not.
    let strategy =
        change(&mut piet, "s1", json!({"type": "save_smart_goal", "end_goal_id": end_goal, "text": SEED_GOAL})).await;
    let goal = &strategy["smart_goals"][0];
    assert_eq!(verdicts(&goal["check"]), "HHHHH", "{goal}");
    assert_eq!(goal["check"]["passes"], true);
    let strategy = change(&mut piet, "s2", json!({"type": "save_smart_goal", "text": "We willen meer omzet."})).await;
    let vague = &strategy["smart_goals"][1];
    let letters = verdicts(&vague["check"]);
    for (index, letter) in ["S", "M", "T"].iter().enumerate() {
        let at = [0, 1, 4][index];
        assert_ne!(letters.as_bytes()[at], b'H', "{letter} must fail: {vague}");
        assert!(!vague["check"][letter]["reason"].as_str().unwrap_or_default().is_empty());
    }
    let vague_id = vague["id"].as_u64().expect("an id");
    let strategy = change(
        &mut fay,
        "s3",
        json!({"type": "agree_smart_goal", "id": vague_id, "acceptable": true, "realistic": true}),
    )
    .await;
    assert_eq!(
        strategy["smart_goals"][1]["agreement"],
        json!([{"participant_id": 1, "acceptable": true, "realistic": true}])
    );

    // Personas: completeness, and only the facilitator picks the primary one.
    let strategy = change(
        &mut piet,
        "p1",
        json!({"type": "save_persona", "name": "Sanne", "age": 34, "pain_points": "Geen tijd om te bakken"}),
    )
    .await;
    let persona = &strategy["personas"][0];
    assert_eq!((persona["filled"].as_u64(), persona["total"].as_u64()), (Some(3), Some(12)));
    let persona_id = persona["id"].as_u64().expect("an id");
    let refused = piet.call("p2", json!({"type": "set_primary_persona", "id": persona_id})).await;
    assert_eq!(refused["code"], "facilitator_only");
    let strategy = change(&mut fay, "p3", json!({"type": "set_primary_persona", "id": persona_id})).await;
    assert_eq!(strategy["primary_persona_id"].as_u64(), Some(persona_id));

    // Core message: a competitor who has it makes the USP not unique; the plan makes a calendar.
    let message = json!({
        "type": "save_core_message",
        "usp": "Elke ochtend vers desembrood, bezorgd voor 8 uur",
        "life_improvement": "Sanne begint de dag zonder omweg langs de bakker",
        "competitors": [{"name": "Bakker Bart", "has_it": false, "could_get_easily": true}, {"name": "Supermarkt", "has_it": false, "could_get_easily": false}],
        "plan": [{"channel": "Instagram", "form": "post", "count": 2, "per": "week", "owner_id": piet_id}, {"channel": "Website", "form": "blog", "count": 1, "per": "month"}],
        "calendar_from": "2027-01-01",
        "calendar_to": "2027-03-31"
    });
    let strategy = change(&mut fay, "c1", message).await;
    let core = &strategy["core_message"];
    assert_eq!(core["unique"], false);
    assert_eq!(core["not_unique_because"], json!(["Bakker Bart"]));
    let calendar = core["calendar"].as_array().expect("a calendar");
    let posts = calendar.iter().filter(|item| item["channel"] == "Instagram").count();
    let blogs = calendar.iter().filter(|item| item["channel"] == "Website").count();
    assert!((24..=28).contains(&posts), "2 a week over 13 weeks: {posts}");
    assert_eq!(blogs, 3, "1 a month over a quarter");
    assert!(
        calendar
            .iter()
            .filter(|item| item["channel"] == "Instagram")
            .all(|item| item["owner_id"].as_u64() == Some(piet_id))
    );

    // A sticky becomes a content idea and an action; actions bundle into responsibilities.
    let ack = piet
        .call("b1", json!({"type": "create_sticky", "part_id": 5, "text": "Bakvideo op zaterdag", "x": 10, "y": 10}))
        .await;
    assert_eq!(ack["type"], "ack");
    let strategy =
        change(&mut piet, "i1", json!({"type": "add_idea", "text": "Bakvideo op zaterdag", "sticky_id": 1})).await;
    assert_eq!(strategy["ideas"][0]["sticky_id"], 1);
    let strategy = change(&mut piet, "a1", json!({"type": "save_action", "title": "Instagram-video van het desembrood maken", "source": {"kind": "sticky", "id": 1}, "part_id": 5, "owner_id": piet_id, "deadline": "2027-01-15"})).await;
    let strategy = {
        let _ = strategy;
        change(
            &mut fay,
            "a2",
            json!({"type": "save_action", "title": "Facturen van de zakelijke klanten versturen", "owner_id": 1}),
        )
        .await
    };
    assert_eq!(strategy["actions"].as_array().map(Vec::len), Some(2));
    let suggestions = strategy["suggestions"].as_array().expect("suggestions");
    assert!(suggestions.iter().any(|s| s["theme"] == "content"), "{suggestions:?}");
    assert!(suggestions.iter().all(|s| !s["explanation"].as_str().unwrap_or_default().is_empty()));
    let bundles: Vec<Value> = suggestions
        .iter()
        .map(|s| json!({"name": s["name"], "owner_id": s["owner_id"], "action_ids": s["action_ids"]}))
        .collect();
    let strategy = change(&mut fay, "r1", json!({"type": "set_responsibilities", "responsibilities": bundles})).await;
    assert_eq!(strategy["responsibilities"].as_array().map(Vec::len), Some(suggestions.len()));
    assert!(strategy["workload"].as_array().expect("workload").iter().all(|w| w["participant_id"].is_u64()));

    // Piet, who only received the changes, holds the same strategy as Fay.
    piet.wait_for_seq(fay.seq).await;
    assert_eq!(piet.strategy()["responsibilities"], strategy["responsibilities"]);
    assert_eq!(piet.strategy(), fay.strategy());
    fay.close().await;
    piet.close().await;
    app.stop().await;
}

#[tokio::test]
async fn bad_strategy_input_is_refused_with_its_code_and_changes_nothing() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let _ = change(&mut fay, "ok", json!({"type": "save_end_goal", "text": "Groei"})).await;
    let before = fay.events.last().cloned();
    let long = "x".repeat(2_001);
    let cases: Vec<(Value, &str, Option<&str>)> = vec![
        (json!({"type": "remove_end_goal", "id": 999}), "unknown_item", None),
        (json!({"type": "save_end_goal", "id": 998, "text": "x"}), "unknown_item", None),
        (json!({"type": "save_end_goal", "text": long}), "invalid_field", Some("text")),
        (json!({"type": "save_end_goal", "text": "x", "horizon": {"kind": "someday"}}), "invalid_body", None),
        (json!({"type": "save_smart_goal", "text": "x", "deadline": "31-12-2027"}), "invalid_body", None),
        (json!({"type": "save_smart_goal", "text": "x", "end_goal_id": 77}), "unknown_item", None),
        (json!({"type": "save_persona", "name": "Oud", "age": 200}), "invalid_field", Some("age")),
        (
            json!({"type": "save_core_message", "plan": [{"channel": "Instagram", "form": "post", "count": 0, "per": "week"}]}),
            "invalid_field",
            Some("count"),
        ),
        (
            json!({"type": "save_core_message", "plan": [{"channel": "Instagram", "form": "post", "count": 2, "per": "year"}]}),
            "invalid_body",
            None,
        ),
        (json!({"type": "save_action", "title": "x", "owner_id": 42}), "unknown_participant", None),
        (json!({"type": "save_action", "title": "x", "source": {"kind": "sticky", "id": 5}}), "unknown_sticky", None),
        (json!({"type": "add_idea", "text": "x", "sticky_id": 3}), "unknown_sticky", None),
        (
            json!({"type": "set_responsibilities", "responsibilities": [{"name": "A", "action_ids": [12345]}]}),
            "bad_bundle",
            None,
        ),
    ];
    for (n, (op, code, field)) in cases.into_iter().enumerate() {
        let answer = fay.call(&format!("bad{n}"), op.clone()).await;
        assert_eq!((answer["type"].as_str(), answer["code"].as_str()), (Some("reject"), Some(code)), "{op} → {answer}");
        assert_eq!(answer["field"].as_str(), field, "{op} → {answer}");
    }
    assert_eq!(fay.events.last().cloned(), before, "no event followed a refused op");
    fay.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_strategy_and_the_smart_check_are_also_served_over_http() {
    use reqwest::{Method, StatusCode};
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let _ = change(&mut fay, "g", json!({"type": "save_smart_goal", "text": SEED_GOAL})).await;
    let path = format!("/api/sessions/{}/strategy", session.id);
    let (status, strategy) = app.send(Method::GET, &path, Some(&session.facilitator), None).await;
    assert_eq!(status, StatusCode::OK, "{strategy}");
    assert_eq!(verdicts(&strategy["smart_goals"][0]["check"]), "HHHHH");
    let (status, _) = app.send(Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, check) = app
        .send(Method::POST, "/api/check-goal", None, Some(json!({"text": "We want more revenue.", "language": "en"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{check}");
    assert_eq!(check["M"]["verdict"], "missing");
    assert!(check["T"]["reason"].as_str().unwrap_or_default().contains("when"), "English reasons: {check}");
    for (body, code) in [
        (json!({"text": ""}), "invalid_field"),
        (json!({"text": "x", "language": "fr"}), "invalid_field"),
        (json!({"text": "x", "deadline": "morgen"}), "invalid_body"),
        (json!({"goal": "x"}), "invalid_body"),
    ] {
        let (status, answer) = app.send(Method::POST, "/api/check-goal", None, Some(body.clone())).await;
        assert!(status.is_client_error(), "{body} → {status}");
        assert_eq!(answer["code"], code, "{body} → {answer}");
    }
    fay.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_calendar_that_cannot_be_made_says_why_in_the_sessions_language() {
    let app = spawn_app().await;
    let session = app.create_heidag().await;
    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let plan = json!([{"channel": "instagram", "form": "social_post", "count": 2, "per": "week"}]);
    let backwards =
        json!({"type": "save_core_message", "plan": plan, "calendar_from": "2027-03-31", "calendar_to": "2027-01-01"});
    let strategy = change(&mut fay, "c1", backwards).await;
    let core = &strategy["core_message"];
    assert_eq!(core["calendar"], json!([]), "{core}");
    assert_eq!(core["calendar_problem"], "De kalender eindigt (2027-01-01) voordat hij begint (2027-03-31).");
    // Put right, the problem goes and the calendar comes.
    let forwards =
        json!({"type": "save_core_message", "plan": plan, "calendar_from": "2027-01-01", "calendar_to": "2027-01-31"});
    let strategy = change(&mut fay, "c2", forwards).await;
    assert_eq!(strategy["core_message"]["calendar_problem"], Value::Null);
    assert_eq!(
        strategy["core_message"]["calendar"].as_array().map(Vec::len),
        Some(8),
        "twice a week in the four weeks that start in January"
    );
    fay.close().await;
    app.stop().await;
}
