import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { WorkQueueFull } from "./bounded-work.ts";
import {
  configurePasswordHashing,
  DEFAULT_PASSWORD_HASHING,
  hashPassword,
  PASSWORD_HASH_THREADS,
  passwordHashingNice,
  verifyPassword,
} from "./passwords.ts";

// Hashing runs on worker threads below the app's CPU priority (scaling-guide/application.mdx, "Log-ins
// cost CPU"): a log-in wave takes the CPU practice does not need instead of half of it.

/** Each thread of this process: its name and nice value (field 19 of /proc/<pid>/task/<tid>/stat). */
function threads(): { tid: string; nice: number }[] {
  return readdirSync("/proc/self/task").flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return [{ tid, nice: Number(fields[16]) }];
    } catch {
      return []; // the thread ended while we read
    }
  });
}

afterAll(() => configurePasswordHashing(DEFAULT_PASSWORD_HASHING));

describe("password hashing", () => {
  it("verifies the password it hashed and refuses another", async () => {
    const stored = await hashPassword("correct horse", 14);
    expect(stored).toMatch(/^scrypt\$14\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("correct hors", stored)).toBe(false);
  });

  it("hashes on threads whose CPU priority is lower than the process's by the configured nice", async () => {
    await configurePasswordHashing({ maxWaiting: 32, nice: 7 });
    expect(passwordHashingNice()).toBe(7);
    const own = Number(readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ")[16]);
    const before = new Set(threads().map((t) => t.tid));
    // About half a second of scrypt: long enough to find the thread doing it.
    const hashing = hashPassword("a wave of log-ins", 17);
    let lowered: { tid: string; nice: number }[] = [];
    for (let i = 0; i < 100 && lowered.length === 0; i++) {
      lowered = threads().filter((t) => !before.has(t.tid) && t.nice === Math.min(19, own + 7));
      if (lowered.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await hashing;
    expect(lowered.length, "a new thread at the process's nice + 7").toBeGreaterThan(0);
    expect(threads().find((t) => t.tid === String(process.pid))?.nice).toBe(own);
  });

  it("refuses a hash at once when every thread is busy and the queue is full", async () => {
    await configurePasswordHashing({ maxWaiting: 0, nice: 10 });
    const attempts = Array.from({ length: PASSWORD_HASH_THREADS + 1 }, () =>
      hashPassword("one too many", 15),
    );
    const results = await Promise.allSettled(attempts);
    const refused = results.filter((r) => r.status === "rejected");
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WorkQueueFull);
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(PASSWORD_HASH_THREADS);
  });
});
