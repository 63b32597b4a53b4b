/**
 * Add an app instance behind the load balancer
 *
 * Purpose: check the connection budget, start one more practice-app instance on this host (this
 *   checkout's code, the environment's database, Redis and session secret), wait until /readyz
 *   answers 200, add it to the nginx upstream and reload (no connection dropped), check that it
 *   answers through the balancer, and write the Prometheus targets from the same list.
 * Sent here by: capacity-report (a CPU or memory trigger: "Add an application instance"), the
 *   Operational Runbook's "Scaling operations", a load test that needs more capacity.
 * Preconditions: this checkout is the release the environment runs; the database is migrated; the
 *   environment's session secret in the shell (SSP_<ENV>_SESSION_SECRET; dev: the checkout's
 *   .data/session-secret); nginx installed (the balancer is the private nginx deploy runs; started
 *   here on listenPort if no deploy started it yet).
 * Blast radius: one more process on this host, with up to PG_POOL_MAX database connections; one
 *   nginx reload (old workers finish their requests). Nothing else changes.
 */
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { freePort, portAnswers } from "../lib/net.ts";
import { applyPool, type PoolMember, prometheusTargetsFile } from "./_balancer.ts";
import { answersThroughBalancer, currentPool, describeMembers, startMember, stopMember } from "./_pool.ts";

export default defineRunbook({
  id: "add-instance",
  title: "Add an instance behind nginx",
  summary:
    "Starts one more app instance, waits for readiness, adds it to the nginx upstream with a reload, and updates the Prometheus targets.",
  guide: "operational-runbook",
  section: "Scaling operations",
  // It starts this checkout's app with node (_pool.ts startMember).
  executes: ["../../practice-app/src/main.ts"],
  params: z.object({
    port: z.coerce
      .number()
      .int()
      .min(1024)
      .max(65_000)
      .optional()
      .describe("The new instance's port (default: a free one)"),
    listenPort: z.coerce
      .number()
      .int()
      .min(1024)
      .max(65_000)
      .optional()
      .describe("The balancer's port, only if no deploy recorded one (default 8080)"),
    readyTimeoutSeconds: z.coerce
      .number()
      .int()
      .min(5)
      .max(150)
      .default(45)
      .describe("How long the new instance may take to answer /readyz 200"),
  }),
  steps: (step) => [
    step({
      id: "inventory",
      title: "The pool and the connection budget",
      description:
        "Lists the release and the instances behind the balancer; compares connections in use with max_connections.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const pool = await currentPool(ctx.params.listenPort);
        await describeMembers(ctx, pool);
        const [row] = await ctx.sql<{ used: number; max: number }>(
          "SELECT count(*)::int AS used, current_setting('max_connections')::int AS max FROM pg_stat_activity",
        );
        if (row) {
          ctx.log(
            `PostgreSQL connections: ${row.used} used of ${row.max}; the new instance may open up to PG_POOL_MAX more`,
          );
          if (row.used / row.max > 0.8)
            ctx.warn(
              "over 80 % of max_connections in use: lower PG_POOL_MAX or add a pooler before adding instances",
            );
        }
        return { listenPort: pool.listenPort, members: pool.members.length };
      },
    }),
    step({
      id: "start-instance",
      title: "Start the instance and wait until it is ready",
      description: "Starts this checkout's practice-app on a free port and waits for /readyz 200.",
      danger: "change",
      timeoutMs: minutes(3),
      async plan(ctx) {
        return [
          `would start this checkout's practice-app on 127.0.0.1:${ctx.params.port ?? "<a free port>"} against ${ctx.env.databaseUrl}`,
          `and wait up to ${ctx.params.readyTimeoutSeconds} s for /readyz 200`,
        ];
      },
      async run(ctx): Promise<PoolMember> {
        const port = ctx.params.port ?? (await freePort());
        if (await portAnswers(port)) throw new Error(`port ${port} is in use: choose another port`);
        return startMember(ctx, port, ctx.params.readyTimeoutSeconds * 1000);
      },
    }),
    step({
      id: "add-to-balancer",
      title: "Add it to the nginx upstream and reload",
      description:
        "Rewrites the upstream with the new instance, nginx -t, reload; checks it answers through nginx; writes the Prometheus targets.",
      danger: "change",
      timeoutMs: minutes(1),
      async plan(ctx) {
        const pool = await currentPool(ctx.params.listenPort);
        return [
          `would add 127.0.0.1:${ctx.params.port ?? "<the new port>"} to the upstream of the balancer on 127.0.0.1:${pool.listenPort} (nginx -t, reload)`,
          `and write ${prometheusTargetsFile(ctx.env.name)} with every instance`,
        ];
      },
      async run(ctx) {
        const member = ctx.result<PoolMember>("start-instance");
        const pool = await currentPool(ctx.params.listenPort);
        const next = { ...pool, members: [...pool.members.filter((m) => m.port !== member.port), member] };
        try {
          const ports = await applyPool(ctx, next);
          const tries = await answersThroughBalancer(ctx, next.listenPort, member.port);
          ctx.log(
            `port ${member.port} answered through the balancer (request ${tries}); serving: ${ports.join(", ")}`,
          );
          return { ports };
        } catch (error) {
          // Not in the upstream: a running instance nobody sends traffic to helps nobody.
          ctx.warn(`could not add port ${member.port} to the balancer: stopping it`);
          await stopMember(ctx, member, 10_000);
          throw error;
        }
      },
    }),
  ],
});
