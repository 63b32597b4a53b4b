import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

const REQUEST_ID = /^[\w.-]{1,64}$/;
const ASSIGNED = Symbol("requestId");

/** The caller's X-Request-Id when it is sane, else a new one; stable for the request's lifetime. */
export function requestIdOf(req: IncomingMessage): string {
  const holder = req as IncomingMessage & { [ASSIGNED]?: string };
  const existing = holder[ASSIGNED];
  if (existing) return existing;
  const given = req.headers["x-request-id"];
  const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
  holder[ASSIGNED] = id;
  return id;
}

export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    // The proxy appends the address it saw, so the last entry is the one a client cannot forge.
    const forwarded = req.headers["x-forwarded-for"];
    const last = (Array.isArray(forwarded) ? forwarded.join(",") : forwarded)?.split(",").at(-1)?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? "unknown";
}
