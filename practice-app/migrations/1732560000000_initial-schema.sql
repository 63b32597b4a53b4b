-- Up Migration

CREATE TABLE learners (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  display_name text NOT NULL,
  password_hash text NOT NULL,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  score integer NOT NULL DEFAULT 0,
  current_streak integer NOT NULL DEFAULT 0,
  longest_streak integer NOT NULL DEFAULT 0,
  last_practice_on date,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT learners_email_lower CHECK (email = lower(email))
);
CREATE UNIQUE INDEX learners_email_key ON learners (email);
CREATE INDEX learners_score_idx ON learners (score DESC) WHERE score > 0;

CREATE TABLE sessions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  learner_id bigint NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  user_agent text
);
CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash);
CREATE INDEX sessions_learner_active_idx ON sessions (learner_id) WHERE revoked_at IS NULL;

CREATE TABLE exercises (
  id text PRIMARY KEY,
  category text NOT NULL,
  difficulty smallint NOT NULL CHECK (difficulty BETWEEN 1 AND 3),
  sentence text NOT NULL,
  verb text NOT NULL,
  person text NOT NULL,
  mood text NOT NULL CHECK (mood IN ('subjunctive', 'indicative')),
  tense text NOT NULL,
  expected text NOT NULL,
  accepted text[] NOT NULL,
  explanation text NOT NULL,
  translation text NOT NULL,
  bank_version text NOT NULL,
  active boolean NOT NULL DEFAULT true
);

-- One spaced-repetition card per learner and item (ts-fsrs state).
CREATE TABLE cards (
  learner_id bigint NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
  exercise_id text NOT NULL REFERENCES exercises (id),
  due timestamptz NOT NULL,
  stability double precision NOT NULL,
  difficulty double precision NOT NULL,
  elapsed_days integer NOT NULL DEFAULT 0,
  scheduled_days integer NOT NULL,
  learning_steps integer NOT NULL DEFAULT 0,
  reps integer NOT NULL,
  lapses integer NOT NULL,
  state smallint NOT NULL,
  last_review timestamptz,
  PRIMARY KEY (learner_id, exercise_id)
);
CREATE INDEX cards_learner_due_idx ON cards (learner_id, due);

CREATE TABLE reviews (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  learner_id bigint NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
  exercise_id text NOT NULL REFERENCES exercises (id),
  answer text NOT NULL,
  outcome text NOT NULL,
  correct boolean NOT NULL,
  rating smallint NOT NULL,
  reviewed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reviews_learner_idx ON reviews (learner_id, reviewed_at DESC);

-- Down Migration

DROP TABLE reviews;
DROP TABLE cards;
DROP TABLE exercises;
DROP TABLE sessions;
DROP TABLE learners;
