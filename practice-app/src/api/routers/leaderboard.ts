import { z } from "zod";
import { authedProcedure, router } from "../trpc.ts";

export const leaderboardRouter = router({
  top: authedProcedure
    .input(z.strictObject({ limit: z.number().int().min(1).max(50).default(10) }).default({ limit: 10 }))
    .query(({ ctx, input }) => ctx.deps.leaderboard.standing(ctx.session.learnerId, input.limit)),
});
