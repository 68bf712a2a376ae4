//! The built-in models, kept as plain data so that a reviewer who reads Dutch can check
//! every text in one place, and so that the same validation that guards model files
//! guards them too (see the tests).

use crate::language::Localized;
use crate::model::{Model, ModelPart, Priority, WorkspaceKind};
use crate::timebox::Timebox;

/// The ids of the built-in models, in the order the catalog lists them.
pub const BUILTIN_IDS: [&str; 3] = ["heidag", "sostac", "blank"];

/// A text as (Dutch, English); a tuple keeps the tables below short enough to read.
type Text = (&'static str, &'static str);

/// One part of a built-in model, written as a constant so the catalog stays data.
struct PartSpec {
    key: &'static str,
    workspace: WorkspaceKind,
    minutes: Timebox,
    priority: Priority,
    title: Text,
    explanation: Text,
    questions: &'static [Text],
}

/// The seed's own program, in its order; 270 minutes of work that, with two coffee
/// breaks, fill the seed's day of at most 5 hours.
const HEIDAG_PARTS: [PartSpec; 6] = [
    PartSpec {
        key: "models",
        workspace: WorkspaceKind::Notes,
        minutes: timebox(15),
        priority: Priority::Must,
        title: ("Modellen", "Models"),
        explanation: (
            "De eerste slides tonen de modellen waarop de onderdelen van vandaag gebaseerd zijn, \
             zoals SOSTAC® en het E-tail aanvalsplan: de kapstok van je heisessie. Spreek ook de \
             spelregels af: hoeveel tijd je hebt en wie welke rol heeft. Loop je later vast of \
             heb je meer inspiratie nodig? Kijk dan opnieuw naar deze slide.",
            "The first slides show the models today's parts are based on, such as SOSTAC® and the \
             E-tail aanvalsplan: the backbone of your session. Agree on the rules of the day too: \
             how much time you have and who plays which role. Stuck later on, or in need of more \
             inspiration? Come back to this slide.",
        ),
        questions: &[
            (
                "Welk model is vandaag onze kapstok, en welke onderdelen nemen we daaruit mee?",
                "Which model is our backbone today, and which of its parts do we use?",
            ),
            (
                "Hoeveel tijd krijgt elk onderdeel, en hoe laat zijn we klaar?",
                "How much time does each part get, and what time do we finish?",
            ),
            (
                "Wie begeleidt het proces, wie houdt de tijd in de gaten en wie maakt notities?",
                "Who guides the process, who keeps an eye on the time and who takes notes?",
            ),
            ("Wie presenteert welk onderdeel?", "Who presents which part?"),
        ],
    },
    PartSpec {
        key: "end_goals",
        workspace: WorkspaceKind::EndGoals,
        minutes: timebox(40),
        priority: Priority::Must,
        title: ("Einddoelen", "End goals"),
        explanation: (
            "Bepaal welke einddoelen jullie als merk willen bereiken. Denk aan een hoge \
             klantloyaliteit, de nummer 1 worden in je branche of een hoge omzet draaien. Wees \
             niet bescheiden en denk groot, maar zet achter elk doel binnen hoeveel tijd je het \
             realistisch gezien wilt bereiken.",
            "Decide which end goals you want to reach as a brand. Think of high customer \
             loyalty, becoming number one in your industry, or strong revenue. Don't be modest, \
             think big, but put next to each goal how long you realistically need to reach it.",
        ),
        questions: &[
            ("Waar staat ons merk als alles meezit?", "Where does our brand stand if everything goes our way?"),
            (
                "Wat is succes voor ons: loyale klanten, de nummer 1 in de branche, een hoge omzet, \
                 of iets anders?",
                "What does success mean to us: loyal customers, number one in our industry, high \
                 revenue, or something else?",
            ),
            ("Binnen hoeveel tijd willen we elk doel bereiken?", "Within how much time do we want to reach each goal?"),
            ("Welk einddoel gaat voor als we moeten kiezen?", "Which end goal comes first if we have to choose?"),
        ],
    },
    PartSpec {
        key: "smart_goals",
        workspace: WorkspaceKind::SmartGoals,
        minutes: timebox(50),
        priority: Priority::Must,
        title: ("SMART-doelen", "SMART goals"),
        explanation: (
            "Maak van elk einddoel een SMART-doel: Specifiek, Meetbaar, Acceptabel, Realistisch \
             en Tijdgebonden. Zo weet je precies wanneer je het doel gehaald hebt, maak je een \
             gerichter plan en zie je onderweg of je nog op koers ligt. Een goed voorbeeld: ‘Voor \
             het eind van dit jaar haalt ons bedrijf minimaal 10% meer omzet dan vorig jaar, door \
             het €1000,- marketingoverschot van vorig jaar te investeren in maandelijkse social \
             media marketing.’",
            "Turn each end goal into a SMART goal: Specific, Measurable, Acceptable, Realistic \
             and Time-bound. Then you know exactly when you have reached it, you can make a \
             sharper plan, and you see along the way whether you are still on track. A good \
             example: ‘By the end of this year our company makes at least 10% more revenue than \
             last year, by investing last year's €1,000 marketing surplus in monthly social media \
             marketing.’",
        ),
        questions: &[
            (
                "Specifiek: wat gaat er precies gebeuren, en door wie?",
                "Specific: what exactly will happen, and who will do it?",
            ),
            (
                "Meetbaar: aan welk getal zien we dat het doel gehaald is, en waar staan we nu?",
                "Measurable: which number tells us we reached the goal, and where are we now?",
            ),
            (
                "Acceptabel: waarom is dit doel logisch, en staat het team erachter?",
                "Acceptable: why is this goal a logical step, and does the team back it?",
            ),
            (
                "Realistisch: halen we het met de mensen, de tijd en het budget die we hebben?",
                "Realistic: can we make it with the people, time and budget we have?",
            ),
            ("Tijdgebonden: wanneer moet het doel behaald zijn?", "Time-bound: by when must the goal be reached?"),
        ],
    },
    PartSpec {
        key: "personas",
        workspace: WorkspaceKind::Personas,
        minutes: timebox(60),
        priority: Priority::Should,
        title: ("Doelgroep: persona's", "Target audience: personas"),
        explanation: (
            "Voordat je je kernboodschap bepaalt, moet je weten aan wie je die vertelt. Een \
             persona is één klant met een naam en een verhaal: zo kijk je echt door de ogen van \
             je klant, zie je pijnpunten en wensen scherper en kies je makkelijker je \
             hoofddoelgroep. Maak je persona zo echt en persoonlijk mogelijk.",
            "Before you settle your core message, you need to know who you are telling it to. A \
             persona is one customer with a name and a story: you look through your customer's \
             eyes, see pain points and wishes more sharply, and find it easier to choose your \
             primary audience. Make your persona as real and personal as you can.",
        ),
        questions: &[
            (
                "Wie is onze persona? Geef een naam, leeftijd, werkveld, woonplaats en hobby's.",
                "Who is our persona? Give a name, age, field of work, place of residence and \
                 hobbies.",
            ),
            (
                "Wat zijn de pijnpunten: waar loopt deze persona nu tegenaan? En wat zijn de \
                 huidige oplossingen?",
                "What are the pain points: what does this persona run into today? And what are \
                 the current solutions?",
            ),
            (
                "Welke triggers maken dat het probleem niet meer te doen is, en wat doet de \
                 persona dan?",
                "Which triggers make the problem too much to handle, and what does the persona \
                 do then?",
            ),
            (
                "Wat zijn de gewenste resultaten: wat verwacht de persona van ons, en wat wil die \
                 bereiken?",
                "What are the desired results: what does the persona expect from us, and what do \
                 they want to achieve?",
            ),
            ("Welke persona is onze hoofddoelgroep?", "Which persona is our primary audience?"),
        ],
    },
    PartSpec {
        key: "core_message",
        workspace: WorkspaceKind::CoreMessage,
        minutes: timebox(60),
        priority: Priority::Should,
        title: ("Kernboodschap", "Core message"),
        explanation: (
            "Jouw merk is uniek; met de juiste kernboodschap ziet je doelgroep dat ook. Laat je \
             USP zien: wat jij hebt dat concurrenten niet hebben en niet makkelijk kunnen krijgen, \
             en hoe dat het leven van je klant beter maakt. Kies daarna de vorm, de kanalen en \
             hoe vaak je publiceert, en houd prioriteiten en de tijd in de gaten.",
            "Your brand is unique; the right core message lets your audience see it too. Show \
             your USP: what you have that competitors lack and cannot easily get, and how it \
             makes your customer's life better. Then choose the form, the channels and how often \
             you publish, and keep an eye on priorities and the time.",
        ),
        questions: &[
            (
                "Wat is onze USP: wat hebben wij dat concurrenten niet hebben en ook niet makkelijk \
                 kunnen krijgen?",
                "What is our USP: what do we have that competitors lack and cannot easily get?",
            ),
            ("Hoe maakt dat het leven van onze persona beter?", "How does it make our persona's life better?"),
            (
                "In welke vorm brengen we de boodschap: video's, blogs, een magazine, tv?",
                "In which form do we bring the message: videos, blogs, a magazine, TV?",
            ),
            (
                "Waar plaatsen we hem (Instagram, Pinterest?) en hoe vaak: 1 blog per maand of 2 \
                 per week?",
                "Where do we publish it (Instagram, Pinterest?) and how often: 1 blog a month or \
                 2 a week?",
            ),
            ("Welke contentideeën hebben we al?", "Which content ideas do we already have?"),
        ],
    },
    PartSpec {
        key: "actions",
        workspace: WorkspaceKind::Actions,
        minutes: timebox(45),
        priority: Priority::Must,
        title: ("Actiepunten", "Action points"),
        explanation: (
            "Ga alle slides nog eens langs en haal eruit wat er gedaan moet worden: wie doet wat, \
             en wanneer? Bundel taken die bij elkaar horen tot één verantwoordelijkheid voor één \
             persoon, bijvoorbeeld content, relatiebeheer of administratie.",
            "Go over all the slides again and pull out what needs to be done: who does what, and \
             by when? Bundle related tasks into one responsibility for one person, for example \
             content, relationship management or administration.",
        ),
        questions: &[
            ("Wat moet er gebeuren na elke slide van vandaag?", "What needs to happen after each of today's slides?"),
            ("Wie doet wat, en wanneer is het af?", "Who does what, and by when?"),
            (
                "Welke taken horen bij elkaar? Denk aan content (online en offline), relatiebeheer \
                 (klantenservice en sales) en administratie (financiën en gegevensverwerking).",
                "Which tasks belong together? Think of content (online and offline), relationship \
                 management (customer service and sales) and administration (finance and data \
                 processing).",
            ),
            ("Wie wordt verantwoordelijk voor welke bundel?", "Who becomes responsible for which bundle?"),
            (
                "Wanneer kijken we samen of we nog op koers liggen?",
                "When do we check together whether we are still on track?",
            ),
        ],
    },
];

