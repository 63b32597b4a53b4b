/**
 * Post-mortem skeleton
 *
 * Purpose: start the post-mortem from the evidence instead of from memory: reads an incident folder
 *   written by triage-snapshot (and classify-severity's classification.json if present) and writes
 *   post-mortem.md with the title, severity, deadline, a timeline of what was captured when, the
 *   impact numbers that were measured, and the sections the team writes (root cause, what went
 *   well, what went wrong, action items with owners and due dates, follow-ups), each marked for the
 *   incident commander. It invents nothing: what was not captured says so.
 * Sent here by: the end of an incident (Incident Response, "Post-incident procedures": a P0
 *   post-mortem is due within 48 hours, the deadlines per severity are in policy/).
 * Preconditions: an incident folder from triage-snapshot on this machine (its artifacts folder).
 * Blast radius: none. Reads files; writes post-mortem.md into the incident folder, and refuses to
 *   overwrite one that exists (someone may already be writing it).
 */
import { existsSync } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { SEVERITIES, SEVERITY_LIST, type Severity, SLO } from "../../policy/index.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import { readStateFile } from "../engine/state-files.ts";
import {
  INCIDENT_FOLDER,
  isoFromCompact,
  type MetricsSummary,
  pct,
  type ReadyzCapture,
  readJsonIfPresent,
  resolveIncident,
} from "../lib/incidents.ts";

const TBW = "_To be written by the incident commander._";

interface Evidence {
  folder: string;
  name: string;
  slug: string;
  startedAt: string;
  incident: {
    env?: string;
    appUrl?: string;
    runId?: string;
    collectedBy?: string;
    startedAt?: string;
  } | null;
  files: Array<{ file: string; modifiedAt: string; bytes: number }>;
  healthz: { capturedAt: string; httpStatus: number | null; error?: string } | null;
  readyz: ReadyzCapture | null;
  metrics: (MetricsSummary & { error?: string }) | null;
  slowQueries: { capturedAt: string; queries: Array<{ pid: number; seconds: number; state: string }> } | null;
  locks: {
    capturedAt: string;
    waiting: Array<{ pid: number; waiting_seconds: number; blocked_by: number[] }>;
  } | null;
  errorLogs: { lines: number; first: string | null; last: string | null } | null;
  classification: {
    classifiedAt: string;
    severity: Severity;
    name: string;
    reasons: string[];
    facts: { affectedShare?: number; workaround?: boolean };
  } | null;
}

