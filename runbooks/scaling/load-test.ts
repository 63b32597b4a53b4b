/**
 * Load test
 *
 * Purpose: runs one load-test profile (load-tests/) against an environment's app: virtual learners
 *   sign up, practise (next, submit, right and wrong answers), check progress and the leaderboard,
 *   and the run is judged against the SLOs in policy/ (p95 of practice calls, error rate,
 *   checks). Uses k6 when it is on PATH, else the same journeys through autocannon. Prints a
 *   progress line every few seconds and keeps the summary (JSON, JUnit, table) with the run, where the page charts it.
 * Sent here by: the Scaling Guide's "Load testing with k6", the monthly capacity review (third
 *   week), a release that touches the hot paths, or planning the next scaling step (breakpoint).
 * Preconditions: the target answers /healthz. Every virtual learner comes from this machine's
 *   address, and the app limits sign-ups per address (RATE_LIMIT_SIGNUP_PER_IP): for more learners
 *   than smoke's, seed them first (npm run db:seed-load-learners -- <peak>) and set LOAD_LEARNERS
 *   to the file, which this runbook passes on to the runner; the target also needs
 *   RATE_LIMIT_LOGIN_PER_IP raised (see load-tests/README.md). Warm the caches first (cache-warm).
 * Blast radius: traffic only, plus throwaway learner accounts loadtest-<run>-<n>-<k>@example.test
 *   (without LOAD_LEARNERS) with their sessions, answers and scores (they appear on the
 *   leaderboard). Refused against production: load-test staging, which is what it is for.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { PROFILE_NAMES, PROFILES, stagesOf, totalSeconds } from "../../load-tests/lib/profiles.ts";
import type { LoadSummary } from "../../load-tests/lib/summary.ts";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { REPO_ROOT } from "../engine/paths.ts";

const RUNNER = path.join(REPO_ROOT, "load-tests/run.ts");

/**
 * The app's default RATE_LIMIT_SIGNUP_PER_IP. A runbook may not import the app's source, so it is
 * written here; tests/runbooks/load-test.test.ts checks it against the app's config schema.
 */
export const DEFAULT_SIGNUPS_PER_ADDRESS = 20;

const params = z.object({
  profile: z
    .enum(PROFILE_NAMES)
    .default("smoke")
    .describe(`The test type: ${PROFILE_NAMES.join(", ")}`),
  full: z
    .boolean()
    .default(false)
    .describe("The documented full-length run (hours for soak and breakpoint) instead of the short one"),
  target: z
    .url({ message: "expected an http:// or https:// URL such as http://127.0.0.1:3000" })
    .optional()
    .describe("Base URL of the app to load (default: the environment's app URL)"),
});

interface Preflight {
  target: string;
  peak: number;
  seconds: number;
}

