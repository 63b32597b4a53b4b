import { execFileSync, spawn } from "node:child_process";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

// A private PostgreSQL cluster with scram-sha-256 password authentication, for tests where a
// missing or wrong password must fail: the shared server trusts every local connection. initdb +
// pg_ctl in a temp dir, as the postgres user when running as root (initdb refuses root).

const BIN = "/usr/lib/postgresql/15/bin";

export interface ScramCluster {
  dir: string;
  port: number;
  url(database: string, password?: string): string;
  stop(): Promise<void>;
}

export async function startScramCluster(password: string): Promise<ScramCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), "ssp-scram-"));
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot
    ? {
        uid: Number(execFileSync("id", ["-u", "postgres"]).toString()),
        gid: Number(execFileSync("id", ["-g", "postgres"]).toString()),
      }
    : {};
  if (asRoot) await chown(dir, ids.uid as number, ids.gid as number);
  const pwfile = path.join(dir, "pwfile");
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot) await chown(pwfile, ids.uid as number, ids.gid as number);
  const port = await freePort();
  const data = path.join(dir, "data");
  const run = (bin: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(path.join(BIN, bin), args, { ...ids, stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
      });
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0 ? resolve() : reject(new Error(`${bin} exited ${code}: ${err}`)),
      );
    });
  await run("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=scram-sha-256",
    `--pwfile=${pwfile}`,
    "--no-sync",
    "--no-instructions",
  ]);
  await rm(pwfile);
  await run("pg_ctl", [
    "-D",
    data,
    "-w",
    "-l",
    path.join(dir, "log"),
    "-o",
    `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off`,
    "start",
  ]);
  return {
    dir,
    port,
    url: (database, pw = password) => `postgres://postgres:${pw}@127.0.0.1:${port}/${database}`,
    async stop() {
      await run("pg_ctl", ["-D", data, "-m", "immediate", "stop"]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address ? address.port : 0;
}
