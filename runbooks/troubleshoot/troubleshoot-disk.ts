/**
 * Disk: what fills it, and cleaning what is safe to clean
 *
 * Purpose: report free space and what fills the data and log directories (the database, its WAL
 *   and the WAL replication slots hold back, this host's runbook data: backups, run records,
 *   instance and release logs), then, as separate confirmed steps, delete rotated or old log files
 *   nothing has open and the backups the retention policy no longer keeps.
 * Sent here by: the Troubleshooting entry "Disk full" ("No space left on device"), LowDiskSpace,
 *   backup-now refusing to start for lack of room.
 * Preconditions: run on the host whose disk is full (the file system part is local); DATABASE_URL
 *   reaches the database (sizes; WAL needs pg_monitor or superuser, else it is reported as unknown).
 * Blast radius: deletes only regular files under logDir whose names end in .log, .log.N or .gz,
 *   older than logMaxAgeDays, that no process has open; and backups outside the retention policy
 *   (never the newest verified one). Never anything under PostgreSQL's data directory: pg_wal and
 *   base are never touched (deleting there corrupts the database; drop an unused slot instead).
 */
import { readdir, readlink, stat, statfs, unlink } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { BACKUP_POLICY } from "../../policy/index.ts";
import { defineRunbook, minutes } from "../engine/define.ts";
import { dataDir } from "../engine/paths.ts";
import { backupsDir, deleteBackup, listBackups, retention } from "../lib/backups.ts";
import { formatBytes } from "../lib/format.ts";

const LOG_FILE = /\.log(\.\d+)?(\.gz)?$|\.log-\d{8}(\.gz)?$/;

interface OldLog {
  file: string;
  bytes: number;
  modified: string;
}

const params = z.object({
  logDir: z
    .string()
    .min(1)
    .optional()
    .describe("The log directory to report and clean (default: this host's runbook data directory)"),
  logMaxAgeDays: z.coerce
    .number()
    .min(0)
    .max(3_650)
    .default(14)
    .describe("clean-logs: log files not modified for this many days are deleted"),
});

