//! Bundling related actions into one responsibility per person.
//!
//! The seed ends the day with "bundel de taken die met elkaar samenhangen tot één
//! verantwoordelijkheid voor één persoon": one team member for content (online and offline,
//! visual and textual), one for relationship management (customer service and sales), one for
//! administration (finance and data processing). This module proposes those bundles from the
//! action titles and says why, word by word, so the team can accept or overrule a proposal
//! knowing what it rests on. It only proposes: the team decides.
//!
//! # How a title gets its theme
//!
//! [`theme_of`] looks for keywords, Dutch and English, case-insensitive and on word
//! boundaries, and the first of these rules that separates two matches decides:
//!
//! 1. **A subject word beats a context word.** Subject words name the work itself (blog,
//!    factuur, offerte); context words only name where or for whom (Instagram, website,
//!    klant). "Budget voor Instagram-advertenties" is about the budget.
//! 2. **The first phrase wins.** The title is cut into phrases at prepositions and
//!    conjunctions (voor, met, over, van, en, for, with, about, of, and, …), and a match in an
//!    earlier phrase wins: "Blog over klantverhalen" is a blog, "Invoice for the video shoot"
//!    an invoice.
//! 3. **The last word of the phrase wins.** Within a phrase, and within a Dutch compound, the
//!    head comes last: "Monthly sales report" is a report, "verkoopcijfers" are figures,
//!    "instagrambudget" is a budget.
//! 4. **The longer keyword wins** where two end at the same place ("klantenservice" over
//!    "service"), and then the theme order Content, Relationships, Administration.
//!
//! Most keywords also match inside compounds ("klantenservicemail", "productfoto's",
//! "marketingbudget"). Short or ambiguous ones match only as a whole word, with the usual
//! endings (-s, -'s, -es, -en, -e, -n, -y → -ies): "lead" matches "leads" but not "leader",
//! "text" matches "texts" but not "context", "post" matches "posten" but not "postcode",
//! "ebook" matches "ebooks" but not "Facebook".

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::language::Lang;

/// The seed bundles one responsibility per person; two are allowed before a person is flagged,
/// because a team of two or three still has up to four bundles (the three themes and Other).
pub const DEFAULT_MAX_RESPONSIBILITIES: usize = 2;

/// What a responsibility is about; the first three are the seed's, Other holds the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Content,
    Relationships,
    Administration,
    Other,
}

impl Theme {
    /// In the order bundles are listed and ties are broken.
    pub const ALL: [Theme; 4] = [Theme::Content, Theme::Relationships, Theme::Administration, Theme::Other];

    pub fn code(self) -> &'static str {
        match self {
            Theme::Content => "content",
            Theme::Relationships => "relationships",
            Theme::Administration => "administration",
            Theme::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|theme| theme.code() == code)
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Theme::Content, _) => "Content",
            (Theme::Relationships, Lang::Nl) => "Relatiebeheer",
            (Theme::Relationships, Lang::En) => "Relationship management",
            (Theme::Administration, Lang::Nl) => "Administratie",
            (Theme::Administration, Lang::En) => "Administration",
            (Theme::Other, Lang::Nl) => "Overig",
            (Theme::Other, Lang::En) => "Other",
        }
    }
}

/// The theme of a title and the keyword that decided it, so the screen can say why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeMatch {
    pub theme: Theme,
    pub keyword: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Weight {
    Subject,
    Context,
}

/// One group of keywords. `compounds` match anywhere inside a word; `words` match whole words
/// (with endings) and may span several words ("customer service").
struct Rule {
    theme: Theme,
    weight: Weight,
    compounds: &'static [&'static str],
    words: &'static [&'static str],
}

