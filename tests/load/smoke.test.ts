import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadSummary } from "../../load-tests/lib/summary.ts";
import { SLO } from "../../policy/index.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// The smoke profile against the real app, through `npm run load`'s entry (k6 when on PATH, else
// autocannon): it must pass its thresholds. Then the same profile behind a proxy that delays every
// response past the p95 objective: the thresholds must fail, with k6's exit code 99.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function load(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "load-tests/run.ts"), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => resolve({ code, output }));
  });
}

async function readSummary(dir: string): Promise<LoadSummary> {
  return JSON.parse(await readFile(path.join(dir, "smoke-summary.json"), "utf8")) as LoadSummary;
}

describe("load tests: the smoke profile", () => {
  let app: TestApp;
  let out: string;

  beforeAll(async () => {
    app = await startTestApp();
    out = await mkdtemp(path.join(tmpdir(), "ssp-load-"));
  });

  afterAll(async () => {
    await app?.stop();
    await rm(out, { recursive: true, force: true });
  });

  it("passes its thresholds against the real app and writes the summary, JUnit and table", {
    timeout: 90_000,
  }, async () => {
    const dir = path.join(out, "pass");
    const { code, output } = await load(["smoke", "--target", app.url, "--out", dir]);
    expect(output).toMatch(/load: tool (k6|autocannon)/);
    expect(code, output).toBe(0);
    const summary = await readSummary(dir);
    expect(summary.profile).toBe("smoke");
    expect(summary.passed).toBe(true);
    expect(["k6", "autocannon"]).toContain(summary.tool);
    expect(summary.thresholds.map((t) => `${t.metric}: ${t.expression}`)).toEqual([
      `http_req_duration{kind:practice}: p(95)<${SLO.latencyP95Ms}`,
      `http_req_failed: rate<${SLO.errorRate}`,
      `checks: rate>${1 - SLO.errorRate}`,
    ]);
    // Every step of the journey ran, and answers were checked on the server.
    for (const procedure of ["accounts.signUp", "exercises.next", "exercises.submit", "progress.summary"])
      expect(summary.metrics[`http_req_duration{procedure:${procedure}}`]?.count, procedure).toBeGreaterThan(
        0,
      );
    expect(summary.metrics.http_req_failed?.rate).toBe(0);
    expect(summary.series.length).toBeGreaterThan(1);
    expect(summary.series.some((point) => point.requests > 0 && point.p95 !== null)).toBe(true);
    const junit = await readFile(path.join(dir, "smoke-junit.xml"), "utf8");
    expect(junit).toContain('failures="0"');
    const learners = await app.app.deps.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM learners WHERE email LIKE 'loadtest-%@example.test'",
    );
    expect(Number(learners.rows[0]?.n)).toBeGreaterThanOrEqual(3);
  });

  it("fails its thresholds (exit 99) when every response is delayed past the p95 objective", {
    timeout: 90_000,
  }, async () => {
    const { port } = new URL(app.url);
    const proxy = new TcpProxy(
      { host: "127.0.0.1", port: Number(port) },
      { responseDelayMs: SLO.latencyP95Ms + 50 },
    );
    const target = `http://127.0.0.1:${await proxy.listen()}`;
    try {
      const dir = path.join(out, "slow");
      const { code, output } = await load(["smoke", "--target", target, "--out", dir]);
      expect(code, output).toBe(99);
      const summary = await readSummary(dir);
      expect(summary.passed).toBe(false);
      const latency = summary.thresholds.find((t) => t.metric === "http_req_duration{kind:practice}");
      expect(latency?.ok).toBe(false);
      expect(await readFile(path.join(dir, "smoke-junit.xml"), "utf8")).toContain("<failure");
    } finally {
      await proxy.close();
    }
  });

  it("names the problem and exits 2 or 3, not 99, for a bad profile, a bad URL and an unreachable target", async () => {
    const unknown = await load(["smok", "--target", app.url]);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('unknown load-test profile "smok"');
    const badUrl = await load(["smoke", "--target", "not a url"]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.output).toContain('--target "not a url" is not a URL');
    const down = await load(["smoke", "--target", "http://127.0.0.1:9"]);
    expect(down.code).toBe(3);
    expect(down.output).toContain("the target does not answer");
  });
});