export default defineRunbook({
  id: "troubleshoot-disk",
  title: "Disk full: what fills it, clean what is safe",
  summary:
    "Reports free space and what fills the data and log directories; deletes old logs and expired backups (each confirmed).",
  guide: "operational-runbook",
  section: "Troubleshooting",
  params,
  steps: (step) => [
    step({
      id: "disk-report",
      title: "What fills the disk",
      description:
        "Free space, the database and its WAL, WAL held by replication slots, the largest entries of the data and log directories.",
      danger: "read",
      timeoutMs: minutes(2),
      async run(ctx) {
        const logDir = ctx.params.logDir ?? dataDir(process.env);
        const data = dataDir(process.env);
        for (const dir of [...new Set([data, logDir, backupsDir(ctx.env.name)])]) {
          const fs = await statfs(dir).catch(() => null);
          if (!fs) {
            ctx.log(`${dir}: does not exist`);
            continue;
          }
          const free = fs.bavail * fs.bsize;
          const total = fs.blocks * fs.bsize;
          ctx.log(
            `${dir}: ${formatBytes(free)} free of ${formatBytes(total)} (${((free / total) * 100).toFixed(1)} %)`,
          );
        }
        const [db] = await ctx.sql<{ name: string; bytes: string }>(
          "SELECT current_database() AS name, pg_database_size(current_database())::text AS bytes",
        );
        if (db) ctx.log(`database ${db.name}: ${formatBytes(Number(db.bytes))}`);
        try {
          const [wal] = await ctx.sql<{ bytes: string; files: number }>(
            "SELECT coalesce(sum(size), 0)::text AS bytes, count(*)::int AS files FROM pg_ls_waldir()",
          );
          if (wal) ctx.log(`pg_wal: ${formatBytes(Number(wal.bytes))} in ${wal.files} file(s)`);
        } catch (error) {
          // Expected without pg_monitor: the size is unknown, not zero.
          ctx.log(`pg_wal: unknown (${(error as Error).message}; needs pg_monitor)`);
        }
        const slots = await ctx.sql<{ slot_name: string; active: boolean; retained: string | null }>(
          `SELECT slot_name, active, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text AS retained
           FROM pg_replication_slots ORDER BY restart_lsn NULLS LAST`,
        );
        for (const s of slots)
          ctx.log(
            `slot ${s.slot_name}: ${s.active ? "active" : "INACTIVE"}, holds ${s.retained === null ? "no" : formatBytes(Number(s.retained))} WAL${s.active ? "" : " (drop-replication-slot if its replica is gone)"}`,
          );
        for (const dir of [...new Set([data, logDir])]) {
          const sizes = await largestEntries(dir);
          ctx.log(`largest in ${dir}:`);
          for (const e of sizes.slice(0, 8)) ctx.log(`  ${formatBytes(e.bytes).padStart(10)}  ${e.name}`);
        }
        const oldLogs = await findOldLogs(logDir, ctx.params.logMaxAgeDays);
        ctx.log(
          `log files older than ${ctx.params.logMaxAgeDays} days and not open: ${oldLogs.length}, ${formatBytes(oldLogs.reduce((n, l) => n + l.bytes, 0))}`,
        );
        const decision = retention(await listBackups(ctx.env.name), BACKUP_POLICY);
        ctx.log(
          `backups the retention policy no longer keeps: ${decision.remove.length}, ${formatBytes(decision.remove.reduce((n, b) => n + b.sizeBytes, 0))}`,
        );
        return { logDir, oldLogs, expiredBackups: decision.remove.map((b) => b.id) };
      },
    }),
    step({
      id: "clean-logs",
      title: "Delete old log files",
      description: `Deletes the log files the report listed (names like *.log, *.log.1, *.gz), if still old and not open.`,
      danger: "destructive",
      timeoutMs: minutes(2),
      plan(ctx) {
        const { oldLogs } = ctx.result<{ oldLogs: OldLog[] }>("disk-report");
        if (oldLogs.length === 0) return ["nothing: no old log file"];
        return [
          `would delete ${oldLogs.length} file(s), ${formatBytes(oldLogs.reduce((n, l) => n + l.bytes, 0))}:`,
          ...oldLogs.slice(0, 20).map((l) => `  ${l.file} (modified ${l.modified})`),
          ...(oldLogs.length > 20 ? [`  … and ${oldLogs.length - 20} more`] : []),
        ];
      },
      async run(ctx) {
        const { oldLogs, logDir } = ctx.result<{ oldLogs: OldLog[]; logDir: string }>("disk-report");
        // Checked again now: a file written or opened since the report is no longer safe to delete.
        const stillOld = new Set((await findOldLogs(logDir, ctx.params.logMaxAgeDays)).map((l) => l.file));
        let freed = 0;
        const deleted: string[] = [];
        for (const log of oldLogs) {
          if (!stillOld.has(log.file)) {
            ctx.log(`kept ${log.file}: written to or opened since the report`);
            continue;
          }
          await unlink(log.file);
          freed += log.bytes;
          deleted.push(log.file);
        }
        ctx.log(`deleted ${deleted.length} log file(s), freed ${formatBytes(freed)}`);
        return { deleted, freedBytes: freed };
      },
    }),
    step({
      id: "prune-expired-backups",
      title: "Delete backups past retention",
      description:
        "Deletes the backups the retention policy no longer keeps (as prune-backups does); never the newest verified one.",
      danger: "destructive",
      timeoutMs: minutes(5),
      async plan(ctx) {
        const decision = retention(await listBackups(ctx.env.name), BACKUP_POLICY);
        if (decision.remove.length === 0) return ["nothing: every backup is kept by the policy"];
        return decision.remove.map(
          (b) => `would delete backup ${b.id} (${b.createdAt}, ${formatBytes(b.sizeBytes)})`,
        );
      },
      async run(ctx) {
        const backups = await listBackups(ctx.env.name);
        const decision = retention(backups, BACKUP_POLICY);
        const newestVerified = backups.find((b) => b.verification?.ok)?.id;
        let freed = 0;
        const deleted: string[] = [];
        for (const b of decision.remove) {
          if (b.id === newestVerified) continue;
          freed += await deleteBackup(ctx.env.name, b);
          deleted.push(b.id);
          ctx.log(`deleted backup ${b.id}`);
        }
        ctx.log(`deleted ${deleted.length} backup(s), freed ${formatBytes(freed)}`);
        return { deleted, freedBytes: freed };
      },
    }),
  ],
});

/** Sizes of a directory's entries (recursively summed), largest first. */
async function largestEntries(dir: string): Promise<Array<{ name: string; bytes: number }>> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: Array<{ name: string; bytes: number }> = [];
  for (const e of entries) out.push({ name: e.name, bytes: await du(path.join(dir, e.name)) });
  return out.sort((a, b) => b.bytes - a.bytes);
}

async function du(target: string): Promise<number> {
  const s = await stat(target).catch(() => null);
  if (!s) return 0;
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const name of await readdir(target).catch(() => [])) total += await du(path.join(target, name));
  return total;
}

/** Regular log files under dir older than maxAgeDays that no process on this host has open. */
async function findOldLogs(dir: string, maxAgeDays: number): Promise<OldLog[]> {
  const cutoff = Date.now() - maxAgeDays * 86_400_000;
  const open = await openFiles();
  const out: OldLog[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile() || !LOG_FILE.test(e.name)) continue;
    const file = path.join(e.parentPath, e.name);
    const s = await stat(file).catch(() => null);
    if (!s || s.mtimeMs > cutoff || open.has(file)) continue;
    out.push({ file, bytes: s.size, modified: new Date(s.mtimeMs).toISOString() });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** Files open by any process we may look at (Linux /proc); a log being written is never deleted. */
async function openFiles(): Promise<Set<string>> {
  const open = new Set<string>();
  for (const pid of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => null);
      if (target?.startsWith("/")) open.add(target);
    }
  }
  return open;
}
