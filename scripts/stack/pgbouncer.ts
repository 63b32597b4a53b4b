import { spawn } from "node:child_process";
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { freePort } from "../../runbooks/lib/net.ts";

// A private PgBouncer (Debian's package) in transaction mode in front of a PostgreSQL server, for
// the pooler's test and the breakpoint measurement: its own directory, a free port on 127.0.0.1,
// trust auth towards the local server, stopped and removed by stop(). PgBouncer refuses to run as
// root: as root it runs as `nobody`, which then owns its directory.

export const PGBOUNCER = process.env.PGBOUNCER_BIN ?? "/usr/sbin/pgbouncer";

export interface PgBouncer {
  /** DATABASE_URL through the pooler, for `database`. */
  url(database: string): string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export function renderPgBouncerIni(options: {
  dir: string;
  port: number;
  server: URL;
  poolSize: number;
  maxClients: number;
}): string {
  return `; A private PgBouncer (scripts/stack/pgbouncer.ts); transaction mode, as the Scaling Guide runs it.
[databases]
* = host=${options.server.hostname} port=${options.server.port || 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${options.port}
unix_socket_dir =
auth_type = trust
auth_file = ${options.dir}/userlist.txt
pool_mode = transaction
default_pool_size = ${options.poolSize}
max_client_conn = ${options.maxClients}
logfile = ${options.dir}/pgbouncer.log
pidfile = ${options.dir}/pgbouncer.pid
`;
}

export async function startPgBouncer(
  server: URL,
  options: { poolSize?: number; maxClients?: number } = {},
): Promise<PgBouncer> {
  const dir = await mkdtemp(path.join(tmpdir(), "ssp-pgbouncer-"));
  const port = await freePort();
  const user = server.username || "postgres";
  await writeFile(
    path.join(dir, "pgbouncer.ini"),
    renderPgBouncerIni({
      dir,
      port,
      server,
      poolSize: options.poolSize ?? 10,
      maxClients: options.maxClients ?? 2_000,
    }),
  );
  await writeFile(path.join(dir, "userlist.txt"), `"${user}" ""\n`);
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const nobody = 65534;
    await chown(dir, nobody, nobody);
    await chmod(dir, 0o700);
  }
  const child = spawn(PGBOUNCER, [...(asRoot ? ["-u", "nobody"] : []), path.join(dir, "pgbouncer.ini")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.once("error", (error) => {
    stderr += error.message;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const url = (database: string) => `postgres://${user}@127.0.0.1:${port}/${database}`;
  for (let attempt = 0; attempt < 100 && child.exitCode === null; attempt++) {
    const client = new pg.Client({ connectionString: url(server.pathname.slice(1) || "postgres") });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return { url, port, pid: child.pid ?? 0, stop };
    } catch {
      await client.end().catch(() => undefined);
      await sleep(100);
    }
  }
  const log = await readFile(path.join(dir, "pgbouncer.log"), "utf8").catch(() => "");
  await stop();
  throw new Error(
    `PgBouncer (${PGBOUNCER}) did not start: ${(stderr || log).trim().split("\n").slice(-3).join(" ") || "no answer"}; install it (Debian: pgbouncer)`,
  );
}
