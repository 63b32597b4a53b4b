import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Learner, signUp, uniqueEmail } from "../support/api-client.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// Every procedure end to end over real HTTP, against this run's PostgreSQL and Redis.

let t: TestApp;
let db: pg.Pool;
let learner: Learner;

interface NextItem {
  reason: string;
  item: {
    id: string;
    sentence: string;
    verb: string;
    translation: string;
    difficulty: number;
    category: { id: string; label: string };
  };
}

beforeAll(async () => {
  t = await startTestApp();
  db = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
  learner = await signUp(t.api, "api");
});

afterAll(async () => {
  await t?.stop();
  await db?.end();
});

async function expected(exerciseId: string): Promise<{ expected: string; accepted: string[] }> {
  const { rows } = await db.query("SELECT expected, accepted FROM exercises WHERE id = $1", [exerciseId]);
  return rows[0];
}

async function tableCounts(): Promise<Record<string, number>> {
  const { rows } = await db.query(`SELECT
    (SELECT count(*)::int FROM learners) AS learners, (SELECT count(*)::int FROM sessions) AS sessions,
    (SELECT count(*)::int FROM reviews) AS reviews, (SELECT count(*)::int FROM cards) AS cards`);
  return rows[0];
}

describe("accounts", () => {
  it("signs up, returns a token that works, and refuses a second account with the same email", async () => {
    const me = await learner.api.ok(learner.api.query<{ id: string; displayName: string }>("accounts.me"));
    expect(me).toEqual({ id: learner.id, displayName: "api" });
    const again = await t.api.mutation("accounts.signUp", {
      email: learner.email.toUpperCase(),
      password: "another-password",
      displayName: "x",
    });
    expect(again.status).toBe(409);
    expect(again.body.error?.message).toMatch(/already exists/);
  });

  it("logs in with the right password only, and each login is a new session", async () => {
    const good = await t.api.ok(
      t.api.mutation<{ token: string }>("accounts.logIn", {
        email: learner.email,
        password: learner.password,
      }),
    );
    expect(good.token).not.toBe(learner.token);
    const bad = await t.api.mutation("accounts.logIn", {
      email: learner.email,
      password: "not-the-password",
    });
    expect(bad.status).toBe(401);
    expect(bad.body.error?.message).toBe("Email or password is wrong.");
    const unknown = await t.api.mutation("accounts.logIn", {
      email: uniqueEmail("nobody"),
      password: "whatever-password",
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error?.message).toBe("Email or password is wrong.");
  });

  it("logs out one session, then every session", async () => {
    const other = await signUp(t.api, "logout");
    const second = await t.api.ok(
      t.api.mutation<{ token: string }>("accounts.logIn", { email: other.email, password: other.password }),
    );
    const third = await t.api.ok(
      t.api.mutation<{ token: string }>("accounts.logIn", { email: other.email, password: other.password }),
    );
    expect(await other.api.ok(other.api.mutation("accounts.logOut"))).toEqual({ revoked: 1 });
    expect((await other.api.query("accounts.me")).status).toBe(401);
    expect((await t.api.as(second.token).query("accounts.me")).status).toBe(200);
    expect(
      await t.api.as(second.token).ok(t.api.as(second.token).mutation("accounts.logOutEverywhere")),
    ).toEqual({ revoked: 2 });
    expect((await t.api.as(second.token).query("accounts.me")).status).toBe(401);
    expect((await t.api.as(third.token).query("accounts.me")).status).toBe(401);
  });

  it("rejects calls without a token or with a forged one", async () => {
    const none = await t.api.query("exercises.next");
    expect(none.status).toBe(401);
    expect(none.body.error?.message).toMatch(/Log in first/);
    const forged = await t.api.as("A".repeat(43)).query("exercises.next");
    expect(forged.status).toBe(401);
  });
});

describe("practice", () => {
  it("serves an item without its answer, grades a correct answer and schedules it", async () => {
    const next = await learner.api.ok(learner.api.query<NextItem>("exercises.next"));
    expect(next.reason).toBe("new");
    expect(next.item.sentence).toContain("___");
    expect(next.item.category.label.length).toBeGreaterThan(0);
    const answer = await expected(next.item.id);
    expect(JSON.stringify(next)).not.toContain(`"${answer.expected}"`);
    const result = await learner.api.ok(
      learner.api.mutation<{
        outcome: string;
        correct: boolean;
        score: number;
        streak: number;
        nextReviewAt: string;
        explanation: string;
      }>("exercises.submit", { exerciseId: next.item.id, answer: answer.expected }),
    );
    expect(result).toMatchObject({ outcome: "correct", correct: true, score: 1, streak: 1 });
    expect(result.explanation.length).toBeGreaterThan(10);
    expect(new Date(result.nextReviewAt).getTime()).toBeGreaterThan(Date.now());
    const { rows } = await db.query(
      "SELECT reps, due > now() AS later FROM cards WHERE learner_id = $1 AND exercise_id = $2",
      [learner.id, next.item.id],
    );
    expect(rows[0]).toEqual({ reps: 1, later: true });
  });

  it("explains a wrong answer and brings the item back sooner than a right one", async () => {
    const next = await learner.api.ok(learner.api.query<NextItem>("exercises.next"));
    const result = await learner.api.ok(
      learner.api.mutation<{ outcome: string; correct: boolean; message: string; expected: string }>(
        "exercises.submit",
        {
          exerciseId: next.item.id,
          answer: "zzzz",
        },
      ),
    );
    expect(result.correct).toBe(false);
    expect(result.outcome).toBe("wrong");
    expect(result.expected).toBe((await expected(next.item.id)).expected);
    expect(result.message.length).toBeGreaterThan(5);
    const { rows } = await db.query(
      `SELECT c.exercise_id, c.due FROM cards c WHERE c.learner_id = $1 ORDER BY c.due`,
      [learner.id],
    );
    expect(rows[0].exercise_id).toBe(next.item.id);
  });

  it("takes one learner's simultaneous answers in turn: every review kept, the card and score counted once each", async () => {
    const racer = await signUp(t.api, "api-race");
    const next = await racer.api.ok(racer.api.query<NextItem>("exercises.next"));
    const answer = (await expected(next.item.id)).expected;
    const submits = 8;
    const results = await Promise.all(
      Array.from({ length: submits }, () =>
        racer.api.ok(
          racer.api.mutation<{ correct: boolean; score: number }>("exercises.submit", {
            exerciseId: next.item.id,
            answer,
          }),
        ),
      ),
    );
    expect(results.every((r) => r.correct)).toBe(true);
    // Each submit saw the one before it (the learner row is locked): scores 1..8, no lost update.
    expect(results.map((r) => r.score).sort((a, b) => a - b)).toEqual(
      Array.from({ length: submits }, (_, i) => i + 1),
    );
    const { rows } = await db.query(
      `SELECT (SELECT count(*)::int FROM reviews WHERE learner_id = $1) AS reviews,
              (SELECT reps FROM cards WHERE learner_id = $1 AND exercise_id = $2) AS reps,
              (SELECT score FROM learners WHERE id = $1) AS score`,
      [racer.id, next.item.id],
    );
    expect(rows[0]).toEqual({ reviews: submits, reps: submits, score: submits });
  });

  it("reports progress by trigger category and tense, and a leaderboard with the learner on it", async () => {
    const progress = await learner.api.ok(
      learner.api.query<{
        score: number;
        streak: { current: number };
        items: { due: number; seen: number; unseen: number };
        overall: { attempts: number; correct: number };
        byCategoryAndTense: Array<{ attempts: number; correct: number; category: { label: string } }>;
      }>("progress.summary"),
    );
    expect(progress.score).toBe(1);
    expect(progress.streak.current).toBe(1);
    expect(progress.overall).toMatchObject({ attempts: 2, correct: 1 });
    expect(progress.items.seen).toBe(2);
    const { rows } = await db.query("SELECT count(*)::int AS n FROM exercises WHERE active");
    expect(progress.items.seen + progress.items.unseen).toBe(rows[0].n);
    expect(progress.byCategoryAndTense.reduce((s, r) => s + r.attempts, 0)).toBe(2);

    const board = await learner.api.ok(
      learner.api.query<{
        top: Array<{ learnerId: string; score: number }>;
        me: { rank: number; score: number };
      }>("leaderboard.top", { limit: 50 }),
    );
    expect(board.me.score).toBe(1);
    expect(board.top.some((row) => row.learnerId === learner.id && row.score === 1)).toBe(true);
  });

  it("answers the trivial procedure without auth", async () => {
    expect(await t.api.ok(t.api.query("system.ping"))).toEqual({ pong: true });
  });
});

describe("bad input gets a clear 4xx and writes nothing", () => {
  const cases: Array<{
    name: string;
    path: string;
    kind: "query" | "mutation";
    input: unknown;
    authed: boolean;
    status: number;
    message: RegExp;
  }> = [
    {
      name: "unknown field on sign-up",
      path: "accounts.signUp",
      kind: "mutation",
      input: { email: uniqueEmail("x"), password: "long-enough-pw", displayName: "x", admin: true },
      authed: false,
      status: 400,
      message: /Unrecognized key.*admin/,
    },
    {
      name: "wrong type",
      path: "accounts.signUp",
      kind: "mutation",
      input: { email: 42, password: "long-enough-pw", displayName: "x" },
      authed: false,
      status: 400,
      message: /email/,
    },
    {
      name: "invalid email",
      path: "accounts.signUp",
      kind: "mutation",
      input: { email: "not-an-email", password: "long-enough-pw", displayName: "x" },
      authed: false,
      status: 400,
      message: /email: not a valid email address/,
    },
    {
      name: "short password",
      path: "accounts.signUp",
      kind: "mutation",
      input: { email: uniqueEmail("x"), password: "short", displayName: "x" },
      authed: false,
      status: 400,
      message: /password: at least 8 characters/,
    },
    {
      name: "oversized display name",
      path: "accounts.signUp",
      kind: "mutation",
      input: { email: uniqueEmail("x"), password: "long-enough-pw", displayName: "x".repeat(41) },
      authed: false,
      status: 400,
      message: /displayName: at most 40/,
    },
    {
      name: "markup in display name",
      path: "accounts.signUp",
      kind: "mutation",
      input: { email: uniqueEmail("x"), password: "long-enough-pw", displayName: "<script>" },
      authed: false,
      status: 400,
      message: /displayName/,
    },
    {
      name: "oversized answer",
      path: "exercises.submit",
      kind: "mutation",
      input: { exerciseId: "x", answer: "a".repeat(61) },
      authed: true,
      status: 400,
      message: /answer: at most 60/,
    },
    {
      name: "malformed exercise id",
      path: "exercises.submit",
      kind: "mutation",
      input: { exerciseId: "../../etc/passwd", answer: "hable" },
      authed: true,
      status: 400,
      message: /exerciseId/,
    },
    {
      name: "unknown exercise",
      path: "exercises.submit",
      kind: "mutation",
      input: { exerciseId: "no-such-item", answer: "hable" },
      authed: true,
      status: 404,
      message: /no exercise "no-such-item"/,
    },
    {
      name: "unknown field on submit",
      path: "exercises.submit",
      kind: "mutation",
      input: { exerciseId: "x", answer: "a", correct: true },
      authed: true,
      status: 400,
      message: /Unrecognized key.*correct/,
    },
    {
      name: "missing input",
      path: "exercises.submit",
      kind: "mutation",
      input: undefined,
      authed: true,
      status: 400,
      message: /Invalid input/,
    },
    {
      name: "leaderboard limit out of range",
      path: "leaderboard.top",
      kind: "query",
      input: { limit: 500 },
      authed: true,
      status: 400,
      message: /limit/,
    },
    {
      name: "malformed JSON body",
      path: "exercises.submit",
      kind: "mutation",
      input: "{not json",
      authed: true,
      status: 400,
      message: /JSON|parse|Unexpected/i,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const before = await tableCounts();
      const api = c.authed ? learner.api : t.api;
      const res = c.kind === "query" ? await api.query(c.path, c.input) : await api.mutation(c.path, c.input);
      expect(res.status).toBe(c.status);
      expect(res.body.error?.message).toMatch(c.message);
      expect(await tableCounts()).toEqual(before);
    });
  }

  it("refuses a body larger than the limit with 413", async () => {
    const before = await tableCounts();
    const res = await learner.api.mutation("exercises.submit", {
      exerciseId: "x",
      answer: "a",
      pad: "x".repeat(40_000),
    });
    expect(res.status).toBe(413);
    expect(await tableCounts()).toEqual(before);
  });

  it("refuses a query procedure called as a mutation and an unknown procedure", async () => {
    expect((await learner.api.mutation("exercises.next")).status).toBe(405);
    const unknown = await learner.api.query("exercises.cheat");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.message).toMatch(/No procedure found/i);
  });
});

