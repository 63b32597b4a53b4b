import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../scripts/lib/browser.ts";
import { DIST } from "../../scripts/lib/static-server.ts";
import { startTestConsole, type TestConsole } from "../support/console.ts";

// Signing in as yourself, in Chromium on the real pages: two operators open their personal links
// in two browsers and each page says who is signed in; a third signs in on the sign-in page with
// an SSH key (a throwaway key, signing with the exact command the page shows).

const run = promisify(execFile);
const PAGE = "/operational-runbook/daily-tasks/";
const AUDIT = "/operational-runbook/audit-log/";
let dir: string;
let target: TestConsole;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
const keys: Record<string, string> = {};

async function makeKey(name: string): Promise<string> {
  const file = path.join(dir, `id_${name}`);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@test`, "-f", file]);
  keys[name] = file;
  return (await readFile(`${file}.pub`, "utf8")).trim().split(" ").slice(0, 2).join(" ");
}

const signedInName = (page: Page) => page.locator(".console-operator-name").first().textContent();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-identity-e2e-"));
  const signers = path.join(dir, "allowed_signers");
  await writeFile(
    signers,
    `alice@example.org ${await makeKey("alice")}\nbob ${await makeKey("bob")}\ncarol ${await makeKey("carol")}\n`,
  );
  target = await startTestConsole({ distDir: DIST, processEnv: { SSP_ALLOWED_SIGNERS: signers } });
  chromium = await launchChromium();
  browser = chromium.browser;
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await target?.server.close();
  if (target) await rm(target.dataDir, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

describe("signing in as yourself", () => {
  it("two operators' personal links: each page says who is signed in", async () => {
    const alice = await (await browser.newContext()).newPage();
    const bob = await (await browser.newContext()).newPage();
    await alice.goto(await target.server.operatorLink("alice@example.org", PAGE));
    await bob.goto(await target.server.operatorLink("bob", PAGE));
    await alice.waitForURL(`${target.url}${PAGE}`);
    await bob.waitForURL(`${target.url}${PAGE}`);
    await expect.poll(() => signedInName(alice)).toBe("alice@example.org");
    await expect.poll(() => signedInName(bob)).toBe("bob");
    expect(await alice.locator(".console-operator").first().textContent()).toContain(
      "personal one-time link",
    );
    await bob.goto(`${target.url}${AUDIT}`);
    await expect.poll(() => signedInName(bob)).toBe("bob");
    await alice.context().close();
    await bob.context().close();
  });

  it("signs in with an SSH key on the sign-in page, with the command it shows", async () => {
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${target.url}/console/login`);
    await page.getByRole("button", { name: "Get a challenge" }).click();
    const command = (await page.locator("#key-command").textContent()) ?? "";
    expect(command).toContain("ssh-keygen -Y sign -n ssp-console-login -f ~/.ssh/id_ed25519");
    expect(command).toContain(target.url);
    const { stdout } = await run("sh", ["-c", command.replace("~/.ssh/id_ed25519", keys.carol as string)]);
    await page.locator("#key-signature").fill(stdout);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${target.url}/`);
    await page.goto(`${target.url}${PAGE}`);
    await expect.poll(() => signedInName(page)).toBe("carol");
    expect(await page.locator(".console-operator").first().textContent()).toContain("an SSH key");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("says why a signature is refused, and signs no one in", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${target.url}/console/login`);
    await page.getByRole("button", { name: "Get a challenge" }).click();
    await page.locator("#key-signature").fill("not a signature");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator("#status").textContent()).toMatch(/not an SSH signature/);
    await page.goto(`${target.url}${PAGE}`);
    await expect.poll(() => page.locator(".console-signin").first().textContent()).toMatch(/not signed in/);
    await page.context().close();
  });
});
