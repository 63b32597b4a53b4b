import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ApprovalRecord } from "./approvals.ts";
import { RUN_ID_PATTERN, type RunEvent, type RunStatus, type StepStatus } from "./events.ts";
import { readVersioned, versioned } from "./formats.ts";
import { appendLedger, readLedgerLines } from "./ledger.ts";
import { PRIVATE_DIR, PRIVATE_FILE } from "./private-files.ts";

// Every run is appended to the audit log (one JSON line per run, kind "run"), and so is every
// refused attempt (kind "refusal": who, what, why), from the console and the CLI. Each run's
// events and step results are kept per run so a failed run can be resumed and the console can
// show history. Each line and file carries its format version (`v`, see formats.ts); readers
// migrate or refuse. Every file is created 0600 and every folder 0700 (private-files.ts).
// The log is a hash chain with signed checkpoints, rotated by size (ledger.ts): appends go through
// it, and reads take every file in order, leaving out the chain's own fields and checkpoints.

export interface AuditRecord {
  runId: string;
  runbook: string;
  env: string;
  actor: string;
  commit: string;
  params: Record<string, unknown>;
  plan: boolean;
  resumedFrom: string | null;
  /** The environment's settings given as secret references: variable → the reference's text, never its value. */
  references?: Record<string, string>;
  /** Run as an emergency (--emergency, or the page's Emergency box): a change the error-budget freeze let through on an approval receipt. */
  emergency?: true;
  startedAt: string;
  endedAt: string;
  status: RunStatus;
  steps: Array<{ id: string; status: StepStatus; durationMs: number; error?: string }>;
}

/**
 * A refused attempt. `count` is 1 for a refusal written as it happened; a summary line (`summary`)
 * stands for `count` further refusals of the same rule from the same place within one interval,
 * between `firstAt` and `lastAt` (see RefusalRecorder), so a flood costs a few lines, not the disk.
 */
export interface RefusalRecord {
  kind: "refusal";
  at: string;
  /** Which door refused it. */
  source: "console" | "cli";
  /** Who tried: the remote address for the console, user@host (pid) for the CLI. */
  who: string;
  /** What was asked: the request (method and path) or the command, with the runbook and environment when known. */
  what: string;
  /** A short stable name of the rule that refused it (host, origin, session, params, lock-held…). */
  rule: string;
  /** Why, as the refusal said it (masked). */
  reason: string;
  count: number;
  summary?: true;
  firstAt?: string;
  lastAt?: string;
}

/** A line of the audit log: a run, a refusal, or an approval's planning, signing or use (approvals.ts). */
export type AuditEntry = ({ kind: "run" } & AuditRecord) | RefusalRecord | ApprovalRecord;

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
  await appendAuditEntries(dir, [{ kind: "run", ...record }]);
}

/** Appends entries of any kind to the audit log, in order, each chained to the one before (ledger.ts). */
export async function appendAuditEntries(dir: string, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await appendLedger(dir, entries);
}

/** The runs in the audit log, oldest first (refusals left out: the run history shows runs only). */
export async function readAudit(dir: string): Promise<AuditRecord[]> {
  return (await readAuditEntries(dir)).flatMap((entry) => {
    if (entry.kind !== "run") return [];
    const { kind: _kind, ...record } = entry;
    return [record];
  });
}

/** Every entry of the audit log (all its files), runs and refusals, oldest first; checkpoints left out. */
export async function readAuditEntries(dir: string): Promise<AuditEntry[]> {
  return (await readLedgerLines(dir)).flatMap(({ file, line, text }) => {
    const entry = readLine<AuditEntry | { kind: "checkpoint" }>("audit", file, text, line - 1);
    if (entry.kind === "checkpoint") return [];
    // The chain's fields are the ledger's (audit verify checks them), not the entry's.
    const { seq: _seq, prev: _prev, ...rest } = entry as AuditEntry & { seq?: number; prev?: string };
    return [rest as AuditEntry];
  });
}

/** A refusal as reported: the recorder adds the time and the count. */
export type Refusal = Pick<RefusalRecord, "source" | "who" | "what" | "rule" | "reason">;

/** Longest text kept in a refusal's fields: an attacker's path or header must not fill the disk either. */
const MAX_FIELD = 300;
const cut = (text: string) => (text.length > MAX_FIELD ? `${text.slice(0, MAX_FIELD)}… [cut]` : text);

/**
 * Writes refusals to the audit log without letting a flood fill the disk. The first refusal of a
 * rule from one place (source, who, rule) in an interval is written at once, in full; the rest of
 * that interval are counted and written as one summary line when the interval ends ("412 more
 * refusals like this from 127.0.0.1 in the last minute"), or at close. At most `maxKeys` distinct
 * (who, rule) pairs are kept per interval; beyond them every refusal shares one overflow key, so
 * the lines per interval stay bounded however the attempts vary. Nothing goes unrecorded: the
 * counts of the lines add up to the refusals.
 */
