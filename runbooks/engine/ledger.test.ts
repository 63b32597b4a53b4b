import { execFile, spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditEntry, appendAuditEntries, readAuditEntries } from "./audit.ts";
import { EXIT } from "./cli.ts";
import { appendLedger, GENESIS, type LedgerSettings, ledgerFiles, sha256 } from "./ledger.ts";
import { LEDGER_FACTS } from "./ledger-facts.ts";
import { checkpointMessage, ledgerKeyFile } from "./ledger-key.ts";
import { type LedgerReport, verifyLedger } from "./ledger-verify.ts";
import { REPO_ROOT } from "./paths.ts";
import { NAMESPACES, signMessage } from "./ssh-signatures.ts";

// The audit ledger on real files, checked by the real CLI (`audit verify` in its own process),
// with the host key made by ssh-keygen: an edited, a deleted and a reordered line are each named;
// a chain rewritten after an edit is caught by the checkpoint's signature (the forger signs with
// a key of their own); two processes appending at once keep one chain; rotation keeps the chain
// across files; lines from before the chain are reported as legacy, never as verified.

const CLI = path.join(REPO_ROOT, "runbooks/engine/cli.ts");
const APPENDER = path.join(REPO_ROOT, "tests/support/ledger-appender.ts");
const SETTINGS: LedgerSettings = { checkpointEvery: 4, rotateBytes: 1024 * 1024 };
let root: string;
/** A ledger of 10 refusals and 3 checkpoints (lines 5, 9 and 13) that every case copies. */
let pristine: string;

const refusal = (i: number): AuditEntry => ({
  kind: "refusal",
  at: `2026-12-07T03:00:${String(i).padStart(2, "0")}.000Z`,
  source: "cli",
  who: "ops@host (pid 1)",
  what: `npm run runbook -- attempt-${i}`,
  rule: "params",
  reason: `attempt ${i} refused`,
  count: 1,
});

function runCli(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, RUNBOOK_DATA_DIR: dir, SSP_DATA_DIR: dir } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number(error.code ?? 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

async function verifyJson(dir: string): Promise<{ code: number; report: LedgerReport }> {
  const { code, stdout } = await runCli(dir, ["audit", "verify", "--json"]);
  return { code, report: JSON.parse(stdout) as LedgerReport };
}

async function copyOf(name: string): Promise<{ dir: string; file: string; lines: string[] }> {
  const dir = path.join(root, name);
  await cp(pristine, dir, { recursive: true });
  const file = path.join(dir, "audit.jsonl");
  return { dir, file, lines: (await readFile(file, "utf8")).trimEnd().split("\n") };
}

const write = (file: string, lines: string[]) => writeFile(file, `${lines.join("\n")}\n`);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "ssp-ledger-"));
  pristine = path.join(root, "pristine");
  for (let i = 1; i <= 10; i++) await appendLedger(pristine, [refusal(i)], { settings: SETTINGS });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("the chain as written", { timeout: 120_000 }, () => {
  it("chains every line to the one before, from the genesis value, with signed checkpoints", async () => {
    const lines = (await readFile(path.join(pristine, "audit.jsonl"), "utf8")).trimEnd().split("\n");
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map((p) => p.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    // A checkpoint each time the chain passes a multiple of 4: after entries 4, 8 and 12.
    expect(parsed.flatMap((p, i) => (p.kind === "checkpoint" ? [i + 1] : []))).toEqual([5, 9, 13]);
    expect(parsed[0]?.prev).toBe(GENESIS);
    for (const [i, p] of parsed.entries()) if (i > 0) expect(p.prev).toBe(sha256(lines[i - 1] ?? ""));
    // The entries read back as before: chain fields and checkpoints left out.
    expect(await readAuditEntries(pristine)).toEqual(Array.from({ length: 10 }, (_, i) => refusal(i + 1)));
    // The host key: made by ssh-keygen in the data directory, owner-only.
    expect((await stat(ledgerKeyFile(pristine))).mode & 0o777).toBe(0o600);
    expect((await stat(`${ledgerKeyFile(pristine)}.pub`)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(ledgerKeyFile(pristine)))).mode & 0o777).toBe(0o700);
  });

  it("spells its exit codes as the CLI's EXIT table does (the handbook renders them)", () => {
    expect(LEDGER_FACTS.exit).toEqual({ verified: EXIT.ok, broken: EXIT.failed, refused: EXIT.refused });
  });

  it("audit verify exits 0 with the number of entries and checkpoints it checked", async () => {
    const { code, stdout } = await runCli(pristine, ["audit", "verify"]);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toMatch(/^verified: 13 entries, 3 signed checkpoints, /);
    expect(stdout).toContain("in 1 file (audit.jsonl)");
  });
});

