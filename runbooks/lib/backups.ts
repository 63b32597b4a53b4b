import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  statfs,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import pg from "pg";
import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { type DevStack, dataDir, readDevStack } from "../engine/paths.ts";
import { readStateFile, writeStateFile } from "../engine/state-files.ts";
import {
  type BackupEncryption,
  checkKeyLocation,
  decryptFileToFile,
  encryptStreamToFile,
  loadBackupKeys,
} from "./backup-keys.ts";
import { mib } from "./format.ts";
import { PgToolError, runPgTool } from "./pg-tools.ts";
import {
  PGLITE_INSTALL_HINT,
  pgliteStackDir,
  plainSqlSequences,
  requestPgliteDump,
  type SqlSession,
  withScratchPglite,
} from "./pglite-dump.ts";

// Where backups live and what their manifests say. Shared by backup-now, verify-backup, restore,
// prune-backups, dr-drill and the morning health check.
//
// A backup is two files in backupsDir(env): `<id>.dump` (pg_dump custom format, encrypted with age
// since issue 14: see backup-keys.ts) and `<id>.json` (the manifest below). Both are 0600 in a 0700
// directory: they hold every learner's e-mail and password hash. The id is the UTC time the backup was taken plus a random suffix, e.g.
// 20261125T213000Z-3fa1c2, so ids sort by time and two backups in the same second do not clash.

export interface TableFingerprint {
  rows: number;
  /** md5 over the md5 of each row's text, in primary-key order, as PostgreSQL computes it. */
  hash: string;
}

export interface BackupManifest {
  id: string;
  env: string;
  /** File name of the archive, beside the manifest. */
  file: string;
  /**
   * pg_dump's custom format (absent: every backup before PGlite ones), or plain SQL from the
   * embedded PGlite's own pg_dump (pglite-dump.ts), restored without pg_restore.
   */
  format?: "plain-sql";
  /**
   * How the archive is encrypted (age, to this recipient). Absent on backups taken before
   * encryption: their archive is the plain pg_dump file, and they still verify and restore.
   */
  encryption?: BackupEncryption;
  /** When the data was read: the start of the snapshot the dump and the fingerprints share. */
  createdAt: string;
  sizeBytes: number;
  sha256: string;
  serverVersion: string;
  tables: Record<string, TableFingerprint>;
  /**
   * Every sequence of the public schema (identity columns included), by name: the last value it
   * handed out (0 when none yet), exactly as the archive will restore it.
   */
  sequences: Record<string, number>;
  /** The database the backup was taken from. */
  database?: string;
  /** Migrations applied when the backup was taken, in the order they ran. */
  migrations?: string[];
  /** Seconds pg_dump took. */
  dumpSeconds?: number;
  verifiedAt?: string;
  verification?: { ok: boolean; detail: string; restoreSeconds: number };
}

/** What a step needs to take, check or restore a backup (any runbook's step context fits). */
export type BackupContext = Pick<StepContext, "env" | "$" | "log" | "warn" | "signal" | "artifactsDir">;

export const BACKUP_ID = /^\d{8}T\d{6}Z-[0-9a-f]{4,12}$/;

/** The `backup` parameter of the runbooks that read a backup: an id, or "latest". */
export const backupRef = z
  .string()
  .regex(
    /^(latest|\d{8}T\d{6}Z-[0-9a-f]{4,12})$/,
    'expected a backup id like 20261125T213000Z-3fa1c2, or "latest"',
  );

export function newBackupId(at: Date = new Date()): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/** The handbook page on backups: the running handbook's when npm start wrote its URL, else its path. */
export function backupPageLink(processEnv: NodeJS.ProcessEnv = process.env): string {
  const page = "/operational-runbook/backup-and-restore/#back-up-now";
  let handbookUrl: unknown;
  try {
    // Written by npm start once its console serves the handbook (scripts/start.ts).
    handbookUrl = (readDevStack(processEnv) as Partial<DevStack> & { handbookUrl?: unknown }).handbookUrl;
  } catch {
    // An unreadable stack file costs only the link's host: the path below still names the page.
    handbookUrl = undefined;
  }
  return typeof handbookUrl === "string"
    ? `${handbookUrl.replace(/\/$/, "")}${page}`
    : `the handbook's Operational Runbook, "Backup and restore" (${page})`;
}

export function backupsDir(env: string, processEnv: NodeJS.ProcessEnv = process.env): string {
  return processEnv.RUNBOOK_BACKUP_DIR
    ? path.join(processEnv.RUNBOOK_BACKUP_DIR, env)
    : path.join(dataDir(processEnv), "backups", env);
}

/** Writes the manifest atomically (temporary file, then rename): a crash never leaves half a manifest. */
export async function writeManifest(env: string, manifest: BackupManifest): Promise<string> {
  const dir = await ensureBackupsDir(env);
  const file = path.join(dir, `${manifest.id}.json`);
  await writeStateFile("backup-manifest", file, manifest, { mode: 0o600 });
  return file;
}

