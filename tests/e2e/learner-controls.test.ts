import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openWithErrors } from "../../scripts/lib/browser.ts";
import { uniqueEmail } from "../support/api-client.ts";
import { type SmtpInbox, startSmtpInbox } from "../support/smtp-inbox.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// The learner controls in real Chromium at phone width (390 px), by keyboard: the landing page, a
// password reset through an e-mailed link, drill selection, recognition mode, feedback, the verb
// page, export and deletion. The accessibility tree is asserted (ARIA snapshots) and axe finds nothing.

let t: TestApp;
let inbox: SmtpInbox;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
const PHONE = { width: 390, height: 844 };

beforeAll(async () => {
  inbox = await startSmtpInbox();
  t = await startTestApp({
    SMTP_URL: inbox.url,
    SMTP_FROM: "no-reply@example.test",
    PUBLIC_URL: "http://link.test",
  });
  chromium = await launchChromium();
  browser = chromium.browser;
});

afterAll(async () => {
  await chromium?.close();
  await t?.stop();
  await inbox?.close();
});

async function noAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
}

async function noHorizontalScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

async function tabTo(page: Page, testId: string): Promise<void> {
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.getAttribute("data-testid"));
    if (focused === testId) return;
  }
  throw new Error(`Tab never reached ${testId}`);
}

