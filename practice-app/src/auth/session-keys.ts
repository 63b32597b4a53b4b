import { readFileSync, statSync } from "node:fs";
import type { Logger } from "pino";

// The secrets session tokens are hashed with: the current one for new sessions, previous ones
// still accepted (and re-keyed) after a rotation. From SESSION_SECRET / SESSION_SECRET_PREVIOUS,
// or from SESSION_SECRET_FILE (first line current, further lines previous), which the app re-reads
// when it changes, so an operator can rotate without restarting: every instance follows within a
// second.

const MIN_LENGTH = 32;
const RECHECK_MS = 1_000;

export interface SessionSecrets {
  current: string;
  previous: string[];
}

export function parseSecretFile(text: string, file: string): SessionSecrets {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const [current, ...previous] = lines;
  if (!current) throw new Error(`${file} has no secret: its first line must be the current secret`);
  const short = lines.findIndex((line) => line.length < MIN_LENGTH);
  if (short >= 0)
    throw new Error(`${file}: secret on line ${short + 1} is shorter than ${MIN_LENGTH} characters`);
  return { current, previous };
}

export class SessionKeys {
  private secrets: SessionSecrets;
  private readonly file: string | null;
  private readonly logger: Logger;
  private mtimeMs = 0;
  private checkedAt = 0;

  constructor(
    source: { secret?: string | undefined; previous?: string[]; file?: string | undefined },
    logger: Logger,
  ) {
    this.logger = logger;
    this.file = source.file || null;
    if (this.file) {
      this.secrets = parseSecretFile(readFileSync(this.file, "utf8"), this.file);
      this.mtimeMs = statSync(this.file).mtimeMs;
    } else if (source.secret) {
      this.secrets = { current: source.secret, previous: source.previous ?? [] };
    } else {
      throw new Error("set SESSION_SECRET or SESSION_SECRET_FILE");
    }
  }

  current(): string {
    this.reloadIfChanged();
    return this.secrets.current;
  }

  previous(): string[] {
    this.reloadIfChanged();
    return this.secrets.previous;
  }

  private reloadIfChanged(): void {
    if (!this.file || Date.now() - this.checkedAt < RECHECK_MS) return;
    this.checkedAt = Date.now();
    try {
      const mtimeMs = statSync(this.file).mtimeMs;
      if (mtimeMs === this.mtimeMs) return;
      this.secrets = parseSecretFile(readFileSync(this.file, "utf8"), this.file);
      this.mtimeMs = mtimeMs;
      this.logger.info({ previousSecrets: this.secrets.previous.length }, "session secrets reloaded");
    } catch (error) {
      // A half-written or broken file must not log everyone out: keep the secrets we have.
      this.logger.error({ err: error }, "session secret file unreadable; keeping the current secrets");
    }
  }
}
