import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { migrateUp } from "../../practice-app/src/db/migrations.ts";
import { seed } from "../../practice-app/src/db/seed.ts";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import type { RunEvent } from "../../runbooks/engine/events.ts";
import { type RunOptions, type RunResult, runRunbook } from "../../runbooks/engine/run.ts";
import { tableLines } from "../../runbooks/engine/table.ts";
import { createDatabase, dropDatabase, uniqueName } from "./services.ts";
import { startTestApp, type TestApp } from "./test-app.ts";

// A private stack per test file for runbook tests: its own database (migrated and seeded), an app
// on it, its own Redis key prefix and its own runbook data directory. Runbooks that restore,
// vacuum or revoke cannot disturb other test files running at the same time.

export interface ScratchStack {
  app: TestApp;
  databaseUrl: string;
  databaseName: string;
  /** A pg pool on the scratch database, for assertions. */
  db: pg.Pool;
  dataDir: string;
  /** The process environment runbooks see: the dev environment points at this stack. */
  env: NodeJS.ProcessEnv;
  run(
    id: string,
    options?: Partial<RunOptions>,
  ): Promise<{ result: RunResult; events: RunEvent[]; output: string[] }>;
  /** Restarts the app on the same database (e.g. after a restore or a secret change). */
  restartApp(overrides?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export async function startScratchStack(overrides: Record<string, string> = {}): Promise<ScratchStack> {
  const databaseName = uniqueName("ssp_rb");
  const databaseUrl = await createDatabase(databaseName);
  await migrateUp(databaseUrl, () => undefined);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  // Runbooks under test terminate connections (restore): an idle client dropping must not crash the test.
  db.on("error", () => undefined);
  await seed(db, { demo: true, scryptLogN: 17 });
  const dataDir = await mkdtemp(path.join(tmpdir(), "ssp-rb-"));
  let app = await startTestApp({ DATABASE_URL: databaseUrl, ...overrides });
  const stack: ScratchStack = {
    app,
    databaseUrl,
    databaseName,
    db,
    dataDir,
    get env() {
      return {
        ...process.env,
        RUNBOOK_DATA_DIR: dataDir,
        SSP_DATA_DIR: dataDir,
        SSP_DEV_APP_URL: app.url,
        SSP_DEV_DATABASE_URL: databaseUrl,
        SSP_DEV_REDIS_URL: app.env.REDIS_URL ?? "",
        SSP_DEV_REDIS_PREFIX: app.env.REDIS_KEY_PREFIX ?? "",
        SSP_DEV_STACK_FILE: path.join(dataDir, "dev-stack.json"),
      };
    },
    async run(id, options = {}) {
      const runbook = await findRunbook(id);
      const events: RunEvent[] = [];
      const saved = { ...process.env };
      // Runbook libraries read process.env (backup dir, data dir); point them at this stack.
      Object.assign(process.env, stack.env);
      try {
        const result = await runRunbook(runbook, {
          env: "dev",
          confirm: true,
          emit: (event) => events.push(event),
          dataDir,
          processEnv: stack.env,
          ...options,
        });
        return {
          result,
          events,
          // A table reads as it does in a pipe: aligned lines, where it came in the output.
          output: events.flatMap((e) =>
            e.type === "output" ? [e.line] : e.type === "table" ? tableLines(e) : [],
          ),
        };
      } finally {
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
      }
    },
    async restartApp(extra = {}) {
      const keepPrefix = app.env.REDIS_KEY_PREFIX ?? "";
      await app.stop();
      app = await startTestApp({
        DATABASE_URL: databaseUrl,
        REDIS_KEY_PREFIX: keepPrefix,
        ...overrides,
        ...extra,
      });
      stack.app = app;
    },
    async stop() {
      await app.stop();
      await db.end();
      await dropDatabase(databaseName);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Every step's status, by step id. */
/** The error of the run's failed step, or "" when no step failed. */
export function failedStepError(events: RunEvent[]): string {
  const failed = events.find((e) => e.type === "step-end" && e.status === "failed");
  return failed && failed.type === "step-end" ? (failed.error ?? "") : "";
}

export function stepStatuses(events: RunEvent[]): Record<string, string> {
  return Object.fromEntries(
    events
      .filter((e) => e.type === "step-end")
      .map((e) => [(e as { step: string }).step, (e as { status: string }).status]),
  );
}
