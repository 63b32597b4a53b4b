// Helpers the deployment runbooks share: the migrate CLI's status, a pre-change pg_dump backup
// with its manifest, tRPC calls with their latency, a smoke check, and process handling for apps
// that must outlive the step that starts them. Not a runbook: the catalog skips files starting "_".
import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { REPO_ROOT } from "../engine/paths.ts";
import {
  type BackupManifest,
  backupsDir,
  completeBackup,
  describeCommandError,
  dumpDatabase,
} from "../lib/backups.ts";

/** The part of a step's context the helpers use (params differ per runbook). */
export type Ctx = Pick<
  StepContext,
  "env" | "$" | "log" | "warn" | "http" | "signal" | "secret" | "artifactsDir" | "sql"
>;

/** The migrate CLI of this checkout; a release uses its own copy (see deploy). */
export const MIGRATE_CLI = path.join(REPO_ROOT, "practice-app/src/db/migrate-cli.ts");

export interface MigrationState {
  applied: string[];
  pending: string[];
  /** Applied in the database but unknown to the code that ran the CLI (the database is ahead). */
  unknown: string[];
}

/** Reads the lines `[x] name`, `[ ] name  (pending)`, `[?] name  (…)` the migrate CLI prints. */
export function parseMigrationStatus(stdout: string): MigrationState {
  const state: MigrationState = { applied: [], pending: [], unknown: [] };
  for (const line of stdout.split("\n")) {
    const match = /^\s*\[( |x|\?)\] (\S+)/.exec(line);
    if (!match) continue;
    const name = match[2] as string;
    if (match[1] === "x") state.applied.push(name);
    else if (match[1] === " ") state.pending.push(name);
    else state.unknown.push(name);
  }
  return state;
}

/**
 * Runs `migrate-cli status` (or up/down) against the environment's database. ctx.$ gives the child
 * the environment's DATABASE_URL. Node is this process's own (≥ 22: it runs the .ts directly);
 * the `node` on PATH may be an older system Node.
 */
export async function migrateCli(
  ctx: Ctx,
  args: string[],
  cli = MIGRATE_CLI,
): Promise<MigrationState & { stdout: string }> {
  const out = await ctx.$`${process.execPath} ${cli} ${args}`.nothrow();
  if (out.exitCode !== 0) {
    const tail = `${out.stderr}\n${out.stdout}`.trim().split("\n").slice(-4).join(" | ");
    throw new Error(
      `the migrate CLI (${args.join(" ")}) exited with ${out.exitCode}: ${tail || "no output"}. ` +
        "Check that the database is reachable (DATABASE_URL of the environment) and read the output above.",
    );
  }
  return { ...parseMigrationStatus(out.stdout), stdout: out.stdout };
}

export function describeMigrations(state: MigrationState): string {
  return `${state.applied.length} applied, ${state.pending.length} pending${
    state.unknown.length > 0 ? `, ${state.unknown.length} applied but unknown to this code` : ""
  }`;
}

// ---------------------------------------------------------------------------------------------
// Backups before a schema change

export interface BackupResult {
  id: string;
  file: string;
  sizeBytes: number;
  seconds: number;
  tables: number;
  rows: number;
}

/**
 * A backup exactly as backup-now takes it (the backup library's dumpDatabase and completeBackup:
 * pg_dump -Fc in an exported snapshot, a manifest with fingerprints and sequences), so restore and
 * verify-backup treat it like any other. Not backup-now as a child process: this run already
 * holds the environment's lock, which the child would need too.
 */
