import path from "node:path";
import { FORMAT_VERSIONS } from "./formats.ts";
import { CHAINED_SINCE, GENESIS, type LedgerLine, readLedgerLines, sha256 } from "./ledger.ts";
import { checkpointChecker, fingerprint, ledgerPublicKey } from "./ledger-key.ts";

// `audit verify`: walks the ledger's chain across every file, oldest first, and stops at the first
// line that does not fit: an entry changed (the next line's prev is not its hash), removed (a seq
// skipped), reordered (a seq out of place), an unchained line after the chain began, a line that is
// not JSON, or a checkpoint whose fields or signature do not hold. Legacy lines before the chain
// (audit format 1 and 2) are counted and reported as unverified.

export type LedgerProblem = "changed" | "removed" | "reordered" | "unchained" | "damaged" | "signature";

/** Where the chain broke and why, naming the entry to look at. */
export interface LedgerBreak {
  problem: LedgerProblem;
  /** The file (its name in the data directory) and 1-based line of the entry named. */
  file: string;
  line: number;
  /** Its place in the chain when known. */
  entry: number | null;
  expected: string;
  found: string;
  message: string;
}

export interface LedgerReport {
  ok: boolean;
  /** Chained entries checked (checkpoints included) before the end or the break. */
  entries: number;
  /** Signed checkpoints whose signature verified. */
  checkpoints: number;
  /** Lines from before the chain (audit format 1 and 2): not verifiable, never counted as verified. */
  legacy: number;
  files: string[];
  /** sha256 of the last line checked (write it down to compare later); null for an empty ledger. */
  head: string | null;
  /** Entries after the last checkpoint: protected by the chain only. */
  sinceCheckpoint: number;
  /** Fingerprint of the host key the checkpoints were checked against. */
  key: string | null;
  break: LedgerBreak | null;
}

interface Parsed {
  v: number;
  seq?: unknown;
  prev?: unknown;
  kind?: unknown;
  count?: unknown;
  head?: unknown;
  at?: unknown;
  signature?: unknown;
}

const short = (hash: string) => `${hash.slice(0, 12)}…`;
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Verifies the ledger in `dir`; `publicKey` checks checkpoints against a copy of the host key kept elsewhere. */
export async function verifyLedger(dir: string, options: { publicKey?: string } = {}): Promise<LedgerReport> {
  const lines = await readLedgerLines(dir);
  const files = [...new Set(lines.map((l) => path.basename(l.file)))];
  const publicKey = options.publicKey ?? (await ledgerPublicKey(dir));
  const report: LedgerReport = {
    ok: true,
    entries: 0,
    checkpoints: 0,
    legacy: 0,
    files,
    head: null,
    sinceCheckpoint: 0,
    key: publicKey ? fingerprint(publicKey) : null,
    break: null,
  };
  const at = (l: LedgerLine) => `${path.basename(l.file)} line ${l.line}`;
  const fail = (l: LedgerLine, b: Omit<LedgerBreak, "file" | "line" | "message">, message: string) => {
    report.ok = false;
    report.break = { ...b, file: path.basename(l.file), line: l.line, message: `${at(l)}: ${message}` };
    return report;
  };

  const parsed: Array<Parsed | null> = lines.map(({ text }) => {
    try {
      const value = JSON.parse(text) as Record<string, unknown>;
      return { ...value, v: typeof value.v === "number" ? value.v : 1 } as Parsed;
    } catch {
      return null;
    }
  });
  const checker = publicKey ? { ...(await checkpointChecker(publicKey)), publicKey } : null;
  try {
    let expectPrev = GENESIS;
    let expectSeq = 1;
    let chained = false;
    for (const [index, l] of lines.entries()) {
      const entry = parsed[index];
      if (!entry)
        return fail(
          l,
          {
            problem: "damaged",
            entry: chained ? expectSeq : null,
            expected: "a JSON line",
            found: l.text.slice(0, 80),
          },
          "is not JSON (cut short or edited)",
        );
      if (entry.v > FORMAT_VERSIONS.audit)
        return fail(
          l,
          {
            problem: "damaged",
            entry: null,
            expected: `audit format ≤ ${FORMAT_VERSIONS.audit}`,
            found: `v ${entry.v}`,
          },
          `is audit format ${entry.v}, newer than this checkout reads: update it (git pull) and verify again`,
        );
      if (entry.v < CHAINED_SINCE || typeof entry.seq !== "number" || typeof entry.prev !== "string") {
        if (!chained && entry.v < CHAINED_SINCE) {
          report.legacy += 1;
          expectPrev = sha256(l.text);
          continue;
        }
        return fail(
          l,
          {
            problem: "unchained",
            entry: null,
            expected: `entry ${expectSeq} with seq and prev`,
            found: "a line without them",
          },
          `has no place in the chain (no seq or prev) after the chain began: it was inserted, or written by a checkout older than audit format ${CHAINED_SINCE}`,
        );
      }
      chained = true;
      const seq = entry.seq;
      if (seq !== expectSeq) {
        const laterIndex = parsed.findIndex((p, i) => i > index && p?.seq === expectSeq);
        const later = lines[laterIndex];
        if (seq > expectSeq && !later)
          return fail(
            l,
            { problem: "removed", entry: expectSeq, expected: `entry ${expectSeq}`, found: `entry ${seq}` },
            seq === expectSeq + 1
              ? `entry ${expectSeq} was removed: it should come here, before entry ${seq}`
              : `entries ${expectSeq} to ${seq - 1} were removed: they should come here, before entry ${seq}`,
          );
        return fail(
          l,
          { problem: "reordered", entry: seq, expected: `entry ${expectSeq}`, found: `entry ${seq}` },
          later
            ? `entry ${seq} is out of order: entry ${expectSeq} should come here and is at ${at(later)}`
            : `entry ${seq} is out of order (or repeated): entry ${expectSeq} should come here`,
        );
      }
      if (entry.prev !== expectPrev) {
        const before = lines[index - 1];
        if (!before)
          return fail(
            l,
            {
              problem: "removed",
              entry: seq,
              expected: `prev ${short(expectPrev)} (the genesis value)`,
              found: `prev ${short(entry.prev)}`,
            },
            `the chain starts here, but this entry follows a line that is gone: a file or lines before it were removed`,
          );
        // The line before was counted as verified when it was read; it is the one that changed.
        report.entries -= 1;
        if (parsed[index - 1]?.kind === "checkpoint") report.checkpoints -= 1;
        return fail(
          before,
          {
            problem: "changed",
            entry: seq - 1 > 0 ? seq - 1 : null,
            expected: `sha256 ${short(entry.prev)} (recorded by the next line)`,
            found: `sha256 ${short(expectPrev)}`,
          },
          `${seq - 1 > 0 ? `entry ${seq - 1} ` : ""}was changed: ${at(l)} records its sha256 as ${short(entry.prev)}, but the line now hashes to ${short(expectPrev)}`,
        );
      }
      if (entry.kind === "checkpoint") {
        const problem = await checkpointProblem(l.text, entry, seq, expectPrev, checker);
        if (problem)
          return fail(
            l,
            {
              problem: problem.signature ? "signature" : "changed",
              entry: seq,
              expected: problem.expected,
              found: problem.found,
            },
            `checkpoint (entry ${seq}) ${problem.message}`,
          );
        report.checkpoints += 1;
        report.sinceCheckpoint = 0;
      } else report.sinceCheckpoint += 1;
      report.entries += 1;
      expectPrev = sha256(l.text);
      expectSeq = seq + 1;
      report.head = expectPrev;
    }
    return report;
  } finally {
    await checker?.close();
  }
}

