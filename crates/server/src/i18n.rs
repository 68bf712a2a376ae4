//! The product's words in Dutch and English, from the same locale files the browser
//! client loads (`web/locales/*.json`), so a message is written once for both.

use std::collections::HashMap;
use std::sync::OnceLock;

use heisessie_domain::Lang;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_locale_files_parse_and_have_the_same_keys() {
        let nl: HashMap<String, String> = serde_json::from_str(NL_SOURCE).unwrap();
        let en: HashMap<String, String> = serde_json::from_str(EN_SOURCE).unwrap();
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
}
