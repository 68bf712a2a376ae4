//! The contract every [`Store`] implementation must keep, as one suite of checks.
//!
//! Each check is a public function of a store that makes its own sessions, so the checks
//! depend neither on one another nor on their order. A backend's tests get one test per
//! check from [`store_contract_tests!`](crate::store_contract_tests), given a function
//! that makes a fresh [`Fixture`]:
//!
//! ```ignore
//! async fn fresh_store() -> MyFixture { /* an empty store in a temp folder */ }
//! heisessie_store::store_contract_tests!(fresh_store);
//! ```
//!
//! [`run`] runs every check on one store, one after the other.

// The suite is test code that ships in the library so every backend can run it: a
// failed unwrap here is a failing check, with its cause.
#![allow(clippy::unwrap_used)]

use std::future::Future;

use chrono::NaiveDate;
use heisessie_domain::model::{Model, ModelPart, Priority, WorkspaceKind};
use heisessie_domain::planner::{PartId, PlannerSettings};
use heisessie_domain::session::{self, Actor, Event, Op, ParticipantId, SessionDetails, SessionState, StrategyEvent};
use heisessie_domain::text::{DisplayName, Organisation, Title};
use heisessie_domain::timebox::Timebox;
use heisessie_domain::{Lang, Localized};
use uuid::Uuid;

use crate::{LinkKind, NewCredential, NewEvent, NewSession, Origin, SessionId, Store, StoreError, TokenHash};

/// A fresh, empty store for one check, with whatever must live as long as it (a temp
/// folder, a database).
pub trait Fixture {
    fn store(&self) -> &dyn Store;

    /// Puts the store away once the check has passed (closes its connections).
    fn close(self) -> impl Future<Output = ()>;
}

/// Generates one `#[tokio::test]` per check of the contract, each on a fresh fixture
/// from the async function `$fresh`. The list of checks is kept here, once; [`run`]
/// goes through the same list.
#[macro_export]
macro_rules! store_contract_tests {
    ($fresh:path) => {
        $crate::store_contract_tests!(@checks (@tests $fresh));
    };
    (@checks ($($mode:tt)*)) => {
        $crate::store_contract_tests!($($mode)*;
            a_created_session_loads_back_as_it_was_stored,
            appending_checks_the_expected_seq,
            events_since_returns_exactly_the_tail_in_order,
            a_snapshot_and_the_events_after_it_give_the_current_state,
            credentials_belong_to_one_session,
            rotating_a_link_moves_its_epoch_and_keeps_the_rotator,
            a_session_id_is_used_once,
            a_join_that_loses_the_race_stores_no_credential,
            the_origins_of_ops_are_kept_for_resent_ops,
        );
    };
    (@tests $fresh:path; $($check:ident,)+) => {
        $(
            #[tokio::test]
            async fn $check() {
                let fixture = $fresh().await;
                $crate::contract::$check($crate::contract::Fixture::store(&fixture)).await;
                $crate::contract::Fixture::close(fixture).await;
            }
        )+
    };
    (@run $store:ident; $($check:ident,)+) => {
        $( $crate::contract::$check($store).await; )+
    };
}

/// Runs every check of the contract against `store`, one after the other.
pub async fn run(store: &dyn Store) {
    crate::store_contract_tests!(@checks (@run store));
}

fn token(byte: u8) -> TokenHash {
    let mut hash = [byte; 32];
    // Random tail bytes keep hashes unique across checks that share one store.
    hash[..16].copy_from_slice(Uuid::now_v7().as_bytes());
    TokenHash(hash)
}

fn sample_state() -> SessionState {
    let model = Model {
        id: "contract".into(),
        name: Localized::same("Contract"),
        description: Localized::same(""),
        credit: None,
        parts: ["one", "two"]
            .into_iter()
            .map(|key| ModelPart {
                key: key.into(),
                title: Localized::same(key),
                explanation: Localized::same(""),
                questions: vec![],
                minutes: Timebox::new(30).expect("a timebox"),
                priority: Priority::Must,
                workspace: WorkspaceKind::Board,
            })
            .collect(),
    };
    let details = SessionDetails {
        title: Title::parse("title", "Contract").unwrap(),
        organisation: Organisation::parse("organisation", "").unwrap(),
        language: Lang::En,
        meeting_link: None,
    };
    let start = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap().and_hms_opt(9, 0, 0).unwrap();
    SessionState::new(details, &model, PlannerSettings::with_defaults(start, chrono_tz::UTC, 1).unwrap())
}

fn join_event(state: &SessionState, name: &str, facilitator: bool) -> Event {
    let op = Op::Join { display_name: DisplayName::parse("display_name", name).unwrap() };
    session::apply(state, Actor::Newcomer { facilitator }, op, 0).unwrap().remove(0)
}

