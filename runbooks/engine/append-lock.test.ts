import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileLockTimeout, withFileLock } from "./append-lock.ts";

// The ledger's append lock between processes: a holder that was killed (kill -9 between taking
// the lock and releasing it) does not block the ledger, its lock is taken over; a live holder is
// waited for, and after the timeout the error names it.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-append-lock-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A real process that has exited: its pid is nobody's now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid ?? 0;
}

describe("the append lock", () => {
  it("takes over the lock of a holder that was killed", async () => {
    const file = path.join(dir, "killed.lock");
    const pid = await deadPid();
    await writeFile(
      file,
      JSON.stringify({ pid, host: os.hostname(), token: "killed", since: "2026-12-07T00:00:00.000Z" }),
    );
    const seen = await withFileLock(file, async () => JSON.parse(await readFile(file, "utf8")).pid);
    expect(seen).toBe(process.pid);
    await expect(readFile(file, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("waits for a live holder, then names it when it holds on past the timeout", async () => {
    const file = path.join(dir, "live.lock");
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const order: string[] = [];
    const holder = withFileLock(file, async () => {
      entered();
      await released;
      order.push("holder");
    });
    await holding;
    const error = await withFileLock(file, async () => "never", { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileLockTimeout);
    expect((error as Error).message).toContain(`by pid ${process.pid} on ${os.hostname()}`);
    const waiter = withFileLock(file, async () => {
      order.push("waiter");
    });
    // Give the waiter every chance to (wrongly) get in while the holder still holds the lock.
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    await holder;
    await waiter;
    expect(order).toEqual(["holder", "waiter"]);
  });
});
