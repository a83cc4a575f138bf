import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { evaluate, expand, explain, HashHelperError, signRequest } from "../src/index.ts";
import { errorOf } from "./helpers.ts";

function firstProblem(template: string) {
  try {
    expand(template, { now: 0 });
  } catch (e) {
    if (!(e instanceof HashHelperError)) throw e;
    return { code: e.code, offset: e.span.offset, length: e.span.length, hint: e.hint ?? "", count: e.problems.length };
  }
  throw new Error(`expected ${template} to fail`);
}

// Each misuse the checker knows, with the column it must point at and the fix its hint gives.
describe("the checker", () => {
  it.each([
    {
      name: "printDigest() on bytes",
      template: `{hash.append("x").encodeMd5().printDigest();}`,
      at: "printDigest",
      code: "INPUT_KIND",
      hint: /add \.toHex\(\) or \.encodeBase64\(\) first/,
    },
    {
      name: "append after a digest",
      template: `{hash.append("x").encodeSha1().append("y").toHex().printDigest();}`,
      at: `append("y")`,
      code: "MISPLACED_METHOD",
      hint: /put \.append\(\) before \.encodeSha1\(\); or, .* nested value: hash\.append\(hash\.…\.encodeSha1\(\)\)\.append\(…\)$/,
    },
    {
      name: "appendNewLine after a MAC",
      template: `{hash.append("x").encodeHmacSha1("k").appendNewLine().toHex().printDigest();}`,
      at: "appendNewLine",
      code: "MISPLACED_METHOD",
      hint: /put \.appendNewLine\(\) before \.encodeHmacSha1\(\).*hash\.append\(hash\.…\.encodeHmacSha1\(…\)\)\.appendNewLine\(\)$/,
    },
    {
      name: "getExpiryTime in the middle of a chain",
      template: `{hash.append("x").getExpiryTime(240).printDigest();}`,
      at: "getExpiryTime",
      code: "MISPLACED_METHOD",
      hint: /\.append\(hash\.getExpiryTime\(…\)\)/,
    },
    {
      name: "an unknown method, with the closest one",
      template: `{hash.append("x").encodeHmacSha265("k").toHex().printDigest();}`,
      at: "encodeHmacSha265",
      code: "UNKNOWN_METHOD",
      hint: /did you mean encodeHmacSha256\?/,
    },
    {
      name: "an unknown method in the wrong case",
      template: `{hash.append("x").encodeSHA1().toHex().printDigest();}`,
      at: "encodeSHA1",
      code: "UNKNOWN_METHOD",
      hint: /did you mean encodeSha1\?/,
    },
    {
      name: "an unknown method with nothing close",
      template: `{hash.frobnicate().printDigest();}`,
      at: "frobnicate",
      code: "UNKNOWN_METHOD",
      hint: /the methods are append, /,
    },
    {
      name: "too many arguments",
      template: `{hash.append("a", "b").printDigest();}`,
      at: `append("a", "b")`,
      code: "ARGUMENT_COUNT",
      hint: /\.append\(value\)/,
    },
    {
      name: "a missing argument",
      template: `{hash.append("a").encodeHmacSha1().toHex().printDigest();}`,
      at: "encodeHmacSha1()",
      code: "ARGUMENT_COUNT",
      hint: /\.encodeHmacSha1\(key\)/,
    },
    {
      name: "an argument where none is taken",
      template: `{hash.append("a").toHex(16).printDigest();}`,
      at: "toHex(16)",
      code: "ARGUMENT_COUNT",
      hint: /\.toHex\(\)/,
    },
    {
      name: "a quoted number for getExpiryTime",
      template: `{hash.getExpiryTime("240");}`,
      at: `"240"`,
      code: "ARGUMENT_KIND",
      hint: /without quotes/,
    },
    {
      name: "bytes appended, then printed",
      template: `{hash.append(hash.append("x").encodeMd5()).printDigest();}`,
      at: `printDigest`,
      code: "INPUT_KIND",
      hint: /add \.toHex\(\) or \.encodeBase64\(\) first/,
    },
    {
      name: "a number as a key",
      template: `{hash.append("x").encodeHmacSha1(12345).toHex().printDigest();}`,
      at: "12345",
      code: "ARGUMENT_KIND",
      hint: /in quotes/,
    },
    {
      name: "a chain without printDigest()",
      template: `{hash.append("x").toHex();}`,
      at: ";}",
      code: "MISSING_PRINT_DIGEST",
      hint: /add \.printDigest\(\)/,
    },
    {
      name: "a chain of bytes without printDigest()",
      template: `{hash.append("x").encodeMd5();}`,
      at: ";}",
      code: "MISSING_PRINT_DIGEST",
      hint: /\.toHex\(\)\.printDigest\(\)/,
    },
    {
      name: "a block of bytes alone: hex spelled out",
      template: `x={hash.fromHex("4a656665");}`,
      at: ";}",
      code: "RESULT_KIND",
      hint: /\.toHex\(\)\.printDigest\(\)/,
    },
    {
      name: "a block of bytes alone: base64 spelled out",
      template: `x={hash.fromBase64("SmVmZQ==");}`,
      at: ";}",
      code: "RESULT_KIND",
      hint: /\.encodeBase64\(\)\.printDigest\(\)/,
    },
    {
      name: "a key that is the mask errors and history show",
      template: `{hash.append("x").encodeHmacSha256("••••••").toHex().printDigest();}`,
      at: `"••••••"`,
      code: "MASKED_LITERAL",
      hint: /hash\.getSecret/,
    },
    {
      name: "appended text that is a mask, as Marvel appends its key",
      template: `{hash.append("1").append("•••").encodeMd5().toHex().printDigest();}`,
      at: `"•••"`,
      code: "MASKED_LITERAL",
      hint: /type the text again/,
    },
    {
      name: "a mask written with escapes",
      template: `{hash.append("x").encodeHmacSha1("\\u2022\\u2022").toHex().printDigest();}`,
      at: `"\\u2022\\u2022"`,
      code: "MASKED_LITERAL",
      hint: /hash\.getSecret/,
    },
    {
      name: "a method after printDigest()",
      template: `{hash.append("x").printDigest().toHex();}`,
      at: "toHex",
      code: "AFTER_PRINT_DIGEST",
      hint: /move \.printDigest\(\) to the end/,
    },
    {
      name: "a missing ';'",
      template: `{hash.append("x").printDigest()}`,
      at: "}",
      code: "MISSING_SEMICOLON",
      hint: /printDigest\(\);\}/,
    },
    {
      name: "a missing ';' in an angle block",
      template: `<hash.append("x").printDigest()>`,
      at: ">",
      code: "MISSING_SEMICOLON",
      hint: /printDigest\(\);>/,
    },
    {
      name: "a method without parentheses",
      template: `{hash.append("x").toHex.printDigest();}`,
      at: ".printDigest",
      code: "SYNTAX_ERROR",
      hint: /with parentheses/,
    },
    {
      name: "an unquoted word as an argument",
      template: `{hash.append(mozscape).printDigest();}`,
      at: "mozscape",
      code: "SYNTAX_ERROR",
      hint: /put text in quotes/,
    },
    {
      name: "hash with no call",
      template: `{hash.;}`,
      at: ";}",
      code: "SYNTAX_ERROR",
      hint: /hash followed by method calls/,
    },
    {
      name: "an unknown escape",
      template: `{hash.append("a\\qb").printDigest();}`,
      at: "\\q",
      code: "INVALID_ESCAPE",
      hint: /\\uXXXX/,
    },
    {
      name: "a short \\u escape",
      template: `{hash.append("\\u12").printDigest();}`,
      at: "\\u",
      code: "INVALID_ESCAPE",
      hint: /\\uXXXX/,
    },
    { name: "a decimal", template: `{hash.getExpiryTime(240.5);}`, at: "240.5", code: "INVALID_NUMBER", hint: /whole/ },
    { name: "hex", template: `{hash.getExpiryTime(0x10);}`, at: "0x10", code: "INVALID_NUMBER", hint: /whole/ },
    { name: "an exponent", template: `{hash.getExpiryTime(1e20);}`, at: "1e20", code: "INVALID_NUMBER", hint: /whole/ },
    {
      name: "an unsafe integer",
      template: `{hash.append(123456789012345678901).printDigest();}`,
      at: "123456789012345678901",
      code: "INVALID_NUMBER",
      hint: /quotes/,
    },
    {
      name: "an unterminated string",
      template: `{hash.append("abc).printDigest();}`,
      at: `"abc`,
      code: "UNTERMINATED_STRING",
      hint: /close it with "/,
    },
    {
      name: "a raw line break in a string",
      template: `{hash.append("a\nb").printDigest();}`,
      at: `"a`,
      code: "UNTERMINATED_STRING",
      hint: /\\n/,
    },
    {
      name: "an unclosed block",
      template: `x={hash.append("a").printDigest()`,
      at: "{",
      code: "UNCLOSED_BLOCK",
      hint: /;\}/,
    },
    {
      name: "a block whose '}' is missing in the middle of a URL",
      template: `x={hash.append("a").printDigest();&y=1&z=2`,
      at: "&y",
      code: "UNCLOSED_BLOCK",
      hint: /add '\}' right after the ';'/,
    },
    {
      name: "a brace block closed with >",
      template: `{hash.append("a").printDigest()>`,
      at: ">",
      code: "UNEXPECTED_CHARACTER",
      hint: /ends with ';\}'/,
    },
    {
      name: "string concatenation with +",
      template: `{hash.append("a" + "b").printDigest();}`,
      at: "+",
      code: "UNEXPECTED_CHARACTER",
      hint: /\.append/,
    },
    {
      name: "typographic quotes",
      template: `{hash.append(“a”).printDigest();}`,
      at: "“",
      code: "UNEXPECTED_CHARACTER",
      hint: /typographic/,
    },
  ])("$name → $code", ({ template, at, code, hint }) => {
    const problem = firstProblem(template);
    expect(problem.code).toBe(code);
    expect(problem.offset).toBe(template.indexOf(at));
    expect(problem.hint).toMatch(hint);
  });

  it("points the nesting limit at the first hash past the limit", () => {
    const template = `{hash.append(${"hash.append(".repeat(40)}"x"${")".repeat(40)}).printDigest();}`;
    // Depth counts the parentheses around a hash: the 33rd nested hash is the first too deep.
    const problem = firstProblem(template);
    expect(problem).toMatchObject({ code: "LIMIT_EXCEEDED", offset: 1 + "hash.append(".length * 33 });
    expect(problem.hint).toMatch(/fewer/);
  });

  it("does not recurse into a deeply nested template", () => {
    const deep = `{hash.append(${"hash.append(".repeat(100_000)}"x"${")".repeat(100_000)}).printDigest();}`;
    expect(firstProblem(deep).code).toBe("LIMIT_EXCEEDED");
  });

  it("keeps checking after an unknown method: problems in its arguments still surface", () => {
    const problem = firstProblem(`{hash.apend(hash.append("x").encodeMd5()).frob().printDigest();}`);
    expect(problem.count).toBe(2); // apend and frob; the kind of apend's result is unknown, so no kind errors follow
  });

  it("reports a misplaced printDigest() once, not also as a missing one", () => {
    const problem = firstProblem(`{hash.append("a").printDigest().encodeURL();}`);
    expect(problem).toMatchObject({ code: "AFTER_PRINT_DIGEST", count: 1 });
  });

  it.each([String.raw`"\uD800"`, String.raw`"a\uDE00b"`, `"\uDE00\uD83D"`])(
    "refuses a lone surrogate in %s",
    (literal) => {
      expect(firstProblem(`{hash.append(${literal}).printDigest();}`).code).toBe("INVALID_ESCAPE");
    },
  );

  it("accepts a whole surrogate pair", () => {
    expect(expand(String.raw`{hash.append("\uD83D\uDE00").toHex().printDigest();}`)).toBe("f09f9880");
  });

  it("accepts a single value call without printDigest(), and printDigest() after it", () => {
    expect(expand(`{hash.getExpiryTime(5);}`, { now: 0 })).toBe("5");
    expect(expand(`{hash.getExpiryTime(5).printDigest();}`, { now: 0 })).toBe("5");
  });

  it("allows printDigest() in a nested chain but does not require it", () => {
    expect(expand(`{hash.append(hash.append("a").printDigest()).append(hash.append("b")).printDigest();}`)).toBe("ab");
  });
});

