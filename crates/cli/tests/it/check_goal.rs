//! `heisessie check-goal`: the JSON shape, the two examples of the issue, and bad flags.

use std::process::Command;

use serde_json::Value;

fn check(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_heisessie")).arg("check-goal").args(args).output().expect("the binary runs")
}

#[test]
fn check_goal_prints_a_verdict_per_letter() {
    let seed = "Voor het eind van dit jaar haalt ons bedrijf minimaal 10% meer omzet dan vorig jaar, door het €1000,- marketing overschot van vorig jaar te investeren in maandelijkse social media marketing.";
    let output = check(&["--lang", "nl", seed]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    for letter in ["S", "M", "A", "R", "T"] {
        assert_eq!(json[letter]["verdict"], "holds", "{letter}: {json}");
        assert!(json[letter]["reason"].as_str().is_some_and(|r| !r.is_empty()));
        assert!(json[letter]["suggestion"].is_string());
    }
    assert_eq!(json.as_object().map(|o| o.len()), Some(5));

    let output = check(&["We willen meer omzet."]);
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    for letter in ["S", "M", "T"] {
        assert_ne!(json[letter]["verdict"], "holds", "{letter}: {json}");
        assert!(!json[letter]["suggestion"].as_str().unwrap_or_default().is_empty());
    }
    let output = check(&[
        "--lang",
        "en",
        "--baseline",
        "100",
        "--target",
        "110",
        "--deadline",
        "2099-12-31",
        "--owner",
        "Sales team",
        "--means",
        "two extra fairs",
        "--metric",
        "revenue",
        "More revenue.",
    ]);
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(["S", "M", "A", "R", "T"].iter().all(|l| json[*l]["verdict"] == "holds"), "the fields complete it: {json}");
}

#[test]
fn bad_check_goal_flags_exit_2_naming_them() {
    for (args, name) in [
        (vec!["--lang", "de", "x"], "--lang"),
        (vec!["--lang", "nl"], "TEXT"),
        (vec!["--deadline", "31-12", "x"], "--deadline"),
        (vec!["--baseline", "veel", "x"], "--baseline"),
    ] {
        let output = check(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(name), "{args:?} names {name}: {stderr}");
    }
}