export class RefusalRecorder {
  private readonly dir: string;
  private readonly intervalMs: number;
  private readonly maxKeys: number;
  private readonly mask: (text: string) => string;
  private window = new Map<string, { first: Refusal; more: number; firstAt: string; lastAt: string }>();
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    dir: string,
    options: { intervalMs?: number; maxKeys?: number; mask?: (text: string) => string } = {},
  ) {
    this.dir = dir;
    this.intervalMs = options.intervalMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 100;
    this.mask = options.mask ?? ((text) => text);
  }

  record(raw: Refusal): void {
    const refusal: Refusal = {
      ...raw,
      who: cut(this.mask(raw.who)),
      what: cut(this.mask(raw.what)),
      reason: cut(this.mask(raw.reason)),
    };
    const at = new Date().toISOString();
    let key = `${refusal.source}\0${refusal.who}\0${refusal.rule}`;
    if (!this.window.has(key) && this.window.size >= this.maxKeys) key = `${refusal.source}\0*`;
    const seen = this.window.get(key);
    if (seen) {
      seen.more += 1;
      seen.lastAt = at;
      return;
    }
    this.window.set(key, { first: refusal, more: 0, firstAt: at, lastAt: at });
    this.write([{ kind: "refusal", at, ...refusal, count: 1 }]);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  /** Writes the summaries of the interval so far and starts a new one; resolves once all is on disk. */
  flush(): Promise<void> {
    const window = this.window;
    this.window = new Map();
    const minutes = this.intervalMs / 60_000;
    const span = minutes === 1 ? "the last minute" : `the last ${Number(minutes.toFixed(2))} minutes`;
    const summaries: AuditEntry[] = [...window.entries()]
      .filter(([, seen]) => seen.more > 0)
      .map(([key, seen]) => ({
        kind: "refusal",
        at: seen.lastAt,
        ...seen.first,
        ...(key.endsWith("\0*") ? { rule: "*", what: "(requests of every kind)" } : {}),
        reason: `${seen.more} more refusal${seen.more > 1 ? "s" : ""} like this from ${key.endsWith("\0*") ? "more places than are listed one by one" : seen.first.who} in ${span} (first: ${seen.first.reason})`,
        count: seen.more,
        summary: true,
        firstAt: seen.firstAt,
        lastAt: seen.lastAt,
      }));
    this.write(summaries);
    return this.writing;
  }

  /** Flushes and stops the interval timer. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private write(entries: AuditEntry[]): void {
    // One append at a time, in order; a failed write is reported on stderr and does not stop the next.
    this.writing = this.writing
      .then(() => appendAuditEntries(this.dir, entries))
      .catch((error: unknown) => {
        process.stderr.write(
          `could not write ${entries.length} refusal(s) to ${auditLogFile(this.dir)}: ${error instanceof Error ? error.message : String(error)}\n`,
        );
      });
  }
}

/** One refusal, written now (the CLI: one attempt per process, nothing to fold). */
export async function appendRefusal(dir: string, refusal: Refusal): Promise<void> {
  await appendAuditEntries(dir, [
    {
      kind: "refusal",
      at: new Date().toISOString(),
      ...refusal,
      what: cut(refusal.what),
      reason: cut(refusal.reason),
      count: 1,
    },
  ]);
}

export async function appendRunEvent(dir: string, event: RunEvent): Promise<void> {
  await mkdir(runDir(dir), { recursive: true, mode: PRIVATE_DIR });
  await appendFile(
    path.join(runDir(dir), `${event.runId}.events.jsonl`),
    `${JSON.stringify(versioned("run-events", event))}\n`,
    { mode: PRIVATE_FILE },
  );
}

export async function readRunEvents(dir: string, runId: string): Promise<RunEvent[]> {
  const file = path.join(runDir(dir), `${safeId(runId)}.events.jsonl`);
  return readLines<RunEvent>("run-events", file, await readFile(file, "utf8"));
}

/** One record per line; each line is versioned on its own, so appends by older and newer code mix. */
function readLines<T>(kind: "audit" | "run-events", file: string, text: string): T[] {
  return text.split("\n").flatMap((line, index) => (line ? [readLine<T>(kind, file, line, index)] : []));
}

function readLine<T>(kind: "audit" | "run-events", file: string, line: string, index: number): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`${file} line ${index + 1} is not JSON; move the file aside or remove the line`);
  }
  return readVersioned<T>(kind, file, parsed, ` line ${index + 1}`);
}

export async function saveRunState(dir: string, state: RunState): Promise<void> {
  await mkdir(runDir(dir), { recursive: true, mode: PRIVATE_DIR });
  // Owner-only: step results kept for --resume can hold sensitive values (e.g. password hashes a
  // restore re-applies); secrets the engine knows of are already masked.
  await writeFile(
    path.join(runDir(dir), `${state.runId}.state.json`),
    JSON.stringify(versioned("run-state", state), null, 2),
    { mode: PRIVATE_FILE },
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
  if (!RUN_ID_PATTERN.test(runId)) throw new Error(`"${runId}" is not a run id`);
  return runId;
}
