use chrono::NaiveDate;

use std::collections::BTreeSet;

use super::*;
use crate::board::{Colour, GroupId, MAX_STICKIES_PER_PART, NoteText, StickyId, StickyText};
use crate::language::{Lang, Localized};
use crate::model::ModelPart;
use crate::model::{Model, Priority, WorkspaceKind};
use crate::planner::{LivePosition, PartId, PlannerSettings};
use crate::strategy::{ActionSource, ActionStatus, FieldText, Horizon, ItemId, PersonaFields, SmartFields};
use crate::text::{DisplayName, Organisation, Title};
use crate::timebox::Timebox;

fn tb(minutes: u32) -> Timebox {
    Timebox::new(minutes).unwrap()
}

fn model() -> Model {
    let part = |key: &str, minutes| ModelPart {
        key: key.to_owned(),
        title: Localized::same(key),
        explanation: Localized::same(""),
        questions: Vec::new(),
        minutes,
        priority: Priority::Must,
        workspace: WorkspaceKind::Board,
    };
    Model {
        id: "test".into(),
        name: Localized::same("Test"),
        description: Localized::same(""),
        credit: None,
        parts: vec![part("a", tb(30)), part("b", tb(40)), part("c", tb(50))],
    }
}

fn fresh() -> SessionState {
    let details = SessionDetails {
        title: Title::parse("title", "Heidag").unwrap(),
        organisation: Organisation::parse("organisation", "Bakkerij Jansen").unwrap(),
        language: Lang::Nl,
        meeting_link: None,
    };
    let start = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap().and_hms_opt(9, 0, 0).unwrap();
    let settings = PlannerSettings::with_defaults(start, chrono_tz::Europe::Amsterdam, 1).unwrap();
    let mut state = SessionState::new(details, &model(), settings);
    for (name, facilitator) in [("Fay", true), ("Piet", false)] {
        let op = Op::Join { display_name: DisplayName::parse("display_name", name).unwrap() };
        for event in apply(&state, Actor::Newcomer { facilitator }, op, NOW).unwrap() {
            state.apply_event(&event);
        }
    }
    state
}

const NOW: i64 = 1_800_000_000_000;
const FACILITATOR: Actor = Actor::Participant(ParticipantId(1));
const PARTICIPANT: Actor = Actor::Participant(ParticipantId(2));
const STRANGER: Actor = Actor::Participant(ParticipantId(99));

/// Applies an op and returns the state after it, or the rejection.
fn run(state: &SessionState, actor: Actor, op: Op) -> Result<SessionState, Rejection> {
    let mut next = state.clone();
    for event in apply(state, actor, op, NOW)? {
        next.apply_event(&event);
    }
    Ok(next)
}

fn keys(state: &SessionState) -> Vec<&str> {
    state.parts.iter().map(|p| p.key.as_str()).collect()
}

#[test]
fn participants_get_ids_in_join_order() {
    let state = fresh();
    let names: Vec<_> =
        state.participants.iter().map(|p| (p.id.0, p.display_name.as_str(), p.is_facilitator)).collect();
    assert_eq!(names, [(1, "Fay", true), (2, "Piet", false)]);
}

#[test]
fn program_edits_change_the_program() {
    let state = fresh();
    let title = Title::parse("title", "Koffie & evaluatie").unwrap();
    let added = run(
        &state,
        FACILITATOR,
        Op::AddPart {
            title,
            minutes: tb(20),
            priority: Priority::Could,
            workspace: WorkspaceKind::Notes,
            index: Some(1),
        },
    )
    .unwrap();
    assert_eq!(keys(&added), ["a", "part_4", "b", "c"]);
    let moved = run(&added, FACILITATOR, Op::MovePart { part: PartId(1), to_index: 3 }).unwrap();
    assert_eq!(keys(&moved), ["part_4", "b", "c", "a"]);
    let removed = run(&moved, FACILITATOR, Op::RemovePart { part: PartId(2) }).unwrap();
    assert_eq!(keys(&removed), ["part_4", "c", "a"]);
    let retimed = run(&removed, FACILITATOR, Op::RetimePart { part: PartId(3), minutes: tb(25) }).unwrap();
    assert_eq!(retimed.part(PartId(3)).map(|p| p.minutes), Some(tb(25)));
    // A part added after a removal never reuses an id.
    let title = Title::parse("title", "Extra").unwrap();
    let again = run(
        &retimed,
        FACILITATOR,
        Op::AddPart { title, minutes: tb(10), priority: Priority::Could, workspace: WorkspaceKind::Board, index: None },
    )
    .unwrap();
    assert_eq!(again.parts.last().map(|p| p.id), Some(PartId(5)));
}

