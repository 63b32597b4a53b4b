import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";
import { hashPassword } from "../practice-app/src/auth/passwords.ts";
import { hashToken, newSessionToken } from "../practice-app/src/auth/tokens.ts";
import { migrateUp } from "../practice-app/src/db/migrations.ts";
import { seed } from "../practice-app/src/db/seed.ts";
import { libpqConnection } from "../runbooks/lib/pg-tools.ts";
import { gitCommit, machine } from "./lib/bench-env.ts";

// `node scripts/bench-storage.ts`: what a learner and an answer cost in storage. On a scratch
// database it measures the database and a custom-format pg_dump (what backup-now writes) three
// times: after migrations and the exercise bank (the fixed part), after the learners sign up, and
// after each learner has answered through the running app's exercises.submit (the real write path:
// card, review, practice record). Writes bench/results/storage.json, committed: the Maintenance
// Guide's cost section renders per-learner and per-answer figures from it and from app.json.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values: args } = parseArgs({
  options: {
    learners: { type: "string", default: "100" },
    answers: { type: "string", default: "50" },
    note: { type: "string", default: "" },
    out: { type: "string", default: path.join(ROOT, "bench", "results", "storage.json") },
  },
});
const learnerCount = positiveInt("learners", args.learners);
const answersPerLearner = positiveInt("answers", args.answers);
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

export interface StorageSnapshot {
  databaseBytes: number;
  backupBytes: number;
  /** pg_total_relation_size (table, indexes, TOAST) of each app table. */
  tables: Record<string, number>;
}

async function snapshot(pool: pg.Pool, databaseUrl: string): Promise<StorageSnapshot> {
  // Dead rows and unvacuumed pages would count as data; the nightly vacuum keeps production close to this.
  await pool.query("VACUUM ANALYZE");
  const { rows } = await pool.query<{ size: string }>(
    "SELECT pg_database_size(current_database())::text AS size",
  );
  const { rows: tables } = await pool.query<{ name: string; size: string }>(
    "SELECT relname AS name, pg_total_relation_size(relid)::text AS size FROM pg_stat_user_tables ORDER BY relname",
  );
  return {
    databaseBytes: Number(rows[0]?.size),
    backupBytes: await dumpBytes(databaseUrl),
    tables: Object.fromEntries(tables.map((t) => [t.name, Number(t.size)])),
  };
}

/** The size of `pg_dump -Fc`, the format backup-now writes, counted as it streams (nothing is kept). */
function dumpBytes(databaseUrl: string): Promise<number> {
  // As the runbooks do: the password goes in the child's environment (PGPASSWORD), never in its
  // argv, where any local user reads it with ps.
  const connection = libpqConnection(databaseUrl);
  return new Promise((resolve, reject) => {
    const dump = spawn("pg_dump", ["-Fc", "--no-owner", "-d", connection.url], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...connection.env },
    });
    let bytes = 0;
    let stderr = "";
    dump.stdout.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    dump.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    dump.on("error", reject);
    dump.on("close", (code) =>
      code === 0 ? resolve(bytes) : reject(new Error(`pg_dump exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

async function main(): Promise<void> {
  const commit = gitCommit(ROOT);
  const dbName = `ssp_bench_storage_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrlObject = new URL(adminUrl);
  dbUrlObject.pathname = `/${dbName}`;
  const databaseUrl = dbUrlObject.toString();
  const prefix = `ssp-bench-storage:${randomBytes(3).toString("hex")}:`;
  let app: ReturnType<typeof spawn> | null = null;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const measuredAt = new Date().toISOString();
    const machineAtStart = machine();
    await migrateUp(databaseUrl, () => undefined);
    await seed(pool, { demo: false, scryptLogN: 17 });
    const base = await snapshot(pool, databaseUrl);

    // Sign-ups written directly, as bench-app does: scrypt per learner would only add time.
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
    const withLearners = await snapshot(pool, databaseUrl);
    const { rows: items } = await pool.query<{ id: string; expected: string }>(
      "SELECT id, expected FROM exercises WHERE active",
    );

    const port = 3900 + Math.floor(Math.random() * 90);
    app = spawn(process.execPath, [path.join(ROOT, "practice-app/src/main.ts")], {
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
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${baseUrl}/readyz`)).ok) break;
      } catch {
        // Not listening yet.
      }
      if (i > 100) throw new Error("the app did not become ready in 20 s");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Each learner answers in turn, ten learners at a time; 70% right, as in bench-app.
    let failed = 0;
    const answerAll = async (token: string) => {
      for (let a = 0; a < answersPerLearner; a++) {
        const item = items[Math.floor(Math.random() * items.length)] as { id: string; expected: string };
        const response = await fetch(`${baseUrl}/trpc/exercises.submit`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            exerciseId: item.id,
            answer: Math.random() < 0.7 ? item.expected : "no sé",
          }),
        });
        await response.arrayBuffer();
        if (!response.ok) failed++;
      }
    };
    for (let i = 0; i < tokens.length; i += 10) await Promise.all(tokens.slice(i, i + 10).map(answerAll));
    if (failed > 0) throw new Error(`${failed} answers failed: the figures would undercount`);
    const withAnswers = await snapshot(pool, databaseUrl);

    const report = {
      schema: 1,
      measuredAt,
      commit,
      machine: machineAtStart,
      note: args.note,
      method:
        "pg_database_size and pg_total_relation_size after VACUUM ANALYZE; backup: the byte count of pg_dump -Fc (backup-now's format); answers through the app's exercises.submit",
      settings: { learners: learnerCount, answersPerLearner, items: items.length },
      base,
      withLearners,
      withAnswers,
    };
    await mkdir(path.dirname(args.out as string), { recursive: true });
    await writeFile(args.out as string, `${JSON.stringify(report, null, 2)}\n`);
    const mib = (b: number) => `${(b / 1024 / 1024).toFixed(2)} MiB`;
    console.log(
      `database ${mib(base.databaseBytes)} → ${mib(withLearners.databaseBytes)} → ${mib(withAnswers.databaseBytes)}; backup ${mib(base.backupBytes)} → ${mib(withLearners.backupBytes)} → ${mib(withAnswers.backupBytes)}`,
    );
    console.log(`written to ${path.relative(process.cwd(), args.out as string)}`);
  } finally {
    await pool.end();
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

if (import.meta.main) await main();
