//! What every export says about a session in words: names, verdicts, dates and numbers,
//! and the labels of both languages. The rules themselves (the SMART check, the content
//! calendar, tracking, the workload) are the domain's. The report, the deck, the calendars and the CSV files take these from here so that they say the
//! same thing in the same words.
//!
//! A user's text that these functions put beside other words (a name in a role, a title
//! with "(1/2)") is bidi-isolated first ([`isolate_bidi`]), so that an override in it
//! cannot turn the words after it around.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use heisessie_domain::Lang;
use heisessie_domain::board::{Group, Sticky, StickyId};
use heisessie_domain::content_plan;
use heisessie_domain::planner::PartId;
use heisessie_domain::session::{ParticipantId, SessionState};
use heisessie_domain::smart::Verdict;
use heisessie_domain::strategy::{ActionSource, ActionStatus, Horizon, ItemId, Persona, PersonaFields, Responsibility};
use heisessie_domain::tracking::Progress;

use crate::escape::isolate_bidi;

/// The labels of the exports in one language.
pub(crate) struct Words {
    pub report: &'static str,
    pub organisation: &'static str,
    pub date: &'static str,
    pub dates: &'static str,
    pub model: &'static str,
    pub made_on: &'static str,
    pub and: &'static str,
    pub of: &'static str,
    pub participants_roles: &'static str,
    pub name: &'static str,
    pub roles: &'static str,
    pub facilitator: &'static str,
    pub process_facilitator: &'static str,
    pub timekeeper: &'static str,
    pub note_taker: &'static str,
    pub presenter_of: &'static str,
    pub participant: &'static str,
    pub program: &'static str,
    pub day: &'static str,
    pub time: &'static str,
    pub part: &'static str,
    pub planned: &'static str,
    pub actual: &'static str,
    pub overrun: &'static str,
    pub running: &'static str,
    pub total: &'static str,
    pub no_parts: &'static str,
    pub times_in: &'static str,
    pub end_goals: &'static str,
    pub end_goal: &'static str,
    pub horizon: &'static str,
    pub support: &'static str,
    pub smart_goals: &'static str,
    pub smart_goal: &'static str,
    pub serves_end_goal: &'static str,
    pub metric: &'static str,
    pub from_to: &'static str,
    pub deadline: &'static str,
    pub owner: &'static str,
    pub means: &'static str,
    pub reason: &'static str,
    pub team_agreement: &'static str,
    pub acceptable: &'static str,
    pub realistic: &'static str,
    pub votes_cast: &'static str,
    pub not_voted: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub tie: &'static str,
    pub letter: &'static str,
    pub verdict: &'static str,
    pub explanation: &'static str,
    pub suggestion: &'static str,
    pub letters: [&'static str; 5],
    pub holds: &'static str,
    pub missing: &'static str,
    pub unclear: &'static str,
    pub smart_passes: &'static str,
    pub smart_not_yet: &'static str,
    pub personas: &'static str,
    pub persona: &'static str,
    pub primary: &'static str,
    pub fields_filled: &'static str,
    pub persona_fields: [&'static str; 12],
    pub core_message: &'static str,
    pub usp: &'static str,
    pub uniqueness: &'static str,
    pub unique: &'static str,
    pub not_unique: &'static str,
    pub no_competitors: &'static str,
    pub competitors: &'static str,
    pub competitor: &'static str,
    pub has_it: &'static str,
    pub could_get: &'static str,
    pub life_improvement: &'static str,
    pub answers: &'static str,
    pub content_plan: &'static str,
    pub channel: &'static str,
    pub form: &'static str,
    pub how_often: &'static str,
    pub who: &'static str,
    pub content_calendar: &'static str,
    pub items: &'static str,
    pub ideas: &'static str,
    pub from_sticky: &'static str,
    pub actions: &'static str,
    pub action: &'static str,
    pub responsibilities: &'static str,
    pub responsibility: &'static str,
    pub by_person: &'static str,
    pub not_bundled: &'static str,
    pub nobody: &'static str,
    pub status: &'static str,
    pub source: &'static str,
    pub open: &'static str,
    pub doing: &'static str,
    pub done: &'static str,
    pub carries: &'static str,
    pub too_many: &'static str,
    pub notes_and_boards: &'static str,
    pub notes: &'static str,
    pub notes_of: &'static str,
    pub board: &'static str,
    pub sticky: &'static str,
    pub idea: &'static str,
    pub group: &'static str,
    pub ungrouped: &'static str,
    pub vote: &'static str,
    pub votes: &'static str,
    pub tracking: &'static str,
    pub latest: &'static str,
    pub expected: &'static str,
    pub standing: &'static str,
    pub on_track: &'static str,
    pub behind: &'static str,
    pub no_data: &'static str,
    pub no_target: &'static str,
    pub nothing_yet: &'static str,
    pub meeting: &'static str,
    pub board_link: &'static str,
    pub session_part: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub calendar_of_actions: &'static str,
}

const NL: Words = Words {
    report: "Verslag",
    organisation: "Organisatie",
    date: "Datum",
    dates: "Data",
    model: "Model",
    made_on: "Gemaakt op",
    and: "en",
    of: "van",
    participants_roles: "Deelnemers en rollen",
    name: "Naam",
    roles: "Rollen",
    facilitator: "Facilitator",
    process_facilitator: "Procesbegeleider",
    timekeeper: "Tijdbewaker",
    note_taker: "Notulist",
    presenter_of: "Presenteert",
    participant: "Deelnemer",
    program: "Programma: gepland en werkelijk",
    day: "Dag",
    time: "Tijd",
    part: "Onderdeel",
    planned: "Gepland",
    actual: "Werkelijk",
    overrun: "Uitloop",
    running: "loopt nog",
    total: "Totaal",
    no_parts: "Geen onderdelen op deze dag.",
    times_in: "Tijden in",
    end_goals: "Einddoelen",
    end_goal: "Einddoel",
    horizon: "Termijn",
    support: "Steun",
    smart_goals: "SMART-doelen",
    smart_goal: "SMART-doel",
    serves_end_goal: "Hoort bij einddoel",
    metric: "Meetwaarde",
    from_to: "Van → naar",
    deadline: "Deadline",
    owner: "Eigenaar",
    means: "Middel",
    reason: "Reden",
    team_agreement: "Draagvlak",
    acceptable: "acceptabel",
    realistic: "realistisch",
    votes_cast: "stemmen",
    not_voted: "nog niet gestemd",
    yes: "ja",
    no: "nee",
    tie: "gelijk",
    letter: "Letter",
    verdict: "Oordeel",
    explanation: "Toelichting",
    suggestion: "Suggestie",
    letters: ["Specifiek", "Meetbaar", "Acceptabel", "Realistisch", "Tijdgebonden"],
    holds: "klopt",
    missing: "ontbreekt",
    unclear: "onduidelijk",
    smart_passes: "voldoet aan SMART",
    smart_not_yet: "nog niet SMART",
    personas: "Doelgroep en persona's",
    persona: "Persona",
    primary: "primaire persona",
    fields_filled: "velden ingevuld",
    persona_fields: [
        "Naam",
        "Leeftijd",
        "Werkveld",
        "Woonplaats",
        "Hobby's",
        "Pijnpunten",
        "Huidige oplossingen",
        "Triggers",
        "Reactie op de trigger",
        "Gewenste resultaten",
        "Kanalen",
        "Bezwaren",
    ],
    core_message: "Kernboodschap",
    usp: "USP",
    uniqueness: "Uniek?",
    unique: "uniek",
    not_unique: "niet uniek",
    no_competitors: "geen concurrent heeft dit of kan het makkelijk krijgen",
    competitors: "Concurrenten",
    competitor: "Concurrent",
    has_it: "heeft het",
    could_get: "kan het makkelijk krijgen",
    life_improvement: "Zo wordt het leven van de persona beter",
    answers: "Antwoord op",
    content_plan: "Contentplan",
    channel: "Kanaal",
    form: "Vorm",
    how_often: "Hoe vaak",
    who: "Wie",
    content_calendar: "Contentkalender",
    items: "items",
    ideas: "Contentideeën",
    from_sticky: "van een sticky",
    actions: "Actiepunten",
    action: "Actie",
    responsibilities: "Verantwoordelijkheden",
    responsibility: "Verantwoordelijkheid",
    by_person: "Per persoon",
    not_bundled: "Zonder verantwoordelijkheid",
    nobody: "Niemand",
    status: "Status",
    source: "Bron",
    open: "open",
    doing: "bezig",
    done: "klaar",
    carries: "verantwoordelijk voor",
    too_many: "meer verantwoordelijkheden dan verstandig",
    notes_and_boards: "Notities en borden",
    notes: "Notities",
    notes_of: "Notities bij",
    board: "Bord",
    sticky: "Sticky",
    idea: "Idee",
    group: "Groep",
    ungrouped: "Niet gegroepeerd",
    vote: "stem",
    votes: "stemmen",
    tracking: "Voortgang van de doelen",
    latest: "Laatste meting",
    expected: "Verwacht",
    standing: "Stand",
    on_track: "op koers",
    behind: "achter op schema",
    no_data: "nog geen meting",
    no_target: "geen doellijn (nulmeting, doel of deadline ontbreekt)",
    nothing_yet: "Nog niets vastgelegd.",
    meeting: "Videogesprek",
    board_link: "Bord",
    session_part: "deel",
    previous: "Vorige",
    next: "Volgende",
    calendar_of_actions: "Actiepunten",
};

const EN: Words = Words {
    report: "Report",
    organisation: "Organisation",
    date: "Date",
    dates: "Dates",
    model: "Model",
    made_on: "Generated on",
    and: "and",
    of: "of",
    participants_roles: "Participants and roles",
    name: "Name",
    roles: "Roles",
    facilitator: "Facilitator",
    process_facilitator: "Process facilitator",
    timekeeper: "Timekeeper",
    note_taker: "Note taker",
    presenter_of: "Presents",
    participant: "Participant",
    program: "Program: planned and actual",
    day: "Day",
    time: "Time",
    part: "Part",
    planned: "Planned",
    actual: "Actual",
    overrun: "Overrun",
    running: "still running",
    total: "Total",
    no_parts: "No parts on this day.",
    times_in: "Times in",
    end_goals: "End goals",
    end_goal: "End goal",
    horizon: "Horizon",
    support: "Support",
    smart_goals: "SMART goals",
    smart_goal: "SMART goal",
    serves_end_goal: "Serves end goal",
    metric: "Metric",
    from_to: "From → to",
    deadline: "Deadline",
    owner: "Owner",
    means: "Means",
    reason: "Reason",
    team_agreement: "Team agreement",
    acceptable: "acceptable",
    realistic: "realistic",
    votes_cast: "votes",
    not_voted: "no votes yet",
    yes: "yes",
    no: "no",
    tie: "tied",
    letter: "Letter",
    verdict: "Verdict",
    explanation: "Explanation",
    suggestion: "Suggestion",
    letters: ["Specific", "Measurable", "Acceptable", "Realistic", "Time-bound"],
    holds: "holds",
    missing: "missing",
    unclear: "unclear",
    smart_passes: "meets SMART",
    smart_not_yet: "not SMART yet",
    personas: "Target audience and personas",
    persona: "Persona",
    primary: "primary persona",
    fields_filled: "fields filled in",
    persona_fields: [
        "Name",
        "Age",
        "Field of work",
        "Residence",
        "Hobbies",
        "Pain points",
        "Current solutions",
        "Triggers",
        "Response to the trigger",
        "Desired results",
        "Channels",
        "Objections",
    ],
    core_message: "Core message",
    usp: "USP",
    uniqueness: "Unique?",
    unique: "unique",
    not_unique: "not unique",
    no_competitors: "no competitor has it or could easily get it",
    competitors: "Competitors",
    competitor: "Competitor",
    has_it: "has it",
    could_get: "could easily get it",
    life_improvement: "How it makes the persona's life better",
    answers: "Answers",
    content_plan: "Content plan",
    channel: "Channel",
    form: "Form",
    how_often: "How often",
    who: "Who",
    content_calendar: "Content calendar",
    items: "items",
    ideas: "Content ideas",
    from_sticky: "from a sticky",
    actions: "Action points",
    action: "Action",
    responsibilities: "Responsibilities",
    responsibility: "Responsibility",
    by_person: "By person",
    not_bundled: "Not in a responsibility",
    nobody: "Nobody",
    status: "Status",
    source: "Source",
    open: "open",
    doing: "doing",
    done: "done",
    carries: "responsible for",
    too_many: "more responsibilities than is wise",
    notes_and_boards: "Notes and boards",
    notes: "Notes",
    notes_of: "Notes of",
    board: "Board",
    sticky: "Sticky",
    idea: "Idea",
    group: "Group",
    ungrouped: "Not grouped",
    vote: "vote",
    votes: "votes",
    tracking: "Goal tracking",
    latest: "Latest measurement",
    expected: "Expected",
    standing: "Standing",
    on_track: "on track",
    behind: "behind",
    no_data: "nothing measured yet",
    no_target: "no target line (baseline, target or deadline missing)",
    nothing_yet: "Nothing recorded yet.",
    meeting: "Video meeting",
    board_link: "Board",
    session_part: "part",
    previous: "Previous",
    next: "Next",
    calendar_of_actions: "Action points",
};

pub(crate) fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

/// The name a participant chose; someone no longer in the session keeps a number.
pub(crate) fn name_of(state: &SessionState, id: ParticipantId, lang: Lang) -> String {
    match state.participant(id) {
        Some(participant) => isolate_bidi(participant.display_name.as_str()).into_owned(),
        None => format!("{} {}", words(lang).participant, id.0),
    }
}

pub(crate) fn owner_name(state: &SessionState, owner: Option<ParticipantId>, lang: Lang) -> String {
    owner.map_or_else(|| words(lang).nobody.to_owned(), |id| name_of(state, id, lang))
}

/// The roles a participant holds, in the order of the rules of the day.
pub(crate) fn roles_of(state: &SessionState, id: ParticipantId, lang: Lang) -> Vec<String> {
    let w = words(lang);
    let mut roles = Vec::new();
    if state.participant(id).is_some_and(|p| p.is_facilitator) {
        roles.push(w.facilitator.to_owned());
    }
    let fixed = [
        (state.roles.process_facilitator, w.process_facilitator),
        (state.roles.timekeeper, w.timekeeper),
        (state.roles.note_taker, w.note_taker),
    ];
    roles.extend(fixed.iter().filter(|(holder, _)| *holder == Some(id)).map(|(_, name)| (*name).to_owned()));
    for part in &state.parts {
        if state.roles.presenters.get(&part.id) == Some(&id) {
            roles.push(format!("{} {}", w.presenter_of, isolate_bidi(part.title.get(lang))));
        }
    }
    roles
}

pub(crate) fn verdict_word(verdict: Verdict, lang: Lang) -> &'static str {
    let w = words(lang);
    match verdict {
        Verdict::Holds => w.holds,
        Verdict::Missing => w.missing,
        Verdict::Unclear => w.unclear,
    }
}

pub(crate) fn progress_word(progress: Progress, lang: Lang) -> &'static str {
    let w = words(lang);
    match progress {
        Progress::OnTrack => w.on_track,
        Progress::Behind => w.behind,
        Progress::NoData => w.no_data,
        Progress::NoTarget => w.no_target,
    }
}

