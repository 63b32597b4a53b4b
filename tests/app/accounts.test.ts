import { createHash } from "node:crypto";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { appRouter } from "../../practice-app/src/api/app-router.ts";
import { createInnerContext } from "../../practice-app/src/api/context.ts";
import { createCallerFactory } from "../../practice-app/src/api/trpc.ts";
import { type App, createApp } from "../../practice-app/src/app.ts";
import { LEADERBOARD_KEY } from "../../practice-app/src/cache/keys.ts";
import { loadConfig } from "../../practice-app/src/config/config.ts";
import { Api, type Learner, signUp, uniqueEmail } from "../support/api-client.ts";
import { type SmtpInbox, startSmtpInbox } from "../support/smtp-inbox.ts";
import { testEnv } from "../support/test-app.ts";

// Accounts a learner controls, through the real app over HTTP: password reset by an e-mailed link
// (read from a local SMTP server), export of the learner's data, deletion. Each leaves an audit line.

const PUBLIC_URL = "https://learn.example.test";
let app: App;
let api: Api;
let db: pg.Pool;
let inbox: SmtpInbox;
const log: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  inbox = await startSmtpInbox();
  const config = loadConfig(
    testEnv({
      SMTP_URL: inbox.url,
      SMTP_FROM: "Subjuntivo <no-reply@example.test>",
      PUBLIC_URL,
      RATE_LIMIT_RESET_PER_ACCOUNT: "2",
      RATE_LIMIT_ACCOUNT_DATA_PER_LEARNER: "3",
    }),
  );
  // The app's own log, kept to check the audit lines.
  const stream = { write: (line: string) => void log.push(JSON.parse(line)) };
  app = await createApp(config, pino({ level: "info" }, stream));
  api = new Api(await app.listen());
  db = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
});

afterAll(async () => {
  await app?.stop("test finished");
  await inbox?.close();
  await db?.end();
});

const audits = (name: string) => log.filter((line) => line.audit === name);

function linkToken(text: string): string {
  const match = new RegExp(`${PUBLIC_URL.replace(/\./g, "\\.")}/#reset=([A-Za-z0-9_-]{43})`).exec(text);
  if (!match?.[1]) throw new Error(`no reset link in the e-mail:\n${text}`);
  return match[1];
}

