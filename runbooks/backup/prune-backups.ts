/**
 * Prune old backups
 *
 * Purpose: keep the backups the retention policy promises and delete the rest: the newest backup
 *   of each of the last BACKUP_POLICY.keepDaily days that have one, of the last keepWeekly ISO
 *   weeks and of the last keepMonthly months (UTC). The newest verified backup is never deleted.
 * Sent here by: the nightly schedule after backup-now; the alert "Low disk space" on the backup
 *   disk; backup-now refusing for lack of room.
 * Preconditions: none beyond access to the backup directory.
 * Blast radius: deletes backup archives and manifests of this environment, irreversibly. The
 *   database and the app are not touched.
 */
import { readdir } from "node:fs/promises";
import { z } from "zod";
import { BACKUP_POLICY } from "../../policy/index.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { backupsDir, deleteBackup, listBackups, retention } from "../lib/backups.ts";
import { mib } from "../lib/format.ts";

interface Inventory {
  keep: Array<{ id: string; createdAt: string; reasons: string[] }>;
  remove: Array<{ id: string; createdAt: string; sizeBytes: number; verified: boolean }>;
}

export default defineRunbook({
  id: "prune-backups",
  title: "Prune old backups",
  summary: `Keeps ${BACKUP_POLICY.keepDaily} daily, ${BACKUP_POLICY.keepWeekly} weekly and ${BACKUP_POLICY.keepMonthly} monthly backups and the newest verified one; deletes the rest.`,
  guide: "operational-runbook",
  section: "Backup and restore",
  params: z.object({}),
  steps: (step) => [
    step({
      id: "inventory",
      title: "Decide what the policy keeps",
      description:
        "Lists the backups and applies the retention policy; reports stray files it does not touch.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx): Promise<Inventory> {
        const backups = await listBackups(ctx.env.name);
        const decision = retention(backups, BACKUP_POLICY);
        ctx.log(
          `backups of ${ctx.env.name}: ${backups.length}, ${mib(
            backups.reduce((n, b) => n + b.sizeBytes, 0),
            2,
          )} MiB in ${backupsDir(ctx.env.name)}`,
        );
        ctx.log(
          `policy: newest per day for ${BACKUP_POLICY.keepDaily} days, per ISO week for ${BACKUP_POLICY.keepWeekly} weeks, per month for ${BACKUP_POLICY.keepMonthly} months, and the newest verified`,
        );
        for (const k of decision.keep) ctx.log(`  keep    ${k.backup.id}  ${k.reasons.join(", ")}`);
        for (const r of decision.remove)
          ctx.log(
            `  delete  ${r.id}  ${r.createdAt}, ${mib(r.sizeBytes, 2)} MiB${r.verification?.ok ? ", verified" : ""}`,
          );
        if (!decision.keep.some((k) => k.backup.verification?.ok))
          ctx.warn(
            "no verified backup is kept: run verify-backup (the morning health check fails without one)",
          );

        // Files that belong to no manifest: an interrupted backup-now (its manifest step failed: resume
        // that run) or an interrupted prune. Reported, never deleted here: an operator decides.
        const known = new Set(backups.flatMap((b) => [`${b.id}.json`, b.file]));
        const stray = await readdir(backupsDir(ctx.env.name)).catch(() => [] as string[]);
        for (const name of stray.filter((n) => !known.has(n)))
          ctx.warn(
            `stray file ${name} in the backup directory: not part of any backup; check it and delete it by hand`,
          );
        return {
          keep: decision.keep.map((k) => ({
            id: k.backup.id,
            createdAt: k.backup.createdAt,
            reasons: k.reasons,
          })),
          remove: decision.remove.map((b) => ({
            id: b.id,
            createdAt: b.createdAt,
            sizeBytes: b.sizeBytes,
            verified: b.verification?.ok ?? false,
          })),
        };
      },
    }),
    step({
      id: "delete",
      title: "Delete the backups the policy does not keep",
      description:
        "Deletes each archive and its manifest; re-checks against the newest verified backup first.",
      danger: "destructive",
      timeoutMs: minutes(5),
      plan(ctx) {
        const { remove } = ctx.result<Inventory>("inventory");
        if (remove.length === 0) return ["nothing to delete: every backup is kept by the policy"];
        return [
          `would delete ${remove.length} backup(s), ${mib(
            remove.reduce((n, r) => n + r.sizeBytes, 0),
            2,
          )} MiB:`,
          ...remove.map((r) => `  ${r.id} (${r.createdAt}): ${r.id}.dump and ${r.id}.json`),
        ];
      },
      async run(ctx) {
        const { remove } = ctx.result<Inventory>("inventory");
        // The directory may have changed since the inventory (a resumed run, a verify in between):
        // delete only what still exists, and never the backup that is now the newest verified one.
        const current = await listBackups(ctx.env.name);
        const newestVerified = current.find((b) => b.verification?.ok)?.id;
        let freed = 0;
        const deleted: string[] = [];
        for (const r of remove) {
          const manifest = current.find((b) => b.id === r.id);
          if (!manifest) {
            ctx.log(`  ${r.id}: already gone`);
            continue;
          }
          if (manifest.id === newestVerified) {
            ctx.warn(`  ${r.id}: now the newest verified backup, kept`);
            continue;
          }
          freed += await deleteBackup(ctx.env.name, manifest);
          deleted.push(r.id);
          ctx.log(`  deleted ${r.id}`);
        }
        ctx.log(
          `deleted ${deleted.length} backup(s), freed ${mib(freed, 2)} MiB; ${current.length - deleted.length} remain`,
        );
        return { deleted, freedBytes: freed };
      },
    }),
  ],
});
