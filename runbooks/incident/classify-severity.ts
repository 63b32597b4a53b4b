import path from "node:path";
import { z } from "zod";
import {
  ALERT_LIST,
  alertThreshold,
  classifyIncident,
  ESCALATION,
  type IncidentFacts,
  SEVERITY_LIST,
  SLO,
} from "../../policy/index.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import { writeStateFile } from "../engine/state-files.ts";
import {
  captureReadyz,
  describeReadyz,
  errorText,
  fetchMetrics,
  pct,
  type ReadyzCapture,
  resolveIncident,
} from "../lib/incidents.ts";

interface Measured {
  /** The incident folder classification.json goes to, resolved first so a wrong name fails early. */
  folder: string | null;
  readyz: ReadyzCapture;
  appDown: boolean;
  databaseDown: boolean;
  redisDown: boolean;
  errorRate: number | null;
  latencyP95Ms: number | null;
  calls: number | null;
  sources: Record<string, string>;
}

export default defineRunbook({
  id: "classify-severity",
  title: "Classify severity",
  summary:
    "Measures readiness, error rate and p95 live, combines them with what you know, and prints the severity, response time, who to page and the next steps.",
  guide: "incident-response",
  section: "Incident classification",
  params: z.object({
    appDown: z
      .boolean()
      .optional()
      .describe("Learners cannot use the app at all; measured from /readyz when not given"),
    databaseDown: z
      .boolean()
      .optional()
      .describe("PostgreSQL is down; measured from /readyz (or a direct query) when not given"),
    dataLossOrExposure: z.boolean().default(false).describe("Data is being lost or exposed"),
    securityBreach: z.boolean().default(false).describe("A security breach is under way"),
    affectedShare: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe("Share of learners affected, 0..1 (0.25 = a quarter)"),
    workaround: z.boolean().default(false).describe("Affected learners have a workaround"),
    errorRate: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("Server-error share of tRPC calls, 0..1; measured from /metrics when not given"),
    latencyP95Ms: z
      .number()
      .min(0)
      .optional()
      .describe("p95 latency of tRPC calls in ms; measured from /metrics when not given"),
    redisDown: z.boolean().optional().describe("Redis is down; measured from /readyz when not given"),
    incident: z
      .string()
      .optional()
      .describe("Incident folder (name or latest) to store classification.json in, for the post-mortem"),
  }),
  steps: (step) => [
    step({
      id: "measure",
      title: "Measure readiness, error rate and latency",
      description:
        "GET /readyz and /metrics; a direct SELECT 1 tells whether PostgreSQL is down when the app is.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx): Promise<Measured> {
        const folder = ctx.params.incident
          ? (await resolveIncident(ctx.artifactsDir, ctx.params.incident)).folder
          : null;
        const readyz = await captureReadyz(ctx);
        ctx.log(describeReadyz(readyz));
        const sources: Record<string, string> = {};
        // App down: /readyz does not answer or answers 503 (the alert "app-down" measures the same).
        const appDown = readyz.httpStatus !== 200;
        sources.appDown = `/readyz ${readyz.httpStatus ?? "no answer"}`;
        let databaseDown: boolean;
        const pgCheck = readyz.body?.checks.postgres;
        if (pgCheck) {
          databaseDown = pgCheck.status !== "ok";
          sources.databaseDown = `/readyz postgres check: ${pgCheck.status}`;
        } else {
          // The app cannot say: ask PostgreSQL directly (from here, so a network problem looks the same).
          try {
            await ctx.sql("SELECT 1");
            databaseDown = false;
            sources.databaseDown = "direct SELECT 1 answered";
          } catch (error) {
            databaseDown = true;
            sources.databaseDown = `direct SELECT 1 failed: ${errorText(error)}`;
          }
        }
        const redisCheck = readyz.body?.checks.redis;
        // "disabled" is an environment without Redis by design, not an outage.
        const redisDown = redisCheck?.status === "down";
        sources.redisDown = redisCheck
          ? `/readyz redis check: ${redisCheck.status}`
          : "not measured (no /readyz)";
        let errorRate: number | null = null;
        let latencyP95Ms: number | null = null;
        let calls: number | null = null;
        try {
          const { summary } = await fetchMetrics(ctx);
          errorRate = summary.errorRate;
          latencyP95Ms = summary.p95Ms;
          calls = summary.calls;
          sources.errorRate = `/metrics: ${summary.serverErrors} server errors in ${summary.calls} tRPC calls since the instance started`;
          sources.latencyP95Ms =
            summary.p95Ms === null
              ? "/metrics: no calls yet"
              : "/metrics: histogram of tRPC calls since start";
          ctx.log(`error rate ${pct(summary.errorRate)} (${sources.errorRate})`);
          ctx.log(`p95 ${summary.p95Ms === null ? "n/a (no calls yet)" : `${summary.p95Ms.toFixed(1)} ms`}`);
        } catch (error) {
          // No metrics from a dead app; the classification still stands on appDown.
          sources.errorRate = sources.latencyP95Ms = `not measured: ${errorText(error)}`;
          ctx.warn(`no metrics: ${errorText(error)}; pass errorRate and latencyP95Ms if you know them`);
        }
        ctx.log("(counters are cumulative and per instance: the instance that answered, since it started)");
        return { folder, readyz, appDown, databaseDown, redisDown, errorRate, latencyP95Ms, calls, sources };
      },
    }),
    step({
      id: "classify",
      title: "Severity, response time, escalation and next steps",
      description: "classifyIncident() of policy/ on the facts; prints what it means and what to do next.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const m = ctx.result<Measured>("measure");
        const p = ctx.params;
        const given = (name: string, value: unknown) => (value === undefined ? m.sources[name] : "given");
        const facts: IncidentFacts = {
          appDown: p.appDown ?? m.appDown,
          databaseDown: p.databaseDown ?? m.databaseDown,
          dataLossOrExposure: p.dataLossOrExposure,
          securityBreach: p.securityBreach,
          errorRate: p.errorRate ?? m.errorRate ?? 0,
          latencyP95Ms: p.latencyP95Ms ?? m.latencyP95Ms ?? 0,
          redisDown: p.redisDown ?? m.redisDown,
          affectedShare: p.affectedShare,
          workaround: p.workaround,
        };
        if (p.errorRate === undefined && m.errorRate === null)
          ctx.warn("error rate unknown: counted as 0; it cannot lower a P0 decided by another fact");
        ctx.log("facts:");
        ctx.log(`  app down: ${facts.appDown} (${given("appDown", p.appDown)})`);
        ctx.log(`  database down: ${facts.databaseDown} (${given("databaseDown", p.databaseDown)})`);
        ctx.log(`  redis down: ${facts.redisDown} (${given("redisDown", p.redisDown)})`);
        ctx.log(`  error rate: ${pct(facts.errorRate)} (${given("errorRate", p.errorRate)})`);
        ctx.log(
          `  p95 latency: ${facts.latencyP95Ms.toFixed(1)} ms (${given("latencyP95Ms", p.latencyP95Ms)})`,
        );
        ctx.log(
          `  data lost or exposed: ${facts.dataLossOrExposure}, security breach: ${facts.securityBreach}`,
        );
        ctx.log(`  learners affected: ${pct(facts.affectedShare)}, workaround: ${facts.workaround}`);

        const { severity, reasons } = classifyIncident(facts);
        const level = SEVERITY_LIST.find((s) => s.id === severity);
        if (!level) throw new Error(`policy/ has no severity ${severity}: the policy module is inconsistent`);
        ctx.log("");
        ctx.log(`SEVERITY ${severity}: ${level.name}`);
        for (const reason of reasons) ctx.log(`  because ${reason}`);
        ctx.log(`  criteria: ${level.criteria}`);
        ctx.log(
          `respond within ${formatMinutes(level.responseMinutes)} (acknowledge and start working on it)`,
        );
        ctx.log(`post-mortem: ${level.postMortem}`);
        ctx.log("escalation (if not resolved):");
        for (const e of ESCALATION)
          ctx.log(
            `  level ${e.level}: ${e.who}${e.afterMinutes === 0 ? ", now" : ` after ${formatMinutes(e.afterMinutes)}`}`,
          );

        const next = nextSteps(severity, facts, level.postMortem, level.responseMinutes);
        ctx.log("next steps:");
        for (const [i, line] of next.entries()) ctx.log(`  ${i + 1}. ${line}`);

        const classification = {
          classifiedAt: new Date().toISOString(),
          env: ctx.env.name,
          runId: ctx.runId,
          severity,
          name: level.name,
          reasons,
          responseMinutes: level.responseMinutes,
          postMortem: level.postMortem,
          facts,
          sources: Object.fromEntries(
            Object.keys(m.sources).map((k) => [k, given(k, (p as Record<string, unknown>)[k])]),
          ),
          readyz: m.readyz,
          nextSteps: next,
        };
        let file: string | null = null;
        if (m.folder) {
          file = path.join(m.folder, "classification.json");
          await writeStateFile("incident-classification", file, classification);
          ctx.log(`stored in ${file} (post-mortem reads it)`);
        }
        return {
          severity,
          reasons,
          responseMinutes: level.responseMinutes,
          postMortem: level.postMortem,
          facts,
          nextSteps: next,
          file,
        };
      },
    }),
  ],
});

