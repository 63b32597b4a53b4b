import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAudit, readAuditEntries } from "./audit.ts";
import { type CliIo, EXIT, main } from "./cli.ts";
import type { RunDiff } from "./run-diff.ts";

// `npm run runbook -- diff` on two real runs of a fixture runbook, made through the CLI with
// different parameters and outcomes (the second fails its last step), read back from the audit log,
// the events, the state files and the artifacts the runs left.

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
let dir: string;
let runA: string;
let runB: string;

const env = (): NodeJS.ProcessEnv => ({
  ...process.env,
  RUNBOOK_DATA_DIR: dir,
  SSP_DEV_DATABASE_URL: "postgres://ops@127.0.0.1:5432/nowhere",
  SSP_DEV_REDIS_URL: "",
  SSP_DEV_STACK_FILE: path.join(dir, "no-stack.json"),
});

async function cli(args: string[], io: Partial<CliIo> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    env: env(),
    runbooksDir: FIXTURES,
    ...io,
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-diff-"));
  const first = await cli([
    "diff-demo",
    "--param",
    "learners=10",
    "--param",
    "label=first",
    "--param",
    "p95=100",
  ]);
  expect(first.code).toBe(EXIT.ok);
  const second = await cli([
    "diff-demo",
    "--param",
    "learners=12",
    "--param",
    "sessions=true",
    "--param",
    "label=second",
    "--param",
    "p95=180",
    "--param",
    "fail=true",
  ]);
  expect(second.code).toBe(EXIT.failed);
  const runs = await readAudit(dir);
  runA = runs[0]?.runId as string;
  runB = runs[1]?.runId as string;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("npm run runbook -- diff", () => {
  it("shows parameters, step statuses, tables, results and artifacts side by side, marking what changed", async () => {
    const { code, stdout, stderr } = await cli(["diff", runA, runB]);
    expect(stderr).toBe("");
    expect(code).toBe(EXIT.ok);
    const line = (pattern: RegExp) => stdout.split("\n").find((l) => pattern.test(l));
    expect(stdout).toContain(`Diff demo · run ${runA} (A) and run ${runB} (B)`);
    expect(line(/^. status /)).toMatch(/^≠ status\s+ok\s+failed$/);
    expect(line(/^. learners /)).toMatch(/^≠ learners\s+10\s+12$/);
    expect(line(/^. p95 /)).toMatch(/^≠ p95\s+100\s+180$/);
    expect(line(/^. fail /)).toMatch(/^≠ fail\s+\(absent\)|^≠ fail\s+false\s+true$/);
    expect(line(/^. count /)).toMatch(/^ {2}count\s+ok in \d+ ms\s+ok in \d+ ms/);
    expect(line(/^. check /)).toMatch(/^≠ check\s+ok in \d+ ms\s+failed in \d+ ms: check failed on purpo/);
    // The table's rows, matched by their first cell.
    expect(line(/^. {3}learners /)).toMatch(/^≠ {3}learners\s+rows=10\s+rows=12\s+\(rows\)$/);
    expect(line(/^. {3}reviews /)).toMatch(/^ {4}reviews\s+rows=500\s+rows=500$/);
    expect(line(/^. {3}sessions /)).toMatch(/^\+ {3}sessions\s+\(no row\)\s+rows=7$/);
    // Step results: what the runs returned (the failed step returned nothing).
    expect(line(/^. check\s+\{/)).toMatch(/^- check\s+\{"ok":true\}\s+\(absent\)$/);
    // Artifacts by their declared name, though the report's file name follows the label.
    expect(line(/^. report\s+first-report/)).toMatch(
      /^≠ report\s+first-report\.txt \(\d+ B, [0-9a-f]{8}\)\s+second-report\.txt/,
    );
    expect(stdout).toMatch(/^ {4}- learners 10\n {4}\+ report second\n {4}\+ learners 12$/m);
    // The load-test summary, judged with the load tests' own verdicts, A as the baseline.
    expect(line(/p95 latency of practice calls/)).toMatch(/100 ms\s+180 ms\s+regressed by 80%/);
    expect(stdout).toMatch(/the runs differ/);
    expect(stdout).not.toContain("\u001b[");
  });

  it("prints the same as JSON with --json, and colours only on a terminal", async () => {
    const json = await cli(["diff", runA, runB, "--json"]);
    expect(json.code).toBe(EXIT.ok);
    const diff = JSON.parse(json.stdout) as RunDiff;
    expect(diff.a.runId).toBe(runA);
    expect(diff.steps.map((s) => [s.id, s.change])).toEqual([
      ["count", "same"],
      ["report", "same"],
      ["check", "changed"],
    ]);
    expect(diff.tables[0]?.rows.map((r) => r.change)).toEqual(["changed", "same", "only-b"]);
    expect(diff.artifacts.find((a) => a.name === "summary")?.comparison).toMatchObject({
      kind: "load-test",
      comparison: { regressed: true },
    });
    const terminal = await cli(["diff", runA, runB], { width: 160 });
    expect(terminal.stdout).toContain("\u001b[33m≠ check");
  });

  it("compares one run with the previous run of its runbook in its environment", async () => {
    const previous = await cli(["diff", runB, "--json"]);
    expect(previous.code).toBe(EXIT.ok);
    expect((JSON.parse(previous.stdout) as RunDiff).a.runId).toBe(runA);
    const first = await cli(["diff", runA]);
    expect(first.code).toBe(EXIT.refused);
    expect(first.stderr).toMatch(/run \S+ is the first run of diff-demo in dev: there is no previous one/);
  });

  it("refuses unknown, invalid and identical run ids with exit 2, records each refusal and prints nothing", async () => {
    const before = (await readAuditEntries(dir)).length;
    const unknown = await cli(["diff", runA, "20990101-000000-nothing"]);
    expect(unknown.code).toBe(EXIT.refused);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toMatch(
      /no run "20990101-000000-nothing" in the audit log of .*; npm run runbook -- history lists the runs/,
    );
    const invalid = await cli(["diff", "../../etc/passwd", runB]);
    expect(invalid.code).toBe(EXIT.refused);
    expect(invalid.stderr).toMatch(/"\.\.\/\.\.\/etc\/passwd" is not a run id/);
    const same = await cli(["diff", runA, runA]);
    expect(same.code).toBe(EXIT.refused);
    expect(same.stderr).toMatch(/both sides are run \S+: name two different runs/);
    const none = await cli(["diff"]);
    expect(none.code).toBe(EXIT.refused);
    expect(none.stderr).toMatch(/diff takes one or two run ids/);
    const refusals = (await readAuditEntries(dir)).slice(before);
    expect(refusals.map((e) => (e.kind === "refusal" ? e.rule : e.kind))).toEqual([
      "unknown-run",
      "unknown-run",
      "diff-same-run",
      "params",
    ]);
  });

  it("compares runs of different runbooks with a warning that says what it means", async () => {
    const other = await cli(["table-demo"]);
    expect(other.stderr).toBe("");
    expect(other.code).toBe(EXIT.ok);
    const tableRun = (await readAudit(dir)).find((r) => r.runbook === "table-demo")?.runId as string;
    const mixed = await cli(["diff", runA, tableRun]);
    expect(mixed.code).toBe(EXIT.ok);
    expect(mixed.stderr).toMatch(
      /^warning: the runs are of different runbooks: .* \(diff-demo and table-demo\)/,
    );
    expect(mixed.stdout).toMatch(/^≠ runbook\s+diff-demo\s+table-demo$/m);
    expect(mixed.stdout).toMatch(/^- count /m);
    expect(mixed.stdout).toMatch(/^\+ report /m);
  });
});
