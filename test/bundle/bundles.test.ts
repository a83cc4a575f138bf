// What ships is tested as it ships: each bundle (scripts/build.mjs) runs the same workload as the
// sources, and must give the same results and print nothing. The Moz URL is also checked against
// node:crypto by hand, so that the builds cannot agree on a wrong answer.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BROWSER_BUDGET, browserBuild, nodeImports } from "../../scripts/bench/browser-build.ts";
import * as source from "../../src/index.ts";
import { dist, expected, input, mozByHand, workload } from "./workload.ts";

describe("the sources' results, the reference for the bundles", () => {
  it("give Moz's URL as node:crypto computes it", () => {
    expect(expected.moz).toBe(mozByHand());
    expect(expected.compiled).toBe(mozByHand());
  });

  it("sign Unleashed's query as node:crypto does", () => {
    const mac = createHmac("sha256", "unleashed-key").update("pageSize=10&productCode=A%20B").digest("base64");
    expect((expected.signed as source.SignedRequest<[string, string][]>).headers[1]).toStrictEqual([
      "api-auth-signature",
      mac,
    ]);
  });

  it("report problems rather than throw anything else", () => {
    for (const result of [...(expected.broken as object[]), ...(expected.brokenExpressions as object[])]) {
      expect(result).toHaveProperty("code");
    }
    const examples = expected.examples as [string, unknown][];
    expect(examples).toHaveLength(source.methods.size);
    for (const [name, result] of examples) expect(result, name).not.toHaveProperty("thrown");
  });
});

describe.each([
  ["dist/index.js", "index.js"],
  ["dist/browser.js", "browser.js"],
])("%s", (_, file) => {
  let printed: unknown[][];
  beforeEach(() => {
    printed = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args) => void printed.push([level, ...args]));
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("gives the sources' results for every method, error and API, and prints nothing", async () => {
    const bundle = (await import(/* @vite-ignore */ dist(file))) as typeof source;
    const result = workload(bundle, input);
    expect(result).toStrictEqual(expected);
    expect(printed).toStrictEqual([]);
  });
});

it("the browser bundle imports nothing from node:", () => {
  expect(nodeImports(readFileSync(dist("browser.js"), "utf8"))).toStrictEqual([]);
});

it("an application's browser build of the package stays within 52 KiB gzipped", async () => {
  const bundle = await browserBuild(dist(".."));
  expect(bundle.inputs).toContain("dist/browser.js");
  expect(bundle.gzipped).toBeLessThanOrEqual(BROWSER_BUDGET);
  expect(BROWSER_BUDGET).toBe(52 * 1024);
});
