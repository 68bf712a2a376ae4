//! The authorization matrix: every op the server reads (`protocol::op_types()`, derived
//! from the wire enum) sent by every role over the real WebSocket. Each op type has a
//! valid example below; an op type without one fails the test, so a new op cannot slip
//! past. The right an op needs comes from the domain (`Op::right()`); a holder gets an
//! ack, anyone else the right's rejection code, and then the session's seq has not moved
//! and the session and strategy read back exactly as before.

use std::collections::BTreeSet;

use heisessie_domain::session::Right;
use heisessie_server::live::LiveConfig;
use heisessie_server::protocol::{WireOp, op_types};
use heisessie_server::rooms::RoomConfig;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{LiveClient, Session, TestApp, spawn_app_with};

/// Who sends the op in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Facilitator,
    ProcessFacilitator,
    Timekeeper,
    NoteTaker,
    /// The presenter of the part that is current when the op is sent.
    Presenter,
    Participant,
}

const ROLES: [Role; 6] = [
    Role::Facilitator,
    Role::ProcessFacilitator,
    Role::Timekeeper,
    Role::NoteTaker,
    Role::Presenter,
    Role::Participant,
];

/// Whether `role` holds `right`, as the rules say (the room's check is what is tested).
fn may(role: Role, right: Right) -> bool {
    match right {
        Right::Link | Right::Participant => true,
        Right::Facilitator => role == Role::Facilitator,
        Right::Timekeeper => matches!(role, Role::Facilitator | Role::Timekeeper),
        Right::NoteTaker => matches!(role, Role::Facilitator | Role::NoteTaker),
        Right::Presenter => matches!(role, Role::Facilitator | Role::Presenter),
    }
}

fn refusal(right: Right) -> &'static str {
    match right {
        Right::Timekeeper => "timekeeper_only",
        Right::NoteTaker => "note_taker_only",
        Right::Presenter => "presenter_only",
        Right::Facilitator | Right::Participant | Right::Link => "facilitator_only",
    }
}

const RIGHTS_CODES: [&str; 4] = ["facilitator_only", "timekeeper_only", "note_taker_only", "presenter_only"];

/// What the session holds when a step is built: the ids a step refers to.
#[derive(Debug, Default)]
struct Ctx {
    parts: Vec<u64>,
    /// Participant ids: Pim, the process facilitator, and Tijs, the timekeeper.
    pim: u64,
    tijs: u64,
    stickies: BTreeSet<u64>,
    groups: BTreeSet<u64>,
    strategy: Value,
}

impl Ctx {
    fn part(&self, index: usize) -> u64 {
        self.parts[index]
    }
    fn sticky(&self) -> u64 {
        *self.stickies.last().expect("a sticky on the board")
    }
    fn two_stickies(&self) -> [u64; 2] {
        let mut newest = self.stickies.iter().rev();
        [*newest.next().expect("a sticky"), *newest.next().expect("a second sticky")]
    }
    fn group(&self) -> u64 {
        *self.groups.last().expect("a group on the board")
    }
    /// The newest item of a strategy list (`end_goals`, `smart_goals`, …).
    fn newest(&self, list: &str) -> u64 {
        self.strategy[list]
            .as_array()
            .and_then(|items| items.iter().filter_map(|i| i["id"].as_u64()).max())
            .unwrap_or_else(|| panic!("an item in {list}: {}", self.strategy))
    }
}

type Step = fn(&Ctx) -> Value;

/// Who runs a setup step: the facilitator, or the one whose cell it is.
#[derive(Clone, Copy)]
enum By {
    Facilitator,
    Actor,
}

/// A valid example of an op: steps that bring the session where the op makes sense
/// (their outcome is not checked; they run before every cell), then the op itself.
struct Example {
    setup: Vec<(By, Step)>,
    op: Step,
}

fn ex(op: Step) -> Example {
    Example { setup: Vec::new(), op }
}

fn with(setup: Vec<(By, Step)>, op: Step) -> Example {
    Example { setup, op }
}

