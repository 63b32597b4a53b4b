/**
 * Weekly review
 *
 * Purpose: the Monday look back over the week: which tRPC procedures fail and with which codes,
 *   which are slowest (p95 per procedure), what learners did (new learners, reviews, accuracy) and
 *   which runbook runs failed; writes it all as one markdown summary to share with the team.
 * Sent here by: the weekly calendar (Operational Runbook, "Weekly tasks", Monday: review error logs),
 *   or a "how was last week?" question.
 * Preconditions: the environment's app URL and DATABASE_URL are reachable from here; the audit log
 *   is this machine's (.data/runbooks/audit.jsonl or RUNBOOK_DATA_DIR).
 * Blast radius: none. Every step only reads; the summary is a file under this runbook's artifacts.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { alertThreshold, SLO } from "../../policy/index.ts";
import { auditLogFile, readAudit } from "../engine/audit.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import { dataDir } from "../engine/paths.ts";
import { errorRate, errorsByProcedure, parsePrometheus, procedureLatencies, sum } from "../lib/prometheus.ts";

interface ErrorsResult {
  uptimeHours: number | null;
  calls: number;
  serverErrors: number;
  errorRate: number;
  rateLimited: number;
  errors: Array<{ procedure: string; code: string; count: number }>;
}

interface SlowResult {
  slowest: Array<{ procedure: string; calls: number; p95Ms: number }>;
  overThreshold: number;
}

interface ActivityResult {
  learners: number;
  newLearners: number;
  activeLearners: number;
  reviews: number;
  correct: number;
  accuracy: number | null;
  byDay: Array<{ day: string; reviews: number; correct: number }>;
}

interface FailedRunsResult {
  auditLog: string;
  runs: number;
  failed: Array<{
    runId: string;
    runbook: string;
    env: string;
    actor: string;
    startedAt: string;
    status: string;
    step: string | null;
    error: string | null;
  }>;
}

export default defineRunbook({
  id: "weekly-review",
  title: "Weekly review",
  summary:
    "Errors by procedure and code, the slowest procedures, learner activity and failed runbook runs of the last week, as a markdown summary.",
  guide: "operational-runbook",
  section: "Weekly tasks",
  params: z.object({
    days: z.number().int().min(1).max(90).default(7).describe("How many days back the review looks"),
    top: z.number().int().min(1).max(50).default(5).describe("How many of the slowest procedures to list"),
  }),
  steps: (step) => [
    step({
      id: "errors",
      title: "Errors by procedure and code",
      description: "Reads /metrics: tRPC errors by procedure and code since the instance started.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx): Promise<ErrorsResult> {
        const health = await ctx.http("/healthz");
        // An old app without uptime in /healthz still has metrics: the window is then unknown.
        const uptimeSeconds = health.ok
          ? ((await health.json()) as { uptimeSeconds?: number }).uptimeSeconds
          : undefined;
        const res = await ctx.http("/metrics");
        if (!res.ok)
          throw new Error(`/metrics answered ${res.status}: is the app up? Run morning-health-check first`);
        const samples = parsePrometheus(await res.text());
        const totals = errorRate(samples);
        const errors = errorsByProcedure(samples);
        const rateLimited = sum(samples, "rate_limited_requests_total");
        const uptimeHours = uptimeSeconds === undefined ? null : uptimeSeconds / 3600;
        ctx.log(
          `counters cover this instance since it started${uptimeHours === null ? "" : ` ${uptimeHours.toFixed(1)} h ago`}; other instances keep their own`,
        );
        ctx.log(
          `tRPC calls: ${totals.calls}, server errors: ${totals.serverErrors} (${pct(totals.rate)}; SLO ${pct(SLO.errorRate)}), rate-limited requests: ${rateLimited}`,
        );
        if (errors.length === 0) ctx.log("no tRPC errors");
        else
          ctx.table({
            title: "tRPC errors by procedure",
            columns: ["procedure", "code", "count"],
            rows: errors,
          });
        if (totals.rate > SLO.errorRate)
          ctx.warn(
            `server error rate ${pct(totals.rate)} is above the SLO (${pct(SLO.errorRate)}): read the app's logs for "procedure failed"`,
          );
        return {
          uptimeHours,
          calls: totals.calls,
          serverErrors: totals.serverErrors,
          errorRate: totals.rate,
          rateLimited,
          errors,
        };
      },
    }),
    step({
      id: "slow-procedures",
      title: "Slowest procedures (p95)",
      description: "Reads /metrics: p95 latency per tRPC procedure from the histogram, slowest first.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx): Promise<SlowResult> {
        const res = await ctx.http("/metrics");
        if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
        const all = procedureLatencies(parsePrometheus(await res.text()), 0.95);
        const limit = alertThreshold("slow-responses");
        const slowest = all
          .slice(0, ctx.params.top)
          .map((p) => ({ procedure: p.procedure, calls: p.calls, p95Ms: round1(p.quantileMs) }));
        const overThreshold = all.filter((p) => p.quantileMs > limit).length;
        if (slowest.length === 0) ctx.log("no tRPC calls since the instance started");
        else ctx.log(`slowest ${slowest.length} of ${all.length} procedures (warning above ${limit} ms):`);
        if (slowest.length > 0)
          ctx.table({
            title: "p95 per procedure, slowest first",
            columns: [
              "procedure",
              { key: "p95", label: "p95 (ms)", align: "right" },
              "calls",
              { key: "flag", label: `above ${limit} ms` },
            ],
            rows: slowest.map((p) => ({
              procedure: p.procedure,
              p95: p.p95Ms.toFixed(1),
              calls: p.calls,
              flag: p.p95Ms > limit ? "ABOVE" : "",
            })),
          });
        if (overThreshold > 0)
          ctx.warn(
            `${overThreshold} procedure(s) have a p95 above ${limit} ms: run performance-check for the slow queries`,
          );
        return { slowest, overThreshold };
      },
    }),
    step({
      id: "learner-activity",
      title: "Learner activity",
      description: "Reads PostgreSQL: new learners, reviews and accuracy over the period, per day.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx): Promise<ActivityResult> {
        const days = ctx.params.days;
        const [totals] = await ctx.sql<{
          learners: number;
          new_learners: number;
          active_learners: number;
          reviews: number;
          correct: number;
        }>(
          `WITH recent AS (SELECT learner_id, correct FROM reviews WHERE reviewed_at > now() - make_interval(days => $1))
           SELECT (SELECT count(*)::int FROM learners) AS learners,
                  (SELECT count(*)::int FROM learners WHERE created_at > now() - make_interval(days => $1)) AS new_learners,
                  (SELECT count(DISTINCT learner_id)::int FROM recent) AS active_learners,
                  (SELECT count(*)::int FROM recent) AS reviews,
                  (SELECT count(*)::int FROM recent WHERE correct) AS correct`,
          [days],
        );
        const byDay = await ctx.sql<{ day: string; reviews: number; correct: number }>(
          `SELECT to_char(date_trunc('day', reviewed_at), 'YYYY-MM-DD') AS day, count(*)::int AS reviews,
                  count(*) FILTER (WHERE correct)::int AS correct
           FROM reviews WHERE reviewed_at > now() - make_interval(days => $1) GROUP BY 1 ORDER BY 1`,
          [days],
        );
        const t = totals ?? { learners: 0, new_learners: 0, active_learners: 0, reviews: 0, correct: 0 };
        const accuracy = t.reviews === 0 ? null : t.correct / t.reviews;
        ctx.log(`last ${days} days: ${t.new_learners} new learners (${t.learners} in all)`);
        ctx.log(
          `reviews: ${t.reviews} by ${t.active_learners} learners, accuracy ${accuracy === null ? "n/a (no reviews)" : pct(accuracy)}`,
        );
        if (byDay.length > 0)
          ctx.table({
            title: "Reviews per day",
            columns: ["day", "reviews", { key: "correct", align: "right" }],
            rows: byDay.map((d) => ({ day: d.day, reviews: d.reviews, correct: pct(d.correct / d.reviews) })),
          });
        return {
          learners: t.learners,
          newLearners: t.new_learners,
          activeLearners: t.active_learners,
          reviews: t.reviews,
          correct: t.correct,
          accuracy,
          byDay,
        };
      },
    }),
    step({
      id: "failed-runs",
      title: "Failed runbook runs",
      description: "Reads this machine's audit log: runs that failed or were cancelled in the period.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx): Promise<FailedRunsResult> {
        const dir = dataDir(process.env);
        const since = Date.now() - ctx.params.days * 86_400_000;
        const recent = (await readAudit(dir)).filter((r) => Date.parse(r.startedAt) >= since);
        const failed = recent
          .filter((r) => r.status !== "ok")
          .map((r) => {
            const bad = r.steps.find((s) => s.status !== "ok" && s.status !== "skipped");
            return {
              runId: r.runId,
              runbook: r.runbook,
              env: r.env,
              actor: r.actor,
              startedAt: r.startedAt,
              status: r.status,
              step: bad?.id ?? null,
              error: bad?.error ?? null,
            };
          });
        ctx.log(
          `audit log ${auditLogFile(dir)}: ${recent.length} runs in the last ${ctx.params.days} days, ${failed.length} not ok`,
        );
        for (const f of failed)
          ctx.log(
            `  ${f.startedAt} ${f.runbook} (${f.env}) ${f.status}${f.step ? ` at ${f.step}` : ""}${f.error ? `: ${f.error.split("\n")[0]}` : ""}`,
          );
        return { auditLog: auditLogFile(dir), runs: recent.length, failed };
      },
    }),
    step({
      id: "write-summary",
      title: "Write the markdown summary",
      description: "Writes the review as markdown under this runbook's artifacts folder.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const errors = ctx.result<ErrorsResult>("errors");
        const slow = ctx.result<SlowResult>("slow-procedures");
        const activity = ctx.result<ActivityResult>("learner-activity");
        const runs = ctx.result<FailedRunsResult>("failed-runs");
        const today = new Date().toISOString().slice(0, 10);
        const file = path.join(ctx.artifactsDir, `weekly-review-${ctx.env.name}-${today}.md`);
        const limit = alertThreshold("slow-responses");
        const lines = [
          `# Weekly review: ${ctx.env.name}, ${today}`,
          "",
          `Period: the last ${ctx.params.days} days. Metrics cover one app instance since it started${errors.uptimeHours === null ? "" : ` (${errors.uptimeHours.toFixed(1)} h ago)`}.`,
          "",
          "## Errors by procedure and code",
          "",
          `${errors.calls} tRPC calls, ${errors.serverErrors} server errors (${pct(errors.errorRate)}; SLO ${pct(SLO.errorRate)}), ${errors.rateLimited} rate-limited requests.`,
          "",
          ...(errors.errors.length === 0
            ? ["No tRPC errors."]
            : [
                "| Procedure | Code | Count |",
                "| --- | --- | ---: |",
                ...errors.errors.map((e) => `| ${e.procedure} | ${e.code} | ${e.count} |`),
              ]),
          "",
          "## Slowest procedures",
          "",
          ...(slow.slowest.length === 0
            ? ["No tRPC calls yet."]
            : [
                `p95 per procedure; the slow-responses warning is at ${limit} ms.`,
                "",
                "| Procedure | p95 (ms) | Calls |",
                "| --- | ---: | ---: |",
                ...slow.slowest.map(
                  (p) =>
                    `| ${p.procedure} | ${p.p95Ms.toFixed(1)}${p.p95Ms > limit ? " ⚠" : ""} | ${p.calls} |`,
                ),
              ]),
          "",
          "## Learner activity",
          "",
          `- New learners: ${activity.newLearners} (${activity.learners} in all)`,
          `- Learners who practised: ${activity.activeLearners}`,
          `- Reviews: ${activity.reviews}`,
          `- Accuracy: ${activity.accuracy === null ? "n/a (no reviews)" : pct(activity.accuracy)}`,
          "",
          ...(activity.byDay.length === 0
            ? []
            : [
                "| Day | Reviews | Correct |",
                "| --- | ---: | ---: |",
                ...activity.byDay.map((d) => `| ${d.day} | ${d.reviews} | ${pct(d.correct / d.reviews)} |`),
                "",
              ]),
          "## Failed runbook runs",
          "",
          `${runs.runs} runs in the audit log of this machine, ${runs.failed.length} not ok.`,
          "",
          ...(runs.failed.length === 0
            ? []
            : [
                "| Started | Runbook | Env | Status | Step | Error |",
                "| --- | --- | --- | --- | --- | --- |",
                ...runs.failed.map(
                  (f) =>
                    `| ${f.startedAt} | ${f.runbook} | ${f.env} | ${f.status} | ${f.step ?? ""} | ${cell(f.error ?? "")} |`,
                ),
              ]),
          "",
        ];
        await writeFile(file, lines.join("\n"));
        ctx.log(`summary written to ${file}`);
        return { file };
      },
    }),
  ],
});

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.001 ? 3 : 1)}%`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** One markdown table cell: first line only, no pipes. */
function cell(text: string): string {
  return (text.split("\n")[0] ?? "").replaceAll("|", "\\|").slice(0, 200);
}
