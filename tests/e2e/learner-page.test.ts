import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, openWithErrors } from "../../scripts/lib/browser.ts";
import { uniqueEmail } from "../support/api-client.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

// The learner page in real Chromium against the real app: sign up, practise with the accent
// buttons, see feedback and progress, on a desktop and on a phone-width screen.

let t: TestApp;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
let db: pg.Pool;

beforeAll(async () => {
  t = await startTestApp();
  chromium = await launchChromium();
  browser = chromium.browser;
  db = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
});

afterAll(async () => {
  await chromium?.close();
  await t?.stop();
  await db?.end();
});

async function openPage(viewport: {
  width: number;
  height: number;
}): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await openWithErrors(browser, `${t.url}/`, viewport);
  return { page, errors };
}

async function signUpThroughPage(page: Page): Promise<void> {
  await page.getByTestId("toggle-auth").click();
  await expectVisible(page, "signup-form");
  await page.getByTestId("display-name").fill("Browser learner");
  await page.getByTestId("email").fill(uniqueEmail("browser"));
  await page.getByTestId("password").fill("a-long-enough-password");
  await page.getByTestId("submit-auth").click();
  await page.getByTestId("sentence").waitFor({ state: "visible" });
}

async function expectVisible(page: Page, testId: string): Promise<void> {
  await page.getByTestId(testId).waitFor({ state: "visible", timeout: 10_000 });
}

async function currentItem(page: Page): Promise<{ expected: string; person: string }> {
  const sentence = ((await page.getByTestId("sentence").textContent()) ?? "").replace(/\s+/g, " ").trim();
  const { rows } = await db.query<{ sentence: string; expected: string; person: string }>(
    "SELECT sentence, expected, person FROM exercises",
  );
  // The page shows the sentence with an input in place of "___" and the verb after it.
  const match = rows.find((row) => {
    const [before = "", after = ""] = row.sentence.split("___");
    return sentence.startsWith(before.trim()) && sentence.includes(after.trim().slice(0, 12));
  });
  if (!match) throw new Error(`no exercise matches the sentence on the page: ${sentence}`);
  return match;
}

async function currentItemAnswer(page: Page): Promise<string> {
  return (await currentItem(page)).expected;
}

describe("learner page", () => {
  it("signs up, answers with the keyboard and accent buttons, and shows feedback and progress", async () => {
    const { page, errors } = await openPage({ width: 1280, height: 900 });
    await signUpThroughPage(page);

    const expected = await currentItemAnswer(page);
    const answer = page.getByTestId("answer");
    await expect(answer.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    // Type the answer, using the on-screen button for each accented letter.
    for (const char of expected) {
      if ("áéíóúüñ".includes(char)) await page.getByTestId(`accent-${char}`).click();
      else await answer.press(char === " " ? "Space" : char);
    }
    expect(await answer.inputValue()).toBe(expected);
    await answer.press("Enter");
    await expectVisible(page, "feedback");
    expect(await page.getByTestId("feedback").getAttribute("data-outcome")).toBe("correct");
    expect(await page.getByTestId("expected").textContent()).toBe(expected);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="score"]')?.textContent?.trim() === "1",
    );
    expect(((await page.getByTestId("streak").textContent()) ?? "").trim()).toBe("1");

    // Enter moves on; a wrong answer is explained.
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () => !(document.querySelector('[data-testid="answer"]') as HTMLInputElement).readOnly,
    );
    await page.getByTestId("answer").fill("xyz");
    await page.getByTestId("check").click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="feedback"]')?.getAttribute("data-outcome") === "wrong",
    );
    expect(((await page.getByTestId("feedback").textContent()) ?? "").length).toBeGreaterThan(20);
    expect(errors).toEqual([]);
  });

  it("shows the person the blank needs, and lets the learner try again after 'yo' + the verb", async () => {
    const { page, errors } = await openPage({ width: 1280, height: 900 });
    await signUpThroughPage(page);
    const { expected, person } = await currentItem(page);
    const labels: Record<string, string> = {
      "1s": "yo",
      "2s": "tú",
      "3s": "él/ella/usted",
      "1p": "nosotros",
      "2p": "vosotros",
      "3p": "ellos/ellas/ustedes",
    };
    const sentence = ((await page.getByTestId("sentence").textContent()) ?? "").trim();
    expect(sentence.endsWith(`, ${labels[person]})`), sentence).toBe(true);

    await page.getByTestId("answer").fill(`yo ${expected}`);
    await page.getByTestId("check").click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="feedback"]')?.getAttribute("data-outcome") === "extra-words",
    );
    expect(await page.getByTestId("feedback").textContent()).toContain("Type only the verb");
    expect(await page.getByTestId("expected").isVisible()).toBe(false);
    // The item stays: the learner fixes the answer and checks again.
    await page.getByTestId("answer").fill(expected);
    await page.getByTestId("check").click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="feedback"]')?.getAttribute("data-outcome") === "correct",
    );
    expect(errors).toEqual([]);
  });

  it("fits a phone screen without horizontal scrolling", async () => {
    const { page, errors } = await openPage({ width: 360, height: 740 });
    await signUpThroughPage(page);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const fontSize = await page
      .getByTestId("answer")
      .evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(16);
    expect(errors).toEqual([]);
  });

  it("shows a server error next to the form and keeps the learner logged out", async () => {
    const { page } = await openPage({ width: 1280, height: 900 });
    await page.getByTestId("email").fill(uniqueEmail("nobody"));
    await page.getByTestId("password").fill("not-the-password");
    await page.getByTestId("submit-auth").click();
    await page.waitForFunction(() => document.body.textContent.includes("Email or password is wrong."));
    expect(await page.getByTestId("sentence").isVisible()).toBe(false);
  });
});
