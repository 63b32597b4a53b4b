/**
 * Scale instances on this host
 *
 * Purpose: start, stop or list extra practice-app instances on this machine, each on its own port,
 *   against the environment's PostgreSQL and Redis (same key prefix, so they share the caches). The
 *   instances are recorded in a state file, so a later run (or another operator) can see and stop
 *   them. Put them behind the load balancer yourself (nginx upstream); this runbook prints the URLs.
 * Sent here by: capacity-report (a CPU or memory scale-up trigger fired: "Add an application
 *   instance"), the Operational Runbook's "Scaling operations", or a load test that needs more
 *   instances.
 * Preconditions: this checkout's practice-app/ matches the release the environment runs; the
 *   database is migrated; the SESSION_SECRET the other instances use (the sessionSecret parameter,
 *   or the dev stack's .data/session-secret file): with another secret, learners' tokens are refused
 *   by the new instances.
 * Blast radius: this host only. start adds processes (each opens up to PG_POOL_MAX PostgreSQL
 *   connections, 10 by default); stop ends the recorded instances gracefully (readiness 503, in-flight
 *   requests finish). It never touches an instance it did not start.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import { dataDir, localDataDir, REPO_ROOT } from "../engine/paths.ts";
import { readStateFile, writeStateFile } from "../engine/state-files.ts";
import { commandLine, logTail, processAlive, spawnService } from "../lib/process.ts";

const MAIN = path.join(REPO_ROOT, "practice-app", "src", "main.ts");
const HOST = "127.0.0.1";

interface Instance {
  pid: number;
  port: number;
  url: string;
  startedAt: string;
  log: string;
}

interface InstanceStatus extends Instance {
  alive: boolean;
  readyz: number | null;
  readiness: string;
}

export default defineRunbook({
  id: "scale-instances",
  title: "Scale app instances on this host",
  summary:
    "Starts, stops or lists extra practice-app instances on this machine against the environment's database and Redis.",
  guide: "operational-runbook",
  section: "Scaling operations",
  // Its start action spawns this checkout's app with node.
  executes: ["../../practice-app/src/main.ts"],
  params: z.object({
    action: z
      .enum(["status", "start", "stop"])
      .default("status")
      .describe("start new instances, stop the recorded ones, or list them (status)"),
    count: z
      .number()
      .int()
      .min(1)
      .max(16)
      .optional()
      .describe("start: how many instances (default 1); stop: how many, newest first (default all)"),
    basePort: z
      .number()
      .int()
      .min(1024)
      .max(65_000)
      .default(3001)
      .describe("start: the first port to try; busy ports are skipped"),
    sessionSecret: z
      .string()
      .min(32, "must be at least 32 characters, like the app's SESSION_SECRET")
      .optional()
      .describe("SESSION_SECRET for the new instances (default: the dev stack's .data/session-secret file)")
      .meta({ secret: true }),
    logLevel: z
      .enum(["fatal", "error", "warn", "info", "debug"])
      .default("info")
      .describe("LOG_LEVEL of the new instances (logs go to a file per instance)"),
    readyTimeoutSeconds: z
      .number()
      .int()
      .min(5)
      .max(150)
      .default(60)
      .describe("start: how long each instance may take to answer /readyz 200"),
    stopTimeoutSeconds: z
      .number()
      .int()
      .min(5)
      .max(120)
      .default(20)
      .describe("stop: how long an instance may take to shut down gracefully before SIGKILL"),
  }),
  steps: (step) => [
    step({
      id: "inventory",
      title: "Recorded instances and their readiness",
      description: "Reads the state file and asks each recorded instance's /readyz.",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const file = stateFile(ctx.env.name);
        const instances = await readState(file);
        ctx.log(`state file: ${file}`);
        ctx.log(`instances recorded for ${ctx.env.name} on this host: ${instances.length}`);
        const statuses: InstanceStatus[] = [];
        for (const instance of instances) {
          const status = await describeInstance(instance);
          statuses.push(status);
          ctx.log(`  ${line(status)}`);
          if (!status.alive)
            ctx.warn(
              `  pid ${instance.pid} is gone (crashed or stopped outside this runbook; log: ${instance.log}): action=stop forgets it`,
            );
        }
        return { file, instances: statuses };
      },
    }),
    step({
      id: "start-instances",
      title: "Start new instances",
      description: "action=start: spawns detached `node practice-app/src/main.ts` processes on free ports.",
      danger: "change",
      timeoutMs: seconds(30),
      plan(ctx) {
        if (ctx.params.action !== "start") return [`nothing: action is ${ctx.params.action}`];
        const count = ctx.params.count ?? 1;
        return [
          `would start ${count} instance(s) of ${MAIN} on ${HOST}, ports from ${ctx.params.basePort} (busy ones skipped)`,
          `with DATABASE_URL=${ctx.env.databaseUrl}, REDIS_URL=${ctx.env.redisUrl || "(none)"}, REDIS_KEY_PREFIX=${ctx.env.redisPrefix}`,
          `and record them in ${stateFile(ctx.env.name)}`,
        ];
      },
      async run(ctx) {
        if (ctx.params.action !== "start") {
          ctx.log(`skipped: action is ${ctx.params.action}`);
          return { started: [] as Instance[] };
        }
        const secret = await sessionSecret(ctx.params.sessionSecret);
        if (secret.SESSION_SECRET) ctx.secret(secret.SESSION_SECRET);
        const file = stateFile(ctx.env.name);
        const recorded = await readState(file);
        const count = ctx.params.count ?? 1;
        const taken = new Set(recorded.map((i) => i.port));
        const ports: number[] = [];
        for (
          let port = ctx.params.basePort;
          ports.length < count && port < ctx.params.basePort + count + 50;
          port++
        ) {
          if (taken.has(port)) continue;
          if (await portFree(port)) ports.push(port);
          else ctx.log(`port ${port} is in use: skipped`);
        }
        if (ports.length < count)
          throw new Error(
            `found only ${ports.length} free ports from ${ctx.params.basePort}: choose another basePort`,
          );
        const total = recorded.length + count;
        const cores = os.availableParallelism();
        if (total > cores)
          ctx.warn(
            `${total} extra instances on a ${cores}-core host: they will compete for CPU; add a host instead`,
          );
        await mkdir(ctx.artifactsDir, { recursive: true });
        const started: Instance[] = [];
        for (const port of ports) {
          const log = path.join(ctx.artifactsDir, `${ctx.env.name}-${port}.log`);
          // Not ctx.$: the step's commands are killed when the step ends, and these processes must
          // outlive the run. Detached, in their own process group, with output to a file.
          const child = await spawnService(
            process.execPath,
            [MAIN],
            {
              ...process.env,
              HOST,
              PORT: String(port),
              DATABASE_URL: ctx.env.databaseUrl,
              REDIS_URL: ctx.env.redisUrl,
              REDIS_KEY_PREFIX: ctx.env.redisPrefix,
              ...secret,
              LOG_LEVEL: ctx.params.logLevel,
            },
            log,
            REPO_ROOT,
          );
          const instance: Instance = {
            pid: child.pid,
            port,
            url: `http://${HOST}:${port}`,
            startedAt: new Date().toISOString(),
            log,
          };
          started.push(instance);
          // Recorded at once, so a failed run can still be cleaned up with action=stop.
          await writeState(file, [...recorded, ...started]);
          ctx.log(`started pid ${instance.pid} on port ${port} (log: ${log})`);
        }
        return { started };
      },
    }),
    step({
      id: "wait-ready",
      title: "Wait until the new instances are ready",
      description: "action=start: polls each new instance's /readyz until it answers 200.",
      danger: "read",
      timeoutMs: minutes(3),
      async run(ctx) {
        const { started } = ctx.result<{ started: Instance[] }>("start-instances");
        if (started.length === 0) {
          ctx.log(`skipped: no instances started (action ${ctx.params.action})`);
          return { ready: [] as Instance[] };
        }
        const deadline = Date.now() + ctx.params.readyTimeoutSeconds * 1000;
        for (const instance of started) {
          const t0 = Date.now();
          for (;;) {
            const status = await describeInstance(instance);
            if (status.readyz === 200) {
              ctx.log(
                `${instance.url} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${status.readiness})`,
              );
              break;
            }
            if (!status.alive)
              throw new Error(
                `the instance on port ${instance.port} (pid ${instance.pid}) exited before it was ready:\n${logTail(instance.log, 10)}\nfix the cause above, then run action=stop to forget it`,
              );
            if (Date.now() > deadline || ctx.signal.aborted)
              throw new Error(
                `the instance on port ${instance.port} (pid ${instance.pid}) is not ready after ${ctx.params.readyTimeoutSeconds} s (/readyz: ${status.readiness}); see ${instance.log}; action=stop stops it`,
              );
            await sleep(250);
          }
        }
        ctx.log("add these to the load balancer's upstream:");
        for (const instance of started) ctx.log(`  ${instance.url}`);
        return { ready: started };
      },
    }),
    step({
      id: "stop-instances",
      title: "Stop recorded instances",
      description: "action=stop: SIGTERM to each recorded instance, waits for its graceful exit, forgets it.",
      danger: "change",
      timeoutMs: minutes(5),
      async plan(ctx) {
        if (ctx.params.action !== "stop") return [`nothing: action is ${ctx.params.action}`];
        const chosen = choose(await readState(stateFile(ctx.env.name)), ctx.params.count);
        if (chosen.length === 0) return ["nothing: no instances are recorded"];
        return chosen.map(
          (i) => `would send SIGTERM to pid ${i.pid} (port ${i.port}) and wait for it to exit`,
        );
      },
      async run(ctx) {
        if (ctx.params.action !== "stop") {
          ctx.log(`skipped: action is ${ctx.params.action}`);
          return { stopped: [] as Array<{ pid: number; port: number; how: string }> };
        }
        const file = stateFile(ctx.env.name);
        const chosen = choose(await readState(file), ctx.params.count);
        if (chosen.length === 0) ctx.log("no instances are recorded: nothing to stop");
        const stopped: Array<{ pid: number; port: number; how: string; seconds: number }> = [];
        for (const instance of chosen) {
          const t0 = Date.now();
          let how: string;
          const state = processState(instance.pid);
          if (state === "gone") how = "already gone";
          else if (state === "other") {
            // The pid was reused by an unrelated process: never signal it.
            how = "pid now belongs to another program: not signalled";
            ctx.warn(`pid ${instance.pid} is no longer a practice-app instance; forgetting it`);
          } else {
            process.kill(instance.pid, "SIGTERM");
            const deadline = Date.now() + ctx.params.stopTimeoutSeconds * 1000;
            while (processState(instance.pid) !== "gone" && Date.now() < deadline && !ctx.signal.aborted)
              await sleep(100);
            if (processState(instance.pid) === "gone") how = "exited after SIGTERM";
            else {
              ctx.warn(
                `pid ${instance.pid} did not exit within ${ctx.params.stopTimeoutSeconds} s of SIGTERM: sending SIGKILL (in-flight requests are cut)`,
              );
              killGroup(instance.pid);
              await sleep(500);
              how = "killed (SIGKILL)";
              if (processState(instance.pid) !== "gone")
                throw new Error(
                  `pid ${instance.pid} survived SIGKILL: look at it with ps -o pid,stat,cmd -p ${instance.pid}`,
                );
            }
          }
          if (!(await portFree(instance.port)))
            ctx.warn(
              `port ${instance.port} is still in use after pid ${instance.pid} exited: something else listens there`,
            );
          // Forget it right away, so an interrupted run does not signal it again.
          const remaining = (await readState(file)).filter((i) => i.pid !== instance.pid);
          await writeState(file, remaining);
          const secs = (Date.now() - t0) / 1000;
          stopped.push({ pid: instance.pid, port: instance.port, how, seconds: secs });
          ctx.log(`pid ${instance.pid} (port ${instance.port}): ${how} in ${secs.toFixed(1)} s`);
        }
        const left = await readState(file);
        ctx.log(`instances still recorded: ${left.length}`);
        if (stopped.length > 0) ctx.log("remove the stopped URLs from the load balancer's upstream");
        return { stopped };
      },
    }),
  ],
});

function stateFile(env: string): string {
  return path.join(dataDir(process.env), "instances", `${env}.json`);
}

async function readState(file: string): Promise<Instance[]> {
  // No file yet: nothing was ever started for this environment on this host.
  return (
    (await readStateFile<{ instances: Instance[] }>("instances", file, "fix or delete the file"))
      ?.instances ?? []
  );
}

async function writeState(file: string, instances: Instance[]): Promise<void> {
  await writeStateFile("instances", file, { instances });
}

/** The newest `count` instances (all when count is not given). */
function choose(instances: Instance[], count: number | undefined): Instance[] {
  const newestFirst = [...instances].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return count === undefined ? newestFirst : newestFirst.slice(0, count);
}

