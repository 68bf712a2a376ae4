//! The report of a session, as Markdown and as one self-contained HTML page.
//!
//! Both are rendered from one document (sections of headings, paragraphs, lists, fields
//! and tables), so they always hold the same content. Every text in that document, ours
//! and the participants' alike, is plain text; only the two renderers write markup, and
//! they escape every text they write (see [`crate::escape`]). The HTML page needs nothing
//! from outside: no scripts, no fonts, no images, and a Content-Security-Policy that
//! forbids them should a text ever get through.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use heisessie_domain::Lang;
use heisessie_domain::board::Sticky;
use heisessie_domain::planner::{BlockKind, PartId};
use heisessie_domain::responsibility;
use heisessie_domain::session::{ParticipantId, SessionState};
use heisessie_domain::smart::Verdict;
use heisessie_domain::strategy::{Action, ActionStatus, ItemId};
use heisessie_domain::tracking::Progress;

use crate::derived::{self, Words, words};
use crate::escape::{escape_html, isolate_bidi, markdown_inline, markdown_lines};

/// The report as Markdown (CommonMark with GitHub tables).
pub fn report_markdown(state: &SessionState, lang: Lang, today: NaiveDate, now_ms: i64) -> String {
    render_markdown(&build(state, lang, today, now_ms))
}

/// The report as one HTML page that prints well.
pub fn report_html(state: &SessionState, lang: Lang, today: NaiveDate, now_ms: i64) -> String {
    render_html(&build(state, lang, today, now_ms), lang)
}

/// How a short text stands out: the verdict of a check, the standing of a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Good,
    Bad,
    Unclear,
}

#[derive(Debug, Clone, PartialEq)]
enum Span {
    Text(String),
    Strong(String),
    Muted(String),
    Badge(Tone, String),
}

fn text(value: impl Into<String>) -> Span {
    Span::Text(value.into())
}

fn muted(value: impl Into<String>) -> Span {
    Span::Muted(value.into())
}

