import type { CardState } from "../../domain/scheduling.ts";
import type { Queryable } from "../pool.ts";

// A graded answer in three statements instead of five: the hot write path of exercises.submit.
// All run inside the caller's transaction.

export interface PracticeLock {
  currentStreak: number;
  longestStreak: number;
  lastPracticeOn: string | null;
  accentTolerant: boolean;
  /** The learner's card for the exercise, null before the first answer. */
  card: CardState | null;
}

/**
 * Locks the learner, so concurrent submits of one learner update the streak in turn, then the card,
 * and reads both. Two statements, in this order, on purpose: one statement that locks both takes
 * the card before the learner when the plan runs, the opposite order to a submit that waited for
 * the learner, and PostgreSQL finds deadlocks (tests/app/db-faults.test.ts); and a card another
 * submit inserted while this one waited is visible only to a statement that starts after the wait.
 * Null when the learner no longer exists.
 */
export async function lockForPractice(
  db: Queryable,
  learnerId: string,
  exerciseId: string,
): Promise<PracticeLock | null> {
  const learner = await db.query<Omit<PracticeLock, "card">>({
    name: "lock-learner-for-practice",
    text: `SELECT current_streak AS "currentStreak", longest_streak AS "longestStreak",
       to_char(last_practice_on, 'YYYY-MM-DD') AS "lastPracticeOn", accent_tolerant AS "accentTolerant"
     FROM learners WHERE id = $1 FOR UPDATE`,
    values: [learnerId],
  });
  const row = learner.rows[0];
  if (!row) return null;
  const card = await db.query<CardState>({
    name: "lock-card-for-practice",
    text: `SELECT due, stability, difficulty, elapsed_days AS "elapsedDays", scheduled_days AS "scheduledDays",
       learning_steps AS "learningSteps", reps, lapses, state, last_review AS "lastReview"
     FROM cards WHERE learner_id = $1 AND exercise_id = $2 FOR UPDATE`,
    values: [learnerId, exerciseId],
  });
  return { ...row, card: card.rows[0] ?? null };
}

export interface PracticeWrite {
  learnerId: string;
  exerciseId: string;
  card: CardState;
  review: { answer: string; outcome: string; correct: boolean; rating: number };
  learner: { scoreDelta: number; streak: number; longest: number; day: string };
}

/** Saves the card, appends the review and updates score and streak: one round trip. Returns the score. */
export async function recordAnswer(db: Queryable, write: PracticeWrite): Promise<number> {
  const { card, review, learner } = write;
  const result = await db.query<{ score: number }>({
    name: "record-answer",
    text: `WITH saved_card AS (
       INSERT INTO cards (learner_id, exercise_id, due, stability, difficulty, elapsed_days, scheduled_days,
         learning_steps, reps, lapses, state, last_review)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (learner_id, exercise_id) DO UPDATE SET due = EXCLUDED.due, stability = EXCLUDED.stability,
         difficulty = EXCLUDED.difficulty, elapsed_days = EXCLUDED.elapsed_days,
         scheduled_days = EXCLUDED.scheduled_days, learning_steps = EXCLUDED.learning_steps,
         reps = EXCLUDED.reps, lapses = EXCLUDED.lapses, state = EXCLUDED.state,
         last_review = EXCLUDED.last_review
     ), saved_review AS (
       INSERT INTO reviews (learner_id, exercise_id, answer, outcome, correct, rating)
       VALUES ($1, $2, $13, $14, $15, $16)
     )
     UPDATE learners SET score = score + $17, current_streak = $18, longest_streak = $19,
       last_practice_on = $20::date
     WHERE id = $1 RETURNING score`,
    values: [
      write.learnerId,
      write.exerciseId,
      card.due,
      card.stability,
      card.difficulty,
      card.elapsedDays,
      card.scheduledDays,
      card.learningSteps,
      card.reps,
      card.lapses,
      card.state,
      card.lastReview,
      review.answer,
      review.outcome,
      review.correct,
      review.rating,
      learner.scoreDelta,
      learner.streak,
      learner.longest,
      learner.day,
    ],
  });
  const score = result.rows[0]?.score;
  if (score === undefined) throw new Error("recording an answer updated no learner row");
  return score;
}
