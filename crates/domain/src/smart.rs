//! The SMART check: reads a goal's wording together with its structured fields and says,
//! letter by letter, whether it holds, is missing or is still unclear — with the reason
//! and a concrete suggestion, in the goal's language.
//!
//! The rules are explainable word and pattern lists in Dutch and English, not a model:
//! a facilitator can see why a letter failed and what to change. They were tuned against
//! a hand-labelled corpus (`tests/smart_corpus.tsv`); the agreement per letter is in
//! `docs/smart-check.md`.
//!
//! - **S** holds when it is concrete who acts (an organisation, team, department, shop,
//!   practice, foundation — a bare "we" is not) and what must change (revenue, customers,
//!   leads, orders, a number…). One of the two: unclear. Neither: missing.
//! - **M** holds when the goal has an amount: a number, percentage, money, a from–to, a
//!   doubling or halving, a milestone (a second branch), or a metric with a target.
//! - **A** holds when the goal states the reason or the means ("door", "omdat", "via",
//!   "met een", "zodat", "om … te", "vanwege", "by …ing", "because", "through",
//!   "thanks to", "so that", "with a", …), or the team agreed it is acceptable.
//! - **R** compares the target with the baseline over the period: more than doubling (or
//!   halving) within three months, or more than +100% a month, is not realistic. Without
//!   a baseline or a period it stays unclear until the team's vote says so.
//! - **T** holds when there is a deadline or a period in the future; vague words
//!   ("binnenkort", "soon"), a past date, only a frequency ("elke week") or only a start
//!   ("vanaf volgende maand") leave it unclear; no time at all: missing.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;

use crate::language::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Holds,
    Missing,
    Unclear,
}

impl Verdict {
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Missing => "missing",
            Verdict::Unclear => "unclear",
        }
    }

    fn letter(self) -> char {
        match self {
            Verdict::Holds => 'H',
            Verdict::Missing => 'M',
            Verdict::Unclear => 'U',
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterCheck {
    pub verdict: Verdict,
    pub reason: String,
    pub suggestion: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartCheck {
    pub specific: LetterCheck,
    pub measurable: LetterCheck,
    pub acceptable: LetterCheck,
    pub realistic: LetterCheck,
    pub time_bound: LetterCheck,
}

impl SmartCheck {
    pub fn letters(&self) -> [(char, &LetterCheck); 5] {
        [
            ('S', &self.specific),
            ('M', &self.measurable),
            ('A', &self.acceptable),
            ('R', &self.realistic),
            ('T', &self.time_bound),
        ]
    }

    /// All five letters hold.
    pub fn passes(&self) -> bool {
        self.letters().iter().all(|(_, check)| check.verdict == Verdict::Holds)
    }

    /// The verdicts as five letters (H, M, U) in S M A R T order, for tables and tests.
    pub fn code(&self) -> String {
        self.letters().iter().map(|(_, check)| check.verdict.letter()).collect()
    }
}

/// The structured side of a goal, as the form holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GoalFields {
    pub metric: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub deadline: Option<NaiveDate>,
    pub owner: Option<String>,
    pub means: Option<String>,
    pub reason: Option<String>,
}

/// The team's quick agreement vote (draagvlak); `None` where nobody voted (or a tie).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Agreement {
    pub acceptable: Option<bool>,
    pub realistic: Option<bool>,
}

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this file, covered by the tests.
    Regex::new(pattern).unwrap_or_else(|error| panic!("bad pattern {pattern}: {error}"))
}

/// Who acts: an organisation or a part of one. Dutch compounds end in these words.
static ACTOR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(bedrijf|webshop|winkel|shop|store|bakkerij|bakery|team|afdeling|department|stichting|foundation|charity|praktijk|practice|tandarts|dentist|klantenservice|customer service|accountmanager|account manager|vereniging|association|organisatie|organi[sz]ation|non-profit|business|company|zaak|kantoor|salon|restaurant|agency|bureau|school|gemeente|club|fietsenmaker|salesafdeling|sales team|marketing\b)",
    )
});

