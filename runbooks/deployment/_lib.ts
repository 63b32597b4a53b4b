// Helpers the deployment runbooks share: the migrate CLI's status, a pre-change pg_dump backup
// with its manifest, and the smoke check of a started release. Calls to the app and process
// handling live in runbooks/lib/ (app-api.ts, process.ts), shared with the other areas.
// Private to runbooks/deployment/: the catalog skips files starting "_", and nothing else imports it.
import path from "node:path";
import { z } from "zod";
import type { StepContext } from "../engine/context.ts";
import { REPO_ROOT } from "../engine/paths.ts";
import { expectOk, logReadiness, readiness, trpc } from "../lib/app-api.ts";
import {
  type BackupManifest,
  backupsDir,
  completeBackup,
  describeCommandError,
  dumpDatabase,
} from "../lib/backups.ts";

/** The part of a step's context the helpers use (params differ per runbook). */
export type Ctx = Pick<
  StepContext,
  "env" | "$" | "log" | "warn" | "http" | "signal" | "secret" | "artifactsDir" | "sql"
>;

/** The migrate CLI of this checkout; a release uses its own copy (see deploy). */
export const MIGRATE_CLI = path.join(REPO_ROOT, "practice-app/src/db/migrate-cli.ts");

export interface MigrationState {
  applied: string[];
  pending: string[];
  /** Applied in the database but unknown to the code that ran the CLI (the database is ahead). */
  unknown: string[];
}

/** Reads the lines `[x] name`, `[ ] name  (pending)`, `[?] name  (…)` the migrate CLI prints. */
export function parseMigrationStatus(stdout: string): MigrationState {
  const state: MigrationState = { applied: [], pending: [], unknown: [] };
  for (const line of stdout.split("\n")) {
    const match = /^\s*\[( |x|\?)\] (\S+)/.exec(line);
    if (!match) continue;
    const name = match[2] as string;
    if (match[1] === "x") state.applied.push(name);
    else if (match[1] === " ") state.pending.push(name);
    else state.unknown.push(name);
  }
  return state;
}

/**
 * Runs `migrate-cli status` (or up/down) against the environment's database: `cli` is MIGRATE_CLI
 * or a release's own copy, named by the caller so its runbook's `executes` can be checked against
 * it (engine/started-files.ts). ctx.$ gives the child the environment's DATABASE_URL. Node is this process's own (≥ 22: it runs the .ts directly);
 * the `node` on PATH may be an older system Node.
 */
export async function migrateCli(
  ctx: Ctx,
  args: string[],
  cli: string,
): Promise<MigrationState & { stdout: string }> {
  const out = await ctx.$`${process.execPath} ${cli} ${args}`.nothrow();
  if (out.exitCode !== 0) {
    const tail = `${out.stderr}\n${out.stdout}`.trim().split("\n").slice(-4).join(" | ");
    throw new Error(
      `the migrate CLI (${args.join(" ")}) exited with ${out.exitCode}: ${tail || "no output"}. ` +
        "Check that the database is reachable (DATABASE_URL of the environment) and read the output above.",
    );
  }
  return { ...parseMigrationStatus(out.stdout), stdout: out.stdout };
}

export function describeMigrations(state: MigrationState): string {
  return `${state.applied.length} applied, ${state.pending.length} pending${
    state.unknown.length > 0 ? `, ${state.unknown.length} applied but unknown to this code` : ""
  }`;
}

// ---------------------------------------------------------------------------------------------
// Backups before a schema change

export interface BackupResult {
  id: string;
  file: string;
  sizeBytes: number;
  seconds: number;
  tables: number;
  rows: number;
}

/**
 * A backup exactly as backup-now takes it (the backup library's dumpDatabase and completeBackup:
 * pg_dump -Fc in an exported snapshot, a manifest with fingerprints and sequences), so restore and
 * verify-backup treat it like any other. Not backup-now as a child process: this run already
 * holds the environment's lock, which the child would need too.
 */
