import { statSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RefusalRecorder, readAudit, readAuditEntries } from "./audit.ts";
import { loadRunbooks } from "./catalog.ts";
import type { Runbook } from "./define.ts";
import { acquireLock, LockedError } from "./lock.ts";
import { ParamError } from "./params.ts";
import { looseModeWarnings } from "./private-files.ts";
import { provenanceOf } from "./provenance.ts";
import { RunRefused, runRunbook } from "./run.ts";
import { terminalText } from "./terminal-text.ts";

// The engine's side of the hardening issue (14): control characters in parameters, private
// files, locks keyed by database, refusals folded under a flood, the provenance of imported
// files, and one cleaning of terminal text. Each case fails on the engine before it.

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
let dir: string;
let runbooks: Map<string, Runbook>;
const processEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  RUNBOOK_DATA_DIR: dir,
  SSP_DEV_DATABASE_URL: "postgres://ops:pw-123456@127.0.0.1:5432/nowhere",
  SSP_DEV_REDIS_URL: "",
  SSP_DEV_STACK_FILE: path.join(dir, "no-stack.json"),
});
const runbook = (id: string) => runbooks.get(id) as Runbook;
const run = (
  id: string,
  params: Record<string, unknown>,
  extra: Partial<Parameters<typeof runRunbook>[1]> = {},
) =>
  runRunbook(runbook(id), {
    env: "dev",
    params,
    confirm: true,
    emit: () => undefined,
    dataDir: dir,
    processEnv: processEnv(),
    ...extra,
  });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-hardening-"));
  runbooks = await loadRunbooks(FIXTURES);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("parameters refuse control characters, centrally", () => {
  it.each([
    ["NUL, which a shell cuts the argument at", "safe\u0000; rm -rf /", /U\+0000 \(NUL\)/],
    ["a newline in a one-line parameter", "one\ntwo", /U\+000A \(a line break; this parameter is one line\)/],
    ["an escape character", "a\u001b[2Jb", /U\+001B/],
  ])("refuses %s, and nothing runs or is audited as a run", async (_rule, value, message) => {
    const marker = path.join(dir, `marker-${Math.random()}`);
    const before = (await readAudit(dir)).length;
    const attempt = run("steps-demo", { marker, failWhileExists: value });
    await expect(attempt).rejects.toBeInstanceOf(ParamError);
    await expect(attempt).rejects.toThrow(message);
    expect((await readAudit(dir)).length).toBe(before);
    await expect(readFile(marker)).rejects.toThrow();
  });
});

describe("one cleaning of terminal text for the CLI and the console", () => {
  it("removes clipboard writes (OSC 52) and screen clears, and shows bidi overrides and newlines", () => {
    expect(terminalText("a\u001b]52;c;cHduZWQ=\u0007b\u001b[2J\u001b[Hc")).toBe("abc");
    expect(terminalText("x\u009d52;c;Zm9v\u009cy")).toBe("xy");
    expect(terminalText("invoice\u202Efdp.exe")).toBe("invoice<U+202E>fdp.exe");
    expect(terminalText("row\n✔ done")).toBe("row\uFFFD✔ done");
  });
});

describe("files under the data directory are private", () => {
  it("creates the audit log, run files, locks and artifacts 0600 in 0700 folders, whatever the umask", async () => {
    const previous = process.umask(0o022);
    try {
      const fresh = path.join(dir, "modes");
      const result = await run("steps-demo", { marker: "" }, { dataDir: fresh });
      expect(result.status).toBe("ok");
      const modes: Record<string, string> = {};
      const walk = async (at: string) => {
        for (const name of await readdir(at)) {
          const full = path.join(at, name);
          const stat = statSync(full);
          modes[path.relative(fresh, full)] = (stat.mode & 0o777).toString(8);
          if (stat.isDirectory()) await walk(full);
        }
      };
      await walk(fresh);
      expect(modes["audit.jsonl"]).toBe("600");
      expect(modes.runs).toBe("700");
      expect(modes.locks).toBe("700");
      expect(modes["artifacts/steps-demo"]).toBe("700");
      for (const [name, mode] of Object.entries(modes))
        expect([name, mode]).toEqual([name, expect.stringMatching(/^[67]00$/)]);
      expect(Object.keys(modes).filter((name) => name.startsWith("runs/")).length).toBeGreaterThanOrEqual(2);
    } finally {
      process.umask(previous);
    }
  });

  it("warns at start-up about each looser file or folder, naming it and the chmod that fixes it", async () => {
    const data = path.join(dir, "loose");
    await mkdir(data, { mode: 0o700 });
    await writeFile(path.join(data, "dev-stack.json"), "{}");
    await chmod(path.join(data, "dev-stack.json"), 0o644);
    await writeFile(path.join(data, "session-secret"), "x", { mode: 0o600 });
    const warnings = looseModeWarnings(data);
    expect(warnings.join("\n")).toContain(
      `file ${path.join(data, "dev-stack.json")} is 0644: fix with  chmod 600 '${path.join(data, "dev-stack.json")}'`,
    );
    expect(warnings.join("\n")).not.toContain("session-secret");
    await chmod(path.join(data, "dev-stack.json"), 0o600);
    expect(looseModeWarnings(data)).toEqual([]);
  });
});

