// What ships is tested as it ships: the bundles are built with a lodash shim and without
// chevrotain's regex analyser (scripts/build.mjs), so each of them runs the same workload as the
// sources, and must give the same results and print nothing. The sources' results are checked
// against node:crypto by hand, so that the builds cannot agree on a wrong answer.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { browserBuild, nodeImports } from "../../scripts/bench/browser-build.ts";
import * as source from "../../src/index.ts";
import { exampleResults } from "../arbitraries.ts";
import { dist, expected, input, mozByHand, workload } from "./workload.ts";

/** HMAC-SHA256 of Unleashed's query with its key, base64: the workload request's signature. */
const unleashedSignature = () =>
  createHmac("sha256", "unleashed-key").update("pageSize=10&productCode=A%20B").digest("base64");

describe("the sources' results, the reference for the bundles", () => {
  it("give Moz's URL as node:crypto computes it", () => {
    expect(expected.moz).toBe(mozByHand());
    expect(expected.compiled).toBe(mozByHand());
  });

  it("sign Unleashed's query as node:crypto does", () => {
    expect((expected.signed as source.SignedRequest<[string, string][]>).headers[1]).toStrictEqual([
      "api-auth-signature",
      unleashedSignature(),
    ]);
  });

  it("sign every method's example, as a header of the request, as it is worked out by hand", () => {
    const date = input.request.headers.find(([name]) => name === "Date")?.[1] ?? "";
    const byHand = exampleResults({
      nowMs: input.now,
      secret: (name) => (Object.hasOwn(input.secrets, name) ? input.secrets[name] : undefined),
      request: { ...input.request, date },
    });
    const signed = [...source.methods.keys()].map((name) => {
      const value = byHand[name];
      // RFC 9110 §5.5: a header cannot hold a line break, so an example that gives one is refused there.
      if (typeof value === "string" && /[\r\n\0]/.test(value)) {
        return [name, expect.objectContaining({ code: "INVALID_HEADER_VALUE" })];
      }
      if (typeof value !== "string") return [name, expect.objectContaining(value)];
      return [
        name,
        [
          ["Date", date],
          ["api-auth-signature", unleashedSignature()],
          ["X-Example", value],
        ],
      ];
    });
    expect(expected.examples).toEqual(signed);
  });

  it("report problems rather than throw anything else", () => {
    for (const result of [...(expected.broken as object[]), ...(expected.brokenExpressions as object[])]) {
      expect(result).toHaveProperty("code");
    }
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

  it("carries neither lodash nor the parts of chevrotain it leaves out", () => {
    const text = readFileSync(dist(file), "utf8");
    expect(text).not.toContain("__lodash_hash_undefined__");
    expect(text).toContain("leave out this part of chevrotain");
    // A message of each part left out: the default parser messages, the grammar checks and the
    // regex parser.
    expect(text).not.toContain("Redundant input, expecting EOF but found");
    expect(text).not.toContain("Invalid rule override, rule:");
    expect(text).not.toContain("Invalid Assertion Escape");
  });
});

it("the browser bundle imports nothing from node:", () => {
  expect(nodeImports(readFileSync(dist("browser.js"), "utf8"))).toStrictEqual([]);
});

it("an application's browser build of the package stays within 48 KiB gzipped", async () => {
  const bundle = await browserBuild(dist(".."));
  expect(bundle.inputs).toContain("dist/browser.js");
  expect(bundle.gzipped).toBeLessThanOrEqual(48 * 1024);
});
