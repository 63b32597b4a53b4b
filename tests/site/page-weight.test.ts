import { beforeAll, describe, expect, it } from "vitest";
import {
  BUDGET,
  formatWeights,
  overBudget,
  type PageWeight,
  pageWeights,
  referencedAssets,
} from "../../scripts/lib/page-weight.ts";
import { DIST } from "../../scripts/lib/static-server.ts";

// Issue 21's page budget, a size check (not a timing): every built page, the on-demand
// /runbook-source/ fragments included, at most 300 KiB of raw HTML and 100 KiB gzip of HTML+CSS+JS.
// Prints each page's size; the build time is printed by `npm run bench:site`, never asserted.

let weights: PageWeight[];

beforeAll(async () => {
  weights = await pageWeights(DIST);
  console.log(formatWeights(weights));
});

describe("page weight", () => {
  it("reads every built page, the runbook-source fragments too", () => {
    expect(weights.length).toBeGreaterThan(10);
    expect(weights.some((w) => w.page === "/scaling-guide/application/")).toBe(true);
    expect(weights.some((w) => w.page.startsWith("/runbook-source/"))).toBe(true);
  });

  it(`keeps every page within ${BUDGET.rawHtmlBytes / 1024} KiB raw HTML and ${BUDGET.gzipTotalBytes / 1024} KiB gzip HTML+CSS+JS`, () => {
    const over = weights.flatMap((w) => overBudget(w).map((why) => `${w.page}: ${why}`));
    expect(over).toEqual([]);
  });

  it("counts the stylesheets and scripts a page loads from the site, not other hosts", () => {
    const html = `<link rel="stylesheet" href="/_astro/a.css"><script type="module" src="/_astro/b.js"></script>
      <link rel="icon" href="/favicon.svg"><script src="https://cdn.example/x.js"></script>
      <link rel="modulepreload" href="/_astro/c.js">`;
    expect(referencedAssets(html)).toEqual(["/_astro/a.css", "/_astro/b.js", "/_astro/c.js"]);
  });

  it("flags a page past either budget", () => {
    const page = { page: "/x/", gzipHtmlBytes: 0, assets: [] };
    expect(overBudget({ ...page, rawHtmlBytes: BUDGET.rawHtmlBytes + 1, gzipTotalBytes: 1 })).toHaveLength(1);
    expect(overBudget({ ...page, rawHtmlBytes: 1, gzipTotalBytes: BUDGET.gzipTotalBytes + 1 })).toHaveLength(
      1,
    );
    expect(
      overBudget({ ...page, rawHtmlBytes: BUDGET.rawHtmlBytes, gzipTotalBytes: BUDGET.gzipTotalBytes }),
    ).toEqual([]);
  });
});
