//! A session in which every text is hostile, exported in every format: nothing a
//! participant typed may become markup, a formula, a new calendar property or a bidi
//! override that runs past its own text.

use heisessie_domain::Lang;
use heisessie_domain::session::SessionState;
use heisessie_export::csv_export::{actions_csv, content_calendar_csv};
use heisessie_export::deck::deck_html;
use heisessie_export::ics::{action_calendar, content_calendar, session_calendar};
use heisessie_export::report::{report_html, report_markdown};
use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::helpers::hostile::{FORMULA, IMG, SCRIPT};
use crate::helpers::{hostile, now_ms, stamp, today};

/// The tags and attributes our HTML uses; anything else came from a participant.
const TAGS: &[&str] = &[
    "!doctype", "html", "head", "meta", "title", "style", "body", "header", "footer", "main", "nav", "section", "h1",
    "h2", "h3", "h4", "p", "div", "span", "strong", "br", "a", "ol", "ul", "li", "dl", "dt", "dd", "table", "thead",
    "tbody", "tr", "th", "td",
];
const ATTRIBUTES: &[&str] = &["lang", "charset", "name", "content", "http-equiv", "class", "id", "href", "title"];

/// Checks every tag of an HTML page against the lists above and every link against the page.
fn assert_only_our_markup(html: &str, what: &str) {
    // The style sheet is ours and holds `>` as a CSS combinator: leave it out.
    let (before, rest) = html.split_once("<style>").unwrap_or((html, ""));
    let after = rest.split_once("</style>").map_or("", |(_, after)| after);
    for segment in [before, after] {
        for tag in segment.split('<').skip(1) {
            let inside =
                tag.split_once('>').map(|(inside, _)| inside).unwrap_or_else(|| panic!("{what}: unclosed <{tag}"));
            let inside = inside.trim_start_matches('/').trim_end_matches('/');
            let mut words = inside.split_whitespace();
            let name = words.next().unwrap_or_default().to_ascii_lowercase();
            assert!(TAGS.contains(&name.as_str()), "{what}: a tag we never write: <{inside}>");
            if name == "!doctype" {
                continue;
            }
            // Attribute values are quoted and escaped, so a value never holds `"`.
            let mut attributes = inside[name.len()..].trim();
            while !attributes.is_empty() {
                let (attribute, value_and_rest) =
                    attributes.split_once("=\"").unwrap_or_else(|| panic!("{what}: odd attributes in <{inside}>"));
                let (value, rest) =
                    value_and_rest.split_once('"').unwrap_or_else(|| panic!("{what}: unquoted value in <{inside}>"));
                assert!(ATTRIBUTES.contains(&attribute.trim()), "{what}: attribute {attribute:?} in <{inside}>");
                if attribute.trim() == "href" {
                    assert!(value.starts_with('#'), "{what}: a link off the page: {value}");
                }
                attributes = rest.trim();
            }
        }
    }
}

/// Every bidi override sits inside an isolate, and every isolate is closed by the end
/// of the text (a line, a field).
fn assert_bidi_contained(text: &str, what: &str) {
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '\u{2066}'..='\u{2068}' => depth += 1,
            '\u{2069}' => depth = depth.saturating_sub(1),
            '\u{202A}'..='\u{202E}' => assert!(depth > 0, "{what}: a bidi override outside an isolate"),
            _ => {}
        }
    }
    assert_eq!(depth, 0, "{what}: an isolate left open");
}

fn session() -> SessionState {
    hostile()
}

#[test]
fn html_exports_hold_hostile_text_as_text() {
    let state = session();
    for lang in Lang::ALL {
        let pages =
            [("report", report_html(&state, lang, today(), now_ms())), ("deck", deck_html(&state, lang, today()))];
        for (what, html) in pages {
            let lower = html.to_lowercase();
            assert!(!lower.contains("<script"), "{what}: a script tag");
            assert!(!lower.contains("<img"), "{what}: an image tag");
            assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{what}: the text is kept, escaped");
            assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{what}: the text is kept, escaped");
            assert_only_our_markup(&html, what);
            for line in html.lines() {
                assert_bidi_contained(line, what);
            }
        }
    }
}

