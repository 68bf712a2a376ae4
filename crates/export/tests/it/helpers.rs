//! Sessions to export, built the way the room builds them: ops through `apply`, events
//! through `apply_event`. One realistic heidag, and one where every text is hostile.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use heisessie_domain::Lang;
use heisessie_domain::board::{Colour, NoteText, StickyId, StickyText};
use heisessie_domain::catalog::builtin_model;
use heisessie_domain::model::{Priority, WorkspaceKind};
use heisessie_domain::planner::{PartId, PlannerSettings};
use heisessie_domain::session::{Actor, Op, ParticipantId, Role, SessionDetails, SessionState, StrategyOp, apply};
use heisessie_domain::strategy::{
    ActionSource, ActionStatus, Competitor, CoreMessage, FieldText, Horizon, ItemId, PersonaFields, PlanLine,
    PlanPeriod, SmartFields,
};
use heisessie_domain::text::{DisplayName, MeetingLink, Organisation, Title};
use heisessie_domain::timebox::Timebox;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

/// 3 December 2026, 09:00 in Amsterdam: the start of the session.
pub fn session_start_ms() -> i64 {
    Utc.with_ymd_and_hms(2026, 12, 3, 8, 0, 0).single().expect("a real moment").timestamp_millis()
}

const MINUTE: i64 = 60_000;

/// The moment the exports are made: during the fourth part, whose timer still runs.
pub fn now_ms() -> i64 {
    session_start_ms() + 200 * MINUTE
}

/// The day the report is made (the SMART check judges deadlines against it).
pub fn today() -> NaiveDate {
    date(2027, 3, 15)
}

/// The DTSTAMP of every calendar.
pub fn stamp() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 15, 10, 30, 0).single().expect("a real moment")
}

pub const BOARD_LINK: &str = "https://heisessie.example/s/3f9a2c/board";

pub fn field(text: &str) -> FieldText {
    FieldText::parse("text", text).expect("a valid field text")
}

fn sticky_text(text: &str) -> StickyText {
    StickyText::parse("text", text).expect("a valid sticky text")
}

/// A session under construction: every change goes through the domain's rules.
pub struct Session {
    pub state: SessionState,
    pub now: i64,
}

impl Session {
    pub fn new(title: &str, organisation: &str, meeting: Option<&str>, days: u32) -> Self {
        let details = SessionDetails {
            title: Title::parse("title", title).expect("a valid title"),
            organisation: Organisation::parse("organisation", organisation).expect("a valid organisation"),
            language: Lang::Nl,
            meeting_link: meeting.map(|link| MeetingLink::parse("meeting_link", link).expect("a valid link")),
        };
        let start = date(2026, 12, 3).and_hms_opt(9, 0, 0).expect("a real time");
        let settings =
            PlannerSettings::with_defaults(start, chrono_tz::Europe::Amsterdam, days).expect("valid settings");
        let model = builtin_model("heidag").expect("the heidag model");
        Session { state: SessionState::new(details, &model, settings), now: session_start_ms() }
    }

    /// Applies an op as `who` (a participant id) and folds its events into the state.
    pub fn run(&mut self, who: u64, op: Op) -> &mut Self {
        self.run_as(Actor::Participant(ParticipantId(who)), op)
    }

    pub fn run_as(&mut self, actor: Actor, op: Op) -> &mut Self {
        let description = format!("{op:?}");
        let events = apply(&self.state, actor, op, self.now)
            .unwrap_or_else(|rejection| panic!("{description} was rejected: {rejection}"));
        for event in &events {
            self.state.apply_event(event);
        }
        self
    }

    pub fn join(&mut self, name: &str, facilitator: bool) -> ParticipantId {
        let id = self.state.next_participant_id();
        let display_name = DisplayName::parse("display_name", name).expect("a valid name");
        self.run_as(Actor::Newcomer { facilitator }, Op::Join { display_name });
        id
    }

