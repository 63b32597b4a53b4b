import { accountRouter } from "./routers/account.ts";
import { accountsRouter } from "./routers/accounts.ts";
import { drillsRouter } from "./routers/drills.ts";
import { exercisesRouter } from "./routers/exercises.ts";
import { leaderboardRouter } from "./routers/leaderboard.ts";
import { progressRouter } from "./routers/progress.ts";
import { settingsRouter } from "./routers/settings.ts";
import { verbsRouter } from "./routers/verbs.ts";
import { publicProcedure, router } from "./trpc.ts";

export const appRouter = router({
  accounts: accountsRouter,
  exercises: exercisesRouter,
  progress: progressRouter,
  leaderboard: leaderboardRouter,
  settings: settingsRouter,
  drills: drillsRouter,
  verbs: verbsRouter,
  account: accountRouter,
  system: router({
    /** Does nothing: the benchmark's ceiling for this server's tRPC overhead. */
    ping: publicProcedure.query(() => ({ pong: true as const })),
  }),
});

export type AppRouter = typeof appRouter;