#[test]
fn removing_a_part_removes_its_presenter() {
    let state = fresh();
    let with_presenter = run(
        &state,
        FACILITATOR,
        Op::AssignRole { role: Role::Presenter(PartId(2)), participant: Some(ParticipantId(2)) },
    )
    .unwrap();
    assert_eq!(with_presenter.roles.holder(Role::Presenter(PartId(2))), Some(ParticipantId(2)));
    let removed = run(&with_presenter, FACILITATOR, Op::RemovePart { part: PartId(2) }).unwrap();
    assert!(removed.roles.presenters.is_empty());
}

#[test]
fn bad_ops_are_rejected_and_change_nothing() {
    let state = fresh();
    let title = || Title::parse("title", "x").unwrap();
    let name = || DisplayName::parse("display_name", "Anna").unwrap();
    let cases: Vec<(Actor, Op, Rejection)> = vec![
        (PARTICIPANT, Op::RetimePart { part: PartId(1), minutes: tb(20) }, Rejection::FacilitatorOnly),
        (STRANGER, Op::RemovePart { part: PartId(1) }, Rejection::NotJoined),
        (Actor::Newcomer { facilitator: true }, Op::RemovePart { part: PartId(1) }, Rejection::NotJoined),
        (FACILITATOR, Op::Join { display_name: name() }, Rejection::AlreadyJoined),
        (FACILITATOR, Op::RemovePart { part: PartId(9) }, Rejection::UnknownPart(PartId(9))),
        (FACILITATOR, Op::MovePart { part: PartId(1), to_index: 3 }, Rejection::IndexOutOfRange { index: 3, len: 3 }),
        (
            FACILITATOR,
            Op::AddPart {
                title: title(),
                minutes: tb(10),
                priority: Priority::Must,
                workspace: WorkspaceKind::Board,
                index: Some(4),
            },
            Rejection::IndexOutOfRange { index: 4, len: 3 },
        ),
        (
            FACILITATOR,
            Op::AssignRole { role: Role::Timekeeper, participant: Some(ParticipantId(7)) },
            Rejection::UnknownParticipant(ParticipantId(7)),
        ),
        (
            FACILITATOR,
            Op::AssignRole { role: Role::Presenter(PartId(8)), participant: Some(ParticipantId(2)) },
            Rejection::UnknownPart(PartId(8)),
        ),
    ];
    for (actor, op, expected) in cases {
        let description = format!("{op:?} by {actor:?}");
        assert_eq!(apply(&state, actor, op, NOW), Err(expected), "{description}");
    }
}

#[test]
fn replaying_the_events_gives_the_same_state() {
    let state = fresh();
    let mut log = vec![Event::SessionCreated { state: Box::new(state.clone()) }];
    let mut current = state;
    let ops = [
        Op::AssignRole { role: Role::Timekeeper, participant: Some(ParticipantId(2)) },
        Op::MovePart { part: PartId(3), to_index: 0 },
        Op::RetimePart { part: PartId(1), minutes: tb(45) },
    ];
    for op in ops {
        for event in apply(&current, FACILITATOR, op, NOW).unwrap() {
            current.apply_event(&event);
            log.push(event);
        }
    }
    let mut replayed = fresh();
    replayed.parts.clear();
    for event in &log {
        replayed.apply_event(event);
    }
    assert_eq!(replayed, current);
}

