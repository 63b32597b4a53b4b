import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { listBackups } from "../../runbooks/lib/backups.ts";
import { processAlive } from "../../runbooks/lib/process.ts";
import { freePort } from "../support/redis-server.ts";
import { failedStepError, type ScratchStack, startScratchStack, stepStatuses } from "../support/runbooks.ts";
import { createDatabase, dropDatabase, uniqueName } from "../support/services.ts";

// The deployment runbooks against a private stack: what they did to the database (pgmigrations,
// the schema, backups), which processes they started and stopped, and what the apps answer.

const REPO = path.resolve(import.meta.dirname, "../..");
const MIGRATIONS = readdirSync(path.join(REPO, "practice-app/migrations"))
  .filter((f) => f.endsWith(".sql"))
  .map((f) => f.replace(/\.sql$/, ""))
  .sort();
const CURRICULUM = "1732560001000_exercise-curriculum-order";

let stack: ScratchStack;
/** Every pid a runbook started here, stopped in afterAll whatever happened. */
const started = new Set<number>();
let devDatabase = "";

beforeAll(async () => {
  stack = await startScratchStack();
});
afterAll(async () => {
  const current = path.join(stack?.dataDir ?? "", "releases/current.json");
  if (existsSync(current)) {
    const file = JSON.parse(readFileSync(current, "utf8"));
    for (const r of [file, file.previous, file.rolledBackFrom, ...(file.older ?? [])])
      if (r?.pid) started.add(r.pid);
  }
  const startRecord = path.join(stack?.dataDir ?? "", "artifacts/dev-stack/start.json");
  if (existsSync(startRecord)) started.add(JSON.parse(readFileSync(startRecord, "utf8")).pid);
  for (const pid of started) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // Already stopped by the runbook: the normal case.
      }
    }
  }
  if (devDatabase) await dropDatabase(devDatabase);
  await stack?.stop();
});

async function answers(url: string): Promise<number | null> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status;
  } catch {
    return null;
  }
}

/** The dev backups of this stack (the backup library reads process.env, which runs point at the stack). */
function backupsOfDev() {
  return withShellEnv({ RUNBOOK_DATA_DIR: stack.dataDir }, () => listBackups("dev"));
}

async function appliedMigrations(): Promise<string[]> {
  const { rows } = await stack.db.query<{ name: string }>(
    "SELECT name FROM pgmigrations ORDER BY run_on, id",
  );
  return rows.map((r) => r.name);
}

async function hasPositionColumn(): Promise<boolean> {
  const { rows } = await stack.db.query(
    "SELECT 1 FROM information_schema.columns WHERE table_name = 'exercises' AND column_name = 'position'",
  );
  return rows.length === 1;
}

/** Runs fn with extra variables in process.env (what an operator's shell would hold), then restores it. */
async function withShellEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const stagingEnv = () => ({
  ...stack.env,
  SSP_STAGING_APP_URL: stack.app.url,
  SSP_STAGING_DATABASE_URL: stack.databaseUrl,
});

