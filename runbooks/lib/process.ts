// Processes that must outlive the step that starts them (the dev stack, a release's app, extra
// instances): start one in its own process group with its output in a log file, tell whether a
// recorded pid is still running (and is what we started), stop it, and show its log's last lines.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";

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
  // The child has its own copy of the descriptor; this process must not keep one per service.
  closeSync(fd);
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
