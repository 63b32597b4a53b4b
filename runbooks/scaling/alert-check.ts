/**
 * Alert check
 *
 * Purpose: evaluates every alert rule of the Operational Runbook (critical and warning) against the
 *   environment now, the way the monitoring system would: app down, database down, error rate, TLS
 *   expiry, slow responses, CPU, disk space, backups. Prints each as firing, ok or not applicable
 *   with the measured value; fails when a CRITICAL alert fires (warnings are printed only). What it
 *   counts is what the Prometheus rules count (policy/alert-rules.ts: server-error codes, the
 *   procedures SlowResponses leaves out), over the instance's life instead of the last 5 minutes.
 * Sent here by: the Operational Runbook's "Monitoring and alerting" (test the alert rules, or check
 *   by hand while the monitoring system is down), a page you want to confirm, or a cron job.
 * Preconditions: the app URL, DATABASE_URL and the runbook data directory (backup manifests) are
 *   reachable from here. Disk space is measured where PostgreSQL keeps its data when the database runs
 *   on this host, else on the runbook data directory (it says which).
 * Blast radius: none. Every step only reads.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { SLOW_RESPONSES_EXCLUDED_PROCEDURES, SLOW_RESPONSES_QUANTILE } from "../../policy/alert-rules.ts";
import { ALERT_LIST, type AlertRule, alertThreshold } from "../../policy/index.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { dataDir } from "../engine/paths.ts";
import { listBackups } from "../lib/backups.ts";
import { percent } from "../lib/format.ts";
import {
  errorRate,
  latencyQuantileMs,
  parsePrometheus,
  slowResponsesSamples,
  sum,
} from "../lib/prometheus.ts";
import { readCertificate } from "./tls-expiry.ts";

type AlertState = "firing" | "ok" | "not applicable" | "unknown";

interface AlertResult {
  id: string;
  state: AlertState;
  /** What was measured, with its unit. */
  value: string;
}

const rule = (id: string): AlertRule => {
  const found = ALERT_LIST.find((a) => a.id === id);
  if (!found) throw new Error(`the policy has no alert "${id}"`);
  return found;
};

