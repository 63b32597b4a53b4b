import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { mkdir, open, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { processAlive } from "../lib/process.ts";
import { FormatError, readVersioned, versioned } from "./formats.ts";
import { PRIVATE_DIR, PRIVATE_FILE } from "./private-files.ts";
import { groupAlive, ownProcessGroup } from "./process-groups.ts";

// One change or destructive run per database at a time, across the CLI and the console (both run
// on the operator's host and share the data directory). The lock is keyed by the database's
// identity (host, port, name), so two environment names that point at one database share one lock.
// It records the holder's pid, its process group, and the process group of every command its
// steps started: a lock is stale, and taken over, only when all of them are gone. A CLI killed
// with kill -9 leaves its step's detached child running; that child keeps the lock.

export interface LockHolder {
  runId: string;
  runbook: string;
  actor: string;
  pid: number;
  since: string;
}

/** The lock as stored (format version 2). */
export interface LockRecord extends LockHolder {
  /** The environment the holder runs in (null: a version 1 lock, named after it). */
  env: string | null;
  /** host:port/name of the database (null: a version 1 lock). */
  database: string | null;
  /** The holder's process group (null where /proc does not say). */
  pgid: number | null;
  /** Process groups the holder's steps started. */
  groups: number[];
}

/** What a lock is taken on: the environment and its database. */
export interface LockTarget {
  env: string;
  databaseUrl: string;
}

export class LockedError extends Error {
  readonly holder: LockRecord;
  constructor(target: LockTarget, holder: LockRecord) {
    const running = [holder.pid, ...holder.groups].filter(Boolean);
    super(
      `environment "${target.env}" is locked by run ${holder.runId} (${holder.runbook}, by ${holder.actor}, pid ${holder.pid}, since ${holder.since}` +
        `${holder.env && holder.env !== target.env ? `, in environment "${holder.env}" on the same database ${holder.database}` : ""}` +
        `${processAlive(holder.pid) ? "" : `; its process died but the processes it started still run: process groups ${running.slice(1).join(", ")}`}); wait for it to finish or cancel it`,
    );
    this.name = "LockedError";
    this.holder = holder;
  }
}

/** host:port/name, the same whatever the user, password or spelling of the loopback address. */
export function databaseIdentity(databaseUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return null;
  }
  let host = (url.searchParams.get("host") ?? url.hostname).toLowerCase().replace(/^\[|\]$/g, "");
  if (host === "" || host === "localhost" || host === "::1" || host.startsWith("127.")) host = "127.0.0.1";
  const port = url.searchParams.get("port") ?? (url.port || "5432");
  const name = decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username);
  return `${host}:${port}/${name}`;
}

function lockFile(dir: string, target: LockTarget): { file: string; database: string | null } {
  const database = databaseIdentity(target.databaseUrl);
  const key = database
    ? `db-${createHash("sha256").update(database).digest("hex").slice(0, 16)}`
    : `env-${target.env}`;
  return { file: path.join(dir, "locks", `${key}.lock`), database };
}

/** Version 1 locks were named after the environment; a live one (an older checkout's run) is honoured. */
const legacyLockFile = (dir: string, env: string) => path.join(dir, "locks", `${env}.lock`);

/** Alive while the holder, any group its steps started, or its own group (when it leads it) runs. */
export function lockAlive(holder: LockRecord): boolean {
  if (processAlive(holder.pid)) return true;
  if (holder.groups.some(groupAlive)) return true;
  return holder.pgid !== null && holder.pgid === holder.pid && groupAlive(holder.pgid);
}

export type Release = (() => Promise<void>) & {
  /** Records a process group a step started (synchronously: a kill -9 may follow at once). */
  addGroup(pgid: number): void;
};

export async function acquireLock(dir: string, target: LockTarget, holder: LockHolder): Promise<Release> {
  const { file, database } = lockFile(dir, target);
  await mkdir(path.dirname(file), { recursive: true, mode: PRIVATE_DIR });
  const legacy = await readHolder(legacyLockFile(dir, target.env));
  if (legacy && lockAlive(legacy)) throw new LockedError(target, legacy);
  if (legacy) await rm(legacyLockFile(dir, target.env), { force: true });
  const record: LockRecord = {
    ...holder,
    env: target.env,
    database,
    pgid: ownProcessGroup(),
    groups: [],
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, "wx", PRIVATE_FILE);
      await handle.writeFile(JSON.stringify(versioned("lock", record)));
      await handle.close();
      const release = async () => {
        const current = await readHolder(file);
        if (current?.runId === holder.runId) await rm(file, { force: true });
      };
      return Object.assign(release, {
        addGroup(pgid: number) {
          let current: LockRecord | null;
          try {
            current = readVersioned<LockRecord>("lock", file, JSON.parse(readFileSync(file, "utf8")));
          } catch {
            current = null;
          }
          if (current?.runId !== holder.runId || current.groups.includes(pgid)) return;
          const next = { ...current, groups: [...current.groups, pgid] };
          // Replace in one step (rename), so a reader never sees half a lock.
          writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(versioned("lock", next)), {
            mode: PRIVATE_FILE,
          });
          renameSync(`${file}.${process.pid}.tmp`, file);
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const current = await readHolder(file);
      if (current && lockAlive(current)) throw new LockedError(target, current);
      // The holder and everything it started are gone (crashed or killed): the lock is stale.
      await rm(file, { force: true });
    }
  }
  const current = await readHolder(file);
  throw current ? new LockedError(target, current) : new Error(`could not take the lock ${file}`);
}

export async function currentLock(dir: string, target: LockTarget): Promise<LockRecord | null> {
  const holder = await readHolder(lockFile(dir, target).file);
  return holder && lockAlive(holder) ? holder : null;
}

async function readHolder(file: string): Promise<LockRecord | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch {
    // Missing, or half-written by a process that died mid-write: no usable holder.
    return null;
  }
  // A lock of a newer format is refused (FormatError), not taken over: its holder may be alive.
  try {
    return readVersioned<LockRecord>("lock", file, parsed);
  } catch (error) {
    if (error instanceof FormatError) throw error;
    return null;
  }
}