describe("pre-deploy-checklist", () => {
  it("prints a ✔/✘ checklist and passes on a healthy dev stack; a missing backup is only a warning in dev", async () => {
    const { result, output } = await stack.run("pre-deploy-checklist", {
      params: { allowDirty: "true", skipLintAndTypecheck: "true" },
    });
    expect(result.status).toBe("ok");
    // The lead commits while tests run: compare with the commit the run resolved, not a constant.
    const commit = (result.results.git as { commit: string }).commit;
    expect(commit).toBe(
      execFileSync("git", ["rev-parse", `${commit}^{commit}`], { cwd: REPO, encoding: "utf8" }).trim(),
    );
    expect(output).toContain(`pre-deploy checklist for dev, HEAD = ${commit.slice(0, 12)}:`);
    expect(output.some((l) => l.startsWith(`  ✔ commit to deploy: HEAD = ${commit.slice(0, 12)} `))).toBe(
      true,
    );
    expect(output.some((l) => /^ {2}✔ git working tree clean, on a branch: /.test(l))).toBe(true);
    expect(output).toContain("  ✔ environment healthy now: /readyz 200 ok");
    expect(
      output.some((l) =>
        /^ {2}✔ database reachable, migrations known: \d+ applied; the deploy will apply 0/.test(l),
      ),
    ).toBe(true);
    expect(output).toContain(
      "  ✘ verified backup younger than 26 h: none among 0 backup(s) of dev: run backup-now, then verify-backup (not required in dev) [warning]",
    );
    expect(output).toContain("  - lint and type-check: skipped (skipLintAndTypecheck)");
  });

  it("fails in staging without a fresh verified backup, and on a ref that is not a commit", async () => {
    const { result, events, output } = await stack.run("pre-deploy-checklist", {
      env: "staging",
      processEnv: stagingEnv(),
      params: { ref: "no-such-branch-9f3", skipLintAndTypecheck: "true" },
    });
    expect(result).toMatchObject({ status: "failed", failedStep: "checklist" });
    expect(output).toContain(
      '  ✘ commit to deploy: "no-such-branch-9f3" is not a commit in this checkout (git fetch, or check the spelling)',
    );
    expect(output).toContain(
      "  ✘ verified backup younger than 26 h: none among 0 backup(s) of staging: run backup-now, then verify-backup",
    );
    expect(failedStepError(events)).toMatch(
      /^not ready to deploy: .*commit to deploy; .*verified backup younger than 26 h/,
    );
  });

  it("runs lint and type-check by default and reports each with its duration", async () => {
    const { result, output } = await stack.run("pre-deploy-checklist", { params: { allowDirty: "true" } });
    const lint = output.find(
      (l) => l.startsWith("  ✔ lint (biome check .)") || l.startsWith("  ✘ lint (biome check .)"),
    );
    const types = output.find((l) => /^ {2}[✔✘] type-check \(tsc --noEmit\)/.test(l));
    expect(lint).toMatch(/: (passed|failed) in \d+\.\d s/);
    expect(types).toMatch(/: (passed|failed) in \d+\.\d s/);
    // Other work in progress in this checkout may fail them; the checklist must then fail too.
    const bothPass = lint?.startsWith("  ✔") && types?.startsWith("  ✔");
    expect(result.status).toBe(bothPass ? "ok" : "failed");
  }, 120_000);
});

describe("post-deploy-verify", () => {
  it("passes on a healthy stack: a timed learner journey with a throwaway account it deletes again", async () => {
    const { result, events, output } = await stack.run("post-deploy-verify");
    expect(result.status).toBe("ok");
    expect(stepStatuses(events)).toEqual({
      health: "ok",
      migrations: "ok",
      ping: "ok",
      "learner-journey": "ok",
      latency: "ok",
      "error-rate": "ok",
    });
    for (const procedure of [
      "accounts.signUp",
      "exercises.next",
      "exercises.submit",
      "progress.summary",
      "leaderboard.top",
      "accounts.logOut",
    ]) {
      expect(
        output.some((l) => new RegExp(`^${procedure.replace(".", "\\.")} +200 +[\\d.]+ ms$`).test(l)),
      ).toBe(true);
    }
    expect(output).toContain("logged-out token refused: 401");
    expect(output.some((l) => /^p95 of 6 calls: [\d.]+ ms \(SLO 200 ms\)/.test(l))).toBe(true);
    expect(output.some((l) => /^tRPC calls since start: \d+, server errors: \d+/.test(l))).toBe(true);
    const email = (result.results["learner-journey"] as { email: string }).email;
    expect(email).toMatch(/^smoke-\d+@example\.invalid$/);
    const { rows } = await stack.db.query("SELECT 1 FROM learners WHERE email = $1", [email]);
    expect(rows).toHaveLength(0);
  });

  it("fails at the first step with a clear message when the app is not running", async () => {
    const { result, events } = await stack.run("post-deploy-verify", {
      processEnv: { ...stack.env, SSP_DEV_APP_URL: "http://127.0.0.1:1" },
    });
    expect(result).toMatchObject({ status: "failed", failedStep: "health" });
    expect(failedStepError(events)).toMatch(
      /^the app at http:\/\/127\.0\.0\.1:1 did not answer GET \/healthz \((ECONNREFUSED|bad port)\): is it running\?.*\(deploy: see current\.json; dev: dev-stack status\)$/,
    );
  });
});