/// Creates a session whose creator (participant 1, facilitator) holds `creator_token`.
async fn create(store: &dyn Store, creator_token: TokenHash) -> (SessionId, SessionState) {
    let id = Uuid::now_v7();
    let mut state = sample_state();
    let created = Event::SessionCreated { state: Box::new(state.clone()) };
    let joined = join_event(&state, "Fay", true);
    state.apply_event(&joined);
    store
        .create_session(NewSession {
            id,
            created_at_ms: 1,
            facilitator_link: token(1),
            participant_link: token(2),
            events: vec![NewEvent::system(created), NewEvent::system(joined)],
            creator: Some(NewCredential {
                token: creator_token,
                participant: ParticipantId(1),
                via: LinkKind::Facilitator,
            }),
        })
        .await
        .unwrap();
    (id, state)
}

fn retimed(minutes: u32) -> Event {
    Event::PartRetimed { part: PartId(1), minutes: Timebox::new(minutes).expect("a timebox") }
}

fn retime(minutes: u32) -> NewEvent {
    NewEvent::system(retimed(minutes))
}

pub async fn a_created_session_loads_back_as_it_was_stored(store: &dyn Store) {
    let (id, state) = create(store, token(3)).await;
    let (seq, loaded) = store.load_session(id).await.unwrap();
    assert_eq!(seq, 2);
    assert_eq!(loaded, state);
    assert_eq!(store.session_access(id).await.unwrap().last_seq, 2);
    assert!(matches!(store.load_session(Uuid::now_v7()).await, Err(StoreError::NotFound)));
    assert!(matches!(store.session_access(Uuid::now_v7()).await, Err(StoreError::NotFound)));
}

pub async fn appending_checks_the_expected_seq(store: &dyn Store) {
    let (id, _) = create(store, token(3)).await;
    assert_eq!(store.append_events(id, 2, &[retime(20), retime(25)], None).await.unwrap(), 4);
    // A writer that still believes the log is at 2 must not overwrite seq 3 and 4.
    assert!(matches!(store.append_events(id, 2, &[retime(99)], None).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.append_events(Uuid::now_v7(), 0, &[retime(5)], None).await, Err(StoreError::NotFound)));
    let (seq, state) = store.load_session(id).await.unwrap();
    assert_eq!(seq, 4);
    assert_eq!(state.part(PartId(1)).map(|p| p.minutes.minutes()), Some(25));
}

pub async fn events_since_returns_exactly_the_tail_in_order(store: &dyn Store) {
    let (id, _) = create(store, token(3)).await;
    store.append_events(id, 2, &[retime(10), retime(15), retime(20)], None).await.unwrap();
    let tail = store.events_since(id, 3).await.unwrap();
    let seqs: Vec<u64> = tail.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [4, 5]);
    assert_eq!(tail[0].event, retimed(15));
    assert_eq!(tail[1].event, retimed(20));
    assert!(store.events_since(id, 5).await.unwrap().is_empty());
}

pub async fn a_snapshot_and_the_events_after_it_give_the_current_state(store: &dyn Store) {
    let (id, _) = create(store, token(3)).await;
    store.append_events(id, 2, &[retime(10)], None).await.unwrap();
    let (seq, at_three) = store.load_session(id).await.unwrap();
    store.save_snapshot(id, seq, &at_three).await.unwrap();
    store.append_events(id, 3, &[retime(35)], None).await.unwrap();
    let (seq, now) = store.load_session(id).await.unwrap();
    assert_eq!(seq, 4);
    assert_eq!(now.part(PartId(1)).map(|p| p.minutes.minutes()), Some(35));
    assert_eq!(store.load_snapshot(id).await.unwrap().map(|s| s.seq), Some(3));
    // An older snapshot never replaces a newer one.
    store.save_snapshot(id, 4, &now).await.unwrap();
    store.save_snapshot(id, 3, &at_three).await.unwrap();
    assert_eq!(store.load_snapshot(id).await.unwrap().map(|s| s.seq), Some(4));
    assert_eq!(store.load_session(id).await.unwrap(), (4, now));
}

pub async fn credentials_belong_to_one_session(store: &dyn Store) {
    let mine = token(4);
    let (id, _) = create(store, mine).await;
    let (other, _) = create(store, token(5)).await;
    let credential = store.credential(id, mine).await.unwrap();
    assert_eq!(credential.participant, ParticipantId(1));
    assert_eq!(credential.via, LinkKind::Facilitator);
    assert_eq!(credential.epoch, 1);
    assert!(matches!(store.credential(other, mine).await, Err(StoreError::NotFound)));
    assert!(matches!(store.credential(id, token(6)).await, Err(StoreError::NotFound)));
}

