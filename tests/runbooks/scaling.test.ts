import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALERT_LIST, SCALE_UP_TRIGGER_LIST } from "../../policy/index.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { parsePrometheus, sum } from "../../runbooks/lib/prometheus.ts";
import { type ScratchStack, startScratchStack, stepStatuses } from "../support/runbooks.ts";
import { TEST_REDIS_URL } from "../support/services.ts";

let stack: ScratchStack;
let redis: Redis;
let certDir: string;
const tlsServers: Server[] = [];
/** https URLs serving a self-signed certificate valid for this many days. */
const tlsUrl: Record<number, string> = {};

async function serveCertificate(days: number): Promise<string> {
  const key = path.join(certDir, `${days}.key`);
  const cert = path.join(certDir, `${days}.crt`);
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat([
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      String(days),
      "-subj",
      `/CN=expiry-${days}.test`,
    ]),
    { stdio: "ignore" },
  );
  const server = createServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) =>
    res.end("ok"),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  tlsServers.push(server);
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

beforeAll(async () => {
  stack = await startScratchStack();
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  certDir = await mkdtemp(path.join(tmpdir(), "ssp-tls-"));
  tlsUrl[3] = await serveCertificate(3);
  tlsUrl[60] = await serveCertificate(60);
});
afterAll(async () => {
  for (const server of tlsServers) server.close();
  if (certDir) await rm(certDir, { recursive: true, force: true });
  redis?.disconnect();
  await stack?.stop();
});

function stepError(events: RunEvent[], step: string): string {
  const end = events.find((e) => e.type === "step-end" && e.step === step);
  return end?.type === "step-end" ? (end.error ?? "") : "";
}

describe("tls-expiry", () => {
  it("passes on a certificate with 60 days left and prints what it read", async () => {
    const { result, output } = await stack.run("tls-expiry", { params: { url: tlsUrl[60] } });
    expect(result.status).toBe("ok");
    const cert = result.results["read-certificate"] as {
      daysLeft: number;
      subject: string;
      trusted: boolean;
    };
    expect(cert.daysLeft).toBeGreaterThan(59.9);
    expect(cert.daysLeft).toBeLessThanOrEqual(60);
    expect(cert.subject).toBe("CN=expiry-60.test");
    expect(cert.trusted).toBe(false);
    expect(output).toContain("  subject:    CN=expiry-60.test");
    expect(
      output.some((l) => /^ok: 60\.0 days left \(the critical alert fires under 7 days\)$/.test(l)),
    ).toBe(true);
  });

  it("fails on a certificate with 3 days left", async () => {
    const { result, events } = await stack.run("tls-expiry", { params: { url: tlsUrl[3] } });
    expect(result).toMatchObject({ status: "failed", failedStep: "check-expiry" });
    expect(stepError(events, "check-expiry")).toMatch(
      /expires in 3\.0 days .* under the critical alert's 7 days: renew it now/,
    );
  });

  it("refuses http URLs, given or from the environment", async () => {
    await expect(stack.run("tls-expiry", { params: { url: "http://127.0.0.1:1/" } })).rejects.toThrow(
      /only https URLs have a certificate/,
    );
    const { result, events } = await stack.run("tls-expiry");
    expect(result).toMatchObject({ status: "failed", failedStep: "read-certificate" });
    expect(stepError(events, "read-certificate")).toMatch(/is plain http: it has no certificate/);
  });
});

