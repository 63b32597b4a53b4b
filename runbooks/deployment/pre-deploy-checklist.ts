/**
 * Pre-deployment checklist
 *
 * Purpose: before a deploy, check everything the Deployment Playbook's checklist asks for and print
 *   it as ✔/✘ items: the git tree is clean and on a branch, the commit to deploy exists, lint and
 *   type-check pass, which migrations the deploy will apply to the environment, the environment is
 *   healthy now, and a verified backup younger than the backup policy's limit exists.
 * Sent here by: the Deployment Playbook ("Pre-deployment checklist"), before running `deploy` or
 *   `migrate-database`; CI before a release.
 * Preconditions: a git checkout of the code to deploy; the environment's app URL and DATABASE_URL
 *   reachable from here; `npm ci` done (lint and type-check run from node_modules).
 * Blast radius: none. Every step only reads (lint and type-check write nothing).
 */
import path from "node:path";
import { z } from "zod";
import { BACKUP_POLICY } from "../../policy/index.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { REPO_ROOT } from "../engine/paths.ts";
import { logReadiness, readiness } from "../lib/app-api.ts";
import { listBackups } from "../lib/backups.ts";
import { describeMigrations, MIGRATE_CLI, migrateCli } from "./_lib.ts";

interface Item {
  item: string;
  ok: boolean;
  /** A failed required item fails the checklist; a failed optional one is printed as a warning. */
  required: boolean;
  detail: string;
}

