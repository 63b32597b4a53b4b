import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import os from "node:os";
import { BoundedWork } from "./bounded-work.ts";

// Password hashing with scrypt from node:crypto (no native addon to rebuild per Node version).
// Stored as: scrypt$<log2 N>$<r>$<p>$<salt base64url>$<hash base64url>, so the cost can be raised
// later and old hashes still verify.

const KEY_LENGTH = 32;
const SALT_BYTES = 16;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

/** libuv's thread pool (4 unless UV_THREADPOOL_SIZE says otherwise); scrypt leaves one thread for fs and DNS. */
const THREAD_POOL = Number(process.env.UV_THREADPOOL_SIZE) || 4;
let hashing = new BoundedWork({
  concurrency: Math.max(1, Math.min(os.availableParallelism(), THREAD_POOL - 1)),
  maxWaiting: 32,
});

/** How many hashes may wait for a thread before more are refused with WorkQueueFull (the app's PASSWORD_HASH_QUEUE_MAX). */
export function limitPasswordHashQueue(maxWaiting: number): void {
  hashing = new BoundedWork({
    concurrency: Math.max(1, Math.min(os.availableParallelism(), THREAD_POOL - 1)),
    maxWaiting,
  });
}

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  return hashing.run(() => deriveNow(password, salt, logN, r, p));
}

function deriveNow(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** logN,
    r,
    p,
    // scrypt needs 128 * N * r bytes; allow that plus headroom, or Node refuses the cost.
    maxmem: 128 * 2 ** logN * r + 16 * 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
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
