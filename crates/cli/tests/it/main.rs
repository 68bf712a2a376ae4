//! The integration tests: the real server on port 0 with a fresh SQLite folder, real
//! HTTP clients, and the real `heisessie` binary for the command line.

mod after;
mod api;
mod browser;
mod browser_limits;
mod browser_room;
mod browser_smoke;
mod check_goal;
mod cli;
mod exports;
mod helpers;
mod limits;
mod live;
mod load;
mod pages;
mod strategy;
