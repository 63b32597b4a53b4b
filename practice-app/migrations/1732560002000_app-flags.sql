-- Up Migration

-- Operational switches the app reads at run time (e.g. maintenance mode), set by operators'
-- runbooks with SQL so every instance sees the same value. Expand-only.
CREATE TABLE app_flags (
  name text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);

-- Down Migration

DROP TABLE app_flags;
