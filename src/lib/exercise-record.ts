import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { type ExerciseRun, lastRunsOf, parseExerciseRecord } from "../../console/protocol.ts";

// CI's record of its runs, for a static build: the files `npm run runbook -- exercised --json`
// wrote (one per environment, on the machine that keeps that environment's audit log), put in
// exercise-record/ (or EXERCISE_RECORD_DIR) before `astro build`. Without that folder the page says
// "no record in this build" rather than "never exercised", which it cannot know.

export interface BuildRecord {
  /** The newest run per runbook and environment across the files. */
  lastRuns: ExerciseRun[];
  /** When the newest of the files was computed. */
  asOf: string;
  files: string[];
}

// Astro bundles this module: paths come from the working directory (the repository root).
const DIR = path.resolve(process.env.EXERCISE_RECORD_DIR ?? "exercise-record");

let cached: Promise<BuildRecord | null> | null = null;

export function getExerciseRecord(): Promise<BuildRecord | null> {
  cached ??= readRecord(DIR);
  return cached;
}

export async function readRecord(dir: string): Promise<BuildRecord | null> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith(".json")).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  if (names.length === 0) return null;
  const files = names.map((name) => path.join(dir, name));
  // A malformed file fails the build, naming it: a page must not show a record it misread.
  const records = await Promise.all(
    files.map(async (file) => parseExerciseRecord(await readFile(file, "utf8"), file)),
  );
  return {
    lastRuns: lastRunsOf(records),
    asOf:
      records
        .map((record) => record.asOf)
        .sort()
        .at(-1) ?? "",
    files,
  };
}
