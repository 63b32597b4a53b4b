// What rotate-database-password needs beyond the pool helpers: the SCRAM verifier PostgreSQL
// stores, a connection with an explicit password, the password file as the app reads it, and
// whether a running instance reads that file. Private to runbooks/deployment/.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/** PostgreSQL's default iteration count for scram-sha-256 (scram_iterations). */
const SCRAM_ITERATIONS = 4096;

/** A password of 43 URL-safe characters (256 bits): no quoting problem in any URL or shell. */
export function newPassword(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The verifier `ALTER ROLE … PASSWORD` stores for scram-sha-256 (RFC 5802/7677), computed here as
 * psql's \password does, so the clear password never reaches the server, its logs or
 * pg_stat_activity. The generated passwords are ASCII, for which SASLprep changes nothing.
 */
export function scramVerifier(password: string, salt = randomBytes(16)): string {
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** The user and the URL without its password (to connect with an explicit one). */
export function roleOf(databaseUrl: string): { role: string; bareUrl: string } {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error("the environment's DATABASE_URL is not a URL");
  }
  const role = decodeURIComponent(url.username);
  if (!role)
    throw new Error(
      "the environment's DATABASE_URL names no user: the role to rotate is the user in that URL (postgres://<role>@host/db)",
    );
  url.password = "";
  return { role, bareUrl: url.toString() };
}

export type Attempt = { ok: true; client: pg.Client } | { ok: false; code: string; message: string };

/** Connects with this password (never from the URL); the caller ends the client. */
export async function connectWith(bareUrl: string, password: string, timeoutMs = 5_000): Promise<Attempt> {
  // In the URL: pg lets the connection string's (empty) password override a `password` option.
  const url = new URL(bareUrl);
  url.password = encodeURIComponent(password);
  const client = new pg.Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: timeoutMs,
    application_name: "rotate-database-password",
  });
  // A connection the server ends later must not crash the run.
  client.on("error", () => undefined);
  try {
    await client.connect();
    return { ok: true, client };
  } catch (error) {
    await client.end().catch(() => undefined);
    const code = (error as { code?: string }).code ?? "none";
    return { ok: false, code, message: (error as Error).message };
  }
}

/** The password as the app reads the file: the first line not blank or a # comment, trimmed. */
export function parsePasswordFile(text: string): string | null {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l && !l.startsWith("#")) ?? null
  );
}

/** Writes the password alone, 0600, through a temp file and a rename: the app never reads half a file. */
export async function writePasswordFile(file: string, password: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, `${password}\n`, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function readPasswordFile(file: string): Promise<string | null> {
  return parsePasswordFile(await readFile(file, "utf8"));
}

/**
 * Which password file a running process was started with (its DATABASE_PASSWORD_FILE), from
 * /proc/<pid>/environ; null: it reads none; undefined: not knowable here (not Linux, not ours).
 * Only that one variable is looked at: the rest of the environment holds secrets.
 */
export function passwordFileOf(pid: number): string | null | undefined {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, "utf8");
  } catch {
    return undefined;
  }
  const entry = environ.split("\0").find((e) => e.startsWith("DATABASE_PASSWORD_FILE="));
  const value = entry?.slice("DATABASE_PASSWORD_FILE=".length);
  return value ? path.resolve(value) : null;
}
