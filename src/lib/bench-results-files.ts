import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { LoadSummary } from "../../load-tests/lib/summary.ts";
import { type AppResults, allFigureTexts, type Results, type SiteResults } from "./bench-results.ts";

// The committed results files, read from disk, for the build check (hand-typed-facts-check.ts) and
// the tests. The components import the same files through Vite (bench-results-view.ts).

export async function readResults(root = process.cwd()): Promise<Results> {
  const json = async <T>(file: string): Promise<T> =>
    JSON.parse(await readFile(path.join(root, file), "utf8")) as T;
  const load: Record<string, LoadSummary> = {};
  for (const name of await readdir(path.join(root, "load-tests/measured")))
    if (name.endsWith(".json")) load[name.replace(/\.json$/, "")] = await json(`load-tests/measured/${name}`);
  return {
    app: await json<AppResults>("bench/results/app.json"),
    site: await json<SiteResults>("bench/results/site.json"),
    load,
  };
}

/** The figures with a unit a page might copy by hand (zero and bare counts left out: too common to mean a copy). */
export async function benchmarkFigureTexts(root = process.cwd()): Promise<string[]> {
  let results: Results;
  try {
    results = await readResults(root);
  } catch (error) {
    // Before the first `npm run bench:site` there is no site.json to compare with; a page that
    // renders a figure from it still fails the build (the component imports the file).
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return allFigureTexts(results).filter(
    (t) => /\d\D*\s(?:ms|req\/s|MiB|KiB|s)$/.test(t) && !/^0(?:\.0)? /.test(t),
  );
}
