//! The board of a part: sticky notes, their groups, and dot voting.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::planner::PartId;
use crate::session::ParticipantId;
use crate::text::{TextError, TextProblem};

/// A part's board holds at most this many stickies; more is no longer a board.
pub const MAX_STICKIES_PER_PART: usize = 300;
/// Positions are kept within a large but finite canvas.
pub const BOARD_LIMIT: i32 = 20_000;
pub const MIN_STICKY_SIZE: u32 = 40;
pub const MAX_STICKY_SIZE: u32 = 1_000;
pub const DEFAULT_STICKY_SIZE: u32 = 160;
pub const MAX_VOTES_PER_PERSON: u32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StickyId(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroupId(pub u64);

/// The classic post-it palette, each dark enough text can be read on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Colour {
    Yellow,
    Pink,
    Blue,
    Green,
    Orange,
    Purple,
}

impl Colour {
    pub const ALL: [Colour; 6] =
        [Colour::Yellow, Colour::Pink, Colour::Blue, Colour::Green, Colour::Orange, Colour::Purple];

    pub fn code(self) -> &'static str {
        match self {
            Colour::Yellow => "yellow",
            Colour::Pink => "pink",
            Colour::Blue => "blue",
            Colour::Green => "green",
            Colour::Orange => "orange",
            Colour::Purple => "purple",
        }
    }

    pub fn parse(code: &str) -> Option<Colour> {
        Colour::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// The text on a sticky: may be empty (a fresh sticky), at most 500 characters, and
/// may hold line breaks, unlike a title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StickyText(String);

/// Shared notes of a part: up to 20,000 characters with line breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct NoteText(String);

fn multiline(field: &'static str, text: &str, max: usize) -> Result<String, TextError> {
    let length = text.chars().count();
    if length > max {
        return Err(TextError { field, problem: TextProblem::TooLong { max, got: length } });
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(TextError { field, problem: TextProblem::ControlCharacters });
    }
    Ok(text.replace("\r\n", "\n"))
}

impl StickyText {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(field: &'static str, text: &str) -> Result<Self, TextError> {
        multiline(field, &text.replace("\r\n", "\n"), Self::MAX_CHARS).map(StickyText)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl NoteText {
    pub const MAX_CHARS: usize = 20_000;

    pub fn parse(field: &'static str, text: &str) -> Result<Self, TextError> {
        multiline(field, &text.replace("\r\n", "\n"), Self::MAX_CHARS).map(NoteText)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sticky {
    pub id: StickyId,
    pub part: PartId,
    pub author: ParticipantId,
    pub text: StickyText,
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub colour: Colour,
    pub group: Option<GroupId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub part: PartId,
    pub label: StickyText,
}

/// A round of dot voting on one part's stickies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteRound {
    pub part: PartId,
    pub votes_per_person: u32,
    pub open: bool,
    /// Each voter's dots, one entry per dot (a sticky may get several dots).
    pub votes: BTreeMap<ParticipantId, Vec<StickyId>>,
}

impl VoteRound {
    pub fn used_by(&self, voter: ParticipantId) -> u32 {
        self.votes.get(&voter).map_or(0, |v| v.len() as u32)
    }

    /// Dots per sticky, most first (ties by sticky id), for the reveal.
    pub fn tally(&self) -> Vec<(StickyId, u32)> {
        let mut counts: BTreeMap<StickyId, u32> = BTreeMap::new();
        for sticky in self.votes.values().flatten() {
            *counts.entry(*sticky).or_default() += 1;
        }
        let mut tally: Vec<_> = counts.into_iter().collect();
        tally.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        tally
    }
}

/// Checks a position against the canvas.
pub fn on_board(x: i32, y: i32) -> bool {
    (-BOARD_LIMIT..=BOARD_LIMIT).contains(&x) && (-BOARD_LIMIT..=BOARD_LIMIT).contains(&y)
}

pub fn valid_size(width: u32, height: u32) -> bool {
    (MIN_STICKY_SIZE..=MAX_STICKY_SIZE).contains(&width) && (MIN_STICKY_SIZE..=MAX_STICKY_SIZE).contains(&height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sticky_texts_keep_line_breaks_but_refuse_control_characters_and_length() {
        assert_eq!(StickyText::parse("text", "a\r\nb").map(|t| t.0), Ok("a\nb".to_owned()));
        assert!(StickyText::parse("text", "").is_ok());
        assert!(StickyText::parse("text", "bell\u{7}").is_err());
        assert!(StickyText::parse("text", &"x".repeat(501)).is_err());
        assert!(NoteText::parse("notes", &"x".repeat(20_000)).is_ok());
    }

    #[test]
    fn the_tally_counts_dots_most_first() {
        let mut round = VoteRound { part: PartId(1), votes_per_person: 3, open: false, votes: BTreeMap::new() };
        round.votes.insert(ParticipantId(1), vec![StickyId(2), StickyId(2), StickyId(5)]);
        round.votes.insert(ParticipantId(2), vec![StickyId(5), StickyId(9)]);
        assert_eq!(round.tally(), vec![(StickyId(2), 2), (StickyId(5), 2), (StickyId(9), 1)]);
        assert_eq!(round.used_by(ParticipantId(1)), 3);
        assert_eq!(round.used_by(ParticipantId(3)), 0);
    }
}
