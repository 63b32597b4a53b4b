import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { type ArtifactComparison, compareArtifact } from "./artifact-diff.ts";
import { type AuditRecord, loadRunState, readAudit, readRunEvents, runArtifactsPath } from "./audit.ts";
import type { ArtifactDeclaration } from "./define.ts";
import { type EventOf, RUN_ID_PATTERN, type RunEvent, type StepStatus } from "./events.ts";
import { RunRefused } from "./run.ts";
import type { TableCell, TableData } from "./table.ts";

// Two recorded runs side by side (`npm run runbook -- diff <runA> <runB>`, the page's "compare
// with previous"): parameters, step statuses and durations, the tables steps emitted, the values
// they returned, and the artifacts they left, each marked same / changed / only in one. Read from
// what every run already leaves: its audit line, its events file, its state file and its
// artifacts folder. A is the earlier run (the reference), B the later one.

/** A run of a different runbook is compared with a warning, not refused: see DIFFERENT_RUNBOOKS. */
export const DIFFERENT_RUNBOOKS =
  "the runs are of different runbooks: steps, tables and results are matched by id and title, so most show as only in one run";

/** A step takes this many times longer (or shorter), and at least MIN_DURATION_CHANGE_MS, before its duration is marked changed. */
export const DURATION_CHANGE_FACTOR = 2;
export const MIN_DURATION_CHANGE_MS = 100;

export type Change = "same" | "changed" | "only-a" | "only-b";

export interface RunSide {
  runId: string;
  runbook: string;
  title: string;
  env: string;
  actor: string;
  commit: string;
  plan: boolean;
  resumedFrom: string | null;
  status: AuditRecord["status"];
  startedAt: string;
  durationMs: number;
  failedStep: string | null;
}

export interface ValueDiff {
  name: string;
  a: unknown;
  b: unknown;
  change: Change;
}

export interface StepSide {
  status: StepStatus;
  durationMs: number;
  error?: string;
}

export interface StepDiff {
  id: string;
  title: string;
  a: StepSide | null;
  b: StepSide | null;
  /** The status changed, or the step ran in one run only. */
  change: Change;
  /** B's duration minus A's, when the step ran in both. */
  durationDeltaMs: number | null;
  /** The duration changed by DURATION_CHANGE_FACTOR or more (and MIN_DURATION_CHANGE_MS). */
  durationChanged: boolean;
}

export interface RowDiff {
  /** The row's first cell: the key rows are matched by. */
  key: string;
  a: Record<string, TableCell> | null;
  b: Record<string, TableCell> | null;
  change: Change;
  /** Keys of the columns whose cells differ, when the row is in both. */
  changedColumns: string[];
}

export interface TableDiff {
  step: string;
  title: string;
  columns: TableData["columns"];
  rows: RowDiff[];
  change: Change;
}

export interface ArtifactDiff {
  name: string;
  title: string;
  a: { file: string; bytes: number; sha256: string } | null;
  b: { file: string; bytes: number; sha256: string } | null;
  change: Change;
  /** What the artifact's viewer knows how to compare (a load-test summary's measures, a text's lines). */
  comparison?: ArtifactComparison;
}

export interface RunDiff {
  a: RunSide;
  b: RunSide;
  warnings: string[];
  params: ValueDiff[];
  steps: StepDiff[];
  tables: TableDiff[];
  /** Values returned by steps that finished ok, by step id. */
  results: ValueDiff[];
  artifacts: ArtifactDiff[];
  /** True when anything but durations differs. */
  changed: boolean;
}

/** What is read of one run. */
export interface LoadedRun {
  record: AuditRecord;
  events: RunEvent[];
  results: Record<string, unknown>;
  artifacts: Array<{
    name: string;
    title: string;
    file: string;
    text: string;
    viewer?: ArtifactDeclaration["viewer"];
  }>;
}

