import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKUP_POLICY } from "../../policy/index.ts";
import { BACKUP_ID, type BackupManifest, sha256File } from "../../runbooks/lib/backups.ts";
import { Api } from "../support/api-client.ts";
import { type ScratchStack, startScratchStack, stepStatuses } from "../support/runbooks.ts";

let stack: ScratchStack;
beforeAll(async () => {
  stack = await startScratchStack();
  // restore terminates every other connection to the database, this pool's idle ones included.
  stack.db.on("error", () => undefined);
});
afterAll(async () => {
  await stack?.stop();
});

const backupDir = () => path.join(stack.dataDir, "backups", "dev");
const readManifest = async (id: string) =>
  JSON.parse(await readFile(path.join(backupDir(), `${id}.json`), "utf8")) as BackupManifest;
const count = async (sql: string, values: unknown[] = []) =>
  Number((await stack.db.query<{ n: string }>(sql, values)).rows[0]?.n);
const api = (token: string | null = null) => new Api(stack.app.url, token);
/** Scratch databases a run created (named in its output), and whether any of them still exists. */
async function scratchLeft(output: string[]): Promise<string[]> {
  const names = output.flatMap((l) => /^created scratch database (\S+)/.exec(l)?.[1] ?? []);
  expect(names.length).toBeGreaterThan(0);
  const { rows } = await stack.db.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname = ANY($1)",
    [names],
  );
  return rows.map((r) => r.datname);
}
/** A copy of a backup's manifest under a new id, changed by `edit` (tests that need odd backups). */
async function fakeBackup(from: BackupManifest, edit: (m: BackupManifest) => void): Promise<BackupManifest> {
  const copy: BackupManifest = structuredClone(from);
  copy.id = `20200101T000000Z-${Math.random().toString(16).slice(2, 8).padEnd(6, "0")}`;
  delete copy.verification;
  delete copy.verifiedAt;
  edit(copy);
  await writeFile(path.join(backupDir(), `${copy.id}.json`), JSON.stringify(copy));
  return copy;
}

let firstBackup: BackupManifest;
/** The restore test's backup and the token it logged out after taking it. */
let restored: { id: string; loggedOutToken: string };

