// PostgreSQL sessions as the troubleshooting runbooks see them: only backends of the environment's
// own database, never the runbook's own connection. Not a runbook: the catalog skips files
// starting "_".
import type { StepContext } from "../engine/context.ts";

export type SqlCtx = Pick<StepContext<unknown>, "sql" | "log" | "warn">;

export interface Backend {
  pid: number;
  /** With the pid, identifies the session: a pid can be reused by a later connection. */
  backendStart: string;
  applicationName: string;
  user: string;
  state: string;
  /** Seconds in the current state (for idle in transaction: how long it has been idle). */
  stateSeconds: number;
  /** Seconds since the transaction began, or null outside a transaction. */
  xactSeconds: number | null;
  query: string;
}

/** Columns of pg_stat_activity as a Backend; `a` is the pg_stat_activity alias. */
export const BACKEND_COLUMNS = `a.pid, a.backend_start::text AS "backendStart",
  coalesce(a.application_name, '') AS "applicationName", coalesce(a.usename, '') AS "user",
  coalesce(a.state, '') AS state,
  extract(epoch FROM now() - a.state_change)::float8 AS "stateSeconds",
  extract(epoch FROM now() - a.xact_start)::float8 AS "xactSeconds",
  left(coalesce(a.query, ''), 120) AS query`;

/** The scope every query here adds: this database's client backends, not ours. */
export const OWN_DATABASE_ONLY =
  "a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'";

export function describeBackend(b: Backend): string {
  const xact = b.xactSeconds === null ? "" : `, transaction open ${Math.round(b.xactSeconds)} s`;
  return `pid ${b.pid} (${b.applicationName || "no application_name"}, user ${b.user}): ${b.state} for ${Math.round(b.stateSeconds)} s${xact}; last query: ${b.query.replace(/\s+/g, " ")}`;
}

/**
 * Ends sessions with pg_cancel_backend or pg_terminate_backend, each only if it is still the same
 * session (pid and backend_start) in this database. Returns the pids that were signalled.
 */
export async function signalBackends(
  ctx: SqlCtx,
  how: "cancel" | "terminate",
  backends: Array<Pick<Backend, "pid" | "backendStart">>,
  extraCondition = "true",
): Promise<number[]> {
  const fn = how === "cancel" ? "pg_cancel_backend" : "pg_terminate_backend";
  const done: number[] = [];
  for (const b of backends) {
    const rows = await ctx.sql<{ ok: boolean }>(
      `SELECT ${fn}(a.pid) AS ok FROM pg_stat_activity a
       WHERE a.pid = $1 AND a.backend_start = $2::timestamptz AND ${OWN_DATABASE_ONLY} AND (${extraCondition})`,
      [b.pid, b.backendStart],
    );
    if (rows[0]?.ok) {
      done.push(b.pid);
      ctx.log(`${how === "cancel" ? "cancelled the query of" : "terminated"} pid ${b.pid}`);
    } else {
      // Expected when the session ended, or changed state, since it was listed: nothing to do.
      ctx.log(`pid ${b.pid}: no longer the session listed (ended or changed state), left alone`);
    }
  }
  return done;
}
