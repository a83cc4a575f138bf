// The browser bundle in a real browser: Debian's Chromium, driven by playwright-core, loads
// dist/browser.js as a module and runs the same workload as the sources. The page is served by
// Playwright's request routing, so no server or network is involved. page.evaluate may eval even
// on a page whose CSP forbids it (DevTools lets its own evaluations through), so this test says
// nothing about CSP: csp.test.ts runs the bundle from a page script under `script-src 'self'`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chromiumForSuite, haveChromium, pageLog } from "./chromium.ts";
import { dist, expected, input, type WorkloadInput, type WorkloadResult, workload } from "./workload.ts";

const origin = "http://hash-helper.test";

describe.skipIf(!haveChromium)("dist/browser.js in Chromium", () => {
  const browser = chromiumForSuite();

  it("gives the sources' results for every method, error and API, and logs nothing", async () => {
    const page = await browser().newPage();
    const logged = pageLog(page);
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
