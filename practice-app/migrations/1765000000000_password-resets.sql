-- Up Migration

-- Password-reset links: 256 random bits sent by e-mail; only their SHA-256 is stored. A link is used
-- at most once (used_at) and expires (expires_at). Deleting a learner deletes their links.
-- Expand-only: older releases ignore the table.
CREATE TABLE password_resets (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  learner_id bigint NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE UNIQUE INDEX password_resets_token_hash_key ON password_resets (token_hash);
CREATE INDEX password_resets_learner_idx ON password_resets (learner_id);

-- Down Migration

DROP TABLE password_resets;
