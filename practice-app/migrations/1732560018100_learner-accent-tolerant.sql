-- Up Migration

-- A learner's accent-tolerant mode: accent slips are still shown but schedule and score like a
-- right answer. Off by default. Expand-only: older releases ignore the column.
ALTER TABLE learners ADD COLUMN accent_tolerant boolean NOT NULL DEFAULT false;

-- Down Migration

ALTER TABLE learners DROP COLUMN accent_tolerant;
