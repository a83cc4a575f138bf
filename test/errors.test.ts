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
        `1 | a={hash.appnd("•").printDigest();}`,
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
    expect(errorOf(() => expand(template)).excerpt.text).toBe(template.replace("a b c d e f g", "•".repeat(13)));
  });

  it("masks a literal with a bullet a code unit, so what follows keeps its column", () => {
    const template = `{hash.append("${"k".repeat(30)}😀").appnd("x").printDigest();}`;
    const { excerpt, span } = errorOf(() => expand(template));
    expect(excerpt.text).toBe(template.replace(/"[^"]*"/g, (q) => `"${"•".repeat(q.length - 2)}"`));
    expect(excerpt.caretColumn).toBe(span.column - 1);
    expect(excerpt.text.slice(excerpt.caretColumn, excerpt.caretColumn + excerpt.caretLength)).toBe("appnd");
  });

  it("keeps an excerpt short under a long masked literal and a long caret", () => {
    const long = "k".repeat(5000);
    for (const template of [
      `x=${"a".repeat(200)}{hash.append("${long}").appnd("x").printDigest();}`,
      `x=${"a".repeat(200)}{hash.getExpiryTime("${long}");}`, // ARGUMENT_KIND spans the literal
    ]) {
      const { excerpt } = errorOf(() => expand(template));
      expect(excerpt.text.length).toBeLessThan(200);
      expect(excerpt.text).not.toContain("kk");
      expect(excerpt.caretColumn + excerpt.caretLength).toBeLessThanOrEqual(excerpt.text.length);
    }
  });

  it("puts a caret on the LF of a CRLF just past the line", () => {
    const { excerpt, span } = errorOf(() => expand("abc\r\nd", { limits: { maxTemplateLength: 4 } }));
    expect(span.offset).toBe(4);
    expect(excerpt).toEqual({ text: "abc", caretColumn: 3, caretLength: 1 });
  });

  // Each would move the cursor, start a terminal sequence, reorder or hide the text after it.
  it.each([
    { what: "tab", char: "\t" },
    { what: "ESC", char: "\u001b" },
    { what: "BEL", char: "\u0007" },
    { what: "DEL", char: "\u007f" },
    { what: "C1 CSI", char: "\u009b" },
    { what: "C1 NEL", char: "\u0085" },
    { what: "right-to-left override", char: "\u202e" },
    { what: "left-to-right isolate", char: "\u2066" },
    { what: "pop directional isolate", char: "\u2069" },
    { what: "Arabic letter mark", char: "\u061c" },
    { what: "zero-width space", char: "\u200b" },
    { what: "byte order mark", char: "\ufeff" },
    { what: "soft hyphen", char: "\u00ad" },
    // These end a string, so they stand in the text only.
    { what: "CR", char: "\r", text: true },
    { what: "line separator", char: "\u2028", text: true },
    { what: "paragraph separator", char: "\u2029", text: true },
  ])("shows a $what as a space, in the text and in a name, so the caret stays aligned", ({ char, text }) => {
    const name = text ? "ab" : `a${char}b`;
    const template = `${char}{hash.append(hash.getSecret("${name}")).appnd().printDigest();}`;
    const { excerpt, span } = errorOf(() => expand(template, { secrets: { [name]: "v" } }));
    expect(excerpt.text).toBe(template.replaceAll(char, " "));
    expect(excerpt.caretColumn).toBe(span.column - 1);
    expect(excerpt.text.slice(excerpt.caretColumn, excerpt.caretColumn + 5)).toBe("appnd");
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
    `{hash.append("${SECRET}").encodeMd5().printDigest();}`, // a key appended as data (Marvel)
    `{hash.append("id") "${SECRET}";}`, // a stray literal in a syntax error
    `{hash.appnd("${SECRET}").printDigest();}`, // a typo of a method that takes no key
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

  it("shows names, escaped, and only names", () => {
    const e = errorOf(() => expand(`{hash.append(hash.getSecret("m\u001bz")).append("data").printDigest();}`));
    expect(e.code).toBe("MISSING_SECRET");
    expect(e.message).toBe("secret 'm\\u001bz' is not set");
    expect(e.excerpt.text).toBe(`{hash.append(hash.getSecret("m z")).append("••••").printDigest();}`);
  });

  it("masks an unquoted word without adding quotes", () => {
    const e = errorOf(() => expand(`{hash.appendMethods(dataElement).printDigest();}`));
    expect(e.excerpt.text).toBe(`{hash.appendMethods(•••••••••••).printDigest();}`);
  });

  it("masks bare expressions too", () => {
    const e = errorOf(() => evaluate(`hash.append("x").encodeHmacSha1("${SECRET}")`));
    expect(e.code).toBe("RESULT_KIND");
    expect(e.format()).not.toContain(SECRET);
  });
});