fn markdown_texts(markdown: &str) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut problems = Vec::new();
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::Html(html) | Event::InlineHtml(html) => problems.push(format!("HTML: {html}")),
            Event::Start(Tag::Link { dest_url, .. }) => problems.push(format!("link to {dest_url}")),
            Event::Start(Tag::Image { dest_url, .. }) => problems.push(format!("image {dest_url}")),
            Event::Start(Tag::BlockQuote(_)) => problems.push("a block quote".to_owned()),
            Event::Start(Tag::CodeBlock(_)) => problems.push("a code block".to_owned()),
            Event::Start(Tag::Strikethrough) => problems.push("strike-through".to_owned()),
            Event::TaskListMarker(_) => problems.push("a task list".to_owned()),
            _ => {}
        }
    }
    (text, problems)
}

/// The pipes that separate cells (not the escaped ones in a cell's text).
fn cell_separators(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '|' => count += 1,
            _ => {}
        }
    }
    count
}

#[test]
fn markdown_holds_hostile_text_as_text() {
    let state = session();
    for lang in Lang::ALL {
        let markdown = report_markdown(&state, lang, today(), now_ms());
        let (text, problems) = markdown_texts(&markdown);
        assert!(problems.is_empty(), "{lang:?}: user text became Markdown syntax: {problems:?}");
        for hostile in [SCRIPT, IMG, FORMULA, "[klik](javascript:alert(1))", "| a | b |"] {
            assert!(text.contains(hostile), "{lang:?}: {hostile:?} is shown as written");
        }
        let mut columns = None;
        for line in markdown.lines() {
            assert_bidi_contained(line, "a Markdown line");
            let first = line.chars().next();
            match first {
                Some('#') => {
                    let level = line.chars().take_while(|c| *c == '#').count();
                    assert!((1..=4).contains(&level) && line[level..].starts_with(' '), "not our heading: {line}");
                }
                Some('-') => {
                    let item = line.strip_prefix("- ").unwrap_or_else(|| panic!("not our list item: {line}"));
                    // Our items start with text or with a bold label; a user's text cannot.
                    let digits = item.chars().take_while(char::is_ascii_digit).count();
                    let opens_block = item.starts_with(['-', '+', '#', '>', '|', '='])
                        || item.starts_with("* ")
                        || (digits > 0 && item[digits..].starts_with(['.', ')']));
                    assert!(!opens_block, "a list item's text opens a block: {line}");
                }
                Some('|') => {
                    let count = cell_separators(line);
                    let expected = *columns.get_or_insert(count);
                    assert_eq!(count, expected, "a table row with a different number of cells: {line}");
                }
                Some('>' | '=' | '+' | '<' | ' ' | '\t') => panic!("a line opens a block: {line:?}"),
                _ => {}
            }
            if first != Some('|') {
                columns = None;
            }
        }
    }
}

#[test]
fn calendars_hold_hostile_text_in_escaped_folded_lines() {
    let state = session();
    let calendars = [
        ("session", session_calendar(&state, "https://heisessie.example/s/x,y;z", "p;1,2", stamp())),
        ("actions", action_calendar(&state, None, "p;1,2", stamp())),
        ("content", content_calendar(&state, "p;1,2", stamp())),
    ];
    for (what, ics) in calendars {
        assert!(ics.ends_with("END:VCALENDAR\r\n"), "{what}");
        for line in ics.split_terminator("\r\n") {
            assert!(line.len() <= 75, "{what}: a line of {} octets: {line}", line.len());
            assert!(!line.contains(['\r', '\n']), "{what}: a bare line break in {line:?}");
        }
        let unfolded = icalendar::parser::unfold(&ics);
        for line in unfolded.split_terminator("\r\n") {
            let name = line.split([':', ';']).next().unwrap_or_default();
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '-'),
                "{what}: a line that is no property: {line:?}"
            );
        }
        let calendar = icalendar::parser::read_calendar(&unfolded).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(!calendar.components.is_empty(), "{what}: no events");
        for event in &calendar.components {
            for property in ["SUMMARY", "DESCRIPTION"] {
                let value = event.find_prop(property).map(|p| p.val.as_str().to_owned()).unwrap_or_default();
                for paragraph in value.split('\n') {
                    assert_bidi_contained(paragraph, what);
                }
            }
            let uid = event.find_prop("UID").map(|p| p.val.as_str().to_owned()).unwrap_or_default();
            assert!(uid.ends_with("@heisessie"), "{what}: {uid}");
        }
    }
}

