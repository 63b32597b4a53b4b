import { spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { type LinkChannel, openLinkChannel } from "../console/link-channel.ts";
import { startConsole } from "../console/server.ts";
import { consoleSettings } from "../console/settings.ts";
import { maskUrlPassword } from "../practice-app/src/config/config.ts";
import { migrateUp } from "../practice-app/src/db/migrations.ts";
import { DEMO_LEARNER, seed } from "../practice-app/src/db/seed.ts";
import {
  devStackFile,
  localDataDir,
  RUNBOOKS_DIR,
  readDevStack,
  dataDir as runbookDataDir,
  writeDevStack,
} from "../runbooks/engine/paths.ts";
import {
  looseModeWarnings,
  PRIVATE_DIR,
  PRIVATE_FILE,
  privateUmask,
} from "../runbooks/engine/private-files.ts";
import { processAlive } from "../runbooks/lib/process.ts";
import { findPostgres, findRedis, localSessionSecretFile, portAnswers } from "./stack/find-services.ts";
import { describePortHolder } from "./stack/port-holder.ts";

// `npm start`: find or start PostgreSQL and Redis, migrate, seed, run the app, build the handbook
// if it is not built, serve it with the console, print the URLs and the one-time login link.
// Ctrl-C stops the console (aborting running steps), the app gracefully, then whatever this
// script started.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const log = (line: string) => console.log(`[start] ${line}`);

/** Exit codes: 0 stopped cleanly, 1 failed, 2 refused before starting anything (bad PORT, port taken). */
export const EXIT = { ok: 0, failed: 1, refused: 2 } as const;

/**
 * Runs the stack until the app exits (Ctrl-C forwards to it). `env` is the environment it is
 * configured from and hands to the app; tests pass their own.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const appPort = Number(env.PORT ?? 3000);
  if (!Number.isInteger(appPort) || appPort < 1 || appPort > 65535) {
    console.error(`PORT must be a port number (1-65535), got "${env.PORT}".`);
    return EXIT.refused;
  }
  const earlierApp = (): number | undefined => {
    try {
      return readDevStack(env).appPid;
    } catch {
      return undefined; // A damaged stack file names no pid; the /proc lookup still does.
    }
  };
  if (await portAnswers(appPort)) {
    console.error(
      `Port ${appPort} is already in use: ${describePortHolder(appPort, ROOT, earlierApp())}. Or start with PORT=<another port> npm start.`,
    );
    return EXIT.refused;
  }
  const consoleConfig = consoleSettings(env, ROOT);
  if (consoleConfig.port !== 0 && (await portAnswers(consoleConfig.port))) {
    console.error(
      `Port ${consoleConfig.port} (the handbook console) is already in use: ${describePortHolder(consoleConfig.port, ROOT, earlierApp())}. Or start with CONSOLE_PORT=<another port> npm start.`,
    );
    return EXIT.refused;
  }

  // .data holds the database URL, the session secret, the embedded database and the audit log:
  // everything this process and its children (the app, PGlite, the console's runs) create there
  // is the operator's alone. Anything looser left by an older checkout is named, with its fix.
  privateUmask();
  const dataDir = localDataDir(env);
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR });
  for (const line of looseModeWarnings(dataDir)) log(line);
  const postgres = await findPostgres(dataDir, log, env);
  log(`PostgreSQL: ${postgres.source} (${maskUrlPassword(postgres.url)})`);
  const redis = await findRedis(env);
  log(
    redis.source === "none"
      ? "Redis: none found; the app runs degraded (no shared cache, in-process rate limits)"
      : `Redis: ${redis.source} (${maskUrlPassword(redis.url)})`,
  );

  try {
    const ran = await migrateUp(postgres.url, () => undefined);
    log(ran.length ? `migrated: ${ran.join(", ")}` : "migrations: up to date");
    const pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
    try {
      const seeded = await seed(pool, { demo: true, scryptLogN: 17 });
      log(`exercise bank ${seeded.bankVersion}: ${seeded.upserted} items`);
    } finally {
      await pool.end();
    }
  } catch (error) {
    await postgres.stop();
    throw error;
  }

  const appEnv: NodeJS.ProcessEnv = {
    ...env,
    PORT: String(appPort),
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    // An explicit SESSION_SECRET wins; otherwise the checkout's secret file, re-read when rotated.
    ...(env.SESSION_SECRET ? {} : { SESSION_SECRET_FILE: await localSessionSecretFile(dataDir) }),
    // No SMTP server locally: reset e-mails (with their link) go to this console instead. The app
    // refuses this in production, so it is only set outside it.
    ...(env.SMTP_URL || env.NODE_ENV === "production"
      ? {}
      : { PASSWORD_RESET_LOG_LINKS: env.PASSWORD_RESET_LOG_LINKS ?? "true" }),
    // PGlite has one session behind its socket multiplexer: the app's named prepared statements
    // would collide across pool connections, so it gets exactly one.
    ...(postgres.source === "embedded PGlite" ? { PG_POOL_MAX: "1" } : {}),
  };
  // The terminal stays quiet: the app's JSON log (a line per request) goes to a file, and only its
  // warnings and errors reach the terminal, so the sign-in link does not scroll away.
  // `npm start -- --verbose` (SSP_START_VERBOSE=1) shows the whole log instead.
  const verbose = env.SSP_START_VERBOSE === "1";
  const appLogFile = path.join(dataDir, "logs", "app.log");
  const app = spawn(process.execPath, [path.join(ROOT, "practice-app/src/main.ts")], {
    env: appEnv,
    stdio: verbose ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  if (!verbose) {
    await mkdir(path.dirname(appLogFile), { recursive: true, mode: PRIVATE_DIR });
    const appLog = createWriteStream(appLogFile, { flags: "a", mode: PRIVATE_FILE });
    for (const stream of [app.stdout, app.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
        appLog.write(`${line}\n`);
        const shown = importantLine(line);
        if (shown) console.error(`[app] ${shown}`);
      });
    }
    app.once("exit", () => appLog.end());
  }
  const exited = new Promise<number>((resolve) =>
    app.once("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 0 : 1))),
  );
  // The console's JSON log (already masked) goes to a file beside the app's, like the app's: its
  // errors show here, since a 500 from the console tells the operator to read its log.
  const consoleLogFile = path.join(dataDir, "logs", "console.log");
  await mkdir(path.dirname(consoleLogFile), { recursive: true, mode: PRIVATE_DIR });
  const consoleLogStream = createWriteStream(consoleLogFile, { flags: "a", mode: PRIVATE_FILE });
  const consoleLog = (line: string) => {
    consoleLogStream.write(`${line}\n`);
    if (verbose) console.log(`[console] ${line}`);
    else if (/"level":"error"/.test(line)) console.error(`[console] ${line}`);
  };
  let handbook: Awaited<ReturnType<typeof startConsole>> | null = null;
  let linkChannel: LinkChannel | null = null;
  let stopping = false;
  const forward = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    // The console first: its running steps are aborted and recorded while the app still answers.
    const closed = handbook ? handbook.close() : Promise.resolve();
    // The app stops whatever the console does: a console that cannot close within 10 s is logged.
    const late = new Promise<void>((resolve) =>
      setTimeout(() => {
        log("the console did not stop within 10 s: stopping the app anyway");
        resolve();
      }, 10_000).unref(),
    );
    Promise.race([closed, late])
      .catch((error: unknown) => log(`the console did not stop cleanly: ${String(error)}`))
      .finally(() => app.kill(signal));
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  // `kill <npm pid>` (kill %1, a supervisor): npm exits without passing the signal on, and this
  // process would be reparented with the app and the console still listening. npm runs it through
  // `sh -c`, which a SIGTERM to npm may take down and a SIGKILL leaves behind: so both the parent
  // and, under npm, the grandparent are watched. Either gone: stop the whole stack as for Ctrl-C.
  const parent = process.ppid;
  const watched = [parent, ...(env.npm_lifecycle_event ? [parentPid(parent)] : [])].filter((pid) => pid > 1);
  const orphanWatch = setInterval(() => {
    // processAlive counts an exited parent not yet reaped (a zombie) as gone, as it is.
    if (process.ppid === parent && watched.every((pid) => processAlive(pid))) return;
    clearInterval(orphanWatch);
    log(`the process that started this one (${watched.join(", ")}: npm) exited; stopping the stack`);
    forward("SIGTERM");
  }, 250);
  orphanWatch.unref();
  // Ready when /healthz answers (not when a log line appears: LOG_LEVEL may hide it).
  const appUrl = `http://127.0.0.1:${appPort}`;
  // The health poll stops when the app exits first: a timer left polling would keep this process
  // alive now that it ends by returning an exit code instead of calling process.exit.
  const appGone = new AbortController();
  void exited.then(() => appGone.abort());
  const ready = await Promise.race([waitForHealth(appUrl, appGone.signal), exited.then(() => false)]);
  if (ready) {
    // Runbooks in the dev environment read this to reach this stack (its ports differ per machine).
    const stack = {
      appUrl,
      databaseUrl: postgres.url,
      redisUrl: redis.url,
      redisPrefix: appEnv.REDIS_KEY_PREFIX ?? "ssp:",
      appPid: app.pid,
      postgres: postgres.source,
    };
    await writeDevStack(env, stack);
    try {
      await ensureHandbookBuilt(consoleConfig.distDir);
      handbook = await startConsole({
        ...consoleConfig,
        runbooksDir: RUNBOOKS_DIR,
        dataDir: runbookDataDir(env),
        processEnv: env,
        log: consoleLog,
      });
    } catch (error) {
      log(`the handbook console did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Runbook output links to the handbook's pages (the morning health check's "no backup yet").
    if (handbook) await writeDevStack(env, { ...stack, handbookUrl: handbook.url });
    if (handbook) {
      const running = handbook;
      linkChannel = await openLinkChannel(dataDir, running).catch((error: unknown) => {
        log(`npm run console:link will not work: ${error instanceof Error ? error.message : String(error)}`);
        return null;
      });
    }
    log("");
    if (handbook) {
      log(`handbook:      ${handbook.url}/  (with the console: Run buttons run the runbooks)`);
      log(`sign in:       ${handbook.loginLink()}  (one-time link; npm run console:link prints a new one)`);
    }
    log(`practice app:  ${appUrl}/`);
    log(`health:        ${appUrl}/readyz   metrics: ${appUrl}/metrics`);
    log(`demo learner:  ${DEMO_LEARNER.email} / ${DEMO_LEARNER.password}`);
    if (!verbose)
      log(`app log:       ${appLogFile}  (warnings and errors show here; npm start -- --verbose shows all)`);
    if (handbook) log(`console log:   ${consoleLogFile}  (its errors show here too)`);
    log("press Ctrl-C to stop");
  }
  const code = await exited;
  // The app can exit on its own (a crash, a pending migration): the console must not outlive it.
  if (!stopping && handbook) {
    stopping = true;
    await handbook
      .close()
      .catch((error: unknown) => log(`the console did not stop cleanly: ${String(error)}`));
  }
  clearInterval(orphanWatch);
  process.off("SIGINT", forward);
  process.off("SIGTERM", forward);
  await linkChannel?.close();
  await new Promise<void>((resolve) => consoleLogStream.end(resolve));
  await rm(devStackFile(env), { force: true });
  await postgres.stop();
  return code;
}

/** The first start builds the handbook; later starts serve what is built (`npm run build` refreshes it). */
async function ensureHandbookBuilt(distDir: string): Promise<void> {
  if (existsSync(path.join(distDir, "index.html"))) return;
  log("building the handbook (first start only; npm run build refreshes it)…");
  const build = spawn(
    process.execPath,
    [path.join(ROOT, "node_modules/astro/bin/astro.mjs"), "build", "--silent"],
    {
      cwd: ROOT,
      stdio: "inherit",
    },
  );
  const code = await new Promise<number | null>((resolve) => build.once("exit", resolve));
  if (code !== 0) throw new Error(`astro build exited with ${code}; run npm run build to see why`);
}

/** The parent of `pid` (from /proc), or 0 when it cannot be read. */
function parentPid(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) || 0;
  } catch {
    return 0;
  }
}

