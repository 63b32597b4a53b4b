/**
 * End sessions idle in a transaction
 *
 * Purpose: list the sessions of the app's database that sit "idle in transaction" for longer than a
 *   threshold (they hold a connection, their locks and the oldest snapshot, so vacuum cannot clean
 *   behind them), then, as a separate confirmed step, terminate exactly those sessions.
 * Sent here by: the Troubleshooting entry "Database connections exhausted" (too many clients, pool
 *   waiting), "Locks and long queries", or the morning check's long-transaction warning.
 * Preconditions: DATABASE_URL reaches the app's database as a role that may see and signal other
 *   sessions (a superuser, or a member of pg_signal_backend for non-superuser sessions).
 * Blast radius: each terminated session's open transaction is rolled back and its client gets a
 *   connection error (the app answers that request with 503 and goes on). Only sessions of this
 *   database, idle in a transaction for longer than the threshold, still the same session as
 *   listed; never the runbook's own connection. Other databases on the server are not touched.
 */
import { z } from "zod";
import { defineRunbook, seconds } from "../engine/define.ts";
import {
  BACKEND_COLUMNS,
  type Backend,
  describeBackend,
  OWN_DATABASE_ONLY,
  signalBackends,
} from "./_sessions.ts";

const IDLE = "a.state IN ('idle in transaction', 'idle in transaction (aborted)')";

export default defineRunbook({
  id: "troubleshoot-idle-transactions",
  title: "End sessions idle in a transaction",
  summary:
    "Lists the sessions of the app's database idle in a transaction longer than a threshold, then terminates them (confirmed).",
  guide: "operational-runbook",
  section: "Troubleshooting",
  params: z.object({
    olderThanSeconds: z.coerce
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(300)
      .describe("Only sessions idle in a transaction for longer than this many seconds"),
    applicationName: z
      .string()
      .max(64)
      .optional()
      .describe("Only sessions with this application_name (e.g. psql); default: any"),
  }),
  steps: (step) => [
    step({
      id: "find-idle",
      title: "Sessions idle in a transaction",
      description:
        "Lists this database's sessions idle in a transaction longer than the threshold, oldest first.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const found = await ctx.sql<Backend & Record<string, unknown>>(
          `SELECT ${BACKEND_COLUMNS} FROM pg_stat_activity a
           WHERE ${OWN_DATABASE_ONLY} AND ${IDLE}
             AND now() - a.state_change > make_interval(secs => $1)
             AND ($2::text IS NULL OR a.application_name = $2)
           ORDER BY a.state_change`,
          [ctx.params.olderThanSeconds, ctx.params.applicationName ?? null],
        );
        ctx.log(
          `sessions idle in a transaction for more than ${ctx.params.olderThanSeconds} s${ctx.params.applicationName ? ` (application_name ${ctx.params.applicationName})` : ""}: ${found.length}`,
        );
        for (const b of found) ctx.log(`  ${describeBackend(b)}`);
        if (found.length > 0)
          ctx.log(
            "to stop it recurring: ALTER DATABASE <name> SET idle_in_transaction_session_timeout = '1min' (the server then ends such sessions itself)",
          );
        return { sessions: found };
      },
    }),
    step({
      id: "terminate-idle",
      title: "Terminate them",
      description:
        "pg_terminate_backend on each listed session that is still the same session and still idle in a transaction.",
      danger: "destructive",
      timeoutMs: seconds(30),
      plan(ctx) {
        const { sessions } = ctx.result<{ sessions: Backend[] }>("find-idle");
        if (sessions.length === 0) return ["nothing: no session is idle in a transaction past the threshold"];
        return sessions.map(
          (b) =>
            `would terminate pid ${b.pid} (${b.applicationName || "?"}), idle in a transaction for ${Math.round(b.stateSeconds)} s; its transaction rolls back`,
        );
      },
      async run(ctx) {
        const { sessions } = ctx.result<{ sessions: Backend[] }>("find-idle");
        if (sessions.length === 0) {
          ctx.log("nothing to terminate");
          return { terminated: [] as number[] };
        }
        // Still idle in a transaction: a session that moved on since the listing is doing work now.
        const terminated = await signalBackends(ctx, "terminate", sessions, IDLE);
        ctx.log(`terminated ${terminated.length} of ${sessions.length} session(s)`);
        return { terminated };
      },
    }),
    step({
      id: "check-after",
      title: "Check that they are gone",
      description: "Lists again; fails if a terminated session is still there.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        // No result under --plan, or run alone: then there is nothing this run terminated to check.
        let terminated: number[] = [];
        try {
          terminated = ctx.result<{ terminated: number[] }>("terminate-idle").terminated;
        } catch {
          ctx.log("the terminate step did not run in this run: nothing to check");
          return { left: 0 };
        }
        // Termination is asynchronous: give the backends a moment to exit.
        for (let i = 0; i < 20; i++) {
          const left = await ctx.sql<{ pid: number }>(
            "SELECT a.pid FROM pg_stat_activity a WHERE a.pid = ANY($1::int[])",
            [terminated],
          );
          if (left.length === 0) {
            ctx.log(`none of the ${terminated.length} terminated session(s) is left`);
            return { left: 0 };
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        throw new Error(
          `sessions ${terminated.join(", ")} are still there 5 s after pg_terminate_backend: look at them in pg_stat_activity (a backend stuck in I/O ends when the I/O does)`,
        );
      },
    }),
  ],
});
