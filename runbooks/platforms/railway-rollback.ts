/**
 * Roll back on Railway
 *
 * Purpose: put an earlier deployment of the app's Railway service back through Railway's public
 *   GraphQL API (deploymentRollback), wait until the new deployment it creates is SUCCESS, then
 *   check the app's /readyz. The database stays as it is: migrations are expand-only.
 * Sent here by: a release that fails its verification or raises errors after a Railway deploy
 *   (Incident Response → Application outage; Deployment Playbook → Platforms → Railway).
 * Preconditions: a Railway token in a secret reference; the service and environment ids; an
 *   earlier deployment.
 * Blast radius: one rollback deployment of that service in that environment.
 */
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { waitFor } from "../lib/process.ts";
import { apiUrlParam, checkReadiness, describeCall, pollSecondsParam, tokenParam } from "./_api.ts";
import {
  authFor,
  graphql,
  graphqlCall,
  listDeployments,
  QUERIES,
  RAILWAY_API,
  type RailwayDeployment,
  showDeployments,
  tokenKindParam,
  uuidParam,
  waitForDeployment,
} from "./_railway.ts";

const params = z.object({
  serviceId: uuidParam("service"),
  environmentId: uuidParam("environment"),
  deploymentId: uuidParam("deployment")
    .optional()
    .describe("The deployment to return to (default: the newest one before the current one that was live)"),
  token: tokenParam("env:RAILWAY_API_TOKEN", "Railway token"),
  tokenKind: tokenKindParam,
  apiUrl: apiUrlParam(RAILWAY_API, "Railway GraphQL endpoint"),
  pollSeconds: pollSecondsParam(),
  waitMinutes: z.coerce.number().int().min(1).max(120).default(15).describe("How long the rollback may take"),
});

export default defineRunbook({
  id: "railway-rollback",
  title: "Roll back on Railway (API)",
  summary:
    "Rolls the Railway service back to an earlier deployment through the public GraphQL API, waits for SUCCESS, then checks /readyz.",
  guide: "deployment-playbook",
  section: "Railway",
  params,
  steps: (step) => [
    step({
      id: "choose",
      title: "Choose the deployment to return to",
      description:
        "Lists the last twenty deployments; the target is the one given, or the newest one before the current that Railway replaced (REMOVED).",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const deployments = await listDeployments(ctx, ctx.params.serviceId, ctx.params.environmentId, 20);
        showDeployments(ctx, deployments);
        const currentIndex = deployments.findIndex((d) => d.status === "SUCCESS");
        const current = currentIndex === -1 ? null : (deployments[currentIndex] as RailwayDeployment);
        let target: RailwayDeployment | undefined;
        if (ctx.params.deploymentId) {
          target = deployments.find((d) => d.id === ctx.params.deploymentId);
          if (!target)
            throw new Error(`deployment ${ctx.params.deploymentId} is not among the last 20 of this service`);
        } else {
          // A deployment a later one replaced is REMOVED: the newest of those served before the current.
          target = deployments.slice(currentIndex + 1).find((d) => d.status === "REMOVED");
          if (!target) throw new Error("no earlier deployment to return to: name one with deploymentId=…");
        }
        if (current && target.id === current.id)
          throw new Error(`deployment ${target.id} is the current one`);
        ctx.log(`roll back from ${current?.id ?? "(none live)"} to ${target.id}`);
        return { current: current?.id ?? null, target: target.id, known: deployments.map((d) => d.id) };
      },
    }),
    step({
      id: "rollback",
      title: "Roll back",
      description: "deploymentRollback: Railway starts a new deployment from that one's image and settings.",
      danger: "change",
      timeoutMs: minutes(2),
      plan: (ctx) => [
        describeCall(
          graphqlCall(ctx.params.apiUrl, QUERIES.rollback, {
            id: ctx.result<{ target: string }>("choose").target,
          }),
          authFor(ctx.params.tokenKind),
        ),
        `${describeCall(graphqlCall(ctx.params.apiUrl, QUERIES.deployments, { input: { serviceId: ctx.params.serviceId, environmentId: ctx.params.environmentId }, first: 5 }), authFor(ctx.params.tokenKind))} until the new deployment appears`,
      ],
      async run(ctx) {
        const { target, known } = ctx.result<{ target: string; known: string[] }>("choose");
        const data = await graphql<{ deploymentRollback: boolean }>(ctx, QUERIES.rollback, { id: target });
        if (!data.deploymentRollback) throw new Error(`Railway refused to roll back to ${target}`);
        // The mutation answers true, not the new deployment: it is the newest one not listed before.
        const created = await waitFor(
          async () =>
            (await listDeployments(ctx, ctx.params.serviceId, ctx.params.environmentId, 5)).find(
              (d) => !known.includes(d.id),
            ),
          {
            timeoutMs: 60_000,
            intervalMs: ctx.params.pollSeconds * 1_000,
            signal: ctx.signal,
            what: "the rollback's deployment",
          },
        );
        ctx.log(`rollback deployment ${created.id} (${created.status})`);
        return { deploymentId: created.id };
      },
    }),
    step({
      id: "wait",
      title: "Wait for SUCCESS",
      description: "Reads the rollback deployment's status until SUCCESS.",
      danger: "read",
      timeoutMs: minutes(121),
      plan: (ctx) => [
        `${describeCall(graphqlCall(ctx.params.apiUrl, QUERIES.deployment, { id: "<the rollback deployment's id>" }), authFor(ctx.params.tokenKind))} every ${ctx.params.pollSeconds} s until SUCCESS (at most ${ctx.params.waitMinutes} min)`,
      ],
      async run(ctx) {
        const { deploymentId } = ctx.result<{ deploymentId: string }>("rollback");
        return waitForDeployment(ctx, deploymentId, ctx.params);
      },
    }),
    step({
      id: "readiness",
      title: "The app is ready",
      description: "GET /readyz on the environment's app URL: 200 when the release may take traffic.",
      danger: "read",
      timeoutMs: seconds(15),
      plan: (ctx) => [`GET ${new URL("/readyz", ctx.env.appUrl).href}, expecting 200`],
      run: (ctx) => checkReadiness(ctx),
    }),
  ],
});
