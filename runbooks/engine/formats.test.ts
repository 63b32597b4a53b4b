import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BackupManifest, readManifest } from "../lib/backups.ts";
import { compactUtc } from "../lib/incidents.ts";
import {
  type AuditRecord,
  appendAudit,
  appendRunEvent,
  auditLogFile,
  loadRunState,
  readAudit,
  readRunEvents,
  saveRunState,
} from "./audit.ts";
import { incidentHolds, POST_MORTEM_LINK_FILE, recordPostMortemLink } from "./budget.ts";
import type { RunEvent } from "./events.ts";
import { FORMAT_VERSIONS, FormatError, type FormatKind } from "./formats.ts";
import { GENESIS } from "./ledger.ts";
import { acquireLock, currentLock, LockedError, type LockHolder } from "./lock.ts";
import { readDevStack, writeDevStack } from "./paths.ts";
import { readStateFile, readStateFileSync, writeStateFile } from "./state-files.ts";

// Files on disk carry their format version: today's unversioned files read as version 1, files of
// a newer version are refused with a message naming the file, its version and what this code reads.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-formats-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record: AuditRecord = {
  runId: "20260101T000000-abcdef",
  runbook: "steps-demo",
  env: "dev",
  actor: "ops@host",
  commit: "0123456789ab",
  params: { start: 1 },
  plan: false,
  resumedFrom: null,
  startedAt: "2026-01-01T00:00:00.000Z",
  endedAt: "2026-01-01T00:00:01.000Z",
  status: "ok",
  steps: [{ id: "first", status: "ok", durationMs: 3 }],
};

const event: RunEvent = {
  type: "run-end",
  runId: record.runId,
  status: "ok",
  durationMs: 10,
  failedStep: null,
  at: "2026-01-01T00:00:01.000Z",
};

const holder: LockHolder = {
  runId: "r1",
  runbook: "deploy",
  actor: "ops@host",
  pid: process.pid,
  since: "now",
};

const newerMessage = (file: string, kind: keyof typeof FORMAT_VERSIONS, where = "") =>
  `${file}${where} is ${kind} format version ${FORMAT_VERSIONS[kind] + 1}; this code reads ${kind} format versions 1 to ${FORMAT_VERSIONS[kind]}.`;

describe("the audit log", () => {
  it("writes each record with the current version and reads it back without it", async () => {
    await appendAudit(dir, record);
    const line = (await readFile(auditLogFile(dir), "utf8")).trim();
    // The first line of a chain: its place (seq 1) and the genesis value as the hash before it (ledger.ts).
    expect(JSON.parse(line)).toEqual({
      v: FORMAT_VERSIONS.audit,
      seq: 1,
      prev: GENESIS,
      kind: "run",
      ...record,
    });
    expect(line.startsWith(`{"v":${FORMAT_VERSIONS.audit},`)).toBe(true);
    expect(await readAudit(dir)).toEqual([record]);
  });

  it("reads a log written before versions (no v) as version 1, beside versioned lines", async () => {
    await writeFile(auditLogFile(dir), `${JSON.stringify(record)}\n`);
    await appendAudit(dir, { ...record, runId: "second" });
    expect((await readAudit(dir)).map((r) => r.runId)).toEqual([record.runId, "second"]);
  });

  it("refuses a line of a newer version, naming the file, the line, the version and what it reads", async () => {
    await appendAudit(dir, record);
    await writeFile(auditLogFile(dir), `${JSON.stringify({ ...record, v: FORMAT_VERSIONS.audit + 1 })}\n`, {
      flag: "a",
    });
    const read = readAudit(dir);
    await expect(read).rejects.toBeInstanceOf(FormatError);
    await expect(read).rejects.toThrow(newerMessage(auditLogFile(dir), "audit", " line 2"));
  });

  it.each([
    ["a version that is not a number", "2"],
    ["a version below 1", 0],
    ["a fractional version", 1.5],
  ])("refuses %s", async (_rule, v) => {
    await writeFile(auditLogFile(dir), `${JSON.stringify({ ...record, v })}\n`);
    await expect(readAudit(dir)).rejects.toThrow(
      `${auditLogFile(dir)} line 1 is audit format version ${JSON.stringify(v)}`,
    );
  });

  it("names the line that is not JSON", async () => {
    await writeFile(auditLogFile(dir), `${JSON.stringify(record)}\n{"v":1,"runId"\n`);
    await expect(readAudit(dir)).rejects.toThrow(`${auditLogFile(dir)} line 2 is not JSON`);
  });
});

