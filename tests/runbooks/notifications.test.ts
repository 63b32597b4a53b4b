import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RUN_NOTIFICATIONS } from "../../policy/index.ts";
import { loadRunbooks } from "../../runbooks/engine/catalog.ts";
import type { Runbook } from "../../runbooks/engine/define.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { settleNotifications } from "../../runbooks/engine/notify.ts";
import { REPO_ROOT } from "../../runbooks/engine/paths.ts";
import { type RunOptions, runRunbook } from "../../runbooks/engine/run.ts";
import { type Approver, makeApprover } from "../support/approver.ts";

// Issue 19's run notifications, received by a real HTTP server in this test: which events post is
// the policy's, per environment; the webhook is a secret (here behind an env: reference); secrets in
// the output's tail are masked; a delivery that fails is retried, then reported, and never changes
// or delays the run's result.

const DB_PASSWORD = "db-pw-never-in-a-message";
const TOKEN = "tok-never-in-a-message-42";
const HOOK_PATH = "/hooks/T0001/B0002/hook-path-is-a-secret";

interface Received {
  path: string;
  contentType: string;
  body: Record<string, unknown>;
}

let approver: Approver;
let dir: string;
let runbooks: Map<string, Runbook>;
let server: Server;
let port: number;
let received: Received[] = [];
/** What the server answers next: a status per request, then 200. */
let answers: number[] = [];
let delayMs = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-notify-"));
  await writeFile(path.join(dir, "db-url"), `postgres://ops:${DB_PASSWORD}@127.0.0.1:1/nowhere\n`, {
    mode: 0o600,
  });
  runbooks = await loadRunbooks(path.join(REPO_ROOT, "runbooks/engine/fixtures"));
  approver = await makeApprover(dir);
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      const status = answers.shift() ?? 200;
      if (status === 200)
        received.push({
          path: request.url ?? "",
          contentType: request.headers["content-type"] ?? "",
          body: JSON.parse(body) as Record<string, unknown>,
        });
      setTimeout(() => response.writeHead(status).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  port = typeof address === "object" && address ? address.port : 0;
});
afterEach(async () => {
  await settleNotifications();
  received = [];
  answers = [];
  delayMs = 0;
  vi.restoreAllMocks();
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function processEnv(name: "staging" | "production", extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const upper = name.toUpperCase();
  return {
    PATH: process.env.PATH,
    RUNBOOK_DATA_DIR: dir,
    ...approver.env,
    [`SSP_${upper}_APP_URL`]: "http://127.0.0.1:1",
    [`SSP_${upper}_DATABASE_URL`]: `file:${dir}/db-url`,
    THE_HOOK: `http://127.0.0.1:${port}${HOOK_PATH}`,
    [`SSP_${upper}_NOTIFY_WEBHOOK`]: "env:THE_HOOK",
    ...extra,
  };
}

async function run(id: string, env: "staging" | "production", options: Partial<RunOptions> = {}) {
  const runbook = runbooks.get(id);
  if (!runbook) throw new Error(`fixture ${id} missing`);
  const events: RunEvent[] = [];
  const once = (more: Partial<RunOptions>) =>
    runRunbook(runbook, {
      env,
      confirm: true,
      emit: (event) => events.push(event),
      dataDir: dir,
      actor: "ana@ops-laptop",
      ...options,
      ...more,
      processEnv: processEnv(env, options.processEnv),
    });
  // A production change runs as the policy wants it: planned, its receipt signed by a second
  // person (a throwaway key), then applied. Only the apply is timed and its events kept.
  let approval: Partial<RunOptions> = {};
  if (env === "production" && !options.plan) {
    const planned = await once({ plan: true });
    if (!planned.receipt) throw new Error(`the plan of ${id} wrote no receipt (${planned.status})`);
    await approver.approve(planned.receipt.file);
    approval = { approval: planned.receipt.file };
    events.length = 0;
  }
  const started = Date.now();
  const result = await once(approval);
  return { result, events, elapsedMs: Date.now() - started };
}

describe("run notifications", () => {
  it("the policy sets which events notify per environment", () => {
    expect(RUN_NOTIFICATIONS.production.events).toContain("destructive-start");
    expect(RUN_NOTIFICATIONS.staging.events).not.toContain("run-end-ok");
  });

  it("production: a destructive run posts at its start and its end, in Slack's shape, secrets masked", async () => {
    const target = path.join(dir, "target.txt");
    const { result } = await run("danger-demo", "production", { params: { target, token: TOKEN } });
    expect(result.status).toBe("ok");
    await settleNotifications();
    expect(received.map((r) => r.path)).toEqual([HOOK_PATH, HOOK_PATH]);
    expect(received.every((r) => r.contentType === "application/json")).toBe(true);
    const [start, end] = received.map((r) => r.body);
    expect(Object.keys(start ?? {})).toEqual(["text"]);
    expect(start?.text).toMatch(
      /\*danger-demo\* \(Danger demo\) started destructive steps overwrite in \*production\*, run by ana@ops-laptop/,
    );
    expect(end?.text).toMatch(
      /\*danger-demo\* \(Danger demo\) succeeded in \*production\* after \d+\.\d s, run by ana@ops-laptop/,
    );
    // The output's tail, masked: the token, the database password (from a file: reference).
    expect(end?.text).toContain("token: ***");
    const all = JSON.stringify(received);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(DB_PASSWORD);
  });

  it("staging, json: a failed run posts its status, failed step, duration and tail; a successful one posts nothing", async () => {
    const blocker = path.join(dir, "blocker");
    await writeFile(blocker, "");
    const failed = await run("steps-demo", "staging", {
      params: { failWhileExists: blocker },
      processEnv: { SSP_STAGING_NOTIFY_FORMAT: "json" },
    });
    expect(failed.result.status).toBe("failed");
    await settleNotifications();
    expect(received).toHaveLength(1);
    const body = received[0]?.body;
    expect(body).toMatchObject({
      event: "run-end-failed",
      runbook: "steps-demo",
      env: "staging",
      actor: "ana@ops-laptop",
      status: "failed",
      failedStep: "second",
      runId: failed.result.runId,
    });
    expect(body?.durationMs).toEqual(expect.any(Number));
    expect(Array.isArray(body?.outputTail)).toBe(true);

    received = [];
    await rm(blocker);
    const ok = await run("steps-demo", "staging", { processEnv: { SSP_STAGING_NOTIFY_FORMAT: "json" } });
    expect(ok.result.status).toBe("ok");
    await settleNotifications();
    expect(received).toEqual([]); // staging's policy: run-end-ok does not notify
  });

  it("a plan notifies nothing", async () => {
    const { result } = await run("danger-demo", "production", {
      params: { target: path.join(dir, "planned.txt") },
      plan: true,
    });
    expect(result.status).toBe("ok");
    await settleNotifications();
    expect(received).toEqual([]);
  });

  it("a delivery that fails is retried with backoff until it is received", async () => {
    answers = [500, 503];
    const { result } = await run("steps-demo", "production");
    expect(result.status).toBe("ok");
    await settleNotifications();
    expect(received).toHaveLength(1);
    expect(String(received[0]?.body.text)).toContain("succeeded");
  });

  it("a slow webhook does not delay the run's result", async () => {
    delayMs = 2_000;
    const { result, elapsedMs } = await run("steps-demo", "production");
    expect(result.status).toBe("ok");
    expect(elapsedMs).toBeLessThan(1_500);
    await settleNotifications();
    expect(received).toHaveLength(1);
  });

  it("an unreachable webhook is reported as a warning naming the variable, never its URL, and the run still succeeds", async () => {
    const warnings: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      warnings.push(String(chunk));
      return true;
    });
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const address = probe.address();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const closed = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}${HOOK_PATH}`;
    const { result } = await run("steps-demo", "production", { processEnv: { THE_HOOK: closed } });
    expect(result.status).toBe("ok");
    await settleNotifications();
    vi.restoreAllMocks();
    const warning = warnings.join("");
    expect(warning).toMatch(
      /warning: the run-end-ok notification of run \S+ was not delivered to SSP_PRODUCTION_NOTIFY_WEBHOOK \(env:THE_HOOK\) after 3 attempts \(ECONNREFUSED\)/,
    );
    expect(warning).not.toContain(HOOK_PATH);
    // Nothing the run kept on disk holds the webhook.
    const files = await readdir(dir, { recursive: true });
    for (const file of files.filter((f) => f.endsWith(".jsonl") || f.endsWith(".json"))) {
      expect(await readFile(path.join(dir, file), "utf8")).not.toContain(HOOK_PATH);
    }
  });
});
