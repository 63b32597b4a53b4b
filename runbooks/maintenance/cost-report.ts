/**
 * Cost report
 *
 * Purpose: the monthly cost review: what the data costs in space (database size, the biggest
 *   tables, Redis memory and the app's key count), how fast it grows (new learners and reviews per
 *   day), and when that growth reaches the database sizes of the growth targets in policy/.
 * Sent here by: the maintenance calendar (Maintenance Guide, "Cost optimization", first week of the
 *   month), a hosting bill that grew, or a capacity-planning question.
 * Preconditions: DATABASE_URL reaches the app's database; REDIS_URL and the environment's Redis
 *   prefix for the Redis part (an environment without Redis gets the database part only).
 * Blast radius: none. Catalog size functions, counts over indexed timestamps, Redis INFO and SCAN
 *   (cursor-based, never KEYS): nothing is written.
 */
import { z } from "zod";
import { COST_ESTIMATES, CURRENT_CAPACITY, GROWTH_TARGET_LIST } from "../../policy/index.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import { formatBytes, percent } from "../lib/format.ts";
import { parseRedisInfo } from "../lib/redis-info.ts";
import { APP_SCHEMA, optionalResult } from "./_shared.ts";

/** The monthly cost estimates of policy/ (estimates, not invoices), printed for reference. */
const SEED_MONTHLY_COST_ESTIMATES_USD = COST_ESTIMATES.map((c) => ({
  item: c.item,
  low: c.usdPerMonth[0],
  high: c.usdPerMonth[1],
}));

const GB = 1024 ** 3;
const MB = 1024 ** 2;