export default defineRunbook({
  id: "alert-check",
  title: "Alert check",
  summary:
    "Evaluates every critical and warning alert rule against the environment now; fails when a critical alert fires.",
  guide: "operational-runbook",
  section: "Monitoring and alerting",
  params: z.object({
    cpuSampleSeconds: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(3)
      .describe("How long the app's CPU is sampled (two /metrics reads this many seconds apart)"),
    tlsUrl: z
      .url()
      .optional()
      .describe("The public https URL for the TLS alert (default: the environment's app URL)"),
  }),
  steps: (step) => [
    step({
      id: "availability",
      title: "App down, database down",
      description: "GET /readyz; when the app does not answer, checks PostgreSQL directly.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx): Promise<AlertResult[]> {
        let readyz: {
          status: number;
          body: {
            status?: string;
            checks?: Record<string, { status: string; latencyMs: number | null; error?: string }>;
          };
        } | null = null;
        let failure = "";
        try {
          const res = await ctx.http("/readyz", { timeoutMs: 5_000 });
          readyz = { status: res.status, body: (await res.json()) as NonNullable<typeof readyz>["body"] };
        } catch (error) {
          // Expected when the app is down: that is what this alert is about.
          failure = error instanceof Error ? error.message : String(error);
        }
        const app: AlertResult = readyz
          ? {
              id: "app-down",
              state: readyz.status === 200 ? "ok" : "firing",
              value: `/readyz ${readyz.status} ${readyz.body.status ?? ""}`.trim(),
            }
          : { id: "app-down", state: "firing", value: `/readyz did not answer (${failure})` };
        let database: AlertResult;
        const pgCheck = readyz?.body.checks?.postgres;
        if (pgCheck) {
          database = {
            id: "database-down",
            state: pgCheck.status === "ok" ? "ok" : "firing",
            value: `app's check: ${pgCheck.status}${pgCheck.latencyMs === null ? "" : ` in ${pgCheck.latencyMs} ms`}${pgCheck.error ? ` (${pgCheck.error})` : ""}`,
          };
        } else {
          // Without the app's readiness, ask PostgreSQL ourselves.
          const t0 = performance.now();
          try {
            await ctx.sql("SELECT 1");
            database = {
              id: "database-down",
              state: "ok",
              value: `direct SELECT 1 in ${(performance.now() - t0).toFixed(0)} ms (the app did not answer)`,
            };
          } catch (error) {
            database = {
              id: "database-down",
              state: "firing",
              value: `direct SELECT 1 failed: ${error instanceof Error ? error.message : String(error)}`,
            };
          }
        }
        for (const r of [app, database]) ctx.log(`${r.id}: ${r.state} (${r.value})`);
        return [app, database];
      },
    }),
    step({
      id: "app-metrics",
      title: "Error rate, slow responses, CPU",
      description:
        "Reads /metrics twice, cpuSampleSeconds apart: server-error share, p95 latency, CPU of the instance.",
      danger: "read",
      timeoutMs: minutes(2),
      async run(ctx): Promise<AlertResult[]> {
        const read = async () => {
          const res = await ctx.http("/metrics", { timeoutMs: 5_000 });
          if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
          return { at: performance.now(), samples: parsePrometheus(await res.text()) };
        };
        let first: Awaited<ReturnType<typeof read>>;
        try {
          first = await read();
        } catch (error) {
          // Expected when the app is down: app-down fires; these cannot be measured.
          const why = `not measurable: ${error instanceof Error ? error.message : String(error)}`;
          ctx.warn(`/metrics unavailable (${why}); the app-down alert covers it`);
          return ["error-rate-critical", "slow-responses", "high-cpu"].map((id) => ({
            id,
            state: "unknown" as const,
            value: why,
          }));
        }
        await sleep(ctx.params.cpuSampleSeconds * 1000, undefined, { signal: ctx.signal });
        const second = await read();
        // The same codes and procedures the Prometheus rules count (policy/alert-rules.ts).
        const errors = errorRate(second.samples);
        const judged = slowResponsesSamples(second.samples);
        const p95 = latencyQuantileMs(judged, SLOW_RESPONSES_QUANTILE);
        const judgedCalls = sum(judged, "trpc_request_duration_seconds_count");
        const elapsed = (second.at - first.at) / 1000;
        const cpu =
          (sum(second.samples, "process_cpu_seconds_total") -
            sum(first.samples, "process_cpu_seconds_total")) /
          elapsed;
        const results: AlertResult[] = [
          {
            id: "error-rate-critical",
            state: errors.rate > alertThreshold("error-rate-critical") ? "firing" : "ok",
            value: `${percent(errors.rate)}: ${errors.serverErrors} server errors of ${errors.calls} calls since the instance started`,
          },
          {
            id: "slow-responses",
            state: p95 !== null && p95 > alertThreshold("slow-responses") ? "firing" : "ok",
            value:
              p95 === null
                ? "no calls yet"
                : `p95 ${p95.toFixed(1)} ms over ${judgedCalls} calls (${SLOW_RESPONSES_EXCLUDED_PROCEDURES.join(", ")} left out)`,
          },
          {
            id: "high-cpu",
            state: cpu > alertThreshold("high-cpu") ? "firing" : "ok",
            value: `${percent(cpu)} of one core over ${elapsed.toFixed(1)} s`,
          },
        ];
        for (const r of results) ctx.log(`${r.id}: ${r.state} (${r.value})`);
        return results;
      },
    }),
    step({
      id: "tls",
      title: "TLS certificate expiry",
      description: "Reads the certificate of the https URL; not applicable to a plain http URL.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx): Promise<AlertResult[]> {
        const url = ctx.params.tlsUrl ?? ctx.env.appUrl;
        if (!url.startsWith("https://")) {
          // Expected in dev and behind a TLS-terminating proxy: pass tlsUrl for the public URL.
          const r: AlertResult = {
            id: "tls-expiry",
            state: "not applicable",
            value: `not applicable: http (${url})`,
          };
          ctx.log(
            `tls-expiry: ${r.value}; pass tlsUrl=https://<public host> to check the public certificate`,
          );
          return [r];
        }
        let r: AlertResult;
        try {
          const cert = await readCertificate(url, 10_000, ctx.signal);
          r = {
            id: "tls-expiry",
            state: cert.daysLeft < alertThreshold("tls-expiry") ? "firing" : "ok",
            value: `${cert.daysLeft.toFixed(1)} days left (valid to ${cert.validTo}, ${cert.subject})`,
          };
        } catch (error) {
          // No handshake: the certificate cannot be read; app-down says whether the site is reachable.
          r = {
            id: "tls-expiry",
            state: "unknown",
            value: error instanceof Error ? error.message : String(error),
          };
        }
        ctx.log(`tls-expiry: ${r.state} (${r.value})`);
        return [r];
      },
    }),
    step({
      id: "disk",
      title: "Free disk space",
      description:
        "df on PostgreSQL's data directory when the database runs on this host, else on the runbook data directory.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx): Promise<AlertResult[]> {
        const host = new URL(ctx.env.databaseUrl).hostname.replace(/^\[|\]$/g, "");
        const local = ["", "localhost", "127.0.0.1", "::1"].includes(host);
        let dir: string | null = null;
        let which = "";
        if (local) {
          try {
            const [row] = await ctx.sql<{ data_directory: string }>("SHOW data_directory");
            if (row?.data_directory && existsSync(row.data_directory)) {
              dir = row.data_directory;
              which = "PostgreSQL's data directory";
            } else
              which = `PostgreSQL's data directory (${row?.data_directory ?? "?"}) is not visible from here`;
          } catch (error) {
            // Needs superuser or pg_read_all_settings; without it, fall back to the runbook data dir.
            which = `SHOW data_directory refused (${error instanceof Error ? error.message : String(error)})`;
          }
        } else which = `the database runs on ${host}, not on this host`;
        if (!dir) {
          dir = dataDir(process.env);
          await mkdir(dir, { recursive: true });
          which = `${which}: measuring the runbook data directory (backups) instead`;
        }
        const out = await ctx.$`df -Pk ${dir}`;
        const fields = out.stdout.trim().split("\n").at(-1)?.trim().split(/\s+/) ?? [];
        const totalKb = Number(fields[1]);
        const availKb = Number(fields[3]);
        if (!(totalKb > 0) || !Number.isFinite(availKb))
          throw new Error(`could not read df's output for ${dir}: ${out.stdout}`);
        const free = availKb / totalKb;
        const r: AlertResult = {
          id: "low-disk",
          state: free < alertThreshold("low-disk") ? "firing" : "ok",
          value: `${percent(free)} free (${gib(availKb * 1024)} GiB of ${gib(totalKb * 1024)} GiB) on ${fields[5] ?? "?"}, holding ${dir}`,
        };
        ctx.log(`measuring: ${which}`);
        ctx.log(`low-disk: ${r.state} (${r.value})`);
        return [r];
      },
    }),
    step({
      id: "backups",
      title: "Backup failed or stale",
      description:
        "Reads this environment's backup manifests: the newest verified backup's age and failed verifications.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx): Promise<AlertResult[]> {
        const backups = await listBackups(ctx.env.name);
        const limit = alertThreshold("backup-failed");
        const newest = backups[0];
        const verified = backups.find((b) => b.verification?.ok);
        let r: AlertResult;
        if (newest?.verification && !newest.verification.ok) {
          r = {
            id: "backup-failed",
            state: "firing",
            value: `the newest backup ${newest.id} failed verification: ${newest.verification.detail}`,
          };
        } else if (!verified) {
          r = {
            id: "backup-failed",
            state: "firing",
            value: `no verified backup of ${ctx.env.name} (${backups.length} backups in all): run backup-now, then verify-backup`,
          };
        } else {
          const hours = (Date.now() - Date.parse(verified.createdAt)) / 3_600_000;
          r = {
            id: "backup-failed",
            state: hours > limit ? "firing" : "ok",
            value: `newest verified backup ${verified.id} is ${hours.toFixed(1)} h old`,
          };
        }
        ctx.log(`backup-failed: ${r.state} (${r.value})`);
        return [r];
      },
    }),
    step({
      id: "verdict",
      title: "Alerts",
      description: "Prints every alert with its level and state; fails when a critical alert fires.",
      danger: "read",
      timeoutMs: seconds(5),
      run(ctx) {
        const measured = new Map(
          ["availability", "app-metrics", "tls", "disk", "backups"]
            .flatMap((id) => ctx.result<AlertResult[]>(id))
            .map((r) => [r.id, r]),
        );
        const rows = ALERT_LIST.map((a) => ({
          id: a.id,
          level: a.level,
          title: a.title,
          threshold: thresholdText(a),
          // An alert added to the policy that this runbook does not evaluate yet: said, not guessed.
          ...(measured.get(a.id) ?? { state: "unknown" as const, value: "not evaluated by alert-check yet" }),
        }));
        ctx.table({
          title: "Alerts",
          columns: [
            "level",
            { key: "title", label: "alert" },
            "state",
            "threshold",
            { key: "value", label: "measured" },
          ],
          rows,
        });
        const firing = rows.filter((r) => r.state === "firing");
        const critical = firing.filter((r) => r.level === "critical");
        for (const r of firing.filter((x) => x.level === "warning"))
          ctx.warn(`WARNING ${r.title}: ${r.value} (notify ${rule(r.id).notify}; business hours)`);
        if (critical.length > 0)
          throw new Error(
            `${critical.length} critical alert(s) firing: ${critical.map((r) => `${r.title} (${r.value})`).join("; ")}. Page the on-call engineer and open an incident (Incident Response)`,
          );
        ctx.log(`no critical alert firing; ${firing.length} warning(s)`);
        return { alerts: rows, critical: 0, warnings: firing.length };
      },
    }),
  ],
});

function thresholdText(a: AlertRule): string {
  switch (a.unit) {
    case "bool":
      return "-";
    case "ratio":
      return `> ${percent(a.threshold)}`;
    case "ratio-free":
      return `< ${percent(a.threshold)} free`;
    case "ms":
      return `> ${a.threshold} ms`;
    case "days":
      return `< ${a.threshold} days`;
    case "hours":
      return `> ${a.threshold} h`;
  }
}

function gib(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(1);
}
