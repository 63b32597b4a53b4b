import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { localDataDir, readDevStack } from "../engine/paths.ts";

// Backups of the embedded PGlite that `npm start` runs when no PostgreSQL server is installed.
//
// Why not pg_dump: PGlite is PostgreSQL 18 and Debian ships the version 15 client tools, and its
// socket server multiplexes every client onto one backend, so pg_dump's second session beside the
// snapshot's never gets an answer. Instead the process that holds the PGlite instance (npm start,
// scripts/stack/pglite-dump-server.ts) runs pg_dump compiled to WebAssembly inside itself
// (@electric-sql/pglite-tools) and hands the plain SQL over a Unix socket in the checkout's data
// directory: 0700 folder, 0600 socket, plus a token in a 0600 file, like console-link.sock.
// The archive is plain SQL (INSERTs, --clean --if-exists), so verify and dr-drill restore it into
// a throwaway in-memory PGlite (same major version) in the runbook's own process, and restore runs
// it on the live PGlite in one transaction.

export const pgliteDumpSocket = (localDir: string) => path.join(localDir, "pglite-dump.sock");
export const pgliteDumpTokenFile = (localDir: string) => path.join(localDir, "pglite-dump.token");

/** What npm start writes into dev-stack.json when it runs the embedded PGlite. */
export const PGLITE_SOURCE = "embedded PGlite";

/** The options the stack's pg_dump runs with: a restore replaces tables, owned by whoever restores. */
export const PGLITE_DUMP_ARGS = ["--clean", "--if-exists", "--no-owner", "--no-privileges"] as const;

/** The answer's first line when the dump worked; the SQL follows it. */
export const DUMP_OK = "ok";

export const PGLITE_INSTALL_HINT =
  "Install PostgreSQL (Debian: apt-get install postgresql; macOS: brew install postgresql) and start npm start again: it then runs a private PostgreSQL cluster, which pg_dump backs up. Or set DATABASE_URL to a PostgreSQL server before npm start";

/**
 * The local data dir of the npm start whose PGlite serves `databaseUrl` (only the dev environment
 * can be one), or null: then no process here can dump that PGlite.
 */
export function pgliteStackDir(
  envName: string,
  databaseUrl: string,
  processEnv = process.env,
): string | null {
  if (envName !== "dev") return null;
  let stack: { databaseUrl?: unknown; postgres?: unknown };
  try {
    stack = readDevStack(processEnv) as typeof stack;
  } catch {
    return null;
  }
  return stack.postgres === PGLITE_SOURCE && stack.databaseUrl === databaseUrl
    ? localDataDir(processEnv)
    : null;
}

/** Asks the npm start that holds the PGlite for a plain-SQL dump of it. */
export async function requestPgliteDump(
  localDir: string,
  options: { signal: AbortSignal; timeoutMs: number },
): Promise<string> {
  const socket = pgliteDumpSocket(localDir);
  const tokenFile = pgliteDumpTokenFile(localDir);
  const token = await readFile(tokenFile, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new Error(
      error.code === "ENOENT"
        ? `the npm start that runs the embedded PGlite does not offer dumps (${tokenFile} is missing): stop it and start it again with this checkout's npm start`
        : `cannot read ${tokenFile} (${error.code}): it belongs to the user who ran npm start`,
    );
  });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const connection = connect(socket);
    const fail = (message: string) => {
      connection.destroy();
      reject(new Error(message));
    };
    const timer = setTimeout(
      () => fail(`the stack gave no dump within ${options.timeoutMs / 1000} s on ${socket}`),
      options.timeoutMs,
    );
    const onAbort = () => fail("the dump was stopped with its step");
    options.signal.addEventListener("abort", onAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
    };
    connection.on("connect", () => connection.write(`${token.trim()}\n`));
    connection.on("data", (chunk: Buffer) => chunks.push(chunk));
    connection.on("end", () => {
      done();
      const answer = Buffer.concat(chunks).toString("utf8");
      const newline = answer.indexOf("\n");
      const head = newline === -1 ? answer : answer.slice(0, newline);
      if (head === DUMP_OK) resolve(answer.slice(newline + 1));
      else
        reject(
          new Error(
            `the stack could not dump the PGlite: ${head || "it closed the connection without an answer"}`,
          ),
        );
    });
    connection.on("error", (error: NodeJS.ErrnoException) => {
      done();
      reject(
        new Error(
          error.code === "ENOENT" || error.code === "ECONNREFUSED"
            ? `nothing answers on ${socket}: the npm start that ran the embedded PGlite is gone; start it again`
            : `cannot reach the stack on ${socket}: ${error.code ?? error.message}`,
        ),
      );
    });
  });
}

