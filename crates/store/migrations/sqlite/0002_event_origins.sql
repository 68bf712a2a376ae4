-- Which participant's op (by its client_op_id) caused an event, and a hash of that
-- op, so that a resent op is answered with its first outcome and never applied twice,
-- also after a restart; a different op under the same id is refused.
ALTER TABLE events ADD COLUMN origin_participant INTEGER;
ALTER TABLE events ADD COLUMN origin_op_id TEXT;
ALTER TABLE events ADD COLUMN origin_op_hash INTEGER;

CREATE INDEX events_by_origin ON events (session_id, origin_participant, origin_op_id)
    WHERE origin_op_id IS NOT NULL;