export default defineRunbook({
  id: "pre-deploy-checklist",
  title: "Pre-deployment checklist",
  summary:
    "Git state, the commit to deploy, lint and type-check, pending migrations, health now and a fresh verified backup, as a ✔/✘ checklist.",
  guide: "deployment-playbook",
  section: "Pre-deployment checklist",
  // Its steps run npm scripts (lint, typecheck) from this package.json, and the app's migration
  // CLI with node (pending migrations).
  executes: ["../../package.json", "../../practice-app/src/db/migrate-cli.ts"],
  params: z.object({
    ref: z
      .string()
      .min(1)
      .default("HEAD")
      .describe("The git ref (branch, tag or commit) you are about to deploy"),
    allowDirty: z
      .boolean()
      .default(false)
      .describe("dev only: accept uncommitted changes and a detached HEAD (staging and production never do)"),
    skipLintAndTypecheck: z
      .boolean()
      .default(false)
      .describe("Skip `npm run lint` and `npm run typecheck` (10–20 s); CI already ran them on this commit"),
  }),
  steps: (step) => [
    step({
      id: "git",
      title: "Git working tree and the commit to deploy",
      description: "git status, the current branch, and the commit the ref resolves to.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx) {
        const items: Item[] = [];
        const dirtyAllowed = ctx.params.allowDirty && ctx.env.name === "dev";
        if (ctx.params.allowDirty && ctx.env.name !== "dev")
          ctx.warn(`allowDirty is ignored in ${ctx.env.name}: only a committed tree is deployed there`);
        const status = await ctx.$`git -C ${REPO_ROOT} status --porcelain`;
        const changed = status.stdout.split("\n").filter(Boolean).length;
        const branch = (await ctx.$`git -C ${REPO_ROOT} rev-parse --abbrev-ref HEAD`).stdout.trim();
        const onBranch = branch !== "HEAD";
        const clean = changed === 0 && onBranch;
        items.push({
          item: "git working tree clean, on a branch",
          ok: clean || dirtyAllowed,
          required: true,
          detail: `${changed === 0 ? "clean" : `${changed} uncommitted or untracked file(s)`}, ${
            onBranch ? `on branch ${branch}` : "detached HEAD"
          }${!clean && dirtyAllowed ? " (allowed in dev by allowDirty)" : ""}`,
        });
        // An unknown ref is an expected mistake (a typo): record it as a failed item, not a crash.
        const resolved =
          await ctx.$`git -C ${REPO_ROOT} rev-parse --verify --quiet ${`${ctx.params.ref}^{commit}`}`.nothrow();
        const commit = resolved.exitCode === 0 ? resolved.stdout.trim() : null;
        let subject = "";
        if (commit)
          subject = (
            await ctx.$`git -C ${REPO_ROOT} log -1 --format=${"%s (%an, %cr)"} ${commit}`
          ).stdout.trim();
        items.push({
          item: "commit to deploy",
          ok: commit !== null,
          required: true,
          detail: commit
            ? `${ctx.params.ref} = ${commit.slice(0, 12)} ${subject}`
            : `"${ctx.params.ref}" is not a commit in this checkout (git fetch, or check the spelling)`,
        });
        const head = (await ctx.$`git -C ${REPO_ROOT} rev-parse HEAD`).stdout.trim();
        for (const i of items) ctx.log(`${i.ok ? "✔" : "✘"} ${i.item}: ${i.detail}`);
        return { items, commit, head, branch, changedFiles: changed };
      },
    }),
    step({
      id: "lint-typecheck",
      title: "Lint and type-check",
      description:
        "npm run lint (Biome) and npm run typecheck (tsc --noEmit) in this checkout, unless skipped.",
      danger: "read",
      timeoutMs: minutes(4),
      async run(ctx) {
        if (ctx.params.skipLintAndTypecheck) {
          ctx.log("skipped by skipLintAndTypecheck: CI must have run lint and type-check on this commit");
          return { items: [] as Item[], skipped: true };
        }
        const git = ctx.result<{ commit: string | null; head: string; changedFiles: number }>("git");
        // They check the files in this checkout; say so when that is not exactly the commit deployed.
        const scope =
          git.commit === git.head && git.changedFiles === 0
            ? ""
            : " (of this checkout, which is not exactly the commit to deploy)";
        const items: Item[] = [];
        for (const [script, label] of [
          ["lint", "lint (biome check .)"],
          ["typecheck", "type-check (tsc --noEmit)"],
        ] as const) {
          const started = Date.now();
          // A failing check is an expected outcome here: record it, keep going, fail at the end.
          const out = await ctx.$`cd ${REPO_ROOT} && npm run --silent ${script}`.nothrow();
          const secs = ((Date.now() - started) / 1000).toFixed(1);
          const problems = /Found (\d+) errors?/.exec(`${out.stdout}\n${out.stderr}`)?.[1];
          items.push({
            item: label,
            ok: out.exitCode === 0,
            required: true,
            detail:
              out.exitCode === 0
                ? `passed in ${secs} s${scope}`
                : `failed in ${secs} s (exit ${out.exitCode}${problems ? `, ${problems} errors` : ""}): run npm run ${script} and fix${scope}`,
          });
        }
        for (const i of items) ctx.log(`${i.ok ? "✔" : "✘"} ${i.item}: ${i.detail}`);
        return { items, skipped: false };
      },
    }),
    step({
      id: "migrations",
      title: "Migrations the deploy will apply",
      description:
        "Migrate CLI status against the environment, compared with the migration files of the commit to deploy.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const git = ctx.result<{ commit: string | null }>("git");
        let item: Item;
        let pendingForRef: string[] = [];
        try {
          const state = await migrateCli(ctx, ["status"], MIGRATE_CLI);
          ctx.log(`this checkout: ${describeMigrations(state)}`);
          const inDatabase = new Set([...state.applied, ...state.unknown]);
          let refFiles = [...state.applied, ...state.pending];
          if (git.commit) {
            const listing =
              await ctx.$`git -C ${REPO_ROOT} ls-tree --name-only ${git.commit} ${"practice-app/migrations/"}`;
            refFiles = listing.stdout
              .split("\n")
              .filter((f) => f.endsWith(".sql"))
              .map((f) => path.basename(f, ".sql"))
              .sort();
          }
          pendingForRef = refFiles.filter((name) => !inDatabase.has(name));
          const ahead = [...inDatabase].filter((name) => !refFiles.includes(name));
          item = {
            item: "database reachable, migrations known",
            ok: true,
            required: true,
            detail: `${inDatabase.size} applied; the deploy will apply ${pendingForRef.length}${
              pendingForRef.length
                ? ` (${pendingForRef.join(", ")}): migrate-database takes a backup first`
                : ""
            }${ahead.length ? `; the database has ${ahead.length} the commit does not know (${ahead.join(", ")}), allowed: migrations are expand-only` : ""}`,
          };
        } catch (error) {
          // The database not answering is a checklist failure, reported with the others.
          item = {
            item: "database reachable, migrations known",
            ok: false,
            required: true,
            detail: error instanceof Error ? error.message : String(error),
          };
        }
        ctx.log(`${item.ok ? "✔" : "✘"} ${item.item}: ${item.detail}`);
        return { items: [item], pendingForRef };
      },
    }),
    step({
      id: "health",
      title: "The environment is healthy now",
      description: "GET /readyz of the environment: 200 (a degraded Redis is reported, not failed).",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        let item: Item;
        try {
          const ready = await readiness(ctx, ctx.env.appUrl);
          logReadiness(ctx, ready);
          item = {
            item: "environment healthy now",
            ok: ready.httpStatus === 200,
            required: true,
            detail:
              ready.httpStatus === 200
                ? `/readyz 200 ${ready.status}${ready.status === "degraded" ? " (Redis is not ok: the app serves from PostgreSQL)" : ""}`
                : `/readyz ${ready.httpStatus} ${ready.status}: fix it before deploying (see the checks above)`,
          };
        } catch (error) {
          // The app not answering is an expected finding here; the checklist fails on it below.
          item = {
            item: "environment healthy now",
            ok: false,
            required: true,
            detail: `${ctx.env.appUrl}/readyz did not answer (${error instanceof Error ? error.message : String(error)})`,
          };
        }
        ctx.log(`${item.ok ? "✔" : "✘"} ${item.item}: ${item.detail}`);
        return { items: [item] };
      },
    }),
    step({
      id: "backup",
      title: "A fresh verified backup exists",
      description: `The newest verified backup of the environment is younger than ${BACKUP_POLICY.maxAgeHours} h (required outside dev).`,
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const limit = BACKUP_POLICY.maxAgeHours;
        const required = ctx.env.name !== "dev";
        const backups = await listBackups(ctx.env.name);
        const verified = backups.find((b) => b.verification?.ok);
        const hours = verified ? (Date.now() - Date.parse(verified.createdAt)) / 3_600_000 : null;
        const ok = hours !== null && hours <= limit;
        const item: Item = {
          item: `verified backup younger than ${limit} h`,
          ok,
          required,
          detail:
            hours === null
              ? `none among ${backups.length} backup(s) of ${ctx.env.name}: run backup-now, then verify-backup`
              : `${verified?.id}, ${hours.toFixed(1)} h old${ok ? "" : `: older than ${limit} h, run backup-now, then verify-backup`}`,
        };
        if (!ok && !required) item.detail += " (not required in dev)";
        ctx.log(`${ok ? "✔" : "✘"} ${item.item}: ${item.detail}`);
        return { items: [item] };
      },
    }),
    step({
      id: "checklist",
      title: "The checklist",
      description: "Prints every item with ✔ or ✘ and fails if a required item failed.",
      danger: "read",
      timeoutMs: seconds(5),
      run(ctx) {
        const items = ["git", "lint-typecheck", "migrations", "health", "backup"].flatMap(
          (id) => ctx.result<{ items: Item[] }>(id).items,
        );
        const commit = ctx.result<{ commit: string | null }>("git").commit;
        ctx.log(
          `pre-deploy checklist for ${ctx.env.name}, ${ctx.params.ref} = ${commit?.slice(0, 12) ?? "(unknown)"}:`,
        );
        for (const i of items) {
          ctx.log(`  ${i.ok ? "✔" : "✘"} ${i.item}: ${i.detail}${!i.ok && !i.required ? " [warning]" : ""}`);
        }
        if (ctx.params.skipLintAndTypecheck)
          ctx.log("  - lint and type-check: skipped (skipLintAndTypecheck)");
        const failed = items.filter((i) => !i.ok && i.required);
        const warnings = items.filter((i) => !i.ok && !i.required);
        ctx.log(
          `${items.length - failed.length - warnings.length} of ${items.length} items pass; ${failed.length} required item(s) failed, ${warnings.length} warning(s)`,
        );
        for (const w of warnings) ctx.warn(`warning: ${w.item}: ${w.detail}`);
        if (failed.length > 0) {
          throw new Error(
            `not ready to deploy: ${failed.map((i) => i.item).join("; ")}. Fix the ✘ items above and run the checklist again`,
          );
        }
        return { ready: true, commit, items };
      },
    }),
  ],
});
