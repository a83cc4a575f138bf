// The browser bundle in a real browser: Debian's Chromium, driven by playwright-core, loads
// dist/browser.js as a module and runs the same workload as the sources. The page is served by
// Playwright's request routing, so no server or network is involved.
import { existsSync, readFileSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dist, expected, input, type WorkloadInput, type WorkloadResult, workload } from "./workload.ts";

const executablePath = "/usr/bin/chromium";
const origin = "http://hash-helper.test";

// .ci/run installs Debian's chromium; where it cannot, these tests show as skipped, not passed.
describe.skipIf(!existsSync(executablePath))("dist/browser.js in Chromium", () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath,
      // The machine's network is closed: without these, Chromium keeps trying Google's hosts.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("gives the sources' results for every method, error and API, and logs nothing", async () => {
    if (!browser) throw new Error("Chromium did not start");
    const page = await browser.newPage();
    const logged: string[] = [];
    page.on("console", (message) => logged.push(`${message.type()}: ${message.text()}`));
    page.on("pageerror", (err) => logged.push(`pageerror: ${err.message}`));
    await page.route(`${origin}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === "/browser.js") {
        return route.fulfill({ contentType: "text/javascript", body: readFileSync(dist("browser.js")) });
      }
      return route.fulfill({ contentType: "text/html", body: "<!doctype html><title>hash-helper</title>" });
    });
    await page.goto(`${origin}/`);
    const result = await page.evaluate(
      async ([source, data]) => {
        // Through Function, so that vitest's transform does not rewrite this import() for Node.
        const load = new Function("url", "return import(url)") as (url: string) => Promise<unknown>;
        const api = await load(`${location.origin}/browser.js`);
        const run = new Function(`return (${source})`)() as (api: unknown, input: WorkloadInput) => WorkloadResult;
        return run(api, data);
      },
      [workload.toString(), input] as const,
    );
    expect(result).toStrictEqual(expected);
    expect(logged).toStrictEqual([]);
  }, 60_000);
});
