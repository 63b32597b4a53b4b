import type { Queryable } from "../pool.ts";

export interface LearnerRow {
  id: string;
  email: string;
  displayName: string;
  passwordHash: string;
  score: number;
  currentStreak: number;
  longestStreak: number;
  lastPracticeOn: string | null;
  accentTolerant: boolean;
}

const COLUMNS = `id::text AS "id", email, display_name AS "displayName", password_hash AS "passwordHash",
  score, current_streak AS "currentStreak", longest_streak AS "longestStreak",
  to_char(last_practice_on, 'YYYY-MM-DD') AS "lastPracticeOn", accent_tolerant AS "accentTolerant"`;

export async function insertLearner(
  db: Queryable,
  learner: { email: string; displayName: string; passwordHash: string },
): Promise<LearnerRow | null> {
  // ON CONFLICT instead of check-then-insert: two sign-ups with one email cannot both pass.
  const result = await db.query<LearnerRow>(
    `INSERT INTO learners (email, display_name, password_hash) VALUES ($1, $2, $3)
     ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
    [learner.email, learner.displayName, learner.passwordHash],
  );
  return result.rows[0] ?? null;
}

export async function findLearnerByEmail(db: Queryable, email: string): Promise<LearnerRow | null> {
  const result = await db.query<LearnerRow>(`SELECT ${COLUMNS} FROM learners WHERE email = $1`, [email]);
  return result.rows[0] ?? null;
}

export async function findLearnerById(db: Queryable, id: string): Promise<LearnerRow | null> {
  const result = await db.query<LearnerRow>({
    name: "find-learner",
    text: `SELECT ${COLUMNS} FROM learners WHERE id = $1`,
    values: [id],
  });
  return result.rows[0] ?? null;
}

export interface ScoreRow {
  learnerId: string;
  displayName: string;
  score: number;
}

export async function topScores(db: Queryable, limit: number): Promise<ScoreRow[]> {
  const result = await db.query<ScoreRow>(
    `SELECT id::text AS "learnerId", display_name AS "displayName", score FROM learners
     WHERE score > 0 ORDER BY score DESC, id ASC LIMIT $1`,
    [limit],
  );
  return result.rows;
}

export async function allScores(db: Queryable): Promise<Array<{ learnerId: string; score: number }>> {
  const result = await db.query<{ learnerId: string; score: number }>(
    `SELECT id::text AS "learnerId", score FROM learners WHERE score > 0`,
  );
  return result.rows;
}

export async function displayNames(db: Queryable, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const result = await db.query<{ id: string; displayName: string }>(
    `SELECT id::text AS "id", display_name AS "displayName" FROM learners WHERE id = ANY($1::bigint[])`,
    [ids],
  );
  return new Map(result.rows.map((row) => [row.id, row.displayName]));
}

export async function rankOf(
  db: Queryable,
  learnerId: string,
): Promise<{ rank: number; score: number } | null> {
  const result = await db.query<{ rank: number; score: number }>(
    `SELECT (SELECT count(*)::int + 1 FROM learners o WHERE o.score > l.score) AS rank, l.score
     FROM learners l WHERE l.id = $1`,
    [learnerId],
  );
  return result.rows[0] ?? null;
}

export interface LearnerSettings {
  /** Accent slips are shown but schedule and score like a right answer. */
  accentTolerant: boolean;
}

export async function learnerSettings(db: Queryable, learnerId: string): Promise<LearnerSettings | null> {
  const result = await db.query<LearnerSettings>({
    name: "learner-settings",
    text: `SELECT accent_tolerant AS "accentTolerant" FROM learners WHERE id = $1`,
    values: [learnerId],
  });
  return result.rows[0] ?? null;
}

export async function updateLearnerSettings(
  db: Queryable,
  learnerId: string,
  settings: LearnerSettings,
): Promise<LearnerSettings | null> {
  const result = await db.query<LearnerSettings>(
    `UPDATE learners SET accent_tolerant = $2 WHERE id = $1 RETURNING accent_tolerant AS "accentTolerant"`,
    [learnerId, settings.accentTolerant],
  );
  return result.rows[0] ?? null;
}
