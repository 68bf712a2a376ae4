//! The domain's first invariant, checked: it reads no clock and does no IO. Time comes in
//! as an argument and every effect belongs to the server, so the core stays a function of
//! its inputs that tests can drive as data. This scans the crate's own sources for the
//! calls that would break that, comments aside.

use std::path::{Path, PathBuf};

/// What the domain never names, and why.
const FORBIDDEN: &[(&str, &str)] = &[
    ("Utc::now", "reads the clock"),
    ("Local::now", "reads the clock"),
    ("SystemTime", "reads the clock"),
    ("Instant::now", "reads the clock"),
    ("std::fs", "touches files"),
    ("File::open", "touches files"),
    ("File::create", "touches files"),
    ("std::net", "uses the network"),
    ("std::io", "does IO"),
    ("std::env", "reads the environment"),
    ("std::process", "starts or ends processes"),
    ("std::thread", "starts threads"),
    ("tokio", "is async"),
    ("async fn", "is async"),
    ("println!", "prints"),
    ("eprintln!", "prints"),
    ("print!", "prints"),
    ("eprint!", "prints"),
    ("dbg!", "prints"),
    ("rand::", "is random"),
    ("getrandom", "is random"),
];

/// Each forbidden name in `source` outside comments, as (line number, name, why).
fn violations(source: &str) -> Vec<(usize, &'static str, &'static str)> {
    source
        .lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let code = line.split("//").next().unwrap_or_default();
            Some((index + 1, code)).filter(|(_, code)| !code.trim().is_empty())
        })
        .flat_map(|(number, code)| {
            FORBIDDEN.iter().filter(move |(name, _)| code.contains(name)).map(move |(name, why)| (number, *name, *why))
        })
        .collect()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the source folder is readable") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn the_domain_reads_no_clock_and_does_no_io() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = rust_files(&src);
    assert!(files.len() > 10, "found the domain's sources: {files:?}");
    let mut found = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("a readable source file");
        for (line, name, why) in violations(&source) {
            found.push(format!("{}:{line}: `{name}` {why}", file.display()));
        }
    }
    assert!(found.is_empty(), "the domain must stay pure:\n{}", found.join("\n"));
}

#[test]
fn the_scan_finds_what_it_looks_for_and_skips_comments() {
    let source = "fn now() -> i64 {\n    // Utc::now would read the clock\n    chrono::Utc::now().timestamp()\n}\n\
                  fn save() { std::fs::write(\"x\", \"y\").ok(); } // and std::net in a comment\n";
    let found: Vec<(usize, &str)> = violations(source).into_iter().map(|(line, name, _)| (line, name)).collect();
    assert_eq!(found, [(3, "Utc::now"), (5, "std::fs")]);
}

#[test]
fn the_domain_depends_on_nothing_that_does_io_or_speaks_a_wire_format() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .expect("the domain's Cargo.toml");
    let dependencies: Vec<&str> = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split(['.', '=', ' ']).next())
        .filter(|name| !name.trim().is_empty() && !name.starts_with('#'))
        .collect();
    assert!(dependencies.contains(&"chrono"), "read the dependencies: {dependencies:?}");
    let io =
        ["tokio", "sqlx", "axum", "reqwest", "serde_json", "tracing", "rand", "getrandom", "uuid", "heisessie-store"];
    let found: Vec<&&str> = dependencies.iter().filter(|name| io.contains(name)).collect();
    assert!(found.is_empty(), "the domain must not depend on {found:?}");
}
