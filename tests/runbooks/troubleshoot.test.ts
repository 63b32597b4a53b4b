import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, open, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppProcess, spawnApp } from "../support/app-process.ts";
import { PrivateRedis } from "../support/redis-server.ts";
import { failedStepError, type ScratchStack, startScratchStack, stepStatuses } from "../support/runbooks.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { testEnv } from "../support/test-app.ts";

// The troubleshooting runbooks against a real stack: sessions and locks in the scratch database,
// a private redis-server for CONFIG SET, the app's own rate limiter, a real app process made unready.

let stack: ScratchStack;
beforeAll(async () => {
  // Two log-in attempts per account, so locking the demo learner out costs two scrypt hashes, not five.
  stack = await startScratchStack({ RATE_LIMIT_LOGIN_PER_ACCOUNT: "2" });
});
afterAll(async () => {
  await stack?.stop();
});

/** A client of the scratch database with its own application_name, errors kept (it gets terminated). */
async function session(name: string): Promise<{ client: pg.Client; pid: number; errors: Error[] }> {
  const client = new pg.Client({ connectionString: stack.databaseUrl, application_name: name });
  const errors: Error[] = [];
  client.on("error", (e) => errors.push(e));
  await client.connect();
  const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  return { client, pid: rows[0]?.pid as number, errors };
}

async function alive(pid: number): Promise<boolean> {
  const { rows } = await stack.db.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid]);
  return rows.length > 0;
}

describe("troubleshoot-idle-transactions", () => {
  it("terminates only this database's sessions idle in a transaction past the threshold, with the name given", async () => {
    const name = `rb-idle-${randomBytes(3).toString("hex")}`;
    const idle = await session(name);
    const other = await session(`${name}-other`);
    await idle.client.query("BEGIN; SELECT 1");
    await other.client.query("BEGIN; SELECT 1");
    await new Promise((resolve) => setTimeout(resolve, 1_200));

    const planned = await stack.run("troubleshoot-idle-transactions", {
      plan: true,
      params: { olderThanSeconds: 1, applicationName: name },
    });
    expect(planned.result.status, failedStepError(planned.events)).toBe("ok");
    expect(planned.output.join("\n")).toContain(`would terminate pid ${idle.pid}`);
    expect(await alive(idle.pid)).toBe(true);

    const { result, output } = await stack.run("troubleshoot-idle-transactions", {
      params: { olderThanSeconds: 1, applicationName: name },
    });
    expect(result.status).toBe("ok");
    expect(output.join("\n")).toContain(`terminated pid ${idle.pid}`);
    expect(await alive(idle.pid)).toBe(false);
    expect(await alive(other.pid)).toBe(true);
    await other.client.query("ROLLBACK");
    await other.client.end();
    await idle.client.end().catch(() => undefined);
  });
});

describe("troubleshoot-blocking-query", () => {
  it("finds the session holding the lock, cancel does not release an idle holder, terminate does", async () => {
    const table = `rb_lock_${randomBytes(3).toString("hex")}`;
    await stack.db.query(`CREATE TABLE ${table} (id int)`);
    const holder = await session("rb-lock-holder");
    const waiter = await session("rb-lock-waiter");
    await holder.client.query(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    const waiting = waiter.client.query(`SELECT count(*) FROM ${table}`);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const { result, output, events } = await stack.run("troubleshoot-blocking-query", {
      params: { minWaitSeconds: 0, settleSeconds: 0.5 },
    });
    expect(result.status, failedStepError(events)).toBe("ok");
    const text = output.join("\n");
    expect(text).toContain(`pid ${holder.pid} (rb-lock-holder`);
    expect(text).toContain(`pid ${holder.pid} still blocks`);
    expect(text).toContain(`terminated pid ${holder.pid}`);
    await expect(waiting).resolves.toMatchObject({ rows: [{ count: "0" }] });
    expect(await alive(holder.pid)).toBe(false);
    expect(await alive(waiter.pid)).toBe(true);
    await waiter.client.end();
    await holder.client.end().catch(() => undefined);
    await stack.db.query(`DROP TABLE ${table}`);
  });
});

describe("troubleshoot-redis-memory", () => {
  it("reports memory and policy, and sets the policy on a private redis-server", async () => {
    const redis = await PrivateRedis.start();
    try {
      const env = { ...stack.env, SSP_DEV_REDIS_URL: redis.url };
      const report = await stack.run("troubleshoot-redis-memory", { processEnv: env, step: "memory-report" });
      expect(report.result.status).toBe("ok");
      expect(report.output.join("\n")).toMatch(/maxmemory-policy noeviction; evicted_keys 0/);

      const { result, output } = await stack.run("troubleshoot-redis-memory", {
        processEnv: env,
        params: { policy: "allkeys-lru", maxmemoryMb: 64 },
      });
      expect(result.status).toBe("ok");
      expect(output.join("\n")).toContain("maxmemory-policy noeviction → allkeys-lru");
      const client = new Redis(redis.url);
      expect(await client.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "allkeys-lru"]);
      expect(await client.config("GET", "maxmemory")).toEqual(["maxmemory", String(64 * 1024 * 1024)]);
      client.disconnect();
    } finally {
      await redis.stop();
    }
  });
});

