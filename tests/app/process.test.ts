import { request } from "node:http";
import { connect } from "node:net";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { migrateUp } from "../../practice-app/src/db/migrations.ts";
import { Api, signUp } from "../support/api-client.ts";
import { spawnApp } from "../support/app-process.ts";
import { createDatabase, dropDatabase, uniqueName } from "../support/services.ts";
import { testEnv } from "../support/test-app.ts";

const scratch: string[] = [];
afterAll(async () => {
  for (const name of scratch) await dropDatabase(name);
});

describe("start-up", () => {
  it("refuses bad configuration, naming every bad variable and what it expects", async () => {
    const app = spawnApp({
      ...testEnv(),
      PORT: "99999",
      DATABASE_URL: "mysql://nope",
      SESSION_SECRET: "short",
      LOG_LEVEL: "loud",
    });
    const { code } = await app.exited;
    expect(code).toBe(2);
    const out = app.output();
    expect(out).toMatch(/PORT is "99999": .*65535/);
    expect(out).toMatch(/DATABASE_URL is "mysql:\/\/nope": expected a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(out).toMatch(/SESSION_SECRET is set \(hidden\): must be at least 32 characters/);
    expect(out).toMatch(/LOG_LEVEL is "loud"/);
    expect(out).not.toContain("short");
  });

  it("refuses to start with pending migrations and names them", async () => {
    const name = uniqueName("ssp_pending");
    scratch.push(name);
    const url = await createDatabase(name);
    const app = spawnApp({ ...testEnv(), DATABASE_URL: url });
    const { code } = await app.exited;
    expect(code).toBe(3);
    expect(app.output()).toMatch(
      /missing 7 migration\(s\) this release needs: 1732560000000_initial-schema, 1732560001000_exercise-curriculum-order, 1732560002000_app-flags, 1732560014000_sessions-expiry-index, 1732560018000_exercise-infinitive-blanks, 1732560018100_learner-accent-tolerant, 1765000000000_password-resets/,
    );
    expect(app.output()).toMatch(/npm run db:migrate -- up/);
  });

  it("starts once migrated, even with an empty exercise bank, and says so", async () => {
    const name = uniqueName("ssp_empty");
    scratch.push(name);
    const url = await createDatabase(name);
    await migrateUp(url, () => undefined);
    const app = spawnApp({ ...testEnv(), DATABASE_URL: url, LOG_LEVEL: "info" });
    const base = await app.url;
    const learner = await signUp(new Api(base), "empty-bank");
    const next = await learner.api.query("exercises.next");
    expect(next.status).toBe(412);
    expect(next.body.error?.message).toMatch(/npm run db:seed/);
    expect(app.output()).toMatch(/exercise bank is empty/);
    app.child.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
  });
});

describe("graceful shutdown", () => {
  it("on SIGTERM flips readiness to 503, finishes in-flight requests, closes pools and exits 0", async () => {
    const app = spawnApp({ ...testEnv(), SHUTDOWN_DRAIN_DELAY_MS: "1500", LOG_LEVEL: "info" });
    const base = await app.url;
    const api = new Api(base);
    // Sign-ups hash a password with scrypt (hundreds of ms each), so several are in flight at once.
    const inFlight = Array.from({ length: 6 }, (_, i) =>
      api.mutation<{ token: string }>("accounts.signUp", {
        email: `drain-${Date.now()}-${i}@example.test`,
        password: "long-enough-pw",
        displayName: "drain",
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    app.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).shuttingDown).toBe(true);

    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const exit = await app.exited;
    expect(exit.code).toBe(0);
    expect(app.output()).toMatch(/shutting down: readiness is now 503/);
    expect(app.output()).toMatch(/shutdown complete/);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it("forces the exit when a request never finishes, after SHUTDOWN_TIMEOUT_MS", async () => {
    const app = spawnApp({ ...testEnv(), SHUTDOWN_TIMEOUT_MS: "1500", LOG_LEVEL: "info" });
    const base = new URL(await app.url);
    // A request whose body never completes stays in flight for ever: only the timer can end it.
    const socket = connect(Number(base.port), base.hostname);
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(
      "POST /trpc/accounts.logIn HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    app.child.kill("SIGTERM");
    const exit = await app.exited;
    socket.destroy();
    expect(exit.code).toBe(1);
    expect(app.output()).toMatch(/shutdown took too long/);
  });

  it("lets procedures whose client hung up finish before closing the pool", async () => {
    const app = spawnApp({ ...testEnv(), LOG_LEVEL: "info" });
    const base = new URL(await app.url);
    const tag = `hangup-${Date.now()}`;
    // Raw sockets destroyed mid-request: the server sees the client gone while scrypt still runs.
    for (let i = 0; i < 4; i++) {
      const body = JSON.stringify({
        email: `${tag}-${i}@example.test`,
        password: "long-enough-pw",
        displayName: "gone",
      });
      const req = request({
        host: base.hostname,
        port: base.port,
        method: "POST",
        path: "/trpc/accounts.signUp",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      });
      req.on("error", () => undefined);
      req.end(body);
      setTimeout(() => req.destroy(), 50);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    app.child.kill("SIGTERM");
    const exit = await app.exited;
    expect(app.output()).not.toMatch(/Cannot use a pool after calling end/);
    expect(exit.code).toBe(0);
    const db = new pg.Client({ connectionString: inject("databaseUrl") });
    await db.connect();
    try {
      const { rows } = await db.query("SELECT count(*)::int AS n FROM learners WHERE email LIKE $1", [
        `${tag}-%`,
      ]);
      expect(rows[0].n).toBe(4);
    } finally {
      await db.end();
    }
  });
});