fn at(state: &SessionState, actor: Actor, op: Op, now: i64) -> Result<SessionState, Rejection> {
    let mut next = state.clone();
    for event in apply(state, actor, op, now)? {
        next.apply_event(&event);
    }
    Ok(next)
}

fn text(t: &str) -> StickyText {
    StickyText::parse("text", t).unwrap()
}

fn sticky(part: u32) -> Op {
    Op::CreateSticky { part: PartId(part), text: text("idee"), x: 10, y: 20, colour: Colour::Yellow }
}

/// A session with a timekeeper (2), a note taker (3), a presenter of part 1 (4) and a
/// participant without a role (5).
fn with_roles() -> SessionState {
    let mut state = fresh();
    for name in ["Tim", "Nora", "Pam"] {
        let op = Op::Join { display_name: DisplayName::parse("display_name", name).unwrap() };
        state = at(&state, Actor::Newcomer { facilitator: false }, op, NOW).unwrap();
    }
    let roles = [(Role::Timekeeper, 3), (Role::NoteTaker, 4), (Role::Presenter(PartId(1)), 5)];
    for (role, who) in roles {
        state = at(&state, FACILITATOR, Op::AssignRole { role, participant: Some(ParticipantId(who)) }, NOW).unwrap();
    }
    state
}

#[test]
fn every_right_is_refused_to_every_role_that_lacks_it() {
    let state = with_roles();
    let facilitator = FACILITATOR;
    let plain = PARTICIPANT; // Piet, no role
    let timekeeper = Actor::Participant(ParticipantId(3));
    let note_taker = Actor::Participant(ParticipantId(4));
    let presenter = Actor::Participant(ParticipantId(5));
    let ops: Vec<(Op, Right)> = vec![
        (Op::GoToPart { part: PartId(2) }, Right::Facilitator),
        (Op::SetModelsOverlay { open: true }, Right::Facilitator),
        (Op::OpenVote { part: PartId(1), votes_per_person: 3 }, Right::Facilitator),
        (Op::RetimePart { part: PartId(1), minutes: tb(20) }, Right::Facilitator),
        (Op::NextPart, Right::Presenter),
        (Op::StartTimer { part: None, seconds: Some(60) }, Right::Timekeeper),
        (Op::SetNotes { part: PartId(1), text: NoteText::parse("text", "notulen").unwrap() }, Right::NoteTaker),
        (sticky(1), Right::Participant),
    ];
    for (op, right) in ops {
        assert_eq!(op.right(), right, "{op:?}");
        for (actor, role) in [
            (facilitator, "facilitator"),
            (plain, "participant"),
            (timekeeper, "timekeeper"),
            (note_taker, "note taker"),
            (presenter, "presenter"),
        ] {
            let may = match right {
                Right::Facilitator => role == "facilitator",
                Right::Presenter => role == "facilitator" || role == "presenter",
                Right::Timekeeper => role == "facilitator" || role == "timekeeper",
                Right::NoteTaker => role == "facilitator" || role == "note taker",
                Right::Participant | Right::Link => true,
            };
            let result = apply(&state, actor, op.clone(), NOW);
            assert_eq!(result.is_ok(), may, "{op:?} by the {role}: {result:?}");
            if !may {
                let expected = match right {
                    Right::Presenter => Rejection::PresenterOnly,
                    Right::Timekeeper => Rejection::TimekeeperOnly,
                    Right::NoteTaker => Rejection::NoteTakerOnly,
                    _ => Rejection::FacilitatorOnly,
                };
                assert_eq!(result, Err(expected));
            }
        }
    }
    // The presenter of part 1 may not advance once part 2 is current.
    let moved = at(&state, facilitator, Op::GoToPart { part: PartId(2) }, NOW).unwrap();
    assert_eq!(apply(&moved, presenter, Op::NextPart, NOW), Err(Rejection::PresenterOnly));
}

