import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { launchChromium } from "./lib/browser.ts";
import { DIST, serveDist } from "./lib/static-server.ts";

// `npm run bench:site`: how long the handbook takes to build, how many pages it has, and what a
// reader downloads for a typical guide page (raw and gzip, as a static host would serve it).

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);
const page = process.argv[2] ?? "/operational-runbook/";

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

console.log(`build: ${buildSeconds.toFixed(1)} s, ${pages} pages`);
console.log(
  `typical guide page ${page}: ${rows.length} files, ${(raw / 1024).toFixed(1)} KiB raw, ${(gzip / 1024).toFixed(1)} KiB gzip`,
);
for (const row of rows) console.log(row);
