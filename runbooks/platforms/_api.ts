import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { parseSecretRef, resolveSecretRef, SecretRefError } from "../engine/secret-refs.ts";
import { waitFor } from "../lib/process.ts";

// What the platform runbooks share: a token that is always a secret reference (never the token in
// a parameter, where it would reach argv and the audit log), an API base URL that is https (or the
// loopback, for the tests' fake servers), and calls that print exactly what they send, the token
// masked, both when they run and in a plan.

/** A parameter holding a secret reference (file:, env:, cmd:) to an API token. */
export function tokenParam(defaultRef: string, what: string) {
  return z
    .string()
    .default(defaultRef)
    .refine((value) => parseSecretRef(value) !== null, {
      message:
        "must be a secret reference (env:NAME, file:/path or cmd:<command>), never the token itself: a parameter is recorded in the audit log",
    })
    .describe(`Where the ${what} is: a secret reference (env:NAME, file:/path, cmd:<command>)`);
}

/** An API's base URL: https, or http on the loopback only (a token never travels in clear). */
export function apiUrlParam(defaultUrl: string, what: string) {
  return z
    .string()
    .default(defaultUrl)
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return (
            url.protocol === "https:" ||
            (url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname))
          );
        } catch {
          return false;
        }
      },
      { message: "must be an https:// URL (http:// only on 127.0.0.1, for a local fake)" },
    )
    .describe(`The ${what} (change it only to point at a test double)`);
}

/** Resolves the token's reference and teaches the masker its value. */
export function resolveToken(ctx: StepContext<{ token: string }>, variable = "token"): string {
  const ref = parseSecretRef(ctx.params.token);
  if (!ref) throw new Error(`${variable} must be a secret reference`);
  try {
    const value = resolveSecretRef(ref);
    ctx.secret(value);
    return value;
  } catch (error) {
    if (error instanceof SecretRefError) throw new Error(`parameter ${variable}: ${error.message}`);
    throw error;
  }
}

export interface ApiCall {
  method: "GET" | "POST";
  url: string;
  /** Header name → value; the token's header is added by `call`. */
  headers?: Record<string, string>;
  /** A JSON body, or raw bytes (a file upload). */
  body?: unknown;
  raw?: Buffer;
}

export interface AuthScheme {
  /** The header carrying the token. */
  header: string;
  /** How the value is written: "Bearer <token>" or the token alone. */
  prefix: string;
}

export const BEARER: AuthScheme = { header: "Authorization", prefix: "Bearer " };

/** One line per call, the way plans and runs print it: method, URL, the auth header masked, the body. */
export function describeCall(call: ApiCall, auth: AuthScheme): string {
  const headers = { [auth.header]: `${auth.prefix}***`, ...call.headers };
  const shown = Object.entries(headers)
    .map(([name, value]) => `-H '${name}: ${value}'`)
    .join(" ");
  const body =
    call.raw !== undefined
      ? ` (${call.raw.length} bytes)`
      : call.body === undefined
        ? ""
        : ` ${JSON.stringify(call.body)}`;
  return `${call.method} ${call.url} ${shown}${body}`;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/** Sends one call with a timeout; a non-2xx answer fails with its status and the start of its body. */
export async function callApi<T>(
  ctx: StepContext<{ token: string }>,
  call: ApiCall,
  auth: AuthScheme,
  timeoutMs = 20_000,
): Promise<T> {
  const token = resolveToken(ctx);
  ctx.log(`→ ${describeCall(call, auth)}`);
  const headers: Record<string, string> = { ...call.headers, [auth.header]: `${auth.prefix}${token}` };
  let body: BodyInit | undefined;
  if (call.raw !== undefined) body = Uint8Array.from(call.raw);
  else if (call.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(call.body);
  }
  let res: Response;
  try {
    res = await fetch(call.url, {
      method: call.method,
      headers,
      body,
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(
      `${call.method} ${call.url} did not answer (${cause}); check the address and your network`,
    );
  }
  const text = await res.text();
  if (!res.ok) {
    const hint =
      res.status === 401 || res.status === 403
        ? ": the token was refused; check that the reference points at a valid token with access to this service"
        : "";
    throw new ApiError(
      `${call.method} ${call.url} answered ${res.status}${hint}: ${text.slice(0, 300)}`,
      res.status,
    );
  }
  ctx.log(`← ${res.status}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** Polls a status until it is one of `done` (returned) or one of `failed` (thrown). */
export async function pollStatus(
  ctx: StepContext<{ token: string }>,
  what: string,
  read: () => Promise<string>,
  states: { done: readonly string[]; failed: readonly string[] },
  options: { timeoutMs: number; intervalMs: number },
): Promise<string> {
  let last = "";
  return waitFor(
    async () => {
      const status = await read();
      if (status !== last) ctx.log(`${what}: ${status}`);
      last = status;
      if (states.failed.includes(status)) throw new Error(`${what} ended ${status}`);
      return states.done.includes(status) ? status : undefined;
    },
    { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs, signal: ctx.signal, what },
  );
}

/** The app's own readiness at the environment's URL, after the platform says the release is live. */
export async function checkReadiness(ctx: StepContext<unknown>): Promise<{ status: number }> {
  const res = await ctx.http("/readyz", { timeoutMs: 5_000 });
  const text = await res.text();
  ctx.log(`GET ${new URL("/readyz", ctx.env.appUrl).href} → ${res.status} ${text.slice(0, 200)}`);
  if (res.status !== 200)
    throw new Error(
      `the app answers /readyz with ${res.status}: the platform's release is live but not ready`,
    );
  return { status: res.status };
}

/** How often a wait step reads the status: a platform takes minutes; the tests' fakes answer at once. */
export const pollSecondsParam = () =>
  z.coerce.number().min(0).max(60).default(5).describe("Seconds between two status reads while waiting");

/** An id in a URL path; a plan's placeholder ("<the new deploy's id>") stays readable. */
export const pathSegment = (id: string) => (id.startsWith("<") ? id : encodeURIComponent(id));
