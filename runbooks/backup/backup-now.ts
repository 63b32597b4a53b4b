/**
 * Back up the database now
 *
 * Purpose: a consistent pg_dump (custom format) of the environment's PostgreSQL database into the
 *   backup directory, with a manifest a later verify or restore checks against: size, sha256, the
 *   server version, per-table row counts and content hashes, and every sequence's value.
 * Sent here by: the nightly schedule (Maintenance calendar, "Back up the database"); the alert
 *   "Backup failed or stale"; before any risky change (a migration, a restore, a bulk fix).
 * Preconditions: DATABASE_URL of the environment reachable from here; pg_dump at least as new as
 *   the server's major version; free disk in the backup directory for one more copy.
 * Blast radius: reads the whole database in one snapshot (one extra connection, a long read
 *   transaction while it runs, I/O on the server); writes two files into the backup directory.
 *   Learners see nothing.
 */
import { statfs } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { alertThreshold } from "../../policy/index.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import {
  backupsDir,
  completeBackup,
  type DumpResult,
  dumpDatabase,
  hoursSince,
  listBackups,
  mib,
} from "../lib/backups.ts";

export default defineRunbook({
  id: "backup-now",
  title: "Back up the database now",
  summary:
    "pg_dump of the environment's database in one snapshot, with a manifest (sha256, row counts, content hashes, sequences) that verify and restore check against.",
  guide: "operational-runbook",
  section: "Backup and restore",
  params: z.object({}),
  steps: (step) => [
    step({
      id: "preflight",
      title: "Check the tools, the database and the free disk",
      description:
        "pg_dump must be at least the server's major version; the backup directory needs room for a copy.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const [db] = await ctx.sql<{ database: string; bytes: string; version: string; num: number }>(
          `SELECT current_database() AS database, pg_database_size(current_database())::bigint AS bytes,
                  current_setting('server_version') AS version, current_setting('server_version_num')::int AS num`,
        );
        if (!db) throw new Error("PostgreSQL answered no row to a one-row query");
        const dbBytes = Number(db.bytes);
        const serverMajor = Math.floor(db.num / 10_000);
        const toolVersion = (await ctx.$`pg_dump --version`).stdout.trim();
        const toolMajor = Number(/(\d+)(\.\d+)?/.exec(toolVersion)?.[1] ?? 0);
        ctx.log(`database ${db.database}: ${mib(dbBytes)} MiB on disk, PostgreSQL ${db.version}`);
        if (toolMajor < serverMajor) {
          throw new Error(
            `pg_dump ${toolMajor} cannot dump a PostgreSQL ${serverMajor} server: install postgresql-client-${serverMajor} on this machine`,
          );
        }

        const dir = backupsDir(ctx.env.name);
        const fs = await statfs(await nearestExisting(dir));
        const free = fs.bavail * fs.bsize;
        const total = fs.blocks * fs.bsize;
        const lowDisk = alertThreshold("low-disk");
        ctx.log(
          `backup directory ${dir}: ${mib(free)} MiB free of ${mib(total)} MiB (${((free / total) * 100).toFixed(0)}%)`,
        );
        // The custom format is compressed; the database's size on disk is a safe upper bound.
        if (free < dbBytes) {
          throw new Error(
            `only ${mib(free)} MiB free in ${dir} for a database of ${mib(dbBytes)} MiB: run prune-backups or free disk, then run this again`,
          );
        }
        if ((free - dbBytes) / total < lowDisk) {
          ctx.warn(
            `after this backup less than ${lowDisk * 100}% of the disk would be free (the "Low disk space" alert): run prune-backups`,
          );
        }

        const existing = await listBackups(ctx.env.name);
        const newest = existing[0];
        ctx.log(
          newest
            ? `existing backups: ${existing.length}; newest ${newest.id}, ${hoursSince(newest.createdAt).toFixed(1)} h old`
            : "existing backups: none",
        );
        return { database: db.database, dbBytes, serverVersion: db.version, freeBytes: free };
      },
    }),
    step({
      id: "dump",
      title: "Dump the database",
      description:
        "pg_dump --format=custom in an exported snapshot; row counts and content hashes read from the same snapshot.",
      danger: "change",
      timeoutMs: minutes(60),
      plan(ctx) {
        return [
          `would run pg_dump --format=custom of ${ctx.env.name}'s database into ${backupsDir(ctx.env.name)}/<id>.dump`,
          "would count and hash every table of the public schema in the same snapshot, for the manifest",
        ];
      },
      async run(ctx) {
        const dump = await dumpDatabase(ctx);
        const rows = Object.values(dump.tables).reduce((sum, t) => sum + t.rows, 0);
        ctx.log(
          `dumped ${dump.database} in ${dump.dumpSeconds.toFixed(1)} s: ${Object.keys(dump.tables).length} tables, ${rows} rows, ${dump.migrations.length} migrations applied`,
        );
        for (const [name, t] of Object.entries(dump.tables))
          ctx.log(`  ${name.padEnd(14)} ${String(t.rows).padStart(9)} rows`);
        return dump;
      },
    }),
    step({
      id: "manifest",
      title: "Checksum the archive and write the manifest",
      description: "sha256 of the archive, the sequence values it restores, and the manifest beside it.",
      danger: "change",
      timeoutMs: minutes(15),
      plan(ctx) {
        return [
          `would compute the sha256 of the archive and write <id>.json into ${backupsDir(ctx.env.name)}`,
        ];
      },
      async run(ctx) {
        const manifest = await completeBackup(ctx, ctx.result<DumpResult>("dump"));
        ctx.log(`backup ${manifest.id}: ${mib(manifest.sizeBytes)} MiB, sha256 ${manifest.sha256}`);
        ctx.log(
          `sequences: ${
            Object.entries(manifest.sequences)
              .map(([name, value]) => `${name}=${value}`)
              .join(", ") || "none"
          }`,
        );
        ctx.log(`files: ${path.join(backupsDir(ctx.env.name), manifest.file)} and ${manifest.id}.json`);
        ctx.log(
          `next: verify it with  npm run runbook -- verify-backup --env ${ctx.env.name} --param backup=${manifest.id}`,
        );
        return {
          id: manifest.id,
          file: manifest.file,
          sizeBytes: manifest.sizeBytes,
          sha256: manifest.sha256,
        };
      },
    }),
  ],
});

/** The directory itself, or its closest existing parent (the backup directory is created on first use). */
async function nearestExisting(dir: string): Promise<string> {
  let current = dir;
  for (;;) {
    try {
      await statfs(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}