/**
 * A manifest read from `file` (here or an off-site copy), brought to the current format; one of a
 * newer format is refused (FormatError), one that is not JSON names `fix`.
 */
export async function readManifest(file: string, fix: string): Promise<BackupManifest> {
  const manifest = await readStateFile<BackupManifest>("backup-manifest", file, fix);
  if (!manifest) throw new Error(`backup manifest ${file} is gone (deleted while it was read?): ${fix}`);
  return manifest;
}

/**
 * Creates the backup directory 0700 (its parent too, when it is created here) and tightens one
 * created before issue 14 (0755): only the backup's owner may list or read backups.
 */
export async function ensureBackupsDir(env: string): Promise<string> {
  const dir = backupsDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  return dir;
}

/** Every backup of an environment, newest first. */
export async function listBackups(env: string): Promise<BackupManifest[]> {
  const dir = backupsDir(env);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const manifests: BackupManifest[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")))
    manifests.push(await readManifest(path.join(dir, name), `move it out of ${dir} and take a new backup`));
  return manifests.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

export async function findBackup(env: string, id: string): Promise<BackupManifest> {
  const all = await listBackups(env);
  const found = id === "latest" ? all[0] : all.find((m) => m.id === id);
  if (!found) {
    throw new Error(
      all.length === 0
        ? `there are no backups of "${env}" in ${backupsDir(env)}; run the backup-now runbook first`
        : `no backup "${id}" of "${env}"; newest: ${all
            .slice(0, 5)
            .map((m) => m.id)
            .join(", ")}`,
    );
  }
  return found;
}

export function archivePath(env: string, manifest: BackupManifest): string {
  return path.join(backupsDir(env), manifest.file);
}

/** Re-reads the manifest and records the outcome of a verification in it. */
export async function recordVerification(
  env: string,
  id: string,
  verification: NonNullable<BackupManifest["verification"]>,
): Promise<BackupManifest> {
  const manifest = await findBackup(env, id);
  const updated = { ...manifest, verifiedAt: new Date().toISOString(), verification };
  await writeManifest(env, updated);
  return updated;
}

/** Deletes a backup: the manifest first, so a half-deleted backup is never listed as restorable. */
export async function deleteBackup(env: string, manifest: BackupManifest): Promise<number> {
  const dir = backupsDir(env);
  await rm(path.join(dir, `${manifest.id}.json`), { force: true });
  const archive = archivePath(env, manifest);
  const size = await stat(archive).then(
    (s) => s.size,
    () => 0,
  );
  await rm(archive, { force: true });
  return size;
}

export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, signal ? { signal } : {})) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export function hoursSince(iso: string, now = Date.now()): number {
  return (now - Date.parse(iso)) / 3_600_000;
}

// ---------------------------------------------------------------------------------------------
// Database access for backups: one dedicated connection (a snapshot, or settings that must hold
// for every query) instead of the step's pool.

/**
 * Opens one connection with output settings fixed, so a row's text (and so its hash) is the same
 * on any server session: UTC, ISO dates, shortest exact floats, hex bytea.
 */
export async function withDatabase<T>(
  url: string,
  fn: (db: pg.Client) => Promise<T>,
  options: { signal?: AbortSignal; applicationName?: string; statementTimeoutMs?: number } = {},
): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 5_000,
    statement_timeout: options.statementTimeoutMs ?? 30 * 60_000,
    application_name: options.applicationName ?? "runbook",
  });
  // A connection the server drops (terminated, restarted) errors here; the query in flight fails too.
  client.on("error", () => undefined);
  await client.connect();
  // A cancelled step closes the connection, so its query does not keep running for nobody.
  const stop = () => void client.end().catch(() => undefined);
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    await client.query(
      "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'",
    );
    return await fn(client);
  } finally {
    options.signal?.removeEventListener("abort", stop);
    await client.end().catch(() => undefined);
  }
}

/** Row count and content hash of every table of the public schema (pgmigrations included). */
export async function fingerprintTables(db: SqlSession): Promise<Record<string, TableFingerprint>> {
  const { rows: tables } = await db.query<{ name: string; key: string[] | null }>(
    `SELECT c.relname::text AS name,
            (SELECT array_agg(a.attname::text ORDER BY k.ord)
               FROM pg_index i
               CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE i.indrelid = c.oid AND i.indisprimary) AS key
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY c.relname`,
  );
  const out: Record<string, TableFingerprint> = {};
  for (const table of tables) {
    // Without a primary key the row text itself is the order: still deterministic.
    const order = table.key?.length
      ? table.key.map((k) => `t.${db.escapeIdentifier(k)}`).join(", ")
      : "t::text";
    const { rows } = await db
      .query<{ rows: string; hash: string }>(
        `SELECT count(*)::bigint AS rows, md5(coalesce(string_agg(md5(t::text), '' ORDER BY ${order}), '')) AS hash
           FROM public.${db.escapeIdentifier(table.name)} t`,
      )
      .catch((error: Error) => {
        throw new Error(
          `could not read table ${table.name} to fingerprint it (${error.message}): the role needs SELECT on every table of the public schema`,
        );
      });
    out[table.name] = { rows: Number(rows[0]?.rows ?? 0), hash: rows[0]?.hash ?? "" };
  }
  return out;
}

