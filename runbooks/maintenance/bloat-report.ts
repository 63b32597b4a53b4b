/**
 * Bloat report
 *
 * Purpose: the monthly look at how much space tables and indexes take and how much of it is dead
 *   rows or empty pages: sizes, dead-tuple ratios, estimated table and index bloat, indexes nothing
 *   has used, and one recommendation per table (vacuum, reindex, or fine). Writes a markdown report.
 * Sent here by: the maintenance calendar (Maintenance Guide, "Performance optimization", first week
 *   of the month), a database growing faster than its rows, or slow queries on a table.
 * Preconditions: DATABASE_URL reaches the app's database. The estimates use planner statistics:
 *   tables never analyzed are reported as "unknown" (run vacuum-analyze first).
 * Blast radius: none. Every step only reads catalog and statistics views (no table scans); the
 *   report is a file under the runbook's artifacts folder.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { defineRunbook, seconds } from "../engine/define.ts";
import { formatBytes, percent } from "../lib/format.ts";
import { APP_SCHEMA, isoOrNull } from "./_shared.ts";

interface TableReport {
  table: string;
  totalBytes: number;
  heapBytes: number;
  indexBytes: number;
  toastBytes: number;
  liveTuples: number;
  deadTuples: number;
  deadRatio: number;
  /** Dead tuples at which autovacuum starts on this table (its own settings, or the server's). */
  autovacuumAt: number;
  /** Why autovacuum does not run here, or null when it does. */
  autovacuumOff: string | null;
  lastVacuum: string | null;
  lastAnalyze: string | null;
  /** Estimated space not holding live rows; null when the table has no statistics yet. */
  bloatBytes: number | null;
  bloatRatio: number | null;
}

interface IndexReport {
  index: string;
  table: string;
  method: string;
  bytes: number;
  scans: number;
  unique: boolean;
  valid: boolean;
  bloatBytes: number | null;
  bloatRatio: number | null;
  unused: boolean;
}

/** Fixed sizes of PostgreSQL's on-disk format (src/include/storage/bufpage.h, access/htup_details.h, nbtree.h). */
const PAGE_HEADER = 24;
const ITEM_POINTER = 4;
const HEAP_TUPLE_HEADER = 23;
const INDEX_TUPLE_HEADER = 8;
const BTREE_SPECIAL = 16;
const HEAP_FILLFACTOR_DEFAULT = 100;
const BTREE_FILLFACTOR_DEFAULT = 90;