export default defineRunbook({
  id: "cost-report",
  title: "Cost report",
  summary:
    "Database size and biggest tables, Redis memory and keys under the app's prefix, row growth, and a projection against the growth targets.",
  guide: "maintenance-guide",
  section: "Cost optimization",
  params: z.object({
    days: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(30)
      .describe("Growth is measured over the last this many days"),
    top: z.number().int().min(1).max(50).default(5).describe("How many of the biggest tables to list"),
  }),
  steps: (step) => [
    step({
      id: "database-size",
      title: "Database size and biggest tables",
      description: "pg_database_size and pg_total_relation_size (table, indexes and TOAST) per app table.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const [db] = await ctx.sql<{ name: string; bytes: number }>(
          "SELECT current_database() AS name, pg_database_size(current_database())::float8 AS bytes",
        );
        const bytes = db?.bytes ?? 0;
        const tables = await ctx.sql<{ table: string; bytes: number; rows: number }>(
          `SELECT c.relname AS table, pg_total_relation_size(c.oid)::float8 AS bytes, c.reltuples::float8 AS rows
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relkind = 'r'
           ORDER BY pg_total_relation_size(c.oid) DESC, c.relname LIMIT $2`,
          [APP_SCHEMA, ctx.params.top],
        );
        const now = GROWTH_TARGET_LIST[0];
        ctx.log(
          `database ${db?.name}: ${formatBytes(bytes)}${now ? ` (${percent(bytes / (now.databaseGb * GB))} of the ${now.databaseGb} GB planned for "${now.horizon}")` : ""}`,
        );
        ctx.log(`biggest ${tables.length} table(s), with indexes and TOAST (rows are planner estimates):`);
        for (const t of tables) {
          ctx.log(
            `  ${t.table.padEnd(22)} ${formatBytes(t.bytes).padStart(10)}  ${percent(t.bytes / Math.max(1, bytes)).padStart(6)} of the database  ${t.rows < 0 ? "rows unknown (never analyzed)" : `~${Math.round(t.rows)} rows`}`,
          );
        }
        if (now && bytes > now.databaseGb * GB) {
          ctx.warn(
            `the database is above the ${now.databaseGb} GB the current capacity plans for: run bloat-report, then see the Scaling Guide (capacity planning)`,
          );
        }
        return { databaseBytes: bytes, tables };
      },
    }),
    step({
      id: "redis-memory",
      title: "Redis memory and the app's keys",
      description: "INFO memory, and a SCAN count of the keys under the environment's prefix.",
      danger: "read",
      timeoutMs: seconds(60),
      async run(ctx) {
        if (!ctx.env.redisUrl) {
          // Expected: an environment may run without Redis (the app is degraded by design).
          ctx.log("this environment has no Redis configured: nothing to count");
          return { configured: false };
        }
        const redis = ctx.redis();
        let info: Record<string, string>;
        try {
          info = parseRedisInfo(await redis.info("memory"));
        } catch (error) {
          // Expected during a Redis outage: the app runs degraded and the rest of the cost review
          // (growth, projection) does not need Redis, so the report goes on without it.
          ctx.warn(
            `Redis did not answer (${(error as Error).message}): no memory or key figures; run morning-health-check to see why`,
          );
          return { configured: true, reachable: false };
        }
        const used = Number(info.used_memory ?? 0);
        const max = Number(info.maxmemory ?? 0);
        const planned = CURRENT_CAPACITY.redisMaxMemoryMb * MB;
        const prefix = ctx.env.redisPrefix;
        let keys = 0;
        let cursor = "0";
        do {
          if (ctx.signal.aborted) throw new Error("stopped while counting keys");
          const [next, batch] = await redis.scan(cursor, "MATCH", `${escapeGlob(prefix)}*`, "COUNT", 1000);
          cursor = next;
          keys += batch.length;
        } while (cursor !== "0");
        const total = await redis.dbsize();
        ctx.log(
          `memory: ${formatBytes(used)} used${max > 0 ? ` of ${formatBytes(max)} maxmemory (${percent(used / max)})` : " (no maxmemory set)"}; capacity plan: ${CURRENT_CAPACITY.redisMaxMemoryMb} MB (${percent(used / planned)} used)`,
        );
        ctx.log(
          `keys under the app prefix "${prefix}": ${keys}${prefix ? ` (of ${total} in this Redis database)` : " (no prefix: every key counted)"}`,
        );
        if (used > planned)
          ctx.warn(
            `Redis uses more than the ${CURRENT_CAPACITY.redisMaxMemoryMb} MB of the capacity plan: look at what fills it before paying for more`,
          );
        return {
          configured: true,
          reachable: true,
          usedBytes: used,
          maxBytes: max,
          prefix,
          keys,
          totalKeys: total,
        };
      },
    }),
    step({
      id: "growth",
      title: "Row growth and projection against the growth targets",
      description:
        "New learners and reviews per day over the window, and when the database reaches each target size.",
      danger: "read",
      timeoutMs: seconds(60),
      async run(ctx) {
        const days = ctx.params.days;
        const [rows] = await ctx.sql<{
          learners: number;
          newLearners: number;
          reviews: number;
          newReviews: number;
          learnerBytes: number;
          reviewBytes: number;
          databaseBytes: number;
        }>(
          `SELECT (SELECT count(*) FROM learners)::float8 AS learners,
                  (SELECT count(*) FROM learners WHERE created_at > now() - make_interval(days => $1))::float8 AS "newLearners",
                  (SELECT count(*) FROM reviews)::float8 AS reviews,
                  (SELECT count(*) FROM reviews WHERE reviewed_at > now() - make_interval(days => $1))::float8 AS "newReviews",
                  (pg_total_relation_size('learners') + pg_total_relation_size('cards')
                     + pg_total_relation_size('sessions'))::float8 AS "learnerBytes",
                  pg_total_relation_size('reviews')::float8 AS "reviewBytes",
                  pg_database_size(current_database())::float8 AS "databaseBytes"`,
          [days],
        );
        if (!rows) throw new Error("the growth query returned nothing: is DATABASE_URL the app's database?");
        // Space per row, with indexes: a learner brings their cards and sessions along.
        const perLearner = rows.learners > 0 ? rows.learnerBytes / rows.learners : 0;
        const perReview = rows.reviews > 0 ? rows.reviewBytes / rows.reviews : 0;
        const learnersPerDay = rows.newLearners / days;
        const reviewsPerDay = rows.newReviews / days;
        const bytesPerDay = learnersPerDay * perLearner + reviewsPerDay * perReview;
        const databaseBytes =
          optionalResult<{ databaseBytes: number }>(ctx, "database-size")?.databaseBytes ??
          rows.databaseBytes;
        ctx.log(
          `learners: ${rows.learners} (+${rows.newLearners} in ${days} days = ${learnersPerDay.toFixed(1)}/day, ~${formatBytes(perLearner)} each with cards and sessions)`,
        );
        ctx.log(
          `reviews:  ${rows.reviews} (+${rows.newReviews} in ${days} days = ${reviewsPerDay.toFixed(1)}/day, ~${formatBytes(perReview)} each)`,
        );
        ctx.log(
          `database growth: ~${formatBytes(bytesPerDay)}/day (~${formatBytes(bytesPerDay * 30)}/month)`,
        );
        const projections = GROWTH_TARGET_LIST.flatMap((target) => {
          const months = horizonMonths(target.horizon);
          if (months === null) {
            ctx.warn(`growth target "${target.horizon}": no number of months in its name; skipped`);
            return [];
          }
          const horizonDays = Math.round(months * 30.44);
          const projectedBytes = databaseBytes + bytesPerDay * horizonDays;
          const projectedLearners = Math.round(rows.learners + learnersPerDay * horizonDays);
          const limit = target.databaseGb * GB;
          const daysToLimit =
            databaseBytes >= limit
              ? 0
              : bytesPerDay > 0
                ? Math.ceil((limit - databaseBytes) / bytesPerDay)
                : null;
          const within = projectedBytes <= limit;
          ctx.log(
            `${target.horizon.padEnd(9)} (${target.databaseGb} GB, ${target.users} users): projected ${formatBytes(projectedBytes)}, ${projectedLearners} learners → ${within ? "within the target" : "OVER the target"}; ${
              daysToLimit === null
                ? "no growth, never reached"
                : daysToLimit === 0
                  ? "already reached"
                  : `${target.databaseGb} GB reached in ${duration(daysToLimit)}`
            }`,
          );
          if (!within)
            ctx.warn(
              `at this rate the database passes ${target.databaseGb} GB before "${target.horizon}": plan storage (Scaling Guide) or archive old reviews`,
            );
          return [
            {
              horizon: target.horizon,
              days: horizonDays,
              targetGb: target.databaseGb,
              targetUsers: target.users,
              projectedBytes,
              projectedLearners,
              within,
              daysToLimit,
            },
          ];
        });
        return {
          days,
          learners: rows.learners,
          newLearners: rows.newLearners,
          reviews: rows.reviews,
          newReviews: rows.newReviews,
          bytesPerDay,
          projections,
        };
      },
    }),
    step({
      id: "reference-costs",
      title: "Monthly cost estimates (reference)",
      description: "Prints the seed outline's monthly cost ranges: reference figures, not measurements.",
      danger: "read",
      timeoutMs: seconds(5),
      run(ctx) {
        ctx.log(
          "monthly costs as the seed outline estimates them for its hosting (USD, reference only, not a bill):",
        );
        for (const c of SEED_MONTHLY_COST_ESTIMATES_USD) {
          ctx.log(`  ${c.item.padEnd(24)} $${c.low}–${c.high}`);
        }
        const low = SEED_MONTHLY_COST_ESTIMATES_USD.reduce((sum, c) => sum + c.low, 0);
        const high = SEED_MONTHLY_COST_ESTIMATES_USD.reduce((sum, c) => sum + c.high, 0);
        ctx.log(`  ${"total".padEnd(24)} $${low}–${high}/month`);
        return { estimatesUsd: SEED_MONTHLY_COST_ESTIMATES_USD, totalUsd: { low, high } };
      },
    }),
  ],
});

/** "Now" → 0, "6 months" → 6, "1 year" → 12; null when the name holds no duration. */
function horizonMonths(horizon: string): number | null {
  if (/^now$/i.test(horizon.trim())) return 0;
  const match = /(\d+(?:\.\d+)?)\s*(month|year)/i.exec(horizon);
  if (!match) return null;
  const n = Number(match[1]);
  return match[2]?.toLowerCase() === "year" ? n * 12 : n;
}

function duration(days: number): string {
  if (days < 365) return `~${days} days`;
  if (days < 100 * 365) return `~${(days / 365).toFixed(1)} years`;
  return "more than 100 years";
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
