import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli } from "../../tests/support/cli.ts";
import { processAlive } from "../lib/process.ts";
import { readAudit } from "./audit.ts";
import { type CliIo, EXIT } from "./cli.ts";
import type { RunEvent } from "./events.ts";
import { waitForPids } from "./fixtures/pids.ts";
import { RUNBOOKS_DIR } from "./paths.ts";

// The CLI is called in-process through `main(argv, io)` for what only needs its exit code and
// output; Ctrl-C keeps a real process, since it is about signals and the processes a step started.

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
let dir: string;

const processEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  RUNBOOK_DATA_DIR: dir,
  SSP_DEV_DATABASE_URL: "postgres://ops:s3cret-db-password@127.0.0.1:5432/nowhere",
  SSP_DEV_REDIS_URL: "",
  SSP_DEV_STACK_FILE: path.join(dir, "no-stack.json"),
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function cli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; runbooksDir?: string; ask?: CliIo["ask"] } = {},
): Promise<CliResult> {
  return runCli(args, {
    env: options.env ?? processEnv(),
    runbooksDir: options.runbooksDir ?? RUNBOOKS_DIR,
    ...(options.ask ? { ask: options.ask } : {}),
  });
}

describe("the CLI", () => {
  it("lists the real runbooks and refuses unknown ones by name", async () => {
    const list = await cli(["list"]);
    expect(list.code).toBe(EXIT.ok);
    expect(list.stdout).toMatch(/morning-health-check\s+read\s+Morning health check/);
    const unknown = await cli(["no-such-runbook"]);
    expect(unknown.code).toBe(EXIT.refused);
    expect(unknown.stderr).toMatch(/^no runbook 'no-such-runbook'\. npm run runbook -- list shows them all/);
  });

  it("refuses bad arguments and parameters with exit 2, and exits 1 when a step fails", async () => {
    const usage = await cli([]);
    expect(usage.code).toBe(EXIT.refused);
    expect(usage.stderr).toMatch(/^usage:/);
    const bad = await cli(["morning-health-check", "--param", "nope=1"]);
    expect(bad.code).toBe(EXIT.refused);
    expect(bad.stderr).toMatch(/refused: unknown parameter "nope"; valid: longQuerySeconds, requireBackup/);
    const env = { ...processEnv(), SSP_DEV_APP_URL: "http://127.0.0.1:1" };
    const failing = await cli(["morning-health-check", "--json"], { env });
    expect(failing.code).toBe(EXIT.failed);
    const events = failing.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as RunEvent);
    expect(events[0]?.type).toBe("run-start");
    expect(events.at(-1)).toMatchObject({ type: "run-end", status: "failed", failedStep: "app-health" });
  });

  it("refuses a destructive run without a terminal unless --yes, and changes nothing", async () => {
    const target = path.join(dir, "danger-target");
    await writeFile(target, "original");
    const refused = await cli(["danger-demo", "--param", `target=${target}`], { runbooksDir: FIXTURES });
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.stderr).toMatch(/no terminal to confirm them in: pass --yes to confirm/);
    expect(await readFile(target, "utf8")).toBe("original");
    const confirmed = await cli(["danger-demo", "--param", `target=${target}`, "--yes"], {
      runbooksDir: FIXTURES,
    });
    expect(confirmed.code).toBe(EXIT.ok);
    expect(await readFile(target, "utf8")).not.toBe("original");
  });

  it("renders every kind of event for the terminal, from the run's header to its end", async () => {
    const marker = path.join(dir, "cli-marker");
    const run = await cli(["steps-demo", "--param", "start=21", "--param", `marker=${marker}`], {
      runbooksDir: FIXTURES,
    });
    expect(run.code).toBe(EXIT.ok);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^Steps demo · steps-demo · env DEV · run \S+$/);
    expect(run.stdout).toMatch(/▶ \[1\/3\] .+ \(read\)/);
    expect(run.stdout).toContain("  │ start=21");
    expect(run.stdout).toMatch(/✔ ok in \d+ ms/);
    expect(run.stdout).toMatch(/\n✔ done in \d+\.\d s\n$/);
    expect(existsSync(marker)).toBe(true);
  });
});

describe("Ctrl-C in the terminal", () => {
  it("cancels the running step, kills its processes, records the run as cancelled and exits 130", async () => {
    const pidFile = path.join(dir, "pids-sigint");
    const child = spawn(process.execPath, [CLI, "slow-demo", "--param", `pidFile=${pidFile}`], {
      env: { ...processEnv(), RUNBOOKS_DIR: FIXTURES },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const pids = await waitForPids(pidFile, 3);
    child.kill("SIGINT");
    expect(await exited).toBe(EXIT.cancelled);
    expect(stderr).toMatch(/cancelling: stopping the current step and its child processes/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pids.filter(processAlive)).toEqual([]);
    const last = (await readAudit(dir)).at(-1);
    expect(last).toMatchObject({
      runbook: "slow-demo",
      status: "cancelled",
      steps: [{ id: "sleep", status: "cancelled" }],
    });
  });
});
