//! `heisessie load` against the real server: a tiny workload ends by itself with a JSON
//! summary in which every move of one participant reached the others, once, in order.

use std::process::Command;

use serde_json::Value;

use crate::helpers::spawn_app;

fn heisessie(args: Vec<String>) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_heisessie")).args(args).output().expect("the binary runs")
}

#[tokio::test]
async fn a_tiny_load_reaches_every_participant_without_loss() {
    let app = spawn_app().await;
    // The server runs in this process, so its pid is ours.
    let args: Vec<String> = [
        "load",
        "--url",
        &app.base,
        "--sessions",
        "1",
        "--participants",
        "3",
        "--rate",
        "5",
        "--duration",
        "2",
        "--warmup",
        "0",
        "--server-pid",
        &std::process::id().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // The server needs this runtime while the generator runs.
    let output = tokio::task::spawn_blocking(move || heisessie(args)).await.expect("the generator ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("a JSON last line");
    let count = |key: &str| summary[key].as_u64().unwrap_or_else(|| panic!("{key} in {summary}"));
    assert!(count("deliveries") > 0, "{summary}");
    assert_eq!(count("deliveries"), count("deliveries_expected"), "{summary}");
    assert_eq!(count("lost"), 0, "{summary}");
    assert_eq!(count("duplicated"), 0, "{summary}");
    assert_eq!(count("out_of_order"), 0, "{summary}");
    assert_eq!(count("disconnects"), 0, "{summary}");
    // Five moves a second by each of three participants, for two seconds.
    assert!((20..=40).contains(&count("ops_acked")), "{summary}");
    assert!(summary["p99_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{summary}");
    assert!(summary["server_cpu_s"].as_f64().is_some(), "{summary}");
    assert!(summary["rss_kb_after"].as_u64().is_some_and(|kb| kb > 0), "{summary}");
    app.stop().await;
}

#[test]
fn bad_load_flags_exit_2_naming_the_flag() {
    let cases: [(&[&str], &str); 6] = [
        (&["--sessions", "0", "--participants", "3"], "--sessions"),
        (&["--sessions", "1", "--participants", "1"], "--participants"),
        (&["--sessions", "1", "--participants", "3", "--rate", "fast"], "--rate"),
        (&["--sessions", "1", "--participants", "3", "--duration", "-1"], "--duration"),
        (&["--sessions", "1", "--participants", "3", "--url", "http://192.0.2.1:80"], "--url"),
        (&["--participants", "3"], "--sessions"),
    ];
    for (args, flag) in cases {
        let mut all = vec!["load".to_owned()];
        all.extend(args.iter().map(|s| s.to_string()));
        let output = heisessie(all);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?} should name {flag}: {stderr}");
    }
}