export default defineRunbook({
  id: "post-mortem",
  title: "Post-mortem skeleton",
  summary:
    "Writes post-mortem.md into an incident folder: timeline and impact from the captured evidence, and marked sections for the team to write.",
  guide: "incident-response",
  section: "Post-incident procedures",
  params: z.object({
    incident: z
      .string()
      .min(1)
      .default("latest")
      .describe("The incident folder (its name, e.g. 20250301T031405Z-login-errors) or latest"),
    severity: z
      .enum(["P0", "P1", "P2", "P3"])
      .optional()
      .describe("The severity; taken from classification.json in the folder when not given"),
    title: z
      .string()
      .trim()
      .min(1)
      .max(120)
      .optional()
      .describe("The post-mortem's title; the slug when not given"),
  }),
  steps: (step) => [
    step({
      id: "read-evidence",
      title: "Read the incident folder",
      description:
        "Finds the folder (or the newest), reads what triage-snapshot and classify-severity captured.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx): Promise<Evidence> {
        const { folder, name } = await resolveIncident(ctx.artifactsDir, ctx.params.incident);
        const match = INCIDENT_FOLDER.exec(name);
        const files = [];
        for (const file of (await readdir(folder)).sort()) {
          const info = await stat(path.join(folder, file));
          if (info.isFile()) files.push({ file, modifiedAt: info.mtime.toISOString(), bytes: info.size });
        }
        const read = <T>(file: string) => readJsonIfPresent<T>(path.join(folder, file));
        let errorLogs: Evidence["errorLogs"] = null;
        const logFile = path.join(folder, "error-logs.jsonl");
        if (existsSync(logFile)) {
          const times = (await readFile(logFile, "utf8"))
            .split("\n")
            .filter(Boolean)
            .map((line) => {
              try {
                const t = (JSON.parse(line) as { time?: number }).time;
                return typeof t === "number" ? new Date(t).toISOString() : null;
              } catch {
                // triage-snapshot keeps only JSON lines; a hand-edited line is skipped.
                return null;
              }
            });
          const known = times.filter((t): t is string => t !== null).sort();
          errorLogs = { lines: times.length, first: known[0] ?? null, last: known.at(-1) ?? null };
        }
        const evidence: Evidence = {
          folder,
          name,
          slug: match?.[2] ?? name,
          startedAt: isoFromCompact(match?.[1] ?? ""),
          incident: await readStateFile<NonNullable<Evidence["incident"]>>(
            "incident",
            path.join(folder, "incident.json"),
          ),
          files,
          healthz: await read("healthz.json"),
          readyz: await read("readyz.json"),
          metrics: await read("metrics-summary.json"),
          slowQueries: await read("slow-queries.json"),
          locks: await read("locks.json"),
          errorLogs,
          classification: await readStateFile<NonNullable<Evidence["classification"]>>(
            "incident-classification",
            path.join(folder, "classification.json"),
            "classify the incident again: npm run runbook -- classify-severity",
          ),
        };
        ctx.log(`incident folder: ${folder} (${files.length} files)`);
        ctx.log(
          `captured: ${["healthz", "readyz", "metrics", "slowQueries", "locks", "errorLogs", "classification"]
            .filter((k) => evidence[k as keyof Evidence] !== null)
            .join(", ")}`,
        );
        return evidence;
      },
    }),
    step({
      id: "write-post-mortem",
      title: "Write post-mortem.md",
      description:
        "Fills the skeleton from the evidence and writes it into the incident folder; never overwrites.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const e = ctx.result<Evidence>("read-evidence");
        const target = path.join(e.folder, "post-mortem.md");
        if (existsSync(target))
          throw new Error(
            `${target} exists already (someone may be writing it): edit it, or move it away to generate a fresh skeleton`,
          );
        const severity = ctx.params.severity ?? e.classification?.severity ?? null;
        const severitySource = ctx.params.severity
          ? "given when this skeleton was generated"
          : e.classification
            ? `classify-severity at ${e.classification.classifiedAt}: ${e.classification.reasons.join("; ")}`
            : null;
        const level = severity ? SEVERITY_LIST.find((s) => s.id === severity) : undefined;
        const title = ctx.params.title ?? e.slug.replace(/-/g, " ");
        const markdown = render(e, { title, severity, severitySource, level });
        await writeFile(target, markdown);
        ctx.log(`wrote ${target}`);
        ctx.log(
          level
            ? `severity ${level.id}: post-mortem ${level.postMortem}${deadline(e.startedAt, level.postMortem) ? `, by ${deadline(e.startedAt, level.postMortem)}` : ""}`
            : "severity unknown: run classify-severity incident=<folder>, or pass severity=",
        );
        ctx.log(
          `sections for the incident commander to write: ${(markdown.match(/To be written/g) ?? []).length}`,
        );
        return { file: target, severity };
      },
    }),
  ],
});