/// SOSTAC® in PR Smith's order; the texts are our own words for each step's question.
const SOSTAC_PARTS: [PartSpec; 6] = [
    PartSpec {
        key: "situation",
        workspace: WorkspaceKind::Board,
        minutes: timebox(45),
        priority: Priority::Must,
        title: ("Situatie", "Situation"),
        explanation: (
            "Waar staan we nu? Breng je resultaten, je klanten, je concurrenten en je markt in \
             kaart, met cijfers waar het kan.",
            "Where are we now? Map your results, your customers, your competitors and your \
             market, with numbers where you can.",
        ),
        questions: &[
            (
                "Hoe doen we het nu online: bezoekers, conversie, omzet, volgers?",
                "How are we doing online today: visitors, conversion, revenue, followers?",
            ),
            (
                "Wie zijn onze klanten, en wat vinden ze van ons?",
                "Who are our customers, and what do they think of us?",
            ),
            (
                "Wat doen onze concurrenten beter, en wat slechter?",
                "What do our competitors do better, and what worse?",
            ),
            (
                "Wat zijn onze sterke en zwakke punten, en welke kansen en bedreigingen zien we?",
                "What are our strengths and weaknesses, and which opportunities and threats do we \
                 see?",
            ),
        ],
    },
    PartSpec {
        key: "objectives",
        workspace: WorkspaceKind::SmartGoals,
        minutes: timebox(45),
        priority: Priority::Must,
        title: ("Doelstellingen", "Objectives"),
        explanation: (
            "Waar willen we naartoe? Maak je doelen SMART, zodat je precies weet wanneer je ze \
             gehaald hebt.",
            "Where do we want to be? Make your objectives SMART, so you know exactly when you \
             have reached them.",
        ),
        questions: &[
            ("Wat willen we over een jaar bereikt hebben?", "What do we want to have achieved a year from now?"),
            (
                "Aan welke cijfers meten we dat, en waar staan we nu?",
                "Which numbers do we measure it by, and where are we now?",
            ),
            (
                "Zijn de doelen specifiek, meetbaar, acceptabel, realistisch en tijdgebonden?",
                "Are the objectives specific, measurable, acceptable, realistic and time-bound?",
            ),
        ],
    },
    PartSpec {
        key: "strategy",
        workspace: WorkspaceKind::Board,
        minutes: timebox(45),
        priority: Priority::Must,
        title: ("Strategie", "Strategy"),
        explanation: (
            "Hoe komen we daar? De strategie is de grote lijn: voor welke klanten je kiest, hoe \
             je je onderscheidt en welke koers je vaart. Losse acties komen later.",
            "How do we get there? Strategy is the big picture: which customers you choose, how \
             you stand out and which course you set. Individual actions come later.",
        ),
        questions: &[
            (
                "Op welke doelgroepen richten we ons, en op welke bewust niet?",
                "Which audiences do we focus on, and which do we leave out on purpose?",
            ),
            ("Hoe onderscheiden we ons van de concurrent?", "How do we stand out from the competition?"),
            (
                "Welke grote keuzes maken we om onze doelen te halen?",
                "Which big choices do we make to reach our objectives?",
            ),
        ],
    },
    PartSpec {
        key: "tactics",
        workspace: WorkspaceKind::CoreMessage,
        minutes: timebox(45),
        priority: Priority::Should,
        title: ("Tactiek", "Tactics"),
        explanation: (
            "De details van de strategie: welke boodschap, welke kanalen en middelen, en wanneer. \
             Hier wordt de grote lijn concreet.",
            "The details of the strategy: which message, which channels and tools, and when. \
             This is where the big picture gets concrete.",
        ),
        questions: &[
            ("Welke kanalen en middelen zetten we in?", "Which channels and tools do we use?"),
            ("Welke boodschap en content horen daarbij?", "Which message and content go with them?"),
            ("Wat is de planning: wat gebeurt wanneer?", "What is the timeline: what happens when?"),
        ],
    },
    PartSpec {
        key: "action",
        workspace: WorkspaceKind::Actions,
        minutes: timebox(45),
        priority: Priority::Must,
        title: ("Actie", "Action"),
        explanation: (
            "Wie doet wat, en wanneer? Zet de tactiek om in taken, elk met een eigenaar en een \
             deadline.",
            "Who does what, and when? Turn the tactics into tasks, each with an owner and a \
             deadline.",
        ),
        questions: &[
            ("Welke taken volgen uit de tactiek?", "Which tasks follow from the tactics?"),
            ("Wie is eigenaar van elke taak, en wanneer is die af?", "Who owns each task, and when is it done?"),
            ("Hoeveel tijd en budget is ervoor nodig?", "How much time and budget does it take?"),
        ],
    },
    PartSpec {
        key: "control",
        workspace: WorkspaceKind::Board,
        minutes: timebox(30),
        priority: Priority::Should,
        title: ("Controle", "Control"),
        explanation: (
            "Hoe houden we bij of het werkt? Spreek af wat je meet, hoe vaak je kijkt en wanneer \
             je bijstuurt.",
            "How do we monitor whether it works? Agree on what you measure, how often you look \
             and when you adjust course.",
        ),
        questions: &[
            (
                "Welke cijfers volgen we, en waar halen we ze vandaan?",
                "Which numbers do we track, and where do we get them?",
            ),
            ("Hoe vaak kijken we ernaar, en wie doet dat?", "How often do we look at them, and who does it?"),
            ("Wanneer en hoe sturen we bij als we achterlopen?", "When and how do we adjust course if we fall behind?"),
        ],
    },
];