    pub fn at_minute(&mut self, minute: i64) -> &mut Self {
        self.now = session_start_ms() + minute * MINUTE;
        self
    }

    fn last_item(&self) -> ItemId {
        ItemId(self.state.strategy.next_id.saturating_sub(1))
    }

    pub fn sticky(&mut self, who: u64, part: u32, text: &str, colour: Colour) -> StickyId {
        let op = Op::CreateSticky { part: PartId(part), text: sticky_text(text), x: 0, y: 0, colour };
        self.run(who, op);
        *self.state.stickies.keys().next_back().expect("the new sticky")
    }

    pub fn end_goal(&mut self, who: u64, text: &str, horizon: Option<Horizon>) -> ItemId {
        self.run(who, Op::Strategy(StrategyOp::SaveEndGoal { id: None, text: field(text), horizon }));
        self.last_item()
    }

    pub fn smart_goal(&mut self, who: u64, end_goal: Option<ItemId>, text: &str, fields: SmartFields) -> ItemId {
        self.run(who, Op::Strategy(StrategyOp::SaveSmartGoal { id: None, end_goal, text: field(text), fields }));
        self.last_item()
    }

    pub fn persona(&mut self, who: u64, fields: PersonaFields) -> ItemId {
        self.run(who, Op::Strategy(StrategyOp::SavePersona { id: None, fields }));
        self.last_item()
    }

    pub fn idea(&mut self, who: u64, text: &str, from_sticky: Option<StickyId>) -> ItemId {
        self.run(who, Op::Strategy(StrategyOp::AddIdea { text: field(text), from_sticky }));
        self.last_item()
    }

    #[allow(clippy::too_many_arguments)]
    pub fn action(
        &mut self,
        who: u64,
        title: &str,
        owner: Option<u64>,
        deadline: Option<NaiveDate>,
        part: Option<u32>,
        source: Option<ActionSource>,
        status: ActionStatus,
    ) -> ItemId {
        let op = Op::Strategy(StrategyOp::SaveAction {
            id: None,
            title: field(title),
            owner: owner.map(ParticipantId),
            deadline,
            part: part.map(PartId),
            source,
            status,
        });
        self.run(who, op);
        self.last_item()
    }

    pub fn notes(&mut self, who: u64, part: u32, text: &str) -> &mut Self {
        let text = NoteText::parse("notes", text).expect("valid notes");
        self.run(who, Op::SetNotes { part: PartId(part), text })
    }
}

const FAY: u64 = 1;
const PIET: u64 = 2;
const SANNE: u64 = 3;
const JORIS: u64 = 4;

