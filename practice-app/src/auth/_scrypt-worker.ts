import { scryptSync } from "node:crypto";

// Runs in a password-hashing worker thread (passwords.ts). scryptSync, not scrypt: the async form
// would hand the work to libuv's thread pool, which runs at the process's priority; this thread is
// the one the pool lowered.

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
