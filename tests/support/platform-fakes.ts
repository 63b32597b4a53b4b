import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// Local fakes of the platform APIs the platform runbooks call, each answering the requests as the
// platform documents them (paths, methods, bodies, auth headers, the statuses a deploy goes
// through), on one server:
//   Render   REST  /v1/services/{id}, /deploys, /deploys/{id}, /rollback   (Authorization: Bearer)
//   Railway  GraphQL POST /graphql/v2 (Authorization: Bearer, or Project-Access-Token)
//   Vercel   REST  POST /v2/files (x-vercel-digest = SHA-1), POST /v13/deployments, GET /v13/deployments/{id}
//   the app  GET /readyz
// A deploy reports one in-progress status per read before it is live, so the runbooks really wait.

export interface Recorded {
  method: string;
  path: string;
  auth: string | null;
  body: unknown;
}

export interface PlatformFakes {
  url: string;
  requests: Recorded[];
  render: { deploys: Array<{ id: string; status: string; commit: { id: string; message: string } }> };
  railway: { deployments: Array<{ id: string; status: string; createdAt: string }> };
  vercel: {
    files: Map<string, number>;
    deployments: Map<string, { files: Array<{ file: string; sha: string }>; reads: number }>;
  };
  close(): Promise<void>;
}

export const TOKENS = {
  render: "rnd_fake_api_key_0123456789",
  railway: "rwy-fake-token-0123456789",
  vercel: "vcl_fake_token_0123456789",
};
export const RENDER_SERVICE = "srv-abc123";
export const RAILWAY_SERVICE = "11111111-2222-4333-8444-555555555555";
export const RAILWAY_ENVIRONMENT = "66666666-7777-4888-9999-000000000000";

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startPlatformFakes(): Promise<PlatformFakes> {
  const requests: Recorded[] = [];
  let n = 0;
  const render = {
    deploys: [
      { id: "dep-live1", status: "live", commit: { id: "a".repeat(40), message: "release 1.4.0" } },
      { id: "dep-old0", status: "deactivated", commit: { id: "b".repeat(40), message: "release 1.3.0" } },
    ],
  };
  const renderReads = new Map<string, number>();
  const railway = {
    deployments: [
      { id: "aaaaaaaa-0000-4000-8000-000000000001", status: "SUCCESS", createdAt: "2026-12-01T10:00:00Z" },
      { id: "aaaaaaaa-0000-4000-8000-000000000000", status: "REMOVED", createdAt: "2026-11-30T10:00:00Z" },
    ],
  };
  const railwayReads = new Map<string, number>();
  const vercel = {
    files: new Map<string, number>(),
    deployments: new Map<string, { files: Array<{ file: string; sha: string }>; reads: number }>(),
  };

  /** A deploy goes live on its second read: the previous live one is then deactivated. */
  const renderRead = (id: string) => {
    const deploy = render.deploys.find((d) => d.id === id);
    if (!deploy) return null;
    const reads = (renderReads.get(id) ?? 0) + 1;
    renderReads.set(id, reads);
    if (deploy.status === "build_in_progress" && reads >= 2) {
      for (const d of render.deploys) if (d.status === "live") d.status = "deactivated";
      deploy.status = "live";
    }
    return deploy;
  };
  const railwayRead = (id: string) => {
    const deployment = railway.deployments.find((d) => d.id === id);
    if (!deployment) return null;
    const reads = (railwayReads.get(id) ?? 0) + 1;
    railwayReads.set(id, reads);
    if (deployment.status === "BUILDING" && reads >= 2) {
      for (const d of railway.deployments) if (d.status === "SUCCESS") d.status = "REMOVED";
      deployment.status = "SUCCESS";
    }
    return deployment;
  };
  const newRailwayDeployment = () => {
    n += 1;
    const deployment = {
      id: `bbbbbbbb-0000-4000-8000-${String(n).padStart(12, "0")}`,
      status: "BUILDING",
      createdAt: new Date().toISOString(),
    };
    railway.deployments.unshift(deployment);
    return deployment;
  };

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const auth =
      (req.headers.authorization as string | undefined) ??
      (req.headers["project-access-token"]
        ? `Project-Access-Token ${req.headers["project-access-token"]}`
        : null);
    let body: unknown = null;
    if (req.headers["content-type"]?.includes("json") && raw.length > 0)
      body = JSON.parse(raw.toString("utf8"));
    requests.push({ method: req.method ?? "", path: url.pathname + url.search, auth, body });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(value));
    };
    const p = url.pathname;

    if (p === "/readyz") return json(200, { status: "ready" });

    if (p.startsWith("/v1/")) {
      if (auth !== `Bearer ${TOKENS.render}`) return json(401, { message: "unauthorized" });
      const m = /^\/v1\/services\/([^/]+)(\/.*)?$/.exec(p);
      if (!m || m[1] !== RENDER_SERVICE) return json(404, { message: "service not found" });
      const rest = m[2] ?? "";
      if (req.method === "GET" && rest === "")
        return json(200, { id: RENDER_SERVICE, name: "subjunctive-practice", type: "web_service" });
      if (req.method === "GET" && rest === "/deploys") {
        const limit = Number(url.searchParams.get("limit") ?? 20);
        return json(
          200,
          render.deploys.slice(0, limit).map((deploy) => ({ deploy, cursor: deploy.id })),
        );
      }
      if (req.method === "POST" && rest === "/deploys") {
        const b = body as { clearCache?: string; commitId?: string };
        if (b.clearCache !== "clear" && b.clearCache !== "do_not_clear")
          return json(400, { message: "clearCache" });
        n += 1;
        const deploy = {
          id: `dep-new${n}`,
          status: "build_in_progress",
          commit: { id: b.commitId ?? "c".repeat(40), message: "new" },
        };
        render.deploys.unshift(deploy);
        return json(201, deploy);
      }
      const d = /^\/deploys\/([^/]+)$/.exec(rest);
      if (req.method === "GET" && d) {
        const deploy = renderRead(d[1] as string);
        return deploy ? json(200, deploy) : json(404, { message: "deploy not found" });
      }
      if (req.method === "POST" && rest === "/rollback") {
        const target = render.deploys.find((x) => x.id === (body as { deployId?: string }).deployId);
        if (!target) return json(404, { message: "deploy not found" });
        n += 1;
        const deploy = { id: `dep-rb${n}`, status: "build_in_progress", commit: target.commit };
        render.deploys.unshift(deploy);
        return json(201, deploy);
      }
      return json(404, { message: "not found" });
    }

    if (p === "/graphql/v2" && req.method === "POST") {
      if (auth !== `Bearer ${TOKENS.railway}` && auth !== `Project-Access-Token ${TOKENS.railway}`)
        return json(200, { errors: [{ message: "Not Authorized" }] });
      const { query, variables } = body as { query: string; variables: Record<string, unknown> };
      const op = /^(query|mutation) (\w+)\(/.exec(query)?.[2];
      if (op === "service") {
        return variables.id === RAILWAY_SERVICE
          ? json(200, { data: { service: { id: RAILWAY_SERVICE, name: "app" } } })
          : json(200, { errors: [{ message: "Service not found" }] });
      }
      if (op === "deployments") {
        const input = variables.input as { serviceId: string; environmentId: string };
        if (input.serviceId !== RAILWAY_SERVICE || input.environmentId !== RAILWAY_ENVIRONMENT)
          return json(200, { data: { deployments: { edges: [] } } });
        const first = Number(variables.first ?? 10);
        return json(200, {
          data: { deployments: { edges: railway.deployments.slice(0, first).map((node) => ({ node })) } },
        });
      }
      if (op === "deployment") {
        const deployment = railwayRead(String(variables.id));
        return deployment
          ? json(200, { data: { deployment } })
          : json(200, { errors: [{ message: "Deployment not found" }] });
      }
      if (op === "serviceInstanceDeployV2") {
        if (variables.serviceId !== RAILWAY_SERVICE || variables.environmentId !== RAILWAY_ENVIRONMENT)
          return json(200, { errors: [{ message: "ServiceInstance not found" }] });
        return json(200, { data: { serviceInstanceDeployV2: newRailwayDeployment().id } });
      }
      if (op === "deploymentRollback") {
        if (!railway.deployments.some((d) => d.id === variables.id))
          return json(200, { errors: [{ message: "Deployment not found" }] });
        newRailwayDeployment();
        return json(200, { data: { deploymentRollback: true } });
      }
      return json(200, { errors: [{ message: `unknown operation ${op}` }] });
    }

    if (p === "/v2/files" || p.startsWith("/v13/")) {
      if (auth !== `Bearer ${TOKENS.vercel}`) return json(403, { error: { code: "forbidden" } });
      if (p === "/v2/files" && req.method === "POST") {
        const digest = req.headers["x-vercel-digest"];
        if (createHash("sha1").update(raw).digest("hex") !== digest)
          return json(400, { error: { code: "invalid_digest" } });
        vercel.files.set(String(digest), raw.length);
        return json(200, {});
      }
      if (p === "/v13/deployments" && req.method === "POST") {
        const b = body as {
          name: string;
          target: string;
          files: Array<{ file: string; sha: string; size: number }>;
        };
        const missing = b.files.filter((f) => !vercel.files.has(f.sha)).map((f) => f.sha);
        if (missing.length > 0) return json(400, { error: { code: "missing_files", missing } });
        n += 1;
        const id = `dpl_fake${n}`;
        vercel.deployments.set(id, { files: b.files, reads: 0 });
        return json(200, { id, url: `${b.name}-fake${n}.vercel.app`, readyState: "QUEUED" });
      }
      const d = /^\/v13\/deployments\/([^/]+)$/.exec(p);
      if (req.method === "GET" && d) {
        const deployment = vercel.deployments.get(d[1] as string);
        if (!deployment) return json(404, { error: { code: "not_found" } });
        deployment.reads += 1;
        return json(200, { id: d[1], readyState: deployment.reads >= 2 ? "READY" : "BUILDING" });
      }
    }
    json(404, { message: `no fake for ${req.method} ${p}` });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    render,
    railway,
    vercel,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
