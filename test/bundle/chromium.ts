// Debian's Chromium, driven by playwright-core: the one launch every browser test shares. It is
// the system's browser, never one Playwright downloads.
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

const executablePath = "/usr/bin/chromium";

/**
 * .ci/run installs Debian's chromium; where it cannot, the browser tests show as skipped
 * (`describe.skipIf(!haveChromium)`), not passed.
 */
export const haveChromium: boolean = existsSync(executablePath);

/** Headless Chromium for a machine whose network is closed. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      // Chromium will not run as root with its sandbox, and the CI containers run as root.
      "--no-sandbox",
      "--disable-gpu",
      // Without these, Chromium keeps trying Google's hosts on the closed network.
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * The browser of the describe block it is called in: launched before its tests, closed after.
 * The function gives it, or throws when Chromium did not start.
 */
export function chromiumForSuite(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("Chromium did not start");
    return browser;
  };
}

/** What a page logs to its console and the errors it throws, a line each, as they come. */
export function pageLog(page: Page): string[] {
  const logged: string[] = [];
  page.on("console", (message) => logged.push(`${message.type()}: ${message.text()}`));
  page.on("pageerror", (err) => logged.push(`pageerror: ${err.message}`));
  return logged;
}
