import { createHash } from "node:crypto";
import { appendFile, mkdir, open, readdir, readFile, rename, stat } from "node:fs/promises";
import path from "node:path";
import { LEDGER_POLICY } from "../../policy/ledger.ts";
import { withFileLock } from "./append-lock.ts";
import { versioned } from "./formats.ts";
import { LEDGER_FACTS } from "./ledger-facts.ts";
import { signCheckpoint } from "./ledger-key.ts";
import { PRIVATE_DIR, PRIVATE_FILE } from "./private-files.ts";

// The audit log as a tamper-evident ledger. Every line carries `seq` (its place in the chain,
// from 1, across files) and `prev`, the sha256 of the exact text of the line before it (the first
// line of the chain: GENESIS; after a rotation: the last line of the previous file). Changing,
// removing or reordering a line breaks the chain at that place (ledger-verify.ts finds it). Every
// `checkpointEvery` entries, and when the file is rotated, the host signs a checkpoint (kind
// "checkpoint": the count of entries before it and the hash of the last one), so rewriting the
// chain after an edit needs the host's key too. Appends from the console and the CLIs are
// serialised by a lock file (append-lock.ts): each reads the head and appends under it.
//
// Files, oldest first: audit.000001.jsonl, audit.000002.jsonl, … (rotated), then audit.jsonl.
// Lines written before the chain (audit format 1 and 2) have no seq or prev: verify reports them
// as legacy, unchained lines, never as verified.

/** The `prev` of the chain's first line. */
export const GENESIS: string = LEDGER_FACTS.genesis;

export const CURRENT_FILE: string = LEDGER_FACTS.currentFile;
const ROTATED = /^audit\.(\d{6})\.jsonl$/;
export const currentLedgerFile = (dir: string) => path.join(dir, CURRENT_FILE);
const lockFile = (dir: string) => path.join(dir, "audit.lock");

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A checkpoint line: signed by the host's key (`key` is its fingerprint). */
export interface CheckpointEntry {
  kind: "checkpoint";
  at: string;
  /** Entries of the chain before this one. */
  count: number;
  /** sha256 of the line before this one (equal to its prev). */
  head: string;
  /** Why it was written: every N entries, at rotation, or asked for (audit checkpoint). */
  reason: "interval" | "rotation" | "manual";
  key: string;
  signature: string;
}

export interface LedgerSettings {
  checkpointEvery: number;
  rotateBytes: number;
}

/** The policy's values; RUNBOOK_LEDGER_CHECKPOINT_EVERY and RUNBOOK_LEDGER_ROTATE_BYTES override them (tests use small ones). */
export function ledgerSettings(env: NodeJS.ProcessEnv = process.env): LedgerSettings {
  const read = (name: string, fallback: number) => {
    const text = env[name];
    if (text === undefined || text === "") return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${name}=${JSON.stringify(text)} is not a whole number of at least 1`);
    return value;
  };
  return {
    checkpointEvery: read(LEDGER_FACTS.env.checkpointEvery, LEDGER_POLICY.checkpointEvery),
    rotateBytes: read(LEDGER_FACTS.env.rotateBytes, LEDGER_POLICY.rotateBytes),
  };
}

/** The ledger's files, oldest first: the rotated ones by number, then the current one (if any). */
export async function ledgerFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const rotated = names
    .filter((name) => ROTATED.test(name))
    .sort()
    .map((name) => path.join(dir, name));
  return names.includes(CURRENT_FILE) ? [...rotated, currentLedgerFile(dir)] : rotated;
}

/** The last line of a file (without its newline), or null for an empty or missing file. */
async function lastLine(file: string): Promise<string | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    // Read back from the end in growing chunks until a whole line is in view.
    for (let chunk = 64 * 1024; ; chunk *= 4) {
      const start = Math.max(0, size - chunk);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const text = buffer.toString("utf8").replace(/\n$/, "");
      const cut = text.lastIndexOf("\n");
      if (cut >= 0) return text.slice(cut + 1);
      if (start === 0) return text === "" ? null : text;
    }
  } finally {
    await handle.close();
  }
}

/** The chain's head: the last line's hash and seq (seq 0 before the first chained line). */
interface Head {
  prev: string;
  seq: number;
}

function seqOf(line: string): number | null {
  try {
    const parsed = JSON.parse(line) as { seq?: unknown };
    return typeof parsed.seq === "number" ? parsed.seq : null;
  } catch {
    return null;
  }
}

async function chainHead(dir: string): Promise<Head> {
  const files = await ledgerFiles(dir);
  for (const file of files.reverse()) {
    const last = await lastLine(file);
    if (last === null) continue;
    const seq = seqOf(last);
    if (seq !== null) return { prev: sha256(last), seq };
    // The last line is unchained (a log from before the chain, or a line an older checkout
    // appended): the chain goes on from it, numbered after the last chained line, if any.
    const lines = (await readFile(file, "utf8")).split("\n").filter(Boolean);
    const chained = lines.map(seqOf).filter((s): s is number => s !== null);
    return { prev: sha256(last), seq: chained.at(-1) ?? 0 };
  }
  return { prev: GENESIS, seq: 0 };
}

/** A line as written: format version, place in the chain, the entry. */
function chainLine(entry: object, head: Head): string {
  const { seq: _s, prev: _p, ...rest } = entry as Record<string, unknown>;
  return JSON.stringify(versioned("audit", { seq: head.seq + 1, prev: head.prev, ...rest }));
}

async function checkpointLine(dir: string, head: Head, reason: CheckpointEntry["reason"]): Promise<string> {
  const at = new Date().toISOString();
  const body = { count: head.seq, head: head.prev, at };
  const signed = await signCheckpoint(dir, body);
  const checkpoint: CheckpointEntry = { kind: "checkpoint", ...body, reason, ...signed };
  return chainLine(checkpoint, head);
}

async function appendLines(file: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  // A line cut short (a writer killed mid-append) keeps its own line, so verify names it as
  // damaged; the new lines must not be glued onto it.
  const cut = await endsWithoutNewline(file);
  await appendFile(file, `${cut ? "\n" : ""}${lines.map((line) => `${line}\n`).join("")}`, {
    mode: PRIVATE_FILE,
  });
}

async function endsWithoutNewline(file: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}

/** A checkpoint could not be signed: the entries are kept (losing them is worse), the reason goes to stderr. */
function unsigned(error: unknown): void {
  process.stderr.write(
    `warning: the audit ledger's checkpoint was not written: ${error instanceof Error ? error.message : String(error)}\n`,
  );
}

