//! The pure core of Heisessie.
//!
//! This crate does no IO, spawns no tasks, reads no clock and knows no wire format:
//! everything here is a function of its arguments, so that it can be tested as data
//! tables and reused unchanged behind any storage or transport.

pub mod board;
pub mod catalog;
pub mod content_plan;
pub mod follow_up;
pub mod language;
pub mod model;
pub mod model_file;
pub mod planner;
pub mod responsibility;
pub mod session;
pub mod smart;
pub mod strategy;
pub mod text;
pub mod timebox;
pub mod timer;
pub mod tracking;

pub use language::{Lang, Localized};
pub use model::{Model, ModelPart, Priority, WorkspaceKind};
