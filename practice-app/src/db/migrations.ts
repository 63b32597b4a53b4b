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

export async function migrateUp(databaseUrl: string, log: MigrationLog, count?: number): Promise<string[]> {
  const ran = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction: "up",
    ...(count === undefined ? {} : { count }),
    singleTransaction: true,
    checkOrder: true,
    log,
  });
  return ran.map((migration) => migration.name);
}

export async function migrateDown(databaseUrl: string, log: MigrationLog, count = 1): Promise<string[]> {
  const ran = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction: "down",
    count,
    singleTransaction: true,
    checkOrder: true,
    log,
  });
  return ran.map((migration) => migration.name);
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