/// What must change: the object of the goal.
static OBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(omzet|revenue|sales\b|verko|sells?\b|klant|customer|\bleads?\b|conversie|conversion|bestelling|order|taart|cake|patiënt|patient|donateur|donor|abonne|subscri|abonnement|plans?\b|bezoek|traffic|visit|volger|follower|\bleden\b|members|filiaal|branch|contract|demo|aanmelding|sign-up|signup|review|verloop|churn|vrijwillig|volunteer|tevreden|satisf|happ|naamsbekendheid|awareness|betrokkenheid|engagement|orderwaarde|order value|gebruikers|users|no-show|blog|post|fiets|bike|jongeren|young people|e-?mail|marktaandeel|market share|winst|profit|marge|margin|inschrijving|registrat|downloads?|bereik|reach)",
    )
});

/// Wishes without an object: "groeien", "beter worden", "the best".
static NUMBER: LazyLock<Regex> = LazyLock::new(|| re(r"(€\s?)?\d[\d.,]*(\s?%)?"));

static WRITTEN_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|twintig|dertig|veertig|vijftig|honderd|duizend|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|tweede|derde|second|third)\b",
    )
});

static MULTIPLE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(verdubbel|verdrievoudig|twee keer zoveel|drie keer zoveel|halveer|halveert|\bdoubles?\b|\btriples?\b|twice as many|twice as much|\bhalves\b|\bhalve\b)",
    )
});

static MEANS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(\bdoor\b|\bomdat\b|\bvia\b|\bmet (een|onze|ons|de|het|nieuwe)\b|\bzodat\b|\bdankzij\b|\bvanwege\b|\bom\b[^.,;]{0,60}\bte\b|\bby [a-z]+ing\b|\bbecause\b|\bthrough\b|\bthanks to\b|\bso that\b|\bdue to\b|\bwith (a|an|our|the|new)\b|\bin order to\b|\b(every day|each day|every week|weekly|daily) to\b)",
    )
});

/// A period or deadline; the groups tell which kind (see `period_months`).
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?ix)
        (?P<within>(binnen|within|in)\s+(?P<n>\d+|een|één|one|twee|two|drie|three|vier|four|vijf|five|zes|six|zeven|seven|acht|eight|negen|nine|tien|ten|twaalf|twelve|achttien|eighteen)\s+(?P<unit>dagen|dag|days|day|weken|week|weeks|maanden|maand|months|month|jaar|jaren|years|year))
        |(?P<endyear>(eind|einde|end)\s+(van\s+)?(of\s+)?(dit|het|this|the)\s+(jaar|year))
        |(?P<endof>(eind|end\s+of)\s+(?P<endofyear>20\d\d))
        |(?P<quarter>\bq(?P<q>[1-4])(\s+(?P<qyear>20\d\d))?\b|(?P<qword>eerste|tweede|derde|vierde|first|second|third|fourth)\s+(kwartaal|quarter))
        |(?P<nextq>volgend\s+kwartaal|next\s+quarter)
        |(?P<nextm>volgende\s+maand|next\s+month)
        |(?P<nexty>volgend\s+jaar|next\s+year)
        |(?P<thisyear>dit\s+jaar|this\s+year)
        |(?P<date>(?P<day>\d{1,2})\s+(?P<month>januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|january|february|march|may|june|july|august|october)(\s+(?P<dyear>20\d\d))?)
        |(?P<monthyear>\b(?P<month2>januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|january|february|march|april|may|june|july|august|october)\b(\s+(?P<myear>20\d\d))?)
        |(?P<year>\b(in|voor|vóór|before|by|eind|end\s+of)\s+(?P<y>20\d\d)\b)
        |(?P<season>(zomervakantie|summer\s+holidays|de\s+zomer|the\s+summer|kerst|christmas))
        |(?P<week>week\s+van\s+de|during\s+[a-z]+\s+week)
    ")
});

static VAGUE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(binnenkort|zo snel mogelijk|zsm|ooit|snel\b|\bsoon\b|as soon as possible|some day|someday|one day|eventually|op termijn)",
    )
});

