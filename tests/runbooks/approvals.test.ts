import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  readReceipt,
  SECRET_HASH_PREFIX,
  secretKeyPath,
  signaturePath,
  writePlanReceipt,
} from "../../runbooks/engine/approvals.ts";
import { type AuditEntry, readAuditEntries } from "../../runbooks/engine/audit.ts";
import { loadRunbooks } from "../../runbooks/engine/catalog.ts";
import { EXIT } from "../../runbooks/engine/cli.ts";
import { REPO_ROOT } from "../../runbooks/engine/paths.ts";
import { provenanceOf } from "../../runbooks/engine/provenance.ts";
import { NAMESPACES, signMessage } from "../../runbooks/engine/ssh-signatures.ts";
import { runCli } from "../support/cli.ts";
import { createDatabase, dropDatabase, uniqueName } from "../support/services.ts";

// Two-person approval from the CLI, with real keys made by ssh-keygen for this test: alice (the OS
// user running the test, as the CLI names its actor) plans and applies, bob approves, mallory has
// a key nobody listed. The runbook's plan reads a scratch database, so a changed row is drift.

const RUNBOOKS = path.resolve(import.meta.dirname, "../support/approval-runbooks");
const ALICE = os.userInfo().username;
let dir = "";
let dbName = "";
let databaseUrl = "";
let marker = "";
const key = (name: string) => path.join(dir, "keys", name);

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  RUNBOOK_DATA_DIR: path.join(dir, "data"),
  SSP_ALLOWED_SIGNERS: path.join(dir, "allowed_signers"),
  SSP_PRODUCTION_APP_URL: "http://127.0.0.1:1",
  SSP_PRODUCTION_DATABASE_URL: databaseUrl,
  SSP_STAGING_APP_URL: "http://127.0.0.1:1",
  SSP_STAGING_DATABASE_URL: databaseUrl,
  ...extra,
});

function cli(args: string[], extra: NodeJS.ProcessEnv = {}, runbooksDir = RUNBOOKS) {
  return runCli(args, { env: env(extra), runbooksDir });
}

async function sql(text: string): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

const openTickets = async () =>
  (await sql("SELECT id FROM tickets WHERE state = 'open' ORDER BY id")).map((r) => r.id);

/** What a plan or an apply may change: the secret token given, the runbooks folder (a copy). */
interface Variant {
  token?: string;
  runbooks?: string;
}

/** Plans approval-demo in `where`; returns the receipt file the CLI printed. */
async function plan(
  where = "production",
  extra: NodeJS.ProcessEnv = {},
  variant: Variant = {},
): Promise<string> {
  const run = await cli(
    [
      "approval-demo",
      "--env",
      where,
      "--plan",
      "--param",
      `marker=${marker}`,
      "--param",
      `token=${variant.token ?? "hunter2-token"}`,
    ],
    extra,
    variant.runbooks,
  );
  expect(run.stderr).toBe("");
  expect(run.code).toBe(EXIT.ok);
  const file = /its receipt is\n {2}(\S+)\n/.exec(run.stdout)?.[1];
  expect(file).toBeDefined();
  return file as string;
}

async function apply(
  receipt: string,
  where = "production",
  extra: NodeJS.ProcessEnv = {},
  variant: Variant = {},
) {
  return cli(
    [
      "approval-demo",
      "--env",
      where,
      "--param",
      `marker=${marker}`,
      "--param",
      `token=${variant.token ?? "hunter2-token"}`,
      "--approval",
      receipt,
    ],
    extra,
    variant.runbooks,
  );
}