describe("troubleshoot-disk", () => {
  it("reports what fills the directories and deletes only old, closed log files", async () => {
    const logDir = await mkdtemp(path.join(tmpdir(), "ssp-logs-"));
    const old = Date.now() / 1000 - 30 * 86_400;
    const files = {
      oldLog: path.join(logDir, "app.log.1"),
      oldGz: path.join(logDir, "nested", "app.log.2.gz"),
      fresh: path.join(logDir, "app.log"),
      openOld: path.join(logDir, "held.log"),
      notALog: path.join(logDir, "data.json"),
    };
    await rm(path.join(logDir, "nested"), { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.mkdir(path.join(logDir, "nested")));
    for (const f of Object.values(files)) await writeFile(f, "x".repeat(1000));
    for (const f of [files.oldLog, files.oldGz, files.openOld, files.notALog]) await utimes(f, old, old);
    const held = await open(files.openOld, "r");
    try {
      const { result, output } = await stack.run("troubleshoot-disk", {
        params: { logDir, logMaxAgeDays: 7 },
      });
      expect(result.status).toBe("ok");
      const text = output.join("\n");
      expect(text).toMatch(/database ssp_rb\w+: /);
      expect(text).toContain("log files older than 7 days and not open: 2");
      expect(text).toContain("deleted 2 log file(s)");
      expect(existsSync(files.oldLog)).toBe(false);
      expect(existsSync(files.oldGz)).toBe(false);
      expect(existsSync(files.fresh)).toBe(true);
      expect(existsSync(files.openOld)).toBe(true);
      expect(existsSync(files.notALog)).toBe(true);
    } finally {
      await held.close();
      await rm(logDir, { recursive: true, force: true });
    }
  });
});

describe("troubleshoot-rate-limit", () => {
  it("clears the log-in counter of a learner the app locked out, and the learner gets in", async () => {
    const login = (password: string) =>
      fetch(`${stack.app.url}/trpc/accounts.logIn`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "demo@example.com", password }),
      });
    let status = 0;
    for (let i = 0; i < 8 && status !== 429; i++) status = (await login("wrong-password-123")).status;
    expect(status).toBe(429);
    expect((await login("practica-el-subjuntivo")).status).toBe(429);

    const { result, output } = await stack.run("troubleshoot-rate-limit", {
      params: { email: "Demo@Example.com" },
    });
    expect(result.status).toBe("ok");
    expect(output.join("\n")).toMatch(/rl:login-account:demo@example\.com: \d+ point\(s\) used/);
    expect(output.join("\n")).toContain("deleted 1 counter(s)");
    expect((await login("practica-el-subjuntivo")).status).toBe(200);
  });

  it("refuses a run that names nobody", async () => {
    await expect(stack.run("troubleshoot-rate-limit", { params: {} })).rejects.toThrow(
      /email, ip or learnerId/,
    );
  });
});

describe("troubleshoot-exercise-bank", () => {
  it("reloads an emptied bank through the app's seed command", async () => {
    await stack.db.query("UPDATE exercises SET active = false");
    const { result, output, events } = await stack.run("troubleshoot-exercise-bank");
    expect(result.status, failedStepError(events)).toBe("ok");
    expect(output.join("\n")).toContain('learners get 412 "The exercise bank is empty"');
    const { rows } = await stack.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM exercises WHERE active",
    );
    expect(rows[0]?.n).toBeGreaterThan(10);
  });
});

describe("troubleshoot-replication-slot", () => {
  it("drops the named inactive slot that holds WAL, and refuses a name that is no slot", async () => {
    const slot = `ssp_rb_${randomBytes(4).toString("hex")}`;
    await stack.db.query("SELECT pg_create_physical_replication_slot($1, true)", [slot]);
    try {
      const missing = await stack.run("troubleshoot-replication-slot", { params: { slot: `${slot}_nope` } });
      expect(missing.result.status).toBe("failed");
      expect(failedStepError(missing.events)).toContain(`there is no replication slot "${slot}_nope"`);

      const { result, output } = await stack.run("troubleshoot-replication-slot", { params: { slot } });
      expect(result.status).toBe("ok");
      expect(output.join("\n")).toMatch(new RegExp(`${slot} \\(physical\\): inactive, holds`));
      const { rows } = await stack.db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", [
        slot,
      ]);
      expect(rows).toHaveLength(0);
    } finally {
      await stack.db
        .query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", [
          slot,
        ])
        .catch(() => undefined);
    }
  });
});

describe("troubleshoot-stuck-instance", () => {
  let app: AppProcess | undefined;
  const proxy = new TcpProxy({
    host: "127.0.0.1",
    port: Number(
      new URL(process.env.TEST_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres").port ||
        5432,
    ),
  });
  afterAll(async () => {
    if (app && app.child.exitCode === null) app.child.kill("SIGKILL");
    await proxy.close();
  });

  it("finds the process that is alive but unready and stops it; the ready app is left alone", async () => {
    const port = await proxy.listen();
    const url = new URL(stack.databaseUrl);
    url.host = `127.0.0.1:${port}`;
    app = spawnApp({
      ...testEnv(),
      DATABASE_URL: url.toString(),
      PORT: "0",
      LOG_LEVEL: "info",
      SHUTDOWN_TIMEOUT_MS: "3000",
    });
    const base = await app.url;
    proxy.cut();
    // PostgreSQL unreachable: /readyz 503, /healthz 200, the process lives.
    for (let i = 0; i < 40; i++) {
      if ((await fetch(`${base}/readyz`)).status === 503) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const { result, output, events } = await stack.run("troubleshoot-stuck-instance", {
      params: { urls: base, observeSeconds: 1, stopTimeoutSeconds: 5 },
    });
    expect(result.status, failedStepError(events)).toBe("ok");
    expect(stepStatuses(events)).toEqual({ "find-stuck": "ok", "stop-stuck": "ok" });
    const text = output.join("\n");
    expect(text).toContain(`${base} is STUCK: pid ${app.child.pid}`);
    expect(text).toContain(`${stack.app.url}: /healthz 200, /readyz 200`);
    const exit = await app.exited;
    expect(exit.signal ?? exit.code).not.toBeNull();
    expect((await fetch(`${stack.app.url}/readyz`)).status).toBe(200);
  });
});
