import type { Queryable } from "../pool.ts";

export async function insertReview(
  db: Queryable,
  review: {
    learnerId: string;
    exerciseId: string;
    answer: string;
    outcome: string;
    correct: boolean;
    rating: number;
  },
): Promise<string> {
  const result = await db.query<{ id: string }>({
    name: "insert-review",
    text: `INSERT INTO reviews (learner_id, exercise_id, answer, outcome, correct, rating)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text AS id`,
    values: [
      review.learnerId,
      review.exerciseId,
      review.answer,
      review.outcome,
      review.correct,
      review.rating,
    ],
  });
  const id = result.rows[0]?.id;
  if (!id) throw new Error("insert into reviews returned no row");
  return id;
}

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