static ONLY_FREQUENCY_OR_START: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(\belke (dag|week|maand)\b|\biedere (dag|week|maand)\b|\bevery (day|week|month)\b|\bper (week|maand|month)\b|\bvanaf\b|\bfrom next\b|\bonwards\b|\bstarting\b)",
    )
});

/// A change by a percentage: "10% meer", "met 20%", "by 20%", "300%".
static PERCENT_UP: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(\d+(?:[.,]\d+)?)\s*%\s*(meer|extra|more|groei|growth|stijg|hoger|higher|increase)?"));

/// "van X naar Y", "from X to Y", "naar Y …, van X nu", "to Y …, up from X".
static FROM_TO: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(?:\bvan|\bfrom)\s+€?\s*(?P<a>\d[\d.,]*)\s*%?\s*(?:\w+\s+){0,3}?(?:naar|to)\s+€?\s*(?P<b>\d[\d.,]*)")
});

static TO_FROM: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(?P<b>\d[\d.,]*)[^.;]{0,80}?(?:\bvan|up from|from)\s+€?\s*(?P<a>\d[\d.,]*)\s*(?:nu|now|today)")
});

fn number(text: &str) -> Option<f64> {
    // Dutch and English both write thousands and decimals with '.' and ','; a group of
    // exactly three digits after the separator is read as thousands.
    let cleaned: String = text.trim_end_matches(['.', ',']).to_owned();
    let parts: Vec<&str> = cleaned.split(['.', ',']).collect();
    let joined = match parts.as_slice() {
        [whole] => (*whole).to_owned(),
        [whole, last] if last.len() == 3 => format!("{whole}{last}"),
        [whole, last] => format!("{whole}.{last}"),
        many => many.concat(),
    };
    joined.parse().ok()
}

fn normalise(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ").replace('’', "'").replace("vóór", "voor").replace("Vóór", "Voor")
}

fn word_number(word: &str) -> Option<u32> {
    match word.to_lowercase().as_str() {
        "een" | "één" | "one" => Some(1),
        "twee" | "two" => Some(2),
        "drie" | "three" => Some(3),
        "vier" | "four" => Some(4),
        "vijf" | "five" => Some(5),
        "zes" | "six" => Some(6),
        "zeven" | "seven" => Some(7),
        "acht" | "eight" => Some(8),
        "negen" | "nine" => Some(9),
        "tien" | "ten" => Some(10),
        "twaalf" | "twelve" => Some(12),
        "achttien" | "eighteen" => Some(18),
        other => other.parse().ok(),
    }
}

fn month_number(name: &str) -> Option<u32> {
    let months = [
        ["januari", "january"],
        ["februari", "february"],
        ["maart", "march"],
        ["april", "april"],
        ["mei", "may"],
        ["juni", "june"],
        ["juli", "july"],
        ["augustus", "august"],
        ["september", "september"],
        ["oktober", "october"],
        ["november", "november"],
        ["december", "december"],
    ];
    let name = name.to_lowercase();
    months.iter().position(|pair| pair.contains(&name.as_str())).map(|i| i as u32 + 1)
}

fn end_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (next_year, next_month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()
}

/// What the wording says about time: the deadline (or end of the period) it names.
enum TimeFound {
    Until(NaiveDate),
    Vague,
    Nothing,
}

fn months_between(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days() as f64 / 30.44
}