export async function takeBackup(ctx: Ctx, why: string): Promise<BackupResult | null> {
  const started = Date.now();
  const [server] = await ctx.sql<{ version: string; major: number }>(
    "SELECT version() AS version, current_setting('server_version_num')::int / 10000 AS major",
  );
  if (/PGlite/i.test(server?.version ?? "")) {
    // The embedded PGlite of a dev stack: pg_dump cannot read it (PGlite is a newer major
    // version, and it serves one session at a time, so a dump inside a held snapshot would wait
    // forever). Expected on a laptop without PostgreSQL; never the case in staging or production.
    if (ctx.env.name !== "dev")
      throw new Error(`${ctx.env.name} runs on PGlite, which cannot be backed up with pg_dump`);
    ctx.warn(
      `no backup before ${why}: the dev stack runs on the embedded PGlite, which pg_dump cannot dump. ` +
        "Its data is the pglite folder of the data dir: copy it while the stack is down if you need a way back",
    );
    return null;
  }
  const tool = (await ctx.$`pg_dump --version`).stdout.trim();
  const toolMajor = Number(/(\d+)(\.\d+)?/.exec(tool)?.[1] ?? 0);
  if (server && toolMajor < server.major) {
    throw new Error(
      `${tool} cannot dump a PostgreSQL ${server.major} server, so nothing was changed: install postgresql-client-${server.major} here`,
    );
  }
  let manifest: BackupManifest;
  try {
    manifest = await completeBackup(ctx, await dumpDatabase(ctx));
  } catch (error) {
    throw new Error(
      `the backup before ${why} failed, so nothing was changed: ${describeCommandError(error)}. ` +
        "Check the backup folder has room and read the output above",
    );
  }
  const rows = Object.values(manifest.tables).reduce((sum, t) => sum + t.rows, 0);
  const seconds = (Date.now() - started) / 1000;
  const file = path.join(backupsDir(ctx.env.name), manifest.file);
  ctx.log(
    `backup ${manifest.id} before ${why}: ${(manifest.sizeBytes / 1024).toFixed(0)} KiB, ${Object.keys(manifest.tables).length} tables, ${rows} rows, ${seconds.toFixed(1)} s`,
  );
  ctx.log(`  ${file} (not verified yet: verify-backup restores it into a scratch database)`);
  return {
    id: manifest.id,
    file,
    sizeBytes: manifest.sizeBytes,
    seconds,
    tables: Object.keys(manifest.tables).length,
    rows,
  };
}

/**
 * The short smoke check after starting a release: ready, ping, and one learner round trip
 * (sign up a throwaway account, get an exercise, delete the account). Throws on the first failure.
 */
export async function smokeCheck(
  ctx: Ctx,
  baseUrl: string,
): Promise<{ readyz: string; calls: Array<{ procedure: string; ms: number }> }> {
  const ready = await readiness(ctx, baseUrl);
  logReadiness(ctx, ready);
  if (ready.httpStatus !== 200)
    throw new Error(`${baseUrl}/readyz answered ${ready.httpStatus} (${ready.status})`);
  const ping = await trpc<{ pong: boolean }>(ctx, baseUrl, "system.ping");
  expectOk(ping);
  const email = `smoke-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.invalid`;
  const signUp = await trpc<{ token: string; learner: { id: string } }>(ctx, baseUrl, "accounts.signUp", {
    mutation: true,
    input: { email, password: `smoke-${crypto.randomUUID()}`, displayName: "smoke test" },
  });
  const { token, learner } = expectOk(signUp);
  ctx.secret(token);
  try {
    const next = await trpc<{ item: { id: string } }>(ctx, baseUrl, "exercises.next", { token });
    const item = expectOk(next).item;
    ctx.log(
      `smoke: ping ${ping.ms} ms, signUp ${signUp.ms} ms (${email}), exercises.next ${next.ms} ms → ${item.id}`,
    );
    const calls = [ping, signUp, next].map((c) => ({ procedure: c.procedure, ms: c.ms }));
    return { readyz: ready.status, calls };
  } finally {
    // The throwaway account goes again (its session with it): smoke checks leave no learners behind.
    await ctx.sql("DELETE FROM learners WHERE id = $1 AND email = $2", [learner.id, email]);
  }
}

// ---------------------------------------------------------------------------------------------
// Parameters

/** A TCP port parameter (1-65535); add .optional() or .default() and .describe() at the use. */
export const portParam = () => z.number().int().min(1).max(65535);
