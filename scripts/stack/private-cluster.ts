import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { freePort } from "../../runbooks/lib/net.ts";

// A private PostgreSQL cluster for `npm start`, initialised under the data dir (.data/postgres)
// from the PostgreSQL server binaries installed on this machine, when no server answers on
// 127.0.0.1:5432. Why it comes before PGlite: the backup runbooks (backup-now, verify-backup,
// dr-drill, restore) need pg_dump and pg_restore, which cannot dump the embedded PGlite (it is
// PostgreSQL 18 and serves one session at a time; Debian ships the client tools of 15). A cluster
// made from the installed binaries has their version, so the installed client tools fit it.
//
// The cluster listens on 127.0.0.1 only, on a free port chosen at each start, with password
// authentication (scram-sha-256): the password is generated once into .data/postgres/password
// (0600), so another local user cannot connect as its superuser. initdb refuses to run as root:
// as root the cluster runs as the `postgres` user, which must exist.

export const CLUSTER_DATABASE = "subjunctive";

export interface ServerBinaries {
  dir: string;
  /** Major version, from `pg_ctl --version`. */
  major: number;
  /** Where the directory was found: SSP_PG_BIN_DIR, PATH or the Debian layout. */
  foundBy: string;
}

export interface PrivateCluster {
  url: string;
  port: number;
  dataDir: string;
  binaries: ServerBinaries;
  stop(): Promise<void>;
}

/** The cluster cannot run here at all (no postgres user as root); npm start uses PGlite instead. */
export class ClusterUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClusterUnavailable";
  }
}

const SERVER_PROGRAMS = ["initdb", "pg_ctl", "postgres"] as const;

/**
 * The PostgreSQL server binaries to initialise a cluster from: SSP_PG_BIN_DIR ("none" skips the
 * search, so npm start uses PGlite); else the directory of `initdb` on PATH; else the newest
 * /usr/lib/postgresql/<major>/bin (Debian installs the server there, off PATH). Null when none.
 */
export function findServerBinaries(env: NodeJS.ProcessEnv = process.env): ServerBinaries | null {
  const hasAll = (dir: string) => SERVER_PROGRAMS.every((p) => existsSync(path.join(dir, p)));
  const chosen = env.SSP_PG_BIN_DIR;
  if (chosen === "none") return null;
  if (chosen) {
    if (!hasAll(chosen))
      throw new Error(
        `SSP_PG_BIN_DIR=${chosen} does not hold ${SERVER_PROGRAMS.join(", ")}: point it at a PostgreSQL server's bin directory, or set SSP_PG_BIN_DIR=none to use the embedded PGlite`,
      );
    return { dir: chosen, major: majorVersion(chosen), foundBy: "SSP_PG_BIN_DIR" };
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    if (!existsSync(path.join(dir, "initdb"))) continue;
    // A symlink on PATH (/usr/local/bin/initdb) points into the real bin directory, which has the rest.
    const real = path.dirname(realpath(path.join(dir, "initdb")));
    if (hasAll(real)) return { dir: real, major: majorVersion(real), foundBy: "PATH" };
  }
  const debian = "/usr/lib/postgresql";
  const majors = existsSync(debian)
    ? readdirSync(debian)
        .filter((name) => /^\d+$/.test(name) && hasAll(path.join(debian, name, "bin")))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  const newest = majors[0];
  if (newest === undefined) return null;
  return { dir: path.join(debian, String(newest), "bin"), major: newest, foundBy: debian };
}

function realpath(file: string): string {
  return execFileSync("realpath", [file]).toString().trim();
}

function majorVersion(binDir: string): number {
  const out = execFileSync(path.join(binDir, "pg_ctl"), ["--version"]).toString();
  const major = Number(/(\d+)(\.\d+)?/.exec(out)?.[1]);
  if (!Number.isInteger(major))
    throw new Error(`cannot read the version of ${binDir}/pg_ctl: "${out.trim()}"`);
  return major;
}

/** uid and gid to run the server as: ours, or the postgres user's when we are root. */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    return {
      uid: Number(execFileSync("id", ["-u", "postgres"]).toString()),
      gid: Number(execFileSync("id", ["-g", "postgres"]).toString()),
    };
  } catch {
    throw new ClusterUnavailable(
      "npm start runs as root, initdb refuses to run as root, and there is no postgres user to run the cluster as (create one: useradd --system postgres, or run npm start as yourself)",
    );
  }
}

/**
 * Starts the private cluster in <dataDir>/postgres, initialising it on first use, and makes sure
 * the database "subjunctive" exists. stop() shuts it down (fast: open sessions are ended).
 */