#[test]
fn navigation_steps_through_the_program_and_stops_at_its_ends() {
    let state = fresh();
    assert_eq!(state.current(), Some(PartId(1)));
    assert_eq!(apply(&state, FACILITATOR, Op::PreviousPart, NOW), Err(Rejection::NoSuchStep));
    let second = at(&state, FACILITATOR, Op::NextPart, NOW).unwrap();
    assert_eq!(second.current(), Some(PartId(2)));
    let last = at(&second, FACILITATOR, Op::GoToPart { part: PartId(3) }, NOW).unwrap();
    assert_eq!(apply(&last, FACILITATOR, Op::NextPart, NOW), Err(Rejection::NoSuchStep));
    let open = at(&last, FACILITATOR, Op::SetModelsOverlay { open: true }, NOW).unwrap();
    assert!(open.models_open);
    assert_eq!(open.current(), Some(PartId(3)), "the models overlay keeps the place");
}

#[test]
fn the_timer_runs_on_server_time_and_records_what_each_part_took() {
    let state = fresh();
    let started = at(&state, FACILITATOR, Op::StartTimer { part: None, seconds: None }, NOW).unwrap();
    let timer = started.timer.clone().unwrap();
    assert_eq!((timer.part, timer.duration_ms), (PartId(1), 30 * 60_000));
    assert_eq!(timer.remaining_ms(NOW + 60_000), 29 * 60_000);
    assert_eq!(apply(&started, FACILITATOR, Op::ResumeTimer, NOW), Err(Rejection::TimerRunning));
    let paused = at(&started, FACILITATOR, Op::PauseTimer, NOW + 10 * 60_000).unwrap();
    assert_eq!(paused.actual_ms(PartId(1), NOW + 20 * 60_000), 10 * 60_000, "paused time does not count");
    assert_eq!(apply(&paused, FACILITATOR, Op::PauseTimer, NOW), Err(Rejection::TimerPaused));
    let resumed = at(&paused, FACILITATOR, Op::ResumeTimer, NOW + 20 * 60_000).unwrap();
    let extended = at(&resumed, FACILITATOR, Op::ExtendTimer { seconds: 300 }, NOW + 20 * 60_000).unwrap();
    assert_eq!(extended.timer.as_ref().unwrap().remaining_ms(NOW + 20 * 60_000), 25 * 60_000);
    assert_eq!(extended.actual_ms(PartId(1), NOW + 50 * 60_000), 40 * 60_000);
    // Moving the timer to the next part closes the run of the first.
    let next =
        at(&extended, FACILITATOR, Op::StartTimer { part: Some(PartId(2)), seconds: None }, NOW + 50 * 60_000).unwrap();
    assert_eq!(next.actual_ms(PartId(1), NOW + 90 * 60_000), 40 * 60_000);
    let reset = at(&next, FACILITATOR, Op::ResetTimer, NOW + 55 * 60_000).unwrap();
    assert!(reset.timer.is_none());
    assert_eq!(reset.actual_ms(PartId(2), NOW + 99 * 60_000), 5 * 60_000);
    for (seconds, ok) in [(0, false), (1, true), (8 * 3600, true), (48 * 3600, false)] {
        let result = apply(&state, FACILITATOR, Op::StartTimer { part: None, seconds: Some(seconds) }, NOW);
        assert_eq!(result.is_ok(), ok, "{seconds} s");
    }
    assert_eq!(apply(&state, FACILITATOR, Op::PauseTimer, NOW), Err(Rejection::NoTimer));
    assert!(apply(&started, FACILITATOR, Op::ExtendTimer { seconds: -3 * 3600 }, NOW).is_err());
}

