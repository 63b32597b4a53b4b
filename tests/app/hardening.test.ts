import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { appRouter } from "../../practice-app/src/api/app-router.ts";
import { createInnerContext } from "../../practice-app/src/api/context.ts";
import { createCallerFactory } from "../../practice-app/src/api/trpc.ts";
import { Api, type Learner, signUp, uniqueEmail } from "../support/api-client.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// Issue 14, hostile and abusive input over real HTTP: sign-up limits, /metrics for allowed
// networks only, NUL characters, malformed Host headers and oversized batches. One app for the
// file; TRUST_PROXY lets a test speak from several client addresses through X-Forwarded-For.

let t: TestApp;
let db: pg.Pool;
let nulLearner: Learner;
let edgeLearner: Learner;

beforeAll(async () => {
  t = await startTestApp({
    TRUST_PROXY: "true",
    SHUTDOWN_DRAIN_DELAY_MS: "0",
    RATE_LIMIT_SIGNUP_PER_IP: "3",
    RATE_LIMIT_SIGNUP_GLOBAL: "7",
    METRICS_ALLOW: "10.0.0.0/8,fd00::/8",
    TRPC_MAX_BATCH_SIZE: "10",
  });
  db = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
  // Signed up first: the sign-up test then spends the rest of the global allowance (7).
  nulLearner = await signUp(t.api, "nul");
  edgeLearner = await signUp(t.api, "edge");
});

afterAll(async () => {
  await t?.stop();
  await db?.end();
});

async function signUpFrom(ip: string, tag: string) {
  const res = await fetch(`${t.url}/trpc/accounts.signUp`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({
      email: uniqueEmail(tag),
      password: `pw-${randomBytes(6).toString("hex")}`,
      displayName: tag,
    }),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() };
}

/** Sends raw bytes and returns the status line and body: fetch would refuse to send a bad Host. */
function rawRequest(port: number, head: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(`${head}\r\nConnection: close\r\n\r\n`));
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString();
    });
    socket.on("end", () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }));
    socket.on("error", reject);
  });
}

