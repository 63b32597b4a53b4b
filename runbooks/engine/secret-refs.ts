import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

// Secret references: an environment setting (SSP_<ENV>_DATABASE_URL, a webhook URL…) may name where
// its value lives instead of holding it:
//   file:/run/secrets/db        the file's content
//   env:NAME                    another variable of the operator's environment
//   cmd:pass show ssp/db        what a command prints (pass, vault kv get -field=url …, op read …)
// They are resolved when a run starts, the value trimmed; the value is masked in every output and
// never written anywhere: what is recorded and shown is the reference's text.
//
// A `cmd:` reference runs without a shell: its text is split into words (single or double quotes
// keep spaces together), so pipes, redirections and `$VARS` are refused; put those in a script and
// reference the script. It has COMMAND_TIMEOUT_MS to finish.

export type SecretRefKind = "file" | "env" | "cmd";

export interface SecretRef {
  kind: SecretRefKind;
  /** The path, the variable's name, or the command's words. */
  target: string;
  /** The reference as written: what logs, the audit log and the page show. */
  text: string;
}

export const SECRET_REF_KINDS: readonly SecretRefKind[] = ["file", "env", "cmd"];
export const COMMAND_TIMEOUT_MS = 10_000;

export class SecretRefError extends Error {
  readonly reference: string;
  constructor(reference: string, message: string) {
    super(`secret reference "${reference}": ${message}`);
    this.name = "SecretRefError";
    this.reference = reference;
  }
}

/** The reference a setting holds, or null when it holds a plain value. */
export function parseSecretRef(value: string): SecretRef | null {
  const match = /^(file|env|cmd):(.*)$/s.exec(value);
  if (!match) return null;
  return { kind: match[1] as SecretRefKind, target: (match[2] ?? "").trim(), text: value };
}

/** Splits a `cmd:` reference into argv without a shell; refuses what only a shell would do. */
export function commandWords(ref: SecretRef): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (const char of ref.target) {
    if (quote) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else if ("|&;<>()$`\\*?".includes(char)) {
      throw new SecretRefError(
        ref.text,
        `"${char}" needs a shell, and cmd: references run without one; quote it, or put the command in a script and reference the script`,
      );
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote) throw new SecretRefError(ref.text, `an unclosed ${quote} quote; close it`);
  if (inWord) words.push(current);
  if (words.length === 0)
    throw new SecretRefError(ref.text, "no command; write cmd:<command printing the secret>");
  return words;
}

/**
 * The value a reference points at, trimmed. Every failure names the reference (never a value) and
 * says what to do. Synchronous: settings are resolved before a run's first event.
 */
export function resolveSecretRef(
  ref: SecretRef,
  processEnv: NodeJS.ProcessEnv = process.env,
  timeoutMs = COMMAND_TIMEOUT_MS,
): string {
  let value: string;
  if (ref.kind === "file") {
    if (!path.isAbsolute(ref.target))
      throw new SecretRefError(ref.text, "a file: reference needs an absolute path (file:/run/secrets/db)");
    try {
      value = readFileSync(ref.target, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "an error";
      throw new SecretRefError(
        ref.text,
        `cannot read the file (${code}); check that it exists and that you may read it`,
      );
    }
  } else if (ref.kind === "env") {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(ref.target))
      throw new SecretRefError(ref.text, "an env: reference names one variable (env:NAME)");
    value = processEnv[ref.target] ?? "";
    if (!value.trim())
      throw new SecretRefError(ref.text, `${ref.target} is not set in this shell; export it`);
  } else {
    const [command, ...args] = commandWords(ref);
    try {
      value = execFileSync(command as string, args, {
        env: processEnv,
        encoding: "utf8",
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: 1024 * 1024,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & {
        status?: number | null;
        signal?: string | null;
        stderr?: string;
        stdout?: string;
      };
      if (failure.code === "ENOENT")
        throw new SecretRefError(ref.text, `${command} is not installed or not on PATH`);
      if (failure.code === "ETIMEDOUT" || failure.signal === "SIGKILL")
        throw new SecretRefError(
          ref.text,
          `the command did not finish within ${timeoutMs} ms (is it waiting for a password or a login?); unlock the store first`,
        );
      // stderr says why (not logged in, no such entry); it is shown unless it repeats what stdout printed.
      const stdout = (failure.stdout ?? "").trim();
      const why = (failure.stderr ?? "").trim().split("\n").slice(-1)[0]?.slice(0, 200) ?? "";
      const said = why && !(stdout && why.includes(stdout)) ? `: ${why}` : "";
      throw new SecretRefError(
        ref.text,
        `the command exited with ${failure.status ?? failure.signal ?? "an error"}${said}; run it yourself to see why`,
      );
    }
  }
  const trimmed = value.trim();
  if (!trimmed) throw new SecretRefError(ref.text, "it resolved to nothing (empty); put the secret there");
  return trimmed;
}