const F: By = By::Facilitator;

fn new_sticky(c: &Ctx) -> Value {
    json!({"type": "create_sticky", "part_id": c.part(0), "text": "Vers brood", "x": 120, "y": 80})
}
fn start_timer(c: &Ctx) -> Value {
    json!({"type": "start_timer", "part_id": c.part(0), "seconds": 900})
}
fn open_vote(c: &Ctx) -> Value {
    json!({"type": "open_vote", "part_id": c.part(0), "votes_per_person": 5})
}
fn close_vote(_: &Ctx) -> Value {
    json!({"type": "close_vote"})
}
fn go_to_second(c: &Ctx) -> Value {
    json!({"type": "go_to_part", "part_id": c.part(1)})
}
fn new_end_goal(_: &Ctx) -> Value {
    json!({"type": "save_end_goal", "text": "De bekendste bakker van de stad"})
}
fn new_smart_goal(_: &Ctx) -> Value {
    json!({"type": "save_smart_goal", "text": "Eind 2027 tien procent meer omzet", "metric": "omzet", "target": 110.0})
}
fn new_persona(_: &Ctx) -> Value {
    json!({"type": "save_persona", "name": "Sanne", "age": 34})
}
fn new_action(_: &Ctx) -> Value {
    json!({"type": "save_action", "title": "Website vernieuwen"})
}
fn new_idea(_: &Ctx) -> Value {
    json!({"type": "add_idea", "text": "Bakworkshop voor kinderen"})
}
fn measure(c: &Ctx) -> Value {
    json!({"type": "record_measurement", "goal_id": c.newest("smart_goals"), "date": "2027-01-31", "value": 104.0})
}