describe("sign-up limits", () => {
  it("refuse a fourth sign-up from one address, and any sign-up past the global limit, with 429 and Retry-After", async () => {
    const a = "198.51.100.1";
    const fromA = [];
    for (let i = 0; i < 4; i++) fromA.push(await signUpFrom(a, "limit-a"));
    expect(fromA.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    const refused = fromA[3];
    expect(Number(refused?.retryAfter)).toBeGreaterThan(0);
    expect(refused?.body.error.message).toMatch(/^Too many sign-ups\. Wait \d+ s before trying again\.$/);
    expect(refused?.body.error.data).toMatchObject({ code: "TOO_MANY_REQUESTS", appCode: "RATE_LIMITED" });

    // Global: 2 in beforeAll and 3 from A counted, the refused one not; 2 from B reach 7, then everyone waits.
    const b = "198.51.100.2";
    expect((await signUpFrom(b, "limit-b")).status).toBe(200);
    expect((await signUpFrom(b, "limit-b")).status).toBe(200);
    const c = await signUpFrom("198.51.100.3", "limit-c");
    expect(c.status).toBe(429);
    expect(Number(c.retryAfter)).toBeGreaterThan(0);

    const metrics = await fetch(`${t.url}/metrics`, { headers: { "x-forwarded-for": "10.0.0.7" } });
    const text = await metrics.text();
    expect(text).toMatch(/rate_limited_requests_total\{limiter="signup_per_ip"\} 1/);
    expect(text).toMatch(/rate_limited_requests_total\{limiter="signup_global"\} 1/);
  });
});

describe("/metrics", () => {
  it("is refused to an address outside METRICS_ALLOW, and served to one inside", async () => {
    const outside = await fetch(`${t.url}/metrics`);
    expect(outside.status).toBe(403);
    const refusal = await outside.text();
    expect(refusal).toMatch(/METRICS_ALLOW/);
    expect(refusal).not.toMatch(/process_cpu|trpc_request/);
    const forwardedOutside = await fetch(`${t.url}/metrics`, {
      headers: { "x-forwarded-for": "203.0.113.9" },
    });
    expect(forwardedOutside.status).toBe(403);
    await forwardedOutside.text();

    const inside = await fetch(`${t.url}/metrics`, { headers: { "x-forwarded-for": "10.20.30.40" } });
    expect(inside.status).toBe(200);
    expect(await inside.text()).toMatch(/^# HELP/m);
  });
});

describe("hostile input", () => {
  it("answers 400 to a NUL character in an answer, with no database text, and saves nothing", async () => {
    const learner = nulLearner;
    const before = await db.query("SELECT count(*)::int AS n FROM reviews WHERE learner_id = $1", [
      learner.id,
    ]);
    const next = await learner.api.ok(learner.api.query<{ item: { id: string } }>("exercises.next"));
    for (const answer of ["sea\u0000", "\u0000"]) {
      const res = await learner.api.mutation("exercises.submit", { exerciseId: next.item.id, answer });
      expect(res.status).toBe(400);
      const text = JSON.stringify(res.body);
      expect(text).toMatch(/NUL/);
      expect(text).not.toMatch(/invalid byte sequence|UTF8|0x00|postgres|SQL/i);
    }
    // The same NUL in a query's input.
    const viaGet = await fetch(
      `${t.url}/trpc/leaderboard.top?input=${encodeURIComponent(JSON.stringify({ x: "\u0000" }))}`,
      { headers: { authorization: `Bearer ${learner.token}` } },
    );
    expect(viaGet.status).toBe(400);
    await viaGet.text();
    const after = await db.query("SELECT count(*)::int AS n FROM reviews WHERE learner_id = $1", [
      learner.id,
    ]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it("answers 400 to a malformed Host header, with no internal text", async () => {
    const port = Number(new URL(t.url).port);
    for (const host of ["exa mple.com", "[::1", "a/b", "host:port"]) {
      const res = await rawRequest(port, `GET /trpc/system.ping HTTP/1.1\r\nHost: ${host}`);
      expect(res.status, host).toBe(400);
      expect(res.text).toMatch(/Host header is not a valid host name/);
      expect(res.text).not.toMatch(/Invalid URL|TypeError|at \w+ \(/);
    }
    const fine = await rawRequest(port, "GET /trpc/system.ping HTTP/1.1\r\nHost: app.example:8080");
    expect(fine.status).toBe(200);
  });

  it("refuses a batch over the cap with a clear error and runs none of it", async () => {
    const paths = Array.from({ length: 11 }, () => "accounts.signUp").join(",");
    const inputs = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [
        String(i),
        { email: uniqueEmail("batch"), password: "batch-password-1", displayName: "batch" },
      ]),
    );
    const res = await fetch(`${t.url}/trpc/${paths}?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.77" },
      body: JSON.stringify(inputs),
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.message).toBe(
      "A batch may carry at most 10 calls; this one has 11. Nothing was run: send the calls in smaller batches.",
    );
    const { rows } = await db.query("SELECT count(*)::int AS n FROM learners WHERE display_name = 'batch'");
    expect(rows[0].n).toBe(0);

    const pings = Array.from({ length: 10 }, () => "system.ping").join(",");
    const atCap = await fetch(`${t.url}/trpc/${pings}?batch=1`);
    expect(atCap.status).toBe(200);
    expect(await atCap.json()).toHaveLength(10);
  });

  it("turns a value PostgreSQL cannot store into 400 at the edge, also past the HTTP guard", async () => {
    const learner = edgeLearner;
    const caller = createCallerFactory(appRouter)(createInnerContext(t.app.deps, { token: learner.token }));
    const next = await caller.exercises.next();
    const failure = await caller.exercises.submit({ exerciseId: next.item.id, answer: "sea\u0000" }).then(
      () => null,
      (error: unknown) => error as { code: string; message: string },
    );
    expect(failure?.code).toBe("BAD_REQUEST");
    expect(failure?.message).toMatch(/cannot store/);
    expect(failure?.message).not.toMatch(/invalid byte sequence|UTF8|0x00/);
  });
});

describe("request deadline", () => {
  it("answers 503 with Retry-After when a request outlives REQUEST_TIMEOUT_MS, and frees the client", async () => {
    const quick = await startTestApp({ REQUEST_TIMEOUT_MS: "1000" });
    const locker = await db.connect();
    try {
      const learner = edgeLearner;
      const api = new Api(quick.url, learner.token);
      const next = await api.ok(api.query<{ item: { id: string } }>("exercises.next"));
      await locker.query("BEGIN");
      await locker.query("SELECT id FROM learners WHERE id = $1 FOR UPDATE", [learner.id]);
      const res = await api.mutation("exercises.submit", { exerciseId: next.item.id, answer: "x" });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(res.body.error?.message).toMatch(/did not finish this request within 1000 ms/);
      expect(res.body.error?.data.code).toBe("TIMEOUT");
    } finally {
      await locker.query("ROLLBACK");
      locker.release();
      await quick.stop();
    }
  });
});
