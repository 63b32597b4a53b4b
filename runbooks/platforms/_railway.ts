import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { type ApiCall, type AuthScheme, BEARER, callApi, pollStatus } from "./_api.ts";

// Railway's public GraphQL API (https://docs.railway.com/integrations/api): one endpoint, a POST of
// { query, variables } per call. An account or workspace token goes in "Authorization: Bearer";
// a project token (scoped to one environment) in "Project-Access-Token".

export const RAILWAY_API = "https://backboard.railway.com/graphql/v2";

export const tokenKindParam = z
  .enum(["account", "project"])
  .default("account")
  .describe("account (or workspace) token: Authorization: Bearer; project token: Project-Access-Token");

export function authFor(kind: "account" | "project"): AuthScheme {
  return kind === "project" ? { header: "Project-Access-Token", prefix: "" } : BEARER;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const uuidParam = (what: string) =>
  z
    .string()
    .regex(ID, `a Railway ${what} id (a UUID: Settings, or the dashboard URL)`)
    .describe(`The Railway ${what} id`);

/** Railway's deployment statuses: SUCCESS ends a wait; these end it as a failure. */
export const DEPLOYMENT_DONE = ["SUCCESS"] as const;
export const DEPLOYMENT_FAILED = ["FAILED", "CRASHED", "REMOVED", "SKIPPED"] as const;

export const QUERIES = {
  service: "query service($id: String!) { service(id: $id) { id name } }",
  deployments:
    "query deployments($input: DeploymentListInput!, $first: Int) { deployments(input: $input, first: $first) { edges { node { id status createdAt meta } } } }",
  deployment: "query deployment($id: String!) { deployment(id: $id) { id status } }",
  deploy:
    "mutation serviceInstanceDeployV2($serviceId: String!, $environmentId: String!, $commitSha: String) { serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId, commitSha: $commitSha) }",
  rollback: "mutation deploymentRollback($id: String!) { deploymentRollback(id: $id) }",
} as const;

export interface RailwayDeployment {
  id: string;
  status: string;
  createdAt?: string;
  meta?: { commitHash?: string; commitMessage?: string } | null;
}

type Ctx = StepContext<{ token: string; apiUrl: string; tokenKind: "account" | "project" }>;

export function graphqlCall(apiUrl: string, query: string, variables: Record<string, unknown>): ApiCall {
  return { method: "POST", url: apiUrl, body: { query, variables } };
}

/** One GraphQL operation; an answer with `errors` fails with their messages. */
export async function graphql<T>(ctx: Ctx, query: string, variables: Record<string, unknown>): Promise<T> {
  const answer = await callApi<{ data?: T; errors?: Array<{ message: string }> }>(
    ctx,
    graphqlCall(ctx.params.apiUrl, query, variables),
    authFor(ctx.params.tokenKind),
  );
  if (answer?.errors?.length)
    throw new Error(`Railway answered: ${answer.errors.map((e) => e.message).join("; ")}`);
  if (!answer?.data) throw new Error("Railway answered without data");
  return answer.data;
}

export async function listDeployments(
  ctx: Ctx,
  serviceId: string,
  environmentId: string,
  first: number,
): Promise<RailwayDeployment[]> {
  const data = await graphql<{ deployments: { edges: Array<{ node: RailwayDeployment }> } }>(
    ctx,
    QUERIES.deployments,
    { input: { serviceId, environmentId }, first },
  );
  return data.deployments.edges.map((e) => e.node);
}

export function showDeployments(ctx: Ctx, deployments: RailwayDeployment[]): void {
  for (const d of deployments)
    ctx.log(
      `  ${d.id}  ${d.status.padEnd(10)} ${d.meta?.commitHash?.slice(0, 7) ?? "-------"}  ${d.createdAt ?? ""}  ${(d.meta?.commitMessage ?? "").split("\n")[0]?.slice(0, 60) ?? ""}`,
    );
}

export async function waitForDeployment(
  ctx: Ctx,
  deploymentId: string,
  options: { pollSeconds: number; waitMinutes: number },
): Promise<{ deploymentId: string; status: string }> {
  const status = await pollStatus(
    ctx,
    `deployment ${deploymentId}`,
    async () =>
      (await graphql<{ deployment: RailwayDeployment }>(ctx, QUERIES.deployment, { id: deploymentId }))
        .deployment.status,
    { done: DEPLOYMENT_DONE, failed: DEPLOYMENT_FAILED },
    { timeoutMs: options.waitMinutes * 60_000, intervalMs: options.pollSeconds * 1_000 },
  );
  return { deploymentId, status };
}