/// The keywords, spelled as the explanation shows them. Matching ignores case.
const RULES: [Rule; 5] = [
    Rule {
        theme: Theme::Content,
        weight: Weight::Subject,
        compounds: &[
            "blog",
            "vlog",
            "video",
            "film",
            "foto",
            "photo",
            "nieuwsbrief",
            "newsletter",
            "podcast",
            "webinar",
            "magazine",
            "artikel",
            "article",
            "tekst",
            "copywriting",
            "content",
            "campagne",
            "campaign",
            "advertentie",
            "advert",
            "flyer",
            "folder",
            "brochure",
            "poster",
            "banner",
            "drukwerk",
            "infographic",
            "whitepaper",
            "huisstijl",
            "logo",
            "ontwerp",
            "design",
            "illustratie",
            "illustration",
            "vormgeving",
            "klantcase",
        ],
        words: &[
            "post",
            "reel",
            "story",
            "stories",
            "text",
            "copy",
            "ads",
            "social",
            "social media",
            "SEO",
            "e-book",
            "mailing",
            "print",
            "case study",
            "visual",
        ],
    },
    Rule {
        theme: Theme::Content,
        weight: Weight::Context,
        compounds: &[
            "Instagram",
            "Facebook",
            "LinkedIn",
            "TikTok",
            "Pinterest",
            "YouTube",
            "Twitter",
            "website",
            "webshop",
            "influencer",
        ],
        words: &[],
    },
    Rule {
        theme: Theme::Relationships,
        weight: Weight::Subject,
        compounds: &[
            "klantenservice",
            "klantcontact",
            "relatie",
            "relationship",
            "netwerk",
            "network",
            "sales",
            "verkoop",
            "offerte",
            "acquisitie",
            "acquisition",
            "prospect",
            "leadgeneratie",
            "klacht",
            "complaint",
            "partner",
            "samenwerking",
            "sponsor",
            "review",
            "loyaliteit",
            "loyalty",
            "spaarkaart",
            "klantenkaart",
            "accountmanager",
        ],
        words: &["customer service", "account management", "lead", "quote", "CRM", "DM", "pitch", "deal"],
    },
    Rule {
        theme: Theme::Relationships,
        weight: Weight::Context,
        compounds: &["klant", "customer", "cliënt"],
        words: &["client"],
    },
    Rule {
        theme: Theme::Administration,
        weight: Weight::Subject,
        compounds: &[
            "factuur",
            "facturen",
            "factureren",
            "facturatie",
            "invoice",
            "budget",
            "begroting",
            "boekhouding",
            "boekhouder",
            "bookkeeping",
            "accounting",
            "jaarrekening",
            "administratie",
            "administration",
            "privacy",
            "gegevens",
            "data",
            "rapportage",
            "rapport",
            "report",
            "analytics",
            "analyse",
            "analysis",
            "dashboard",
            "financiën",
            "financien",
            "financieel",
            "financial",
            "finance",
            "belasting",
            "kosten",
            "betaling",
            "payment",
            "contract",
            "overeenkomst",
            "subsidie",
            "kassa",
            "spreadsheet",
            "salaris",
            "payroll",
            "verzekering",
            "insurance",
            "cijfers",
            "correlatie",
        ],
        words: &["AVG", "GDPR", "KPI", "admin", "btw", "VAT", "tax", "cost", "excel", "metrics", "figures"],
    },
];

/// Words that start a new phrase: a keyword after one of these only says what the work is
/// for or about.
const PHRASE_BREAKS: [&str; 35] = [
    "voor", "met", "over", "van", "op", "aan", "naar", "bij", "uit", "door", "via", "na", "tijdens", "tegen", "rond",
    "en", "of", "per", "for", "with", "about", "onder", "on", "to", "from", "at", "by", "into", "after", "before",
    "during", "and", "or", "in", "om",
];

/// Endings a whole-word keyword may carry: plurals and the Dutch adjective -e.
const ENDINGS: [&str; 6] = ["s", "'s", "es", "en", "e", "n"];

/// Where a match sits: compared so that the smallest is the one that decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    weight: Weight,
    phrase: usize,
    /// Later is better: (word, end of the match within the word), reversed.
    end: std::cmp::Reverse<(usize, usize)>,
    length: std::cmp::Reverse<usize>,
    theme: Theme,
}

/// A word of the title, lower-cased, with its phrase number.
struct TitleWord {
    text: String,
    phrase: usize,
}