/// A heidag as a bakery's team would have it: two days, four people, every workspace used,
/// timers run over and under, one still running, and goals measured since.
pub fn realistic() -> SessionState {
    let mut s = Session::new(
        "Heidag online marketing 2027",
        "Bakkerij Jansen",
        Some("https://meet.jit.si/bakkerij-jansen-heidag"),
        2,
    );
    s.join("Fay de Vries", true);
    s.join("Piet", false);
    s.join("Sanne", false);
    s.join("Joris", false);
    let roles = [
        (Role::ProcessFacilitator, FAY),
        (Role::Timekeeper, PIET),
        (Role::NoteTaker, SANNE),
        (Role::Presenter(PartId(2)), JORIS),
        (Role::Presenter(PartId(4)), SANNE),
    ];
    for (role, who) in roles {
        s.run(FAY, Op::AssignRole { role, participant: Some(ParticipantId(who)) });
    }
    // A brainstorm board before the action points: part 7, the sixth in the program.
    s.run(
        FAY,
        Op::AddPart {
            title: Title::parse("title", "Brainstorm contentideeën").expect("a valid title"),
            minutes: Timebox::new(30).expect("a timebox"),
            priority: Priority::Should,
            workspace: WorkspaceKind::Board,
            index: Some(5),
        },
    );

    // The timers: models 18 minutes (planned 15), end goals 36 (planned 40), SMART goals
    // 62 (planned 50); personas started at minute 180 and still runs when the report is made.
    s.at_minute(0).run(PIET, Op::StartTimer { part: Some(PartId(1)), seconds: None });
    s.at_minute(18).run(PIET, Op::StartTimer { part: Some(PartId(2)), seconds: None });
    s.at_minute(54).run(PIET, Op::StartTimer { part: Some(PartId(3)), seconds: None });
    s.at_minute(116).run(PIET, Op::PauseTimer);
    s.at_minute(180).run(PIET, Op::StartTimer { part: Some(PartId(4)), seconds: None });

    s.notes(
        SANNE,
        1,
        "Kapstok: SOSTAC® en het E-tail aanvalsplan.\nSpelregels: telefoons weg, Piet houdt de tijd.\n\n\
         Joris presenteert de einddoelen.",
    );
    s.notes(SANNE, 3, "Omzetcijfers 2026 komen van de boekhouder.");

    let video = s.sticky(JORIS, 7, "Bakvideo op zaterdag", Colour::Yellow);
    let recipe = s.sticky(SANNE, 7, "Recept van de maand\nin de nieuwsbrief", Colour::Pink);
    let behind = s.sticky(PIET, 7, "Achter de schermen om 5 uur 's nachts", Colour::Yellow);
    s.sticky(FAY, 7, "Klantverhalen", Colour::Blue);
    s.run(FAY, Op::GroupStickies { stickies: vec![video, behind], label: sticky_text("Video") });
    s.run(FAY, Op::OpenVote { part: PartId(7), votes_per_person: 3 });
    for (who, sticky) in [(FAY, video), (PIET, video), (SANNE, recipe), (JORIS, video), (JORIS, behind)] {
        s.run(who, Op::CastVote { sticky });
    }
    s.run(FAY, Op::CloseVote);

    let local = s.end_goal(JORIS, "Dé ambachtelijke bakker van Utrecht-Oost", Some(Horizon::WithinYears { years: 3 }));
    let online = s.end_goal(
        PIET,
        "De helft van de omzet komt uit online bestellingen",
        Some(Horizon::By { date: date(2028, 12, 31) }),
    );
    for (who, goal) in [(FAY, local), (PIET, local), (SANNE, local), (JORIS, local), (PIET, online), (FAY, online)] {
        s.run(who, Op::Strategy(StrategyOp::SupportEndGoal { id: goal, support: true }));
    }

    let revenue = s.smart_goal(
        PIET,
        Some(online),
        "Bakkerij Jansen verhoogt de online omzet van 20.000 naar 30.000 euro per kwartaal \
         door een bestelmodule op de website, vóór 1 oktober 2027.",
        SmartFields {
            metric: field("online omzet per kwartaal (€)"),
            baseline: Some(20_000.0),
            target: Some(30_000.0),
            deadline: Some(date(2027, 10, 1)),
            owner: field("Piet"),
            means: field("een bestelmodule op de website"),
            reason: field("klanten willen 's avonds bestellen"),
        },
    );
    for (who, acceptable, realistic) in [(FAY, true, true), (PIET, true, true), (SANNE, true, false)] {
        s.run(who, Op::Strategy(StrategyOp::AgreeSmartGoal { id: revenue, acceptable, realistic }));
    }
    let followers = s.smart_goal(JORIS, Some(local), "Meer volgers op Instagram", SmartFields::default());

    s.persona(
        SANNE,
        PersonaFields {
            name: field("Student Sem"),
            age: Some(21),
            residence: field("Utrecht-Oost"),
            ..PersonaFields::default()
        },
    );
    let daphne = s.persona(
        SANNE,
        PersonaFields {
            name: field("Drukke Daphne"),
            age: Some(38),
            field_of_work: field("Projectleider in de zorg"),
            residence: field("Utrecht-Oost, rijtjeshuis"),
            hobbies: field("Hardlopen, koken met de kinderen"),
            pain_points: field("Geen tijd om 's ochtends vers brood te halen"),
            current_solutions: field("Brood uit de supermarkt, op zaterdag naar de markt"),
            triggers: field("Een verjaardag op het werk"),
            trigger_response: field("Bestelt iets lekkers online, als het vóór 8 uur bezorgd wordt"),
            desired_results: field("Elke ochtend vers brood zonder omweg"),
            channels: field("Instagram, WhatsApp, de schoolapp"),
            objections: field("Bezorgen is vast duur"),
        },
    );
    s.run(FAY, Op::Strategy(StrategyOp::SetPrimaryPersona { id: Some(daphne) }));

    let message = CoreMessage {
        usp: field("Elke ochtend vers desembrood, vóór 7 uur aan de deur"),
        life_improvement: field("Daphne begint de dag met vers brood zonder een minuut om te rijden."),
        answers: field("Geen tijd 's ochtends; vers brood zonder omweg"),
        competitors: vec![
            Competitor { name: field("Bakker Bart"), has_it: false, could_get_easily: true },
            Competitor { name: field("Albert Heijn"), has_it: false, could_get_easily: false },
        ],
        plan: vec![
            PlanLine {
                id: 1,
                channel: field("instagram"),
                form: field("social_post"),
                count: 2,
                per: PlanPeriod::Week,
                owner: Some(ParticipantId(JORIS)),
            },
            PlanLine {
                id: 2,
                channel: field("website"),
                form: field("blog"),
                count: 1,
                per: PlanPeriod::Month,
                owner: Some(ParticipantId(SANNE)),
            },
            PlanLine {
                id: 3,
                channel: field("email"),
                form: field("newsletter"),
                count: 1,
                per: PlanPeriod::Month,
                owner: None,
            },
        ],
        calendar_from: Some(date(2027, 1, 4)),
        calendar_to: Some(date(2027, 1, 31)),
    };
    s.run(SANNE, Op::Strategy(StrategyOp::SaveCoreMessage { message }));

    let video_idea = s.idea(JORIS, "Bakvideo op zaterdag", Some(video));
    s.idea(SANNE, "Klantcase: de bruiloftstaart van familie El Amrani", None);

    let film = s.action(
        JORIS,
        "Eerste bakvideo opnemen",
        Some(JORIS),
        Some(date(2027, 1, 15)),
        Some(7),
        Some(ActionSource::Idea(video_idea)),
        ActionStatus::Done,
    );
    let schedule = s.action(
        JORIS,
        "Contentkalender januari inplannen",
        Some(JORIS),
        Some(date(2027, 1, 8)),
        Some(5),
        None,
        ActionStatus::Doing,
    );
    let module = s.action(
        PIET,
        "Offertes bestelmodule opvragen",
        Some(PIET),
        Some(date(2027, 2, 1)),
        Some(3),
        Some(ActionSource::SmartGoal(revenue)),
        ActionStatus::Open,
    );
    let stores = s.action(
        SANNE,
        "Samenwerking met de schoolapp bespreken",
        Some(SANNE),
        Some(date(2027, 2, 15)),
        Some(4),
        None,
        ActionStatus::Open,
    );
    s.action(
        FAY,
        "Omzetcijfers 2026 opvragen bij de boekhouder",
        None,
        None,
        Some(3),
        Some(ActionSource::Notes(PartId(3))),
        ActionStatus::Open,
    );
    s.run(
        FAY,
        Op::Strategy(StrategyOp::SetResponsibilities {
            responsibilities: vec![
                (field("Content"), Some(ParticipantId(JORIS)), vec![film, schedule]),
                (field("Relatiebeheer"), Some(ParticipantId(SANNE)), vec![stores]),
                (field("Webshop"), Some(ParticipantId(PIET)), vec![module]),
            ],
        }),
    );

    for (day, value) in [(date(2027, 1, 15), 21_000.0), (date(2027, 3, 1), 22_500.0)] {
        s.run(PIET, Op::Strategy(StrategyOp::RecordMeasurement { goal: revenue, date: day, value }));
    }
    s.run(
        JORIS,
        Op::Strategy(StrategyOp::RecordMeasurement { goal: followers, date: date(2027, 3, 1), value: 1_250.0 }),
    );
    s.state
}

