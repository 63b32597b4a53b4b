import { readFileSync, statSync } from "node:fs";
import type { Logger } from "pino";

// The database password from DATABASE_PASSWORD_FILE, read when a connection is opened and re-read
// when the file changes, so rotating the password is "write the file" (and a rolling restart to
// drop connections opened with the old one), never an edit of DATABASE_URL. Same file rules as
// SESSION_SECRET_FILE: the first line that is not blank or a # comment, trimmed.

export function parsePasswordFile(text: string, file: string): string {
  const line = text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith("#"));
  if (!line) throw new Error(`${file} has no password: its first line must be the database password`);
  return line;
}

/** DATABASE_URL without its password: with a password file, the file is the only source. */
export function urlWithoutPassword(url: string): string {
  const parsed = new URL(url);
  if (!parsed.password) return url;
  parsed.password = "";
  return parsed.toString();
}

export class DatabasePasswordFile {
  private password: string;
  private readonly file: string;
  private readonly logger: Logger;
  private mtimeMs: number;

  constructor(file: string, logger: Logger) {
    this.file = file;
    this.logger = logger;
    // Unreadable at start is a configuration error: the app would fail every connection.
    this.password = parsePasswordFile(readFileSync(file, "utf8"), file);
    this.mtimeMs = statSync(file).mtimeMs;
  }

  /**
   * The password for a new connection. A stat per connection is cheap next to the connection
   * itself, and means no connection is opened with a password the file no longer holds.
   */
  current(): string {
    try {
      const mtimeMs = statSync(this.file).mtimeMs;
      if (mtimeMs !== this.mtimeMs) {
        this.password = parsePasswordFile(readFileSync(this.file, "utf8"), this.file);
        this.mtimeMs = mtimeMs;
        this.logger.info({ file: this.file }, "database password file reloaded");
      }
    } catch (error) {
      // A missing or empty file (mid-edit by hand) must not stop the app: keep the password we have.
      this.logger.error({ err: error }, "database password file unreadable; keeping the current password");
    }
    return this.password;
  }
}
