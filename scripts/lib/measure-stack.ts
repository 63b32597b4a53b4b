import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import pg from "pg";
import { PROFILES } from "../../load-tests/lib/profiles.ts";
import { startClientProxy } from "../../load-tests/runner/client-proxy.ts";
import { runFallback } from "../../load-tests/runner/fallback.ts";
import { type SeededLearner, seedLoadLearners } from "../../practice-app/src/db/load-learners.ts";
import { migrateUp } from "../../practice-app/src/db/migrations.ts";
import { seed } from "../../practice-app/src/db/seed.ts";
import { freePort } from "../../runbooks/lib/net.ts";
import { type PgBouncer, startPgBouncer } from "../stack/pgbouncer.ts";
import { childrenOf, cpuMeter, pidsMatching } from "./bench-env.ts";
import { type Breakdown, breakdown, type CpuProfile } from "./cpu-profile.ts";

// The stack the capacity measurements (measure-breakpoint, measure-auth-wave) run against, set up
// the way production sees it: a scratch database with learners created beforehand (sessions open),
// N app processes (NODE_ENV=production, TRUST_PROXY=true, every limit on) behind the benchmark-only
// client-address proxy, so each virtual learner arrives from its own address; optionally PgBouncer
// in transaction mode between the app and PostgreSQL, and the first instance under --cpu-prof.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface MeasureStackOptions {
  learners: number;
  instances: number;
  pgbouncer: boolean;
  /** Run the first instance under node --cpu-prof (read with `profile()` after the run). */
  profile: boolean;
  /** Extra environment for the app instances. */
  appEnv?: Record<string, string>;
}

/** One sample of the app's own figures, from each instance's /metrics (summed over instances). */
export interface AppSample {
  poolWaiting: number;
  poolTotal: number;
  poolMax: number;
  eventLoopLagP99Ms: number;
  rateLimited: Record<string, number>;
  hashing: { running: number; waiting: number };
}

export interface CpuSample {
  app: number;
  postgres: number;
  redis: number;
  proxies: number;
  generator: number;
}

export interface MeasureStack {
  dbName: string;
  databaseUrl: string;
  /** The client-address proxy in front of the instances: the load test's target. */
  url: string;
  bases: string[];
  learners: SeededLearner[];
  pgbouncer: boolean;
  /** The app's own figures now. */
  appSample(): Promise<AppSample>;
  /** Starts the CPU meters; each call of the result returns the CPU since the last (cores). */
  cpuSampler(): () => CpuSample;
  /** --profile: stops the instances and reads the first one's CPU profile. */
  profile(): Promise<Pick<Breakdown, "busyMs" | "groups" | "topFunctions">>;
  stop(): Promise<void>;
}

const adminUrl = () => process.env.BENCH_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const redisUrl = () => process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

