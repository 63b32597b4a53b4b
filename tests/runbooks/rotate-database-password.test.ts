import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateUp } from "../../practice-app/src/db/migrations.ts";
import { seed } from "../../practice-app/src/db/seed.ts";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { type RunOptions, runRunbook } from "../../runbooks/engine/run.ts";
import { freePort } from "../../runbooks/lib/net.ts";
import { stopBalancerAndInstances } from "../support/balancer-cleanup.ts";
import { failedStepError, stepStatuses } from "../support/runbooks.ts";
import { type ScramCluster, startScramCluster } from "../support/scram-cluster.ts";
import { TEST_REDIS_URL, uniqueName } from "../support/services.ts";

// rotate-database-password against a private PostgreSQL cluster with scram-sha-256 authentication
// (the shared server trusts local connections, so a wrong password would pass unnoticed there),
// two app instances behind a real nginx, and authenticated requests through it the whole time.
// The environment's DATABASE_URL (which the instances get too) keeps the old password after the
// rotation, when the server refuses it: the instances work only if they take theirs from
// DATABASE_PASSWORD_FILE.

const SUPER = `super-${randomBytes(12).toString("hex")}`;
const OLD = `old-${randomBytes(16).toString("hex")}`;
const ROLE = "ssp_rotate_app";
const DB = "ssp_rotate";

let cluster: ScramCluster;
let dataDir: string;
let passwordFile: string;
let listenPort: number;
let env: NodeJS.ProcessEnv;

async function run(id: string, options: Partial<RunOptions> = {}) {
  const runbook = await findRunbook(id);
  const events: RunEvent[] = [];
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const result = await runRunbook(runbook, {
      env: "dev",
      confirm: true,
      emit: (event) => events.push(event),
      dataDir: path.join(dataDir, "runbooks"),
      processEnv: env,
      ...options,
    });
    return { result, events };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

// The password goes in the URL: pg lets a connection string's (empty) password win over `password`.
const roleUrl = (password: string) => `postgres://${ROLE}:${password}@127.0.0.1:${cluster.port}/${DB}`;

async function login(password: string): Promise<{ ok: boolean; code?: string }> {
  const client = new pg.Client({ connectionString: roleUrl(password) });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.end();
    return { ok: true };
  } catch (error) {
    return { ok: false, code: (error as { code?: string }).code };
  }
}

beforeAll(async () => {
  cluster = await startScramCluster(SUPER);
  const admin = new pg.Client({ connectionString: cluster.url("postgres") });
  await admin.connect();
  await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${OLD}'`);
  await admin.query(`CREATE DATABASE ${DB} OWNER ${ROLE}`);
  await admin.end();
  const appUrl = roleUrl(OLD);
  await migrateUp(appUrl, () => undefined);
  const db = new pg.Pool({ connectionString: appUrl, max: 2 });
  await seed(db, { demo: false, scryptLogN: 17 });
  await db.end();
  dataDir = await mkdtemp(path.join(tmpdir(), "ssp-rotate-"));
  passwordFile = path.join(dataDir, "database-password");
  await writeFile(passwordFile, `${OLD}\n`, { mode: 0o644 });
  listenPort = await freePort();
  env = {
    ...process.env,
    RUNBOOK_DATA_DIR: path.join(dataDir, "runbooks"),
    SSP_DATA_DIR: dataDir,
    SSP_DEV_APP_URL: `http://127.0.0.1:${listenPort}`,
    SSP_DEV_DATABASE_URL: roleUrl(OLD),
    SSP_DEV_DATABASE_PASSWORD_FILE: passwordFile,
    SSP_DEV_REDIS_URL: TEST_REDIS_URL,
    SSP_DEV_REDIS_PREFIX: `${uniqueName("ssp_rot")}:`,
    SSP_DEV_STACK_FILE: path.join(dataDir, "dev-stack.json"),
    LOG_LEVEL: "info",
    // The instances inherit it: the trickle below is one learner calling fifty times a second.
    RATE_LIMIT_API_PER_LEARNER: "1000000",
  };
}, 60_000);

