/**
 * Reseed the exercise bank
 *
 * Purpose: show the exercise bank (active items per bank version), then, as a separate confirmed
 *   step, load it with the app's own seed command (`node practice-app/src/db/seed-cli.ts`, what
 *   `npm run db:seed` runs) as a child process, and check the result. Idempotent: the seed upserts
 *   the items and retires the ones the bank no longer has.
 * Sent here by: the Troubleshooting entry "Exercise bank empty" (`exercises.next` answers 412 "The
 *   exercise bank is empty"; the app logged "the exercise bank is empty: run npm run db:seed").
 * Preconditions: this checkout's practice-app/ is the release the environment runs (the seed loads
 *   this checkout's bank); the database is migrated.
 * Blast radius: the exercises table only (upserts; items missing from the bank are marked
 *   inactive, never deleted, so learners' cards and reviews keep their exercise). The app serves the
 *   new bank version at once; run cache-warm after it to refill the cache.
 */
import path from "node:path";
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { REPO_ROOT } from "../engine/paths.ts";

const SEED_CLI = path.join(REPO_ROOT, "practice-app", "src", "db", "seed-cli.ts");

interface Bank {
  bankVersion: string;
  active: number;
  total: number;
}

export default defineRunbook({
  id: "troubleshoot-exercise-bank",
  title: "Reseed the exercise bank",
  summary: "Shows the exercise bank and reloads it with the app's own seed command (confirmed).",
  guide: "operational-runbook",
  section: "Troubleshooting",
  // Its reseed step runs the app's seed CLI with node.
  executes: ["../../practice-app/src/db/seed-cli.ts"],
  params: z.object({}),
  steps: (step) => [
    step({
      id: "bank-status",
      title: "Active exercises per bank version",
      description: "Counts the exercises per bank version, active and all.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const banks = await ctx.sql<Bank & Record<string, unknown>>(
          `SELECT bank_version AS "bankVersion", count(*) FILTER (WHERE active)::int AS active, count(*)::int AS total
           FROM exercises GROUP BY 1 ORDER BY 1`,
        );
        for (const b of banks) ctx.log(`bank ${b.bankVersion}: ${b.active} active of ${b.total}`);
        const active = banks.reduce((n, b) => n + b.active, 0);
        if (active === 0) ctx.warn('no active exercise: learners get 412 "The exercise bank is empty"');
        else ctx.log(`${active} active exercise(s)`);
        return { banks, active };
      },
    }),
    step({
      id: "seed",
      title: "Load the bank (db:seed)",
      description:
        "Runs the app's seed command as a process, with the environment's DATABASE_URL in its environment.",
      danger: "change",
      timeoutMs: minutes(3),
      plan() {
        return [
          `would run: node ${path.relative(REPO_ROOT, SEED_CLI)} (npm run db:seed) with DATABASE_URL in its environment`,
          "it upserts the bank's items and marks items the bank no longer has inactive",
        ];
      },
      async run(ctx) {
        // DATABASE_URL reaches the child through its environment (ctx.$ sets it), never argv.
        await ctx.$`${process.execPath} ${SEED_CLI}`;
        return { seeded: true };
      },
    }),
    step({
      id: "check-bank",
      title: "Check the bank",
      description: "Counts again; fails if there is still no active exercise.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const [row] = await ctx.sql<{ active: number; version: string | null }>(
          `SELECT count(*) FILTER (WHERE active)::int AS active, max(bank_version) FILTER (WHERE active) AS version FROM exercises`,
        );
        const active = row?.active ?? 0;
        if (active === 0)
          throw new Error(
            "still no active exercise after the seed: read the seed step's output for its error",
          );
        ctx.log(`${active} active exercise(s), bank ${row?.version}; now run cache-warm to refill the cache`);
        return { active };
      },
    }),
  ],
});
