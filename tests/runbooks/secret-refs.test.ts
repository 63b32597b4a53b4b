import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsoleInfo } from "../../console/protocol.ts";
import consoleInfo from "../../console/routes/console-info.ts";
import { readAudit } from "../../runbooks/engine/audit.ts";
import { loadRunbooks } from "../../runbooks/engine/catalog.ts";
import type { Runbook } from "../../runbooks/engine/define.ts";
import { EnvironmentError } from "../../runbooks/engine/environments.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { REPO_ROOT } from "../../runbooks/engine/paths.ts";
import { runRunbook } from "../../runbooks/engine/run.ts";
import { type ScramCluster, startScramCluster } from "../support/scram-cluster.ts";

// Issue 19's secret references against a private PostgreSQL cluster with scram-sha-256
// authentication: the shared server trusts local connections, so a reference that resolved to
// nothing (or to the wrong password) would pass there. Here only the right password connects.

const PASSWORD = `pw-${randomBytes(12).toString("hex")}`;
let cluster: ScramCluster;
let dir: string;
let probe: Runbook;

beforeAll(async () => {
  cluster = await startScramCluster(PASSWORD);
  dir = await mkdtemp(path.join(tmpdir(), "ssp-secret-refs-"));
  await writeFile(path.join(dir, "db-url"), `${cluster.url("postgres")}\n`, { mode: 0o600 });
  await writeFile(path.join(dir, "wrong-db-url"), cluster.url("postgres", "not-the-password"), {
    mode: 0o600,
  });
  const runbooks = await loadRunbooks(path.join(REPO_ROOT, "tests/support/secret-ref-runbooks"));
  const found = runbooks.get("secret-probe");
  if (!found) throw new Error("fixture secret-probe missing");
  probe = found;
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

function processEnv(databaseUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    RUNBOOK_DATA_DIR: dir,
    SSP_STAGING_APP_URL: "http://127.0.0.1:1",
    SSP_STAGING_DATABASE_URL: databaseUrl,
    ...extra,
  };
}

async function probeWith(databaseUrl: string, extra: NodeJS.ProcessEnv = {}) {
  const events: RunEvent[] = [];
  const result = await runRunbook(probe, {
    env: "staging",
    confirm: true,
    emit: (event) => events.push(event),
    dataDir: dir,
    processEnv: processEnv(databaseUrl, extra),
  });
  const output = events.flatMap((e) => (e.type === "output" ? [e.line] : []));
  const errors = events.flatMap((e) => (e.type === "step-end" && e.error ? [e.error] : []));
  return { result, events, output, errors };
}

/** Every file the runs wrote (audit log, run events and state), as one text. */
async function everythingOnDisk(): Promise<string> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => /\.jsonl?$/.test(f));
  const texts = await Promise.all(files.map((f) => readFile(path.join(dir, f), "utf8")));
  return texts.join("\n");
}

describe("secret references against a scram-sha-256 server", () => {
  it.each([
    ["file:", () => `file:${dir}/db-url`, () => ({})],
    ["cmd: (run without a shell)", () => `cmd:cat ${dir}/db-url`, () => ({})],
    ["env:", () => "env:STAGING_DB_FROM_VAULT", () => ({ STAGING_DB_FROM_VAULT: cluster.url("postgres") })],
  ])(
    "a %s reference resolves to the password that connects, masked in the output",
    async (_kind, ref, extra) => {
      const reference = ref();
      const { result, output } = await probeWith(reference, extra());
      expect(result.status).toBe("ok");
      expect(output).toContain("connected as postgres (scram)");
      // The whole resolved value is a secret: the URL line is masked entirely.
      expect(output).toContain("url: ***");
      expect(output.join("\n")).not.toContain(PASSWORD);

      const audit = (await readAudit(dir)).filter((r) => "runId" in r && r.runId === result.runId);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ references: { SSP_STAGING_DATABASE_URL: reference } });
      const disk = await everythingOnDisk();
      expect(disk).toContain(reference);
      expect(disk).not.toContain(PASSWORD);
    },
  );

  it("a reference to the wrong password fails to connect: the server really checks it", async () => {
    const { result, errors } = await probeWith(`file:${dir}/wrong-db-url`);
    expect(result.status).toBe("failed");
    expect(errors.join("\n")).toMatch(/password authentication failed for user "postgres"/);
  });

  it.each([
    ["a missing file", () => `file:${dir}/no-such-secret`, /cannot read the file \(ENOENT\)/],
    ["an empty command output", () => "cmd:true", /resolved to nothing/],
    ["an unset variable", () => "env:NOT_EXPORTED_ANYWHERE", /NOT_EXPORTED_ANYWHERE is not set/],
  ])("%s is refused before the run starts, naming the reference", async (_rule, ref, message) => {
    const reference = ref();
    const events: RunEvent[] = [];
    const attempt = runRunbook(probe, {
      env: "staging",
      confirm: true,
      emit: (event) => events.push(event),
      dataDir: dir,
      processEnv: processEnv(reference),
    });
    await expect(attempt).rejects.toBeInstanceOf(EnvironmentError);
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toThrow(`SSP_STAGING_DATABASE_URL: secret reference "${reference}"`);
    expect(events).toEqual([]);
  });

  it("the console's /api/console names the reference, never runs it or shows its value", async () => {
    const marker = path.join(dir, "cmd-ran");
    const reference = `cmd:touch ${marker}`;
    const response = await consoleInfo.handle(
      {} as never,
      {
        actorOf: () => "ana@ops",
        sessions: { operatorOf: () => undefined },
        dataDir: dir,
        processEnv: processEnv(reference),
        runs: { running: () => [] },
        registry: { changedOnDisk: async () => [] },
      } as never,
    );
    const info = response?.body as ConsoleInfo;
    const staging = info.environments.find((e) => e.name === "staging");
    expect(staging).toMatchObject({ configured: true, references: { SSP_STAGING_DATABASE_URL: reference } });
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });
});
