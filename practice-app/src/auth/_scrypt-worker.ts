import { scryptSync } from "node:crypto";
import { readlinkSync } from "node:fs";
import os from "node:os";
import { workerData } from "piscina";

// Runs in a password-hashing worker thread (passwords.ts). scryptSync, not scrypt: the async form
// would hand the work to libuv's thread pool, which runs at the process's priority; this thread is
// the one lowered below.

lowerThisThreadsPriority((workerData as { nice?: number } | undefined)?.nice ?? 0);

/**
 * On Linux a thread has its own nice value, and setpriority() on a thread id changes that thread
 * only; /proc/thread-self names this thread ("<pid>/task/<tid>"). Done here rather than with
 * Piscina's niceIncrement, which needs a native addon and ignores a failure silently.
 */
function lowerThisThreadsPriority(increment: number): void {
  if (increment <= 0) return;
  let tid: number;
  try {
    tid = Number(readlinkSync("/proc/thread-self").split("/").at(-1));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    process.emitWarning(
      "password hashing runs at the app's CPU priority: /proc/thread-self is missing (not Linux), so PASSWORD_HASH_NICE has no effect",
    );
    return;
  }
  os.setPriority(tid, Math.min(19, os.getPriority(tid) + increment));
}

export interface ScryptTask {
  password: string;
  salt: Uint8Array;
  keyLength: number;
  logN: number;
  r: number;
  p: number;
}

export default function derive(task: ScryptTask): Uint8Array {
  return scryptSync(task.password.normalize("NFC"), task.salt, task.keyLength, {
    N: 2 ** task.logN,
    r: task.r,
    p: task.p,
    // scrypt needs 128 * N * r bytes; allow that plus headroom, or Node refuses the cost.
    maxmem: 128 * 2 ** task.logN * task.r + 16 * 1024 * 1024,
  });
}