fn title_words(text: &str) -> Vec<TitleWord> {
    let lower = text.to_lowercase().replace('’', "'");
    let mut words = Vec::new();
    let mut phrase = 0;
    for raw in lower.split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '\''))) {
        let word = raw.trim_matches(['-', '\'']);
        if word.is_empty() {
            continue;
        }
        if PHRASE_BREAKS.contains(&word) {
            phrase += 1;
            continue;
        }
        words.push(TitleWord { text: word.to_owned(), phrase });
    }
    words
}

/// Whether `part` is `keyword` with at most one usual ending.
fn is_word_form(part: &str, keyword: &str) -> bool {
    if part == keyword {
        return true;
    }
    if let Some(ending) = part.strip_prefix(keyword)
        && ENDINGS.contains(&ending)
    {
        return true;
    }
    keyword.strip_suffix('y').is_some_and(|stem| part.strip_prefix(stem) == Some("ies"))
}

/// A part of a word between hyphens: (word index, text, end of the part within the word).
struct Part<'a> {
    word: usize,
    text: &'a str,
    end: usize,
}

fn parts_of(words: &[TitleWord]) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    for (index, word) in words.iter().enumerate() {
        let mut start = 0;
        for text in word.text.split('-') {
            let end = start + text.len();
            if !text.is_empty() {
                parts.push(Part { word: index, text, end });
            }
            start = end + 1;
        }
    }
    parts
}

/// The theme of an action title and the keyword that decided it, by the rules in the module
/// documentation; `None` when no keyword occurs.
pub fn theme_of(text: &str) -> Option<ThemeMatch> {
    let words = title_words(text);
    let parts = parts_of(&words);
    let mut best: Option<(Rank, &'static str, Theme)> = None;
    let mut consider = |rank: Rank, keyword: &'static str, theme: Theme| {
        if best.as_ref().is_none_or(|(seen, _, _)| rank < *seen) {
            best = Some((rank, keyword, theme));
        }
    };
    for rule in &RULES {
        for &keyword in rule.compounds {
            let pattern = keyword.to_lowercase();
            for (index, word) in words.iter().enumerate() {
                if let Some(start) = word.text.rfind(&pattern) {
                    let end = start + pattern.len();
                    let rank = Rank {
                        weight: rule.weight,
                        phrase: word.phrase,
                        end: std::cmp::Reverse((index, end)),
                        length: std::cmp::Reverse(pattern.len()),
                        theme: rule.theme,
                    };
                    consider(rank, keyword, rule.theme);
                }
            }
        }
        for &keyword in rule.words {
            let lower = keyword.to_lowercase();
            let pattern: Vec<&str> = lower.split([' ', '-']).filter(|p| !p.is_empty()).collect();
            let Some((last, leading)) = pattern.split_last() else { continue };
            for start in 0..parts.len() {
                let Some(window) = parts.get(start..start + pattern.len()) else { break };
                let (Some(first), Some(final_part)) = (window.first(), window.last()) else { continue };
                let leading_fit = leading.iter().zip(window).all(|(p, part)| part.text == *p);
                let same_phrase =
                    words.get(first.word).map(|w| w.phrase) == words.get(final_part.word).map(|w| w.phrase);
                if leading_fit && same_phrase && is_word_form(final_part.text, last) {
                    let phrase = words.get(first.word).map_or(0, |w| w.phrase);
                    let rank = Rank {
                        weight: rule.weight,
                        phrase,
                        end: std::cmp::Reverse((final_part.word, final_part.end)),
                        length: std::cmp::Reverse(lower.len()),
                        theme: rule.theme,
                    };
                    consider(rank, keyword, rule.theme);
                }
            }
        }
    }
    best.map(|(_, keyword, theme)| ThemeMatch { theme, keyword: keyword.to_owned() })
}

/// An action as the bundler needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRef {
    pub id: u64,
    pub title: String,
    /// The participant who owns it now, if anyone.
    pub owner: Option<u64>,
}