#[test]
fn timer_warnings_and_the_end_fall_due_once() {
    let warnings = [300, 60];
    let state = at(&fresh(), FACILITATOR, Op::StartTimer { part: None, seconds: Some(600) }, NOW).unwrap();
    let timer = state.timer.clone().unwrap();
    assert_eq!(timer.next_due_ms(NOW, &warnings), Some(NOW + 300_000));
    assert!(due_timer_events(&state, NOW + 299_000, &warnings).is_empty());
    let mut state = state;
    let mut seen = Vec::new();
    for now in [NOW + 300_000, NOW + 301_000, NOW + 540_000, NOW + 600_000, NOW + 700_000] {
        for event in due_timer_events(&state, now, &warnings) {
            state.apply_event(&event);
            seen.push(event);
        }
    }
    assert_eq!(
        seen,
        vec![
            Event::TimerWarning { part: PartId(1), seconds_left: 300 },
            Event::TimerWarning { part: PartId(1), seconds_left: 60 },
            Event::TimerEnded { part: PartId(1), at_ms: NOW + 600_000 },
        ]
    );
    assert_eq!(state.timer.as_ref().unwrap().next_due_ms(NOW + 700_000, &warnings), None);
    // A short timer gets no warning longer than itself.
    let short = at(&fresh(), FACILITATOR, Op::StartTimer { part: None, seconds: Some(120) }, NOW).unwrap();
    assert_eq!(due_timer_events(&short, NOW + 1_000, &warnings), vec![]);
    assert_eq!(
        due_timer_events(&short, NOW + 61_000, &warnings),
        vec![Event::TimerWarning { part: PartId(1), seconds_left: 60 }]
    );
}

#[test]
fn stickies_are_created_moved_grouped_and_deleted() {
    let state = fresh();
    let one = at(&state, PARTICIPANT, sticky(1), NOW).unwrap();
    let two = at(&one, PARTICIPANT, sticky(1), NOW).unwrap();
    let ids: Vec<_> = two.stickies.keys().copied().collect();
    assert_eq!(ids, [StickyId(1), StickyId(2)]);
    assert_eq!(two.stickies[&StickyId(1)].author, ParticipantId(2));
    let moved = at(&two, FACILITATOR, Op::MoveSticky { sticky: StickyId(1), x: -50, y: 75 }, NOW).unwrap();
    assert_eq!((moved.stickies[&StickyId(1)].x, moved.stickies[&StickyId(1)].y), (-50, 75));
    let edited =
        at(&moved, PARTICIPANT, Op::EditSticky { sticky: StickyId(2), text: text("beter idee") }, NOW).unwrap();
    let coloured =
        at(&edited, PARTICIPANT, Op::ColourSticky { sticky: StickyId(2), colour: Colour::Pink }, NOW).unwrap();
    let resized =
        at(&coloured, PARTICIPANT, Op::ResizeSticky { sticky: StickyId(2), width: 200, height: 120 }, NOW).unwrap();
    let grouped = at(
        &resized,
        PARTICIPANT,
        Op::GroupStickies { stickies: vec![StickyId(2), StickyId(1)], label: text("Thema") },
        NOW,
    )
    .unwrap();
    assert_eq!(grouped.stickies[&StickyId(2)].group, Some(GroupId(3)));
    let ungrouped = at(&grouped, PARTICIPANT, Op::Ungroup { group: GroupId(3) }, NOW).unwrap();
    assert!(ungrouped.stickies.values().all(|s| s.group.is_none()));
    let deleted = at(&ungrouped, PARTICIPANT, Op::DeleteSticky { sticky: StickyId(1) }, NOW).unwrap();
    assert_eq!(deleted.stickies.len(), 1);
    let after = at(&deleted, PARTICIPANT, sticky(2), NOW).unwrap();
    assert!(after.stickies.contains_key(&StickyId(4)), "ids are never reused");

    let bad: Vec<(Op, Rejection)> = vec![
        (Op::MoveSticky { sticky: StickyId(1), x: 0, y: 0 }, Rejection::UnknownSticky(StickyId(1))),
        (Op::EditSticky { sticky: StickyId(99), text: text("x") }, Rejection::UnknownSticky(StickyId(99))),
        (Op::MoveSticky { sticky: StickyId(2), x: 20_001, y: 0 }, Rejection::OffBoard),
        (Op::ResizeSticky { sticky: StickyId(2), width: 5, height: 100 }, Rejection::BadSize),
        (
            Op::CreateSticky { part: PartId(9), text: text("x"), x: 0, y: 0, colour: Colour::Blue },
            Rejection::UnknownPart(PartId(9)),
        ),
        (Op::GroupStickies { stickies: vec![], label: text("x") }, Rejection::BadGroup),
        (Op::GroupStickies { stickies: vec![StickyId(2), StickyId(4)], label: text("x") }, Rejection::BadGroup),
        (Op::Ungroup { group: GroupId(3) }, Rejection::UnknownGroup(GroupId(3))),
    ];
    for (op, expected) in bad {
        assert_eq!(apply(&after, PARTICIPANT, op.clone(), NOW), Err(expected), "{op:?}");
    }
}

