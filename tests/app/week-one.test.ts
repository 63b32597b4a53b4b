import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { runRunbook } from "../../runbooks/engine/run.ts";
import { AGE_HEADER } from "../../runbooks/lib/backup-keys.ts";
import type { BackupManifest } from "../../runbooks/lib/backups.ts";
import { pgliteDumpSocket, pgliteDumpTokenFile } from "../../runbooks/lib/pglite-dump.ts";
import { Api, signUp } from "../support/api-client.ts";
import { freePort } from "../support/redis-server.ts";

// The overview's week-one path ("By the end of your first week") on the stack `npm start` brings
// up when no PostgreSQL answers on its default port: the health check, backup-now, verify-backup,
// dr-drill and restore, in that order, must pass. Nothing answers on the ports this test gives
// npm start for PostgreSQL and Redis, so it never touches the shared servers, and SSP_PG_BIN_DIR=none
// makes it take the route of a machine without PostgreSQL: the embedded PGlite (PostgreSQL 18),
// which npm start itself dumps for the backup runbooks (scripts/stack/pglite-dump-server.ts). It
// proves index.mdx, step 1 of the first week: on the embedded PGlite "every step below works too".

const START = fileURLToPath(new URL("../../scripts/start.ts", import.meta.url));
let child: ChildProcess | null = null;
let root = "";

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  if (root) await rm(root, { recursive: true, force: true });
});