function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const hours = minutes / 60;
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
}

/** What to do next, by severity and by the facts that decided it (Incident Response guide). */
function nextSteps(
  severity: string,
  facts: IncidentFacts,
  postMortem: string,
  responseMinutes: number,
): string[] {
  const steps: string[] = [];
  const alertsTitle = (id: string) => ALERT_LIST.find((a) => a.id === id)?.title ?? id;
  if (severity === "P0" || severity === "P1") {
    steps.push(
      `acknowledge the alert and take the incident-commander role within ${formatMinutes(responseMinutes)}`,
    );
    steps.push("preserve evidence first: triage-snapshot (before restarting or changing anything)");
    steps.push("assemble the response team and post the first status update");
  } else {
    steps.push("open a ticket with what you saw; triage-snapshot attaches the evidence");
  }
  if (facts.securityBreach || facts.dataLossOrExposure) {
    steps.push("isolate: maintenance-mode action=on (learners see your message; progress is kept)");
    steps.push("assess the scope from the snapshot and the logs");
    steps.push("revoke sessions: revoke-all-sessions (or email=<learner> for one account)");
    steps.push(
      "rotate secrets: rotate-session-secret logoutEveryone=true, then the database and API credentials",
    );
    steps.push(
      "notify the security team; follow the legal requirements for a data breach; document everything",
    );
  }
  if (facts.databaseDown) {
    steps.push(
      "database: check replication, fail over to a replica if there is one, restore from the newest verified backup if needed (runbook restore), then restart the app and verify data integrity",
    );
  } else if (facts.appDown) {
    steps.push(
      "app down with the database up: look at /readyz checks and the error logs; if it started with a release, roll back (runbook rollback)",
    );
  }
  if (facts.errorRate > SLO.errorRate)
    steps.push(
      `error rate ${pct(facts.errorRate)} (SLO ${pct(SLO.errorRate)}, "${alertsTitle("error-rate-critical")}" at ${pct(alertThreshold("error-rate-critical"))}): find the failing procedure in /metrics and the error logs`,
    );
  if (facts.latencyP95Ms > SLO.latencyP95Ms)
    steps.push(
      `p95 ${facts.latencyP95Ms.toFixed(0)} ms over the SLO (${SLO.latencyP95Ms} ms): check slow queries and locks in the snapshot, pool waiting, CPU`,
    );
  if (facts.redisDown)
    steps.push(
      "Redis down: the app serves from PostgreSQL with in-process rate limits; restart Redis, then watch redis_up",
    );
  steps.push("verify the fix: classify-severity again (it measures live) and morning-health-check");
  steps.push(
    postMortem === "none"
      ? "no post-mortem required; note the cause in the ticket"
      : `post-mortem (${postMortem}): post-mortem incident=latest fills the skeleton from the snapshot`,
  );
  return steps;
}
