import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failedStepError, type ScratchStack, startScratchStack, stepStatuses } from "../support/runbooks.ts";

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
    expect(output).toContain(
      'no backup of dev yet: take one with  npm run runbook -- backup-now  and prove it restores with  npm run runbook -- verify-backup  (how: the handbook\'s Operational Runbook, "Backup and restore" (/operational-runbook/backup-and-restore/#back-up-now))',
    );
  });

  it("on a dev stack that never had a backup, warns with the page instead of failing", async () => {
    const { result, output } = await stack.run("morning-health-check");
    expect(result.status).toBe("ok");
    expect(result.results["backup-age"]).toEqual({ newestVerifiedHours: null });
    expect(output.some((l) => l.startsWith("no backup of dev yet: take one with"))).toBe(true);
  });

  it("fails when backups exist but none is verified, and the policy requires one", async () => {
    const id = "20260101T000000Z-abc123";
    await writeUnverifiedManifest(path.join(stack.dataDir, "backups", "dev"), id);
    try {
      const { result, events } = await stack.run("morning-health-check");
      expect(result).toMatchObject({ status: "failed", failedStep: "backup-age" });
      expect(failedStepError(events)).toMatch(
        /^no verified backup of dev \(1 unverified\): run {2}npm run runbook -- verify-backup --param backup=latest {2}\(how: .*\/operational-runbook\/backup-and-restore\/#back-up-now\)\)$/,
      );
    } finally {
      await rm(path.join(stack.dataDir, "backups", "dev", `${id}.json`));
    }
  });

  it("fails in any other environment without a backup, naming the commands for it", async () => {
    const { result, events } = await stack.run("morning-health-check", {
      env: "staging",
      processEnv: {
        ...stack.env,
        SSP_STAGING_APP_URL: stack.app.url,
        SSP_STAGING_DATABASE_URL: stack.databaseUrl,
        SSP_STAGING_REDIS_URL: stack.app.env.REDIS_URL ?? "",
        SSP_STAGING_REDIS_PREFIX: stack.app.env.REDIS_KEY_PREFIX ?? "",
      },
    });
    expect(result).toMatchObject({ status: "failed", failedStep: "backup-age" });
    expect(failedStepError(events)).toContain(
      "no backup of staging yet: run  npm run runbook -- backup-now --env staging  then  npm run runbook -- verify-backup --env staging",
    );
  });

  it("fails at the first step when the app is down, and says so", async () => {
    const { result, events } = await stack.run("morning-health-check", {
      processEnv: { ...stack.env, SSP_DEV_APP_URL: "http://127.0.0.1:1" },
    });
    expect(result).toMatchObject({ status: "failed", failedStep: "app-health" });
    expect(events.find((e) => e.type === "step-end")).toMatchObject({
      status: "failed",
      error: expect.stringMatching(
        /^the app at http:\/\/127\.0\.0\.1:1 did not answer GET \/healthz \((ECONNREFUSED|bad port)\): is it running\?/,
      ),
    });
  });
});

/** A backup's manifest without a verification (the health check reads manifests only). */
async function writeUnverifiedManifest(dir: string, id: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const manifest = {
    id,
    env: "dev",
    file: `${id}.dump`,
    createdAt: new Date().toISOString(),
    tables: {},
    sequences: {},
  };
  await writeFile(path.join(dir, `${id}.json`), `${JSON.stringify(manifest)}\n`, { mode: 0o600 });
}