describe("a run's folder", () => {
  const eventsFile = () => path.join(dir, "runs", `${record.runId}.events.jsonl`);
  const stateFile = () => path.join(dir, "runs", `${record.runId}.state.json`);
  const state = {
    runId: record.runId,
    runbook: "steps-demo",
    env: "dev",
    params: { start: 1 },
    results: { first: { value: 1 } },
    failedStep: "second",
    status: "failed" as const,
  };

  it("versions the events, reads unversioned ones as version 1 and refuses newer ones", async () => {
    await appendRunEvent(dir, event);
    expect(JSON.parse(await readFile(eventsFile(), "utf8"))).toEqual({
      v: FORMAT_VERSIONS["run-events"],
      ...event,
    });
    await writeFile(eventsFile(), `${JSON.stringify(event)}\n`, { flag: "a" });
    expect(await readRunEvents(dir, record.runId)).toEqual([event, event]);
    await writeFile(eventsFile(), `${JSON.stringify({ ...event, v: FORMAT_VERSIONS["run-events"] + 1 })}\n`, {
      flag: "a",
    });
    await expect(readRunEvents(dir, record.runId)).rejects.toThrow(
      newerMessage(eventsFile(), "run-events", " line 3"),
    );
  });

  it("versions the state kept for --resume, reads an unversioned one and refuses a newer one", async () => {
    await saveRunState(dir, state);
    expect(JSON.parse(await readFile(stateFile(), "utf8"))).toEqual({ v: 1, ...state });
    expect(await loadRunState(dir, record.runId)).toEqual(state);
    await writeFile(stateFile(), JSON.stringify(state));
    expect(await loadRunState(dir, record.runId)).toEqual(state);
    await writeFile(stateFile(), JSON.stringify({ ...state, v: 2 }));
    await expect(loadRunState(dir, record.runId)).rejects.toThrow(newerMessage(stateFile(), "run-state"));
  });
});

describe("locks", () => {
  const target = { env: "dev", databaseUrl: "postgres://ops@127.0.0.1:5432/app" };
  const lockFile = () => path.join(dir, "locks", "db-dda3d19f03860926.lock");
  const legacyFile = () => path.join(dir, "locks", "dev.lock");
  const stored = { ...holder, env: "dev", database: "127.0.0.1:5432/app", groups: [] };

  it("writes the version into the lock (keyed by the database) and releases it", async () => {
    const release = await acquireLock(dir, target, holder);
    const [file] = await readdir(path.join(dir, "locks"));
    expect(JSON.parse(await readFile(path.join(dir, "locks", file ?? ""), "utf8"))).toMatchObject({
      v: 2,
      ...stored,
    });
    expect(await currentLock(dir, target)).toMatchObject(stored);
    await release();
    expect(await currentLock(dir, target)).toBeNull();
  });

  it("honours an unversioned (version 1, per environment) lock of a live holder", async () => {
    await mkdir(path.dirname(legacyFile()), { recursive: true });
    await writeFile(legacyFile(), JSON.stringify(holder));
    await expect(acquireLock(dir, target, { ...holder, runId: "r2" })).rejects.toBeInstanceOf(LockedError);
    await writeFile(legacyFile(), JSON.stringify({ ...holder, v: 1, pid: 999_999_999 }));
    const release = await acquireLock(dir, target, { ...holder, runId: "r2" });
    await release();
  });

  it("refuses a lock of a newer version instead of taking it over, and leaves it in place", async () => {
    await mkdir(path.dirname(lockFile()), { recursive: true });
    const newer = JSON.stringify({ ...holder, v: 3, pid: 999_999_999 });
    await writeFile(lockFile(), newer);
    await expect(acquireLock(dir, target, { ...holder, runId: "r2" })).rejects.toThrow(
      newerMessage(lockFile(), "lock"),
    );
    expect(await readFile(lockFile(), "utf8")).toBe(newer);
  });
});

