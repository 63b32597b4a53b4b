import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { AppDeps } from "../api/context.ts";
import type { Release } from "../release.ts";
import { type AllowList, createAllowList } from "./allow-list.ts";
import { checkReadiness } from "./health.ts";
import { clientIp, requestIdOf } from "./request-info.ts";
import { notModified, SECURITY_HEADERS, type StaticFile } from "./static-files.ts";
import { handleTrpc } from "./trpc-handler.ts";

export interface ServerState {
  shuttingDown: boolean;
  startedAt: number;
  /** The release this instance runs, on /healthz (and app_build_info on /metrics). */
  release: Release;
  /** Responses not yet sent, so shutdown can mark them `Connection: close` too. */
  inFlight: Set<ServerResponse>;
}

/** A host name (underscores allowed: container names have them), IPv4 or bracketed IPv6 address, optional port. */
const VALID_HOST =
  /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** Starts draining: responses still to be written close their connection, so clients reconnect elsewhere. */
export function markDraining(state: ServerState): void {
  state.shuttingDown = true;
  for (const res of state.inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
}

/** The listener of METRICS_PORT: /metrics alone, for the allowed addresses. */
export function createMetricsListener(deps: AppDeps): RequestListener {
  const allowList = createAllowList(deps.config.METRICS_ALLOW);
  return (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path !== "/metrics") {
      sendJson(res, 404, { error: `Not found: ${path}. This port serves /metrics only.` });
      return;
    }
    serveMetrics(deps, allowList, req, res).catch((error: unknown) => {
      deps.logger.error({ err: error }, "metrics request failed");
      deps.errors.requestFailed(error, { requestId: requestIdOf(req), method: "GET", path, status: 500 });
      if (!res.headersSent) sendJson(res, 500, { error: "Internal error" });
      else res.destroy();
    });
  };
}

const QUIET_ROUTES = new Set(["/healthz", "/readyz", "/metrics"]);

export function createRequestListener(
  deps: AppDeps,
  state: ServerState,
  page: Map<string, StaticFile>,
): RequestListener {
  const metricsAllowed = createAllowList(deps.config.METRICS_ALLOW);
  return (req, res) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    res.setHeader("X-Request-Id", requestId);
    // While draining, ask keep-alive clients to reconnect elsewhere after this response
    // (responses already in flight when draining starts are marked by markDraining).
    if (state.shuttingDown) res.setHeader("Connection", "close");
    state.inFlight.add(res);
    res.once("close", () => state.inFlight.delete(res));
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const route = path.startsWith("/trpc/")
      ? "trpc"
      : page.has(path)
        ? "page"
        : QUIET_ROUTES.has(path)
          ? path
          : "other";
    res.on("finish", () => {
      deps.metrics.httpRequests.inc({ route, status: String(res.statusCode) });
      if (deps.config.LOG_REQUESTS && !QUIET_ROUTES.has(path)) {
        deps.logger.info(
          {
            requestId,
            method: req.method,
            path,
            status: res.statusCode,
            ms: Math.round((performance.now() - started) * 10) / 10,
          },
          "request",
        );
      }
    });
    const host = req.headers.host;
    if (host !== undefined && !VALID_HOST.test(host)) {
      // A client error, answered plainly: not logged as a failure, never echoed back.
      sendJson(res, 400, { error: "Bad request: the Host header is not a valid host name.", requestId });
      return;
    }
    const handled =
      route === "trpc"
        ? handleTrpc(deps, req, res)
        : deps.work.track(handlePlainRoute(deps, state, page, metricsAllowed, path, req, res));
    handled.catch((error: unknown) => {
      deps.logger.error({ err: error, requestId, path }, "request failed");
      deps.errors.requestFailed(error, { requestId, method: req.method ?? "GET", path, status: 500 });
      if (!res.headersSent) sendJson(res, 500, { error: "Internal error", requestId });
      else res.destroy();
    });
  };
}

async function handlePlainRoute(
  deps: AppDeps,
  state: ServerState,
  page: Map<string, StaticFile>,
  metricsAllowed: AllowList,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const isRead = req.method === "GET" || req.method === "HEAD";
  const known = QUIET_ROUTES.has(path) || page.has(path);
  if (known && !isRead) {
    res.setHeader("Allow", "GET, HEAD");
    sendJson(res, 405, { error: `${req.method} is not allowed on ${path}; use GET.` });
    return;
  }
  switch (path) {
    case "/healthz":
      sendJson(res, 200, {
        status: "ok",
        uptimeSeconds: Math.round((Date.now() - state.startedAt) / 1000),
        version: state.release.version,
        commit: state.release.commit,
      });
      return;
    case "/readyz": {
      const readiness = await checkReadiness({
        pool: deps.readinessPool,
        redis: deps.redis,
        maintenance: deps.maintenance,
        shuttingDown: state.shuttingDown,
      });
      sendJson(res, readiness.httpStatus, readiness.body);
      return;
    }
    case "/metrics":
      // With METRICS_PORT set, metrics are served there only.
      if (deps.config.METRICS_PORT === undefined) {
        await serveMetrics(deps, metricsAllowed, req, res);
        return;
      }
      break;
  }
  const file = page.get(path);
  if (file && isRead) {
    const cache = { "Cache-Control": file.cacheControl, ETag: file.etag };
    if (notModified(req.headers["if-none-match"], file)) {
      // A CDN or browser revalidating its copy: it is current.
      res.writeHead(304, cache);
      res.end();
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      ...cache,
      "Content-Type": file.contentType,
      "Content-Length": file.body.length,
    });
    res.end(req.method === "HEAD" ? undefined : file.body);
    return;
  }
  sendJson(res, 404, { error: `Not found: ${path}. The API is under /trpc/; the learner page is at /.` });
}

/** Metrics for allowed addresses; everyone else gets 403 naming the setting. */
async function serveMetrics(
  deps: AppDeps,
  allowList: AllowList,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!allowList.allows(clientIp(req, deps.config.TRUST_PROXY))) {
    sendJson(res, 403, { error: "Forbidden: /metrics is served only to the addresses in METRICS_ALLOW." });
    return;
  }
  const body = await deps.metrics.registry.metrics();
  res.writeHead(200, { "Content-Type": deps.metrics.registry.contentType, "Cache-Control": "no-store" });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(text);
}
