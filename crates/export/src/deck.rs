//! The session's slides as one self-contained HTML presentation: a title slide, then one
//! slide per part in program order with its title, explanation and outcome.
//!
//! Our Content-Security-Policy forbids inline scripts, so the deck moves without any:
//! the page snaps to whole slides as it scrolls (arrow keys, Page Down and the space bar
//! scroll, and so go from slide to slide), each slide links to the one before and after,
//! and on paper every slide is one landscape A4 page. Every text a participant wrote is
//! escaped with [`escape_html`].

use chrono::NaiveDate;
use heisessie_domain::Lang;
use heisessie_domain::WorkspaceKind;
use heisessie_domain::board::Sticky;
use heisessie_domain::session::{ProgramPart, SessionState};
use heisessie_domain::smart::Verdict;
use heisessie_domain::strategy::ActionStatus;

use crate::derived::{self, Words, words};
use crate::escape::{escape_html, isolate_bidi};

const STYLE: &str = "\
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6575; --accent: #0b6e4f; --line: #d8dde5; }
* { box-sizing: border-box; }
html { scroll-snap-type: y mandatory; scroll-behavior: smooth; }
body { margin: 0; font: 20px/1.45 system-ui, -apple-system, \"Segoe UI\", Roboto, Arial, sans-serif; color: var(--ink); background: #eef1f4; }
.slide { position: relative; min-height: 100vh; padding: 6vh 7vw 9vh; scroll-snap-align: start; background: #fff; border-bottom: 1px solid var(--line); display: flex; flex-direction: column; gap: .8rem; overflow-wrap: break-word; }
.slide h1 { font-size: 3rem; line-height: 1.1; margin: auto 0 .5rem; }
.slide h2 { font-size: 2.1rem; line-height: 1.15; margin: 0; }
.slide h3 { font-size: 1.1rem; margin: .6rem 0 .2rem; color: var(--accent); text-transform: uppercase; letter-spacing: .05em; }
.kicker { margin: 0; color: var(--accent); font-weight: 600; text-transform: uppercase; letter-spacing: .08em; font-size: .85rem; }
.explanation { color: var(--muted); max-width: 60rem; margin: 0; }
.title .facts { margin-bottom: auto; color: var(--muted); }
ul.questions { color: var(--muted); margin: 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: .8rem; }
.grid.wide { grid-template-columns: repeat(auto-fill, minmax(24rem, 1fr)); }
.sticky { padding: .7rem .8rem; min-height: 5rem; white-space: pre-line; box-shadow: 0 1px 3px rgba(0,0,0,.2); }
.yellow { background: #fff3a3; } .pink { background: #ffd1e0; } .blue { background: #cfe6ff; }
.green { background: #d2f4d2; } .orange { background: #ffdcb8; } .purple { background: #e6d7ff; }
.dots { display: block; margin-top: .4rem; font-size: .8rem; font-weight: 600; }
.group { border: 2px dashed var(--line); padding: .6rem; }
.group > h4 { margin: 0 0 .5rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; }
.card.primary { border: 2px solid var(--accent); }
dl { display: grid; grid-template-columns: fit-content(45%) 1fr; gap: .15rem .8rem; margin: .3rem 0 0; font-size: .9rem; }
dt { font-weight: 600; } dd { margin: 0; white-space: pre-line; }
.letters { display: flex; gap: .3rem; margin: .4rem 0 0; }
.letter { display: inline-block; min-width: 2rem; text-align: center; font-weight: 700; padding: .1rem .4rem; border-radius: 4px; color: #fff; }
.holds { background: #1f7a3d; } .missing { background: #b42318; } .unclear { background: #8a5a00; }
.usp { font-size: 1.6rem; font-weight: 600; margin: 0; white-space: pre-line; }
.verdict.good { color: #1f7a3d; font-weight: 600; } .verdict.bad { color: #b42318; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--line); white-space: pre-line; }
.done { color: var(--muted); text-decoration: line-through; }
.notes { white-space: pre-line; background: #f6f7f9; padding: .6rem .8rem; border-left: 3px solid var(--line); }
.muted { color: var(--muted); }
nav.step { position: absolute; right: 7vw; bottom: 3vh; display: flex; gap: 1rem; font-size: .85rem; color: var(--muted); }
nav.step a { color: inherit; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  html { scroll-snap-type: none; }
  body { background: #fff; font-size: 13pt; }
  .slide { min-height: auto; height: auto; padding: 0 0 8mm; border: 0; page-break-after: always; break-after: page; }
  .slide:last-child { page-break-after: auto; break-after: auto; }
  nav.step { display: none; }
  .sticky, .letter, .card { -webkit-print-color-adjust: exact; print-color-adjust: exact; break-inside: avoid; }
}
";

/// The deck in `lang`; `today` is the day the SMART check judges deadlines against.
pub fn deck_html(state: &SessionState, lang: Lang, today: NaiveDate) -> String {
    let w = words(lang);
    let title = state.details.title.as_str();
    let total = state.parts.len() + 1;
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"generator\" content=\"Heisessie\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        lang.code(),
        escape_html(title),
    );
    out.push_str(&title_slide(state, lang));
    out.push_str(&step_nav(0, total, w));
    out.push_str("</section>\n");
    for (index, part) in state.parts.iter().enumerate() {
        let number = index + 1;
        out.push_str(&format!(
            "<section class=\"slide part {}\" id=\"slide-{number}\">\n<p class=\"kicker\">{} {number}/{}</p>\n<h2>{}</h2>\n",
            part.workspace.code(),
            escape_html(w.part),
            state.parts.len(),
            escape_html(part.title.get(lang)),
        ));
        let explanation = part.explanation.get(lang);
        if !explanation.trim().is_empty() {
            out.push_str(&format!("<p class=\"explanation\">{}</p>\n", escape_html(explanation)));
        }
        let outcome = outcome(state, part, lang, w, today);
        if outcome.is_empty() {
            if !part.questions.is_empty() {
                out.push_str("<ul class=\"questions\">\n");
                for question in &part.questions {
                    out.push_str(&format!("<li>{}</li>\n", escape_html(question.get(lang))));
                }
                out.push_str("</ul>\n");
            }
        } else {
            out.push_str(&outcome);
        }
        out.push_str(&step_nav(number, total, w));
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn title_slide(state: &SessionState, lang: Lang) -> String {
    let mut out = format!(
        "<section class=\"slide title\" id=\"slide-0\">\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n<div class=\"facts\">\n",
        escape_html(state.model.name.get(lang)),
        escape_html(state.details.title.as_str()),
    );
    let organisation = state.details.organisation.as_str();
    if !organisation.is_empty() {
        out.push_str(&format!("<p>{}</p>\n", escape_html(organisation)));
    }
    for day in &state.schedule().days {
        if let (Some(start), Some(end)) = (day.start(), day.end()) {
            out.push_str(&format!(
                "<p>{}, {}–{}</p>\n",
                escape_html(&derived::long_date_text(day.date, lang)),
                start.format("%H:%M"),
                end.format("%H:%M"),
            ));
        }
    }
    if let Some(credit) = &state.model.credit {
        out.push_str(&format!("<p class=\"muted\">{}</p>\n", escape_html(credit.get(lang))));
    }
    out.push_str("</div>\n");
    out
}

/// Links to the slide before and after: moving on without a script.
fn step_nav(index: usize, total: usize, w: &Words) -> String {
    let mut out = String::from("<nav class=\"step\">");
    if index > 0 {
        out.push_str(&format!("<a href=\"#slide-{}\">‹ {}</a>", index - 1, escape_html(w.previous)));
    }
    out.push_str(&format!("<span>{}/{total}</span>", index + 1));
    if index + 1 < total {
        out.push_str(&format!("<a href=\"#slide-{}\">{} ›</a>", index + 1, escape_html(w.next)));
    }
    out.push_str("</nav>\n");
    out
}

/// What the part produced, by its workspace; notes are shown for every part that has them.
fn outcome(state: &SessionState, part: &ProgramPart, lang: Lang, w: &Words, today: NaiveDate) -> String {
    let mut out = match part.workspace {
        WorkspaceKind::Board => board(state, part, lang, w),
        WorkspaceKind::EndGoals => end_goals(state, lang, w),
        WorkspaceKind::SmartGoals => smart_goals(state, lang, w, today),
        WorkspaceKind::Personas => personas(state, lang, w),
        WorkspaceKind::CoreMessage => core_message(state, lang, w),
        WorkspaceKind::Actions => actions(state, lang, w),
        WorkspaceKind::Notes => String::new(),
    };
    if part.workspace != WorkspaceKind::Board && !derived::board(state, part.id).is_empty() {
        out.push_str(&board(state, part, lang, w));
    }
    if let Some(notes) = state.notes.get(&part.id).map(|n| n.as_str()).filter(|n| !n.trim().is_empty()) {
        out.push_str(&format!(
            "<h3>{}</h3>\n<div class=\"notes\">{}</div>\n",
            escape_html(w.notes),
            escape_html(notes)
        ));
    }
    out
}

fn board(state: &SessionState, part: &ProgramPart, lang: Lang, w: &Words) -> String {
    let view = derived::board(state, part.id);
    if view.is_empty() {
        return String::new();
    }
    let votes = derived::votes_on(state, part.id);
    let sticky = |s: &Sticky| {
        let dots = votes
            .get(&s.id)
            .map(|count| format!("<span class=\"dots\">● {}</span>", escape_html(&derived::votes_text(*count, lang))))
            .unwrap_or_default();
        format!("<div class=\"sticky {}\">{}{dots}</div>\n", s.colour.code(), escape_html(s.text.as_str()))
    };
    let mut out = format!("<h3>{}</h3>\n<div class=\"grid\">\n", escape_html(w.board));
    for (group, stickies) in &view.groups {
        out.push_str(&format!("<div class=\"group\">\n<h4>{}</h4>\n", escape_html(group.label.as_str())));
        for s in stickies {
            out.push_str(&sticky(s));
        }
        out.push_str("</div>\n");
    }
    for s in &view.loose {
        out.push_str(&sticky(s));
    }
    out.push_str("</div>\n");
    out
}

fn end_goals(state: &SessionState, lang: Lang, w: &Words) -> String {
    let goals = &state.strategy.end_goals;
    if goals.is_empty() {
        return String::new();
    }
    let everyone = state.participants.len();
    let mut out = String::from("<ol class=\"end-goals\">\n");
    for goal in goals {
        let horizon = goal.horizon.map(|h| format!(" · {}", derived::horizon_text(h, lang))).unwrap_or_default();
        out.push_str(&format!(
            "<li><strong>{}</strong><br><span class=\"muted\">{}{}</span></li>\n",
            escape_html(goal.text.as_str()),
            escape_html(&format!("{}: {} {} {everyone}", w.support, goal.supporters.len(), w.of)),
            escape_html(&horizon),
        ));
    }
    out.push_str("</ol>\n");
    out
}

fn smart_goals(state: &SessionState, lang: Lang, w: &Words, today: NaiveDate) -> String {
    let goals = &state.strategy.smart_goals;
    if goals.is_empty() {
        return String::new();
    }
    let mut out = String::from("<div class=\"grid\">\n");
    for goal in goals {
        let check = goal.check(lang, today);
        out.push_str(&format!(
            "<div class=\"card\">\n<strong>{}</strong>\n<div class=\"letters\">",
            escape_html(goal.text.as_str())
        ));
        for (letter, letter_check) in check.letters() {
            // A symbol beside the colour, for print in black and white and for colour blindness.
            let (class, symbol) = match letter_check.verdict {
                Verdict::Holds => ("holds", "✓"),
                Verdict::Missing => ("missing", "✗"),
                Verdict::Unclear => ("unclear", "?"),
            };
            out.push_str(&format!(
                "<span class=\"letter {class}\" title=\"{}\">{letter} {symbol}</span>",
                escape_html(&format!("{}: {}", derived::verdict_word(letter_check.verdict, lang), letter_check.reason))
            ));
        }
        let verdict = if check.passes() { w.smart_passes } else { w.smart_not_yet };
        out.push_str(&format!("</div>\n<p class=\"muted\">{}</p>\n</div>\n", escape_html(verdict)));
    }
    out.push_str("</div>\n");
    out
}

fn personas(state: &SessionState, lang: Lang, w: &Words) -> String {
    let personas = derived::ordered_personas(state);
    if personas.is_empty() {
        return String::new();
    }
    let primary = state.strategy.primary_persona;
    let mut out = String::from("<div class=\"grid wide\">\n");
    for (index, persona) in personas.into_iter().enumerate() {
        let is_primary = Some(persona.id) == primary;
        out.push_str(&format!(
            "<div class=\"card{}\">\n<strong>{}</strong>{}\n<dl>\n",
            if is_primary { " primary" } else { "" },
            escape_html(&derived::persona_title(persona, index, lang)),
            if is_primary {
                format!(" <span class=\"muted\">({})</span>", escape_html(w.primary))
            } else {
                String::new()
            },
        ));
        // The name is the card's title already.
        for (label, value) in
            derived::persona_fields(&persona.fields, lang).into_iter().skip_while(|(l, _)| *l == w.persona_fields[0])
        {
            out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", escape_html(label), escape_html(&value)));
        }
        out.push_str("</dl>\n</div>\n");
    }
    out.push_str("</div>\n");
    out
}

fn core_message(state: &SessionState, lang: Lang, w: &Words) -> String {
    let message = &state.strategy.core_message;
    let mut out = String::new();
    if !message.usp.is_empty() {
        out.push_str(&format!("<p class=\"usp\">{}</p>\n", escape_html(message.usp.as_str())));
        let against = message.not_unique_because();
        if against.is_empty() {
            out.push_str(&format!(
                "<p class=\"verdict good\">✓ {}: {}</p>\n",
                escape_html(w.unique),
                escape_html(w.no_competitors)
            ));
        } else {
            let names: Vec<String> = against
                .iter()
                .map(|c| format!("{} {}", isolate_bidi(c.name.as_str()), if c.has_it { w.has_it } else { w.could_get }))
                .collect();
            out.push_str(&format!(
                "<p class=\"verdict bad\">✗ {}: {}</p>\n",
                escape_html(w.not_unique),
                escape_html(&names.join("; "))
            ));
        }
    }
    if !message.life_improvement.is_empty() {
        out.push_str(&format!(
            "<h3>{}</h3>\n<p>{}</p>\n",
            escape_html(w.life_improvement),
            escape_html(message.life_improvement.as_str())
        ));
    }
    if !message.plan.is_empty() {
        out.push_str(&format!(
            "<h3>{}</h3>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
            escape_html(w.content_plan),
            escape_html(w.channel),
            escape_html(w.form),
            escape_html(w.how_often),
            escape_html(w.who)
        ));
        for line in &message.plan {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape_html(&derived::channel_label(line.channel.as_str(), lang)),
                escape_html(&derived::form_label(line.form.as_str(), lang)),
                escape_html(&line.frequency_text(lang)),
                escape_html(&line.owner.map(|o| derived::name_of(state, o, lang)).unwrap_or_default()),
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out
}

fn actions(state: &SessionState, lang: Lang, w: &Words) -> String {
    let strategy = &state.strategy;
    if strategy.actions.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        escape_html(w.action),
        escape_html(w.who),
        escape_html(w.deadline),
        escape_html(w.responsibility),
        escape_html(w.status),
    );
    for action in &strategy.actions {
        let class = if action.status == ActionStatus::Done { " class=\"done\"" } else { "" };
        out.push_str(&format!(
            "<tr{class}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape_html(action.title.as_str()),
            escape_html(&derived::owner_name(state, action.owner, lang)),
            escape_html(&action.deadline.map(|d| derived::date_text(d, lang)).unwrap_or_default()),
            escape_html(derived::responsibility_of(state, action.id).map(|r| r.name.as_str()).unwrap_or_default()),
            escape_html(derived::status_word(action.status, lang)),
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    out
}
