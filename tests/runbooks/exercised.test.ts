import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAuditEntries } from "../../runbooks/engine/audit.ts";
import { EXIT } from "../../runbooks/engine/cli.ts";
import { parseExerciseRecord } from "../../runbooks/engine/exercise.ts";
import { REPO_ROOT } from "../../runbooks/engine/paths.ts";
import { type CliResult, runCli } from "../support/cli.ts";

// `npm run runbook -- exercised` as the nightly job runs it, over an audit log written by real
// runs of fixture runbooks named after drills policy/exercise.ts requires (verify-backup weekly and
// dr-drill monthly, in production). The exit code is what pages. The CLI is called in-process
// through main(argv, io), with the environment a terminal would give it: only its exit code and
// output are read here, so no process is needed.

const FIXTURES = path.join(REPO_ROOT, "tests/support/exercise-runbooks");
let dir: string;

function cli(args: string[]): Promise<CliResult> {
  return runCli(args, {
    env: {
      ...process.env,
      RUNBOOK_DATA_DIR: dir,
      SSP_DATA_DIR: dir,
      SSP_DEV_STACK_FILE: path.join(dir, "no-stack.json"),
      // The fixtures connect to nothing; production must only be configured for the run to start.
      SSP_PRODUCTION_APP_URL: "http://127.0.0.1:9",
      SSP_PRODUCTION_DATABASE_URL: "postgres://nobody@127.0.0.1:9/none",
    },
    runbooksDir: FIXTURES,
  });
}

async function run(args: string[], expected: number): Promise<void> {
  const result = await cli(args);
  expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(expected);
}

async function record(args: string[] = []) {
  const result = await cli(["exercised", "--json", ...args]);
  return { code: result.code, record: parseExerciseRecord(result.stdout, "stdout") };
}

const stateOf = (rows: Array<{ runbook: string; env: string | null; state: string }>, runbook: string) =>
  rows.filter((row) => row.runbook === runbook).map((row) => `${row.env}:${row.state}`);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-exercised-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("npm run runbook -- exercised", () => {
  it("with no runs: every required drill is 'never', exit 1, and the overdue ones are named", async () => {
    const result = await cli(["exercised"]);
    expect(result.code).toBe(EXIT.failed);
    expect(result.stdout).toMatch(/✘ never\s+dr-drill\s+production\s+never/);
    expect(result.stdout).toMatch(/\s+never\s+tidy-up\s+—\s+never/);
    expect(result.stderr).toContain("2 required drills are overdue:");
    expect(result.stderr).toContain(
      "verify-backup in production: never exercised; required weekly (every 7 days), overdue: never done",
    );
    // The policy's other drills are not in this runbooks folder: said, not hidden.
    expect(result.stderr).toContain("policy/exercise.ts requires runbook 'restore', which is not in");
  });

  it("counts only whole, applied, successful runs; exit 0 once every required drill ran", async () => {
    await run(["verify-backup", "--env", "production"], EXIT.ok);
    await run(["dr-drill", "--env", "production", "--plan"], EXIT.ok);
    await run(["dr-drill", "--env", "production", "--step", "check"], EXIT.ok);
    await run(["dr-drill", "--env", "production", "--param", "fail=true"], EXIT.failed);
    await run(["tidy-up", "--env", "dev"], EXIT.ok);
    let now = await record();
    expect(now.code).toBe(EXIT.failed);
    expect(stateOf(now.record.rows, "verify-backup")).toEqual(["production:fresh"]);
    // A plan, a single step and a failed run: none of them exercised the drill.
    expect(stateOf(now.record.rows, "dr-drill")).toEqual(["production:never"]);
    expect(stateOf(now.record.rows, "tidy-up")).toEqual(["dev:fresh"]);

    await run(["dr-drill", "--env", "production"], EXIT.ok);
    now = await record();
    expect(now.code).toBe(EXIT.ok);
    expect(stateOf(now.record.rows, "dr-drill")).toEqual(["production:fresh"]);
    const drill = now.record.rows.find((row) => row.runbook === "dr-drill");
    const entries = await readAuditEntries(dir);
    const lastDrill = entries.filter((e) => e.kind === "run" && e.runbook === "dr-drill").at(-1);
    expect(drill?.last?.runId).toBe(lastDrill?.kind === "run" ? lastDrill.runId : "");
    const text = await cli(["exercised"]);
    expect(text.code).toBe(EXIT.ok);
    expect(text.stdout).toContain("every required drill is within its interval (2 tracked)");
  });

  it("--as-of moves the clock: the weekly drill goes stale after 7 days, the monthly after 31", async () => {
    const { record: today } = await record();
    const ranAt = (runbook: string) =>
      Date.parse(today.rows.find((row) => row.runbook === runbook)?.last?.at ?? "");
    const iso = (ms: number) => new Date(ms).toISOString();
    const day = 86_400_000;

    const inEightDays = await record(["--as-of", iso(ranAt("verify-backup") + 8 * day)]);
    expect(inEightDays.code).toBe(EXIT.failed);
    expect(stateOf(inEightDays.record.rows, "verify-backup")).toEqual(["production:stale"]);
    expect(stateOf(inEightDays.record.rows, "dr-drill")).toEqual(["production:fresh"]);

    const text = await cli(["exercised", "--as-of", iso(ranAt("dr-drill") + 32 * day)]);
    expect(text.code).toBe(EXIT.failed);
    expect(text.stdout).toMatch(/✘ stale\s+dr-drill\s+production/);
    expect(text.stderr).toMatch(/dr-drill in production: last ran \S+ \(32 days ago\) .* overdue since/);
    // A runbook with no requirement never pages, however old its last run.
    expect(text.stdout).toMatch(/ {2}fresh\s+tidy-up\s+dev/);

    // As of a day before anything ran, nothing had run.
    const before = await record(["--as-of", iso(ranAt("verify-backup") - day)]);
    expect(stateOf(before.record.rows, "verify-backup")).toEqual(["production:never"]);
  });

  it("--env narrows to one environment: staging requires neither drill, so exit 0", async () => {
    const staging = await record(["--env", "staging"]);
    expect(staging.code).toBe(EXIT.ok);
    expect(staging.record.env).toBe("staging");
    expect(stateOf(staging.record.rows, "dr-drill")).toEqual(["staging:never"]);
  });

  it("refuses a bad --env or --as-of with exit 2, naming the problem, and audits the refusal", async () => {
    const env = await cli(["exercised", "--env", "prod"]);
    expect(env.code).toBe(EXIT.refused);
    expect(env.stderr).toContain("no environment 'prod': the environments are dev, staging, production");
    const clock = await cli(["exercised", "--as-of", "next friday"]);
    expect(clock.code).toBe(EXIT.refused);
    expect(clock.stderr).toContain("--as-of 'next friday' is not a date");
    const refusals = (await readAuditEntries(dir)).filter((e) => e.kind === "refusal");
    expect(refusals.map((r) => (r.kind === "refusal" ? [r.rule, r.what] : []))).toEqual([
      ["environment", "npm run runbook -- exercised --env prod"],
      ["params", "npm run runbook -- exercised --as-of next friday"],
    ]);
  });
});
