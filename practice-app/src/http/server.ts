import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { AppDeps } from "../api/context.ts";
import { checkReadiness } from "./health.ts";
import { requestIdOf } from "./request-info.ts";
import { SECURITY_HEADERS, type StaticFile } from "./static-files.ts";
import { handleTrpc } from "./trpc-handler.ts";

export interface ServerState {
  shuttingDown: boolean;
  startedAt: number;
}

const QUIET_ROUTES = new Set(["/healthz", "/readyz", "/metrics"]);

export function createRequestListener(
  deps: AppDeps,
  state: ServerState,
  page: Map<string, StaticFile>,
): RequestListener {
  return (req, res) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    res.setHeader("X-Request-Id", requestId);
    // While draining, ask keep-alive clients to reconnect elsewhere after this response.
    if (state.shuttingDown) res.setHeader("Connection", "close");
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
    const handled =
      route === "trpc"
        ? handleTrpc(deps, req, res)
        : deps.work.track(handlePlainRoute(deps, state, page, path, req, res));
    handled.catch((error: unknown) => {
      deps.logger.error({ err: error, requestId, path }, "request failed");
      if (!res.headersSent) sendJson(res, 500, { error: "Internal error", requestId });
      else res.destroy();
    });
  };
}

async function handlePlainRoute(
  deps: AppDeps,
  state: ServerState,
  page: Map<string, StaticFile>,
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
      sendJson(res, 200, { status: "ok", uptimeSeconds: Math.round((Date.now() - state.startedAt) / 1000) });
      return;
    case "/readyz": {
      const readiness = await checkReadiness({
        pool: deps.pool,
        redis: deps.redis,
        maintenance: deps.maintenance,
        shuttingDown: state.shuttingDown,
      });
      sendJson(res, readiness.httpStatus, readiness.body);
      return;
    }
    case "/metrics": {
      const body = await deps.metrics.registry.metrics();
      res.writeHead(200, { "Content-Type": deps.metrics.registry.contentType, "Cache-Control": "no-store" });
      res.end(body);
      return;
    }
  }
  const file = page.get(path);
  if (file && isRead) {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "Content-Type": file.contentType,
      "Content-Length": file.body.length,
      "Cache-Control": path === "/" ? "no-cache" : "public, max-age=300",
    });
    res.end(req.method === "HEAD" ? undefined : file.body);
    return;
  }
  sendJson(res, 404, { error: `Not found: ${path}. The API is under /trpc/; the learner page is at /.` });
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
