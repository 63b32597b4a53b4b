/**
 * Remove an app instance from behind the load balancer
 *
 * Purpose: take one instance out of the nginx upstream and reload (nginx stops sending it new
 *   requests; old workers finish theirs), update the Prometheus targets, then stop it gracefully
 *   (readiness 503, in-flight requests finish), SIGKILL only after a timeout.
 * Sent here by: the Operational Runbook's "Scaling operations" (load back under the scale-down
 *   threshold), an instance to replace, the end of a load test.
 * Preconditions: another instance (or the release) keeps serving: the runbook refuses to remove
 *   the last one. Run on the host of the instance.
 * Blast radius: the instance's process and one nginx reload; capacity drops by one instance.
 */
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { applyPool, type PoolMember, upstreamPorts } from "./_balancer.ts";
import { currentPool, describeMembers, stopMember } from "./_pool.ts";

const params = z.object({
  port: z.coerce
    .number()
    .int()
    .min(1024)
    .max(65_000)
    .optional()
    .describe("The instance to remove, by port (default: the newest one added)"),
  stopTimeoutSeconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(120)
    .default(20)
    .describe("How long it may take to exit after SIGTERM before SIGKILL"),
});

async function chosen(port: number | undefined): Promise<PoolMember> {
  const pool = await currentPool();
  const newestFirst = [...pool.members].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const member = port === undefined ? newestFirst[0] : pool.members.find((m) => m.port === port);
  if (!member)
    throw new Error(
      port === undefined
        ? "no instance was added with add-instance on this host: nothing to remove"
        : `no instance on port ${port} in the pool: pick one from the inventory`,
    );
  return member;
}

export default defineRunbook({
  id: "remove-instance",
  title: "Remove an instance from behind nginx",
  summary:
    "Takes one instance out of the nginx upstream (reload), updates the Prometheus targets, then stops it gracefully.",
  guide: "operational-runbook",
  section: "Scaling operations",
  params,
  steps: (step) => [
    step({
      id: "inventory",
      title: "The pool, and which instance goes",
      description: "Lists the instances behind the balancer and picks the one to remove.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        await describeMembers(ctx, await currentPool());
        const member = await chosen(ctx.params.port);
        ctx.log(`to remove: port ${member.port} (pid ${member.pid})`);
        return member;
      },
    }),
    step({
      id: "drain",
      title: "Take it out of the upstream",
      description: "Rewrites the upstream without it, nginx -t, reload; waits for the old workers to finish.",
      danger: "change",
      timeoutMs: minutes(1),
      async plan(ctx) {
        const member = await chosen(ctx.params.port);
        return [
          `would remove 127.0.0.1:${member.port} from the nginx upstream and reload; the Prometheus targets follow`,
        ];
      },
      async run(ctx) {
        const member = ctx.result<PoolMember>("inventory");
        const pool = await currentPool();
        const next = { ...pool, members: pool.members.filter((m) => m.port !== member.port) };
        const { ports } = await upstreamPorts(next);
        if (ports.length === 0)
          throw new Error(
            `port ${member.port} is the last instance behind the balancer: add another first (add-instance)`,
          );
        const serving = await applyPool(ctx, next);
        ctx.log(`nginx no longer sends requests to ${member.port}; serving: ${serving.join(", ")}`);
        return { serving };
      },
    }),
    step({
      id: "stop",
      title: "Stop it",
      description: "SIGTERM (the app drains and exits), SIGKILL after stopTimeoutSeconds.",
      danger: "change",
      timeoutMs: minutes(3),
      async plan(ctx) {
        const member = await chosen(ctx.params.port).catch(() => null);
        return [member ? `would send SIGTERM to pid ${member.pid} (port ${member.port})` : "nothing to stop"];
      },
      async run(ctx) {
        const member = ctx.result<PoolMember>("inventory");
        const how = await stopMember(ctx, member, ctx.params.stopTimeoutSeconds * 1000);
        return { how };
      },
    }),
  ],
});
