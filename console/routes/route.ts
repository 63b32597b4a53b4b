import type { IncomingMessage, ServerResponse } from "node:http";
import type { ZodMiniType } from "zod/mini";
import type { Masker } from "../../runbooks/engine/mask.ts";
import { ID_PATTERN, RUN_ID_PATTERN } from "../protocol.ts";
import type { RunbookRegistry } from "../registry.ts";
import type { RunManager } from "../runs.ts";
import type { ConsoleSessions } from "../sessions.ts";
import type { SignInChallenges } from "../sign-in-challenges.ts";

// One route of the console API: its method, path pattern, body schema and access, and a handler
// that receives what it needs as arguments. No state is shared between routes but these deps.

export interface RouteDeps {
  sessions: ConsoleSessions;
  runs: RunManager;
  registry: RunbookRegistry;
  masker: Masker;
  /** The actor of a session: its operator's name (the audit log's `actor`). */
  actorOf(session: string): string;
  /** Challenges for signing in with an SSH key. */
  challenges: SignInChallenges;
  /** Whether the browser reaches the console over https (TLS here or at a proxy): cookies are Secure. */
  secure: boolean;
  dataDir: string;
  processEnv: NodeJS.ProcessEnv;
  /** One JSON object per line in the console's log (masked). */
  log(entry: Record<string, unknown>): void;
}

export interface RouteRequest<B> {
  body: B;
  /** Path parameters, already checked against their patterns. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The signed-in session; "" for a public route. */
  session: string;
  req: IncomingMessage;
  res: ServerResponse;
}

/** A JSON answer; a handler that streams or sends a file writes `res` itself and returns nothing. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** For a refusal (4xx): the rule that refused it, as the audit log names it. */
  rule?: string;
  /** For a refusal: the name the request claimed (a signature's principal), audited beside the address. */
  claimed?: string;
}

export interface Route<B = unknown> {
  method: "GET" | "POST";
  /** e.g. "/api/runs/:runId/cancel"; each :name has a pattern in PATH_PARAMS. */
  path: string;
  /** POST bodies are parsed with it; GET routes take none. */
  body?: ZodMiniType<B>;
  /** public: no session; session: the cookie; stream: the cookie and a single-use ticket (EventSource sends no headers). */
  access: "public" | "session" | "stream";
  handle(request: RouteRequest<B>, deps: RouteDeps): Promise<Reply | undefined>;
}

/** What a path parameter may be, and how a refusal names it. */
export const PATH_PARAMS: Record<string, { pattern: RegExp; what: string }> = {
  runId: { pattern: RUN_ID_PATTERN, what: "a run id" },
  name: { pattern: ID_PATTERN, what: "an artifact name" },
};

/** Identity, so a route's body type is inferred from its schema. */
export function defineRoute<B>(route: Route<B>): Route<B> {
  for (const [, name] of route.path.matchAll(/:(\w+)/g))
    if (!name || !PATH_PARAMS[name])
      throw new Error(`route ${route.path}: no pattern for path parameter :${name}`);
  return route;
}

export type PathMatch = { params: Record<string, string> } | { invalid: string } | null;

/** Matches a path against a pattern; a segment that fails its parameter's pattern is `invalid`. */
export function matchPath(pattern: string, pathname: string): PathMatch {
  const want = pattern.split("/");
  const got = pathname.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  let invalid: string | null = null;
  for (const [i, part] of want.entries()) {
    const value = got[i] ?? "";
    if (!part.startsWith(":")) {
      if (part !== value) return null;
      continue;
    }
    const name = part.slice(1);
    let decoded: string;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      decoded = value;
    }
    const rule = PATH_PARAMS[name];
    if (!rule?.pattern.test(decoded)) invalid ??= `"${decoded}" is not ${rule?.what ?? name}`;
    params[name] = decoded;
  }
  return invalid ? { invalid } : { params };
}
