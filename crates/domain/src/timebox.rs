//! How long a part of a program may take: one type, so that a model file, the catalog, a
//! facilitator adding or retiming a part and the stored session all mean the same bounds.

use serde::{Deserialize, Serialize};

/// A program holds at most this many parts, in a model and in a session: more cannot be
/// run in a day or two.
pub const MAX_PARTS: usize = 30;

/// A part's timebox: 5 minutes to 4 hours. Stored as the plain number of minutes, as it
/// always was; a number outside the bounds does not read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Timebox(u32);

/// A timebox outside 5 to 240 minutes, with the number given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a timebox must be between {} and {} minutes, got {got}", Timebox::MIN_MINUTES, Timebox::MAX_MINUTES)]
pub struct TimeboxError {
    pub got: u32,
}

impl Timebox {
    pub const MIN_MINUTES: u32 = 5;
    pub const MAX_MINUTES: u32 = 240;
    /// The shortest timebox, a stand-in where a part's own length is unusable.
    pub const SHORTEST: Timebox = Timebox(Self::MIN_MINUTES);

    pub const fn new(minutes: u32) -> Result<Timebox, TimeboxError> {
        if minutes >= Self::MIN_MINUTES && minutes <= Self::MAX_MINUTES {
            Ok(Timebox(minutes))
        } else {
            Err(TimeboxError { got: minutes })
        }
    }

    pub const fn minutes(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Timebox {
    type Error = TimeboxError;

    fn try_from(minutes: u32) -> Result<Self, Self::Error> {
        Timebox::new(minutes)
    }
}

impl From<Timebox> for u32 {
    fn from(timebox: Timebox) -> u32 {
        timebox.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timebox_is_five_minutes_to_four_hours() {
        for (minutes, ok) in [(0, false), (4, false), (5, true), (45, true), (240, true), (241, false), (1440, false)] {
            assert_eq!(Timebox::new(minutes).is_ok(), ok, "{minutes}");
        }
        assert_eq!(Timebox::new(241), Err(TimeboxError { got: 241 }));
    }

    #[test]
    fn it_is_stored_as_the_plain_number_it_always_was() {
        let timebox = Timebox::new(45).expect("a timebox");
        assert_eq!(serde_json::to_string(&timebox).ok().as_deref(), Some("45"));
        assert_eq!(serde_json::from_str::<Timebox>("45").ok(), Some(timebox));
        assert!(serde_json::from_str::<Timebox>("500").is_err());
    }
}
