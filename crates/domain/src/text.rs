//! Texts a user types, validated once at the edge so the core only ever sees good ones.

use serde::{Deserialize, Serialize};

/// Why a text was refused; names the field so every edge (API, form, CLI) can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct TextError {
    pub field: &'static str,
    pub problem: TextProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters, got {got}")]
    TooLong { max: usize, got: usize },
    #[error("must not contain control characters")]
    ControlCharacters,
    #[error("must be a web address starting with https:// or http://")]
    NotAWebAddress,
}

fn check(field: &'static str, text: &str, min: usize, max: usize) -> Result<String, TextError> {
    let trimmed = text.trim();
    let length = trimmed.chars().count();
    if length < min {
        return Err(TextError { field, problem: TextProblem::Empty });
    }
    if length > max {
        return Err(TextError { field, problem: TextProblem::TooLong { max, got: length } });
    }
    if trimmed.chars().any(char::is_control) {
        return Err(TextError { field, problem: TextProblem::ControlCharacters });
    }
    Ok(trimmed.to_owned())
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, min = $min:expr, max = $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            /// Trims the text and checks its length and characters; `field` names it in the error.
            pub fn parse(field: &'static str, text: &str) -> Result<Self, TextError> {
                check(field, text, $min, $max).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text!(
    /// The title of a session or a part: one line, 1–120 characters.
    Title, min = 1, max = 120
);
bounded_text!(
    /// The name a participant shows to the others: 1–60 characters.
    DisplayName, min = 1, max = 60
);
bounded_text!(
    /// The organisation the session is for; may be empty.
    Organisation, min = 0, max = 120
);

impl DisplayName {
    /// Whether the two names would read the same to a person: equal once compatibility
    /// forms are folded (NFKC: full-width letters, ligatures), case is ignored, and the
    /// characters nobody sees (zero-width, direction marks, variation selectors, soft
    /// hyphens) and runs of spaces are taken out.
    pub fn looks_like(&self, other: &DisplayName) -> bool {
        name_skeleton(&self.0) == name_skeleton(&other.0)
    }
}

/// A name as it reads: see `DisplayName::looks_like`.
pub fn name_skeleton(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let visible: String = name.chars().filter(|c| !is_invisible(*c)).collect();
    let folded: String = visible.nfkc().flat_map(char::to_lowercase).collect();
    // Folding can uncover more (NFKC of some characters is a format character).
    let folded: String = folded.chars().filter(|c| !is_invisible(*c)).collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Characters that change how text is laid out or joined but show nothing themselves:
/// Unicode's format characters (Cf) and the fillers and selectors that render empty.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
}

/// The link to the video meeting (Meet, Teams, Zoom, Jitsi, …) that goes with the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MeetingLink(String);

impl MeetingLink {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(field: &'static str, text: &str) -> Result<Self, TextError> {
        let link = check(field, text, 1, Self::MAX_CHARS)?;
        let lower = link.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or(TextError { field, problem: TextProblem::NotAWebAddress })?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || link.chars().any(char::is_whitespace) || link.contains(['"', '<', '>']) {
            return Err(TextError { field, problem: TextProblem::NotAWebAddress });
        }
        Ok(MeetingLink(link))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(Title::parse("title", "  Heidag  ").map(|t| t.0), Ok("Heidag".to_owned()));
        assert_eq!(Title::parse("title", "   ").unwrap_err().problem, TextProblem::Empty);
        assert_eq!(
            Title::parse("title", &"x".repeat(121)).unwrap_err().problem,
            TextProblem::TooLong { max: 120, got: 121 }
        );
        assert_eq!(
            DisplayName::parse("display_name", "An\u{0}na").unwrap_err().problem,
            TextProblem::ControlCharacters
        );
        assert!(Organisation::parse("organisation", "").is_ok());
    }

    #[test]
    fn names_that_only_look_alike_are_told_as_the_same() {
        let name = |text: &str| DisplayName::parse("display_name", text).unwrap();
        let anna = name("Anna de Vries");
        for lookalike in [
            "anna de vries",
            "ANNA DE VRIES",
            "Anna\u{200B} de Vries",
            "An\u{200D}na de Vries",
            "\u{202E}Anna de Vries\u{202C}",
            "Anna  de   Vries",
            "\u{FF21}nna de Vries",
            "Anna\u{00AD} de Vries",
            "Anna de Vries\u{FE0F}",
            "\u{2066}Anna de Vries\u{2069}",
        ] {
            assert!(anna.looks_like(&name(lookalike)), "{lookalike:?}");
        }
        for other in ["Anna de Vries 2", "Ana de Vries", "Anne de Vries", "Anna de Vriës"] {
            assert!(!anna.looks_like(&name(other)), "{other:?}");
        }
    }

    #[test]
    fn meeting_links_must_be_web_addresses() {
        let cases = [
            ("https://meet.google.com/abc-defg-hij", true),
            ("https://teams.microsoft.com/l/meetup-join/19%3a", true),
            ("http://meet.jit.si/heidag", true),
            ("javascript:alert(1)", false),
            ("https://", false),
            ("https://zoom.us/j/1 2", false),
            ("ftp://example.org", false),
        ];
        for (link, ok) in cases {
            assert_eq!(MeetingLink::parse("meeting_link", link).is_ok(), ok, "{link}");
        }
    }
}
