/**
 * Deploy on Railway
 *
 * Purpose: deploy the app's Railway service in one environment through Railway's public GraphQL
 *   API (serviceInstanceDeployV2: the latest commit of the service's branch, or the commit given),
 *   wait until Railway reports the deployment SUCCESS, then check the app's /readyz. Railway runs
 *   the pre-deploy command (railway.json) and moves traffic only once /readyz answers 200.
 * Sent here by: the production pipeline after its backup and approval, or a manual deploy
 *   (Deployment Playbook → Platforms → Railway).
 * Preconditions: a Railway token in a secret reference (token, default env:RAILWAY_API_TOKEN;
 *   tokenKind=project for a project token); the service and environment ids; the environment's
 *   app URL pointing at the service.
 * Blast radius: one new deployment of that service in that environment.
 */
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { apiUrlParam, checkReadiness, describeCall, pollSecondsParam, tokenParam } from "./_api.ts";
import {
  authFor,
  DEPLOYMENT_FAILED,
  graphql,
  graphqlCall,
  listDeployments,
  QUERIES,
  RAILWAY_API,
  showDeployments,
  tokenKindParam,
  uuidParam,
  waitForDeployment,
} from "./_railway.ts";

const params = z.object({
  serviceId: uuidParam("service"),
  environmentId: uuidParam("environment"),
  commitSha: z
    .string()
    .regex(/^[0-9a-f]{40}$/, "a full 40-character commit SHA")
    .optional()
    .describe("Deploy this commit (default: the latest of the service's branch)"),
  token: tokenParam("env:RAILWAY_API_TOKEN", "Railway token"),
  tokenKind: tokenKindParam,
  apiUrl: apiUrlParam(RAILWAY_API, "Railway GraphQL endpoint"),
  pollSeconds: pollSecondsParam(),
  waitMinutes: z.coerce.number().int().min(1).max(120).default(30).describe("How long the deploy may take"),
});
type Params = z.infer<typeof params>;

const deployVariables = (p: Params) => ({
  serviceId: p.serviceId,
  environmentId: p.environmentId,
  commitSha: p.commitSha ?? null,
});

export default defineRunbook({
  id: "railway-deploy",
  title: "Deploy on Railway (API)",
  summary:
    "Deploys the Railway service through the public GraphQL API, waits for SUCCESS, then checks /readyz.",
  guide: "deployment-playbook",
  section: "Railway",
  params,
  steps: (step) => [
    step({
      id: "service",
      title: "The service and its recent deployments",
      description: "Reads the service's name and its last five deployments in the environment.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const { service } = await graphql<{ service: { id: string; name: string } }>(ctx, QUERIES.service, {
          id: ctx.params.serviceId,
        });
        ctx.log(`service ${service.name} (${service.id})`);
        const deployments = await listDeployments(ctx, ctx.params.serviceId, ctx.params.environmentId, 5);
        showDeployments(ctx, deployments);
        const current = deployments.find((d) => d.status === "SUCCESS") ?? null;
        return { currentDeploymentId: current?.id ?? null };
      },
    }),
    step({
      id: "deploy",
      title: "Start the deployment",
      description:
        "serviceInstanceDeployV2: Railway builds, runs the pre-deploy command, then moves traffic.",
      danger: "change",
      timeoutMs: seconds(30),
      plan: (ctx) => [
        describeCall(
          graphqlCall(ctx.params.apiUrl, QUERIES.deploy, deployVariables(ctx.params)),
          authFor(ctx.params.tokenKind),
        ),
      ],
      async run(ctx) {
        const data = await graphql<{ serviceInstanceDeployV2: string }>(
          ctx,
          QUERIES.deploy,
          deployVariables(ctx.params),
        );
        ctx.log(`deployment ${data.serviceInstanceDeployV2} started`);
        return { deploymentId: data.serviceInstanceDeployV2 };
      },
    }),
    step({
      id: "wait",
      title: "Wait for SUCCESS",
      description: `Reads the deployment's status until SUCCESS; fails on ${DEPLOYMENT_FAILED.join(", ")}.`,
      danger: "read",
      timeoutMs: minutes(121),
      plan: (ctx) => [
        `${describeCall(graphqlCall(ctx.params.apiUrl, QUERIES.deployment, { id: "<the new deployment's id>" }), authFor(ctx.params.tokenKind))} every ${ctx.params.pollSeconds} s until SUCCESS (at most ${ctx.params.waitMinutes} min)`,
      ],
      async run(ctx) {
        const { deploymentId } = ctx.result<{ deploymentId: string }>("deploy");
        return waitForDeployment(ctx, deploymentId, ctx.params);
      },
    }),
    step({
      id: "readiness",
      title: "The app is ready",
      description: "GET /readyz on the environment's app URL: 200 when the new release may take traffic.",
      danger: "read",
      timeoutMs: seconds(15),
      plan: (ctx) => [`GET ${new URL("/readyz", ctx.env.appUrl).href}, expecting 200`],
      run: (ctx) => checkReadiness(ctx),
    }),
  ],
});