describe("alert-check", () => {
  type Row = { id: string; level: string; state: string; value: string };
  const byId = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.id, r]));

  it("evaluates every alert on a healthy stack: warnings print, nothing critical fires", async () => {
    const { result, events, output } = await stack.run("alert-check", { params: { cpuSampleSeconds: "1" } });
    expect(result.status).toBe("ok");
    expect(Object.values(stepStatuses(events)).every((s) => s === "ok")).toBe(true);
    const rows = (result.results.verdict as { alerts: Row[] }).alerts;
    expect(rows.map((r) => r.id)).toEqual(ALERT_LIST.map((a) => a.id));
    const alerts = byId(rows);
    expect(alerts["app-down"]).toMatchObject({ state: "ok", value: "/readyz 200 ok" });
    expect(alerts["database-down"]?.state).toBe("ok");
    expect(alerts["error-rate-critical"]?.state).toBe("ok");
    expect(alerts["tls-expiry"]).toMatchObject({ state: "not applicable" });
    expect(alerts["tls-expiry"]?.value).toMatch(/^not applicable: http/);
    expect(alerts["low-disk"]?.value).toMatch(
      /^\d+\.\d% free \([\d.]+ GiB of [\d.]+ GiB\) on .+, holding \//,
    );
    expect(
      output.some((l) => /^measuring: (PostgreSQL's data directory|.*runbook data directory)/.test(l)),
    ).toBe(true);
    // No backups in the scratch data dir: the warning fires, the run still passes.
    expect(alerts["backup-failed"]).toMatchObject({ level: "warning", state: "firing" });
    expect(
      output.some((l) => l.startsWith("WARNING Backup failed or stale: no verified backup of dev")),
    ).toBe(true);
  });

  it("clears the backup warning once a fresh verified backup exists", async () => {
    const dir = path.join(stack.dataDir, "backups", "dev");
    await mkdir(dir, { recursive: true });
    const createdAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
    await writeFile(
      path.join(dir, "test-backup.json"),
      JSON.stringify({
        id: "test-backup",
        env: "dev",
        file: "test-backup.dump",
        createdAt,
        sizeBytes: 1,
        sha256: "0",
        serverVersion: "15",
        tables: {},
        sequences: {},
        verifiedAt: createdAt,
        verification: { ok: true, detail: "test", restoreSeconds: 1 },
      }),
    );
    try {
      const { result } = await stack.run("alert-check", { params: { cpuSampleSeconds: "1" } });
      expect(result.status).toBe("ok");
      const alerts = byId((result.results.verdict as { alerts: Row[] }).alerts);
      expect(alerts["backup-failed"]).toMatchObject({ state: "ok" });
      expect(alerts["backup-failed"]?.value).toMatch(/test-backup is 2\.0 h old/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fails when the TLS certificate of the public URL expires within 7 days", async () => {
    const { result, events } = await stack.run("alert-check", {
      params: { cpuSampleSeconds: "1", tlsUrl: tlsUrl[3] },
    });
    expect(result).toMatchObject({ status: "failed", failedStep: "verdict" });
    expect(stepError(events, "verdict")).toMatch(
      /1 critical alert\(s\) firing: TLS certificate expiring \(3\.0 days left/,
    );
  });

  it("fails when the app is down, and still checks PostgreSQL directly", async () => {
    const { result, events } = await stack.run("alert-check", {
      processEnv: { ...stack.env, SSP_DEV_APP_URL: "http://127.0.0.1:1" },
    });
    expect(result).toMatchObject({ status: "failed", failedStep: "verdict" });
    const app = result.results.availability as Row[];
    expect(byId(app)["app-down"]?.state).toBe("firing");
    expect(byId(app)["database-down"]).toMatchObject({ state: "ok" });
    expect(byId(app)["database-down"]?.value).toMatch(/^direct SELECT 1 in \d+ ms/);
    expect(stepError(events, "verdict")).toMatch(/critical alert\(s\) firing: Application down/);
  });

  it("refuses a zero CPU sample", async () => {
    await expect(stack.run("alert-check", { params: { cpuSampleSeconds: "0" } })).rejects.toThrow(
      /cpuSampleSeconds/,
    );
  });
});

describe("capacity-report", () => {
  type Row = { id: string; status: string; shown: string };

  it("evaluates every scale-up trigger and the growth targets on a quiet stack", async () => {
    const { result, output } = await stack.run("capacity-report", { params: { sampleSeconds: "1" } });
    expect(result.status).toBe("ok");
    const rows = (result.results["evaluate-triggers"] as { rows: Row[] }).rows;
    expect(rows.map((r) => r.id)).toEqual(SCALE_UP_TRIGGER_LIST.map((t) => t.id));
    expect(rows.every((r) => r.status === "ok")).toBe(true);
    const sample = result.results["sample-app"] as { rssBytes: number; cpuRatio: number };
    expect(sample.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample.cpuRatio).toBeGreaterThanOrEqual(0);
    const { rows: learners } = await stack.db.query<{ n: number }>("SELECT count(*)::int AS n FROM learners");
    expect(result.results.growth).toMatchObject({ learners: learners[0]?.n, nextTarget: "Now" });
    expect(output).toContain("no scale-up trigger fired");
    expect(output.some((l) => /^Database connections\s+\d+\.\d% \(\d+\/\d+\)/.test(l))).toBe(true);
  });

  it("fails when a trigger fires, and only reports with failOnTrigger=false", async () => {
    const failed = await stack.run("capacity-report", { params: { sampleSeconds: "1", memoryLimitMb: "1" } });
    expect(failed.result).toMatchObject({ status: "failed", failedStep: "verdict" });
    expect(stepError(failed.events, "verdict")).toMatch(
      /1 scale-up trigger\(s\) fired: Memory \d+\.\d% \(threshold > 80\.0%\): Add an application instance/,
    );
    const reported = await stack.run("capacity-report", {
      params: { sampleSeconds: "1", memoryLimitMb: "1", failOnTrigger: "false" },
    });
    expect(reported.result.status).toBe("ok");
    const rows = (reported.result.results["evaluate-triggers"] as { rows: Row[] }).rows;
    expect(rows.find((r) => r.id === "memory")?.status).toBe("firing");
    expect(reported.result.results.verdict).toEqual({ fired: ["memory"] });
  });

  it("refuses a zero sample", async () => {
    await expect(stack.run("capacity-report", { params: { sampleSeconds: "0" } })).rejects.toThrow(
      /sampleSeconds/,
    );
  });
});

describe("cache-warm", () => {
  async function exerciseCacheCounter(result: string): Promise<number> {
    const text = await (await fetch(`${stack.app.url}/metrics`)).text();
    return sum(
      parsePrometheus(text),
      "cache_requests_total",
      (l) => l.cache === "exercises" && l.result === result,
    );
  }

  it("fills the exercise hash and the leaderboard the way the app reads them", async () => {
    // A fresh app instance: its in-process tier is empty, so lookups go to Redis.
    await stack.restartApp();
    const prefix = stack.app.env.REDIS_KEY_PREFIX ?? "";
    const { rows: bank } = await stack.db.query<{ v: string; n: number }>(
      "SELECT max(bank_version) AS v, count(*)::int AS n FROM exercises WHERE active",
    );
    const key = `${prefix}exercises:${bank[0]?.v}`;
    await redis.del(key, `${prefix}leaderboard`);
    const { rows: demo } = await stack.db.query<{ id: string }>(
      "UPDATE learners SET score = 42 WHERE email = 'demo@example.com' RETURNING id::text AS id",
    );

    const planned = await stack.run("cache-warm", { plan: true });
    expect(planned.result.status).toBe("ok");
    expect(planned.output).toContain(
      `[plan] would write ${bank[0]?.n} fields into ${key} (now 0) and set its TTL to 3600 s`,
    );
    expect(await redis.exists(key)).toBe(0);

    const { result, output } = await stack.run("cache-warm");
    expect(result.status).toBe("ok");
    expect(result.results["warm-exercises"]).toEqual({ written: bank[0]?.n });
    expect(await redis.hlen(key)).toBe(bank[0]?.n);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(3_500);
    expect(ttl).toBeLessThanOrEqual(3_600);
    expect(output.some((l) => / Redis matches PostgreSQL$/.test(l))).toBe(true);
    // The stored JSON is exactly the app's shape.
    const id = (await redis.hkeys(key))[0] as string;
    expect(Object.keys(JSON.parse((await redis.hget(key, id)) as string))).toEqual([
      "id",
      "category",
      "difficulty",
      "sentence",
      "verb",
      "person",
      "mood",
      "tense",
      "expected",
      "accepted",
      "explanation",
      "translation",
    ]);
    expect(await redis.zscore(`${prefix}leaderboard`, demo[0]?.id as string)).toBe("42");
    expect(await redis.zcard(`${prefix}leaderboard`)).toBe(1);

    // The app now serves the next exercise from the warmed hash: a hit, not a miss.
    const hits = await exerciseCacheCounter("hit");
    const misses = await exerciseCacheCounter("miss");
    const signUp = await fetch(`${stack.app.url}/trpc/accounts.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: `warm-${Date.now()}@example.com`,
        password: "correct horse battery",
        displayName: "Warm",
      }),
    });
    const token = ((await signUp.json()) as { result: { data: { token: string } } }).result.data.token;
    const next = await fetch(`${stack.app.url}/trpc/exercises.next`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(next.status).toBe(200);
    expect(await exerciseCacheCounter("hit")).toBe(hits + 1);
    expect(await exerciseCacheCounter("miss")).toBe(misses);
  });

  it("refuses an environment without Redis", async () => {
    const { result, events } = await stack.run("cache-warm", {
      processEnv: { ...stack.env, SSP_DEV_REDIS_URL: "" },
    });
    expect(result).toMatchObject({ status: "failed", failedStep: "inspect" });
    expect(stepError(events, "inspect")).toMatch(/has no Redis: there is no cache to warm/);
  });
});