fn find_time(text: &str, today: NaiveDate) -> (TimeFound, Option<String>) {
    let year = today.year();
    for caps in PERIOD.captures_iter(text) {
        let found = caps.get(0).map(|m| m.as_str().to_owned());
        let date = if caps.name("within").is_some() {
            let n = caps.name("n").and_then(|m| word_number(m.as_str())).unwrap_or(1);
            let unit = caps.name("unit").map(|m| m.as_str().to_lowercase()).unwrap_or_default();
            let days = match unit.as_str() {
                "dag" | "dagen" | "day" | "days" => i64::from(n),
                "week" | "weken" | "weeks" => i64::from(n) * 7,
                "maand" | "maanden" | "month" | "months" => i64::from(n) * 30,
                _ => i64::from(n) * 365,
            };
            today.checked_add_signed(chrono::Duration::days(days))
        } else if caps.name("endyear").is_some() || caps.name("thisyear").is_some() {
            NaiveDate::from_ymd_opt(year, 12, 31)
        } else if let Some(y) = caps.name("endofyear") {
            y.as_str().parse().ok().and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31))
        } else if caps.name("quarter").is_some() {
            let q = caps
                .name("q")
                .and_then(|m| m.as_str().parse::<u32>().ok())
                .or_else(|| {
                    caps.name("qword").map(|m| match m.as_str().to_lowercase().as_str() {
                        "eerste" | "first" => 1,
                        "tweede" | "second" => 2,
                        "derde" | "third" => 3,
                        _ => 4,
                    })
                })
                .unwrap_or(4);
            let y = caps.name("qyear").and_then(|m| m.as_str().parse().ok()).unwrap_or(year);
            end_of_month(y, q * 3)
        } else if caps.name("nextq").is_some() {
            let q = (today.month() - 1) / 3 + 1;
            let (y, q) = if q == 4 { (year + 1, 1) } else { (year, q + 1) };
            end_of_month(y, q * 3)
        } else if caps.name("nextm").is_some() {
            let (y, m) = if today.month() == 12 { (year + 1, 1) } else { (year, today.month() + 1) };
            end_of_month(y, m)
        } else if caps.name("nexty").is_some() {
            NaiveDate::from_ymd_opt(year + 1, 12, 31)
        } else if caps.name("date").is_some() {
            let day = caps.name("day").and_then(|m| m.as_str().parse().ok()).unwrap_or(1);
            let month = caps.name("month").and_then(|m| month_number(m.as_str())).unwrap_or(1);
            match caps.name("dyear").and_then(|m| m.as_str().parse().ok()) {
                Some(y) => NaiveDate::from_ymd_opt(y, month, day),
                // Without a year, the next such date.
                None => NaiveDate::from_ymd_opt(year, month, day)
                    .filter(|d| *d >= today)
                    .or_else(|| NaiveDate::from_ymd_opt(year + 1, month, day)),
            }
        } else if caps.name("monthyear").is_some() {
            let month = caps.name("month2").and_then(|m| month_number(m.as_str())).unwrap_or(12);
            match caps.name("myear").and_then(|m| m.as_str().parse().ok()) {
                Some(y) => end_of_month(y, month),
                None => {
                    let this = end_of_month(year, month);
                    this.filter(|d| *d >= today).or_else(|| end_of_month(year + 1, month))
                }
            }
        } else if caps.name("year").is_some() {
            caps.name("y").and_then(|m| m.as_str().parse().ok()).and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31))
        } else if caps.name("season").is_some() {
            let summer = NaiveDate::from_ymd_opt(year, 7, 15);
            summer.filter(|d| *d >= today).or_else(|| NaiveDate::from_ymd_opt(year + 1, 7, 15))
        } else if caps.name("week").is_some() {
            today.checked_add_signed(chrono::Duration::days(7))
        } else {
            None
        };
        if let Some(date) = date {
            return (TimeFound::Until(date), found);
        }
    }
    if VAGUE_TIME.is_match(text) {
        let found = VAGUE_TIME.find(text).map(|m| m.as_str().to_owned());
        return (TimeFound::Vague, found);
    }
    if ONLY_FREQUENCY_OR_START.is_match(text) {
        let found = ONLY_FREQUENCY_OR_START.find(text).map(|m| m.as_str().to_owned());
        return (TimeFound::Vague, found);
    }
    (TimeFound::Nothing, None)
}

