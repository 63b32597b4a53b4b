/**
 * Post-deployment verification
 *
 * Purpose: after a deploy (or a rollback), prove the environment serves learners: liveness and
 *   readiness with every check, no pending migrations, the API answering, a full learner journey
 *   (sign up, practise one item, progress, leaderboard, log out) with each call's latency against
 *   the latency SLO, and the app's error rate against the critical alert.
 * Sent here by: the Deployment Playbook ("Post-deployment verification"), right after `deploy`,
 *   `rollback` or `migrate-database`; a "does it work for learners?" doubt.
 * Preconditions: the environment's app URL and DATABASE_URL reachable from here.
 * Blast radius: one throwaway learner account, smoke-<timestamp>@example.invalid, with one review;
 *   it is deleted at the end unless keepAccount is set. Nothing else is written. The step that
 *   creates it is marked "change" for that reason; every other step only reads.
 */
import { z } from "zod";
import { alertThreshold, SLO } from "../../policy/index.ts";
import { defineRunbook, seconds } from "../engine/define.ts";
import { type CallResult, expectOk, logReadiness, readiness, trpc } from "../lib/app-api.ts";
import { errorRate, latencyQuantileMs, parsePrometheus } from "../lib/prometheus.ts";
import { MIGRATE_CLI, migrateCli } from "./_lib.ts";

interface Timed {
  procedure: string;
  ms: number;
}