#[derive(Debug, Clone, PartialEq)]
struct Table {
    head: Vec<String>,
    /// Columns of numbers, aligned right.
    numeric: Vec<usize>,
    rows: Vec<Vec<Vec<Span>>>,
    /// Rows drawn as totals.
    totals: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum Block {
    Heading(String),
    SubHeading(String),
    Para(Vec<Span>),
    List(Vec<Vec<Span>>),
    Fields(Vec<(String, Vec<Span>)>),
    Table(Table),
    /// A text of several lines a participant wrote (notes).
    Lines(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Section {
    id: &'static str,
    title: String,
    blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
struct Document {
    kicker: String,
    title: String,
    facts: Vec<(String, Vec<Span>)>,
    sections: Vec<Section>,
}

fn build(state: &SessionState, lang: Lang, today: NaiveDate, now_ms: i64) -> Document {
    let w = words(lang);
    let mut sections = vec![
        participants_section(state, lang, w),
        program_section(state, lang, w, now_ms),
        end_goals_section(state, lang, w),
        smart_goals_section(state, lang, w, today),
        personas_section(state, lang, w),
        core_message_section(state, lang, w),
        ideas_section(state, w),
        actions_section(state, lang, w),
        notes_section(state, lang, w),
    ];
    if let Some(section) = tracking_section(state, lang, w) {
        sections.push(section);
    }
    Document {
        kicker: w.report.to_owned(),
        title: state.details.title.as_str().to_owned(),
        facts: facts(state, lang, w, today),
        sections,
    }
}

fn facts(state: &SessionState, lang: Lang, w: &Words, today: NaiveDate) -> Vec<(String, Vec<Span>)> {
    let mut facts = Vec::new();
    let organisation = state.details.organisation.as_str();
    if !organisation.is_empty() {
        facts.push((w.organisation.to_owned(), vec![text(organisation)]));
    }
    let schedule = state.schedule();
    let days: Vec<String> = schedule
        .days
        .iter()
        .filter_map(|day| {
            let (start, end) = (day.start()?, day.end()?);
            Some(format!(
                "{}, {}–{}",
                derived::long_date_text(day.date, lang),
                start.format("%H:%M"),
                end.format("%H:%M")
            ))
        })
        .collect();
    if !days.is_empty() {
        let label = if days.len() == 1 { w.date } else { w.dates };
        let zone = format!(" ({} {})", w.times_in.to_lowercase(), state.settings.time_zone().name());
        facts.push((label.to_owned(), vec![text(days.join(&format!(" {} ", w.and))), muted(zone)]));
    }
    let mut model = vec![text(state.model.name.get(lang))];
    if let Some(credit) = &state.model.credit {
        model.push(muted(format!(" · {}", credit.get(lang))));
    }
    facts.push((w.model.to_owned(), model));
    facts.push((w.made_on.to_owned(), vec![text(derived::date_text(today, lang))]));
    facts
}

fn nothing_yet(w: &Words) -> Block {
    Block::Para(vec![muted(w.nothing_yet)])
}

fn participants_section(state: &SessionState, lang: Lang, w: &Words) -> Section {
    let rows: Vec<Vec<Vec<Span>>> = state
        .participants
        .iter()
        .map(|p| vec![vec![text(p.display_name.as_str())], vec![text(derived::roles_of(state, p.id, lang).join(", "))]])
        .collect();
    let blocks = if rows.is_empty() {
        vec![nothing_yet(w)]
    } else {
        vec![Block::Table(Table {
            head: vec![w.name.to_owned(), w.roles.to_owned()],
            numeric: vec![],
            rows,
            totals: vec![],
        })]
    };
    Section { id: "participants", title: w.participants_roles.to_owned(), blocks }
}

fn program_section(state: &SessionState, lang: Lang, w: &Words, now_ms: i64) -> Section {
    let schedule = state.schedule();
    let mut blocks = Vec::new();
    for (index, day) in schedule.days.iter().enumerate() {
        blocks.push(Block::Heading(format!("{} {} · {}", w.day, index + 1, derived::long_date_text(day.date, lang))));
        if day.blocks.is_empty() {
            blocks.push(Block::Para(vec![muted(w.no_parts)]));
            continue;
        }
        let mut rows = Vec::new();
        let mut shown: BTreeSet<PartId> = BTreeSet::new();
        let (mut planned_total, mut actual_total, mut overrun_total, mut timed) = (0i64, 0i64, 0i64, false);
        for block in &day.blocks {
            let time = format!("{}–{}", block.start.format("%H:%M"), block.end.format("%H:%M"));
            let title = block.title.get(lang);
            match block.kind {
                BlockKind::Break => rows.push(vec![
                    vec![text(time)],
                    vec![muted(format!("☕ {title}"))],
                    vec![text(block.minutes.to_string())],
                    vec![],
                    vec![],
                ]),
                BlockKind::Part { part_id, segment, .. } => {
                    let title = match segment {
                        Some((n, of)) => format!("{} ({n}/{of})", isolate_bidi(title)),
                        None => title.to_owned(),
                    };
                    // A part split by a break carries its numbers on its first piece.
                    if !shown.insert(part_id) {
                        rows.push(vec![vec![text(time)], vec![text(title)], vec![], vec![], vec![]]);
                        continue;
                    }
                    let planned =
                        state.part(part_id).map_or(i64::from(block.minutes), |p| i64::from(p.minutes.minutes()));
                    planned_total += planned;
                    let actual_ms = state.actual_ms(part_id, now_ms);
                    let running = state.timer.as_ref().is_some_and(|t| t.part == part_id && t.is_running());
                    let (actual, overrun) = if actual_ms == 0 {
                        (vec![muted("—")], vec![])
                    } else {
                        let actual = derived::minutes_of(actual_ms);
                        timed = true;
                        actual_total += actual;
                        if running {
                            // A part still under way has no overrun yet (unless it is over already).
                            let over = actual - planned;
                            if over > 0 {
                                overrun_total += over;
                            }
                            let cell = vec![text(actual.to_string()), muted(format!(" ({})", w.running))];
                            (cell, if over > 0 { vec![overrun_span(over)] } else { vec![] })
                        } else {
                            overrun_total += actual - planned;
                            (vec![text(actual.to_string())], vec![overrun_span(actual - planned)])
                        }
                    };
                    rows.push(vec![
                        vec![text(time)],
                        vec![text(title)],
                        vec![text(planned.to_string())],
                        actual,
                        overrun,
                    ]);
                }
            }
        }
        let total_row = rows.len();
        rows.push(vec![
            vec![],
            vec![Span::Strong(w.total.to_owned())],
            vec![Span::Strong(planned_total.to_string())],
            if timed { vec![Span::Strong(actual_total.to_string())] } else { vec![muted("—")] },
            if timed { vec![overrun_span(overrun_total)] } else { vec![] },
        ]);
        blocks.push(Block::Table(Table {
            head: vec![
                w.time.to_owned(),
                w.part.to_owned(),
                format!("{} (min)", w.planned),
                format!("{} (min)", w.actual),
                format!("{} (min)", w.overrun),
            ],
            numeric: vec![2, 3, 4],
            rows,
            totals: vec![total_row],
        }));
    }
    if schedule.days.is_empty() {
        blocks.push(nothing_yet(w));
    }
    Section { id: "program", title: w.program.to_owned(), blocks }
}

fn overrun_span(minutes: i64) -> Span {
    let tone = if minutes > 0 { Tone::Bad } else { Tone::Good };
    Span::Badge(tone, derived::signed_minutes(minutes))
}

fn end_goals_section(state: &SessionState, lang: Lang, w: &Words) -> Section {
    let goals = &state.strategy.end_goals;
    let blocks = if goals.is_empty() {
        vec![nothing_yet(w)]
    } else {
        let everyone = state.participants.len();
        let rows = goals
            .iter()
            .map(|goal| {
                vec![
                    vec![text(goal.text.as_str())],
                    goal.horizon.map(|h| vec![text(derived::horizon_text(h, lang))]).unwrap_or_default(),
                    vec![text(format!("{} {} {everyone}", goal.supporters.len(), w.of))],
                ]
            })
            .collect();
        vec![Block::Table(Table {
            head: vec![w.end_goal.to_owned(), w.horizon.to_owned(), w.support.to_owned()],
            numeric: vec![2],
            rows,
            totals: vec![],
        })]
    };
    Section { id: "end-goals", title: w.end_goals.to_owned(), blocks }
}

fn yes_no(value: Option<bool>, w: &Words) -> &'static str {
    match value {
        Some(true) => w.yes,
        Some(false) => w.no,
        None => w.tie,
    }
}

fn verdict_tone(verdict: Verdict) -> Tone {
    match verdict {
        Verdict::Holds => Tone::Good,
        Verdict::Missing => Tone::Bad,
        Verdict::Unclear => Tone::Unclear,
    }
}

fn verdict_symbol(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Holds => "✓",
        Verdict::Missing => "✗",
        Verdict::Unclear => "?",
    }
}

fn smart_goals_section(state: &SessionState, lang: Lang, w: &Words, today: NaiveDate) -> Section {
    let strategy = &state.strategy;
    let mut blocks = Vec::new();
    for goal in &strategy.smart_goals {
        blocks.push(Block::Heading(goal.text.as_str().to_owned()));
        let f = &goal.fields;
        let mut fields: Vec<(String, Vec<Span>)> = Vec::new();
        if let Some(end_goal) = goal.end_goal.and_then(|id| strategy.end_goal(id)) {
            fields.push((w.serves_end_goal.to_owned(), vec![text(end_goal.text.as_str())]));
        }
        let texts = [(w.metric, f.metric.as_str()), (w.owner, f.owner.as_str()), (w.means, f.means.as_str())];
        for (label, value) in texts.into_iter().filter(|(_, v)| !v.is_empty()) {
            fields.push((label.to_owned(), vec![text(value)]));
        }
        if f.baseline.is_some() || f.target.is_some() {
            let value = |v: Option<f64>| v.map_or_else(|| "?".to_owned(), |v| derived::number_text(v, lang));
            fields.push((w.from_to.to_owned(), vec![text(format!("{} → {}", value(f.baseline), value(f.target)))]));
        }
        if let Some(deadline) = f.deadline {
            fields.push((w.deadline.to_owned(), vec![text(derived::date_text(deadline, lang))]));
        }
        if !f.reason.is_empty() {
            fields.push((w.reason.to_owned(), vec![text(f.reason.as_str())]));
        }
        let agreement = if goal.agreement.is_empty() {
            vec![muted(w.not_voted)]
        } else {
            let (acceptable, realistic) = goal.team_verdict();
            vec![text(format!(
                "{}: {} · {}: {} ({} {})",
                w.acceptable,
                yes_no(acceptable, w),
                w.realistic,
                yes_no(realistic, w),
                goal.agreement.len(),
                w.votes_cast
            ))]
        };
        fields.push((w.team_agreement.to_owned(), agreement));
        let check = goal.check(lang, today);
        let conclusion = if check.passes() {
            Span::Badge(Tone::Good, format!("✓ {}", w.smart_passes))
        } else {
            Span::Badge(Tone::Unclear, format!("{} ({})", w.smart_not_yet, check.code()))
        };
        fields.push(("SMART".to_owned(), vec![conclusion]));
        blocks.push(Block::Fields(fields));
        let rows = check
            .letters()
            .iter()
            .zip(w.letters)
            .map(|((letter, letter_check), name)| {
                let mut explanation = vec![text(letter_check.reason.as_str())];
                if letter_check.verdict != Verdict::Holds && !letter_check.suggestion.is_empty() {
                    explanation.push(muted(format!(" {}: {}", w.suggestion, letter_check.suggestion)));
                }
                vec![
                    vec![Span::Strong(letter.to_string()), text(format!(" {name}"))],
                    vec![Span::Badge(
                        verdict_tone(letter_check.verdict),
                        format!(
                            "{} {}",
                            verdict_symbol(letter_check.verdict),
                            derived::verdict_word(letter_check.verdict, lang)
                        ),
                    )],
                    explanation,
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            head: vec![w.letter.to_owned(), w.verdict.to_owned(), w.explanation.to_owned()],
            numeric: vec![],
            rows,
            totals: vec![],
        }));
    }
    if blocks.is_empty() {
        blocks.push(nothing_yet(w));
    }
    Section { id: "smart-goals", title: w.smart_goals.to_owned(), blocks }
}

fn personas_section(state: &SessionState, lang: Lang, w: &Words) -> Section {
    let mut blocks = Vec::new();
    let primary = state.strategy.primary_persona;
    for (index, persona) in derived::ordered_personas(state).into_iter().enumerate() {
        let mut title = derived::persona_title(persona, index, lang);
        if Some(persona.id) == primary {
            title = format!("{title} ({})", w.primary);
        }
        blocks.push(Block::Heading(title));
        let (filled, total) = persona.fields.completeness();
        blocks.push(Block::Para(vec![muted(format!("{filled} {} {total} {}", w.of, w.fields_filled))]));
        let fields = derived::persona_fields(&persona.fields, lang)
            .into_iter()
            .map(|(label, value)| (label.to_owned(), vec![text(value)]))
            .collect::<Vec<_>>();
        if !fields.is_empty() {
            blocks.push(Block::Fields(fields));
        }
    }
    if blocks.is_empty() {
        blocks.push(nothing_yet(w));
    }
    Section { id: "personas", title: w.personas.to_owned(), blocks }
}

fn core_message_section(state: &SessionState, lang: Lang, w: &Words) -> Section {
    let message = &state.strategy.core_message;
    let mut blocks = Vec::new();
    let mut fields = Vec::new();
    if !message.usp.is_empty() {
        fields.push((w.usp.to_owned(), vec![text(message.usp.as_str())]));
    }
    if !message.competitors.is_empty() || !message.usp.is_empty() {
        let against = message.not_unique_because();
        let verdict = if against.is_empty() {
            vec![Span::Badge(Tone::Good, format!("✓ {}", w.unique)), text(format!(": {}", w.no_competitors))]
        } else {
            let reasons: Vec<String> = against
                .iter()
                .map(|c| {
                    let what = if c.has_it { w.has_it } else { w.could_get };
                    format!("{} {what}", isolate_bidi(c.name.as_str()))
                })
                .collect();
            vec![Span::Badge(Tone::Bad, format!("✗ {}", w.not_unique)), text(format!(": {}", reasons.join("; ")))]
        };
        fields.push((w.uniqueness.to_owned(), verdict));
    }
    if !message.life_improvement.is_empty() {
        fields.push((w.life_improvement.to_owned(), vec![text(message.life_improvement.as_str())]));
    }
    if !message.answers.is_empty() {
        fields.push((w.answers.to_owned(), vec![text(message.answers.as_str())]));
    }
    if !fields.is_empty() {
        blocks.push(Block::Fields(fields));
    }
    if !message.competitors.is_empty() {
        blocks.push(Block::Heading(w.competitors.to_owned()));
        let rows = message
            .competitors
            .iter()
            .map(|c| {
                vec![
                    vec![text(c.name.as_str())],
                    vec![text(if c.has_it { w.yes } else { w.no })],
                    vec![text(if c.could_get_easily { w.yes } else { w.no })],
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            head: vec![w.competitor.to_owned(), w.has_it.to_owned(), w.could_get.to_owned()],
            numeric: vec![],
            rows,
            totals: vec![],
        }));
    }
    if !message.plan.is_empty() {
        blocks.push(Block::Heading(w.content_plan.to_owned()));
        let rows = message
            .plan
            .iter()
            .map(|line| {
                vec![
                    vec![text(derived::channel_label(line.channel.as_str(), lang))],
                    vec![text(derived::form_label(line.form.as_str(), lang))],
                    vec![text(line.frequency_text(lang))],
                    line.owner.map(|o| vec![text(derived::name_of(state, o, lang))]).unwrap_or_default(),
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            head: vec![w.channel.to_owned(), w.form.to_owned(), w.how_often.to_owned(), w.who.to_owned()],
            numeric: vec![],
            rows,
            totals: vec![],
        }));
    }
    if let (Some(from), Some(to)) = (message.calendar_from, message.calendar_to) {
        blocks.push(Block::Heading(w.content_calendar.to_owned()));
        match state.strategy.core_message.calendar() {
            Ok(items) => {
                blocks.push(Block::Para(vec![text(format!(
                    "{} – {} · {} {}",
                    derived::date_text(from, lang),
                    derived::date_text(to, lang),
                    items.len(),
                    w.items
                ))]));
                if !items.is_empty() {
                    let rows = items
                        .iter()
                        .map(|item| {
                            vec![
                                vec![text(item.date.format("%Y-%m-%d").to_string())],
                                vec![text(derived::channel_label(&item.channel, lang))],
                                vec![text(derived::form_label(&item.form, lang))],
                                item.owner
                                    .map(|o| vec![text(derived::name_of(state, ParticipantId(o), lang))])
                                    .unwrap_or_default(),
                            ]
                        })
                        .collect();
                    blocks.push(Block::Table(Table {
                        head: vec![w.date.to_owned(), w.channel.to_owned(), w.form.to_owned(), w.who.to_owned()],
                        numeric: vec![],
                        rows,
                        totals: vec![],
                    }));
                }
            }
            Err(problem) => blocks.push(Block::Para(vec![muted(crate::locale::content_plan_error(lang, &problem))])),
        }
    }
    if blocks.is_empty() {
        blocks.push(nothing_yet(w));
    }
    Section { id: "core-message", title: w.core_message.to_owned(), blocks }
}

fn ideas_section(state: &SessionState, w: &Words) -> Section {
    let ideas = &state.strategy.ideas;
    let blocks = if ideas.is_empty() {
        vec![nothing_yet(w)]
    } else {
        vec![Block::List(
            ideas
                .iter()
                .map(|idea| {
                    let mut item = vec![text(idea.text.as_str())];
                    if idea.from_sticky.is_some() {
                        item.push(muted(format!(" ({})", w.from_sticky)));
                    }
                    item
                })
                .collect(),
        )]
    };
    Section { id: "ideas", title: w.ideas.to_owned(), blocks }
}

fn action_table(state: &SessionState, lang: Lang, w: &Words, actions: &[&Action], by_person: bool) -> Block {
    let rows = actions
        .iter()
        .map(|action| {
            let tone = match action.status {
                ActionStatus::Done => Tone::Good,
                _ => Tone::Unclear,
            };
            let last = if by_person {
                derived::responsibility_of(state, action.id)
                    .map(|bundle| vec![text(bundle.name.as_str())])
                    .unwrap_or_default()
            } else {
                vec![text(derived::owner_name(state, action.owner, lang))]
            };
            vec![
                vec![text(action.title.as_str())],
                last,
                action.deadline.map(|d| vec![text(derived::date_text(d, lang))]).unwrap_or_default(),
                vec![Span::Badge(tone, derived::status_word(action.status, lang).to_owned())],
            ]
        })
        .collect();
    let second = if by_person { w.responsibility } else { w.who };
    Block::Table(Table {
        head: vec![w.action.to_owned(), second.to_owned(), w.deadline.to_owned(), w.status.to_owned()],
        numeric: vec![],
        rows,
        totals: vec![],
    })
}

fn actions_section(state: &SessionState, lang: Lang, w: &Words) -> Section {
    let strategy = &state.strategy;
    let mut blocks = Vec::new();
    if strategy.actions.is_empty() && strategy.responsibilities.is_empty() {
        blocks.push(nothing_yet(w));
        return Section { id: "actions", title: w.actions.to_owned(), blocks };
    }
    blocks.push(Block::Heading(w.responsibilities.to_owned()));
    let find = |ids: &[ItemId]| ids.iter().filter_map(|id| strategy.action(*id)).collect::<Vec<_>>();
    for bundle in &strategy.responsibilities {
        blocks.push(Block::SubHeading(format!(
            "{} — {}",
            isolate_bidi(bundle.name.as_str()),
            derived::owner_name(state, bundle.owner, lang)
        )));
        let actions = find(&bundle.actions);
        if actions.is_empty() {
            blocks.push(nothing_yet(w));
        } else {
            blocks.push(action_table(state, lang, w, &actions, false));
        }
    }
    let loose: Vec<&Action> =
        strategy.actions.iter().filter(|a| derived::responsibility_of(state, a.id).is_none()).collect();
    if !loose.is_empty() {
        blocks.push(Block::SubHeading(w.not_bundled.to_owned()));
        blocks.push(action_table(state, lang, w, &loose, false));
    }

    blocks.push(Block::Heading(w.by_person.to_owned()));
    for (load, flag) in state.workload() {
        let person = ParticipantId(load.participant);
        let owned: Vec<&Action> = strategy.actions.iter().filter(|a| a.owner == Some(person)).collect();
        if owned.is_empty() && load.responsibilities == 0 {
            continue;
        }
        blocks.push(Block::SubHeading(derived::name_of(state, person, lang)));
        let carried: Vec<_> = strategy
            .responsibilities
            .iter()
            .filter(|r| r.owner == Some(person))
            .map(|r| isolate_bidi(r.name.as_str()))
            .collect();
        if !carried.is_empty() {
            let mut line = vec![text(format!("{} ", capitalise(w.carries))), text(carried.join(", "))];
            if flag == Some(responsibility::LoadFlag::TooMany) {
                line.push(text(" "));
                line.push(Span::Badge(Tone::Bad, format!("⚠ {}", w.too_many)));
            }
            blocks.push(Block::Para(line));
        }
        if !owned.is_empty() {
            blocks.push(action_table(state, lang, w, &owned, true));
        }
    }
    let unowned: Vec<&Action> = strategy.actions.iter().filter(|a| a.owner.is_none()).collect();
    if !unowned.is_empty() {
        blocks.push(Block::SubHeading(w.nobody.to_owned()));
        blocks.push(action_table(state, lang, w, &unowned, true));
    }
    Section { id: "actions", title: w.actions.to_owned(), blocks }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn notes_section(state: &SessionState, lang: Lang, w: &Words) -> Section {
    let mut blocks = Vec::new();
    for (index, part) in state.parts.iter().enumerate() {
        let notes = state.notes.get(&part.id).map(|n| n.as_str()).filter(|n| !n.trim().is_empty());
        let board = derived::board(state, part.id);
        if notes.is_none() && board.is_empty() {
            continue;
        }
        blocks.push(Block::Heading(format!("{}. {}", index + 1, part.title.get(lang))));
        if let Some(notes) = notes {
            blocks.push(Block::SubHeading(w.notes.to_owned()));
            blocks.push(Block::Lines(notes.to_owned()));
        }
        if !board.is_empty() {
            blocks.push(Block::SubHeading(w.board.to_owned()));
            let votes = derived::votes_on(state, part.id);
            let item = |sticky: &&Sticky| {
                let mut spans = vec![text(sticky.text.as_str())];
                if let Some(count) = votes.get(&sticky.id) {
                    spans.push(muted(format!(" ({})", derived::votes_text(*count, lang))));
                }
                spans
            };
            for (group, stickies) in &board.groups {
                let label = isolate_bidi(group.label.as_str());
                blocks.push(Block::Para(vec![Span::Strong(format!("{}: {label}", w.group))]));
                if !stickies.is_empty() {
                    blocks.push(Block::List(stickies.iter().map(item).collect()));
                }
            }
            if !board.loose.is_empty() {
                if !board.groups.is_empty() {
                    blocks.push(Block::Para(vec![Span::Strong(w.ungrouped.to_owned())]));
                }
                blocks.push(Block::List(board.loose.iter().map(item).collect()));
            }
        }
    }
    if blocks.is_empty() {
        blocks.push(nothing_yet(w));
    }
    Section { id: "notes", title: w.notes_and_boards.to_owned(), blocks }
}

fn tracking_section(state: &SessionState, lang: Lang, w: &Words) -> Option<Section> {
    let strategy = &state.strategy;
    if strategy.measurements.values().all(Vec::is_empty) {
        return None;
    }
    let rows = state
        .tracked_goals()
        .into_iter()
        .map(|(goal, tracked)| {
            let latest = tracked
                .latest
                .map(|m| {
                    vec![text(format!(
                        "{} ({})",
                        derived::number_text(m.value, lang),
                        derived::date_text(m.date, lang)
                    ))]
                })
                .unwrap_or_default();
            let expected =
                tracked.expected_at_latest.map(|v| vec![text(derived::number_text(v, lang))]).unwrap_or_default();
            let tone = match tracked.progress {
                Progress::OnTrack => Tone::Good,
                Progress::Behind => Tone::Bad,
                Progress::NoData | Progress::NoTarget => Tone::Unclear,
            };
            vec![
                vec![text(goal.text.as_str())],
                latest,
                expected,
                vec![Span::Badge(tone, derived::progress_word(tracked.progress, lang).to_owned())],
            ]
        })
        .collect();
    let blocks = vec![Block::Table(Table {
        head: vec![w.smart_goal.to_owned(), w.latest.to_owned(), w.expected.to_owned(), w.standing.to_owned()],
        numeric: vec![2],
        rows,
        totals: vec![],
    })];
    Some(Section { id: "tracking", title: w.tracking.to_owned(), blocks })
}

// ---------------------------------------------------------------------------------------
// Markdown

fn markdown_spans(spans: &[Span], line_start: bool) -> String {
    let mut out = String::new();
    for (index, span) in spans.iter().enumerate() {
        let starts = line_start && index == 0;
        let (raw, before, after) = match span {
            Span::Text(t) => (t.as_str(), "", ""),
            Span::Strong(t) => (t.as_str(), "**", "**"),
            Span::Muted(t) => (t.as_str(), "_", "_"),
            Span::Badge(_, t) => (t.as_str(), "**", "**"),
        };
        // Keep one space where a span begins or ends with white space: Markdown escaping
        // collapses it, and the emphasis markers must hug their text.
        if !starts && raw.starts_with(char::is_whitespace) {
            out.push(' ');
        }
        let escaped = markdown_inline(raw, starts && before.is_empty());
        if !escaped.is_empty() {
            out.push_str(before);
            out.push_str(&escaped);
            out.push_str(after);
        }
        if raw.ends_with(char::is_whitespace) && index + 1 < spans.len() {
            out.push(' ');
        }
    }
    out
}

fn markdown_table(table: &Table, out: &mut String) {
    let head: Vec<String> = table.head.iter().map(|h| markdown_inline(h, false)).collect();
    out.push_str(&format!("| {} |\n", head.join(" | ")));
    let rule: Vec<&str> =
        (0..table.head.len()).map(|i| if table.numeric.contains(&i) { "---:" } else { "---" }).collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|cell| markdown_spans(cell, false)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push('\n');
}

fn render_markdown(doc: &Document) -> String {
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", markdown_inline(&doc.title, false)));
    out.push_str(&format!("_{}_\n\n", markdown_inline(&doc.kicker, false)));
    for (label, value) in &doc.facts {
        out.push_str(&format!("- **{}:** {}\n", markdown_inline(label, false), markdown_spans(value, false)));
    }
    out.push('\n');
    for section in &doc.sections {
        out.push_str(&format!("## {}\n\n", markdown_inline(&section.title, false)));
        for block in &section.blocks {
            match block {
                Block::Heading(title) => out.push_str(&format!("### {}\n\n", markdown_inline(title, false))),
                Block::SubHeading(title) => out.push_str(&format!("#### {}\n\n", markdown_inline(title, false))),
                Block::Para(spans) => out.push_str(&format!("{}\n\n", markdown_spans(spans, true))),
                Block::List(items) => {
                    for item in items {
                        out.push_str(&format!("- {}\n", markdown_spans(item, true)));
                    }
                    out.push('\n');
                }
                Block::Fields(fields) => {
                    for (label, value) in fields {
                        out.push_str(&format!(
                            "- **{}:** {}\n",
                            markdown_inline(label, false),
                            markdown_spans(value, false)
                        ));
                    }
                    out.push('\n');
                }
                Block::Table(table) => markdown_table(table, &mut out),
                Block::Lines(lines) => {
                    let text = markdown_lines(lines);
                    if !text.is_empty() {
                        out.push_str(&format!("{text}\n\n"));
                    }
                }
            }
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------
// HTML

/// The report's style: readable on screen, and on paper each big section on a new page.
const STYLE: &str = "\
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6575; --line: #d8dde5; --good: #1f7a3d; --bad: #b42318; --unclear: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 2rem 1.5rem 4rem; font: 16px/1.5 system-ui, -apple-system, \"Segoe UI\", Roboto, Arial, sans-serif; color: var(--ink); background: #fff; }
header { border-bottom: 3px solid var(--ink); margin-bottom: 1.5rem; }
.kicker { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: .08em; font-size: .85rem; }
h1 { margin: .2rem 0 1rem; font-size: 2rem; line-height: 1.2; }
h2 { margin: 2.5rem 0 1rem; font-size: 1.5rem; border-bottom: 1px solid var(--line); padding-bottom: .3rem; }
h3 { margin: 1.8rem 0 .6rem; font-size: 1.2rem; }
h4 { margin: 1.2rem 0 .4rem; font-size: 1rem; }
h1, h2, h3, h4, td, dd, li, p { overflow-wrap: anywhere; }
dl.facts, dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
dt { font-weight: 600; }
dd { margin: 0; white-space: pre-line; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.2rem; font-size: .95rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
td { white-space: pre-line; }
th { border-bottom: 2px solid var(--ink); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { border-top: 2px solid var(--ink); font-weight: 600; }
.muted { color: var(--muted); }
.badge { font-weight: 600; white-space: nowrap; }
.good { color: var(--good); }
.bad { color: var(--bad); }
.unclear { color: var(--unclear); }
.lines { white-space: pre-line; background: #f6f7f9; border-left: 3px solid var(--line); padding: .6rem .8rem; }
nav.toc ol { columns: 2; padding-left: 1.2rem; }
nav.toc a { color: inherit; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); padding-top: .5rem; }
@page { size: A4; margin: 18mm 16mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav.toc { display: none; }
  section.major { break-before: page; page-break-before: always; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  tr, li, dd, .lines { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .good, .bad, .unclear { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
";

fn html_spans(spans: &[Span]) -> String {
    let mut out = String::new();
    for span in spans {
        match span {
            Span::Text(t) => out.push_str(&escape_html(t)),
            Span::Strong(t) => out.push_str(&format!("<strong>{}</strong>", escape_html(t))),
            Span::Muted(t) => out.push_str(&format!("<span class=\"muted\">{}</span>", escape_html(t))),
            Span::Badge(tone, t) => {
                let class = match tone {
                    Tone::Good => "good",
                    Tone::Bad => "bad",
                    Tone::Unclear => "unclear",
                };
                out.push_str(&format!("<span class=\"badge {class}\">{}</span>", escape_html(t)));
            }
        }
    }
    out
}

fn html_table(table: &Table, out: &mut String) {
    let class = |i: usize| if table.numeric.contains(&i) { " class=\"num\"" } else { "" };
    out.push_str("<table>\n<thead><tr>");
    for (i, head) in table.head.iter().enumerate() {
        out.push_str(&format!("<th{}>{}</th>", class(i), escape_html(head)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (r, row) in table.rows.iter().enumerate() {
        out.push_str(if table.totals.contains(&r) { "<tr class=\"total\">" } else { "<tr>" });
        for (i, cell) in row.iter().enumerate() {
            out.push_str(&format!("<td{}>{}</td>", class(i), html_spans(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn html_fields(class: &str, fields: &[(String, Vec<Span>)], out: &mut String) {
    out.push_str(&format!("<dl class=\"{class}\">\n"));
    for (label, value) in fields {
        out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", escape_html(label), html_spans(value)));
    }
    out.push_str("</dl>\n");
}

fn render_html(doc: &Document, lang: Lang) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"generator\" content=\"Heisessie\">\n<title>{} · {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        lang.code(),
        escape_html(&doc.kicker),
        escape_html(&doc.title),
    ));
    out.push_str(&format!(
        "<header>\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n",
        escape_html(&doc.kicker),
        escape_html(&doc.title)
    ));
    html_fields("facts", &doc.facts, &mut out);
    out.push_str("</header>\n<nav class=\"toc\"><ol>\n");
    for section in &doc.sections {
        out.push_str(&format!("<li><a href=\"#{}\">{}</a></li>\n", section.id, escape_html(&section.title)));
    }
    out.push_str("</ol></nav>\n");
    for (index, section) in doc.sections.iter().enumerate() {
        // The first section follows the header on the first page; the others start a page.
        let class = if index == 0 { "" } else { " class=\"major\"" };
        out.push_str(&format!("<section id=\"{}\"{class}>\n<h2>{}</h2>\n", section.id, escape_html(&section.title)));
        for block in &section.blocks {
            match block {
                Block::Heading(title) => out.push_str(&format!("<h3>{}</h3>\n", escape_html(title))),
                Block::SubHeading(title) => out.push_str(&format!("<h4>{}</h4>\n", escape_html(title))),
                Block::Para(spans) => out.push_str(&format!("<p>{}</p>\n", html_spans(spans))),
                Block::List(items) => {
                    out.push_str("<ul>\n");
                    for item in items {
                        out.push_str(&format!("<li>{}</li>\n", html_spans(item)));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Fields(fields) => html_fields("fields", fields, &mut out),
                Block::Table(table) => html_table(table, &mut out),
                Block::Lines(lines) => out.push_str(&format!("<p class=\"lines\">{}</p>\n", escape_html(lines))),
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str(&format!("<footer>Heisessie · {}</footer>\n</body>\n</html>\n", escape_html(&doc.kicker)));
    out
}
