import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAINTENANCE_TASK_LIST } from "../../policy/index.ts";
import { readAudit } from "../../runbooks/engine/audit.ts";
import { RUNBOOKS_DIR } from "../../runbooks/engine/paths.ts";
import { launchChromium } from "../../scripts/lib/browser.ts";
import { DIST } from "../../scripts/lib/static-server.ts";
import { Announcer, type AnnouncerClock, LINES_MS, SOON_MS } from "../../src/scripts/run-announcer.ts";
import { readStream, startTestConsole, type TestConsole } from "../support/console.ts";

// The run view for an operator at 3 a.m., in Debian's Chromium, with no stack needed:
// - a real runbook (maintenance-due, which reads only the audit log) run from the Maintenance Guide
//   draws its table as an HTML table, says every status in words, is announced at a pace (the
//   announcer's count of what it said), passes axe, and its accessibility tree is asserted;
// - focus follows the destructive confirmation (Back returns it, Run moves it to the status);
// - from the audit view, a failed run (console fixtures) is resumed from its failed step and its
//   failed step re-run, each showing the run's parameters first, and both runs are audited;
// - the announcer's pacing under a 3,000-line burst, with a hand-driven clock.

let real: TestConsole;
let fixtures: TestConsole;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
const savedDataDir = process.env.RUNBOOK_DATA_DIR;
// dev points at ports nothing listens on: runbooks that need the stack fail fast, harmlessly.
const NOWHERE = {
  SSP_DEV_APP_URL: "http://127.0.0.1:9",
  SSP_DEV_DATABASE_URL: "postgres://nobody@127.0.0.1:9/nowhere",
  SSP_DEV_REDIS_URL: "",
};

beforeAll(async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "ssp-run-view-"));
  // maintenance-due reads the audit log from the process's data folder, as under npm start.
  process.env.RUNBOOK_DATA_DIR = dataDir;
  [real, fixtures] = await Promise.all([
    startTestConsole({ distDir: DIST, runbooksDir: RUNBOOKS_DIR, dataDir, processEnv: NOWHERE }),
    startTestConsole({ distDir: DIST, processEnv: NOWHERE }),
  ]);
  chromium = await launchChromium();
  browser = chromium.browser;
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await Promise.all([real?.server.close(), fixtures?.server.close()]);
  for (const c of [real, fixtures]) if (c) await rm(c.dataDir, { recursive: true, force: true });
  if (savedDataDir === undefined) delete process.env.RUNBOOK_DATA_DIR;
  else process.env.RUNBOOK_DATA_DIR = savedDataDir;
});

async function signedIn(
  target: TestConsole,
  page: string,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tab = await context.newPage();
  const errors: string[] = [];
  tab.on("pageerror", (error) => errors.push(error.message));
  await tab.goto(target.server.loginLink(page));
  await tab.waitForURL(`${target.url}${page}`);
  return { context, page: tab, errors };
}

/** Everything the announcer's live region says from now on, in order. */
async function recordAnnouncements(page: Page, selector: string): Promise<() => Promise<string[]>> {
  await page.evaluate((sel) => {
    const region = document.querySelector(sel) as HTMLElement;
    const said: string[] = [];
    (window as unknown as { said: string[] }).said = said;
    new MutationObserver(() => {
      if (region.textContent) said.push(region.textContent);
    }).observe(region, { childList: true, characterData: true, subtree: true });
  }, selector);
  return () => page.evaluate(() => (window as unknown as { said: string[] }).said);
}

/** Whether the focused element has this class (Astro adds its own scoping classes). */
function hasFocus(page: Page, className: string): Promise<boolean> {
  return page.evaluate((name) => document.activeElement?.classList.contains(name) ?? false, className);
}

