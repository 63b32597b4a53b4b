-- Up Migration

-- Para + infinitive items: the blank takes the infinitive, stored with mood 'infinitive' (the bank's
-- InfinitiveSpec). Expand-only: releases that do not know the value never write it.
ALTER TABLE exercises DROP CONSTRAINT exercises_mood_check;
ALTER TABLE exercises ADD CONSTRAINT exercises_mood_check
  CHECK (mood IN ('subjunctive', 'indicative', 'infinitive'));

-- Down Migration

-- Rows with 'infinitive' may be referenced by cards and reviews, so they stay: the old check comes
-- back NOT VALID (enforced for new rows only). Re-seed with the older bank to deactivate them.
ALTER TABLE exercises DROP CONSTRAINT exercises_mood_check;
ALTER TABLE exercises ADD CONSTRAINT exercises_mood_check
  CHECK (mood IN ('subjunctive', 'indicative')) NOT VALID;
