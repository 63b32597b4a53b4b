/**
 * Deploy on Render
 *
 * Purpose: start a deploy of the app's Render web service through Render's REST API (the latest
 *   commit of its branch, or the commit given), wait until Render reports it live, then check the
 *   app's /readyz. Render runs the pre-deploy command (migrations, exercise bank) before it moves
 *   traffic, and keeps the previous deploy serving if the new one fails.
 * Sent here by: the production pipeline after its backup and approval (automatic deploys are off
 *   in render.yaml), or a manual deploy (Deployment Playbook → Platforms → Render).
 * Preconditions: a Render API key in a secret reference (token, default env:RENDER_API_KEY);
 *   the service id (srv-…); the environment's app URL pointing at the service.
 * Blast radius: one new deploy of that service; nothing else on the account.
 */
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { apiUrlParam, callApi, checkReadiness, describeCall, pollSecondsParam, tokenParam } from "./_api.ts";
import {
  AUTH,
  DEPLOY_FAILED,
  deployCall,
  listDeploys,
  RENDER_API,
  type RenderDeploy,
  serviceIdParam,
  serviceUrl,
  showDeploys,
  waitUntilLive,
} from "./_render.ts";

const params = z.object({
  serviceId: serviceIdParam,
  commitId: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/, "a commit SHA")
    .optional()
    .describe("Deploy this commit of the service's repository (default: the branch's latest)"),
  clearCache: z.boolean().default(false).describe("Clear Render's build cache first"),
  token: tokenParam("env:RENDER_API_KEY", "Render API key"),
  apiUrl: apiUrlParam(RENDER_API, "Render API's base URL"),
  pollSeconds: pollSecondsParam(),
  waitMinutes: z.coerce.number().int().min(1).max(120).default(30).describe("How long the deploy may take"),
});
type Params = z.infer<typeof params>;

const triggerCall = (p: Params) => ({
  method: "POST" as const,
  url: `${serviceUrl(p)}/deploys`,
  body: {
    clearCache: p.clearCache ? "clear" : "do_not_clear",
    ...(p.commitId ? { commitId: p.commitId } : {}),
  },
});

export default defineRunbook({
  id: "render-deploy",
  title: "Deploy on Render (API)",
  summary:
    "Starts a deploy of the Render web service through the REST API, waits until it is live, then checks /readyz.",
  guide: "deployment-playbook",
  section: "Render",
  params,
  steps: (step) => [
    step({
      id: "service",
      title: "The service and its recent deploys",
      description: "Reads the service and its last five deploys: which one is live now.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const service = await callApi<{ id: string; name: string; type: string }>(
          ctx,
          { method: "GET", url: serviceUrl(ctx.params) },
          AUTH,
        );
        ctx.log(`service ${service.name} (${service.type}, ${service.id})`);
        const deploys = await listDeploys(ctx, 5);
        showDeploys(ctx, deploys);
        const live = deploys.find((d) => d.status === "live") ?? null;
        ctx.log(live ? `live now: ${live.id}` : "no deploy is live now");
        return { liveDeployId: live?.id ?? null };
      },
    }),
    step({
      id: "trigger",
      title: "Start the deploy",
      description:
        "POST /services/{serviceId}/deploys: Render builds, runs the pre-deploy command, then moves traffic.",
      danger: "change",
      timeoutMs: seconds(30),
      plan: (ctx) => [describeCall(triggerCall(ctx.params), AUTH)],
      async run(ctx) {
        const deploy = await callApi<RenderDeploy>(ctx, triggerCall(ctx.params), AUTH);
        ctx.log(`deploy ${deploy.id} started (${deploy.status})`);
        return { deployId: deploy.id };
      },
    }),
    step({
      id: "wait",
      title: "Wait until the deploy is live",
      description: `Reads the deploy until Render says live; fails on ${DEPLOY_FAILED.join(", ")}.`,
      danger: "read",
      timeoutMs: minutes(121),
      plan: (ctx) => [
        `${describeCall(deployCall(ctx.params, "<the new deploy's id>"), AUTH)} every ${ctx.params.pollSeconds} s until "live" (at most ${ctx.params.waitMinutes} min)`,
      ],
      async run(ctx) {
        const { deployId } = ctx.result<{ deployId: string }>("trigger");
        return waitUntilLive(ctx, deployId, ctx.params);
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
