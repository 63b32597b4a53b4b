// Releases on this host, shared by deploy and rollback: where they live, what current.json says,
// and starting and stopping a release's app. Not a runbook: the catalog skips files starting "_".
//
// <data dir>/releases/<commit>/        the commit's files (git archive), node_modules linked in
// <data dir>/releases/current.json     the release serving now, the previous one, older ones
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { dataDir, localDataDir } from "../engine/paths.ts";
import { readStateFile, writeStateFile } from "../engine/state-files.ts";
import { logReadiness, readiness } from "../lib/app-api.ts";
import {
  commandLine,
  logTail,
  processAlive,
  spawnService,
  stopOnAbort,
  stopProcess,
  waitFor,
} from "../lib/process.ts";
import type { Ctx } from "./_lib.ts";

/** What starting a release's app returns to the steps after it (smoke check, record). */
export interface StartedRelease {
  pid: number;
  logFile: string;
  url: string;
  startedAt: string;
  /** The current release was stopped first because the new one takes its port. */
  stoppedCurrent: boolean;
}

export interface Release {
  commit: string;
  /** The ref the operator asked for (HEAD, a tag, a branch). */
  ref: string;
  dir: string;
  port: number;
  /** The app's pid while it runs; null once stopped. */
  pid: number | null;
  logFile: string;
  deployedAt: string;
  startedAt: string;
}

export interface CurrentFile extends Release {
  env: string;
  previous: Release | null;
  /** Releases before the previous one, newest first (at most 8). */
  older: Release[];
  rolledBackFrom?: Release;
}

export function releasesDir(): string {
  return path.join(dataDir(process.env), "releases");
}

export function currentFile(): string {
  return path.join(releasesDir(), "current.json");
}

/** current.json, or null before the first deploy; another environment's releases are refused. */
export async function readCurrent(env: string): Promise<CurrentFile | null> {
  const current = await readStateFile<CurrentFile>("releases", currentFile(), "fix or remove it by hand");
  if (current && current.env !== env) {
    throw new Error(
      `the releases on this host belong to env ${current.env} (${currentFile()}), not ${env}: one host serves one environment`,
    );
  }
  return current;
}

export async function writeCurrent(current: CurrentFile): Promise<void> {
  await writeStateFile("releases", currentFile(), current);
}

export function mainScript(dir: string): string {
  return path.join(dir, "practice-app/src/main.ts");
}

/** True when the recorded pid is alive and still runs this release's main.ts (pids get reused). */
export function releaseRunning(release: Pick<Release, "pid" | "dir"> | null | undefined): boolean {
  if (!release?.pid || !processAlive(release.pid)) return false;
  const cmd = commandLine(release.pid);
  return cmd === null || cmd.includes(mainScript(release.dir));
}

export function describeRelease(r: Release): string {
  return `${r.commit.slice(0, 12)} (${r.ref}) on port ${r.port}, ${releaseRunning(r) ? `pid ${r.pid}` : "stopped"}`;
}

