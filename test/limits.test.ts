import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { defaultLimits, expand } from "../src/index.ts";
import { resolveLimits } from "../src/language/limits.ts";
import { errorOf } from "./helpers.ts";

// The audit's worst template within every limit: each block doubles "1" twenty times with
// toHex(), 1 MiB at the end, so each value stays within maxValueSize; 341 of them killed the
// process with V8's "heap out of memory", which nothing can catch.
const BLOCK = `{hash.append(1)${".toHex()".repeat(20)}.printDigest();}`;
const WORST = BLOCK.repeat(Math.floor(defaultLimits.maxTemplateLength / BLOCK.length));

describe("the whole expansion is bounded", () => {
  it("the worst template within the limits fails cleanly", () => {
    expect(WORST.length).toBeLessThanOrEqual(defaultLimits.maxTemplateLength);
    const e = errorOf(() => expand(WORST));
    expect(e.code).toBe("LIMIT_EXCEEDED");
    expect(e.message).toContain("maxExpansionSize");
  });

  it("and does in a process whose heap is capped at 512 MB, through the bundle", () => {
    const bundle = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const script = `
      const { expand, explain } = await import(${JSON.stringify(bundle)});
      const template = process.argv[1];
      for (const run of [expand, explain]) {
        try { run(template); console.log("expanded"); } catch (e) { console.log(e.code); }
      }`;
    const r = spawnSync(process.execPath, ["--max-old-space-size=512", "--input-type=module", "-e", script, WORST], {
      encoding: "utf8",
      env: { ...process.env, NODE_EXTRA_CA_CERTS: "" },
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("LIMIT_EXCEEDED\nLIMIT_EXCEEDED\n");
    expect(r.status).toBe(0);
  });

  it("lets the largest expansion within the total through", () => {
    // Each block builds 2 + 4 + … + 2^20 characters (and 1 for append(1)): 2^21 − 1 in all.
    const fits = Math.floor(defaultLimits.maxExpansionSize / (2 ** 21 - 1));
    expect(expand(BLOCK.repeat(fits)).length).toBe(fits * 2 ** 20);
  });
});

describe("resolveLimits", () => {
  it("knows maxExpansionSize and checks it like the others", () => {
    expect(resolveLimits({ maxExpansionSize: 10 }).maxExpansionSize).toBe(10);
    expect(() => resolveLimits({ maxExpansionSize: -1 })).toThrow(TypeError);
  });
});
