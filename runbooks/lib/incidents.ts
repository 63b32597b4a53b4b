import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { trpc as callApp } from "./app-api.ts";
import { errorRate, latencyQuantileMs, parsePrometheus, type Sample, sum } from "./prometheus.ts";

// Code the incident runbooks share: where incident folders live, what the app's /readyz and
// /metrics say in a form the runbooks print and store, and the check session that lets a runbook
// prove to itself that the app accepts (or refuses) a session, over HTTP like any client.

type Http = Pick<StepContext, "http">;

// ---------------------------------------------------------------------------------------------
// Incident folders: <dataDir>/artifacts/triage-snapshot/<UTC timestamp>-<slug>/

export const INCIDENT_FOLDER = /^(\d{8}T\d{6}Z)-([a-z0-9]+(?:-[a-z0-9]+)*)$/;
export const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Incident folders are triage-snapshot's artifacts; other runbooks find them next to their own. */
export function incidentsRoot(artifactsDir: string): string {
  return path.join(path.dirname(artifactsDir), "triage-snapshot");
}

/** 2025-03-01T03:14:05.123Z → 20250301T031405Z: sortable, safe in a file name, plainly UTC. */
export function compactUtc(date: Date = new Date()): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/** 20250301T031405Z → 2025-03-01T03:14:05Z. */
export function isoFromCompact(stamp: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : stamp;
}

export async function listIncidents(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && INCIDENT_FOLDER.test(e.name))
    .map((e) => e.name)
    .sort();
}

/** An incident folder by name, or the newest one for "latest"; refuses anything else with the list. */
export async function resolveIncident(
  artifactsDir: string,
  name: string,
): Promise<{ name: string; folder: string }> {
  const root = incidentsRoot(artifactsDir);
  const all = await listIncidents(root);
  if (all.length === 0) {
    throw new Error(
      `no incident folder in ${root}: run triage-snapshot first (npm run runbook -- triage-snapshot --param slug=<what-happened>)`,
    );
  }
  const chosen = name === "latest" ? all.at(-1) : all.find((n) => n === name);
  if (!chosen) {
    throw new Error(
      `no incident folder "${name}" in ${root}; the newest are: ${all.slice(-5).reverse().join(", ")} (or pass incident=latest)`,
    );
  }
  return { name: chosen, folder: path.join(root, chosen) };
}

export async function readJsonIfPresent<T>(file: string): Promise<T | null> {
  if (!existsSync(file)) return null;
  return JSON.parse(await readFile(file, "utf8")) as T;
}

// ---------------------------------------------------------------------------------------------
// What the app says about itself.

export interface ReadyzCheck {
  status: string;
  latencyMs: number | null;
  error?: string;
}

export interface ReadyzBody {
  status: "ok" | "degraded" | "unavailable";
  shuttingDown: boolean;
  maintenance: { enabled: boolean; message: string };
  checks: Record<string, ReadyzCheck>;
}

/** /readyz as captured: the answer, or why there was none. */
export interface ReadyzCapture {
  capturedAt: string;
  httpStatus: number | null;
  body: ReadyzBody | null;
  error?: string;
}

export async function captureReadyz(ctx: Http, timeoutMs = 5_000): Promise<ReadyzCapture> {
  const capturedAt = new Date().toISOString();
  try {
    const res = await ctx.http("/readyz", { timeoutMs });
    const text = await res.text();
    try {
      return { capturedAt, httpStatus: res.status, body: JSON.parse(text) as ReadyzBody };
    } catch {
      // A proxy's error page instead of the app's JSON: keep the status and say what came back.
      return { capturedAt, httpStatus: res.status, body: null, error: `not JSON: ${text.slice(0, 200)}` };
    }
  } catch (error) {
    // The app does not answer at all (refused, timed out): that is evidence, not a runbook failure.
    return { capturedAt, httpStatus: null, body: null, error: errorText(error) };
  }
}

export function describeReadyz(r: ReadyzCapture): string {
  if (r.httpStatus === null) return `/readyz did not answer (${r.error})`;
  if (!r.body) return `/readyz → ${r.httpStatus} (${r.error})`;
  const checks = Object.entries(r.body.checks)
    .map(([name, c]) => `${name} ${c.status}${c.latencyMs === null ? "" : ` ${c.latencyMs} ms`}`)
    .join(", ");
  const maintenance = r.body.maintenance?.enabled ? `; MAINTENANCE ON: "${r.body.maintenance.message}"` : "";
  return `/readyz → ${r.httpStatus} ${r.body.status} (${checks})${maintenance}`;
}

