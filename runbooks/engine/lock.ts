import { mkdir, open, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { processAlive } from "../lib/process.ts";
import { FormatError, readVersioned, versioned } from "./formats.ts";

// One change or destructive run per environment at a time, across the CLI and the console (both
// run on the operator's host and share the data directory). A lock left by a process that died
// is taken over.

export interface LockHolder {
  runId: string;
  runbook: string;
  actor: string;
  pid: number;
  since: string;
}

export class LockedError extends Error {
  readonly holder: LockHolder;
  constructor(env: string, holder: LockHolder) {
    super(
      `environment "${env}" is locked by run ${holder.runId} (${holder.runbook}, by ${holder.actor}, pid ${holder.pid}, since ${holder.since}); wait for it to finish or cancel it`,
    );
    this.name = "LockedError";
    this.holder = holder;
  }
}

function lockFile(dir: string, env: string): string {
  return path.join(dir, "locks", `${env}.lock`);
}

export async function acquireLock(
  dir: string,
  env: string,
  holder: LockHolder,
): Promise<() => Promise<void>> {
  const file = lockFile(dir, env);
  await mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, "wx");
      await handle.writeFile(JSON.stringify(versioned("lock", holder)));
      await handle.close();
      return async () => {
        const current = await readHolder(file);
        if (current?.runId === holder.runId) await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const current = await readHolder(file);
      if (current && processAlive(current.pid)) throw new LockedError(env, current);
      // The holder is gone (crashed or killed): the lock is stale.
      await rm(file, { force: true });
    }
  }
  const current = await readHolder(file);
  throw current ? new LockedError(env, current) : new Error(`could not take the lock ${file}`);
}

export async function currentLock(dir: string, env: string): Promise<LockHolder | null> {
  const holder = await readHolder(lockFile(dir, env));
  return holder && processAlive(holder.pid) ? holder : null;
}

async function readHolder(file: string): Promise<LockHolder | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch {
    // Missing, or half-written by a process that died mid-write: no usable holder.
    return null;
  }
  // A lock of a newer format is refused (FormatError), not taken over: its holder may be alive.
  try {
    return readVersioned<LockHolder>("lock", file, parsed);
  } catch (error) {
    if (error instanceof FormatError) throw error;
    return null;
  }
}
