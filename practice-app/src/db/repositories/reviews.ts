import type { Queryable } from "../pool.ts";

export interface AccuracyRow {
  category: string;
  mood: string;
  tense: string;
  attempts: number;
  correct: number;
}

export async function accuracyByCategoryAndTense(db: Queryable, learnerId: string): Promise<AccuracyRow[]> {
  const result = await db.query<AccuracyRow>(
    `SELECT e.category, e.mood, e.tense, count(*)::int AS attempts, count(*) FILTER (WHERE r.correct)::int AS correct
     FROM reviews r JOIN exercises e ON e.id = r.exercise_id
     WHERE r.learner_id = $1
     GROUP BY e.category, e.mood, e.tense ORDER BY e.category, e.mood, e.tense`,
    [learnerId],
  );
  return result.rows;
}
