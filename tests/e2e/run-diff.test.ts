import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAudit, readAuditEntries } from "../../runbooks/engine/audit.ts";
import { EXIT, main } from "../../runbooks/engine/cli.ts";
import { RUNBOOKS_DIR } from "../../runbooks/engine/paths.ts";
import { launchChromium } from "../../scripts/lib/browser.ts";
import { DIST } from "../../scripts/lib/static-server.ts";
import { startTestConsole, type TestConsole } from "../support/console.ts";

// "Compare with previous" in the run history, in Debian's Chromium: a real runbook
// (maintenance-due, which reads only the audit log) run twice through the CLI for two different
// days, then compared on the Maintenance Guide: parameters and tables marked, in words for a
// screen reader, axe-clean; the console's diff route refuses what it cannot compare, and says so.

let console_: TestConsole;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
let dataDir: string;
let runA: string;
let runB: string;
const savedDataDir = process.env.RUNBOOK_DATA_DIR;
const NOWHERE = {
  SSP_DEV_APP_URL: "http://127.0.0.1:9",
  SSP_DEV_DATABASE_URL: "postgres://nobody@127.0.0.1:9/nowhere",
  SSP_DEV_REDIS_URL: "",
};

async function runMaintenanceDue(date: string): Promise<void> {
  let err = "";
  const code = await main(["maintenance-due", "--param", `date=${date}`], {
    out: () => {},
    err: (text) => {
      err += text;
    },
    env: {
      ...process.env,
      ...NOWHERE,
      RUNBOOK_DATA_DIR: dataDir,
      SSP_DEV_STACK_FILE: path.join(dataDir, "none.json"),
    },
    runbooksDir: RUNBOOKS_DIR,
  });
  if (code !== EXIT.ok) throw new Error(`maintenance-due failed: ${err}`);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "ssp-run-diff-e2e-"));
  // maintenance-due reads the audit log from the process's data folder, as under npm start.
  process.env.RUNBOOK_DATA_DIR = dataDir;
  await runMaintenanceDue("2026-03-11");
  await runMaintenanceDue("2026-09-30");
  [runA, runB] = (await readAudit(dataDir)).map((r) => r.runId) as [string, string];
  console_ = await startTestConsole({
    distDir: DIST,
    runbooksDir: RUNBOOKS_DIR,
    dataDir,
    processEnv: NOWHERE,
  });
  chromium = await launchChromium();
  browser = chromium.browser;
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await console_?.server.close();
  await rm(dataDir, { recursive: true, force: true });
  if (savedDataDir === undefined) delete process.env.RUNBOOK_DATA_DIR;
  else process.env.RUNBOOK_DATA_DIR = savedDataDir;
});

describe("compare with previous", () => {
  it("shows the newest run beside the one before it, changes marked in words, and passes axe", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(console_.server.loginLink("/maintenance-guide/"));
    await page.waitForURL(`${console_.url}/maintenance-guide/`);
    const runbook = page.locator('section[data-runbook="maintenance-due"]');
    await expect.poll(() => runbook.getAttribute("data-console")).toBe("on");
    await runbook.locator("details.run-history > summary").click();
    const newest = runbook.locator(`.history-table tr[data-run-id="${runB}"]`);
    await newest.locator("button.history-compare").click();
    const diff = runbook.locator(`.history-diff .run-diff[data-run-b="${runB}"]`);
    await diff.waitFor();
    expect(await diff.getAttribute("data-run-a")).toBe(runA);
    expect(await diff.locator("figcaption").textContent()).toMatch(
      new RegExp(
        `^Maintenance due: run ${runA} \\(A, .*\\) compared with run ${runB} \\(B, .*\\)\\. Marked lines changed`,
      ),
    );
    // The parameter that differs, marked and named for a screen reader.
    const date = diff.locator('tr[data-what="date"]');
    expect(await date.getAttribute("data-change")).toBe("changed");
    expect(await date.locator("td").allTextContents()).toEqual(["≠", "date", "2026-03-11", "2026-09-30", ""]);
    expect(await date.locator(".diff-mark").getAttribute("aria-label")).toBe("changed");
    // Each run's table has the day in its title: one only in A, the other only in B.
    const sections = await diff.locator(".run-diff-section th").allTextContents();
    expect(sections).toContain(
      "Table “Maintenance calendar on 2026-03-11” (step due-tasks; rows matched by their first column)",
    );
    expect(sections).toContain(
      "Table “Maintenance calendar on 2026-09-30” (step due-tasks; rows matched by their first column)",
    );
    expect(
      await diff.locator('tr[data-what="Maintenance calendar on 2026-03-11"]').getAttribute("data-change"),
    ).toBe("only-a");
    // The status held: not marked.
    expect(await diff.locator('tr[data-what="status"]').getAttribute("data-change")).toBe("same");
    const results = await new AxeBuilder({ page }).include(".history-diff").analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);

    // The first run has nothing before it: the page says so instead of drawing an empty diff.
    await runbook.locator(`.history-table tr[data-run-id="${runA}"] button.history-compare`).click();
    await expect
      .poll(() => runbook.locator(".history-diff").textContent())
      .toMatch(/is the first run of maintenance-due in dev: there is no previous one to compare with/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("refuses a bad run id through the API with the reason, and records the refusal", async () => {
    const cookie = await console_.signIn();
    const before = (await readAuditEntries(dataDir)).length;
    const bad = await console_.api("GET", `/api/runs/${runB}/diff?with=..%2Fetc`, { cookie });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('with: "../etc" is not a run id');
    const unknown = await console_.api("GET", `/api/runs/${runB}/diff?with=20990101-nothing`, { cookie });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(
      /no run "20990101-nothing" in the audit log/,
    );
    const explicit = await console_.api("GET", `/api/runs/${runB}/diff?with=${runA}`, { cookie });
    expect(explicit.status).toBe(200);
    // The first refusal of a rule from one place is written at once (the rest are folded into a summary).
    await expect
      .poll(async () => (await readAuditEntries(dataDir)).slice(before).find((e) => e.kind === "refusal"))
      .toMatchObject({ kind: "refusal", rule: "unknown-run", reason: '400: with: "../etc" is not a run id' });
  });
});