pub(crate) fn status_word(status: ActionStatus, lang: Lang) -> &'static str {
    let w = words(lang);
    match status {
        ActionStatus::Open => w.open,
        ActionStatus::Doing => w.doing,
        ActionStatus::Done => w.done,
    }
}

/// A standard channel by its name in `lang`; a channel the team typed as it was typed.
pub(crate) fn channel_label(channel: &str, lang: Lang) -> String {
    content_plan::channel_name(channel, lang).map_or_else(|| channel.to_owned(), str::to_owned)
}

pub(crate) fn form_label(form: &str, lang: Lang) -> String {
    content_plan::form_name(form, lang).map_or_else(|| form.to_owned(), str::to_owned)
}

/// The personas, the primary one first, the others in the order they were made.
pub(crate) fn ordered_personas(state: &SessionState) -> Vec<&Persona> {
    let primary = state.strategy.primary_persona;
    let mut personas: Vec<&Persona> = state.strategy.personas.iter().collect();
    personas.sort_by_key(|persona| Some(persona.id) != primary);
    personas
}

/// The filled fields of a persona, labelled, in the order of the form.
pub(crate) fn persona_fields(fields: &PersonaFields, lang: Lang) -> Vec<(&'static str, String)> {
    let labels = words(lang).persona_fields;
    let age = fields.age.map(|age| age.to_string()).unwrap_or_default();
    let values = [
        fields.name.as_str(),
        &age,
        fields.field_of_work.as_str(),
        fields.residence.as_str(),
        fields.hobbies.as_str(),
        fields.pain_points.as_str(),
        fields.current_solutions.as_str(),
        fields.triggers.as_str(),
        fields.trigger_response.as_str(),
        fields.desired_results.as_str(),
        fields.channels.as_str(),
        fields.objections.as_str(),
    ];
    labels
        .into_iter()
        .zip(values)
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(label, value)| (label, value.to_owned()))
        .collect()
}

