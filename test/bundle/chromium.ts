// Debian's Chromium, driven by playwright-core: the one launch every browser test shares. It is
// the system's browser, never one Playwright downloads.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

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