describe("the week-one path on the default stack", () => {
  it("npm start runs the embedded PGlite, and the health check, backup, verify, drill and restore pass in order", async () => {
    root = await mkdtemp(path.join(tmpdir(), "ssp-week-one-"));
    // Like a checkout (0755): the postgres user, which runs the cluster when tests run as root, may enter.
    await chmod(root, 0o711);
    const dataDir = path.join(root, "data");
    // The console serves this instead of building the handbook (not what this test is about).
    const distDir = path.join(root, "dist");
    await mkdir(distDir);
    await writeFile(path.join(distDir, "index.html"), "<!doctype html><title>handbook</title>\n");
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      PORT: String(port),
      SSP_DATA_DIR: dataDir,
      SSP_LOCAL_PG_PORT: String(await freePort()),
      SSP_PG_BIN_DIR: "none",
      SSP_LOCAL_REDIS_PORT: String(await freePort()),
      LOG_LEVEL: "warn",
      CONSOLE_PORT: String(await freePort()),
      CONSOLE_DIST_DIR: distDir,
    };
    child = spawn(process.execPath, [START], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("press Ctrl-C to stop")) resolve();
      };
      child?.stdout?.on("data", onData);
      child?.stderr?.on("data", onData);
      exited.then((code) =>
        reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`)),
      );
    });

    // It says which PostgreSQL it runs, and how its backups work.
    expect(output).toContain("starting an embedded PGlite");
    expect(output).toContain("pg_dump inside it, plain SQL");
    // The dump channel is the owner's alone: a 0600 socket and token in the data dir, and a
    // request without the token gets nothing.
    expect((await stat(pgliteDumpSocket(dataDir))).mode & 0o777).toBe(0o600);
    expect((await stat(pgliteDumpTokenFile(dataDir))).mode & 0o777).toBe(0o600);
    const refusal = await new Promise<string>((resolve, reject) => {
      let answer = "";
      const c = connect(pgliteDumpSocket(dataDir));
      c.on("connect", () => c.write("not-the-token\n"));
      c.on("data", (chunk) => {
        answer += chunk.toString();
      });
      c.on("end", () => resolve(answer));
      c.on("error", reject);
    });
    expect(refusal).toBe("refused: wrong token\n");
    const stack = JSON.parse(await readFile(path.join(dataDir, "dev-stack.json"), "utf8")) as {
      databaseUrl: string;
      handbookUrl: string;
      postgres: string;
    };
    expect(stack.postgres).toBe("embedded PGlite");
    expect(stack.handbookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // The runbooks run as `npm run runbook -- <id>` would, against dev = this stack (dev-stack.json).
    const processEnv: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(SSP_DEV_|RUNBOOK_)/.test(key)),
    );
    processEnv.SSP_DATA_DIR = dataDir;
    const run = async (id: string, params: Record<string, unknown> = {}) => {
      const events: RunEvent[] = [];
      const saved = { ...process.env };
      // The runbook libraries read process.env (data and backup dirs, the key file).
      for (const key of Object.keys(process.env)) if (!(key in processEnv)) delete process.env[key];
      Object.assign(process.env, processEnv);
      try {
        const result = await runRunbook(await findRunbook(id), {
          env: "dev",
          params,
          confirm: true,
          emit: (event) => events.push(event),
          processEnv,
        });
        const lines = events.flatMap((e) => (e.type === "output" ? [e.line] : []));
        const failed = events.flatMap((e) => (e.type === "step-end" && e.status === "failed" ? [e] : []));
        expect(result.status, `${id} failed:\n${JSON.stringify(failed)}\n${lines.join("\n")}`).toBe("ok");
        return { result, lines };
      } finally {
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
      }
    };

    // 1. The first health check: no backup yet is the next step, with the page that explains it.
    const first = await run("morning-health-check");
    expect(first.lines.join("\n")).toContain(
      `no backup of dev yet: take one with  npm run runbook -- backup-now  and prove it restores with  npm run runbook -- verify-backup  (how: ${stack.handbookUrl}/operational-runbook/backup-and-restore/#back-up-now)`,
    );
    expect(first.result.results["backup-age"]).toEqual({ newestVerifiedHours: null });

    // 2. backup-now: an encrypted archive of plain SQL (PGlite's own pg_dump) and its manifest.
    const backup = await run("backup-now");
    expect(backup.lines.join("\n")).toContain("asking npm start (it holds the embedded PGlite)");
    const backups = path.join(dataDir, "runbooks", "backups", "dev");
    const files = (await readdir(backups)).sort();
    expect(files).toHaveLength(2);
    const manifestFile = files.find((f) => f.endsWith(".json")) ?? "";
    const manifest = JSON.parse(await readFile(path.join(backups, manifestFile), "utf8")) as BackupManifest;
    expect(
      (await readFile(path.join(backups, manifest.file))).subarray(0, AGE_HEADER.length).toString(),
    ).toBe(AGE_HEADER);
    expect(manifest.tables.exercises?.rows).toBeGreaterThan(100);
    expect(manifest.tables.learners?.rows).toBe(1); // the demo learner
    expect(manifest.format).toBe("plain-sql");
    expect(manifest.file).toMatch(/\.sql$/);
    expect(manifest.serverVersion).toMatch(/^18\./);

    // 3. verify-backup: restored into a scratch database, it matches its manifest.
    await run("verify-backup", { backup: "latest" });
    const verified = JSON.parse(await readFile(path.join(backups, manifestFile), "utf8")) as BackupManifest;
    expect(verified.verification?.ok).toBe(true);

    // 4. dr-drill on that backup: a report that says PASSED.
    const drill = await run("dr-drill", { backup: "latest" });
    const report = (drill.result.results.report as { report: string }).report;
    expect(await readFile(report, "utf8")).toContain("Verdict: **PASSED**");

    // 5. restore: a learner who signed up after the backup is gone, and the app serves again.
    const api = new Api(`http://127.0.0.1:${port}`);
    const later = await signUp(api, "week-one").catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
    const learnersNamed = async (email: string) => {
      const db = new pg.Client({ connectionString: stack.databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query<{ n: string }>(
          "SELECT count(*) AS n FROM learners WHERE email = $1",
          [email],
        );
        return Number(rows[0]?.n);
      } finally {
        await db.end();
      }
    };
    expect(await learnersNamed(later.email)).toBe(1);
    await run("restore", { backup: "latest" });
    expect(await learnersNamed(later.email)).toBe(0);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    // 6. The health check again, now with a verified backup: it names it.
    const again = await run("morning-health-check");
    expect(again.lines.join("\n")).toContain(`newest verified: ${manifest.id}`);

    // Ctrl-C stops the app, then the PGlite and its dump channel.
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(existsSync(pgliteDumpTokenFile(dataDir))).toBe(false);
  }, 600_000);
});