/// A proposed responsibility: the actions of one theme and who could carry them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleSuggestion {
    pub theme: Theme,
    /// Action ids, in the order they were given.
    pub actions: Vec<u64>,
    /// The participant who already owns most of these actions (ties: the lowest id).
    pub owner: Option<u64>,
    /// For each action that matched a keyword: the action id and that keyword.
    pub reasons: Vec<(u64, String)>,
}

/// One bundle per theme that has actions, in the order Content, Relationships, Administration,
/// Other. Proposing the person who already owns most of a bundle's actions moves the fewest
/// actions; the lowest participant id breaks ties so the proposal is stable.
pub fn suggest_bundles(actions: &[ActionRef]) -> Vec<BundleSuggestion> {
    let mut bundles: Vec<(BundleSuggestion, BTreeMap<u64, usize>)> = Theme::ALL
        .into_iter()
        .map(|theme| {
            (BundleSuggestion { theme, actions: Vec::new(), owner: None, reasons: Vec::new() }, BTreeMap::new())
        })
        .collect();
    for action in actions {
        let found = theme_of(&action.title);
        let theme = found.as_ref().map_or(Theme::Other, |m| m.theme);
        let Some((bundle, owners)) = bundles.iter_mut().find(|(bundle, _)| bundle.theme == theme) else { continue };
        bundle.actions.push(action.id);
        if let Some(found) = found {
            bundle.reasons.push((action.id, found.keyword));
        }
        if let Some(owner) = action.owner {
            *owners.entry(owner).or_default() += 1;
        }
    }
    bundles
        .into_iter()
        .filter(|(bundle, _)| !bundle.actions.is_empty())
        .map(|(mut bundle, owners)| {
            // Ascending ids with a strict comparison keep the lowest id among equals.
            let mut top: Option<(u64, usize)> = None;
            for (owner, count) in owners {
                if top.is_none_or(|(_, best)| count > best) {
                    top = Some((owner, count));
                }
            }
            bundle.owner = top.map(|(owner, _)| owner);
            bundle
        })
        .collect()
}

/// At most this many keywords are listed in an explanation; more would not be read.
const SHOWN_KEYWORDS: usize = 5;

/// A one-line explanation of a proposal, e.g. "Content: 3 acties (blog, video, Instagram) —
/// voorstel: Fay". `names` gives a participant's display name.
pub fn explain(suggestion: &BundleSuggestion, lang: Lang, names: &dyn Fn(u64) -> String) -> String {
    let count = suggestion.actions.len();
    let noun = match (lang, count) {
        (Lang::Nl, 1) => "actie",
        (Lang::Nl, _) => "acties",
        (Lang::En, 1) => "action",
        (Lang::En, _) => "actions",
    };
    let mut keywords: Vec<&str> = Vec::new();
    for (_, keyword) in &suggestion.reasons {
        if !keywords.contains(&keyword.as_str()) {
            keywords.push(keyword);
        }
    }
    let why = match keywords.len() {
        0 => String::new(),
        n if n <= SHOWN_KEYWORDS => format!(" ({})", keywords.join(", ")),
        _ => format!(" ({}, …)", keywords.get(..SHOWN_KEYWORDS).unwrap_or_default().join(", ")),
    };
    let who = match (suggestion.owner, lang) {
        (Some(owner), Lang::Nl) => format!("voorstel: {}", names(owner)),
        (Some(owner), Lang::En) => format!("suggested: {}", names(owner)),
        // The seed's question for this part of the day: wie doet wat?
        (None, Lang::Nl) => "wie pakt dit op?".to_owned(),
        (None, Lang::En) => "who takes this on?".to_owned(),
    };
    format!("{}: {count} {noun}{why} — {who}", suggestion.theme.name(lang))
}

/// How much one participant carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Load {
    pub participant: u64,
    pub responsibilities: usize,
    /// Distinct actions over all their responsibilities.
    pub actions: usize,
}

/// Why a participant's load deserves a second look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadFlag {
    /// Carries no responsibility: the seed gives everyone one.
    NoResponsibility,
    /// Carries more than `max_per_person`.
    TooMany,
}

