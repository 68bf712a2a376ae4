//! The `heisessie` binary: `plan` prints agendas, bad flags exit 2 naming the flag,
//! `serve` starts, answers and stops cleanly on SIGTERM without logging a token.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

fn heisessie(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_heisessie")).args(args).output().expect("the binary runs")
}

fn plan_json(args: &[&str]) -> Value {
    let mut all = vec!["plan", "--format", "json"];
    all.extend_from_slice(args);
    let output = heisessie(&all);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

fn time(value: &Value) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a time")).expect("RFC 3339")
}

#[test]
fn plan_prints_two_days_a_week_apart_with_no_work_stretch_over_90_minutes() {
    let agenda = plan_json(&[
        "--model",
        "heidag",
        "--max-hours",
        "5",
        "--days",
        "2",
        "--gap",
        "7d",
        "--start",
        "2026-12-03T09:00",
    ]);
    let days = agenda["days"].as_array().expect("days");
    assert_eq!(days.len(), 2);
    assert_eq!(days[0]["date"], "2026-12-03");
    assert_eq!(days[1]["date"], "2026-12-10");
    let mut titles = Vec::new();
    for day in days {
        let mut stretch = 0;
        let mut previous_end: Option<DateTime<FixedOffset>> = None;
        for block in day["blocks"].as_array().expect("blocks") {
            let (start, end) = (time(&block["start"]), time(&block["end"]));
            assert_eq!((end - start).num_minutes(), block["minutes"].as_i64().expect("minutes"));
            if let Some(previous) = previous_end {
                assert_eq!(previous, start, "blocks follow each other");
            }
            previous_end = Some(end);
            match block["kind"].as_str() {
                Some("part") => {
                    stretch += block["minutes"].as_i64().unwrap_or_default();
                    assert!(stretch <= 90, "a work stretch of {stretch} minutes in {day}");
                    titles.push(block["title"].as_str().unwrap_or_default().to_owned());
                }
                Some("break") => stretch = 0,
                other => panic!("unknown block kind {other:?}"),
            }
        }
        assert!(day["total_minutes"].as_u64().unwrap_or(999) <= 300);
    }
    titles.dedup();
    assert_eq!(
        titles,
        ["Modellen", "Einddoelen", "SMART-doelen", "Doelgroep: persona's", "Kernboodschap", "Actiepunten"]
    );
    assert!(agenda["warnings"].as_array().expect("warnings").is_empty(), "{agenda}");
}

#[test]
fn plan_without_a_start_plans_from_tomorrow_in_the_given_time_zone() {
    let agenda = plan_json(&["--model", "sostac", "--lang", "en", "--tz", "America/New_York"]);
    let first = &agenda["days"][0]["blocks"][0];
    assert_eq!(first["title"], "Situation");
    assert!(first["start"].as_str().unwrap_or_default().contains("T09:00:00-0"), "{first}");
}

#[test]
fn plan_warns_with_cuts_when_the_day_is_too_short() {
    let agenda = plan_json(&["--model", "heidag", "--max-hours", "3", "--start", "2026-12-03T09:00", "--lang", "en"]);
    let warnings = agenda["warnings"].as_array().expect("warnings");
    assert!(!warnings.is_empty());
    assert!(warnings.iter().all(|w| !w["message"].as_str().unwrap_or_default().is_empty()));
    let cuts: Vec<_> = warnings.iter().flat_map(|w| w["cuts"].as_array().cloned().unwrap_or_default()).collect();
    assert!(!cuts.is_empty(), "{agenda}");
}

#[test]
fn plan_prints_a_table_and_markdown_in_both_languages() {
    let table = heisessie(&["plan", "--start", "2026-12-03T09:00"]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("Koffiepauze") && table.contains("09:00–09:15"), "{table}");
    let markdown = heisessie(&["plan", "--start", "2026-12-03T09:00", "--lang", "en", "--format", "md"]);
    let markdown = String::from_utf8_lossy(&markdown.stdout);
    assert!(markdown.contains("| Time |") && markdown.contains("Coffee break"), "{markdown}");
}

#[test]
fn bad_plan_flags_exit_2_naming_the_flag() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let bad_model = dir.path().join("bad.toml");
    std::fs::write(&bad_model, "id = \"mijn-model\"\n\n[name]\nnl = \"Mijn model\"\nen = 3\n").expect("written");
    let bad_model = bad_model.to_string_lossy().into_owned();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--gap", "7x"], "--gap"),
        (vec!["--gap", "0d"], "--gap"),
        (vec!["--tz", "Mars/Olympus"], "--tz"),
        (vec!["--max-hours", "0"], "--max-hours"),
        (vec!["--max-hours", "vijf"], "--max-hours"),
        (vec!["--days", "3"], "--days"),
        (vec!["--days", "-1"], "--days"),
        (vec!["--start", "gisteren"], "--start"),
        (vec!["--format", "xml"], "--format"),
        (vec!["--lang", "de"], "--lang"),
        (vec!["--break-every", "10"], "--break-every"),
        (vec!["--model", "nonexistent-model"], "--model"),
        (vec!["--model", &bad_model], "line 5"),
        (vec!["--colour", "red"], "--colour"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["plan"];
        all.extend_from_slice(&args);
        let output = heisessie(&all);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?} should name {expected}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} printed an agenda");
    }
}

#[test]
fn serve_answers_on_its_address_and_stops_cleanly_on_sigterm_without_logging_tokens() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let data_dir = dir.path().join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_heisessie"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("HEISESSIE_DATA_DIR", &data_dir)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut log = String::new();
    let address = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).expect("a log line") > 0, "the server exited early: {log}");
        log.push_str(&line);
        if let Some(rest) = line.split("addr=").nth(1) {
            break rest.split_whitespace().next().expect("an address").to_owned();
        }
    };
    assert!(data_dir.join("heisessie.sqlite3").exists(), "the data folder is created");

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let tokens = runtime.block_on(async {
        let client = reqwest::Client::new();
        let health = client.get(format!("http://{address}/healthz")).send().await.expect("an answer");
        assert_eq!(health.status(), reqwest::StatusCode::OK);
        let created: Value = client
            .post(format!("http://{address}/api/sessions"))
            .json(&serde_json::json!({"title": "Heidag", "settings": {"start": "2026-12-03T09:00"}}))
            .send()
            .await
            .expect("an answer")
            .json()
            .await
            .expect("JSON");
        let link = created["participant_link"].as_str().expect("a link").to_owned();
        // Opening the link puts the token in a query string, which must not be logged.
        let page = client.get(&link).send().await.expect("an answer");
        assert_eq!(page.status(), reqwest::StatusCode::OK);
        [
            link.split("k=").nth(1).unwrap_or_default().to_owned(),
            created["credential"].as_str().unwrap_or_default().to_owned(),
        ]
    });

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
    assert!(status.success());
    let exit = child.wait().expect("the server exits");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("the rest of the log");
    log.push_str(&rest);
    assert!(exit.success(), "exit {exit:?}: {log}");
    assert!(log.contains("stopped"), "{log}");
    assert!(log.contains("/api/sessions"), "requests are logged: {log}");
    for token in tokens {
        assert!(!token.is_empty() && !log.contains(&token), "a token leaked into the log: {log}");
    }
}

#[test]
fn serve_with_an_unusable_data_folder_fails_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("written");
    let output = Command::new(env!("CARGO_BIN_EXE_heisessie"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(&file)
        .output()
        .expect("the binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot open the data folder"), "{stderr}");
    let bad_addr = heisessie(&["serve", "--addr", "somewhere"]);
    assert_eq!(bad_addr.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_addr.stderr).contains("--addr"));
}