#[test]
fn a_board_holds_a_bounded_number_of_stickies() {
    let mut state = fresh();
    for _ in 0..MAX_STICKIES_PER_PART {
        state = at(&state, PARTICIPANT, sticky(1), NOW).unwrap();
    }
    assert_eq!(apply(&state, PARTICIPANT, sticky(1), NOW), Err(Rejection::TooManyStickies));
    assert!(apply(&state, PARTICIPANT, sticky(2), NOW).is_ok(), "the limit is per part");
}

#[test]
fn dot_voting_keeps_each_budget_and_reveals_the_tally_on_close() {
    let mut state = fresh();
    for part in [1, 1, 2] {
        state = at(&state, PARTICIPANT, sticky(part), NOW).unwrap();
    }
    assert_eq!(apply(&state, PARTICIPANT, Op::CastVote { sticky: StickyId(1) }, NOW), Err(Rejection::NoOpenVote));
    assert_eq!(
        apply(&state, FACILITATOR, Op::OpenVote { part: PartId(1), votes_per_person: 0 }, NOW),
        Err(Rejection::VotesOutOfRange(0))
    );
    let open = at(&state, FACILITATOR, Op::OpenVote { part: PartId(1), votes_per_person: 2 }, NOW).unwrap();
    assert_eq!(
        apply(&open, FACILITATOR, Op::OpenVote { part: PartId(1), votes_per_person: 2 }, NOW),
        Err(Rejection::VoteAlreadyOpen)
    );
    let one = at(&open, PARTICIPANT, Op::CastVote { sticky: StickyId(1) }, NOW).unwrap();
    let two = at(&one, PARTICIPANT, Op::CastVote { sticky: StickyId(1) }, NOW).unwrap();
    assert_eq!(apply(&two, PARTICIPANT, Op::CastVote { sticky: StickyId(2) }, NOW), Err(Rejection::NoVotesLeft));
    assert_eq!(apply(&two, FACILITATOR, Op::CastVote { sticky: StickyId(3) }, NOW), Err(Rejection::NotInVote));
    assert_eq!(apply(&two, FACILITATOR, Op::RemoveVote { sticky: StickyId(1) }, NOW), Err(Rejection::NoVoteToRemove));
    let back = at(&two, PARTICIPANT, Op::RemoveVote { sticky: StickyId(1) }, NOW).unwrap();
    let moved = at(&back, PARTICIPANT, Op::CastVote { sticky: StickyId(2) }, NOW).unwrap();
    let theirs = at(&moved, FACILITATOR, Op::CastVote { sticky: StickyId(2) }, NOW).unwrap();
    let closing = apply(&theirs, FACILITATOR, Op::CloseVote, NOW).unwrap();
    assert_eq!(closing, vec![Event::VoteClosed { part: PartId(1), tally: vec![(StickyId(2), 2), (StickyId(1), 1)] }]);
    let closed = at(&theirs, FACILITATOR, Op::CloseVote, NOW).unwrap();
    assert_eq!(apply(&closed, PARTICIPANT, Op::CastVote { sticky: StickyId(1) }, NOW), Err(Rejection::NoOpenVote));
    assert_eq!(apply(&closed, FACILITATOR, Op::CloseVote, NOW), Err(Rejection::NoOpenVote));
}

