//! From an op to its events: `apply` checks the right and decides. Pure: the state is
//! read, never changed, and the time is an argument.

use crate::board::{
    self, DEFAULT_STICKY_SIZE, Group, GroupId, MAX_STICKIES_PER_PART, MAX_VOTES_PER_PERSON, Sticky, StickyId,
};
use crate::language::Localized;
use crate::planner::PartId;
use crate::timebox::MAX_PARTS;
use crate::timer::{MAX_TIMER_SECONDS, MIN_TIMER_SECONDS};

use super::events::Event;
use super::ops::{Actor, Op, Right};
use super::rejection::Rejection;
use super::state::{FACILITATOR_PLACES, MAX_PARTICIPANTS, Participant, ParticipantId, ProgramPart, Role, SessionState};

pub(super) fn require_part(state: &SessionState, part: PartId) -> Result<&ProgramPart, Rejection> {
    state.part(part).ok_or(Rejection::UnknownPart(part))
}

pub(super) fn require_sticky(state: &SessionState, sticky: StickyId) -> Result<&Sticky, Rejection> {
    state.stickies.get(&sticky).ok_or(Rejection::UnknownSticky(sticky))
}

/// Checks that `actor` holds `right`; returns the participant when one is needed.
fn check_right(state: &SessionState, actor: Actor, right: Right) -> Result<Option<ParticipantId>, Rejection> {
    let id = match (actor, right) {
        (Actor::Newcomer { .. }, Right::Link) => return Ok(None),
        (Actor::Participant(_), Right::Link) => return Err(Rejection::AlreadyJoined),
        (Actor::Newcomer { .. }, _) => return Err(Rejection::NotJoined),
        (Actor::Participant(id), _) => id,
    };
    let participant = state.participant(id).ok_or(Rejection::NotJoined)?;
    let holds = |role: Role| state.roles.holder(role) == Some(id);
    let allowed = participant.is_facilitator
        || match right {
            Right::Link | Right::Participant => true,
            Right::Facilitator => false,
            Right::Timekeeper => holds(Role::Timekeeper),
            Right::NoteTaker => holds(Role::NoteTaker),
            Right::Presenter => state.current().is_some_and(|part| holds(Role::Presenter(part))),
        };
    if allowed {
        Ok(Some(id))
    } else {
        Err(match right {
            Right::Timekeeper => Rejection::TimekeeperOnly,
            Right::NoteTaker => Rejection::NoteTakerOnly,
            Right::Presenter => Rejection::PresenterOnly,
            _ => Rejection::FacilitatorOnly,
        })
    }
}

/// Decides what an op does to the state at server time `now_ms`. Pure: the state is
/// not changed here; a rejection means nothing happens.
pub fn apply(state: &SessionState, actor: Actor, op: Op, now_ms: i64) -> Result<Vec<Event>, Rejection> {
    let who = check_right(state, actor, op.right())?;
    let event = match (op, who) {
        (Op::Join { display_name }, _) => {
            let Actor::Newcomer { facilitator } = actor else {
                return Err(Rejection::AlreadyJoined);
            };
            let places = if facilitator { MAX_PARTICIPANTS + FACILITATOR_PLACES } else { MAX_PARTICIPANTS };
            if state.participants.len() >= places {
                return Err(Rejection::TooManyParticipants);
            }
            // A name that only looks like someone's (another case, a zero-width or
            // direction character, a look-alike width) would let one pass for another.
            if state.participants.iter().any(|p| p.display_name.looks_like(&display_name)) {
                return Err(Rejection::NameTaken);
            }
            let participant =
                Participant { id: state.next_participant_id(), display_name, is_facilitator: facilitator };
            Event::ParticipantJoined { participant }
        }
        (op, Some(who)) => decide(state, who, op, now_ms)?,
        (_, None) => return Err(Rejection::NotJoined),
    };
    Ok(vec![event])
}

