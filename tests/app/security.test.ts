import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { REFUSAL_LOG_MESSAGES } from "../../practice-app/src/api/trpc.ts";
import {
  configurePasswordHashing,
  DEFAULT_PASSWORD_HASHING,
  PASSWORD_HASH_THREADS,
} from "../../practice-app/src/auth/passwords.ts";
import { Api, signUp, uniqueEmail } from "../support/api-client.ts";
import { startTestApp, TEST_SESSION_SECRET, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let db: pg.Pool;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_LOGIN_PER_ACCOUNT: "3", RATE_LIMIT_LOGIN_PER_IP: "1000" });
  db = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
});

afterAll(async () => {
  await t?.stop();
  await db?.end();
});

describe("sessions", () => {
  it("stop working the moment they are revoked, also from another instance", async () => {
    const other = await startTestApp();
    try {
      const learner = await signUp(t.api, "revoke");
      const elsewhere = new Api(other.url, learner.token);
      expect((await elsewhere.query("accounts.me")).status).toBe(200);
      // Revoke directly in the database, as the operators' revoke-all runbook does.
      await db.query("UPDATE sessions SET revoked_at = now() WHERE learner_id = $1", [learner.id]);
      expect((await learner.api.query("accounts.me")).status).toBe(401);
      expect((await elsewhere.query("accounts.me")).status).toBe(401);
    } finally {
      await other.stop();
    }
  });

  it("are stored only as an HMAC of the token", async () => {
    const learner = await signUp(t.api, "hash");
    const { rows } = await db.query("SELECT token_hash FROM sessions WHERE learner_id = $1", [learner.id]);
    expect(rows).toHaveLength(1);
    const stored: Buffer = rows[0].token_hash;
    expect(stored.length).toBe(32);
    expect(stored.toString("hex")).not.toContain(Buffer.from(learner.token).toString("hex"));
    const dump = JSON.stringify((await db.query("SELECT * FROM sessions")).rows);
    expect(dump).not.toContain(learner.token);
  });

  it("survive a secret rotation and are re-keyed to the new secret", async () => {
    const learner = await signUp(t.api, "rotate");
    const newSecret = "rotated-secret-abcdefghijklmnopqrstuvwxyz-0123";
    const rotated = await startTestApp({
      SESSION_SECRET: newSecret,
      SESSION_SECRET_PREVIOUS: TEST_SESSION_SECRET,
    });
    const dropped = await startTestApp({ SESSION_SECRET: newSecret });
    try {
      const before = (await db.query("SELECT token_hash FROM sessions WHERE learner_id = $1", [learner.id]))
        .rows[0].token_hash;
      expect((await new Api(dropped.url, learner.token).query("accounts.me")).status).toBe(401);
      expect((await new Api(rotated.url, learner.token).query("accounts.me")).status).toBe(200);
      const after = (await db.query("SELECT token_hash FROM sessions WHERE learner_id = $1", [learner.id]))
        .rows[0].token_hash;
      expect(Buffer.compare(before, after)).not.toBe(0);
      // Re-keyed: the new secret alone now accepts it.
      expect((await new Api(dropped.url, learner.token).query("accounts.me")).status).toBe(200);
    } finally {
      await rotated.stop();
      await dropped.stop();
    }
  });
});

describe("passwords", () => {
  it("are stored as salted scrypt hashes at OWASP cost, never in a recoverable form", async () => {
    const a = await signUp(t.api, "pw");
    const { rows } = await db.query("SELECT password_hash FROM learners WHERE id = $1", [a.id]);
    const hash: string = rows[0].password_hash;
    expect(hash).toMatch(/^scrypt\$17\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(hash).not.toContain(a.password);
    expect(hash).not.toContain(Buffer.from(a.password).toString("base64url"));
    const dump = JSON.stringify((await db.query("SELECT * FROM learners")).rows);
    expect(dump).not.toContain(a.password);
  });
});

describe("login rate limits", () => {
  it("lock an account after repeated attempts, with Retry-After, even with the right password", async () => {
    const victim = await signUp(t.api, "limited");
    for (let i = 0; i < 3; i++) {
      expect(
        (await t.api.mutation("accounts.logIn", { email: victim.email, password: "wrong-password" })).status,
      ).toBe(401);
    }
    const blocked = await t.api.mutation("accounts.logIn", {
      email: victim.email,
      password: victim.password,
    });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error?.message).toMatch(/Too many login attempts/);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/rate_limited_requests_total\{limiter="login_per_account"\} [1-9]/);
  });

  it("limit attempts per client IP across accounts", async () => {
    const strict = await startTestApp({ RATE_LIMIT_LOGIN_PER_IP: "4" });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push(
          (await strict.api.mutation("accounts.logIn", { email: uniqueEmail("ip"), password: "whatever-pw" }))
            .status,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    } finally {
      await strict.stop();
    }
  });

  it("limit API calls per learner", async () => {
    const tight = await startTestApp({ RATE_LIMIT_API_PER_LEARNER: "3" });
    try {
      const learner = await signUp(tight.api, "api-limit");
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await learner.api.query("accounts.me")).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await tight.stop();
    }
  });
});

