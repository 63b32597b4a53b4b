import path from "node:path";
import { fileURLToPath } from "node:url";
import { PRIVATE_FILE } from "./private-files.ts";
import { readStateFileSync, writeStateFile } from "./state-files.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The runbooks the CLI, site and console load; tests point RUNBOOKS_DIR at fixtures. */
export const RUNBOOKS_DIR = process.env.RUNBOOKS_DIR ?? path.join(REPO_ROOT, "runbooks");

/** The checkout's local state (PGlite data, the session secret, the dev stack file): .data/ or SSP_DATA_DIR. */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SSP_DATA_DIR ?? path.join(REPO_ROOT, ".data");
}

/** Where runs, locks, the audit log and artifacts (backups, incident folders) go. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUNBOOK_DATA_DIR ?? path.join(localDataDir(env), "runbooks");
}

/** What `npm start` wrote about the local stack it brought up (ports differ per machine). */
export interface DevStack {
  appUrl: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  appPid?: number;
}

export function devStackFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.SSP_DEV_STACK_FILE ?? path.join(localDataDir(env), "dev-stack.json");
}

/** dev-stack.json (empty when npm start is not running); one of a newer format is refused (formats.ts). */
export function readDevStack(env: NodeJS.ProcessEnv = process.env): Partial<DevStack> {
  return (
    readStateFileSync<Partial<DevStack>>(
      "dev-stack",
      devStackFile(env),
      "stop npm start, remove the file and start it again",
    ) ?? {}
  );
}

/** Writes dev-stack.json with its format version, 0600: the database URL may carry its password. */
export async function writeDevStack(
  env: NodeJS.ProcessEnv,
  stack: DevStack & Record<string, unknown>,
): Promise<void> {
  await writeStateFile("dev-stack", devStackFile(env), stack, { mode: PRIVATE_FILE });
}
