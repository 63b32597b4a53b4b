/**
 * Restore the database from a backup
 *
 * Purpose: put a backup back into the environment's database (pg_restore --clean, one
 *   transaction) without undoing security or operators' switches: logouts and password changes
 *   made after the backup are recorded first and re-applied afterwards, any session the backup
 *   would bring back that was no longer valid before the restore is revoked, and the operator
 *   switches (app_flags, e.g. maintenance mode) stay as they were. A restore never resurrects a
 *   logged-out session or an old password, and never switches maintenance mode off by itself.
 * Sent here by: data loss or corruption (a bad migration, a bulk delete, a broken deploy) when
 *   rolling forward is not possible (Deployment Playbook, "Disaster recovery"); the dr-drill.
 * Preconditions: a backup of this environment, verified by verify-backup (or requireVerified=false);
 *   the database exists (createdb it first if it was dropped); the role in DATABASE_URL owns the
 *   tables or is a superuser, and may terminate the app's connections; announce the outage, and
 *   switch maintenance mode on (maintenance-mode) if learners must not write meanwhile.
 * Blast radius: the whole database. Every write since the backup is lost (except the logouts and
 *   password changes carried over); the app's connections are cut; while pg_restore runs, queries
 *   wait on its locks (the app answers slowly or 503). The leaderboard cache in Redis is rebuilt.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { keysFor } from "../lib/backup-keys.ts";
import {
  archivePath,
  type BackupManifest,
  backupRef,
  findBackup,
  fingerprintTables,
  hoursSince,
  sequenceHeadroom,
  sha256File,
  TOOL_TIMEOUTS,
  withDatabase,
  withPlainArchive,
} from "../lib/backups.ts";
import { mib } from "../lib/format.ts";
import { runPgTool } from "../lib/pg-tools.ts";
import { restorableSql } from "../lib/pglite-dump.ts";

/**
 * How far before the backup's time a logout or password change still counts as "after the backup".
 * A transaction that started before the snapshot but committed after it carries an older timestamp
 * and is not in the backup; re-applying something the backup already has changes nothing.
 */
const CARRY_OVER_MARGIN = "10 minutes";

/**
 * Tables that hold operators' current switches, not learners' data: a restore keeps their rows as
 * they are now instead of rolling them back (maintenance mode must not switch off mid-restore).
 */
const OPERATOR_STATE_TABLES = ["app_flags"];

interface CarriedOver {
  /** Logouts after the backup: token hash (hex), learner, when. */
  revocations: Array<{ tokenHash: string; learnerId: string; revokedAt: string }>;
  /** Password changes after the backup. Kept only in this run's state; never printed. */
  passwordChanges: Array<{ learnerId: string; passwordHash: string; changedAt: string }>;
  /** Token hashes (hex) of the sessions valid now that the backup can hold; null if the data is lost. */
  liveSessions: string[] | null;
  /** Rows of each operator-state table as they are now (null: the table does not exist). */
  operatorState: Record<string, unknown[] | null>;
  recordedAt: string;
}