/**
 * Where the new instances get their session secret: the parameter, or else the dev stack's secret
 * FILE itself (not its content), so they follow a rotate-session-secret run like the app npm start
 * runs. The file may hold "current\nprevious" after a rotation.
 */
async function sessionSecret(
  param: string | undefined,
): Promise<{ SESSION_SECRET: string } | { SESSION_SECRET_FILE: string; SESSION_SECRET: "" }> {
  if (param) return { SESSION_SECRET: param };
  const file = path.join(localDataDir(process.env), "session-secret");
  if (existsSync(file)) {
    const current = (await readFile(file, "utf8")).split("\n")[0]?.trim() ?? "";
    if (current.length >= 32) return { SESSION_SECRET_FILE: file, SESSION_SECRET: "" };
    throw new Error(`${file} holds a secret shorter than 32 characters: the app would refuse it`);
  }
  throw new Error(
    `no session secret: pass --param sessionSecret=<the SESSION_SECRET the environment's other instances use> (there is no ${file} from npm start); with a different secret the new instances refuse every learner's token`,
  );
}

/** "ours": a live practice-app process; "other": the pid runs something else; "gone": no process. */
function processState(pid: number): "ours" | "other" | "gone" {
  if (!processAlive(pid)) return "gone";
  const command = commandLine(pid);
  // No command line: either there is no /proc (macOS), so trust the recorded pid, or it exited
  // between the two reads.
  if (command === null) return existsSync("/proc") ? "gone" : "ours";
  return command.includes(MAIN) ? "ours" : "other";
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // ESRCH: already gone.
    }
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

async function describeInstance(instance: Instance): Promise<InstanceStatus> {
  const alive = processState(instance.pid) === "ours";
  if (!alive) return { ...instance, alive, readyz: null, readiness: "process gone" };
  try {
    const res = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json()) as { status?: string };
    return { ...instance, alive, readyz: res.status, readiness: `${res.status} ${body.status ?? ""}`.trim() };
  } catch (error) {
    // Expected while the instance starts: the port is not listening yet.
    return { ...instance, alive, readyz: null, readiness: `no answer (${(error as Error).message})` };
  }
}

function line(s: InstanceStatus): string {
  const up = Math.round((Date.now() - Date.parse(s.startedAt)) / 60_000);
  return `pid ${s.pid}  ${s.url}  started ${s.startedAt} (${up} min ago)  ${s.alive ? `readyz ${s.readiness}` : "process gone"}`;
}