export default defineRunbook({
  id: "load-test",
  title: "Load test",
  summary:
    "Runs a load-test profile against the environment's app (k6, or autocannon without it) and judges it against the SLOs.",
  guide: "scaling-guide",
  section: "Application scaling",
  // The runner its step starts with node (not imported): hashed with the runbook, refused when changed.
  executes: ["../../load-tests/run.ts"],
  params,
  artifacts: [
    {
      name: "summary",
      title: "Summary: latency, throughput and thresholds over the run",
      file: "{profile}-summary.json",
      mediaType: "application/json",
      viewer: "load-chart",
    },
    {
      name: "table",
      title: "Summary table",
      file: "{profile}-summary.txt",
      mediaType: "text/plain",
      viewer: "text",
    },
    {
      name: "junit",
      title: "Thresholds as JUnit",
      file: "{profile}-junit.xml",
      mediaType: "application/xml",
    },
  ],
  steps: (step) => [
    step({
      id: "preflight",
      title: "Check the target and show the workload",
      description:
        "Refuses production, checks /healthz and /readyz, prints the stages and what the target needs.",
      danger: "read",
      timeoutMs: seconds(20),
      async run(ctx): Promise<Preflight> {
        if (ctx.env.name === "production")
          throw new Error(
            "load tests are not run against production: they create accounts and compete with learners for CPU. Run against staging (--env staging) or pass target=<url> from dev",
          );
        const target = (ctx.params.target ?? ctx.env.appUrl).replace(/\/+$/, "");
        const profile = PROFILES[ctx.params.profile];
        const stages = stagesOf(profile, ctx.params.full ? "full" : "short");
        const peak = Math.max(...stages.map((s) => s.target));
        ctx.log(`profile ${profile.name}: ${profile.question}`);
        ctx.log(
          `${ctx.params.full ? "full" : "short"} variant: ${totalSeconds(stages)} s, up to ${peak} virtual learners, ${profile.thinkTimeS} s think time between calls`,
        );
        for (const [i, s] of stages.entries())
          ctx.log(`  stage ${i + 1}: to ${s.target} learners over ${s.durationS} s`);
        for (const probe of ["/healthz", "/readyz"]) {
          let status: number;
          try {
            status = (await fetch(`${target}${probe}`, { signal: AbortSignal.timeout(5_000) })).status;
          } catch (error) {
            throw new Error(
              `${target}${probe} does not answer (${(error as Error).message}): is the app up? (morning-health-check)`,
            );
          }
          ctx.log(`${target}${probe}: ${status}`);
          if (status !== 200)
            throw new Error(
              `${target}${probe} answered ${status}: load-testing an unready app measures nothing`,
            );
        }
        // The runner reads LOAD_LEARNERS from the environment this process gives its commands.
        const learners = process.env.LOAD_LEARNERS;
        if (learners) ctx.log(`learners: seeded beforehand, from ${learners} (LOAD_LEARNERS): no sign-ups`);
        else if (peak > DEFAULT_SIGNUPS_PER_ADDRESS)
          ctx.warn(
            `${peak} learners would each sign up from this one address, and the app refuses sign-ups past RATE_LIMIT_SIGNUP_PER_IP per address (${DEFAULT_SIGNUPS_PER_ADDRESS} by default) with 429, which count as errors: seed them first with the target's DATABASE_URL and SESSION_SECRET (npm run db:seed-load-learners -- ${peak}) and set LOAD_LEARNERS to the file it writes`,
          );
        if (peak > 40)
          ctx.warn(
            `${peak} learners from one machine: the target needs RATE_LIMIT_LOGIN_PER_IP raised (e.g. 100000), or log-ins after a log-out are refused with 429 and count as errors`,
          );
        return { target, peak, seconds: totalSeconds(stages) };
      },
    }),
    step({
      id: "run",
      title: "Run the load test",
      description:
        "Runs npm run load with the profile against the target; prints progress every few seconds; fails when a threshold fails.",
      danger: "read",
      timeoutMs: minutes(5 * 60),
      async run(ctx): Promise<{ tool: string | null; passed: boolean; summary: string }> {
        const { target } = ctx.result<Preflight>("preflight");
        const args = [ctx.params.profile, "--target", target, "--out", ctx.runArtifactsDir];
        if (ctx.params.full) args.push("--full");
        const out = await ctx.$`${process.execPath} ${RUNNER} ${args}`.nothrow();
        if (out.exitCode === 99) {
          const summary = await readSummary(ctx.runArtifactsDir, ctx.params.profile);
          const failed = summary?.thresholds.filter((t) => !t.ok).map((t) => `${t.metric}: ${t.expression}`);
          throw new Error(
            `the SLO thresholds failed (${failed?.join("; ") ?? "see the table above"}). Find the slow procedure in the table, then see "Investigating a slow API" in the Scaling Guide`,
          );
        }
        if (out.exitCode !== 0)
          throw new Error(`the load runner exited with ${out.exitCode}; its message is above`);
        const summary = await readSummary(ctx.runArtifactsDir, ctx.params.profile);
        return {
          tool: summary?.tool ?? null,
          passed: summary?.passed ?? false,
          summary: path.join(ctx.runArtifactsDir, `${ctx.params.profile}-summary.json`),
        };
      },
    }),
  ],
});

async function readSummary(dir: string, profile: string): Promise<LoadSummary | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, `${profile}-summary.json`), "utf8")) as LoadSummary;
  } catch {
    return null;
  }
}
