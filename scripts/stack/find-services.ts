import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { freePort, portAnswers } from "../../runbooks/lib/net.ts";
import { openPgliteDumpChannel } from "./pglite-dump-server.ts";
import { ClusterUnavailable, findServerBinaries, startPrivateCluster } from "./private-cluster.ts";

export { portAnswers };

// How `npm start` finds its services (ARCHITECTURE.md, "The stack npm start brings up"):
// PostgreSQL: DATABASE_URL, else 127.0.0.1:5432, else a private cluster from the PostgreSQL server
// binaries installed here (private-cluster.ts: the backup runbooks dump it with pg_dump), else an
// embedded PGlite (nothing to install; this process dumps it for the backup runbooks). Redis: REDIS_URL, else
// 127.0.0.1:6379, else none (the app runs degraded and says so).

export const LOCAL_DATABASE = "subjunctive";

export interface FoundPostgres {
  url: string;
  source: "DATABASE_URL" | "local server" | "private cluster" | "embedded PGlite";
  stop(): Promise<void>;
}

export interface FoundRedis {
  url: string;
  source: "REDIS_URL" | "local server" | "none";
}

/** Where a local server is looked for; tests point these at closed ports to reach the fallbacks. */
const localPgPort = (env: NodeJS.ProcessEnv) => Number(env.SSP_LOCAL_PG_PORT ?? 5432);
const localRedisPort = (env: NodeJS.ProcessEnv) => Number(env.SSP_LOCAL_REDIS_PORT ?? 6379);

export async function findPostgres(
  dataDir: string,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<FoundPostgres> {
  const fromEnv = env.DATABASE_URL;
  if (fromEnv) return { url: fromEnv, source: "DATABASE_URL", stop: async () => undefined };

  const localPort = localPgPort(env);
  if (await portAnswers(localPort)) {
    const user = env.PGUSER ?? "postgres";
    const admin = new pg.Client({
      host: "127.0.0.1",
      port: localPort,
      user,
      database: "postgres",
      connectionTimeoutMillis: 2_000,
    });
    try {
      await admin.connect();
      const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [LOCAL_DATABASE]);
      if (exists.rowCount === 0) {
        await admin.query(`CREATE DATABASE ${LOCAL_DATABASE}`);
        log(`created database "${LOCAL_DATABASE}" on 127.0.0.1:${localPort}`);
      }
      return {
        url: `postgres://${user}@127.0.0.1:${localPort}/${LOCAL_DATABASE}`,
        source: "local server",
        stop: async () => undefined,
      };
    } catch (error) {
      throw new Error(
        `A PostgreSQL server answers on 127.0.0.1:${localPort} but user "${user}" cannot use it ` +
          `(${error instanceof Error ? error.message : String(error)}). ` +
          `Set DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:${localPort}/subjunctive and run npm start again.`,
      );
    } finally {
      await admin.end().catch(() => undefined);
    }
  }

  const binaries = findServerBinaries(env);
  const install =
    "Install PostgreSQL (Debian: apt-get install postgresql; macOS: brew install postgresql) and start again: npm start then runs a private cluster from its binaries, or uses its server on 127.0.0.1:5432 (with DATABASE_URL when that needs a password), and backups work";
  let whyNotCluster =
    env.SSP_PG_BIN_DIR === "none"
      ? "SSP_PG_BIN_DIR=none chooses PGlite. Without that setting npm start runs a private cluster from the installed PostgreSQL binaries, and backups work"
      : `there are no PostgreSQL server binaries here (initdb, pg_ctl and postgres, on PATH or in /usr/lib/postgresql/<version>/bin). ${install}`;
  if (binaries) {
    log(
      `no PostgreSQL on 127.0.0.1:${localPort}: starting a private PostgreSQL ${binaries.major} cluster from ${binaries.dir} (data in ${path.join(dataDir, "postgres")})`,
    );
    try {
      const cluster = await startPrivateCluster(dataDir, binaries, log);
      if (existsSync(path.join(dataDir, "pglite")))
        log(
          `the embedded PGlite database of earlier starts (${path.join(dataDir, "pglite")}) is not used now; SSP_PG_BIN_DIR=none npm start uses it again`,
        );
      return { url: cluster.url, source: "private cluster", stop: cluster.stop };
    } catch (error) {
      if (!(error instanceof ClusterUnavailable)) throw error;
      whyNotCluster = `the private cluster cannot run here: ${error.message}. Fix that and start again, and backups work`;
    }
  }
  log(
    `no PostgreSQL on 127.0.0.1:${localPort}: starting an embedded PGlite (data in ${path.join(dataDir, "pglite")})`,
  );
  log(
    `  backups (backup-now, verify-backup, dr-drill, restore) work through this process (pg_dump inside it, plain SQL); the PostgreSQL client tools are not used. For a server like production's: ${whyNotCluster}`,
  );
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(path.join(dataDir, "pglite"));
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections: 20 });
  await server.start();
  // The backup runbooks' dumps come from this process, which holds the instance (pglite-dump-server.ts).
  const dumps = await openPgliteDumpChannel(dataDir, db);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    source: "embedded PGlite",
    stop: async () => {
      await dumps.close();
      await server.stop();
      await db.close();
    },
  };
}

export async function findRedis(env: NodeJS.ProcessEnv = process.env): Promise<FoundRedis> {
  const fromEnv = env.REDIS_URL;
  if (fromEnv !== undefined) return { url: fromEnv, source: fromEnv ? "REDIS_URL" : "none" };
  const url = `redis://127.0.0.1:${localRedisPort(env)}`;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
    return { url, source: "local server" };
  } catch {
    // Nothing answers: the app runs without Redis, which it reports on /readyz and in its log.
    return { url: "", source: "none" };
  } finally {
    client.disconnect();
  }
}

/**
 * The session secret file of this checkout (created on first start, never committed), so local
 * sessions survive restarts and the rotate-session-secret runbook can rotate it while the app runs.
 */
export async function localSessionSecretFile(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "session-secret");
  if (!existsSync(file)) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${randomBytes(48).toString("base64url")}\n`, { mode: 0o600 });
  }
  return file;
}
