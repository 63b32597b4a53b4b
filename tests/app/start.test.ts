import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_LEARNER } from "../../practice-app/src/db/seed.ts";
import { Api, signUp } from "../support/api-client.ts";
import { freePort } from "../support/redis-server.ts";

// `npm start` on a machine with nothing installed: no PostgreSQL and no Redis where it looks, so it
// must fall back to the embedded PGlite and run the app without Redis, saying so.

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
    expect(output).toMatch(/PostgreSQL: embedded PGlite/);
    expect(output).toMatch(/Redis: none found; the app runs degraded/);
    expect(output).toMatch(/exercise bank \w+: \d{3} items/);
    expect(output).toContain(`practice app:  http://127.0.0.1:${port}/`);
    expect(existsSync(path.join(dataDir, "pglite"))).toBe(true);

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

    child.kill("SIGINT");
    expect(await exited).toBe(0);
    await expect(fetch(`${consoleUrl}/`)).rejects.toThrow();
  }, 120_000);
});