pub(crate) fn persona_title(persona: &Persona, index: usize, lang: Lang) -> String {
    let name = persona.fields.name.as_str();
    if name.is_empty() { format!("{} {}", words(lang).persona, index + 1) } else { isolate_bidi(name).into_owned() }
}

/// The responsibility an action is bundled in, if any.
pub(crate) fn responsibility_of(state: &SessionState, action: ItemId) -> Option<&Responsibility> {
    state.strategy.responsibilities.iter().find(|bundle| bundle.actions.contains(&action))
}

pub(crate) fn part_title(state: &SessionState, part: PartId, lang: Lang) -> String {
    state.part(part).map_or_else(|| format!("{} {}", words(lang).part, part.0), |p| p.title.get(lang).to_owned())
}

/// Where an action came from, in words: "Idee: Bakvideo op zaterdag".
pub(crate) fn source_text(state: &SessionState, source: ActionSource, lang: Lang) -> String {
    let w = words(lang);
    let strategy = &state.strategy;
    let (kind, text) = match source {
        ActionSource::Sticky(id) => {
            (w.sticky, state.stickies.get(&id).map(|s| s.text.as_str().to_owned()).unwrap_or_default())
        }
        ActionSource::Notes(part) => (w.notes_of, part_title(state, part, lang)),
        ActionSource::EndGoal(id) => {
            (w.end_goal, strategy.end_goal(id).map(|g| g.text.as_str().to_owned()).unwrap_or_default())
        }
        ActionSource::SmartGoal(id) => {
            (w.smart_goal, strategy.smart_goal(id).map(|g| g.text.as_str().to_owned()).unwrap_or_default())
        }
        ActionSource::Persona(id) => {
            (w.persona, strategy.persona(id).map(|p| p.fields.name.as_str().to_owned()).unwrap_or_default())
        }
        ActionSource::Idea(id) => (w.idea, strategy.idea(id).map(|i| i.text.as_str().to_owned()).unwrap_or_default()),
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() { kind.to_owned() } else { format!("{kind}: {}", isolate_bidi(&text)) }
}

/// A board's stickies: per group (in the order the groups were made) and then the
/// stickies in no group, each in the order they were made.
pub(crate) struct BoardView<'a> {
    pub groups: Vec<(&'a Group, Vec<&'a Sticky>)>,
    pub loose: Vec<&'a Sticky>,
}

