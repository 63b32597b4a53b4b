import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateUp } from "../../practice-app/src/db/migrations.ts";
import { readAuditEntries } from "../../runbooks/engine/audit.ts";
import { RUNBOOKS_DIR } from "../../runbooks/engine/paths.ts";
import { NAMESPACES } from "../../runbooks/engine/ssh-signatures.ts";
import { launchChromium } from "../../scripts/lib/browser.ts";
import { DIST } from "../../scripts/lib/static-server.ts";
import { startTestConsole, type TestConsole } from "../support/console.ts";
import { createDatabase, dropDatabase, uniqueName } from "../support/services.ts";

// Two-person approval on the page, in Debian's Chromium: a real runbook (purge-sessions, on the
// Maintenance Guide) in "production" (a scratch database with the app's schema). Run all is refused
// without a receipt; Plan all steps shows the receipt with the ssh-keygen command that signs it;
// that very command, run with bob's key made for this test, prints the signature pasted back
// (mallory's, an unlisted key, is not accepted); Apply runs it, and the audit log says so.

const PAGE = "/maintenance-guide/database-maintenance/";
let target: TestConsole;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
let dir = "";
let dbName = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ssp-approval-e2e-"));
  for (const name of ["bob", "mallory"])
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path.join(dir, name)]);
  const bob = (await readFile(path.join(dir, "bob.pub"), "utf8")).trim();
  await writeFile(path.join(dir, "allowed_signers"), `bob namespaces="${NAMESPACES.approval}" ${bob}\n`);
  dbName = uniqueName("approval_e2e");
  const databaseUrl = await createDatabase(dbName);
  await migrateUp(databaseUrl, () => undefined);
  target = await startTestConsole({
    distDir: DIST,
    runbooksDir: RUNBOOKS_DIR,
    processEnv: {
      SSP_PRODUCTION_APP_URL: "http://127.0.0.1:9",
      SSP_PRODUCTION_DATABASE_URL: databaseUrl,
      SSP_PRODUCTION_REDIS_URL: "",
      SSP_ALLOWED_SIGNERS: path.join(dir, "allowed_signers"),
    },
  });
  chromium = await launchChromium();
  browser = chromium.browser;
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await target?.server.close();
  if (target) await rm(target.dataDir, { recursive: true, force: true });
  if (dbName) await dropDatabase(dbName);
  await rm(dir, { recursive: true, force: true });
});

/** What `command` prints when run in a shell, with the key the page names replaced by `key`. */
function sign(command: string, key: string): string {
  return execFileSync("bash", ["-c", command.replace("~/.ssh/id_ed25519", key)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
}

describe("approval on the page", () => {
  it("refuses a change without a receipt, shows the receipt beside the plan, takes a pasted signature, applies", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(target.server.loginLink(PAGE));
    await page.waitForURL(`${target.url}${PAGE}`);
    const runbook = page.locator('section[data-runbook="purge-sessions"]');
    await expect.poll(() => runbook.getAttribute("data-console")).toBe("on");
    await runbook.locator("select.console-env").selectOption("production");

    await runbook.locator(".run-all").click();
    await expect
      .poll(() => runbook.locator(".console-notice").textContent())
      .toMatch(/Not run: a change in production needs a plan approved by a second person/);

    await runbook.locator(".plan-all").click();
    const panel = runbook.locator(".approval-panel");
    await panel.waitFor({ timeout: 30_000 });
    expect(await panel.locator(".approval-summary").textContent()).toMatch(
      /purge-sessions in production, steps count-before, purge, count-after, planned by tester@console/,
    );
    expect(await panel.locator(".approval-plan").textContent()).toMatch(/\[plan\] DELETE 0 session\(s\)/);
    expect(await panel.locator(".approval-approve-command").textContent()).toMatch(
      /^npm run runbook -- approve \S+\.receipt\.json$/,
    );
    const command = (await panel.locator(".approval-sign-command").textContent()) ?? "";
    expect(command).toMatch(/\| ssh-keygen -Y sign -f ~\/\.ssh\/id_ed25519 -n ssp-approval$/);
    const apply = panel.locator(".approval-apply");
    expect(await apply.isDisabled()).toBe(true);

    // An unlisted key's signature is not accepted, and Apply stays off.
    await panel.locator("textarea.approval-signature").fill(sign(command, path.join(dir, "mallory")));
    await panel.locator(".approval-check").click();
    await expect
      .poll(() => panel.locator(".approval-status").textContent())
      .toMatch(/^Not accepted: the approval is not signed by a key in/);
    expect(await apply.isDisabled()).toBe(true);

    await panel.locator("textarea.approval-signature").fill(sign(command, path.join(dir, "bob")));
    await panel.locator(".approval-check").click();
    await expect.poll(() => panel.locator(".approval-status").textContent()).toMatch(/^Signed by bob\./);
    await apply.click();
    const runPanel = runbook.locator(".run-panel");
    await expect
      .poll(
        async () => {
          const entries = await readAuditEntries(target.dataDir);
          return entries.some((e) => e.kind === "run" && e.runbook === "purge-sessions" && !e.plan);
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    await expect.poll(() => runPanel.getAttribute("data-state"), { timeout: 30_000 }).toBe("ok");

    const entries = await readAuditEntries(target.dataDir);
    const approvals = entries.flatMap((e) => (e.kind === "approval" ? [[e.action, e.signer ?? null]] : []));
    expect(approvals).toEqual([
      ["planned", null],
      ["signed", "bob"],
      ["applied", "bob"],
    ]);
    const refusals = entries.flatMap((e) => (e.kind === "refusal" ? [e.rule] : []));
    expect(refusals).toEqual(["approval-required", "approval-signature"]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
