/**
 * Roll back on Render
 *
 * Purpose: put the previous deploy of the app's Render web service back live through Render's
 *   REST API (POST /services/{serviceId}/rollback, which reuses that deploy's build), wait until it
 *   is live, then check the app's /readyz. The database stays as it is: migrations are
 *   expand-only, so the previous release runs on the newer schema.
 * Sent here by: a release that fails its verification or raises errors after a Render deploy
 *   (Incident Response → Application outage; Deployment Playbook → Platforms → Render).
 * Preconditions: a Render API key in a secret reference; the service id; a previous deploy.
 * Blast radius: one rollback deploy of that service. Render leaves automatic deploys as they are:
 *   with them on, the next push deploys again.
 */
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { apiUrlParam, callApi, checkReadiness, describeCall, pollSecondsParam, tokenParam } from "./_api.ts";
import {
  AUTH,
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
  deployId: z
    .string()
    .regex(/^dep-[a-z0-9]+$/, "a Render deploy id: dep-…")
    .optional()
    .describe("The deploy to roll back to (default: the one that was live before the current one)"),
  token: tokenParam("env:RENDER_API_KEY", "Render API key"),
  apiUrl: apiUrlParam(RENDER_API, "Render API's base URL"),
  pollSeconds: pollSecondsParam(),
  waitMinutes: z.coerce.number().int().min(1).max(120).default(15).describe("How long the rollback may take"),
});
type Params = z.infer<typeof params>;

const rollbackCall = (p: Params, deployId: string) => ({
  method: "POST" as const,
  url: `${serviceUrl(p)}/rollback`,
  body: { deployId },
});

export default defineRunbook({
  id: "render-rollback",
  title: "Roll back on Render (API)",
  summary:
    "Puts the previous deploy of the Render web service back live through the REST API, waits, then checks /readyz.",
  guide: "deployment-playbook",
  section: "Render",
  params,
  steps: (step) => [
    step({
      id: "choose",
      title: "Choose the deploy to return to",
      description:
        "Lists the last twenty deploys; the target is the deploy given, or the newest one that was live before the current one.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const deploys = await listDeploys(ctx, 20);
        showDeploys(ctx, deploys);
        const liveIndex = deploys.findIndex((d) => d.status === "live");
        const current = liveIndex === -1 ? null : (deploys[liveIndex] as RenderDeploy);
        let target: RenderDeploy | undefined;
        if (ctx.params.deployId) {
          target = deploys.find((d) => d.id === ctx.params.deployId);
          if (!target)
            throw new Error(`deploy ${ctx.params.deployId} is not among the service's last 20 deploys`);
        } else {
          // A deploy that was replaced by a later one is "deactivated": the newest of those after
          // the live one is the release that served before it.
          target = deploys.slice(liveIndex + 1).find((d) => d.status === "deactivated");
          if (!target) throw new Error("no earlier deploy to return to: name one with deployId=dep-…");
        }
        if (current && target.id === current.id) throw new Error(`deploy ${target.id} is already live`);
        ctx.log(`roll back from ${current?.id ?? "(none live)"} to ${target.id}`);
        return { current: current?.id ?? null, target: target.id };
      },
    }),
    step({
      id: "rollback",
      title: "Roll back",
      description: "POST /services/{serviceId}/rollback with the deploy id: Render redeploys that build.",
      danger: "change",
      timeoutMs: seconds(30),
      plan: (ctx) => [
        describeCall(rollbackCall(ctx.params, ctx.result<{ target: string }>("choose").target), AUTH),
      ],
      async run(ctx) {
        const { target } = ctx.result<{ target: string }>("choose");
        const deploy = await callApi<RenderDeploy>(ctx, rollbackCall(ctx.params, target), AUTH);
        ctx.log(`rollback deploy ${deploy.id} started (${deploy.status})`);
        return { deployId: deploy.id };
      },
    }),
    step({
      id: "wait",
      title: "Wait until the rollback is live",
      description: "Reads the rollback's deploy until Render says live.",
      danger: "read",
      timeoutMs: minutes(121),
      plan: (ctx) => [
        `${describeCall(deployCall(ctx.params, "<the rollback deploy's id>"), AUTH)} every ${ctx.params.pollSeconds} s until "live" (at most ${ctx.params.waitMinutes} min)`,
      ],
      async run(ctx) {
        const { deployId } = ctx.result<{ deployId: string }>("rollback");
        return waitUntilLive(ctx, deployId, ctx.params);
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
