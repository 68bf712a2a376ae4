//! A complete sample session to learn from: a Dutch bakery's strategy day (in English, a
//! bike shop's), with every part filled — roles, timings, stickies, notes, end goals,
//! SMART goals with their checks, two personas, a core message and content plan, actions
//! bundled into responsibilities, and a few weeks of measurements. Built from ops through
//! the domain, like any session, so it is exactly what a real day leaves behind.

use chrono::{Duration, NaiveDate, Utc};
use heisessie_domain::Lang;
use heisessie_domain::board::{Colour, NoteText, StickyId, StickyText};
use heisessie_domain::catalog;
use heisessie_domain::planner::{PartId, PlannerSettings};
use heisessie_domain::responsibility::{self, ActionRef};
use heisessie_domain::session::{Actor, Op, ParticipantId, Role, SessionDetails, SessionState, StrategyOp};
use heisessie_domain::strategy::{
    ActionSource, ActionStatus, Competitor, CoreMessage, FieldText, Horizon, ItemId, PersonaFields, PlanLine,
    PlanPeriod, SmartFields,
};
use heisessie_domain::text::{DisplayName, MeetingLink, Organisation, Title};

use crate::AppState;
use crate::api::Creation;
use crate::error::ApiError;

fn text(value: &str) -> Result<FieldText, ApiError> {
    Ok(FieldText::parse("text", value)?)
}

fn sticky(value: &str) -> Result<StickyText, ApiError> {
    Ok(StickyText::parse("text", value)?)
}

