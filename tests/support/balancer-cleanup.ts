import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { processAlive } from "../../runbooks/lib/process.ts";

/**
 * Stops what a test's runbooks started behind nginx: the balancer in `nginxDir`, the pool's
 * instances, and every process whose environment names `dataDir` (an instance a runbook started
 * outside the pool file). nginx's master gets SIGTERM and is waited for, because SIGKILL leaves its
 * workers running with the test's ports (seen after full runs).
 */
export async function stopBalancerAndInstances(nginxDir: string, dataDir?: string): Promise<void> {
  const pidFile = path.join(nginxDir, "nginx.pid");
  if (existsSync(pidFile)) {
    const master = Number(readFileSync(pidFile, "utf8").trim());
    if (master > 0 && processAlive(master)) {
      process.kill(master, "SIGTERM");
      for (let i = 0; i < 100 && processAlive(master); i++) await new Promise((r) => setTimeout(r, 50));
      if (processAlive(master)) process.kill(master, "SIGKILL");
    }
  }
  const pids: number[] = [];
  const poolFile = path.join(nginxDir, "pool.json");
  if (existsSync(poolFile))
    for (const member of (JSON.parse(readFileSync(poolFile, "utf8")) as { members: Array<{ pid: number }> })
      .members)
      pids.push(member.pid);
  if (dataDir)
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      try {
        const environ = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
        if (environ.includes(`SSP_DATA_DIR=${dataDir}`) || environ.includes(`RUNBOOK_DATA_DIR=${dataDir}`))
          pids.push(Number(entry));
      } catch {
        // Gone, or not ours to read.
      }
    }
  for (const pid of pids) if (pid > 0 && processAlive(pid)) process.kill(pid, "SIGKILL");
}