async function axeViolations(page: Page, include: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).include(include).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`);
}

describe("the run view", () => {
  it("draws a step's table, says statuses in words, paces announcements, passes axe", async () => {
    const { context, page, errors } = await signedIn(real, "/maintenance-guide/");
    const runbook = page.locator('section[data-runbook="maintenance-due"]');
    // The page's console code has wired the buttons (a press before that would run nothing).
    await expect.poll(() => runbook.getAttribute("data-console")).toBe("on");
    await runbook.locator('[data-param="date"]').fill("2026-03-11");
    const said = await recordAnnouncements(page, 'section[data-runbook="maintenance-due"] .run-announcer');
    const runAll = runbook.locator(".run-all");
    await runAll.focus();
    await page.keyboard.press("Enter");
    const panel = runbook.locator(".run-panel");
    await expect.poll(() => panel.getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");

    // The table: a caption, a header cell per column, a row per calendar task.
    const table = panel.locator(".run-log table");
    expect(await table.locator("caption").textContent()).toBe("Maintenance calendar on 2026-03-11");
    expect(await table.locator('thead th[scope="col"]').allTextContents()).toEqual([
      "status",
      "cadence",
      "when",
      "task",
      "detail",
      "command to run",
    ]);
    expect(await table.locator("tbody tr").count()).toBe(MAINTENANCE_TASK_LIST.length);
    // The lines around it are still lines, in order.
    expect(await panel.locator(".run-log .line").first().textContent()).toMatch(/^audit log /);

    // Status in words beside each icon; the icon is hidden from the accessibility tree.
    expect(await panel.locator(".run-progress li").allTextContents()).toEqual([
      expect.stringMatching(/^✔ Runs in the audit log \(ok, \d+\.\d s\)$/),
      expect.stringMatching(/^✔ Due and overdue tasks \(ok, \d+\.\d s\)$/),
    ]);
    expect(await panel.locator(".run-status").textContent()).toMatch(/^Run \S+ succeeded in \d+\.\d s$/);

    // A polite status region speaks for the output: a few paced announcements, the result last.
    await expect.poll(async () => (await said()).at(-1)).toMatch(/Run \S+ succeeded in \d+\.\d s\.$/);
    const announcements = await said();
    expect(announcements.length).toBeLessThanOrEqual(6);
    expect(announcements.join(" ")).toMatch(/Step 1 of 2 started: Runs in the audit log/);
    expect(announcements.join(" ")).toMatch(
      new RegExp(`Table Maintenance calendar on 2026-03-11, ${MAINTENANCE_TASK_LIST.length} rows`),
    );
    expect(await panel.locator(".run-log").getAttribute("aria-live")).toBeNull();

    // Focus stayed on the button pressed (it is still there); the output is reachable by keyboard.
    expect(await hasFocus(page, "run-all")).toBe(true);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await runbook.locator(".run-log").getAttribute("tabindex")).toBe("0");

    const snapshot = await panel.ariaSnapshot();
    expect(snapshot).toMatch(/^- region "Run of Maintenance due":/);
    expect(snapshot).toMatch(
      /- list "Steps":\n\s+- listitem: Runs in the audit log \(ok, \d+\.\d s\)\n\s+- listitem: Due and overdue tasks \(ok, \d+\.\d s\)/,
    );
    expect(snapshot).toMatch(/- region "Output of the run":/);
    expect(snapshot).toMatch(/- table "Maintenance calendar on 2026-03-11":/);
    expect(snapshot).toMatch(/- columnheader "command to run"/);
    // The live region said it all, in order, in one paced announcement for a run this short.
    expect(snapshot).toMatch(
      /- status: "Running Maintenance due in dev \(run \S+\), 2 steps\. Step 1 of 2 started: Runs in the audit log\. \d+ new lines of output, 1 on error output\. .* Run \S+ succeeded in \d+\.\d s\."/,
    );
    expect(await axeViolations(page, 'section[data-runbook="maintenance-due"]')).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("moves focus sensibly around a destructive confirmation", async () => {
    const { context, page, errors } = await signedIn(real, "/incident-response/toolkit/");
    const runbook = page.locator('section[data-runbook="revoke-all-sessions"]');
    await expect.poll(() => runbook.getAttribute("data-console")).toBe("on");
    const button = runbook.locator('li.runbook-step[data-danger="destructive"] button.run-step').first();
    const confirm = runbook.locator(".console-confirm");
    await button.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => confirm.isVisible()).toBe(true);
    expect(await hasFocus(page, "confirm-input")).toBe(true);
    // Back (Escape): the box goes and focus returns to the button that opened it; nothing ran.
    await page.keyboard.press("Escape");
    await expect.poll(() => confirm.isHidden()).toBe(true);
    expect(await button.evaluate((b) => b === document.activeElement)).toBe(true);
    expect(await runbook.locator(".console-notice").textContent()).toBe(
      "Not run: the destructive step was not confirmed.",
    );
    // Confirmed: the box goes and the run's status line takes the focus (the step then fails: no stack).
    await page.keyboard.press("Enter");
    await confirm.locator("input").fill("dev");
    await page.keyboard.press("Enter");
    const panel = runbook.locator(".run-panel");
    await expect.poll(() => panel.getAttribute("data-state"), { timeout: 20_000 }).toBe("failed");
    expect(await hasFocus(page, "run-status")).toBe(true);
    expect(await panel.locator(".run-status").textContent()).toMatch(/failed/);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("re-running a failed run from the audit view", () => {
  it("resumes from the failed step and re-runs it, showing the run's parameters first", async () => {
    const cookie = await fixtures.signIn();
    const started = await fixtures.api("POST", "/api/runs", {
      cookie,
      body: { runbook: "console-flaky", env: "dev", params: { label: "night shift" } },
    });
    const { runId, events } = (await started.json()) as { runId: string; events: string };
    await readStream(await fixtures.api("GET", events, { cookie }));
    const artifacts = path.join(fixtures.dataDir, "artifacts", "console-flaky");
    await writeFile(path.join(artifacts, "flag"), "");

    const { context, page, errors } = await signedIn(fixtures, "/operational-runbook/audit-log/");
    const row = page.locator(`.audit-table tr[data-run-id="${runId}"]`);
    await row.waitFor();
    expect(await row.locator("td").nth(5).textContent()).toBe("failed");
    const resume = row.locator("button.audit-resume-open");
    expect(await resume.textContent()).toBe("Resume from second…");
    expect(await row.locator("button.audit-rerun-step").textContent()).toBe("Re-run step second…");

    // First press: the box says what would run and with which parameters; nothing runs.
    await resume.click();
    const box = page.locator(".audit-resume");
    await expect.poll(() => box.locator(".audit-resume-what").textContent()).toMatch(/^It runs second, /);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("audit-resume-title");
    const boxSnapshot = await box.ariaSnapshot();
    expect(boxSnapshot).toContain(`- heading "Resume run ${runId} of console-flaky in dev" [level=2]`);
    expect(boxSnapshot).toMatch(
      /- table "Parameters it reuses":[\s\S]*- rowheader "label"\n\s+- cell "night shift"/,
    );
    expect(boxSnapshot).toContain('- button "Resume"');
    expect(await axeViolations(page, ".audit-view")).toEqual([]);
    await box.locator(".audit-resume-back").click();
    expect(await box.isHidden()).toBe(true);
    expect(await resume.evaluate((b) => b === document.activeElement)).toBe(true);
    expect((await readAudit(fixtures.dataDir)).length).toBe(1);

    // Resumed: the run streams below, is audited as resuming the failed one, and ran only "second".
    await resume.click();
    await box.locator(".audit-resume-go").click();
    const panel = page.locator(".audit-view .run-panel");
    await expect.poll(() => panel.getAttribute("data-state"), { timeout: 15_000 }).toBe("ok");
    expect(await hasFocus(page, "run-status")).toBe(true);
    const resumed = (await readAudit(fixtures.dataDir)).at(-1);
    expect(resumed).toMatchObject({ resumedFrom: runId, status: "ok", params: { label: "night shift" } });
    expect(resumed?.steps.map((s) => s.id)).toEqual(["second"]);
    const newRow = page.locator(`.audit-table tr[data-run-id="${resumed?.runId}"]`);
    await expect.poll(() => newRow.locator("td").nth(5).textContent()).toBe(`ok (resumes ${runId})`);

    // Re-run the failed step alone, with the parameters the failed run had.
    await row.locator("button.audit-rerun-step").click();
    await expect
      .poll(() => box.locator(".audit-resume-what").textContent())
      .toMatch(/^It runs step second alone/);
    expect(await box.locator(".audit-resume-params tbody").textContent()).toBe("labelnight shift");
    await box.locator(".audit-resume-go").click();
    await expect.poll(async () => (await readAudit(fixtures.dataDir)).length, { timeout: 15_000 }).toBe(3);
    const rerun = (await readAudit(fixtures.dataDir)).at(-1);
    expect(rerun).toMatchObject({ status: "ok", resumedFrom: null, params: { label: "night shift" } });
    expect(rerun?.steps.map((s) => s.id)).toEqual(["second"]);
    expect(await readFile(path.join(artifacts, "ran.log"), "utf8")).toBe("first\nsecond\nsecond\nsecond\n");
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("the announcer under a 3,000-line burst", () => {
  /** A clock the test drives: timers fire only when it says so. */
  function handClock(): AnnouncerClock & { fire(): void; pending(): number[] } {
    const timers = new Map<number, { callback: () => void; ms: number }>();
    let next = 0;
    return {
      set(callback, ms) {
        next += 1;
        timers.set(next, { callback, ms });
        return next;
      },
      clear(handle) {
        timers.delete(handle as number);
      },
      fire() {
        const due = [...timers.entries()];
        timers.clear();
        for (const [, timer] of due) timer.callback();
      },
      pending: () => [...timers.values()].map((t) => t.ms),
    };
  }

  it("says the step start, one count of the lines per interval, the step end and the result", () => {
    const clock = handClock();
    const said: string[] = [];
    const announcer = new Announcer((text) => said.push(text), clock);
    announcer.say("Step 1 of 1 started: Burst");
    for (let i = 0; i < 1_500; i++) announcer.line("stdout");
    // Lines never push the step's announcement back: it is due SOON_MS after it came.
    expect(clock.pending()).toEqual([SOON_MS]);
    clock.fire();
    for (let i = 0; i < 1_500; i++) announcer.line(i % 500 === 0 ? "stderr" : "stdout");
    expect(clock.pending()).toEqual([LINES_MS]);
    announcer.say("Step Burst ok in 0.4 s");
    announcer.finish("Run r1 succeeded in 0.5 s");
    clock.fire();
    expect(said).toEqual([
      "Step 1 of 1 started: Burst. 1500 new lines of output.",
      "1500 new lines of output, 3 on error output. Step Burst ok in 0.4 s. Run r1 succeeded in 0.5 s.",
    ]);
  });
});
