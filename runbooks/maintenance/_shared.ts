import pg from "pg";
import { z } from "zod";
import type { StepContext } from "../engine/context.ts";

// Helpers shared by the maintenance runbooks (the leading "_" keeps this file out of the catalog).
// The app's tables live in one schema; every list of "app tables" is read from the database, so a
// table a new migration adds is covered without editing a runbook.

export const APP_SCHEMA = "public";

/** A table or index name as a parameter: checked again against the real list before use. */
export const IDENTIFIER = /^[a-z_][a-z0-9_$]{0,62}$/;

/** Every ordinary table of the app's schema, by name. */
/** The optional `table` parameter of the maintenance runbooks; checked against the real tables later. */
export function tableParam(description: string) {
  return z
    .string()
    .regex(IDENTIFIER, "a table name: lower-case letters, digits and _")
    .optional()
    .describe(description);
}

export async function appTables(ctx: StepContext<unknown>): Promise<string[]> {
  const rows = await ctx.sql<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.relname`,
    [APP_SCHEMA],
  );
  return rows.map((r) => r.name);
}

/** The tables a run covers: all app tables, or the one asked for if it exists (refused otherwise). */
export async function selectTables(ctx: StepContext<unknown>, table: string | undefined): Promise<string[]> {
  const tables = await appTables(ctx);
  if (tables.length === 0) {
    throw new Error(
      `schema "${APP_SCHEMA}" has no tables: is DATABASE_URL the app's database, and are migrations applied?`,
    );
  }
  if (table === undefined) return tables;
  if (!tables.includes(table)) {
    throw new Error(
      `unknown table "${table}"; the app's tables in schema ${APP_SCHEMA} are: ${tables.join(", ")}`,
    );
  }
  return [table];
}

/** A schema-qualified, quoted name for SQL text (names come from the catalog, never from input alone). */
export function qualified(name: string): string {
  return `${quoteIdent(APP_SCHEMA)}.${quoteIdent(name)}`;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Runs statements that may take longer than the shared pool's 60 s statement timeout (VACUUM,
 * REINDEX) on a connection of their own, with no statement timeout: the step's timeout governs.
 * When the step is cancelled or times out, the running statement is cancelled in the server too,
 * so nothing keeps running after the runbook says it stopped.
 */
export async function withSession<T>(
  ctx: StepContext<unknown>,
  name: string,
  work: (query: (text: string) => Promise<pg.QueryResult>) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: ctx.env.databaseUrl,
    connectionTimeoutMillis: 5_000,
    application_name: `runbook ${name}`,
  });
  // A dropped connection surfaces as the failing query's error; this only keeps the process alive.
  client.on("error", () => undefined);
  await client.connect();
  const [{ pid } = { pid: 0 }] = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows;
  await client.query("SET statement_timeout = 0");
  const cancel = () => {
    ctx.warn(`stopping: cancelling the statement of backend ${pid} in the server`);
    ctx.sql("SELECT pg_cancel_backend($1)", [pid]).catch(() => undefined);
  };
  ctx.signal.addEventListener("abort", cancel, { once: true });
  try {
    return await work((text) => client.query(text));
  } finally {
    ctx.signal.removeEventListener("abort", cancel);
    await client.end().catch(() => undefined);
  }
}

/** pg returns timestamptz as Date; results must be JSON, and ISO strings compare in time order. */
export function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

/** An earlier step's result when this run has it (it does not when run with --step). */
export function optionalResult<T>(ctx: StepContext<unknown>, id: string): T | undefined {
  try {
    return ctx.result<T>(id);
  } catch {
    // Expected with --step: the earlier step did not run in this run; callers skip what needs it.
    return undefined;
  }
}
