import { cardCounts } from "../../db/repositories/cards.ts";
import { findLearnerById } from "../../db/repositories/learners.ts";
import { accuracyByCategoryAndTense } from "../../db/repositories/reviews.ts";
import { utcDay, visibleStreak } from "../../domain/scheduling.ts";
import { AppError } from "../errors.ts";
import { categoryLabel } from "../exercise-mapping.ts";
import { authedProcedure, router } from "../trpc.ts";

export const progressRouter = router({
  summary: authedProcedure.query(async ({ ctx }) => {
    const learnerId = ctx.session.learnerId;
    const [learner, counts, accuracy] = await Promise.all([
      findLearnerById(ctx.deps.pool, learnerId),
      cardCounts(ctx.deps.pool, learnerId),
      accuracyByCategoryAndTense(ctx.deps.pool, learnerId),
    ]);
    if (!learner) throw new AppError("UNAUTHENTICATED", "This account no longer exists.");
    const today = utcDay(new Date());
    const attempts = accuracy.reduce((sum, row) => sum + row.attempts, 0);
    const correct = accuracy.reduce((sum, row) => sum + row.correct, 0);
    return {
      score: learner.score,
      streak: {
        current: visibleStreak(learner.currentStreak, learner.lastPracticeOn, today),
        longest: learner.longestStreak,
        lastPracticeOn: learner.lastPracticeOn,
      },
      items: counts,
      overall: { attempts, correct, accuracy: attempts === 0 ? null : round(correct / attempts) },
      byCategoryAndTense: accuracy.map((row) => ({
        category: { id: row.category, label: categoryLabel(row.category) },
        mood: row.mood,
        tense: row.tense,
        attempts: row.attempts,
        correct: row.correct,
        accuracy: round(row.correct / row.attempts),
      })),
    };
  }),
});

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