describe("plain routes", () => {
  it("serves health, readiness and metrics", async () => {
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    // The release it runs: package.json's version and this checkout's commit (APP_COMMIT unset).
    const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    expect(await health.json()).toMatchObject({ status: "ok", version, commit });
    const ready = await fetch(`${t.url}/readyz`);
    const body = await ready.json();
    expect(ready.status).toBe(200);
    expect(body.status).toBe("ok");
    expect(body.checks.postgres.status).toBe("ok");
    expect(body.checks.redis.status).toBe("ok");
    const migrations = readdirSync("practice-app/migrations").filter((f) => f.endsWith(".sql")).length;
    expect(body.checks.migrations).toMatchObject({ status: "ok", applied: migrations });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(
      /trpc_request_duration_seconds_bucket\{le="0.05",procedure="exercises.submit",type="mutation",status="ok"\} \d+/,
    );
    expect(metrics).toMatch(/trpc_errors_total\{procedure="exercises.submit",code="BAD_REQUEST"\} [1-9]/);
    expect(metrics).toMatch(/pg_pool_connections\{state="max"\} 10/);
    expect(metrics).toMatch(/cache_requests_total\{cache="exercises",result="(hit|miss)"\} [1-9]/);
    expect(metrics).toMatch(/redis_up 1/);
    expect(metrics).toContain(`app_build_info{version="${version}",commit="${commit}"} 1`);
  });

  it("serves the learner page with a strict content security policy", async () => {
    const page = await fetch(`${t.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const html = await page.text();
    const app = /src="(\/assets\/app\.[0-9a-f]{10}\.js)"/.exec(html)?.[1];
    expect(app, "the page loads app.js under its hashed name").toBeDefined();
    expect((await fetch(`${t.url}${app}`)).headers.get("content-type")).toMatch(/javascript/);
    expect((await fetch(`${t.url}/../package.json`)).status).toBe(404);
    expect((await fetch(`${t.url}/readyz`, { method: "POST" })).status).toBe(405);
  });

  it("echoes a sane request id and replaces an unsafe one", async () => {
    const given = await fetch(`${t.url}/healthz`, { headers: { "x-request-id": "abc-123" } });
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const unsafe = await fetch(`${t.url}/healthz`, { headers: { "x-request-id": "a b<script>" } });
    expect(unsafe.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
