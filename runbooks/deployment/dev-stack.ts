/**
 * Local dev stack: up, down, status
 *
 * Purpose: bring the local stack `npm start` runs (PostgreSQL or an embedded PGlite, Redis if one
 *   answers, migrations, seed, the app) up in the background, take it down gracefully, or say
 *   whether it is up and healthy.
 * Sent here by: the Deployment Playbook ("Environment setup", dev); a runbook in env dev failing
 *   with "fetch failed" because nothing runs locally.
 * Preconditions: `npm ci` done. Settings come from your shell, exactly as for `npm start`:
 *   DATABASE_URL (else 127.0.0.1:5432, else PGlite in the data dir), REDIS_URL (else
 *   127.0.0.1:6379, else none), SSP_DATA_DIR, SESSION_SECRET, LOG_LEVEL…; the port is the `port`
 *   parameter, else PORT, else 3000.
 * Blast radius: this machine only. up starts processes and may create the local database
 *   "subjunctive" or PGlite files; down stops them (the data stays). Never runs against staging or
 *   production.
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { devStackFile, REPO_ROOT, readDevStack } from "../engine/paths.ts";
import { logReadiness, readiness } from "../lib/app-api.ts";
import { portAnswers } from "../lib/net.ts";
import {
  commandLine,
  logTail,
  processAlive,
  spawnService,
  stopOnAbort,
  stopProcess,
  waitFor,
} from "../lib/process.ts";
import { type Ctx, portParam } from "./_lib.ts";

const START_SCRIPT = path.join(REPO_ROOT, "scripts/start.ts");

/** What this runbook records about a start script it launched (beside its log). */
interface StartRecord {
  pid: number;
  port: number;
  logFile: string;
  startedAt: string;
}

type StackState =
  | { state: "down" }
  | { state: "up" | "stale"; appUrl: string; appPid: number | null; startPid: number | null; readyz: string };

function startRecordFile(ctx: { artifactsDir: string }): string {
  return path.join(ctx.artifactsDir, "start.json");
}

async function readStartRecord(ctx: { artifactsDir: string }): Promise<StartRecord | null> {
  try {
    return JSON.parse(await readFile(startRecordFile(ctx), "utf8")) as StartRecord;
  } catch {
    return null;
  }
}

/** The parent of a process (Linux /proc), to find the start script that runs the app. */
function parentPid(pid: number): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[1]) || null;
  } catch {
    return null;
  }
}

function isStartScript(pid: number | null | undefined): pid is number {
  return !!pid && processAlive(pid) && (commandLine(pid)?.includes("scripts/start.ts") ?? false);
}