export default defineRunbook({
  id: "post-deploy-verify",
  title: "Post-deployment verification",
  summary:
    "Health, readiness, migrations, the API and a full learner journey with latencies against the SLO, and the error rate.",
  guide: "deployment-playbook",
  section: "Post-deployment verification",
  // Its step runs the app's migration CLI (deployment/_lib.ts migrateCli) with node.
  executes: ["../../practice-app/src/db/migrate-cli.ts"],
  params: z.object({
    keepAccount: z
      .boolean()
      .default(false)
      .describe("Keep the throwaway smoke-…@example.invalid account (default: delete it at the end)"),
  }),
  steps: (step) => [
    step({
      id: "health",
      title: "Liveness and readiness",
      description:
        "GET /healthz and /readyz: every check ok; Redis not ok is a warning (the app runs degraded).",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        let health: Response;
        try {
          health = await ctx.http("/healthz", { timeoutMs: 5_000 });
        } catch (error) {
          // ctx.http's error names the URL and the cause already; add where to look after a deploy.
          throw new Error(
            `${error instanceof Error ? error.message : String(error)} (deploy: see current.json; dev: dev-stack status)`,
          );
        }
        ctx.log(`/healthz → ${health.status}`);
        const ready = await readiness(ctx, ctx.env.appUrl);
        logReadiness(ctx, ready);
        const notOk = Object.entries(ready.checks).filter(
          ([name, c]) => name !== "redis" && c.status !== "ok",
        );
        if (!health.ok || ready.httpStatus !== 200 || notOk.length > 0) {
          throw new Error(
            `the app is not ready (/readyz ${ready.httpStatus} ${ready.status}): ${
              notOk.map(([name, c]) => `${name} ${c.status}${c.error ? ` (${c.error})` : ""}`).join("; ") ||
              "see the checks above"
            }`,
          );
        }
        const redis = ready.checks.redis?.status ?? "missing";
        if (redis !== "ok")
          ctx.warn(
            `Redis is ${redis}: the app serves from PostgreSQL with in-process rate limits (degraded)`,
          );
        return { readyz: ready.status, redis };
      },
    }),
    step({
      id: "migrations",
      title: "No pending migrations",
      description: "The migrate CLI's status against the environment: nothing may be pending.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const state = await migrateCli(ctx, ["status"], MIGRATE_CLI);
        ctx.log(`migrations: ${state.applied.length} applied, ${state.pending.length} pending`);
        if (state.pending.length > 0) {
          throw new Error(
            `${state.pending.length} migration(s) pending (${state.pending.join(", ")}): run migrate-database with action=apply`,
          );
        }
        if (state.unknown.length > 0)
          ctx.warn(
            `the database has ${state.unknown.length} migration(s) newer than this checkout: ${state.unknown.join(", ")}`,
          );
        return { applied: state.applied.length };
      },
    }),
    step({
      id: "ping",
      title: "The API answers",
      description: "tRPC system.ping.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const ping = await trpc<{ pong: boolean }>(ctx, ctx.env.appUrl, "system.ping");
        const data = expectOk(ping);
        if (data.pong !== true)
          throw new Error(`system.ping answered ${JSON.stringify(data)} instead of pong`);
        ctx.log(`system.ping → pong in ${ping.ms} ms`);
        return { procedure: ping.procedure, ms: ping.ms };
      },
    }),
    step({
      id: "learner-journey",
      title: "A learner journey with a throwaway account",
      description:
        "Sign up smoke-<timestamp>@example.invalid, next exercise, submit, progress, leaderboard, log out; each call timed.",
      danger: "change",
      timeoutMs: seconds(45),
      plan: (ctx) => [
        "would sign up smoke-<timestamp>@example.invalid, practise one item (one review), read progress and the leaderboard, log out",
        ctx.params.keepAccount
          ? "would keep the account"
          : "would then delete the account and its review (SQL)",
      ],
      async run(ctx) {
        const base = ctx.env.appUrl;
        const email = `smoke-${Date.now()}@example.invalid`;
        const password = `smoke-${crypto.randomUUID()}`;
        ctx.secret(password);
        const calls: CallResult[] = [];
        const call = async <T>(procedure: string, options: Parameters<typeof trpc>[3] = {}): Promise<T> => {
          const result = await trpc<T>(ctx, base, procedure, options);
          calls.push(result);
          const data = expectOk(result);
          ctx.log(
            `${procedure.padEnd(17)} ${String(result.status).padEnd(3)} ${result.ms.toFixed(1).padStart(7)} ms`,
          );
          return data;
        };
        let learnerId: string | null = null;
        try {
          const signUp = await call<{ token: string; learner: { id: string } }>("accounts.signUp", {
            mutation: true,
            input: { email, password, displayName: "smoke test" },
          });
          learnerId = signUp.learner.id;
          ctx.secret(signUp.token);
          const token = signUp.token;
          const next = await call<{ item: { id: string; sentence: string } }>("exercises.next", { token });
          // A deliberately wrong answer: it exercises checking and scheduling without raising the
          // throwaway account's score (so it never shows on the leaderboard).
          const submit = await call<{ outcome: string; expected: string }>("exercises.submit", {
            token,
            mutation: true,
            input: { exerciseId: next.item.id, answer: "smoke" },
          });
          ctx.log(`  item ${next.item.id}: outcome ${submit.outcome}, expected "${submit.expected}"`);
          const progress = await call<{ overall: { attempts: number } }>("progress.summary", { token });
          if (progress.overall.attempts !== 1)
            throw new Error(`progress.summary counts ${progress.overall.attempts} attempts after one submit`);
          await call("leaderboard.top", { token, input: { limit: 10 } });
          await call("accounts.logOut", { token, mutation: true });
          // After log-out the token must be refused: revocation works on this release.
          const after = await trpc(ctx, base, "exercises.next", { token });
          if (after.status !== 401)
            throw new Error(`a logged-out token still works (exercises.next answered ${after.status})`);
          ctx.log("logged-out token refused: 401");
        } finally {
          if (learnerId && !ctx.params.keepAccount) {
            // Cascades to its sessions, card and review.
            const deleted = await ctx.sql("DELETE FROM learners WHERE id = $1 AND email = $2 RETURNING id", [
              learnerId,
              email,
            ]);
            ctx.log(`throwaway account ${email} ${deleted.length === 1 ? "deleted" : "was already gone"}`);
          } else if (learnerId) {
            ctx.log(`throwaway account kept: ${email} (learner ${learnerId})`);
          }
        }
        return { email, calls: calls.map((c): Timed => ({ procedure: c.procedure, ms: c.ms })) };
      },
    }),
    step({
      id: "latency",
      title: "Latency against the SLO",
      description: `p95 of the journey's calls (sign-up excluded) against the SLO of ${SLO.latencyP95Ms} ms; above it is a warning.`,
      danger: "read",
      timeoutMs: seconds(5),
      run(ctx) {
        const journey = ctx.result<{ calls: Timed[] }>("learner-journey").calls;
        const ping = ctx.result<Timed>("ping");
        // accounts.signUp hashes a password with scrypt on purpose (over half a second of CPU): it is slow by
        // design and would hide everything else, so it is reported but not part of the p95.
        const signUp = journey.find((c) => c.procedure === "accounts.signUp");
        const timed = [ping, ...journey.filter((c) => c.procedure !== "accounts.signUp")];
        const sorted = timed.map((c) => c.ms).sort((a, b) => a - b);
        const p95 = sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
        const slowest = timed.reduce((a, b) => (b.ms > a.ms ? b : a));
        ctx.log(
          `p95 of ${timed.length} calls: ${p95.toFixed(1)} ms (SLO ${SLO.latencyP95Ms} ms); slowest ${slowest.procedure} ${slowest.ms.toFixed(1)} ms; signUp ${signUp?.ms.toFixed(1) ?? "-"} ms (scrypt, not counted)`,
        );
        if (p95 > SLO.latencyP95Ms)
          ctx.warn(
            `p95 ${p95.toFixed(0)} ms is above the SLO (${SLO.latencyP95Ms} ms): one journey is a small sample, so check /metrics or run the performance check before acting`,
          );
        return { p95Ms: p95, samples: timed.length, withinSlo: p95 <= SLO.latencyP95Ms };
      },
    }),
    step({
      id: "error-rate",
      title: "Error rate since the app started",
      description: "Server errors over all tRPC calls from /metrics, against the critical alert threshold.",
      danger: "read",
      timeoutMs: seconds(10),
      async run(ctx) {
        const res = await ctx.http("/metrics");
        if (!res.ok) throw new Error(`/metrics answered ${res.status}: the app's metrics endpoint is broken`);
        const samples = parsePrometheus(await res.text());
        const errors = errorRate(samples);
        const p95 = latencyQuantileMs(samples, 0.95);
        const critical = alertThreshold("error-rate-critical");
        ctx.log(
          `tRPC calls since start: ${errors.calls}, server errors: ${errors.serverErrors} (${(errors.rate * 100).toFixed(2)}%; SLO ${SLO.errorRate * 100}%, critical above ${critical * 100}%)`,
        );
        ctx.log(
          `p95 latency of all calls since start: ${p95 === null ? "no calls yet" : `${p95.toFixed(1)} ms`} (sign-ups and log-ins included: scrypt makes them slow on purpose)`,
        );
        if (errors.rate > critical) {
          throw new Error(
            `error rate ${(errors.rate * 100).toFixed(2)}% is above the critical alert (${critical * 100}%): roll back (rollback runbook) and look at the app's log`,
          );
        }
        if (errors.rate > SLO.errorRate)
          ctx.warn(
            `error rate ${(errors.rate * 100).toFixed(2)}% is above the SLO (${SLO.errorRate * 100}%)`,
          );
        return { ...errors, p95Ms: p95 };
      },
    }),
  ],
});
