import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type BaselineComparison, compareWithBaseline } from "../../policy/load-comparison.ts";
import { asLoadSummary } from "../lib/baseline.ts";
import type { LoadSummary } from "../lib/summary.ts";

// Where a run's baseline comes from: `--baseline FILE`, else the committed measurement of the same
// profile (load-tests/measured/<profile>.json) when there is one; `--baseline none` skips it.

export const MEASURED_DIR = fileURLToPath(new URL("../measured/", import.meta.url));

export class BaselineError extends Error {}

/** The committed baseline of a profile, or null when none is committed. */
export function committedBaseline(profile: string): string | null {
  const file = path.join(MEASURED_DIR, `${profile}.json`);
  return existsSync(file) ? file : null;
}

/** Reads a summary file, naming the file in every error. */
export async function readSummary(file: string): Promise<LoadSummary> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new BaselineError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BaselineError(`${file} is not JSON`);
  }
  try {
    return asLoadSummary(parsed, file);
  } catch (error) {
    throw new BaselineError((error as Error).message);
  }
}

/** Compares `summary` with the chosen baseline; null when there is none to compare with. */
export async function compareWithChosenBaseline(
  summary: LoadSummary,
  chosen: string | undefined,
): Promise<BaselineComparison | null> {
  if (chosen === "none") return null;
  const file = chosen ? path.resolve(chosen) : committedBaseline(summary.profile);
  if (!file) return null;
  const baseline = await readSummary(file);
  return compareWithBaseline(summary, baseline, path.relative(process.cwd(), file) || file);
}