impl BoardView<'_> {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.loose.is_empty()
    }
}

pub(crate) fn board(state: &SessionState, part: PartId) -> BoardView<'_> {
    let stickies: Vec<&Sticky> = state.stickies.values().filter(|s| s.part == part).collect();
    let groups = state
        .groups
        .values()
        .filter(|g| g.part == part)
        .map(|group| (group, stickies.iter().copied().filter(|s| s.group == Some(group.id)).collect()))
        .collect();
    let grouped = |sticky: &Sticky| sticky.group.is_some_and(|g| state.groups.contains_key(&g));
    let loose = stickies.iter().copied().filter(|s| !grouped(s)).collect();
    BoardView { groups, loose }
}

/// The dots each sticky of `part` got in the session's voting round, if the round was on it.
pub(crate) fn votes_on(state: &SessionState, part: PartId) -> BTreeMap<StickyId, u32> {
    match &state.vote {
        Some(round) if round.part == part => round.tally().into_iter().collect(),
        _ => BTreeMap::new(),
    }
}

pub(crate) fn votes_text(count: u32, lang: Lang) -> String {
    let w = words(lang);
    format!("{count} {}", if count == 1 { w.vote } else { w.votes })
}

const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "3 december 2026" / "3 December 2026".
pub(crate) fn date_text(date: NaiveDate, lang: Lang) -> String {
    let months = match lang {
        Lang::Nl => &MONTHS_NL,
        Lang::En => &MONTHS_EN,
    };
    let month = months.get(date.month0() as usize).copied().unwrap_or_default();
    format!("{} {month} {}", date.day(), date.year())
}

