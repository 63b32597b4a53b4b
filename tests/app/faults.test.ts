import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Learner, signUp } from "../support/api-client.ts";
import { PrivateRedis } from "../support/redis-server.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// Real faults: a private Redis that is frozen (SIGSTOP) and killed, and a TCP proxy in front of the
// real PostgreSQL that is cut. "No request hangs" is checked with an abort deadline far above the
// configured timeouts: a request still open then is a hang, not a slow answer.

const HANG_DEADLINE_MS = 5_000;
const deadline = () => ({ signal: AbortSignal.timeout(HANG_DEADLINE_MS) });

interface NextItem {
  item: { id: string };
}

async function readiness(
  url: string,
): Promise<{ status: number; body: { status: string; checks: Record<string, { status: string }> } }> {
  const res = await fetch(`${url}/readyz`, deadline());
  return { status: res.status, body: await res.json() };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function practise(learner: Learner, db: pg.Pool, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const next = await learner.api.ok(learner.api.query<NextItem>("exercises.next", undefined, deadline()));
    const { rows } = await db.query("SELECT expected FROM exercises WHERE id = $1", [next.item.id]);
    await learner.api.ok(
      learner.api.mutation(
        "exercises.submit",
        { exerciseId: next.item.id, answer: rows[0].expected },
        deadline(),
      ),
    );
  }
}

async function reviewCount(db: pg.Pool, learnerId: string): Promise<number> {
  const { rows } = await db.query("SELECT count(*)::int AS n FROM reviews WHERE learner_id = $1", [
    learnerId,
  ]);
  return rows[0].n;
}

describe("when Redis freezes or dies", () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let db: pg.Pool;
  let learner: Learner;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    t = await startTestApp({
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: "200",
      RATE_LIMIT_LOGIN_PER_ACCOUNT: "4",
    });
    db = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
    learner = await signUp(t.api, "redis-fault");
    await practise(learner, db, 3);
    expect((await readiness(t.url)).body.status).toBe("ok");
  });

  afterAll(async () => {
    redis?.resume();
    await t?.stop();
    await redis?.stop();
    await db?.end();
  });

  for (const fault of ["paused", "stopped"] as const) {
    it(`keeps serving from PostgreSQL while Redis is ${fault}, reports degraded, and loses nothing`, async () => {
      const before = await reviewCount(db, learner.id);
      if (fault === "paused") redis.pause();
      else await redis.stop();

      await practise(learner, db, 4);
      const progress = await learner.api.ok(
        learner.api.query<{ overall: { attempts: number } }>("progress.summary", undefined, deadline()),
      );
      expect(progress.overall.attempts).toBe(before + 4);
      const board = await learner.api.ok(
        learner.api.query<{ source: string; me: { score: number } }>(
          "leaderboard.top",
          undefined,
          deadline(),
        ),
      );
      expect(board.source).toBe("postgres");
      expect(board.me.score).toBe(before + 4);

      const ready = await readiness(t.url);
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe("degraded");
      expect(ready.body.checks.redis?.status).toBe("down");
      expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/redis_up 0/);

      if (fault === "paused") redis.resume();
      else await redis.start();
      await waitFor(
        "readiness to report ok again",
        async () => (await readiness(t.url)).body.status === "ok",
      );
      expect(await reviewCount(db, learner.id)).toBe(before + 4);
      const after = await learner.api.ok(
        learner.api.query<{ source: string; me: { score: number } }>("leaderboard.top"),
      );
      expect(after.source).toBe("redis");
      expect(after.me.score).toBe(before + 4);
    });
  }

  it("falls back to a stricter in-process login limit, never to none", async () => {
    const victim = await signUp(t.api, "redis-down-login");
    await redis.stop();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push(
          (
            await t.api.mutation(
              "accounts.logIn",
              { email: victim.email, password: "wrong-password" },
              deadline(),
            )
          ).status,
        );
      }
      // Shared limit is 4 per account; the in-process fallback allows half of that.
      expect(statuses).toEqual([401, 401, 429, 429]);
    } finally {
      await redis.start();
      await waitFor("Redis to be back", async () => (await readiness(t.url)).body.status === "ok");
    }
  });
});

describe("when PostgreSQL becomes unreachable", () => {
  let proxy: TcpProxy;
  let t: TestApp;
  let learner: Learner;

  beforeAll(async () => {
    const target = new URL(inject("databaseUrl"));
    proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const port = await proxy.listen();
    const viaProxy = new URL(target);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(port);
    t = await startTestApp({
      DATABASE_URL: viaProxy.toString(),
      PG_CONNECTION_TIMEOUT_MS: "500",
      PG_STATEMENT_TIMEOUT_MS: "1000",
    });
    learner = await signUp(t.api, "pg-fault");
  });

  afterAll(async () => {
    proxy?.restore();
    await t?.stop();
    await proxy?.close();
  });

  it("answers 503 with a clear message, stays alive, and recovers when the database returns", async () => {
    proxy.cut();
    const ready = await readiness(t.url);
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe("unavailable");
    expect(ready.body.checks.postgres?.status).toBe("down");

    const next = await learner.api.query("exercises.next", undefined, deadline());
    expect(next.status).toBe(503);
    expect(next.body.error?.message).toMatch(/database is not answering/);
    const login = await t.api.mutation(
      "accounts.logIn",
      { email: learner.email, password: learner.password },
      deadline(),
    );
    expect(login.status).toBe(503);
    expect((await fetch(`${t.url}/healthz`, deadline())).status).toBe(200);

    proxy.restore();
    await waitFor("readiness to recover", async () => (await readiness(t.url)).status === 200);
    expect((await learner.api.query("exercises.next", undefined, deadline())).status).toBe(200);
  });
});