pub async fn rotating_a_link_moves_its_epoch_and_keeps_the_rotator(store: &dyn Store) {
    let fay = token(7);
    let (id, state) = create(store, fay).await;
    let second = token(8);
    let joined = join_event(&state, "Guus", true);
    store
        .append_events(
            id,
            2,
            &[NewEvent::system(joined)],
            Some(NewCredential { token: second, participant: ParticipantId(2), via: LinkKind::Facilitator }),
        )
        .await
        .unwrap();
    let new_link = token(9);
    assert_eq!(store.rotate_link(id, LinkKind::Facilitator, new_link, Some(ParticipantId(1))).await.unwrap(), 2);
    let access = store.session_access(id).await.unwrap();
    assert_eq!(access.link(LinkKind::Facilitator), new_link);
    assert_eq!(access.epoch(LinkKind::Facilitator), 2);
    assert_eq!(access.epoch(LinkKind::Participant), 1);
    assert_eq!(store.credential(id, fay).await.unwrap().epoch, 2);
    assert_eq!(store.credential(id, second).await.unwrap().epoch, 1);
    assert!(matches!(
        store.rotate_link(Uuid::now_v7(), LinkKind::Participant, token(10), None).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn a_session_id_is_used_once(store: &dyn Store) {
    let (id, state) = create(store, token(11)).await;
    let again = NewSession {
        id,
        created_at_ms: 2,
        facilitator_link: token(12),
        participant_link: token(13),
        events: vec![NewEvent::system(Event::SessionCreated { state: Box::new(state) })],
        creator: None,
    };
    assert!(matches!(store.create_session(again).await, Err(StoreError::Conflict(_))));
}

pub async fn a_join_that_loses_the_race_stores_no_credential(store: &dyn Store) {
    let (id, state) = create(store, token(14)).await;
    let late = token(15);
    let joined = join_event(&state, "Laat", false);
    let result = store
        .append_events(
            id,
            1,
            &[NewEvent::system(joined)],
            Some(NewCredential { token: late, participant: ParticipantId(2), via: LinkKind::Participant }),
        )
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))));
    assert!(matches!(store.credential(id, late).await, Err(StoreError::NotFound)));
    assert_eq!(store.session_access(id).await.unwrap().last_seq, 2);
}

pub async fn the_origins_of_ops_are_kept_for_resent_ops(store: &dyn Store) {
    let (id, _) = create(store, token(16)).await;
    let origin = |op: &str, hash| Origin { participant: ParticipantId(1), client_op_id: op.to_owned(), op_hash: hash };
    let events = [
        NewEvent { event: retimed(20), origin: Some(origin("a-1", 11)) },
        retime(25),
        NewEvent { event: retimed(30), origin: Some(origin("a-2", -7)) },
    ];
    store.append_events(id, 2, &events, None).await.unwrap();
    assert_eq!(store.recent_origins(id, 10).await.unwrap(), vec![(3, origin("a-1", 11)), (5, origin("a-2", -7))]);
    assert_eq!(store.recent_origins(id, 1).await.unwrap(), vec![(5, origin("a-2", -7))]);
}

/// Events whose data holds maps keyed by ids (votes per participant, measurements per
/// goal) read back exactly as they were written.
pub fn events_with_keyed_maps_round_trip() {
    use heisessie_domain::strategy::{FieldText, ItemId, Measurement, SmartFields, SmartGoal};
    let mut state = sample_state();
    let mut agreement = std::collections::BTreeMap::new();
    agreement.insert(ParticipantId(2), (true, false));
    let goal = SmartGoal {
        id: ItemId(3),
        end_goal: None,
        text: FieldText::parse("text", "10% meer omzet").unwrap(),
        fields: SmartFields::default(),
        agreement,
    };
    state.strategy.smart_goals.push(goal.clone());
    let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    state.strategy.measurements.insert(ItemId(3), vec![Measurement { date, value: 1.5 }]);
    state.roles.presenters.insert(PartId(1), ParticipantId(1));
    for event in
        [Event::SessionCreated { state: Box::new(state) }, Event::Strategy(StrategyEvent::SmartGoalSaved { goal })]
    {
        let json = serde_json::to_string(&event).unwrap();
        let back: Event = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
        assert_eq!(back, event);
    }
}

#[cfg(test)]
mod tests {
    /// A check that is written but not listed in `store_contract_tests!` would never run.
    #[test]
    fn every_check_is_listed_in_the_macro() {
        let source = include_str!("contract.rs");
        let listed = source.split("(@checks ($($mode:tt)*)) => {").nth(1).and_then(|rest| rest.split("};").next());
        let listed = listed.expect("the macro's list of checks");
        let checks: Vec<&str> = source
            .lines()
            .filter_map(|line| line.strip_prefix("pub async fn "))
            .filter_map(|rest| rest.strip_suffix("(store: &dyn Store) {"))
            .filter(|name| *name != "run")
            .collect();
        assert!(checks.len() >= 9, "{checks:?}");
        for check in checks {
            assert!(listed.contains(&format!("{check},")), "{check} is not in store_contract_tests!");
        }
    }
}
