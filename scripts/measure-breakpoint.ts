import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";
import { PROFILES, type Profile } from "../load-tests/lib/profiles.ts";
import type { LoadSummary } from "../load-tests/lib/summary.ts";
import { startClientProxy } from "../load-tests/runner/client-proxy.ts";
import { runFallback } from "../load-tests/runner/fallback.ts";
import { seedLoadLearners } from "../practice-app/src/db/load-learners.ts";
import { migrateUp } from "../practice-app/src/db/migrations.ts";
import { seed } from "../practice-app/src/db/seed.ts";
import { freePort } from "../runbooks/lib/net.ts";
import { childrenOf, cpuMeter, gitCommit, machine, pidsMatching } from "./lib/bench-env.ts";
import { type PgBouncer, startPgBouncer } from "./stack/pgbouncer.ts";

// `node scripts/measure-breakpoint.ts [--peak 1500] [--minutes 8] [--instances 1|2] [--pgbouncer] [--label name]`
// The breakpoint measured the way the Scaling Guide reports it: learners created beforehand (their
// sessions open, as real learners' are), each arriving from its own client address through the
// benchmark-only proxy (load-tests/runner/client-proxy.ts) with the app's limits on, the app as
// its own process(es) (NODE_ENV=production, TRUST_PROXY=true) on a scratch database, the load
// ramping linearly to --peak and stopping when a threshold fails (the breakpoint profile). While it
// runs, every 5 s: the CPU of the app, PostgreSQL, Redis, the proxy and the generator, and the
// app's own pool and event-loop figures; at the end, what broke first with those figures at that
// moment. Writes the run's summary plus all of that to load-tests/measured/<label>.json, which the
// Scaling Guide renders.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values: args } = parseArgs({
  options: {
    peak: { type: "string", default: "1500" },
    minutes: { type: "string", default: "8" },
    instances: { type: "string", default: "1" },
    pgbouncer: { type: "boolean", default: false },
    label: { type: "string" },
    note: { type: "string", default: "" },
  },
});
const peak = wholeNumber("peak", args.peak, 1, 5_000);
const minutes = wholeNumber("minutes", args.minutes, 1, 120);
const instances = wholeNumber("instances", args.instances, 1, 4);
const label =
  args.label ??
  [
    "breakpoint",
    ...(instances > 1 ? [`${instances}-instances`] : []),
    ...(args.pgbouncer ? ["pgbouncer"] : []),
  ].join("-");
if (!/^[a-z0-9-]{1,60}$/.test(label))
  fail(`--label "${label}" must be lower-case letters, digits and dashes`);
const adminUrl = process.env.BENCH_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

function fail(message: string): never {
  console.error(`measure-breakpoint: ${message}`);
  process.exit(2);
}

