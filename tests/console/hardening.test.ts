import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditEntry, readAudit, readAuditEntries } from "../../runbooks/engine/audit.ts";
import { waitForPids } from "../../runbooks/engine/fixtures/pids.ts";
import { REPO_ROOT } from "../../runbooks/engine/paths.ts";
import { groupAlive } from "../../runbooks/engine/process-groups.ts";
import { startTestConsole, type TestConsole } from "../support/console.ts";

// The console's side of the hardening issue (14): shutdown leaves no step process behind, a
// changed helper module is refused by name, and every refused attempt is in the audit log,
// folded under a flood.

const FIXTURE = path.join(REPO_ROOT, "tests/support/hardening-runbooks/ops");
let dist: string;
let runbooksDir: string;

beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), "ssp-hardening-dist-"));
  await writeFile(
    path.join(dist, "index.html"),
    "<!doctype html><html><head></head><body>home</body></html>",
  );
  // A private copy of the fixture: one test changes its helper module.
  runbooksDir = await mkdtemp(path.join(tmpdir(), "ssp-hardening-rb-"));
  await symlink(path.join(REPO_ROOT, "node_modules"), path.join(runbooksDir, "node_modules"));
  await mkdir(path.join(runbooksDir, "ops"));
  for (const file of ["stubborn-demo.ts", "_helper.ts"]) {
    const text = await readFile(path.join(FIXTURE, file), "utf8");
    await writeFile(
      path.join(runbooksDir, "ops", file),
      text.replaceAll("../../../../runbooks/engine/", `${path.join(REPO_ROOT, "runbooks/engine")}/`),
    );
  }
});
afterAll(async () => {
  await rm(dist, { recursive: true, force: true });
  await rm(runbooksDir, { recursive: true, force: true });
});

const refusals = async (target: TestConsole) =>
  (await readAuditEntries(target.dataDir)).filter(
    (e): e is Extract<AuditEntry, { kind: "refusal" }> => e.kind === "refusal",
  );

describe("console shutdown", () => {
  it("kills a step's TERM-ignoring process group and waits until it is gone before close returns", async () => {
    const target = await startTestConsole({ distDir: dist, runbooksDir });
    const cookie = await target.signIn();
    const pidFile = path.join(target.dataDir, "pids");
    const started = await target.api("POST", "/api/runs", {
      cookie,
      body: { runbook: "stubborn-demo", env: "dev", step: "hold", params: { pidFile } },
    });
    expect(started.status, await started.clone().text()).toBe(202);
    const [pid] = await waitForPids(pidFile, 1);
    await target.server.close();
    expect(groupAlive(pid)).toBe(false);
    const record = (await readAudit(target.dataDir)).at(-1);
    expect(record).toMatchObject({ runbook: "stubborn-demo", status: "cancelled" });
    expect(record?.steps[0]?.error).toBe(
      "aborted: the console shut down; its child processes were killed (1 process group)",
    );
  });
});

describe("refused attempts in the audit log", () => {
  let target: TestConsole;
  let cookie: string;
  beforeAll(async () => {
    target = await startTestConsole({ distDir: dist, runbooksDir });
    cookie = await target.signIn();
  });
  afterAll(async () => {
    await target?.server.close();
  });

  it("records guard, session and run refusals with who, what and why, and keeps the history to runs", async () => {
    const before = (await refusals(target)).length;
    // fetch cannot set Host: a raw request, as a rebinding page's would arrive.
    const url = new URL(target.url);
    const host = await new Promise<number>((resolve, reject) =>
      request(
        { host: url.hostname, port: url.port, path: "/", headers: { Host: "attacker.example" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
        .on("error", reject)
        .end(),
    );
    expect(host).toBe(421);
    expect((await target.api("GET", "/api/console")).status).toBe(401);
    const nul = await target.api("POST", "/api/runs", {
      cookie,
      body: { runbook: "stubborn-demo", env: "dev", step: "hostile-text", params: { note: "a\u0000b" } },
    });
    expect(nul.status).toBe(400);
    expect(await nul.text()).toMatch(/U\+0000 \(NUL\)/);
    const unknown = await target.api("POST", "/api/runs", {
      cookie,
      body: { runbook: "no-such", env: "dev", params: {} },
    });
    expect(unknown.status).toBe(404);
    await target.server.close().catch(() => undefined);
    const found = (await refusals(target)).slice(before);
    expect(found.map((r) => r.rule)).toEqual(["host", "session", "params", "unknown-runbook"]);
    expect(found[0]).toMatchObject({ source: "console", who: "127.0.0.1", count: 1 });
    expect(found[0]?.what).toContain("Host: attacker.example");
    expect(found[2]?.what).toBe("POST /api/runs (runbook stubborn-demo, env dev, step hostile-text)");
    expect(found[2]?.reason).toMatch(
      /^400: invalid parameters: note: contains the control character U\+0000/,
    );
    expect(await readAudit(target.dataDir)).toEqual([]);
  });

  it("folds a flood of 500 refused requests into a few lines whose counts add up", async () => {
    const flood = await startTestConsole({ distDir: dist, runbooksDir });
    try {
      const batch = Array.from({ length: 500 }, () =>
        fetch(`${flood.url}/api/console`, { headers: { Cookie: "ssp_console=forged" } }).then(
          (r) => r.status,
        ),
      );
      expect(new Set(await Promise.all(batch))).toEqual(new Set([403]));
    } finally {
      await flood.server.close();
    }
    const lines = (await readFile(path.join(flood.dataDir, "audit.jsonl"), "utf8")).trim().split("\n");
    expect(lines.length).toBeLessThanOrEqual(2);
    const found = await refusals(flood);
    expect(found.reduce((sum, r) => sum + r.count, 0)).toBe(500);
    expect(found.at(-1)?.reason).toMatch(/^499 more refusals like this from 127\.0\.0\.1 in the last minute/);
  });
});

describe("provenance", () => {
  it("refuses a run when a module the runbook imports changed after the console loaded it, naming the file", async () => {
    const target = await startTestConsole({ distDir: dist, runbooksDir });
    try {
      const cookie = await target.signIn();
      const helper = path.join(runbooksDir, "ops", "_helper.ts");
      await writeFile(helper, 'export const GREETING = "changed behind the console";\n');
      const response = await target.api("POST", "/api/runs", {
        cookie,
        body: { runbook: "stubborn-demo", env: "dev", step: "hostile-text", params: {} },
      });
      expect(response.status).toBe(409);
      expect(await response.text()).toContain(
        `${helper.replace(`${REPO_ROOT}`, "")} changed since the console loaded`,
      );
      expect(await readAudit(target.dataDir)).toEqual([]);
      await target.server.close();
      expect((await refusals(target)).map((r) => r.rule)).toContain("changed-file");
    } finally {
      await target.server.close().catch(() => undefined);
    }
  });
});
