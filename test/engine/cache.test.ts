// The cache of compiled templates: bounded by the heap it is estimated to hold, hits one lookup,
// least recently used first out (CLOCK), one budget for an instance's templates and requests.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CacheBudget, defaultCacheSizes, retainedBytes } from "../../src/engine/cache.ts";
import { parse } from "../../src/index.ts";
import { createHashHelper } from "../../src/instance.ts";

/** A Moz-sized template (the one of the README) with its own access ID. */
const moz = (i: number) => {
  const id = `member-${i.toString(16).padStart(10, "0")}`;
  return `https://lsapi.seomoz.com/linkscape/url-metrics/moz.com%2fblog?Cols=4&AccessID=${id}&Expires={hash.getExpiryTime(240);}&Signature={hash.append("${id}").appendNewLine().append(hash.getExpiryTime(240)).encodeHmacSha1("0123456789abcdef0123456789abcdef").encodeBase64().encodeURL().printDigest();}`;
};

describe("retainedBytes", () => {
  it("counts the text, the blocks, every call, nested ones too, and the literals", () => {
    const one = parse(`hash.append("a").printDigest()`);
    const nested = parse(`hash.append(hash.append("a").toHex()).printDigest()`);
    const base = retainedBytes("", []);
    expect(retainedBytes("x".repeat(100), []) - base).toBe(200);
    // A block, two calls and a literal of one character.
    expect(retainedBytes("", [one]) - base).toBe(640 + 2 * 256 + 2);
    expect(retainedBytes("", [nested]) - retainedBytes("", [one])).toBe(2 * 256);
    // A literal kept as its UTF-8 bytes too: "€" is three.
    const key = parse(`hash.append("x").encodeHmacSha1("€")`);
    const plain = retainedBytes("", [key]);
    expect(retainedBytes("", [key], (call) => call.method === "encodeHmacSha1") - plain).toBe(3);
  });

  it("puts a Moz template at about 6 KB, so that the default holds over 4,000 of them", () => {
    const { bytes } = defaultCacheSizes;
    const helper = createHashHelper();
    helper.expand(moz(0));
    const estimate = helper.cacheUsage().bytes;
    expect(estimate).toBeGreaterThan(5000);
    expect(estimate).toBeLessThan(6500);
    expect(Math.floor(bytes / estimate)).toBeGreaterThanOrEqual(4000);
    // At most about 32 MB of heap: the estimate is at or above what V8 measures (below).
    expect(bytes).toBeLessThanOrEqual(32 * 1024 * 1024);
  });

  it("is at or above the heap V8 measures for templates of every shape", () => {
    // A process of its own, with the collector run before and after: the heap each cached
    // template adds, against what the cache counts for it.
    const script = `
      const { createHashHelper } = await import(${JSON.stringify(new URL("../../dist/full.js", import.meta.url).href)});
      let n = 0; const id = () => "id" + String(n++).padStart(10, "0");
      const moz = ${JSON.stringify(moz(0))};
      const shapes = {
        moz: [1500, () => moz.replaceAll("member-0000000000", "member-" + id())],
        "one call": [1500, () => "u=" + id() + '{hash.append("' + id() + '").printDigest();}'],
        nested: [1500, () => "u=" + id() + '{hash.append(hash.append(hash.append("' + id() + '").toLowerCase()).toLowerCase()).printDigest();}'],
        "100 blocks": [200, () => "u=" + id() + "{hash.getNonce();}".repeat(100)],
        "a long two-byte HMAC key": [100, () => '{hash.append("' + id() + '").encodeHmacSha256("' + "\u20ac".repeat(20000) + id() + '").toHex().printDigest();}'],
        "a long literal": [100, () => '{hash.append("' + "a".repeat(20000) + id() + '").printDigest();}'],
      };
      const out = {};
      for (const [name, [count, make]] of Object.entries(shapes)) {
        const helper = createHashHelper({ cache: { bytes: 2e9 } });
        helper.expand(make(), { now: 0 });
        let templates = Array.from({ length: count }, make);
        const counted = helper.cacheUsage().bytes;
        gc(); gc();
        const before = process.memoryUsage().heapUsed;
        for (const t of templates) helper.expand(t, { now: 0 });
        templates = undefined;
        gc(); gc();
        out[name] = [(process.memoryUsage().heapUsed - before) / count, (helper.cacheUsage().bytes - counted) / count];
      }
      process.stdout.write(JSON.stringify(out));`;
    const run = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    const measured = JSON.parse(run.stdout) as Record<string, [number, number]>;
    for (const [shape, [heap, estimate]] of Object.entries(measured)) {
      expect(heap, shape).toBeGreaterThan(0);
      expect(heap, `${shape}: ${heap.toFixed(0)} bytes measured, ${estimate.toFixed(0)} estimated`).toBeLessThanOrEqual(
        estimate,
      );
    }
  });
});