describe("learner controls at 390 px, by keyboard", () => {
  it("landing and password reset by an e-mailed link", async () => {
    const email = uniqueEmail("page-reset");
    await t.api.ok(
      t.api.mutation("accounts.signUp", { email, password: "the-first-password", displayName: "Resetter" }),
    );
    const { page, errors } = await openWithErrors(browser, `${t.url}/`, PHONE);
    await page.getByTestId("landing").waitFor({ state: "visible" });
    expect(await page.getByTestId("landing").ariaSnapshot()).toMatch(
      /^- region "Learn when Spanish needs the subjunctive":\n {2}- heading "Learn when Spanish needs the subjunctive" \[level=2\]/,
    );
    // The landing comes before the login box in reading order.
    const order = await page.evaluate(() => {
      const landing = document.getElementById("landing");
      const auth = document.getElementById("auth");
      return landing && auth ? landing.compareDocumentPosition(auth) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
    });
    expect(order).toBeTruthy();
    await noAxeViolations(page);

    await tabTo(page, "forgot");
    await page.keyboard.press("Enter");
    await page.getByTestId("reset-email").pressSequentially(email);
    const before = inbox.messages.length;
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.getByTestId("reset-request-result").textContent())
      .toMatch(/If an account uses this address/);
    expect(await page.getByTestId("reset-request").ariaSnapshot()).toContain(
      "- status: If an account uses this address, a link to choose a new password is on its way.",
    );
    const mail = await inbox.waitFor(email, before);
    const token = /#reset=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
    expect(token).toBeDefined();

    await page.goto(`${t.url}/#reset=${token}`);
    await page.getByTestId("reset-choose").waitFor({ state: "visible" });
    expect(page.url()).not.toContain(token); // the code leaves the address bar at once
    await page.getByTestId("new-password").pressSequentially("the-second-password");
    await page.keyboard.press("Enter");
    await page.getByTestId("login-form").waitFor({ state: "visible" });
    await expect.poll(() => page.getByTestId("status").textContent()).toMatch(/new password is set/);
    await page.getByTestId("email").fill(email);
    await page.getByTestId("password").fill("the-second-password");
    await page.keyboard.press("Enter");
    await page.getByTestId("sentence").waitFor({ state: "visible" });
    await noHorizontalScroll(page);
    expect(errors).toEqual([]);
  });

  it("drill selection, recognition mode, feedback, the verb page, export and deletion", async () => {
    const { page, errors } = await openWithErrors(browser, `${t.url}/`, PHONE);
    await page.getByTestId("toggle-auth").click();
    await page.getByTestId("display-name").fill("Chooser");
    await page.getByTestId("email").fill(uniqueEmail("page-drill"));
    await page.getByTestId("password").fill("a-long-enough-password");
    await page.getByTestId("submit-auth").click();
    await page.getByTestId("sentence").waitFor({ state: "visible" });
    await expect.poll(() => page.locator("#drill-category option").count()).toBeGreaterThan(3);

    // Drill selection, by keyboard: a trigger, then "Pick the mood", then start.
    const category = page.getByTestId("drill-category");
    await category.selectOption({ index: 1 });
    const chosen = (await category.locator("option:checked").textContent())?.replace(/ \(\d+\)$/, "") ?? "";
    await page.getByTestId("mode-type").focus();
    await page.keyboard.press("ArrowDown");
    expect(await page.getByTestId("mode-mood").isChecked()).toBe(true);
    const drill = await page.getByTestId("drill").ariaSnapshot();
    expect(drill).toContain('- heading "What to drill" [level=2]');
    expect(drill).toContain(
      `- combobox "Trigger":\n      - option "All triggers"\n      - option "${chosen} (`,
    );
    expect(drill).toContain('- combobox "Tense":');
    expect(drill).toContain('- combobox "Level":');
    expect(drill).toContain('- checkbox "Only my weak spots" [disabled]');
    expect(drill).toContain(
      [
        '  - group "How to answer":',
        "    - text: How to answer",
        '    - radio "Type the form"',
        "    - text: Type the form",
        '    - radio "Pick the mood" [checked]',
        "    - text: Pick the mood",
        '    - radio "Pick the form"',
        "    - text: Pick the form",
      ].join("\n"),
    );
    await page.getByTestId("start-drill").focus();
    await page.keyboard.press("Enter");

    // Recognition: the choices are a named group, focused, answered with the keyboard.
    await page.getByTestId("choices").waitFor({ state: "visible" });
    await expect
      .poll(() => page.getByTestId("drill-status").textContent())
      .toBe(`Drilling ${chosen}, All tenses, All levels, picking the mood.`);
    expect(await page.getByTestId("choices").ariaSnapshot()).toBe(
      [
        '- group "Which mood does the blank take?":',
        "  - text: Which mood does the blank take?",
        '  - button "subjunctive"',
        '  - button "indicative"',
      ].join("\n"),
    );
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("subjunctive");
    await page.keyboard.press("Enter");
    await page.getByTestId("feedback").waitFor({ state: "visible" });
    const feedback = await page.getByTestId("feedback").ariaSnapshot();
    expect(feedback).toMatch(
      /^- paragraph: (Correct!|Not quite)\n- paragraph: "(Yes|No): the blank takes the (subjunctive|indicative) \([a-z ]+\)[^"]*"\n- paragraph:\n {2}- text: "Answer:"\n {2}- strong: \S+/,
    );
    expect(await page.getByTestId("feedback").getAttribute("aria-live")).toBe("polite");
    await noAxeViolations(page);
    await page.keyboard.press("Enter"); // focus is on Next
    await expect
      .poll(() => page.getByTestId("choices").getByRole("button", { disabled: false }).count())
      .toBe(2);

    // The verb page, from the search box, by keyboard.
    await page.getByTestId("verb-input").focus();
    await page.keyboard.type("tener");
    await page.keyboard.press("Enter");
    await page.getByTestId("verb-page").waitFor({ state: "visible" });
    expect(page.url()).toMatch(/#verb=tener$/);
    await expect.poll(() => page.getByTestId("verb-status").textContent()).toBe("All forms of tener.");
    const verbPage = await page.getByTestId("verb-page").ariaSnapshot();
    expect(verbPage).toContain('- heading "tener" [level=3]');
    expect(verbPage).toContain("Model: tener");
    expect(verbPage).toMatch(
      /- table "present subjunctive":\n\s+- caption: present subjunctive\n\s+- rowgroup:\n\s+- row "yo tenga \(irregular\)":\n\s+- rowheader "yo"\n\s+- cell "tenga \(irregular\)":\n\s+- text: ten\n\s+- mark: g\n\s+- text: a \(irregular\)/,
    );
    expect(verbPage).toContain('- link "obtener"');
    expect(await page.locator("#verb-tenses mark").first().textContent()).toBe("g");
    await noAxeViolations(page);
    await noHorizontalScroll(page);

    // Export: a JSON download of the learner's own data.
    const download = page.waitForEvent("download");
    await page.getByTestId("export").click();
    const file = await (await download).createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of file) chunks.push(chunk as Buffer);
    const exported = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    expect(exported.profile.displayName).toBe("Chooser");
    expect(exported.profile).not.toHaveProperty("passwordHash");

    // Deletion asks for the password and a confirmation, then returns to the landing page.
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByTestId("delete-password").fill("a-long-enough-password");
    await page.getByTestId("delete-password").press("Enter");
    await page.getByTestId("landing").waitFor({ state: "visible" });
    await expect
      .poll(() => page.getByTestId("status").textContent())
      .toBe("Your account and all its data are deleted.");
    expect(errors).toEqual([]);
  });
});