export default defineRunbook({
  id: "bloat-report",
  title: "Bloat report",
  summary:
    "Table and index sizes, dead-tuple ratios, estimated bloat, unused indexes and a recommendation per table; writes a markdown report.",
  guide: "maintenance-guide",
  section: "Performance optimization",
  params: z.object({
    maxBloat: z
      .number()
      .min(0)
      .max(1)
      .default(0.3)
      .describe("Estimated bloat share above which an index gets reindex and a table a VACUUM FULL note"),
    minBloatMb: z
      .number()
      .min(0)
      .default(1)
      .describe("Ignore estimated bloat smaller than this many MB (estimates of small relations are noise)"),
  }),
  steps: (step) => [
    step({
      id: "table-sizes",
      title: "Table sizes, dead tuples and estimated bloat",
      description: "Reads pg_class, pg_stat_user_tables and pg_stats for every app table.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const settings = await serverSettings(ctx.sql);
        const rows = await ctx.sql<{
          table: string;
          reltuples: number;
          heap: number;
          total: number;
          indexes: number;
          toast: number;
          reloptions: string[] | null;
          live: number;
          dead: number;
          last_vacuum: unknown;
          last_autovacuum: unknown;
          last_analyze: unknown;
          last_autoanalyze: unknown;
          width: number | null;
          columns: number;
          analyzed: number;
        }>(
          `SELECT c.relname AS table, c.reltuples::float8 AS reltuples,
                  pg_relation_size(c.oid)::float8 AS heap, pg_total_relation_size(c.oid)::float8 AS total,
                  pg_indexes_size(c.oid)::float8 AS indexes,
                  coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0)::float8 AS toast,
                  c.reloptions, coalesce(s.n_live_tup, 0)::float8 AS live, coalesce(s.n_dead_tup, 0)::float8 AS dead,
                  s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze,
                  (SELECT sum(st.avg_width)::float8 FROM pg_stats st
                   WHERE st.schemaname = n.nspname AND st.tablename = c.relname) AS width,
                  (SELECT count(*)::int FROM pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
                  (SELECT count(*)::int FROM pg_stats st
                   WHERE st.schemaname = n.nspname AND st.tablename = c.relname) AS analyzed
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
           WHERE n.nspname = $1 AND c.relkind = 'r'
           ORDER BY pg_total_relation_size(c.oid) DESC, c.relname`,
          [APP_SCHEMA],
        );
        const tables: TableReport[] = rows.map((r) => {
          const options = parseOptions(r.reloptions);
          const threshold = options.autovacuum_vacuum_threshold ?? settings.autovacuumThreshold;
          const scale = options.autovacuum_vacuum_scale_factor ?? settings.autovacuumScale;
          // Statistics must cover every column, or the estimate would miss their width. An empty
          // table (0 rows after VACUUM or ANALYZE) needs no widths: it should take no pages at all.
          const known = r.reltuples === 0 || (r.reltuples > 0 && r.analyzed >= r.columns && r.width !== null);
          const expected = known
            ? heapPages(
                r.reltuples,
                r.width ?? 0,
                options.fillfactor ?? HEAP_FILLFACTOR_DEFAULT,
                settings.blockSize,
              ) * settings.blockSize
            : null;
          const bloatBytes = expected === null ? null : Math.max(0, r.heap - expected);
          return {
            table: r.table,
            totalBytes: r.total,
            heapBytes: r.heap,
            indexBytes: r.indexes,
            toastBytes: r.toast,
            liveTuples: r.live,
            deadTuples: r.dead,
            deadRatio: r.live + r.dead === 0 ? 0 : r.dead / (r.live + r.dead),
            autovacuumAt: Math.round(threshold + scale * r.live),
            autovacuumOff:
              [
                ...(settings.autovacuum ? [] : ["off on this server"]),
                ...(options.autovacuum_enabled === 0 ? ["disabled for this table"] : []),
              ].join(" and ") || null,
            lastVacuum: latest(isoOrNull(r.last_vacuum), isoOrNull(r.last_autovacuum)),
            lastAnalyze: latest(isoOrNull(r.last_analyze), isoOrNull(r.last_autoanalyze)),
            bloatBytes,
            bloatRatio: bloatBytes === null ? null : r.heap === 0 ? 0 : bloatBytes / r.heap,
          };
        });
        const right = (key: string, label: string) => ({ key, label, align: "right" as const });
        ctx.table({
          title: "Tables: size and estimated bloat",
          columns: [
            "table",
            right("total", "total"),
            right("heap", "heap"),
            right("indexes", "indexes"),
            "live",
            "dead",
            right("deadPct", "dead %"),
            right("bloat", "est. bloat"),
          ],
          rows: tables.map((t) => ({
            table: t.table,
            total: formatBytes(t.totalBytes),
            heap: formatBytes(t.heapBytes),
            indexes: formatBytes(t.indexBytes),
            live: t.liveTuples,
            dead: t.deadTuples,
            deadPct: percent(t.deadRatio),
            bloat: bloatText(t.bloatBytes, t.bloatRatio),
          })),
        });
        const unknown = tables.filter((t) => t.bloatBytes === null).map((t) => t.table);
        if (unknown.length > 0)
          ctx.warn(
            `no statistics for ${unknown.join(", ")}: bloat unknown; run vacuum-analyze, then this report`,
          );
        if (!settings.autovacuum)
          ctx.warn("autovacuum is off for the whole server: dead tuples pile up until someone vacuums");
        return { tables, settings };
      },
    }),
    step({
      id: "index-usage",
      title: "Index sizes, estimated bloat and unused indexes",
      description:
        "Reads pg_index, pg_stat_user_indexes and pg_stats; flags indexes with no scans since statistics began.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const settings = await serverSettings(ctx.sql);
        const rows = await ctx.sql<{
          index: string;
          table: string;
          method: string;
          reltuples: number;
          bytes: number;
          keys: number[];
          unique: boolean;
          valid: boolean;
          constraint: boolean;
          reloptions: string[] | null;
          scans: number;
        }>(
          `SELECT i.relname AS index, t.relname AS table, am.amname AS method, i.reltuples::float8 AS reltuples,
                  pg_relation_size(i.oid)::float8 AS bytes, x.indkey::int2[] AS keys,
                  (x.indisunique OR x.indisprimary) AS unique, (x.indisvalid AND x.indisready) AS valid,
                  EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid) AS constraint,
                  i.reloptions, coalesce(s.idx_scan, 0)::float8 AS scans
           FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
           JOIN pg_am am ON am.oid = i.relam
           LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid
           WHERE n.nspname = $1 ORDER BY t.relname, i.relname`,
          [APP_SCHEMA],
        );
        const widths = await ctx.sql<{ table: string; attnum: number; width: number | null }>(
          `SELECT c.relname AS table, a.attnum::int AS attnum, st.avg_width::float8 AS width
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_stats st ON st.schemaname = n.nspname AND st.tablename = c.relname AND st.attname = a.attname
           WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`,
          [APP_SCHEMA],
        );
        const width = new Map(widths.map((w) => [`${w.table}.${w.attnum}`, w.width]));
        const [since] = await ctx.sql<{ reset: unknown }>(
          "SELECT stats_reset AS reset FROM pg_stat_database WHERE datname = current_database()",
        );
        const statsSince = isoOrNull(since?.reset);
        const indexes: IndexReport[] = rows.map((r) => {
          // Only B-trees are estimated; an expression column (attnum 0) has no column statistics.
          const keyWidths = r.keys.map((k) => (k > 0 ? (width.get(`${r.table}.${k}`) ?? null) : null));
          const known =
            r.method === "btree" &&
            (r.reltuples === 0 || (r.reltuples > 0 && keyWidths.every((w) => w !== null)));
          const expected = known
            ? btreePages(
                r.reltuples,
                keyWidths.reduce<number>((sum, w) => sum + (w ?? 0), 0),
                parseOptions(r.reloptions).fillfactor ?? BTREE_FILLFACTOR_DEFAULT,
                settings.blockSize,
              ) * settings.blockSize
            : null;
          const bloatBytes = expected === null ? null : Math.max(0, r.bytes - expected);
          return {
            index: r.index,
            table: r.table,
            method: r.method,
            bytes: r.bytes,
            scans: r.scans,
            unique: r.unique,
            valid: r.valid,
            bloatBytes,
            bloatRatio: bloatBytes === null ? null : r.bytes === 0 ? 0 : bloatBytes / r.bytes,
            // A unique or constraint index is used by every insert even with no scans: never "unused".
            unused: r.scans === 0 && !r.unique && !r.constraint,
          };
        });
        ctx.table({
          title: "Indexes: size, scans and estimated bloat",
          columns: [
            "index",
            "table",
            { key: "size", align: "right" },
            "scans",
            { key: "bloat", label: "est. bloat", align: "right" },
            "flags",
          ],
          rows: indexes.map((i) => ({
            index: i.index,
            table: i.table,
            size: formatBytes(i.bytes),
            scans: i.scans,
            bloat: bloatText(i.bloatBytes, i.bloatRatio),
            flags: [i.valid ? "" : "INVALID", i.unused ? "UNUSED" : ""].filter(Boolean).join(" "),
          })),
        });
        const unused = indexes.filter((i) => i.unused);
        ctx.log(
          `unused indexes (no scans since ${statsSince ?? "statistics began"}, not unique): ${unused.length === 0 ? "none" : unused.map((i) => `${i.index} (${formatBytes(i.bytes)})`).join(", ")}`,
        );
        return { indexes, statsSince };
      },
    }),
    step({
      id: "write-report",
      title: "Recommendations and markdown report",
      description: "Decides vacuum, reindex or fine per table and writes the report to the artifacts folder.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const { tables } = ctx.result<{ tables: TableReport[] }>("table-sizes");
        const { indexes, statsSince } = ctx.result<{ indexes: IndexReport[]; statsSince: string | null }>(
          "index-usage",
        );
        const minBytes = ctx.params.minBloatMb * 1024 * 1024;
        const recommendations = tables.map((t) => {
          const actions: string[] = [];
          const reasons: string[] = [];
          const notes: string[] = [];
          // Autovacuum should have started at this many dead tuples: more means it is behind, off, or
          // blocked by an old transaction, and a manual vacuum is due.
          if (t.deadTuples > t.autovacuumAt) {
            actions.push("vacuum");
            reasons.push(
              `${t.deadTuples} dead tuples (${percent(t.deadRatio)}), above the ${t.autovacuumAt} at which autovacuum starts${t.autovacuumOff ? ` (autovacuum is ${t.autovacuumOff})` : " (autovacuum is behind, or an old transaction holds them)"}`,
            );
          }
          const bloated = indexes.filter(
            (i) =>
              i.table === t.table &&
              i.bloatBytes !== null &&
              (i.bloatRatio ?? 0) > ctx.params.maxBloat &&
              i.bloatBytes >= minBytes,
          );
          if (bloated.length > 0) {
            actions.push("reindex");
            reasons.push(
              `bloated index(es): ${bloated.map((i) => `${i.index} ~${formatBytes(i.bloatBytes ?? 0)} of ${formatBytes(i.bytes)}`).join(", ")}`,
            );
          }
          if (
            t.bloatBytes !== null &&
            (t.bloatRatio ?? 0) > ctx.params.maxBloat &&
            t.bloatBytes >= minBytes
          ) {
            notes.push(
              `~${formatBytes(t.bloatBytes)} (${percent(t.bloatRatio ?? 0)}) of the table is free space: VACUUM keeps it for new rows; only VACUUM FULL (locks the table) or pg_repack returns it to the disk`,
            );
          }
          if (t.bloatBytes === null) notes.push("no statistics: run vacuum-analyze for a bloat estimate");
          for (const i of indexes.filter((x) => x.table === t.table && x.unused)) {
            notes.push(
              `${i.index} (${formatBytes(i.bytes)}) has no scans: a candidate to drop, after asking its author`,
            );
          }
          return {
            table: t.table,
            recommendation: actions.length === 0 ? "fine" : actions.join(" + "),
            reasons,
            notes,
            command:
              actions.length === 0
                ? null
                : actions.map(
                    (a) =>
                      `npm run runbook -- ${a === "vacuum" ? "vacuum-analyze" : "reindex"} --env ${ctx.env.name} --param table=${t.table}`,
                  ),
          };
        });
        for (const r of recommendations) {
          ctx.log(
            `${r.table.padEnd(22)} ${r.recommendation}${r.reasons.length ? `: ${r.reasons.join("; ")}` : ""}`,
          );
          for (const c of r.command ?? []) ctx.log(`${"".padEnd(22)} → ${c}`);
        }
        const file = path.join(
          ctx.artifactsDir,
          `bloat-report-${ctx.env.name}-${new Date().toISOString().replace(/[-:]/g, "").replace(/\..+/, "")}.md`,
        );
        await writeFile(file, markdown(ctx.env.name, tables, indexes, recommendations, statsSince));
        ctx.log(`report written: ${file}`);
        return {
          file,
          recommendations: recommendations.map(({ table, recommendation }) => ({ table, recommendation })),
        };
      },
    }),
  ],
});

