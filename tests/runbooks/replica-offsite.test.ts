import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKUP_POLICY } from "../../policy/index.ts";
import { migrateUp } from "../../practice-app/src/db/migrations.ts";
import { seed } from "../../practice-app/src/db/seed.ts";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { type RunOptions, runRunbook } from "../../runbooks/engine/run.ts";
import { type BackupManifest, retention, sha256File } from "../../runbooks/lib/backups.ts";
import { freePort } from "../../runbooks/lib/net.ts";
import { stopBalancerAndInstances } from "../support/balancer-cleanup.ts";
import { failedStepError, stepStatuses } from "../support/runbooks.ts";
import { type ScramCluster, startScramCluster } from "../support/scram-cluster.ts";
import { TEST_REDIS_URL, uniqueName } from "../support/services.ts";

// The streaming replica and the off-site copy on private PostgreSQL clusters with password
// authentication (scram-sha-256): create-replica makes a real hot standby with pg_basebackup -R,
// failover-to-replica promotes it under a stream of writes with the app behind nginx;
// copy-backup-offsite copies verified backups into a temp dir (another place), finds a corrupted
// copy, applies retention there, and dr-drill restores from the off-site copy.

const password = `pw-${randomBytes(9).toString("hex")}`;
let primary: ScramCluster;
let root: string;
let urlFile: string;
let listenPort: number;
let offsiteDir: string;
const prefix = `${uniqueName("ssp_replica")}:`;
const primaryUrl = () => primary.url("ssp");

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    RUNBOOK_DATA_DIR: path.join(root, "runbooks"),
    SSP_DATA_DIR: root,
    SSP_DEV_APP_URL: `http://127.0.0.1:${listenPort}`,
    // A secret reference: the failover rewrites the file, never the operator's shell.
    SSP_DEV_DATABASE_URL: `file:${urlFile}`,
    SSP_DEV_REDIS_URL: TEST_REDIS_URL,
    SSP_DEV_REDIS_PREFIX: prefix,
    SSP_DEV_STACK_FILE: path.join(root, "dev-stack.json"),
  };
}

