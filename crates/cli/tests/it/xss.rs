//! The XSS corpus (`xss_payloads.txt`, at least 50 payloads) put into every text a
//! person can type: the session's title and organisation, display names, part titles,
//! stickies, group labels, notes, end goals, SMART goals and their fields, personas, the
//! core message with its competitors and content plan, ideas, actions and
//! responsibilities. Then, in real Chromium, the room with every workspace, the join,
//! prepare and follow-up pages and the HTML exports (opened from disk, as a team takes
//! them home) run none of it and hold no element or attribute a payload brought; and
//! every export carries the payloads only escaped.

use std::time::Duration;

use anyhow::{Context as _, bail};
use heisessie_server::live::LiveConfig;
use heisessie_server::rooms::RoomConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{self, Browser, Context, Page};
use crate::helpers::{LiveClient, Session, TestApp, spawn_app_with, token_of};

/// The corpus, numbered: `{n}` in a line becomes its number.
fn payloads() -> Vec<String> {
    include_str!("xss_payloads.txt")
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .enumerate()
        .map(|(n, line)| line.replace("{n}", &n.to_string()))
        .collect()
}

/// The payloads packed, in order, into texts of at most `max` characters.
fn pack(payloads: &[String], max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for payload in payloads {
        match out.last_mut() {
            Some(last) if last.chars().count() + 1 + payload.chars().count() <= max => {
                last.push(' ');
                last.push_str(payload);
            }
            _ => out.push(payload.clone()),
        }
    }
    out
}

/// The payloads spread over `count` texts (for lists with a cap).
fn spread(payloads: &[String], count: usize) -> Vec<String> {
    let mut out = vec![String::new(); count.min(payloads.len())];
    let len = out.len();
    for (i, payload) in payloads.iter().enumerate() {
        let text = &mut out[i % len];
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(payload);
    }
    out
}