/// The factor the goal multiplies its measure by (1.1 for +10%), when the wording or the
/// fields say so.
fn growth_factor(text: &str, fields: &GoalFields) -> Option<f64> {
    if let (Some(baseline), Some(target)) = (fields.baseline, fields.target)
        && baseline > 0.0
    {
        return Some(target / baseline);
    }
    for caps in FROM_TO.captures_iter(text).chain(TO_FROM.captures_iter(text)) {
        let a = caps.name("a").and_then(|m| number(m.as_str()));
        let b = caps.name("b").and_then(|m| number(m.as_str()));
        if let (Some(a), Some(b)) = (a, b)
            && a > 0.0
        {
            return Some(b / a);
        }
    }
    let lower = text.to_lowercase();
    if let Some(m) = MULTIPLE.find(&lower) {
        let word = m.as_str();
        return Some(if word.contains("halv") || word.contains("halve") {
            0.5
        } else if word.contains("drie") || word.contains("triple") {
            3.0
        } else {
            2.0
        });
    }
    for caps in PERCENT_UP.captures_iter(text) {
        let whole = caps.get(0).map(|m| m.as_str()).unwrap_or_default();
        let percent = caps.get(1).and_then(|m| number(m.as_str()))?;
        let after = &text[caps.get(0).map(|m| m.end()).unwrap_or(0)..];
        let before = &text[..caps.get(0).map(|m| m.start()).unwrap_or(0)];
        let down = ["minder", "daling", "lager", "less", "fewer", "lower", "terug", "verlaag", "reduce", "cut"]
            .iter()
            .any(|w| after.to_lowercase().starts_with(&format!(" {w}")) || before.to_lowercase().contains(w));
        let rising = caps.get(2).is_some()
            || ["met ", "by ", "stijgt", "rises", "grows", "groeit"].iter().any(|w| before.to_lowercase().ends_with(w))
            || lower.contains("stijgen")
            || lower.contains("go up")
            || lower.contains("goes up");
        if rising && !whole.is_empty() {
            return Some(if down { 1.0 - percent / 100.0 } else { 1.0 + percent / 100.0 });
        }
    }
    None
}

struct Words {
    nl: bool,
}

impl Words {
    fn pick(&self, nl: &str, en: &str) -> String {
        if self.nl { nl.to_owned() } else { en.to_owned() }
    }
}

fn check(verdict: Verdict, reason: String, suggestion: String) -> LetterCheck {
    LetterCheck { verdict, reason, suggestion }
}

