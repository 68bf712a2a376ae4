//! What happened: the events, their stored form, and how each folds into the state.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::value::{MapAccessDeserializer, StrDeserializer};
use serde::de::{DeserializeSeed, Error as _, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::board::{Colour, Group, GroupId, NoteText, Sticky, StickyId, StickyText, VoteRound};
use crate::planner::{PartId, PlannerSettings};
use crate::timebox::Timebox;
use crate::timer::Timer;

use super::state::{Participant, ParticipantId, ProgramPart, Role, SessionDetails, SessionState};
use super::strategy::StrategyEvent;

/// What happened: the only thing stored, and the only way the state changes.
///
/// Adjacently tagged (`{"type": …, "data": …}`): an internally tagged enum makes serde
/// buffer the fields, and buffered maps with numeric keys (votes per participant,
/// measurements per goal) then no longer read back.
///
/// The strategy events are nested in `Event::Strategy` but stored flat, each under its
/// own type as before: the derive below (`remote = "Self"`) writes and reads the other
/// events, and `Serialize`/`Deserialize` for `Event` further down hand the strategy
/// events to `StrategyEvent`. Use `serde_json` (the traits), never the inherent
/// `Event::serialize`/`Event::deserialize` the derive makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", tag = "type", content = "data", rename_all = "snake_case")]
pub enum Event {
    SessionCreated {
        state: Box<SessionState>,
    },
    DetailsChanged {
        details: SessionDetails,
    },
    SettingsChanged {
        settings: PlannerSettings,
    },
    PartAdded {
        part: ProgramPart,
        index: usize,
    },
    PartRemoved {
        part: PartId,
    },
    PartMoved {
        part: PartId,
        to_index: usize,
    },
    PartRetimed {
        part: PartId,
        minutes: Timebox,
    },
    ParticipantJoined {
        participant: Participant,
    },
    RoleAssigned {
        role: Role,
        participant: Option<ParticipantId>,
    },
    ParticipantRemoved {
        participant: ParticipantId,
    },
    PartChanged {
        part: PartId,
    },
    ModelsOverlay {
        open: bool,
    },
    TimerStarted {
        part: PartId,
        duration_ms: u64,
        at_ms: i64,
    },
    TimerPaused {
        at_ms: i64,
    },
    TimerResumed {
        at_ms: i64,
    },
    TimerExtended {
        by_ms: i64,
    },
    TimerReset {
        at_ms: i64,
    },
    TimerWarning {
        part: PartId,
        seconds_left: u32,
    },
    TimerEnded {
        part: PartId,
        at_ms: i64,
    },
    StickyCreated {
        sticky: Sticky,
    },
    StickyEdited {
        sticky: StickyId,
        text: StickyText,
    },
    StickyMoved {
        sticky: StickyId,
        x: i32,
        y: i32,
    },
    StickyRecoloured {
        sticky: StickyId,
        colour: Colour,
    },
    StickyResized {
        sticky: StickyId,
        width: u32,
        height: u32,
    },
    StickiesGrouped {
        group: Group,
        stickies: Vec<StickyId>,
    },
    Ungrouped {
        group: GroupId,
    },
    StickyDeleted {
        sticky: StickyId,
    },
    VoteOpened {
        part: PartId,
        votes_per_person: u32,
    },
    VoteCast {
        voter: ParticipantId,
        sticky: StickyId,
    },
    VoteRemoved {
        voter: ParticipantId,
        sticky: StickyId,
    },
    VoteClosed {
        part: PartId,
        tally: Vec<(StickyId, u32)>,
    },
    NotesSet {
        part: PartId,
        text: NoteText,
    },
    ExportsOpened {
        open: bool,
    },
    /// A change to the strategy content. Stored under its own type (`end_goal_saved`, …),
    /// exactly as before the strategy events were nested: see `Serialize for Event`.
    #[serde(skip)]
    Strategy(StrategyEvent),
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // `StrategyEvent` is adjacently tagged like `Event`, so it writes the same
            // `{"type": …, "data": …}` it was stored as before the nesting.
            Event::Strategy(event) => event.serialize(serializer),
            event => Event::serialize(event, serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("Event", &["type", "data"], EventVisitor)
    }
}

/// Reads the type first and then lets the data stream straight into the type it names.
/// Serde's own fallback for a nested enum (an untagged variant) buffers the whole event
/// first, and buffered maps with numeric keys (votes per participant, agreement per
/// participant) then no longer read back. The store writes the type first, always.
struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an event: {\"type\": …, \"data\": …}")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Event, M::Error> {
        if map.next_key::<String>()?.as_deref() != Some("type") {
            return Err(M::Error::custom("an event starts with its \"type\""));
        }
        let tag: String = map.next_value()?;
        // A strategy event's type: `StrategyEvent` reads it. Any other type fails on the
        // replayed tag alone, before the data is touched, and `Event` reads it instead.
        let mut touched = false;
        let replay = TagFirst { tag: Some(&tag), rest: &mut map, touched: &mut touched };
        match StrategyEvent::deserialize(MapAccessDeserializer::new(replay)) {
            Ok(event) => return Ok(Event::Strategy(event)),
            Err(error) if touched => return Err(error),
            Err(_) => {}
        }
        let replay = TagFirst { tag: Some(&tag), rest: &mut map, touched: &mut touched };
        Event::deserialize(MapAccessDeserializer::new(replay))
    }
}

