import { describe, expect, it } from "vitest";
import { evaluate, HashHelperError } from "../src/index.ts";

describe("evaluate", () => {
  it.each([
    { expr: `hash.append("a").toHex()`, expected: "61" },
    { expr: `hash.append("a").toHex();`, expected: "61" },
    { expr: `hash.append("a").toHex().printDigest();`, expected: "61" },
    { expr: `{hash.append("a").toHex().printDigest();}`, expected: "61" },
    { expr: `<hash.append("a").toHex().printDigest();>`, expected: "61" },
    { expr: `  {hash.getExpiryTime(3);}\n`, expected: "3" },
  ])("$expr", ({ expr, expected }) => {
    expect(evaluate(expr, { now: 0 })).toBe(expected);
  });

  it("keeps the block's own whitespace in its value", () => {
    expect(evaluate(`{hash.append(" a").appendNewLine().printDigest();}`)).toBe(" a\n");
  });

  it("applies the block's rules to a wrapped expression", () => {
    expect(() => evaluate(`{hash.append("a");}`)).toThrow(expect.objectContaining({ code: "MISSING_PRINT_DIGEST" }));
  });

  it("requires a bare expression to give text", () => {
    expect(() => evaluate(`hash.append("a").encodeMd5()`)).toThrow(expect.objectContaining({ code: "RESULT_KIND" }));
  });

  it.each([
    `date.today`,
    `{date.today}`,
    `x{hash.getExpiryTime(1);}`,
    `{hash.getExpiryTime(1);}{hash.getExpiryTime(1);}`,
    ``,
  ])("rejects %j as not an expression", (expr) => {
    expect(() => evaluate(expr)).toThrow(expect.objectContaining({ code: "NOT_AN_EXPRESSION" }));
  });

  it("throws HashHelperError, an Error, with every problem", () => {
    try {
      evaluate(`hash.apend("x").encodeMd5().printDigest()`);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HashHelperError);
      expect(e).toBeInstanceOf(Error);
      expect((e as HashHelperError).problems.map((p) => p.code)).toEqual(["UNKNOWN_METHOD", "INPUT_KIND"]);
    }
  });
});
