import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAuditEntries } from "../../runbooks/engine/audit.ts";
import { RUNBOOKS_DIR } from "../../runbooks/engine/paths.ts";
import { launchChromium } from "../../scripts/lib/browser.ts";
import { DIST } from "../../scripts/lib/static-server.ts";
import { startTestConsole, type TestConsole } from "../support/console.ts";
import {
  type BackfilledPrometheus,
  prometheusInstalled,
  startBackfilledPrometheus,
} from "../support/prometheus.ts";

// The error budget on the page, in Debian's Chromium, on the real handbook pages and runbooks: a
// console whose production Prometheus (backfilled) says the availability budget is spent. The SLO
// page shows it frozen; the deploy runbook shows the budget once production is chosen, and Run
// says why it did not run, with the figures. Nothing connects to production: the gate refuses first.

const MINUTES = 120;
const probe = Array.from({ length: MINUTES }, (_, m) => (m >= 30 && m < 40 ? 0 : 1));

let dir = "";
let prometheus: BackfilledPrometheus | undefined;
let target: TestConsole;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
let context: BrowserContext;

async function open(route: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${target.url}${route}`);
  return page;
}

describe.skipIf(!prometheusInstalled)("the error budget on the page", () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ssp-budget-e2e-"));
    prometheus = await startBackfilledPrometheus(path.join(dir, "prometheus"), {
      'probe_success{job="practice-app-readyz",instance="app1"}': probe,
    });
    target = await startTestConsole({
      distDir: DIST,
      runbooksDir: RUNBOOKS_DIR,
      dataDir: path.join(dir, "data"),
      processEnv: {
        SSP_PRODUCTION_APP_URL: "http://127.0.0.1:9",
        SSP_PRODUCTION_DATABASE_URL: "postgres://ops@127.0.0.1:9/never",
        SSP_PRODUCTION_PROMETHEUS_URL: prometheus.url,
      },
    });
    chromium = await launchChromium();
    browser = chromium.browser;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(target.server.loginLink("/operational-runbook/slo/"));
    await page.waitForURL(`${target.url}/operational-runbook/slo/`);
    await page.close();
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await chromium?.close();
    await target?.server.close();
    await prometheus?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("the SLO gate's page shows production's budget, frozen", async () => {
    const page = await open("/operational-runbook/error-budget-gate/");
    const status = page.locator(".budget-page-status");
    await expect.poll(() => status.getAttribute("data-state"), { timeout: 20_000 }).toBe("frozen");
    expect(await status.textContent()).toMatch(
      /^Availability error budget of production: 0\.5% of 28d \(201\.6 min\); spent \d+\.\d%, remaining -\d+\.\d%\. FROZEN: the error budget is spent/,
    );
    await page.close();
  }, 60_000);

  it("deploy shows the budget in production, and Run says why it did not run, audited", async () => {
    const page = await open("/cicd-workflow/deployment-pipelines/");
    const runbook = page.locator('section[data-runbook="deploy"]');
    await expect.poll(() => runbook.getAttribute("data-console"), { timeout: 20_000 }).toBe("on");
    const status = runbook.locator(".budget-status");
    expect(await status.isVisible()).toBe(false);
    await runbook.locator("select.console-env").selectOption("production");
    await expect.poll(() => status.getAttribute("data-state"), { timeout: 20_000 }).toBe("frozen");
    expect(await status.textContent()).toContain("FROZEN");
    expect(await runbook.locator(".budget-emergency-input").isVisible()).toBe(true);
    await runbook.locator("button.run-all").click();
    const notice = runbook.locator(".console-notice");
    await expect.poll(() => notice.textContent(), { timeout: 20_000 }).toMatch(/production is frozen/);
    expect(await notice.textContent()).toMatch(/spent \d+\.\d%, remaining -\d+\.\d%/);
    // The console queues refusals to the audit log (runbooks/engine/audit.ts folds repeats), so the
    // entry lands just after the answer the page shows.
    await expect
      .poll(async () => (await readAuditEntries(target.dataDir)).filter((e) => e.kind === "refusal").at(-1))
      .toMatchObject({ source: "console", rule: "error-budget-freeze" });
    expect((await readAuditEntries(target.dataDir)).filter((e) => e.kind === "run")).toEqual([]);
    await page.close();
  }, 60_000);
});
