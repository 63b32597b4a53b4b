import type { CardState } from "../../domain/scheduling.ts";
import type { Queryable } from "../pool.ts";

// A graded answer in two statements instead of five: the hot write path of exercises.submit.
// Both run inside the caller's transaction.

export interface PracticeLock {
  currentStreak: number;
  longestStreak: number;
  lastPracticeOn: string | null;
  accentTolerant: boolean;
  /** The learner's card for the exercise, null before the first answer. */
  card: CardState | null;
}

/**
 * Locks the learner (so concurrent submits of one learner update the streak in turn) and the card,
 * and reads both: one round trip. The card is locked in a lateral sub-select because FOR UPDATE
 * cannot reach the nullable side of an outer join. Null when the learner no longer exists.
 */
export async function lockForPractice(
  db: Queryable,
  learnerId: string,
  exerciseId: string,
): Promise<PracticeLock | null> {
  const result = await db.query<Omit<PracticeLock, "card"> & CardColumns>({
    name: "lock-for-practice",
    text: `SELECT l.current_streak AS "currentStreak", l.longest_streak AS "longestStreak",
       to_char(l.last_practice_on, 'YYYY-MM-DD') AS "lastPracticeOn", l.accent_tolerant AS "accentTolerant",
       c.learner_id IS NOT NULL AS "hasCard", c.due, c.stability, c.difficulty, c.elapsed_days AS "elapsedDays",
       c.scheduled_days AS "scheduledDays", c.learning_steps AS "learningSteps", c.reps, c.lapses, c.state,
       c.last_review AS "lastReview"
     FROM learners l
     LEFT JOIN LATERAL (SELECT * FROM cards WHERE learner_id = l.id AND exercise_id = $2 FOR UPDATE) c ON true
     WHERE l.id = $1
     FOR UPDATE OF l`,
    values: [learnerId, exerciseId],
  });
  const row = result.rows[0];
  if (!row) return null;
  const { hasCard, currentStreak, longestStreak, lastPracticeOn, accentTolerant, ...card } = row;
  return { currentStreak, longestStreak, lastPracticeOn, accentTolerant, card: hasCard ? card : null };
}

/** The card's columns beside the learner's; null when the learner has no card for the item. */
type CardColumns = CardState & { hasCard: boolean };

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
