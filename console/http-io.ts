import type { IncomingMessage, ServerResponse } from "node:http";
import type { Refusal } from "./guard.ts";

// Reading and writing the console's HTTP bodies: JSON in (bounded), JSON or text out.

export const MAX_BODY = 16 * 1024;

/** A request the console refuses before any route sees it (too large, not JSON). */
export class BodyError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BodyError(413, `the body is over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text === "" ? "{}" : text);
  } catch {
    throw new BodyError(400, "the body is not valid JSON");
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

export function sendText(res: ServerResponse, refusal: Refusal): void {
  res.writeHead(refusal.status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(`${refusal.error}\n`);
}
