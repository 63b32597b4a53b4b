import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, dropDatabase, uniqueName } from "../support/services.ts";

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("../../practice-app/src/db/migrate-cli.ts", import.meta.url));
const name = uniqueName("ssp_migrate");
let url: string;

async function cli(
  args: string[],
  env: Record<string, string> = { DATABASE_URL: url },
): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

async function tables(): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    );
    return rows.map((r) => r.tablename);
  } finally {
    await client.end();
  }
}

async function hasColumn(table: string, column: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      "SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = $2",
      [table, column],
    );
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  url = await createDatabase(name);
});
afterAll(async () => {
  await dropDatabase(name);
});

describe("npm run db:migrate", () => {
  it("shows status, applies, rolls back one at a time and re-applies", async () => {
    const status = await cli(["status"]);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/\[ \] 1732560000000_initial-schema {2}\(pending\)/);
    expect(status.out).toMatch(/0 applied, 7 pending/);

    const up = await cli(["up"]);
    expect(up.code).toBe(0);
    expect(up.out).toMatch(
      /applied 7: 1732560000000_initial-schema, 1732560001000_exercise-curriculum-order, 1732560002000_app-flags, 1732560014000_sessions-expiry-index, 1732560018000_exercise-infinitive-blanks, 1732560018100_learner-accent-tolerant, 1765000000000_password-resets/,
    );
    expect(await tables()).toEqual([
      "app_flags",
      "cards",
      "exercises",
      "learners",
      "password_resets",
      "pgmigrations",
      "reviews",
      "sessions",
    ]);
    expect(await hasColumn("exercises", "position")).toBe(true);
    expect((await cli(["up"])).out).toMatch(/nothing to migrate: up to date/);

    expect((await cli(["down"])).out).toMatch(/rolled back 1: 1765000000000_password-resets/);
    expect(await hasColumn("learners", "accent_tolerant")).toBe(true);
    expect((await cli(["down"])).out).toMatch(/rolled back 1: 1732560018100_learner-accent-tolerant/);
    expect(await hasColumn("learners", "accent_tolerant")).toBe(false);
    expect((await cli(["down"])).out).toMatch(/rolled back 1: 1732560018000_exercise-infinitive-blanks/);
    expect((await cli(["down"])).out).toMatch(/rolled back 1: 1732560014000_sessions-expiry-index/);
    expect((await cli(["down"])).out).toMatch(/rolled back 1: 1732560002000_app-flags/);
    const down = await cli(["down"]);
    expect(down.code).toBe(0);
    expect(down.out).toMatch(/rolled back 1: 1732560001000_exercise-curriculum-order/);
    expect(down.out).toMatch(/1 applied, 6 pending/);
    expect(await hasColumn("exercises", "position")).toBe(false);
    expect((await cli(["down"])).out).toMatch(/rolled back 1: 1732560000000_initial-schema/);
    expect(await tables()).toEqual(["pgmigrations"]);
    expect((await cli(["up", "1"])).out).toMatch(/applied 1: 1732560000000_initial-schema/);
    expect((await cli(["up"])).out).toMatch(
      /applied 6: 1732560001000_exercise-curriculum-order, 1732560002000_app-flags, 1732560014000_sessions-expiry-index, 1732560018000_exercise-infinitive-blanks, 1732560018100_learner-accent-tolerant, 1765000000000_password-resets/,
    );
  });

  it("refuses bad arguments and a missing DATABASE_URL, changing nothing", async () => {
    const before = await tables();
    const bad = await cli(["sideways"]);
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/unknown command "sideways"/);
    const count = await cli(["down", "zero"]);
    expect(count.code).toBe(2);
    expect(count.out).toMatch(/count must be a whole number/);
    const noUrl = await cli(["up"], {});
    expect(noUrl.code).toBe(2);
    expect(noUrl.out).toMatch(/DATABASE_URL is not set/);
    expect(await tables()).toEqual(before);
  });

  it("fails loudly when the database cannot be reached", async () => {
    const res = await cli(["up"], { DATABASE_URL: "postgres://postgres@127.0.0.1:1/nothing" });
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/migration failed: .*ECONNREFUSED/);
  });
});
