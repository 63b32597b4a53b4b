import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunEvent, RunStatus, StepStatus } from "./events.ts";
import { readVersioned, versioned } from "./formats.ts";

// Every run is appended to the audit log (one JSON line per run), and its events and step
// results are kept per run so a failed run can be resumed and the console can show history.
// Each line and file carries its format version (`v`, see formats.ts); readers migrate or refuse.

export interface AuditRecord {
  runId: string;
  runbook: string;
  env: string;
  actor: string;
  commit: string;
  params: Record<string, unknown>;
  plan: boolean;
  resumedFrom: string | null;
  startedAt: string;
  endedAt: string;
  status: RunStatus;
  steps: Array<{ id: string; status: StepStatus; durationMs: number; error?: string }>;
}

export interface RunState {
  runId: string;
  runbook: string;
  env: string;
  params: Record<string, unknown>;
  /** Values returned by steps that finished ok, by step id (JSON-serialisable). */
  results: Record<string, unknown>;
  failedStep: string | null;
  status: RunStatus;
}

export const auditLogFile = (dir: string) => path.join(dir, "audit.jsonl");
const runDir = (dir: string) => path.join(dir, "runs");

/** The folder of one run's declared artifacts. */
export function runArtifactsPath(dir: string, runId: string): string {
  return path.join(runDir(dir), `${safeId(runId)}.artifacts`);
}

export async function appendAudit(dir: string, record: AuditRecord): Promise<void> {
  await mkdir(dir, { recursive: true });
  await appendFile(auditLogFile(dir), `${JSON.stringify(versioned("audit", record))}\n`);
}

export async function readAudit(dir: string): Promise<AuditRecord[]> {
  const file = auditLogFile(dir);
  try {
    return readLines<AuditRecord>("audit", file, await readFile(file, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

export async function appendRunEvent(dir: string, event: RunEvent): Promise<void> {
  await mkdir(runDir(dir), { recursive: true });
  await appendFile(
    path.join(runDir(dir), `${event.runId}.events.jsonl`),
    `${JSON.stringify(versioned("run-events", event))}\n`,
  );
}

export async function readRunEvents(dir: string, runId: string): Promise<RunEvent[]> {
  const file = path.join(runDir(dir), `${safeId(runId)}.events.jsonl`);
  return readLines<RunEvent>("run-events", file, await readFile(file, "utf8"));
}

/** One record per line; each line is versioned on its own, so appends by older and newer code mix. */
function readLines<T>(kind: "audit" | "run-events", file: string, text: string): T[] {
  return text.split("\n").flatMap((line, index) => {
    if (!line) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`${file} line ${index + 1} is not JSON; move the file aside or remove the line`);
    }
    return [readVersioned<T>(kind, file, parsed, ` line ${index + 1}`)];
  });
}

export async function saveRunState(dir: string, state: RunState): Promise<void> {
  await mkdir(runDir(dir), { recursive: true });
  // Owner-only: step results kept for --resume can hold sensitive values (e.g. password hashes a
  // restore re-applies); secrets the engine knows of are already masked.
  await writeFile(
    path.join(runDir(dir), `${state.runId}.state.json`),
    JSON.stringify(versioned("run-state", state), null, 2),
    { mode: 0o600 },
  );
}

export async function loadRunState(dir: string, runId: string): Promise<RunState> {
  const file = path.join(runDir(dir), `${safeId(runId)}.state.json`);
  try {
    return readVersioned<RunState>("run-state", file, JSON.parse(await readFile(file, "utf8")));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new Error(`no run "${runId}" to resume in ${runDir(dir)}`);
    throw error;
  }
}

function safeId(runId: string): string {
  if (!/^[\w-]{1,80}$/.test(runId)) throw new Error(`"${runId}" is not a run id`);
  return runId;
}