/** bob's approval through the approve command, as he would run it on his machine. */
async function bobApproves(receipt: string) {
  const run = await cli(["approve", receipt, "--key", key("bob"), "--yes"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(EXIT.ok);
  return run;
}

const lastEntry = async <K extends AuditEntry["kind"]>(kind: K) =>
  (await readAuditEntries(path.join(dir, "data"))).findLast(
    (entry): entry is Extract<AuditEntry, { kind: K }> => entry.kind === kind,
  );

/** A refused apply: exit 2, the reason on stderr, the rule in the audit log, nothing ran. */
async function expectRefused(run: { code: number; stderr: string }, rule: string, reason: RegExp) {
  expect(run.code).toBe(EXIT.refused);
  expect(run.stderr).toMatch(reason);
  const refusal = await lastEntry("refusal");
  expect(refusal?.rule).toBe(rule);
  expect(refusal?.reason).toMatch(reason);
  expect(existsSync(marker)).toBe(false);
  expect(await openTickets()).toEqual([1, 2]);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "ssp-approvals-"));
  execFileSync("mkdir", ["-p", path.join(dir, "keys")]);
  for (const name of ["alice", "bob", "mallory"])
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key(name)]);
  const pub = async (name: string) => (await readFile(`${key(name)}.pub`, "utf8")).trim();
  await writeFile(
    path.join(dir, "allowed_signers"),
    `${ALICE} namespaces="${NAMESPACES.approval}" ${await pub("alice")}\nbob namespaces="${NAMESPACES.approval}" ${await pub("bob")}\n`,
  );
  dbName = uniqueName("approvals");
  databaseUrl = await createDatabase(dbName);
  await sql("CREATE TABLE tickets (id int PRIMARY KEY, title text NOT NULL, state text NOT NULL)");
});

beforeEach(async () => {
  await sql("DELETE FROM tickets");
  await sql("INSERT INTO tickets VALUES (1, 'rotate keys', 'open'), (2, 'renew cert', 'open')");
  marker = path.join(dir, `marker-${Math.random().toString(36).slice(2)}`);
});

afterAll(async () => {
  if (dbName) await dropDatabase(dbName);
  await rm(dir, { recursive: true, force: true });
});