describe("migrate-database", () => {
  it("refuses bad parameters before anything runs", async () => {
    const before = await appliedMigrations();
    await expect(stack.run("migrate-database", { params: { action: "drop-everything" } })).rejects.toThrow(
      /invalid parameters: action/,
    );
    await expect(
      stack.run("migrate-database", { params: { action: "rollback", count: "0" } }),
    ).rejects.toThrow(/invalid parameters: count/);
    expect(await appliedMigrations()).toEqual(before);
    expect(await backupsOfDev()).toEqual([]);
  });

  it("status reads the migrations, without a prompt when only that step runs", async () => {
    const { result, output } = await stack.run("migrate-database", {
      step: "status",
      confirm: async () => "no",
    });
    expect(result.status).toBe("ok");
    expect(output).toContain(`dev: ${MIGRATIONS.length} applied, 0 pending`);
    expect(result.results.status).toMatchObject({ applied: MIGRATIONS, pending: [] });
  });

  it("rolls back after a backup (the app's next item breaks, post-deploy-verify fails), then applies again", async () => {
    // Roll back down to (and including) the migration that adds exercises.position.
    const count = MIGRATIONS.length - MIGRATIONS.indexOf(CURRICULUM);
    const learner = await stack.app.api.ok(
      stack.app.api.mutation<{ token: string }>("accounts.signUp", {
        email: `deploy-${Date.now()}@example.test`,
        password: "a-long-password",
        displayName: "deploy test",
      }),
    );
    const api = stack.app.api.as(learner.token);
    expect((await api.query("exercises.next")).status).toBe(200);

    const down = await stack.run("migrate-database", {
      params: { action: "rollback", count: String(count) },
    });
    expect(down.result.status).toBe("ok");
    expect(stepStatuses(down.events)).toEqual({
      status: "ok",
      backup: "ok",
      apply: "ok",
      rollback: "ok",
      "final-status": "ok",
    });
    expect(await appliedMigrations()).toEqual(MIGRATIONS.slice(0, MIGRATIONS.length - count));
    expect(await hasPositionColumn()).toBe(false);
    const backups = await backupsOfDev();
    expect(backups).toHaveLength(1);
    expect(backups[0]?.tables.exercises?.rows).toBeGreaterThan(100);
    expect(backups[0]?.migrations).toEqual(MIGRATIONS);
    expect(existsSync(path.join(stack.dataDir, "backups/dev", backups[0]?.file ?? "missing"))).toBe(true);
    expect(down.output.some((l) => /^rolled back \d+ migration\(s\) in [\d.]+ s: /.test(l))).toBe(true);

    // The release needs the column: picking the next item fails, and verification says why.
    // Learners practising during that window get server errors.
    for (let i = 0; i < 10; i++) expect((await api.query("exercises.next")).status).toBe(500);
    const verify = await stack.run("post-deploy-verify");
    expect(verify.result).toMatchObject({ status: "failed", failedStep: "health" });
    expect(failedStepError(verify.events)).toMatch(
      /^the app is not ready \(\/readyz 503 unavailable\): migrations down \(pending migrations: /,
    );

    const up = await stack.run("migrate-database", { params: { action: "apply" } });
    expect(up.result.status).toBe("ok");
    expect(await appliedMigrations()).toEqual(MIGRATIONS);
    expect(await hasPositionColumn()).toBe(true);
    expect(await backupsOfDev()).toHaveLength(2);
    expect(up.output).toContain(`dev now: ${MIGRATIONS.length} applied, 0 pending`);
    expect((await api.query("exercises.next")).status).toBe(200);

    // Those 500s are about a third of the calls since the app started: above the critical alert,
    // and verification says so although everything answers again.
    const after = await stack.run("post-deploy-verify");
    expect(after.result).toMatchObject({ status: "failed", failedStep: "error-rate" });
    expect(failedStepError(after.events)).toMatch(
      /^error rate \d+\.\d+% is above the critical alert \(5%\): roll back/,
    );
  }, 60_000);

  it("refuses to roll back more migrations than are applied, before backing up or changing anything", async () => {
    const backups = (await backupsOfDev()).length;
    const { result, events } = await stack.run("migrate-database", {
      params: { action: "rollback", count: String(MIGRATIONS.length + 1) },
    });
    expect(result).toMatchObject({ status: "failed", failedStep: "backup" });
    expect(failedStepError(events)).toMatch(/^cannot roll back \d+ migration\(s\): dev has \d+ applied/);
    expect(await appliedMigrations()).toEqual(MIGRATIONS);
    expect(await backupsOfDev()).toHaveLength(backups);
  });
});

describe("dev-stack", () => {
  it("refuses any environment but dev", async () => {
    const { result, events } = await stack.run("dev-stack", {
      env: "staging",
      processEnv: stagingEnv(),
      params: { action: "status" },
    });
    expect(result).toMatchObject({ status: "failed", failedStep: "check" });
    expect(failedStepError(events)).toBe(
      "dev-stack manages the local stack of this checkout (env dev) only; staging is deployed with the deploy and rollback runbooks",
    );
  });

  it("brings the stack up in the background, reports it, and takes it down gracefully", async () => {
    devDatabase = uniqueName("ssp_devstack");
    const shell = {
      // What an operator's shell holds for `npm start`; the port is the runbook's parameter.
      DATABASE_URL: await createDatabase(devDatabase),
      REDIS_URL: inject("redisUrl"),
      REDIS_KEY_PREFIX: `${inject("redisPrefix")}devstack:`,
      LOG_LEVEL: "warn",
    };
    const port = await freePort();
    const stackFile = path.join(stack.dataDir, "dev-stack.json");

    const up = await withShellEnv(shell, () =>
      stack.run("dev-stack", { params: { action: "up", port: String(port) } }),
    );
    const upResult = up.result.results.up as {
      startPid: number;
      appUrl: string;
      logFile: string;
      seconds: number;
    };
    if (upResult?.startPid) started.add(upResult.startPid);
    expect(up.result.status).toBe("ok");
    expect(upResult.appUrl).toBe(`http://127.0.0.1:${port}`);
    const written = JSON.parse(readFileSync(stackFile, "utf8"));
    expect(written).toMatchObject({
      appUrl: `http://127.0.0.1:${port}`,
      redisPrefix: shell.REDIS_KEY_PREFIX,
    });
    started.add(written.appPid);
    expect(processAlive(upResult.startPid)).toBe(true);
    expect(processAlive(written.appPid)).toBe(true);
    expect(await answers(`http://127.0.0.1:${port}/readyz`)).toBe(200);
    expect(readFileSync(upResult.logFile, "utf8")).toContain("[start] PostgreSQL: DATABASE_URL");
    expect(up.output.some((l) => /^ready in [\d.]+ s: http:\/\/127\.0\.0\.1:\d+\/$/.test(l))).toBe(true);
    const { rows } = await stack.db.query("SELECT 1"); // the scratch stack is untouched
    expect(rows).toHaveLength(1);

    const again = await stack.run("dev-stack", { params: { action: "up", port: String(port) } });
    expect(again.output).toContain(`already up at http://127.0.0.1:${port}: nothing to start`);

    const status = await stack.run("dev-stack", { params: { action: "status" } });
    expect(status.result.status).toBe("ok");
    expect(status.output).toContain(`dev stack: up at http://127.0.0.1:${port}`);
    expect(status.output).toContain(`  app pid ${written.appPid}, start script pid ${upResult.startPid}`);

    const down = await stack.run("dev-stack", { params: { action: "down" } });
    expect(down.result.status).toBe("ok");
    expect(down.result.results.down).toMatchObject({ stopped: true, how: "SIGTERM" });
    expect(existsSync(stackFile)).toBe(false);
    expect(processAlive(upResult.startPid)).toBe(false);
    expect(processAlive(written.appPid)).toBe(false);
    expect(await answers(`http://127.0.0.1:${port}/healthz`)).toBeNull();
    // The app shut down by itself (graceful), it was not killed.
    expect(readFileSync(upResult.logFile, "utf8")).not.toContain("shutdown took too long");

    const after = await stack.run("dev-stack", { params: { action: "status" } });
    expect(after.result.status).toBe("ok");
    expect(after.output).toContain("dev stack: down");
  }, 90_000);
});

describe("deploy and rollback", () => {
  let portA = 0;
  let portB = 0;
  let commit = "";
  const currentJson = () =>
    JSON.parse(readFileSync(path.join(stack.dataDir, "releases/current.json"), "utf8"));

  it("refuses a bad port, a ref that is not a commit, and a port something else uses", async () => {
    await expect(stack.run("deploy", { params: { port: "70000" } })).rejects.toThrow(
      /invalid parameters: port/,
    );
    const bad = await stack.run("deploy", {
      params: { ref: "no-such-tag-1x", port: String(await freePort()) },
    });
    expect(bad.result).toMatchObject({ status: "failed", failedStep: "resolve" });
    expect(failedStepError(bad.events)).toMatch(/^"no-such-tag-1x" is not a commit in /);
    const busy = new URL(stack.app.url).port;
    const taken = await stack.run("deploy", { params: { port: busy } });
    expect(taken.result).toMatchObject({ status: "failed", failedStep: "resolve" });
    expect(failedStepError(taken.events)).toBe(
      `port ${busy} is in use by something that is not the current release: stop it, or deploy with port=<a free port>`,
    );
    expect(existsSync(path.join(stack.dataDir, "releases/current.json"))).toBe(false);
  });

  it("deploys HEAD into its release directory, starts it on the port and records it", async () => {
    portA = await freePort();
    const { result, output } = await stack.run("deploy", { params: { port: String(portA) } });
    const record = result.results.record as { pid: number } | undefined;
    if (record?.pid) started.add(record.pid);
    expect(result.status).toBe("ok");
    // The lead commits while tests run: use the commit the run resolved HEAD to.
    commit = (result.results.resolve as { commit: string }).commit;
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    const dir = path.join(stack.dataDir, "releases", commit);
    expect(JSON.parse(readFileSync(path.join(dir, "RELEASE.json"), "utf8"))).toMatchObject({
      commit,
      ref: "HEAD",
    });
    // The release holds the commit's files (git archive), not the checkout's working tree.
    const tracked = execFileSync(
      "git",
      ["ls-tree", "-r", "--name-only", commit, "practice-app/migrations/"],
      {
        cwd: REPO,
        encoding: "utf8",
      },
    );
    expect(readdirSync(path.join(dir, "practice-app/migrations")).sort()).toEqual(
      tracked
        .split("\n")
        .filter(Boolean)
        .map((f) => path.basename(f))
        .sort(),
    );
    expect(existsSync(path.join(dir, "practice-app/src/main.ts"))).toBe(true);
    expect(lstatSync(path.join(dir, "node_modules")).isSymbolicLink()).toBe(true);
    const current = currentJson();
    expect(current).toMatchObject({ env: "dev", commit, port: portA, previous: null, older: [] });
    expect(processAlive(current.pid)).toBe(true);
    // The running process is the release's own code, not the checkout's.
    expect(readFileSync(`/proc/${current.pid}/cmdline`, "utf8")).toContain(
      path.join(dir, "practice-app/src/main.ts"),
    );
    expect(await answers(`http://127.0.0.1:${portA}/readyz`)).toBe(200);
    expect(
      output.some((l) => /^smoke: ping [\d.]+ ms, signUp [\d.]+ ms .*exercises\.next [\d.]+ ms → /.test(l)),
    ).toBe(true);
    expect(output.some((l) => /^before: \d+ applied, 0 pending/.test(l))).toBe(true);
    expect(output).toContain("nothing to migrate");
    // The smoke check's throwaway account is gone again.
    const { rows } = await stack.db.query(
      "SELECT 1 FROM learners WHERE email LIKE 'smoke-%@example.invalid'",
    );
    expect(rows).toHaveLength(0);
  }, 60_000);

  it("deploys the same commit again on another port: a second release, the first one stopped", async () => {
    const first = currentJson();
    portB = await freePort();
    const { result, output } = await stack.run("deploy", { params: { ref: commit, port: String(portB) } });
    const record = result.results.record as { pid: number } | undefined;
    if (record?.pid) started.add(record.pid);
    expect(result.status).toBe("ok");
    expect(output).toContain(`reusing ${path.join(stack.dataDir, "releases", commit)} (unpacked before)`);
    const current = currentJson();
    expect(current).toMatchObject({
      commit,
      ref: commit,
      port: portB,
      previous: { commit, port: portA, pid: null },
    });
    expect(current.pid).not.toBe(first.pid);
    expect(processAlive(current.pid)).toBe(true);
    expect(processAlive(first.pid)).toBe(false);
    expect(await answers(`http://127.0.0.1:${portB}/readyz`)).toBe(200);
    expect(await answers(`http://127.0.0.1:${portA}/healthz`)).toBeNull();
  }, 60_000);

  it("rolls back to the previous release, and refuses a second rollback with nothing recorded before it", async () => {
    const from = currentJson();
    const { result } = await stack.run("rollback");
    const record = result.results.record as { pid: number } | undefined;
    if (record?.pid) started.add(record.pid);
    expect(result.status).toBe("ok");
    const current = currentJson();
    expect(current).toMatchObject({
      port: portA,
      previous: null,
      rolledBackFrom: { port: portB, pid: null },
    });
    expect(processAlive(current.pid)).toBe(true);
    expect(processAlive(from.pid)).toBe(false);
    expect(await answers(`http://127.0.0.1:${portA}/readyz`)).toBe(200);
    expect(await answers(`http://127.0.0.1:${portB}/healthz`)).toBeNull();

    const again = await stack.run("rollback");
    expect(again.result).toMatchObject({ status: "failed", failedStep: "read-current" });
    expect(failedStepError(again.events)).toMatch(
      /has no previous release recorded: deploy the ref you want instead/,
    );
    expect(processAlive(current.pid)).toBe(true);
  }, 60_000);

  it("a release that does not start leaves the current one serving and unrecorded", async () => {
    const before = readFileSync(path.join(stack.dataDir, "releases/current.json"), "utf8");
    const portC = await freePort();
    // A bad setting in the operator's shell: the app refuses to start (exit code 2).
    const { result, events } = await withShellEnv({ SESSION_SECRET: "too-short" }, () =>
      stack.run("deploy", { params: { ref: commit, port: String(portC) } }),
    );
    expect(result).toMatchObject({ status: "failed", failedStep: "start" });
    expect(failedStepError(events)).toMatch(
      /^the app exited with code 2 before it was ready: bad configuration/,
    );
    expect(failedStepError(events)).toContain("SESSION_SECRET");
    expect(readFileSync(path.join(stack.dataDir, "releases/current.json"), "utf8")).toBe(before);
    expect(processAlive(JSON.parse(before).pid)).toBe(true);
    expect(await answers(`http://127.0.0.1:${portC}/healthz`)).toBeNull();
  }, 60_000);

  it("deploys onto the current release's port by stopping it first", async () => {
    const old = currentJson();
    const { result, output } = await stack.run("deploy", { params: { ref: commit, port: String(portA) } });
    const record = result.results.record as { pid: number } | undefined;
    if (record?.pid) started.add(record.pid);
    expect(result.status).toBe("ok");
    expect(output).toContain(
      `port ${portA} is the current release's: stopping it first (no service until the new one is ready)`,
    );
    const current = currentJson();
    expect(current).toMatchObject({ port: portA, previous: { port: portA, pid: null } });
    expect(current.pid).not.toBe(old.pid);
    expect(processAlive(old.pid)).toBe(false);
    expect(processAlive(current.pid)).toBe(true);
    expect(await answers(`http://127.0.0.1:${portA}/readyz`)).toBe(200);
  }, 60_000);
});
