/**
 * Vacuum and analyze
 *
 * Purpose: the weekly database maintenance: VACUUM (ANALYZE) every app table, or one table, so dead
 *   row versions are reclaimed for reuse and the planner's statistics are fresh. Dead tuples are
 *   reported before and after, with what is left over and why.
 * Sent here by: the maintenance calendar (Maintenance Guide, "Database maintenance", Wednesdays),
 *   bloat-report recommending "vacuum", or slow queries after a large import or delete.
 * Preconditions: DATABASE_URL reaches the app's database as a role that owns the tables.
 * Blast radius: VACUUM takes a SHARE UPDATE EXCLUSIVE lock per table: reads and writes go on, schema
 *   changes (migrations) and other vacuums of that table wait. It reads the whole table and adds I/O
 *   load while it runs; it never rewrites or locks out the app (it is not VACUUM FULL).
 */
import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { ago, percent } from "../lib/format.ts";
import {
  APP_SCHEMA,
  isoOrNull,
  optionalResult,
  qualified,
  selectTables,
  tableParam,
  withSession,
} from "./_shared.ts";

interface TableStats {
  table: string;
  liveTuples: number;
  deadTuples: number;
  deadRatio: number;
  lastVacuum: string | null;
  lastAutovacuum: string | null;
  lastAnalyze: string | null;
  lastAutoanalyze: string | null;
}

export default defineRunbook({
  id: "vacuum-analyze",
  title: "Vacuum and analyze",
  summary: "VACUUM (ANALYZE) each app table, or one table, with dead tuples reported before and after.",
  guide: "maintenance-guide",
  section: "Database maintenance",
  params: z.object({
    table: tableParam("Only this table (checked against the app's tables); default: every app table"),
  }),
  steps: (step) => [
    step({
      id: "dead-tuples-before",
      title: "Dead tuples before",
      description: "Checks the table parameter against the app's tables and reports live and dead tuples.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        // An unknown table is refused here, before the vacuum step can run.
        const tables = await selectTables(ctx, ctx.params.table);
        const stats = await tableStats(ctx, tables);
        logStats(ctx, stats);
        const dead = stats.reduce((sum, s) => sum + s.deadTuples, 0);
        ctx.log(`total dead tuples in ${tables.length} table(s): ${dead}`);
        return { tables, stats };
      },
    }),
    step({
      id: "vacuum",
      title: "VACUUM (ANALYZE)",
      description: "Runs VACUUM (ANALYZE) on each selected table, one at a time, and times each.",
      danger: "change",
      timeoutMs: minutes(60),
      async plan(ctx) {
        const tables = await selectTables(ctx, ctx.params.table);
        return [
          ...tables.map((t) => `VACUUM (ANALYZE) ${qualified(t)}`),
          "each takes a SHARE UPDATE EXCLUSIVE lock: the app keeps reading and writing; migrations on that table wait",
        ];
      },
      async run(ctx) {
        const tables = await selectTables(ctx, ctx.params.table);
        const timings: Array<{ table: string; seconds: number }> = [];
        // The server's clock, so the check after compares like with like.
        const startedAt = await withSession(ctx, "vacuum-analyze", async (query) => {
          const now = (await query("SELECT clock_timestamp() AS now")).rows[0]?.now as Date;
          for (const table of tables) {
            const started = performance.now();
            await query(`VACUUM (ANALYZE) ${qualified(table)}`);
            const took = (performance.now() - started) / 1000;
            timings.push({ table, seconds: took });
            ctx.log(`${table}: vacuumed and analyzed in ${took.toFixed(2)} s`);
          }
          return now.toISOString();
        });
        return { startedAt, timings };
      },
    }),
    step({
      id: "dead-tuples-after",
      title: "Dead tuples after",
      description: "Reports dead tuples again, and why any that are left could not be removed.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const tables = await selectTables(ctx, ctx.params.table);
        const stats = await tableStats(ctx, tables);
        const before = new Map(
          optionalResult<{ stats: TableStats[] }>(ctx, "dead-tuples-before")?.stats.map((s) => [
            s.table,
            s.deadTuples,
          ]) ?? [],
        );
        for (const s of stats) {
          const was = before.get(s.table);
          ctx.log(
            `${s.table.padEnd(24)} dead ${String(was ?? "?").padStart(8)} → ${String(s.deadTuples).padStart(8)}  (${percent(s.deadRatio)} of ${s.liveTuples} live)  vacuumed ${ago(s.lastVacuum)}, analyzed ${ago(s.lastAnalyze)}`,
          );
        }
        const left = stats.filter((s) => s.deadTuples > 0);
        if (left.length > 0) {
          // Expected, not an error: a transaction that started before the vacuum can still see
          // those row versions, so VACUUM must keep them. Name it so the operator can decide.
          const [oldest] = await ctx.sql<{ pid: number; seconds: number; state: string; app: string }>(
            `SELECT pid, extract(epoch FROM now() - xact_start)::int AS seconds, state,
                    coalesce(application_name, '') AS app
             FROM pg_stat_activity
             WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() AND datname = current_database()
             ORDER BY xact_start LIMIT 1`,
          );
          ctx.warn(
            `${left.length} table(s) still have dead tuples (${left.map((s) => `${s.table}: ${s.deadTuples}`).join(", ")}).${
              oldest
                ? ` The oldest open transaction is pid ${oldest.pid} (${oldest.app || "no application name"}, ${oldest.state}, open ${oldest.seconds} s): VACUUM cannot remove rows it may still see. If it is stuck, see pg_stat_activity and rerun later.`
                : " They were probably written while VACUUM ran; the next run (or autovacuum) removes them."
            }`,
          );
        }
        const vacuumedAt = optionalResult<{ startedAt: string }>(ctx, "vacuum")?.startedAt;
        if (vacuumedAt) {
          const missed = stats.filter((s) => !s.lastVacuum || s.lastVacuum < vacuumedAt);
          if (missed.length > 0) {
            throw new Error(
              `PostgreSQL records no vacuum since ${vacuumedAt} for ${missed.map((s) => s.table).join(", ")}: check the server log, then rerun this runbook`,
            );
          }
        }
        return { stats };
      },
    }),
  ],
});

