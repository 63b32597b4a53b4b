/**
 * Capacity report
 *
 * Purpose: evaluates every scale-up trigger of the Scaling Guide against live numbers (CPU and
 *   memory of the app instance, p95 latency, PostgreSQL connections, error rate), prints each with
 *   its threshold and the trigger's action, and sets the learner count and database size against the
 *   growth targets. Fails when a trigger fires, so CI and cron can alert on it.
 * Sent here by: the Scaling Guide's "Capacity planning", the "High CPU" or "Slow responses"
 *   warning, a monthly capacity review, or a cron job.
 * Preconditions: the app URL answers /metrics; DATABASE_URL reaches the database. Memory is judged
 *   against this host's RAM unless memoryLimitMb says what one instance may use (container limit).
 * Blast radius: none. Every step only reads.
 */
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import {
  CURRENT_CAPACITY,
  GROWTH_TARGET_LIST,
  SCALE_UP_TRIGGER_LIST,
  type ScaleTrigger,
} from "../../policy/index.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { mib, percent } from "../lib/format.ts";
import { errorRate, latencyQuantileMs, parsePrometheus, sum } from "../lib/prometheus.ts";

interface AppSample {
  cpuRatio: number;
  sampleSeconds: number;
  rssBytes: number;
  memoryLimitBytes: number;
  memoryLimitSource: string;
  p95Ms: number | null;
  calls: number;
  serverErrors: number;
  errorRate: number;
}

interface TriggerRow {
  id: string;
  metric: string;
  value: number | null;
  shown: string;
  threshold: string;
  status: "ok" | "firing" | "above, not sustained" | "not measured";
  action: string;
}

