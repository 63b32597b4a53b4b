/**
 * Back up the database now
 *
 * Purpose: a consistent pg_dump (custom format) of the environment's PostgreSQL database into the
 *   backup directory, with a manifest a later verify or restore checks against: size, sha256, the
 *   server version, per-table row counts and content hashes, and every sequence's value. The
 *   archive is encrypted with age as it is written (key: RUNBOOK_BACKUP_KEY_FILE, default
 *   .data/backup-keys/identities.txt, created on first use); files 0600 in a 0700 directory.
 * Sent here by: the nightly schedule (Maintenance calendar, "Back up the database"); the alert
 *   "Backup failed or stale"; before any risky change (a migration, a restore, a bulk fix).
 *   On the embedded PGlite of npm start (dev with no PostgreSQL installed) the dump is plain SQL
 *   that npm start makes inside its own process (runbooks/lib/pglite-dump.ts), no client tools.
 * Preconditions: DATABASE_URL of the environment reachable from here; pg_dump at least as new as
 *   the server's major version (not on PGlite); the backup directory writable, with free disk for
 *   one more copy.
 * Blast radius: reads the whole database in one snapshot (one extra connection, a long read
 *   transaction while it runs, I/O on the server); writes two files into the backup directory.
 *   Learners see nothing.
 */
import path from "node:path";
import { z } from "zod";
import { alertThreshold } from "../../policy/index.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import {
  backupsDir,
  completeBackup,
  type DumpResult,
  dumpDatabase,
  dumpPreflight,
  hoursSince,
  listBackups,
} from "../lib/backups.ts";
import { mib } from "../lib/format.ts";

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
        "pg_dump must be at least the server's major version; the backup directory must be writable, with room for a copy.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const checked = await dumpPreflight(ctx, { lowDiskFraction: alertThreshold("low-disk") });
        const existing = await listBackups(ctx.env.name);
        const newest = existing[0];
        ctx.log(
          newest
            ? `existing backups: ${existing.length}; newest ${newest.id}, ${hoursSince(newest.createdAt).toFixed(1)} h old`
            : "existing backups: none",
        );
        return checked;
      },
    }),
    step({
      id: "dump",
      title: "Dump the database",
      description:
        "pg_dump --format=custom in an exported snapshot, encrypted with age as it streams; row counts and content hashes read from the same snapshot.",
      danger: "change",
      timeoutMs: minutes(60),
      plan(ctx) {
        return [
          `would run pg_dump --format=custom of ${ctx.env.name}'s database, encrypted with age to the backup key, into ${backupsDir(ctx.env.name)}/<id>.dump (0600)`,
          "would count and hash every table of the public schema in the same snapshot, for the manifest",
        ];
      },
      async run(ctx) {
        const dump = await dumpDatabase(ctx);
        const rows = Object.values(dump.tables).reduce((sum, t) => sum + t.rows, 0);
        ctx.log(
          `dumped ${dump.database} in ${dump.dumpSeconds.toFixed(1)} s: ${Object.keys(dump.tables).length} tables, ${rows} rows, ${dump.migrations.length} migrations applied`,
        );
        ctx.table({
          title: "Tables in the dump",
          columns: ["table", "rows"],
          rows: Object.entries(dump.tables).map(([table, t]) => ({ table, rows: t.rows })),
        });
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
        ctx.log(`backup ${manifest.id}: ${mib(manifest.sizeBytes, 2)} MiB, sha256 ${manifest.sha256}`);
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
