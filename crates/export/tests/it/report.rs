//! What the report says about a realistic session: timings, goals, personas, actions.

use heisessie_domain::Lang;
use heisessie_export::report::{report_html, report_markdown};

use crate::helpers::{now_ms, realistic, today};

#[test]
fn the_program_shows_planned_and_actual_minutes_with_the_overrun() {
    let markdown = report_markdown(&realistic(), Lang::Nl, today(), now_ms());
    let rows = [
        // Models: planned 15, ran 18.
        "| 09:00–09:15 | Modellen | 15 | 18 | **+3** |",
        // End goals: planned 40, ran 36.
        "| Einddoelen | 40 | 36 | **\u{2212}4** |",
        // SMART goals: planned 50, ran 62.
        "| SMART-doelen | 50 | 62 | **+12** |",
        // Personas: started at minute 180, still running when the report is made at minute 200.
        "| Doelgroep: persona's | 60 | 20 _(loopt nog)_ |  |",
        // The day's overrun counts the parts that are done: +3 − 4 + 12.
        "|  | **Totaal** | **165** | **136** | **+11** |",
        // A part without a timer has no actual time.
        "| Kernboodschap | 60 | _—_ |",
        "☕ Koffiepauze",
        "| Gepland (min) | Werkelijk (min) | Uitloop (min) |",
    ];
    for row in rows {
        assert!(markdown.contains(row), "missing {row:?} in\n{markdown}");
    }
    assert!(markdown.contains("### Dag 2 · donderdag 10 december 2026"), "{markdown}");
}

#[test]
fn the_report_holds_the_outcomes_of_every_workspace() {
    let markdown = report_markdown(&realistic(), Lang::Nl, today(), now_ms());
    let expected = [
        "| Fay de Vries | Facilitator, Procesbegeleider |",
        "| Joris | Presenteert Einddoelen |",
        "| Dé ambachtelijke bakker van Utrecht-Oost | binnen 3 jaar | 4 van 4 |",
        "- **Hoort bij einddoel:** De helft van de omzet komt uit online bestellingen",
        "- **Van → naar:** 20.000 → 30.000",
        "- **Draagvlak:** acceptabel: ja · realistisch: ja (3 stemmen)",
        "| **T** Tijdgebonden |",
        "### Drukke Daphne (primaire persona)",
        "- **Bezwaren:** Bezorgen is vast duur",
        "**✗ niet uniek**: Bakker Bart kan het makkelijk krijgen",
        "| Instagram | Socialmediapost | 2 keer per week | Joris |",
        "| 2027-01-05 | Instagram | Socialmediapost | Joris |",
        "#### Content — Joris",
        "| Eerste bakvideo opnemen | Joris | 15 januari 2027 | **klaar** |",
        "#### Niemand",
        "Spelregels: telefoons weg, Piet houdt de tijd.",
        "**Groep: Video**",
        "- Bakvideo op zaterdag _(3 stemmen)_",
        "| 22.500 (1 maart 2027) | 22.913,91 | **achter op schema** |",
    ];
    for text in expected {
        assert!(markdown.contains(text), "missing {text:?} in\n{markdown}");
    }
    let daphne = markdown.find("Drukke Daphne (primaire persona)");
    let sem = markdown.find("### Student Sem");
    assert!(daphne < sem && sem.is_some(), "the primary persona comes first");
}

#[test]
fn the_html_report_is_one_self_contained_page_that_prints_by_section() {
    let html = report_html(&realistic(), Lang::En, today(), now_ms());
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<style>") && html.contains("@media print"));
    assert!(html.contains("section.major { break-before: page;"));
    assert!(html.contains("default-src 'none'"), "a policy that forbids anything from outside");
    for outside in ["<script", "<link", "<img", "src=", "url(", "@import", "http://", "@font-face"] {
        assert!(!html.contains(outside), "the page must not load {outside:?}");
    }
    assert!(html.contains("<h2>Program: planned and actual</h2>"));
    assert!(html.contains("<th class=\"num\">Overrun (min)</th>"));
}
