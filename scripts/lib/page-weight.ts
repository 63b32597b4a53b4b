import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

// The weight of each built page (issue 21): its HTML raw, and the gzip size of the HTML with the
// CSS and JS it loads (each file gzipped on its own, as a static host serves it). Read from dist/
// without a browser, for bench-site.ts (which records it) and tests/site/page-weight.test.ts (which
// fails past the budget).

export const BUDGET = {
  /** Raw HTML of one page. */
  rawHtmlBytes: 300 * 1024,
  /** gzip of the HTML plus the stylesheets and scripts it references. */
  gzipTotalBytes: 100 * 1024,
} as const;

export interface PageWeight {
  /** The page's path on the site: /scaling-guide/application/ */
  page: string;
  rawHtmlBytes: number;
  gzipHtmlBytes: number;
  /** HTML + referenced CSS and JS, each gzipped. */
  gzipTotalBytes: number;
  /** The CSS and JS files counted, site paths. */
  assets: string[];
}

async function htmlFiles(dir: string, base = dir): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await htmlFiles(full, base)));
    else if (entry.name.endsWith(".html")) files.push(path.relative(base, full));
  }
  return files.sort();
}

/** Stylesheets, scripts and module preloads an HTML page references on this site. */
export function referencedAssets(html: string): string[] {
  const found = new Set<string>();
  for (const m of html.matchAll(/<(?:link|script)\b[^>]*>/g)) {
    const tag = m[0];
    const isCss = /^<link\b/.test(tag) && /rel=["']?(?:stylesheet|modulepreload)\b/.test(tag);
    const isJs = /^<script\b/.test(tag);
    const url = /\b(?:href|src)=["']?([^"'\s>]+)/.exec(tag)?.[1];
    if ((isCss || isJs) && url?.startsWith("/") && !url.startsWith("//") && /\.(?:css|m?js)$/.test(url))
      found.add(url);
  }
  return [...found].sort();
}

const gzipCache = new Map<string, number>();

async function gzipSize(file: string): Promise<number> {
  let size = gzipCache.get(file);
  if (size === undefined) {
    size = gzipSync(await readFile(file)).length;
    gzipCache.set(file, size);
  }
  return size;
}

export async function pageWeights(dist: string): Promise<PageWeight[]> {
  const weights: PageWeight[] = [];
  for (const file of await htmlFiles(dist)) {
    const body = await readFile(path.join(dist, file));
    const gzipHtmlBytes = gzipSync(body).length;
    const assets = referencedAssets(body.toString("utf8"));
    let gzipTotalBytes = gzipHtmlBytes;
    for (const asset of assets) gzipTotalBytes += await gzipSize(path.join(dist, asset));
    const page = `/${file.replace(/(?:^|\/)index\.html$/, "/").replace(/^\/+/, "")}`.replace(/^\/\/$/, "/");
    weights.push({ page, rawHtmlBytes: body.length, gzipHtmlBytes, gzipTotalBytes, assets });
  }
  return weights;
}

export function overBudget(w: PageWeight): string[] {
  const over: string[] = [];
  if (w.rawHtmlBytes > BUDGET.rawHtmlBytes)
    over.push(`raw HTML ${kib(w.rawHtmlBytes)} KiB > ${kib(BUDGET.rawHtmlBytes)} KiB`);
  if (w.gzipTotalBytes > BUDGET.gzipTotalBytes)
    over.push(`gzip HTML+CSS+JS ${kib(w.gzipTotalBytes)} KiB > ${kib(BUDGET.gzipTotalBytes)} KiB`);
  return over;
}

export const kib = (bytes: number): string => (bytes / 1024).toFixed(1);

export function formatWeights(weights: readonly PageWeight[]): string {
  return [
    `${"page".padEnd(64)} ${"raw HTML KiB".padStart(12)} ${"gzip HTML+CSS+JS KiB".padStart(20)}`,
    ...weights.map(
      (w) =>
        `${w.page.padEnd(64)} ${kib(w.rawHtmlBytes).padStart(12)} ${kib(w.gzipTotalBytes).padStart(20)}${overBudget(w).length > 0 ? "  OVER BUDGET" : ""}`,
    ),
  ].join("\n");
}