function wholeNumber(name: string, text: string | undefined, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    fail(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

/** One sample of the app's own figures, from each instance's /metrics (summed over instances). */
interface AppSample {
  poolWaiting: number;
  poolTotal: number;
  poolMax: number;
  eventLoopLagP99Ms: number;
  rateLimited: Record<string, number>;
}

async function appSample(bases: readonly string[]): Promise<AppSample> {
  const sample: AppSample = {
    poolWaiting: 0,
    poolTotal: 0,
    poolMax: 0,
    eventLoopLagP99Ms: 0,
    rateLimited: {},
  };
  for (const base of bases) {
    let text = "";
    try {
      text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
    } catch {
      continue;
    }
    const value = (pattern: string) => Number(new RegExp(`^${pattern} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
    sample.poolWaiting += value('pg_pool_connections\\{state="waiting"\\}');
    sample.poolTotal += value('pg_pool_connections\\{state="total"\\}');
    sample.poolMax += value('pg_pool_connections\\{state="max"\\}');
    sample.eventLoopLagP99Ms = Math.max(
      sample.eventLoopLagP99Ms,
      value("nodejs_eventloop_lag_p99_seconds") * 1000,
    );
    for (const match of text.matchAll(/^rate_limited_requests_total\{limiter="([^"]+)"\} (\S+)$/gm))
      sample.rateLimited[match[1] as string] =
        (sample.rateLimited[match[1] as string] ?? 0) + Number(match[2]);
  }
  sample.eventLoopLagP99Ms = Math.round(sample.eventLoopLagP99Ms * 10) / 10;
  return sample;
}

interface ResourceSample {
  t: number;
  vus: number;
  /** CPU as a share of one core over the last interval. */
  cpu: { app: number; postgres: number; redis: number; proxies: number; generator: number };
  app: AppSample;
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const commit = gitCommit(ROOT);
  const dbName = `ssp_breakpoint_${randomBytes(4).toString("hex")}`;
  const prefix = `ssp-breakpoint:${randomBytes(3).toString("hex")}:`;
  const secret = randomBytes(32).toString("base64url");
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const databaseUrl = dbUrl.toString();
  const apps: ChildProcess[] = [];
  let stopProxy: (() => Promise<void>) | null = null;
  let bouncer: PgBouncer | null = null;
  try {
    await migrateUp(databaseUrl, () => undefined);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    await seed(pool, { demo: false, scryptLogN: 17 });
    const learners = await seedLoadLearners(pool, {
      count: peak,
      sessionSecret: secret,
      ttlDays: 30,
      scryptLogN: 17,
    });
    await pool.end();
    console.log(`setup: scratch database ${dbName}, ${learners.length} learners with open sessions`);

    // With --pgbouncer the instances reach PostgreSQL through Debian's PgBouncer in transaction
    // mode (20 server connections), as the Scaling Guide describes past one host.
    if (args.pgbouncer) bouncer = await startPgBouncer(new URL(databaseUrl), { poolSize: 20 });
    const appDatabaseUrl = bouncer ? bouncer.url(dbName) : databaseUrl;
    const bases: string[] = [];
    for (let i = 0; i < instances; i++) {
      const port = await freePort();
      const child = spawn(process.execPath, [path.join(ROOT, "practice-app/src/main.ts")], {
        env: {
          ...process.env,
          NODE_ENV: "production",
          HOST: "127.0.0.1",
          PORT: String(port),
          DATABASE_URL: appDatabaseUrl,
          PG_TRANSACTION_POOLER: bouncer ? "true" : "false",
          REDIS_URL: redisUrl,
          REDIS_KEY_PREFIX: prefix,
          SESSION_SECRET: secret,
          // Behind the proxy, as behind the production nginx: the client address is the forwarded one.
          TRUST_PROXY: "true",
          SHUTDOWN_DRAIN_DELAY_MS: "0",
          LOG_LEVEL: "warn",
          LOG_REQUESTS: "false",
        },
        stdio: ["ignore", "ignore", "inherit"],
      });
      apps.push(child);
      const base = `http://127.0.0.1:${port}`;
      for (let attempt = 0; ; attempt++) {
        try {
          if ((await fetch(`${base}/readyz`)).ok) break;
        } catch {
          // Not listening yet.
        }
        if (attempt > 150) throw new Error(`app instance ${i + 1} did not become ready in 30 s`);
        await sleep(200);
      }
      bases.push(base);
    }
    const proxy = await startClientProxy(bases.map((b) => new URL(b)));
    stopProxy = proxy.stop;
    console.log(`setup: ${instances} app instance(s) behind the client-address proxy at ${proxy.url}`);

    const appPids = apps.map((a) => a.pid ?? 0);
    const meters = {
      app: cpuMeter(() => appPids),
      postgres: cpuMeter(() => pidsMatching((c) => c.startsWith("postgres:") && c.includes(` ${dbName} `))),
      redis: cpuMeter(() => pidsMatching((c) => c.startsWith("redis-server"))),
      proxies: cpuMeter(() => [proxy.pid, ...childrenOf(proxy.pid), ...(bouncer ? [bouncer.pid] : [])]),

      generator: cpuMeter(() => [process.pid]),
    };
    // Warm-up, not measured: the first seconds of a fresh process (JIT, connection pools, caches)
    // are slower than any load after them, and the breakpoint search stops at the first bad bucket.
    console.log("warm-up: 20 learners for 20 s (not part of the measurement)");
    await runFallback({
      profile: {
        ...PROFILES.smoke,
        abortOnFail: false,
        thinkTimeS: 0.5,
        short: [{ durationS: 20, target: 20 }],
      },
      variant: "short",
      target: proxy.url,
      learners,
      log: () => undefined,
    });
    const profile: Profile = {
      ...PROFILES.breakpoint,
      short: [{ durationS: minutes * 60, target: peak }],
    };
    const resources: ResourceSample[] = [];
    const started = performance.now();
    let vus = 0;
    for (const meter of Object.values(meters)) meter.start();
    const sampler = setInterval(() => {
      const cpu = {
        app: meters.app.stop(),
        postgres: meters.postgres.stop(),
        redis: meters.redis.stop(),
        proxies: meters.proxies.stop(),
        generator: meters.generator.stop(),
      };
      for (const meter of Object.values(meters)) meter.start();
      const t = Math.round((performance.now() - started) / 1000);
      void appSample(bases).then((app) => resources.push({ t, vus, cpu, app }));
    }, 5_000);
    const measuredAt = new Date().toISOString();
    const machineAtStart = machine();
    let summary: LoadSummary;
    try {
      summary = await runFallback({
        profile,
        variant: "short",
        target: proxy.url,
        learners,
        log: (line) => {
          const match = /vus\s+(\d+)/.exec(line);
          if (match) vus = Number(match[1]);
          console.log(line);
        },
      });
    } finally {
      clearInterval(sampler);
    }
    const lastGood = summary.breakpoint?.lastGoodVus ?? null;
    const firstBad = summary.breakpoint?.firstBad ?? null;
    const atBreak = firstBad
      ? (resources.filter((r) => r.t <= firstBad.t + 5).at(-1) ?? null)
      : (resources.at(-1) ?? null);
    const failed = summary.thresholds
      .filter((t) => !t.ok)
      .map((t) => `${t.metric} ${t.expression} (actual ${t.actual})`);
    const limited = Object.values(summary.statuses ?? {}).reduce(
      (n, byStatus) => n + (byStatus["429"] ?? 0),
      0,
    );
    const bound = !atBreak
      ? "unknown"
      : atBreak.cpu.app >= 0.9 * instances
        ? `the app's CPU (${atBreak.cpu.app} cores for ${instances} instance(s))`
        : atBreak.cpu.app +
              atBreak.cpu.postgres +
              atBreak.cpu.redis +
              atBreak.cpu.proxies +
              atBreak.cpu.generator >=
            1.8
          ? "the machine's two cores, shared by the app, PostgreSQL, the proxy and the generator"
          : atBreak.app.poolWaiting > 0
            ? `the database pool (${atBreak.app.poolWaiting} callers waiting)`
            : "not a single resource: see the samples";
    const result = {
      ...summary,
      measurement: {
        script: "scripts/measure-breakpoint.ts",
        measuredAt,
        commit,
        machine: machineAtStart,
        note: args.note,
        setup: {
          instances,
          pgbouncer: bouncer !== null,
          peakLearners: peak,
          rampMinutes: minutes,
          learnersSeeded: true,
          clientAddresses: "one per learner through the client-address proxy; limits on",
        },
        lastGoodLearners: lastGood,
        brokeAt: firstBad,
        failedThresholds: failed,
        responses429: limited,
        boundBy: bound,
        atBreak,
        resources,
      },
    };
    const out = path.join(ROOT, "load-tests", "measured", `${label}.json`);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `\nbreakpoint (${instances} instance(s), ramp to ${peak} over ${minutes} min): ${
        firstBad
          ? `held up to ${lastGood} learners; at ${firstBad.vus} p95 ${firstBad.p95} ms, errors ${(firstBad.errorRate * 100).toFixed(2)}%`
          : `held to the peak of ${peak} learners`
      }; 429s: ${limited}; bound by ${bound}`,
    );
    if (atBreak) console.log(`at the break: ${JSON.stringify(atBreak)}`);
    console.log(`written to ${path.relative(ROOT, out)}`);
  } finally {
    await stopProxy?.();
    await bouncer?.stop();
    for (const app of apps) app.kill("SIGTERM");
    await Promise.all(
      apps.map(
        (app) =>
          new Promise((resolve) => (app.exitCode !== null ? resolve(null) : app.once("exit", resolve))),
      ),
    );
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    await deleteKeys(prefix);
  }
}

main().catch((error: unknown) => {
  console.error(`measure-breakpoint failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
