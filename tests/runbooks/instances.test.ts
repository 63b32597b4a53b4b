import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../runbooks/lib/net.ts";
import { stopBalancerAndInstances } from "../support/balancer-cleanup.ts";
import { failedStepError, type ScratchStack, startScratchStack } from "../support/runbooks.ts";

// add-instance, rolling-restart and remove-instance on one host, through a real nginx (the private
// balancer the deploy runbook runs) with real app processes, under a steady trickle of requests.

let stack: ScratchStack;
let listenPort: number;

beforeAll(async () => {
  stack = await startScratchStack();
  listenPort = await freePort();
});

afterAll(async () => {
  if (stack) await stopBalancerAndInstances(path.join(stack.dataDir, "nginx"), stack.dataDir);
  await stack?.stop();
});

async function pool(): Promise<{ listenPort: number; members: Array<{ port: number; pid: number }> }> {
  return JSON.parse(await readFile(path.join(stack.dataDir, "nginx", "pool.json"), "utf8"));
}

/** Requests through the balancer until stopped: every answer must be a 200. */
function trickle(): { stop: () => Promise<{ ok: number; failures: string[]; upstreams: Set<string> }> } {
  let running = true;
  const result = { ok: 0, failures: [] as string[], upstreams: new Set<string>() };
  const loop = (async () => {
    while (running) {
      try {
        const res = await fetch(`http://127.0.0.1:${listenPort}/healthz`);
        await res.arrayBuffer();
        if (res.status === 200) result.ok += 1;
        else result.failures.push(`HTTP ${res.status}`);
        result.upstreams.add(res.headers.get("x-upstream") ?? "?");
      } catch (error) {
        result.failures.push(String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return result;
    },
  };
}

describe("add-instance, rolling-restart, remove-instance", () => {
  it("adds two instances behind nginx, restarts them in turn without a failed request, removes them with draining", async () => {
    const first = await stack.run("add-instance", { params: { listenPort } });
    expect(first.result.status, failedStepError(first.events)).toBe("ok");
    const second = await stack.run("add-instance");
    expect(second.result.status, failedStepError(second.events)).toBe("ok");
    const added = await pool();
    expect(added.listenPort).toBe(listenPort);
    expect(added.members).toHaveLength(2);
    const ports = added.members.map((m) => m.port);

    const upstream = await readFile(path.join(stack.dataDir, "nginx", "upstream.conf"), "utf8");
    for (const port of ports) expect(upstream).toContain(`server 127.0.0.1:${port} `);
    const targets = JSON.parse(
      await readFile(path.join(stack.dataDir, "prometheus", "dev-app-targets.json"), "utf8"),
    );
    expect(targets[0].targets).toEqual(ports.map((p) => `127.0.0.1:${p}`));

    const load = trickle();
    const restart = await stack.run("rolling-restart", { params: { stopTimeoutSeconds: 10 } });
    const seen = await load.stop();
    expect(restart.result.status, failedStepError(restart.events)).toBe("ok");
    expect(seen.failures).toEqual([]);
    expect(seen.ok).toBeGreaterThan(20);
    expect([...seen.upstreams].sort()).toEqual(ports.map((p) => `127.0.0.1:${p}`).sort());
    const restarted = await pool();
    for (const old of added.members) {
      const now = restarted.members.find((m) => m.port === old.port);
      expect(now?.pid).toBeDefined();
      expect(now?.pid).not.toBe(old.pid);
      expect(() => process.kill(old.pid, 0)).toThrow();
    }

    const newest = restarted.members.at(-1) as { port: number; pid: number };
    const remove = await stack.run("remove-instance", { params: { port: newest.port } });
    expect(remove.result.status, failedStepError(remove.events)).toBe("ok");
    expect(remove.output.join("\n")).toContain(`nginx no longer sends requests to ${newest.port}`);
    expect(() => process.kill(newest.pid, 0)).toThrow();
    const left = await pool();
    expect(left.members.map((m) => m.port)).toEqual(ports.filter((p) => p !== newest.port));
    expect(await readFile(path.join(stack.dataDir, "nginx", "upstream.conf"), "utf8")).not.toContain(
      `127.0.0.1:${newest.port} `,
    );

    // The last instance behind the balancer is not removed: nothing would serve.
    const last = await stack.run("remove-instance");
    expect(last.result.status).toBe("failed");
    expect(failedStepError(last.events)).toContain("is the last instance behind the balancer");
    const res = await fetch(`http://127.0.0.1:${listenPort}/readyz`);
    expect(res.status).toBe(200);
  }, 120_000);
});
