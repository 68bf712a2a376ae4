//! Fuzzing the live protocol's decoder and the domain behind it, as proptests (no
//! nightly toolchain needed, so it runs in the suite): arbitrary bytes and arbitrary
//! JSON into the message decoder; and sequences of ops — well-shaped ones with their
//! fields replaced by hostile values (huge, negative, empty, wrong types, control and
//! bidi characters) — through decoding, `session::apply` and `apply_event` on a session
//! with people and stickies. Nothing may panic, a rejected op changes nothing, and every
//! state reached survives the store's round trip (its serde form) and renders its views.
//!
//! The well-shaped ops are found, not written: for each op type in `op_types()` the test
//! asks serde what is missing or of the wrong type until the op decodes, so a new op is
//! fuzzed without touching this file. Quick by default (256 cases each);
//! `PROPTEST_CASES=20000 cargo nextest run -p heisessie-server --test protocol_fuzz` is the
//! long run.

use std::sync::OnceLock;

use chrono::NaiveDate;
use heisessie_domain::Lang;
use heisessie_domain::catalog::builtin_model;
use heisessie_domain::planner::PlannerSettings;
use heisessie_domain::session::{self, Actor, Event, Op, ParticipantId, SessionDetails, SessionState};
use heisessie_domain::text::{DisplayName, Organisation, Title};
use heisessie_server::protocol::{ClientMessage, WireOp, op_types};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Sets `value` at a serde path such as `horizon.kind` or `responsibilities[0].name`.
fn set_at(root: &mut Value, path: &str, value: Value) {
    let mut target = root;
    for segment in path.split('.').filter(|s| !s.is_empty() && *s != "?") {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        if !name.is_empty() {
            if !target.is_object() {
                *target = json!({});
            }
            target = target.as_object_mut().expect("an object").entry(name).or_insert(Value::Null);
        }
        if let Some(index) = index {
            if !target.is_array() {
                *target = json!([]);
            }
            let list = target.as_array_mut().expect("an array");
            while list.len() <= index {
                list.push(Value::Null);
            }
            target = &mut list[index];
        }
    }
    *target = value;
}

/// A value of the kind serde says it expected.
fn guess(message: &str) -> Value {
    if let Some(rest) = message.split("expected one of `").nth(1) {
        return json!(rest.split('`').next().unwrap_or_default());
    }
    let expected = message.rsplit("expected").next().unwrap_or_default();
    if expected.contains("date") {
        json!("2027-03-04")
    } else if expected.contains("string") || expected.contains("char") {
        json!("Tekst")
    } else if expected.contains("bool") {
        json!(true)
    } else if expected.contains("sequence") || expected.contains("tuple") {
        json!([])
    } else if expected.contains("struct") || expected.contains("map") {
        json!({})
    } else if expected.contains("f64") || expected.contains("f32") || expected.contains("float") {
        json!(1.5)
    } else {
        json!(1)
    }
}

/// A well-shaped op of `kind`: fields added as serde asks for them. Inside an
/// internally tagged enum serde names no path for a wrong type, so a wrong type is taken
/// to be the field added last, and other kinds of value are tried there in turn.
fn discover(kind: &str) -> Value {
    let candidates = [json!(1), json!("Tekst"), json!(true), json!([]), json!({}), json!(1.5)];
    let mut op = json!({"type": kind});
    let mut last = String::new();
    for _ in 0..80 {
        match serde_path_to_error::deserialize::<_, WireOp>(op.clone()) {
            Ok(_) => return op,
            Err(error) => {
                let message = error.inner().to_string();
                let path = error.path().to_string();
                let path = if path == "." { String::new() } else { path };
                if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
                    last = if path.is_empty() { field.to_owned() } else { format!("{path}.{field}") };
                    set_at(&mut op, &last, json!(1));
                    continue;
                }
                let target = if path.is_empty() { last.clone() } else { path };
                if target.is_empty() {
                    break;
                }
                let wanted = guess(&message);
                let current = target.split('.').try_fold(&op, |v, key| v.get(key)).cloned();
                let next = if current.as_ref() == Some(&wanted) {
                    // The guess did not help: the next kind of value.
                    let at = candidates.iter().position(|c| Some(c) == current.as_ref()).map_or(0, |i| i + 1);
                    match candidates.get(at) {
                        Some(value) => value.clone(),
                        None => break,
                    }
                } else {
                    wanted
                };
                set_at(&mut op, &target, next);
                last = target;
            }
        }
    }
    // Some ops need values serde cannot describe: the test below names them.
    op
}

fn examples() -> &'static Vec<Value> {
    static EXAMPLES: OnceLock<Vec<Value>> = OnceLock::new();
    EXAMPLES.get_or_init(|| op_types().iter().map(|kind| discover(kind)).collect())
}

