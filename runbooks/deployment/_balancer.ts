// The load balancer in front of the releases on this host: a private nginx (Debian's package)
// that deploy and rollback start, switch and read. Not a runbook: the catalog skips files
// starting "_".
//
// <data dir>/nginx/nginx.conf      written once when the balancer starts (listen port, logs)
// <data dir>/nginx/upstream.conf   the one line deploy/rollback rewrite: which release gets traffic
// <data dir>/nginx/nginx.pid       the master's pid; `nginx -s reload` re-reads upstream.conf
// <data dir>/nginx/balancer.json   the listen port and the release port it sends traffic to
// <data dir>/nginx/pool.json       instances add-instance put beside the release (rolling-restart,
//                                  remove-instance); the upstream is the release plus these
//
// A switch is graceful: nginx starts new workers with the new upstream and lets the old workers
// finish the requests they hold, so no request is dropped. The switch returns only after every old
// worker is gone, which is what makes it safe to drain the old release next.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { dataDir } from "../engine/paths.ts";
import { readStateFile, writeStateFile } from "../engine/state-files.ts";
import { renderNginxConf, renderUpstream } from "../lib/nginx-config.ts";
import { processAlive, waitFor } from "../lib/process.ts";
import type { Ctx } from "./_lib.ts";

const run = promisify(execFile);

/** Debian's nginx; NGINX_BIN for a host that has it elsewhere. */
export function nginxBinary(): string {
  return process.env.NGINX_BIN ?? "/usr/sbin/nginx";
}

export interface BalancerState {
  /** The port clients (or the TLS terminator in front) connect to. */
  listenPort: number;
  /** The release port nginx sends traffic to. */
  upstreamPort: number;
  switchedAt: string;
}

export function balancerDir(): string {
  return path.join(dataDir(process.env), "nginx");
}

const file = (name: string) => path.join(balancerDir(), name);

export async function readBalancer(): Promise<BalancerState | null> {
  return readStateFile<BalancerState>("balancer", file("balancer.json"), "fix or remove it");
}