/// "donderdag 3 december 2026" / "Thursday 3 December 2026".
pub(crate) fn long_date_text(date: NaiveDate, lang: Lang) -> String {
    let weekday = match (lang, date.weekday()) {
        (Lang::Nl, Weekday::Mon) => "maandag",
        (Lang::Nl, Weekday::Tue) => "dinsdag",
        (Lang::Nl, Weekday::Wed) => "woensdag",
        (Lang::Nl, Weekday::Thu) => "donderdag",
        (Lang::Nl, Weekday::Fri) => "vrijdag",
        (Lang::Nl, Weekday::Sat) => "zaterdag",
        (Lang::Nl, Weekday::Sun) => "zondag",
        (Lang::En, Weekday::Mon) => "Monday",
        (Lang::En, Weekday::Tue) => "Tuesday",
        (Lang::En, Weekday::Wed) => "Wednesday",
        (Lang::En, Weekday::Thu) => "Thursday",
        (Lang::En, Weekday::Fri) => "Friday",
        (Lang::En, Weekday::Sat) => "Saturday",
        (Lang::En, Weekday::Sun) => "Sunday",
    };
    format!("{weekday} {}", date_text(date, lang))
}

pub(crate) fn horizon_text(horizon: Horizon, lang: Lang) -> String {
    match (lang, horizon) {
        (Lang::Nl, Horizon::By { date }) => format!("vóór {}", date_text(date, lang)),
        (Lang::En, Horizon::By { date }) => format!("by {}", date_text(date, lang)),
        (Lang::Nl, Horizon::WithinMonths { months: 1 }) => "binnen 1 maand".to_owned(),
        (Lang::Nl, Horizon::WithinMonths { months }) => format!("binnen {months} maanden"),
        (Lang::En, Horizon::WithinMonths { months: 1 }) => "within 1 month".to_owned(),
        (Lang::En, Horizon::WithinMonths { months }) => format!("within {months} months"),
        (Lang::Nl, Horizon::WithinYears { years }) => format!("binnen {years} jaar"),
        (Lang::En, Horizon::WithinYears { years: 1 }) => "within 1 year".to_owned(),
        (Lang::En, Horizon::WithinYears { years }) => format!("within {years} years"),
    }
}

