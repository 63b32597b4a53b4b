/**
 * Triage snapshot
 *
 * Purpose: preserve the evidence of an incident in one timestamped folder before anyone changes
 *   anything: /healthz, /readyz, /metrics (raw and summarised), the slowest running queries, waiting
 *   locks with the sessions that block them, Redis INFO, the app's recent error log lines, and an
 *   index.md that says what each file is. post-mortem and classify-severity read this folder.
 * Sent here by: any critical alert (Application down, Database down, High error rate), a security
 *   incident ("preserve evidence" comes before revoking or rotating), or Incident Response,
 *   "Incident response toolkit": the first thing to run when something is wrong.
 * Preconditions: the environment's app URL and DATABASE_URL (and REDIS_URL if it has Redis) as
 *   configured for the runbooks. Any of them being down is recorded, not a failure: a snapshot of
 *   a broken system is the point. For the error logs, a path to the app's JSON log file (pino).
 * Blast radius: none. Every step only reads; the only writes are files in the new incident folder
 *   (<data dir>/runbooks/artifacts/triage-snapshot/<UTC time>-<slug>/).
 */
import { createReadStream, existsSync } from "node:fs";
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { alertThreshold, SLO } from "../../policy/index.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import { writeStateFile } from "../engine/state-files.ts";
import { mib } from "../lib/format.ts";
import {
  captureReadyz,
  compactUtc,
  describeMetrics,
  describeReadyz,
  errorText,
  fetchMetrics,
  type MetricsSummary,
  pct,
  type ReadyzCapture,
  SLUG,
} from "../lib/incidents.ts";

/** pino's numeric levels: 50 error, 60 fatal. */
const PINO_ERROR = 50;
/** How much of the end of a log file is read: enough for hours of errors, bounded for a 3 a.m. run. */
const LOG_TAIL_BYTES = 64 * 1024 * 1024;

interface FolderResult {
  folder: string;
  name: string;
  startedAt: string;
}

interface Noted {
  files: Record<string, string>;
  notes: string[];
}

