import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { launchChromium } from "../../scripts/lib/browser.ts";
import { DIST, serveDist } from "../../scripts/lib/static-server.ts";
import { GLOSSARY } from "../../src/lib/glossary.ts";
import { isoDay, repositoryUrl, reviewStatus } from "../../src/lib/page-meta.ts";

// Issue 15, the handbook for its readers, on the built site in Chromium: glossary links land on
// their terms, every page shows its ownership with the right review date and due mark, edit and
// report links name the page, "What changed" lists commits with working page links, the on-call
// path and contacts pages exist, and the overview opens with the system and the week-one path.

const DOCS = path.resolve(import.meta.dirname, "../../src/content/docs");
let site: { url: string; close(): Promise<void> };
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;

beforeAll(async () => {
  site = await serveDist();
  chromium = await launchChromium();
  browser = chromium.browser;
});

afterAll(async () => {
  await chromium?.close();
  await site?.close();
});

async function open(pathname: string): Promise<Page> {
  const page = await browser.newPage();
  const response = await page.goto(`${site.url}${pathname}`);
  expect(response?.status(), pathname).toBe(200);
  return page;
}

/** Every page's source file, id (as Starlight names it) and frontmatter. */
function pages(dir = DOCS): { file: string; id: string; url: string; data: Record<string, unknown> }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return pages(full);
    if (!/\.mdx?$/.test(entry.name)) return [];
    const rel = path.relative(DOCS, full).split(path.sep).join("/");
    const id = rel.replace(/\.mdx?$/, "").replace(/(^|\/)index$/, "");
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(full, "utf8"))?.[1] ?? "";
    return [{ file: `src/content/docs/${rel}`, id, url: id ? `/${id}/` : "/", data: parse(front) ?? {} }];
  });
}

const html = (url: string) => readFileSync(path.join(DIST, url, "index.html"), "utf8");

describe("the handbook for its readers", () => {
  it("links a term's first use to the glossary, and the link lands on the term", async () => {
    const glossary = html("/glossary/");
    for (const term of GLOSSARY) expect(glossary, term.id).toContain(`id="${term.id}"`);
    const page = await open("/incident-response/");
    const link = page.locator('.sl-markdown-content a[href="/glossary/#ic"]').first();
    expect(await link.textContent()).toMatch(/incident commander|IC/i);
    await link.click();
    await page.waitForURL(/\/glossary\/#ic$/);
    const entry = page.locator("#ic");
    expect(await entry.isVisible()).toBe(true);
    expect(await entry.locator("dt").textContent()).toContain("incident commander");
    expect(await entry.locator("dd").textContent()).toMatch(/runs an incident/);
    await page.close();
  });

  it("shows every page's owner, reviewer and last review, and marks it due after the policy's interval", async () => {
    const reviewed = pages().filter((p) => p.data.lastReviewed);
    expect(reviewed.length).toBeGreaterThan(40);
    for (const p of reviewed) {
      const h = html(p.url);
      const line = /<p class="page-ownership[^>]*>[\s\S]*?<\/p>/.exec(h)?.[0] ?? "";
      expect(line, p.url).toContain(`>${p.data.owner}</strong>`);
      expect(line, p.url).toContain(`>${p.data.reviewer}</strong>`);
      const last = new Date(String(p.data.lastReviewed));
      expect(line, p.url).toContain(`datetime="${isoDay(last)}"`);
      const built = new Date(/data-built="([^"]+)"/.exec(line)?.[1] ?? "");
      const status = reviewStatus(p.id, last, built);
      expect(line, p.url).toContain(`data-due-on="${isoDay(status.dueOn)}"`);
      expect(line, p.url).toContain(`data-due="${status.due}"`);
      expect(line.includes("Due for review since"), p.url).toBe(status.due);
    }
    const page = await open("/operational-runbook/daily-tasks/");
    const ownership = page.locator("[data-page-ownership]");
    expect(await ownership.isVisible()).toBe(true);
    expect(await ownership.textContent()).toMatch(/Owner: .+Reviewer: .+Last reviewed: \d{4}-\d\d-\d\d/);
    await page.close();
  });

  it("ends every page with an edit link to its source and a report link naming it", async () => {
    const repo = repositoryUrl();
    for (const p of pages().filter((x) => x.id !== "")) {
      const h = html(p.url);
      expect(h, p.url).toContain(`href="${repo}/edit/main/${p.file}"`);
    }
    const page = await open("/operational-runbook/backup-and-restore/");
    const edit = page.locator(
      `footer a[href="${repo}/edit/main/src/content/docs/operational-runbook/backup-and-restore.mdx"]`,
    );
    expect(await edit.isVisible()).toBe(true);
    const report = page.locator("footer a[data-report-problem]");
    expect(await report.textContent()).toContain("Report a problem");
    const url = new URL((await report.getAttribute("href")) ?? "");
    expect(`${url.origin}${url.pathname}`).toBe(`${repo}/issues/new`);
    expect(url.searchParams.get("title")).toContain(await page.locator("h1").first().textContent());
    expect(url.searchParams.get("body")).toContain("/operational-runbook/backup-and-restore/");
    await page.close();
  });

  it("lists what changed from git history, each change dated and its pages linked", async () => {
    const page = await open("/what-changed/");
    const changes = page.locator("[data-what-changed] li[data-commit]");
    expect(await changes.count()).toBeGreaterThan(0);
    const first = changes.first();
    expect(await first.locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(await first.locator("a.subject").textContent()).toBeTruthy();
    const pageLink = page.locator("[data-what-changed] .pages a").first();
    const href = (await pageLink.getAttribute("href")) ?? "";
    await pageLink.click();
    await page.waitForURL(`${site.url}${href}`);
    expect(await page.locator("h1").first().textContent()).toBeTruthy();
    await page.close();
  });

  it("has the on-call path and the contacts page", async () => {
    const onCall = await open("/incident-response/on-call/");
    const headings = (await onCall.locator(".sl-markdown-content h2").allTextContents()).join(" | ");
    for (const h of [
      "Read before your first shift",
      "Shadow shifts",
      "Reverse-shadow shifts",
      "Keep this open on shift",
      "Who to ask",
    ])
      expect(headings).toContain(h);
    await onCall.locator('a[href="/incident-response/contacts/"]').first().click();
    await onCall.waitForURL(/\/incident-response\/contacts\/$/);
    const contacts = (await onCall.locator(".sl-markdown-content").textContent()) ?? "";
    expect(contacts).toContain("Where the rota lives");
    expect(contacts).toContain("paging tool");
    expect(contacts).toContain("Incident commander");
    expect(contacts).not.toMatch(/\+\d[\d ]{6,}/); // roles, not phone numbers
    await onCall.close();
  });

  it("opens the overview with what the system is and the week-one path; console mechanics have their own page", async () => {
    const page = await open("/");
    const h2 = await page.locator(".sl-markdown-content h2").allTextContents();
    expect(h2.slice(0, 3).map((t) => t.trim())).toEqual([
      "What the system is",
      "Your first week",
      "Where to go next",
    ]);
    expect(await page.locator(".sl-markdown-content > p").first().textContent()).toContain(
      "Spanish Subjunctive Practice app",
    );
    expect(await page.locator(".sl-markdown-content").textContent()).not.toContain("one-time sign-in link:");
    const console = await open("/using-the-console/");
    const sections = (await console.locator(".sl-markdown-content h2").allTextContents()).join(" | ");
    for (const h of ["Signing in", "Running a runbook", "Deep links to a step", "Locks and the audit log"])
      expect(sections).toContain(h);
    await console.close();
    await page.close();
  });
});
