// The app's API as an operator reaches it: one tRPC call over HTTP (timed, its error summarised)
// and the readiness check. Runbooks call the app this way, never through its source.
import type { StepContext } from "../engine/context.ts";

/** The part of a step's context a call uses (params differ per runbook). */
export type Http = Pick<StepContext<unknown>, "http">;
/** ... and what printing the answer needs. */
export type HttpCtx = Pick<StepContext<unknown>, "http" | "log">;

export interface CallResult<T = unknown> {
  procedure: string;
  status: number;
  ms: number;
  data?: T;
  /** "CODE: message" when the call did not succeed, for messages and expectOk. */
  error?: string;
  /** The tRPC error code (e.g. UNAUTHORIZED), when the app answered with one. */
  code?: string;
  /** The app's error message, or the start of a body that was not the app's answer. */
  message?: string;
}

/** One tRPC call over HTTP (query = GET with ?input=, mutation = POST JSON), timed. */
export async function trpc<T = unknown>(
  ctx: Http,
  baseUrl: string,
  procedure: string,
  options: { input?: unknown; token?: string; mutation?: boolean; timeoutMs?: number } = {},
): Promise<CallResult<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let url = `${baseUrl.replace(/\/$/, "")}/trpc/${procedure}`;
  const init: RequestInit & { timeoutMs?: number } = { headers, timeoutMs: options.timeoutMs ?? 10_000 };
  if (options.mutation) {
    init.method = "POST";
    headers["content-type"] = "application/json";
    if (options.input !== undefined) init.body = JSON.stringify(options.input);
  } else if (options.input !== undefined) {
    url += `?input=${encodeURIComponent(JSON.stringify(options.input))}`;
  }
  const started = performance.now();
  const res = await ctx.http(url, init);
  const text = await res.text();
  const ms = Math.round((performance.now() - started) * 10) / 10;
  let body: { result?: { data: T }; error?: { message?: string; data?: { code?: string } } };
  try {
    body = JSON.parse(text);
  } catch {
    // Not the app answering (a proxy's error page): the status and the body's start say what did.
    return {
      procedure,
      status: res.status,
      ms,
      error: `not JSON: ${text.slice(0, 120)}`,
      message: text.slice(0, 200),
    };
  }
  if (res.ok && body.result) return { procedure, status: res.status, ms, data: body.result.data };
  const code = body.error?.data?.code;
  return {
    procedure,
    status: res.status,
    ms,
    error: `${code ?? "error"}: ${body.error?.message ?? text.slice(0, 120)}`,
    ...(code === undefined ? {} : { code }),
    message: body.error?.message ?? text.slice(0, 200),
  };
}

/** Throws with the call's answer when it did not succeed. */
export function expectOk<T>(call: CallResult<T>): T {
  if (call.error !== undefined || call.data === undefined) {
    throw new Error(`${call.procedure} answered ${call.status} (${call.error ?? "no data"})`);
  }
  return call.data;
}

export interface Readiness {
  httpStatus: number;
  status: string;
  checks: Record<string, { status: string; latencyMs: number | null; error?: string }>;
}

export async function readiness(ctx: Http, baseUrl: string, timeoutMs = 5_000): Promise<Readiness> {
  const res = await ctx.http(`${baseUrl.replace(/\/$/, "")}/readyz`, { timeoutMs });
  const body = (await res.json()) as Omit<Readiness, "httpStatus">;
  return { httpStatus: res.status, status: body.status, checks: body.checks ?? {} };
}

export function logReadiness(ctx: HttpCtx, ready: Readiness): void {
  ctx.log(`/readyz → ${ready.httpStatus} ${ready.status}`);
  for (const [name, check] of Object.entries(ready.checks)) {
    ctx.log(
      `  ${name.padEnd(10)} ${check.status.padEnd(9)} ${check.latencyMs ?? "-"} ms${check.error ? `  ${check.error}` : ""}`,
    );
  }
}
