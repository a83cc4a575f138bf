import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { methods, expand as topLevelExpand } from "../src/index.ts";
import { createHashHelper } from "../src/instance.ts";
import { HostFunctionError } from "../src/language/host.ts";
import { errorOf } from "./helpers.ts";

const accountId = {
  name: "getAccountId",
  summary: "The dashboard account's ID.",
  example: "hash.getAccountId()",
  run: () => "acct-42",
};

describe("createHashHelper", () => {
  it("adds a host's value functions, usable wherever a value function is", () => {
    const helper = createHashHelper({ methods: [accountId] });
    expect(helper.expand(`id={hash.getAccountId();}`)).toBe("id=acct-42");
    const signed = helper.expand(`{hash.append(hash.getAccountId()).encodeHmacSha256("k").toHex().printDigest();}`);
    expect(signed).toBe(createHmac("sha256", "k").update("acct-42").digest("hex"));
    expect(helper.evaluate(`hash.getAccountId()`)).toBe("acct-42");
    const request = helper.signRequest({ url: "https://x/", headers: { "X-Account": "{hash.getAccountId();}" } });
    expect(request.headers["X-Account"]).toBe("acct-42");
  });

  it("keeps them to the instance", () => {
    createHashHelper({ methods: [accountId] });
    expect(errorOf(() => topLevelExpand(`{hash.getAccountId();}`)).code).toBe("UNKNOWN_METHOD");
  });

  it("checks their arguments and suggests them for typos", () => {
    const helper = createHashHelper({
      methods: [
        {
          name: "getTenant",
          params: [{ name: "region", accepts: ["text"], isName: true }],
          summary: "The tenant of a region.",
          run: ([region]) => `tenant-${region}`,
        },
      ],
    });
    expect(helper.evaluate(`hash.getTenant("eu")`)).toBe("tenant-eu");
    expect(errorOf(() => helper.evaluate(`hash.getTenant(1)`)).code).toBe("ARGUMENT_KIND");
    expect(errorOf(() => helper.evaluate(`hash.getTenant()`)).code).toBe("ARGUMENT_COUNT");
    expect(errorOf(() => helper.evaluate(`hash.getTennant("eu")`)).hint).toContain("getTenant");
    expect(errorOf(() => helper.evaluate(`hash.append("x").getTenant("eu")`)).code).toBe("MISPLACED_METHOD");
    expect(helper.methods.get("getTenant")?.summary).toBe("The tenant of a region.");
  });

  it("reports a host function's refusal at its call, and reads the expansion's one clock", () => {
    const helper = createHashHelper({
      methods: [
        {
          name: "getWindow",
          summary: "Refuses outside business hours.",
          run: (_args, { now }) => {
            if (now < 1000) throw new HostFunctionError("not yet open");
            return String(now);
          },
        },
      ],
    });
    expect(helper.expand(`{hash.getWindow();}-{hash.getWindow();}`, { now: 5000 })).toBe("5000-5000");
    const e = errorOf(() => helper.expand(`a={hash.getWindow();}`, { now: 0 }));
    expect(e).toMatchObject({ code: "HOST_FUNCTION", span: { offset: 8 } });
    expect(e.message).toContain("not yet open");
  });

  it.each([
    [{ ...accountId, name: "append" }, /built-in/],
    [{ ...accountId, name: "toString" }, undefined],
    [{ ...accountId, name: "hash" }, /name/],
    [{ ...accountId, name: "get-id" }, /name/],
    [{ ...accountId, name: "__proto__" }, undefined],
    [{ ...accountId, params: [{ name: "b", accepts: ["bytes"] }] }, /accepts only/],
    [{ ...accountId, summary: "" }, /summary/],
  ] as const)("refuses or accepts a host function %#", (fn, refused) => {
    const make = () => createHashHelper({ methods: [fn as never] });
    if (refused) expect(make).toThrow(refused);
    else expect(make).not.toThrow();
  });

  it("a name reaching Object.prototype is a function of its own, never the prototype's", () => {
    const helper = createHashHelper({ methods: [{ ...accountId, name: "constructor" }] });
    expect(helper.evaluate(`hash.constructor()`)).toBe("acct-42");
    expect(errorOf(() => createHashHelper().evaluate(`hash.constructor()`)).code).toBe("UNKNOWN_METHOD");
    expect(errorOf(() => createHashHelper().evaluate(`hash.__proto__()`)).code).toBe("UNKNOWN_METHOD");
  });

  it("gives a host function's value in a trace masked when the host says it is a secret", () => {
    const helper = createHashHelper({ methods: [{ ...accountId, secret: true }] });
    const trace = helper.explain(`{hash.getAccountId();}`);
    expect(trace.result).toBe("••••••");
    expect(JSON.stringify(trace)).not.toContain("acct-42");
    expect(helper.expand(`{hash.getAccountId();}`)).toBe("acct-42");
  });

  it("has limits of its own, which a call's limits override", () => {
    const helper = createHashHelper({ limits: { maxBlocks: 1 } });
    const two = `{hash.append("a").printDigest();}{hash.append("b").printDigest();}`;
    expect(errorOf(() => helper.expand(two)).code).toBe("LIMIT_EXCEEDED");
    expect(helper.expand(two, { limits: { maxBlocks: 2 } })).toBe("ab");
    expect(helper.limits.maxBlocks).toBe(1);
  });

  it("has a cache of its own, shared with no other instance", () => {
    const a = createHashHelper({ cache: { bytes: 12_000 } });
    const b = createHashHelper();
    const t = (i: number) => `${i}{hash.append("x").printDigest();}`;
    for (let i = 0; i < 10; i++) a.expand(t(i));
    expect(a.cacheUsage().templates.length).toBeLessThanOrEqual(4);
    expect(a.cacheUsage().templates).toContain(t(9));
    expect(b.cacheUsage().templates).toEqual([]);
    const none = createHashHelper({ cache: false });
    none.expand(t(1));
    expect(none.cacheUsage().templates).toEqual([]);
  });
});

describe("what the review of issue 11 found", () => {
  it("the method tables cannot be changed at run time, the built-in one or an instance's", () => {
    const helper = createHashHelper({ methods: [accountId] });
    for (const table of [methods, helper.methods]) {
      expect("set" in table).toBe(false);
      expect(() => (table as unknown as Map<string, unknown>).set("evil", {})).toThrow(TypeError);
      expect(Object.isFrozen(table.get("append"))).toBe(true);
    }
    expect(methods.has("getAccountId")).toBe(false);
  });

  it("redact() takes a call's limits over the instance's, not instead of them", () => {
    const helper = createHashHelper({ limits: { maxTemplateLength: 20 } });
    expect(errorOf(() => helper.redact("x".repeat(30), { limits: { maxBlocks: 3 } })).code).toBe("LIMIT_EXCEEDED");
    expect(helper.redact("x".repeat(30), { limits: { maxTemplateLength: 40 } })).toBe("x".repeat(30));
  });
});

describe("explain() reads a call with the instance's own table", () => {
  it("shows a host function's nested data argument as it does a built-in's", () => {
    const helper = createHashHelper({
      methods: [
        {
          name: "echo",
          params: [{ name: "text", accepts: ["text"] }],
          summary: "Its argument.",
          run: ([t]) => String(t),
        },
      ],
    });
    const block = helper.explain(`{hash.echo(hash.append("public").toHex());}`).blocks[0];
    expect(block?.source).toBe(`{hash.echo(hash.append("public").toHex());}`);
    expect(block?.output.value).toBe(Buffer.from("public").toString("hex"));
  });
});