/** The last value each sequence of the public schema handed out (0 when none yet). */
export async function sequenceValues(db: SqlSession): Promise<Record<string, number>> {
  const { rows: sequences } = await db.query<{ name: string }>(
    "SELECT sequencename::text AS name FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1",
  );
  const out: Record<string, number> = {};
  for (const { name } of sequences) {
    const { rows } = await db.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value, is_called FROM public.${db.escapeIdentifier(name)}`,
    );
    const row = rows[0];
    if (row) out[name] = Number(row.last_value) - (row.is_called ? 0 : 1);
  }
  return out;
}

export interface SequenceHeadroom {
  table: string;
  column: string;
  sequence: string;
  /** Highest value in the column (0 for an empty table). */
  maxValue: number;
  /** Last value the sequence handed out. */
  sequenceValue: number;
}

/**
 * For each identity or serial column: the highest value in the table and where its sequence is.
 * A sequence behind its column means the next insert fails with a duplicate key.
 */
export async function sequenceHeadroom(db: SqlSession): Promise<SequenceHeadroom[]> {
  const { rows: columns } = await db.query<{ table: string; column: string; sequence: string }>(
    `SELECT c.relname::text AS table, a.attname::text AS column,
            pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS sequence
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL
      ORDER BY 1, 2`,
  );
  // Each column's maximum first, the sequences after: while the app writes, an id committed after
  // a sequence was read would look like a sequence behind its column when it is not.
  const maxima: number[] = [];
  for (const col of columns) {
    const { rows } = await db.query<{ max: string | null }>(
      `SELECT max(${db.escapeIdentifier(col.column)})::bigint AS max FROM public.${db.escapeIdentifier(col.table)}`,
    );
    maxima.push(Number(rows[0]?.max ?? 0));
  }
  const values = await sequenceValues(db);
  const out: SequenceHeadroom[] = columns.map((col, i) => {
    const sequence = col.sequence.replace(/^public\./, "").replace(/^"(.*)"$/, "$1");
    return {
      table: col.table,
      column: col.column,
      sequence,
      maxValue: maxima[i] ?? 0,
      sequenceValue: values[sequence] ?? 0,
    };
  });
  return out;
}

/** Migrations applied to the database, in the order they ran; none when it was never migrated. */
export async function appliedMigrations(db: SqlSession): Promise<string[]> {
  // Asked, not caught: a failed query inside the backup's snapshot transaction aborts it, which
  // releases the exported snapshot, and pg_dump then fails with "could not import the requested
  // snapshot" (issue 14). A database nobody migrated yet has no pgmigrations: an answer, not a failure.
  const { rows: exists } = await db.query<{ found: boolean }>(
    "SELECT to_regclass('public.pgmigrations') IS NOT NULL AS found",
  );
  if (!exists[0]?.found) return [];
  const { rows } = await db.query<{ name: string }>(
    "SELECT name FROM public.pgmigrations ORDER BY run_on, id",
  );
  return rows.map((r) => r.name);
}

/** What differs between a manifest and a database's fingerprints; empty when they match. */
export function compareWithManifest(
  manifest: Pick<BackupManifest, "tables" | "sequences">,
  actual: { tables: Record<string, TableFingerprint>; sequences: Record<string, number> },
): string[] {
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(manifest.tables)) {
    const got = actual.tables[name];
    if (!got) problems.push(`table ${name} is in the manifest but missing after the restore`);
    else if (got.rows !== expected.rows)
      problems.push(`table ${name}: ${got.rows} rows restored, the manifest says ${expected.rows}`);
    else if (got.hash !== expected.hash)
      problems.push(
        `table ${name}: same ${got.rows} rows but the content hash ${got.hash.slice(0, 12)}… differs from the manifest's ${expected.hash.slice(0, 12)}…`,
      );
  }
  for (const name of Object.keys(actual.tables)) {
    if (!(name in manifest.tables)) problems.push(`table ${name} was restored but is not in the manifest`);
  }
  for (const [name, expected] of Object.entries(manifest.sequences)) {
    const got = actual.sequences[name];
    if (got === undefined) problems.push(`sequence ${name} is in the manifest but missing after the restore`);
    else if (got !== expected)
      problems.push(`sequence ${name}: restored at ${got}, the manifest says ${expected}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Taking a backup (backup-now and dr-drill).

export interface DumpResult {
  id: string;
  file: string;
  createdAt: string;
  dumpSeconds: number;
  serverVersion: string;
  database: string;
  tables: Record<string, TableFingerprint>;
  migrations: string[];
  /** Absent only in results of runs from before encryption (a resumed old run). */
  encryption?: BackupEncryption;
  /** Plain SQL from the embedded PGlite, with the sequences read from it. */
  format?: "plain-sql";
  sequences?: Record<string, number>;
}

/** Limits of the PostgreSQL tools the backup runbooks run (each below its step's own timeout). */
export const TOOL_TIMEOUTS = {
  dump: 55 * 60_000,
  restore: 55 * 60_000,
  /** Reading an archive's table of contents and its sequence entries. */
  list: 5 * 60_000,
  createdb: 60_000,
} as const;

/** How long pg_dump waits for a table lock held by someone else before it fails (not hangs). */
export const DUMP_LOCK_WAIT = "2min";

/**
 * pg_dump in custom format, encrypted with age as it streams, into backupsDir(env)/<id>.dump. The
 * dump and the per-table fingerprints read the same exported snapshot, so the manifest describes
 * exactly the rows in the archive even while the app keeps writing.
 */
export async function dumpDatabase(ctx: BackupContext): Promise<DumpResult> {
  const pgliteDir = pgliteStackDir(ctx.env.name, ctx.env.databaseUrl);
  if (pgliteDir) return dumpPglite(ctx, pgliteDir);
  const dir = await ensureBackupsDir(ctx.env.name);
  const keys = await loadBackupKeys({ create: true });
  if (keys.created)
    ctx.warn(
      `created the backup key ${keys.file} (public key ${keys.recipient}): copy it somewhere safe and away from the backups now; without it no backup can be restored`,
    );
  const encryption: BackupEncryption = { format: "age", recipient: keys.recipient };
  const id = newBackupId();
  const file = `${id}.dump`;
  // Written under a temporary name: a dump that fails half-way never looks like a backup.
  const partial = path.join(dir, `${file}.partial`);
  const started = performance.now();
  try {
    const result = await withDatabase(
      ctx.env.databaseUrl,
      async (db) => {
        await db.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        // This transaction sits idle while pg_dump works; a server-wide idle timeout must not end it.
        await db.query("SET LOCAL idle_in_transaction_session_timeout = 0");
        const { rows } = await db.query<{ snapshot: string; at: Date; version: string; database: string }>(
          "SELECT pg_export_snapshot() AS snapshot, statement_timestamp() AS at, current_setting('server_version') AS version, current_database() AS database",
        );
        const snap = rows[0];
        if (!snap) throw new Error("PostgreSQL returned no snapshot");
        ctx.log(`snapshot ${snap.snapshot} of database ${snap.database} at ${snap.at.toISOString()}`);
        ctx.log(`encrypting to ${encryption.recipient} (key file ${keys.file})`);
        // The dump stops with this controller when the fingerprints fail (below).
        const dumpStop = new AbortController();
        const dumping = runPgTool(
          { ...ctx, signal: AbortSignal.any([ctx.signal, dumpStop.signal]) },
          "pg_dump",
          ["--format=custom", `--snapshot=${snap.snapshot}`, `--lock-wait-timeout=${DUMP_LOCK_WAIT}`],
          {
            url: ctx.env.databaseUrl,
            timeoutMs: TOOL_TIMEOUTS.dump,
            timeoutHint:
              "a server that serves one session at a time (the embedded PGlite of npm start) cannot give pg_dump the snapshot; back up a real PostgreSQL, or raise the dump step's limits for a database this large",
            // Straight from pg_dump's stdout into the encrypter: the plain archive never touches the disk.
            stdout: (out) => encryptStreamToFile(out, encryption.recipient, partial),
          },
        );
        // Settled later with await; this keeps a failure while the fingerprints run from being "unhandled".
        dumping.catch(() => undefined);
        let tables: Record<string, TableFingerprint>;
        let migrations: string[];
        try {
          tables = await fingerprintTables(db);
          migrations = await appliedMigrations(db);
        } catch (error) {
          // Without fingerprints the archive cannot be verified later: stop pg_dump and give up.
          dumpStop.abort();
          await dumping.catch(() => undefined);
          throw new Error(
            `could not describe the snapshot for the manifest: ${(error as Error).message}. No backup was written`,
          );
        }
        try {
          await dumping;
        } catch (error) {
          const detail = describeCommandError(error);
          throw new Error(
            /could not import the requested snapshot/.test(detail)
              ? `pg_dump could not join the backup's snapshot (${detail}): the transaction that exported it ended early; run backup-now again, and if it repeats, check the server log for what ended that session`
              : `pg_dump of ${snap.database} failed: ${detail}`,
          );
        }
        await db.query("COMMIT");
        return {
          createdAt: snap.at.toISOString(),
          serverVersion: snap.version,
          database: snap.database,
          tables,
          migrations,
        };
      },
      { signal: ctx.signal, applicationName: "runbook backup" },
    );
    await rename(partial, path.join(dir, file));
    return { id, file, dumpSeconds: round((performance.now() - started) / 1000), ...result, encryption };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * The embedded PGlite of npm start, dumped by the process that holds it (pglite-dump.ts): plain
 * SQL, encrypted like any archive. The manifest's fingerprints are read from that SQL restored
 * into a scratch PGlite, so they describe exactly what the archive holds: pg_dump took it in one
 * snapshot, and no query beside it can share that snapshot.
 */
