import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmod, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { PRIVATE_FILE } from "../../runbooks/engine/private-files.ts";
import {
  DUMP_OK,
  PGLITE_DUMP_ARGS,
  pgliteDumpSocket,
  pgliteDumpTokenFile,
} from "../../runbooks/lib/pglite-dump.ts";

// The backup runbooks' way into the embedded PGlite (runbooks/lib/pglite-dump.ts says why): this
// process holds the instance, so it runs pg_dump (WebAssembly, @electric-sql/pglite-tools) on it
// and writes the plain SQL back. Only the same OS user gets a dump: the data directory is 0700,
// the socket and the token file 0600, and a request without the token is refused. Never a port.

export interface DumpChannel {
  close(): Promise<void>;
}

/** How long a dump waits for a client's open transaction to end (pg_dump must not run inside it). */
const IDLE_WAIT_MS = 10_000;

export async function openPgliteDumpChannel(localDir: string, db: PGlite): Promise<DumpChannel> {
  const socket = pgliteDumpSocket(localDir);
  const tokenFile = pgliteDumpTokenFile(localDir);
  const token = randomBytes(32).toString("base64url");
  await writeFile(tokenFile, `${token}\n`, { mode: PRIVATE_FILE });
  await chmod(tokenFile, PRIVATE_FILE);
  // One dump at a time: pg_dump runs on the instance's only backend.
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((connection) => {
    let received = "";
    connection.setEncoding("utf8");
    connection.on("error", () => undefined);
    connection.on("data", (chunk: string) => {
      if (received.includes("\n")) return;
      received += chunk;
      if (received.length > 200) return void connection.end("refused: request too long\n");
      if (!received.includes("\n")) return;
      const offered = Buffer.from(received.split("\n")[0] ?? "");
      const expected = Buffer.from(token);
      if (offered.length !== expected.length || !timingSafeEqual(offered, expected))
        return void connection.end("refused: wrong token\n");
      const dumping = queue.then(() => dump(db));
      queue = dumping.catch(() => undefined);
      dumping.then(
        (sql) => connection.end(`${DUMP_OK}\n${sql}`),
        (error: unknown) =>
          connection.end(`${(error instanceof Error ? error.message : String(error)).replace(/\n/g, " ")}\n`),
      );
    });
  });
  await listen(server, socket);
  await chmod(socket, PRIVATE_FILE);
  return {
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(tokenFile, { force: true });
    },
  };
}

async function dump(db: PGlite): Promise<string> {
  const { pgDump } = await import("@electric-sql/pglite-tools/pg_dump");
  // The socket server runs each client's queries on the one backend, keeping a client's transaction
  // together; pg_dump must start between transactions, not inside someone else's.
  const until = Date.now() + IDLE_WAIT_MS;
  while (db.isInTransaction()) {
    if (Date.now() > until)
      throw new Error(`a client kept a transaction open for ${IDLE_WAIT_MS / 1000} s; try again`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // pg_dump itself then runs synchronously (WebAssembly), one consistent snapshot; a client that
  // opens a transaction in the moment before it makes it fail ("already in a transaction"), and
  // the runbook says so: never a silently wrong dump.
  // pgDump's first call after pg_dump finished is DEALLOCATE ALL. Two repairs of the shared backend
  // happen there instead: pg_dump's read-only snapshot transaction is still open (its disconnect
  // ends no session here), so the app's next write would fail "in a read-only transaction"; and
  // DEALLOCATE ALL would drop the app's named statements too ("prepared statement does not
  // exist", for good), so only the SQL-level ones (pg_dump's) go.
  const exec = db.exec.bind(db);
  db.exec = async (query, options) => {
    if (query.trim().toUpperCase() !== "DEALLOCATE ALL") return exec(query, options);
    await exec("ROLLBACK");
    return deallocateSqlPrepared(exec);
  };
  try {
    const file = await pgDump({ pg: db, args: [...PGLITE_DUMP_ARGS] });
    return await file.text();
  } finally {
    db.exec = exec;
  }
}

async function deallocateSqlPrepared(exec: PGlite["exec"]): ReturnType<PGlite["exec"]> {
  const [prepared] = await exec("SELECT name FROM pg_prepared_statements WHERE from_sql");
  const names = (prepared?.rows ?? []).map((row) => String((row as { name: unknown }).name));
  return exec(names.map((name) => `DEALLOCATE "${name.replaceAll('"', '""')}";`).join("\n") || "SELECT 1");
}

async function listen(server: Server, socket: string): Promise<void> {
  const attempt = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socket, () => {
        server.off("error", reject);
        resolve();
      });
    });
  try {
    await attempt();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    // A socket left by a stack that died is replaced; one that answers belongs to a running stack.
    const alive = await new Promise<boolean>((resolve) => {
      const probe = connect(socket);
      probe.once("connect", () => {
        probe.destroy();
        resolve(true);
      });
      probe.once("error", () => resolve(false));
    });
    if (alive) throw new Error(`another npm start of this checkout already serves ${socket}`);
    await rm(socket, { force: true });
    await attempt();
  }
}