async function tableStats(ctx: StepContext<unknown>, tables: string[]): Promise<TableStats[]> {
  const rows = await ctx.sql<Omit<TableStats, "deadRatio">>(
    `SELECT relname AS "table", n_live_tup::float8 AS "liveTuples", n_dead_tup::float8 AS "deadTuples",
            last_vacuum AS "lastVacuum", last_autovacuum AS "lastAutovacuum",
            last_analyze AS "lastAnalyze", last_autoanalyze AS "lastAutoanalyze"
     FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = ANY($2::text[]) ORDER BY relname`,
    [APP_SCHEMA, tables],
  );
  return rows.map((r) => ({
    ...r,
    lastVacuum: isoOrNull(r.lastVacuum),
    lastAutovacuum: isoOrNull(r.lastAutovacuum),
    lastAnalyze: isoOrNull(r.lastAnalyze),
    lastAutoanalyze: isoOrNull(r.lastAutoanalyze),
    deadRatio: r.liveTuples + r.deadTuples === 0 ? 0 : r.deadTuples / (r.liveTuples + r.deadTuples),
  }));
}

function logStats(ctx: StepContext<unknown>, stats: TableStats[]): void {
  ctx.table({
    title: "Dead rows per table",
    columns: [
      "table",
      "live",
      "dead",
      { key: "deadPct", label: "dead %", align: "right" },
      { key: "vacuum", label: "last vacuum" },
      { key: "analyze", label: "last analyze" },
    ],
    rows: stats.map((s) => ({
      table: s.table,
      live: s.liveTuples,
      dead: s.deadTuples,
      deadPct: percent(s.deadRatio),
      vacuum: ago(latest(s.lastVacuum, s.lastAutovacuum)),
      analyze: ago(latest(s.lastAnalyze, s.lastAutoanalyze)),
    })),
  });
}

function latest(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}
