import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScratchStack, startScratchStack, stepStatuses } from "../support/runbooks.ts";

let stack: ScratchStack;
beforeAll(async () => {
  stack = await startScratchStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe("morning-health-check", () => {
  it("passes on a healthy stack and reports what it read", async () => {
    const { result, events, output } = await stack.run("morning-health-check", {
      params: { requireBackup: "false" },
    });
    expect(result.status).toBe("ok");
    expect(stepStatuses(events)).toEqual({
      "app-health": "ok",
      postgres: "ok",
      redis: "ok",
      "error-rate": "ok",
      "backup-age": "ok",
    });
    expect(output).toContain("/readyz → 200 ok");
    expect(output.some((l) => /^connections: \d+ of \d+/.test(l))).toBe(true);
    expect(output).toContain("replication: none configured (this server is a primary with no replicas)");
    expect(output.some((l) => l.startsWith("hit rate: "))).toBe(true);
    expect(output).toContain("no verified backup of dev: run backup-now, then verify-backup");
  });

  it("fails when no verified backup exists and the policy requires one", async () => {
    const { result } = await stack.run("morning-health-check");
    expect(result).toMatchObject({ status: "failed", failedStep: "backup-age" });
  });

  it("fails at the first step when the app is down, and says so", async () => {
    const { result, events } = await stack.run("morning-health-check", {
      processEnv: { ...stack.env, SSP_DEV_APP_URL: "http://127.0.0.1:1" },
    });
    expect(result).toMatchObject({ status: "failed", failedStep: "app-health" });
    expect(events.find((e) => e.type === "step-end")).toMatchObject({
      status: "failed",
      error: "fetch failed",
    });
  });
});
