import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRunEvents } from "./audit.ts";
import { loadRunbook } from "./catalog.ts";
import type { RunEvent } from "./events.ts";
import { runRunbook } from "./run.ts";

// A run's stored log reads in the order its events happened, however fast a step prints (the
// history showed output out of order when appends raced each other).

const FIXTURE = fileURLToPath(new URL("./fixtures/demo/chatty-demo.ts", import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-run-order-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the stored run log", () => {
  it("keeps every event in the order it was emitted", async () => {
    const emitted: RunEvent[] = [];
    const runbook = await loadRunbook(FIXTURE);
    await runRunbook(runbook, {
      env: "dev",
      params: { lines: 3_000 },
      confirm: true,
      actor: "tester",
      emit: (event) => emitted.push(event),
      dataDir: dir,
      processEnv: {
        ...process.env,
        RUNBOOK_DATA_DIR: dir,
        SSP_DEV_DATABASE_URL: "postgres://ops@127.0.0.1:5432/nowhere",
        SSP_DEV_REDIS_URL: "",
        SSP_DEV_STACK_FILE: path.join(dir, "no-stack.json"),
      },
    });
    const runId = emitted[0]?.runId ?? "";
    const stored = await readRunEvents(dir, runId);
    const describe = (e: RunEvent) => (e.type === "output" ? e.line : e.type);
    expect(stored.map(describe)).toEqual(emitted.map(describe));
    const lines = stored.filter((e) => e.type === "output").map((e) => (e.type === "output" ? e.line : ""));
    expect(lines).toEqual(Array.from({ length: 3_000 }, (_, i) => `line ${i}`));
  });
});
