import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import pg from "pg";
import { hashPassword } from "../practice-app/src/auth/passwords.ts";
import { hashToken, newSessionToken } from "../practice-app/src/auth/tokens.ts";
import { migrateUp } from "../practice-app/src/db/migrations.ts";
import { seed } from "../practice-app/src/db/seed.ts";
import { cpuMeter, gitCommit, machine, pidsMatching } from "./lib/bench-env.ts";
import { breakdown, type CpuProfile } from "./lib/cpu-profile.ts";

// `npm run bench:app`: drives the hot paths (exercises.next, exercises.submit) and a trivial
// procedure (system.ping, the ceiling) against the app running as its own process, on a scratch
// database. Prints requests/s, p50/p95/p99, errors, each scenario's share of the ceiling measured in
// the same run, the app's memory and the CPU of the app, PostgreSQL and Redis; writes them with the
// date, commit and machine to bench/results/app.json, committed: the handbook renders that file.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values: args } = parseArgs({
  options: {
    connections: { type: "string", default: "100" },
    duration: { type: "string", default: "10" },
    learners: { type: "string", default: "100" },
    note: { type: "string", default: "" },
    out: { type: "string", default: path.join(ROOT, "bench", "results", "app.json") },
    profile: { type: "string" },
  },
});
const PROFILED = ["system.ping", "exercises.next", "exercises.submit"] as const;
type Profiled = (typeof PROFILED)[number];
const profiled = args.profile as Profiled | undefined;
if (profiled !== undefined && !PROFILED.includes(profiled)) {
  console.error(`--profile must be one of ${PROFILED.join(", ")}, got "${profiled}"`);
  process.exit(2);
}
const connections = positiveInt("connections", args.connections);
const duration = positiveInt("duration", args.duration);
const learnerCount = positiveInt("learners", args.learners);
const adminUrl = process.env.BENCH_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const secret = randomBytes(32).toString("base64url");

