import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createPool } from "../../practice-app/src/db/pool.ts";
import { type PgBouncer, startPgBouncer } from "../../scripts/stack/pgbouncer.ts";
import { signUp } from "../support/api-client.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// The Scaling Guide's PgBouncer (Debian's, 1.18) in transaction mode between the app and the test
// database, with fewer server connections (3) than the app's pool (10): transactions of different
// requests take turns on the same server connections, the case that breaks named prepared
// statements. With PG_TRANSACTION_POOLER=true the app answers every read and write under
// concurrent load and loses no write; without it, PgBouncer refuses the app's connections.

const testDatabase = () => new URL(inject("databaseUrl"));
let bouncer: PgBouncer;
let app: TestApp;
let db: pg.Pool;

beforeAll(async () => {
  const server = testDatabase();
  bouncer = await startPgBouncer(server, { poolSize: 3 });
  app = await startTestApp({
    DATABASE_URL: bouncer.url(server.pathname.slice(1)),
    PG_TRANSACTION_POOLER: "true",
    PG_POOL_MAX: "10",
  });
  db = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
});

afterAll(async () => {
  await app?.stop();
  await bouncer?.stop();
  await db?.end();
});

interface NextItem {
  item: { id: string };
}

describe("the app behind PgBouncer in transaction mode", () => {
  it("answers concurrent practice through 3 shared server connections, every write kept", async () => {
    // One at a time: sign-up is scrypt, deliberately slow, and not what this test is about.
    const learners = [];
    for (let i = 0; i < 4; i++) learners.push(await signUp(app.api, `bouncer-${i}`));
    const rounds = 8;
    const submitted = await Promise.all(
      learners.map(async (learner) => {
        let answers = 0;
        for (let i = 0; i < rounds; i++) {
          const next = await learner.api.ok(learner.api.query<NextItem>("exercises.next"));
          await learner.api.ok(
            learner.api.mutation("exercises.submit", { exerciseId: next.item.id, answer: "hablar" }),
          );
          await learner.api.ok(learner.api.query("progress.summary"));
          answers += 1;
        }
        return answers;
      }),
    );
    expect(submitted).toEqual(learners.map(() => rounds));
    const { rows } = await db.query<{ reviews: number }>(
      "SELECT count(*)::int AS reviews FROM reviews WHERE learner_id = ANY($1::bigint[])",
      [learners.map((l) => l.id)],
    );
    expect(rows[0]?.reviews).toBe(learners.length * rounds);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it("without PG_TRANSACTION_POOLER the pool's connections are refused, naming the startup parameter", async () => {
    const server = testDatabase();
    const settings = {
      connectionString: bouncer.url(server.pathname.slice(1)),
      max: 1,
      statementTimeoutMs: 5_000,
      connectionTimeoutMs: 2_000,
      applicationName: "pgbouncer-test",
    };
    const plain = createPool(settings, pino({ level: "silent" }));
    await expect(plain.query("SELECT 1")).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
    await plain.end();
    const pooled = createPool({ ...settings, transactionPooler: true }, pino({ level: "silent" }));
    try {
      // A named statement goes unnamed: the same name twice on a shared connection is no clash.
      for (let i = 0; i < 3; i++)
        expect(
          (await pooled.query({ name: "same-name", text: "SELECT $1::int AS n", values: [i] })).rows,
        ).toEqual([{ n: i }]);
    } finally {
      await pooled.end();
    }
  });
});
