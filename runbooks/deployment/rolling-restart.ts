/**
 * Rolling restart of the instances behind the load balancer
 *
 * Purpose: restart every instance add-instance put behind nginx, one at a time, without an error:
 *   take it out of the upstream (reload, old workers finish), stop it gracefully, start it again on
 *   the same port (this checkout's code and the current environment: a changed setting or rotated
 *   secret is picked up), wait for /readyz 200, put it back, check it answers through nginx, then
 *   the next one.
 * Sent here by: a configuration change (PG_POOL_MAX, TRUST_PROXY, a rate limit), a rotated
 *   SESSION_SECRET, memory growth in one instance, the Scaling Guide's "Restarting or replacing
 *   instances without errors". The release itself restarts with deploy (same ref).
 * Preconditions: at least two serving ports (the release and one instance, or two instances): one
 *   keeps serving while the other restarts. Run on the host of the instances.
 * Blast radius: one instance out of the upstream at a time; capacity drops by one instance for a
 *   few seconds each. An instance that does not come back stops the run with it out of the upstream.
 */
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { upstreamPorts } from "./_balancer.ts";
import { currentPool, describeMembers, RESTART_TIMEOUT_PARAMS, restartInTurn } from "./_pool.ts";

export default defineRunbook({
  id: "rolling-restart",
  title: "Rolling restart behind nginx",
  summary:
    "Restarts each instance behind nginx in turn: out of the upstream, graceful stop, start, ready, back in.",
  guide: "operational-runbook",
  section: "Scaling operations",
  // It starts this checkout's app again with node (_pool.ts restartInTurn → startMember).
  executes: ["../../practice-app/src/main.ts"],
  params: z.object({
    ...RESTART_TIMEOUT_PARAMS,
  }),
  steps: (step) => [
    step({
      id: "inventory",
      title: "The instances to restart",
      description:
        "Lists the pool; refuses when fewer than two ports serve (nothing would serve during a restart).",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const pool = await currentPool();
        await describeMembers(ctx, pool);
        const { ports } = await upstreamPorts(pool);
        if (pool.members.length === 0)
          throw new Error("no instance was added with add-instance on this host: nothing to restart");
        if (ports.length < 2)
          throw new Error(
            `only port ${ports.join("")} serves: restarting it would leave nothing behind the balancer; add an instance first (add-instance)`,
          );
        return { order: pool.members.map((m) => m.port) };
      },
    }),
    step({
      id: "restart-each",
      title: "Restart them one at a time",
      description:
        "For each instance: out of the upstream, SIGTERM, start again on its port, /readyz 200, back in.",
      danger: "change",
      timeoutMs: minutes(15),
      async plan(_ctx) {
        const pool = await currentPool();
        return pool.members.map(
          (m) =>
            `port ${m.port}: remove from upstream + reload, SIGTERM pid ${m.pid}, start again, wait ready, add back + reload`,
        );
      },
      async run(ctx) {
        const { order } = ctx.result<{ order: number[] }>("inventory");
        const restarted = await restartInTurn(ctx, order, {
          stopTimeoutMs: ctx.params.stopTimeoutSeconds * 1000,
          readyTimeoutMs: ctx.params.readyTimeoutSeconds * 1000,
        });
        return { restarted };
      },
    }),
  ],
});