describe("locks are keyed by the database", () => {
  it("two environment names on one database share one lock, however the URL spells it", async () => {
    const holder = { runId: "r1", runbook: "restore", actor: "ana@ops", pid: process.pid, since: "now" };
    const release = await acquireLock(
      dir,
      { env: "dev", databaseUrl: "postgres://a:x@localhost/app" },
      holder,
    );
    try {
      const second = acquireLock(
        dir,
        { env: "staging", databaseUrl: "postgresql://b:y@127.0.0.1:5432/app?sslmode=disable" },
        { ...holder, runId: "r2" },
      );
      await expect(second).rejects.toBeInstanceOf(LockedError);
      await expect(second).rejects.toThrow(
        /locked by run r1 .*in environment "dev" on the same database 127\.0\.0\.1:5432\/app/,
      );
      // Another database is another lock.
      const other = await acquireLock(
        dir,
        { env: "staging", databaseUrl: "postgres://b@127.0.0.1:5432/other" },
        { ...holder, runId: "r3" },
      );
      await other();
    } finally {
      await release();
    }
  });
});

describe("refusals under a flood", () => {
  it("folds 500 identical refusals into a bounded number of audit lines whose counts add up", async () => {
    const flood = path.join(dir, "flood");
    const recorder = new RefusalRecorder(flood, { intervalMs: 60_000 });
    for (let i = 0; i < 500; i++)
      recorder.record({
        source: "console",
        who: "127.0.0.1",
        what: `POST /api/runs #${i}`,
        rule: "session",
        reason: "401: not signed in",
      });
    for (let i = 0; i < 30; i++)
      recorder.record({
        source: "console",
        who: `10.0.0.${i}`,
        what: "GET /",
        rule: "host",
        reason: "421: wrong host",
      });
    await recorder.close();
    const entries = await readAuditEntries(flood);
    expect(entries.length).toBeLessThanOrEqual(62);
    const refusals = entries.filter((e) => e.kind === "refusal");
    expect(refusals.reduce((sum, e) => sum + (e.kind === "refusal" ? e.count : 0), 0)).toBe(530);
    const summary = refusals.find((e) => e.kind === "refusal" && e.summary && e.rule === "session");
    expect(summary?.kind === "refusal" && summary.reason).toMatch(
      /^499 more refusals like this from 127\.0\.0\.1 in the last minute/,
    );
    // The run history shows runs only.
    expect(await readAudit(flood)).toEqual([]);
  });

  it("keeps the lines per interval bounded however the attempts vary", async () => {
    const varied = path.join(dir, "varied");
    const recorder = new RefusalRecorder(varied, { maxKeys: 10 });
    for (let i = 0; i < 300; i++)
      recorder.record({
        source: "console",
        who: `10.1.${i >> 8}.${i & 255}`,
        what: "GET /",
        rule: `r${i}`,
        reason: "x",
      });
    await recorder.close();
    const entries = await readAuditEntries(varied);
    expect(entries.length).toBeLessThanOrEqual(22);
    expect(entries.reduce((sum, e) => sum + (e.kind === "refusal" ? e.count : 0), 0)).toBe(300);
  });
});

describe("the provenance of a run", () => {
  it("hashes the modules a runbook imports and the files it declares, and refuses a changed helper by name", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "ssp-provenance-"));
    try {
      await mkdir(path.join(root, "area"));
      await writeFile(path.join(root, "area", "_helper.ts"), "export const X = 1;\n");
      await writeFile(path.join(root, "script.sh"), "echo hi\n");
      const file = path.join(root, "area", "rb.ts");
      await writeFile(
        file,
        'import { X } from "./_helper.ts";\nimport { z } from "zod";\nexport default X;\n',
      );
      const fake = { ...runbook("steps-demo"), file, executes: ["../script.sh"] };
      const provenance = provenanceOf(fake);
      expect(provenance.map((p) => [path.relative(root, p.file), p.how]).sort()).toEqual([
        ["area/_helper.ts", "imported"],
        ["area/rb.ts", "runbook"],
        ["script.sh", "executed"],
      ]);
      await writeFile(path.join(root, "area", "_helper.ts"), "export const X = 2;\n");
      const attempt = run("steps-demo", { marker: "" }, { provenance });
      await expect(attempt).rejects.toBeInstanceOf(RunRefused);
      await expect(attempt).rejects.toThrow(/_helper\.ts changed since the runbook was loaded/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
