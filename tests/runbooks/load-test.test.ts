import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { peakVus } from "../../load-tests/lib/journey.ts";
import { PROFILES, stagesOf } from "../../load-tests/lib/profiles.ts";
import type { LoadSummary } from "../../load-tests/lib/summary.ts";
import { configSchema } from "../../practice-app/src/config/config.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { DEFAULT_SIGNUPS_PER_ADDRESS } from "../../runbooks/scaling/load-test.ts";
import { type ScratchStack, startScratchStack, stepStatuses } from "../support/runbooks.ts";

let stack: ScratchStack;

function stepError(events: RunEvent[], step: string): string {
  const end = events.find((e) => e.type === "step-end" && e.step === step);
  return end?.type === "step-end" ? (end.error ?? "") : "";
}

beforeAll(async () => {
  stack = await startScratchStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe("load-test runbook", () => {
  it("runs the smoke profile against the environment's app with live progress and keeps the summary", {
    timeout: 90_000,
  }, async () => {
    const { result, events, output } = await stack.run("load-test", { params: { profile: "smoke" } });
    expect(result.status, output.join("\n")).toBe("ok");
    expect(stepStatuses(events)).toEqual({ preflight: "ok", run: "ok" });
    expect(output.join("\n")).toContain(`${stack.app.url}/readyz: 200`);
    // Progress lines while it runs, and which tool ran.
    expect(output.some((line) => /load: tool (k6|autocannon)/.test(line))).toBe(true);
    expect(
      output.some(
        (line) => /\[\s+\d+ s\] vus\s+\d+\s+requests\s+\d+\s+p95/.test(line) || /running \(/.test(line),
      ),
    ).toBe(true);
    const run = result.results.run as { passed: boolean; summary: string };
    expect(run.passed).toBe(true);
    const summary = JSON.parse(await readFile(run.summary, "utf8")) as LoadSummary;
    expect(summary.target).toBe(stack.app.url);
    expect(summary.metrics["http_req_duration{procedure:exercises.submit}"]?.count).toBeGreaterThan(0);
    // The only data it leaves: throwaway learners.
    const { rows } = await stack.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM learners WHERE email LIKE 'loadtest-%@example.test'",
    );
    expect(rows[0]?.n).toBeGreaterThanOrEqual(3);
  });

  it("refuses production and a target that does not answer, before sending any load", async () => {
    const production = await stack.run("load-test", {
      env: "production",
      params: { profile: "smoke" },
      processEnv: {
        ...stack.env,
        SSP_PRODUCTION_APP_URL: stack.app.url,
        SSP_PRODUCTION_DATABASE_URL: stack.databaseUrl,
      },
    });
    expect(production.result).toMatchObject({ status: "failed", failedStep: "preflight" });
    expect(stepError(production.events, "preflight")).toContain("not run against production");

    const { result, events, output } = await stack.run("load-test", {
      params: { profile: "smoke", target: "http://127.0.0.1:9" },
    });
    expect(result.status).toBe("failed");
    expect(result.failedStep).toBe("preflight");
    expect(stepError(events, "preflight")).toContain("http://127.0.0.1:9/healthz does not answer");
    expect(output.join("\n")).not.toContain("load: tool");
  });

  it("warns before a profile whose learners would sign up past the per-address limit, unless they were seeded", async () => {
    // The runbook may not import the app: its copy of the default must be the app's.
    expect(DEFAULT_SIGNUPS_PER_ADDRESS).toBe(configSchema.shape.RATE_LIMIT_SIGNUP_PER_IP.parse(undefined));
    const peak = peakVus(stagesOf(PROFILES["average-load"], "short"));
    expect(peak).toBeGreaterThan(DEFAULT_SIGNUPS_PER_ADDRESS);
    const signUpWarning = new RegExp(
      `${peak} learners would each sign up from this one address.*RATE_LIMIT_SIGNUP_PER_IP.*npm run db:seed-load-learners -- ${peak}`,
    );

    const unseeded = await stack.run("load-test", { params: { profile: "average-load" }, step: "preflight" });
    expect(unseeded.result.status, unseeded.output.join("\n")).toBe("ok");
    expect(unseeded.output.join("\n")).toMatch(signUpWarning);

    const smoke = await stack.run("load-test", { params: { profile: "smoke" }, step: "preflight" });
    expect(smoke.output.join("\n")).not.toContain("RATE_LIMIT_SIGNUP_PER_IP");

    // The runner reads LOAD_LEARNERS from the process's environment, so the runbook does too.
    process.env.LOAD_LEARNERS = "/tmp/seeded-learners.json";
    try {
      const seeded = await stack.run("load-test", { params: { profile: "average-load" }, step: "preflight" });
      expect(seeded.output.join("\n")).not.toMatch(signUpWarning);
      expect(seeded.output.join("\n")).toContain(
        "learners: seeded beforehand, from /tmp/seeded-learners.json",
      );
    } finally {
      delete process.env.LOAD_LEARNERS;
    }
  });

  it("rejects an unknown profile by name", async () => {
    await expect(stack.run("load-test", { params: { profile: "smok" } })).rejects.toThrow(/profile/);
  });
});