export async function startMeasureStack(options: MeasureStackOptions): Promise<MeasureStack> {
  const dbName = `ssp_measure_${randomBytes(4).toString("hex")}`;
  const prefix = `ssp-measure:${randomBytes(3).toString("hex")}:`;
  const secret = randomBytes(32).toString("base64url");
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(adminUrl());
  dbUrl.pathname = `/${dbName}`;
  const databaseUrl = dbUrl.toString();
  const apps: ChildProcess[] = [];
  let stopProxy: (() => Promise<void>) | null = null;
  let bouncer: PgBouncer | null = null;
  const profileDir = options.profile ? await mkdtemp(path.join(tmpdir(), "ssp-measure-prof-")) : null;

  const stop = async () => {
    await stopProxy?.();
    await bouncer?.stop();
    await stopApps(apps);
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    await deleteKeys(prefix);
  };

  try {
    await migrateUp(databaseUrl, () => undefined);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    await seed(pool, { demo: false, scryptLogN: 17 });
    const learners = await seedLoadLearners(pool, {
      count: options.learners,
      sessionSecret: secret,
      ttlDays: 30,
      scryptLogN: 17,
    });
    await pool.end();
    console.log(`setup: scratch database ${dbName}, ${learners.length} learners with open sessions`);

    // With pgbouncer the instances reach PostgreSQL through Debian's PgBouncer in transaction
    // mode (20 server connections), as the Scaling Guide describes past one host.
    if (options.pgbouncer) bouncer = await startPgBouncer(new URL(databaseUrl), { poolSize: 20 });
    const appDatabaseUrl = bouncer ? bouncer.url(dbName) : databaseUrl;
    const bases: string[] = [];
    for (let i = 0; i < options.instances; i++) {
      const port = await freePort();
      const profiling = profileDir && i === 0 ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
      const child = spawn(process.execPath, [...profiling, path.join(ROOT, "practice-app/src/main.ts")], {
        env: {
          ...process.env,
          NODE_ENV: "production",
          HOST: "127.0.0.1",
          PORT: String(port),
          DATABASE_URL: appDatabaseUrl,
          PG_TRANSACTION_POOLER: bouncer ? "true" : "false",
          REDIS_URL: redisUrl(),
          REDIS_KEY_PREFIX: prefix,
          SESSION_SECRET: secret,
          // Behind the proxy, as behind the production nginx: the client address is the forwarded one.
          TRUST_PROXY: "true",
          SHUTDOWN_DRAIN_DELAY_MS: "0",
          LOG_LEVEL: "warn",
          LOG_REQUESTS: "false",
          ...options.appEnv,
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
        if (child.exitCode !== null) throw new Error(`app instance ${i + 1} exited with ${child.exitCode}`);
        if (attempt > 150) throw new Error(`app instance ${i + 1} did not become ready in 30 s`);
        await sleep(200);
      }
      bases.push(base);
    }
    const proxy = await startClientProxy(bases.map((b) => new URL(b)));
    stopProxy = proxy.stop;
    console.log(
      `setup: ${options.instances} app instance(s)${bouncer ? " through PgBouncer" : ""} behind the client-address proxy at ${proxy.url}`,
    );
    const appPids = apps.map((a) => a.pid ?? 0);
    const proxyPids = () => [proxy.pid, ...childrenOf(proxy.pid), ...(bouncer ? [bouncer.pid] : [])];
    return {
      dbName,
      databaseUrl,
      url: proxy.url,
      bases,
      learners,
      pgbouncer: bouncer !== null,
      appSample: () => appSample(bases),
      cpuSampler() {
        const meters = {
          app: cpuMeter(() => appPids),
          postgres: cpuMeter(() =>
            pidsMatching((c) => c.startsWith("postgres:") && c.includes(` ${dbName} `)),
          ),
          redis: cpuMeter(() => pidsMatching((c) => c.startsWith("redis-server"))),
          proxies: cpuMeter(proxyPids),
          generator: cpuMeter(() => [process.pid]),
        };
        for (const meter of Object.values(meters)) meter.start();
        return () => {
          const cpu = {
            app: meters.app.stop(),
            postgres: meters.postgres.stop(),
            redis: meters.redis.stop(),
            proxies: meters.proxies.stop(),
            generator: meters.generator.stop(),
          };
          for (const meter of Object.values(meters)) meter.start();
          return cpu;
        };
      },
      async profile() {
        if (!profileDir) throw new Error("the stack was started without profile: true");
        await stopApps(apps);
        const file = (await readdir(profileDir)).find((f) => f.endsWith(".cpuprofile"));
        if (!file) throw new Error(`the profiled app instance wrote no CPU profile into ${profileDir}`);
        const { busyMs, groups, topFunctions } = breakdown(
          JSON.parse(await readFile(path.join(profileDir, file), "utf8")) as CpuProfile,
          ROOT,
        );
        return { busyMs, groups, topFunctions };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function appSample(bases: readonly string[]): Promise<AppSample> {
  const sample: AppSample = {
    poolWaiting: 0,
    poolTotal: 0,
    poolMax: 0,
    eventLoopLagP99Ms: 0,
    rateLimited: {},
    hashing: { running: 0, waiting: 0 },
  };
  for (const base of bases) {
    let text = "";
    try {
      text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
    } catch {
      continue; // an instance too busy to answer in 2 s: its figures are missing from this sample
    }
    const value = (pattern: string) => Number(new RegExp(`^${pattern} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
    sample.poolWaiting += value('pg_pool_connections\\{state="waiting"\\}');
    sample.poolTotal += value('pg_pool_connections\\{state="total"\\}');
    sample.poolMax += value('pg_pool_connections\\{state="max"\\}');
    sample.hashing.running += value('password_hashing\\{state="running"\\}');
    sample.hashing.waiting += value('password_hashing\\{state="waiting"\\}');
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

async function stopApps(apps: readonly ChildProcess[]): Promise<void> {
  for (const app of apps) if (app.exitCode === null) app.kill("SIGTERM");
  await Promise.all(
    apps.map(
      (app) => new Promise((resolve) => (app.exitCode !== null ? resolve(null) : app.once("exit", resolve))),
    ),
  );
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
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

/** Prints a profile's groups and top functions, as bench:app --profile does. */
export function printProfile(title: string, p: Pick<Breakdown, "groups" | "topFunctions">): void {
  console.log(`\n${title}`);
  for (const g of p.groups.slice(0, 12))
    console.log(`${g.name.padEnd(46)} ${(g.share * 100).toFixed(1).padStart(6)}%`);
  console.log("\ntop functions (self time)");
  for (const f of p.topFunctions.slice(0, 10))
    console.log(`${(f.share * 100).toFixed(1).padStart(6)}%  ${f.name}`);
}

/** Learners for the warm-up only: its journeys log some out, and a measured learner must start with a live session. */
export const WARM_UP_LEARNERS = 20;

/**
 * 20 s of light load by WARM_UP_LEARNERS learners of their own, not measured: the first seconds of
 * a fresh process (JIT, connection pools, caches) are slower than any load after them.
 */
export async function warmUp(stack: MeasureStack, learners: readonly SeededLearner[]): Promise<void> {
  console.log(`warm-up: ${learners.length} learners of their own for 20 s (not part of the measurement)`);
  await runFallback({
    profile: {
      ...PROFILES.smoke,
      abortOnFail: false,
      thinkTimeS: 0.5,
      short: [{ durationS: 20, target: learners.length }],
    },
    variant: "short",
    target: stack.url,
    learners,
    log: () => undefined,
  });
}
