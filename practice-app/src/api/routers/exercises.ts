import { z } from "zod";
import { withTransaction } from "../../db/pool.ts";
import { pickNext } from "../../db/repositories/cards.ts";
import { lockForPractice, recordAnswer } from "../../db/repositories/practice.ts";
import { checkAnswer, isGradedOutcome } from "../../domain/checking/index.ts";
import { PERSON_PRONOUNS, type Person } from "../../domain/grammar.ts";
import { nextStreak, review, schedulingOutcome, utcDay, visibleStreak } from "../../domain/scheduling.ts";
import { AppError } from "../errors.ts";
import { categoryLabel, toExercise } from "../exercise-mapping.ts";
import { authedProcedure, router } from "../trpc.ts";

const exerciseId = z
  .string()
  .min(1, "required")
  .max(64, "at most 64 characters")
  .regex(/^[a-z0-9-]+$/, "lowercase letters, digits and dashes only");

const submitInput = z.strictObject({
  exerciseId,
  // Trimmed before the cap, so spaces pasted around a right answer do not make it "too long".
  answer: z.string().trim().max(60, "at most 60 characters"),
});

export const exercisesRouter = router({
  /** The item to practise now: a due review, else a new item, else the next one coming due. */
  next: authedProcedure.query(async ({ ctx }) => {
    const pick = await pickNext(ctx.deps.pool, ctx.session.learnerId);
    if (!pick)
      throw new AppError(
        "NO_EXERCISES",
        "The exercise bank is empty. An operator needs to run `npm run db:seed`.",
      );
    const row = await ctx.deps.exercises.get(pick.exerciseId);
    if (!row) throw new AppError("EXERCISE_NOT_FOUND", `Exercise ${pick.exerciseId} vanished from the bank.`);
    return {
      reason: pick.reason,
      item: {
        id: row.id,
        sentence: row.sentence,
        verb: row.verb,
        // Which person the blank needs, for sentences whose subject is not written (Ojalá ___ tiempo).
        // A para + infinitive blank takes no person.
        person: {
          id: row.person,
          label:
            row.mood === "infinitive"
              ? "infinitive (no person)"
              : (PERSON_PRONOUNS[row.person as Person] ?? row.person),
        },
        translation: row.translation,
        difficulty: row.difficulty,
        category: { id: row.category, label: categoryLabel(row.category) },
      },
    };
  }),

  submit: authedProcedure.input(submitInput).mutation(async ({ ctx, input }) => {
    const row = await ctx.deps.exercises.get(input.exerciseId);
    if (!row) throw new AppError("EXERCISE_NOT_FOUND", `There is no exercise "${input.exerciseId}".`);
    const checked = checkAnswer(toExercise(row), input.answer);
    const outcome = checked.outcome;
    // Not an attempt to grade (the verb with "tú" or "que" around it, a letter from another
    // alphabet): no review, no card change, no streak; the learner types it again. The answer is
    // not revealed, or trying again would be copying.
    if (!isGradedOutcome(outcome)) {
      return { graded: false as const, outcome, correct: false as const, message: checked.message };
    }
    const learnerId = ctx.session.learnerId;
    const now = new Date();
    const today = utcDay(now);
    const saved = await withTransaction(ctx.deps.pool, async (tx) => {
      // Locks the learner, so concurrent submits of one learner update the streak in turn, and the card.
      const learner = await lockForPractice(tx, learnerId, row.id);
      if (!learner) throw new AppError("UNAUTHENTICATED", "This account no longer exists.");
      // Accent-tolerant mode: the slip is still reported (outcome "accent"), but not penalised.
      const counted = schedulingOutcome(outcome, { accentTolerant: learner.accentTolerant });
      const { card, rating } = review(learner.card, counted, now);
      const streak = nextStreak(
        {
          streak: learner.currentStreak,
          longest: learner.longestStreak,
          lastPracticeOn: learner.lastPracticeOn,
        },
        today,
      );
      const score = await recordAnswer(tx, {
        learnerId,
        exerciseId: row.id,
        card,
        review: { answer: input.answer, outcome, correct: checked.correct, rating },
        learner: {
          scoreDelta: counted === "correct" ? 1 : 0,
          streak: streak.streak,
          longest: streak.longest,
          day: today,
        },
      });
      return { card, score, streak, tolerated: counted !== outcome };
    });
    if (checked.correct || saved.tolerated) await ctx.deps.leaderboard.record(learnerId, saved.score);
    return {
      graded: true as const,
      outcome,
      correct: checked.correct,
      message: checked.message,
      explanation: checked.explanation,
      expected: checked.expected,
      accepted: checked.accepted,
      nextReviewAt: saved.card.due.toISOString(),
      /** True when an accent slip was not penalised (the learner's accent-tolerant mode). */
      accentTolerated: saved.tolerated,
      score: saved.score,
      streak: visibleStreak(saved.streak.streak, today, today),
    };
  }),
});
