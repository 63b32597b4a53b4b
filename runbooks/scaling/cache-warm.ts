/**
 * Warm the caches
 *
 * Purpose: fills the app's Redis caches from PostgreSQL so learners do not pay for cold misses: the
 *   active exercise set into the hash `<prefix>exercises:<bank version>` (the exact JSON the app
 *   stores, TTL 1 h) and the leaderboard `<prefix>leaderboard` rebuilt from learners' scores.
 * Sent here by: the Scaling Guide's "Caching strategies"; after a Redis restart or flush, a new bank
 *   version (db:seed), a cache hit rate that dropped (performance-check), or before a load test.
 * Preconditions: the environment has Redis (REDIS_URL) and its key prefix matches the app's
 *   REDIS_KEY_PREFIX; DATABASE_URL reaches the database.
 * Blast radius: Redis keys `<prefix>exercises:<version>` and `<prefix>leaderboard` only. Both are caches
 *   of PostgreSQL; overwriting them serves the same data. The leaderboard is swapped in atomically.
 */
import { z } from "zod";
import { defineRunbook, seconds } from "../engine/define.ts";

// The app's own cache settings (practice-app/src/cache/exercise-cache.ts and leaderboard-cache.ts):
// the key names, TTLs and the columns it stores, in its order, so the JSON is byte-for-byte the same.
const EXERCISE_TTL_SECONDS = 3_600;
const LEADERBOARD_TTL_SECONDS = 600;
const EXERCISE_COLUMNS =
  "id, category, difficulty, sentence, verb, person, mood, tense, expected, accepted, explanation, translation";
const CHUNK = 500;

interface Inspection {
  bankVersion: string;
  activeExercises: number;
  exercisesKey: string;
  cachedExercises: number;
  exercisesTtl: number;
  leaderboardKey: string;
  scoredLearners: number;
  leaderboardSize: number;
  leaderboardTtl: number;
}