/**
 * The dump as one transaction whose settings end with it: every client of the PGlite shares one
 * backend, so pg_dump's session-wide `SET` and `search_path = ''` would otherwise stay for the app.
 */
export function restorableSql(sql: string): string {
  // Only pg_dump's own setting lines, and only before the data: a row's text can hold a line that
  // starts with "SET", and it must be restored as it was.
  const dataStart = sql.search(/^INSERT INTO /m);
  const head = dataStart === -1 ? sql : sql.slice(0, dataStart);
  const local = head
    .replace(/^SET (?=[a-z_]+ = [^\n]*;$)/gm, "SET LOCAL ")
    .replace(
      /^SELECT pg_catalog\.set_config\('search_path', '', false\);$/gm,
      "SELECT pg_catalog.set_config('search_path', '', true);",
    );
  return `BEGIN;\n${local}${dataStart === -1 ? "" : sql.slice(dataStart)}\nCOMMIT;\n`;
}

/** The sequence values the dump restores (its setval lines), as backups.ts reads them from an archive. */
export function plainSqlSequences(sql: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of sql.matchAll(/setval\('([^']+)', (\d+), (true|false)\)/g)) {
    const name = (m[1] as string).replace(/^public\./, "").replace(/^"(.*)"$/, "$1");
    out[name] = Number(m[2]) - (m[3] === "true" ? 0 : 1);
  }
  return out;
}

/** The part of a database connection the fingerprint and sanity queries use (pg.Client has it). */
export interface SqlSession {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  escapeIdentifier(name: string): string;
}

/**
 * Restores a plain-SQL dump into a new in-memory PGlite in this process, runs fn on it and closes
 * it: the scratch database of verify-backup and dr-drill when the backup came from PGlite.
 */
export async function withScratchPglite<T>(sql: string, fn: (db: SqlSession) => Promise<T>): Promise<T> {
  const { PGlite } = await import("@electric-sql/pglite");
  const modules = await compiledModules();
  const db = await PGlite.create(modules);
  try {
    await db.exec(sql);
    // The same output settings as backups.ts withDatabase, so row texts (and hashes) compare.
    await db.exec(
      "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'; SET search_path = public",
    );
    return await fn({
      query: <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => db.query<R>(text, values),
      escapeIdentifier: (name) => `"${name.replaceAll('"', '""')}"`,
    });
  } finally {
    await db.close();
  }
}

let compiled: Promise<{ pgliteWasmModule: WebAssembly.Module; initdbWasmModule: WebAssembly.Module }> | null =
  null;

/** PGlite's WebAssembly, compiled once per process: a drill with a fresh backup makes two scratch copies. */
function compiledModules() {
  compiled ??= (async () => {
    const dist = path.dirname(fileURLToPath(import.meta.resolve("@electric-sql/pglite")));
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all(
      ["pglite.wasm", "initdb.wasm"].map(async (name) =>
        WebAssembly.compile(await readFile(path.join(dist, name))),
      ),
    );
    return {
      pgliteWasmModule: pgliteWasmModule as WebAssembly.Module,
      initdbWasmModule: initdbWasmModule as WebAssembly.Module,
    };
  })();
  return compiled;
}
