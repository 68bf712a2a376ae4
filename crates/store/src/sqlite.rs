//! The SQLite implementation: one file in the data folder, WAL, migrations embedded.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use heisessie_domain::session::{Event, ParticipantId, SessionState};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Row, Sqlite, SqlitePool};

use crate::{
    Credential, LinkKind, NewCredential, NewEvent, NewSession, Origin, SessionAccess, SessionId, Snapshot, Store,
    StoreError, StoredEvent, TokenHash,
};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(db.message().to_owned()),
            sqlx::Error::Database(db) if is_unavailable(db.code().as_deref()) => {
                StoreError::Unavailable(db.message().to_owned())
            }
            sqlx::Error::Io(error) => StoreError::Unavailable(error.to_string()),
            sqlx::Error::PoolTimedOut => StoreError::Unavailable("no database connection came free in time".to_owned()),
            other => StoreError::Broken(other.to_string()),
        }
    }
}

/// SQLite's primary result codes (the low byte of an extended code) that say the disk,
/// not the data, is the problem: the write may succeed later. SQLITE_BUSY (5) and
/// SQLITE_LOCKED (6): another writer held on past the busy timeout; SQLITE_IOERR (10):
/// the OS refused a read, write or sync (`EFBIG` under a file-size limit, `EIO`);
/// SQLITE_FULL (13): no space left; SQLITE_CANTOPEN (14): a file could not be opened.
fn is_unavailable(code: Option<&str>) -> bool {
    let Some(code) = code.and_then(|code| code.parse::<i32>().ok()) else { return false };
    matches!(code & 0xff, 5 | 6 | 10 | 13 | 14)
}

fn encode(event: &Event) -> Result<String, StoreError> {
    serde_json::to_string(event).map_err(|e| StoreError::Broken(format!("cannot encode an event: {e}")))
}