fn decide(state: &SessionState, who: ParticipantId, op: Op, now_ms: i64) -> Result<Event, Rejection> {
    Ok(match op {
        Op::Join { .. } => return Err(Rejection::AlreadyJoined),
        Op::EditDetails { details } => Event::DetailsChanged { details },
        Op::ChangeSettings { settings } => Event::SettingsChanged { settings },
        Op::AddPart { title, minutes, priority, workspace, index } => {
            if state.parts.len() >= MAX_PARTS {
                return Err(Rejection::TooManyParts);
            }
            let len = state.parts.len();
            let index = index.unwrap_or(len);
            if index > len {
                return Err(Rejection::IndexOutOfRange { index, len });
            }
            let part = ProgramPart {
                id: PartId(state.next_part_id),
                key: format!("part_{}", state.next_part_id),
                title: Localized::same(title.as_str()),
                explanation: Localized::same(""),
                questions: Vec::new(),
                minutes,
                priority,
                workspace,
            };
            Event::PartAdded { part, index }
        }
        Op::RemovePart { part } => {
            require_part(state, part)?;
            Event::PartRemoved { part }
        }
        Op::MovePart { part, to_index } => {
            require_part(state, part)?;
            let len = state.parts.len();
            if to_index >= len {
                return Err(Rejection::IndexOutOfRange { index: to_index, len });
            }
            Event::PartMoved { part, to_index }
        }
        Op::RetimePart { part, minutes } => {
            require_part(state, part)?;
            Event::PartRetimed { part, minutes }
        }
        Op::AssignRole { role, participant } => {
            if let Role::Presenter(part) = role {
                require_part(state, part)?;
            }
            if let Some(id) = participant
                && state.participant(id).is_none()
            {
                return Err(Rejection::UnknownParticipant(id));
            }
            Event::RoleAssigned { role, participant }
        }
        Op::RemoveParticipant { participant } => match state.participant(participant) {
            None => return Err(Rejection::UnknownParticipant(participant)),
            Some(p) if p.is_facilitator => return Err(Rejection::CannotRemoveFacilitator),
            Some(_) => Event::ParticipantRemoved { participant },
        },
        Op::GoToPart { part } => {
            require_part(state, part)?;
            Event::PartChanged { part }
        }
        Op::NextPart | Op::PreviousPart => {
            let current = state.current().and_then(|part| state.part_index(part)).ok_or(Rejection::NoSuchStep)?;
            let target = if op == Op::NextPart { current.checked_add(1) } else { current.checked_sub(1) };
            let part = target.and_then(|i| state.parts.get(i)).ok_or(Rejection::NoSuchStep)?;
            Event::PartChanged { part: part.id }
        }
        Op::SetModelsOverlay { open } => Event::ModelsOverlay { open },
        Op::StartTimer { part, seconds } => {
            let part = match part.or_else(|| state.current()) {
                Some(part) => require_part(state, part)?,
                None => return Err(Rejection::NoSuchStep),
            };
            let seconds = seconds.unwrap_or(part.minutes.minutes() * 60);
            if !(MIN_TIMER_SECONDS..=MAX_TIMER_SECONDS).contains(&seconds) {
                return Err(Rejection::TimerOutOfRange(i64::from(seconds)));
            }
            Event::TimerStarted { part: part.id, duration_ms: u64::from(seconds) * 1000, at_ms: now_ms }
        }
        Op::PauseTimer => match &state.timer {
            None => return Err(Rejection::NoTimer),
            Some(timer) if !timer.is_running() => return Err(Rejection::TimerPaused),
            Some(_) => Event::TimerPaused { at_ms: now_ms },
        },
        Op::ResumeTimer => match &state.timer {
            None => return Err(Rejection::NoTimer),
            Some(timer) if timer.is_running() => return Err(Rejection::TimerRunning),
            Some(_) => Event::TimerResumed { at_ms: now_ms },
        },
        Op::ExtendTimer { seconds } => {
            let timer = state.timer.as_ref().ok_or(Rejection::NoTimer)?;
            let by_ms = timer.extension_ms(seconds).map_err(Rejection::TimerOutOfRange)?;
            Event::TimerExtended { by_ms }
        }
        Op::ResetTimer => {
            state.timer.as_ref().ok_or(Rejection::NoTimer)?;
            Event::TimerReset { at_ms: now_ms }
        }
        Op::CreateSticky { part, text, x, y, colour } => {
            require_part(state, part)?;
            if !board::on_board(x, y) {
                return Err(Rejection::OffBoard);
            }
            if state.stickies.values().filter(|s| s.part == part).count() >= MAX_STICKIES_PER_PART {
                return Err(Rejection::TooManyStickies);
            }
            let sticky = Sticky {
                id: StickyId(state.next_board_id.max(1)),
                part,
                author: who,
                text,
                x,
                y,
                width: DEFAULT_STICKY_SIZE,
                height: DEFAULT_STICKY_SIZE,
                colour,
                group: None,
            };
            Event::StickyCreated { sticky }
        }
        Op::EditSticky { sticky, text } => {
            require_sticky(state, sticky)?;
            Event::StickyEdited { sticky, text }
        }
        Op::MoveSticky { sticky, x, y } => {
            require_sticky(state, sticky)?;
            if !board::on_board(x, y) {
                return Err(Rejection::OffBoard);
            }
            Event::StickyMoved { sticky, x, y }
        }
        Op::ColourSticky { sticky, colour } => {
            require_sticky(state, sticky)?;
            Event::StickyRecoloured { sticky, colour }
        }
        Op::ResizeSticky { sticky, width, height } => {
            require_sticky(state, sticky)?;
            if !board::valid_size(width, height) {
                return Err(Rejection::BadSize);
            }
            Event::StickyResized { sticky, width, height }
        }
        Op::GroupStickies { mut stickies, label } => {
            stickies.sort();
            stickies.dedup();
            let first = stickies.first().ok_or(Rejection::BadGroup)?;
            let part = require_sticky(state, *first)?.part;
            for id in &stickies {
                if require_sticky(state, *id)?.part != part {
                    return Err(Rejection::BadGroup);
                }
            }
            let group = Group { id: GroupId(state.next_board_id.max(1)), part, label };
            Event::StickiesGrouped { group, stickies }
        }
        Op::Ungroup { group } => {
            if !state.groups.contains_key(&group) {
                return Err(Rejection::UnknownGroup(group));
            }
            Event::Ungrouped { group }
        }
        Op::DeleteSticky { sticky } => {
            require_sticky(state, sticky)?;
            Event::StickyDeleted { sticky }
        }
        Op::OpenVote { part, votes_per_person } => {
            require_part(state, part)?;
            if state.vote.as_ref().is_some_and(|round| round.open) {
                return Err(Rejection::VoteAlreadyOpen);
            }
            if !(1..=MAX_VOTES_PER_PERSON).contains(&votes_per_person) {
                return Err(Rejection::VotesOutOfRange(votes_per_person));
            }
            Event::VoteOpened { part, votes_per_person }
        }
        Op::CastVote { sticky } => {
            let round = state.vote.as_ref().filter(|round| round.open).ok_or(Rejection::NoOpenVote)?;
            if require_sticky(state, sticky)?.part != round.part {
                return Err(Rejection::NotInVote);
            }
            if round.used_by(who) >= round.votes_per_person {
                return Err(Rejection::NoVotesLeft);
            }
            Event::VoteCast { voter: who, sticky }
        }
        Op::RemoveVote { sticky } => {
            let round = state.vote.as_ref().filter(|round| round.open).ok_or(Rejection::NoOpenVote)?;
            if !round.votes.get(&who).is_some_and(|dots| dots.contains(&sticky)) {
                return Err(Rejection::NoVoteToRemove);
            }
            Event::VoteRemoved { voter: who, sticky }
        }
        Op::CloseVote => {
            let round = state.vote.as_ref().filter(|round| round.open).ok_or(Rejection::NoOpenVote)?;
            Event::VoteClosed { part: round.part, tally: round.tally() }
        }
        Op::SetNotes { part, text } => {
            require_part(state, part)?;
            Event::NotesSet { part, text }
        }
        Op::SetExportsOpen { open } => Event::ExportsOpened { open },
        Op::Strategy(op) => Event::Strategy(op.decide(state, who)?),
    })
}
/// The timer's warnings and end that have fallen due at `now_ms`, each given once per
/// run: they are events, so once stored they are never due again, even after a restart.
pub fn due_timer_events(state: &SessionState, now_ms: i64, warnings_seconds: &[u32]) -> Vec<Event> {
    let Some(timer) = &state.timer else {
        return Vec::new();
    };
    if !timer.is_running() {
        return Vec::new();
    }
    let remaining = timer.remaining_ms(now_ms);
    let mut events: Vec<Event> = timer
        .pending_warnings(warnings_seconds)
        .filter(|w| remaining <= i64::from(*w) * 1000 && remaining > 0)
        .map(|w| Event::TimerWarning { part: timer.part, seconds_left: w })
        .collect();
    if !timer.ended && remaining <= 0 {
        // The moment it reached zero, also when the room notices later (after a restart).
        events.push(Event::TimerEnded { part: timer.part, at_ms: now_ms + remaining });
    }
    events
}