export async function takeBackup(ctx: Ctx, why: string): Promise<BackupResult | null> {
  const started = Date.now();
  const [server] = await ctx.sql<{ version: string; major: number }>(
    "SELECT version() AS version, current_setting('server_version_num')::int / 10000 AS major",
  );
  if (/PGlite/i.test(server?.version ?? "")) {
    // The embedded PGlite of a dev stack: pg_dump cannot read it (PGlite is a newer major
    // version, and it serves one session at a time, so a dump inside a held snapshot would wait
    // forever). Expected on a laptop without PostgreSQL; never the case in staging or production.
    if (ctx.env.name !== "dev")
      throw new Error(`${ctx.env.name} runs on PGlite, which cannot be backed up with pg_dump`);
    ctx.warn(
      `no backup before ${why}: the dev stack runs on the embedded PGlite, which pg_dump cannot dump. ` +
        "Its data is the pglite folder of the data dir: copy it while the stack is down if you need a way back",
    );
    return null;
  }
  const tool = (await ctx.$`pg_dump --version`).stdout.trim();
  const toolMajor = Number(/(\d+)(\.\d+)?/.exec(tool)?.[1] ?? 0);
  if (server && toolMajor < server.major) {
    throw new Error(
      `${tool} cannot dump a PostgreSQL ${server.major} server, so nothing was changed: install postgresql-client-${server.major} here`,
    );
  }
  let manifest: BackupManifest;
  try {
    manifest = await completeBackup(ctx, await dumpDatabase(ctx));
  } catch (error) {
    throw new Error(
      `the backup before ${why} failed, so nothing was changed: ${describeCommandError(error)}. ` +
        "Check the backup folder has room and read the output above",
    );
  }
  const rows = Object.values(manifest.tables).reduce((sum, t) => sum + t.rows, 0);
  const seconds = (Date.now() - started) / 1000;
  const file = path.join(backupsDir(ctx.env.name), manifest.file);
  ctx.log(
    `backup ${manifest.id} before ${why}: ${(manifest.sizeBytes / 1024).toFixed(0)} KiB, ${Object.keys(manifest.tables).length} tables, ${rows} rows, ${seconds.toFixed(1)} s`,
  );
  ctx.log(`  ${file} (not verified yet: verify-backup restores it into a scratch database)`);
  return {
    id: manifest.id,
    file,
    sizeBytes: manifest.sizeBytes,
    seconds,
    tables: Object.keys(manifest.tables).length,
    rows,
  };
}

// ---------------------------------------------------------------------------------------------
// Calling the app

export interface CallResult<T = unknown> {
  procedure: string;
  status: number;
  ms: number;
  data?: T;
  error?: string;
}