const write = (folder: string, file: string, content: string) => writeFile(path.join(folder, file), content);
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export default defineRunbook({
  id: "triage-snapshot",
  title: "Triage snapshot",
  summary:
    "Collects the evidence of an incident (health, readiness, metrics, slow queries, waiting locks, Redis, error logs) into a timestamped incident folder with an index.",
  guide: "incident-response",
  section: "Incident response toolkit",
  params: z.object({
    slug: z
      .string()
      .max(60)
      .regex(SLUG, "kebab-case: lower-case letters, digits and dashes, e.g. checkout-500s")
      .default("incident")
      .describe("A few words naming the incident, kebab-case; the folder is <UTC time>-<slug>"),
    logFile: z
      .string()
      .min(1)
      .optional()
      .describe("Path of the app's JSON log file (pino); its recent error and fatal lines are kept"),
    logLines: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(200)
      .describe("How many of the most recent error/fatal log lines to keep"),
    topQueries: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe("How many of the longest-running queries to keep"),
  }),
  steps: (step) => [
    step({
      id: "open-folder",
      title: "Open the incident folder",
      description: "Creates <UTC time>-<slug>/ under this runbook's artifacts and notes who, where and when.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx): Promise<FolderResult> {
        const startedAt = new Date();
        const name = `${compactUtc(startedAt)}-${ctx.params.slug}`;
        const folder = path.join(ctx.artifactsDir, name);
        // Two snapshots in the same second with the same slug would mix their evidence.
        if (existsSync(folder))
          throw new Error(`${folder} already exists: wait a second or use another slug`);
        await mkdir(folder, { recursive: true });
        await writeStateFile("incident", path.join(folder, "incident.json"), {
          slug: ctx.params.slug,
          env: ctx.env.name,
          appUrl: ctx.env.appUrl,
          startedAt: startedAt.toISOString(),
          runId: ctx.runId,
          collectedBy: `${os.userInfo().username}@${os.hostname()}`,
        });
        ctx.log(`incident folder: ${folder}`);
        return { folder, name, startedAt: startedAt.toISOString() };
      },
    }),
    step({
      id: "app-endpoints",
      title: "Health and readiness",
      description:
        "GET /healthz and /readyz into healthz.json and readyz.json; no answer is recorded as such.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx) {
        const { folder } = ctx.result<FolderResult>("open-folder");
        const capturedAt = new Date().toISOString();
        let health: { capturedAt: string; httpStatus: number | null; body: unknown; error?: string };
        try {
          const res = await ctx.http("/healthz", { timeoutMs: 5_000 });
          const text = await res.text();
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Not the app's JSON (a proxy page): keep the text as it came.
          }
          health = { capturedAt, httpStatus: res.status, body };
        } catch (error) {
          // The process does not answer: exactly what the snapshot must record.
          health = { capturedAt, httpStatus: null, body: null, error: errorText(error) };
        }
        await write(folder, "healthz.json", json(health));
        const uptime = (health.body as { uptimeSeconds?: number } | null)?.uptimeSeconds;
        ctx.log(
          health.httpStatus === null
            ? `/healthz did not answer (${health.error})`
            : `/healthz → ${health.httpStatus}${uptime === undefined ? "" : `, process up ${uptime} s`}`,
        );
        const ready: ReadyzCapture = await captureReadyz(ctx);
        await write(folder, "readyz.json", json(ready));
        ctx.log(describeReadyz(ready));
        if (ready.httpStatus !== 200)
          ctx.warn("the app is not ready: this alone is a critical alert (app-down)");
        return {
          healthz: health.httpStatus,
          readyz: ready.httpStatus,
          status: ready.body?.status ?? null,
          maintenance: ready.body?.maintenance?.enabled ?? null,
        };
      },
    }),
    step({
      id: "metrics",
      title: "Metrics: error rate, latency, pool, Redis",
      description:
        "GET /metrics into metrics.txt, and metrics-summary.json with the numbers that decide severity.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        const { folder } = ctx.result<FolderResult>("open-folder");
        let summary: MetricsSummary;
        try {
          const metrics = await fetchMetrics(ctx);
          await write(folder, "metrics.txt", metrics.raw);
          summary = metrics.summary;
        } catch (error) {
          // No metrics from a dead app: record why, so the post-mortem shows the gap.
          const reason = errorText(error);
          await write(
            folder,
            "metrics-summary.json",
            json({ capturedAt: new Date().toISOString(), error: reason }),
          );
          ctx.warn(`no metrics: ${reason}`);
          return { captured: false };
        }
        await write(folder, "metrics-summary.json", json(summary));
        for (const line of describeMetrics(summary)) ctx.log(line);
        const critical = alertThreshold("error-rate-critical");
        if (summary.errorRate > critical)
          ctx.warn(`error rate ${pct(summary.errorRate)} is above the critical alert (${pct(critical)})`);
        if (summary.p95Ms !== null && summary.p95Ms > SLO.latencyP95Ms)
          ctx.warn(`p95 ${summary.p95Ms.toFixed(0)} ms is above the SLO (${SLO.latencyP95Ms} ms)`);
        return {
          captured: true,
          errorRate: summary.errorRate,
          p95Ms: summary.p95Ms,
          poolUsage: summary.pool.usage,
          redisUp: summary.redisUp,
        };
      },
    }),
    step({
      id: "postgres",
      title: "Slowest running queries and waiting locks",
      description:
        "Reads pg_stat_activity (longest-running statements) and pg_locks not granted, with pg_blocking_pids.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const { folder } = ctx.result<FolderResult>("open-folder");
        const capturedAt = new Date().toISOString();
        try {
          const queries = await ctx.sql<{
            pid: number;
            state: string;
            seconds: number;
            xact_seconds: number | null;
            wait: string | null;
            application_name: string;
            client_addr: string | null;
            query: string;
          }>(
            `SELECT pid, state, round(extract(epoch FROM now() - query_start)::numeric, 1)::float AS seconds,
                    round(extract(epoch FROM now() - xact_start)::numeric, 1)::float AS xact_seconds,
                    nullif(concat_ws(':', wait_event_type, wait_event), '') AS wait,
                    application_name, client_addr::text, left(query, 500) AS query
             FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND state IS NOT NULL AND state <> 'idle' AND query_start IS NOT NULL
             ORDER BY query_start
             LIMIT $1`,
            [ctx.params.topQueries],
          );
          await write(folder, "slow-queries.json", json({ capturedAt, queries }));
          ctx.log(`statements running (or idle in a transaction): ${queries.length} shown, longest first`);
          for (const q of queries.slice(0, 5))
            ctx.log(
              `  pid ${q.pid} ${q.seconds} s ${q.state}${q.wait ? ` (waits on ${q.wait})` : ""}: ${q.query.replace(/\s+/g, " ").slice(0, 120)}`,
            );

          const locks = await ctx.sql<{
            pid: number;
            locktype: string;
            mode: string;
            relation: string | null;
            waiting_seconds: number;
            blocked_by: number[];
            query: string;
          }>(
            `SELECT l.pid, l.locktype, l.mode, l.relation::regclass::text AS relation,
                    round(extract(epoch FROM now() - a.query_start)::numeric, 1)::float AS waiting_seconds,
                    pg_blocking_pids(l.pid) AS blocked_by, left(a.query, 300) AS query
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE NOT l.granted AND a.datname = current_database()
             ORDER BY a.query_start`,
          );
          const blockerPids = [...new Set(locks.flatMap((l) => l.blocked_by))];
          const blockers =
            blockerPids.length === 0
              ? []
              : await ctx.sql<{ pid: number; state: string; xact_seconds: number | null; query: string }>(
                  `SELECT pid, state, round(extract(epoch FROM now() - xact_start)::numeric, 1)::float AS xact_seconds,
                          left(query, 300) AS query
                   FROM pg_stat_activity WHERE pid = ANY($1::int[])`,
                  [blockerPids],
                );
          await write(folder, "locks.json", json({ capturedAt, waiting: locks, blockers }));
          ctx.log(`locks waiting: ${locks.length}`);
          for (const l of locks)
            ctx.log(
              `  pid ${l.pid} waits ${l.waiting_seconds} s for ${l.mode} on ${l.relation ?? l.locktype}, blocked by pid ${l.blocked_by.join(", ") || "?"}`,
            );
          for (const b of blockers)
            ctx.log(
              `  blocker pid ${b.pid}: ${b.state}, transaction open ${b.xact_seconds ?? "?"} s: ${b.query.replace(/\s+/g, " ").slice(0, 120)}`,
            );
          if (blockers.length > 0)
            ctx.warn(
              "to end a blocker: SELECT pg_terminate_backend(<pid>) — only after the evidence is saved and the owner is known",
            );
          return {
            reachable: true,
            running: queries.length,
            waitingLocks: locks.length,
            blockers: blockerPids,
          };
        } catch (error) {
          // PostgreSQL down or unreachable: that is the finding; record it and go on collecting.
          const reason = errorText(error);
          await write(folder, "postgres-error.json", json({ capturedAt, error: reason }));
          ctx.warn(`PostgreSQL did not answer: ${reason}`);
          return { reachable: false, error: reason };
        }
      },
    }),
    step({
      id: "redis",
      title: "Redis INFO",
      description: "INFO from the environment's Redis into redis-info.txt; noted when there is no Redis.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx): Promise<Noted & { configured: boolean; up?: boolean }> {
        const { folder } = ctx.result<FolderResult>("open-folder");
        if (!ctx.env.redisUrl) {
          const note =
            "Redis: not configured in this environment (the app runs without it by design); no file";
          ctx.log(note);
          return { configured: false, files: {}, notes: [note] };
        }
        try {
          const info = await ctx.redis().info();
          await write(folder, "redis-info.txt", info);
          const field = (name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1]?.trim() ?? "?";
          const usedMiB = (Number(field("used_memory")) / 1024 / 1024).toFixed(1);
          ctx.log(
            `Redis ${field("redis_version")}: ${usedMiB} MiB used, ${field("connected_clients")} clients, ${field("evicted_keys")} keys evicted since start, up ${field("uptime_in_seconds")} s`,
          );
          return {
            configured: true,
            up: true,
            files: { "redis-info.txt": "Redis INFO, all sections" },
            notes: [],
          };
        } catch (error) {
          // Redis down: the app serves from PostgreSQL (degraded); record it and go on.
          const reason = errorText(error);
          await write(
            folder,
            "redis-info.txt",
            `Redis did not answer at ${new Date().toISOString()}: ${reason}\n`,
          );
          ctx.warn(`Redis did not answer: ${reason}`);
          return {
            configured: true,
            up: false,
            files: { "redis-info.txt": `Redis did not answer: ${reason}` },
            notes: [],
          };
        }
      },
    }),
    step({
      id: "error-logs",
      title: "Recent error log lines",
      description:
        "Keeps the last error/fatal lines (pino level ≥ 50) of the app's log file in error-logs.jsonl.",
      danger: "read",
      timeoutMs: seconds(60),
      async run(ctx) {
        const { folder } = ctx.result<FolderResult>("open-folder");
        const file = ctx.params.logFile;
        if (!file) {
          const note =
            "error logs: no log file was given (pass logFile=<path of the app's JSON log>); none collected";
          ctx.log(note);
          return { collected: false, note };
        }
        if (!existsSync(file)) {
          // A wrong path must not cost the rest of the evidence: say so loudly and go on.
          const note = `error logs: ${file} does not exist; none collected (check the path and run --step error-logs on a new snapshot)`;
          ctx.warn(note);
          return { collected: false, note };
        }
        const size = (await stat(file)).size;
        const start = Math.max(0, size - LOG_TAIL_BYTES);
        const kept: string[] = [];
        let lines = 0;
        let errors = 0;
        let notJson = 0;
        const input = createInterface({
          input: createReadStream(file, { start, encoding: "utf8" }),
          crlfDelay: Number.POSITIVE_INFINITY,
        });
        let first = start > 0;
        for await (const line of input) {
          // Reading from the middle of the file: the first line is a fragment.
          if (first) {
            first = false;
            continue;
          }
          if (!line.trim()) continue;
          lines += 1;
          let level: unknown;
          try {
            level = (JSON.parse(line) as { level?: unknown }).level;
          } catch {
            // Not a JSON log line (a stack trace printed raw, a banner): counted, not kept.
            notJson += 1;
            continue;
          }
          if (typeof level === "number" && level >= PINO_ERROR) {
            errors += 1;
            kept.push(line);
            if (kept.length > ctx.params.logLines) kept.shift();
          }
        }
        await write(folder, "error-logs.jsonl", kept.length > 0 ? `${kept.join("\n")}\n` : "");
        const read = start > 0 ? `the last ${mib(size - start)} MiB of ${mib(size)} MiB` : `${mib(size)} MiB`;
        ctx.log(
          `${file}: read ${read}, ${lines} lines, ${errors} at level ≥ ${PINO_ERROR} (error/fatal); kept the last ${kept.length}${notJson > 0 ? `; ${notJson} lines were not JSON` : ""}`,
        );
        const newest = kept.at(-1);
        if (newest) {
          const entry = JSON.parse(newest) as { time?: number; msg?: string };
          ctx.log(
            `newest error: ${entry.time ? new Date(entry.time).toISOString() : "(no time)"} ${entry.msg ?? ""}`,
          );
        }
        return { collected: true, file, lines, errors, kept: kept.length };
      },
    }),
    step({
      id: "index",
      title: "Write index.md",
      description: "Lists every file of the incident folder with one line each, and the headline numbers.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const { folder, name, startedAt } = ctx.result<FolderResult>("open-folder");
        const redis = ctx.result<Noted>("redis");
        const logs = ctx.result<{ collected: boolean; note?: string; errors?: number; kept?: number }>(
          "error-logs",
        );
        const endpoints = ctx.result<{
          healthz: number | null;
          readyz: number | null;
          status: string | null;
        }>("app-endpoints");
        const metrics = ctx.result<{ captured: boolean; errorRate?: number; p95Ms?: number | null }>(
          "metrics",
        );
        const pg = ctx.result<{ reachable: boolean; running?: number; waitingLocks?: number }>("postgres");

        const descriptions: Record<string, string> = {
          "incident.json": "who collected this, when, in which environment (run id)",
          "healthz.json": `GET /healthz: ${endpoints.healthz ?? "no answer"}`,
          "readyz.json": `GET /readyz: ${endpoints.readyz ?? "no answer"}${endpoints.status ? ` ${endpoints.status}` : ""} (each check, maintenance flag)`,
          "metrics.txt": "GET /metrics, raw Prometheus text",
          "metrics-summary.json": metrics.captured
            ? `error rate ${pct(metrics.errorRate ?? 0)}, p95 ${metrics.p95Ms == null ? "n/a" : `${metrics.p95Ms.toFixed(1)} ms`}, pool usage, redis_up`
            : "why /metrics could not be read",
          "slow-queries.json": `${pg.running ?? 0} statements running or idle in a transaction, longest first (pg_stat_activity)`,
          "locks.json": `${pg.waitingLocks ?? 0} locks waiting, with the pids blocking them (pg_blocking_pids)`,
          "postgres-error.json": "why PostgreSQL could not be queried",
          "error-logs.jsonl": `the last ${logs.kept ?? 0} error/fatal lines of the app's log (${logs.errors ?? 0} in the part read)`,
          ...redis.files,
          "index.md": "this list",
        };
        const files = [...(await readdir(folder)), "index.md"]
          .filter((f, i, all) => all.indexOf(f) === i)
          .sort();
        const lines = [
          `# Incident ${name}`,
          "",
          `Triage snapshot of ${ctx.env.name} (${ctx.env.appUrl}), started ${startedAt}, run ${ctx.runId}.`,
          "",
          "## Files",
          "",
          ...files.map((f) => `- \`${f}\`: ${descriptions[f] ?? "collected by another runbook"}`),
          "",
          "## Not collected",
          "",
          ...[...redis.notes, ...(logs.note ? [logs.note] : [])].map((n) => `- ${n}`),
          ...(redis.notes.length === 0 && !logs.note ? ["- nothing: every source answered"] : []),
          "",
        ];
        await write(folder, "index.md", lines.join("\n"));
        ctx.log(`index.md lists ${files.length} files`);
        ctx.log(`incident folder: ${folder}`);
        return { folder, name, files };
      },
    }),
  ],
});
