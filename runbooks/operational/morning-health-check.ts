/**
 * Morning health check
 *
 * Purpose: the daily look at the whole system before learners wake up: app health and readiness,
 *   PostgreSQL connections, locks, long queries and replication, Redis memory, hit rate and
 *   evictions, the app's error rate, and the age of the newest verified backup.
 * Sent here by: the daily calendar (Operational Runbook, "Daily tasks"), or any "is it healthy?" doubt.
 * Preconditions: the environment's app URL, DATABASE_URL and REDIS_URL are reachable from here.
 * Blast radius: none. Every step only reads.
 */
import { z } from "zod";
import { ALERTS, alertThreshold, BACKUP_POLICY, SCALE_UP_TRIGGERS } from "../../policy/index.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import { logReadiness, readiness } from "../lib/app-api.ts";
import { backupPageLink, listBackups } from "../lib/backups.ts";
import { mib } from "../lib/format.ts";
import { errorRate, latencyQuantileMs, parsePrometheus } from "../lib/prometheus.ts";
import { parseRedisInfo } from "../lib/redis-info.ts";

const dbConnectionLimit = SCALE_UP_TRIGGERS["db-connections"].threshold ?? 0.8;

export default defineRunbook({
  id: "morning-health-check",
  title: "Morning health check",
  summary:
    "Checks the app, PostgreSQL, Redis, the error rate and the newest verified backup; fails if anything needs action.",
  guide: "operational-runbook",
  section: "Daily tasks",
  params: z.object({
    longQuerySeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(60)
      .describe("A query running longer than this is reported"),
    requireBackup: z
      .boolean()
      .default(true)
      .describe(
        "Fail when no verified backup is younger than the policy allows (a dev stack that never had a backup only warns)",
      ),
  }),
  steps: (step) => [
    step({
      id: "app-health",
      title: "App health and readiness",
      description: "GET /healthz and /readyz; readiness lists PostgreSQL, Redis and migrations.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        const health = await ctx.http("/healthz");
        ctx.log(`/healthz → ${health.status}`);
        const ready = await readiness(ctx, ctx.env.appUrl);
        logReadiness(ctx, ready);
        if (!health.ok || ready.httpStatus !== 200)
          throw new Error(`the app is not ready (${ready.status}): see the checks above`);
        if (ready.status === "degraded")
          ctx.warn("degraded: the app runs without Redis (see the Redis step)");
        return { status: ready.status };
      },
    }),
    step({
      id: "postgres",
      title: "PostgreSQL connections, locks, long queries, replication",
      description: "Reads pg_stat_activity, pg_locks and pg_stat_replication.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx) {
        const [conn] = await ctx.sql<{ used: number; max: number }>(
          "SELECT (SELECT count(*)::int FROM pg_stat_activity) AS used, current_setting('max_connections')::int AS max",
        );
        const used = conn?.used ?? 0;
        const max = conn?.max ?? 1;
        ctx.log(
          `connections: ${used} of ${max} (${Math.round((used / max) * 100)}%; scale-up trigger at ${dbConnectionLimit * 100}%)`,
        );
        const waiting = await ctx.sql<{ pid: number; mode: string; relation: string | null }>(
          "SELECT pid, mode, relation::regclass::text AS relation FROM pg_locks WHERE NOT granted",
        );
        ctx.log(`locks waiting: ${waiting.length}`);
        for (const lock of waiting)
          ctx.log(`  pid ${lock.pid} waits for ${lock.mode} on ${lock.relation ?? "(transaction)"}`);
        const long = await ctx.sql<{ pid: number; seconds: number; state: string; query: string }>(
          `SELECT pid, extract(epoch FROM now() - query_start)::int AS seconds, state, left(query, 120) AS query
           FROM pg_stat_activity
           WHERE state <> 'idle' AND pid <> pg_backend_pid() AND query_start < now() - make_interval(secs => $1)`,
          [ctx.params.longQuerySeconds],
        );
        ctx.log(`queries running longer than ${ctx.params.longQuerySeconds} s: ${long.length}`);
        for (const q of long) ctx.log(`  pid ${q.pid} ${q.seconds} s ${q.state}: ${q.query}`);
        const replicas = await ctx.sql<{ client_addr: string | null; state: string; lag: string | null }>(
          "SELECT client_addr::text, state, replay_lag::text AS lag FROM pg_stat_replication",
        );
        const [role] = await ctx.sql<{ standby: boolean }>("SELECT pg_is_in_recovery() AS standby");
        if (replicas.length === 0) {
          ctx.log(
            `replication: none configured (this server is a ${role?.standby ? "standby" : "primary"} with no replicas)`,
          );
        } else {
          for (const r of replicas)
            ctx.log(`replica ${r.client_addr ?? "local"}: ${r.state}, replay lag ${r.lag ?? "0"}`);
        }
        const problems = [
          ...(used / max > dbConnectionLimit ? [`connections at ${Math.round((used / max) * 100)}%`] : []),
          ...(waiting.length > 0 ? [`${waiting.length} lock(s) waiting`] : []),
        ];
        if (problems.length > 0) throw new Error(`PostgreSQL needs attention: ${problems.join(", ")}`);
        return {
          connections: used,
          maxConnections: max,
          longQueries: long.length,
          replicas: replicas.length,
        };
      },
    }),
    step({
      id: "redis",
      title: "Redis memory, hit rate and evictions",
      description: "Reads INFO memory and stats; skipped when the environment runs without Redis.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        if (!ctx.env.redisUrl) {
          ctx.warn("this environment has no Redis configured: the app runs degraded by design");
          return { configured: false };
        }
        const info = parseRedisInfo(await ctx.redis().info());
        const used = Number(info.used_memory ?? 0);
        const max = Number(info.maxmemory ?? 0);
        const hits = Number(info.keyspace_hits ?? 0);
        const misses = Number(info.keyspace_misses ?? 0);
        const evicted = Number(info.evicted_keys ?? 0);
        const hitRate = hits + misses === 0 ? null : hits / (hits + misses);
        ctx.log(
          `memory: ${mib(used)} MiB used${max > 0 ? ` of ${mib(max)} MiB (${Math.round((used / max) * 100)}%)` : " (no maxmemory set)"}, policy ${info.maxmemory_policy ?? "?"}`,
        );
        ctx.log(
          `hit rate: ${hitRate === null ? "no lookups yet" : `${(hitRate * 100).toFixed(1)}% (${hits} hits, ${misses} misses)`}`,
        );
        ctx.log(`evicted keys since start: ${evicted}`);
        if (evicted > 0)
          ctx.warn(
            "Redis is evicting keys: raise maxmemory or look at what fills it (Scaling Guide, caching)",
          );
        return { configured: true, usedBytes: used, hitRate, evicted };
      },
    }),
    step({
      id: "error-rate",
      title: "Error rate and latency from the app's metrics",
      description:
        "Reads /metrics: server errors over all tRPC calls since the app started, and p95 latency.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const res = await ctx.http("/metrics");
        if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
        const samples = parsePrometheus(await res.text());
        const errors = errorRate(samples);
        const p95 = latencyQuantileMs(samples, 0.95);
        const critical = alertThreshold("error-rate-critical");
        const slow = alertThreshold("slow-responses");
        ctx.log(
          `tRPC calls since start: ${errors.calls}, server errors: ${errors.serverErrors} (${(errors.rate * 100).toFixed(2)}%; critical above ${critical * 100}%)`,
        );
        ctx.log(
          `p95 latency: ${p95 === null ? "no calls yet" : `${p95.toFixed(1)} ms`} (warning above ${slow} ms)`,
        );
        if (errors.rate > critical)
          throw new Error(
            `error rate ${(errors.rate * 100).toFixed(2)}% is above the critical alert (${critical * 100}%)`,
          );
        if (p95 !== null && p95 > slow)
          ctx.warn(`p95 ${p95.toFixed(0)} ms is above the warning alert (${slow} ms)`);
        return { ...errors, p95Ms: p95 };
      },
    }),
    step({
      id: "backup-age",
      title: "Age of the newest verified backup",
      description:
        "Reads the backup manifests of this environment; a verified backup must be younger than the policy's limit.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const backups = await listBackups(ctx.env.name);
        const verified = backups.find((b) => b.verification?.ok);
        const limit = BACKUP_POLICY.maxAgeHours;
        ctx.log(`backups of ${ctx.env.name}: ${backups.length}`);
        if (!verified) {
          const envFlag = ctx.env.name === "dev" ? "" : ` --env ${ctx.env.name}`;
          const page = backupPageLink();
          // A fresh dev stack has never had a backup: that is the newcomer's next step, not a failure.
          if (backups.length === 0 && ctx.env.name === "dev") {
            ctx.warn(
              `no backup of dev yet: take one with  npm run runbook -- backup-now  and prove it restores with  npm run runbook -- verify-backup  (how: ${page})`,
            );
            return { newestVerifiedHours: null };
          }
          const message =
            backups.length === 0
              ? `no backup of ${ctx.env.name} yet: run  npm run runbook -- backup-now${envFlag}  then  npm run runbook -- verify-backup${envFlag}  (how: ${page})`
              : `no verified backup of ${ctx.env.name} (${backups.length} unverified): run  npm run runbook -- verify-backup${envFlag} --param backup=latest  (how: ${page})`;
          if (ctx.params.requireBackup) throw new Error(message);
          ctx.warn(message);
          return { newestVerifiedHours: null };
        }
        const hours = (Date.now() - Date.parse(verified.createdAt)) / 3_600_000;
        ctx.log(
          `newest verified: ${verified.id}, ${hours.toFixed(1)} h old (limit ${limit} h; alert "${ALERTS["backup-failed"].title}")`,
        );
        if (hours > limit && ctx.params.requireBackup)
          throw new Error(`the newest verified backup is ${hours.toFixed(1)} h old (limit ${limit} h)`);
        return { newestVerifiedHours: hours };
      },
    }),
  ],
});
