import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, type Learner, signUp } from "../support/api-client.ts";
import { type AppProcess, spawnApp } from "../support/app-process.ts";
import { type ScratchStack, startScratchStack } from "../support/runbooks.ts";
import { testEnv } from "../support/test-app.ts";

// Issue 14: the project's own restore runbook terminates the app's connections; run under mixed
// read/write load it crashed the app (an uncaught 'error' from a checked-out client). Here it runs
// against a private database while an app process serves learners who keep practising.

let stack: ScratchStack;
let app: AppProcess;
let base: string;

beforeAll(async () => {
  stack = await startScratchStack();
  // restore terminates every other connection to the database, this pool's included.
  stack.db.on("error", () => undefined);
  app = spawnApp({
    ...testEnv(),
    DATABASE_URL: stack.databaseUrl,
    PG_APPLICATION_NAME: `ssp-restore-${randomBytes(3).toString("hex")}`,
    LOG_LEVEL: "info",
  });
  base = await app.url;
});

afterAll(async () => {
  if (app && app.child.exitCode === null) {
    app.child.kill("SIGTERM");
    await app.exited;
  }
  await stack?.stop();
});

describe("the restore runbook under load", () => {
  it("leaves the app serving: cut requests get 503, the process stays up, later requests succeed", async () => {
    const api = new Api(base);
    const learners = await Promise.all(["a", "b", "c"].map((tag) => signUp(api, `restore-${tag}`)));
    const backup = await stack.run("backup-now");
    expect(backup.result.status).toBe("ok");
    const id = (backup.result.results.manifest as { id: string }).id;

    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let writes = 0;
    let running = true;
    const count = async (send: () => Promise<{ status: number }>) => {
      try {
        const { status } = await send();
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      } catch (error) {
        failures.push(String(error));
      }
    };
    const practise = async (learner: Learner) => {
      const deadline = () => ({ signal: AbortSignal.timeout(20_000) });
      while (running) {
        let itemId: string | undefined;
        await count(async () => {
          const res = await learner.api.query<{ item: { id: string } }>(
            "exercises.next",
            undefined,
            deadline(),
          );
          itemId = res.body.result?.data.item.id;
          return res;
        });
        if (itemId) {
          const exerciseId = itemId;
          writes += 1;
          await count(() =>
            learner.api.mutation("exercises.submit", { exerciseId, answer: "hablar" }, deadline()),
          );
        }
      }
    };
    const load = learners.map(practise);
    while (writes < 6) await new Promise((resolve) => setTimeout(resolve, 50));

    const restore = await stack.run("restore", { params: { backup: id, requireVerified: false } });
    const writesAtRestore = writes;
    while (writes < writesAtRestore + 6 && app.child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    running = false;
    await Promise.all(load);

    expect(restore.result.status).toBe("ok");
    expect(app.child.exitCode).toBeNull();
    expect(failures).toEqual([]);
    for (const status of statuses.keys()) expect([200, 503]).toContain(status);
    for (const learner of learners) {
      const next = await learner.api.ok(learner.api.query<{ item: { id: string } }>("exercises.next"));
      expect(
        (await learner.api.mutation("exercises.submit", { exerciseId: next.item.id, answer: "x" })).status,
      ).toBe(200);
    }
    console.log(
      `restore under load: ${writes} writes attempted, statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  });
});
