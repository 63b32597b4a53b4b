import type { IncomingMessage, ServerResponse } from "node:http";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "../api/app-router.ts";
import { type AppDeps, type Context, createInnerContext } from "../api/context.ts";
import { AppError } from "../api/errors.ts";
import { bearerToken } from "../auth/tokens.ts";
import { clientIp, requestIdOf } from "./request-info.ts";

// Serves /trpc/* through tRPC's fetch adapter, with a Request built here rather than by tRPC's
// node adapter. That adapter gives every Request an AbortSignal, and undici keeps each such signal
// in a FinalizationRegistry that is not drained under a saturated event loop: heap snapshots while
// running `npm run bench:app` showed 12,000 signals retained per 10 s. A Request without a signal
// registers nothing. (The node adapter's promise also never settled when a client hung up.)

export const TRPC_PREFIX = "/trpc";

export async function handleTrpc(deps: AppDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "GET";
  let body: Buffer | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const read = await readBody(req, deps.config.MAX_BODY_BYTES);
    if (read === "too-large") {
      writeTooLarge(res, deps.config.MAX_BODY_BYTES);
      return;
    }
    body = read;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: new Uint8Array(body) }),
  });
  const response = await fetchRequestHandler({
    endpoint: TRPC_PREFIX,
    req: request,
    router: appRouter,
    createContext: () => contextFromRequest(deps, req),
    responseMeta({ errors }) {
      const retryAfter = errors
        .map((error) => (error.cause instanceof AppError ? error.cause.retryAfterSeconds : undefined))
        .find((value) => value !== undefined);
      return retryAfter === undefined ? {} : { headers: { "Retry-After": String(retryAfter) } };
    },
  });
  const payload = Buffer.from(await response.arrayBuffer());
  if (res.destroyed) return;
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  res.setHeader("Content-Length", payload.length);
  res.end(payload);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve("too-large");
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

function writeTooLarge(res: ServerResponse, limit: number): void {
  const text = JSON.stringify({
    error: {
      message: `Request body is larger than ${limit} bytes.`,
      code: -32600,
      data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 },
    },
  });
  res.writeHead(413, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    Connection: "close",
  });
  res.end(text);
}

/** The adapter's wrapper around the inner context: reads the HTTP request into it. */
export function contextFromRequest(deps: AppDeps, req: IncomingMessage): Context {
  const userAgent = req.headers["user-agent"];
  return createInnerContext(deps, {
    token: bearerToken(req.headers.authorization),
    ip: clientIp(req, deps.config.TRUST_PROXY),
    userAgent: typeof userAgent === "string" ? userAgent.slice(0, 200) : null,
    requestId: requestIdOf(req),
  });
}
