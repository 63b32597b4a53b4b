import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { StepContext } from "../engine/context.ts";

// PostgreSQL's command-line tools (pg_dump, pg_restore, createdb) for the backup runbooks, run so
// that no secret reaches a process list: the connection URL goes into argv without its password,
// and the password goes into the child's environment as PGPASSWORD (readable only by the same user
// through /proc/<pid>/environ; argv is readable by every local user through `ps`).
//
// Why not the step's `ctx.$`: it takes no per-command environment, and it reads the child's
// stdout as text lines, while pg_dump's archive is binary and must stream into the encrypter.
// Like `ctx.$`, each child gets its own process group and is killed with everything it started
// when the step is cancelled or times out; unlike it, each command has its own timeout too.

/** Seconds libpq waits for a connection when neither the URL nor the environment says otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_S = 15;

export type PgToolContext = Pick<StepContext, "log" | "warn" | "signal">;

/** A URL without its password, and the environment that carries the password instead. */
export function libpqConnection(
  url: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): { url: string; env: Record<string, string> } {
  const u = new URL(url);
  const env: Record<string, string> = {};
  // libpq takes the password from the userinfo or from a `password` query parameter: move both.
  const password = u.password ? decodeURIComponent(u.password) : u.searchParams.get("password");
  u.password = "";
  u.searchParams.delete("password");
  if (password) env.PGPASSWORD = password;
  // A server that accepts the TCP connection and never answers (the embedded PGlite serves one
  // session at a time) would otherwise hold pg_dump forever: libpq's own connect timeout ends it.
  if (!u.searchParams.has("connect_timeout") && !processEnv.PGCONNECT_TIMEOUT)
    env.PGCONNECT_TIMEOUT = String(DEFAULT_CONNECT_TIMEOUT_S);
  return { url: u.toString(), env };
}

/** A PostgreSQL tool that failed; `exitCode` and `stderr` as zx's errors have them (describeCommandError reads both). */
export class PgToolError extends Error {
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(message: string, exitCode: number | null, stderr: string) {
    super(message);
    this.name = "PgToolError";
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

export interface PgToolOptions {
  /** The connection URL, passed as `${urlFlag}=<url without password>`. */
  url?: string;
  /** The option that takes the URL: --dbname (default) or --maintenance-db (createdb). */
  urlFlag?: "--dbname" | "--maintenance-db";
  /** This command's own limit; a step runs several, and the operator must learn which one hung. */
  timeoutMs: number;
  /** The likely cause and what to do, added to the timeout message. */
  timeoutHint?: string;
  /** Consumes stdout when it is data (pg_dump's archive); otherwise stdout lines go to the log. */
  stdout?: (stream: Readable) => Promise<void>;
  /** More environment for the tool (PGPASSFILE for pg_basebackup, whose -R records the connection). */
  env?: Record<string, string>;
}

/**
 * Runs a PostgreSQL tool; resolves when it exited 0, rejects with a PgToolError naming the tool,
 * its exit code and its last lines of stderr (or the timeout and its likely cause).
 */
export async function runPgTool(
  ctx: PgToolContext,
  command: string,
  args: string[],
  options: PgToolOptions,
): Promise<void> {
  const connection = options.url ? libpqConnection(options.url) : { url: "", env: {} };
  // The URL first: options before the positional arguments (an archive, a database name).
  const argv = options.url ? [`${options.urlFlag ?? "--dbname"}=${connection.url}`, ...args] : args;
  ctx.log(`$ ${[command, ...argv].map(quote).join(" ")}`);
  if (ctx.signal.aborted) throw new PgToolError(`${command} was not started: the step was stopped`, null, "");

  const child = spawn(command, argv, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...connection.env, ...options.env },
  });
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 5) stderrTail.shift();
    ctx.warn(line);
  });
  const consuming = options.stdout
    ? options.stdout(child.stdout)
    : new Promise<void>((resolve) => {
        createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY })
          .on("line", (line) => ctx.log(line))
          .on("close", resolve);
      });

  let stoppedBy: string | null = null;
  const killGroup = (why: string) => {
    if (stoppedBy !== null || child.pid === undefined || child.exitCode !== null) return;
    stoppedBy = why;
    const pid = child.pid;
    const signalGroup = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid, sig);
      } catch {
        // ESRCH: the group is already gone, which is the goal.
      }
    };
    signalGroup("SIGTERM");
    setTimeout(() => signalGroup("SIGKILL"), 2_000).unref();
  };
  const timer = setTimeout(
    () =>
      killGroup(
        `${command} did not finish within ${(options.timeoutMs / 1000).toFixed(options.timeoutMs < 10_000 ? 1 : 0)} s and was stopped${options.timeoutHint ? `: ${options.timeoutHint}` : ""}`,
      ),
    options.timeoutMs,
  );
  const onAbort = () => killGroup(`${command} was stopped with its step`);
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  // A consumer that fails (the encrypted file cannot be written) must not leave pg_dump running.
  consuming.catch(() => killGroup(`${command} was stopped: its output could not be written`));

  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          error.code === "ENOENT"
            ? new PgToolError(
                `${command} is not installed here: install the PostgreSQL client tools of the server's major version (postgresql-client-15 on Debian)`,
                null,
                "",
              )
            : error,
        ),
      );
      child.once("close", (code) => resolve(code));
    });
    const stderr = stderrTail.join("\n");
    if (stoppedBy !== null) throw new PgToolError(stoppedBy, exitCode, stderr);
    if (exitCode !== 0 && /timeout expired/.test(stderr)) {
      const seconds =
        connection.env.PGCONNECT_TIMEOUT ?? process.env.PGCONNECT_TIMEOUT ?? "the URL's connect_timeout";
      throw new PgToolError(
        `${command} could not connect within ${seconds} s (libpq's connect timeout) and gave up: the server took the connection but did not answer. The embedded PGlite of npm start serves one session at a time and cannot serve pg_dump beside the backup's snapshot (back up a real PostgreSQL); otherwise the server is overloaded or out of connections`,
        exitCode,
        stderr,
      );
    }
    if (exitCode !== 0) {
      const tail = stderrTail.slice(-3).join(" / ");
      throw new PgToolError(
        `${command} failed (exit code ${exitCode})${tail ? `: ${tail}` : ""}`,
        exitCode,
        stderr,
      );
    }
    await consuming;
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onAbort);
  }
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
