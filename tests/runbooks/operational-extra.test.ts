import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScratchStack, startScratchStack, stepStatuses } from "../support/runbooks.ts";
import { TEST_SESSION_SECRET } from "../support/test-app.ts";

let stack: ScratchStack;
beforeAll(async () => {
  stack = await startScratchStack();
});
afterAll(async () => {
  // Whatever a failed scale-instances test left running is killed before the database goes away.
  await killRecordedInstances();
  await stack?.stop();
});

async function killRecordedInstances(): Promise<void> {
  if (!stack) return;
  const file = path.join(stack.dataDir, "instances", "dev.json");
  if (!existsSync(file)) return;
  const { instances } = JSON.parse(await readFile(file, "utf8")) as { instances: Array<{ pid: number }> };
  for (const { pid } of instances) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

async function trpc<T>(base: string, procedure: string, init: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${base}/trpc/${procedure}`, {
    method: init.body === undefined ? "GET" : "POST",
    headers: {
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const json = (await res.json()) as { result?: { data: T }; error?: { data: { code: string } } };
  return { status: res.status, data: json.result?.data as T, error: json.error };
}

async function signUp(base: string, email: string): Promise<string> {
  const res = await trpc<{ token: string }>(base, "accounts.signUp", {
    body: { email, password: "correct horse battery", displayName: "Runbook test" },
  });
  expect(res.status).toBe(200);
  return res.data.token;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("weekly-review", () => {
  it("reports errors, slow procedures, learner activity and failed runs, and writes the summary", async () => {
    const base = stack.app.url;
    const token = await signUp(base, `weekly-${Date.now()}@example.com`);
    // One right and one wrong answer: 50% accuracy this week.
    const next = await trpc<{ item: { id: string } }>(base, "exercises.next", { token });
    const { rows } = await stack.db.query<{ expected: string }>(
      "SELECT expected FROM exercises WHERE id = $1",
      [next.data.item.id],
    );
    for (const answer of [rows[0]?.expected, "zzz"]) {
      const submit = await trpc(base, "exercises.submit", {
        token,
        body: { exerciseId: next.data.item.id, answer },
      });
      expect(submit.status).toBe(200);
    }
    // Two client errors: calls without a token.
    for (let i = 0; i < 2; i++) expect((await trpc(base, "exercises.next")).status).toBe(401);
    // A failed run in the audit log: a backup nobody verified (a dev stack that never had one only warns).
    const backups = path.join(stack.dataDir, "backups", "dev");
    await mkdir(backups, { recursive: true, mode: 0o700 });
    const unverified = {
      id: "20260101T000000Z-abc123",
      env: "dev",
      file: "x.dump",
      createdAt: new Date().toISOString(),
    };
    await writeFile(path.join(backups, `${unverified.id}.json`), JSON.stringify(unverified), { mode: 0o600 });
    expect((await stack.run("morning-health-check")).result.status).toBe("failed");
    await rm(path.join(backups, `${unverified.id}.json`));

    const { result, events, output } = await stack.run("weekly-review");
    expect(result.status).toBe("ok");
    expect(stepStatuses(events)).toEqual({
      errors: "ok",
      "slow-procedures": "ok",
      "learner-activity": "ok",
      "failed-runs": "ok",
      "write-summary": "ok",
    });
    const errors = result.results.errors as {
      errors: Array<{ procedure: string; code: string; count: number }>;
    };
    expect(errors.errors).toContainEqual({ procedure: "exercises.next", code: "UNAUTHORIZED", count: 2 });
    const slow = result.results["slow-procedures"] as {
      slowest: Array<{ procedure: string; calls: number }>;
    };
    expect(slow.slowest.map((p) => p.procedure)).toContain("exercises.submit");
    expect(result.results["learner-activity"]).toMatchObject({
      reviews: 2,
      correct: 1,
      accuracy: 0.5,
      activeLearners: 1,
    });
    expect(
      (result.results["learner-activity"] as { newLearners: number }).newLearners,
    ).toBeGreaterThanOrEqual(2);
    const runs = result.results["failed-runs"] as { failed: Array<{ runbook: string; step: string }> };
    expect(runs.failed).toContainEqual(
      expect.objectContaining({ runbook: "morning-health-check", step: "backup-age" }),
    );
    expect(output.some((l) => /reviews: 2 by 1 learners, accuracy 50\.0%/.test(l))).toBe(true);

    const { file } = result.results["write-summary"] as { file: string };
    expect(file.startsWith(path.join(stack.dataDir, "artifacts", "weekly-review"))).toBe(true);
    const markdown = await readFile(file, "utf8");
    expect(markdown).toContain("# Weekly review: dev");
    expect(markdown).toContain("| exercises.next | UNAUTHORIZED | 2 |");
    expect(markdown).toContain("- Accuracy: 50.0%");
    expect(markdown).toMatch(/\| morning-health-check \| dev \| failed \| backup-age \| no verified backup/);
  });

  it("refuses a bad period", async () => {
    await expect(stack.run("weekly-review", { params: { days: "0" } })).rejects.toThrow(/days/);
  });
});

describe("performance-check", () => {
  it("reads the statistics and says what to do about pg_stat_statements", async () => {
    // Sequential scans on the exercise bank (a few hundred rows), each on its own connection: a
    // backend flushes its statistics when it exits.
    for (let i = 0; i < 2; i++) {
      const client = new pg.Client({ connectionString: stack.databaseUrl });
      await client.connect();
      await client.query("SELECT count(*) FROM exercises WHERE verb <> ''");
      await client.end();
    }
    await new Promise((r) => setTimeout(r, 1_000));
    const { rows: server } = await stack.db.query<{ libs: string; created: boolean }>(
      `SELECT current_setting('shared_preload_libraries') AS libs,
              EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS created`,
    );
    const preloaded = server[0]?.libs.includes("pg_stat_statements") ?? false;
    const created = server[0]?.created ?? false;
    const { result, output } = await stack.run("performance-check", { params: { bigTableRows: "50" } });
    expect(result.status).toBe("ok");
    const slow = result.results["slow-queries"] as {
      available: boolean;
      howTo?: string[];
      queries: unknown[];
    };
    if (preloaded && created) {
      // A server set up for it (the extension created in template1): the slow statements are listed.
      expect(slow.available).toBe(true);
      expect(slow.queries.length).toBeGreaterThan(0);
    } else {
      // The usual case: the runbook says exactly what is missing and how to enable it.
      expect(slow.available).toBe(false);
      if (!created)
        expect(slow.howTo).toContain(
          `run CREATE EXTENSION pg_stat_statements; in database "${stack.databaseName}"`,
        );
      if (!preloaded)
        expect(output.some((l) => l.includes("set shared_preload_libraries = 'pg_stat_statements'"))).toBe(
          true,
        );
    }

    const cache = result.results["postgres-cache"] as { tableHitRatio: number | null };
    expect(cache.tableHitRatio).toBeGreaterThan(0);
    const app = result.results["app-cache"] as { caches: Array<{ cache: string }> };
    expect(Array.isArray(app.caches)).toBe(true);
    expect(result.results["redis-cache"]).toMatchObject({ configured: true });

    // Nothing in this file revokes sessions: that index is unused, and a candidate; unique ones are kept.
    const unused = result.results["unused-indexes"] as {
      unused: Array<{ index: string; unique: boolean }>;
      candidates: string[];
    };
    expect(unused.unused).toContainEqual(
      expect.objectContaining({ index: "sessions_learner_active_idx", unique: false }),
    );
    expect(unused.candidates).toContain("sessions_learner_active_idx");
    for (const u of unused.unused.filter((x) => x.unique)) expect(unused.candidates).not.toContain(u.index);
    expect(
      output.some((l) => /sessions_learner_active_idx +on sessions .* KiB {2}candidate to drop$/.test(l)),
    ).toBe(true);
    const { tables } = result.results["sequential-scans"] as {
      tables: Array<{ table: string; seq_scan: number }>;
    };
    expect(tables.find((t) => t.table === "exercises")?.seq_scan).toBeGreaterThanOrEqual(2);
  });

  it("refuses a cache ratio above 1", async () => {
    await expect(stack.run("performance-check", { params: { minCacheHitRatio: "1.5" } })).rejects.toThrow(
      /minCacheHitRatio/,
    );
  });
});

describe("scale-instances", () => {
  it("refuses to start without a session secret", async () => {
    const { result, events } = await stack.run("scale-instances", { params: { action: "start" } });
    expect(result).toMatchObject({ status: "failed", failedStep: "start-instances" });
    expect(events.find((e) => e.type === "step-end" && e.status === "failed")).toMatchObject({
      error: expect.stringMatching(/no session secret: pass --param sessionSecret=/),
    });
  });

  it("starts two instances that serve the API, lists them, and stops them gracefully", async () => {
    // The dev stack's secret file: the new instances accept the scratch app's tokens.
    await writeFile(path.join(stack.dataDir, "session-secret"), `${TEST_SESSION_SECRET}\n`);
    const basePort = await freePort();
    const started = await stack.run("scale-instances", {
      params: { action: "start", count: "2", basePort: String(basePort), logLevel: "warn" },
    });
    expect(started.result.status).toBe("ok");
    const { ready } = started.result.results["wait-ready"] as {
      ready: Array<{ pid: number; port: number; url: string }>;
    };
    expect(ready).toHaveLength(2);
    expect(started.output.join("\n")).not.toContain(TEST_SESSION_SECRET);

    const token = await signUp(stack.app.url, `scale-${Date.now()}@example.com`);
    for (const instance of ready) {
      expect(alive(instance.pid)).toBe(true);
      const ping = await trpc<{ pong: boolean }>(instance.url, "system.ping");
      expect(ping).toMatchObject({ status: 200, data: { pong: true } });
      const readyz = await fetch(`${instance.url}/readyz`);
      expect(readyz.status).toBe(200);
      expect(((await readyz.json()) as { status: string }).status).toBe("ok");
      // Same database and secret: a session made on the scratch app works here.
      expect((await trpc(instance.url, "accounts.me", { token })).status).toBe(200);
    }

    const status = await stack.run("scale-instances", { params: { action: "status" } });
    expect(status.result.status).toBe("ok");
    const listed = status.result.results.inventory as { instances: Array<{ pid: number; readyz: number }> };
    expect(listed.instances.map((i) => [i.pid, i.readyz]).sort()).toEqual(
      ready.map((i) => [i.pid, 200]).sort(),
    );

    const stopped = await stack.run("scale-instances", { params: { action: "stop" } });
    expect(stopped.result.status).toBe("ok");
    const how = stopped.result.results["stop-instances"] as { stopped: Array<{ pid: number; how: string }> };
    expect(how.stopped.map((s) => s.how)).toEqual(["exited after SIGTERM", "exited after SIGTERM"]);
    for (const instance of ready) {
      expect(alive(instance.pid)).toBe(false);
      expect(await portOpen(instance.port)).toBe(false);
    }
    const state = JSON.parse(await readFile(path.join(stack.dataDir, "instances", "dev.json"), "utf8"));
    expect(state.instances).toEqual([]);
    await rm(path.join(stack.dataDir, "session-secret"));
  }, 60_000);

  it("refuses an unknown action", async () => {
    await expect(stack.run("scale-instances", { params: { action: "restart" } })).rejects.toThrow(/action/);
  });
});
