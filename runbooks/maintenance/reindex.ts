/**
 * Reindex
 *
 * Purpose: rebuild the indexes of one app table, or of every app table, with REINDEX INDEX
 *   CONCURRENTLY, one index at a time, so bloated B-trees shrink back to their data without blocking
 *   the app; then prove that no index was left invalid.
 * Sent here by: bloat-report recommending "reindex" (Maintenance Guide, monthly database
 *   optimisation), or an index reported invalid after an interrupted index build.
 * Preconditions: DATABASE_URL reaches the app's database as the tables' owner; free disk space of at
 *   least the largest index being rebuilt (the new copy is built beside the old one).
 * Blast radius: each rebuild takes a SHARE UPDATE EXCLUSIVE lock on its table: reads and writes go on,
 *   migrations on the table wait. It adds I/O and CPU while it runs and waits for transactions that
 *   were open when it started. If it is stopped midway, an invalid "<index>_ccnew" copy is left
 *   behind; the last step finds it and says how to drop it.
 */
import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { formatBytes } from "../lib/format.ts";
import { APP_SCHEMA, qualified, selectTables, tableParam, withSession } from "./_shared.ts";

interface IndexInfo {
  index: string;
  table: string;
  bytes: number;
  valid: boolean;
  method: string;
  scans: number;
}

/** What REINDEX CONCURRENTLY leaves behind when it is interrupted: copies that are not the index. */
const LEFTOVER = /_cc(new|old)\d*$/;

