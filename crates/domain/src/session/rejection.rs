//! Why an op is refused: a stable code for clients, words for the logs.

use crate::board::{GroupId, MAX_STICKIES_PER_PART, MAX_VOTES_PER_PERSON, StickyId};
use crate::planner::PartId;
use crate::strategy::{ItemId, MAX_ITEMS};
use crate::timebox::MAX_PARTS;
use crate::timer::{MAX_TIMER_SECONDS, MIN_TIMER_SECONDS};

use super::state::{MAX_PARTICIPANTS, ParticipantId};

/// Why an op was refused. The code is stable; the edges turn it into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("only the facilitator may do this")]
    FacilitatorOnly,
    #[error("only the timekeeper or the facilitator may run the timer")]
    TimekeeperOnly,
    #[error("only the presenter of this part or the facilitator may move on")]
    PresenterOnly,
    #[error("only the note taker or the facilitator may write the notes")]
    NoteTakerOnly,
    #[error("join the session first")]
    NotJoined,
    #[error("you have joined this session already")]
    AlreadyJoined,
    #[error("this session has no part {0:?}")]
    UnknownPart(PartId),
    #[error("this session has no participant {0:?}")]
    UnknownParticipant(ParticipantId),
    #[error("position {index} is outside the program of {len} parts")]
    IndexOutOfRange { index: usize, len: usize },
    #[error("a session has at most {MAX_PARTS} parts")]
    TooManyParts,
    #[error("a session has at most {MAX_PARTICIPANTS} participants")]
    TooManyParticipants,
    #[error("someone in this session already has this name, or one that looks just like it")]
    NameTaken,
    #[error("a facilitator cannot be removed from the session")]
    CannotRemoveFacilitator,
    #[error("there is no part after (or before) this one")]
    NoSuchStep,
    #[error("a timer runs between {MIN_TIMER_SECONDS} second and {MAX_TIMER_SECONDS} seconds, got {0}")]
    TimerOutOfRange(i64),
    #[error("no timer is set")]
    NoTimer,
    #[error("the timer is already running")]
    TimerRunning,
    #[error("the timer is paused")]
    TimerPaused,
    #[error("this session has no sticky {0:?}")]
    UnknownSticky(StickyId),
    #[error("this session has no group {0:?}")]
    UnknownGroup(GroupId),
    #[error("a board holds at most {MAX_STICKIES_PER_PART} stickies")]
    TooManyStickies,
    #[error("that place is off the board")]
    OffBoard,
    #[error("a sticky is between 40 and 1000 points wide and high")]
    BadSize,
    #[error("a group needs stickies of one part")]
    BadGroup,
    #[error("no vote is open")]
    NoOpenVote,
    #[error("a vote is already open")]
    VoteAlreadyOpen,
    #[error("you have used all your votes")]
    NoVotesLeft,
    #[error("you have no vote on this sticky")]
    NoVoteToRemove,
    #[error("this sticky is not part of the vote")]
    NotInVote,
    #[error("a round gives between 1 and {MAX_VOTES_PER_PERSON} votes per person, got {0}")]
    VotesOutOfRange(u32),
    #[error("this session has no item {0:?}")]
    UnknownItem(ItemId),
    #[error("at most {MAX_ITEMS} of these")]
    TooManyItems,
    #[error("a responsibility bundles actions of this session, each in one bundle")]
    BadBundle,
    #[error("a measurement is a finite number")]
    BadMeasurement,
}

impl Rejection {
    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::FacilitatorOnly => "facilitator_only",
            Rejection::TimekeeperOnly => "timekeeper_only",
            Rejection::PresenterOnly => "presenter_only",
            Rejection::NoteTakerOnly => "note_taker_only",
            Rejection::NotJoined => "not_joined",
            Rejection::AlreadyJoined => "already_joined",
            Rejection::UnknownPart(_) => "unknown_part",
            Rejection::UnknownParticipant(_) => "unknown_participant",
            Rejection::IndexOutOfRange { .. } => "index_out_of_range",
            Rejection::TooManyParts => "too_many_parts",
            Rejection::TooManyParticipants => "too_many_participants",
            Rejection::NameTaken => "name_taken",
            Rejection::CannotRemoveFacilitator => "cannot_remove_facilitator",
            Rejection::NoSuchStep => "no_such_step",
            Rejection::TimerOutOfRange(_) => "timer_out_of_range",
            Rejection::NoTimer => "no_timer",
            Rejection::TimerRunning => "timer_running",
            Rejection::TimerPaused => "timer_paused",
            Rejection::UnknownSticky(_) => "unknown_sticky",
            Rejection::UnknownGroup(_) => "unknown_group",
            Rejection::TooManyStickies => "too_many_stickies",
            Rejection::OffBoard => "off_board",
            Rejection::BadSize => "bad_size",
            Rejection::BadGroup => "bad_group",
            Rejection::NoOpenVote => "no_open_vote",
            Rejection::VoteAlreadyOpen => "vote_already_open",
            Rejection::NoVotesLeft => "no_votes_left",
            Rejection::NoVoteToRemove => "no_vote_to_remove",
            Rejection::NotInVote => "not_in_vote",
            Rejection::VotesOutOfRange(_) => "votes_out_of_range",
            Rejection::UnknownItem(_) => "unknown_item",
            Rejection::TooManyItems => "too_many_items",
            Rejection::BadBundle => "bad_bundle",
            Rejection::BadMeasurement => "bad_measurement",
        }
    }
}
