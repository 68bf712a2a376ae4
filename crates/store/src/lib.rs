//! Persistence of sessions behind one trait, spoken in the domain's verbs.
//!
//! The server only ever talks to [`Store`]; SQLite is the implementation today and
//! PostgreSQL is meant to follow behind the same trait, checked by the same
//! [`contract`] suite.

pub mod contract;
mod sqlite;

use async_trait::async_trait;
use heisessie_domain::session::{Event, ParticipantId, SessionState};
use uuid::Uuid;

pub use sqlite::SqliteStore;

/// A session's id: a UUIDv7, so ids sort by creation time.
pub type SessionId = Uuid;

/// The SHA-256 of a secret token. The store never sees a token itself.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl std::fmt::Debug for TokenHash {
    /// Even a hash is left out of logs: it identifies a credential.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(…)")
    }
}

/// Which of the two session links a credential was obtained through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    Facilitator,
    Participant,
}

impl LinkKind {
    pub fn code(self) -> &'static str {
        match self {
            LinkKind::Facilitator => "facilitator",
            LinkKind::Participant => "participant",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// Someone else wrote first: the expected seq was not the last one, or the id exists.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The disk refused a read or write (full, an I/O error, busy past the timeout):
    /// nothing was stored, and the same write may succeed once the disk recovers.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The database failed or holds something it should not; the cause is logged, not shown.
    #[error("storage failure: {0}")]
    Broken(String),
}

/// What a new session is stored with: its links (as hashes) and its first events.
pub struct NewSession {
    pub id: SessionId,
    pub created_at_ms: i64,
    pub facilitator_link: TokenHash,
    pub participant_link: TokenHash,
    /// Starts with `Event::SessionCreated`; the creator's join may follow.
    pub events: Vec<NewEvent>,
    /// The creator's own credential, when the creator joins at once.
    pub creator: Option<NewCredential>,
}

pub struct NewCredential {
    pub token: TokenHash,
    pub participant: ParticipantId,
    pub via: LinkKind,
}

/// What is needed to check a link or a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionAccess {
    pub facilitator_link: TokenHash,
    pub participant_link: TokenHash,
    pub facilitator_epoch: i64,
    pub participant_epoch: i64,
    pub last_seq: u64,
}

impl SessionAccess {
    pub fn link(&self, kind: LinkKind) -> TokenHash {
        match kind {
            LinkKind::Facilitator => self.facilitator_link,
            LinkKind::Participant => self.participant_link,
        }
    }

    pub fn epoch(&self, kind: LinkKind) -> i64 {
        match kind {
            LinkKind::Facilitator => self.facilitator_epoch,
            LinkKind::Participant => self.participant_epoch,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub participant: ParticipantId,
    pub via: LinkKind,
    pub epoch: i64,
}

/// The op an event came from: who sent it, under which id, and a hash of its payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub participant: ParticipantId,
    pub client_op_id: String,
    pub op_hash: i64,
}

/// An event to append, with the op it came from (none for the server's own, such as
/// a timer's end).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event: Event,
    pub origin: Option<Origin>,
}

impl NewEvent {
    pub fn system(event: Event) -> Self {
        NewEvent { event, origin: None }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub seq: u64,
    pub recorded_at_ms: i64,
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub seq: u64,
    pub state: SessionState,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Stores a new session with its first events (seq 1, 2, …) and the creator's credential.
    async fn create_session(&self, session: NewSession) -> Result<(), StoreError>;

    /// The link hashes, epochs and last seq of a session.
    async fn session_access(&self, id: SessionId) -> Result<SessionAccess, StoreError>;

    /// Replaces a link; every credential obtained through the old one stops working,
    /// except `keep`'s (the facilitator who rotated it stays in). Returns the new epoch.
    async fn rotate_link(
        &self,
        id: SessionId,
        kind: LinkKind,
        new_link: TokenHash,
        keep: Option<ParticipantId>,
    ) -> Result<i64, StoreError>;

    /// Appends events after `expected_seq` (the caller's last seq) and returns the new
    /// last seq; `Conflict` when the log has moved on. With a credential, stores it in
    /// the same transaction (a participant joining).
    async fn append_events(
        &self,
        id: SessionId,
        expected_seq: u64,
        events: &[NewEvent],
        credential: Option<NewCredential>,
    ) -> Result<u64, StoreError>;

    /// The origins of the newest `limit` events that came from ops, with their seqs,
    /// oldest first: what a room needs to answer resent ops after a restart.
    async fn recent_origins(&self, id: SessionId, limit: u32) -> Result<Vec<(u64, Origin)>, StoreError>;

    /// The credential with this hash, if it belongs to this session.
    async fn credential(&self, id: SessionId, token: TokenHash) -> Result<Credential, StoreError>;

    /// The events after `after_seq`, in order.
    async fn events_since(&self, id: SessionId, after_seq: u64) -> Result<Vec<StoredEvent>, StoreError>;

    /// Replaces the session's snapshot with the state at `seq`.
    async fn save_snapshot(&self, id: SessionId, seq: u64, state: &SessionState) -> Result<(), StoreError>;

    async fn load_snapshot(&self, id: SessionId) -> Result<Option<Snapshot>, StoreError>;

    /// The session's current state: the snapshot and the events after it.
    async fn load_session(&self, id: SessionId) -> Result<(u64, SessionState), StoreError> {
        let (mut seq, mut state) = match self.load_snapshot(id).await? {
            Some(snapshot) => (snapshot.seq, Some(snapshot.state)),
            None => (0, None),
        };
        for stored in self.events_since(id, seq).await? {
            match (&mut state, &stored.event) {
                (Some(current), event) => current.apply_event(event),
                (None, Event::SessionCreated { state: first }) => state = Some((**first).clone()),
                (None, _) => {
                    return Err(StoreError::Broken(format!(
                        "the log of session {id} does not start with its creation"
                    )));
                }
            }
            seq = stored.seq;
        }
        state.map(|state| (seq, state)).ok_or(StoreError::NotFound)
    }
}