/** The session secret the release runs with: the environment's, from the operator's shell. */
async function sessionSecret(ctx: Ctx): Promise<string> {
  const name = `SSP_${ctx.env.name.toUpperCase()}_SESSION_SECRET`;
  const fromShell = process.env[name] ?? process.env.SESSION_SECRET;
  if (fromShell) return fromShell;
  if (ctx.env.name !== "dev") {
    throw new Error(
      `${name} (or SESSION_SECRET) is not set: the ${ctx.env.name} app needs its session secret; set it in your shell (never commit it)`,
    );
  }
  // dev: the checkout's local secret, as npm start keeps it, so local sessions survive a deploy.
  const file = path.join(localDataDir(process.env), "session-secret");
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  await mkdir(path.dirname(file), { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * The database password file the instances read (the app's DATABASE_PASSWORD_FILE), or null when
 * they take the password from DATABASE_URL: SSP_<ENV>_DATABASE_PASSWORD_FILE from the operator's
 * shell, else in dev <data dir>/database-password when it exists. rotate-database-password writes it.
 */
export function databasePasswordFile(env: string): string | null {
  const fromShell = process.env[databasePasswordFileVariable(env)];
  if (fromShell) return path.resolve(fromShell);
  if (env !== "dev") return null;
  const file = path.join(localDataDir(process.env), "database-password");
  return existsSync(file) ? file : null;
}

export function databasePasswordFileVariable(env: string): string {
  return `SSP_${env.toUpperCase()}_DATABASE_PASSWORD_FILE`;
}

export const APP_EXIT_CODES: Record<number, string> = {
  2: "bad configuration (see the log)",
  3: "the database lacks migrations this release needs: run migrate-database with action=apply (or deploy, which migrates)",
  4: "start-up failure (see the log)",
};

/**
 * Starts a release's app on its port with the environment's settings and waits for /readyz 200.
 * On failure the app is stopped and an Error says why, with the end of its log.
 */
export async function startRelease(
  ctx: Ctx,
  release: Pick<Release, "commit" | "dir" | "port">,
  waitMs = 45_000,
): Promise<{ pid: number; logFile: string; url: string; seconds: number }> {
  const logFile = path.join(
    ctx.artifactsDir,
    `app-${release.commit.slice(0, 12)}-${release.port}-${new Date().toISOString().replace(/[:.]/g, "-")}.log`,
  );
  const secret = await sessionSecret(ctx);
  ctx.secret(secret);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: ctx.env.name === "dev" ? "development" : "production",
    HOST: process.env.HOST ?? "127.0.0.1",
    PORT: String(release.port),
    DATABASE_URL: ctx.env.databaseUrl,
    REDIS_URL: ctx.env.redisUrl,
    REDIS_KEY_PREFIX: ctx.env.redisPrefix,
    SESSION_SECRET: secret,
    // The file wins over a password in DATABASE_URL, so a rotated password needs no new URL.
    DATABASE_PASSWORD_FILE: databasePasswordFile(ctx.env.name) ?? "",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    FORCE_COLOR: "0",
  };
  const started = Date.now();
  const child = await spawnService(process.execPath, [mainScript(release.dir)], env, logFile, release.dir);
  ctx.log(`started ${release.commit.slice(0, 12)}: pid ${child.pid}, port ${release.port}, log ${logFile}`);
  const keep = stopOnAbort(ctx.signal, child.pid);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  child.exited.then((e) => {
    exit = e;
  });
  const url = `http://127.0.0.1:${release.port}`;
  try {
    const ready = await waitFor(
      async () => {
        if (exit) {
          const code = exit.code ?? -1;
          throw new Error(
            `the app exited with code ${code} before it was ready: ${APP_EXIT_CODES[code] ?? "see the log"}. Its log ends:\n${logTail(logFile)}`,
          );
        }
        try {
          const r = await readiness(ctx, url, 2_000);
          return r.httpStatus === 200 ? r : undefined;
        } catch {
          return undefined; // not listening yet
        }
      },
      { timeoutMs: waitMs, intervalMs: 250, signal: ctx.signal, what: `${url}/readyz 200` },
    );
    keep();
    logReadiness(ctx, ready);
  } catch (error) {
    await stopProcess(child.pid, { graceMs: 5_000 });
    throw error;
  }
  const seconds = (Date.now() - started) / 1000;
  ctx.log(`ready in ${seconds.toFixed(1)} s at ${url}`);
  return { pid: child.pid, logFile, url, seconds };
}

/**
 * Starts the current release again after it was stopped for its port and what replaced it failed,
 * and records its new pid. `failed` names what failed; `advice` says what to do if it does not come back.
 */
export async function restartCurrent(
  ctx: Ctx,
  current: CurrentFile,
  failed: string,
  advice: string,
): Promise<void> {
  ctx.warn(`restarting the current release ${current.commit.slice(0, 12)} on port ${current.port}`);
  try {
    const again = await startRelease(ctx, current);
    await writeCurrent({
      ...current,
      pid: again.pid,
      logFile: again.logFile,
      startedAt: new Date().toISOString(),
    });
  } catch (error) {
    throw new Error(
      `${failed} AND the current release ${current.commit.slice(0, 12)} did not come back (${
        error instanceof Error ? error.message : String(error)
      }): nothing serves on port ${current.port}; ${advice}`,
    );
  }
}

/** SIGTERM to a release's app (graceful drain), SIGKILL after 15 s. */
export async function stopRelease(ctx: Ctx, release: Release): Promise<string> {
  if (!releaseRunning(release)) {
    ctx.log(`${release.commit.slice(0, 12)} on port ${release.port}: not running`);
    return "not running";
  }
  const stopped = await stopProcess(release.pid as number, { graceMs: 15_000 });
  ctx.log(
    `stopped ${release.commit.slice(0, 12)} (pid ${release.pid}, port ${release.port}) in ${(stopped.ms / 1000).toFixed(1)} s${
      stopped.how === "SIGKILL" ? ", killed after 15 s" : ", gracefully"
    }`,
  );
  return stopped.how;
}