/// The words of the demo, per language.
struct Script {
    title: &'static str,
    organisation: &'static str,
    people: [&'static str; 4],
    stickies: [(&'static str, u32); 6],
    notes: [(&'static str, u32); 2],
    end_goals: [&'static str; 2],
    smart: [(&'static str, &'static str, f64, f64, &'static str); 2],
    personas: [[&'static str; 11]; 2],
    usp: &'static str,
    improvement: &'static str,
    answers: &'static str,
    competitors: [(&'static str, bool, bool); 2],
    plan: [(&'static str, &'static str, u32, PlanPeriod); 3],
    ideas: [&'static str; 2],
    actions: [(&'static str, usize, i64); 5],
}

const DUTCH: Script = Script {
    title: "Strategiedag Bakkerij Jansen",
    organisation: "Bakkerij Jansen",
    people: ["Fay de Vries", "Piet Jansen", "Anna Bakker", "Sanne Visser"],
    stickies: [
        ("Vaste klanten houden", 2),
        ("Nummer 1 bakkerij van Utrecht", 2),
        ("Meer zakelijke lunches", 2),
        ("Instagram: bakvideo's op zaterdag", 5),
        ("Nieuwsbrief met het brood van de week", 5),
        ("Bezorgen voor 8 uur", 5),
    ],
    notes: [
        ("Einddoel 1 kreeg de meeste steun. Binnen drie jaar de nummer 1 van Utrecht.", 2),
        ("De USP is de bezorging voor 8 uur; Bakker Bart kan dat niet snel nadoen.", 5),
    ],
    end_goals: ["Nummer 1 bakkerij van Utrecht", "Hoge klantloyaliteit: vaste klanten komen elke week terug"],
    smart: [
        (
            "Voor het eind van dit jaar haalt ons bedrijf minimaal 10% meer omzet dan vorig jaar, door het €1000,- marketing overschot van vorig jaar te investeren in maandelijkse social media marketing.",
            "omzet (x €1.000)",
            250.0,
            275.0,
            "Piet Jansen",
        ),
        (
            "De bakkerij laat het aantal nieuwsbriefabonnees binnen zes maanden groeien van 400 naar 1.000, door bij elke bestelling een inschrijfkaartje mee te geven.",
            "nieuwsbriefabonnees",
            400.0,
            1000.0,
            "Anna Bakker",
        ),
    ],
    personas: [
        [
            "Sanne",
            "Projectleider bij een ingenieursbureau",
            "Utrecht (Lombok)",
            "Hardlopen, koken",
            "Geen tijd om langs de bakker te gaan voor haar werk",
            "Supermarktbrood op zaterdag",
            "Weer een ochtend zonder vers brood",
            "Zoekt op Instagram naar bezorging in de buurt",
            "Elke ochtend vers brood zonder omweg",
            "Instagram, nieuwsbrief",
            "Is het niet te duur?",
        ],
        [
            "Henk",
            "Eigenaar van een kantoor met 25 mensen",
            "Houten",
            "Wielrennen",
            "Lunch regelen kost elke week tijd",
            "Broodjes van de cateraar",
            "Klachten van collega's over de lunch",
            "Vraagt een offerte aan bij een lokale bakker",
            "Een vaste, verse lunch zonder gedoe",
            "LinkedIn, e-mail",
            "Kan een bakker 25 lunches op tijd leveren?",
        ],
    ],
    usp: "Elke ochtend vers desembrood, bezorgd voor 8 uur",
    improvement: "Sanne begint de dag met vers brood, zonder omweg en zonder stress",
    answers: "Geen tijd om langs de bakker te gaan → bezorging voor 8 uur; gewenst: vers brood zonder omweg",
    competitors: [("Bakker Bart", false, false), ("De supermarkt", false, false)],
    plan: [
        ("Instagram", "video", 2, PlanPeriod::Week),
        ("Website", "blog", 1, PlanPeriod::Month),
        ("E-mail", "nieuwsbrief", 2, PlanPeriod::Month),
    ],
    ideas: ["Bakvideo op zaterdag", "Het brood van de week in de nieuwsbrief"],
    actions: [
        ("Instagram-video van het desembrood maken", 1, 14),
        ("Blog over de bezorging voor 8 uur schrijven", 2, 21),
        ("Offerte zakelijke lunch voor kantoren opstellen", 1, 10),
        ("Facturen van de zakelijke klanten versturen", 3, 30),
        ("Budget social media per maand vastleggen", 3, 7),
    ],
};

const ENGLISH: Script = Script {
    title: "Strategy day Jansen Bikes",
    organisation: "Jansen Bikes",
    people: ["Fay Miller", "Peter Jansen", "Anna Baker", "Sam Fisher"],
    stickies: [
        ("Keep our regulars", 2),
        ("The e-bike shop of the region", 2),
        ("More service contracts", 2),
        ("Instagram: repair tips on Saturday", 5),
        ("Newsletter with the ride of the month", 5),
        ("Same-day repairs", 5),
    ],
    notes: [
        ("End goal 1 got the most support: the e-bike shop of the region within three years.", 2),
        ("The USP is the same-day repair; the chain store cannot copy it quickly.", 5),
    ],
    end_goals: ["The e-bike shop of the region", "High customer loyalty: riders come back for every service"],
    smart: [
        (
            "By the end of the year our bike shop sells at least 10% more e-bikes than last year, by investing last year's €1,000 marketing surplus in monthly social media marketing.",
            "e-bikes sold",
            200.0,
            220.0,
            "Peter Jansen",
        ),
        (
            "The shop grows its newsletter subscribers from 400 to 1,000 within six months by adding a sign-up card to every repair.",
            "newsletter subscribers",
            400.0,
            1000.0,
            "Anna Baker",
        ),
    ],
    personas: [
        [
            "Sam",
            "Nurse",
            "Utrecht",
            "Cycling tours, baking",
            "Her bike breaks down on the way to an early shift",
            "Takes the bus when the bike is broken",
            "A flat tyre before a night shift",
            "Searches for a repair shop open early",
            "A bike that never lets her down",
            "Instagram, WhatsApp",
            "Is a service plan worth it?",
        ],
        [
            "Henk",
            "Retired teacher",
            "Houten",
            "Long e-bike rides",
            "Afraid of a flat battery far from home",
            "Plans short routes only",
            "A ride cut short",
            "Asks his neighbours which shop they trust",
            "Worry-free long rides",
            "Newsletter, Facebook",
            "Can I afford a new e-bike?",
        ],
    ],
    usp: "Same-day repairs, with a loan bike while you wait",
    improvement: "Sam never misses a shift because of her bike",
    answers: "Breaks down before a shift → same-day repair and a loan bike; wanted: a bike that never lets her down",
    competitors: [("The chain store", false, true), ("Online shops", false, false)],
    plan: [
        ("Instagram", "video", 2, PlanPeriod::Week),
        ("Website", "blog", 1, PlanPeriod::Month),
        ("E-mail", "newsletter", 2, PlanPeriod::Month),
    ],
    ideas: ["Repair tip video on Saturday", "The ride of the month in the newsletter"],
    actions: [
        ("Make an Instagram video about the loan bikes", 1, 14),
        ("Write a blog about same-day repairs", 2, 21),
        ("Call every rider whose service is due", 1, 10),
        ("Send the invoices of the business customers", 3, 30),
        ("Set the monthly social media budget", 3, 7),
    ],
};

/// Creates the demo session in `lang`, as if its day was four weeks ago.
pub async fn create_demo(app: &AppState, lang: Lang) -> Result<Creation, ApiError> {
    let script = match lang {
        Lang::Nl => &DUTCH,
        Lang::En => &ENGLISH,
    };
    let today = Utc::now().date_naive();
    let day = today - Duration::days(28);
    let start = day.and_hms_opt(9, 0, 0).ok_or_else(|| ApiError::Internal("no 09:00".into()))?;
    let settings = PlannerSettings::with_defaults(start, chrono_tz::Europe::Amsterdam, 1)?;
    let model = catalog::builtin_model("heidag").ok_or(ApiError::UnknownModel)?;
    let details = SessionDetails {
        title: Title::parse("title", script.title)?,
        organisation: Organisation::parse("organisation", script.organisation)?,
        language: lang,
        meeting_link: Some(MeetingLink::parse("meeting_link", "https://meet.jit.si/heisessie-demo")?),
    };
    let state = SessionState::new(details, &model, settings);
    let nine = start.and_utc().timestamp_millis() - 3_600_000;
    let minute = 60_000;
    let facilitator = Actor::Participant(ParticipantId(1));
    let person = |n: u64| Actor::Participant(ParticipantId(n));
    let mut steps: Vec<(i64, Actor, Op)> = Vec::new();
    let mut at = |offset_minutes: i64, actor: Actor, op: Op| steps.push((nine + offset_minutes * minute, actor, op));

    for (index, name) in script.people.iter().enumerate() {
        let display_name = DisplayName::parse("display_name", name)?;
        at(0, Actor::Newcomer { facilitator: index == 0 }, Op::Join { display_name });
    }
    for (role, who) in
        [(Role::ProcessFacilitator, 1), (Role::Timekeeper, 2), (Role::NoteTaker, 3), (Role::Presenter(PartId(5)), 4)]
    {
        at(1, facilitator, Op::AssignRole { role, participant: Some(ParticipantId(who)) });
    }
    // The day itself: every part timed, two of them over time.
    let timings = [(1, 0, 15), (2, 15, 45), (3, 60, 55), (4, 130, 60), (5, 190, 70), (6, 260, 45)];
    for (part, begin, _) in timings {
        at(begin, person(2), Op::StartTimer { part: Some(PartId(part)), seconds: None });
        at(begin, facilitator, Op::GoToPart { part: PartId(part) });
    }
    at(305, person(2), Op::ResetTimer);
    for (index, (words, part)) in script.stickies.iter().enumerate() {
        let colour = Colour::ALL[index % Colour::ALL.len()];
        let op = Op::CreateSticky {
            part: PartId(*part),
            text: sticky(words)?,
            x: 20 + (index as i32 % 3) * 190,
            y: 20,
            colour,
        };
        at(20 + index as i64, person(2 + index as u64 % 3), op);
    }
    for (words, part) in script.notes {
        let text = NoteText::parse("text", words)?;
        at(50, person(3), Op::SetNotes { part: PartId(part), text });
    }
    for (index, goal) in script.end_goals.iter().enumerate() {
        let horizon = if index == 0 { Horizon::WithinYears { years: 3 } } else { Horizon::WithinYears { years: 1 } };
        at(
            30,
            person(2),
            Op::Strategy(StrategyOp::SaveEndGoal { id: None, text: text(goal)?, horizon: Some(horizon) }),
        );
    }
    // Items get ids in the order they are made: end goals 1 and 2.
    for who in 1..=4 {
        at(40, person(who), Op::Strategy(StrategyOp::SupportEndGoal { id: ItemId(1), support: true }));
    }
    let year_end =
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&day), 12, 31).filter(|end| *end > day + Duration::days(60));
    let deadlines = [year_end.unwrap_or(day + Duration::days(300)), day + Duration::days(182)];
    for (index, (goal, metric, baseline, target, owner)) in script.smart.iter().enumerate() {
        let fields = SmartFields {
            metric: text(metric)?,
            baseline: Some(*baseline),
            target: Some(*target),
            deadline: Some(deadlines[index]),
            owner: text(owner)?,
            means: FieldText::default(),
            reason: FieldText::default(),
        };
        at(
            70,
            person(2),
            Op::Strategy(StrategyOp::SaveSmartGoal {
                id: None,
                end_goal: Some(ItemId(1 + index as u64)),
                text: text(goal)?,
                fields,
            }),
        );
    }
    for who in 1..=4 {
        at(
            100,
            person(who),
            Op::Strategy(StrategyOp::AgreeSmartGoal { id: ItemId(3), acceptable: true, realistic: true }),
        );
        at(
            100,
            person(who),
            Op::Strategy(StrategyOp::AgreeSmartGoal { id: ItemId(4), acceptable: true, realistic: who != 4 }),
        );
    }
    for persona in script.personas {
        let fields = PersonaFields {
            name: text(persona[0])?,
            age: Some(if persona[0].starts_with('H') { 58 } else { 34 }),
            field_of_work: text(persona[1])?,
            residence: text(persona[2])?,
            hobbies: text(persona[3])?,
            pain_points: text(persona[4])?,
            current_solutions: text(persona[5])?,
            triggers: text(persona[6])?,
            trigger_response: text(persona[7])?,
            desired_results: text(persona[8])?,
            channels: text(persona[9])?,
            objections: text(persona[10])?,
        };
        at(150, person(4), Op::Strategy(StrategyOp::SavePersona { id: None, fields }));
    }
    at(185, facilitator, Op::Strategy(StrategyOp::SetPrimaryPersona { id: Some(ItemId(5)) }));
    let message = CoreMessage {
        usp: text(script.usp)?,
        life_improvement: text(script.improvement)?,
        answers: text(script.answers)?,
        competitors: script
            .competitors
            .iter()
            .map(|(name, has_it, could)| {
                Ok(Competitor { name: text(name)?, has_it: *has_it, could_get_easily: *could })
            })
            .collect::<Result<Vec<_>, ApiError>>()?,
        plan: script
            .plan
            .iter()
            .zip(1..)
            .map(|((channel, form, count, per), id)| {
                Ok(PlanLine {
                    id,
                    channel: text(channel)?,
                    form: text(form)?,
                    count: *count,
                    per: *per,
                    owner: Some(ParticipantId(2 + id as u64 % 2)),
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?,
        calendar_from: Some(day + Duration::days(1)),
        calendar_to: Some(day + Duration::days(91)),
    };
    at(230, person(4), Op::Strategy(StrategyOp::SaveCoreMessage { message }));
    for (index, idea) in script.ideas.iter().enumerate() {
        at(
            240,
            person(2),
            Op::Strategy(StrategyOp::AddIdea { text: text(idea)?, from_sticky: Some(StickyId(4 + index as u64)) }),
        );
    }
    // Actions: ids 9..=13 after two end goals, two SMART goals, two personas and two ideas.
    for (index, (title, owner, days)) in script.actions.iter().enumerate() {
        let source = if index == 0 { Some(ActionSource::Idea(ItemId(7))) } else { None };
        let status = if index == 4 { ActionStatus::Done } else { ActionStatus::Open };
        at(
            280,
            person(2),
            Op::Strategy(StrategyOp::SaveAction {
                id: None,
                title: text(title)?,
                owner: Some(ParticipantId(1 + *owner as u64)),
                deadline: Some(day + Duration::days(*days)),
                part: Some(PartId(6)),
                source,
                status,
            }),
        );
    }
    let refs: Vec<ActionRef> = script
        .actions
        .iter()
        .zip(9..)
        .map(|((title, owner, _), id)| ActionRef { id, title: (*title).to_owned(), owner: Some(1 + *owner as u64) })
        .collect();
    let bundles = responsibility::suggest_bundles(&refs)
        .into_iter()
        .map(|bundle| {
            Ok((
                text(bundle.theme.name(lang))?,
                bundle.owner.map(ParticipantId),
                bundle.actions.into_iter().map(ItemId).collect(),
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    at(300, facilitator, Op::Strategy(StrategyOp::SetResponsibilities { responsibilities: bundles }));
    // Four weeks of measurements after the day: the first goal on its way, the second behind.
    for week in 1..=4 {
        let date = day + Duration::days(7 * week);
        // Slightly ahead of the straight line from baseline to target.
        let (_, _, baseline, target, _) = script.smart[0];
        let span = (deadlines[0] - day).num_days().max(1) as f64;
        let first = baseline + (target - baseline) * (7.0 * week as f64) / span * 1.15;
        let second = script.smart[1].2 + 20.0 * week as f64;
        at(
            300,
            person(2),
            Op::Strategy(StrategyOp::RecordMeasurement { goal: ItemId(3), date, value: (first * 10.0).round() / 10.0 }),
        );
        at(300, person(3), Op::Strategy(StrategyOp::RecordMeasurement { goal: ItemId(4), date, value: second }));
    }
    app.store_new_session(state, steps).await
}

/// A follow-up session (SOSTAC's Control step), as the domain makes it from `previous`:
/// the goals and their measurements come along, the program is short.
pub async fn create_follow_up(
    app: &AppState,
    previous: &SessionState,
    start: chrono::NaiveDateTime,
    facilitator: ParticipantId,
) -> Result<Creation, ApiError> {
    let follow_up = previous.follow_up(start, facilitator)?;
    let now = Utc::now().timestamp_millis();
    let steps = follow_up.ops.into_iter().map(|(actor, op)| (now, actor, op)).collect();
    app.store_new_session(follow_up.state, steps).await
}