/// A session with a facilitator, two participants and a few stickies.
fn busy_session() -> (SessionState, Vec<ParticipantId>) {
    let details = SessionDetails {
        title: Title::parse("title", "Proef").expect("a title"),
        organisation: Organisation::parse("organisation", "Bakkerij").expect("an organisation"),
        language: Lang::Nl,
        meeting_link: None,
    };
    let start = NaiveDate::from_ymd_opt(2027, 3, 4).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("a start");
    let settings = PlannerSettings::with_defaults(start, chrono_tz::UTC, 1).expect("settings");
    let mut state = SessionState::new(details, &builtin_model("heidag").expect("the heidag model"), settings);
    let mut people = Vec::new();
    for (n, name) in ["Fay", "Piet", "Tim"].iter().enumerate() {
        let actor = Actor::Newcomer { facilitator: n == 0 };
        let join = Op::Join { display_name: DisplayName::parse("display_name", name).expect("a name") };
        for event in session::apply(&state, actor, join, 0).expect("joins") {
            if let Event::ParticipantJoined { participant } = &event {
                people.push(participant.id);
            }
            state.apply_event(&event);
        }
    }
    for n in 0..3 {
        let op: WireOp = serde_json::from_value(
            json!({"type": "create_sticky", "part_id": 1, "text": format!("Idee {n}"), "x": 10, "y": 10}),
        )
        .expect("a sticky");
        let op = op.into_domain().expect("a valid sticky");
        for event in session::apply(&state, Actor::Participant(people[1]), op, 0).expect("created") {
            state.apply_event(&event);
        }
    }
    (state, people)
}

/// Values that have broken parsers before.
fn hostile() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(null)),
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(i32::MIN)),
        Just(json!(i32::MAX)),
        Just(json!(u32::MAX)),
        Just(json!(1e308)),
        Just(json!(-0.0)),
        Just(json!(4_294_967_296u64)),
        Just(json!("")),
        Just(json!("x".repeat(70_000))),
        Just(json!("\u{202e}\u{200b}<script>alert(1)</script>\r\n\0")),
        Just(json!("2026-02-30")),
        Just(json!("9999-12-31")),
        Just(json!([])),
        Just(json!({})),
        Just(json!(true)),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u32>().prop_map(|n| json!(n)),
        "\\PC{0,40}".prop_map(|s| json!(s)),
    ]
}

/// An op: a well-shaped one, with some of its fields (or a nested one) replaced.
fn op() -> impl Strategy<Value = Value> {
    let count = examples().len();
    (0..count, proptest::collection::vec((any::<prop::sample::Index>(), hostile()), 0..3)).prop_map(
        |(which, changes)| {
            let mut op = examples()[which].clone();
            for (index, value) in changes {
                let keys: Vec<String> =
                    op.as_object().map(|o| o.keys().filter(|k| *k != "type").cloned().collect()).unwrap_or_default();
                if !keys.is_empty() {
                    op[keys[index.index(keys.len())].as_str()] = value;
                }
            }
            op
        },
    )
}

/// Arbitrary JSON, with keys the protocol uses.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        hostile(),
        prop::sample::select(op_types().to_vec()).prop_map(|t| json!(t)),
        prop::sample::select(vec!["hello", "op", "presence", "ping"]).prop_map(|t| json!(t)),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop::sample::select(vec!["type", "op", "client_op_id", "protocol", "last_seq", "part_id", "text"]),
                    inner
                ),
                0..6
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

#[test]
fn every_op_type_is_found_in_a_decodable_shape_or_named() {
    let shapeless: Vec<String> = op_types()
        .iter()
        .zip(examples())
        .filter(|(_, example)| serde_json::from_value::<WireOp>((*example).clone()).is_err())
        .map(|(kind, example)| {
            format!("{kind}: {example} → {:?}", serde_json::from_value::<WireOp>(example.clone()).err())
        })
        .collect();
    // Every op type decodes from a discovered shape, so every op type is fuzzed in depth.
    assert!(shapeless.is_empty(), "no decodable shape found for {shapeless:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_the_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
            let _ = serde_json::from_value::<ClientMessage>(value);
        }
    }

    #[test]
    fn arbitrary_json_never_panics_the_decoder(value in any_json()) {
        if let Ok(ClientMessage::Op { op, .. }) = serde_json::from_value::<ClientMessage>(value.clone())
            && let Ok(wire) = serde_path_to_error::deserialize::<_, WireOp>(op)
        {
            let _ = wire.into_domain();
        }
        if let Ok(wire) = serde_json::from_value::<WireOp>(value) {
            let _ = wire.into_domain();
        }
    }

    #[test]
    fn hostile_op_sequences_keep_the_session_whole(
        ops in proptest::collection::vec((op(), 0usize..3, 0i64..10_000_000), 1..25)
    ) {
        let (mut state, people) = busy_session();
        for (value, who, now) in ops {
            let Ok(wire) = serde_path_to_error::deserialize::<_, WireOp>(value) else { continue };
            let Ok(op) = wire.into_domain() else { continue };
            let before = state.clone();
            match session::apply(&state, Actor::Participant(people[who]), op, now) {
                Ok(events) => {
                    for event in &events {
                        state.apply_event(event);
                    }
                }
                Err(_) => prop_assert_eq!(&state, &before, "a rejected op changed nothing"),
            }
            // The stored form reads back as the same state.
            let stored = serde_json::to_string(&state).expect("the state serializes");
            let back: SessionState = serde_json::from_str(&stored).expect("and reads back");
            prop_assert_eq!(&back, &state);
            // And the views the room sends render.
            let _ = heisessie_server::strategy_view::strategy_view(&state, state.settings.start().date());
            let _ = state.schedule();
            let _ = session::due_timer_events(&state, now, &[300, 60]);
        }
    }
}