async function dumpPglite(ctx: BackupContext, localDir: string): Promise<DumpResult> {
  const dir = await ensureBackupsDir(ctx.env.name);
  const keys = await loadBackupKeys({ create: true });
  if (keys.created)
    ctx.warn(
      `created the backup key ${keys.file} (public key ${keys.recipient}): copy it somewhere safe and away from the backups now; without it no backup can be restored`,
    );
  const encryption: BackupEncryption = { format: "age", recipient: keys.recipient };
  const id = newBackupId();
  const file = `${id}.sql`;
  const partial = path.join(dir, `${file}.partial`);
  const started = performance.now();
  const createdAt = new Date().toISOString();
  ctx.log(`asking npm start (it holds the embedded PGlite) for a plain-SQL pg_dump`);
  const sql = await requestPgliteDump(localDir, { signal: ctx.signal, timeoutMs: TOOL_TIMEOUTS.dump });
  ctx.log(
    `received ${mib(Buffer.byteLength(sql), 2)} MiB of SQL; encrypting to ${encryption.recipient} (key file ${keys.file})`,
  );
  try {
    await encryptStreamToFile(Readable.from([Buffer.from(sql)]), encryption.recipient, partial);
    const described = await withScratchPglite(sql, async (db) => {
      const { rows } = await db.query<{ version: string; database: string }>(
        "SELECT current_setting('server_version') AS version, current_database() AS database",
      );
      return {
        serverVersion: rows[0]?.version ?? "unknown",
        database: rows[0]?.database ?? "postgres",
        tables: await fingerprintTables(db),
        migrations: await appliedMigrations(db),
      };
    });
    await rename(partial, path.join(dir, file));
    return {
      id,
      file,
      createdAt,
      dumpSeconds: round((performance.now() - started) / 1000),
      ...described,
      encryption,
      format: "plain-sql",
      sequences: plainSqlSequences(sql),
    };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** Restores a plain-SQL backup (from PGlite) into a throwaway PGlite in this process and runs fn on it. */
export async function withPlainSqlScratch<T>(
  ctx: Pick<BackupContext, "env" | "artifactsDir" | "signal" | "log">,
  manifest: BackupManifest,
  fn: (db: SqlSession) => Promise<T>,
  /** Another copy of the archive (dr-drill's copy fetched from off-site); default: the local one. */
  archive: string = archivePath(ctx.env.name, manifest),
): Promise<T> {
  return withPlainArchive(
    ctx,
    manifest,
    async (plain) => {
      const sql = await readFile(plain, "utf8");
      ctx.log(
        "restoring into a scratch in-memory PGlite in this process (the backup is plain SQL from PGlite)",
      );
      return withScratchPglite(sql, fn);
    },
    archive,
  );
}

export interface DumpPreflight {
  database: string;
  dbBytes: number;
  serverVersion: string;
  freeBytes: number;
}

/**
 * What must hold before a dump starts, checked up front so a backup does not fail half-way
 * (backup-now's preflight, dr-drill's fresh backup): pg_dump at least the server's major version,
 * the backup directory writable (a probe file, not access(): root passes access() on a read-only
 * mount) and with room for the database, the key file where it belongs. Creates nothing it keeps.
 */
export async function dumpPreflight(
  ctx: BackupContext & Pick<StepContext, "sql">,
  options: { lowDiskFraction: number },
): Promise<DumpPreflight> {
  const [db] = await ctx.sql<{
    database: string;
    bytes: string;
    version: string;
    num: number;
    full: string;
  }>(
    `SELECT current_database() AS database, pg_database_size(current_database())::bigint AS bytes,
            current_setting('server_version') AS version, current_setting('server_version_num')::int AS num,
            version() AS full`,
  );
  if (!db) throw new Error("PostgreSQL answered no row to a one-row query");
  // The embedded PGlite of npm start serves one session at a time: pg_dump, a second session
  // beside the snapshot's, would wait forever (the deploy runbooks' takeBackup skips it likewise);
  // and it is PostgreSQL 18, newer than the client tools Debian ships. Refused before anything runs.
  const pglite = /PGlite/i.test(db.full);
  if (pglite && !pgliteStackDir(ctx.env.name, ctx.env.databaseUrl))
    throw new Error(
      `${ctx.env.name} runs on an embedded PGlite (${db.full.slice(0, 60)}…) that is not this checkout's npm start stack: only the process that holds a PGlite can dump it (pg_dump's second session gets no answer there). ${PGLITE_INSTALL_HINT}`,
    );
  const dbBytes = Number(db.bytes);
  const serverMajor = Math.floor(db.num / 10_000);
  ctx.log(`database ${db.database}: ${mib(dbBytes, 2)} MiB on disk, PostgreSQL ${db.version}`);
  const toolMajor = pglite ? serverMajor : await pgDumpMajor(ctx);
  if (pglite)
    ctx.log("the embedded PGlite of npm start: npm start dumps it (plain SQL); no client tools needed");
  else if (toolMajor < serverMajor) {
    throw new Error(
      `pg_dump ${toolMajor} cannot dump a PostgreSQL ${serverMajor} server: install postgresql-client-${serverMajor} on this machine`,
    );
  }

  const dir = backupsDir(ctx.env.name);
  const existing = await nearestExistingDir(dir);
  await probeWritable(existing, dir);
  const fs = await statfs(existing);
  const free = fs.bavail * fs.bsize;
  const total = fs.blocks * fs.bsize;
  ctx.log(
    `backup directory ${dir}: writable, ${mib(free, 2)} MiB free of ${mib(total, 2)} MiB (${((free / total) * 100).toFixed(0)}%)`,
  );
  // The custom format is compressed and age adds 16 bytes per 64 KiB: the database's size on disk
  // is a safe upper bound. Verify and restore need as much again for the decrypted copy.
  if (free < dbBytes) {
    throw new Error(
      `only ${mib(free, 2)} MiB free in ${dir} for a database of ${mib(dbBytes, 2)} MiB: run prune-backups or free disk, then run this again`,
    );
  }
  if ((free - dbBytes) / total < options.lowDiskFraction) {
    ctx.warn(
      `after this backup less than ${options.lowDiskFraction * 100}% of the disk would be free (the "Low disk space" alert): run prune-backups`,
    );
  }

  const keyFile = checkKeyLocation();
  const keyPresent = await stat(keyFile).then(
    () => true,
    () => false,
  );
  if (keyPresent) {
    const keys = await loadBackupKeys();
    ctx.log(
      `backups are encrypted to ${keys.recipient} (key file ${keys.file}, ${keys.identities.length} identit${keys.identities.length === 1 ? "y" : "ies"})`,
    );
  } else ctx.log(`no backup key yet: the dump creates one at ${keyFile} (0600)`);
  return { database: db.database, dbBytes, serverVersion: db.version, freeBytes: free };
}

/** pg_dump's major version, or a refusal that says what to install when there is none. */
async function pgDumpMajor(ctx: BackupContext): Promise<number> {
  const version = await ctx.$`pg_dump --version`.then(
    (out) => out.stdout.trim(),
    () => {
      throw new Error(
        "pg_dump is not installed here: install the PostgreSQL client tools of the server's major version (Debian: apt-get install postgresql-client-15)",
      );
    },
  );
  return Number(/(\d+)(\.\d+)?/.exec(version)?.[1] ?? 0);
}

/** The directory itself, or its closest existing ancestor (the backup directory is created on first use). */
async function nearestExistingDir(dir: string): Promise<string> {
  let current = dir;
  for (;;) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) => {
      // ENOTDIR: a file somewhere above; going up finds it and says so.
      if (error.code === "ENOENT" || error.code === "ENOTDIR") return null;
      throw error;
    });
    if (info?.isDirectory()) return current;
    if (info)
      throw new Error(
        `the backup directory ${dir} cannot be created: ${current} is a file, not a directory. Move that file, or point RUNBOOK_BACKUP_DIR elsewhere`,
      );
    const parent = path.dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

/** Creates and removes a probe folder where the backup directory is (or will be created). */
async function probeWritable(existing: string, dir: string): Promise<void> {
  try {
    const probe = await mkdtemp(path.join(existing, ".write-probe-"));
    try {
      await writeFile(path.join(probe, "probe"), "", { mode: 0o600 });
    } finally {
      await rm(probe, { recursive: true, force: true });
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const uid = process.getuid?.() ?? "?";
    throw new Error(
      `the backup directory ${dir} is not writable here (${code ?? (error as Error).message} in ${existing}, as uid ${uid}): ${
        code === "EROFS"
          ? "its file system is mounted read-only"
          : `give this user the directory (chown, then chmod 700 ${existing})`
      }, or point RUNBOOK_BACKUP_DIR at a writable directory; nothing was dumped`,
    );
  }
}

/** Checksums the archive, reads the sequence values it holds and writes the manifest beside it. */
export async function completeBackup(ctx: BackupContext, dump: DumpResult): Promise<BackupManifest> {
  const archive = path.join(backupsDir(ctx.env.name), dump.file);
  const { size } = await stat(archive);
  const sha256 = await sha256File(archive, ctx.signal);
  const sequences =
    dump.format === "plain-sql"
      ? (dump.sequences ?? {})
      : await archiveSequences(ctx, archive, dump.encryption);
  const manifest: BackupManifest = {
    id: dump.id,
    env: ctx.env.name,
    file: dump.file,
    ...(dump.format ? { format: dump.format } : {}),
    ...(dump.encryption ? { encryption: dump.encryption } : {}),
    createdAt: dump.createdAt,
    sizeBytes: size,
    sha256,
    serverVersion: dump.serverVersion,
    tables: dump.tables,
    sequences,
    database: dump.database,
    migrations: dump.migrations,
    dumpSeconds: dump.dumpSeconds,
  };
  await writeManifest(ctx.env.name, manifest);
  return manifest;
}

/**
 * The sequence values the archive will restore, read from its SEQUENCE SET entries. pg_dump reads
 * sequences outside the snapshot, so these, not a query beside the dump, are what a restore gives.
 */
export async function archiveSequences(
  ctx: BackupContext,
  archive: string,
  encryption?: BackupEncryption,
): Promise<Record<string, number>> {
  // mkdtemp: 0700, so the decrypted archive and the SQL drawn from it are the owner's alone.
  await mkdir(ctx.artifactsDir, { recursive: true });
  const work = await mkdtemp(path.join(ctx.artifactsDir, "sequences-"));
  try {
    const plain = encryption ? path.join(work, "archive.dump") : archive;
    if (encryption) await decryptFileToFile(archive, encryption, plain, { signal: ctx.signal });
    // Through files, not stdout: the table of contents and SQL would flood the run's output.
    const toc = path.join(work, "toc.list");
    await runPgTool(ctx, "pg_restore", ["--list", `--file=${toc}`, plain], { timeoutMs: TOOL_TIMEOUTS.list });
    const entries = (await readFile(toc, "utf8")).split("\n").filter((line) => / SEQUENCE SET /.test(line));
    if (entries.length === 0) return {};
    const list = path.join(work, "sequences.list");
    const sql = path.join(work, "sequences.sql");
    await writeFile(list, `${entries.join("\n")}\n`, { mode: 0o600 });
    await runPgTool(ctx, "pg_restore", [`--use-list=${list}`, `--file=${sql}`, plain], {
      timeoutMs: TOOL_TIMEOUTS.list,
    });
    const out: Record<string, number> = {};
    for (const m of (await readFile(sql, "utf8")).matchAll(/setval\('([^']+)', (\d+), (true|false)\)/g)) {
      const name = (m[1] as string).replace(/^public\./, "").replace(/^"(.*)"$/, "$1");
      out[name] = Number(m[2]) - (m[3] === "true" ? 0 : 1);
    }
    return out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Runs fn with a path to the backup's plain pg_dump archive: the archive itself for a backup from
 * before encryption, otherwise a decrypted copy (0600, in a 0700 folder under the runbook's
 * artifacts, never in the backup directory) that is deleted afterwards whatever happens.
 *
 * A file, not a pipe into pg_restore: pg_restore reads a custom-format archive with seeks (the
 * data of each table where the table of contents says), which a pipe cannot give it.
 */
export async function withPlainArchive<T>(
  ctx: Pick<BackupContext, "env" | "artifactsDir" | "signal" | "log">,
  manifest: BackupManifest,
  fn: (plainArchive: string) => Promise<T>,
  /** Another copy of the archive (dr-drill's copy fetched from off-site); default: the local one. */
  archive: string = archivePath(ctx.env.name, manifest),
): Promise<T> {
  if (!manifest.encryption) return fn(archive);
  await mkdir(ctx.artifactsDir, { recursive: true });
  const work = await mkdtemp(path.join(ctx.artifactsDir, "decrypted-"));
  try {
    const plain = path.join(work, manifest.file);
    const started = performance.now();
    await decryptFileToFile(archive, manifest.encryption, plain, { signal: ctx.signal });
    ctx.log(
      `decrypted the archive (age, ${manifest.encryption.recipient}) in ${((performance.now() - started) / 1000).toFixed(2)} s`,
    );
    return await fn(plain);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Scratch databases (verify-backup, dr-drill): created beside the environment's database, always
// dropped, named so a leftover is recognisable.

export const SCRATCH_PREFIX = "rb_scratch_";

/** No scratch database could be created: a problem of the server or the role, not of a backup. */
export class ScratchDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScratchDatabaseError";
  }
}

export function databaseUrlWithName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Creates a scratch database on the environment's server, runs fn with its URL, and drops it
 * afterwards whatever happened (failed restore, mismatch, cancelled step).
 */
export async function withScratchDatabase<T>(
  ctx: BackupContext,
  purpose: string,
  fn: (url: string, name: string) => Promise<T>,
): Promise<T> {
  const name = `${SCRATCH_PREFIX}${purpose}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const url = databaseUrlWithName(ctx.env.databaseUrl, name);
  if (new URL(ctx.env.databaseUrl).pathname === `/${name}`)
    throw new Error("scratch name equals the database's");
  try {
    // template0: never has connections, so creation cannot fail on someone connected to template1.
    await runPgTool(ctx, "createdb", ["--template=template0", name], {
      url: ctx.env.databaseUrl,
      urlFlag: "--maintenance-db",
      timeoutMs: TOOL_TIMEOUTS.createdb,
    });
  } catch (error) {
    throw new ScratchDatabaseError(
      `could not create the scratch database ${name}: ${describeCommandError(error)}. The role in ${ctx.env.name}'s DATABASE_URL needs CREATEDB (ALTER ROLE … CREATEDB) and the server needs room for one more copy of the database`,
    );
  }
  ctx.log(`created scratch database ${name}`);
  try {
    return await fn(url, name);
  } finally {
    await dropScratchDatabase(ctx, name);
  }
}

/**
 * Drops a scratch database over SQL rather than with dropdb: after a timeout or a cancel the step's
 * shell kills every command it starts, and the scratch database must still go.
 */
export async function dropScratchDatabase(ctx: Pick<BackupContext, "env" | "log" | "warn">, name: string) {
  if (!name.startsWith(SCRATCH_PREFIX)) throw new Error(`refusing to drop ${name}: not a scratch database`);
  const client = new pg.Client({ connectionString: ctx.env.databaseUrl, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
    ctx.log(`dropped scratch database ${name}`);
  } catch (error) {
    ctx.warn(
      `could not drop scratch database ${name} (${(error as Error).message}): drop it by hand with dropdb --force ${name}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Scratch databases left on the server (a run killed with SIGKILL cannot clean up after itself). */
export async function leftoverScratchDatabases(
  sql: StepContext["sql"],
): Promise<Array<{ name: string; sizeBytes: number }>> {
  const rows = await sql<{ name: string; size: string }>(
    "SELECT datname::text AS name, pg_database_size(datname)::bigint AS size FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1",
    [SCRATCH_PREFIX],
  );
  return rows.map((r) => ({ name: r.name, sizeBytes: Number(r.size) }));
}

/** One line for a failed command (its exit code and the last lines it printed) or any error. */
export function describeCommandError(error: unknown): string {
  // Its message already says which tool, and how it failed or why it was stopped (a timeout).
  if (error instanceof PgToolError) return error.message;
  if (error && typeof error === "object" && "exitCode" in error && "stderr" in error) {
    const output = error as { exitCode: number | null; stderr: string };
    const tail = output.stderr.trim().split("\n").slice(-3).join(" / ");
    return `exit code ${output.exitCode}${tail ? `: ${tail}` : ""}`;
  }
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------
// Retention (prune-backups).

export interface RetentionPolicy {
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
}

export interface RetentionDecision {
  keep: Array<{ backup: BackupManifest; reasons: string[] }>;
  remove: BackupManifest[];
}

/**
 * Grandfather-father-son retention: for the newest keepDaily days that have a backup, the newest
 * backup of each day; likewise per ISO week and per month (UTC). The newest verified backup is
 * always kept, and so is any backup whose date cannot be read.
 */
export function retention(backups: BackupManifest[], policy: RetentionPolicy): RetentionDecision {
  const newestFirst = [...backups].sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
  );
  const reasons = new Map<string, string[]>();
  const add = (id: string, reason: string) => reasons.set(id, [...(reasons.get(id) ?? []), reason]);
  const buckets: Array<{ name: string; limit: number; key: (d: Date) => string }> = [
    { name: "daily", limit: policy.keepDaily, key: (d) => d.toISOString().slice(0, 10) },
    { name: "weekly", limit: policy.keepWeekly, key: isoWeek },
    { name: "monthly", limit: policy.keepMonthly, key: (d) => d.toISOString().slice(0, 7) },
  ];
  for (const bucket of buckets) {
    const seen = new Set<string>();
    for (const backup of newestFirst) {
      const date = new Date(backup.createdAt);
      if (Number.isNaN(date.getTime())) continue;
      const key = bucket.key(date);
      if (seen.has(key)) continue;
      if (seen.size >= bucket.limit) break;
      seen.add(key);
      add(backup.id, `${bucket.name} ${key}`);
    }
  }
  for (const backup of newestFirst) {
    if (Number.isNaN(Date.parse(backup.createdAt))) add(backup.id, "createdAt unreadable: kept, check it");
  }
  const newestVerified = newestFirst.find((b) => b.verification?.ok);
  if (newestVerified) add(newestVerified.id, "newest verified backup");
  return {
    keep: newestFirst
      .filter((b) => reasons.has(b.id))
      .map((b) => ({ backup: b, reasons: reasons.get(b.id) ?? [] })),
    remove: newestFirst.filter((b) => !reasons.has(b.id)),
  };
}

/** ISO 8601 week of a date (UTC), e.g. 2026-W48. */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