/** Reads one recorded run; a bad or unknown id, or a run still going, is refused with the reason. */
export async function loadRun(
  dir: string,
  runId: string,
  declarationsOf: (runbook: string) => readonly ArtifactDeclaration[] = () => [],
): Promise<LoadedRun> {
  if (!RUN_ID_PATTERN.test(runId))
    throw new RunRefused(
      `"${runId}" is not a run id (letters, digits, _ and -; npm run runbook -- history lists them)`,
      "unknown-run",
    );
  const record = (await readAudit(dir)).find((r) => r.runId === runId);
  const events = await readRunEvents(dir, runId).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as RunEvent[];
    throw error;
  });
  if (!record)
    throw new RunRefused(
      events.length > 0
        ? `run ${runId} has not finished (it has events but no line in the audit log yet); compare it once it ends`
        : `no run "${runId}" in the audit log of ${dir}; npm run runbook -- history lists the runs`,
      "unknown-run",
    );
  // A state file is written at the end of every run; a run recorded before that existed has none.
  const results = await loadRunState(dir, runId).then(
    (state) => state.results,
    () => ({}),
  );
  return {
    record,
    events,
    results,
    artifacts: await readArtifacts(dir, record, declarationsOf(record.runbook)),
  };
}

/** Longest artifact read whole for comparing; bigger ones are compared by hash only. */
const MAX_ARTIFACT_TEXT = 4 * 1024 * 1024;

async function readArtifacts(
  dir: string,
  record: AuditRecord,
  declarations: readonly ArtifactDeclaration[],
): Promise<LoadedRun["artifacts"]> {
  const folder = runArtifactsPath(dir, record.runId);
  const files = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const found: LoadedRun["artifacts"] = [];
  for (const entry of files) {
    if (!entry.isFile()) continue;
    // The declaration's file name with this run's parameters, as the console serves it.
    const declaration = declarations.find(
      (d) =>
        d.file.replace(/\{(\w+)\}/g, (_, param: string) => String(record.params[param] ?? "")) === entry.name,
    );
    const file = path.join(folder, entry.name);
    const buffer = await readFile(file);
    found.push({
      name: declaration?.name ?? entry.name,
      title: declaration?.title ?? entry.name,
      file,
      text: buffer.length <= MAX_ARTIFACT_TEXT ? buffer.toString("utf8") : "",
      ...(declaration?.viewer ? { viewer: declaration.viewer } : {}),
    });
  }
  return found.sort((x, y) => x.name.localeCompare(y.name));
}

function side(run: LoadedRun): RunSide {
  const { record } = run;
  const start = run.events.find((e): e is EventOf<"run-start"> => e.type === "run-start");
  const end = run.events.find((e): e is EventOf<"run-end"> => e.type === "run-end");
  return {
    runId: record.runId,
    runbook: record.runbook,
    title: start?.title ?? record.runbook,
    env: record.env,
    actor: record.actor,
    commit: record.commit,
    plan: record.plan,
    resumedFrom: record.resumedFrom,
    status: record.status,
    startedAt: record.startedAt,
    durationMs: end?.durationMs ?? Math.max(0, Date.parse(record.endedAt) - Date.parse(record.startedAt)),
    failedStep:
      end?.failedStep ?? record.steps.find((s) => s.status !== "ok" && s.status !== "skipped")?.id ?? null,
  };
}

/** JSON with sorted keys: two values are the same when this is. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)),
        )
      : v,
  );
}

function changeOf(a: unknown, b: unknown): Change {
  if (a === undefined) return "only-b";
  if (b === undefined) return "only-a";
  return canonical(a) === canonical(b) ? "same" : "changed";
}

/** Names from both, in A's order, then B's new ones. */
function union(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])];
}

function valueDiffs(a: Record<string, unknown>, b: Record<string, unknown>): ValueDiff[] {
  return union(Object.keys(a), Object.keys(b)).map((name) => ({
    name,
    a: a[name],
    b: b[name],
    change: changeOf(a[name], b[name]),
  }));
}