/// All built-in models, in the order of [`BUILTIN_IDS`].
pub fn builtin_models() -> Vec<Model> {
    vec![heidag(), sostac(), blank()]
}

/// The built-in model with this id, or `None` when no built-in model has it.
pub fn builtin_model(id: &str) -> Option<Model> {
    match id {
        "heidag" => Some(heidag()),
        "sostac" => Some(sostac()),
        "blank" => Some(blank()),
        _ => None,
    }
}

/// A timebox of the catalog. Only used in constants, so a number out of range is a
/// compile error, not a panic at run time.
const fn timebox(minutes: u32) -> Timebox {
    match Timebox::new(minutes) {
        Ok(timebox) => timebox,
        Err(_) => panic!("a timebox of the catalog is out of range"),
    }
}

fn text((nl, en): Text) -> Localized {
    Localized::new(nl, en)
}

fn build_parts(specs: &[PartSpec]) -> Vec<ModelPart> {
    specs
        .iter()
        .map(|spec| ModelPart {
            key: spec.key.to_owned(),
            title: text(spec.title),
            explanation: text(spec.explanation),
            questions: spec.questions.iter().copied().map(text).collect(),
            minutes: spec.minutes,
            priority: spec.priority,
            workspace: spec.workspace,
        })
        .collect()
}

