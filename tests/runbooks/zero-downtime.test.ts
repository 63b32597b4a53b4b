import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAudit } from "../../runbooks/engine/audit.ts";
import { portAnswers } from "../../runbooks/lib/net.ts";
import { processAlive } from "../../runbooks/lib/process.ts";
import { stopBalancerAndInstances } from "../support/balancer-cleanup.ts";
import { freePort } from "../support/redis-server.ts";
import { failedStepError, type ScratchStack, startScratchStack, stepStatuses } from "../support/runbooks.ts";

// The zero-downtime deploy on one host, under a steady load through a real nginx: a good release
// switches with no failed request; a release that fails its smoke check is rolled back
// automatically (it never gets traffic) and the audit log says so; the rollback runbook switches
// back to the previous release, again with no failed request.

const REPO = path.resolve(import.meta.dirname, "../..");
const NGINX = "/usr/sbin/nginx";

let stack: ScratchStack;
const started = new Set<number>();

beforeAll(async () => {
  stack = await startScratchStack();
  testObjects = await mkdtemp(path.join(tmpdir(), "ssp-zd-objects-"));
});

afterAll(async () => {
  if (stack) await stopBalancerAndInstances(path.join(stack.dataDir, "nginx"), stack.dataDir);
  const current = path.join(stack?.dataDir ?? "", "releases/current.json");
  if (existsSync(current)) {
    const file = JSON.parse(readFileSync(current, "utf8"));
    for (const r of [file, file.previous, file.rolledBackFrom, ...(file.older ?? [])])
      if (r?.pid) started.add(r.pid);
  }
  for (const pid of started) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Stopped by the runbook: the normal case.
    }
  }
  await stack?.stop();
  if (testObjects) await rm(testObjects, { recursive: true, force: true });
});

interface Load {
  ok: number;
  failures: string[];
  /**
   * GETs sent on a kept-alive connection at the instant an old nginx worker closed it (a reload
   * closes idle keep-alive connections) and sent again, as browsers and HTTP clients do for
   * idempotent requests (RFC 9110 §9.2.2). Counted and reported, not hidden.
   */
  retried: number;
  /** Successful answers per release port (nginx's X-Upstream header). */
  byUpstream: Map<string, number>;
  stop(): Promise<void>;
}

/** The close of an idle kept-alive connection, seen before any byte of the answer. */
function closedIdleConnection(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return (
    (cause?.code === "UND_ERR_SOCKET" && cause.message === "other side closed") ||
    cause?.code === "ECONNRESET"
  );
}

/**
 * A steady load through the balancer: a few workers, each one request after another (the learner
 * page, a tRPC ping, /healthz), over kept-alive connections as browsers use them. Anything but a
 * 2xx, and any transport error (but one retry of a GET on a closed idle connection), is a failure.
 */
function steadyLoad(baseUrl: string, workers = 4): Load {
  const paths = ["/", "/trpc/system.ping", "/healthz"];
  const load: Load = { ok: 0, failures: [], retried: 0, byUpstream: new Map(), stop: async () => undefined };
  let running = true;
  const get = async (p: string, retry: boolean): Promise<Response> => {
    try {
      return await fetch(`${baseUrl}${p}`, { signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      if (!retry || !closedIdleConnection(error)) throw error;
      load.retried++;
      return get(p, false);
    }
  };
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = w; running; i++) {
      const p = paths[i % paths.length] as string;
      try {
        const res = await get(p, true);
        await res.arrayBuffer();
        if (res.status >= 200 && res.status < 300) {
          load.ok++;
          const upstream = res.headers.get("x-upstream") ?? "?";
          load.byUpstream.set(upstream, (load.byUpstream.get(upstream) ?? 0) + 1);
        } else load.failures.push(`${p}: HTTP ${res.status}`);
      } catch (error) {
        load.failures.push(`${p}: ${(error as Error).message} ${String((error as Error).cause ?? "")}`);
      }
    }
  });
  load.stop = async () => {
    running = false;
    await Promise.all(loops);
  };
  return load;
}

/** Lets the load run a moment so every phase has traffic before and after. */
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Where this test's own commits are written: a private object directory, not the repository's
 * shared object store (other worktrees share it). Runs that deploy such a commit see it through
 * GIT_ALTERNATE_OBJECT_DIRECTORIES (withTestCommits), as git's own alternates.
 */
let testObjects = "";

/**
 * A commit on top of HEAD with some files replaced or added, made with git plumbing in
 * testObjects: no branch, index, working tree or object of the repository changes.
 */
