import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_LEARNER } from "../../practice-app/src/db/seed.ts";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { runRunbook } from "../../runbooks/engine/run.ts";
import { Api, signUp } from "../support/api-client.ts";
import { freePort } from "../support/redis-server.ts";

// `npm start` on a machine with nothing installed: no PostgreSQL and no Redis where it looks, so it
// must fall back to the embedded PGlite and run the app without Redis, saying so. This machine has
// PostgreSQL's server binaries, so SSP_PG_BIN_DIR=none stands in for "not installed" (with them,
// npm start runs a private cluster instead). The week-one runbooks on this stack: week-one.test.ts.

const START = fileURLToPath(new URL("../../scripts/start.ts", import.meta.url));
let child: ChildProcess | null = null;
let dataDir = "";

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("npm start with no services installed", () => {
  it("starts an embedded PGlite, runs without Redis, serves the app, and stops on Ctrl-C", async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "ssp-start-"));
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      PORT: String(port),
      SSP_DATA_DIR: dataDir,
      SSP_LOCAL_PG_PORT: String(await freePort()),
      SSP_LOCAL_REDIS_PORT: String(await freePort()),
      LOG_LEVEL: "warn",
      CONSOLE_PORT: String(await freePort()),
      SSP_PG_BIN_DIR: "none",
    };
    child = spawn(process.execPath, [START], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("press Ctrl-C to stop")) resolve();
      };
      child?.stdout?.on("data", onData);
      child?.stderr?.on("data", onData);
      exited.then((code) =>
        reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`)),
      );
    });

    expect(output).toMatch(/starting an embedded PGlite/);
    // It says how backups work on PGlite (tests/app/week-one.test.ts runs them).
    expect(output).toMatch(
      /backups \(backup-now, verify-backup, dr-drill, restore\) work through this process \(pg_dump inside it, plain SQL\)/,
    );
    expect(output).toMatch(/PostgreSQL: embedded PGlite/);
    expect(output).toMatch(/Redis: none found; the app runs degraded/);
    expect(output).toMatch(/exercise bank \w+: \d{3} items/);
    expect(output).toContain(`practice app:  http://127.0.0.1:${port}/`);
    expect(existsSync(path.join(dataDir, "pglite"))).toBe(true);
    // The console's log is kept, the operator's alone (a console 500 says "see its log"):
    // src/content/docs/using-the-console.mdx and the README say where.
    const consoleLog = path.join(dataDir, "logs", "console.log");
    expect(output).toContain(`console log:   ${consoleLog}`);
    expect((await stat(consoleLog)).mode & 0o777).toBe(0o600);
    await expect.poll(() => readFile(consoleLog, "utf8")).toContain('"msg":"console listening"');

    const base = `http://127.0.0.1:${port}`;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const body = await ready.json();
    expect(body.status).toBe("degraded");
    expect(body.checks.redis.status).toBe("disabled");
    expect(body.checks.postgres.status).toBe("ok");

    const api = new Api(base);
    const demo = await api.ok(
      api.mutation<{ token: string }>("accounts.logIn", {
        email: DEMO_LEARNER.email,
        password: DEMO_LEARNER.password,
      }),
    );
    expect(demo.token).toBeTruthy();
    const learner = await signUp(api, "pglite");
    const next = await learner.api.ok(learner.api.query<{ item: { id: string } }>("exercises.next"));
    const submitted = await learner.api.ok(
      learner.api.mutation<{ outcome: string }>("exercises.submit", {
        exerciseId: next.item.id,
        answer: "zzz",
      }),
    );
    expect(submitted.outcome).toBe("wrong");
    // The leaderboard and progress run several prepared statements in parallel: PGlite must cope.
    expect((await learner.api.query("leaderboard.top")).status).toBe(200);
    expect((await learner.api.query("progress.summary")).status).toBe(200);

    // The handbook with its console: the one-time link signs in, and the console API answers.
    const link = /sign in: +(\S+)/.exec(output)?.[1] ?? "";
    const consoleUrl = new URL(link).origin;
    expect(output).toContain(`handbook:      ${consoleUrl}/`);
    const page = await fetch(`${consoleUrl}/operational-runbook/daily-tasks/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<meta name="ssp-console" content="1">');
    const token = new URLSearchParams(new URL(link).hash.slice(1)).get("token");
    const session = await fetch(`${consoleUrl}/api/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Console-Request": "1", Origin: consoleUrl },
      body: JSON.stringify({ token }),
    });
    expect(session.status).toBe(200);
    const cookie = (session.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const info = await fetch(`${consoleUrl}/api/console`, {
      headers: { "X-Console-Request": "1", Cookie: cookie },
    });
    const body2 = (await info.json()) as {
      environments: Array<{ name: string; configured: boolean; appUrl?: string }>;
    };
    expect(body2.environments[0]).toEqual({
      name: "dev",
      configured: true,
      appUrl: `http://127.0.0.1:${port}`,
    });

    // The first health check passes, pointing at the backup page. A PGlite that is not this
    // checkout's npm start (here: dev's DATABASE_URL named differently) has no process here that
    // can dump it: backup-now and dr-drill refuse at once (not hang in pg_dump), naming what to install.
    const processEnv: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(SSP_DEV_|RUNBOOK_)/.test(key)),
    );
    processEnv.SSP_DATA_DIR = dataDir;
    const run = async (id: string, params: Record<string, unknown> = {}) => {
      const events: RunEvent[] = [];
      const saved = { ...process.env };
      for (const key of Object.keys(process.env)) if (!(key in processEnv)) delete process.env[key];
      Object.assign(process.env, processEnv);
      const started = performance.now();
      try {
        const result = await runRunbook(await findRunbook(id), {
          env: "dev",
          params,
          confirm: true,
          emit: (event) => events.push(event),
          processEnv,
        });
        const failed = events.flatMap((e) => (e.type === "step-end" && e.status === "failed" ? [e] : []));
        return {
          status: result.status,
          error: failed[0]?.type === "step-end" ? (failed[0].error ?? "") : "",
          lines: events.flatMap((e) => (e.type === "output" ? [e.line] : [])).join("\n"),
          seconds: (performance.now() - started) / 1000,
        };
      } finally {
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
      }
    };
    const health = await run("morning-health-check");
    expect(health.status).toBe("ok");
    expect(health.lines).toContain(
      `no backup of dev yet: take one with  npm run runbook -- backup-now  and prove it restores with  npm run runbook -- verify-backup  (how: ${consoleUrl}/operational-runbook/backup-and-restore/#back-up-now)`,
    );
    const stackDatabaseUrl = (
      JSON.parse(await readFile(path.join(dataDir, "dev-stack.json"), "utf8")) as { databaseUrl: string }
    ).databaseUrl;
    processEnv.SSP_DEV_DATABASE_URL = `${stackDatabaseUrl}&application_name=elsewhere`;
    for (const [id, params] of [
      ["backup-now", {}],
      ["dr-drill", { backup: "fresh" }],
    ] as const) {
      const refused = await run(id, params);
      expect(refused.status, `${id} on PGlite`).toBe("failed");
      expect(refused.error).toMatch(
        /runs on an embedded PGlite \(.*\) that is not this checkout's npm start stack/,
      );
      expect(refused.error).toMatch(/Install PostgreSQL \(Debian: apt-get install postgresql/);
      expect(refused.seconds, `${id} refuses at once`).toBeLessThan(10);
    }
    expect(existsSync(path.join(dataDir, "runbooks", "backups", "dev"))).toBe(false);

    child.kill("SIGINT");
    expect(await exited).toBe(0);
    await expect(fetch(`${consoleUrl}/`)).rejects.toThrow();
  }, 120_000);
});
