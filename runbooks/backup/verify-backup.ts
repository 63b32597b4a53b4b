/**
 * Verify a backup
 *
 * Purpose: prove a backup restores: its archive still has the checksum it was written with, and
 *   restored into a scratch database it has exactly the rows (counts and content hashes) and the
 *   sequence values its manifest promises. The outcome is written into the manifest; the morning
 *   health check counts only verified backups.
 * Sent here by: the weekly calendar (Friday, "Verify the newest backup"); backup-now, after a
 *   backup; the alert "Backup failed or stale"; before restoring from a backup nobody verified.
 * Preconditions: the backup's archive and manifest in the backup directory; the environment's
 *   DATABASE_URL role may create databases (CREATEDB); room on the server for one more copy.
 * Blast radius: creates one scratch database (rb_scratch_verify_…) on the environment's server,
 *   restores into it (CPU and I/O there) and always drops it. The environment's own database is
 *   only read (to list leftover scratch databases). Rewrites the backup's manifest.
 */
import { stat } from "node:fs/promises";
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { keysFor } from "../lib/backup-keys.ts";
import {
  archivePath,
  backupRef,
  compareWithManifest,
  describeCommandError,
  findBackup,
  fingerprintTables,
  hoursSince,
  leftoverScratchDatabases,
  recordVerification,
  ScratchDatabaseError,
  sequenceValues,
  sha256File,
  TOOL_TIMEOUTS,
  withDatabase,
  withPlainArchive,
  withPlainSqlScratch,
  withScratchDatabase,
} from "../lib/backups.ts";
import { mib } from "../lib/format.ts";
import { runPgTool } from "../lib/pg-tools.ts";
import type { SqlSession } from "../lib/pglite-dump.ts";