impl crate::session::SessionState {
    /// The load of each participant of this session, in join order, flagged past
    /// [`DEFAULT_MAX_RESPONSIBILITIES`]: what the room's overview and the report show.
    pub fn workload(&self) -> Vec<(Load, Option<LoadFlag>)> {
        let participants: Vec<u64> = self.participants.iter().map(|p| p.id.0).collect();
        let bundles: Vec<(u64, Vec<u64>)> = self
            .strategy
            .responsibilities
            .iter()
            .filter_map(|r| Some((r.owner?.0, r.actions.iter().map(|a| a.0).collect())))
            .collect();
        workload(&participants, &bundles, DEFAULT_MAX_RESPONSIBILITIES)
    }

    /// The bundles the seed suggests for this session's actions.
    pub fn suggested_bundles(&self) -> Vec<BundleSuggestion> {
        let actions: Vec<ActionRef> = self
            .strategy
            .actions
            .iter()
            .map(|a| ActionRef { id: a.id.0, title: a.title.as_str().to_owned(), owner: a.owner.map(|o| o.0) })
            .collect();
        suggest_bundles(&actions)
    }
}

/// The load of each participant, in the order given (a repeated id counts once), flagged when
/// they carry no responsibility or more than `max_per_person` (usually
/// [`DEFAULT_MAX_RESPONSIBILITIES`]). Responsibilities of someone not in `participants` are
/// left out: that person has left the session and the screen shows those as unowned.
pub fn workload(
    participants: &[u64],
    responsibilities: &[(u64, Vec<u64>)],
    max_per_person: usize,
) -> Vec<(Load, Option<LoadFlag>)> {
    let mut seen = BTreeSet::new();
    participants
        .iter()
        .filter(|participant| seen.insert(**participant))
        .map(|&participant| {
            let owned: Vec<&Vec<u64>> = responsibilities
                .iter()
                .filter(|(owner, _)| *owner == participant)
                .map(|(_, actions)| actions)
                .collect();
            let actions: BTreeSet<u64> = owned.iter().flat_map(|actions| actions.iter().copied()).collect();
            let load = Load { participant, responsibilities: owned.len(), actions: actions.len() };
            let flag = if load.responsibilities == 0 {
                Some(LoadFlag::NoResponsibility)
            } else if load.responsibilities > max_per_person {
                Some(LoadFlag::TooMany)
            } else {
                None
            };
            (load, flag)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn action_titles_get_their_theme_and_the_word_that_decided_it() {
        use Theme::{Administration as A, Content as C, Relationships as R};
        let cases: [(&str, Option<(Theme, &str)>); 52] = [
            // A bakery's actions, in Dutch.
            ("Wekelijkse blog over het brood van de week", Some((C, "blog"))),
            ("Instagram-reels van het bakproces filmen", Some((C, "reel"))),
            ("Productfoto's van de taarten maken", Some((C, "foto"))),
            ("Nieuwsbrief met seizoensaanbiedingen versturen", Some((C, "nieuwsbrief"))),
            ("Website-teksten herschrijven", Some((C, "tekst"))),
            ("Pinterest-bord met taartinspiratie bijhouden", Some((C, "Pinterest"))),
            ("Blog schrijven over klantverhalen", Some((C, "blog"))),
            ("Flyers voor de kerstbestellingen laten drukken", Some((C, "flyer"))),
            ("Spaarkaart voor vaste klanten invoeren", Some((R, "spaarkaart"))),
            ("Offertes voor bedrijfslunches opstellen", Some((R, "offerte"))),
            ("Klachten over bezorging afhandelen", Some((R, "klacht"))),
            ("Klantenservicemail opstellen", Some((R, "klantenservice"))),
            ("Samenwerking met lokale cafés opzetten", Some((R, "samenwerking"))),
            ("Leads uit de bruiloftstaarten-aanvragen opvolgen", Some((R, "lead"))),
            ("Facturen van de meelleverancier inboeken", Some((A, "facturen"))),
            ("Kassadata koppelen aan de boekhouding", Some((A, "data"))),
            ("AVG-verklaring voor de website opstellen", Some((A, "AVG"))),
            ("Budget voor Instagram-advertenties vaststellen", Some((A, "budget"))),
            ("Verkoopcijfers per filiaal in een rapportage zetten", Some((A, "cijfers"))),
            ("Maandelijkse KPI-rapportage maken", Some((A, "rapportage"))),
            ("Btw-aangifte voorbereiden", Some((A, "btw"))),
            ("Klantgegevens opschonen", Some((A, "gegevens"))),
            ("Personeelsrooster maken", None),
            ("Ovens laten onderhouden", None),
            // A bike shop's actions, in English.
            ("Write a blog about winter bike maintenance", Some((C, "blog"))),
            ("Film a how-to video on fixing a flat tyre", Some((C, "video"))),
            ("Post e-bike photos on Instagram", Some((C, "photo"))),
            ("Send the monthly newsletter", Some((C, "newsletter"))),
            ("Customer newsletter", Some((C, "newsletter"))),
            ("Answer customer service emails", Some((R, "customer service"))),
            ("Answer Instagram DMs from customers", Some((R, "DM"))),
            ("Follow up leads from the spring fair", Some((R, "lead"))),
            ("Prepare quotes for company lease bikes", Some((R, "quote"))),
            ("Organise a networking evening for lease partners", Some((R, "network"))),
            ("Update customer data in the CRM", Some((A, "data"))),
            ("Reconcile invoices with the bank statement", Some((A, "invoice"))),
            ("Set the marketing budget for Q3", Some((A, "budget"))),
            ("Review GDPR consent for the mailing list", Some((A, "GDPR"))),
            ("Monthly sales report", Some((A, "report"))),
            ("Order new inner tubes", None),
            // The same bike shop, in Dutch.
            ("TikTok-video van een fietsreparatie", Some((C, "video"))),
            ("Winterstalling-actie op Facebook promoten", Some((C, "Facebook"))),
            ("Reparatietarieven op de website bijwerken", Some((C, "website"))),
            ("Klanten bellen voor de jaarlijkse servicebeurt", Some((R, "klant"))),
            ("Google-reviews beantwoorden", Some((R, "review"))),
            ("Fietsverhuur-offerte voor bedrijven", Some((R, "offerte"))),
            ("Voorraadadministratie in het kassasysteem bijwerken", Some((A, "administratie"))),
            ("Jaarrekening met de boekhouder doornemen", Some((A, "jaarrekening"))),
            ("Sales dashboard bijhouden", Some((A, "dashboard"))),
            // False friends: a keyword inside another word is not that keyword.
            ("Team leader meeting", None),
            ("Postcodes van bezorgadressen controleren", None),
            ("Correlatie tussen weer en verkoop", Some((A, "correlatie"))),
        ];
        for (title, expected) in cases {
            let expected = expected.map(|(theme, keyword)| ThemeMatch { theme, keyword: keyword.to_owned() });
            assert_eq!(theme_of(title), expected, "{title}");
        }
    }

    #[test]
    fn matching_ignores_case_and_punctuation_and_never_panics() {
        let cases = [
            ("BLOG", Some("blog")),
            ("„Nieuwsbrief”!", Some("nieuwsbrief")),
            ("video’s monteren", Some("video")),
            ("kpi's", Some("KPI")),
            ("", None),
            ("---", None),
            ("' - '", None),
            ("🥐🚲", None),
            ("blog\u{0}factuur", Some("factuur")),
        ];
        for (title, keyword) in cases {
            assert_eq!(theme_of(title).map(|m| m.keyword), keyword.map(str::to_owned), "{title:?}");
        }
    }

    #[test]
    fn themes_have_codes_and_names_in_both_languages() {
        let cases = [
            (Theme::Content, "content", "Content", "Content"),
            (Theme::Relationships, "relationships", "Relatiebeheer", "Relationship management"),
            (Theme::Administration, "administration", "Administratie", "Administration"),
            (Theme::Other, "other", "Overig", "Other"),
        ];
        for (theme, code, nl, en) in cases {
            assert_eq!(theme.code(), code);
            assert_eq!(Theme::parse(code), Some(theme));
            assert_eq!(theme.name(Lang::Nl), nl);
            assert_eq!(theme.name(Lang::En), en);
        }
        assert_eq!(Theme::parse("finance"), None);
    }

    fn action(id: u64, title: &str, owner: Option<u64>) -> ActionRef {
        ActionRef { id, title: title.to_owned(), owner }
    }

    fn bundle(theme: Theme, actions: &[u64], owner: Option<u64>, reasons: &[(u64, &str)]) -> BundleSuggestion {
        BundleSuggestion {
            theme,
            actions: actions.to_vec(),
            owner,
            reasons: reasons.iter().map(|(id, keyword)| (*id, (*keyword).to_owned())).collect(),
        }
    }

    #[test]
    fn related_actions_are_bundled_per_theme_with_an_owner() {
        let bakery = vec![
            action(1, "Wekelijkse blog over het brood van de week", Some(1)),
            action(2, "Instagram-reels van het bakproces filmen", Some(1)),
            action(3, "Pinterest-bord met taartinspiratie bijhouden", Some(2)),
            action(4, "Offertes voor bedrijfslunches opstellen", Some(2)),
            action(5, "Klachten over bezorging afhandelen", None),
            action(6, "Facturen van de meelleverancier inboeken", Some(3)),
            action(7, "Ovens laten onderhouden", Some(3)),
        ];
        let cases: [(&str, Vec<ActionRef>, Vec<BundleSuggestion>); 5] = [
            (
                "the bakery: one bundle per theme, Other last",
                bakery,
                vec![
                    bundle(Theme::Content, &[1, 2, 3], Some(1), &[(1, "blog"), (2, "reel"), (3, "Pinterest")]),
                    bundle(Theme::Relationships, &[4, 5], Some(2), &[(4, "offerte"), (5, "klacht")]),
                    bundle(Theme::Administration, &[6], Some(3), &[(6, "facturen")]),
                    bundle(Theme::Other, &[7], Some(3), &[]),
                ],
            ),
            (
                "a tie goes to the lowest participant id",
                vec![
                    action(10, "Send the monthly newsletter", Some(5)),
                    action(11, "Film a how-to video", Some(4)),
                    action(12, "Write a blog", None),
                ],
                vec![bundle(
                    Theme::Content,
                    &[10, 11, 12],
                    Some(4),
                    &[(10, "newsletter"), (11, "video"), (12, "blog")],
                )],
            ),
            (
                "the most actions beats the lowest id",
                vec![
                    action(1, "Monthly sales report", Some(2)),
                    action(2, "Reconcile invoices", Some(8)),
                    action(3, "Set the budget", Some(8)),
                ],
                vec![bundle(
                    Theme::Administration,
                    &[1, 2, 3],
                    Some(8),
                    &[(1, "report"), (2, "invoice"), (3, "budget")],
                )],
            ),
            (
                "nobody owns anything yet",
                vec![action(1, "Follow up leads", None), action(2, "Order new inner tubes", None)],
                vec![bundle(Theme::Relationships, &[1], None, &[(1, "lead")]), bundle(Theme::Other, &[2], None, &[])],
            ),
            ("no actions, no bundles", vec![], vec![]),
        ];
        for (name, actions, expected) in cases {
            assert_eq!(suggest_bundles(&actions), expected, "{name}");
        }
    }

    #[test]
    fn explanations_say_what_is_in_a_bundle_and_who_could_carry_it() {
        let names = |id: u64| match id {
            1 => "Fay".to_owned(),
            2 => "Sam".to_owned(),
            other => format!("#{other}"),
        };
        let seed = suggest_bundles(&[
            action(1, "Blog schrijven", Some(1)),
            action(2, "Video monteren", Some(1)),
            action(3, "Instagram bijhouden", None),
        ]);
        let many: Vec<(u64, &str)> =
            (1..=7).zip(["blog", "video", "foto", "podcast", "webinar", "flyer", "blog"]).collect();
        let cases = [
            (
                seed.first().cloned().unwrap(),
                "Content: 3 acties (blog, video, Instagram) — voorstel: Fay",
                "Content: 3 actions (blog, video, Instagram) — suggested: Fay",
            ),
            (
                bundle(Theme::Relationships, &[4], None, &[(4, "offerte")]),
                "Relatiebeheer: 1 actie (offerte) — wie pakt dit op?",
                "Relationship management: 1 action (offerte) — who takes this on?",
            ),
            (
                bundle(Theme::Other, &[7, 8], Some(2), &[]),
                "Overig: 2 acties — voorstel: Sam",
                "Other: 2 actions — suggested: Sam",
            ),
            (
                bundle(Theme::Content, &[1, 2, 3, 4, 5, 6, 7], Some(3), &many),
                "Content: 7 acties (blog, video, foto, podcast, webinar, …) — voorstel: #3",
                "Content: 7 actions (blog, video, foto, podcast, webinar, …) — suggested: #3",
            ),
            (
                bundle(Theme::Administration, &[1, 2], None, &[(1, "factuur"), (2, "factuur")]),
                "Administratie: 2 acties (factuur) — wie pakt dit op?",
                "Administration: 2 actions (factuur) — who takes this on?",
            ),
        ];
        for (suggestion, nl, en) in cases {
            assert_eq!(explain(&suggestion, Lang::Nl, &names), nl);
            assert_eq!(explain(&suggestion, Lang::En, &names), en);
        }
    }

    #[test]
    fn workload_flags_people_with_none_or_too_many() {
        let load = |participant, responsibilities, actions| Load { participant, responsibilities, actions };
        /// (what it shows, participants, responsibilities, the maximum, the expected loads)
        type Case = (&'static str, Vec<u64>, Vec<(u64, Vec<u64>)>, usize, Vec<(Load, Option<LoadFlag>)>);
        let cases: [Case; 4] = [
            (
                "the seed's split: one each",
                vec![1, 2, 3],
                vec![(1, vec![1, 2, 3]), (2, vec![4, 5]), (3, vec![6])],
                DEFAULT_MAX_RESPONSIBILITIES,
                vec![(load(1, 1, 3), None), (load(2, 1, 2), None), (load(3, 1, 1), None)],
            ),
            (
                "too many, none, and someone who left",
                vec![1, 2, 3, 1],
                vec![(2, vec![1]), (2, vec![2, 3]), (2, vec![3, 4]), (1, vec![5]), (1, vec![]), (9, vec![6])],
                DEFAULT_MAX_RESPONSIBILITIES,
                vec![
                    (load(1, 2, 1), None),
                    (load(2, 3, 4), Some(LoadFlag::TooMany)),
                    (load(3, 0, 0), Some(LoadFlag::NoResponsibility)),
                ],
            ),
            (
                "a stricter team: one each",
                vec![1, 2],
                vec![(1, vec![1]), (1, vec![2])],
                1,
                vec![(load(1, 2, 2), Some(LoadFlag::TooMany)), (load(2, 0, 0), Some(LoadFlag::NoResponsibility))],
            ),
            ("nobody in the room", vec![], vec![(1, vec![1])], DEFAULT_MAX_RESPONSIBILITIES, vec![]),
        ];
        for (name, participants, responsibilities, max, expected) in cases {
            assert_eq!(workload(&participants, &responsibilities, max), expected, "{name}");
        }
    }

    proptest! {
        #[test]
        fn any_title_gets_a_known_keyword_or_none(title in "\\PC{0,60}") {
            if let Some(found) = theme_of(&title) {
                prop_assert_ne!(found.theme, Theme::Other);
                let known = RULES.iter().any(|rule| {
                    rule.theme == found.theme
                        && rule.compounds.iter().chain(rule.words).any(|keyword| *keyword == found.keyword)
                });
                prop_assert!(known, "{}", found.keyword);
            }
        }
    }
}
