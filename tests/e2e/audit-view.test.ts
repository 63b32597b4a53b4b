import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disable, enable } from "../../runbooks/engine/disabled.ts";
import { launchChromium } from "../../scripts/lib/browser.ts";
import { DIST } from "../../scripts/lib/static-server.ts";
import { readStream, startTestConsole, type TestConsole } from "../support/console.ts";

// The audit log page in Chromium, served by a console whose audit log holds a finished run (with
// an artifact) and a refused attempt: both listed, the filters narrow them, a run's output and its
// artifact open below the table; signed out, it says how to get a link. A disabled environment's
// reason shows next to a runbook's Run buttons. Above the table the ledger's hash chain is checked:
// "verified: 2 entries", and after a line of the log is edited on disk, the entry where it broke.

let target: TestConsole;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
const PAGE = "/operational-runbook/audit-log/";

beforeAll(async () => {
  target = await startTestConsole({ distDir: DIST });
  const cookie = await target.signIn();
  const started = await target.api("POST", "/api/runs", {
    cookie,
    body: { runbook: "console-demo", env: "dev", step: "greet", params: { note: "seen in the audit" } },
  });
  expect(started.status).toBe(202);
  await readStream(
    await target.api("GET", ((await started.json()) as { events: string }).events, { cookie }),
  );
  const refused = await target.api("POST", "/api/runs", {
    cookie,
    body: { runbook: "console-demo", env: "dev", step: "no-such-step", params: {} },
  });
  expect(refused.status).toBe(400);
  chromium = await launchChromium();
  browser = chromium.browser;
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await target?.server.close();
  if (target) await rm(target.dataDir, { recursive: true, force: true });
});

describe("the audit view", () => {
  it("lists runs and refusals, filters them, and opens a run's output and artifact", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(target.server.loginLink(PAGE));
    await page.waitForURL(`${target.url}${PAGE}`);
    const rows = page.locator(".audit-table tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.locator(".audit-static").isHidden()).toBe(true);
    const run = page.locator('.audit-table tr[data-kind="run"]');
    expect(await run.locator("td").allTextContents()).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      "run",
      "console-demo",
      "dev",
      "tester@console",
      "ok",
      "output greeting ",
    ]);
    const refusal = page.locator('.audit-table tr[data-kind="refusal"]');
    expect(await refusal.textContent()).toMatch(
      /POST \/api\/runs \(runbook console-demo, env dev, step no-such-step\)/,
    );
    expect(await refusal.textContent()).toMatch(/refused: step/);

    await page.selectOption('select[name="result"]', "refused");
    await page.click('.audit-filter button[type="submit"]');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute("data-kind")).toBe("refusal");
    expect(page.url()).toContain("result=refused");
    await page.fill('input[name="runbook"]', "console-flaky");
    await page.selectOption('select[name="result"]', "");
    await page.click('.audit-filter button[type="submit"]');
    await expect.poll(() => page.locator(".audit-count").textContent()).toBe("0 entries match.");

    await page.fill('input[name="runbook"]', "console-demo");
    await page.fill('input[name="actor"]', "tester");
    await page.selectOption('select[name="result"]', "ok");
    await page.click('.audit-filter button[type="submit"]');
    await expect.poll(() => rows.count()).toBe(1);
    await page.click(".audit-table button.audit-log");
    await expect.poll(() => page.locator(".audit-output").textContent()).toMatch(/note: seen in the audit/);
    await page.click(".audit-table button.audit-artifact");
    await expect
      .poll(() => page.locator(".audit-output").textContent())
      .toMatch(/· greeting\n\ngreeting: seen in the audit/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("says the ledger verifies, and after a line is edited on disk names the entry where it broke", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(target.server.loginLink(PAGE));
    await page.waitForURL(`${target.url}${PAGE}`);
    const ledger = page.locator(".audit-ledger");
    await expect.poll(() => ledger.getAttribute("data-state")).toBe("verified");
    expect(await ledger.locator(".audit-ledger-head").textContent()).toMatch(
      /^Ledger verified: 2 entries, 0 signed checkpoints, in 1 file \(audit\.jsonl\)$/,
    );

    // Someone rewrites the run's line by hand: the refusal after it still records the old hash.
    const file = path.join(target.dataDir, "audit.jsonl");
    const lines = (await readFile(file, "utf8")).split("\n");
    lines[0] = (lines[0] ?? "").replace('"status":"ok"', '"status":"failed"');
    await writeFile(file, lines.join("\n"));
    await page.reload();
    await expect.poll(() => ledger.getAttribute("data-state")).toBe("broken");
    expect(await ledger.locator(".audit-ledger-head").textContent()).toMatch(
      /^Ledger broken: audit\.jsonl line 1: entry 1 was changed: audit\.jsonl line 2 records its sha256 as \w{12}…, but the line now hashes to \w{12}…$/,
    );
    expect(await ledger.locator(".audit-ledger-details").textContent()).toMatch(
      /0 entries verified before it/,
    );
    await writeFile(file, lines.join("\n").replace('"status":"failed"', '"status":"ok"'));
    await context.close();
  });

  it("tells a reader who is not signed in how to get a new sign-in link", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Not signed in: the console answers 401, and the page says how to get a link.
    await page.goto(`${target.url}${PAGE}`);
    await expect.poll(() => page.locator(".audit-signin").textContent()).toMatch(/npm run console:link/);
    expect(await page.locator(".audit-table").isHidden()).toBe(true);
    await context.close();
  });

  it("shows a disabled environment's reason next to the Run buttons of a runbook page", async () => {
    await disable(
      target.dataDir,
      { target: "env:dev", reason: "incident freeze INC-7", by: "oncall@ops" },
      3_600_000,
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(target.server.loginLink("/operational-runbook/daily-tasks/"));
    await page.waitForURL(`${target.url}/operational-runbook/daily-tasks/`);
    const section = page.locator('section[data-runbook="morning-health-check"]');
    await expect.poll(() => section.getAttribute("data-disabled")).toBe("env:dev");
    expect(await section.locator(".console-notice").textContent()).toMatch(
      /^The dev environment is disabled until \S+ by oncall@ops: incident freeze INC-7\. Runs are refused until it is enabled \(npm run runbook -- enable env:dev\)\.$/,
    );
    await enable(target.dataDir, "env:dev");
    await context.close();
  });
});
