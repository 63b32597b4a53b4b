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
  /** The password for each new connection (DATABASE_PASSWORD_FILE); unset: DATABASE_URL's. */
  password?: () => string;
  /**
   * A transaction-mode pooler (PgBouncer) sits in front of PostgreSQL (PG_TRANSACTION_POOLER):
   * between two transactions the server connection is someone else's, so no statement is prepared
   * by name (it would not exist on the next connection), and no statement_timeout is sent at
   * connect (PgBouncer refuses startup parameters it does not know; set it on the role instead).
   */
  transactionPooler?: boolean;
}

/**
 * The pool's client class, when the settings need one: with a password source, each new
 * connection takes its password from it (not pg's `password` option: a connection string's parsed
 * password, even an empty one, overrides that option); behind a transaction pooler, a query's
 * statement name is dropped, so pg sends it unnamed (parsed and run in one go, on whichever server
 * connection the pooler gives this transaction).
 */
function clientClass(settings: PoolSettings): { Client?: typeof pg.Client } {
  const source = settings.password;
  const unnamed = settings.transactionPooler === true;
  if (!source && !unnamed) return {};
  class PoolClientClass extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      if (source) this.password = source();
    }
  }
  if (unnamed) {
    const query = pg.Client.prototype.query;
    // pg's query() has a dozen overloads; this only rewrites the first argument and passes the rest on.
    PoolClientClass.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const [first, ...rest] = args;
      const config =
        first !== null && typeof first === "object" && "name" in first
          ? (({ name: _name, ...unnamedConfig }) => unnamedConfig)(first as { name?: string })
          : first;
      return (query as (...a: unknown[]) => unknown).call(this, config, ...rest);
    } as typeof pg.Client.prototype.query;
  }
  return { Client: PoolClientClass };
}

/** statement_timeout as a startup parameter, unless a transaction pooler would refuse it. */
function statementTimeout(settings: PoolSettings, ms: number): { statement_timeout?: number } {
  return settings.transactionPooler ? {} : { statement_timeout: ms };
}

export function createPool(settings: PoolSettings, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    ...clientClass(settings),
    max: settings.max,
    connectionTimeoutMillis: settings.connectionTimeoutMs,
    // A query that outlives this is cancelled by the server, so a slow query cannot pin a connection.
    ...statementTimeout(settings, settings.statementTimeoutMs),
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

/**
 * Runs `fn` in one transaction: commit on success, rollback on error, release the client always.
 *
 * A checked-out client has no listener of the pool's: when the server terminates its connection
 * between two statements (pg_terminate_backend, a restart, a restore), the client emits 'error' and,
 * with no listener, that is an uncaught exception that takes the process down. The listener here
 * turns it into a failed transaction: the next statement rejects (the edge answers 503) and the
 * client is destroyed instead of going back to the pool.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let connectionError: Error | null = null;
  const onError = (error: Error) => {
    connectionError = error;
  };
  client.on("error", onError);
  let broken = false;
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    if (connectionError) {
      broken = true;
      // The connection is gone and the server rolled the transaction back itself. Report why it
      // went (e.g. 57P01 "terminating connection due to administrator command"), not the
      // follow-on "client is not queryable" of the statement after it.
      throw connectionError;
    }
    try {
      await client.query("ROLLBACK");
    } catch {
      // The connection broke during the rollback (the server rolls back a dead session's
      // transaction itself). Destroy the client and report the error that failed the transaction:
      // it is the one that says why (e.g. "Connection terminated", which the edge answers with 503).
      broken = true;
    }
    throw error;
  } finally {
    // release() puts the pool's own listener back before it destroys or idles the client.
    client.off("error", onError);
    client.release(broken || connectionError !== null);
  }
}

/**
 * A pool of one connection for /readyz alone, so a lock or a burst that exhausts the app's pool
 * does not make every instance unready at once: readiness asks whether PostgreSQL answers, not
 * whether this instance has a free connection.
 */
export function createReadinessPool(settings: PoolSettings, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    ...clientClass(settings),
    max: 1,
    connectionTimeoutMillis: Math.min(settings.connectionTimeoutMs, 1_000),
    ...statementTimeout(settings, 1_000),
    query_timeout: 1_500,
    application_name: `${settings.applicationName}:readiness`.slice(0, 63),
    idleTimeoutMillis: 60_000,
  });
  pool.on("error", (error) => {
    logger.warn({ err: error }, "postgres: readiness connection error; it will reconnect");
  });
  return pool;
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
