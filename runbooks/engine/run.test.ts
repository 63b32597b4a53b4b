import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processAlive } from "../lib/process.ts";
import { readAudit } from "./audit.ts";
import { loadRunbooks } from "./catalog.ts";
import type { Runbook } from "./define.ts";
import type { RunEvent } from "./events.ts";
import { waitForPids } from "./fixtures/pids.ts";
import { acquireLock } from "./lock.ts";
import { type RunOptions, runRunbook } from "./run.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const PASSWORD = "s3cret-db-password";
let dir: string;
let runbooks: Map<string, Runbook>;
const processEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  RUNBOOK_DATA_DIR: dir,
  SSP_DEV_DATABASE_URL: `postgres://ops:${PASSWORD}@127.0.0.1:5432/nowhere`,
  SSP_DEV_REDIS_URL: "",
  SSP_DEV_STACK_FILE: path.join(dir, "no-stack.json"),
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-runbooks-"));
  runbooks = await loadRunbooks(FIXTURES);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function get(id: string): Runbook {
  const runbook = runbooks.get(id);
  if (!runbook) throw new Error(`fixture ${id} missing`);
  return runbook;
}

async function run(id: string, options: Partial<RunOptions> = {}) {
  const events: RunEvent[] = [];
  const result = await runRunbook(get(id), {
    env: "dev",
    confirm: true,
    emit: (event) => events.push(event),
    dataDir: dir,
    processEnv: processEnv(),
    ...options,
  });
  return {
    result,
    events,
    output: events.filter((e) => e.type === "output").map((e) => (e as { line: string }).line),
  };
}

function statuses(events: RunEvent[]): Record<string, string> {
  return Object.fromEntries(
    events
      .filter((e) => e.type === "step-end")
      .map((e) => [(e as { step: string }).step, (e as { status: string }).status]),
  );
}

describe("running a runbook", () => {
  it("runs the steps in order, hands values on, emits the events and writes the audit log", async () => {
    const marker = path.join(dir, "marker-1");
    const { result, events, output } = await run("steps-demo", { params: { start: "21", marker } });
    expect(result.status).toBe("ok");
    // "second" prints nothing, so it has no output event.
    expect(events.map((e) => e.type)).toEqual([
      "run-start",
      ...["step-start", "output", "step-end"],
      ...["step-start", "step-end"],
      ...["step-start", "output", "step-end"],
      "run-end",
    ]);
    expect(output).toEqual(["start=21", "result=42"]);
    expect(readFileSync(marker, "utf8")).toBe("42");
    const audit = (await readAudit(dir)).find((r) => r.runId === result.runId);
    expect(audit).toMatchObject({ runbook: "steps-demo", env: "dev", status: "ok", params: { start: 21 } });
    expect(audit?.steps.map((s) => s.status)).toEqual(["ok", "ok", "ok"]);
    expect(audit?.commit).toMatch(/^[0-9a-f]{12}$|^unknown$/);
  });

  it("stops at a failed step, and resume continues from it with the earlier results", async () => {
    const block = path.join(dir, "block");
    const marker = path.join(dir, "marker-2");
    await writeFile(block, "");
    const failed = await run("steps-demo", { params: { start: "5", failWhileExists: block, marker } });
    expect(failed.result).toMatchObject({ status: "failed", failedStep: "second" });
    expect(statuses(failed.events)).toEqual({ first: "ok", second: "failed" });
    expect(existsSync(marker)).toBe(false);

    await rm(block);
    const resumed = await run("steps-demo", { resume: failed.result.runId });
    expect(resumed.result.status).toBe("ok");
    expect(statuses(resumed.events)).toEqual({ second: "ok", third: "ok" });
    expect(resumed.output).toEqual(["result=10"]);
    expect(resumed.events[0]).toMatchObject({ type: "run-start", resumedFrom: failed.result.runId });
    await expect(run("steps-demo", { resume: resumed.result.runId })).rejects.toThrow(
      /did not fail; there is nothing to resume/,
    );
  });

  it("runs one step or a range, and refuses unknown steps, parameters and environments before anything runs", async () => {
    const only = await run("steps-demo", { step: "first" });
    expect(statuses(only.events)).toEqual({ first: "ok" });
    const before = (await readAudit(dir)).length;
    await expect(run("steps-demo", { step: "fourth" })).rejects.toThrow(
      /has no step "fourth" \(--step\); steps: first, second, third/,
    );
    await expect(run("steps-demo", { params: { start: "many" } })).rejects.toThrow(
      /invalid parameters: start: /,
    );
    await expect(run("steps-demo", { params: { colour: "red" } })).rejects.toThrow(
      /unknown parameter "colour"; valid: start, failWhileExists, marker/,
    );
    await expect(run("steps-demo", { env: "prod" })).rejects.toThrow(
      /unknown environment "prod"; choose one of: dev, staging, production/,
    );
    await expect(run("steps-demo", { env: "staging" })).rejects.toThrow(
      /"staging" is not configured: set SSP_STAGING_APP_URL and SSP_STAGING_DATABASE_URL/,
    );
    expect((await readAudit(dir)).length).toBe(before);
  });

  it("--plan runs read steps and only describes change steps", async () => {
    const marker = path.join(dir, "marker-plan");
    const { result, events, output } = await run("steps-demo", { plan: true, params: { marker } });
    expect(result.status).toBe("ok");
    expect(output).toContain(`[plan] would write ${marker}`);
    expect(existsSync(marker)).toBe(false);
    expect(events.find((e) => e.type === "step-end" && e.step === "second")).toMatchObject({
      status: "skipped",
      planned: true,
    });
  });
});

