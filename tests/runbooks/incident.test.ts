import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEVERITY_LIST } from "../../policy/index.ts";
import { Api, type Learner, signUp } from "../support/api-client.ts";
import { type ScratchStack, startScratchStack, stepStatuses } from "../support/runbooks.ts";

// The incident runbooks against a private stack whose app reads its session secret from a file,
// so rotate-session-secret rotates the very file the app follows. Tests run in order and share the
// stack: classification first (the app's counters are still clean), rotation last.

let stack: ScratchStack;
let dir: string;
let secretFile: string;
const FIRST_SECRET = `first-${randomBytes(24).toString("hex")}`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-incident-"));
  secretFile = path.join(dir, "session-secret");
  await writeFile(secretFile, `${FIRST_SECRET}\n`);
  stack = await startScratchStack({ SESSION_SECRET: "", SESSION_SECRET_FILE: secretFile });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const policy = (id: string) => SEVERITY_LIST.find((s) => s.id === id) as (typeof SEVERITY_LIST)[number];
const meStatus = async (token: string) => (await new Api(stack.app.url, token).query("accounts.me")).status;
const incidentsDir = () => path.join(stack.dataDir, "artifacts", "triage-snapshot");
const activeSessions = async (learnerId: string) =>
  (
    await stack.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM sessions WHERE learner_id = $1 AND revoked_at IS NULL AND expires_at > now()",
      [learnerId],
    )
  ).rows[0]?.n;

