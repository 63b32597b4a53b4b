import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

// A Sentry-compatible ingest endpoint for tests: accepts what the SDK's transport posts
// (POST /api/<project>/envelope/, an envelope: a header line, then item header and payload lines,
// https://develop.sentry.dev/sdk/data-model/envelopes/) and keeps each event item with the raw body.

export interface ReceivedEvent {
  /** The event payload (item type "event"). */
  event: Record<string, unknown>;
  /** The whole envelope as received (decompressed), for "this never left the app" assertions. */
  raw: string;
  project: string;
  sentryKey: string | null;
}

export interface SentryInbox {
  /** A DSN pointing at this server for project 42. */
  dsn: string;
  events: ReceivedEvent[];
  /** Every request body received, whatever its path. */
  bodies: string[];
  /** Resolves with the first event that matches (events already received included). */
  waitFor(match: (event: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  close(): Promise<void>;
}

export const INBOX_KEY = "0123456789abcdef0123456789abcdef";

/** The items of an envelope: each item header names its type and, optionally, its payload length. */
export function parseEnvelope(body: Buffer): Array<{ type: string; payload: string }> {
  const items: Array<{ type: string; payload: string }> = [];
  let at = body.indexOf(10) + 1; // after the envelope header
  if (at === 0) return items;
  while (at < body.length) {
    const headerEnd = body.indexOf(10, at);
    if (headerEnd === -1) break;
    const header = JSON.parse(body.subarray(at, headerEnd).toString("utf8")) as {
      type: string;
      length?: number;
    };
    const start = headerEnd + 1;
    let end: number;
    if (typeof header.length === "number") end = start + header.length;
    else {
      const newline = body.indexOf(10, start);
      end = newline === -1 ? body.length : newline;
    }
    items.push({ type: header.type, payload: body.subarray(start, end).toString("utf8") });
    at = end + 1;
  }
  return items;
}

export async function startSentryInbox(): Promise<SentryInbox> {
  const events: ReceivedEvent[] = [];
  const bodies: string[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      bodies.push(body.toString("utf8"));
      const match = /^\/api\/(\d+)\/envelope\/?(\?.*)?$/.exec(req.url ?? "");
      if (req.method !== "POST" || !match) {
        res.writeHead(404).end();
        return;
      }
      const auth = `${req.headers["x-sentry-auth"] ?? ""} ${req.url}`;
      const sentryKey = /sentry_key=([0-9a-f]+)/.exec(auth)?.[1] ?? null;
      for (const item of parseEnvelope(body)) {
        if (item.type !== "event") continue;
        events.push({
          event: JSON.parse(item.payload),
          raw: body.toString("utf8"),
          project: match[1] as string,
          sentryKey,
        });
      }
      for (const wake of waiters) wake();
      res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://${INBOX_KEY}@127.0.0.1:${port}/42`,
    events,
    bodies,
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; received ${events.length}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