describe("safety", () => {
  it("asks for the environment name before a destructive step, and changes nothing without it", async () => {
    const target = path.join(dir, "target");
    await writeFile(target, "original");
    await expect(run("danger-demo", { params: { target }, confirm: async () => "yes" })).rejects.toThrow(
      /need the environment name "dev" typed, or --yes/,
    );
    expect(await readFile(target, "utf8")).toBe("original");
    let asked = "";
    const ok = await run("danger-demo", {
      params: { target, mode: "hard" },
      confirm: async (question) => {
        asked = question;
        return "dev";
      },
    });
    expect(asked).toMatch(/"Overwrite the target" is destructive in dev/);
    expect(ok.result.status).toBe("ok");
    expect(await readFile(target, "utf8")).toBe("overwritten hard");
  });

  it("masks secrets in output, events, the audit log and stored results", async () => {
    const token = "tok_live_0123456789abcdef";
    const { result, output } = await run("danger-demo", { params: { target: path.join(dir, "t2"), token } });
    const everything = [
      output.join("\n"),
      await readFile(path.join(dir, "audit.jsonl"), "utf8"),
      await readFile(path.join(dir, "runs", `${result.runId}.events.jsonl`), "utf8"),
      await readFile(path.join(dir, "runs", `${result.runId}.state.json`), "utf8"),
    ].join("\n");
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain("abcdefghijklmnopqrstuvwxyz012345");
    expect(output).toContain("database: postgres://ops:***@127.0.0.1:5432/nowhere");
    expect(output).toContain("token: ***");
    expect(output.some((line) => line.startsWith("$ echo") && line.includes("ops:***@"))).toBe(true);
  });

  it("refuses a second change run in the same environment while one holds the lock, naming it", async () => {
    const release = await acquireLock(
      dir,
      { env: "dev", databaseUrl: processEnv().SSP_DEV_DATABASE_URL ?? "" },
      {
        runId: "other-run",
        runbook: "deploy",
        actor: "ana@ops",
        pid: process.pid,
        since: new Date().toISOString(),
      },
    );
    try {
      await expect(run("steps-demo")).rejects.toThrow(
        /environment "dev" is locked by run other-run \(deploy, by ana@ops/,
      );
      // Read-only runs and plans do not need the lock.
      expect((await run("steps-demo", { step: "first" })).result.status).toBe("ok");
      expect((await run("steps-demo", { plan: true })).result.status).toBe("ok");
    } finally {
      await release();
    }
    expect((await run("steps-demo")).result.status).toBe("ok");
  });

  it("takes over a lock whose holder died", async () => {
    await writeFile(
      path.join(dir, "locks", "dev.lock"),
      JSON.stringify({ runId: "dead", runbook: "x", actor: "y", pid: 999_999_999, since: "" }),
    );
    expect((await run("steps-demo")).result.status).toBe("ok");
  });
});

describe("stopping steps", () => {
  it("cancel stops the step and kills its child and grandchild processes", async () => {
    const pidFile = path.join(dir, "pids-cancel");
    const controller = new AbortController();
    const running = run("slow-demo", { params: { pidFile }, signal: controller.signal });
    const pids = await waitForPids(pidFile, 3);
    expect(pids.filter(processAlive)).toEqual(pids);
    controller.abort();
    const { result, events } = await running;
    expect(result.status).toBe("cancelled");
    expect(statuses(events)).toEqual({ sleep: "cancelled" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pids.filter(processAlive)).toEqual([]);
  });

  it("a step that outlives its timeout is stopped, marked timed-out, and its processes killed", async () => {
    const pidFile = path.join(dir, "pids-timeout");
    const { result, events } = await run("slow-demo", { params: { pidFile } });
    const pids = await waitForPids(pidFile, 3);
    expect(result).toMatchObject({ status: "failed", failedStep: "sleep" });
    expect(events.find((e) => e.type === "step-end")).toMatchObject({
      status: "timed-out",
      error:
        "step did not finish within 3000 ms and was stopped; its child processes were killed (1 process group)",
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pids.filter(processAlive)).toEqual([]);
  });
});