fn decode<T: serde::de::DeserializeOwned>(what: &str, payload: &str) -> Result<T, StoreError> {
    serde_json::from_str(payload).map_err(|e| StoreError::Broken(format!("cannot decode a stored {what}: {e}")))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn hash_from(bytes: Vec<u8>) -> Result<TokenHash, StoreError> {
    let array: [u8; 32] =
        bytes.try_into().map_err(|_| StoreError::Broken("a stored hash is not 32 bytes".to_owned()))?;
    Ok(TokenHash(array))
}

fn link_kind(code: &str) -> Result<LinkKind, StoreError> {
    match code {
        "facilitator" => Ok(LinkKind::Facilitator),
        "participant" => Ok(LinkKind::Participant),
        other => Err(StoreError::Broken(format!("unknown link kind {other:?}"))),
    }
}

/// SQLite stores integers as i64; our seqs and ids are never that large.
fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl SqliteStore {
    /// Opens (creating when missing) `heisessie.sqlite3` in `data_dir` and runs the migrations.
    pub async fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::Broken(format!("cannot create the data folder {}: {e}", data_dir.display())))?;
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(data_dir.join("heisessie.sqlite3"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged write survives a power cut, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        MIGRATIONS.run(&pool).await.map_err(|e| StoreError::Broken(format!("cannot migrate the database: {e}")))?;
        Ok(SqliteStore { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Starts a write: a connection of its own, in a `BEGIN IMMEDIATE` transaction.
    /// Pair it with [`SqliteStore::finish_write`].
    ///
    /// sqlx's own transactions count their nesting on the client side; when a COMMIT
    /// fails (a full disk), SQLite may or may not have rolled back, the count and the
    /// connection disagree, and a connection handed back to the pool turns every later
    /// "transaction" into a savepoint inside one that never ends: acknowledged writes
    /// that are never stored. So a write here says `BEGIN IMMEDIATE` and `COMMIT`
    /// itself, checks afterwards that the connection is really out of the transaction,
    /// and after any error closes the connection instead of returning it to the pool.
    async fn begin_write(&self) -> Result<PoolConnection<Sqlite>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        match sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
            Ok(_) => Ok(conn),
            Err(error) => {
                discard(conn).await;
                Err(error.into())
            }
        }
    }

    /// Commits the write `begun` when `body` succeeded, and verifies the commit.
    async fn finish_write<T>(
        &self,
        mut conn: PoolConnection<Sqlite>,
        body: Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let result = match body {
            Ok(value) => commit_verified(&mut conn).await.map(|()| value),
            Err(error) => Err(error),
        };
        if result.is_err() {
            discard(conn).await;
        }
        result
    }
}

async fn commit_verified(conn: &mut sqlx::SqliteConnection) -> Result<(), StoreError> {
    sqlx::query("COMMIT").execute(&mut *conn).await?;
    // Verify: BEGIN succeeds only outside a transaction, so a COMMIT that reported
    // success without ending the transaction is caught here.
    sqlx::query("BEGIN DEFERRED").execute(&mut *conn).await.map_err(|error| {
        StoreError::Broken(format!("the connection was still in a transaction after COMMIT: {error}"))
    })?;
    sqlx::query("ROLLBACK").execute(&mut *conn).await?;
    Ok(())
}

/// Closes a connection after an error: closing rolls back whatever transaction it
/// held, and the pool opens a fresh one on demand, so writes resume once the disk does.
async fn discard(conn: PoolConnection<Sqlite>) {
    let conn = conn.detach();
    if let Err(error) = conn.close_hard().await {
        tracing::debug!(%error, "closing a failed database connection");
    }
}

async fn insert_events(
    tx: &mut sqlx::SqliteConnection,
    id: SessionId,
    first_seq: u64,
    events: &[NewEvent],
) -> Result<(), StoreError> {
    let at = now_ms();
    for (seq, new) in (first_seq..).zip(events) {
        let origin = new.origin.as_ref();
        sqlx::query(
            "INSERT INTO events (session_id, seq, recorded_at_ms, payload, origin_participant, origin_op_id, origin_op_hash) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(to_i64(seq))
        .bind(at)
        .bind(encode(&new.event)?)
        .bind(origin.map(|o| to_i64(o.participant.0)))
        .bind(origin.map(|o| o.client_op_id.as_str()))
        .bind(origin.map(|o| o.op_hash))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn insert_credential(
    tx: &mut sqlx::SqliteConnection,
    id: SessionId,
    credential: &NewCredential,
) -> Result<(), StoreError> {
    let column = match credential.via {
        LinkKind::Facilitator => "facilitator_epoch",
        LinkKind::Participant => "participant_epoch",
    };
    // The credential takes the link's current epoch, read in the same transaction.
    let sql = format!(
        "INSERT INTO credentials (token_hash, session_id, participant_id, via_link, epoch) \
         SELECT ?, id, ?, ?, {column} FROM sessions WHERE id = ?"
    );
    sqlx::query(&sql)
        .bind(credential.token.0.as_slice())
        .bind(to_i64(credential.participant.0))
        .bind(credential.via.code())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn create_session_in(tx: &mut sqlx::SqliteConnection, session: &NewSession) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (id, created_at_ms, facilitator_link_hash, participant_link_hash, last_seq) \
             VALUES (?, ?, ?, ?, ?)",
    )
    .bind(session.id)
    .bind(session.created_at_ms)
    .bind(session.facilitator_link.0.as_slice())
    .bind(session.participant_link.0.as_slice())
    .bind(session.events.len() as i64)
    .execute(&mut *tx)
    .await?;
    insert_events(tx, session.id, 1, &session.events).await?;
    if let Some(creator) = &session.creator {
        insert_credential(tx, session.id, creator).await?;
    }
    Ok(())
}

async fn rotate_link_in(
    tx: &mut sqlx::SqliteConnection,
    id: SessionId,
    kind: LinkKind,
    new_link: TokenHash,
    keep: Option<ParticipantId>,
) -> Result<i64, StoreError> {
    let (hash_column, epoch_column) = match kind {
        LinkKind::Facilitator => ("facilitator_link_hash", "facilitator_epoch"),
        LinkKind::Participant => ("participant_link_hash", "participant_epoch"),
    };
    let sql = format!(
        "UPDATE sessions SET {hash_column} = ?, {epoch_column} = {epoch_column} + 1 WHERE id = ? \
             RETURNING {epoch_column}"
    );
    let epoch: i64 = sqlx::query_scalar(&sql).bind(new_link.0.as_slice()).bind(id).fetch_one(&mut *tx).await?;
    if let Some(keep) = keep {
        sqlx::query("UPDATE credentials SET epoch = ? WHERE session_id = ? AND participant_id = ? AND via_link = ?")
            .bind(epoch)
            .bind(id)
            .bind(to_i64(keep.0))
            .bind(kind.code())
            .execute(&mut *tx)
            .await?;
    }
    Ok(epoch)
}

async fn append_events_in(
    tx: &mut sqlx::SqliteConnection,
    id: SessionId,
    expected_seq: u64,
    events: &[NewEvent],
    credential: Option<&NewCredential>,
) -> Result<u64, StoreError> {
    let new_last = expected_seq + events.len() as u64;
    // Writing first takes SQLite's write lock at once; the WHERE on last_seq makes
    // the append conditional, so two writers can never both get the same seqs.
    let updated = sqlx::query("UPDATE sessions SET last_seq = ? WHERE id = ? AND last_seq = ?")
        .bind(to_i64(new_last))
        .bind(id)
        .bind(to_i64(expected_seq))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if updated == 0 {
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT last_seq FROM sessions WHERE id = ?").bind(id).fetch_optional(&mut *tx).await?;
        return Err(match exists {
            None => StoreError::NotFound,
            Some(last) => StoreError::Conflict(format!("expected seq {expected_seq}, the log is at {last}")),
        });
    }
    insert_events(tx, id, expected_seq + 1, events).await?;
    if let Some(credential) = credential {
        insert_credential(tx, id, credential).await?;
    }
    Ok(new_last)
}

async fn save_snapshot_in(
    tx: &mut sqlx::SqliteConnection,
    id: SessionId,
    seq: u64,
    payload: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO snapshots (session_id, seq, payload) VALUES (?, ?, ?) \
                 ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq, payload = excluded.payload \
                 WHERE excluded.seq > snapshots.seq",
    )
    .bind(id)
    .bind(to_i64(seq))
    .bind(payload)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_session(&self, session: NewSession) -> Result<(), StoreError> {
        let mut conn = self.begin_write().await?;
        let result = create_session_in(&mut conn, &session).await;
        self.finish_write(conn, result).await
    }

    async fn session_access(&self, id: SessionId) -> Result<SessionAccess, StoreError> {
        let row = sqlx::query(
            "SELECT facilitator_link_hash, participant_link_hash, facilitator_epoch, participant_epoch, last_seq \
             FROM sessions WHERE id = ?",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(SessionAccess {
            facilitator_link: hash_from(row.try_get(0)?)?,
            participant_link: hash_from(row.try_get(1)?)?,
            facilitator_epoch: row.try_get(2)?,
            participant_epoch: row.try_get(3)?,
            last_seq: row.try_get::<i64, _>(4)?.max(0) as u64,
        })
    }

    async fn rotate_link(
        &self,
        id: SessionId,
        kind: LinkKind,
        new_link: TokenHash,
        keep: Option<ParticipantId>,
    ) -> Result<i64, StoreError> {
        let mut conn = self.begin_write().await?;
        let result = rotate_link_in(&mut conn, id, kind, new_link, keep).await;
        self.finish_write(conn, result).await
    }

    async fn append_events(
        &self,
        id: SessionId,
        expected_seq: u64,
        events: &[NewEvent],
        credential: Option<NewCredential>,
    ) -> Result<u64, StoreError> {
        let mut conn = self.begin_write().await?;
        let result = append_events_in(&mut conn, id, expected_seq, events, credential.as_ref()).await;
        self.finish_write(conn, result).await
    }

    async fn recent_origins(&self, id: SessionId, limit: u32) -> Result<Vec<(u64, Origin)>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, origin_participant, origin_op_id, origin_op_hash FROM events \
             WHERE session_id = ? AND origin_op_id IS NOT NULL ORDER BY seq DESC LIMIT ?",
        )
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut origins = rows
            .into_iter()
            .map(|row| {
                Ok((
                    row.try_get::<i64, _>(0)?.max(0) as u64,
                    Origin {
                        participant: ParticipantId(row.try_get::<i64, _>(1)?.max(0) as u64),
                        client_op_id: row.try_get(2)?,
                        op_hash: row.try_get(3)?,
                    },
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        origins.reverse();
        Ok(origins)
    }

    async fn credential(&self, id: SessionId, token: TokenHash) -> Result<Credential, StoreError> {
        let row = sqlx::query(
            "SELECT participant_id, via_link, epoch FROM credentials WHERE token_hash = ? AND session_id = ?",
        )
        .bind(token.0.as_slice())
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(Credential {
            participant: ParticipantId(row.try_get::<i64, _>(0)?.max(0) as u64),
            via: link_kind(row.try_get::<&str, _>(1)?)?,
            epoch: row.try_get(2)?,
        })
    }

    async fn events_since(&self, id: SessionId, after_seq: u64) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, recorded_at_ms, payload FROM events WHERE session_id = ? AND seq > ? ORDER BY seq",
        )
        .bind(id)
        .bind(to_i64(after_seq))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(StoredEvent {
                    seq: row.try_get::<i64, _>(0)?.max(0) as u64,
                    recorded_at_ms: row.try_get(1)?,
                    event: decode("event", row.try_get::<&str, _>(2)?)?,
                })
            })
            .collect()
    }

    async fn save_snapshot(&self, id: SessionId, seq: u64, state: &SessionState) -> Result<(), StoreError> {
        let payload =
            serde_json::to_string(state).map_err(|e| StoreError::Broken(format!("cannot encode a snapshot: {e}")))?;
        let mut conn = self.begin_write().await?;
        let result = save_snapshot_in(&mut conn, id, seq, &payload).await;
        self.finish_write(conn, result).await
    }

    async fn load_snapshot(&self, id: SessionId) -> Result<Option<Snapshot>, StoreError> {
        let row = sqlx::query("SELECT seq, payload FROM snapshots WHERE session_id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(Snapshot {
                seq: row.try_get::<i64, _>(0)?.max(0) as u64,
                state: decode("snapshot", row.try_get::<&str, _>(1)?)?,
            })
        })
        .transpose()
    }
}