/** A line of the app's log worth the terminal: a warning or worse (pino level ≥ 40), or text that is not JSON. */
export function importantLine(line: string): string | null {
  if (!line.trim()) return null;
  let entry: { level?: unknown; msg?: unknown; err?: { message?: unknown } };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return line; // Not the JSON log: a crash's stack trace, a warning from Node.
  }
  if (typeof entry.level !== "number" || entry.level < 40) return null;
  const level = entry.level >= 50 ? "error" : "warning";
  const detail = typeof entry.err?.message === "string" ? `: ${entry.err.message}` : "";
  return `${level}: ${typeof entry.msg === "string" ? entry.msg : line}${detail}`;
}

async function waitForHealth(url: string, stop: AbortSignal): Promise<boolean> {
  while (!stop.aborted) {
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) })).ok) return true;
    } catch {
      // Not listening yet; the app process exiting ends the race instead.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

if (import.meta.main) {
  const verbose = process.argv.includes("--verbose");
  main(verbose ? { ...process.env, SSP_START_VERBOSE: "1" } : process.env).then(
    (code) => {
      process.exitCode = code;
      // The stack is down; nothing should hold the process now. If something does (a client's
      // keep-alive connection to the console), say so and leave: a supervisor waits on this exit.
      setTimeout(() => {
        log("something still held the process 3 s after the stack stopped; exiting");
        process.exit(code);
      }, 3_000).unref();
    },
    (error: unknown) => {
      console.error(`[start] failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = EXIT.failed;
    },
  );
}
