import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAudit } from "../../runbooks/engine/audit.ts";
import { RUNBOOKS_DIR } from "../../runbooks/engine/paths.ts";
import { launchChromium } from "../../scripts/lib/browser.ts";
import { DIST } from "../../scripts/lib/static-server.ts";
import { startTestConsole, type TestConsole } from "../support/console.ts";
import { type ScratchStack, startScratchStack } from "../support/runbooks.ts";

// Two real runs of the load-test runbook (smoke, against a scratch app) compared on the Scaling
// Guide with "Compare with previous": the baseline verdicts of each measure, and both runs' p95 and
// throughput drawn on one chart. Nothing here is timed: whatever the figures, the verdicts and the
// lines are there. In the `alone` project: it sends load.

let stack: ScratchStack;
let console_: TestConsole;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;

beforeAll(async () => {
  stack = await startScratchStack();
  for (let i = 0; i < 2; i++) {
    const { result, output } = await stack.run("load-test", { params: { profile: "smoke" } });
    // A smoke run on a busy machine may miss a threshold; the summary is left either way.
    if (result.failedStep === "preflight") throw new Error(`load-test did not start: ${output.join("\n")}`);
  }
  console_ = await startTestConsole({
    distDir: DIST,
    runbooksDir: RUNBOOKS_DIR,
    dataDir: stack.dataDir,
    processEnv: stack.env,
  });
  chromium = await launchChromium();
  browser = chromium.browser;
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await console_?.server.close();
  await stack?.stop();
});

describe("compare with previous, for two load-test runs", () => {
  it("lists the verdict of each measure and overlays both runs' lines on one chart", async () => {
    const [runA, runB] = (await readAudit(stack.dataDir)).map((r) => r.runId);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(console_.server.loginLink("/scaling-guide/application/"));
    await page.waitForURL(`${console_.url}/scaling-guide/application/`);
    const runbook = page.locator('section[data-runbook="load-test"]');
    await expect.poll(() => runbook.getAttribute("data-console")).toBe("on");
    await runbook.locator("details.run-history > summary").click();
    await runbook.locator(`.history-table tr[data-run-id="${runB}"] button.history-compare`).click();
    const diff = runbook.locator(`.history-diff .run-diff[data-run-b="${runB}"]`);
    await diff.waitFor();
    expect(await diff.getAttribute("data-run-a")).toBe(runA);
    for (const measure of [
      "p95 latency of practice calls",
      "error rate (http_req_failed)",
      "throughput (requests per second)",
    ])
      expect(await diff.locator(`tr[data-what="${measure}"] td`).last().textContent()).toMatch(
        /^(regressed by|held \(|improved by)/,
      );
    const overlay = runbook.locator(".history-diff .load-test-overlay");
    await overlay.waitFor();
    for (const line of ["p95.run-a", "p95.run-b", "throughput.run-a", "throughput.run-b"])
      expect(await overlay.locator(`path.${line}`).getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+ L/);
    expect(await overlay.locator("path.run-a").first().getAttribute("stroke-dasharray")).toBe("5 4");
    expect(await overlay.locator("figcaption").textContent()).toContain(
      `run ${runA} (A) dashed, run ${runB} (B) solid`,
    );
    expect(errors).toEqual([]);
    await context.close();
  });
});