/// Tallies what went where, for the figures in docs/reliability.md.
#[derive(Default)]
struct Tally {
    fields: Vec<(&'static str, usize)>,
}

impl Tally {
    fn add(&mut self, field: &'static str, payloads: usize) {
        self.fields.push((field, payloads));
    }
    fn total(&self) -> usize {
        self.fields.iter().map(|(_, n)| n).sum()
    }
}

/// Sends an op and insists on its ack; waits out a rate limit.
async fn must(client: &mut LiveClient, n: &mut u64, op: Value) -> Value {
    loop {
        *n += 1;
        let answer = client.call(&format!("x{n}"), op.clone()).await;
        if answer["code"] == "rate_limited" {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        assert_eq!(answer["type"], "ack", "{op} → {answer}");
        return answer;
    }
}

/// An HTTP call that must succeed; waits out a rate limit (429).
async fn http(app: &TestApp, method: Method, path: &str, credential: Option<&str>, body: Value) -> Value {
    loop {
        let (status, answer) = app.send(method.clone(), path, credential, Some(body.clone())).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            tokio::time::sleep(Duration::from_millis(1100)).await;
            continue;
        }
        assert!(status.is_success(), "{method} {path} {body} → {status} {answer}");
        return answer;
    }
}

const KINDS: [&str; 7] = ["board", "end_goals", "smart_goals", "personas", "core_message", "actions", "notes"];

struct Filled {
    session: Session,
    fay: LiveClient,
    /// The first added part of each workspace kind, with its title.
    parts_by_kind: Vec<(&'static str, u64, String)>,
    participant_link: String,
    /// The credential of a participant without a role.
    participant: String,
    tally: Tally,
    /// The title and organisation texts, applied one after another.
    title_rounds: Vec<String>,
}

/// A meeting link that passes the check (http(s), no space, quote or angle bracket) yet
/// tries to leave an attribute quoted with `'` and to run a template.
const MEETING_LINK: &str = "https://meet.x.test/'onmouseover='__xss(900)'/`${__xss(901)}`/{{__xss(902)}}";

/// Links a meeting link may not be: each is refused and changes nothing.
const BAD_MEETING_LINKS: [&str; 7] = [
    "javascript:__xss(910)",
    "jAvAsCrIpT:__xss(911)",
    " javascript:__xss(912)//https://x.test",
    "data:text/html,<script>__xss(913)</script>",
    "https://x.test/\"onmouseover=\"__xss(914)",
    "https://x.test/<script>__xss(915)</script>",
    "https://x.test/ onmouseover=__xss(916)",
];

/// A model file (TOML) whose every text is payloads: one part of each workspace kind.
fn model_file(p: &[String]) -> String {
    let quoted = |text: &str| serde_json::to_string(text).expect("a string");
    let titles = pack(p, 120);
    let explanations = pack(p, 1000);
    let questions: Vec<String> = pack(p, 300).iter().map(|q| quoted(q)).collect();
    assert!(questions.len() <= 10, "the questions fit a part");
    let mut file = format!(
        "id = \"xss\"\nname = {}\ndescription = {}\ncredit = {}\n",
        quoted(&titles[0]),
        quoted(&explanations[0]),
        quoted(&pack(p, 200)[0])
    );
    for (i, kind) in KINDS.iter().enumerate() {
        file.push_str(&format!(
            "\n[[parts]]\nkey = \"part{i}\"\ntitle = {}\nexplanation = {}\nquestions = [{}]\nminutes = 20\nworkspace = \"{kind}\"\n",
            quoted(&titles[i % titles.len()]),
            quoted(&explanations[i % explanations.len()]),
            questions.join(", ")
        ));
    }
    file
}

/// A session with the corpus in every text field.
async fn fill(app: &TestApp, p: &[String]) -> Filled {
    let mut tally = Tally::default();
    let title_rounds = pack(p, 120);
    let session = app
        .create_session(json!({
            "title": title_rounds[0], "organisation": title_rounds[1], "language": "nl", "model_file": model_file(p),
            "meeting_link": MEETING_LINK,
            "facilitator_name": p[0], "settings": {"start": "2026-12-03T09:00", "time_zone": "Europe/Amsterdam"}
        }))
        .await;
    tally.add("session title", p.len());
    tally.add("session organisation", p.len());
    tally.add("meeting link (1 accepted, 7 refused)", 1 + BAD_MEETING_LINKS.len());
    tally.add("model file: part titles, explanations, questions", 3 * p.len());
    tally.add(
        "model file: name, description, credit",
        [120, 1000, 200].map(|max| p.iter().filter(|x| pack(p, max)[0].contains(x.as_str())).count()).iter().sum(),
    );
    let path = format!("/api/sessions/{}", session.id);
    // The model's parts, one of each workspace kind, are the ones the room is checked on.
    let view = app.session(&session, &session.facilitator).await;
    let parts_by_kind: Vec<(&'static str, u64, String)> = KINDS
        .iter()
        .map(|kind| {
            let part = view["parts"]
                .as_array()
                .and_then(|parts| parts.iter().find(|part| part["workspace"] == *kind))
                .unwrap_or_else(|| panic!("a {kind} part in {view}"));
            (*kind, part["id"].as_u64().expect("an id"), part["title"].as_str().expect("a title").to_owned())
        })
        .collect();

    // Display names: one person per payload.
    let mut people = Vec::new();
    let mut participant = String::new();
    for name in &p[1..] {
        let joined = http(
            app,
            Method::POST,
            &format!("{path}/join"),
            None,
            json!({"token": token_of(&session.participant_link), "display_name": name}),
        )
        .await;
        people.push(joined["participant_id"].as_u64().expect("an id"));
        if participant.is_empty() {
            participant = joined["credential"].as_str().expect("a credential").to_owned();
        }
    }
    tally.add("display names", p.len());

    // Part titles added in the session, cycling through every workspace.
    let mut all_parts = Vec::new();
    for (i, title) in pack(p, 120).iter().enumerate() {
        let kind = KINDS[i % KINDS.len()];
        let body = json!({"title": title, "minutes": 10, "workspace": kind});
        let view = http(app, Method::POST, &format!("{path}/parts"), Some(&session.facilitator), body).await;
        let part = view["parts"]
            .as_array()
            .and_then(|parts| parts.iter().find(|part| part["title"] == title.as_str()))
            .and_then(|part| part["id"].as_u64())
            .unwrap_or_else(|| panic!("the new part is in {view}"));
        all_parts.push(part);
    }
    tally.add("part titles", p.len());

    let mut fay = app.connect_live(&session, &session.facilitator, None).await;
    let mut n = 0;
    let board = parts_by_kind[0].1;

    // Stickies, and group labels over pairs of them.
    for (i, text) in p.iter().enumerate() {
        let (x, y) = (40 + (i % 10) as i32 * 180, 40 + (i / 10) as i32 * 180);
        let op = json!({"type": "create_sticky", "part_id": board, "text": text, "x": x, "y": y, "colour": "yellow"});
        must(&mut fay, &mut n, op).await;
    }
    tally.add("sticky text", p.len());
    // The events of our own ops may follow their acks: read up to the session's seq.
    let seq = app.session(&session, &session.facilitator).await["seq"].as_u64().expect("a seq");
    while fay.seq < seq {
        fay.next_within(Duration::from_secs(15)).await.expect("the events arrive");
    }
    let stickies: Vec<u64> = fay
        .events
        .iter()
        .filter(|e| e["event"]["type"] == "sticky_created")
        .map(|e| e["event"]["sticky"]["id"].as_u64().expect("an id"))
        .collect();
    assert_eq!(stickies.len(), p.len());
    for (pair, label) in stickies.chunks(2).zip(spread(p, p.len().div_ceil(2))) {
        must(&mut fay, &mut n, json!({"type": "group_stickies", "sticky_ids": pair, "label": label})).await;
    }
    tally.add("group labels", p.len());

    // Notes on each of the model's parts: all payloads at once.
    let notes = p.join("\n");
    for (_, part, _) in &parts_by_kind {
        must(&mut fay, &mut n, json!({"type": "set_notes", "part_id": part, "text": notes})).await;
    }
    tally.add("notes", p.len());

    // The strategy: every list gets one item per payload, every field of it the payload.
    for text in p {
        must(&mut fay, &mut n, json!({"type": "save_end_goal", "text": text})).await;
    }
    tally.add("end goals", p.len());
    let deadline = "2027-06-30";
    for text in p {
        let op = json!({"type": "save_smart_goal", "text": text, "metric": text, "baseline": 100.0, "target": 120.0,
            "deadline": deadline, "owner": text, "means": text, "reason": text});
        must(&mut fay, &mut n, op).await;
    }
    tally.add("SMART goal text", p.len());
    tally.add("SMART metric, owner, means, reason", 4 * p.len());
    let goal = fay.strategy()["smart_goals"][0]["id"].as_u64().expect("a goal");
    must(
        &mut fay,
        &mut n,
        json!({"type": "record_measurement", "goal_id": goal, "date": "2027-01-31", "value": 104.0}),
    )
    .await;
    for text in p {
        let mut op = json!({"type": "save_persona", "age": 40});
        for field in [
            "name",
            "field_of_work",
            "residence",
            "hobbies",
            "pain_points",
            "current_solutions",
            "triggers",
            "trigger_response",
            "desired_results",
            "channels",
            "objections",
        ] {
            op[field] = json!(text);
        }
        must(&mut fay, &mut n, op).await;
    }
    tally.add("persona fields (11)", 11 * p.len());
    let persona = fay.strategy()["personas"][0]["id"].as_u64().expect("a persona");
    must(&mut fay, &mut n, json!({"type": "set_primary_persona", "id": persona})).await;

    let long = pack(p, 2000);
    let competitors: Vec<Value> = spread(p, 30)
        .into_iter()
        .map(|name| json!({"name": name, "has_it": false, "could_get_easily": true}))
        .collect();
    let plan: Vec<Value> = p
        .chunks(2)
        .map(|pair| {
            let form = pair.last().expect("a payload");
            json!({"channel": pair[0], "form": form, "count": 2, "per": "week", "owner_id": people[0]})
        })
        .collect();
    let op = json!({"type": "save_core_message", "usp": long[0], "life_improvement": long.get(1).unwrap_or(&long[0]),
        "answers": long.last(), "competitors": competitors, "plan": plan,
        "calendar_from": "2027-01-01", "calendar_to": "2027-01-31"});
    must(&mut fay, &mut n, op).await;
    tally.add("core message USP, life improvement, answers", p.len());
    tally.add("competitor names", p.len());
    tally.add("content plan channel and form", p.len());

    for text in p {
        must(&mut fay, &mut n, json!({"type": "add_idea", "text": text})).await;
    }
    tally.add("content ideas", p.len());
    for (i, text) in p.iter().enumerate() {
        let op = json!({"type": "save_action", "title": text, "owner_id": people[i % people.len()],
            "deadline": deadline, "part_id": all_parts[0]});
        must(&mut fay, &mut n, op).await;
    }
    tally.add("action titles", p.len());
    let actions: Vec<Value> =
        fay.strategy()["actions"].as_array().expect("actions").iter().map(|a| a["id"].clone()).collect();
    let bundles: Vec<Value> = spread(p, 30)
        .into_iter()
        .zip(actions.chunks(3))
        .map(|(name, ids)| json!({"name": name, "owner_id": people[1], "action_ids": ids}))
        .collect();
    must(&mut fay, &mut n, json!({"type": "set_responsibilities", "responsibilities": bundles})).await;
    tally.add("responsibility names", p.len());

    Filled {
        participant_link: session.participant_link.clone(),
        session,
        fay,
        parts_by_kind,
        participant,
        tally,
        title_rounds,
    }
}

// ---- Checks in Chromium --------------------------------------------------------------

/// Installed in every document before its own scripts: the marker the payloads call,
/// and a record of what the Content-Security-Policy blocked.
const WATCH: &str = r#"
window.__fired = [];
window.__xss = n => window.__fired.push(n);
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"#;

/// What a payload could have brought into the page, listed; empty when nothing did.
const INSPECT: &str = r#"(() => {
  const bad = [];
  if (window.__fired.length) bad.push('the marker fired: ' + window.__fired.join(','));
  if (window.__csp.length) bad.push('blocked by the CSP: ' + window.__csp.join(' | '));
  if (/^xss\d/.test(document.title)) bad.push('title ' + document.title);
  const urlish = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'background', 'poster'];
  const foreign = ['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'marquee', 'math',
    'maction', 'animate', 'set'];
  for (const e of document.querySelectorAll('*')) {
    const tag = e.localName.toLowerCase();
    for (const a of e.attributes) {
      const name = a.name.toLowerCase();
      const value = a.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
      if (name.startsWith('on')) bad.push(`<${tag} ${name}>`);
      if (urlish.includes(name) && /^(javascript|vbscript|data:text\/html)/.test(value)) bad.push(`<${tag} ${name}=${value}>`);
      if (name === 'srcdoc') bad.push(`<${tag} srcdoc>`);
      if (name === 'style' && /expression\(|javascript:/.test(value)) bad.push(`<${tag} style=${value}>`);
    }
    if (foreign.includes(tag)) bad.push(`<${tag}>`);
    // The app shell's own fallback is the body's; any other came with a text.
    if (tag === 'noscript' && e.parentElement !== document.body) bad.push('<noscript> inside the page');
    if (tag === 'img' && (e.getAttribute('src') ?? 'x').replace(/[`'"]/g, '') === 'x') bad.push('<img src=x>');
    if (tag === 'script') {
      const src = e.getAttribute('src');
      const ours = src && new URL(src, location.href).origin === location.origin && new URL(src, location.href).pathname.startsWith('/assets/');
      if (!ours) bad.push('<script> ' + e.outerHTML.slice(0, 80));
    }
    if (tag === 'meta' && (e.getAttribute('http-equiv') || '').toLowerCase() === 'refresh') bad.push('<meta refresh>');
    if (tag === 'link' && e.href && new URL(e.href).origin !== location.origin) bad.push('<link ' + e.href + '>');
    if (tag === 'style' && /__xss|javascript:/.test(e.textContent)) bad.push('<style> from a payload');
  }
  return bad;
})()"#;

/// How many of `payloads` the page shows as text.
async fn shown(page: &Page, payloads: &[String]) -> anyhow::Result<usize> {
    let list = serde_json::to_string(payloads)?;
    let count = page
        .eval(&format!(
            "(() => {{ const text = document.body.innerText.replace(/\\s+/g, ' '); \
             return {list}.filter(p => text.includes(p.replace(/\\s+/g, ' ').trim())).length; }})()"
        ))
        .await?;
    count.as_u64().map(|n| n as usize).context("a count")
}

/// Asserts nothing a payload brought is in `page`, and that payloads are shown as text.
async fn inspect(page: &Page, what: &str, payloads: &[String], checked: &mut Vec<String>) -> anyhow::Result<()> {
    let bad = page.eval(INSPECT).await?;
    let bad: Vec<String> = serde_json::from_value(bad)?;
    if !bad.is_empty() {
        bail!("{what}: {} finding(s): {bad:#?}", bad.len());
    }
    let seen = shown(page, payloads).await?;
    if seen == 0 {
        bail!("{what}: no payload is shown as text, so the check saw nothing");
    }
    checked.push(format!("{what} ({seen} payloads shown as text)"));
    Ok(())
}

/// A page in its own browser context, watched from its first script, that carries
/// `credential` for the session.
async fn watched_page(
    browser: &Browser,
    name: &str,
    base: &str,
    session: &Session,
    credential: &str,
) -> anyhow::Result<(Context, Page)> {
    let context = browser.new_context().await?;
    context.set_language("nl");
    let page = context.new_named_page(name).await?;
    page.call("Page.addScriptToEvaluateOnNewDocument", json!({"source": WATCH})).await?;
    page.call(
        "Network.setCookie",
        json!({"name": format!("hs_{}", session.id.replace('-', "")), "value": credential, "url": base}),
    )
    .await?;
    Ok((context, page))
}

// ---- Checks of the export files ----------------------------------------------------

/// Every start tag of an HTML text: its name and attribute names, read as a browser would
/// (quoted values skipped).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' && i + 1 < bytes.len() && bytes[i + 1].is_ascii_alphabetic() {
            let mut j = i + 1;
            while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' && bytes[j] != b'/' {
                j += 1;
            }
            let name = html[i + 1..j].to_ascii_lowercase();
            let mut attributes = Vec::new();
            loop {
                while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                    j += 1;
                }
                if j >= bytes.len() || bytes[j] == b'>' {
                    break;
                }
                let start = j;
                while j < bytes.len() && !bytes[j].is_ascii_whitespace() && !b"=>/".contains(&bytes[j]) {
                    j += 1;
                }
                let attribute = html[start..j].to_ascii_lowercase();
                let mut value = String::new();
                if j < bytes.len() && bytes[j] == b'=' {
                    j += 1;
                    if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                        let quote = bytes[j];
                        let from = j + 1;
                        j = from;
                        while j < bytes.len() && bytes[j] != quote {
                            j += 1;
                        }
                        value = html[from..j.min(bytes.len())].to_owned();
                        j += 1;
                    } else {
                        let from = j;
                        while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                            j += 1;
                        }
                        value = html[from..j].to_owned();
                    }
                }
                if j == start {
                    j += 1;
                }
                attributes.push((attribute, value));
            }
            out.push((name, attributes));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn check_html(file: &str, html: &str, payloads: &[String]) {
    for (tag, attributes) in tags(html) {
        assert!(
            !["script", "iframe", "object", "embed", "img", "svg", "math", "base", "form", "input", "link"]
                .contains(&tag.as_str()),
            "{file}: a <{tag}> element"
        );
        for (name, value) in attributes {
            assert!(!name.starts_with("on"), "{file}: <{tag} {name}={value}>");
            let value = value.to_ascii_lowercase();
            assert!(!value.trim_start().starts_with("javascript:"), "{file}: <{tag} {name}={value}>");
        }
    }
    for payload in payloads.iter().filter(|p| p.contains('<')) {
        assert!(!html.contains(payload.as_str()), "{file} holds the payload raw: {payload}");
    }
}

fn check_markdown(file: &str, md: &str, payloads: &[String]) {
    for payload in payloads.iter().filter(|p| p.contains('<') || p.contains("](")) {
        assert!(!md.contains(payload.as_str()), "{file} holds the payload raw: {payload}");
    }
    let bytes = md.as_bytes();
    for (i, window) in bytes.windows(2).enumerate() {
        if window[0] == b'<' && (window[1].is_ascii_alphabetic() || window[1] == b'/' || window[1] == b'!') {
            assert!(i > 0 && bytes[i - 1] == b'\\', "{file}: an unescaped tag at {}", &md[i..(i + 40).min(md.len())]);
        }
    }
}

/// RFC 5545 text escaping.
fn ics_escaped(text: &str) -> String {
    text.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n")
}

fn check_ics(file: &str, ics: &str, expected: &[String]) {
    let unfolded = ics.replace("\r\n ", "").replace("\r\n\t", "");
    let lines: Vec<&str> = unfolded.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.first(), Some(&"BEGIN:VCALENDAR"), "{file}");
    let begins = lines.iter().filter(|l| l.starts_with("BEGIN:")).count();
    let ends = lines.iter().filter(|l| l.starts_with("END:")).count();
    assert_eq!(begins, ends, "{file}: every BEGIN has its END");
    for line in &lines {
        let (name, value) = line.split_once(':').unwrap_or_else(|| panic!("{file}: a line without a name: {line}"));
        let property = name.split(';').next().unwrap_or_default();
        assert!(
            !property.is_empty() && property.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
            "{file}: every line starts with a property name: {line}"
        );
        if ["SUMMARY", "DESCRIPTION", "LOCATION"].contains(&property) {
            let bytes = value.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if *b == b',' || *b == b';' {
                    let slashes = bytes[..i].iter().rev().take_while(|c| **c == b'\\').count();
                    assert!(slashes % 2 == 1, "{file}: an unescaped {:?} in {line}", *b as char);
                }
            }
        }
    }
    for text in expected {
        assert!(unfolded.contains(&ics_escaped(text)), "{file} holds {text:?} escaped");
    }
}

/// RFC 4180 cells.
fn csv_cells(csv: &str) -> Vec<Vec<String>> {
    let mut rows = vec![Vec::new()];
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = csv.trim_start_matches('\u{FEFF}').chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => rows.last_mut().expect("a row").push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                rows.last_mut().expect("a row").push(std::mem::take(&mut cell));
                rows.push(Vec::new());
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() {
        rows.last_mut().expect("a row").push(cell);
    }
    rows.retain(|r| !r.is_empty());
    rows
}

fn check_csv(file: &str, csv: &str, expected: &[String]) {
    let rows = csv_cells(csv);
    let cells: Vec<&String> = rows.iter().flatten().collect();
    for cell in &cells {
        let start = cell.trim_start_matches(' ');
        if start.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            assert!(start.parse::<f64>().is_ok(), "{file}: a cell a spreadsheet would run: {cell:?}");
        }
    }
    for text in expected {
        assert!(cells.iter().any(|cell| cell.contains(text.as_str())), "{file} holds {text:?} in a cell");
    }
}

/// The report's PDF: no script in it, and Typst markup in a payload (`#let`, `*`, `_`,
/// `$`) typeset as text, not run as code.
fn check_pdf(pdf: &[u8], payloads: &[String]) {
    assert!(pdf.starts_with(b"%PDF-"), "report.pdf is a PDF");
    let raw = String::from_utf8_lossy(pdf);
    assert!(!raw.contains("/JavaScript") && !raw.contains("/JS "), "report.pdf holds no script");
    let squash = |text: &str| text.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let extracted = squash(&pdf_extract::extract_text_from_mem(pdf).expect("the PDF reads back"));
    let ascii: Vec<&String> = payloads.iter().filter(|p| p.is_ascii()).collect();
    let found = ascii.iter().filter(|p| extracted.contains(&squash(p))).count();
    assert!(found * 10 >= ascii.len() * 9, "report.pdf shows the payloads as text: {found} of {}", ascii.len());
}

async fn export(app: &TestApp, session: &Session, file: &str) -> Vec<u8> {
    let response = app
        .request(Method::GET, &format!("/api/sessions/{}/exports/{file}", session.id), Some(&session.facilitator))
        .send()
        .await
        .expect("the export answers");
    assert_eq!(response.status(), StatusCode::OK, "{file}");
    response.bytes().await.expect("the export's bytes").to_vec()
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("a text export is UTF-8")
}

#[tokio::test]
async fn the_xss_corpus_in_every_text_field_runs_nowhere_and_is_escaped_in_every_export() {
    let p = payloads();
    assert!(p.len() >= 50, "at least 50 payloads, got {}", p.len());
    assert!(p.iter().all(|p| p.chars().count() <= 60), "each payload fits a display name");

    let live = LiveConfig { ops_per_second: 100_000.0, ops_burst: 100_000.0, ..LiveConfig::default() };
    let app = spawn_app_with(RoomConfig::default(), live).await;
    let started = std::time::Instant::now();
    let Filled { session, mut fay, parts_by_kind, participant_link, participant, tally, title_rounds } =
        fill(&app, &p).await;
    let session = &session;

    // A meeting link that is no web address is refused, with its field, and changes nothing.
    let path = format!("/api/sessions/{}", session.id);
    for link in BAD_MEETING_LINKS {
        let before = app.session(session, &session.facilitator).await;
        let (status, answer) =
            app.send(Method::PATCH, &path, Some(&session.facilitator), Some(json!({"meeting_link": link}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{link}: {answer}");
        assert_eq!(answer["field"], "meeting_link", "{link}: {answer}");
        assert_eq!(app.session(session, &session.facilitator).await, before, "{link} changed nothing");
    }
    assert_eq!(app.session(session, &session.facilitator).await["meeting_link"], MEETING_LINK);

    // (b) Every export: HTML and Markdown escaped, calendars and CSV safe.
    let mut exports_checked = Vec::new();
    for file in ["report.html", "deck.html"] {
        check_html(file, &text(export(&app, session, file).await), &p);
        exports_checked.push(file);
    }
    check_markdown("report.md", &text(export(&app, session, "report.md").await), &p);
    exports_checked.push("report.md");
    check_ics("session.ics", &text(export(&app, session, "session.ics").await), &title_rounds[..1]);
    check_ics("actions.ics", &text(export(&app, session, "actions.ics").await), &p);
    check_ics("content.ics", &text(export(&app, session, "content.ics").await), &[]);
    exports_checked.extend(["session.ics", "actions.ics", "content.ics"]);
    check_csv("actions.csv", &text(export(&app, session, "actions.csv").await), &p);
    check_csv("content.csv", &text(export(&app, session, "content.csv").await), &[]);
    exports_checked.extend(["actions.csv", "content.csv"]);
    // The PDFs typeset (slow in a debug build) while Chromium looks at the pages.
    let pdfs = cfg!(feature = "pdf").then(|| {
        ["report.pdf", "deck.pdf"].map(|file| {
            let (client, credential) = (app.client.clone(), session.facilitator.clone());
            let url = app.url(&format!("/api/sessions/{}/exports/{file}", session.id));
            tokio::spawn(async move {
                let response = client.get(&url).bearer_auth(&credential).send().await.expect("the export answers");
                assert_eq!(response.status(), StatusCode::OK, "{url}");
                response.bytes().await.expect("the PDF's bytes").to_vec()
            })
        })
    });

    // (a) Chromium: the pages run nothing a payload brought.
    let browser = Browser::launch().await.expect("Chromium starts");
    let mut checked: Vec<String> = Vec::new();
    let dir = tempfile::tempdir().expect("a temp folder");
    browser::on_failure(&browser, "xss_corpus", async {
        let (_fay_context, page) = watched_page(&browser, "fay", &app.base, session, &session.facilitator).await?;
        let (_piet_context, piet) = watched_page(&browser, "piet", &app.base, session, &participant).await?;
        for (who, page) in [("facilitator", &page), ("participant", &piet)] {
            page.goto(&app.url(&format!("/s/{}", session.id))).await?;
            page.wait_for("document.querySelector('.status')?.dataset.status === 'saved'", Duration::from_secs(30))
                .await?;
            inspect(page, &format!("the room ({who})"), &p, &mut checked).await?;
        }
        let mut n = 10_000;
        for (kind, part, title) in parts_by_kind.clone() {
            must(&mut fay, &mut n, json!({"type": "go_to_part", "part_id": part})).await;
            let shows = match kind {
                // The board and the notes live beside the part; the others have a workspace.
                "board" | "notes" => format!(
                    "document.querySelector('.part-label')?.textContent.includes({:?})",
                    title.chars().take(20).collect::<String>()
                ),
                // Shown, and with its items rendered: every list holds the fourth payload, as
                // text or in a field to edit.
                _ => format!(
                    "(ws => ws?.dataset.kind === {kind:?} && !ws.hidden && (ws.innerText.includes({p3:?}) \
                     || [...ws.querySelectorAll('input, textarea')].some(f => f.value.includes({p3:?}))))\
                     (document.querySelector('.workspace'))",
                    p3 = p[3]
                ),
            };
            for (who, page) in [("facilitator", &page), ("participant", &piet)] {
                page.wait_for(&shows, Duration::from_secs(30)).await?;
                inspect(page, &format!("the room's {kind} workspace ({who})"), &p, &mut checked).await?;
            }
        }
        // The title and organisation, changed live, round after round.
        for (round, title) in title_rounds.iter().enumerate() {
            let organisation = &title_rounds[(round + 1) % title_rounds.len()];
            let body = json!({"title": title, "organisation": organisation});
            http(&app, Method::PATCH, &format!("/api/sessions/{}", session.id), Some(&session.facilitator), body).await;
            page.wait_for(
                &format!("document.querySelector('.room-title')?.textContent === {:?}", title.trim()),
                Duration::from_secs(30),
            )
            .await?;
            let bad: Vec<String> = serde_json::from_value(page.eval(INSPECT).await?)?;
            if !bad.is_empty() {
                bail!("the room with title round {round}: {bad:#?}");
            }
            check_html("report.html", &text(export(&app, session, "report.html").await), &p);
            check_markdown("report.md", &text(export(&app, session, "report.md").await), &p);
            check_html("deck.html", &text(export(&app, session, "deck.html").await), &p);
            check_ics("session.ics", &text(export(&app, session, "session.ics").await), &[title.trim().to_owned()]);
        }
        checked.push(format!("the room through {} live title/organisation rounds", title_rounds.len()));

        for (what, path) in [("the prepare page", "prepare"), ("the follow-up page", "follow-up")] {
            page.goto(&app.url(&format!("/s/{}/{path}", session.id))).await?;
            // Rendered: the fourth payload is in a part title and a SMART goal.
            page.wait_for(&format!("document.body?.innerText.includes({:?})", p[3]), Duration::from_secs(30)).await?;
            inspect(&page, what, &p, &mut checked).await?;
        }

        // The join page, as a newcomer with the participant link sees it.
        let newcomer = browser.new_context().await?;
        let join = newcomer.new_named_page("newcomer").await?;
        join.call("Page.addScriptToEvaluateOnNewDocument", json!({"source": WATCH})).await?;
        join.goto(&participant_link).await?;
        inspect(&join, "the join page", &p, &mut checked).await?;

        // The HTML exports opened from disk, as the team takes them home.
        for file in ["report.html", "deck.html"] {
            let path = dir.path().join(file);
            std::fs::write(&path, export(&app, session, file).await)?;
            page.goto(&format!("file://{}", path.display())).await?;
            inspect(&page, &format!("{file} from disk"), &p, &mut checked).await?;
        }

        // The inspection itself catches a payload that gets in: markup put in as HTML.
        page.goto(&app.url(&format!("/s/{}", session.id))).await?;
        page.eval("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=__xss(999)>')").await?;
        page.wait_for("window.__csp.length > 0", Duration::from_secs(15)).await?;
        let caught: Vec<String> = serde_json::from_value(page.eval(INSPECT).await?)?;
        assert!(caught.iter().any(|c| c.contains("onerror")), "the inspection sees an injected handler: {caught:?}");
        assert!(caught.iter().any(|c| c.contains("CSP")), "and what the CSP blocked: {caught:?}");
        anyhow::Ok(())
    })
    .await
    .expect("no payload runs in the pages");

    if let Some([report, deck]) = pdfs {
        check_pdf(&report.await.expect("report.pdf downloads"), &p);
        assert!(deck.await.expect("deck.pdf downloads").starts_with(b"%PDF-"), "deck.pdf is a PDF");
        exports_checked.extend(["report.pdf", "deck.pdf"]);
    }

    let fields = tally.fields.len();
    println!(
        "xss corpus: {} payloads, {} placements in {fields} fields; pages checked in Chromium: {}; exports checked: {} ({}); {:.1} s",
        p.len(),
        tally.total(),
        checked.len(),
        exports_checked.len(),
        exports_checked.join(", "),
        started.elapsed().as_secs_f64()
    );
    for (field, count) in &tally.fields {
        println!("  {field}: {count}");
    }
    for page in &checked {
        println!("  checked: {page}");
    }
    drop(browser);
    app.stop().await;
}
