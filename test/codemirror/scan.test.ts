// What the editor reads of a text with the language's lexer: the role of each piece (for
// highlighting), what the cursor stands in (for completion) and the method under the pointer
// (for hover). The expected roles are written by hand from the grammar of docs/language.md.
import { describe, expect, it } from "vitest";
import { blockAt, methodNameAt, pieces, placeAt, scanBlocks } from "../../src/codemirror/scan.ts";
import { methods, redact } from "../../src/index.ts";

const roles = (text: string) =>
  pieces(text, methods, redact(text))
    .filter((p) => p.role !== "block")
    .map((p) => `${p.role} ${text.slice(p.from, p.to)}`);

describe("pieces", () => {
  it("gives each token of a block its role, a key literal and a secret's name apart", () => {
    const text = `u?s={hash.append("id").encodeHmacSha1("k3y").append(hash.getSecret("moz")).getDate("yyyy");}`;
    expect(roles(text)).toStrictEqual([
      "delimiter {",
      "hash hash",
      "punctuation .",
      "method append",
      "paren (",
      `string "id"`,
      "paren )",
      "punctuation .",
      "method encodeHmacSha1",
      "paren (",
      `key "k3y"`,
      "paren )",
      "punctuation .",
      "method append",
      "paren (",
      "hash hash",
      "punctuation .",
      "method getSecret",
      "paren (",
      `secretName "moz"`,
      "paren )",
      "paren )",
      "punctuation .",
      "method getDate",
      "paren (",
      `name "yyyy"`,
      "paren )",
      "punctuation ;",
      "delimiter }",
    ]);
  });

  it.each([
    ["text without blocks", "https://example.com/{date.today}?a=<b>", []],
    ["a number, and an angle block", "<hash.getExpiryTime(240);>", ["delimiter <", "number 240", "delimiter >"]],
    ["an unterminated string", `{hash.append("abc`, ["delimiter {", `invalid "abc`]],
  ])("%s", (_name, text, expected) => {
    const shown = roles(text).filter((r) => !/^(hash|punctuation|method|paren) /.test(r));
    expect(shown).toStrictEqual(expected);
  });

  it("covers each block from its opener to its closer, and nothing outside", () => {
    const text = `a={hash.append("x").printDigest();}&b=1&c=<hash.getEpochMillis();>`;
    const blocks = pieces(text, methods).filter((p) => p.role === "block");
    expect(blocks.map((b) => text.slice(b.from, b.to))).toStrictEqual([
      `{hash.append("x").printDigest();}`,
      "<hash.getEpochMillis();>",
    ]);
  });

  it("marks as a key what redact() hides, and data as a string", () => {
    const text = `{hash.append("data").encodeHmacSha256("literal-key").encodeBase64().printDigest();}`;
    expect(roles(text).filter((r) => /^(key|string) /.test(r))).toStrictEqual([`string "data"`, `key "literal-key"`]);
  });
});

describe("placeAt", () => {
  it.each([
    ["{hash.", { kind: "method", from: 6, after: "hash" }],
    ["{hash.app", { kind: "method", from: 6, after: "hash" }],
    [`{hash.append("x").`, { kind: "method", from: 18, after: "call", previous: "append" }],
    [`{hash.append("x").encodeMd5().to`, { kind: "method", from: 30, after: "call", previous: "encodeMd5" }],
    [
      `{hash.append(hash.getSecret("mo`,
      { kind: "string", from: 29, closed: false, in: { name: "getSecret", index: 0 } },
    ],
    [`{hash.append("a", "b`, { kind: "string", from: 19, in: { name: "append", index: 1 } }],
    [`{hash.append("x") `, { kind: "none" }],
    ["no block {hash", { kind: "none" }],
    [`{hash.append("x").printDigest();}`, { kind: "none" }],
  ])("%s", (text, expected) => {
    expect(placeAt(text, text.length)).toMatchObject(expected);
  });

  it("is outside a closed block once past its closer", () => {
    const text = `{hash.append("x").printDigest();}`;
    const blocks = scanBlocks(text);
    expect(blockAt(blocks, text.length - 1)).toBeDefined();
    expect(blockAt(blocks, text.length)).toBeUndefined();
  });
});

describe("methodNameAt", () => {
  const text = `x={hash.append("append").encodeHmacSha1("k").printDigest();}`;
  it.each([
    [text.indexOf("append") + 2, "append"],
    [text.indexOf("encodeHmacSha1"), "encodeHmacSha1"],
    [text.indexOf("printDigest") + 11, "printDigest"],
    [text.indexOf(`"append"`) + 3, undefined],
    [1, undefined],
  ])("at %i: %s", (pos, name) => {
    expect(methodNameAt(text, pos)?.name).toBe(name);
  });
});