describe("a bytes value never reaches an output", () => {
  it("a header that is the request body alone is refused, not sent as decimals", () => {
    const request = {
      method: "POST",
      url: "https://x/",
      body: "ab",
      headers: { "X-Body": "{hash.getRequestBody();}" },
    };
    const e = errorOf(() => signRequest(request));
    expect(e.code).toBe("RESULT_KIND");
    expect(e.problems[0]?.where).toBe("header X-Body");
  });

  it("the same chain as text is what the user meant", () => {
    expect(expand(`x={hash.fromHex("4a656665").toHex().printDigest();}`)).toBe("x=4a656665");
  });
});

describe("the total an expansion builds (maxExpansionSize)", () => {
  // Every value is within maxValueSize: only the total is past its limit.
  const limits = { maxExpansionSize: 1000 };

  it("counts intermediate values and every block, and names the call that goes past", () => {
    const block = `{hash.append("${"a".repeat(100)}").toHex().printDigest();}`; // 100 + 200 built
    expect(expand(block.repeat(3), { limits })).toBe("61".repeat(300));
    const e = errorOf(() => expand(block.repeat(4), { limits }));
    expect(e.code).toBe("LIMIT_EXCEEDED");
    expect(e.message).toContain("maxExpansionSize is 1000");
    expect(e.span.offset).toBe(3 * block.length + block.indexOf("toHex"));
  });

  it("refuses a value before building it", () => {
    // toHex() of 600 characters would make 1,200: refused from the size it would have.
    const e = errorOf(() => expand(`{hash.append("${"a".repeat(600)}").toHex().printDigest();}`, { limits }));
    expect(e.code).toBe("LIMIT_EXCEEDED");
    expect(e.message).toContain("maxExpansionSize");
  });

  it("is shared by the parts of a signed request", () => {
    const part = `{hash.append("${"a".repeat(300)}").toHex().printDigest();}`; // 900 built
    expect(() => signRequest({ url: `https://x/?a=${part}` }, { limits })).not.toThrow();
    const e = errorOf(() => signRequest({ url: `https://x/?a=${part}`, headers: { B: part } }, { limits }));
    expect(e).toMatchObject({ code: "LIMIT_EXCEEDED" });
    expect(e.problems[0]?.where).toBe("header B");
  });

  it("bounds explain() too", () => {
    const block = `{hash.append("${"a".repeat(100)}").toHex().printDigest();}`;
    expect(errorOf(() => explain(block.repeat(4), { limits })).code).toBe("LIMIT_EXCEEDED");
  });

  it.each([
    ["append", `hash.append("abc").append("de")`, 3 + 5],
    ["appendNewLine", `hash.append("abc").appendNewLine()`, 3 + 4],
    ["toHex of text as UTF-8", `hash.append("é€").toHex()`, 2 + 2 * Buffer.byteLength("é€")],
    ["encodeBase64", `hash.append("abcd").encodeBase64()`, 4 + Buffer.from("abcd").toString("base64").length],
    ["encodeBase64Url", `hash.append("abcd").encodeBase64Url()`, 4 + Buffer.from("abcd").toString("base64url").length],
    ["encodeURL", `hash.append("a b/é😀").encodeURL()`, "a b/é😀".length + encodeURIComponent("a b/é😀").length],
    ["fromHex", `hash.fromHex("00ff10").toHex()`, 3 + 6],
    ["fromBase64", `hash.fromBase64("SmVmZQ").toHex()`, 4 + 8],
  ])("counts what %s builds exactly", (_name, expression, built) => {
    expect(() => evaluate(expression, { limits: { maxExpansionSize: built } })).not.toThrow();
    expect(errorOf(() => evaluate(expression, { limits: { maxExpansionSize: built - 1 } })).code).toBe(
      "LIMIT_EXCEEDED",
    );
  });
});

describe("getDate at the edges of the Date range", () => {
  const yearZero = new Date(0);
  yearZero.setUTCFullYear(0, 0, 1); // Date.UTC would read the year 0 as 1900
  it.each([
    { now: 8.64e15, seconds: 1 },
    { now: -8.64e15, seconds: 0 },
    { now: yearZero.getTime() - 1, seconds: 0 },
  ])("an instant it cannot write ($now + $seconds s) is an error", ({ now, seconds }) => {
    const e = errorOf(() => expand(`{hash.getDate("yyyy-MM-dd HH:mm:ss EEE MMM", ${seconds});}`, { now }));
    expect(e.code).toBe("DATE_OUT_OF_RANGE");
  });

  it("writes the first instant of year 0 and the last a Date holds", () => {
    expect(expand(`{hash.getDate("yyyy-MM-dd");}`, { now: yearZero.getTime() })).toBe("0000-01-01");
    expect(expand(`{hash.getDate("yyyy-MM-dd HH:mm");}`, { now: 8.64e15 })).toBe("275760-09-13 00:00");
  });
});
