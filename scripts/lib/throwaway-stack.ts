import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { pino } from "pino";
import { type App, createApp } from "../../practice-app/src/app.ts";
import { loadConfig } from "../../practice-app/src/config/config.ts";
import { migrateUp } from "../../practice-app/src/db/migrations.ts";
import { seed } from "../../practice-app/src/db/seed.ts";
import { writeDevStack } from "../../runbooks/engine/paths.ts";

// A stack that exists for one docs:verify run and leaves nothing behind: its own database on the
// shared PostgreSQL (created, migrated, seeded with the demo learner; dropped at the end), its own
// key prefix on the shared Redis (only those keys are deleted; Redis is never flushed), the app on
// a free port, and a temporary directory for everything a command writes (runbook runs, audit
// log, backups). Found the way the tests find their services: TEST_ADMIN_DATABASE_URL and
// TEST_REDIS_URL, defaulting to 127.0.0.1:5432 and 127.0.0.1:6379.

export interface ThrowawayStack {
  appUrl: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** The temporary directory: HOME, data and runbook directories of every command. */
  dir: string;
  /** The environment a verified command sees (see scripts/README.md). */
  env: Record<string, string>;
  /** The environment of `verify=bare`: a fresh terminal without the stack's variables. */
  bareEnv: Record<string, string>;
  stop(): Promise<void>;
}

const ADMIN_DATABASE_URL =
  process.env.TEST_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `docs:verify could not reach PostgreSQL at ${ADMIN_DATABASE_URL.replace(/:[^:@/]*@/, ":***@")} (${(error as Error).message}); start it, or set TEST_ADMIN_DATABASE_URL to a server where it may create a scratch database`,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3_000 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

export async function startThrowawayStack(): Promise<ThrowawayStack> {
  const id = `${process.pid}_${randomBytes(4).toString("hex")}`;
  const databaseName = `ssp_docs_${id}`;
  const redisPrefix = `ssp-docs:${id}:`;
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${databaseName}`;
  const databaseUrl = url.toString();
  const dir = await mkdtemp(path.join(tmpdir(), "ssp-docs-"));
  const cleanups: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) {
      throw new Error(
        `docs:verify could not clean up its stack: ${errors.map((e) => (e as Error).message).join("; ")}`,
      );
    }
  };
  try {
    await admin((client) => client.query(`CREATE DATABASE "${databaseName}"`));
    cleanups.push(() =>
      admin((client) => client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`)).then(
        () => undefined,
      ),
    );
    cleanups.push(() => deletePrefix(redisPrefix));
    await migrateUp(databaseUrl, () => undefined);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    try {
      await seed(pool, { demo: true, scryptLogN: 17 });
    } finally {
      await pool.end();
    }
    const appEnv = {
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "silent",
      LOG_REQUESTS: "false",
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      SESSION_SECRET: `docs-verify-only-${randomBytes(16).toString("hex")}`,
    };
    const config = loadConfig(appEnv);
    const app: App = await createApp(config, pino({ level: "silent" }));
    const appUrl = await app.listen();
    cleanups.push(() => app.stop("docs:verify finished"));

    const dataDir = path.join(dir, "data");
    // Private like npm start's .data/: the CLI warns about (and the pages would show) looser modes.
    await mkdir(path.join(dataDir, "runbooks"), { recursive: true, mode: 0o700 });
    await chmod(dataDir, 0o700);
    const stackFile = path.join(dataDir, "dev-stack.json");
    // As npm start writes it (paths.ts): the commands' runbooks read dev from it.
    await writeDevStack(
      { SSP_DEV_STACK_FILE: stackFile },
      { appUrl, databaseUrl, redisUrl: REDIS_URL, redisPrefix },
    );
    const bareEnv: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      LANG: "C.UTF-8",
      TERM: "dumb",
      NO_COLOR: "1",
      // The app's safety net: an app started by a command binds a free port, never 3000.
      PORT: "0",
      HOST: "127.0.0.1",
      // npm would otherwise write its logs and cache into the real home directory.
      npm_config_cache: path.join(dir, "npm-cache"),
      npm_config_update_notifier: "false",
      npm_config_fund: "false",
      npm_config_audit: "false",
    };
    const env: Record<string, string> = {
      ...bareEnv,
      APP: appUrl,
      APP_URL: appUrl,
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      SSP_DATA_DIR: dataDir,
      RUNBOOK_DATA_DIR: path.join(dataDir, "runbooks"),
      SSP_DEV_STACK_FILE: stackFile,
      SSP_DEV_APP_URL: appUrl,
      SSP_DEV_DATABASE_URL: databaseUrl,
      SSP_DEV_REDIS_URL: REDIS_URL,
      SSP_DEV_REDIS_PREFIX: redisPrefix,
      PGCONNECT_TIMEOUT: "5",
    };
    return { appUrl, databaseUrl, redisUrl: REDIS_URL, redisPrefix, dir, env, bareEnv, stop };
  } catch (error) {
    // The start error is the one to report; a cleanup failure on top of it is said, not thrown.
    await stop().catch((cleanup: unknown) => console.error((cleanup as Error).message));
    throw error;
  }
}