function commitWith(files: Record<string, string>, message: string): string {
  const shared = execFileSync("git", ["rev-parse", "--path-format=absolute", "--git-common-dir"], {
    cwd: REPO,
    encoding: "utf8",
  }).trim();
  const index = path.join(testObjects, `index-${Date.now()}`);
  const env = {
    ...process.env,
    GIT_INDEX_FILE: index,
    GIT_OBJECT_DIRECTORY: testObjects,
    GIT_ALTERNATE_OBJECT_DIRECTORIES: path.join(shared, "objects"),
  };
  const git = (args: string[], input?: string) =>
    execFileSync("git", args, { cwd: REPO, encoding: "utf8", input, env }).trim();
  git(["read-tree", "HEAD"]);
  for (const [file, content] of Object.entries(files)) {
    const blob = git(["hash-object", "-w", "--stdin"], content);
    git(["update-index", "--add", "--cacheinfo", `100644,${blob},${file}`]);
  }
  return git(["commit-tree", git(["write-tree"]), "-p", "HEAD", "-m", message]);
}

/** Runs fn with the test's commits visible to git (the runbook's git commands inherit process.env). */
async function withTestCommits<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.GIT_ALTERNATE_OBJECT_DIRECTORIES;
  process.env.GIT_ALTERNATE_OBJECT_DIRECTORIES = testObjects;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.GIT_ALTERNATE_OBJECT_DIRECTORIES;
    else process.env.GIT_ALTERNATE_OBJECT_DIRECTORIES = saved;
  }
}

/** A release whose system.ping is broken: it starts and is ready, but fails the smoke check. */
function brokenCommit(): string {
  const file = "practice-app/src/api/app-router.ts";
  const source = execFileSync("git", ["show", `HEAD:${file}`], { cwd: REPO, encoding: "utf8" });
  const good = "ping: publicProcedure.query(() => ({ pong: true as const })),";
  if (!source.includes(good)) throw new Error(`${file} changed: update the broken release this test builds`);
  const broken = source.replace(
    good,
    'ping: publicProcedure.query((): { pong: true } => { throw new Error("broken on purpose"); }),',
  );
  return commitWith({ [file]: broken }, "test: a release whose ping is broken");
}