describe("CacheBudget", () => {
  const filled = (budget: number, keys: string[]) => {
    const b = new CacheBudget(budget);
    const map = new Map<string, { used: boolean }>() as Map<string, never>;
    for (const k of keys) b.add(map, k, k, 10);
    return { b, map };
  };

  it("holds entries until their bytes are spent, then drops the least recently used", () => {
    const { b, map } = filled(40, ["a", "b", "c", "d"]);
    expect(b.used).toBe(40);
    (map.get("a") as unknown as { used: boolean }).used = true; // a hit
    b.add(map, "e", "e", 10);
    // "a" had a second chance; "b" was the oldest unused.
    expect([...map.keys()].sort()).toEqual(["a", "c", "d", "e"]);
    // The hand goes on from where it stopped.
    b.add(map, "f", "f", 10);
    expect([...map.keys()].sort()).toEqual(["a", "d", "e", "f"]);
    expect(b.used).toBe(40);
  });

  it("replaces an entry remembered again under its key, bytes and all", () => {
    const { b, map } = filled(40, ["a", "b"]);
    b.add(map, "a", "a2", 5);
    expect(b.used).toBe(15);
    expect((map.get("a") as unknown as { value: string }).value).toBe("a2");
    for (const k of ["c", "d", "e", "f"]) b.add(map, k, k, 10);
    expect(b.used).toBeLessThanOrEqual(40);
    expect([...map.keys()].length).toBe(4);
  });

  it("keeps nothing over a quarter of its bytes", () => {
    const { b, map } = filled(40, ["a"]);
    b.add(map, "big", "big", 11);
    expect([...map.keys()]).toEqual(["a"]);
    expect(b.used).toBe(10);
  });

  it("stays linear when it drops entry after entry (the hand never walks back over what it dropped)", () => {
    const b = new CacheBudget(1000);
    const map = new Map<string, never>();
    for (let i = 0; i < 200_000; i++) b.add(map, String(i), i, 10);
    expect(map.size).toBe(100);
    expect(map.has("199999")).toBe(true);
    expect(map.has("199899")).toBe(false);
  });
});

