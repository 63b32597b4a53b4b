import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAudit, readAuditEntries } from "../../runbooks/engine/audit.ts";
import { EXIT } from "../../runbooks/engine/cli.ts";
import { waitForPids } from "../../runbooks/engine/fixtures/pids.ts";
import { acquireLock, LockedError } from "../../runbooks/engine/lock.ts";
import { REPO_ROOT } from "../../runbooks/engine/paths.ts";
import { groupAlive } from "../../runbooks/engine/process-groups.ts";

// The CLI as an operator runs it (a real process, real signals): a TERM-ignoring child is gone
// when Ctrl-C or SIGTERM returns, a kill -9'd CLI's child keeps the lock, third-party escapes never reach
// the terminal, and a refused attempt is in the audit log.

const CLI = path.join(REPO_ROOT, "runbooks/engine/cli.ts");
const FIXTURES = path.join(REPO_ROOT, "tests/support/hardening-runbooks");
const DATABASE_URL = "postgres://ops:pw-cli-123456@127.0.0.1:5432/cli_hardening";
let dir: string;

const env = (): NodeJS.ProcessEnv => ({
  ...process.env,
  RUNBOOKS_DIR: FIXTURES,
  RUNBOOK_DATA_DIR: dir,
  SSP_DATA_DIR: dir,
  SSP_DEV_DATABASE_URL: DATABASE_URL,
  SSP_DEV_REDIS_URL: "",
  SSP_DEV_STACK_FILE: path.join(dir, "no-stack.json"),
});

function startCli(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { env: env(), stdio: ["ignore", "pipe", "pipe"] });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => {
    out.stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, out, exited };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-cli-hardening-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the CLI under signals", () => {
  it.each([
    ["Ctrl-C", "SIGINT"],
    ["SIGTERM (a supervisor, kill)", "SIGTERM"],
  ] as const)(
    "%s: a child that ignores SIGTERM is gone when the CLI exits, and the audit says so",
    async (_, signal) => {
      const pidFile = path.join(dir, `pids-${signal.toLowerCase()}`);
      const cli = startCli(["stubborn-demo", "--step", "hold", "--param", `pidFile=${pidFile}`]);
      const [pid] = await waitForPids(pidFile, 1);
      cli.child.kill(signal);
      expect(await cli.exited).toBe(EXIT.cancelled);
      // No grace period here: the CLI waited until the group was gone before it exited.
      expect(groupAlive(pid)).toBe(false);
      const last = (await readAudit(dir)).at(-1);
      expect(last).toMatchObject({ runbook: "stubborn-demo", status: "cancelled" });
      expect(last?.steps[0]?.error).toMatch(/its child processes were killed \(1 process group\)/);
    },
  );

  it("kill -9: the dead CLI's child keeps the lock until it is gone", async () => {
    const pidFile = path.join(dir, "pids-kill9");
    const cli = startCli(["stubborn-demo", "--step", "hold", "--param", `pidFile=${pidFile}`]);
    const [pid] = await waitForPids(pidFile, 1);
    // The CLI records the step's process group in the lock file when the child starts; on a busy
    // machine the child can write its pid file first. Kill the CLI once the lock names the group.
    const locks = path.join(dir, "locks");
    for (let i = 0; i < 200; i++) {
      const named = (await readdir(locks).catch(() => [] as string[])).some((name) => {
        try {
          return readFileSync(path.join(locks, name), "utf8").includes(String(pid));
        } catch {
          return false;
        }
      });
      if (named) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    cli.child.kill("SIGKILL");
    await cli.exited;
    expect(groupAlive(pid)).toBe(true);
    const holder = { runId: "second", runbook: "restore", actor: "test", pid: process.pid, since: "now" };
    // Another environment name on the same database: the same lock.
    const target = { env: "staging", databaseUrl: DATABASE_URL.replace("127.0.0.1", "localhost") };
    await expect(acquireLock(dir, target, holder)).rejects.toBeInstanceOf(LockedError);
    await expect(acquireLock(dir, target, holder)).rejects.toThrow(
      /its process died but the processes it started still run/,
    );
    process.kill(-(pid as number), "SIGKILL");
    for (let i = 0; i < 40 && groupAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const release = await acquireLock(dir, target, holder);
    await release();
  });
});

describe("the CLI's output", () => {
  it("strips escapes from step output, shows a bidi override, and keeps a forged line inside its frame", async () => {
    const cli = startCli(["stubborn-demo", "--step", "hostile-text"]);
    expect(await cli.exited).toBe(EXIT.ok);
    expect(cli.out.stdout).not.toContain("\u001b");
    expect(cli.out.stdout).not.toContain("\u202E");
    expect(cli.out.stdout).toContain("  │ clip clear title done");
    expect(cli.out.stdout).toContain("  │ subject <U+202E>txt.exe<U+202C> end");
    expect(cli.out.stdout).toContain("  │ row one\uFFFD✔ done in 0.1 s");
    expect(cli.out.stdout).toContain("  │ from a child red");
  });
});

describe("refused attempts", () => {
  it("records a refusal of the CLI in the audit log (who, what, why), without the parameter's value", async () => {
    const cli = startCli(["stubborn-demo", "--param", "note=line one\nline two"]);
    expect(await cli.exited).toBe(EXIT.refused);
    expect(cli.out.stderr).toMatch(
      /refused: invalid parameters: note: contains the control character U\+000A/,
    );
    const refusal = (await readAuditEntries(dir)).filter((e) => e.kind === "refusal").at(-1);
    expect(refusal).toMatchObject({
      kind: "refusal",
      source: "cli",
      rule: "params",
      what: "npm run runbook -- stubborn-demo --param note=…",
      count: 1,
    });
    expect(refusal?.kind === "refusal" && refusal.who).toMatch(/@.+ \(pid \d+\)$/);
    expect(refusal?.kind === "refusal" && refusal.reason).toMatch(/U\+000A/);
  });
});