async function run(id: string, options: Partial<RunOptions> = {}) {
  const runbook = await findRunbook(id);
  const events: RunEvent[] = [];
  const saved = { ...process.env };
  const processEnv = { ...env(), ...(options.processEnv ?? {}) };
  Object.assign(process.env, processEnv);
  try {
    const result = await runRunbook(runbook, {
      env: "dev",
      confirm: true,
      emit: (event) => events.push(event),
      dataDir: path.join(root, "runbooks"),
      ...options,
      processEnv,
    });
    const output = events.filter((e) => e.type === "output").map((e) => (e as { line: string }).line);
    return { result, events, output };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

beforeAll(async () => {
  primary = await startScramCluster(password);
  const admin = new pg.Client({ connectionString: primary.url("postgres") });
  await admin.connect();
  await admin.query("CREATE DATABASE ssp");
  await admin.end();
  await migrateUp(primaryUrl(), () => undefined);
  const db = new pg.Pool({ connectionString: primaryUrl(), max: 2 });
  await seed(db, { demo: true, scryptLogN: 14 });
  await db.end();
  root = await mkdtemp(path.join(tmpdir(), "ssp-replica-"));
  // The replica runs as the postgres user (we may be root): it must be able to enter this folder.
  await chmod(root, 0o711);
  urlFile = path.join(root, "database-url");
  await writeFile(urlFile, `${primaryUrl()}\n`, { mode: 0o600 });
  listenPort = await freePort();
  offsiteDir = await mkdtemp(path.join(tmpdir(), "ssp-offsite-"));
}, 60_000);

afterAll(async () => {
  if (root) await stopBalancerAndInstances(path.join(root, "runbooks", "nginx"), root);
  const record = path.join(root ?? "", "runbooks", "replicas", "dev.json");
  if (existsSync(record)) {
    const { dataDir, binDir } = JSON.parse(readFileSync(record, "utf8"));
    const { execFileSync } = await import("node:child_process");
    const asPostgres = process.getuid?.() === 0 ? ["-u", "postgres", "--"] : [];
    try {
      execFileSync(asPostgres.length ? "runuser" : `${binDir}/pg_ctl`, [
        ...asPostgres,
        ...(asPostgres.length ? [`${binDir}/pg_ctl`] : []),
        "-D",
        dataDir,
        "-m",
        "immediate",
        "stop",
      ]);
    } catch {
      // Not running.
    }
  }
  await primary?.stop();
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await rm(root, { recursive: true, force: true });
  await rm(offsiteDir, { recursive: true, force: true });
}, 60_000);

const replicaRecord = async () =>
  JSON.parse(await readFile(path.join(root, "runbooks", "replicas", "dev.json"), "utf8")) as {
    port: number;
    dataDir: string;
    slot: string;
    passfile: string | null;
  };
const urlOnPort = (port: number) => {
  const u = new URL(primaryUrl());
  u.port = String(port);
  return u.toString();
};

// The claims of scaling-guide/database.mdx ("Read replicas") and deployment-playbook/disaster-recovery.mdx
// ("The primary fails and a replica runs"): password only in a 0600 password file, nothing written
// before the fence lost, the app repointed and restarted, a new write on the old primary refused.
describe("create-replica and failover-to-replica", () => {
  it("creates a streaming replica with pg_basebackup -R, the password in a password file only", async () => {
    const planned = await run("create-replica", { plan: true });
    expect(planned.result.status, failedStepError(planned.events)).toBe("ok");
    expect(planned.output.some((l) => /would create slot ssp_replica on 127\.0\.0\.1:\d+\/ssp/.test(l))).toBe(
      true,
    );
    expect(existsSync(path.join(root, "runbooks", "replicas", "dev.json"))).toBe(false);

    const { result, events, output } = await run("create-replica");
    expect(result.status, failedStepError(events)).toBe("ok");
    const record = await replicaRecord();
    const auto = await readFile(path.join(record.dataDir, "postgresql.auto.conf"), "utf8");
    expect(auto).toContain("primary_conninfo");
    expect(auto).toContain(`passfile=`);
    expect(auto).not.toContain(password);
    expect(((await stat(record.passfile as string)).mode & 0o777).toString(8)).toBe("600");
    // Nothing of the run shows the password: the command lines carry the URL without it.
    expect(output.join("\n")).not.toContain(password);
    expect(output.some((l) => /^\$ pg_basebackup --dbname=postgres:\/\/postgres@127\.0\.0\.1/.test(l))).toBe(
      true,
    );
    expect(output.some((l) => /streaming, \d+ bytes behind/.test(l))).toBe(true);

    const replica = new pg.Client({ connectionString: urlOnPort(record.port) });
    await replica.connect();
    const { rows } = await replica.query(
      "SELECT pg_is_in_recovery() AS rec, (SELECT count(*)::int FROM exercises) AS n",
    );
    await replica.end();
    expect(rows[0]).toMatchObject({ rec: true });
    expect(rows[0].n).toBeGreaterThan(0);
  }, 60_000);

  it("refuses a second replica of the same environment before doing anything", async () => {
    const { result, events } = await run("create-replica");
    expect(result).toMatchObject({ status: "failed", failedStep: "preflight" });
    expect(failedStepError(events)).toMatch(/already recorded/);
  });

  it("fails over under a stream of writes: nothing acknowledged is lost, the app writes to the new primary", async () => {
    const added = await run("add-instance", { params: { listenPort } });
    expect(added.result.status, failedStepError(added.events)).toBe("ok");
    const pool = JSON.parse(await readFile(path.join(root, "runbooks", "nginx", "pool.json"), "utf8"));
    const oldPid = pool.members[0].pid as number;

    const setup = new pg.Client({ connectionString: primaryUrl() });
    await setup.connect();
    await setup.query("CREATE TABLE failover_probe (id int PRIMARY KEY)");
    await setup.end();
    // Writes in flight: one connection at a time inserts; an acknowledged insert must survive.
    const acked: number[] = [];
    let refused = 0;
    let writing = true;
    const writer = (async () => {
      for (let i = 1; writing; i++) {
        const c = new pg.Client({ connectionString: primaryUrl(), connectionTimeoutMillis: 2_000 });
        c.on("error", () => undefined);
        try {
          await c.connect();
          await c.query("INSERT INTO failover_probe (id) VALUES ($1)", [i]);
          acked.push(i);
        } catch {
          refused += 1;
          // Refused while fenced: try again shortly, without flooding the servers with logins.
          await new Promise((r) => setTimeout(r, 20));
        } finally {
          await c.end().catch(() => undefined);
        }
      }
    })();
    while (acked.length < 20) await new Promise((r) => setTimeout(r, 10));

    const { result, events, output } = await run("failover-to-replica");
    writing = false;
    await writer;
    expect(result.status, failedStepError(events)).toBe("ok");
    expect(stepStatuses(events)).toMatchObject({
      fence: "ok",
      "catch-up": "ok",
      promote: "ok",
      repoint: "ok",
      "verify-write": "ok",
    });
    expect(refused).toBeGreaterThan(0);
    expect(output.join("\n")).not.toContain(password);

    const record = await replicaRecord();
    const newUrl = urlOnPort(record.port);
    expect((await readFile(urlFile, "utf8")).trim()).toBe(new URL(newUrl).toString());
    const fresh = new pg.Client({ connectionString: newUrl });
    await fresh.connect();
    const { rows } = await fresh.query<{ id: number }>("SELECT id FROM failover_probe");
    const there = new Set(rows.map((r) => r.id));
    expect(acked.filter((id) => !there.has(id))).toEqual([]);
    expect((await fresh.query("SELECT pg_is_in_recovery() AS rec")).rows[0].rec).toBe(false);

    // The old primary refuses writes; the instance runs again (new pid) and writes go to the new one.
    const old = new pg.Client({ connectionString: primaryUrl() });
    await old.connect();
    await expect(old.query("INSERT INTO failover_probe (id) VALUES (-1)")).rejects.toMatchObject({
      code: "25006",
    });
    await old.end();
    const after = JSON.parse(await readFile(path.join(root, "runbooks", "nginx", "pool.json"), "utf8"));
    expect(after.members[0].pid).not.toBe(oldPid);
    const email = `after-failover-${Date.now()}@example.invalid`;
    const res = await fetch(`http://127.0.0.1:${listenPort}/trpc/accounts.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: `pw-${randomBytes(8).toString("hex")}`, displayName: "after" }),
    });
    expect(res.status).toBe(200);
    expect(
      (await fresh.query("SELECT count(*)::int AS n FROM learners WHERE email = $1", [email])).rows[0].n,
    ).toBe(1);
    await fresh.end();
  }, 60_000);
});

// The claims of operational-runbook/backup-and-restore.mdx ("Copy off-site"): only verified backups
// copied, each copy checked by sha256, a rotted copy replaced, retention applied there, the record
// of locations written, dr-drill from=offsite recovering without the local backups.
describe("copy-backup-offsite and dr-drill from the off-site copy", () => {
  const backupDir = () => path.join(root, "runbooks", "backups", "dev");
  const offEnv = () => path.join(offsiteDir, "dev");
  let real: BackupManifest;

  it("copies only verified backups, checks each copy's sha256, applies retention there and records the locations", async () => {
    const backup = await run("backup-now");
    expect(backup.result.status, failedStepError(backup.events)).toBe("ok");
    const { id } = backup.result.results.manifest as { id: string };
    const verify = await run("verify-backup", { params: { backup: id } });
    expect(verify.result.status, failedStepError(verify.events)).toBe("ok");
    real = JSON.parse(await readFile(path.join(backupDir(), `${id}.json`), "utf8"));
    // Older verified backups, one a day in 2020: the policy keeps some of them off-site, not all.
    const fakes: BackupManifest[] = [];
    for (let day = 1; day <= 12; day++) {
      const fake = structuredClone(real);
      fake.id = `202001${String(day).padStart(2, "0")}T000000Z-${randomBytes(3).toString("hex")}`;
      fake.file = `${fake.id}.dump`;
      fake.createdAt = `2020-01-${String(day).padStart(2, "0")}T00:00:00.000Z`;
      await writeFile(path.join(backupDir(), fake.file), await readFile(path.join(backupDir(), real.file)), {
        mode: 0o600,
      });
      await writeFile(path.join(backupDir(), `${fake.id}.json`), JSON.stringify(fake), { mode: 0o600 });
      fakes.push(fake);
    }
    const unverified = structuredClone(real);
    unverified.id = `20200201T000000Z-${randomBytes(3).toString("hex")}`;
    unverified.file = `${unverified.id}.dump`;
    unverified.createdAt = "2020-02-01T00:00:00.000Z";
    delete unverified.verification;
    await writeFile(path.join(backupDir(), unverified.file), "x", { mode: 0o600 });
    await writeFile(path.join(backupDir(), `${unverified.id}.json`), JSON.stringify(unverified), {
      mode: 0o600,
    });

    const kept = retention([real, ...fakes], BACKUP_POLICY)
      .keep.map((k) => k.backup.id)
      .sort();
    const planned = await run("copy-backup-offsite", { plan: true, params: { target: offsiteDir } });
    expect(planned.result.status, failedStepError(planned.events)).toBe("ok");
    expect(planned.output.join("\n")).toContain(
      `would copy ${kept.length} backup(s), ${((kept.length * real.sizeBytes) / 1024 / 1024).toFixed(2)} MiB, to ${offsiteDir} with rsync:`,
    );
    expect(existsSync(offEnv())).toBe(false);
    // A temp dir shares the backups' disk: allowed (mounts differ per host), but said.
    expect(planned.output.some((l) => l.includes("on the same file system as"))).toBe(true);

    const { result, events } = await run("copy-backup-offsite", { params: { target: offsiteDir } });
    expect(result.status, failedStepError(events)).toBe("ok");
    const names = await readdir(offEnv());
    expect(
      names
        .filter((n) => n.endsWith(".json"))
        .map((n) => n.slice(0, -5))
        .sort(),
    ).toEqual(kept);
    expect(names).not.toContain(`${unverified.id}.json`);
    for (const id of kept) expect(await sha256File(path.join(offEnv(), `${id}.dump`))).toBe(real.sha256);
    expect(((await stat(path.join(offEnv(), `${real.id}.dump`))).mode & 0o777).toString(8)).toBe("600");
    const locations = JSON.parse(
      await readFile(path.join(root, "runbooks", "backups", "dev.locations.json"), "utf8"),
    );
    expect(locations.offsite).toBe(offsiteDir);
    expect(locations.backups[real.id]).toMatchObject({
      local: path.join(backupDir(), real.file),
      offsite: path.join(offEnv(), real.file),
    });
    expect(locations.backups[unverified.id]).toMatchObject({ offsite: null });

    // Retention off-site: a backup the policy no longer keeps, put there by an earlier copy, goes.
    const stale = structuredClone(fakes[0] as BackupManifest);
    stale.id = `20200102T120000Z-${randomBytes(3).toString("hex")}`;
    stale.file = `${stale.id}.dump`;
    stale.createdAt = "2020-01-02T12:00:00.000Z";
    await writeFile(path.join(offEnv(), stale.file), await readFile(path.join(offEnv(), `${real.id}.dump`)));
    await writeFile(path.join(offEnv(), `${stale.id}.json`), JSON.stringify(stale));
    const pruned = await run("copy-backup-offsite");
    expect(pruned.result.status, failedStepError(pruned.events)).toBe("ok");
    expect(pruned.output).toContain(`  deleted ${stale.id} off-site`);
    expect(existsSync(path.join(offEnv(), stale.file))).toBe(false);
    expect(existsSync(path.join(backupDir(), `${real.id}.json`))).toBe(true);
  }, 60_000);

  it("refuses a target that is relative, option-like or inside the backup directory, before anything", async () => {
    for (const [target, message] of [
      ["backups/offsite", /must be an absolute path or host:\/path/],
      ["backup-host:srv/backups", /the path on backup-host must be absolute/],
      ["-e sh", /starts with "-"/],
      [path.join(root, "runbooks", "backups", "dev", "copy"), /overlaps the backup directory/],
    ] as const) {
      const { result, events } = await run("copy-backup-offsite", { params: { target } });
      expect(result).toMatchObject({ status: "failed", failedStep: "inventory" });
      expect(failedStepError(events)).toMatch(message);
    }
  });

  it("finds a corrupted off-site copy and replaces it from the local one", async () => {
    const copy = path.join(offEnv(), real.file);
    const bytes = await readFile(copy);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    await writeFile(copy, bytes);
    const { result, events, output } = await run("copy-backup-offsite");
    expect(result.status, failedStepError(events)).toBe("ok");
    expect(
      output.some((l) => l.includes(`off-site ${real.id}: sha256 MISMATCH`) && l.includes("CORRUPT")),
    ).toBe(true);
    expect(output.some((l) => l.startsWith(`  copy    ${real.id}  to replace the corrupt copy`))).toBe(true);
    expect(await sha256File(copy)).toBe(real.sha256);
  });

  it("dr-drill restores from the off-site copy with the local backups gone", async () => {
    const aside = `${backupDir()}-aside`;
    await mkdir(path.dirname(aside), { recursive: true });
    const { rename } = await import("node:fs/promises");
    await rename(backupDir(), aside);
    try {
      const { result, events, output } = await run("dr-drill", {
        params: { backup: real.id, from: "offsite" },
      });
      expect(result.status, failedStepError(events)).toBe("ok");
      expect(output.some((l) => l.startsWith(`fetched ${real.file} from ${offsiteDir}`))).toBe(true);
      const report = await readFile((result.results.report as { report: string }).report, "utf8");
      expect(report).toContain(`read from the off-site copy at ${offsiteDir}`);
      expect(report).toContain("Verdict: **PASSED**");
      const fresh = await run("dr-drill", { params: { backup: "fresh", from: "offsite" } });
      expect(fresh.result).toMatchObject({ status: "failed", failedStep: "backup" });
    } finally {
      await rename(aside, backupDir());
    }
  }, 60_000);
});
