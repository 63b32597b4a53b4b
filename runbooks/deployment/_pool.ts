// Shared by add-instance, remove-instance and rolling-restart: the pool's inventory, and starting
// and stopping one member. Not a runbook: the catalog skips files starting "_".
import { z } from "zod";
import { REPO_ROOT } from "../engine/paths.ts";
import { readiness } from "../lib/app-api.ts";
import { commandLine, processAlive, stopProcess } from "../lib/process.ts";
import { applyPool, type PoolMember, type PoolState, readBalancer, readPool } from "./_balancer.ts";
import type { Ctx } from "./_lib.ts";
import { mainScript, startRelease } from "./_releases.ts";

/** The balancer's listen port when neither a deploy nor an earlier pool recorded one. */
export const DEFAULT_LISTEN_PORT = 8080;

/** The parameters of a restart in turn (restartInTurn), for each runbook that does one. */
export const RESTART_TIMEOUT_PARAMS = {
  stopTimeoutSeconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(120)
    .default(20)
    .describe("How long each instance may take to exit after SIGTERM before SIGKILL"),
  readyTimeoutSeconds: z.coerce
    .number()
    .int()
    .min(5)
    .max(150)
    .default(45)
    .describe("How long each restarted instance may take to answer /readyz 200"),
};

export async function currentPool(listenPort?: number): Promise<PoolState> {
  const pool = await readPool();
  const balancer = await readBalancer();
  return {
    listenPort: listenPort ?? pool?.listenPort ?? balancer?.listenPort ?? DEFAULT_LISTEN_PORT,
    members: pool?.members ?? [],
  };
}

/** A member is ours while its pid is alive and runs this checkout's main.ts (pids get reused). */
export function memberRunning(m: PoolMember): boolean {
  if (!processAlive(m.pid)) return false;
  const cmd = commandLine(m.pid);
  return cmd === null || cmd.includes(mainScript(REPO_ROOT));
}

export async function describeMembers(ctx: Ctx, pool: PoolState): Promise<void> {
  const balancer = await readBalancer();
  ctx.log(
    `balancer 127.0.0.1:${pool.listenPort}; release ${balancer ? `on port ${balancer.upstreamPort}` : "none recorded (no deploy on this host)"}`,
  );
  ctx.log(`pool members: ${pool.members.length}`);
  for (const m of pool.members) {
    let ready = "process gone";
    if (memberRunning(m)) {
      try {
        const r = await readiness(ctx, m.url, 2_000);
        ready = `/readyz ${r.httpStatus} ${r.status}`;
      } catch (error) {
        // Expected while it starts or hangs: the inventory says so rather than failing.
        ready = `no answer (${(error as Error).message})`;
      }
    }
    ctx.log(`  port ${m.port}: pid ${m.pid}, started ${m.startedAt}, ${ready}`);
  }
}

/** Starts this checkout's app on a port and waits for /readyz 200 (stopped again on failure). */
export async function startMember(ctx: Ctx, port: number, readyMs: number): Promise<PoolMember> {
  const started = await startRelease(ctx, { commit: "instance", dir: REPO_ROOT, port }, readyMs);
  return {
    pid: started.pid,
    port,
    url: started.url,
    startedAt: new Date().toISOString(),
    log: started.logFile,
  };
}

/** SIGTERM (the app drains: readiness 503, in-flight requests finish), SIGKILL after graceMs. */
export async function stopMember(ctx: Ctx, m: PoolMember, graceMs: number): Promise<string> {
  if (!memberRunning(m)) {
    ctx.log(`port ${m.port}: pid ${m.pid} is not running (or is no longer this app): nothing to stop`);
    return "not running";
  }
  const r = await stopProcess(m.pid, { graceMs });
  ctx.log(
    `port ${m.port}: pid ${m.pid} ${r.how === "SIGKILL" ? `killed after ${graceMs / 1000} s` : "exited gracefully"} (${(r.ms / 1000).toFixed(1)} s)`,
  );
  return r.how;
}

/** Asks through the balancer until the given port answers (X-Upstream), or fails after `tries`. */
export async function answersThroughBalancer(
  ctx: Ctx,
  listenPort: number,
  port: number,
  tries = 40,
): Promise<number> {
  for (let i = 1; i <= tries; i++) {
    const res = await ctx.http(`http://127.0.0.1:${listenPort}/healthz`, { timeoutMs: 2_000 });
    await res.arrayBuffer();
    if (res.headers.get("x-upstream") === `127.0.0.1:${port}`) return i;
  }
  throw new Error(
    `port ${port} did not answer through the balancer in ${tries} requests: see ${listenPort}'s access log under the balancer's directory`,
  );
}

export interface Restarted {
  port: number;
  oldPid: number;
  newPid: number;
  seconds: number;
}

/**
 * The rolling restart itself (rolling-restart, rotate-database-password): for each port in turn,
 * out of the upstream, graceful stop, start again, /readyz 200, back in, answering through nginx.
 * An instance that does not come back stops the loop with it out of the upstream.
 */
export async function restartInTurn(
  ctx: Ctx,
  order: number[],
  options: { stopTimeoutMs: number; readyTimeoutMs: number },
): Promise<Restarted[]> {
  const restarted: Restarted[] = [];
  for (const port of order) {
    if (ctx.signal.aborted) throw new Error(`cancelled after restarting ${restarted.length} instance(s)`);
    const t0 = Date.now();
    const pool = await currentPool();
    const old = pool.members.find((m) => m.port === port);
    if (!old) {
      ctx.log(`port ${port}: no longer in the pool, skipped`);
      continue;
    }
    const without = { ...pool, members: pool.members.filter((m) => m.port !== port) };
    await applyPool(ctx, without);
    await stopMember(ctx, old, options.stopTimeoutMs);
    let fresh: PoolMember;
    try {
      fresh = await startMember(ctx, port, options.readyTimeoutMs);
    } catch (error) {
      throw new Error(
        `port ${port} did not come back (${(error as Error).message}); it is out of the upstream, the others serve: fix it and run add-instance with port=${port}`,
      );
    }
    await applyPool(ctx, { ...without, members: [...without.members, fresh] });
    await answersThroughBalancer(ctx, pool.listenPort, port);
    const secs = (Date.now() - t0) / 1000;
    ctx.log(`port ${port}: pid ${old.pid} → ${fresh.pid}, back behind nginx in ${secs.toFixed(1)} s`);
    restarted.push({ port, oldPid: old.pid, newPid: fresh.pid, seconds: secs });
  }
  return restarted;
}
