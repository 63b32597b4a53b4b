import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { readVersioned, versioned } from "./formats.ts";
import { PRIVATE_DIR, PRIVATE_FILE } from "./private-files.ts";

// Runbooks and environments switched off for a while (maintenance, an incident freeze), with the
// reason. `npm run runbook -- disable <id|env:name> --reason "…" [--for 2h]` writes it, `enable`
// removes it; runRunbook reads it before a run starts, so the CLI and the console refuse alike,
// with the reason. One small versioned file in the runbook data directory (formats.ts).

export interface Disablement {
  /** A runbook id, or `env:<name>` for a whole environment. */
  target: string;
  reason: string;
  by: string;
  at: string;
  /** When it lapses on its own (ISO time); null: until `enable`. */
  until: string | null;
}

interface DisabledFile {
  entries: Disablement[];
}

export const disabledFile = (dir: string) => path.join(dir, "disabled.json");

/** The disablements in force at `now` (lapsed ones left out). */
export async function readDisabled(dir: string, now = Date.now()): Promise<Disablement[]> {
  const file = disabledFile(dir);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON; fix it or move it aside (it lists disabled runbooks)`);
  }
  const { entries } = readVersioned<DisabledFile>("disabled", file, parsed);
  return (entries ?? []).filter((entry) => entry.until === null || Date.parse(entry.until) > now);
}

async function writeDisabled(dir: string, entries: Disablement[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  const file = disabledFile(dir);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(versioned("disabled", { entries }), null, 2)}\n`, {
    mode: PRIVATE_FILE,
  });
  await rename(temporary, file);
}

/** Disables `target` (replacing an earlier disablement of it). */
export async function disable(
  dir: string,
  entry: Omit<Disablement, "at" | "until">,
  forMs: number | null,
  now = Date.now(),
): Promise<Disablement> {
  const record: Disablement = {
    ...entry,
    at: new Date(now).toISOString(),
    until: forMs === null ? null : new Date(now + forMs).toISOString(),
  };
  const others = (await readDisabled(dir, now)).filter((e) => e.target !== entry.target);
  await writeDisabled(dir, [...others, record]);
  return record;
}

/** Enables `target` again; false when it was not disabled. */
export async function enable(dir: string, target: string): Promise<boolean> {
  const current = await readDisabled(dir);
  const left = current.filter((e) => e.target !== target);
  if (left.length === current.length) return false;
  await writeDisabled(dir, left);
  return true;
}

/** Why a run of `runbook` in `env` is refused, or null when neither is disabled. */
export function disabledReason(entries: readonly Disablement[], runbook: string, env: string): string | null {
  const hit =
    entries.find((e) => e.target === runbook) ?? entries.find((e) => e.target === `env:${env}`) ?? null;
  if (!hit) return null;
  const what = hit.target.startsWith("env:")
    ? `environment "${hit.target.slice(4)}"`
    : `runbook "${hit.target}"`;
  const until = hit.until ? ` until ${hit.until}` : "";
  return `${what} is disabled${until} by ${hit.by} since ${hit.at}: ${hit.reason}. To run it anyway, enable it first: npm run runbook -- enable ${hit.target}`;
}

/** "90m", "2h", "1d", "30s" → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`--for takes a duration such as 30m, 2h or 1d, not "${text}"`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
  return Math.round(Number(match[1]) * unit);
}