describe.skipIf(!existsSync(NGINX))("zero-downtime deploy behind nginx", () => {
  let lbPort = 0;
  let lbUrl = "";
  let portA = 0;
  let portB = 0;
  let commit = "";
  let scratch = "";
  const currentJson = () =>
    JSON.parse(readFileSync(path.join(stack.dataDir, "releases/current.json"), "utf8"));

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), "ssp-zd-"));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("first deploy: starts the release and nginx in front of it", async () => {
    lbPort = await freePort();
    lbUrl = `http://127.0.0.1:${lbPort}`;
    portA = await freePort();
    const { result, events, output } = await stack.run("deploy", {
      params: { port: String(portA), lbPort: String(lbPort) },
    });
    const record = result.results.record as { pid: number } | undefined;
    if (record?.pid) started.add(record.pid);
    expect(result.status, failedStepError(events)).toBe("ok");
    commit = (result.results.resolve as { commit: string }).commit;
    expect(output.some((l) => l.startsWith(`nginx started (`))).toBe(true);
    const res = await fetch(`${lbUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-upstream")).toBe(`127.0.0.1:${portA}`);
    // The balancer is private to this data dir: its config, pid and logs are there, not in /etc.
    const conf = readFileSync(path.join(stack.dataDir, "nginx/nginx.conf"), "utf8");
    expect(conf).toContain(`listen 127.0.0.1:${lbPort};`);
    expect(readFileSync(path.join(stack.dataDir, "nginx/upstream.conf"), "utf8")).toContain(
      `server 127.0.0.1:${portA} `,
    );
  }, 60_000);

  it("refuses to start the new release on the port the current one serves on", async () => {
    const before = readFileSync(path.join(stack.dataDir, "releases/current.json"), "utf8");
    const { result, events } = await stack.run("deploy", { params: { ref: commit, port: String(portA) } });
    expect(result).toMatchObject({ status: "failed", failedStep: "resolve" });
    expect(failedStepError(events)).toBe(
      `behind the load balancer the new release starts beside the current one, so it needs another port than ${portA}: deploy with port=<a free port>`,
    );
    expect(readFileSync(path.join(stack.dataDir, "releases/current.json"), "utf8")).toBe(before);
  });

  it("deploys a new release under load: switched with zero failed requests, the old one drained", async () => {
    const old = currentJson();
    portB = await freePort();
    const load = steadyLoad(lbUrl);
    await settle(1_000);
    const { result, events, output } = await stack.run("deploy", {
      params: { ref: commit, port: String(portB) },
    });
    const record = result.results.record as { pid: number } | undefined;
    if (record?.pid) started.add(record.pid);
    await settle(1_000);
    await load.stop();
    console.log(
      `deploy under load: ${load.ok} ok, ${load.failures.length} failed, ${load.retried} retried, by release ${JSON.stringify([...load.byUpstream])}; ${output.find((l) => l.startsWith("switched in"))}`,
    );
    expect(result.status).toBe("ok");
    expect(stepStatuses(events)).toMatchObject({ "smoke-check": "ok", switch: "ok", record: "ok" });
    expect(load.failures).toEqual([]);
    // Both releases served part of the load: the switch happened while requests were flowing.
    expect(load.byUpstream.get(`127.0.0.1:${portA}`) ?? 0).toBeGreaterThan(0);
    expect(load.byUpstream.get(`127.0.0.1:${portB}`) ?? 0).toBeGreaterThan(0);
    expect(currentJson()).toMatchObject({ commit, port: portB, previous: { port: portA, pid: null } });
    expect(processAlive(old.pid)).toBe(false);
    expect((await fetch(`${lbUrl}/healthz`)).headers.get("x-upstream")).toBe(`127.0.0.1:${portB}`);
    // nginx's log shows requests reaching the new release.
    expect(readFileSync(path.join(stack.dataDir, "nginx/access.log"), "utf8")).toContain(
      `upstream=127.0.0.1:${portB}`,
    );
  }, 90_000);

  it("a release that fails its smoke check is rolled back automatically, under load, and the audit log says so", async () => {
    const before = readFileSync(path.join(stack.dataDir, "releases/current.json"), "utf8");
    const bad = brokenCommit();
    const portC = await freePort();
    const load = steadyLoad(lbUrl);
    await settle(500);
    const { result, events } = await withTestCommits(() =>
      stack.run("deploy", { params: { ref: bad, port: String(portC) } }),
    );
    await settle(500);
    await load.stop();
    console.log(
      `failed deploy under load: ${load.ok} ok, ${load.failures.length} failed, ${load.retried} retried`,
    );
    expect(result).toMatchObject({ status: "failed", failedStep: "smoke-check" });
    expect(stepStatuses(events)).toMatchObject({ start: "ok", "smoke-check": "failed" });
    expect(stepStatuses(events).switch).toBeUndefined();
    expect(failedStepError(events)).toMatch(
      /^rolled back: the new release failed its smoke check \(system\.ping answered 500/,
    );
    expect(load.failures).toEqual([]);
    // Traffic never reached the broken release; the current one is unchanged and still serves.
    expect([...load.byUpstream.keys()]).toEqual([`127.0.0.1:${portB}`]);
    expect(readFileSync(path.join(stack.dataDir, "releases/current.json"), "utf8")).toBe(before);
    expect(readFileSync(path.join(stack.dataDir, "nginx/access.log"), "utf8")).not.toContain(
      `upstream=127.0.0.1:${portC}`,
    );
    const audit = (await readAudit(stack.dataDir)).find((r) => r.runId === result.runId);
    expect(audit).toMatchObject({ runbook: "deploy", status: "failed", params: { ref: bad } });
    expect(audit?.steps.find((s) => s.id === "smoke-check")).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^rolled back: /),
    });
  }, 90_000);

  it("the rollback runbook switches back to the previous release under load, with zero failed requests", async () => {
    const from = currentJson();
    const load = steadyLoad(lbUrl);
    await settle(500);
    const { result } = await stack.run("rollback");
    const record = result.results.record as { pid: number } | undefined;
    if (record?.pid) started.add(record.pid);
    await settle(500);
    await load.stop();
    console.log(
      `rollback under load: ${load.ok} ok, ${load.failures.length} failed, ${load.retried} retried, by release ${JSON.stringify([...load.byUpstream])}`,
    );
    expect(result.status).toBe("ok");
    expect(load.failures).toEqual([]);
    expect(load.byUpstream.get(`127.0.0.1:${portA}`) ?? 0).toBeGreaterThan(0);
    expect(currentJson()).toMatchObject({ port: portA, rolledBackFrom: { port: portB, pid: null } });
    expect(processAlive(from.pid)).toBe(false);
    expect((await fetch(`${lbUrl}/healthz`)).headers.get("x-upstream")).toBe(`127.0.0.1:${portA}`);
    const audit = (await readAudit(stack.dataDir)).find((r) => r.runId === result.runId);
    expect(audit).toMatchObject({ runbook: "rollback", status: "ok" });
    expect(audit?.steps.map((s) => `${s.id}:${s.status}`)).toEqual([
      "read-current:ok",
      "start-previous:ok",
      "smoke-check:ok",
      "switch:ok",
      "record:ok",
    ]);
  }, 90_000);

  it("a switch nginx refuses is rolled back: the new release stopped, the current one still served", async () => {
    const before = readFileSync(path.join(stack.dataDir, "releases/current.json"), "utf8");
    const current = JSON.parse(before);
    // An nginx whose reload fails, as on a host where the balancer's master was replaced by hand.
    const wrapper = path.join(scratch, "nginx-no-reload");
    await writeFile(
      wrapper,
      `#!/bin/sh\ncase "$*" in *"-s reload"*) echo "nginx: [error] reload refused" >&2; exit 1;; esac\nexec ${NGINX} "$@"\n`,
      { mode: 0o755 },
    );
    const portD = await freePort();
    const saved = process.env.NGINX_BIN;
    process.env.NGINX_BIN = wrapper;
    let run: Awaited<ReturnType<typeof stack.run>>;
    try {
      run = await stack.run("deploy", { params: { ref: commit, port: String(portD) } });
    } finally {
      if (saved === undefined) delete process.env.NGINX_BIN;
      else process.env.NGINX_BIN = saved;
    }
    const { result, events, output } = run;
    const record = result.results.start as { pid: number } | undefined;
    if (record?.pid) started.add(record.pid);
    expect(result).toMatchObject({ status: "failed", failedStep: "switch" });
    expect(failedStepError(events)).toMatch(
      /^rolled back: the load balancer did not switch to the new release \(nginx -s reload failed: nginx: \[error\] reload refused\)/,
    );
    expect(output.some((l) => l.startsWith("switching back failed too (nginx -s reload failed"))).toBe(true);
    expect(readFileSync(path.join(stack.dataDir, "releases/current.json"), "utf8")).toBe(before);
    expect(readFileSync(path.join(stack.dataDir, "nginx/upstream.conf"), "utf8")).toContain(
      `server 127.0.0.1:${current.port} `,
    );
    const res = await fetch(`${lbUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-upstream")).toBe(`127.0.0.1:${current.port}`);
    expect(await portAnswers(portD)).toBe(false);
  }, 60_000);

  it("without a port, the plan picks the idle colour (3000 unless the current release has it) and shows the switch", async () => {
    const { result, events, output } = await stack.run("deploy", { plan: true, params: { ref: commit } });
    expect(output).toContain("port 3000 (not given: the idle colour)");
    if (await portAnswers(3000)) {
      // Another stack on this machine has 3000: the plan must say so instead of planning a clash.
      expect(failedStepError(events)).toMatch(
        /^port 3000 is in use by something that is not the current release/,
      );
      return;
    }
    expect(result.status).toBe("ok");
    expect(output).toContain("[plan] no pending migrations in this release: nothing to migrate");
    expect(output).toContain(
      `[plan] would send 127.0.0.1:${lbPort} to the new release on port 3000 (nginx reload; old workers finish their requests)`,
    );
  });

  it("the plan names a release's pending migrations and warns about a contract step, changing nothing", async () => {
    const before = readFileSync(path.join(stack.dataDir, "releases/current.json"), "utf8");
    const expand = "9999999999998_test-expand";
    const contract = "9999999999999_test-contract";
    const ref = commitWith(
      {
        [`practice-app/migrations/${expand}.sql`]:
          "-- Up Migration\nALTER TABLE learners ADD COLUMN nickname text;\n-- Down Migration\nALTER TABLE learners DROP COLUMN nickname;\n",
        [`practice-app/migrations/${contract}.sql`]:
          "-- Up Migration\n-- the old column goes\nALTER TABLE learners DROP COLUMN display_name;\n-- Down Migration\n",
      },
      "test: an expand and a contract migration",
    );
    const port = await freePort();
    const { result, output } = await withTestCommits(() =>
      stack.run("deploy", { plan: true, params: { ref, port: String(port) } }),
    );
    expect(result.status).toBe("ok");
    expect(output).toContain(
      `[plan] would back up (pg_dump), then apply 2 pending migration(s): ${expand}, ${contract}`,
    );
    expect(output).toContain(
      `[plan] ${contract} contracts the schema (DROP COLUMN): the release serving now keeps running until the switch, so it must not use what this removes (expand-then-contract, see the database-migrations page)`,
    );
    expect(output.some((l) => l.includes(`${expand} contracts`))).toBe(false);
    expect(readFileSync(path.join(stack.dataDir, "releases/current.json"), "utf8")).toBe(before);
    const { rows } = await stack.db.query("SELECT 1 FROM pgmigrations WHERE name LIKE '99999999999%'");
    expect(rows).toHaveLength(0);
  });
});
