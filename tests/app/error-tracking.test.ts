import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateUp } from "../../practice-app/src/db/migrations.ts";
import { type AppProcess, spawnApp } from "../support/app-process.ts";
import { INBOX_KEY, type SentryInbox, startSentryInbox } from "../support/sentry-inbox.ts";
import { createDatabase, dropDatabase, uniqueName } from "../support/services.ts";
import { testEnv } from "../support/test-app.ts";

// Error tracking (the Incident Response guide, "Where errors are reported"): with SENTRY_DSN set,
// the spawned app reports a 5xx and an unhandled error to a Sentry-compatible endpoint, through the
// real @sentry/node SDK and its HTTP transport, scrubbed of what a request or an error carries.
// Without it, the SDK is never imported and nothing is sent.

const PROBE = ["--import", fileURLToPath(new URL("../support/sentry-probe.ts", import.meta.url))];
const VICTIM = "victim.learner@example.org";
const PASSWORD = "correct-horse-battery-staple";
const COOKIE = "sid=cookie-value-never-sent";
const TOKEN = "A".repeat(43);

let inbox: SentryInbox;
let databaseName: string;
let databaseUrl: string;
const apps: AppProcess[] = [];

beforeAll(async () => {
  inbox = await startSentryInbox();
  databaseName = uniqueName("ssp_sentry");
  databaseUrl = await createDatabase(databaseName);
  await migrateUp(databaseUrl, () => undefined);
  // A sign-up fails in the database with a message quoting the e-mail address: a realistic 500
  // whose error text carries personal data.
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(`
    CREATE FUNCTION refuse_signup() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'sign-up of % failed in a trigger', NEW.email; END $$;
    CREATE TRIGGER refuse_signup BEFORE INSERT ON learners FOR EACH ROW EXECUTE FUNCTION refuse_signup();
  `);
  await db.end();
});

afterAll(async () => {
  for (const app of apps) if (app.child.exitCode === null) app.child.kill("SIGKILL");
  await inbox?.close();
  if (databaseName) await dropDatabase(databaseName);
});

function start(extra: Record<string, string>): AppProcess {
  const app = spawnApp({ ...testEnv(), DATABASE_URL: databaseUrl, LOG_LEVEL: "info", ...extra }, PROBE);
  apps.push(app);
  return app;
}

/** A sign-up that ends in a 500, sent with credentials the tracker must never see. */
async function failingSignUp(base: string): Promise<number> {
  const res = await fetch(`${base}/trpc/accounts.signUp`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}`, Cookie: COOKIE },
    body: JSON.stringify({ email: VICTIM, password: PASSWORD, displayName: "Victim" }),
  });
  await res.arrayBuffer();
  return res.status;
}

function expectNothingSecret(raw: string): void {
  for (const secret of [VICTIM, PASSWORD, "cookie-value-never-sent", TOKEN, "hunter2-probe", "db-pass-probe"])
    expect(raw).not.toContain(secret);
}

describe("error tracking", () => {
  it("reports a 5xx and an unhandled error through the SDK, scrubbed", async () => {
    const app = start({ SENTRY_DSN: inbox.dsn, SENTRY_ENVIRONMENT: "test-sentry" });
    const base = await app.url;
    expect(await failingSignUp(base)).toBe(500);

    const failure = await inbox.waitFor((e) => e.event.tags !== undefined);
    expect(failure.project).toBe("42");
    expect(failure.sentryKey).toBe(INBOX_KEY);
    const event = failure.event as {
      environment: string;
      tags: Record<string, string>;
      exception: { values: Array<{ value: string }> };
      request?: { headers?: Record<string, string> };
      user?: unknown;
    };
    expect(event.environment).toBe("test-sentry");
    expect(event.tags).toMatchObject({ "http.status_code": "500", procedure: "accounts.signUp" });
    expect(event.tags.request_id).toMatch(/\S/);
    // The incident toolkit tells the reader which tags to filter on: the ones an event carries.
    const toolkit = readFileSync(
      fileURLToPath(new URL("../../src/content/docs/incident-response/toolkit.mdx", import.meta.url)),
      "utf8",
    );
    for (const tag of Object.keys(event.tags)) expect(toolkit).toContain(`\`${tag}\``);
    const messages = event.exception.values.map((v) => v.value).join("\n");
    expect(messages).toContain("sign-up of [email] failed in a trigger");
    expect(event.user).toBeUndefined();
    expectNothingSecret(failure.raw);

    // An error nobody catches: reported, then the process exits as Node would (code 1).
    app.child.kill("SIGUSR2");
    const crash = await inbox.waitFor((e) => JSON.stringify(e.event).includes("unhandled probe"));
    const crashText = JSON.stringify(crash.event);
    expect(crashText).toContain("learner [email]");
    expect(crashText).toContain("password=[Filtered]");
    expect(crashText).toContain("postgres://[Filtered]@db:5432/ssp");
    expect(crash.event.level).toBe("fatal");
    expectNothingSecret(crash.raw);
    expect((await app.exited).code).toBe(1);
    expect(app.output()).toContain("SENTRY_SDK_LOADED");
  });

  it("without SENTRY_DSN, never imports the SDK and sends nothing", async () => {
    const before = inbox.bodies.length;
    const app = start({});
    const base = await app.url;
    expect(await failingSignUp(base)).toBe(500);
    app.child.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
    expect(app.output()).not.toContain("SENTRY_SDK_LOADED");
    expect(inbox.bodies.length).toBe(before);
  });
});