export default defineRunbook({
  id: "capacity-report",
  title: "Capacity report",
  summary:
    "Evaluates every scale-up trigger against live data and the learner count against the growth targets; fails when a trigger fires.",
  guide: "scaling-guide",
  section: "Capacity planning",
  params: z.object({
    sampleSeconds: z
      .number()
      .int()
      .min(1)
      .max(120)
      .default(5)
      .describe("How long CPU is sampled (two /metrics reads this many seconds apart)"),
    memoryLimitMb: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Memory one app instance may use, in MiB (default: this host's RAM)"),
    failOnTrigger: z
      .boolean()
      .default(true)
      .describe("Fail the run when a trigger fires (for CI and cron); false only reports"),
  }),
  steps: (step) => [
    step({
      id: "sample-app",
      title: "Sample the app's CPU, memory, latency and errors",
      description: "Reads /metrics twice, sampleSeconds apart: CPU share of one core, RSS, p95, error rate.",
      danger: "read",
      timeoutMs: minutes(3),
      async run(ctx): Promise<AppSample> {
        const read = async () => {
          const res = await ctx.http("/metrics");
          if (!res.ok)
            throw new Error(`/metrics answered ${res.status}: is the app up? (morning-health-check)`);
          return { at: performance.now(), samples: parsePrometheus(await res.text()) };
        };
        const first = await read();
        await sleep(ctx.params.sampleSeconds * 1000, undefined, { signal: ctx.signal });
        const second = await read();
        const elapsed = (second.at - first.at) / 1000;
        const cpu =
          (sum(second.samples, "process_cpu_seconds_total") -
            sum(first.samples, "process_cpu_seconds_total")) /
          elapsed;
        const rss = sum(second.samples, "process_resident_memory_bytes");
        const limit = ctx.params.memoryLimitMb ? ctx.params.memoryLimitMb * 1024 * 1024 : os.totalmem();
        const limitSource = ctx.params.memoryLimitMb
          ? "memoryLimitMb"
          : `the RAM of ${os.hostname()}, where this runbook runs`;
        const errors = errorRate(second.samples);
        const p95 = latencyQuantileMs(second.samples, 0.95);
        ctx.log(`CPU: ${percent(cpu)} of one core over ${elapsed.toFixed(1)} s`);
        ctx.log(
          `memory: ${mib(rss, 0)} MiB resident of ${mib(limit, 0)} MiB (${percent(rss / limit)}; limit: ${limitSource})`,
        );
        if (!ctx.params.memoryLimitMb && ctx.env.name !== "dev")
          ctx.warn(
            "the app does not run on this host: pass memoryLimitMb=<the instance's memory limit> for a meaningful memory ratio",
          );
        ctx.log(
          `p95 latency since the instance started: ${p95 === null ? "no tRPC calls yet" : `${p95.toFixed(1)} ms over ${errors.calls} calls`}`,
        );
        ctx.log(`server errors since the instance started: ${errors.serverErrors} (${percent(errors.rate)})`);
        return {
          cpuRatio: Math.max(0, cpu),
          sampleSeconds: elapsed,
          rssBytes: rss,
          memoryLimitBytes: limit,
          memoryLimitSource: limitSource,
          p95Ms: p95,
          calls: errors.calls,
          serverErrors: errors.serverErrors,
          errorRate: errors.rate,
        };
      },
    }),
    step({
      id: "database-connections",
      title: "PostgreSQL connections",
      description: "Counts client connections in pg_stat_activity against max_connections.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        const [row] = await ctx.sql<{ used: number; max: number; by_app: string | null }>(
          `SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS used,
                  current_setting('max_connections')::int AS max,
                  (SELECT string_agg(name || ' ' || n, ', ' ORDER BY n DESC) FROM
                     (SELECT coalesce(nullif(application_name, ''), '(unnamed)') AS name, count(*) AS n
                      FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1) AS a) AS by_app`,
        );
        const used = row?.used ?? 0;
        const max = row?.max ?? 1;
        ctx.log(`client connections: ${used} of max_connections ${max} (${percent(used / max)})`);
        ctx.log(`  by application: ${row?.by_app ?? "none"}`);
        if (max !== CURRENT_CAPACITY.postgresMaxConnections)
          ctx.log(
            `  note: max_connections is ${max}; the Scaling Guide plans with ${CURRENT_CAPACITY.postgresMaxConnections}`,
          );
        return { used, max, ratio: used / max };
      },
    }),
    step({
      id: "evaluate-triggers",
      title: "Evaluate the scale-up triggers",
      description: "Compares each scale-up trigger of the policy with the measured value.",
      danger: "read",
      timeoutMs: seconds(5),
      run(ctx) {
        const app = ctx.result<AppSample>("sample-app");
        const db = ctx.result<{ used: number; max: number; ratio: number }>("database-connections");
        const measured: Record<string, { value: number | null; shown: string; windowSeconds?: number }> = {
          cpu: {
            value: app.cpuRatio,
            shown: `${percent(app.cpuRatio)} of a core`,
            windowSeconds: app.sampleSeconds,
          },
          memory: {
            value: app.rssBytes / app.memoryLimitBytes,
            shown: `${percent(app.rssBytes / app.memoryLimitBytes)}`,
          },
          latency: {
            value: app.p95Ms,
            shown: app.p95Ms === null ? "no calls yet" : `${app.p95Ms.toFixed(1)} ms`,
          },
          "db-connections": { value: db.ratio, shown: `${percent(db.ratio)} (${db.used}/${db.max})` },
          "error-rate": {
            value: app.errorRate,
            shown: `${percent(app.errorRate)} (${app.serverErrors}/${app.calls})`,
          },
        };
        const rows: TriggerRow[] = SCALE_UP_TRIGGER_LIST.map((trigger) => {
          const m = measured[trigger.id];
          const base = {
            id: trigger.id,
            metric: trigger.metric,
            threshold: thresholdText(trigger),
            action: trigger.action,
          };
          // A trigger added to the policy that this runbook does not measure yet: said, not guessed.
          if (!m) return { ...base, value: null, shown: "-", status: "not measured" as const };
          if (m.value === null) return { ...base, value: null, shown: m.shown, status: "ok" as const };
          const above = m.value > trigger.threshold;
          // A point sample cannot prove a condition that must hold for minutes.
          const sustained =
            trigger.sustainedMinutes === 0 || (m.windowSeconds ?? 0) >= trigger.sustainedMinutes * 60;
          const status = !above ? "ok" : sustained ? "firing" : "above, not sustained";
          return { ...base, value: m.value, shown: m.shown, status };
        });
        ctx.table({
          title: "Scale-up triggers",
          columns: [
            { key: "metric", label: "trigger" },
            { key: "shown", label: "value" },
            "threshold",
            "status",
            { key: "action", label: "action when it fires" },
          ],
          rows,
        });
        for (const r of rows.filter((x) => x.status !== "ok"))
          ctx.warn(
            r.status === "not measured"
              ? `${r.metric}: this runbook does not measure trigger "${r.id}" yet; add it to capacity-report`
              : r.status === "firing"
                ? `${r.metric} fired: ${r.action}`
                : `${r.metric} is above its threshold now; the trigger needs it for ${SCALE_UP_TRIGGER_LIST.find((t) => t.id === r.id)?.sustainedMinutes} min: watch it (run with sampleSeconds up to 120, or look at the dashboard)`,
          );
        return { rows };
      },
    }),
    step({
      id: "growth",
      title: "Learners and database size against the growth targets",
      description: "Counts learners and measures the database, and compares them with the growth targets.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx) {
        const [row] = await ctx.sql<{ learners: number; practising: number; bytes: number }>(
          `SELECT (SELECT count(*)::int FROM learners) AS learners,
                  (SELECT count(DISTINCT learner_id)::int FROM reviews WHERE reviewed_at > now() - interval '5 minutes') AS practising,
                  pg_database_size(current_database())::float8 AS bytes`,
        );
        const learners = row?.learners ?? 0;
        const gb = (row?.bytes ?? 0) / 1024 ** 3;
        const next = GROWTH_TARGET_LIST.find((t) => t.users > learners) ?? GROWTH_TARGET_LIST.at(-1);
        ctx.log(
          `learners: ${learners}; database: ${gb < 0.1 ? `${((row?.bytes ?? 0) / 1024 ** 2).toFixed(1)} MiB` : `${gb.toFixed(2)} GB`}`,
        );
        ctx.log(
          `practising in the last 5 minutes: ${row?.practising ?? 0} (current capacity: ${CURRENT_CAPACITY.concurrentUsers} concurrent learners on ${CURRENT_CAPACITY.appInstances} instances)`,
        );
        ctx.table({
          title: "Growth targets",
          columns: [
            "horizon",
            { key: "users", label: "learners" },
            { key: "reached", align: "right" },
            { key: "instances", align: "right" },
            { key: "database", align: "right" },
            { key: "next", label: "" },
          ],
          rows: GROWTH_TARGET_LIST.map((t) => ({
            horizon: t.horizon,
            users: t.users,
            reached: percent(learners / t.users),
            instances: `${t.appInstances[0]}-${t.appInstances[1]}`,
            database: `${t.databaseGb} GB`,
            next: t === next ? "<- next" : "",
          })),
        });
        if (next && learners >= next.users)
          ctx.warn(
            `${learners} learners is past the last growth target (${next.users}): plan the next stage`,
          );
        else if (next && CURRENT_CAPACITY.appInstances < next.appInstances[0])
          ctx.log(
            `to reach "${next.horizon}" (${next.users} learners): ${next.appInstances[0]}-${next.appInstances[1]} instances (now ${CURRENT_CAPACITY.appInstances}) and ${next.databaseGb} GB of database`,
          );
        return {
          learners,
          practising: row?.practising ?? 0,
          databaseBytes: row?.bytes ?? 0,
          nextTarget: next?.horizon ?? null,
          shareOfNextTarget: next ? learners / next.users : null,
        };
      },
    }),
    step({
      id: "verdict",
      title: "Verdict",
      description: "Fails when a trigger fired (unless failOnTrigger=false).",
      danger: "read",
      timeoutMs: seconds(5),
      run(ctx) {
        const { rows } = ctx.result<{ rows: TriggerRow[] }>("evaluate-triggers");
        const fired = rows.filter((r) => r.status === "firing");
        if (fired.length === 0) {
          ctx.log("no scale-up trigger fired");
          return { fired: [] };
        }
        const message = `${fired.length} scale-up trigger(s) fired: ${fired
          .map((r) => `${r.metric} ${r.shown} (threshold ${r.threshold}): ${r.action}`)
          .join("; ")}`;
        if (ctx.params.failOnTrigger)
          throw new Error(`${message}. Scaling on this host: scale-instances action=start`);
        ctx.warn(`${message} (not failing: failOnTrigger=false)`);
        return { fired: fired.map((r) => r.id) };
      },
    }),
  ],
});

function thresholdText(t: ScaleTrigger): string {
  const value = t.unit === "ms" ? `${t.threshold} ms` : percent(t.threshold);
  return `> ${value}${t.sustainedMinutes > 0 ? ` for ${t.sustainedMinutes} min` : ""}`;
}
