/**
 * Database migrations: status, apply, roll back
 *
 * Purpose: show which migrations the environment's database has; apply the pending ones; or roll
 *   back the newest ones. Apply and roll back take a pg_dump backup first (into the shared backup
 *   folder, with a manifest restore and verify-backup read), then run the app's migrate CLI
 *   (node-pg-migrate, one transaction) and print the status after.
 * Sent here by: the Deployment Playbook ("Database migration procedures"); the app refusing to
 *   start with exit code 3 ("missing N migration(s)"); /readyz reporting pending migrations; a
 *   release whose migration must be undone.
 * Preconditions: the environment's DATABASE_URL reachable from here; pg_dump installed (major
 *   version at least the server's); this checkout holds the migrations of the release you deploy.
 * Blast radius: apply changes the schema every app instance uses (migrations are expand-only, so
 *   the running release keeps working). Rollback is destructive: it drops what the migrations
 *   added (columns, tables and their data); the release that needs them fails until they are
 *   applied again. The backup taken first is the way back.
 *
 * The rollback step is destructive, so every run of the whole runbook asks for confirmation (or
 * --yes), also for action=status. For a look without prompt or lock:
 *   npm run runbook -- migrate-database --step status
 */
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import {
  type BackupResult,
  describeMigrations,
  MIGRATE_CLI,
  type MigrationState,
  migrateCli,
  takeBackup,
} from "./_lib.ts";