/// A map that yields `"type": tag` first and then the rest of an event's map; notes
/// whether anything beyond the tag was read.
struct TagFirst<'a, M> {
    tag: Option<&'a str>,
    rest: &'a mut M,
    touched: &'a mut bool,
}

impl<'de, M: MapAccess<'de>> MapAccess<'de> for TagFirst<'_, M> {
    type Error = M::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, M::Error> {
        if self.tag.is_some() {
            let key: StrDeserializer<'_, M::Error> = "type".into_deserializer();
            return seed.deserialize(key).map(Some);
        }
        *self.touched = true;
        self.rest.next_key_seed(seed)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, M::Error> {
        match self.tag.take() {
            Some(tag) => {
                let tag: StrDeserializer<'_, M::Error> = tag.into_deserializer();
                seed.deserialize(tag)
            }
            None => {
                *self.touched = true;
                self.rest.next_value_seed(seed)
            }
        }
    }
}

impl Event {
    /// Whether the event changes the strategy content (end goals … measurements).
    pub fn is_strategy(&self) -> bool {
        matches!(self, Event::Strategy(_))
    }
}

impl SessionState {
    /// Folds one event into the state. Events were validated when they were made, so
    /// this never fails; an event that no longer fits (which a correct log never holds)
    /// changes nothing.
    pub fn apply_event(&mut self, event: &Event) {
        match event {
            Event::SessionCreated { state } => *self = (**state).clone(),
            Event::DetailsChanged { details } => self.details = details.clone(),
            Event::SettingsChanged { settings } => self.settings = settings.clone(),
            Event::PartAdded { part, index } => {
                let index = (*index).min(self.parts.len());
                self.next_part_id = self.next_part_id.max(part.id.0 + 1);
                self.parts.insert(index, part.clone());
            }
            Event::PartRemoved { part } => {
                self.parts.retain(|p| p.id != *part);
                self.roles.presenters.remove(part);
            }
            Event::PartMoved { part, to_index } => {
                if let Some(from) = self.parts.iter().position(|p| p.id == *part) {
                    let moved = self.parts.remove(from);
                    let to = (*to_index).min(self.parts.len());
                    self.parts.insert(to, moved);
                }
            }
            Event::PartRetimed { part, minutes } => {
                if let Some(p) = self.parts.iter_mut().find(|p| p.id == *part) {
                    p.minutes = *minutes;
                }
            }
            Event::ParticipantJoined { participant } => {
                self.next_participant_id = self.next_participant_id.max(participant.id.0 + 1);
                self.participants.push(participant.clone());
            }
            Event::RoleAssigned { role, participant } => self.roles.set(*role, *participant),
            Event::ParticipantRemoved { participant } => {
                self.participants.retain(|p| p.id != *participant);
                let roles = &mut self.roles;
                for held in [&mut roles.process_facilitator, &mut roles.timekeeper, &mut roles.note_taker] {
                    if *held == Some(*participant) {
                        *held = None;
                    }
                }
                roles.presenters.retain(|_, who| who != participant);
            }
            Event::PartChanged { part } => self.current_part = Some(*part),
            Event::ModelsOverlay { open } => self.models_open = *open,
            Event::TimerStarted { part, duration_ms, at_ms } => {
                self.close_timer_run(*at_ms);
                self.timer = Some(Timer::new(*part, *duration_ms, *at_ms));
            }
            Event::TimerPaused { at_ms } => self.close_timer_run(*at_ms),
            Event::TimerResumed { at_ms } => {
                if let Some(timer) = &mut self.timer {
                    timer.running_since_ms = Some(*at_ms);
                }
            }
            Event::TimerExtended { by_ms } => {
                if let Some(timer) = &mut self.timer {
                    timer.duration_ms = timer.extended_duration_ms(*by_ms);
                }
            }
            Event::TimerReset { at_ms } => {
                self.close_timer_run(*at_ms);
                self.timer = None;
            }
            Event::TimerWarning { seconds_left, .. } => {
                if let Some(timer) = &mut self.timer {
                    timer.warned.push(*seconds_left);
                }
            }
            Event::TimerEnded { .. } => {
                if let Some(timer) = &mut self.timer {
                    timer.ended = true;
                }
            }
            Event::StickyCreated { sticky } => {
                self.next_board_id = self.next_board_id.max(sticky.id.0 + 1);
                self.stickies.insert(sticky.id, sticky.clone());
            }
            Event::StickyEdited { sticky, text } => {
                if let Some(s) = self.stickies.get_mut(sticky) {
                    s.text = text.clone();
                }
            }
            Event::StickyMoved { sticky, x, y } => {
                if let Some(s) = self.stickies.get_mut(sticky) {
                    (s.x, s.y) = (*x, *y);
                }
            }
            Event::StickyRecoloured { sticky, colour } => {
                if let Some(s) = self.stickies.get_mut(sticky) {
                    s.colour = *colour;
                }
            }
            Event::StickyResized { sticky, width, height } => {
                if let Some(s) = self.stickies.get_mut(sticky) {
                    (s.width, s.height) = (*width, *height);
                }
            }
            Event::StickiesGrouped { group, stickies } => {
                self.next_board_id = self.next_board_id.max(group.id.0 + 1);
                self.groups.insert(group.id, group.clone());
                for id in stickies {
                    if let Some(s) = self.stickies.get_mut(id) {
                        s.group = Some(group.id);
                    }
                }
            }
            Event::Ungrouped { group } => {
                self.groups.remove(group);
                for sticky in self.stickies.values_mut().filter(|s| s.group == Some(*group)) {
                    sticky.group = None;
                }
            }
            Event::StickyDeleted { sticky } => {
                self.stickies.remove(sticky);
                if let Some(round) = &mut self.vote {
                    for dots in round.votes.values_mut() {
                        dots.retain(|d| d != sticky);
                    }
                }
            }
            Event::VoteOpened { part, votes_per_person } => {
                self.vote = Some(VoteRound {
                    part: *part,
                    votes_per_person: *votes_per_person,
                    open: true,
                    votes: BTreeMap::new(),
                });
            }
            Event::VoteCast { voter, sticky } => {
                if let Some(round) = &mut self.vote {
                    round.votes.entry(*voter).or_default().push(*sticky);
                }
            }
            Event::VoteRemoved { voter, sticky } => {
                if let Some(round) = &mut self.vote
                    && let Some(dots) = round.votes.get_mut(voter)
                    && let Some(at) = dots.iter().position(|d| d == sticky)
                {
                    dots.remove(at);
                }
            }
            Event::VoteClosed { .. } => {
                if let Some(round) = &mut self.vote {
                    round.open = false;
                }
            }
            Event::NotesSet { part, text } => {
                self.notes.insert(*part, text.clone());
            }
            Event::ExportsOpened { open } => self.exports_open = *open,
            Event::Strategy(event) => event.apply(&mut self.strategy),
        }
    }
}
