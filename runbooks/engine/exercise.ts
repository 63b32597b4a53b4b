import { EXERCISE_POLICY, EXERCISE_REQUIREMENTS, type ExerciseRequirement } from "../../policy/exercise.ts";
import type { AuditRecord } from "./audit.ts";

// When each procedure last ran successfully, per environment, and whether that is recent enough
// for policy/exercise.ts. Pure: the caller passes the audit log's runs and the clock, so the CLI
// (`exercised`), the console's page script (the browser's clock) and the site's build (CI's
// record) compute the same table, and tests move the clock instead of waiting. It imports nothing
// of Node: the page bundles it through console/protocol.ts.

/** The last successful run of one runbook in one environment. */
export interface ExerciseRun {
  runbook: string;
  env: string;
  /** When it ended (ISO 8601). */
  at: string;
  runId: string;
  actor: string;
}

/**
 * fresh: exercised within its interval (or, without a requirement, exercised at all);
 * stale: its last success is older than the interval; never: no successful run recorded.
 */
export type ExerciseState = "fresh" | "stale" | "never";

export interface ExerciseRow {
  runbook: string;
  /** null: a runbook with no requirement and no run anywhere (one row says "never"). */
  env: string | null;
  /** The policy's requirement for this environment; null when there is none. */
  requirement: Pick<ExerciseRequirement, "cadence" | "everyDays"> | null;
  last: ExerciseRun | null;
  /** Whole days since the last success; null when never. */
  ageDays: number | null;
  /** When the requirement falls due again (ISO 8601); null without a requirement. A never-run requirement is due now. */
  dueAt: string | null;
  state: ExerciseState;
}

const DAY_MS = 86_400_000;

/**
 * Whether an audit record exercised its runbook: it ended ok, it applied (a plan changes nothing,
 * so it proves nothing), and it ran the whole procedure: every step the runbook has, or the rest
 * of a failed run it resumed. `steps` is the runbook's step ids now; undefined when the runbook is
 * not known here (then a successful applied run counts).
 */
export function exercisedBy(
  record: Pick<AuditRecord, "status" | "plan" | "resumedFrom" | "steps">,
  steps?: readonly string[],
): boolean {
  if (record.status !== "ok" || record.plan) return false;
  if (!steps || record.resumedFrom) return true;
  const ran = new Set(record.steps.filter((s) => s.status === "ok").map((s) => s.id));
  return steps.every((id) => ran.has(id));
}

/** The latest run that exercised each runbook in each environment, from the audit log's runs. */
export function lastExercised(
  records: readonly AuditRecord[],
  stepsOf: (runbook: string) => readonly string[] | undefined = () => undefined,
): ExerciseRun[] {
  const latest = new Map<string, ExerciseRun>();
  for (const record of records) {
    if (!exercisedBy(record, stepsOf(record.runbook))) continue;
    const key = `${record.runbook}\0${record.env}`;
    const seen = latest.get(key);
    if (seen && seen.at >= record.endedAt) continue;
    latest.set(key, {
      runbook: record.runbook,
      env: record.env,
      at: record.endedAt,
      runId: record.runId,
      actor: record.actor,
    });
  }
  return [...latest.values()].sort(
    (a, b) => a.runbook.localeCompare(b.runbook) || a.env.localeCompare(b.env),
  );
}

/** The requirement of a runbook in an environment, or null. */
export function requirementOf(runbook: string, env: string): ExerciseRow["requirement"] {
  const requirement = (EXERCISE_POLICY as Record<string, Omit<ExerciseRequirement, "id">>)[runbook];
  if (!requirement || !(requirement.environments as readonly string[]).includes(env)) return null;
  return { cadence: requirement.cadence, everyDays: requirement.everyDays };
}

/** One row: the state of `runbook` in `env` at `now`, from its last success (or none). */
export function exerciseRow(
  runbook: string,
  env: string | null,
  last: ExerciseRun | null,
  now: Date,
): ExerciseRow {
  const requirement = env === null ? null : requirementOf(runbook, env);
  const ageDays = last ? Math.max(0, Math.floor((now.getTime() - Date.parse(last.at)) / DAY_MS)) : null;
  const dueMs = requirement
    ? last
      ? Date.parse(last.at) + requirement.everyDays * DAY_MS
      : now.getTime()
    : null;
  const state: ExerciseState = !last ? "never" : dueMs !== null && now.getTime() > dueMs ? "stale" : "fresh";
  return {
    runbook,
    env,
    requirement,
    last,
    ageDays,
    dueAt: dueMs === null ? null : new Date(dueMs).toISOString(),
    state,
  };
}

/**
 * The table: for each runbook, a row per environment it is required in or has run in (only `env`
 * when given). A runbook with neither gets one row that says "never". Runs after `now` are left
 * out, so the table can be asked "as of" a past date.
 */
