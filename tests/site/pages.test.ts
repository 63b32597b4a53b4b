import { readFile } from "node:fs/promises";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "../../runbooks/engine/catalog.ts";
import { GUIDES } from "../../runbooks/engine/define.ts";
import { launchChromium, openWithErrors } from "../../scripts/lib/browser.ts";
import { DIST, serveDist } from "../../scripts/lib/static-server.ts";
import { dedent } from "../../src/lib/runbook-catalog.ts";

// The handbook in Debian's Chromium: every page renders without console errors, search finds
// procedures, an embedded runbook shows the file's own source, the theme toggle works, a phone
// screen needs no horizontal scroll, and no page has a critical accessibility violation.

let site: { url: string; close(): Promise<void> };
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
let paths: string[];

beforeAll(async () => {
  site = await serveDist();
  chromium = await launchChromium();
  browser = chromium.browser;
  const sitemap = await readFile(`${DIST}sitemap-0.xml`, "utf8");
  paths = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1] as string).pathname);
});

afterAll(async () => {
  await chromium?.close();
  await site?.close();
});

async function open(
  path: string,
  viewport = { width: 1280, height: 900 },
): Promise<{ page: Page; errors: string[] }> {
  const { page, errors, response } = await openWithErrors(browser, `${site.url}${path}`, viewport);
  expect(response?.status(), path).toBe(200);
  return { page, errors };
}

// The rules a default axe run runs that can report a critical violation. axe gives a violation its
// rule's impact when the rule has one, else the worst of its checks' (axe-core's
// finalizeRuleResult); axe.getRules() does not expose impacts, so this reads the audit axe loaded
// into the page.
function rulesThatCanBeCritical(): string[] {
  type Ref = string | { id: string };
  const audit = (
    window as unknown as {
      axe?: {
        _audit?: {
          rules: {
            id: string;
            impact: string | null;
            enabled: boolean;
            tags: string[];
            any: Ref[];
            all: Ref[];
            none: Ref[];
          }[];
          checks: Record<string, { impact?: string | null }>;
        };
      };
    }
  ).axe?._audit;
  if (!audit) throw new Error("axe is not loaded in the page: run AxeBuilder.analyze() first");
  const checkImpact = (ref: Ref) => audit.checks[typeof ref === "string" ? ref : ref.id]?.impact;
  // Only what a default run runs: withRules() would also switch on experimental and disabled rules.
  return audit.rules
    .filter((rule) => rule.enabled !== false && !rule.tags.includes("experimental"))
    .filter((rule) =>
      rule.impact
        ? rule.impact === "critical"
        : [...rule.any, ...rule.all, ...rule.none].some((ref) => checkImpact(ref) === "critical"),
    )
    .map((rule) => rule.id);
}

describe("the handbook in a browser", () => {
  it("renders every page without console errors, fits a phone, and has no critical accessibility violation", async () => {
    expect(paths).toContain("/");
    for (const guide of GUIDES) {
      expect(paths).toContain(`/${guide}/`);
    }
    // One visit per page does all three checks: the suite must stay fast as the handbook grows.
    // The header, sidebar and footer are the same on every page: axe checks them on the first page
    // with every rule, and each page's own content (main) everywhere with the rules that can report
    // a critical violation (colour contrast, the slowest rule, is at most "serious").
    let criticalRules: string[] = [];
    const check = async (path: string, index: number) => {
      const { page, errors } = await open(path);
      expect(await page.locator("h1").first().textContent(), path).toBeTruthy();
      // Legacy mode: axe aggregates in the page instead of opening a blank page per analysis,
      // which took about a third of each visit. The handbook has no frames to reach across.
      const axe = new AxeBuilder({ page }).setLegacyMode(true);
      const results = await (index === 0 ? axe : axe.include("main").withRules(criticalRules)).analyze();
      if (index === 0) {
        criticalRules = await page.evaluate(rulesThatCanBeCritical);
        expect(criticalRules, "axe's rules that can report a critical violation").toContain("button-name");
      }
      const critical = results.violations
        .filter((v) => v.impact === "critical")
        .map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
      expect(critical, path).toEqual([]);
      await page.setViewportSize({ width: 360, height: 740 });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${path} at 360 px`).toBeLessThanOrEqual(0);
      expect(errors, path).toEqual([]);
      await page.context().close();
    };
    // The first page alone (it finds the rules), then two pages at a time, one per core: most of a
    // visit is the browser loading and axe running, which the other core can do meanwhile.
    await check(paths[0] as string, 0);
    const rest = paths.slice(1);
    await Promise.all(
      [0, 1].map(async () => {
        for (let next = rest.shift(); next !== undefined; next = rest.shift()) await check(next, 1);
      }),
    );
  }, 600_000);

  it("finds the restore procedure by search", async () => {
    const { page } = await open("/");
    await page.locator("button[data-open-modal]").first().click();
    await page.locator("#starlight__search input").fill("restore");
    const results = page.locator(".pagefind-ui__result-link");
    await results.first().waitFor({ timeout: 15_000 });
    const hrefs = await results.evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
    expect(hrefs.length).toBeGreaterThan(0);
    const texts = (await page.locator(".pagefind-ui__results").textContent()) ?? "";
    expect(texts.toLowerCase()).toContain("restore");
  });

  it("shows each embedded step's source exactly as it is in the runbook file", async () => {
    const entries = await catalog();
    const entry = entries.find((e) => e.id === "morning-health-check");
    if (!entry) throw new Error("morning-health-check missing from the catalog");
    const file = await readFile(entry.file, "utf8").catch(() =>
      readFile(`runbooks/${entry.file.replace(/^runbooks\//, "")}`, "utf8"),
    );
    const pagePath = await findPageWith(`data-runbook="${entry.id}"`);
    const { page } = await open(pagePath);
    for (const step of entry.steps) {
      // Sources are loaded when the reader opens them (the page ships none of them inline).
      const source = page.locator(`[data-source-of="${entry.id}/${step.id}"]`).first();
      expect(await source.locator(".ec-line").count()).toBe(0);
      await page
        .locator(`li[id="${entry.id}--${step.id}"] details.step-source-details > summary`)
        .first()
        .click();
      await source.locator(".ec-line").first().waitFor({ timeout: 10_000 });
      const shown = await source.evaluate((el) => {
        const lines = [...el.querySelectorAll(".ec-line")].map((line) => line.textContent ?? "");
        return lines.length > 0 ? lines.join("\n") : (el.textContent ?? "");
      });
      const expected = dedent(step.source);
      expect(shown.replace(/\s+$/gm, "")).toBe(expected.replace(/\s+$/gm, ""));
      expect(file).toContain(step.source);
    }
  });

  it("switches between the light and dark theme", async () => {
    const { page } = await open("/");
    const select = page.locator("starlight-theme-select select").first();
    await select.selectOption("light");
    expect(await page.locator("html").getAttribute("data-theme")).toBe("light");
    await select.selectOption("dark");
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
  });
});

async function findPageWith(marker: string): Promise<string> {
  for (const path of paths) {
    const html = await readFile(`${DIST}${path.replace(/^\//, "")}index.html`, "utf8").catch(() => "");
    if (html.includes(marker)) return path;
  }
  throw new Error(`no page contains ${marker}`);
}
