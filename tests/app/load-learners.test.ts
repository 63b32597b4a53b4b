import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSeededLearners, seededVuState } from "../../load-tests/lib/journey.ts";
import { main as load } from "../../load-tests/run.ts";
import { Api } from "../support/api-client.ts";
import { startTestApp, type TestApp, testEnv } from "../support/test-app.ts";

// Issue 14: load tests get learners created beforehand, so sign-up limits stay on. The seeding
// command runs as an operator would (the app's environment), against this run's database.

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("../../practice-app/src/db/load-learners-cli.ts", import.meta.url));

let t: TestApp;
let dir: string;

beforeAll(async () => {
  // One sign-up per address: a load test that signed up its learners would be refused.
  t = await startTestApp({ RATE_LIMIT_SIGNUP_PER_IP: "1" });
  dir = await mkdtemp(path.join(tmpdir(), "ssp-learners-"));
});

afterAll(async () => {
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function seed(count: number, file: string): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, String(count), "--out", file], {
    env: { PATH: process.env.PATH ?? "", ...testEnv() },
  });
  return stdout;
}

describe("npm run db:seed-load-learners", () => {
  it("creates learners with open sessions, in a private file, reusable by a second run", async () => {
    const file = path.join(dir, "learners.json");
    expect(await seed(3, file)).toMatch(/3 load-test learners ready, each with a session \(30 days\)/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const first = parseSeededLearners(await readFile(file, "utf8"), file, 3);
    expect(first.map((l) => l.email)).toEqual([
      "loadtest-seeded-1@example.test",
      "loadtest-seeded-2@example.test",
      "loadtest-seeded-3@example.test",
    ]);
    for (const learner of first) {
      expect((await new Api(t.url, learner.token).query("accounts.me")).status).toBe(200);
    }
    const login = await t.api.mutation("accounts.logIn", {
      email: first[0]?.email,
      password: first[0]?.password,
    });
    expect(login.status).toBe(200);

    // Again: the same learners, a new password and new sessions; the earlier sessions stay valid.
    await seed(3, file);
    const second = parseSeededLearners(await readFile(file, "utf8"), file, 3);
    expect(second.map((l) => l.email)).toEqual(first.map((l) => l.email));
    expect(second[0]?.token).not.toBe(first[0]?.token);
    expect((await new Api(t.url, first[1]?.token).query("accounts.me")).status).toBe(200);

    const vu = seededVuState(2, "run", second[1] as (typeof second)[number]);
    expect(vu).toMatchObject({
      email: "loadtest-seeded-2@example.test",
      signedUp: true,
      token: second[1]?.token,
    });
    expect(() => parseSeededLearners(JSON.stringify({ learners: second }), file, 4)).toThrow(
      /has 3 learners; this profile needs 4: run npm run db:seed-load-learners -- 4/,
    );
  });

  it("refuses a bad count, and the load runner refuses a learners file too small for the profile", async () => {
    const bad = await run(process.execPath, [CLI, "lots"], {
      env: { PATH: process.env.PATH ?? "", ...testEnv() },
    }).then(
      () => ({ code: 0, err: "" }),
      (error: { code: number; stderr: string }) => ({ code: error.code, err: error.stderr }),
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/count must be a whole number from 1 to 5000/);

    const file = path.join(dir, "two.json");
    await seed(2, file);
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      // smoke needs 3 learners at its peak.
      expect(await load(["smoke", "--target", t.url, "--tool", "autocannon", "--learners", file])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors.join("\n")).toMatch(
      /has 2 learners; this profile needs 3: run npm run db:seed-load-learners -- 3/,
    );
  });
});