describe("two-person approval", () => {
  it("refuses a production change without a receipt, naming the approve procedure", async () => {
    const run = await cli(["approval-demo", "--env", "production", "--param", `marker=${marker}`]);
    await expectRefused(
      run,
      "approval-required",
      /needs a plan approved by a second person.*approve <receipt>/s,
    );
  });

  it("applies a plan alice made and bob approved, once", async () => {
    const receiptFile = await plan();
    const { text, receipt } = await readReceipt(receiptFile);
    expect((await stat(receiptFile)).mode & 0o777).toBe(0o600);
    expect(text).not.toContain("hunter2");
    expect(receipt).toMatchObject({
      runbook: "approval-demo",
      env: "production",
      steps: ["open-tickets", "close-tickets"],
      params: { reason: "tidy up" },
    });
    // The secret is recorded as a keyed hash under this install's key, which is the owner's alone.
    expect(receipt.params.token).toMatch(new RegExp(`^${SECRET_HASH_PREFIX}[0-9a-f]{64}$`));
    expect((await stat(secretKeyPath(path.join(dir, "data")))).mode & 0o777).toBe(0o600);
    expect(receipt.plannedBy).toMatch(new RegExp(`^${ALICE}@`));
    expect(receipt.plan.output).toContain("close-tickets stdout: [plan] would close tickets 1, 2 (tidy up)");
    const fixture = receipt.sources.find((s) => s.file.endsWith("approval-demo.ts"));
    expect(fixture?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(receipt.expiresAt) - Date.parse(receipt.plannedAt)).toBeGreaterThan(0);

    const approved = await bobApproves(receiptFile);
    expect(approved.stdout).toContain("would close tickets 1, 2");
    expect(approved.stdout).toMatch(/signed as bob/);
    expect(await readFile(signaturePath(receiptFile), "utf8")).toMatch(/BEGIN SSH SIGNATURE/);

    const run = await apply(receiptFile);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(EXIT.ok);
    expect(await readFile(marker, "utf8")).toBe("1,2");
    expect(await openTickets()).toEqual([]);
    const approvals = (await readAuditEntries(path.join(dir, "data"))).filter(
      (entry) => entry.kind === "approval" && entry.receipt === receipt.id,
    );
    expect(approvals.map((a) => a.kind === "approval" && [a.action, a.signer ?? null])).toEqual([
      ["planned", null],
      ["signed", "bob"],
      ["applied", "bob"],
    ]);

    // The approvals are entries of the hash-chained ledger like runs and refusals.
    const verified = await cli(["audit", "verify"]);
    expect(verified.code).toBe(EXIT.ok);

    // Single use: the same receipt again is refused before anything runs.
    await sql("UPDATE tickets SET state = 'open'");
    await rm(marker);
    await expectRefused(await apply(receiptFile), "approval-reused", /was used already/);
  });

  it("refuses a receipt signed by the one who applies it (and the approve command refuses it too)", async () => {
    const receiptFile = await plan();
    const own = await cli(["approve", receiptFile, "--key", key("alice"), "--yes"]);
    expect(own.code).toBe(EXIT.refused);
    expect(own.stderr).toMatch(/who planned receipt .*a second person/);
    expect(existsSync(signaturePath(receiptFile))).toBe(false);
    // Signed by hand with ssh-keygen, past the approve command's check: the apply refuses it.
    const { text } = await readReceipt(receiptFile);
    await writeFile(signaturePath(receiptFile), await signMessage(key("alice"), NAMESPACES.approval, text));
    await expectRefused(await apply(receiptFile), "approval-self", /signed by .*who is applying it/);
  });

  it("refuses forged approvals: an unlisted key, another receipt's signature, an edited receipt", async () => {
    const receiptFile = await plan();
    const { text } = await readReceipt(receiptFile);
    await writeFile(signaturePath(receiptFile), await signMessage(key("mallory"), NAMESPACES.approval, text));
    await expectRefused(
      await apply(receiptFile),
      "approval-signature",
      /not signed by a key in .*allowed_signers/,
    );

    await writeFile(
      signaturePath(receiptFile),
      await signMessage(key("bob"), NAMESPACES.approval, text.replace('"tidy up"', '"other"')),
    );
    await expectRefused(await apply(receiptFile), "approval-signature", /not of this receipt/);

    // bob signed the plan to close tickets for "tidy up"; the receipt is then edited to say "other".
    await bobApproves(receiptFile);
    await writeFile(receiptFile, text.replace('"tidy up"', '"other"'));
    await expectRefused(await apply(receiptFile), "approval-signature", /not of this receipt/);

    // A signature under another namespace (a console sign-in) is no approval either.
    await writeFile(receiptFile, text);
    await writeFile(signaturePath(receiptFile), await signMessage(key("bob"), NAMESPACES.consoleLogin, text));
    await expectRefused(await apply(receiptFile), "approval-signature", /not of this receipt as an approval/);
  });

  it("refuses an expired receipt", async () => {
    const [runbook] = [...(await loadRunbooks(RUNBOOKS)).values()];
    if (!runbook) throw new Error("no fixture runbook");
    const { file } = await writePlanReceipt(path.join(dir, "data"), {
      id: "20260101T000000-expired",
      runbook: "approval-demo",
      env: "production",
      steps: ["open-tickets", "close-tickets"],
      params: { marker, reason: "tidy up", token: "***" },
      output: [],
      provenance: provenanceOf(runbook),
      plannedBy: `${ALICE}@${os.hostname()}`,
      requiredBy: [],
      now: new Date(Date.now() - 2 * 60 * 60_000),
    });
    const { text } = await readReceipt(file);
    // The approve command refuses to sign it; a signature made anyway does not revive it.
    const late = await cli(["approve", file, "--key", key("bob"), "--yes"]);
    expect(late.code).toBe(EXIT.refused);
    await writeFile(signaturePath(file), await signMessage(key("bob"), NAMESPACES.approval, text));
    await expectRefused(await apply(file), "approval-expired", /expired at/);
  });

  it("refuses a receipt approved for another environment", async () => {
    const receiptFile = await plan("staging", { SSP_STAGING_APPROVAL: "required" });
    await bobApproves(receiptFile);
    await expectRefused(
      await apply(receiptFile),
      "approval-scope",
      /approves approval-demo in staging, not approval-demo in production/,
    );
  });

  it("refuses other parameters than the approved ones", async () => {
    const receiptFile = await plan();
    await bobApproves(receiptFile);
    const run = await cli([
      "approval-demo",
      "--env",
      "production",
      "--param",
      `marker=${marker}`,
      "--param",
      "reason=something else",
      "--approval",
      receiptFile,
    ]);
    await expectRefused(run, "approval-params", /reason: approved "tidy up", now "something else"/);
  });

  it("refuses a receipt nobody signed", async () => {
    const receiptFile = await plan();
    expect(existsSync(signaturePath(receiptFile))).toBe(false);
    await expectRefused(
      await apply(receiptFile),
      "approval-unsigned",
      /receipt \S+ is not signed: no \S+\.receipt\.json\.sig\. Another person approves it with npm run runbook -- approve/,
    );
  });

  it("refuses a receipt when a file the run executes changed after the approval", async () => {
    // A copy of the fixture in the test's folder, importing the engine from here, so it can be edited.
    const copy = path.join(dir, `runbooks-${Math.random().toString(36).slice(2)}`);
    const file = path.join(copy, "ops", "approval-demo.ts");
    await mkdir(path.dirname(file), { recursive: true });
    const original = await readFile(path.join(RUNBOOKS, "ops", "approval-demo.ts"), "utf8");
    const engine = "../../../../runbooks/engine/define.ts";
    expect(original).toContain(engine);
    const define = path.relative(path.dirname(file), path.join(REPO_ROOT, "runbooks/engine/define.ts"));
    await writeFile(file, original.replace(engine, define));
    const receiptFile = await plan("production", {}, { runbooks: copy });
    const { receipt } = await readReceipt(receiptFile);
    expect(receipt.sources.map((s) => path.resolve(REPO_ROOT, s.file))).toContain(file);
    await bobApproves(receiptFile);

    await writeFile(file, `${await readFile(file, "utf8")}// edited after the approval\n`);
    await expectRefused(
      await apply(receiptFile, "production", {}, { runbooks: copy }),
      "approval-sources",
      /the code changed since receipt \S+ was planned: \S*approval-demo\.ts changed\. Plan again/,
    );
  });

  it("refuses another secret than the approved one, naming the parameter and never a value", async () => {
    const receiptFile = await plan("production", {}, { token: "secret-A-1234" });
    const { text } = await readReceipt(receiptFile);
    expect(text).not.toContain("secret-A-1234");
    await bobApproves(receiptFile);

    const other = await apply(receiptFile, "production", {}, { token: "secret-B-5678" });
    await expectRefused(other, "approval-params", /token: not the secret that was approved/);
    const refusal = await lastEntry("refusal");
    for (const said of [other.stderr, refusal?.reason ?? ""]) {
      expect(said).not.toContain("secret-A-1234");
      expect(said).not.toContain("secret-B-5678");
      expect(said).not.toContain(SECRET_HASH_PREFIX);
    }

    const same = await apply(receiptFile, "production", {}, { token: "secret-A-1234" });
    expect(same.stderr).toBe("");
    expect(same.code).toBe(EXIT.ok);
    expect(await readFile(marker, "utf8")).toBe("1,2");
  });

  it("records a secret given as a reference by the reference's text, and refuses another reference", async () => {
    const receiptFile = await plan("production", {}, { token: "env:APPROVAL_TEST_TOKEN" });
    const { receipt } = await readReceipt(receiptFile);
    expect(receipt.params.token).toBe("env:APPROVAL_TEST_TOKEN");
    await bobApproves(receiptFile);
    await expectRefused(
      await apply(receiptFile, "production", {}, { token: "env:ANOTHER_TOKEN" }),
      "approval-params",
      /token: approved "env:APPROVAL_TEST_TOKEN", now "env:ANOTHER_TOKEN"/,
    );
  });

  it("refuses and shows the difference when a row changed between the approval and the apply", async () => {
    const receiptFile = await plan();
    await bobApproves(receiptFile);
    await sql("UPDATE tickets SET title = 'rotate ALL keys' WHERE id = 1");
    const run = await apply(receiptFile);
    expect(run.code).toBe(EXIT.refused);
    expect(run.stderr).toMatch(/the world changed since receipt/);
    expect(run.stderr).toContain('- open-tickets table "Open tickets": [{"id":1,"title":"rotate keys"}');
    expect(run.stderr).toContain('+ open-tickets table "Open tickets": [{"id":1,"title":"rotate ALL keys"}');
    expect((await lastEntry("refusal"))?.rule).toBe("approval-drift");
    expect(existsSync(marker)).toBe(false);
    expect(await openTickets()).toEqual([1, 2]);
    // The receipt was not used up by the refusal: once the world is as approved, it applies.
    await sql("UPDATE tickets SET title = 'rotate keys' WHERE id = 1");
    expect((await apply(receiptFile)).code).toBe(EXIT.ok);
  });

  it("asks nothing in dev, and in staging only when it is made required", async () => {
    const dev = await cli(["approval-demo", "--plan", "--param", `marker=${marker}`], {
      SSP_DEV_DATABASE_URL: databaseUrl,
      SSP_DEV_REDIS_URL: "",
      SSP_DEV_STACK_FILE: path.join(dir, "no-stack.json"),
    });
    expect(dev.code).toBe(EXIT.ok);
    expect(dev.stdout).not.toContain("receipt");
    const staging = await cli(["approval-demo", "--env", "staging", "--param", `marker=${marker}`]);
    expect(staging.code).toBe(EXIT.ok);
    expect(await openTickets()).toEqual([]);
  });
});
