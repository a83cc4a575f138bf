// What the editor reads of a text with the language's lexer: the role of each piece (for
// highlighting), what the cursor stands in (for completion) and the method under the pointer
// (for hover). The expected roles are written by hand from the grammar of docs/language.md.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BlockReader,
  blockAt,
  methodNameAt,
  pieces,
  placeAt,
  scanBlocks,
  TextScan,
} from "../../src/codemirror/scan.ts";
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

describe("TextScan, kept up to date change by change", () => {
  const reader: BlockReader = {
    methods,
    limit: 64 * 1024,
    redact: (t) => {
      try {
        return redact(t);
      } catch {
        return undefined;
      }
    },
  };
  // Pieces that open, close and break blocks, so that edits move block boundaries around.
  const alphabet = [
    "{",
    "}",
    "<",
    ">",
    "hash",
    ".",
    '"',
    "(",
    ")",
    ";",
    " ",
    "\n",
    "append",
    '"k3y"',
    "x",
    "&",
    "encodeHmacSha1",
  ];
  const base = `a={hash.append("x").encodeHmacSha1("k3y").toHex().printDigest();}&b=<hash.getExpiryTime(60);>&c={hash.append("y"`;

  it("gives after any sequence of edits what a scan of the whole new text gives", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.nat(),
            remove: fc.nat({ max: 12 }),
            insert: fc.array(fc.constantFrom(...alphabet), { maxLength: 4 }).map((a) => a.join("")),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        (edits) => {
          let text = base;
          let scan = TextScan.of(text, reader);
          for (const e of edits) {
            const from = e.at % (text.length + 1);
            const to = Math.min(text.length, from + e.remove);
            const next = text.slice(0, from) + e.insert + text.slice(to);
            scan = scan.update(next, { fromA: from, toA: to, fromB: from, toB: from + e.insert.length }, reader);
            text = next;
            // The editor's text is a template (a URL field); redact() reads a text that starts
            // with "hash." as one expression, so the oracle reads it after one character of text.
            const whole = pieces(text, methods, redact(`x${text}`).slice(1));
            expect(scan.piecesIn(0, text.length)).toStrictEqual(TextScan.of(text, reader).piecesIn(0, text.length));
            // Keys included: a block's keys are what redact() finds in the whole text.
            expect(scan.piecesIn(0, text.length)).toStrictEqual(whole);
          }
        },
      ),
      // Found by CI: the text left starting with "hash.", which redact() alone reads as an expression.
      {
        numRuns: 300,
        examples: [
          [
            [
              { at: 0, remove: 3, insert: "" },
              { at: 174305345, remove: 0, insert: '"' },
            ],
          ],
          [
            [
              { at: 0, remove: 0, insert: "hash." },
              { at: 0, remove: 0, insert: "" },
            ],
          ],
        ],
      },
    );
  });

  it("reads again only the block an edit is in", () => {
    const block = `x={hash.append("abc").encodeHmacSha1("k3y").encodeBase64().printDigest();}&`;
    const text = block.repeat(200);
    const scan = TextScan.of(text, reader);
    const at = block.length * 100 + 20;
    const next = `${text.slice(0, at)}z${text.slice(at)}`;
    const updated = scan.update(next, { fromA: at, toA: at, fromB: at, toB: at + 1 }, reader);
    expect(updated.size).toBe(200);
    // The block edited, and the one after it, where the scan finds the old blocks again.
    expect(updated.lexed).toBeLessThanOrEqual(2);
    expect(updated.piecesIn(0, next.length)).toStrictEqual(TextScan.of(next, reader).piecesIn(0, next.length));
  });

  it("reads nothing past the limit, and says so", () => {
    const scan = TextScan.of('{hash.append("x").printDigest();}'.repeat(10), { ...reader, limit: 100 });
    expect(scan.skipped).toBe(true);
    expect(scan.piecesIn(0, 1000)).toStrictEqual([]);
  });
});
