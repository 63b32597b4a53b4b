import { lstatSync, readdirSync } from "node:fs";
import path from "node:path";

// Everything under .data/ is the operator's alone: the database URL (dev-stack.json), the session
// secret, the embedded database's files, the audit log (who ran what), run files and locks. Files
// are created 0600 and folders 0700: each writer says so, and `npm start`, the CLI and the console
// set the umask to 077 first, so whatever their children create (PGlite's files, a step's output)
// is private too. At start-up each of them checks the modes and warns about anything looser.

export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/** Umask 077 for this process and every process it starts; returns the previous umask. */
export function privateUmask(): number {
  return process.umask(0o077);
}

export interface LooseMode {
  path: string;
  mode: number;
  kind: "file" | "directory";
  /** The command that fixes it. */
  fix: string;
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, "0");
const quote = (file: string) => `'${file.replaceAll("'", `'\\''`)}'`;

/**
 * Files and folders under `dir` that group or others may read, write or enter (symlinks are not
 * followed; a missing `dir` has none). Stops after `limit` findings: a wholly open PGlite folder
 * would otherwise list thousands of files.
 */
export function looseModes(dir: string, limit = 50): LooseMode[] {
  const found: LooseMode[] = [];
  const visit = (entry: string) => {
    if (found.length >= limit) return;
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(entry);
    } catch {
      // Removed while we looked (a lock released, a run file rotated): nothing to check.
      return;
    }
    if (stat.isSymbolicLink()) return;
    const directory = stat.isDirectory();
    if ((stat.mode & 0o077) !== 0) {
      found.push({
        path: entry,
        mode: stat.mode & 0o777,
        kind: directory ? "directory" : "file",
        fix: `chmod ${directory ? "700" : "600"} ${quote(entry)}`,
      });
    }
    if (!directory) return;
    let names: string[];
    try {
      names = readdirSync(entry);
    } catch {
      return;
    }
    for (const name of names.sort()) visit(path.join(entry, name));
  };
  visit(dir);
  return found;
}

/** Warning lines naming each loose file or folder and the chmod that fixes it; [] when all is private. */
export function looseModeWarnings(dir: string): string[] {
  const loose = looseModes(dir);
  if (loose.length === 0) return [];
  return [
    `warning: ${dir} holds secrets and personal data (database URL, session secret, audit log), but these are readable by other users:`,
    ...loose.map((l) => `  ${l.kind} ${l.path} is ${octal(l.mode)}: fix with  ${l.fix}`),
    ...(loose.length >= 50 ? [`  (and maybe more: fix all with  chmod -R go-rwx ${quote(dir)})`] : []),
  ];
}
