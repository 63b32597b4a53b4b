/**
 * Find and end the query that blocks others
 *
 * Purpose: find the sessions other sessions wait for (lock waits), the root of each chain, show what
 *   they run and how long, then cancel the blocker's query (gentle: the session stays) and, if it
 *   still blocks, terminate its session. Each change is its own confirmed step.
 * Sent here by: the Troubleshooting entry "Locks and long queries" (calls hang then fail with 503,
 *   "canceling statement due to statement timeout"), the morning check's "locks waiting", a
 *   migration that gave up on lock_timeout.
 * Preconditions: DATABASE_URL reaches the app's database as a role that may signal other sessions.
 *   Ask in the team channel before ending someone's migration or maintenance job (the audit log
 *   says who runs what).
 * Blast radius: the blocking session's statement is cancelled (its transaction aborts), then, in
 *   the last step, its session is terminated. Only root blockers in this database that still block
 *   when the step runs; never the runbook's own connection; the waiting sessions are not touched.
 */
import { z } from "zod";
import { defineRunbook, seconds } from "../engine/define.ts";
import {
  BACKEND_COLUMNS,
  type Backend,
  describeBackend,
  OWN_DATABASE_ONLY,
  type SqlCtx,
  signalBackends,
} from "./_sessions.ts";

interface Blocker extends Backend {
  /** How many sessions wait for it, directly. */
  waiting: number;
  /** The longest wait among them, in seconds. */
  longestWaitSeconds: number;
}

/** Blockers that wait for nobody themselves: ending them releases the chain. */
async function rootBlockers(ctx: SqlCtx, minWaitSeconds: number, pid?: number): Promise<Blocker[]> {
  return ctx.sql<Blocker & Record<string, unknown>>(
    `WITH waits AS (
       SELECT w.pid AS waiter, b.pid AS blocker, now() - w.query_start AS waited
       FROM pg_stat_activity w
       CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS b(pid)
       WHERE w.datname = current_database() AND w.wait_event_type = 'Lock'
     )
     SELECT ${BACKEND_COLUMNS}, count(*)::int AS waiting,
            extract(epoch FROM max(waits.waited))::float8 AS "longestWaitSeconds"
     FROM waits JOIN pg_stat_activity a ON a.pid = waits.blocker
     WHERE ${OWN_DATABASE_ONLY}
       AND cardinality(pg_blocking_pids(a.pid)) = 0
       AND ($2::int IS NULL OR a.pid = $2)
     GROUP BY a.pid, a.backend_start, a.application_name, a.usename, a.state, a.state_change, a.xact_start, a.query
     HAVING extract(epoch FROM max(waits.waited)) >= $1
     ORDER BY max(waits.waited) DESC`,
    [minWaitSeconds, pid ?? null],
  );
}

const params = z.object({
  minWaitSeconds: z.coerce
    .number()
    .min(0)
    .max(3_600)
    .default(5)
    .describe("Only blockers someone has waited for at least this many seconds"),
  pid: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("Only this blocking pid (from the first step); default: every root blocker"),
  settleSeconds: z.coerce
    .number()
    .min(0)
    .max(60)
    .default(2)
    .describe("After a cancel, how long to wait before looking again"),
});

export default defineRunbook({
  id: "troubleshoot-blocking-query",
  title: "Find and end the blocking query",
  summary:
    "Finds the session at the root of a lock wait, cancels its query, and terminates it if it still blocks (each confirmed).",
  guide: "operational-runbook",
  section: "Troubleshooting",
  params,
  steps: (step) => [
    step({
      id: "find-blockers",
      title: "Who waits, and for whom",
      description:
        "Lists the root blockers of lock waits in this database: what they run, since when, how many wait.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const blockers = await rootBlockers(ctx, ctx.params.minWaitSeconds, ctx.params.pid);
        ctx.log(`root blockers (waited on for ≥ ${ctx.params.minWaitSeconds} s): ${blockers.length}`);
        for (const b of blockers)
          ctx.log(
            `  ${describeBackend(b)} — ${b.waiting} session(s) wait, the longest ${Math.round(b.longestWaitSeconds)} s`,
          );
        if (blockers.length === 0) ctx.log("no session is blocked: nothing to end");
        return { blockers };
      },
    }),
    step({
      id: "cancel-blocker",
      title: "Cancel the blocker's query",
      description:
        "pg_cancel_backend on each root blocker still blocking; the session stays, its statement and transaction end.",
      danger: "change",
      timeoutMs: seconds(90),
      plan(ctx) {
        const { blockers } = ctx.result<{ blockers: Blocker[] }>("find-blockers");
        if (blockers.length === 0) return ["nothing: no root blocker"];
        return blockers.map(
          (b) => `would cancel the query of pid ${b.pid} (${b.applicationName || "?"}, ${b.state})`,
        );
      },
      async run(ctx) {
        const { blockers } = ctx.result<{ blockers: Blocker[] }>("find-blockers");
        const cancelled = await signalBackends(ctx, "cancel", blockers);
        await new Promise((resolve) => setTimeout(resolve, ctx.params.settleSeconds * 1000));
        const still = await rootBlockers(ctx, 0, ctx.params.pid);
        const stillListed = still.filter((s) =>
          blockers.some((b) => b.pid === s.pid && b.backendStart === s.backendStart),
        );
        if (stillListed.length === 0)
          ctx.log("the cancel released the wait: the next step has nothing to do");
        else
          for (const b of stillListed)
            ctx.warn(
              `pid ${b.pid} still blocks (${b.state}: a session idle in a transaction has no query to cancel): the next step terminates it`,
            );
        return { cancelled, stillBlocking: stillListed };
      },
    }),
    step({
      id: "terminate-blocker",
      title: "Terminate it if it still blocks",
      description:
        "pg_terminate_backend on the blockers the cancel did not release; their transactions roll back.",
      danger: "destructive",
      timeoutMs: seconds(30),
      async plan(ctx) {
        const targets = await stillBlocking(ctx);
        if (targets.length === 0) return ["nothing: no listed blocker still blocks"];
        return targets.map(
          (b) => `would terminate pid ${b.pid} (${b.applicationName || "?"}); its transaction rolls back`,
        );
      },
      async run(ctx) {
        const targets = await stillBlocking(ctx);
        if (targets.length === 0) {
          ctx.log("no listed blocker still blocks: nothing to terminate");
          return { terminated: [] as number[] };
        }
        const terminated = await signalBackends(ctx, "terminate", targets);
        return { terminated };
      },
    }),
  ],
});

/** The listed blockers that block right now (the cancel step may not have run, or may have helped). */
async function stillBlocking(
  ctx: SqlCtx & { params: z.infer<typeof params>; result<T>(id: string): T },
): Promise<Blocker[]> {
  const { blockers } = ctx.result<{ blockers: Blocker[] }>("find-blockers");
  const now = await rootBlockers(ctx, 0, ctx.params.pid);
  return now.filter((s) => blockers.some((b) => b.pid === s.pid && b.backendStart === s.backendStart));
}
