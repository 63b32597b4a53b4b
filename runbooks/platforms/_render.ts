import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { type ApiCall, BEARER, callApi, pathSegment, pollStatus } from "./_api.ts";

// Render's REST API (https://api-docs.render.com/reference): the calls the Render runbooks make.
// An API key (Account settings → API Keys) is sent as "Authorization: Bearer <key>".

export const RENDER_API = "https://api.render.com/v1";
export const AUTH = BEARER;

export interface RenderDeploy {
  id: string;
  status: string;
  commit?: { id?: string; message?: string } | null;
  createdAt?: string;
  finishedAt?: string | null;
  trigger?: string;
}

/** Render's deploy statuses: live ends a wait; these end it as a failure. */
export const DEPLOY_DONE = ["live"] as const;
export const DEPLOY_FAILED = [
  "build_failed",
  "update_failed",
  "pre_deploy_failed",
  "canceled",
  "deactivated",
] as const;

export const serviceIdParam = z
  .string()
  .regex(/^srv-[a-z0-9]+$/, "a Render service id: srv-… (the service's Settings page, or its URL)")
  .describe("The Render service id of the app (srv-…)");

type Ctx = StepContext<{ token: string; apiUrl: string; serviceId: string }>;

export const serviceUrl = (p: { apiUrl: string; serviceId: string }) =>
  `${p.apiUrl.replace(/\/+$/, "")}/services/${encodeURIComponent(p.serviceId)}`;

export const listDeploysCall = (p: { apiUrl: string; serviceId: string }, limit: number): ApiCall => ({
  method: "GET",
  url: `${serviceUrl(p)}/deploys?limit=${limit}`,
});

export const deployCall = (p: { apiUrl: string; serviceId: string }, deployId: string): ApiCall => ({
  method: "GET",
  url: `${serviceUrl(p)}/deploys/${pathSegment(deployId)}`,
});

/** The newest deploys, newest first (the API wraps each in { deploy, cursor }). */
export async function listDeploys(ctx: Ctx, limit: number): Promise<RenderDeploy[]> {
  const page = await callApi<Array<{ deploy: RenderDeploy }>>(ctx, listDeploysCall(ctx.params, limit), AUTH);
  return page.map((item) => item.deploy);
}

export function showDeploys(ctx: Ctx, deploys: RenderDeploy[]): void {
  for (const d of deploys)
    ctx.log(
      `  ${d.id}  ${d.status.padEnd(20)} ${d.commit?.id?.slice(0, 7) ?? "-------"}  ${d.createdAt ?? ""}  ${(d.commit?.message ?? "").split("\n")[0]?.slice(0, 60) ?? ""}`,
    );
}

export async function waitUntilLive(
  ctx: Ctx,
  deployId: string,
  options: { pollSeconds: number; waitMinutes: number },
): Promise<{ deployId: string; status: string }> {
  const status = await pollStatus(
    ctx,
    `deploy ${deployId}`,
    async () => (await callApi<RenderDeploy>(ctx, deployCall(ctx.params, deployId), AUTH)).status,
    { done: DEPLOY_DONE, failed: DEPLOY_FAILED },
    { timeoutMs: options.waitMinutes * 60_000, intervalMs: options.pollSeconds * 1_000 },
  );
  return { deployId, status };
}