export async function startPrivateCluster(
  dataDir: string,
  binaries: ServerBinaries,
  log: (line: string) => void,
): Promise<PrivateCluster> {
  const user = serverUser();
  const clusterDir = path.join(dataDir, "postgres");
  const data = path.join(clusterDir, "data");
  const passwordFile = path.join(clusterDir, "password");
  const serverLog = path.join(clusterDir, "server.log");
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  if (user) {
    // The postgres user must reach its directory: the data dir may be 0700 (a mkdtemp), so it gets
    // o+x (enter, not list); the session secret and backups below it stay 0600/0700.
    await ensureTraversable(clusterDir, dataDir);
    await chown(clusterDir, user.uid, user.gid);
  }
  const run = (program: string, args: string[]) => runServerProgram(binaries.dir, program, args, user);

  if (!existsSync(path.join(data, "PG_VERSION"))) {
    const password = randomBytes(24).toString("base64url");
    // The password file is ours (0600); initdb reads a copy the server's user owns, removed after.
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    const pwfile = path.join(clusterDir, ".initdb-pwfile");
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) await chown(pwfile, user.uid, user.gid);
    log(`initialising a private PostgreSQL ${binaries.major} cluster in ${data} (first start only)`);
    try {
      await run("initdb", [
        "-D",
        data,
        "-U",
        "postgres",
        "--auth=scram-sha-256",
        `--pwfile=${pwfile}`,
        "--encoding=UTF8",
        "--no-locale",
        // A dev cluster: a crash during the first start's initdb costs a re-run, not data.
        "--no-sync",
        "--no-instructions",
      ]);
    } catch (error) {
      await rm(data, { recursive: true, force: true });
      throw error;
    } finally {
      await rm(pwfile, { force: true });
    }
  } else {
    const version = (await readFile(path.join(data, "PG_VERSION"), "utf8")).trim();
    if (Number(version) !== binaries.major)
      throw new Error(
        `the private cluster in ${data} is PostgreSQL ${version}, and the server binaries found (${binaries.dir}) are ${binaries.major}: point SSP_PG_BIN_DIR at PostgreSQL ${version}'s bin directory, or move ${clusterDir} away to start a new cluster (its data is lost unless you dump it first)`,
      );
  }
  const password = (await readFile(passwordFile, "utf8").catch(() => "")).trim();
  if (!password)
    throw new Error(
      `${passwordFile} is missing: the private cluster's password is lost. Move ${clusterDir} away and start again for a new cluster`,
    );

  // A start that was killed (SIGKILL, a crash) leaves its server running: stop it first, it is ours.
  if (
    (await run("pg_ctl", ["-D", data, "status"]).then(
      () => true,
      () => false,
    )) === true
  ) {
    log("a private cluster from an earlier start is still running: stopping it first");
    await run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
  }
  const port = await freePort();
  try {
    await run("pg_ctl", [
      "-D",
      data,
      "-w",
      "-t",
      "60",
      "-l",
      serverLog,
      "-o",
      // TCP on loopback only; no Unix socket (its path has a length limit a deep checkout exceeds).
      `-p ${port} -c listen_addresses=127.0.0.1 -k ''`,
      "start",
    ]);
  } catch (error) {
    const tail = (await readFile(serverLog, "utf8").catch(() => "")).trim().split("\n").slice(-5).join(" / ");
    throw new Error(
      `the private PostgreSQL cluster in ${data} did not start (${(error as Error).message})${tail ? `; its log (${serverLog}) ends: ${tail}` : ""}. Fix that and start again, or set SSP_PG_BIN_DIR=none to use the embedded PGlite`,
    );
  }
  const stop = async () => {
    await run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]).catch((error: unknown) =>
      log(`the private cluster did not stop cleanly: ${(error as Error).message}`),
    );
  };
  try {
    const admin = new pg.Client({
      host: "127.0.0.1",
      port,
      user: "postgres",
      password,
      database: "postgres",
      connectionTimeoutMillis: 5_000,
    });
    await admin.connect();
    try {
      const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [CLUSTER_DATABASE]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${CLUSTER_DATABASE}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${CLUSTER_DATABASE}`,
    port,
    dataDir: data,
    binaries,
    stop,
  };
}

/**
 * Makes sure the server's user can enter every directory above `dir`: those inside `top` (the data
 * dir) get o+x when they lack it; one outside it that lacks it is the operator's to change.
 */
async function ensureTraversable(dir: string, top: string): Promise<void> {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const mode = (await stat(current)).mode;
    if ((mode & 0o001) === 0) {
      if (current !== top && !current.startsWith(`${top}${path.sep}`))
        throw new ClusterUnavailable(
          `the postgres user cannot reach ${dir}: ${current} is not searchable by other users (chmod o+x ${current}, or run npm start as yourself)`,
        );
      await chmod(current, (mode & 0o777) | 0o001);
    }
    if (path.dirname(current) === current) return;
  }
}

/** Runs initdb or pg_ctl (as the server's user when given); rejects with its stderr. */
function runServerProgram(
  binDir: string,
  program: string,
  args: string[],
  user: { uid: number; gid: number } | null,
): Promise<void> {
  return new Promise((resolve, reject) => {
    // detached: the server pg_ctl leaves running is not in our process group, so a Ctrl-C in the
    // terminal reaches npm start (which stops the app first, then the cluster), not the server.
    const child = spawn(path.join(binDir, program), args, {
      ...(user ?? {}),
      cwd: "/",
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${program} exited with ${code}${stderr.trim() ? `: ${stderr.trim().split("\n").slice(-3).join(" / ")}` : ""}`,
            ),
          ),
    );
  });
}
