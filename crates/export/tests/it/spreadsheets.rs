//! The CSV files of a realistic session, read back with the `csv` crate.

use heisessie_domain::Lang;
use heisessie_export::csv_export::{actions_csv, content_calendar_csv};

use crate::helpers::realistic;

fn read(csv: &str) -> Vec<Vec<String>> {
    assert!(csv.starts_with('\u{FEFF}'), "a byte order mark for Excel");
    assert!(csv.ends_with("\r\n"));
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv.as_bytes());
    reader.records().map(|record| record.expect("a valid record").iter().map(str::to_owned).collect()).collect()
}

#[test]
fn actions_round_trip_through_a_csv_reader() {
    let state = realistic();
    let rows = read(&actions_csv(&state, Lang::Nl));
    assert_eq!(rows[0], ["Actie", "Eigenaar", "Deadline", "Status", "Onderdeel", "Verantwoordelijkheid", "Bron"]);
    assert_eq!(rows.len(), state.strategy.actions.len() + 1);
    assert_eq!(
        rows[1],
        [
            "Eerste bakvideo opnemen",
            "Joris",
            "2027-01-15",
            "klaar",
            "Brainstorm contentideeën",
            "Content",
            "Idee: Bakvideo op zaterdag"
        ]
    );
    assert_eq!(
        rows[5],
        [
            "Omzetcijfers 2026 opvragen bij de boekhouder",
            "",
            "",
            "open",
            "SMART-doelen",
            "",
            "Notities bij: SMART-doelen"
        ]
    );
    let english = read(&actions_csv(&state, Lang::En));
    assert_eq!(english[0], ["Action", "Owner", "Deadline", "Status", "Part", "Responsibility", "Source"]);
    assert_eq!(english[1][3], "done");
}

#[test]
fn the_content_calendar_round_trips_through_a_csv_reader() {
    let state = realistic();
    let rows = read(&content_calendar_csv(&state, Lang::Nl));
    assert_eq!(rows[0], ["Datum", "Kanaal", "Vorm", "Eigenaar"]);
    assert_eq!(rows[1], ["2027-01-05", "Instagram", "Socialmediapost", "Joris"]);
    assert_eq!(rows.len(), 11);
    assert!(rows.iter().any(|row| row[1..] == ["E-mail", "Nieuwsbrief", ""]), "a line nobody took on");
}