afterAll(async () => {
  if (dataDir) await stopBalancerAndInstances(path.join(dataDir, "runbooks", "nginx"), dataDir);
  await cluster?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Authenticated calls (each reads the sessions table) through nginx until stopped. */
function trickle(token: string) {
  let running = true;
  const seen = { ok: 0, failures: [] as string[] };
  const loop = (async () => {
    while (running) {
      try {
        const res = await fetch(`http://127.0.0.1:${listenPort}/trpc/accounts.me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = await res.text();
        if (res.status === 200) seen.ok += 1;
        else seen.failures.push(`HTTP ${res.status} ${body.slice(0, 120)}`);
      } catch (error) {
        seen.failures.push(String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** Every file under dir but the password file (the one place the password belongs). */
async function textUnder(dir: string): Promise<string> {
  let all = "";
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || path.join(entry.parentPath, entry.name) === passwordFile) continue;
    all += await readFile(path.join(entry.parentPath, entry.name), "utf8").catch(() => "");
  }
  return all;
}

describe("rotate-database-password", () => {
  it("rotates under load behind nginx: no failed request, the old password refused, nothing printed", async () => {
    for (const params of [{ listenPort }, {}]) {
      const added = await run("add-instance", { params });
      expect(added.result.status, failedStepError(added.events)).toBe("ok");
    }
    // A session opened with the old password that is not an instance's: it must be ended.
    const intruder = new pg.Client({
      connectionString: roleUrl(OLD),
      application_name: "intruder",
    });
    intruder.on("error", () => undefined);
    await intruder.connect();

    const signUp = await fetch(`http://127.0.0.1:${listenPort}/trpc/accounts.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: "rotate@example.invalid",
        password: "rotate-check-pw-1",
        displayName: "r",
      }),
    });
    expect(signUp.status).toBe(200);
    const token = ((await signUp.json()) as { result: { data: { token: string } } }).result.data.token;

    // The plan changes nothing.
    const plan = await run("rotate-database-password", { plan: true });
    expect(plan.result.status, failedStepError(plan.events)).toBe("ok");
    expect((await readFile(passwordFile, "utf8")).trim()).toBe(OLD);

    const load = trickle(token);
    const rotation = await run("rotate-database-password", { params: { stopTimeoutSeconds: 10 } });
    const seen = await load.stop();
    expect(rotation.result.status, failedStepError(rotation.events)).toBe("ok");
    expect(stepStatuses(rotation.events)).toEqual({
      check: "ok",
      "set-password": "ok",
      "rolling-restart": "ok",
      "end-old-sessions": "ok",
      verify: "ok",
    });
    expect(seen.failures).toEqual([]);
    expect(seen.ok).toBeGreaterThan(20);
    const durations = rotation.events.flatMap((e) =>
      e.type === "step-end" ? [`${e.step} ${((e as { durationMs?: number }).durationMs ?? 0) / 1000}s`] : [],
    );
    console.log(`rotation steps: ${durations.join(", ")}; ${seen.ok} requests through nginx`);

    const next = (await readFile(passwordFile, "utf8")).trim();
    expect(next).not.toBe(OLD);
    expect(next.length).toBeGreaterThanOrEqual(40);
    expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
    expect(await login(OLD)).toEqual({ ok: false, code: "28P01" });
    expect(await login(next)).toEqual({ ok: true });
    // The intruder's session, opened with the old password, was ended.
    await expect(intruder.query("SELECT 1")).rejects.toThrow();

    // The app still answers after the rotation, with connections opened since.
    const me = await fetch(`http://127.0.0.1:${listenPort}/trpc/accounts.me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);

    // Never printed: not in the events, the audit log, the stored runs or the instances' logs.
    const everything = `${JSON.stringify(rotation.events)}${JSON.stringify(plan.events)}${await textUnder(dataDir)}`;
    for (const secret of [next, OLD]) {
      expect(everything.includes(secret), "a password was written somewhere").toBe(false);
    }
  }, 90_000);

  it("refuses, changing nothing, when the file does not hold the role's password", async () => {
    const before = await readFile(passwordFile, "utf8");
    await writeFile(passwordFile, "not-the-password\n", { mode: 0o600 });
    try {
      const refused = await run("rotate-database-password");
      expect(refused.result.status).toBe("failed");
      expect(failedStepError(refused.events)).toMatch(/does not log in as ssp_rotate_app \(28P01/);
      expect(stepStatuses(refused.events)["set-password"]).toBeUndefined();
      expect(await login(before.trim())).toEqual({ ok: true });
    } finally {
      await writeFile(passwordFile, before, { mode: 0o600 });
    }
  }, 30_000);
});

describe("the pages' claims about the database password", () => {
  const docs = path.resolve(import.meta.dirname, "../../src/content/docs");
  const flat = (name: string) => readFileSync(path.join(docs, name), "utf8").replace(/\s+/g, " ");

  it("security.mdx: the file is read for every new connection and wins over DATABASE_URL's password (the rotation above proves it: the URL's password is refused, the app serves)", () => {
    const text = flat("infrastructure-architecture/security.mdx");
    expect(text).toContain("reads it for every new connection and ignores any password in `DATABASE_URL`");
    expect(text).toContain('<Runbook id="rotate-database-password" />');
    const source = readFileSync(
      path.resolve(import.meta.dirname, "../../practice-app/src/db/pool.ts"),
      "utf8",
    );
    expect(source).toContain("this.password = source();");
  });

  it("scenarios.mdx: the breach procedure rotates the database password with the runbook, not by hand", () => {
    const text = flat("incident-response/scenarios.mdx");
    expect(text).toContain("npm run runbook -- rotate-database-password --env production");
    expect(text).not.toContain("\\password");
  });
});
