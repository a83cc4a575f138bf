import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { evaluate, expand } from "../src/index.ts";
import { errorOf } from "./helpers.ts";

describe("HashHelperError", () => {
  it("has a code, a span with line and column, a message, a hint and an excerpt", () => {
    const template = `line one\nx={hash.append("a").encodeMd5().printDigest();}`;
    const e = errorOf(() => expand(template));
    expect(e.name).toBe("HashHelperError");
    expect(e.code).toBe("INPUT_KIND");
    expect(e.span).toEqual({ offset: template.indexOf("printDigest"), line: 2, column: 33, length: 11 });
    expect(e.message).toBe("printDigest() needs text, but the value here is bytes");
    expect(e.hint).toBe("add .toHex() or .encodeBase64() first");
    expect(e.problems).toHaveLength(1);
  });

  it("draws the source line with a caret under the problem", () => {
    const e = errorOf(() => expand(`a={hash.appnd("x").printDigest();}`));
    expect(e.format()).toBe(
      [
        "error[UNKNOWN_METHOD] unknown method 'appnd'",
        "  --> line 1, column 9",
        `1 | a={hash.appnd("x").printDigest();}`,
        "  |         ^^^^^",
        "  = hint: did you mean append?",
      ].join("\n"),
    );
  });

  it("lists every problem and counts them", () => {
    const e = errorOf(() => expand(`{hash.appnd("x").printDigest();}\n{hash.append("x").toHex();}`));
    const text = e.format();
    expect(text).toContain("error[UNKNOWN_METHOD]");
    expect(text).toContain("error[MISSING_PRINT_DIGEST]");
    expect(text).toContain("  --> line 2, column 26");
    expect(text.endsWith("2 problems")).toBe(true);
  });

  it("cuts a long line to a window around the caret", () => {
    const template = `https://example.com/?${"a=1&".repeat(60)}x={hash.appnd("x").printDigest();}&${"b=2&".repeat(60)}`;
    const { excerpt } = errorOf(() => expand(template));
    expect(excerpt.text.startsWith("…")).toBe(true);
    expect(excerpt.text.endsWith("…")).toBe(true);
    expect(excerpt.text.length).toBeLessThan(120);
    expect(excerpt.text.slice(excerpt.caretColumn, excerpt.caretColumn + excerpt.caretLength)).toBe("appnd");
  });

  it("does not cut a line that fits on a terminal", () => {
    const template = `{hash.append("a b c d e f g").printDigest().encodeURL();}`;
    expect(errorOf(() => expand(template)).excerpt.text).toBe(template);
  });

  it("shows control characters as spaces so the caret stays aligned", () => {
    const { excerpt } = errorOf(() => expand(`\t{hash.appnd("x").printDigest();}`));
    expect(excerpt.text.slice(excerpt.caretColumn, excerpt.caretColumn + 5)).toBe("appnd");
    expect(excerpt.text).not.toContain("\t");
  });

  it("colours only when asked", () => {
    const e = errorOf(() => expand(`{hash.appnd("x").printDigest();}`));
    expect(e.format()).not.toContain("\x1b[");
    expect(e.format({ color: true })).toContain("\x1b[31m");
  });
});

describe("secrets never reach an error", () => {
  const SECRET = "s3cr3t-API-KEY-0123";
  const cases = [
    `{hash.append("x").encodeHmacSha1("${SECRET}").printDigest();}`, // INPUT_KIND after the key
    `{hash.append("x").encodeHmacSha256("${SECRET}").toHex();}`, // MISSING_PRINT_DIGEST
    `{hash.append("x").encodeHmacSha265("${SECRET}").toHex().printDigest();}`, // typo of a key method
    `{hash.append("x").encodeHmacSha1("${SECRET}", "${SECRET}").toHex().printDigest();}`, // ARGUMENT_COUNT spans the call
    `{hash.append("x").encodeHmacSha1("${SECRET}).toHex().printDigest();}`, // UNTERMINATED_STRING
    `{hash.append("x").encodeHmacSha1("${SECRET}" "x").toHex().printDigest();}`, // SYNTAX_ERROR inside the key list
    `{hash.append("x").encodeHmacSha1(${SECRET}).toHex().printDigest();}`, // unquoted key
    `{hash.append("x").encodeHmacSha1("${SECRET}\\q").toHex().printDigest();}`, // INVALID_ESCAPE inside the key
    `{hash.append("x").encodeHmacSha1(hash.append("${SECRET}").encodeMd5()).printDigest();}`, // nested key
    `{hash.append("x").frob("${SECRET}").printDigest();}`, // unknown method with no near name
  ];

  it.each(cases)("%s", (template) => {
    const e = errorOf(() => expand(template));
    for (const text of [
      e.message,
      e.hint ?? "",
      e.stack ?? "",
      e.format(),
      e.format({ color: true }),
      JSON.stringify(e),
      inspect(e, { depth: 10 }),
    ]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("s3cr3t");
    }
    expect(e.format()).toContain("••••••");
  });

  it("shows arguments of methods that take no key", () => {
    expect(errorOf(() => expand(`{hash.appnd("visible").printDigest();}`)).format()).toContain('"visible"');
  });

  it("masks bare expressions too", () => {
    const e = errorOf(() => evaluate(`hash.append("x").encodeHmacSha1("${SECRET}")`));
    expect(e.code).toBe("RESULT_KIND");
    expect(e.format()).not.toContain(SECRET);
  });
});