/** Reads dev-stack.json and probes the app it names. */
async function probe(ctx: Ctx): Promise<StackState> {
  const stack = readDevStack(process.env);
  if (!stack.appUrl) return { state: "down" };
  const appPid = stack.appPid ?? null;
  const recorded = await readStartRecord(ctx);
  const startPid = isStartScript(recorded?.pid)
    ? (recorded?.pid ?? null)
    : appPid && isStartScript(parentPid(appPid))
      ? parentPid(appPid)
      : null;
  try {
    const ready = await readiness(ctx, stack.appUrl, 3_000);
    return {
      state: ready.httpStatus === 200 ? "up" : "stale",
      appUrl: stack.appUrl,
      appPid,
      startPid,
      readyz: `${ready.httpStatus} ${ready.status}`,
    };
  } catch (error) {
    // The file outlived its stack (a crash or kill -9): nothing answers at its URL.
    return {
      state: "stale",
      appUrl: stack.appUrl,
      appPid,
      startPid,
      readyz: `no answer (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

export default defineRunbook({
  id: "dev-stack",
  title: "Local dev stack",
  summary:
    "Brings the local stack npm start runs up in the background, takes it down gracefully, or reports it.",
  guide: "deployment-playbook",
  section: "Environment setup",
  // The script its step starts in the background: hashed with the runbook, refused when changed.
  executes: ["../../scripts/start.ts"],
  params: z.object({
    action: z
      .enum(["up", "down", "status"])
      .default("status")
      .describe("up: start it in the background; down: stop it gracefully; status: report it"),
    port: portParam().optional().describe("Port for the app on `up` (default: $PORT, else 3000)"),
    waitSeconds: z
      .number()
      .int()
      .min(5)
      .max(600)
      .default(120)
      .describe("How long `up` waits for the app to be ready (the embedded PGlite is slower)"),
  }),
  steps: (step) => [
    step({
      id: "check",
      title: "Environment and current state",
      description: "Refuses anything but dev; reads dev-stack.json and probes the app it names.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        if (ctx.env.name !== "dev") {
          throw new Error(
            `dev-stack manages the local stack of this checkout (env dev) only; ${ctx.env.name} is deployed with the deploy and rollback runbooks`,
          );
        }
        const found = await probe(ctx);
        ctx.log(`stack file: ${devStackFile(process.env)}`);
        if (found.state === "down") ctx.log("the dev stack is down (no dev-stack.json)");
        else
          ctx.log(
            `the dev stack is ${found.state}: ${found.appUrl} /readyz ${found.readyz}; app pid ${found.appPid ?? "?"}, start script pid ${found.startPid ?? "not found"}`,
          );
        return found;
      },
    }),
    step({
      id: "up",
      title: "Start the stack",
      description:
        "Runs scripts/start.ts in the background, logs to a file, waits for dev-stack.json and /readyz.",
      danger: "change",
      timeoutMs: minutes(11),
      plan(ctx) {
        if (ctx.params.action !== "up") return [`nothing: action is ${ctx.params.action}`];
        const port = ctx.params.port ?? Number(process.env.PORT ?? 3000);
        return [
          `would run node scripts/start.ts in the background on port ${port} (log in ${ctx.artifactsDir})`,
          `would wait up to ${ctx.params.waitSeconds} s for dev-stack.json and /readyz 200`,
        ];
      },
      async run(ctx) {
        if (ctx.params.action !== "up") {
          ctx.log(`nothing to start: action is ${ctx.params.action}`);
          return { skipped: ctx.params.action };
        }
        const before = ctx.result<StackState>("check");
        if (before.state === "up") {
          ctx.log(`already up at ${before.appUrl}: nothing to start`);
          return { started: false, appUrl: before.appUrl };
        }
        if (before.state === "stale") {
          // Left by a stack that died without cleaning up; start.ts writes a fresh one.
          ctx.warn(`removing a stale ${devStackFile(process.env)} (its app does not answer)`);
          await rm(devStackFile(process.env), { force: true });
        }
        const port = ctx.params.port ?? Number(process.env.PORT ?? 3000);
        if (await portAnswers(port)) {
          throw new Error(
            `port ${port} is already in use by something that is not the dev stack: stop it, or pass port=<another port>`,
          );
        }
        const logFile = path.join(
          ctx.artifactsDir,
          `start-${new Date().toISOString().replace(/[:.]/g, "-")}.log`,
        );
        // The script inherits this shell's settings (DATABASE_URL, REDIS_URL, SSP_DATA_DIR, …) as
        // `npm start` would; not ctx.$, whose children get the env's DATABASE_URL and are stopped
        // when the step ends, while this one must keep running.
        const child = await spawnService(
          process.execPath,
          [START_SCRIPT],
          { ...process.env, PORT: String(port), FORCE_COLOR: "0" },
          logFile,
          REPO_ROOT,
        );
        const record: StartRecord = { pid: child.pid, port, logFile, startedAt: new Date().toISOString() };
        await writeFile(startRecordFile(ctx), `${JSON.stringify(record, null, 2)}\n`);
        ctx.log(`started scripts/start.ts: pid ${child.pid} (its own process group), port ${port}`);
        ctx.log(`log: ${logFile}`);
        const started = Date.now();
        const keep = stopOnAbort(ctx.signal, child.pid);
        let exit: { code: number | null } | null = null;
        child.exited.then((e) => {
          exit = e;
        });
        try {
          const appUrl = await waitFor(
            async () => {
              if (exit) {
                throw new Error(
                  `scripts/start.ts exited with code ${exit.code} before the stack was ready. Its log (${logFile}) ends:\n${logTail(logFile)}`,
                );
              }
              const url = readDevStack(process.env).appUrl;
              if (!url) return undefined;
              try {
                return (await readiness(ctx, url, 2_000)).httpStatus === 200 ? url : undefined;
              } catch {
                return undefined; // listening but not answering yet
              }
            },
            {
              timeoutMs: ctx.params.waitSeconds * 1000,
              intervalMs: 300,
              signal: ctx.signal,
              what: "the dev stack to be ready",
            },
          );
          keep();
          const secs = ((Date.now() - started) / 1000).toFixed(1);
          ctx.log(`ready in ${secs} s: ${appUrl}/`);
          for (const line of logTail(logFile, 40).split("\n"))
            if (line.startsWith("[start]")) ctx.log(`  ${line}`);
          return { started: true, appUrl, startPid: child.pid, logFile, seconds: Number(secs) };
        } catch (error) {
          // Not ready (timeout, cancel, or the script failed): leave nothing half-started behind.
          await stopProcess(child.pid, { graceMs: 10_000 });
          await rm(startRecordFile(ctx), { force: true });
          throw error instanceof Error && error.message.includes("not within")
            ? new Error(
                `the dev stack was not ready within ${ctx.params.waitSeconds} s and was stopped. Its log (${logFile}) ends:\n${logTail(logFile)}`,
              )
            : error;
        }
      },
    }),
    step({
      id: "down",
      title: "Stop the stack",
      description:
        "SIGTERM to the start script (it stops the app gracefully, then PGlite, and removes dev-stack.json); waits.",
      danger: "change",
      timeoutMs: seconds(60),
      plan(ctx) {
        if (ctx.params.action !== "down") return [`nothing: action is ${ctx.params.action}`];
        const found = ctx.result<StackState>("check");
        return found.state === "down"
          ? ["nothing: the stack is down"]
          : [
              `would send SIGTERM to the start script (pid ${found.startPid ?? "?"}) or the app (pid ${found.appPid ?? "?"}) and wait`,
            ];
      },
      async run(ctx) {
        if (ctx.params.action !== "down") {
          ctx.log(`nothing to stop: action is ${ctx.params.action}`);
          return { skipped: ctx.params.action };
        }
        const found = ctx.result<StackState>("check");
        const recorded = await readStartRecord(ctx);
        if (found.state === "down") {
          // A start script we launched may still be starting (no stack file yet): stop it too.
          if (isStartScript(recorded?.pid)) {
            const stopped = await stopProcess(recorded.pid, { graceMs: 20_000 });
            ctx.log(
              `stopped a start script that had not finished starting (pid ${recorded.pid}, ${stopped.how})`,
            );
          } else ctx.log("already down: nothing to stop");
          await rm(startRecordFile(ctx), { force: true });
          return { stopped: false };
        }
        // The start script forwards one SIGTERM to the app, which drains and exits; the script
        // then removes dev-stack.json and stops PGlite. Signalling the whole group instead would
        // give the app a second SIGTERM, which skips its graceful shutdown.
        const target = found.startPid ?? found.appPid;
        if (!target || !processAlive(target)) {
          ctx.warn(
            `no live process for the stack (app pid ${found.appPid ?? "?"}): removing the stale stack file`,
          );
          await rm(devStackFile(process.env), { force: true });
          await rm(startRecordFile(ctx), { force: true });
          return { stopped: false, stale: true };
        }
        ctx.log(
          `SIGTERM to ${found.startPid ? `the start script, pid ${target}` : `the app, pid ${target}`}`,
        );
        const stopped = await stopProcess(target, { graceMs: 30_000 });
        if (found.appPid && processAlive(found.appPid)) await stopProcess(found.appPid, { graceMs: 5_000 });
        const fileGone = !existsSync(devStackFile(process.env));
        if (!fileGone) {
          ctx.warn("the start script did not remove dev-stack.json (it was killed): removing it");
          await rm(devStackFile(process.env), { force: true });
        }
        await rm(startRecordFile(ctx), { force: true });
        ctx.log(
          `stopped in ${(stopped.ms / 1000).toFixed(1)} s (${stopped.how === "SIGTERM" ? "gracefully" : "killed after the grace period"})`,
        );
        if (stopped.how === "SIGKILL")
          ctx.warn(
            "the stack had to be killed: an embedded PGlite may need a moment to recover on the next up",
          );
        return { stopped: true, how: stopped.how, ms: stopped.ms };
      },
    }),
    step({
      id: "status",
      title: "Report the stack",
      description:
        "Reads dev-stack.json and probes /readyz; checks that up left it up and down left it down.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        const found = await probe(ctx);
        if (found.state === "down") {
          ctx.log("dev stack: down");
          const port = (await readStartRecord(ctx))?.port;
          if (ctx.params.action === "up")
            throw new Error("the stack is not up after `up`: read the log above");
          return { ...found, port: port ?? null };
        }
        ctx.log(`dev stack: ${found.state} at ${found.appUrl}`);
        ctx.log(`  app pid ${found.appPid ?? "?"}, start script pid ${found.startPid ?? "not found"}`);
        try {
          logReadiness(ctx, await readiness(ctx, found.appUrl, 3_000));
        } catch {
          ctx.log(`  /readyz: ${found.readyz}`);
        }
        const recorded = await readStartRecord(ctx);
        if (recorded) ctx.log(`  log: ${recorded.logFile}`);
        if (found.state === "stale") {
          throw new Error(
            `${devStackFile(process.env)} names ${found.appUrl}, which does not answer ready (${found.readyz}): run dev-stack with action=down, then action=up`,
          );
        }
        if (ctx.params.action === "down")
          throw new Error(`the stack still answers at ${found.appUrl} after down`);
        const override = process.env.SSP_DEV_APP_URL;
        if (override && override !== found.appUrl)
          ctx.warn(`note: runbooks in env dev use ${override} (SSP_DEV_APP_URL is set), not this stack`);
        return found;
      },
    }),
  ],
});
