import { execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleasesResponse } from "../../console/protocol.ts";
import { launchChromium } from "../../scripts/lib/browser.ts";
import { DIST } from "../../scripts/lib/static-server.ts";
import { startTestConsole, type TestConsole } from "../support/console.ts";
import { freePort } from "../support/redis-server.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// The handbook against the release each environment runs: a real app is dev (its /healthz names
// its version and commit, read from this checkout), staging points at a closed port, production is
// not configured. The console's answer counts commits with git; the footer of a page shows it.

const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
const HEAD = git("rev-parse", "HEAD");
const VERSION = "0\\.1\\.0|\\d+\\.\\d+\\.\\d+";

let app: TestApp;
let target: TestConsole;
let cookie: string;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp();
  const closed = await freePort();
  target = await startTestConsole({
    distDir: DIST,
    processEnv: {
      SSP_DEV_APP_URL: app.url,
      SSP_STAGING_APP_URL: `http://127.0.0.1:${closed}`,
      SSP_STAGING_DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
      SSP_PRODUCTION_APP_URL: "",
      SSP_PRODUCTION_DATABASE_URL: "",
    },
  });
  cookie = await target.signIn();
  chromium = await launchChromium();
  browser = chromium.browser;
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await target?.server.close();
  if (target) await rm(target.dataDir, { recursive: true, force: true });
  await app?.stop();
});

const releases = async (query: string) => target.api("GET", `/api/releases${query}`, { cookie });

describe("GET /api/releases", () => {
  it("compares the handbook's commit with what each environment runs, or says why it cannot", async () => {
    const same = (await (await releases(`?handbook=${HEAD}`)).json()) as ReleasesResponse;
    const [dev, staging, production] = same.environments;
    expect(dev).toMatchObject({ env: "dev", state: "same", commit: HEAD, ahead: 0, behind: 0 });
    expect(dev?.summary).toMatch(
      new RegExp(
        `^the handbook is the same as dev's release \\((${VERSION}), commit ${HEAD.slice(0, 12)}\\)$`,
      ),
    );
    expect(staging).toMatchObject({ env: "staging", state: "unknown" });
    expect(staging?.summary).toMatch(/^staging: unknown, http:\/\/127\.0\.0\.1:\d+ does not answer/);
    expect(production).toMatchObject({ env: "production", state: "unknown" });
    expect(production?.summary).toMatch(/^production: unknown, not configured \(.*SSP_PRODUCTION_APP_URL/);

    // A handbook built from HEAD's first parent is behind dev by the commits HEAD brings (one, or
    // a merge's whole branch).
    const parent = git("rev-parse", "HEAD~1");
    const behind = Number(git("rev-list", "--count", `${parent}..HEAD`));
    const older = (await (await releases(`?handbook=${parent}`)).json()) as ReleasesResponse;
    expect(older.environments[0]).toMatchObject({ state: "behind", ahead: 0, behind });
    expect(older.environments[0]?.summary).toMatch(
      new RegExp(`^the handbook is ${behind} commits? behind dev's release`),
    );

    // A commit this checkout does not have: unknown, with what to do.
    const stranger = (await (await releases(`?handbook=${"0".repeat(40)}`)).json()) as ReleasesResponse;
    expect(stranger.environments[0]?.summary).toMatch(/this checkout does not have both commits \(git fetch/);
  });

  it("refuses a handbook commit that is not one, and answers only a signed-in page", async () => {
    const bad = await releases("?handbook=main;rm");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/40 hex digits/);
    expect((await target.api("GET", `/api/releases?handbook=${HEAD}`)).status).toBe(401);
  });
});

describe("the footer", () => {
  it("shows under the commit line how the handbook stands against each environment's release", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(target.server.loginLink("/operational-runbook/monitoring-and-alerting/"));
    const items = page.locator(".handbook-releases li");
    // The page asks the console after it loads; each environment's /healthz may take a moment.
    await expect
      .poll(
        async () => ((await items.count()) === 3 ? 3 : `${await items.count()} items; ${errors.join(" | ")}`),
        {
          timeout: 20_000,
        },
      )
      .toBe(3);
    const built = (await page.locator(".handbook-version").getAttribute("data-commit")) ?? "";
    expect(built).toMatch(/^[0-9a-f]{40}$/);
    // The built handbook and the checkout the app runs from may differ by the commits since the build.
    const [ahead, behind] = git("rev-list", "--left-right", "--count", `${built}...${HEAD}`)
      .split(/\s+/)
      .map(Number);
    const dev = page.locator('.handbook-releases li[data-env="dev"]');
    const expected =
      ahead === 0 && behind === 0
        ? "the handbook is the same as dev's release"
        : behind && !ahead
          ? `the handbook is ${behind} commit${behind === 1 ? "" : "s"} behind dev's release`
          : "the handbook is";
    expect(await dev.textContent()).toContain(expected);
    expect(await page.locator('.handbook-releases li[data-env="staging"]').getAttribute("data-state")).toBe(
      "unknown",
    );
    expect(await page.locator('.handbook-releases li[data-env="production"]').textContent()).toMatch(
      /^production: unknown, not configured/,
    );
    expect(errors).toEqual([]);
    await context.close();
  });
});
