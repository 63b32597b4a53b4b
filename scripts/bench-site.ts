import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { gitCommit, machine } from "./lib/bench-env.ts";
import { launchChromium } from "./lib/browser.ts";
import { BUDGET, formatWeights, pageWeights } from "./lib/page-weight.ts";
import { DIST, serveDist } from "./lib/static-server.ts";

// `npm run bench:site`: how long the handbook takes to build, how many pages it has, and what a
// reader downloads for a typical guide page (raw and gzip, as a static host would serve it), and
// every page's weight (scripts/lib/page-weight.ts). Writes them with the date, commit and machine
// to bench/results/site.json, committed: the handbook renders that file. Build time is printed and
// recorded, never asserted; the page-weight budget is asserted by tests/site/page-weight.test.ts.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: "string", default: path.join(ROOT, "bench", "results", "site.json") },
    note: { type: "string", default: "" },
  },
});
const page = positionals[0] ?? "/operational-runbook/";
const measuredAt = new Date().toISOString();
const machineAtStart = machine();
const commit = gitCommit(ROOT);

async function htmlCount(dir: string): Promise<number> {
  let n = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) n += await htmlCount(path.join(dir, entry.name));
    else if (entry.name.endsWith(".html")) n += 1;
  }
  return n;
}

const started = performance.now();
await run(path.join(ROOT, "node_modules/.bin/astro"), ["build"], { cwd: ROOT, maxBuffer: 50 * 1024 * 1024 });
const buildSeconds = (performance.now() - started) / 1000;
const pages = await htmlCount(DIST);

const site = await serveDist();
const { browser, close } = await launchChromium();
const context = await browser.newContext();
const tab = await context.newPage();
await tab.goto(`${site.url}${page}`, { waitUntil: "networkidle" });
const urls: string[] = await tab.evaluate(() => [
  location.href,
  ...performance.getEntriesByType("resource").map((entry) => entry.name),
]);
let raw = 0;
let gzip = 0;
const rows: string[] = [];
for (const url of new Set(urls)) {
  const { pathname } = new URL(url);
  if (!url.startsWith(site.url)) continue;
  const file = path.join(DIST, pathname.endsWith("/") ? `${pathname}index.html` : pathname);
  const body = await readFile(file).catch(() => null);
  if (!body) continue;
  const zipped = gzipSync(body).length;
  raw += body.length;
  gzip += zipped;
  rows.push(
    `  ${pathname.padEnd(60)} ${String(body.length).padStart(9)} B  ${String(zipped).padStart(8)} B gzip`,
  );
}
await close();
await site.close();
const weights = await pageWeights(DIST);

console.log(`build: ${buildSeconds.toFixed(1)} s, ${pages} pages`);
console.log(
  `typical guide page ${page}: ${rows.length} files, ${(raw / 1024).toFixed(1)} KiB raw, ${(gzip / 1024).toFixed(1)} KiB gzip`,
);
for (const row of rows) console.log(row);
console.log(
  `\nevery page (budget: ${BUDGET.rawHtmlBytes / 1024} KiB raw HTML, ${BUDGET.gzipTotalBytes / 1024} KiB gzip HTML+CSS+JS)`,
);
console.log(formatWeights(weights));

const report = {
  schema: 1,
  measuredAt,
  commit,
  machine: machineAtStart,
  note: args.note,
  build: { seconds: Math.round(buildSeconds * 10) / 10, pages },
  budget: BUDGET,
  typicalPage: { page, files: rows.length, rawBytes: raw, gzipBytes: gzip },
  pageWeights: weights.map(({ assets: _assets, ...w }) => w),
};
await mkdir(path.dirname(args.out as string), { recursive: true });
await writeFile(args.out as string, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten to ${path.relative(process.cwd(), args.out as string)}`);