/// Texts that would do harm if a format took them as its own syntax.
pub mod hostile {
    pub const SCRIPT: &str = "<script>alert(1)</script>";
    pub const IMG: &str = "<img src=x onerror=alert(1)>";
    pub const FORMULA: &str = "=SUM(A1)";
    pub const PLUS: &str = "+1";
    pub const MINUS: &str = "-1";
    pub const AT: &str = "@cmd";
    pub const PATH: &str = "../../etc/passwd";
    pub const SEPARATORS: &str = "a;b, c; d,e";
    pub const RLO: &str = "\u{202E}gnp.exe";
    pub const MARKDOWN: &str = "# kop";
    pub const QUOTE: &str = "> citaat";
    pub const LIST: &str = "- lijst";
    pub const TABLE: &str = "| a | b |";
    pub const LINK: &str = "[klik](javascript:alert(1))";
    pub const EMOJI: &str = "Croissant 🥐🎉 met 👩‍🍳";

    /// Every line of a multi-line hostile text: line breaks of all kinds, then each
    /// hostile text at the start of its own line.
    pub fn multiline() -> String {
        let mut text = String::from("eerste regel\r\ntweede regel\n");
        for line in [SCRIPT, IMG, FORMULA, PLUS, MINUS, AT, PATH, SEPARATORS, RLO, MARKDOWN, QUOTE, LIST, TABLE, LINK] {
            text.push_str(line);
            text.push('\n');
        }
        text.push_str("\"aanhalingstekens\" en \\backslash\\ en\ttab");
        text
    }