/** One tRPC call over HTTP (query = GET with ?input=, mutation = POST JSON), timed. */
export async function trpc<T = unknown>(
  ctx: Ctx,
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
    return { procedure, status: res.status, ms, error: `not JSON: ${text.slice(0, 120)}` };
  }
  if (res.ok && body.result) return { procedure, status: res.status, ms, data: body.result.data };
  return {
    procedure,
    status: res.status,
    ms,
    error: `${body.error?.data?.code ?? "error"}: ${body.error?.message ?? text.slice(0, 120)}`,
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

export async function readiness(ctx: Ctx, baseUrl: string, timeoutMs = 5_000): Promise<Readiness> {
  const res = await ctx.http(`${baseUrl.replace(/\/$/, "")}/readyz`, { timeoutMs });
  const body = (await res.json()) as Omit<Readiness, "httpStatus">;
  return { httpStatus: res.status, status: body.status, checks: body.checks ?? {} };
}

export function logReadiness(ctx: Ctx, ready: Readiness): void {
  ctx.log(`/readyz → ${ready.httpStatus} ${ready.status}`);
  for (const [name, check] of Object.entries(ready.checks)) {
    ctx.log(
      `  ${name.padEnd(10)} ${check.status.padEnd(9)} ${check.latencyMs ?? "-"} ms${check.error ? `  ${check.error}` : ""}`,
    );
  }
}

/**
 * The short smoke check after starting a release: ready, ping, and one learner round trip
 * (sign up a throwaway account, get an exercise, delete the account). Throws on the first failure.
 */
export async function smokeCheck(
  ctx: Ctx,
  baseUrl: string,
): Promise<{ readyz: string; calls: Array<{ procedure: string; ms: number }> }> {
  const ready = await readiness(ctx, baseUrl);
  logReadiness(ctx, ready);
  if (ready.httpStatus !== 200)
    throw new Error(`${baseUrl}/readyz answered ${ready.httpStatus} (${ready.status})`);
  const ping = await trpc<{ pong: boolean }>(ctx, baseUrl, "system.ping");
  expectOk(ping);
  const email = `smoke-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.invalid`;
  const signUp = await trpc<{ token: string; learner: { id: string } }>(ctx, baseUrl, "accounts.signUp", {
    mutation: true,
    input: { email, password: `smoke-${crypto.randomUUID()}`, displayName: "smoke test" },
  });
  const { token, learner } = expectOk(signUp);
  ctx.secret(token);
  try {
    const next = await trpc<{ item: { id: string } }>(ctx, baseUrl, "exercises.next", { token });
    const item = expectOk(next).item;
    ctx.log(
      `smoke: ping ${ping.ms} ms, signUp ${signUp.ms} ms (${email}), exercises.next ${next.ms} ms → ${item.id}`,
    );
    const calls = [ping, signUp, next].map((c) => ({ procedure: c.procedure, ms: c.ms }));
    return { readyz: ready.status, calls };
  } finally {
    // The throwaway account goes again (its session with it): smoke checks leave no learners behind.
    await ctx.sql("DELETE FROM learners WHERE id = $1 AND email = $2", [learner.id, email]);
  }
}

/** Polls until check() returns a value (not undefined), the signal aborts, or the time is up. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; signal: AbortSignal; what: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.signal.throwIfAborted();
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${options.what}: not within ${options.timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

// ---------------------------------------------------------------------------------------------
// Long-lived processes (the dev stack, a release's app)

export { portAnswers } from "../lib/net.ts";

/** A TCP port parameter (1-65535); add .optional() or .default() and .describe() at the use. */
export const portParam = () => z.number().int().min(1).max(65535);

/** True when the process exists and is not a zombie (Linux: /proc; elsewhere: signal 0). */
export function processAlive(pid: number | undefined | null): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  const statFile = `/proc/${pid}/stat`;
  if (!existsSync(statFile)) return true;
  try {
    // "pid (comm) S ...": the state follows the last ")".
    const text = readFileSync(statFile, "utf8");
    return text.slice(text.lastIndexOf(")") + 2, text.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The command line of a process (Linux), to check a recorded pid still is the process we started. */
export function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return null;
  }
}

export interface Spawned {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a long-lived process in its own process group with its output appended to a log file.
 * Not ctx.$: the engine stops every ctx.$ child when the step ends, and this one must keep running
 * after the runbook finishes (it is the service). It is unref'd so the runbook can exit.
 */
export async function spawnService(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
  cwd: string,
): Promise<Spawned> {
  await mkdir(path.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, "a");
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", fd, fd] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  child.unref();
  if (!child.pid) throw new Error(`could not start ${command} ${args.join(" ")}: see ${logFile}`);
  return { pid: child.pid, exited };
}

/**
 * While a service is starting, a cancelled or timed-out step must not leave it running: SIGTERM
 * it at once (synchronously: the CLI may exit right after the cancel). Call the returned function
 * when the service is up, before the step returns: the engine aborts the signal at every step end.
 */
export function stopOnAbort(signal: AbortSignal, pid: number): () => void {
  const stop = () => {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  signal.addEventListener("abort", stop, { once: true });
  return () => signal.removeEventListener("abort", stop);
}

/**
 * SIGTERM to one process (the app then shuts down gracefully), then waits; after graceMs, SIGKILL
 * to its whole process group. Returns how it ended.
 */
export async function stopProcess(
  pid: number,
  options: { graceMs: number; signal?: AbortSignal },
): Promise<{ how: "not running" | "SIGTERM" | "SIGKILL"; ms: number }> {
  const started = Date.now();
  if (!processAlive(pid)) return { how: "not running", ms: 0 };
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // ESRCH: it ended between the check and the signal, which is the goal.
  }
  const deadline = started + options.graceMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return { how: "SIGTERM", ms: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // Already gone (or not a group leader): nothing left to kill.
    }
  }
  for (let i = 0; i < 30 && processAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  return { how: "SIGKILL", ms: Date.now() - started };
}

/** The last lines of a log file, for error messages. */
export function logTail(file: string, lines = 8): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