describe("password hashing under a storm", () => {
  it("turns away sign-ups beyond the hashing queue with 503 and Retry-After, and writes nothing for them", async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino(
      { level: "info" },
      { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    const storm = await startTestApp({ PASSWORD_HASH_QUEUE_MAX: "1" }, logger);
    try {
      const tag = `storm-${Date.now()}`;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          storm.api.mutation("accounts.signUp", {
            email: `${tag}-${i}@example.test`,
            password: "storm-password-123",
            displayName: "storm",
          }),
        ),
      );
      const busy = results.filter((r) => r.status === 503);
      const ok = results.filter((r) => r.status === 200);
      expect(busy.length).toBeGreaterThan(0);
      expect(ok.length + busy.length).toBe(12);
      expect(busy[0]?.body.error?.message).toMatch(/Too many sign-ups and logins at once/);
      expect(busy[0]?.headers.get("retry-after")).toBe("2");
      const stored = await db.query("SELECT count(*)::int AS n FROM learners WHERE email LIKE $1", [
        `${tag}-%`,
      ]);
      expect(stored.rows[0].n).toBe(ok.length);
      // A refusal on purpose, not a server error: its own metric label and log line (policy/alert-rules.ts).
      const metrics = await (await fetch(`${storm.url}/metrics`)).text();
      expect(metrics).toMatch(/trpc_errors_total\{procedure="accounts.signUp",code="BUSY"\} [1-9]/);
      expect(metrics).not.toMatch(
        /trpc_errors_total\{procedure="accounts.signUp",code="SERVICE_UNAVAILABLE"\}/,
      );
      const refusals = lines.filter((l) => l.msg === REFUSAL_LOG_MESSAGES.BUSY);
      expect(refusals).toHaveLength(busy.length);
      expect(refusals.every((l) => l.level === 40)).toBe(true);
      expect(lines.map((l) => l.msg)).not.toContain("procedure failed: database unavailable");
    } finally {
      await storm.stop();
      // The queue is per process (the hashing threads are): give the other tests the defaults back.
      await configurePasswordHashing(DEFAULT_PASSWORD_HASHING);
    }
  });
});

// The Scaling Guide's application page ("Log-ins cost CPU"): a log-in refused as BUSY gives its
// rate-limit points back, so a learner retrying through a wave is never locked out for it.
describe("log-ins refused as busy", () => {
  it("do not count against the account's or the address's limit: a learner retrying through 503s is not locked out", async () => {
    const busy = await startTestApp({ PASSWORD_HASH_QUEUE_MAX: "0", RATE_LIMIT_LOGIN_PER_ACCOUNT: "2" });
    try {
      const learner = await signUp(busy.api, "busy-retry");
      // Every hashing thread busy with someone else's sign-up, and no room to wait.
      const others = Array.from({ length: PASSWORD_HASH_THREADS }, (_, i) =>
        busy.api.mutation("accounts.signUp", {
          email: uniqueEmail(`busy-other-${i}`),
          password: "another-password-123",
          displayName: "other",
        }),
      );
      await expect
        .poll(async () => {
          const metrics = await (await fetch(`${busy.url}/metrics`)).text();
          return Number(/^password_hashing\{state="running"\} (\d+)$/m.exec(metrics)?.[1]);
        })
        .toBe(PASSWORD_HASH_THREADS);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push(
          (await busy.api.mutation("accounts.logIn", { email: learner.email, password: learner.password }))
            .status,
        );
      // Three attempts against a limit of two: without the refund the third is 429.
      expect(statuses).toEqual([503, 503, 503]);
      await Promise.all(others);
      const after = await busy.api.mutation("accounts.logIn", {
        email: learner.email,
        password: learner.password,
      });
      expect(after.status).toBe(200);
    } finally {
      await busy.stop();
      await configurePasswordHashing(DEFAULT_PASSWORD_HASHING);
    }
  });
});
