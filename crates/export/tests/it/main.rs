//! The export crate's tests: golden files of every rendering of a realistic session, a
//! session full of hostile text exported in every format, and the calendars and CSV files
//! read back by real parsers.

mod calendars;
mod golden;
mod helpers;
mod hostile;
mod report;
mod spreadsheets;
