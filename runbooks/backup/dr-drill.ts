/**
 * Disaster-recovery drill
 *
 * Purpose: rehearse losing the database without losing it: take a fresh backup (or use one),
 *   restore it into a scratch database, run sanity queries, and measure the recovery time (RTO:
 *   from "disaster declared" to a checked, usable copy) and the data-loss window (RPO: the
 *   declaration minus the backup's time) against BACKUP_POLICY. Writes a drill report (Markdown).
 * Sent here by: the monthly calendar (third week, "Disaster-recovery drill"); after changing the
 *   backup setup; before trusting backups of a new environment.
 * Preconditions: the environment's DATABASE_URL role may create databases (CREATEDB); room on the
 *   server for one more copy; pg_dump and pg_restore of the server's major version.
 * With from=offsite the backup is fetched from the off-site copy (copy-backup-offsite) after the
 *   disaster is declared, as a recovery without the backup host's disk would, and the fetch counts
 *   towards the RTO.
 * Blast radius: never writes to the environment's database. A fresh backup reads it (one
 *   snapshot) and adds a backup to the backup directory; the restore creates and always drops one
 *   scratch database (rb_scratch_drill_…) on the same server (CPU and I/O there).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { alertThreshold, BACKUP_POLICY } from "../../policy/index.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { keysFor } from "../lib/backup-keys.ts";
import {
  appliedMigrations,
  archivePath,
  BACKUP_ID,
  backupsDir,
  compareWithManifest,
  completeBackup,
  describeCommandError,
  dumpDatabase,
  dumpPreflight,
  findBackup,
  fingerprintTables,
  readManifest,
  sequenceHeadroom,
  sequenceValues,
  sha256File,
  TOOL_TIMEOUTS,
  withDatabase,
  withPlainArchive,
  withPlainSqlScratch,
  withScratchDatabase,
} from "../lib/backups.ts";
import { mib } from "../lib/format.ts";
import { listOffsite, OFFSITE_TARGET_VARIABLE, resolveTarget, rsyncFromOffsite } from "../lib/offsite.ts";
import { runPgTool } from "../lib/pg-tools.ts";
import type { SqlSession } from "../lib/pglite-dump.ts";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

interface DrillRestore {
  source: string;
  backupId: string;
  backupCreatedAt: string;
  scratch: string;
  declaredAt: string;
  recoveredAt: string;
  rtoSeconds: number;
  rpoSeconds: number;
  phases: Record<string, number>;
  checks: Check[];
  error: string | null;
}

export default defineRunbook({
  id: "dr-drill",
  title: "Disaster-recovery drill",
  summary:
    "Restores a backup into a scratch database, checks it, measures RTO and RPO against the policy and writes a drill report; never touches the real database.",
  guide: "deployment-playbook",
  section: "Disaster recovery",
  params: z.object({
    backup: z
      .string()
      .refine((v) => v === "fresh" || v === "latest" || BACKUP_ID.test(v), {
        message: 'expected "fresh", "latest" or a backup id like 20261125T213000Z-3fa1c2',
      })
      .default("fresh")
      .describe(
        '"fresh" takes a new backup first (as backup-now); "latest" or a backup id drills an existing one',
      ),
    from: z
      .enum(["local", "offsite"])
      .default("local")
      .describe(
        "Where the backup is read from: the local backup directory, or the off-site copy copy-backup-offsite made (not with backup=fresh)",
      ),
    offsiteTarget: z
      .string()
      .default("")
      .describe(
        `With from=offsite: the off-site target (path or host:/path; default ${OFFSITE_TARGET_VARIABLE}, else the one the last copy used)`,
      ),
  }),
  steps: (step) => [
    step({
      id: "backup",
      title: "Take or choose the backup to recover from",
      description: 'A fresh pg_dump with its manifest (backup="fresh"), or the backup named.',
      danger: "change",
      timeoutMs: minutes(60),
      plan(ctx) {
        if (ctx.params.from === "offsite")
          return [`would pick backup ${ctx.params.backup} among the off-site copies of ${ctx.env.name}`];
        return ctx.params.backup === "fresh"
          ? [
              `would take a fresh backup of ${ctx.env.name}'s database into ${backupsDir(ctx.env.name)} (as backup-now)`,
            ]
          : [`would use backup ${ctx.params.backup} of ${ctx.env.name}`];
      },
      async run(ctx) {
        if (ctx.params.from === "offsite") {
          if (ctx.params.backup === "fresh")
            throw new Error(
              "from=offsite recovers from a copy that already exists: name it (backup=latest or its id), not backup=fresh",
            );
          const target = await resolveTarget(ctx.env.name, ctx.params.offsiteTarget);
          const there = await listOffsite(ctx, target);
          const chosen =
            ctx.params.backup === "latest" ? there[0] : there.find((m) => m.id === ctx.params.backup);
          if (!chosen)
            throw new Error(
              there.length === 0
                ? `there are no off-site backups of "${ctx.env.name}" at ${target.text}: run copy-backup-offsite first`
                : `no off-site backup "${ctx.params.backup}" at ${target.text}; newest there: ${there
                    .slice(0, 5)
                    .map((m) => m.id)
                    .join(", ")}`,
            );
          ctx.log(
            `using the off-site copy of ${chosen.id} at ${target.text}, taken ${chosen.createdAt}, ${mib(chosen.sizeBytes, 2)} MiB`,
          );
          return { id: chosen.id, fresh: false, offsite: target.text };
        }
        if (ctx.params.backup !== "fresh") {
          const manifest = await findBackup(ctx.env.name, ctx.params.backup);
          ctx.log(
            `using backup ${manifest.id}, taken ${manifest.createdAt}, ${mib(manifest.sizeBytes, 2)} MiB`,
          );
          return { id: manifest.id, fresh: false };
        }
        // The checks backup-now makes first: without them a drill on a server pg_dump cannot read
        // (a newer major version, the embedded PGlite) hung in pg_dump instead of saying why.
        await dumpPreflight(ctx, { lowDiskFraction: alertThreshold("low-disk") });
        const dump = await dumpDatabase(ctx);
        const manifest = await completeBackup(ctx, dump);
        ctx.log(
          `took backup ${manifest.id} in ${dump.dumpSeconds.toFixed(2)} s: ${mib(manifest.sizeBytes, 2)} MiB`,
        );
        return { id: manifest.id, fresh: true };
      },
    }),
    step({
      id: "restore-scratch",
      title: "Declare the disaster, restore into a scratch database, check it",
      description:
        "Clock starts; sha256, createdb, decrypt (age), pg_restore, sanity queries; clock stops; the scratch database is dropped.",
      danger: "change",
      timeoutMs: minutes(90),
      plan(ctx) {
        return [
          `would restore the backup into a new scratch database on ${ctx.env.name}'s server, never into the real one`,
          "would run sanity queries (rows and hashes against the manifest, sequences, migrations), time it all, and drop the scratch database",
        ];
      },
      async run(ctx): Promise<DrillRestore> {
        const { id, offsite } = ctx.result<{ id: string; offsite?: string }>("backup");
        let manifest = offsite
          ? ((await listOffsite(ctx, await resolveTarget(ctx.env.name, offsite))).find((m) => m.id === id) ??
            null)
          : await findBackup(ctx.env.name, id);
        if (!manifest)
          throw new Error(`the off-site backup ${id} is gone from ${offsite} since the last step`);
        let archive = archivePath(ctx.env.name, manifest);
        // Before the clock starts: a missing key is this machine's problem, not a slow recovery.
        if (manifest.encryption) await keysFor(archive, manifest.encryption);
        const declared = new Date();
        const clock = performance.now();
        const phases: Record<string, number> = {};
        // From off-site: fetch the archive and its manifest here first (its own phase of the RTO),
        // into a 0700 folder under the artifacts, deleted when the drill ends.
        let fetched: string | null = null;
        if (offsite) {
          const target = await resolveTarget(ctx.env.name, offsite);
          await mkdir(ctx.artifactsDir, { recursive: true });
          fetched = await mkdtemp(path.join(ctx.artifactsDir, "offsite-"));
          const t = performance.now();
          await rsyncFromOffsite(ctx, target, [manifest.file, `${manifest.id}.json`], fetched);
          phases.fetch = Math.round(performance.now() - t) / 1000;
          manifest = await readManifest(
            path.join(fetched, `${manifest.id}.json`),
            `check the off-site copy of ${manifest.id} at ${target.text}`,
          );
          archive = path.join(fetched, manifest.file);
          ctx.log(`fetched ${manifest.file} from ${target.text} in ${phases.fetch.toFixed(2)} s`);
        }
        const source = offsite ? `off-site copy at ${offsite}` : "local backup directory";
        const time = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
          const t = performance.now();
          try {
            return await fn();
          } finally {
            phases[phase] = Math.round(performance.now() - t) / 1000;
          }
        };
        const rpoSeconds = Math.round((declared.getTime() - Date.parse(manifest.createdAt)) / 1000);
        ctx.log(
          `disaster declared at ${declared.toISOString()}; recovering from ${manifest.id} (taken ${manifest.createdAt})`,
        );
        const checks: Check[] = [];
        let error: string | null = null;
        let scratch = "";
        // The clock stops when the copy is checked, not after the scratch database is dropped again.
        let recovered = 0;
        const liveMigrations = await withDatabase(ctx.env.databaseUrl, appliedMigrations, {
          signal: ctx.signal,
        });
        try {
          const sanity = async (db: SqlSession) => {
            const actual = { tables: await fingerprintTables(db), sequences: await sequenceValues(db) };
            const problems = compareWithManifest(manifest, actual);
            checks.push({
              name: "rows and content as in the manifest",
              ok: problems.length === 0,
              detail:
                problems.length === 0
                  ? `${Object.keys(actual.tables).length} tables, ${Object.values(actual.tables).reduce((n, t) => n + t.rows, 0)} rows`
                  : problems.join("; "),
            });
            const behind = (await sequenceHeadroom(db)).filter((h) => h.sequenceValue < h.maxValue);
            checks.push({
              name: "sequences ahead of their columns",
              ok: behind.length === 0,
              detail:
                behind.length === 0
                  ? "all"
                  : behind
                      .map((h) => `${h.sequence} ${h.sequenceValue} < ${h.table}.${h.column} ${h.maxValue}`)
                      .join("; "),
            });
            const restored = await appliedMigrations(db);
            const missing = liveMigrations.filter((m) => !restored.includes(m));
            checks.push({
              name: "migrations as in the live database",
              ok: missing.length === 0,
              detail:
                missing.length === 0
                  ? `${restored.length} applied, newest ${restored.at(-1) ?? "none"}`
                  : `the backup lacks ${missing.join(", ")}: migrate after restoring`,
            });
            const { rows } = await db.query<{ learners: string; active: string; orphans: string }>(
              `SELECT (SELECT count(*) FROM learners) AS learners,
                          (SELECT count(*) FROM exercises WHERE active) AS active,
                          (SELECT count(*) FROM reviews r WHERE NOT EXISTS (SELECT 1 FROM learners l WHERE l.id = r.learner_id)) AS orphans`,
            );
            const r = rows[0];
            checks.push({
              name: "the app's data is usable",
              ok: Number(r?.active ?? 0) > 0 && Number(r?.orphans ?? 1) === 0,
              detail: `${r?.learners} learners, ${r?.active} active exercises, ${r?.orphans} reviews without a learner`,
            });
          };
          // A drill reports failures instead of stopping at the first: the report step gives the verdict.
          const recover = async (restore: () => Promise<void>) => {
            try {
              const sha = await time("sha256", () => sha256File(archive, ctx.signal));
              checks.push({
                name: "archive sha256",
                ok: sha === manifest.sha256,
                detail: sha === manifest.sha256 ? "matches" : `${sha} ≠ ${manifest.sha256}`,
              });
              await restore();
            } catch (failure) {
              error = describeCommandError(failure);
              ctx.warn(`the recovery FAILED: ${error}`);
            }
            recovered = performance.now();
          };
          if (manifest.format === "plain-sql") {
            // Plain SQL from the embedded PGlite: restored into a throwaway PGlite here (pglite-dump.ts).
            scratch = "an in-memory PGlite in the runbook's process";
            await recover(async () => {
              const started = performance.now();
              await withPlainSqlScratch(
                ctx,
                manifest,
                async (db) => {
                  phases["decrypt and restore SQL"] = Math.round(performance.now() - started) / 1000;
                  ctx.log(`decrypt and restore: ${phases["decrypt and restore SQL"]?.toFixed(2)} s`);
                  await time("sanity", () => sanity(db));
                },
                archive,
              );
            });
          } else
            await withScratchDatabase(ctx, "drill", async (url, name) => {
              scratch = name;
              await recover(async () => {
                const decryptStarted = performance.now();
                // Decryption is part of a real recovery, so it counts towards the RTO (its own phase).
                await withPlainArchive(
                  ctx,
                  manifest,
                  async (plain) => {
                    phases.decrypt = Math.round(performance.now() - decryptStarted) / 1000;
                    await time("pg_restore", () =>
                      runPgTool(ctx, "pg_restore", ["--no-owner", "--exit-on-error", plain], {
                        url,
                        timeoutMs: TOOL_TIMEOUTS.restore,
                      }),
                    );
                  },
                  archive,
                );
                ctx.log(`pg_restore: ${phases.pg_restore?.toFixed(2)} s`);
                await time("sanity", () => withDatabase(url, sanity));
              });
            });
        } finally {
          if (fetched) await rm(fetched, { recursive: true, force: true });
        }
        const rtoSeconds = Math.round((recovered || performance.now()) - clock) / 1000;
        for (const c of checks) ctx.log(`  ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
        ctx.log(
          `recovered in ${rtoSeconds.toFixed(2)} s (RTO); data-loss window ${formatDuration(rpoSeconds)} (RPO)`,
        );
        return {
          source,
          backupId: manifest.id,
          backupCreatedAt: manifest.createdAt,
          scratch,
          declaredAt: declared.toISOString(),
          recoveredAt: new Date(declared.getTime() + rtoSeconds * 1000).toISOString(),
          rtoSeconds,
          rpoSeconds,
          phases,
          checks,
          error,
        };
      },
    }),
    step({
      id: "report",
      title: "Write the drill report and judge it against the objectives",
      description: `Writes drill-<time>.md under the runbook's artifacts; fails if the restore failed or RTO/RPO exceed ${BACKUP_POLICY.rtoMinutes}/${BACKUP_POLICY.rpoMinutes} min.`,
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        const d = ctx.result<DrillRestore>("restore-scratch");
        const rtoOk = d.rtoSeconds <= BACKUP_POLICY.rtoMinutes * 60;
        const rpoOk = d.rpoSeconds <= BACKUP_POLICY.rpoMinutes * 60;
        const failedChecks = d.checks.filter((c) => !c.ok);
        const ok = d.error === null && failedChecks.length === 0 && rtoOk && rpoOk;
        const file = path.join(
          ctx.artifactsDir,
          `drill-${d.declaredAt.replace(/[-:]/g, "").replace(/\..+/, "Z")}-${ctx.env.name}.md`,
        );
        const lines = [
          `# Disaster-recovery drill: ${ctx.env.name}, ${d.declaredAt}`,
          "",
          `Verdict: **${ok ? "PASSED" : "FAILED"}**`,
          "",
          "| Objective | Measured | Policy | Met |",
          "|---|---|---|---|",
          `| RTO (declared → checked copy) | ${formatDuration(d.rtoSeconds)} | ${BACKUP_POLICY.rtoMinutes} min | ${rtoOk ? "yes" : "no"} |`,
          `| RPO (declared − backup time) | ${formatDuration(d.rpoSeconds)} | ${BACKUP_POLICY.rpoMinutes} min | ${rpoOk ? "yes" : "no"} |`,
          "",
          `- Backup: ${d.backupId}, taken ${d.backupCreatedAt}, read from the ${d.source ?? "local backup directory"}`,
          `- Run: ${ctx.runId}`,
          `- Scratch database: ${d.scratch} (dropped)`,
          `- Phases: ${Object.entries(d.phases)
            .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
            .join(", ")}`,
          ...(d.error ? [`- Restore error: ${d.error}`] : []),
          "",
          "## Checks",
          "",
          ...(d.checks.length
            ? d.checks.map((c) => `- ${c.ok ? "ok" : "**FAILED**"}: ${c.name}: ${c.detail}`)
            : ["- none ran"]),
          "",
          "The RTO measured here covers the data only: a real recovery adds pointing the app at the",
          'restored database and restarting it (Deployment Playbook, "Disaster recovery").',
          "",
        ];
        await writeFile(file, lines.join("\n"));
        ctx.log(`drill report: ${file}`);
        ctx.log(
          `RTO ${formatDuration(d.rtoSeconds)} (objective ${BACKUP_POLICY.rtoMinutes} min): ${rtoOk ? "met" : "MISSED"}`,
        );
        ctx.log(
          `RPO ${formatDuration(d.rpoSeconds)} (objective ${BACKUP_POLICY.rpoMinutes} min): ${rpoOk ? "met" : "MISSED"}`,
        );
        if (!ok) {
          const why = [
            ...(d.error ? [`the restore failed (${d.error})`] : []),
            ...failedChecks.map((c) => `${c.name}: ${c.detail}`),
            ...(rtoOk ? [] : [`RTO ${formatDuration(d.rtoSeconds)} exceeds ${BACKUP_POLICY.rtoMinutes} min`]),
            ...(rpoOk
              ? []
              : [
                  `RPO ${formatDuration(d.rpoSeconds)} exceeds ${BACKUP_POLICY.rpoMinutes} min: backups are too old, check the nightly backup-now`,
                ]),
          ];
          throw new Error(`the drill FAILED: ${why.join("; ")}. Report: ${file}`);
        }
        return { report: file, rtoSeconds: d.rtoSeconds, rpoSeconds: d.rpoSeconds, ok };
      },
    }),
  ],
});

function formatDuration(totalSeconds: number): string {
  if (totalSeconds < 120) return `${totalSeconds.toFixed(totalSeconds < 10 ? 2 : 0)} s`;
  const m = Math.round(totalSeconds / 60);
  return m < 120 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
