import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Api, type Learner, signUp } from "../support/api-client.ts";
import { type AppProcess, spawnApp } from "../support/app-process.ts";
import { testEnv } from "../support/test-app.ts";

// Issue 14: the app's database connections are terminated (pg_terminate_backend, as a restart or
// the restore runbook does) twice, under mixed read/write load, one of the cuts landing in the
// middle of a write transaction. The app is its own process, so a crash shows as an exit. Only the
// app's own connections are terminated (by its unique application_name): the shared server is safe.

const REQUEST_DEADLINE_MS = 15_000;

interface Tally {
  statuses: Map<number, number>;
  failures: string[];
  writes: number;
}

let app: AppProcess;
let base: string;
let db: pg.Pool;
const applicationName = `ssp-dbfault-${randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  app = spawnApp({ ...testEnv(), PG_APPLICATION_NAME: applicationName, LOG_LEVEL: "info" });
  base = await app.url;
  db = new pg.Pool({ connectionString: inject("databaseUrl"), max: 3, application_name: "db-faults-test" });
});

afterAll(async () => {
  if (app && app.child.exitCode === null) {
    app.child.kill("SIGTERM");
    await app.exited;
  }
  await db?.end();
});

async function call(tally: Tally, send: () => Promise<{ status: number }>): Promise<number> {
  try {
    const { status } = await send();
    tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
    return status;
  } catch (error) {
    tally.failures.push(String(error));
    return 0;
  }
}

/** One learner practising: next (read), submit (a write transaction), summary (read), until stopped. */
async function practise(learner: Learner, tally: Tally, running: () => boolean): Promise<void> {
  const deadline = () => ({ signal: AbortSignal.timeout(REQUEST_DEADLINE_MS) });
  while (running()) {
    let itemId: string | null = null;
    await call(tally, async () => {
      const res = await learner.api.query<{ item: { id: string } }>("exercises.next", undefined, deadline());
      itemId = res.body.result?.data.item.id ?? null;
      return res;
    });
    if (itemId) {
      const id: string = itemId;
      tally.writes += 1;
      await call(tally, () =>
        learner.api.mutation("exercises.submit", { exerciseId: id, answer: "hablar" }, deadline()),
      );
    }
    await call(tally, () => learner.api.query("progress.summary", undefined, deadline()));
  }
}

async function appBackends(): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
    [applicationName],
  );
  return rows.map((r) => r.pid);
}

async function terminateApp(): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1",
    [applicationName],
  );
  return rows[0]?.n ?? 0;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe("when the app's database connections are terminated under load", () => {
  it("answers 503 for the cut requests only, stays up, and serves the next requests", async () => {
    const api = new Api(base);
    const learners = await Promise.all(["a", "b", "c", "d"].map((tag) => signUp(api, `dbfault-${tag}`)));
    const [held, ...others] = learners as [Learner, ...Learner[]];
    const tally: Tally = { statuses: new Map(), failures: [], writes: 0 };
    let running = true;
    const load = others.map((learner) => practise(learner, tally, () => running));
    await waitFor("the load to reach the database", async () => tally.writes >= 6);

    // Cut 1, mid-transaction: the held learner's submit has begun its transaction and waits on
    // the row lock this test holds, then every app connection is terminated.
    const locker = await db.connect();
    let heldStatus = -1;
    try {
      await locker.query("BEGIN");
      await locker.query("SELECT id FROM learners WHERE id = $1 FOR UPDATE", [held.id]);
      const next = await held.api.ok(held.api.query<{ item: { id: string } }>("exercises.next"));
      const heldSubmit = held.api
        .mutation("exercises.submit", { exerciseId: next.item.id, answer: "hablar" })
        .then((res) => res.status);
      await waitFor("the held submit to wait on the lock inside its transaction", async () => {
        const { rows } = await db.query(
          "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND xact_start IS NOT NULL",
          [applicationName],
        );
        return rows.length > 0;
      });
      expect(await terminateApp()).toBeGreaterThan(0);
      heldStatus = await heldSubmit;
    } finally {
      await locker.query("ROLLBACK");
      locker.release();
    }
    expect(heldStatus).toBe(503);

    // Cut 2, under the same load, once the pool has reconnected.
    const writesBefore = tally.writes;
    await waitFor(
      "the load to continue",
      async () => tally.writes >= writesBefore + 6 && (await appBackends()).length > 0,
    );
    expect(await terminateApp()).toBeGreaterThan(0);
    const writesAfterCut = tally.writes;
    await waitFor("writes after the second cut", async () => tally.writes >= writesAfterCut + 6);
    running = false;
    await Promise.all(load);

    expect(app.child.exitCode).toBeNull();
    expect(tally.failures).toEqual([]);
    const statuses = Object.fromEntries(tally.statuses);
    // Only 200, and 503 for requests the cuts hit: never 500, never a reset.
    expect(Object.keys(statuses).sort()).toEqual(expect.arrayContaining(["200"]));
    for (const status of Object.keys(statuses)) expect(["200", "503"]).toContain(status);

    // After the cuts every learner is served again, writes included.
    for (const learner of learners) {
      const next = await learner.api.ok(learner.api.query<{ item: { id: string } }>("exercises.next"));
      const submitted = await learner.api.mutation("exercises.submit", {
        exerciseId: next.item.id,
        answer: "x",
      });
      expect(submitted.status).toBe(200);
    }
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(app.output()).not.toMatch(/uncaught|unhandled/i);
    console.log(`db-faults: ${tally.writes} writes attempted, statuses ${JSON.stringify(statuses)}`);
  });

  it("stays ready while a lock has every connection of the app's pool waiting", async () => {
    const learner = await signUp(new Api(base), "dbfault-pool");
    const next = await learner.api.ok(learner.api.query<{ item: { id: string } }>("exercises.next"));
    const locker = await db.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("SELECT id FROM learners WHERE id = $1 FOR UPDATE", [learner.id]);
      // 12 submits of one learner: each holds a pool connection (10) waiting on the row lock.
      const submits = Array.from({ length: 12 }, () =>
        learner.api
          .mutation("exercises.submit", { exerciseId: next.item.id, answer: "x" })
          .then((r) => r.status),
      );
      await waitFor("the app's pool to be exhausted", async () => {
        const { rows } = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
          [applicationName],
        );
        return (rows[0]?.n ?? 0) >= 10;
      });
      const ready = await fetch(`${base}/readyz`);
      const body = await ready.json();
      expect(body.checks.postgres.status).toBe("ok");
      expect(ready.status).toBe(200);
      await locker.query("ROLLBACK");
      const statuses = await Promise.all(submits);
      for (const status of statuses) expect([200, 503]).toContain(status);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      locker.release();
    }
  });
});