/// A measured or planned number: at most two decimals, no trailing zeros, thousands
/// grouped: "22.913,91" in Dutch, "22,913.91" in English.
pub(crate) fn number_text(value: f64, lang: Lang) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    // Avoid "-0" for a value that rounds to nothing.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    let plain = rounded.to_string();
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", plain.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let (group, decimal) = match lang {
        Lang::Nl => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut out = String::from(sign);
    // Only a plain run of digits is grouped; anything else (inf, NaN) is shown as it is.
    if whole.chars().all(|c| c.is_ascii_digit()) {
        for (index, digit) in whole.chars().enumerate() {
            if index > 0 && (whole.len() - index) % 3 == 0 {
                out.push(group);
            }
            out.push(digit);
        }
    } else {
        out.push_str(whole);
    }
    if !fraction.is_empty() {
        out.push(decimal);
        out.push_str(fraction);
    }
    out
}

/// Whole minutes from milliseconds, rounded to the nearest minute.
pub(crate) fn minutes_of(ms: u64) -> i64 {
    i64::try_from(ms.saturating_add(30_000) / 60_000).unwrap_or(i64::MAX)
}

/// "+5", "−3" (a minus sign, not a hyphen) or "0".
pub(crate) fn signed_minutes(minutes: i64) -> String {
    match minutes {
        m if m > 0 => format!("+{m}"),
        m if m < 0 => format!("\u{2212}{}", m.unsigned_abs()),
        _ => "0".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_numbers_and_minutes_read_naturally() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        assert_eq!(long_date_text(date, Lang::Nl), "donderdag 3 december 2026");
        assert_eq!(long_date_text(date, Lang::En), "Thursday 3 December 2026");
        assert_eq!(number_text(12.5, Lang::Nl), "12,5");
        assert_eq!(number_text(100.0, Lang::En), "100");
        assert_eq!(number_text(22_913.912, Lang::Nl), "22.913,91");
        assert_eq!(number_text(-1_234_567.5, Lang::En), "-1,234,567.5");
        assert_eq!(number_text(1e9, Lang::Nl), "1.000.000.000");
        assert_eq!(number_text(f64::INFINITY, Lang::Nl), "inf");
        assert_eq!(number_text(2.0 / 3.0, Lang::En), "0.67");
        assert_eq!(number_text(-0.001, Lang::En), "0");
        assert_eq!(minutes_of(89_999), 1);
        assert_eq!(minutes_of(90_000), 2);
        assert_eq!(signed_minutes(5), "+5");
        assert_eq!(signed_minutes(-3), "\u{2212}3");
        assert_eq!(horizon_text(Horizon::WithinYears { years: 3 }, Lang::Nl), "binnen 3 jaar");
        assert_eq!(horizon_text(Horizon::WithinMonths { months: 1 }, Lang::En), "within 1 month");
    }
}