export default defineRunbook({
  id: "migrate-database",
  title: "Migrate the database",
  summary:
    "Shows applied and pending migrations; applies pending ones or rolls back the newest, after a pg_dump backup.",
  guide: "deployment-playbook",
  section: "Database migration procedures",
  // Its steps run the app's migration CLI (deployment/_lib.ts migrateCli) with node.
  executes: ["../../practice-app/src/db/migrate-cli.ts"],
  params: z.object({
    action: z
      .enum(["status", "apply", "rollback"])
      .default("status")
      .describe(
        "status: only show; apply: back up, then apply pending migrations; rollback: back up, then undo the newest",
      ),
    count: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe("How many migrations to apply (default: all pending) or roll back (default: 1)"),
    skipBackup: z
      .boolean()
      .default(false)
      .describe("Do not take a backup first (only when one was taken minutes ago, e.g. by backup-now)"),
  }),
  steps: (step) => [
    step({
      id: "status",
      title: "Migration status",
      description:
        "The migrate CLI's status against the environment: applied, pending, unknown to this code.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const state = await migrateCli(ctx, ["status"], MIGRATE_CLI);
        ctx.log(`${ctx.env.name}: ${describeMigrations(state)}`);
        if (state.unknown.length > 0) {
          ctx.warn(
            `the database has migrations this checkout does not know (${state.unknown.join(", ")}): it is ahead of this code. Rolling back from here cannot undo those`,
          );
        }
        const { applied, pending, unknown } = state;
        return { applied, pending, unknown };
      },
    }),
    step({
      id: "backup",
      title: "Back up the database",
      description: "pg_dump -Fc into the shared backup folder with a manifest, before apply or rollback.",
      danger: "change",
      timeoutMs: minutes(15),
      plan(ctx) {
        if (ctx.params.action === "status") return ["nothing: action is status"];
        if (ctx.params.skipBackup) return ["nothing: skipBackup is set"];
        return [`would pg_dump ${ctx.env.name} into the backup folder and write its manifest`];
      },
      async run(ctx) {
        const state = ctx.result<MigrationState>("status");
        if (ctx.params.action === "status") {
          ctx.log("nothing to back up: action is status");
          return { skipped: "status" };
        }
        if (ctx.params.action === "apply" && state.pending.length === 0) {
          ctx.log("nothing pending: no backup needed");
          return { skipped: "nothing pending" };
        }
        if (ctx.params.action === "rollback" && (ctx.params.count ?? 1) > state.applied.length) {
          throw new Error(
            `cannot roll back ${ctx.params.count ?? 1} migration(s): ${ctx.env.name} has ${state.applied.length} applied that this checkout knows; nothing was changed`,
          );
        }
        if (ctx.params.skipBackup) {
          ctx.warn("no backup taken (skipBackup): the way back is the backup you took before");
          return { skipped: "skipBackup" };
        }
        const backup = await takeBackup(
          ctx,
          ctx.params.action === "apply" ? "applying migrations" : "rolling back migrations",
        );
        return backup ?? { skipped: "PGlite cannot be dumped" };
      },
    }),
    step({
      id: "apply",
      title: "Apply pending migrations",
      description: "migrate CLI up [count]: pending migrations in one transaction.",
      danger: "change",
      timeoutMs: minutes(10),
      plan(ctx) {
        if (ctx.params.action !== "apply") return [`nothing: action is ${ctx.params.action}`];
        const pending = ctx.result<MigrationState>("status").pending;
        const todo = pending.slice(0, ctx.params.count ?? pending.length);
        return todo.length === 0
          ? ["nothing: no pending migrations"]
          : todo.map((name) => `would apply ${name}`);
      },
      async run(ctx) {
        if (ctx.params.action !== "apply") {
          ctx.log(`nothing to apply: action is ${ctx.params.action}`);
          return { skipped: ctx.params.action };
        }
        const before = ctx.result<MigrationState>("status");
        if (before.pending.length === 0) {
          ctx.log("nothing to apply: the database is up to date");
          return { applied: [] as string[] };
        }
        const started = Date.now();
        const args = ctx.params.count ? ["up", String(ctx.params.count)] : ["up"];
        const after = await migrateCli(ctx, args, MIGRATE_CLI);
        const ran = before.pending.filter((name) => after.applied.includes(name));
        ctx.log(
          `applied ${ran.length} migration(s) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${ran.join(", ")}`,
        );
        return { applied: ran };
      },
    }),
    step({
      id: "rollback",
      title: "Roll back the newest migrations",
      description:
        "migrate CLI down <count> (default 1): drops what those migrations added, in one transaction.",
      danger: "destructive",
      timeoutMs: minutes(10),
      plan(ctx) {
        if (ctx.params.action !== "rollback") return [`nothing: action is ${ctx.params.action}`];
        const applied = ctx.result<MigrationState>("status").applied;
        return applied
          .slice(-(ctx.params.count ?? 1))
          .reverse()
          .map((name) => `would roll back ${name} (its Down Migration runs; what it added is dropped)`);
      },
      async run(ctx) {
        if (ctx.params.action !== "rollback") {
          ctx.log(`nothing to roll back: action is ${ctx.params.action}`);
          return { skipped: ctx.params.action };
        }
        const before = ctx.result<MigrationState>("status");
        const count = ctx.params.count ?? 1;
        if (count > before.applied.length) {
          throw new Error(
            `count ${count} is more than the ${before.applied.length} applied migration(s) this checkout knows; nothing was rolled back`,
          );
        }
        const backup = ctx.result<BackupResult | { skipped: string }>("backup");
        const started = Date.now();
        const after = await migrateCli(ctx, ["down", String(count)], MIGRATE_CLI);
        const undone = before.applied.filter((name) => !after.applied.includes(name));
        ctx.log(
          `rolled back ${undone.length} migration(s) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${undone.join(", ")}`,
        );
        if ("id" in backup) ctx.log(`the data as it was before is in backup ${backup.id} (restore runbook)`);
        ctx.warn(
          "a release that needs these migrations now fails (its /readyz reports them pending): deploy an older release or apply again",
        );
        return { rolledBack: undone };
      },
    }),
    step({
      id: "final-status",
      title: "Status after",
      description: "The migrate CLI's status again, checked against what the action should have done.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const before = ctx.result<MigrationState>("status");
        const after = await migrateCli(ctx, ["status"], MIGRATE_CLI);
        ctx.log(`${ctx.env.name} now: ${describeMigrations(after)}`);
        if (ctx.params.action === "apply") {
          const expected = Math.max(0, before.pending.length - (ctx.params.count ?? before.pending.length));
          if (after.pending.length !== expected) {
            throw new Error(
              `expected ${expected} pending migration(s) after apply, found ${after.pending.length} (${after.pending.join(", ")}): read the apply output above`,
            );
          }
        }
        if (ctx.params.action === "rollback") {
          const expected = before.applied.length - (ctx.params.count ?? 1);
          if (after.applied.length !== expected) {
            throw new Error(
              `expected ${expected} applied migration(s) after rollback, found ${after.applied.length}: read the rollback output above`,
            );
          }
        }
        const { applied, pending, unknown } = after;
        return { applied, pending, unknown };
      },
    }),
  ],
});
