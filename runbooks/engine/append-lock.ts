import { randomUUID } from "node:crypto";
import { link, open, readFile, rename, rm, stat } from "node:fs/promises";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { processAlive } from "../lib/process.ts";
import { PRIVATE_FILE } from "./private-files.ts";

// A short exclusive lock between processes on one host (the console and any number of CLIs share
// the data directory): held for the few milliseconds an append to the audit ledger takes, so two
// writers never read the same chain head and fork the chain. The pattern of lock.ts: the lock is
// a file created with O_EXCL holding the holder's pid; a holder that died (kill -9 mid-append) is
// detected by its pid and its lock taken over. No npm dependency: the holders are on this host,
// so the pid says exactly whether one is alive (proper-lockfile guesses from the file's age).

interface Holder {
  pid: number;
  host: string;
  token: string;
  since: string;
}

export class FileLockTimeout extends Error {
  constructor(file: string, holder: Holder | null, waitedMs: number) {
    super(
      `${file} has been held for more than ${Math.round(waitedMs / 1000)} s` +
        (holder ? ` by pid ${holder.pid} on ${holder.host} (since ${holder.since})` : "") +
        `: if that process hangs, stop it; if no process holds it, remove ${file}`,
    );
    this.name = "FileLockTimeout";
  }
}

async function readHolder(file: string): Promise<{ text: string; holder: Holder | null } | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    return { text, holder: JSON.parse(text) as Holder };
  } catch {
    // Created but not yet written (the holder is between open and write), or cut short by a crash.
    return { text, holder: null };
  }
}

/**
 * Moves a dead holder's lock aside, then checks it moved the lock it judged (same text, which has a
 * random token): if another process took the stale lock over first and made a fresh one, that one
 * is put back (link fails rather than overwrite a third).
 */
async function takeOver(file: string, staleText: string): Promise<void> {
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = await readFile(aside, "utf8").catch(() => staleText);
  if (moved !== staleText) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

/** Runs `work` while holding the lock `file`; waits for a live holder up to `timeoutMs`. */
export async function withFileLock<T>(
  file: string,
  work: () => Promise<T>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const mine: Holder = { pid: process.pid, host: os.hostname(), token: randomUUID(), since: "" };
  const started = Date.now();
  let pause = 1;
  for (;;) {
    try {
      const handle = await open(file, "wx", PRIVATE_FILE);
      try {
        await handle.writeFile(JSON.stringify({ ...mine, since: new Date().toISOString() }));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const held = await readHolder(file);
    if (!held) continue;
    if (held.holder && held.holder.host === os.hostname() && !processAlive(held.holder.pid)) {
      await takeOver(file, held.text);
      continue;
    }
    if (!held.holder) {
      // Empty for more than a few seconds: its writer died between creating and writing it.
      const age = await stat(file).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 5_000) {
        await takeOver(file, held.text);
        continue;
      }
    }
    if (Date.now() - started > timeoutMs) throw new FileLockTimeout(file, held.holder, Date.now() - started);
    await sleep(pause);
    pause = Math.min(pause * 2, 25);
  }
  try {
    return await work();
  } finally {
    const held = await readHolder(file);
    if (held?.holder?.token === mine.token) await rm(file, { force: true });
  }
}
