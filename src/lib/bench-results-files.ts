import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { LoadSummary } from "../../load-tests/lib/summary.ts";
import { type AppResults, allFigureTexts, type Results, type SiteResults } from "./bench-results.ts";

// The committed results files, read from disk, for the build check (hand-typed-facts-check.ts) and
// the tests. The components read the same files through Vite (import.meta.glob in Figure.astro and
// BenchmarkTable.astro).

export async function readResults(root = process.cwd()): Promise<Results> {
  const json = async <T>(file: string): Promise<T> =>
    JSON.parse(await readFile(path.join(root, file), "utf8")) as T;
  const load: Record<string, LoadSummary> = {};
  for (const name of await readdir(path.join(root, "load-tests/measured")))
    if (name.endsWith(".json")) load[name.replace(/\.json$/, "")] = await json(`load-tests/measured/${name}`);
  return {
    app: await json<AppResults>("bench/results/app.json"),
    site: await json<SiteResults>("bench/results/site.json").catch((error: NodeJS.ErrnoException) => {
      // bench:site builds the site before it can write site.json, so the very first build runs
      // without it; a page that renders a figure from it still fails (the component imports it).
      if (error.code !== "ENOENT") throw error;
      console.warn("bench/results/site.json does not exist yet: run npm run bench:site and commit it");
      return NO_SITE_RESULTS;
    }),
    load,
  };
}

const NO_SITE_RESULTS: SiteResults = {
  schema: 1,
  machine: { cores: 0, model: "", memoryGiB: 0, node: "", loadAverage: 0 },
  measuredAt: "",
  commit: "",
  note: "",
  build: { seconds: 0, pages: 0 },
  budget: { rawHtmlBytes: 0, gzipTotalBytes: 0 },
  typicalPage: { page: "", files: 0, rawBytes: 0, gzipBytes: 0 },
  pageWeights: [],
};

/** The figures with a unit a page might copy by hand (zero and bare counts left out: too common to mean a copy). */
export async function benchmarkFigureTexts(root = process.cwd()): Promise<string[]> {
  return allFigureTexts(await readResults(root)).filter(
    (t) => /\d\D*\s(?:ms|req\/s|MiB|KiB|s)$/.test(t) && !/^0(?:\.0)? /.test(t),
  );
}