describe("classify-severity", () => {
  it("measures a healthy stack as P3", async () => {
    for (let i = 0; i < 20; i++) await stack.app.api.query("system.ping");
    const { result, output } = await stack.run("classify-severity");
    expect(result.status).toBe("ok");
    const classified = result.results.classify as {
      severity: string;
      responseMinutes: number;
      facts: object;
    };
    expect(classified).toMatchObject({
      severity: "P3",
      responseMinutes: policy("P3").responseMinutes,
      facts: { appDown: false, databaseDown: false, redisDown: false, errorRate: 0 },
    });
    expect(
      output.some((l) => /^error rate 0\.00% \(\/metrics: 0 server errors in 2\d tRPC calls/.test(l)),
    ).toBe(true);
    expect(output).toContain("SEVERITY P3: Low impact");
  });

  it("makes appDown=true a P0 with the response time and escalation from the policy", async () => {
    const { result, output } = await stack.run("classify-severity", { params: { appDown: "true" } });
    expect(result.status).toBe("ok");
    expect(result.results.classify).toMatchObject({
      severity: "P0",
      responseMinutes: policy("P0").responseMinutes,
      reasons: ["the app is down"],
    });
    expect(output).toContain(
      `respond within ${policy("P0").responseMinutes} min (acknowledge and start working on it)`,
    );
    expect(output).toContain("  level 1: On-call engineer, now");
    expect(output.some((l) => l.includes("post-mortem (within 48 hours)"))).toBe(true);
  });

  it("refuses an affected share above 1 before anything runs", async () => {
    await expect(stack.run("classify-severity", { params: { affectedShare: "2" } })).rejects.toThrow(
      /affectedShare/,
    );
  });
});

describe("triage-snapshot and post-mortem", () => {
  let folder: string;

  it("collects health, metrics, slow queries, a waiting lock with its blocker, and error log lines", async () => {
    const learner = await signUp(stack.app.api, "triage");
    await learner.api.query("accounts.me");
    const logFile = path.join(dir, "app.log");
    const line = (level: number, msg: string, time: number) => JSON.stringify({ level, time, msg });
    await writeFile(
      logFile,
      [
        line(30, "request", 1_700_000_000_000),
        line(50, "old error", 1_700_000_001_000),
        "not json: a raw stack trace line",
        line(60, "fatal: pool exhausted", 1_700_000_002_000),
        line(40, "warning", 1_700_000_003_000),
        line(50, "request failed", 1_700_000_004_000),
        "",
      ].join("\n"),
    );
    // A lock held by an open transaction and a statement queued behind it.
    const holder = await stack.db.connect();
    const waiter = await stack.db.connect();
    try {
      const holderPid = (await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
      const waiterPid = (await waiter.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE reviews IN ACCESS EXCLUSIVE MODE");
      const blocked = waiter.query("SELECT count(*) FROM reviews");
      for (let i = 0; i < 50; i++) {
        const { rows } = await stack.db.query("SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted", [
          waiterPid,
        ]);
        if (rows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      const { result, output } = await stack.run("triage-snapshot", {
        params: { slug: "login-errors", logFile, logLines: "2" },
      });
      await holder.query("ROLLBACK");
      await blocked;

      expect(result.status).toBe("ok");
      folder = (result.results.index as { folder: string }).folder;
      expect(path.dirname(folder)).toBe(incidentsDir());
      expect(path.basename(folder)).toMatch(/^\d{8}T\d{6}Z-login-errors$/);
      const files = (await readdir(folder)).sort();
      expect(files).toEqual([
        "error-logs.jsonl",
        "healthz.json",
        "incident.json",
        "index.md",
        "locks.json",
        "metrics-summary.json",
        "metrics.txt",
        "readyz.json",
        "redis-info.txt",
        "slow-queries.json",
      ]);
      const read = async (f: string) => JSON.parse(await readFile(path.join(folder, f), "utf8"));
      expect(await read("readyz.json")).toMatchObject({ httpStatus: 200, body: { status: "ok" } });
      expect((await read("healthz.json")).httpStatus).toBe(200);
      const metrics = await read("metrics-summary.json");
      expect(metrics.calls).toBeGreaterThan(20);
      expect(metrics).toMatchObject({ serverErrors: 0, errorRate: 0, redisUp: 1 });
      expect(metrics.p95Ms).toBeGreaterThan(0);
      expect(metrics.pool.max).toBeGreaterThan(0);
      expect(await readFile(path.join(folder, "metrics.txt"), "utf8")).toContain(
        "trpc_request_duration_seconds",
      );
      const locks = await read("locks.json");
      expect(locks.waiting).toEqual([
        expect.objectContaining({ pid: waiterPid, relation: "reviews", blocked_by: [holderPid] }),
      ]);
      expect(locks.blockers).toEqual([
        expect.objectContaining({ pid: holderPid, state: "idle in transaction" }),
      ]);
      const slow = await read("slow-queries.json");
      expect(slow.queries.map((q: { pid: number }) => q.pid)).toEqual(
        expect.arrayContaining([holderPid, waiterPid]),
      );
      expect(await readFile(path.join(folder, "redis-info.txt"), "utf8")).toContain("redis_version:");
      // The last two lines at level >= 50, in order; info, warning and non-JSON lines left out.
      const kept = (await readFile(path.join(folder, "error-logs.jsonl"), "utf8")).trim().split("\n");
      expect(kept.map((l) => JSON.parse(l).msg)).toEqual(["fatal: pool exhausted", "request failed"]);
      expect(output).toContain(
        `${logFile}: read 0.0 MiB, 6 lines, 3 at level ≥ 50 (error/fatal); kept the last 2; 1 lines were not JSON`,
      );
      expect(
        output.some((l) =>
          new RegExp(`pid ${waiterPid} waits .* on reviews, blocked by pid ${holderPid}`).test(l),
        ),
      ).toBe(true);
      const index = await readFile(path.join(folder, "index.md"), "utf8");
      for (const f of files)
        expect(index.split("\n").filter((l) => l.startsWith(`- \`${f}\``))).toHaveLength(1);
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      holder.release();
      waiter.release();
    }
  });

  it("says so when no log file was given, and refuses a bad slug before anything runs", async () => {
    await expect(stack.run("triage-snapshot", { params: { slug: "Bad Slug" } })).rejects.toThrow(/slug/);
    const { result, output } = await stack.run("triage-snapshot", { params: { slug: "no-logs" } });
    expect(result.status).toBe("ok");
    expect(output.some((l) => l.startsWith("error logs: no log file was given"))).toBe(true);
    const noLogs = (result.results.index as { folder: string }).folder;
    expect(await readFile(path.join(noLogs, "index.md"), "utf8")).toContain("no log file was given");
    // Keep the login-errors folder the newest for the tests below.
    await rm(noLogs, { recursive: true });
  });

  it("fills a post-mortem from the snapshot and the classification, with marked sections", async () => {
    const classified = await stack.run("classify-severity", {
      params: { appDown: "true", affectedShare: "0.5", incident: "latest" },
    });
    expect(classified.result.status).toBe("ok");
    expect(existsSync(path.join(folder, "classification.json"))).toBe(true);

    const { result } = await stack.run("post-mortem", { params: { incident: path.basename(folder) } });
    expect(result.status).toBe("ok");
    const text = await readFile(path.join(folder, "post-mortem.md"), "utf8");
    const metrics = JSON.parse(await readFile(path.join(folder, "metrics-summary.json"), "utf8"));
    expect(text).toContain("# Post-mortem: login errors");
    expect(text).toContain("- Severity: **P0** (Critical outage), classify-severity at ");
    const started = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z/.exec(path.basename(folder)) as RegExpExecArray;
    const due = new Date(
      Date.parse(`${started[1]}-${started[2]}-${started[3]}T${started[4]}:${started[5]}:${started[6]}Z`) +
        48 * 3_600_000,
    );
    expect(text).toContain(
      `- Post-mortem due: within 48 hours of the incident start: by **${due.toISOString().replace(/\.\d+Z$/, "Z")}**`,
    );
    expect(text).toContain(`- Error rate: 0.00% (0 server errors in ${metrics.calls} tRPC calls; SLO 1.00%)`);
    expect(text).toContain(`- p95 latency: ${metrics.p95Ms.toFixed(1)} ms (SLO 200 ms)`);
    expect(text).toMatch(/- Readiness: 200 ok: postgres ok \(.+ ms\), redis ok \(.+ ms\), migrations ok/);
    expect(text).toContain("- Waiting locks: 1;");
    expect(text).toContain("- Learners affected (as estimated at classification): 50.00%, workaround: no");
    expect(text).toContain("- 2023-11-14T22:13:22Z: oldest error line in the captured logs");
    for (const heading of [
      "## Summary",
      "## Impact",
      "## Timeline (UTC)",
      "## Root cause",
      "## What went well",
      "## What went wrong",
      "## Action items",
      "## Follow-ups",
    ])
      expect(text).toContain(`\n${heading}\n\n`);
    expect(text.match(/_To be written by the incident commander\._/g)?.length).toBeGreaterThanOrEqual(7);

    // A second run must not overwrite what the team may already be writing.
    const again = await stack.run("post-mortem");
    expect(again.result).toMatchObject({ status: "failed", failedStep: "write-post-mortem" });
    const unknown = await stack.run("post-mortem", { params: { incident: "20000101T000000Z-nope" } });
    expect(unknown.result).toMatchObject({ status: "failed", failedStep: "read-evidence" });
    expect(unknown.events.find((e) => e.type === "step-end")).toMatchObject({
      error: expect.stringContaining(`the newest are: ${path.basename(folder)}`),
    });
  });
});

describe("maintenance-mode", () => {
  it("switches on with the message, the app answers 503, status shows who, and off brings calls back", async () => {
    await expect(stack.run("maintenance-mode", { params: { action: "on" } })).rejects.toThrow(/message/);
    expect((await stack.db.query("SELECT 1 FROM app_flags")).rowCount).toBe(0);
    const learner = await signUp(stack.app.api, "maint");
    const message = "database upgrade until 06:00 UTC";

    const on = await stack.run("maintenance-mode", { params: { action: "on", message } });
    expect(on.result.status).toBe("ok");
    const { rows } = await stack.db.query(
      "SELECT value, updated_by FROM app_flags WHERE name = 'maintenance'",
    );
    expect(rows[0].value).toEqual({ enabled: true, message });
    expect(rows[0].updated_by).toContain(`maintenance-mode run ${on.result.runId}`);
    const refused = await learner.api.query("exercises.next");
    expect(refused.status).toBe(503);
    expect(refused.body.error?.message).toContain(message);
    expect(on.output.some((l) => /^\/readyz shows maintenance ON after \d+\.\d s$/.test(l))).toBe(true);
    expect(on.output).toContain(
      `accounts.me → 503: "The practice app is down for maintenance: ${message}. Your progress is saved; try again soon."`,
    );

    const status = await stack.run("maintenance-mode");
    expect(status.result.results["current-state"]).toMatchObject({ enabled: true, message });
    expect(stepStatuses(status.events)).toEqual({
      "current-state": "ok",
      switch: "ok",
      "wait-applied": "ok",
    });

    const off = await stack.run("maintenance-mode", { params: { action: "off" } });
    expect(off.result.status).toBe("ok");
    expect((await stack.db.query("SELECT 1 FROM app_flags WHERE name = 'maintenance'")).rowCount).toBe(0);
    expect((await learner.api.query("exercises.next")).status).toBe(200);
    expect(off.output).toContain("accounts.me (no token) → 401 UNAUTHORIZED: calls are served again");
  });
});

describe("revoke-all-sessions", () => {
  it("refuses a bad email, and a plan revokes nothing", async () => {
    await expect(stack.run("revoke-all-sessions", { params: { email: "nope" } })).rejects.toThrow(/email/);
    const learner = await signUp(stack.app.api, "plan");
    const { result, output } = await stack.run("revoke-all-sessions", { plan: true });
    expect(result.status).toBe("ok");
    expect(
      output.some((l) => /^\[plan\] would revoke \d+ active session\(s\) of every learner/.test(l)),
    ).toBe(true);
    expect(await meStatus(learner.token)).toBe(200);
  });

  it("revokes one learner's sessions only", async () => {
    const target = await signUp(stack.app.api, "target");
    const bystander = await signUp(stack.app.api, "bystander");
    const { result } = await stack.run("revoke-all-sessions", {
      params: { email: target.email.toUpperCase() },
    });
    expect(result.status).toBe("ok");
    expect(result.results.revoke).toMatchObject({ revoked: 1 });
    expect(await meStatus(target.token)).toBe(401);
    expect(await meStatus(bystander.token)).toBe(200);
  });

  it("revokes every session: both learners' tokens get 401, a new log-in works, the check account is gone", async () => {
    const learners: Learner[] = [await signUp(stack.app.api, "one"), await signUp(stack.app.api, "two")];
    for (const l of learners) expect(await meStatus(l.token)).toBe(200);
    const { result, output } = await stack.run("revoke-all-sessions");
    expect(result.status).toBe("ok");
    expect(result.results.verify).toMatchObject({ remaining: 0, oldToken: 401, newLogIn: 200 });
    expect(output.some((l) => /^active sessions: \d+, of \d+ learners$/.test(l))).toBe(true);
    expect(output).toContain("learners with the most active sessions:");
    for (const l of learners) {
      expect(await meStatus(l.token)).toBe(401);
      expect(await activeSessions(l.id)).toBe(0);
    }
    const again = await stack.app.api.ok(
      stack.app.api.mutation<{ token: string }>("accounts.logIn", {
        email: learners[0]?.email,
        password: learners[0]?.password,
      }),
    );
    expect(await meStatus(again.token)).toBe(200);
    const { rowCount } = await stack.db.query("SELECT 1 FROM learners WHERE email LIKE '%@example.invalid'");
    expect(rowCount).toBe(0);
  });
});

describe("rotate-session-secret", () => {
  const secretLines = async () => (await readFile(secretFile, "utf8")).trim().split("\n");

  it("refuses bad parameters, a missing file, and a non-dev environment without secretFile", async () => {
    await expect(stack.run("rotate-session-secret", { params: { waitSeconds: "1" } })).rejects.toThrow(
      /waitSeconds/,
    );
    await expect(
      stack.run("rotate-session-secret", { params: { checkEmail: "ops@example.test" } }),
    ).rejects.toThrow(/checkEmail and checkPassword go together/);
    // dev default: <data dir>/session-secret, which this scratch stack does not have.
    const missing = await stack.run("rotate-session-secret");
    expect(missing.result).toMatchObject({ status: "failed", failedStep: "check-file" });
    expect(missing.events.find((e) => e.type === "step-end")).toMatchObject({
      error: expect.stringContaining(`${path.join(stack.dataDir, "session-secret")} does not exist`),
    });
    const staging = await stack.run("rotate-session-secret", {
      env: "staging",
      processEnv: {
        ...stack.env,
        SSP_STAGING_APP_URL: stack.app.url,
        SSP_STAGING_DATABASE_URL: stack.databaseUrl,
      },
    });
    expect(staging.result).toMatchObject({ status: "failed", failedStep: "check-file" });
    expect(staging.output[0]).toContain("platform's secret store");
    expect(await secretLines()).toEqual([FIRST_SECRET]);
  });

  it("rotates keeping the old secret: sessions survive, new log-ins use the new secret, nothing prints it", async () => {
    const learner = await signUp(stack.app.api, "rotate");
    // An older previous secret from an earlier rotation: only the current one is kept as previous.
    const older = `older-${randomBytes(24).toString("hex")}`;
    await writeFile(secretFile, `${FIRST_SECRET}\n${older}\n`);
    const { result, output, events } = await stack.run("rotate-session-secret", { params: { secretFile } });
    expect(result.status).toBe("ok");
    const lines = await secretLines();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(FIRST_SECRET);
    expect(output.some((l) => l.endsWith("the old one kept as previous; 1 older one(s) dropped"))).toBe(true);
    expect(lines[0]).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(result.results.verify).toMatchObject({ newLogIn: 200, oldSession: 200 });
    expect(output).toContain(
      "a new log-in → accounts.me 200, and its hash in sessions matches the new secret",
    );
    expect(await meStatus(learner.token)).toBe(200);
    // Neither secret appears in the output, the events or anything stored about the run.
    const stored = await readAll(stack.dataDir);
    for (const secret of [lines[0] as string, FIRST_SECRET]) {
      expect(JSON.stringify(events)).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
    expect(
      (await stack.db.query("SELECT 1 FROM learners WHERE email LIKE 'rotation-check-%'")).rowCount,
    ).toBe(0);
  });

  it("with logoutEveryone keeps only the new secret: existing sessions get 401, log-in works", async () => {
    const learner = await signUp(stack.app.api, "logout");
    const before = await secretLines();
    const { result, output } = await stack.run("rotate-session-secret", {
      params: { secretFile, logoutEveryone: "true" },
    });
    expect(result.status).toBe("ok");
    const lines = await secretLines();
    expect(lines).toHaveLength(1);
    expect(before).not.toContain(lines[0]);
    expect(output).toContain(
      "the session opened before the rotation → accounts.me 401: everyone is logged out",
    );
    expect(await meStatus(learner.token)).toBe(401);
    const again = await stack.app.api.ok(
      stack.app.api.mutation<{ token: string }>("accounts.logIn", {
        email: learner.email,
        password: learner.password,
      }),
    );
    expect(await meStatus(again.token)).toBe(200);
  });
});

async function readAll(root: string): Promise<string> {
  let out = "";
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out += await readFile(path.join(entry.parentPath, entry.name), "utf8");
  }
  return out;
}