export default defineRunbook({
  id: "cache-warm",
  title: "Warm the caches",
  summary:
    "Loads the active exercise set into Redis and rebuilds the leaderboard from PostgreSQL, in the app's own format.",
  guide: "scaling-guide",
  section: "Caching strategies",
  params: z.object({
    exercises: z.boolean().default(true).describe("Warm the exercise cache"),
    leaderboard: z.boolean().default(true).describe("Rebuild the leaderboard"),
  }),
  steps: (step) => [
    step({
      id: "inspect",
      title: "What is in PostgreSQL and in Redis now",
      description: "Reads the active bank version and counts, and the cache keys' sizes and TTLs.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx): Promise<Inspection> {
        if (!ctx.env.redisUrl)
          throw new Error(
            `environment "${ctx.env.name}" has no Redis: there is no cache to warm (the app serves everything from PostgreSQL). Configure its REDIS_URL first`,
          );
        const [db] = await ctx.sql<{ version: string | null; active: number; scored: number }>(
          `SELECT (SELECT max(bank_version) FROM exercises WHERE active) AS version,
                  (SELECT count(*)::int FROM exercises WHERE active) AS active,
                  (SELECT count(*)::int FROM learners WHERE score > 0) AS scored`,
        );
        if (!db?.version)
          throw new Error("the exercise bank is empty: run `npm run db:seed` before warming the cache");
        const prefix = ctx.env.redisPrefix;
        const exercisesKey = `${prefix}exercises:${db.version}`;
        const leaderboardKey = `${prefix}leaderboard`;
        const redis = ctx.redis();
        const [cached, exTtl, board, boardTtl] = await Promise.all([
          redis.hlen(exercisesKey),
          redis.ttl(exercisesKey),
          redis.zcard(leaderboardKey),
          redis.ttl(leaderboardKey),
        ]);
        ctx.log(`bank version ${db.version}: ${db.active} active exercises in PostgreSQL`);
        ctx.log(`${exercisesKey}: ${cached} cached${ttlText(exTtl)}`);
        ctx.log(
          `learners with a score: ${db.scored}; ${leaderboardKey}: ${board} on the board${ttlText(boardTtl)}`,
        );
        return {
          bankVersion: db.version,
          activeExercises: db.active,
          exercisesKey,
          cachedExercises: cached,
          exercisesTtl: exTtl,
          leaderboardKey,
          scoredLearners: db.scored,
          leaderboardSize: board,
          leaderboardTtl: boardTtl,
        };
      },
    }),
    step({
      id: "warm-exercises",
      title: "Load the exercise set into Redis",
      description:
        "HSET every active exercise (the app's JSON) into the bank version's hash, with the app's TTL.",
      danger: "change",
      timeoutMs: seconds(60),
      plan(ctx) {
        const i = ctx.result<Inspection>("inspect");
        if (!ctx.params.exercises) return ["nothing: exercises=false"];
        return [
          `would write ${i.activeExercises} fields into ${i.exercisesKey} (now ${i.cachedExercises}) and set its TTL to ${EXERCISE_TTL_SECONDS} s`,
        ];
      },
      async run(ctx) {
        if (!ctx.params.exercises) {
          ctx.log("skipped: exercises=false");
          return { written: 0 };
        }
        const i = ctx.result<Inspection>("inspect");
        // Same columns, same order, same filter as the app's activeExercises(): JSON.stringify of
        // these rows is exactly what the app would store.
        const rows = await ctx.sql<{ id: string }>(
          `SELECT ${EXERCISE_COLUMNS} FROM exercises WHERE active ORDER BY id`,
        );
        const redis = ctx.redis();
        const tx = redis.multi();
        for (let at = 0; at < rows.length; at += CHUNK) {
          const fields = rows.slice(at, at + CHUNK).flatMap((row) => [row.id, JSON.stringify(row)]);
          tx.hset(i.exercisesKey, ...fields);
        }
        tx.expire(i.exercisesKey, EXERCISE_TTL_SECONDS);
        const results = await tx.exec();
        const failed = results?.find(([error]) => error);
        if (!results || failed)
          throw new Error(
            `Redis refused the write to ${i.exercisesKey}: ${failed?.[0]?.message ?? "transaction aborted"}`,
          );
        ctx.log(`wrote ${rows.length} exercises into ${i.exercisesKey}, TTL ${EXERCISE_TTL_SECONDS} s`);
        return { written: rows.length };
      },
    }),
    step({
      id: "rebuild-leaderboard",
      title: "Rebuild the leaderboard",
      description:
        "Builds the board from learners.score (score > 0) in a temporary key and renames it into place.",
      danger: "change",
      timeoutMs: seconds(60),
      plan(ctx) {
        const i = ctx.result<Inspection>("inspect");
        if (!ctx.params.leaderboard) return ["nothing: leaderboard=false"];
        return [
          `would replace ${i.leaderboardKey} (${i.leaderboardSize} now) with ${i.scoredLearners} learners' scores, TTL ${LEADERBOARD_TTL_SECONDS} s`,
        ];
      },
      async run(ctx) {
        if (!ctx.params.leaderboard) {
          ctx.log("skipped: leaderboard=false");
          return { learners: 0 };
        }
        const i = ctx.result<Inspection>("inspect");
        const scores = await ctx.sql<{ id: string; score: number }>(
          "SELECT id::text AS id, score FROM learners WHERE score > 0",
        );
        const tmp = `${i.leaderboardKey}:rebuild`;
        const tx = ctx.redis().multi().del(tmp);
        for (let at = 0; at < scores.length; at += CHUNK)
          tx.zadd(tmp, ...scores.slice(at, at + CHUNK).flatMap((s) => [s.score, s.id]));
        // Readers see the old board or the new one, never half of it.
        if (scores.length > 0)
          tx.rename(tmp, i.leaderboardKey).expire(i.leaderboardKey, LEADERBOARD_TTL_SECONDS);
        else tx.del(i.leaderboardKey);
        const results = await tx.exec();
        const failed = results?.find(([error]) => error);
        if (!results || failed)
          throw new Error(
            `Redis refused the leaderboard rebuild: ${failed?.[0]?.message ?? "transaction aborted"}`,
          );
        ctx.log(
          scores.length > 0
            ? `${i.leaderboardKey}: ${scores.length} learners, TTL ${LEADERBOARD_TTL_SECONDS} s`
            : `no learner has a score yet: ${i.leaderboardKey} removed (the app shows an empty board)`,
        );
        return { learners: scores.length };
      },
    }),
    step({
      id: "verify",
      title: "Verify the caches",
      description:
        "Counts the hash's fields and the board's members against PostgreSQL and compares one item.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        const i = ctx.result<Inspection>("inspect");
        const redis = ctx.redis();
        const problems: string[] = [];
        const [cached, ttl, board] = await Promise.all([
          redis.hlen(i.exercisesKey),
          redis.ttl(i.exercisesKey),
          redis.zcard(i.leaderboardKey),
        ]);
        ctx.log(`${i.exercisesKey}: ${cached} of ${i.activeExercises} exercises${ttlText(ttl)}`);
        ctx.log(`${i.leaderboardKey}: ${board} of ${i.scoredLearners} learners with a score`);
        if (ctx.params.exercises) {
          if (cached < i.activeExercises)
            problems.push(
              `the exercise hash has ${cached} fields, PostgreSQL ${i.activeExercises} active exercises`,
            );
          const [sample] = await ctx.sql<{ id: string }>(
            `SELECT ${EXERCISE_COLUMNS} FROM exercises WHERE active ORDER BY random() LIMIT 1`,
          );
          if (sample) {
            const stored = await redis.hget(i.exercisesKey, sample.id);
            if (stored !== JSON.stringify(sample))
              problems.push(`exercise ${sample.id} in Redis differs from PostgreSQL`);
            else ctx.log(`exercise ${sample.id}: Redis matches PostgreSQL`);
          }
        }
        if (ctx.params.leaderboard && board !== i.scoredLearners)
          problems.push(
            `the leaderboard has ${board} learners, PostgreSQL ${i.scoredLearners} with a score (scores changed meanwhile? run again)`,
          );
        if (problems.length > 0)
          throw new Error(
            `the caches are not warm: ${problems.join("; ")}. Check Redis' memory (maxmemory, evictions)`,
          );
        return { exercises: cached, leaderboard: board, exercisesTtl: ttl };
      },
    }),
  ],
});

function ttlText(ttl: number): string {
  if (ttl === -2) return " (key absent)";
  if (ttl === -1) return " (no TTL)";
  return `, TTL ${ttl} s`;
}
