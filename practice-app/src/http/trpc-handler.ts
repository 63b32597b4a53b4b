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
  const url = parseRequestUrl(req.url);
  if (!url) {
    writeError(res, 400, "BAD_REQUEST", "The request target is not a valid URL path.");
    return;
  }
  const calls = batchSize(url);
  if (calls > deps.config.TRPC_MAX_BATCH_SIZE) {
    writeError(
      res,
      400,
      "BATCH_TOO_LARGE",
      `A batch may carry at most ${deps.config.TRPC_MAX_BATCH_SIZE} calls; this one has ${calls}. Nothing was run: send the calls in smaller batches.`,
    );
    return;
  }
  let body: Buffer | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const read = await readBody(req, deps.config.MAX_BODY_BYTES);
    if (read === "too-large") {
      writeTooLarge(res, deps.config.MAX_BODY_BYTES);
      return;
    }
    body = read;
  }
  if (carriesNul(url, body)) {
    writeError(
      res,
      400,
      "BAD_REQUEST",
      "The input contains a NUL character (\\u0000), which no field accepts. Nothing was saved.",
    );
    return;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  // The origin is fixed: tRPC reads only the path and query, and the Host header (checked in
  // server.ts) is never trusted to build a URL.
  const request = new Request(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body: new Uint8Array(body) }),
  });
  const handled = fetchRequestHandler({
    endpoint: TRPC_PREFIX,
    req: request,
    router: appRouter,
    maxBatchSize: deps.config.TRPC_MAX_BATCH_SIZE,
    createContext: () => contextFromRequest(deps, req),
    responseMeta({ errors }) {
      const retryAfter = errors
        .map((error) => (error.cause instanceof AppError ? error.cause.retryAfterSeconds : undefined))
        .find((value) => value !== undefined);
      return retryAfter === undefined ? {} : { headers: { "Retry-After": String(retryAfter) } };
    },
  });
  const response = await withinDeadline(handled, deps.config.REQUEST_TIMEOUT_MS);
  if (response === "timed-out") {
    // The procedure keeps running to its end (the work tracker waits for it at shutdown), bounded
    // by the statement timeout; its answer is dropped.
    if (res.destroyed || res.headersSent) return;
    deps.errors.requestFailed(undefined, {
      requestId: requestIdOf(req),
      method,
      path: url.pathname,
      status: 503,
    });
    res.setHeader("Retry-After", "5");
    writeError(
      res,
      503,
      "TIMEOUT",
      `The server did not finish this request within ${deps.config.REQUEST_TIMEOUT_MS} ms. Try again shortly; if it was a change, check whether it was saved first.`,
    );
    return;
  }
  const payload = Buffer.from(await response.arrayBuffer());
  if (res.destroyed) return;
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  res.setHeader("Content-Length", payload.length);
  // Per learner and per moment: no CDN or browser may keep a copy, whatever its rules say.
  res.setHeader("Cache-Control", "no-store");
  res.end(payload);
}

const ORIGIN = "http://app.invalid";

function parseRequestUrl(target: string | undefined): URL | null {
  // Origin-form only ("/trpc/..."): an absolute or authority form is not for this server.
  if (!target?.startsWith("/") || target.startsWith("//")) return null;
  try {
    return new URL(target, ORIGIN);
  } catch {
    return null;
  }
}

/** Calls in a batch: `/trpc/a,b,c?batch=1` is three. */
function batchSize(url: URL): number {
  if (url.searchParams.get("batch") !== "1") return 1;
  return url.pathname.slice(TRPC_PREFIX.length + 1).split(",").length;
}

const NUL_ESCAPE = /\\u0000/i;

/** A NUL character, raw or as a JSON escape, anywhere in the input. PostgreSQL cannot store one. */
function carriesNul(url: URL, body: Buffer | undefined): boolean {
  const input = url.searchParams.get("input");
  if (input !== null && (input.includes("\0") || NUL_ESCAPE.test(input))) return true;
  if (body === undefined) return false;
  return body.includes(0) || NUL_ESCAPE.test(body.toString("utf8"));
}

async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T | "timed-out"> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<"timed-out">((resolve) => {
        timer = setTimeout(() => resolve("timed-out"), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** An error in tRPC's response shape, for refusals made before tRPC sees the request. */
function writeError(res: ServerResponse, status: 400 | 503, code: string, message: string): void {
  const text = JSON.stringify({ error: { message, code: -32600, data: { code, httpStatus: status } } });
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
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
