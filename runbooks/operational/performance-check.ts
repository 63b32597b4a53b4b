/**
 * Performance check
 *
 * Purpose: the weekly performance review: the slowest SQL statements (pg_stat_statements, when
 *   the server has it), PostgreSQL's table and index cache hit ratios, Redis' and the app's cache hit
 *   rates, indexes nothing uses, and tables read by sequential scans although they are big.
 * Sent here by: the weekly calendar (Operational Runbook, "Weekly tasks", Wednesday: performance
 *   review), the "Slow responses" warning, or weekly-review listing a slow procedure.
 * Preconditions: DATABASE_URL reaches the database with a role that can read the pg_stat_* views
 *   (pg_monitor or the owner); the app URL answers /metrics; REDIS_URL if the environment has Redis.
 * Blast radius: none. Every step only reads; nothing is reset, created or dropped.
 */
import { z } from "zod";
import { defineRunbook, seconds } from "../engine/define.ts";
import { mib } from "../lib/format.ts";
import { cacheHitRates, parsePrometheus } from "../lib/prometheus.ts";
import { parseRedisInfo } from "../lib/redis-info.ts";

/** Fewer block reads than this since the statistics began say nothing about the cache. */
const MIN_BLOCKS_TO_JUDGE = 1_000;

export default defineRunbook({
  id: "performance-check",
  title: "Performance check",
  summary:
    "Slowest queries, PostgreSQL cache hit ratios, Redis and app cache hit rates, unused indexes and sequential scans on big tables.",
  guide: "operational-runbook",
  section: "Performance tuning",
  params: z.object({
    top: z.number().int().min(1).max(100).default(10).describe("How many slow queries and tables to list"),
    bigTableRows: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe("A table with at least this many live rows counts as big for the sequential-scan report"),
    minCacheHitRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.99)
      .describe("Warn when PostgreSQL's table or index cache hit ratio is below this (0-1)"),
  }),
  steps: (step) => [
    step({
      id: "slow-queries",
      title: "Slowest queries (pg_stat_statements)",
      description:
        "Lists the statements with the highest mean time, or says how to enable pg_stat_statements.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx) {
        const [info] = await ctx.sql<{
          db: string;
          installed: string | null;
          packaged: string | null;
          preload: string;
        }>(
          `SELECT current_database() AS db,
                  (SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements') AS installed,
                  (SELECT default_version FROM pg_available_extensions WHERE name = 'pg_stat_statements') AS packaged,
                  current_setting('shared_preload_libraries') AS preload`,
        );
        const db = info?.db ?? "?";
        const preloaded = (info?.preload ?? "").split(",").some((l) => l.trim() === "pg_stat_statements");
        const howTo = [
          ...(info?.packaged
            ? []
            : ["install the PostgreSQL contrib package on the database server (postgresql-contrib)"]),
          ...(preloaded
            ? []
            : [
                "set shared_preload_libraries = 'pg_stat_statements' in postgresql.conf (or ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements') and restart PostgreSQL",
              ]),
          ...(info?.installed ? [] : [`run CREATE EXTENSION pg_stat_statements; in database "${db}"`]),
        ];
        // Expected on a fresh server: the extension needs a restart to load, so it is often missing.
        if (!info?.installed || !preloaded) {
          const why = [
            ...(info?.installed ? [] : ["the extension is not created in this database"]),
            ...(preloaded ? [] : ["the library is not in shared_preload_libraries"]),
          ].join(" and ");
          ctx.warn(`pg_stat_statements is not available in database "${db}": ${why}`);
          ctx.log("to enable it:");
          for (const [i, line] of howTo.entries()) ctx.log(`  ${i + 1}. ${line}`);
          ctx.log("the other checks below do not need it");
          return { available: false, reason: why, howTo, queries: [] };
        }
        let queries: Array<{ calls: number; total_ms: number; mean_ms: number; rows: number; query: string }>;
        try {
          queries = await ctx.sql(
            `SELECT calls::float8 AS calls, round(total_exec_time::numeric, 1)::float8 AS total_ms,
                    round(mean_exec_time::numeric, 2)::float8 AS mean_ms, rows::float8 AS rows,
                    left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
             FROM pg_stat_statements
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
             ORDER BY mean_exec_time DESC LIMIT $1`,
            [ctx.params.top],
          );
        } catch (error) {
          // Created and listed but not loaded yet (the server was not restarted): say so, not a crash.
          const message = error instanceof Error ? error.message : String(error);
          if (/shared_preload_libraries/.test(message)) {
            ctx.warn(`pg_stat_statements is created but not loaded: ${message}`);
            ctx.log("restart PostgreSQL so shared_preload_libraries takes effect, then run this again");
            return { available: false, reason: message, howTo, queries: [] };
          }
          throw error;
        }
        ctx.log(`slowest ${queries.length} statements by mean time in "${db}":`);
        for (const q of queries)
          ctx.log(
            `  ${q.mean_ms.toFixed(2).padStart(9)} ms mean  ${String(q.calls).padStart(8)} calls  ${q.total_ms.toFixed(0).padStart(9)} ms total  ${q.query}`,
          );
        return { available: true, queries };
      },
    }),
    step({
      id: "postgres-cache",
      title: "PostgreSQL table and index cache hit ratios",
      description: "Reads pg_statio_user_tables: share of heap and index blocks found in shared buffers.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx) {
        const [totals] = await ctx.sql<{
          heap_hit: number;
          heap_read: number;
          idx_hit: number;
          idx_read: number;
        }>(
          `SELECT coalesce(sum(heap_blks_hit), 0)::float8 AS heap_hit, coalesce(sum(heap_blks_read), 0)::float8 AS heap_read,
                  coalesce(sum(idx_blks_hit), 0)::float8 AS idx_hit, coalesce(sum(idx_blks_read), 0)::float8 AS idx_read
           FROM pg_statio_user_tables`,
        );
        const t = totals ?? { heap_hit: 0, heap_read: 0, idx_hit: 0, idx_read: 0 };
        const table = ratio(t.heap_hit, t.heap_read);
        const index = ratio(t.idx_hit, t.idx_read);
        const min = ctx.params.minCacheHitRatio;
        ctx.log(
          `table cache hit ratio: ${show(table)} (${t.heap_hit} blocks from memory, ${t.heap_read} from disk)`,
        );
        ctx.log(
          `index cache hit ratio: ${show(index)} (${t.idx_hit} blocks from memory, ${t.idx_read} from disk)`,
        );
        const worst = await ctx.sql<{ table: string; hit: number; read: number }>(
          `SELECT relname AS table, heap_blks_hit::float8 AS hit, heap_blks_read::float8 AS read
           FROM pg_statio_user_tables WHERE heap_blks_read > 0
           ORDER BY heap_blks_hit::float8 / (heap_blks_hit + heap_blks_read) ASC LIMIT $1`,
          [ctx.params.top],
        );
        for (const w of worst)
          ctx.log(`  ${w.table.padEnd(24)} ${show(ratio(w.hit, w.read))} (${w.read} blocks read from disk)`);
        for (const [name, value, blocks] of [
          ["table", table, t.heap_hit + t.heap_read],
          ["index", index, t.idx_hit + t.idx_read],
        ] as const) {
          // Right after a restart or on a fresh database a handful of blocks decide the ratio: too few to judge.
          if (blocks < MIN_BLOCKS_TO_JUDGE) {
            if (value !== null)
              ctx.log(
                `${name} ratio from only ${blocks} blocks: too few to judge (needs ${MIN_BLOCKS_TO_JUDGE})`,
              );
            continue;
          }
          if (value !== null && value < min)
            ctx.warn(
              `${name} cache hit ratio ${show(value)} is below ${show(min)}: the working set does not fit shared_buffers (raise it, or add memory); right after a restart the cache is cold, so judge after a normal day`,
            );
        }
        return { tableHitRatio: table, indexHitRatio: index, worst };
      },
    }),
    step({
      id: "redis-cache",
      title: "Redis hit rate",
      description: "Reads INFO stats: keyspace hits and misses since Redis started (the whole server).",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        if (!ctx.env.redisUrl) {
          // Expected: an environment may run without Redis; the app then serves from PostgreSQL.
          ctx.log("this environment has no Redis configured: nothing to measure");
          return { configured: false, hitRate: null };
        }
        const info = parseRedisInfo(await ctx.redis().info("stats"));
        const hits = Number(info.keyspace_hits ?? 0);
        const misses = Number(info.keyspace_misses ?? 0);
        const evicted = Number(info.evicted_keys ?? 0);
        const hitRate = ratio(hits, misses);
        ctx.log(
          `Redis hit rate: ${show(hitRate)} (${hits} hits, ${misses} misses since Redis started; counts every client of this server)`,
        );
        ctx.log(`evicted keys: ${evicted}`);
        if (evicted > 0) ctx.warn("Redis evicts keys: maxmemory is too small for what the app caches");
        return { configured: true, hits, misses, hitRate, evicted };
      },
    }),
    step({
      id: "app-cache",
      title: "App cache hit rates",
      description: "Reads /metrics: cache_requests_total per cache (hit, miss, fallback to PostgreSQL).",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const res = await ctx.http("/metrics");
        if (!res.ok) throw new Error(`/metrics answered ${res.status}: is the app up?`);
        const caches = cacheHitRates(parsePrometheus(await res.text()));
        if (caches.length === 0) ctx.log("no cache lookups since the instance started");
        for (const c of caches)
          ctx.log(
            `  ${c.cache.padEnd(18)} hit rate ${show(c.hitRate).padStart(7)}  (${c.hit} hits, ${c.miss} misses, ${c.fallback} served from PostgreSQL because Redis was down)`,
          );
        if (caches.some((c) => c.fallback > 0))
          ctx.warn("some lookups fell back to PostgreSQL: Redis was unavailable to this instance");
        return { caches };
      },
    }),
    step({
      id: "unused-indexes",
      title: "Unused indexes",
      description: "Reads pg_stat_user_indexes: indexes never scanned since the statistics were reset.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx) {
        const [reset] = await ctx.sql<{ since: string | null }>(
          "SELECT stats_reset::text AS since FROM pg_stat_database WHERE datname = current_database()",
        );
        const rows = await ctx.sql<{ table: string; index: string; bytes: number; unique: boolean }>(
          `SELECT s.relname AS table, s.indexrelname AS index, pg_relation_size(s.indexrelid)::float8 AS bytes,
                  i.indisunique AS unique
           FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
           WHERE s.idx_scan = 0 ORDER BY bytes DESC, s.indexrelname`,
        );
        ctx.log(
          `indexes never scanned ${reset?.since ? `since ${reset.since}` : "since the statistics began (never reset)"}: ${rows.length}`,
        );
        for (const r of rows)
          ctx.log(
            `  ${r.index.padEnd(34)} on ${r.table.padEnd(12)} ${kib(r.bytes)} KiB${r.unique ? "  (unique: enforces a constraint, keep)" : "  candidate to drop"}`,
          );
        const candidates = rows.filter((r) => !r.unique);
        if (candidates.length > 0)
          ctx.log(
            "before dropping a candidate, check the statistics cover a normal week, and replicas (their scans are not counted here)",
          );
        return { unused: rows, candidates: candidates.map((r) => r.index) };
      },
    }),
    step({
      id: "sequential-scans",
      title: "Sequential scans on big tables",
      description: "Reads pg_stat_user_tables: big tables read by sequential scans, most rows read first.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx) {
        const rows = await ctx.sql<{
          table: string;
          rows: number;
          seq_scan: number;
          seq_tup_read: number;
          idx_scan: number;
          bytes: number;
        }>(
          `SELECT relname AS table, n_live_tup::float8 AS rows, seq_scan::float8 AS seq_scan,
                  seq_tup_read::float8 AS seq_tup_read, coalesce(idx_scan, 0)::float8 AS idx_scan,
                  pg_total_relation_size(relid)::float8 AS bytes
           FROM pg_stat_user_tables WHERE n_live_tup >= $1 AND seq_scan > 0
           ORDER BY seq_tup_read DESC LIMIT $2`,
          [ctx.params.bigTableRows, ctx.params.top],
        );
        ctx.log(
          `tables with at least ${ctx.params.bigTableRows} rows read by sequential scans: ${rows.length}`,
        );
        for (const r of rows)
          ctx.log(
            `  ${r.table.padEnd(14)} ${r.rows} rows, ${mib(r.bytes)} MiB: ${r.seq_scan} sequential scans (${r.seq_tup_read} rows read), ${r.idx_scan} index scans`,
          );
        if (rows.some((r) => r.seq_scan > r.idx_scan))
          ctx.log(
            "a big table scanned sequentially more often than by index usually misses an index: find the query in slow-queries and EXPLAIN it",
          );
        return { tables: rows };
      },
    }),
  ],
});

function ratio(hit: number, miss: number): number | null {
  return hit + miss === 0 ? null : hit / (hit + miss);
}

function show(value: number | null): string {
  return value === null ? "n/a (no reads yet)" : `${(value * 100).toFixed(2)}%`;
}

function kib(bytes: number): string {
  return (bytes / 1024).toFixed(0);
}
