import { rm } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExercisedResponse } from "../../console/protocol.ts";
import { EXERCISE_POLICY } from "../../policy/exercise.ts";
import { REPO_ROOT } from "../../runbooks/engine/paths.ts";
import { launchChromium } from "../../scripts/lib/browser.ts";
import { DIST } from "../../scripts/lib/static-server.ts";
import { readStream, startTestConsole, type TestConsole } from "../support/console.ts";

// The "Last exercised" badges in Chromium, on a page served by a console whose audit log holds a
// real run of a fixture verify-backup in production (started from the console's API): fresh today,
// stale once the browser's clock is past the policy's interval, and a drill nobody ran says never.

const PAGE = "/deployment-playbook/disaster-recovery/";
const DAY = 86_400_000;
let target: TestConsole;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
let ranAt: number;
let ranId: string;

beforeAll(async () => {
  target = await startTestConsole({
    distDir: DIST,
    runbooksDir: path.join(REPO_ROOT, "tests/support/exercise-runbooks"),
    // The fixture connects to nothing; production must only be configured for the run to start.
    processEnv: {
      SSP_PRODUCTION_APP_URL: "http://127.0.0.1:9",
      SSP_PRODUCTION_DATABASE_URL: "postgres://nobody@127.0.0.1:9/none",
    },
  });
  const cookie = await target.signIn();
  const started = await target.api("POST", "/api/runs", {
    cookie,
    body: { runbook: "verify-backup", env: "production", params: {} },
  });
  expect(started.status, await started.clone().text()).toBe(202);
  const events = await readStream(
    await target.api("GET", ((await started.json()) as { events: string }).events, { cookie }),
  );
  const end = events.find((event) => event.type === "run-end");
  expect(end?.status).toBe("ok");
  ranAt = Date.parse(String(end?.at));
  ranId = String(end?.runId);
  chromium = await launchChromium();
  browser = chromium.browser;
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await target?.server.close();
  if (target) await rm(target.dataDir, { recursive: true, force: true });
});

async function openAt(clock: number | null): Promise<{ context: BrowserContext; errors: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  if (clock !== null) await page.clock.setFixedTime(new Date(clock));
  await page.goto(target.server.loginLink(PAGE));
  await page.waitForURL(`${target.url}${PAGE}`);
  return { context, errors };
}

const badge = (context: BrowserContext, runbook: string) =>
  context.pages()[0]?.locator(`.exercised[data-exercise-runbook="${runbook}"]`);

describe("GET /api/exercised", () => {
  it("is refused without a session; with one it lists the last whole success, not plans or failures", async () => {
    expect((await target.api("GET", "/api/exercised")).status).toBe(401);
    const cookie = await target.signIn();
    for (const body of [
      { runbook: "verify-backup", env: "production", plan: true, params: {} },
      { runbook: "verify-backup", env: "production", params: { fail: true } },
    ]) {
      const started = await target.api("POST", "/api/runs", { cookie, body });
      expect(started.status).toBe(202);
      await readStream(
        await target.api("GET", ((await started.json()) as { events: string }).events, { cookie }),
      );
    }
    const reply = (await (await target.api("GET", "/api/exercised", { cookie })).json()) as ExercisedResponse;
    expect(reply.lastRuns).toEqual([
      expect.objectContaining({
        runbook: "verify-backup",
        env: "production",
        runId: ranId,
        actor: "tester@console",
      }),
    ]);
  }, 60_000);
});

describe("last exercised, served by the console", () => {
  it("fresh after a run today, from the console's audit log; a drill nobody ran says never", async () => {
    const { context, errors } = await openAt(null);
    const verify = badge(context, "verify-backup");
    await expect.poll(() => verify?.getAttribute("data-exercise-source")).toBe("console");
    const production = verify?.locator('li[data-env="production"]');
    expect(await production?.getAttribute("data-state")).toBe("fresh");
    expect(await production?.textContent()).toMatch(
      /^fresh production: last ran \d{4}-\d\d-\d\d \(today\) by tester@console; required weekly \(every 7 days\), due again \d{4}-\d\d-\d\d$/,
    );
    expect(await verify?.locator(".exercised-source").textContent()).toBe("(this console's audit log)");
    const drill = badge(context, "dr-drill")?.locator('li[data-env="production"]');
    expect(await drill?.getAttribute("data-state")).toBe("never");
    expect(await drill?.textContent()).toContain("never exercised; required monthly");
    // A runbook without a requirement and without a run: one line, no badge.
    const prune = badge(context, "prune-backups");
    expect(await prune?.locator("li").textContent()).toBe("never exercised");
    expect(await prune?.locator(".exercised-state").count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("turns stale, visibly, once the reader's clock is past the policy's interval", async () => {
    const every = EXERCISE_POLICY["verify-backup"].everyDays;
    const { context, errors } = await openAt(ranAt + (every + 1) * DAY);
    const production = badge(context, "verify-backup")?.locator('li[data-env="production"]');
    await expect.poll(() => production?.getAttribute("data-state")).toBe("stale");
    expect(await production?.textContent()).toMatch(
      new RegExp(
        `^stale production: last ran \\S+ \\(${every + 1} days ago\\) .* overdue since \\d{4}-\\d\\d-\\d\\d$`,
      ),
    );
    // Not by colour alone: the line carries a bar, and it differs from a fresh line's look.
    const bar = await production?.evaluate((element) => getComputedStyle(element).borderInlineStartWidth);
    expect(bar).toBe("3px");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("still fresh one day before the interval ends", async () => {
    const every = EXERCISE_POLICY["verify-backup"].everyDays;
    const { context } = await openAt(ranAt + (every - 1) * DAY);
    const production = badge(context, "verify-backup")?.locator('li[data-env="production"]');
    await expect.poll(() => production?.getAttribute("data-state")).toBe("fresh");
    expect(await production?.evaluate((element) => getComputedStyle(element).borderInlineStartWidth)).toBe(
      "0px",
    );
    await context.close();
  });
});
