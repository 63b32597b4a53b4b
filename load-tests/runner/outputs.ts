import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { type LoadSummary, toJUnit, toText } from "../lib/summary.ts";

/** Writes <profile>-summary.json, -junit.xml and -summary.txt; returns the JSON file's path. */
export async function writeOutputs(summary: LoadSummary, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const base = path.join(outDir, summary.profile);
  await writeFile(`${base}-summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(`${base}-junit.xml`, toJUnit(summary));
  await writeFile(`${base}-summary.txt`, toText(summary));
  return `${base}-summary.json`;
}
