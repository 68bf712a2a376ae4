//! Renderings of a session for people and other programs: the agenda, the report
//! (Markdown and HTML), the deck, calendars (iCalendar) and CSV. Pure functions: no IO,
//! no clock; the day, the moment and the links come in as arguments.

pub mod agenda;
pub mod chart;
pub mod csv_export;
pub mod deck;
mod derived;
pub mod escape;
pub mod ics;
pub mod locale;
pub mod report;
