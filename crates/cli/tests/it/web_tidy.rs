//! Invariants of the browser client that no type checker holds for us: text reaches the
//! page only as text nodes, and every export is used by another module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web")
}

/// Every file under `web/`, with its path relative to `web/` and its text.
fn web_files() -> Vec<(String, String)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("a readable folder") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, base, out);
            } else {
                let name = path.strip_prefix(base).expect("under web/").display().to_string();
                out.push((name, std::fs::read_to_string(&path).expect("a text file")));
            }
        }
    }
    let mut files = Vec::new();
    walk(&web_dir(), &web_dir(), &mut files);
    assert!(files.iter().any(|(name, _)| name == "room.js"), "found the client: {:?}", web_dir());
    files
}

/// The client builds the page from text nodes (`dom.js`'s `el`), which is its XSS guarantee:
/// nothing may parse a string as HTML.
#[test]
fn no_web_file_parses_strings_as_html() {
    let mut offenders = Vec::new();
    for (name, text) in web_files() {
        for (number, line) in text.lines().enumerate() {
            for api in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "createContextualFragment"] {
                if line.contains(api) {
                    offenders.push(format!("web/{name}:{}: {api}", number + 1));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "HTML parsed from strings: {offenders:?}");
}

/// The names each module exports, by file name.
fn exports(modules: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut found = BTreeMap::new();
    for (name, text) in modules {
        let names: BTreeSet<String> = text
            .lines()
            .filter_map(|line| line.strip_prefix("export "))
            .filter_map(|rest| {
                let rest = rest.strip_prefix("async ").unwrap_or(rest);
                let rest = ["function ", "const ", "let ", "class "].iter().find_map(|kw| rest.strip_prefix(kw))?;
                let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).unwrap_or(rest.len());
                Some(rest[..end].to_owned())
            })
            .collect();
        found.insert(name.clone(), names);
    }
    found
}

/// The names imported from each module (`import { a, b as c } from './x.js'`), by file name.
fn imports(modules: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, text) in modules {
        let mut rest = text.as_str();
        while let Some(at) = rest.find("import {") {
            rest = &rest[at + "import {".len()..];
            let close = rest.find('}').expect("an import list ends");
            let names = &rest[..close];
            let after = &rest[close..];
            let from = after.find("from '").expect("an import names its module") + "from '".len();
            let module = &after[from..from + after[from..].find('\'').expect("a quoted module")];
            let module = module.trim_start_matches("./").to_owned();
            let entry = found.entry(module).or_default();
            for name in names.split(',') {
                let name = name.split(" as ").next().unwrap_or_default().trim();
                if !name.is_empty() {
                    entry.insert(name.to_owned());
                }
            }
            rest = after;
        }
    }
    found
}

/// An export nothing imports is dead weight that still has to be kept true.
#[test]
fn every_export_of_a_web_module_is_imported_by_another() {
    let modules: Vec<(String, String)> = web_files().into_iter().filter(|(name, _)| name.ends_with(".js")).collect();
    let imported = imports(&modules);
    let mut unused = Vec::new();
    for (module, names) in exports(&modules) {
        for name in names {
            if !imported.get(&module).is_some_and(|used| used.contains(&name)) {
                unused.push(format!("{module}: {name}"));
            }
        }
    }
    assert!(unused.is_empty(), "exported but never imported: {unused:?}");
}