fn heidag() -> Model {
    Model {
        id: "heidag".to_owned(),
        name: text(("Heidag online marketing", "Online marketing strategy day")),
        description: text((
            "Het programma van een heidag online marketing zoals SocialForYou die houdt: zes \
             onderdelen in maximaal 5 uur. Je denkt eerst groot, maakt je doelen SMART, leert je \
             klant kennen via persona's, bepaalt je kernboodschap en gaat naar huis met \
             actiepunten. Online? Verdeel de dag dan over twee delen.",
            "The program of an online marketing strategy day as SocialForYou runs it: six parts \
             in at most 5 hours. You think big first, make your goals SMART, get to know your \
             customer through personas, settle your core message and go home with action points. \
             Online? Then split the day into two parts.",
        )),
        credit: None,
        parts: build_parts(&HEIDAG_PARTS),
    }
}

fn sostac() -> Model {
    Model {
        id: "sostac".to_owned(),
        name: text(("SOSTAC®", "SOSTAC®")),
        description: text((
            "Het planningsmodel van PR Smith in zes stappen: waar staan we nu, waar willen we \
             naartoe, hoe komen we daar, wat doen we precies, wie doet wat, en hoe houden we bij \
             of het werkt? Een stevige kapstok voor je online marketingplan.",
            "PR Smith's planning model in six steps: where are we now, where do we want to be, \
             how do we get there, what exactly do we do, who does what, and how do we monitor \
             whether it works? A solid backbone for your online marketing plan.",
        )),
        credit: Some(text(("SOSTAC® is bedacht door PR Smith.", "SOSTAC® was created by PR Smith."))),
        parts: build_parts(&SOSTAC_PARTS),
    }
}

