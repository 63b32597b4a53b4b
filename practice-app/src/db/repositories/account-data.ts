import type { Queryable } from "../pool.ts";

// A learner's own data, whole: what an export returns and what a deletion removes.

export interface ProfileExport {
  id: string;
  email: string;
  displayName: string;
  createdAt: string;
  passwordChangedAt: string;
  score: number;
  currentStreak: number;
  longestStreak: number;
  lastPracticeOn: string | null;
}

export interface CardExport {
  exerciseId: string;
  due: string;
  stability: number;
  difficulty: number;
  reps: number;
  lapses: number;
  state: number;
  lastReview: string | null;
}

export interface ReviewExport {
  exerciseId: string;
  answer: string;
  outcome: string;
  correct: boolean;
  rating: number;
  reviewedAt: string;
}

export interface SessionExport {
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  revokedAt: string | null;
  userAgent: string | null;
}

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The profile without the password hash. */
export async function exportProfile(db: Queryable, learnerId: string): Promise<ProfileExport | null> {
  const result = await db.query<ProfileExport>(
    `SELECT id::text AS "id", email, display_name AS "displayName", ${ISO("created_at")} AS "createdAt",
       ${ISO("password_changed_at")} AS "passwordChangedAt", score, current_streak AS "currentStreak",
       longest_streak AS "longestStreak", to_char(last_practice_on, 'YYYY-MM-DD') AS "lastPracticeOn"
     FROM learners WHERE id = $1`,
    [learnerId],
  );
  return result.rows[0] ?? null;
}

export async function exportCards(db: Queryable, learnerId: string): Promise<CardExport[]> {
  const result = await db.query<CardExport>(
    `SELECT exercise_id AS "exerciseId", ${ISO("due")} AS due, stability, difficulty, reps, lapses, state,
       ${ISO("last_review")} AS "lastReview"
     FROM cards WHERE learner_id = $1 ORDER BY exercise_id`,
    [learnerId],
  );
  return result.rows;
}

export async function exportReviews(db: Queryable, learnerId: string): Promise<ReviewExport[]> {
  const result = await db.query<ReviewExport>(
    `SELECT exercise_id AS "exerciseId", answer, outcome, correct, rating, ${ISO("reviewed_at")} AS "reviewedAt"
     FROM reviews WHERE learner_id = $1 ORDER BY reviewed_at, id`,
    [learnerId],
  );
  return result.rows;
}

/** Sessions without their token hashes: when, until when, from which browser. */
export async function exportSessions(db: Queryable, learnerId: string): Promise<SessionExport[]> {
  const result = await db.query<SessionExport>(
    `SELECT ${ISO("created_at")} AS "createdAt", ${ISO("last_seen_at")} AS "lastSeenAt",
       ${ISO("expires_at")} AS "expiresAt", ${ISO("revoked_at")} AS "revokedAt", user_agent AS "userAgent"
     FROM sessions WHERE learner_id = $1 ORDER BY created_at, id`,
    [learnerId],
  );
  return result.rows;
}

export interface DeletedCounts {
  sessions: number;
  cards: number;
  reviews: number;
  passwordResets: number;
}

/**
 * Deletes the learner and everything that references them. The foreign keys cascade; the counts
 * are taken first so the audit line can say what went. Run inside a transaction.
 */
export async function deleteLearner(db: Queryable, learnerId: string): Promise<DeletedCounts | null> {
  const counts = await db.query<DeletedCounts>(
    `SELECT (SELECT count(*)::int FROM sessions WHERE learner_id = $1) AS sessions,
       (SELECT count(*)::int FROM cards WHERE learner_id = $1) AS cards,
       (SELECT count(*)::int FROM reviews WHERE learner_id = $1) AS reviews,
       (SELECT count(*)::int FROM password_resets WHERE learner_id = $1) AS "passwordResets"`,
    [learnerId],
  );
  const deleted = await db.query("DELETE FROM learners WHERE id = $1", [learnerId]);
  if ((deleted.rowCount ?? 0) === 0) return null;
  return counts.rows[0] ?? null;
}