#[test]
fn hostile_action_titles_come_back_from_the_calendar_exactly() {
    let state = session();
    let ics = action_calendar(&state, None, "p", stamp());
    let unfolded = icalendar::parser::unfold(&ics);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("a calendar");
    let summaries: Vec<String> = calendar
        .components
        .iter()
        .filter_map(|event| event.find_prop("SUMMARY").map(|p| p.val.as_str().to_owned()))
        .collect();
    let titles: Vec<String> = state
        .strategy
        .actions
        .iter()
        .map(|a| heisessie_export::escape::isolate_bidi(a.title.as_str()).into_owned())
        .collect();
    assert_eq!(summaries, titles);
}

/// Strips the quoted parts of CSV text, leaving what separates fields and records.
fn outside_quotes(csv: &str) -> String {
    let mut quoted = false;
    csv.chars()
        .filter(|c| {
            if *c == '"' {
                quoted = !quoted;
            }
            !quoted && *c != '"'
        })
        .collect()
}

#[test]
fn csv_cells_cannot_run_as_formulas() {
    let state = session();
    for lang in Lang::ALL {
        for (what, csv) in [("actions", actions_csv(&state, lang)), ("content", content_calendar_csv(&state, lang))] {
            let records = outside_quotes(&csv);
            assert!(!records.replace("\r\n", "").contains(['\r', '\n']), "{what}: records end in CRLF only");
            let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv.as_bytes());
            let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("valid CSV");
            assert!(!rows.is_empty(), "{what}");
            for row in &rows {
                for cell in row {
                    assert!(
                        !cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']),
                        "{what}: the cell {cell:?} could run as a formula"
                    );
                    assert_bidi_contained(cell, what);
                }
            }
        }
    }
    let csv = actions_csv(&state, Lang::Nl);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let titles: Vec<String> =
        reader.records().map(|row| row.expect("a row").get(0).unwrap_or_default().to_owned()).collect();
    let expected = [
        "'=SUM(A1)",
        "'+1",
        "'-1",
        "'@cmd",
        SCRIPT,
        IMG,
        "\u{2068}\u{202E}gnp.exe\u{2069}",
        "../../etc/passwd",
        "a;b, c; d,e",
    ];
    assert_eq!(titles[..expected.len()], expected.map(str::to_owned));
    assert!(titles[9].starts_with("eerste regel\ntweede regel\n<script>"), "line breaks stay in their cell");
}

/// Checks that every `label` in `text` stands outside any isolate opened on its line, so
/// that an override in a participant's text before it cannot turn it around.
fn assert_outside_isolates(text: &str, label: &str, what: &str) {
    let mut found = 0;
    for line in text.lines() {
        for (at, _) in line.match_indices(label) {
            found += 1;
            let mut depth = 0usize;
            for c in line[..at].chars() {
                match c {
                    '\u{2066}'..='\u{2068}' => depth += 1,
                    '\u{2069}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            assert_eq!(depth, 0, "{what}: {label:?} inside an isolate in {line:?}");
        }
    }
    assert!(found > 0, "{what}: {label:?} not found");
}

#[test]
fn our_words_after_hostile_text_keep_their_direction() {
    let state = session();
    let markdown = report_markdown(&state, Lang::Nl, today(), now_ms());
    let html = report_html(&state, Lang::Nl, today(), now_ms());
    let deck = deck_html(&state, Lang::Nl, today());
    // The persona's name holds an override; the label after it is ours.
    assert_outside_isolates(&markdown, "(primaire persona)", "markdown");
    assert_outside_isolates(&html, "(primaire persona)", "html");
    assert_outside_isolates(&deck, "(primaire persona)", "deck");
    // "name — owner" of a responsibility whose owner's name holds an override.
    assert_outside_isolates(&markdown, " — ", "markdown");
    // A form of the content plan holds an override; " · channel" after it is ours.
    let ics = content_calendar(&state, "p", stamp());
    let unfolded = icalendar::parser::unfold(&ics);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("a calendar");
    let summaries: Vec<String> = calendar
        .components
        .iter()
        .filter_map(|event| event.find_prop("SUMMARY").map(|p| p.val.as_str().to_owned()))
        .collect();
    assert_outside_isolates(&summaries.join("\n"), " · ", "content calendar");
}
