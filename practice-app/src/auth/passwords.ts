import { randomBytes, timingSafeEqual } from "node:crypto";
import os from "node:os";
import { Piscina } from "piscina";
import type { ScryptTask } from "./_scrypt-worker.ts";
import { BoundedWork } from "./bounded-work.ts";
import { DEFAULT_PASSWORD_HASHING, type PasswordHashing } from "./password-hashing-settings.ts";

export { DEFAULT_PASSWORD_HASHING, type PasswordHashing };

// Password hashing with scrypt from node:crypto (no native addon to rebuild per Node version).
// Stored as: scrypt$<log2 N>$<r>$<p>$<salt base64url>$<hash base64url>, so the cost can be raised
// later and old hashes still verify.
//
// A hash costs about 0.6 s of a core. On libuv's thread pool it ran at the event loop's priority:
// two log-ins at once took both cores of a 2-core host, and every practice call waited behind
// them (the breakpoint measurement's p95 spikes). The hashes run on worker threads with a lowered
// CPU priority (nice), so they take the CPU the app does not need; when it needs all of it, log-ins
// wait in the bounded queue and past it get 503 with Retry-After, and practice keeps its latency.

const KEY_LENGTH = 32;
const SALT_BYTES = 16;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

// One core is left to the event loop, PostgreSQL and the proxy: scrypt is memory-hard (128 MiB per
// hash at the default cost), and two at once on a 2-core host slowed practice more than their CPU.
export const PASSWORD_HASH_THREADS = Math.max(1, os.availableParallelism() - 1);
const THREADS = PASSWORD_HASH_THREADS;
let settings: PasswordHashing = { ...DEFAULT_PASSWORD_HASHING };
let admission = new BoundedWork({ concurrency: THREADS, maxWaiting: settings.maxWaiting });
let workers: Piscina<ScryptTask, Uint8Array> | null = null;

function pool(): Piscina<ScryptTask, Uint8Array> {
  // Created on first use, so a process that never hashes starts no thread; idle threads are
  // unref'd by Piscina and do not keep a process alive.
  workers ??= new Piscina<ScryptTask, Uint8Array>({
    filename: new URL("./_scrypt-worker.ts", import.meta.url).href,
    minThreads: 1,
    maxThreads: THREADS,
    idleTimeout: 30_000,
    workerData: { nice: settings.nice },
  });
  return workers;
}

/** Sets the queue bound and the threads' priority (the app's PASSWORD_HASH_QUEUE_MAX and PASSWORD_HASH_NICE). */
export async function configurePasswordHashing(next: PasswordHashing): Promise<void> {
  settings = { ...next };
  admission = new BoundedWork({ concurrency: THREADS, maxWaiting: next.maxWaiting });
  const old = workers;
  workers = null;
  await old?.destroy();
}

/** Hashes running on a hashing thread and waiting for one, for the password_hashing metric. */
export function passwordHashing(): { running: number; waiting: number } {
  const { active, waiting } = admission.pending;
  return { running: active, waiting };
}

/** The hashing threads' nice increment in force (what /proc shows for them). */
export function passwordHashingNice(): number {
  return settings.nice;
}

async function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const key = await admission.run(() =>
    pool().run({ password, salt, keyLength: KEY_LENGTH, logN, r, p } satisfies ScryptTask),
  );
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength);
}

export async function hashPassword(password: string, logN: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, logN, BLOCK_SIZE, PARALLELISM);
  return [
    "scrypt",
    logN,
    BLOCK_SIZE,
    PARALLELISM,
    salt.toString("base64url"),
    key.toString("base64url"),
  ].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt")
    throw new Error("stored password hash has an unknown format");
  const [, logN, r, p, salt, expected] = parts as [string, string, string, string, string, string];
  const expectedKey = Buffer.from(expected, "base64url");
  const key = await derive(password, Buffer.from(salt, "base64url"), Number(logN), Number(r), Number(p));
  return key.length === expectedKey.length && timingSafeEqual(key, expectedKey);
}

/** A hash of a random password, verified against when an email is unknown so timing does not tell. */
export function dummyHash(logN: number): Promise<string> {
  return hashPassword(randomBytes(16).toString("hex"), logN);
}