/** "within 48 hours" → the time 48 h after the incident started; other wordings have no fixed time. */
function deadline(startedAt: string, rule: string): string | null {
  const hours = /within (\d+) hours/.exec(rule)?.[1];
  const start = Date.parse(startedAt);
  if (!hours || Number.isNaN(start)) return null;
  return new Date(start + Number(hours) * 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
}

function render(
  e: Evidence,
  o: {
    title: string;
    severity: Severity | null;
    severitySource: string | null;
    level: (typeof SEVERITY_LIST)[number] | undefined;
  },
): string {
  const m = e.metrics && !e.metrics.error ? e.metrics : null;
  const r = e.readyz;
  const due = o.level ? deadline(e.startedAt, o.level.postMortem) : null;
  const readyLine = !r
    ? "not captured"
    : r.httpStatus === null
      ? `no answer (${r.error})`
      : `${r.httpStatus} ${r.body?.status ?? ""}${
          r.body
            ? `: ${Object.entries(r.body.checks)
                .map(
                  ([k, c]) =>
                    `${k} ${c.status}${c.latencyMs === null ? "" : ` (${c.latencyMs} ms)`}${c.error ? ` ${c.error}` : ""}`,
                )
                .join(", ")}`
            : ""
        }${r.body?.maintenance?.enabled ? `; maintenance ON ("${r.body.maintenance.message}")` : ""}`;

  const timeline: Array<[string, string]> = [];
  timeline.push([
    e.incident?.startedAt ?? e.startedAt,
    `triage snapshot started${e.incident?.collectedBy ? ` by ${e.incident.collectedBy}` : ""}${e.incident?.runId ? ` (run ${e.incident.runId})` : ""}`,
  ]);
  if (e.errorLogs?.first) timeline.push([e.errorLogs.first, "oldest error line in the captured logs"]);
  if (e.errorLogs?.last && e.errorLogs.last !== e.errorLogs.first)
    timeline.push([e.errorLogs.last, "newest error line in the captured logs"]);
  if (e.healthz)
    timeline.push([
      e.healthz.capturedAt,
      `/healthz: ${e.healthz.httpStatus ?? `no answer (${e.healthz.error})`}`,
    ]);
  if (r) timeline.push([r.capturedAt, `/readyz: ${readyLine}`]);
  if (e.metrics)
    timeline.push([
      e.metrics.capturedAt,
      m
        ? `/metrics: error rate ${pct(m.errorRate)} (${m.serverErrors} of ${m.calls} tRPC calls), p95 ${m.p95Ms === null ? "n/a" : `${m.p95Ms.toFixed(1)} ms`}`
        : `/metrics: not available (${e.metrics.error})`,
    ]);
  if (e.locks) timeline.push([e.locks.capturedAt, `PostgreSQL: ${e.locks.waiting.length} lock(s) waiting`]);
  if (e.classification)
    timeline.push([
      e.classification.classifiedAt,
      `classified ${e.classification.severity} (${e.classification.name})`,
    ]);
  const index = e.files.find((f) => f.file === "index.md");
  if (index) timeline.push([index.modifiedAt, "triage snapshot finished (index.md written)"]);
  timeline.sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]));

  const tbwRow = "| _to be written_ | _owner_ | _due date_ | open |";
  return [
    `# Post-mortem: ${o.title}`,
    "",
    `- Incident folder: \`${e.name}\` (${e.incident?.env ?? "?"}${e.incident?.appUrl ? `, ${e.incident.appUrl}` : ""})`,
    `- Severity: ${o.level ? `**${o.level.id}** (${o.level.name})${o.severitySource ? `, ${o.severitySource}` : ""}` : `${TBW} (no classification.json in the folder; classify-severity writes one)`}`,
    `- Post-mortem due: ${o.level ? `${o.level.postMortem}${due ? ` of the incident start: by **${due}**` : ""}` : `${TBW} (a P0 post-mortem is due ${SEVERITIES.P0.postMortem})`}`,
    "- Incident commander: _to be written_",
    "- Status: draft",
    "",
    "## Summary",
    "",
    TBW,
    "",
    "## Impact",
    "",
    "Measured when the snapshot was taken (counters are cumulative since the instance started, for the instance that answered):",
    "",
    `- Readiness: ${readyLine}`,
    `- Health: ${e.healthz ? (e.healthz.httpStatus ?? `no answer (${e.healthz.error})`) : "not captured"}`,
    m
      ? `- Error rate: ${pct(m.errorRate)} (${m.serverErrors} server errors in ${m.calls} tRPC calls; SLO ${pct(SLO.errorRate)})`
      : `- Error rate: not captured${e.metrics?.error ? ` (${e.metrics.error})` : ""}`,
    m
      ? `- p95 latency: ${m.p95Ms === null ? "no calls" : `${m.p95Ms.toFixed(1)} ms`} (SLO ${SLO.latencyP95Ms} ms)`
      : "- p95 latency: not captured",
    m
      ? `- PostgreSQL pool: ${m.pool.total} of ${m.pool.max} connections${m.pool.usage === null ? "" : ` (${Math.round(m.pool.usage * 100)}%)`}, ${m.pool.waiting} callers waiting`
      : "- PostgreSQL pool: not captured",
    m ? `- redis_up: ${m.redisUp ?? "not reported"}` : "- redis_up: not captured",
    `- Waiting locks: ${e.locks ? e.locks.waiting.length : "not captured"}; statements running: ${e.slowQueries ? e.slowQueries.queries.length : "not captured"}${e.slowQueries?.queries[0] ? ` (longest ${e.slowQueries.queries[0].seconds} s)` : ""}`,
    `- Error log lines kept: ${e.errorLogs ? e.errorLogs.lines : "no log file was given"}`,
    ...(e.classification?.facts.affectedShare !== undefined
      ? [
          `- Learners affected (as estimated at classification): ${pct(e.classification.facts.affectedShare)}, workaround: ${e.classification.facts.workaround ? "yes" : "no"}`,
        ]
      : []),
    "",
    `Learners affected, duration of the impact, data lost or exposed: ${TBW}`,
    "",
    "## Timeline (UTC)",
    "",
    "From the captured evidence:",
    "",
    ...timeline.map(([at, what]) => `- ${at.replace(/\.\d+Z$/, "Z")}: ${what}`),
    "",
    `Start of impact, detection, escalations, mitigation, resolution: ${TBW}`,
    "",
    "## Root cause",
    "",
    TBW,
    "",
    "## What went well",
    "",
    TBW,
    "",
    "## What went wrong",
    "",
    TBW,
    "",
    "## Action items",
    "",
    `${TBW} Every item needs one owner and a due date.`,
    "",
    "| Action | Owner | Due date | Status |",
    "| --- | --- | --- | --- |",
    tbwRow,
    "",
    "## Follow-ups",
    "",
    `${TBW} (runbooks and documentation to update, alerts to add or tune, who to inform)`,
    "",
    "## Evidence",
    "",
    ...e.files.map((f) => `- \`${f.file}\` (${f.bytes} bytes, ${f.modifiedAt.replace(/\.\d+Z$/, "Z")})`),
    "",
  ].join("\n");
}
