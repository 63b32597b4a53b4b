// Shared by create-replica and failover-to-replica: the record of the streaming replica this host
// runs for an environment, the server programs run as the right user, and the lag queries.
// Private to runbooks/deployment/ (the catalog skips files starting "_").
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, chown, mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { dataDir } from "../engine/paths.ts";
import { withDatabase } from "../lib/backups.ts";

export interface ReplicaRecord {
  v: 1;
  env: string;
  /** The replica's data directory (PGDATA). */
  dataDir: string;
  port: number;
  /** The PostgreSQL server binaries it runs with. */
  binDir: string;
  /** The replication slot on the primary that keeps WAL for it. */
  slot: string;
  /** The primary it streams from, without a password: host:port/database as user. */
  primary: string;
  /** The libpq password file the replica's walreceiver reads (0600), or null when none is needed. */
  passfile: string | null;
  logFile: string;
  /** The server runs as this uid (the postgres user when the runbook runs as root). */
  uid: number | null;
  createdAt: string;
  /** Set by failover-to-replica: from then on this server is the primary. */
  promotedAt?: string;
}

export function replicaRecordFile(env: string): string {
  return path.join(dataDir(process.env), "replicas", `${env}.json`);
}

export async function readReplicaRecord(env: string): Promise<ReplicaRecord | null> {
  try {
    const record = JSON.parse(await readFile(replicaRecordFile(env), "utf8")) as ReplicaRecord;
    if (record.v !== 1)
      throw new Error(
        `${replicaRecordFile(env)} has format version ${String(record.v)}; this checkout reads version 1: update the checkout`,
      );
    return record;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

export async function writeReplicaRecord(record: ReplicaRecord): Promise<string> {
  const file = replicaRecordFile(record.env);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(3).toString("hex")}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
  return file;
}

/** The primary's URL with the replica's host and port: a physical copy has the same roles and passwords. */
export function replicaUrl(primaryUrl: string, port: number): string {
  const u = new URL(primaryUrl);
  u.hostname = "127.0.0.1";
  u.port = String(port);
  return u.toString();
}

/** host:port/database as user: a URL without its password, for logs and the record. */
export function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || "5432"}${u.pathname} as ${decodeURIComponent(u.username) || "(default user)"}`;
}

/** uid and gid to run the server as: ours, or the postgres user's when we are root (postgres refuses root). */
export function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    return {
      uid: Number(execFileSync("id", ["-u", "postgres"]).toString()),
      gid: Number(execFileSync("id", ["-g", "postgres"]).toString()),
    };
  } catch {
    throw new Error(
      "this runs as root, PostgreSQL refuses to run as root, and there is no postgres user to run the replica as: create one (useradd --system postgres) or run as another user",
    );
  }
}

/**
 * The server's user must reach its data directory: every ancestor up to `stopAt` gets o+x (enter,
 * not list) when it lacks it. Only under `stopAt`: directories elsewhere are the operator's.
 */
export async function ensureTraversable(dir: string, stopAt: string): Promise<void> {
  let current = path.dirname(dir);
  const root = path.resolve(stopAt);
  while (current.startsWith(root) && current !== path.dirname(current)) {
    const info = await stat(current).catch(() => null);
    if (info && (info.mode & 0o001) === 0) await chmod(current, (info.mode & 0o7777) | 0o001);
    if (current === root) break;
    current = path.dirname(current);
  }
}

/** chown -R, in-process: the data directory pg_basebackup wrote as root goes to the server's user. */
export async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, uid, gid);
    else await chown(full, uid, gid);
  }
}

/** Runs a server program (pg_ctl) as the server's user; rejects with its stderr. Never given a secret. */
export function runServerProgram(
  binDir: string,
  program: string,
  args: string[],
  user: { uid: number; gid: number } | null,
  timeoutMs = 90_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, program), args, {
      ...(user ?? {}),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: timeoutMs,
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code, signal) =>
      code === 0
        ? resolve(out)
        : reject(
            new Error(
              `${program} ${args.at(-1)} failed (${signal ? `stopped by ${signal} after ${timeoutMs / 1000} s` : `exit code ${code}`}): ${out.trim().split("\n").slice(-3).join(" / ")}`,
            ),
          ),
    );
  });
}

/** A libpq password-file line for a URL's host, port and user (any database, replication included). */
export function passfileLine(url: string): string | null {
  const u = new URL(url);
  if (!u.password) return null;
  const esc = (v: string) => v.replaceAll("\\", "\\\\").replaceAll(":", "\\:");
  return `${esc(u.hostname)}:${u.port || "5432"}:*:${esc(decodeURIComponent(u.username))}:${esc(decodeURIComponent(u.password))}\n`;
}

/** The URL without its password (the password goes through PGPASSFILE, never argv). */
export function withoutPassword(url: string): string {
  const u = new URL(url);
  u.password = "";
  return u.toString();
}

export interface StreamState {
  /** pg_stat_replication's state for the slot's walsender ("streaming"), or null when none. */
  state: string | null;
  /** Bytes of WAL the replica has not replayed yet, measured on the primary. */
  lagBytes: number | null;
  replayLagSeconds: number | null;
}

/** On the primary: the walsender that serves the slot, and how far behind its replica replays. */
export async function streamState(
  primaryUrl: string,
  slot: string,
  signal: AbortSignal,
): Promise<StreamState> {
  return withDatabase(
    primaryUrl,
    async (db) => {
      const { rows } = await db.query<{ state: string; lag: string | null; replay_lag: number | null }>(
        `SELECT r.state, pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)::bigint AS lag,
                extract(epoch FROM r.replay_lag)::float8 AS replay_lag
           FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid
          WHERE s.slot_name = $1`,
        [slot],
      );
      const row = rows[0];
      return {
        state: row?.state ?? null,
        lagBytes: row?.lag == null ? null : Number(row.lag),
        replayLagSeconds: row?.replay_lag ?? null,
      };
    },
    { signal, applicationName: "runbook replica", statementTimeoutMs: 10_000 },
  );
}

/** On the replica: whether it is still in recovery and the WAL position it has replayed. */
export async function replicaState(
  url: string,
  signal: AbortSignal,
): Promise<{ inRecovery: boolean; replayLsn: string | null; receiver: string | null }> {
  return withDatabase(
    url,
    async (db) => {
      const { rows } = await db.query<{ rec: boolean; lsn: string | null; receiver: string | null }>(
        `SELECT pg_is_in_recovery() AS rec, pg_last_wal_replay_lsn()::text AS lsn,
                (SELECT status FROM pg_stat_wal_receiver) AS receiver`,
      );
      const row = rows[0];
      return { inRecovery: row?.rec ?? false, replayLsn: row?.lsn ?? null, receiver: row?.receiver ?? null };
    },
    { signal, applicationName: "runbook replica", statementTimeoutMs: 10_000 },
  );
}
