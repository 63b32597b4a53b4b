import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { Redis } from "ioredis";
import pg from "pg";
import { type ProcessPromise, $ as zx } from "zx";
import type { Environment } from "./environments.ts";
import type { Masker } from "./mask.ts";
import { trackGroup } from "./process-groups.ts";
import { type TableData, type TableInput, tableData } from "./table.ts";

// What a step gets: its environment and parameters, a zx shell bound to the step (output streams
// into the run's events; cancel and timeout kill the whole process tree), SQL and Redis clients
// for the environment, HTTP to the app, results of earlier steps, and a place for artifacts.

export interface StepContext<P = Record<string, unknown>> {
  env: Environment;
  params: P;
  runId: string;
  /** Aborted when the step is cancelled or times out. */
  signal: AbortSignal;
  /** True during `--plan`: read steps run, change and destructive steps only describe themselves. */
  planning: boolean;
  log(line: string): void;
  warn(line: string): void;
  /**
   * Rows with named columns: printed aligned by the CLI, drawn as a table on the page, kept as
   * data by --json. Columns are keys or { key, label, align }; numbers align right by themselves.
   */
  table(table: TableInput): void;
  /** zx's $, with the environment's settings in the child's env (DATABASE_URL, REDIS_URL, APP_URL). */
  $: (pieces: TemplateStringsArray, ...args: unknown[]) => ProcessPromise;
  sql<T extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<T[]>;
  /** A Redis client for the environment (no key prefix: operators see the keys as stored). */
  redis(): Redis;
  /** GET or POST to the app, with a timeout; the URL is relative to the environment's app URL. */
  http(path: string, init?: RequestInit & { timeoutMs?: number }): Promise<Response>;
  /** The value an earlier step of this run (or of the run being resumed) returned. */
  result<T>(stepId: string): T;
  /** Registers a value to be masked wherever the run prints or stores it. */
  secret(value: string): void;
  /** A folder for this runbook's files kept across runs (backups, incident folders), created on demand. */
  artifactsDir: string;
  /** This run's own folder for the artifacts the runbook declares (served per run by the console). */
  runArtifactsDir: string;
}

/** SIGTERM to the command's process group; the step then waits until the group is gone (run.ts). */
function terminateGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // ESRCH: the group is already gone, which is the goal.
  }
}

export interface ContextResources {
  pool(): pg.Pool;
  redis(): Redis;
  close(): Promise<void>;
}

/** Connections shared by the steps of one run, opened on first use and closed at the end. */
export function createResources(env: Environment): ContextResources {
  let pool: pg.Pool | null = null;
  let redis: Redis | null = null;
  return {
    pool() {
      if (!pool) {
        pool = new pg.Pool({
          connectionString: env.databaseUrl,
          max: 3,
          connectionTimeoutMillis: 5_000,
          statement_timeout: 60_000,
          application_name: "runbook",
        });
        // An idle connection dropped by the server (restore terminates them) must not crash the run;
        // the next query opens a new one and reports its own error if the server is really gone.
        pool.on("error", () => undefined);
      }
      return pool;
    },
    redis() {
      if (!env.redisUrl) throw new Error(`environment "${env.name}" has no Redis (its REDIS_URL is empty)`);
      if (!redis) {
        redis = new Redis(env.redisUrl, {
          commandTimeout: 5_000,
          connectTimeout: 3_000,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: true,
          retryStrategy: (times) => (times > 3 ? null : 200),
        });
        // Connection errors surface as failed commands in the step that ran them.
        redis.on("error", () => undefined);
      }
      return redis;
    },
    async close() {
      await Promise.allSettled([pool?.end(), redis?.quit().catch(() => redis?.disconnect())]);
    },
  };
}

export function createStepContext<P>(options: {
  env: Environment;
  params: P;
  runId: string;
  signal: AbortSignal;
  planning: boolean;
  masker: Masker;
  resources: ContextResources;
  results: Record<string, unknown>;
  artifactsDir: string;
  runArtifactsDir: string;
  /**
   * The run's settings (processEnv). Commands do not inherit it: they get this process's environment
   * plus the target's URLs, so a test's partial processEnv never strips PATH from a command.
   */
  processEnv: NodeJS.ProcessEnv;
  emit: (stream: "stdout" | "stderr", line: string) => void;
  emitTable: (table: TableData) => void;
  /** Receives the process group of every command the step starts (the step waits for them; the lock records them). */
  onGroup?: (pgid: number) => void;
}): StepContext<P> {
  const { env, signal, masker, resources, emit } = options;
  // Each command gets its own process group (detached), so stopping a step kills the command and
  // everything it started, even grandchildren whose parent already exited.
  const shell = zx({
    detached: true,
    quiet: true,
    verbose: false,
    env: {
      ...process.env,
      APP_URL: env.appUrl,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      FORCE_COLOR: "0",
    },
  });
  const follow = (stream: Readable, name: "stdout" | "stderr") => {
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) =>
      emit(name, line),
    );
  };
  return {
    env,
    params: options.params,
    runId: options.runId,
    signal,
    planning: options.planning,
    artifactsDir: options.artifactsDir,
    runArtifactsDir: options.runArtifactsDir,
    log: (line) => emit("stdout", line),
    warn: (line) => emit("stderr", line),
    table: (table) => options.emitTable(tableData(table)),
    $: (pieces, ...args) => {
      const child = shell(pieces, ...args);
      // Detached: the command leads its own process group, whose id is its pid.
      const pgid = child.pid;
      if (pgid) {
        trackGroup(pgid);
        options.onGroup?.(pgid);
      }
      emit("stdout", `$ ${masker.mask(child.cmd)}`);
      follow(child.stdout, "stdout");
      follow(child.stderr, "stderr");
      const stop = () => {
        if (pgid) terminateGroup(pgid);
      };
      if (signal.aborted) stop();
      else signal.addEventListener("abort", stop, { once: true });
      child.finally(() => signal.removeEventListener("abort", stop)).catch(() => undefined);
      return child;
    },
    async sql<T extends Record<string, unknown>>(text: string, values: unknown[] = []) {
      const result = await resources.pool().query<T>(text, values);
      return result.rows;
    },
    redis: () => resources.redis(),
    async http(path, init = {}) {
      const { timeoutMs = 10_000, ...rest } = init;
      const url = new URL(path, env.appUrl);
      try {
        return await fetch(url, {
          ...rest,
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
      } catch (error) {
        // undici says only "fetch failed"; the operator needs the URL and the cause (ECONNREFUSED…).
        if (signal.aborted) throw error;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (error as Error).message;
        throw new Error(
          `the app at ${url.origin} did not answer ${rest.method ?? "GET"} ${url.pathname} (${why}): is it running? For dev, npm start; otherwise check the ${env.name} environment's app URL`,
          { cause: error },
        );
      }
    },
    result<T>(stepId: string): T {
      if (!(stepId in options.results)) {
        throw new Error(
          `step "${stepId}" has no result in this run: run it first (or resume a run that ran it)`,
        );
      }
      return options.results[stepId] as T;
    },
    secret: (value) => masker.add(value),
  };
}