    /// A line far longer than 75 octets, with multi-byte characters throughout.
    pub fn long() -> String {
        format!("{} {}", "Ééñ lange regel vol tekens; met, scheiders ".repeat(30), EMOJI)
    }
}

/// The same kind of session, but every text a participant can type is hostile.
pub fn hostile() -> SessionState {
    use hostile::*;
    let mut s = Session::new(
        &format!("{SCRIPT} {RLO} {SEPARATORS}"),
        &format!("{FORMULA} {IMG}"),
        Some("https://meet.example/room,1;x?a=1&b='2'"),
        1,
    );
    // Display names are titles: one line, at most 60 characters.
    s.join(FORMULA, true);
    s.join(SCRIPT, false);
    s.join(&format!("{RLO} Mallory"), false);
    s.join(PLUS, false);
    s.run(1, Op::AssignRole { role: Role::NoteTaker, participant: Some(ParticipantId(3)) });
    s.run(
        1,
        Op::AddPart {
            title: Title::parse("title", &format!("{IMG} {MARKDOWN}")).expect("a valid title"),
            minutes: Timebox::new(20).expect("a timebox"),
            priority: Priority::Could,
            workspace: WorkspaceKind::Board,
            index: Some(1),
        },
    );
    s.at_minute(0).run(1, Op::StartTimer { part: Some(PartId(1)), seconds: None });
    s.at_minute(25).run(1, Op::PauseTimer);

    let multiline = multiline();
    s.notes(1, 1, &multiline);
    let mut stickies = Vec::new();
    for (index, text) in [SCRIPT, IMG, FORMULA, MINUS, AT, RLO, MARKDOWN, QUOTE, LIST, TABLE, LINK, EMOJI, &multiline]
        .into_iter()
        .enumerate()
    {
        let text: String = text.chars().take(500).collect();
        stickies.push(s.sticky(2, 7, &text, Colour::ALL[index % Colour::ALL.len()]));
    }
    s.run(1, Op::GroupStickies { stickies: stickies[..3].to_vec(), label: sticky_text(LINK) });

    let goal = s.end_goal(2, &multiline, Some(Horizon::WithinMonths { months: 6 }));
    let smart = s.smart_goal(
        2,
        Some(goal),
        &format!("{FORMULA} {SCRIPT}\n{MARKDOWN}"),
        SmartFields {
            metric: field(IMG),
            baseline: Some(-1.0),
            target: Some(1e9),
            deadline: Some(date(2027, 6, 30)),
            owner: field(AT),
            means: field(&long()),
            reason: field(&multiline),
        },
    );
    s.run(2, Op::Strategy(StrategyOp::RecordMeasurement { goal: smart, date: date(2027, 1, 1), value: 5.0 }));
    let persona = s.persona(
        2,
        PersonaFields {
            name: field(&format!("{MINUS} {RLO}")),
            age: Some(40),
            field_of_work: field(SCRIPT),
            residence: field(PATH),
            hobbies: field(&multiline),
            pain_points: field(TABLE),
            current_solutions: field(QUOTE),
            triggers: field(LIST),
            trigger_response: field(LINK),
            desired_results: field(EMOJI),
            channels: field(SEPARATORS),
            objections: field(&long()),
        },
    );
    s.run(1, Op::Strategy(StrategyOp::SetPrimaryPersona { id: Some(persona) }));
    let message = CoreMessage {
        usp: field(&multiline),
        life_improvement: field(&long()),
        answers: field(IMG),
        competitors: vec![Competitor { name: field(SCRIPT), has_it: true, could_get_easily: false }],
        plan: vec![
            PlanLine {
                id: 1,
                channel: field(FORMULA),
                form: field(&format!("{IMG}\n{RLO}")),
                count: 3,
                per: PlanPeriod::Week,
                owner: Some(ParticipantId(2)),
            },
            PlanLine {
                id: 2,
                channel: field(AT),
                form: field(SEPARATORS),
                count: 1,
                per: PlanPeriod::Month,
                owner: Some(ParticipantId(1)),
            },
        ],
        calendar_from: Some(date(2027, 1, 1)),
        calendar_to: Some(date(2027, 1, 14)),
    };
    s.run(2, Op::Strategy(StrategyOp::SaveCoreMessage { message }));
    let idea = s.idea(2, &multiline, Some(stickies[0]));
    let titles = [FORMULA, PLUS, MINUS, AT, SCRIPT, IMG, RLO, PATH, SEPARATORS, &multiline, &long()];
    let mut actions = Vec::new();
    for (index, title) in titles.into_iter().enumerate() {
        let owner = Some(1 + index as u64 % 4);
        let source = match index % 3 {
            0 => Some(ActionSource::Idea(idea)),
            1 => Some(ActionSource::Sticky(stickies[index % stickies.len()])),
            _ => Some(ActionSource::SmartGoal(smart)),
        };
        actions.push(s.action(
            2,
            title,
            owner,
            Some(date(2027, 1, 1 + index as u32)),
            Some(7),
            source,
            ActionStatus::Open,
        ));
    }
    s.run(
        1,
        Op::Strategy(StrategyOp::SetResponsibilities {
            responsibilities: vec![
                (field(FORMULA), Some(ParticipantId(2)), actions[..4].to_vec()),
                (field(&format!("{SCRIPT}\n{RLO}")), Some(ParticipantId(3)), actions[4..].to_vec()),
            ],
        }),
    );
    s.state
}

/// Compares `actual` with the golden file `name`, or writes it when `UPDATE_GOLDEN=1`.
pub fn check_golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|value| value == "1") {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("the golden folder");
        std::fs::write(&path, actual).expect("the golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}; run with UPDATE_GOLDEN=1 to write it", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the golden file at line {}:\n  golden: {:?}\n  actual: {:?}\nrun with UPDATE_GOLDEN=1 to accept",
            name,
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line),
        );
    }
}
