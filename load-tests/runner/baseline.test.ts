import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadSummary } from "../lib/summary.ts";
import { EXIT } from "../run.ts";

// The runner as CI runs it, a real process: `npm run load -- compare` with a summary whose p95 is
// far worse than the committed baseline's exits non-zero only with --fail-on-regression.

const RUN = fileURLToPath(new URL("../run.ts", import.meta.url));
const MEASURED = fileURLToPath(new URL("../measured/average-load.json", import.meta.url));
let dir: string;
let regressing: string;
let holding: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-load-baseline-"));
  const measured = JSON.parse(await readFile(MEASURED, "utf8")) as LoadSummary;
  const practice = measured.metrics["http_req_duration{kind:practice}"];
  if (!practice?.p95) throw new Error("the committed average-load baseline has no practice p95");
  // The same run, but practice calls twice as slow at the 95th percentile.
  const worse: LoadSummary = {
    ...measured,
    metrics: {
      ...measured.metrics,
      "http_req_duration{kind:practice}": { ...practice, p95: practice.p95 * 2 },
    },
  };
  regressing = path.join(dir, "average-load-summary.json");
  await writeFile(regressing, JSON.stringify(worse));
  holding = path.join(dir, "same-summary.json");
  await writeFile(holding, JSON.stringify(measured));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function load(...args: string[]) {
  const result = spawnSync(process.execPath, [RUN, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run load -- compare", () => {
  it("exits 4 on a regression beyond the tolerance with --fail-on-regression, and names the measure", () => {
    const run = load("compare", regressing, "--fail-on-regression");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(EXIT.regressed);
    expect(run.stdout).toMatch(/compared with the baseline load-tests\/measured\/average-load\.json/);
    expect(run.stdout).toMatch(/p95 latency of practice calls .* regressed by 100%/);
    expect(run.stdout).toMatch(/error rate \(http_req_failed\) .* held/);
  });

  it("reports the same regression without failing when the flag is absent", () => {
    const run = load("compare", regressing);
    expect(run.code).toBe(EXIT.passed);
    expect(run.stdout).toMatch(/regressed by 100%/);
    expect(run.stdout).toMatch(/reported, not enforced \(pass --fail-on-regression/);
  });

  it("exits 0 when every measure held against an explicit --baseline", () => {
    const run = load("compare", holding, "--baseline", MEASURED, "--fail-on-regression");
    expect(run.code).toBe(EXIT.passed);
    expect(run.stdout).toMatch(/no regression beyond the tolerances/);
  });

  it("refuses a baseline that is not a summary, naming the file, with exit 2", async () => {
    const bogus = path.join(dir, "bogus.json");
    await writeFile(bogus, JSON.stringify({ hello: "world" }));
    const run = load("compare", regressing, "--baseline", bogus, "--fail-on-regression");
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/bogus\.json is not a load-test summary/);
    const missing = load("compare", path.join(dir, "nope.json"));
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json: ENOENT/);
  });
});
