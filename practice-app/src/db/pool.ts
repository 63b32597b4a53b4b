import pg from "pg";
import type { Logger } from "pino";

// The one place that imports `pg`. Everything else takes a Queryable and stays testable.

export type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;
export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolSettings {
  connectionString: string;
  max: number;
  statementTimeoutMs: number;
  connectionTimeoutMs: number;
  applicationName: string;
}

export function createPool(settings: PoolSettings, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    max: settings.max,
    connectionTimeoutMillis: settings.connectionTimeoutMs,
    // A query that outlives this is cancelled by the server, so a slow query cannot pin a connection.
    statement_timeout: settings.statementTimeoutMs,
    // Client-side guard for when the server itself stops answering (network cut, paused host).
    query_timeout: settings.statementTimeoutMs + 1_000,
    application_name: settings.applicationName,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection emits here; without a listener the process would crash.
  pool.on("error", (error) => {
    logger.warn({ err: error }, "postgres: idle client error; the pool will replace the connection");
  });
  return pool;
}

/** Runs `fn` in one transaction: commit on success, rollback on error, release the client always. */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    try {
      await client.query("ROLLBACK");
    } catch (rollbackError) {
      // The connection is unusable (e.g. the server went away); destroy it instead of returning it.
      broken = true;
      throw new AggregateError([error, rollbackError], "transaction failed and could not be rolled back");
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

export function poolStats(pool: pg.Pool): { total: number; idle: number; waiting: number; max: number } {
  return {
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
    max: pool.options.max ?? 10,
  };
}

export function isPgError(error: unknown): error is Error & { code: string; constraint?: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === "string";
}