/// The example of every op type; `None` for one without an example, which fails the test.
fn example(op_type: &str) -> Option<Example> {
    Some(match op_type {
        "go_to_part" => ex(|c| json!({"type": "go_to_part", "part_id": c.part(2)})),
        "next_part" => with(vec![(F, go_to_second)], |_| json!({"type": "next_part"})),
        "previous_part" => with(vec![(F, go_to_second)], |_| json!({"type": "previous_part"})),
        "set_models_overlay" => ex(|_| json!({"type": "set_models_overlay", "open": true})),
        "start_timer" => ex(start_timer),
        "pause_timer" => with(vec![(F, start_timer)], |_| json!({"type": "pause_timer"})),
        "resume_timer" => {
            with(vec![(F, start_timer), (F, |_| json!({"type": "pause_timer"}))], |_| json!({"type": "resume_timer"}))
        }
        "extend_timer" => with(vec![(F, start_timer)], |_| json!({"type": "extend_timer", "seconds": 60})),
        "reset_timer" => with(vec![(F, start_timer)], |_| json!({"type": "reset_timer"})),
        "create_sticky" => ex(new_sticky),
        "edit_sticky" => ex(|c| json!({"type": "edit_sticky", "sticky_id": c.sticky(), "text": "Verse croissants"})),
        "move_sticky" => ex(|c| json!({"type": "move_sticky", "sticky_id": c.sticky(), "x": 300, "y": 200})),
        "colour_sticky" => ex(|c| json!({"type": "colour_sticky", "sticky_id": c.sticky(), "colour": "pink"})),
        "resize_sticky" => {
            ex(|c| json!({"type": "resize_sticky", "sticky_id": c.sticky(), "width": 220, "height": 180}))
        }
        "group_stickies" => with(
            vec![(F, new_sticky), (F, new_sticky)],
            |c| json!({"type": "group_stickies", "sticky_ids": c.two_stickies(), "label": "Brood"}),
        ),
        "ungroup" => with(
            vec![
                (F, new_sticky),
                (F, new_sticky),
                (F, |c| json!({"type": "group_stickies", "sticky_ids": c.two_stickies(), "label": "Taart"})),
            ],
            |c| json!({"type": "ungroup", "group_id": c.group()}),
        ),
        "delete_sticky" => with(vec![(F, new_sticky)], |c| json!({"type": "delete_sticky", "sticky_id": c.sticky()})),
        "open_vote" => with(vec![(F, close_vote)], open_vote),
        "cast_vote" => {
            with(vec![(F, close_vote), (F, open_vote)], |c| json!({"type": "cast_vote", "sticky_id": c.sticky()}))
        }
        "remove_vote" => with(
            vec![
                (F, close_vote),
                (F, open_vote),
                (By::Actor, |c| json!({"type": "cast_vote", "sticky_id": c.sticky()})),
            ],
            |c| json!({"type": "remove_vote", "sticky_id": c.sticky()}),
        ),
        "close_vote" => with(vec![(F, open_vote)], close_vote),
        "set_notes" => ex(|c| json!({"type": "set_notes", "part_id": c.part(0), "text": "Besloten: meer brood."})),
        "assign_role" => ex(|c| json!({"type": "assign_role", "role": "process_facilitator", "participant_id": c.pim})),
        "save_end_goal" => ex(new_end_goal),
        "remove_end_goal" => {
            with(vec![(F, new_end_goal)], |c| json!({"type": "remove_end_goal", "id": c.newest("end_goals")}))
        }
        "move_end_goal" => with(
            vec![(F, new_end_goal), (F, new_end_goal)],
            |c| json!({"type": "move_end_goal", "id": c.newest("end_goals"), "to_index": 0}),
        ),
        "support_end_goal" => ex(|c| json!({"type": "support_end_goal", "id": c.newest("end_goals"), "support": true})),
        "save_smart_goal" => ex(new_smart_goal),
        "remove_smart_goal" => {
            with(vec![(F, new_smart_goal)], |c| json!({"type": "remove_smart_goal", "id": c.newest("smart_goals")}))
        }
        "agree_smart_goal" => ex(
            |c| json!({"type": "agree_smart_goal", "id": c.newest("smart_goals"), "acceptable": true, "realistic": true}),
        ),
        "save_persona" => ex(new_persona),
        "remove_persona" => {
            with(vec![(F, new_persona)], |c| json!({"type": "remove_persona", "id": c.newest("personas")}))
        }
        "set_primary_persona" => ex(|c| json!({"type": "set_primary_persona", "id": c.newest("personas")})),
        "save_core_message" => ex(|c| {
            json!({"type": "save_core_message", "usp": "Het vroegste brood", "life_improvement": "Altijd vers",
                "answers": "Waar is vers brood?", "competitors": [{"name": "De Super", "has_it": false}],
                "plan": [{"channel": "instagram", "form": "social_post", "count": 2, "per": "week", "owner_id": c.tijs}]})
        }),
        "add_idea" => ex(new_idea),
        "remove_idea" => with(vec![(F, new_idea)], |c| json!({"type": "remove_idea", "id": c.newest("ideas")})),
        "save_action" => ex(new_action),
        "remove_action" => with(vec![(F, new_action)], |c| json!({"type": "remove_action", "id": c.newest("actions")})),
        "set_responsibilities" => ex(|c| {
            json!({"type": "set_responsibilities", "responsibilities": [
                {"name": "Online", "owner_id": c.tijs, "action_ids": [c.newest("actions")]}]})
        }),
        "set_exports_open" => ex(|_| json!({"type": "set_exports_open", "open": true})),
        "record_measurement" => ex(measure),
        "remove_measurement" => with(
            vec![(F, measure)],
            |c| json!({"type": "remove_measurement", "goal_id": c.newest("smart_goals"), "date": "2027-01-31"}),
        ),
        _ => return None,
    })
}

/// The room, the six people in it and what the test knows of its state.
struct Room {
    app: TestApp,
    session: Session,
    fay: LiveClient,
    people: Vec<(Role, LiveClient)>,
    ctx: Ctx,
    ops: u64,
}