#[test]
fn the_live_position_counts_what_the_parts_before_took() {
    let state = fresh();
    // Part 1 (30 min planned) ran 40 minutes; part 2 has run 10 minutes so far.
    let first = at(&state, FACILITATOR, Op::StartTimer { part: None, seconds: None }, NOW).unwrap();
    let second =
        at(&first, FACILITATOR, Op::StartTimer { part: Some(PartId(2)), seconds: None }, NOW + 40 * 60_000).unwrap();
    let position = second.live_position(NOW + 50 * 60_000).unwrap();
    assert_eq!(position, LivePosition { current_part: PartId(2), minutes_used: 10, overrun_so_far: 10 });
    let replan = second.replan(NOW + 50 * 60_000).unwrap();
    assert_eq!(replan.delay_minutes, 10);
}

fn field(text: &str) -> FieldText {
    FieldText::parse("text", text).unwrap()
}

#[test]
fn the_strategy_is_built_with_ops_and_checked_like_everything_else() {
    let state = fresh();
    let goal = at(
        &state,
        PARTICIPANT,
        Op::Strategy(StrategyOp::SaveEndGoal {
            id: None,
            text: field("Nummer 1 in de regio"),
            horizon: Some(Horizon::WithinYears { years: 3 }),
        }),
        NOW,
    )
    .unwrap();
    let end_goal = goal.strategy.end_goals[0].id;
    let supported =
        at(&goal, FACILITATOR, Op::Strategy(StrategyOp::SupportEndGoal { id: end_goal, support: true }), NOW).unwrap();
    assert_eq!(supported.strategy.end_goals[0].supporters.len(), 1);
    let edited = at(
        &supported,
        PARTICIPANT,
        Op::Strategy(StrategyOp::SaveEndGoal { id: Some(end_goal), text: field("Nummer 1 in Utrecht"), horizon: None }),
        NOW,
    )
    .unwrap();
    assert_eq!(edited.strategy.end_goals.len(), 1);
    assert_eq!(edited.strategy.end_goals[0].supporters.len(), 1, "editing keeps the support");

    let fields = SmartFields { baseline: Some(100.0), target: Some(110.0), ..SmartFields::default() };
    let smart = at(
        &edited,
        PARTICIPANT,
        Op::Strategy(StrategyOp::SaveSmartGoal {
            id: None,
            end_goal: Some(end_goal),
            text: field("10% meer omzet"),
            fields,
        }),
        NOW,
    )
    .unwrap();
    let smart_id = smart.strategy.smart_goals[0].id;
    let agreed = at(
        &smart,
        PARTICIPANT,
        Op::Strategy(StrategyOp::AgreeSmartGoal { id: smart_id, acceptable: true, realistic: false }),
        NOW,
    )
    .unwrap();
    let agreed = at(
        &agreed,
        FACILITATOR,
        Op::Strategy(StrategyOp::AgreeSmartGoal { id: smart_id, acceptable: true, realistic: true }),
        NOW,
    )
    .unwrap();
    assert_eq!(agreed.strategy.smart_goals[0].team_verdict(), (Some(true), None), "a tie on realistic says nothing");

    let persona = at(
        &agreed,
        PARTICIPANT,
        Op::Strategy(StrategyOp::SavePersona {
            id: None,
            fields: PersonaFields { name: field("Sanne"), age: Some(34), ..PersonaFields::default() },
        }),
        NOW,
    )
    .unwrap();
    let persona_id = persona.strategy.personas[0].id;
    assert_eq!(persona.strategy.personas[0].fields.completeness(), (2, 12));
    assert_eq!(
        apply(&persona, PARTICIPANT, Op::Strategy(StrategyOp::SetPrimaryPersona { id: Some(persona_id) }), NOW),
        Err(Rejection::FacilitatorOnly)
    );
    let primary =
        at(&persona, FACILITATOR, Op::Strategy(StrategyOp::SetPrimaryPersona { id: Some(persona_id) }), NOW).unwrap();
    assert_eq!(primary.strategy.primary_persona, Some(persona_id));

    let with_sticky = at(&primary, PARTICIPANT, sticky(2), NOW).unwrap();
    let idea = at(
        &with_sticky,
        PARTICIPANT,
        Op::Strategy(StrategyOp::AddIdea { text: field("Bakvideo op zaterdag"), from_sticky: Some(StickyId(1)) }),
        NOW,
    )
    .unwrap();
    let idea_id = idea.strategy.ideas[0].id;
    let action = Op::Strategy(StrategyOp::SaveAction {
        id: None,
        title: field("Bakvideo opnemen"),
        owner: Some(ParticipantId(2)),
        deadline: chrono::NaiveDate::from_ymd_opt(2027, 1, 15),
        part: Some(PartId(3)),
        source: Some(ActionSource::Idea(idea_id)),
        status: ActionStatus::Open,
    });
    let acted = at(&idea, PARTICIPANT, action, NOW).unwrap();
    let action_id = acted.strategy.actions[0].id;
    let bundled = at(
        &acted,
        FACILITATOR,
        Op::Strategy(StrategyOp::SetResponsibilities {
            responsibilities: vec![(field("Content"), Some(ParticipantId(2)), vec![action_id])],
        }),
        NOW,
    )
    .unwrap();
    assert_eq!(bundled.strategy.responsibilities[0].actions, vec![action_id]);
    let ids: BTreeSet<u64> =
        [end_goal, smart_id, persona_id, idea_id, action_id, bundled.strategy.responsibilities[0].id]
            .iter()
            .map(|i| i.0)
            .collect();
    assert_eq!(ids.len(), 6, "ids are unique across kinds");
    let removed = at(&bundled, PARTICIPANT, Op::Strategy(StrategyOp::RemoveAction { id: action_id }), NOW).unwrap();
    assert!(removed.strategy.responsibilities[0].actions.is_empty(), "a removed action leaves its bundle");

    let bad: Vec<(Actor, Op, Rejection)> = vec![
        (PARTICIPANT, Op::Strategy(StrategyOp::RemoveEndGoal { id: ItemId(99) }), Rejection::UnknownItem(ItemId(99))),
        (
            PARTICIPANT,
            Op::Strategy(StrategyOp::SaveEndGoal { id: Some(ItemId(98)), text: field("x"), horizon: None }),
            Rejection::UnknownItem(ItemId(98)),
        ),
        (
            PARTICIPANT,
            Op::Strategy(StrategyOp::SaveSmartGoal {
                id: None,
                end_goal: Some(ItemId(97)),
                text: field("x"),
                fields: SmartFields::default(),
            }),
            Rejection::UnknownItem(ItemId(97)),
        ),
        (
            PARTICIPANT,
            Op::Strategy(StrategyOp::AddIdea { text: field("x"), from_sticky: Some(StickyId(42)) }),
            Rejection::UnknownSticky(StickyId(42)),
        ),
        (
            PARTICIPANT,
            Op::Strategy(StrategyOp::SaveAction {
                id: None,
                title: field("x"),
                owner: Some(ParticipantId(9)),
                deadline: None,
                part: None,
                source: None,
                status: ActionStatus::Open,
            }),
            Rejection::UnknownParticipant(ParticipantId(9)),
        ),
        (
            FACILITATOR,
            Op::Strategy(StrategyOp::SetResponsibilities {
                responsibilities: vec![(field("A"), None, vec![action_id]), (field("B"), None, vec![action_id])],
            }),
            Rejection::BadBundle,
        ),
        (
            PARTICIPANT,
            Op::Strategy(StrategyOp::SetResponsibilities { responsibilities: vec![] }),
            Rejection::FacilitatorOnly,
        ),
        (
            STRANGER,
            Op::Strategy(StrategyOp::SaveEndGoal { id: None, text: field("x"), horizon: None }),
            Rejection::NotJoined,
        ),
    ];
    for (actor, op, expected) in bad {
        let description = format!("{op:?}");
        assert_eq!(apply(&acted, actor, op, NOW), Err(expected), "{description}");
    }
    assert!(FieldText::parse("text", &"x".repeat(2_001)).is_err());
}
