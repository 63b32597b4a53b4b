import { z } from "zod";
import { learnerSettings, updateLearnerSettings } from "../../db/repositories/learners.ts";
import { AppError } from "../errors.ts";
import { authedProcedure, router } from "../trpc.ts";

// The learner's practice settings. One procedure: called without input it reads them, with input it
// changes them and returns what is now stored.

const settingsInput = z.strictObject({ accentTolerant: z.boolean() }).optional();

export const settingsRouter = router({
  accentTolerance: authedProcedure.input(settingsInput).mutation(async ({ ctx, input }) => {
    const learnerId = ctx.session.learnerId;
    const settings = input
      ? await updateLearnerSettings(ctx.deps.pool, learnerId, input)
      : await learnerSettings(ctx.deps.pool, learnerId);
    if (!settings) throw new AppError("UNAUTHENTICATED", "This account no longer exists.");
    return settings;
  }),
});
