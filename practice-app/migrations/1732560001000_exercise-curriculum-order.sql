-- Up Migration

-- New items are served in one fixed, interleaved order per difficulty (the curriculum order), so
-- picking the next new item is an index walk instead of hashing and sorting the whole bank.
-- Expand-only: releases that do not know the column keep working.
ALTER TABLE exercises ADD COLUMN position integer NOT NULL DEFAULT 0;
CREATE INDEX exercises_curriculum_idx ON exercises (difficulty, position, id) WHERE active;

-- Down Migration

DROP INDEX exercises_curriculum_idx;
ALTER TABLE exercises DROP COLUMN position;
