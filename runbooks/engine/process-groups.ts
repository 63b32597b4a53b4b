import { readdirSync, readFileSync } from "node:fs";

// The process groups a run's steps started (each ctx.$ command is the leader of its own group, so
// stopping it stops everything it started). The engine keeps the list for the whole process: a
// step that is stopped waits until its groups are gone, and the CLI and the console, when they
// shut down, stop whatever is left and wait until it is gone before they exit.

const tracked = new Set<number>();

export function trackGroup(pgid: number): void {
  tracked.add(pgid);
}

/** Groups started by this process's steps that may still be running. */
export function trackedGroups(): number[] {
  return [...tracked].filter((pgid) => groupAlive(pgid) || (tracked.delete(pgid) && false));
}

/**
 * True while any process of the group exists and is not a zombie. Signal 0 to the group says
 * whether it has members; on Linux /proc tells zombies (exited, not yet reaped by a parent that
 * may never reap them) from running processes.
 */
export function groupAlive(pgid: number | null | undefined): boolean {
  if (!pgid || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    // No /proc (not Linux): the signal's answer is all there is.
    return true;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // "pid (comm) S ppid pgrp ...": fields after the last ")".
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") return true;
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}

/** This process's own process group (Linux), or null where /proc does not say. */
export function ownProcessGroup(): number | null {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
    return Number.isInteger(pgrp) && pgrp > 0 ? pgrp : null;
  } catch {
    return null;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone, which is the goal.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM to each group, SIGKILL after `graceMs` to whatever is left, then waits until every
 * group is gone (up to `killWaitMs` more). Resolves with the groups still running at the end
 * (none, unless a process is stuck in the kernel or belongs to another user).
 */
export async function stopGroups(
  pgids: Iterable<number>,
  options: { graceMs?: number; killWaitMs?: number } = {},
): Promise<number[]> {
  const { graceMs = 2_000, killWaitMs = 3_000 } = options;
  let alive = [...new Set(pgids)].filter(groupAlive);
  for (const pgid of alive) signalGroup(pgid, "SIGTERM");
  const until = (deadline: number) => async () => {
    while (alive.length > 0 && Date.now() < deadline) {
      await sleep(50);
      alive = alive.filter(groupAlive);
    }
  };
  await until(Date.now() + graceMs)();
  for (const pgid of alive) signalGroup(pgid, "SIGKILL");
  await until(Date.now() + killWaitMs)();
  alive = alive.filter(groupAlive);
  for (const pgid of tracked) if (!alive.includes(pgid) && !groupAlive(pgid)) tracked.delete(pgid);
  return alive;
}

/** Every group this process's steps started that is still running: stopped, and waited for. */
export function stopAllGroups(options?: { graceMs?: number; killWaitMs?: number }): Promise<number[]> {
  return stopGroups(trackedGroups(), options);
}

/** SIGKILL to every tracked group at once, synchronously: for an exit that cannot wait. */
export function killAllGroupsNow(): void {
  for (const pgid of tracked) signalGroup(pgid, "SIGKILL");
}
