import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { type FormatKind, readVersioned, versioned } from "./formats.ts";

// The JSON state files runbooks and `npm start` keep between runs (releases/current.json, the
// balancer's and the pool's files, backup manifests, instances/<env>.json, dev-stack.json, an
// incident's post-mortem link), read and written with their format version (formats.ts): a file
// written before versions reads as version 1, a file of a newer version is refused with the file's
// name and what to do, never guessed at.

/** What a reader of a state file gets when the file is not JSON: the file, the parser's words, the fix. */
function notJson(kind: FormatKind, file: string, error: unknown, fix: string): Error {
  return new Error(
    `${file} is not a readable ${kind} file (${error instanceof Error ? error.message : String(error)}): ${fix}`,
  );
}

function parse<T>(kind: FormatKind, file: string, text: string, fix: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw notJson(kind, file, error, fix);
  }
  return readVersioned<T>(kind, file, parsed);
}

/**
 * A state file of `kind` brought to the current version, or null when there is none. A file that
 * is not JSON is refused with `fix` (what the operator should do about it); one of a newer format
 * with a FormatError.
 */
export async function readStateFile<T>(
  kind: FormatKind,
  file: string,
  fix = "fix or remove it by hand",
): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw notJson(kind, file, error, fix);
  }
  return parse<T>(kind, file, text, fix);
}

/** readStateFile for the few synchronous readers (environments resolve dev from dev-stack.json). */
export function readStateFileSync<T>(
  kind: FormatKind,
  file: string,
  fix = "fix or remove it by hand",
): T | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw notJson(kind, file, error, fix);
  }
  return parse<T>(kind, file, text, fix);
}

/**
 * Writes a state file with the current version of `kind` first, atomically (a temporary file
 * beside it, then rename): a crash or a reader at the wrong moment never sees half a file.
 */
export async function writeStateFile(
  kind: FormatKind,
  file: string,
  record: object,
  options: { mode?: number } = {},
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(3).toString("hex")}.tmp`;
  await writeFile(temporary, `${JSON.stringify(versioned(kind, record), null, 2)}\n`, {
    ...(options.mode === undefined ? {} : { mode: options.mode }),
  });
  // The umask can only take bits away from `mode`; chmod makes it exact (0600 stays 0600).
  if (options.mode !== undefined) await chmod(temporary, options.mode);
  await rename(temporary, file);
}