fn filled(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Checks `text` with its `fields` and the team's `agreement`, as of `today`.
pub fn check_goal(text: &str, lang: Lang, fields: &GoalFields, agreement: &Agreement, today: NaiveDate) -> SmartCheck {
    let text = normalise(text);
    let w = Words { nl: lang == Lang::Nl };

    // S: who acts, and what must change.
    let actor = ACTOR.find(&text).map(|m| m.as_str().to_owned()).or_else(|| filled(&fields.owner).map(str::to_owned));
    let object =
        OBJECT.find(&text).map(|m| m.as_str().to_owned()).or_else(|| filled(&fields.metric).map(str::to_owned));
    let specific = match (&actor, &object) {
        (Some(actor), Some(object)) => check(
            Verdict::Holds,
            w.pick(
                &format!("Duidelijk wie het doet ({actor}) en wat er moet veranderen ({object})."),
                &format!("Clear who acts ({actor}) and what must change ({object})."),
            ),
            String::new(),
        ),
        (Some(actor), None) => check(
            Verdict::Unclear,
            w.pick(
                &format!("Wel duidelijk wie ({actor}), maar niet wát er precies moet veranderen."),
                &format!("Clear who ({actor}), but not what exactly must change."),
            ),
            w.pick(
                "Noem wat er verandert: omzet, klanten, leads, bestellingen…",
                "Name what changes: revenue, customers, leads, orders…",
            ),
        ),
        (None, Some(object)) => check(
            Verdict::Unclear,
            w.pick(
                &format!("Wel duidelijk wat ({object}), maar niet wie het doet: \"we\" is niet concreet."),
                &format!("Clear what ({object}), but not who acts: \"we\" is not concrete."),
            ),
            w.pick(
                "Maak concreet wie het doet: ons bedrijf, het salesteam, onze webshop…",
                "Say who acts: our company, the sales team, our webshop…",
            ),
        ),
        (None, None) => check(
            Verdict::Missing,
            w.pick("Niet duidelijk wie wat moet doen.", "Not clear who must do what."),
            w.pick(
                "Schrijf wie het doet en wat er verandert, bijvoorbeeld: \"Onze webshop verkoopt meer fietsen…\"",
                "Write who acts and what changes, for example: \"Our webshop sells more bikes…\"",
            ),
        ),
    };

    // M: an amount.
    let without_time = PERIOD.replace_all(&text, " ");
    let amount = NUMBER
        .find(&without_time)
        .map(|m| m.as_str().to_owned())
        .or_else(|| MULTIPLE.find(&without_time).map(|m| m.as_str().to_owned()))
        .or_else(|| WRITTEN_NUMBER.find(&without_time).map(|m| m.as_str().to_owned()))
        .or_else(|| {
            (filled(&fields.metric).is_some() && fields.target.is_some())
                .then(|| format!("{}", fields.target.unwrap_or_default()))
        });
    let measurable = match amount {
        Some(amount) => check(
            Verdict::Holds,
            w.pick(&format!("Er is iets te meten ({amount})."), &format!("There is something to measure ({amount}).")),
            String::new(),
        ),
        None => check(
            Verdict::Missing,
            w.pick(
                "Er staat geen getal, percentage of bedrag in: je kunt niet meten of het gelukt is.",
                "There is no number, percentage or amount: you cannot measure whether it worked.",
            ),
            w.pick(
                "Voeg een getal toe: \"10% meer\", \"van 2.000 naar 3.000\", \"€5.000 omzet\".",
                "Add a number: \"10% more\", \"from 2,000 to 3,000\", \"€5,000 in revenue\".",
            ),
        ),
    };

    // A: a reason or the means, or the team's agreement.
    let means = MEANS
        .find(&text)
        .map(|m| m.as_str().trim().to_owned())
        .or_else(|| filled(&fields.means).map(str::to_owned))
        .or_else(|| filled(&fields.reason).map(str::to_owned));
    let acceptable = match (agreement.acceptable, means) {
        (Some(false), _) => check(
            Verdict::Missing,
            w.pick(
                "Het team vindt dit doel (nog) niet acceptabel.",
                "The team does not (yet) find this goal acceptable.",
            ),
            w.pick(
                "Bespreek wat er nodig is om het doel logisch te maken, en stem opnieuw.",
                "Discuss what would make the goal sensible, and vote again.",
            ),
        ),
        (_, Some(means)) => check(
            Verdict::Holds,
            w.pick(
                &format!("De aanleiding of het middel staat erbij (\"{means}\")."),
                &format!("The reason or the means is stated (\"{means}\")."),
            ),
            String::new(),
        ),
        (Some(true), None) => check(
            Verdict::Holds,
            w.pick("Het team staat erachter (draagvlak).", "The team backs it (agreement)."),
            String::new(),
        ),
        (None, None) => check(
            Verdict::Missing,
            w.pick(
                "Er staat niet bij waarom dit doel logisch is of hoe je het haalt.",
                "It does not say why this goal makes sense or how you will reach it.",
            ),
            w.pick(
                "Voeg de aanleiding of het middel toe: \"door …\", \"omdat …\".",
                "Add the reason or the means: \"by …\", \"because …\".",
            ),
        ),
    };

    // T: a deadline or a period in the future.
    let (time, time_words) = match fields.deadline {
        Some(deadline) => (TimeFound::Until(deadline), Some(deadline.to_string())),
        None => find_time(&text, today),
    };
    let time_words = time_words.unwrap_or_default();
    let (time_bound, until) = match time {
        TimeFound::Until(date) if date >= today => (
            check(
                Verdict::Holds,
                w.pick(
                    &format!("Er is een termijn (\"{}\").", time_words.trim()),
                    &format!("There is a deadline or period (\"{}\").", time_words.trim()),
                ),
                String::new(),
            ),
            Some(date),
        ),
        TimeFound::Until(_) => (
            check(
                Verdict::Unclear,
                w.pick(
                    &format!("De termijn (\"{}\") ligt al achter ons.", time_words.trim()),
                    &format!("The deadline (\"{}\") has already passed.", time_words.trim()),
                ),
                w.pick("Kies een datum in de toekomst.", "Choose a date in the future."),
            ),
            None,
        ),
        TimeFound::Vague => (
            check(
                Verdict::Unclear,
                w.pick(
                    &format!("\"{}\" is geen harde termijn.", time_words.trim()),
                    &format!("\"{}\" is not a firm deadline.", time_words.trim()),
                ),
                w.pick(
                    "Zet er een datum of periode bij: \"vóór 1 juli\", \"binnen zes maanden\".",
                    "Add a date or period: \"by 1 July\", \"within six months\".",
                ),
            ),
            None,
        ),
        TimeFound::Nothing => (
            check(
                Verdict::Missing,
                w.pick(
                    "Er staat niet bij wanneer het doel gehaald moet zijn.",
                    "It does not say when the goal must be reached.",
                ),
                w.pick(
                    "Voeg een termijn toe: \"voor het eind van dit jaar\", \"binnen 90 dagen\".",
                    "Add a deadline: \"by the end of this year\", \"within 90 days\".",
                ),
            ),
            None,
        ),
    };

    // R: the growth over the period, or the team's vote.
    let factor = growth_factor(&text, fields);
    let realistic = match (factor, until) {
        (Some(factor), Some(until)) => {
            let months = months_between(today, until).max(0.5);
            let per_month = factor.powf(1.0 / months) - 1.0;
            let too_fast = (months <= 3.0 && !(0.5 < factor && factor < 2.0)) || per_month > 1.0;
            let change = format!("{:+.0}%", (factor - 1.0) * 100.0);
            if too_fast {
                check(
                    Verdict::Missing,
                    w.pick(
                        &format!("{change} in zo'n {months:.0} maand(en) is niet realistisch."),
                        &format!("{change} in about {months:.0} month(s) is not realistic."),
                    ),
                    w.pick(
                        "Neem meer tijd of een kleiner doel, bijvoorbeeld de helft in dezelfde tijd.",
                        "Take more time or set a smaller target, say half of it in the same time.",
                    ),
                )
            } else if agreement.realistic == Some(false) {
                check(
                    Verdict::Missing,
                    w.pick("Het team vindt het niet haalbaar.", "The team does not think it is achievable."),
                    w.pick(
                        "Maak het doel kleiner of geef het meer tijd.",
                        "Make the goal smaller or give it more time.",
                    ),
                )
            } else {
                check(
                    Verdict::Holds,
                    w.pick(
                        &format!("{change} in zo'n {months:.0} maand(en) is haalbaar."),
                        &format!("{change} in about {months:.0} month(s) is achievable."),
                    ),
                    String::new(),
                )
            }
        }
        _ => match agreement.realistic {
            Some(true) => check(
                Verdict::Holds,
                w.pick("Het team vindt het haalbaar.", "The team thinks it is achievable."),
                String::new(),
            ),
            Some(false) => check(
                Verdict::Missing,
                w.pick("Het team vindt het niet haalbaar.", "The team does not think it is achievable."),
                w.pick("Maak het doel kleiner of geef het meer tijd.", "Make the goal smaller or give it more time."),
            ),
            None => check(
                Verdict::Unclear,
                w.pick(
                    "Zonder startwaarde of termijn is niet te zeggen of dit haalbaar is.",
                    "Without a baseline or a deadline you cannot tell whether this is achievable.",
                ),
                w.pick(
                    "Noem waar je nu staat (\"van 400 nu\") en stem samen of het haalbaar is.",
                    "Say where you are now (\"up from 400\") and vote together whether it is achievable.",
                ),
            ),
        },
    };

    SmartCheck { specific, measurable, acceptable, realistic, time_bound }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn code(text: &str, lang: Lang, fields: &GoalFields, agreement: Agreement) -> String {
        check_goal(text, lang, fields, &agreement, today()).code()
    }

    #[test]
    fn the_seed_example_passes_and_a_vague_goal_fails_s_m_and_t() {
        let seed = "Voor het eind van dit jaar haalt ons bedrijf minimaal 10% meer omzet dan vorig jaar, door het €1000,- marketing overschot van vorig jaar te investeren in maandelijkse social media marketing.";
        let result = check_goal(seed, Lang::Nl, &GoalFields::default(), &Agreement::default(), today());
        assert!(result.passes(), "{result:#?}");
        let vague =
            check_goal("We willen meer omzet.", Lang::Nl, &GoalFields::default(), &Agreement::default(), today());
        for letter in [&vague.specific, &vague.measurable, &vague.time_bound] {
            assert_ne!(letter.verdict, Verdict::Holds);
            assert!(!letter.reason.is_empty() && !letter.suggestion.is_empty());
        }
        assert!(vague.time_bound.reason.contains("wanneer"), "Dutch words: {}", vague.time_bound.reason);
    }

    #[test]
    fn table_of_wordings() {
        let none = GoalFields::default();
        let cases: [(&str, Lang, &str); 8] = [
            (
                "Onze webshop verhoogt de conversie van 1,5% naar 2% voor 1 juli, door de checkout te vereenvoudigen.",
                Lang::Nl,
                "HHHHH",
            ),
            ("We want to grow.", Lang::En, "MMMUM"),
            ("Our bike shop doubles e-bike revenue next month with a local radio campaign.", Lang::En, "HHHMH"),
            ("The dental practice wants more new patients soon.", Lang::En, "HMMUU"),
            ("By 1 January 2026 our webshop has 10,000 followers on Instagram.", Lang::En, "HHMUU"),
            (
                "De bakkerij verkoopt binnen drie maanden 30% meer taarten via de nieuwe bestelknop op de website.",
                Lang::Nl,
                "HHHHH",
            ),
            ("Ons bedrijf halveert het klantverloop in één maand.", Lang::Nl, "HHMMH"),
            (
                "By the end of 2026 our software company has 1,000 paying users, up from 400 today, by offering a free 30-day trial.",
                Lang::En,
                "HHHHH",
            ),
        ];
        for (text, lang, expected) in cases {
            assert_eq!(code(text, lang, &none, Agreement::default()), expected, "{text}");
        }
    }

    #[test]
    fn the_fields_and_the_vote_complete_a_goal() {
        let fields = GoalFields {
            metric: Some("omzet".into()),
            baseline: Some(100_000.0),
            target: Some(110_000.0),
            deadline: NaiveDate::from_ymd_opt(2026, 12, 31),
            owner: Some("Het salesteam".into()),
            means: Some("Twee beurzen extra".into()),
            reason: None,
        };
        assert_eq!(code("Meer omzet.", Lang::Nl, &fields, Agreement::default()), "HHHHH");
        let fast =
            GoalFields { target: Some(250_000.0), deadline: NaiveDate::from_ymd_opt(2026, 4, 1), ..fields.clone() };
        assert_eq!(
            code("Meer omzet.", Lang::Nl, &fast, Agreement::default()).chars().nth(3),
            Some('M'),
            "a doubling in a month"
        );
        let agreed = Agreement { acceptable: Some(true), realistic: Some(true) };
        assert_eq!(code("Ons team wint 20 klanten in 2027.", Lang::Nl, &GoalFields::default(), agreed), "HHHHH");
        let refused = Agreement { acceptable: Some(false), realistic: Some(false) };
        assert_eq!(code("Ons team wint 20 klanten in 2027.", Lang::Nl, &GoalFields::default(), refused), "HHMMH");
    }

    #[test]
    fn numbers_are_read_in_both_notations() {
        assert_eq!(number("2.000"), Some(2000.0));
        assert_eq!(number("1,5"), Some(1.5));
        assert_eq!(number("1.5"), Some(1.5));
        assert_eq!(number("10,000"), Some(10000.0));
        assert_eq!(number("€45"), None);
    }
}
