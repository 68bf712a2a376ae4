//! One writer per session. Every change to a session goes through `Sessions::apply`,
//! which holds that session's lock while the domain decides and the store commits, so
//! the event log has a single, total order and the cached state never runs ahead of
//! what is stored. The live room (a task per session) takes this role over later.

use std::collections::HashMap;
use std::sync::{Arc, Mutex as SyncMutex};

use heisessie_domain::session::{self, Actor, Event, Op, SessionState};
use heisessie_store::{NewCredential, SessionId, Store, StoreError};
use tokio::sync::Mutex;

use crate::error::ApiError;

/// A snapshot is stored every this many events, so loading never replays a long log.
const SNAPSHOT_EVERY: u64 = 100;

struct Loaded {
    seq: u64,
    state: SessionState,
}

/// A session's place in memory: empty until first used, or after a failed write.
type Slot = Arc<Mutex<Option<Loaded>>>;

#[derive(Clone)]
pub struct Sessions {
    store: Arc<dyn Store>,
    loaded: Arc<SyncMutex<HashMap<SessionId, Slot>>>,
}

/// The state after a successful op.
pub struct Applied {
    pub seq: u64,
    pub state: SessionState,
    pub events: Vec<Event>,
}

impl Sessions {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Sessions {
            store,
            loaded: Arc::default(),
        }
    }

    fn slot(&self, id: SessionId) -> Slot {
        let mut loaded = self
            .loaded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        loaded.entry(id).or_default().clone()
    }

    /// Forgets a session that turned out not to exist, so junk ids don't pile up.
    fn forget(&self, id: SessionId) {
        let mut loaded = self
            .loaded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        loaded.remove(&id);
    }

    async fn ensure_loaded(
        &self,
        id: SessionId,
        slot: &mut Option<Loaded>,
    ) -> Result<(), ApiError> {
        if slot.is_none() {
            match self.store.load_session(id).await {
                Ok((seq, state)) => *slot = Some(Loaded { seq, state }),
                Err(StoreError::NotFound) => {
                    self.forget(id);
                    return Err(ApiError::SessionNotFound);
                }
                Err(other) => return Err(other.into()),
            }
        }
        Ok(())
    }

    /// The session's current state and seq.
    pub async fn read(&self, id: SessionId) -> Result<(u64, SessionState), ApiError> {
        let slot = self.slot(id);
        let mut guard = slot.lock().await;
        self.ensure_loaded(id, &mut guard).await?;
        let loaded = guard.as_ref().ok_or(ApiError::SessionNotFound)?;
        Ok((loaded.seq, loaded.state.clone()))
    }

    /// Decides `op` for `actor` and, when accepted, commits its events (with the
    /// credential of a joining participant in the same transaction) before the cached
    /// state moves on. A rejected op or a failed commit changes nothing.
    pub async fn apply(
        &self,
        id: SessionId,
        actor: Actor,
        op: Op,
        credential: impl FnOnce(&[Event]) -> Option<NewCredential>,
    ) -> Result<Applied, ApiError> {
        let slot = self.slot(id);
        let mut guard = slot.lock().await;
        self.ensure_loaded(id, &mut guard).await?;
        let loaded = guard.as_mut().ok_or(ApiError::SessionNotFound)?;
        let events = session::apply(&loaded.state, actor, op)?;
        let credential = credential(&events);
        let seq = match self
            .store
            .append_events(id, loaded.seq, &events, credential)
            .await
        {
            Ok(seq) => seq,
            Err(error) => {
                // Another process may have written: reload on the next use rather than
                // trusting a cache that may be stale.
                *guard = None;
                return Err(error.into());
            }
        };
        let mut state = loaded.state.clone();
        for event in &events {
            state.apply_event(event);
        }
        if seq / SNAPSHOT_EVERY > loaded.seq / SNAPSHOT_EVERY
            && let Err(error) = self.store.save_snapshot(id, seq, &state).await
        {
            // The events are committed; a missing snapshot only makes the next load slower.
            tracing::warn!(session = %id, %error, "could not store a snapshot");
        }
        loaded.seq = seq;
        loaded.state = state.clone();
        Ok(Applied { seq, state, events })
    }
}