describe("state files kept between runs", () => {
  // Each kind with a record of the shape its reader expects (deployment/_releases.ts, _balancer.ts,
  // lib/backups.ts, operational/scale-instances.ts, paths.ts, budget.ts name the kind they use).
  const kinds: Array<[kind: FormatKind, file: string, record: Record<string, unknown>]> = [
    ["releases", "releases/current.json", { commit: "0123456789ab", env: "dev", previous: null, older: [] }],
    ["balancer", "nginx/balancer.json", { listenPort: 8080, upstreamPort: 3001, switchedAt: "now" }],
    ["pool", "nginx/pool.json", { listenPort: 8080, members: [] }],
    ["backup-manifest", "backups/dev/20260101T000000Z-abcdef.json", { id: "20260101T000000Z-abcdef" }],
    ["instances", "instances/dev.json", { instances: [] }],
    ["dev-stack", "dev-stack.json", { appUrl: "http://127.0.0.1:3000" }],
    ["post-mortem-link", "incident/post-mortem-link.json", { url: "https://example.com/pm" }],
    ["incident", "incident/incident.json", { env: "production", slug: "checkout-down" }],
    ["incident-classification", "incident/classification.json", { severity: "P1", reasons: [] }],
  ];

  it.each(kinds)("%s: written with its version first, read back without it", async (kind, name, record) => {
    const file = path.join(dir, name);
    await writeStateFile(kind, file, record);
    const text = await readFile(file, "utf8");
    expect(text.startsWith(`{\n  "v": ${FORMAT_VERSIONS[kind]},`)).toBe(true);
    expect(await readStateFile(kind, file)).toEqual(record);
    // No temporary file is left beside it (written atomically: temporary file, then rename).
    expect(await readdir(path.dirname(file))).toEqual([path.basename(file)]);
  });

  it.each(kinds)("%s: a file written before versions reads as version 1", async (kind, name, record) => {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(record));
    expect(await readStateFile(kind, file)).toEqual(record);
    expect(readStateFileSync(kind, file)).toEqual(record);
  });

  it.each(kinds)(
    "%s: a newer version is refused, naming the file and what to do",
    async (kind, name, record) => {
      const file = path.join(dir, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify({ v: FORMAT_VERSIONS[kind] + 1, ...record }));
      const read = readStateFile(kind, file);
      await expect(read).rejects.toBeInstanceOf(FormatError);
      await expect(read).rejects.toThrow(newerMessage(file, kind));
      await expect(read).rejects.toThrow(
        /update this checkout \(git pull\) to read it, or move the file aside/,
      );
    },
  );

  it("a missing file is null; a file that is not JSON is refused with the reader's advice", async () => {
    expect(await readStateFile("releases", path.join(dir, "none.json"))).toBeNull();
    const file = path.join(dir, "current.json");
    await writeFile(file, "{ half a file");
    const read = readStateFile("releases", file, "fix or remove it by hand");
    await expect(read).rejects.toThrow(`${file} is not a readable releases file (`);
    await expect(read).rejects.toThrow(/\): fix or remove it by hand$/);
  });

  it("dev-stack.json: npm start's file is versioned and 0600; an old one still names the stack; a newer one is refused", async () => {
    const env = { SSP_DEV_STACK_FILE: path.join(dir, "dev-stack.json") };
    const stack = {
      appUrl: "http://127.0.0.1:3000",
      databaseUrl: "postgres://ops:secret@127.0.0.1:5432/app",
      redisUrl: "redis://127.0.0.1:6379",
      redisPrefix: "ssp:",
    };
    await writeDevStack(env, stack);
    expect(JSON.parse(await readFile(env.SSP_DEV_STACK_FILE, "utf8")).v).toBe(FORMAT_VERSIONS["dev-stack"]);
    expect((await stat(env.SSP_DEV_STACK_FILE)).mode & 0o777).toBe(0o600);
    expect(readDevStack(env)).toEqual(stack);
    await writeFile(env.SSP_DEV_STACK_FILE, JSON.stringify(stack));
    expect(readDevStack(env)).toEqual(stack);
    await writeFile(
      env.SSP_DEV_STACK_FILE,
      JSON.stringify({ ...stack, v: FORMAT_VERSIONS["dev-stack"] + 1 }),
    );
    expect(() => readDevStack(env)).toThrow(newerMessage(env.SSP_DEV_STACK_FILE, "dev-stack"));
    expect(readDevStack({ SSP_DEV_STACK_FILE: path.join(dir, "none.json") })).toEqual({});
  });

  it("backup manifests: one taken before versions still reads; a newer one is refused, not listed as restorable", async () => {
    const file = path.join(dir, "20260101T000000Z-abcdef.json");
    const manifest = { id: "20260101T000000Z-abcdef", env: "dev", file: "20260101T000000Z-abcdef.dump" };
    await writeFile(file, JSON.stringify(manifest));
    expect(await readManifest(file, "move it aside")).toEqual(manifest as Partial<BackupManifest>);
    await writeFile(file, JSON.stringify({ v: FORMAT_VERSIONS["backup-manifest"] + 1, ...manifest }));
    await expect(readManifest(file, "move it aside")).rejects.toThrow(newerMessage(file, "backup-manifest"));
  });

  /** An incident folder as triage-snapshot opens it, in production, started now (version-1 incident.json). */
  async function openIncident(slug: string): Promise<{ name: string; folder: string }> {
    const name = `${compactUtc()}-${slug}`;
    const folder = path.join(dir, "artifacts", "triage-snapshot", name);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, "incident.json"), JSON.stringify({ env: "production" }));
    return { name, folder };
  }

  it("post-mortem links: recorded with a version; an old link lifts the hold; a newer one is refused", async () => {
    const { name, folder } = await openIncident("checkout-down");
    await writeFile(path.join(folder, "classification.json"), JSON.stringify({ severity: "P1" }));
    expect((await incidentHolds(dir, "production")).map((h) => h.incident)).toEqual([name]);

    await recordPostMortemLink(dir, name, "https://example.com/pm", "ops@host");
    const linkFile = path.join(folder, POST_MORTEM_LINK_FILE);
    expect(JSON.parse(await readFile(linkFile, "utf8")).v).toBe(FORMAT_VERSIONS["post-mortem-link"]);
    expect(await incidentHolds(dir, "production")).toEqual([]);

    await writeFile(
      linkFile,
      JSON.stringify({ url: "https://example.com/pm", recordedBy: "ops", recordedAt: "then" }),
    );
    expect(await incidentHolds(dir, "production")).toEqual([]);
    await writeFile(
      linkFile,
      JSON.stringify({ v: FORMAT_VERSIONS["post-mortem-link"] + 1, url: "https://example.com/pm" }),
    );
    await expect(incidentHolds(dir, "production")).rejects.toThrow(
      newerMessage(linkFile, "post-mortem-link"),
    );
  });

  it("an incident folder's classification of a newer format is refused by the freeze's hold, not guessed at", async () => {
    const { name, folder } = await openIncident("db-slow");
    const classification = path.join(folder, "classification.json");
    await writeFile(
      classification,
      JSON.stringify({ v: FORMAT_VERSIONS["incident-classification"] + 1, severity: "P1" }),
    );
    await expect(incidentHolds(dir, "production")).rejects.toThrow(
      newerMessage(classification, "incident-classification"),
    );
    await writeStateFile("incident-classification", classification, { severity: "P1" });
    expect((await incidentHolds(dir, "production")).map((h) => h.incident)).toEqual([name]);
  });
});