interface Settings {
  blockSize: number;
  autovacuum: boolean;
  autovacuumThreshold: number;
  autovacuumScale: number;
}

async function serverSettings(
  sql: <T extends Record<string, unknown>>(text: string, values?: unknown[]) => Promise<T[]>,
): Promise<Settings> {
  const rows = await sql<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings
     WHERE name IN ('block_size', 'autovacuum', 'autovacuum_vacuum_threshold', 'autovacuum_vacuum_scale_factor')`,
  );
  const get = (name: string) => rows.find((r) => r.name === name)?.setting;
  return {
    blockSize: Number(get("block_size") ?? 8192),
    autovacuum: get("autovacuum") !== "off",
    autovacuumThreshold: Number(get("autovacuum_vacuum_threshold") ?? 50),
    autovacuumScale: Number(get("autovacuum_vacuum_scale_factor") ?? 0.2),
  };
}

/** Storage parameters (ALTER TABLE ... SET (...)) that change the estimate or the autovacuum trigger. */
function parseOptions(reloptions: string[] | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const option of reloptions ?? []) {
    const [key, value] = option.split("=");
    if (!key || value === undefined) continue;
    out[key] =
      value === "false" || value === "off" ? 0 : value === "true" || value === "on" ? 1 : Number(value);
  }
  return out;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Pages a heap needs for its live rows: header and line pointer per row, rows packed to the fillfactor. */
function heapPages(rows: number, rowWidth: number, fillfactor: number, blockSize: number): number {
  if (rows <= 0) return 0;
  const tuple = align8(HEAP_TUPLE_HEADER + 1) + align8(rowWidth) + ITEM_POINTER;
  const perPage = Math.max(1, Math.floor(((blockSize - PAGE_HEADER) * fillfactor) / 100 / tuple));
  return Math.ceil(rows / perPage);
}

/** Pages a freshly built B-tree needs: a metapage, leaves at the fillfactor, and the levels above. */
function btreePages(rows: number, keyWidth: number, fillfactor: number, blockSize: number): number {
  const entry = align8(INDEX_TUPLE_HEADER + keyWidth) + ITEM_POINTER;
  const usable = blockSize - PAGE_HEADER - BTREE_SPECIAL;
  const leafPerPage = Math.max(1, Math.floor((usable * fillfactor) / 100 / entry));
  const innerPerPage = Math.max(2, Math.floor(usable / entry));
  let level = Math.max(1, Math.ceil(Math.max(0, rows) / leafPerPage));
  let pages = 1 + level;
  while (level > 1) {
    level = Math.ceil(level / innerPerPage);
    pages += level;
  }
  return pages;
}

function bloatText(bytes: number | null, ratio: number | null): string {
  return bytes === null ? "unknown" : `${formatBytes(bytes)} (${percent(ratio ?? 0)})`;
}

function latest(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

function markdown(
  env: string,
  tables: TableReport[],
  indexes: IndexReport[],
  recommendations: Array<{
    table: string;
    recommendation: string;
    reasons: string[];
    notes: string[];
    command: string[] | null;
  }>,
  statsSince: string | null,
): string {
  const lines = [
    `# Bloat report: ${env}`,
    "",
    `Written ${new Date().toISOString()} by the bloat-report runbook. Bloat figures are estimates from planner`,
    "statistics (row counts and average column widths), not measurements: trust them to within a few pages.",
    "",
    "## Recommendations",
    "",
    "| table | recommendation | why | how |",
    "| --- | --- | --- | --- |",
    ...recommendations.map(
      (r) =>
        `| ${r.table} | ${r.recommendation} | ${r.reasons.join("; ") || "-"} | ${(r.command ?? []).map((c) => `\`${c}\``).join("<br>") || "-"} |`,
    ),
    "",
    "## Tables",
    "",
    "| table | total | heap | indexes | TOAST | live rows | dead rows | dead % | est. bloat | last vacuum | last analyze |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ...tables.map(
      (t) =>
        `| ${t.table} | ${formatBytes(t.totalBytes)} | ${formatBytes(t.heapBytes)} | ${formatBytes(t.indexBytes)} | ${formatBytes(t.toastBytes)} | ${t.liveTuples} | ${t.deadTuples} | ${percent(t.deadRatio)} | ${bloatText(t.bloatBytes, t.bloatRatio)} | ${t.lastVacuum ?? "never"} | ${t.lastAnalyze ?? "never"} |`,
    ),
    "",
    "## Indexes",
    "",
    "| index | table | method | size | scans | est. bloat | state |",
    "| --- | --- | --- | ---: | ---: | ---: | --- |",
    ...indexes.map(
      (i) =>
        `| ${i.index} | ${i.table} | ${i.method} | ${formatBytes(i.bytes)} | ${i.scans} | ${bloatText(i.bloatBytes, i.bloatRatio)} | ${[i.valid ? "valid" : "INVALID", i.unique ? "unique" : "", i.unused ? "unused" : ""].filter(Boolean).join(", ")} |`,
    ),
    "",
    "## Unused indexes",
    "",
    `Indexes with no scans since ${statsSince ?? "statistics began"} that enforce nothing (not unique, no constraint):`,
    "",
    ...(indexes.some((i) => i.unused)
      ? indexes.filter((i) => i.unused).map((i) => `- ${i.index} on ${i.table}, ${formatBytes(i.bytes)}`)
      : ["- none"]),
    "",
    "## Notes",
    "",
    ...(recommendations.some((r) => r.notes.length > 0)
      ? recommendations.flatMap((r) => r.notes.map((n) => `- ${r.table}: ${n}`))
      : ["- none"]),
    "",
  ];
  return lines.join("\n");
}
