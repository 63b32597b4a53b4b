import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditResponse, ConsoleInfo } from "../../console/protocol.ts";
import { readAuditEntries } from "../../runbooks/engine/audit.ts";
import { EXIT, main } from "../../runbooks/engine/cli.ts";
import { readStream, startTestConsole, type TestConsole } from "../support/console.ts";

// A disabled runbook or environment, refused by the console's API with the reason (and recorded),
// and the audit view's API: every run and refused attempt, filtered, with each run's artifacts.

let dist = "";
let target: TestConsole;
let cookie = "";

/** The operator's CLI on the console's data directory (disable/enable write where the console reads). */
async function operator(args: string[]): Promise<number> {
  return main(args, {
    out: () => undefined,
    err: () => undefined,
    env: { ...process.env, RUNBOOK_DATA_DIR: target.dataDir },
    runbooksDir: path.resolve(import.meta.dirname, "fixtures/runbooks"),
  });
}

const run = { runbook: "console-demo", env: "dev", step: "greet", params: { note: "audit me" } };

beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), "ssp-dist-"));
  await writeFile(
    path.join(dist, "index.html"),
    "<!doctype html><html><head></head><body>home</body></html>",
  );
  target = await startTestConsole({ distDir: dist });
  cookie = await target.signIn();
});

afterAll(async () => {
  await target?.server.close();
  await rm(dist, { recursive: true, force: true });
  if (target) await rm(target.dataDir, { recursive: true, force: true });
});

describe("a disabled runbook or environment, from the page's API", () => {
  it("is listed with its reason, refused (409) at check and at start with it, and the refusal is audited", async () => {
    expect(await operator(["disable", "console-demo", "--reason", "table migration", "--for", "1h"])).toBe(
      EXIT.ok,
    );
    const info = (await (await target.api("GET", "/api/console", { cookie })).json()) as ConsoleInfo;
    expect(info.disabled).toEqual([
      expect.objectContaining({ target: "console-demo", reason: "table migration" }),
    ]);
    for (const route of ["/api/runs/check", "/api/runs"]) {
      const refused = await target.api("POST", route, { cookie, body: run });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: string }).error).toMatch(
        /^runbook "console-demo" is disabled until .* table migration\. To run it anyway, enable it first: npm run runbook -- enable console-demo$/,
      );
    }
    // The first refusal of a rule from one address in a minute is written at once, in full; the
    // next ones are folded into the minute's summary line (RefusalRecorder), not written yet.
    const disabledRefusals = async () =>
      (await readAuditEntries(target.dataDir)).filter((e) => e.kind === "refusal" && e.rule === "disabled");
    for (let i = 0; i < 40 && (await disabledRefusals()).length < 1; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await disabledRefusals()).map((e) => e.kind === "refusal" && e.reason)).toEqual([
      expect.stringMatching(/^409: runbook "console-demo" is disabled .*table migration/),
    ]);
    expect((await readAuditEntries(target.dataDir)).filter((e) => e.kind === "run")).toEqual([]);

    await operator(["enable", "console-demo"]);
    await operator(["disable", "env:dev", "--reason", "incident freeze"]);
    const frozen = await target.api("POST", "/api/runs", { cookie, body: run });
    expect(frozen.status).toBe(409);
    expect(await frozen.text()).toMatch(/environment \\"dev\\" is disabled by .*: incident freeze/);
    await operator(["enable", "env:dev"]);
  });
});

describe("the audit view's API", () => {
  it("lists runs and refusals newest first, filtered by runbook, environment, actor and result, with artifacts", async () => {
    const started = await target.api("POST", "/api/runs", { cookie, body: run });
    expect(started.status).toBe(202);
    const { events } = (await started.json()) as { events: string };
    await readStream(await target.api("GET", events, { cookie }));

    const all = (await (await target.api("GET", "/api/audit", { cookie })).json()) as AuditResponse;
    expect(all.entries[0]).toMatchObject({ kind: "run", runbook: "console-demo", status: "ok" });
    expect(all.entries[0]?.kind === "run" && all.entries[0].artifacts).toEqual(["greeting"]);
    expect(all.entries.filter((e) => e.kind === "refusal").length).toBe(1);
    expect(all.matched).toBe(2);

    const query = async (search: string) =>
      (
        (await (await target.api("GET", `/api/audit?${search}`, { cookie })).json()) as AuditResponse
      ).entries.map((e) =>
        e.kind === "run" ? `run ${e.status}` : e.kind === "refusal" ? `refusal ${e.rule}` : e.kind,
      );
    expect(await query("result=refused")).toEqual(["refusal disabled"]);
    expect(await query("result=ok&runbook=console-demo&env=dev&actor=tester")).toEqual(["run ok"]);
    expect(await query("runbook=console-flaky")).toEqual([]);
    expect(await query("env=staging&result=ok")).toEqual([]);
    expect(await query("actor=somebody-else")).toEqual([]);
    // Without a session the audit is not shown (and the attempt is itself recorded).
    expect((await target.api("GET", "/api/audit")).status).toBe(401);
  });
});