describe("audit verify names the first entry that was tampered with", { timeout: 120_000 }, () => {
  it("an edited line: the entry whose hash no longer matches the next line's prev", async () => {
    const { dir, file, lines } = await copyOf("edited");
    lines[2] = (lines[2] ?? "").replace("attempt 3 refused", "attempt 3 allowed");
    await write(file, lines);
    const { code, report } = await verifyJson(dir);
    expect(code).toBe(EXIT.failed);
    expect(report.break).toMatchObject({ problem: "changed", file: "audit.jsonl", line: 3, entry: 3 });
    expect(report.entries).toBe(2);
    const text = await runCli(dir, ["audit", "verify"]);
    expect(text.code).toBe(EXIT.failed);
    expect(text.stderr).toMatch(
      /^broken: audit\.jsonl line 3: entry 3 was changed: audit\.jsonl line 4 records its sha256 as \w{12}…, but the line now hashes to \w{12}…/,
    );
  });

  it("a deleted line: the entry that is missing, where it should be", async () => {
    const { dir, file, lines } = await copyOf("deleted");
    lines.splice(5, 1);
    await write(file, lines);
    const { code, report } = await verifyJson(dir);
    expect(code).toBe(EXIT.failed);
    expect(report.break).toMatchObject({ problem: "removed", file: "audit.jsonl", line: 6, entry: 6 });
    expect(report.break?.message).toBe(
      "audit.jsonl line 6: entry 6 was removed: it should come here, before entry 7",
    );
    expect(report.entries).toBe(5);
  });

  it("two lines swapped: the entry out of place and where the expected one is", async () => {
    const { dir, file, lines } = await copyOf("reordered");
    [lines[1], lines[2]] = [lines[2] ?? "", lines[1] ?? ""];
    await write(file, lines);
    const { code, report } = await verifyJson(dir);
    expect(code).toBe(EXIT.failed);
    expect(report.break).toMatchObject({ problem: "reordered", file: "audit.jsonl", line: 2, entry: 3 });
    expect(report.break?.message).toBe(
      "audit.jsonl line 2: entry 3 is out of order: entry 2 should come here and is at audit.jsonl line 3",
    );
  });

  it("a chain rewritten after an edit, its checkpoints signed with another key: the forged checkpoint", async () => {
    const { dir, file, lines } = await copyOf("forged");
    // The forger's own key, made the way the host's is.
    const forger = path.join(root, "forger_ed25519");
    await new Promise<void>((resolve, reject) =>
      execFile("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", forger], (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    const rewritten: string[] = [];
    let prev = GENESIS;
    for (const [i, line] of lines.entries()) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (i === 1) entry.reason = "nothing happened here";
      entry.prev = prev;
      if (entry.kind === "checkpoint") {
        entry.head = prev;
        entry.signature = await signMessage(
          forger,
          NAMESPACES.ledgerCheckpoint,
          checkpointMessage({ count: entry.count as number, head: prev, at: entry.at as string }),
        );
      }
      const text = JSON.stringify(entry);
      rewritten.push(text);
      prev = sha256(text);
    }
    await write(file, rewritten);
    const { code, report } = await verifyJson(dir);
    expect(code).toBe(EXIT.failed);
    expect(report.break).toMatchObject({ problem: "signature", file: "audit.jsonl", line: 5, entry: 5 });
    expect(report.break?.message).toMatch(
      /^audit\.jsonl line 5: checkpoint \(entry 5\) signature does not verify against the host key/,
    );
    expect(report.entries).toBe(4);
  });
});

describe("appends from several processes", { timeout: 120_000 }, () => {
  it("two processes appending at the same time keep one valid chain with every entry", async () => {
    const dir = path.join(root, "concurrent");
    const per = 60;
    const start = (label: string, peer: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [APPENDER, dir, label, String(per), peer], {
          env: { ...process.env, RUNBOOK_LEDGER_CHECKPOINT_EVERY: "10" },
          stdio: ["ignore", "inherit", "inherit"],
        });
        child.once("exit", resolve);
      });
    // The host key exists before they start (made once, under the lock, in real use too).
    await appendLedger(dir, [refusal(0)], { settings: SETTINGS, checkpoint: "manual" });
    expect(await Promise.all([start("console", "cli"), start("cli", "console")])).toEqual([0, 0]);
    const entries = await readAuditEntries(dir);
    expect(entries).toHaveLength(1 + 2 * per);
    for (const label of ["console", "cli"])
      expect(
        entries
          .filter((e) => e.kind === "refusal" && e.who.startsWith(label))
          .map((e) => e.kind === "refusal" && e.what),
      ).toEqual(Array.from({ length: per }, (_, i) => `append ${i + 1}`));
    const { code, report } = await verifyJson(dir);
    expect(report.break).toBeNull();
    expect(code).toBe(EXIT.ok);
    expect(report.entries).toBeGreaterThan(1 + 2 * per);
    expect(report.checkpoints).toBeGreaterThanOrEqual(12);
  });
});

