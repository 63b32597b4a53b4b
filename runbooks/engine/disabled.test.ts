import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../tests/support/cli.ts";
import { readAuditEntries } from "./audit.ts";
import { EXIT } from "./cli.ts";
import { disabledFile, parseDuration, readDisabled } from "./disabled.ts";
import { FORMAT_VERSIONS } from "./formats.ts";
import { RUNBOOKS_DIR } from "./paths.ts";

// Disabling a runbook or an environment for a while, the audit history and the CLI's friendly
// errors, through the CLI's importable main (the console's side is in tests/console/).

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
let dir: string;

const env = (): NodeJS.ProcessEnv => ({
  ...process.env,
  RUNBOOK_DATA_DIR: dir,
  SSP_DEV_APP_URL: "http://127.0.0.1:65531",
  SSP_DEV_DATABASE_URL: "postgres://ops@127.0.0.1:5432/nowhere",
  SSP_DEV_REDIS_URL: "",
  SSP_DEV_STACK_FILE: path.join(dir ?? "/nonexistent", "no-stack.json"),
});

function cli(args: string[], runbooksDir = FIXTURES) {
  return runCli(args, { env: env(), runbooksDir });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-disabled-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("friendly CLI errors", () => {
  it("answers a mistyped runbook id with the nearest ids, no stack trace, exit 2", async () => {
    const typo = await cli(["morning-helth-check"], RUNBOOKS_DIR);
    expect(typo.code).toBe(EXIT.refused);
    expect(typo.stderr).toBe(
      "no runbook 'morning-helth-check'; did you mean 'morning-health-check'? npm run runbook -- list shows them all\n",
    );
    expect(typo.stderr).not.toMatch(/\n\s+at /);
  });

  it("names the app URL and the cause when the app does not answer", async () => {
    const run = await cli(["morning-health-check", "--step", "app-health"], RUNBOOKS_DIR);
    expect(run.code).toBe(EXIT.failed);
    expect(run.stdout).toMatch(
      /the app at http:\/\/127\.0\.0\.1:65531 did not answer GET \/\w+ \(ECONNREFUSED\): is it running\?/,
    );
    expect(run.stdout).not.toMatch(/: fetch failed$/m);
  });
});

describe("disable and enable", () => {
  it("refuses a disabled runbook with the reason, audits the refusal, and runs again once enabled", async () => {
    const off = await cli(["disable", "steps-demo", "--reason", "migrating the demo table", "--for", "2h"]);
    expect(off.code).toBe(EXIT.ok);
    expect(off.stdout).toMatch(/^disabled steps-demo until \S+: migrating the demo table/);
    const file = disabledFile(dir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, "utf8")).v).toBe(FORMAT_VERSIONS.disabled);

    const refused = await cli(["steps-demo", "--step", "first"]);
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.stderr).toMatch(
      /refused: runbook "steps-demo" is disabled until .* migrating the demo table/,
    );
    const refusal = (await readAuditEntries(dir)).findLast((e) => e.kind === "refusal");
    expect(refusal).toMatchObject({ kind: "refusal", source: "cli", rule: "disabled" });
    expect(refusal?.kind === "refusal" && refusal.reason).toMatch(/migrating the demo table/);

    expect((await cli(["enable", "steps-demo"])).stdout).toBe("enabled steps-demo\n");
    const ran = await cli(["steps-demo", "--step", "first"]);
    expect(ran.code).toBe(EXIT.ok);
  });

  it("disables a whole environment, and a disablement lapses after --for", async () => {
    expect((await cli(["disable", "env:dev", "--reason", "incident freeze"])).code).toBe(EXIT.ok);
    const refused = await cli(["steps-demo", "--step", "first"]);
    expect(refused.stderr).toMatch(/environment "dev" is disabled by .*: incident freeze/);
    expect(await readDisabled(dir, Date.now() + 365 * 86_400_000)).toHaveLength(1);
    await cli(["enable", "env:dev"]);
    await cli(["disable", "chatty-demo", "--reason", "short", "--for", "1m"]);
    expect(await readDisabled(dir, Date.now() + 61_000)).toEqual([]);
    await cli(["enable", "chatty-demo"]);
  });

  it("refuses a disable without a reason, of an unknown target, or with a bad duration", async () => {
    expect((await cli(["disable", "steps-demo"])).stderr).toMatch(/needs --reason/);
    expect((await cli(["disable", "env:qa", "--reason", "x"])).stderr).toMatch(/no environment 'qa'/);
    expect((await cli(["disable", "steps-dem", "--reason", "x"])).stderr).toMatch(
      /did you mean 'steps-demo'/,
    );
    expect((await cli(["disable", "steps-demo", "--reason", "x", "--for", "soon"])).code).toBe(EXIT.refused);
    expect(parseDuration("90m")).toBe(5_400_000);
    expect(await readDisabled(dir)).toEqual([]);
  });
});

describe("history", () => {
  it("lists runs and refusals, filtered by runbook and environment, as text or JSON lines", async () => {
    const text = await cli(["history", "--runbook", "steps-demo"]);
    expect(text.code).toBe(EXIT.ok);
    expect(text.stdout).toMatch(/ run {6}ok {8}steps-demo · dev · /);
    expect(text.stdout).toMatch(/ refusal {2}disabled /);
    const json = (await cli(["history", "--runbook", "steps-demo", "--json"])).stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { kind: string });
    expect(json.map((e) => e.kind)).toContain("run");
    expect(json.map((e) => e.kind)).toContain("refusal");
    expect((await cli(["history", "--env", "staging"])).stdout).toBe(
      "no runs or refusals recorded (yet) that match\n",
    );
  });
});