async function nextRotatedName(dir: string): Promise<string> {
  const numbers = (await ledgerFiles(dir))
    .map((file) => ROTATED.exec(path.basename(file))?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  return path.join(dir, `audit.${String(Math.max(0, ...numbers) + 1).padStart(6, "0")}.jsonl`);
}

/**
 * Appends entries to the ledger in order, under the append lock: rotates the current file first
 * when it has reached the policy's size (with a checkpoint as its last line), then chains each
 * entry to the one before, then adds a checkpoint when the chain crossed a multiple of
 * `checkpointEvery` (or when `checkpoint` asks for one).
 */
export async function appendLedger(
  dir: string,
  entries: object[],
  options: { settings?: LedgerSettings; checkpoint?: "manual" } = {},
): Promise<{ seq: number; head: string }> {
  const settings = options.settings ?? ledgerSettings();
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  return withFileLock(lockFile(dir), async () => {
    const file = currentLedgerFile(dir);
    let head = await chainHead(dir);
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    if (size >= settings.rotateBytes && head.seq > 0) {
      try {
        const line = await checkpointLine(dir, head, "rotation");
        await appendLines(file, [line]);
        head = { prev: sha256(line), seq: head.seq + 1 };
      } catch (error) {
        unsigned(error);
      }
      await rename(file, await nextRotatedName(dir));
    }
    const start = head.seq;
    const lines: string[] = [];
    for (const entry of entries) {
      const line = chainLine(entry, head);
      lines.push(line);
      head = { prev: sha256(line), seq: head.seq + 1 };
    }
    await appendLines(file, lines);
    const crossed =
      Math.floor(head.seq / settings.checkpointEvery) > Math.floor(start / settings.checkpointEvery);
    if (crossed || options.checkpoint) {
      try {
        const line = await checkpointLine(dir, head, options.checkpoint ?? "interval");
        await appendLines(file, [line]);
        head = { prev: sha256(line), seq: head.seq + 1 };
      } catch (error) {
        if (options.checkpoint) throw error;
        unsigned(error);
      }
    }
    return { seq: head.seq, head: head.prev };
  });
}

/** One line of one ledger file, as written. */
export interface LedgerLine {
  file: string;
  /** 1-based. */
  line: number;
  text: string;
}

/**
 * Every non-empty line of every ledger file, oldest first. Without the lock: a rotation between
 * listing and reading changes the listing, and then the files are read again.
 */
export async function readLedgerLines(dir: string): Promise<LedgerLine[]> {
  for (let attempt = 0; ; attempt++) {
    const files = await ledgerFiles(dir);
    const lines: LedgerLine[] = [];
    let moved = false;
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        moved = true;
        break;
      }
      text.split("\n").forEach((line, index) => {
        if (line) lines.push({ file, line: index + 1, text: line });
      });
    }
    const again = await ledgerFiles(dir);
    if (!moved && again.join("\n") === files.join("\n")) return lines;
    if (attempt >= 10)
      throw new Error(`the audit ledger in ${dir} kept being rotated while it was read; try again`);
  }
}

/** The audit format that introduced the chain: lines of an older version are legacy, unchained. */
export const CHAINED_SINCE = 3;