describe("rotation", { timeout: 120_000 }, () => {
  it("keeps the chain across files: each rotated file ends with a checkpoint, the next begins with its hash", async () => {
    const dir = path.join(root, "rotated");
    const small: LedgerSettings = { checkpointEvery: 1000, rotateBytes: 1200 };
    for (let i = 1; i <= 12; i++) await appendLedger(dir, [refusal(i)], { settings: small });
    const files = await ledgerFiles(dir);
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(files.at(-1)).toBe(path.join(dir, "audit.jsonl"));
    expect(path.basename(files[0] ?? "")).toBe("audit.000001.jsonl");
    for (const [i, file] of files.slice(0, -1).entries()) {
      const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
      const last = lines.at(-1) ?? "";
      expect(JSON.parse(last)).toMatchObject({ kind: "checkpoint", reason: "rotation" });
      const next = (await readFile(files[i + 1] ?? "", "utf8")).split("\n")[0] ?? "";
      expect(JSON.parse(next).prev).toBe(sha256(last));
    }
    expect(await readAuditEntries(dir)).toEqual(Array.from({ length: 12 }, (_, i) => refusal(i + 1)));

    const { code, stdout } = await runCli(dir, ["audit", "verify"]);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain(`in ${files.length} files (audit.000001.jsonl, audit.000002.jsonl`);
    expect(stdout).toMatch(
      new RegExp(`^verified: ${12 + files.length - 1} entries, ${files.length - 1} signed`),
    );

    // A rotated file removed: the entries it held are named as missing.
    await rm(files[1] ?? "");
    const { code: broken, report } = await verifyJson(dir);
    expect(broken).toBe(EXIT.failed);
    expect(report.break).toMatchObject({ problem: "removed", file: path.basename(files[2] ?? ""), line: 1 });
    expect(report.break?.message).toMatch(/entries \d+ to \d+ were removed/);
  });
});

describe("a log from before the chain", { timeout: 120_000 }, () => {
  it("keeps its lines, reports them as legacy and unverified, and chains what follows", async () => {
    const dir = path.join(root, "legacy");
    await cp(pristine, dir, { recursive: true, filter: (source) => !source.endsWith("audit.jsonl") });
    const old = [1, 2].map((i) => JSON.stringify({ v: 2, ...refusal(i) }));
    await write(path.join(dir, "audit.jsonl"), old);
    await appendAuditEntries(dir, [refusal(3)]);
    const lines = (await readFile(path.join(dir, "audit.jsonl"), "utf8")).trimEnd().split("\n");
    expect(JSON.parse(lines[2] ?? "")).toMatchObject({ v: 3, seq: 1, prev: sha256(old[1] ?? "") });
    expect(await readAuditEntries(dir)).toEqual([refusal(1), refusal(2), refusal(3)]);
    const { code, stdout } = await runCli(dir, ["audit", "verify"]);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toMatch(/^verified: 1 entry, 0 signed checkpoints/);
    expect(stdout).toContain(
      "2 legacy lines from before the chain (audit format below 3) at the start: NOT verified",
    );

    // An unchained line after the chain began is a break, not legacy.
    await writeFile(path.join(dir, "audit.jsonl"), `${JSON.stringify({ v: 2, ...refusal(4) })}\n`, {
      flag: "a",
    });
    const { code: broken, report } = await verifyJson(dir);
    expect(broken).toBe(EXIT.failed);
    expect(report.break).toMatchObject({ problem: "unchained", file: "audit.jsonl", line: 4 });
  });
});

describe("a line cut short", { timeout: 120_000 }, () => {
  it("keeps the next append on its own line and is named as damaged", async () => {
    const { dir, file, lines } = await copyOf("cut");
    // A writer killed in the middle of its append leaves half a line and no newline.
    await writeFile(file, `${lines.join("\n")}\n${JSON.stringify({ v: 3, ...refusal(11) }).slice(0, 40)}`);
    await appendAuditEntries(dir, [refusal(12)]);
    const after = (await readFile(file, "utf8")).trimEnd().split("\n");
    expect(after).toHaveLength(lines.length + 2);
    expect(JSON.parse(after.at(-1) ?? "")).toMatchObject({ seq: 14, reason: "attempt 12 refused" });
    const report = await verifyLedger(dir);
    expect(report.break).toMatchObject({ problem: "damaged", file: "audit.jsonl", line: lines.length + 1 });
    expect(report.entries).toBe(13);
  });
});

describe("audit checkpoint and bad input", { timeout: 120_000 }, () => {
  it("signs a checkpoint on demand and prints the head; an unknown subcommand is refused and recorded", async () => {
    const { dir } = await copyOf("manual");
    const signed = await runCli(dir, ["audit", "checkpoint"]);
    expect(signed.code).toBe(EXIT.ok);
    const lines = (await readFile(path.join(dir, "audit.jsonl"), "utf8")).trimEnd().split("\n");
    const last = JSON.parse(lines.at(-1) ?? "");
    expect(last).toMatchObject({ kind: "checkpoint", reason: "manual", seq: 14 });
    expect(signed.stdout).toBe(
      `checkpoint signed: the chain has 14 entries; head sha256 ${sha256(lines.at(-1) ?? "")}\n`,
    );

    const refused = await runCli(dir, ["audit", "erase"]);
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.stderr).toContain('audit needs verify or checkpoint (not "erase")');
    expect((await readAuditEntries(dir)).at(-1)).toMatchObject({ kind: "refusal", rule: "params" });
    expect((await verifyJson(dir)).code).toBe(EXIT.ok);
    expect(await readdir(dir)).not.toContain("audit.lock");
  });
});