function stepDiffs(a: LoadedRun, b: LoadedRun): StepDiff[] {
  const titles = new Map<string, string>();
  for (const run of [a, b])
    for (const e of run.events)
      if (e.type === "run-start") for (const s of e.steps) titles.set(s.id, s.title);
  const byId = (run: LoadedRun) => new Map(run.record.steps.map((s) => [s.id, s]));
  const stepsA = byId(a);
  const stepsB = byId(b);
  return union(stepsA.keys(), stepsB.keys()).map((id) => {
    const x = stepsA.get(id);
    const y = stepsB.get(id);
    const sideOf = (s: typeof x): StepSide | null =>
      s ? { status: s.status, durationMs: s.durationMs, ...(s.error ? { error: s.error } : {}) } : null;
    const delta = x && y ? y.durationMs - x.durationMs : null;
    const slow =
      x && y ? Math.max(x.durationMs, y.durationMs) / Math.max(1, Math.min(x.durationMs, y.durationMs)) : 1;
    return {
      id,
      title: titles.get(id) ?? id,
      a: sideOf(x),
      b: sideOf(y),
      change: !x ? "only-b" : !y ? "only-a" : x.status === y.status ? "same" : "changed",
      durationDeltaMs: delta,
      durationChanged:
        delta !== null && Math.abs(delta) >= MIN_DURATION_CHANGE_MS && slow >= DURATION_CHANGE_FACTOR,
    };
  });
}

function tablesOf(run: LoadedRun): Map<string, EventOf<"table">> {
  const tables = new Map<string, EventOf<"table">>();
  for (const e of run.events) {
    if (e.type !== "table") continue;
    // A step may emit tables of the same title more than once: the second is "<title> (2)".
    let key = `${e.step}\0${e.title}`;
    for (let n = 2; tables.has(key); n++) key = `${e.step}\0${e.title} (${n})`;
    tables.set(key, e);
  }
  return tables;
}

/** Rows are matched by their first cell; when that repeats within a table, by the whole row. */
function rowDiffs(
  a: TableData | undefined,
  b: TableData | undefined,
  columns: TableData["columns"],
): RowDiff[] {
  const first = columns[0]?.key ?? "";
  const keyed = (table: TableData | undefined) => {
    const rows = table?.rows ?? [];
    const keys = rows.map((row) => String(row[first] ?? ""));
    const unique = new Set(keys).size === keys.length;
    return new Map(rows.map((row, i) => [unique ? (keys[i] as string) : canonical(row), row]));
  };
  const rowsA = keyed(a);
  const rowsB = keyed(b);
  return union(rowsA.keys(), rowsB.keys()).map((key) => {
    const x = rowsA.get(key) ?? null;
    const y = rowsB.get(key) ?? null;
    const changedColumns =
      x && y
        ? columns.filter((c) => canonical(x[c.key] ?? null) !== canonical(y[c.key] ?? null)).map((c) => c.key)
        : [];
    return {
      key: String((x ?? y)?.[first] ?? key),
      a: x,
      b: y,
      change: !x ? "only-b" : !y ? "only-a" : changedColumns.length > 0 ? "changed" : "same",
      changedColumns,
    };
  });
}

function tableDiffs(a: LoadedRun, b: LoadedRun): TableDiff[] {
  const tablesA = tablesOf(a);
  const tablesB = tablesOf(b);
  return union(tablesA.keys(), tablesB.keys()).map((key) => {
    const x = tablesA.get(key);
    const y = tablesB.get(key);
    const columns = [...(x?.columns ?? [])];
    for (const c of y?.columns ?? []) if (!columns.some((k) => k.key === c.key)) columns.push(c);
    const rows = rowDiffs(x, y, columns);
    const [step = "", title = ""] = key.split("\0");
    return {
      step,
      title,
      columns,
      rows,
      change: !x ? "only-b" : !y ? "only-a" : rows.some((r) => r.change !== "same") ? "changed" : "same",
    };
  });
}

