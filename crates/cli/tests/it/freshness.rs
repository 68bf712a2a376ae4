//! The browser's copy of the wire protocol against the server's: `web/protocol.js`
//! lists every op and event type and builds every op, and these tests fail the moment
//! the server's wire types (`crates/server/src/protocol.rs`) say otherwise.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use heisessie_server::protocol;

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web")
}

fn web_file(name: &str) -> String {
    let path = web_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{} is readable: {error}", path.display()))
}

/// The quoted strings of the array `const NAME = Object.freeze([ ... ])` in `source`.
fn js_list(source: &str, name: &str) -> Vec<String> {
    let start = format!("const {name} = Object.freeze([");
    let from = source.find(&start).unwrap_or_else(|| panic!("protocol.js declares {name}")) + start.len();
    let body = &source[from..from + source[from..].find("])").expect("the list ends")];
    body.split(',')
        .map(|item| item.trim())
        .filter(|item| !item.is_empty() && !item.starts_with("//"))
        .map(|item| item.trim_matches('\'').to_owned())
        .collect()
}

/// What one list has that the other lacks, for a message that says what to fix.
fn difference(server: &[String], client: &[String]) -> String {
    let server_set: BTreeSet<&String> = server.iter().collect();
    let client_set: BTreeSet<&String> = client.iter().collect();
    let missing: Vec<_> = server_set.difference(&client_set).collect();
    let extra: Vec<_> = client_set.difference(&server_set).collect();
    format!("missing in web/protocol.js: {missing:?}; unknown to the server: {extra:?}")
}

#[test]
fn protocol_js_lists_every_op_type_the_server_reads() {
    let server: Vec<String> = protocol::op_types().iter().map(|t| (*t).to_owned()).collect();
    assert!(server.contains(&"save_core_message".to_owned()), "the server's list is whole: {server:?}");
    let client = js_list(&web_file("protocol.js"), "OP_TYPES");
    assert_eq!(client, server, "{}", difference(&server, &client));
}

#[test]
fn protocol_js_lists_every_event_type_the_server_sends() {
    let server: Vec<String> = protocol::EVENT_TYPES.iter().map(|t| (*t).to_owned()).collect();
    let client = js_list(&web_file("protocol.js"), "EVENT_TYPES");
    assert_eq!(client, server, "{}", difference(&server, &client));
}

#[test]
fn protocol_js_has_a_builder_for_every_op() {
    let source = web_file("protocol.js");
    let builders = &source[source.find("export const ops = Object.freeze({").expect("the ops builders")..];
    let missing: Vec<&str> = protocol::op_types()
        .iter()
        .copied()
        .filter(|op| !builders.contains(&format!("type: '{op}'")) && !builders.contains(&format!("build('{op}'")))
        .collect();
    assert!(missing.is_empty(), "ops without a builder in web/protocol.js: {missing:?}");
}

#[test]
fn protocol_js_builds_every_client_message_the_server_reads() {
    let source = web_file("protocol.js");
    for message in protocol::client_message_types() {
        assert!(source.contains(&format!("type: '{message}'")), "web/protocol.js builds `{message}`");
    }
}

/// Only protocol.js spells the wire's op names; the rest of the client calls its builders.
#[test]
fn no_other_web_module_spells_an_op_type() {
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(web_dir()).expect("web/ is readable") {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if !name.ends_with(".js") || name == "protocol.js" {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("a readable module");
        for op in protocol::op_types() {
            if source.contains(&format!("'{op}'")) || source.contains(&format!("\"{op}\"")) {
                offenders.push(format!("{name}: {op}"));
            }
        }
    }
    assert!(offenders.is_empty(), "wire op names outside web/protocol.js: {offenders:?}");
}

/// The room's reducer knows every event the server sends (`vote_recorded` included,
/// which changes nothing but is named so that an unknown type stands out).
#[test]
fn the_rooms_reducer_handles_every_event_type() {
    let source = web_file("room-state.js");
    let missing: Vec<&str> =
        protocol::EVENT_TYPES.iter().copied().filter(|event| !source.contains(&format!("case '{event}':"))).collect();
    assert!(missing.is_empty(), "events web/room-state.js does not handle: {missing:?}");
}
