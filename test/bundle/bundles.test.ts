// What ships is tested as it ships: each bundle (scripts/build.mjs) runs the same workload as the
// sources, and must give the same results and print nothing. The sources' results are checked
// against node:crypto by hand, so that the builds cannot agree on a wrong answer.
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BROWSER_BUDGET, browserBuild, nodeImports } from "../../scripts/bench/browser-build.ts";
import * as source from "../../src/index.ts";
import { exampleResults } from "../arbitraries.ts";
import { dist, expected, input, mozByHand, workload } from "./workload.ts";

/** What an ES module script printed to standard output in a plain Node process, parsed as JSON; it must print nothing else. */
function runModule(script: string): unknown {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout);
}

/** Runs `body` in a temporary directory, removed after it. */
async function inTemporaryDirectory<T>(prefix: string, body: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Copies the files of dist/ that `keep` takes into `dir`, an ES module package of its own. */
function copyDist(dir: string, keep: (file: string) => boolean): void {
  for (const file of readdirSync(dist("."))) if (keep(file)) copyFileSync(dist(file), join(dir, file));
  writeFileSync(join(dir, "package.json"), '{"type":"module"}');
}

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

// In process, the Node entry is dist/full.js, which a bundler gets (package.json's "module"
// condition): vitest imports a file by its path through a module runner of its own, where the
// entry's require() of full.js would be a second copy. dist/index.js runs in plain Node below.
describe.each([
  ["dist/index.js", "index.js", "full.js"],
  ["dist/browser.js", "browser.js", "browser.js"],
])("%s", (_, file, inProcess) => {
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
    const bundle = (await import(/* @vite-ignore */ dist(inProcess))) as typeof source;
    const result = workload(bundle, input);
    expect(result).toStrictEqual(expected);
    expect(printed).toStrictEqual([]);
  });

  // In a process of its own, without the test setup's Object.groupBy: on Node 20 this is the
  // bundle as it runs there, and on every version it must leave the built-ins as it found them.
  it("gives the same results in a plain Node process and changes no global or built-in", () => {
    const script = `
      const builtins = { globalThis, Object, Array, String, Number, RegExp, Map, Set, Promise, Symbol, Math, JSON,
        Reflect, Error, Function, Uint8Array, TextEncoder, Date, Intl };
      const owners = Object.entries(builtins).flatMap(([name, value]) =>
        [[name, value], [name + ".prototype", value.prototype]].filter(([, o]) => o));
      // Symbols of the global registry are how runtimes keep their own state on globalThis
      // (Node 26's undici dispatcher appears on first use); a patch is a name or a well-known symbol.
      const patchable = (key) => typeof key === "string" || Symbol.keyFor(key) === undefined;
      const snapshot = () => owners.flatMap(([name, owner]) => Reflect.ownKeys(owner).filter(patchable)
        .map((key) => [name + "." + String(key), Object.getOwnPropertyDescriptor(owner, key)]));
      // Node defines some globals (TextDecoder…) as getters that turn into values on first use.
      const same = (a, b) => a.get && !b.get ? !b.set && "value" in b
        : Object.is(a.value, b.value) && a.get === b.get && a.set === b.set && a.writable === b.writable;
      const before = new Map(snapshot());
      const api = await import(${JSON.stringify(pathToFileURL(dist(file)).href)});
      const result = (${workload.toString()})(api, ${JSON.stringify(input)});
      const after = new Map(snapshot());
      const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
        (key) => !before.has(key) || !after.has(key) || !same(before.get(key), after.get(key)));
      process.stdout.write(JSON.stringify({ result, changed }));`;
    const { result, changed } = runModule(script) as { result: unknown; changed: unknown };
    expect(changed).toStrictEqual([]);
    expect(result).toStrictEqual(JSON.parse(JSON.stringify(expected)));
  });
});

it("the browser bundle imports nothing from node:", () => {
  expect(nodeImports(readFileSync(dist("browser.js"), "utf8"))).toStrictEqual([]);
});

it("an application's browser build of the package stays within its budget, gzipped (BROWSER_BUDGET)", async () => {
  const bundle = await browserBuild(dist(".."));
  expect(bundle.inputs).toContain("dist/browser.js");
  expect(bundle.gzipped).toBeLessThanOrEqual(BROWSER_BUDGET);
  expect(BROWSER_BUDGET).toBe(98 * 1024);
});