export interface MetricsSummary {
  capturedAt: string;
  /** tRPC calls since this instance started (the counters are per instance, cumulative). */
  calls: number;
  serverErrors: number;
  errorRate: number;
  p95Ms: number | null;
  pool: { total: number; idle: number; waiting: number; max: number; usage: number | null };
  redisUp: number | null;
  appReady: number | null;
  /** When the instance that answered started (process_start_time_seconds), ISO. */
  instanceStartedAt: string | null;
}

export function summarizeMetrics(samples: Sample[], capturedAt = new Date().toISOString()): MetricsSummary {
  const errors = errorRate(samples);
  const pool = (state: string) => sum(samples, "pg_pool_connections", (l) => l.state === state);
  const gauge = (name: string) => samples.find((s) => s.name === name)?.value ?? null;
  const started = gauge("process_start_time_seconds");
  const max = pool("max");
  return {
    capturedAt,
    calls: errors.calls,
    serverErrors: errors.serverErrors,
    errorRate: errors.rate,
    p95Ms: latencyQuantileMs(samples, 0.95),
    pool: {
      total: pool("total"),
      idle: pool("idle"),
      waiting: pool("waiting"),
      max,
      usage: max > 0 ? pool("total") / max : null,
    },
    redisUp: gauge("redis_up"),
    appReady: gauge("app_ready"),
    instanceStartedAt: started === null ? null : new Date(started * 1000).toISOString(),
  };
}

/** GET /metrics: the raw text and its summary; throws when the app does not answer. */
export async function fetchMetrics(
  ctx: Http,
  timeoutMs = 5_000,
): Promise<{ raw: string; summary: MetricsSummary }> {
  const res = await ctx.http("/metrics", { timeoutMs });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  const raw = await res.text();
  return { raw, summary: summarizeMetrics(parsePrometheus(raw)) };
}

export function describeMetrics(m: MetricsSummary): string[] {
  return [
    `tRPC calls since the instance started${m.instanceStartedAt ? ` (${m.instanceStartedAt})` : ""}: ${m.calls}, server errors: ${m.serverErrors} (${pct(m.errorRate)})`,
    `p95 latency: ${m.p95Ms === null ? "no calls yet" : `${m.p95Ms.toFixed(1)} ms`}`,
    `PostgreSQL pool: ${m.pool.total} of ${m.pool.max} connections open${m.pool.usage === null ? "" : ` (${Math.round(m.pool.usage * 100)}%)`}, ${m.pool.idle} idle, ${m.pool.waiting} callers waiting`,
    `redis_up: ${m.redisUp ?? "not reported"}${m.redisUp === 0 ? " (Redis down or not configured: the app runs degraded)" : ""}`,
  ];
}

// ---------------------------------------------------------------------------------------------
// tRPC over HTTP, as a learner's browser does it.

export interface TrpcAnswer<T = unknown> {
  status: number;
  data: T | null;
  code: string | null;
  message: string | null;
}

