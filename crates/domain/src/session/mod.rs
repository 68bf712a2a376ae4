//! The session as a state machine: `apply(state, actor, op)` gives the events an op
//! causes, or a rejection; `SessionState::apply_event` folds an event into the state.
//!
//! Every change to a session goes through here, whether it arrives over the JSON API
//! or the live room, so the rules live in exactly one place. One file per concern:
//! `state` (what a session is), `ops` (what someone asks for, and the right it needs),
//! `events` (what happened, how it is stored and how it folds into the state),
//! `decide` (from an op to its events), `rejection` (why an op is refused) and
//! `strategy` (the strategy content's own ops and events, nested in `Op` and `Event`).

mod decide;
mod events;
mod ops;
mod rejection;
mod state;
mod strategy;

pub use decide::{apply, due_timer_events};
pub use events::Event;
pub use ops::{Actor, Op, Right};
pub use rejection::Rejection;
pub use state::{
    FACILITATOR_PLACES, MAX_PARTICIPANTS, ModelInfo, Participant, ParticipantId, ProgramPart, Role, Roles,
    SessionDetails, SessionState, default_facilitator_name,
};
pub use strategy::{StrategyEvent, StrategyOp};

#[cfg(test)]
mod tests;
