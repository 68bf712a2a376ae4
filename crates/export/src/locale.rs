//! The product's words in Dutch and English from the locale files the browser client
//! loads too (`web/locales/*.json`), so that a message is written once for the browser,
//! the server's errors and the exports. The files are compiled in; nothing is read at
//! run time.

use std::collections::HashMap;
use std::sync::OnceLock;

use heisessie_domain::Lang;
use heisessie_domain::content_plan::ContentPlanError;

static NL_SOURCE: &str = include_str!("../../../web/locales/nl.json");
static EN_SOURCE: &str = include_str!("../../../web/locales/en.json");

struct Catalogs {
    nl: HashMap<String, String>,
    en: HashMap<String, String>,
}

fn catalogs() -> &'static Catalogs {
    static CATALOGS: OnceLock<Catalogs> = OnceLock::new();
    CATALOGS.get_or_init(|| Catalogs {
        // The files are part of the binary and checked by a test, so they parse.
        nl: serde_json::from_str(NL_SOURCE).unwrap_or_default(),
        en: serde_json::from_str(EN_SOURCE).unwrap_or_default(),
    })
}

/// The locale file's text for `lang`, as served to the browser.
pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => NL_SOURCE,
        Lang::En => EN_SOURCE,
    }
}

/// The message for `key`, with `{name}` placeholders filled from `args`. A missing key
/// shows the key itself, so a gap is visible rather than silent.
pub fn text(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let catalog = match lang {
        Lang::Nl => &catalogs().nl,
        Lang::En => &catalogs().en,
    };
    let mut message = catalog.get(key).cloned().unwrap_or_else(|| key.to_owned());
    for (name, value) in args {
        message = message.replace(&format!("{{{name}}}"), value);
    }
    message
}

/// Why a content plan or its calendar was refused, in `lang` (`content_plan.{code}`).
pub fn content_plan_error(lang: Lang, error: &ContentPlanError) -> String {
    let args = error.args();
    let args: Vec<(&str, &str)> = args.iter().map(|(name, value)| (*name, value.as_str())).collect();
    text(lang, &format!("content_plan.{}", error.code()), &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_locale_files_parse_and_have_the_same_keys() {
        let nl: HashMap<String, String> = serde_json::from_str(NL_SOURCE).expect("nl.json parses");
        let en: HashMap<String, String> = serde_json::from_str(EN_SOURCE).expect("en.json parses");
        let mut missing: Vec<_> = nl.keys().filter(|k| !en.contains_key(*k)).collect();
        missing.extend(en.keys().filter(|k| !nl.contains_key(*k)));
        assert!(missing.is_empty(), "keys in one locale only: {missing:?}");
        assert!(nl.values().chain(en.values()).all(|v| !v.trim().is_empty()));
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(text(Lang::Nl, "session.day", &[("n", "2")]), "Dag 2");
        assert_eq!(text(Lang::En, "session.day", &[("n", "2")]), "Day 2");
        assert_eq!(text(Lang::En, "no.such.key", &[]), "no.such.key");
    }

    #[test]
    fn every_content_plan_error_has_a_message_with_its_values_in_both_languages() {
        use chrono::NaiveDate;
        let date = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default();
        let errors = [
            ContentPlanError::EmptyFrequency,
            ContentPlanError::NotACount("vaak".to_owned()),
            ContentPlanError::SeveralCounts,
            ContentPlanError::MissingPeriod,
            ContentPlanError::UnsupportedPeriod("per kwartaal".to_owned()),
            ContentPlanError::CountOutOfRange(40),
            ContentPlanError::InvalidLine { line: 3, count: 40 },
            ContentPlanError::EndsBeforeStart { from: date(9), to: date(2) },
            ContentPlanError::RangeTooLong(400),
            ContentPlanError::TooManyLines { max: 200, got: 201 },
            ContentPlanError::TooManyItems { max: 2000 },
        ];
        for lang in [Lang::Nl, Lang::En] {
            for error in &errors {
                let message = content_plan_error(lang, error);
                assert!(!message.starts_with("content_plan."), "no message for {}", error.code());
                assert!(!message.contains('{'), "a placeholder left in {message}");
                for (_, value) in error.args() {
                    assert!(message.contains(&value), "{message} does not say {value}");
                }
            }
        }
        assert_eq!(
            content_plan_error(Lang::Nl, &ContentPlanError::InvalidLine { line: 3, count: 40 }),
            "Regel 3 van het plan: kies 1 tot 31 keer per dag, week of maand (nu 40)."
        );
    }
}