fn blank() -> Model {
    Model {
        id: "blank".to_owned(),
        name: text(("Leeg model", "Blank model")),
        description: text((
            "Een leeg model zonder onderdelen. Voeg zelf de onderdelen toe die je wilt \
             behandelen, elk met een titel, een timebox en een prioriteit, en zet ze in de \
             volgorde van je dag.",
            "A blank model without parts. Add your own parts, each with a title, a timebox and a \
             priority, and put them in the order of your day.",
        )),
        credit: None,
        parts: Vec::new(),
    }
}

/// The follow-up session after the day (SOSTAC's Control step): it starts with the goals'
/// progress. Not in the catalog list: it is made from a finished session.
const FOLLOW_UP_PARTS: [PartSpec; 3] = [
    PartSpec {
        key: "progress",
        workspace: WorkspaceKind::SmartGoals,
        minutes: timebox(30),
        priority: Priority::Must,
        title: ("Voortgang van de doelen", "Progress on the goals"),
        explanation: (
            "Hoe staan de SMART-doelen ervoor? Vergelijk de metingen met de doellijn: liggen we op \
             koers of lopen we achter?",
            "How are the SMART goals doing? Compare the measurements with the target line: are we \
             on track or behind?",
        ),
        questions: &[
            ("Welke doelen liggen op koers, en waarom?", "Which goals are on track, and why?"),
            ("Welke lopen achter, en wat zit daarachter?", "Which are behind, and what is behind that?"),
            ("Kloppen de doelen nog, of stellen we ze bij?", "Do the goals still hold, or do we adjust them?"),
        ],
    },
    PartSpec {
        key: "adjust",
        workspace: WorkspaceKind::Board,
        minutes: timebox(30),
        priority: Priority::Should,
        title: ("Bijsturen", "Adjust course"),
        explanation: (
            "Wat doen we anders om de achterblijvers weer op koers te krijgen? Verzamel ideeën op het bord.",
            "What do we do differently to get the laggards back on track? Collect ideas on the board.",
        ),
        questions: &[
            ("Wat werkte goed, en doen we meer van?", "What worked well, and do we do more of?"),
            ("Wat stoppen we mee?", "What do we stop doing?"),
            ("Wat proberen we nieuw?", "What do we try that is new?"),
        ],
    },
    PartSpec {
        key: "actions",
        workspace: WorkspaceKind::Actions,
        minutes: timebox(30),
        priority: Priority::Must,
        title: ("Nieuwe actiepunten", "New action points"),
        explanation: (
            "Wie doet wat, en wanneer? Bundel de taken weer tot één verantwoordelijkheid per persoon.",
            "Who does what, and by when? Bundle the tasks into one responsibility per person again.",
        ),
        questions: &[
            ("Wie doet wat, en wanneer is het af?", "Who does what, and when is it done?"),
            ("Wanneer meten we opnieuw?", "When do we measure again?"),
        ],
    },
];