/** A tRPC call as the incident runbooks read it (status, data, code, message), through lib/app-api.ts. */
export async function trpc<T = unknown>(
  ctx: Http,
  method: "GET" | "POST",
  procedure: string,
  options: { input?: unknown; token?: string | null; timeoutMs?: number } = {},
): Promise<TrpcAnswer<T>> {
  const call = await callApp<T>(ctx, "", procedure, {
    // A mutation always carries a JSON body, as these runbooks have always sent it.
    ...(method === "POST"
      ? { input: options.input ?? {} }
      : options.input === undefined
        ? {}
        : { input: options.input }),
    ...(options.token ? { token: options.token } : {}),
    mutation: method === "POST",
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  return {
    status: call.status,
    data: call.data ?? null,
    code: call.code ?? null,
    message: call.data === undefined ? (call.message ?? null) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Check sessions: a session the runbook holds itself, to see what the app does with it.

/** Reserved by RFC 2606: never a real learner's address. */
export const THROWAWAY_DOMAIN = "example.invalid";

export interface CheckSession {
  /** False when the app could not give one (maintenance, down); `reason` says why. */
  available: boolean;
  reason?: string;
  email?: string;
  password?: string;
  token?: string;
  /** True when the runbook signed the account up itself (and removes it at the end). */
  throwaway?: boolean;
}

/**
 * Logs in with the given account, or signs up a throwaway one (`<prefix>-<ms>@example.invalid`,
 * random password). The app being in maintenance or unreachable is returned as unavailable;
 * wrong credentials throw, since the operator must fix them.
 */
export async function openCheckSession(
  ctx: Pick<StepContext, "http" | "secret" | "log" | "warn">,
  account: { email?: string | undefined; password?: string | undefined },
  prefix: string,
  randomPassword: () => string,
): Promise<CheckSession> {
  const throwaway = !account.email;
  const email = account.email ?? `${prefix}-${Date.now()}@${THROWAWAY_DOMAIN}`;
  const password = account.password ?? randomPassword();
  ctx.secret(password);
  let answer: TrpcAnswer<{ token: string }>;
  try {
    answer = throwaway
      ? await trpc(ctx, "POST", "accounts.signUp", {
          input: { email, password, displayName: "runbook check" },
        })
      : await trpc(ctx, "POST", "accounts.logIn", { input: { email, password } });
  } catch (error) {
    // Unreachable app: the caller decides whether that stops it (it does not stop a revocation).
    return { available: false, reason: `the app did not answer (${errorText(error)})` };
  }
  if (answer.status === 503) {
    // Maintenance mode (or the database is down): no session can be opened now.
    return { available: false, reason: `the app answered 503: ${answer.message}` };
  }
  if (answer.status !== 200 || !answer.data?.token) {
    throw new Error(
      throwaway
        ? `signing up the check account ${email} failed (${answer.status} ${answer.code}: ${answer.message}); pass checkEmail and checkPassword of a test account instead`
        : `logging in as ${email} failed (${answer.status} ${answer.code}: ${answer.message}); check checkEmail and checkPassword`,
    );
  }
  ctx.secret(answer.data.token);
  ctx.log(
    throwaway
      ? `signed up the throwaway check account ${email} (removed again at the end)`
      : `logged in as the check account ${email}`,
  );
  return { available: true, email, password, token: answer.data.token, throwaway };
}

/** True when a stored value was masked (a resumed run): the secret itself is gone. */
export function isMasked(value: string | undefined): boolean {
  return value === undefined || value === "***";
}

/** accounts.me with a token: 200 (session live), 401 (ended), or what else the app said. */
export async function sessionStatus(ctx: Http, token: string): Promise<TrpcAnswer> {
  return trpc(ctx, "GET", "accounts.me", { token });
}

/** A fresh log-in with the check account; returns its token or throws with the app's answer. */
export async function logIn(
  ctx: Pick<StepContext, "http" | "secret">,
  email: string,
  password: string,
): Promise<string> {
  const answer = await trpc<{ token: string }>(ctx, "POST", "accounts.logIn", { input: { email, password } });
  if (answer.status !== 200 || !answer.data?.token)
    throw new Error(`a new log-in as ${email} failed: ${answer.status} ${answer.code}: ${answer.message}`);
  ctx.secret(answer.data.token);
  return answer.data.token;
}

/** Removes a throwaway check account (sessions go with it); a real check account is logged out. */
export async function closeCheckSession(
  ctx: Pick<StepContext, "http" | "sql" | "log" | "warn">,
  check: CheckSession,
  extraTokens: string[] = [],
): Promise<{ removed: boolean; loggedOut: number }> {
  if (!check.available || !check.email) return { removed: false, loggedOut: 0 };
  if (check.throwaway) {
    // The guard on the domain makes sure this can only ever delete an account a runbook made.
    const rows = await ctx.sql<{ id: string }>(
      "DELETE FROM learners WHERE email = $1 AND email LIKE $2 RETURNING id::text AS id",
      [check.email, `%@${THROWAWAY_DOMAIN}`],
    );
    ctx.log(
      rows.length > 0
        ? `removed the throwaway check account ${check.email} and its sessions`
        : `the throwaway check account ${check.email} was already gone`,
    );
    return { removed: rows.length > 0, loggedOut: 0 };
  }
  let loggedOut = 0;
  for (const token of [check.token, ...extraTokens]) {
    if (isMasked(token)) continue;
    const answer = await trpc(ctx, "POST", "accounts.logOut", { token: token as string });
    // 401: that session had already ended (revoked or rotated out), which is what we wanted.
    if (answer.status === 200) loggedOut += 1;
  }
  ctx.log(`logged the check account ${check.email} out of ${loggedOut} session(s) this run opened`);
  return { removed: false, loggedOut };
}

// ---------------------------------------------------------------------------------------------

export function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(2)}%`;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error && cause.message ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * The optional test account revoke-all-sessions and rotate-session-secret prove their work with
 * over HTTP. Spread into the params object, then `.refine(...CHECK_ACCOUNT_TOGETHER)`.
 */
export function checkAccountParams(emailDescription: string) {
  return {
    checkEmail: z
      .email()
      .transform((v) => v.toLowerCase())
      .optional()
      .describe(emailDescription),
    checkPassword: z.string().min(1).optional().meta({ secret: true }).describe("Password of checkEmail"),
  };
}

export const CHECK_ACCOUNT_TOGETHER: [
  (p: { checkEmail?: string | undefined; checkPassword?: string | undefined }) => boolean,
  { message: string; path: string[] },
] = [
  (p) => !p.checkEmail === !p.checkPassword,
  { message: "checkEmail and checkPassword go together", path: ["checkPassword"] },
];