export default defineRunbook({
  id: "restore",
  title: "Restore the database from a backup",
  summary:
    "Replaces the environment's database with a backup, carrying logouts and password changes made since the backup over, then verifies rows and readiness.",
  guide: "deployment-playbook",
  section: "Disaster recovery",
  params: z.object({
    backup: backupRef.describe(
      'The backup to restore: its id (e.g. 20261125T213000Z-3fa1c2) or "latest"; no default, say which',
    ),
    requireVerified: z
      .boolean()
      .default(true)
      .describe(
        "Refuse a backup that verify-backup has not verified (run verify-backup first, a few minutes)",
      ),
    currentDataLost: z
      .boolean()
      .default(false)
      .describe(
        "The current database is gone or unreadable: restore without carrying logouts and password changes over (then rotate the session secret)",
      ),
  }),
  steps: (step) => [
    step({
      id: "locate",
      title: "Find the backup and compare it with the database",
      description:
        "Reads the manifest, checks verification and migrations, shows rows now against rows in the backup.",
      danger: "read",
      timeoutMs: seconds(90),
      async run(ctx) {
        const manifest = await findBackup(ctx.env.name, ctx.params.backup);
        const hours = hoursSince(manifest.createdAt);
        ctx.log(
          `backup ${manifest.id}: taken ${manifest.createdAt} (${hours.toFixed(1)} h ago), ${mib(manifest.sizeBytes, 2)} MiB, from database ${manifest.database ?? "?"}`,
        );
        if (manifest.encryption) {
          // Checked first: without the key nothing below matters, and nothing has changed yet.
          const keys = await keysFor(archivePath(ctx.env.name, manifest), manifest.encryption);
          ctx.log(`encrypted with age to ${manifest.encryption.recipient}: its identity is in ${keys.file}`);
        }
        if (manifest.env !== ctx.env.name)
          ctx.warn(
            `this backup was taken from ${manifest.env}, not ${ctx.env.name}: its learners and sessions replace ${ctx.env.name}'s`,
          );
        if (manifest.verification?.ok)
          ctx.log(`verified ${manifest.verifiedAt}: ${manifest.verification.detail}`);
        else {
          const state = manifest.verification
            ? `its verification FAILED (${manifest.verification.detail})`
            : "it was never verified";
          if (ctx.params.requireVerified)
            throw new Error(
              `backup ${manifest.id} is not verified: ${state}. Run verify-backup --param backup=${manifest.id} first, or pass --param requireVerified=false if there is no time`,
            );
          ctx.warn(`restoring a backup that is not verified: ${state}`);
        }
        if (ctx.params.currentDataLost) {
          ctx.warn("currentDataLost: the current database is not read; nothing is carried over");
          return { id: manifest.id, createdAt: manifest.createdAt, current: null };
        }
        const current: Record<string, number | null> = {};
        for (const table of Object.keys(manifest.tables)) {
          try {
            const [row] = await ctx.sql<{ n: string }>(
              `SELECT count(*)::bigint AS n FROM public."${table.replaceAll('"', '""')}"`,
            );
            current[table] = Number(row?.n ?? 0);
          } catch (error) {
            // 42P01: the table is gone (dropped by mistake), which is what a restore is for.
            if ((error as { code?: string }).code !== "42P01") throw error;
            current[table] = null;
          }
        }
        const extra = (
          await ctx.sql<{ name: string }>(
            "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'public'",
          )
        )
          .map((r) => r.name)
          .filter((name) => !(name in manifest.tables));
        if (extra.length > 0)
          ctx.warn(
            `tables created since the backup are not in it and stay as they are: ${extra.join(", ")}. The restored pgmigrations will not list the migrations that created them: drop those tables (keep what you need first) before running the migrations again`,
          );
        ctx.table({
          title: "Rows now and in the backup",
          columns: [
            "table",
            { key: "now", label: "rows now", align: "right" },
            { key: "backup", label: "in backup" },
          ],
          rows: Object.entries(manifest.tables).map(([table, fp]) => ({
            table,
            now: String(current[table] ?? "missing"),
            backup: fp.rows,
          })),
        });
        const migrations = await ctx
          .sql<{ name: string }>("SELECT name FROM pgmigrations ORDER BY run_on, id")
          .then((rows) => rows.map((r) => r.name))
          .catch((error: { code?: string }) => {
            // 42P01: pgmigrations itself is gone (the kind of loss a restore repairs): none applied.
            if (error.code === "42P01") return [] as string[];
            throw error;
          });
        const inBackup = manifest.migrations ?? [];
        const newer = migrations.filter((m) => !inBackup.includes(m));
        const older = inBackup.filter((m) => !migrations.includes(m));
        if (newer.length > 0)
          ctx.warn(
            `migrations applied since the backup: ${newer.join(", ")}; after the restore the schema is older than the release and /readyz reports them pending: run the migrations (npm run db:migrate -- up) afterwards`,
          );
        if (older.length > 0)
          ctx.warn(
            `the backup has migrations this database does not: ${older.join(", ")}; the running release may not know its schema`,
          );
        return { id: manifest.id, createdAt: manifest.createdAt, current };
      },
    }),
    step({
      id: "record-security-changes",
      title: "Record logouts and password changes made after the backup",
      description:
        "Sessions revoked and passwords changed since the backup, and the sessions valid now, so the restore cannot undo them.",
      danger: "read",
      timeoutMs: seconds(60),
      async run(ctx) {
        const { createdAt } = ctx.result<{ createdAt: string }>("locate");
        if (ctx.params.currentDataLost) {
          ctx.warn(
            "nothing recorded (currentDataLost): sessions logged out after the backup come back; rotate the session secret after the restore so no old token is accepted",
          );
          return null;
        }
        const carried = await recordSecurityChanges(ctx, createdAt);
        ctx.log(
          `logouts after the backup: ${carried.revocations.length} (learners ${unique(carried.revocations.map((r) => r.learnerId)).join(", ") || "none"})`,
        );
        ctx.log(
          `password changes after the backup: ${carried.passwordChanges.length} (learners ${carried.passwordChanges.map((p) => p.learnerId).join(", ") || "none"})`,
        );
        ctx.log(
          `sessions valid now that the backup can hold: ${carried.liveSessions?.length ?? 0}; any other session the backup brings back is revoked after the restore`,
        );
        for (const [table, rows] of Object.entries(carried.operatorState))
          ctx.log(
            rows === null
              ? `operator switches: no ${table} table`
              : `operator switches kept as they are now: ${table}, ${rows.length} row(s)${describeFlags(rows)}`,
          );
        return carried;
      },
    }),
    step({
      id: "restore",
      title: "Replace the database with the backup",
      description:
        "Checks the sha256, decrypts the archive to a temporary 0600 file, cuts the other connections, pg_restore --clean --if-exists --no-owner in one transaction.",
      danger: "destructive",
      timeoutMs: minutes(60),
      async plan(ctx) {
        const located = ctx.result<{
          id: string;
          createdAt: string;
          current: Record<string, number | null> | null;
        }>("locate");
        const manifest = await findBackup(ctx.env.name, located.id);
        const carried = ctx.result<CarriedOver | null>("record-security-changes");
        const [conn] = await ctx.sql<{ n: number; db: string }>(
          "SELECT count(*)::int AS n, current_database() AS db FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        );
        return [
          `would terminate the ${conn?.n ?? "?"} other connection(s) to ${conn?.db ?? "the database"} (the app reconnects by itself)`,
          `would drop and recreate every table of the backup from ${manifest.id}, taken ${manifest.createdAt} (${hoursSince(manifest.createdAt).toFixed(1)} h ago): every write since then is lost`,
          ...Object.entries(manifest.tables).map(
            ([table, fp]) =>
              `  ${table}: ${located.current ? (located.current[table] ?? "missing") : "?"} rows now → ${fp.rows} from the backup`,
          ),
          carried
            ? `would carry over ${carried.revocations.length} logout(s) and ${carried.passwordChanges.length} password change(s) made since the backup (re-applied by the next step)`
            : "would carry nothing over (currentDataLost): rotate the session secret afterwards",
          ...(carried
            ? Object.entries(carried.operatorState)
                .filter(([, rows]) => rows !== null)
                .map(
                  ([table, rows]) =>
                    `would keep ${table} as it is now (${rows?.length} row(s)${describeFlags(rows ?? [])})`,
                )
            : []),
        ];
      },
      async run(ctx) {
        const { id } = ctx.result<{ id: string }>("locate");
        const manifest = await findBackup(ctx.env.name, id);
        const archive = archivePath(ctx.env.name, manifest);
        const actual = await sha256File(archive, ctx.signal);
        if (actual !== manifest.sha256)
          throw new Error(
            `archive ${archive} is corrupt (sha256 ${actual}, manifest ${manifest.sha256}); nothing was changed. Restore an older backup`,
          );
        ctx.log(`sha256 ok (${mib(manifest.sizeBytes, 2)} MiB)`);

        // Decrypted first: the app keeps its connections while the archive is read.
        return withPlainArchive(ctx, manifest, async (plain) => {
          // Record again right before the restore: logouts since the previous step (or since the run
          // that is being resumed) are carried over too. The union is safe: re-applying is idempotent.
          const earlier = ctx.result<CarriedOver | null>("record-security-changes");
          const carried = earlier
            ? merge(earlier, await recordSecurityChanges(ctx, manifest.createdAt))
            : null;
          const [start] = await ctx.sql<{ at: string }>(
            "SELECT to_json(statement_timestamp()) #>> '{}' AS at",
          );

          try {
            const [row] = await ctx.sql<{ n: number }>(
              `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
            );
            ctx.log(`terminated ${row?.n ?? 0} other connection(s)`);
          } catch (error) {
            // Without the right to terminate them (not superuser, not pg_signal_backend), pg_restore
            // still works: it waits for their locks. Say so and go on.
            ctx.warn(
              `could not terminate other connections (${(error as Error).message}); the restore waits for their locks`,
            );
          }
          const started = performance.now();
          if (manifest.format === "plain-sql") {
            // Plain SQL from the embedded PGlite (pglite-dump.ts): DROP … IF EXISTS and CREATE, in one
            // transaction whose settings end with it, sent as one query (no psql needed).
            const sql = restorableSql(await readFile(plain, "utf8"));
            await withDatabase(ctx.env.databaseUrl, (db) => db.query(sql), {
              signal: ctx.signal,
              applicationName: "runbook restore",
            });
          } else
            await runPgTool(
              ctx,
              "pg_restore",
              ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", plain],
              {
                url: ctx.env.databaseUrl,
                timeoutMs: TOOL_TIMEOUTS.restore,
                timeoutHint:
                  "pg_restore may be waiting for a lock the app's connections hold; in one transaction nothing was changed. Stop the app (or switch maintenance mode on) and run this step again",
              },
            );
          const restoreSeconds = Math.round((performance.now() - started) / 10) / 100;
          ctx.log(
            `${manifest.format === "plain-sql" ? "the SQL restore" : "pg_restore"} finished in ${restoreSeconds.toFixed(2)} s: the database is now backup ${manifest.id}`,
          );
          return { id, restoreSeconds, restoreStartedAt: start?.at ?? new Date().toISOString(), carried };
        });
      },
    }),
    step({
      id: "reapply-carried-over",
      title: "Re-apply operator switches, logouts and password changes; revoke stale sessions",
      description:
        "In one transaction: app_flags as before the restore, revoked_at and password hashes as recorded; idempotent.",
      danger: "change",
      timeoutMs: minutes(5),
      plan(ctx) {
        const carried = ctx.result<CarriedOver | null>("record-security-changes");
        if (!carried) return ["would re-apply nothing (currentDataLost)"];
        return [
          `would put back ${Object.keys(carried.operatorState).join(", ")} as before the restore`,
          `would re-apply ${carried.revocations.length} logout(s) and ${carried.passwordChanges.length} password change(s)`,
          "would revoke every session the backup brings back that was not valid just before the restore",
        ];
      },
      async run(ctx) {
        const { carried, restoreStartedAt } = ctx.result<{
          carried: CarriedOver | null;
          restoreStartedAt: string;
        }>("restore");
        const { createdAt } = ctx.result<{ createdAt: string }>("locate");
        if (!carried) {
          ctx.warn(
            "nothing carried over (currentDataLost): every session in the backup is valid again and app_flags is as in the backup. Rotate the session secret now (runbook rotate-session-secret) so learners log in again, and check maintenance-mode status",
          );
          return { revocations: 0, passwords: 0, revokedSessions: 0, touched: [] as string[] };
        }
        // One transaction: all of it or nothing, so a failed run resumed from here starts clean. Every
        // statement is idempotent too: running this step twice changes nothing the second time.
        const outcome = await withDatabase(
          ctx.env.databaseUrl,
          async (db) => {
            await db.query("BEGIN");
            const touched: string[] = [];
            for (const [table, rows] of Object.entries(carried.operatorState)) {
              if (rows === null) continue;
              const t = `public.${db.escapeIdentifier(table)}`;
              try {
                await db.query("SAVEPOINT operator_state");
                await db.query(`DELETE FROM ${t}`);
                await db.query(
                  `INSERT INTO ${t} SELECT * FROM json_populate_recordset(NULL::${t}, $1::json)`,
                  [JSON.stringify(rows)],
                );
                await db.query("RELEASE SAVEPOINT operator_state");
                touched.push(table);
                ctx.log(
                  `${table}: put back as before the restore (${rows.length} row(s)${describeFlags(rows)})`,
                );
              } catch (error) {
                // 42P01: the backup predates the table (its migration is pending now). Nothing to put
                // back into; the switches are lost, and the operator must set them again.
                if ((error as { code?: string }).code !== "42P01") throw error;
                await db.query("ROLLBACK TO SAVEPOINT operator_state");
                ctx.warn(
                  `${table} is not in the backup: its ${rows.length} row(s) could not be put back; set them again after migrating`,
                );
              }
            }
            // Logouts first, with their original time; the sweep below would otherwise stamp them now().
            const revoked = await db.query(
              `WITH v AS (SELECT decode(h, 'hex') AS token_hash, r::timestamptz AS revoked_at
                            FROM unnest($1::text[], $2::text[]) AS u(h, r))
               UPDATE sessions s SET revoked_at = v.revoked_at FROM v
                WHERE s.token_hash = v.token_hash AND s.revoked_at IS NULL`,
              [carried.revocations.map((r) => r.tokenHash), carried.revocations.map((r) => r.revokedAt)],
            );
            const passwords = await db.query(
              `WITH v AS (SELECT id::bigint AS id, h AS password_hash, c::timestamptz AS changed
                            FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, h, c))
               UPDATE learners l SET password_hash = v.password_hash, password_changed_at = v.changed FROM v
                WHERE l.id = v.id AND l.password_changed_at < v.changed`,
              [
                carried.passwordChanges.map((p) => p.learnerId),
                carried.passwordChanges.map((p) => p.passwordHash),
                carried.passwordChanges.map((p) => p.changedAt),
              ],
            );
            // Sessions from the backup (created before it, and before the restore began) that were not
            // valid just before the restore: revoked, expired or deleted since (a purge, an account
            // deletion). Sessions opened after the restore are newer and untouched.
            const swept = await db.query<{ learner_id: string }>(
              `UPDATE sessions SET revoked_at = now()
                WHERE revoked_at IS NULL AND expires_at > now()
                  AND created_at <= least($2::timestamptz + $3::interval, $4::timestamptz)
                  AND NOT (encode(token_hash, 'hex') = ANY($1::text[]))
               RETURNING learner_id`,
              [carried.liveSessions ?? [], createdAt, CARRY_OVER_MARGIN, restoreStartedAt],
            );
            await db.query("COMMIT");
            const sweptLearners = new Set(swept.rows.map((r) => r.learner_id)).size;
            if ((revoked.rowCount ?? 0) + (swept.rowCount ?? 0) > 0) touched.push("sessions");
            if ((passwords.rowCount ?? 0) > 0) touched.push("learners");
            return {
              revocations: revoked.rowCount ?? 0,
              passwords: passwords.rowCount ?? 0,
              revokedSessions: swept.rowCount ?? 0,
              sweptLearners,
              touched,
            };
          },
          { signal: ctx.signal, applicationName: "runbook restore", statementTimeoutMs: minutes(4) },
        );
        ctx.log(`logouts re-applied: ${outcome.revocations} of ${carried.revocations.length} recorded`);
        ctx.log(
          `password changes re-applied: ${outcome.passwords} of ${carried.passwordChanges.length} recorded`,
        );
        ctx.log(
          `sessions from the backup that were no longer valid, revoked now: ${outcome.revokedSessions} (${outcome.sweptLearners} learner(s) log in again)`,
        );
        return outcome;
      },
    }),
    step({
      id: "reset-caches",
      title: "Drop the leaderboard cache",
      description: "Deletes <prefix>leaderboard in Redis so the app rebuilds it from the restored scores.",
      danger: "change",
      timeoutMs: seconds(15),
      plan(ctx) {
        return [
          ctx.env.redisUrl
            ? `would delete ${ctx.env.redisPrefix}leaderboard in Redis (the app rebuilds it on the next read)`
            : "nothing: this environment runs without Redis",
        ];
      },
      async run(ctx) {
        if (!ctx.env.redisUrl) {
          ctx.log("this environment runs without Redis: no cache to reset");
          return { deleted: 0 };
        }
        const key = `${ctx.env.redisPrefix}leaderboard`;
        try {
          const deleted = await ctx.redis().del(key, `${key}:rebuild`);
          ctx.log(
            `deleted ${deleted} key(s) (${key}); the app rebuilds the board from PostgreSQL on the next read`,
          );
          return { deleted };
        } catch (error) {
          // Redis down is a degraded mode the app survives; the board's own expiry ends the staleness.
          ctx.warn(
            `could not reach Redis (${(error as Error).message}): the leaderboard may show pre-restore scores until its key expires; delete ${key} when Redis is back`,
          );
          return { deleted: 0 };
        }
      },
    }),
    step({
      id: "verify",
      title: "Verify rows, sequences and readiness",
      description:
        "Row counts and hashes against the manifest, sequences ahead of their columns, GET /readyz is 200.",
      danger: "read",
      timeoutMs: minutes(10),
      async run(ctx) {
        const { id } = ctx.result<{ id: string }>("restore");
        const { touched } = ctx.result<{ touched: string[] }>("reapply-carried-over");
        const manifest: BackupManifest = await findBackup(ctx.env.name, id);
        const { tables, headroom } = await withDatabase(
          ctx.env.databaseUrl,
          async (db) => ({ tables: await fingerprintTables(db), headroom: await sequenceHeadroom(db) }),
          { signal: ctx.signal, applicationName: "runbook restore" },
        );
        const problems: string[] = [];
        for (const [table, expected] of Object.entries(manifest.tables)) {
          const got = tables[table];
          if (!got) {
            problems.push(`table ${table} is missing`);
            continue;
          }
          let verdict = "as in the backup";
          if (got.rows < expected.rows) {
            verdict = `FEWER rows than the backup (${expected.rows})`;
            problems.push(`table ${table} has ${got.rows} rows, the backup ${expected.rows}`);
          } else if (got.rows > expected.rows) {
            // Only writes after the restore add rows to a --clean restore: the app is serving again.
            verdict = `${got.rows - expected.rows} more than the backup: written since the restore`;
            ctx.warn(`${table}: ${verdict}`);
          } else if (got.hash !== expected.hash) {
            verdict = touched.includes(table)
              ? "same count; rows updated by the re-applied logouts/passwords"
              : "same count; rows changed since the restore";
          }
          ctx.log(`  ${table.padEnd(14)} ${String(got.rows).padStart(9)} rows  ${verdict}`);
        }
        for (const h of headroom) {
          if (h.sequenceValue < h.maxValue)
            problems.push(
              `sequence ${h.sequence} is at ${h.sequenceValue} but ${h.table}.${h.column} has ${h.maxValue}: the next insert fails; SELECT setval('${h.sequence}', ${h.maxValue})`,
            );
        }
        ctx.log(
          `sequences ahead of their columns: ${headroom.filter((h) => h.sequenceValue >= h.maxValue).length} of ${headroom.length}`,
        );
        const ready = await ctx.http("/readyz", { timeoutMs: 10_000 });
        const body = (await ready.json().catch(() => ({}))) as {
          status?: string;
          checks?: Record<string, { status: string; error?: string }>;
        };
        ctx.log(`/readyz → ${ready.status} ${body.status ?? ""}`);
        if (ready.status !== 200) {
          const failing = Object.entries(body.checks ?? {})
            .filter(([, c]) => c.status !== "ok" && c.status !== "disabled")
            .map(([name, c]) => `${name}: ${c.error ?? c.status}`);
          problems.push(`the app is not ready after the restore (${failing.join("; ") || ready.status})`);
        }
        if (problems.length > 0) throw new Error(`restore of ${id} needs attention: ${problems.join("; ")}`);
        ctx.log(`restore of ${id} verified: rows as in the backup, sequences ahead, the app is ready`);
        return { id, ready: true };
      },
    }),
  ],
});

async function recordSecurityChanges(
  ctx: Pick<StepContext, "sql">,
  backupCreatedAt: string,
): Promise<CarriedOver> {
  try {
    const revocations = await ctx.sql<CarriedOver["revocations"][number]>(
      `SELECT encode(token_hash, 'hex') AS "tokenHash", learner_id::text AS "learnerId",
              to_json(revoked_at) #>> '{}' AS "revokedAt"
         FROM sessions
        WHERE revoked_at > $1::timestamptz - $2::interval AND created_at <= $1::timestamptz + $2::interval
        ORDER BY revoked_at`,
      [backupCreatedAt, CARRY_OVER_MARGIN],
    );
    // password_changed_at equals created_at until a learner changes the password.
    const passwordChanges = await ctx.sql<CarriedOver["passwordChanges"][number]>(
      `SELECT id::text AS "learnerId", password_hash AS "passwordHash",
              to_json(password_changed_at) #>> '{}' AS "changedAt"
         FROM learners
        WHERE password_changed_at > $1::timestamptz - $2::interval AND password_changed_at > created_at
        ORDER BY id`,
      [backupCreatedAt, CARRY_OVER_MARGIN],
    );
    const live = await ctx.sql<{ h: string }>(
      `SELECT encode(token_hash, 'hex') AS h FROM sessions
        WHERE revoked_at IS NULL AND expires_at > now() AND created_at <= $1::timestamptz + $2::interval`,
      [backupCreatedAt, CARRY_OVER_MARGIN],
    );
    const operatorState: CarriedOver["operatorState"] = {};
    for (const table of OPERATOR_STATE_TABLES) {
      try {
        const [row] = await ctx.sql<{ rows: unknown[] }>(
          `SELECT coalesce(json_agg(t), '[]'::json) AS rows FROM public."${table}" t`,
        );
        operatorState[table] = row?.rows ?? [];
      } catch (error) {
        // 42P01: a schema from before the table existed; there is nothing to keep.
        if ((error as { code?: string }).code !== "42P01") throw error;
        operatorState[table] = null;
      }
    }
    const [now] = await ctx.sql<{ at: string }>("SELECT to_json(statement_timestamp()) #>> '{}' AS at");
    return {
      revocations,
      passwordChanges,
      liveSessions: live.map((r) => r.h),
      operatorState,
      recordedAt: now?.at ?? "",
    };
  } catch (error) {
    // 42P01 / 3D000: the tables or the database are gone. Nothing can be carried over; the operator
    // must say so explicitly, because then every logout since the backup is undone.
    const code = (error as { code?: string }).code;
    if (code === "42P01" || code === "3D000")
      throw new Error(
        `cannot read the current sessions and learners (${(error as Error).message}): if the data is lost, run again with --param currentDataLost=true and rotate the session secret afterwards`,
      );
    throw error;
  }
}

function merge(a: CarriedOver, b: CarriedOver): CarriedOver {
  const revocations = new Map(a.revocations.map((r) => [r.tokenHash, r]));
  for (const r of b.revocations) revocations.set(r.tokenHash, r);
  const passwords = new Map(a.passwordChanges.map((p) => [p.learnerId, p]));
  for (const p of b.passwordChanges) passwords.set(p.learnerId, p);
  // The fresher list of valid sessions wins: a session logged out in between is no longer in it.
  return {
    revocations: [...revocations.values()],
    passwordChanges: [...passwords.values()],
    liveSessions: b.liveSessions,
    operatorState: b.operatorState,
    recordedAt: b.recordedAt,
  };
}

/** ", maintenance ON" when a maintenance flag is among the rows: the one switch an operator must not miss. */
function describeFlags(rows: unknown[]): string {
  const maintenance = rows.find((r) => (r as { name?: string }).name === "maintenance") as
    | { value?: { enabled?: boolean } }
    | undefined;
  return maintenance ? `, maintenance ${maintenance.value?.enabled ? "ON" : "off"}` : "";
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
