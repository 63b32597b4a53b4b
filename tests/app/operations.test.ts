import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, signUp } from "../support/api-client.ts";
import { type ScratchStack, startScratchStack } from "../support/runbooks.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// The switches operators (and their runbooks) use on a running app: maintenance mode in
// app_flags, and session secrets in a file that is re-read when it changes. A private database,
// because maintenance mode applies to every app on a database.

let stack: ScratchStack;
let dir: string;
beforeAll(async () => {
  stack = await startScratchStack();
  dir = await mkdtemp(path.join(tmpdir(), "ssp-ops-"));
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 8_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("maintenance mode", () => {
  it("answers 503 with the operator's message on every call but the ping, stays ready, and comes back", async () => {
    const learner = await signUp(stack.app.api, "maint");
    await stack.db.query(
      `INSERT INTO app_flags (name, value, updated_by) VALUES ('maintenance', $1, 'test')
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
      [JSON.stringify({ enabled: true, message: "database upgrade until 06:00 UTC" })],
    );
    const refused = await eventually(
      "maintenance to apply",
      () => learner.api.query("exercises.next"),
      (r) => r.status === 503,
    );
    expect(refused.body.error?.message).toBe(
      "The practice app is down for maintenance: database upgrade until 06:00 UTC. Your progress is saved; try again soon.",
    );
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(
      (await stack.app.api.mutation("accounts.logIn", { email: learner.email, password: learner.password }))
        .status,
    ).toBe(503);
    expect((await stack.app.api.query("system.ping")).status).toBe(200);
    const ready = await fetch(`${stack.app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).maintenance).toEqual({
      enabled: true,
      message: "database upgrade until 06:00 UTC",
    });

    const metrics = await (await fetch(`${stack.app.url}/metrics`)).text();
    expect(metrics).toMatch(/trpc_errors_total\{procedure="exercises.next",code="MAINTENANCE"\} [1-9]/);
    expect(metrics).not.toMatch(/trpc_errors_total\{procedure="exercises.next",code="SERVICE_UNAVAILABLE"\}/);

    await stack.db.query("DELETE FROM app_flags WHERE name = 'maintenance'");
    await eventually(
      "maintenance to end",
      () => learner.api.query("exercises.next"),
      (r) => r.status === 200,
    );
  });
});

describe("session secrets from a file", () => {
  let app: TestApp;
  let file: string;
  const A = "secret-a-0123456789-0123456789-0123456789";
  const B = "secret-b-0123456789-0123456789-0123456789";
  const C = "secret-c-0123456789-0123456789-0123456789";

  beforeAll(async () => {
    file = path.join(dir, "session-secret");
    await writeFile(file, `${A}\n`);
    app = await startTestApp({
      DATABASE_URL: stack.databaseUrl,
      SESSION_SECRET: "",
      SESSION_SECRET_FILE: file,
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("follows a rotation without a restart, keeping sessions when the old secret is listed", async () => {
    const before = await signUp(app.api, "rotate-file");
    await writeFile(file, `${B}\n${A}\n`);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await before.api.query("accounts.me")).status).toBe(200);
    const after = await app.api.ok(
      app.api.mutation<{ token: string }>("accounts.logIn", {
        email: before.email,
        password: before.password,
      }),
    );
    expect((await new Api(app.url, after.token).query("accounts.me")).status).toBe(200);

    // Dropping the old secret ends only sessions that were never re-keyed; both were used under B.
    await writeFile(file, `${C}\n${B}\n`);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await before.api.query("accounts.me")).status).toBe(200);
    await writeFile(file, `${C}\n`);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // `before` was re-keyed to C on its last call; `after` was last used under B and is now out.
    expect((await before.api.query("accounts.me")).status).toBe(200);
    expect((await new Api(app.url, after.token).query("accounts.me")).status).toBe(401);
  });

  it("keeps the secrets it has when the file is broken", async () => {
    const learner = await signUp(app.api, "broken-file");
    await writeFile(file, "too-short\n");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await learner.api.query("accounts.me")).status).toBe(200);
    await writeFile(file, `${C}\n`);
  });
});
