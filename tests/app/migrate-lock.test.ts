import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateUp } from "../../practice-app/src/db/migrations.ts";
import { createDatabase, dropDatabase, uniqueName } from "../support/services.ts";

// Issue 14: a migration waiting behind a long transaction must give up (lock_timeout) with a clear
// message, instead of queueing every query behind it. A private database: the test holds a lock.

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("../../practice-app/src/db/migrate-cli.ts", import.meta.url));
const name = uniqueName("ssp_miglock");
let url: string;

beforeAll(async () => {
  url = await createDatabase(name);
  await migrateUp(url, () => undefined, 1);
});

afterAll(async () => {
  await dropDatabase(name);
});

describe("npm run db:migrate -- up behind a long transaction", () => {
  it("gives up after MIGRATION_LOCK_TIMEOUT_MS, applies nothing, says what to do, and then succeeds", async () => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    let result: { code: number; out: string };
    try {
      // A long transaction holding the lock every migration needs: the migrations table itself.
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE pgmigrations IN ACCESS EXCLUSIVE MODE");
      result = await run(process.execPath, [CLI, "up"], {
        env: { PATH: process.env.PATH ?? "", DATABASE_URL: url, MIGRATION_LOCK_TIMEOUT_MS: "300" },
        timeout: 60_000,
      }).then(
        ({ stdout, stderr }) => ({ code: 0, out: stdout + stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({
          code: error.code,
          out: error.stdout + error.stderr,
        }),
      );
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/lock_timeout 300 ms/);
    expect(result.out).toMatch(
      /migration failed: a migration waited more than 300 ms \(MIGRATION_LOCK_TIMEOUT_MS\) for a table lock held by another transaction/,
    );
    expect(result.out).toMatch(/Nothing was applied/);
    expect(result.out).toMatch(/pg_stat_activity/);
    expect(result.out).toMatch(/Retrying is safe/);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pgmigrations");
      expect(rows[0]?.n).toBe(1);
    } finally {
      await client.end();
    }
    // The retry the message suggests, once the blocker has gone.
    const retry = await run(process.execPath, [CLI, "up"], {
      env: { PATH: process.env.PATH ?? "", DATABASE_URL: url },
    });
    expect(retry.stdout).toMatch(/0 pending/);
  });

  it("refuses a bad timeout setting before connecting", async () => {
    const bad = await run(process.execPath, [CLI, "status"], {
      env: { PATH: process.env.PATH ?? "", DATABASE_URL: url, MIGRATION_LOCK_TIMEOUT_MS: "soon" },
    }).then(
      () => ({ code: 0, out: "" }),
      (error: { code: number; stderr: string }) => ({ code: error.code, out: error.stderr }),
    );
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/MIGRATION_LOCK_TIMEOUT_MS is "soon"/);
  });
});
