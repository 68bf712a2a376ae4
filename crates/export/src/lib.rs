//! Renderings of a session for people and other programs: the agenda now; the
//! report, the deck, calendars and CSV later. Pure functions: no IO, no clock.

pub mod agenda;
pub mod chart;