export default defineRunbook({
  id: "reindex",
  title: "Reindex concurrently",
  summary:
    "REINDEX INDEX CONCURRENTLY for the indexes of one table or every app table, one at a time, then checks that no invalid index remains.",
  guide: "maintenance-guide",
  section: "Database maintenance",
  params: z.object({
    table: tableParam(
      "Only the indexes of this table (checked against the app's tables); default: every app table",
    ),
  }),
  steps: (step) => [
    step({
      id: "indexes-before",
      title: "Indexes and their sizes",
      description: "Checks the table parameter and lists the indexes to rebuild with size and validity.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        // An unknown table is refused here, before the reindex step can run.
        const tables = await selectTables(ctx, ctx.params.table);
        const indexes = await listIndexes(ctx, tables);
        ctx.table({
          title: "Indexes to rebuild",
          columns: ["table", "index", { key: "size", align: "right" }, "method", "valid"],
          rows: indexes.map((i) => ({
            table: i.table,
            index: i.index,
            size: formatBytes(i.bytes),
            method: i.method,
            valid: i.valid ? "valid" : "INVALID",
          })),
        });
        const total = indexes.reduce((sum, i) => sum + i.bytes, 0);
        const largest = Math.max(0, ...indexes.map((i) => i.bytes));
        ctx.log(
          `${indexes.length} index(es), ${formatBytes(total)} in all; free disk needed while rebuilding: about ${formatBytes(largest)} (the largest, one at a time)`,
        );
        for (const i of indexes.filter((x) => !x.valid)) {
          ctx.warn(
            LEFTOVER.test(i.index)
              ? `${i.index} is an invalid leftover of an interrupted REINDEX CONCURRENTLY: it is skipped; drop it with DROP INDEX CONCURRENTLY ${qualified(i.index)}`
              : `${i.index} is invalid (an interrupted index build): this run rebuilds it`,
          );
        }
        return { tables, indexes };
      },
    }),
    step({
      id: "reindex",
      title: "REINDEX INDEX CONCURRENTLY, one at a time",
      description: "Rebuilds each index concurrently and logs its size before and after.",
      danger: "change",
      timeoutMs: minutes(120),
      async plan(ctx) {
        const indexes = (await listIndexes(ctx, await selectTables(ctx, ctx.params.table))).filter(
          (i) => !LEFTOVER.test(i.index),
        );
        return [
          ...indexes.map(
            (i) => `REINDEX INDEX CONCURRENTLY ${qualified(i.index)}  (${formatBytes(i.bytes)})`,
          ),
          "one at a time; each holds a SHARE UPDATE EXCLUSIVE lock on its table: the app keeps reading and writing",
        ];
      },
      async run(ctx) {
        const all = await listIndexes(ctx, await selectTables(ctx, ctx.params.table));
        const indexes = all.filter((i) => !LEFTOVER.test(i.index));
        const rebuilt: Array<{
          index: string;
          table: string;
          bytesBefore: number;
          bytesAfter: number;
          seconds: number;
        }> = [];
        await withSession(ctx, "reindex", async (query) => {
          for (const i of indexes) {
            const started = performance.now();
            try {
              await query(`REINDEX INDEX CONCURRENTLY ${qualified(i.index)}`);
            } catch (error) {
              const left = await ctx.sql<{ name: string }>(
                `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relname LIKE $2 || '\\_cc%'`,
                [APP_SCHEMA, i.index],
              );
              throw new Error(
                `REINDEX of ${i.index} failed: ${(error as Error).message}.${
                  left.length > 0
                    ? ` It left ${left.map((l) => l.name).join(", ")} behind: drop with DROP INDEX CONCURRENTLY ${left.map((l) => qualified(l.name)).join(", ")}, then rerun.`
                    : " The original index is still in place and in use."
                } ${rebuilt.length} index(es) were rebuilt before it.`,
              );
            }
            const took = (performance.now() - started) / 1000;
            const [after] = await ctx.sql<{ bytes: number }>(
              "SELECT pg_relation_size($1::regclass)::float8 AS bytes",
              [qualified(i.index)],
            );
            const bytesAfter = after?.bytes ?? 0;
            rebuilt.push({ index: i.index, table: i.table, bytesBefore: i.bytes, bytesAfter, seconds: took });
            ctx.log(
              `${i.index}: ${formatBytes(i.bytes)} → ${formatBytes(bytesAfter)} (${change(i.bytes, bytesAfter)}) in ${took.toFixed(2)} s`,
            );
          }
        });
        const before = rebuilt.reduce((sum, r) => sum + r.bytesBefore, 0);
        const after = rebuilt.reduce((sum, r) => sum + r.bytesAfter, 0);
        ctx.log(
          `rebuilt ${rebuilt.length} index(es): ${formatBytes(before)} → ${formatBytes(after)} (${change(before, after)})`,
        );
        return { rebuilt, bytesBefore: before, bytesAfter: after };
      },
    }),
    step({
      id: "check-valid",
      title: "No invalid indexes remain",
      description: "Reads pg_index.indisvalid for every index of the app's schema; fails on any invalid one.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const invalid = await ctx.sql<{ index: string; table: string }>(
          `SELECT i.relname AS index, t.relname AS table
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
           WHERE n.nspname = $1 AND NOT (x.indisvalid AND x.indisready) ORDER BY 1`,
          [APP_SCHEMA],
        );
        const [count] = await ctx.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = $1`,
          [APP_SCHEMA],
        );
        if (invalid.length > 0) {
          throw new Error(
            `${invalid.length} invalid index(es) in schema ${APP_SCHEMA}: ${invalid
              .map((i) =>
                LEFTOVER.test(i.index)
                  ? `${i.index} on ${i.table} (a leftover copy: DROP INDEX CONCURRENTLY ${qualified(i.index)})`
                  : `${i.index} on ${i.table} (rebuild it: REINDEX INDEX CONCURRENTLY ${qualified(i.index)}, or rerun this runbook with table=${i.table})`,
              )
              .join("; ")}`,
          );
        }
        ctx.log(`all ${count?.n ?? 0} indexes in schema ${APP_SCHEMA} are valid`);
        return { indexes: count?.n ?? 0, invalid: 0 };
      },
    }),
  ],
});

async function listIndexes(ctx: StepContext<unknown>, tables: string[]): Promise<IndexInfo[]> {
  return ctx.sql<IndexInfo & Record<string, unknown>>(
    `SELECT i.relname AS index, t.relname AS table, pg_relation_size(i.oid)::float8 AS bytes,
            (x.indisvalid AND x.indisready) AS valid, am.amname AS method,
            coalesce(s.idx_scan, 0)::float8 AS scans
     FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     JOIN pg_am am ON am.oid = i.relam
     LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid
     WHERE n.nspname = $1 AND t.relname = ANY($2::text[])
     ORDER BY t.relname, i.relname`,
    [APP_SCHEMA, tables],
  );
}

function change(before: number, after: number): string {
  if (before === 0) return "new";
  const ratio = (after - before) / before;
  return `${ratio > 0 ? "+" : ""}${(ratio * 100).toFixed(0)}%`;
}