export function balancerPid(): number | null {
  try {
    const pid = Number(readFileSync(file("nginx.pid"), "utf8").trim());
    return processAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

export function nginxInstalled(): boolean {
  return existsSync(nginxBinary());
}

async function nginx(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const dir = balancerDir();
  return run(nginxBinary(), ["-p", dir, "-c", file("nginx.conf"), "-e", file("error.log"), ...args], {
    timeout: 20_000,
  });
}

/** nginx -t of the balancer's config; throws with nginx's own words. */
async function testConfig(): Promise<void> {
  try {
    await nginx(["-t", "-q"]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    throw new Error(`nginx -t rejected the balancer config: ${stderr.trim()}`);
  }
}

async function nginxOrExplain(args: string[], what: string): Promise<void> {
  try {
    await nginx(args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(`${what} failed: ${stderr}`);
  }
}

async function writeAtomic(target: string, text: string): Promise<void> {
  const tmp = `${target}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, target);
}

/** The pids of the nginx workers under a master (Linux /proc: processes whose parent it is). */
export function workerPids(master: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === master && fields[0] !== "Z") pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Asks through the balancer which release answers (the X-Upstream header nginx adds). */
async function answeringUpstream(ctx: Ctx, listenPort: number): Promise<string | null> {
  try {
    const res = await ctx.http(`http://127.0.0.1:${listenPort}/healthz`, { timeoutMs: 2_000 });
    await res.arrayBuffer();
    return res.status === 200 ? res.headers.get("x-upstream") : null;
  } catch {
    return null;
  }
}

/**
 * Sends the balancer's traffic to the release on appPort: starts nginx when it is not running,
 * otherwise rewrites upstream.conf, checks it (nginx -t; a rejected file is put back) and reloads.
 * Returns after the balancer answers from the new release and no old worker is left.
 */
export async function switchBalancer(
  ctx: Ctx,
  options: { listenPort: number; appPort: number },
): Promise<{ started: boolean; ms: number; from: number | null }> {
  const began = Date.now();
  const dir = balancerDir();
  const before = await readBalancer();
  const master = balancerPid();
  await mkdir(path.join(dir, "tmp"), { recursive: true });
  const upstreamFile = file("upstream.conf");
  const previousUpstream = existsSync(upstreamFile) ? await readFile(upstreamFile, "utf8") : null;
  if (!master) await writeAtomic(file("nginx.conf"), renderNginxConf(dir, options.listenPort));
  // The instances add-instance put beside the release stay in the upstream across a switch.
  const pool = await readPool();
  await writeAtomic(upstreamFile, renderUpstream(options.appPort, pool?.members.map((m) => m.port) ?? []));
  try {
    await testConfig();
  } catch (error) {
    if (previousUpstream !== null) await writeAtomic(upstreamFile, previousUpstream);
    throw error;
  }
  const oldWorkers = master ? workerPids(master) : [];
  if (master) {
    await nginxOrExplain(["-s", "reload"], "nginx -s reload");
    ctx.log(`nginx (pid ${master}) reloaded: 127.0.0.1:${options.listenPort} → 127.0.0.1:${options.appPort}`);
  } else {
    await nginxOrExplain([], "starting nginx");
    ctx.log(
      `nginx started (${file("nginx.conf")}): 127.0.0.1:${options.listenPort} → 127.0.0.1:${options.appPort}`,
    );
  }
  const want = `127.0.0.1:${options.appPort}`;
  await waitFor(
    async () => {
      const pid = balancerPid();
      if (!pid) return undefined;
      // Old workers still hold requests to the old release: the switch is done when they are gone.
      const workers = workerPids(pid);
      if (workers.length === 0 || workers.some((w) => oldWorkers.includes(w))) return undefined;
      return (await answeringUpstream(ctx, options.listenPort)) === want ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, signal: ctx.signal, what: `the balancer answering from ${want}` },
  );
  const state: BalancerState = {
    listenPort: options.listenPort,
    upstreamPort: options.appPort,
    switchedAt: new Date().toISOString(),
  };
  await writeStateFile("balancer", file("balancer.json"), state);
  const ms = Date.now() - began;
  ctx.log(`switched in ${ms} ms; old workers gone, answers come from ${want}`);
  return { started: !master, ms, from: before?.upstreamPort ?? null };
}

// ---------------------------------------------------------------------------------------------
// The pool: instances beside the release (add-instance, remove-instance, rolling-restart).

export interface PoolMember {
  pid: number;
  port: number;
  url: string;
  startedAt: string;
  log: string;
}

export interface PoolState {
  /** The balancer's listen port (kept here too: a pool may exist before any deploy). */
  listenPort: number;
  members: PoolMember[];
}

export async function readPool(): Promise<PoolState | null> {
  return readStateFile<PoolState>("pool", file("pool.json"), "fix or remove it");
}

export async function writePool(pool: PoolState): Promise<void> {
  await writeStateFile("pool", file("pool.json"), pool);
}

/** The Prometheus file_sd targets of the app instances of an environment (written from the pool). */
export function prometheusTargetsFile(env: string): string {
  return path.join(dataDir(process.env), "prometheus", `${env}-app-targets.json`);
}

/** Every port that serves: the release the balancer sends traffic to (if any) and the pool. */
export async function upstreamPorts(pool: PoolState): Promise<{ release: number | null; ports: number[] }> {
  const balancer = await readBalancer();
  const release = balancer?.upstreamPort ?? null;
  return {
    release,
    ports: [...new Set([...(release === null ? [] : [release]), ...pool.members.map((m) => m.port)])],
  };
}

/**
 * Rewrites the upstream to the release plus the pool's members, checks it (nginx -t; a rejected
 * file is put back), reloads (or starts nginx), waits until every old worker is gone, and writes
 * the Prometheus targets from the same list. Returns the ports that now get traffic.
 */
export async function applyPool(ctx: Ctx, pool: PoolState): Promise<number[]> {
  const dir = balancerDir();
  await mkdir(path.join(dir, "tmp"), { recursive: true });
  const { release, ports } = await upstreamPorts(pool);
  const master = balancerPid();
  const upstreamFile = file("upstream.conf");
  const previous = existsSync(upstreamFile) ? await readFile(upstreamFile, "utf8") : null;
  if (!master) await writeAtomic(file("nginx.conf"), renderNginxConf(dir, pool.listenPort));
  await writeAtomic(
    upstreamFile,
    renderUpstream(
      release,
      pool.members.map((m) => m.port),
    ),
  );
  try {
    await testConfig();
  } catch (error) {
    if (previous !== null) await writeAtomic(upstreamFile, previous);
    throw error;
  }
  const oldWorkers = master ? workerPids(master) : [];
  if (master) await nginxOrExplain(["-s", "reload"], "nginx -s reload");
  else await nginxOrExplain([], "starting nginx");
  ctx.log(
    `nginx ${master ? `(pid ${master}) reloaded` : "started"}: 127.0.0.1:${pool.listenPort} → ${ports.map((p) => `127.0.0.1:${p}`).join(", ")}`,
  );
  await waitFor(
    async () => {
      const pid = balancerPid();
      if (!pid) return undefined;
      const workers = workerPids(pid);
      if (workers.length === 0 || workers.some((w) => oldWorkers.includes(w))) return undefined;
      return (await answeringUpstream(ctx, pool.listenPort)) ? true : undefined;
    },
    {
      timeoutMs: 30_000,
      intervalMs: 100,
      signal: ctx.signal,
      what: "the balancer answering with the new upstream",
    },
  );
  await writePool(pool);
  const targets = prometheusTargetsFile(ctx.env.name);
  await mkdir(path.dirname(targets), { recursive: true });
  await writeAtomic(
    targets,
    `${JSON.stringify([{ targets: ports.map((p) => `127.0.0.1:${p}`), labels: { job: "practice-app", env: ctx.env.name } }], null, 2)}\n`,
  );
  ctx.log(`Prometheus targets (file_sd): ${targets}`);
  return ports;
}