describe("backup-now", () => {
  it("dumps the database in one snapshot with a manifest that describes it", async () => {
    const { result, output } = await stack.run("backup-now");
    expect(result.status).toBe("ok");
    const { id } = result.results.manifest as { id: string };
    expect(id).toMatch(BACKUP_ID);
    const manifest = await readManifest(id);
    firstBackup = manifest;
    const archive = path.join(backupDir(), manifest.file);
    expect(manifest.file).toBe(`${id}.dump`);
    expect(await sha256File(archive)).toBe(manifest.sha256);
    // Encrypted at rest (issue 14); tests/runbooks/backup-hardening.test.ts decrypts it.
    expect((await readFile(archive)).subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
    const tables = await stack.db.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    );
    expect(Object.keys(manifest.tables).sort()).toEqual(tables.rows.map((r) => r.name));
    expect(Object.keys(manifest.tables)).toEqual(
      expect.arrayContaining(["learners", "sessions", "pgmigrations"]),
    );
    for (const table of Object.keys(manifest.tables))
      expect(manifest.tables[table]?.rows).toBe(await count(`SELECT count(*) AS n FROM ${table}`));
    expect(manifest.sequences.learners_id_seq).toBe(await count("SELECT max(id) AS n FROM learners"));
    expect(manifest.sequences.reviews_id_seq).toBe(0);
    expect(manifest.migrations?.length).toBe(manifest.tables.pgmigrations?.rows);
    expect(manifest.serverVersion).toMatch(/^15\./);
    expect(output.some((l) => /^backup \S+: [\d.]+ MiB, sha256 [0-9a-f]{64}$/.test(l))).toBe(true);
    expect((await readdir(backupDir())).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });

  it("fails at the preflight when the database is unreachable, and writes nothing", async () => {
    const before = await readdir(backupDir());
    const url = new URL(stack.databaseUrl);
    url.pathname = "/ssp_does_not_exist";
    const { result } = await stack.run("backup-now", {
      processEnv: { ...stack.env, SSP_DEV_DATABASE_URL: url.toString() },
    });
    expect(result).toMatchObject({ status: "failed", failedStep: "preflight" });
    expect(await readdir(backupDir())).toEqual(before);
  });
});

describe("verify-backup", () => {
  it("restores into a scratch database, matches the manifest, records it; the morning check passes", async () => {
    const { result, output } = await stack.run("verify-backup", { params: { backup: firstBackup.id } });
    expect(result.status).toBe("ok");
    const manifest = await readManifest(firstBackup.id);
    expect(manifest.verification).toMatchObject({ ok: true });
    expect(manifest.verification?.restoreSeconds).toBeGreaterThan(0);
    expect(Date.parse(manifest.verifiedAt ?? "")).toBeGreaterThan(Date.parse(manifest.createdAt));
    expect(await scratchLeft(output)).toEqual([]);

    const check = await stack.run("morning-health-check");
    expect(stepStatuses(check.events)["backup-age"]).toBe("ok");
    expect(check.result.status).toBe("ok");
    expect(check.output.some((l) => l.startsWith(`newest verified: ${firstBackup.id}, 0.0 h old`))).toBe(
      true,
    );
  });

  it("fails naming the table when the restore does not match the manifest, and records the failure", async () => {
    const fake = await fakeBackup(firstBackup, (m) => {
      (m.tables.exercises as { hash: string }).hash = "0".repeat(32);
    });
    const { result, events, output } = await stack.run("verify-backup", { params: { backup: fake.id } });
    expect(result).toMatchObject({ status: "failed", failedStep: "scratch-restore" });
    const error = (events.find((e) => e.type === "step-end" && e.status === "failed") as { error: string })
      .error;
    expect(error).toMatch(/table exercises: same \d+ rows but the content hash/);
    expect((await readManifest(fake.id)).verification).toMatchObject({ ok: false });
    expect(await scratchLeft(output)).toEqual([]);
  });

  it("records a corrupt archive as failed without restoring it", async () => {
    const bytes = await readFile(path.join(backupDir(), firstBackup.file));
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    const fake = await fakeBackup(firstBackup, (m) => {
      m.file = `${m.id}.dump`;
    });
    await writeFile(path.join(backupDir(), fake.file), bytes);
    const { result, events, output } = await stack.run("verify-backup", { params: { backup: fake.id } });
    expect(result).toMatchObject({ status: "failed", failedStep: "scratch-restore" });
    expect(output.some((l) => l.startsWith("sha256 MISMATCH"))).toBe(true);
    expect(output.some((l) => l.startsWith("created scratch database"))).toBe(false);
    expect(JSON.stringify(events)).toMatch(/is corrupt \(sha256 mismatch/);
    expect((await readManifest(fake.id)).verification).toMatchObject({ ok: false });
  });

  it("records a backup whose archive is missing as failed", async () => {
    const fake = await fakeBackup(firstBackup, (m) => {
      m.file = `${m.id}.dump`;
      m.verification = { ok: true, detail: "verified before the archive was lost", restoreSeconds: 1 };
    });
    const { result, output } = await stack.run("verify-backup", { params: { backup: fake.id } });
    expect(result).toMatchObject({ status: "failed", failedStep: "scratch-restore" });
    expect(output.some((l) => /^the archive .* is MISSING/.test(l))).toBe(true);
    expect((await readManifest(fake.id)).verification).toMatchObject({ ok: false });
  });

  it("refuses a malformed backup id before anything runs", async () => {
    await expect(stack.run("verify-backup", { params: { backup: "../../etc/passwd" } })).rejects.toThrow(
      /invalid parameters: backup/,
    );
  });
});

describe("restore", () => {
  it("brings deleted rows back, keeps logouts and password changes made after the backup", async () => {
    const signUp = async (email: string, password: string) =>
      (
        await api().ok(
          api().mutation<{ token: string; learner: { id: string } }>("accounts.signUp", {
            email,
            password,
            displayName: email.split("@")[0],
          }),
        )
      ).token;
    const stays = await signUp("stays@example.com", "stays-password-1");
    const logsOut = await signUp("logs-out@example.com", "logs-out-password-1");
    const deleted = await signUp("deleted@example.com", "deleted-password-1");
    await signUp("changes@example.com", "old-password-1");
    await stack.db.query(
      `INSERT INTO reviews (learner_id, exercise_id, answer, outcome, correct, rating)
       SELECT l.id, e.id, e.expected, 'correct', true, 3
         FROM learners l CROSS JOIN (SELECT id, expected FROM exercises ORDER BY id LIMIT 3) e
        WHERE l.email IN ('stays@example.com', 'deleted@example.com')`,
    );
    await stack.db.query(`INSERT INTO app_flags (name, value) VALUES ('switched-off-since', '{"on": true}')`);
    const reviewsBefore = await count("SELECT count(*) AS n FROM reviews");
    expect(reviewsBefore).toBe(6);

    const backup = await stack.run("backup-now");
    const id = (backup.result.results.manifest as { id: string }).id;

    // Not verified yet: refused before anything changes.
    const refused = await stack.run("restore", { params: { backup: id } });
    expect(refused.result).toMatchObject({ status: "failed", failedStep: "locate" });
    expect(JSON.stringify(refused.events)).toMatch(/is not verified.*verify-backup --param backup=/);
    expect((await stack.run("verify-backup", { params: { backup: id } })).result.status).toBe("ok");

    // After the backup: a logout, a deleted learner (with its reviews and sessions), all reviews
    // gone, a password change (the hash of another password, as the app would write it).
    expect((await api(logsOut).mutation("accounts.logOut")).status).toBe(200);
    await stack.db.query("DELETE FROM reviews");
    await stack.db.query("DELETE FROM learners WHERE email = 'deleted@example.com'");
    await signUp("donor@example.com", "new-password-2");
    // Operators' switches changed since the backup too: they stay as they are now.
    await stack.db.query("DELETE FROM app_flags");
    await stack.db.query(`INSERT INTO app_flags (name, value) VALUES ('switched-on-since', '{"on": true}')`);
    await stack.db.query(
      `UPDATE learners SET password_changed_at = now(),
              password_hash = (SELECT password_hash FROM learners WHERE email = 'donor@example.com')
        WHERE email = 'changes@example.com'`,
    );
    const revokedAt = (
      await stack.db.query<{ at: string }>(
        "SELECT revoked_at::text AS at FROM sessions WHERE revoked_at IS NOT NULL",
      )
    ).rows;
    expect(revokedAt).toHaveLength(1);
    const redis = new Redis(stack.app.env.REDIS_URL as string);
    const board = `${stack.app.env.REDIS_KEY_PREFIX}leaderboard`;
    await redis.zadd(board, 999, "stale");

    const plan = await stack.run("restore", { params: { backup: id }, plan: true });
    expect(plan.result.status).toBe("ok");
    expect(plan.output).toContain("[plan]   reviews: 0 rows now → 6 from the backup");
    expect(plan.output).toContain(
      "[plan] would carry over 1 logout(s) and 1 password change(s) made since the backup (re-applied by the next step)",
    );
    expect(await count("SELECT count(*) AS n FROM reviews")).toBe(0);

    const { result, output } = await stack.run("restore", { params: { backup: id } });
    expect(result.status).toBe("ok");
    restored = { id, loggedOutToken: logsOut };

    // The data is back.
    expect(await count("SELECT count(*) AS n FROM reviews")).toBe(reviewsBefore);
    expect(await count("SELECT count(*) AS n FROM learners WHERE email = 'deleted@example.com'")).toBe(1);
    expect(await count("SELECT count(*) AS n FROM learners WHERE email = 'donor@example.com'")).toBe(0);
    // Security is not rolled back: the logout holds (with its original time), the new password holds.
    expect((await api(logsOut).query("accounts.me")).status).toBe(401);
    expect(
      (
        await stack.db.query(
          "SELECT revoked_at::text AS at FROM sessions WHERE revoked_at IS NOT NULL ORDER BY revoked_at LIMIT 1",
        )
      ).rows[0],
    ).toEqual(revokedAt[0]);
    expect((await api(stays).query("accounts.me")).status).toBe(200);
    // The deleted learner is back but its sessions had been deleted with it: they stay invalid.
    expect((await api(deleted).query("accounts.me")).status).toBe(401);
    const logIn = (password: string) =>
      api().mutation("accounts.logIn", { email: "changes@example.com", password });
    expect((await logIn("new-password-2")).status).toBe(200);
    expect((await logIn("old-password-1")).status).toBe(401);
    expect(await redis.exists(board)).toBe(0);
    expect((await stack.db.query("SELECT name, value FROM app_flags")).rows).toEqual([
      { name: "switched-on-since", value: { on: true } },
    ]);
    redis.disconnect();

    expect(output).toContain("logouts re-applied: 1 of 1 recorded");
    expect(output).toContain("password changes re-applied: 1 of 1 recorded");
    expect(output).toContain(
      "sessions from the backup that were no longer valid, revoked now: 1 (1 learner(s) log in again)",
    );
    expect(output).toContain("/readyz → 200 ok");
  });

  it("after a table is dropped, refuses to guess; currentDataLost=true restores without carrying over", async () => {
    await stack.db.query("DROP TABLE sessions");
    const refused = await stack.run("restore", { params: { backup: restored.id } });
    expect(refused.result).toMatchObject({ status: "failed", failedStep: "record-security-changes" });
    expect(JSON.stringify(refused.events)).toMatch(/run again with --param currentDataLost=true/);

    const { result, output } = await stack.run("restore", {
      params: { backup: restored.id, currentDataLost: "true" },
    });
    expect(result.status).toBe("ok");
    expect(await count("SELECT count(*) AS n FROM sessions")).toBe(
      (await readManifest(restored.id)).tables.sessions?.rows,
    );
    // With nothing to carry over, the logout made after the backup is undone: hence the instruction.
    expect((await api(restored.loggedOutToken).query("accounts.me")).status).toBe(200);
    expect(output.some((l) => l.includes("Rotate the session secret now"))).toBe(true);
  });

  it("requires the backup to be named", async () => {
    await expect(stack.run("restore")).rejects.toThrow(/invalid parameters: backup/);
  });
});

describe("dr-drill", () => {
  it("takes a fresh backup, restores it into a scratch database, reports RTO and RPO, leaves the real one alone", async () => {
    const learners = await count("SELECT count(*) AS n FROM learners");
    const backupsBefore = (await readdir(backupDir())).length;
    const { result, output } = await stack.run("dr-drill");
    expect(result.status).toBe("ok");
    const { report, rtoSeconds, rpoSeconds } = result.results.report as {
      report: string;
      rtoSeconds: number;
      rpoSeconds: number;
    };
    expect(rtoSeconds).toBeGreaterThan(0);
    expect(rtoSeconds).toBeLessThan(BACKUP_POLICY.rtoMinutes * 60);
    expect(rpoSeconds).toBeLessThan(60);
    expect(report.startsWith(path.join(stack.dataDir, "artifacts", "dr-drill"))).toBe(true);
    const text = await readFile(report, "utf8");
    expect(text).toContain("Verdict: **PASSED**");
    expect(text).toMatch(/\| RTO \(declared → checked copy\) \| [\d.]+ s \| 60 min \| yes \|/);
    expect(text).toContain("- ok: rows and content as in the manifest");
    expect(await scratchLeft(output)).toEqual([]);
    expect(await count("SELECT count(*) AS n FROM learners")).toBe(learners);
    expect((await readdir(backupDir())).length).toBe(backupsBefore + 2); // the fresh backup's two files
  });

  it("fails when the backup is older than the RPO allows, and still writes the report", async () => {
    const latest = await readManifest(firstBackup.id);
    const old = await fakeBackup(latest, (m) => {
      m.createdAt = new Date(Date.now() - (BACKUP_POLICY.rpoMinutes + 60) * 60_000).toISOString();
    });
    const { result, events } = await stack.run("dr-drill", { params: { backup: old.id } });
    expect(result).toMatchObject({ status: "failed", failedStep: "report" });
    const error = (events.find((e) => e.type === "step-end" && e.status === "failed") as { error: string })
      .error;
    expect(error).toMatch(/RPO 2\d h \d+ min exceeds 1440 min/);
    const reportFile = /Report: (\S+)$/.exec(error)?.[1] as string;
    expect(await readFile(reportFile, "utf8")).toContain("Verdict: **FAILED**");
  });
});

describe("prune-backups", () => {
  it("keeps daily, weekly, monthly and the newest verified backup, deletes the rest", async () => {
    // The expected sets below follow from this policy; a policy change must revisit them.
    expect(BACKUP_POLICY).toMatchObject({ keepDaily: 7, keepWeekly: 4, keepMonthly: 6 });
    const dir = await mkdtemp(path.join(tmpdir(), "ssp-prune-"));
    const saved = process.env.RUNBOOK_BACKUP_DIR;
    process.env.RUNBOOK_BACKUP_DIR = dir;
    try {
      const dates: Record<string, string> = {
        a: "2026-03-10T14:00:00Z", // newest: daily, weekly, monthly
        b: "2026-03-10T02:00:00Z", // same day as a, older: deleted
        c: "2026-03-09T02:00:00Z",
        d: "2026-03-08T02:00:00Z", // also newest of ISO week 2026-W10
        e: "2026-03-07T02:00:00Z",
        f: "2026-03-06T02:00:00Z",
        g: "2026-03-05T02:00:00Z",
        h: "2026-03-04T02:00:00Z", // 7th day
        i: "2026-03-03T02:00:00Z",
        j: "2026-03-02T02:00:00Z",
        k: "2026-03-01T02:00:00Z", // newest of week 2026-W09
        l: "2026-02-20T02:00:00Z", // week 2026-W08, month 2026-02
        m: "2026-02-10T02:00:00Z",
        n: "2026-01-15T02:00:00Z",
        o: "2025-12-15T02:00:00Z",
        p: "2025-11-15T02:00:00Z",
        q: "2025-10-15T02:00:00Z", // 6th month
        r: "2025-09-15T02:00:00Z", // newest verified: kept
        s: "2025-08-15T02:00:00Z", // verified too, but not the newest verified
      };
      const ids: Record<string, string> = {};
      await mkdir(path.join(dir, "dev"), { recursive: true });
      for (const [index, [key, createdAt]] of Object.entries(dates).entries()) {
        const id = `${createdAt.replace(/[-:]/g, "")}-${index.toString(16).padStart(4, "0")}`;
        ids[key] = id;
        const verified = key === "r" || key === "s";
        await writeFile(path.join(dir, "dev", `${id}.dump`), "not a real archive");
        await writeFile(
          path.join(dir, "dev", `${id}.json`),
          JSON.stringify({
            ...firstBackup,
            id,
            file: `${id}.dump`,
            createdAt,
            sizeBytes: 18,
            ...(verified ? { verification: { ok: true, detail: "test", restoreSeconds: 1 } } : {}),
          }),
        );
      }
      await copyFile(path.join(dir, "dev", `${ids.a}.dump`), path.join(dir, "dev", "stray.dump"));
      const files = async () => (await readdir(path.join(dir, "dev"))).sort();
      const everything = await files();

      const plan = await stack.run("prune-backups", { plan: true });
      expect(plan.output).toContain("[plan] would delete 5 backup(s), 0.00 MiB:");
      expect(plan.output).toContain(
        "stray file stray.dump in the backup directory: not part of any backup; check it and delete it by hand",
      );
      expect(await files()).toEqual(everything);

      const { result } = await stack.run("prune-backups");
      expect(result.status).toBe("ok");
      const gone = ["b", "i", "j", "m", "s"];
      const expected = everything.filter((f) => !gone.some((key) => f.startsWith(ids[key] as string)));
      expect(await files()).toEqual(expected);
      expect((result.results.delete as { deleted: string[] }).deleted.sort()).toEqual(
        gone.map((k) => ids[k]).sort(),
      );
    } finally {
      if (saved === undefined) delete process.env.RUNBOOK_BACKUP_DIR;
      else process.env.RUNBOOK_BACKUP_DIR = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
