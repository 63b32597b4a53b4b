/**
 * Backup timestamp for Prometheus
 *
 * Purpose: writes when the data of the newest verified backup was read, as the metric the
 *   "Backup failed or stale" alert reads, into a file node_exporter's textfile collector serves.
 *   0 when no backup is verified, so the alert fires instead of staying silent.
 * Sent here by: the nightly backup job (after backup-now and verify-backup) and its cron line; the
 *   "Backup failed or stale" alert, to check what Prometheus sees.
 * Preconditions: the environment's backup manifests in the runbook data directory; the textfile
 *   directory exists or can be created (node_exporter --collector.textfile.directory).
 * Blast radius: rewrites one small file atomically; nothing else.
 */
import path from "node:path";
import { z } from "zod";
import { alertThreshold } from "../../policy/index.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import { hoursSince, listBackups } from "../lib/backups.ts";
import { BACKUP_TEXTFILE, renderBackupTextfile } from "../lib/monitoring-config.ts";
import { writeConfigFile } from "../lib/write-atomic.ts";

interface Newest {
  id: string | null;
  createdAt: string | null;
}

export default defineRunbook({
  id: "backup-timestamp",
  title: "Publish the backup timestamp to Prometheus",
  summary:
    "Finds the newest verified backup and writes its time into node_exporter's textfile directory for the stale-backup alert.",
  guide: "operational-runbook",
  section: "Monitoring and alerting",
  params: z.object({
    textfileDir: z
      .string()
      .refine((p) => path.isAbsolute(p), { message: "textfileDir must be an absolute path" })
      .default("/var/lib/prometheus/node-exporter")
      .describe("node_exporter's --collector.textfile.directory (Debian's default)"),
  }),
  steps: (step) => [
    step({
      id: "newest-verified",
      title: "Find the newest verified backup",
      description: "Reads the backup manifests; only a backup whose verification passed counts.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx): Promise<Newest> {
        const verified = (await listBackups(ctx.env.name)).filter((m) => m.verification?.ok === true);
        const newest = verified[0];
        if (!newest) {
          ctx.warn(
            `no verified backup of "${ctx.env.name}": the metric will be 0 and the stale-backup alert fires`,
          );
          return { id: null, createdAt: null };
        }
        const age = hoursSince(newest.createdAt);
        ctx.log(
          `newest verified backup: ${newest.id}, data read at ${newest.createdAt} (${age.toFixed(1)} h ago)`,
        );
        if (age > alertThreshold("backup-failed"))
          ctx.warn(`older than the alert's ${alertThreshold("backup-failed")} h: the alert fires`);
        return { id: newest.id, createdAt: newest.createdAt };
      },
    }),
    step({
      id: "write-textfile",
      title: "Write the textfile",
      description:
        "Writes the metric to <textfileDir>/ssp_backup.prom atomically, readable by node_exporter.",
      danger: "change",
      timeoutMs: seconds(10),
      plan(ctx) {
        const newest = ctx.result<Newest>("newest-verified");
        return [
          `would write ${path.join(ctx.params.textfileDir, BACKUP_TEXTFILE)}:`,
          ...renderBackupTextfile(newest.createdAt ? new Date(newest.createdAt) : null)
            .trimEnd()
            .split("\n"),
        ];
      },
      async run(ctx) {
        const newest = ctx.result<Newest>("newest-verified");
        const file = path.join(ctx.params.textfileDir, BACKUP_TEXTFILE);
        const text = renderBackupTextfile(newest.createdAt ? new Date(newest.createdAt) : null);
        await writeConfigFile(file, text, 0o644);
        ctx.log(`wrote ${file}`);
        for (const line of text.trimEnd().split("\n")) ctx.log(`  ${line}`);
        return { file, backup: newest.id };
      },
    }),
  ],
});
