import { describe, expect, it } from "vitest";
import { expand, HashHelperError } from "../src/index.ts";

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
      code: "INPUT_KIND",
      hint: /append everything before hashing/,
    },
    {
      name: "appendNewLine after a MAC",
      template: `{hash.append("x").encodeHmacSha1("k").appendNewLine().toHex().printDigest();}`,
      at: "appendNewLine",
      code: "INPUT_KIND",
      hint: /toHex\(\) or \.encodeBase64\(\)/,
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
      name: "bytes appended",
      template: `{hash.append(hash.append("x").encodeMd5()).printDigest();}`,
      at: `hash.append("x").encodeMd5()`,
      code: "ARGUMENT_KIND",
      hint: /add \.toHex\(\) or \.encodeBase64\(\) to the nested expression/,
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