// dist/index.js is src/node.ts: the classes and limits at once, the rest (dist/full.js, with the
// parser) on the first call that needs it.
describe("dist/index.js, the entry on Node", () => {
  const kinds = (api: object) =>
    Object.fromEntries(
      Object.entries(api)
        .map(([name, value]) => [
          name,
          typeof value === "function" && /^class\b/.test(String(value)) ? "class" : typeof value,
        ])
        .sort(),
    );

  it("exports what src/index.ts does, each of the same kind", async () => {
    const bundle = (await import(/* @vite-ignore */ dist("index.js"))) as typeof source;
    expect(kinds(bundle)).toStrictEqual(kinds(source));
  });

  it("is one API with what it loads: the same classes, functions, methods and limits", () => {
    const script = `
      const bundle = await import(${JSON.stringify(pathToFileURL(dist("index.js")).href)});
      const full = await import(${JSON.stringify(pathToFileURL(dist("full.js")).href)});
      let error;
      try { bundle.expand("{hash.nope();}"); } catch (e) { error = e; }
      const seen = [];
      bundle.methods.forEach((method, name, table) => seen.push(table === bundle.methods && name === method.name));
      process.stdout.write(JSON.stringify({
        error: [error instanceof bundle.HashHelperError, error?.code],
        same: ["HashHelperError", "InvalidUrlError", "HostFunctionError", "defaultLimits", "errorCodes", "signature"]
          .filter((name) => bundle[name] !== full[name]),
        helper: [bundle.defaultHelper.expand === bundle.expand, bundle.defaultHelper.limits === full.defaultHelper.limits],
        methods: [[...bundle.methods.keys()], bundle.methods.size, bundle.methods.get("append") === full.methods.get("append")],
        seen: seen.every(Boolean) && seen.length,
        frozen: Object.isFrozen(bundle.methods) && Object.isFrozen(bundle.defaultHelper),
      }));`;
    const names = [...source.methods.keys()];
    expect(runModule(script)).toStrictEqual({
      error: [true, "UNKNOWN_METHOD"],
      same: [],
      helper: [true, true],
      methods: [names, names.length, true],
      seen: names.length,
      frozen: true,
    });
  });

  it('is bundled whole by an application\'s Node build, which takes the "module" condition', async () => {
    const { build } = await import("esbuild");
    await inTemporaryDirectory("hash-helper-app-", async (dir) => {
      const out = join(dir, "app.mjs");
      const result = await build({
        stdin: {
          contents: `import { expand, HashHelperError } from "hash-helper";
            let code; try { expand("{hash.nope();}"); } catch (e) { code = e instanceof HashHelperError && e.code; }
            process.stdout.write(JSON.stringify([expand('{hash.append("a").toHex().printDigest();}'), code]));`,
          resolveDir: fileURLToPath(new URL("../..", import.meta.url)),
          loader: "js",
        },
        bundle: true,
        platform: "node",
        format: "esm",
        outfile: out,
        logLevel: "silent",
        metafile: true,
      });
      expect(Object.keys(result.metafile.inputs).filter((f) => f.startsWith("dist/"))).toContain("dist/full.js");
      const run = spawnSync(process.execPath, [out], { encoding: "utf8", cwd: dir });
      expect(run.stderr).toBe("");
      expect(JSON.parse(run.stdout)).toStrictEqual(["61", "UNKNOWN_METHOD"]);
    });
  });

  it("knows its classes' instances made by another copy of the package (a loader that requires full.js itself)", async () => {
    await inTemporaryDirectory("hash-helper-copy-", (dir) => {
      copyDist(dir, (file) => file.endsWith(".js"));
      const script = `
        const ours = await import(${JSON.stringify(pathToFileURL(dist("index.js")).href)});
        const copy = await import(${JSON.stringify(pathToFileURL(join(dir, "full.js")).href)});
        let error; try { copy.expand("{hash.nope();}"); } catch (e) { error = e; }
        let invalid; try { copy.signRequest({ url: "nope" }, { normalizeUrl: true }); } catch (e) { invalid = e; }
        class Sub extends ours.HashHelperError {}
        process.stdout.write(JSON.stringify([
          ours.HashHelperError === copy.HashHelperError,
          error instanceof ours.HashHelperError, invalid instanceof ours.InvalidUrlError,
          new copy.HostFunctionError("x") instanceof ours.HostFunctionError,
          error instanceof Sub, {} instanceof ours.HashHelperError, new copy.HostFunctionError("x") instanceof ours.HashHelperError,
        ]));`;
      expect(runModule(script)).toStrictEqual([false, true, true, true, false, false, false]);
    });
  });

  it("loads the rest only when a function is called", async () => {
    // The entry and its chunks without full.js: what needs nothing else works, a call cannot.
    await inTemporaryDirectory("hash-helper-entry-", (dir) => {
      copyDist(dir, (file) => file === "index.js" || file.startsWith("chunk-"));
      const script = `
        const api = await import(${JSON.stringify(pathToFileURL(join(dir, "index.js")).href)});
        const read = [new api.HashHelperError("x", []).name, api.defaultLimits.maxBlocks > 0, api.errorCodes.length > 0,
          typeof api.expand, new api.InvalidUrlError("x").name];
        let call;
        try { api.expand("x"); } catch (e) { call = [e.message.includes('"module" export'), e.cause?.code]; }
        process.stdout.write(JSON.stringify({ read, call }));`;
      expect(runModule(script)).toStrictEqual({
        read: ["HashHelperError", true, true, "function", "InvalidUrlError"],
        call: [true, "MODULE_NOT_FOUND"],
      });
    });
  });
});
