//! The integration tests: the real server on port 0 with a fresh SQLite folder, real
//! HTTP clients, and the real `heisessie` binary for the command line.

mod after;
mod amplification;
mod api;
mod authz_matrix;
mod browser;
mod browser_board;
mod browser_catalogues;
mod browser_limits;
mod browser_phone;
mod browser_room;
mod browser_room_state;
mod browser_smoke;
mod check_goal;
mod cli;
mod crash;
mod disk_full;
mod exports;
mod fixture;
mod freshness;
mod helpers;
mod limits;
mod live;
mod load;
mod pages;
mod strategy;
mod web_tidy;
mod xss;