function artifactDiffs(a: LoadedRun, b: LoadedRun): ArtifactDiff[] {
  const byName = (run: LoadedRun) => new Map(run.artifacts.map((x) => [x.name, x]));
  const artifactsA = byName(a);
  const artifactsB = byName(b);
  const summary = (x: LoadedRun["artifacts"][number] | undefined) =>
    x
      ? {
          file: path.basename(x.file),
          bytes: Buffer.byteLength(x.text),
          sha256: createHash("sha256").update(x.text).digest("hex"),
        }
      : null;
  return union(artifactsA.keys(), artifactsB.keys()).map((name) => {
    const x = artifactsA.get(name);
    const y = artifactsB.get(name);
    const sa = summary(x);
    const sb = summary(y);
    const comparison =
      x && y ? compareArtifact(x.viewer, x.text, y.text, `run ${a.record.runId}`) : undefined;
    return {
      name,
      title: (x ?? y)?.title ?? name,
      a: sa,
      b: sb,
      change: !sa ? "only-b" : !sb ? "only-a" : sa.sha256 === sb.sha256 ? "same" : "changed",
      ...(comparison ? { comparison } : {}),
    };
  });
}

/** The difference between two loaded runs. */
export function diffRuns(a: LoadedRun, b: LoadedRun): RunDiff {
  const warnings: string[] = [];
  if (a.record.runbook !== b.record.runbook)
    warnings.push(`${DIFFERENT_RUNBOOKS} (${a.record.runbook} and ${b.record.runbook})`);
  if (a.record.env !== b.record.env)
    warnings.push(`the runs are in different environments (${a.record.env} and ${b.record.env})`);
  if (a.record.plan !== b.record.plan)
    warnings.push(`one run is a plan (nothing changed) and the other is not: outputs differ by design`);
  const params = valueDiffs(a.record.params, b.record.params);
  const steps = stepDiffs(a, b);
  const tables = tableDiffs(a, b);
  const results = valueDiffs(a.results, b.results);
  const artifacts = artifactDiffs(a, b);
  const changed =
    a.record.status !== b.record.status ||
    [params, steps, tables, results, artifacts].some((list) => list.some((item) => item.change !== "same"));
  return { a: side(a), b: side(b), warnings, params, steps, tables, results, artifacts, changed };
}

/** Reads both runs and compares them. */
export async function diffRecordedRuns(
  dir: string,
  runA: string,
  runB: string,
  declarationsOf?: (runbook: string) => readonly ArtifactDeclaration[],
): Promise<RunDiff> {
  if (runA === runB)
    throw new RunRefused(`both sides are run ${runA}: name two different runs`, "diff-same-run");
  const a = await loadRun(dir, runA, declarationsOf);
  const b = await loadRun(dir, runB, declarationsOf);
  return diffRuns(a, b);
}

/**
 * The run recorded before `runId` of the same runbook in the same environment (plans compared with
 * plans, runs with runs): what "compare with previous" compares with.
 */
export async function previousRun(dir: string, runId: string): Promise<string> {
  if (!RUN_ID_PATTERN.test(runId)) throw new RunRefused(`"${runId}" is not a run id`, "unknown-run");
  const records = await readAudit(dir);
  const index = records.findIndex((r) => r.runId === runId);
  const record = records[index];
  if (!record)
    throw new RunRefused(
      `no run "${runId}" in the audit log of ${dir}; npm run runbook -- history lists the runs`,
      "unknown-run",
    );
  const earlier = records
    .slice(0, index)
    .reverse()
    .find((r) => r.runbook === record.runbook && r.env === record.env && r.plan === record.plan);
  if (!earlier)
    throw new RunRefused(
      `run ${runId} is the first ${record.plan ? "plan" : "run"} of ${record.runbook} in ${record.env}: there is no previous one to compare with`,
      "no-previous-run",
    );
  return earlier.runId;
}
