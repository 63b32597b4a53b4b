import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Decrypter } from "age-encryption";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateUp } from "../../practice-app/src/db/migrations.ts";
import { seed } from "../../practice-app/src/db/seed.ts";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { type RunOptions, runRunbook } from "../../runbooks/engine/run.ts";
import { AGE_HEADER, backupKeyFile } from "../../runbooks/lib/backup-keys.ts";
import { type BackupManifest, sha256File } from "../../runbooks/lib/backups.ts";
import { PgToolError, runPgTool } from "../../runbooks/lib/pg-tools.ts";
import { type ScramCluster, startScramCluster } from "../support/scram-cluster.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// Issue 14's backup hardening, against a private PostgreSQL cluster with scram-sha-256 password
// authentication: the shared server trusts every local connection, so a password dropped on the
// way to pg_dump would pass unnoticed there. Here it cannot: without the password nothing connects.

const PASSWORD = `pw-${randomBytes(12).toString("hex")}`;

/**
 * Samples every process's argv (/proc/<pid>/cmdline) every 2 ms in its own process, so the
 * sampling never waits for the test's event loop. The secret reaches it by environment, not argv.
 */
function startPsSampler(): { stop(): Promise<{ pgTools: string[]; leaks: string[]; sweeps: number }> } {
  const script = `
    const fs = require("node:fs");
    const secret = process.env.SAMPLER_SECRET;
    const pgTools = new Set(); const leaks = new Set(); let sweeps = 0;
    function sweep() {
      sweeps++;
      for (const p of fs.readdirSync("/proc")) {
        if (!/^\\d+$/.test(p) || Number(p) === process.pid) continue;
        let argv; try { argv = fs.readFileSync("/proc/" + p + "/cmdline", "latin1"); } catch { continue; }
        const line = argv.split("\\0").join(" ");
        if (/\\b(pg_dump|pg_restore|createdb)\\b/.test(line)) pgTools.add(line);
        if (line.includes(secret)) leaks.add(line);
      }
    }
    process.on("SIGTERM", () => { sweep(); process.stdout.write(JSON.stringify({ pgTools: [...pgTools], leaks: [...leaks], sweeps })); process.exit(0); });
    (function loop() { sweep(); setTimeout(loop, 2); })();
  `;
  const child: ChildProcess = spawn(process.execPath, ["-e", script], {
    env: { ...process.env, SAMPLER_SECRET: PASSWORD },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return {
    async stop() {
      const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
      child.kill("SIGTERM");
      await closed;
      return JSON.parse(out) as { pgTools: string[]; leaks: string[]; sweeps: number };
    },
  };
}

let cluster: ScramCluster;
let app: TestApp;
let dataDir: string;
let db: pg.Pool;
const DB = "ssp_scram";

function envFor(databaseUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    RUNBOOK_DATA_DIR: dataDir,
    SSP_DATA_DIR: dataDir,
    SSP_DEV_APP_URL: app.url,
    SSP_DEV_DATABASE_URL: databaseUrl,
    SSP_DEV_REDIS_URL: "",
    SSP_DEV_REDIS_PREFIX: "",
    SSP_DEV_STACK_FILE: path.join(dataDir, "dev-stack.json"),
    ...extra,
  };
}

/** Runs a runbook against the dev environment described by `env` (as tests/support/runbooks.ts does). */
async function run(id: string, env: NodeJS.ProcessEnv, options: Partial<RunOptions> = {}) {
  const runbook = await findRunbook(id);
  const events: RunEvent[] = [];
  const saved = { ...process.env };
  // Runbook libraries read process.env (backup dir, key file); point them at this test's.
  Object.assign(process.env, env);
  try {
    const result = await runRunbook(runbook, {
      env: "dev",
      confirm: true,
      emit: (event) => events.push(event),
      dataDir,
      processEnv: env,
      ...options,
    });
    const failed = events.find((e) => e.type === "step-end" && e.status !== "ok" && e.status !== "skipped");
    return {
      result,
      events,
      output: events.filter((e) => e.type === "output").map((e) => (e as { line: string }).line),
      error: failed && failed.type === "step-end" ? (failed.error ?? failed.status) : "",
      steps: Object.fromEntries(
        events.flatMap((e) => (e.type === "step-end" ? [[e.step, e.status] as const] : [])),
      ) as Record<string, string>,
    };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

const backupDir = () => path.join(dataDir, "backups", "dev");
const mode = async (file: string) => (await stat(file)).mode & 0o777;
const readManifest = async (id: string) =>
  JSON.parse(await readFile(path.join(backupDir(), `${id}.json`), "utf8")) as BackupManifest;

beforeAll(async () => {
  cluster = await startScramCluster(PASSWORD);
  const admin = new pg.Client({ connectionString: cluster.url("postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  await migrateUp(cluster.url(DB), () => undefined);
  db = new pg.Pool({ connectionString: cluster.url(DB), max: 2 });
  db.on("error", () => undefined);
  await seed(db, { demo: true, scryptLogN: 14 });
  app = await startTestApp({ DATABASE_URL: cluster.url(DB) });
  dataDir = await mkdtemp(path.join(tmpdir(), "ssp-rb-hard-"));
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await db?.end();
  await cluster?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

let backup: BackupManifest;

describe("credentials never reach a process list", () => {
  it("backup-now on a scram-sha-256 server succeeds while ps never shows the password", async () => {
    const sampler = startPsSampler();
    const { result, error } = await run("backup-now", envFor(cluster.url(DB)));
    const seen = await sampler.stop();
    expect(error).toBe("");
    expect(result.status).toBe("ok");
    // The sampler did see the children (else "no leak" would prove nothing)…
    expect(seen.pgTools.some((line) => line.includes("pg_dump") && !line.includes("--version"))).toBe(true);
    // …and none of them, nor any other process, carried the password.
    expect(seen.leaks).toEqual([]);
    backup = await readManifest((result.results.manifest as { id: string }).id);
  });

  it("verify-backup and restore decrypt and succeed, also without the password in ps", async () => {
    const sampler = startPsSampler();
    const verified = await run("verify-backup", envFor(cluster.url(DB)), { params: { backup: backup.id } });
    await db.query("DELETE FROM reviews");
    await db.query("DELETE FROM sessions");
    const learners = Number((await db.query("SELECT count(*) AS n FROM learners")).rows[0].n);
    await db.query("DELETE FROM learners");
    const restored = await run("restore", envFor(cluster.url(DB)), { params: { backup: backup.id } });
    const seen = await sampler.stop();
    expect(verified.error).toBe("");
    expect((await readManifest(backup.id)).verification).toMatchObject({ ok: true });
    expect(restored.error).toBe("");
    expect(restored.result.status).toBe("ok");
    expect(Number((await db.query("SELECT count(*) AS n FROM learners")).rows[0].n)).toBe(learners);
    expect(seen.pgTools.some((line) => line.includes("createdb"))).toBe(true);
    expect(seen.pgTools.some((line) => line.includes("pg_restore --dbname="))).toBe(true);
    expect(seen.leaks).toEqual([]);
  });
});

describe("backups at rest", () => {
  it("writes the archive age-encrypted, files 0600 in 0700 directories, the key elsewhere", async () => {
    const archive = path.join(backupDir(), backup.file);
    const bytes = await readFile(archive);
    expect(bytes.subarray(0, AGE_HEADER.length).toString()).toBe(AGE_HEADER);
    expect(bytes.includes(Buffer.from("PGDMP"))).toBe(false);
    expect(backup.encryption).toMatchObject({ format: "age", recipient: expect.stringMatching(/^age1/) });
    expect(await mode(archive)).toBe(0o600);
    expect(await mode(path.join(backupDir(), `${backup.id}.json`))).toBe(0o600);
    expect(await mode(backupDir())).toBe(0o700);
    expect(await mode(path.dirname(backupDir()))).toBe(0o700);

    const keyFile = backupKeyFile(envFor(""));
    expect(path.relative(path.dirname(backupDir()), keyFile).startsWith("..")).toBe(true);
    expect(await mode(keyFile)).toBe(0o600);
    expect(await mode(path.dirname(keyFile))).toBe(0o700);
    // The key in the file opens the archive, and inside is pg_dump's custom format.
    const decrypter = new Decrypter();
    for (const line of (await readFile(keyFile, "utf8")).split("\n"))
      if (line.startsWith("AGE-SECRET-KEY-")) decrypter.addIdentity(line);
    const plain = await decrypter.decrypt(new Uint8Array(bytes));
    expect(Buffer.from(plain.subarray(0, 5)).toString()).toBe("PGDMP");
  });

  it("still verifies a backup from before encryption (plain archive, no encryption in the manifest)", async () => {
    const keyFile = backupKeyFile(envFor(""));
    const decrypter = new Decrypter();
    for (const line of (await readFile(keyFile, "utf8")).split("\n"))
      if (line.startsWith("AGE-SECRET-KEY-")) decrypter.addIdentity(line);
    const plain = await decrypter.decrypt(
      new Uint8Array(await readFile(path.join(backupDir(), backup.file))),
    );
    const old: BackupManifest = structuredClone(backup);
    old.id = `20200101T000000Z-${randomBytes(3).toString("hex")}`;
    old.file = `${old.id}.dump`;
    delete old.encryption;
    delete old.verification;
    delete old.verifiedAt;
    const file = path.join(backupDir(), old.file);
    await writeFile(file, plain);
    old.sha256 = await sha256File(file);
    old.sizeBytes = plain.length;
    await writeFile(path.join(backupDir(), `${old.id}.json`), JSON.stringify(old));
    const { error, output } = await run("verify-backup", envFor(cluster.url(DB)), {
      params: { backup: old.id },
    });
    expect(error).toBe("");
    expect((await readManifest(old.id)).verification).toMatchObject({ ok: true });
    expect(output.some((l) => l.startsWith("this backup is not encrypted"))).toBe(true);
  });

  it("after a key rotation, old backups still decrypt and new ones use the new key", async () => {
    const keyFile = backupKeyFile(envFor(""));
    const { generateIdentity, identityToRecipient } = await import("age-encryption");
    const fresh = await generateIdentity();
    await writeFile(keyFile, `${fresh}\n${await readFile(keyFile, "utf8")}`, { mode: 0o600 });
    const taken = await run("backup-now", envFor(cluster.url(DB)));
    expect(taken.error).toBe("");
    const newer = await readManifest((taken.result.results.manifest as { id: string }).id);
    expect(newer.encryption?.recipient).toBe(await identityToRecipient(fresh));
    const old = await run("verify-backup", envFor(cluster.url(DB)), { params: { backup: backup.id } });
    expect(old.error).toBe("");
  });
});

describe("backup-now on any database of the app", () => {
  it("backs up a database without the migrations table", async () => {
    const admin = new pg.Client({ connectionString: cluster.url("postgres") });
    await admin.connect();
    await admin.query("CREATE DATABASE ssp_nomig");
    await admin.end();
    const plain = new pg.Client({ connectionString: cluster.url("ssp_nomig") });
    await plain.connect();
    await plain.query(
      "CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'hola')",
    );
    await plain.end();
    const { result, error } = await run("backup-now", envFor(cluster.url("ssp_nomig")));
    expect(error).toBe("");
    const manifest = await readManifest((result.results.manifest as { id: string }).id);
    expect(manifest.migrations).toEqual([]);
    expect(manifest.tables.notes?.rows).toBe(1);
  });

  it("refuses an unwritable backup directory at the preflight, before dumping", async () => {
    // A path under a regular file: unwritable even for root (chmod would not stop root).
    const blocker = path.join(dataDir, "not-a-directory");
    await writeFile(blocker, "", { mode: 0o600 });
    const { result, error } = await run(
      "backup-now",
      envFor(cluster.url(DB), { RUNBOOK_BACKUP_DIR: path.join(blocker, "backups") }),
    );
    expect(result).toMatchObject({ status: "failed", failedStep: "preflight" });
    expect(error).toMatch(/backup directory .* cannot be created: .*not-a-directory is a file/);
  });
});

describe("children that hang are stopped with a clear message", () => {
  it("a PostgreSQL tool past its own timeout is killed with its process group", async () => {
    const lines: string[] = [];
    const ctx = {
      log: (l: string) => lines.push(l),
      warn: (l: string) => lines.push(l),
      signal: new AbortController().signal,
    };
    const started = Date.now();
    const error = await runPgTool(ctx, "sh", ["-c", "sleep 31.7 & sleep 31.7"], {
      timeoutMs: 300,
      timeoutHint: "the test's hint",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PgToolError);
    expect((error as Error).message).toBe("sh did not finish within 0.3 s and was stopped: the test's hint");
    expect(Date.now() - started).toBeLessThan(5_000);
    // The whole group went, the backgrounded grandchild too (SIGTERM; SIGKILL follows after 2 s).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const left: string[] = [];
    for (const p of await readdir("/proc")) {
      if (!/^\d+$/.test(p)) continue;
      const argv = await readFile(`/proc/${p}/cmdline`, "latin1").catch(() => "");
      if (argv.split("\0").join(" ").trim() === "sleep 31.7") left.push(p);
    }
    expect(left).toEqual([]);
  });

  it("dr-drill on a server that holds pg_dump's connection (like the embedded PGlite) fails fast, saying why", async () => {
    // Lets two sessions through (the runbook's pool and the snapshot) and holds any further one
    // unanswered, as a one-session server does: pg_dump's connection waits for nothing.
    const proxy = new HoldingProxy(cluster.port, 2);
    const port = await proxy.listen();
    const url = new URL(cluster.url(DB));
    url.port = String(port);
    const started = Date.now();
    try {
      const { result, error } = await run("dr-drill", envFor(url.toString(), { PGCONNECT_TIMEOUT: "2" }));
      expect(result).toMatchObject({ status: "failed", failedStep: "backup" });
      expect(error).toMatch(/pg_dump could not connect within 2 s .*one session at a time/);
    } finally {
      await proxy.close();
    }
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await readdir(backupDir())).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });
});

/** A TCP proxy that forwards the first `limit` concurrent connections and leaves the rest hanging. */
class HoldingProxy {
  private readonly server: Server;
  private readonly open = new Set<Socket>();
  private forwarded = 0;
  constructor(targetPort: number, limit: number) {
    this.server = createServer((client) => {
      this.open.add(client);
      client.on("error", () => undefined).on("close", () => this.open.delete(client));
      if (this.forwarded >= limit) return; // held: accepted, never answered
      this.forwarded++;
      const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
      this.open.add(upstream);
      upstream.on("error", () => client.destroy()).on("close", () => client.destroy());
      client.on("close", () => {
        this.forwarded--;
        upstream.destroy();
      });
      client.pipe(upstream).pipe(client);
    });
  }
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    return typeof address === "object" && address ? address.port : 0;
  }
  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
