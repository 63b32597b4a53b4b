import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runner } from "node-pg-migrate";
import type { Queryable } from "./pool.ts";

// Migrations are SQL files in practice-app/migrations, applied by node-pg-migrate. The app never
// migrates itself: it checks at start that nothing is pending and refuses to run otherwise.

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));
export const MIGRATIONS_TABLE = "pgmigrations";

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Applied in the database but missing from the code: the database is ahead of this release. */
  unknown: string[];
}

export async function migrationFiles(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR);
  return entries
    .filter((name) => name.endsWith(".sql"))
    .map((name) => path.basename(name, ".sql"))
    .sort();
}

export async function migrationStatus(db: Queryable): Promise<MigrationStatus> {
  const files = await migrationFiles();
  const exists = await db.query<{ present: boolean }>("SELECT to_regclass($1) IS NOT NULL AS present", [
    `public.${MIGRATIONS_TABLE}`,
  ]);
  const applied = exists.rows[0]?.present
    ? (await db.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY run_on, id`)).rows.map(
        (row) => row.name,
      )
    : [];
  const appliedSet = new Set(applied);
  const fileSet = new Set(files);
  return {
    applied,
    pending: files.filter((name) => !appliedSet.has(name)),
    unknown: applied.filter((name) => !fileSet.has(name)),
  };
}

export type MigrationLog = (message: string) => void;

/** Where and how long migrations may wait: a lock wait or a statement past its limit fails the run. */
export interface MigrationTarget {
  databaseUrl: string;
  /** A migration waiting longer than this for a lock gives up, instead of queueing every query behind it. */
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

export const DEFAULT_MIGRATION_TIMEOUTS = { lockTimeoutMs: 5_000, statementTimeoutMs: 600_000 } as const;

function connectionFor(target: string | MigrationTarget) {
  const { databaseUrl, lockTimeoutMs, statementTimeoutMs } =
    typeof target === "string" ? { databaseUrl: target, ...DEFAULT_MIGRATION_TIMEOUTS } : target;
  return {
    connectionString: databaseUrl,
    // Every statement of the run, including node-pg-migrate's own reads of its table.
    lock_timeout: lockTimeoutMs,
    statement_timeout: statementTimeoutMs,
    application_name: "db:migrate",
  };
}

export async function migrateUp(
  target: string | MigrationTarget,
  log: MigrationLog,
  count?: number,
): Promise<string[]> {
  return runMigrations(target, log, "up", count);
}

export async function migrateDown(
  target: string | MigrationTarget,
  log: MigrationLog,
  count = 1,
): Promise<string[]> {
  return runMigrations(target, log, "down", count);
}

async function runMigrations(
  target: string | MigrationTarget,
  log: MigrationLog,
  direction: "up" | "down",
  count: number | undefined,
): Promise<string[]> {
  const connection = connectionFor(target);
  try {
    const ran = await runner({
      databaseUrl: connection,
      dir: MIGRATIONS_DIR,
      migrationsTable: MIGRATIONS_TABLE,
      direction,
      ...(count === undefined ? {} : { count }),
      singleTransaction: true,
      checkOrder: true,
      log,
    });
    return ran.map((migration) => migration.name);
  } catch (error) {
    throw MigrationTimeoutError.from(error, connection) ?? error;
  }
}

/**
 * A migration that gave up waiting for a lock (55P03) or ran past its statement timeout (57014).
 * The run is one transaction, so nothing was applied; the message says what to do next.
 */
export class MigrationTimeoutError extends Error {
  readonly kind: "lock" | "statement";

  private constructor(kind: "lock" | "statement", message: string, cause: unknown) {
    super(message, { cause });
    this.name = "MigrationTimeoutError";
    this.kind = kind;
  }

  static from(
    error: unknown,
    connection: { lock_timeout: number; statement_timeout: number },
  ): MigrationTimeoutError | null {
    const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
    const nothingApplied =
      "Nothing was applied: the migrations run in one transaction, which was rolled back.";
    if (code === "55P03") {
      return new MigrationTimeoutError(
        "lock",
        `a migration waited more than ${connection.lock_timeout} ms (MIGRATION_LOCK_TIMEOUT_MS) for a table lock held by another transaction, and gave up so that it would not block every query queued behind it. ${nothingApplied} ` +
          "Find the blocker with: SELECT pid, state, now() - xact_start AS open_for, left(query, 80) FROM pg_stat_activity WHERE xact_start IS NOT NULL ORDER BY xact_start; " +
          "then retry `npm run db:migrate -- up` when that transaction has ended (or after ending it with pg_cancel_backend(pid)). Retrying is safe.",
        error,
      );
    }
    if (code === "57014") {
      return new MigrationTimeoutError(
        "statement",
        `a migration statement ran longer than ${connection.statement_timeout} ms (MIGRATION_STATEMENT_TIMEOUT_MS) and was cancelled. ${nothingApplied} ` +
          "Retry `npm run db:migrate -- up` in a quieter period, or with a larger MIGRATION_STATEMENT_TIMEOUT_MS if the migration is expected to take that long. Retrying is safe.",
        error,
      );
    }
    return null;
  }
}

export class PendingMigrationsError extends Error {
  readonly status: MigrationStatus;
  constructor(status: MigrationStatus) {
    super(
      `The database is missing ${status.pending.length} migration(s) this release needs: ${status.pending.join(", ")}. ` +
        "Run `npm run db:migrate -- up` and start again.",
    );
    this.name = "PendingMigrationsError";
    this.status = status;
  }
}

/**
 * Throws PendingMigrationsError when this release needs migrations the database lacks. Migrations
 * the database has but this release does not know are allowed: they are expand-only, so an older
 * release keeps working beside them during a deploy or after a rollback. The caller logs them.
 */
export async function assertMigrated(db: Queryable): Promise<MigrationStatus> {
  const status = await migrationStatus(db);
  if (status.pending.length > 0) throw new PendingMigrationsError(status);
  return status;
}
