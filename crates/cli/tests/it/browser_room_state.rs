//! `web/room-state.js` in real Chromium: the reducer folds events into the room's state
//! and never changes the state it was given.

use serde_json::{Value, json};

use crate::browser::{self, Browser};
use crate::helpers::spawn_app;

/// Imports the module the room uses, folds a day's worth of events and reports, for each
/// step, whether the state it was given still reads as before.
const FOLD: &str = r#"
(async () => {
  const S = await import('/assets/room-state.js');
  const dump = (state) => JSON.stringify(state, (key, value) => (value instanceof Map ? [...value] : value));
  const sticky = (id, x) => ({ id, part_id: 1, author_id: 1, text: `s${id}`, x, y: 0, width: 160, height: 160, colour: 'yellow', group_id: null });
  const snapshot = {
    session: {
      title: 'Proef', parts: [{ id: 1, title: 'Een' }, { id: 2, title: 'Twee' }],
      participants: [{ id: 1, display_name: 'Fay', is_facilitator: true }, { id: 2, display_name: 'Piet', is_facilitator: false }],
      roles: { process_facilitator: null, timekeeper: null, note_taker: null, presenters: [] },
    },
    current_part: null, models_open: false,
    timer: { part_id: 1, duration_ms: 60000, running_since_ms: 1000, elapsed_before_ms: 0, ended: false },
    actuals: [{ part_id: 1, planned_minutes: 1, actual_ms: 5000, overrun_minutes: 0 }],
    stickies: [sticky(1, 0), sticky(2, 200)], groups: [], vote: null, notes: [], strategy: null,
    catalogues: { channels: [], forms: [], colours: [{ code: 'yellow', nl: 'Geel', en: 'Yellow' }] },
  };
  const events = [
    { type: 'timer_paused', at_ms: 7000 },
    { type: 'sticky_created', sticky: sticky(3, 400) },
    { type: 'sticky_moved', sticky_id: 1, x: 50, y: 60 },
    { type: 'stickies_grouped', group_id: 9, part_id: 1, label: 'Samen', sticky_ids: [1, 2] },
    { type: 'ungrouped', group_id: 9 },
    { type: 'vote_opened', part_id: 1, votes_per_person: 3 },
    { type: 'vote_cast', sticky_id: 2 },
    { type: 'vote_cast', sticky_id: 2 },
    { type: 'vote_removed', sticky_id: 2 },
    { type: 'vote_recorded' },
    { type: 'sticky_deleted', sticky_id: 3 },
    { type: 'vote_closed', part_id: 1, tally: [{ sticky_id: 2, votes: 1 }] },
    { type: 'notes_set', part_id: 1, text: 'Besloten' },
    { type: 'role_assigned', role: 'presenter', part_id: 2, participant_id: 2 },
    { type: 'role_assigned', role: 'timekeeper', part_id: null, participant_id: 2 },
    { type: 'part_changed', part_id: 2 },
    { type: 'strategy_changed', changes: { end_goals: { set: [] } } },
    { type: 'something_newer', whatever: true },
  ];
  let state = S.fromSnapshot(S.emptyRoom(), snapshot, 6000);
  const unchanged = [];
  let unknownKeepsState = false;
  for (const [index, event] of events.entries()) {
    const before = dump(state);
    const next = S.reduce(state, { seq: index + 1, at_ms: 0, event });
    unchanged.push(dump(state) === before);
    if (event.type === 'something_newer') unknownKeepsState = next === state;
    state = next;
  }
  return {
    unchanged,
    unknownKeepsState,
    actualMs: state.actualMs.get(1),
    timer: state.timer,
    stickies: [...state.stickies.values()].map((s) => [s.id, s.x, s.group_id]),
    groups: state.groups.size,
    vote: state.vote,
    notes: state.notes.get(1),
    roles: state.session.roles,
    currentPart: S.currentPart(state).title,
    presenterIsPiet: S.isPresenter({ ...state, you: { id: 2, is_facilitator: false } }),
    strategy: state.strategy,
  };
})()
"#;

#[tokio::test]
async fn the_room_state_reducer_folds_events_without_changing_the_state_it_was_given() {
    let app = spawn_app().await;
    let browser = Browser::launch().await.expect("Chromium starts");
    browser::on_failure(&browser, "room_state", async {
        let context = browser.new_context().await?;
        let page = context.new_named_page("reducer").await?;
        page.goto(&app.url("/")).await?;
        let result = page.eval(FOLD).await?;

        let unchanged = result["unchanged"].as_array().cloned().unwrap_or_default();
        assert_eq!(unchanged.len(), 18, "{result}");
        assert!(unchanged.iter().all(|same| same == &Value::Bool(true)), "a step changed its input: {result}");
        assert_eq!(result["unknownKeepsState"], json!(true), "an unknown event leaves the state as it was");

        // The snapshot's 5 s included the 5 s run in progress; the pause at 7 s closes a 6 s run.
        assert_eq!(result["actualMs"], json!(6000));
        assert_eq!(result["timer"]["elapsed_before_ms"], json!(6000));
        assert_eq!(result["timer"]["running_since_ms"], Value::Null);
        assert_eq!(
            result["stickies"],
            json!([[1, 50, null], [2, 200, null]]),
            "moved, grouped, ungrouped, one deleted"
        );
        assert_eq!(result["groups"], json!(0));
        assert_eq!(result["vote"]["my_votes"], json!([2]));
        assert_eq!(result["vote"]["votes_cast"], json!(2));
        assert_eq!(result["vote"]["open"], json!(false));
        assert_eq!(result["vote"]["tally"], json!([{"sticky_id": 2, "votes": 1}]));
        assert_eq!(result["notes"], json!("Besloten"));
        assert_eq!(result["roles"]["timekeeper"], json!(2));
        assert_eq!(result["roles"]["presenters"], json!([{"part_id": 2, "participant_id": 2}]));
        assert_eq!(result["currentPart"], json!("Twee"));
        assert_eq!(result["presenterIsPiet"], json!(true));
        assert_eq!(result["strategy"], json!({"end_goals": []}));
        anyhow::Ok(())
    })
    .await
    .expect("the reducer is pure");
    app.stop().await;
}