impl Room {
    /// The session and its strategy as the API shows them to the facilitator.
    async fn views(&self) -> (Value, Value) {
        let session = self.app.session(&self.session, &self.session.facilitator).await;
        let path = format!("/api/sessions/{}/strategy", self.session.id);
        let (status, strategy) = self.app.send(Method::GET, &path, Some(&self.session.facilitator), None).await;
        assert!(status.is_success(), "{status} {strategy}");
        (session, strategy)
    }

    async fn seq(&self) -> u64 {
        let body = self.app.session(&self.session, &self.session.facilitator).await;
        body["seq"].as_u64().expect("a seq")
    }

    fn next_id(&mut self) -> String {
        self.ops += 1;
        format!("m{}", self.ops)
    }

    /// Reads the facilitator's stream up to the session's seq, then rebuilds the ids.
    async fn refresh(&mut self) {
        let seq = self.seq().await;
        while self.fay.seq < seq {
            let frame = self.fay.next_within(std::time::Duration::from_secs(5)).await.expect("the events arrive");
            assert_ne!(frame["type"], "close", "the facilitator stays connected: {frame}");
        }
        self.ctx.stickies.clear();
        self.ctx.groups.clear();
        for frame in &self.fay.events {
            let event = &frame["event"];
            match event["type"].as_str() {
                Some("sticky_created") => {
                    self.ctx.stickies.insert(event["sticky"]["id"].as_u64().expect("an id"));
                }
                Some("sticky_deleted") => {
                    self.ctx.stickies.remove(&event["sticky_id"].as_u64().expect("an id"));
                }
                Some("stickies_grouped") => {
                    self.ctx.groups.insert(event["group_id"].as_u64().expect("an id"));
                }
                Some("ungrouped") => {
                    self.ctx.groups.remove(&event["group_id"].as_u64().expect("an id"));
                }
                _ => {}
            }
        }
        self.ctx.strategy = self.fay.strategy();
    }

    async fn as_facilitator(&mut self, op: Value) -> Value {
        self.as_role(Role::Facilitator, op).await
    }