function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number of at least 1, got "${value}"`);
    process.exit(2);
  }
  return n;
}

interface ScenarioResult {
  name: string;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  errors: number;
  non2xx: number;
  timeouts: number;
  appRssMiB: number;
  appHeapUsedMiB: number;
  /** requestsPerSecond over system.ping's in the same run (the first ping scenario). */
  shareOfCeiling: number;
  /**
   * CPU during the scenario as a share of one core (1 = one core busy throughout), from
   * /proc/<pid>/stat utime+stime: the app process; the PostgreSQL backends connected to the
   * scratch database (matched by their command line, which names the database); the redis-server
   * process (shared with other users of that Redis, so an upper bound).
   */
  cpu: { app: number; postgres: number; redis: number };
}

interface Meters {
  app: ReturnType<typeof cpuMeter>;
  postgres: ReturnType<typeof cpuMeter>;
  redis: ReturnType<typeof cpuMeter>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 100) / 100;
}

/** The app's own memory figures, read from its /metrics. */
async function appMemory(base: string): Promise<{ rss: number; heapUsed: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const mib = (name: string) => {
    const match = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
    return match ? Math.round(Number(match[1]) / 1024 / 1024) : -1;
  };
  return { rss: mib("process_resident_memory_bytes"), heapUsed: mib("nodejs_heap_size_used_bytes") };
}

async function scenario(
  name: string,
  base: string,
  request: autocannon.Request,
  meters: Meters,
): Promise<Omit<ScenarioResult, "shareOfCeiling">> {
  const times: number[] = [];
  for (const meter of Object.values(meters)) meter.start();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: base, connections, duration, requests: [request] }, (error, done) =>
      error ? reject(error) : resolve(done),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      times.push(responseTime);
    });
  });
  const cpu = { app: meters.app.stop(), postgres: meters.postgres.stop(), redis: meters.redis.stop() };
  times.sort((a, b) => a - b);
  const memory = await appMemory(base);
  return {
    name,
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.total / duration),
    latencyMs: {
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      p99: percentile(times, 99),
      max: percentile(times, 100),
    },
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    appRssMiB: memory.rss,
    appHeapUsedMiB: memory.heapUsed,
    cpu,
  };
}

async function main(): Promise<void> {
  // Read before anything runs: the tree as it was when the benchmark started.
  const commit = gitCommit(ROOT);
  const dbName = `ssp_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrlObject = new URL(adminUrl);
  dbUrlObject.pathname = `/${dbName}`;
  const databaseUrl = dbUrlObject.toString();
  const prefix = `ssp-bench:${randomBytes(3).toString("hex")}:`;
  let app: ReturnType<typeof spawn> | null = null;
  try {
    await migrateUp(databaseUrl, () => undefined);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    await seed(pool, { demo: false, scryptLogN: 17 });
    // Learners and sessions are written directly: 100 sign-ups would spend 40 s in scrypt, and
    // log-in speed is not what this benchmark measures.
    const passwordHash = await hashPassword("bench-password", 17);
    const tokens: string[] = [];
    for (let i = 0; i < learnerCount; i++) {
      const { rows } = await pool.query<{ id: string }>(
        "INSERT INTO learners (email, display_name, password_hash) VALUES ($1, $2, $3) RETURNING id::text AS id",
        [`bench-${i}@example.test`, `bench ${i}`, passwordHash],
      );
      const token = newSessionToken();
      await pool.query(
        "INSERT INTO sessions (learner_id, token_hash, expires_at) VALUES ($1, $2, now() + interval '1 day')",
        [rows[0]?.id, hashToken(token, secret)],
      );
      tokens.push(token);
    }
    const { rows: items } = await pool.query<{ id: string; expected: string }>(
      "SELECT id, expected FROM exercises WHERE active",
    );
    await pool.end();

    const port = 3900 + Math.floor(Math.random() * 90);
    // --profile: the app writes a V8 CPU profile when it exits (SIGTERM below).
    const profileDir = profiled ? await mkdtemp(path.join(tmpdir(), "ssp-cpu-prof-")) : null;
    app = spawn(
      process.execPath,
      [
        ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []),
        path.join(ROOT, "practice-app/src/main.ts"),
      ],
      {
        env: {
          ...process.env,
          NODE_ENV: "production",
          PORT: String(port),
          DATABASE_URL: databaseUrl,
          REDIS_URL: redisUrl,
          REDIS_KEY_PREFIX: prefix,
          SESSION_SECRET: secret,
          LOG_LEVEL: "warn",
          LOG_REQUESTS: "false",
          RATE_LIMIT_API_PER_LEARNER: "1000000",
        },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/readyz`)).ok) break;
      } catch {
        // Not listening yet.
      }
      if (i > 100) throw new Error("the app did not become ready in 20 s");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const appPid = app.pid ?? 0;
    const meters: Meters = {
      app: cpuMeter(() => [appPid]),
      postgres: cpuMeter(() => pidsMatching((c) => c.startsWith("postgres:") && c.includes(` ${dbName} `))),
      redis: cpuMeter(() => pidsMatching((c) => c.startsWith("redis-server"))),
    };
    const measuredAt = new Date().toISOString();
    const machineAtStart = machine();
    let turn = 0;
    const nextToken = () => tokens[turn++ % tokens.length] as string;
    const pickItem = () =>
      items[Math.floor(Math.random() * items.length)] as { id: string; expected: string };

    const requests: Record<Profiled, autocannon.Request> = {
      "system.ping": { method: "GET", path: "/trpc/system.ping" },
      "exercises.next": {
        setupRequest: (req) => ({
          ...req,
          method: "GET",
          path: "/trpc/exercises.next",
          headers: { authorization: `Bearer ${nextToken()}` },
        }),
      },
      "exercises.submit": {
        setupRequest: (req) => {
          const item = pickItem();
          const answer = Math.random() < 0.7 ? item.expected : "no sé";
          return {
            ...req,
            method: "POST",
            path: "/trpc/exercises.submit",
            headers: { authorization: `Bearer ${nextToken()}`, "content-type": "application/json" },
            body: JSON.stringify({ exerciseId: item.id, answer }),
          };
        },
      },
    };
    if (profiled && profileDir) {
      // Warm-up and measured run are the same request, so the whole profile is that scenario.
      const warm = await scenario("warm-up", base, requests[profiled], meters);
      const run = await scenario(profiled, base, requests[profiled], meters);
      const exited = new Promise((resolve) => app?.once("exit", resolve));
      app.kill("SIGTERM");
      await exited;
      const file = (await readdir(profileDir)).find((f) => f.endsWith(".cpuprofile"));
      if (!file) throw new Error(`the app wrote no CPU profile into ${profileDir}`);
      const result = breakdown(
        JSON.parse(await readFile(path.join(profileDir, file), "utf8")) as CpuProfile,
        ROOT,
      );
      await rm(profileDir, { recursive: true, force: true });
      const total = warm.requests + run.requests;
      const perRequestUs = (ms: number) => Math.round((ms * 1000) / total);
      console.log(
        `\n${profiled}: ${run.requestsPerSecond} req/s (p95 ${run.latencyMs.p95} ms); the app's CPU per request: ${perRequestUs(result.busyMs)} µs\n`,
      );
      console.log("where the app's CPU went                         share   µs/request");
      for (const g of result.groups)
        console.log(
          `${g.name.padEnd(46)} ${(g.share * 100).toFixed(1).padStart(6)}% ${String(perRequestUs(g.ms)).padStart(9)}`,
        );
      console.log("\ntop functions (self time)");
      for (const f of result.topFunctions)
        console.log(`${(f.share * 100).toFixed(1).padStart(6)}%  ${f.name}`);
      const out = path.join(ROOT, "bench", "results", `profile-${profiled.replace(".", "-")}.json`);
      await writeFile(
        out,
        `${JSON.stringify(
          {
            schema: 1,
            measuredAt,
            commit,
            machine: machineAtStart,
            note: args.note,
            scenario: profiled,
            settings: { connections, durationSeconds: duration, learners: learnerCount },
            requests: total,
            requestsPerSecond: run.requestsPerSecond,
            latencyMs: run.latencyMs,
            cpuPerRequestUs: perRequestUs(result.busyMs),
            groups: result.groups.map((g) => ({ ...g, perRequestUs: perRequestUs(g.ms) })),
            topFunctions: result.topFunctions,
          },
          null,
          2,
        )}\n`,
      );
      console.log(`\nwritten to ${path.relative(process.cwd(), out)}`);
      return;
    }

    // Warm the exercise cache and the JIT the same way for every scenario.
    await scenario("warm-up", base, requests["system.ping"], meters);

    const results: Omit<ScenarioResult, "shareOfCeiling">[] = [];
    results.push(await scenario("system.ping (ceiling)", base, requests["system.ping"], meters));
    results.push(await scenario("exercises.next", base, requests["exercises.next"], meters));
    results.push(await scenario("exercises.submit", base, requests["exercises.submit"], meters));

    // The ceiling again at the end: equal memory before and after shows nothing accumulates.
    results.push(await scenario("system.ping (again)", base, requests["system.ping"], meters));

    const ceiling = results[0]?.requestsPerSecond ?? 1;
    const measured: ScenarioResult[] = results.map((r) => ({
      ...r,
      shareOfCeiling: Math.round((r.requestsPerSecond / ceiling) * 1000) / 1000,
    }));
    console.log(
      `\n${connections} connections, ${duration} s each, ${learnerCount} learners, ${items.length} items\n`,
    );
    console.log(
      "scenario                 req/s    p50 ms  p95 ms  p99 ms  errors  RSS MiB  heap MiB  % of ceiling  CPU app  postgres  redis",
    );
    const cores = (n: number) => n.toFixed(2).padStart(8);
    for (const r of measured) {
      console.log(
        `${r.name.padEnd(24)} ${String(r.requestsPerSecond).padStart(6)} ${String(r.latencyMs.p50).padStart(8)} ${String(r.latencyMs.p95).padStart(7)} ${String(r.latencyMs.p99).padStart(7)} ${String(r.errors + r.non2xx + r.timeouts).padStart(7)} ${String(r.appRssMiB).padStart(8)} ${String(r.appHeapUsedMiB).padStart(9)} ${String(Math.round(r.shareOfCeiling * 100)).padStart(12)}% ${cores(r.cpu.app)} ${cores(r.cpu.postgres)} ${cores(r.cpu.redis)}`,
      );
    }
    console.log("CPU: share of one core during the scenario (/proc/<pid>/stat)");
    const report = {
      schema: 1,
      measuredAt,
      commit,
      machine: machineAtStart,
      note: args.note,
      cpuMethod:
        "utime+stime from /proc/<pid>/stat over each scenario, as a share of one core: the app process; the PostgreSQL backends whose command line names the scratch database; the whole redis-server process (shared with other users of that Redis, so an upper bound)",
      settings: { connections, durationSeconds: duration, learners: learnerCount, items: items.length },
      targets: { hotReadShareOfCeiling: 0.7, p95Ms: 50, errors: 0 },
      results: measured,
    };
    await mkdir(path.dirname(args.out as string), { recursive: true });
    await writeFile(args.out as string, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwritten to ${path.relative(process.cwd(), args.out as string)}`);
  } finally {
    if (app && app.exitCode === null) {
      const exited = new Promise((resolve) => app?.once("exit", resolve));
      app.kill("SIGTERM");
      await exited;
    }
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    const redis = new Redis(redisUrl);
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
