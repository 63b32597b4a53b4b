import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunEvent, RunStatus, StepStatus } from "./events.ts";

// Every run is appended to the audit log (one JSON line per run), and its events and step
// results are kept per run so a failed run can be resumed and the console can show history.

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
  await appendFile(auditLogFile(dir), `${JSON.stringify(record)}\n`);
}

export async function readAudit(dir: string): Promise<AuditRecord[]> {
  try {
    const text = await readFile(auditLogFile(dir), "utf8");
    return text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditRecord);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

export async function appendRunEvent(dir: string, event: RunEvent): Promise<void> {
  await mkdir(runDir(dir), { recursive: true });
  await appendFile(path.join(runDir(dir), `${event.runId}.events.jsonl`), `${JSON.stringify(event)}\n`);
}

export async function readRunEvents(dir: string, runId: string): Promise<RunEvent[]> {
  const text = await readFile(path.join(runDir(dir), `${safeId(runId)}.events.jsonl`), "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunEvent);
}

export async function saveRunState(dir: string, state: RunState): Promise<void> {
  await mkdir(runDir(dir), { recursive: true });
  // Owner-only: step results kept for --resume can hold sensitive values (e.g. password hashes a
  // restore re-applies); secrets the engine knows of are already masked.
  await writeFile(path.join(runDir(dir), `${state.runId}.state.json`), JSON.stringify(state, null, 2), {
    mode: 0o600,
  });
}

export async function loadRunState(dir: string, runId: string): Promise<RunState> {
  try {
    return JSON.parse(
      await readFile(path.join(runDir(dir), `${safeId(runId)}.state.json`), "utf8"),
    ) as RunState;
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
