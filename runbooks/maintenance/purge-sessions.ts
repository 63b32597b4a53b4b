/**
 * Purge expired sessions
 *
 * Purpose: delete sessions that expired more than `graceDays` ago, in batches, with counts before
 *   and after. The app already refuses an expired session (its session check requires
 *   expires_at > now()); the rows themselves stay until this runbook removes them, so without it
 *   the sessions table (and its unique index on token_hash) grows with every log-in for ever.
 * Sent here by: the maintenance calendar (Maintenance Guide, "Database maintenance", Wednesdays,
 *   before vacuum-analyze), or bloat-report showing a large `sessions` table.
 * Preconditions: DATABASE_URL reaches the app's database as a role that may delete from sessions;
 *   migration 1732560014000_sessions-expiry-index applied (the batches find rows by that index).
 * Blast radius: only sessions that can no longer be used (expired, past the grace period) are
 *   deleted; no learner is logged out. Each batch is its own short transaction, so the app's reads
 *   and writes go on between batches. Deleted rows become dead tuples: vacuum-analyze reclaims them.
 *   The grace period keeps recently expired sessions for investigations ("was this token valid on
 *   Monday?").
 */
import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { optionalResult } from "./_shared.ts";

interface Counts {
  total: number;
  active: number;
  expired: number;
  revoked: number;
  /** Expired before the cutoff: what this run deletes. */
  purgeable: number;
}

interface Before {
  counts: Counts;
  /** Sessions that expired before this instant (PostgreSQL text, to the microsecond) are purged. */
  cutoff: string;
}

const params = z.object({
  graceDays: z.coerce
    .number()
    .int()
    .min(0)
    .max(365)
    .default(7)
    .describe(
      "Keep sessions for this many days after they expire (for investigations); 0 purges every expired one",
    ),
  batchSize: z.coerce
    .number()
    .int()
    .min(100)
    .max(10_000)
    .default(1_000)
    .describe("Rows deleted per batch (one short transaction each)"),
});

export default defineRunbook({
  id: "purge-sessions",
  title: "Purge expired sessions",
  summary: "Deletes sessions that expired more than graceDays ago, in batches, with counts before and after.",
  guide: "maintenance-guide",
  section: "Database maintenance",
  params,
  steps: (step) => [
    step({
      id: "count-before",
      title: "Sessions before",
      description:
        "Counts sessions (active, expired, revoked) and fixes the cutoff: expired before now − graceDays.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx): Promise<Before> {
        const [row] = await ctx.sql<{ cutoff: string }>(
          "SELECT (now() - make_interval(days => $1))::text AS cutoff",
          [ctx.params.graceDays],
        );
        if (!row) throw new Error("PostgreSQL returned no time: is DATABASE_URL the app's database?");
        const counts = await countSessions(ctx, row.cutoff);
        logCounts(ctx, counts, row.cutoff);
        return { counts, cutoff: row.cutoff };
      },
    }),
    step({
      id: "purge",
      title: "Delete in batches",
      description:
        "Deletes expired sessions older than the cutoff, batchSize rows per transaction, until none are left.",
      danger: "change",
      timeoutMs: minutes(30),
      async plan(ctx) {
        const before = optionalResult<Before>(ctx, "count-before");
        const count = before ? `${before.counts.purgeable} session(s)` : "every session";
        return [
          `DELETE ${count} that expired before ${before?.cutoff ?? `now() − ${ctx.params.graceDays} days`}`,
          `in batches of ${ctx.params.batchSize}, each its own transaction; active sessions are not touched`,
        ];
      },
      async run(ctx) {
        const cutoff = optionalResult<Before>(ctx, "count-before")?.cutoff ?? (await cutoffNow(ctx));
        let deleted = 0;
        let batches = 0;
        for (;;) {
          // Between batches, not inside one: a cancelled run stops at a batch boundary, all of
          // whose deletes are committed.
          if (ctx.signal.aborted) throw new Error(`cancelled after ${batches} batch(es), ${deleted} deleted`);
          const rows = await ctx.sql<{ n: number }>(
            `WITH batch AS (
               SELECT id FROM sessions WHERE expires_at < $1::timestamptz ORDER BY expires_at LIMIT $2
             ), gone AS (DELETE FROM sessions s USING batch WHERE s.id = batch.id RETURNING 1)
             SELECT count(*)::int AS n FROM gone`,
            [cutoff, ctx.params.batchSize],
          );
          const n = rows[0]?.n ?? 0;
          if (n === 0) break;
          batches += 1;
          deleted += n;
          ctx.log(`batch ${batches}: deleted ${n} (${deleted} so far)`);
          if (n < ctx.params.batchSize) break;
        }
        ctx.log(`deleted ${deleted} expired session(s) in ${batches} batch(es)`);
        return { deleted, batches, cutoff };
      },
    }),
    step({
      id: "count-after",
      title: "Sessions after",
      description:
        "Counts again, compares with before, and fails if a session older than the cutoff is left.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const before = optionalResult<Before>(ctx, "count-before");
        const cutoff = before?.cutoff ?? (await cutoffNow(ctx));
        const counts = await countSessions(ctx, cutoff);
        logCounts(ctx, counts, cutoff);
        if (before) {
          const was = before.counts;
          ctx.log(
            `total ${was.total} → ${counts.total}, active ${was.active} → ${counts.active}, expired ${was.expired} → ${counts.expired}`,
          );
        }
        if (counts.purgeable > 0) {
          throw new Error(
            `${counts.purgeable} session(s) that expired before ${cutoff} are still there: the purge stopped early (see its output); run this runbook again`,
          );
        }
        return { counts };
      },
    }),
  ],
});

async function cutoffNow(ctx: StepContext<z.infer<typeof params>>): Promise<string> {
  const [row] = await ctx.sql<{ cutoff: string }>(
    "SELECT (now() - make_interval(days => $1))::text AS cutoff",
    [ctx.params.graceDays],
  );
  if (!row) throw new Error("PostgreSQL returned no time");
  return row.cutoff;
}

async function countSessions(ctx: StepContext<unknown>, cutoff: string): Promise<Counts> {
  const [row] = await ctx.sql<{ [K in keyof Counts]: number }>(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE revoked_at IS NULL AND expires_at > now())::int AS active,
            count(*) FILTER (WHERE expires_at <= now())::int AS expired,
            count(*) FILTER (WHERE revoked_at IS NOT NULL AND expires_at > now())::int AS revoked,
            count(*) FILTER (WHERE expires_at < $1::timestamptz)::int AS purgeable
     FROM sessions`,
    [cutoff],
  );
  if (!row) throw new Error("counting sessions returned no row");
  return row;
}

function logCounts(ctx: StepContext<unknown>, counts: Counts, cutoff: string): void {
  ctx.log(
    `sessions: ${counts.total} in all, ${counts.active} active, ${counts.revoked} revoked (not yet expired), ${counts.expired} expired`,
  );
  ctx.log(`to purge (expired before ${cutoff}): ${counts.purgeable}`);
}
