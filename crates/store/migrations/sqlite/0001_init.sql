-- One row per session. The link tokens are never stored, only their SHA-256, so a
-- copy of this file does not let anyone into a session. The epochs count rotations:
-- a credential obtained through a link is valid only while its epoch is current,
-- which is how rotating a link shuts out everyone who came in through the old one.
CREATE TABLE sessions (
    id                      BLOB PRIMARY KEY NOT NULL,
    created_at_ms           INTEGER NOT NULL,
    facilitator_link_hash   BLOB NOT NULL UNIQUE,
    participant_link_hash   BLOB NOT NULL UNIQUE,
    facilitator_epoch       INTEGER NOT NULL DEFAULT 1,
    participant_epoch       INTEGER NOT NULL DEFAULT 1,
    -- The seq of the newest event; appending checks it so that two writers can
    -- never both believe they wrote seq N.
    last_seq                INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The append-only log. (session_id, seq) is the primary key so that a gap or a
-- duplicate is impossible by construction.
CREATE TABLE events (
    session_id      BLOB NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    recorded_at_ms  INTEGER NOT NULL,
    payload         TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
) STRICT, WITHOUT ROWID;

-- The newest snapshot per session: loading a session reads it and the events after it.
CREATE TABLE snapshots (
    session_id  BLOB PRIMARY KEY NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    payload     TEXT NOT NULL
) STRICT;

-- A participant's personal credential (the cookie), again only as a hash.
CREATE TABLE credentials (
    token_hash      BLOB PRIMARY KEY NOT NULL,
    session_id      BLOB NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    participant_id  INTEGER NOT NULL,
    via_link        TEXT NOT NULL CHECK (via_link IN ('facilitator', 'participant')),
    epoch           INTEGER NOT NULL
) STRICT;

CREATE INDEX credentials_by_participant ON credentials (session_id, participant_id);