/**
 * Checkpoint lines (exact text) whose signature verified against a public key: the console checks
 * the ledger on every visit of the audit view, and a line that verified once verifies again, so
 * each signature costs one ssh-keygen per process, not one per visit.
 */
const VERIFIED = new Set<string>();
const MAX_VERIFIED = 100_000;

async function checkpointProblem(
  text: string,
  entry: Parsed,
  seq: number,
  head: string,
  checker: (Awaited<ReturnType<typeof checkpointChecker>> & { publicKey: string }) | null,
): Promise<{ message: string; expected: string; found: string; signature?: true } | null> {
  if (entry.count !== seq - 1)
    return {
      message: "counts the wrong number of entries",
      expected: `count ${seq - 1}`,
      found: `count ${String(entry.count)}`,
    };
  if (entry.head !== head)
    return {
      message: "names another head",
      expected: `head ${short(head)}`,
      found: `head ${String(entry.head)}`,
    };
  if (typeof entry.at !== "string" || typeof entry.signature !== "string")
    return { message: "has no time or signature", expected: "at and signature", found: "missing" };
  if (!checker)
    return {
      message:
        "cannot be checked: the host's public key (ledger/host_ed25519.pub in the data directory) is missing",
      expected: "the host key",
      found: "none",
      signature: true,
    };
  try {
    const key = `${checker.publicKey}\n${text}`;
    if (VERIFIED.has(key)) return null;
    await checker.check({ count: seq - 1, head, at: entry.at, signature: entry.signature });
    if (VERIFIED.size >= MAX_VERIFIED) VERIFIED.clear();
    VERIFIED.add(key);
    return null;
  } catch (error) {
    return {
      message: `signature does not verify against the host key: ${error instanceof Error ? error.message : String(error)}`,
      expected: "a signature by the host key",
      found: "another signature",
      signature: true,
    };
  }
}

/** The report as lines for a terminal or the page. */
export function describeReport(report: LedgerReport): string[] {
  const legacy =
    report.legacy > 0
      ? [
          `${count(report.legacy, "legacy line", "legacy lines")} from before the chain (audit format below ${CHAINED_SINCE}) at the start: NOT verified (nothing can check them)`,
        ]
      : [];
  if (report.break)
    return [
      `broken: ${report.break.message}`,
      `  expected ${report.break.expected}; found ${report.break.found}`,
      `${count(report.entries, "entry", "entries")} verified before it (${count(report.checkpoints, "signed checkpoint", "signed checkpoints")})`,
      ...legacy,
    ];
  return [
    `verified: ${count(report.entries, "entry", "entries")}, ${count(report.checkpoints, "signed checkpoint", "signed checkpoints")}, in ${count(report.files.length, "file", "files")} (${report.files.join(", ") || "none yet"})`,
    ...(report.head ? [`head: sha256 ${report.head}`] : []),
    ...(report.key ? [`host key: ${report.key}`] : []),
    ...(report.sinceCheckpoint > 0
      ? [
          `${count(report.sinceCheckpoint, "entry", "entries")} after the last checkpoint protected by the chain only`,
        ]
      : []),
    ...legacy,
  ];
}