describe("password reset", () => {
  let learner: Learner;
  beforeAll(async () => {
    learner = await signUp(api, "reset");
  });

  it("answers alike for a known and an unknown address, and mails a link only to the known one", async () => {
    const before = inbox.messages.length;
    const known = await api.mutation("account.requestPasswordReset", { email: learner.email });
    const stranger = uniqueEmail("stranger");
    const unknown = await api.mutation("account.requestPasswordReset", { email: stranger });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual(known.body);
    const mail = await inbox.waitFor(learner.email, before);
    expect(mail.text).toMatch(/Subject: Choose a new password/);
    expect(mail.text).toMatch(/From: Subjuntivo <no-reply@example\.test>/);
    const token = linkToken(mail.text);
    // Only the hash is stored.
    const { rows } = await db.query(
      "SELECT token_hash, expires_at > now() AS live, used_at FROM password_resets WHERE learner_id = $1",
      [learner.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash.equals(createHash("sha256").update(token).digest())).toBe(true);
    expect(rows[0]).toMatchObject({ live: true, used_at: null });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(inbox.messages.slice(before).some((m) => m.to.includes(stranger))).toBe(false);

    // The link sets a new password once, ends every session, and then stops working.
    const reset = await api.ok(
      api.mutation("account.resetPassword", { token, password: "a-brand-new-password" }),
    );
    expect(reset).toEqual({ reset: true, sessionsEnded: 1 });
    expect((await learner.api.query("accounts.me")).status).toBe(401);
    const old = await api.mutation("accounts.logIn", { email: learner.email, password: learner.password });
    expect(old.status).toBe(401);
    await api.ok(api.mutation("accounts.logIn", { email: learner.email, password: "a-brand-new-password" }));
    const again = await api.mutation("account.resetPassword", { token, password: "yet-another-password" });
    expect(again.status).toBe(400);
    expect(again.body.error?.message).toMatch(/does not work any more/);

    const requested = audits("password_reset.requested");
    expect(requested.map((line) => line.learnerId)).toEqual(expect.arrayContaining([learner.id, null]));
    expect(requested).toHaveLength(2);
    expect(audits("password_reset.completed")).toHaveLength(1);
    expect(audits("password_reset.refused")).toHaveLength(1);
    const logged = JSON.stringify(log);
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(learner.email);
    expect(logged).not.toContain("a-brand-new-password");
  });

  it("refuses an expired link, and limits requests per address with Retry-After", async () => {
    const other = await signUp(api, "expiry");
    const before = inbox.messages.length;
    await api.ok(api.mutation("account.requestPasswordReset", { email: other.email }));
    const token = linkToken((await inbox.waitFor(other.email, before)).text);
    await db.query(
      "UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE learner_id = $1",
      [other.id],
    );
    const expired = await api.mutation("account.resetPassword", { token, password: "too-late-password" });
    expect(expired.status).toBe(400);
    await api.ok(api.mutation("account.requestPasswordReset", { email: other.email }));
    const limited = await api.mutation("account.requestPasswordReset", { email: other.email });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("is refused with a clear message when no sender is configured, whatever the address", async () => {
    const caller = createCallerFactory(appRouter)(createInnerContext({ ...app.deps, mailer: null }));
    await expect(caller.account.requestPasswordReset({ email: uniqueEmail("x") })).rejects.toThrow(
      /not set up on this server/,
    );
  });
});

describe("export and deletion", () => {
  it("exports the learner's own data as JSON, without the password hash, within a rate limit", async () => {
    const learner = await signUp(api, "export");
    const next = await learner.api.ok(learner.api.query<{ item: { id: string } }>("exercises.next"));
    const { rows } = await db.query("SELECT expected FROM exercises WHERE id = $1", [next.item.id]);
    await learner.api.ok(
      learner.api.mutation("exercises.submit", { exerciseId: next.item.id, answer: rows[0].expected }),
    );
    const data = await learner.api.ok(
      learner.api.query<{
        format: string;
        profile: Record<string, unknown>;
        scores: { score: number; leaderboardRank: number | null };
        cards: Array<{ exerciseId: string }>;
        reviews: Array<{ exerciseId: string; correct: boolean }>;
        sessions: unknown[];
      }>("account.exportData"),
    );
    expect(data.format).toBe("subjunctive-practice-export/1");
    expect(data.profile).toMatchObject({
      id: learner.id,
      email: learner.email,
      displayName: "export",
      score: 1,
    });
    expect(Object.keys(data.profile)).not.toContain("passwordHash");
    expect(JSON.stringify(data)).not.toMatch(/scrypt\$/);
    expect(data.scores.score).toBe(1);
    expect(data.scores.leaderboardRank).toBeGreaterThanOrEqual(1);
    expect(data.cards.map((c) => c.exerciseId)).toEqual([next.item.id]);
    expect(data.reviews).toMatchObject([{ exerciseId: next.item.id, correct: true }]);
    expect(data.sessions).toHaveLength(1);
    expect(audits("account.exported").some((line) => line.learnerId === learner.id)).toBe(true);
    await learner.api.ok(learner.api.query("account.exportData"));
    await learner.api.ok(learner.api.query("account.exportData"));
    expect((await learner.api.query("account.exportData")).status).toBe(429);
  });

  it("deletes sessions, cards, reviews, links and the leaderboard entry, only with the password", async () => {
    const learner = await signUp(api, "delete");
    const next = await learner.api.ok(learner.api.query<{ item: { id: string } }>("exercises.next"));
    const { rows } = await db.query("SELECT expected FROM exercises WHERE id = $1", [next.item.id]);
    await learner.api.ok(
      learner.api.mutation("exercises.submit", { exerciseId: next.item.id, answer: rows[0].expected }),
    );
    // The board exists in Redis with the learner on it.
    await learner.api.ok(learner.api.query("leaderboard.top"));
    const score = () => app.deps.redis.run((client) => client.zscore(LEADERBOARD_KEY, learner.id));
    expect(await score()).toBe("1");
    const mailsBefore = inbox.messages.length;
    await api.ok(api.mutation("account.requestPasswordReset", { email: learner.email }));
    await inbox.waitFor(learner.email, mailsBefore); // the link is stored before it is mailed

    const wrong = await learner.api.mutation("account.deleteAccount", { password: "not-my-password" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.message).toMatch(/Nothing was deleted/);
    expect((await learner.api.query("accounts.me")).status).toBe(200);

    const deleted = await learner.api.ok(
      learner.api.mutation("account.deleteAccount", { password: learner.password }),
    );
    expect(deleted).toEqual({ deleted: true, sessions: 1, cards: 1, reviews: 1, passwordResets: 1 });
    const left = await db.query(
      `SELECT (SELECT count(*)::int FROM learners WHERE id = $1) AS learners,
         (SELECT count(*)::int FROM sessions WHERE learner_id = $1) AS sessions,
         (SELECT count(*)::int FROM cards WHERE learner_id = $1) AS cards,
         (SELECT count(*)::int FROM reviews WHERE learner_id = $1) AS reviews,
         (SELECT count(*)::int FROM password_resets WHERE learner_id = $1) AS resets`,
      [learner.id],
    );
    expect(left.rows[0]).toEqual({ learners: 0, sessions: 0, cards: 0, reviews: 0, resets: 0 });
    expect(await score()).toBeNull();
    expect((await learner.api.query("accounts.me")).status).toBe(401);
    const login = await api.mutation("accounts.logIn", { email: learner.email, password: learner.password });
    expect(login.status).toBe(401);
    const audit = audits("account.deleted").find((line) => line.learnerId === learner.id);
    expect(audit).toMatchObject({ sessions: 1, cards: 1, reviews: 1 });
    expect(audits("account.delete_refused").some((line) => line.learnerId === learner.id)).toBe(true);
  });
});