export function exerciseTable(options: {
  runbooks: readonly string[];
  lastRuns: readonly ExerciseRun[];
  now: Date;
  env?: string;
}): ExerciseRow[] {
  const { runbooks, now, env } = options;
  const lastRuns = options.lastRuns.filter((run) => Date.parse(run.at) <= now.getTime());
  const rows: ExerciseRow[] = [];
  for (const runbook of [...runbooks].sort()) {
    const runs = lastRuns.filter((run) => run.runbook === runbook);
    const required = EXERCISE_REQUIREMENTS.find((r) => r.id === runbook)?.environments ?? [];
    const envs = env ? [env] : [...new Set<string>([...required, ...runs.map((run) => run.env)])];
    if (envs.length === 0) rows.push(exerciseRow(runbook, null, null, now));
    for (const name of envs)
      rows.push(exerciseRow(runbook, name, runs.find((run) => run.env === name) ?? null, now));
  }
  return rows;
}

/** Rows whose requirement is not met: overdue, or never done. The nightly job pages on these. */
export function overdue(rows: readonly ExerciseRow[]): ExerciseRow[] {
  return rows.filter((row) => row.requirement !== null && row.state !== "fresh");
}

/** The row in words, the same on the terminal and the page: "last ran 2026-11-30 (7 days ago)…". */
export function describeRow(row: ExerciseRow): string {
  const last = row.last
    ? `last ran ${row.last.at.slice(0, 10)} (${row.ageDays === 0 ? "today" : row.ageDays === 1 ? "1 day ago" : `${row.ageDays} days ago`}) by ${row.last.actor}`
    : "never exercised";
  if (!row.requirement) return last;
  const due = row.dueAt?.slice(0, 10);
  const when =
    row.state === "fresh"
      ? `due again ${due}`
      : row.state === "stale"
        ? `overdue since ${due}`
        : "overdue: never done";
  return `${last}; required ${row.requirement.cadence} (every ${row.requirement.everyDays} days), ${when}`;
}

/**
 * What the exit code of `npm run runbook -- exercised` means; the codes are cli.ts's EXIT (ok,
 * failed, refused: a test holds them equal), named here for the page that renders this table.
 */
export const EXERCISED_EXIT = {
  ok: { code: 0, meaning: "every required drill ran successfully within its interval" },
  overdue: {
    code: 1,
    meaning: "a required drill is overdue or was never done: the table says which (the nightly job pages)",
  },
  refused: {
    code: 2,
    meaning: "a bad --env or --as-of: nothing was judged; the refusal is written to the audit log",
  },
} as const;

// The record CI keeps of its runs, which a static build of the handbook reads (exercise-record/).

export const EXERCISE_RECORD_VERSION = 1;

/** What `npm run runbook -- exercised --json` prints, and the file CI keeps per environment. */
export interface ExerciseRecord {
  v: typeof EXERCISE_RECORD_VERSION;
  kind: "exercise-record";
  /** When the table was computed. */
  asOf: string;
  /** The environment it was limited to (--env), or null for all. */
  env: string | null;
  rows: ExerciseRow[];
}

export function exerciseRecord(rows: ExerciseRow[], now: Date, env: string | null): ExerciseRecord {
  return { v: EXERCISE_RECORD_VERSION, kind: "exercise-record", asOf: now.toISOString(), env, rows };
}

/** Reads a record, naming the file and the problem when it is not one this code understands. */
export function parseExerciseRecord(text: string, file: string): ExerciseRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON; it should hold the output of npm run runbook -- exercised --json`);
  }
  const record = parsed as Partial<ExerciseRecord> | null;
  if (!record || typeof record !== "object" || record.kind !== "exercise-record")
    throw new Error(`${file} is not an exercise record (kind "exercise-record" missing)`);
  if (record.v !== EXERCISE_RECORD_VERSION)
    throw new Error(
      `${file} is an exercise record of version ${String(record.v)}; this handbook reads version ${EXERCISE_RECORD_VERSION}`,
    );
  if (!Array.isArray(record.rows) || typeof record.asOf !== "string")
    throw new Error(`${file}: an exercise record needs "asOf" and "rows"`);
  for (const [index, row] of record.rows.entries()) {
    const last = (row as Partial<ExerciseRow>).last;
    if (typeof row?.runbook !== "string") throw new Error(`${file}: row ${index + 1} has no runbook id`);
    if (last !== null && (typeof last?.at !== "string" || Number.isNaN(Date.parse(last.at))))
      throw new Error(`${file}: row ${index + 1} (${row.runbook}) has a last run without a valid "at"`);
  }
  return record as ExerciseRecord;
}

/** The last runs several records hold (one per environment, usually), the newest per runbook and environment. */
export function lastRunsOf(records: readonly ExerciseRecord[]): ExerciseRun[] {
  const latest = new Map<string, ExerciseRun>();
  for (const row of records.flatMap((record) => record.rows)) {
    if (!row.last) continue;
    const key = `${row.last.runbook}\0${row.last.env}`;
    const seen = latest.get(key);
    if (!seen || seen.at < row.last.at) latest.set(key, row.last);
  }
  return [...latest.values()];
}