pub fn follow_up_model() -> Model {
    Model {
        id: "follow_up".to_owned(),
        name: text(("Vervolgsessie", "Follow-up session")),
        description: text((
            "Het Controle-deel van SOSTAC®: na de heidag kijk je samen naar de voortgang van de \
             doelen, stuur je bij en maak je nieuwe afspraken.",
            "The Control step of SOSTAC®: after the strategy day you look at the goals' progress \
             together, adjust course and make new agreements.",
        )),
        credit: Some(text(("SOSTAC® is bedacht door PR Smith.", "SOSTAC® was created by PR Smith."))),
        parts: build_parts(&FOLLOW_UP_PARTS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::Lang;
    use crate::model_file::validate_model;

    #[test]
    fn every_builtin_model_passes_the_model_file_validation() {
        for model in builtin_models() {
            assert_eq!(validate_model(&model), Ok(()), "{}", model.id);
        }
    }

    #[test]
    fn the_catalog_lists_the_builtin_ids_in_order_and_finds_each_by_id() {
        let ids: Vec<String> = builtin_models().into_iter().map(|model| model.id).collect();
        assert_eq!(ids, BUILTIN_IDS);
        for id in BUILTIN_IDS {
            assert_eq!(builtin_model(id).map(|model| model.id), Some(id.to_owned()));
        }
        for unknown in ["", "HEIDAG", "etail", "sostac "] {
            assert_eq!(builtin_model(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn each_model_has_its_parts_in_order_with_their_timeboxes() {
        use Priority::{Must, Should};
        use WorkspaceKind::*;
        type PartRow = (&'static str, WorkspaceKind, u32, Priority);
        let cases: [(&str, u32, &[PartRow]); 3] = [
            (
                "heidag",
                270,
                &[
                    ("models", Notes, 15, Must),
                    ("end_goals", EndGoals, 40, Must),
                    ("smart_goals", SmartGoals, 50, Must),
                    ("personas", Personas, 60, Should),
                    ("core_message", CoreMessage, 60, Should),
                    ("actions", Actions, 45, Must),
                ],
            ),
            (
                "sostac",
                255,
                &[
                    ("situation", Board, 45, Must),
                    ("objectives", SmartGoals, 45, Must),
                    ("strategy", Board, 45, Must),
                    ("tactics", CoreMessage, 45, Should),
                    ("action", Actions, 45, Must),
                    ("control", Board, 30, Should),
                ],
            ),
            ("blank", 0, &[]),
        ];
        for (id, total, expected) in cases {
            let model = builtin_model(id).expect("a built-in model");
            let actual: Vec<(&str, WorkspaceKind, u32, Priority)> = model
                .parts
                .iter()
                .map(|part| (part.key.as_str(), part.workspace, part.minutes.minutes(), part.priority))
                .collect();
            assert_eq!(actual, expected, "{id}");
            assert_eq!(model.total_minutes(), total, "{id}");
        }
    }

    #[test]
    fn part_titles_are_the_agreed_ones_in_both_languages() {
        let cases: [(&str, &[(&str, &str)]); 2] = [
            (
                "heidag",
                &[
                    ("Modellen", "Models"),
                    ("Einddoelen", "End goals"),
                    ("SMART-doelen", "SMART goals"),
                    ("Doelgroep: persona's", "Target audience: personas"),
                    ("Kernboodschap", "Core message"),
                    ("Actiepunten", "Action points"),
                ],
            ),
            (
                "sostac",
                &[
                    ("Situatie", "Situation"),
                    ("Doelstellingen", "Objectives"),
                    ("Strategie", "Strategy"),
                    ("Tactiek", "Tactics"),
                    ("Actie", "Action"),
                    ("Controle", "Control"),
                ],
            ),
        ];
        for (id, titles) in cases {
            let model = builtin_model(id).expect("a built-in model");
            let actual: Vec<(&str, &str)> =
                model.parts.iter().map(|part| (part.title.nl.as_str(), part.title.en.as_str())).collect();
            assert_eq!(actual, titles, "{id}");
        }
    }

    #[test]
    fn every_part_is_explained_and_asks_three_to_five_questions_in_both_languages() {
        for model in builtin_models() {
            for part in &model.parts {
                let place = format!("{}.{}", model.id, part.key);
                assert!((3..=5).contains(&part.questions.len()), "{place}");
                let texts = std::iter::once(&part.explanation).chain(&part.questions);
                for text in texts {
                    for lang in Lang::ALL {
                        assert!(!text.get(lang).trim().is_empty(), "{place} {lang:?}");
                    }
                    assert_ne!(text.nl, text.en, "{place}: the English is missing");
                }
            }
        }
    }

    #[test]
    fn names_and_credits_are_the_agreed_ones() {
        let cases = [
            ("heidag", ("Heidag online marketing", "Online marketing strategy day"), None),
            (
                "sostac",
                ("SOSTAC®", "SOSTAC®"),
                Some(("SOSTAC® is bedacht door PR Smith.", "SOSTAC® was created by PR Smith.")),
            ),
            ("blank", ("Leeg model", "Blank model"), None),
        ];
        for (id, name, credit) in cases {
            let model = builtin_model(id).expect("a built-in model");
            assert_eq!(model.name, text(name), "{id}");
            assert_eq!(model.credit, credit.map(text), "{id}");
        }
    }

    #[test]
    fn the_heidag_follows_the_seed() {
        let model = builtin_model("heidag").expect("the heidag model");
        assert!(model.description.nl.contains("maximaal 5 uur"));
        assert!(model.description.en.contains("at most 5 hours"));
        let part = |key: &str| model.parts.iter().find(|part| part.key == key).expect("a heidag part");
        let smart = &part("smart_goals").explanation.nl;
        for word in ["Specifiek", "Meetbaar", "Acceptabel", "Realistisch", "Tijdgebonden"] {
            assert!(smart.contains(word), "{word}");
        }
        assert!(smart.contains("minimaal 10% meer omzet dan vorig jaar"));
        let persona_questions: String = part("personas").questions.iter().map(|q| q.nl.as_str()).collect();
        for word in [
            "naam",
            "leeftijd",
            "werkveld",
            "woonplaats",
            "hobby's",
            "pijnpunten",
            "huidige oplossingen",
            "triggers",
            "gewenste resultaten",
        ] {
            assert!(persona_questions.contains(word), "{word}");
        }
        assert!(part("core_message").explanation.nl.contains("USP"));
        assert!(part("actions").explanation.nl.contains("één verantwoordelijkheid"));
    }

    #[test]
    fn the_blank_model_tells_the_facilitator_to_add_parts() {
        let model = builtin_model("blank").expect("the blank model");
        assert!(model.parts.is_empty());
        assert!(model.description.nl.contains("Voeg zelf de onderdelen toe"));
        assert!(model.description.en.contains("Add your own parts"));
    }
}