describe("an instance's cache", () => {
  it("keeps 4,000 distinct Moz templates, all of them, round after round", () => {
    const helper = createHashHelper();
    const templates = Array.from({ length: 4000 }, (_, i) => moz(i));
    for (const t of templates) helper.expand(t, { now: 0 });
    const usage = helper.cacheUsage();
    expect(usage.templates.length).toBe(4000);
    expect(usage.bytes).toBeLessThanOrEqual(defaultCacheSizes.bytes);
    // Every template is a hit now: none is compiled again, so none is added.
    for (const t of templates) helper.expand(t, { now: 0 });
    expect(helper.cacheUsage()).toStrictEqual(usage);
  });

  it("keeps a template in use while thousands of others come and go, within its bytes", () => {
    const helper = createHashHelper({ cache: { bytes: 200_000 } });
    const used = moz(-1);
    helper.expand(used);
    for (let i = 0; i < 2000; i++) {
      helper.expand(moz(i));
      if (i % 10 === 0) helper.expand(used);
      expect(helper.cacheUsage().bytes).toBeLessThanOrEqual(200_000);
    }
    const { templates } = helper.cacheUsage();
    expect(templates).toContain(used);
    expect(templates).not.toContain(moz(0));
    expect(templates.length).toBeGreaterThan(20);
  });

  it("never keeps a template estimated at over a quarter of its bytes, and still expands it", () => {
    const helper = createHashHelper({ cache: { bytes: 40_000 } });
    const large = `${"-".repeat(5_000)}{hash.append("x").printDigest();}`;
    expect(helper.expand(large).endsWith("-x")).toBe(true);
    expect(helper.cacheUsage()).toStrictEqual({ templates: [], bytes: 0 });
  });

  it("shares its budget with signRequest's compiled requests", () => {
    const helper = createHashHelper({ cache: { bytes: 100_000 } });
    helper.signRequest({ url: 'https://example.com/?a={hash.append("x").printDigest();}' });
    const { bytes, templates } = helper.cacheUsage();
    expect(templates).toEqual([]);
    expect(bytes).toBeGreaterThan(1000);
  });

  it("is refused a size that is not a number of bytes", () => {
    expect(() => createHashHelper({ cache: { bytes: Number.NaN } })).toThrow(TypeError);
    expect(() => createHashHelper({ cache: { bytes: -1 } })).toThrow(TypeError);
    // The sizes of before are refused, not ignored.
    expect(() => createHashHelper({ cache: { templates: 2 } as never })).toThrow(/cache.templates/);
  });
});

describe("signRequest's cache", () => {
  it("finds a request by its URL, and compiles again when its body or headers differ", () => {
    const helper = createHashHelper();
    const url = "https://example.com/?q=1";
    const signature = `{hash.getRequestQuery().toHex().printDigest();}`;
    const sign = (headers: Record<string, string> | [string, string][], body?: string) =>
      helper.signRequest({ url, headers, ...(body === undefined ? {} : { body }) }).headers;
    expect(sign({ A: "1", S: signature })).toStrictEqual({ A: "1", S: "713d31" });
    const once = helper.cacheUsage().bytes;
    expect(sign({ A: "1", S: signature })).toStrictEqual({ A: "1", S: "713d31" });
    expect(helper.cacheUsage().bytes).toBe(once);
    // Another value, another name, another order, the pairs form, a body: each its own compilation.
    expect(sign({ A: "2", S: signature })).toStrictEqual({ A: "2", S: "713d31" });
    expect(sign({ B: "1", S: signature })).toStrictEqual({ B: "1", S: "713d31" });
    expect(sign({ S: signature, A: "1" })).toStrictEqual({ S: "713d31", A: "1" });
    expect(
      sign([
        ["A", "1"],
        ["S", signature],
      ]),
    ).toStrictEqual([
      ["A", "1"],
      ["S", "713d31"],
    ]);
    expect(sign({ A: "1", S: signature }, "x")).toStrictEqual({ A: "1", S: "713d31" });
    // One entry a URL: the last compiled.
    expect(helper.cacheUsage().bytes).toBeLessThanOrEqual(once * 1.5);
  });

  it("compares with the headers it was compiled from, not with the host's arrays changed in place", () => {
    const helper = createHashHelper();
    const headers: [string, string][] = [["S", `{hash.append("a").toHex().printDigest();}`]];
    expect(helper.signRequest({ url: "https://example.com/", headers }).headers).toStrictEqual([["S", "61"]]);
    (headers[0] as [string, string])[1] = `{hash.append("b").toHex().printDigest();}`;
    expect(helper.signRequest({ url: "https://example.com/", headers }).headers).toStrictEqual([["S", "62"]]);
    (headers[0] as [string, string])[0] = "Bad Name";
    expect(() => helper.signRequest({ url: "https://example.com/", headers })).toThrow(TypeError);
  });

  it("keeps a header named __proto__ as a header", () => {
    const signed = createHashHelper().signRequest({ url: "https://example.com/", headers: { ["__proto__"]: "x" } });
    expect(Object.getPrototypeOf(signed.headers)).toBe(Object.prototype);
    expect(Object.entries(signed.headers)).toStrictEqual([["__proto__", "x"]]);
  });
});
