import { existsSync } from "node:fs";
import { type Browser, chromium, type Page, type Response } from "playwright-core";

// Debian's Chromium, driven by playwright-core: no browser download (none is possible here).

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it with: apt-get install -y chromium (or set CHROMIUM_PATH).`,
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Without the background-networking flags Chromium keeps dialling out on a machine with no network.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    // Playwright gives each launch a fresh temporary profile and removes it on close.
    close: () => browser.close(),
  };
}

/**
 * Opens a URL in a fresh context (pages share no state; axe-core needs a context each) and
 * collects the page's console errors and uncaught exceptions for the test to assert on.
 */
export async function openWithErrors(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number },
): Promise<{ page: Page; errors: string[]; response: Response | null }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  const response = await page.goto(url);
  return { page, errors, response };
}