export default defineRunbook({
  id: "verify-backup",
  title: "Verify a backup",
  summary:
    "Checks the archive's sha256, restores it into a scratch database, compares rows, content hashes and sequences with the manifest, and records the outcome.",
  guide: "operational-runbook",
  section: "Backup and restore",
  params: z.object({
    backup: backupRef
      .default("latest")
      .describe('The backup to verify: its id (e.g. 20261125T213000Z-3fa1c2) or "latest"'),
  }),
  steps: (step) => [
    step({
      id: "locate",
      title: "Find the backup",
      description: "Reads the manifest, checks the archive is there with the size the manifest says.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        const manifest = await findBackup(ctx.env.name, ctx.params.backup);
        const archive = archivePath(ctx.env.name, manifest);
        ctx.log(
          `backup ${manifest.id} of ${manifest.env}: taken ${manifest.createdAt} (${hoursSince(manifest.createdAt).toFixed(1)} h ago), ${mib(manifest.sizeBytes, 2)} MiB, PostgreSQL ${manifest.serverVersion}`,
        );
        ctx.log(
          `manifest: ${Object.keys(manifest.tables).length} tables, ${Object.values(manifest.tables).reduce((n, t) => n + t.rows, 0)} rows, ${Object.keys(manifest.sequences).length} sequences`,
        );
        ctx.log(
          manifest.verification
            ? `last verification: ${manifest.verification.ok ? "ok" : "FAILED"} at ${manifest.verifiedAt} (${manifest.verification.detail})`
            : "never verified",
        );
        const size = await stat(archive).then(
          (s) => s.size,
          // ENOENT: the manifest outlived its archive (deleted by hand, a half-finished prune). Not
          // thrown here: the last step records the backup as failed, so nobody counts on it.
          () => null,
        );
        // A key that cannot open the archive is a problem of this machine, not of the backup: stop
        // here, before anything is recorded in the manifest.
        if (manifest.encryption) {
          const keys = await keysFor(archive, manifest.encryption);
          ctx.log(`encrypted with age to ${manifest.encryption.recipient}: its identity is in ${keys.file}`);
        } else
          ctx.warn(
            "this backup is not encrypted (taken before backups were): prune it once newer ones are verified",
          );
        if (size === null) ctx.warn(`the archive ${archive} is MISSING: this backup cannot be restored`);
        else if (size !== manifest.sizeBytes)
          ctx.warn(
            `the archive is ${size} bytes, the manifest says ${manifest.sizeBytes}: the checksum step will tell`,
          );
        const leftovers = await leftoverScratchDatabases(ctx.sql);
        for (const db of leftovers)
          ctx.warn(
            `scratch database ${db.name} (${mib(db.sizeBytes, 2)} MiB) is left over from an earlier run; if no verify or drill is running, drop it: dropdb --force ${db.name}`,
          );
        return { id: manifest.id, archive, present: size !== null };
      },
    }),
    step({
      id: "checksum",
      title: "Check the archive's sha256",
      description: "Reads the whole archive and compares its sha256 with the manifest's.",
      danger: "read",
      timeoutMs: minutes(15),
      async run(ctx) {
        const { id, archive, present } = ctx.result<{ id: string; archive: string; present: boolean }>(
          "locate",
        );
        const manifest = await findBackup(ctx.env.name, id);
        if (!present) return { ok: false, actual: "archive missing", expected: manifest.sha256 };
        const started = performance.now();
        const actual = await sha256File(archive, ctx.signal);
        const secondsTaken = (performance.now() - started) / 1000;
        const ok = actual === manifest.sha256;
        // A mismatch does not stop the run here: the next step records the backup as failed, so the
        // morning health check stops counting it as verified.
        if (ok)
          ctx.log(`sha256 matches (${mib(manifest.sizeBytes, 2)} MiB read in ${secondsTaken.toFixed(2)} s)`);
        else
          ctx.warn(`sha256 MISMATCH: archive ${actual}, manifest ${manifest.sha256}; the archive is corrupt`);
        return { ok, actual, expected: manifest.sha256 };
      },
    }),
    step({
      id: "scratch-restore",
      title: "Restore into a scratch database and compare with the manifest",
      description:
        "createdb, decrypt the archive (age) to a temporary 0600 file, pg_restore --no-owner (a plain-SQL backup of the embedded PGlite: into an in-memory PGlite here instead), compare rows, hashes and sequences, drop the scratch database; record the outcome.",
      danger: "change",
      timeoutMs: minutes(60),
      plan(ctx) {
        const { id } = ctx.result<{ id: string }>("locate");
        return [
          `would create a scratch database on ${ctx.env.name}'s server and pg_restore backup ${id} into it`,
          "would compare every table's row count and content hash and every sequence with the manifest",
          "would drop the scratch database and write the outcome (verifiedAt, verification) into the manifest",
        ];
      },
      async run(ctx) {
        const { id, archive } = ctx.result<{ id: string; archive: string }>("locate");
        const checksum = ctx.result<{ ok: boolean; actual: string; expected: string }>("checksum");
        const manifest = await findBackup(ctx.env.name, id);
        if (!checksum.ok) {
          const detail =
            checksum.actual === "archive missing"
              ? `the archive ${archive} is missing`
              : `sha256 mismatch: archive ${checksum.actual}, manifest ${checksum.expected}`;
          await recordVerification(ctx.env.name, id, { ok: false, detail, restoreSeconds: 0 });
          throw new Error(
            `backup ${id} is corrupt (${detail}); recorded as failed. Do not restore from it: verify the previous backup and take a new one (backup-now)`,
          );
        }
        let restoreSeconds = 0;
        let problems: string[];
        const compare = async (db: SqlSession) => {
          const actual = { tables: await fingerprintTables(db), sequences: await sequenceValues(db) };
          ctx.table({
            title: "Restored tables against the manifest",
            columns: ["table", "rows", { key: "verdict", label: "rows and hash" }],
            rows: Object.entries(actual.tables).map(([table, t]) => {
              const expected = manifest.tables[table];
              const same = expected && expected.rows === t.rows && expected.hash === t.hash;
              return { table, rows: t.rows, verdict: same ? "matches" : "DIFFERS" };
            }),
          });
          return compareWithManifest(manifest, actual);
        };
        try {
          const started = performance.now();
          problems =
            manifest.format === "plain-sql"
              ? await withPlainSqlScratch(ctx, manifest, async (db) => {
                  restoreSeconds = Math.round((performance.now() - started) / 10) / 100;
                  ctx.log(`the SQL restored in ${restoreSeconds.toFixed(2)} s`);
                  return compare(db);
                })
              : await withScratchDatabase(ctx, "verify", async (url) => {
                  await withPlainArchive(ctx, manifest, (plain) =>
                    runPgTool(ctx, "pg_restore", ["--no-owner", "--exit-on-error", plain], {
                      url,
                      timeoutMs: TOOL_TIMEOUTS.restore,
                    }),
                  );
                  restoreSeconds = Math.round((performance.now() - started) / 10) / 100;
                  ctx.log(`pg_restore finished in ${restoreSeconds.toFixed(2)} s`);
                  return withDatabase(url, compare, {
                    signal: ctx.signal,
                    applicationName: "runbook verify-backup",
                  });
                });
        } catch (error) {
          // No scratch database (permissions, disk): says nothing about the backup; record nothing.
          if (error instanceof ScratchDatabaseError) throw error;
          // The restore itself failed (bad archive, missing role, out of disk): that is a failed verification too.
          const detail = `restore failed: ${describeCommandError(error)}`;
          await recordVerification(ctx.env.name, id, { ok: false, detail, restoreSeconds });
          throw new Error(`backup ${id} does not restore (${detail}); recorded as failed`);
        }
        const ok = problems.length === 0;
        const tableCount = Object.keys(manifest.tables).length;
        const detail = ok
          ? `restored in ${restoreSeconds.toFixed(2)} s; ${tableCount} tables and ${Object.keys(manifest.sequences).length} sequences match the manifest`
          : problems.join("; ");
        await recordVerification(ctx.env.name, id, { ok, detail, restoreSeconds });
        if (!ok) {
          throw new Error(
            `backup ${id} does not match its manifest: ${detail}. Recorded as failed; do not restore from it, take a new backup`,
          );
        }
        ctx.log(`verified: ${detail}`);
        return { id, ok, restoreSeconds };
      },
    }),
  ],
});