    /// Sends `op` as the holder of `role` and returns the answer; an op refused for
    /// coming too fast (the per-person rate limit) is sent again a moment later.
    async fn as_role(&mut self, role: Role, op: Value) -> Value {
        loop {
            let id = self.next_id();
            let client = match role {
                Role::Facilitator => &mut self.fay,
                _ => &mut self.people.iter_mut().find(|(r, _)| *r == role).expect("everyone is in the room").1,
            };
            let answer = client.call(&id, op.clone()).await;
            if answer["code"] != "rate_limited" {
                return answer;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    }
}

async fn the_room() -> Room {
    // The matrix sends a few thousand ops in seconds; the per-connection rate limit
    // (tested elsewhere) would only slow it down.
    let live = LiveConfig { ops_per_second: 100_000.0, ops_burst: 100_000.0, ..LiveConfig::default() };
    let app = spawn_app_with(RoomConfig::default(), live).await;
    let session = app.create_heidag().await;
    let body = app.session(&session, &session.facilitator).await;
    let parts: Vec<u64> =
        body["parts"].as_array().expect("parts").iter().map(|p| p["id"].as_u64().expect("an id")).collect();
    assert!(parts.len() >= 3, "a heidag has parts: {parts:?}");
    let mut people = Vec::new();
    let mut ids = Vec::new();
    for (role, name) in [
        (Role::ProcessFacilitator, "Pim"),
        (Role::Timekeeper, "Tijs"),
        (Role::NoteTaker, "Nora"),
        (Role::Presenter, "Pia"),
        (Role::Participant, "Piet"),
    ] {
        let (id, credential) = app.join(&session, &session.participant_link, name).await;
        let assignment = match role {
            Role::ProcessFacilitator => Some(json!({"role": "process_facilitator", "participant_id": id})),
            Role::Timekeeper => Some(json!({"role": "timekeeper", "participant_id": id})),
            Role::NoteTaker => Some(json!({"role": "note_taker", "participant_id": id})),
            // The presenter of the second part, which every presenter op's setup makes current.
            Role::Presenter => Some(json!({"role": "presenter", "part_id": parts[1], "participant_id": id})),
            _ => None,
        };
        if let Some(body) = assignment {
            let (status, answer) = app
                .send(
                    Method::POST,
                    &format!("/api/sessions/{}/roles", session.id),
                    Some(&session.facilitator),
                    Some(body),
                )
                .await;
            assert!(status.is_success(), "{status} {answer}");
        }
        ids.push(id);
        people.push((role, app.connect_live(&session, &credential, None).await));
    }
    let fay = app.connect_live(&session, &session.facilitator, None).await;
    let ctx = Ctx { parts, pim: ids[0], tijs: ids[1], ..Ctx::default() };
    let mut room = Room { app, session, fay, people, ctx, ops: 0 };
    // Something on the board and in every strategy list for the ops that need it.
    for op in [
        new_sticky(&room.ctx),
        new_sticky(&room.ctx),
        new_end_goal(&room.ctx),
        new_smart_goal(&room.ctx),
        new_persona(&room.ctx),
        new_idea(&room.ctx),
        new_action(&room.ctx),
    ] {
        let answer = room.as_facilitator(op.clone()).await;
        assert_eq!(answer["type"], "ack", "{op} → {answer}");
    }
    room
}

#[tokio::test]
async fn every_op_from_every_role_is_allowed_or_refused_as_its_right_says() {
    let types = op_types();
    let missing: Vec<&str> = types.iter().copied().filter(|t| example(t).is_none()).collect();
    assert!(missing.is_empty(), "op types without an example in the authorization matrix: {missing:?}");

    let mut room = the_room().await;
    let mut cells = 0;
    let mut allowed = 0;
    for op_type in types {
        let example = example(op_type).expect("checked above");
        for role in ROLES {
            for (by, step) in &example.setup {
                room.refresh().await;
                let op = step(&room.ctx);
                match by {
                    By::Facilitator => room.as_facilitator(op).await,
                    By::Actor => room.as_role(role, op).await,
                };
            }
            room.refresh().await;
            let op = (example.op)(&room.ctx);
            assert_eq!(op["type"], *op_type, "the example of {op_type} is that op");
            let right = serde_json::from_value::<WireOp>(op.clone())
                .unwrap_or_else(|e| panic!("the example of {op_type} reads: {e}: {op}"))
                .into_domain()
                .unwrap_or_else(|e| panic!("the example of {op_type} is valid: {e:?}: {op}"))
                .right();
            let (session_before, strategy_before) = room.views().await;
            let before = session_before["seq"].as_u64().expect("a seq");
            let answer = room.as_role(role, op.clone()).await;
            let (session_after, strategy_after) = room.views().await;
            let after = session_after["seq"].as_u64().expect("a seq");
            cells += 1;
            if may(role, right) {
                allowed += 1;
                assert_eq!(answer["type"], "ack", "{op_type} by the {role:?} ({right:?}) is allowed: {op} → {answer}");
                assert!(after > before, "{op_type} by the {role:?} changed the session");
            } else {
                assert_eq!(answer["type"], "reject", "{op_type} by the {role:?} ({right:?}) is refused: {answer}");
                assert_eq!(answer["code"], refusal(right), "{op_type} by the {role:?}: {answer}");
                assert!(!answer["message"].as_str().unwrap_or_default().is_empty(), "a message: {answer}");
                assert_eq!(after, before, "a refused {op_type} by the {role:?} changed nothing");
                assert_eq!(session_after, session_before, "a refused {op_type} left the session as it was");
                assert_eq!(strategy_after, strategy_before, "a refused {op_type} left the strategy as it was");
            }
            assert!(
                !RIGHTS_CODES.contains(&answer["code"].as_str().unwrap_or_default()) || !may(role, right),
                "{op_type} by the {role:?}: {answer}"
            );
        }
    }
    assert_eq!(cells, types.len() * ROLES.len());
    println!(
        "authorization matrix: {} op types × {} roles = {cells} cells, {allowed} allowed, {} refused",
        types.len(),
        ROLES.len(),
        cells - allowed
    );
    room.app.stop().await;
}
