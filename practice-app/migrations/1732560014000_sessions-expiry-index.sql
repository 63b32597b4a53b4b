-- Up Migration

-- Expired and revoked sessions are purged in batches by the purge-sessions runbook; this index lets
-- it find them (and count them) without reading the whole table. Expand-only: older releases ignore it.
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

-- Down Migration

DROP INDEX sessions_expires_at_idx;
